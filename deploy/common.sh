# shellcheck shell=bash
# What submit-standalone.sh, submit-yarn.sh and submit-k8s.sh share: the settings every GPU
# cluster needs (memory, GPU resources, the DJL/libtorch environment, optional RAPIDS), their
# checks, and how the final spark-submit command is run or printed. Sourced, never executed.
#
# A wrapper sets its own defaults (e.g. GPU_DISCOVERY_SCRIPT, DJL_CACHE_DIR) before calling
# bratscv_defaults, appends its cluster-manager settings to SUBMIT_ARGS, and ends with
# bratscv_run "$@".

BRATSCV_DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BRATSCV_REPO_ROOT="$(cd "$BRATSCV_DEPLOY_DIR/.." && pwd)"
readonly BRATSCV_MAIN_CLASS=org.bratscv.jobs.cli.BratsCv

# The spark-submit arguments, built up by bratscv_common_args and the wrapper.
SUBMIT_ARGS=()

bratscv_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

bratscv_warn() {
  echo "$(basename "$0"): warning: $*" >&2
}

# The environment variables every wrapper reads, with their defaults. Printed by each usage().
bratscv_common_usage() {
  cat <<'EOF'
Settings shared by all wrappers (environment variables; defaults in brackets):
  APP_NAME                  Spark application name [brats-cv]
  APP_JAR                   the brats-cv cluster jar (Spark/Hadoop provided)
                            [jobs/target/brats-cv-cluster.jar; Kubernetes: inside the image]
  DEPLOY_MODE               client or cluster [client; Kubernetes: cluster]
  NUM_EXECUTORS             executors, one GPU each (YARN, Kubernetes) [4]
  DRIVER_MEMORY             [8g]   the driver only plans; volumes never reach it
  EXECUTOR_MEMORY           [32g]  JVM heap: volumes, patches, TTA buffers of a 3D U-Net
  EXECUTOR_MEMORY_OVERHEAD  [16g]  off-heap: libtorch, CUDA context, pinned buffers
  EXECUTOR_CORES            [8]
  TASK_CPUS                 cores per task, default profile and training tasks [2]
  EXECUTOR_GPUS             spark.executor.resource.gpu.amount [1]
  TASK_GPU_AMOUNT           GPU share of a non-training task [0.25]; training tasks always take
                            1 GPU through their own task resource profile
  GPU_DISCOVERY_SCRIPT      spark.executor.resource.gpu.discoveryScript [per cluster manager]
  PYTORCH_LIBRARY_PATH      folder with libtorch.so on the executors; set but empty: the CPU
                            libtorch bundled in brats-cv-cluster.jar [/opt/libtorch/lib]
  PYTORCH_VERSION           must be 2.7.1: DJL 0.36's pytorch-jni 2.7.1-0.36.0 [2.7.1]
  PYTORCH_FLAVOR            cpu or cu128, the two Linux JNI builds in pytorch-jni 2.7.1-0.36.0
                            [cu128; cpu when PYTORCH_LIBRARY_PATH is empty]
  DJL_CACHE_DIR             writable folder on the executors [per cluster manager]
  DJL_NUM_THREADS           libtorch intra-op threads per engine [TASK_CPUS]
  ONEDNN_MAX_CPU_ISA        oneDNN kernel cap; AVX2 avoids wrong/NaN conv3d on AVX-512 CPUs [AVX2]
  MALLOC_PRELOAD            executors' LD_PRELOAD: tcmalloc, a third of the step time of glibc's
                            malloc for libtorch; empty: none [/usr/$LIB/libtcmalloc_minimal.so.4]
  MALLOC_TUNABLES           executors' GLIBC_TUNABLES, in force where tcmalloc is absent
                            [glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:...]
  LOG4J2_CONF               log4j2 config for the driver [conf/log4j2.properties]
  EXTRA_JAVA_OPTS           appended to driver and executor extraJavaOptions []
  EXTRA_CONF_FILE           extra "key value" lines (spark-defaults format) added as --conf []
  RAPIDS                    0, 1 (deploy/rapids.conf), or explain (CPU dry run of RAPIDS) [0]
  RAPIDS_JAR                path/URI of rapids-4-spark_2.13-26.08.1.jar; required with RAPIDS []
  RAPIDS_CONF               [deploy/rapids.conf]
  WITH_S3                   1: add hadoop-aws and the AWS SDK v2 bundle (s3a://) with --jars,
                            for a cluster whose Spark lacks them (the brats-cv image has them) [0]
  S3_JARS_DIR               folder holding hadoop-aws-<HADOOP_AWS_VERSION>.jar and
                            bundle-<AWS_SDK_VERSION>.jar: a local folder, or a URI the cluster
                            reads (hdfs:///..., local:///... inside an image); needed with WITH_S3=1 []
  HADOOP_AWS_VERSION        the cluster's Hadoop version (Spark 4.0.4 ships 3.4.1) [3.4.1]
  AWS_SDK_VERSION           the SDK v2 bundle that hadoop-aws release was built with [2.24.6]
  SPARK_SUBMIT              spark-submit to run [$SPARK_HOME/bin/spark-submit, else from PATH]
  DRY_RUN                   1: print the spark-submit command instead of running it [0]
EOF
}

# Sets every shared default the wrapper did not set.
bratscv_defaults() {
  : "${APP_NAME:=brats-cv}"
  : "${APP_JAR:=$BRATSCV_REPO_ROOT/jobs/target/brats-cv-cluster.jar}"
  : "${DEPLOY_MODE:=client}"
  : "${NUM_EXECUTORS:=4}"
  : "${DRIVER_MEMORY:=8g}"
  : "${EXECUTOR_MEMORY:=32g}"
  : "${EXECUTOR_MEMORY_OVERHEAD:=16g}"
  : "${EXECUTOR_CORES:=8}"
  : "${TASK_CPUS:=2}"
  : "${EXECUTOR_GPUS:=1}"
  : "${TASK_GPU_AMOUNT:=0.25}"
  : "${GPU_DISCOVERY_SCRIPT:=}"
  # unset: the node's libtorch; set but empty: the one bundled in the application jar
  : "${PYTORCH_LIBRARY_PATH=/opt/libtorch/lib}"
  : "${PYTORCH_VERSION:=2.7.1}"
  if [[ -n "$PYTORCH_LIBRARY_PATH" ]]; then
    : "${PYTORCH_FLAVOR:=cu128}"
  else
    : "${PYTORCH_FLAVOR:=cpu}"
  fi
  : "${DJL_CACHE_DIR:=/tmp/brats-cv-djl-cache}"
  : "${DJL_NUM_THREADS:=$TASK_CPUS}"
  : "${ONEDNN_MAX_CPU_ISA:=AVX2}"
  # The same values as org.bratscv.model.engine.EngineEnvironment (DeployScriptsTest compares).
  # $LIB is expanded by the dynamic loader on the executor (lib/x86_64-linux-gnu, lib64, ...).
  # shellcheck disable=SC2016
  : "${MALLOC_PRELOAD=/usr/\$LIB/libtcmalloc_minimal.so.4}"
  : "${MALLOC_TUNABLES:=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864}"
  : "${LOG4J2_CONF:=$BRATSCV_REPO_ROOT/conf/log4j2.properties}"
  : "${EXTRA_JAVA_OPTS:=}"
  : "${EXTRA_CONF_FILE:=}"
  : "${RAPIDS:=0}"
  : "${RAPIDS_JAR:=}"
  : "${RAPIDS_CONF:=$BRATSCV_DEPLOY_DIR/rapids.conf}"
  : "${WITH_S3:=0}"
  : "${S3_JARS_DIR:=}"
  : "${HADOOP_AWS_VERSION:=3.4.1}"
  : "${AWS_SDK_VERSION:=2.24.6}"
  : "${DRY_RUN:=0}"
  if [[ -z "${SPARK_SUBMIT:-}" ]]; then
    if [[ -n "${SPARK_HOME:-}" && -x "$SPARK_HOME/bin/spark-submit" ]]; then
      SPARK_SUBMIT="$SPARK_HOME/bin/spark-submit"
    else
      SPARK_SUBMIT=spark-submit
    fi
  fi
}

# Rejects settings that would fail late on the cluster (or, worse, hang).
bratscv_check() {
  local master="$1"
  # local[N] with any task GPU amount never schedules the task set: it hangs silently.
  if [[ "$master" == local* ]]; then
    bratscv_die "master '$master': never set GPU amounts in local mode (tasks hang forever);" \
      "run 'java -jar jobs/target/brats-cv.jar ...' on one machine instead"
  fi
  [[ "$DEPLOY_MODE" == client || "$DEPLOY_MODE" == cluster ]] ||
    bratscv_die "DEPLOY_MODE must be client or cluster, got '$DEPLOY_MODE'"
  local name
  for name in NUM_EXECUTORS EXECUTOR_CORES TASK_CPUS EXECUTOR_GPUS DJL_NUM_THREADS; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || bratscv_die "$name must be a positive integer, got '${!name}'"
  done
  ((TASK_CPUS <= EXECUTOR_CORES)) ||
    bratscv_die "TASK_CPUS ($TASK_CPUS) exceeds EXECUTOR_CORES ($EXECUTOR_CORES): no task could start"
  if ! [[ "$TASK_GPU_AMOUNT" =~ ^(0?\.[0-9]+|1(\.0*)?)$ ]] ||
    ! awk -v a="$TASK_GPU_AMOUNT" 'BEGIN { exit !(a > 0) }'; then
    bratscv_die "TASK_GPU_AMOUNT must be in (0, 1], got '$TASK_GPU_AMOUNT'"
  fi
  [[ "$PYTORCH_VERSION" == 2.7.1 ]] ||
    bratscv_warn "PYTORCH_VERSION=$PYTORCH_VERSION: DJL 0.36 (pytorch-jni 2.7.1-0.36.0) loads only libtorch 2.7.1"
  if [[ -z "$PYTORCH_LIBRARY_PATH" ]]; then
    # only brats-cv-cluster.jar carries a libtorch, and it is the CPU build
    [[ "$PYTORCH_FLAVOR" == cpu ]] ||
      bratscv_die "PYTORCH_LIBRARY_PATH is empty (the libtorch bundled in the jar, a CPU build)" \
        "but PYTORCH_FLAVOR=$PYTORCH_FLAVOR; use PYTORCH_FLAVOR=cpu or name a CUDA libtorch folder"
    [[ "$(basename "$APP_JAR")" != brats-cv-cluster-gpu.jar ]] ||
      bratscv_die "PYTORCH_LIBRARY_PATH is empty but $APP_JAR bundles no libtorch;" \
        "name the folder of libtorch 2.7.1 on the executors"
  fi
  [[ "$PYTORCH_FLAVOR" == cu128 || "$PYTORCH_FLAVOR" == cpu ]] ||
    bratscv_warn "PYTORCH_FLAVOR=$PYTORCH_FLAVOR: pytorch-jni 2.7.1-0.36.0 carries Linux JNI libraries only for cpu and cu128"
  # Two limits decide how many default-profile tasks run per executor; when they differ, Spark
  # leaves the surplus idle (and says so in a warning).
  local by_cpu by_gpu
  by_cpu=$((EXECUTOR_CORES / TASK_CPUS))
  by_gpu=$(awk -v g="$EXECUTOR_GPUS" -v a="$TASK_GPU_AMOUNT" 'BEGIN { printf "%d", g / a + 1e-9 }')
  ((by_cpu == by_gpu)) ||
    bratscv_warn "EXECUTOR_CORES/TASK_CPUS allows $by_cpu tasks per executor but EXECUTOR_GPUS/TASK_GPU_AMOUNT" \
      "allows $by_gpu; the smaller number runs"
  case "$RAPIDS" in
    0) ;;
    1 | explain)
      [[ -n "$RAPIDS_JAR" ]] ||
        bratscv_die "RAPIDS=$RAPIDS needs RAPIDS_JAR (rapids-4-spark_2.13-26.08.1.jar); it is never downloaded here"
      [[ -f "$RAPIDS_CONF" ]] || bratscv_die "RAPIDS_CONF $RAPIDS_CONF not found"
      ;;
    *) bratscv_die "RAPIDS must be 0, 1 or explain, got '$RAPIDS'" ;;
  esac
  case "$WITH_S3" in
    0) ;;
    1)
      [[ -n "$S3_JARS_DIR" ]] ||
        bratscv_die "WITH_S3=1 needs S3_JARS_DIR (the folder with hadoop-aws-$HADOOP_AWS_VERSION.jar" \
          "and bundle-$AWS_SDK_VERSION.jar); they are never downloaded here"
      # local files must exist (a dry run only warns); a URI is for the cluster to resolve
      local jar
      while IFS= read -r jar; do
        [[ "$jar" =~ ^[A-Za-z][A-Za-z0-9+.-]+: ]] ||
          bratscv_require_file "S3 connector jar (WITH_S3=1)" "$jar"
      done < <(bratscv_s3_jars)
      ;;
    *) bratscv_die "WITH_S3 must be 0 or 1, got '$WITH_S3'" ;;
  esac
  if [[ -n "$EXTRA_CONF_FILE" && ! -f "$EXTRA_CONF_FILE" ]]; then
    bratscv_die "EXTRA_CONF_FILE $EXTRA_CONF_FILE not found"
  fi
}

