"""Optimiser steps on the tutorial MLP's parameters (784-512-512-10: 535,818 floats),
numtorch beside PyTorch: ``opt.step()`` alone, with fixed gradients. No target of its own;
it is the step part of ``mlp_step.py`` and of every training loop.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402

SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
RNG = np.random.default_rng(0)
PARAMS = [RNG.standard_normal(s).astype(np.float32) for s in SHAPES]
GRADS = [RNG.standard_normal(s).astype(np.float32) for s in SHAPES]
CASES = [
    ("SGD", dict(lr=1e-3)),
    ("SGD", dict(lr=1e-3, momentum=0.9)),
    ("Adam", dict(lr=1e-3)),
    ("AdamW", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3)),
    ("Adagrad", dict(lr=1e-2)),
    ("Adamax", dict(lr=2e-3)),
    ("Adadelta", dict(lr=1.0)),
    ("NAdam", dict(lr=2e-3)),
    ("RAdam", dict(lr=1e-3)),
]


def step_for(lib, name, kwargs):
    params = [lib.nn.Parameter(lib.tensor(p.copy())) for p in PARAMS]
    for p, g in zip(params, GRADS):
        p.grad = lib.tensor(g)
    return getattr(lib.optim, name)(params, **kwargs).step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    for name, kwargs in CASES:
        nt = median_time(step_for(numtorch, name, kwargs), number=50)
        ref = median_time(step_for(torch, name, kwargs), number=50) if torch else None
        options = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        report(f"{name}({options}).step() on the MLP's params", nt, ref, None)


if __name__ == "__main__":
    main()
