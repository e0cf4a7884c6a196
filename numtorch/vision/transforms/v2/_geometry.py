"""v2 geometric transforms: the random parameters are drawn once per call (in
torchvision's order, from numtorch's generator) and applied to every image, video, mask
and box of the sample, so boxes and masks move with the pixels."""

from __future__ import annotations

import numbers
from collections import defaultdict
from collections.abc import Sequence

from PIL import Image as PILImage

import numtorch

from ... import tv_tensors
from ...ops import box_iou
from .. import transforms as T1
from ..functional import InterpolationMode
from ..transforms import _check_sequence_input, _setup_angle, _setup_size
from . import functional as F
from ._transform import Transform, _RandomApplyTransform, has_all, has_any, query_size
from .functional import is_pure_tensor
from .functional._geometry import _check_interpolation
from .functional._utils import _plain

__all__ = ["RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "CenterCrop", "RandomCrop",
           "RandomResizedCrop", "Pad", "RandomRotation", "RandomAffine", "RandomZoomOut",
           "RandomIoUCrop"]

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."


def _check_fill_arg(fill):
    if isinstance(fill, dict):
        for value in fill.values():
            _check_fill_arg(value)
    elif fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg, only Numbers, tuples, lists and dicts are "
                        "allowed.")


def _convert_fill(fill):
    if fill is None or isinstance(fill, (int, float)):
        return fill
    return [float(v) for v in fill]


def _setup_fill_arg(fill) -> dict:
    """``{type: fill}``: a plain fill applies to every type (masks included)."""
    _check_fill_arg(fill)
    if isinstance(fill, dict):
        return {k: _convert_fill(v) for k, v in fill.items()}
    default = _convert_fill(fill)
    return defaultdict(lambda: default)


def _get_fill(fill_dict, inpt_type):
    """The fill for ``inpt_type``: its own entry, else ``"others"``, else None (the
    kernel's default), as torchvision's (whose "never happens" error is never raised)."""
    if inpt_type in fill_dict or isinstance(fill_dict, defaultdict):
        return fill_dict[inpt_type]
    return fill_dict.get("others")


def _canvas(height: int, width: int):
    """A zero-channel image of the sample's size, for the v1 ``get_params`` to measure."""
    return numtorch.empty(0, height, width)


class RandomHorizontalFlip(_RandomApplyTransform):
    _v1_transform_cls = T1.RandomHorizontalFlip

    def transform(self, inpt, params):
        return self._call_kernel(F.horizontal_flip, inpt)


class RandomVerticalFlip(_RandomApplyTransform):
    _v1_transform_cls = T1.RandomVerticalFlip

    def transform(self, inpt, params):
        return self._call_kernel(F.vertical_flip, inpt)


class Resize(Transform):
    _v1_transform_cls = T1.Resize

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True) -> None:
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif isinstance(size, Sequence) and len(size) in {1, 2}:
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(f"max_size must be an integer when size is None, but got "
                                 f"{max_size} instead.")
        else:
            raise ValueError(f"size can be an integer, a sequence of one or two integers, or "
                             f"None, but got {size} instead.")
        self.size = size
        self.interpolation = _check_interpolation(interpolation)
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt, params):
        return self._call_kernel(F.resize, inpt, self.size, interpolation=self.interpolation,
                                 max_size=self.max_size, antialias=self.antialias)


class CenterCrop(Transform):
    _v1_transform_cls = T1.CenterCrop

    def __init__(self, size) -> None:
        super().__init__()
        self.size = _setup_size(size, error_msg=_SIZE_MSG)

    def transform(self, inpt, params):
        return self._call_kernel(F.center_crop, inpt, output_size=self.size)


class RandomResizedCrop(Transform):
    """Crop a random area and aspect ratio (the same box for every input), then resize."""

    _v1_transform_cls = T1.RandomResizedCrop

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True) -> None:
        super().__init__()
        self.size = _setup_size(size, error_msg=_SIZE_MSG)
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            import warnings

            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.scale = scale
        self.ratio = ratio
        self.interpolation = _check_interpolation(interpolation)
        self.antialias = antialias

    def make_params(self, flat_inputs):
        # the same draws as v1's get_params: up to 10 tries of uniform, exp(uniform), randint
        top, left, height, width = T1.RandomResizedCrop.get_params(
            _canvas(*query_size(flat_inputs)), self.scale, self.ratio)
        return dict(top=top, left=left, height=height, width=width)

    def transform(self, inpt, params):
        return self._call_kernel(F.resized_crop, inpt, **params, size=self.size,
                                 interpolation=self.interpolation, antialias=self.antialias)


