"""``numtorch.accelerator``: PyTorch's device-agnostic questions about the machine's
accelerator, answered for a machine without one (numtorch runs on the CPU).

The tutorial picks its device with
``numtorch.accelerator.current_accelerator().type if numtorch.accelerator.is_available()
else "cpu"``, which gives "cpu" here. As in PyTorch without an accelerator, anything that
needs a device (its index, memory, streams, synchronising) raises.
"""

from __future__ import annotations

from . import _warnings

__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "current_stream", "device_count", "device_index", "empty_cache", "empty_host_cache",
           "get_device_capability", "get_memory_info", "is_available", "max_memory_allocated",
           "max_memory_reserved", "memory_allocated", "memory_reserved", "memory_stats",
           "reset_accumulated_memory_stats", "reset_peak_memory_stats", "set_device_idx",
           "set_device_index", "set_stream", "synchronize"]


def _none_available():
    return RuntimeError("Cannot access accelerator device when none is available.")


def is_available() -> bool:
    """False: no accelerator."""
    return False


def current_accelerator(check_available: bool = False):
    """The accelerator's device type, or None (always None here)."""
    return None


def device_count() -> int:
    return 0


def current_device_index() -> int:
    raise _none_available()


def set_device_index(device, /) -> None:
    raise _none_available()


def current_device_idx() -> int:
    _warnings.warn("Use `current_device_index` instead.", FutureWarning)
    return current_device_index()


def set_device_idx(device, /) -> None:
    _warnings.warn("Use `set_device_index` instead.", FutureWarning)
    set_device_index(device)


def synchronize(device=None, /) -> None:
    raise _none_available()


def current_stream(device=None, /):
    raise _none_available()


def set_stream(stream) -> None:
    raise _none_available()


def get_device_capability(device=None, /) -> dict:
    raise _none_available()


def empty_cache() -> None:
    raise _none_available()


def empty_host_cache() -> None:
    raise _none_available()


def memory_allocated(device_index=None, /) -> int:
    raise _none_available()


def max_memory_allocated(device_index=None, /) -> int:
    raise _none_available()


def memory_reserved(device_index=None, /) -> int:
    raise _none_available()


def max_memory_reserved(device_index=None, /) -> int:
    raise _none_available()


def memory_stats(device_index=None, /):
    raise _none_available()


def reset_peak_memory_stats(device_index=None, /) -> None:
    raise _none_available()


def reset_accumulated_memory_stats(device_index=None, /) -> None:
    raise _none_available()


def get_memory_info(device_index=None, /) -> tuple:
    raise _none_available()


class device_index:  # noqa: N801 - PyTorch's name
    """Context manager selecting an accelerator device; ``None`` selects nothing."""

    def __init__(self, device, /) -> None:
        self.idx = device

    def __enter__(self) -> None:
        if self.idx is not None:
            raise _none_available()

    def __exit__(self, *exc) -> None:
        return None
