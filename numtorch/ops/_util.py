"""Small helpers shared by the op families: unwrapping, dtype casting, ``out=``."""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._input_check import type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..backend import get_array_module

_FLOAT_KINDS = "f"

# How PyTorch's C++ messages name dtypes (NumPy dtype name -> C++ type name).
C_TYPE_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool",
}


def xp_of(*arrays):
    """The array module (numpy or cupy) of the given arrays."""
    return get_array_module(*arrays)


def zero_grad(grad):
    """The gradient of a piecewise-constant op (sign, floor, fill_, ...): zeros shaped like
    ``grad``, not ``grad * 0``, which is -0 for a negative and nan for an infinite gradient."""
    g = grad._data
    return Tensor._make(get_array_module(g).zeros(g.shape, dtype=g.dtype))


def result_np_dtype(a, b) -> np.dtype:
    """PyTorch's result dtype for two operands (arrays or Python numbers), as a NumPy dtype."""
    ta, tb = type(a), type(b)
    if ta is tb is np.ndarray and a.dtype == b.dtype:
        return a.dtype
    return D.result_type(a, b).np


def cast_operands(a, b):
    """Arrays (or Python numbers) for a binary op, cast to PyTorch's result dtype.

    NumPy would already agree in the common cases (same dtype; a float array with
    a Python float); elsewhere — an int array with a Python float, float32 with a
    float64 array — NumPy's answer differs from PyTorch's, so we cast first.
    """
    ta, tb = type(a), type(b)
    if ta is np.ndarray:
        if tb is np.ndarray:
            if a.dtype == b.dtype:
                return a, b
        elif tb is float:
            if a.dtype.kind == "f":
                return a, b
        elif tb is int and a.dtype.kind in "fiu":
            return a, b
    dt = D.result_type(a, b).np
    return _as(a, dt), _as(b, dt)


def _as(x, dt):
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, np.generic):
        return np.asarray(x, dtype=dt)
    return x if x.dtype == dt else x.astype(dt)


def to_array(x, like=None):
    """The array inside a Tensor, or a Python number unchanged."""
    return x._data if isinstance(x, Tensor) else x


def wrap_dims(dim, ndim: int) -> tuple:
    """Normalise ``dim`` (None, an int, or a sequence) to a tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return dims
    return (_wrap_dim(dim, ndim),)


def check_out(out, name: str, *inputs) -> None:
    """Refuse ``out=`` where autograd would have to track it (PyTorch's rule)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type_name(out)}")
    if grad_mode.enabled and (out._requires_grad or any(
            isinstance(t, Tensor) and t._requires_grad for t in inputs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def write_out(out, result):
    """Copy ``result`` (a Tensor) into ``out``, resizing an empty or mismatched ``out``."""
    arr = result._data
    if not D.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {result.dtype._legacy} can't be cast to the desired "
                           f"output type {out.dtype._legacy}")
    if out._data.shape != arr.shape:
        out._data = arr.astype(out._data.dtype, copy=True)
    else:
        xp_of(out._data).copyto(out._data, arr, casting="unsafe")
    out._vc[0] += 1
    return out


# The C type names in PyTorch's "value cannot be converted to type ... without overflow".
_CONVERT_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                  "int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t",
                  "uint8": "uint8_t"}


def checked_scalar(value, dtype, strict_unsigned: bool = False):
    """A Python number as a fill value for a tensor of ``dtype`` (``fill_``, ``full``,
    ``masked_fill``, ``index_fill``, ``scatter``, padding), range-checked as PyTorch checks it.

    - An int must fit in 64 bits (signed or unsigned): PyTorch's OverflowError otherwise.
    - Into an integer dtype: a float must lie within the type's range (then it truncates
      toward zero; nan and inf never fit); an int too. A negative int fits an unsigned type
      if its magnitude does, and wraps (``-3`` fills a uint8 tensor with 253), unless
      ``strict_unsigned`` (padding's value: PyTorch refuses it there).
    - Into a float dtype: a finite value beyond the type's largest is an error (inf and nan
      are kept). Into bool: anything (non-zero is True).

    Out of range is PyTorch's RuntimeError ``value cannot be converted to type uint8_t
    without overflow``. Returns the value to write (an int, float or bool).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value >= 1 << 64:
            raise OverflowError("int too big to convert")
        if value < -(1 << 63):
            raise OverflowError("can't convert negative int to unsigned")
    if dtype is D.bool:
        return value
    err = RuntimeError(f"value cannot be converted to type "
                       f"{_CONVERT_NAMES.get(dtype.name, dtype.name)} without overflow")
    if dtype.is_floating_point:
        finite = isinstance(value, int) or math.isfinite(value)
        if finite and abs(value) > float(np.finfo(dtype.np).max):  # (a Python comparison)
            raise err
        return value
    info = np.iinfo(dtype.np)
    if isinstance(value, float):
        if not info.min <= value <= info.max:  # also False for nan
            raise err
        return int(value)  # toward zero, as C's conversion
    low = -info.max if info.min == 0 and not strict_unsigned else info.min
    if not low <= value <= info.max:
        raise err
    return value % (info.max + 1) if value < 0 and info.min == 0 else value
