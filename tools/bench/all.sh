#!/usr/bin/env bash
# Every side-by-side model case, ResVision next to torchvision (Debian's /usr/bin/python3, with
# OpenBLAS: installed when missing, and each side's BLAS printed), one process per case and side,
# 2 threads, the two sides alternating ROUNDS times (the first side swaps every round, so a drift
# of the machine's speed falls on both). Writes one table as markdown and JSON:
#   OUT/all.md, OUT/all.json (case, both medians, ratio, both peak RSS, spread over rounds)
#   OUT/raw.tsv (every process's line)
#   tools/bench/all.sh [ROUNDS] [OUT] [CASES]   (build first: mvn -B -q install -DskipTests)
# ROUNDS default 3; OUT default target/bench/all; CASES a comma-separated subset of the names
# below (default all). A cell is the median over the rounds of each process's median iteration
# time (ITERS timed iterations after WARMUP, as the single-family scripts run them); the RSS is
# the largest peak. QUICK=1 times one iteration without warm-up (a check of the script, not a
# measurement). About 25 minutes for 3 rounds on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ROUNDS=${1:-3}; OUT=${2:-target/bench/all}; ONLY=${3:-}
THREADS=${THREADS:-2}
CP=$(classpath tools)
mkdir -p "$OUT" target/bench

# name | JVM options of | Java main and arguments | Python script and arguments | iters warmup
CASES=(
  "resnet50-infer-224-b1|features|org.resvision.tools.Main bench backbone --arch resnet50 --size 224 --mode infer --batch 1|torchvision_backbone.py --arch resnet50 --size 224 --mode infer --batch 1|7 2"
  "resnet50-infer-224-b8|features|org.resvision.tools.Main bench backbone --arch resnet50 --size 224 --mode infer --batch 8|torchvision_backbone.py --arch resnet50 --size 224 --mode infer --batch 8|7 2"
  "resnet50-train-224-b8|train|org.resvision.tools.Main bench backbone --arch resnet50 --size 224 --mode train --batch 8|torchvision_backbone.py --arch resnet50 --size 224 --mode train --batch 8|7 2"
  "fasterrcnn-r50-infer-800-b1|predict|DET --arch resnet50 --mode infer --min-size 800 --batch 1|DET|3 1"
  "fasterrcnn-r50-infer-512-b1|predict|DET --arch resnet50 --mode infer --min-size 512 --batch 1|DET|3 1"
  "fasterrcnn-r50-train-512-b2|train|DET --arch resnet50 --mode train --min-size 512 --batch 2|DET|3 1"
  "fasterrcnn-r18-infer-320-b4|predict|DET --arch resnet18 --mode infer --min-size 320 --batch 4|DET|3 1"
  "fasterrcnn-r18-train-320-b4|train|DET --arch resnet18 --mode train --min-size 320 --batch 4|DET|3 1"
  "fasterrcnn-r50v2-infer-800-b1|predict|DET --arch resnet50_v2 --mode infer --min-size 800 --batch 1|DET|3 1"
  "fcn-r50-infer-520-b1|predict|org.resvision.tools.Main bench fcn --mode infer --size 520 --batch 1|torchvision_fcn.py --mode infer --size 520 --batch 1|5 1"
  "fcn-r50-train-320-b4|train|org.resvision.tools.Main bench fcn --mode train --size 320 --batch 4|torchvision_fcn.py --mode train --size 320 --batch 4|5 1"
)

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $THREADS threads per side, $ROUNDS rounds"
  ensure_openblas
  blas_report
  malloc_report
} | tee "$OUT/header.txt"
: >"$OUT/raw.tsv"

run_side() {   # run_side SIDE CMD JAVA_ARGS PY_ARGS ITERS WARMUP -> "median_ms=... peak_rss_mb=..." line
  local side=$1 cmd=$2 java_args=$3 py_args=$4 iters=$5 warmup=$6
  # both sides with the malloc settings the launcher gives CMD (launcher_env in compare.sh)
  if [ "$side" = resvision ]; then
    # shellcheck disable=SC2046,SC2086
    launcher_env "$cmd" java $(java_opts "$cmd") -cp "$CP" $java_args --iters "$iters" --warmup "$warmup" 2>/dev/null | grep '^resvision' || echo "resvision FAILED"
  else
    # shellcheck disable=SC2086
    launcher_env "$cmd" /usr/bin/python3 tools/reference/bench/$py_args --iters "$iters" --warmup "$warmup" --threads "$THREADS" | grep '^torchvision' || echo "torchvision FAILED"
  fi
}

for spec in "${CASES[@]}"; do
  IFS='|' read -r name cmd java_args py_args iw <<<"$spec"
  [ -z "$ONLY" ] || [[ ",$ONLY," == *",$name,"* ]] || continue
  read -r iters warmup <<<"$iw"
  [ "${QUICK:-0}" = 1 ] && iters=1 && warmup=0
  if [[ $java_args == DET* ]]; then
    # the detection cases load the same weights on both sides (random, calibrated BN statistics),
    # made once by the Python side
    args=${java_args#DET }
    arch=$(sed 's/.*--arch \([^ ]*\).*/\1/' <<<"$args")
    w="target/bench/fasterrcnn_${arch}_bench.pth"
    [ -f "$w" ] || /usr/bin/python3 tools/reference/bench/torchvision_detection.py $args --iters 0 --warmup 0 --weights "$w" >/dev/null
    java_args="org.resvision.tools.Main bench detection $args --weights $w"
    py_args="torchvision_detection.py $args --weights $w"
  fi
  for ((r = 0; r < ROUNDS; r++)); do
    if ((r % 2 == 0)); then order="resvision torchvision"; else order="torchvision resvision"; fi
    for side in $order; do
      line=$(run_side "$side" "$cmd" "$java_args" "$py_args" "$iters" "$warmup")
      printf '%s\t%s\t%d\t%s\n' "$name" "$side" "$r" "$line" >>"$OUT/raw.tsv"
      echo "$name round $r $line" >&2
    done
  done
done

/usr/bin/python3 tools/bench/all_table.py "$OUT"
