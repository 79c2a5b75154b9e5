"""pycocotools' COCOeval on a GT and a results file, the reference side of coco_eval_bench.sh.

Run: PYTHONPATH=<cocoapi>/PythonAPI /usr/bin/python3 pycocotools_eval.py GT.json DT.json bbox|segm
(cocoapi's PythonAPI built in place: tools/reference/bench/build_pycocotools.sh). Prints the summary, then
one line per phase on stderr ("load", "evaluate", "accumulate", "summarize", seconds), as
`resvision coco-eval --timing` does.
"""
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402

if not hasattr(np, "float"):  # cocoapi's cocoeval.py uses np.float, an alias of float that numpy 1.24 removed
    np.float = float
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

gt_file, dt_file, iou_type = sys.argv[1], sys.argv[2], sys.argv[3]
gt = COCO(gt_file)
dt = gt.loadRes(dt_file)
t1 = time.perf_counter()
e = COCOeval(gt, dt, iou_type)
e.evaluate()
t2 = time.perf_counter()
e.accumulate()
t3 = time.perf_counter()
e.summarize()
t4 = time.perf_counter()
for name, s in (("load", t1 - t0), ("evaluate", t2 - t1), ("accumulate", t3 - t2), ("summarize", t4 - t3)):
    print(f"{name:<12} {s:8.3f}", file=sys.stderr)
