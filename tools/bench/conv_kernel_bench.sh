#!/usr/bin/env bash
# One convolution in our libtorch (DJL) and in Debian's torch, NCHW and channels-last, the sides
# alternating: tells a slow kernel of this machine's libtorch apart from slow ResVision code.
#   tools/bench/conv_kernel_bench.sh [ROUNDS]   (build first: mvn -B -q install -DskipTests)
# Cases: fasterrcnn_resnet50_fpn_v2's shapes at 800 px: the RPN head / FPN 3x3 conv on P2
# (1x256x200x272) and a box-head 3x3 conv on 1000 RoIs (1000x256x7x7).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/compare.sh
ROUNDS=${1:-3}
CP=$(classpath tools)
ensure_openblas; blas_report
printf '%-26s %12s %12s %12s %12s\n' case ours_nchw torch_nchw ours_nhwc torch_nhwc
for shape in "1 256 200 272 256 3" "1000 256 7 7 256 3"; do
  ours=(); theirs=()
  for r in $(seq "$ROUNDS"); do
    # shellcheck disable=SC2046,SC2086
    ours+=("$(launcher_env predict java $(java_opts predict) -cp "$CP" org.resvision.tools.Main bench conv-kernel $shape 3 2>/dev/null | grep '^resvision')")
    theirs+=("$(THREADS=${THREADS:-2} launcher_env predict /usr/bin/python3 - $shape <<'PY'
import sys, time, statistics, os, torch
n, cin, h, w, cout, k = map(int, sys.argv[1:7])
torch.set_num_threads(int(os.environ.get("THREADS", "2")))
x = torch.randn(n, cin, h, w); wt = torch.randn(cout, cin, k, k); xl = x.contiguous(memory_format=torch.channels_last)
a, b = [], []
with torch.no_grad():
    for i in range(4):
        t = time.perf_counter(); torch.nn.functional.conv2d(x, wt, padding=k // 2); t1 = time.perf_counter()
        torch.nn.functional.conv2d(xl, wt, padding=k // 2); t2 = time.perf_counter()
        if i: a.append((t1 - t) * 1000); b.append((t2 - t1) * 1000)
print("torchvision nchw %.0f nhwc %.0f" % (statistics.median(a), statistics.median(b)))
PY
)")
  done
  med() { printf '%s\n' "$@" | awk -v f="$F" '{print $f}' | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
  F=3; on=$(med "${ours[@]}"); tn=$(med "${theirs[@]}")
  F=5; oh=$(med "${ours[@]}"); th=$(med "${theirs[@]}")
  printf '%-26s %12s %12s %12s %12s\n' "${shape// /x}" "$on" "$tn" "$oh" "$th"
done
