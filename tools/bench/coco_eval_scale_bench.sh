#!/usr/bin/env bash
# coco-eval (bbox, whole command) at the scales beyond val2017, one run each: wall time, phases, peak RSS.
#   tools/bench/coco_eval_scale_bench.sh [WORK_DIR] [CASES]      CASES: "o365 train2017" (default both)
# The sets come from ../shared/tools/gen_coco.py (Debian's /usr/bin/python3 with numpy), made once:
#   o365:      --images 80000 --cats 365 --ann-mean 15 --seed 365   (~1.2M GT, ~6.2M detections; ~15 min)
#   train2017: --images 118287 --cats 80 --seed 2017                (~865k GT, ~8.6M detections; ~15 min)
# Also times a results file of over 2 GB cut off inside a detection (made from the o365 results).
# Build first: mvn -B -q package -DskipTests.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-target/bench/coco-scale}
CASES=${2:-o365 train2017}
mkdir -p "$WORK"
gen() {
  local name=$1; shift
  if [ ! -s "$WORK/$name/dt.json" ]; then
    mkdir -p "$WORK/$name"
    /usr/bin/python3 ../shared/tools/gen_coco.py "$@" --out-gt "$WORK/$name/gt.json" --out-dt "$WORK/$name/dt.json"
  fi
}
printf '%-12s %8s %8s %8s %8s %8s %8s %10s  %s\n' case wall_s load_s prep_s eval_s accum_s dt_MB peak_MB AP
for c in $CASES; do
  case "$c" in
    o365) gen o365 --images 80000 --cats 365 --ann-mean 15 --seed 365 ;;
    train2017) gen train2017 --images 118287 --cats 80 --seed 2017 ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
  /usr/bin/time -v ./resvision coco-eval --gt "$WORK/$c/gt.json" --dt "$WORK/$c/dt.json" --timing > "$WORK/$c.out" 2> "$WORK/$c.err"
  phase() { awk -v p="$1" '$1 == p {print $2}' "$WORK/$c.err"; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, a, ":"); print a[1] * 60 + a[2]}' "$WORK/$c.err")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$WORK/$c.err")
  mb=$(( $(stat -c %s "$WORK/$c/dt.json") / 1000000 ))
  printf '%-12s %8s %8s %8s %8s %8s %8s %10s  %s\n' "$c" "$wall" "$(phase load)" "$(phase prepare)" "$(phase evaluate)" \
      "$(phase accumulate)" "$mb" "$rss" "$(head -1 "$WORK/$c.out" | awk '{print $NF}')"
done
if [ -s "$WORK/o365/dt.json" ]; then
  big="$WORK/cut.json"
  if [ ! -s "$big" ]; then
    /usr/bin/python3 - "$WORK/o365/dt.json" "$big" <<'PY'
import sys
inner = open(sys.argv[1], 'rb').read().strip()[1:-1].strip()
with open(sys.argv[2], 'wb') as o:
    o.write(b'[')
    for i in range(4):
        o.write((b',\n' if i else b'') + inner)
    o.write(b',\n{"image_id": 12, "category_id": 3, "bbox": [1.5, 2')
PY
  fi
  /usr/bin/time -f '%e s, peak %M KB' ./resvision coco-eval --gt "$WORK/o365/gt.json" --dt "$big" 2>&1 | grep -v '^Command exited' | tail -2 | sed 's/^/cut file: /'
fi
