#!/usr/bin/env python3
"""Compares `brats-cv inspect --json` with nibabel on the same files: dims, datatype, spacing,
affine (1e-6), min, max, and sum (1e-9 relative to nibabel's get_fdata().sum()).

By design one case differs: a file with qform_code = sform_code = 0. brats-cv then uses the NIfTI
standard's "method 1" (pixdim scaling, origin 0), as the NIfTI C library, ITK and 3D Slicer do;
nibabel uses the Analyze convention (x flipped, origin at the centre). For such files the affine
is checked against pixdim scaling and the difference is only reported.

    /usr/bin/python3 bench/check_inspect_vs_nibabel.py FILE...
"""
import json
import os
import subprocess
import sys

import nibabel as nib
import numpy as np


def main():
    files = sys.argv[1:]
    jar = os.path.join("jobs", "target", "brats-cv.jar")
    run = subprocess.run(["java", "-jar", jar, "inspect", "--json"] + files,
                         capture_output=True, text=True)
    failures = 0
    for line in run.stdout.splitlines():
        rec = json.loads(line)
        img = nib.load(rec["file"])
        data = img.get_fdata()
        problems = []
        if "error" in rec:
            problems.append("brats-cv: " + rec["error"])
        else:
            if rec["dims"] != list(img.shape[:3]):
                problems.append(f"dims {rec['dims']} != {list(img.shape)}")
            if rec["datatype"] != str(img.get_data_dtype().newbyteorder("=")):
                problems.append(f"datatype {rec['datatype']} != {img.get_data_dtype()}")
            if not np.allclose(rec["spacing"], img.header.get_zooms()[:3], rtol=0, atol=1e-9):
                problems.append(f"spacing {rec['spacing']} != {img.header.get_zooms()[:3]}")
            expected_affine = img.affine
            if rec["qform_code"] <= 0 and rec["sform_code"] <= 0:
                expected_affine = np.diag(list(img.header.get_zooms()[:3]) + [1.0])
                print(f"{rec['file']}: no qform/sform: method 1 {rec['affine']}, nibabel's"
                      f" Analyze-style {img.affine.tolist()}")
            if not np.allclose(rec["affine"], expected_affine, rtol=0, atol=1e-6):
                problems.append(f"affine {rec['affine']} != {expected_affine.tolist()}")
            for key, want in (("min", data.min()), ("max", data.max())):
                if rec[key] != want:
                    problems.append(f"{key} {rec[key]} != {want}")
            total = data.sum()
            if abs(rec["sum"] - total) > 1e-9 * max(abs(total), 1):
                problems.append(f"sum {rec['sum']} != {total}")
        failures += bool(problems)
        print(f"{rec['file']}: {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}"
              f" (sum {rec.get('sum')} vs nibabel {data.sum()})")
    sys.exit(1 if failures or run.returncode else 0)


if __name__ == "__main__":
    main()
