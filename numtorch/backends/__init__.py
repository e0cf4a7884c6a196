"""numtorch.backends: what PyTorch's ``torch.backends`` reports, for this NumPy build.

Programs ask these before picking a device (the tutorial's
``"mps" if torch.backends.mps.is_available() else "cpu"``) or set flags that
only matter to GPU libraries (``torch.backends.cudnn.benchmark = True``). On
numtorch the accelerators are absent and the flags are plain attributes that
programs can read and set; nothing reads them.
"""

from types import SimpleNamespace


def _unavailable() -> bool:
    return False


def _available() -> bool:
    return True


# Apple's Metal: never present in numtorch.
mps = SimpleNamespace(is_available=_unavailable, is_built=_unavailable)

# cuDNN: not present; its flags keep PyTorch's defaults so programs can set and read them.
cudnn = SimpleNamespace(is_available=_unavailable, enabled=True, benchmark=False,
                        deterministic=False, allow_tf32=True, version=lambda: None)

# CUDA: numtorch's GPU path (CuPy) is not built here; matmul flags as PyTorch's defaults.
cuda = SimpleNamespace(is_built=_unavailable,
                       matmul=SimpleNamespace(allow_tf32=False,
                                              allow_fp16_reduced_precision_reduction=True,
                                              allow_bf16_reduced_precision_reduction=True))

# CPU-side libraries: NumPy's BLAS does the work; there is no MKL-DNN or OpenMP runtime.
mkldnn = SimpleNamespace(is_available=_unavailable, enabled=False)
mkl = SimpleNamespace(is_available=_unavailable)
openmp = SimpleNamespace(is_available=_unavailable)
