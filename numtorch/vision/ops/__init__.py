"""numtorch.vision.ops: torchvision.ops — box operations, NMS, detection losses.

Box ops and losses are compositions of Tensor ops, so autograd differentiates them;
``nms`` is a NumPy kernel with torchvision's tie-breaking (stable by score).
"""

from .boxes import (
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    clip_boxes_to_image,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    masks_to_boxes,
    nms,
    remove_small_boxes,
)
from .losses import (
    complete_box_iou_loss,
    distance_box_iou_loss,
    generalized_box_iou_loss,
    sigmoid_focal_loss,
)

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "complete_box_iou_loss", "distance_box_iou",
           "distance_box_iou_loss", "generalized_box_iou", "generalized_box_iou_loss",
           "masks_to_boxes", "nms", "remove_small_boxes", "sigmoid_focal_loss"]
