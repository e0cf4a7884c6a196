"""RetinaNet's sigmoid focal loss (Lin et al.), a composition of Tensor ops as in
torchvision."""

from __future__ import annotations

import numtorch
import numtorch.nn.functional as F
from numtorch import Tensor

from ._utils import reduce_loss

__all__ = ["sigmoid_focal_loss"]


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
    if reduction == "mean":  # no guard for empty inputs here, unlike the IoU losses: nan
        return loss.mean()
    return reduce_loss(loss, reduction)
