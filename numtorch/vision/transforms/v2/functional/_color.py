"""v2 colour and blur functionals: on Pillow images the v1 kernels (Pillow's own
operations); on tensors, where torchvision v2 computes differently from v1, v2's own
arithmetic (below: grayscale, brightness, saturation, contrast, sharpness, invert, solarize,
posterize, autocontrast), else the v1 kernels. Masks and boxes have no kernel here, so v2
transforms pass them through."""

from __future__ import annotations

import numtorch
from numtorch._tensor import Tensor

from ... import functional as F1
from ._meta import _num_value_bits, _to_dtype_image
from ._utils import _on_pixels

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "adjust_gamma", "adjust_sharpness", "rgb_to_grayscale", "to_grayscale",
           "grayscale_to_rgb", "gaussian_blur", "invert", "posterize", "solarize",
           "autocontrast", "equalize"]


# --- v2's tensor arithmetic ---------------------------------------------------------------
# torchvision v2 writes these blends as ``a * r`` plus ``b`` with ``alpha=1 - r``, which
# PyTorch rounds as one fused multiply-add (numtorch's ``add`` too), where v1 adds two
# products; on uint8 images the two can differ by one level.

def _max_value(dtype) -> float:
    return 1.0 if dtype.is_floating_point else float(numtorch.iinfo(dtype).max)


def _gray(image: Tensor, preserve_dtype: bool) -> Tensor:
    """v2's luma of an RGB image: ``r * 0.2989 + 0.587 g + 0.114 b``, each step rounded."""
    r, g, b = image.unbind(dim=-3)
    luma = r.mul(0.2989).add_(g, alpha=0.587).add_(b, alpha=0.114).unsqueeze(dim=-3)
    return luma.to(image.dtype) if preserve_dtype else luma


def _blend(image1: Tensor, image2: Tensor, ratio: float) -> Tensor:
    ratio = float(ratio)
    out = image1.mul(ratio).add_(image2, alpha=1.0 - ratio).clamp_(0, _max_value(image1.dtype))
    return out if image1.is_floating_point() else out.to(image1.dtype)


def _check_channels(image: Tensor) -> int:
    c = image.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are 1 or 3, but found {c}")
    return c


def _check_factor(name: str, value: float) -> None:
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def _brightness_tensor(image: Tensor, factor: float) -> Tensor:
    _check_factor("brightness_factor", factor)
    _check_channels(image)
    out = image.mul(factor).clamp_(0, _max_value(image.dtype))
    return out if image.is_floating_point() else out.to(image.dtype)


def _saturation_tensor(image: Tensor, factor: float) -> Tensor:
    _check_factor("saturation_factor", factor)
    if _check_channels(image) == 1:  # as Pillow
        return image
    gray = _gray(image, preserve_dtype=False)
    if not image.is_floating_point():
        gray = gray.floor_()
    return _blend(image, gray, factor)


def _contrast_tensor(image: Tensor, factor: float) -> Tensor:
    _check_factor("contrast_factor", factor)
    fp = image.is_floating_point()
    if _check_channels(image) == 3:
        gray = _gray(image, preserve_dtype=False)
        if not fp:
            gray = gray.floor_()
    else:
        gray = image if fp else image.to(numtorch.float32)
    return _blend(image, gray.mean(dim=(-3, -2, -1), keepdim=True), factor)


def _sharpness_tensor(image: Tensor, factor: float) -> Tensor:
    channels, height, width = image.shape[-3:]
    if channels not in (1, 3):
        raise TypeError(f"Input image tensor can have 1 or 3 channels, but found {channels}")
    _check_factor("sharpness_factor", factor)
    if image.numel() == 0 or height <= 2 or width <= 2:
        return image
    fp, shape = image.is_floating_point(), image.shape
    flat = image.reshape(-1, channels, height, width) if image.ndim > 4 else image
    dtype = image.dtype if fp else numtorch.float32
    a, b = 1.0 / 13.0, 5.0 / 13.0  # a smoothing 3x3 kernel: 1s around a 5
    kernel = numtorch.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=dtype)
    out = flat.to(dtype=dtype, copy=True)
    blurred = numtorch.nn.functional.conv2d(out, kernel.expand(channels, 1, 3, 3),
                                            groups=channels)
    if not fp:
        blurred = blurred.round_()
    inner = out[..., 1:-1, 1:-1]  # the border keeps the image's own pixels
    inner.add_(blurred.sub_(inner), alpha=1.0 - factor)
    out = out.clamp_(0, _max_value(image.dtype))
    if not fp:
        out = out.to(image.dtype)
    return out.reshape(shape) if image.ndim > 4 else out


def _tensor_or_v1(tensor_kernel, v1_kernel):
    """Pillow images through v1's (Pillow's) kernel, tensors through v2's arithmetic."""
    def kernel(image, *args):
        return v1_kernel(image, *args) if hasattr(image, "convert") else \
            tensor_kernel(image, *args)
    return kernel


