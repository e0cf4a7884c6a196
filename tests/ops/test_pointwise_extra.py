"""More pointwise ops against PyTorch: logaddexp, logaddexp2, deg2rad, rad2deg, sinc,
heaviside, gcd, lcm, ldexp, nextafter and frexp — values, result dtypes (every dtype
pair), gradients and grad_fn names, broadcasting, 0-d, empty and non-contiguous inputs,
``out=``, in-place forms and error messages.

Most checks run one call, written as ``fn(lib)``, with ``lib`` = numtorch and torch.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from tests.utils import assert_same, check_op, noncontig, torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
BINARY = ["logaddexp", "logaddexp2", "heaviside", "gcd", "lcm", "ldexp", "nextafter"]
UNARY = ["deg2rad", "rad2deg", "sinc", "frexp"]
DIFF_BINARY = ["logaddexp", "logaddexp2", "ldexp", "nextafter"]
DIFF_UNARY = ["deg2rad", "rad2deg", "sinc"]


def _outcome(fn, lib):
    """``fn(lib)``'s result, or its error as (type name, message with torch's name ours)."""
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - the outcome is what we compare
        return type(e).__name__, re.sub(r"\btorch\.", "numtorch.", str(e)).split("\n")[0]


def same(fn, rtol=1e-5, atol=1e-6):
    """``fn(numtorch)`` and ``fn(torch)`` give equal results or the same error."""
    got, want = _outcome(fn, numtorch), _outcome(fn, torch)
    if isinstance(want, tuple) and isinstance(want[0], str):
        assert got == want
    else:
        assert not (isinstance(got, tuple) and isinstance(got[0], str)), got
        assert_same(got, want, rtol, atol)
    return got, want


def _node(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _t(lib, a, dtype=None, grad=False):
    """A tensor of library ``lib`` holding NumPy array ``a``."""
    t = lib.tensor(a) if dtype is None else lib.tensor(a, dtype=getattr(lib, dtype))
    return t.requires_grad_(True) if grad else t


# --- values, dtypes and errors over every dtype pair ---------------------------------


_A = np.array([3.0, 0.0, 4.0])
_B = np.array([2.0, 1.0, 6.0])


# torch warns about resizing its own internal output for an integer 0-d ldexp input
@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
@pytest.mark.parametrize("name", BINARY)
def test_binary_dtype_promotion_and_kernel_errors_match_torch(name):
    """Every dtype pair, with 1-d/1-d, 0-d/1-d and 1-d/0-d operands: the same result
    dtype and values, or the same error (NotImplementedError for unsupported dtypes,
    heaviside's refusal of mixed dtypes)."""
    for da, db in itertools.product(DTYPES, DTYPES):
        for ia, ib in [(slice(None), slice(None)), (0, slice(None)), (slice(None), 0)]:
            def call(lib, da=da, db=db, ia=ia, ib=ib):
                return getattr(lib, name)(_t(lib, _A[ia], da), _t(lib, _B[ib], db))
            same(call, rtol=2e-3, atol=1e-5)


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("shape", [(2, 3), (), (0,), (0, 2)])
def test_unary_dtypes_and_shapes_match_torch(name, shape):
    rng = np.random.default_rng(1)
    a = rng.uniform(-4, 4, shape)
    for dt in DTYPES:
        same(lambda lib, dt=dt: getattr(lib, name)(_t(lib, a, dt)), rtol=2e-3, atol=1e-5)


# --- gradients: parity with torch ----------------------------------------------------

SHAPES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3,)), ((2, 3), ()), ((), ()),
          ((0, 3), (3,)), ((2, 0), (1, 0))]


@pytest.mark.parametrize("name", DIFF_BINARY)
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_values_and_gradients_match_torch(name, shapes, dtype):
    rng = np.random.default_rng(2)
    a = np.asarray(rng.standard_normal(shapes[0]) * 3, dtype=dtype)
    b = np.asarray(rng.standard_normal(shapes[1]) * 3, dtype=dtype)
    check_op(getattr(numtorch, name), getattr(torch, name), a, b)


