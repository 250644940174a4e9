#!/usr/bin/env python3
"""Interop check, brats-cv -> nibabel: files written by NiftiWriter must load in nibabel with the
values written, the affine brats-cv reads back, and, for images written "like" a source, exactly
the source's affine (as nibabel reads the source) and its qform/sform codes. Images written from
a geometry alone must have a qform (from the quaternion brats-cv computed) equal to their sform.

Needs the fat jar (mvn -B -DskipTests package) and Debian's python with nibabel:
    /usr/bin/python3 bench/check_nibabel_interop.py [OUTDIR]
Sources are the nibabel-written fixtures of data/src/test/resources/nifti/.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

FIXTURES = os.path.join("data", "src", "test", "resources", "nifti")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="nifti-interop-")
    sources = sorted(glob.glob(os.path.join(FIXTURES, "*.nii*")))
    cmd = ["java", "-cp", os.path.join("jobs", "target", "brats-cv.jar"),
           os.path.join("bench", "NiftiInteropWriter.java"), out] + sources
    lines = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()
    failures = 0
    for line in lines:
        rec = json.loads(line)
        img = nib.load(rec["file"])
        hdr = img.header
        problems = []
        data = img.get_fdata().ravel(order="F")
        want = np.array(rec["values"], dtype=np.float64)
        if rec["datatype"] != "float32":
            want = np.rint(want)
        if not np.array_equal(data, want):
            problems.append(f"values differ, max |diff| {np.max(np.abs(data - want))}")
        if str(hdr.get_data_dtype().newbyteorder("=")) != rec["datatype"]:
            problems.append(f"dtype {hdr.get_data_dtype()} != {rec['datatype']}")
        if not np.allclose(img.affine, rec["affine"], atol=1e-6, rtol=0):
            problems.append(f"affine {img.affine.tolist()} != brats-cv's {rec['affine']}")
        codes = (int(hdr["qform_code"]), int(hdr["sform_code"]))
        if codes != (rec["qform_code"], rec["sform_code"]):
            problems.append(f"codes {codes} != brats-cv's")
        if rec["source"]:
            src = nib.load(rec["source"])
            if not np.allclose(img.affine, src.affine, atol=1e-5, rtol=0):
                problems.append(f"affine {img.affine.tolist()} != source {src.affine.tolist()}")
            src_codes = (int(src.header["qform_code"]), int(src.header["sform_code"]))
            if codes != src_codes:
                problems.append(f"codes {codes} != source {src_codes}")
            if not np.allclose(hdr.get_zooms()[:3], src.header.get_zooms()[:3], atol=1e-6):
                problems.append("zooms differ from the source")
        else:
            # nibabel's own set_qform from the same affine must store the same quaternion, qfac
            # and pixdim; the qform must then reproduce the affine as well as nibabel's does
            # (float32 quaternions lose ~1e-3 near half turns, in nibabel too)
            ref = nib.Nifti1Header()
            ref.set_qform(img.affine, code=1)
            ref_bcd = [float(ref[k]) for k in ("quatern_b", "quatern_c", "quatern_d")]
            if not np.allclose(ref_bcd, [float(hdr[k]) for k in ("quatern_b", "quatern_c", "quatern_d")], atol=1e-7):
                problems.append(f"quaternion {rec['quatern_bcd']} != nibabel's {ref_bcd}")
            if not np.allclose(ref["pixdim"][:4], hdr["pixdim"][:4], atol=1e-7):
                problems.append(f"pixdim {hdr['pixdim'][:4]} != nibabel's {ref['pixdim'][:4]}")
            ours = np.abs(hdr.get_qform() - img.affine).max()
            theirs = np.abs(ref.get_qform() - img.affine).max()
            if ours > theirs + 1e-6:
                problems.append(f"qform misses the sform by {ours}, nibabel's by {theirs}")
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        failures += bool(problems)
        print(f"{os.path.basename(rec['file'])}: {status} "
              f"(dtype {rec['datatype']}, codes q{codes[0]}/s{codes[1]}, "
              f"source {os.path.basename(rec['source']) if rec['source'] else '-'})")
    print(f"{len(lines) - failures} of {len(lines)} files agree with nibabel")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
