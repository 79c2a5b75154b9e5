# The JVM options of a resvision command, sourced by the launcher (./resvision) and by the
# benchmark drivers, so that benchmarks measure what users run. RESVISION_JAVA_OPTS replaces them.
#   resvision_jvm_opts COMMAND -> the options, on one line
# - The serial collector: models live in native memory, which no collector sees; the heap holds
#   bookkeeping, and a concurrent collector's threads would compete with libtorch's for the cores.
# - The evaluators run for seconds, too short for the optimising JIT to pay for itself: quick
#   compiler only (measured on 2 cores: coco-eval bbox 2.4-2.8 s -> 1.9-2.0 s).
# - coco-eval keeps ~80 MB of results and matching state alive at val2017 scale (bbox), most of it in
#   large arrays (columns, flag pools). Arrays over 512 KB are made in the old generation at once
#   (PretenureSizeThreshold, honoured by the serial collector only), so young collections never
#   copy them; and the heap takes transparent huge pages where the kernel gives them on request
#   (madvise or always): a new heap page was a page fault and a 4 KB zero-fill each, and at 2 MB a
#   page there are 512 times fewer. Val2017 bbox, whole command, 2 cores: parallel collector with a
#   128 MB young generation 1.22-1.33 s (3 pauses, ~0.3 s), the same with huge pages 0.93-1.08 s,
#   serial with pretenuring and huge pages 0.84-0.96 s (one pause, 8-80 ms); peak RSS ~300 MB.
#   A segm evaluation kept ~700 k small live objects (the masks' strings and runs): objects that
#   survive one young collection go to the old generation at once (MaxTenuringThreshold=0), and
#   the heap starts at 4% of RAM (~1 GB here) so that the old generation does not fill and grow
#   through full collections: val2017 segm 3.8-3.9 s (24 pauses, 1.5 s) -> 2.6-3.1 s (22, 0.4 s).
#   Since segm results keep their mask strings packed in pages (no object per mask), the young
#   generation is 64 MB: fewer pages to fault in and zero; twice the collections, each copying as little.
#   Val2017, whole command, same session, 3 runs each: segm 128 MB 2.15-3.25 s (peak RSS 510-527 MB,
#   sys 0.5-1.1 s), 64 MB 1.80-2.59 s (444-475 MB, sys 0.15-0.27 s), 32 MB 2.00-2.12 s (426-434 MB);
#   bbox 0.83-0.91 s (301-309 MB), 0.74-0.78 s (272-278 MB), 0.76-1.01 s (251 MB). Since the ground
#   truth's reader, the results' chunks, the matching and the accumulation make little garbage, a
#   val2017 bbox evaluation allocates ~38 MB in the young generation and never collects (174 MB peak).
#   It maps its classes from the archive the build makes (AppCDS: a small evaluation 0.41-0.42 ->
#   0.33-0.36 s, val2017 bbox ~0.08 s less), picocli's among them: the build rewrites lib/'s copy of
#   picocli as version-52 class files (tools/src/build/ClassFileUpgrade.java), since JDK 17's archive
#   refuses its Java 5 ones (val2017 bbox, 8 alternating rounds: 0.88-1.08 -> 0.75-0.80 s).
#   Loops are compiled on stack after 15,000 turns (JDK default 60,000): a loop that runs once over
#   many items, such as the matching's pass over the 361 k detections, ran in the interpreter for a
#   sixth of its length (val2017 bbox, 8-10 alternating rounds, twice: median 0.72 -> 0.69 s and
#   0.70 -> 0.665 s, CPU 1.10 -> 1.06 s, phases: prepare 47 -> 39 ms, evaluate 139 -> 132 ms; segm
#   1.39 -> 1.31 s; at 2,000, 0.71 s: more is compiled; CompileThresholdScaling=0.1 0.80 s).
# - The model commands start with a small heap and a 32 MB young generation: per training or
#   inference step they allocate short-lived arrays only (sampling, matching, NMS), and with the
#   JVM's defaults (an initial heap of 1/64 of RAM, a third of it young) those arrays walk through
#   ~100 MB of eden whose pages then stay resident, part of the peak RSS the benchmarks compare.
# - resvision_malloc_env COMMAND exports glibc malloc settings for the model commands (train,
#   predict, evaluate, annotate-video, features; none that the user has set is changed). By default
#   glibc serves blocks above a moving threshold with fresh mmap()s and trims freed heap tops at
#   once, so a step's large tensors (activations, RoIAlign's pooled features, gradients, oneDNN's
#   blocked copies of a convolution's input and output) come in as new pages, each faulted in and
#   zeroed by the kernel: in the demo's training step a 25 MB zero-fill took 47 ms instead of 5.
#   Blocks up to 32 MB (glibc's largest threshold) come from the heap, which keeps 4 GB before
#   trimming and grows 256 MB at a time: the demo's training (R18-FPN small preset, 96x72, batch 8)
#   0.46 -> 0.32 s/it with 5-10% more peak RSS. Blocks above 32 MB are still mapped per use (an
#   FCN's 2048x65x65 map is 35 MB); where the kernel gives transparent huge pages on request,
#   glibc.malloc.hugetlb=1 asks for them (madvise) on glibc's mappings, which are then faulted in
#   2 MB at a time: measured side by side on 2 cores (our side, heap settings without -> with
#   huge pages): FCN-ResNet50 training step (320 px, batch 4) 8.1-9.7 -> 5.2-5.6 s, Faster R-CNN
#   R50-FPN training step (512 px, batch 2) 5.5-6.8 -> 3.4-3.6 s, FCN inference at 520 px
#   1.34-1.89 -> 1.08-1.13 s (README "Benchmarks", "Trading memory for speed").
# - train: one arena and no mmap()ed blocks (MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0), with no per-thread
#   cache and no fast bins (glibc.malloc.tcache_count=0, glibc.malloc.mxfast=0). The JVM runs main()
#   on a thread of its own, and glibc gives such a thread an arena of 64 MB heaps, which cannot hold
#   a block over 32 MB: those were mapped and faulted in afresh at every use, while Python runs torch
#   on the process's first thread, whose main arena keeps them. On the main arena alone they are
#   reused, but small blocks held in the thread caches and fast bins sit between freed large ones and
#   keep them from merging, so the heap grew. FCN-ResNet50 training step (320 px, batch 4, 2 cores,
#   2026-12-07, our side): the settings above alone 4864-5693 ms, peak RSS 3151-3627 MB; one arena
#   and no mmaps 4471-4681 ms, 3705-4054 MB; the thread caches off too 4099-4115 ms, 3224-3307 MB;
#   and the fast bins 4160-4734 ms, 2882-3004 MB (8 runs). R50-FPN training (512 px, batch 2)
#   3781-3973 -> 3020-3150 ms; the demo's training the same speed with 9% less peak RSS. Inference
#   keeps the settings above (no gain measured there). README "Trading memory for speed".
resvision_malloc_env() {
  case ${1:-} in train | predict | evaluate | annotate-video | features) ;; *) return 0 ;; esac
  if [ -z "${MALLOC_MMAP_THRESHOLD_:-}${MALLOC_TRIM_THRESHOLD_:-}${MALLOC_TOP_PAD_:-}" ]; then
    export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456
  fi
  # set, even if empty (an empty MALLOC_MMAP_MAX_ reads as 0), or named in GLIBC_TUNABLES: the user's
  if [ "$1" = train ]; then
    case ${MALLOC_ARENA_MAX+set}${GLIBC_TUNABLES:-} in set* | *glibc.malloc.arena_max*) ;; *) export MALLOC_ARENA_MAX=1 ;; esac
    case ${MALLOC_MMAP_MAX_+set}${GLIBC_TUNABLES:-} in set* | *glibc.malloc.mmap_max*) ;; *) export MALLOC_MMAP_MAX_=0 ;; esac
  fi
  if [ -z "${GLIBC_TUNABLES+set}" ]; then
    local t=
    resvision_thp && t=glibc.malloc.hugetlb=1
    [ "$1" = train ] && t=${t:+$t:}glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0
    [ -z "$t" ] || export GLIBC_TUNABLES=$t
  fi
}

