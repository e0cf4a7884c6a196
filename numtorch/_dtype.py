"""dtypes (``numtorch.float32`` ...) and PyTorch's type-promotion rules.

A ``dtype`` wraps the NumPy dtype that stores the data. Promotion follows
PyTorch, not NumPy: operands are ranked in three groups — tensors with at
least one dimension, zero-dimensional tensors, and Python numbers — and a
lower group only changes the result when it is of a higher *category*
(bool < integer < floating). So ``int_tensor * 2.5`` is ``float32`` (the
default dtype), ``float16_tensor * 2.5`` stays ``float16``, and a Python
scalar never widens a tensor's dtype.
"""

from __future__ import annotations

import builtins

import numpy as np

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:
    """A tensor element type: ``numtorch.float32``, ``numtorch.int64`` ..."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_signed", "category",
                 "_legacy")

    def __init__(self, name: str, np_dtype, category: int, legacy: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_signed = name not in ("uint8", "bool")
        self._legacy = legacy  # 'Float' as in numtorch.FloatTensor

    is_complex = False

    def __repr__(self) -> str:
        return f"numtorch.{self.name}"

    def __reduce__(self):
        # dtypes are singletons: pickling refers to the module attribute.
        return self.name

    def to_real(self) -> dtype:
        return self

    def to_complex(self) -> dtype:
        raise TypeError(f"{self} has no complex counterpart in numtorch")


float32 = dtype("float32", np.float32, _FLOAT, "Float")
float64 = dtype("float64", np.float64, _FLOAT, "Double")
float16 = dtype("float16", np.float16, _FLOAT, "Half")
int64 = dtype("int64", np.int64, _INT, "Long")
int32 = dtype("int32", np.int32, _INT, "Int")
int16 = dtype("int16", np.int16, _INT, "Short")
int8 = dtype("int8", np.int8, _INT, "Char")
uint8 = dtype("uint8", np.uint8, _INT, "Byte")
bool = dtype("bool", np.bool_, _BOOL, "Bool")  # noqa: A001 - PyTorch's name

# PyTorch's aliases.
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """The floating dtype that Python floats and ``torch.tensor([1.5])`` get."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (``float32`` unless changed)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The numtorch dtype stored as ``np_dtype``; TypeError if there is none."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype).type.__module__}."
            f"{np.dtype(np_dtype).type.__name__}. The only supported types are: float64, "
            "float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept a numtorch dtype, a NumPy dtype, a Python type or a name; return a dtype."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return get_default_dtype()
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if isinstance(d, str) and d.startswith("numtorch."):
        d = d[len("numtorch."):]
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    try:
        return from_numpy_dtype(d)
    except TypeError:
        raise TypeError(f"expected a numtorch dtype, got {d!r}") from None


# --- promotion -----------------------------------------------------------

_INT_ORDER = {uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4}
_FLOAT_ORDER = {float16: 0, float32: 1, float64: 2}


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` can be cast to (PyTorch's table)."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        return hi
    if a.category == _FLOAT:
        return a if _FLOAT_ORDER[a] > _FLOAT_ORDER[b] else b
    # integers: uint8 with a signed type needs the next signed size up.
    if uint8 in (a, b):
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if _INT_ORDER[a] > _INT_ORDER[b] else b


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Let a lower-priority group change the result only if it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x) -> dtype:
    """The dtype a Python number stands for when it meets tensors."""
    if isinstance(x, builtins.bool):
        return bool
    if isinstance(x, builtins.int):
        return int64
    if isinstance(x, builtins.float):
        return get_default_dtype()
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


def result_type(*operands) -> dtype:
    """PyTorch's ``result_type`` over tensors and Python numbers."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is not None and not isinstance(d, dtype):
            d = _BY_NP.get(d)  # a NumPy array or scalar counts as a tensor of its dtype
        if isinstance(d, dtype):
            if x.ndim > 0:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    out = _combine(dim, _combine(zero, wrapped))
    return out if out is not None else get_default_dtype()


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """False where PyTorch refuses a same-kind cast (float to int, anything to bool)."""
    return from_.category <= to.category


# --- finfo / iinfo -------------------------------------------------------------------


class finfo:  # noqa: N801 - PyTorch's name
    """The numerical limits of a floating dtype (the default dtype if none is given):
    ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``), ``resolution``,
    and ``dtype`` (its name). The numbers are Python floats, from NumPy's finfo."""

    __module__ = "numtorch"
    __hash__ = None  # PyTorch's finfo is unhashable too

    def __init__(self, type=None):  # noqa: A002 - PyTorch's parameter name
        t = get_default_dtype() if type is None else type
        if not isinstance(t, dtype):
            raise TypeError("finfo(): argument 'type' (position 1) must be numtorch.dtype, not "
                            f"{builtins.type(t).__name__}")
        if not t.is_floating_point:
            raise TypeError("numtorch.finfo() requires a floating point input type. Use "
                            "numtorch.iinfo to handle 'numtorch.finfo'")
        info = np.finfo(t.np)
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # exactly 1e-06, as PyTorch gives it
        self.dtype = t.name

    def __eq__(self, other) -> builtins.bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - PyTorch's name
    """The limits of an integer dtype: ``bits``, ``min``, ``max`` (Python ints), ``dtype``."""

    __module__ = "numtorch"
    __hash__ = None

    def __init__(self, type):  # noqa: A002 - PyTorch's parameter name
        if not isinstance(type, dtype):
            raise TypeError("iinfo(): argument 'type' (position 1) must be numtorch.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type.category == _BOOL:
            raise TypeError("numtorch.bool is not supported by numtorch.iinfo")
        if type.category != _INT:
            raise TypeError("numtorch.iinfo() requires an integer input type. Use "
                            "numtorch.finfo to handle 'numtorch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.min, self.max = info.bits, builtins.int(info.min), builtins.int(info.max)
        self.dtype = type.name

    def __eq__(self, other) -> builtins.bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __repr__(self) -> str:
        return f"iinfo(min={builtins.float(self.min):g}, max={builtins.float(self.max):g}, " \
               f"dtype={self.dtype})"
