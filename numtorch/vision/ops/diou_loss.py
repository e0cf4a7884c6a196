"""The distance IoU loss (Zheng et al.): ``1 - IoU`` plus the squared distance of the
boxes' centres over the squared diagonal of the box enclosing both."""

from __future__ import annotations

from numtorch import Tensor

from ._utils import enclosing_corners, loss_inter_union, reduce_loss
from .boxes import _upcast_non_float

__all__ = ["distance_box_iou_loss"]


def _diou_iou_loss(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> tuple[Tensor, Tensor]:
    intsct, union = loss_inter_union(boxes1, boxes2)
    iou = intsct / (union + eps)
    xc1, yc1, xc2, yc2 = enclosing_corners(boxes1, boxes2)
    diagonal_sq = ((xc2 - xc1) ** 2) + ((yc2 - yc1) ** 2) + eps
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    x_p, y_p = (x2 + x1) / 2, (y2 + y1) / 2
    x_g, y_g = (x1g + x2g) / 2, (y1g + y2g) / 2
    centers_sq = ((x_p - x_g) ** 2) + ((y_p - y_g) ** 2)
    return 1 - iou + (centers_sq / diagonal_sq), iou


def distance_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                          eps: float = 1e-7) -> Tensor:
    """``1 - DIoU`` of ``boxes1[i]`` and ``boxes2[i]``: the IoU loss plus the squared centre
    distance over the enclosing box's squared diagonal."""
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    loss, _ = _diou_iou_loss(boxes1, boxes2, eps)
    return reduce_loss(loss, reduction)
