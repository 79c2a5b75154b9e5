#!/usr/bin/python3
"""Parity fixtures for ResVision's backbones, made with Debian's torchvision 0.14.

Usage: /usr/bin/python3 tools/reference/parity/make_fixtures.py OUT_DIR [--cases a,b,...]

For every case it writes OUT_DIR/<case>/:
  weights.pth          torch.save(model.state_dict())          (what users download)
  weights.safetensors  the same tensors, safetensors format     (written here by hand)
  io.safetensors       `input` and every stage output (stem, layer1..4, logits, fpn.0..3, fpn.pool)
  meta.json            how the model was built

Models use weights=None, a fixed seed and non-trivial BatchNorm: random weight/bias and running
statistics measured on a few images (with default init BN is nearly the identity, so a port that
dropped it or swapped mean and variance would still pass).
"""
import argparse
import collections
import json
import os
import struct
import sys

import torch
import torchvision
from torchvision.models import resnet
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.misc import FrozenBatchNorm2d

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32"}


def save_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer (the python package is not in Debian)."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def write_case(d, state, io, meta):
    """A case folder: weights.pth, weights.safetensors, io.safetensors, then meta.json, written
    last (its presence means the case is complete); every file atomically."""
    tmp = os.path.join(d, "weights.pth.tmp")
    torch.save(state, tmp)
    os.replace(tmp, os.path.join(d, "weights.pth"))
    save_safetensors(os.path.join(d, "weights.safetensors"), state, {"format": "pt"})
    save_safetensors(os.path.join(d, "io.safetensors"), io)
    with open(os.path.join(d, "meta.json.tmp"), "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(os.path.join(d, "meta.json.tmp"), os.path.join(d, "meta.json"))


def smooth_images(n, h, w, seed):
    """Image-like inputs: low-frequency colour fields plus a little noise, ImageNet-normalised."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, max(h // 16, 2), max(w // 16, 2), generator=g)
    img = torch.nn.functional.interpolate(coarse, size=(h, w), mode="bilinear", align_corners=False)
    img = (img + 0.05 * torch.randn(n, 3, h, w, generator=g)).clamp(0, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (img - mean) / std


def calibrate_bn(model, seed, size=(2, 3, 96, 96), batches=3):
    """Random BN affine parameters, then running stats measured on a few images."""
    g = torch.Generator().manual_seed(seed + 1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=g))
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for i in range(batches):
            model(smooth_images(size[0], size[2], size[3], seed + 100 + i))
    model.eval()


def resnet_stages(model, x):
    out = collections.OrderedDict()
    y = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    out["stem"] = y
    for name in ["layer1", "layer2", "layer3", "layer4"]:
        y = getattr(model, name)(y)
        out[name] = y
    if getattr(model, "fc", None) is not None and not isinstance(model.fc, torch.nn.Identity):
        out["logits"] = model.fc(torch.flatten(model.avgpool(y), 1))
    return out


def case_resnet(name, arch, seed, input_shape, **kwargs):
    torch.manual_seed(seed)
    model = getattr(resnet, arch)(weights=None, **kwargs)
    calibrate_bn(model, seed)
    x = smooth_images(input_shape[0], input_shape[2], input_shape[3], seed + 7)
    with torch.no_grad():
        outs = resnet_stages(model, x)
    meta = {"kind": "resnet", "arch": arch, "norm": "batchnorm", "eps": 1e-5,
            "dilation": kwargs.get("replace_stride_with_dilation", [False, False, False]),
            "num_classes": 1000, "input_shape": list(input_shape)}
    return model.state_dict(), x, outs, meta


def case_resnet_fpn(name, arch, seed, input_shape, trainable_layers=3):
    torch.manual_seed(seed)
    # Calibrate a BatchNorm body, then move its state into torchvision's default
    # FrozenBatchNorm2d FPN backbone (the norm layer detection models use).
    plain = getattr(resnet, arch)(weights=None)
    calibrate_bn(plain, seed)
    torch.manual_seed(seed + 3)
    model = resnet_fpn_backbone(backbone_name=arch, weights=None, norm_layer=FrozenBatchNorm2d,
                                trainable_layers=trainable_layers)
    body_state = {k: v for k, v in plain.state_dict().items() if not k.startswith("fc.")}
    missing, unexpected = model.body.load_state_dict(body_state, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    model.eval()
    x = smooth_images(input_shape[0], input_shape[2], input_shape[3], seed + 7)
    with torch.no_grad():
        outs = resnet_stages(model.body, x)
        fpn = model(x)
    for k, v in fpn.items():
        outs["fpn." + k] = v
    meta = {"kind": "resnet_fpn", "arch": arch, "norm": "frozen", "eps": 1e-5,
            "trainable_layers": trainable_layers, "input_shape": list(input_shape)}
    return model.state_dict(), x, outs, meta


def case_fcn(name, arch, seed, input_shape):
    from torchvision.models.segmentation import fcn_resnet50, fcn_resnet101
    torch.manual_seed(seed)
    builder = {"resnet50": fcn_resnet50, "resnet101": fcn_resnet101}[arch]
    model = builder(weights=None, weights_backbone=None, aux_loss=True, num_classes=21)
    calibrate_bn(model, seed, size=(2, 3, 64, 64))
    x = smooth_images(input_shape[0], input_shape[2], input_shape[3], seed + 7)
    with torch.no_grad():
        outs = resnet_stages(model.backbone, x)
        res = model(x)
    outs["out"] = res["out"]
    outs["aux"] = res["aux"]
    meta = {"kind": "fcn", "arch": arch, "norm": "batchnorm", "eps": 1e-5, "num_classes": 21, "aux": True,
            "input_shape": list(input_shape)}
    return model.state_dict(), x, outs, meta


TRAIN_PARAMS = ["backbone.conv1.weight", "backbone.bn1.weight", "backbone.layer1.0.conv1.weight",
                "backbone.layer3.0.downsample.0.weight", "backbone.layer4.1.conv2.weight", "backbone.layer4.1.bn2.bias",
                "classifier.0.weight", "classifier.4.weight", "classifier.4.bias", "aux_classifier.4.weight"]


def case_fcn_train(name, seed, input_shape, classes=5):
    """One training step of the CPU preset (ResNet-18 dilated to stride 8, aux) in train mode
    (batch-statistics BN; dropout 0 so it is deterministic): losses, gradients, the BN running
    statistics after the forward, and the weights after one SGD step (lr 0.1, momentum 0.9, wd 1e-4), then the loss and weights after a second step on the same batch."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
    from torchvision_segmentation import build  # the comparison script's model
    torch.manual_seed(seed)
    model = build({"model": "fcn_small", "num_classes": classes, "aux": True})
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    state = {k: v.clone() for k, v in model.state_dict().items()}
    x = smooth_images(input_shape[0], input_shape[2], input_shape[3], seed + 7)
    g = torch.Generator().manual_seed(seed + 8)
    target = torch.randint(0, classes, (input_shape[0], input_shape[2], input_shape[3]), generator=g)
    target[:, :4, :] = 255  # ignored rows
    model.train()
    out = model(x)
    loss_out = torch.nn.functional.cross_entropy(out["out"], target, ignore_index=255)
    loss_aux = 0.5 * torch.nn.functional.cross_entropy(out["aux"], target, ignore_index=255)
    (loss_out + loss_aux).backward()
    params = dict(model.named_parameters())
    outs = collections.OrderedDict([("target", target), ("out", out["out"].detach()), ("loss_out", loss_out.detach().reshape(1)),
                                    ("loss_aux", loss_aux.detach().reshape(1)),
                                    ("running_mean.backbone.bn1", model.backbone.bn1.running_mean.clone()),
                                    ("running_var.backbone.layer4.1.bn2", model.backbone.layer4[1].bn2.running_var.clone())])
    for n in TRAIN_PARAMS:
        outs["grad." + n] = params[n].grad.clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    opt.step()
    for n in TRAIN_PARAMS:
        outs["step." + n] = params[n].detach().clone()
    # a second step on the same batch: gradients zeroed in between, momentum carried over
    opt.zero_grad()
    out = model(x)
    loss2 = torch.nn.functional.cross_entropy(out["out"], target, ignore_index=255) \
        + 0.5 * torch.nn.functional.cross_entropy(out["aux"], target, ignore_index=255)
    loss2.backward()
    opt.step()
    outs["loss2"] = loss2.detach().reshape(1)
    for n in TRAIN_PARAMS:
        outs["step2." + n] = params[n].detach().clone()
    meta = {"kind": "fcn_train", "arch": "resnet18", "num_classes": classes, "aux": True, "dropout": 0.0, "lr": 0.1,
            "momentum": 0.9, "weight_decay": 1e-4, "params": TRAIN_PARAMS, "input_shape": list(input_shape)}
    return state, x, outs, meta


CASES = {
    "resnet18": lambda: case_resnet("resnet18", "resnet18", 18, (2, 3, 224, 224)),
    "resnet50": lambda: case_resnet("resnet50", "resnet50", 50, (2, 3, 224, 224)),
    "resnet50_dilated": lambda: case_resnet("resnet50_dilated", "resnet50", 51, (1, 3, 160, 192),
                                            replace_stride_with_dilation=[False, True, True]),
    "resnet50_fpn": lambda: case_resnet_fpn("resnet50_fpn", "resnet50", 52, (1, 3, 200, 264)),
    "fcn_resnet50": lambda: case_fcn("fcn_resnet50", "resnet50", 53, (1, 3, 264, 280)),  # heads on 33x35: Winograd
    "fcn_small_train": lambda: case_fcn_train("fcn_small_train", 54, (2, 3, 96, 128)),
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
        d = os.path.join(args.out, case)
        os.makedirs(d, exist_ok=True)
        state, x, outs, meta = CASES[case]()
        meta.update({"torch": torch.__version__, "torchvision": torchvision.__version__,
                     "stages": list(outs)})
        io = collections.OrderedDict([("input", x)])
        io.update(outs)
        write_case(d, state, io, meta)
        print(f"{case}: {len(state)} tensors, stages {list(outs)}", flush=True)


if __name__ == "__main__":
    main()
