#!/usr/bin/python3
"""The same Faster R-CNN recipe in torchvision, for comparing convergence with ResVision.

Usage:
  /usr/bin/python3 tools/reference/train/torchvision_detection.py init --config C.json --out INIT.pth
      builds torchvision's model for ResVision config C (fasterrcnn_resnet18_fpn_small or any
      preset + overrides) with a seed and saves its initial state_dict; `resvision train --init
      INIT.pth` starts ResVision from the very same weights.
  /usr/bin/python3 tools/reference/train/torchvision_detection.py train --config C.json --init INIT.pth
      --data TRAIN.json --val VAL.json --images DIR --out RESULTS.json [--threads 2]
      trains with the config's recipe (batch size, iterations, SGD momentum/weight decay, linear
      warm-up from 0.001x, multi-step x0.1, horizontal flip 0.5, loss = sum of the four losses)
      and writes the val detections as COCO results (score them with `resvision coco-eval`). Losses
      are logged every log_every iterations, smoothed as ResVision logs them.

Data order and the samplers' random draws differ from ResVision's (different RNGs); the recipe
and the starting point are the same.
"""
import json
import math
import os
import random
import sys

import torch
import torchvision
from torchvision.models import resnet
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recipe_common import LossLog, check_finite, save_initial, seeded_model, shuffled_indices, write_json  # noqa: E402
from recipe_common import main as recipe_main  # noqa: E402

PRESETS = {
    "fasterrcnn_resnet50_fpn": dict(backbone="resnet50"),
    "fasterrcnn_resnet18_fpn": dict(backbone="resnet18"),
    "fasterrcnn_resnet18_fpn_small": dict(
        backbone="resnet18", norm="batchnorm", trainable_layers=5, fpn_channels=128, representation_size=256,
        num_classes=5, min_size=160, max_size=224, anchor_sizes=[[16], [32], [64], [128], [256]],
        rpn_pre_nms_top_n_train=1000, rpn_post_nms_top_n_train=500, rpn_pre_nms_top_n_test=500,
        rpn_post_nms_top_n_test=300, box_batch_size_per_image=128, batch_size=4, iterations=600, lr=0.02,
        milestones=[450, 550], warmup_iters=50),
}
DEFAULTS = dict(backbone="resnet50", fpn_channels=256, trainable_layers=3, norm="frozen", norm_eps=1e-5, num_classes=91,
                min_size=800, max_size=1333, anchor_sizes=[[32], [64], [128], [256], [512]],
                aspect_ratios=[[0.5, 1.0, 2.0]] * 5, rpn_pre_nms_top_n_train=2000, rpn_pre_nms_top_n_test=1000,
                rpn_post_nms_top_n_train=2000, rpn_post_nms_top_n_test=1000, rpn_nms_thresh=0.7, rpn_fg_iou_thresh=0.7,
                rpn_bg_iou_thresh=0.3, rpn_batch_size_per_image=256, rpn_positive_fraction=0.5, rpn_score_thresh=0.0,
                box_roi_output=7, box_sampling_ratio=2, representation_size=1024, box_score_thresh=0.05,
                box_nms_thresh=0.5, box_detections_per_img=100, box_fg_iou_thresh=0.5, box_bg_iou_thresh=0.5,
                box_batch_size_per_image=512, box_positive_fraction=0.25, bbox_reg_weights=[10.0, 10.0, 5.0, 5.0],
                batch_size=2, iterations=90000, lr=0.02, momentum=0.9, weight_decay=1e-4, decay_norm_and_bias=True,
                lr_schedule="multistep", milestones=[60000, 80000], warmup_iters=1000, clip_grad_norm=0.0,
                horizontal_flip=True, seed=0, log_every=20)


def read_config(path):
    with open(path) as f:
        user = json.load(f)
    c = dict(DEFAULTS)
    c.update(PRESETS[user.get("model", "fasterrcnn_resnet50_fpn")])
    c.update({k: v for k, v in user.items() if k in DEFAULTS})
    return c


