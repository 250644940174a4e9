#!/usr/bin/env bash
# Checks the deploy/submit-*.sh wrappers without a cluster: a fake spark-submit on PATH records
# the arguments it gets, one per line, and the test asserts on them. Also checks that the DRY_RUN
# print-out, run through a shell, gives exactly the arguments of a real run.
# Usage: deploy/tests/test-wrappers.sh   (needs bash and awk only; exits non-zero on a failure)
set -euo pipefail

deploy="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/bin"
cat >"$work/bin/spark-submit" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$FAKE_SUBMIT_ARGS"
EOF
chmod +x "$work/bin/spark-submit"
touch "$work/brats-cv-cluster.jar" "$work/rapids-4-spark_2.13-26.08.1.jar"

export PATH="$work/bin:$PATH" FAKE_SUBMIT_ARGS="$work/args"
unset SPARK_HOME SPARK_SUBMIT DRY_RUN RAPIDS RAPIDS_JAR DEPLOY_MODE WITH_S3 S3_JARS_DIR 2>/dev/null || true
export APP_JAR="$work/brats-cv-cluster.jar"

# From an empty folder: conf/brats2020-cv.yaml in the arguments below is no local file (not shipped).
cd "$work"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
# has_line FILE LINE: the recorded arguments contain LINE exactly.
has_line() { grep -qxF -- "$2" "$1" || fail "$3: missing argument '$2'"; }
lacks_line() { ! grep -qxF -- "$2" "$1" || fail "$3: unexpected argument '$2'"; }

# Runs a wrapper for real (fake spark-submit), then in DRY_RUN mode, and checks both agree.
# Leaves the recorded arguments in $work/args.
run_both() {
  local name="$1"
  shift
  rm -f "$work/args"
  "$@" cv --config conf/brats2020-cv.yaml --set 'name=two words' ||
    fail "$name: exited $?"
  [[ -f "$work/args" ]] || {
    fail "$name: spark-submit not called"
    return
  }
  cp "$work/args" "$work/args.real"
  rm -f "$work/args"
  local printed
  printed="$(DRY_RUN=1 "$@" cv --config conf/brats2020-cv.yaml --set 'name=two words')"
  [[ ! -f "$work/args" ]] || fail "$name: DRY_RUN=1 ran spark-submit"
  [[ "$printed" == spark-submit* ]] || fail "$name: DRY_RUN output does not start with spark-submit"
  eval "$printed"
  cmp -s "$work/args.real" "$work/args" || fail "$name: DRY_RUN command differs from the real one"
  # brats-cv arguments come last and unchanged, after the jar.
  tail -n 6 "$work/args" | diff -q - <(printf '%s\n' "$APP_JAR" cv --config conf/brats2020-cv.yaml --set 'name=two words') >/dev/null ||
    fail "$name: application jar and brats-cv arguments not passed through at the end"
}

common_checks() {
  local name="$1" f="$work/args"
  has_line "$f" org.bratscv.jobs.cli.BratsCv "$name"
  has_line "$f" spark.executor.resource.gpu.amount=1 "$name"
  has_line "$f" spark.task.resource.gpu.amount=0.25 "$name"
  has_line "$f" spark.task.cpus=2 "$name"
  has_line "$f" spark.dynamicAllocation.enabled=false "$name"
  has_line "$f" spark.executor.memory=32g "$name"
  has_line "$f" spark.executor.memoryOverhead=16g "$name"
  has_line "$f" spark.executorEnv.PYTORCH_LIBRARY_PATH=/opt/libtorch/lib "$name"
  has_line "$f" spark.executorEnv.PYTORCH_VERSION=2.7.1 "$name"
  has_line "$f" spark.executorEnv.PYTORCH_FLAVOR=cu128 "$name"
  has_line "$f" spark.executorEnv.ONEDNN_MAX_CPU_ISA=AVX2 "$name"
  has_line "$f" 'spark.executorEnv.LD_PRELOAD=/usr/$LIB/libtcmalloc_minimal.so.4' "$name"
  has_line "$f" spark.executorEnv.DJL_OFFLINE=true "$name"
  grep -q -- '^spark.executor.extraJavaOptions=-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 ' "$f" ||
    fail "$name: executor extraJavaOptions"
  grep -q -- '^spark.driver.extraJavaOptions=-Dai.djl.offline=true' "$f" || fail "$name: driver extraJavaOptions"
  lacks_line "$f" spark.plugins=com.nvidia.spark.SQLPlugin "$name"
}

