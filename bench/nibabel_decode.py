#!/usr/bin/env python3
"""nibabel's NIfTI decode rate, measured like `brats-cv bench nifti`: MB/s of voxel data as
stored on disk (voxels x bytes per voxel, 1 MB = 10^6 bytes) over the wall time of full reads
(nib.load + get_fdata(dtype=float32): gunzip, conversion, scaling), after one warm-up read per
file.

    /usr/bin/python3 bench/nibabel_decode.py FILE... [--repeat 3] [--json] [--float64]
"""
import argparse
import json
import time

import nibabel as nib
import numpy as np


def decode(path, dtype):
    img = nib.load(path)
    return img.header, img.get_fdata(dtype=dtype)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--float64", action="store_true", help="get_fdata() in float64 instead")
    args = ap.parse_args()
    dtype = np.float64 if args.float64 else np.float32

    voxel_bytes = 0
    for f in args.files:  # warm-up, and the size of the stored voxel data
        hdr, _ = decode(f, dtype)
        voxel_bytes += int(np.prod(hdr.get_data_shape())) * hdr.get_data_dtype().itemsize

    start = time.perf_counter()
    for _ in range(args.repeat):
        for f in args.files:
            decode(f, dtype)
    seconds = time.perf_counter() - start
    megabytes = voxel_bytes * args.repeat / 1e6
    rate = megabytes / seconds
    if args.json:
        print(json.dumps({"tool": "nibabel " + nib.__version__, "files": len(args.files),
                          "repeat": args.repeat, "seconds": seconds,
                          "voxel_megabytes": megabytes, "mb_per_s": rate}))
    else:
        print(f"nibabel {nib.__version__}: {len(args.files)} file(s) x {args.repeat} repeat(s): "
              f"{megabytes:.1f} MB of voxel data in {seconds:.3f} s = {rate:.1f} MB/s")


if __name__ == "__main__":
    main()
