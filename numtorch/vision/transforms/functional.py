"""vision.transforms.functional: the stateless image operations behind every transform.

Each function takes a Pillow image or a numtorch Tensor shaped ``(..., C, H, W)`` and
returns the same kind of thing, as torchvision's do:

* on a Pillow image the work is done by Pillow itself (``Image.resize``, ``ImageOps``,
  ``ImageEnhance``...) with the resample filter and fill torchvision passes;
* on a Tensor the work is done in NumPy, following torchvision's tensor algorithms
  (the interpolation of ``nn.functional.interpolate`` and ``grid_sample``, the
  float32 blends of the colour ops), so results agree with torchvision's to within
  one grey level for uint8 and ~1e-6 for float32.

Only ``normalize`` is differentiable (it is written with Tensor ops); the geometric and
colour ops work on the detached array, as data augmentation needs no gradient.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Sequence
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

import numtorch
from numtorch._tensor import Tensor

from ... import _warnings

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
    "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize",
    "resize", "crop", "center_crop", "resized_crop", "pad", "hflip", "vflip", "rotate",
    "affine", "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
    "adjust_gamma", "adjust_sharpness", "rgb_to_grayscale", "to_grayscale", "gaussian_blur",
    "erase", "invert", "posterize", "solarize", "autocontrast", "equalize",
]


class InterpolationMode(Enum):
    """How pixels between samples are made: the names ``interpolate`` and Pillow know."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    # Pillow only
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                 3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return _FROM_PIL_INT[i]


def _check_interpolation(interpolation):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                        "Pillow integer constant")
    return interpolation


# --------------------------------------------------------------------------- helpers

def _is_pil_image(img) -> bool:
    return isinstance(img, Image.Image)


def _arr(t: Tensor) -> np.ndarray:
    """The NumPy array behind a tensor (detached: augmentation carries no gradient)."""
    return t.detach().numpy()


def _wrap(a: np.ndarray) -> Tensor:
    return Tensor._make(np.ascontiguousarray(a))


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


_MAX = {np.dtype(np.uint8): 255, np.dtype(np.int8): 127, np.dtype(np.int16): 32767,
        np.dtype(np.int32): 2**31 - 1, np.dtype(np.int64): 2**63 - 1, np.dtype(np.bool_): 1}


def _max_value(dt: np.dtype):
    return _MAX.get(np.dtype(dt), 1.0)


def _assert_image_tensor(img) -> None:
    if not (isinstance(img, Tensor) and img.ndim >= 2):
        raise TypeError("Tensor is not a torch image.")


def _assert_channels(img: Tensor, permitted) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, "
                        f"but found {c}")


def _to_out_dtype(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Back to the input dtype after float work: integers are rounded first, as
    torchvision's ``_cast_squeeze_out`` does."""
    if a.dtype == dt:
        return a
    if np.dtype(dt).kind in "iu":
        a = np.round(a)
    return a.astype(dt)


def _blend(img1: np.ndarray, img2: np.ndarray, ratio: float) -> np.ndarray:
    """``ratio * img1 + (1 - ratio) * img2`` clamped to the dtype's range, in float32 for
    integer images (a Python float never widens a tensor's dtype)."""
    ratio = float(ratio)
    work = img1.dtype if _is_float(img1) else np.dtype(np.float32)
    out = work.type(ratio) * img1.astype(work) + work.type(1.0 - ratio) * img2.astype(work)
    out = np.clip(out, 0, _max_value(img1.dtype))
    return out.astype(img1.dtype)


def _pil_num_channels(img) -> int:
    return len(img.getbands())


def _parse_fill(fill, img, name="fillcolor"):
    """The fill keyword for Pillow: a number per band, ints unless the image is 'F'."""
    num_channels = _pil_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            msg = ("The number of elements in 'fill' does not match the number of channels "
                   "of the image ({} != {})")
            raise ValueError(msg.format(len(fill), num_channels))
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, (list, tuple)) else int(fill)
    return {name: fill}


# --------------------------------------------------------------------------- sizes

