"""``numtorch.signal``: signal-processing helpers, as ``torch.signal`` (windows only)."""

from . import windows

__all__ = ["windows"]
