"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter)."""

from __future__ import annotations

from .._tensor import Tensor
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW: Adam whose weight decay shrinks the parameter directly.

    Each step first does ``theta *= 1 - lr * weight_decay``, then Adam's update
    without any decay in the moment estimates (see :class:`Adam`).

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): decoupled weight decay coefficient (default 1e-2).
        amsgrad (bool): use the AMSGrad variant (default False).
        maximize, foreach, capturable, differentiable, fused: as for :class:`Adam`.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        # AdamW always decays the parameter, whatever a loaded state dict says.
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
