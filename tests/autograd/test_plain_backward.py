"""Backward formulas with a shortcut for the plain backward (no graph of the backward is
recorded): Mm, Tanh, Sigmoid, and the engine's summing of a broadcast gradient back to
its input's shape. The shortcut runs on small arrays; large ones (threaded) and
``create_graph=True`` take the Tensor-op path. Both must give PyTorch's gradients."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.backend import parallel
from tests.utils import assert_same, torch

SMALL = (3, 5)
LARGE = (parallel.MIN_SIZE // 256 + 3, 256)  # above the threading size


def _grads(lib, fn, arrays, create_graph):
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *leaves)
    g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    return lib.autograd.grad(out, leaves, lib.tensor(g), create_graph=create_graph)


def _same_grads(ours, ref, tol, atol=None):
    for o, r in zip(ours, ref):
        assert o.requires_grad == r.requires_grad
        assert_same(o, r, rtol=tol, atol=tol if atol is None else atol)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("shape", [SMALL, LARGE, (), (0, 4)])
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_gradients(name, shape, create_graph, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ours = _grads(numtorch, lambda lib, t: getattr(t, name)(), [x], create_graph)
    ref = _grads(torch, lambda lib, t: getattr(t, name)(), [x], create_graph)
    _same_grads(ours, ref, 1e-5)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("shapes", [((4, 3), (3, 5)), ((600, 500), (500, 600)), ((0, 3), (3, 2)),
                                    ((2, 0), (0, 3))])
def test_mm_gradients(shapes, create_graph):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    ours = _grads(numtorch, lambda lib, x, y: x @ y, [a, b], create_graph)
    ref = _grads(torch, lambda lib, x, y: x @ y, [a, b], create_graph)
    _same_grads(ours, ref, 1e-4)


def test_mm_gradient_with_only_one_input_requiring_grad():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    x, w = numtorch.tensor(a), numtorch.tensor(b, requires_grad=True)
    (x @ w).sum().backward()
    xt, wt = torch.tensor(a), torch.tensor(b, requires_grad=True)
    (xt @ wt).sum().backward()
    assert_same(w.grad, wt.grad)
    assert x.grad is None


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("shapes", [((4, 5), (5,)), ((4, 5), (1, 5)), ((4, 5), (4, 1)),
                                    ((2, 3, 4), (3, 1)), ((2, 3, 4), ()), ((4, 5), (1, 1, 5)),
                                    ((LARGE[0], 256), (256,)), ((0, 5), (5,))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_broadcast_gradient_summed_back(shapes, create_graph, dtype):
    # x * b with b broadcast: the engine sums b's gradient (g * x, recorded under
    # create_graph) over the broadcast dims.
    rng = np.random.default_rng(0)
    x, b = (rng.standard_normal(s).astype(dtype) for s in shapes)
    ours = _grads(numtorch, lambda lib, u, v: u * v, [x, b], create_graph)
    ref = _grads(torch, lambda lib, u, v: u * v, [x, b], create_graph)
    # b's gradient sums x.size / b.size products: float32 rounding grows with that count.
    summed = x.size // max(b.size, 1)
    tol = 1e-2 if dtype == np.float16 else 1e-5
    _same_grads(ours, ref, tol, atol=tol * max(1, summed / 100))


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (2,), (20,)])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_accumulated_gradients_of_small_leaves_match_torch_exactly(shape, dtype):
    """``.grad`` of a leaf used by several backward calls is summed in place: one number as
    NumPy scalars, a few by a new sum copied in, more in place. All round as PyTorch."""
    rng = np.random.default_rng(3)
    x0 = rng.standard_normal(shape).astype(dtype)
    ws = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
    results = []
    for lib in (numtorch, torch):
        x = lib.tensor(x0, requires_grad=True)
        grad_arrays = []
        for w in ws:
            (x * lib.tensor(w)).relu().sum().backward()
            grad_arrays.append(x.grad.clone())
        results.append((x.grad, grad_arrays))
    (g, steps), (g_ref, steps_ref) = results
    for a, b in zip(steps, steps_ref):
        assert_same(a, b, rtol=0, atol=0)
    assert g.shape == g_ref.shape
