#!/usr/bin/env bash
# The README's "run" command: builds ResVision and runs the demo job, offline.
# Today's demo covers what exists: the built-in synthetic dataset is written (COCO, VOC, a
# video), a torchvision-initialised ResNet-50-FPN checkpoint is written and loaded back, every
# backbone stage's features of a synthetic image are extracted. The detection demo (training,
# COCO evaluation of the trained model, drawn predictions) extends it when the detection module
# lands.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package -DskipTests
OUT=${1:-target/demo}
mkdir -p "$OUT"
resvision() { ./resvision "$@"; }
resvision synth --format both --images 40 --video --frames 30 --out "$OUT/data"
resvision init-weights --arch resnet50 --fpn --seed 0 --out "$OUT/resnet50_fpn.safetensors"
resvision features --arch resnet50 --fpn --weights "$OUT/resnet50_fpn.safetensors" \
    "$OUT/data/coco/images/000001.jpg" --out "$OUT/features_000001.safetensors"
echo "demo done: data in $OUT/data, features in $OUT/features_000001.safetensors"
