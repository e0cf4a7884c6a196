"""Reductions, scans, sorting and softmax — forward beside backward.

Every op reduces (or scans, or sorts) along ``dim``: an int, or for the ops
where PyTorch allows it a tuple of ints; ``dim=None`` (or ``()``) means every
dim, and ``keepdim=True`` keeps the reduced dims with size 1. A 0-d tensor
accepts ``dim`` 0 or -1 and has nothing to reduce.

Forwards are one NumPy call where one will do, in the input's dtype (float32
stays float32). Backward formulas are PyTorch's and are written with Tensor
ops, so ``create_graph=True`` differentiates them again. The gradient
conventions worth knowing:

* ``max``/``min``/``median`` over all elements, and ``amax``/``amin``, share
  the gradient evenly between tied extrema; ``max(x, dim)``, ``median(x, dim)``,
  ``kthvalue``, ``mode``, ``sort`` and ``topk`` send it to the returned index.
* ``prod`` and ``cumprod`` divide by the input only when it has no zeros;
  otherwise they use products of the other elements (O(n) in NumPy, or an
  O(n^2) differentiable form when a graph of the backward is being built).

The gather/scatter pair along ``dim`` at the end of the file is what every
index-selecting backward uses (and each is the other's gradient).
"""

from __future__ import annotations

import builtins
import contextlib
import math

import numpy as np

from .. import _dtype as D
from .. import _warnings, return_types
from .._input_check import type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd import function as _fn
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..backend import cpu as _cpu
from ..backend import parallel
from ._util import C_TYPE_NAMES, check_out, write_out, xp_of
from .copy import Copy as _Copy
from .creation import _linspace
from .shape import broadcast_view

__all__ = [
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum",
    "cumprod", "cummax", "cummin", "all", "any", "count_nonzero", "median", "nanmedian",
    "mode", "sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive",
    "softmax", "log_softmax", "diff", "bincount", "quantile", "nanquantile", "cov", "corrcoef",
    "histc", "logcumsumexp", "dist", "trapezoid", "trapz", "cumulative_trapezoid", "histogram",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py).
TENSOR_METHODS = (
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "var", "std", "norm", "logsumexp", "cumsum", "cumprod", "cummax",
    "cummin", "all", "any", "count_nonzero", "median", "nanmedian", "mode", "sort", "argsort",
    "msort", "topk", "kthvalue", "unique", "unique_consecutive", "softmax", "log_softmax",
    "diff", "bincount", "quantile", "nanquantile", "cov", "corrcoef", "histc", "logcumsumexp",
    "dist", "sum_to_size", "histogram",
)
INPLACE_METHODS = ("cumsum", "cumprod")

_INT64 = np.dtype(np.int64)
_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)
_PAR_MIN = parallel.MIN_SIZE  # reductions at least this large run on threads
_add_reduce = np.add.reduce


# --- helpers -----------------------------------------------------------------


def _dims_of(dim, ndim: int) -> tuple:
    """``dim`` (None, an int, or a sequence of ints) as a tuple of non-negative dims.

    None and ``()`` mean every dim. On a 0-d tensor the dims are checked (0 and -1
    are valid) and the result is ``()``: there is nothing to reduce.
    """
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(_as_int(d, "dim"), ndim) for d in dim)
        seen = set()
        for d in dims:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    else:
        dims = (_wrap_dim(_as_int(dim, "dim"), ndim),)
    return dims if ndim else ()


def _one_dim(dim, ndim: int, name: str) -> int:
    """A single dim, for the ops where PyTorch takes only an int."""
    if isinstance(dim, (tuple, list)) or not _is_int(dim):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return _wrap_dim(int(dim), ndim)


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _as_int(x, what: str) -> int:
    if not _is_int(x):
        raise TypeError(f"argument '{what}' must be tuple of ints, but found element of type "
                        f"{type_name(x)}")
    return int(x)


def _keep_shape(shape, dims) -> tuple:
    """``shape`` with each reduced dim set to 1 (what keepdim=True gives)."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _out_shape(shape, dims, keepdim: bool) -> tuple:
    if keepdim:
        return _keep_shape(shape, dims)
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def _numel(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _restore(grad, shape, dims, keepdim: bool):
    """The output gradient with the reduced dims put back as size 1 (broadcastable)."""
    if not keepdim and dims:
        return grad.reshape(_keep_shape(shape, dims))
    return grad


def _unreduce(grad, shape, dims, keepdim: bool):
    """The output gradient broadcast back over the input (the gradient of a sum)."""
    if not grad_mode.enabled:  # a plain backward: the same view, built on the arrays
        g = grad._data
        if not keepdim and dims:
            g = g.reshape(_keep_shape(shape, dims))
        return Tensor._make(broadcast_view(g, shape))
    return _restore(grad, shape, dims, keepdim).expand(shape)


def _const(arr):
    """A Tensor around an array that autograd treats as a constant."""
    if isinstance(arr, np.generic):
        arr = np.asarray(arr)
    return Tensor._make(arr)


def _quiet(xp):
    """Silence NumPy's floating-point warnings: inf/nan results are PyTorch's answer."""
    if xp is np:
        return _cpu.quiet()
    return xp.errstate(all="ignore") if hasattr(xp, "errstate") else contextlib.nullcontext()


def _finish(result, out, name: str):
    """Return ``result``, or copy it into ``out`` (a Tensor, or a tuple for tuple results)."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        written = tuple(write_out(o, r) for o, r in zip(out, result))
        return type(result)(written) if type(result) is not tuple else written
    return write_out(out, result)


def _check_out(out, name: str, input) -> None:
    if out is None:
        return
    for o in out if isinstance(out, (tuple, list)) else (out,):
        check_out(o, name, input)


def _np_dtype(dtype):
    return None if dtype is None else D.to_dtype(dtype).np


def _empty_reduction(name: str, dim=None):
    if dim is None:
        return RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                            "== 0. Specify the reduction dim with the 'dim' argument.")
    return IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _check_nonempty(name: str, shape, dims) -> None:
    for d in dims:
        if shape[d] == 0:
            raise _empty_reduction(name, d)


# --- sum, nansum, mean, nanmean --------------------------------------------------


_ALL_DIMS = [tuple(range(n)) for n in range(8)]  # the dims of a full reduction, by ndim


def _sum_kernel(x, dims, keepdim, np_dtype):
    if np_dtype is None:
        if x.dtype.kind in "biu":
            np_dtype = _INT64  # integer sums accumulate in int64, as in PyTorch
        elif x.dtype == _F16:
            return x.sum(axis=dims, keepdims=keepdim, dtype=_F32).astype(_F16)
    elif x.dtype.kind == "f" and np_dtype.kind != "f":
        x = x.astype(np_dtype)  # PyTorch casts each element first, then sums
    if x.size >= _PAR_MIN:
        return parallel.reduce(np.add, x, dims, keepdim, np_dtype)
    if type(x) is np.ndarray:  # what x.sum() calls, without NumPy's Python wrapper around it
        return _add_reduce(x, dims, np_dtype, None, keepdim)
    return x.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)


class Sum(ArrayFunction):
    """Sum over ``dims``; the gradient is the output's, broadcast back."""

    node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return _sum_kernel(x, dims, keepdim, np_dtype)

    @staticmethod
    def backward(ctx, grad):
        if not grad_mode.enabled and len(ctx.dims) == len(ctx.shape):
            # A plain backward of a full sum (the usual loss): the 0-d (or all-ones)
            # gradient seen with the input's shape, no reshape needed first.
            return Tensor._make(broadcast_view(grad._data, ctx.shape)), None, None, None
        return _unreduce(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumDim(Sum):
    node_name = "SumBackward1"


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):  # noqa: A001
    """Sum of elements, over all of them or over ``dim`` (an int or a tuple of ints)."""
    if dim is None and dtype is None and out is None:  # x.sum(), the usual loss: no checks
        x = input._data
        if grad_mode.enabled and input._requires_grad and x.dtype.kind == "f":
            # The hot path (autograd/function.py): what Sum.apply records.
            dims = _ALL_DIMS[x.ndim] if x.ndim < 8 else tuple(range(x.ndim))
            ctx = _fn.new_node(Sum, input, None, 4)
            ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
            token = _cpu.fp_errors_off()  # an overflow to inf, silently, as in PyTorch
            try:
                return _fn.node_output(ctx, _sum_kernel(x, dims, keepdim, None))
            finally:
                _cpu.fp_errors_restore(token)
        return Sum.apply(input, tuple(range(input.ndim)), keepdim, None)
    _check_out(out, "sum", input)
    dims = _dims_of(dim, input.ndim)
    fn = Sum if dim is None else SumDim
    return _finish(fn.apply(input, dims, keepdim, _np_dtype(dtype)), out, "sum")


