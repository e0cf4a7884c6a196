"""FractionalMaxPool2d / FractionalMaxPool3d: max pooling to any output size."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.fractional_pool import fractional_max_pool2d, fractional_max_pool3d
from .conv import _ntuple
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None) -> None:
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if nd == 3 and ((isinstance(kernel_size, int) and kernel_size <= 0) or (
                isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size))):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _ntuple(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max pooling over ``kernel_size`` windows placed pseudo-randomly so that the output is
    ``output_size`` (or ``output_ratio`` of the input), Graham's fractional max pooling.

    Args:
        kernel_size: the window, an int or ``(kH, kW)``.
        output_size: ``(oH, oW)`` (or an int); or give ``output_ratio`` in ``(0, 1)`` instead.
        return_indices: also return the flat index of each max (for ``MaxUnpool2d``).
        _random_samples: fixed ``(N, C, 2)`` samples (a buffer); drawn each call if None.

    Shape:
        input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C, oH, oW)`` or ``(C, oH, oW)``.
    """

    _nd = 2

    def forward(self, input: Tensor):
        return fractional_max_pool2d(input, self.kernel_size, self.output_size,
                                     self.output_ratio, self.return_indices,
                                     _random_samples=self._random_samples)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling of ``(N, C, T, H, W)`` or ``(C, T, H, W)``; see
    :class:`FractionalMaxPool2d` (samples ``(N, C, 3)``)."""

    _nd = 3

    def forward(self, input: Tensor):
        return fractional_max_pool3d(input, self.kernel_size, self.output_size,
                                     self.output_ratio, self.return_indices,
                                     _random_samples=self._random_samples)
