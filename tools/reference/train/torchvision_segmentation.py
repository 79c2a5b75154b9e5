#!/usr/bin/python3
"""The same FCN recipe in torchvision, for comparing convergence with ResVision.

Usage:
  /usr/bin/python3 tools/reference/train/torchvision_segmentation.py init --config C.json --out INIT.pth
      builds torchvision's FCN for ResVision segmentation config C (fcn_small, fcn_resnet50 or
      fcn_resnet101 + overrides) with the config's seed and saves its initial state_dict;
      `resvision train --init INIT.pth` starts ResVision from the very same weights.
  /usr/bin/python3 tools/reference/train/torchvision_segmentation.py train --config C.json --init INIT.pth
      --data VOC_DIR --out RESULT.json [--threads 2]
      trains on VOC_DIR's train split with the config's recipe (torchvision's segmentation
      reference: random short side in [0.5, 2] x base_size, pad (0 / 255) and random crop to
      crop_size, horizontal flip 0.5; SGD momentum/weight decay, poly lr (1 - it/max)^0.9;
      cross-entropy ignoring 255 + 0.5 x aux) and evaluates on the val split resized to
      base_size (per-class IoU, mIoU, pixel accuracy -> RESULT.json; also every checkpoint_every
      iterations). Losses are logged smoothed (0.9 x previous + 0.1 x this step), as ResVision logs.

fcn_small is ResNet-18 dilated to output stride 8, which torchvision's BasicBlock refuses
(dilation > 1); DilatedBasicBlock below is BasicBlock with both 3x3 convs dilated, as in
ResVision, and the same parameter names. Resizing is F.interpolate (bilinear without antialias
for images, nearest for class maps), the same arithmetic as ResVision's transforms. Data order
and the augmentation draws differ from ResVision's (different RNGs); the recipe and the starting
point are the same.
"""
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.models import resnet
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.fcn import FCN, FCNHead

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recipe_common import LossLog, check_finite, save_initial, seeded_model, shuffled_indices, write_json  # noqa: E402
from recipe_common import main as recipe_main  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
IGNORE = 255
# SegmentationConfig's defaults (torchvision's reference recipe)
DEFAULTS = dict(model="fcn_resnet50", num_classes=21, class_names=None, aux=True, base_size=520, crop_size=480,
                batch_size=8, iterations=30000, lr=0.01, momentum=0.9, weight_decay=1e-4, seed=0, log_every=20,
                checkpoint_every=1000)
ARCH = {"fcn_small": ("resnet18", 512, 256), "fcn_resnet50": ("resnet50", 2048, 1024),
        "fcn_resnet101": ("resnet101", 2048, 1024)}


