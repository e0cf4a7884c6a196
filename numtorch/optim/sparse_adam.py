"""SparseAdam: Adam that moves only the rows a sparse gradient holds (embedding tables)."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import Optimizer, _zeros_state

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""SparseAdam: a masked Adam for embedding tables.

    Adam updates every coordinate each step, so a row of an embedding table that
    is not looked up still moves (its moments decay). SparseAdam updates only the
    rows the gradient holds: for those rows, each step ``t`` with gradient ``g``::

        g = -g                                    if maximize
        m = m + (1 - beta1) * (g - m)
        v = v + (1 - beta2) * (g * g - v)
        theta = theta - lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)

    and leaves the other rows, and their moments, alone. ``step`` counts the
    optimiser's steps (a Python int, as in PyTorch), not each row's.

    Known difference: numtorch has no sparse tensors. PyTorch's SparseAdam needs
    ``p.grad`` to be a sparse tensor (``nn.Embedding(sparse=True)`` makes one,
    holding one row per index looked up) and raises on a dense one; numtorch's
    gradients are always dense, so here a dense gradient stands for that sparse
    one: the rows it holds are the rows (along dim 0) with any nonzero entry,
    updated in full. This is PyTorch's update for an embedding's gradient except
    for a row that was looked up but whose gradient is exactly zero: PyTorch
    updates it (its moments decay and it moves by them), numtorch leaves it alone.
    For the rows updated, the arithmetic is PyTorch's operation by operation, so the
    trajectories agree to rounding (PyTorch's CPU ``sqrt`` is sometimes 1 ulp off the
    correctly rounded one NumPy returns). PyTorch's errors for sparse and complex
    parameters cannot arise: numtorch has neither.

    Args:
        params (iterable): Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square.
        eps (float): added to the denominator for numerical stability (default 1e-8).
        maximize (bool): maximise the objective instead of minimising it.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, maximize = group["lr"], group["eps"], group.get("maximize", False)
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                state["step"] += 1
                step = state["step"]
                # PyTorch: lr * sqrt(1 - beta2**t) / (1 - beta1**t), in Python floats, or
                # in float32 Tensor arithmetic when lr is a Tensor.
                bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
                bias_correction1 = 1 - beta1 ** step
                if isinstance(lr, Tensor):
                    step_size = np.float32(float(lr)) * bias_correction2_sqrt
                    step_size /= bias_correction1
                else:
                    step_size = lr * bias_correction2_sqrt / bias_correction1
                if _sparse_adam_update(p._data, grad._data, state["exp_avg"]._data,
                                       state["exp_avg_sq"]._data, beta1=beta1, beta2=beta2,
                                       eps=eps, step_size=step_size, maximize=maximize):
                    p._vc[0] += 1
        return loss


def _sparse_adam_update(param, grad, exp_avg, exp_avg_sq, *, beta1, beta2, eps, step_size,
                        maximize) -> bool:
    """Update, in place, the rows of ``param`` and its moments where ``grad`` has a nonzero
    entry; False when there is none (PyTorch's empty sparse gradient: nothing moves)."""
    xp = get_array_module(param)
    # Index rows along dim 0 of the arrays themselves (a 0-d parameter is one row), so the
    # writes below land in them.
    g2, m2, v2, p2 = (a[None] if a.ndim == 0 else a for a in (grad, exp_avg, exp_avg_sq, param))
    rows = xp.flatnonzero((g2 != 0).reshape(g2.shape[0], -1).any(axis=1))
    if rows.size == 0:
        return False
    g = -g2[rows] if maximize else g2[rows]
    old_m, old_v = m2[rows], v2[rows]
    # The moments' updates as PyTorch computes them (values added to the old rows).
    m_update = (g - old_m) * (1 - beta1)
    v_update = (g * g - old_v) * (1 - beta2)
    m = m_update + old_m
    v = v_update + old_v
    m2[rows] = m
    v2[rows] = v
    denom = xp.sqrt(v, out=v)
    denom += eps
    m /= denom
    m *= -step_size
    p2[rows] += m
    return True
