#!/usr/bin/env python3
"""Where an op's time comes from in a libtorch profiler chrome trace: every call of OP grouped by the
chain of ops it ran inside (nesting by time on the same thread, up to 4 levels), with total ms and
calls, largest first. DJL's profiler records no input shapes, so the chain is what names the layer:
    tools/bench/profile_parents.py /tmp/java.json aten::copy_ [ROWS]
      115.1   27  aten::clone < aten::contiguous < aten::_convolution < aten::convolution
(traces from `resvision bench ... --profile` or the torchvision scripts' --profile; see profile_diff.py)
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from profile_diff import nested  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: profile_parents.py TRACE.json OP [ROWS]")
    path, op = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    total, calls = collections.Counter(), collections.Counter()
    for e, stack in nested(path):
        if e["name"] == op:
            chain = " < ".join(s["name"] for s in reversed(stack[-4:])) or "(top level)"
            total[chain] += e["dur"] / 1000.0
            calls[chain] += 1
    if not total:
        sys.exit("profile_parents.py: no %s in %s" % (op, path))
    for chain, ms in total.most_common(rows):
        print("%9.1f %5d  %s" % (ms, calls[chain], chain))


if __name__ == "__main__":
    main()
