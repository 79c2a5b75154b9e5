"""What the torchvision same-recipe scripts (torchvision_detection.py, torchvision_segmentation.py)
share: the init / train command line, seeding and the starting weights, the data order, the loss
log (smoothed as ResVision logs it) and atomic result files."""
import argparse
import json
import os
import random
import sys
import time

import torch


def save_initial(c, build, out, what):
    """`init`: the config's model built with its seed; its state_dict saved (atomically) to `out`."""
    torch.manual_seed(c["seed"])
    model = build(c)
    torch.save(model.state_dict(), out + ".tmp")
    os.replace(out + ".tmp", out)
    print(f"initial weights of {what} ({sum(p.numel() for p in model.parameters())} parameters) -> {out}")


def seeded_model(c, build, init, threads):
    """`train`'s start: threads, the config's seed for torch and `random`, the model from `init`."""
    torch.set_num_threads(threads)
    torch.manual_seed(c["seed"])
    random.seed(c["seed"])
    model = build(c)
    model.load_state_dict(torch.load(init))
    return model


def shuffled_indices(n):
    """Sample indices forever, each epoch a fresh shuffle of range(n)."""
    while True:
        order = list(range(n))
        random.shuffle(order)
        while order:
            yield order.pop()


def check_finite(it, losses):
    loss = sum(losses.values())
    if not torch.isfinite(loss):
        sys.exit(f"iteration {it + 1}: loss {loss.item()} ({ {k: v.item() for k, v in losses.items()} })")
    return loss


class LossLog:
    """Every `every` iterations (and the last): the losses smoothed like ResVision's log (0.9 x
    previous + 0.1 x this step), the learning rate and seconds per iteration."""

    def __init__(self, iterations, every):
        self.iterations, self.every, self.smooth, self.t0 = iterations, every, {}, time.time()

    def update(self, it, losses, lr):
        for k, v in losses.items():
            self.smooth[k] = v.item() if k not in self.smooth else 0.9 * self.smooth[k] + 0.1 * v.item()
        if (it + 1) % self.every == 0 or it + 1 == self.iterations:
            s = (time.time() - self.t0) / (it + 1)
            print(f"it {it + 1}/{self.iterations} " + " ".join(f"{k} {v:.4f}" for k, v in self.smooth.items())
                  + f" lr {lr:.5f} {s:.2f}s/it", flush=True)

    def minutes(self):
        return (time.time() - self.t0) / 60


def write_json(path, obj):
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f)
    os.replace(path + ".tmp", path)


def main(doc, cmd_init, cmd_train, train_args):
    """`init --config C --out O` and `train --config C --init I --<train_args> ... [--threads 2]`."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("init")
    a.add_argument("--config", required=True)
    a.add_argument("--out", required=True)
    t = sub.add_parser("train")
    for k in ["config", "init"] + train_args:
        t.add_argument("--" + k, required=True)
    t.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    {"init": cmd_init, "train": cmd_train}[args.cmd](args)
