"""make_tensor: a random tensor of a given shape and dtype, for tests.

The values come from the same generator calls PyTorch makes (``randint`` for bool and
integer dtypes, ``uniform_`` on an empty tensor for floating dtypes), so after the same
``manual_seed`` numtorch and PyTorch make the same tensor.
"""

from __future__ import annotations

import collections.abc
import math
import warnings

import numtorch

from .._tensor import Tensor

_INTEGRAL_NAMES = {"bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64"}
_FLOATING_NAMES = {"float16", "bfloat16", "float32", "float64"}


def _dtype_name(dtype) -> str | None:
    """``dtype``'s name if it is a numtorch dtype (a Python type such as ``float`` is not)."""
    return dtype.name if isinstance(dtype, numtorch.dtype) else None


def make_tensor(
    *shape,
    dtype,
    device,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format=None,
) -> Tensor:
    r"""A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)``.

    ``low`` and ``high`` outside the dtype's finite range are clamped to it; when omitted
    they default by dtype:

    =========================  =======  ========
    dtype                      low      high
    =========================  =======  ========
    bool                       0        2
    unsigned integer (uint8)   0        10
    signed integers            -9       10
    floating                   -9       9
    =========================  =======  ========

    Args:
        shape: the sizes, as integers or one sequence of them.
        dtype (numtorch.dtype): the returned tensor's dtype.
        device (str or numtorch.device): the returned tensor's device.
        low, high: the inclusive lower and exclusive upper bound. Integer dtypes round both
            up. ``low == high`` for a floating dtype is deprecated (use ``numtorch.full``).
        requires_grad: whether autograd records operations on the result (floating only).
        noncontiguous: make the result a non-contiguous view (ignored for fewer than two
            elements). Exclusive with ``memory_format``.
        exclude_zero: replace zeros by 1 (bool, integers) or by the dtype's smallest
            positive normal number (floating).
        memory_format: the result's memory format, e.g. ``numtorch.channels_last``.

    Raises:
        ValueError: for ``requires_grad`` with a bool or integer dtype, ``low >= high``, a
            NaN bound, a range outside the dtype, or both ``noncontiguous`` and ``memory_format``.
        TypeError: if ``dtype`` is not one make_tensor supports.
    """
    name = _dtype_name(dtype)

    def bounds(lowest_inclusive, highest_exclusive, default_low, default_high):
        """The user's (or the default) bounds, checked, clamped to the dtype, and for
        integers rounded up: ``low`` so no value falls below it, ``high`` because
        ``randint``'s upper bound is exclusive."""
        lo = low if low is not None else default_low
        hi = high if high is not None else default_high
        if any(isinstance(value, float) and math.isnan(value) for value in (lo, hi)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        if lo == hi and name in _FLOATING_NAMES:
            warnings.warn("Passing `low==high` to `numtorch.testing.make_tensor` for floating or "
                          "complex types is deprecated since 2.1 and will be removed in 2.3. "
                          "Use `numtorch.full(...)` instead.", FutureWarning, stacklevel=3)
        elif lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        elif hi < lowest_inclusive or lo >= highest_exclusive:
            raise ValueError(f"The value interval specified by `low` and `high` is [{lo}, {hi}), "
                             f"but {dtype} only supports [{lowest_inclusive}, {highest_exclusive})")
        lo = min(max(lo, lowest_inclusive), highest_exclusive)
        hi = min(max(hi, lowest_inclusive), highest_exclusive)
        if name in _INTEGRAL_NAMES:
            return math.ceil(lo), math.ceil(hi)
        return lo, hi

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)

    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and name in _INTEGRAL_NAMES:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dtype}")

    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        # Draw twice the last dimension and keep every other element below, so the view's
        # neighbours differ and it starts at offset 1 (catching offset bugs as well).
        shape = (*shape[:-1], 2 * shape[-1])

    if name == "bool":
        lo, hi = bounds(0, 2, 0, 2)
        result = numtorch.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _INTEGRAL_NAMES:
        info = numtorch.iinfo(dtype)
        # randint takes int64 bounds, so int64's own maximum can never be drawn.
        highest = info.max + (1 if name != "int64" else 0)
        lo, hi = bounds(info.min, highest, -9, 10)
        result = numtorch.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _FLOATING_NAMES:
        info = numtorch.finfo(dtype)
        lo, hi = bounds(info.min, info.max, -9, 9)
        result = numtorch.empty(shape, device=device, dtype=dtype)
        if hi - lo >= info.max:
            # uniform_ needs a range the dtype can hold: draw over half of it, then double.
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "numtorch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")

    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)

    if exclude_zero:
        result[result == 0] = 1 if name in _INTEGRAL_NAMES else numtorch.finfo(dtype).tiny

    if name in _FLOATING_NAMES:
        result.requires_grad = requires_grad
    return result
