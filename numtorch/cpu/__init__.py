"""``numtorch.cpu``: PyTorch's ``torch.cpu``, the CPU seen as a device like the others.

Device-agnostic code calls ``torch.<device>.synchronize()``, streams and events on
whatever device it runs. On the CPU every op has finished when it returns, so
synchronising waits for nothing, an event is complete as soon as it is recorded, and
a stream only marks a scope: these are PyTorch's CPU semantics, not placeholders.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from . import amp

__all__ = ["is_available", "is_initialized", "synchronize", "current_device",
           "current_stream", "stream", "set_device", "device_count", "Stream",
           "StreamContext", "Event", "amp"]


def is_available() -> bool:
    """The CPU is always there."""
    return True


def is_initialized() -> bool:
    return True


def synchronize(device=None) -> None:
    """Wait for the CPU's pending work: there is none, ops finish before they return."""


def current_device() -> str:
    return "cpu"


def set_device(device) -> None:
    """There is one CPU device: nothing to switch to."""


def device_count() -> int:
    return 1


class Stream:
    """A CPU stream: work on the CPU is already in order, so waits return at once."""

    def __init__(self, priority: int = -1) -> None:
        pass

    def wait_stream(self, stream) -> None:
        pass

    def record_event(self) -> None:
        pass

    def wait_event(self, event) -> None:
        pass


class Event:
    """A CPU event: complete once recorded, since the work before it is done."""

    def query(self) -> bool:
        return True

    def record(self, stream=None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def wait(self, stream=None) -> None:
        pass


_default_stream = Stream()
_current_stream = _default_stream


def current_stream(device=None) -> Stream:
    """The stream work is issued to (the default one unless inside ``stream(...)``)."""
    return _current_stream


class StreamContext(AbstractContextManager):
    """Makes ``stream`` current inside a ``with`` block (None: leaves it as it is)."""

    def __init__(self, stream: Stream | None) -> None:
        self.stream = stream
        self.prev_stream = _default_stream

    def __enter__(self):
        global _current_stream
        if self.stream is None:
            return self
        self.prev_stream = _current_stream
        _current_stream = self.stream
        return self

    def __exit__(self, *exc) -> None:
        global _current_stream
        if self.stream is not None:
            _current_stream = self.prev_stream


def stream(stream: Stream | None) -> AbstractContextManager:
    """``with numtorch.cpu.stream(s):`` runs the block with ``s`` current."""
    return StreamContext(stream)