def get_dimensions(img) -> list[int]:
    """``[channels, height, width]`` of a Pillow image or an image tensor."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        channels = 1 if img.ndim == 2 else img.shape[-3]
        height, width = img.shape[-2:]
        return [channels, height, width]
    if _is_pil_image(img):
        width, height = img.size
        return [_pil_num_channels(img), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img) -> list[int]:
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img) -> int:
    return get_dimensions(img)[0]


# --------------------------------------------------------------------------- conversion

def _is_numpy_image(pic) -> bool:
    return pic.ndim in {2, 3}


def to_tensor(pic) -> Tensor:
    """PIL image or HWC ndarray -> CHW tensor; uint8 becomes float in [0, 1]
    (divided by 255, in the default float dtype)."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and not _is_numpy_image(pic):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    fdt = numtorch.get_default_dtype()
    if isinstance(pic, np.ndarray):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        a = np.ascontiguousarray(pic.transpose(2, 0, 1))
    else:
        nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
                  "F": np.float32}.get(pic.mode, np.uint8)
        a = np.array(pic, nptype, copy=True)
        if pic.mode == "1":
            a = 255 * a
        a = a.reshape(pic.size[1], pic.size[0], _pil_num_channels(pic))
        a = np.ascontiguousarray(a.transpose(2, 0, 1))
    if a.dtype == np.uint8:
        return _wrap(_div255(a, fdt))
    return _wrap(a)


def _div255(a: np.ndarray, fdt) -> np.ndarray:
    """uint8 -> float / 255: a true division in the float dtype (not a multiply by 1/255,
    which rounds differently)."""
    work = np.dtype(fdt.np) if hasattr(fdt, "np") else np.dtype(np.float32)
    out = a.astype(work)
    out /= work.type(255)
    return out


def pil_to_tensor(pic) -> Tensor:
    """PIL image -> CHW tensor of the image's own dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    a = np.array(pic, copy=True)
    a = a.reshape(pic.size[1], pic.size[0], _pil_num_channels(pic))
    return Tensor._make(a).permute(2, 0, 1)


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image (floats are scaled by 255 to uint8)."""
    if isinstance(pic, Tensor):
        a = _arr(pic)
        if a.ndim == 3:
            a = a.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        a = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {a.ndim} dimensions.")
    if a.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {a.shape[-1]} channels.")
    if _is_float(a) and mode != "F":
        a = (a * 255).astype(np.uint8)
    if a.shape[2] == 1:
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(a.dtype)
        a = a[:, :, 0]
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. "
                             f"Should be {expected}")
        mode = expected
    elif a.shape[2] == 2:
        permitted = ["LA"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 2D inputs")
        if mode is None and a.dtype == np.uint8:
            mode = "LA"
    elif a.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and a.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and a.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {a.dtype} is not supported")
    a = np.ascontiguousarray(a)
    if mode in ("L", "RGB", "RGBA", "LA", "F", "I") and Image.fromarray(a).mode == mode:
        return Image.fromarray(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Image.fromarray(a, mode=mode)


def convert_image_dtype(image: Tensor, dtype=numtorch.float) -> Tensor:
    """Change dtype and rescale values: floats live in [0, 1], integers in [0, max]."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    a = _arr(image)
    out_np = np.dtype(dtype.np)
    if _is_float(a):
        if dtype.is_floating_point:
            return _wrap(a.astype(out_np))
        if (a.dtype == np.float32 and dtype in (numtorch.int32, numtorch.int64)) or (
                a.dtype == np.float64 and dtype == numtorch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               "safely.")
        # max + 1 - eps spreads [0, 1] evenly over the integers (only 1.0 maps to max)
        eps = 1e-3
        scaled = a * a.dtype.type(float(_max_value(out_np)) + 1.0 - eps)
        return _wrap(scaled.astype(out_np))
    input_max = _max_value(a.dtype)
    if dtype.is_floating_point:
        b = a.astype(out_np)
        return _wrap(b / out_np.type(float(input_max)))
    output_max = _max_value(out_np)
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return _wrap((a // factor).astype(out_np))
    factor = int((output_max + 1) // (input_max + 1))
    return _wrap(a.astype(out_np) * out_np.type(factor))


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """``(tensor - mean) / std`` per channel (differentiable)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    dtype = tensor.dtype
    mean = numtorch.as_tensor(mean, dtype=dtype)
    std = numtorch.as_tensor(std, dtype=dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                         "division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std


# --------------------------------------------------------------------------- resize

def _compute_resized_output_size(image_size, size, max_size=None) -> list[int]:
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:
        requested_new_short = size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
           antialias=True):
    """Resize to ``size`` ((h, w), or the smaller edge when an int / 1-sequence)."""
    interpolation = _check_interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in [1, 2]:
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller "
                "edge, i.e. size should be an int or a sequence of length 1 in torchscript "
                "mode.")
    _, h, w = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((h, w), list(size), max_size)
    if [h, w] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            _warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                           "antialias is ignored.")
        return img.resize(tuple(output_size[::-1]), _PIL_FILTERS[interpolation])
    return _resize_tensor(img, output_size, interpolation.value, antialias)