class Nansum(ArrayFunction):
    """Sum treating NaN as zero; NaN positions get no gradient."""

    node_name = "NansumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if x.dtype.kind != "f":
            return _sum_kernel(x, dims, keepdim, np_dtype)
        xp = xp_of(x)
        nans = xp.isnan(x)
        ctx.mask = (~nans).astype(x.dtype) if ctx.needs_input_grad[0] and nans.any() else None
        return xp.nansum(x, axis=dims, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _unreduce(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return (g if ctx.mask is None else g * _const(ctx.mask)), None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements, treating NaN as zero."""
    _check_out(out, "nansum", input)
    dims = _dims_of(dim, input.ndim)
    return _finish(Nansum.apply(input, dims, keepdim, _np_dtype(dtype)), out, "nansum")


class Mean(ArrayFunction):
    """Mean over ``dims``: a sum divided by the number of elements reduced."""

    node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, np_dtype):
        n = _numel(x.shape, dims)
        ctx.shape, ctx.dims, ctx.keepdim, ctx.n = x.shape, dims, keepdim, n
        if np_dtype is not None and x.dtype != np_dtype:
            x = x.astype(np_dtype)
        xp = xp_of(x)
        if n == 0:
            return xp.full(_out_shape(x.shape, dims, keepdim), np.nan, dtype=x.dtype)
        if x.dtype == _F16:
            return (x.sum(axis=dims, keepdims=keepdim, dtype=_F32) / n).astype(_F16)
        if x.size >= _PAR_MIN:
            out = parallel.reduce(np.add, x, dims, keepdim)
        else:
            out = x.sum(axis=dims, keepdims=keepdim)
        if isinstance(out, xp.ndarray):
            out /= n
            return out
        return out / n

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.n, None, None, None


class MeanDim(Mean):
    node_name = "MeanBackward1"


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of elements; ``input`` must be floating point (or ``dtype`` given)."""
    if (dim is None and dtype is None and out is None and grad_mode.enabled
            and input._requires_grad and input._data.dtype.kind == "f"):
        # x.mean(), a loss: the hot path (autograd/function.py), what Mean.apply records.
        x = input._data
        ctx = _fn.new_node(Mean, input, None, 4)
        dims = _ALL_DIMS[x.ndim] if x.ndim < 8 else tuple(range(x.ndim))
        with _cpu.quiet():
            return _fn.node_output(ctx, Mean.forward(ctx, x, dims, keepdim, None))
    dt = D.to_dtype(dtype) if dtype is not None else input.dtype
    if not dt.is_floating_point:
        raise RuntimeError(
            f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} "
            f"dtype must be either a floating point or complex dtype. Got: {dt._legacy}"
        )
    _check_out(out, "mean", input)
    dims = _dims_of(dim, input.ndim)
    fn = Mean if dim is None else MeanDim
    return _finish(fn.apply(input, dims, keepdim, _np_dtype(dtype)), out, "mean")


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements: ``nansum / count`` (so its grad_fn is DivBackward0)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype._legacy}")
    if dtype is not None and not D.to_dtype(dtype).is_floating_point:
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{D.to_dtype(dtype)._legacy}")
    _check_out(out, "nanmean", input)
    from .pointwise import div

    dims = _dims_of(dim, input.ndim)
    x = input._data
    xp = xp_of(x)
    count = _const(xp.asarray((~xp.isnan(x)).sum(axis=dims, keepdims=keepdim)))
    with _quiet(xp):
        result = div(nansum(input, dim, keepdim, dtype=dtype), count)
    return _finish(result, out, "nanmean")


# --- prod --------------------------------------------------------------------


class Prod(ArrayFunction):
    """Product of elements. Gradient: the product of all the *other* elements."""

    node_name = "ProdBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, np_dtype):
        ctx.dim, ctx.keepdim = dim, keepdim
        if np_dtype is None and x.dtype.kind in "biu":
            np_dtype = _INT64
        out = x.prod(axis=dim, keepdims=keepdim, dtype=np_dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _prod_backward(grad, x, out, ctx.dim, ctx.keepdim), None, None, None


class ProdDim(Prod):
    node_name = "ProdBackward1"


def _prod_backward(grad, x, out, dim, keepdim):
    if x.ndim == 0:
        return grad
    if dim is not None and not keepdim:
        grad, out = grad.unsqueeze(dim), out.unsqueeze(dim)
    xa = x._data
    xp = xp_of(xa)
    zeros = xa == 0
    if not zeros.any():
        return grad * (out / x)
    if dim is None:  # work on the flattened input
        if not grad_mode.enabled and int(zeros.sum()) > 1:
            return grad * _const(xp.zeros_like(xa))
        flat = xa.reshape(-1)
        if grad_mode.enabled:
            return grad * _others_product(x.reshape(-1), 0).reshape(xa.shape)
        return grad * _const(_others_product_np(flat, 0).reshape(xa.shape))
    if grad_mode.enabled:
        return grad * _others_product(x, dim)
    return grad * _const(_others_product_np(xa, dim))


def _others_product_np(a, dim):
    """For each element, the product of the other elements along ``dim`` (zeros are fine):
    exclusive cumulative products from the left times those from the right."""
    xp = xp_of(a)
    a = xp.moveaxis(a, dim, -1)
    left = xp.ones_like(a)
    right = xp.ones_like(a)
    xp.cumprod(a[..., :-1], axis=-1, out=left[..., 1:])
    xp.cumprod(a[..., :0:-1], axis=-1, out=right[..., -2::-1])
    return xp.moveaxis(left * right, -1, dim)


def _others_product(x, dim):
    """``_others_product_np`` with Tensor ops (differentiable; O(n^2), for create_graph)."""
    xp = xp_of(x._data)
    n = x.shape[dim]
    total = None
    for k in range(n):
        hole = xp.ones((n,) + (1,) * (x.ndim - 1 - dim), dtype=x.dtype.np)
        hole[k] = 0  # 1 everywhere but at k along dim
        others = (x * _const(hole) + _const(1 - hole)).prod(dim, keepdim=True)
        term = others * _const(1 - hole)
        total = term if total is None else total + term
    return total


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of elements, over all of them or over one ``dim``."""
    _check_out(out, "prod", input)
    if dim is None:
        result = Prod.apply(input, None, False, _np_dtype(dtype))
    else:
        d = _one_dim(dim, input.ndim, "prod")
        result = ProdDim.apply(input, d if input.ndim else None, keepdim, _np_dtype(dtype))
    return _finish(result, out, "prod")


# --- max, min, amax, amin, aminmax, argmax, argmin --------------------------------


class _ReduceAll(ArrayFunction):
    """max/min/median over every element: ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, x, kernel):
        out = kernel(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, value = ctx.saved_tensors
        xa, va = x._data, value._data
        xp = xp_of(xa)
        mask = xp.isnan(xa) if bool(xp.isnan(va)) else xa == va
        # zeros with the share filled in, as PyTorch's CPU kernel: a +0 elsewhere, whatever
        # the gradient (``grad * mask`` would give -0 for a negative one, nan for inf)
        zeros = Tensor._make(xp.zeros(xa.shape, dtype=grad._data.dtype))
        return zeros.masked_fill(Tensor._make(mask), grad / int(mask.sum())), None


class MaxAll(_ReduceAll):
    node_name = "MaxBackward1"


class MinAll(_ReduceAll):
    node_name = "MinBackward1"


class MedianAll(_ReduceAll):
    node_name = "MedianBackward0"


class NanmedianAll(_ReduceAll):
    node_name = "NanmedianBackward0"


def _amax_weights(x, value):
    """Where ``x`` equals its (broadcast) extreme, divided by how many do: the share of the
    gradient each element gets (NaN slices get NaN, as in PyTorch)."""
    xp = xp_of(x)
    mask = (x == value).astype(x.dtype)
    with _quiet(xp):
        return mask / mask.sum(axis=tuple(i for i, s in enumerate(value.shape)
                                          if s == 1 and x.shape[i] != 1), keepdims=True)


class Amax(ArrayFunction):
    """max over ``dims`` without indices: ties share the gradient evenly."""

    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, is_max):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if x.size >= _PAR_MIN:
            out = parallel.reduce(np.maximum if is_max else np.minimum, x, dims, keepdim)
        else:
            out = (x.max if is_max else x.min)(axis=dims, keepdims=keepdim)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        value = out._data if keepdim else out._data.reshape(_keep_shape(shape, dims))
        w = _amax_weights(x._data, value)
        return _restore(grad, shape, dims, keepdim) * _const(w), None, None, None


class Amin(Amax):
    node_name = "AminBackward0"


def _amax(name, input, dim, keepdim, out, is_max):
    _check_out(out, name, input)
    dims = _dims_of(dim, input.ndim)
    if input.numel() == 0:
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            raise _empty_reduction(name)
        _check_nonempty(name, input.shape, dims)
    fn = Amax if is_max else Amin
    return _finish(fn.apply(input, dims, keepdim, is_max), out, name)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over ``dim`` (int or tuple; ``()`` for all), values only."""
    return _amax("amax", input, dim, keepdim, out, True)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over ``dim`` (int or tuple; ``()`` for all), values only."""
    return _amax("amin", input, dim, keepdim, out, False)


