#!/usr/bin/env bash
# Runs the spark-submit jar the way spark-submit does, without a Spark installation: Spark's own
# SparkSubmit with Spark 4.2.0's jars first on the class path (from the Maven repository, as a
# cluster's jars/ folder would hold them), then target/resvision-spark-submit.jar as the
# application. What a cluster runs, on this machine; the benchmark uses it to check that the
# submit jar gives the same outputs as ./resvision spark.
#   tools/spark/submit.sh --master "local[2]" JOB [options]     (build first: mvn -B -q package -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t="$here/target"
for f in resvision-spark-submit.jar spark-classpath.txt local-classpath.txt; do
  [ -f "$t/$f" ] || { echo "submit.sh: $t/$f is missing; build it: mvn -B -q package -DskipTests" >&2; exit 2; }
done
[ "${1:-}" = --master ] || { echo "usage: tools/spark/submit.sh --master M JOB [options]" >&2; exit 2; }
master="$2"; shift 2
# Spark's distribution: its provided jars plus the libraries it shares with ResVision (Jackson,
# SLF4J, commons), which Maven lists among ours
shared=$(tr ':' '\n' < "$t/local-classpath.txt" | grep -E '/(com/fasterxml/jackson|org/slf4j|commons-codec|org/apache/commons/commons-compress)/' | paste -sd: -)
# shellcheck disable=SC2046
exec java $(cat "$here/conf/java-options") -Dlog4j.configurationFile="$here/conf/log4j2.properties" \
  -cp "$(cat "$t/spark-classpath.txt"):$shared" org.apache.spark.deploy.SparkSubmit \
  --master "$master" --conf spark.ui.enabled=false --class org.resvision.spark.SparkMain "$t/resvision-spark-submit.jar" "$@"