def build(c):
    norm = misc_nn_ops.FrozenBatchNorm2d if c["norm"] == "frozen" else torch.nn.BatchNorm2d
    body = getattr(resnet, c["backbone"])(weights=None, norm_layer=norm)
    if c["norm"] == "frozen":
        for m in body.modules():
            if isinstance(m, misc_nn_ops.FrozenBatchNorm2d):
                m.eps = c["norm_eps"]
    layers = ["layer4", "layer3", "layer2", "layer1", "conv1"][: c["trainable_layers"]]
    if c["trainable_layers"] == 5:
        layers.append("bn1")
    for name, p in body.named_parameters():
        if all(not name.startswith(l) for l in layers):
            p.requires_grad_(False)
    in_ch = [body.inplanes // 8, body.inplanes // 4, body.inplanes // 2, body.inplanes]
    backbone = BackboneWithFPN(body, {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"}, in_ch,
                               c["fpn_channels"], extra_blocks=LastLevelMaxPool())
    anchors = AnchorGenerator(tuple(tuple(s) for s in c["anchor_sizes"]), tuple(tuple(r) for r in c["aspect_ratios"]))
    out = c["box_roi_output"]
    model = FasterRCNN(
        backbone, num_classes=None, min_size=c["min_size"], max_size=c["max_size"], rpn_anchor_generator=anchors,
        rpn_pre_nms_top_n_train=c["rpn_pre_nms_top_n_train"], rpn_pre_nms_top_n_test=c["rpn_pre_nms_top_n_test"],
        rpn_post_nms_top_n_train=c["rpn_post_nms_top_n_train"], rpn_post_nms_top_n_test=c["rpn_post_nms_top_n_test"],
        rpn_nms_thresh=c["rpn_nms_thresh"], rpn_fg_iou_thresh=c["rpn_fg_iou_thresh"], rpn_bg_iou_thresh=c["rpn_bg_iou_thresh"],
        rpn_batch_size_per_image=c["rpn_batch_size_per_image"], rpn_positive_fraction=c["rpn_positive_fraction"],
        rpn_score_thresh=c["rpn_score_thresh"],
        box_roi_pool=torchvision.ops.MultiScaleRoIAlign(["0", "1", "2", "3"], out, c["box_sampling_ratio"]),
        box_head=TwoMLPHead(c["fpn_channels"] * out * out, c["representation_size"]),
        box_predictor=FastRCNNPredictor(c["representation_size"], c["num_classes"]),
        box_score_thresh=c["box_score_thresh"], box_nms_thresh=c["box_nms_thresh"],
        box_detections_per_img=c["box_detections_per_img"], box_fg_iou_thresh=c["box_fg_iou_thresh"],
        box_bg_iou_thresh=c["box_bg_iou_thresh"], box_batch_size_per_image=c["box_batch_size_per_image"],
        box_positive_fraction=c["box_positive_fraction"], bbox_reg_weights=tuple(c["bbox_reg_weights"]))
    return model


def load_coco(ann, images):
    with open(ann) as f:
        d = json.load(f)
    cats = sorted(cat["id"] for cat in d["categories"])
    label = {cid: i + 1 for i, cid in enumerate(cats)}
    by_image = {}
    for a in d["annotations"]:
        if a.get("iscrowd", 0):
            continue
        by_image.setdefault(a["image_id"], []).append(a)
    items = []
    for im in d["images"]:
        boxes, labels = [], []
        for a in by_image.get(im["id"], []):
            x, y, w, h = a["bbox"]
            x1, y1 = max(0, min(im["width"], x)), max(0, min(im["height"], y))
            x2, y2 = max(0, min(im["width"], x + w)), max(0, min(im["height"], y + h))
            if x2 > x1 and y2 > y1:
                boxes.append([x1, y1, x2, y2])
                labels.append(label[a["category_id"]])
        items.append((im, os.path.join(images, im["file_name"]), boxes, labels))
    return items, cats


def read_image(path):
    data = torchvision.io.read_file(path)
    return torchvision.io.decode_image(data, torchvision.io.ImageReadMode.RGB).float() / 255.0


def lr_at(c, it):
    lr = c["lr"]
    if c["lr_schedule"] == "cosine":
        lr = c["lr"] * 0.5 * (1 + math.cos(math.pi * min(it, c["iterations"]) / c["iterations"]))
    else:
        for m in c["milestones"]:
            if it >= m:
                lr *= 0.1
    if it < c["warmup_iters"]:
        a = it / c["warmup_iters"]
        lr *= 0.001 * (1 - a) + a
    return lr


def cmd_init(args):
    c = read_config(args.config)
    save_initial(c, build, args.out, f"{c['backbone']} Faster R-CNN")


def cmd_train(args):
    c = read_config(args.config)
    model = seeded_model(c, build, args.init, args.threads)
    train, _ = load_coco(args.data, args.images)
    val, cats = load_coco(args.val, args.images)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (decay if c["decay_norm_and_bias"] or p.ndim > 1 else no_decay).append(p)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": c["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=c["lr"], momentum=c["momentum"])
    order = shuffled_indices(len(train))
    log = LossLog(c["iterations"], c["log_every"])
    model.train()
    for it in range(c["iterations"]):
        images, targets = [], []
        for _ in range(c["batch_size"]):
            im, path, boxes, labels = train[next(order)]
            img = read_image(path)
            b = torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4)
            if c["horizontal_flip"] and random.random() < 0.5:
                img = img.flip(-1)
                w = img.shape[-1]
                b = torch.stack([w - b[:, 2], b[:, 1], w - b[:, 0], b[:, 3]], 1) if len(b) else b
            images.append(img)
            targets.append({"boxes": b, "labels": torch.tensor(labels, dtype=torch.int64)})
        for g in opt.param_groups:
            g["lr"] = lr_at(c, it)
        losses = model(images, targets)
        loss = check_finite(it, losses)
        opt.zero_grad()
        loss.backward()
        if c["clip_grad_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), c["clip_grad_norm"])
        opt.step()
        log.update(it, losses, lr_at(c, it))
    model.eval()
    results = []
    with torch.no_grad():
        for im, path, _, _ in val:
            out = model([read_image(path)])[0]
            for b, s, l in zip(out["boxes"].tolist(), out["scores"].tolist(), out["labels"].tolist()):
                results.append({"image_id": im["id"], "category_id": cats[l - 1],
                                "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]], "score": s})
    write_json(args.out, results)
    print(f"{len(results)} detections on {len(val)} val images -> {args.out}; {log.minutes():.1f} min")


def main():
    recipe_main(__doc__, cmd_init, cmd_train, ["data", "val", "images", "out"])


if __name__ == "__main__":
    main()
