#!/usr/bin/python3
"""Stage-by-stage parity fixtures for ResVision's Faster R-CNN, made with Debian's torchvision 0.14.

Usage: /usr/bin/python3 tools/reference/parity/detection_fixtures.py OUT_DIR [--cases a,b]

For every case it writes OUT_DIR/<case>/:
  weights.pth, weights.safetensors   the model's state_dict (torchvision keys)
  io.safetensors   every stage, in torchvision's own order:
      raw_<i>              the input images [3, H, W] in 0..1
      images               GeneralizedRCNNTransform's padded batch [N, 3, H, W]
      fpn.<name>           the backbone's FPN maps (0, 1, 2, 3, pool)
      anchors              one image's anchors [A, 4] (all images share them: same padded size)
      objectness, deltas   the RPN head, flattened like concat_box_prediction_layers ([N*A], [N*A, 4])
      proposals_<i>, proposal_scores_<i>      filter_proposals' output per image
      box_features         MultiScaleRoIAlign on those proposals [R, C, 7, 7] (images concatenated)
      box_head             the box head alone on box_features [R, representation]
      class_logits, box_regression            the box head + predictor on box_features
      det_boxes_<i>, det_scores_<i>, det_labels_<i>   postprocess_detections (resized coordinates)
      final_boxes_<i>      the same boxes in original image coordinates (transform.postprocess)
  meta.json        how the model was built (every constructor argument), image sizes

The case fasterrcnn_resnet50_fpn_v2 is torchvision's fasterrcnn_resnet50_fpn_v2 (BatchNorm in the body,
the FPN and the box head, a 2-conv RPN head, the 4-conv + 1-fc box head), every BatchNorm calibrated.
The case fasterrcnn_resnet50_fpn_v2_train is one training step of that model (see train_step_v2);
its io.safetensors holds the transformed batch, the targets, the four losses, BatchNorm running
statistics after the forward, gradients and the parameters after one SGD step.

Weights are random with a fixed seed; BatchNorm gets non-trivial statistics (see make_fixtures.py),
and the heads are re-drawn with a wider spread than torchvision's init so that scores are distinct
(ties make top-k and NMS orders arbitrary). box_score_thresh is 0.0 so every candidate is kept.
"""
import argparse
import collections
import os
import sys

import torch
import torchvision
from torchvision.models import resnet
from torchvision.models.detection import FasterRCNN, fasterrcnn_resnet50_fpn_v2
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor, resnet_fpn_backbone
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead
from torchvision.models.detection.rpn import RPNHead
from torchvision.models.detection.rpn import concat_box_prediction_layers
from torchvision.ops.misc import FrozenBatchNorm2d

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import calibrate_bn, write_case  # noqa: E402


def raw_images(sizes, seed):
    """Image-like inputs in 0..1: smooth colour fields with a few bright rectangles."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for (h, w) in sizes:
        coarse = torch.rand(1, 3, max(h // 16, 2), max(w // 16, 2), generator=g)
        img = torch.nn.functional.interpolate(coarse, size=(h, w), mode="bilinear", align_corners=False)[0]
        for _ in range(4):
            y0 = int(torch.randint(0, h - 20, (1,), generator=g))
            x0 = int(torch.randint(0, w - 20, (1,), generator=g))
            hh = int(torch.randint(10, h // 2, (1,), generator=g))
            ww = int(torch.randint(10, w // 2, (1,), generator=g))
            img[:, y0:y0 + hh, x0:x0 + ww] = torch.rand(3, 1, 1, generator=g)
        out.append((img + 0.03 * torch.randn(3, h, w, generator=g)).clamp(0, 1))
    return out


def spread_heads(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.rpn.head.named_parameters():
            std = {"cls_logits": 0.2, "bbox_pred": 0.02}.get(name.split(".")[0], 0.05)
            p.copy_(std * torch.randn(p.shape, generator=g))
        for name, p in model.roi_heads.box_predictor.named_parameters():
            std = 0.2 if name.startswith("cls_score") else 0.02
            p.copy_(std * torch.randn(p.shape, generator=g))


def build(arch, seed, frozen_eps, kwargs):
    torch.manual_seed(seed)
    plain = getattr(resnet, arch)(weights=None)
    calibrate_bn(plain, seed)
    torch.manual_seed(seed + 3)
    norm = FrozenBatchNorm2d if frozen_eps is not None else torch.nn.BatchNorm2d
    backbone = resnet_fpn_backbone(backbone_name=arch, weights=None, norm_layer=norm, trainable_layers=3)
    body_state = {k: v for k, v in plain.state_dict().items() if not k.startswith("fc.")}
    if frozen_eps is not None:
        body_state = {k: v for k, v in body_state.items() if not k.endswith("num_batches_tracked")}
    missing, unexpected = backbone.body.load_state_dict(body_state, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    model = FasterRCNN(backbone, **kwargs)
    if frozen_eps is not None:
        for m in model.modules():
            if isinstance(m, FrozenBatchNorm2d):
                m.eps = frozen_eps
    spread_heads(model, seed + 5)
    model.eval()
    return model


def calibrate_all_bn(model, batches, seed):
    """Every BatchNorm2d of a detection model (body, FPN, box head): random affine parameters, then
    running statistics measured on the given image batches (the BN layers alone in train mode, so the
    model runs its inference path and the box head's BN sees real proposals)."""
    g = torch.Generator().manual_seed(seed + 1)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bns:
        with torch.no_grad():
            m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
            m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=g))
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    model.eval()
    for m in bns:
        m.train()
    with torch.no_grad():
        for images in batches:
            model(images)
    for m in bns:
        m.momentum = 0.1  # back to PyTorch's default for training
    model.eval()


