#!/usr/bin/python3
"""Compares brats-cv's brats2023 scores with the BraTS 2023 reference code on generated cases.

Usage: /usr/bin/python3 bench/lesionwise_reference.py --ref REF --out DIR --brats-cv 'CMD'
           [--n 12] [--dims 96x96x64] [--seed 0] [--challenges gli,met]

REF is a checkout of rachitsaluja/BraTS-2023-Metrics (its metrics.py and its copy of DeepMind's
surface_distance are imported from there; nothing of it is copied). Its one import that Debian
lacks, cc3d, is stood in for by scipy.ndimage.label with a 3x3x3 structure (26-connectivity).
CMD runs brats-cv, e.g. 'java -jar jobs/target/brats-cv.jar'; it is called as
CMD evaluate-case --layout brats2023 --convention brats2023-<challenge> --pred P --gt G --json.

Cases (BraTS 2023 labels: 1 NCR, 2 ED, 3 ET) mix what the lesion-wise rules hinge on: several
blobby lesions (two of them close enough to merge after dilation in some cases), small lesions
near the volume thresholds, false-positive specks, missed lesions, empty regions on one or both
sides, anisotropic spacing. Debian's pandas 1.5 needs one stand-in as well: DataFrame.replace
of inf on the frame with array cells, done cell by cell. Prints one line per case, region and metric where the two differ by
more than 1e-6, then the largest absolute difference per metric, and writes DIR/differences.json.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import types
import warnings

import nibabel as nib
import numpy as np
from scipy import ndimage

METRICS = {  # brats-cv key -> reference column
    "dice": "Legacy_Dice",
    "hd95": "Legacy_HD95",
    "lesionwise_dice": "LesionWise_Score_Dice",
    "lesionwise_hd95": "LesionWise_Score_HD95",
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
}
CHALLENGE_NAMES = {"gli": "BraTS-GLI", "ssa": "BraTS-SSA", "ped": "BraTS-PED",
                   "men": "BraTS-MEN", "met": "BraTS-MET"}


def import_reference(ref):
    """The reference's metrics module, with cc3d stood in for by scipy's 26-connected labelling."""
    cc3d = types.ModuleType("cc3d")

    def connected_components(a, connectivity=26):
        assert connectivity == 26
        return ndimage.label(np.asarray(a) != 0, structure=np.ones((3, 3, 3)))[0]

    cc3d.connected_components = connected_components
    sys.modules["cc3d"] = cc3d
    # Debian's pandas 1.5 fails on DataFrame.replace(np.inf, 374) when a column holds arrays (the
    # predicted lesion numbers): replace inf cell by cell instead, the same result.
    import pandas as pd

    def replace_inf(self, to_replace=None, value=None, inplace=False, **kw):
        if not (isinstance(to_replace, float) and np.isinf(to_replace)) or kw:
            return original_replace(self, to_replace, value, inplace=inplace, **kw)
        fixed = self.applymap(
            lambda v: value if isinstance(v, (float, np.floating)) and v == to_replace else v)
        if inplace:
            for col in self.columns:
                self[col] = fixed[col]
            return None
        return fixed

    original_replace = pd.DataFrame.replace
    pd.DataFrame.replace = replace_inf
    sys.path.insert(0, ref)
    import metrics  # noqa: E402  (the reference's metrics.py)
    return metrics


def blob(shape, spacing, center, radius, rng):
    grids = np.meshgrid(*[(np.arange(s) - c) * sp for s, c, sp in zip(shape, center, spacing)],
                        indexing="ij")
    r = np.sqrt(sum(g * g for g in grids))
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), max(1.5, radius / 4))
    noise /= np.abs(noise).max() + 1e-12
    return r < radius * (1 + 0.3 * noise)


def tumour(shape, spacing, lesions, rng):
    """A labelmap with the given (center, radius) lesions: ED shell, NCR/ET core."""
    seg = np.zeros(shape, np.uint8)
    for center, radius in lesions:
        wt = blob(shape, spacing, center, radius, rng)
        tc = blob(shape, spacing, center, 0.6 * radius, rng) & wt
        core = blob(shape, spacing, center, 0.35 * radius, rng) & tc
        seg[wt & (seg == 0)] = 2
        seg[tc] = 3
        seg[core] = 1
    return seg


def make_case(k, shape, rng):
    spacing = (1.0, 1.0, 1.0) if k % 3 else (1.0, 1.2, 2.5)
    n = 1 + k % 4
    lesions = []
    for _ in range(n):
        center = [rng.uniform(0.25, 0.75) * s for s in shape]
        lesions.append((center, rng.uniform(3.0, 11.0)))
    if k % 4 == 1 and lesions:  # a second lesion next to the first: merged by dilation or not
        c, r = lesions[0]
        lesions.append(([c[0] + 2 * r + rng.uniform(1, 5), c[1], c[2]], r * 0.7))
    gt = tumour(shape, spacing, lesions, rng)
    pred_lesions = []
    for i, (c, r) in enumerate(lesions):
        if k % 5 == 2 and i == 0:
            continue  # a missed lesion
        pred_lesions.append(([x + rng.uniform(-2, 2) for x in c], r * rng.uniform(0.8, 1.2)))
    pred = tumour(shape, spacing, pred_lesions, rng)
    for _ in range(int(rng.integers(0, 5))):  # false-positive specks, 1 to 4 voxels a side
        s = int(rng.integers(1, 5))
        x, y, z = (int(rng.integers(0, d - s)) for d in shape)
        pred[x:x + s, y:y + s, z:z + s] = int(rng.integers(1, 4))
    if k % 7 == 3:
        gt[gt == 3] = 1  # no enhancing tumour in the ground truth
    if k % 7 == 5:
        pred[:] = 0  # an empty prediction
    if k % 11 == 6:
        gt[:] = 0
        pred[pred == 3] = 1
    if k % 11 == 8:  # a lone small lesion, near the thresholds
        gt[:] = 0
        pred[:] = 0
        c = [s // 2 for s in shape]
        gt[c[0]:c[0] + 3, c[1]:c[1] + 3, c[2]:c[2] + 5] = 2
        pred[c[0]:c[0] + 3, c[1]:c[1] + 3, c[2]:c[2] + 4] = 2
    return gt, pred, spacing


def save(path, seg, spacing):
    img = nib.Nifti1Image(seg.astype(np.uint8), np.diag(list(spacing) + [1.0]))
    img.header.set_zooms(spacing)
    nib.save(img, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--brats-cv", required=True, dest="cmd")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--dims", default="96x96x64")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--challenges", default="gli,met")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")  # the reference's DataFrame.append and 0/0 are expected
    metrics = import_reference(a.ref)
    shape = tuple(int(v) for v in a.dims.split("x"))
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    worst = {m: 0.0 for m in METRICS}
    rows = []
    for k in range(a.n):
        gt, pred, spacing = make_case(k, shape, rng)
        gt_file = os.path.join(a.out, f"case-{k}_gt.nii.gz")
        pred_file = os.path.join(a.out, f"case-{k}_pred.nii.gz")
        save(gt_file, gt, spacing)
        save(pred_file, pred, spacing)
        for ch in a.challenges.split(","):
            ref = metrics.get_LesionWiseResults(pred_file, gt_file, CHALLENGE_NAMES[ch])
            out = subprocess.run(
                shlex.split(a.cmd) + ["evaluate-case", "--layout", "brats2023", "--convention",
                                      "brats2023-" + ch, "--pred", pred_file, "--gt", gt_file,
                                      "--json"],
                check=True, capture_output=True, text=True).stdout
            mine = json.loads(out.strip().splitlines()[-1])
            for _, r in ref.iterrows():
                region = r["Labels"]
                for key, col in METRICS.items():
                    exp = float(r[col])
                    got = mine[region][key]
                    got = float("nan") if got is None else float(got)
                    d = 0.0 if (np.isnan(exp) and np.isnan(got)) else abs(exp - got)
                    if np.isnan(d):
                        d = float("inf")
                    worst[key] = max(worst[key], d)
                    rows.append({"case": k, "challenge": ch, "region": region, "metric": key,
                                 "reference": exp, "brats_cv": got, "diff": d,
                                 "spacing": spacing})
                    if d > 1e-6:
                        print(f"case-{k} {ch} {region} {key}: reference {exp:.6f}"
                              f" brats-cv {got:.6f} (diff {d:.3g})")
    print(f"{a.n} cases x {len(a.challenges.split(','))} challenges x 3 regions;"
          " largest |reference - brats-cv| per metric:")
    for key, d in worst.items():
        print(f"  {key:16s} {d:.3g}")
    with open(os.path.join(a.out, "differences.json"), "w") as f:
        json.dump({"largest": worst, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
