#!/usr/bin/env python3
"""Makes the TIDE test cases (seeded, deterministic) and records what tidecv computes on them.

Each case is a folder with gt.json (COCO instances), dt.json (COCO results) and expected.json:
  {"<bbox|segm>": {"params": {pos_threshold, background_threshold, max_dets},
                   "ap", "main": {Cls..Miss}, "special": {FalsePos, FalseNeg},
                   "counts": {Cls..Miss}, "per_category": {"<category id>": {Cls..Miss}},
                   "summary": [tidecv's printed summary lines]}}
The Java test (TideFixturesTest) reads them without Python.

Needs Debian's python3 with numpy, pandas, seaborn, appdirs, matplotlib, opencv (apt), tidecv 1.0.1
(github.com/dbolya/tide) and pycocotools built from github.com/cocodataset/cocoapi, e.g.:
  PYTHONPATH=/work/ref/cocoapi/PythonAPI:/work/ref/tide MPLBACKEND=Agg \\
      /usr/bin/python3 eval/src/test/resources/tide/make_cases.py [OUT_DIR]
The gen_coco case also needs ../shared/tools/gen_coco.py beside the project.
"""
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
from pycocotools import mask as mask_utils
from tidecv import TIDE, datasets

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
SHARED_GEN = os.path.normpath(os.path.join(HERE, '../../../../../../shared/tools/gen_coco.py'))
ERRORS = ['Cls', 'Loc', 'Both', 'Dupe', 'Bkg', 'Miss']


# ----------------------------------------------------------------------------- geometry helpers

def box_poly(b):
    x, y, w, h = b
    return [[x, y, x, y + h, x + w, y + h, x + w, y]]


def octagon(b, cut=0.25):
    """An octagon inside box b (corners cut by `cut` of the side): a mask that is not its box."""
    x, y, w, h = b
    cx, cy = cut * w, cut * h
    return [[x + cx, y, x + w - cx, y, x + w, y + cy, x + w, y + h - cy,
             x + w - cx, y + h, x + cx, y + h, x, y + h - cy, x, y + cy]]


def rle_of_poly(poly, h, w):
    return mask_utils.merge(mask_utils.frPyObjects(poly, h, w))


def compressed(rle):
    return {'size': [int(v) for v in rle['size']], 'counts': rle['counts'].decode('ascii')}


def uncompressed(rle):
    m = mask_utils.decode(rle)
    flat = m.flatten(order='F')
    counts, cur, run = [], 0, 0
    for v in flat:
        if v == cur:
            run += 1
        else:
            counts.append(run)
            cur, run = v, 1
    counts.append(run)
    return {'size': [int(v) for v in rle['size']], 'counts': [int(c) for c in counts]}


def r2(v):
    return float(round(float(v), 2))


# ----------------------------------------------------------------------------- case building

