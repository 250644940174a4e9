#!/usr/bin/env python3
"""numpy reference for pipeline A (the reference's irm_min_max_preprocess) and pipeline B
(zscore_normalise) on the pinned arrays of NormalizationTest. Run:
python3 bench/normalization_reference.py"""
import numpy as np

x = np.array([((i * 7919) % 1009) * 0.5 for i in range(2000)], dtype=np.float32)
low, high = np.percentile(x[x > 0], [1, 99])
c = np.clip(x, low, high)
a = (c - c.min()) / (c.max() - c.min())
print("A bounds", repr(float(low)), repr(float(high)))
for i in [0, 1, 2, 10, 1999]:
    print("A", i, repr(float(a[i])))

y = np.array([0 if i % 7 == 0 else ((i * 7919) % 1009) * 0.5 - 100 for i in range(2000)],
             dtype=np.float32).astype(np.float64)
nz = y != 0
m, s = y[nz].mean(), y[nz].std()
z = y.copy()
z[nz] = (y[nz] - m) / s
print("B mean std", repr(float(m)), repr(float(s)))
for i in [0, 1, 10, 1999]:
    print("B", i, repr(float(z[i])))