# --- standalone
export SPARK_MASTER_URL=spark://head:7077
run_both standalone "$deploy/submit-standalone.sh"
common_checks standalone
has_line "$work/args" spark://head:7077 standalone
has_line "$work/args" spark.executorEnv.DJL_CACHE_DIR=/tmp/brats-cv-djl-cache standalone
grep -q 'discoveryScript' "$work/args" && fail "standalone: executors got a discovery script (workers assign GPUs)"
lacks_line "$work/args" --jars standalone

# --- YARN
run_both yarn "$deploy/submit-yarn.sh"
common_checks yarn
has_line "$work/args" yarn yarn
has_line "$work/args" spark.executor.resource.gpu.discoveryScript=./getGpusResources.sh yarn
has_line "$work/args" spark.yarn.appMasterEnv.PYTORCH_FLAVOR=cu128 yarn
has_line "$work/args" spark.executorEnv.DJL_CACHE_DIR=./djl-cache yarn
grep -qx -- "$deploy/getGpusResources.sh#getGpusResources.sh.*" "$work/args" || fail "yarn: --files lacks the discovery script"

# --- Kubernetes
export K8S_MASTER=k8s://https://api.example.org:6443 K8S_IMAGE=registry.example.org/brats-cv:0.1.0
APP_JAR_SAVED="$APP_JAR"
unset APP_JAR
APP_JAR=local:///opt/brats-cv/brats-cv-cluster.jar run_both k8s "$deploy/submit-k8s.sh"
export APP_JAR="$APP_JAR_SAVED"
common_checks k8s
has_line "$work/args" spark.kubernetes.container.image=registry.example.org/brats-cv:0.1.0 k8s
has_line "$work/args" spark.executor.resource.gpu.vendor=nvidia.com k8s
has_line "$work/args" spark.executor.resource.gpu.discoveryScript=/opt/brats-cv/getGpusResources.sh k8s
has_line "$work/args" "spark.kubernetes.executor.podTemplateFile=$deploy/k8s/pod-template-executor.yaml" k8s
has_line "$work/args" "spark.kubernetes.driver.podTemplateFile=$deploy/k8s/pod-template-driver.yaml" k8s
has_line "$work/args" spark.kubernetes.driverEnv.PYTORCH_LIBRARY_PATH=/opt/libtorch/lib k8s
has_line "$work/args" spark.executorEnv.DJL_CACHE_DIR=/opt/djl-cache k8s
has_line "$work/args" cluster k8s
has_line "$work/args" local:///opt/brats-cv/brats-cv-cluster.jar k8s

# --- RAPIDS: settings from deploy/rapids.conf plus the user's jar; explain adds explainOnly
RAPIDS=1 RAPIDS_JAR="$work/rapids-4-spark_2.13-26.08.1.jar" run_both rapids "$deploy/submit-yarn.sh"
has_line "$work/args" --jars rapids
has_line "$work/args" "$work/rapids-4-spark_2.13-26.08.1.jar" rapids
has_line "$work/args" spark.plugins=com.nvidia.spark.SQLPlugin rapids
has_line "$work/args" spark.rapids.memory.gpu.allocFraction=0.1 rapids
has_line "$work/args" spark.rapids.sql.explain=NOT_ON_GPU rapids
lacks_line "$work/args" spark.rapids.sql.mode=explainOnly rapids
RAPIDS=explain RAPIDS_JAR="$work/rapids-4-spark_2.13-26.08.1.jar" run_both rapids-explain "$deploy/submit-yarn.sh"
has_line "$work/args" spark.rapids.sql.mode=explainOnly rapids-explain

# --- S3 (WITH_S3=1): hadoop-aws and the AWS SDK v2 bundle from S3_JARS_DIR, in the one --jars
# (with RAPIDS' jar after them); local jars must exist, URIs pass as they are
mkdir -p "$work/s3-jars"
touch "$work/s3-jars/hadoop-aws-3.4.1.jar" "$work/s3-jars/bundle-2.24.6.jar"
WITH_S3=1 S3_JARS_DIR="$work/s3-jars/" run_both s3 "$deploy/submit-standalone.sh"
has_line "$work/args" --jars s3
has_line "$work/args" "$work/s3-jars/hadoop-aws-3.4.1.jar,$work/s3-jars/bundle-2.24.6.jar" s3
WITH_S3=1 S3_JARS_DIR=hdfs:///apps/s3-jars RAPIDS=1 RAPIDS_JAR="$work/rapids-4-spark_2.13-26.08.1.jar" \
  run_both s3-rapids "$deploy/submit-yarn.sh"
