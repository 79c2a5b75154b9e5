"""Seeded LVIS-style cases and lvis-api's results on them (expected.json).

Run: PYTHONPATH=<lvis-api>:<cocoapi/PythonAPI> python3 make_cases.py  (numpy, pycocotools, lvis-api's
lvis/{lvis,results,eval}.py; vis.py not needed). Writes <case>/gt.json, <case>/dt.json, expected.json.
"""
import contextlib
import io
import json
import os
import random

import numpy as np
import pycocotools.mask as mask_utils

HERE = os.path.dirname(os.path.abspath(__file__))


def poly_for_box(rng, x, y, w, h):
    # an octagon-ish polygon inside the box, jittered
    cx, cy = x + w / 2, y + h / 2
    pts = []
    for k in range(8):
        a = 2 * np.pi * k / 8
        r = 0.5 + 0.5 * rng.random()
        pts += [round(cx + r * w / 2 * np.cos(a), 2), round(cy + r * h / 2 * np.sin(a), 2)]
    return [pts]


def make_case(name, seed, results_kind, n_imgs=7, n_cats=9, big_image=True, freq=None, zero_area=True):
    rng = random.Random(seed)
    cat_ids = sorted(rng.sample(range(1, 40), n_cats))
    freqs = freq or ["r", "c", "f"]
    cats = [{"id": c, "name": "cat%d" % c, "frequency": freqs[i % len(freqs)], "synset": "x.n.01",
             "image_count": 1, "instance_count": 1} for i, c in enumerate(cat_ids)]
    rng.shuffle(cats)  # file order differs from id order
    images, anns = [], []
    aid = 1
    img_ids = rng.sample(range(1, 1000), n_imgs)
    for ii, img_id in enumerate(img_ids):
        W, H = rng.choice([(160, 120), (200, 150), (96, 128)])
        present = set()
        n_gt = 0 if ii == 1 else rng.randint(2, 8)  # image index 1 has no GT
        for _ in range(n_gt):
            c = rng.choice(cat_ids)
            present.add(c)
            w = rng.uniform(3, W * 0.9)
            h = rng.uniform(3, H * 0.9)
            x = rng.uniform(0, W - w)
            y = rng.uniform(0, H - h)
            bbox = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            seg = poly_for_box(rng, *bbox)
            if rng.random() < 0.15:
                rle = mask_utils.frPyObjects(seg, H, W)
                rle = mask_utils.merge(rle)
                # uncompressed RLE for some GT
                m = mask_utils.decode(rle)
                flat = m.flatten(order="F")
                counts, cur, run = [], 0, 0
                for v in flat:
                    if v != cur:
                        counts.append(run)
                        run, cur = 0, v
                    run += 1
                counts.append(run)
                seg = {"size": [H, W], "counts": [int(c) for c in counts]}
                area = float(mask_utils.area(rle))
            else:
                area = float(mask_utils.area(mask_utils.merge(mask_utils.frPyObjects(seg, H, W))))
            if rng.random() < 0.3:
                area = round(w * h * rng.uniform(0.3, 1.2), 2)  # the area field as written, not the mask's
            if zero_area and rng.random() < 0.06:
                area = 0.0  # lvis-api's get_ann_ids drops area <= 0
            ann = {"id": aid, "image_id": img_id, "category_id": c, "bbox": bbox, "area": area, "segmentation": seg}
            if rng.random() < 0.08:
                ann["ignore"] = 1
            if rng.random() < 0.05:
                ann["iscrowd"] = 1  # LVIS ignores iscrowd
            anns.append(ann)
            aid += 1
        absent = [c for c in cat_ids if c not in present]
        neg = sorted(rng.sample(absent, min(len(absent), rng.randint(0, 3))))
        ne = sorted(rng.sample(sorted(present), min(len(present), rng.randint(0, 2))))
        images.append({"id": img_id, "width": W, "height": H, "file_name": "%d.jpg" % img_id,
                       "neg_category_ids": neg, "not_exhaustive_category_ids": ne})
    rng.shuffle(anns)
    gt = {"info": {}, "licenses": [], "images": images, "annotations": anns, "categories": cats}

    dts = []
    by_img = {}
    for a in anns:
        by_img.setdefault(a["image_id"], []).append(a)
    imsize = {im["id"]: (im["width"], im["height"]) for im in images}
    for ii, img_id in enumerate(img_ids):
        W, H = imsize[img_id]
        n = 340 if (big_image and ii == 2) else rng.randint(0, 30)
        gts = by_img.get(img_id, [])
        for k in range(n):
            if gts and rng.random() < 0.5:
                g = rng.choice(gts)
                x, y, w, h = g["bbox"]
                j = rng.uniform(0, 0.3)
                x += rng.uniform(-j, j) * w
                y += rng.uniform(-j, j) * h
                w *= rng.uniform(1 - j, 1 + j)
                h *= rng.uniform(1 - j, 1 + j)
                c = g["category_id"] if rng.random() < 0.8 else rng.choice(cat_ids)
            else:
                w = rng.uniform(2, W * 0.8)
                h = rng.uniform(2, H * 0.8)
                x = rng.uniform(0, W - w)
                y = rng.uniform(0, H - h)
                c = rng.choice(cat_ids)
            if rng.random() < 0.02:
                c = 99  # not a category: dropped
            if rng.random() < 0.01:
                w = 0.0  # zero area: dropped
            bbox = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            score = round(rng.choice([rng.random(), round(rng.random() * 20) / 20]), 4)  # many ties
            d = {"image_id": img_id, "category_id": c, "score": score}
            if results_kind in ("both", "bbox"):
                d["bbox"] = bbox
            if results_kind in ("both", "segm"):
                rle = mask_utils.merge(mask_utils.frPyObjects(poly_for_box(rng, *bbox), H, W)) if w > 0 else \
                    mask_utils.encode(np.zeros((H, W), dtype=np.uint8, order="F"))
                rle["counts"] = rle["counts"].decode("ascii")
                d["segmentation"] = rle
            dts.append(d)
    rng.shuffle(dts)
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    with open(os.path.join(HERE, name, "gt.json"), "w") as f:
        json.dump(gt, f, separators=(",", ":"))
    with open(os.path.join(HERE, name, "dt.json"), "w") as f:
        json.dump(dts, f, separators=(",", ":"))


def run_lvis(name, iou_type):
    from lvis import LVIS, LVISEval, LVISResults
    gt = LVIS(os.path.join(HERE, name, "gt.json"))
    ev = LVISEval(gt, os.path.join(HERE, name, "dt.json"), iou_type)
    ev.run()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ev.print_results()
    return {"results": {k: float(v) for k, v in ev.get_results().items()}, "printed": buf.getvalue()}


CASES = [
    # name, seed, results carry, kwargs
    ("both", 1, "both", {}),
    ("segm_only", 2, "segm", {}),
    ("bbox_only", 3, "bbox", {}),
    ("no_rare", 4, "both", {"freq": ["c", "f"], "n_imgs": 5, "big_image": False}),
]

if __name__ == "__main__":
    expected = {}
    for name, seed, kind, kw in CASES:
        make_case(name, seed, kind, **kw)
        expected[name] = {t: run_lvis(name, t) for t in ("bbox", "segm")}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
