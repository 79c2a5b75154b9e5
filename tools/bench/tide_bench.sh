#!/usr/bin/env bash
# TIDE at val2017 scale: Tide.evaluate's time after one CocoEvaluator run in the same JVM, with the
# coco-eval command's JVM options, as the command would run it (JSON reading and GT rasterisation
# excluded: coco-eval has done both). RUNS runs each; the first is the one a command pays.
#   tools/bench/tide_bench.sh [WORK_DIR] [RUNS]   (optionally TIDECV_BBOX / TIDECV_SEGM = tidecv's numbers as JSON)
# Data: ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm (~2 minutes, once).
# Build first: mvn -B -q -o install -DskipTests -pl data,eval -am && mvn -B -q -o test-compile -pl eval
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
WORK=${1:-target/bench/coco}
RUNS=${2:-3}
mkdir -p "$WORK"
if [ ! -s "$WORK/dt.json" ]; then
  /usr/bin/python3 ../shared/tools/gen_coco.py --images 5000 --cats 80 --seed 2017 --segm \
      --out-gt "$WORK/gt.json" --out-dt "$WORK/dt.json"
fi
file=eval/target/bench.test.classpath
if [ ! -s "$file" ]; then
  mvn -B -q -pl eval org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$file" >/dev/null
fi
cp="data/target/classes:eval/target/classes:eval/target/test-classes:$(cat "$file")"
for t in bbox segm; do
  ref=-
  if [ "$t" = bbox ] && [ -n "${TIDECV_BBOX:-}" ]; then ref=$TIDECV_BBOX; fi
  if [ "$t" = segm ] && [ -n "${TIDECV_SEGM:-}" ]; then ref=$TIDECV_SEGM; fi
  # shellcheck disable=SC2046
  java $(resvision_jvm_opts coco-eval) -cp "$cp" org.resvision.eval.tide.TideBench \
      "$WORK/gt.json" "$WORK/dt.json" "$t" "$RUNS" "$ref" coco-first | grep -E '^(coco-eval|run|bbox|segm|max)'
done
