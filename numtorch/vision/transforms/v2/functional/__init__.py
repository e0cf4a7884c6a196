"""vision.transforms.v2.functional: torchvision's v2 functionals.

Each takes an image (Pillow, Tensor, ``tv_tensors.Image``), a video, a mask or boxes and
returns the same kind of thing, transformed consistently (see ``_utils`` for how the
input's type picks the kernel). The v1 names (``hflip``, ``to_grayscale``...) are kept.
"""

from ...functional import InterpolationMode  # noqa: F401
from ._color import *  # noqa: F403
from ._geometry import *  # noqa: F403
from ._meta import *  # noqa: F403
from ._utils import is_pure_tensor  # noqa: F401