class Aminmax(ArrayFunction):
    node_name = "AminmaxBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        lo = x.min(axis=dims, keepdims=keepdim)
        hi = x.max(axis=dims, keepdims=keepdim)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, lo, hi)
        return lo, hi

    @staticmethod
    def backward(ctx, grad_min, grad_max):
        x, lo, hi = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        xa = x._data
        w_lo = _amax_weights(xa, lo._data.reshape(_keep_shape(shape, dims)))
        w_hi = _amax_weights(xa, hi._data.reshape(_keep_shape(shape, dims)))
        g = (_restore(grad_min, shape, dims, keepdim) * _const(w_lo)
             + _restore(grad_max, shape, dims, keepdim) * _const(w_hi))
        return g, None, None


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` in one pass, over everything or over one ``dim``."""
    _check_out(out, "aminmax", input)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = tuple(range(input.ndim))
    else:
        d = _one_dim(dim, input.ndim, "aminmax")
        if input.ndim and input.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if input.ndim else ()
    result = return_types.aminmax(Aminmax.apply(input, dims, keepdim))
    return _finish(result, out, "aminmax")


def _arg(name, input, dim, keepdim):
    x = input._data
    xp = xp_of(x)
    if x.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    fn = xp.argmax if name == "argmax" else xp.argmin
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        r = fn(x.reshape(-1))
        if keepdim:
            r = xp.reshape(r, (1,) * x.ndim)
    else:
        d = _one_dim(dim, x.ndim, name)
        if x.ndim == 0:
            r = xp.zeros((), dtype=_INT64)
        else:
            if x.shape[d] == 0:
                raise _empty_reduction(name, d)
            r = fn(x, axis=d, keepdims=keepdim)
    return Tensor._make(xp.asarray(r, dtype=_INT64))


def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (of the flattened input, or along ``dim``); NaN counts as max."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (of the flattened input, or along ``dim``); NaN counts as min."""
    return _arg("argmin", input, dim, keepdim)


# --- value-selecting reductions: values and the index they came from ------------
#
# A kernel maps (x, dim, *args) -> (values, indices), both keeping ``dim`` (size 1,
# or k for topk, or n for sort). ``_SelectAlong`` runs it and sends the gradient of
# the values back to the selected positions.


class _SelectAlong(ArrayFunction):
    """Values picked along ``dim`` by ``kernel``, and their indices (not differentiable)."""

    @staticmethod
    def forward(ctx, x, kernel, dim, keepdim, *args):
        ctx.shape, ctx.dim, ctx.nargs = x.shape, dim, 4 + len(args)
        if x.ndim == 0:
            values, index = x.copy(), xp_of(x).zeros((), dtype=_INT64)
            ctx.index = index
            return values, index
        values, index = kernel(x, dim, *args)
        ctx.index = index  # keeps ``dim``: the scatter in backward needs it
        if not keepdim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        return values, index

    @staticmethod
    def backward(ctx, grad, grad_index):
        index = ctx.index
        if grad.shape != index.shape:
            grad = grad.reshape(index.shape)
        g = _Scatter.apply(grad, index, ctx.dim, ctx.shape, False)
        return (g,) + (None,) * (ctx.nargs - 1)


class MaxDim(_SelectAlong):
    node_name = "MaxBackward0"


class MinDim(_SelectAlong):
    node_name = "MinBackward0"


class MedianDim(_SelectAlong):
    node_name = "MedianBackward1"


class NanmedianDim(_SelectAlong):
    node_name = "NanmedianBackward1"


class Kthvalue(_SelectAlong):
    node_name = "KthvalueBackward0"


class Mode(_SelectAlong):
    node_name = "ModeBackward0"


class Sort(_SelectAlong):
    node_name = "SortBackward0"


class Topk(_SelectAlong):
    node_name = "TopkBackward0"


def _take(a, index, dim):
    return xp_of(a).take_along_axis(a, index, axis=dim)


def _slice(a, dim, start, stop):
    return a[(slice(None),) * dim + (slice(start, stop),)]


def _argsort(x, dim, descending=False):
    """Stable argsort along ``dim``; NaN sorts as the largest value (PyTorch's order)."""
    xp = xp_of(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    # Stable descending: sort the reversed array ascending, then reverse back, so
    # equal elements keep their original order.
    n = x.shape[dim]
    order = xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable")
    return xp.flip(n - 1 - order, axis=dim)


def _max_kernel(x, dim):
    return x.max(axis=dim, keepdims=True), x.argmax(axis=dim, keepdims=True)


def _min_kernel(x, dim):
    return x.min(axis=dim, keepdims=True), x.argmin(axis=dim, keepdims=True)


def _median_kernel(x, dim, ignore_nan):
    """Lower median along ``dim``; with NaNs, the first NaN (or, ignoring them, the lower
    median of the rest)."""
    xp = xp_of(x)
    order = _argsort(x, dim)
    n = x.shape[dim]
    if x.dtype.kind != "f":
        index = _slice(order, dim, (n - 1) // 2, (n - 1) // 2 + 1)
        return _take(x, index, dim), index
    nans = xp.isnan(x)
    if ignore_nan:
        count = n - nans.sum(axis=dim, keepdims=True)
        k = xp.maximum(count - 1, 0) // 2
        index = _take(order, k, dim)
    else:
        index = _slice(order, dim, (n - 1) // 2, (n - 1) // 2 + 1)
        has_nan = nans.any(axis=dim, keepdims=True)
        if has_nan.any():
            index = xp.where(has_nan, nans.argmax(axis=dim, keepdims=True), index)
    return _take(x, index, dim), index


def _kth_kernel(x, dim, k):
    index = _slice(_argsort(x, dim), dim, k - 1, k)
    return _take(x, index, dim), index


def _mode_kernel(x, dim):
    """Most frequent value along ``dim`` (the smallest among equally frequent ones) and the
    index of its last occurrence, found from the runs of equal values in sorted order."""
    xp = xp_of(x)
    a = xp.moveaxis(x, dim, -1)
    n = a.shape[-1]
    order = xp.argsort(a, axis=-1, kind="stable")
    s = xp.take_along_axis(a, order, axis=-1)
    pos = xp.arange(n)
    edge = s[..., 1:] != s[..., :-1]  # a new run starts at j + 1
    true = xp.ones(edge.shape[:-1] + (1,), dtype=bool)
    starts = xp.concatenate([true, edge], axis=-1)
    ends = xp.concatenate([edge, true], axis=-1)
    run_start = xp.maximum.accumulate(xp.where(starts, pos, 0), axis=-1)
    run_end = xp.flip(xp.minimum.accumulate(xp.flip(xp.where(ends, pos, n), -1), axis=-1), -1)
    best = xp.argmax(run_end - run_start, axis=-1, keepdims=True)  # first: smallest value
    last = xp.take_along_axis(run_end, best, axis=-1)  # stable sort: last occurrence
    index = xp.take_along_axis(order, last, axis=-1)
    values = xp.take_along_axis(s, last, axis=-1)
    return xp.moveaxis(values, -1, dim), xp.moveaxis(index, -1, dim)


def _sort_kernel(x, dim, descending):
    index = _argsort(x, dim, descending)
    return _take(x, index, dim), index


def _topk_kernel(x, dim, k, largest):
    xp = xp_of(x)
    n = x.shape[dim]
    if 0 < k < n:
        # O(n) selection of the k candidates, then a sort of just those k (kept in index
        # order first, so equal values come out in the order they appear).
        part = xp.argpartition(x, n - k if largest else k - 1, axis=dim)
        cand = xp.sort(_slice(part, dim, n - k, n) if largest else _slice(part, dim, 0, k),
                       axis=dim)
        index = _take(cand, _argsort(_take(x, cand, dim), dim, descending=largest), dim)
    else:
        index = _slice(_argsort(x, dim, descending=largest), dim, 0, k)
    return _take(x, index, dim), index


def _select(fn, kernel, name, input, dim, keepdim, *args):
    d = _one_dim(dim, input.ndim, name)
    if input.ndim:
        _check_nonempty(name, input.shape, (d,))
    return fn.apply(input, kernel, d, keepdim, *args)


def _max_min(name, input, dim, keepdim, out, other):
    if other is not None or isinstance(dim, Tensor):
        from . import pointwise

        fn = pointwise.maximum if name == "max" else pointwise.minimum
        return fn(input, dim if other is None else other, out=out)
    _check_out(out, name, input)
    is_max = name == "max"
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(Tensor, keepdim=bool)")
        if input.numel() == 0:
            raise _empty_reduction(name)
        result = (MaxAll if is_max else MinAll).apply(input, _max_all if is_max else _min_all)
        return _finish(result, out, name)
    fn, kernel = (MaxDim, _max_kernel) if is_max else (MinDim, _min_kernel)
    rtype = return_types.max if is_max else return_types.min
    return _finish(rtype(_select(fn, kernel, name, input, dim, keepdim)), out, name)


def _max_all(x):
    return x.max()


def _min_all(x):
    return x.min()


def max(input, dim=None, keepdim=False, *, out=None, other=None):  # noqa: A001
    """``max(x)``: the largest element. ``max(x, dim, keepdim)``: ``(values, indices)``.
    ``max(x, other)``: the elementwise maximum (``numtorch.maximum``)."""
    return _max_min("max", input, dim, keepdim, out, other)


def min(input, dim=None, keepdim=False, *, out=None, other=None):  # noqa: A001
    """``min(x)``: the smallest element. ``min(x, dim, keepdim)``: ``(values, indices)``.
    ``min(x, other)``: the elementwise minimum (``numtorch.minimum``)."""
    return _max_min("min", input, dim, keepdim, out, other)


def _median_all(x, ignore_nan):
    xp = xp_of(x)
    flat = x.reshape(-1)
    if x.dtype.kind == "f":
        nans = xp.isnan(flat)
        if nans.any():
            if not ignore_nan:
                return xp.asarray(np.nan, dtype=x.dtype)
            flat = flat[~nans]
    if flat.size == 0:  # PyTorch's NaN, cast to the dtype (int64: its minimum, as C casts)
        with np.errstate(invalid="ignore"):
            return xp.asarray(np.nan).astype(x.dtype)
    k = (flat.size - 1) // 2
    return xp.asarray(xp.partition(flat, k)[k])


def _median(name, input, dim, keepdim, out, ignore_nan):
    if input.dtype is D.bool:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    _check_out(out, name, input)
    if dim is None:
        fn = NanmedianAll if ignore_nan else MedianAll
        return _finish(fn.apply(input, lambda x: _median_all(x, ignore_nan)), out, name)
    fn = NanmedianDim if ignore_nan else MedianDim
    rtype = return_types.nanmedian if ignore_nan else return_types.median
    result = _select(fn, _median_kernel, name, input, dim, keepdim, ignore_nan)
    return _finish(rtype(result), out, name)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``. NaN wins."""
    return _median("median", input, dim, keepdim, out, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaNs (NaN only where a slice is all NaN)."""
    return _median("nanmedian", input, dim, keepdim, out, True)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` and the index of (its last) occurrence."""
    _check_out(out, "mode", input)
    result = return_types.mode(_select(Mode, _mode_kernel, "mode", input, dim, keepdim))
    return _finish(result, out, "mode")


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    _check_out(out, "kthvalue", input)
    d = _one_dim(dim, input.ndim, "kthvalue")
    n = 1
    if input.ndim:
        _check_nonempty("kthvalue", input.shape, (d,))
        n = input.shape[d]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if input.dtype == D.bool:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    result = Kthvalue.apply(input, _kth_kernel, d, keepdim, int(k))
    return _finish(return_types.kthvalue(result), out, "kthvalue")


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values along ``dim`` and the permutation that sorts them (always stable)."""
    _check_out(out, "sort", input)
    d = _one_dim(dim, input.ndim, "sort")
    result = Sort.apply(input, _sort_kernel, d, True, bool(descending))
    return _finish(return_types.sort(result), out, "sort")


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    x = input._data
    d = _one_dim(dim, x.ndim, "argsort")
    if x.ndim == 0:
        return Tensor._make(xp_of(x).zeros((), dtype=_INT64))
    return Tensor._make(_argsort(x, d, descending).astype(_INT64, copy=False))


