"""The legacy tensor types: ``numtorch.FloatTensor``, ``LongTensor`` ... (PyTorch's
``torch.FloatTensor`` ...), still common in older code.

Each is three things at once, as in PyTorch: a constructor for its dtype
(``LongTensor([1, 2])``; ``FloatTensor(2, 3)`` is uninitialised), a type for
``isinstance`` (true for a Tensor of that dtype), and an argument of ``Tensor.type``
(``x.type(numtorch.LongTensor)``), whose no-argument form returns the name.
"""

from __future__ import annotations

from . import _dtype as D
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
           "CharTensor", "ByteTensor", "BoolTensor"]
