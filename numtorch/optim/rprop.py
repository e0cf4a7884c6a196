"""Rprop: resilient backpropagation, a per-coordinate step size steered by the gradient's sign."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun).

    Only the sign of the gradient is used; each coordinate keeps its own step
    size ``eta`` (starting at ``lr``). Each step with gradient ``g`` of parameter
    ``theta`` and the previous step's gradient ``g_prev``::

        g = -g                                       if maximize
        f = etaplus where g * g_prev > 0, etaminus where g * g_prev < 0, else 1
        eta = clamp(eta * f, step_size_min, step_size_max)
        g = 0                                        where g * g_prev < 0
        theta = theta - sign(g) * eta
        g_prev = g

    A coordinate whose gradient changed sign overshot a minimum: its step shrinks and
    it stands still this step (its stored gradient is zero, so next step counts as
    neither agreeing nor disagreeing). Every operation is exact (signs, products by
    ``etaplus``/``etaminus`` and ``±eta``), so the trajectory is PyTorch's bit for bit.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): the initial step size (default 1e-2).
        etas (tuple): ``(etaminus, etaplus)``, the factors that shrink and grow a step
            size (default ``(0.5, 1.2)``).
        step_sizes (tuple): ``(step_size_min, step_size_max)`` (default ``(1e-6, 50)``).
        maximize (bool): maximise the objective instead of minimising it.
        capturable, foreach, differentiable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, etas=(0.5, 1.2),
                 step_sizes=(1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
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
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["prev"] = _zeros_state(p)
                    g = grad._data
                    state["step_size"] = Tensor._make(
                        get_array_module(g).full_like(g, _scalar(group["lr"])))
                _bump_step(state["step"])
                _update(functools.partial(
                    _rprop_update, etaminus=etaminus, etaplus=etaplus,
                    step_size_min=step_size_min, step_size_max=step_size_max,
                    maximize=maximize),
                    p._data, grad._data, state["prev"]._data, state["step_size"]._data)
                p._vc[0] += 1
        return loss


def _rprop_update(param, g, prev, step_size, tmp, *, etaminus, etaplus, step_size_min,
                  step_size_max, maximize) -> None:
    """One parameter's Rprop update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    factor = xp.sign(xp.multiply(g, prev, out=tmp), out=tmp)
    if maximize:  # sign(-g * prev) = -sign(g * prev); prev already holds a negated gradient
        xp.negative(factor, out=factor)
    shrink = factor < 0
    # The three factors, in PyTorch's order (a NaN product keeps its NaN).
    factor[factor > 0] = etaplus
    factor[shrink] = etaminus
    factor[factor == 0] = 1
    step_size *= factor
    xp.clip(step_size, step_size_min, step_size_max, out=step_size)
    # prev = g with the sign-changed coordinates zeroed; param -= sign(prev) * step_size
    if maximize:
        xp.negative(g, out=prev)
    else:
        prev[...] = g
    prev[factor == etaminus] = 0
    xp.sign(prev, out=tmp)
    tmp *= step_size
    param -= tmp
