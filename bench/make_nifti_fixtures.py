#!/usr/bin/env python3
"""Writes the tiny NIfTI fixtures of data/src/test/resources/nifti/ with nibabel, and next to
them expected.json: what nibabel reports for each file (shape, dtype, affine, codes, scaling,
voxel values in NIfTI order). NiftiFixturesTest asserts that brats-cv reads the same.

Run from the repository root with Debian's python (python3-nibabel):
    /usr/bin/python3 bench/make_nifti_fixtures.py
"""
import json
import os
import struct

import nibabel as nib
import numpy as np

OUT = os.path.join("data", "src", "test", "resources", "nifti")


def rotation_affine():
    # 30 degrees about z, anisotropic voxels, an offset: a realistic oblique sform
    t = np.deg2rad(30)
    r = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    a = np.eye(4)
    a[:3, :3] = r @ np.diag([1.5, 2.0, 2.5])
    a[:3, 3] = [-90.25, 126.5, -72.0]
    return a


def values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        lo, hi = max(info.min, -30000), min(info.max, 30000)
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
    return (rng.standard_normal(shape) * 100).astype(dtype)


def main():
    os.makedirs(OUT, exist_ok=True)
    shape = (5, 4, 3)
    files = {}

    # 1. int16, little-endian, gzip, sform (code 2) and qform (code 1) from an oblique affine
    img = nib.Nifti1Image(values(shape, np.int16, 1), rotation_affine())
    img.set_qform(rotation_affine(), code=1)
    img.set_sform(rotation_affine(), code=2)
    img.header.set_data_dtype(np.int16)
    img.header.set_slope_inter(1, 0)
    files["int16_le.nii.gz"] = img

    # 2. float32, big-endian, uncompressed, pixdim scaling affine through sform code 1
    hdr = nib.Nifti1Header(endianness=">")
    img = nib.Nifti1Image(values(shape, np.float32, 2), np.diag([0.9, 0.8, 3.0, 1.0]), header=hdr)
    img.set_sform(np.diag([0.9, 0.8, 3.0, 1.0]), code=1)
    img.header.set_data_dtype(np.dtype(">f4"))
    files["float32_be.nii"] = img

    # 3. NIfTI-2, int32
    img = nib.Nifti2Image(values(shape, np.int32, 3), rotation_affine())
    img.header.set_data_dtype(np.int32)
    img.header.set_slope_inter(1, 0)
    files["nifti2_int32.nii"] = img

    # 4. qform only (sform_code 0): a 90-degree rotation about z with qfac -1
    q = np.array([[0, -1.2, 0, 10], [1.2, 0, 0, -20], [0, 0, -2.0, 30], [0, 0, 0, 1]])
    img = nib.Nifti1Image(values(shape, np.int16, 4), None)
    img.set_qform(q, code=1)
    img.set_sform(None, code=0)
    img.header.set_data_dtype(np.int16)
    img.header.set_slope_inter(1, 0)
    files["qform_only.nii.gz"] = img

    # 5. uint8 with scl_slope 0.5, scl_inter -3 (patched into the header bytes after saving,
    #    because nibabel chooses its own scaling when it writes)
    img = nib.Nifti1Image(values(shape, np.uint8, 5), np.diag([1.0, 1.0, 1.0, 1.0]))
    img.header.set_data_dtype(np.uint8)
    img.header.set_slope_inter(1, 0)
    files["scaled_uint8.nii"] = img

    for name, img in files.items():
        nib.save(img, os.path.join(OUT, name))

    path = os.path.join(OUT, "scaled_uint8.nii")
    with open(path, "r+b") as f:
        f.seek(112)
        f.write(struct.pack("<ff", 0.5, -3.0))

    expected = {}
    for name in files:
        img = nib.load(os.path.join(OUT, name))
        h = img.header
        data = img.get_fdata()  # float64, scaled
        # nibabel moves the scaling into the array proxy and blanks it in img.header
        slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
        expected[name] = {
            "version": 2 if isinstance(h, nib.Nifti2Header) else 1,
            "byte_order": "big" if h.endianness == ">" else "little",
            "shape": [int(s) for s in img.shape],
            "dtype": str(np.dtype(h.get_data_dtype()).newbyteorder("=")),
            "affine": img.affine.tolist(),
            "zooms": [float(z) for z in h.get_zooms()[:3]],
            "qform_code": int(h["qform_code"]),
            "sform_code": int(h["sform_code"]),
            "scl_slope": slope,
            "scl_inter": inter,
            "sum": float(data.sum()),
            # NIfTI order (x fastest) = Fortran order of nibabel's (x, y, z) array
            "values": data.ravel(order="F").tolist(),
        }
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for name in files:
        print(name, os.path.getsize(os.path.join(OUT, name)), "bytes")


if __name__ == "__main__":
    main()
