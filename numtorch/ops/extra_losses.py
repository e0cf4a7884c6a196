"""Two composites written in Tensor ops: ``gumbel_softmax`` and
``triplet_margin_with_distance_loss``.

- ``gumbel_softmax(logits, tau)`` samples ``softmax((logits + g) / tau)`` with Gumbel noise
  ``g = -log(E)``, ``E ~ Exp(1)`` drawn from numtorch's generator into a fresh contiguous
  tensor of the logits' shape (PyTorch's draw, so after the same ``manual_seed`` the sample
  is PyTorch's). ``hard=True`` returns the one-hot of the argmax in the forward pass and the
  soft sample's gradient in the backward pass (``y_hard - y_soft.detach() + y_soft``).
- ``triplet_margin_with_distance_loss`` is ``max(0, margin + d(a, p) - d(a, n))`` for any
  distance ``d`` (default ``pairwise_distance``); ``swap`` uses ``min(d(a, n), d(p, n))``.

Gradients come from the ops they are built of, to any order.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import _warnings
from .._tensor import Tensor
from .creation import empty, zeros
from .loss import _check_triplet, _reduce, pairwise_distance
from .pointwise import minimum

__all__ = ["gumbel_softmax", "triplet_margin_with_distance_loss"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax (Concrete) distribution over ``dim``.

    Args:
        logits: unnormalised log-probabilities ``(*, num_features)``.
        tau: temperature (> 0); small values give nearly one-hot samples.
        hard: return one-hot vectors whose gradient is the soft sample's (straight-through).
        eps: deprecated, unused.
        dim: the dimension the softmax runs over. Default: -1.
    """
    if eps != 1e-10:
        _warnings.warn("`eps` parameter is deprecated and has no effect.")
    noise = empty(logits.shape, dtype=logits.dtype, device=logits.device).exponential_().log()
    y_soft = ((logits - noise) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros(logits.shape, dtype=logits.dtype, device=logits.device)
    y_hard.scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``, reduced.

    Args:
        anchor, positive, negative: tensors with the same number of dimensions.
        distance_function: ``d(x1, x2)``, a Tensor of distances. Default: ``pairwise_distance``.
        margin: the required gap (> 0). Default: 1.
        swap: use ``min(d(a, n), d(p, n))`` as the negative distance. Default: False.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_triplet(margin, anchor, positive, negative)
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)
