#!/usr/bin/env bash
# The README's "run" command: builds ResVision and runs the demo job, offline, in about five
# minutes on 2 CPU cores: the built-in synthetic COCO dataset is written (shapes on plain
# backgrounds, several per image, overlapping, of varied sizes, each clearly coloured), the small Faster R-CNN preset
# (ResNet-18-FPN, BatchNorm) is trained from scratch with a progress line, its predictions on the
# held-out images are scored (COCO summary + HTML report), four of them are drawn, and the
# synthetic video is annotated with the detector and the IoU tracker.
#   ./run.sh [OUT_DIR] [ITERATIONS]      (defaults: target/demo, 900)
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package -DskipTests -DskipSparkJar -DskipDist   # the Spark submit jar and the binary distribution (~200 MB each) are not needed by the demo
OUT=${1:-target/demo}
ITERS=${2:-900}
IMAGES=2000
mkdir -p "$OUT"
resvision() { ./resvision "$@"; }
# IMAGES scenes of 96x72 (every fifth held out), 2-4 shapes of 0.3-0.6 x the short side, each at
# least half in view (covered by others or cut by the border) and coloured at least 100 (RGB distance)
# away from the background and the shapes under it, and a 60-frame video of moving shapes drawn at
# 384x288 (the detector sees it at 96x72, the drawn labels stay legible)
resvision synth --format coco --images $IMAGES --size 96x72 --objects 2,4 --object-size 0.3,0.6 --no-tiny \
    --background plain --min-visible 0.5 --min-contrast 100 --video --video-size 384x288 --out "$OUT/data"
ANN="$OUT/data/coco/annotations"
# the recipe (README "Set-up"): BatchNorm in the body and the FPN (from scratch), batch 8, 64
# sampled RoIs per image, lr 0.04 after 100 warm-up iterations, x0.1 at 80% and 94% of the run,
# images at their own size; one checkpoint at the end, scored below
cat > "$OUT/detector.json" <<JSON
{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
 "class_names": ["background", "circle", "rectangle", "triangle", "star"],
 "fpn_norm": "batchnorm", "box_batch_size_per_image": 64,
 "min_size": 72, "max_size": 96, "batch_size": 8, "lr": 0.04, "warmup_iters": 100,
 "iterations": $ITERS, "milestones": [$((ITERS * 4 / 5)), $((ITERS * 47 / 50))],
 "log_every": 10, "checkpoint_every": $ITERS}
JSON
rm -rf "$OUT/run"
resvision train --config "$OUT/detector.json" --data "coco:$ANN/instances_train.json" --val none --out "$OUT/run"
W="$OUT/run/model.safetensors"
# the held-out images (every fifth): predictions, then pycocotools' numbers and the HTML report
VAL=$(for i in $(seq 5 5 $IMAGES); do printf '%s/data/coco/images/%06d.jpg ' "$OUT" "$i"; done)
# shellcheck disable=SC2086
resvision predict --config "$OUT/detector.json" --weights "$W" --coco "$ANN/instances_val.json" $VAL \
    --out "$OUT/val-predictions.json" >/dev/null
resvision coco-eval --gt "$ANN/instances_val.json" --dt "$OUT/val-predictions.json" --report "$OUT/report.html"
# four of them drawn, boxes scoring 0.5 or more
resvision predict --config "$OUT/detector.json" --weights "$W" --score-thresh 0.5 --coco "$ANN/instances_val.json" \
    "$OUT"/data/coco/images/0000{05,10,15,20}.jpg --out "$OUT/drawn.json" --draw "$OUT/drawn" >/dev/null
# the synthetic video, annotated frame by frame with track ids
resvision annotate-video --config "$OUT/detector.json" --weights "$W" --score-thresh 0.5 --track --overwrite \
    "$OUT/data/video/moving.avi" --out "$OUT/video"
cat <<DONE

demo done:
  model           $W (config $OUT/detector.json)
  predictions     $OUT/val-predictions.json (the $(($(echo "$VAL" | wc -w))) held-out images)
  report          $OUT/report.html
  drawn images    $OUT/drawn/
  annotated video $OUT/video/moving.mp4 and $OUT/video/moving.jsonl (boxes with track ids)
DONE
