"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky)."""

from __future__ import annotations

import functools

import numpy as np

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _add_,
    _added,
    _bump_step,
    _no_differentiable,
    _no_fused_or_capturable,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD.

    SGD with a decaying step ``eta`` and a running average ``ax`` of the iterates,
    which starts averaging after ``t0`` steps. Each step ``t`` with gradient ``g``
    of parameter ``theta``::

        g = -g                                        if maximize
        g = g + weight_decay * theta                  if weight_decay != 0
        theta = theta * (1 - lambd * eta) - eta * g
        ax = ax + mu * (theta - ax)                   (ax = theta while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)

    ``eta`` and ``mu`` are kept per parameter as 0-d float32 Tensors, as in
    PyTorch, and are computed in double precision from the Python values of
    ``lr`` and ``t`` (in float32 when ``lr`` is a Tensor, as PyTorch's Tensor
    arithmetic does). ``ax`` is the averaged model; ``theta`` itself is not averaged.
    The arithmetic is PyTorch's single-tensor (``foreach=False``) path, bit for bit;
    PyTorch's ``foreach=True`` path rounds differently, by a few ulps.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-2).
        lambd (float): decay term (default 1e-4).
        alpha (float): power of the decay of ``eta`` (default 0.75).
        t0 (float): the step at which averaging starts (default 1e6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, differentiable, capturable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:  # old checkpoints kept eta and mu as Python numbers
                p_state = self.state.get(p, {})
                for key in ("eta", "mu"):
                    if key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = _step_tensor(float(p_state[key]))
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = group["lr"]
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["eta"] = _step_tensor(float(lr))
                    state["mu"] = _step_tensor(1.0)
                    state["ax"] = _zeros_state(p)
                step = _bump_step(state["step"])
                eta, mu = state["eta"], state["mu"]
                _update(functools.partial(
                    _asgd_update, eta=float(eta._data), mu=mu._data, lambd=lambd,
                    weight_decay=weight_decay, maximize=maximize),
                    p._data, grad._data, state["ax"]._data)
                p._vc[0] += 1
                eta._data[...] = _next_eta(lr, lambd, alpha, step)
                mu._data[...] = 1 / max(1, step - t0)
                eta._vc[0] += 1
                mu._vc[0] += 1
        return loss


def _next_eta(lr, lambd: float, alpha: float, step: float):
    """``lr / (1 + lambd * lr * step) ** alpha``: in double for a float ``lr``; in float32
    for a Tensor ``lr`` (0-d float32 arithmetic with Python scalars, as PyTorch's)."""
    if isinstance(lr, Tensor):
        lr = np.float32(float(lr))
        return lr / (lambd * lr * np.float32(step) + 1) ** np.float32(alpha)
    return lr / ((1 + lambd * lr * step) ** alpha)


def _asgd_update(param, g, ax, tmp, *, eta, mu, lambd, weight_decay, maximize) -> None:
    """One parameter's ASGD update, in place, on whole arrays or matching chunks of them."""
    xp = get_array_module(param)
    if maximize:
        g = -g
    if weight_decay != 0:
        g = _added(g, param, weight_decay)  # grad.add(param, alpha=weight_decay)
    param *= 1 - lambd * eta
    _add_(param, g, -eta)
    if mu != 1:
        xp.subtract(param, ax, out=tmp)
        tmp *= mu
        ax += tmp
    else:
        ax[...] = param
