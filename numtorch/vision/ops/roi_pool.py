"""RoI Pool (Fast R-CNN): the maximum over each bin of each region.

Box corners are rounded to whole pixels (C's round, halves away from zero), the region
is split into ``output_size`` bins with floor/ceil edges, and each bin keeps its maximum
and where it was; the gradient goes to that pixel only.
"""

from __future__ import annotations

import numpy as np

from numtorch import Tensor, nn
from numtorch.autograd.function import ArrayFunction, once_differentiable
from numtorch.ops._util import xp_of

from ._utils import _pair, c_round, check_same_type, rois_of

__all__ = ["RoIPool", "roi_pool"]

_FLT_MAX = float(np.finfo(np.float32).max)


def _bin_edges(start, length, pooled: int, dtype, last: int):
    """Integer ``[start, end)`` of each bin along one axis, clipped to ``[0, last]``."""
    bin_size = dtype(length) / dtype(pooled)
    p = np.arange(pooled + 1, dtype=dtype)
    lo = np.floor(p[:-1] * bin_size).astype(np.int64) + start
    hi = np.ceil(p[1:] * bin_size).astype(np.int64) + start
    return np.clip(lo, 0, last), np.clip(hi, 0, last)


class _RoIPool(ArrayFunction):
    """torchvision's roi_pool kernel; the boxes get no gradient."""

    node_name = "torch::autograd::CppNode<vision::ops::(anonymous namespace)::ROIPoolFunction>"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w):
        check_same_type("roi_pool_forward_kernel", x, rois)
        xp = xp_of(x)
        dtype = x.dtype.type
        n_rois, channels, height, width = len(rois), x.shape[1], x.shape[2], x.shape[3]
        out = xp.zeros((n_rois, channels, pooled_h, pooled_w), dtype=x.dtype)
        argmax = xp.full(out.shape, -1, dtype=np.int64)  # flat index into input[b, c]
        corners = c_round(rois[:, 1:] * dtype(spatial_scale)).astype(np.int64).tolist()
        for k in range(n_rois):
            b = int(rois[k, 0])
            start_w, start_h, end_w, end_h = corners[k]
            hs, he = _bin_edges(start_h, max(end_h - start_h + 1, 1), pooled_h, dtype, height)
            ws, we = _bin_edges(start_w, max(end_w - start_w + 1, 1), pooled_w, dtype, width)
            for ph in range(pooled_h):
                for pw in range(pooled_w):
                    if he[ph] <= hs[ph] or we[pw] <= ws[pw]:
                        continue  # an empty bin pools to 0 and passes no gradient
                    region = x[b, :, hs[ph]:he[ph], ws[pw]:we[pw]].reshape(channels, -1)
                    # The scan's 'value > max' never takes a NaN; argmax would pick it.
                    region = xp.where(xp.isnan(region), dtype(-xp.inf), region)
                    first = region.argmax(axis=1)  # the first maximum, as the scan keeps
                    best = region[xp.arange(channels), first]
                    found = best > -_FLT_MAX
                    rw = we[pw] - ws[pw]
                    out[k, :, ph, pw] = xp.where(found, best, dtype(-_FLT_MAX))
                    argmax[k, :, ph, pw] = xp.where(
                        found, (hs[ph] + first // rw) * width + ws[pw] + first % rw, -1)
        ctx.argmax, ctx.batch, ctx.shape = argmax, rois[:, 0].astype(np.int64), x.shape
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = grad._data
        xp = xp_of(g)
        n, channels, height, width = ctx.shape
        gx = xp.zeros((n * channels * height * width,), dtype=g.dtype)
        plane = (ctx.batch[:, None] * channels + xp.arange(channels)) * (height * width)
        index = plane[:, :, None, None] + ctx.argmax
        hit = ctx.argmax >= 0
        xp.add.at(gx, index[hit], g[hit])
        return Tensor._make(gx.reshape(ctx.shape)), None, None, None, None


def roi_pool(input: Tensor, boxes, output_size, spatial_scale: float = 1.0) -> Tensor:
    """RoI Pool from Fast R-CNN.

    Args:
        input (Tensor[N, C, H, W]): the feature maps.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): ``(image index, x1, y1, x2, y2)`` rows,
            or one ``(x1, y1, x2, y2)`` tensor per image.
        output_size (int or Tuple[int, int]): the pooled ``(height, width)``.
        spatial_scale (float): maps box coordinates to feature-map coordinates.

    Returns:
        Tensor[K, C, output_size[0], output_size[1]]
    """
    rois = rois_of(boxes)
    pooled_h, pooled_w = _pair(output_size)
    return _RoIPool.apply(input, rois, spatial_scale, pooled_h, pooled_w)


class RoIPool(nn.Module):
    """:func:`roi_pool` as a module."""

    def __init__(self, output_size, spatial_scale: float) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")
