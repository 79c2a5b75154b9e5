#!/usr/bin/env bash
# COCO evaluation benchmark at val2017 scale: the whole `resvision coco-eval` command (JSON loading
# included) for bbox and segm, with wall time, phases and peak RSS, printed as a table.
#   tools/bench/coco_eval_bench.sh [WORK_DIR]
# The data come from ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm
# (Debian's /usr/bin/python3 with numpy; ~3 minutes, once). Build first: mvn -B -q package -DskipTests.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-target/bench/coco}
mkdir -p "$WORK"
if [ ! -s "$WORK/dt.json" ]; then
  /usr/bin/python3 ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm \
      --out-gt "$WORK/gt.json" --out-dt "$WORK/dt.json"
fi
printf '%-6s %8s %8s %8s %8s %8s %10s  %s\n' type wall_s load_s prep_s eval_s accum_s peak_MB AP
for t in bbox segm; do
  /usr/bin/time -v ./resvision coco-eval --gt "$WORK/gt.json" --dt "$WORK/dt.json" --iou-type "$t" --timing \
      > "$WORK/$t.out" 2> "$WORK/$t.err"
  phase() { awk -v p="$1" '$1 == p {print $2}' "$WORK/$t.err"; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, a, ":"); print a[1] * 60 + a[2]}' "$WORK/$t.err")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$WORK/$t.err")
  ap=$(head -1 "$WORK/$t.out" | awk '{print $NF}')
  printf '%-6s %8s %8s %8s %8s %8s %10s  %s\n' "$t" "$wall" "$(phase load)" "$(phase prepare)" \
      "$(phase evaluate)" "$(phase accumulate)" "$rss" "$ap"
done
