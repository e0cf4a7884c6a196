"""Reductions, scans, sorting and softmax (numtorch/ops/reduce.py) against PyTorch."""

# The loops below build lambdas over the loop variables and call them at once.
# ruff: noqa: B023

from __future__ import annotations

import math
import pickle
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numtorch
from tests.utils import assert_same, check_op, noncontig, torch

SHAPES = [(), (0,), (7,), (3, 4), (2, 3, 4)]
FLOATS = [np.float32, np.float64]


def _dims(shape, tuples=True):
    """dim arguments to try on a tensor of ``shape``: None, 0, -1 and a tuple."""
    out = [None, 0, -1]
    if tuples and len(shape) >= 2:
        out.append((0, -1))
    return out


def _data(shape, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype) == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 5, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _cases(tuples=True, keepdims=(False, True)):
    for shape in SHAPES:
        for dim in _dims(shape, tuples):
            for keepdim in keepdims:
                yield shape, dim, keepdim


def _run(case, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except AssertionError as e:
        raise AssertionError(f"{case}: {e}") from e


def _check_noncontig(nt_fn, t_fn, arr, **kw):
    """Same as check_op, with the numtorch input a non-contiguous view."""
    view = noncontig(arr)
    assert not view.flags.c_contiguous or view.size <= 1
    x = numtorch.from_numpy(view)
    if arr.dtype.kind == "f":
        x.requires_grad_(True)
    y = torch.tensor(arr, requires_grad=arr.dtype.kind == "f")
    out, ref = nt_fn(x), t_fn(y)
    assert_same(out, ref, **kw)
    outs = out if isinstance(out, tuple) else (out,)
    refs = ref if isinstance(ref, tuple) else (ref,)
    pairs = [(o, r) for o, r in zip(outs, refs) if r.requires_grad]
    if not pairs:
        return
    g = [np.random.default_rng(1).standard_normal(tuple(o.shape)) for o, _ in pairs]
    (gx,) = numtorch.autograd.grad([o for o, _ in pairs], [x],
                                   [numtorch.tensor(a, dtype=o.dtype) for a, (o, _) in
                                    zip(g, pairs)], allow_unused=True)
    (gy,) = torch.autograd.grad([r for _, r in pairs], [y],
                                [torch.tensor(a, dtype=r.dtype) for a, (_, r) in zip(g, pairs)],
                                allow_unused=True)
    if gy is None:
        assert gx is None or not gx.detach().numpy().any()
    else:
        assert_same(gx, gy, **kw)


def _gradcheck(fn, *arrays, gradgrad=False, **kw):
    inputs = tuple(numtorch.tensor(a, requires_grad=True) for a in arrays)
    try:
        assert numtorch.autograd.gradcheck(fn, inputs, **kw)
        if gradgrad:
            assert numtorch.autograd.gradgradcheck(fn, inputs, **kw)
    except NotImplementedError:
        pytest.skip("numtorch.autograd.gradcheck has not landed yet")


# --- sum-like reductions over int-or-tuple dims -------------------------------------

TUPLE_REDUCTIONS = {
    "sum": (lambda m, x, d, k: m.sum(x, dim=d, keepdim=k)),
    "nansum": (lambda m, x, d, k: m.nansum(x, dim=d, keepdim=k)),
    "mean": (lambda m, x, d, k: m.mean(x, dim=d, keepdim=k)),
    "nanmean": (lambda m, x, d, k: m.nanmean(x, dim=d, keepdim=k)),
    "amax": (lambda m, x, d, k: m.amax(x, dim=() if d is None else d, keepdim=k)),
    "amin": (lambda m, x, d, k: m.amin(x, dim=() if d is None else d, keepdim=k)),
    "logsumexp": (lambda m, x, d, k: m.logsumexp(x, dim=(tuple(range(x.ndim)) or 0) if d is None
                                                 else d, keepdim=k)),
    "var": (lambda m, x, d, k: m.var(x, dim=d, keepdim=k)),
    "std": (lambda m, x, d, k: m.std(x, dim=d, keepdim=k)),
    "var_corr0": (lambda m, x, d, k: m.var(x, dim=d, keepdim=k, correction=0)),
    "std_unbiased_false": (lambda m, x, d, k: m.std(x, d, False, k)),
    "norm": (lambda m, x, d, k: m.norm(x, dim=d, keepdim=k)),
    "norm1": (lambda m, x, d, k: m.norm(x, 1, dim=d, keepdim=k)),
    "norm3": (lambda m, x, d, k: m.norm(x, 3, dim=d, keepdim=k)),
    "norm0.5": (lambda m, x, d, k: m.norm(x, 0.5, dim=d, keepdim=k)),
    "norm1.5": (lambda m, x, d, k: m.norm(x, 1.5, dim=d, keepdim=k)),
    "norm-1": (lambda m, x, d, k: m.norm(x, -1, dim=d, keepdim=k)),
    "norm0": (lambda m, x, d, k: m.norm(x, 0, dim=d, keepdim=k)),
    "norminf": (lambda m, x, d, k: m.norm(x, math.inf, dim=d, keepdim=k)),
    "norm-inf": (lambda m, x, d, k: m.norm(x, -math.inf, dim=d, keepdim=k)),
    "var_mean": (lambda m, x, d, k: m.var_mean(x, dim=d, keepdim=k)),
    "std_mean": (lambda m, x, d, k: m.std_mean(x, dim=d, keepdim=k)),
    "all": (lambda m, x, d, k: m.all(x, dim=d, keepdim=k) if d is not None else m.all(x)),
    "any": (lambda m, x, d, k: m.any(x, dim=d, keepdim=k) if d is not None else m.any(x)),
}
_NO_IDENTITY = {"amax", "amin", "norminf", "norm-inf", "norm-1"}  # raise on empty reductions


@pytest.mark.parametrize("name", sorted(TUPLE_REDUCTIONS))
def test_reduction_matches_torch(name):
    fn = TUPLE_REDUCTIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dof <= 0 warnings, on both sides
        for dtype in FLOATS:
            for shape, dim, keepdim in _cases():
                if name in _NO_IDENTITY and 0 in shape:
                    continue
                case = (name, dtype, shape, dim, keepdim)
                arr = _data(shape, dtype)
                _run(case, check_op, lambda x: fn(numtorch, x, dim, keepdim),
                     lambda x: fn(torch, x, dim, keepdim), arr, rtol=1e-4, atol=1e-5)
                if arr.ndim >= 1 and arr.size:
                    _run(case, _check_noncontig, lambda x: fn(numtorch, x, dim, keepdim),
                         lambda x: fn(torch, x, dim, keepdim), arr, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["sum", "nansum", "amax", "amin", "all", "any", "logsumexp"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_reduction_of_integer_and_bool_inputs(name, dtype):
    fn = TUPLE_REDUCTIONS[name]
    for shape, dim, keepdim in _cases():
        if name in _NO_IDENTITY and 0 in shape:
            continue
        _run((name, dtype, shape, dim, keepdim), check_op,
             lambda x: fn(numtorch, x, dim, keepdim), lambda x: fn(torch, x, dim, keepdim),
             _data(shape, dtype), grad=False)


def test_all_any_keep_uint8_and_give_bool_otherwise():
    for dtype, expect in [(np.uint8, numtorch.uint8), (np.int64, numtorch.bool),
                          (np.float32, numtorch.bool), (np.bool_, numtorch.bool)]:
        x = numtorch.tensor(np.array([[1, 0, 3]], dtype=dtype))
        assert x.all().dtype is expect and x.any(1).dtype is expect
        assert x.all(dim=(0, 1), keepdim=True).shape == (1, 1)
    x = numtorch.tensor([[1.0, 0.0]])
    assert x.all(()).shape == (1, 2)  # PyTorch: an empty dim tuple reduces nothing
    assert numtorch.empty(0).all().item() is True and numtorch.empty(0).any().item() is False


def test_nansum_and_nanmean_skip_nan_in_values_and_gradients():
    nan = float("nan")
    arr = np.array([[1.0, nan, 2.0], [nan, nan, nan], [0.5, -1.0, 3.0]])
    for dim in (None, 0, 1, (0, 1)):
        for keepdim in (False, True):
            for name in ("nansum", "nanmean"):
                check_op(lambda x: getattr(numtorch, name)(x, dim, keepdim),
                         lambda x: getattr(torch, name)(x, dim, keepdim), arr)
    x = numtorch.tensor(arr, requires_grad=True)
    assert x.nanmean().grad_fn.name() == "DivBackward0"
    assert x.nansum(1).grad_fn.name() == "NansumBackward0"


def test_count_nonzero_matches_torch():
    for shape in SHAPES:
        for dim in _dims(shape):
            arr = _data(shape, np.int64)
            check_op(lambda x: numtorch.count_nonzero(x, dim),
                     lambda x: torch.count_nonzero(x, dim), arr, grad=False)
    check_op(lambda x: x.count_nonzero(dim=(0, 1)), lambda x: x.count_nonzero(dim=(0, 1)),
             _data((3, 4), np.bool_), grad=False)


# --- result dtypes ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8, np.bool_])
def test_integer_sum_prod_cumsum_cumprod_give_int64(dtype):
    arr = _data((3, 4), dtype)
    for nt_fn, t_fn in [
        (lambda x: x.sum(), lambda x: x.sum()),
        (lambda x: x.sum(1), lambda x: x.sum(1)),
        (lambda x: x.prod(), lambda x: x.prod()),
        (lambda x: x.prod(0, keepdim=True), lambda x: x.prod(0, keepdim=True)),
        (lambda x: x.cumsum(0), lambda x: x.cumsum(0)),
        (lambda x: x.cumprod(1), lambda x: x.cumprod(1)),
        (lambda x: x.nansum(), lambda x: x.nansum()),
    ]:
        out = check_op(nt_fn, t_fn, arr, grad=False)
        assert out.dtype is numtorch.int64 and out.grad_fn is None


def test_dtype_argument_casts_before_reducing():
    arr = _data((3, 4), np.float32) * 3
    for nt_fn, t_fn in [
        (lambda x: x.sum(dtype=numtorch.float64), lambda x: x.sum(dtype=torch.float64)),
        (lambda x: x.mean(0, dtype=numtorch.float64), lambda x: x.mean(0, dtype=torch.float64)),
        (lambda x: x.prod(1, dtype=numtorch.float64), lambda x: x.prod(1, dtype=torch.float64)),
        (lambda x: x.cumsum(1, dtype=numtorch.float64),
         lambda x: x.cumsum(1, dtype=torch.float64)),
        (lambda x: x.cumprod(0, dtype=numtorch.float64),
         lambda x: x.cumprod(0, dtype=torch.float64)),
        (lambda x: x.nansum(dtype=numtorch.float64), lambda x: x.nansum(dtype=torch.float64)),
        (lambda x: x.norm(dtype=numtorch.float64), lambda x: x.norm(dtype=torch.float64)),
        (lambda x: x.softmax(1, dtype=numtorch.float64),
         lambda x: x.softmax(1, dtype=torch.float64)),
        (lambda x: x.log_softmax(0, dtype=numtorch.float64),
         lambda x: x.log_softmax(0, dtype=torch.float64)),
    ]:
        check_op(nt_fn, t_fn, arr, rtol=1e-5, atol=1e-5)
    check_op(lambda x: x.sum(1, dtype=numtorch.int32), lambda x: x.sum(1, dtype=torch.int32),
             arr, grad=False)
    ints = _data((3, 4), np.int64)
    check_op(lambda x: x.mean(dtype=numtorch.float64), lambda x: x.mean(dtype=torch.float64),
             ints, grad=False)
    check_op(lambda x: x.cumsum(0, dtype=numtorch.float32),
             lambda x: x.cumsum(0, dtype=torch.float32), ints, grad=False)
    check_op(lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), ints, grad=False)
    check_op(lambda x: x.softmax(1, dtype=numtorch.float32),
             lambda x: x.softmax(1, dtype=torch.float32), ints, grad=False)


def test_float32_stays_float32_and_float16_stays_float16():
    x = numtorch.tensor(_data((4, 5), np.float32))
    for r in (x.sum(), x.mean(1), x.var(0), x.std(), x.norm(), x.logsumexp(0),
              x.softmax(0), x.cumsum(1), x.prod(), x.amax(), x.median()):
        assert r.dtype is numtorch.float32
    h = numtorch.tensor(_data((4, 5), np.float16))
    for r in (h.sum(), h.mean(), h.softmax(1), h.cumsum(0), h.var()):
        assert r.dtype is numtorch.float16


def test_mean_of_integers_raises_like_torch():
    x = numtorch.tensor([[1, 2], [3, 4]])
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype. Input "
                                           r"dtype must be either a floating point or complex "
                                           r"dtype. Got: Long"):
        x.mean()
    with pytest.raises(RuntimeError, match="Got: Bool"):
        numtorch.tensor([True]).mean()
    with pytest.raises(RuntimeError, match=r"nanmean\(\): expected input to have floating point "
                                           r"or complex dtype but got Long"):
        x.nanmean()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        x.var()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        x.std(0)
    with pytest.raises(RuntimeError, match="var_mean only support floating point"):
        numtorch.var_mean(x)
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or "
                                           "complex tensor as input. Got Long"):
        x.norm()
    with pytest.raises(NotImplementedError, match="\"softmax_kernel_impl\" not implemented for "
                                                  "'Long'"):
        x.softmax(0)
    with pytest.raises(NotImplementedError, match="log_softmax_kernel_impl"):
        numtorch.log_softmax(x, 0)