@pytest.mark.parametrize("name", DIFF_UNARY)
@pytest.mark.parametrize("shape", [(3, 4), (), (0,), (2, 0, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_values_and_gradients_match_torch(name, shape, dtype):
    a = np.asarray(np.random.default_rng(3).standard_normal(shape) * 2, dtype=dtype)
    check_op(getattr(numtorch, name), getattr(torch, name), a)


def test_frexp_values_and_mantissa_gradient_match_torch():
    for shape in [(3, 4), (), (0, 2)]:
        for dtype in ["float32", "float64"]:
            a = np.asarray(np.random.default_rng(4).standard_normal(shape) * 50, dtype=dtype)
            check_op(numtorch.frexp, torch.frexp, a)


def test_mixed_int_and_float_operands_give_gradients_to_the_float_one():
    rng = np.random.default_rng(5)
    f = rng.standard_normal((2, 3)).astype(np.float32)
    i = rng.integers(0, 5, (3,))
    for name in ["logaddexp", "logaddexp2", "nextafter"]:
        check_op(getattr(numtorch, name), getattr(torch, name), f, i)
        check_op(getattr(numtorch, name), getattr(torch, name), i, f)
    check_op(numtorch.ldexp, torch.ldexp, i, f)  # x * pow(2., e): e's gradient only
    check_op(numtorch.ldexp, torch.ldexp, f, i)  # float x, integer e: exact ldexp


def _nt_noncontig(a):
    return numtorch.from_numpy(noncontig(a)).requires_grad_(True)


@pytest.mark.parametrize("name", DIFF_BINARY + DIFF_UNARY + ["frexp"])
def test_non_contiguous_inputs_match_torch(name):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((3, 4)) for _ in range(1 if name in UNARY else 2)]
    nt_in = [_nt_noncontig(a) for a in arrays]
    assert not nt_in[0]._data.flags.c_contiguous
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, want = getattr(numtorch, name)(*nt_in), getattr(torch, name)(*t_in)
    assert_same(got, want)
    got, want = (got[0], want[0]) if name == "frexp" else (got, want)
    g = rng.standard_normal((3, 4))
    assert_same(numtorch.autograd.grad(got, nt_in, numtorch.tensor(g)),
                torch.autograd.grad(want, t_in, torch.tensor(g)))


@pytest.mark.parametrize("name", DIFF_BINARY + DIFF_UNARY + ["frexp", "heaviside"])
def test_grad_fn_names_match_torch(name):
    def call(lib):
        x = lib.tensor([0.5, -1.5], requires_grad=True)
        out = getattr(lib, name)(x) if name in UNARY else getattr(lib, name)(x, x.detach())
        return out[0] if name == "frexp" else out
    assert _node(call(numtorch)) == _node(call(torch))


def test_frexp_exponent_is_int32_and_not_differentiable():
    m, e = numtorch.frexp(numtorch.tensor([3.0, -0.25], requires_grad=True))
    assert e.dtype == numtorch.int32 and not e.requires_grad and e.grad_fn is None
    assert m.requires_grad


@pytest.mark.parametrize("name", DIFF_BINARY + DIFF_UNARY + ["frexp"])
def test_float64_gradcheck(name):
    rng = np.random.default_rng(7)
    a = numtorch.tensor(rng.uniform(-3, 3, (3, 4)), requires_grad=True)
    if name in UNARY:
        fn = (lambda x: numtorch.frexp(x)[0]) if name == "frexp" else getattr(numtorch, name)
        assert gradcheck(fn, (a,))
        return
    b = numtorch.tensor(rng.uniform(-3, 3, (4,)), requires_grad=True)
    if name == "nextafter":  # keep ``other`` away from ``input``: a step, not a slope
        b = (b + 10.0).detach().requires_grad_(True)
    assert gradcheck(getattr(numtorch, name), (a, b))


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2", "ldexp", "sinc", "deg2rad"])
def test_float64_gradgradcheck(name):
    rng = np.random.default_rng(8)
    a = numtorch.tensor(rng.uniform(-3, 3, (2, 3)), requires_grad=True)
    if name in UNARY:
        assert gradgradcheck(getattr(numtorch, name), (a,))
    else:
        b = numtorch.tensor(rng.uniform(-3, 3, (3,)), requires_grad=True)
        assert gradgradcheck(getattr(numtorch, name), (a, b))


def test_ldexp_integer_exponent_gradcheck():
    x = numtorch.tensor(np.random.default_rng(9).uniform(-3, 3, (2, 3)), requires_grad=True)
    e = numtorch.tensor([[1, -2, 3], [0, 5, -1]])
    assert gradcheck(lambda x: numtorch.ldexp(x, e), (x,))


# --- edge values -------------------------------------------------------------------


def test_logaddexp_infinities_and_nan_match_torch():
    inf, nan = float("inf"), float("nan")
    a = np.array([inf, -inf, inf, -inf, nan, 1e30, -1e30, 88.0], dtype=np.float32)
    b = np.array([inf, -inf, -inf, inf, 1.0, 1e30, 5.0, 89.0], dtype=np.float32)
    for name in ["logaddexp", "logaddexp2"]:
        check_op(getattr(numtorch, name), getattr(torch, name), a, b)


def test_sinc_is_one_at_zero_with_zero_gradient_as_torch():
    a = np.array([0.0, -0.0, 1e-30, 1e-20, 1e-3, 0.5, 1.0, 2.0, np.inf, np.nan], np.float32)
    check_op(numtorch.sinc, torch.sinc, a)
    check_op(numtorch.sinc, torch.sinc, a.astype(np.float64))


def test_half_precision_values_match_torch():
    rng = np.random.default_rng(10)
    h = (rng.standard_normal(500) * 100).astype(np.float16)
    h2 = (rng.standard_normal(500) * 8).astype(np.float16)
    for name in ["deg2rad", "rad2deg", "sinc"]:
        same(lambda lib, name=name: getattr(lib, name)(_t(lib, h)), rtol=1e-3, atol=1e-3)
    for name in ["logaddexp", "logaddexp2", "nextafter", "ldexp", "heaviside"]:
        same(lambda lib, name=name: getattr(lib, name)(_t(lib, h2), _t(lib, h)),
             rtol=1e-3, atol=1e-3)


def test_frexp_special_values_match_torch():
    for dt in [np.float16, np.float32, np.float64]:
        info = np.finfo(dt)
        a = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, info.tiny / 4, info.max, -3.0], dt)
        check_op(numtorch.frexp, torch.frexp, a, grad=dt != np.float16)


