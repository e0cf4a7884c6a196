"""v2 MixUp and CutMix: mix each image of a batch with its neighbour (the batch rolled by
one) and mix the one-hot labels by the same amount.

They take a batch, ``(images, labels)`` by default: images ``[B, C, H, W]`` (videos
``[B, T, C, H, W]``), labels ``[B]`` class indices (one-hot encoded with
``num_classes``) or ``[B, num_classes]`` probabilities. The mixing weight ``lam`` is one
``Beta(alpha, alpha)`` sample per call, drawn as torchvision draws it (a ``Beta`` over
``tensor([alpha])``, sampled with shape ``()``); CutMix then draws the box centre with
``randint(W, (1,))`` and ``randint(H, (1,))``.
"""

from __future__ import annotations

import math

from PIL import Image as PILImage

import numtorch
import numtorch.nn.functional as NF
from numtorch._tensor import Tensor

from ... import tv_tensors
from ._misc import _parse_labels_getter
from ._transform import Transform, _tree_flatten, _tree_unflatten, has_any, query_size
from .functional import is_pure_tensor

__all__ = ["MixUp", "CutMix"]


class _BaseMixUpCutMix(Transform):
    def __init__(self, *, alpha: float = 1.0, num_classes: int | None = None,
                 labels_getter="default") -> None:
        super().__init__()
        self.alpha = float(alpha)
        self._dist = numtorch.distributions.Beta(numtorch.tensor([alpha]),
                                                 numtorch.tensor([alpha]))
        self.num_classes = num_classes
        self._labels_getter = _parse_labels_getter(labels_getter)

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = _tree_flatten(inputs)
        needs = self._needs_transform_list(flat_inputs)
        if has_any(flat_inputs, PILImage.Image, tv_tensors.BoundingBoxes, tv_tensors.Mask):
            raise ValueError(f"{type(self).__name__}() does not support PIL images, bounding "
                             "boxes and masks.")
        labels = self._check_labels(self._labels_getter(inputs))
        params = {"labels": labels, "batch_size": labels.shape[0],
                  **self.make_params([x for x, n in zip(flat_inputs, needs) if n])}
        # the labels are a plain tensor after the image, so not picked by default
        needs[next(i for i, x in enumerate(flat_inputs) if x is labels)] = True
        flat_outputs = [self.transform(x, params) if n else x for x, n in zip(flat_inputs, needs)]
        return _tree_unflatten(flat_outputs, spec)

    def _check_labels(self, labels):
        if not isinstance(labels, Tensor):
            raise ValueError(f"The labels must be a tensor, but got {type(labels)} instead.")
        if labels.ndim not in (1, 2):
            raise ValueError("labels should be index based with shape (batch_size,) or "
                             "probability based with shape (batch_size, num_classes), but got a "
                             f"tensor of shape {labels.shape} instead.")
        if labels.ndim == 2 and self.num_classes is not None and \
                labels.shape[-1] != self.num_classes:
            raise ValueError("When passing 2D labels, the number of elements in last dimension "
                             f"must match num_classes: {labels.shape[-1]} != {self.num_classes}."
                             " You can Leave num_classes to None.")
        if labels.ndim == 1 and self.num_classes is None:
            raise ValueError("num_classes must be passed if the labels are index-based (1D)")
        return labels

    def _check_image_or_video(self, inpt: Tensor, *, batch_size: int) -> None:
        expected_ndim = 5 if isinstance(inpt, tv_tensors.Video) else 4
        if inpt.ndim != expected_ndim:
            raise ValueError(f"Expected a batched input with {expected_ndim} dims, but got "
                             f"{inpt.ndim} dimensions instead.")
        if inpt.shape[0] != batch_size:
            raise ValueError("The batch size of the image or video does not match the batch "
                             f"size of the labels: {inpt.shape[0]} != {batch_size}.")

    def _mixup_label(self, label: Tensor, *, lam: float) -> Tensor:
        if label.ndim == 1:
            label = NF.one_hot(label, num_classes=self.num_classes)
        if not label.dtype.is_floating_point:
            label = label.float()
        return label.roll(1, 0).mul_(1.0 - lam).add_(label.mul(lam))

    def _is_image_or_video(self, inpt) -> bool:
        return isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)) or is_pure_tensor(inpt)


class MixUp(_BaseMixUpCutMix):
    """MixUp (Zhang et al.): ``lam * x + (1 - lam) * x_rolled``, for images and labels.

    The pairs are neighbours in the batch, so shuffle the batch first (a DataLoader with
    ``shuffle=True`` does). Images must be floating point.
    """

    def make_params(self, flat_inputs):
        return dict(lam=float(self._dist.sample(())))

    def transform(self, inpt, params):
        lam = params["lam"]
        if inpt is params["labels"]:
            return self._mixup_label(inpt, lam=lam)
        if not self._is_image_or_video(inpt):
            return inpt
        self._check_image_or_video(inpt, batch_size=params["batch_size"])
        output = inpt.roll(1, 0).mul_(1.0 - lam).add_(inpt.mul(lam))
        if isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)):
            output = tv_tensors.wrap(output, like=inpt)
        return output


class CutMix(_BaseMixUpCutMix):
    """CutMix (Yun et al.): paste a box of each image's neighbour into it; the labels mix
    by the box's share of the area.

    The box has sides ``sqrt(1 - lam)`` times the image's, centred at a uniformly drawn
    pixel and clipped to the image, so the label weight is recomputed from the clipped box.
    """

    def make_params(self, flat_inputs):
        lam = float(self._dist.sample(()))
        height, width = query_size(flat_inputs)
        r_x = int(numtorch.randint(width, size=(1,)))
        r_y = int(numtorch.randint(height, size=(1,)))
        r = 0.5 * math.sqrt(1.0 - lam)
        r_w_half, r_h_half = int(r * width), int(r * height)
        x1, y1 = max(r_x - r_w_half, 0), max(r_y - r_h_half, 0)
        x2, y2 = min(r_x + r_w_half, width), min(r_y + r_h_half, height)
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (width * height))
        return dict(box=(x1, y1, x2, y2), lam_adjusted=lam_adjusted)

    def transform(self, inpt, params):
        if inpt is params["labels"]:
            return self._mixup_label(inpt, lam=params["lam_adjusted"])
        if not self._is_image_or_video(inpt):
            return inpt
        self._check_image_or_video(inpt, batch_size=params["batch_size"])
        x1, y1, x2, y2 = params["box"]
        rolled = inpt.roll(1, 0)
        output = inpt.clone()
        output[..., y1:y2, x1:x2] = rolled[..., y1:y2, x1:x2]
        if isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)):
            output = tv_tensors.wrap(output, like=inpt)
        return output