def _resize_tensor(img: Tensor, size, mode: str, antialias) -> Tensor:
    """torchvision's tensor resize: integers go through float32 and are rounded back;
    one axis at a time (width, then height), each a (out, in) weight matrix."""
    _assert_image_tensor(img)
    if mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{mode}' is unsupported with Tensor input")
    if antialias is None:
        antialias = False
    if mode not in ("bilinear", "bicubic"):
        antialias = False
    a = _arr(img)
    out_dtype = a.dtype
    work = a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)
    h, w = work.shape[-2:]
    oh, ow = size
    if ow != w:
        work = _resample_axis(work, -1, ow, mode, antialias)
    if oh != h:
        work = _resample_axis(work, -2, oh, mode, antialias)
    if mode == "bicubic" and out_dtype == np.uint8:
        work = np.clip(work, 0, 255)
    return _wrap(_to_out_dtype(work, out_dtype))


def _resample_axis(a: np.ndarray, axis: int, out_size: int, mode: str, antialias: bool):
    in_size = a.shape[axis]
    wt = _weights(in_size, out_size, mode, antialias, a.dtype)
    moved = np.moveaxis(a, axis, -1)
    return np.moveaxis(moved @ wt.T, -1, axis)


def _weights(in_size: int, out_size: int, mode: str, antialias: bool, dt) -> np.ndarray:
    """The (out_size, in_size) matrix that interpolates one axis like ``interpolate``."""
    ft = np.dtype(dt).type
    wt = np.zeros((out_size, in_size), dtype=dt)
    rows = np.arange(out_size)
    scale = ft(in_size) / ft(out_size)
    if mode in ("nearest", "nearest-exact"):
        if mode == "nearest":
            # PyTorch computes this index in float32
            src = np.floor(np.arange(out_size, dtype=np.float32) * np.float32(in_size / out_size))
        else:
            src = np.floor((np.arange(out_size, dtype=np.float32) + np.float32(0.5))
                           * np.float32(in_size / out_size))
        wt[rows, np.minimum(src.astype(np.int64), in_size - 1)] = 1
        return wt
    if antialias:
        # PIL-style separable filter, widened by the scale when shrinking
        filt, support = (_bilinear_filter, 1.0) if mode == "bilinear" else (_bicubic_aa, 2.0)
        support = support * scale if scale >= 1.0 else ft(support)
        invscale = ft(1.0) / scale if scale >= 1.0 else ft(1.0)
        for i in range(out_size):
            center = scale * ft(i + 0.5)
            xmin = max(int(center - support + ft(0.5)), 0)
            xmax = min(int(center + support + ft(0.5)), in_size)
            j = np.arange(xmin, xmax)
            ws = filt(((j - center + ft(0.5)) * invscale).astype(dt)).astype(dt)
            total = ws.sum(dtype=dt)
            if total != 0:
                ws = ws / total
            wt[i, xmin:xmax] = ws
        return wt
    src = (rows.astype(dt) + ft(0.5)) * scale - ft(0.5)
    if mode == "bilinear":
        src = np.maximum(src, ft(0))
        i0 = src.astype(np.int64)
        i1 = np.where(i0 < in_size - 1, i0 + 1, i0)
        l1 = src - i0.astype(dt)
        np.add.at(wt, (rows, i0), ft(1) - l1)
        np.add.at(wt, (rows, i1), l1)
        return wt
    # bicubic, A = -0.75, border pixels repeated
    i0 = np.floor(src).astype(np.int64)
    t = src - i0.astype(dt)
    coeffs = _cubic_coeffs(t, ft(-0.75))
    for k in range(4):
        np.add.at(wt, (rows, np.clip(i0 - 1 + k, 0, in_size - 1)), coeffs[k])
    return wt


