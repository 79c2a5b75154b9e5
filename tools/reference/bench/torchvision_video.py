#!/usr/bin/python3
"""The Python baseline of the video annotation bench: a sequential OpenCV + torchvision loop
(decode a frame, run Faster R-CNN, draw, encode) over one clip, timed end to end.
Needs Debian's python3-opencv and python3-torchvision.
Usage: torchvision_video.py --config C.json --weights W.pth --clip CLIP --out OUT.avi [--threads 2]
  C.json is a ResVision detection config, W.pth the weights both sides load (made by
  tools/reference/train/torchvision_detection.py init), so both run the same model.
"""
import argparse
import os
import resource
import sys
import time

import cv2
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
from torchvision_detection import build, read_config  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--clip", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = build(read_config(a.config))
    model.load_state_dict(torch.load(a.weights))
    model.eval()
    cap = cv2.VideoCapture(a.clip)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    out = cv2.VideoWriter(a.out, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    frames = 0
    t0 = time.perf_counter()
    with torch.no_grad():
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            x = torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1).float() / 255
            det = model([x])[0]
            for b, s in zip(det["boxes"].tolist(), det["scores"].tolist()):
                cv2.rectangle(bgr, (int(b[0]), int(b[1])), (int(b[2]), int(b[3])), (0, 255, 0), 2)
                cv2.putText(bgr, f"{s:.2f}", (int(b[0]), max(10, int(b[1]) - 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 255, 0), 1)
            out.write(bgr)
            frames += 1
    out.release()
    s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torchvision video frames={frames} seconds={s:.2f} fps={frames / s:.3f} peak_rss_mb={rss:.0f}", flush=True)


if __name__ == "__main__":
    main()
