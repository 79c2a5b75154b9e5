#!/usr/bin/python3
"""torchvision side of the Faster R-CNN benchmark: inference (model(images), transform and
post-processing included) or a training step (losses, backward, SGD step) of a ResNet-FPN Faster
R-CNN with FrozenBatchNorm and 3 trainable stages, 91 classes, synthetic images, 5 boxes each;
--arch resnet50_v2 is fasterrcnn_resnet50_fpn_v2 (BatchNorm body, FPN and box head; 3 trainable stages).
Usage: torchvision_detection.py --arch resnet50|resnet18|resnet50_v2 --mode infer|train --min-size S --batch B
                                --height H --width W --iters N --warmup W --threads T --weights W.pth
                                [--lr LR] [--profile TRACE.json]
"""
import argparse
import os
import random
import sys

import torch
from torchvision.models import resnet
from torchvision.models.detection import FasterRCNN, fasterrcnn_resnet50_fpn_v2
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops.misc import FrozenBatchNorm2d

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
from bench_report import report, sgd_step, timed_steps  # noqa: E402
from make_fixtures import calibrate_bn  # noqa: E402


def build(arch, min_size):
    if arch == "resnet50_v2":
        model = fasterrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None, num_classes=91, min_size=min_size,
                                           max_size=round(min_size * 1333 / 800))
        for name, p in model.backbone.body.named_parameters():  # trainable_backbone_layers=3, as with trained weights
            if not any(name.startswith(l) for l in ["layer4", "layer3", "layer2"]):
                p.requires_grad_(False)
        return model
    body = getattr(resnet, arch)(weights=None, norm_layer=FrozenBatchNorm2d)
    return FasterRCNN(_resnet_fpn_extractor(body, 3), num_classes=91, min_size=min_size, max_size=round(min_size * 1333 / 800))


def bench_weights(arch, min_size, path):
    """The weights both sides load: random, with the frozen BN statistics of a BatchNorm ResNet
    calibrated on a few images (with identity BN the activations of a random ResNet grow by orders
    of magnitude and the timings would not be those of a real model)."""
    if not os.path.exists(path) and arch == "resnet50_v2":
        from detection_fixtures import calibrate_all_bn, raw_images
        torch.manual_seed(0)
        model = build(arch, min_size)
        calibrate_all_bn(model, [raw_images([(480, 640)], 1)], 0)
        with torch.no_grad():  # as below
            model.roi_heads.box_predictor.cls_score.weight.mul_(0.1)
            model.roi_heads.box_predictor.cls_score.bias.zero_()
            model.roi_heads.box_predictor.cls_score.bias[0] = 4.0
        torch.save(model.state_dict(), path + ".tmp")
        os.replace(path + ".tmp", path)
    if not os.path.exists(path):
        torch.manual_seed(0)
        plain = getattr(resnet, arch)(weights=None)
        calibrate_bn(plain, 0)
        model = build(arch, min_size)
        state = {k: v for k, v in plain.state_dict().items() if not k.startswith("fc.") and not k.endswith("num_batches_tracked")}
        model.backbone.body.load_state_dict(state)
        # a trained detector's box classifier says "background" for most proposals; random heads on
        # calibrated features give peaked scores for all 90 classes instead, and post-processing
        # (NMS over tens of thousands of candidates above 0.05) would dominate both timings
        with torch.no_grad():
            model.roi_heads.box_predictor.cls_score.weight.mul_(0.1)
            model.roi_heads.box_predictor.cls_score.bias.zero_()
            model.roi_heads.box_predictor.cls_score.bias[0] = 4.0
        torch.save(model.state_dict(), path + ".tmp")
        os.replace(path + ".tmp", path)
    return torch.load(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="resnet50")
    ap.add_argument("--mode", default="infer")
    ap.add_argument("--min-size", type=int, default=800)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weights", required=True, help="made here when missing; the Java side loads the same file")
    ap.add_argument("--lr", type=float, default=1e-4,
                    help="SGD learning rate of the training step (at 0.01 the random heads diverge within 3 steps)")
    ap.add_argument("--profile", help="write a chrome trace of the last iteration here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build(a.arch, a.min_size)
    model.load_state_dict(bench_weights(a.arch, a.min_size, a.weights))
    if a.iters == 0:
        return  # only the weights were asked for
    images = [torch.rand(3, a.height, a.width) for _ in range(a.batch)]
    rnd = random.Random(0)
    targets = []
    for _ in range(a.batch):
        b = []
        for _ in range(5):
            x, y = rnd.random() * a.width * 0.6, rnd.random() * a.height * 0.6
            b.append([x, y, x + 20 + rnd.random() * a.width * 0.3, y + 20 + rnd.random() * a.height * 0.3])
        targets.append({"boxes": torch.tensor(b), "labels": torch.tensor([1 + rnd.randrange(90) for _ in range(5)])})
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=1e-4)

    def step(i):
        if a.mode == "train":
            model.train()
            return sgd_step(opt, lambda: sum(model(images, targets).values()), i)
        model.eval()
        with torch.no_grad():
            model(images)

    times, last_loss = timed_steps(step, a.warmup, a.iters, a.profile)
    report(a.mode, a.batch, times, last_loss)


if __name__ == "__main__":
    main()
