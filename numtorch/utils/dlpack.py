"""``numtorch.utils.dlpack``: tensors in and out of other array libraries through DLPack,
sharing memory (PyTorch tensors, NumPy and CuPy arrays, JAX ...).

``numtorch.from_dlpack(x)`` takes an object with ``__dlpack__`` (a ``torch.Tensor``, a NumPy
array ...) or a DLPack capsule; ``torch.from_dlpack(t)`` takes a numtorch tensor the same
way (``Tensor.__dlpack__``). Both ends see one buffer: a write through either shows in the
other.
"""

from __future__ import annotations

__all__ = ["from_dlpack", "to_dlpack"]


class _Capsule:
    """A bare DLPack capsule made readable by ``np.from_dlpack`` (it wants the protocol)."""

    def __init__(self, capsule, device):
        self.capsule, self.device = capsule, device

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return self.device


def from_dlpack(ext_tensor):
    """A numtorch tensor over the memory of ``ext_tensor`` (an object with ``__dlpack__``, or
    a capsule from ``to_dlpack`` or another library's)."""
    import numpy as np

    from .._tensor import Tensor

    if type(ext_tensor).__name__ == "PyCapsule":
        ext_tensor = _Capsule(ext_tensor, (1, 0))
    if hasattr(ext_tensor, "__dlpack_device__") and ext_tensor.__dlpack_device__()[0] != 1:
        from ..backend import cuda

        return Tensor._make(cuda.xp().from_dlpack(ext_tensor))
    return Tensor._make(np.from_dlpack(ext_tensor))


def to_dlpack(tensor):
    """The DLPack capsule of ``tensor`` (the legacy form; ``from_dlpack(tensor)`` on the
    other side needs no capsule)."""
    return tensor.__dlpack__()
