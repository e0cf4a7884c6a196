"""v2 AutoAugment, RandAugment, TrivialAugmentWide and AugMix.

Same policies and magnitude tables as v1, on v1's op kernels (``autoaugment._apply_op``
run with v2's functionals, so tv_tensors stay tv_tensors and videos work), but v2 draws
its own way, from numtorch's generator in torchvision's order:

- one ``randint(n, ())`` per op picked (AutoAugment: one for the sub-policy);
- AutoAugment: one ``rand(())`` per op of the sub-policy, compared with its probability,
  then (only for an op that runs and has signed magnitudes) a ``rand(()) <= 0.5`` sign;
- RandAugment, TrivialAugmentWide: the sign the same way; TrivialAugmentWide draws the
  magnitude bin with ``randint(num_magnitude_bins, ())`` first;
- AugMix: ``_sample_dirichlet`` for the (original, augmented) weights, again for the
  chains' weights, then per chain a ``randint(1, 4, (1,))`` depth (when ``chain_depth``
  is not positive) and per op its name, ``randint(severity, ())`` bin and sign.

Solarize magnitudes are fractions of the dtype's maximum (255 for uint8, 1.0 for floats),
so float images solarize sensibly (v1's thresholds are 0..255 whatever the dtype).

These transforms take one image or video per call (a batch as ``[..., C, H, W]``) and
refuse bounding boxes and masks, as torchvision's do.
"""

from __future__ import annotations

from PIL import Image as PILImage

import numtorch
from numtorch._tensor import Tensor

from ... import tv_tensors
from .. import autoaugment as A1
from ..autoaugment import AutoAugmentPolicy, _apply_op
from ..functional import InterpolationMode
from . import functional as F
from ._geometry import _get_fill, _setup_fill_arg
from ._transform import Transform, _tree_flatten, _tree_unflatten, check_type
from .functional import get_size, is_pure_tensor
from .functional._color import _max_value
from .functional._geometry import _check_interpolation
from .functional._utils import _plain

__all__ = ["AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix"]


def _linspace(start: float, end: float):
    return lambda num_bins, height, width: numtorch.linspace(start, end, num_bins)


def _posterize(top: int):
    return lambda num_bins, height, width: (
        top - numtorch.arange(num_bins) / ((num_bins - 1) / 4)).round().int()


def _none(num_bins, height, width):
    return None  # the op takes no magnitude


