"""Loss kernels: forward beside backward; cross_entropy is one fused kernel.

Every loss takes ``reduction='none'|'mean'|'sum'`` (and the legacy ``size_average`` /
``reduce`` pair, mapped to a reduction with PyTorch's deprecation warning).

Losses PyTorch computes with a kernel of its own (``mse_loss``, ``nll_loss``,
``binary_cross_entropy`` ...) are ``ArrayFunction``s here, named as PyTorch names their
nodes; the others are written with Tensor ops, exactly the composition PyTorch uses, so
their graphs (and ``grad_fn`` names) are PyTorch's too. Backward formulas are Tensor ops,
so ``create_graph=True`` differentiates them again (cross_entropy's backward runs in NumPy
unless a graph of it is being built; ctc_loss, like PyTorch's, is once differentiable).

``cross_entropy`` is the hot op of training classifiers: log-softmax and the negative
log-likelihood run as one kernel, and its backward is ``softmax - target`` scaled per row.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction, once_differentiable
from ..backend import cpu as _cpu
from ._util import xp_of
from .pointwise import _not_implemented, minimum, where
from .shape import broadcast_tensors

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "multilabel_soft_margin_loss", "triplet_margin_loss", "pairwise_distance",
    "cosine_similarity", "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss", "ctc_loss",
]
TENSOR_METHODS: tuple = ()
INPLACE_METHODS: tuple = ()


# --- helpers -----------------------------------------------------------------------------


def _reduction(size_average, reduce, reduction: str) -> str:
    """The reduction to use; the legacy ``size_average``/``reduce`` pair wins if given."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        _warnings.warn("size_average and reduce args will be deprecated, please use "
                       f"reduction='{reduction}' instead.")
        return reduction
    if reduction == "elementwise_mean":
        _warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                       "reduction='mean' instead.")
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """Reduce an elementwise loss Tensor (the composite losses)."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_np(loss, reduction: str):
    """Reduce an elementwise loss array, keeping its dtype (a 0-d array, not a scalar)."""
    if reduction == "none":
        return loss
    xp = xp_of(loss)
    with _cpu.quiet():
        r = loss.mean() if reduction == "mean" else loss.sum()
    return xp.asarray(r, dtype=loss.dtype)


def _scale(grad: Tensor, reduction: str, n: int) -> Tensor:
    """The upstream gradient as each element of the unreduced loss sees it."""
    return grad / n if reduction == "mean" else grad


def _size(shape) -> str:
    return f"numtorch.Size([{', '.join(map(str, shape))}])"


def _no_grad_for(fn: str, arg: str, t) -> None:
    if isinstance(t, Tensor) and t.requires_grad and grad_mode.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _same_dtype(a: Tensor, b: Tensor):
    """Both operands in PyTorch's result dtype (a differentiable cast where needed)."""
    if a.dtype == b.dtype:
        return a, b
    dt = D.promote_types(a.dtype, b.dtype)
    return a.to(dt), b.to(dt)


def _float_kernel(kernel: str, dt) -> None:
    """The loss kernels are float-only: PyTorch's NotImplementedError names the kernel."""
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dt._legacy}\'')


def _fits_input(input: Tensor, target: Tensor) -> None:
    """Kernels that write into a tensor of the input's dtype refuse a float target for an
    integer input (PyTorch's in-place casting rule)."""
    result = D.promote_types(input.dtype, target.dtype)
    if not D.can_cast(result, input.dtype):
        raise RuntimeError(f"result type {result._legacy} can't be cast to the desired output "
                           f"type {input.dtype._legacy}")


def _broadcast_pair(input: Tensor, target: Tensor):
    """PyTorch's elementwise losses warn, then broadcast, when the shapes differ."""
    if input.shape != target.shape:
        _warnings.warn(f"Using a target size ({_size(target.shape)}) that is different to the "
                       f"input size ({_size(input.shape)}). This will likely lead to incorrect "
                       "results due to broadcasting. Please ensure they have the same size.")
        input, target = broadcast_tensors(input, target)
    return _same_dtype(input, target)


# --- elementwise regression losses -----------------------------------------------------


class _ElementwiseLoss(ArrayFunction):
    """loss(x, y) elementwise, then reduced. Subclasses give ``_loss`` and ``_dloss``.

    ``_dloss(x, y, params)`` is d loss / d x as Tensor ops; these losses depend on x - y
    only, so d loss / d y is its negative.
    """

    @staticmethod
    def _loss(x, y, params):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, y, reduction, params=None):
        ctx.reduction, ctx.params, ctx.n = reduction, params, x.size
        ctx.save_for_backward(x, y)
        with _cpu.quiet():
            loss = cls._loss(x, y, params)
        return _reduce_np(loss, reduction)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        g = cls._dloss(x, y, ctx.params) * _scale(grad, ctx.reduction, ctx.n)
        return (g if ctx.needs_input_grad[0] else None,
                -g if ctx.needs_input_grad[1] else None, None, None)


class MseLoss(_ElementwiseLoss):
    """(x - y)^2. Gradient: 2 (x - y)."""

    node_name = "MseLossBackward0"

    @staticmethod
    def _loss(x, y, params):
        d = x - y
        d *= d
        return d

    @staticmethod
    def _dloss(x, y, params):
        return (x - y) * 2