def build_v2(seed, kwargs, calibration_sizes, arch="resnet50"):
    """torchvision's fasterrcnn_resnet50_fpn_v2 (weights=None), heads spread as for v1, every BN calibrated.
    With another arch: the same builder's parts (its code, line by line) on that ResNet."""
    torch.manual_seed(seed)
    if arch == "resnet50":
        model = fasterrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None, **kwargs)
    else:
        backbone = _resnet_fpn_extractor(getattr(resnet, arch)(weights=None), 5, norm_layer=torch.nn.BatchNorm2d)
        anchors = AnchorGenerator(((32,), (64,), (128,), (256,), (512,)), ((0.5, 1.0, 2.0),) * 5)  # _default_anchorgen
        rpn_head = RPNHead(backbone.out_channels, anchors.num_anchors_per_location()[0], conv_depth=2)
        box_head = FastRCNNConvFCHead((backbone.out_channels, 7, 7), [256, 256, 256, 256], [1024], norm_layer=torch.nn.BatchNorm2d)
        model = FasterRCNN(backbone, rpn_anchor_generator=anchors, rpn_head=rpn_head, box_head=box_head, **kwargs)
    spread_heads(model, seed + 5)
    calibrate_all_bn(model, [raw_images(calibration_sizes, seed + 20 + i) for i in range(2)], seed)
    return model


def calibrate_heads(model, images):
    """Rescales the objectness and class-score layers so their logits have a spread of about 1 and 2:
    saturated sigmoids/softmaxes would tie scores at 1.0 and make top-k and NMS orders arbitrary."""
    with torch.no_grad():
        il, _ = model.transform(images)
        feats = model.backbone(il.tensors)
        objectness, _ = model.rpn.head(list(feats.values()))
        std = torch.cat([o.flatten() for o in objectness]).std()
        model.rpn.head.cls_logits.weight.mul_(1.0 / std)
        model.rpn.head.cls_logits.bias.mul_(1.0 / std)
        proposals, _ = model.rpn(il, feats)
        bf = model.roi_heads.box_roi_pool(feats, proposals, il.image_sizes)
        cl, br = model.roi_heads.box_predictor(model.roi_heads.box_head(bf))
        model.roi_heads.box_predictor.cls_score.weight.mul_(2.0 / cl.std())
        model.roi_heads.box_predictor.cls_score.bias.mul_(2.0 / cl.std())
        model.roi_heads.box_predictor.bbox_pred.weight.mul_(0.5 / br.std())
        model.roi_heads.box_predictor.bbox_pred.bias.mul_(0.5 / br.std())


