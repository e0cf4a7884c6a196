"""lgamma, digamma and polygamma against PyTorch: values, special points, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, check_op, noncontig

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
# Positive, negative non-integers (also just beside the poles), tiny and huge values.
GRID = np.concatenate([
    RNG.uniform(0.01, 12, 300), RNG.uniform(-25, 0, 300), 10 ** RNG.uniform(-8, 12, 100),
    -(10 ** RNG.uniform(-8, 3, 100)), np.arange(-6, 0) + 1e-6, np.arange(-6, 0) - 1e-6,
    [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 1.4616321449683622, -0.5, -1.5, 1e-300, 1e300],
])
GRID = GRID[GRID != np.round(GRID)]
SPECIAL = np.array([0.0, -0.0, -1.0, -2.0, -7.0, 1.0, 2.0, math.inf, -math.inf, math.nan,
                    -1e30, 1e-30, 1e30])

FUNCS = {
    "lgamma": (numtorch.lgamma, torch.lgamma),
    "digamma": (numtorch.digamma, torch.digamma),
    **{f"polygamma{n}": (lambda x, n=n: numtorch.polygamma(n, x),
                         lambda x, n=n: torch.polygamma(n, x)) for n in range(5)},
}


def _compare(name, x, dtype, rtol, atol):
    nt_fn, t_fn = FUNCS[name]
    with np.errstate(over="ignore"):  # 1e30 in float16 is inf
        x = x.astype(dtype)
    a = nt_fn(numtorch.tensor(x))
    b = t_fn(torch.tensor(x))
    assert_same(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", list(FUNCS))
def test_values_float64(name):
    x = GRID
    if name in ("digamma", "polygamma0", "polygamma1"):
        # PyTorch's digamma and trigamma reflect with tan/sin(pi * x) of the unreduced x,
        # which loses digits just beside the negative poles (numtorch reduces x first and
        # agrees with mpmath there); compare away from them.
        x = x[(x > 0) | (np.abs(x - np.round(x)) > 1e-3)]
    # PyTorch's trigamma stops its asymptotic series early: ~1e-9 relative.
    rtol = 1e-8 if name == "polygamma1" else 1e-12
    _compare(name, x, np.float64, rtol=rtol, atol=1e-13)


@pytest.mark.parametrize("name", list(FUNCS))
def test_values_float32(name):
    # PyTorch computes in float32 (digamma's reflection loses digits near -n + 1/2 and
    # beside the poles); numtorch in float64, rounded once.
    x = GRID[(GRID > -20) & (GRID < 1e6)]
    x = x[(x > 0) | (np.abs(x - np.round(x)) > 1e-2)]
    _compare(name, x, np.float32, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", list(FUNCS))
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_special_points(name, dtype):
    x = SPECIAL
    if name == "polygamma1":  # PyTorch: huge finite values at negative integers (see above)
        x = x[~((x < 0) & (x == np.round(x)) & np.isfinite(x))]
    _compare(name, x, dtype, rtol=2e-3 if dtype == np.float16 else 1e-6, atol=0)


def test_trigamma_negative_integers_are_inf():
    out = numtorch.polygamma(1, numtorch.tensor([-1.0, -2.0, 0.0, -0.0]))
    assert out.tolist() == [math.inf] * 4


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_inputs_give_default_float(dtype):
    x = np.array([0, 1, 2, 5], dtype=dtype)
    for name in ("lgamma", "digamma", "polygamma1", "polygamma2"):
        nt_fn, t_fn = FUNCS[name]
        assert_same(nt_fn(numtorch.tensor(x)), t_fn(torch.tensor(x)), rtol=1e-6)


@pytest.mark.parametrize("name", list(FUNCS))
def test_gradients_vs_torch(name):
    x = np.concatenate([RNG.uniform(0.1, 8, 12), RNG.uniform(-5, -0.1, 6)]).reshape(3, 6)
    nt_fn, t_fn = FUNCS[name]
    check_op(nt_fn, t_fn, x, rtol=1e-8, atol=1e-8)
    check_op(nt_fn, t_fn, x.astype(np.float32), rtol=1e-4, atol=1e-4)
    check_op(nt_fn, t_fn, noncontig(x), rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma2"])
def test_zero_dim_and_empty(name, shape):
    x = np.full(shape, 2.75)
    nt_fn, t_fn = FUNCS[name]
    check_op(nt_fn, t_fn, x, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("fn", [
    numtorch.lgamma, numtorch.digamma, lambda x: numtorch.polygamma(1, x),
    lambda x: numtorch.polygamma(2, x),
])
def test_gradcheck(fn):
    x = numtorch.tensor([0.3, 1.7, 4.2, -0.6, -2.3], dtype=numtorch.float64,
                        requires_grad=True)
    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


def test_grad_fn_names():
    x = numtorch.tensor([1.5], requires_grad=True)
    assert type(numtorch.lgamma(x).grad_fn).__name__ == "LgammaBackward0"
    assert type(numtorch.digamma(x).grad_fn).__name__ == "DigammaBackward0"
    assert type(numtorch.polygamma(0, x).grad_fn).__name__ == "PolygammaBackward0"
    assert type(x.polygamma(3).grad_fn).__name__ == "PolygammaBackward0"


def test_methods_and_inplace():
    def run(m):
        x = m.tensor([0.4, 2.5, -1.5, 7.0], dtype=m.float64)
        outs = [x.lgamma(), x.digamma(), x.polygamma(2)]
        for name, args in (("lgamma_", ()), ("digamma_", ()), ("polygamma_", (1,))):
            y = x.clone()
            assert getattr(y, name)(*args) is y
            outs.append(y)
        return outs
    assert_same(run(numtorch), run(torch), rtol=1e-12)


def test_inplace_autograd_and_out():
    def run(m):
        x = m.tensor([0.4, 2.5, 3.5], dtype=m.float64, requires_grad=True)
        y = x * 1
        y.polygamma_(1)
        y.lgamma_()
        y.sum().backward()
        out = m.empty(3, dtype=m.float64)
        m.digamma(x.detach(), out=out)
        return x.grad, out, y.grad_fn.name() if m is torch else type(y.grad_fn).__name__
    a, b = run(numtorch), run(torch)
    assert_same(a[:2], b[:2], rtol=1e-12)
    assert a[2] == b[2]


def test_errors():
    x = numtorch.tensor([1.5])
    with pytest.raises(RuntimeError, match=r"polygamma\(n, x\) does not support negative n\."):
        numtorch.polygamma(-1, x)
    with pytest.raises(RuntimeError, match="does not support negative n"):
        x.polygamma_(-2)
    with pytest.raises(TypeError, match=r"argument 'n' \(position 1\) must be int, not float"):
        numtorch.polygamma(1.5, x)
    with pytest.raises(TypeError, match=r"argument 'input' \(position 2\) must be Tensor, not "
                       "float"):
        numtorch.polygamma(1, 2.0)
    with pytest.raises(TypeError, match=r"lgamma\(\): argument 'input' \(position 1\) must be "
                       "Tensor, not float"):
        numtorch.lgamma(1.0)
    with pytest.raises(TypeError, match=r"digamma\(\): argument 'input'"):
        numtorch.digamma([1.0])
    leaf = numtorch.tensor([1.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.lgamma_()


def test_integer_tensor_order_accepted():
    x = numtorch.tensor([1.5, 3.0], dtype=numtorch.float64)
    ref = torch.polygamma(torch.tensor(2), torch.tensor([1.5, 3.0], dtype=torch.float64))
    assert_same(numtorch.polygamma(numtorch.tensor(2), x), ref, rtol=1e-13)
