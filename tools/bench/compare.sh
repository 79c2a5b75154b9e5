# Shared by the bench drivers (source it): a module's runtime classpath, the JVM options users
# get (the launcher's, tools/jvm-options.sh), interleaved rounds, and one table row.

source "$(dirname "${BASH_SOURCE[0]}")/../jvm-options.sh"

# java_opts COMMAND -> the launcher's options for COMMAND plus the benchmark's thread counts
java_opts() {
  echo "$(resvision_jvm_opts "$1") -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=${THREADS:-2}" \
       "-Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error"
}

# merge LINE... -> one report line: the median of the lines' median_ms, the largest peak_rss_mb
# (rounds of one case, run alternately with the other side so that both see the same machine)
merge() {
  local ms rss
  ms=$(printf '%s\n' "$@" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  rss=$(printf '%s\n' "$@" | sed -n 's/.*peak_rss_mb=\([0-9]*\).*/\1/p' | sort -n | tail -1)
  echo "merged median_ms=$ms peak_rss_mb=$rss"
}

# classpath MODULE -> prints MODULE/target/classes plus its dependencies (cached in target/)
classpath() {
  local file="$1/target/bench.classpath"
  if [ ! -s "$file" ]; then
    mvn -B -q -pl "$1" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile="$PWD/$file" >/dev/null
  fi
  echo "$1/target/classes:$(cat "$file")"
}

# row LABEL RESVISION_LINE TORCHVISION_LINE -> times, ratio, peak RSS, ratio
row() {
  local jm pm jr pr
  jm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$2"); pm=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$3")
  jr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$2"); pr=$(sed 's/.*peak_rss_mb=\([0-9]*\).*/\1/' <<<"$3")
  printf '%-24s %14s %14s %8s %14s %14s %10s\n' "$1" "$jm" "$pm" \
    "$(awk "BEGIN{printf \"%.2fx\", $jm/$pm}")" "$jr" "$pr" "$(awk "BEGIN{printf \"%.2fx\", $jr/$pr}")"
}

header() {
  printf '%-24s %14s %14s %8s %14s %14s %10s\n' case resvision_ms torchvision_ms ratio resvision_MB torchvision_MB rss_ratio
}
