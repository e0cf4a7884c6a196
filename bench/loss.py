"""Loss throughput, numtorch beside PyTorch: cross_entropy forward + backward, the hot op of
training a classifier (the tutorial MLP's loss), at its batch and at a large vocabulary.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402

RNG = np.random.default_rng(0)


def cross_entropy_step(shape, **kwargs):
    x = RNG.standard_normal(shape, dtype=np.float32)
    t = RNG.integers(0, shape[1], shape[0])

    def make(lib):
        logits = lib.tensor(x, requires_grad=True)
        target = lib.tensor(t)
        fn = lib.nn.functional.cross_entropy

        def step():
            logits.grad = None
            fn(logits, target, **kwargs).backward()

        return step

    return make


def main() -> None:
    torch = load_torch()
    cases = [
        ("cross_entropy (64, 10) fwd+bwd", cross_entropy_step((64, 10)), 500),
        ("cross_entropy (256, 1000) fwd+bwd", cross_entropy_step((256, 1000)), 50),
        ("cross_entropy (256, 1000) label_smoothing=0.1 fwd+bwd",
         cross_entropy_step((256, 1000), label_smoothing=0.1), 50),
    ]
    # numtorch's cases first, then torch's: once torch has run ops, its idle OpenMP pool
    # slows NumPy in the same process (see bench/ops.py), which would be charged to numtorch.
    nt = [median_time(make(numtorch), number=number) for _, make, number in cases]
    ref = [median_time(make(torch), number=number) if torch is not None else None
           for _, make, number in cases]
    for (name, _, _), nt_s, ref_s in zip(cases, nt, ref):
        report(name, nt_s, ref_s, None)


if __name__ == "__main__":
    main()
