"""Autograd overhead on tiny tensors: forward and backward of ((a * b + c).relu()).sum()
on 1-element tensors. At this size the time is all framework bookkeeping.

Target: numtorch <= 0.5x PyTorch's time.

Two models a learner writes by hand follow, where the arrays are small enough
(batch 32, hidden 128) for the same bookkeeping to be a large part of the time: a
tanh RNN over 20 steps (forward and backward), and a training step of an LSTM cell
built from nn.Linear, chunk, sigmoid and tanh (20 steps, cross-entropy, Adam).
No target: they show how the per-op cost adds up in a real loop.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import fmt, load_torch, median_time, report  # noqa: E402

import numtorch  # noqa: E402


def step_for(lib):
    a, b, c = (lib.ones(1, requires_grad=True) for _ in range(3))

    def step():
        ((a * b + c).relu()).sum().backward()

    return step


class _Value:
    """A minimal reverse-mode autograd over NumPy, for the floor: an array, its gradient,
    the values it came from and a closure that pushes its gradient to them. No dtype or
    shape checks, hooks, versions, grad modes or graph freeing."""

    __slots__ = ("data", "grad", "parents", "push")

    def __init__(self, data, parents=(), push=None):
        self.data, self.grad, self.parents, self.push = data, None, parents, push

    def _add_grad(self, g):
        self.grad = g if self.grad is None else self.grad + g

    def __mul__(self, other):
        out = _Value(self.data * other.data, (self, other))
        out.push = lambda g: (self._add_grad(g * other.data), other._add_grad(g * self.data))
        return out

    def __add__(self, other):
        out = _Value(self.data + other.data, (self, other))
        out.push = lambda g: (self._add_grad(g), other._add_grad(g))
        return out

    def relu(self):
        out = _Value(np.maximum(self.data, 0), (self,))
        out.push = lambda g: self._add_grad(g * (out.data > 0))
        return out

    def sum(self):
        out = _Value(self.data.sum(), (self,))
        out.push = lambda g: self._add_grad(np.broadcast_to(g, self.data.shape))
        return out

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v.parents:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = np.ones_like(self.data)
        for v in reversed(order):
            if v.push is not None:
                v.push(v.grad)
                v.grad = None  # intermediate gradients are not kept


def minimal_step():
    a, b, c = (_Value(np.ones(1, np.float32)) for _ in range(3))

    def step():
        ((a * b + c).relu()).sum().backward()

    return step


def rnn_for(lib, batch=32, hidden=128, inputs=64, steps=20):
    lib.manual_seed(0)
    wx = lib.randn(inputs, hidden, requires_grad=True)
    wh = lib.randn(hidden, hidden, requires_grad=True)
    b = lib.zeros(hidden, requires_grad=True)
    xs = [lib.randn(batch, inputs) for _ in range(steps)]

    def step():
        h = lib.zeros(batch, hidden)
        for x in xs:
            h = lib.tanh(x @ wx + h @ wh + b)
        h.sum().backward()
        wx.grad = wh.grad = b.grad = None

    return step


def lstm_for(lib, batch=32, hidden=128, inputs=64, steps=20):
    nn = lib.nn
    lib.manual_seed(0)

    class LSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.ih = nn.Linear(inputs, 4 * hidden)
            self.hh = nn.Linear(hidden, 4 * hidden)
            self.out = nn.Linear(hidden, 10)

        def forward(self, xs):
            h = c = lib.zeros(batch, hidden)
            for x in xs:
                i, f, g, o = (self.ih(x) + self.hh(h)).chunk(4, 1)
                c = f.sigmoid() * c + i.sigmoid() * g.tanh()
                h = o.sigmoid() * c.tanh()
            return self.out(h)

    model = LSTM()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xs = [lib.randn(batch, inputs) for _ in range(steps)]
    y = lib.randint(0, 10, (batch,))

    def step():
        loss = loss_fn(model(xs), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def main() -> None:
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
    nt = median_time(step_for(numtorch), number=2000)
    ref = median_time(step_for(torch), number=2000) if torch is not None else None
    report("tiny autograd: ((a*b+c).relu()).sum().backward()", nt, ref, 0.5)
    floor = median_time(minimal_step(), number=2000)
    line = f"{'  the same in a minimal autograd over NumPy':<52} numpy    {fmt(floor)}"
    if ref is not None:
        line += f"   ratio to torch {floor / ref:5.2f}x"
    print(line, flush=True)
    for name, make, number in (("tanh RNN, 20 steps, fwd+bwd (batch 32, hidden 128)", rnn_for, 20),
                               ("LSTM cell, 20 steps, train step (batch 32, h 128)", lstm_for, 5)):
        nt = median_time(make(numtorch), number=number)
        ref = median_time(make(torch), number=number) if torch is not None else None
        report(name, nt, ref, None)


if __name__ == "__main__":
    main()
