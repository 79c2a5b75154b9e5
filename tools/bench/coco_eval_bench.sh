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
# Each case runs ROUNDS times (default 3), the cases alternating; the row is the round with the median wall time.
# "+diag" adds --diagnostics (TIDE, confusion matrix, operating points, calibration, PR curves).
ROUNDS=${ROUNDS:-3}
cases=("bbox" "bbox+diag" "segm" "segm+diag")
for r in $(seq 1 "$ROUNDS"); do
  for c in "${cases[@]}"; do
    t=${c%+diag}; extra=(); [ "$c" != "$t" ] && extra=(--diagnostics)
    /usr/bin/time -v ./resvision coco-eval --gt "$WORK/gt.json" --dt "$WORK/dt.json" --iou-type "$t" --timing "${extra[@]}" \
        > "$WORK/$c.$r.out" 2> "$WORK/$c.$r.err"
  done
done
printf '%-10s %8s %8s %8s %8s %8s %8s %10s  %s\n' case wall_s load_s prep_s eval_s accum_s diag_s peak_MB AP
for c in "${cases[@]}"; do
  # the median round by wall time
  best=$(for r in $(seq 1 "$ROUNDS"); do
    awk -F': ' -v r="$r" '/Elapsed \(wall clock\)/ {split($2, a, ":"); print a[1] * 60 + a[2], r}' "$WORK/$c.$r.err"
  done | sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) {print $2}')
  err="$WORK/$c.$best.err"
  phase() { awk -v p="$1" '$1 == p {print $2}' "$err"; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, a, ":"); print a[1] * 60 + a[2]}' "$err")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$err")
  ap=$(head -1 "$WORK/$c.$best.out" | awk '{print $NF}')
  printf '%-10s %8s %8s %8s %8s %8s %8s %10s  %s\n' "$c" "$wall" "$(phase load)" "$(phase prepare)" \
      "$(phase evaluate)" "$(phase accumulate)" "$(phase diagnostics)" "$rss" "$ap"
done
