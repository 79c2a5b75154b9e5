#!/usr/bin/python3
"""torchvision's answer to `resvision features` for one image (Debian's /usr/bin/python3).

Usage: features_reference.py --arch ARCH --weights W.pth [--fpn] IMAGE OUT.safetensors
Decodes IMAGE with PIL (PNG is lossless, so the pixels equal OpenCV's), ToTensor, ImageNet
normalisation at the image's own size, then the same stages `resvision features` writes.
"""
import argparse
import collections
import os
import sys

import torch
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.models import resnet
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
from torchvision.ops.misc import FrozenBatchNorm2d

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import resnet_stages, save_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--fpn", action="store_true")
    ap.add_argument("image")
    ap.add_argument("out")
    a = ap.parse_args()
    torch.set_num_threads(2)
    x = F.to_tensor(Image.open(a.image).convert("RGB"))
    x = F.normalize(x, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])[None]
    sd = torch.load(a.weights)
    with torch.no_grad():
        if a.fpn:
            model = resnet_fpn_backbone(backbone_name=a.arch, weights=None, norm_layer=FrozenBatchNorm2d)
            model.load_state_dict(sd)
            model.eval()
            outs = resnet_stages(model.body, x)
            outs.update(model(x))
        else:
            model = getattr(resnet, a.arch)(weights=None, num_classes=sd["fc.weight"].shape[0])
            model.load_state_dict(sd)
            model.eval()
            outs = resnet_stages(model, x)
    save_safetensors(a.out, collections.OrderedDict(outs))


if __name__ == "__main__":
    main()
