"""The complete IoU loss (Zheng et al.): the distance IoU loss plus ``alpha * v``, ``v``
measuring how the boxes' aspect ratios differ."""

from __future__ import annotations

import math

import numtorch
from numtorch import Tensor

from ._utils import reduce_loss
from .boxes import _upcast_non_float
from .diou_loss import _diou_iou_loss

__all__ = ["complete_box_iou_loss"]


def complete_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                          eps: float = 1e-7) -> Tensor:
    """``1 - CIoU``: the DIoU loss plus ``alpha * v`` for the aspect ratios' difference.

    As in torchvision, the DIoU part uses the default ``eps=1e-7`` whatever ``eps`` is,
    and ``alpha`` is a constant for autograd.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    diou_loss, iou = _diou_iou_loss(boxes1, boxes2)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    w_pred, h_pred = x2 - x1, y2 - y1
    w_gt, h_gt = x2g - x1g, y2g - y1g
    v = (4 / (math.pi ** 2)) * numtorch.pow(
        numtorch.atan(w_gt / h_gt) - numtorch.atan(w_pred / h_pred), 2)
    with numtorch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return reduce_loss(diou_loss + alpha * v, reduction)
