#!/usr/bin/env python3
"""brats-cv's EquiUnet against the reference PyTorch network, weight for weight.

For each variant (EquiUnet / Att_EquiUnet, group / instance norm, deep supervision off / on) this
builds the reference network from the open_brats2020 checkout given on the command line, draws
random weights (the reference's own initialisation, then the norms' scales and shifts and the
channel gates' biases perturbed so that none is trivial), saves them as .safetensors with the small
numpy writer below, runs the reference in eval mode and `brats-cv model run` on the same 4-D input,
and reports the largest absolute difference of the sigmoid outputs. With deep supervision the
reference returns (main, [heads]); the main output is compared (brats-cv, like the reference's
inference code, uses the heads only in training).

    /usr/bin/python3 bench/reference_equality.py /work/ref/lescientifik+open_brats2020 \
        --jar jobs/target/brats-cv.jar [--width 8] [--size 16x24x32] [--fixture DIR]

--fixture DIR writes one variant (Att_EquiUnet, group norm, deep supervision, width 2, 8x8x16)
as weights.safetensors, input.nii.gz and expected.nii.gz, and every variant's state-dict names and
shapes at width 2 as state_dicts.json: the committed fixture of ReferenceEqualityTest. Needs torch (Debian's python3-torch), numpy and nibabel.
"""
import argparse
import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np


def save_safetensors(tensors, path, metadata=None):
    """Writes {name: array} as float32 safetensors: u64 header length, JSON header, raw data."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, array in tensors.items():
        a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def build(ref_root, arch, norm, deep_supervision, width, seed):
    import torch
    sys.path.insert(0, ref_root)
    from src.models import unet
    from src.models.layers import get_norm_layer
    torch.manual_seed(seed)
    with contextlib.redirect_stdout(io.StringIO()):  # the reference prints its feature sizes
        model = getattr(unet, arch)(4, 3, width, norm_layer=get_norm_layer(norm),
                                    deep_supervision=deep_supervision)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.numel() == 0:
                continue
            if name.endswith("bn.weight"):
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=g))
            elif name.endswith("bn.bias") or name.endswith("mlp.3.bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
    return model.eval()


def run_reference(model, x):
    import torch
    with torch.no_grad():
        out = model(torch.from_numpy(x))
    if isinstance(out, tuple):  # deep supervision: (main, [bottom, bottom_2, up3, up2])
        out = out[0]
    return torch.sigmoid(out).numpy()


def to_nifti_order(a):
    """(1, C, D, H, W) tensor -> (x, y, z, C) array as nibabel holds it (x = W fastest)."""
    return np.ascontiguousarray(np.transpose(a[0], (3, 2, 1, 0)))


def state_dict_arrays(model):
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def one(args, arch, norm, ds, width, size, seed, workdir, keep=None):
    model = build(args.ref, arch, norm, ds, width, seed)
    rng = np.random.default_rng(seed)
    d, h, w = size
    x = rng.standard_normal((1, 4, d, h, w)).astype(np.float32)
    expected = run_reference(model, x)
    out_dir = keep or workdir
    weights = os.path.join(out_dir, "weights.safetensors" if keep else f"{arch}-{norm}-{ds}.safetensors")
    save_safetensors(state_dict_arrays(model), weights,
                     {"format": "pt", "architecture": arch, "width": width, "norm": norm,
                      "deep_supervision": str(ds).lower()})
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    inp = os.path.join(out_dir, "input.nii.gz" if keep else "input.nii.gz")
    nib.save(nib.Nifti1Image(to_nifti_order(x), affine), inp)
    out = os.path.join(workdir, "out.nii.gz")
    cmd = ["java", "-jar", args.jar, "model", "run", "--weights", weights, "--arch", arch,
           "--width", str(width), "--norm", norm, "--input", inp, "--output", out]
    if ds:
        cmd.append("--deep-supervision")
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    got = np.asarray(nib.load(out).dataobj, dtype=np.float32)
    want = to_nifti_order(expected)
    if keep:
        nib.save(nib.Nifti1Image(want, affine), os.path.join(keep, "expected.nii.gz"))
    params = sum(p.numel() for p in model.parameters())
    unsaturated = float(np.mean((want > 0.05) & (want < 0.95)))
    return float(np.max(np.abs(got - want))), params, unsaturated, float(np.std(want))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("ref", help="open_brats2020 checkout (its src/models is imported)")
    p.add_argument("--jar", default="jobs/target/brats-cv.jar")
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--size", default="16x24x32", help="D x H x W of the input, multiples of 8")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fixture", help="also write the CI fixture into this folder")
    args = p.parse_args()
    size = tuple(int(s) for s in args.size.split("x"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for arch in ["EquiUnet", "Att_EquiUnet"]:
            for norm in ["group", "instance"]:
                for ds in [False, True]:
                    diff, params, mid, std = one(args, arch, norm, ds, args.width, size, args.seed,
                                                 tmp)
                    rows.append((arch, norm, ds, params, mid, std, diff))
        if args.fixture:
            os.makedirs(args.fixture, exist_ok=True)
            diff, *_ = one(args, "Att_EquiUnet", "group", True, 2, (8, 8, 16), args.seed, tmp,
                           keep=args.fixture)
            print(f"fixture in {args.fixture}: max |diff| {diff:.3g}")
            names = {}
            for arch in ["EquiUnet", "Att_EquiUnet"]:
                for norm in ["group", "instance"]:
                    for ds in [False, True]:
                        sd = build(args.ref, arch, norm, ds, 2, args.seed).state_dict()
                        names[f"{arch} {norm} ds={str(ds).lower()}"] = {
                            k: list(v.shape) for k, v in sd.items()}
            with open(os.path.join(args.fixture, "state_dicts.json"), "w") as f:
                f.write("{\n" + ",\n".join(
                    json.dumps(variant) + ": {\n" + ",\n".join(
                        f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sd.items()) + "\n}"
                    for variant, sd in names.items()) + "\n}\n")
    print(f"width {args.width}, input 1x4x{args.size} (D x H x W), seed {args.seed}; "
          "main output's sigmoid compared")
    print("| architecture | norm | deep supervision | parameters | outputs in (0.05, 0.95) "
          "| output std | max abs diff |")
    print("|---|---|---|---|---|---|---|")
    for arch, norm, ds, params, mid, std, diff in rows:
        print(f"| {arch} | {norm} | {'on' if ds else 'off'} | {params:,} | {mid:.0%} | "
              f"{std:.3f} | {diff:.2e} |")
    worst = max(r[-1] for r in rows)
    print(f"largest difference {worst:.2e} ({'below' if worst < 1e-4 else 'NOT below'} 1e-4)")
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
