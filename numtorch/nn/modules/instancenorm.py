"""PyTorch's module path for the instance norms, ``torch.nn.modules.instancenorm``.

numtorch defines ``InstanceNorm1d/2d/3d`` beside BatchNorm (batchnorm.py, they share its
kernel) and the lazy ones in lazy.py; whole-model pickles and ``safe_globals`` lists
written by PyTorch name them here, so they resolve here too.
"""

from .batchnorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .lazy import LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d

__all__: list[str] = []  # exported from the modules that define them

_AT_PYTORCHS_PATH = (InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LazyInstanceNorm1d,
                     LazyInstanceNorm2d, LazyInstanceNorm3d)