has_line "$work/args" "hdfs:///apps/s3-jars/hadoop-aws-3.4.1.jar,hdfs:///apps/s3-jars/bundle-2.24.6.jar,$work/rapids-4-spark_2.13-26.08.1.jar" s3-rapids
[[ "$(grep -cxF -- --jars "$work/args")" == 1 ]] || fail "s3-rapids: more than one --jars (spark-submit keeps the last)"
has_line "$work/args" spark.plugins=com.nvidia.spark.SQLPlugin s3-rapids
WITH_S3=1 S3_JARS_DIR=local:///opt/s3-jars HADOOP_AWS_VERSION=3.4.2 AWS_SDK_VERSION=2.29.52 \
  APP_JAR=local:///opt/brats-cv/brats-cv-cluster.jar run_both s3-k8s "$deploy/submit-k8s.sh"
has_line "$work/args" "local:///opt/s3-jars/hadoop-aws-3.4.2.jar,local:///opt/s3-jars/bundle-2.29.52.jar" s3-k8s

# --- Overrides reach the command
TASK_GPU_AMOUNT=0.5 TASK_CPUS=4 EXECUTOR_MEMORY=48g PYTORCH_LIBRARY_PATH=/usr/local/libtorch/lib \
  run_both overrides "$deploy/submit-standalone.sh"
has_line "$work/args" spark.task.resource.gpu.amount=0.5 overrides
has_line "$work/args" spark.task.cpus=4 overrides
has_line "$work/args" spark.executor.memory=48g overrides
has_line "$work/args" spark.executorEnv.PYTORCH_LIBRARY_PATH=/usr/local/libtorch/lib overrides
grep -q -- '-Dai.djl.pytorch.num_threads=4 ' "$work/args" || fail "overrides: DJL threads follow TASK_CPUS"

# --- PYTORCH_LIBRARY_PATH set but empty: executors load the CPU libtorch bundled in
# brats-cv-cluster.jar (no PYTORCH_LIBRARY_PATH for them, flavor cpu); StandaloneClusterIT runs so
PYTORCH_LIBRARY_PATH= run_both bundled "$deploy/submit-standalone.sh"
grep -q "PYTORCH_LIBRARY_PATH" "$work/args" && fail "bundled: executors got a PYTORCH_LIBRARY_PATH"
has_line "$work/args" spark.executorEnv.PYTORCH_FLAVOR=cpu bundled
has_line "$work/args" spark.executorEnv.PYTORCH_VERSION=2.7.1 bundled

# --- A local --config reaches a driver in the cluster: YARN ships it (and the files its include:
# and base: lines name next to it) with --files and passes its file name; client mode passes it
# unchanged; Kubernetes uploads it through K8S_UPLOAD_PATH and refuses without one.
mkdir -p "$work/confs"
printf 'base: my-base.yaml\nname: s\n' >"$work/confs/my-sweep.yaml"
printf 'include: my-pipelines.yaml\nseed: 3\n# include: not-this.yaml\n' >"$work/confs/my-base.yaml"
printf 'pipelines: {}\n' >"$work/confs/my-pipelines.yaml"
rm -f "$work/args"
DEPLOY_MODE=cluster "$deploy/submit-yarn.sh" sweep --config "$work/confs/my-sweep.yaml" --set a=1 ||
  fail "yarn ship: exit $?"
grep -qx -- "$deploy/getGpusResources.sh#getGpusResources.sh,.*,$work/confs/my-sweep.yaml#my-sweep.yaml,$work/confs/my-base.yaml#my-base.yaml,$work/confs/my-pipelines.yaml#my-pipelines.yaml" "$work/args" ||
  fail "yarn ship: --files lacks the configuration and its includes: $(grep -- '#' "$work/args")"
tail -n 5 "$work/args" | diff -q - <(printf '%s\n' sweep --config my-sweep.yaml --set a=1) >/dev/null ||
  fail "yarn ship: --config is not renamed to the shipped file's name"
