"""``numtorch.cuda.amp``: PyTorch's older names for ``numtorch.amp``'s CUDA forms, deprecated
there with a FutureWarning. Without a GPU both are disabled (see numtorch/amp.py)."""

from __future__ import annotations

from .. import _warnings
from .. import amp as _amp

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


class autocast(_amp.autocast):  # noqa: N801 - PyTorch's name
    """``numtorch.amp.autocast("cuda", ...)`` under its deprecated name."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True) -> None:
        _warnings.warn("`numtorch.cuda.amp.autocast(args...)` is deprecated. Please use "
                       "`numtorch.amp.autocast('cuda', args...)` instead.", FutureWarning)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``numtorch.amp.GradScaler("cuda", ...)`` under its deprecated name."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _warnings.warn("`numtorch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                       "`numtorch.amp.GradScaler('cuda', args...)` instead.", FutureWarning)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """``numtorch.amp.custom_fwd(device_type="cuda")`` under its deprecated name."""
    _warnings.warn("`numtorch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                   "`numtorch.amp.custom_fwd(args..., device_type='cuda')` instead.",
                   FutureWarning)
    return _amp.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd):
    """``numtorch.amp.custom_bwd(device_type="cuda")`` under its deprecated name."""
    _warnings.warn("`numtorch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                   "`numtorch.amp.custom_bwd(args..., device_type='cuda')` instead.",
                   FutureWarning)
    return _amp.custom_bwd(bwd, device_type="cuda")
