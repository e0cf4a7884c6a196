"""``numtorch.cpu.amp``: PyTorch's older names for ``numtorch.amp``'s CPU forms, deprecated
there with a FutureWarning (see numtorch/amp.py for what autocast does on the CPU)."""

from __future__ import annotations

from .. import _warnings
from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]


class autocast(_amp.autocast):  # noqa: N801 - PyTorch's name
    """``numtorch.amp.autocast("cpu", ...)`` under its deprecated name."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True) -> None:
        _warnings.warn("`numtorch.cpu.amp.autocast(args...)` is deprecated. Please use "
                       "`numtorch.amp.autocast('cpu', args...)` instead.", FutureWarning)
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """``numtorch.amp.GradScaler("cpu", ...)`` under its deprecated name."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _warnings.warn("`numtorch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                       "`numtorch.amp.GradScaler('cpu', args...)` instead.", FutureWarning)
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
