#!/usr/bin/env bash
# Memory under load: trains the small Faster R-CNN preset (ResNet-18-FPN, the demo's model) on the
# built-in synthetic dataset for ITERATIONS iterations with a checkpoint every CKPT, sampling the
# process's resident memory (VmRSS) every SECONDS; writes OUT/rss.csv (seconds, iteration, MB) and
# prints, after warm-up (the first WARMUP_PCT % of the iterations), the mean RSS of ten equal
# windows of iterations (a leak shows as a rising trend) and the range of single samples.
#   tools/bench/soak.sh [ITERATIONS] [OUT] [SECONDS]      (defaults: 2000, target/soak, 5; build first)
set -euo pipefail
cd "$(dirname "$0")/../.."
ITERS=${1:-2000}; OUT=${2:-target/soak}; EVERY=${3:-5}; CKPT=${CKPT:-100}; WARMUP_PCT=${WARMUP_PCT:-15}
rm -rf "$OUT"; mkdir -p "$OUT"
./resvision synth --format coco --images 400 --out "$OUT/data" >/dev/null
cat > "$OUT/soak.json" <<JSON
{"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
 "iterations": $ITERS, "milestones": [$((ITERS * 3 / 4))], "warmup_iters": 50, "log_every": 10, "checkpoint_every": $CKPT}
JSON
cp "$OUT/data/coco/annotations/instances_train.json" "$OUT/data/coco/annotations/soak.json"   # no per-checkpoint evaluation
./resvision train --config "$OUT/soak.json" --data "coco:$OUT/data/coco/annotations/soak.json" --out "$OUT/run" > "$OUT/train.log" 2>&1 &
pid=$!
start=$(date +%s)
echo "seconds,iteration,rss_mb" > "$OUT/rss.csv"
# the launcher execs java, so $pid is the JVM
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || true)
  it=$(grep -o 'it [0-9]*/' "$OUT/train.log" 2>/dev/null | tail -1 | tr -dc 0-9 || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )),${it:-0},$rss" >> "$OUT/rss.csv"
  sleep "$EVERY"
done
wait "$pid"
python3 - "$OUT/rss.csv" "$ITERS" "$WARMUP_PCT" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["iteration"]), int(r["rss_mb"])) for r in csv.DictReader(open(sys.argv[1]))]
iters, pct = int(sys.argv[2]), float(sys.argv[3])
after = [r for r in rows if r[1] >= iters * pct / 100]
# ten windows of equal iterations after warm-up: their mean RSS shows a trend, single samples the spread
start = after[0][1]
width = max(1, (iters - start) / 10)
windows = [[r[2] for r in after if start + k * width <= r[1] < start + (k + 1) * width or (k == 9 and r[1] >= iters)] for k in range(10)]
means = [sum(w) / len(w) for w in windows if w]
lo, hi = min(means), max(means)
print(f"samples {len(rows)}, {rows[-1][0]} s; after warm-up (it {start}): window means {lo:.0f}-{hi:.0f} MB "
      f"(spread {100 * (hi - lo) / lo:.1f} %), first {means[0]:.0f}, last {means[-1]:.0f}; "
      f"single samples {min(r[2] for r in after)}-{max(r[2] for r in after)} MB")
print("  window means: " + " ".join(f"{m:.0f}" for m in means))
PY
