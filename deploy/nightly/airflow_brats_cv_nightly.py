"""Airflow DAG: the brats-cv nightly ablation sweep.

Copy into the Airflow dags folder on a host that can spark-submit (the brats-cv checkout at
BRATS_CV_HOME). One task runs the sweep for the DAG run's date (`ds`) as the run id, so a cleared
or retried task resumes that night's folder and skips the variants that finished; before it, the
wrapper resumes the run folder started last if it did not finish (sweep --resume-unfinished).
Exit code 3 (finished with failed cases/models) fails the task so the on-call is alerted, and the
comparison is still written; exit code 4 means another sweep (a run outside Airflow, or a retry
racing a still-running driver) holds <output>/brats-cv.lock, and the task's retry tries again
later. The sweep writes <output>/<ds>/ and points <output>/LATEST at it.
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

BRATS_CV_HOME = os.environ.get("BRATS_CV_HOME", "/opt/brats-cv")

with DAG(
    dag_id="brats_cv_nightly_ablation",
    description="brats-cv: nightly ablation sweep (U-Net, + patient removal, + attention)",
    schedule="30 22 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["brats-cv"],
) as dag:
    BashOperator(
        task_id="sweep",
        cwd=BRATS_CV_HOME,
        bash_command=(
            "RUN_ID={{ ds }} SUBMIT=deploy/submit-yarn.sh YARN_QUEUE=gpu NUM_EXECUTORS=8 "
            "deploy/nightly/nightly-sweep.sh conf/ablation-nightly.yaml"
        ),
        execution_timeout=timedelta(hours=20),
    )
