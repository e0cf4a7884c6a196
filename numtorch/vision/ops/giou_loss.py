"""The generalized IoU loss (Rezatofighi et al.): ``1 - GIoU`` of paired boxes, a
composition of Tensor ops as in torchvision, so autograd gives its gradient."""

from __future__ import annotations

from numtorch import Tensor

from ._utils import enclosing_corners, loss_inter_union, reduce_loss
from .boxes import _upcast_non_float

__all__ = ["generalized_box_iou_loss"]


def generalized_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                             eps: float = 1e-7) -> Tensor:
    """``1 - GIoU`` of ``boxes1[i]`` and ``boxes2[i]`` (``Tensor[N, 4]`` or ``Tensor[4]``).

    Args:
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        eps: keeps the divisions finite for empty boxes.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    intsct, union = loss_inter_union(boxes1, boxes2)
    iou = intsct / (union + eps)
    xc1, yc1, xc2, yc2 = enclosing_corners(boxes1, boxes2)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    miou = iou - ((area_c - union) / (area_c + eps))
    return reduce_loss(1 - miou, reduction)
