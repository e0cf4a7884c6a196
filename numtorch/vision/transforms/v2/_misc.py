"""v2 conversions and bookkeeping: ToImage, ToPureTensor, PILToTensor, ToPILImage,
ToTensor (deprecated), ToDtype, ConvertImageDtype, Normalize, Lambda, Identity, and the
box utilities ClampBoundingBoxes, ConvertBoundingBoxFormat, SanitizeBoundingBoxes."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
from PIL import Image as PILImage

import numtorch
from numtorch._tensor import Tensor

from ... import tv_tensors
from .. import functional as F1
from . import functional as F
from ._transform import Transform, has_any
from .functional import is_pure_tensor
from .functional._utils import _plain


class Identity(Transform):
    def transform(self, inpt, params):
        return inpt


class Lambda(Transform):
    """Apply a function to the inputs of the given ``types`` (all, by default)."""

    _transformed_types = (object,)

    def __init__(self, lambd, *types) -> None:
        super().__init__()
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd
        self.types = types or self._transformed_types

    def transform(self, inpt, params):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def extra_repr(self) -> str:
        extras = []
        name = getattr(self.lambd, "__name__", None)
        if name:
            extras.append(name)
        extras.append(f"types={[t.__name__ for t in self.types]}")
        return ", ".join(extras)


# --------------------------------------------------------------------------- conversions

class ToImage(Transform):
    """Pillow image, NumPy ``HWC`` array or plain Tensor -> ``tv_tensors.Image``."""

    _transformed_types = (is_pure_tensor, PILImage.Image, np.ndarray)

    def transform(self, inpt, params):
        return F.to_image(inpt)


class ToPureTensor(Transform):
    """Every tv_tensor back to a plain Tensor."""

    _transformed_types = (tv_tensors.TVTensor,)

    def transform(self, inpt, params):
        return _plain(inpt)


class PILToTensor(Transform):
    _transformed_types = (PILImage.Image,)

    def transform(self, inpt, params):
        return F.pil_to_tensor(inpt)


class ToPILImage(Transform):
    _transformed_types = (is_pure_tensor, tv_tensors.Image, np.ndarray)

    def __init__(self, mode=None) -> None:
        super().__init__()
        self.mode = mode

    def transform(self, inpt, params):
        return F.to_pil_image(inpt, mode=self.mode)


class ToTensor(Transform):
    """Deprecated: ``Compose([ToImage(), ToDtype(float32, scale=True)])``."""

    _transformed_types = (PILImage.Image, np.ndarray)

    def __init__(self) -> None:
        warnings.warn("The transform `ToTensor()` is deprecated and will be removed in a future "
                      "release. Instead, please use `v2.Compose([v2.ToImage(), "
                      "v2.ToDtype(torch.float32, scale=True)])`.Output is equivalent up to "
                      "float precision.", stacklevel=2)
        super().__init__()

    def transform(self, inpt, params):
        return F1.to_tensor(inpt)


class ToDtype(Transform):
    """Cast images and videos to ``dtype`` (rescaling values with ``scale=True``); a dict
    ``{type: dtype}`` casts other types too (``"others"`` catches the rest)."""

    _transformed_types = (Tensor,)

    def __init__(self, dtype, scale: bool = False) -> None:
        super().__init__()
        if not isinstance(dtype, (dict, numtorch.dtype)):
            raise ValueError(f"dtype must be a dict or a torch.dtype, got {type(dtype)} instead")
        if isinstance(dtype, dict) and Tensor in dtype and any(
                cls in dtype for cls in (tv_tensors.Image, tv_tensors.Video)):
            warnings.warn("Got `dtype` values for `torch.Tensor` and either `tv_tensors.Image` "
                          "or `tv_tensors.Video`. Note that a plain `torch.Tensor` will *not* "
                          "be transformed by this (or any other transformation) in case a "
                          "`tv_tensors.Image` or `tv_tensors.Video` is present in the input.",
                          stacklevel=2)
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt, params):
        pixels = is_pure_tensor(inpt) or isinstance(inpt, (tv_tensors.Image, tv_tensors.Video))
        if isinstance(self.dtype, numtorch.dtype):
            if not pixels:
                return inpt
            dtype = self.dtype
        elif type(inpt) in self.dtype:
            dtype = self.dtype[type(inpt)]
        elif "others" in self.dtype:
            dtype = self.dtype["others"]
        else:
            raise ValueError(
                f"No dtype was specified for type {type(inpt)}. If you only need to convert the "
                "dtype of images or videos, you can just pass e.g. dtype=torch.float32. If "
                "you're passing a dict as dtype, you can use \"others\" as a catch-all key e.g. "
                "dtype={tv_tensors.Mask: torch.int64, \"others\": None} to pass-through the "
                "rest of the inputs.")
        if dtype is None:
            if self.scale and pixels:
                warnings.warn("scale was set to True but no dtype was specified for images or "
                              "videos: no scaling will be done.", stacklevel=2)
            return inpt
        return self._call_kernel(F.to_dtype, inpt, dtype=dtype, scale=self.scale)

    def extra_repr(self) -> str:
        return f"dtype={self.dtype}, scale={self.scale}"


class ConvertImageDtype(Transform):
    """``ToDtype(dtype, scale=True)`` for images and videos."""

    def __init__(self, dtype=numtorch.float32) -> None:
        super().__init__()
        self.dtype = dtype

    def transform(self, inpt, params):
        return self._call_kernel(F.to_dtype, inpt, dtype=self.dtype, scale=True)

    def extra_repr(self) -> str:
        return f"dtype={self.dtype}"


class Normalize(Transform):
    """``(x - mean) / std`` per channel of float images and videos."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def check_inputs(self, sample) -> None:
        if has_any(sample, PILImage.Image):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")

    def transform(self, inpt, params):
        return self._call_kernel(F.normalize, inpt, mean=self.mean, std=self.std,
                                 inplace=self.inplace)


