#!/usr/bin/python3
"""PyTorch-eager twin of `brats-cv bench infer`: one case through an ensemble of EquiUnets x 16 TTA.

Usage: python3 bench/infer_torch.py --width 8 --size 128x128x96 --members 2 [--tta 16] [--batch 1]
       [--cases 2] [--threads N] [--json]
Each member (the network of bench/equiunet_torch.py, imported from beside this script, eval mode)
predicts the case under the 16 test-time augmentations (no flip / flip D / flip H / flip W, then
0-3 quarter turns in the (H, W) plane, torch.rot90 dims (3, 4)); each prediction's sigmoid is
mapped back by the inverse transform and the probabilities are averaged, under torch.inference_mode.
The case starts and ends in numpy (as the Java command's starts and ends in Java arrays).
--batch N stacks up to N augmentations of one output shape per forward pass (1 = one at a time,
the plain way); prints ms_per_case, cases_per_minute and the Java command's other keys.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from equiunet_torch import EquiUnet  # noqa: E402

TRANSFORMS = [(flip, k) for flip in (None, 2, 3, 4) for k in range(4)]


def apply(x, flip, k):
    y = x if flip is None else torch.flip(x, (flip,))
    return y if k == 0 else torch.rot90(y, k, (3, 4))


def invert(y, flip, k):
    x = y if k == 0 else torch.rot90(y, -k, (3, 4))
    return x if flip is None else torch.flip(x, (flip,))


def plan(transforms, shape, batch):
    """Groups of one output shape (even, odd quarter turns unless H = W), cut into batches."""
    square = shape[3] == shape[4]
    groups = {}
    for t in transforms:
        groups.setdefault(not square and t[1] % 2 == 1, []).append(t)
    out = []
    for g in groups.values():
        out += [g[i : i + batch] for i in range(0, len(g), batch)]
    return out


def predict(nets, case, transforms, batch):
    with torch.inference_mode():
        x = torch.from_numpy(case)
        total = None
        for net in nets:
            for chunk in plan(transforms, x.shape, batch):
                inp = torch.cat([apply(x, f, k) for f, k in chunk], 0)
                probs = torch.sigmoid(net(inp)[0])
                for i, (f, k) in enumerate(chunk):
                    back = invert(probs[i : i + 1], f, k)
                    total = back.clone() if total is None else total.add_(back)
        return (total / (len(nets) * len(transforms))).numpy()


def parse_size(text):
    parts = [int(p) for p in text.lower().split("x")]
    return parts * 3 if len(parts) == 1 else parts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=48)
    p.add_argument("--norm", default="group")
    p.add_argument("--size", default="128x128x96", help="one edge or DxHxW, multiples of 8")
    p.add_argument("--members", type=int, default=2)
    p.add_argument("--tta", type=int, default=16, choices=(1, 16))
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--cases", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    d, h, w = parse_size(a.size)
    nets = [EquiUnet(a.width, a.norm, False).eval() for _ in range(a.members)]
    case = np.random.default_rng(42).standard_normal((1, 4, d, h, w), dtype=np.float32)
    transforms = TRANSFORMS if a.tta == 16 else TRANSFORMS[:1]
    batch = max(1, min(a.batch, len(transforms)))
    probs = predict(nets, case, transforms, batch)
    t0 = time.perf_counter()
    for _ in range(a.cases):
        probs = predict(nets, case, transforms, batch)
    ms = (time.perf_counter() - t0) * 1000 / a.cases
    out = {
        "ms_per_case": round(ms, 1),
        "cases_per_minute": round(60000 / ms, 3),
        "ms_per_prediction": round(ms / (a.members * len(transforms)), 1),
        "width": a.width,
        "size": f"{d}x{h}x{w}",
        "members": a.members,
        "tta": a.tta,
        "batch": batch,
        "cases": a.cases,
        "threads": torch.get_num_threads(),
        "device": "cpu",
        "norm": a.norm,
        "mean_probability": round(float(probs.mean()), 4),
        "engine": "torch " + torch.__version__,
    }
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
