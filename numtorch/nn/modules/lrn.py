"""LocalResponseNorm: ``F.local_response_norm`` as a layer."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.lrn import local_response_norm
from .module import Module

__all__ = ["LocalResponseNorm"]


class LocalResponseNorm(Module):
    """Divide each value by ``(k + alpha / size * sum of squares over size channels)^beta``.

    Args:
        size: how many neighbouring channels the window spans.
        alpha: scale of the sum. Default: 0.0001.
        beta: exponent. Default: 0.75.
        k: additive constant. Default: 1.

    Shape:
        input ``(N, C, *)``, output the same shape.

    Example::

        >>> nn.LocalResponseNorm(2)(numtorch.randn(8, 16, 5, 5)).shape
        numtorch.Size([8, 16, 5, 5])
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
