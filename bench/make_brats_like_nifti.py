#!/usr/bin/env python3
"""Writes BraTS-like test images for decode benchmarks: 240x240x155 int16 .nii.gz (1 mm, the
BraTS 2020 geometry) holding smooth noise inside an ellipsoidal "head" and zeros outside, so that
gzip compresses them about as well as real scans (~3-5x).

    /usr/bin/python3 bench/make_brats_like_nifti.py OUTDIR [--count 4] [--seed 0]
"""
import argparse
import os

import nibabel as nib
import numpy as np
from scipy.ndimage import gaussian_filter


def brats_like(rng, shape=(240, 240, 155)):
    noise = rng.standard_normal(shape).astype(np.float32)
    smooth = gaussian_filter(noise, sigma=2.0)
    smooth = smooth / smooth.std()
    x, y, z = np.ogrid[: shape[0], : shape[1], : shape[2]]
    cx, cy, cz = (s / 2 for s in shape)
    head = ((x - cx) / 70) ** 2 + ((y - cy) / 90) ** 2 + ((z - cz) / 65) ** 2 <= 1
    # tissue intensities around 800 with texture, plus small voxel noise, zero background
    values = 800 + 250 * smooth + 20 * rng.standard_normal(shape)
    return np.where(head, np.clip(values, 0, 32767), 0).astype(np.int16)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    affine = np.array([[-1.0, 0, 0, 0], [0, -1.0, 0, 239], [0, 0, 1.0, 0], [0, 0, 0, 1]])
    for i in range(args.count):
        img = nib.Nifti1Image(brats_like(rng), affine)
        img.header.set_data_dtype(np.int16)
        img.set_qform(affine, code=1)
        img.set_sform(affine, code=1)
        path = os.path.join(args.outdir, f"BraTSLike_{i:03d}_t1.nii.gz")
        nib.save(img, path)
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