class _AutoAugmentBase(Transform):
    """What the four share: fill and interpolation, picking an op, finding the one image."""

    def __init__(self, *, interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__()
        self.interpolation = _check_interpolation(interpolation)
        self.fill = fill
        self._fill = _setup_fill_arg(fill)

    def _get_random_item(self, space: dict):
        keys = tuple(space.keys())
        key = keys[int(numtorch.randint(len(keys), ()))]
        return key, space[key]

    def _flatten_and_extract_image_or_video(self, inputs, unsupported_types=(
            tv_tensors.BoundingBoxes, tv_tensors.Mask)):
        flat_inputs, spec = _tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        needs = self._needs_transform_list(flat_inputs)
        found = []
        for idx, (inpt, need) in enumerate(zip(flat_inputs, needs)):
            if need and check_type(inpt, (tv_tensors.Image, PILImage.Image, is_pure_tensor,
                                          tv_tensors.Video)):
                found.append((idx, inpt))
            elif isinstance(inpt, unsupported_types):
                raise TypeError(f"Inputs of type {type(inpt).__name__} are not supported by "
                                f"{type(self).__name__}()")
        if not found:
            raise TypeError("Found no image in the sample.")
        if len(found) > 1:
            raise TypeError("Auto augment transformations are only properly defined for a "
                            f"single image or video, but found {len(found)}.")
        idx, image = found[0]
        return (flat_inputs, spec, idx), image

    def _unflatten_and_insert_image_or_video(self, flat_inputs_with_spec, image):
        flat_inputs, spec, idx = flat_inputs_with_spec
        flat_inputs[idx] = image
        return _tree_unflatten(flat_inputs, spec)

    def _apply_image_or_video_transform(self, image, op_name: str, magnitude: float):
        if op_name == "Solarize":
            bound = _max_value(image.dtype) if isinstance(image, Tensor) else 255.0
            magnitude = bound * magnitude
        return _apply_op(image, op_name, magnitude, self.interpolation,
                         _get_fill(self._fill, type(image)), functional=F)

    def _signed(self, magnitude: float, signed: bool) -> float:
        # the sign is drawn only for ops whose magnitudes are signed
        if signed and bool(numtorch.rand(()) <= 0.5):
            return -magnitude
        return magnitude


class AutoAugment(_AutoAugmentBase):
    """AutoAugment (Cubuk et al.): one of the policy's learned sub-policies per call."""

    _v1_transform_cls = A1.AutoAugment

    _AUGMENTATION_SPACE = {
        "ShearX": (_linspace(0.0, 0.3), True),
        "ShearY": (_linspace(0.0, 0.3), True),
        "TranslateX": (lambda n, h, w: numtorch.linspace(0.0, 150.0 / 331.0 * w, n), True),
        "TranslateY": (lambda n, h, w: numtorch.linspace(0.0, 150.0 / 331.0 * h, n), True),
        "Rotate": (_linspace(0.0, 30.0), True),
        "Brightness": (_linspace(0.0, 0.9), True),
        "Color": (_linspace(0.0, 0.9), True),
        "Contrast": (_linspace(0.0, 0.9), True),
        "Sharpness": (_linspace(0.0, 0.9), True),
        "Posterize": (_posterize(8), False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_none, False),
        "Equalize": (_none, False),
        "Invert": (_none, False),
    }

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET,
                 interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        if policy not in A1._POLICIES:
            raise ValueError(f"The provided policy {policy} is not recognized.")
        self._policies = A1._POLICIES[policy]

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = get_size(image)
        policy = self._policies[int(numtorch.randint(len(self._policies), ()))]
        for op_name, probability, magnitude_idx in policy:
            if not bool(numtorch.rand(()) <= probability):
                continue
            magnitudes_fn, signed = self._AUGMENTATION_SPACE[op_name]
            magnitudes = magnitudes_fn(10, height, width)
            magnitude = 0.0
            if magnitudes is not None:
                magnitude = self._signed(float(magnitudes[magnitude_idx]), signed)
            image = self._apply_image_or_video_transform(image, op_name, magnitude)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


class RandAugment(_AutoAugmentBase):
    """RandAugment (Cubuk et al.): ``num_ops`` uniformly picked ops at one fixed magnitude."""

    _AUGMENTATION_SPACE = {"Identity": (_none, False),
                           **{k: v for k, v in AutoAugment._AUGMENTATION_SPACE.items()
                              if k != "Invert"}}

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"num_ops should be a non-negative integer, but got {num_ops} "
                             "instead.")
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = get_size(image)
        for _ in range(self.num_ops):
            op_name, (magnitudes_fn, signed) = self._get_random_item(self._AUGMENTATION_SPACE)
            magnitudes = magnitudes_fn(self.num_magnitude_bins, height, width)
            magnitude = 0.0
            if magnitudes is not None:
                magnitude = self._signed(float(magnitudes[self.magnitude]), signed)
            image = self._apply_image_or_video_transform(image, op_name, magnitude)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


class TrivialAugmentWide(_AutoAugmentBase):
    """TrivialAugment Wide (Müller and Hutter): one uniformly picked op at a uniformly
    picked magnitude."""

    _v1_transform_cls = A1.TrivialAugmentWide

    _AUGMENTATION_SPACE = {
        "Identity": (_none, False),
        "ShearX": (_linspace(0.0, 0.99), True),
        "ShearY": (_linspace(0.0, 0.99), True),
        "TranslateX": (_linspace(0.0, 32.0), True),
        "TranslateY": (_linspace(0.0, 32.0), True),
        "Rotate": (_linspace(0.0, 135.0), True),
        "Brightness": (_linspace(0.0, 0.99), True),
        "Color": (_linspace(0.0, 0.99), True),
        "Contrast": (_linspace(0.0, 0.99), True),
        "Sharpness": (_linspace(0.0, 0.99), True),
        "Posterize": (lambda n, h, w: (8 - numtorch.arange(n) / ((n - 1) / 6)).round().int(),
                      False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_none, False),
        "Equalize": (_none, False),
    }

    def __init__(self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST,
                 fill=None) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    def forward(self, *inputs):
        flat_with_spec, image = self._flatten_and_extract_image_or_video(inputs)
        height, width = get_size(image)
        op_name, (magnitudes_fn, signed) = self._get_random_item(self._AUGMENTATION_SPACE)
        magnitudes = magnitudes_fn(self.num_magnitude_bins, height, width)
        magnitude = 0.0
        if magnitudes is not None:
            bin_idx = int(numtorch.randint(self.num_magnitude_bins, ()))
            magnitude = self._signed(float(magnitudes[bin_idx]), signed)
        image = self._apply_image_or_video_transform(image, op_name, magnitude)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, image)