class HuberLoss(_ElementwiseLoss):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); d = x - y."""

    node_name = "HuberLossBackward0"

    @staticmethod
    def _loss(x, y, delta):
        xp = xp_of(x)
        d = xp.abs(x - y)
        return xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(x.dtype,
                                                                                   copy=False)

    @staticmethod
    def _dloss(x, y, delta):
        d = x - y
        return d.clamp(-delta, delta)


class SmoothL1Loss(_ElementwiseLoss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; d = x - y (huber / beta)."""

    node_name = "SmoothL1LossBackward0"

    @staticmethod
    def _loss(x, y, beta):
        xp = xp_of(x)
        d = xp.abs(x - y)
        if beta == 0:
            return d
        return xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(x.dtype, copy=False)

    @staticmethod
    def _dloss(x, y, beta):
        d = x - y
        if beta == 0:
            return d.sign()
        return d.clamp(-beta, beta) / beta


def _check_weight_size(weight, input) -> None:
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted(weight, loss, reduction):
    """An elementwise loss times ``weight``; 'mean' divides by the total weight (PyTorch's
    weighted mse_loss and l1_loss)."""
    _check_weight_size(weight, loss)
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean",
             weight=None) -> Tensor:
    """Mean squared error: mean((input - target)^2)."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    _float_kernel("mse_cpu", input.dtype)
    if weight is not None:
        return _weighted(weight, (input - target) ** 2, reduction)
    return MseLoss.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
            weight=None) -> Tensor:
    """Mean absolute error: mean(|input - target|)."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(weight, loss, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0) -> Tensor:
    """Squared error below ``beta``, absolute error above (scaled so the pieces meet)."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    _float_kernel("smooth_l1_cpu", input.dtype)
    return SmoothL1Loss.apply(input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above."""
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _fits_input(input, target)
    input, target = _broadcast_pair(input, target)
    _float_kernel("huber_cpu", input.dtype)
    if weight is not None:
        _check_weight_size(weight, input)
        return _reduce(HuberLoss.apply(input, target, "none", float(delta)) * weight,
                       reduction)
    return HuberLoss.apply(input, target, reduction, float(delta))


# --- negative log-likelihood and cross-entropy -----------------------------------------


def _check_weight(weight, n_classes: int) -> None:
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} "
                           "classes or no classes but got weight tensor of shape: "
                           f"[{', '.join(map(str, weight.shape))}]")


def _check_log_softmax_dtype(input) -> None:
    """cross_entropy's log-softmax has float kernels only; PyTorch names the one it tried."""
    if not input.dtype.is_floating_point:
        kernel = "log_softmax_lastdim_kernel_impl" if input.ndim <= 2 else "log_softmax_kernel_impl"
        raise _not_implemented(kernel, input.dtype)


def _check_class_target(input, target, weight):
    """PyTorch's checks of an (N, C, d1, ...) input against class-index targets."""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim >= 2 and (target.ndim == 0 or input.shape[0] != target.shape[0]):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0] if target.ndim else 0}).")
    if input.ndim <= 2 and target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim > 2:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            if input.ndim == 3:
                raise RuntimeError(f"Expected target size [{', '.join(map(str, want))}], got "
                                   f"[{', '.join(map(str, target.shape))}]")
            raise RuntimeError(f"size mismatch (got input: [{', '.join(map(str, input.shape))}]"
                               f" , target: [{', '.join(map(str, target.shape))}]")
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{target.dtype._legacy}")
    _check_weight(weight, input.shape[1] if input.ndim > 1 else input.shape[0])


def _class_rows(x, t, w, ignore_index):
    """Class-indexed quantities on the (N, C, d...) layout (a 1-D input is one row).

    Returns ``x2`` (input as N, C, ...), ``t1`` (targets with a class axis, ignored ones
    set to 0), ``wt`` (each target's weight, 0 where ignored; the number 1.0 when there
    are no weights and nothing is ignored, the usual case) and the output shape of
    ``reduction='none'``.
    """
    xp = xp_of(x)
    out_shape = t.shape
    if x.ndim == 1:
        x, t = x.reshape(1, -1), t.reshape(1)
    t = t.astype(np.int64, copy=False)
    n_classes = x.shape[1]
    # One pass checks 0 <= t < C: as unsigned, negative targets are huge.
    if bool((t.view(np.uint64) < n_classes).all()) and not (
            0 <= ignore_index < n_classes and bool((t == ignore_index).any())):
        keep, safe = None, t  # the usual case: every target valid, none ignored
    else:
        keep = t != ignore_index
        safe = xp.where(keep, t, 0)
        bad = (safe < 0) | (safe >= n_classes)
        if bad.any():
            raise IndexError(f"Target {int(safe[bad].ravel()[0])} is out of bounds.")
    if w is None:
        wt = 1.0 if keep is None else keep.astype(x.dtype)
    else:
        wt = w.astype(x.dtype, copy=False)[safe]
        if keep is not None:
            wt *= keep
    return x, safe[:, None], wt, out_shape, keep


def _pick(a, t1):
    """``a[i, t_i, ...]``: each row's entry at its target class (an (N, d...) array)."""
    if a.ndim == 2:  # the common case: fancy indexing beats take_along_axis
        return a[xp_of(a).arange(a.shape[0]), t1[:, 0]]
    return xp_of(a).take_along_axis(a, t1, axis=1)[:, 0]


def _per_row(v):
    """A per-row array (N, d...) given a class axis (N, 1, d...); a number stays as is."""
    return v[:, None] if getattr(v, "ndim", 0) else v


def _add_at_target(a, t1, v) -> None:
    """``a[i, t_i, ...] += v[i, ...]`` in place (each (row, class) pair occurs once)."""
    if a.ndim == 2:
        a[xp_of(a).arange(a.shape[0]), t1[:, 0]] += v
    else:
        xp = xp_of(a)
        xp.put_along_axis(a, t1, xp.take_along_axis(a, t1, axis=1) + _per_row(v), axis=1)


