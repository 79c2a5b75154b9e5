#!/usr/bin/python3
"""Stage-by-stage parity fixtures for ResVision's Faster R-CNN, made with Debian's torchvision 0.14.

Usage: /usr/bin/python3 tools/parity/detection_fixtures.py OUT_DIR [--cases a,b]

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
      class_logits, box_regression            the box head + predictor on box_features
      det_boxes_<i>, det_scores_<i>, det_labels_<i>   postprocess_detections (resized coordinates)
      final_boxes_<i>      the same boxes in original image coordinates (transform.postprocess)
  meta.json        how the model was built (every constructor argument), image sizes

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
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
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
        cl, br = model.roi_heads.box_predictor(model.roi_heads.box_head(bf))
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
        model = build(c["arch"], c["seed"], c["frozen_eps"], c["kwargs"])
        images = raw_images(c["sizes"], c["seed"] + 9)
        calibrate_heads(model, images)
        io, sizes, originals = record(model, images)
        meta = {"kind": "faster_rcnn", "arch": c["arch"],
                "norm": "frozen" if c["frozen_eps"] is not None else "batchnorm",
                "eps": c["frozen_eps"] if c["frozen_eps"] is not None else 1e-5,
                "image_sizes": sizes, "original_sizes": originals, "images": len(sizes),
                "torch": torch.__version__, "torchvision": torchvision.__version__}
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
