#!/usr/bin/python3
"""Writes torchvision 0.14's published-weights facts for the architectures ResVision has, as JSON.

Usage: /usr/bin/python3 tools/reference/parity/weights_catalog.py OUT.json

Read from torchvision's own `Weights` enums (url, meta, transforms), nothing typed by hand: the
committed catalog (backbone/src/main/resources/org/resvision/backbone/hub/catalog.json) is this
script's output, and WeightsCatalogTorchvisionTest runs it again and compares.
"""
import json
import re
import sys

import torchvision
from torchvision import models
from torchvision.transforms import _presets

MODELS = [
    ("resnet18", "classification"), ("resnet34", "classification"), ("resnet50", "classification"),
    ("resnet101", "classification"), ("resnet152", "classification"), ("resnext50_32x4d", "classification"),
    ("wide_resnet50_2", "classification"), ("fasterrcnn_resnet50_fpn", "detection"),
    ("fasterrcnn_resnet50_fpn_v2", "detection"), ("fcn_resnet50", "segmentation"), ("fcn_resnet101", "segmentation"),
]


def transform(weights):
    t = weights.transforms()
    if isinstance(t, _presets.ImageClassification):
        return {"kind": "classification", "resize_size": list(t.resize_size), "crop_size": list(t.crop_size),
                "mean": list(t.mean), "std": list(t.std), "interpolation": t.interpolation.value}
    if isinstance(t, _presets.SemanticSegmentation):
        return {"kind": "segmentation", "resize_size": list(t.resize_size), "mean": list(t.mean), "std": list(t.std),
                "interpolation": t.interpolation.value}
    if isinstance(t, _presets.ObjectDetection):
        # only scales to [0, 1]; the model's GeneralizedRCNNTransform normalises and resizes
        return {"kind": "detection"}
    raise ValueError(f"unknown transform {t!r}")


def category_set(sets, names):
    """The name of the category list (stored once): imagenet1k, coco91 (with its N/A slots) or voc21."""
    key = {1000: "imagenet1k", 91: "coco91", 21: "voc21"}[len(names)]
    if sets.setdefault(key, names) != names:
        raise ValueError(f"two different {key} category lists")
    return key


def main(out):
    sets = {}
    entries = []
    for name, task in MODELS:
        enum = models.get_model_weights(name)
        for w in enum:
            file_name = w.url.rsplit("/", 1)[1]
            m = re.search(r"-([a-f0-9]*)\.", file_name)  # torch.hub's HASH_REGEX
            meta = w.meta
            entries.append({
                "model": name,
                "weights": w.name,
                "enum": type(w).__name__,
                "default": w == enum.DEFAULT,
                "task": task,
                "url": w.url,
                "file_name": file_name,
                "hash_prefix": m.group(1),
                "num_params": meta["num_params"],
                "min_size": list(meta["min_size"]),
                "metrics": meta["_metrics"],
                "recipe": meta["recipe"],
                "transform": transform(w),
                "categories": category_set(sets, list(meta["categories"])),
            })
    doc = {"source": "torchvision " + torchvision.__version__, "weights": entries, "categories": sets}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