def _reduce_rows(loss, wt, reduction, out_shape):
    """Reduce per-row losses; 'mean' divides by the total weight of the kept targets."""
    if reduction == "none":
        return loss.reshape(out_shape), 1.0
    xp = xp_of(loss)
    total = loss.sum()
    if reduction == "sum":
        return xp.asarray(total, dtype=loss.dtype), 1.0
    denom = loss.size if isinstance(wt, float) else wt.sum()
    if denom == 0:  # every target ignored: 0 / 0 = nan, as PyTorch
        return xp.asarray(np.nan, dtype=loss.dtype), denom
    return xp.asarray(total / denom, dtype=loss.dtype), denom


def _upstream(grad: Tensor, reduction, denom, x_ndim):
    """The upstream gradient per row, with a class axis (so it broadcasts over classes).

    (A zero ``denom`` means every target was ignored: the gradient is 0, not 0/0.)
    """
    g = grad / denom if reduction == "mean" and denom != 0 else grad
    if reduction == "none":
        g = g.reshape((-1,) if x_ndim == 1 else tuple(grad.shape)).unsqueeze(1)
    return g


class NllLoss(ArrayFunction):
    """-w[t] * x[t] for each row; 'mean' divides by the sum of the w[t] kept.

    Its gradient is -w[t] at each target position and 0 elsewhere: a constant pattern
    scaled by the upstream gradient (so it is linear in it and differentiable again).
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        x2, t1, wt, out_shape, _ = _class_rows(x, t, w, ignore_index)
        loss = -_pick(x2, t1)
        if not isinstance(wt, float):
            loss *= wt
        out, denom = _reduce_rows(loss, wt, reduction, out_shape)
        ctx.reduction, ctx.denom, ctx.x_shape, ctx.x2_shape = reduction, denom, x.shape, x2.shape
        ctx.t1, ctx.wt = t1, wt
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(ctx.t1)
        pattern = xp.zeros(ctx.x2_shape, dtype=grad._data.dtype)
        _add_at_target(pattern, ctx.t1, -ctx.wt)
        g = _upstream(grad, ctx.reduction, ctx.denom, len(ctx.x_shape))
        gx = g * Tensor._make(pattern.reshape(ctx.x_shape))
        return gx, None, None, None, None


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean") -> Tensor:
    """Negative log-likelihood of class-index targets given log-probabilities.

    Shape: input (N, C) or (C,) or (N, C, d1, ...); target (N,) or () or (N, d1, ...).
    """
    reduction = _reduction(size_average, reduce, reduction)
    _check_class_target(input, target, weight)
    _no_grad_for("nll_loss_forward", "weight", weight)
    _float_kernel("nll_loss2d_forward_out_frame" if input.ndim > 2 else "nll_loss_out_frame",
                  input.dtype)
    fn = NllLoss2d if input.ndim > 2 else NllLoss
    return fn.apply(input, target, None if weight is None else weight._data, ignore_index,
                    reduction)


class CrossEntropy(ArrayFunction):
    """log_softmax + nll in one kernel: loss_i = -sum_c q_ic log p_ic, p = softmax(x_i).

    ``q`` is each row's (weighted) target distribution. Its gradient is
    ``g_i * (p_i * sum(q_i) - q_i)``: the softmax, scaled per row, minus the target.

    * Probabilities: q = w * target (target mixed with 1/C by label smoothing), dense.
    * Class indices: q = a_i e_t + b_i u, with a_i = (1 - s) w[t_i], b_i = s / C and
      u = w (or ones); ignored rows have a = b = 0. q is never built: the loss is
      a_i (lse - x_t) + b_i (lse sum(u) - x . u) on the shifted logits, and the gradient
      is p scaled per row, minus b_i u, minus a_i at the target.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, w, ignore_index, reduction, smoothing):
        xp = xp_of(x)
        probs_target = target.dtype.kind == "f"
        one_d = x.ndim == 1
        if probs_target:
            out_shape = () if one_d else target.shape[:1] + target.shape[2:]
            x2 = x.reshape(1, -1) if one_d else x
        else:
            x2, t1, wt, out_shape, keep = _class_rows(x, target, w, ignore_index)
        n_classes = x2.shape[1]
        u = None  # class weights, shaped to broadcast against (N, C, d...)
        if w is not None:
            u = w.astype(x.dtype, copy=False).reshape((1, -1) + (1,) * (x2.ndim - 2))
        # Stable log-softmax: shifted = x - max(x); log p = shifted - lse. Every term of
        # the loss is read off ``shifted`` first; then the same buffer becomes the softmax.
        # (An inf or nan in x gives nan, as in PyTorch; no NumPy warning for it.)
        if not x2.size:
            shifted = x2.copy()
        else:
            top = x2.max(axis=1, keepdims=True)
            if xp.isfinite(top).all():  # no inf - inf to warn about: skip errstate's cost
                shifted = x2 - top
            else:
                with np.errstate(invalid="ignore"):
                    shifted = x2 - top
        if probs_target:
            q = target.reshape(x2.shape).astype(x.dtype, copy=False)
            if smoothing:
                q = q * (1 - smoothing) + smoothing / n_classes
            if u is not None:
                q = q * u
            q_dot_shifted = (q * shifted).sum(axis=1)
        else:
            picked = _pick(shifted, t1)
            if smoothing:
                dot_u = shifted.sum(axis=1) if u is None else (
                    shifted @ u.reshape(-1) if x2.ndim == 2 else (shifted * u).sum(axis=1))
        p = xp.exp(shifted, out=shifted)
        total = p.sum(axis=1, keepdims=True)
        lse = xp.log(total)[:, 0]
        p /= total  # softmax, kept for backward
        if probs_target:  # -sum_c q_c (shifted_c - lse)
            loss = lse * q.sum(axis=1) - q_dot_shifted
            out = loss.reshape(out_shape) if reduction == "none" else _reduce_np(loss, reduction)
            denom = max(loss.size, 1) if reduction == "mean" else 1.0
            ctx.q = q
        else:  # a (lse - shifted_t) + b (lse sum(u) - shifted . u)
            a = wt * (1 - smoothing) if smoothing else wt
            loss = lse - picked
            if not (isinstance(a, float) and a == 1.0):
                loss *= a
            b = 0.0
            if smoothing:
                b = smoothing / n_classes
                if keep is not None:
                    b = (keep * b).astype(x.dtype)
                sum_u = n_classes if u is None else u.sum()
                loss += (lse * sum_u - dot_u) * b
            out, denom = _reduce_rows(loss, wt, reduction, out_shape)
            ctx.q, ctx.t1, ctx.a, ctx.b = None, t1, a, b
        ctx.p, ctx.u, ctx.denom, ctx.reduction = p, u, denom, reduction
        ctx.smoothing, ctx.one_d = smoothing, one_d
        ctx.save_for_backward(x, target if probs_target else None)
        return out

    @staticmethod
    def _dense_q(ctx):
        """The class-index target distribution q = a e_t + b u, built as an array."""
        xp = xp_of(ctx.p)
        q = xp.zeros_like(ctx.p)
        if ctx.smoothing:
            q += _per_row(ctx.b) * (1 if ctx.u is None else ctx.u)
        _add_at_target(q, ctx.t1, ctx.a)
        return q

    @staticmethod
    def backward(ctx, grad):
        x, target = ctx.saved_tensors
        x2 = x.reshape(1, -1) if ctx.one_d else x
        grad_target = None
        if ctx.needs_input_grad[1] or grad_mode.enabled:
            g = _upstream(grad, ctx.reduction, ctx.denom, x.ndim)
        if ctx.needs_input_grad[1]:  # probability targets: d/dtarget of -sum(q log p)
            scale = 1 - ctx.smoothing
            if ctx.u is not None:
                scale = Tensor._make(ctx.u * scale)
            grad_target = (-(g * x2.log_softmax(1)) * scale).reshape(x.shape)
        if not ctx.needs_input_grad[0]:
            return None, grad_target, None, None, None, None
        if grad_mode.enabled:  # create_graph: softmax as Tensor ops, differentiable again
            p = x2.softmax(1)
            q = Tensor._make(ctx.q if ctx.q is not None else CrossEntropy._dense_q(ctx))
            if target is not None and target.requires_grad:  # q as a function of target
                q = target.reshape(p.shape) * (1 - ctx.smoothing) + ctx.smoothing / p.shape[1]
                if ctx.u is not None:
                    q = q * Tensor._make(ctx.u)
            gx = g * (p * q.sum(1, keepdim=True) - q)
            return gx.reshape(x.shape), grad_target, None, None, None, None
        # The hot path: NumPy on the softmax saved by forward.
        ga = grad._data
        if ctx.reduction == "mean" and ctx.denom != 0:
            ga = ga / ctx.denom
        if ctx.q is None:  # class indices
            if ctx.reduction == "none":
                ga = ga.reshape(ctx.t1.shape[:1] + ctx.t1.shape[2:])
            ga_a = ga * ctx.a  # per row, or one number when every row has the same
            if ctx.smoothing:
                ga_b = ga * ctx.b
                sum_u = ctx.p.shape[1] if ctx.u is None else ctx.u.sum()
                gx = ctx.p * _per_row(ga_a + ga_b * sum_u)
                gx -= _per_row(ga_b) if ctx.u is None else _per_row(ga_b) * ctx.u
            else:
                gx = ctx.p * _per_row(ga_a)
            _add_at_target(gx, ctx.t1, -ga_a)
        else:
            gx = ctx.p * ctx.q.sum(axis=1, keepdims=True)
            gx -= ctx.q
            if ctx.reduction == "none":
                ga = ga.reshape(gx.shape[:1] + gx.shape[2:])[:, None]
            gx *= ga
        gx = gx.astype(ctx.p.dtype, copy=False)
        if gx.shape != x.shape:  # (a reshape to the same shape would be a view: the engine
            gx = gx.reshape(x.shape)  # copies a view before making it a leaf's .grad)
        return Tensor._make(gx), grad_target, None, None, None, None


