#!/usr/bin/env bash
# The README's "run" command: builds ResVision and runs the demo job, offline.
# Today's demo is the backbone: a torchvision-initialised ResNet-50-FPN checkpoint is written,
# loaded back, and every stage's features of tools/demo/scene.png are extracted. (The detection
# demo - synthetic data, training, COCO evaluation, drawn predictions - replaces it when the
# detection module lands.)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package -DskipTests
OUT=${1:-target/demo}
mkdir -p "$OUT"
resvision() { ./resvision "$@"; }
resvision init-weights --arch resnet50 --fpn --seed 0 --out "$OUT/resnet50_fpn.safetensors"
resvision features --arch resnet50 --fpn --weights "$OUT/resnet50_fpn.safetensors" \
    tools/demo/scene.png --out "$OUT/scene_features.safetensors"
echo "demo done: features in $OUT/scene_features.safetensors"
