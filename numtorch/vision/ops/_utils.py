"""Helpers the ops share: box lists to ``Tensor[K, 5]`` rois, argument checks, the
bilinear sampling matrices behind roi_align and ps_roi_align, and the pieces the IoU
losses have in common."""

from __future__ import annotations

import numpy as np

import numtorch
from numtorch import Tensor
from numtorch._dtype import from_numpy_dtype
from numtorch.nn.modules.conv import _ntuple
from numtorch.ops._util import xp_of


def _pair(x):
    return _ntuple(x, 2)


def check_roi_boxes_shape(boxes) -> None:
    if isinstance(boxes, (list, tuple)):
        for t in boxes:
            if t.size(1) != 4:
                raise AssertionError("The shape of the tensor in the boxes list is not correct "
                                     "as List[Tensor[L, 4]]")
    elif isinstance(boxes, Tensor):
        if boxes.size(1) != 5:
            raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]")
    else:
        raise AssertionError("boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]]")


def convert_boxes_to_roi_format(boxes: list[Tensor]) -> Tensor:
    """``[Tensor[L_i, 4]]`` -> ``Tensor[sum L_i, 5]`` whose first column is the image index."""
    ids = [numtorch.full_like(b[:, :1], i) for i, b in enumerate(boxes)]
    ids = ids[0] if len(ids) == 1 else numtorch.cat(ids, dim=0)
    concat = boxes[0] if len(boxes) == 1 else numtorch.cat(list(boxes), dim=0)
    return numtorch.cat([ids, concat], dim=1)


def rois_of(boxes) -> Tensor:
    check_roi_boxes_shape(boxes)
    return boxes if isinstance(boxes, Tensor) else convert_boxes_to_roi_format(boxes)


def check_same_type(kernel: str, x, rois) -> None:
    if x.dtype != rois.dtype:
        names = [f"torch.{from_numpy_dtype(a.dtype)._legacy}Tensor" for a in (x, rois)]
        raise RuntimeError(f"Expected tensor for argument #1 'input' to have the same type as "
                           f"tensor for argument #2 'rois'; but type {names[0]} does not equal "
                           f"{names[1]} (while checking arguments for {kernel})")


def sample_positions(start, bin_size, pooled: int, grid: int, dtype):
    """The kernels' sampling coordinates along one axis, ``[pooled, grid]``, in ``dtype``:
    ``start + p * bin_size + (i + 0.5) * bin_size / grid``, rounded step by step as the C++
    loop rounds them."""
    xp = xp_of(start)
    p = xp.arange(pooled, dtype=dtype)[:, None]
    i = (xp.arange(grid, dtype=dtype) + dtype(0.5))[None, :]
    return (start + p * bin_size) + (i * bin_size) / dtype(grid)


def bilinear_matrix(pos, size: int):
    """``A[p, s]``: the weight of pixel ``s`` in the sum over ``pos[p, :]`` of 1-D bilinear
    samples, with the kernels' border rules: a sample beyond ``[-1, size]`` weighs nothing,
    one in ``[-1, 0]`` reads pixel 0, one past the last pixel reads the last pixel.

    The 2-D kernel weights are products ``w_y * w_x``, so an RoI's sum over its sampling
    grid is ``A_y @ image @ A_x.T``: two matrix products instead of a loop over samples.
    Only the pixels the samples touch matter, so the columns from the first to the last
    of them are returned, with that ``slice`` of the image axis.
    """
    xp = xp_of(pos)
    dtype = pos.dtype.type
    valid = (pos >= -1.0) & (pos <= size)
    y = xp.where(pos <= 0, dtype(0), pos)
    low = y.astype(np.int64)
    top = low >= size - 1
    low = xp.where(top, size - 1, low)
    high = xp.where(top, size - 1, low + 1)
    y = xp.where(top, low.astype(dtype), y)
    frac = (y - low.astype(dtype)).astype(dtype)
    one_minus = (dtype(1) - frac).astype(dtype)
    a = xp.zeros((pos.shape[0], size), dtype=pos.dtype)
    rows = xp.broadcast_to(xp.arange(pos.shape[0])[:, None], pos.shape)
    xp.add.at(a, (rows[valid], low[valid]), one_minus[valid])
    xp.add.at(a, (rows[valid], high[valid]), frac[valid])
    if not valid.any():
        return a[:, :0], slice(0, 0)
    touched = slice(int(low[valid].min()), int(high[valid].max()) + 1)
    return a[:, touched], touched


def c_round(x):
    """C's ``round``: halves away from zero (NumPy rounds them to even).

    The fraction is compared with 0.5 rather than added to it: ``|x| + 0.5`` rounds up in
    float32 for the float just below 0.5, which C's round sends to 0."""
    xp = xp_of(x)
    a = xp.abs(x)
    whole = xp.floor(a)
    return xp.sign(x) * (whole + (a - whole >= 0.5))


# --- shared by the IoU losses, which compare boxes1[i] with boxes2[i] -------------------

def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction "
                     "modes: 'none', 'mean', 'sum'")


def loss_inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    """Intersection and union areas of ``boxes1[i]`` and ``boxes2[i]``."""
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xkis1, ykis1 = numtorch.max(x1, x1g), numtorch.max(y1, y1g)
    xkis2, ykis2 = numtorch.min(x2, x2g), numtorch.min(y2, y2g)
    intsct = numtorch.zeros_like(x1)
    # Only overlapping pairs get an area (and a gradient through it).
    mask = (ykis2 > ykis1) & (xkis2 > xkis1)
    intsct[mask] = (xkis2[mask] - xkis1[mask]) * (ykis2[mask] - ykis1[mask])
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intsct
    return intsct, union


def enclosing_corners(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    return (numtorch.min(x1, x1g), numtorch.min(y1, y1g),
            numtorch.max(x2, x2g), numtorch.max(y2, y2g))