def record(model, images):
    out = collections.OrderedDict()
    for i, im in enumerate(images):
        out[f"raw_{i}"] = im
    original_sizes = [tuple(im.shape[-2:]) for im in images]
    with torch.no_grad():
        il, _ = model.transform(images)
        out["images"] = il.tensors
        feats = model.backbone(il.tensors)
        for k, v in feats.items():
            out["fpn." + k] = v
        fl = list(feats.values())
        objectness, deltas = model.rpn.head(fl)
        anchors = model.rpn.anchor_generator(il, fl)
        for a in anchors[1:]:
            assert torch.equal(a, anchors[0])
        out["anchors"] = anchors[0]
        per_level = [o[0].numel() for o in objectness]
        obj, pbd = concat_box_prediction_layers(objectness, deltas)
        out["objectness"] = obj.flatten()
        out["deltas"] = pbd
        proposals = model.rpn.box_coder.decode(pbd, anchors).view(len(anchors), -1, 4)
        boxes, scores = model.rpn.filter_proposals(proposals, obj, il.image_sizes, per_level)
        for i, (b, s) in enumerate(zip(boxes, scores)):
            out[f"proposals_{i}"] = b
            out[f"proposal_scores_{i}"] = s
        bf = model.roi_heads.box_roi_pool(feats, boxes, il.image_sizes)
        out["box_features"] = bf
        rep = model.roi_heads.box_head(bf)
        out["box_head"] = rep
        cl, br = model.roi_heads.box_predictor(rep)
        out["class_logits"] = cl
        out["box_regression"] = br
        db, ds, dl = model.roi_heads.postprocess_detections(cl, br, boxes, il.image_sizes)
        dets = [{"boxes": b, "scores": s, "labels": l} for b, s, l in zip(db, ds, dl)]
        for i, d in enumerate(dets):
            out[f"det_boxes_{i}"] = d["boxes"]
            out[f"det_scores_{i}"] = d["scores"]
            out[f"det_labels_{i}"] = d["labels"]
        final = model.transform.postprocess(dets, il.image_sizes, original_sizes)
        for i, d in enumerate(final):
            out[f"final_boxes_{i}"] = d["boxes"]
        # the staged run is the model's own forward
        full = model(images)
        for i, d in enumerate(full):
            assert torch.equal(d["boxes"], final[i]["boxes"]), "staged run differs from model(images)"
    return out, [list(s) for s in il.image_sizes], [list(s) for s in original_sizes]


V2_TRAIN_PARAMS = ["backbone.body.layer1.0.conv1.weight", "backbone.body.bn1.weight",  # frozen (trainable_layers 3)
                   "backbone.body.layer2.0.bn1.weight", "backbone.body.layer4.0.conv2.weight",
                   "backbone.fpn.inner_blocks.1.0.weight", "backbone.fpn.inner_blocks.1.1.weight", "backbone.fpn.layer_blocks.2.1.bias",
                   "rpn.head.conv.0.0.weight", "rpn.head.conv.1.0.bias", "rpn.head.cls_logits.weight", "rpn.head.bbox_pred.bias",
                   "roi_heads.box_head.0.0.weight", "roi_heads.box_head.2.1.weight", "roi_heads.box_head.3.1.bias",
                   "roi_heads.box_head.5.weight", "roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.bbox_pred.bias"]
V2_TRAIN_BUFFERS = ["backbone.body.bn1", "backbone.body.layer3.2.bn3", "backbone.fpn.layer_blocks.0.1", "roi_heads.box_head.1.1"]
V2_TRAIN_PARAMS_R18 = [n.replace("layer3.2.", "layer3.1.") for n in V2_TRAIN_PARAMS]
V2_TRAIN_BUFFERS_R18 = [n.replace("layer3.2.bn3", "layer3.1.bn2") for n in V2_TRAIN_BUFFERS]