def msort(input, *, out=None):
    """Sort along dim 0 (values only)."""
    _check_out(out, "msort", input)
    return _finish(sort(input, 0).values, out, "msort")


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    The result is always sorted (PyTorch leaves the order unspecified when sorted=False).
    """
    _check_out(out, "topk", input)
    d = _one_dim(dim, input.ndim, "topk")
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if input.dtype == D.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    result = Topk.apply(input, _topk_kernel, d, True, int(k), bool(largest))
    return _finish(return_types.topk(result), out, "topk")


# --- var, std, var_mean, std_mean ------------------------------------------------


class Var(ArrayFunction):
    """Variance over ``dims`` with ``correction`` (Bessel's is 1): sum((x - mean)^2) / dof.

    ``kind`` is 'var', 'std', 'var_mean' or 'std_mean' (the last two also return the mean).
    """

    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, full, kind):
        xp = xp_of(x)
        n = _numel(x.shape, dims)
        ctx.shape, ctx.dims, ctx.keepdim, ctx.full = x.shape, dims, keepdim, full
        ctx.correction, ctx.n, ctx.kind = correction, n, kind
        work = x.astype(_F32) if x.dtype == _F16 else x
        dof = builtins.max(0, n - correction)
        if dof <= 0:
            _warnings.warn(f"{kind}(): degrees of freedom is <= 0. Correction should be strictly "
                           "less than the reduction factor (input numel divided by output numel).",
                           UserWarning)
        with _quiet(xp):
            mean_k = work.sum(axis=dims, keepdims=True) / n
            dev = work - mean_k
            dev *= dev
            out = dev.sum(axis=dims, keepdims=keepdim) / dof
            if kind.startswith("std"):
                out = xp.sqrt(out)
        out = xp.asarray(out).astype(x.dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        if not kind.endswith("mean"):
            return out
        m = mean_k if keepdim else mean_k.reshape(_out_shape(x.shape, dims, False))
        return out, m.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad, grad_mean=None):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        if ctx.kind.startswith("std"):  # d std = d var / (2 std), and 0 where std == 0
            zero = out._data == 0
            if zero.any():
                grad = grad * _const(~zero) / (out * 2 + _const(zero.astype(out._data.dtype)))
            else:
                grad = grad / (out * 2)
        g = _var_backward(grad, x, shape, dims, keepdim, ctx.full, ctx.correction, ctx.n)
        if grad_mean is not None:
            g = g + _unreduce(grad_mean, shape, dims, keepdim) / ctx.n
        return g, None, None, None, None, None


class Std(Var):
    node_name = "StdBackward0"


class VarMean(Var):
    node_name = "VarMeanBackward0"


class StdMean(Var):
    node_name = "StdMeanBackward0"


def _var_backward(grad, x, shape, dims, keepdim, full, correction, n):
    """PyTorch's var gradient: 2 (x - mean) / dof; over all elements with dof <= 0 it is
    NaN where x equals the mean and inf elsewhere."""
    if full:
        dof = n - correction
        if dof <= 0:
            xa = x._data
            xp = xp_of(xa)
            w = xp.where(xa == xa.mean(), np.nan, np.inf).astype(xa.dtype)
            return grad * _const(w)
        return (2.0 / dof) * grad * (x - x.mean())
    grad = _restore(grad, shape, dims, keepdim)
    dof = n - correction
    scale = 2.0 / dof if dof != 0 else math.inf
    return scale * grad * (x - x.mean(dims, keepdim=True))


_VAR_FNS = {"var": Var, "std": Std, "var_mean": VarMean, "std_mean": StdMean}


def _var(kind, input, dim, unbiased, keepdim, correction, out=None):
    if isinstance(dim, bool):  # var(x, unbiased): the legacy positional form
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(f"{kind}() received an invalid combination of arguments - got both "
                        "'unbiased' and 'correction'")
    if correction is None:
        correction = 0 if unbiased is False else 1
    if not input.dtype.is_floating_point:
        which = "std and var" if kind in ("var", "std") else kind
        raise RuntimeError(f"{which} only support floating point and complex dtypes")
    _check_out(out, kind, input)
    dims = _dims_of(dim, input.ndim)
    full = dim is None or input.ndim == 0
    result = _VAR_FNS[kind].apply(input, dims, correction, keepdim, full, kind)
    return _finish(result, out, kind)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with ``correction`` (default 1; ``unbiased=False`` means 0)."""
    return _var("var", input, dim, unbiased, keepdim, correction, out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim``: the square root of ``var``."""
    return _var("std", input, dim, unbiased, keepdim, correction, out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` in one pass."""
    return _var("var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` in one pass."""
    return _var("std_mean", input, dim, unbiased, keepdim, correction)


# --- norm --------------------------------------------------------------------


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: a vector p-norm over ``dim`` (2 by default; any number, inf, -inf, or 0
    to count nonzeros), or the matrix norm 'nuc' (or 'fro' over more than two dims).

    As in PyTorch, this only chooses between ``linalg.vector_norm`` and
    ``linalg.matrix_norm`` (numtorch/ops/linalg.py), which compute and differentiate.
    """
    from . import linalg

    if input.ndim == 0 and dim is not None:
        _dims_of(dim, 0)  # validate; a 0-d tensor has nothing to reduce
        dim = None
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "fro" and (dim is None or _is_int(dim) or len(dim) <= 2):
            return linalg.vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        dims = list(range(input.ndim)) if dim is None else ([dim] if _is_int(dim) else dim)
        return linalg.matrix_norm(input, p, dims, keepdim, dtype=dtype, out=out)
    return linalg.vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype,
                              out=out)


# --- logsumexp, softmax, log_softmax ---------------------------------------------


class Logsumexp(ArrayFunction):
    """log(sum(exp(x))) over ``dims``, computed as m + log(sum(exp(x - m))) with m the max."""

    node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = xp_of(x)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        src = x
        if x.dtype.kind != "f":
            x = x.astype(D.get_default_dtype().np)
        with _quiet(xp):
            if x.size:
                m = x.max(axis=dims, keepdims=True)
                m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf) slices: no shift
            else:
                m = xp.zeros(_keep_shape(x.shape, dims), dtype=x.dtype)
            shifted = xp.asarray(x - m)  # (a 0-d input gives a NumPy scalar)
            xp.exp(shifted, out=shifted)
            out = xp.log(shifted.sum(axis=dims, keepdims=True))
            out += m
        if not keepdim:
            out = out.reshape(_out_shape(x.shape, dims, False))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.shape, ctx.dims, ctx.keepdim
        g = _restore(grad, shape, dims, keepdim)
        with _quiet(xp_of(x._data)):  # inf - inf = nan, as in PyTorch
            return g * (x - _restore(out, shape, dims, keepdim)).exp(), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))``, without overflow."""
    _check_out(out, "logsumexp", input)
    dims = _dims_of(dim, input.ndim)
    return _finish(Logsumexp.apply(input, dims, keepdim), out, "logsumexp")


def _softmax_np(x, axis, log):
    xp = xp_of(x)
    if x.size == 0:
        return xp.empty_like(x)
    if x.ndim == 0:
        return _softmax_np(x.reshape(1), 0, log).reshape(())
    work = x.astype(_F32) if x.dtype == _F16 else x  # PyTorch computes half in float32
    with _quiet(xp):
        out = work - work.max(axis=axis, keepdims=True)
        if log:
            out -= xp.log(xp.exp(out).sum(axis=axis, keepdims=True))
        else:
            xp.exp(out, out=out)
            out *= 1 / out.sum(axis=axis, keepdims=True)  # one reciprocal per row
    return out.astype(x.dtype, copy=False)


class Softmax(ArrayFunction):
    """exp(x - max) / sum(exp(x - max)) along ``dim``.

    Backward: y * (g - sum(g * y)). A plain backward runs it as four NumPy calls on one
    buffer; when a graph of the backward is being built (create_graph) it runs as Tensor
    ops, so it can be differentiated again.
    """

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = _softmax_np(x, dim, False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        if not grad_mode.enabled:
            ya, g = y._data, grad._data
            xp = xp_of(ya)
            if ya.ndim == 0:
                return _const(ya * (g - g * ya)), None
            gy = g * ya
            dot = gy.sum(axis=ctx.dim, keepdims=True)
            xp.subtract(g, dot, out=gy)  # reuse the buffer: y * (g - dot)
            gy *= ya
            return _const(gy), None
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(ArrayFunction):
    """x - max - log(sum(exp(x - max))) along ``dim``. Backward: g - exp(y) * sum(g)."""

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = _softmax_np(x, dim, True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        if not grad_mode.enabled:
            ya, g = y._data, grad._data
            xp = xp_of(ya)
            if ya.ndim == 0:
                return _const(g - xp.exp(ya) * g), None
            gi = xp.exp(ya)
            gi *= g.sum(axis=ctx.dim, keepdims=True)
            xp.subtract(g, gi, out=gi)
            return _const(gi), None
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


def _softmax(fn, name, input, dim, dtype):
    d = _one_dim(dim, input.ndim, name)
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
    if not input.dtype.is_floating_point:  # PyTorch has a kernel for the last dim and one
        kernel = f"{name}_lastdim_kernel_impl" if d == builtins.max(input.ndim - 1, 0) else \
            f"{name}_kernel_impl"  # for the others: its error names the one it tried
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype._legacy}\'')
    return fn.apply(input, d)


def softmax(input, dim, dtype=None):
    """Softmax along ``dim``: non-negative values that sum to 1 (numerically stable)."""
    return _softmax(Softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    """log(softmax(input)) along ``dim``, computed without the intermediate softmax."""
    return _softmax(LogSoftmax, "log_softmax", input, dim, dtype)


# --- cumulative ops ---------------------------------------------------------------


class Cumsum(ArrayFunction):
    """Running sum along ``dim``. Its gradient is the reversed running sum."""

    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.dim = dim
        if np_dtype is None and x.dtype.kind in "biu":
            np_dtype = _INT64
        if x.ndim == 0:
            return x.astype(np_dtype or x.dtype, copy=True)
        return xp_of(x).cumsum(x, axis=dim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return _RevCumsum.apply(grad, ctx.dim), None, None


class _RevCumsum(ArrayFunction):
    """Sum from each position to the end along ``dim`` (the gradient of cumsum; its own
    gradient is cumsum)."""

    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, g, dim):
        ctx.dim = dim
        if g.ndim == 0:
            return g.copy()
        xp = xp_of(g)
        return xp.flip(xp.cumsum(xp.flip(g, dim), axis=dim), dim)

    @staticmethod
    def backward(ctx, grad):
        return Cumsum.apply(grad, ctx.dim, None), None


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``; integer and bool inputs give int64."""
    _check_out(out, "cumsum", input)
    d = _one_dim(dim, input.ndim, "cumsum")
    return _finish(Cumsum.apply(input, d, _np_dtype(dtype)), out, "cumsum")


class Cumprod(ArrayFunction):
    """Running product along ``dim``."""

    node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, dim, np_dtype):
        ctx.dim = dim
        if np_dtype is None and x.dtype.kind in "biu":
            np_dtype = _INT64
        if x.ndim == 0:
            out = x.astype(np_dtype or x.dtype, copy=True)
        else:
            out = xp_of(x).cumprod(x, axis=dim, dtype=np_dtype)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _cumprod_backward(grad, x, out, ctx.dim), None, None


def _cumprod_backward(grad, x, out, dim):
    """d/dx_k of sum_j g_j y_j: sum_{j >= k} g_j y_j / x_k when x has no zeros; otherwise
    PyTorch's case analysis around the first zero of each slice (see _cumprod_zeros_np)."""
    xa = x._data
    if xa.size <= 1 or xa.shape[dim] == 1:
        return grad
    zero = xa == 0
    if not zero.any():
        return _RevCumsum.apply(out * grad, dim) / x
    if not grad_mode.enabled:
        return _const(_cumprod_zeros_np(grad._data, xa, out._data, dim))
    # Differentiable O(n^2) form: dy_j/dx_k = cumprod(x with x_k replaced by 1)_j for j >= k.
    xp = xp_of(xa)
    n = xa.shape[dim]
    trail = (1,) * (xa.ndim - 1 - dim)
    total = None
    for k in range(n):
        hole = xp.ones((n,) + trail, dtype=xa.dtype)
        hole[k] = 0
        after = xp.zeros((n,) + trail, dtype=xa.dtype)
        after[k:] = 1
        partial = (x * _const(hole) + _const(1 - hole)).cumprod(dim)
        term = (grad * partial * _const(after)).sum(dim, keepdim=True) * _const(1 - hole)
        total = term if total is None else total + term
    return total


def _cumprod_zeros_np(g, x, y, dim):
    """Gradient of cumprod where some slices contain zeros (z1 = the first zero):
    before z1 it is the usual reversed sum / x; at z1 it is
    prod(x[:z1]) * sum_{z1 <= j < z2} g_j prod(x[z1+1 .. j]); after z1 it is 0."""
    xp = xp_of(x)
    w = y * g
    seen = xp.cumsum(x == 0, axis=dim)
    before = seen == 0
    with _quiet(xp):
        gi = xp.where(before, xp.flip(xp.cumsum(xp.flip(w * before, dim), axis=dim), dim) / x, 0)
    first = seen == 1
    at_zero = first & (x == 0)
    between = first & ~at_zero
    run = xp.cumprod(xp.where(between, x, 1), axis=dim)
    s = (g * run * first).sum(axis=dim, keepdims=True)
    prefix = xp.where(before, x, 1).prod(axis=dim, keepdims=True)
    gi = gi + at_zero * (prefix * s)
    return gi.astype(x.dtype, copy=False)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``; integer and bool inputs give int64."""
    _check_out(out, "cumprod", input)
    d = _one_dim(dim, input.ndim, "cumprod")
    return _finish(Cumprod.apply(input, d, _np_dtype(dtype)), out, "cumprod")


class Cummax(ArrayFunction):
    """Running max (or min) along ``dim`` and where it was attained (the latest of ties;
    NaN, once seen, wins). The gradient is scatter-added back to those indices."""

    node_name = "CummaxBackward0"

    @staticmethod
    def forward(ctx, x, dim, is_max):
        xp = xp_of(x)
        ctx.shape, ctx.dim = x.shape, dim
        if x.ndim == 0:
            values, index = x.copy(), xp.zeros((), dtype=_INT64)
        else:
            values = (xp.maximum if is_max else xp.minimum).accumulate(x, axis=dim)
            hit = x == values
            if x.dtype.kind == "f":
                hit |= xp.isnan(x)
            pos = xp.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - 1 - dim))
            index = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim).astype(_INT64)
        ctx.index = index
        return values, index

    @staticmethod
    def backward(ctx, grad, grad_index):
        return _Scatter.apply(grad, ctx.index, ctx.dim, ctx.shape, True), None, None


class Cummin(Cummax):
    node_name = "CumminBackward0"


def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index of each."""
    _check_out(out, "cummax", input)
    d = _one_dim(dim, input.ndim, "cummax")
    return _finish(return_types.cummax(Cummax.apply(input, d, True)), out, "cummax")


def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index of each."""
    _check_out(out, "cummin", input)
    d = _one_dim(dim, input.ndim, "cummin")
    return _finish(return_types.cummin(Cummin.apply(input, d, False)), out, "cummin")


# --- logical reductions and counting (no gradient) ----------------------------------


def _logical(name, input, dim, keepdim, out):
    x = input._data
    xp = xp_of(x)
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dims = ()  # PyTorch: all(x, dim=()) reduces nothing
    else:
        dims = None if dim is None else _dims_of(dim, x.ndim)
    r = (xp.all if name == "all" else xp.any)(x, axis=dims, keepdims=keepdim)
    r = xp.asarray(r, dtype=np.uint8 if x.dtype == np.uint8 else np.bool_)
    return _finish(Tensor._make(r), out, name)


def all(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """True if every element (over ``dim``) is nonzero; uint8 input gives uint8."""
    return _logical("all", input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """True if some element (over ``dim``) is nonzero; uint8 input gives uint8."""
    return _logical("any", input, dim, keepdim, out)


def count_nonzero(input, dim=None):
    """Number of nonzero elements, over all or over ``dim`` (int or tuple)."""
    x = input._data
    xp = xp_of(x)
    dims = _dims_of(dim, x.ndim)
    if not dims:
        return _const(xp.asarray(x != 0).astype(_INT64))
    return Tensor._make(xp.asarray(xp.count_nonzero(x, axis=dims), dtype=_INT64))


# --- unique ----------------------------------------------------------------------


class _Unique(ArrayFunction):
    """unique / unique_consecutive: values with no derivative (as in PyTorch)."""

    node_name = "Unique2Backward0"
    _op = "_unique2"

    @staticmethod
    def forward(ctx, x, dim, consecutive):
        ctx.op = type(ctx)._forward_cls._op
        return (_unique_consecutive_np if consecutive else _unique_np)(x, dim)

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"the derivative for '{ctx.op}' is not implemented.")


class _UniqueDim(_Unique):
    node_name = "UniqueDimBackward0"
    _op = "unique_dim"


class _UniqueConsecutive(_Unique):
    node_name = "UniqueConsecutiveBackward0"
    _op = "unique_consecutive"


def _unique_np(x, dim):
    xp = xp_of(x)
    if dim is None:
        kw = {"equal_nan": False} if x.dtype.kind == "f" else {}
        values, inverse, counts = xp.unique(x.reshape(-1), return_inverse=True,
                                            return_counts=True, **kw)
        inverse = inverse.reshape(x.shape)
    else:
        values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=dim)
        inverse = inverse.reshape(-1)
    return values, inverse.astype(_INT64, copy=False), counts.astype(_INT64, copy=False)


def _unique_consecutive_np(x, dim):
    xp = xp_of(x)
    a = x.reshape(-1) if dim is None else xp.moveaxis(x, dim, 0)
    n = a.shape[0]
    if n == 0:
        keep = xp.zeros(0, dtype=bool)
    else:
        width = math.prod(a.shape[1:])  # the elements of one slice (1 without dim)
        change = (a[1:] != a[:-1]).reshape(n - 1, width).any(axis=1)
        keep = xp.concatenate([xp.ones(1, dtype=bool), change])
    values = a[keep]
    inverse = (xp.cumsum(keep) - 1).astype(_INT64)
    starts = xp.flatnonzero(keep)
    counts = xp.diff(xp.append(starts, n)).astype(_INT64)
    if dim is None:
        inverse = inverse.reshape(x.shape)
    else:
        values = xp.moveaxis(values, 0, dim)
    return values, inverse, counts


def _unique_result(results, return_inverse, return_counts):
    values, inverse, counts = results
    if not return_inverse and not return_counts:
        return values
    return (values,) + ((inverse,) if return_inverse else ()) + (
        (counts,) if return_counts else ())


def unique(input, sorted=True, return_inverse=False, return_counts=False,  # noqa: A002
           dim=None):
    """The distinct values (sorted), optionally with the inverse map and the counts."""
    if dim is None:
        results = _Unique.apply(input, None, False)
    else:
        results = _UniqueDim.apply(input, _unique_dim(dim, input), False)
    return _unique_result(results, return_inverse, return_counts)


def _unique_dim(dim, input) -> int:
    """``dim`` of ``unique``/``unique_consecutive``, wrapped, with PyTorch's errors."""
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, input.ndim)
    if builtins.any(s == 0 for i, s in enumerate(input.shape) if i != d):
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    return d


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive values (or slices along ``dim``) to one."""
    d = None if dim is None else _unique_dim(dim, input)
    results = _UniqueConsecutive.apply(input, d, True)
    return _unique_result(results, return_inverse, return_counts)


# --- gather / scatter along a dim: the backward of every index-selecting op ------------


def _along(index, dim):
    """An index tuple that picks ``index`` along ``dim`` and everything else in place."""
    xp = xp_of(index)
    nd = index.ndim
    idx = []
    for i, n in enumerate(index.shape):
        if i == dim:
            idx.append(index)
        else:
            idx.append(xp.arange(n).reshape((1,) * i + (n,) + (1,) * (nd - 1 - i)))
    return tuple(idx)


class _Gather(ArrayFunction):
    """``x`` read at ``index`` along ``dim`` (torch.gather)."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape, ctx.index, ctx.dim = x.shape, index, dim
        return x.copy() if x.ndim == 0 else x[_along(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        return _Scatter.apply(grad, ctx.index, ctx.dim, ctx.shape, True), None, None


class _Scatter(ArrayFunction):
    """Zeros of ``shape`` with ``src`` written (or, with ``accumulate``, added) at ``index``
    along ``dim``."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, src, index, dim, shape, accumulate):
        ctx.index, ctx.dim = index, dim
        xp = xp_of(src)
        if len(shape) == 0:
            return xp.array(src, copy=True).reshape(())
        out = xp.zeros(shape, dtype=src.dtype)
        if accumulate:
            xp.add.at(out, _along(index, dim), src)
        else:
            out[_along(index, dim)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return _Gather.apply(grad, ctx.index, ctx.dim), None, None, None, None


# --- diff, dist, sum_to_size ---------------------------------------------------------


def _check_tensor_arg(name: str, what: str, value) -> None:
    if value is not None and not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type_name(value)}")


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """The ``n``-th forward difference along ``dim``: ``x[1:] - x[:-1]``, ``n`` times (bool
    input: ``x[1:] ^ x[:-1]``). ``prepend``/``append`` are concatenated along ``dim`` first.

    As in PyTorch it is built from slices and ``sub``, so its grad_fn is SubBackward0.
    """
    if not _is_int(n):
        raise TypeError(f"diff(): argument 'n' must be int, not {type_name(n)}")
    _check_tensor_arg("diff", "prepend", prepend)
    _check_tensor_arg("diff", "append", append)
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _one_dim(dim, input.ndim, "diff")
    for other in (prepend, append):
        if other is None:
            continue
        if other.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(input.ndim):
            if i != d and other.shape[i] != input.shape[i]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = "
                    f"{input.shape[i]}, but got tensor.size({i}) = {other.shape[i]}")
    if out is not None:
        check_out(out, "sub", input, prepend, append)
    if n == 0:
        # a fresh copy, as PyTorch's empty_like(x).copy_(x): the copy op of ops/copy.py
        return _finish(_Copy.apply(input.detach(), input), out, "diff")
    from .pointwise import logical_xor, sub
    from .shape import cat

    x = input
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        x = cat(parts, d)
    step = logical_xor if x.dtype is D.bool else sub
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        x = step(x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1))
    return _finish(x, out, "diff")


class Dist(ArrayFunction):
    """``vector_norm(input - other, p)`` over every element (with broadcasting).

    The backward is the p-norm's (``LinalgVectorNorm``), applied to the difference and sent
    to ``input`` with a plus sign and to ``other`` with a minus sign.
    """

    node_name = "DistBackward0"

    @staticmethod
    def forward(ctx, a, b, p):
        from .linalg import LinalgVectorNorm

        ctx.p = p
        d = xp_of(a, b).asarray(a - b)
        out = LinalgVectorNorm.forward(ctx, d, p, tuple(range(d.ndim)), False)
        ctx.save_for_backward(a, b, out)  # (replaces the difference LinalgVectorNorm saved)
        return out

    @staticmethod
    def backward(ctx, grad):
        import types

        from .linalg import LinalgVectorNorm

        a, b, out = ctx.saved_tensors
        if ctx.p == 0:
            return None, None, None
        d = a - b
        inner = types.SimpleNamespace(saved_tensors=(d, out), ord=ctx.p,
                                      dims=tuple(range(d.ndim)), keepdim=False)
        g = LinalgVectorNorm.backward(inner, grad)[0]
        return (g if ctx.needs_input_grad[0] else None,
                -g if ctx.needs_input_grad[1] else None, None)


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast), as a 0-d tensor."""
    from .linalg import _ord_str

    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type_name(other)}")
    if isinstance(p, Tensor):
        p = p.item()
    if isinstance(p, str) or not isinstance(p, (int, float, np.number)):
        raise TypeError(f"dist(): argument 'p' must be Number, not {type_name(p)}")
    p = float(p)
    from .pointwise import _check_bool_sub

    _check_bool_sub(input, other)  # dist is norm(input - other): PyTorch's subtraction error
    dt = D.promote_types(input.dtype, other.dtype)
    if not dt.is_floating_point:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {dt._legacy} instead.")
    shape = []
    for i in range(1, builtins.max(input.ndim, other.ndim) + 1):
        sa = input.shape[-i] if i <= input.ndim else 1
        sb = other.shape[-i] if i <= other.ndim else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b "
                               f"({sb}) at non-singleton dimension "
                               f"{builtins.max(input.ndim, other.ndim) - i}")
        shape.append(builtins.max(sa, sb) if sa and sb else 0)
    if (p < 0 or p == math.inf) and math.prod(shape) == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(p)} norm on an "
                           "empty tensor because the operation does not have an identity")
    a = input if input.dtype is dt else input.to(dt)
    b = other if other.dtype is dt else other.to(dt)
    return Dist.apply(a, b, p)


def sum_to_size(self, *size):
    """Sum ``self`` down to ``size`` (a shape ``self`` could be expanded from): the leading
    dims are summed away and each size-1 dim of ``size`` is summed with keepdim."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    elif not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    for s in size:
        if not _is_int(s):
            raise TypeError(f"sum_to_size(): argument 'size' must be tuple of ints, but found "
                            f"element of type {type_name(s)}")
    size = tuple(int(s) for s in size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(s != 1 and s != t for s, t in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return self
    if not size:
        return sum(self)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    out = sum(self, dims, keepdim=True) if dims else self
    return out.view(size) if lead else out



# --- bincount, histc (counts: no gradient) ------------------------------------------------


class _Bincount(ArrayFunction):
    """Weighted counts: PyTorch has no derivative for them (its grad_fn is NotImplemented)."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, weights, minlength, np_dtype):
        xp = xp_of(x)
        if x.size == 0:  # PyTorch: int64 zeros, whatever the weights
            return xp.zeros(minlength, dtype=_INT64)
        return xp.bincount(x, weights, minlength).astype(np_dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::bincount is not implemented")


def bincount(input, weights=None, minlength=0):
    """How many times each value ``0..max(input)`` occurs in a 1-D tensor of non-negative
    ints (at least ``minlength`` bins); with ``weights``, the sum of the weights instead.

    Counts are int64; weighted sums are float32 for float32 weights, float64 otherwise.
    """
    _check_tensor_arg("bincount", "weights", weights)
    if not _is_int(minlength):
        raise TypeError(f"bincount(): argument 'minlength' must be int, not "
                        f"{type_name(minlength)}")
    if input.dtype.is_floating_point or input.dtype is D.bool:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{input.dtype._legacy}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    x = input._data
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(xp_of(x).bincount(x, minlength=int(minlength)).astype(_INT64))
    if weights.ndim != 1 or weights.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    np_dtype = _F32 if weights.dtype is D.float32 else np.dtype(np.float64)
    return _Bincount.apply(input, weights, int(minlength), np_dtype)


def _fmt(v: float) -> str:
    """A number as C++ streams print a double (6 significant digits)."""
    return f"{v:g}"


def _histogram_range(lo: float, hi: float, d: int) -> tuple:
    """Dimension ``d``'s histogram range, checked as PyTorch does (finite, min <= max); an
    empty range is widened by 0.5 each way, as NumPy does."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"numtorch.histogramdd: dimension {d}'s range [{_fmt(lo)}, "
                           f"{_fmt(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError(f"numtorch.histogramdd: min should not exceed max, but got min "
                           f"{_fmt(lo)} max {_fmt(hi)} for dimension {d}")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002
    """Histogram of ``input`` in ``bins`` equal-width bins over ``[min, max]`` (the data's own
    range when ``min == max``; widened by 1 each way if that is a single value). Elements
    outside the range are ignored; the last bin includes ``max``. The counts have the
    input's (floating) dtype and no gradient."""
    if not _is_int(bins):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type_name(bins)}")
    if isinstance(min, Tensor):
        min = min.item()  # noqa: A001
    if isinstance(max, Tensor):
        max = max.item()  # noqa: A001
    if bins <= 0:
        raise RuntimeError(f"numtorch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    if out is not None and not isinstance(out, Tensor):
        raise TypeError(f"histc(): argument 'out' must be Tensor, not {type_name(out)}")
    x = input._data
    xp = xp_of(x)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        # (PyTorch's reduction starts from the finite extremes)
        info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(_INT64)
        lo = float(builtins.min(x.min(), info.max)) if not xp.isnan(x).any() else math.nan
        hi = float(builtins.max(x.max(), info.min)) if not math.isnan(lo) else math.nan
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"numtorch.histc: range of [{_fmt(lo)}, {_fmt(hi)}] is not finite")
    if not lo < hi:
        raise RuntimeError("numtorch.histc: max must be larger than min")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{input.dtype._legacy}'")
    work = x.reshape(-1).astype(_F32) if x.dtype == _F16 else x.reshape(-1)
    left = xp.asarray(lo, dtype=x.dtype).astype(work.dtype)  # the edges, in the input's dtype
    right = xp.asarray(hi, dtype=x.dtype).astype(work.dtype)
    inside = work[(work >= left) & (work <= right)]
    pos = ((inside - left) * bins / (right - left)).astype(_INT64)
    pos[pos == bins] = bins - 1  # the last bin includes its right edge
    counts = xp.bincount(pos, minlength=bins).astype(x.dtype)
    result = Tensor._make(counts)
    return result if out is None else write_out(out, result)


# --- quantile, nanquantile ------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class Quantile(ArrayFunction):
    """The ``q``-quantiles of ``x`` over ``dim`` (every element when None).

    Each slice is sorted; quantile q sits at rank ``q (n - 1)`` (n counts only non-NaN values
    for nanquantile; a slice with a NaN gives NaN for quantile). 'linear' interpolates
    between the values at the ranks below and above (PyTorch's lerp), 'midpoint' takes their
    mean, and 'lower'/'higher'/'nearest' round the rank. The gradient goes back to the two
    elements each result came from, weighted as in the interpolation; a ``q`` tensor gets
    ``(above - below) dq/drank`` in 'linear' mode.

    Shapes: the work layout puts the quantiles first and the reduced dim last,
    ``(Q, *kept, n)``; the result is ``(Q, *out_shape)`` (no Q for a scalar ``q``).
    """

    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx, x, q, dim, keepdim, mode, ignore_nan):
        xp = xp_of(x)
        a = x.reshape(-1) if dim is None or x.ndim == 0 else xp.moveaxis(x, dim, -1)
        n = a.shape[-1]
        order = xp.argsort(a, axis=-1, kind="stable")  # NaN sorts last
        s = xp.take_along_axis(a, order, axis=-1)
        qv = q.reshape((-1,) + (1,) * a.ndim)  # (Q, 1, ..., 1)
        nans = xp.isnan(s)
        if ignore_nan:
            scale = ((~nans).sum(axis=-1, keepdims=True) - 1).astype(x.dtype)
            ranks = qv * scale
            live = ranks >= 0
            ranks = xp.where(live, ranks, 0)
        else:
            scale = xp.asarray(n - 1, dtype=x.dtype)
            live = ~nans.any(axis=-1, keepdims=True)
            ranks = xp.where(live, qv * scale, n - 1).astype(x.dtype, copy=False)
        if mode == "lower":
            ranks = xp.floor(ranks)
        elif mode == "higher":
            ranks = xp.ceil(ranks)
        elif mode == "nearest":
            ranks = xp.round(ranks)  # half to even, as PyTorch's round
        work = (len(qv),) + a.shape
        s_b = xp.broadcast_to(s, work)
        below = ranks.astype(_INT64)
        lo = xp.take_along_axis(s_b, below, axis=-1)
        ctx.below = xp.take_along_axis(xp.broadcast_to(order, work), below, axis=-1)
        ctx.above = ctx.weight = ctx.dq = None
        result = lo
        if mode in ("linear", "midpoint"):
            weight = xp.full_like(ranks, 0.5) if mode == "midpoint" else ranks - xp.floor(ranks)
            above = xp.ceil(ranks).astype(_INT64)
            hi = xp.take_along_axis(s_b, above, axis=-1)
            with _quiet(xp):
                step = hi - lo
                result = xp.where(weight < 0.5, lo + weight * step, hi - step * (1 - weight))
            ctx.above = xp.take_along_axis(xp.broadcast_to(order, work), above, axis=-1)
            ctx.weight = weight
            if mode == "linear" and ctx.needs_input_grad[1]:
                ctx.dq = xp.where(live, step * scale, 0)  # d result / d q
        ctx.work, ctx.x_shape, ctx.dim, ctx.q_shape = work, x.shape, dim, q.shape
        if dim is None:
            shape = (1,) * x.ndim if keepdim else ()
        else:
            shape = _out_shape(x.shape, (dim,) if x.ndim else (), keepdim)
        return result.reshape(q.shape + shape)

    @staticmethod
    def backward(ctx, grad):
        from .shape import cat

        work = ctx.work
        g = grad.reshape(work[:-1] + (1,))
        gq = None
        if ctx.needs_input_grad[1] and ctx.dq is not None:
            gq = (g * _const(ctx.dq)).sum(tuple(range(1, len(work)))).reshape(ctx.q_shape)
        gx = None
        if ctx.needs_input_grad[0]:
            if ctx.weight is None:
                src, index = g, ctx.below
            else:
                w = ctx.weight
                src = cat([g * _const(1 - w), g * _const(w)], -1)
                index = xp_of(w).concatenate([ctx.below, ctx.above], axis=-1)
            ga = _Scatter.apply(src, index, len(work) - 1, work, True).sum(0)
            if ctx.dim is None or len(ctx.x_shape) == 0:
                gx = ga.reshape(ctx.x_shape)
            else:
                gx = ga.movedim(-1, ctx.dim)
        return gx, gq, None, None, None, None