# Fails (or, for a dry run, warns) when a local file the submit needs is missing.
bratscv_require_file() {
  local what="$1" path="$2"
  if [[ ! -f "$path" ]]; then
    if [[ "$DRY_RUN" == 1 ]]; then
      bratscv_warn "$what $path not found (DRY_RUN: printing anyway)"
    else
      bratscv_die "$what $path not found"
    fi
  fi
}

# Appends one --conf per "key value" (or "key=value") line of a spark-defaults style file;
# blank lines and # comments are skipped.
bratscv_conf_file_args() {
  local file="$1" line key value
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* ]] && continue
    key="${line%%[[:space:]=]*}"
    value="${line:${#key}}"
    value="${value#"${value%%[![:space:]]*}"}"
    value="${value#=}"
    value="${value#"${value%%[![:space:]]*}"}"
    value="${value%"${value##*[![:space:]]}"}"
    [[ -n "$value" ]] || bratscv_die "$file: no value for '$key'"
    SUBMIT_ARGS+=(--conf "$key=$value")
  done <"$file"
}

# The environment every executor (and a driver in the cluster) needs for DJL's PyTorch engine,
# as NAME=value words (no PYTORCH_LIBRARY_PATH when it is empty: DJL then loads the libtorch of
# the native jar inside the application jar).
bratscv_djl_env() {
  if [[ -n "$PYTORCH_LIBRARY_PATH" ]]; then
    printf '%s\n' "PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH"
  fi
  printf '%s\n' \
    "PYTORCH_VERSION=$PYTORCH_VERSION" \
    "PYTORCH_FLAVOR=$PYTORCH_FLAVOR" \
    "DJL_CACHE_DIR=$DJL_CACHE_DIR" \
    "DJL_OFFLINE=true" \
    "ONEDNN_MAX_CPU_ISA=$ONEDNN_MAX_CPU_ISA" \
    "GLIBC_TUNABLES=$MALLOC_TUNABLES" \
    "CUDA_DEVICE_ORDER=PCI_BUS_ID"
  if [[ -n "$MALLOC_PRELOAD" ]]; then
    printf '%s\n' "LD_PRELOAD=$MALLOC_PRELOAD"
  fi
}

