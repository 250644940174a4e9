#!/usr/bin/env bash
# Runs one night's ablation sweep and keeps its log beside the other nights'. Meant for cron or
# any scheduler: the exit code is brats-cv's (0 every variant ok, 3 finished with failures,
# anything else the sweep failed), so the scheduler can alert on it.
#
#   deploy/nightly/nightly-sweep.sh [sweep file] [extra brats-cv options...]
#
# Settings (environment):
#   SUBMIT      which wrapper submits the job        [deploy/submit-yarn.sh]
#   LOG_DIR     where each night's log goes           [$HOME/brats-cv-nightly-logs]
#   RUN_ID      run folder name                       [today's UTC date, yyyy-mm-dd]
# A rerun the same day (same RUN_ID) skips the variants that finished and resumes the others.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy="$(dirname "$here")"
sweep_file="${1:-$(dirname "$deploy")/conf/ablation-nightly.yaml}"
shift || true
: "${SUBMIT:=$deploy/submit-yarn.sh}"
: "${LOG_DIR:=$HOME/brats-cv-nightly-logs}"
: "${RUN_ID:=$(date -u +%F)}"
mkdir -p "$LOG_DIR"
log="$LOG_DIR/sweep-$RUN_ID.log"
echo "nightly sweep $RUN_ID: $sweep_file, log $log" >&2
set +e
"$SUBMIT" sweep --config "$sweep_file" --run-id "$RUN_ID" "$@" >>"$log" 2>&1
code=$?
set -e
echo "nightly sweep $RUN_ID finished with exit code $code" | tee -a "$log" >&2
exit "$code"