def _quantile(name, input, q, dim, keepdim, interpolation, out, ignore_nan):
    if isinstance(q, Tensor):
        qt = q
    elif isinstance(q, (int, float, np.number)):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {_fmt(float(q))}")
        qt = None
    else:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(Tensor, {type_name(q)}), but expected one of:\n"
                        f" * (Tensor input, Tensor q, int dim = None, bool keepdim = False, *, "
                        "str interpolation = \"linear\", Tensor out = None)\n"
                        f" * (Tensor input, float q, int dim = None, bool keepdim = False, *, "
                        "str interpolation = \"linear\", Tensor out = None)")
    if dim is not None and not _is_int(dim):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(Tensor, {type_name(q)}, dim={type_name(dim)}), but expected one of:")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if qt is not None and qt.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if qt is not None and qt.dtype is not input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if out is not None:
        _check_out(out, name, input)
        if out.dtype is not input.dtype:
            raise RuntimeError("quantile() out tensor must be same dtype as the input tensor")
    d = None if dim is None else _wrap_dim(int(dim), input.ndim)
    if qt is None:
        qt = xp_of(input._data).asarray(q, dtype=input.dtype.np)
    else:
        qa = qt._data
        if not bool(((qa >= 0) & (qa <= 1)).all()):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    result = Quantile.apply(input, qt, d, bool(keepdim), interpolation, ignore_nan)
    return _finish(result, out, name)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles (a float, or a 1-D tensor giving the leading dim of the result)
    of ``input`` over ``dim`` (all elements when None). A slice with a NaN gives NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaNs (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, out, True)