# --------------------------------------------------------------------------- boxes

class ConvertBoundingBoxFormat(Transform):
    _transformed_types = (tv_tensors.BoundingBoxes,)

    def __init__(self, format) -> None:
        super().__init__()
        if isinstance(format, str):
            format = tv_tensors.BoundingBoxFormat[format]
        self.format = format

    def transform(self, inpt, params):
        return F.convert_bounding_box_format(inpt, new_format=self.format)


class ClampBoundingBoxes(Transform):
    _transformed_types = (tv_tensors.BoundingBoxes,)

    def transform(self, inpt, params):
        return F.clamp_bounding_boxes(inpt)


def _find_labels_default_heuristic(inputs):
    """torchvision's guess: the second item of a tuple or list sample (a tensor, or a dict
    holding them), or the sample dict's ``"labels"`` key, else the first key with "label"."""
    if isinstance(inputs, (tuple, list)):
        inputs = inputs[1]
    if is_pure_tensor(inputs):
        return inputs
    if not isinstance(inputs, Mapping):
        raise ValueError("When using the default labels_getter, the input passed to forward "
                         "must be a dictionary or a two-tuple whose second item is a "
                         f"dictionary or a tensor, but got {inputs} instead.")
    key = next((k for k in inputs if k.lower() == "labels"), None)
    if key is None:
        key = next((k for k in inputs if "label" in k.lower()), None)
    if key is None:
        raise ValueError("Could not infer where the labels are in the sample. Try passing a "
                         "callable as the labels_getter parameter?If there are no labels in "
                         "the sample by design, pass labels_getter=None.")
    return inputs[key]


def _parse_labels_getter(labels_getter):
    """``labels_getter`` as a function of the sample: ``"default"`` (the heuristic above),
    a callable, or None (no labels)."""
    if labels_getter == "default":
        return _find_labels_default_heuristic
    if callable(labels_getter):
        return labels_getter
    if labels_getter is None:
        return lambda _: None
    raise ValueError("labels_getter should either be 'default', a callable, or None, "
                     f"but got {labels_getter}.")


class SanitizeBoundingBoxes(Transform):
    """Drop degenerate boxes (smaller than ``min_size`` or ``min_area``, or outside the
    canvas) and the labels and masks that go with them."""

    def __init__(self, min_size: float = 1.0, min_area: float = 1.0,
                 labels_getter="default") -> None:
        super().__init__()
        if min_size < 1:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        self.min_size = min_size
        if min_area < 1:
            raise ValueError(f"min_area must be >= 1, got {min_area}.")
        self.min_area = min_area
        self.labels_getter = labels_getter
        self._labels_getter = _parse_labels_getter(labels_getter)

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        labels = self._labels_getter(inputs)
        # one tensor, or a tuple or list of them (labels and, say, per-box ids)
        labels = (labels,) if isinstance(labels, Tensor) else labels
        if labels is not None and not (isinstance(labels, (tuple, list))
                                       and all(isinstance(t, Tensor) for t in labels)):
            bad = next((t for t in labels if not isinstance(t, Tensor)), None) \
                if isinstance(labels, (tuple, list)) else labels
            raise ValueError("The labels in the input to forward() must be a tensor or None, "
                             f"got {type(bad)} instead.")
        from ._transform import _tree_flatten, _tree_unflatten

        flat_inputs, spec = _tree_flatten(inputs)
        boxes = [x for x in flat_inputs if isinstance(x, tv_tensors.BoundingBoxes)]
        if len(boxes) != 1:
            raise ValueError(f"Found {len(boxes)} bounding box instances, but exactly one is "
                             "needed.")
        valid = self._valid(boxes[0])
        label_ids = {id(t) for t in labels or ()}
        out = []
        for x in flat_inputs:
            if id(x) in label_ids:
                out.append(x[valid])
            elif isinstance(x, (tv_tensors.BoundingBoxes, tv_tensors.Mask)):
                out.append(tv_tensors.wrap(_plain(x)[valid], like=x))
            else:
                out.append(x)
        return _tree_unflatten(out, spec)

    def _valid(self, boxes) -> Tensor:
        xyxy = F.convert_bounding_box_format(boxes, new_format="XYXY")
        a = _plain(xyxy)
        ws, hs = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
        h, w = boxes.canvas_size
        valid = (ws >= self.min_size) & (hs >= self.min_size) & (a >= 0).all(-1)
        valid &= ws * hs >= self.min_area
        valid &= (a[:, 0] <= w) & (a[:, 2] <= w) & (a[:, 1] <= h) & (a[:, 3] <= h)
        return valid
