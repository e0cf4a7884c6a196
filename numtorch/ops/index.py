"""Indexing: ``x[...]``, ``x[...] = v``, gather/scatter, index_*, masked_*, take/put, nonzero.

Reading ``x[idx]`` happens in two steps, as in PyTorch:

1. the *basic* items (ints, slices, None, ``...``) make a view of ``x`` that shares
   its memory and version counter. One NumPy basic index does it, recorded as one
   graph node named after the last step PyTorch would take (``SelectBackward0``
   for an int, ``SliceBackward0``, ``UnsqueezeBackward0``, ``AliasBackward0``);
2. the *advanced* items (integer and bool tensors, lists, arrays) then index that
   view with NumPy's rules, which PyTorch follows: a copy (``IndexBackward0``).

``x[idx] = v`` writes through the same two steps: the value is copied into the
basic view (``fill_``/``copy_``), or put at the advanced positions of it
(``index_put_``). With autograd on, the in-place machinery of
``numtorch/_tensor.py`` records it (``CopySlices`` on the base of a view).

Scatter-style kernels work on flat positions: for every element of the index
they compute the position it writes in the C-ordered output, then one NumPy
call (``a[pos] = v`` or ``np.add.at``) does all the writes. ``np.add.at`` on a
flat array is the fastest accumulation NumPy offers, and it sums duplicate
positions, which is what the gradients of gathers need.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._input_check import type_name
from .._tensor import Tensor, _inplace_tracked, _replay_view, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction, _raise_modified
from ._util import C_TYPE_NAMES, check_out, checked_scalar, write_out, xp_of
from .pointwise import where

__all__ = [
    "index_put", "index_put_", "gather", "scatter", "scatter_add", "scatter_reduce",
    "index_select", "index_add", "index_copy", "index_fill", "index_reduce", "masked_fill",
    "masked_select", "masked_scatter", "take", "take_along_dim", "put", "nonzero", "argwhere",
    "searchsorted", "bucketize", "isin", "unravel_index",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py). The in-place
# forms are written out below: without autograd they write straight into the tensor.
TENSOR_METHODS = (
    "index_put", "index_put_", "gather", "scatter", "scatter_", "scatter_add", "scatter_add_",
    "scatter_reduce", "scatter_reduce_", "index_select", "index_add", "index_add_",
    "index_copy", "index_copy_", "index_fill", "index_fill_", "index_reduce", "index_reduce_",
    "masked_fill", "masked_fill_", "masked_select", "masked_scatter", "masked_scatter_", "take",
    "take_along_dim", "put", "put_", "nonzero", "argwhere", "fill_diagonal_",
)
INPLACE_METHODS = ()

_INT_INDEX = (np.dtype(np.int64), np.dtype(np.int32))
_LONG = np.dtype(np.int64)
_C_NAMES = C_TYPE_NAMES  # how PyTorch's C++ messages name dtypes


def _dims(shape) -> str:
    return f"[{', '.join(map(str, shape))}]"


def _tracked(self, *others) -> bool:
    """Whether an in-place op on ``self`` must be recorded by autograd."""
    if not grad_mode.enabled:
        return False
    return self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad
                                      for o in others)


def _atleast_1d(arr):
    return arr.reshape(1) if arr.ndim == 0 else arr


def _zeros(shape, like):
    return Tensor._make(xp_of(like._data).zeros(shape, dtype=like._data.dtype))


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    """NumPy's broadcast of two shapes, with PyTorch's error message."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# --- parsing a Python index ---------------------------------------------------------------


def _type_name(obj) -> str:
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _bad_index(obj):
    return IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                      f"Variables are valid indices (got {_type_name(obj)})")


def _index_array(arr, xp):
    """An index array as PyTorch reads it: bool masks, integer positions; 0-d ones as scalars."""
    kind = arr.dtype.kind
    if arr.dtype == np.uint8:
        _warnings.warn("indexing with dtype numtorch.uint8 is now deprecated, please use a dtype "
                       "numtorch.bool instead.", UserWarning)
        arr = arr.astype(bool)
        kind = "b"
    if kind == "b":
        return bool(arr) if arr.ndim == 0 else xp.asarray(arr)
    if kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return int(arr) if arr.ndim == 0 else xp.asarray(arr)


def _slice_int(v):
    if v is None or type(v) is int:
        return v
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError("slice indices must be integers or None or have an __index__ method") \
            from None


def _convert_item(item, xp):
    """One item of an index as int, bool, slice, None, Ellipsis or an array (mask/positions)."""
    if item is None or item is Ellipsis:
        return item
    t = type(item)
    if t is int or t is bool:
        return item
    if t is slice:
        step = _slice_int(item.step)
        if step is not None and step <= 0:
            raise ValueError("slice step cannot be zero" if step == 0 else
                             "step must be greater than zero")
        return slice(_slice_int(item.start), _slice_int(item.stop), step)
    if isinstance(item, Tensor):
        if item.dtype in (D.int16, D.int8):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return _index_array(item._data, xp)
    if isinstance(item, (list, tuple, range)):  # PyTorch makes a tensor of any sequence
        arr = np.asarray(item)
        if arr.size == 0:
            arr = arr.astype(np.int64)
        return _index_array(arr, xp)
    if isinstance(item, (np.bool_, float, complex, np.floating)):
        raise _bad_index(item)
    if hasattr(item, "__array__") and hasattr(item, "dtype") and hasattr(item, "ndim"):
        return _index_array(item, xp)
    if isinstance(item, numbers.Integral) or hasattr(item, "__index__"):
        return operator.index(item)
    raise _bad_index(item)


def _sequence_as_tuple(seq) -> bool:
    """PyTorch (and old NumPy) read ``x[[0, slice(None)]]`` as ``x[0, :]``."""
    if len(seq) >= 32:
        return False
    return any(isinstance(i, (Tensor, list, tuple, range, slice)) or i is None or i is Ellipsis
               for i in seq)


def _parse_index(input, idx, setting: bool = False):
    """Split ``idx`` into a basic NumPy key, the view Function of its last step, and the
    advanced index of the resulting view (None if there is none).

    The key always ends in ``...`` so that NumPy returns a view even when every
    dimension is selected by an int. With ``setting``, slices that cover a whole
    dimension make no view step (PyTorch's ``x[:] = v`` writes into ``x`` itself).
    """
    arr = input._data
    shape = arr.shape
    ndim = len(shape)
    xp = xp_of(arr)
    single = not isinstance(idx, tuple)
    if single and isinstance(idx, list) and _sequence_as_tuple(idx):
        _warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; "
                       "use x[tuple(seq)] instead of x[seq]. Later versions will read it as a "
                       "tensor index, x[numtorch.tensor(seq)].", UserWarning)
        idx, single = tuple(idx), False
    if single and isinstance(idx, (str, bytes)):  # PyTorch tries to make a tensor of it
        raise TypeError(f"new(): invalid data type '{type(idx).__name__}'")
    items = [_convert_item(i, xp) for i in ((idx,) if single else idx)]

    consumed = 0
    for i in items:
        if i is None or i is Ellipsis or type(i) is bool:
            continue
        consumed += i.ndim if hasattr(i, "ndim") and i.dtype == bool else 1
    if consumed > ndim:
        if ndim == 0 and single and type(items[0]) is int and not isinstance(idx, Tensor):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if ndim == 0 and single and type(items[0]) is slice:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    key, adv = [], []
    step = None
    dim = vdim = 0  # the dim of the input, and of the view, each item applies to
    expand = ndim - consumed  # dims the (first) ellipsis stands for
    for pos, i in enumerate(items):
        if i is Ellipsis:
            key.extend([slice(None)] * expand)
            dim, vdim = dim + expand, vdim + expand
            expand = 0
        elif i is None:
            key.append(None)
            step = Unsqueeze
            vdim += 1
        elif type(i) is bool:
            # True/False add a dim of size 1, then index it with [0] or [].
            key.append(None)
            step = Unsqueeze
            adv.append((vdim, xp.zeros(1 if i else 0, dtype=np.int64)))
            vdim += 1
        elif type(i) is int:
            size = shape[dim]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {pos} with size "
                                 f"{size}")
            key.append(i)
            step = Select
            dim += 1
        elif type(i) is slice:
            full = (i.start is None or i.start == 0) and (i.step is None or i.step == 1) and (
                i.stop is None or i.stop >= shape[dim])
            if not full or (single and not setting):
                step = Slice
            key.append(i)
            dim, vdim = dim + 1, vdim + 1
        else:  # an index array: a bool mask spans mask.ndim dims
            n = i.ndim if i.dtype == bool else 1
            key.extend([slice(None)] * n)
            adv.append((vdim, i))
            dim, vdim = dim + n, vdim + n
    key.append(Ellipsis)
    key = tuple(key)
    if not adv:
        return key, step, None
    return key, step, _remember(_check_advanced(arr[key].shape, adv), idx)


class _Advanced(tuple):
    """A NumPy advanced index that remembers the tensors it was made from (``sources``),
    so that backward can tell whether one of them was changed in place since."""

    sources: tuple = ()


def _remember(adv, idx):
    """``adv`` with the Tensors found in the user's index ``idx`` as its sources."""
    items = idx if isinstance(idx, (tuple, list)) else (idx,)
    out = _Advanced(adv)
    out.sources = tuple(i for i in items if isinstance(i, Tensor))
    return out


def _check_advanced(shape, adv):
    """Validate (dim, array) advanced items against ``shape``; the NumPy index for them.

    PyTorch checks the masks' shapes first, then that the index tensors broadcast, then
    their bounds; its messages number the index tensors with a mask counting once per dim.
    """
    for d, a in adv:
        if a.dtype == bool:
            for j in range(a.ndim):
                if d + j >= len(shape) or a.shape[j] != shape[d + j]:
                    raise IndexError(f"The shape of the mask {_dims(a.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor {_dims(shape)} "
                                     f"at index {d + j}")
    empty = False
    if len(adv) > 1:
        shapes = []
        for _, a in adv:
            shapes.extend([(int(a.sum()),)] * a.ndim if a.dtype == bool else [a.shape])
        try:
            empty = math.prod(np.broadcast_shapes(*shapes)) == 0
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                             f"with shapes {', '.join(_dims(s) for s in shapes)}") from None
    k = 0
    for d, a in () if empty else adv:  # when nothing is read, nothing is out of bounds
        if a.dtype == bool:
            k += a.ndim
            continue
        size = shape[d]
        if a.size:
            bad = (a >= size) | (a < -size)
            if bad.any():
                v = int(a[bad].reshape(-1)[0])
                raise IndexError(f"index {v} is out of bounds for dimension {k} with size {size}")
        k += 1
    at = dict(adv)
    out = []
    d = 0
    while d < len(shape) and (at or not out):
        a = at.pop(d, None)
        if a is None:
            out.append(slice(None))
            d += 1
        else:
            out.append(a)
            d += a.ndim if a.dtype == bool else 1
    return tuple(out)


