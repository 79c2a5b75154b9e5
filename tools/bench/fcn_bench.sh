#!/usr/bin/env bash
# FCN-ResNet50 benchmark: ResVision next to torchvision, one process per case, 2 threads:
# inference at 520x520 (batch 1) and a training step at 320x320 (batch 4). Prints a table.
#   tools/bench/fcn_bench.sh [ITERS] [WARMUP]      (build first: mvn -B -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ITERS=${1:-5}; WARMUP=${2:-1}; THREADS=${THREADS:-2}
CP=$(classpath segmentation)
JAVA_OPTS=(-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$THREADS -Dai.djl.pytorch.num_interop_threads=1
           -Dorg.slf4j.simpleLogger.defaultLogLevel=error)
header
for c in "infer 520 1" "train 320 4"; do
  set -- $c
  j=$(java "${JAVA_OPTS[@]}" -cp "$CP" org.resvision.segmentation.bench.FcnBench --mode "$1" --size "$2" --batch "$3" \
        --iters "$ITERS" --warmup "$WARMUP" 2>/dev/null | grep '^resvision')
  p=$(/usr/bin/python3 tools/bench/torchvision_fcn.py --mode "$1" --size "$2" --batch "$3" --iters "$ITERS" \
        --warmup "$WARMUP" --threads "$THREADS" | grep '^torchvision')
  row "fcn_resnet50 $1 ${2}px b$3" "$j" "$p"
done
