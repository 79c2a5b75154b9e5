#!/usr/bin/env bash
# Video annotation benchmark: `resvision annotate-video` (decode, batched detection and encode on
# their own threads) next to a sequential torchvision + OpenCV Python loop on the same 640x480
# clip, with the same random weights, 2 threads: the small preset and fasterrcnn_resnet50_fpn at
# 512 px. Prints frames/s and peak RSS. Needs Debian's python3-opencv (installed when missing).
#   tools/bench/video_bench.sh [FRAMES] [WORK_DIR]    (build first: mvn -B -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
FRAMES=${1:-40}; WORK=${2:-target/video-bench}; THREADS=${THREADS:-2}
if ! /usr/bin/python3 -c 'import cv2' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-opencv >/dev/null
fi
source tools/bench/compare.sh
ensure_openblas; blas_report
mkdir -p "$WORK"
./resvision synth --format coco --images 1 --video --frames "$FRAMES" --size 640x480 --out "$WORK/data" >/dev/null
CLIP="$WORK/data/video/moving.avi"
echo '{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5}' > "$WORK/small.json"
echo '{"task": "detection", "model": "fasterrcnn_resnet50_fpn", "min_size": 512, "max_size": 853}' > "$WORK/r50.json"
printf '%-28s %12s %12s %8s %12s %12s\n' case resvision_fps python_fps ratio resvision_MB python_MB
for c in small r50; do
  [ -f "$WORK/$c.pth" ] || /usr/bin/python3 tools/reference/train/torchvision_detection.py init --config "$WORK/$c.json" --out "$WORK/$c.pth" >/dev/null
  rm -rf "$WORK/out-$c"
  j=$(RESVISION_JAVA_OPTS="$(java_opts annotate-video)" \
      /usr/bin/time -f 'peak_rss_kb=%M' ./resvision annotate-video --config "$WORK/$c.json" --weights "$WORK/$c.pth" --batch 4 \
      "$CLIP" --out "$WORK/out-$c" 2>&1 | grep -E '^summary|peak_rss_kb')
  jf=$(sed -n 's/.* \([0-9.]*\) frames\/s while annotating.*/\1/p' <<<"$j")
  jr=$(( $(sed -n 's/peak_rss_kb=\([0-9]*\)/\1/p' <<<"$j") / 1024 ))
  p=$(launcher_env annotate-video /usr/bin/python3 tools/reference/bench/torchvision_video.py --config "$WORK/$c.json" --weights "$WORK/$c.pth" --clip "$CLIP" --out "$WORK/python-$c.avi" --threads "$THREADS")
  pf=$(sed -n 's/.* fps=\([0-9.]*\).*/\1/p' <<<"$p"); pr=$(sed -n 's/.*peak_rss_mb=\([0-9]*\).*/\1/p' <<<"$p")
  printf '%-28s %12s %12s %8s %12s %12s\n' "$c 640x480 ($FRAMES frames)" "$jf" "$pf" "$(awk "BEGIN{printf \"%.2fx\", $jf/$pf}")" "$jr" "$pr"
done
