"""DropBlock (Ghiasi et al.): dropout of contiguous ``block_size`` squares (or cubes).

Block centres are drawn with ``bernoulli_(gamma)`` over the positions where a whole block
fits, grown into blocks by a stride-1 max pool, inverted into a keep mask, and the result
rescaled so the mask averages to one — torchvision's steps and draws, in its order.
"""

from __future__ import annotations

import numtorch
import numtorch.nn.functional as F
from numtorch import Tensor, nn

__all__ = ["DropBlock2d", "DropBlock3d", "drop_block2d", "drop_block3d"]


def _drop_block(input: Tensor, p: float, block_size: int, inplace: bool, eps: float,
                training: bool, dims: int) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}.")
    if input.ndim != dims + 2:
        raise ValueError(f"input should be {dims + 2} dimensional. Got {input.ndim} dimensions.")
    if not training or p == 0.0:
        return input
    spatial = input.shape[2:]
    # A block never outgrows the input, and must be odd: the stride-1 pool below grows an
    # even block's mask one larger than the input.
    block_size = min(block_size, *spatial)
    if block_size % 2 == 0:
        raise ValueError(f"block size should be odd. Got {block_size} which is even.")
    fits = [s - block_size + 1 for s in spatial]
    volume = 1
    for s in spatial:
        volume *= s
    positions = 1
    for f in fits:
        positions *= f
    # gamma makes the expected dropped fraction p once every centre grows into a block.
    gamma = (p * volume) / ((block_size ** dims) * positions)
    noise = numtorch.empty((input.shape[0], input.shape[1], *fits), dtype=input.dtype,
                           device=input.device)
    noise.bernoulli_(gamma)
    noise = F.pad(noise, [block_size // 2] * (2 * dims), value=0)
    pool = F.max_pool2d if dims == 2 else F.max_pool3d
    noise = pool(noise, stride=(1,) * dims, kernel_size=(block_size,) * dims,
                 padding=block_size // 2)
    noise = 1 - noise
    normalize_scale = noise.numel() / (eps + noise.sum())
    if inplace:
        return input.mul_(noise).mul_(normalize_scale)
    return input * noise * normalize_scale


def drop_block2d(input: Tensor, p: float, block_size: int, inplace: bool = False,
                 eps: float = 1e-06, training: bool = True) -> Tensor:
    """DropBlock on ``Tensor[N, C, H, W]``: drop ``block_size x block_size`` squares so
    that about a fraction ``p`` of the values is zeroed, and rescale the rest."""
    return _drop_block(input, p, block_size, inplace, eps, training, 2)


def drop_block3d(input: Tensor, p: float, block_size: int, inplace: bool = False,
                 eps: float = 1e-06, training: bool = True) -> Tensor:
    """DropBlock on ``Tensor[N, C, D, H, W]`` with cubic blocks."""
    return _drop_block(input, p, block_size, inplace, eps, training, 3)


class DropBlock2d(nn.Module):
    """:func:`drop_block2d` as a module (active in training mode)."""

    def __init__(self, p: float, block_size: int, inplace: bool = False,
                 eps: float = 1e-06) -> None:
        super().__init__()
        self.p = p
        self.block_size = block_size
        self.inplace = inplace
        self.eps = eps

    def forward(self, input: Tensor) -> Tensor:
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps,
                            self.training)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(p={self.p}, block_size={self.block_size}, "
                f"inplace={self.inplace})")


class DropBlock3d(DropBlock2d):
    """:func:`drop_block3d` as a module (active in training mode)."""

    def forward(self, input: Tensor) -> Tensor:
        return drop_block3d(input, self.p, self.block_size, self.inplace, self.eps,
                            self.training)