# --- the value-and-index reductions ---------------------------------------------

INDEX_REDUCTIONS = {
    "max": (lambda m, x, d, k: m.max(x, d, k)),
    "min": (lambda m, x, d, k: m.min(x, dim=d, keepdim=k)),
    "median": (lambda m, x, d, k: m.median(x, d, keepdim=k)),
    "nanmedian": (lambda m, x, d, k: m.nanmedian(x, d, keepdim=k)),
    "mode": (lambda m, x, d, k: m.mode(x, d, keepdim=k)),
    "kthvalue": (lambda m, x, d, k: m.kthvalue(x, 1 if x.ndim == 0 else
                                               (x.shape[d] + 1) // 2, d, keepdim=k)),
    "topk": (lambda m, x, d, k: m.topk(x, 1 if x.ndim == 0 else min(2, x.shape[d]), d)),
    "topk_smallest": (lambda m, x, d, k: m.topk(x, 1 if x.ndim == 0 else min(3, x.shape[d]), d,
                                                largest=False)),
    "sort": (lambda m, x, d, k: m.sort(x, d)),
    "sort_descending": (lambda m, x, d, k: m.sort(x, d, descending=True)),
    "cummax": (lambda m, x, d, k: m.cummax(x, d)),
    "cummin": (lambda m, x, d, k: m.cummin(x, d)),
    "argmax": (lambda m, x, d, k: m.argmax(x, d, keepdim=k)),
    "argmin": (lambda m, x, d, k: m.argmin(x, d, keepdim=k)),
    "argsort": (lambda m, x, d, k: m.argsort(x, d, descending=k)),
    "prod": (lambda m, x, d, k: m.prod(x, d, keepdim=k)),
}
_NEEDS_NONEMPTY = {"max", "min", "median", "nanmedian", "mode", "kthvalue", "argmax", "argmin"}


@pytest.mark.parametrize("name", sorted(INDEX_REDUCTIONS))
def test_index_reduction_matches_torch(name):
    fn = INDEX_REDUCTIONS[name]
    for dtype in FLOATS + [np.int64]:
        for shape in SHAPES:
            for dim in (0, -1):
                if name in _NEEDS_NONEMPTY and 0 in shape:
                    continue
                for keepdim in (False, True):
                    case = (name, dtype, shape, dim, keepdim)
                    arr = _data(shape, dtype, seed=3)
                    if dtype == np.int64 and name in ("mode",):
                        arr = np.asarray(arr % 3)
                    elif dtype == np.int64:  # no ties: indices are then unambiguous
                        arr = np.random.default_rng(0).permutation(arr.size).reshape(shape)
                    out = _run(case, check_op, lambda x: fn(numtorch, x, dim, keepdim),
                               lambda x: fn(torch, x, dim, keepdim), arr)
                    if isinstance(out, tuple):
                        assert type(out).__module__ == "numtorch.return_types"
                        assert out.indices.dtype is numtorch.int64
                        assert out.indices.grad_fn is None
                    if arr.ndim >= 1 and arr.size:
                        _run(case, _check_noncontig, lambda x: fn(numtorch, x, dim, keepdim),
                             lambda x: fn(torch, x, dim, keepdim), arr)


def test_mode_picks_smallest_most_frequent_and_its_last_index():
    for data in ([3.0, 1, 3, 1, 2], [2.0, 2, 1, 1], [5.0, 4, 3], [1.0, 2, 1, 3, 1]):
        check_op(lambda x: x.mode(), lambda x: x.mode(), np.array(data))
    arr = np.random.default_rng(0).integers(0, 3, (4, 9)).astype(np.float64)
    check_op(lambda x: x.mode(0), lambda x: x.mode(0), arr)
    check_op(lambda x: x.mode(1, True), lambda x: x.mode(1, True), arr)


def test_median_is_the_lower_median_and_ties_choose_like_torch():
    check_op(lambda x: x.median(), lambda x: x.median(), np.array([4.0, 1.0, 3.0, 2.0]))
    for data in ([2.0, 1, 2, 2, 3], [1.0, 1, 1, 1]):
        check_op(lambda x: x.median(0), lambda x: x.median(0), np.array(data))
    arr = np.random.default_rng(1).integers(0, 3, (5, 6)).astype(np.float64)
    check_op(lambda x: x.median(1), lambda x: x.median(1), arr)
    check_op(lambda x: x.median(), lambda x: x.median(), arr)  # ties share the gradient


def test_median_and_nanmedian_with_nan():
    nan = float("nan")
    data = np.array([[1.0, nan, 0.0, nan], [2.0, 5.0, nan, 3.0]])
    check_op(lambda x: x.median(), lambda x: x.median(), data)
    check_op(lambda x: x.median(1), lambda x: x.median(1), data)
    check_op(lambda x: x.nanmedian(), lambda x: x.nanmedian(), data)
    check_op(lambda x: x.nanmedian(1), lambda x: x.nanmedian(1), data)
    check_op(lambda x: x.nanmedian(), lambda x: x.nanmedian(), np.array([nan, nan]))
    check_op(lambda x: x.max(1), lambda x: x.max(1), data)
    check_op(lambda x: x.argmin(), lambda x: x.argmin(), data)


def test_sort_orders_nan_last_and_is_stable():
    nan, inf = float("nan"), float("inf")
    data = np.array([1.0, nan, 0.0, inf, -inf, 1.0, 0.0])
    check_op(lambda x: x.sort(), lambda x: x.sort(), data)
    check_op(lambda x: x.sort(descending=True), lambda x: x.sort(descending=True), data)
    ties = np.random.default_rng(0).integers(0, 3, (4, 8)).astype(np.float32)
    for d in (0, 1):
        for desc in (False, True):
            check_op(lambda x: x.sort(d, desc, stable=True),
                     lambda x: x.sort(stable=True, dim=d, descending=desc), ties)
            check_op(lambda x: numtorch.argsort(x, d, desc, stable=True),
                     lambda x: torch.argsort(x, dim=d, descending=desc, stable=True), ties,
                     grad=False)
    check_op(lambda x: x.sort(), lambda x: x.sort(), np.array([True, False, True]))
    check_op(lambda x: x.msort(), lambda x: x.msort(), _data((5, 3)))
    check_op(lambda x: numtorch.msort(x), lambda x: torch.msort(x), _data(()))


def test_topk_unsorted_returns_the_same_set():
    arr = np.array([5.0, 1, 4, 2, 3, 0])
    x = numtorch.tensor(arr, requires_grad=True)
    v, i = x.topk(3, sorted=False)
    assert sorted(v.tolist()) == [3.0, 4.0, 5.0] and sorted(i.tolist()) == [0, 2, 4]
    v.sum().backward()
    assert x.grad.tolist() == [1.0, 0, 1, 0, 1, 0]


def test_cummax_cummin_ties_take_the_latest_index_and_nan_sticks():
    nan = float("nan")
    for data in ([1.0, 1, 0, 1], [1.0, 1, 2, 1], [1.0, nan, 2, nan, 3], [2.0, 1, 2, 2]):
        arr = np.array(data)
        check_op(lambda x: x.cummax(0), lambda x: x.cummax(0), arr)
        check_op(lambda x: x.cummin(0), lambda x: x.cummin(0), arr)
    check_op(lambda x: x.cummax(0), lambda x: x.cummax(0), np.array([True, False, True]),
             grad=False)
    ties = np.random.default_rng(2).integers(0, 3, (3, 6)).astype(np.float64)
    check_op(lambda x: x.cummax(1), lambda x: x.cummax(1), ties)
    check_op(lambda x: x.cummin(0), lambda x: x.cummin(0), ties)


# --- full reductions and their tie conventions ----------------------------------------


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian", "prod", "sum", "mean",
                                  "argmax", "argmin"])
