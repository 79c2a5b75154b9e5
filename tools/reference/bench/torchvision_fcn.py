#!/usr/bin/python3
"""torchvision side of the FCN benchmark: fcn_resnet50 (aux) inference or a training step.
Usage: torchvision_fcn.py --mode infer|train --size S --batch B --iters N --warmup W --threads T
       [--profile TRACE.json]
"""
import argparse
import os
import sys

import torch
from torchvision.models.segmentation import fcn_resnet50

sys.path.insert(0, os.path.dirname(__file__))
from bench_report import report, sgd_step, timed_steps  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="infer")
    ap.add_argument("--size", type=int, default=520)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--profile", help="write a chrome trace of the last iteration here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = fcn_resnet50(weights=None, weights_backbone=None, aux_loss=True, num_classes=21)
    x = torch.randn(a.batch, 3, a.size, a.size)
    target = torch.randint(0, 21, (a.batch, a.size, a.size))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

    def loss():
        out = model(x)
        return torch.nn.functional.cross_entropy(out["out"], target, ignore_index=255) \
            + 0.5 * torch.nn.functional.cross_entropy(out["aux"], target, ignore_index=255)

    def step(i):
        if a.mode == "train":
            model.train()
            return sgd_step(opt, loss, i)
        model.eval()
        with torch.no_grad():
            model(x)

    times, last_loss = timed_steps(step, a.warmup, a.iters, a.profile)
    report(a.mode, a.batch, times, last_loss)


if __name__ == "__main__":
    main()
