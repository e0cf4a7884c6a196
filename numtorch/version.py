"""``numtorch.version``: what PyTorch's ``torch.version`` reports about the build.

numtorch is pure Python on NumPy: it is built against no CUDA, ROCm or XPU toolkit, so
those entries are None, as on PyTorch's CPU build.
"""

__all__ = ["__version__", "debug", "cuda", "git_version", "hip", "rocm", "xpu"]

__version__ = "0.1.0"
debug = False
cuda: str | None = None
git_version = "unknown"  # numtorch records no build commit
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
