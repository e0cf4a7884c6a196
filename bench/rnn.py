"""nn.LSTM and nn.GRU, two layers (input 64, hidden 128) over a (seq 35, batch 32) batch:
forward and backward (the gradient of the output's sum), numtorch beside PyTorch in one
process. No target: PyTorch runs these layers in oneDNN / ATen C++ kernels, numtorch runs
one fused node per layer whose time loop is Python over BLAS calls.

A packed batch of variable lengths (the same sizes, lengths 35 down to 1) is timed too.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402


def step_for(lib, kind, seq=35, batch=32, inputs=64, hidden=128, packed=False):
    lib.manual_seed(0)
    model = getattr(lib.nn, kind)(inputs, hidden, num_layers=2)
    x = lib.randn(seq, batch, inputs, requires_grad=True)
    if packed:
        lengths = [max(1, seq - i * seq // batch) for i in range(batch)]
        rnn_utils = lib.nn.utils.rnn

    def step():
        inp = rnn_utils.pack_padded_sequence(x, lengths) if packed else x
        out = model(inp)[0]
        (out.data if packed else out).sum().backward()
        model.zero_grad()
        x.grad = None

    return step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    for kind, packed in (("LSTM", False), ("GRU", False), ("LSTM", True)):
        name = f"{kind}(64, 128, 2 layers) seq 35 batch 32 fwd+bwd" + (" packed" if packed else "")
        nt = median_time(step_for(numtorch, kind, packed=packed), number=5)
        ref = (median_time(step_for(torch, kind, packed=packed), number=5)
               if torch is not None else None)
        report(name, nt, ref, None)


if __name__ == "__main__":
    main()
