"""Overwriting a tensor's values: ``zero_``, ``fill_``, ``copy_``.

These are in-place by nature; the core helper ``numtorch._tensor.inplace`` writes each
op's out-of-place result into the tensor and takes care of versions, leaf errors and
views. The result forgets the old values, so backward sends them no gradient.
"""

from __future__ import annotations

import numpy as np

from .._input_check import type_name
from .._tensor import Tensor, inplace
from ..autograd.function import ArrayFunction
from ._util import checked_scalar, xp_of, zero_grad

__all__ = []

TENSOR_METHODS = ("zero_", "fill_", "copy_")
INPLACE_METHODS = ()


class Zero(ArrayFunction):
    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).zeros_like(x)

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad)


class FillScalar(ArrayFunction):
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad), None


class FillTensor(ArrayFunction):
    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).full_like(x, value)

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad), grad.sum()


class Copy(ArrayFunction):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        xp = xp_of(x, src)
        out = xp.empty_like(x)
        xp.copyto(out, xp.broadcast_to(src, x.shape), casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad), grad  # the engine sums broadcast dims and casts to src's dtype


def _zero(x):
    return Zero.apply(x)


def _fill(x, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        return FillTensor.apply(x, value)
    if not isinstance(value, (int, float, np.generic)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got "
                        f"({type_name(value)}), but expected one of:\n"
                        " * (Tensor value)\n * (Number value)")
    return FillScalar.apply(x, checked_scalar(value, x.dtype))


def _copy(x, src, non_blocking=False):
    if isinstance(src, (int, float, np.generic)):
        # PyTorch copies a number as a 0-d tensor of it: cast, not range-checked (300
        # into uint8 is 44, as a C cast gives).
        src = Tensor._make(xp_of(x._data).asarray(_cast_scalar(src, x.dtype.np)))
    elif not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type_name(src)}")
    shape, sshape = tuple(x.shape), tuple(src.shape)
    for i in range(1, min(len(shape), len(sshape)) + 1):
        if sshape[-i] != shape[-i] and 1 not in (sshape[-i], shape[-i]):
            raise RuntimeError(f"The size of tensor a ({shape[-i]}) must match the size of "
                               f"tensor b ({sshape[-i]}) at non-singleton dimension "
                               f"{len(shape) - i}")
    broadcast = np.broadcast_shapes(shape, sshape)
    if broadcast != shape:  # src broadcasts, but to more than x holds
        raise RuntimeError(f"output with shape [{', '.join(map(str, shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, broadcast))}]")
    return Copy.apply(x, src)


def _cast_scalar(value, np_dtype) -> np.ndarray:
    """A Python number as a 0-d array of ``np_dtype``, converted as C converts it: ints wrap
    modulo the type's range, floats truncate toward zero."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and np_dtype.kind in "iu":
        bits = 8 * np_dtype.itemsize
        value %= 1 << bits
        return np.array(value, dtype=f"u{np_dtype.itemsize}").view(np_dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.array(value, dtype=np.float64 if isinstance(value, float) else None) \
            .astype(np_dtype)


_zero.__name__, _fill.__name__, _copy.__name__ = "zero", "fill", "copy"
zero_ = inplace(_zero)
fill_ = inplace(_fill)
copy_ = inplace(_copy)
