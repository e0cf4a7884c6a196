"""Local response normalisation: ``local_response_norm`` (AlexNet's cross-channel LRN).

Each value is divided by a power of the mean square over a window of ``size``
neighbouring channels (zeros past the edges)::

    b[n, c] = a[n, c] / (k + alpha / size * sum_{c'} a[n, c']^2)^beta,
    c - size//2 <= c' <= c + (size-1)//2

The window sum is a linear map along the channel axis, so it is one small op whose
gradient is the same sum with the window mirrored; the rest is ordinary Tensor
arithmetic, so gradients of any order come from the ops it is built of.
"""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ._util import xp_of

__all__ = ["local_response_norm"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _window_sum(x, before, after):
    """``y[:, c] = x[:, c - before] + ... + x[:, c + after]`` (zero outside the channels)."""
    xp = xp_of(x)
    channels = x.shape[1]
    out = xp.zeros_like(x)
    for j in range(max(-before, 1 - channels), min(after, channels - 1) + 1):
        lo, hi = max(0, -j), min(channels, channels - j)
        out[:, lo:hi] += x[:, lo + j:hi + j]
    return out


class _ChannelWindowSum(ArrayFunction):
    """The sum over a window of channels; its adjoint is the mirrored window's sum."""

    node_name = "AvgPool3DBackward0"

    @staticmethod
    def forward(ctx, x, before, after):
        ctx.window = (before, after)
        return _window_sum(x, before, after)

    @staticmethod
    def backward(ctx, grad):
        before, after = ctx.window
        return _ChannelWindowSum.apply(grad, after, before), None, None


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Normalise each value by its neighbours across channels (dim 1).

    Args:
        input: ``(N, C, *)`` with at least 3 dimensions.
        size: how many channels the window spans.
        alpha, beta, k: the scale, exponent and additive constant of the denominator.
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError("Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if not isinstance(size, int) or isinstance(size, bool):
        raise TypeError("pad(): argument 'pad' failed to unpack the object at pos 3 with error "
                        f"\"type must be tuple of ints,but got {type(size).__name__}\"")
    if size <= 0:
        kernel = f"kH: {size} kW: 1" if dim == 3 else f"kT: {size} kH: 1 kW: 1"
        raise RuntimeError(f"kernel size should be greater than zero, but got {kernel}")
    if input.numel() == 0:
        return input
    window = _ChannelWindowSum.apply(input.mul(input), size // 2, (size - 1) // 2)
    # PyTorch takes the mean with an average pool, which floors for integer inputs.
    mean = window.div(size) if input.dtype.is_floating_point else window.floor_divide(size)
    return input / mean.mul(alpha).add(k).pow(beta)