class Case:
    def __init__(self, name, cats):
        self.name = name
        self.images, self.anns, self.dets = [], [], []
        self.cats = [{'id': c, 'name': 'cat%d' % c, 'supercategory': 's'} for c in cats]
        self.sizes = {}

    def image(self, iid, w=100, h=100):
        self.images.append({'id': iid, 'file_name': '%d.jpg' % iid, 'width': w, 'height': h})
        self.sizes[iid] = (h, w)

    def gt(self, iid, cat, box, crowd=False, poly=None, crowd_compressed=False):
        h, w = self.sizes[iid]
        box = [r2(v) for v in box]
        poly = poly if poly is not None else box_poly(box)
        if crowd:
            rle = rle_of_poly(poly, h, w)
            seg = compressed(rle) if crowd_compressed else uncompressed(rle)
            area = float(mask_utils.area(rle))
        else:
            seg = [[r2(v) for v in p] for p in poly]
            area = float(mask_utils.area(rle_of_poly(seg, h, w)))
        self.anns.append({'id': len(self.anns) + 1, 'image_id': iid, 'category_id': cat, 'bbox': box,
                          'area': area, 'iscrowd': 1 if crowd else 0, 'segmentation': seg})

    def det(self, iid, cat, box, score, poly=None):
        h, w = self.sizes[iid]
        box = [r2(v) for v in box]
        rle = rle_of_poly(poly if poly is not None else box_poly(box), h, w)
        self.dets.append({'image_id': iid, 'category_id': cat, 'bbox': box, 'score': float(score),
                          'segmentation': compressed(rle)})

    def write(self, runs):
        d = os.path.join(OUT, self.name)
        os.makedirs(d, exist_ok=True)
        gt = {'images': self.images, 'annotations': self.anns, 'categories': self.cats}
        with open(os.path.join(d, 'gt.json'), 'w') as f:
            json.dump(gt, f, separators=(',', ':'))
        dets = self.dets
        if all(mode == 'bbox' for mode, *_ in runs):  # keep the fixtures small
            dets = [{k: v for k, v in det.items() if k != 'segmentation'} for det in dets]
        with open(os.path.join(d, 'dt.json'), 'w') as f:
            json.dump(dets, f, separators=(',', ':'))
        record(d, runs)


def record(d, runs):
    """Runs tidecv on d/gt.json, d/dt.json for each (mode, pos, bg, max_dets) and writes expected.json."""
    expected = {}
    for mode, pos, bg, max_dets in runs:
        gt = datasets.COCO(os.path.join(d, 'gt.json'))
        gt.max_dets = max_dets
        dt = datasets.COCOResult(os.path.join(d, 'dt.json'))
        tide = TIDE(pos_threshold=pos, background_threshold=bg)
        run = tide.evaluate(gt, dt, mode=TIDE.BOX if mode == 'bbox' else TIDE.MASK)
        errs = tide.get_all_errors()
        per_cat = {}
        for e in run.errors:
            cls = e.pred['class'] if hasattr(e, 'pred') else e.gt['class']
            per_cat.setdefault(str(cls), {n: 0 for n in ERRORS})[e.short_name] += 1
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            tide.summarize()
        expected[mode] = {
            'params': {'pos_threshold': pos, 'background_threshold': bg, 'max_dets': max_dets},
            'ap': run.ap,
            'main': {k: float(v) for k, v in errs['main']['dt'].items()},
            'special': {k: float(v) for k, v in errs['special']['dt'].items()},
            'counts': {k.short_name: v for k, v in run.count_errors().items()},
            'per_category': per_cat,
            'summary': out.getvalue().split('\n'),
        }
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
    print(d, {m: round(v['ap'], 4) for m, v in expected.items()})


BOTH_MODES = [('bbox', 0.5, 0.1, 100), ('segm', 0.5, 0.1, 100)]


