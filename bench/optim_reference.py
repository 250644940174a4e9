"""Reference values for the model module's optimizer and loss tests, from PyTorch itself.

Run with a Python that has torch (Debian: apt-get install python3-torch; /usr/bin/python3):
    /usr/bin/python3 bench/optim_reference.py
It prints the weights after the same gradient sequences as TorchAdamTest and RangerTest, computed
by torch.optim.Adam and by torch.optim.RAdam wrapped in Lookahead (alpha 0.5, k 6) -- Ranger is
exactly that composition -- in float64, and the soft Dice values of SoftDiceLossTest with the
public reference implementation's formula. The tests hold these numbers as literals.
"""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
f32 = np.float32


def adam_grads(t):
    # Java: new float[] {0.5f - 0.1f * t, 1e-3f * t, -2f} (float arithmetic)
    return [f32(0.5) - f32(0.1) * f32(t), f32(1e-3) * f32(t), f32(-2.0)]


def ranger_grads(t):
    # Java: (float) (0.5 - 0.1 * t) etc. (double arithmetic, then rounded to float)
    return [f32(0.5 - 0.1 * t), f32(-1.0 + 0.3 * t), f32(0.2 * (t % 3) - 0.1)]


def run(opt_factory, p0, grads, n, lookahead=None):
    p = torch.tensor([float(f32(x)) for x in p0], requires_grad=True)
    opt = opt_factory([p])
    slow = p.detach().clone()
    for t in range(1, n + 1):
        p.grad = torch.tensor([float(g) for g in grads(t)])
        opt.step()
        if lookahead and t % lookahead[1] == 0:
            with torch.no_grad():
                slow += lookahead[0] * (p - slow)
                p.copy_(slow)
    return p.detach().tolist()


for eps in (1e-8, 1e-4):
    w = run(lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.9, 0.999), eps=eps),
            [0.3, -0.7, 1.5], adam_grads, 10)
    print(f"torch Adam, lr 1e-3, eps {eps}, 10 steps: {w!r}")

for n in (1, 5, 6, 13):
    w = run(lambda ps: torch.optim.RAdam(ps, lr=0.01, betas=(0.95, 0.999), eps=1e-5),
            [1.0, -2.0, 0.5], ranger_grads, n, lookahead=(0.5, 6))
    print(f"torch RAdam + Lookahead(0.5, 6), lr 0.01, {n} steps: {w!r}")

# soft Dice of SoftDiceLossTest, as the reference EDiceLoss computes it (per channel over the batch)
probs = torch.tensor([0.5, 1.0, 0.2, 0.4, 0.0, 0.25, 0.6, 0.8], dtype=torch.float32).reshape(2, 2, 1, 1, 2)
target = torch.tensor([1, 1, 0, 0, 0, 1, 0, 0], dtype=torch.float32).reshape(2, 2, 1, 1, 2)
for name, den in (("squares", lambda s, r: s.pow(2).sum() + r.pow(2).sum()),
                  ("sums", lambda s, r: s.sum() + r.sum())):
    losses = []
    for c in range(2):
        s, r = probs[:, c], target[:, c]
        losses.append(1 - (2 * (s * r).sum() + 1) / (den(s, r) + 1))
    print(f"soft Dice ({name}): {float(sum(losses) / 2)!r}")
