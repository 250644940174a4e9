#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor,worker}.resource.gpu.discoveryScript).
# Prints the GPUs this container/host may use as Spark's ResourceInformation JSON, e.g.
#   {"name":"gpu","addresses":["0","1"]}
# Addresses are nvidia-smi indices. When CUDA_VISIBLE_DEVICES (or NVIDIA_VISIBLE_DEVICES) names a
# subset by index, only that subset is reported, so YARN/Kubernetes isolation is honoured.
# Exits non-zero (and prints the reason on stderr) when nvidia-smi is missing or fails, so a
# misconfigured executor fails at start instead of running GPU tasks on the CPU.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on $(hostname); is the NVIDIA driver installed?" >&2
  exit 1
fi
if ! indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1); then
  echo "getGpusResources.sh: nvidia-smi failed on $(hostname): $indices" >&2
  exit 1
fi

visible="${CUDA_VISIBLE_DEVICES:-${NVIDIA_VISIBLE_DEVICES:-}}"
addresses=()
for i in $indices; do
  i="${i//[[:space:]]/}"
  [[ "$i" =~ ^[0-9]+$ ]] || continue
  if [[ -n "$visible" && "$visible" != "all" && "$visible" =~ ^[0-9,]+$ ]]; then
    [[ ",$visible," == *",$i,"* ]] || continue
  fi
  addresses+=("\"$i\"")
done

joined=$(IFS=,; echo "${addresses[*]:-}")
echo "{\"name\":\"gpu\",\"addresses\":[${joined}]}"
