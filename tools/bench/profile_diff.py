#!/usr/bin/env python3
"""Compares two libtorch profiler chrome traces op by op (exclusive time: an op's duration minus
that of the ops it called on the same thread), e.g. one FCN training step of each side:
    ./resvision bench fcn --mode train --size 320 --batch 4 --iters 1 --profile /tmp/java.json
    /usr/bin/python3 tools/reference/bench/torchvision_fcn.py --mode train ... --profile /tmp/torch.json
    tools/bench/profile_diff.py /tmp/java.json /tmp/torch.json [ROWS]
"""
import collections
import json
import os
import sys


def nested(path):
    """Every complete event of the trace at PATH with the events it ran inside, outermost first
    (nesting by time on the same thread): yields (event, enclosing events). Exits with one line
    naming the file when it is not a chrome trace."""
    try:
        with open(path) as f:
            data = json.load(f)
        events = data["traceEvents"] if isinstance(data, dict) else data
    except (OSError, ValueError, KeyError) as e:
        sys.exit("%s: %s: not a readable chrome trace (%s)" % (os.path.basename(sys.argv[0]), path, e))
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[(e.get("pid"), e.get("tid"))].append(e)
    for evs in by_thread.values():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in evs:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            yield e, stack
            stack.append(e)


def exclusive_ms(path):
    total, calls = collections.Counter(), collections.Counter()
    for e, stack in nested(path):
        total[e["name"]] += e["dur"] / 1000.0
        calls[e["name"]] += 1
        if stack:
            total[stack[-1]["name"]] -= e["dur"] / 1000.0
    return total, calls


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: profile_diff.py A.json B.json [ROWS]")
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    a, ac = exclusive_ms(sys.argv[1])
    b, bc = exclusive_ms(sys.argv[2])
    names = sorted(set(a) | set(b), key=lambda n: -max(a.get(n, 0), b.get(n, 0)))
    print("%-48s %9s %5s %9s %5s" % ("op (exclusive ms)", "A", "calls", "B", "calls"))
    for n in names[:rows]:
        print("%-48s %9.1f %5d %9.1f %5d" % (n[:48], a.get(n, 0), ac.get(n, 0), b.get(n, 0), bc.get(n, 0)))
    print("%-48s %9.1f %5s %9.1f" % ("all ops", sum(a.values()), "", sum(b.values())))


if __name__ == "__main__":
    main()
