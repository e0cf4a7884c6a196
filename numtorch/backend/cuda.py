"""The cuda backend: CuPy, when it and an NVIDIA GPU are present."""

from __future__ import annotations

from .._device import device

_MISSING = (
    "numtorch: CUDA is not available: {why}. numtorch runs on cuda devices through CuPy "
    "(pip install cupy-cuda12x) on a machine with an NVIDIA GPU; use device='cpu' here."
)


def _cupy():
    try:
        import cupy
    except ImportError:
        raise RuntimeError(_MISSING.format(why="CuPy is not installed")) from None
    try:
        if cupy.cuda.runtime.getDeviceCount() == 0:
            raise RuntimeError(_MISSING.format(why="no GPU was found"))
    except cupy.cuda.runtime.CUDARuntimeError as e:
        raise RuntimeError(_MISSING.format(why=f"the CUDA runtime failed ({e})")) from None
    return cupy


def xp():
    """The cupy module, or a RuntimeError naming what is missing."""
    return _cupy()


def is_available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    try:
        _cupy()
    except RuntimeError:
        return False
    return True


def device_count() -> int:
    return _cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def device_of(array) -> device:
    return device("cuda", int(array.device.id))
