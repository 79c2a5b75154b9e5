"""Random-weight torchvision checkpoints for the consumer test (Debian's /usr/bin/python3 with
python3-torchvision): what a user downloads from torchvision, minus the training.

  make_checkpoints.py OUT_DIR BUILTIN_CATALOG_JSON

Writes resnet50.pth, fasterrcnn_resnet50_fpn.pth, fcn_resnet50.pth (the published checkpoints'
key sets: frozen BatchNorm statistics without num_batches_tracked where torchvision freezes them)
and, for the weights catalog, hub/checkpoints/fasterrcnn_resnet50_fpn_v2_consumer-HASH.pth plus
catalog.json: one entry, fasterrcnn_resnet50_fpn_v2 CONSUMER_V1, with that file's SHA-256 prefix.
"""
import hashlib
import json
import os
import sys

import torch
import torchvision

out, builtin = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
os.makedirs(os.path.join(out, "hub", "checkpoints"), exist_ok=True)


def save(model, name, drop_tracked):
    sd = model.state_dict()
    if drop_tracked:
        sd = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}
    path = os.path.join(out, name)
    torch.save(sd, path)
    return path


save(torchvision.models.resnet50(), "resnet50.pth", False)
save(torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None), "fasterrcnn_resnet50_fpn.pth", True)
save(torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None, aux_loss=True), "fcn_resnet50.pth", False)

tmp = save(torchvision.models.detection.fasterrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None), "v2.tmp", False)
with open(tmp, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
file_name = "fasterrcnn_resnet50_fpn_v2_consumer-%s.pth" % digest[:8]
os.replace(tmp, os.path.join(out, "hub", "checkpoints", file_name))

with open(builtin) as f:
    catalog = json.load(f)
entry = dict(next(w for w in catalog["weights"] if w["model"] == "fasterrcnn_resnet50_fpn_v2"))
entry.update(weights="CONSUMER_V1", default=False, file_name=file_name, hash_prefix=digest[:8],
             url="https://example.invalid/" + file_name, metrics={})
with open(os.path.join(out, "catalog.json"), "w") as f:
    json.dump({"source": "consumer test", "weights": [entry],
               "categories": {entry["categories"]: catalog["categories"][entry["categories"]]}}, f)
print("checkpoints in", out)
