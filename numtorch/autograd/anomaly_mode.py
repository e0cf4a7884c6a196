"""Anomaly detection: name the forward op behind a NaN gradient.

With it on, each graph node keeps the stack of the forward call that created
it; if a node's backward raises or returns NaN, the engine warns with that
stack and raises ``Function 'XBackward0' returned nan values in its 0th output.``
"""

from __future__ import annotations

from .function import _anomaly


def is_anomaly_enabled() -> bool:
    return _anomaly[0]


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly[1]


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off (``numtorch.set_anomaly_enabled``, a plain function:
    ``set_detect_anomaly`` is the context-manager form)."""
    _anomaly[0], _anomaly[1] = bool(enabled), bool(check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off; a function call or a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = tuple(_anomaly)
        _anomaly[0], _anomaly[1] = mode, check_nan

    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        _anomaly[0], _anomaly[1] = self._prev


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = tuple(_anomaly)
        _anomaly[0], _anomaly[1] = True, self.check_nan
        return None

    def __exit__(self, *exc) -> None:
        _anomaly[0], _anomaly[1] = self._prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper
