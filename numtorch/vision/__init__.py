"""numtorch.vision: what torchvision gives — datasets, transforms, models and image utilities.

``import numtorch.vision as torchvision`` (or ``from numtorch.vision import datasets,
transforms``) and write the torchvision code you know.
"""

from . import datasets, io, models, ops, transforms, tv_tensors, utils
