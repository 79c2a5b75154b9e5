#!/usr/bin/python3
"""Checkpoint load time on torchvision's side, and the checkpoints for ResVision's side.

Usage: /usr/bin/python3 tools/reference/bench/torchvision_weights_load.py DIR make|time [MODEL ...]

make: for each catalog model, torchvision's builder with random weights (seed 0) saved with
      torch.save under the published file name (same architecture, same tensors, same size as the
      published file; not its bytes, so not its hash) into DIR.
time: per model, one line "torchvision MODEL read_ms load_ms" where read = torch.load(file) and
      load = builder(weights=None) + load_state_dict (strict), the phases ResVision reports too.
"""
import json
import os
import sys
import time

import torch
from torchvision import models
from torchvision.models import detection, segmentation

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "../../backbone/src/main/resources/org/resvision/backbone/hub/catalog.json")


def build(model):
    if model.startswith("fasterrcnn"):
        return getattr(detection, model)(weights=None, weights_backbone=None)
    if model.startswith("fcn"):
        return getattr(segmentation, model)(weights=None, weights_backbone=None, aux_loss=True)
    return getattr(models, model)(weights=None)


def entries(wanted):
    with open(CATALOG) as f:
        doc = json.load(f)
    seen = set()
    for e in doc["weights"]:
        if e["default"] and (not wanted or e["model"] in wanted) and e["model"] not in seen:
            seen.add(e["model"])
            yield e


def main(out, mode, wanted):
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    os.makedirs(out, exist_ok=True)
    for e in entries(wanted):
        path = os.path.join(out, e["file_name"])
        if mode == "make":
            if not os.path.exists(path):
                torch.manual_seed(0)
                m = build(e["model"])
                if e["model"] == "fasterrcnn_resnet50_fpn":
                    # the published v1 detector uses FrozenBatchNorm2d: no num_batches_tracked buffers
                    sd = {k: v for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
                else:
                    sd = m.state_dict()
                torch.save(sd, path + ".tmp")
                os.replace(path + ".tmp", path)
            print(e["model"], path, os.path.getsize(path))
        else:
            t0 = time.perf_counter()
            sd = torch.load(path)
            t1 = time.perf_counter()
            m = build(e["model"])
            m.load_state_dict(sd, strict=e["model"] != "fasterrcnn_resnet50_fpn")
            t2 = time.perf_counter()
            print("torchvision %s %.0f %.0f" % (e["model"], (t1 - t0) * 1000, (t2 - t1) * 1000), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], set(sys.argv[3:]))