def _placed(shape, positions, bshape) -> tuple:
    """The shape of an advanced-indexing result (NumPy's rule, which PyTorch follows): the
    broadcast index shape replaces the indexed dims where they are adjacent, else leads."""
    first = positions[0]
    if positions == list(range(first, first + len(positions))):
        return tuple(shape[:first]) + tuple(bshape) + tuple(shape[first + len(positions):])
    return tuple(bshape) + tuple(s for i, s in enumerate(shape) if i not in positions)


def _advanced_layout(adv):
    """The dims an advanced index reads and their broadcast index arrays (bool masks
    expanded to the positions of their True elements)."""
    positions, arrays = [], []
    d = 0
    for a in adv:
        if isinstance(a, slice):
            d += 1
        elif a.dtype == bool:
            for j, nz in enumerate(a.nonzero()):
                positions.append(d + j)
                arrays.append(nz)
            d += a.ndim
        else:
            positions.append(d)
            arrays.append(a)
            d += 1
    return positions, xp_of(arrays[0]).broadcast_arrays(*arrays)


def _advanced_result_shape(shape, adv) -> tuple:
    """The shape ``array[adv]`` would have, without computing it."""
    positions, bshapes = [], []
    d = 0
    for a in adv:
        if isinstance(a, slice):
            d += 1
        elif a.dtype == bool:
            positions.extend(range(d, d + a.ndim))
            bshapes.extend([(int(a.sum()),)] * a.ndim)
            d += a.ndim
        else:
            positions.append(d)
            bshapes.append(a.shape)
            d += 1
    return _placed(shape, positions, np.broadcast_shapes(*bshapes))


def _index_accumulate(out, adv, values) -> None:
    """``out[adv] += values`` with repeated positions summed (PyTorch's ``accumulate=True``).

    The indexed dims are moved to the front and flattened, so every write has one flat
    position and a single ``np.add.at`` on a 1-D array does all of them.
    """
    xp = xp_of(out)
    positions, arrays = _advanced_layout(adv)
    bshape = arrays[0].shape
    vals = xp.broadcast_to(values, _placed(out.shape, positions, bshape))
    if vals.size == 0:
        return
    first, nb = positions[0], len(bshape)
    if first and positions == list(range(first, first + len(positions))):
        # the result has the index dims in place of the indexed ones: bring them to the front
        vals = xp.moveaxis(vals, tuple(range(first, first + nb)), tuple(range(nb)))
    rest = [d for d in range(out.ndim) if d not in positions]
    indexed = tuple(out.shape[p] for p in positions)
    n_rest = math.prod(out.shape[r] for r in rest)
    lin = xp.ravel_multi_index(tuple(arrays), indexed, mode="wrap").reshape(-1)
    if n_rest != 1:
        lin = (lin[:, None] * n_rest + xp.arange(n_rest)).reshape(-1)
    order = positions + rest
    buf = out if order == list(range(out.ndim)) else out.transpose(order)
    work = buf if buf.flags.c_contiguous else xp.ascontiguousarray(buf)
    xp.add.at(work.reshape(-1), lin, vals.reshape(-1))
    if work is not buf:
        buf[...] = work


# --- basic indexing: views ------------------------------------------------------------------


class _BasicIndex(ArrayFunction):
    """``x[key]`` for a basic NumPy key: a view. Subclasses only rename the graph node."""

    is_view = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return _BasicIndexBackward.apply(grad, ctx.shape, ctx.key), None


class Select(_BasicIndex):
    node_name = "SelectBackward0"


class Slice(_BasicIndex):
    node_name = "SliceBackward0"


class Unsqueeze(_BasicIndex):
    node_name = "UnsqueezeBackward0"


class Alias(_BasicIndex):
    node_name = "AliasBackward0"


class _BasicIndexBackward(ArrayFunction):
    """Zeros of ``shape`` with ``grad`` written at ``key`` (the gradient of a basic index)."""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        out = xp_of(grad).zeros(shape, dtype=grad.dtype)
        out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return Slice.apply(grad, ctx.key), None, None


# --- advanced indexing ----------------------------------------------------------------------


def _kept_index(ctx, adv):
    """``adv`` as backward will need it. When a gradient is to be computed, the index
    tensors' versions are noted (``_check_index_versions``: PyTorch saves its index tensors
    for backward and refuses to use one changed in place since), and the index arrays,
    which can be those tensors' memory, are copied."""
    if True not in ctx.needs_input_grad:
        return adv
    ctx.index_versions = tuple((t, t._vc[0]) for t in getattr(adv, "sources", ()))
    return tuple(a.copy() if hasattr(a, "copy") and not isinstance(a, slice) else a
                 for a in adv)


def _check_index_versions(ctx) -> None:
    for t, version in getattr(ctx, "index_versions", ()):
        if t._vc[0] != version:
            _raise_modified(t, version)


class Index(ArrayFunction):
    """``x[adv]`` for an advanced NumPy index: a copy.

    Backward puts the gradient back at the indexed positions, summing repeats.
    """

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, adv):
        ctx.shape, ctx.adv = x.shape, _kept_index(ctx, adv)
        return x[adv]

    @staticmethod
    def backward(ctx, grad):
        _check_index_versions(ctx)
        zeros = _zeros(ctx.shape, grad)
        # Masks never repeat a position: plain assignment is then enough (and faster).
        repeats = any(not isinstance(a, slice) and a.dtype != bool for a in ctx.adv)
        return IndexPut.apply(zeros, grad, ctx.adv, repeats), None


class IndexPut(ArrayFunction):
    """``out = x.clone(); out[adv] = values`` (or ``+=`` with ``accumulate``)."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, values, adv, accumulate):
        ctx.adv, ctx.accumulate = _kept_index(ctx, adv), accumulate
        out = x.copy()
        if accumulate:
            _index_accumulate(out, adv, values)
        else:
            out[adv] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        _check_index_versions(ctx)
        g_x = g_values = None
        if ctx.needs_input_grad[0]:
            g_x = grad if ctx.accumulate else IndexPut.apply(
                grad, _zeros((), grad), ctx.adv, False)
        if ctx.needs_input_grad[1]:
            g_values = Index.apply(grad, ctx.adv)  # the engine sums any broadcasting away
        return g_x, g_values, None, None


def getitem(input, idx):
    """``input[idx]``: a view for basic indices, a copy for advanced ones."""
    if type(idx) is int:  # the common case, kept short
        shape = input._data.shape
        if shape and -shape[0] <= idx < shape[0]:
            return Select.apply(input, (idx, Ellipsis))
    key, step, adv = _parse_index(input, idx)
    if adv is None:
        return (step or Alias).apply(input, key)
    view = input if step is None else step.apply(input, key)
    return Index.apply(view, adv)


def _index_put_key(input, values, adv, accumulate=False):
    return IndexPut.apply(input, values, adv, accumulate)


def _parse_put_indices(input, indices, name="index_put"):
    """``index_put``'s tuple of index tensors as a NumPy advanced index."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"{name}(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    xp = xp_of(input._data)
    adv, d = [], 0
    for k, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
        a = t._data
        if a.dtype == np.uint8:
            a = a.astype(bool)
        if a.dtype != bool and a.dtype not in _INT_INDEX:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        adv.append((d, xp.asarray(a)))
        d += a.ndim if a.dtype == bool else 1
    if d > input.ndim or not adv:
        raise IndexError(f"too many indices for tensor of dimension {input.ndim} (got {d})")
    return _remember(_check_advanced(input._data.shape, adv), indices)


def _check_values(values, result, self_dtype, loose_dtype=False):
    """``values`` for ``index_put``: a Tensor of ``self``'s dtype broadcastable to ``result``.

    PyTorch checks the shape before the dtype.
    """
    try:
        ok = np.broadcast_shapes(values._data.shape, result) == tuple(result)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {_dims(values.shape)} cannot "
                           f"be broadcast to indexing result of shape {_dims(result)}")
    if values.dtype is not self_dtype and not loose_dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self_dtype._legacy} for the destination and {values.dtype._legacy} "
                           "for the source.")