def case_hand_errors():
    """Every error type by hand, with IoUs exactly at the thresholds."""
    c = Case('01-hand-errors', [1, 2, 3, 4])  # 3: no GT, no detections; 4: detections only
    c.image(1)
    c.gt(1, 1, [10, 10, 20, 20])   # g1: matched by d1
    c.gt(1, 1, [50, 50, 20, 20])   # g2: claimed by Cls d3 and Loc d4
    c.gt(1, 2, [10, 60, 20, 20])   # g3: claimed by Cls d5
    c.gt(1, 2, [70, 10, 20, 20])   # g4: missed
    c.det(1, 1, [10, 10, 20, 20], 0.9)    # TP
    c.det(1, 1, [11, 10, 20, 20], 0.8)    # Dupe of g1
    c.det(1, 2, [50, 50, 20, 20], 0.7)    # Cls on g2 (best claim)
    c.det(1, 1, [50, 60, 20, 20], 0.6)    # Loc on g2 (IoU 1/3), suppressed by d3's claim
    c.det(1, 1, [10, 60, 20, 20], 0.5)    # Cls on g3
    c.det(1, 2, [15, 15, 20, 20], 0.45)   # Both: IoU 0.39 with g1 (other class)
    c.det(1, 1, [85, 85, 10, 10], 0.4)    # Bkg
    c.image(2)                            # no GT
    c.det(2, 1, [10, 10, 30, 30], 0.95)   # Bkg
    c.det(2, 4, [40, 40, 30, 30], 0.3)    # Bkg, class without GT (AP 0 in tidecv's mean)
    c.image(3)                            # GT, no detections
    c.gt(3, 2, [0, 0, 30, 30])            # missed
    c.image(4)                            # IoUs exactly 0.5 and 0.1
    c.gt(4, 1, [0, 0, 10, 10])
    c.det(4, 1, [0, 0, 10, 5], 0.55)      # IoU 0.5: TP (>= pos)
    c.gt(4, 1, [20, 0, 10, 10])
    c.det(4, 1, [20, 0, 10, 1], 0.55)     # IoU 0.1: Loc (bg <= IoU)
    c.gt(4, 1, [40, 0, 10, 10])
    c.det(4, 1, [40, 0, 10, 10], 0.6)     # TP
    c.det(4, 1, [40, 0, 10, 5], 0.5)      # IoU 0.5 with a used GT: Loc (<= pos), not Dupe
    c.gt(4, 1, [60, 0, 10, 10])           # missed
    c.det(4, 2, [60, 0, 10, 1], 0.35)     # IoU 0.1 with another class only: Bkg (<= bg)
    c.image(5)                            # no GT, no detections
    c.write(BOTH_MODES)


def case_crowd():
    """Crowd regions (tidecv's ignore regions) in every position that matters."""
    c = Case('02-crowd', [1, 2])
    c.image(1)
    c.gt(1, 1, [0, 0, 50, 50], crowd=True)
    c.gt(1, 1, [45, 45, 20, 20])                 # g1: only claimed by an ignored Loc
    c.det(1, 1, [10, 10, 10, 10], 0.9)           # crowd-IoU 1: ignored, counted Bkg
    c.det(1, 1, [40, 0, 20, 10], 0.8)            # crowd-IoU exactly 0.5: not ignored (> pos): Bkg FP
    c.det(1, 2, [10, 10, 10, 10], 0.7)           # crowd of another class: Bkg FP
    c.det(1, 1, [30, 30, 25, 25], 0.6)           # crowd-IoU 0.64: ignored; IoU 0.108 with g1: Loc, fixable
    c.image(2)
    c.gt(2, 1, [0, 0, 100, 100], crowd=True, crowd_compressed=True)  # crowd only
    c.det(2, 1, [10, 10, 20, 20], 0.85)          # ignored, and Bkg (no non-crowd GT)
    c.det(2, 2, [10, 10, 20, 20], 0.75)          # other class: Bkg FP
    c.image(3)
    c.gt(3, 1, [0, 0, 100, 100], crowd=True)
    c.gt(3, 1, [10, 10, 20, 20])
    c.det(3, 1, [10, 10, 20, 20], 0.9)           # TP even inside the crowd
    c.det(3, 1, [10, 10, 20, 21], 0.8)           # ignored, counted Dupe
    c.det(3, 1, [60, 60, 20, 20], 0.7)           # ignored, counted Bkg
    c.image(4)
    c.gt(4, 2, [20, 20, 40, 40])
    c.det(4, 2, [20, 20, 40, 40], 0.65)          # TP
    c.write(BOTH_MODES)


