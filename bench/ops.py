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

from _common import load_torch, median_time, report  # noqa: E402

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


if __name__ == "__main__":
    main()
