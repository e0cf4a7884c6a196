"""diff, bincount, quantile/nanquantile, cov/corrcoef, histc, logcumsumexp, dist and
Tensor.sum_to_size (numtorch/ops/reduce.py) against PyTorch."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck
from tests.utils import assert_same, check_op, noncontig, torch


def _rand(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return np.asarray(rng.integers(0, 6, shape), dtype)
    if np.dtype(dtype) == np.bool_:
        return np.asarray(rng.integers(0, 2, shape), bool)
    return np.asarray(rng.standard_normal(shape), dtype)


def _same_error(nt_call, t_call, exc):
    """numtorch and torch raise ``exc`` with the same message (first line)."""
    with pytest.raises(exc) as ref:
        t_call(torch)
    message = str(ref.value).split("\n")[0].replace("torch.", "numtorch.")
    with pytest.raises(exc, match="^" + re.escape(message)):
        nt_call(numtorch)


def _check_noncontig(fn, arr, **kw):
    """fn on a non-contiguous numtorch view equals fn on torch (values and gradient)."""
    x = numtorch.from_numpy(noncontig(arr)).requires_grad_(arr.dtype.kind == "f")
    y = torch.tensor(arr, requires_grad=arr.dtype.kind == "f")
    out, ref = fn(numtorch, x), fn(torch, y)
    assert_same(out, ref, **kw)
    if ref.requires_grad:
        g = np.random.default_rng(1).standard_normal(tuple(ref.shape))
        (gx,) = numtorch.autograd.grad(out, x, numtorch.tensor(g, dtype=out.dtype))
        (gy,) = torch.autograd.grad(ref, y, torch.tensor(g, dtype=ref.dtype))
        assert_same(gx, gy, **kw)


# --- diff --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,n,dim", [((6,), 1, -1), ((6,), 2, 0), ((6,), 0, 0), ((3,), 5, 0),
                                         ((3, 5), 1, 0), ((3, 5), 3, 1), ((0,), 1, 0),
                                         ((3, 0), 1, 1), ((2, 3, 4), 2, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8, np.bool_])
def test_diff_matches_torch(shape, n, dim, dtype):
    out = check_op(numtorch.diff, torch.diff, _rand(shape, dtype), n=n, dim=dim)
    if dtype == np.float32 and n == 0:
        assert out.grad_fn.name() == "CopyBackwards"
    elif dtype == np.float32 and shape == (6,):
        assert out.grad_fn.name() == "SubBackward0"


def test_diff_prepend_append_promote_and_get_gradients():
    x, pre, app = _rand((2, 4)), _rand((2, 1), seed=1), _rand((2, 3), seed=2)
    check_op(lambda a, p, q: numtorch.diff(a, 2, 1, p, q), lambda a, p, q: torch.diff(a, 2, 1, p, q),
             x, pre, app)
    check_op(lambda a, p: numtorch.diff(a, prepend=p), lambda a, p: torch.diff(a, prepend=p),
             x.astype(np.float32), _rand((2, 2), np.int64))
    check_op(lambda a, p: numtorch.diff(a, dim=0, append=p),
             lambda a, p: torch.diff(a, dim=0, append=p), _rand((2, 3), np.bool_),
             _rand((1, 3)))


def test_diff_noncontiguous_out_and_method():
    _check_noncontig(lambda lib, x: lib.diff(x, 2, 0), _rand((5, 3)))
    x = numtorch.tensor([1.0, 4.0, 9.0])
    out = numtorch.empty(0)
    assert numtorch.diff(x, out=out) is out and out.tolist() == [3.0, 5.0]
    assert x.diff().tolist() == [3.0, 5.0]


def test_diff_gradcheck():
    x = numtorch.tensor(_rand((3, 5)), requires_grad=True)
    p = numtorch.tensor(_rand((3, 1), seed=1), requires_grad=True)
    assert gradcheck(lambda a, b: numtorch.diff(a, 2, 1, prepend=b), (x, p))


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.diff(m.tensor(1.0)), RuntimeError),
    (lambda m: m.diff(m.ones(3), n=-1), RuntimeError),
    (lambda m: m.diff(m.ones(3), n=1.5), TypeError),
    (lambda m: m.diff(m.ones(2, 3), dim=2), IndexError),
    (lambda m: m.diff(m.ones(3), prepend=1.0), TypeError),
    (lambda m: m.diff(m.ones(2, 3), prepend=m.ones(3)), RuntimeError),
    (lambda m: m.diff(m.ones(2, 3), prepend=m.ones(3, 1)), RuntimeError),
    (lambda m: m.diff(m.ones(2, 3, requires_grad=True), out=m.empty(0)), RuntimeError),
])
def test_diff_errors(call, exc):
    _same_error(call, call, exc)


# --- bincount -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8])
@pytest.mark.parametrize("minlength", [0, 9])
def test_bincount_counts(dtype, minlength):
    check_op(numtorch.bincount, torch.bincount, _rand((20,), dtype), minlength=minlength)
    check_op(numtorch.bincount, torch.bincount, np.zeros(0, dtype), minlength=minlength)


@pytest.mark.parametrize("wdtype", [np.float32, np.float64, np.float16, np.int64, np.int32,
                                    np.bool_])
def test_bincount_weight_dtypes(wdtype):
    x = _rand((12,), np.int64)
    check_op(numtorch.bincount, torch.bincount, x, _rand((12,), wdtype, seed=3), grad=False,
             rtol=1e-3)
    check_op(numtorch.bincount, torch.bincount, np.zeros(0, np.int64), np.zeros(0, wdtype),
             grad=False, minlength=3)


def test_bincount_noncontiguous_method_and_no_derivative():
    x = numtorch.from_numpy(noncontig(np.array([1, 3, 3, 0])))
    assert x.bincount().tolist() == torch.tensor([1, 3, 3, 0]).bincount().tolist()
    w = numtorch.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
    out = numtorch.bincount(numtorch.tensor([1, 4, 1, 0]), w)
    assert out.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::bincount is not implemented"):
        out.sum().backward()


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.bincount(m.tensor([1, 2]), minlength=-1), RuntimeError),
    (lambda m: m.bincount(m.tensor([1, 2]), minlength=2.0), TypeError),
    (lambda m: m.bincount(m.tensor([-1, 2])), RuntimeError),
    (lambda m: m.bincount(m.tensor([[1, 2]])), RuntimeError),
    (lambda m: m.bincount(m.tensor(3)), RuntimeError),
    (lambda m: m.bincount(m.tensor([1.0, 2.0])), NotImplementedError),
    (lambda m: m.bincount(m.tensor([True])), NotImplementedError),
    (lambda m: m.bincount(m.tensor([1, 2]), m.tensor([1.0])), RuntimeError),
    (lambda m: m.bincount(m.tensor([1, 2]), weights=[1.0, 2.0]), TypeError),
])
def test_bincount_errors(call, exc):
    _same_error(call, call, exc)


# --- quantile, nanquantile ------------------------------------------------------------------

MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,dim,keepdim", [((7,), None, False), ((3, 5), None, True),
                                               ((3, 5), 1, False), ((3, 5), 0, True),
                                               ((2, 3, 4), -2, False), ((), None, True),
                                               ((), 0, False), ((1,), 0, False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantile_matches_torch(name, mode, shape, dim, keepdim, dtype):
    x = _rand(shape, dtype)
    q = np.array([0.0, 0.25, 0.3, 0.5, 0.9, 1.0], dtype)
    kw = {"dim": dim, "keepdim": keepdim, "interpolation": mode}
    out = check_op(getattr(numtorch, name), getattr(torch, name), x, q, **kw)
    check_op(getattr(numtorch, name), getattr(torch, name), x, 0.3, **kw)
    check_op(getattr(numtorch, name), getattr(torch, name), x, np.array(0.7, dtype), **kw)
    assert out.grad_fn.name() == "SqueezeBackward4"


@pytest.mark.parametrize("mode", MODES)
def test_quantile_nans(mode):
    x = _rand((4, 6))
    x[1, 2] = x[3, :] = math.nan
    q = np.array([0.2, 0.5, 1.0])
    for fn in ("quantile", "nanquantile"):
        check_op(getattr(numtorch, fn), getattr(torch, fn), x, q, dim=1, interpolation=mode)
        check_op(getattr(numtorch, fn), getattr(torch, fn), x, 0.4, interpolation=mode,
                 grad=False)


def test_quantile_rounding_of_ranks_in_float32():
    x = np.arange(7, dtype=np.float32)
    q = np.array([0.0833333, 0.25, 0.55, 1 / 12], dtype=np.float32)
    for mode in MODES:
        check_op(numtorch.quantile, torch.quantile, x, q, interpolation=mode, grad=False)


def test_quantile_empty_q_noncontiguous_out_and_methods():
    check_op(numtorch.quantile, torch.quantile, _rand((3, 4)), np.zeros(0), dim=1)
    _check_noncontig(lambda lib, x: lib.quantile(x, 0.4, dim=0), _rand((5, 3)))
    _check_noncontig(lambda lib, x: x.nanquantile(0.4, dim=1, keepdim=True), _rand((5, 3)))
    out = numtorch.empty(0)
    x = numtorch.tensor([1.0, 2.0, 3.0])
    assert numtorch.quantile(x, 0.5, out=out) is out and out.item() == 2.0


def test_quantile_gradcheck_input_and_q():
    x = numtorch.tensor(_rand((3, 5)), requires_grad=True)
    q = numtorch.tensor([0.2, 0.65], dtype=numtorch.float64, requires_grad=True)
    for mode in MODES:
        assert gradcheck(lambda a, m=mode: numtorch.quantile(a, q.detach(), 1, interpolation=m),
                         (x,))
    assert gradcheck(lambda a, b: numtorch.nanquantile(a, b, 0, True), (x, q))


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("call,exc", [
    (lambda f, m: f(m.ones(3), 1.3), RuntimeError),
    (lambda f, m: f(m.ones(3), -0.1), RuntimeError),
    (lambda f, m: f(m.ones(3), 2), RuntimeError),
    (lambda f, m: f(m.ones(3), m.tensor([0.5, 1.5])), RuntimeError),
    (lambda f, m: f(m.ones(3), m.tensor([[0.5]])), RuntimeError),
    (lambda f, m: f(m.ones(3), m.tensor([0.5], dtype=m.float64)), RuntimeError),
    (lambda f, m: f(m.tensor([1, 2]), 0.5), RuntimeError),
    (lambda f, m: f(m.ones(3, dtype=m.float16), 0.5), RuntimeError),
    (lambda f, m: f(m.empty(0, 3), 0.5, dim=1), RuntimeError),
    (lambda f, m: f(m.ones(3), 0.5, interpolation="cubic"), RuntimeError),
    (lambda f, m: f(m.ones(3), 0.5, dim=1), IndexError),
    (lambda f, m: f(m.ones(3), 0.5, dim=(0,)), TypeError),
    (lambda f, m: f(m.ones(3), [0.5]), TypeError),
    (lambda f, m: f(m.ones(3), 0.5, out=m.empty(0, dtype=m.float64)), RuntimeError),
])
def test_quantile_errors(name, call, exc):
    _same_error(lambda m: call(getattr(m, name), m), lambda m: call(getattr(m, name), m), exc)


# --- cov, corrcoef ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 6), (6,), (1, 4), (0, 3)])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_matches_torch(shape, correction):
    check_op(numtorch.cov, torch.cov, _rand(shape), correction=correction)
    check_op(numtorch.cov, torch.cov, _rand(shape, np.float32), correction=correction)


def test_cov_weights_dtypes_and_degenerate_cases():
    x = _rand((3, 5))
    fw = np.array([1, 2, 0, 3, 1])
    aw = np.array([0.5, 1.0, 2.0, 0.1, 0.7])
    check_op(lambda a, f: numtorch.cov(a, fweights=f), lambda a, f: torch.cov(a, fweights=f),
             x, fw)
    check_op(lambda a, w: numtorch.cov(a, aweights=w), lambda a, w: torch.cov(a, aweights=w),
             x.astype(np.float32), aw)  # float64 aweights promote; both get gradients
    check_op(lambda a, f, w: numtorch.cov(a, correction=2, fweights=f, aweights=w),
             lambda a, f, w: torch.cov(a, correction=2, fweights=f, aweights=w), x, fw, aw)
    check_op(numtorch.cov, torch.cov, _rand((2, 5), np.int64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for shape, corr in [((2, 3), 5), ((), 1), ((1,), 1), ((2, 0), 1), ((0,), 1)]:
            check_op(numtorch.cov, torch.cov, _rand(shape), correction=corr, grad=False)
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        numtorch.cov(numtorch.ones(2, 3), correction=3)


@pytest.mark.parametrize("shape", [(3, 6), (6,), (), (0, 3), (2, 0)])
def test_corrcoef_matches_torch(shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check_op(numtorch.corrcoef, torch.corrcoef, _rand(shape))
    if shape == (3, 6):
        assert out.grad_fn.name() == "ClampBackward1"
    check_op(numtorch.corrcoef, torch.corrcoef, np.array([[1, 1, 1], [3, 1, 3]]))


def test_cov_corrcoef_noncontiguous_methods_and_gradcheck():
    _check_noncontig(lambda lib, x: lib.cov(x), _rand((3, 4)))
    _check_noncontig(lambda lib, x: x.corrcoef(), _rand((3, 4)))
    x = numtorch.tensor(_rand((3, 5)), requires_grad=True)
    w = numtorch.tensor([0.5, 1.0, 2.0, 0.1, 0.7], dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda a, b: numtorch.cov(a, aweights=b), (x, w))
    assert gradcheck(numtorch.corrcoef, (x,))


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.cov(m.ones(2, 2, 2)), RuntimeError),
    (lambda m: m.corrcoef(m.ones(2, 2, 2)), RuntimeError),
    (lambda m: m.cov(m.tensor([[True, False]])), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), correction=1.5), TypeError),
    (lambda m: m.cov(m.ones(2, 4), fweights=[1, 2]), TypeError),
    (lambda m: m.cov(m.ones(2, 4), fweights=m.ones(4)), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), aweights=m.tensor([1, 2, 1, 3])), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), fweights=m.tensor([1, -2, 1, 3])), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), aweights=m.tensor([1.0, -2, 1, 3])), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), fweights=m.tensor([1, 2, 1])), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), aweights=m.ones(1, 4)), RuntimeError),
    (lambda m: m.cov(m.ones(2, 4), fweights=m.zeros(4, dtype=m.int64)), RuntimeError),
])
def test_cov_errors(call, exc):
    _same_error(call, call, exc)


# --- histc ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("bins,lo,hi", [(100, 0, 0), (7, 0, 0), (5, -1.0, 1.0), (4, 0.3, 0.3),
                                        (3, -0.5, 2), (10, 0, 1)])
def test_histc_matches_torch(dtype, bins, lo, hi):
    x = _rand((50,), dtype)
    x[:3] = [lo, hi, 0.25]  # values on the edges
    check_op(numtorch.histc, torch.histc, x, bins=bins, min=lo, max=hi)
    check_op(numtorch.histc, torch.histc, x.reshape(5, 10), bins, lo, hi)


def test_histc_edge_cases_noncontiguous_and_out():
    for arr in [np.array(3.0), np.zeros(0), np.array([2.0, 2.0]), np.arange(11.0),
                np.array([0.1, 0.2, 0.3, 0.7, 0.9, 1.0], np.float32),
                np.array([1.0, math.inf, 3.0, math.nan])]:
        check_op(numtorch.histc, torch.histc, arr, bins=4, min=0, max=5)
        if np.isfinite(arr).all():
            check_op(numtorch.histc, torch.histc, arr, bins=3)
    x = numtorch.from_numpy(noncontig(_rand((30,))))
    assert_same(x.histc(6), torch.tensor(x.numpy()).histc(6))
    xg = numtorch.tensor([1.0, 2.0], requires_grad=True)  # no gradient: out= is fine
    out = numtorch.empty(0)
    assert numtorch.histc(xg, 2, out=out) is out and out.tolist() == [1.0, 1.0]
    assert numtorch.histc(xg, 2).grad_fn is None


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.histc(m.ones(3), bins=0), RuntimeError),
    (lambda m: m.histc(m.tensor([1, 2]), bins=0, min=3, max=1), RuntimeError),
    (lambda m: m.histc(m.ones(3), bins=4.0), TypeError),
    (lambda m: m.histc(m.ones(3), bins=4, min=3, max=1), RuntimeError),
    (lambda m: m.histc(m.tensor([1, 2]), bins=4, min=3, max=1), RuntimeError),
    (lambda m: m.histc(m.tensor([1, 2]), bins=4), NotImplementedError),
    (lambda m: m.histc(m.ones(3), bins=4, min=0, max=math.inf), RuntimeError),
    (lambda m: m.histc(m.ones(3), bins=4, min=math.nan, max=1), RuntimeError),
    (lambda m: m.histc(m.tensor([1.0, math.inf]), bins=4), RuntimeError),
    (lambda m: m.histc(m.tensor([-math.inf]), bins=4), RuntimeError),
    (lambda m: m.histc(m.tensor([1e-7, math.inf]), bins=4, min=1.123456789, max=math.inf),
     RuntimeError),
])
def test_histc_errors(call, exc):
    _same_error(call, call, exc)


def test_histc_nan_range_error():
    # PyTorch prints this NaN as '-nan' (C++'s printing of its NaN's sign bit).
    with pytest.raises(RuntimeError, match=r"^numtorch.histc: range of \[nan, nan\] is not finite"):
        numtorch.histc(numtorch.tensor([1.0, math.nan]), bins=4)


# --- logcumsumexp ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape,dim", [((7,), 0), ((3, 5), 1), ((3, 5), -2), ((), 0),
                                       ((0, 3), 0), ((2, 3, 4), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logcumsumexp_matches_torch(shape, dim, dtype):
    out = check_op(numtorch.logcumsumexp, torch.logcumsumexp, np.asarray(_rand(shape, dtype) * 30), dim,
                   rtol=1e-5, atol=1e-5)
    if shape == (7,):
        assert out.grad_fn.name() == "LogcumsumexpBackward0"


def test_logcumsumexp_extremes_half_noncontiguous_out_and_gradcheck():
    inf = math.inf
    for arr in [[1.0, -inf, 2.0, -inf], [inf, 1.0, 2.0], [-1000.0, -1000.0, 500.0, 0.0],
                [1000.0, 1000.0, inf, 2.0], [math.nan, 1.0], [-inf, -inf, 3.0]]:
        check_op(numtorch.logcumsumexp, torch.logcumsumexp, np.array(arr), 0)
    check_op(numtorch.logcumsumexp, torch.logcumsumexp, np.array([1.0, 2, 3], np.float16), 0,
             rtol=1e-3)
    _check_noncontig(lambda lib, x: x.logcumsumexp(1), _rand((3, 4)))
    out = numtorch.empty(0)
    assert numtorch.logcumsumexp(numtorch.tensor([0.0, 0.0]), 0, out=out) is out
    x = numtorch.tensor(_rand((3, 4)), requires_grad=True)
    assert gradcheck(lambda a: numtorch.logcumsumexp(a, 1), (x,))
    assert numtorch.autograd.gradgradcheck(lambda a: numtorch.logcumsumexp(a, 0), (x,))


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.logcumsumexp(m.tensor([1, 2]), 0), NotImplementedError),
    (lambda m: m.logcumsumexp(m.tensor([True]), 0), NotImplementedError),
    (lambda m: m.logcumsumexp(m.ones(2, 3), 2), IndexError),
    (lambda m: m.logcumsumexp(m.ones(2, 3), (0,)), TypeError),
    (lambda m: m.logcumsumexp(m.ones(3, requires_grad=True), 0, out=m.empty(0)), RuntimeError),
])
def test_logcumsumexp_errors(call, exc):
    _same_error(call, call, exc)


# --- dist -----------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, 0, 1, 3, 0.5, math.inf, -math.inf, -1])
@pytest.mark.parametrize("sa,sb", [((2, 3), (2, 3)), ((1, 3), (2, 1)), ((), (4,)), ((), ())])
def test_dist_matches_torch(p, sa, sb):
    grad = p != 0  # (torch.autograd.grad fails on DistBackward0's undefined p=0 gradient)
    out = check_op(numtorch.dist, torch.dist, _rand(sa), _rand(sb, seed=1), p, grad=grad)
    assert not grad or out.grad_fn.name() == "DistBackward0"
    check_op(numtorch.dist, torch.dist, _rand(sa, np.float32), _rand(sb, np.float32, 1), p,
             grad=grad)


def test_dist_dtypes_ties_empty_noncontiguous_and_gradcheck():
    check_op(numtorch.dist, torch.dist, _rand((3,), np.int64), _rand((3,), np.float32))
    check_op(numtorch.dist, torch.dist, _rand((3,), np.float32), _rand((3,), np.float64))
    a = np.array([1.0, -2.0, 2.0])
    for p in [2, 3, 0.5, math.inf]:
        check_op(numtorch.dist, torch.dist, a, a.copy(), p)  # zero distance: gradient 0
        check_op(numtorch.dist, torch.dist, a, np.zeros(3), p)  # tied extremes for inf
    check_op(numtorch.dist, torch.dist, np.zeros(0), np.zeros(0))
    _check_noncontig(lambda lib, x: x.dist(lib.ones(3), 3), _rand((4, 3)))
    x = numtorch.tensor(_rand((3, 4)), requires_grad=True)
    y = numtorch.tensor(_rand((4,), seed=1), requires_grad=True)
    for p in [2, 1, 3, 0.7, math.inf]:
        assert gradcheck(lambda a, b, p=p: numtorch.dist(a, b, p), (x, y))


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.dist(m.tensor([1, 2]), m.tensor([3, 4])), RuntimeError),
    (lambda m: m.dist(m.tensor([True]), m.tensor([False])), RuntimeError),
    (lambda m: m.dist(m.tensor([True]), m.tensor([1.0])), RuntimeError),
    (lambda m: m.dist(m.tensor([1.0]), m.tensor([False])), RuntimeError),
    (lambda m: m.dist(m.ones(2), m.ones(3)), RuntimeError),
    (lambda m: m.dist(m.ones(2), 3.0), TypeError),
    (lambda m: m.dist(m.ones(2), m.ones(2), p="fro"), TypeError),
    (lambda m: m.dist(m.ones(2), m.ones(2), p=None), TypeError),
    (lambda m: m.dist(m.empty(0), m.empty(0), math.inf), RuntimeError),
])
def test_dist_errors(call, exc):
    _same_error(call, call, exc)


# --- sum_to_size ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(3, 1), ((3, 1),), ([1, 3, 1],), (2, 3, 4), ((),), (1,),
                                  (4,), (1, 1, 1), (2, 1, 4)])
def test_sum_to_size_matches_torch(size):
    out = check_op(lambda x: x.sum_to_size(*size), lambda x: x.sum_to_size(*size),
                   _rand((2, 3, 4)))
    ref = torch.ones(2, 3, 4, requires_grad=True).sum_to_size(*size)
    name = ref.grad_fn.name() if ref.grad_fn is not None else None
    assert (out.grad_fn.name() if out.grad_fn is not None else None) == name


def test_sum_to_size_dtypes_0d_empty_and_identity():
    check_op(lambda x: x.sum_to_size(3), lambda x: x.sum_to_size(3), _rand((2, 3), np.int32))
    check_op(lambda x: x.sum_to_size(()), lambda x: x.sum_to_size(()), _rand(()))
    check_op(lambda x: x.sum_to_size(1, 3), lambda x: x.sum_to_size(1, 3), _rand((0, 3)))
    x = numtorch.ones(2, 3)
    assert x.sum_to_size(2, 3) is x
    assert not hasattr(numtorch, "sum_to_size")


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.ones(2, 3, 4).sum_to_size(2, 1), RuntimeError),
    (lambda m: m.ones(2, 3, 4).sum_to_size(5, 2, 3, 4), RuntimeError),
    (lambda m: m.tensor(2.0).sum_to_size(1), RuntimeError),
    (lambda m: m.ones(2).sum_to_size(), TypeError),
])
def test_sum_to_size_errors(call, exc):
    _same_error(call, call, exc)


@pytest.mark.parametrize("call", [
    "lib.arange(3).mean()", "lib.ones(2).mean(dtype=lib.long)",
    "lib.arange(3).mean(dtype=lib.long)", "lib.arange(3).nanmean()",
    "lib.ones(2).nanmean(dtype=lib.long)", "lib.arange(3).nanmean(dtype=lib.int32)",
])
def test_mean_dtype_errors_name_input_or_optional_dtype_as_torch(call):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError) as e:
            eval(call, {"lib": lib})
        errors.append(str(e.value))
    assert errors[0] == errors[1]
