"""TripletMarginWithDistanceLoss: the triplet loss with any distance function."""

from __future__ import annotations

from collections.abc import Callable

from ..._tensor import Tensor
from ...ops.extra_losses import triplet_margin_with_distance_loss
from .distance import PairwiseDistance
from .loss import _Loss

__all__ = ["TripletMarginWithDistanceLoss"]


class TripletMarginWithDistanceLoss(_Loss):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``, reduced.

    Args:
        distance_function: ``d(x1, x2)`` returning distances; a Module is registered as a
            submodule. Default: ``nn.PairwiseDistance()``.
        margin: the required gap (> 0). Default: 1.
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance. Default: False.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        anchor, positive, negative ``(N, *)`` as the distance needs; output scalar, or ``(N)``
        with ``reduction='none'``.
    """

    __constants__ = ["margin", "swap", "reduction"]

    def __init__(self, *, distance_function: Callable | None = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError("TripletMarginWithDistanceLoss: expected margin to be greater than "
                             f"0, got {margin} instead")
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)
