"""Muon: momentum SGD whose update matrix is orthogonalised by a Newton-Schulz iteration."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..backend import get_array_module
from .optimizer import Optimizer, _add_, _lerp_from_nearer_end, _zeros_state

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


class Muon(Optimizer):
    r"""Muon (Jordan et al.), for the 2-D weights of hidden layers.

    Each step with gradient ``g`` of an ``A x B`` parameter ``theta``::

        buf = lerp(buf, g, 1 - momentum)
        u = lerp(g, buf, momentum)  if nesterov  else  buf
        u = NS(u)                     # about U V^T where U S V^T = u: every direction one size
        theta = theta * (1 - lr * weight_decay)
        theta = theta - lr * ratio * u

    ``NS`` is ``ns_steps`` Newton-Schulz iterations of the quintic
    ``X <- a X + (b X X^T + c (X X^T)^2) X`` on ``X = u / max(||u||, eps)`` (the wide
    orientation, transposed back). ``ratio`` is ``sqrt(max(1, A / B))`` for
    ``adjust_lr_fn=None`` or ``"original"``, ``0.2 * sqrt(max(A, B))`` for
    ``"match_rms_adamw"``.

    PyTorch runs the iteration in bfloat16, which numtorch has not: here each step of
    it computes in float32 and rounds its result to the nearest bfloat16 (PyTorch's
    rounding), where PyTorch rounds too. The matmuls sum in another order than
    PyTorch's bfloat16 GEMM, so now and then an entry rounds to the neighbouring
    bfloat16 (a relative 2**-8): trajectories agree to bfloat16 rounding of the
    update, not to float32 rounding.

    Args:
        params (iterable): 2-D Tensors or param-group dicts to optimise.
        lr (float or Tensor): learning rate (default 1e-3).
        weight_decay (float): decoupled weight decay (default 0.1).
        momentum (float): momentum factor (default 0.95).
        nesterov (bool): use Nesterov momentum (default True).
        ns_coefficients (tuple): ``(a, b, c)`` of the Newton-Schulz polynomial.
        eps (float): floor of the norm the iteration divides by (default 1e-7).
        ns_steps (int): Newton-Schulz iterations, under 100 (default 5).
        adjust_lr_fn (str or None): ``"original"`` or ``"match_rms_adamw"`` (see above).
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps: float = EPS,
                 ns_steps: int = DEFAULT_NS_STEPS, adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def step(self, closure=None):
        """Perform one step; ``closure`` (optional) re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = group["lr"]
            if isinstance(lr, Tensor):  # PyTorch's arithmetic on it is 0-d float32 Tensor maths
                lr = np.float32(float(lr))
            momentum = group["momentum"]
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = _zeros_state(grad)
                g = grad._data
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                buf = state["momentum_buffer"]._data
                _lerp_from_nearer_end(buf, g, 1 - momentum, buf)
                if group["nesterov"]:
                    update = get_array_module(g).empty_like(g)
                    _lerp_from_nearer_end(g, buf, momentum, update)
                else:
                    update = buf
                update = _zeropower_via_newtonschulz(update, group["ns_coefficients"],
                                                     group["ns_steps"], group["eps"])
                adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
                p._data *= 1 - lr * group["weight_decay"]
                # contiguous, in the parameter's dtype: what BLAS axpy (add_'s one rounding) takes
                update = get_array_module(g).ascontiguousarray(update, dtype=p._data.dtype)
                _add_(p._data, update, float(-adjusted_lr))
                p._vc[0] += 1
        return loss


def _bf16(x):
    """Round float32 ``x`` to the nearest bfloat16 (ties to even), kept as float32: the
    top 16 bits of the float32 pattern after adding half a bfloat16 ulp. NaN stays NaN."""
    xp = get_array_module(x)
    x = xp.asarray(x, dtype=np.float32)
    bits = x.view(np.uint32)
    rounded = ((bits + (0x7FFF + ((bits >> 16) & 1))) & 0xFFFF0000).astype(np.uint32)
    return xp.where(xp.isnan(x), x, rounded.view(np.float32))


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps: int, eps: float):
    """The Newton-Schulz orthogonalisation of a 2-D array, in emulated bfloat16 (a float32
    array of bfloat16 values): every PyTorch bfloat16 op computes in float32 and rounds."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (np.float32(k) for k in ns_coefficients)
    x = _bf16(grad.astype(np.float32))  # float64 -> float32 -> bfloat16, as PyTorch converts
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    xp = get_array_module(grad)
    # bfloat16's norm squares and sums in float32 (its opmath): 1e20 ** 2 overflows to inf
    norm = _bf16(xp.sqrt(xp.sum(x * x)))
    x = _bf16(x / _bf16(xp.maximum(norm, np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn: str | None, param_shape):
    """``lr`` times Muon's shape ratio (see the class docstring)."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio
