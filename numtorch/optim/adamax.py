"""Adamax: Adam with the infinity norm in place of the squared-gradient average."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _effective_grad,
    _lerp_,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (a variant of Adam based on the infinity norm).

    Each step ``t`` with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta                  if weight_decay != 0
        m = lerp(m, g, 1 - beta1)
        u = max(beta2 * u, |g| + eps)
        theta = theta - lr / (1 - beta1**t) * m / u

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 2e-3).
        betas (tuple): coefficients of the running average and the infinity norm.
        eps (float): added to the norm (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, differentiable, capturable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
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
            beta1, beta2 = group["betas"]
            lr = _scalar(group["lr"])
            eps, weight_decay = group["eps"], group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_inf"] = _zeros_state(p)
                step = _bump_step(state["step"])
                _update(functools.partial(
                    _adamax_update, beta1=beta1, beta2=beta2, eps=eps,
                    clr=lr / (1 - beta1 ** step), weight_decay=weight_decay, maximize=maximize),
                    p._data, grad._data, state["exp_avg"]._data, state["exp_inf"]._data)
                p._vc[0] += 1
        return loss


def _adamax_update(param, g, exp_avg, exp_inf, tmp, *, beta1, beta2, eps, clr, weight_decay,
                   maximize) -> None:
    """One parameter's Adamax update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    g = _effective_grad(param, g, weight_decay, maximize)
    _lerp_(xp, exp_avg, g, 1 - beta1, tmp)
    exp_inf *= beta2
    xp.abs(g, out=tmp)
    tmp += eps
    xp.maximum(exp_inf, tmp, out=exp_inf)
    xp.divide(xp.multiply(exp_avg, -clr), exp_inf, out=tmp)
    param += tmp