class CrossEntropy2d(CrossEntropy):
    node_name = "NllLoss2DBackward0"


class CrossEntropySmoothed(CrossEntropy):
    node_name = "AddBackward0"  # PyTorch adds the nll and the smoothing terms


class CrossEntropyProbs(CrossEntropy):
    node_name = "NegBackward0"


class CrossEntropyProbsMean(CrossEntropy):
    node_name = "DivBackward1"


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0) -> Tensor:
    """Cross-entropy between softmax(input) and class indices or class probabilities.

    Shape: input (N, C) or (C,) or (N, C, d1, ...); target of class indices (N,) or ()
    or (N, d1, ...), or of probabilities with input's shape.
    """
    if (weight is None and label_smoothing == 0 and size_average is None and reduce is None
            and reduction in ("mean", "sum", "none") and isinstance(input, Tensor)
            and isinstance(target, Tensor) and input._data.ndim == 2
            and input._data.dtype.kind == "f"
            and target._data.ndim == 1 and target._data.dtype == np.int64
            and input._data.shape[0] == target._data.shape[0]):
        # The usual classifier loss: (N, C) logits, (N,) int64 classes, no weight or
        # smoothing. Every check below would pass, and they cost as much as the kernel.
        return CrossEntropy.apply(input, target, None, ignore_index, reduction, 0.0)
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:  # PyTorch checks the top only; a negative value smooths nothing
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    label_smoothing = max(label_smoothing, 0.0)
    _no_grad_for("nll_loss_forward", "weight", weight)
    w = None if weight is None else weight._data
    if input.shape == target.shape and input.ndim > 0:  # probabilities
        if not target.dtype.is_floating_point:
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {target.dtype._legacy}")
        _check_weight(weight, input.shape[1] if input.ndim > 1 else input.shape[0])
        _check_log_softmax_dtype(input)
        fn = CrossEntropyProbsMean if reduction == "mean" else CrossEntropyProbs
        return fn.apply(input, target, w, ignore_index, reduction, float(label_smoothing))
    if input.ndim >= 1 and target.dtype.is_floating_point and target.ndim == input.ndim:
        if input.ndim > 1 and input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
    _check_log_softmax_dtype(input)  # PyTorch takes the log-softmax before nll's checks
    _check_class_target(input, target, weight)
    if label_smoothing > 0:
        fn = CrossEntropySmoothed
    else:
        fn = CrossEntropy2d if input.ndim > 2 else CrossEntropy
    return fn.apply(input, target, w, ignore_index, reduction, float(label_smoothing))


