"""``numtorch.cuda``: what PyTorch's ``torch.cuda`` answers about GPUs."""

from ..backend.cuda import device_count, is_available
from . import amp  # noqa: F401 - numtorch.cuda.amp, as torch.cuda.amp

__all__ = ["is_available", "device_count", "current_device", "manual_seed", "manual_seed_all",
           "synchronize"]


def current_device() -> int:
    if not is_available():
        from ..backend.cuda import xp

        xp()  # raises the clear error
    return 0


def manual_seed(seed: int) -> None:
    """Seeding an absent GPU is a no-op, as in PyTorch."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    """Nothing runs asynchronously on the cpu."""
