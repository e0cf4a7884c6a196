"""``numtorch.xpu``: what PyTorch's ``torch.xpu`` answers on a build without Intel GPUs.

Programs probe it while picking a device (``torch.xpu.is_available()``); the
questions get PyTorch's CPU-build answers, seeding is a no-op, and anything
that needs a device raises PyTorch's AssertionError.
"""

from __future__ import annotations

__all__ = ["current_device", "device_count", "empty_cache", "get_device_name", "init",
           "initial_seed", "is_available", "is_bf16_supported", "is_initialized",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "synchronize"]


def _not_compiled() -> AssertionError:
    return AssertionError("Torch not compiled with XPU enabled")


def is_available() -> bool:
    """False: numtorch has no XPU backend."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seeding an absent device is a no-op, as in PyTorch."""


def manual_seed_all(seed: int) -> None:
    """Seeding an absent device is a no-op, as in PyTorch."""


def seed() -> None:
    """Seeding an absent device is a no-op, as in PyTorch."""


def seed_all() -> None:
    """Seeding an absent device is a no-op, as in PyTorch."""


def empty_cache() -> None:
    """Nothing is cached for an absent device."""


def init() -> None:
    raise _not_compiled()


def current_device() -> int:
    raise _not_compiled()


def get_device_name(device=None) -> str:
    raise _not_compiled()


def synchronize(device=None) -> None:
    raise _not_compiled()


def initial_seed() -> int:
    raise _not_compiled()
