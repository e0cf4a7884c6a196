"""Position-sensitive RoI Pool (R-FCN): each bin averages its own group of channels.

Bin ``(ph, pw)`` of output channel ``c`` averages input channel ``(c * PH + ph) * PW + pw``
over the bin's whole pixels. As torchvision's CPU kernel does, the forward clips bin edges
to ``[0, H - 1]`` / ``[0, W - 1]`` while the backward clips them to ``[0, H]`` / ``[0, W]``:
a bin that reaches the last row or column is averaged without it but passes gradient to it.
"""

from __future__ import annotations

import numpy as np

from numtorch import Tensor, nn
from numtorch.autograd.function import ArrayFunction, once_differentiable
from numtorch.ops._util import xp_of

from ._utils import _pair, c_round, check_same_type, rois_of
from .ps_roi_align import _check_channels
from .roi_pool import _bin_edges

__all__ = ["PSRoIPool", "ps_roi_pool"]


def _regions(rois, spatial_scale, pooled_h, pooled_w, height, width, edge):
    """Per RoI: image index and bin edges, clipped to ``size - edge``."""
    dtype = rois.dtype.type
    corners = c_round(rois[:, 1:] * dtype(spatial_scale)).astype(np.int64).tolist()
    out = []
    for roi, (start_w, start_h, end_w, end_h) in zip(rois, corners):
        hs, he = _bin_edges(start_h, max(end_h - start_h, 1), pooled_h, dtype, height - edge)
        ws, we = _bin_edges(start_w, max(end_w - start_w, 1), pooled_w, dtype, width - edge)
        out.append((int(roi[0]), hs, he, ws, we))
    return out


class _PSRoIPool(ArrayFunction):
    """torchvision's ps_roi_pool kernel; the boxes get no gradient."""

    node_name = ("torch::autograd::CppNode<vision::ops::(anonymous namespace)::"
                 "PSROIPoolFunction>")

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w):
        if rois.shape[1] != 5:
            raise RuntimeError("Tensor rois should have shape as Tensor[K, 5]")
        check_same_type("ps_roi_pool_forward_kernel", x, rois)
        n, channels, height, width = x.shape
        _check_channels(channels, pooled_h, pooled_w)
        c_out = channels // (pooled_h * pooled_w)
        grouped = x.reshape(n, c_out, pooled_h, pooled_w, height, width)
        out = xp_of(x).zeros((len(rois), c_out, pooled_h, pooled_w), dtype=x.dtype)
        for k, (b, hs, he, ws, we) in enumerate(
                _regions(rois, spatial_scale, pooled_h, pooled_w, height, width, 1)):
            for ph in range(pooled_h):
                for pw in range(pooled_w):
                    if he[ph] > hs[ph] and we[pw] > ws[pw]:
                        area = x.dtype.type((he[ph] - hs[ph]) * (we[pw] - ws[pw]))
                        region = grouped[b, :, ph, pw, hs[ph]:he[ph], ws[pw]:we[pw]]
                        out[k, :, ph, pw] = region.sum(axis=(1, 2)) / area
        ctx.regions = _regions(rois, spatial_scale, pooled_h, pooled_w, height, width, 0)
        ctx.shape = x.shape
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = grad._data
        n, channels, height, width = ctx.shape
        c_out, pooled_h, pooled_w = g.shape[1:]
        gx = xp_of(g).zeros((n, c_out, pooled_h, pooled_w, height, width), dtype=g.dtype)
        for k, (b, hs, he, ws, we) in enumerate(ctx.regions):
            for ph in range(pooled_h):
                for pw in range(pooled_w):
                    if he[ph] > hs[ph] and we[pw] > ws[pw]:
                        area = g.dtype.type((he[ph] - hs[ph]) * (we[pw] - ws[pw]))
                        gx[b, :, ph, pw, hs[ph]:he[ph], ws[pw]:we[pw]] += (
                            g[k, :, ph, pw] / area)[:, None, None]
        return Tensor._make(gx.reshape(ctx.shape)), None, None, None, None


def ps_roi_pool(input: Tensor, boxes, output_size, spatial_scale: float = 1.0) -> Tensor:
    """Position-sensitive RoI Pool from R-FCN.

    Args:
        input (Tensor[N, C, H, W]): ``C`` a multiple of ``output_size[0] * output_size[1]``.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): as for :func:`roi_pool`.
        output_size (int or Tuple[int, int]): the pooled ``(height, width)``.
        spatial_scale (float): maps box coordinates to feature-map coordinates.

    Returns:
        Tensor[K, C / (output_size[0] * output_size[1]), output_size[0], output_size[1]]
    """
    rois = rois_of(boxes)
    pooled_h, pooled_w = _pair(output_size)
    return _PSRoIPool.apply(input, rois, spatial_scale, pooled_h, pooled_w)


class PSRoIPool(nn.Module):
    """:func:`ps_roi_pool` as a module."""

    def __init__(self, output_size, spatial_scale: float) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois) -> Tensor:
        return ps_roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")
