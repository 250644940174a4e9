#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor,worker}.resource.gpu.discoveryScript).
# Prints the GPUs this container/host may use as Spark's ResourceInformation JSON, e.g.
#   {"name":"gpu","addresses":["0","1"]}
#
# Each address is the CUDA device ordinal the calling process will see, because a brats-cv task
# hands its address straight to DJL as Device.gpu(address):
# - No CUDA_VISIBLE_DEVICES: every GPU nvidia-smi lists, by nvidia-smi index. nvidia-smi numbers
#   GPUs in PCI bus order; run executors with CUDA_DEVICE_ORDER=PCI_BUS_ID (the deploy/ wrappers
#   and the image do) so CUDA numbers them the same way on nodes with mixed GPU models.
# - CUDA_VISIBLE_DEVICES=2,3 (indices, GPU- or MIG- UUIDs): CUDA renumbers the listed devices
#   0..k-1, so the addresses are 0..k-1, one per entry that names an existing GPU. Like CUDA, the
#   list ends at the first entry that names no GPU; an empty value means no GPU at all.
# - Containers (Kubernetes device plugin, YARN Docker runtime): only the GPUs given to the container
#   exist inside it, already numbered from 0, so nvidia-smi's list is the answer.
#   NVIDIA_VISIBLE_DEVICES is deliberately ignored: it tells the container runtime which host GPUs
#   to inject, in host numbering, and means nothing to CUDA inside the container.
# Exits non-zero (and prints the reason on stderr) when nvidia-smi is missing or fails, so a
# misconfigured executor fails at start instead of running GPU tasks on the CPU.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on $(hostname); is the NVIDIA driver installed?" >&2
  exit 1
fi
if ! listing=$(nvidia-smi --query-gpu=index,uuid --format=csv,noheader 2>&1); then
  echo "getGpusResources.sh: nvidia-smi failed on $(hostname): $listing" >&2
  exit 1
fi

indices=()
uuids=()
while IFS=, read -r index uuid; do
  index="${index//[[:space:]]/}"
  uuid="${uuid//[[:space:]]/}"
  [[ "$index" =~ ^[0-9]+$ ]] || continue
  indices+=("$index")
  uuids+=("$uuid")
done <<<"$listing"

# True when $1 (one CUDA_VISIBLE_DEVICES entry) names a GPU that nvidia-smi lists.
names_a_gpu() {
  local entry="$1" i
  # A MIG instance: nvidia-smi --query-gpu lists only whole GPUs, so trust the entry.
  if [[ "$entry" == MIG-* ]]; then
    return 0
  fi
  for i in "${!indices[@]}"; do
    if [[ "$entry" == "${indices[$i]}" ]]; then
      return 0
    fi
    # A GPU UUID, as nvidia-smi prints it (GPU-...) or a unique leading part of it.
    if [[ "$entry" == GPU-?* && "${uuids[$i]}" == "$entry"* ]]; then
      return 0
    fi
  done
  return 1
}

addresses=()
if [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]]; then
  IFS=, read -r -a entries <<<"${CUDA_VISIBLE_DEVICES}"
  for entry in "${entries[@]}"; do
    entry="${entry//[[:space:]]/}"
    if ! names_a_gpu "$entry"; then
      echo "getGpusResources.sh: CUDA_VISIBLE_DEVICES entry '$entry' names no GPU on $(hostname);" \
        "CUDA ignores it and every entry after it" >&2
      break
    fi
    addresses+=("\"${#addresses[@]}\"")
  done
else
  for index in "${indices[@]}"; do
    addresses+=("\"$index\"")
  done
fi

if [[ ${#addresses[@]} -eq 0 ]]; then
  echo "getGpusResources.sh: no usable GPU on $(hostname) (CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-unset})" >&2
fi
joined=$(
  IFS=,
  echo "${addresses[*]:-}"
)
echo "{\"name\":\"gpu\",\"addresses\":[${joined}]}"