def test_full_reduction_matches_torch(name):
    for dtype in FLOATS + [np.int64]:
        for shape in SHAPES:
            if 0 in shape and name not in ("prod", "sum", "mean", "median", "nanmedian"):
                continue
            if dtype == np.int64 and name in ("mean", "median", "nanmedian") and 0 in shape:
                continue
            if dtype == np.int64 and name == "mean":
                continue
            arr = _data(shape, dtype, seed=5)
            _run((name, dtype, shape), check_op, lambda x: getattr(numtorch, name)(x),
                 lambda x: getattr(torch, name)(x), arr)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "median"])
def test_tied_extrema_share_the_gradient_evenly(name):
    data = np.array([[1.0, 3.0, 3.0], [0.0, 3.0, 0.0]])
    if name in ("min", "amin"):
        data = -data
    if name == "median":
        data = np.array([3.0, 1.0, 3.0, 5.0, 3.0])
    out = check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), data)
    assert out.grad_fn.name() == {"max": "MaxBackward1", "min": "MinBackward1",
                                  "amax": "AmaxBackward0", "amin": "AminBackward0",
                                  "median": "MedianBackward0"}[name]
    if name in ("amax", "amin"):
        check_op(lambda x: getattr(x, name)(1), lambda x: getattr(x, name)(1), data)
        check_op(lambda x: getattr(x, name)(0, True), lambda x: getattr(x, name)(0, True), data)


