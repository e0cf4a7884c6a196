"""make_grid and save_image: tensors of images to one picture."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

import numtorch

__all__ = ["make_grid", "save_image"]


def _normalize_(img: numtorch.Tensor, low: float, high: float) -> None:
    """Clamp ``img`` to [low, high] and map that range to [0, 1], in place."""
    img.clamp_(min=low, max=high)
    img.sub_(low).div_(max(high - low, 1e-5))


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> numtorch.Tensor:
    """Tile a batch of images into one image (C, H', W'), ``nrow`` images a row.

    Args:
        tensor: a batch (B, C, H, W), a list of (C, H, W) images, one (C, H, W)
            image or one (H, W) image. One-channel images become three-channel.
        nrow: images per row (the last row may be short).
        padding: pixels of ``pad_value`` around and between the images.
        normalize: shift and scale the values to [0, 1], from ``value_range``
            (min, max) if given, else from the batch's (or each image's, with
            ``scale_each``) own min and max.
        value_range: the (min, max) to map to [0, 1]; values outside are clamped.
        scale_each: normalize each image on its own.
        pad_value: the value of the padding pixels.
    """
    if not numtorch.is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not numtorch.is_tensor(t):
                    raise TypeError(f"tensor or list of tensors expected, got a list containing "
                                    f"{type(t)}")
        else:
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if isinstance(tensor, list):
        tensor = numtorch.stack(tensor, dim=0)

    if tensor.dim() == 2:  # one image H x W
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:  # one image C x H x W
        if tensor.size(0) == 1:
            tensor = numtorch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:  # one-channel images
        tensor = numtorch.cat((tensor, tensor, tensor), 1)

    if normalize is True:
        tensor = tensor.clone()  # never modify the caller's tensor
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        images = list(tensor) if scale_each is True else [tensor]
        for img in images:  # views: normalizing them normalizes ``tensor``
            if value_range is not None:
                _normalize_(img, value_range[0], value_range[1])
            else:
                _normalize_(img, float(img.min()), float(img.max()))

    if tensor.size(0) == 1:
        return tensor.squeeze(0)

    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    num_channels = tensor.size(1)
    grid = numtorch.full((num_channels, height * ymaps + padding, width * xmaps + padding),
                         pad_value, dtype=tensor.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        cell = grid.narrow(1, y * height + padding, height - padding)
        cell.narrow(2, x * width + padding, width - padding).copy_(tensor[k])
    return grid


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """Save a tensor (or a list of them) as an image file, through :func:`make_grid`.

    Values in [0, 1] map to 0..255 (rounded half up, clamped). ``format`` is
    Pillow's (needed when ``fp`` is a file object); ``kwargs`` go to make_grid.
    """
    grid = make_grid(tensor, **kwargs)
    with numtorch.no_grad():
        scaled = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0)
    ndarr = np.ascontiguousarray(scaled.numpy().astype(np.uint8))
    if ndarr.shape[2] == 1:
        ndarr = ndarr[:, :, 0]
    Image.fromarray(ndarr).save(fp, format=format)
