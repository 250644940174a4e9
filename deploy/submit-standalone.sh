#!/usr/bin/env bash
# Submits a brats-cv command to a Spark standalone cluster whose workers own GPUs.
# Each worker discovers its GPUs itself (spark.worker.resource.gpu.* in the worker's
# SPARK_WORKER_OPTS, see deploy/README.md) and hands one to each executor it starts, so executors
# need no discovery script here.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF
Usage: $(basename "$0") <brats-cv command> [options]...
  e.g. SPARK_MASTER_URL=spark://head:7077 $(basename "$0") cv --config conf/brats2020-cv.yaml
       SPARK_MASTER_URL=spark://head:7077 DRY_RUN=1 $(basename "$0") sweep --config conf/ablation-nightly.yaml

Runs spark-submit --class $BRATSCV_MAIN_CLASS on a standalone cluster; every argument goes to
brats-cv unchanged. Settings come from environment variables.

Standalone settings:
  SPARK_MASTER_URL          spark://host:port of the master (required)
  TOTAL_EXECUTOR_CORES      cap on the application's cores (--total-executor-cores) [all]
  GPU_DISCOVERY_SCRIPT      executor discovery script; normally unset: workers assign GPUs []
  DJL_CACHE_DIR             on the worker hosts, writable by the worker user [/tmp/brats-cv-djl-cache]
  (NUM_EXECUTORS does not apply: each worker starts as many executors as its GPUs and cores allow.)

$(bratscv_common_usage)
EOF
}

bratscv_parse_help "$@"
: "${SPARK_MASTER_URL:=}"
: "${TOTAL_EXECUTOR_CORES:=}"
bratscv_defaults
[[ -n "$SPARK_MASTER_URL" ]] || bratscv_die "set SPARK_MASTER_URL (spark://host:7077); see --help"
bratscv_check "$SPARK_MASTER_URL"
[[ "$SPARK_MASTER_URL" == spark://* ]] ||
  bratscv_die "SPARK_MASTER_URL must be spark://host:port, got '$SPARK_MASTER_URL'"
if [[ -n "$TOTAL_EXECUTOR_CORES" && ! "$TOTAL_EXECUTOR_CORES" =~ ^[1-9][0-9]*$ ]]; then
  bratscv_die "TOTAL_EXECUTOR_CORES must be a positive integer, got '$TOTAL_EXECUTOR_CORES'"
fi
bratscv_require_file "application jar" "$APP_JAR"

SUBMIT_ARGS+=(--master "$SPARK_MASTER_URL")
bratscv_common_args
if [[ -n "$TOTAL_EXECUTOR_CORES" ]]; then
  SUBMIT_ARGS+=(--total-executor-cores "$TOTAL_EXECUTOR_CORES")
fi
# Executors log with the workers' $SPARK_CONF_DIR/log4j2.properties (copy conf/log4j2.properties
# there); a client-mode driver reads ours directly.
driver_log4j=""
if [[ "$DEPLOY_MODE" == client && -f "$LOG4J2_CONF" ]]; then
  driver_log4j="$LOG4J2_CONF"
fi
SUBMIT_ARGS+=(
  --conf "spark.driver.extraJavaOptions=$(bratscv_driver_java_opts "$driver_log4j")"
  --conf "spark.executor.extraJavaOptions=$(bratscv_executor_java_opts "")"
)
bratscv_run "$@"