# Appends --conf PREFIX<NAME>=<value> for each DJL environment variable, e.g. with prefix
# spark.executorEnv. or spark.yarn.appMasterEnv.
bratscv_env_args() {
  local prefix="$1" pair
  while IFS= read -r pair; do
    SUBMIT_ARGS+=(--conf "$prefix$pair")
  done < <(bratscv_djl_env)
}

# JVM options of executors: DJL offline (no metadata probe, no libtorch download) and its threads.
bratscv_executor_java_opts() {
  local opts="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$DJL_NUM_THREADS"
  opts+=" -Dai.djl.pytorch.num_interop_threads=1"
  [[ -n "${1:-}" ]] && opts+=" -Dlog4j2.configurationFile=$1"
  [[ -n "$EXTRA_JAVA_OPTS" ]] && opts+=" $EXTRA_JAVA_OPTS"
  printf '%s' "$opts"
}

bratscv_driver_java_opts() {
  local opts="-Dai.djl.offline=true"
  [[ -n "${1:-}" ]] && opts+=" -Dlog4j2.configurationFile=$1"
  [[ -n "$EXTRA_JAVA_OPTS" ]] && opts+=" $EXTRA_JAVA_OPTS"
  printf '%s' "$opts"
}

# The settings every cluster manager shares. The wrapper adds master, deploy mode, files, env
# for its driver, and Java options (they depend on where the log4j2 file lives).
bratscv_common_args() {
  SUBMIT_ARGS+=(
    --class "$BRATSCV_MAIN_CLASS"
    --name "$APP_NAME"
    --deploy-mode "$DEPLOY_MODE"
    --driver-memory "$DRIVER_MEMORY"
    --conf "spark.executor.memory=$EXECUTOR_MEMORY"
    --conf "spark.executor.memoryOverhead=$EXECUTOR_MEMORY_OVERHEAD"
    --conf "spark.executor.cores=$EXECUTOR_CORES"
    --conf "spark.task.cpus=$TASK_CPUS"
    # Task resource profiles (1 GPU per training task) reuse the executors started at submit;
    # executors coming and going would strand half-trained folds.
    --conf spark.dynamicAllocation.enabled=false
    # A speculative copy of a training task would hold a second GPU for hours.
    --conf spark.speculation=false
    --conf "spark.executor.resource.gpu.amount=$EXECUTOR_GPUS"
    --conf "spark.task.resource.gpu.amount=$TASK_GPU_AMOUNT"
  )
  if [[ -n "$GPU_DISCOVERY_SCRIPT" ]]; then
    SUBMIT_ARGS+=(--conf "spark.executor.resource.gpu.discoveryScript=$GPU_DISCOVERY_SCRIPT")
  fi
  bratscv_env_args spark.executorEnv.
  # one --jars (spark-submit keeps only the last): the S3 connector, then RAPIDS
  local jars=()
  if [[ "$WITH_S3" == 1 ]]; then
    mapfile -t jars < <(bratscv_s3_jars)
  fi
  if [[ "$RAPIDS" != 0 ]]; then
    jars+=("$RAPIDS_JAR")
  fi
  if ((${#jars[@]})); then
    SUBMIT_ARGS+=(--jars "$(
      IFS=,
      printf '%s' "${jars[*]}"
    )")
  fi
  if [[ "$RAPIDS" != 0 ]]; then
    bratscv_conf_file_args "$RAPIDS_CONF"
    if [[ "$RAPIDS" == explain ]]; then
      SUBMIT_ARGS+=(--conf spark.rapids.sql.mode=explainOnly)
    fi
  fi
  if [[ -n "$EXTRA_CONF_FILE" ]]; then
    bratscv_conf_file_args "$EXTRA_CONF_FILE"
  fi
}

# The jars of the S3A connector for WITH_S3=1, one per line: hadoop-aws at the cluster's Hadoop
# version and the AWS SDK v2 bundle it was built with (the cluster jar never carries them).
bratscv_s3_jars() {
  local dir="${S3_JARS_DIR%/}"
  printf '%s\n' "$dir/hadoop-aws-$HADOOP_AWS_VERSION.jar" "$dir/bundle-$AWS_SDK_VERSION.jar"
}

# The brats-cv arguments with a local --config file renamed for a driver in the cluster, and the
# files to ship for it. bratscv_ship_config ARGS... sets BRATSCV_ARGS (the arguments, --config
# FILE replaced by its file name) and SHIP_FILES ("path#name" entries for --files: the
# configuration and, next to it, the files its include:/base: lines name, recursively). A driver
# started in the cluster finds them in its working directory: YARN localizes --files there, and
# Spark on Kubernetes uploads them to spark.kubernetes.file.upload.path and downloads them there.
# A --config that is a URI (hdfs:, s3a:, file:) or no local file is left as it is; an include the
# driver does not find next to the configuration is read from the files bundled in the jar.
BRATSCV_ARGS=()
SHIP_FILES=()
bratscv_ship_config() {
  BRATSCV_ARGS=()
  SHIP_FILES=()
  local next_is_config=0 arg
  # bratscv_ship_one runs in a subshell (it prints the new name): it lists what to ship here
  BRATSCV_SHIP_LIST="$(mktemp)"
  for arg in "$@"; do
    if ((next_is_config)); then
      BRATSCV_ARGS+=("$(bratscv_ship_one "$arg")")
      next_is_config=0
    elif [[ "$arg" == --config ]]; then
      BRATSCV_ARGS+=("$arg")
      next_is_config=1
    elif [[ "$arg" == --config=* ]]; then
      BRATSCV_ARGS+=("--config=$(bratscv_ship_one "${arg#--config=}")")
    else
      BRATSCV_ARGS+=("$arg")
    fi
  done
  mapfile -t SHIP_FILES <"$BRATSCV_SHIP_LIST"
  rm -f "$BRATSCV_SHIP_LIST"
}

# Prints the name the driver will see for configuration FILE; when it is a local file, appends it
# (and what it includes) to $BRATSCV_SHIP_LIST. Called by bratscv_ship_config only.
bratscv_ship_one() {
  local file="$1"
  if [[ "$file" =~ ^[A-Za-z][A-Za-z0-9+.-]+: || ! -f "$file" ]]; then
    printf '%s' "$file"
    return
  fi
  local queue=("$file") shipped=() f name dir line ref seen
  while ((${#queue[@]})); do
    f="${queue[0]}"
    queue=("${queue[@]:1}")
    name="$(basename "$f")"
    seen=0
    for ref in "${shipped[@]+"${shipped[@]}"}"; do
      [[ "$ref" == "$name" ]] && seen=1
    done
    ((seen)) && continue
    shipped+=("$name")
    printf '%s#%s\n' "$(cd "$(dirname "$f")" && pwd)/$name" "$name" >>"$BRATSCV_SHIP_LIST"
    dir="$(dirname "$f")"
    while IFS= read -r line; do
      ref="${line#*:}"
      ref="${ref%%#*}"
      ref="$(tr -d "\"' \t\r" <<<"$ref")"
      # only plain names next to the file can be shipped flat; others come from the jar
      if [[ "$ref" != */* && -f "$dir/$ref" ]]; then
        queue+=("$dir/$ref")
      fi
    done < <(grep -E '^[[:space:]]*(include|base):' "$f" || true)
  done
  printf '%s' "$(basename "$file")"
}

# Runs spark-submit with SUBMIT_ARGS, the application jar and the brats-cv arguments; with
# DRY_RUN=1 prints the command instead (quoted for a shell): one spark-submit option per line,
# then the jar and the brats-cv arguments.
bratscv_run() {
  if [[ "$DRY_RUN" == 1 ]]; then
    local arg
    printf '%q' "$SPARK_SUBMIT"
    for arg in "${SUBMIT_ARGS[@]}"; do
      if [[ "$arg" == --* ]]; then
        printf ' \\\n  %q' "$arg"
      else
        printf ' %q' "$arg"
      fi
    done
    printf ' \\\n  %q' "$APP_JAR"
    for arg in "$@"; do
      printf ' %q' "$arg"
    done
    printf '\n'
    return 0
  fi
  exec "$SPARK_SUBMIT" "${SUBMIT_ARGS[@]}" "$APP_JAR" "$@"
}

# The usual start of a wrapper's main: help, defaults, checks.
bratscv_parse_help() {
  if [[ $# -eq 0 ]]; then
    usage >&2
    exit 2
  fi
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
  esac
}
