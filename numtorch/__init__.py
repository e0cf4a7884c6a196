"""numtorch: PyTorch's API written from scratch in Python on NumPy.

``import numtorch as torch`` and write PyTorch. Everything here is a
re-export; the code lives in the modules named below.
"""

from math import e, inf, nan, pi

from . import (
    _dtype,
    accelerator,
    autograd,
    backend,
    backends,
    cuda,
    func,
    library,
    linalg,
    mps,
    random,
    signal,
    special,
    xpu,
)
from ._config import *
from ._device import device
from ._dtype import (
    bool,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._tensor import Size, Tensor
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from ._tensor_types import *
from .autograd.anomaly_mode import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend.parallel import get_num_threads, set_num_threads
from .ops.creation import *
from .ops.extras import *
from .ops.index import *
from .ops.linalg import *
from .ops.pointwise import *
from .ops.reduce import *
from .ops.sampling import *
from .ops.shape import *
from .ops.variants import *
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .version import __version__

newaxis = None  # PyTorch's constants: torch.newaxis is None, torch.pi is math.pi ...

# The layers above the tensor library: they import the names defined above.
# Then the nn.functional kernels PyTorch also exposes as torch.<name>: with the same
# signature below, and with ATen's arguments (torch.embedding(weight, indices), the losses'
# integer reduction) in _aten_forms.
from . import (  # noqa: E402
    amp,
    cpu,
    distributed,
    distributions,
    multiprocessing,
    nn,
    optim,
    testing,
    utils,
    version,
)
from ._aten_forms import *  # noqa: E402
from ._input_check import check_inputs as _check_inputs  # noqa: E402
from .amp import GradScaler, autocast, is_autocast_enabled  # noqa: E402
from .func import vmap  # noqa: E402
from .ops.activation import (  # noqa: E402
    celu,
    celu_,
    hardshrink,
    prelu,
    relu_,
    rrelu,
    rrelu_,
    selu,
    selu_,
    threshold,
    threshold_,
)
from .ops.batch_norm import _aten_batch_norm as batch_norm  # noqa: E402
from .ops.batch_norm import _aten_instance_norm as instance_norm  # noqa: E402
from .ops.conv import *  # noqa: E402
from .ops.dropout import _aten_alpha_dropout as alpha_dropout  # noqa: E402
from .ops.dropout import _aten_dropout as dropout  # noqa: E402
from .ops.dropout import _aten_feature_alpha_dropout as feature_alpha_dropout  # noqa: E402
from .ops.dropout import (  # noqa: E402
    alpha_dropout_,
    dropout_,
    feature_alpha_dropout_,
    feature_dropout,
    feature_dropout_,
)
from .ops.linalg import _removed_lstsq as lstsq  # noqa: E402 - PyTorch's removal errors
from .ops.linalg import _removed_matrix_rank as matrix_rank  # noqa: E402
from .ops.linalg import _removed_solve as solve  # noqa: E402
from .ops.linear import bilinear  # noqa: E402
from .ops.loss import cosine_similarity, pairwise_distance  # noqa: E402
from .ops.norm import group_norm, layer_norm, rms_norm  # noqa: E402
from .ops.pixel_shuffle import (  # noqa: E402
    channel_shuffle,
    native_channel_shuffle,
    pixel_shuffle,
    pixel_unshuffle,
)
from .ops.pooling import _aten_adaptive_max_pool1d as adaptive_max_pool1d  # noqa: E402
from .ops.pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool3d,
)
from .ops.rnn import *  # noqa: E402
from .serialization import *  # noqa: E402
from .storage import *  # noqa: E402
from .utils.dlpack import from_dlpack  # noqa: E402

# torch.sum([1, 2]) raises PyTorch's TypeError: see _input_check.
_check_inputs(globals())
del _check_inputs


def result_type(tensor1, tensor2):
    """The dtype PyTorch's promotion gives an op on these two operands."""
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to) -> "bool":
    return _dtype.can_cast(from_, to)


def is_storage(obj) -> "bool":
    from .storage import TypedStorage, UntypedStorage

    return isinstance(obj, (UntypedStorage, TypedStorage))


# Submodules imported on first use (numtorch.hub.load): hub pulls in tqdm and urllib,
# which most programs never need.
_LAZY_SUBMODULES = ("hub",)


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    # Only reached for names numtorch does not define: say it is a PyTorch feature we lack.
    if name.startswith("__"):
        raise AttributeError(f"module 'numtorch' has no attribute '{name}'")
    raise AttributeError(f"module 'numtorch' has no attribute '{name}': "
                         f"torch.{name} is not implemented in numtorch")
