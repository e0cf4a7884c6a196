"""Position-sensitive RoI Align (R-FCN): each bin reads its own group of channels.

The input's ``C = C_out * PH * PW`` channels are read as ``[C_out, PH, PW]``: bin
``(ph, pw)`` of output channel ``c`` averages bilinear samples of input channel
``(c * PH + ph) * PW + pw``. Boxes are always shifted by -0.5 pixel (the ``aligned``
convention) and never enlarged. With the sampling matrices of roi_align, the output is
``out[c, p, q] = sum_hw A_y[p, h] * input[c, p, q, h, w] * A_x[q, w] / count``.
"""

from __future__ import annotations

import numpy as np

from numtorch import Tensor, nn
from numtorch.autograd.function import ArrayFunction, once_differentiable
from numtorch.ops._util import xp_of

from ._utils import _pair, check_same_type, rois_of
from .roi_align import _roi_align_matrices

__all__ = ["PSRoIAlign", "ps_roi_align"]


def _check_channels(channels, pooled_h, pooled_w):
    if channels % (pooled_h * pooled_w) != 0:
        raise RuntimeError("input channels must be a multiple of pooling height * pooling width")


class _PSRoIAlign(ArrayFunction):
    """torchvision's ps_roi_align kernel; the boxes get no gradient."""

    node_name = ("torch::autograd::CppNode<vision::ops::(anonymous namespace)::"
                 "PSROIAlignFunction>")

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio):
        if rois.shape[1] != 5:
            raise RuntimeError("Tensor rois should have shape as Tensor[K, 5]")
        check_same_type("ps_roi_align_forward_kernel", x, rois)
        n, channels, height, width = x.shape
        _check_channels(channels, pooled_h, pooled_w)
        c_out = channels // (pooled_h * pooled_w)
        xp = xp_of(x)
        # The same sampling as roi_align with aligned=True (-0.5 shift, no 1x1 clamp).
        mats = _roi_align_matrices(rois, spatial_scale, pooled_h, pooled_w, height, width,
                                   sampling_ratio, True)
        ctx.mats, ctx.shape = mats, x.shape
        out = xp.zeros((len(rois), c_out, pooled_h, pooled_w), dtype=x.dtype)
        grouped = x.reshape(n, c_out, pooled_h, pooled_w, height, width)
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty grid gives 0/0
            for k, (b, a_y, a_x, count, rows, cols) in enumerate(mats):
                sampled = xp.einsum("ph,cpqhw->cpqw", a_y, grouped[b, ..., rows, cols])
                out[k] = xp.einsum("cpqw,qw->cpq", sampled, a_x) / x.dtype.type(count)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = grad._data
        n, channels, height, width = ctx.shape
        c_out, pooled_h, pooled_w = g.shape[1:]
        xp = xp_of(g)
        gx = xp.zeros((n, c_out, pooled_h, pooled_w, height, width), dtype=g.dtype)
        for k, (b, a_y, a_x, count, rows, cols) in enumerate(ctx.mats):
            if count:
                gk = g[k] / g.dtype.type(count)
                gx[b, ..., rows, cols] += xp.einsum("ph,cpq,qw->cpqhw", a_y, gk, a_x)
        return Tensor._make(gx.reshape(ctx.shape)), None, None, None, None, None


def ps_roi_align(input: Tensor, boxes, output_size, spatial_scale: float = 1.0,
                 sampling_ratio: int = -1) -> Tensor:
    """Position-sensitive RoI Align from R-FCN.

    Args:
        input (Tensor[N, C, H, W]): ``C`` a multiple of ``output_size[0] * output_size[1]``.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): as for :func:`roi_align`.
        output_size (int or Tuple[int, int]): the pooled ``(height, width)``.
        spatial_scale (float): maps box coordinates to feature-map coordinates.
        sampling_ratio (int): samples per bin along each axis; <= 0 adapts it per RoI.

    Returns:
        Tensor[K, C / (output_size[0] * output_size[1]), output_size[0], output_size[1]]
    """
    rois = rois_of(boxes)
    pooled_h, pooled_w = _pair(output_size)
    return _PSRoIAlign.apply(input, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio)


class PSRoIAlign(nn.Module):
    """:func:`ps_roi_align` as a module."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio

    def forward(self, input: Tensor, rois) -> Tensor:
        return ps_roi_align(input, rois, self.output_size, self.spatial_scale,
                            self.sampling_ratio)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio})")