def test_heaviside_at_zero_nan_and_for_integers_and_bool_match_torch():
    same(lambda lib: lib.heaviside(lib.tensor([-1.0, 0.0, -0.0, 2.0, float("nan")]),
                                   lib.tensor([0.5, 0.5, 0.3, 0.5, 0.5])))
    same(lambda lib: lib.heaviside(lib.tensor([[-3], [0], [5]]), lib.tensor([7, 8])))
    same(lambda lib: lib.heaviside(lib.tensor([True, False]), lib.tensor([False, True])))


def test_nextafter_steps_one_ulp_toward_other_as_torch():
    for dt in [np.float16, np.float32, np.float64]:
        a = np.array([1.0, 1.0, 0.0, -0.0, np.inf, 2.0, np.nan, 0.0, np.inf], dt)
        b = np.array([2.0, 0.0, 1.0, -1.0, 0.0, 2.0, 1.0, -0.0, np.inf], dt)
        check_op(numtorch.nextafter, torch.nextafter, a, b, rtol=0, atol=0,
                 grad=dt != np.float16)


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_gcd_and_lcm_on_every_pair_of_8_bit_values_match_torch(dtype):
    """Including the most negative value, whose absolute value wraps (PyTorch's answers
    there are not NumPy's) and lcm results that overflow."""
    info = np.iinfo(dtype)
    v = np.arange(info.min, info.max + 1).astype(dtype)
    a, b = np.repeat(v, v.size), np.tile(v, v.size)
    for name in ["gcd", "lcm"]:
        check_op(getattr(numtorch, name), getattr(torch, name), a, b, grad=False)


