"""v2 colour and blur functionals: the v1 kernels on images and videos; masks and boxes
have no kernel here, so v2 transforms pass them through unchanged."""

from __future__ import annotations

import numpy as np

import numtorch
from numtorch._tensor import Tensor

from ... import functional as F1
from ._meta import _to_dtype_image
from ._utils import _on_pixels

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "adjust_gamma", "adjust_sharpness", "rgb_to_grayscale", "to_grayscale",
           "grayscale_to_rgb", "gaussian_blur", "invert", "posterize", "solarize",
           "autocontrast", "equalize"]


def adjust_brightness(inpt, brightness_factor: float):
    return _on_pixels("adjust_brightness", inpt, F1.adjust_brightness, brightness_factor)


def adjust_contrast(inpt, contrast_factor: float):
    return _on_pixels("adjust_contrast", inpt, F1.adjust_contrast, contrast_factor)


def adjust_saturation(inpt, saturation_factor: float):
    return _on_pixels("adjust_saturation", inpt, F1.adjust_saturation, saturation_factor)


def adjust_hue(inpt, hue_factor: float):
    return _on_pixels("adjust_hue", inpt, F1.adjust_hue, hue_factor)


def adjust_gamma(inpt, gamma: float, gain: float = 1):
    return _on_pixels("adjust_gamma", inpt, F1.adjust_gamma, gamma, gain)


def adjust_sharpness(inpt, sharpness_factor: float):
    return _on_pixels("adjust_sharpness", inpt, F1.adjust_sharpness, sharpness_factor)


def rgb_to_grayscale(inpt, num_output_channels: int = 1):
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")
    return _on_pixels("rgb_to_grayscale", inpt, F1.rgb_to_grayscale, num_output_channels)


to_grayscale = rgb_to_grayscale


def _gray_to_rgb(image):
    if hasattr(image, "convert"):  # Pillow
        return image.convert("RGB")
    if image.shape[-3] >= 3:
        return image
    return image.expand(*image.shape[:-3], 3, *image.shape[-2:]).clone()


def grayscale_to_rgb(inpt):
    return _on_pixels("grayscale_to_rgb", inpt, _gray_to_rgb)


def gaussian_blur(inpt, kernel_size, sigma=None):
    return _on_pixels("gaussian_blur", inpt, F1.gaussian_blur, kernel_size, sigma)


def invert(inpt):
    return _on_pixels("invert", inpt, F1.invert)


def _posterize_image(image, bits: int):
    if isinstance(image, Tensor) and image.is_floating_point():
        # v1 takes uint8 only; v2 keeps the top ``bits`` bits of floats too: 2**bits levels
        levels = 1 << bits
        return image.mul(levels).floor_().clamp_(0, levels - 1).mul_(1.0 / levels)
    return F1.posterize(image, bits)


def posterize(inpt, bits: int):
    return _on_pixels("posterize", inpt, _posterize_image, bits)


def solarize(inpt, threshold: float):
    return _on_pixels("solarize", inpt, F1.solarize, threshold)


def _autocontrast_image(image):
    """Stretch each channel to [0, max] with v2's arithmetic, which is not v1's: v2 divides
    by ``(max - min) * (1 / bound)`` where v1 multiplies by ``bound / (max - min)``, and
    the two round differently before a uint8 cast truncates. Any leading dimensions."""
    if not isinstance(image, Tensor):
        return F1.autocontrast(image)  # Pillow's
    c = image.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are 1 or 3, but found {c}")
    if image.numel() == 0:
        return image
    a = image.numpy()
    bound = F1._max_value(a.dtype)
    x = a if a.dtype.kind == "f" else a.astype(np.float32)
    lo = x.min(axis=(-2, -1), keepdims=True)
    hi = x.max(axis=(-2, -1), keepdims=True)
    flat = hi == lo
    inv_scale = np.where(flat, 1, (hi - lo) * x.dtype.type(1.0 / bound)).astype(x.dtype)
    lo = np.where(flat, 0, lo).astype(x.dtype)
    out = np.clip((x - lo) / inv_scale, 0, bound).astype(a.dtype)
    return numtorch.from_numpy(out)


def autocontrast(inpt):
    return _on_pixels("autocontrast", inpt, _autocontrast_image)


def _equalize_image(image):
    """v1's uint8 kernel for any dtype (through uint8, as v2 does) and any number of
    leading dimensions (folded into one batch)."""
    if not isinstance(image, Tensor) or (image.dtype == numtorch.uint8 and image.ndim <= 4):
        return F1.equalize(image)
    if image.numel() == 0:
        return image
    as_u8 = _to_dtype_image(image, numtorch.uint8, True)
    out = F1.equalize(as_u8.reshape(-1, *image.shape[-3:])).reshape(image.shape)
    return _to_dtype_image(out, image.dtype, True)


def equalize(inpt):
    return _on_pixels("equalize", inpt, _equalize_image)
