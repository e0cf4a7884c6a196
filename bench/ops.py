"""Op throughput, numtorch beside PyTorch:

(b) 512x512 float32 ``(a @ b).relu().sum()`` forward + backward  — target <= 1.05x
(c) a reduction and a broadcasted pointwise chain on 1M floats    — target <= 1.2x

Every numtorch case is timed first, then every PyTorch case (still one process, PyTorch
imported from the start). In a small experiment on the 2-core machine, once PyTorch had
run a parallel op, plain threads of the same process (two threads running ``zlib.compress``
as well as numtorch's pool) often stopped running side by side, while with PyTorch only
imported they ran at full speed; CPU affinity was unchanged and ``OMP_WAIT_POLICY=passive``
or ``OMP_NUM_THREADS=1`` did not remove it (the machine was shared and noisy, so this is
a lead, not a settled cause). Timing numtorch before PyTorch's first op leaves PyTorch's
own numbers as they were (its defaults untouched, its warm-up first) and keeps one
library's side effects off the other's clock. A short pause between the two lets BLAS's
worker threads, which spin for a while after numtorch's last matmul, go idle.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import fmt, load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402

RNG = np.random.default_rng(0)
A = RNG.standard_normal((512, 512), dtype=np.float32)
B = RNG.standard_normal((512, 512), dtype=np.float32)
X = RNG.standard_normal((1000, 1000), dtype=np.float32)
ROW = RNG.standard_normal((1, 1000), dtype=np.float32)
COL = RNG.standard_normal((1000, 1), dtype=np.float32)


def matmul_step(lib):
    a = lib.tensor(A, requires_grad=True)
    b = lib.tensor(B, requires_grad=True)

    def step():
        a.grad = b.grad = None
        (a @ b).relu().sum().backward()

    return step


def reduction(lib):
    x = lib.tensor(X)

    def step():
        x.sum(dim=1)
        x.mean()
        x.amax(dim=0)

    return step


def pointwise_chain(lib):
    x, row, col = lib.tensor(X), lib.tensor(ROW), lib.tensor(COL)

    def step():
        ((x * row + col).exp() - x).relu()

    return step


def numpy_matmul_step():
    """(b) by hand in NumPy: the product, ReLU, sum, and the two products of backward."""
    def step():
        y = A @ B
        np.maximum(y, 0).sum()
        g = (y > 0).astype(np.float32)  # d sum(relu(y)) / dy
        g @ B.T, A.T @ g

    return step


def numpy_reduction():
    def step():
        X.sum(axis=1)
        X.mean()
        X.max(axis=0)

    return step


def numpy_pointwise_chain():
    def step():
        np.maximum(np.exp(X * ROW + COL) - X, 0)

    return step


def main() -> None:
    torch = load_torch()
    cases = [
        ("(b) 512x512 (a @ b).relu().sum() fwd+bwd", matmul_step, 20, 1.05),
        ("(c) 1M floats: sum(dim=1), mean(), amax(dim=0)", reduction, 20, 1.2),
        ("(c) 1M floats: ((x*row + col).exp() - x).relu()", pointwise_chain, 20, 1.2),
    ]
    nt = [median_time(make(numtorch), number=number) for _, make, number, _ in cases]
    time.sleep(0.5)
    ref = [median_time(make(torch), number=number) if torch is not None else None
           for _, make, number, _ in cases]
    for (name, _, _, target), nt_s, ref_s in zip(cases, nt, ref):
        report(name, nt_s, ref_s, target)
    # The floors: the same work written directly in NumPy (one thread for the ufuncs and
    # reductions, BLAS's threads for the products), timed after PyTorch.
    floors = [("(b) in plain NumPy (3 BLAS products)", numpy_matmul_step),
              ("(c) reductions in plain NumPy (one thread)", numpy_reduction),
              ("(c) pointwise chain in plain NumPy (one thread)", numpy_pointwise_chain)]
    for (name, make), ref_s in zip(floors, ref):
        floor = median_time(make(), number=20)
        line = f"{'  ' + name:<52} numpy    {fmt(floor)}"
        if ref_s is not None:
            line += f"   ratio to torch {floor / ref_s:5.2f}x"
        print(line)


if __name__ == "__main__":
    main()