def random_case(name, seed, n_images, cats, runs, score_decimals=2, many_dets=False, size=(80, 160)):
    """GT with crowds and empty images; detections made to be each error type; rounded scores tie."""
    rng = np.random.RandomState(seed)
    c = Case(name, cats)
    gt_cats = cats[:-1]  # the last category never has GT
    for iid in range(1, n_images + 1):
        w, h = int(rng.randint(*size)), int(rng.randint(*size))
        c.image(iid * 3, w, h)  # non-contiguous ids
        objs = []
        n_gt = 0 if rng.rand() < 0.12 else int(rng.randint(1, 7))
        for _ in range(n_gt):
            bw, bh = rng.uniform(8, w / 2), rng.uniform(8, h / 2)
            box = [rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh]
            cat = int(rng.choice(gt_cats))
            crowd = rng.rand() < 0.1
            c.gt(iid * 3, cat, box, crowd=crowd, poly=None if crowd else octagon([r2(v) for v in box]))
            objs.append((cat, [r2(v) for v in box]))

        def score():
            return round(float(rng.uniform(0.05, 1.0)), score_decimals)

        def jitter(box, s):
            x, y, bw, bh = box
            return [x + rng.normal(0, s * bw), y + rng.normal(0, s * bh),
                    bw * np.exp(rng.normal(0, s)), bh * np.exp(rng.normal(0, s))]

        if rng.rand() < 0.1:
            objs_for_dets = []  # an image whose GT are all missed
        else:
            objs_for_dets = objs
        for cat, box in objs_for_dets:
            kind = rng.rand()
            if kind < 0.55:
                c.det(iid * 3, cat, jitter(box, 0.05), score())
            elif kind < 0.65:
                c.det(iid * 3, cat, jitter(box, 0.3), score())           # often Loc
            elif kind < 0.75:
                other = int(rng.choice([k for k in cats if k != cat]))
                c.det(iid * 3, other, jitter(box, 0.05), score())         # Cls
            elif kind < 0.82:
                other = int(rng.choice([k for k in cats if k != cat]))
                c.det(iid * 3, other, jitter(box, 0.35), score())         # Both, often
            if rng.rand() < 0.2:
                c.det(iid * 3, cat, jitter(box, 0.06), score())           # Dupe, often
        n_bkg = int(rng.randint(0, 4)) + (int(rng.randint(100, 140)) if many_dets and rng.rand() < 0.5 else 0)
        for _ in range(n_bkg):
            bw, bh = rng.uniform(4, w / 3), rng.uniform(4, h / 3)
            c.det(iid * 3, int(rng.choice(cats)), [rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh], score())
    c.write(runs)


def case_gen_coco():
    """A realistic small set from the project's own generator (shared/tools/gen_coco.py)."""
    if not os.path.exists(SHARED_GEN):
        print('skipping 08-gen-coco:', SHARED_GEN, 'not found')
        return
    d = os.path.join(OUT, '08-gen-coco')
    os.makedirs(d, exist_ok=True)
    subprocess.run([sys.executable, SHARED_GEN, '--images', '8', '--cats', '6', '--seed', '7', '--segm',
                    '--max-dets-per-image', '25', '--out-gt', os.path.join(d, 'gt.json'),
                    '--out-dt', os.path.join(d, 'dt.json')], check=True)
    record(d, BOTH_MODES)


def main():
    case_hand_errors()
    case_crowd()
    random_case('03-random-ties', 11, 30, [1, 2, 5, 9], BOTH_MODES, score_decimals=1)
    random_case('04-random', 12, 40, [2, 3, 7, 8, 11], BOTH_MODES)
    random_case('05-maxdets-cut', 13, 8, [1, 2, 3], [('bbox', 0.5, 0.1, 100), ('segm', 0.5, 0.1, 100)],
                many_dets=True, size=(60, 90))
    random_case('06-thresholds', 14, 30, [1, 4, 6], [('bbox', 0.75, 0.2, 10), ('segm', 0.3, 0.05, 5)])
    random_case('07-random-big-ties', 15, 60, [1, 2, 3, 4, 5, 6], [('bbox', 0.5, 0.1, 100)], score_decimals=1)
    case_gen_coco()


if __name__ == '__main__':
    main()
