"""``Variable``: the wrapper tensors needed before PyTorch 0.4, kept for old code.

Since 0.4 every tensor records its own history, so ``Variable(t, requires_grad=True)``
only makes a new leaf that shares ``t``'s memory and requires grad as asked, and
``isinstance(x, Variable)`` is true for every tensor. Both are what numtorch gives.
"""

from __future__ import annotations

import operator

from .. import _warnings

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        from .._tensor import Tensor

        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: ``data`` detached (same memory), a leaf that
    requires grad if asked (read as an integer, as PyTorch does). ``volatile`` and ``name``
    no longer mean anything (use ``no_grad``)."""

    def __new__(cls, data=None, requires_grad: bool = False, volatile: bool = False, *,
                name=None):
        requires_grad = bool(operator.index(requires_grad))  # PyTorch reads an integer
        if volatile:
            _warnings.warn("volatile was removed and now has no effect. Use `with "
                           "numtorch.no_grad():` instead.", UserWarning)
        from .._input_check import type_name
        from .._tensor import Tensor
        from ..ops.creation import tensor

        if data is None:
            return tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type_name(data)}")
        if requires_grad and not data.dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        out = data.detach()
        out.requires_grad_(requires_grad)
        return out
