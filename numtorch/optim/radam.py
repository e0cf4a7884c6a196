"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate (Liu et al.)."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _effective_grad,
    _moments_,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam.

    Each step ``t`` with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta      (or theta *= 1 - lr * weight_decay if decoupled)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            theta -= m_hat * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r
        else:
            theta -= m_hat * lr

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): running-average coefficients (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        decoupled_weight_decay (bool): decay the parameter itself, as AdamW (RAdamW).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, capturable, differentiable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
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
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _scalar(group["lr"])
            eps, weight_decay = group["eps"], group["weight_decay"]
            decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                step = _bump_step(state["step"])
                bias_correction2 = 1 - beta2 ** step
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                rect = None  # the variance rectification, once the approximation holds
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                _update(functools.partial(
                    _radam_update, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                    weight_decay=weight_decay, decoupled=decoupled, maximize=maximize,
                    bias_correction1=1 - beta1 ** step, bias_correction2=bias_correction2,
                    rect=rect),
                    p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data)
                p._vc[0] += 1
        return loss


def _radam_update(param, g, exp_avg, exp_avg_sq, tmp, *, lr, beta1, beta2, eps, weight_decay,
                  decoupled, maximize, bias_correction1, bias_correction2, rect) -> None:
    """One parameter's RAdam update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    g = _effective_grad(param, g, weight_decay, maximize, lr if decoupled else None)
    _moments_(xp, exp_avg, exp_avg_sq, g, beta1, beta2, tmp)
    update = exp_avg / bias_correction1
    update *= lr
    if rect is not None:
        # sqrt(bias_correction2) / (sqrt(v) + eps), as reciprocal times the scalar
        xp.sqrt(exp_avg_sq, out=tmp)
        tmp += eps
        xp.reciprocal(tmp, out=tmp)
        tmp *= bias_correction2 ** 0.5
        update *= tmp
        update *= rect
    param -= update
