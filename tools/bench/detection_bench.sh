#!/usr/bin/env bash
# Faster R-CNN benchmark: ResVision next to torchvision, one process per case, 2 threads, on
# synthetic 640x480 images: ResNet50-FPN inference at 800 and 512 px (batch 1), a training step
# at 512 px (batch 2, frozen BN, 3 trainable stages), and ResNet18-FPN at 320 px (batch 4)
# inference and training step, both sides loading the same weights (random, with calibrated frozen
# BN statistics); r50v2-infer-800 is fasterrcnn_resnet50_fpn_v2 (BatchNorm body, FPN and box head,
# all calibrated) at 800 px, batch 1. Prints a table.
#   tools/bench/detection_bench.sh [ITERS] [WARMUP] [CASES]   (build first: mvn -B -q install -DskipTests)
# CASES: a comma-separated subset of r50-infer-800,r50-infer-512,r50-train-512,r18-infer-320,r18-train-320,r50v2-infer-800
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ITERS=${1:-3}; WARMUP=${2:-1}; CASES=${3:-r50-infer-800,r50-infer-512,r50-train-512,r18-infer-320,r18-train-320,r50v2-infer-800}
THREADS=${THREADS:-2}
CP=$(classpath tools)
header
for c in ${CASES//,/ }; do
  IFS=- read -r net mode size <<<"$c"
  arch=resnet50; batch=1
  [ "$net" = r18 ] && arch=resnet18 && batch=4
  [ "$net" = r50v2 ] && arch=resnet50_v2
  [ "$net" = r50 ] && [ "$mode" = train ] && batch=2
  args=(--arch "$arch" --mode "$mode" --min-size "$size" --batch "$batch" --iters "$ITERS" --warmup "$WARMUP")
  mkdir -p target/bench && W="target/bench/fasterrcnn_${arch}_bench.pth"   # made by the Python side, loaded by both
  [ -f "$W" ] || /usr/bin/python3 tools/reference/bench/torchvision_detection.py "${args[@]}" --iters 0 --warmup 0 --weights "$W" >/dev/null
  args+=(--weights "$W")
  [ "$mode" = train ] && cmd=train || cmd=predict
  # shellcheck disable=SC2046
  j=$(launcher_env "$cmd" java $(java_opts "$cmd") -cp "$CP" org.resvision.tools.Main bench detection "${args[@]}" 2>/dev/null | grep '^resvision')
  p=$(launcher_env "$cmd" /usr/bin/python3 tools/reference/bench/torchvision_detection.py "${args[@]}" --threads "$THREADS" | grep '^torchvision')
  row "$arch $mode ${size}px b$batch" "$j" "$p"
done
