#!/usr/bin/env bash
# The README's "run" command: builds ResVision and runs the demo job, offline, in a few minutes
# on a laptop CPU: the built-in synthetic COCO dataset is written, the small Faster R-CNN preset
# (ResNet-18-FPN) is trained from scratch with a progress line, evaluated (COCO summary), and a
# few validation images are written with their predicted boxes drawn.
#   ./run.sh [OUT_DIR] [ITERATIONS]      (defaults: target/demo, 300)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package -DskipTests -DskipSparkJar -DskipDist   # the Spark submit jar and the binary distribution (~200 MB each) are not needed by the demo
OUT=${1:-target/demo}
ITERS=${2:-300}
mkdir -p "$OUT"
resvision() { ./resvision "$@"; }
resvision synth --format coco --images 400 --out "$OUT/data"
ANN="$OUT/data/coco/annotations"
cat > "$OUT/detector.json" <<JSON
{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
 "class_names": ["background", "circle", "rectangle", "triangle", "star"],
 "iterations": $ITERS, "milestones": [$((ITERS * 3 / 4))], "warmup_iters": 50,
 "log_every": 10, "checkpoint_every": $ITERS}
JSON
rm -rf "$OUT/run"
resvision train --config "$OUT/detector.json" --data "coco:$ANN/instances_train.json" --out "$OUT/run"
resvision evaluate --config "$OUT/detector.json" --weights "$OUT/run/model.safetensors" --data "coco:$ANN/instances_val.json"
resvision predict --config "$OUT/detector.json" --weights "$OUT/run/model.safetensors" --score-thresh 0.3 \
    --coco "$ANN/instances_val.json" "$OUT"/data/coco/images/0000{05,10,15,20}.jpg \
    --out "$OUT/predictions.json" --draw "$OUT/drawn"
echo "demo done: model in $OUT/run, predictions in $OUT/predictions.json, drawn images in $OUT/drawn"
