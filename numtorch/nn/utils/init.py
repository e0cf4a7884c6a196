"""``nn.utils.skip_init``: build a module without running its default initialisation."""

from __future__ import annotations

import inspect

from .. import init
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` with its parameters and buffers left uninitialised
    (as ``numtorch.empty`` leaves them), for code that fills them itself right after: the
    default initialisation's work and random draws are skipped, so the generator is where
    it was, as in PyTorch.

    PyTorch builds the module on the "meta" device and then gives it empty memory;
    numtorch builds it with ``nn.init``'s fills turned off, then does the same. As in
    PyTorch, the module must take a ``device`` argument and do nothing in its constructor
    but ``nn.init`` fills.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    with init._skipped():
        module = module_cls(*args, device=final_device, **kwargs)
    return module.to_empty(device=final_device)