def _masked_fill_put(adv, values, raw_indices) -> bool:
    """Whether PyTorch's ``index_put_`` (no accumulate) becomes ``masked_fill_``: a value of one
    element and a single index tensor that is a bool or uint8 mask. That path takes a value of
    any dtype, and refuses a uint8 mask."""
    if values.numel() != 1:
        return False
    tensors = [a for a in adv if not isinstance(a, slice)]
    if len(tensors) != 1 or tensors[0].dtype != bool:
        return False
    if any(getattr(getattr(i, "dtype", None), "name", None) == "uint8" for i in raw_indices):
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")
    return True


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` put at ``input[indices]`` (summed if ``accumulate``).

    ``indices`` is a tuple of index tensors, one for each leading dimension.
    """
    adv = _parse_put_indices(input, indices)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    loose = not accumulate and _masked_fill_put(adv, values, indices)
    _check_values(values, _advanced_result_shape(input._data.shape, adv), input.dtype, loose)
    if values.dtype is not input.dtype:
        values = values.to(input.dtype)
    return IndexPut.apply(input, values, adv, bool(accumulate))


def index_put_(input, indices, values, accumulate=False):
    """In-place :func:`index_put`."""
    if _tracked(input, values):
        return _inplace_tracked(input, index_put, (indices, values, accumulate), {})
    adv = _parse_put_indices(input, indices, "index_put_")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    loose = not accumulate and _masked_fill_put(adv, values, indices)
    _check_values(values, _advanced_result_shape(input._data.shape, adv), input.dtype, loose)
    if values.dtype is not input.dtype:
        values = values.to(input.dtype)
    if accumulate:
        _index_accumulate(input._data, adv, values._data)
    else:
        input._data[adv] = values._data
    input._vc[0] += 1
    return input


# --- x[idx] = value ----------------------------------------------------------------------


class _Fill(ArrayFunction):
    """Every element set to one value (``x[...] = 2.0``)."""

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        out = xp_of(x).empty(x.shape, dtype=x.dtype)
        out[...] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        # The old values were overwritten: they get a zero gradient (PyTorch gives zeros too).
        g_x = _zeros(grad.shape, grad) if ctx.needs_input_grad[0] else None
        return g_x, grad.sum() if ctx.needs_input_grad[1] else None


class _Copy(ArrayFunction):
    """Every element set from ``value``, broadcast (``x[0:2] = v``)."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, value):
        out = xp_of(x).empty(x.shape, dtype=x.dtype)
        out[...] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        g_x = _zeros(grad.shape, grad) if ctx.needs_input_grad[0] else None
        return g_x, grad if ctx.needs_input_grad[1] else None


def _fill(x, value):
    return _Fill.apply(x, value)


def _copy(x, value):
    return _Copy.apply(x, value)


_C_INT = {"int64": "int64_t", "int32": "int32_t", "int16": "int16_t", "int8": "int8_t",
          "uint8": "uint8_t"}


def _scalar_for(value, dtype):
    """A Python number checked against ``dtype`` as PyTorch does when it writes one."""
    if isinstance(value, np.generic):
        value = value.item()
    if dtype.category != D._INT or isinstance(value, bool):
        return value
    info = np.iinfo(dtype.np)
    if isinstance(value, float) and not math.isfinite(value):
        ok = False
    else:
        # Unsigned types also take negatives down to -max (they wrap, as in C).
        lo = -info.max if info.min == 0 else info.min
        ok = lo <= value <= info.max
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {_C_INT[dtype.name]} without "
                           "overflow")
    value = int(value)
    return value % (info.max + 1) if value < 0 and info.min == 0 else value


def _strip_ones(shape) -> tuple:
    """PyTorch drops a value's leading size-1 dims before writing it (``x[0] = v[None]``)."""
    shape = tuple(shape)
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return shape[i:]


def _check_expand(value, target: tuple) -> None:
    vshape = _strip_ones(value.shape)
    if len(vshape) > len(target):
        raise RuntimeError(f"expand(numtorch.{value.dtype._legacy}Tensor{{{_dims(value.shape)}}}, "
                           f"size={_dims(target)}): the number of sizes provided ({len(target)}) "
                           "must be greater or equal to the number of dimensions in the tensor "
                           f"({value.ndim})")
    lead = len(target) - len(vshape)
    for i, s in enumerate(vshape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match "
                               f"the existing size ({s}) at non-singleton dimension {lead + i}.  "
                               f"Target sizes: {_dims(target)}.  Tensor sizes: "
                               f"{_dims(vshape)}")


def setitem(self, idx, value) -> None:
    """``self[idx] = value``: an in-place write (a view step, then fill/copy/index_put)."""
    if not isinstance(value, Tensor):
        if not isinstance(value, (numbers.Number, np.generic)) or isinstance(value, complex):
            raise TypeError(f"can't assign a {_type_name(value)} to a "
                            f"numtorch.{self.dtype._legacy}Tensor")
        value = _scalar_for(value, self.dtype)
    # PyTorch: a lone ``False`` writes nothing (no checks); a lone ``True`` copies into
    # ``self.unsqueeze(0)``, as ``None`` does (a plain copy: any dtype, expand's rules).
    if idx is False:
        return
    if idx is True:
        idx = None
    key, step, adv = _parse_index(self, idx, setting=True)
    arr = self._data
    is_tensor = isinstance(value, Tensor)
    if is_tensor and value._data.shape != _strip_ones(value._data.shape):
        value = value.reshape(_strip_ones(value.shape))
    if adv is None:
        if is_tensor:
            _check_expand(value, arr[key].shape)
    else:
        if not is_tensor:
            value = Tensor._make(xp_of(arr).asarray(value, dtype=arr.dtype))
        raw = idx if isinstance(idx, (tuple, list)) else (idx,)
        loose = _masked_fill_put(adv, value, raw)
        _check_values(value, _advanced_result_shape(arr[key].shape, adv), self.dtype, loose)
        if value.dtype is not self.dtype:
            value = value.to(self.dtype)

    if not _tracked(self, value):
        src = value._data if is_tensor or adv is not None else value
        if adv is None:
            arr[key] = src
        else:
            arr[key][adv] = src
        self._vc[0] += 1
        return

    target = self if step is None else step.apply(self, key)
    if adv is not None:
        _inplace_tracked(target, _index_put_key, (value, adv), {})
    elif not is_tensor or value.ndim == 0:
        _inplace_tracked(target, _fill, (value,), {})
    else:
        _inplace_tracked(target, _copy, (value,), {})
    if target is not self and self._base is not None and self._view_of is not None:
        # ``self`` is itself a view: its history is now that of its (rewritten) base.
        fresh = _replay_view(self._view_of, self._base)
        self._grad_fn, self._output_nr, self._requires_grad = fresh._grad_fn, \
            fresh._output_nr, True


# --- gather / scatter -----------------------------------------------------------------------


def _check_index_dtype(index, name: str) -> None:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype not in _INT_INDEX:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def _check_bounds(index, size: int, dim: int) -> None:
    """Every index in ``[0, size)``, else PyTorch's message."""
    if index.size == 0:
        return
    bad = (index >= size) | (index < 0)
    if bad.any():
        v = int(index[bad].reshape(-1)[0])
        raise RuntimeError(f"index {v} is out of bounds for dimension {dim} with size {size}")


def _flat_positions(shape, dim: int, index, iter_shape):
    """For each point of ``iter_shape``: its flat position in a C-ordered array of ``shape``
    when the coordinate along ``dim`` is taken from ``index`` (broadcast to ``iter_shape``)."""
    xp = xp_of(index)
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    lin = index.astype(np.intp) * strides[dim]
    nd = len(iter_shape)
    for d, n in enumerate(iter_shape):
        if d != dim and n > 1:
            lin = lin + (xp.arange(n) * strides[d]).reshape((n,) + (1,) * (nd - d - 1))
    return xp.broadcast_to(lin, iter_shape).reshape(-1)


def _identity(reduce: str, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "b":
        return reduce == "amin"
    if reduce == "amax":
        return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


_UFUNCS = {"add": "add", "sum": "add", "multiply": "multiply", "prod": "multiply",
           "amax": "maximum", "amin": "minimum"}


def _scatter_into(out, dim: int, index, src, reduce=None, include_self: bool = True) -> None:
    """``out[...index[i]...] = src[i]`` (or reduced into it), in place.

    ``src`` is an array at least as large as ``index`` (only its leading ``index.shape``
    part is used) or a scalar.
    """
    if index.size == 0:
        return
    xp = xp_of(out)
    out = _atleast_1d(out)
    index = _atleast_1d(index)
    work = out if out.flags.c_contiguous else xp.ascontiguousarray(out)
    flat = work.reshape(-1)
    lin = _flat_positions(work.shape, dim, index, index.shape)
    if hasattr(src, "shape") and not isinstance(src, np.generic):
        src = _atleast_1d(src)[tuple(slice(0, n) for n in index.shape)].reshape(-1)
    if reduce is None:
        flat[lin] = src
    elif reduce == "mean":
        if not include_self:
            flat[lin] = 0
        xp.add.at(flat, lin, src)
        count = xp.bincount(lin, minlength=flat.size)
        hit = count > 0
        n = count[hit] + (1 if include_self else 0)
        if flat.dtype.kind == "f":
            flat[hit] = flat[hit] / n.astype(flat.dtype)
        else:
            flat[hit] = xp.floor_divide(flat[hit], n)
    else:
        if not include_self:
            flat[lin] = _identity(reduce, flat.dtype)
        getattr(xp, _UFUNCS[reduce]).at(flat, lin, src)
    if work is not out:
        out[...] = work


def _pad_to(grad, shape):
    """``grad`` (the gradient of a leading block) padded with zeros to ``shape``."""
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    if grad.ndim != len(shape):
        grad = grad.reshape((1,) * (len(shape) - grad.ndim) + tuple(grad.shape))
        if tuple(grad.shape) == shape:
            return grad
    key = tuple(slice(0, n) for n in grad.shape) + (Ellipsis,)
    return _BasicIndexBackward.apply(grad, shape, key)


def _check_scatter(input, dim, index, src, name="scatter"):
    """PyTorch's checks for scatter/scatter_add/scatter_reduce; returns the wrapped dim."""
    _check_index_dtype(index, "scatter")
    dim = _wrap_dim(dim, input.ndim)
    nd = max(input.ndim, 1)
    if max(index.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None:
        if not isinstance(src, Tensor):
            raise TypeError(f"{name}(): argument 'src' must be Tensor, not {type_name(src)}")
        if 0 < src.ndim < nd:  # PyTorch asks src for a size it does not have
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-src.ndim}, {src.ndim - 1}], but got {src.ndim})")
        if max(src.ndim, 1) != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        if src.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    ishape, shape = _atleast_1d(index._data).shape, _atleast_1d(input._data).shape
    bad = any(ishape[d] > shape[d] for d in range(nd) if d != dim)
    if src is not None:
        sshape = _atleast_1d(src._data).shape
        bad = bad or any(i > s for i, s in zip(ishape, sshape))
    if bad:
        msg = (f"Expected index {_dims(index.shape)} to be no larger than self "
               f"{_dims(input.shape)} apart from dimension {dim}")
        if src is not None:
            msg += f" and to be no larger size than src {_dims(src.shape)}"
        raise RuntimeError(msg)
    _check_bounds(index._data, shape[dim], dim)
    return dim


def _gather_array(x, dim: int, index):
    """The gather kernel: ``index`` may be smaller than ``x`` in the other dims."""
    x1, i1 = _atleast_1d(x), _atleast_1d(index)
    part = x1[tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(i1.shape))]
    return xp_of(x).take_along_axis(part, i1, axis=dim).reshape(index.shape)


class Gather(ArrayFunction):
    """``out[i][j] = x[index[i][j]][j]`` (dim 0). Backward: the gradient scatter-added back."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        return _gather_array(x, dim, index)

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_x = ScatterAdd.apply(_zeros(ctx.shape, grad), ctx.dim, index, grad)
        return g_x, None, None


class Scatter(ArrayFunction):
    """``out = x.clone(); out[...index[i]...] = src[i]``: later writes win."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _scatter_into(out, dim, index, src)
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_x = g_src = None
        if ctx.needs_input_grad[0]:
            g_x = ScatterValue.apply(grad, ctx.dim, index, 0)
        if ctx.needs_input_grad[3]:
            g_src = _pad_to(Gather.apply(grad, ctx.dim, index), ctx.src_shape)
        return g_x, None, None, g_src


class ScatterValue(ArrayFunction):
    """``scatter`` of one number."""

    node_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim = dim
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _scatter_into(out, dim, index, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        return ScatterValue.apply(grad, ctx.dim, index, 0), None, None, None


class _ScatterReduceOld(ArrayFunction):
    """``scatter(..., reduce='add'|'multiply')``: PyTorch gives it no derivative."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce):
        out = x.copy()
        _scatter_into(out, dim, index, src, "sum" if reduce == "add" else "prod")
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


class ScatterAdd(ArrayFunction):
    """``out = x.clone(); out[...index[i]...] += src[i]``, repeats summed."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _scatter_into(out, dim, index, src, "sum")
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = _pad_to(Gather.apply(grad, ctx.dim, index), ctx.src_shape)
        return grad if ctx.needs_input_grad[0] else None, None, None, g_src


def _flat_counts(shape, dim, index):
    """How many elements of ``index`` land on each position of an array of ``shape``."""
    xp = xp_of(index)
    shape1 = shape or (1,)
    if index.size == 0:
        return xp.zeros(shape, dtype=np.int64)
    lin = _flat_positions(shape1, dim, _atleast_1d(index), _atleast_1d(index).shape)
    return xp.bincount(lin, minlength=math.prod(shape1)).reshape(shape)


class ScatterReduce(ArrayFunction):
    """``src`` reduced into ``x`` at the positions ``index`` names (sum, prod, mean, amax, amin).

    Gradients, per output position p and the elements E_p reduced into it (self's
    element too with ``include_self``):
      sum:  every element of E_p gets grad[p];
      mean: every element gets grad[p] / |E_p|;
      prod: element e gets grad[p] * prod(E_p without e) (zeros handled exactly);
      amax/amin: grad[p] is shared equally by the elements equal to the result.
    """

    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        out = x.copy()
        _scatter_into(out, dim, index, src, reduce, include_self)
        # the index last: as PyTorch, one changed in place since is refused
        ctx.save_for_backward(x, src, out, index) if reduce in ("prod", "amax", "amin") \
            else ctx.save_for_backward(index)
        return out

    @staticmethod
    def backward(ctx, grad):
        ctx.index = ctx.saved_tensors[-1]._data  # read through the version check
        dim, index, reduce, incl = ctx.dim, ctx.index, ctx.reduce, ctx.include_self
        np_dt = grad._data.dtype
        xp = xp_of(grad._data)
        if reduce == "sum":
            g_x = grad if incl else ScatterValue.apply(grad, dim, index, 0)
            g_src = Gather.apply(grad, dim, index)
        elif reduce == "mean":
            n = _flat_counts(grad.shape, dim, index) + (1 if incl else 0)
            g = grad / Tensor._make(xp.maximum(n, 1).astype(np_dt))
            g_x = g if incl else ScatterValue.apply(g, dim, index, 0)
            g_src = Gather.apply(g, dim, index)
        elif reduce == "prod":
            g_x, g_src = _prod_grads(ctx, grad)
        else:
            x, src, out, _ = ctx.saved_tensors
            src_part = _leading_block(src, index.shape)._data
            # As PyTorch: self's element counts among the ties even without include_self
            # (it then gets no gradient itself where src was reduced in).
            self_is = x._data == out._data
            src_is = src_part == _gather_array(out._data, dim, index)
            count = self_is.astype(np_dt)
            _scatter_into(count, dim, index, src_is.astype(np_dt), "sum")
            g_dist = grad / Tensor._make(xp.maximum(count, 1))
            if not incl:
                self_is &= _flat_counts(grad.shape, dim, index) == 0
            g_x = g_dist * Tensor._make(self_is.astype(np_dt))
            g_src = Gather.apply(g_dist, dim, index) * Tensor._make(src_is.astype(np_dt))
        g_x = g_x if ctx.needs_input_grad[0] else None
        g_src = _pad_to(g_src, ctx.src_shape) if ctx.needs_input_grad[3] else None
        return g_x, None, None, g_src, None, None


def _prod_grads(ctx, grad):
    """Gradients of ``scatter_reduce(..., 'prod')``, exact where some factors are zero.

    For a factor e of the product at p, d result / d e is the product of the other
    factors: PNZ / e when no factor is zero (PNZ: the product of the nonzero factors),
    PNZ when e is the only zero factor, and 0 otherwise.
    """
    dim, index, incl = ctx.dim, ctx.index, ctx.include_self
    x, src, _, _ = ctx.saved_tensors
    np_dt = grad._data.dtype
    src_part = _leading_block(src, index.shape)
    x_zero = x._data == 0
    s_zero = src_part._data == 0
    zeros = (x_zero & incl).astype(np.int64)
    _scatter_into(zeros, dim, index, s_zero.astype(np.int64), "sum")
    x_safe = masked_fill(x, Tensor._make(x_zero), 1)
    s_safe = masked_fill(src_part, Tensor._make(s_zero), 1)
    start = x_safe if incl else Tensor._make(xp_of(x._data).ones(x.shape, dtype=np_dt))
    pnz = ScatterReduce.apply(start, dim, index, s_safe, "prod", True)

    def coef(is_zero, nz, safe, p):
        only_zero = Tensor._make((is_zero & (nz == 1)).astype(np_dt))
        no_zero = Tensor._make((~is_zero & (nz == 0)).astype(np_dt))
        return p * (only_zero + no_zero / safe)

    # Without include_self, reduced positions have no factor from self: its gradient is 0.
    g_x = grad * coef(x_zero, zeros, x_safe, pnz) if incl else \
        ScatterValue.apply(grad, dim, index, 0)
    z_at = _gather_array(zeros, dim, index)
    g_src = Gather.apply(grad, dim, index) * coef(s_zero, z_at, s_safe,
                                                 Gather.apply(pnz, dim, index))
    return g_x, g_src


def _leading_block(t, shape):
    """The part of ``t`` that an index of ``shape`` uses (differentiably), shaped ``shape``."""
    block = tuple(slice(0, n) for n in (shape or (1,)))
    if t.ndim == 0 or all(b.stop == n for b, n in zip(block, t.shape)):
        return t.reshape(shape)
    return Slice.apply(t, block + (Ellipsis,)).reshape(shape)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values picked along ``dim``: ``out[i][j] = input[index[i][j]][j]`` for ``dim=0``.

    Args:
        input: the source tensor.
        dim: the dimension to index along.
        index: int64/int32 tensor with as many dims as ``input``; no larger than it
            except along ``dim``. The output has ``index``'s shape.
    """
    _check_index_dtype(index, "gather")
    dim = _wrap_dim(dim, input.ndim)
    nd = max(input.ndim, 1)
    if max(index.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    ishape, shape = _atleast_1d(index._data).shape, _atleast_1d(input._data).shape
    for d in range(nd):
        if d != dim and ishape[d] > shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{_dims(index.shape)} to be no larger than self "
                               f"{_dims(input.shape)} apart from dimension {dim}")
    _check_bounds(index._data, shape[dim], dim)
    if out is not None:
        check_out(out, "gather", input)
        return write_out(out, Gather.apply(input, dim, index))
    return Gather.apply(input, dim, index)


def _scatter_args(src, value, reduce, name, input):
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None and value is None:
        raise TypeError(f"{name}() missing required argument 'src' or 'value'")
    if isinstance(value, Tensor):
        value = value.item()
    if value is not None:
        value = checked_scalar(value, input.dtype)
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if reduce is not None and src is not None:
        _warnings.warn("The reduce argument of numtorch.scatter with Tensor src is deprecated and "
                       "will be removed in a future release. Use numtorch.scatter_reduce instead "
                       "for more reduction options.", UserWarning)
    return src, value


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of ``input`` with ``src`` (or ``value``) written at the positions ``index`` names
    along ``dim``: ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``.

    ``reduce='add'``/``'multiply'`` combine instead of overwrite (no gradient, as in PyTorch;
    prefer :func:`scatter_reduce`).
    """
    src, value = _scatter_args(src, value, reduce, "scatter", input)
    dim = _check_scatter(input, dim, index, src)
    if reduce is not None:
        operand = src if src is not None else value
        return _ScatterReduceOld.apply(input, dim, index, operand, reduce)
    if src is not None:
        return Scatter.apply(input, dim, index, src)
    return ScatterValue.apply(input, dim, index, value)


def scatter_(input, dim, index, src=None, value=None, *, reduce=None):
    """In-place :func:`scatter`."""
    if _tracked(input, src):
        return _inplace_tracked(input, scatter, (dim, index, src, value), {"reduce": reduce})
    src, value = _scatter_args(src, value, reduce, "scatter_", input)
    dim = _check_scatter(input, dim, index, src)
    how = None if reduce is None else ("sum" if reduce == "add" else "prod")
    _scatter_into(input._data, dim, index._data, src._data if src is not None else value, how)
    input._vc[0] += 1
    return input


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at the positions ``index`` names (repeats sum)."""
    dim = _check_scatter(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, dim, index, src)


def scatter_add_(input, dim, index, src):
    """In-place :func:`scatter_add`."""
    if _tracked(input, src):
        return _inplace_tracked(input, scatter_add, (dim, index, src), {})
    dim = _check_scatter(input, dim, index, src, "scatter_add_")
    _scatter_into(input._data, dim, index._data, src._data, "sum")
    input._vc[0] += 1
    return input


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _check_reduce(reduce):
    if reduce not in _REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``src`` reduced into a copy of ``input`` at the positions ``index`` names along ``dim``.

    Args:
        reduce: ``'sum'``, ``'prod'``, ``'mean'``, ``'amax'`` or ``'amin'``.
        include_self: whether ``input``'s own values take part in the reduction.
    """
    _check_reduce(reduce)
    dim = _check_scatter(input, dim, index, src, "scatter_reduce")
    return ScatterReduce.apply(input, dim, index, src, reduce, bool(include_self))


def scatter_reduce_(input, dim, index, src, reduce, *, include_self=True):
    """In-place :func:`scatter_reduce`."""
    if _tracked(input, src):
        return _inplace_tracked(input, scatter_reduce, (dim, index, src, reduce),
                                {"include_self": include_self})
    _check_reduce(reduce)
    dim = _check_scatter(input, dim, index, src, "scatter_reduce_")
    _scatter_into(input._data, dim, index._data, src._data, reduce, bool(include_self))
    input._vc[0] += 1
    return input


# --- index_select / index_add / index_copy / index_fill -------------------------------------


def _along(dim: int, idx) -> tuple:
    """The NumPy key that indexes dimension ``dim`` with ``idx``."""
    return (slice(None),) * dim + (idx,)


class IndexSelect(ArrayFunction):
    """The slices ``index`` names along ``dim``. Backward: index_add into zeros."""

    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        if x.ndim == 0:
            return x.copy()
        return xp_of(x).take(x, index.reshape(-1), axis=dim)

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        return IndexAdd.apply(_zeros(ctx.shape, grad), ctx.dim, index, grad, 1), None, None


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    if index._data.dtype not in _INT_INDEX:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = _wrap_dim(dim, input.ndim)
    idx = index._data
    if input.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                             f"{idx.size} value(s)")
        if int(idx.reshape(-1)[0]) != 0:
            raise IndexError("index out of range in self")
    elif idx.size:
        size = input.shape[dim]
        bad = (idx >= size) | (idx < 0)
        if bad.any():
            if dim != 1:  # PyTorch's CPU kernel words it differently for dim 1 alone
                raise IndexError("index out of range in self")
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(idx[bad][0])} "
                             f"axis_dim={size}")
    if out is not None:
        check_out(out, "index_select", input)
        return write_out(out, IndexSelect.apply(input, dim, index))
    return IndexSelect.apply(input, dim, index)


def _index_add_into(out, dim, index, src, alpha=1) -> None:
    """``out[..., index[j], ...] += alpha * src[..., j, ...]`` in place, repeats summed."""
    xp = xp_of(out)
    out1, src1 = _atleast_1d(out), _atleast_1d(src)
    if src1.size == 0:
        return
    if alpha != 1:
        a = int(alpha) if out.dtype.kind in "iub" else alpha
        src1 = (src1 * a).astype(out.dtype, copy=False)
    work = out1 if out1.flags.c_contiguous else xp.ascontiguousarray(out1)
    nd = work.ndim
    idx = index.reshape((1,) * dim + (-1,) + (1,) * (nd - dim - 1))
    lin = _flat_positions(work.shape, dim, idx, src1.shape)
    xp.add.at(work.reshape(-1), lin, src1.reshape(-1))
    if work is not out1:
        out1[...] = work


def _check_index_source(input, dim, index, source, name):
    """The shape checks shared by index_add and index_copy: ``source`` is ``input`` with
    ``len(index)`` slices along ``dim``."""
    shape, sshape = input.shape, source.shape
    if input.ndim != source.ndim or any(
            s != t for d, (s, t) in enumerate(zip(shape, sshape)) if d != dim):
        if name == "index_add_":
            raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = {_dims(shape)} "
                               f"source.shape = {_dims(sshape)}")
        sliced = " ".join(str(n) for d, n in enumerate(shape) if d != dim)
        src_sliced = " ".join(str(n) for d, n in enumerate(sshape) if d != dim)
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: {sliced} at dimension {dim} and "
                           f"source slice shape: {src_sliced} at dimension 0.")


class IndexAdd(ArrayFunction):
    """``out = x.clone(); out.index_add_(dim, index, src, alpha=alpha)``."""

    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, alpha):
        ctx.dim, ctx.alpha, ctx.src_shape = dim, alpha, src.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _index_add_into(out, dim, index, src, alpha)
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_src = None
        if ctx.needs_input_grad[3]:
            g_src = IndexSelect.apply(grad, ctx.dim, index).reshape(ctx.src_shape)
            if ctx.alpha != 1:
                g_src = g_src * ctx.alpha
        return grad if ctx.needs_input_grad[0] else None, None, None, g_src, None


def _prep_index_add(input, dim, index, source):
    if not isinstance(index, Tensor) or index._data.dtype not in _INT_INDEX:
        got = index.dtype._legacy if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {got}")
    dim = _wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{index.ndim} with type: {index.dtype._legacy} and size: "
                         f"{_dims(index.shape)}")
    n_src = source.shape[dim] if source.ndim else 1
    if index.numel() != n_src:
        raise RuntimeError(f"index_add_(): Number of indices ({index.numel()}) should be equal "
                           f"to source.size(dim): ({n_src}), for dim: {dim}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({input.dtype._legacy}) and source "
                           f"({source.dtype._legacy}) must have the same scalar type")
    _check_index_source(input, dim, index, source, "index_add_")
    size = input.shape[dim] if input.ndim else 1
    if input.ndim <= 1 or 0 < dim < input.ndim - 1:
        # PyTorch's CPU kernel words it this way for a vector and for inner dims; for the
        # first and the last dim of a matrix and beyond, as _check_bounds does.
        idx = index._data
        if idx.size and ((idx >= size) | (idx < 0)).any():
            raise IndexError("index out of range in self")
    else:
        _check_bounds(index._data, size, dim)
    return dim


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    dim = _prep_index_add(input, dim, index, source)
    return IndexAdd.apply(input, dim, index, source, alpha)


def index_add_(input, dim, index, source, *, alpha=1):
    """In-place :func:`index_add`."""
    if _tracked(input, source):
        return _inplace_tracked(input, index_add, (dim, index, source), {"alpha": alpha})
    dim = _prep_index_add(input, dim, index, source)
    _index_add_into(input._data, dim, index._data, source._data, alpha)
    input._vc[0] += 1
    return input


class IndexCopy(ArrayFunction):
    """``out = x.clone(); out[..., index[j], ...] = src[..., j, ...]``."""

    node_name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _atleast_1d(out)[_along(dim, index.reshape(-1))] = _atleast_1d(src)
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_x = g_src = None
        if ctx.needs_input_grad[0]:
            g_x = IndexFill.apply(grad, ctx.dim, index, 0)
        if ctx.needs_input_grad[3]:
            g_src = IndexSelect.apply(grad, ctx.dim, index).reshape(ctx.src_shape)
        return g_x, None, None, g_src


def _prep_index_copy(input, dim, index, source):
    if not isinstance(index, Tensor) or index._data.dtype != _LONG:
        got = index.dtype._legacy if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {got}")
    dim = _wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {input.dtype._legacy} and (source) "
                           f"{source.dtype._legacy}")
    if source.ndim and input.ndim and source.ndim != input.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({source.ndim}), "
                         f"destination dimensionality ({input.ndim})")
    n_src = source.shape[dim] if source.ndim else 1
    if index.numel() != n_src:
        raise IndexError(f"index_copy_(): Number of indices ({index.numel()}) should be equal to "
                         f"source.size(dim) ({n_src})")
    if source.ndim:
        _check_index_source(input, dim, index, source, "index_copy_")
    size = input.shape[dim] if input.ndim else 1
    idx = index._data
    if idx.size:
        bad = (idx >= size) | (idx < 0)
        if bad.any():
            raise IndexError(f"index_copy_(): index {int(idx[bad][0])} is out of bounds for "
                             f"dimension {dim} with size {size}")
    return dim


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices of ``source`` written at ``index`` along ``dim``."""
    dim = _prep_index_copy(input, dim, index, source)
    return IndexCopy.apply(input, dim, index, source)


def index_copy_(input, dim, index, source):
    """In-place :func:`index_copy`."""
    if _tracked(input, source):
        return _inplace_tracked(input, index_copy, (dim, index, source), {})
    dim = _prep_index_copy(input, dim, index, source)
    _atleast_1d(input._data)[_along(dim, index._data.reshape(-1))] = _atleast_1d(source._data)
    input._vc[0] += 1
    return input


class IndexFill(ArrayFunction):
    """``out = x.clone(); out[..., index, ...] = value`` (a number)."""

    node_name = "IndexFillBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim = dim
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        _atleast_1d(out)[_along(dim, index.reshape(-1))] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_value = None
        if ctx.needs_input_grad[3]:  # each filled slice once, however often it is named
            unique = xp_of(index).unique(index)
            g_value = IndexSelect.apply(grad, ctx.dim, unique).sum()
        return IndexFill.apply(grad, ctx.dim, index, 0), None, None, g_value


class IndexFillTensor(IndexFill):
    """``index_fill`` with a 0-d tensor value (which gets a gradient)."""

    node_name = "IndexFillBackward1"


def _prep_index_fill(input, dim, index, value):
    if not isinstance(index, Tensor) or index._data.dtype != _LONG:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    dim = _wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    size = input.shape[dim] if input.ndim else 1
    idx = index._data
    if idx.size:
        bad = (idx >= size) | (idx < -size)
        if bad.any():
            raise IndexError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} "
                             f"with size {size}")
    return dim


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    dim = _prep_index_fill(input, dim, index, value)
    if isinstance(value, Tensor):
        return IndexFillTensor.apply(input, dim, index, value)
    return IndexFill.apply(input, dim, index, checked_scalar(value, input.dtype))


def index_fill_(input, dim, index, value):
    """In-place :func:`index_fill`."""
    if _tracked(input, value):
        return _inplace_tracked(input, index_fill, (dim, index, value), {})
    dim = _prep_index_fill(input, dim, index, value)
    v = value._data if isinstance(value, Tensor) else checked_scalar(value, input.dtype)
    _atleast_1d(input._data)[_along(dim, index._data.reshape(-1))] = v
    input._vc[0] += 1
    return input


# --- index_reduce ---------------------------------------------------------------------------

_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def _index_reduce_into(out, dim, index, src, reduce, include_self) -> None:
    """``src``'s slices along ``dim`` reduced into ``out``'s slices at ``index``, in place.

    As PyTorch's kernel: without ``include_self`` the named slices first become the
    reduction's identity; repeats reduce in index order, in ``out``'s dtype (integers
    wrap, float16 rounds at each step); ``mean`` then divides by the count (floor division
    for integers), the count itself kept in ``out``'s dtype as PyTorch keeps it.
    """
    if index.size == 0:
        return
    xp = xp_of(out)
    out1, src1 = _atleast_1d(out), _atleast_1d(src)
    work = out1 if out1.flags.c_contiguous else xp.ascontiguousarray(out1)
    nd = work.ndim
    idx = index.reshape((1,) * dim + (-1,) + (1,) * (nd - dim - 1))
    lin = _flat_positions(work.shape, dim, idx, src1.shape)
    flat = work.reshape(-1)
    if not include_self:
        flat[lin] = _identity(reduce, flat.dtype)
    if reduce == "mean":
        xp.add.at(flat, lin, src1.reshape(-1))
        count = xp.bincount(lin, minlength=flat.size)
        hit = count > 0
        n = count[hit] + (1 if include_self else 0)
        if flat.dtype.kind == "f":
            # counted by adding ones in this dtype: they stop growing past the mantissa
            n = xp.minimum(n, 2 ** (np.finfo(flat.dtype).nmant + 1)).astype(flat.dtype)
            flat[hit] = flat[hit] / n
        else:
            n = n.astype(flat.dtype)  # wraps as PyTorch's integer count does
            n[n == 0] = 1
            flat[hit] = xp.floor_divide(flat[hit], n)
    else:
        getattr(xp, _UFUNCS[reduce]).at(flat, lin, src1.reshape(-1))
    if work is not out1:
        out1[...] = work


def _select_rows(arr, dim, index, shape):
    """``index_select`` on an array, shaped ``shape`` (the source's shape)."""
    return xp_of(arr).take(_atleast_1d(arr), index.reshape(-1), axis=dim).reshape(shape)


class IndexReduce(ArrayFunction):
    """``out = x.clone(); out.index_reduce_(dim, index, src, reduce, include_self=...)``.

    Gradients, as PyTorch's ``index_reduce_backward``, per output slice p and the slices
    reduced into it (self's too with ``include_self``):
      mean:      each gets grad[p] / count[p];
      prod:      each gets grad[p] * (product of the others), exact where one factor is
                 zero (differentiating it again refuses two zeros of src at one place);
      amax/amin: grad[p] is shared equally by the elements equal to the result, self's
                 element counted among them even without ``include_self``.
    Without ``include_self`` the slices of self that were reduced into get no gradient.
    """

    node_name = "IndexReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        ctx.dim, ctx.src_shape = dim, src.shape
        ctx.reduce, ctx.include_self = reduce, include_self
        out = x.copy()
        _index_reduce_into(out, dim, index, src, reduce, include_self)
        # the index last: as PyTorch, one changed in place since is refused
        ctx.save_for_backward(index) if reduce == "mean" else ctx.save_for_backward(
            x, src, out, index)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, reduce, shape = ctx.dim, ctx.reduce, ctx.src_shape
        index = ctx.saved_tensors[-1]._data
        if not ctx.include_self and index.dtype != _LONG:
            # PyTorch clears self's gradient with index_fill, which refuses an int32 index
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        dt = grad._data.dtype
        xp = xp_of(grad._data)
        if reduce == "mean":
            n = xp.full(grad.shape, 1 if ctx.include_self else 0, dtype=dt)
            _index_add_into(n, dim, index, xp.ones(shape, dtype=dt))
            n[n == 0] = 1
            g_x = grad / Tensor._make(n)
            g_src = IndexSelect.apply(grad, dim, index) / Tensor._make(
                _select_rows(n, dim, index, shape))
        elif reduce == "prod":
            g_x, g_src = _index_prod_grads(ctx, grad, index)
        else:
            x, src, out, _ = ctx.saved_tensors
            # (asarray: on 0-d arrays NumPy compares to a scalar)
            self_is = xp.asarray(x._data == out._data).astype(dt)
            src_is = xp.asarray(src._data == _select_rows(out._data, dim, index, shape)).astype(dt)
            n = self_is.copy()
            _index_add_into(n, dim, index, src_is)
            g_share = grad / Tensor._make(n)
            g_x = Tensor._make(self_is) * g_share
            g_src = Tensor._make(src_is) * IndexSelect.apply(g_share, dim, index)
        if not ctx.include_self:
            g_x = IndexFill.apply(g_x, dim, index, 0)
        return (g_x if ctx.needs_input_grad[0] else None, None, None,
                g_src if ctx.needs_input_grad[3] else None, None, None)


def _index_prod_grads(ctx, grad, index):
    """Gradients of ``index_reduce(..., 'prod')``: d result / d e is the product of the
    other factors. For self, result / self with self's zeros read as ones; for src,
    result / src where src is nonzero, and where src holds the only zero of its output
    slice, the product recomputed with that zero read as one."""
    dim, incl, shape = ctx.dim, ctx.include_self, ctx.src_shape
    x, src, out, _ = ctx.saved_tensors
    dt = grad._data.dtype
    xp = xp_of(grad._data)
    x_safe = masked_fill(x, Tensor._make(xp.asarray(x._data == 0)), 1)
    g_x = grad * IndexReduce.apply(x_safe, dim, index, src, "prod", incl) / x_safe
    s_zero = xp.asarray(src._data == 0)
    zeros = xp.zeros(grad.shape, dtype=dt)
    _index_add_into(zeros, dim, index, s_zero.astype(dt))
    zeros_at = _select_rows(zeros, dim, index, shape)
    lone = Tensor._make(xp.asarray(s_zero & (zeros_at == 1)))
    without_lone = IndexReduce.apply(x, dim, index, masked_fill(src, lone, 1), "prod", incl)
    g_src = where(lone, IndexSelect.apply(grad * without_lone, dim, index),
                  IndexSelect.apply(grad * out, dim, index)
                  / masked_fill(src, Tensor._make(s_zero), 1))
    if (zeros_at > 1).any():
        g_src = _IndexReduceTwoZeros.apply(g_src)
    return g_x, g_src


class _IndexReduceTwoZeros(ArrayFunction):
    """The source gradient of a prod where two zeros of src meet: PyTorch's ``DelayedError``
    node, which refuses to be differentiated."""

    node_name = "Error"

    @staticmethod
    def forward(ctx, g):
        return g.copy()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("index_reduce(): Double backward is unsupported for source when >1 "
                           "zeros in source are scattered to the same position in self")


def _check_index_reduce_args(name, dim, index, source, reduce, include_self) -> None:
    """The argument types PyTorch's parser demands (positions as the Tensor method counts)."""
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not "
                        f"{type_name(dim)}")
    for arg, value, pos in (("index", index, 2), ("source", source, 3)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type_name(value)}")
    if not isinstance(reduce, str):
        raise TypeError(f"{name}(): argument 'reduce' (position 4) must be str, not "
                        f"{type_name(reduce)}")
    if not isinstance(include_self, bool):
        raise TypeError(f"{name}(): argument 'include_self' must be bool, not "
                        f"{type_name(include_self)}")


def _prep_index_reduce(input, dim, index, source, reduce):
    """PyTorch's shape and dtype checks, in its order; returns the wrapped dim."""
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    dim = _wrap_dim(dim, input.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{index.ndim} with type: {index.dtype._legacy} and size: "
                         f"{_dims(index.shape)}")
    if index._data.dtype not in _INT_INDEX:
        raise RuntimeError(f"index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{index.dtype._legacy}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_reduce_(): self ({input.dtype._legacy}) and source "
                           f"({source.dtype._legacy}) must have the same scalar type")
    if dim != 0 and dim >= source.ndim:
        raise RuntimeError(f"index_reduce_(): Indexing dim {dim} is out of bounds of the source "
                           f"tensor with dim {source.ndim}")
    n_src = source.shape[dim] if source.ndim else 1
    if index.numel() != n_src:
        if not source.ndim:  # PyTorch's message asks the 0-d source for its size
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be "
                           f"equal to source.size(dim): ({n_src}), for dim: {dim}")
    rest, src_rest = list(input.shape), list(source.shape)
    if input.ndim and source.ndim:
        del rest[dim], src_rest[dim]
    if rest != src_rest:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {_dims(input.shape)} "
                           f"source.shape = {_dims(source.shape)}")
    return dim


def _check_index_reduce_run(input, dim, index, reduce, include_self) -> None:
    """What PyTorch's kernel refuses once the shapes are right: bool tensors where it has no
    loop for them, and indices out of range (``index_fill_``'s words first, which it runs
    without ``include_self``). Checked before anything is written."""
    from .extras import warn_once

    warn_once("index_reduce() is in beta and the API may change at any time.")
    is_bool = input.dtype is D.bool
    if is_bool and not include_self:
        raise NotImplementedError("\"index_reduce_func_exclude_input_init\" not implemented for "
                                  "'Bool'")
    if is_bool and input.ndim <= 1:
        raise NotImplementedError("\"index_func_\" not implemented for 'Bool'")
    idx = index._data
    if idx.size == 0:
        return
    size = input.shape[dim] if input.ndim else 1
    if not include_self:
        bad = (idx >= size) | (idx < -size)
        if bad.any():
            raise IndexError(f"index {int(idx[bad][0])} is out of bounds for dimension {dim} "
                             f"with size {size}")
    if ((idx < 0) | (idx >= size)).any():
        raise IndexError("index out of range in self")
    if is_bool and reduce == "mean":
        raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """A copy of ``input`` with the slices of ``source`` reduced into the slices ``index``
    names along ``dim``: ``out[index[j]] = reduce(out[index[j]], source[j])`` for ``dim=0``.

    Args:
        reduce: ``'prod'``, ``'mean'``, ``'amax'`` or ``'amin'``.
        include_self: whether ``input``'s own values take part (without it, the slices
            named keep only what ``source`` brings; the others keep ``input``'s values).
    """
    _check_index_reduce_args("index_reduce", dim, index, source, reduce, include_self)
    if out is not None:
        check_out(out, "index_reduce", input, source)
    dim = _prep_index_reduce(input, dim, index, source, reduce)
    if out is not None and out.dtype is not input.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_C_NAMES[input.dtype.name]}, "
                           f"but got {_C_NAMES[out.dtype.name]} instead")
    _check_index_reduce_run(input, dim, index, reduce, include_self)
    result = IndexReduce.apply(input, dim, index, source, reduce, include_self)
    return result if out is None else write_out(out, result)


def index_reduce_(input, dim, index, source, reduce, *, include_self=True):
    """In-place :func:`index_reduce`."""
    _check_index_reduce_args("index_reduce_", dim, index, source, reduce, include_self)
    if _tracked(input, source):
        return _inplace_tracked(input, index_reduce, (dim, index, source, reduce),
                                {"include_self": include_self})
    dim = _prep_index_reduce(input, dim, index, source, reduce)
    _check_index_reduce_run(input, dim, index, reduce, include_self)
    _index_reduce_into(input._data, dim, index._data, source._data, reduce, include_self)
    input._vc[0] += 1
    return input


# --- masked ops -----------------------------------------------------------------------------


class MaskedFill(ArrayFunction):
    """``value`` where ``mask`` is True, ``x`` elsewhere (``mask`` broadcasts)."""

    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        out = x.copy() if shape == x.shape else xp.array(xp.broadcast_to(x, shape))
        xp.copyto(out, value, casting="unsafe", where=mask)
        return out

    @staticmethod
    def backward(ctx, grad):
        g_x = g_value = None
        if ctx.needs_input_grad[0]:
            g_x = MaskedFill.apply(grad, ctx.mask, 0)
        if ctx.needs_input_grad[2]:
            g_value = MaskedFill.apply(grad, ~ctx.mask, 0).sum()
        return g_x, None, g_value


class MaskedFillTensor(MaskedFill):
    """``masked_fill`` with a 0-d tensor value (which gets a gradient)."""

    node_name = "MaskedFillBackward1"


def _prep_masked_fill(input, mask, value):
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' must be Tensor, not "
                        f"{type(mask).__name__}")
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES[mask.dtype.name]}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
    elif not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got "
                        f"value of type {type(value).__name__}")
    return _broadcast_shape(mask.shape, input.shape)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where the bool ``mask`` (broadcast) is True."""
    _prep_masked_fill(input, mask, value)
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, mask, value)
    return MaskedFill.apply(input, mask, checked_scalar(value, input.dtype))


def _check_inplace_shape(input, shape) -> None:
    if tuple(shape) != tuple(input.shape):
        raise RuntimeError(f"output with shape {_dims(input.shape)} doesn't match the broadcast "
                           f"shape {_dims(shape)}")


def masked_fill_(input, mask, value):
    """In-place :func:`masked_fill`."""
    if _tracked(input, value):
        return _inplace_tracked(input, masked_fill, (mask, value), {})
    _check_inplace_shape(input, _prep_masked_fill(input, mask, value))
    v = value._data if isinstance(value, Tensor) else checked_scalar(value, input.dtype)
    xp_of(input._data).copyto(input._data, v, casting="unsafe", where=mask._data)
    input._vc[0] += 1
    return input


class MaskedSelect(ArrayFunction):
    """The elements where ``mask`` is True, as a 1-D tensor (``x`` and ``mask`` broadcast)."""

    node_name = "MaskedSelectBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        ctx.shape = shape
        ctx.save_for_backward(mask)  # as PyTorch: a mask changed in place since is refused
        return xp.broadcast_to(x, shape)[xp.broadcast_to(mask, shape)]

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        zeros = _zeros(ctx.shape, grad)
        mask = xp_of(mask._data).broadcast_to(mask._data, ctx.shape)
        return IndexPut.apply(zeros, grad, (mask,), False), None


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where the bool ``mask`` is True (a new 1-D tensor)."""
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _broadcast_shape(mask.shape, input.shape)
    if out is not None:
        check_out(out, "masked_select", input)
        return write_out(out, MaskedSelect.apply(input, mask))
    return MaskedSelect.apply(input, mask)


class _FlatPad(ArrayFunction):
    """A 1-D ``grad`` placed at the start of zeros of ``shape`` (C order)."""

    node_name = "MaskedScatterBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape):
        ctx.n = g.shape[0]
        out = xp_of(g).zeros(math.prod(shape), dtype=g.dtype)
        out[:ctx.n] = g
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return Slice.apply(grad.reshape(-1), (slice(0, ctx.n), Ellipsis)), None


class MaskedScatter(ArrayFunction):
    """``x`` with the positions where ``mask`` is True filled by ``source``'s elements in order."""

    node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, source):
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        mask = xp.broadcast_to(mask, shape)
        out = x.copy() if shape == x.shape else xp.array(xp.broadcast_to(x, shape))
        n = int(mask.sum())
        out[mask] = source.reshape(-1)[:n]
        ctx.mask, ctx.src_shape = mask, source.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        g_x = g_src = None
        if ctx.needs_input_grad[0]:
            g_x = MaskedFill.apply(grad, ctx.mask, 0)
        if ctx.needs_input_grad[2]:
            g_src = _FlatPad.apply(Index.apply(grad, (ctx.mask,)), ctx.src_shape)
        return g_x, None, g_src


def _prep_masked_scatter(input, mask, source):
    if not isinstance(mask, Tensor) or mask.dtype is not D.bool:
        got = mask.dtype._legacy if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{got}")
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter(): argument 'source' must be Tensor, not "
                        f"{type(source).__name__}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{input.dtype._legacy} and {source.dtype._legacy}")
    shape = _broadcast_shape(mask.shape, input.shape)
    if int(xp_of(mask._data).broadcast_to(mask._data, shape).sum()) > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return shape


def masked_scatter(input, mask, source):
    """A copy of ``input`` whose positions where ``mask`` is True take ``source``'s elements,
    in row-major order."""
    _prep_masked_scatter(input, mask, source)
    return MaskedScatter.apply(input, mask, source)


def masked_scatter_(input, mask, source):
    """In-place :func:`masked_scatter`."""
    if _tracked(input, source):
        return _inplace_tracked(input, masked_scatter, (mask, source), {})
    if mask.ndim > input.ndim:
        raise RuntimeError(f"expand(CPUBoolType{{{_dims(mask.shape)}}}, size={_dims(input.shape)}"
                           f"): the number of sizes provided ({input.ndim}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({mask.ndim})")
    lead = input.ndim - mask.ndim
    for d, n in enumerate(mask.shape):
        if n != 1 and n != input.shape[lead + d]:
            raise RuntimeError(f"The expanded size of the tensor ({input.shape[lead + d]}) must "
                               f"match the existing size ({n}) at non-singleton dimension "
                               f"{lead + d}.  Target sizes: {_dims(input.shape)}.  Tensor "
                               f"sizes: {_dims(mask.shape)}")
    _prep_masked_scatter(input, mask, source)
    m = xp_of(input._data).broadcast_to(mask._data, input.shape)
    input._data[m] = source._data.reshape(-1)[:int(m.sum())]
    input._vc[0] += 1
    return input


# --- take / put / take_along_dim -----------------------------------------------------------


def _check_flat_bounds(index, n: int) -> None:
    if index.size:
        bad = (index >= n) | (index < -n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(index[bad][0])} on a "
                             f"tensor of {n} elements.")


class Take(ArrayFunction):
    """``input`` read as 1-D at the positions in ``index``; the result has ``index``'s shape."""

    node_name = "TakeBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        return Put.apply(_zeros(ctx.shape, grad), index, grad, True), None


def take(input, index):
    """The elements of ``input`` (read as 1-D) at the positions in ``index``."""
    if not isinstance(index, Tensor) or index._data.dtype != _LONG:
        got = index.dtype._legacy if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    _check_flat_bounds(index._data, input.numel())
    return Take.apply(input, index)


class Put(ArrayFunction):
    """``out = x.clone(); out.view(-1)[index] = source`` (``+=`` with ``accumulate``)."""

    node_name = "PutBackward0"

    @staticmethod
    def forward(ctx, x, index, source, accumulate):
        ctx.accumulate, ctx.src_shape = accumulate, source.shape
        ctx.save_for_backward(index)  # as PyTorch: an index changed in place since is refused
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            xp_of(x).add.at(flat, index.reshape(-1), source.reshape(-1))
        else:
            flat[index.reshape(-1)] = source.reshape(-1)
        return out

    @staticmethod
    def backward(ctx, grad):
        index = ctx.saved_tensors[0]._data
        g_x = g_src = None
        if ctx.needs_input_grad[0]:
            g_x = grad if ctx.accumulate else Put.apply(
                grad, index, _zeros(ctx.src_shape, grad), False)
        if ctx.needs_input_grad[2]:
            g_src = Take.apply(grad, index).reshape(ctx.src_shape)
        return g_x, None, g_src, None


def _prep_put(input, index, source):
    if not isinstance(index, Tensor) or index._data.dtype != _LONG:
        got = index.dtype._legacy if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {got}")
    if not isinstance(source, Tensor):
        raise TypeError(f"put_(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype._legacy} and source.dtype = "
                           f"{source.dtype._legacy}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    _check_flat_bounds(index._data, input.numel())


def put(input, index, source, accumulate=False):
    """A copy of ``input`` (read as 1-D) with ``source`` written at the positions ``index``."""
    _prep_put(input, index, source)
    return Put.apply(input, index, source, bool(accumulate))


def put_(input, index, source, accumulate=False):
    """In-place :func:`put`."""
    if _tracked(input, source):
        return _inplace_tracked(input, put, (index, source, accumulate), {})
    _prep_put(input, index, source)
    arr = input._data
    work = arr if arr.flags.c_contiguous else xp_of(arr).ascontiguousarray(arr)
    flat, idx, src = work.reshape(-1), index._data.reshape(-1), source._data.reshape(-1)
    if accumulate:
        xp_of(arr).add.at(flat, idx, src)
    else:
        flat[idx] = src
    if work is not arr:
        arr[...] = work
    input._vc[0] += 1
    return input


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (they broadcast against each other
    elsewhere); with ``dim=None``, both are read as 1-D. Pairs with ``argsort``/``argmax``."""
    if not isinstance(indices, Tensor) or indices._data.dtype != _LONG:
        got = indices.dtype._legacy if isinstance(indices, Tensor) else type(indices).__name__
        raise RuntimeError(f"numtorch.take_along_dim(): dtype of indices should be Long but got "
                           f"{got}")
    if dim is None:
        flat = input.reshape(-1)
        idx = indices.reshape(-1)
        size = flat.shape[0]
    else:
        if input.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if input.ndim != indices.ndim:
            raise RuntimeError(f"numtorch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {input.ndim} dimensions for input, "
                               f"and {indices.ndim} dimensions for indices")
        dim = _wrap_dim(dim, input.ndim)
        size = input.shape[dim]
        s_in, s_idx = list(input.shape), list(indices.shape)
        s_in[dim] = s_idx[dim]
        shape = list(_broadcast_shape(tuple(s_in), tuple(s_idx)))
        idx = indices if list(indices.shape) == shape else indices.expand(*shape)
        shape[dim] = size
        flat = input if list(input.shape) == shape else input.expand(*shape)
    arr = idx._data
    if arr.size and (arr < 0).any():  # take_along_dim counts negative indices from the end
        idx = Tensor._make(xp_of(arr).where(arr < 0, arr + size, arr))
    result = gather(flat, 0 if dim is None else dim, idx)
    if out is not None:
        check_out(out, "take_along_dim", input)
        return write_out(out, result)
    return result


# --- nonzero / argwhere ---------------------------------------------------------------------


def nonzero(input, *, out=None, as_tuple=False):
    """The positions of the nonzero elements: an ``(n, ndim)`` int64 tensor, or with
    ``as_tuple`` one 1-D tensor per dimension."""
    arr = input._data
    xp = xp_of(arr)
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(_atleast_1d(arr)))
    result = Tensor._make(xp.argwhere(arr).astype(np.int64, copy=False))
    if out is not None:
        return write_out(out, result)
    return result


def argwhere(input):
    """The positions of the nonzero elements as an ``(n, ndim)`` int64 tensor."""
    return nonzero(input)


# --- the history of a base after an in-place op on its view ---------------------------------


class _ZeroView(ArrayFunction):
    """A copy of ``grad`` with the region a view chain selects set to zero."""

    node_name = "CopySlicesBackward0"

    @staticmethod
    def forward(ctx, grad, chain):
        ctx.chain = chain
        out = grad.copy()
        with grad_mode.no_grad():
            _replay_view(chain, Tensor._make(out))._data[...] = 0
        return out

    @staticmethod
    def backward(ctx, grad):
        return _ZeroView.apply(grad, ctx.chain), None


class CopySlices(ArrayFunction):
    """The history of a base tensor after an in-place op wrote into one of its views.

    Forward has nothing to compute (the values are already in the base's memory).
    Backward: the base's old values got no gradient where the view was overwritten,
    and the view's new values get the gradient of that region.
    """

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, result, chain):
        ctx.chain = chain
        return base

    @staticmethod
    def backward(ctx, grad):
        g_base = _ZeroView.apply(grad, ctx.chain) if ctx.needs_input_grad[0] else None
        g_result = _replay_view(ctx.chain, grad)
        return g_base, g_result, None


# --- searchsorted / bucketize / isin / unravel_index ----------------------------------------

_SEARCHSORTED_SIGS = (
    " * (Tensor sorted_sequence, Tensor input, *, bool out_int32 = False, bool right = False, "
    "str side = None, Tensor sorter = None, Tensor out = None)\n"
    " * (Tensor sorted_sequence, Number self, *, bool out_int32 = False, bool right = False, "
    "str side = None, Tensor sorter = None, Tensor out = None)\n")
_BUCKETIZE_SIGS = (
    " * (Tensor input, Tensor boundaries, *, bool out_int32 = False, bool right = False, "
    "Tensor out = None)\n"
    " * (Number self, Tensor boundaries, *, bool out_int32 = False, bool right = False)\n")
_ISIN_SIGS = (
    " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n"
    " * (Number element, Tensor test_elements, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n"
    " * (Tensor elements, Number test_element, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n")


def _invalid_args(name: str, args, kwargs: dict, signatures: str) -> TypeError:
    """PyTorch's argument-parser error for a call that matches none of ``signatures``
    (``kwargs`` holds the keyword arguments given a non-default value)."""
    got = [type_name(a) for a in args] + [f"{k}={type_name(v)}" for k, v in kwargs.items()]
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n{signatures}")


def _given(**kwargs) -> dict:
    """The keyword arguments that differ from their default (None, or False for flags)."""
    return {k: v for k, v in kwargs.items() if v is not (False if k in _FLAGS else None)}


_FLAGS = ("out_int32", "right", "assume_unique", "invert")


def _is_number(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, Tensor)


def _search(seq, values, right: bool):
    """For each value, the first position in its row of ``seq`` whose element is ``>=`` it
    (``>`` with ``right``): a binary search run on every value at once.

    ``seq`` is ``(rows, n)`` and ``values`` ``(rows, m)`` (or ``seq`` ``(1, n)`` shared by all
    rows). The comparisons are PyTorch's, written ``not (s >= v)``, so a NaN anywhere steers
    the search the way PyTorch's does. log2(n) passes over the values, each a gather.
    """
    xp = xp_of(seq, values)
    n = seq.shape[-1]
    lo = xp.zeros(values.shape, dtype=np.int64)
    if values.size == 0:
        return lo
    hi = xp.full(values.shape, n, dtype=np.int64)
    rows = xp.arange(values.shape[0], dtype=np.int64)[:, None] if seq.shape[0] > 1 else 0
    for _ in range(max(n, 1).bit_length()):
        active = lo < hi
        mid = lo + ((hi - lo) >> 1)
        s = seq[rows, xp.minimum(mid, n - 1)] if n else values
        go_right = ~(s > values) if right else ~(s >= values)
        lo = xp.where(active & go_right, mid + 1, lo)
        hi = xp.where(active & ~go_right, mid, hi)
    return lo


def _searchsorted(seq, values, right: bool, sorter):
    """Positions for ``values`` in ``seq`` (arrays of one dtype; ``seq`` 1-D or matching
    ``values`` in all but the last dim), as int64 of ``values``' shape."""
    xp = xp_of(seq, values)
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter, axis=-1)
    if seq.ndim == 1 and not (seq.dtype.kind == "f" and xp.isnan(seq).any()):
        # NumPy's own search gives PyTorch's answer on a sorted sequence without NaN
        return xp.asarray(xp.searchsorted(seq, values, side="right" if right else "left"),
                          dtype=np.int64)
    shape = values.shape
    if seq.ndim == 1:
        flat_seq, flat_val = seq.reshape(1, -1), values.reshape(1, -1)
    else:
        rows = math.prod(shape[:-1])
        flat_seq, flat_val = seq.reshape(rows, seq.shape[-1]), values.reshape(rows, shape[-1])
    return _search(flat_seq, flat_val, right).reshape(shape)


def _dims_match(seq_shape, val_shape) -> bool:
    return len(seq_shape) == len(val_shape) and seq_shape[:-1] == val_shape[:-1]


def _search_impl(sorted_sequence, input, out_int32, right, side, sorter, out):
    """The checks of PyTorch's searchsorted, in its order, then the search."""
    if sorter is not None:
        if sorter.shape != sorted_sequence.shape:
            raise RuntimeError(f"numtorch.searchsorted(): boundary and sorter must have the "
                               f"same size, but got boundary tensor "
                               f"{_dims(sorted_sequence.shape)}and got sorter tensor "
                               f"{_dims(sorter.shape)}")
        if sorter._data.dtype != _LONG:
            raise RuntimeError(f"numtorch.searchsorted(): sorter must be a tensor of long dtype "
                               f"but got dtype {sorter.dtype._legacy}")
        s = sorter._data
        if s.size and (s.min() < 0 or s.max() >= s.shape[-1]):
            raise RuntimeError("numtorch.searchsorted(): sorter index out of range")
    values = input._data if isinstance(input, Tensor) else None
    vdim = values.ndim if values is not None else 0
    vnumel = values.size if values is not None else 1
    bdim = sorted_sequence._data.ndim
    if vdim == 0 and bdim != 1:
        raise RuntimeError(f"numtorch.searchsorted(): input value can be a scalar only when "
                           f"boundaries tensor dimension is 1, but we got boundaries tensor "
                           f"dim({bdim}) and input value's dim({vdim}) numel({vnumel})")
    if bdim == 0:
        raise RuntimeError("numtorch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if bdim != 1 and not _dims_match(sorted_sequence.shape, values.shape):
        raise RuntimeError(f"numtorch.searchsorted(): boundaries tensor should be 1 dimension or "
                           f"the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor "
                           f"{_dims(sorted_sequence.shape)} and input value tensor "
                           f"{_dims(values.shape)}")
    want = D.int32 if out_int32 else D.int64
    if out is not None and out.dtype is not want:
        raise RuntimeError(f"numtorch.searchsorted(): output tensor's dtype is wrong, it can only "
                           f"be Int(int32) or Long(int64) depending on whether out_int32 flag is "
                           f"True, but we got output tensor's dtype {out.dtype._legacy} and "
                           f"out_int32 flag is {bool(out_int32)}")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"numtorch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side != "right":
            raise RuntimeError(f"numtorch.searchsorted(): side and right can't be set to "
                               f"opposites, got side of {side} while right was True")
        right = side == "right"
    common = D.result_type(sorted_sequence, input)
    if common is D.bool:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    xp = xp_of(sorted_sequence._data)
    seq = sorted_sequence._data.astype(common.np, copy=False)
    vals = values.astype(common.np, copy=False) if values is not None else \
        xp.asarray(input, dtype=common.np)
    pos = _searchsorted(seq, vals, bool(right), None if sorter is None else sorter._data)
    result = Tensor._make(pos.astype(want.np, copy=False))
    return result if out is None else write_out(out, result)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """For each value of ``input``, the position in ``sorted_sequence`` (its innermost dim)
    where it would be inserted to keep it sorted: the first element ``>=`` it, or ``>`` with
    ``right=True`` / ``side='right'``.

    Args:
        sorted_sequence: 1-D, or N-D with one sorted row per row of ``input``.
        input: a tensor or a Python number (then the result is 0-d).
        out_int32: return int32 positions instead of int64.
        sorter: int64 positions that sort ``sorted_sequence`` (as ``argsort`` gives), when it
            is not sorted itself.

    Example: ``searchsorted(tensor([1, 3, 5]), tensor([3, 6]))`` is ``tensor([1, 3])``.
    """
    given = _given(out_int32=out_int32, right=right, side=side, sorter=sorter, out=out)
    if (not isinstance(sorted_sequence, Tensor) or not (isinstance(input, Tensor) or
                                                        _is_number(input))
            or (side is not None and not isinstance(side, str))
            or (sorter is not None and not isinstance(sorter, Tensor))
            or (out is not None and not isinstance(out, Tensor))):
        raise _invalid_args("searchsorted", (sorted_sequence, input), given, _SEARCHSORTED_SIGS)
    return _search_impl(sorted_sequence, input, out_int32, right, side, sorter, out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket each value of ``input`` falls in, given 1-D sorted
    ``boundaries``: ``boundaries[i-1] < x <= boundaries[i]`` (``<=``/``<`` with ``right``).
    ``input`` may be a Python number (then the result is 0-d)."""
    given = _given(out_int32=out_int32, right=right, out=out)
    if (not (isinstance(input, Tensor) or _is_number(input))
            or not isinstance(boundaries, Tensor)
            or not isinstance(right, bool) or not isinstance(out_int32, bool)
            or (out is not None and not isinstance(out, Tensor))):
        raise _invalid_args("bucketize", (input, boundaries), given, _BUCKETIZE_SIGS)
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return _search_impl(boundaries, input, out_int32, right, None, None, out)


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """A bool tensor of ``elements``' shape: whether each element is in ``test_elements``
    (compared in their promoted dtype; NaN is in nothing). Either side may be a Python
    number, not both. ``assume_unique`` is a speed hint only: the answer is always exact."""
    e_ok = isinstance(elements, Tensor) or _is_number(elements)
    t_ok = isinstance(test_elements, Tensor) or _is_number(test_elements)
    if (not (e_ok and t_ok) or not (isinstance(elements, Tensor) or
                                    isinstance(test_elements, Tensor))
            or (out is not None and not isinstance(out, Tensor))):
        given = _given(assume_unique=assume_unique, invert=invert, out=out)
        raise _invalid_args("isin", (elements, test_elements), given, _ISIN_SIGS)
    for x in (elements, test_elements):
        if (x.dtype is D.bool) if isinstance(x, Tensor) else isinstance(x, bool):
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    if out is not None and out.dtype is not D.bool:
        raise RuntimeError(f"Expected out tensor to have dtype bool, but got "
                           f"{_C_NAMES[out.dtype.name]} instead")
    common = D.result_type(elements, test_elements).np
    like = elements._data if isinstance(elements, Tensor) else test_elements._data
    xp = xp_of(like)
    a = xp.asarray(elements._data if isinstance(elements, Tensor) else elements, dtype=common)
    b = xp.asarray(test_elements._data if isinstance(test_elements, Tensor) else test_elements,
                   dtype=common)
    result = Tensor._make(xp.asarray(xp.isin(a, b, invert=bool(invert))))
    return result if out is None else write_out(out, result)


def _class_repr(obj) -> str:
    return "<class 'numtorch.Tensor'>" if isinstance(obj, Tensor) else repr(type(obj))


def unravel_index(indices, shape):
    """The coordinates, in a tensor of ``shape``, of flat (C-order) positions ``indices``:
    one int64 tensor of ``indices``' shape per dim of ``shape``. Negative positions count
    from the end; positions past the end wrap around, as in PyTorch.

    Example: ``unravel_index(tensor([4, 1]), (3, 2))`` is ``(tensor([2, 0]), tensor([0, 1]))``.
    """
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices.dtype.is_floating_point or indices.dtype is D.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    elif isinstance(shape, Sequence):
        for d in shape:
            if not isinstance(d, int):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                                f"{_class_repr(d)}")
        shape = tuple(shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got "
                        f"{_class_repr(shape)}")
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    idx = indices._data
    if idx.size and 0 in shape:  # PyTorch's integer division by the zero size
        raise RuntimeError("ZeroDivisionError")
    xp = xp_of(idx)
    strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    coords = (idx.astype(np.int64)[..., None] // xp.asarray(strides, dtype=np.int64)) % \
        xp.asarray(shape, dtype=np.int64) if idx.size else \
        xp.zeros(idx.shape + (len(shape),), dtype=np.int64)
    return tuple(Tensor._make(coords[..., i]) for i in range(len(shape)))


# --- fill_diagonal_ --------------------------------------------------------------------------


def fill_diagonal_(self, fill_value, wrap=False):
    """``Tensor.fill_diagonal_``: ``fill_value`` on the main diagonal, in place.

    Beyond 2-D every dim must have the same length. With ``wrap``, a tall matrix's diagonal
    starts again every ``cols + 1`` rows, as in NumPy and PyTorch. The write goes through
    a strided view of the diagonal, so autograd records it as PyTorch does: a slice
    assignment (``CopySlices``), refused on a leaf that requires grad.
    """
    shape = self.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    step = sum(self.stride())
    count = min(shape)
    if wrap and len(shape) == 2 and shape[0] > shape[1] and self.is_contiguous():
        count = -(-(shape[0] * shape[1]) // step)  # every position k * step inside the data
    self.as_strided((count,), (step,), self.storage_offset()).fill_(fill_value)
    return self
