"""The array modules behind numtorch's devices.

Every kernel asks for ``xp`` — the module that owns its input arrays
(``numpy`` on the cpu, ``cupy`` on cuda) — instead of importing NumPy, so one
kernel serves both devices.
"""

from __future__ import annotations

import numpy as np

from .._device import device
from . import cpu

cpu.tune_malloc()  # once, at import: see backend/cpu.py


def get_array_module(*arrays):
    """``numpy`` or ``cupy``: the module owning the first non-NumPy array, else NumPy."""
    for a in arrays:
        if not isinstance(a, np.ndarray) and type(a).__module__.startswith("cupy"):
            from . import cuda

            return cuda.xp()
    return np


def xp_for(dev: device):
    """The array module for a device; a clear error for devices numtorch cannot use here."""
    if dev.type == "cpu":
        return np
    if dev.type == "cuda":
        from . import cuda

        return cuda.xp()
    if dev.type == "xpu":
        raise AssertionError("Torch not compiled with XPU enabled")  # as numtorch.xpu says
    if dev.type == "meta":
        raise RuntimeError("numtorch has no backend for device type 'meta'; use 'cpu'")
    raise RuntimeError(f"numtorch is not linked with support for {dev.type} devices")


def device_of(array) -> device:
    """The device an array lives on."""
    if isinstance(array, np.ndarray):
        return _CPU
    from . import cuda

    return cuda.device_of(array)


_CPU = device("cpu")
