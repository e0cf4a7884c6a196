"""``numtorch.vision.io``: torchvision.io's image reading and writing (see image.py)."""

from .image import *
from .image import __all__ as _image_all

__all__ = list(_image_all)