def test_max_with_dim_sends_gradient_to_the_first_tied_index():
    data = np.array([[1.0, 3.0, 3.0, 2.0], [4.0, 4.0, 0.0, 4.0]])
    for fn in (lambda x: x.max(1), lambda x: x.min(0), lambda x: x.max(0, True)):
        check_op(fn, fn, data)


def test_max_min_with_nan_propagate_and_take_the_nan_gradient():
    nan = float("nan")
    data = np.array([1.0, nan, 3.0, nan])
    for fn in (lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(), lambda x: x.max(0),
               lambda x: x.cummax(0)):
        check_op(fn, fn, data)


def test_aminmax_matches_torch():
    for dtype in FLOATS:
        for shape in [(), (7,), (3, 4), (2, 3, 4)]:
            arr = _data(shape, dtype)
            check_op(lambda x: numtorch.aminmax(x), lambda x: torch.aminmax(x), arr)
            for keepdim in (False, True):
                check_op(lambda x: x.aminmax(dim=-1, keepdim=keepdim),
                         lambda x: x.aminmax(dim=-1, keepdim=keepdim), arr)
    ties = np.array([[1.0, 3.0, 3.0, 2.0, 1.0]])
    check_op(lambda x: numtorch.aminmax(x), lambda x: torch.aminmax(x), ties)
    check_op(lambda x: numtorch.aminmax(x, dim=1), lambda x: torch.aminmax(x, dim=1), ties)
    r = numtorch.aminmax(numtorch.tensor(ties))
    assert r.min.item() == 1.0 and r.max.item() == 3.0
    e = numtorch.aminmax(numtorch.empty(0, 3), dim=1)
    assert e.min.shape == (0,)


# --- prod, cumprod, cumsum ------------------------------------------------------


@pytest.mark.parametrize("zeros", [0, 1, 2, 3])
def test_prod_gradient_with_zeros(zeros):
    rng = np.random.default_rng(zeros)
    arr = rng.standard_normal((3, 5))
    flat = arr.reshape(-1)
    flat[rng.choice(flat.size, zeros, replace=False)] = 0
    check_op(lambda x: x.prod(), lambda x: x.prod(), arr)
    row = arr.copy()
    row[1, :zeros] = 0  # several zeros in one slice
    for d in (0, 1, -1):
        for keepdim in (False, True):
            check_op(lambda x: x.prod(d, keepdim), lambda x: x.prod(d, keepdim), row)
            check_op(lambda x: x.prod(d, keepdim), lambda x: x.prod(d, keepdim), arr)


@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_prod_double_backward_with_zeros(zeros):
    arr = np.random.default_rng(7).standard_normal((2, 4))
    arr[0, :zeros] = 0
    arr[1, 1:1 + zeros] = 0
    for nt_fn, t_fn in [(lambda x: x.prod(), lambda x: x.prod()),
                        (lambda x: x.prod(1), lambda x: x.prod(1)),
                        (lambda x: x.prod(0, True), lambda x: x.prod(0, True))]:
        _compare_double_backward(nt_fn, t_fn, arr)