def adjust_brightness(inpt, brightness_factor: float):
    return _on_pixels("adjust_brightness", inpt,
                      _tensor_or_v1(_brightness_tensor, F1.adjust_brightness), brightness_factor)


def adjust_contrast(inpt, contrast_factor: float):
    return _on_pixels("adjust_contrast", inpt,
                      _tensor_or_v1(_contrast_tensor, F1.adjust_contrast), contrast_factor)


def adjust_saturation(inpt, saturation_factor: float):
    return _on_pixels("adjust_saturation", inpt,
                      _tensor_or_v1(_saturation_tensor, F1.adjust_saturation), saturation_factor)


def adjust_hue(inpt, hue_factor: float):
    return _on_pixels("adjust_hue", inpt, F1.adjust_hue, hue_factor)


def adjust_gamma(inpt, gamma: float, gain: float = 1):
    return _on_pixels("adjust_gamma", inpt, F1.adjust_gamma, gamma, gain)


def adjust_sharpness(inpt, sharpness_factor: float):
    return _on_pixels("adjust_sharpness", inpt,
                      _tensor_or_v1(_sharpness_tensor, F1.adjust_sharpness), sharpness_factor)


def _grayscale_tensor(image: Tensor, num_output_channels: int) -> Tensor:
    if image.shape[-3] == 1:
        if num_output_channels == 1:
            return image.clone()
        repeats = [1] * image.ndim
        repeats[-3] = 3
        return image.repeat(repeats)
    gray = _gray(image, preserve_dtype=True)
    return gray.expand(image.shape) if num_output_channels == 3 else gray


def rgb_to_grayscale(inpt, num_output_channels: int = 1):
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")
    return _on_pixels("rgb_to_grayscale", inpt,
                      _tensor_or_v1(_grayscale_tensor, F1.rgb_to_grayscale), num_output_channels)


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


def _invert_image(image):
    """v2's: ``1 - x`` for floats, the value bits flipped for integers, any number of
    channels (v1 checks for 1 or 3)."""
    if not isinstance(image, Tensor):
        return F1.invert(image)  # Pillow's
    if image.is_floating_point():
        return 1.0 - image
    if image.dtype == numtorch.uint8:
        return image.bitwise_not()
    # signed integers keep their sign bit
    return image.bitwise_xor((1 << _num_value_bits(image.dtype)) - 1)


def invert(inpt):
    return _on_pixels("invert", inpt, _invert_image)


def _posterize_image(image, bits: int):
    if isinstance(image, Tensor) and image.is_floating_point():
        # v1 takes uint8 only; v2 keeps the top ``bits`` bits of floats too: 2**bits levels
        levels = 1 << bits
        return image.mul(levels).floor_().clamp_(0, levels - 1).mul_(1.0 / levels)
    if isinstance(image, Tensor):
        # v1 takes uint8 only; v2 masks the top ``bits`` value bits of any integer dtype
        value_bits = _num_value_bits(image.dtype)
        if bits >= value_bits:
            return image
        return image.bitwise_and(((1 << bits) - 1) << (value_bits - bits))
    return F1.posterize(image, bits)


def posterize(inpt, bits: int):
    return _on_pixels("posterize", inpt, _posterize_image, bits)


def _solarize_image(image, threshold: float):
    """v2's: invert where ``x >= threshold``, any number of channels, v2's error."""
    if not isinstance(image, Tensor):
        return F1.solarize(image, threshold)  # Pillow's
    if threshold > _max_value(image.dtype):
        raise TypeError("Threshold should be less or equal the maximum value of the dtype, but "
                        f"got {threshold}")
    return numtorch.where(image >= threshold, _invert_image(image), image)


def solarize(inpt, threshold: float):
    return _on_pixels("solarize", inpt, _solarize_image, threshold)


def _autocontrast_image(image):
    """Stretch each channel to [0, max] with v2's arithmetic, which is not v1's: v2 divides
    by ``(max - min) * (1 / bound)`` where v1 multiplies by ``bound / (max - min)``, and
    the two round differently before a uint8 cast truncates. Any leading dimensions."""
    if not isinstance(image, Tensor):
        return F1.autocontrast(image)  # Pillow's
    _check_channels(image)
    if image.numel() == 0:
        return image
    bound = _max_value(image.dtype)
    x = image if image.is_floating_point() else image.to(numtorch.float32)
    lo = x.amin(dim=(-2, -1), keepdim=True)
    hi = x.amax(dim=(-2, -1), keepdim=True)
    flat = hi == lo
    inv_scale = numtorch.where(flat, 1.0, (hi - lo).mul_(1.0 / bound))
    lo = numtorch.where(flat, 0.0, lo)
    return (x - lo).div_(inv_scale).clamp_(0, bound).to(image.dtype)


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
