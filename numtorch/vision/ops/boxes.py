"""Box operations, as torchvision.ops has them: formats, areas, the IoU family, NMS.

Boxes are rows ``(x1, y1, x2, y2)`` unless a function says otherwise. Everything but
``nms`` is a composition of Tensor ops, so gradients come from autograd. ``nms`` is a
greedy loop over boxes in falling score order (torchvision's CPU kernel): each kept box
suppresses, all at once, every later box whose IoU with it exceeds the threshold.
"""

from __future__ import annotations

import math

import numpy as np

import numtorch
from numtorch import Tensor

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes",
           "nms", "remove_small_boxes"]


def _upcast(t: Tensor) -> Tensor:
    """Widen half floats to float32 and small ints to int32, so products do not overflow."""
    if t.is_floating_point():
        return t if t.dtype in (numtorch.float32, numtorch.float64) else t.float()
    return t if t.dtype in (numtorch.int32, numtorch.int64) else t.int()


def _upcast_non_float(t: Tensor) -> Tensor:
    """Anything but float32/float64 becomes float32 (the IoU losses divide)."""
    return t if t.dtype in (numtorch.float32, numtorch.float64) else t.float()


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression: indices of the boxes kept, by decreasing score.

    Boxes are visited in decreasing score (ties in their original order); a box not yet
    suppressed is kept and suppresses every later box whose IoU with it is greater than
    ``iou_threshold``. The IoU is computed in the boxes' dtype, in the kernel's order
    ``inter / (area_i + area_j - inter)``, so the kept set is torchvision's exactly.

    Args:
        boxes (Tensor[N, 4]): boxes as ``(x1, y1, x2, y2)``.
        scores (Tensor[N]): a score for each box.
        iou_threshold (float): boxes overlapping a kept box by more than this are dropped.

    Returns:
        Tensor: int64 indices of the kept boxes, sorted by decreasing score.
    """
    if boxes.dim() != 2:
        raise RuntimeError(f"boxes should be a 2d tensor, got {boxes.dim()}D")
    if boxes.size(1) != 4:
        raise RuntimeError(f"boxes should have 4 elements in dimension 1, got {boxes.size(1)}")
    if scores.dim() != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.dim()}D")
    if boxes.size(0) != scores.size(0):
        raise RuntimeError("boxes and scores should have same number of elements in dimension "
                           f"0, got {boxes.size(0)} and {scores.size(0)}")
    if not boxes.is_floating_point():
        raise NotImplementedError(f'"nms_kernel" not implemented for \'{boxes.dtype._legacy}\'')
    if boxes.dtype != scores.dtype:
        raise RuntimeError("dets should have the same type as scores")
    if boxes.numel() == 0:
        return numtorch.empty((0,), dtype=numtorch.int64)
    b = boxes.detach().numpy()
    x1, y1, x2, y2 = (np.ascontiguousarray(b[:, k]) for k in range(4))
    areas = (x2 - x1) * (y2 - y1)
    # torch's stable descending sort, which puts NaN scores first (argsort(-s) puts them last)
    order = scores.detach().sort(descending=True, stable=True)[1].numpy()
    # One vectorised sweep per kept box, over the boxes after it in score order.
    x1, y1, x2, y2, areas = x1[order], y1[order], x2[order], y2[order], areas[order]
    alive = np.ones(len(order), dtype=bool)
    zero = b.dtype.type(0)
    keep = []
    for i in range(len(order)):
        if not alive[i]:
            continue
        keep.append(order[i])
        rest = np.flatnonzero(alive[i + 1:]) + i + 1
        if rest.size == 0:
            break
        w = np.maximum(zero, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(zero, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / (areas[i] + areas[rest] - inter)
        # The kernel compares its float IoU with a double threshold: compare in float64, or
        # NumPy casts the threshold down (an IoU of float32(0.3) would not exceed 0.3).
        alive[rest[iou > np.float64(iou_threshold)]] = False
    return numtorch.from_numpy(np.asarray(keep, dtype=np.int64))


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category ``idxs``: boxes of different categories never suppress
    each other.

    As torchvision does on the CPU: up to 4000 box coordinates, every box is shifted by
    ``idx * (max coordinate + 1)`` so categories cannot overlap and one ``nms`` runs;
    above that, ``nms`` runs per category and the kept indices are sorted by score.

    Returns:
        Tensor: int64 indices of the kept boxes, sorted by decreasing score.
    """
    if boxes.numel() > 4000:
        keep_mask = numtorch.zeros_like(scores, dtype=numtorch.bool)
        for class_id in numtorch.unique(idxs):
            members = numtorch.where(idxs == class_id)[0]
            kept = nms(boxes[members], scores[members], iou_threshold)
            keep_mask[members[kept]] = True
        keep = numtorch.where(keep_mask)[0]
        return keep[scores[keep].sort(descending=True)[1]]
    if boxes.numel() == 0:
        return numtorch.empty((0,), dtype=numtorch.int64, device=boxes.device)
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes) * (max_coordinate + numtorch.tensor(1).to(boxes))
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices of the boxes whose width and height are both at least ``min_size``."""
    ws, hs = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return numtorch.where((ws >= min_size) & (hs >= min_size))[0]


def clip_boxes_to_image(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Clamp x to ``[0, width]`` and y to ``[0, height]``, ``size`` being ``(height, width)``."""
    dim = boxes.dim()
    height, width = size
    boxes_x = boxes[..., 0::2].clamp(min=0, max=width)
    boxes_y = boxes[..., 1::2].clamp(min=0, max=height)
    return numtorch.stack((boxes_x, boxes_y), dim=dim).reshape(boxes.shape)


