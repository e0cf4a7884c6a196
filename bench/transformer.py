"""One TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512, batch_first=True)
forward and backward on a (32, 64, 128) batch, numtorch beside PyTorch (same weights).

No target: it shows where attention (two batched matmuls and a softmax per head) and the
feed-forward block put numtorch against PyTorch's fused CPU kernels.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402


def step_for(lib, batch=32, seq=64, d_model=128):
    lib.manual_seed(0)
    layer = lib.nn.TransformerEncoderLayer(d_model=d_model, nhead=4, dim_feedforward=512,
                                           batch_first=True)
    x = lib.randn(batch, seq, d_model, requires_grad=True)

    def step():
        layer.zero_grad()
        x.grad = None
        layer(x).sum().backward()

    return step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    nt = median_time(step_for(numtorch), number=5)
    ref = median_time(step_for(torch), number=5) if torch is not None else None
    report("TransformerEncoderLayer fwd+bwd (32, 64, 128)", nt, ref, None)


if __name__ == "__main__":
    main()
