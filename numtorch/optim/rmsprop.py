"""RMSprop: divide the gradient by a running root-mean-square (Hinton), optionally centred."""

from __future__ import annotations

import functools

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import (
    Optimizer,
    _bump_step,
    _effective_grad,
    _ema_sq_,
    _lerp_,
    _no_differentiable,
    _no_fused_or_capturable,
    _scalar,
    _step_tensor,
    _tensor_steps,
    _update,
    _zeros_state,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop.

    Each step with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta                    if weight_decay != 0
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - g_avg**2) with g_avg = lerp(g_avg, g, 1 - alpha)   if centered
              sqrt(v)                                                      otherwise
        avg = avg + eps
        b = momentum * b + g / avg; theta = theta - lr * b      if momentum > 0
        theta = theta - lr * g / avg                            otherwise

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-2).
        alpha (float): smoothing constant (default 0.99).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        momentum (float): momentum factor (default 0).
        centered (bool): normalise by an estimate of the gradient's variance.
        maximize (bool): maximise the objective instead of minimising it.
        capturable, foreach, differentiable: accepted for PyTorch compatibility;
            ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _no_fused_or_capturable(False, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
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
            alpha, eps = group["alpha"], group["eps"]
            weight_decay, momentum = group["weight_decay"], group["momentum"]
            centered, maximize = group["centered"], group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_state(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_state(p)
                    if centered:
                        state["grad_avg"] = _zeros_state(p)
                _bump_step(state["step"])
                arrays = [p._data, grad._data, state["square_avg"]._data]
                if centered:
                    arrays.append(state["grad_avg"]._data)
                if momentum > 0:
                    arrays.append(state["momentum_buffer"]._data)
                _update(functools.partial(
                    _rmsprop_update, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                    momentum=momentum, centered=centered, maximize=maximize), *arrays)
                p._vc[0] += 1
        return loss


def _rmsprop_update(param, g, square_avg, *rest, lr, alpha, eps, weight_decay, momentum,
                    centered, maximize) -> None:
    """One parameter's RMSprop update, in place, on whole arrays or on matching chunks of
    them (``rest``: ``grad_avg`` if centered, ``momentum_buffer`` if momentum, scratch)."""
    xp = get_array_module(param)
    grad_avg = rest[0] if centered else None
    buf = rest[-2] if momentum > 0 else None
    avg = rest[-1]
    g = _effective_grad(param, g, weight_decay, maximize)
    _ema_sq_(xp, square_avg, g, alpha, avg)
    if centered:
        _lerp_(xp, grad_avg, g, 1 - alpha, avg)
        # square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        xp.multiply(grad_avg, -1.0, out=avg)
        avg *= grad_avg
        avg += square_avg
        xp.sqrt(avg, out=avg)
    else:
        xp.sqrt(square_avg, out=avg)
    avg += eps
    if momentum > 0:
        buf *= momentum
        buf += g / avg  # addcdiv_ with value 1
        param -= lr * buf
    else:
        xp.divide(xp.multiply(g, -lr), avg, out=avg)
        param += avg
