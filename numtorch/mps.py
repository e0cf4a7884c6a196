"""``numtorch.mps``: what PyTorch's ``torch.mps`` answers on a machine without Apple's Metal.

Device-picking code asks ``torch.mps.is_available()`` (False here) and seeds every
backend (a no-op here, as in PyTorch); what needs the Metal device itself raises
PyTorch's RuntimeError naming the missing call.
"""

from __future__ import annotations

__all__ = ["device_count", "is_available", "manual_seed", "seed", "synchronize",
           "get_rng_state", "set_rng_state", "empty_cache", "set_per_process_memory_fraction",
           "current_allocated_memory", "driver_allocated_memory", "recommended_max_memory"]


def _no_backend(call: str) -> RuntimeError:
    return RuntimeError(f"Cannot execute {call}() without MPS backend.")


def is_available() -> bool:
    """False: numtorch has no Metal backend."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeding an absent device is a no-op, as in PyTorch."""


def seed() -> None:
    raise _no_backend("getDefaultGenerator")


def get_rng_state(device="mps"):
    raise _no_backend("getDefaultGenerator")


def set_rng_state(new_state, device="mps") -> None:
    raise _no_backend("getDefaultGenerator")


def synchronize() -> None:
    raise _no_backend("deviceSynchronize")


def empty_cache() -> None:
    raise _no_backend("emptyCache")


def set_per_process_memory_fraction(fraction) -> None:
    raise _no_backend("setMemoryFraction")


def current_allocated_memory() -> int:
    raise _no_backend("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    raise _no_backend("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    raise _no_backend("getRecommendedMaxMemory")
