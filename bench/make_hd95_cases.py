#!/usr/bin/python3
"""Writes synthetic BraTS-like (pred, gt) labelmap pairs to check and time brats-cv's metrics.

Usage: /usr/bin/python3 bench/make_hd95_cases.py OUT [--n 3] [--dims 240x240x155]
                                                 [--spacing 1,1,1] [--seed 0] [--wt-radius 30]
                                                 [--specks 3]

Each case: a blobby whole tumor (a ball of --wt-radius mm whose radius is perturbed by smooth
noise), a tumor core inside it, enhancing tumor as the core's rim; the prediction is the same
construction with other noise, shifted by a voxel or two, plus --specks false-positive specks
(3x3x3 cubes anywhere in the volume; they make the masks' bounding box nearly the whole volume).
Writes OUT/case-K_{gt,pred}.nii.gz (for hd95_scipy.py), the same voxels as raw uint8 in NIfTI
order (x fastest) OUT/case-K_{gt,pred}.u8.gz (for the Java side), and OUT/cases.json with dims,
spacing and the metrics scipy computes (bench/hd95_scipy.py), to compare against.
"""
import argparse
import gzip
import json
import os

import nibabel as nib
import numpy as np
from scipy import ndimage

from hd95_scipy import case_metrics


def smooth_noise(shape, rng, sigma):
    n = ndimage.gaussian_filter(rng.standard_normal(shape), sigma)
    return n / (np.abs(n).max() + 1e-12)


def tumor(shape, spacing, center, wt_radius, rng):
    grids = np.meshgrid(*[(np.arange(s) - c) * sp for s, c, sp in zip(shape, center, spacing)],
                        indexing="ij")
    r = np.sqrt(sum(g * g for g in grids))
    sigma = max(2.0, wt_radius / 6)
    wt = r < wt_radius * (1 + 0.25 * smooth_noise(shape, rng, sigma))
    tc = r < 0.55 * wt_radius * (1 + 0.3 * smooth_noise(shape, rng, sigma))
    core_inner = r < 0.35 * wt_radius * (1 + 0.3 * smooth_noise(shape, rng, sigma))
    labels = np.zeros(shape, np.uint8)
    labels[wt] = 2
    labels[tc] = 4
    labels[core_inner & tc] = 1
    return labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=3)
    ap.add_argument("--dims", default="240x240x155")
    ap.add_argument("--spacing", default="1,1,1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wt-radius", type=float, default=30.0)
    ap.add_argument("--specks", type=int, default=3)
    a = ap.parse_args()
    shape = tuple(int(s) for s in a.dims.lower().split("x"))
    spacing = [float(s) for s in a.spacing.split(",")]
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    affine = np.diag(spacing + [1.0])
    cases = []
    for k in range(a.n):
        center = [s / 2 + rng.uniform(-0.15, 0.15) * s for s in shape]
        gt = tumor(shape, spacing, center, a.wt_radius, rng)
        shifted = [c + rng.uniform(-2, 2) for c in center]
        pred = tumor(shape, spacing, shifted, a.wt_radius * rng.uniform(0.9, 1.1), rng)
        for _ in range(a.specks):  # false-positive specks, as real predictions have
            p = [int(rng.integers(0, s)) for s in shape]
            lo = [max(0, q - 1) for q in p]
            pred[lo[0]:p[0] + 2, lo[1]:p[1] + 2, lo[2]:p[2] + 2] = rng.choice([1, 2, 4])
        if k % 3 == 2:  # one case in three: a tumor without enhancing part, predicted with one
            gt[gt == 4] = 1
        entry = {"id": f"case-{k}", "gt": f"case-{k}_gt.u8.gz", "pred": f"case-{k}_pred.u8.gz"}
        for name, vol in (("gt", gt), ("pred", pred)):
            nib.save(nib.Nifti1Image(vol, affine), os.path.join(a.out, f"case-{k}_{name}.nii.gz"))
            with gzip.open(os.path.join(a.out, entry[name]), "wb", compresslevel=6) as f:
                f.write(vol.tobytes(order="F"))
        entry["scipy"] = case_metrics(pred, gt, spacing)
        cases.append(entry)
        print(entry["id"], json.dumps(entry["scipy"]))
    with open(os.path.join(a.out, "cases.json"), "w") as f:
        json.dump({"dims": list(shape), "spacing": spacing, "scheme": 2020,
                   "emptyHd95": 373.13, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
