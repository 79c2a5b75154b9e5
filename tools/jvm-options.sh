# The JVM options of a resvision command, sourced by the launcher (./resvision) and by the
# benchmark drivers, so that benchmarks measure what users run. RESVISION_JAVA_OPTS replaces them.
#   resvision_jvm_opts COMMAND -> the options, on one line
# - The serial collector: models live in native memory, which no collector sees; the heap holds
#   bookkeeping, and a concurrent collector's threads would compete with libtorch's for the cores.
# - The evaluators run for seconds, too short for the optimising JIT to pay for itself: quick
#   compiler only (measured on 2 cores: coco-eval bbox 2.4-2.8 s -> 1.9-2.0 s).
# - coco-eval keeps ~130 MB of matching state alive at val2017 scale, and copying it is a young
#   collection's work: the parallel collector on a fixed 128 MB young generation does it on both
#   cores (bbox, whole command: serial 1.79 s with 0.55 s of pauses -> 1.58 s with 0.33 s; peak RSS
#   the same, ~320 MB), and maps its classes from the archive the build makes (AppCDS: a small
#   evaluation 0.41-0.42 -> 0.33-0.36 s, val2017 bbox ~0.08 s less).
# - The model commands start with a small heap and a 32 MB young generation: per training or
#   inference step they allocate short-lived arrays only (sampling, matching, NMS), and with the
#   JVM's defaults (an initial heap of 1/64 of RAM, a third of it young) those arrays walk through
#   ~100 MB of eden whose pages then stay resident, part of the peak RSS the benchmarks compare.
# - resvision_malloc_env COMMAND exports glibc malloc settings for `train` (none that the user has
#   set is changed). By default glibc serves blocks above a moving threshold with fresh mmap()s and
#   trims freed heap tops at once, so a training step's large tensors (RoIAlign's pooled features,
#   activations, their gradients) come in as new pages, each faulted in and zeroed by the kernel:
#   in the demo's training step a 25 MB zero-fill took 47 ms instead of 5. Blocks up to 32 MB
#   (glibc's largest threshold) come from the heap, which keeps 4 GB before trimming and grows
#   256 MB at a time: the demo's training (R18-FPN small preset, 96x72, batch 8) 0.46 -> 0.32 s/it
#   with 5-10% more peak RSS (README "Benchmarks", "Trading memory for speed").
resvision_malloc_env() {
  if [ "${1:-}" = train ] && [ -z "${MALLOC_MMAP_THRESHOLD_:-}${MALLOC_TRIM_THRESHOLD_:-}${MALLOC_TOP_PAD_:-}" ]; then
    export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456
  fi
}

resvision_jvm_opts() {
  local opts="-XX:+UseSerialGC"
  case "${1:-}" in
    coco-eval)
      opts="-XX:+UseParallelGC -Xmn128m -XX:TieredStopAtLevel=1"
      # the class-data archive made at package time (tools/pom.xml); the JVM ignores one that does
      # not match the jars (a rebuild without it), hence no messages about it
      local jsa
      jsa="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/target/coco-eval.jsa"
      [ -f "$jsa" ] && opts="$opts -XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
      ;;
    voc-eval) opts="$opts -XX:TieredStopAtLevel=1" ;;
    train|predict|evaluate|annotate-video|features) opts="$opts -Xms64m -Xmn32m" ;;
  esac
  printf '%s\n' "$opts"
}