rm -f "$work/args"
"$deploy/submit-yarn.sh" cv --config="$work/confs/my-base.yaml" || fail "yarn client: exit $?"
has_line "$work/args" "--config=$work/confs/my-base.yaml" yarn-client
grep -q "my-base.yaml#" "$work/args" && fail "yarn client: shipped the configuration"
rm -f "$work/args"
K8S_UPLOAD_PATH=s3a://bucket/up APP_JAR=local:///opt/brats-cv/brats-cv-cluster.jar \
  "$deploy/submit-k8s.sh" cv --config "$work/confs/my-base.yaml" || fail "k8s ship: exit $?"
has_line "$work/args" spark.kubernetes.file.upload.path=s3a://bucket/up k8s-ship
has_line "$work/args" "$work/confs/my-base.yaml,$work/confs/my-pipelines.yaml" k8s-ship
has_line "$work/args" my-base.yaml k8s-ship
rm -f "$work/args"
APP_JAR=local:///opt/brats-cv/brats-cv-cluster.jar "$deploy/submit-k8s.sh" cv \
  --config /opt/brats-cv/conf/brats2020-cv.yaml || fail "k8s image config: exit $?"
has_line "$work/args" /opt/brats-cv/conf/brats2020-cv.yaml k8s-image-config
grep -q "file.upload.path" "$work/args" && fail "k8s image config: uploads"

# --- Refusals: exit 2 with a reason, and spark-submit never runs
refuses() {
  local name="$1" pattern="$2"
  shift 2
  rm -f "$work/args"
  local rc=0
  "$@" >"$work/out" 2>&1 || rc=$?
  [[ $rc -eq 2 ]] || fail "$name: exit $rc, expected 2"
  grep -q -- "$pattern" "$work/out" || fail "$name: message lacks '$pattern': $(cat "$work/out")"
  [[ ! -f "$work/args" ]] || fail "$name: spark-submit ran"
}
refuses local-master "never set GPU amounts in local mode" env SPARK_MASTER_URL='local[4]' "$deploy/submit-standalone.sh" cv
refuses rapids-without-jar "needs RAPIDS_JAR" env RAPIDS=1 "$deploy/submit-yarn.sh" cv
refuses bad-share "TASK_GPU_AMOUNT must be in (0, 1]" env TASK_GPU_AMOUNT=2 "$deploy/submit-yarn.sh" cv
refuses too-many-task-cpus "exceeds EXECUTOR_CORES" env TASK_CPUS=16 "$deploy/submit-yarn.sh" cv
refuses no-image "set K8S_IMAGE" env K8S_IMAGE= "$deploy/submit-k8s.sh" cv
refuses k8s-local-config-without-upload-path "set K8S_UPLOAD_PATH" \
  "$deploy/submit-k8s.sh" cv --config "$work/confs/my-base.yaml"
refuses missing-jar "application jar" env APP_JAR="$work/nope.jar" "$deploy/submit-yarn.sh" cv
refuses bundled-cuda-flavor "use PYTORCH_FLAVOR=cpu" env PYTORCH_LIBRARY_PATH= PYTORCH_FLAVOR=cu128 \
  "$deploy/submit-standalone.sh" cv
touch "$work/brats-cv-cluster-gpu.jar"
refuses bundled-without-libtorch "bundles no libtorch" env PYTORCH_LIBRARY_PATH= \
  APP_JAR="$work/brats-cv-cluster-gpu.jar" "$deploy/submit-yarn.sh" cv
refuses no-arguments "Usage:" "$deploy/submit-yarn.sh"
refuses s3-without-jars-dir "needs S3_JARS_DIR" env WITH_S3=1 "$deploy/submit-yarn.sh" cv
refuses s3-missing-jar "S3 connector jar (WITH_S3=1) $work/nope/hadoop-aws-3.4.1.jar not found" \
  env WITH_S3=1 S3_JARS_DIR="$work/nope" "$deploy/submit-standalone.sh" cv
refuses bad-with-s3 "WITH_S3 must be 0 or 1" env WITH_S3=yes "$deploy/submit-yarn.sh" cv
"$deploy/submit-k8s.sh" --help | grep -q "K8S_MASTER" || fail "--help: no usage"

