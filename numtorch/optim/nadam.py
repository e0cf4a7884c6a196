"""NAdam: Adam with Nesterov momentum (Dozat), with PyTorch's momentum-decay schedule."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam.

    Each step ``t`` with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta      (or theta *= 1 - lr * weight_decay if decoupled)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));  prod_t = prod_{t-1} * mu_t
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2**t)) + eps
        theta -= lr * (1 - mu_t) / (1 - prod_t) * g / denom
        theta -= lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / denom

    ``mu_product`` is kept in the state as a 0-d float32 Tensor, as PyTorch keeps it.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 2e-3).
        betas (tuple): running-average coefficients (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        momentum_decay (float): momentum decay psi (default 4e-3).
        decoupled_weight_decay (bool): decay the parameter itself, as AdamW (NAdamW).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, capturable, differentiable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state.get("mu_product"), Tensor):
                    p_state["mu_product"] = _step_tensor(float(p_state["mu_product"]))
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _scalar(group["lr"])
            eps, weight_decay = group["eps"], group["weight_decay"]
            momentum_decay = group["momentum_decay"]
            decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                step = _bump_step(state["step"])
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_t = state["mu_product"]
                mu_t._data *= mu  # a 0-d float32 array: rounded as PyTorch's 0-d tensor
                mu_t._vc[0] += 1
                mu_product = float(mu_t._data)
                _update(functools.partial(
                    _nadam_update, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                    weight_decay=weight_decay, decoupled=decoupled, maximize=maximize,
                    bias_correction2=1 - beta2 ** step,
                    g_scale=-lr * (1.0 - mu) / (1.0 - mu_product),
                    avg_scale=(-lr * mu_next) / (1.0 - mu_product * mu_next)),
                    p._data, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data)
                p._vc[0] += 1
        return loss


def _nadam_update(param, g, exp_avg, exp_avg_sq, tmp, *, lr, beta1, beta2, eps, weight_decay,
                  decoupled, maximize, bias_correction2, g_scale, avg_scale) -> None:
    """One parameter's NAdam update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    g = _effective_grad(param, g, weight_decay, maximize, lr if decoupled else None)
    _moments_(xp, exp_avg, exp_avg_sq, g, beta1, beta2, tmp)
    denom = xp.divide(exp_avg_sq, bias_correction2, out=xp.empty_like(param))
    xp.sqrt(denom, out=denom)
    denom += eps
    xp.divide(xp.multiply(g, g_scale), denom, out=tmp)
    param += tmp
    xp.divide(xp.multiply(exp_avg, avg_scale), denom, out=tmp)
    param += tmp
