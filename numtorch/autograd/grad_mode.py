"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

One flag decides whether ``Function.apply`` records graph nodes. Each mode is
a context manager and a decorator, and restores the previous flag on exit.
The flag is process-wide (PyTorch's is per thread); numtorch's DataLoader
workers are processes, so the difference only shows to threaded user code.
"""

from __future__ import annotations

import functools
import inspect

# Read directly by Function.apply on every op: a module attribute is the cheapest check.
enabled = True
_inference = False


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for autograd."""
    return enabled


def is_inference_mode_enabled() -> bool:
    return _inference


def _tensor():
    from .. import _tensor  # imported late: _tensor imports this module

    return _tensor


def _set(flag: bool) -> None:
    global enabled
    enabled = flag


class _Mode:
    """Base for the grad-mode context managers; subclasses say which flag they set."""

    def _flag(self) -> bool:
        raise NotImplementedError

    def __enter__(self):
        self._prev = enabled
        _set(self._flag())
        return None

    def __exit__(self, *exc) -> None:
        _set(self._prev)

    def __call__(self, fn):
        mode = self.clone()
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with mode.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        gen.close()
                        raise
                    with mode.clone():
                        try:
                            response = gen.send(request)
                        except StopIteration as e:
                            return e.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mode.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_Mode):
    """Context manager and decorator that turns off graph recording.

    Example::

        with numtorch.no_grad():
            y = model(x)        # y.requires_grad is False
    """

    def _flag(self) -> bool:
        return False


class enable_grad(_Mode):
    """Turn graph recording back on inside a ``no_grad`` block."""

    def _flag(self) -> bool:
        return True


class set_grad_enabled(_Mode):
    """Set recording on or off; works as a function, a context manager and a decorator."""

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled() expected a bool, got {type(mode).__name__}")
        self._prev = enabled
        self.mode = mode
        _set(mode)  # takes effect immediately when called as a function

    def _flag(self) -> bool:
        return self.mode

    def __enter__(self):
        _set(self.mode)
        return None

    def clone(self):
        prev = enabled
        clone = set_grad_enabled(self.mode)
        _set(prev)
        return clone

    def __call__(self, fn):
        _set(self._prev)  # used as a decorator: undo the immediate effect
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like ``no_grad``; tensors made inside remember it (``Tensor.is_inference()``)."""

    def __init__(self, mode: bool = True):
        self.mode = mode

    def _flag(self) -> bool:
        return not self.mode

    def __enter__(self):
        global _inference
        self._prev_inf = _inference
        _inference = self.mode
        _tensor()._set_inference(self.mode)
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        global _inference
        _inference = self._prev_inf
        _tensor()._set_inference(self._prev_inf)
        super().__exit__(*exc)

    def clone(self):
        return inference_mode(self.mode)
