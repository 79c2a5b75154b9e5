#!/usr/bin/env bash
# FCN-ResNet50 benchmark: ResVision next to torchvision, one process per case, 2 threads:
# inference at 520x520 (batch 1) and a training step at 320x320 (batch 4). Prints a table.
#   tools/bench/fcn_bench.sh [ITERS] [WARMUP]      (build first: mvn -B -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/../.."
ITERS=${1:-5}; WARMUP=${2:-1}; THREADS=${THREADS:-2}
CP_FILE=segmentation/target/bench.classpath
if [ ! -s "$CP_FILE" ]; then
  mvn -B -q -pl segmentation org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.outputFile="$PWD/$CP_FILE" >/dev/null
fi
CP="segmentation/target/classes:$(cat "$CP_FILE")"
JAVA_OPTS=(-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=$THREADS -Dai.djl.pytorch.num_interop_threads=1
           -Dorg.slf4j.simpleLogger.defaultLogLevel=error)
printf '%-16s %14s %14s %8s %14s %14s %10s\n' case resvision_ms torchvision_ms ratio resvision_MB torchvision_MB rss_ratio
for c in "infer 520 1" "train 320 4"; do
  set -- $c
  j=$(java "${JAVA_OPTS[@]}" -cp "$CP" org.resvision.segmentation.bench.FcnBench --mode "$1" --size "$2" --batch "$3" \
        --iters "$ITERS" --warmup "$WARMUP" 2>/dev/null | grep '^resvision')
  p=$(/usr/bin/python3 tools/bench/torchvision_fcn.py --mode "$1" --size "$2" --batch "$3" --iters "$ITERS" \
        --warmup "$WARMUP" --threads "$THREADS" | grep '^torchvision')
  jm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$j"); pm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$p")
  jr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$j"); pr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$p")
  printf '%-16s %14s %14s %8s %14s %14s %10s\n' "$1 ${2}px b$3" "$jm" "$pm" \
    "$(awk "BEGIN{printf \"%.2fx\", $jm/$pm}")" "$jr" "$pr" "$(awk "BEGIN{printf \"%.2fx\", $jr/$pr}")"
done