def _bilinear_filter(x):
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _bicubic_aa(x):
    a = -0.5
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _cubic_coeffs(t, a):
    def conv1(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = t.dtype.type(1)
    return [conv2(t + one), conv1(t), conv1(one - t), conv2(2 * one - t)]


# --------------------------------------------------------------------------- crop / pad / flip

def crop(img, top: int, left: int, height: int, width: int):
    """Cut the box at (top, left) of size (height, width); outside the image is zero."""
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image. Got {type(img)}")
        return img.crop((left, top, left + width, top + height))
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - w, 0), max(bottom - h, 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """Crop the centre; an output larger than the image is zero-padded first."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def _pad_ltrb(padding):
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad each border: an int for all, (lr, tb), or (left, top, right, bottom).
    padding_mode: constant (fill), edge, reflect or symmetric. Negative padding crops."""
    if not isinstance(img, Tensor):
        return _pad_pil(img, padding, fill, padding_mode)
    _assert_image_tensor(img)
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is None:
        fill = 0
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (list, tuple)) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return _wrap(_pad_array(_arr(img), _pad_ltrb(padding), fill, padding_mode))


def _pad_array(a: np.ndarray, ltrb, fill, padding_mode: str) -> np.ndarray:
    left, top, right, bottom = ltrb
    h, w = a.shape[-2:]
    # negative padding crops
    a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    left, top, right, bottom = (max(p, 0) for p in ltrb)
    widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        return np.pad(a, widths, mode="constant", constant_values=a.dtype.type(fill))
    return np.pad(a, widths, mode=padding_mode)


def _pad_pil(img, padding, fill, padding_mode):
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            image = ImageOps.expand(img, border=padding, **opts)
            image.putpalette(palette)
            return image
        return ImageOps.expand(img, border=padding, **opts)
    ltrb = _pad_ltrb(padding)
    arr = np.asarray(img)
    hw_first = arr if arr.ndim == 2 else np.moveaxis(arr, -1, 0)
    out = _pad_array(hw_first, ltrb, 0, padding_mode)
    if arr.ndim == 3:
        out = np.moveaxis(out, 0, -1)
    return Image.fromarray(np.ascontiguousarray(out))


def hflip(img):
    """Mirror left-right."""
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image. Got {type(img)}")
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    _assert_image_tensor(img)
    return _wrap(_arr(img)[..., ::-1])


def vflip(img):
    """Mirror top-bottom."""
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image. Got {type(img)}")
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    _assert_image_tensor(img)
    return _wrap(_arr(img)[..., ::-1, :])


# --------------------------------------------------------------------------- rotate / affine

def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2x3 matrix mapping output pixels back to input pixels for
    T * C * R * S * Sh * C^-1 (rotation R by ``angle``, shear Sh, scale S)."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
    else:
        m = [a, b, 0.0, c, d, 0.0]
        m = [x * scale for x in m]
        m[2] += m[0] * (-cx) + m[1] * (-cy)
        m[5] += m[3] * (-cx) + m[4] * (-cy)
        m[2] += cx + tx
        m[5] += cy + ty
    return m


def _compute_affine_output_size(matrix, w: int, h: int):
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    half = np.array([w * 0.5, h * 0.5], dtype=np.float32)
    min_vals, max_vals = new_pts.min(0) + half, new_pts.max(0) + half
    tol = np.float32(1e-4)
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _affine_grid(theta: np.ndarray, w, h, ow, oh) -> np.ndarray:
    """Sampling grid in [-1, 1] coordinates for each output pixel, as torchvision builds it
    (pixel centres, origin at the image centre)."""
    dt = theta.dtype
    d = 0.5
    base = np.empty((oh, ow, 3), dtype=dt)
    base[..., 0] = np.linspace(-ow * 0.5 + d, ow * 0.5 + d - 1, ow, dtype=np.float64).astype(dt)
    base[..., 1] = np.linspace(-oh * 0.5 + d, oh * 0.5 + d - 1, oh,
                               dtype=np.float64).astype(dt)[:, None]
    base[..., 2] = 1
    rescaled = theta.T / np.array([0.5 * w, 0.5 * h], dtype=dt)
    return (base.reshape(oh * ow, 3) @ rescaled).reshape(oh, ow, 2)


