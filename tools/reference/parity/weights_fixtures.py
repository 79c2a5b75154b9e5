#!/usr/bin/python3
"""Small torch.save files for ResVision's .pth reader tests (Debian's /usr/bin/python3).

Usage: /usr/bin/python3 tools/reference/parity/weights_fixtures.py OUT_DIR
Writes a handful of KB-sized files and expected.json (per file: name -> shape, dtype, sum,
first element), covering what real checkpoints contain.
"""
import collections
import json
import os
import pickle
import sys

import torch


def describe(sd):
    return {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
                "sum": float(v.double().sum()), "first": float(v.flatten()[0]) if v.numel() else None}
            for k, v in sd.items()}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    base = torch.randn(4, 6, generator=g)
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(3, 2, 3, 3, generator=g)
    sd["bn.running_var"] = torch.rand(3, generator=g) + 0.5
    sd["bn.num_batches_tracked"] = torch.tensor(7)                  # 0-d int64
    sd["half"] = torch.randn(5, generator=g).half()                  # widened to float32
    sd["transposed"] = base.t()                                      # non-contiguous view
    sd["view.a"] = base[1:3]                                         # two views of one storage,
    sd["view.b"] = base[:, 2]                                        # offset and stride
    sd["ints"] = torch.arange(6).reshape(2, 3)
    expected = {}

    def save(name, obj, **kw):
        torch.save(obj, os.path.join(out, name), **kw)

    save("zip.pth", sd)
    expected["zip.pth"] = describe(sd)
    save("legacy.pth", sd, _use_new_zipfile_serialization=False)
    expected["legacy.pth"] = describe(sd)
    save("wrapped.pth", {"epoch": 3, "model": sd})
    expected["wrapped.pth"] = describe(sd)
    save("list.pth", [torch.zeros(2)])
    with open(os.path.join(out, "evil.pth"), "wb") as f:                 # a pickle that runs code
        f.write(b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    with open(os.path.join(out, "zip.pth"), "rb") as f:
        data = f.read()
    with open(os.path.join(out, "truncated.pth"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
