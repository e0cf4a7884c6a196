"""Adafactor: Adam-like steps with a factored second moment (Shazeer & Stern)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _add_,
    _bump_step,
    _lerp_from_nearer_end,
    _step_tensor,
    _tensor_steps,
)

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor.

    For a matrix (or a batch of them, the last two dims) the second moment of the
    gradient is not kept in full: only its row means ``R`` and column means ``C``,
    so the state of an ``m x n`` parameter is ``m + n`` numbers. Each step ``t``
    with gradient ``g`` of parameter ``theta``::

        g = -g                                          if maximize
        w = t ** beta2_decay                            # the averages' weight, 1 at t = 1
        rho = min(lr, 1 / sqrt(t))
        alpha = max(eps2, rms(theta)) * rho             # steps relative to theta's size
        theta = theta * (1 - lr * weight_decay)
        if theta is a matrix:
            R = lerp(R, mean(g**2, dim=-1), w); C = lerp(C, mean(g**2, dim=-2), w)
            v = R @ C / max(mean(R), eps1)              # a rank-one estimate of g**2
        else:
            v = lerp(v, g**2, w)
        u = g / sqrt(max(v, eps1**2))
        theta = theta - alpha / max(1, rms(u) / d) * u

    ``eps1=None`` (the default) is the machine epsilon of the dtype of the first
    parameter of the group with a gradient, for the whole group, as in PyTorch.
    The reductions (norms, means) are summed in a different order than
    PyTorch's, so trajectories agree to rounding, not bit for bit.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): the largest relative step (default 1e-2).
        beta2_decay (float): the power of ``t`` that weights new squared gradients
            (default -0.8).
        eps (tuple): ``(eps1, eps2)``: the floor of the second moment's root and of
            ``rms(theta)`` (default ``(None, 1e-3)``).
        d (float): the clipping threshold of the update's RMS (default 1).
        weight_decay (float): decoupled decay of the parameter (default 0).
        foreach: accepted for PyTorch compatibility (one NumPy update either way).
        maximize (bool): maximise the objective instead of minimising it.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps=(None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            lr = group["lr"]
            if isinstance(lr, Tensor):  # PyTorch's arithmetic on it is 0-d float32 Tensor maths
                lr = np.float32(float(lr))
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                g = grad._data
                xp = get_array_module(g)
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    if g.ndim > 1:
                        state["row_var"] = Tensor._make(xp.zeros(g.shape[:-1] + (1,), g.dtype))
                        state["col_var"] = Tensor._make(
                            xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype))
                    else:
                        state["variance"] = Tensor._make(xp.zeros_like(g))
                if eps1 is None:  # set once, from the group's first parameter with a grad
                    eps1 = float(np.finfo(p._data.dtype).eps)
                step = _bump_step(state["step"])
                _adafactor_update(p._data, -g if group["maximize"] else g, state, step,
                                  lr=lr, beta2_decay=group["beta2_decay"], eps1=eps1,
                                  eps2=eps2, d=group["d"], weight_decay=group["weight_decay"])
                p._vc[0] += 1
        return loss


def _norm(xp, a, axis=None):
    """``a.norm(2, dim=axis, keepdim=True)``, squared and summed in ``a``'s dtype as PyTorch's
    kernel: a float32 sum of squares overflows to inf (and underflows to 0) as there."""
    return xp.sqrt(xp.sum(a * a, axis=axis, keepdims=True))


def _rms(xp, a) -> float:
    """``a.norm(2).item() / sqrt(a.numel())``: the root mean square, as PyTorch computes it."""
    return float(_norm(xp, a).reshape(())) / (a.size ** 0.5)


def _adafactor_update(param, g, state, step: float, *, lr, beta2_decay, eps1, eps2, d,
                      weight_decay) -> None:
    """One parameter's Adafactor update, in place (``g`` already negated for maximize)."""
    xp = get_array_module(param)
    one_minus_beta2 = step ** beta2_decay
    rho = min(lr, 1 / step ** 0.5)  # min(), not np.minimum: PyTorch's Python min on lr
    alpha = max(eps2, _rms(xp, param)) * rho
    if weight_decay != 0:
        param *= 1 - lr * weight_decay
    if g.ndim > 1:
        row_var, col_var = state["row_var"]._data, state["col_var"]._data
        row_mean = _norm(xp, g, axis=-1)
        row_mean *= row_mean
        row_mean /= g.shape[-1]
        _lerp_from_nearer_end(row_var, row_mean, one_minus_beta2, row_var)
        col_mean = _norm(xp, g, axis=-2)
        col_mean *= col_mean
        col_mean /= g.shape[-2]
        _lerp_from_nearer_end(col_var, col_mean, one_minus_beta2, col_var)
        var_estimate = row_var * col_var  # R @ C with an inner size of 1: the outer product
        var_estimate /= xp.maximum(xp.mean(row_var, axis=-2, keepdims=True), eps1)
    else:
        variance = state["variance"]._data
        _lerp_from_nearer_end(variance, g * g, one_minus_beta2, variance)
        var_estimate = variance.copy()
    update = xp.maximum(var_estimate, eps1 * eps1, out=var_estimate)
    xp.sqrt(update, out=update)
    xp.divide(1, update, out=update)  # rsqrt_
    update *= g
    denom = max(1.0, float(_norm(xp, update).reshape(())) / ((update.size ** 0.5) * d))
    _add_(param, update, float(-alpha / denom))
