#!/usr/bin/env bash
# Submits a brats-cv command to Kubernetes. Driver and executors run in the brats-cv image
# (deploy/docker/Dockerfile: Spark 4.0, libtorch 2.7.1 cu128, the cluster jar, the discovery
# script). Spark asks for nvidia.com/gpu per executor pod (vendor nvidia.com); the pod templates
# add tolerations, node selection, and volumes for the DJL cache and /dev/shm.
set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<EOF
Usage: $(basename "$0") <brats-cv command> [options]...
  e.g. K8S_MASTER=k8s://https://api.example.org:6443 K8S_IMAGE=registry.example.org/brats-cv:0.1.0 \\
         $(basename "$0") cv --config /opt/brats-cv/conf/brats2020-cv.yaml --set data.train=s3a://bucket/brats2020
       K8S_UPLOAD_PATH=s3a://bucket/spark-upload $(basename "$0") cv --config my-run.yaml

Runs spark-submit --master k8s://... --class $BRATSCV_MAIN_CLASS; every argument goes to brats-cv
unchanged. Paths in them are read by the driver pod: use files baked into the image
(/opt/brats-cv/conf/...) or shared storage (s3a:, hdfs:). A local --config file (with the files
its include:/base: lines name next to it) is uploaded to K8S_UPLOAD_PATH and the driver reads it
from its working directory. Settings come from environment variables.

Kubernetes settings:
  K8S_MASTER                k8s://https://<api-server>:<port> (required)
  K8S_IMAGE                 the brats-cv image (required)
  K8S_NAMESPACE             [default]
  K8S_SERVICE_ACCOUNT       driver's service account; may create pods, services, configmaps [spark]
  K8S_PULL_POLICY           Always, IfNotPresent or Never [IfNotPresent]
  K8S_DRIVER_TEMPLATE       [deploy/k8s/pod-template-driver.yaml]
  K8S_EXECUTOR_TEMPLATE     [deploy/k8s/pod-template-executor.yaml]
  K8S_UPLOAD_PATH           spark.kubernetes.file.upload.path (hdfs: or s3a:) for a local --config []
  GPU_VENDOR                device-plugin domain: Spark requests <vendor>/gpu per executor [nvidia.com]
  GPU_DISCOVERY_SCRIPT      path inside the image [/opt/brats-cv/getGpusResources.sh]
  DJL_CACHE_DIR             emptyDir mounted by the pod templates [/opt/djl-cache]
  APP_JAR                   [local:///opt/brats-cv/brats-cv-cluster.jar]
  RAPIDS_JAR                with RAPIDS: local:///... in the image, or an s3a:/hdfs:/https: URI
  DEPLOY_MODE               [cluster]

$(bratscv_common_usage)
EOF
}

bratscv_parse_help "$@"
: "${K8S_MASTER:=}"
: "${K8S_IMAGE:=}"
: "${K8S_NAMESPACE:=default}"
: "${K8S_SERVICE_ACCOUNT:=spark}"
: "${K8S_PULL_POLICY:=IfNotPresent}"
: "${K8S_DRIVER_TEMPLATE:=$BRATSCV_DEPLOY_DIR/k8s/pod-template-driver.yaml}"
: "${K8S_EXECUTOR_TEMPLATE:=$BRATSCV_DEPLOY_DIR/k8s/pod-template-executor.yaml}"
: "${K8S_UPLOAD_PATH:=}"
: "${GPU_VENDOR:=nvidia.com}"
: "${GPU_DISCOVERY_SCRIPT:=/opt/brats-cv/getGpusResources.sh}"
: "${DJL_CACHE_DIR:=/opt/djl-cache}"
: "${APP_JAR:=local:///opt/brats-cv/brats-cv-cluster.jar}"
: "${DEPLOY_MODE:=cluster}"
# Where the image keeps conf/log4j2.properties (deploy/docker/Dockerfile).
: "${LOG4J2_CONF:=/opt/brats-cv/conf/log4j2.properties}"
bratscv_defaults
[[ -n "$K8S_MASTER" ]] || bratscv_die "set K8S_MASTER (k8s://https://<api-server>:<port>); see --help"
bratscv_check "$K8S_MASTER"
[[ "$K8S_MASTER" == k8s://* ]] || bratscv_die "K8S_MASTER must start with k8s://, got '$K8S_MASTER'"
[[ -n "$K8S_IMAGE" ]] || bratscv_die "set K8S_IMAGE (built from deploy/docker/Dockerfile); see --help"
case "$K8S_PULL_POLICY" in
  Always | IfNotPresent | Never) ;;
  *) bratscv_die "K8S_PULL_POLICY must be Always, IfNotPresent or Never, got '$K8S_PULL_POLICY'" ;;
