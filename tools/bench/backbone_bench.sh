#!/usr/bin/env bash
# Backbone benchmark: ResVision (DJL/PyTorch) next to torchvision on the same machine, one
# process per case so each peak RSS is the case's own. Prints a table.
#   tools/bench/backbone_bench.sh [ARCH] [SIZE] [ITERS] [WARMUP]
# Needs `mvn -B -q install -DskipTests` first and Debian's /usr/bin/python3 with torchvision.
# Threads: 2 (the machine class of the issues; THREADS overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ARCH=${1:-resnet50}; SIZE=${2:-224}; ITERS=${3:-7}; WARMUP=${4:-2}; THREADS=${THREADS:-2}
CP=$(classpath tools)
header
for c in "infer 1" "infer 8" "train 8"; do
  set -- $c
  # shellcheck disable=SC2046
  j=$(launcher_env features java $(java_opts features) -cp "$CP" org.resvision.tools.Main bench backbone \
        --arch "$ARCH" --size "$SIZE" --mode "$1" --batch "$2" --iters "$ITERS" --warmup "$WARMUP" 2>/dev/null | grep '^resvision')
  p=$(launcher_env features /usr/bin/python3 tools/reference/bench/torchvision_backbone.py --arch "$ARCH" --size "$SIZE" --mode "$1" \
        --batch "$2" --iters "$ITERS" --warmup "$WARMUP" --threads "$THREADS" | grep '^torchvision')
  row "$ARCH $1 b$2 ${SIZE}px" "$j" "$p"
done
