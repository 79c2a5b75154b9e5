#!/usr/bin/env bash
# Spark jobs benchmark: annotate-videos in local mode against the single-process `resvision
# annotate-video` on the same videos (the small preset, torchvision-initialised random weights),
# rounds alternating: the command and local[2] on the machine's 2 cores, local[1] pinned to one core
# (taskset: its task's decoding and encoding threads would otherwise use the other), so that
# local[2] / local[1] is what a second core gives. Frames/s end to end (process start to exit: JVM, Spark
# session, model load, every video) and while annotating, and peak RSS (in local mode the driver
# is the executor). Then the submit jar through Spark's own SparkSubmit (tools/spark/submit.sh) on
# the same videos, whose annotations must equal local mode's byte for byte.
#   tools/bench/spark_bench.sh [VIDEOS] [FRAMES] [ROUNDS] [WORK_DIR]   (build first: mvn -B -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
VIDEOS=${1:-4}; FRAMES=${2:-48}; ROUNDS=${3:-2}; WORK=${4:-target/spark-bench}
source tools/bench/compare.sh
mkdir -p "$WORK/videos"
for i in $(seq 1 "$VIDEOS"); do
  if [ ! -f "$WORK/videos/v$i.avi" ]; then
    ./resvision synth --format coco --images 1 --video --frames "$FRAMES" --seed "$i" --size 320x240 --out "$WORK/synth$i" >/dev/null
    mv "$WORK/synth$i/video/moving.avi" "$WORK/videos/v$i.avi"; rm -rf "$WORK/synth$i"
  fi
done
echo '{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5}' > "$WORK/small.json"
[ -f "$WORK/small.pth" ] || /usr/bin/python3 tools/reference/train/torchvision_detection.py init --config "$WORK/small.json" --out "$WORK/small.pth" >/dev/null
total=$((VIDEOS * FRAMES))
# run LABEL CMD... -> "LABEL wall_s=.. fps=.. busy_fps=.. rss_mb=.."
run() {
  local label="$1"; shift
  local t0 t1 log
  log="$WORK/$label.log"
  t0=$(date +%s.%N)
  /usr/bin/time -f 'peak_rss_kb=%M' "$@" >"$log" 2>&1 || { echo "$label failed:"; tail -5 "$log"; exit 1; }
  t1=$(date +%s.%N)
  local busy rss
  busy=$(sed -n 's/.* \([0-9.]*\) frames\/s while annotating.*/\1/p; s/.*(\([0-9.]*\) frames\/s per task).*/\1/p' "$log" | tail -1)
  rss=$(( $(sed -n 's/peak_rss_kb=\([0-9]*\)/\1/p' "$log") / 1024 ))
  awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$total" -v busy="$busy" -v rss="$rss" \
    'BEGIN{printf "%s wall_s=%.1f fps=%.2f busy_fps=%s rss_mb=%d\n", l, b-a, n/(b-a), busy, rss}'
}
results=()
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK"/out-*
  results+=("$(run single env RESVISION_JAVA_OPTS="$(java_opts annotate-video)" ./resvision annotate-video --config "$WORK/small.json" \
      --weights "$WORK/small.pth" --batch 4 "$WORK/videos" --out "$WORK/out-single")")
  results+=("$(run "local[1] on 1 core" taskset -c 0 ./resvision spark annotate-videos --master "local[1]" --config "$WORK/small.json" \
      --weights "$WORK/small.pth" --batch 4 "$WORK/videos" --out "$WORK/out-local1")")
  results+=("$(run "local[2]" ./resvision spark annotate-videos --master "local[2]" --config "$WORK/small.json" \
      --weights "$WORK/small.pth" --batch 4 "$WORK/videos" --out "$WORK/out-local2")")
done
printf '%s\n' "${results[@]}"
echo
printf '%-34s %10s %10s %16s %12s\n' "case ($VIDEOS videos x $FRAMES frames, 320x240)" wall_s frames/s "frames/s/task" peak_RSS_MB
for c in single "local[1] on 1 core" "local[2]"; do
  lines=$(printf "%s\n" "${results[@]}" | grep -F "$c wall")
  wall=$(sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' <<<"$lines" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  busy=$(sed -n 's/.*busy_fps=\([0-9.]*\).*/\1/p' <<<"$lines" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  rss=$(sed -n 's/.*rss_mb=\([0-9]*\).*/\1/p' <<<"$lines" | sort -n | tail -1)
  printf '%-34s %10s %10s %16s %12s\n' "$c" "$wall" "$(awk "BEGIN{printf \"%.2f\", $total/$wall}")" "$busy" "$rss"
done
# the submit jar, as a cluster runs it: the same annotations as local mode
if [ -f tools/spark/target/resvision-spark-submit.jar ]; then
  rm -rf "$WORK/out-submit"
  echo; run "submit-jar local[2]" tools/spark/submit.sh --master "local[2]" annotate-videos --config "$WORK/small.json" \
      --weights "$WORK/small.pth" --batch 4 "$WORK/videos" --out "$WORK/out-submit"
  for f in "$WORK"/out-local2/*.jsonl; do
    cmp -s "$f" "$WORK/out-submit/$(basename "$f")" || { echo "submit jar: $(basename "$f") differs from local mode's"; exit 1; }
  done
  echo "submit jar: annotations identical to local mode's ($(ls "$WORK"/out-submit/*.jsonl | wc -l) videos)"
fi