esac
bratscv_require_file "driver pod template" "$K8S_DRIVER_TEMPLATE"
bratscv_require_file "executor pod template" "$K8S_EXECUTOR_TEMPLATE"
if [[ "$APP_JAR" != *://* ]]; then
  bratscv_warn "APP_JAR $APP_JAR has no scheme: spark-submit must upload it" \
    "(set spark.kubernetes.file.upload.path in EXTRA_CONF_FILE) or use local:///... in the image"
fi
if [[ "$RAPIDS" != 0 && "$RAPIDS_JAR" != *://* ]]; then
  bratscv_warn "RAPIDS_JAR $RAPIDS_JAR has no scheme: bake it into the image (local:///...)" \
    "or give an s3a:/hdfs:/https: URI"
fi

SUBMIT_ARGS+=(
  --master "$K8S_MASTER"
  --conf "spark.kubernetes.container.image=$K8S_IMAGE"
  --conf "spark.kubernetes.container.image.pullPolicy=$K8S_PULL_POLICY"
  --conf "spark.kubernetes.namespace=$K8S_NAMESPACE"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=$K8S_SERVICE_ACCOUNT"
  --conf "spark.kubernetes.driver.podTemplateFile=$K8S_DRIVER_TEMPLATE"
  --conf "spark.kubernetes.executor.podTemplateFile=$K8S_EXECUTOR_TEMPLATE"
  --conf "spark.executor.instances=$NUM_EXECUTORS"
  # Spark turns spark.executor.resource.gpu.amount into a <vendor>/gpu limit on each executor pod.
  --conf "spark.executor.resource.gpu.vendor=$GPU_VENDOR"
)
bratscv_common_args
bratscv_env_args spark.kubernetes.driverEnv.
# A client-mode driver runs here, not in the image: it uses the repository's log4j2 file.
driver_log4j="$LOG4J2_CONF"
if [[ "$DEPLOY_MODE" == client ]]; then
  driver_log4j=""
  if [[ -f "$BRATSCV_REPO_ROOT/conf/log4j2.properties" ]]; then
    driver_log4j="$BRATSCV_REPO_ROOT/conf/log4j2.properties"
  fi
fi
# A driver pod cannot read the submit host's files: a local --config is uploaded with --files
# (spark-submit puts it under spark.kubernetes.file.upload.path; the driver downloads it into its
# working directory) and named by its file name.
BRATSCV_ARGS=("$@")
if [[ "$DEPLOY_MODE" == cluster ]]; then
  bratscv_ship_config "$@"
  if ((${#SHIP_FILES[@]})); then
    [[ -n "$K8S_UPLOAD_PATH" ]] ||
      bratscv_die "--config names a local file: set K8S_UPLOAD_PATH (hdfs:///... or s3a://...) so" \
        "spark-submit can upload it for the driver pod, or put it in the image or on shared storage"
    # each keeps its file name (no #name fragment needed)
    uploads=("${SHIP_FILES[@]%%#*}")
    SUBMIT_ARGS+=(
      --conf "spark.kubernetes.file.upload.path=$K8S_UPLOAD_PATH"
      --files "$(
        IFS=,
        printf '%s' "${uploads[*]}"
      )"
    )
  fi
fi
SUBMIT_ARGS+=(
  --conf "spark.driver.extraJavaOptions=$(bratscv_driver_java_opts "$driver_log4j")"
  --conf "spark.executor.extraJavaOptions=$(bratscv_executor_java_opts "$LOG4J2_CONF")"
)
bratscv_run "${BRATSCV_ARGS[@]}"