def _parse_pad_padding(padding) -> list[int]:
    """``[left, right, top, bottom]``."""
    if isinstance(padding, int):
        return [padding] * 4
    if isinstance(padding, Sequence) and len(padding) in (1, 2, 4):
        if len(padding) == 1:
            return [padding[0]] * 4
        if len(padding) == 2:
            return [padding[0], padding[0], padding[1], padding[1]]
        return [padding[0], padding[2], padding[1], padding[3]]
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element of tuple or list, got "
                     f"{padding}.")


def _check_padding_mode(padding_mode):
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("`padding_mode` must be one of 'constant', 'edge', 'reflect' or "
                         "'symmetric'.")


class Pad(Transform):
    _v1_transform_cls = T1.Pad

    def __init__(self, padding, fill=0, padding_mode="constant") -> None:
        super().__init__()
        _parse_pad_padding(padding)  # validates
        _check_padding_mode(padding_mode)
        if isinstance(padding, Sequence):
            padding = list(padding)
        self.padding = padding
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.padding_mode = padding_mode

    def transform(self, inpt, params):
        fill = _get_fill(self._fill, type(inpt))
        return self._call_kernel(F.pad, inpt, padding=self.padding, fill=fill,
                                 padding_mode=self.padding_mode)


class RandomCrop(Transform):
    """Crop at a random place (the same for every input), padding first if asked."""

    _v1_transform_cls = T1.RandomCrop

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0,
                 padding_mode="constant") -> None:
        super().__init__()
        self.size = _setup_size(size, error_msg=_SIZE_MSG)
        self.padding = _parse_pad_padding(padding) if padding else None
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        _check_padding_mode(padding_mode)
        self.padding_mode = padding_mode

    def make_params(self, flat_inputs):
        padded_h, padded_w = query_size(flat_inputs)
        if self.padding is not None:
            pad_left, pad_right, pad_top, pad_bottom = self.padding
            padded_h += pad_top + pad_bottom
            padded_w += pad_left + pad_right
        else:
            pad_left = pad_right = pad_top = pad_bottom = 0
        crop_h, crop_w = self.size
        if self.pad_if_needed:
            if padded_h < crop_h:
                diff = crop_h - padded_h
                pad_top, pad_bottom = pad_top + diff, pad_bottom + diff
                padded_h += 2 * diff
            if padded_w < crop_w:
                diff = crop_w - padded_w
                pad_left, pad_right = pad_left + diff, pad_right + diff
                padded_w += 2 * diff
        if padded_h < crop_h or padded_w < crop_w:
            padded = "padded " if self.padding is not None else ""
            raise ValueError(f"Required crop size {(crop_h, crop_w)} is larger than {padded}input "
                             f"image size {(padded_h, padded_w)}.")
        padding = [pad_left, pad_top, pad_right, pad_bottom]
        # a randint only along a dimension that has room (v1 draws both or neither)
        top = int(numtorch.randint(0, padded_h - crop_h + 1, size=())) if padded_h > crop_h else 0
        left = int(numtorch.randint(0, padded_w - crop_w + 1, size=())) if padded_w > crop_w else 0
        return dict(needs_crop=padded_h > crop_h or padded_w > crop_w, top=top, left=left,
                    height=crop_h, width=crop_w, needs_pad=any(padding), padding=padding)

    def transform(self, inpt, params):
        if params["needs_pad"]:
            inpt = self._call_kernel(F.pad, inpt, padding=params["padding"],
                                     fill=_get_fill(self._fill, type(inpt)),
                                     padding_mode=self.padding_mode)
        if params["needs_crop"]:
            inpt = self._call_kernel(F.crop, inpt, top=params["top"], left=params["left"],
                                     height=params["height"], width=params["width"])
        return inpt


class RandomRotation(Transform):
    _v1_transform_cls = T1.RandomRotation

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0) -> None:
        super().__init__()
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        self.interpolation = _check_interpolation(interpolation)
        self.expand = expand
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    def make_params(self, flat_inputs):
        return dict(angle=numtorch.empty(1).uniform_(self.degrees[0], self.degrees[1]).item())

    def transform(self, inpt, params):
        return self._call_kernel(F.rotate, inpt, **params, interpolation=self.interpolation,
                                 expand=self.expand, center=self.center,
                                 fill=_get_fill(self._fill, type(inpt)))


class RandomAffine(Transform):
    _v1_transform_cls = T1.RandomAffine

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None) -> None:
        super().__init__()
        # v1 validates every argument the same way
        v1 = T1.RandomAffine(degrees, translate, scale, shear, interpolation, fill, center)
        self.degrees = v1.degrees
        self.translate = translate
        self.scale = scale
        self.shear = v1.shear
        self.interpolation = _check_interpolation(interpolation)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        self.center = center

    def make_params(self, flat_inputs):
        height, width = query_size(flat_inputs)
        angle, translate, scale, shear = T1.RandomAffine.get_params(
            self.degrees, self.translate, self.scale, self.shear, [width, height])
        return dict(angle=angle, translate=translate, scale=scale, shear=shear)

    def transform(self, inpt, params):
        return self._call_kernel(F.affine, inpt, **params, interpolation=self.interpolation,
                                 fill=_get_fill(self._fill, type(inpt)), center=self.center)


