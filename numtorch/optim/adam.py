"""Adam: adaptive moment estimation (Kingma & Ba), optionally AMSGrad and decoupled decay."""

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

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam.

    Each step ``t`` with gradient ``g`` of parameter ``theta``::

        g = g + weight_decay * theta      (or theta *= 1 - lr * weight_decay if decoupled)
        m = lerp(m, g, 1 - beta1)                 # m + (1 - beta1) * (g - m)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                     # amsgrad: use v_max below
        denom = sqrt(v) / sqrt(1 - beta2**t) + eps
        theta = theta - lr / (1 - beta1**t) * m / denom

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square.
        eps (float): added to the denominator for numerical stability (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        amsgrad (bool): use the AMSGrad variant (default False).
        maximize (bool): maximise the objective instead of minimising it.
        decoupled_weight_decay (bool): AdamW's decay of the parameter itself.
        foreach, capturable, differentiable, fused: accepted for PyTorch compatibility;
            ``fused=True``, ``capturable=True`` and ``differentiable=True`` raise.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
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
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if beta.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.reshape(()) if isinstance(b, Tensor) else b for b in betas)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        _no_fused_or_capturable(fused, capturable)
        _no_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
        _tensor_steps(self)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = (_scalar(b) for b in group["betas"])
            lr = _scalar(group["lr"])
            eps = group["eps"]
            weight_decay = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_state(p)
                step = _bump_step(state["step"])
                arrays = [p._data, grad._data, state["exp_avg"]._data,
                          state["exp_avg_sq"]._data]
                if amsgrad:
                    arrays.append(state["max_exp_avg_sq"]._data)
                _update(functools.partial(
                    _adam_update, beta1=beta1, beta2=beta2, eps=eps, lr=lr,
                    weight_decay=weight_decay, decoupled=decoupled, maximize=maximize,
                    step_size=lr / (1 - beta1 ** step),
                    bias_correction2_sqrt=(1 - beta2 ** step) ** 0.5), *arrays)
                p._vc[0] += 1
        return loss


def _adam_update(param, g, exp_avg, exp_avg_sq, *rest, beta1, beta2, eps, lr, weight_decay,
                 decoupled, maximize, step_size, bias_correction2_sqrt) -> None:
    """One parameter's Adam update, in place, on whole arrays or on matching chunks of them
    (``rest`` is ``(max_exp_avg_sq, tmp)`` with AMSGrad, else ``(tmp,)``)."""
    xp = get_array_module(param)
    tmp = rest[-1]
    g = _effective_grad(param, g, weight_decay, maximize, lr if decoupled else None)
    _moments_(xp, exp_avg, exp_avg_sq, g, beta1, beta2, tmp)
    if len(rest) == 2:  # AMSGrad: the largest second moment so far
        max_sq = rest[0]
        xp.maximum(max_sq, exp_avg_sq, out=max_sq)
        xp.sqrt(max_sq, out=tmp)
    else:
        xp.sqrt(exp_avg_sq, out=tmp)
    tmp /= bias_correction2_sqrt
    tmp += eps  # tmp is now the denominator
    # param.addcdiv_(exp_avg, denom, value=-step_size): (value * exp_avg) / denom
    xp.divide(xp.multiply(exp_avg, -step_size), tmp, out=tmp)
    param += tmp
