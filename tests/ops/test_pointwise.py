"""Pointwise ops against PyTorch: values, dtypes, gradients, grad_fn names, in-place and
``out=`` forms, operators, PyTorch's conventions at the edges, and error messages.

Most tests are written once as ``fn(lib, ...)`` and run with ``lib`` = numtorch and torch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from tests.utils import NT_DTYPES, assert_same, noncontig, torch

# --- helpers -------------------------------------------------------------------------------


def _sample(domain, shape, dtype, rng):
    """Random values in a domain where the op is smooth (away from kinks and poles)."""
    if domain == "real":
        a = rng.standard_normal(shape) * 1.5
    elif domain == "pos":
        a = rng.uniform(0.2, 3.0, shape)
    elif domain == "unit":
        a = rng.uniform(-0.9, 0.9, shape)
    elif domain == "gt1":
        a = rng.uniform(1.2, 4.0, shape)
    elif domain == "prob":
        a = rng.uniform(0.05, 0.95, shape)
    elif domain == "nonzero":
        a = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    else:
        raise ValueError(domain)
    return np.asarray(a, dtype=dtype)


def _nt_leaf(a, contiguous, grad):
    if not isinstance(a, np.ndarray):
        return a
    t = numtorch.tensor(a) if contiguous else numtorch.from_numpy(noncontig(a))
    if grad and a.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def _t_leaf(a, grad):
    if not isinstance(a, np.ndarray):
        return a
    t = torch.tensor(a)
    if grad and a.dtype.kind == "f":
        t.requires_grad_(True)
    return t


def parity(fn, *arrays, grad=True, contiguous=True, rtol=1e-5, atol=1e-6, seed=0):
    """``fn(lib, *inputs)`` on numtorch and torch with the same inputs: outputs (values,
    dtypes, grad_fn names) and gradients (same random upstream gradient) must agree."""
    nt_in = [_nt_leaf(a, contiguous, grad) for a in arrays]
    t_in = [_t_leaf(a, grad) for a in arrays]
    got, want = fn(numtorch, *nt_in), fn(torch, *t_in)
    assert_same(got, want, rtol, atol)
    assert _node(got) == _node(want), f"grad_fn {_node(got)} != {_node(want)}"
    if not grad or not want.requires_grad:
        return got
    g = np.random.default_rng(seed).standard_normal(tuple(want.shape)).astype(
        NT_DTYPES[str(want.dtype).replace("torch.", "")][0].np)
    pairs = [(x, y) for x, y in zip(nt_in, t_in) if isinstance(y, torch.Tensor)
             and y.requires_grad]
    want_g = torch.autograd.grad(want, [y for _, y in pairs], torch.tensor(g), allow_unused=True)
    got_g = numtorch.autograd.grad(got, [x for x, _ in pairs], numtorch.tensor(g),
                                   allow_unused=True)
    for a, b in zip(got_g, want_g):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            assert a is not None, "numtorch gave no gradient where torch gave one"
            assert_same(a, _dense(b), rtol * 10, atol * 10)
    return got


def _dense(t):
    """torch returns some all-zero gradients as ZeroTensors, which refuse ``numpy()``."""
    if isinstance(t, torch.Tensor) and t._is_zerotensor():
        return torch.zeros(t.shape, dtype=t.dtype)
    return t


def _node(t):
    fn = getattr(t, "grad_fn", None)
    return None if fn is None else type(fn).__name__


def outcome(fn, lib):
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - compared below
        return e


def same_outcome(fn, rtol=1e-5, atol=1e-6, messages=True):
    """``fn(lib)`` gives the same result in both libraries, or raises the same error."""
    got, want = outcome(fn, numtorch), outcome(fn, torch)
    if isinstance(want, Exception):
        assert isinstance(got, Exception), f"torch raised {want!r}, numtorch returned {got!r}"
        assert type(got) is type(want), f"{got!r} vs {want!r}"
        if messages and not isinstance(want, TypeError):
            assert str(got) == str(want).replace("torch.", "numtorch."), f"{got} vs {want}"
        return
    if isinstance(got, Exception):
        raise got
    if isinstance(want, torch.Tensor) and want.dtype == torch.float16:
        rtol, atol = 1e-3, 1e-3
    assert_same(got, want, rtol, atol)


def tensor(lib, values, dtype):
    return lib.tensor(values).to(getattr(lib, dtype))


FLOATS = ["float32", "float64"]
ALL_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
              "float64"]


# --- unary ops: values, gradients, grad_fn, shapes ------------------------------------------

UNARY = {
    "abs": (lambda m, x: m.abs(x), "nonzero"),
    "absolute": (lambda m, x: m.absolute(x), "nonzero"),
    "neg": (lambda m, x: m.neg(x), "real"),
    "negative": (lambda m, x: m.negative(x), "real"),
    "sign": (lambda m, x: m.sign(x), "real"),
    "sgn": (lambda m, x: m.sgn(x), "real"),
    "exp": (lambda m, x: m.exp(x), "real"),
    "exp2": (lambda m, x: m.exp2(x), "real"),
    "expm1": (lambda m, x: m.expm1(x), "real"),
    "log": (lambda m, x: m.log(x), "pos"),
    "log2": (lambda m, x: m.log2(x), "pos"),
    "log10": (lambda m, x: m.log10(x), "pos"),
    "log1p": (lambda m, x: m.log1p(x), "pos"),
    "sqrt": (lambda m, x: m.sqrt(x), "pos"),
    "rsqrt": (lambda m, x: m.rsqrt(x), "pos"),
    "square": (lambda m, x: m.square(x), "real"),
    "reciprocal": (lambda m, x: m.reciprocal(x), "nonzero"),
    "sin": (lambda m, x: m.sin(x), "real"),
    "cos": (lambda m, x: m.cos(x), "real"),
    "tan": (lambda m, x: m.tan(x), "unit"),
    "asin": (lambda m, x: m.asin(x), "unit"),
    "acos": (lambda m, x: m.acos(x), "unit"),
    "atan": (lambda m, x: m.atan(x), "real"),
    "arcsin": (lambda m, x: m.arcsin(x), "unit"),
    "arccos": (lambda m, x: m.arccos(x), "unit"),
    "arctan": (lambda m, x: m.arctan(x), "real"),
    "sinh": (lambda m, x: m.sinh(x), "real"),
    "cosh": (lambda m, x: m.cosh(x), "real"),
    "tanh": (lambda m, x: m.tanh(x), "real"),
    "asinh": (lambda m, x: m.asinh(x), "real"),
    "acosh": (lambda m, x: m.acosh(x), "gt1"),
    "atanh": (lambda m, x: m.atanh(x), "unit"),
    "arcsinh": (lambda m, x: m.arcsinh(x), "real"),
    "arccosh": (lambda m, x: m.arccosh(x), "gt1"),
    "arctanh": (lambda m, x: m.arctanh(x), "unit"),
    "sigmoid": (lambda m, x: m.sigmoid(x), "real"),
    "logit": (lambda m, x: m.logit(x), "prob"),
    "logit_eps": (lambda m, x: m.logit(x, eps=0.2), "prob"),
    "relu": (lambda m, x: m.relu(x), "nonzero"),
    "erf": (lambda m, x: m.erf(x), "real"),
    "erfc": (lambda m, x: m.erfc(x), "real"),
    "erfinv": (lambda m, x: m.erfinv(x), "unit"),
    "floor": (lambda m, x: m.floor(x), "real"),
    "ceil": (lambda m, x: m.ceil(x), "real"),
    "round": (lambda m, x: m.round(x), "real"),
    "round_decimals": (lambda m, x: m.round(x, decimals=2), "real"),
    "round_negative_decimals": (lambda m, x: m.round(x * 100, decimals=-1), "real"),
    "trunc": (lambda m, x: m.trunc(x), "real"),
    "fix": (lambda m, x: m.fix(x), "real"),
    "frac": (lambda m, x: m.frac(x), "real"),
    "nan_to_num": (lambda m, x: m.nan_to_num(x), "real"),
    "clamp": (lambda m, x: m.clamp(x, -0.5, 0.7), "real"),
    "clamp_min_only": (lambda m, x: m.clamp(x, min=-0.5), "real"),
    "clamp_max_only": (lambda m, x: m.clamp(x, max=0.5), "real"),
    "clamp_crossed": (lambda m, x: m.clamp(x, 0.7, -0.5), "real"),
    "clip": (lambda m, x: m.clip(x, -0.5, 0.7), "real"),
    "clamp_min": (lambda m, x: m.clamp_min(x, 0.1), "real"),
    "clamp_max": (lambda m, x: m.clamp_max(x, 0.1), "real"),
    "pow_2": (lambda m, x: m.pow(x, 2), "real"),
    "pow_3": (lambda m, x: x ** 3, "real"),
    "pow_0": (lambda m, x: x ** 0, "real"),
    "pow_half": (lambda m, x: x ** 0.5, "pos"),
    "pow_neg": (lambda m, x: m.pow(x, -1.5), "pos"),
    "rpow": (lambda m, x: 2.5 ** x, "real"),
    "pow_scalar_base": (lambda m, x: m.pow(3, x), "real"),
    "float_power": (lambda m, x: m.float_power(x, 2.5), "pos"),
    "float_power_base": (lambda m, x: m.float_power(2, x), "real"),
    "mul_scalar": (lambda m, x: x * 2.5, "real"),
    "rmul_scalar": (lambda m, x: 2.5 * x, "real"),
    "div_scalar": (lambda m, x: x / 4, "real"),
    "rdiv_scalar": (lambda m, x: 3 / x, "nonzero"),
    "div_scalar_input": (lambda m, x: m.div(2.5, x), "nonzero"),
    "add_scalar": (lambda m, x: x + 1.5, "real"),
    "radd_scalar": (lambda m, x: 1.5 + x, "real"),
    "sub_scalar": (lambda m, x: x - 1.5, "real"),
    "rsub_scalar": (lambda m, x: 1.5 - x, "real"),
    "add_alpha": (lambda m, x: m.add(x, 2, alpha=1.5), "real"),
    "remainder_scalar": (lambda m, x: m.remainder(x, 0.7), "real"),
    "fmod_scalar": (lambda m, x: m.fmod(x, 0.7), "real"),
    "copysign_scalar": (lambda m, x: m.copysign(x, -1.0), "nonzero"),
    "xlogy_scalar_other": (lambda m, x: m.xlogy(x, 3.0), "real"),
    "xlogy_scalar_self": (lambda m, x: m.xlogy(2.0, x), "pos"),
    "lerp_scalar_weight_low": (lambda m, x: m.lerp(x, x * 3, 0.3), "real"),
    "lerp_scalar_weight_high": (lambda m, x: m.lerp(x, x * 3, 0.8), "real"),
}

SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_parity(name, shape, dtype):
    fn, domain = UNARY[name]
    rtol = 1e-4 if dtype == "float32" else 1e-7
    parity(fn, _sample(domain, shape, dtype, np.random.default_rng(0)), rtol=rtol)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_noncontiguous_input(name):
    fn, domain = UNARY[name]
    parity(fn, _sample(domain, (3, 4), "float32", np.random.default_rng(1)), contiguous=False,
           rtol=1e-4)


# Float-valued functions of special values: inf, nan, zeros of both signs, domain edges.
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.5, 1e-30, 88.0, -88.0, 1e4,
                    -1e4, math.inf, -math.inf, math.nan], dtype=np.float64)
SPECIAL_UNARY = ["abs", "neg", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10",
                 "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan",
                 "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                 "sigmoid", "logit", "relu", "erf", "erfc", "erfinv", "floor", "ceil",
                 "round", "trunc", "frac", "nan_to_num", "signbit", "isnan", "isinf",
                 "isposinf", "isneginf", "isfinite", "isreal"]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", SPECIAL_UNARY)
def test_unary_special_values(name, dtype):
    def fn(m):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no NumPy RuntimeWarning may leak
            return getattr(m, name)(tensor(m, SPECIAL, dtype))
    rtol = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}[dtype]
    assert_same(fn(numtorch), fn(torch), rtol=rtol, atol=0)


UNARY_DTYPE_OPS = SPECIAL_UNARY + ["positive", "fix", "absolute", "logical_not",
                                   "bitwise_not"]


@pytest.mark.parametrize("name", UNARY_DTYPE_OPS)
def test_unary_result_dtype_and_errors_for_every_dtype(name):
    for dt in ALL_DTYPES:
        same_outcome(lambda m, dt=dt: getattr(m, name)(tensor(m, [0, 1, 2, 3, -3, 5], dt)),
                     rtol=1e-5)


# --- binary ops ------------------------------------------------------------------------------

BINARY = {
    "add": (lambda m, a, b: m.add(a, b), "real", "real"),
    "add_alpha": (lambda m, a, b: m.add(a, b, alpha=2.5), "real", "real"),
    "sub": (lambda m, a, b: m.sub(a, b), "real", "real"),
    "sub_alpha": (lambda m, a, b: m.subtract(a, b, alpha=-2), "real", "real"),
    "rsub": (lambda m, a, b: m.rsub(a, b), "real", "real"),
    "mul": (lambda m, a, b: m.mul(a, b), "real", "real"),
    "multiply": (lambda m, a, b: m.multiply(a, b), "real", "real"),
    "div": (lambda m, a, b: m.div(a, b), "real", "nonzero"),
    "divide": (lambda m, a, b: m.divide(a, b), "real", "nonzero"),
    "true_divide": (lambda m, a, b: m.true_divide(a, b), "real", "nonzero"),
    "div_trunc": (lambda m, a, b: m.div(a, b, rounding_mode="trunc"), "real", "nonzero"),
    "div_floor": (lambda m, a, b: m.div(a, b, rounding_mode="floor"), "real", "nonzero"),
    "remainder": (lambda m, a, b: m.remainder(a, b), "real", "nonzero"),
    "fmod": (lambda m, a, b: m.fmod(a, b), "real", "nonzero"),
    "pow": (lambda m, a, b: m.pow(a, b), "pos", "real"),
    "float_power": (lambda m, a, b: m.float_power(a, b), "pos", "real"),
    "atan2": (lambda m, a, b: m.atan2(a, b), "real", "real"),
    "arctan2": (lambda m, a, b: m.arctan2(a, b), "real", "real"),
    "maximum": (lambda m, a, b: m.maximum(a, b), "real", "real"),
    "minimum": (lambda m, a, b: m.minimum(a, b), "real", "real"),
    "fmax": (lambda m, a, b: m.fmax(a, b), "real", "real"),
    "fmin": (lambda m, a, b: m.fmin(a, b), "real", "real"),
    "hypot": (lambda m, a, b: m.hypot(a, b), "real", "real"),
    "copysign": (lambda m, a, b: m.copysign(a, b), "nonzero", "nonzero"),
    "xlogy": (lambda m, a, b: m.xlogy(a, b), "real", "pos"),
    "where": (lambda m, a, b: m.where(a > 0, a, b), "real", "real"),
    "clamp_tensor_min": (lambda m, a, b: m.clamp(a, min=b), "real", "real"),
    "clamp_tensor_max": (lambda m, a, b: m.clamp(a, max=b), "real", "real"),
    "clamp_min_tensor": (lambda m, a, b: m.clamp_min(a, b), "real", "real"),
    "clamp_max_tensor": (lambda m, a, b: m.clamp_max(a, b), "real", "real"),
    "lerp": (lambda m, a, b: m.lerp(a, b, 0.4), "real", "real"),
    "addcmul": (lambda m, a, b: m.addcmul(a, a, b, value=0.5), "real", "real"),
    "addcdiv": (lambda m, a, b: m.addcdiv(a, a, b, value=-2), "real", "nonzero"),
    "hypot_add": (lambda m, a, b: m.hypot(a, b) + a, "real", "real"),
}

BROADCAST = [((), ()), ((0,), (0,)), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)),
             ((2, 3, 4), (4,)), ((), (2, 3)), ((2, 1, 3), (4, 1)), ((0, 3), (1, 3))]
# Ops whose first operand cannot be smaller than the output (lerp, addcmul use it twice).
_SAME_A = {"lerp", "addcmul", "addcdiv"}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_parity(name, shapes, dtype):
    fn, da, db = BINARY[name]
    rng = np.random.default_rng(0)
    sa, sb = shapes
    a, b = _sample(da, sa, dtype, rng), _sample(db, sb, dtype, rng)
    if name in _SAME_A and np.broadcast_shapes(sa, sb) != sa:
        a, b = b, a
        if name == "addcdiv":
            a, b = _sample(da, sb, dtype, rng), _sample(db, sa, dtype, rng)
    parity(fn, a, b, rtol=1e-4 if dtype == "float32" else 1e-7)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_noncontiguous_inputs(name):
    fn, da, db = BINARY[name]
    rng = np.random.default_rng(2)
    parity(fn, _sample(da, (3, 4), "float32", rng), _sample(db, (3, 4), "float32", rng),
           contiguous=False, rtol=1e-4)


@pytest.mark.parametrize("name", ["add", "mul", "div", "pow", "atan2", "maximum", "where",
                                  "xlogy", "remainder", "clamp_tensor_min"])
def test_binary_mixed_float_dtypes(name):
    fn, da, db = BINARY[name]
    rng = np.random.default_rng(3)
    parity(fn, _sample(da, (3, 4), "float32", rng), _sample(db, (4,), "float64", rng),
           rtol=1e-5)
    parity(fn, _sample(da, (3, 4), "float64", rng), _sample(db, (), "float32", rng))


BINARY_DTYPE_OPS = {
    "add": lambda m, a, b: m.add(a, b),
    "sub": lambda m, a, b: m.sub(a, b),
    "mul": lambda m, a, b: m.mul(a, b),
    "div": lambda m, a, b: m.div(a, b),
    "div_trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "remainder": lambda m, a, b: m.remainder(a, b),
    "fmod": lambda m, a, b: m.fmod(a, b),
    "pow": lambda m, a, b: m.pow(a, b),
    "float_power": lambda m, a, b: m.float_power(a, b),
    "atan2": lambda m, a, b: m.atan2(a, b),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "fmax": lambda m, a, b: m.fmax(a, b),
    "fmin": lambda m, a, b: m.fmin(a, b),
    "hypot": lambda m, a, b: m.hypot(a, b),
    "copysign": lambda m, a, b: m.copysign(a, b),
    "xlogy": lambda m, a, b: m.xlogy(a, b),
    "logical_and": lambda m, a, b: m.logical_and(a, b),
    "logical_or": lambda m, a, b: m.logical_or(a, b),
    "logical_xor": lambda m, a, b: m.logical_xor(a, b),
    "bitwise_and": lambda m, a, b: m.bitwise_and(a, b),
    "bitwise_or": lambda m, a, b: m.bitwise_or(a, b),
    "bitwise_xor": lambda m, a, b: m.bitwise_xor(a, b),
    "bitwise_left_shift": lambda m, a, b: m.bitwise_left_shift(a, b),
    "bitwise_right_shift": lambda m, a, b: m.bitwise_right_shift(a, b),
    "eq": lambda m, a, b: m.eq(a, b),
    "ne": lambda m, a, b: m.ne(a, b),
    "lt": lambda m, a, b: m.lt(a, b),
    "le": lambda m, a, b: m.le(a, b),
    "gt": lambda m, a, b: m.gt(a, b),
    "ge": lambda m, a, b: m.ge(a, b),
    "greater": lambda m, a, b: m.greater(a, b),
    "greater_equal": lambda m, a, b: m.greater_equal(a, b),
    "less": lambda m, a, b: m.less(a, b),
    "less_equal": lambda m, a, b: m.less_equal(a, b),
    "not_equal": lambda m, a, b: m.not_equal(a, b),
    "where": lambda m, a, b: m.where(m.tensor([True, False, True, False, True, True]), a, b),
    "clamp_tensor": lambda m, a, b: m.clamp(a, min=b),
    "isclose": lambda m, a, b: m.isclose(a, b),
}
SCALARS = [True, 2, -3, 2.5, 300]


@pytest.mark.parametrize("name", sorted(BINARY_DTYPE_OPS))
def test_binary_result_dtype_values_and_errors_for_every_dtype_pair(name):
    fn = BINARY_DTYPE_OPS[name]
    left, right = [0, 1, 2, 3, 5, -3], [1, 2, 3, 1, 2, -2]
    for da in ALL_DTYPES:
        for db in ALL_DTYPES:
            same_outcome(lambda m, da=da, db=db: fn(m, tensor(m, left, da),
                                                    tensor(m, right, db)))
        # 0-d tensors and Python numbers on either side (they never widen a tensor's dtype)
        same_outcome(lambda m, da=da: fn(m, tensor(m, left, da), m.tensor(2.5)))
        same_outcome(lambda m, da=da: fn(m, m.tensor(3), tensor(m, right, da)))
        for s in SCALARS:
            same_outcome(lambda m, da=da, s=s: fn(m, tensor(m, left, da), s))
            same_outcome(lambda m, da=da, s=s: fn(m, s, tensor(m, right, da)))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "floor_divide"])
def test_binary_of_two_numbers_gives_a_tensor(name):
    fn = BINARY_DTYPE_OPS[name]
    same_outcome(lambda m: fn(m, 2, 3))
    same_outcome(lambda m: fn(m, 2, 3.5))
    same_outcome(lambda m: fn(m, True, 3))


@pytest.mark.parametrize("name", ["remainder", "fmod", "pow", "float_power", "atan2",
                                  "maximum", "hypot", "copysign", "xlogy", "logical_and",
                                  "bitwise_and", "eq", "lt", "isclose"])
def test_binary_of_two_numbers_is_a_type_error(name):
    with pytest.raises(TypeError, match=name):
        BINARY_DTYPE_OPS[name](numtorch, 2, 3)


def test_binary_rejects_non_numbers():
    x = numtorch.ones(3)
    with pytest.raises(TypeError, match=r"add\(\): argument 'other' \(position 2\) must be "
                                        r"Tensor, not list"):
        numtorch.add(x, [1, 2, 3])
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 2\) must be "
                                        r"Tensor, not int"):
        numtorch.maximum(x, 2)
    with pytest.raises(TypeError, match=r"atan2\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not float"):
        numtorch.atan2(2.0, x)
    with pytest.raises(TypeError, match=r"fmod\(\) received an invalid combination"):
        numtorch.fmod(2, x)
    with pytest.raises(TypeError, match=r"eq\(\) received an invalid combination"):
        numtorch.eq(2, x)


def test_broadcast_error_is_pytorchs():
    x, y = numtorch.ones(3), numtorch.ones(2)
    msg = r"The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton " \
          r"dimension 0"
    for fn in (numtorch.add, numtorch.mul, numtorch.atan2, numtorch.eq, numtorch.maximum,
               numtorch.logical_and, lambda a, b: a + b, lambda a, b: a * b):
        with pytest.raises(RuntimeError, match=msg):
            fn(x, y)
    with pytest.raises(RuntimeError, match=r"tensor a \(3\) must match the size of tensor b "
                                           r"\(4\) at non-singleton dimension 1"):
        numtorch.ones(2, 3) * numtorch.ones(4)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match"):
        numtorch.where(numtorch.tensor([True, False]), x, x)


# --- PyTorch's semantics at the edges -----------------------------------------------------------


def test_integer_division_by_zero_raises():
    i = numtorch.tensor([1, -2, 3])
    for fn in (lambda: i // 0, lambda: i % 0, lambda: numtorch.fmod(i, 0),
               lambda: numtorch.div(i, 0, rounding_mode="floor"),
               lambda: numtorch.div(i, numtorch.tensor([1, 0, 1]), rounding_mode="trunc"),
               lambda: numtorch.remainder(i, numtorch.zeros(3, dtype=numtorch.int64))):
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            fn()
    assert (i / 0).tolist() == [math.inf, -math.inf, math.inf]  # true division: floats


def test_float_division_by_zero_gives_inf_nan_without_warnings():
    def fn(m):
        x = m.tensor([1.0, -1.0, 0.0])
        return (x / 0, x // 0, x % 0, m.fmod(x, 0.0), m.div(x, 0, rounding_mode="trunc"),
                m.div(x, -0.0, rounding_mode="floor"), m.reciprocal(x), m.log(x), 1 / x,
                m.remainder(x, math.inf), m.fmod(x, -math.inf), x ** -1, m.rsqrt(x),
                m.addcdiv(x, x, x), m.xlogy(x, x))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn(numtorch)
    assert_same(got, fn(torch))


def test_remainder_follows_divisor_and_fmod_follows_dividend():
    def fn(m):
        a = m.tensor([-7, 7, -7, 7, -6])
        b = m.tensor([2, -2, -2, 2, 3])
        return m.remainder(a, b), m.fmod(a, b), a % b, m.remainder(a.double(), b.double()), \
            m.fmod(a.float(), b.float()), m.remainder(-7, b), m.div(a, b, rounding_mode="trunc"), \
            m.div(a, b, rounding_mode="floor"), a // b
    assert_same(fn(numtorch), fn(torch))
    assert numtorch.remainder(numtorch.tensor([-7]), 2).item() == 1
    assert numtorch.fmod(numtorch.tensor([-7]), 2).item() == -1


def test_round_half_to_even_and_decimals():
    def fn(m):
        x = m.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1234.5678, 0.125, -0.125])
        return (m.round(x), m.round(x, decimals=2), m.round(x, decimals=-2),
                m.round(x.half()), m.round(x.double(), decimals=1), x.round(decimals=1))
    assert_same(fn(numtorch), fn(torch))
    assert numtorch.round(numtorch.tensor([0.5, 1.5, 2.5])).tolist() == [0.0, 2.0, 2.0]


def test_clamp_with_min_above_max_gives_max():
    def fn(m):
        x = m.tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
        lo = m.tensor([1.0, 1.0, 3.0, 2.0], requires_grad=True)
        hi = m.tensor([2.0, 2.0, 1.0, 1.0], requires_grad=True)
        y = m.clamp(x, 2.5, 1.0) + m.clamp(x, lo, hi) * 2
        y.sum().backward()
        return y, x.grad, lo.grad, hi.grad
    assert_same(fn(numtorch), fn(torch))


def test_clamp_dtypes_nan_and_bounds():
    i = lambda m: m.tensor([1, -2, 3])  # noqa: E731
    x = lambda m: m.tensor([1.0, math.nan, -2.0])  # noqa: E731
    for fn in (lambda m: m.clamp(i(m), 0.5), lambda m: m.clamp(i(m), 0, 2),
               lambda m: m.clamp(i(m), m.tensor([0.5, 0.5, 0.5])),
               lambda m: m.clamp(x(m), math.nan), lambda m: m.clamp(x(m), 0, 1),
               lambda m: m.clamp(x(m), m.zeros(2, 1)), lambda m: m.clamp_min(i(m), 0.5),
               lambda m: m.clamp(m.tensor([True, False]), 0, 1),
               lambda m: m.clamp(m.tensor([True, False]), True),
               lambda m: m.clamp(m.tensor([True, False]), max=True),
               lambda m: m.clamp(m.tensor([True, False]), m.tensor([False, True])),
               lambda m: m.clamp(m.tensor([True, False]), m.tensor(True), m.tensor(True)),
               lambda m: m.clamp(x(m), None, None)):
        same_outcome(fn)
    with pytest.raises(TypeError, match="clamp"):
        numtorch.clamp(numtorch.ones(2), min=numtorch.zeros(2), max=1.0)


def test_bool_arithmetic_rules():
    b = lambda m: m.tensor([True, False, True])  # noqa: E731
    for fn in (lambda m: b(m) - b(m), lambda m: b(m) - 1, lambda m: 1 - b(m),
               lambda m: b(m) - True, lambda m: m.sub(True, b(m)), lambda m: -b(m),
               lambda m: +b(m), lambda m: m.rsub(b(m), 1), lambda m: b(m) + b(m),
               lambda m: b(m) * b(m), lambda m: b(m) / b(m), lambda m: b(m) + 1,
               lambda m: b(m) * 2.5, lambda m: m.add(b(m), b(m), alpha=2),
               lambda m: m.add(m.ones(2), m.ones(2), alpha=True),
               lambda m: m.add(m.tensor([1, 2]), m.tensor([1, 2]), alpha=0.5),
               lambda m: b(m) // b(m), lambda m: b(m) % b(m), lambda m: b(m) ** b(m),
               lambda m: b(m) ** 2, lambda m: 2 ** b(m), lambda m: m.abs(b(m)),
               lambda m: m.sign(b(m)), lambda m: m.square(b(m)), lambda m: m.relu(b(m)),
               lambda m: ~b(m), lambda m: b(m) & True, lambda m: b(m) | 1,
               lambda m: b(m) ^ b(m), lambda m: b(m) << 1, lambda m: b(m) << b(m)):
        same_outcome(fn)


def test_shifts_out_of_range_and_negative():
    def cases(m):
        i = m.tensor([1, -2, 3])
        u8 = m.tensor([1, 2, 255], dtype=m.uint8)
        i8 = m.tensor([-5, 5, -128], dtype=m.int8)
        return (i << 64, i >> 64, i << -1, i >> -1, i << 63, u8 << 9, u8 >> 9, u8 >> -1,
                u8 << 300, i8 >> 9, i8 << 7, i8 >> -1, i8 << -1, i8 >> 300, 1 << i.abs(),
                m.bitwise_right_shift(i, m.tensor([70, 1, -3])), i << u8)
    assert_same(cases(numtorch), cases(torch))


def test_integer_overflow_wraps():
    def fn(m):
        i8 = m.tensor([-128, 127, 100], dtype=m.int8)
        u8 = m.tensor([1, 2, 255], dtype=m.uint8)
        return (m.abs(i8), -i8, i8 + 100, i8 * 3, u8 + 300, u8 - 1, u8 * -1, u8 == 300,
                u8 < 300, m.abs(m.tensor([-2 ** 63])), i8 // -1, m.remainder(i8, -1),
                m.fmod(i8, -1), m.div(i8, -1, rounding_mode="trunc"))
    assert_same(fn(numtorch), fn(torch))


def test_integer_powers():
    for fn in (lambda m: m.tensor([2, 0, -3]) ** m.tensor([-1, 2, 3]),
               lambda m: m.tensor([1, -1, -1, 2]) ** m.tensor([-3, -2, -3, 40]),
               lambda m: 0 ** m.tensor([-1, 0, 2]), lambda m: (-2) ** m.tensor([-1, 0, 3]),
               lambda m: (-1) ** m.tensor([-1, -2, 3]), lambda m: m.tensor([1, 2]) ** -1,
               lambda m: m.tensor([1, 2], dtype=m.uint8) ** -1, lambda m: m.tensor([1, 2]) ** 2.5,
               lambda m: m.tensor([1, -2]) ** True, lambda m: m.pow(m.tensor([3]), 2),
               lambda m: m.pow(2.0, m.tensor([1, 2])), lambda m: m.tensor([2]).pow_(2.5),
               lambda m: m.float_power(m.tensor([1, -2, 3]), -1)):
        same_outcome(fn)


def test_float16_results():
    def fn(m):
        h = m.tensor([0.5, -1.25, 3.0, 1000.0]).half()
        return (h + 1, h * 2.5, h / 3, m.exp(h), m.sigmoid(h), m.tanh(h), m.erf(h),
                m.sqrt(h.abs()), h ** 2, m.atan2(h, h + 1), m.lerp(h, h * 2, 0.3),
                m.clamp(h, -1, 1), m.round(h, decimals=1), m.maximum(h, -h))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn(numtorch)
    assert_same(got, fn(torch), rtol=2e-3, atol=1e-3)
    with warnings.catch_warnings():  # add/mul skip errstate for speed: overflow may warn
        warnings.simplefilter("ignore")
        assert_same(numtorch.ones(2).half() + 1e6, torch.ones(2).half() + 1e6)


def test_int_inputs_of_float_functions_give_default_dtype():
    numtorch.set_default_dtype(numtorch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        same_outcome(lambda m: (m.exp(m.tensor([1, 2])), m.tensor([1, 2]) / 2,
                                m.sigmoid(m.tensor([True])), m.atan2(m.tensor([1]),
                                                                     m.tensor([2]))))
    finally:
        torch.set_default_dtype(torch.float32)


def test_where_promotes_and_accepts_numbers():
    b = lambda m: m.tensor([True, False, True])  # noqa: E731
    x = lambda m: m.tensor([1.0, -2.0, 0.5])  # noqa: E731
    i = lambda m: m.tensor([1, -2, 3])  # noqa: E731
    for fn in (lambda m: m.where(b(m), x(m), 0), lambda m: m.where(b(m), 1, 0),
               lambda m: m.where(b(m), 1.0, 0), lambda m: m.where(b(m), i(m), x(m)),
               lambda m: m.where(b(m), x(m), x(m).double()), lambda m: m.where(b(m), 1, 0.5),
               lambda m: m.where(b(m), i(m), 0.5), lambda m: m.where(b(m), True, False),
               lambda m: m.where(b(m), x(m), 2 ** 40), lambda m: x(m).where(b(m), 7.0),
               lambda m: m.where(x(m), i(m), x(m)), lambda m: m.where(b(m)),
               lambda m: m.where(m.tensor([[0, 1], [2, 0]]) > 0),
               lambda m: m.where(b(m)[:, None], x(m), i(m))):
        same_outcome(fn)
    with pytest.raises(TypeError, match="where"):
        numtorch.where(True, numtorch.ones(2), numtorch.ones(2))
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, "
                                           "but got a tensor with dtype Float"):
        numtorch.where(numtorch.ones(2), numtorch.ones(2), 0)
    with pytest.warns(UserWarning, match="uint8 condition"):
        got = numtorch.where(numtorch.tensor([1, 0], dtype=numtorch.uint8), 1.0, 2.0)
    assert got.tolist() == [1.0, 2.0]


def test_lerp_dtype_rules():
    x = lambda m: m.tensor([1.0, -2.0, 0.5])  # noqa: E731
    for fn in (lambda m: m.lerp(x(m), m.tensor([1, 2, 3]), 0.5),
               lambda m: m.lerp(x(m), x(m).double(), 0.5),
               lambda m: m.lerp(x(m), x(m).half(), 0.5),
               lambda m: m.lerp(x(m), x(m), m.tensor(0.5, dtype=m.float64)),
               lambda m: m.lerp(x(m), x(m), m.tensor([0.5] * 3, dtype=m.float64)),
               lambda m: m.lerp(x(m), x(m), m.tensor([0.5, 0.2, 0.8])),
               lambda m: m.lerp(m.tensor([1, 2]), m.tensor([1, 2]), 0.5),
               lambda m: m.lerp(m.tensor([1, 2]), m.tensor([1, 2]), m.tensor([1, 2])),
               lambda m: m.lerp(x(m), 1, 0.5), lambda m: m.lerp(x(m), m.ones(2, 3), m.ones(2, 1)),
               lambda m: m.lerp(x(m).half(), x(m).half(), 0.3)):
        same_outcome(fn)


def test_addcmul_addcdiv_dtype_rules():
    x = lambda m: m.tensor([1.0, -2.0, 0.5])  # noqa: E731
    i = lambda m: m.tensor([1, -2, 3])  # noqa: E731
    b = lambda m: m.tensor([True, False, True])  # noqa: E731
    for fn in (lambda m: m.addcmul(x(m), i(m), i(m)), lambda m: m.addcmul(i(m), x(m), x(m)),
               lambda m: m.addcmul(i(m), i(m), i(m), value=0.5),
               lambda m: m.addcmul(i(m), i(m), i(m), value=True),
               lambda m: m.addcmul(x(m), x(m), x(m), value=m.tensor(2.0)),
               lambda m: m.addcmul(b(m), b(m), b(m)), lambda m: m.addcdiv(x(m), i(m), i(m)),
               lambda m: m.addcdiv(b(m), b(m), b(m)),
               lambda m: m.addcdiv(x(m), x(m).double(), x(m)),
               lambda m: m.addcdiv(x(m), x(m), x(m), value=m.tensor(2))):
        same_outcome(fn)


def test_isclose_allclose_equal():
    x = lambda m: m.tensor([1.0, math.inf, -math.inf, math.nan, 0.0])  # noqa: E731
    y = lambda m: m.tensor([1.0 + 1e-7, math.inf, math.inf, math.nan, 1e-9])  # noqa: E731
    for fn in (lambda m: m.isclose(x(m), y(m)), lambda m: m.isclose(x(m), y(m), equal_nan=True),
               lambda m: m.isclose(x(m), y(m), rtol=0, atol=0),
               lambda m: m.isclose(m.tensor([1, 2]), m.tensor([2, 2]), atol=1),
               lambda m: m.isclose(m.tensor([1, 2]), m.tensor([2, 2]), atol=0.5),
               lambda m: m.isclose(m.tensor([True]), m.tensor([False]), atol=1),
               lambda m: m.isclose(x(m), x(m).double()), lambda m: m.isclose(x(m), x(m), rtol=-1),
               lambda m: m.isclose(x(m), x(m), atol=-1), lambda m: x(m).isclose(y(m)),
               lambda m: m.allclose(x(m), y(m)), lambda m: m.allclose(x(m), y(m), equal_nan=True),
               lambda m: m.allclose(m.ones(3), m.tensor(1.0)), lambda m: m.allclose(m.ones(3), m.ones(2)),
               lambda m: m.equal(m.tensor([1.0, 2.0]), m.tensor([1, 2])),
               lambda m: m.equal(m.ones(2), m.ones(3)), lambda m: m.equal(m.ones(2), m.ones(1)),
               lambda m: m.equal(x(m), x(m)), lambda m: m.ones(2).equal(m.ones(2)),
               lambda m: m.isclose(m.ones(2), 1.0)):
        same_outcome(fn)
    assert numtorch.allclose(numtorch.ones(2), numtorch.ones(2)) is True


def test_nan_to_num_and_predicates():
    x = lambda m: m.tensor([math.nan, math.inf, -math.inf, -0.0, 2.0])  # noqa: E731
    for fn in (lambda m: m.nan_to_num(x(m)), lambda m: m.nan_to_num(x(m).half()),
               lambda m: m.nan_to_num(x(m), 1.0, 2.0, 3.0),
               lambda m: m.nan_to_num(x(m), nan=-1.0, posinf=9.0),
               lambda m: m.nan_to_num(m.tensor([1, 2])), lambda m: m.nan_to_num(m.tensor([True])),
               lambda m: m.signbit(x(m)), lambda m: m.signbit(m.tensor([-1, 0, 2])),
               lambda m: m.isposinf(x(m)), lambda m: m.isneginf(x(m)), lambda m: m.isinf(x(m)),
               lambda m: m.isfinite(x(m)), lambda m: m.isnan(x(m)), lambda m: m.isreal(x(m)),
               lambda m: x(m).isnan(), lambda m: m.isnan(m.tensor([1, 2]))):
        same_outcome(fn)


def test_logical_and_bitwise():
    x = lambda m: m.tensor([0.0, 1.5, -2.0, math.nan])  # noqa: E731
    i = lambda m: m.tensor([0, 3, -2, 7])  # noqa: E731
    b = lambda m: m.tensor([False, True, True, False])  # noqa: E731
    for fn in (lambda m: m.logical_and(x(m), i(m)), lambda m: m.logical_or(x(m), b(m)),
               lambda m: m.logical_xor(i(m), b(m)), lambda m: m.logical_not(x(m)),
               lambda m: m.logical_and(x(m), 1), lambda m: m.bitwise_and(i(m), 6),
               lambda m: m.bitwise_or(5, i(m)), lambda m: m.bitwise_xor(i(m), b(m)),
               lambda m: m.bitwise_not(i(m)), lambda m: m.bitwise_not(b(m)),
               lambda m: m.bitwise_not(x(m)), lambda m: m.bitwise_and(x(m), 1),
               lambda m: i(m) & 3, lambda m: 3 & i(m), lambda m: i(m) | b(m), lambda m: True | b(m),
               lambda m: i(m) ^ 5, lambda m: 5 ^ i(m), lambda m: ~i(m), lambda m: ~b(m),
               lambda m: m.bitwise_and(m.tensor([3], dtype=m.int8), 2 ** 40 + 1),
               lambda m: m.logical_not(x(m), out=m.empty(4)),
               lambda m: m.logical_and(x(m), i(m), out=m.empty(4, dtype=m.int64))):
        same_outcome(fn)
    with pytest.raises(TypeError, match=r"~ \(operator.invert\) is only implemented on integer "
                                        r"and Boolean-type tensors"):
        ~numtorch.ones(2)


def test_comparisons_and_operators():
    x = lambda m: m.tensor([1.0, -2.0, math.nan, 3.0])  # noqa: E731
    i = lambda m: m.tensor([1, -2, 0, 4])  # noqa: E731
    for fn in (lambda m: x(m) == i(m), lambda m: x(m) != 1, lambda m: x(m) < i(m),
               lambda m: x(m) <= 1.0, lambda m: 1 < x(m), lambda m: i(m) >= 0.5,
               lambda m: i(m) > True, lambda m: x(m) == None,  # noqa: E711
               lambda m: x(m) == "a", lambda m: m.eq(x(m), m.tensor(1.0)),
               lambda m: x(m).ne(i(m)), lambda m: x(m).greater_equal(0)):
        same_outcome(fn)


# --- gradient conventions at non-smooth points -------------------------------------------------


@pytest.mark.parametrize("case", [
    lambda m, x: m.abs(x), lambda m, x: m.relu(x), lambda m, x: m.sqrt(x.abs()),
    lambda m, x: x.abs() ** 0.5, lambda m, x: m.clamp(x, 0.0, 1.0),
    lambda m, x: m.clamp(x, min=0.0), lambda m, x: m.clamp_max(x, 1.0),
    lambda m, x: m.maximum(x, m.zeros_like(x)), lambda m, x: m.minimum(x, m.ones_like(x)),
    lambda m, x: m.fmax(x, m.zeros_like(x)), lambda m, x: m.fmin(x, m.zeros_like(x)),
    lambda m, x: m.sign(x), lambda m, x: m.sgn(x), lambda m, x: m.floor(x),
    lambda m, x: m.round(x, decimals=1), lambda m, x: m.copysign(x, -1.0),
    lambda m, x: m.xlogy(x, x.abs()), lambda m, x: m.hypot(x, m.zeros_like(x)),
    lambda m, x: x ** 0, lambda m, x: x ** 2, lambda m, x: x ** x.abs(),
    lambda m, x: x.abs() ** x, lambda m, x: 0 ** x, lambda m, x: m.pow(0.0, x.abs()),
    lambda m, x: m.remainder(x, 1.0), lambda m, x: m.fmod(x, 1.0),
    lambda m, x: m.nan_to_num(x / x), lambda m, x: m.logit(x + 0.0), lambda m, x: m.logit(x, 0.25),
    lambda m, x: m.where(x > 0, x, -x), lambda m, x: m.div(x, 2, rounding_mode="floor"),
    lambda m, x: m.erfinv(x), lambda m, x: m.acosh(x + 1), lambda m, x: m.rsqrt(x.abs()),
], ids=lambda c: str(c.__code__.co_firstlineno))
def test_gradients_at_non_smooth_points(case):
    def fn(m):
        x = m.tensor([-1.0, 0.0, 0.0, 1.0, 2.0, -0.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = case(m, x)
        if not y.requires_grad:
            return y, None
        (g,) = m.autograd.grad(y.sum(), x)
        return y, _dense(g)
    got, want = fn(numtorch), fn(torch)
    assert_same(got[0], want[0])
    if want[1] is not None:
        assert_same(got[1], want[1])


def test_maximum_minimum_ties_split_the_gradient():
    def fn(m):
        a = m.tensor([1.0, 2.0, 3.0, math.nan], requires_grad=True)
        b = m.tensor([1.0, 1.0, 4.0, 1.0], requires_grad=True)
        (m.maximum(a, b) * 1 + m.minimum(a, b) * 10).sum().backward()
        return a.grad, b.grad
    got = fn(numtorch)
    assert_same(got, fn(torch))
    assert got[0].tolist()[0] == 5.5  # half of 1 + half of 10


def test_floor_divide_and_scalar_remainder_have_no_derivative():
    x = numtorch.tensor([1.5, -2.0], requires_grad=True)
    z = x * 1
    z //= 2
    for y, op in ((x // 2, "floor_divide"), (numtorch.remainder(2.0, x), "remainder"),
                  (z, "floor_divide")):
        assert type(y.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match=f"derivative for aten::{op} is not implemented"):
            y.sum().backward()


def test_positive_returns_its_input():
    x = numtorch.ones(2, requires_grad=True)
    assert numtorch.positive(x) is x and +x is x
    with pytest.raises(RuntimeError, match=r"The `\+` operator, on a bool tensor"):
        +numtorch.tensor([True])


# --- gradcheck ----------------------------------------------------------------------------

GRADCHECK = {
    "add": (lambda a, b: numtorch.add(a, b, alpha=-1.5), "real", "real"),
    "sub": (lambda a, b: a - b, "real", "real"),
    "rsub": (lambda a, b: numtorch.rsub(a, b, alpha=2), "real", "real"),
    "mul": (lambda a, b: a * b, "real", "real"),
    "div": (lambda a, b: a / b, "real", "nonzero"),
    "remainder": (lambda a, b: numtorch.remainder(a, b), "real", "nonzero"),
    "fmod": (lambda a, b: numtorch.fmod(a, b), "real", "nonzero"),
    "pow": (lambda a, b: a ** b, "pos", "real"),
    "pow_scalar": (lambda a, b: a ** 3 + b ** -0.5, "real", "pos"),
    "rpow": (lambda a, b: 2.5 ** a + b, "real", "real"),
    "float_power": (lambda a, b: numtorch.float_power(a, b), "pos", "real"),
    "atan2": (lambda a, b: numtorch.atan2(a, b), "real", "real"),
    "maximum": (lambda a, b: numtorch.maximum(a, b), "real", "real"),
    "minimum": (lambda a, b: numtorch.minimum(a, b), "real", "real"),
    "fmax": (lambda a, b: numtorch.fmax(a, b), "real", "real"),
    "fmin": (lambda a, b: numtorch.fmin(a, b), "real", "real"),
    "hypot": (lambda a, b: numtorch.hypot(a, b), "nonzero", "real"),
    "copysign": (lambda a, b: numtorch.copysign(a, b), "nonzero", "nonzero"),
    "xlogy": (lambda a, b: numtorch.xlogy(a, b), "real", "pos"),
    "where": (lambda a, b: numtorch.where(a > 0, a, b), "real", "real"),
    "clamp_tensor": (lambda a, b: numtorch.clamp(a, b - 1, b + 1), "real", "real"),
    "clamp_min": (lambda a, b: numtorch.clamp_min(a, b), "real", "real"),
    "clamp_max": (lambda a, b: numtorch.clamp_max(a, b), "real", "real"),
    "lerp": (lambda a, b: numtorch.lerp(a, b, 0.7), "real", "real"),
    "lerp_tensor": (lambda a, b: numtorch.lerp(a, b, b.sigmoid()), "real", "real"),
    "addcmul": (lambda a, b: numtorch.addcmul(a, a, b, value=0.5), "real", "real"),
    "addcdiv": (lambda a, b: numtorch.addcdiv(a, a, b, value=2), "real", "nonzero"),
}
GRADCHECK_UNARY = ["abs", "neg", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
                   "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos",
                   "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
                   "logit", "logit_eps", "relu", "erf", "erfc", "erfinv", "frac", "nan_to_num",
                   "clamp", "clamp_min", "clamp_max", "pow_half", "pow_neg", "pow_scalar_base",
                   "float_power", "float_power_base", "rdiv_scalar", "remainder_scalar",
                   "copysign_scalar", "xlogy_scalar_self", "xlogy_scalar_other",
                   "lerp_scalar_weight_high", "round_decimals", "sign",
                   "div_scalar_input"]
GRADGRAD = {"mul", "div", "pow", "atan2", "hypot", "xlogy", "where", "lerp_tensor", "addcdiv",
            "maximum", "exp", "log", "sigmoid", "tanh", "sin", "sqrt", "erf", "erfinv", "abs",
            "reciprocal", "logit", "acosh", "pow_scalar_base", "float_power", "relu", "clamp",
            "clamp_tensor", "fmax"}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck_binary(name):
    fn, da, db = GRADCHECK[name]
    rng = np.random.default_rng(4)
    a = numtorch.tensor(_sample(da, (2, 3), "float64", rng), requires_grad=True)
    b = numtorch.tensor(_sample(db, (3,), "float64", rng), requires_grad=True)
    assert gradcheck(fn, (a, b))
    if name in GRADGRAD:
        assert gradgradcheck(fn, (a, b))


@pytest.mark.parametrize("name", GRADCHECK_UNARY)
def test_gradcheck_unary(name):
    fn, domain = UNARY[name]
    x = numtorch.tensor(_sample(domain, (2, 3), "float64", np.random.default_rng(5)),
                        requires_grad=True)
    assert gradcheck(lambda t: fn(numtorch, t), (x,))
    if name in GRADGRAD:
        assert gradgradcheck(lambda t: fn(numtorch, t), (x,))


# --- in-place forms ---------------------------------------------------------------------------

INPLACE = {
    "add_": (lambda x, y: x.add_(y), "real"),
    "add_alpha_": (lambda x, y: x.add_(y, alpha=-0.5), "real"),
    "add_scalar_": (lambda x, y: x.add_(2), "real"),
    "sub_": (lambda x, y: x.sub_(y, alpha=2), "real"),
    "subtract_": (lambda x, y: x.subtract_(y), "real"),
    "mul_": (lambda x, y: x.mul_(y), "real"),
    "mul_scalar_": (lambda x, y: x.mul_(0.9), "real"),
    "multiply_": (lambda x, y: x.multiply_(y), "real"),
    "div_": (lambda x, y: x.div_(y), "nonzero"),
    "div_floor_": (lambda x, y: x.div_(y, rounding_mode="floor"), "nonzero"),
    "divide_": (lambda x, y: x.divide_(y), "nonzero"),
    "true_divide_": (lambda x, y: x.true_divide_(y), "nonzero"),
    "addcmul_": (lambda x, y: x.addcmul_(y, y, value=0.1), "real"),
    "addcdiv_": (lambda x, y: x.addcdiv_(y, y.abs() + 1, value=-0.3), "real"),
    "lerp_low_": (lambda x, y: x.lerp_(y, 0.1), "real"),
    "lerp_high_": (lambda x, y: x.lerp_(y, 0.9), "real"),
    "lerp_tensor_": (lambda x, y: x.lerp_(y, y.abs() / 4), "real"),
    "sqrt_": (lambda x, y: x.sqrt_(), "real"),
    "clamp_": (lambda x, y: x.clamp_(-0.5, 0.5), "real"),
    "clamp_min_only_": (lambda x, y: x.clamp_(min=0.0), "real"),
    "clamp_tensor_": (lambda x, y: x.clamp_(min=y), "real"),
    "clip_": (lambda x, y: x.clip_(max=0.3), "real"),
    "clamp_min_": (lambda x, y: x.clamp_min_(0.1), "real"),
    "clamp_max_": (lambda x, y: x.clamp_max_(y), "real"),
    "pow_": (lambda x, y: x.pow_(2), "real"),
    "exp_": (lambda x, y: x.exp_(), "real"),
    "sigmoid_": (lambda x, y: x.sigmoid_(), "real"),
    "tanh_": (lambda x, y: x.tanh_(), "real"),
    "relu_": (lambda x, y: x.relu_(), "real"),
    "neg_": (lambda x, y: x.neg_(), "real"),
    "abs_": (lambda x, y: x.abs_(), "real"),
    "floor_": (lambda x, y: x.floor_(), "real"),
    "round_": (lambda x, y: x.round_(decimals=1), "real"),
    "remainder_": (lambda x, y: x.remainder_(0.7), "real"),
    "fmod_": (lambda x, y: x.fmod_(y), "nonzero"),
    "atan2_": (lambda x, y: x.atan2_(y), "real"),
    "hypot_": (lambda x, y: x.hypot_(y), "real"),
    "copysign_": (lambda x, y: x.copysign_(y), "real"),
    "xlogy_": (lambda x, y: x.xlogy_(y.abs()), "real"),
    "nan_to_num_": (lambda x, y: x.nan_to_num_(), "real"),
    "erf_": (lambda x, y: x.erf_(), "real"),
    "square_": (lambda x, y: x.square_(), "real"),
    "iadd": (lambda x, y: x.__iadd__(y), "real"),
    "isub": (lambda x, y: x.__isub__(y), "real"),
    "imul": (lambda x, y: x.__imul__(y), "real"),
    "itruediv": (lambda x, y: x.__itruediv__(y), "nonzero"),
    "ipow": (lambda x, y: x.__ipow__(2), "real"),
    "ifloordiv": (lambda x, y: x.__ifloordiv__(y), "nonzero"),
    "imod": (lambda x, y: x.__imod__(y), "nonzero"),
    "eq_": (lambda x, y: x.eq_(y), "real"),
    "lt_": (lambda x, y: x.lt_(0), "real"),
    "logical_not_": (lambda x, y: x.logical_not_(), "real"),
}


@pytest.mark.parametrize("broadcast", [False, True])
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_untracked_values_and_version(name, broadcast):
    fn, domain = INPLACE[name]
    rng = np.random.default_rng(6)
    a = _sample("real", (3, 4), "float32", rng)
    b = _sample(domain, (4,) if broadcast else (3, 4), "float32", rng)

    def run(m):
        x, y = m.tensor(a), m.tensor(b)
        v = x._version
        r = fn(x, y)
        assert r is x
        assert x._version > v
        return r
    assert_same(run(numtorch), run(torch), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(set(INPLACE) - {"ifloordiv"}))
def test_inplace_on_a_non_leaf_is_differentiable(name):
    fn, domain = INPLACE[name]
    rng = np.random.default_rng(7)
    a = _sample("real", (3, 4), "float64", rng)
    b = _sample(domain, (3, 4), "float64", rng)

    def run(m):
        x = m.tensor(a, requires_grad=True)
        y = m.tensor(b, requires_grad=True)
        z = x * 1.5
        r = fn(z, y)
        if not r.requires_grad:
            return r, None, None, None
        (r * m.tensor(b)).sum().backward()
        return r, _node(r), x.grad, y.grad
    got, want = run(numtorch), run(torch)
    assert got[1] == want[1]
    for g, w in zip(got[:1] + got[2:], want[:1] + want[2:]):
        if w is None:
            assert g is None or not np.any(g.numpy())
        else:
            assert_same(g, w, rtol=1e-6)


@pytest.mark.parametrize("name", ["add_", "mul_", "div_", "addcmul_", "addcdiv_", "lerp_low_",
                                  "sqrt_", "clamp_", "exp_", "pow_"])
def test_inplace_on_a_leaf_requiring_grad_raises(name):
    fn, _ = INPLACE[name]
    x = numtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        fn(x, numtorch.ones(3))
    with numtorch.no_grad():  # allowed without grad mode (optimizers do this)
        fn(x, numtorch.ones(3))


def test_inplace_fast_paths_on_views_aliases_and_scalars():
    def run(m):
        base = m.arange(12.0).reshape(3, 4)
        col = base[:, 1]  # a non-contiguous view: writes must reach the base
        col.add_(m.ones(3), alpha=2)
        col.mul_(2)
        base.t().sub_(1.5)
        base.add_(base)  # aliasing operand
        base[0].addcmul_(base[1], base[2], value=0.01)
        base[1].addcdiv_(base[0], base[2] + 1, value=2)
        base[2].lerp_(base[0], 0.75)
        base.div_(m.tensor(3.0))
        base.clamp_(max=40)
        base.abs().sqrt_()
        h = m.ones(3, dtype=m.float16)
        h.add_(m.ones(3, dtype=m.float16), alpha=0.5)
        h.mul_(m.tensor([1.0, 2.0, 3.0]))  # other dtype: generic path
        return base, h
    assert_same(run(numtorch), run(torch), rtol=1e-6)


def test_inplace_errors():
    same_outcome(lambda m: m.tensor([1, 2]).clamp_(0.5), messages=False)  # 'long int'
    for fn in (lambda m: m.tensor([1, 2]).div_(2), lambda m: m.tensor([1, 2]).add_(1.5),
               lambda m: m.tensor([True]).add_(1),
               lambda m: m.tensor([1, 2]).sqrt_(), lambda m: m.tensor([1, 2]).sigmoid_(),
               lambda m: m.ones(3).mul_(m.ones(2, 3)), lambda m: m.ones(3).add_(m.ones(2, 3)),
               lambda m: m.ones(3).addcmul_(m.ones(2, 3), m.ones(3)),
               lambda m: m.ones(3).clamp_(m.zeros(2, 3)), lambda m: m.ones(3).float_power_(2),
               lambda m: m.ones(3).double().float_power_(2), lambda m: m.tensor([True]).mul_(True),
               lambda m: m.ones(2).eq_(m.ones(2)), lambda m: m.tensor([1, 2]).logical_and_(
                   m.tensor([True, False])), lambda m: m.ones(3).lerp_(m.ones(3).double(), 0.5)):
        same_outcome(fn)


def test_inplace_of_saved_tensor_is_detected():
    x = numtorch.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)  # exp saved its output
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = x * 2
    w = z / 3  # div by a number saves nothing of z
    z.add_(1)
    w.sum().backward()
    assert x.grad.tolist() == pytest.approx([2 / 3] * 3)


# --- out= -------------------------------------------------------------------------------------


def test_out_argument():
    def run(m):
        t = m.tensor([[1.0, 2.0], [3.0, 4.0]])
        z3 = m.empty(2, 2)
        r = m.mul(t, t, out=z3)  # as in the tutorial
        assert r is z3
        outs = [z3]
        for fn in (lambda o: m.add(t, 1, alpha=2, out=o), lambda o: m.exp(t, out=o),
                   lambda o: m.div(t, 3, rounding_mode="floor", out=o),
                   lambda o: m.clamp(t, 1.5, 3, out=o), lambda o: m.where(t > 2, t, t * 0, out=o),
                   lambda o: m.lerp(t, t * 2, 0.5, out=o), lambda o: m.atan2(t, t, out=o),
                   lambda o: m.pow(t, 2, out=o), lambda o: m.sigmoid(t, out=o),
                   lambda o: m.round(t / 3, decimals=1, out=o), lambda o: m.eq(t, 2, out=o),
                   lambda o: m.nan_to_num(t, out=o), lambda o: m.addcdiv(t, t, t, out=o)):
            o = m.empty(2, 2)
            fn(o)
            outs.append(o)
        i = m.empty(2, 2, dtype=m.int64)
        m.add(t.long(), 1, out=i)
        d = m.empty(0, dtype=m.float64)
        m.mul(t, 2, out=d)  # resized, cast to the out dtype
        return outs + [i, d]
    assert_same(run(numtorch), run(torch))


def test_out_errors():
    for fn in (lambda m: m.exp(m.ones(2), out=m.empty(2, dtype=m.int64)),
               lambda m: m.float_power(m.ones(2), 2, out=m.empty(2)),
               lambda m: m.exp(m.ones(2, requires_grad=True), out=m.empty(2))):
        same_outcome(fn)
    with pytest.raises(TypeError, match=r"add\(\): argument 'out' must be Tensor, not list"):
        numtorch.add(numtorch.ones(2), 1, out=[1])


# --- operators and methods --------------------------------------------------------------------


def test_python_operators_match_pytorch():
    def run(m):
        x = m.tensor([1.5, -2.0, 0.5], requires_grad=True)
        i = m.tensor([3, -4, 5])
        b = m.tensor([True, False, True])
        outs = [x + 1, 1 + x, x - 1, 2 - x, x * 3, 3 * x, x / 2, 2 / x, x ** 2, 2 ** x, x ** x,
                -x, +x, abs(x), x // 1, 7 // x, x % 0.7, 2 % x, i // 2, 7 // i, i % 3, 7 % i,
                i / i, 2 / i, i ** 2, 2 ** i, ~i, ~b, i & 6, 6 & i, i | 1, 1 | i, i ^ 2, 2 ^ i,
                b & b, b | b, b ^ b, i << 2, 2 << i.abs(), i >> 1, 64 >> i.abs(), abs(i), -i,
                x + i, i * 2.5, x @ x]
        names = [_node(o) for o in outs]
        return outs, names
    got, want = run(numtorch), run(torch)
    assert got[1] == want[1]
    assert_same(got[0], want[0])


def test_augmented_assignment_operators():
    def run(m):
        x = m.tensor([1.5, -2.0, 0.5])
        i = m.tensor([7, -8, 9])
        b = m.tensor([True, False, True])
        x += 1
        x -= m.tensor([0.5, 0.5, 0.5])
        x *= 2
        x /= 4
        x **= 2
        x //= 0.3
        x %= 0.7
        i //= 2
        i %= 3
        i &= 3
        i |= 4
        i ^= 1
        i <<= 2
        i >>= 1
        b &= m.tensor([True, True, False])
        b |= m.tensor([False, True, False])
        b ^= m.tensor([True, True, True])
        return x, i, b
    assert_same(run(numtorch), run(torch))


def test_methods_are_bound():
    x = numtorch.tensor([0.25, -0.5])
    for name in ("add", "mul", "sigmoid", "arctan2", "clamp_min", "float_power", "nan_to_num",
                 "bitwise_left_shift", "isclose", "logical_xor", "fix", "erfinv", "absolute"):
        assert callable(getattr(x, name)), name
    for name in ("add_", "sub_", "mul_", "div_", "addcmul_", "addcdiv_", "lerp_", "sqrt_",
                 "clamp_", "clip_", "exp_", "sigmoid_", "logit_", "bitwise_and_", "eq_",
                 "floor_divide_", "remainder_", "arctan2_", "float_power_", "square_"):
        assert callable(getattr(x, name)), name
    assert x.where(x > 0, 0.0).tolist() == [0.25, 0.0]
    assert x.clamp(min=0).tolist() == [0.25, 0.0]
    assert x.pow(2).tolist() == [0.0625, 0.25]


def test_error_messages():
    x = numtorch.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"div expected rounding_mode to be one of None, "
                                           r"'trunc', or 'floor' but found 'foo'"):
        numtorch.div(x, x, rounding_mode="foo")
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        numtorch.tensor([1, 2]) ** -1
    with pytest.raises(NotImplementedError, match="\"hypot_cpu\" not implemented for 'Long'"):
        numtorch.hypot(numtorch.tensor([1]), numtorch.tensor([1]))
    with pytest.raises(NotImplementedError, match="\"frac_cpu\" not implemented for 'Int'"):
        numtorch.frac(numtorch.tensor([1], dtype=numtorch.int32))
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        numtorch.relu(numtorch.tensor([True]))
    with pytest.raises(RuntimeError, match="numtorch.clamp: At least one of 'min' or 'max' must "
                                           "not be None"):
        numtorch.clamp(x)
    with pytest.raises(RuntimeError, match="Float did not match Long"):
        numtorch.isclose(x, numtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r"expected dtype float for `end` but got dtype long"):
        numtorch.lerp(x, numtorch.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer "
                                           "supported"):
        numtorch.addcdiv(x, numtorch.tensor([1]), numtorch.tensor([1]))
    with pytest.raises(RuntimeError, match="For integral input tensors, argument alpha must not "
                                           "be a floating point number."):
        numtorch.add(numtorch.tensor([1]), 1, alpha=0.5)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results."):
        numtorch.add(x, x, alpha=True)
    with pytest.raises(RuntimeError, match="the base given to float_power_ has dtype Float"):
        x.float_power_(2)
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool "
                                           "tensors is not supported"):
        numtorch.tensor([True]) - numtorch.tensor([True])
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -numtorch.tensor([True])


# --- regressions found by differential fuzzing ------------------------------------------


@pytest.mark.parametrize("op", ["remainder", "fmod", "floor_divide"])
def test_integer_division_by_zero_on_an_empty_broadcast_does_not_raise(op):
    a, b = np.zeros((0, 3), np.int32), np.array([1, 0, 2], np.int64)
    ref = getattr(torch, op)(torch.tensor(a), torch.tensor(b))
    assert_same(getattr(numtorch, op)(numtorch.tensor(a), numtorch.tensor(b)), ref)
    ref = getattr(torch, op)(torch.tensor(a), 0)
    assert_same(getattr(numtorch, op)(numtorch.tensor(a), 0), ref)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(numtorch, op)(numtorch.tensor([1, 2]), 0)


@pytest.mark.parametrize("dtype", ["float16", "float32", "int16"])
@pytest.mark.parametrize("v", [1e300, 1e-300, 70000.0])
def test_xlogy_rounds_a_python_number_to_the_result_dtype_first(dtype, v):
    x = np.array([1, 2, 0])
    t, n = torch.tensor(x).to(getattr(torch, dtype)), numtorch.tensor(x).to(getattr(numtorch, dtype))
    assert_same(numtorch.xlogy(n, v), torch.xlogy(t, v))
    assert_same(numtorch.xlogy(v, n), torch.xlogy(v, t))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["add", "sub", "rsub"])
@pytest.mark.parametrize("alpha", [0.3, -1.7, 2.5, 3])
def test_alpha_is_fused_into_one_rounding_as_torch(dtype, name, alpha):
    """PyTorch computes ``a + alpha * b`` as one fused multiply-add (alpha in the operands'
    precision): bit for bit, against a broadcast operand, a number, and in place."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((64, 32)).astype(dtype)
    b = rng.standard_normal((32,)).astype(dtype)
    for other in (b, 1.7):
        ours = getattr(numtorch, name)(numtorch.tensor(a), numtorch.tensor(other)
                                       if isinstance(other, np.ndarray) else other, alpha=alpha)
        theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(other)
                                      if isinstance(other, np.ndarray) else other, alpha=alpha)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    if name != "rsub":
        x, y = numtorch.tensor(a), torch.tensor(a)
        getattr(x, name + "_")(numtorch.tensor(b), alpha=alpha)
        getattr(y, name + "_")(torch.tensor(b), alpha=alpha)
        np.testing.assert_array_equal(x.numpy(), y.numpy())
