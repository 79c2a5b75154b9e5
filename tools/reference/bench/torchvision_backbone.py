#!/usr/bin/python3
"""torchvision side of the backbone benchmark (run with Debian's /usr/bin/python3).

One case per process, so that the peak RSS it prints belongs to that case alone:
  torchvision_backbone.py --arch resnet50 --size 224 --mode infer --batch 8 --iters 7 --warmup 2 --threads 2
Prints one line: `torchvision <mode> b<batch> median_ms=<..> min_ms=<..> peak_rss_mb=<..>`.
"""
import argparse
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from bench_report import report, sgd_step, timed_steps  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="resnet50")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--mode", choices=["infer", "train"], default="infer")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--iters", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", help="write a chrome trace of the last iteration here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.arch)(weights=None)
    x = torch.randn(a.batch, 3, a.size, a.size)
    if a.mode == "infer":
        model.eval()

        def step(i):
            with torch.no_grad():
                model(x)
    else:
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        labels = torch.randint(0, 1000, (a.batch,))

        def step(i):
            return sgd_step(opt, lambda: torch.nn.functional.cross_entropy(model(x), labels), i)
    times, last_loss = timed_steps(step, a.warmup, a.iters, a.profile)
    report(a.mode, a.batch, times, last_loss)


if __name__ == "__main__":
    main()