def _compare_double_backward(nt_fn, t_fn, arr, seed=0):
    """Second derivatives: differentiate <grad_x(<f(x), g>), v> with respect to x and g."""
    rng = np.random.default_rng(seed)
    x = numtorch.tensor(arr, requires_grad=True)
    y = torch.tensor(arr, requires_grad=True)
    ox, oy = nt_fn(x), t_fn(y)
    garr = rng.standard_normal(tuple(ox.shape))
    gn = numtorch.tensor(garr, requires_grad=True)
    gt = torch.tensor(garr, requires_grad=True)
    (gx,) = numtorch.autograd.grad(ox, x, gn, create_graph=True)
    (gy,) = torch.autograd.grad(oy, y, gt, create_graph=True)
    assert_same(gx, gy)
    v = rng.standard_normal(arr.shape)
    hx = numtorch.autograd.grad((gx * numtorch.tensor(v)).sum(), [x, gn], allow_unused=True)
    hy = torch.autograd.grad((gy * torch.tensor(v)).sum(), [y, gt], allow_unused=True)
    for a, b in zip(hx, hy):
        if b is None:
            assert a is None or not a.detach().numpy().any()
        else:
            assert a is not None, "numtorch gave no second derivative where torch gave one"
            assert_same(a, b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("where", [[], [0], [2], [4], [1, 3], [0, 2, 4]])
def test_cumprod_gradient_with_zeros(where):
    arr = np.random.default_rng(3).standard_normal((3, 5))
    arr[:, where] = 0
    arr[2, 1:] = 0
    for d in (0, 1):
        check_op(lambda x: x.cumprod(d), lambda x: x.cumprod(d), arr)
        _compare_double_backward(lambda x: x.cumprod(d), lambda x: x.cumprod(d), arr)


def test_scans_match_torch():
    for name in ("cumsum", "cumprod", "softmax", "log_softmax"):
        for dtype in FLOATS:
            for shape in SHAPES:
                for dim in (0, -1):
                    arr = _data(shape, dtype, seed=4)
                    fn = getattr(numtorch, name)
                    tfn = getattr(torch, name)
                    _run((name, dtype, shape, dim), check_op, lambda x: fn(x, dim),
                         lambda x: tfn(x, dim), arr, rtol=1e-5, atol=1e-6)
                    if arr.ndim >= 1 and arr.size:
                        _run((name, dtype, shape, dim), _check_noncontig, lambda x: fn(x, dim),
                             lambda x: tfn(x, dim), arr)
        if name in ("cumsum", "cumprod"):
            for dtype in (np.int32, np.bool_, np.uint8):
                check_op(lambda x: getattr(x, name)(1), lambda x: getattr(x, name)(1),
                         _data((3, 4), dtype), grad=False)


def test_cumsum_and_cumprod_in_place():
    a = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert a.cumsum_(0) is a
    b.cumsum_(0)
    assert_same(a, b)
    a.cumprod_(1)
    b.cumprod_(1)
    assert_same(a, b)
    leaf = numtorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.cumsum_(0)


# --- softmax / log_softmax / logsumexp ------------------------------------------------


def test_softmax_is_stable_for_large_inputs():
    arr = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], np.float32)
    for fn in (lambda m, x: m.softmax(x, 1), lambda m, x: m.log_softmax(x, 1),
               lambda m, x: m.logsumexp(x, 1)):
        out = check_op(lambda x: fn(numtorch, x), lambda x: fn(torch, x), arr)
        assert np.isfinite(out.detach().numpy()).all()


def test_softmax_grad_fn_names_and_method_forms():
    x = numtorch.tensor(_data((2, 3)), requires_grad=True)
    assert x.softmax(1).grad_fn.name() == "SoftmaxBackward0"
    assert numtorch.softmax(x, 0).grad_fn.name() == "SoftmaxBackward0"
    assert x.log_softmax(-1).grad_fn.name() == "LogSoftmaxBackward0"
    assert numtorch.log_softmax(x, dim=1).grad_fn.name() == "LogSoftmaxBackward0"
    with pytest.raises(TypeError, match=r"softmax\(\): argument 'dim' must be int, not tuple"):
        x.softmax((0, 1))


def test_softmax_of_an_all_minus_inf_row_is_nan_like_torch():
    inf = float("inf")
    arr = np.array([[-inf, -inf], [0.0, -inf]])
    for fn in (lambda m, x: m.softmax(x, 1), lambda m, x: m.log_softmax(x, 1)):
        check_op(lambda x: fn(numtorch, x), lambda x: fn(torch, x), arr)


@pytest.mark.parametrize("data", [[-math.inf, 1.0, 2.0], [-math.inf, -math.inf],
                                  [math.inf, 1.0], [0.0, -math.inf, -math.inf]])
def test_logsumexp_with_infinite_entries(data):
    arr = np.array(data)
    check_op(lambda x: x.logsumexp(0), lambda x: x.logsumexp(0), arr)
    check_op(lambda x: x[None].logsumexp(1, keepdim=True),
             lambda x: x[None].logsumexp(1, keepdim=True), arr)


def test_logsumexp_of_empty_is_minus_inf():
    check_op(lambda x: x.logsumexp(0), lambda x: x.logsumexp(0), np.zeros(0))


# --- var / std edge cases ---------------------------------------------------------