# A missing jar only warns in a dry run (the command is still printed).
DRY_RUN=1 APP_JAR="$work/nope.jar" "$deploy/submit-standalone.sh" cv >"$work/out" 2>"$work/err" ||
  fail "dry run with missing jar: exit $?"
grep -q "not found (DRY_RUN" "$work/err" || fail "dry run with missing jar: no warning"

# The nightly wrapper passes the sweep file, the run id and --resume-unfinished, keeps a log per
# night, returns brats-cv's exit code (3: finished with failures, 4: the output is locked) so a
# scheduler can alert on it, and writes to stderr only on a non-zero exit (cron mails only then).
cat >"$work/bin/fake-submit" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$FAKE_SUBMIT_ARGS"
echo "sweep output line"
echo "${FAKE_SUBMIT_STDERR:-spark log line}" >&2
exit "${FAKE_SUBMIT_EXIT:-0}"
EOF
chmod +x "$work/bin/fake-submit"
# nightly RUN_ID EXIT [VAR=value...]: runs the wrapper with a fake submit that exits EXIT; leaves
# its exit code in $code, its stdout in $work/nightly.out and its stderr in $work/nightly.err.
nightly() {
  local run_id="$1" exit_with="$2"
  shift 2
  rm -f "$work/args"
  code=0
  env SUBMIT="$work/bin/fake-submit" LOG_DIR="$work/nightly-logs" RUN_ID="$run_id" \
    FAKE_SUBMIT_EXIT="$exit_with" "$@" \
    "$deploy/nightly/nightly-sweep.sh" "$work/ablation.yaml" --set pipelines.A.epochs=2 \
    >"$work/nightly.out" 2>"$work/nightly.err" || code=$?
  [[ $code == "$exit_with" ]] || fail "nightly $run_id: exit code $code, expected $exit_with"
  [[ ! -s "$work/nightly.out" ]] || fail "nightly $run_id: wrote to stdout: $(cat "$work/nightly.out")"
}

nightly 2026-11-27 0
[[ ! -s "$work/nightly.err" ]] || fail "nightly ok: wrote to stderr (cron would mail): $(cat "$work/nightly.err")"
has_line "$work/args" "sweep" nightly
has_line "$work/args" "$work/ablation.yaml" nightly
has_line "$work/args" "--run-id" nightly
has_line "$work/args" "2026-11-27" nightly
has_line "$work/args" "--resume-unfinished" nightly
has_line "$work/args" "pipelines.A.epochs=2" nightly
grep -q "sweep output line" "$work/nightly-logs/sweep-2026-11-27.log" || fail "nightly: log lacks the output"
grep -q "spark log line" "$work/nightly-logs/sweep-2026-11-27.log" || fail "nightly: log lacks stderr"
grep -q "exit code 0" "$work/nightly-logs/sweep-2026-11-27.log" || fail "nightly: log lacks the exit code"

nightly 2026-11-28 3
grep -qxF "brats-cv nightly sweep 2026-11-28 finished with failures (exit code 3); log: $work/nightly-logs/sweep-2026-11-28.log" "$work/nightly.err" ||
  fail "nightly with failures: stderr lacks the summary line: $(cat "$work/nightly.err")"
grep -q "sweep output line" "$work/nightly.err" || fail "nightly with failures: stderr lacks the log's tail"
grep -q "exit code 3" "$work/nightly-logs/sweep-2026-11-28.log" || fail "nightly with failures: log lacks the exit code"

nightly 2026-11-29 4 FAKE_SUBMIT_STDERR="brats-cv sweep: output /runs is locked by brats-cv sweep (host h, pid 7)"
grep -q "2026-11-29 did not run: another sweep holds the output's lock (exit code 4)" "$work/nightly.err" ||
  fail "nightly locked: stderr lacks the lock summary: $(cat "$work/nightly.err")"
grep -q "is locked by brats-cv sweep (host h, pid 7)" "$work/nightly.err" || fail "nightly locked: stderr does not name the holder"

nightly 2026-11-30 1
grep -q "2026-11-30 failed (exit code 1)" "$work/nightly.err" || fail "nightly failed: stderr lacks the summary: $(cat "$work/nightly.err")"

nightly 2026-12-01 0 RESUME=0
lacks_line "$work/args" "--resume-unfinished" "nightly RESUME=0"
[[ ! -s "$work/nightly.err" ]] || fail "nightly RESUME=0: wrote to stderr"

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "deploy wrappers: all checks passed"
