#!/usr/bin/env bash
# Backbone benchmark: ResVision (DJL/PyTorch) next to torchvision on the same machine, one
# process per case so each peak RSS is the case's own. Prints a table.
#   tools/bench/backbone_bench.sh [ARCH] [SIZE] [ITERS] [WARMUP]
# Needs `mvn -q -pl backbone -am package -DskipTests` first (or the full build) and Debian's
# /usr/bin/python3 with torchvision. Threads: 2 (the machine class of the issues).
set -euo pipefail
cd "$(dirname "$0")/../.."
ARCH=${1:-resnet50}; SIZE=${2:-224}; ITERS=${3:-7}; WARMUP=${4:-2}; THREADS=${THREADS:-2}
CP_FILE=backbone/target/bench.classpath
if [ ! -s "$CP_FILE" ]; then
  mvn -B -q -pl backbone org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$PWD/$CP_FILE" >/dev/null
fi
CP="backbone/target/classes:$(cat "$CP_FILE")"
JAVA_OPTS=(-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$THREADS -Dai.djl.pytorch.num_interop_threads=1
           -Dorg.slf4j.simpleLogger.defaultLogLevel=error)
printf '%-8s %-6s %-12s %14s %14s %10s %14s %14s %10s\n' arch case "" \
  "resvision_ms" "torchvision_ms" "ratio" "resvision_MB" "torchvision_MB" "rss_ratio"
for c in "infer 1" "infer 8" "train 8"; do
  set -- $c
  j=$(java "${JAVA_OPTS[@]}" -cp "$CP" org.resvision.backbone.bench.BackboneBench \
        --arch "$ARCH" --size "$SIZE" --mode "$1" --batch "$2" --iters "$ITERS" --warmup "$WARMUP" 2>/dev/null | grep '^resvision')
  p=$(/usr/bin/python3 tools/bench/torchvision_backbone.py --arch "$ARCH" --size "$SIZE" --mode "$1" \
        --batch "$2" --iters "$ITERS" --warmup "$WARMUP" --threads "$THREADS" | grep '^torchvision')
  jm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$j"); pm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$p")
  jr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$j"); pr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$p")
  printf '%-8s %-6s %-12s %14s %14s %10s %14s %14s %10s\n' "$ARCH" "$1" "b$2 ${SIZE}px" "$jm" "$pm" \
    "$(awk "BEGIN{printf \"%.2fx\", $jm/$pm}")" "$jr" "$pr" "$(awk "BEGIN{printf \"%.2fx\", $jr/$pr}")"
done