class AugMix(_AutoAugmentBase):
    """AugMix (Hendrycks et al.): ``mixture_width`` chains of random ops, mixed with
    Dirichlet weights, then mixed with the original by a Beta weight (per image of a
    batch)."""

    _PARTIAL_AUGMENTATION_SPACE = {
        "ShearX": (_linspace(0.0, 0.3), True),
        "ShearY": (_linspace(0.0, 0.3), True),
        "TranslateX": (lambda n, h, w: numtorch.linspace(0.0, w / 3.0, n), True),
        "TranslateY": (lambda n, h, w: numtorch.linspace(0.0, h / 3.0, n), True),
        "Rotate": (_linspace(0.0, 30.0), True),
        "Posterize": (_posterize(4), False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_none, False),
        "Equalize": (_none, False),
    }
    _AUGMENTATION_SPACE = {
        **_PARTIAL_AUGMENTATION_SPACE,
        "Brightness": (_linspace(0.0, 0.9), True),
        "Color": (_linspace(0.0, 0.9), True),
        "Contrast": (_linspace(0.0, 0.9), True),
        "Sharpness": (_linspace(0.0, 0.9), True),
    }

    def __init__(self, severity: int = 3, mixture_width: int = 3, chain_depth: int = -1,
                 alpha: float = 1.0, all_ops: bool = True,
                 interpolation=InterpolationMode.BILINEAR, fill=None) -> None:
        super().__init__(interpolation=interpolation, fill=fill)
        self._PARAMETER_MAX = 10
        if not (1 <= severity <= self._PARAMETER_MAX):
            raise ValueError(f"The severity must be between [1, {self._PARAMETER_MAX}]. Got "
                             f"{severity} instead.")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _sample_dirichlet(self, params: Tensor) -> Tensor:
        return numtorch._sample_dirichlet(params)

    def forward(self, *inputs):
        flat_with_spec, orig = self._flatten_and_extract_image_or_video(inputs)
        height, width = get_size(orig)
        image = _plain(orig) if isinstance(orig, Tensor) else F.pil_to_tensor(orig)
        space = self._AUGMENTATION_SPACE if self.all_ops else self._PARTIAL_AUGMENTATION_SPACE

        # one batch of images ([B, C, H, W], or [B, T, C, H, W] for videos)
        orig_dims = list(image.shape)
        expected_ndim = 5 if isinstance(orig, tv_tensors.Video) else 4
        batch = image.reshape([1] * max(expected_ndim - image.ndim, 0) + orig_dims)
        n = batch.shape[0]
        batch_dims = [n] + [1] * (batch.ndim - 1)

        # Beta weights as a 2-parameter Dirichlet: column 0 weighs the original, column 1
        # the chains, which share it by a second Dirichlet
        m = self._sample_dirichlet(numtorch.tensor([self.alpha, self.alpha]).expand(n, -1))
        chain_weights = self._sample_dirichlet(
            numtorch.tensor([self.alpha] * self.mixture_width).expand(n, -1)
        ) * m[:, 1].reshape([n, -1])

        mix = m[:, 0].reshape(batch_dims) * batch
        for i in range(self.mixture_width):
            aug = batch
            depth = (self.chain_depth if self.chain_depth > 0
                     else int(numtorch.randint(low=1, high=4, size=(1,)).item()))
            for _ in range(depth):
                op_name, (magnitudes_fn, signed) = self._get_random_item(space)
                magnitudes = magnitudes_fn(self._PARAMETER_MAX, height, width)
                magnitude = 0.0
                if magnitudes is not None:
                    bin_idx = int(numtorch.randint(self.severity, ()))
                    magnitude = self._signed(float(magnitudes[bin_idx]), signed)
                aug = self._apply_image_or_video_transform(aug, op_name, magnitude)
            mix.add_(chain_weights[:, i].reshape(batch_dims) * aug)
        mix = mix.reshape(orig_dims).to(dtype=image.dtype)

        if isinstance(orig, (tv_tensors.Image, tv_tensors.Video)):
            mix = tv_tensors.wrap(mix, like=orig)
        elif isinstance(orig, PILImage.Image):
            mix = F.to_pil_image(mix)
        return self._unflatten_and_insert_image_or_video(flat_with_spec, mix)
