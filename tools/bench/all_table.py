"""The table of tools/bench/all.sh: reads OUT/raw.tsv (case, side, round, the bench's line) and
OUT/header.txt, writes OUT/all.md and OUT/all.json and prints the markdown.

A cell is the median over rounds of each process's median_ms; the spread is the rounds' minimum
and maximum of it; the RSS is the largest peak_rss_mb over rounds. A failed process (a line
without median_ms) is counted and its case marked, never averaged in.
    python3 tools/bench/all_table.py OUT
"""
import json
import re
import statistics
import sys
from collections import OrderedDict


def parse(line):
    ms = re.search(r"median_ms=([0-9.]+)", line)
    rss = re.search(r"peak_rss_mb=([0-9]+)", line)
    return (float(ms.group(1)) if ms else None, int(rss.group(1)) if rss else None)


def side_summary(rows):
    times = [ms for ms, _ in rows if ms is not None]
    rss = [r for _, r in rows if r is not None]
    return {
        "median_ms": round(statistics.median(times), 1) if times else None,
        "min_ms": min(times) if times else None,
        "max_ms": max(times) if times else None,
        "rounds": len(times),
        "failed": len(rows) - len(times),
        "peak_rss_mb": max(rss) if rss else None,
    }


def main(out):
    cases = OrderedDict()
    with open(f"{out}/raw.tsv") as f:
        for raw in f:
            name, side, _round, line = raw.rstrip("\n").split("\t", 3)
            cases.setdefault(name, {"resvision": [], "torchvision": []})[side].append(parse(line))
    header = open(f"{out}/header.txt").read().strip().splitlines()
    table = []
    for name, sides in cases.items():
        ours, theirs = side_summary(sides["resvision"]), side_summary(sides["torchvision"])
        ratio = rss_ratio = None
        if ours["median_ms"] and theirs["median_ms"]:
            ratio = round(ours["median_ms"] / theirs["median_ms"], 3)
        if ours["peak_rss_mb"] and theirs["peak_rss_mb"]:
            rss_ratio = round(ours["peak_rss_mb"] / theirs["peak_rss_mb"], 3)
        table.append({"case": name, "resvision": ours, "torchvision": theirs, "ratio": ratio, "rss_ratio": rss_ratio})
    with open(f"{out}/all.json", "w") as f:
        json.dump({"header": header, "cases": table}, f, indent=1)

    def spread(s):
        return "failed" if s["median_ms"] is None else f"{s['min_ms']:.0f}-{s['max_ms']:.0f}"

    def num(v, fmt):
        return "-" if v is None else format(v, fmt)

    lines = [h.lstrip("# ") for h in header]
    lines.append("")
    lines.append("| case | ResVision ms | torchvision ms | ratio | ResVision spread | torchvision spread "
                 "| ResVision MB | torchvision MB | RSS ratio |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for row in table:
        o, t = row["resvision"], row["torchvision"]
        mark = " (failed rounds: %d/%d)" % (o["failed"], t["failed"]) if o["failed"] or t["failed"] else ""
        lines.append(f"| {row['case']}{mark} | {num(o['median_ms'], '.0f')} | {num(t['median_ms'], '.0f')} "
                     f"| {num(row['ratio'], '.2f')}x | {spread(o)} | {spread(t)} | {num(o['peak_rss_mb'], 'd')} "
                     f"| {num(t['peak_rss_mb'], 'd')} | {num(row['rss_ratio'], '.2f')}x |")
    md = "\n".join(lines) + "\n"
    with open(f"{out}/all.md", "w") as f:
        f.write(md)
    print(md, end="")
    failed = sum(r["resvision"]["failed"] + r["torchvision"]["failed"] for r in table)
    if failed:
        print(f"{failed} process(es) failed; see {out}/raw.tsv", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
