#!/usr/bin/python3
"""Checks that a ResVision safetensors checkpoint loads into torchvision with strict=True.

Usage: load_in_torchvision.py --arch ARCH [--fpn] [--classes N] W.safetensors
Exits 0 and prints the number of tensors when torchvision accepts every key and shape.
"""
import argparse
import json
import struct

import numpy as np
import torch
from torchvision.models import resnet
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone

NP = {"F32": np.float32, "I64": np.int64, "F64": np.float64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[b:e], dtype=NP[v["dtype"]]).reshape(v["shape"]).copy())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True)
    ap.add_argument("--fpn", action="store_true")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("weights")
    a = ap.parse_args()
    sd = read_safetensors(a.weights)
    if a.fpn:
        model = resnet_fpn_backbone(backbone_name=a.arch, weights=None, norm_layer=torch.nn.BatchNorm2d,
                                    trainable_layers=5)
    else:
        model = getattr(resnet, a.arch)(weights=None, num_classes=a.classes)
    model.load_state_dict(sd, strict=True)
    print(f"torchvision loaded {len(sd)} tensors strictly")


if __name__ == "__main__":
    main()
