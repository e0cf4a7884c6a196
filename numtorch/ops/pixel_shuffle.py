"""Channel rearrangements: ``pixel_shuffle``, ``pixel_unshuffle`` and ``channel_shuffle``.

Each is a reshape, a transpose and a reshape of the array (one copy, no arithmetic):

- ``pixel_shuffle(x, r)``: ``(*, C r^2, H, W) -> (*, C, H r, W r)``; channel
  ``c r^2 + i r + j`` becomes the pixel offset ``(i, j)`` of channel ``c``.
- ``pixel_unshuffle(x, r)`` is its inverse, and each one's gradient is the other.
- ``channel_shuffle(x, g)``: ``(N, g k, *) -> (N, k g, *)``, the channels read as a
  ``g x k`` grid and transposed; its gradient shuffles back with ``k`` groups.
"""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ._util import xp_of
from .pointwise import _NotImplementedGrad
from .shape import _fmt as _sizes

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _shuffle_array(x, r):
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return xp_of(x).ascontiguousarray(y).reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle_array(x, r):
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return xp_of(x).ascontiguousarray(y).reshape(*lead, c * r * r, h // r, w // r)


class _PixelShuffle(ArrayFunction):
    node_name = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle_array(x, r)

    @staticmethod
    def backward(ctx, grad):
        return _PixelUnshuffle.apply(grad, ctx.r), None


class _PixelUnshuffle(ArrayFunction):
    node_name = "PixelUnshuffleBackward0"

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _unshuffle_array(x, r)

    @staticmethod
    def backward(ctx, grad):
        return _PixelShuffle.apply(grad, ctx.r), None


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C r^2, H, W) -> (*, C, H r, W r)`` with ``r = upscale_factor``."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return _PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H r, W r) -> (*, C r^2, H, W)`` with ``r = downscale_factor``."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for dim, name in ((-2, "height"), (-1, "width")):
        if input.shape[dim] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({dim})={input.shape[dim]} is "
                               f"not divisible by {r}")
    return _PixelUnshuffle.apply(input, r)


class _ChannelShuffle(ArrayFunction):
    node_name = "ChannelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, groups):
        n, c = x.shape[:2]
        ctx.back = c // groups
        y = x.reshape(n, groups, c // groups, -1).transpose(0, 2, 1, 3)
        return xp_of(x).ascontiguousarray(y).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        return _ChannelShuffle.apply(grad, ctx.back), None


def _check_channel_shuffle(input, groups: int) -> None:
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {_sizes(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of (N, C, *) input from ``groups`` groups (ShuffleNet)."""
    groups = int(groups)
    _check_channel_shuffle(input, groups)
    return _ChannelShuffle.apply(input, groups)


class _NativeChannelShuffle(_NotImplementedGrad):
    """``native_channel_shuffle``: the same shuffle, but PyTorch gives it no derivative."""

    node_name = "NotImplemented"
    aten_name = "native_channel_shuffle"
    forward = _ChannelShuffle.forward


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``channel_shuffle`` as ATen's native op (PyTorch's backward of it raises)."""
    groups = int(groups)
    _check_channel_shuffle(input, groups)
    return _NativeChannelShuffle.apply(input, groups)
