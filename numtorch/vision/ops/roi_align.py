"""RoI Align (Mask R-CNN): average of bilinear samples over each bin of each region.

For RoI ``k`` on image ``b``, bin ``(ph, pw)`` averages ``grid_h x grid_w`` bilinear samples
of the feature map, the grid being ``sampling_ratio`` or, when that is <= 0,
``ceil(roi size / output size)`` per RoI. Bilinear weights are products of a row weight and
a column weight, so the whole output of an RoI is ``A_y @ input[b, c] @ A_x.T / count``
(``A`` from ``_utils.bilinear_matrix``, cut to the rows and columns the RoI's samples
touch), and its gradient is the transposed products.
"""

from __future__ import annotations

import math

from numtorch import Tensor, nn
from numtorch.autograd.function import ArrayFunction, once_differentiable
from numtorch.ops._util import xp_of

from ._utils import _pair, bilinear_matrix, check_same_type, rois_of, sample_positions

__all__ = ["RoIAlign", "roi_align"]


def _roi_align_matrices(rois, spatial_scale, pooled_h, pooled_w, height, width,
                        sampling_ratio, aligned):
    """Per RoI: image index, ``A_y``, ``A_x``, the sample count and the rows and columns
    of the image that ``A_y`` and ``A_x`` cover."""
    dtype = rois.dtype.type
    scale = dtype(spatial_scale)
    offset = dtype(0.5) if aligned else dtype(0)
    out = []
    for roi in rois:
        start_w, start_h, end_w, end_h = (roi[1:] * scale - offset).astype(dtype)
        roi_w, roi_h = end_w - start_w, end_h - start_h
        if not aligned:  # malformed RoIs are made 1x1
            roi_w, roi_h = max(roi_w, dtype(1)), max(roi_h, dtype(1))
        bin_h, bin_w = roi_h / dtype(pooled_h), roi_w / dtype(pooled_w)
        grid_h = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_h / dtype(pooled_h))
        grid_w = sampling_ratio if sampling_ratio > 0 else math.ceil(roi_w / dtype(pooled_w))
        a_y, rows = bilinear_matrix(
            sample_positions(start_h, bin_h, pooled_h, grid_h, dtype), height)
        a_x, cols = bilinear_matrix(
            sample_positions(start_w, bin_w, pooled_w, grid_w, dtype), width)
        out.append((int(roi[0]), a_y, a_x, grid_h * grid_w, rows, cols))
    return out


class _RoIAlign(ArrayFunction):
    """torchvision's roi_align kernel; the boxes get no gradient."""

    node_name = "torch::autograd::CppNode<vision::ops::(anonymous namespace)::ROIAlignFunction>"

    @staticmethod
    def forward(ctx, x, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        check_same_type("roi_align_forward_kernel", x, rois)
        if rois.shape[1] != 5:
            raise RuntimeError("rois must have shape as Tensor[K, 5]")
        mats = _roi_align_matrices(rois, spatial_scale, pooled_h, pooled_w, x.shape[2],
                                   x.shape[3], sampling_ratio, aligned)
        ctx.mats, ctx.shape = mats, x.shape
        out = xp_of(x).zeros((len(rois), x.shape[1], pooled_h, pooled_w), dtype=x.dtype)
        for k, (b, a_y, a_x, count, rows, cols) in enumerate(mats):
            out[k] = a_y @ x[b, :, rows, cols] @ a_x.T / x.dtype.type(max(count, 1))
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        g = grad._data
        gx = xp_of(g).zeros(ctx.shape, dtype=g.dtype)
        for k, (b, a_y, a_x, count, rows, cols) in enumerate(ctx.mats):
            if count:
                gx[b, :, rows, cols] += a_y.T @ (g[k] / g.dtype.type(count)) @ a_x
        return Tensor._make(gx), None, None, None, None, None, None


def roi_align(input: Tensor, boxes, output_size, spatial_scale: float = 1.0,
              sampling_ratio: int = -1, aligned: bool = False) -> Tensor:
    """RoI Align from Mask R-CNN.

    Args:
        input (Tensor[N, C, H, W]): the feature maps.
        boxes (Tensor[K, 5] or List[Tensor[L, 4]]): ``(image index, x1, y1, x2, y2)`` rows,
            or one ``(x1, y1, x2, y2)`` tensor per image.
        output_size (int or Tuple[int, int]): the pooled ``(height, width)``.
        spatial_scale (float): maps box coordinates to feature-map coordinates.
        sampling_ratio (int): samples per bin along each axis; <= 0 adapts it per RoI
            to ``ceil(roi size / output size)``.
        aligned (bool): shift boxes by -0.5 pixel so samples sit on pixel centres.

    Returns:
        Tensor[K, C, output_size[0], output_size[1]]
    """
    rois = rois_of(boxes)
    pooled_h, pooled_w = _pair(output_size)
    return _RoIAlign.apply(input, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio,
                           aligned)


class RoIAlign(nn.Module):
    """:func:`roi_align` as a module."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int,
                 aligned: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_align(input, rois, self.output_size, self.spatial_scale,
                         self.sampling_ratio, self.aligned)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
                f"aligned={self.aligned})")