def _xywh_to_xyxy(boxes: Tensor) -> Tensor:
    x, y, w, h = boxes.unbind(-1)
    return numtorch.stack([x, y, x + w, y + h], dim=-1)


def _cxcywh_to_xyxy(boxes: Tensor) -> Tensor:
    cx, cy, w, h = boxes.unbind(-1)
    return numtorch.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), dim=-1)


def _xyxy_to_xywh(boxes: Tensor) -> Tensor:
    x1, y1, x2, y2 = boxes.unbind(-1)
    return numtorch.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)


def _xyxy_to_cxcywh(boxes: Tensor) -> Tensor:
    x1, y1, x2, y2 = boxes.unbind(-1)
    return numtorch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


# Rotated boxes: r is in degrees, counter-clockwise about the centre; (x1, y1) is the
# corner that is top left before rotating, and xyxyxyxy lists the corners from there
# clockwise (top left, top right, bottom right, bottom left).

def _cos_sin(r: Tensor) -> tuple[Tensor, Tensor]:
    r_rad = r * math.pi / 180.0
    return numtorch.cos(r_rad), numtorch.sin(r_rad)


def _cxcywhr_to_xywhr(boxes: Tensor) -> Tensor:
    cx, cy, w, h, r = boxes.unbind(-1)
    cos, sin = _cos_sin(r)
    x1 = cx - w / 2 * cos - h / 2 * sin
    y1 = cy - h / 2 * cos + w / 2 * sin
    return numtorch.stack((x1, y1, w, h, r), dim=-1)


def _xywhr_to_cxcywhr(boxes: Tensor) -> Tensor:
    x1, y1, w, h, r = boxes.unbind(-1)
    cos, sin = _cos_sin(r)
    cx = x1 + w / 2 * cos + h / 2 * sin
    cy = y1 - w / 2 * sin + h / 2 * cos
    return numtorch.stack([cx, cy, w, h, r], dim=-1)


def _xywhr_to_xyxyxyxy(boxes: Tensor) -> Tensor:
    x1, y1, w, h, r = boxes.unbind(-1)
    cos, sin = _cos_sin(r)
    x3, y3 = x1 + w * cos, y1 - w * sin
    x2, y2 = x3 + h * sin, y3 + h * cos
    x4, y4 = x1 + h * sin, y1 + h * cos
    return numtorch.stack((x1, y1, x3, y3, x2, y2, x4, y4), dim=-1)


def _xyxyxyxy_to_xywhr(boxes: Tensor) -> Tensor:
    x1, y1, x3, y3, x2, y2, x4, y4 = boxes.unbind(-1)
    r = numtorch.atan2(y1 - y3, x3 - x1) * 180 / math.pi
    w = ((x3 - x1) ** 2 + (y1 - y3) ** 2).sqrt()
    h = ((x3 - x2) ** 2 + (y3 - y2) ** 2).sqrt()
    return numtorch.stack((x1, y1, w, h, r), dim=-1)


def _keep_dtype(step):
    """torchvision casts back to the input's dtype between these two steps."""
    return lambda boxes: step(boxes).to(boxes.dtype)


