"""v2 functionals on sizes, dtypes and boxes: get_size, to_image, to_dtype, normalize,
convert_bounding_box_format, clamp_bounding_boxes, erase."""

from __future__ import annotations

import numpy as np
from PIL import Image as PILImage

import numtorch
from numtorch._tensor import Tensor

from .... import tv_tensors
from ... import functional as F1
from ._utils import _IMAGE_TYPES, _NoKernel, _on_pixels, _plain, _unsupported, is_pure_tensor

BoundingBoxFormat = tv_tensors.BoundingBoxFormat


# --------------------------------------------------------------------------- sizes

def get_dimensions(inpt) -> list[int]:
    """``[C, H, W]`` of an image or video."""
    if isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
        raise _unsupported("get_dimensions", inpt, _IMAGE_TYPES)
    return F1.get_dimensions(inpt)


def get_num_channels(inpt) -> int:
    return get_dimensions(inpt)[0]


def get_size(inpt) -> list[int]:
    """``[H, W]`` of an image, video or mask; the canvas size of boxes."""
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        return list(inpt.canvas_size)
    if isinstance(inpt, tv_tensors.Mask):
        return list(inpt.shape[-2:])
    return get_dimensions(inpt)[1:]


# --------------------------------------------------------------------------- conversion

def to_image(inpt) -> tv_tensors.Image:
    """A NumPy ``HWC`` array, Pillow image or ``CHW`` tensor as a ``tv_tensors.Image``."""
    if isinstance(inpt, np.ndarray):
        a = np.atleast_3d(inpt).transpose(2, 0, 1)
        output = numtorch.from_numpy(np.ascontiguousarray(a))
    elif isinstance(inpt, PILImage.Image):
        output = F1.pil_to_tensor(inpt)
    elif isinstance(inpt, Tensor):
        output = inpt
    else:
        raise TypeError(f"Input can either be a pure Tensor, a numpy array, or a PIL image, but "
                        f"got {type(inpt)} instead.")
    return tv_tensors.Image(output)


def pil_to_tensor(pic) -> Tensor:
    return F1.pil_to_tensor(pic)


def to_pil_image(pic, mode=None):
    return F1.to_pil_image(pic, mode)


def _num_value_bits(dtype) -> int:
    bits = {numtorch.uint8: 8, numtorch.int8: 7, numtorch.int16: 15, numtorch.int32: 31,
            numtorch.int64: 63}
    if dtype not in bits:
        raise TypeError(f"Number of value bits is only defined for integer dtypes, but got "
                        f"{dtype}.")
    return bits[dtype]


def _to_dtype_image(image: Tensor, dtype, scale: bool) -> Tensor:
    if image.dtype == dtype:
        return image
    if not scale:
        return image.to(dtype)
    float_in, float_out = image.is_floating_point(), dtype.is_floating_point
    if float_in:
        if float_out:
            return image.to(dtype)
        if (image.dtype == numtorch.float32 and dtype in (numtorch.int32, numtorch.int64)) or (
                image.dtype == numtorch.float64 and dtype == numtorch.int64):
            raise RuntimeError(f"The conversion from {image.dtype} to {dtype} cannot be "
                               "performed safely.")
        # max + 1 - eps spreads [0, 1] evenly over the integers (only 1.0 maps to max)
        eps = 1e-3
        return image.mul(float(2 ** _num_value_bits(dtype) - 1) + 1.0 - eps).to(dtype)
    max_in = 2 ** _num_value_bits(image.dtype) - 1
    if float_out:
        # v2 multiplies by 1/max where v1 (ToTensor) divides: the last bit can differ
        return image.to(dtype).mul_(1.0 / max_in)
    shift = _num_value_bits(image.dtype) - _num_value_bits(dtype)
    if shift > 0:
        return image.bitwise_right_shift(shift).to(dtype)
    return image.to(dtype).bitwise_left_shift_(-shift)


def to_dtype(inpt, dtype=numtorch.float, scale: bool = False):
    """Cast; with ``scale=True`` images and videos are also rescaled to the new range
    (floats in [0, 1], integers in [0, max]). Masks and boxes are only cast."""
    if isinstance(inpt, (tv_tensors.Mask, tv_tensors.BoundingBoxes)):
        return inpt.to(dtype)
    if isinstance(inpt, PILImage.Image):
        raise _unsupported("to_dtype", inpt, [Tensor, tv_tensors.Image, tv_tensors.Video,
                                              tv_tensors.Mask, tv_tensors.BoundingBoxes])
    return _on_pixels("to_dtype", inpt, _to_dtype_image, dtype, scale)


def convert_image_dtype(image, dtype=numtorch.float32):
    return to_dtype(image, dtype, scale=True)


def _normalize_image(image: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """v2's: its checks and messages (a zero std is caught before any cast), then
    ``(x - mean) / std`` with mean and std in the image's dtype."""
    if not image.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {image.dtype}.")
    if image.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"{image.shape}.")
    if isinstance(std, (tuple, list)):
        divzero = not all(std)
    else:
        divzero = isinstance(std, (int, float)) and std == 0
    if divzero:
        raise ValueError("std evaluated to zero, leading to division by zero.")
    mean = numtorch.as_tensor(mean, dtype=image.dtype, device=image.device)
    std = numtorch.as_tensor(std, dtype=image.dtype, device=image.device)
    mean = mean.view(-1, 1, 1) if mean.ndim == 1 else mean
    std = std.view(-1, 1, 1) if std.ndim == 1 else std
    image = image.sub_(mean) if inplace else image.sub(mean)
    return image.div_(std)


