#!/usr/bin/python3
"""torchvision's GeneralizedRCNNTransform on a few images, for ResVision's transform tests.

Usage: transform_reference.py OUT_DIR
Writes OUT_DIR/transform.safetensors (inputs image<i> [3,H,W] in [0,1] and boxes<i>, the batched
output `batch`, resized boxes `out_boxes<i>`) and OUT_DIR/transform.json (min/max size, the
image sizes, and resize sizes for 500 random (h, w) pairs).
"""
import json
import os
import random
import sys

import torch
from torchvision.models.detection.transform import GeneralizedRCNNTransform

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import save_safetensors  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    min_size, max_size = 320, 512
    t = GeneralizedRCNNTransform(min_size, max_size, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    t.train()  # resize targets too; with one min_size the size is deterministic
    shapes = [(150, 113), (101, 150), (120, 160), (700, 600)]  # the last one is downsampled
    tensors = {}
    images, targets = [], []
    for i, (h, w) in enumerate(shapes):
        img = torch.rand(3, h, w)
        boxes = torch.tensor([[1.5, 2.0, 50.25, 60.0], [10.0, 20.0, w - 1.0, h - 2.0]])
        images.append(img)
        targets.append({"boxes": boxes, "labels": torch.tensor([1, 2])})
        tensors[f"image{i}"] = img
        tensors[f"boxes{i}"] = boxes
    with torch.no_grad():
        il, tg = t(images, targets)
    tensors["batch"] = il.tensors
    for i, tt in enumerate(tg):
        tensors[f"out_boxes{i}"] = tt["boxes"]
    save_safetensors(os.path.join(out, "transform.safetensors"), tensors)
    rnd = random.Random(1)
    sizes = []
    for _ in range(500):
        h, w = rnd.randint(10, 2000), rnd.randint(10, 2000)
        ti = GeneralizedRCNNTransform(800, 1333, [0.0] * 3, [1.0] * 3)
        ti.eval()
        r, _ = ti.resize(torch.zeros(1, h, w), None)
        sizes.append([h, w, r.shape[-2], r.shape[-1]])
    with open(os.path.join(out, "transform.json"), "w") as f:
        json.dump({"min_size": min_size, "max_size": max_size, "image_sizes": il.image_sizes, "sizes_800_1333": sizes}, f)


if __name__ == "__main__":
    main()
