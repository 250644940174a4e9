#!/usr/bin/env bash
# Runs one night's ablation sweep and keeps its log beside the other nights'. Meant for cron or
# any scheduler. The exit code is brats-cv's: 0 every variant ok, 3 finished with failures, 4 not
# run because another sweep (an earlier night still running) holds the output's lock, anything
# else the sweep failed. Nothing is written to stderr unless the exit code is non-zero, so cron's
# MAILTO mails only then (a summary line and the log's last lines); the log keeps everything.
#
#   deploy/nightly/nightly-sweep.sh [sweep file] [extra brats-cv options...]
#
# Settings (environment):
#   SUBMIT      which wrapper submits the job        [deploy/submit-yarn.sh]
#   LOG_DIR     where each night's log goes           [$HOME/brats-cv-nightly-logs]
#   RUN_ID      run folder name                       [today's UTC date, yyyy-mm-dd]
#   RESUME      1: first resume the run started last  [1]
#               if it did not finish (sweep --resume-unfinished); 0: only tonight's run
# A rerun the same day (same RUN_ID) skips the variants that finished and resumes the others.
# Run it in client deploy mode (the submit wrappers' default outside Kubernetes): in cluster mode
# spark-submit reports only success or failure, not brats-cv's code.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy="$(dirname "$here")"
sweep_file="${1:-$(dirname "$deploy")/conf/ablation-nightly.yaml}"
shift || true
: "${SUBMIT:=$deploy/submit-yarn.sh}"
: "${LOG_DIR:=$HOME/brats-cv-nightly-logs}"
: "${RUN_ID:=$(date -u +%F)}"
: "${RESUME:=1}"
mkdir -p "$LOG_DIR"
log="$LOG_DIR/sweep-$RUN_ID.log"
resume=()
[[ "$RESUME" == 1 ]] && resume=(--resume-unfinished)
echo "$(date -u +%FT%TZ) nightly sweep $RUN_ID: $sweep_file" >>"$log"
set +e
"$SUBMIT" sweep --config "$sweep_file" --run-id "$RUN_ID" ${resume[@]+"${resume[@]}"} "$@" >>"$log" 2>&1
code=$?
set -e
echo "$(date -u +%FT%TZ) nightly sweep $RUN_ID finished with exit code $code" >>"$log"
if ((code != 0)); then
  case $code in
    3) what="finished with failures" ;;
    4) what="did not run: another sweep holds the output's lock" ;;
    *) what="failed" ;;
  esac
  {
    echo "brats-cv nightly sweep $RUN_ID $what (exit code $code); log: $log"
    echo "--- last lines of the log:"
    tail -n 30 "$log"
  } >&2
fi
exit "$code"