class DilatedBasicBlock(resnet.BasicBlock):
    """torchvision's BasicBlock with both 3x3 convs dilated (padding = dilation)."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__(inplanes, planes, stride, downsample, groups, base_width, 1, norm_layer)
        self.conv1 = resnet.conv3x3(inplanes, planes, stride, dilation=dilation)
        self.conv2 = resnet.conv3x3(planes, planes, dilation=dilation)


def read_config(path):
    with open(path) as f:
        user = json.load(f)
    c = dict(DEFAULTS)
    c.update({k: v for k, v in user.items() if k in DEFAULTS})
    if c["model"] not in ARCH:
        sys.exit(f"{path}: unknown model '{c['model']}' ({', '.join(ARCH)})")
    return c


def build(c):
    arch, c4, c3 = ARCH[c["model"]]
    dilate = [False, True, True]
    if arch == "resnet18":
        # ResNet.__init__ re-initialises every conv and BN the same way for any block type
        body = resnet.ResNet(DilatedBasicBlock, [2, 2, 2, 2], replace_stride_with_dilation=dilate)
    else:
        body = getattr(resnet, arch)(weights=None, replace_stride_with_dilation=dilate)
    layers = {"layer4": "out", "layer3": "aux"} if c["aux"] else {"layer4": "out"}
    backbone = IntermediateLayerGetter(body, return_layers=layers)
    aux = FCNHead(c3, c["num_classes"]) if c["aux"] else None
    return FCN(backbone, FCNHead(c4, c["num_classes"]), aux)


def split_ids(root, split):
    for sub in ("Segmentation", "Main"):
        p = os.path.join(root, "ImageSets", sub, split + ".txt")
        if os.path.exists(p):
            with open(p) as f:
                return [line.split()[0] for line in f if line.strip()]
    sys.exit(f"{root}: no ImageSets/Segmentation/{split}.txt")


def load(root, ids):
    """(image [3, H, W] float in [0, 1], class map [H, W] int64) per id, decoded once."""
    items = []
    for i in ids:
        paths = [os.path.join(root, "JPEGImages", i + ".jpg"), os.path.join(root, "SegmentationClass", i + ".png")]
        try:
            img = np.asarray(Image.open(paths[0]).convert("RGB"))
            seg = np.asarray(Image.open(paths[1]))
        except OSError as e:
            sys.exit(f"{e.filename or paths[0]}: cannot read ({e.strerror or e})")
        items.append((torch.from_numpy(img.copy()).permute(2, 0, 1).float() / 255.0, torch.from_numpy(seg.astype(np.int64))))
    return items


def resize(img, seg, size):
    """Short side to `size` (image bilinear, map nearest), like ResVision's Transforms.resize."""
    h, w = img.shape[1:]
    nh, nw = (size, size * w // h) if h <= w else (size * h // w, size)
    img = F.interpolate(img[None], size=(nh, nw), mode="bilinear", align_corners=False)[0]
    seg = F.interpolate(seg[None, None].float(), size=(nh, nw), mode="nearest")[0, 0].long()
    return img, seg


def augment(img, seg, c):
    lo, hi = int(c["base_size"] * 0.5 + 0.5), int(c["base_size"] * 2.0 + 0.5)  # Java Math.round
    img, seg = resize(img, seg, random.randint(lo, hi))
    crop = c["crop_size"]
    ph, pw = max(crop, img.shape[1]), max(crop, img.shape[2])
    img = F.pad(img, (0, pw - img.shape[2], 0, ph - img.shape[1]), value=0.0)
    seg = F.pad(seg, (0, pw - seg.shape[1], 0, ph - seg.shape[0]), value=IGNORE)
    y, x = random.randint(0, ph - crop), random.randint(0, pw - crop)
    img, seg = img[:, y:y + crop, x:x + crop], seg[y:y + crop, x:x + crop]
    if random.random() < 0.5:
        img, seg = img.flip(-1), seg.flip(-1)
    return (img - MEAN) / STD, seg


def loss_of(out, target):
    losses = {"out": F.cross_entropy(out["out"], target, ignore_index=IGNORE)}
    if "aux" in out:
        losses["aux"] = 0.5 * F.cross_entropy(out["aux"], target, ignore_index=IGNORE)
    return losses


def evaluate(model, items, c):
    n = c["num_classes"]
    cm = torch.zeros(n, n, dtype=torch.int64)
    model.eval()
    with torch.no_grad():
        for img, seg in items:
            img, seg = resize(img, seg, c["base_size"])
            pred = model(((img - MEAN) / STD)[None])["out"].argmax(1)[0]
            k = seg != IGNORE
            cm += torch.bincount(seg[k] * n + pred[k], minlength=n * n).reshape(n, n)
    cm = cm.double()
    iou = cm.diag() / (cm.sum(0) + cm.sum(1) - cm.diag())
    return {"miou": iou.nanmean().item(), "pixel_accuracy": (cm.diag().sum() / cm.sum()).item(),
            "iou": [None if v != v else v for v in iou.tolist()]}


def cmd_init(args):
    c = read_config(args.config)
    save_initial(c, build, args.out, c["model"])


def cmd_train(args):
    c = read_config(args.config)
    model = seeded_model(c, build, args.init, args.threads)
    train = load(args.data, split_ids(args.data, "train"))
    val = load(args.data, split_ids(args.data, "val"))
    opt = torch.optim.SGD(model.parameters(), lr=c["lr"], momentum=c["momentum"], weight_decay=c["weight_decay"])
    order = shuffled_indices(len(train))
    log = LossLog(c["iterations"], c["log_every"])
    for it in range(c["iterations"]):
        model.train()
        images, targets = [], []
        for _ in range(c["batch_size"]):
            img, seg = augment(*train[next(order)], c)
            images.append(img)
            targets.append(seg)
        lr = c["lr"] * (1 - it / c["iterations"]) ** 0.9
        for g in opt.param_groups:
            g["lr"] = lr
        losses = loss_of(model(torch.stack(images)), torch.stack(targets))
        loss = check_finite(it, losses)
        opt.zero_grad()
        loss.backward()
        opt.step()
        log.update(it, losses, lr)
        if (it + 1) % c["checkpoint_every"] == 0 and it + 1 < c["iterations"]:
            r = evaluate(model, val, c)
            print(f"eval @{it + 1}: mIoU {100 * r['miou']:.1f}%, pixel accuracy {100 * r['pixel_accuracy']:.1f}%", flush=True)
    r = evaluate(model, val, c)
    names = c["class_names"] or [f"class_{i}" for i in range(c["num_classes"])]
    for name, v in zip(names, r["iou"]):
        print(f"{name:20s} {'-' if v is None else f'{100 * v:.1f}%'}")
    print(f"mIoU {100 * r['miou']:.1f}%, pixel accuracy {100 * r['pixel_accuracy']:.1f}% on {len(val)} val images; "
          f"{log.minutes():.1f} min")
    write_json(args.out, r)


def main():
    recipe_main(__doc__, cmd_init, cmd_train, ["data", "out"])


if __name__ == "__main__":
    main()
