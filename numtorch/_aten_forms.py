"""The top-level ``numtorch.<op>`` forms of some ``nn.functional`` ops, with ATen's argument
lists: ``torch.embedding(weight, indices)`` takes the weight first, the losses take
``reduction`` as ATen's integer (0 none, 1 mean, 2 sum) instead of a string -- and, in
these top-level forms, default to 0: no reduction (PyTorch's ``torch.kl_div(a, b)``
returns the elementwise loss, where ``F.kl_div`` averages).
Each calls the functional op, so the values, gradients and graph nodes are the same.
"""

from __future__ import annotations

from .ops import conv as _conv
from .ops import embedding as _embedding
from .ops import loss as _loss
from .ops import padding as _padding

__all__ = ["embedding", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "poisson_nll_loss", "triplet_margin_loss",
           "binary_cross_entropy_with_logits", "ctc_loss", "constant_pad_nd", "convolution"]

def _reduction(value: int) -> str:
    """ATen's Reduction enum: 1 mean, 2 sum; any other value reduces nothing, as in
    PyTorch's kernels."""
    return {1: "mean", 2: "sum"}.get(value, "none")


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """``F.embedding(indices, weight)``; ATen's ``padding_idx=-1`` means none."""
    return _embedding.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                                scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def kl_div(input, target, reduction: int = 0, *, log_target: bool = False):
    return _loss.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    return _loss.cosine_embedding_loss(input1, input2, target, margin,
                                       reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    return _loss.margin_ranking_loss(input1, input2, target, margin,
                                     reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: int = 0):
    return _loss.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction: int):
    return _loss.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                  reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: int = 0):
    return _loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                     reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction: int = 0):
    return _loss.binary_cross_entropy_with_logits(input, target, weight,
                                                  reduction=_reduction(reduction),
                                                  pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 0, zero_infinity: bool = False):
    return _loss.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                          _reduction(reduction), zero_infinity)


def constant_pad_nd(input, pad, value=0):
    """``F.pad(input, pad, value=value)``: ATen's constant padding."""
    return _padding.pad(input, list(pad), "constant", value)


def convolution(input, weight, bias, stride, padding, dilation, transposed: bool,
                output_padding, groups: int):
    """ATen's general convolution: ``conv{1,2,3}d`` or ``conv_transpose{1,2,3}d`` by the
    weight's dimensions and ``transposed``."""
    nd = weight.ndim - 2
    if transposed:
        fn = getattr(_conv, f"conv_transpose{nd}d")
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(_conv, f"conv{nd}d")(input, weight, bias, stride, padding, dilation, groups)