@pytest.mark.parametrize("dtype", ["int16", "int32", "int64"])
def test_gcd_and_lcm_on_random_wide_integers_match_torch(dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(11)
    a = rng.integers(info.min, info.max, 3000, endpoint=True, dtype=dtype)
    b = rng.integers(info.min, info.max, 3000, endpoint=True, dtype=dtype)
    a[:50], b[25:75] = 0, 0
    small = rng.integers(-1000, 1000, (2, 3000)).astype(dtype)  # lcm without overflow
    check_op(numtorch.lcm, torch.lcm, small[0], small[1], grad=False)
    # torch's lcm divides by a gcd of -1 (SIGFPE) when an int32/int64 operand is the
    # minimum, so only gcd meets it here.
    a[100:150] = info.min
    b[140:160] = info.min
    check_op(numtorch.gcd, torch.gcd, a, b, grad=False)


def test_ldexp_with_an_integer_exponent_scales_exactly_as_torch():
    """Float x, integer e: C's ldexp (no overflow of 2**e on the way; the exponent read
    as a 32-bit int, so 2**31 + 3 wraps to a large negative one)."""
    for dt in [np.float32, np.float64]:
        x = np.array([1e-30, 3.0, 5.0, 1e30, 1.5, 1.0, 1.0, 1.0], dt)
        e = np.array([200, -2, 127, -200, -149, 2**31 + 3, -1075, 2**32 - 1])
        check_op(numtorch.ldexp, torch.ldexp, x, e, grad=False)
        check_op(numtorch.ldexp, torch.ldexp, x, e.astype(np.int8), grad=False)


def test_ldexp_with_a_float_exponent_is_x_times_pow_two():
    x = np.array([1e-30, 3.0, 5.0, 1e30], np.float32)
    check_op(numtorch.ldexp, torch.ldexp, x, np.array([200.0, -2.5, 127.0, -200.0], np.float32))


def test_ldexp_integer_exponent_gradient_is_two_to_the_exponent():
    """PyTorch's gradient here is ``grad * pow(2, e)`` in integer arithmetic, so 0 for a
    negative exponent and wrapped for a large one (a PyTorch bug); numtorch gives the
    true derivative 2**e. Where PyTorch's is right (0 <= e < 63) they agree."""
    x = numtorch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    (g,) = numtorch.autograd.grad(numtorch.ldexp(x, numtorch.tensor([-2, 3, 62])).sum(), x)
    assert g.tolist() == [0.25, 8.0, 2.0**62]
    check_op(numtorch.ldexp, torch.ldexp, np.array([1.5, -2.0, 3.0]), np.array([0, 3, 62]))


# --- heaviside and autograd ----------------------------------------------------------


def test_heaviside_backward_raises_torchs_error():
    def call(lib):
        x = lib.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        out = lib.heaviside(x, lib.tensor([0.5]))
        assert out.requires_grad
        out.sum().backward()
    got, want = _outcome(call, numtorch), _outcome(call, torch)
    assert got == want == ("RuntimeError", "derivative for aten::heaviside is not implemented")


def test_nextafter_gradient_is_identity_in_input_and_zero_in_other_as_torch():
    def call(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 0.0], requires_grad=True)
        return lib.autograd.grad(lib.nextafter(a, b), [a, b], lib.tensor([2.0, 5.0]))
    same(call)


# --- out= ----------------------------------------------------------------------------


def test_out_writes_resizes_and_casts_as_torch():
    def call(name, x, y, out_dtype, out_shape):
        def run(lib):
            out = lib.empty(out_shape, dtype=getattr(lib, out_dtype))
            args = (_t(lib, x[0], x[1]),) + ((_t(lib, y[0], y[1]),) if y else ())
            r = getattr(lib, name)(*args, out=out)
            assert r is out
            return out
        return run
    f, i = ([1.0, 2.5], "float32"), ([3, 4], "int64")
    for name in DIFF_UNARY:
        same(call(name, i, None, "float64", (2,)))
        same(call(name, f, None, "float32", (0,)))
        same(call(name, f, None, "int64", (2,)))  # can't be cast
    for name in ["logaddexp", "logaddexp2", "nextafter", "heaviside"]:
        same(call(name, f, f, "float64", (2,)))
        same(call(name, f, f, "int64", (2,)))
    for out_dtype in ["float32", "int64", "bool", "int8"]:
        same(call("gcd", i, i, out_dtype, (2,)))
        same(call("lcm", i, i, out_dtype, (0,)))
        same(call("heaviside", i, i, out_dtype, (2,)))
    for x, y in [(i, i), (f, i), (f, f), (i, f)]:
        same(call("ldexp", x, y, "float32", (2,)))
        same(call("ldexp", x, y, "int64", (2,)))
        same(call("ldexp", x, y, "bool", (2,)))