# --- cov, corrcoef ------------------------------------------------------------------------


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns;
    a 1-D input is one variable). ``fweights`` (integer counts) and ``aweights`` (float
    importances) weight the observations; ``correction=1`` is Bessel's.

    Written with Tensor ops (as PyTorch composes it), so the gradient comes for free:
    ``sum_k w_k (x_ik - m_i)(x_jk - m_j) / (sum w - correction * sum(w a) / sum w)``.
    """
    from .pointwise import true_divide

    if not _is_int(correction):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type_name(correction)}")
    _check_tensor_arg("cov", "fweights", fweights)
    _check_tensor_arg("cov", "aweights", aweights)
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input.dtype is D.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n_obs = x.shape[1]
    w = None
    for kind, t in (("fweights", fweights), ("aweights", aweights)):
        if t is None:
            continue
        if t.ndim > 1:
            raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                               f"{kind} with {t.ndim} dimensions")
        integral = not t.dtype.is_floating_point and t.dtype is not D.bool
        if kind == "fweights" and not integral:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got "
                               f"fweights with {t.dtype._legacy} dtype")
        if kind == "aweights" and not t.dtype.is_floating_point:
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {t.dtype._legacy} dtype")
        if t.numel() != n_obs:
            raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                               f"observations in the input but got {t.numel()} != {n_obs}")
        if n_obs and bool((t._data < 0).any()):
            raise RuntimeError(f"cov(): {kind} cannot be negative")
        w = t if w is None else w * t
    if w is None:
        w_sum = Tensor._make(xp_of(x._data).asarray(n_obs, dtype=_INT64))
    else:
        w_sum = w.sum()
        if not bool(w_sum._data != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = true_divide((x if w is None else x * w).sum(1), w_sum)
    if w is not None and correction != 0:
        if aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm._data <= 0):
        _warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                       "than the number of observations.", UserWarning)
        norm = norm * 0
    centred = x - avg.unsqueeze(1)
    c = centred.mm((centred if w is None else centred * w).t())
    return true_divide(c, norm).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``: ``cov`` normalised by the
    standard deviations, clipped to [-1, 1]."""
    from .pointwise import clip

    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:  # one variable: nan if its variance is 0, inf or nan; 1 otherwise
        with _quiet(xp_of(c._data)):
            return c / c
    stddev = c.diagonal().sqrt()
    with _quiet(xp_of(c._data)):
        c = c / stddev.view(-1, 1)
        c = c / stddev.view(1, -1)
    return clip(c, -1, 1)


