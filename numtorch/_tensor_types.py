"""The legacy tensor types: ``numtorch.FloatTensor``, ``LongTensor`` ... (PyTorch's
``torch.FloatTensor`` ...), still common in older code.

Each is three things at once, as in PyTorch: a constructor for its dtype
(``LongTensor([1, 2])``; ``FloatTensor(2, 3)`` is uninitialised), a type for
``isinstance`` (true for a Tensor of that dtype), and an argument of ``Tensor.type``
(``x.type(numtorch.LongTensor)``), whose no-argument form returns the name.
"""

from __future__ import annotations

import importlib

from . import _dtype as D
from . import _warnings
from ._tensor import Tensor, _legacy_data, _new


class tensortype(type):  # noqa: N801 - PyTorch's name for the metaclass
    """The metaclass of the legacy tensor types."""

    __module__ = "numtorch"

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype

    def __call__(cls, *args, **kwargs):
        t = _new(Tensor)
        Tensor._init(t, _legacy_data(args, kwargs, cls.dtype))
        return t


def _legacy_type(dt):
    return tensortype(f"{dt._legacy}Tensor", (), {"dtype": dt, "is_cuda": False,
                                                   "is_sparse": False, "__module__": "numtorch"})


FloatTensor = _legacy_type(D.float32)
DoubleTensor = _legacy_type(D.float64)
HalfTensor = _legacy_type(D.float16)
LongTensor = _legacy_type(D.int64)
IntTensor = _legacy_type(D.int32)
ShortTensor = _legacy_type(D.int16)
CharTensor = _legacy_type(D.int8)
ByteTensor = _legacy_type(D.uint8)
BoolTensor = _legacy_type(D.bool)

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor", "set_default_tensor_type"]


_default_type_warned = False


def set_default_tensor_type(t) -> None:
    """The legacy form of ``set_default_dtype``: ``t`` is a floating tensor type
    (``numtorch.DoubleTensor``) or its name (``'torch.DoubleTensor'``). Deprecated in
    PyTorch 2.1; warns once per process, as PyTorch does."""
    global _default_type_warned
    if not _default_type_warned:
        _default_type_warned = True
        _warnings.warn("numtorch.set_default_tensor_type() is deprecated as of PyTorch 2.1, "
                       "please use numtorch.set_default_dtype() and "
                       "numtorch.set_default_device() as alternatives.", UserWarning)
    if isinstance(t, str):
        t = _type_from_name(t)
    if not isinstance(t, tensortype):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    D.set_default_dtype(t.dtype)


def _type_from_name(name: str):
    """The object a dotted name like ``'torch.DoubleTensor'`` names, imported as PyTorch
    imports it (``torch`` read as numtorch, which has no CUDA types)."""
    if name.startswith("torch.cuda.") or name.startswith("numtorch.cuda."):
        raise TypeError(f"type {name} not available. Torch not compiled with CUDA enabled.")
    first, *rest = name.split(".")
    obj = importlib.import_module("numtorch" if first == "torch" else first)
    for part in rest:
        obj = getattr(obj, part)
    return obj