_CONVERSIONS = {
    ("xywh", "xyxy"): (_xywh_to_xyxy,),
    ("cxcywh", "xyxy"): (_cxcywh_to_xyxy,),
    ("xyxy", "xywh"): (_xyxy_to_xywh,),
    ("xyxy", "cxcywh"): (_xyxy_to_cxcywh,),
    ("xywh", "cxcywh"): (_xywh_to_xyxy, _xyxy_to_cxcywh),
    ("cxcywh", "xywh"): (_cxcywh_to_xyxy, _xyxy_to_xywh),
    ("cxcywhr", "xywhr"): (_cxcywhr_to_xywhr,),
    ("xywhr", "cxcywhr"): (_xywhr_to_cxcywhr,),
    ("cxcywhr", "xyxyxyxy"): (_keep_dtype(_cxcywhr_to_xywhr), _xywhr_to_xyxyxyxy),
    ("xyxyxyxy", "cxcywhr"): (_keep_dtype(_xyxyxyxy_to_xywhr), _xywhr_to_cxcywhr),
    ("xywhr", "xyxyxyxy"): (_xywhr_to_xyxyxyxy,),
    ("xyxyxyxy", "xywhr"): (_xyxyxyxy_to_xywhr,),
}


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert boxes between ``'xyxy'`` (corners), ``'xywh'`` (corner, width, height) and
    ``'cxcywh'`` (centre, width, height), or between the rotated formats ``'xywhr'``,
    ``'cxcywhr'`` (with an angle ``r`` in degrees) and ``'xyxyxyxy'`` (four corners).
    The same format gives a clone; converting between the two families raises
    ``NotImplementedError``, as in torchvision.
    """
    allowed = ("xyxy", "xywh", "cxcywh", "xywhr", "cxcywhr", "xyxyxyxy")
    if in_fmt not in allowed or out_fmt not in allowed:
        raise ValueError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} "
                         f"and out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    steps = _CONVERSIONS.get((in_fmt, out_fmt))
    if steps is None:
        raise NotImplementedError(f"Unsupported Bounding Box Conversions for given in_fmt "
                                  f"{in_fmt} and out_fmt {out_fmt}")
    for step in steps:
        boxes = step(boxes)
    return boxes


def box_area(boxes: Tensor) -> Tensor:
    """Areas ``(x2 - x1) * (y2 - y1)`` of ``Tensor[N, 4]`` boxes."""
    boxes = _upcast(boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _box_inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    area1, area2 = box_area(boxes1), box_area(boxes2)
    lt = numtorch.max(boxes1[:, None, :2], boxes2[:, :2])  # [N, M, 2]
    rb = numtorch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, area1[:, None] + area2 - inter


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """``Tensor[N, M]`` of intersection over union for every pair of boxes."""
    inter, union = _box_inter_union(boxes1, boxes2)
    return inter / union


def _enclosing_wh(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Width and height ``[N, M, 2]`` of the smallest box holding both boxes of a pair."""
    lti = numtorch.min(boxes1[:, None, :2], boxes2[:, :2])
    rbi = numtorch.max(boxes1[:, None, 2:], boxes2[:, 2:])
    return _upcast(rbi - lti).clamp(min=0)


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """GIoU: ``iou - (enclosing area - union) / enclosing area`` for every pair."""
    inter, union = _box_inter_union(boxes1, boxes2)
    iou = inter / union
    whi = _enclosing_wh(boxes1, boxes2)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return iou - (areai - union) / areai


def _box_diou_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> tuple[Tensor, Tensor]:
    iou = box_iou(boxes1, boxes2)
    whi = _enclosing_wh(boxes1, boxes2)
    diagonal_sq = (whi[:, :, 0] ** 2) + (whi[:, :, 1] ** 2) + eps
    x_p = (boxes1[:, 0] + boxes1[:, 2]) / 2
    y_p = (boxes1[:, 1] + boxes1[:, 3]) / 2
    x_g = (boxes2[:, 0] + boxes2[:, 2]) / 2
    y_g = (boxes2[:, 1] + boxes2[:, 3]) / 2
    centers_sq = (_upcast(x_p[:, None] - x_g[None, :]) ** 2) + (
        _upcast(y_p[:, None] - y_g[None, :]) ** 2)
    return iou - centers_sq / diagonal_sq, iou


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """DIoU: IoU less the squared centre distance over the enclosing box's squared diagonal."""
    diou, _ = _box_diou_iou(_upcast(boxes1), _upcast(boxes2), eps=eps)
    return diou


def complete_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """CIoU: DIoU less ``alpha * v``, ``v`` measuring how the aspect ratios differ
    (``alpha`` is treated as a constant, as in torchvision)."""
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _box_diou_iou(boxes1, boxes2, eps)
    w_pred = boxes1[:, None, 2] - boxes1[:, None, 0]
    h_pred = boxes1[:, None, 3] - boxes1[:, None, 1]
    w_gt = boxes2[:, 2] - boxes2[:, 0]
    h_gt = boxes2[:, 3] - boxes2[:, 1]
    v = (4 / (math.pi ** 2)) * numtorch.pow(
        numtorch.atan(w_pred / h_pred) - numtorch.atan(w_gt / h_gt), 2)
    with numtorch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def masks_to_boxes(masks: Tensor) -> Tensor:
    """The tightest ``(x1, y1, x2, y2)`` box (float32, inclusive pixel indices) around the
    nonzero pixels of each of ``Tensor[N, H, W]`` masks."""
    if masks.numel() == 0:
        return numtorch.zeros((0, 4), dtype=numtorch.float, device=masks.device)
    boxes = numtorch.zeros((masks.shape[0], 4), dtype=numtorch.float, device=masks.device)
    for index, mask in enumerate(masks):
        y, x = numtorch.where(mask != 0)  # an empty mask fails in min(), as in torchvision
        boxes[index, 0], boxes[index, 1] = numtorch.min(x), numtorch.min(y)
        boxes[index, 2], boxes[index, 3] = numtorch.max(x), numtorch.max(y)
    return boxes
