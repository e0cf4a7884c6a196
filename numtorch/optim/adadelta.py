"""Adadelta: step sizes from running averages of squared gradients and updates (Zeiler)."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _effective_grad,
    _ema_sq_,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta.

    Each step with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta                  if weight_decay != 0
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): scale applied to the update (default 1.0).
        rho (float): running-average coefficient (default 0.9).
        eps (float): added inside the square roots (default 1e-6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, capturable, differentiable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            rho, eps = group["rho"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_state(p)
                    state["acc_delta"] = _zeros_state(p)
                _bump_step(state["step"])
                _update(functools.partial(
                    _adadelta_update, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                    maximize=maximize),
                    p._data, grad._data, state["square_avg"]._data, state["acc_delta"]._data)
                p._vc[0] += 1
        return loss


def _adadelta_update(param, g, square_avg, acc_delta, tmp, *, lr, rho, eps, weight_decay,
                     maximize) -> None:
    """One parameter's Adadelta update, in place, on whole arrays or matching chunks."""
    xp = get_array_module(param)
    g = _effective_grad(param, g, weight_decay, maximize)
    _ema_sq_(xp, square_avg, g, rho, tmp)
    std = xp.add(square_avg, eps, out=xp.empty_like(param))
    xp.sqrt(std, out=std)
    delta = xp.add(acc_delta, eps, out=xp.empty_like(param))
    xp.sqrt(delta, out=delta)
    delta /= std
    delta *= g
    _ema_sq_(xp, acc_delta, delta, rho, tmp)
    delta *= -lr  # param.add_(delta, alpha=-lr)
    param += delta
