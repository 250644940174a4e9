#!/usr/bin/env python3
"""Independent Python re-implementation of org.bratscv.data.random.Seeds and of the K-fold
shuffle of org.bratscv.data.folds.KFold (java.util.SplittableRandom's nextInt(bound)), used to
pin the values asserted in SeedsTest and KFoldTest. Run: python3 bench/seeds_reference.py
"""
M = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z):
    z &= M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def stable_hash(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & M
    return mix64(h)


def combine(h, v):
    return mix64((h + GOLDEN + mix64(v & M)) & M)


def derive(run, case, epoch, fold=None):
    h = combine(combine(combine(run & M, stable_hash("case")), stable_hash(case)), epoch & M)
    if fold is not None:
        h = combine(combine(h, stable_hash("fold")), fold & M)
    return h


def signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


class SplittableRandom:
    """java.util.SplittableRandom(seed): nextInt() and nextInt(bound) as in JDK 17."""

    def __init__(self, seed):
        self.seed = seed & M

    def next_int(self):
        self.seed = (self.seed + GOLDEN) & M
        z = self.seed
        z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & M
        return (((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & M) >> 32  # unsigned 32 bits

    def next_int_bound(self, bound):
        r = self.next_int()
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = r >> 1
        while True:
            r = u % bound
            if ((u + m - r) & 0xFFFFFFFF) < (1 << 31):  # no int overflow in Java
                return r
            u = self.next_int() >> 1


def kfold_val_sets(ids, k, run_seed):
    ids = sorted(ids)
    rng = SplittableRandom(combine(run_seed & M, stable_hash("kfold")))
    for i in range(len(ids) - 1, 0, -1):
        j = rng.next_int_bound(i + 1)
        ids[i], ids[j] = ids[j], ids[i]
    n, out, start = len(ids), [], 0
    for f in range(k):
        size = n // k + (1 if f < n % k else 0)
        out.append(sorted(ids[start : start + size]))
        start += size
    return out


if __name__ == "__main__":
    print("stableHash('')", signed(stable_hash("")))
    print("stableHash('BraTS20_Training_001')", signed(stable_hash("BraTS20_Training_001")))
    print("derive(42, BraTS20_Training_001, 3)", signed(derive(42, "BraTS20_Training_001", 3)))
    print("derive(42, BraTS20_Training_001, 3, 2)", signed(derive(42, "BraTS20_Training_001", 3, 2)))
    print("derive(-1, 'é', 0)", signed(derive(-1, "\u00e9", 0)))
    print("kfold([a..f], 3, 1)", kfold_val_sets(list("abcdef"), 3, 1))
