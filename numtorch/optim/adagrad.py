"""Adagrad: per-coordinate learning rates from the accumulated squared gradients (Duchi et al.)."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _effective_grad,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad.

    Each step ``t`` with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta                  if weight_decay != 0
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        theta = theta - clr * g / (sqrt(s) + eps)

    The state (``step`` and ``sum``, filled with ``initial_accumulator_value``) is
    created for every parameter when the optimiser is built, as PyTorch does.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-2).
        lr_decay (float): learning-rate decay (default 0).
        weight_decay (float): L2 penalty (default 0).
        initial_accumulator_value (float): starting value of the sums (default 0).
        eps (float): added to the denominator (default 1e-10).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, differentiable, fused: accepted for PyTorch compatibility;
            ``fused=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        _no_fused_or_capturable(fused)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> dict:
        state = self.state[p]
        state["step"] = _step_tensor()
        value = self.defaults["initial_accumulator_value"]
        state["sum"] = Tensor._make(get_array_module(p._data).full_like(p._data, value))
        return state

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        _tensor_steps(self)

    def share_memory(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            weight_decay, lr_decay, eps = group["weight_decay"], group["lr_decay"], group["eps"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:  # a parameter added with add_param_group
                    state = self._init_state(p)
                step = _bump_step(state["step"])
                _update(functools.partial(
                    _adagrad_update, clr=lr / (1 + (step - 1) * lr_decay), eps=eps,
                    weight_decay=weight_decay, maximize=maximize),
                    p._data, grad._data, state["sum"]._data)
                p._vc[0] += 1
        return loss


def _adagrad_update(param, g, state_sum, tmp, *, clr, eps, weight_decay, maximize) -> None:
    """One parameter's Adagrad update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    g = _effective_grad(param, g, weight_decay, maximize)
    std = xp.multiply(g, g, out=tmp)  # addcmul_ with value 1
    state_sum += std
    xp.sqrt(state_sum, out=std)
    std += eps
    xp.divide(xp.multiply(g, -clr), std, out=std)
    param += std
