"""numtorch.backends: what PyTorch's ``torch.backends`` reports, for this NumPy build.

Programs ask these before picking a device (the tutorial's
``"mps" if torch.backends.mps.is_available() else "cpu"``) or set flags that
only matter to GPU libraries (``torch.backends.cudnn.benchmark = True``). On
numtorch the accelerators are absent and the flags are plain attributes that
programs can read and set; nothing reads them.

Each of them is a real submodule, as in PyTorch, so ``import torch.backends.cudnn as
cudnn`` (DCGAN, the ImageNet example) runs unchanged with numtorch in its place.
"""

import sys
from types import ModuleType, SimpleNamespace


def _submodule(name: str, **attrs) -> ModuleType:
    """The module ``numtorch.backends.<name>`` holding ``attrs``, registered so that
    ``import numtorch.backends.<name>`` finds it."""
    module = ModuleType(f"{__name__}.{name}")
    module.__dict__.update(attrs)
    sys.modules[module.__name__] = module
    return module


def _unavailable() -> bool:
    return False


def _available() -> bool:
    return True


# Apple's Metal: never present in numtorch.
mps = _submodule("mps", is_available=_unavailable, is_built=_unavailable)

# cuDNN: not present; its flags keep PyTorch's defaults so programs can set and read them.
cudnn = _submodule("cudnn", is_available=_unavailable, enabled=True, benchmark=False,
                   deterministic=False, allow_tf32=True, version=lambda: None)

def _sdp_switch(name: str):
    """The getter and setter of one attention kernel's switch (``nn.attention``)."""
    from ..ops import attention

    def enabled() -> bool:
        return attention.SDP_ENABLED[name]

    def enable(value: bool) -> None:
        attention.SDP_ENABLED[name] = bool(value)

    return enabled, enable


# CUDA: numtorch's GPU path (CuPy) is not built here; matmul flags as PyTorch's defaults.
# The attention-kernel switches are global in PyTorch too, and hold on a CPU.
cuda = _submodule("cuda", is_built=_unavailable,
                  matmul=SimpleNamespace(allow_tf32=False,
                                         allow_fp16_reduced_precision_reduction=True,
                                         allow_bf16_reduced_precision_reduction=True))
for _name, _switch in (("flash", "flash"), ("mem_efficient", "mem_efficient"),
                       ("math", "math"), ("cudnn", "cudnn")):
    _get, _set = _sdp_switch(_switch)
    setattr(cuda, f"{_name}_sdp_enabled", _get)
    setattr(cuda, f"enable_{_name}_sdp", _set)

# CPU-side libraries: NumPy's BLAS does the work; there is no MKL-DNN or OpenMP runtime.
mkldnn = _submodule("mkldnn", is_available=_unavailable, enabled=False)
mkl = _submodule("mkl", is_available=_unavailable)
openmp = _submodule("openmp", is_available=_unavailable)