# --- binary cross-entropy --------------------------------------------------------------


class BinaryCrossEntropy(ArrayFunction):
    """-w (y log x + (1 - y) log(1 - x)), each log clamped at -100 (as PyTorch).

    Gradients: d/dx = w (x - y) / max(x (1 - x), 1e-12); d/dy = w (log(1 - x) - log x).
    """

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, y, w, reduction):
        xp = xp_of(x)
        if x.size and bool(((x < 0) | (x > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        with _cpu.quiet():
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
            loss = -(y * log_x + (1 - y) * log_1mx)
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.n = reduction, x.size
        ctx.save_for_backward(x, y, w)
        return _reduce_np(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved_tensors
        g = _scale(grad, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / ((1 - x) * x).clamp_min(1e-12)
        if ctx.needs_input_grad[1]:
            # torch: -logit(x), unclamped (infinite where x is exactly 0 or 1)
            gy = g * -x.logit()
        return gx, gy, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean") -> Tensor:
    """Binary cross-entropy between probabilities ``input`` and ``target``."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({_size(target.shape)}) that is different to the "
                         f"input size ({_size(input.shape)}) is deprecated. Please ensure they "
                         "have the same size.")
    _no_grad_for("binary_cross_entropy", "weight", weight)
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy} but expected "
                           f"{input.dtype._legacy}")
    _float_kernel("binary_cross_entropy", input.dtype)
    if weight is not None:
        weight = weight.expand(input.shape) if weight.shape != input.shape else weight
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def _softplus_neg(x: Tensor) -> Tensor:
    """log(1 + exp(-x)) without overflow: log1p(exp(-|x|)) + max(-x, 0)."""
    return (-x.abs()).exp().log1p() + (-x).clamp_min(0)


class BinaryCrossEntropyWithLogits(ArrayFunction):
    """BCE of sigmoid(x), in log-sum-exp form: (1 - y) x + l (log(1 + exp(-|x|)) + max(-x, 0))
    with l = 1 + (pos_weight - 1) y, times the weight.
    """

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, y, w, pw, reduction):
        xp = xp_of(x)
        with _cpu.quiet():
            softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
            if pw is not None:
                softplus_neg = softplus_neg * (1 + (pw - 1) * y)
            loss = (1 - y) * x + softplus_neg
        if w is not None:
            loss = loss * w
        ctx.reduction, ctx.n = reduction, x.size
        ctx.save_for_backward(x, y, w, pw)
        return _reduce_np(xp.asarray(loss, dtype=x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w, pw = ctx.saved_tensors
        g = _scale(grad, ctx.reduction, ctx.n)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if pw is None:
                gx = g * (x.sigmoid() - y)
            else:
                pwy = pw * y
                gx = g * (x.sigmoid() * (pwy + 1 - y) - pwy)
        if ctx.needs_input_grad[1]:
            gy = -x if pw is None else (pw - 1) * _softplus_neg(x) - x
            gy = g * gy
        return gx, gy, None, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None) -> Tensor:
    """Binary cross-entropy of sigmoid(input), computed stably from the logits."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({_size(target.shape)}) must be the same as input size "
                         f"({_size(input.shape)})")
    _no_grad_for("binary_cross_entropy_with_logits", "weight", weight)
    _no_grad_for("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    # PyTorch computes log_sigmoid(input), then builds the loss in place in ``1 - target``:
    # float kernels only, and the result has the target's dtype.
    _float_kernel("log_sigmoid_cpu", input.dtype)
    if target.dtype is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    _fits_input(target, input)
    if input.dtype is not target.dtype:
        input = input.to(target.dtype)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


class SoftMarginLoss(ArrayFunction):
    """log(1 + exp(-y x)). Gradient: -y sigmoid(-y x)."""

    node_name = "SoftMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, y, reduction):
        xp = xp_of(x)
        z = -y * x
        with _cpu.quiet():
            loss = xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)
        ctx.reduction, ctx.n = reduction, x.size
        ctx.save_for_backward(x, y)
        return _reduce_np(xp.asarray(loss, dtype=x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _scale(grad, ctx.reduction, ctx.n)
        return -g * y * (-y * x).sigmoid(), None, None


def soft_margin_loss(input, target, size_average=None, reduce=None,
                     reduction="mean") -> Tensor:
    """Two-class logistic loss log(1 + exp(-target * input)), target in {-1, 1}."""
    reduction = _reduction(size_average, reduce, reduction)
    _no_grad_for("soft_margin_loss", "target", target)
    input, target = _broadcast_pair(input, target)
    return SoftMarginLoss.apply(input, target, reduction)


# --- composite losses (PyTorch's own compositions) --------------------------------------


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False) -> Tensor:
    """KL divergence of ``target`` from the distribution whose log-probabilities are ``input``.

    Pointwise: target * (log(target) - input) (or exp(target) * (target - input) when
    ``log_target``); ``reduction='batchmean'`` divides the sum by the batch size.
    """
    if size_average is not None or reduce is not None:
        red = _reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            _warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                           "the support size.'batchmean' divides only by the batch size, and "
                           "aligns with the KL div math definition.'mean' will be changed to "
                           "behave the same as 'batchmean' in the next major release.")
        red = "sum" if reduction == "batchmean" else _reduction(None, None, reduction)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    out = _reduce(loss, red)
    if reduction == "batchmean" and input.ndim != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean") -> Tensor:
    """Negative log-likelihood of a Poisson ``target`` with rate exp(input) (or input)."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def _identity_clamp_min(x: Tensor, low: float) -> Tensor:
    """x clamped below at ``low``, with the gradient of the identity (PyTorch clamps these
    in place under no_grad)."""
    return x + (x.clamp_min(low) - x).detach()


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean") -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(xp_of(input._data).full(input.shape, var, dtype=input.dtype.np))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = _identity_clamp_min(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {_size(input1.shape)}, input2: "
                           f"{_size(input2.shape)}, target: {_size(target.shape)} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean") -> Tensor:
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    zeros = input.detach() * 0
    loss = (where(target != 1, (margin - input).clamp_min(0), zeros)
            + where(target != -1, input, zeros))
    return _reduce(loss, reduction)


def cosine_similarity(x1, x2, dim=1, eps=1e-8) -> Tensor:
    """sum(x1 * x2) / (max(|x1|, eps) * max(|x2|, eps)) along ``dim``."""
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = _identity_clamp_min(x1.norm(2, dim, True), eps)
    n2 = _identity_clamp_min(x2.norm(2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last dim."""
    dim = max(x1.ndim, x2.ndim) - 1
    return (x1 - x2 + eps).norm(p, dim, keepdim)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean") -> Tensor:
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.shape != input2.shape:
        d = next((i for i, (a, b) in enumerate(zip(input1.shape, input2.shape)) if a != b),
                 input1.ndim - 1)
        raise RuntimeError(f"The size of tensor a ({input1.shape[d]}) must match the size of "
                           f"tensor b ({input2.shape[d]}) at non-singleton dimension {d}")
    if target.ndim == 1 and input1.ndim != 2:
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if target.ndim == 0 and input1.ndim != 1:
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + 1e-12
    mag2 = (input2 * input2).sum(dim) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    zeros = cos.detach() * 0
    loss = (where(target == 1, 1 - cos, zeros)
            + where(target == -1, (cos - margin).clamp_min(0), zeros))
    return _reduce(loss, reduction)


def _check_triplet(margin, anchor, positive, negative) -> None:
    """The checks both triplet losses make, with PyTorch's messages."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p == n):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, "
                           f"and negative {n}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean") -> Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise p-distance."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_triplet(margin, anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean") -> Tensor:
    """Per-class logistic loss, averaged over the classes (the last dim)."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    # log sigmoid(x) = -softplus(-x)
    loss = target * _softplus_neg(input) + (1 - target) * _softplus_neg(-input)
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


# --- margin losses over classes ----------------------------------------------------------


class MultiMarginLoss(ArrayFunction):
    """sum over j != y of max(0, margin - x[y] + x[j])^p, times w[y], divided by C.

    The active set (terms above zero) is fixed by forward; backward differentiates each
    active term: p z^(p-1) at x[j], minus the same at x[y].
    """

    node_name = "MultiMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, w, p, margin, reduction):
        xp = xp_of(x)
        one_d = x.ndim == 1
        x2 = x.reshape(1, -1) if one_d else x
        t1 = t.reshape(-1, 1).astype(np.int64)
        n_classes = x2.shape[1]
        if t1.size and bool(((t1 < 0) | (t1 >= n_classes)).any()):
            raise RuntimeError("target out of range")
        z = margin - xp.take_along_axis(x2, t1, axis=1) + x2
        active = z > 0
        xp.put_along_axis(active, t1, False, axis=1)
        scale = xp.full((x2.shape[0], 1), 1.0 / n_classes, dtype=x.dtype)
        if w is not None:
            scale = scale * w.astype(x.dtype)[t1]
        h = xp.where(active, z if p == 1 else z * z, 0) * scale
        loss = h.sum(axis=1).astype(x.dtype, copy=False)
        ctx.active, ctx.scale, ctx.t1, ctx.p, ctx.margin = active, scale, t1, p, margin
        ctx.reduction, ctx.n, ctx.one_d = reduction, loss.size, one_d
        ctx.save_for_backward(x)
        return _reduce_np(loss.reshape(()) if one_d else loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x2 = x.reshape(1, -1) if ctx.one_d else x
        coef = Tensor._make((ctx.active * ctx.scale).astype(ctx.scale.dtype))
        if ctx.p == 2:
            t1 = Tensor._make(ctx.t1)
            coef = coef * (ctx.margin - x2.gather(1, t1) + x2) * 2
        xp = xp_of(coef._data)
        onehot = xp.zeros(coef.shape, dtype=bool)
        xp.put_along_axis(onehot, ctx.t1, True, axis=1)
        gx = coef - Tensor._make(onehot) * coef.sum(1, keepdim=True)
        g = _scale(grad, ctx.reduction, ctx.n)
        if ctx.reduction == "none" and not ctx.one_d:
            g = g.unsqueeze(1)
        return (g * gx).reshape(x.shape), None, None, None, None, None


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean") -> Tensor:
    """Multi-class hinge loss against the target class (p = 1 or 2)."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if input.ndim > 2 or input.numel() == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: [{', '.join(map(str, input.shape))}]")
    n = input.shape[0] if input.ndim == 2 else 1
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to "
                           "the number of input samples (batch size). Expected target size "
                           f"[{n}], but got [{', '.join(map(str, target.shape))}]. Input has "
                           f"shape [{', '.join(map(str, input.shape))}].")
    _no_grad_for("multi_margin_loss", "weight", weight)
    w = None if weight is None else weight._data
    return MultiMarginLoss.apply(input, target, w, p, float(margin), reduction)


class MultilabelMarginLoss(ArrayFunction):
    """sum over listed targets j and non-targets k of max(0, 1 - (x[j] - x[k])), over C.

    Each row of ``target`` lists class indices up to the first -1.
    """

    node_name = "MultilabelMarginLossBackward0"

    @staticmethod
    def forward(ctx, x, t, reduction):
        xp = xp_of(x)
        one_d = x.ndim == 1
        x2, t2 = (x.reshape(1, -1), t.reshape(1, -1)) if one_d else (x, t)
        n, c = x2.shape
        if t2.size and (t2.min() < -1 or t2.max() >= c):
            raise RuntimeError("argument #2 'target' is out of range")
        listed = xp.cumprod(t2 >= 0, axis=1).astype(bool)  # entries before the first -1
        tsafe = xp.where(listed, t2, 0).astype(np.int64)
        onehot = (tsafe[:, :, None] == xp.arange(c)) & listed[:, :, None]  # (N, J, C)
        is_target = onehot.any(axis=1)
        xj = xp.take_along_axis(x2, tsafe, axis=1)  # (N, J)
        z = 1 - xj[:, :, None] + x2[:, None, :]
        active = (z > 0) & listed[:, :, None] & ~is_target[:, None, :]
        loss = (xp.where(active, z, 0).sum(axis=(1, 2)) / c).astype(x.dtype, copy=False)
        # d loss / d x: +1 at k and -1 at j for each active (j, k) pair, over C.
        pattern = active.sum(axis=1) - xp.einsum("nj,njc->nc", active.sum(axis=2),
                                                 onehot.astype(np.int64))
        ctx.pattern = (pattern / c).astype(x.dtype)
        ctx.reduction, ctx.n, ctx.one_d, ctx.shape = reduction, n, one_d, x.shape
        ctx.is_target = is_target
        return _reduce_np(loss.reshape(()) if one_d else loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        g = _scale(grad, ctx.reduction, ctx.n)
        if ctx.reduction == "none" and not ctx.one_d:
            g = g.unsqueeze(1)
        return (g * Tensor._make(ctx.pattern)).reshape(ctx.shape), None, None


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction="mean") -> Tensor:
    """Multi-label hinge loss: every listed target class should beat every other class by 1."""
    reduction = _reduction(size_average, reduce, reduction)
    if input.ndim > 2 or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError("inconsistent target size: "
                           f"[{', '.join(map(str, target.shape))}] for input of size: "
                           f"[{', '.join(map(str, input.shape))}]")
    return MultilabelMarginLoss.apply(input, target, reduction)


# --- connectionist temporal classification ------------------------------------------------


def _lse3(a, b, c):
    """log(exp(a) + exp(b) + exp(c)) elementwise, safe where all three are -inf."""
    xp = xp_of(a)
    m = xp.maximum(xp.maximum(a, b), c)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m)) + m


class CtcLoss(ArrayFunction):
    """-log p(target | input), summed over every alignment by the alpha-beta recursion.

    The targets are extended with blanks (b l1 b l2 ... b): an alignment moves, at each
    step, 0 or 1 positions, or 2 to skip a blank between different labels. Alpha (forward)
    and beta (backward) are computed in log space for the whole batch at once, one time
    step per NumPy call. The gradient is PyTorch's: exp(lp) - sum_s alpha beta /
    (p(target) exp(lp)) — correct after a log_softmax, which the loss expects.
    """

    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, lp, tg, in_lens, tg_lens, blank, zero_infinity):
        xp = xp_of(lp)
        n_t, n, n_c = lp.shape
        s_ext = 2 * (int(tg_lens.max()) if n else 0) + 1
        ext = xp.full((n, s_ext), blank, dtype=np.int64)
        ext[:, 1::2] = tg
        pos = xp.arange(s_ext)
        valid = pos[None, :] < (2 * tg_lens + 1)[:, None]  # (N, S')
        skip = xp.zeros((n, s_ext), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        lpe = lp[:, xp.arange(n)[:, None], ext]  # (T, N, S'): log p of each extended label
        neg_inf = xp.array(-math.inf, dtype=lp.dtype)
        lpe = xp.where(valid[None], lpe, neg_inf)
        with _cpu.quiet():
            alpha = xp.full((n_t, n, s_ext), neg_inf, dtype=lp.dtype)
            if n_t:
                alpha[0, :, :2] = lpe[0, :, :2]
            for t in range(1, n_t):
                a = alpha[t - 1]
                a1 = xp.concatenate([xp.full((n, 1), neg_inf), a[:, :-1]], axis=1)
                a2 = xp.concatenate([xp.full((n, 2), neg_inf), a[:, :-2]], axis=1)
                alpha[t] = _lse3(a, a1, xp.where(skip, a2, neg_inf)) + lpe[t]
            rows = xp.arange(n)
            last = xp.maximum(in_lens - 1, 0)
            end = alpha[last, rows]  # (N, S'): alpha at each sample's last step
            e1 = end[rows, 2 * tg_lens]
            e2 = xp.where(tg_lens > 0, end[rows, xp.maximum(2 * tg_lens - 1, 0)], neg_inf)
            nll = -xp.logaddexp(e1, e2)
            if n_t == 0:
                nll = xp.full(n, np.inf, dtype=lp.dtype)
        ctx.save_for_backward(lp)
        ctx.state = (alpha, lpe, ext, skip, valid, in_lens, tg_lens, nll, zero_infinity)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    @once_differentiable  # as PyTorch: the alpha-beta gradient is not differentiated again
    def backward(ctx, grad):
        (lp_t,) = ctx.saved_tensors
        lp = lp_t._data
        alpha, lpe, ext, skip, valid, in_lens, tg_lens, nll, zero_infinity = ctx.state
        xp = xp_of(lp)
        n_t, n, n_c = lp.shape
        s_ext = ext.shape[1]
        neg_inf = xp.array(-math.inf, dtype=lp.dtype)
        rows = xp.arange(n)
        with _cpu.quiet():
            beta = xp.full((n_t, n, s_ext), neg_inf, dtype=lp.dtype)
            init = xp.full((n, s_ext), neg_inf, dtype=lp.dtype)
            init[rows, 2 * tg_lens] = 0
            init[rows, xp.maximum(2 * tg_lens - 1, 0)] = xp.where(tg_lens > 0, 0, neg_inf)
            init[rows, 2 * tg_lens] = 0
            nxt = xp.full((n, s_ext), neg_inf, dtype=lp.dtype)
            skip_next = xp.zeros_like(skip)
            skip_next[:, :-2] = skip[:, 2:]  # s -> s + 2 is allowed
            for t in range(n_t - 1, -1, -1):
                b1 = xp.concatenate([nxt[:, 1:], xp.full((n, 1), neg_inf)], axis=1)
                b2 = xp.concatenate([nxt[:, 2:], xp.full((n, 2), neg_inf)], axis=1)
                cur = _lse3(nxt, b1, xp.where(skip_next, b2, neg_inf))
                cur = xp.where((t == in_lens - 1)[:, None], init, cur)
                cur = xp.where((t < in_lens)[:, None], cur + lpe[t], neg_inf)
                beta[t] = cur
                nxt = cur
            # log sum over s with ext[s] == c of alpha * beta, per (t, n, c).
            ab = alpha + beta
            m = ab.max(axis=2, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
            onehot = (ext[:, :, None] == xp.arange(n_c)) & valid[:, :, None]  # (N, S', C)
            summed = xp.matmul(xp.exp(ab - m).transpose(1, 0, 2), onehot.astype(lp.dtype))
            lcab = xp.log(summed.transpose(1, 0, 2)) + m
            gl = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        active = xp.arange(n_t)[:, None] < in_lens[None, :]
        if zero_infinity:
            active = active & ~xp.isinf(nll)[None, :]
        gl = xp.where(active[:, :, None], gl, 0).astype(lp.dtype, copy=False)
        return grad.unsqueeze(0).unsqueeze(2) * Tensor._make(gl), None, None, None, None, None


def _lengths(x, name):
    if isinstance(x, Tensor):
        return x._data.reshape(-1).astype(np.int64)
    return np.asarray(x, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False) -> Tensor:
    """Connectionist temporal classification loss.

    Shape: log_probs (T, N, C) (log_softmax outputs) or (T, C); targets (N, S) padded or
    (sum(target_lengths),) concatenated; input_lengths and target_lengths (N,).
    'mean' divides each loss by its target length, then averages over the batch.
    """
    reduction = _reduction(None, None, reduction)
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
    in_lens, tg_lens = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths,
                                                                          "target_lengths")
    n_t, n, _ = log_probs.shape
    if in_lens.shape[0] != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tg_lens.shape[0] != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    checking = "(while checking arguments for ctc_loss_allocate_outputs)"
    for b in range(n):  # PyTorch checks each sample in turn
        if in_lens[b] < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{int(in_lens[b])} {checking}")
        if in_lens[b] > n_t:
            raise RuntimeError(f"Expected input_lengths to have value at most {n_t}, but got "
                               f"value {int(in_lens[b])} {checking}")
        if tg_lens[b] < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {int(tg_lens[b])} {checking}")
    tg = targets._data.astype(np.int64) if isinstance(targets, Tensor) else np.asarray(targets)
    max_len = int(tg_lens.max()) if n else 0
    if tg.ndim == 1:  # concatenated: cut into a padded (N, S) array
        padded = np.zeros((n, max_len), dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(tg_lens)[:-1]])
        for i in range(n):
            padded[i, :tg_lens[i]] = tg[starts[i]:starts[i] + tg_lens[i]]
        tg = padded
    else:
        if tg.shape[1] < max_len:
            raise RuntimeError(f"Expected tensor to have size at least {max_len} at dimension "
                               f"1, but got size {tg.shape[1]} for argument #2 'targets' (while "
                               "checking arguments for ctc_loss_allocate_outputs)")
        tg = tg[:, :max_len]
    loss = CtcLoss.apply(log_probs, tg, in_lens, tg_lens, blank, zero_infinity)
    if zero_infinity:
            loss = where(loss == math.inf, Tensor._make(np.zeros((), loss.dtype.np)), loss)
    if reduction == "mean":
        lens = Tensor._make(np.maximum(tg_lens, 1).astype(log_probs.dtype.np))
        return (loss / lens).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss
