"""nn.functional: the kernels behind the layers, as functions.

Each family lives in its file under ``numtorch/ops/`` (forward beside backward);
this module only gathers them under PyTorch's names.
"""

from .._input_check import check_functional_inputs as _check
from ..ops.activation import *
from ..ops.attention import *
from ..ops.batch_norm import *
from ..ops.conv import *
from ..ops.dropout import *
from ..ops.embedding import *
from ..ops.embedding_bag import *
from ..ops.extra_losses import *
from ..ops.fold import *
from ..ops.fractional_pool import *
from ..ops.grid_sample import *
from ..ops.linalg import pdist  # noqa: F401 - F.pdist is torch.pdist
from ..ops.linear import *
from ..ops.loss import *
from ..ops.lrn import *
from ..ops.norm import *
from ..ops.padding import *
from ..ops.pixel_shuffle import *
from ..ops.pooling import *
from ..ops.upsample import *

# F.relu([1.0]) raises PyTorch's TypeError: see numtorch/_input_check.py.
_check(globals())
del _check

from . import grad  # noqa: E402, F401 - F.grad is nn.grad, as in PyTorch
