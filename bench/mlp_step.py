"""One training step of the tutorial MLP, numtorch beside PyTorch (and a hand-written NumPy loop).

784-512-512-10 with ReLU, CrossEntropyLoss, SGD(lr=1e-3), batch 64: forward, backward and
step on the same random batch. The NumPy loop is the floor a framework on NumPy can reach:
what numtorch adds on top of it is the cost of the framework.

Target: numtorch <= 0.8x PyTorch's time.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import fmt, load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.random((64, 1, 28, 28), dtype=np.float32)
Y = RNG.integers(0, 10, size=64)


def step_for(lib):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                          nn.ReLU(), nn.Linear(512, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=1e-3)
    x, y = lib.from_numpy(X), lib.from_numpy(Y)

    def step():
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()

    return step


def numpy_step_for():
    """The same step by hand: affine maps, ReLU, fused softmax cross-entropy, SGD."""
    rng = np.random.default_rng(1)
    ws = [rng.standard_normal((o, i), dtype=np.float32) * 0.03
          for i, o in [(784, 512), (512, 512), (512, 10)]]
    bs = [np.zeros(o, np.float32) for o in (512, 512, 10)]
    x0 = X.reshape(64, -1)

    def step():
        h1 = x0 @ ws[0].T + bs[0]
        a1 = np.maximum(h1, 0)
        h2 = a1 @ ws[1].T + bs[1]
        a2 = np.maximum(h2, 0)
        z = a2 @ ws[2].T + bs[2]
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        p[np.arange(64), Y] -= 1
        g3 = p / 64
        g2 = (g3 @ ws[2]) * (h2 > 0)
        g1 = (g2 @ ws[1]) * (h1 > 0)
        grads = [(g1.T @ x0, g1.sum(0)), (g2.T @ a1, g2.sum(0)), (g3.T @ a2, g3.sum(0))]
        for w, b, (gw, gb) in zip(ws, bs, grads):
            w -= 1e-3 * gw
            b -= 1e-3 * gb

    return step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    nt = median_time(step_for(numtorch), number=100)
    ref = median_time(step_for(torch), number=100) if torch is not None else None
    report("tutorial MLP step (64x784, SGD) fwd+bwd+step", nt, ref, 0.8)
    floor = median_time(numpy_step_for(), number=100)
    line = f"{'  the same step in plain NumPy (the floor)':<52} numpy    {fmt(floor)}"
    if ref is not None:
        line += f"   ratio to torch {floor / ref:5.2f}x"
    print(line)


if __name__ == "__main__":
    main()
