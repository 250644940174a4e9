#!/usr/bin/python3
"""PyTorch-eager twin of `brats-cv bench model`: the same EquiUnet, loss, optimiser and timing loop.

Usage: python3 bench/equiunet_torch.py --width 8 --size 64 --steps 5 [--threads N] [--json]
Prints train_step_ms, forward_ms, width, size, threads, device (same keys as the Java command),
plus the parameter count of the paper's network (w=48, GroupNorm, deep supervision), which must be
23,154,735. Torch from Debian: apt-get install -y python3-torch.
"""
import argparse
import json
import time

import torch
from torch import nn


def group_count(planes, max_groups=16):
    """The reference implementation's default GroupNorm group count."""
    groups = min(max_groups, planes)
    if planes % groups:
        divisor = max_groups
        while planes % divisor:
            divisor //= 2
        groups = planes // divisor
    return groups


def norm_layer(kind, planes):
    if kind == "group":
        return nn.GroupNorm(group_count(planes), planes)
    return nn.InstanceNorm3d(planes, affine=True)


class ConvNormRelu(nn.Sequential):
    def __init__(self, cin, cout, norm, dilation=1):
        super().__init__(
            nn.Conv3d(cin, cout, 3, padding=dilation, dilation=dilation, bias=False),
            norm_layer(norm, cout),
            nn.ReLU(inplace=True),
        )


class UBlock(nn.Sequential):
    def __init__(self, cin, mid, cout, norm, dilation=1):
        super().__init__(
            ConvNormRelu(cin, mid, norm, dilation), ConvNormRelu(mid, cout, norm, dilation)
        )


def head(cin, scale):
    return nn.Sequential(
        nn.Conv3d(cin, 3, 1),
        nn.Upsample(scale_factor=scale, mode="trilinear", align_corners=True),
    )


class EquiUnet(nn.Module):
    """METHOD.md's network (no attention), logits out."""

    def __init__(self, width=48, norm="group", deep_supervision=True):
        super().__init__()
        w = width
        self.enc1 = UBlock(4, w, w, norm)
        self.enc2 = UBlock(w, 2 * w, 2 * w, norm)
        self.enc3 = UBlock(2 * w, 4 * w, 4 * w, norm)
        self.enc4 = UBlock(4 * w, 8 * w, 8 * w, norm)
        self.bottom = UBlock(8 * w, 8 * w, 8 * w, norm, dilation=2)
        self.bottom2 = ConvNormRelu(16 * w, 4 * w, norm)
        self.dec3 = UBlock(8 * w, 4 * w, 2 * w, norm)
        self.dec2 = UBlock(4 * w, 2 * w, w, norm)
        self.dec1 = UBlock(2 * w, w, w, norm)
        self.out = nn.Conv3d(w, 3, 1)
        self.pool = nn.MaxPool3d(2, 2)
        self.up = nn.Upsample(scale_factor=2, mode="trilinear", align_corners=True)
        self.deep_supervision = deep_supervision
        if deep_supervision:
            self.heads = nn.ModuleList(
                [head(8 * w, 8), head(4 * w, 8), head(2 * w, 4), head(w, 2)]
            )
        for m in self.modules():
            if isinstance(m, nn.Conv3d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.GroupNorm, nn.InstanceNorm3d)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        d1 = self.enc1(x)
        d2 = self.enc2(self.pool(d1))
        d3 = self.enc3(self.pool(d2))
        d4 = self.enc4(self.pool(d3))
        b = self.bottom(d4)
        b2 = self.bottom2(torch.cat([d4, b], 1))
        u3 = self.dec3(torch.cat([d3, self.up(b2)], 1))
        u2 = self.dec2(torch.cat([d2, self.up(u3)], 1))
        u1 = self.dec1(torch.cat([d1, self.up(u2)], 1))
        out = self.out(u1)
        if self.training and self.deep_supervision:
            return [out] + [h(f) for h, f in zip(self.heads, [b, b2, u3, u2])]
        return [out]


def soft_dice(logits, target):
    """Pipeline A's soft Dice, batch-wise, averaged over channels (same as ModelBenchmark)."""
    c = logits.shape[1]
    s = torch.sigmoid(logits).transpose(0, 1).reshape(c, -1)
    r = target.transpose(0, 1).reshape(c, -1)
    inter = (s * r).sum(1)
    denom = (s * s).sum(1) + (r * r).sum(1) + 1
    return (1 - (2 * inter + 1) / denom).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--norm", default="group")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    dev = torch.device(a.device)
    paper = sum(t.numel() for t in EquiUnet(48, "group", True).parameters())

    net = EquiUnet(a.width, a.norm, True).to(dev)
    x = torch.randn(1, 4, a.size, a.size, a.size, device=dev)
    target = (torch.rand(1, 3, a.size, a.size, a.size, device=dev) > 0.5).float()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def train_step():
        opt.zero_grad(set_to_none=False)
        loss = sum(soft_dice(o, target) for o in net(x))
        loss.backward()
        opt.step()
        next(net.parameters()).view(-1)[0].item()

    def forward():
        with torch.no_grad():
            net(x)[0].view(-1)[0].item()

    net.train()
    train_step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        train_step()
    train_ms = (time.perf_counter() - t0) * 1000 / a.steps
    net.eval()
    forward()
    t1 = time.perf_counter()
    for _ in range(a.steps):
        forward()
    forward_ms = (time.perf_counter() - t1) * 1000 / a.steps
    fp16_ms = None
    if dev.type == "cuda":
        net.half()
        x = x.half()
        forward()
        t2 = time.perf_counter()
        for _ in range(a.steps):
            forward()
        fp16_ms = round((time.perf_counter() - t2) * 1000 / a.steps, 1)
    out = {
        "train_step_ms": round(train_ms, 1),
        "forward_ms": round(forward_ms, 1),
        **({"forward_fp16_ms": fp16_ms} if fp16_ms is not None else {}),
        "width": a.width,
        "size": a.size,
        "steps": a.steps,
        "threads": torch.get_num_threads(),
        "device": str(dev),
        "norm": a.norm,
        "deep_supervision": True,
        "parameters": sum(t.numel() for t in net.parameters()),
        "paper_parameters_w48_gn_ds": paper,
        "engine": "torch " + torch.__version__,
    }
    print(json.dumps(out) if a.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
