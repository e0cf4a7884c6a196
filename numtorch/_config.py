"""Process-wide switches that PyTorch training scripts set at the top, and ``compile``.

numtorch's kernels are deterministic and run float32 matmuls in float32, so the
switches below change nothing in the numbers: they store what was asked, check it as
PyTorch checks it, and report it back, so that scripts which set or read them run
unchanged.

``compile(model)`` returns the model wrapped as PyTorch wraps it (an ``OptimizedModule``
whose ``state_dict`` keys start with ``_orig_mod.``, as in PyTorch), running the same
code: numtorch has no compiler, so "compiled" code is the code itself.
"""

from __future__ import annotations

import builtins

from . import _warnings
from ._input_check import type_name
from ._tensor import Tensor

_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest",
          "interop_threads": None}


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    """Ask for deterministic algorithms (every numtorch kernel already is one)."""
    for name, value, where in (("mode", mode, " (position 1)"), ("warn_only", warn_only, "")):
        if not isinstance(value, builtins.bool):
            raise TypeError(f"_set_deterministic_algorithms(): argument '{name}'{where} must be "
                            f"bool, not {type_name(value)}")
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]


def set_float32_matmul_precision(precision) -> None:
    """'highest', 'high' or 'medium' (numtorch always computes float32 matmuls in float32)."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got "
                           f"{type_name(precision)}")
    if precision not in ("highest", "high", "medium"):
        # No space after "current": PyTorch's message, verbatim.
        _warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                       "setFloat32MatmulPrecision call has no effect.", UserWarning)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]


def set_num_interop_threads(n) -> None:
    """Stored only: numtorch runs independent ops one after the other (no inter-op pool)."""
    if not isinstance(n, builtins.int) or isinstance(n, builtins.bool) or n < 1:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    _state["interop_threads"] = n


def get_num_interop_threads() -> int:
    from .backend.parallel import get_num_threads

    return _state["interop_threads"] or get_num_threads()


def typename(obj) -> str:
    """``'numtorch.FloatTensor'`` for a tensor; ``module.QualifiedName`` for anything else
    (of a class or function itself, as PyTorch: ``typename(int)`` is ``'int'``)."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(named, "__module__", "") or ""
    return named.__qualname__ if module in ("", "builtins") else f"{module}.{named.__qualname__}"


def is_complex(input) -> bool:  # noqa: A002 - PyTorch's parameter name
    """Whether ``input``'s dtype is complex: never, in numtorch (no complex dtypes)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_complex(): argument 'input' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    return False


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor",  # noqa: A001
            mode=None, options=None, disable=False):
    """PyTorch's ``torch.compile``: here the same code, wrapped as PyTorch wraps it.

    A module comes back as an ``OptimizedModule`` holding it (its parameters are the
    module's, its ``state_dict`` keys gain the ``_orig_mod.`` prefix as in PyTorch); a
    function comes back as itself; with no model, a decorator.
    """
    if model is None:
        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, disable=disable)
        return decorate
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is "
                             "provided.")
    from .nn.modules.module import Module

    if isinstance(model, Module):
        return _optimized_module_class()(model)
    return model


_OPTIMIZED_MODULE = []  # the class, made on first use (nn imports numtorch first)


def _optimized_module_class():
    if not _OPTIMIZED_MODULE:
        from .nn.modules.module import Module

        class OptimizedModule(Module):
            """A module returned by ``numtorch.compile``: calls run the original module."""

            def __init__(self, mod) -> None:
                super().__init__()
                self._orig_mod = mod

            def forward(self, *args, **kwargs):
                return self._orig_mod(*args, **kwargs)

            def __getattr__(self, name):
                try:
                    return super().__getattr__(name)
                except AttributeError:
                    return getattr(self._modules["_orig_mod"], name)

        _OPTIMIZED_MODULE.append(OptimizedModule)
    return _OPTIMIZED_MODULE[0]


__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_num_interop_threads", "get_num_interop_threads",
           "typename", "is_complex", "compile"]