def _grid_sample(a: np.ndarray, grid: np.ndarray, mode: str) -> np.ndarray:
    """``grid_sample(align_corners=False, padding_mode='zeros')`` of (N, C, H, W) with one
    (oh, ow, 2) grid for every image."""
    n, c, h, w = a.shape
    dt = a.dtype.type
    ix = ((grid[..., 0] + dt(1)) * dt(w) - dt(1)) / dt(2)
    iy = ((grid[..., 1] + dt(1)) * dt(h) - dt(1)) / dt(2)
    oh, ow = grid.shape[:2]
    out = np.zeros((n, c, oh, ow), dtype=a.dtype)

    def gather(yy, xx, wgt):
        ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        vals = a[:, :, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        return vals * (wgt * ok).astype(a.dtype)

    if mode == "nearest":
        return gather(np.rint(iy).astype(np.int64), np.rint(ix).astype(np.int64), dt(1))
    x0 = np.floor(ix)
    y0 = np.floor(iy)
    tx, ty = ix - x0, iy - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = out + gather(y0, x0, (dt(1) - tx) * (dt(1) - ty))
    out = out + gather(y0, x0 + 1, tx * (dt(1) - ty))
    out = out + gather(y0 + 1, x0, (dt(1) - tx) * ty)
    out = out + gather(y0 + 1, x0 + 1, tx * ty)
    return out


def _apply_grid_transform(img: Tensor, matrix, mode: str, fill, expand=False) -> Tensor:
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{mode}' is unsupported with Tensor input")
    a = _arr(img)
    out_dtype = a.dtype
    work_dt = a.dtype if _is_float(a) else np.dtype(np.float32)
    lead = a.shape[:-3]
    c, h, w = (1,) + a.shape if a.ndim == 2 else a.shape[-3:]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    theta = np.array(matrix, dtype=work_dt).reshape(2, 3)
    grid = _affine_grid(theta, w, h, ow, oh)
    x = a.astype(work_dt).reshape(-1, c, h, w)
    if fill is not None:
        # an extra all-ones channel tells, after sampling, how much came from inside
        x = np.concatenate([x, np.ones((x.shape[0], 1, h, w), dtype=work_dt)], axis=1)
    y = _grid_sample(x, grid, mode)
    if fill is not None:
        mask, y = y[:, -1:], y[:, :-1]
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = np.array(fill_list, dtype=work_dt).reshape(1, -1, 1, 1)
        if mode == "nearest":
            y = np.where(mask < 0.5, fill_img, y)
        else:
            y = y * mask + (work_dt.type(1.0) - mask) * fill_img
    y = y.reshape(lead + (c, oh, ow)) if a.ndim >= 3 else y.reshape(oh, ow)
    return _wrap(_to_out_dtype(y, out_dtype))


def _check_fill_arg(fill):
    if fill is not None and not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError("Argument fill should be either int, float, tuple or list")


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default the middle)."""
    interpolation = _check_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _check_fill_arg(fill)
    if not isinstance(img, Tensor):
        opts = _parse_fill(fill, img)
        return img.rotate(angle, _PIL_FILTERS[interpolation], expand, center, **opts)
    center_f = [0.0, 0.0]
    if center is not None:
        _, height, width = get_dimensions(img)
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return _apply_grid_transform(img, matrix, interpolation.value, fill, expand=expand)


def affine(img, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotate, translate, scale and shear about ``center``, keeping the image's size."""
    interpolation = _check_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    _check_fill_arg(fill)
    angle = float(angle)
    translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        opts = _parse_fill(fill, img)
        return img.transform(img.size, Image.Transform.AFFINE, matrix,
                             _PIL_FILTERS[interpolation], **opts)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(center_f, angle, translate_f, scale, shear)
    return _apply_grid_transform(img, matrix, interpolation.value, fill)


# --------------------------------------------------------------------------- colour