def normalize(inpt, mean, std, inplace: bool = False):
    """``(x - mean) / std`` per channel, for float images and videos."""
    if isinstance(inpt, PILImage.Image):
        raise _unsupported("normalize", inpt, [Tensor, tv_tensors.Image, tv_tensors.Video])
    return _on_pixels("normalize", inpt, _normalize_image, mean, std, inplace)


def erase(inpt, i: int, j: int, h: int, w: int, v: Tensor, inplace: bool = False):
    """Fill the box at (i, j) of size (h, w) with ``v``."""
    if isinstance(inpt, PILImage.Image):
        return F1.to_pil_image(erase(F1.pil_to_tensor(inpt), i, j, h, w, v, inplace),
                               mode=inpt.mode)
    return _on_pixels("erase", inpt, F1.erase, i, j, h, w, v, inplace)


# --------------------------------------------------------------------------- boxes

def _to_xyxy(a: np.ndarray, fmt: BoundingBoxFormat) -> np.ndarray:
    if fmt == BoundingBoxFormat.XYXY:
        return a.copy()
    out = a.copy()
    if fmt == BoundingBoxFormat.XYWH:
        out[..., 2:] = a[..., :2] + a[..., 2:]
        return out
    # CXCYWH: the corner is the centre minus half the size (floored for integer boxes)
    half = a[..., 2:] / 2 if a.dtype.kind == "f" else -(-a[..., 2:] // 2)
    out[..., :2] = a[..., :2] - half
    out[..., 2:] = out[..., :2] + a[..., 2:]
    return out


def _from_xyxy(a: np.ndarray, fmt: BoundingBoxFormat) -> np.ndarray:
    if fmt == BoundingBoxFormat.XYXY:
        return a
    out = a.copy()
    wh = a[..., 2:] - a[..., :2]
    out[..., 2:] = wh
    if fmt == BoundingBoxFormat.CXCYWH:
        doubled = a[..., :2] * 2 + wh
        out[..., :2] = doubled / 2 if a.dtype.kind == "f" else doubled // 2
    return out


def _check_format(fmt):
    if isinstance(fmt, str):
        fmt = BoundingBoxFormat[fmt.upper()]
    if tv_tensors.is_rotated_bounding_format(fmt):
        raise NotImplementedError(f"numtorch: rotated box format {fmt} is not supported yet")
    return fmt


def convert_bounding_box_format(inpt, old_format=None, new_format=None, inplace=False):
    """Rewrite boxes in ``new_format`` (``XYXY``, ``XYWH``, ``CXCYWH``)."""
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: "
                        "'new_format'")
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if old_format is not None:
            raise ValueError("For bounding box tv_tensor inputs, `old_format` must not be "
                             "passed.")
        new_format = _check_format(new_format)
        out = _convert(_plain(inpt), _check_format(inpt.format), new_format)
        return tv_tensors.wrap(out, like=inpt, format=new_format)
    if is_pure_tensor(inpt):
        if old_format is None:
            raise ValueError("For pure tensor inputs, `old_format` has to be passed.")
        return _convert(inpt, _check_format(old_format), _check_format(new_format))
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got "
                    f"{type(inpt)} instead.")


def _convert(boxes: Tensor, old, new) -> Tensor:
    if old == new:
        return boxes
    a = boxes.detach().numpy()
    return numtorch.from_numpy(np.ascontiguousarray(_from_xyxy(_to_xyxy(a, old), new)))


def _clamp_xyxy(a: np.ndarray, canvas_size) -> np.ndarray:
    h, w = canvas_size
    a = a.copy()
    a[..., 0::2] = a[..., 0::2].clip(0, w)
    a[..., 1::2] = a[..., 1::2].clip(0, h)
    return a


def _clamp_array(a: np.ndarray, fmt, canvas_size) -> np.ndarray:
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    out = _from_xyxy(_clamp_xyxy(_to_xyxy(work, fmt), canvas_size), fmt)
    return out.astype(a.dtype)


def clamp_bounding_boxes(inpt, format=None, canvas_size=None, clamping_mode="soft"):
    """Clip boxes to their canvas: x into [0, W], y into [0, H]."""
    if isinstance(inpt, tv_tensors.BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError("For bounding box tv_tensor inputs, `format` and `canvas_size` "
                             "must not be passed.")
        a = _clamp_array(_plain(inpt).numpy(), _check_format(inpt.format), inpt.canvas_size)
        return tv_tensors.wrap(numtorch.from_numpy(a), like=inpt)
    if is_pure_tensor(inpt):
        if format is None or canvas_size is None:
            raise ValueError("For pure tensor inputs, `format` and `canvas_size` have to be "
                             "passed.")
        return numtorch.from_numpy(_clamp_array(inpt.detach().numpy(), _check_format(format),
                                                canvas_size))
    raise TypeError(f"Input can either be a plain tensor or a bounding box tv_tensor, but got "
                    f"{type(inpt)} instead.")


__all__ = ["get_dimensions", "get_num_channels", "get_size", "to_image", "pil_to_tensor",
           "to_pil_image", "to_dtype", "convert_image_dtype", "normalize", "erase",
           "convert_bounding_box_format", "clamp_bounding_boxes", "_NoKernel"]
