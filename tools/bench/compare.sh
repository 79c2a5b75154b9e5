# Shared by the bench drivers (source it): a module's runtime classpath, the JVM options users
# get (the launcher's, tools/jvm-options.sh), interleaved rounds, and one table row.

source "$(dirname "${BASH_SOURCE[0]}")/../jvm-options.sh"

# java_opts COMMAND -> the launcher's options for COMMAND plus the benchmark's thread counts
java_opts() {
  echo "$(resvision_jvm_opts "$1") -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=${THREADS:-2}" \
       "-Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=error"
}

# launcher_env COMMAND PROGRAM ARGS... -> PROGRAM run with the glibc malloc settings the launcher
# gives COMMAND (tools/jvm-options.sh: large blocks kept on the heap, huge pages for the larger
# ones), whichever side it is: Debian's torch allocates through the same malloc, and without them
# either side's time is mostly the kernel faulting in fresh pages. BENCH_MALLOC=glibc: glibc's
# defaults; BENCH_MALLOC=heap: train's settings without the huge pages (as where the kernel gives
# none on request).
launcher_env() {
  local cmd=$1
  shift
  (
    case ${BENCH_MALLOC:-} in
      glibc) ;;
      heap) RESVISION_THP_FILE=/dev/null resvision_malloc_env train ;;
      *) resvision_malloc_env "$cmd" ;;
    esac
    "$@"
  )
}

# malloc_report -> one comment line: which malloc settings the sides run with
malloc_report() {
  case ${BENCH_MALLOC:-} in
    glibc) echo "# glibc malloc defaults on both sides (BENCH_MALLOC=glibc)" ;;
    heap) echo "# both sides with the launcher's train malloc settings without huge pages (BENCH_MALLOC=heap)" ;;
    *) echo "# both sides with the launcher's malloc settings for the case's command (tools/jvm-options.sh: heap-keeping thresholds, glibc.malloc.hugetlb=1 where THP is on request; train: one arena, no mmaps, no thread caches or fast bins)" ;;
  esac
}

# merge LINE... -> one report line: the median of the lines' median_ms, the largest peak_rss_mb
# (rounds of one case, run alternately with the other side so that both see the same machine)
merge() {
  local ms rss
  ms=$(printf '%s\n' "$@" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  rss=$(printf '%s\n' "$@" | sed -n 's/.*peak_rss_mb=\([0-9]*\).*/\1/p' | sort -n | tail -1)
  echo "merged median_ms=$ms peak_rss_mb=$rss"
}

# classpath MODULE -> prints MODULE/target/classes plus its dependencies (cached in target/, made
# again when a pom.xml is newer than the cache: a module added or split changes the path)
classpath() {
  local file="$1/target/bench.classpath"
  if [ ! -s "$file" ] || [ -n "$(find . -name pom.xml -not -path '*/target/*' -newer "$file" -print -quit)" ]; then
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

# ensure_openblas -> installs Debian's OpenBLAS when missing: Debian's torch 1.13 is built with
# BLAS_INFO=generic and calls whatever libblas.so.3 the alternatives system names; without
# libopenblas0-pthread that is the reference BLAS, far slower on large fully-connected layers (the
# demo issue measured torchvision's R50-FPN inference at 800 px: 16 s with it, 2.2 s with OpenBLAS)
ensure_openblas() {
  dpkg -s libopenblas0-pthread >/dev/null 2>&1 && return 0
  echo "bench: installing libopenblas0-pthread so that torchvision's side runs at its best" >&2
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas0-pthread >/dev/null
}

# blas_report -> one line per side naming the BLAS its matrix products run on: the library Debian's
# torch has mapped after a product, and the BLAS inside DJL's libtorch (oneMKL, linked statically)
blas_report() {
  local py java lib
  py=$(/usr/bin/python3 -c "import torch; a = torch.randn(256, 256); a @ a
print(torch.__version__, next((l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()), 'none found'))")
  echo "# torchvision side: torch $py"
  case "$py" in *openblas*) ;; *) echo "# WARNING: torchvision's side does not run on OpenBLAS; its times are not its best" \
      "(install libopenblas0-pthread; update-alternatives --config libblas.so.3-x86_64-linux-gnu)";; esac
  lib=$(ls -d "${DJL_CACHE_DIR:-$HOME/.djl.ai}"/pytorch/*cpu*/libtorch_cpu.so 2>/dev/null | sort | tail -1)
  if [ -z "$lib" ]; then java="libtorch not yet extracted (DJL extracts it on first use)"
  elif grep -qa "oneAPI Math Kernel Library" "$lib"; then java="$lib (oneMKL, linked statically)"
  else java="$lib (no oneMKL inside)"; fi
  echo "# resvision side:   libtorch $java"
}

# header -> makes sure of OpenBLAS for the reference, says which BLAS each side uses, prints the columns
header() {
  ensure_openblas
  blas_report
  malloc_report
  printf '%-24s %14s %14s %8s %14s %14s %10s\n' case resvision_ms torchvision_ms ratio resvision_MB torchvision_MB rss_ratio
}