class RandomZoomOut(_RandomApplyTransform):
    """Place the input at a random spot of a canvas ``side_range`` times larger."""

    def __init__(self, fill=0, side_range=(1.0, 4.0), p=0.5) -> None:
        super().__init__(p=p)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)
        _check_sequence_input(side_range, "side_range", req_sizes=(2,))
        self.side_range = side_range
        if side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")

    def make_params(self, flat_inputs):
        orig_h, orig_w = query_size(flat_inputs)
        # float32 tensor arithmetic, as torchvision computes it
        r = self.side_range[0] + numtorch.rand(1) * (self.side_range[1] - self.side_range[0])
        canvas_w, canvas_h = int(orig_w * r), int(orig_h * r)
        r = numtorch.rand(2)
        left, top = int((canvas_w - orig_w) * r[0]), int((canvas_h - orig_h) * r[1])
        right, bottom = canvas_w - (left + orig_w), canvas_h - (top + orig_h)
        return dict(padding=[left, top, right, bottom])

    def transform(self, inpt, params):
        return self._call_kernel(F.pad, inpt, **params, fill=_get_fill(self._fill, type(inpt)))


class RandomIoUCrop(Transform):
    """SSD's random crop (Liu et al.): pick a minimum IoU from ``sampler_options`` (1.0
    means leave the sample as it is), then try up to ``trials`` random crops for one that
    holds the centre of some box and overlaps one of those boxes by that IoU; if none
    does, pick a new option and try again.

    Boxes whose centre falls outside the crop are zeroed: follow this with
    ``SanitizeBoundingBoxes`` to drop them.
    """

    def __init__(self, min_scale: float = 0.3, max_scale: float = 1.0,
                 min_aspect_ratio: float = 0.5, max_aspect_ratio: float = 2.0,
                 sampler_options=None, trials: int = 40) -> None:
        super().__init__()
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.min_aspect_ratio = min_aspect_ratio
        self.max_aspect_ratio = max_aspect_ratio
        if sampler_options is None:
            sampler_options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
        self.options = sampler_options
        self.trials = trials

    def check_inputs(self, flat_inputs: list) -> None:
        if not (has_all(flat_inputs, tv_tensors.BoundingBoxes)
                and has_any(flat_inputs, PILImage.Image, tv_tensors.Image, is_pure_tensor)):
            raise TypeError(f"{type(self).__name__}() requires input sample to contain tensor "
                            "or PIL images and bounding boxes. Sample can also contain masks.")

    def make_params(self, flat_inputs):
        orig_h, orig_w = query_size(flat_inputs)
        bboxes = next(x for x in flat_inputs if isinstance(x, tv_tensors.BoundingBoxes))
        xyxy = F.convert_bounding_box_format(_plain(bboxes), old_format=bboxes.format,
                                             new_format=tv_tensors.BoundingBoxFormat.XYXY)
        cx = 0.5 * (xyxy[..., 0] + xyxy[..., 2])
        cy = 0.5 * (xyxy[..., 1] + xyxy[..., 3])
        while True:
            idx = int(numtorch.randint(low=0, high=len(self.options), size=(1,)))
            min_jaccard_overlap = self.options[idx]
            if min_jaccard_overlap >= 1.0:  # the leave-as-is option
                return dict()
            for _ in range(self.trials):
                # float32 tensor arithmetic, as torchvision computes it
                r = self.min_scale + (self.max_scale - self.min_scale) * numtorch.rand(2)
                new_w, new_h = int(orig_w * r[0]), int(orig_h * r[1])
                if not (self.min_aspect_ratio <= new_w / new_h <= self.max_aspect_ratio):
                    continue
                r = numtorch.rand(2)
                left, top = int((orig_w - new_w) * r[0]), int((orig_h - new_h) * r[1])
                right, bottom = left + new_w, top + new_h
                if left == right or top == bottom:
                    continue
                inside = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
                if not inside.any():
                    continue
                crop_box = numtorch.tensor([[left, top, right, bottom]], dtype=xyxy.dtype)
                if box_iou(xyxy[inside], crop_box).max() < min_jaccard_overlap:
                    continue
                return dict(top=top, left=left, height=new_h, width=new_w,
                            is_within_crop_area=inside)

    def transform(self, inpt, params):
        if not params:
            return inpt
        output = self._call_kernel(F.crop, inpt, top=params["top"], left=params["left"],
                                   height=params["height"], width=params["width"])
        if isinstance(output, tv_tensors.BoundingBoxes):
            output[~params["is_within_crop_area"]] = 0  # degenerate: Sanitize drops them
        return output