@pytest.mark.parametrize("name", DIFF_BINARY + DIFF_UNARY)
def test_out_with_an_input_requiring_grad_raises_as_torch(name):
    def call(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        args = (x,) if name in UNARY else (x, lib.tensor([1.0, 3.0]))
        return getattr(lib, name)(*args, out=lib.empty(2))
    got, want = same(call)
    assert got[1].startswith(f"{name}(): functions with out=...")


def test_out_must_be_a_tensor():
    for name in ["logaddexp", "gcd", "heaviside", "ldexp", "sinc"]:
        def call(lib, name=name):
            x = lib.tensor([1, 2])
            args = (x,) if name in UNARY else (x, x)
            return getattr(lib, name)(*args, out=3)
        same(call)


def test_frexp_out_fills_the_pair_as_torch():
    def call(lib):
        m, e = lib.empty(0), lib.empty(0, dtype=lib.int32)
        r = lib.frexp(lib.tensor([3.0, 4.0, -0.1]), out=(m, e))
        assert r.mantissa is m and r.exponent is e
        return m, e
    same(call)
    same(lambda lib: lib.frexp(lib.tensor([3.0]), out=[lib.empty(1), lib.empty(1, dtype=lib.int32)]))


@pytest.mark.parametrize("out", [
    "lib.empty(1)", "(lib.empty(1),)", "(lib.empty(1), lib.empty(1))",
    "(lib.empty(1, dtype=lib.float64), lib.empty(1, dtype=lib.int32))",
    "(lib.empty(1), lib.empty(1, dtype=lib.int64))",
    "(lib.empty(1, dtype=lib.float16), lib.empty(1, dtype=lib.int16))",
])
def test_frexp_out_errors_match_torch(out):
    got, want = same(lambda lib: lib.frexp(lib.tensor([3.0]), out=eval(out)))
    assert isinstance(want[0], str)


def test_frexp_out_refuses_inputs_requiring_grad():
    same(lambda lib: lib.frexp(lib.tensor([3.0], requires_grad=True),
                               out=(lib.empty(1), lib.empty(1, dtype=lib.int32))))


# --- in-place forms --------------------------------------------------------------------

INPLACE = ["deg2rad", "rad2deg", "sinc", "heaviside", "gcd", "lcm", "ldexp", "nextafter"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_match_torch(name):
    ints = name in ("gcd", "lcm")

    def call(lib, contiguous=True):
        a = np.array([[12, 0, -6], [8, 3, 1]]) if ints else np.array([[1.5, 0, -2], [0.25, 3, 1]])
        x = lib.tensor(a)
        if not contiguous:
            x = x.t()
        other = lib.tensor([4, 6]) if not contiguous else lib.tensor([4, 6, 9])
        if not ints:
            other = other.float()
        r = getattr(x, name + "_")() if name in UNARY else getattr(x, name + "_")(other)
        assert r is x
        return x
    same(call)
    same(lambda lib: call(lib, contiguous=False))


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_track_gradients_as_torch(name):
    if name in ("gcd", "lcm", "heaviside"):
        return
    def call(lib):
        a = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = a * 1.0
        other = lib.tensor([1.0, 3.0, -2.0])
        r = getattr(y, name + "_")() if name in UNARY else getattr(y, name + "_")(other)
        return r, _node(r), lib.autograd.grad(r.sum(), a)
    got, want = same(call)


@pytest.mark.parametrize("call", [
    "lib.tensor([3]).deg2rad_()", "lib.tensor([3]).rad2deg_()", "lib.tensor([3]).sinc_()",
    "lib.tensor([3]).ldexp_(lib.tensor([1]))", "lib.tensor([3]).ldexp_(lib.tensor([1.]))",
    "lib.tensor([3.]).ldexp_(lib.tensor([True]))",
    "lib.tensor([3.]).heaviside_(lib.tensor([1.], dtype=lib.float64))",
    "lib.tensor([3.]).gcd_(lib.tensor([1.]))", "lib.tensor([3]).gcd_(lib.tensor([True]))",
    "lib.tensor([3]).nextafter_(lib.tensor([1]))",
    "lib.tensor([[3.]]).ldexp_(lib.tensor([1., 2.]))",
    "lib.tensor([3.]).nextafter_(lib.tensor([1., 2.]))",
    "lib.tensor([3.], requires_grad=True).sinc_()",
    "lib.tensor([3.]).ldexp_(lib.tensor([1.], dtype=lib.float64))",
    "lib.tensor([3], dtype=lib.int16).lcm_(lib.tensor([4]))",
])
def test_inplace_results_and_errors_match_torch(call):
    same(lambda lib: eval(call))


def test_no_inplace_forms_where_torch_has_none():
    for name in ["logaddexp", "logaddexp2", "frexp"]:
        assert not hasattr(torch.Tensor, name + "_")
        assert not hasattr(numtorch.Tensor, name + "_")
    for name in INPLACE:
        assert hasattr(torch.Tensor, name + "_") and hasattr(numtorch.Tensor, name + "_")


# --- argument errors -----------------------------------------------------------------


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("args", ["(x, 2.0)", "(x, 2)", "(2.0, x)", "(x, [1.0])", "(x, None)"])
def test_non_tensor_operands_raise_torchs_type_error(name, args):
    got, want = same(lambda lib: getattr(lib, name)(*eval(args, {"x": lib.tensor([1, 2])})))
    assert got[0] == "TypeError"


@pytest.mark.parametrize("name", BINARY)
def test_broadcast_mismatch_raises_torchs_error(name):
    got, want = same(lambda lib: getattr(lib, name)(lib.ones(2, 3, dtype=lib.int64),
                                                    lib.ones(4, dtype=lib.int64)
                                                    if name != "ldexp" else lib.ones(4)))
    assert re.match(r"The size of tensor a \(3\) must match", got[1])


def test_methods_match_functions():
    x, y = numtorch.tensor([1.5, -2.0]), numtorch.tensor([0.5, 3.0])
    i, j = numtorch.tensor([4, 6]), numtorch.tensor([6, 9])
    for name in ["logaddexp", "logaddexp2", "heaviside", "ldexp", "nextafter"]:
        assert getattr(x, name)(y).tolist() == getattr(numtorch, name)(x, y).tolist()
    for name in ["gcd", "lcm"]:
        assert getattr(i, name)(j).tolist() == getattr(numtorch, name)(i, j).tolist()
    for name in DIFF_UNARY:
        assert getattr(x, name)().tolist() == getattr(numtorch, name)(x).tolist()
    assert repr(x.frexp()) == repr(numtorch.frexp(x))


def test_frexp_is_a_named_tuple_printed_as_torch():
    def call(lib):
        r = lib.frexp(lib.tensor([3.0, -0.5]))
        assert r.mantissa is r[0] and r.exponent is r[1]
        return re.sub(r"\btorch\.", "numtorch.", repr(r))
    assert call(numtorch) == call(torch)


def test_frexp_of_integers_raises_torchs_error():
    for dt in ["int64", "bool", "uint8"]:
        got, want = same(lambda lib, dt=dt: lib.frexp(lib.tensor([3], dtype=getattr(lib, dt))))
        assert got == ("RuntimeError", "numtorch.frexp() only supports floating-point dtypes")


def test_errors_leave_nothing_half_done():
    x = numtorch.tensor([3.0, 4.0])
    with pytest.raises(RuntimeError, match="ldexp can't be cast to the desired output type Long"):
        numtorch.ldexp(x, numtorch.tensor([1]), out=numtorch.zeros(2, dtype=numtorch.int64))
    i = numtorch.tensor([3, 4])
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        i.sinc_()
    assert i.tolist() == [3, 4] and i._version == 0
    with pytest.raises(NotImplementedError, match="\"gcd_cpu\" not implemented for 'Float'"):
        numtorch.gcd(i, x)
    with pytest.raises(RuntimeError, match="heaviside is not yet implemented for tensors with "
                       "different dtypes"):
        numtorch.heaviside(x, i)
    with pytest.raises(NotImplementedError, match="\"ldexp_cpu_exp\" not implemented for "
                       "'Bool'"):
        numtorch.ldexp(x, numtorch.tensor([True, False]))
    with pytest.raises(NotImplementedError, match="\"nextafter_cpu\" not implemented for "
                       "'Long'"):
        numtorch.nextafter(i, i)
    with pytest.raises(NotImplementedError, match="\"logaddexp_cpu\" not implemented for "
                       "'Bool'"):
        numtorch.logaddexp(numtorch.tensor([True]), numtorch.tensor([False]))
