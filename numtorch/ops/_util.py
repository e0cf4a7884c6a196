"""Small helpers shared by the op families: unwrapping, dtype casting, ``out=``."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._input_check import type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..backend import get_array_module

_FLOAT_KINDS = "f"


def xp_of(*arrays):
    """The array module (numpy or cupy) of the given arrays."""
    return get_array_module(*arrays)


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