@pytest.mark.parametrize("correction", [0, 1, 2, 2.5, 3, 4, 5])
def test_var_std_with_large_correction_give_inf_and_nan_like_torch(correction):
    arr = np.array([[2.0, 1.0, 3.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("var", "std"):
            for dim in (None, 1, (0, 1)):
                _run((name, correction, dim), check_op,
                     lambda x: getattr(x, name)(dim, correction=correction),
                     lambda x: getattr(x, name)(dim, correction=correction), arr)


def test_var_warns_when_degrees_of_freedom_are_not_positive():
    with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
        numtorch.tensor([1.0]).var()
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
        numtorch.tensor([1.0, 2.0]).std(correction=2)


def test_var_argument_forms():
    arr = _data((3, 4))
    for nt_fn, t_fn in [
        (lambda x: x.var(False), lambda x: x.var(False)),
        (lambda x: x.var(0, False, True), lambda x: x.var(0, False, True)),
        (lambda x: x.std(unbiased=False), lambda x: x.std(unbiased=False)),
        (lambda x: numtorch.var(x, 1, correction=0, keepdim=True),
         lambda x: torch.var(x, 1, correction=0, keepdim=True)),
        (lambda x: numtorch.std_mean(x, correction=0), lambda x: torch.std_mean(x, correction=0)),
        (lambda x: numtorch.var_mean(x, 1, keepdim=True),
         lambda x: torch.var_mean(x, 1, keepdim=True)),
    ]:
        check_op(nt_fn, t_fn, arr)
    x = numtorch.tensor(arr)
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        x.var(0, unbiased=True, correction=1)
    assert type(numtorch.var_mean(x)) is tuple


def test_std_of_constant_input_has_zero_gradient():
    check_op(lambda x: x.std(), lambda x: x.std(), np.zeros(3))
    check_op(lambda x: x.std(1), lambda x: x.std(1), np.ones((2, 3)))
    check_op(lambda x: numtorch.std_mean(x, 1), lambda x: torch.std_mean(x, 1), np.ones((2, 3)))


# --- norm -------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, 1.5, -1, 0, math.inf, -math.inf])
def test_norm_at_zero_and_with_zero_entries(p):
    for data in ([0.0, 0.0, 0.0], [0.0, 1.0, -2.0, 2.0], [[0.0, 0.0], [1.0, -3.0]]):
        arr = np.array(data)
        check_op(lambda x: x.norm(p), lambda x: x.norm(p), arr)
        if arr.ndim == 2:
            check_op(lambda x: x.norm(p, dim=1), lambda x: x.norm(p, dim=1), arr)


def test_norm_forms_fro_nuc_dims_and_dtype():
    arr = _data((2, 3, 4))
    for nt_fn, t_fn in [
        (lambda x: x.norm("fro"), lambda x: x.norm("fro")),
        (lambda x: x.norm("fro", dim=(1, 2)), lambda x: x.norm("fro", dim=(1, 2))),
        (lambda x: x.norm("fro", dim=[0, 2], keepdim=True),
         lambda x: x.norm("fro", dim=[0, 2], keepdim=True)),
        (lambda x: x.norm("nuc", dim=(1, 2)), lambda x: x.norm("nuc", dim=(1, 2))),
        (lambda x: x.norm("nuc", dim=(0, 2), keepdim=True),
         lambda x: x.norm("nuc", dim=(0, 2), keepdim=True)),
        (lambda x: x[0].norm("nuc"), lambda x: x[0].norm("nuc")),
        (lambda x: x.norm(None), lambda x: x.norm(None)),
        (lambda x: numtorch.norm(x, 2, 1), lambda x: torch.norm(x, 2, 1)),
    ]:
        check_op(nt_fn, t_fn, arr, rtol=1e-5, atol=1e-6)
    x = numtorch.tensor(arr)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order abc not supported."):
        numtorch.norm(x, "abc")
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        x[0, 0].norm("nuc")
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"):
        x.norm("nuc")
    assert numtorch.empty(0).norm().item() == 0.0
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on the dimension 1"):
        numtorch.empty(2, 0).norm(math.inf, 1)


def test_norm_of_empty_tensor_without_identity_raises_torch_message():
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        numtorch.empty(0).norm(math.inf)
    with pytest.raises(RuntimeError, match="cannot compute the -inf norm on an empty tensor"):
        numtorch.empty(0).norm(-math.inf)


def test_norm_gradient_at_zero_vector_is_zero():
    x = numtorch.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


# --- empty inputs and error messages ----------------------------------------------


def test_empty_reductions_follow_torch():
    e = np.zeros((0,))
    for fn in (lambda x: x.sum(), lambda x: x.prod(), lambda x: x.mean(), lambda x: x.nansum(),
               lambda x: x.median(), lambda x: x.var(), lambda x: x.norm(),
               lambda x: x.logsumexp(0), lambda x: x.cumsum(0), lambda x: x.sort(),
               lambda x: x.softmax(0), lambda x: x.cummax(0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_op(fn, fn, e)
    e2 = np.zeros((0, 3))
    for fn in (lambda x: x.max(1), lambda x: x.amax(1), lambda x: x.argmax(1),
               lambda x: x.median(1), lambda x: x.sum(0), lambda x: x.mean(1)):
        check_op(fn, fn, e2)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_max_of_empty_raises_torch_message(name):
    x = numtorch.empty(0)
    with pytest.raises(RuntimeError, match=rf"^{name}\(\): Expected reduction dim to be "
                                           r"specified for input.numel\(\) == 0. Specify the "
                                           r"reduction dim with the 'dim' argument.$"):
        getattr(x, name)()
    with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 0 to have "
                                         r"non-zero size."):
        getattr(numtorch.empty(0, 3), name)(0)


def test_index_reductions_of_empty_dims_raise():
    e = numtorch.empty(0, 3)
    for name, call in [("argmax", lambda: e.argmax(0)), ("median", lambda: e.median(0)),
                       ("mode", lambda: e.mode(0)), ("kthvalue", lambda: e.kthvalue(1, 0)),
                       ("argmin", lambda: e.argmin(0))]:
        with pytest.raises(IndexError, match=rf"{name}\(\): Expected reduction dim 0 to have "
                                             r"non-zero size."):
            call()
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified"):
        numtorch.empty(0).argmax()
    with pytest.raises(RuntimeError, match=r"aminmax\(\): cannot compute aminmax over an empty "
                                           "dimension as the operation has no identity."):
        numtorch.aminmax(numtorch.empty(0))
    with pytest.raises(IndexError, match="aminmax: Expected reduction dim 0 to have non-zero"):
        numtorch.aminmax(e, dim=0)


def test_argument_errors():
    x = numtorch.tensor(_data((3, 4)))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.sum((0, 0))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 5\)"):
        x.sum(5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        numtorch.tensor(3.0).max(1)
    with pytest.raises(TypeError, match="argument 'dim' must be int, not tuple"):
        x.max((0, 1))
    with pytest.raises(TypeError, match="argument 'dim' must be int, not tuple"):
        x.prod((0, 1))
    with pytest.raises(TypeError, match="argument 'dim' must be int, not tuple"):
        x.median((0,))
    with pytest.raises(TypeError, match="argument 'dim' must be int, not tuple"):
        x.argmax((0, 1))
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(5)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        x.topk(-1)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for "
                                           "dimension 1"):
        x.kthvalue(5, 1)
    with pytest.raises(RuntimeError, match="selected number k out of range for dimension 1"):
        x.kthvalue(0)
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        numtorch.tensor([True]).argmax()
    with pytest.raises(RuntimeError, match=r"argmin\(\): does not support bool input"):
        numtorch.tensor([True]).argmin()
    with pytest.raises(NotImplementedError, match="\"median_cpu\" not implemented for 'Bool'"):
        numtorch.tensor([True]).median()


def test_out_arguments():
    x = numtorch.tensor(_data((3, 4)))
    t = torch.tensor(_data((3, 4)))
    o = numtorch.empty(0, dtype=numtorch.float64)
    assert numtorch.sum(x, 1, out=o) is o
    assert_same(o, torch.sum(t, 1))
    v, i = numtorch.empty(0, dtype=numtorch.float64), numtorch.empty(0, dtype=numtorch.int64)
    r = numtorch.max(x, 0, out=(v, i))
    assert r.values is v and r.indices is i
    assert_same(r, torch.max(t, 0))
    o = numtorch.empty(0, dtype=numtorch.float64)
    numtorch.cumsum(x, 0, out=o)
    assert_same(o, torch.cumsum(t, 0))
    o = numtorch.empty(0, dtype=numtorch.bool)
    numtorch.all(x > 0, 1, out=o)
    assert_same(o, torch.all(t > 0, 1))
    y = numtorch.tensor(_data((3, 4)), requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        numtorch.sum(y, out=numtorch.empty(0))


def test_max_with_a_tensor_is_the_elementwise_maximum():
    if not hasattr(numtorch, "maximum"):
        pytest.skip("numtorch.maximum (pointwise) has not landed yet")
    a, b = _data((3, 4), seed=1), _data((3, 4), seed=2)
    check_op(lambda x, y: numtorch.max(x, y), lambda x, y: torch.max(x, y), a, b)
    check_op(lambda x, y: x.min(y), lambda x, y: x.min(y), a, b)
    check_op(lambda x, y: numtorch.max(x, other=y), lambda x, y: torch.max(x, other=y), a, b)


# --- unique ----------------------------------------------------------------------


def test_unique_matches_torch():
    arr = np.array([[3, 1, 3], [2, 1, 7]])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}, {"sorted": False}):
        check_op(lambda x: numtorch.unique(x, **kw), lambda x: torch.unique(x, **kw), arr,
                 grad=False)
        check_op(lambda x: x.unique(dim=1, **kw), lambda x: x.unique(dim=1, **kw), arr,
                 grad=False)
        check_op(lambda x: numtorch.unique(x, dim=0, **kw),
                 lambda x: torch.unique(x, dim=0, **kw), np.array([[3, 4], [1, 2], [3, 4]]),
                 grad=False)
    check_op(lambda x: x.unique(return_inverse=True, return_counts=True),
             lambda x: x.unique(return_inverse=True, return_counts=True), np.zeros(0),
             grad=False)
    check_op(lambda x: x.unique(), lambda x: x.unique(), np.array([np.nan, 1.0, np.nan]),
             grad=False)
    check_op(lambda x: x.unique(return_counts=True), lambda x: x.unique(return_counts=True),
             np.array([True, False, True]), grad=False)


def test_unique_consecutive_matches_torch():
    for arr, dims in [(np.array([1, 1, 2, 2, 3, 1, 1, 2]), (None, 0)),
                      (np.array([[1, 2], [1, 2], [3, 4], [1, 2]]), (None, 0, 1)),
                      (np.zeros(0), (None,)), (np.array([5.0]), (None, 0)),
                      (np.array(2.5), (None,)), (np.array([[1, 2]]), (0, 1)),
                      (np.zeros((0, 3)), (0,)), (np.zeros((2, 0)), (1,))]:
        for dim in dims:
            for kw in ({}, {"return_inverse": True, "return_counts": True},
                       {"return_counts": True}):
                check_op(lambda x: numtorch.unique_consecutive(x, dim=dim, **kw),
                         lambda x: torch.unique_consecutive(x, dim=dim, **kw), arr, grad=False)


@pytest.mark.parametrize("call,exc", [
    (lambda m: m.unique(m.tensor(2.5), dim=0), IndexError),
    (lambda m: m.unique_consecutive(m.tensor(True), dim=-1), IndexError),
    (lambda m: m.unique(m.zeros(3, 0), dim=0), RuntimeError),
    (lambda m: m.unique_consecutive(m.zeros(3, 0, 2), dim=2), RuntimeError),
])
def test_unique_dim_errors_match_torch(call, exc):
    with pytest.raises(exc) as ref:
        call(torch)
    with pytest.raises(exc, match="^" + re.escape(str(ref.value).split("\n")[0])):
        call(numtorch)


def test_median_of_an_empty_tensor_is_nan_cast_to_its_dtype():
    for dt in ("int64", "int32", "int16", "uint8", "float16", "float32"):
        for fn in ("median", "nanmedian"):
            ours = getattr(numtorch, fn)(numtorch.zeros(0, dtype=getattr(numtorch, dt)))
            ref = getattr(torch, fn)(torch.zeros(0, dtype=getattr(torch, dt)))
            assert_same(ours, ref)


def test_unique_is_not_differentiable():
    x = numtorch.tensor([3.0, 1.0, 3.0], requires_grad=True)
    u = x.unique()
    assert u.grad_fn.name() == "Unique2Backward0"
    with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not "
                                                  "implemented."):
        u.sum().backward()
    u = numtorch.unique_consecutive(x)
    assert u.grad_fn.name() == "UniqueConsecutiveBackward0"
    with pytest.raises(NotImplementedError, match="'unique_consecutive'"):
        u.sum().backward()
    u = x[None].unique(dim=1)
    assert u.grad_fn.name() == "UniqueDimBackward0"


# --- grad_fn names, return types -------------------------------------------------


def test_grad_fn_names_match_torch():
    arr = _data((3, 4))
    calls = [
        lambda m, x: m.sum(x), lambda m, x: m.sum(x, 0), lambda m, x: m.mean(x),
        lambda m, x: m.mean(x, (0, 1)), lambda m, x: m.nansum(x, 1), lambda m, x: m.nanmean(x),
        lambda m, x: m.prod(x), lambda m, x: m.prod(x, 1), lambda m, x: m.max(x),
        lambda m, x: m.max(x, 0)[0], lambda m, x: m.min(x), lambda m, x: m.min(x, 1)[0],
        lambda m, x: m.amax(x, 0), lambda m, x: m.amin(x), lambda m, x: m.aminmax(x)[0],
        lambda m, x: m.var(x), lambda m, x: m.std(x, 0), lambda m, x: m.var_mean(x)[1],
        lambda m, x: m.std_mean(x, 1)[0], lambda m, x: m.norm(x), lambda m, x: m.norm(x, 1, 0),
        lambda m, x: m.norm(x, "nuc"), lambda m, x: m.logsumexp(x, 0),
        lambda m, x: m.cumsum(x, 0), lambda m, x: m.cumprod(x, 1), lambda m, x: m.cummax(x, 0)[0],
        lambda m, x: m.cummin(x, 0)[0], lambda m, x: m.median(x), lambda m, x: m.median(x, 0)[0],
        lambda m, x: m.nanmedian(x), lambda m, x: m.nanmedian(x, 1)[0],
        lambda m, x: m.mode(x, 0)[0], lambda m, x: m.sort(x, 0)[0], lambda m, x: m.msort(x),
        lambda m, x: m.topk(x, 2)[0], lambda m, x: m.kthvalue(x, 2)[0],
        lambda m, x: m.softmax(x, 0), lambda m, x: m.log_softmax(x, 1),
        lambda m, x: m.unique(x), lambda m, x: m.unique_consecutive(x),
    ]
    for call in calls:
        a = call(numtorch, numtorch.tensor(arr, requires_grad=True))
        b = call(torch, torch.tensor(arr, requires_grad=True))
        assert a.grad_fn.name() == b.grad_fn.name()
    for call in (lambda m, x: m.argmax(x), lambda m, x: m.argsort(x),
                 lambda m, x: m.count_nonzero(x), lambda m, x: m.max(x, 0)[1]):
        a = call(numtorch, numtorch.tensor(arr, requires_grad=True))
        assert a.grad_fn is None and a.dtype is numtorch.int64
    assert numtorch.all(numtorch.tensor(arr, requires_grad=True)).grad_fn is None


def test_return_types_behave_like_torch_named_tuples():
    x = numtorch.tensor([[1.0, 5.0], [3.0, 2.0]])
    r = x.max(0)
    assert isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert values is r.values and indices is r.indices is r[1]
    assert repr(r) == ("numtorch.return_types.max(\nvalues=tensor([3., 5.]),\n"
                       "indices=tensor([1, 0]))")
    ref = torch.tensor([[1.0, 5.0], [3.0, 2.0]]).max(0)
    assert repr(r) == repr(ref).replace("torch.", "numtorch.")
    assert repr(numtorch.aminmax(x)) == repr(torch.aminmax(torch.tensor(
        [[1.0, 5.0], [3.0, 2.0]]))).replace("torch.", "numtorch.")
    for name in ("min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"):
        assert type(getattr(x, name)(0) if name not in ("topk", "kthvalue")
                    else getattr(x, name)(1, 0)).__name__ == name
    back = pickle.loads(pickle.dumps(numtorch.return_types.max((1, 2))))
    assert back == (1, 2) and type(back) is numtorch.return_types.max
    with pytest.raises(TypeError, match="takes a 2-sequence"):
        numtorch.return_types.max((1,))


# --- randomised shapes and dims ------------------------------------------------------


@st.composite
def _shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=4)))
    nd = len(shape)
    if nd == 0:
        return shape, draw(st.sampled_from([None, 0, -1])), draw(st.sampled_from([0, -1]))
    dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                         unique_by=lambda d: d % nd))
    dim = draw(st.sampled_from([None, tuple(dims), dims[0]]))
    return shape, dim, dims[0]


