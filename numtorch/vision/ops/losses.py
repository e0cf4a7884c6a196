"""The detection losses of torchvision.ops: the IoU losses and the sigmoid focal loss.

Each is a composition of Tensor ops, as torchvision writes it, so the gradients are
autograd's. The IoU losses compare boxes pairwise along the first dimension (``boxes1[i]``
with ``boxes2[i]``), unlike ``box_iou`` and friends, which compare every pair.
"""

from __future__ import annotations

import math

import numtorch
import numtorch.nn.functional as F
from numtorch import Tensor

from .boxes import _upcast_non_float

__all__ = ["complete_box_iou_loss", "distance_box_iou_loss", "generalized_box_iou_loss",
           "sigmoid_focal_loss"]


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction "
                     "modes: 'none', 'mean', 'sum'")


def _inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
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


def _enclosing(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    return (numtorch.min(x1, x1g), numtorch.min(y1, y1g),
            numtorch.max(x2, x2g), numtorch.max(y2, y2g))


def generalized_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                             eps: float = 1e-7) -> Tensor:
    """``1 - GIoU`` of ``boxes1[i]`` and ``boxes2[i]`` (``Tensor[N, 4]`` or ``Tensor[4]``).

    Args:
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        eps: keeps the divisions finite for empty boxes.
    """
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    intsct, union = _inter_union(boxes1, boxes2)
    iou = intsct / (union + eps)
    xc1, yc1, xc2, yc2 = _enclosing(boxes1, boxes2)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    miou = iou - ((area_c - union) / (area_c + eps))
    return _reduce(1 - miou, reduction)


def _diou_iou_loss(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> tuple[Tensor, Tensor]:
    intsct, union = _inter_union(boxes1, boxes2)
    iou = intsct / (union + eps)
    xc1, yc1, xc2, yc2 = _enclosing(boxes1, boxes2)
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
    return _reduce(loss, reduction)


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
    return _reduce(diou_loss + alpha * v, reduction)


def sigmoid_focal_loss(inputs: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2,
                       reduction: str = "none") -> Tensor:
    """RetinaNet's focal loss: binary cross-entropy on logits, scaled by
    ``(1 - p_t) ** gamma`` and weighted by ``alpha`` for positives, ``1 - alpha`` for
    negatives (``alpha=-1`` turns the weighting off).

    Args:
        inputs: logits of any shape.
        targets: the same shape, 1 for positives and 0 for negatives.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] "
                         "or -1 for ignore.")
    p = numtorch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduce(loss, reduction)
