"""vision.transforms.v2: torchvision's current transforms, on images, videos, masks and
bounding boxes together.

``from numtorch.vision.transforms import v2`` and write ``v2.Compose([v2.ToImage(),
v2.RandomResizedCrop(224), v2.ToDtype(numtorch.float32, scale=True)])``. A transform
takes any sample (``img``, ``(img, target)``, ``{"image": ..., "boxes": ...}``), draws its
random parameters once (the same draws, in the same order, as torchvision's from
numtorch's generator) and applies them to every ``tv_tensors`` input; see
``_transform.py`` for which inputs are transformed. ``v2.functional`` holds the kernels.
"""

from .. import functional as _F1
from ..autoaugment import AutoAugmentPolicy
from . import functional
from ._augment import CutMix, MixUp
from ._auto_augment import AugMix, AutoAugment, RandAugment, TrivialAugmentWide
from ._color import ColorJitter, GaussianBlur, Grayscale, RandomErasing, RandomGrayscale
from ._container import Compose, RandomApply, RandomChoice, RandomOrder
from ._geometry import (
                        CenterCrop,
                        Pad,
                        RandomAffine,
                        RandomCrop,
                        RandomHorizontalFlip,
                        RandomIoUCrop,
                        RandomResizedCrop,
                        RandomRotation,
                        RandomVerticalFlip,
                        RandomZoomOut,
                        Resize,
)
from ._misc import (
                        ClampBoundingBoxes,
                        ConvertBoundingBoxFormat,
                        ConvertImageDtype,
                        Identity,
                        Lambda,
                        Normalize,
                        PILToTensor,
                        SanitizeBoundingBoxes,
                        ToDtype,
                        ToImage,
                        ToPILImage,
                        ToPureTensor,
                        ToTensor,
)
from ._transform import Transform

InterpolationMode = _F1.InterpolationMode

__all__ = [
    "functional", "Transform", "InterpolationMode", "Compose", "RandomApply", "RandomChoice",
    "RandomOrder", "ToImage", "ToPureTensor", "PILToTensor", "ToPILImage", "ToTensor", "ToDtype",
    "ConvertImageDtype", "Normalize", "Lambda", "Identity", "Resize", "CenterCrop", "RandomCrop",
    "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "Pad", "RandomRotation",
    "RandomAffine", "RandomZoomOut", "ClampBoundingBoxes", "ConvertBoundingBoxFormat",
    "SanitizeBoundingBoxes", "ColorJitter", "Grayscale", "RandomGrayscale", "GaussianBlur",
    "RandomErasing", "AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide",
    "AugMix", "MixUp", "CutMix", "RandomIoUCrop",
]