@settings(max_examples=25, deadline=None)
@given(_shape_and_dims(), st.booleans(), st.sampled_from(["float32", "float64"]),
       st.integers(0, 2**16))
def test_random_shapes_and_dims(sd, keepdim, dtype, seed):
    shape, dim, one = sd
    arr = _data(shape, np.dtype(dtype), seed)
    tol = {"rtol": 1e-4, "atol": 1e-5}
    for name in ("sum", "mean", "amax", "var", "std", "norm", "nansum", "logsumexp"):
        fn = TUPLE_REDUCTIONS[name]
        if name == "logsumexp" and dim is None:
            continue
        if name == "norm" and isinstance(dim, tuple) and len(dim) > 2:
            continue  # PyTorch hands 'fro' over 3+ dims to matrix_norm, which refuses
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _run((name, shape, dim, keepdim), check_op, lambda x: fn(numtorch, x, dim, keepdim),
                 lambda x: fn(torch, x, dim, keepdim), arr, **tol)
    for name in ("max", "median", "sort", "cummax", "argmax"):
        fn = INDEX_REDUCTIONS[name]
        _run((name, shape, one, keepdim), check_op, lambda x: fn(numtorch, x, one, keepdim),
             lambda x: fn(torch, x, one, keepdim), arr, **tol)
    for name in ("cumsum", "cumprod", "softmax", "log_softmax"):
        _run((name, shape, one), check_op, lambda x: getattr(numtorch, name)(x, one),
             lambda x: getattr(torch, name)(x, one), arr, **tol)


