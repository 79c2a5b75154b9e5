#!/usr/bin/env bash
# COCO evaluation benchmark at val2017 scale: the whole `resvision coco-eval` command (JVM start and
# JSON loading included) for bbox and segm, with phases and peak RSS, side by side with pycocotools
# (COCO + loadRes + COCOeval evaluate/accumulate/summarize, tools/reference/bench/pycocotools_eval.py) on the
# same files when PYCOCOTOOLS names a built cocoapi PythonAPI folder (tools/reference/bench/build_pycocotools.sh);
# without it, only our side runs.
#   [PYCOCOTOOLS=DIR] [ROUNDS=3] tools/bench/coco_eval_bench.sh [WORK_DIR]
# The data come from ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm
# (Debian's /usr/bin/python3 with numpy; ~3 minutes, once). Build first: mvn -B -q package -DskipTests.
# Each case runs ROUNDS times, the cases alternating and the two sides swapping order every round;
# a row gives the round with the median wall time of each side. "+diag" adds --diagnostics (TIDE,
# confusion matrix, operating points, calibration, PR curves; pycocotools has none). "same" says
# whether pycocotools printed the same 12 summary lines as we did.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-target/bench/coco}
mkdir -p "$WORK"
if [ ! -s "$WORK/dt.json" ]; then
  /usr/bin/python3 ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm \
      --out-gt "$WORK/gt.json" --out-dt "$WORK/dt.json"
fi
ROUNDS=${ROUNDS:-3}
REF=${PYCOCOTOOLS:-}
if [ -n "$REF" ] && ! PYTHONPATH="$REF" /usr/bin/python3 -c 'import pycocotools._mask' 2> /dev/null; then
  echo "PYCOCOTOOLS=$REF: pycocotools does not import from there (build it: tools/reference/bench/build_pycocotools.sh COCOAPI_DIR)" >&2
  exit 2
fi
cases=("bbox" "bbox+diag" "segm" "segm+diag")
ours() {
  local c=$1 r=$2 t=${1%+diag} extra=()
  [ "$c" != "$t" ] && extra=(--diagnostics)
  /usr/bin/time -v ./resvision coco-eval --gt "$WORK/gt.json" --dt "$WORK/dt.json" --iou-type "$t" --timing "${extra[@]}" \
      > "$WORK/$c.$r.out" 2> "$WORK/$c.$r.err"
}
ref() {
  local c=$1 r=$2
  PYTHONPATH="$REF" /usr/bin/time -v /usr/bin/python3 tools/reference/bench/pycocotools_eval.py "$WORK/gt.json" "$WORK/dt.json" "$c" \
      > "$WORK/ref-$c.$r.out" 2> "$WORK/ref-$c.$r.err"
}
for r in $(seq 1 "$ROUNDS"); do
  for c in "${cases[@]}"; do
    if [ -n "$REF" ] && [ "$c" = "${c%+diag}" ]; then
      if [ $((r % 2)) = 1 ]; then ours "$c" "$r"; ref "$c" "$r"; else ref "$c" "$r"; ours "$c" "$r"; fi
    else
      ours "$c" "$r"
    fi
  done
done
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {split($2, a, ":"); print a[1] * 60 + a[2]}' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$1"; }
# the round with the median wall time of prefix $1 (e.g. "bbox" or "ref-bbox")
median() {
  for r in $(seq 1 "$ROUNDS"); do echo "$(wall "$WORK/$1.$r.err") $r"; done | sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) {print $2}'
}
printf '%-10s %8s %8s %8s %8s %8s %8s %8s  %-8s %8s %8s %8s  %s\n' case wall_s load_s prep_s eval_s accum_s diag_s peak_MB \
    ref ref_s ref_MB speedup same
for c in "${cases[@]}"; do
  best=$(median "$c")
  err="$WORK/$c.$best.err"
  phase() { awk -v p="$1" '$1 == p {print $2}' "$err"; }
  w=$(wall "$err")
  refcols=("-" "-" "-" "-" "-")
  if [ -n "$REF" ] && [ "$c" = "${c%+diag}" ]; then
    rb=$(median "ref-$c")
    rw=$(wall "$WORK/ref-$c.$rb.err")
    same=no
    cmp -s <(grep 'Average' "$WORK/$c.$best.out") <(grep 'Average' "$WORK/ref-$c.$rb.out") && same=yes
    refcols=(pycocotools "$rw" "$(rss "$WORK/ref-$c.$rb.err")" "$(awk -v a="$rw" -v b="$w" 'BEGIN {printf "%.1fx", a / b}')" "$same")
  fi
  printf '%-10s %8s %8s %8s %8s %8s %8s %8s  %-8s %8s %8s %8s  %s\n' "$c" "$w" "$(phase load)" "$(phase prepare)" \
      "$(phase evaluate)" "$(phase accumulate)" "$(phase diagnostics)" "$(rss "$err")" "${refcols[@]}"
done
