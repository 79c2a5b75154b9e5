#!/usr/bin/env bash
# FCN-ResNet50 benchmark: ResVision next to torchvision, one process per case and side, 2 threads:
# inference at 520x520 (batch 1) and a training step at 320x320 (batch 4). The two sides run
# alternately ROUNDS times (default 3) so that both see the same machine (this VM's speed drifts
# by 10% over minutes); a cell is the median of the rounds' medians, the RSS the largest peak.
# Prints a table.
#   tools/bench/fcn_bench.sh [ITERS] [WARMUP] [ROUNDS]   (build first: mvn -B -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ITERS=${1:-5}; WARMUP=${2:-1}; ROUNDS=${3:-3}; THREADS=${THREADS:-2}
CP=$(classpath tools)
header
for c in "infer 520 1" "train 320 4"; do
  set -- $c
  [ "$1" = train ] && cmd=train || cmd=predict
  js=(); ps=()
  for ((r = 0; r < ROUNDS; r++)); do
    # shellcheck disable=SC2046
    js+=("$(launcher_env "$cmd" java $(java_opts "$cmd") -cp "$CP" org.resvision.tools.Main bench fcn --mode "$1" --size "$2" --batch "$3" \
          --iters "$ITERS" --warmup "$WARMUP" 2>/dev/null | grep '^resvision')")
    ps+=("$(launcher_env "$cmd" /usr/bin/python3 tools/reference/bench/torchvision_fcn.py --mode "$1" --size "$2" --batch "$3" --iters "$ITERS" \
          --warmup "$WARMUP" --threads "$THREADS" | grep '^torchvision')")
  done
  row "fcn_resnet50 $1 ${2}px b$3" "$(merge "${js[@]}")" "$(merge "${ps[@]}")"
done