# --- finite-difference checks (float64) ---------------------------------------------------

_GRADCHECK = {
    "sum": lambda x: x.sum((0, 1)), "nansum": lambda x: x.nansum(1),
    "mean": lambda x: x.mean(0), "nanmean": lambda x: x.nanmean(1, keepdim=True),
    "prod": lambda x: x.prod(), "prod_dim": lambda x: x.prod(1),
    "max": lambda x: x.max(), "min": lambda x: x.min(), "max_dim": lambda x: x.max(1)[0], "min_dim": lambda x: x.min(0)[0],
    "amax": lambda x: x.amax((0, 1)), "amin": lambda x: x.amin(1),
    "aminmax": lambda x: numtorch.aminmax(x, dim=0), "var": lambda x: x.var(1),
    "std": lambda x: x.std(), "var_mean": lambda x: numtorch.var_mean(x, 0),
    "std_mean": lambda x: numtorch.std_mean(x, (0, 1), correction=0),
    "norm": lambda x: x.norm(), "norm1": lambda x: x.norm(1, 1), "norm3": lambda x: x.norm(3, 0),
    "norm_inf": lambda x: x.norm(math.inf, 1), "norm_nuc": lambda x: x.norm("nuc"),
    "logsumexp": lambda x: x.logsumexp(1), "cumsum": lambda x: x.cumsum(0),
    "cumprod": lambda x: x.cumprod(1), "cummax": lambda x: x.cummax(1)[0],
    "cummin": lambda x: x.cummin(0)[0], "median": lambda x: x.median(),
    "median_dim": lambda x: x.median(1)[0], "nanmedian": lambda x: x.nanmedian(0)[0],
    "mode": lambda x: x.mode(1)[0], "sort": lambda x: x.sort(0)[0], "msort": lambda x: x.msort(),
    "topk": lambda x: x.topk(2)[0], "kthvalue": lambda x: x.kthvalue(2, 0)[0],
    "softmax": lambda x: x.softmax(1), "log_softmax": lambda x: x.log_softmax(0),
}
_GRADGRAD = {"softmax", "log_softmax", "logsumexp", "var", "std", "norm", "norm3", "prod",
             "prod_dim", "cumsum", "cumprod", "mean", "sum", "max_dim", "sort", "var_mean"}


@pytest.mark.parametrize("name", sorted(_GRADCHECK))
def test_gradcheck(name):
    arr = np.random.default_rng(11).standard_normal((3, 4))
    _gradcheck(_GRADCHECK[name], arr, gradgrad=name in _GRADGRAD)


def test_double_backward_matches_torch():
    arr = np.random.default_rng(12).standard_normal((3, 4))
    for fn in (lambda x: x.softmax(1), lambda x: x.log_softmax(0), lambda x: x.logsumexp(1),
               lambda x: x.var(0), lambda x: x.std(), lambda x: x.norm(), lambda x: x.norm(3, 1),
               lambda x: x.prod(1), lambda x: x.cumsum(0), lambda x: x.cumprod(1),
               lambda x: x.max(1)[0], lambda x: x.sort(0)[0], lambda x: x.amax(1)):
        _compare_double_backward(fn, fn, arr)


def test_topk_and_kthvalue_refuse_bool_after_checking_k():
    x = [True, False]
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match="topk does not support bool dtypes on CPU"):
            lib.topk(lib.tensor(x), 1)
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            lib.topk(lib.tensor(x), 5)
        with pytest.raises(NotImplementedError, match="\"kthvalue_cpu\" not implemented for 'Bool'"):
            lib.kthvalue(lib.tensor(x), 1)
        with pytest.raises(RuntimeError, match="selected number k out of range"):
            lib.kthvalue(lib.tensor(x), 5)
