"""Stochastic depth (Huang et al.): drop a whole residual branch, per sample or per batch.

The keep mask is ``empty(size).bernoulli_(1 - p)``, drawn from numtorch's generator in the
order torchvision draws it, so a seeded run drops the same rows as torchvision's.
"""

from __future__ import annotations

import numtorch
from numtorch import Tensor, nn

__all__ = ["StochasticDepth", "stochastic_depth"]


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Zero the input (``mode="batch"``) or each row of it (``mode="row"``) with
    probability ``p``, and scale what survives by ``1 / (1 - p)``.

    Args:
        input (Tensor[N, ...]): the residual branch's output.
        p (float): the drop probability.
        mode (str): ``"batch"`` or ``"row"``.
        training (bool): when False, the input is returned unchanged.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ["batch", "row"]:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = numtorch.empty(size, dtype=input.dtype, device=input.device).bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(nn.Module):
    """:func:`stochastic_depth` as a module (active in training mode)."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input: Tensor) -> Tensor:
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"
