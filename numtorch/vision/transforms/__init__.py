"""vision.transforms: torchvision's image transforms, on Pillow images and tensors."""

from . import functional
from .autoaugment import *  # noqa: F403
from .autoaugment import __all__ as _aa_all
from .transforms import *  # noqa: F403
from .transforms import __all__ as _t_all

__all__ = ["functional", *_t_all, *_aa_all]
