"""Autograd overhead on tiny tensors: forward and backward of ((a * b + c).relu()).sum()
on 1-element tensors. At this size the time is all framework bookkeeping.

Target: numtorch <= 0.5x PyTorch's time.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402


def step_for(lib):
    a, b, c = (lib.ones(1, requires_grad=True) for _ in range(3))

    def step():
        ((a * b + c).relu()).sum().backward()

    return step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    nt = median_time(step_for(numtorch), number=2000)
    ref = median_time(step_for(torch), number=2000) if torch is not None else None
    report("tiny autograd: ((a*b+c).relu()).sum().backward()", nt, ref, 0.5)


if __name__ == "__main__":
    main()
