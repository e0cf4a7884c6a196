"""``numtorch.cuda.amp``: PyTorch's older names for ``numtorch.amp``'s CUDA forms, deprecated
there with a FutureWarning. Without a GPU both are disabled (see numtorch/amp.py)."""

from __future__ import annotations

from .. import _warnings
from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]


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
