"""SGD: stochastic gradient descent, optionally with (Nesterov) momentum and weight decay."""

from __future__ import annotations

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _add_,
    _added,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    Each step, with gradient :math:`g` of parameter :math:`\theta`::

        g = -g if maximize
        g = g + weight_decay * theta                      if weight_decay != 0
        b = g (first step), else momentum * b + (1 - dampening) * g   if momentum != 0
        g = g + momentum * b if nesterov else b           if momentum != 0
        theta = theta - lr * g

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        momentum (float): momentum factor (default 0).
        dampening (float): dampening for momentum (default 0).
        weight_decay (float): L2 penalty (default 0).
        nesterov (bool): Nesterov momentum (default False).
        maximize (bool): maximise the objective instead of minimising it.
        foreach, differentiable, fused: accepted for PyTorch compatibility; numtorch has one
            NumPy kernel, so ``fused=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float | Tensor = 0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        _no_fused_or_capturable(fused)
        _no_differentiable(differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            weight_decay = _scalar(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                g = grad._data
                if maximize:
                    g = -g
                if weight_decay != 0:
                    g = _added(g, p._data, weight_decay)  # grad.add(param, alpha=wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:  # the first step: the buffer starts as the gradient
                        buf = state["momentum_buffer"] = Tensor._make(
                            get_array_module(g).array(g))
                    else:
                        b = buf._data
                        b *= momentum
                        _add_(b, g, 1 - dampening)
                        buf._vc[0] += 1
                    g = _added(g, buf._data, momentum) if nesterov else buf._data
                _add_(p._data, g, -lr)  # param.add_(grad, alpha=-lr)
                p._vc[0] += 1
        return loss

