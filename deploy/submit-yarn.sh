#!/usr/bin/env bash
# Submits a brats-cv command to YARN with GPU scheduling. Spark turns
# spark.executor.resource.gpu.amount into a yarn.io/gpu container request; YARN does not tell the
# executor which GPU it got, so the discovery script travels with --files and runs in each
# executor container.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF
Usage: $(basename "$0") <brats-cv command> [options]...
  e.g. $(basename "$0") cv --config conf/brats2020-cv.yaml --set data.train=hdfs:///data/brats2020
       NUM_EXECUTORS=10 YARN_QUEUE=gpu $(basename "$0") sweep --config conf/ablation-nightly.yaml
       DRY_RUN=1 $(basename "$0") segment --models hdfs:///runs/brats2020-cv --input hdfs:///archive --output hdfs:///seg

In cluster mode (DEPLOY_MODE=cluster) a local --config file (and the files its include:/base:
lines name next to it) travels with --files; the driver reads it from its container.

Runs spark-submit --master yarn --class $BRATSCV_MAIN_CLASS; every argument goes to brats-cv
unchanged. Settings come from environment variables.

YARN settings:
  YARN_QUEUE                queue (--queue) [cluster default]
  LOCAL_DISCOVERY_SCRIPT    discovery script shipped with --files [deploy/getGpusResources.sh]
  GPU_DISCOVERY_SCRIPT      as the executor sees it [./getGpusResources.sh]
  DJL_CACHE_DIR             relative paths land in the container's directory [./djl-cache]
  YARN_DOCKER_IMAGE         run driver/executors in this image (YARN Docker runtime) []
  YARN_DOCKER_MOUNTS        YARN_CONTAINER_RUNTIME_DOCKER_MOUNTS for that image []
  Without YARN_DOCKER_IMAGE, libtorch 2.7.1 (CUDA 12.8 build) must be installed at
  PYTORCH_LIBRARY_PATH on every NodeManager host.

$(bratscv_common_usage)
EOF
}

bratscv_parse_help "$@"
: "${YARN_QUEUE:=}"
: "${LOCAL_DISCOVERY_SCRIPT:=$BRATSCV_DEPLOY_DIR/getGpusResources.sh}"
: "${GPU_DISCOVERY_SCRIPT:=./getGpusResources.sh}"
: "${DJL_CACHE_DIR:=./djl-cache}"
: "${YARN_DOCKER_IMAGE:=}"
: "${YARN_DOCKER_MOUNTS:=}"
bratscv_defaults
bratscv_check yarn
bratscv_require_file "application jar" "$APP_JAR"
bratscv_require_file "discovery script" "$LOCAL_DISCOVERY_SCRIPT"
if [[ -f "$LOCAL_DISCOVERY_SCRIPT" && ! -x "$LOCAL_DISCOVERY_SCRIPT" ]]; then
  bratscv_die "discovery script $LOCAL_DISCOVERY_SCRIPT is not executable (chmod +x it)"
fi

SUBMIT_ARGS+=(--master yarn --num-executors "$NUM_EXECUTORS")
if [[ -n "$YARN_QUEUE" ]]; then
  SUBMIT_ARGS+=(--queue "$YARN_QUEUE")
fi
bratscv_common_args
# In cluster mode the driver runs in the application master's container: same environment.
bratscv_env_args spark.yarn.appMasterEnv.
if [[ -n "$YARN_DOCKER_IMAGE" ]]; then
  for prefix in spark.executorEnv. spark.yarn.appMasterEnv.; do
    SUBMIT_ARGS+=(
      --conf "${prefix}YARN_CONTAINER_RUNTIME_TYPE=docker"
      --conf "${prefix}YARN_CONTAINER_RUNTIME_DOCKER_IMAGE=$YARN_DOCKER_IMAGE"
    )
    if [[ -n "$YARN_DOCKER_MOUNTS" ]]; then
      SUBMIT_ARGS+=(--conf "${prefix}YARN_CONTAINER_RUNTIME_DOCKER_MOUNTS=$YARN_DOCKER_MOUNTS")
    fi
  done
fi

# --files puts both files in every container's working directory (the #name is their name
# there); YARN localizes them executable.
files="$LOCAL_DISCOVERY_SCRIPT#getGpusResources.sh"
executor_log4j=""
driver_log4j=""
if [[ -f "$LOG4J2_CONF" ]]; then
  files+=",$LOG4J2_CONF#log4j2.properties"
  executor_log4j=log4j2.properties
  if [[ "$DEPLOY_MODE" == client ]]; then
    driver_log4j="$LOG4J2_CONF"
  else
    driver_log4j=log4j2.properties
  fi
fi
# In cluster mode the driver runs in a container: a local --config travels with --files and is
# named by its file name there (see bratscv_ship_config).
BRATSCV_ARGS=("$@")
if [[ "$DEPLOY_MODE" == cluster ]]; then
  bratscv_ship_config "$@"
  for f in "${SHIP_FILES[@]+"${SHIP_FILES[@]}"}"; do
    files+=",$f"
  done
fi
SUBMIT_ARGS+=(
  --files "$files"
  --conf "spark.driver.extraJavaOptions=$(bratscv_driver_java_opts "$driver_log4j")"
  --conf "spark.executor.extraJavaOptions=$(bratscv_executor_java_opts "$executor_log4j")"
)
bratscv_run "${BRATSCV_ARGS[@]}"
