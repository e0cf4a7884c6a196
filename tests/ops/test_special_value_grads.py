"""Gradients at special values match PyTorch bit for bit: nan and ±inf inputs, ±0, and
negative, infinite or nan incoming gradients. A masked gradient is +0 where the mask is
false (not ``grad * 0``, which is -0 or nan); a piecewise-constant op's gradient is +0
everywhere; relu and threshold pass the gradient of a nan input, as PyTorch's
``x <= threshold ? 0 : grad`` does.

Two sizes: 17 takes the small-array paths, 5100 the large ones (bitwise masking).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import numtorch
import numtorch.nn.functional as NF

VALUES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 6.0, 7.0, -7.0,
                   3.0, -3.0, 1e-8, 20.0, -20.0], np.float32)
GRADS = np.array([-5.0, 5.0, np.nan, np.inf, -2.0], np.float32)

OPS = {
    "relu": lambda L, F, x: F.relu(x),
    "relu_method": lambda L, F, x: x.relu(),
    "relu6": lambda L, F, x: F.relu6(x),
    "leaky_relu": lambda L, F, x: F.leaky_relu(x, 0.1),
    "hardtanh": lambda L, F, x: F.hardtanh(x),
    "threshold": lambda L, F, x: F.threshold(x, 0.5, -1.0),
    "hardshrink": lambda L, F, x: F.hardshrink(x),
    "hardsigmoid": lambda L, F, x: F.hardsigmoid(x),
    "sign": lambda L, F, x: x.sign(),
    "floor": lambda L, F, x: x.floor(),
    "ceil": lambda L, F, x: x.ceil(),
    "round": lambda L, F, x: x.round(),
    "round_decimals": lambda L, F, x: x.round(decimals=1),
    "trunc": lambda L, F, x: x.trunc(),
    "pow0": lambda L, F, x: x ** 0,
    "fill": lambda L, F, x: x.clone().fill_(2.0),
    "zero": lambda L, F, x: x.clone().zero_(),
    "max": lambda L, F, x: x.max(),
    "min": lambda L, F, x: x.min(),
    "clamp": lambda L, F, x: x.clamp(-1, 1),
    "clamp_min": lambda L, F, x: x.clamp(min=0.5),
    "where": lambda L, F, x: L.where(x > 0, x, 0.0),
    "abs": lambda L, F, x: x.abs(),
}
# hardswish: PyTorch's vectorised and scalar kernels disagree at nan, so finite inputs only
FINITE_OPS = {"hardswish": lambda L, F, x: F.hardswish(x)}


def _run(lib, F, fn, xs, gs):
    x = lib.tensor(xs, requires_grad=True)
    y = fn(lib, F, x)
    g = lib.tensor(np.resize(gs, tuple(y.shape))) if y.dim() else lib.tensor(float(gs[0]))
    y.backward(g)
    return y.detach().numpy().copy(), x.grad.numpy().copy()


def _same_bits(a, b):
    # nan payloads may differ; everything else (signs of zeros included) must not
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and np.array_equal(
        a[~nan].view(np.int32), b[~nan].view(np.int32))


@pytest.mark.parametrize("size", [17, 5100])
@pytest.mark.parametrize("shift", range(len(GRADS)))
@pytest.mark.parametrize("name", sorted(OPS) + sorted(FINITE_OPS))
def test_values_and_gradients_match_torch_bitwise(name, shift, size):
    fn = OPS.get(name) or FINITE_OPS[name]
    xs = np.resize(VALUES if name in OPS else VALUES[3:], size)
    gs = np.roll(np.resize(GRADS, size), shift).astype(np.float32)
    ty, tg = _run(torch, TF, fn, xs, gs)
    ny, ng = _run(numtorch, NF, fn, xs, gs)
    assert _same_bits(ny, ty), name
    assert _same_bits(ng, tg), name


def test_full_keeps_negative_zero():
    assert bool(numtorch.full((3,), -0.0).signbit().all())
    assert bool(numtorch.full_like(numtorch.ones(2), -0.0).signbit().all())
    assert not bool(numtorch.full((3,), 0.0).signbit().any())


def test_relu_keeps_negative_zero():
    for n in (1, 300, 5000):
        out = numtorch.relu(numtorch.full((n,), -0.0))
        assert bool(out.signbit().all())
    assert repr(numtorch.tensor([-0.0]).relu()) == "tensor([-0.])"


def test_relu_passes_the_gradient_of_nan():
    x = numtorch.tensor([float("nan"), -1.0, 2.0], requires_grad=True)
    x.relu().backward(numtorch.tensor([5.0, 5.0, 5.0]))
    assert x.grad.tolist() == [5.0, 0.0, 5.0]


def test_zero_gradients_are_constants_in_double_backward():
    # sign's gradient is zeros, not a function of the incoming gradient (PyTorch: zeros_like)
    x = numtorch.tensor([1.0, -2.0], requires_grad=True)
    (g,) = numtorch.autograd.grad(x.sign().sum(), x, create_graph=True)
    assert not g.requires_grad and g.tolist() == [0.0, 0.0]