# --- logcumsumexp -----------------------------------------------------------------------


class Logcumsumexp(ArrayFunction):
    """``log(cumsum(exp(x)))`` along ``dim``, as a running ``logaddexp`` (never overflows).

    Backward: ``dx_k = sum_{j >= k} g_j exp(x_k - y_j)``, computed in log space for the
    positive and negative parts of g separately (so no exp overflows either), with Tensor
    ops and logcumsumexp itself, so it differentiates again.
    """

    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = xp_of(x)
        if x.ndim == 0 or x.size == 0:
            out = x.copy()
        else:
            work = x.astype(_F32) if x.dtype == _F16 else x
            with _quiet(xp):
                out = xp.logaddexp.accumulate(work, axis=dim).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .pointwise import where
        from .shape import flip

        x, y = ctx.saved_tensors
        if grad.ndim == 0 or grad.numel() == 0:
            return grad, None
        d = ctx.dim
        floor = float(np.finfo(grad.dtype.np).min)
        with _quiet(xp_of(grad._data)):
            log_abs = grad.abs().log()
            parts = []
            for mask in (grad > 0, grad < 0):
                log_g = where(mask, log_abs, floor)
                rev = flip(Logcumsumexp.apply(flip(log_g - y, [d]), d), [d])
                parts.append((rev + x).exp())
            return parts[0] - parts[1], None


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))`` without overflow."""
    if isinstance(dim, (tuple, list)) or not _is_int(dim):
        raise TypeError(f"logcumsumexp(): argument 'dim' (position 2) must be int, not "
                        f"{type_name(dim)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{input.dtype._legacy}'")
    _check_out(out, "logcumsumexp", input)
    d = _wrap_dim(int(dim), input.ndim)
    return _finish(Logcumsumexp.apply(input, d), out, "logcumsumexp")


# --- trapezoid, trapz, cumulative_trapezoid ---------------------------------------------
#
# Composed of Tensor ops, as PyTorch composes them, so the gradient (and its grad_fn
# names: MulBackward1 for a constant spacing, DivBackward1 for sample points ``x``,
# CumsumBackward0 for the cumulative form) comes for free.

_TRAPEZOID_SIGNATURES = (" * (Tensor y, Tensor x, *, int dim = -1)\n"
                         " * (Tensor y, *, Number dx = 1, int dim = -1)\n")
_TRAPZ_SIGNATURES = (" * (Tensor y, *, float dx = 1, int dim = -1)\n"
                     " * (Tensor y, Tensor x, *, int dim = -1)\n")


_SCALAR_OPS: dict = {}


def _scalar_op(kind: str, t, s):
    """``t * s`` or ``t / s`` for a Python number ``s``, recorded as PyTorch's Scalar
    overloads are (MulBackward1, DivBackward1)."""
    if not _SCALAR_OPS:
        from .pointwise import Div, Mul  # (pointwise imports this module)

        _SCALAR_OPS["mul"] = type("MulScalar", (Mul,), {"node_name": "MulBackward1"})
        _SCALAR_OPS["div"] = type("DivScalar", (Div,), {"node_name": "DivBackward1"})
    return _SCALAR_OPS[kind].apply(t, s)


def _bad_combination(name: str, signatures: str, y, x, dx, dim) -> TypeError:
    got = [type_name(y)] + ([type_name(x)] if x is not None else [])
    if dx is not None:
        got.append(f"dx={type_name(dx)}")
    if not (_is_int(dim) and dim == -1):
        got.append(f"dim={type_name(dim)}")
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n{signatures}")


def _integration_args(name, signatures, y, x, dx, dim, number_types):
    if not isinstance(y, Tensor):
        raise TypeError(f"{name}(): argument 'y' (position 1) must be Tensor, not "
                        f"{type_name(y)}")
    if ((x is not None and (dx is not None or not isinstance(x, Tensor)))
            or (dx is not None and not isinstance(dx, number_types))
            or not _is_int(dim)):
        raise _bad_combination(name, signatures, y, x, dx, dim)


def _size_at(t, d: int) -> int:
    if t.ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return t.shape[_wrap_dim(d, t.ndim)]


def _sample_spacing(name: str, y, x, d: int):
    """``x[1:] - x[:-1]`` along ``d``, shaped to broadcast against the differences of ``y``
    (a 1-D ``x`` lies along ``d``; a shorter one gets leading 1s), as NumPy and PyTorch do."""
    if x.ndim == 1:
        if x.shape[0] != _size_at(y, d):
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.view(shape)
    elif x.ndim < y.ndim:
        x = x.view((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    if x.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    n = builtins.max(x.shape[d] - 1, 0)
    return x.narrow(d, 1 if n else 0, n) - x.narrow(d, 0, n)


def _pair_sums(y, d: int):
    """``y[:-1] + y[1:]`` along ``d`` (empty when ``y`` has no samples along ``d``)."""
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    n = builtins.max(y.shape[d] - 1, 0)
    return y.narrow(d, 0, n) + y.narrow(d, 1 if n else 0, n)


def _zeros_without(y, d: int):
    shape = tuple(s for i, s in enumerate(y.shape) if i != d)
    return Tensor._make(xp_of(y._data).zeros(shape, y._data.dtype))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: ``sum (y_i + y_{i+1}) / 2 * dx_i``, with spacing
    ``dx`` (a number, 1 by default) or the differences of the sample points ``x``.
    Fewer than two samples integrate to 0."""
    _integration_args("trapezoid", _TRAPEZOID_SIGNATURES, y, x, dx, dim,
                      (int, float, complex, np.number))
    if x is not None:
        d = _wrap_dim(int(dim), y.ndim)
        if _size_at(y, d) == 0:
            return _zeros_without(y, d)
        if y.dtype is D.bool or x.dtype is D.bool:
            raise RuntimeError("trapezoid: received a bool input for `x` or `y`, but bool is "
                               "not supported")
        spacing = _sample_spacing("trapezoid", y, x, d)
        return _scalar_op("div", (_pair_sums(y, d) * spacing).sum(d), 2.0)
    size = _size_at(y, int(dim))
    d = _wrap_dim(int(dim), y.ndim)
    if size == 0:
        return _zeros_without(y, d)
    if y.dtype is D.bool:
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not supported")
    dx = 1 if dx is None else dx
    if isinstance(dx, (bool, complex, np.bool_, np.complexfloating)):
        raise RuntimeError("trapezoid: Currently, we only support dx as a real number.")
    ends = y.select(d, 0) + y.select(d, -1)
    return _scalar_op("mul", y.sum(d) - _scalar_op("mul", ends, 0.5), float(dx))


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid` (with a float ``dx``)."""
    _integration_args("trapz", _TRAPZ_SIGNATURES, y, x, dx, dim,
                      (int, float, np.integer, np.floating))
    if x is not None:
        return trapezoid(y, x, dim=dim)
    return trapezoid(y, dx=1.0 if dx is None else float(dx), dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal rule along ``dim``: one fewer value than samples, the k-th
    being the integral over the first k + 1 samples."""
    _integration_args("cumulative_trapezoid", _TRAPEZOID_SIGNATURES, y, x, dx, dim,
                      (int, float, complex, np.number))
    if x is not None:
        d = _wrap_dim(int(dim), y.ndim)
        if y.dtype is D.bool or x.dtype is D.bool:
            raise RuntimeError("cumulative_trapezoid: received a bool input for `x` or `y`, but "
                               "bool is not supported")
        spacing = _sample_spacing("cumulative_trapezoid", y, x, d)
        return _scalar_op("div", cumsum(_pair_sums(y, d) * spacing, d), 2.0)
    if y.dtype is D.bool:
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is not "
                           "supported")
    dx = 1 if dx is None else dx
    if isinstance(dx, (bool, complex, np.bool_, np.complexfloating)):
        raise RuntimeError("cumulative_trapezoid: Currently, we only support dx as a real "
                           "number.")
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(int(dim), y.ndim)
    return cumsum(_scalar_op("mul", _pair_sums(y, d), float(dx) / 2.0), d)


# --- histogram ---------------------------------------------------------------------------

_HISTOGRAM_SIGNATURES = (
    " * (Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, tuple of "
    "Tensors out = None)\n"
    " * (Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight = None, "
    "bool density = False, tuple of Tensors out = None)\n")
_HistogramOut = return_types.histogram_out


class _Histogram(ArrayFunction):
    """Counts have no derivative in PyTorch (its grad_fn is NotImplemented)."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, edges, weight, density):
        xp = xp_of(x, edges)
        flat = x.reshape(-1)
        nbins = edges.shape[0] - 1
        inside = (flat >= edges[0]) & (flat <= edges[-1])
        # The bin of v is the last edge <= v; the last bin also takes its right edge.
        pos = xp.searchsorted(edges, flat[inside], side="right") - 1
        pos = xp.minimum(pos, nbins - 1)
        if weight is None:
            hist = xp.bincount(pos, minlength=nbins).astype(x.dtype)
        else:
            hist = xp.zeros(nbins, x.dtype)
            xp.add.at(hist, pos, weight.reshape(-1)[inside])
        if density:
            with _cpu.quiet():
                hist = hist / hist.sum()
                hist = hist / (edges[1:] - edges[:-1])
        return hist, edges.copy()

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::histogram is not implemented")


def histogram(input, bins=100, *, range=None, weight=None, density=False,  # noqa: A002
              out=None):
    """A histogram of ``input``'s values: ``bins`` equal-width bins over ``range`` (the data's
    min and max by default), or the bin edges given as a 1-D tensor. Values outside are
    ignored; the last bin includes its right edge. With ``weight``, each value counts its
    weight; with ``density``, the result integrates to 1.

    Returns ``(hist, bin_edges)``, both in ``input``'s (floating) dtype, without gradient.
    """
    edges_given = isinstance(bins, Tensor)
    bad_range = range is not None and (
        edges_given or not isinstance(range, (tuple, list))
        or not builtins.all(isinstance(v, (int, float, np.number)) for v in range))
    if ((not edges_given and not _is_int(bins)) or bad_range
            or (weight is not None and not isinstance(weight, Tensor))
            or (out is not None and not isinstance(out, (tuple, list)))):
        got = [type_name(input), type_name(bins)]
        got += [f"{k}={type_name(v)}" for k, v in (("range", range), ("weight", weight),
                                                   ("out", out)) if v is not None]
        raise TypeError(f"histogram() received an invalid combination of arguments - got "
                        f"({', '.join(got)}), but expected one of:\n{_HISTOGRAM_SIGNATURES}")
    if out is not None and len(out) != 2:
        raise TypeError(f"expected tuple of 2 elements but got {len(out)}")
    if not edges_given and bins <= 0:
        raise RuntimeError(f"numtorch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    if edges_given:
        if bins.dtype is not input.dtype:
            raise RuntimeError(
                "numtorch.histogramdd: input tensor and bins tensors should have the same "
                f"dtype, but got input with dtype {_CNAME[input.dtype.np.name]} and bins for "
                f"dimension 0 with dtype {_CNAME[bins.dtype.np.name]}")
        if bins.ndim != 1:
            raise RuntimeError("numtorch.histogramdd: bins tensor should have one dimension, but "
                               f"got {bins.ndim} dimensions in the bins tensor for dimension 0")
        if bins.numel() == 0:
            raise RuntimeError("numtorch.histogramdd: bins tensor should have at least 1 "
                               "element, but got 0 elements in the bins tensor for dimension 0")
        if bins.numel() == 1:
            raise RuntimeError("numtorch.histogram(): bins must be > 0, but got 0 for "
                               "dimension 0")
    if weight is not None:
        if weight.dtype is not input.dtype:
            raise RuntimeError(
                "numtorch.histogramdd: if weight tensor is provided, input tensor and weight "
                f"tensor should have the same dtype, but got input("
                f"{_CNAME[input.dtype.np.name]}), and weight({_CNAME[weight.dtype.np.name]})")
        if weight.numel() != input.numel():
            raise RuntimeError(
                "numtorch.histogramdd: if weight tensor is provided it should have the same "
                "shape as the input tensor excluding its innermost dimension, but got input with "
                f"shape [{input.numel()}, 1] and weight with shape [{weight.numel()}]")
    if out is not None:
        for o, what in zip(out, ("hist", "bin_edges")):
            check_out(o, "histogram", input, weight)
            if o.dtype is not input.dtype:
                detail = " for dimension 0" if what == "bin_edges" else ""
                raise RuntimeError(
                    f"numtorch.histogram: input tensor and {what} tensor should have the same "
                    f"dtype, but got input {_CNAME[input.dtype.np.name]} and {what} "
                    f"{_CNAME[o.dtype.np.name]}{detail}")
    x = input._data
    xp = xp_of(x)
    supported = input.dtype in (D.float32, D.float64)
    if edges_given:
        if not supported:
            raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                      f"'{input.dtype._legacy}'")
        edges = bins._data
    else:
        if range is not None:
            if len(range) != 2:
                raise RuntimeError("numtorch.histogramdd: for a 1-dimensional histogram range "
                                   f"should have 2 elements, but got {len(range)}")
            lo, hi = float(range[0]), float(range[1])
        elif x.size:
            lo, hi = float(x.min()), float(x.max())
        else:
            lo, hi = 0.0, 1.0
        lo, hi = _histogram_range(lo, hi, 0)
        if not supported:
            raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                      f"'{input.dtype._legacy}'")
        # creation's linspace kernel (both ends exact; float64, rounded once: PyTorch's
        # float32 kernel can differ in an edge's last bit)
        edges = xp.asarray(_linspace(lo, hi, int(bins) + 1, np.dtype(np.float64)).astype(x.dtype))
    hist, bin_edges = _Histogram.apply(input, Tensor._make(edges), weight, bool(density))
    if out is None:
        return return_types.histogram((hist, bin_edges))
    write_out(out[0], hist)
    write_out(out[1], bin_edges)
    return _HistogramOut((out[0], out[1]))


_CNAME = C_TYPE_NAMES  # C++ type names, as PyTorch's histogram errors print dtypes
