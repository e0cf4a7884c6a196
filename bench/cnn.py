"""A small CNN for FashionMNIST, and the pooling layers in it, numtorch beside PyTorch.

The model a learner writes after the tutorial's MLP:

    Conv2d(1, 32, 3, padding=1) ReLU MaxPool2d(2) Conv2d(32, 64, 3, padding=1)
    BatchNorm2d(64) ReLU MaxPool2d(2) Flatten Linear(3136, 128) ReLU Linear(128, 10)

on a batch of 64 28x28 images: (a) one training step (forward, cross-entropy, backward,
Adam) and (b) a forward pass in eval mode under ``no_grad``. Then the pooling layers alone
on (64, 32, 28, 28), forward and backward: 2x2 max pooling, 3x3 stride-2 max pooling
with padding 1 (ResNet's stem; its windows overlap), and 2x2 average pooling (LeNet's).
No target: these show where a convolutional network's time goes. As in bench/ops.py,
every numtorch case is timed before PyTorch runs its first op.

Run: ``python bench/cnn.py``.
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
IMAGES = RNG.random((64, 1, 28, 28), dtype=np.float32)
LABELS = RNG.integers(0, 10, size=64)
MAPS = RNG.standard_normal((64, 32, 28, 28), dtype=np.float32)


def _model(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def train_step(lib):
    model = _model(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = lib.from_numpy(IMAGES), lib.from_numpy(LABELS)

    def step():
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()

    return step


def eval_pass(lib):
    model = _model(lib).eval()
    x = lib.from_numpy(IMAGES)

    def step():
        with lib.no_grad():
            model(x).argmax(1)

    return step


def pool_step(name, *args):
    def make(lib):
        x = lib.tensor(MAPS, requires_grad=True)
        pool = getattr(lib.nn.functional, name)

        def step():
            x.grad = None
            pool(x, *args).sum().backward()

        return step

    return make


def main() -> None:
    torch = load_torch()
    cases = [
        ("(a) CNN train step, batch 64 (Adam)", train_step, 3),
        ("(b) CNN eval forward, batch 64 (no_grad)", eval_pass, 5),
        ("max_pool2d 2x2 fwd+bwd (64,32,28,28)", pool_step("max_pool2d", 2), 5),
        ("max_pool2d 3x3 s2 p1 fwd+bwd (64,32,28,28)", pool_step("max_pool2d", 3, 2, 1), 5),
        ("avg_pool2d 2x2 fwd+bwd (64,32,28,28)", pool_step("avg_pool2d", 2), 5),
    ]
    nt = [median_time(make(numtorch), number=number, repeat=5) for _, make, number in cases]
    time.sleep(0.5)
    ref = [median_time(make(torch), number=number, repeat=5) if torch is not None else None
           for _, make, number in cases]
    for (name, _, _), nt_s, ref_s in zip(cases, nt, ref):
        report(name, nt_s, ref_s, None)


if __name__ == "__main__":
    main()
