"""v2 geometric functionals: each moves images, videos, masks and boxes alike.

Pixels go through the v1 kernels (``transforms.functional``); masks through the same
kernels with nearest interpolation; boxes through the small box kernels here, which
work in XYXY (converted from and back to the boxes' format) as torchvision's do.
"""

from __future__ import annotations

import numbers

import numpy as np

import numtorch

from .... import tv_tensors
from ... import functional as F1
from ...functional import InterpolationMode, _interpolation_modes_from_int
from ._meta import _check_format, _clamp_xyxy, _from_xyxy, _to_xyxy, clamp_bounding_boxes
from ._utils import _as_mask_image, _on_pixels, _plain

__all__ = ["horizontal_flip", "vertical_flip", "hflip", "vflip", "resize", "crop",
           "center_crop", "resized_crop", "pad", "rotate", "affine"]

_BOXES = tv_tensors.BoundingBoxes


def _check_interpolation(interpolation):
    """v2's check: a Pillow integer becomes its mode; anything not a mode is a ValueError
    (v1's is a TypeError)."""
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise ValueError("Argument interpolation should be an `InterpolationMode` or a "
                         f"corresponding Pillow integer constant, but got {interpolation}.")
    return interpolation


def _box_op(boxes, fn, *, clamp: bool):
    """Apply ``fn(xyxy_array) -> (xyxy_array, canvas_size)`` to BoundingBoxes, keeping
    their format and dtype (integer boxes are computed in float32, then truncated)."""
    fmt = _check_format(boxes.format)
    a = _plain(boxes).numpy()
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    xyxy, canvas = fn(_to_xyxy(work, fmt))
    if clamp:
        xyxy = _clamp_xyxy(xyxy, canvas)
    out = _from_xyxy(xyxy, fmt).astype(a.dtype)
    return tv_tensors.wrap(numtorch.from_numpy(np.ascontiguousarray(out)), like=boxes,
                           canvas_size=tuple(canvas))


# --------------------------------------------------------------------------- flips
# Flips, crops and pads move boxes in their own format, as torchvision's do: a trip
# through XYXY would round integer CXCYWH boxes of odd size (ceil, then floor) by one.

def _flip_boxes(boxes, lo: int, hi: int, size: int):
    """Mirror coordinate ``lo`` (x: 0, y: 1) across ``size``; ``hi`` is its far edge (XYXY)
    or extent (XYWH)."""
    fmt = _check_format(boxes.format)
    out = _plain(boxes).clone().reshape(-1, 4)
    if fmt == tv_tensors.BoundingBoxFormat.XYXY:
        out[:, [hi, lo]] = out[:, [lo, hi]].sub(size).neg()
    elif fmt == tv_tensors.BoundingBoxFormat.XYWH:
        out[:, lo] = out[:, lo].add(out[:, hi]).sub(size).neg()
    else:  # CXCYWH: only the centre moves
        out[:, lo] = out[:, lo].sub(size).neg()
    return tv_tensors.wrap(out.reshape(boxes.shape), like=boxes)


def horizontal_flip(inpt):
    """Mirror left-right."""
    if isinstance(inpt, _BOXES):
        return _flip_boxes(inpt, 0, 2, inpt.canvas_size[1])
    return _on_pixels("horizontal_flip", inpt, F1.hflip, mask_kernel=F1.hflip)


def vertical_flip(inpt):
    """Mirror top-bottom."""
    if isinstance(inpt, _BOXES):
        return _flip_boxes(inpt, 1, 3, inpt.canvas_size[0])
    return _on_pixels("vertical_flip", inpt, F1.vflip, mask_kernel=F1.vflip)


hflip = horizontal_flip
vflip = vertical_flip


# --------------------------------------------------------------------------- resize

def _output_size(canvas_size, size, max_size):
    if size is None:
        size = []
    elif isinstance(size, int):
        size = [size]
    return F1._compute_resized_output_size(tuple(canvas_size), list(size), max_size)


def _resize_mask(mask, size, interpolation=None, max_size=None, antialias=None):
    return _as_mask_image(F1.resize)(mask, size, InterpolationMode.NEAREST, max_size,
                                     antialias=False)


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
           antialias: bool = True):
    """Resize to ``size`` ((h, w), or the short side); boxes scale with the canvas."""
    interpolation = _check_interpolation(interpolation)
    if isinstance(inpt, _BOXES):
        _check_format(inpt.format)
        old_h, old_w = inpt.canvas_size
        new_h, new_w = _output_size(inpt.canvas_size, size, max_size)
        # scaling is the same in every format, so torchvision scales the raw numbers by a
        # float32 ratio tensor (float32 arithmetic for float32 and integer boxes, truncated)
        ratios = numtorch.tensor([new_w / old_w, new_h / old_h] * 2)
        out = _plain(inpt).mul(ratios).to(inpt.dtype)
        return tv_tensors.wrap(out, like=inpt, canvas_size=(new_h, new_w))
    return _on_pixels("resize", inpt, F1.resize, size, interpolation, max_size,
                      antialias=antialias, mask_kernel=_resize_mask)


# --------------------------------------------------------------------------- crop / pad

def _shift_boxes(boxes, dx, dy, canvas_size):
    """Move boxes by (dx, dy) (the corner or centre; sizes stay) onto a new canvas, then
    clamp to it, as torchvision's crop and pad do."""
    fmt = _check_format(boxes.format)
    shift = [dx, dy, dx, dy] if fmt == tv_tensors.BoundingBoxFormat.XYXY else [dx, dy, 0, 0]
    out = _plain(boxes).add(numtorch.tensor(shift, dtype=boxes.dtype))
    out = clamp_bounding_boxes(out, format=fmt, canvas_size=canvas_size)
    return tv_tensors.wrap(out, like=boxes, canvas_size=tuple(canvas_size))


