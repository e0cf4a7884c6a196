"""Padding layers: each holds its ``padding`` tuple and calls ``pad`` in one mode.

``padding`` is an int (the same amount on every side) or a tuple
``(left, right[, top, bottom[, front, back]])``, stored as a tuple; it is checked when the
layer runs, as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...ops.padding import pad
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
           "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _sides(padding, n: int) -> tuple:
    """An int repeated over the ``n`` sides, or the given sequence as a tuple."""
    return tuple(padding) if isinstance(padding, Iterable) else (padding,) * n


class _PadNd(Module):
    mode = "constant"
    sides = 2  # 2 per padded dim

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self.sides)

    def forward(self, input):
        return pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of (C, W) / (N, C, W) inputs with ``value``."""

    def __init__(self, padding, value: float) -> None:  # PyTorch's error names this class
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims of (C, H, W) / (N, C, H, W) inputs with ``value``."""

    sides = 4

    def __init__(self, padding, value: float) -> None:  # PyTorch's error names this class
        super().__init__(padding, value)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims of (C, D, H, W) / (N, C, D, H, W) inputs with ``value``."""

    sides = 6

    def __init__(self, padding, value: float) -> None:  # PyTorch's error names this class
        super().__init__(padding, value)


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros."""


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dims with zeros."""

    sides = 4


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dims with zeros."""

    sides = 6


class ReflectionPad1d(_PadNd):
    """Mirror the last dim at its edges (the edge itself not repeated)."""

    mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror the last two dims at their edges."""

    mode, sides = "reflect", 4


class ReflectionPad3d(_PadNd):
    """Mirror the last three dims at their edges."""

    mode, sides = "reflect", 6


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim."""

    mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last two dims."""

    mode, sides = "replicate", 4


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last three dims."""

    mode, sides = "replicate", 6


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        nd = self.sides // 2
        if input.dim() not in (nd + 1, nd + 2):
            raise ValueError(f"expected {nd + 1}D or {nd + 2}D input (got {input.dim()}D input)")
        return pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Wrap the last dim around: the left pad comes from the right end and vice versa."""


class CircularPad2d(_CircularPadNd):
    """Wrap the last two dims around."""

    sides = 4


class CircularPad3d(_CircularPadNd):
    """Wrap the last three dims around."""

    sides = 6
