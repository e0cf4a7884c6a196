"""Convolution throughput, numtorch beside PyTorch: ``conv2d(x, w, b)`` forward + backward
(gradients of input, weight and bias, from ``out.sum()``), float32, target <= 2x.

(a) (64, 1, 28, 28) with 32x1x3x3, padding 1   -- a FashionMNIST CNN's first layer
(b) (64, 32, 14, 14) with 64x32x3x3, padding 1 -- its second layer
(c) (8, 64, 56, 56) with 64x64x3x3, padding 1  -- a VGG block
(d) (64, 32, 14, 14) depthwise 32x1x3x3, groups=32, padding 1

numtorch runs im2col plus BLAS matrix products -- for stride 1 on "wide rows" (columns
that are contiguous runs of the flattened padded image, in cache-sized blocks; the input's
gradient a convolution of the padded upstream gradient with the flipped weight; depthwise
as a batched product per channel); PyTorch runs oneDNN. As in bench/ops.py, every numtorch
case is timed before PyTorch runs its first op, with a short pause between the two.

Run: ``python bench/conv.py``.
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


def conv_step(x_shape, w_shape, groups=1):
    x0 = RNG.standard_normal(x_shape, dtype=np.float32)
    w0 = RNG.standard_normal(w_shape, dtype=np.float32) * 0.1
    b0 = RNG.standard_normal(w_shape[0], dtype=np.float32)

    def make(lib):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        conv2d = lib.nn.functional.conv2d

        def step():
            x.grad = w.grad = b.grad = None
            conv2d(x, w, b, padding=1, groups=groups).sum().backward()

        return step

    return make


def main() -> None:
    torch = load_torch()
    cases = [
        ("(a) (64,1,28,28) * 32x1x3x3 fwd+bwd", conv_step((64, 1, 28, 28), (32, 1, 3, 3)), 5),
        ("(b) (64,32,14,14) * 64x32x3x3 fwd+bwd", conv_step((64, 32, 14, 14), (64, 32, 3, 3)),
         3),
        ("(c) (8,64,56,56) * 64x64x3x3 fwd+bwd", conv_step((8, 64, 56, 56), (64, 64, 3, 3)), 1),
        ("(d) (64,32,14,14) depthwise 32x1x3x3 fwd+bwd",
         conv_step((64, 32, 14, 14), (32, 1, 3, 3), groups=32), 5),
    ]
    nt = [median_time(make(numtorch), number=number, repeat=5) for _, make, number in cases]
    time.sleep(0.5)
    ref = [median_time(make(torch), number=number, repeat=5) if torch is not None else None
           for _, make, number in cases]
    for (name, _, _), nt_s, ref_s in zip(cases, nt, ref):
        report(name, nt_s, ref_s, 2.0)


if __name__ == "__main__":
    main()
