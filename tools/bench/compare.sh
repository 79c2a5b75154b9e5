# Shared by the bench drivers (source it): a module's runtime classpath, and one table row.

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
