"""numtorch.vision.models: torchvision's model builders (``vgg16``, ``resnet18``, ...).

Each builder returns the same module tree as torchvision's — same parameter names, shapes,
initialisation and repr — so torchvision checkpoints load into it, and a pretrained one
comes with ``weights='IMAGENET1K_V1'`` (or the enum member, ``VGG16_Weights.DEFAULT``)::

    import numtorch.vision.models as models
    model = models.vgg16()                          # fresh weights
    model = models.vgg16(weights="IMAGENET1K_V1")  # from ~/.cache/torch/hub/checkpoints
"""

from . import resnet, vgg
from ._api import *
from .alexnet import *
from .resnet import *
from .vgg import *