def _gray_array(a: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma of (..., 3, H, W), in float32 for integer input, cast back."""
    work = a.dtype if _is_float(a) else np.dtype(np.float32)
    ft = work.type
    r, g, b = (a[..., i, :, :].astype(work) for i in range(3))
    gray = ft(0.2989) * r + ft(0.587) * g + ft(0.114) * b
    return gray.astype(a.dtype)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """RGB -> luma, with 1 or 3 (repeated) output channels."""
    if not isinstance(img, Tensor):
        return to_grayscale(img, num_output_channels)
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    a = _arr(img)
    gray = _gray_array(a) if a.shape[-3] == 3 else a.copy()
    if num_output_channels == 3:
        gray = np.broadcast_to(gray, a.shape[:-3] + (3,) + a.shape[-2:])
    return _wrap(gray)


def to_grayscale(img, num_output_channels: int = 1):
    """PIL image -> grayscale PIL image ('L', or 'RGB' with three equal bands)."""
    if isinstance(img, Tensor):
        return rgb_to_grayscale(img, num_output_channels)
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        g = np.array(img.convert("L"), dtype=np.uint8)
        return Image.fromarray(np.dstack([g, g, g]))
    raise ValueError("num_output_channels should be either 1 or 3")


def _check_pil(img):
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def adjust_brightness(img, brightness_factor: float):
    """Blend with black: 0 gives black, 1 the original."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _arr(img)
    return _wrap(_blend(a, np.zeros_like(a), brightness_factor))


def adjust_contrast(img, contrast_factor: float):
    """Blend with the mean grey level of the image."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    a = _arr(img)
    work = a.dtype if _is_float(a) else np.dtype(np.float32)
    gray = _gray_array(a) if a.shape[-3] == 3 else a
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True, dtype=work)
    return _wrap(_blend(a, mean, contrast_factor))


def adjust_saturation(img, saturation_factor: float):
    """Blend with the grayscale image: 0 gives gray, 1 the original."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Color(img).enhance(saturation_factor)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _arr(img)
    if a.shape[-3] == 1:
        return img
    return _wrap(_blend(a, _gray_array(a), saturation_factor))


def _rgb2hsv(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    ft = a.dtype.type
    maxc = a.max(axis=-3)
    minc = a.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_div = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_div, (maxc - g) / cr_div, (maxc - b) / cr_div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (ft(2.0) + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (ft(4.0) + gc - rc)
    h = (hr + hg + hb).astype(a.dtype)
    h = np.fmod(h / ft(6.0) + ft(1.0), ft(1.0))
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(a: np.ndarray) -> np.ndarray:
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    ft = a.dtype.type
    i = np.floor(h * ft(6.0))
    f = h * ft(6.0) - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (ft(1.0) - s), 0.0, 1.0)
    q = np.clip(v * (ft(1.0) - s * f), 0.0, 1.0)
    t = np.clip(v * (ft(1.0) - s * (ft(1.0) - f)), 0.0, 1.0)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack((r, g, b), axis=-3)


def adjust_hue(img, hue_factor: float):
    """Shift the hue by ``hue_factor`` turns (in [-0.5, 0.5]) through HSV space."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        _check_pil(img)
        input_mode = img.mode
        if input_mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        with np.errstate(over="ignore"):
            np_h += np.array(np.int32(hue_factor * 255)).astype(np.uint8)
        h = Image.fromarray(np_h, "L")
        return Image.merge("HSV", (h, s, v)).convert(input_mode)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    a = _arr(convert_image_dtype(img, numtorch.float32))
    hsv = _rgb2hsv(a)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    return convert_image_dtype(_wrap(_hsv2rgb(hsv)), orig_dtype)


def adjust_gamma(img, gamma: float, gain: float = 1):
    """``gain * img ** gamma`` on values in [0, 1]."""
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    if not isinstance(img, Tensor):
        _check_pil(img)
        input_mode = img.mode
        img = img.convert("RGB")
        gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma))
                     for ele in range(256)] * 3
        return img.point(gamma_map).convert(input_mode)
    _assert_image_tensor(img)
    dtype = img.dtype
    res = img if img.is_floating_point() else convert_image_dtype(img, numtorch.float32)
    a = _arr(res)
    a = np.clip(a.dtype.type(gain) * a ** a.dtype.type(gamma), 0, 1)
    return convert_image_dtype(_wrap(a), dtype)


def _conv3x3_valid(a: np.ndarray, k: np.ndarray) -> np.ndarray:
    h, w = a.shape[-2:]
    out = np.zeros(a.shape[:-2] + (h - 2, w - 2), dtype=a.dtype)
    for dy in range(3):
        for dx in range(3):
            out += k[dy, dx] * a[..., dy:dy + h - 2, dx:dx + w - 2]
    return out


def adjust_sharpness(img, sharpness_factor: float):
    """Blend with a smoothed copy (border pixels kept): 0 blurs, 2 sharpens."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    a = _arr(img)
    work = a.dtype if _is_float(a) else np.dtype(np.float32)
    k = np.ones((3, 3), dtype=work)
    k[1, 1] = 5.0
    k /= k.sum()
    blurred = a.copy()
    blurred[..., 1:-1, 1:-1] = _to_out_dtype(_conv3x3_valid(a.astype(work), k), a.dtype)
    return _wrap(_blend(a, blurred, sharpness_factor))


def invert(img):
    """``max - img``."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.invert(img)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _arr(img)
    return _wrap((a.dtype.type(_max_value(a.dtype)) - a).astype(a.dtype))


def posterize(img, bits: int):
    """Keep the top ``bits`` bits of each uint8 value."""
    if not (0 <= bits <= 8):
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.posterize(img, bits)
    _assert_image_tensor(img)
    if img.dtype != numtorch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    mask = np.uint8((-int(2 ** (8 - bits))) & 0xFF)
    return _wrap(_arr(img) & mask)


def solarize(img, threshold: float):
    """Invert every value at or above ``threshold``."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.solarize(img, threshold)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _arr(img)
    if threshold > _max_value(a.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    inv = (a.dtype.type(_max_value(a.dtype)) - a).astype(a.dtype)
    return _wrap(np.where(a >= threshold, inv, a))


def autocontrast(img):
    """Stretch each channel so its darkest value is 0 and its lightest the maximum."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.autocontrast(img)
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    _assert_channels(img, [1, 3])
    a = _arr(img)
    bound = _max_value(a.dtype)
    work = a.dtype if _is_float(a) else np.dtype(np.float32)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(work)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(work)
    with np.errstate(divide="ignore"):
        scale = work.type(bound) / (hi - lo)
    bad = ~np.isfinite(scale)
    lo[bad] = 0
    scale[bad] = 1
    return _wrap(np.clip((a - lo) * scale, 0, bound).astype(a.dtype))


def _equalize_channel(ch: np.ndarray) -> np.ndarray:
    hist = np.bincount(ch.reshape(-1), minlength=256)
    nonzero = hist[hist != 0]
    step = nonzero[:-1].sum() // 255
    if step == 0:
        return ch
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
    return lut[ch].astype(np.uint8)


def equalize(img):
    """Histogram equalisation per channel (uint8)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return ImageOps.equalize(img)
    _assert_image_tensor(img)
    if not (3 <= img.ndim <= 4):
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != numtorch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    a = _arr(img)
    flat = a.reshape(-1, *a.shape[-2:])
    return _wrap(np.stack([_equalize_channel(c) for c in flat]).reshape(a.shape))


# --------------------------------------------------------------------------- blur / erase

def _gaussian_kernel1d(ksize: int, sigma: float, dt) -> np.ndarray:
    half = (ksize - 1) * 0.5
    x = np.linspace(-half, half, ksize).astype(dt)
    pdf = np.exp(dt.type(-0.5) * (x / dt.type(sigma)) ** 2)
    return pdf / pdf.sum(dtype=dt)


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a Gaussian kernel (width, height) and sigma (x, y); reflect padding."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError("kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError("If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError("kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    t_img = img
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    _assert_image_tensor(t_img)
    a = _arr(t_img)
    work = a.dtype if _is_float(a) else np.dtype(np.float32)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], work)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], work)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    x = a.astype(work)
    widths = [(0, 0)] * (x.ndim - 2) + [(py, py), (px, px)]
    x = np.pad(x, widths, mode="reflect")
    h, w = a.shape[-2:]
    tmp = np.zeros(x.shape[:-1] + (w,), dtype=work)
    for k in range(kernel_size[0]):
        tmp += kx[k] * x[..., :, k:k + w]
    out = np.zeros(a.shape, dtype=work)
    for k in range(kernel_size[1]):
        out += ky[k] * tmp[..., k:k + h, :]
    result = _wrap(_to_out_dtype(out, a.dtype))
    if not isinstance(img, Tensor):
        return to_pil_image(result, mode=img.mode)
    return result


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set the box (i, j, h, w) of every channel to ``v``."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
