"""Creation functions: ``tensor``, ``zeros``, ``arange``, ``eye``, the ``*_like`` family ...

Random creation (``rand``, ``randn`` ...) lives in ``sampling.py``.
"""

from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._device import to_device
from .._input_check import type_name
from .._tensor import FACTORY_GRAD_ERROR, Size, Tensor
from ..autograd.function import ArrayFunction
from ..backend import xp_for
from ..backend.fma import fma32
from ._util import checked_scalar, xp_of
from .shape import flip, preserve_format

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "arange",
    "range", "linspace", "logspace", "eye", "zeros_like", "ones_like", "empty_like",
    "full_like", "scalar_tensor", "empty_strided", "is_tensor", "is_floating_point", "numel",
    "is_nonzero", "tril_indices", "triu_indices", "vander",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py).
TENSOR_METHODS = ("new", "new_zeros", "new_ones", "new_empty", "new_full", "new_tensor")
INPLACE_METHODS = ()


def _finish(arr, requires_grad: bool):
    t = Tensor._make(arr)
    if requires_grad:
        t._set_requires_grad(True, FACTORY_GRAD_ERROR)
    return t


def _xp(device):
    return xp_for(to_device(device))


def _shape(size, name: str = "zeros", position: int | None = 1) -> tuple:
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` all mean shape (2, 3).
    ``position``: where the size argument was passed, for the errors (None: by keyword)."""
    if len(size) == 0:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    single = len(size) == 1 and not isinstance(size[0], (tuple, list, Size))
    in_list = len(size) == 1 and not single  # zeros((2, 3)) rather than zeros(2, 3)
    if in_list:
        size_arg = size[0]
        size = tuple(size_arg)
    out = []
    for pos, s in enumerate(size):
        if isinstance(s, Tensor):
            s = s.__index__()
        if not isinstance(s, int) or isinstance(s, bool):
            # PyTorch's argument parser, in its three wordings
            where = "" if position is None else f" (position {position})"
            if in_list and pos == 0:  # the parser rejects the list as a whole
                if position is None:
                    raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not "
                                    f"{type_name(size_arg)}")
                raise TypeError(f"{name}(): argument 'size'{where} must be tuple of ints, "
                                f"but found element of type {type_name(s)} at pos 0")
            if single:
                raise TypeError(f"{name}(): argument 'size'{where} must be tuple of ints, "
                                f"not {type_name(s)}")
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{pos + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(s)}\"")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, size))}]")
        out.append(s)
    return tuple(out)


_NO_SIZE = object()  # ``size=`` not passed (``size=None`` is an error, as in PyTorch)


def _sizes(positional: tuple, size, name: str) -> tuple:
    """The ``*size`` of ``zeros(2, 3)`` or the keyword of ``zeros(size=(2, 3))``, never both."""
    if size is _NO_SIZE:
        return positional
    if positional:
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    if not isinstance(size, (tuple, list, Size)) or not all(map(_is_size_int, size)):
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type_name(size)}")
    return (tuple(int(s) for s in size),)


def _is_size_int(s) -> bool:
    """What PyTorch's int-list parser takes as one size: an integer (NumPy's too, not a
    bool) or a one-element integer tensor."""
    if isinstance(s, Tensor):
        return s.numel() == 1 and not s.dtype.is_floating_point and not s.dtype.is_complex \
            and s.dtype is not D.bool
    return isinstance(s, (int, np.integer)) and not isinstance(s, bool)


def _infer_dtype(data) -> D.dtype:
    """The dtype PyTorch gives Python data: bool, int64, or the default float."""
    flat = data
    while _is_python_sequence(flat) and len(flat):
        kinds = {_kind(x) for x in flat}
        if "f" in kinds:
            return D.get_default_dtype()
        if "T" in kinds:
            dts = [x.dtype for x in flat if isinstance(x, Tensor)]
            result = dts[0]
            for d in dts[1:]:
                result = D.promote_types(result, d)
            return result
        if kinds == {"l"}:
            return _infer_dtype([y for x in flat for y in x]) if all(
                _is_python_sequence(x) for x in flat) else D.get_default_dtype()
        if "i" in kinds:
            return D.int64
        return D.bool
    if _is_python_sequence(flat):
        return D.get_default_dtype()
    k = _kind(flat)
    return {"f": D.get_default_dtype(), "i": D.int64, "b": D.bool}.get(k, D.get_default_dtype())


def _is_python_sequence(x) -> bool:
    """A sequence PyTorch reads element by element: a list or tuple, and any other object
    with ``__len__`` and ``__getitem__`` that is not a mapping, str or bytes (a deque, a
    range, an ``array.array``: REINFORCE builds its returns in a deque)."""
    if isinstance(x, (list, tuple)):
        return True
    if isinstance(x, (str, bytes, dict, Tensor, np.ndarray, np.generic)):
        return False
    return hasattr(type(x), "__getitem__") and hasattr(type(x), "__len__")


def _kind(x) -> str:
    if isinstance(x, Tensor):
        return "T"
    if isinstance(x, bool) or isinstance(x, np.bool_):
        return "b"
    if isinstance(x, (int, np.integer)):
        return "i"
    if isinstance(x, (float, np.floating)):
        return "f"
    if isinstance(x, np.ndarray):
        return {"f": "f", "b": "b"}.get(x.dtype.kind, "i")
    if _is_python_sequence(x):
        return "l"
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _to_nested(data):
    """Replace Tensors inside nested sequences by their arrays, and other sequences than
    lists and tuples by lists, so NumPy can stack them."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_nested(x) for x in data]
    if type(data) in (float, int, bool) or not _is_python_sequence(data):
        return data
    return [_to_nested(x) for x in data]


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, Tensor):
        _warn_copy_construct("numtorch.tensor(sourceTensor)")
        arr = data._data
        dt = D.to_dtype(dtype) if dtype is not None else data.dtype
        return _finish(arr.astype(dt.np, copy=True), requires_grad)
    if isinstance(data, np.ndarray):
        dt = D.to_dtype(dtype) if dtype is not None else D.from_numpy_dtype(data.dtype)
        return _finish(np.array(data, dtype=dt.np, copy=True), requires_grad)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if data is None:
        if dtype is None:
            raise RuntimeError("Could not infer dtype of NoneType")
        raise _not_a_number(None, D.to_dtype(dtype))
    dt = D.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    if dtype is None and isinstance(data, np.generic):
        dt = D.from_numpy_dtype(data.dtype)
    try:
        arr = _xp(device).asarray(_to_nested(data), dtype=dt.np)
    except OverflowError as e:  # a Python int beyond the dtype: PyTorch's two messages
        if "C long" in str(e):  # beyond int64 itself
            raise ValueError("Overflow when unpacking long long") from None
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow") \
            from None
    except ValueError as e:
        ragged = _ragged_error(data, dt)
        if ragged is not None:
            raise ragged from None
        raise ValueError(f"expected sequence of equal-length lists to build a tensor: {e}") \
            from None
    except TypeError:  # NumPy refused an element (None in an integer tensor): PyTorch's error
        raise _not_a_number(_first_non_number(data), dt) from None
    if dt.is_floating_point and arr.size and _xp(device).isnan(arr).any() and \
            _first_non_number(data) is not _NOTHING:
        raise _not_a_number(None, dt)  # NumPy reads None as nan; PyTorch refuses it
    return _finish(arr, requires_grad)


def _not_a_number(x, dt) -> TypeError:
    """PyTorch's error for an element of tensor data that is not a number of ``dt``."""
    if dt.is_floating_point:
        return TypeError(f"must be real number, not {type(x).__name__}")
    return TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")


_NOTHING = object()


def _first_non_number(data):
    """The first element of nested lists/tuples ``data`` that is not a number, a Tensor or
    an array (None, say), or ``_NOTHING``."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
        elif not isinstance(x, (int, float, complex, np.generic, np.ndarray, Tensor)):
            return x
    return _NOTHING


def _is_sequence(x) -> bool:
    return _is_python_sequence(x) or (isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _ragged_error(data, dt):
    """PyTorch's error for nested sequences that are not a grid, or None.

    As PyTorch does, the shape is read along the first elements (``[[1, 2], [3]]`` is
    2 x 2), then every sequence is checked against it, depth first; the first one of
    another length is reported, with its depth, and a sequence where a number belongs
    is refused as a number of the tensor's dtype would refuse it."""
    shape = []
    x = data
    while _is_sequence(x):
        shape.append(len(x))
        if not len(x):
            break
        x = x[0]

    def first_bad(x, dim):
        if dim == len(shape):
            if not _is_sequence(x):
                return None
            return _not_a_number(x, dt)
        if not _is_sequence(x):
            return TypeError("not a sequence")
        if len(x) != shape[dim]:
            return ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                              f"(got {len(x)})")
        for item in x:
            error = first_bad(item, dim + 1)
            if error is not None:
                return error
        return None

    return first_bad(data, 0)


def _warn_copy_construct(call: str) -> None:
    _warnings.warn("To copy construct from a tensor, it is recommended to use "
                   "sourceTensor.detach().clone() or "
                   f"sourceTensor.detach().clone().requires_grad_(True), rather than {call}.",
                   UserWarning)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a Tensor or NumPy array when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None or D.to_dtype(dtype) is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        dt = D.to_dtype(dtype) if dtype is not None else D.from_numpy_dtype(data.dtype)
        return Tensor._make(data if data.dtype == dt.np else data.astype(dt.np))
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False):
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t._set_requires_grad(True, FACTORY_GRAD_ERROR)
    return t


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: a change on either side shows on the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)  # raises for unsupported dtypes
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    return Tensor._make(ndarray)


def _filled(fill, size, dtype, device, requires_grad, default=None, name="empty"):
    dt = D.to_dtype(dtype) if dtype is not None else (default or D.get_default_dtype())
    xp = _xp(device)
    try:
        shape = _shape(size, name)
    except RuntimeError:  # a negative size: PyTorch's zeros words it its own way
        if name == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.") from None
        raise
    if fill == 0 and not (isinstance(fill, (float, np.floating)) and math.copysign(1, fill) < 0):
        arr = xp.zeros(shape, dtype=dt.np)  # (a -0.0 fill is kept: full((2,), -0.0) prints -0.)
    elif fill is None:
        arr = xp.empty(shape, dtype=dt.np)
    else:
        if isinstance(fill, (int, float, np.generic)):  # PyTorch's range check and wrap
            fill = checked_scalar(fill, dt)
        arr = xp.full(shape, fill, dtype=dt.np)
    return _finish(arr, requires_grad)


def zeros(*sizes, size=_NO_SIZE, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    shape = _sizes(sizes, size, "zeros")
    return _out(out, _filled(0, shape, dtype, device, requires_grad, name="zeros"))


def ones(*sizes, size=_NO_SIZE, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    shape = _sizes(sizes, size, "ones")
    return _out(out, _filled(1, shape, dtype, device, requires_grad, name="ones"))


def empty(*sizes, size=_NO_SIZE, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    shape = _sizes(sizes, size, "empty")
    return _out(out, _filled(None, shape, dtype, device, requires_grad, name="empty"))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    return _filled(None, (tuple(size),), dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value)."""
    default = D.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else \
        fill_value.dtype
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _out(out, _filled(fill_value, (size,) if not isinstance(size, int) else (size,),
                             dtype, device, requires_grad, default, name="full"))


def _out(out, result):
    if out is None:
        return result
    from ._util import write_out

    return write_out(out, result)


def _like(input, dtype):
    return input.dtype if dtype is None else D.to_dtype(dtype)


def memory_order(arr):
    """The dims of ``arr`` from outermost to innermost in memory, or None when that is the
    plain C order. PyTorch's CPU kernels write a tensor in memory order, so samples drawn
    into a transposed tensor land transposed (see ops/sampling.py)."""
    if arr.ndim < 2 or arr.flags.c_contiguous:
        return None
    dims = builtins.range(arr.ndim)  # (``range`` here is numtorch.range)
    order = sorted(dims, key=lambda d: -builtins.abs(arr.strides[d]))  # stable for ties
    return None if order == list(dims) else order


def dims_inner_first(shape, strides) -> list:
    """The dims of a tensor ordered from innermost to outermost in memory, as PyTorch orders
    them (for ``*_like`` layouts and ``dim_order``): an insertion sort from the C order by
    stride, where a zero stride compares as a tie (it keeps its C position) and, of two equal
    strides, the smaller dim goes inside."""
    n = len(shape)

    def inner_first(d0, d1) -> int:  # 1: d1 belongs inside d0; -1: keep; 0: a tie
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return 1 if s0 > s1 else -1
        return 1 if shape[d0] > shape[d1] else 0

    perm = list(builtins.range(n - 1, -1, -1))  # innermost first, as C order has it
    for i in builtins.range(1, n):
        j = i
        for k in builtins.range(i - 1, -1, -1):
            c = inner_first(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    return perm


def like_strides(input, memory_format=None):
    """The strides (in elements) of a ``*_like`` result, or None for C order.

    PyTorch's default ``preserve_format`` packs the result densely with the input's dims
    in the same order in memory (``dims_inner_first``); a size-1 dim takes its inner
    neighbour's stride.
    """
    if memory_format is not None and memory_format is not preserve_format:
        return None
    arr = input._data
    shape, n = arr.shape, arr.ndim
    if n < 2 or arr.flags.c_contiguous or not arr.size:
        return None
    perm = dims_inner_first(shape, [st // arr.itemsize for st in arr.strides])
    out, step = [0] * n, 1
    for d in perm:
        out[d] = step
        if shape[d] > 1:
            step *= shape[d]
    c_order, step = [0] * n, 1
    for d in builtins.range(n - 1, -1, -1):
        c_order[d] = step
        step *= builtins.max(shape[d], 1)
    same = all(shape[d] == 1 or out[d] == c_order[d] for d in builtins.range(n))
    return None if same else out


def with_strides(flat, shape, strides):
    """The elements of the 1-d array ``flat`` (in memory order) seen with ``shape`` and
    ``strides`` (in elements): a ``*_like`` result laid out as its input."""
    byte_strides = tuple(st * flat.itemsize for st in strides)
    if type(flat) is np.ndarray:  # the flat array stays the only base, as for NumPy's own
        return np.ndarray(shape, flat.dtype, buffer=flat, strides=byte_strides)
    return xp_of(flat).lib.stride_tricks.as_strided(flat, shape, byte_strides)


def _filled_like(fill, input, dtype, device, requires_grad, memory_format):
    strides = like_strides(input, memory_format)
    if strides is None:
        return _filled(fill, (input.shape,), _like(input, dtype), device, requires_grad)
    flat = _filled(fill, ((input.numel(),),), _like(input, dtype), device, False)._data
    return _finish(with_strides(flat, tuple(input.shape), strides), requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _filled_like(0, input, dtype, device, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _filled_like(1, input, dtype, device, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _filled_like(None, input, dtype, device, requires_grad, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _filled_like(fill_value, input, dtype, device, requires_grad, memory_format)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_xp(device).asarray(s, dtype=dt.np), requires_grad)


def scalar_tensor_like(value, other):
    """A 0-d tensor for a Python number meeting ``other`` (used by reflected ops)."""
    return Tensor._make(np.asarray(value, dtype=D.scalar_dtype(value).np))


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is not None and D.to_dtype(dtype) is D.int64:
        # PyTorch truncates all three to int64 first (other integer dtypes keep the float
        # bounds for the length; see below).
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dt = D.get_default_dtype() if is_float else D.int64
    else:
        dt = D.to_dtype(dtype)
    n = math.ceil((end - start) / step)
    # Compute in float64 like PyTorch's kernel, then cast, so float32 ranges round the same.
    # An integer dtype computes ``int(start) + i * int(step)`` (the length still comes from
    # the float bounds), as PyTorch's kernel does.
    arr = (start + np.arange(n, dtype=np.float64) * step) if dt.is_floating_point else \
        int(start) + np.arange(n, dtype=np.int64) * int(step)
    return _out(out, _finish(_xp(device).asarray(arr.astype(dt.np)), requires_grad))


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated in PyTorch: like arange but includes ``end``."""
    if end is None:
        start, end = 0, start
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(_xp(device).asarray(arr.astype(dt.np)), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, int) or steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if dt is D.float32 and isinstance(start, (int, float)) and isinstance(end, (int, float)):
        arr = _linspace_f32(start, end, steps)
    else:
        arr = _linspace(start, end, steps, np.dtype(np.float64))
    if not dt.is_floating_point:
        arr = np.trunc(arr)
    return _out(out, _finish(_xp(device).asarray(arr.astype(dt.np)), requires_grad))


def _linspace(start, end, steps, work):
    """First half counted up from ``start``, second half down from ``end``, as PyTorch's
    kernel does (so both ends are exact). Computed in float64 and then rounded, for the
    other dtypes, logspace and histogram edges; float32 ``linspace`` takes
    ``_linspace_f32``, which is exact. (PyTorch's float64 uses an FMA too, so our float64
    last bit can differ.)"""
    if steps == 0:
        return np.empty(0, dtype=work)
    if steps == 1:
        return np.array([start], dtype=work)
    start, end = work.type(start), work.type(end)
    step = (end - start) / work.type(steps - 1)
    idx = np.arange(steps, dtype=work)
    half = steps // 2
    return np.where(np.arange(steps) < half, start + step * idx,
                    end - step * (work.type(steps - 1) - idx))


def _linspace_f32(start, end, steps):
    """PyTorch's float32 linspace bit for bit: ``start``, ``end`` and the step in float32,
    the first half ``fma(step, i, start)``, the second ``fma(-step, steps - 1 - i, end)``."""
    if steps <= 1:
        return np.array([start] * steps, dtype=np.float32)
    start, end = np.float32(start), np.float32(end)
    step = np.float32((end - start) / np.float32(steps - 1))
    idx = np.arange(steps)
    up = idx < steps // 2
    count = np.where(up, idx, steps - 1 - idx).astype(np.float32)
    return fma32(np.where(up, step, -step).astype(np.float32), count,
                    np.where(up, start, end).astype(np.float32))


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = np.power(base, _linspace(_num(start), _num(end), steps, np.dtype(np.float64)))
    return _out(out, _finish(_xp(device).asarray(arr.astype(dt.np)), requires_grad))


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A 2-D tensor with ones on the diagonal."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _out(out, _finish(_xp(device).eye(n, m, dtype=dt.np), requires_grad))


def is_tensor(obj) -> builtins.bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> builtins.bool:
    return input.dtype.is_floating_point


def numel(input) -> int:
    return input.numel()


def is_nonzero(input) -> builtins.bool:
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                           if input.numel() else "Boolean value of Tensor with no values is "
                           "ambiguous")
    return builtins.bool(input.item())


# --- Tensor.new_*: like the factories, with the tensor's dtype and device by default ------


def _new_device(self, device):
    return self.device if device is None else device


def new(self, *args, **kwargs):
    """``Tensor.new``, the legacy constructor in ``self``'s dtype: ``x.new(2, 3)`` or
    ``x.new(size)`` is uninitialised, ``x.new(data)`` copies a list or tuple (a tuple is data
    here, not a size), ``x.new(other)`` is an alias of a tensor of the same dtype, ``x.new()``
    is empty. Only ``device`` may be given by keyword."""
    extra = [k for k in kwargs if k != "device"]
    if extra:
        def name(v):
            return "numtorch.dtype" if isinstance(v, D.dtype) else type_name(v)
        got = ", ".join([name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()])
        raise TypeError(
            f"new() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (*, numtorch.device device = None)\n      didn't match because some of "
            "the keywords were incorrect: " + ", ".join(extra) + "\n * (numtorch.Storage "
            "storage)\n * (Tensor other)\n * (tuple of ints size, *, numtorch.device device = "
            "None)\n * (object data, *, numtorch.device device = None)\n")
    from .._tensor import _legacy_data

    return Tensor._make(_legacy_data(args, dict(kwargs), self.dtype))


def new_zeros(self, *sizes, size=_NO_SIZE, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    """``Tensor.new_zeros``: zeros of ``size``, with ``self``'s dtype and device by default."""
    shape = _sizes(sizes, size, "new_zeros")
    return _filled(0, shape, _like(self, dtype), _new_device(self, device), requires_grad,
                   name="new_zeros")


def new_ones(self, *sizes, size=_NO_SIZE, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """``Tensor.new_ones``: ones of ``size``, with ``self``'s dtype and device by default."""
    shape = _sizes(sizes, size, "new_ones")
    return _filled(1, shape, _like(self, dtype), _new_device(self, device), requires_grad,
                   name="new_ones")


def new_empty(self, *sizes, size=_NO_SIZE, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    """``Tensor.new_empty``: an uninitialised tensor with ``self``'s dtype and device."""
    shape = _sizes(sizes, size, "new_empty")
    return _filled(None, shape, _like(self, dtype), _new_device(self, device), requires_grad,
                   name="new_empty")


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """``Tensor.new_full``: ``fill_value`` (cast to the dtype) in a tensor of ``size``."""
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(fill_value, (size,), _like(self, dtype), _new_device(self, device),
                   requires_grad, name="new_full")


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """``Tensor.new_tensor``: a copy of ``data`` with ``self``'s dtype and device by default
    (the dtype is not inferred from ``data``, unlike ``tensor``)."""
    if isinstance(data, Tensor):
        _warn_copy_construct("tensor.new_tensor(sourceTensor)")
        data = data.detach()
    with warnings.catch_warnings():  # tensor() would warn again, naming itself
        warnings.simplefilter("ignore", UserWarning)
        return tensor(data, dtype=_like(self, dtype), device=_new_device(self, device),
                      requires_grad=requires_grad)


# --- tril_indices / triu_indices / vander ---------------------------------------------------


def _int_arg(value, fn: str, name: str, position: int) -> int:
    """An int argument as PyTorch's parser takes it: ints and 1-element integer tensors."""
    if isinstance(value, Tensor) and not value.dtype.is_floating_point:
        return value.__index__()
    if not isinstance(value, int) or isinstance(value, builtins.bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be int, not "
                        f"{type(value).__name__}")
    return value


def _tri_indices(which, row, col, offset, dtype, device, requires_grad):
    row = _int_arg(row, f"{which}_indices", "row", 1)
    col = _int_arg(col, f"{which}_indices", "col", 2)
    offset = _int_arg(offset, f"{which}_indices", "offset", 3)
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if dt not in (D.int64, D.int32):
        raise NotImplementedError(f"\"{which}_indices\" not implemented for '{dt._legacy}'")
    xp = _xp(device)
    find = xp.tril_indices if which == "tril" else xp.triu_indices
    rows, cols = find(row, offset, col)  # row by row, as PyTorch orders them
    return _finish(xp.stack([rows, cols]).astype(dt.np, copy=False), requires_grad)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 requires_grad=False, pin_memory=False):
    """The coordinates of the lower triangle of a ``row x col`` matrix (on and below the
    ``offset``-th diagonal) as a ``(2, N)`` tensor: row indices, then column indices."""
    return _tri_indices("tril", row, col, offset, dtype, device, requires_grad)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 requires_grad=False, pin_memory=False):
    """The coordinates of the upper triangle of a ``row x col`` matrix (on and above the
    ``offset``-th diagonal) as a ``(2, N)`` tensor: row indices, then column indices."""
    return _tri_indices("triu", row, col, offset, dtype, device, requires_grad)


class Vander(ArrayFunction):
    """The powers ``x**0, x**1, ..., x**(N-1)`` of a 1-D ``x`` as columns (a running
    product, as PyTorch computes them, so float32 rounds the same).

    Backward: ``d x**k / dx = k x**(k-1)``, the previous column, so the gradient is
    ``sum_k g[:, k] * k * vander(x, N-1)[:, k-1]``, written with tensor ops.
    PyTorch builds the result by writing into slices, hence its grad_fn ``CopySlices``.
    """

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, n):
        ctx.n = n
        ctx.save_for_backward(x)
        xp = xp_of(x)
        out = xp.empty((x.shape[0], n), dtype=x.dtype)
        out[:, 0] = 1
        out[:, 1:] = x[:, None]
        xp.cumprod(out[:, 1:], axis=1, out=out[:, 1:])
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        k = Tensor._make(xp_of(x._data).arange(1, ctx.n, dtype=x._data.dtype))
        lower = Vander.apply(x, ctx.n - 1) if ctx.n > 2 else ones_like(x).reshape(-1, 1)
        return (grad[:, 1:] * k * lower).sum(1), None


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D ``x``: column ``j`` is ``x ** (N - 1 - j)``
    (``x ** j`` with ``increasing=True``); ``N`` defaults to ``len(x)``. Integer and bool
    inputs give int64, as PyTorch's running product does.

    Example: ``vander(tensor([1, 2, 3]))`` is ``[[1, 1, 1], [4, 2, 1], [9, 3, 1]]``.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"vander(): argument 'x' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    if N is not None and (not isinstance(N, int) or isinstance(N, builtins.bool)):
        raise TypeError(f"vander(): argument 'N' (position 2) must be int, not "
                        f"{type(N).__name__}")
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = D.promote_types(x.dtype, D.int64)
    if n > 1:
        result = Vander.apply(x if x.dtype is dt else x.to(dt), n)
    else:
        result = Tensor._make(xp_for(x.device).ones((x._data.shape[0], n), dtype=dt.np))
    return result if increasing else flip(result, 1)