# This file's folder (tools/), absolute, found without a subshell: the launcher's own overhead is
# part of every command's time (each fork costs milliseconds), and coco-eval takes under a second.
_resvision_tools=${BASH_SOURCE[0]%/*}
[ "$_resvision_tools" = "${BASH_SOURCE[0]}" ] && _resvision_tools=.
case $_resvision_tools in /*) ;; .) _resvision_tools=$PWD ;; *) _resvision_tools=$PWD/$_resvision_tools ;; esac

# True where the kernel gives transparent huge pages to a process that asks (THP "madvise" or
# "always"); false where it does not, as the JVM would warn there.
resvision_thp() {
  local f=${RESVISION_THP_FILE:-/sys/kernel/mm/transparent_hugepage/enabled} mode=
  [ -r "$f" ] && read -r mode < "$f"
  case $mode in *'[madvise]'* | *'[always]'*) return 0 ;; esac
  return 1
}

# Prints the options, and leaves them in $resvision_opts (the launcher reads that, without the
# subshell a $(...) would fork).
resvision_jvm_opts() {
  local opts="-XX:+UseSerialGC"
  case "${1:-}" in
    coco-eval)
      opts="-XX:+UseSerialGC -Xmn64m -XX:PretenureSizeThreshold=512k -XX:MaxTenuringThreshold=0 -XX:InitialRAMPercentage=4"
      opts="$opts -XX:TieredStopAtLevel=1 -XX:-UsePerfData" # no hsperfdata file (jstat): a few ms of start-up
      # loops that run once over many items (the matching's pass over 361 k detections) are compiled
      # on stack after 15 k turns rather than 60 k
      opts="$opts -XX:Tier3BackEdgeThreshold=15000"
      resvision_thp && opts="$opts -XX:+UseTransparentHugePages"
      # the class-data archive made at package time (tools/pom.xml), or the one the binary
      # distribution's launcher names in $resvision_jsa (made at an install's first coco-eval; empty:
      # none); the JVM ignores one that does not match the jars (a rebuild without it), hence no
      # messages about it; none on a path with white space, which the launchers' unquoted options would split
      local jsa=${resvision_jsa-$_resvision_tools/target/coco-eval.jsa}
      case $jsa in
        *[[:space:]]*) ;;
        *) [ -f "$jsa" ] && opts="$opts -XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off" ;;
      esac
      ;;
    voc-eval) opts="$opts -XX:TieredStopAtLevel=1" ;;
    train|annotate-video) opts="$opts -Xms64m -Xmn32m" ;;
    # features: the JVM's work is glue around libtorch's calls, and the optimising compiler's
    # threads would take the cores from libtorch's in the first seconds (ResNet-50 at batch 1, 7
    # timed steps after 2 warm-up steps, 6 alternating rounds: 64.5-72.6 ms per step -> 60.9-67.2
    # ms; after 40 warm-up steps both ~48-52 ms); the glue is compiled after a tenth of the usual
    # calls, since until then the interpreter runs it between libtorch's calls (same bench, 4
    # alternating rounds: 57.5-64.0 ms -> 52.8-57.4 ms). predict and evaluate keep both compilers
    # (with the early compiling): a detector pools its RoIs in Java (RoiAlign's inference path,
    # 4,000 RoIs of 256 channels per batch of 4), a loop only the optimising compiler vectorises
    # (ResNet18-FPN at 320 px, batch 4: 1956-2031 -> 1387 ms a batch; ResNet50-FPN at 800 px
    # 1556-1601 -> 1418-1460 ms). annotate-video keeps both compilers too: it draws every frame
    # in Java for minutes (60 frames: no difference measured).
    predict|evaluate) opts="$opts -Xms64m -Xmn32m -XX:CompileThresholdScaling=0.1" ;;
    features) opts="$opts -Xms64m -Xmn32m -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.1" ;;
  esac
  resvision_opts=$opts
  printf '%s\n' "$opts"
}