def train_step_v2(arch, seed, sizes, kwargs, lr=0.02, momentum=0.9, weight_decay=1e-4):
    """One training step of fasterrcnn_resnet50_fpn_v2 in train mode. Sizes and min/max_size are chosen so
    the transform's scale is exactly 1 (boxes unchanged). Samplers take every positive and negative
    (batch_size_per_image above the anchor/proposal counts), so the losses do not depend on their
    random order. The body's conv1, bn1 and layer1 are frozen as trainable_layers=3 does (their BN
    still uses batch statistics in train mode)."""
    model = build_v2(seed, kwargs, sizes, arch)
    images = raw_images(sizes, seed + 9)
    calibrate_heads(model, images)
    for name, p in model.backbone.body.named_parameters():
        if not any(name.startswith(l) for l in ["layer4", "layer3", "layer2"]):
            p.requires_grad_(False)
    g = torch.Generator().manual_seed(seed + 11)
    targets = []
    for (h, w) in sizes:
        boxes = []
        for _ in range(3):
            x0 = float(torch.randint(0, w // 2, (1,), generator=g))
            y0 = float(torch.randint(0, h // 2, (1,), generator=g))
            bw = float(torch.randint(24, w // 2, (1,), generator=g))
            bh = float(torch.randint(24, h // 2, (1,), generator=g))
            boxes.append([x0, y0, x0 + bw, y0 + bh])
        targets.append({"boxes": torch.tensor(boxes), "labels": torch.randint(1, kwargs["num_classes"], (3,), generator=g)})
    state = {k: v.clone() for k, v in model.state_dict().items()}
    out = collections.OrderedDict()
    model.train()
    il, tt = model.transform(images, [{k: v.clone() for k, v in t.items()} for t in targets])
    assert [tuple(s) for s in il.image_sizes] == [tuple(s) for s in sizes], il.image_sizes
    out["images"] = il.tensors
    for i, t in enumerate(tt):
        assert torch.equal(t["boxes"], targets[i]["boxes"])
        out[f"target_boxes_{i}"] = t["boxes"]
        out[f"target_labels_{i}"] = t["labels"]
    losses = model(images, targets)
    for k, v in losses.items():
        out[k] = v.detach().reshape(1)
    sum(losses.values()).backward()
    buffers = V2_TRAIN_BUFFERS if arch == "resnet50" else V2_TRAIN_BUFFERS_R18
    param_names = V2_TRAIN_PARAMS if arch == "resnet50" else V2_TRAIN_PARAMS_R18
    modules = dict(model.named_modules())
    for n in buffers:
        out["running_mean." + n] = modules[n].running_mean.clone()
        out["running_var." + n] = modules[n].running_var.clone()
    params = dict(model.named_parameters())
    for n in param_names:
        if params[n].grad is not None:
            out["grad." + n] = params[n].grad.clone()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr, momentum=momentum, weight_decay=weight_decay)
    opt.step()
    for n in param_names:
        out["step." + n] = params[n].detach().clone()
    meta = {"kind": "faster_rcnn_train", "model": "fasterrcnn_resnet50_fpn_v2", "arch": arch, "norm": "batchnorm", "eps": 1e-5,
            "trainable_layers": 3, "image_sizes": [list(s) for s in sizes], "images": len(sizes), "lr": lr, "momentum": momentum,
            "weight_decay": weight_decay, "params": param_names, "buffers": buffers,
            "losses": list(losses), "torch": torch.__version__, "torchvision": torchvision.__version__}
    meta.update(kwargs)
    return state, out, meta


CASES = {
    # torchvision's fasterrcnn_resnet50_fpn architecture (91 classes, BatchNorm eval, eps 1e-5) at a
    # CPU-test size; every other argument is torchvision's default except those listed.
    "fasterrcnn_resnet50_fpn": dict(arch="resnet50", seed=60, frozen_eps=None, sizes=[(240, 320), (300, 200)],
                                    kwargs=dict(num_classes=91, min_size=320, max_size=512, box_score_thresh=0.0,
                                                rpn_post_nms_top_n_test=500)),
    # a small preset: resnet18-FPN, 5 classes, FrozenBatchNorm with eps 0.0 (torchvision's COCO v1 weights)
    "fasterrcnn_resnet18_fpn": dict(arch="resnet18", seed=61, frozen_eps=0.0, sizes=[(200, 260), (180, 180)],
                                    kwargs=dict(num_classes=5, min_size=256, max_size=384, box_score_thresh=0.0,
                                                rpn_pre_nms_top_n_test=600, rpn_post_nms_top_n_test=300,
                                                box_detections_per_img=50)),
    # torchvision's fasterrcnn_resnet50_fpn_v2 (91 classes, BatchNorm eval everywhere) at a CPU-test size:
    # two images of about 300-400 px resized to 352..480; 300 proposals per image (the 4-conv box head
    # runs on every proposal).
    "fasterrcnn_resnet50_fpn_v2": dict(model="fasterrcnn_resnet50_fpn_v2", seed=62, sizes=[(300, 400), (360, 280)],
                                       kwargs=dict(num_classes=91, min_size=352, max_size=480, box_score_thresh=0.0,
                                                   rpn_post_nms_top_n_test=300)),
    # one training step of the same model: 256x320 and 240x320 images (transform scale exactly 1), few
    # proposals, samplers that take every positive and negative.
    "fasterrcnn_resnet50_fpn_v2_train": dict(model="train_v2", arch="resnet50", seed=63, sizes=[(256, 320), (240, 320)],
                                             kwargs=dict(num_classes=91, min_size=256, max_size=320,
                                                         rpn_pre_nms_top_n_train=300, rpn_post_nms_top_n_train=150,
                                                         rpn_batch_size_per_image=1_000_000, rpn_positive_fraction=0.5,
                                                         box_batch_size_per_image=1_000_000, box_positive_fraction=0.5)),
    # the same step with v2's parts (BatchNorm FPN, 2-conv RPN head, BatchNorm 4-conv + 1-fc box head,
    # fasterrcnn_resnet50_fpn_v2's code) on a resnet18 body: what the Java test checks on machines where
    # libtorch 2.7.1's oneDNN cannot run ResNet-50's 1x1-convolution backward (see CpuQuirks)
    "fasterrcnn_resnet18_fpn_v2_train": dict(model="train_v2", arch="resnet18", seed=64, sizes=[(256, 320), (240, 320)],
                                             kwargs=dict(num_classes=91, min_size=256, max_size=320,
                                                         rpn_pre_nms_top_n_train=300, rpn_post_nms_top_n_train=150,
                                                         rpn_batch_size_per_image=1_000_000, rpn_positive_fraction=0.5,
                                                         box_batch_size_per_image=1_000_000, box_positive_fraction=0.5)),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--cases", default=",".join(CASES))
    args = ap.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for case in args.cases.split(","):
        if case not in CASES:
            sys.exit(f"unknown case {case!r}; known: {', '.join(CASES)}")
        c = CASES[case]
        d = os.path.join(args.out, case)
        os.makedirs(d, exist_ok=True)
        if c.get("model") == "train_v2":
            state, io, meta = train_step_v2(c["arch"], c["seed"], c["sizes"], c["kwargs"])
            write_case(d, state, io, meta)
            print(f"{case}: losses " + ", ".join(f"{k} {float(io[k]):.5f}" for k in meta["losses"]), flush=True)
            continue
        if c.get("model") == "fasterrcnn_resnet50_fpn_v2":
            model = build_v2(c["seed"], c["kwargs"], [(320, 288), (288, 352)])
        else:
            model = build(c["arch"], c["seed"], c["frozen_eps"], c["kwargs"])
        images = raw_images(c["sizes"], c["seed"] + 9)
        calibrate_heads(model, images)
        io, sizes, originals = record(model, images)
        v2 = c.get("model") == "fasterrcnn_resnet50_fpn_v2"
        meta = {"kind": "faster_rcnn", "arch": "resnet50" if v2 else c["arch"],
                "norm": "frozen" if not v2 and c["frozen_eps"] is not None else "batchnorm",
                "eps": c["frozen_eps"] if not v2 and c["frozen_eps"] is not None else 1e-5,
                "image_sizes": sizes, "original_sizes": originals, "images": len(sizes),
                "torch": torch.__version__, "torchvision": torchvision.__version__}
        if v2:
            meta["model"] = "fasterrcnn_resnet50_fpn_v2"
        meta.update(c["kwargs"])
        write_case(d, model.state_dict(), io, meta)
        n = [int(io[f"det_scores_{i}"].numel()) for i in range(len(sizes))]
        ps = torch.cat([io[f"proposal_scores_{i}"] for i in range(len(sizes))])
        ds = torch.cat([io[f"det_scores_{i}"] for i in range(len(sizes))])
        print(f"{case}: proposal scores {float(ps.min()):.4f}..{float(ps.max()):.4f} ({len(set(ps.tolist()))} distinct of {ps.numel()}), "
              f"detection scores {float(ds.min()):.4f}..{float(ds.max()):.4f} ({len(set(ds.tolist()))} distinct)", flush=True)
        print(f"{case}: sizes {sizes}, proposals {[int(io[f'proposals_{i}'].shape[0]) for i in range(len(sizes))]}, "
              f"detections {n}", flush=True)


if __name__ == "__main__":
    main()