def _crop_boxes(boxes, top, left, height, width):
    return _shift_boxes(boxes, -left, -top, (height, width))


def crop(inpt, top: int, left: int, height: int, width: int):
    """Cut the box at (top, left) of size (height, width); boxes shift and are clamped."""
    if isinstance(inpt, _BOXES):
        return _crop_boxes(inpt, top, left, height, width)
    kernel = _as_mask_image(F1.crop)
    return _on_pixels("crop", inpt, F1.crop, top, left, height, width, mask_kernel=kernel)


def _parse_crop_size(output_size):
    if isinstance(output_size, numbers.Number):
        return int(output_size), int(output_size)
    if isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        return output_size[0], output_size[0]
    return output_size


def center_crop(inpt, output_size):
    """Crop the centre (zero-padding first where the output is larger)."""
    if isinstance(inpt, _BOXES):
        ch, cw = _parse_crop_size(output_size)
        h, w = inpt.canvas_size
        top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
        return _crop_boxes(inpt, top, left, ch, cw)
    kernel = _as_mask_image(F1.center_crop)
    return _on_pixels("center_crop", inpt, F1.center_crop, output_size, mask_kernel=kernel)


def resized_crop(inpt, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool = True):
    """``crop`` then ``resize``."""
    return resize(crop(inpt, top, left, height, width), size, interpolation,
                  antialias=antialias)


def _parse_pad(padding):
    """``[left, top, right, bottom]`` from an int or a sequence of 1, 2 or 4."""
    if isinstance(padding, int):
        return [padding] * 4
    if isinstance(padding, (tuple, list)) and len(padding) in (1, 2, 4):
        return F1._pad_ltrb(list(padding))
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element of tuple or list, got "
                     f"{padding}.")


def pad(inpt, padding, fill=None, padding_mode: str = "constant"):
    """Pad the borders; boxes shift by the left/top padding and the canvas grows."""
    if isinstance(inpt, _BOXES):
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or "
                             "symmetric")
        left, top, right, bottom = _parse_pad(padding)
        h, w = inpt.canvas_size
        return _shift_boxes(inpt, left, top, (h + top + bottom, w + left + right))
    fill = 0 if fill is None else fill
    kernel = _as_mask_image(F1.pad)
    return _on_pixels("pad", inpt, F1.pad, padding, fill, padding_mode, mask_kernel=kernel)


# --------------------------------------------------------------------------- affine

def _affine_boxes(boxes, angle, translate, scale, shear, center, expand):
    """Move each box's four corners with the forward affine map, take their bounding box,
    and (with ``expand``) shift into the grown canvas; then clamp."""
    h, w = boxes.canvas_size
    if center is None:
        center = [w * 0.5, h * 0.5]
    m = np.array(F1._get_inverse_affine_matrix(center, angle, translate, scale, shear,
                                               inverted=False)).reshape(2, 3)

    def move(a):
        dt = a.dtype
        corners = a[:, [[0, 1], [2, 1], [0, 3], [2, 3]]].reshape(-1, 2).astype(dt)
        pts = np.concatenate([corners, np.ones((len(corners), 1), dt)], axis=1)
        moved = (pts @ m.T.astype(dt)).reshape(-1, 4, 2)
        out = np.concatenate([moved.min(1), moved.max(1)], axis=1)
        canvas = (h, w)
        if expand:
            frame = np.array([[0.0, 0.0, 1.0], [0.0, h, 1.0], [w, h, 1.0], [w, 0.0, 1.0]], dt)
            out = out - np.tile((frame @ m.T.astype(dt)).min(0), 2)
            inv = F1._get_inverse_affine_matrix(center, angle, translate, scale, shear)
            new_w, new_h = F1._compute_affine_output_size(inv, w, h)
            canvas = (new_h, new_w)
        return out, canvas
    return _box_op(boxes, move, clamp=True)


def _check_shear(shear):
    if isinstance(shear, numbers.Number):
        return [float(shear), 0.0]
    if isinstance(shear, (list, tuple)) and len(shear) == 1:
        return [float(shear[0]), float(shear[0])]
    if isinstance(shear, (list, tuple)) and len(shear) == 2:
        return [float(s) for s in shear]
    raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")


def affine(inpt, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotate, translate, scale and shear about ``center``, keeping the size."""
    if isinstance(inpt, _BOXES):
        return _affine_boxes(inpt, float(angle), [float(t) for t in translate], float(scale),
                             _check_shear(shear), center, expand=False)

    def mask_kernel(mask, *args, **kwargs):
        kwargs["interpolation"] = InterpolationMode.NEAREST
        return _as_mask_image(F1.affine)(mask, *args, **kwargs)
    return _on_pixels("affine", inpt, F1.affine, angle, translate, scale, shear,
                      interpolation=interpolation, fill=fill, center=center,
                      mask_kernel=mask_kernel)


def rotate(inpt, angle, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees; boxes become the bounding box of
    their rotated corners."""
    if isinstance(inpt, _BOXES):
        return _affine_boxes(inpt, -float(angle), [0.0, 0.0], 1.0, [0.0, 0.0], center,
                             expand=expand)

    def mask_kernel(mask, *args, **kwargs):
        kwargs["interpolation"] = InterpolationMode.NEAREST
        return _as_mask_image(F1.rotate)(mask, *args, **kwargs)
    return _on_pixels("rotate", inpt, F1.rotate, angle, interpolation=interpolation,
                      expand=expand, center=center, fill=fill, mask_kernel=mask_kernel)


