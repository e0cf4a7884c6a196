"""Pointwise ops: arithmetic, math functions, comparisons, logic — forward beside backward.

Each differentiable op is an ``ArrayFunction``: ``forward`` computes on arrays
(``xp`` is NumPy or CuPy), ``backward`` returns one gradient per input as
Tensors, written with Tensor ops so that ``create_graph=True`` can
differentiate them again. Gradients of broadcast inputs are returned in the
broadcast shape; the autograd engine sums them back (see ``engine._sum_to``).

Dtypes follow PyTorch: binary ops cast their operands to PyTorch's result
dtype first (``_util.cast_operands``: a Python number never widens a tensor);
float-valued functions of integer or bool tensors (``exp``, ``sin``, true
division ...) compute in the default float dtype. Comparisons, logical and
bitwise ops return bool/integer tensors and are not differentiable.

Where PyTorch records different graph nodes for the tensor and the scalar
form of an op (``PowBackward0`` for ``x ** 2``, ``PowBackward1`` for
``x ** y``, ``PowBackward2`` for ``2 ** x``), there is one Function class per
node name, so ``y.grad_fn`` prints what PyTorch prints.

NumPy warns on overflow, division by zero and invalid values; PyTorch never
does, so kernels that expect inf/nan results run under ``_quiet()``. The
hottest kernels (``add``, ``sub``, ``mul``) skip it: it costs about a
microsecond, and their only warnings are float overflows.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .. import _warnings, return_types
from .._input_check import type_name
from .._tensor import Tensor, inplace
from ..autograd import function as _fn
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..backend import blas, parallel
from ..backend import cpu as _cpu
from ..backend.fma import fma32, fma64
from ._util import cast_operands, check_out, write_out, xp_of, zero_grad

__all__ = [
    # arithmetic
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "neg", "negative", "positive",
    "abs", "absolute", "sign", "sgn", "signbit", "square", "reciprocal",
    # exponentials, logarithms, powers
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    # trigonometric and hyperbolic
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "atan2",
    "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh",
    # activations and special functions
    "sigmoid", "logit", "relu", "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma",
    # rounding
    "floor", "ceil", "round", "trunc", "fix", "frac",
    # clamping, selection, blending
    "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where",
    "lerp", "addcmul", "addcdiv", "hypot", "copysign", "xlogy", "nan_to_num",
    # more math: angles, sinc, log-sum-exp pairs, steps, integers, float decomposition
    "deg2rad", "rad2deg", "sinc", "logaddexp", "logaddexp2", "heaviside", "gcd", "lcm",
    "ldexp", "nextafter", "frexp",
    # predicates
    "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal",
    # logical and bitwise
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    # comparisons
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "isclose", "allclose", "equal",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py). The in-place
# forms on optimizer hot paths (add_, mul_ ...) are written out below, with a fast path.
TENSOR_METHODS = (
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "float_power", "neg", "negative", "positive", "abs",
    "absolute", "sign", "sgn", "signbit", "square", "reciprocal", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos",
    "atan", "arcsin", "arccos", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh",
    "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit", "relu", "erf",
    "erfc", "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip",
    "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "lerp", "addcmul",
    "addcdiv", "hypot", "copysign", "xlogy", "nan_to_num", "isnan", "isinf", "isposinf",
    "isneginf", "isfinite", "isreal", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "isclose", "allclose",
    "equal", "deg2rad", "rad2deg", "sinc", "logaddexp", "logaddexp2", "heaviside", "gcd",
    "lcm", "ldexp", "nextafter", "frexp",
    # ldexp_ checks self's dtype first, for PyTorch's message (defined beside ldexp)
    "ldexp_",
    # x.polygamma_(n): n first, so not the generic in-place form (Tensor.polygamma, whose
    # tensor is polygamma's second argument, is set in numtorch/_tensor.py)
    "polygamma_",
    # special functions
    "lgamma", "digamma",
    # in-place forms with an untracked fast path (defined at the end of this file)
    "add_", "sub_", "subtract_", "mul_", "multiply_", "div_", "divide_", "addcmul_",
    "addcdiv_", "lerp_", "sqrt_", "clamp_", "clip_", "float_power_",
    # in-place comparisons, recorded with a zero gradient when autograd tracks them
    "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
    "less_equal_", "not_equal_",
)
INPLACE_METHODS = (
    "true_divide", "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs",
    "absolute", "sign", "sgn", "square", "reciprocal", "exp", "exp2", "expm1", "log", "log2",
    "log10", "log1p", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin",
    "arccos", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "arcsinh", "arccosh", "arctanh", "sigmoid", "logit", "relu", "erf", "erfc", "erfinv",
    "floor", "ceil", "round", "trunc", "fix", "frac", "clamp_min", "clamp_max", "hypot",
    "copysign", "xlogy", "nan_to_num", "logical_and", "logical_or", "logical_xor",
    "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "deg2rad", "rad2deg", "sinc", "heaviside",
    "gcd", "lcm", "nextafter", "lgamma", "digamma",
)

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_F16 = np.dtype(np.float16)
_PAR_MIN = parallel.MIN_SIZE
# The range of each integer dtype, for Python ints that meet an integer tensor.
_INT_RANGE = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
              for t in (np.uint8, np.int8, np.int16, np.int32, np.int64)}
# C++ type names, as PyTorch prints them in some dtype errors (lerp).
_CPP_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}


# --- helpers ------------------------------------------------------------------


def _big(a, b=None) -> bool:
    """Whether an operand is large enough to split over threads (``backend.parallel``)."""
    return ((type(a) is np.ndarray and a.size >= _PAR_MIN)
            or (type(b) is np.ndarray and b.size >= _PAR_MIN))


_ZEROS: dict = {}  # dtype -> one read-only zero buffer, grown to the largest size asked


_ZERO: dict = {}  # dtype -> a read-only 0-d zero


def _zero(dt):
    """A 0-d zero of NumPy dtype ``dt``. On tiny arrays NumPy spends more converting a
    Python ``0`` operand than computing (``where(m, g, 0)`` costs ~1.5x ``where(m, g, z)``);
    the result dtype is the same, as a 0-d array never widens the other operand's."""
    z = _ZERO.get(dt)
    if z is None:
        z = _ZERO[dt] = np.zeros((), dtype=dt)
        z.flags.writeable = False
    return z


def _zeros_like(x):
    """Zeros shaped like ``x``, from a shared buffer. ``maximum(x, zeros)`` runs NumPy's
    vectorised loop for two contiguous arrays, about twice as fast as ``maximum(x, 0)``,
    whose broadcast scalar takes a slow loop. (Untouched calloc pages cost no memory.)"""
    buf = _ZEROS.get(x.dtype)
    if buf is None or buf.size < x.size:
        buf = np.zeros(x.size, dtype=x.dtype)
        buf.flags.writeable = False
        _ZEROS[x.dtype] = buf
    return buf[:x.size].reshape(x.shape)


def _quiet():
    """Silence NumPy's floating-point warnings (PyTorch gives inf/nan without a word)."""
    return _cpu.quiet()


def _apply(fn, out, name, *args):
    """Run ``fn.apply(*args)``, writing into ``out`` if given.

    NumPy's broadcasting error becomes PyTorch's (which names the first mismatching size).
    """
    try:
        if out is None:
            return fn.apply(*args)
        check_out(out, name, *args)
        return write_out(out, fn.apply(*args))
    except ValueError as e:
        _raise_broadcast(e, args)
        raise


def _raise_broadcast(err, args) -> None:
    """Re-raise a NumPy broadcasting ValueError as PyTorch's RuntimeError."""
    if "broadcast" not in str(err):
        return
    shape = None
    for a in args:
        if not isinstance(a, Tensor):
            continue
        if shape is None:
            shape = tuple(a.shape)
            continue
        other = tuple(a.shape)
        n = builtins.max(len(shape), len(other))
        new = []
        for i in range(n - 1, -1, -1):
            off = n - 1 - i
            sa = shape[len(shape) - 1 - off] if off < len(shape) else 1
            sb = other[len(other) - 1 - off] if off < len(other) else 1
            if sa != sb and sa != 1 and sb != 1:
                raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor "
                                   f"b ({sb}) at non-singleton dimension {i}") from None
            new.append(sa if sb == 1 else sb)
        shape = tuple(reversed(new))


def _make(arr):
    """Wrap a non-differentiable result; NumPy returns 0-d results as scalars."""
    if isinstance(arr, np.generic):
        arr = np.asarray(arr)
    return Tensor._make(arr)


def _plain(result, out):
    """Return a non-differentiable result, or write it into ``out``."""
    return result if out is None else write_out(out, result)


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float, np.generic))


_type_name = type_name  # as PyTorch prints it: list, float, numpy.ndarray, Tensor


def _fit_int(value, arr):
    """A Python int meeting an integer tensor, wrapped into its dtype as PyTorch casts it
    (NumPy would raise OverflowError: ``uint8_tensor + 300`` is ``+ 44`` in PyTorch)."""
    lo, hi = _INT_RANGE[arr.dtype]
    if lo <= value <= hi:
        return value
    return int(np.array(value).astype(arr.dtype))


def _checked_int(value, np_dtype):
    """A Python int converted to an integer dtype as PyTorch converts clamp bounds, pow
    exponents and where's values: out of range raises (unsigned types also take negatives
    down to -max, which wrap)."""
    if type(value) is int and np_dtype.kind in "iu":
        lo, hi = _INT_RANGE[np_dtype]
        if not (-hi if np_dtype.kind == "u" else lo) <= value <= hi:
            raise RuntimeError(f"value cannot be converted to type {np_dtype.name}_t without "
                               "overflow")
        if value < lo:
            return int(np.array(value).astype(np_dtype))
    return value


def _operands(name, input, other, *, scalar_input=True, scalar_other=True, wrap_ints=True,
              two_numbers=False):
    """Check and normalise the two operands of a binary op.

    NumPy scalars become Python numbers; a Python int meeting an integer tensor wraps to its
    dtype; two numbers (``add(2, 3)``, only where ``two_numbers``) make the first a 0-d
    tensor. Raises PyTorch's TypeError for operands the op does not accept.
    """
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            return input, other
        if not _is_number(other):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{_type_name(other)}")
        if not scalar_other:
            if scalar_input:
                raise TypeError(f"{name}() received an invalid combination of arguments - got "
                                f"(Tensor, {_type_name(other)})")
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{_type_name(other)}")
        if isinstance(other, np.generic):
            other = other.item()
        if wrap_ints and type(other) is int and input._data.dtype.kind in "iu":
            other = _fit_int(other, input._data)
        return input, other
    if not _is_number(input) or not (scalar_input or scalar_other):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    if not scalar_input:  # a number only as `other` (fmod, eq): no overload matches
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({_type_name(input)}, {_type_name(other)})")
    if isinstance(input, np.generic):
        input = input.item()
    if isinstance(other, Tensor):
        if wrap_ints and type(input) is int and other._data.dtype.kind in "iu":
            input = _fit_int(input, other._data)
        return input, other
    if not _is_number(other):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{_type_name(other)}")
    if not scalar_other or not two_numbers:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({_type_name(input)}, {_type_name(other)})")
    return Tensor._make(np.asarray(input, dtype=D.scalar_dtype(input).np)), _scalar(other)


def _scalar(x):
    return x.item() if isinstance(x, np.generic) else x


def _tensors(name, *args) -> None:
    """PyTorch's TypeError for ops whose arguments must all be Tensors."""
    for i, (argname, a) in enumerate(args):
        if not isinstance(a, Tensor):
            raise TypeError(f"{name}(): argument '{argname}' (position {i + 1}) must be Tensor, "
                            f"not {type(a).__name__}")


def _not_implemented(kernel: str, dt) -> NotImplementedError:
    """PyTorch's error for a kernel that has no version for this dtype."""
    if not isinstance(dt, D.dtype):
        dt = D.from_numpy_dtype(dt)
    return NotImplementedError(f'"{kernel}" not implemented for \'{dt._legacy}\'')


def _np_dtype(a, b):
    """The dtype of the array operand (after ``cast_operands`` both arrays share it)."""
    return a.dtype if hasattr(a, "dtype") else b.dtype


def _result_dtype(*operands):
    """PyTorch's result dtype over Tensors and Python numbers."""
    return D.result_type(*[o._data if isinstance(o, Tensor) else o for o in operands])


def _float(x):
    """Integer and bool inputs of float-valued functions compute in the default dtype."""
    return x if x.dtype.kind == "f" else x.astype(D.get_default_dtype().np)


def _float_pair(a, b):
    """Cast to the result dtype, then integers to the default float (PyTorch's INT_TO_FLOAT)."""
    a, b = cast_operands(a, b)
    if _np_dtype(a, b).kind != "f":
        f = D.get_default_dtype().np
        a = a.astype(f) if hasattr(a, "astype") else a
        b = b.astype(f) if hasattr(b, "astype") else b
    return a, b


def _up(x):
    """float16 computes multi-step kernels in float32 (as PyTorch's CPU kernels do)."""
    return x.astype(_F32) if x.dtype == _F16 else x


def _down(out, dt):
    return out if out.dtype == dt else out.astype(dt)


def _keep(grad, mask):
    """``where(mask, grad, 0)`` for backward formulas (a +0 where the mask is false, whatever
    the gradient there: nan, inf or negative, as PyTorch's masked gradients are). A plain
    backward (no graph of it being built) runs on the arrays directly."""
    if not grad_mode.enabled:
        return _keep_array(grad._data, mask._data)
    return where(mask, grad, 0.0)


def _keep_array(g, m):
    """``_keep`` on arrays. NumPy's ``where`` is ~5x slower than a multiply on an irregular
    mask, and ``g * m`` is wrong where the mask is false (-0 for a negative gradient, nan
    for an infinite one). So a large float gradient takes a bitwise AND of its bits with
    all ones (keep) or all zeros (+0.0): exact, and faster than the multiply was."""
    if type(g) is np.ndarray and g.size >= 64 and g.dtype.kind == "f" and m.shape == g.shape:
        bits = np.dtype(f"i{g.itemsize}")
        out = np.subtract(0, m, dtype=bits)  # True -> -1 (all bits set), False -> 0
        np.bitwise_and(out, g.view(bits), out=out)
        return Tensor._make(out.view(g.dtype))
    return _make(xp_of(g).where(m, g, g.dtype.type(0)))


def _check_int_div(xp, b, a=None) -> None:
    """Integer division by zero raises (PyTorch's message is the exception's name),
    unless the broadcast result is empty (no division happens)."""
    if a is not None and 0 in np.broadcast_shapes(np.shape(a), np.shape(b)):
        return
    if hasattr(b, "dtype"):
        if bool(xp.any(b == 0)):
            raise RuntimeError("ZeroDivisionError")
    elif b == 0:
        raise RuntimeError("ZeroDivisionError")


class _NotImplementedGrad(ArrayFunction):
    """Base for ops whose derivative PyTorch does not implement: backward raises.
    (Each subclass names its node: node names are not inherited.)"""

    node_name = "NotImplemented"
    aten_name = ""

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{ctx._forward_cls.aten_name} is not "
                           "implemented")


# --- addition, subtraction, multiplication -------------------------------------------


def _plus_scaled(a, b, alpha):
    """``a + alpha * b`` rounded once, as PyTorch's vectorised CPU kernels compute it (a
    fused multiply-add, with alpha in the operands' precision): float32 through float64,
    where the product is exact; float64 through an exact fma; float16 as float32, rounded
    to half at the end (PyTorch's scalar loop over the last few elements of an array
    rounds the product to half first, so those can differ from it). Integers are exact
    either way."""
    dt = _np_dtype(a, b)
    if dt.kind != "f" or type(a) is not np.ndarray and type(b) is not np.ndarray:
        return _down(a + b * alpha, dt)  # integers, or CuPy arrays: the plain formula
    if dt == np.float64:
        return fma64(b, alpha, a)
    a, b = np.broadcast_arrays(np.asarray(a, np.float32), np.asarray(b, np.float32))
    return _down(fma32(b, np.float32(dt.type(alpha)), a), dt)


class Add(ArrayFunction):
    """``a + alpha * b``."""

    node_name = "AddBackward0"
    _number_operands = 2

    @staticmethod
    def forward(ctx, a, b, alpha):
        a, b = cast_operands(a, b)
        ctx.alpha = alpha
        if alpha == 1:
            return parallel.apply(np.add, a, b) if _big(a, b) else a + b
        return _plus_scaled(a, b, alpha)

    @staticmethod
    def backward(ctx, grad):
        gb = None
        if ctx.needs_input_grad[1]:
            gb = grad if ctx.alpha == 1 else grad * ctx.alpha
        return grad if ctx.needs_input_grad[0] else None, gb, None


class Sub(ArrayFunction):
    """``a - alpha * b``."""

    node_name = "SubBackward0"
    _number_operands = 2

    @staticmethod
    def forward(ctx, a, b, alpha):
        a, b = cast_operands(a, b)
        ctx.alpha = alpha
        if alpha == 1:
            return parallel.apply(np.subtract, a, b) if _big(a, b) else a - b
        return _plus_scaled(a, b, -alpha)

    @staticmethod
    def backward(ctx, grad):
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -grad if ctx.alpha == 1 else grad * -ctx.alpha
        return grad if ctx.needs_input_grad[0] else None, gb, None


class Rsub(ArrayFunction):
    """``b - alpha * a`` (``2 - x``: PyTorch records RsubBackward1)."""

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b, alpha):
        a, b = cast_operands(a, b)
        ctx.alpha = alpha
        return b - a if alpha == 1 else _plus_scaled(b, a, -alpha)

    @staticmethod
    def backward(ctx, grad):
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -grad if ctx.alpha == 1 else grad * -ctx.alpha
        return ga, grad if ctx.needs_input_grad[1] else None, None


class RsubTensor(Rsub):
    node_name = "RsubBackward0"


class Mul(ArrayFunction):
    """``a * b``."""

    node_name = "MulBackward0"
    _number_operands = 2

    @staticmethod
    def forward(ctx, a, b):
        a, b = cast_operands(a, b)
        need_a, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if need_a or need_b:
            ctx.scalar_b = None if hasattr(b, "shape") else b
            ctx.save_for_backward(a if need_b else None,
                                  b if need_a and ctx.scalar_b is None else None)
        return parallel.apply(np.multiply, a, b) if _big(a, b) else a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        g = grad._data
        if not grad_mode.enabled and not _big(g):
            # A plain backward on small arrays: multiply them directly, skipping the
            # operator layers (grad, a and b share the output's dtype).
            if ctx.needs_input_grad[0]:
                ga = _make(g * (b._data if b is not None else ctx.scalar_b))
            if ctx.needs_input_grad[1]:
                gb = _make(g * a._data)
            return ga, gb
        if ctx.needs_input_grad[0]:
            ga = grad * (b if b is not None else ctx.scalar_b)
        if ctx.needs_input_grad[1]:
            gb = grad * a
        return ga, gb


# The arithmetic operators' hot path (see autograd/function.py, "the hot path"): what
# Add/Sub/Mul/Div.apply do, for a float Tensor ``a`` and ``b`` a Tensor of a's dtype or
# a Python number (``Tensor.__add__`` and the others check that before calling these).

def _alpha_one_recorded(cls, ufunc, a, b):
    """``cls.apply(a, b, 1)`` for Add and Sub (alpha 1)."""
    ctx = _fn.new_node(cls, a, b, 3)
    ctx.alpha = 1
    x, y = a._data, (b._data if isinstance(b, Tensor) else b)
    return _fn.node_output(ctx, parallel.apply(ufunc, x, y) if _big(x, y) else ufunc(x, y))


def _add_recorded(a, b):
    return _alpha_one_recorded(Add, np.add, a, b)


def _sub_recorded(a, b):
    return _alpha_one_recorded(Sub, np.subtract, a, b)


def _mul_recorded(a, b):
    ctx = _fn.new_node(Mul, a, b, 2)
    need_a, need_b = ctx.needs_input_grad
    x = a._data
    if isinstance(b, Tensor):
        y = b._data
        ctx.scalar_b = None
        _fn.save(ctx, a if need_b else None, b if need_a else None)
    else:
        y = ctx.scalar_b = b
        _fn.save(ctx, None, None)
    return _fn.node_output(ctx, parallel.apply(np.multiply, x, y) if _big(x, y) else x * y)


def _div_recorded(a, b):
    ctx = _fn.new_node(Div, a, b, 2)
    need_b = ctx.needs_input_grad[1]
    x = a._data
    ctx.a = None
    if isinstance(b, Tensor):
        y = b._data
        ctx.b = None
        _fn.save(ctx, a if need_b else None, b)
    else:
        y = ctx.b = b
        _fn.save(ctx, None, None)
    with _quiet():  # x / 0 is inf or nan, without a warning
        out = parallel.apply(np.true_divide, x, y) if _big(x, y) else x / y
    return _fn.node_output(ctx, out)


def _hot(input) -> bool:
    """Whether a one-input op takes the hot path: a float Tensor that needs a graph node."""
    return (grad_mode.enabled and isinstance(input, Tensor) and input._requires_grad
            and input._data.dtype.kind == "f")


def _recorded_saving_output(cls, input):
    """``cls.apply(input)`` on the hot path, for an op whose backward reads its output
    (relu, tanh, sigmoid, exp): its ``kernel`` computes the output array."""
    ctx = _fn.new_node(cls, input)
    out = _fn.node_output(ctx, cls.kernel(input._data))
    _fn.save(ctx, out)
    return out


def _check_alpha(alpha, result) -> None:
    if isinstance(alpha, bool) and result is not D.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and not result.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _is_bool(x) -> bool:
    return x._data.dtype.kind == "b" if isinstance(x, Tensor) else isinstance(x, bool)


def _check_bool_sub(input, other) -> None:
    """PyTorch refuses subtraction with bool operands."""
    a_bool, b_bool = _is_bool(input), _is_bool(other)
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting; either may be a number."""
    input, other = _operands("add", input, other, two_numbers=True)
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, _result_dtype(input, other))
    return _apply(Add, out, "add", input, other, alpha)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, broadcasting; either may be a number."""
    input, other = _operands("sub", input, other, two_numbers=True)
    _check_bool_sub(input, other)
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, _result_dtype(input, other))
    return _apply(Sub, out, "sub", input, other, alpha)


subtract = sub


def rsub(input, other, *, alpha=1, out=None):
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    input, other = _operands("rsub", input, other, two_numbers=True)
    _check_bool_sub(input, other)
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, _result_dtype(input, other))
    cls = RsubTensor if isinstance(other, Tensor) else Rsub
    return _apply(cls, out, "rsub", input, other, alpha)


def mul(input, other, *, out=None):
    """Elementwise product, broadcasting; either may be a number."""
    input, other = _operands("mul", input, other, two_numbers=True)
    if not isinstance(input, Tensor):
        input, other = other, input
    return _apply(Mul, out, "mul", input, other)


multiply = mul


# --- division -----------------------------------------------------------------------


class Div(ArrayFunction):
    """True division ``a / b``; integers divide in the default float dtype."""

    node_name = "DivBackward0"
    _number_operands = 2

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        need_a, need_b = ctx.needs_input_grad
        if need_a or need_b:  # numbers stay on ctx; arrays are saved (version-checked)
            ctx.a = None if hasattr(a, "shape") else a
            ctx.b = None if hasattr(b, "shape") else b
            ctx.save_for_backward(a if need_b and ctx.a is None else None,
                                  b if ctx.b is None else None)
        with _quiet():
            if _big(a, b):
                return parallel.apply(np.true_divide, a, b)
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a = ctx.a if a is None else a
        b = ctx.b if b is None else b
        ga = grad / b if ctx.needs_input_grad[0] else None
        gb = -grad * ((a / b) / b) if ctx.needs_input_grad[1] else None
        return ga, gb


class DivMode(ArrayFunction):
    """Division rounded toward zero ('trunc') or down ('floor'): gradient zero."""

    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b, mode):
        a, b = cast_operands(a, b)
        xp = xp_of(a, b)
        dt = _np_dtype(a, b)
        if dt.kind == "b":
            raise _not_implemented(f"div_{mode}_cpu", dt)
        if dt.kind in "iu":
            _check_int_div(xp, b, a)
            with _quiet():
                q = xp.floor_divide(a, b)
                if mode == "trunc":  # floor and trunc differ for an inexact negative quotient
                    q = q + ((q * b != a) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0)))
            return _down(xp.asarray(q), dt)
        with _quiet():
            if mode == "floor":
                return xp.floor_divide(a, b)
            return xp.trunc(a / b)

    @staticmethod
    def backward(ctx, grad):
        zero = zero_grad(grad)
        return (zero if ctx.needs_input_grad[0] else None,
                zero if ctx.needs_input_grad[1] else None, None)


class FloorDivide(_NotImplementedGrad):
    node_name = "NotImplemented"
    aten_name = "floor_divide"

    @staticmethod
    def forward(ctx, a, b):
        return DivMode.forward(ctx, a, b, "floor")


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient.

    True division of integers gives the default float dtype; rounded division keeps the
    integer dtype and raises on division by zero, as PyTorch does.
    """
    input, other = _operands("div", input, other, wrap_ints=rounding_mode is not None,
                             two_numbers=True)
    if rounding_mode is None:
        return _apply(Div, out, "div", input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _apply(DivMode, out, "div", input, other, rounding_mode)


divide = div


def true_divide(input, other, *, out=None):
    """``input / other`` (always true division)."""
    return div(input, other, out=out)


def _rdiv(self, other):
    """``other / self``: PyTorch computes it as ``self.reciprocal() * other``."""
    if isinstance(other, np.generic):
        other = other.item()
    return mul(reciprocal(self), other)


def floor_divide(input, other, *, out=None):
    """``input // other``: the quotient rounded down (Python's ``//``)."""
    input, other = _operands("floor_divide", input, other, two_numbers=True)
    return _apply(FloorDivide, out, "floor_divide", input, other)


class Remainder(ArrayFunction):
    """``a - b * floor(a / b)``: the result has the sign of the divisor (Python's ``%``)."""

    node_name = "RemainderBackward1"
    kernel = "remainder"

    @staticmethod
    def forward(ctx, a, b):
        a, b = cast_operands(a, b)
        xp = xp_of(a, b)
        dt = _np_dtype(a, b)
        if dt.kind == "b":
            raise _not_implemented(f"{ctx._forward_cls.kernel}_cpu", dt)
        if dt.kind in "iu":
            _check_int_div(xp, b, a)
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(a, b)
        with _quiet():
            return getattr(xp, ctx._forward_cls.kernel)(a, b)

    @staticmethod
    def backward(ctx, grad):
        ga = grad if ctx.needs_input_grad[0] else None
        gb = None
        if ctx.needs_input_grad[1]:
            a, b = ctx.saved_tensors
            mode = "floor" if ctx._forward_cls.kernel == "remainder" else "trunc"
            gb = -grad * div(a, b, rounding_mode=mode)
        return ga, gb


class RemainderScalar(Remainder):
    node_name = "RemainderBackward0"


class RemainderScalarSelf(_NotImplementedGrad):
    node_name = "NotImplemented"
    aten_name = "remainder"
    kernel = "remainder"
    forward = Remainder.forward


class Fmod(Remainder):
    """``a - b * trunc(a / b)``: the result has the sign of the dividend (C's ``fmod``)."""

    node_name = "FmodBackward1"
    kernel = "fmod"


class FmodScalar(Fmod):
    node_name = "FmodBackward0"


def remainder(input, other, *, out=None):
    """Python's modulus: ``input - other * floor(input / other)``, sign of ``other``."""
    input, other = _operands("remainder", input, other)
    if not isinstance(input, Tensor):
        cls = RemainderScalarSelf
    else:
        cls = Remainder if isinstance(other, Tensor) else RemainderScalar
    return _apply(cls, out, "remainder", input, other)


def fmod(input, other, *, out=None):
    """C's ``fmod``: ``input - other * trunc(input / other)``, sign of ``input``."""
    input, other = _operands("fmod", input, other, scalar_input=False)
    return _apply(Fmod if isinstance(other, Tensor) else FmodScalar, out, "fmod", input, other)


# --- powers -------------------------------------------------------------------------


def _int_pow(xp, a, b, dt):
    """Integer power where exponents may be negative: ``a ** -n`` is 1, ±1 or 0 (as PyTorch)."""
    neg = b < 0
    if not xp.any(neg):
        return xp.power(a, b)
    out = xp.power(a, xp.where(neg, 0, b).astype(dt))
    odd = xp.asarray(b % 2 != 0)
    special = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, special, out).astype(dt)


def _pow_kernel(a, b):
    a, b = cast_operands(a, b)
    xp = xp_of(a, b)
    dt = _np_dtype(a, b)
    if dt.kind == "b":
        if type(b) is not bool:
            raise _not_implemented("pow", dt)
        return a, b, a.copy() if b else xp.ones(a.shape, dtype=bool)  # x**True, x**False
    if dt.kind in "iu":
        if not hasattr(b, "shape") and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return a, b, _int_pow(xp, a, b, dt)
    with _quiet():
        if not hasattr(b, "shape") and b in _POW_SPECIAL:
            return a, b, _POW_SPECIAL[b](xp, a)
        return a, b, xp.power(a, b)


# Exponents PyTorch computes without pow (so the values are its values), and faster.
_POW_SPECIAL = {
    2: lambda xp, a: a * a,
    3: lambda xp, a: a * a * a,
    0.5: lambda xp, a: xp.sqrt(a),
    -0.5: lambda xp, a: 1 / xp.sqrt(a),
    -1: lambda xp, a: 1 / a,
    -2: lambda xp, a: 1 / (a * a),
}


class Pow(ArrayFunction):
    """``a ** e`` with a number exponent."""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, e):
        a, e, out = _pow_kernel(a, e)
        ctx.e = e
        ctx.save_for_backward(a)
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        e = ctx.e
        if e == 0:
            return zero_grad(grad), None
        return grad * (e * a.pow(e - 1)), None


class PowTensor(ArrayFunction):
    """``a ** b`` with both tensors."""

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        a, b, out = _pow_kernel(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = where(b == 0, 0.0, grad * (b * a.pow(b - 1)))
        if ctx.needs_input_grad[1]:
            gb = grad * where((a == 0) & (b >= 0), 0.0, out * a.log())
        return ga, gb


class PowScalarBase(ArrayFunction):
    """``base ** e`` with a number base."""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, base, e):
        _, e, out = _pow_kernel(base, e)
        ctx.base = base
        ctx.save_for_backward(e, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        e, out = ctx.saved_tensors
        if ctx.base == 0:  # d/de 0**e: 0 where e >= 0, else inf * log(0)
            return None, grad * where(e >= 0, 0.0, out * -math.inf)
        return None, grad * (out * math.log(ctx.base))


def pow(input, exponent, *, out=None):  # noqa: A001 - PyTorch's name
    """``input ** exponent``; either may be a number."""
    if out is None and (type(exponent) is float or type(exponent) is int) and _hot(input):
        # The hot path (autograd/function.py): what Pow.apply records.
        ctx = _fn.new_node(Pow, input, None, 2)
        a, ctx.e, result = _pow_kernel(input._data, exponent)
        _fn.save(ctx, input if a is input._data else Tensor._make(a))
        return _fn.node_output(ctx, result)
    if isinstance(input, Tensor) and type(exponent) is int:
        dt = D.result_type(input._data, exponent).np
        if dt.kind in "iu" and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        _checked_int(exponent, dt)
    input, exponent = _operands("pow", input, exponent)
    if not isinstance(input, Tensor):
        return _apply(PowScalarBase, out, "pow", input, exponent)
    if isinstance(exponent, Tensor):
        return _apply(PowTensor, out, "pow", input, exponent)
    return _apply(Pow, out, "pow", input, exponent)


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in float64 (the result is always float64)."""
    input, exponent = _operands("float_power", input, exponent, wrap_ints=False)
    if out is not None and isinstance(out, Tensor) and out.dtype is not D.float64:
        raise RuntimeError(f"the output given to float_power has dtype {out.dtype._legacy} but "
                           "the operation's result requires dtype Double")
    input = _to_double(input)
    exponent = _to_double(exponent)
    return pow(input, exponent, out=out)


def _to_double(x):
    if isinstance(x, Tensor):
        return x if x.dtype is D.float64 else _to_dtype(x, D.float64)
    return builtins.float(x)


def square(input, *, out=None):
    """``input * input`` (PyTorch: ``pow(input, 2)``; bool gives int64)."""
    return pow(input, 2, out=out)


# --- sign, absolute value, negation ---------------------------------------------------


class Neg(ArrayFunction):
    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(input, *, out=None):
    """``-input``."""
    if out is None and _hot(input):  # the hot path: what Neg.apply records
        return _fn.node_output(_fn.new_node(Neg, input), -input._data)
    return _apply(Neg, out, "neg", input)


negative = neg


def positive(input):
    """``+input``: the input itself."""
    if input.dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Abs(ArrayFunction):
    """``|x|``; the gradient at 0 is 0 (``grad * sgn(x)``)."""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise _not_implemented("abs_cpu", x.dtype)
        ctx.save_for_backward(x)
        return xp_of(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sgn()


def abs(input, *, out=None):  # noqa: A001 - PyTorch's name
    """``|input|`` (the most negative integer stays itself, as in two's complement)."""
    return _apply(Abs, out, "abs", input)


absolute = abs


class Sign(ArrayFunction):
    """-1, 0 or 1 by the sign of ``x`` (0 for nan, as PyTorch); gradient zero."""

    node_name = "SignBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        xp = xp_of(x)
        out = xp.sign(x)
        if x.dtype.kind == "f":
            out = xp.where(out != out, 0, out).astype(x.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad)


class Sgn(Sign):
    node_name = "SgnBackward0"


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element."""
    return _apply(Sign, out, "sign", input)


def sgn(input, *, out=None):
    """The sign of each element (``sign`` for real tensors)."""
    return _apply(Sgn, out, "sgn", input)


def signbit(input, *, out=None):
    """True where the sign bit is set (also for -0.0 and negative nan)."""
    x = input._data
    xp = xp_of(x)
    if x.dtype.kind == "f":
        r = xp.signbit(x)
    elif x.dtype.kind == "i":
        r = x < 0
    else:
        r = xp.zeros(x.shape, dtype=bool)
    return _plain(_make(r), out)


# --- exponentials and logarithms -------------------------------------------------------


class Exp(ArrayFunction):
    node_name = "ExpBackward0"

    @staticmethod
    def kernel(x):
        x = _float(x)
        with _quiet():
            return parallel.apply(np.exp, x) if x.size >= _PAR_MIN else xp_of(x).exp(x)

    @staticmethod
    def forward(ctx, x):
        out = Exp.kernel(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Exp2(ArrayFunction):
    node_name = "Exp2Backward0"

    @staticmethod
    def forward(ctx, x):
        with _quiet():
            out = xp_of(x).exp2(_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * _LN2)


class Expm1(ArrayFunction):
    node_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx, x):
        with _quiet():
            out = xp_of(x).expm1(_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log(ArrayFunction):
    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        with _quiet():
            return parallel.apply(np.log, x) if x.size >= _PAR_MIN else xp_of(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Log2(ArrayFunction):
    node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        with _quiet():
            return xp_of(x).log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


class Log10(ArrayFunction):
    node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        with _quiet():
            return xp_of(x).log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


class Log1p(ArrayFunction):
    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        with _quiet():
            return xp_of(x).log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Sqrt(ArrayFunction):
    """``√x``; the gradient at 0 is inf, as PyTorch's."""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        with _quiet():
            out = xp_of(x).sqrt(_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Rsqrt(ArrayFunction):
    node_name = "RsqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        xp = xp_of(x)
        out = xp.empty_like(x)
        with _quiet():
            xp.sqrt(x, out=out)
            xp.divide(1, out, out=out)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out.pow(3) * -0.5)


class Reciprocal(ArrayFunction):
    node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, x):
        with _quiet():
            out = xp_of(x).reciprocal(_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * -(out * out)


def exp(input, *, out=None):
    """``e ** input``."""
    if out is None and _hot(input):
        return _recorded_saving_output(Exp, input)
    return _apply(Exp, out, "exp", input)


def exp2(input, *, out=None):
    """``2 ** input``."""
    return _apply(Exp2, out, "exp2", input)


def expm1(input, *, out=None):
    """``e ** input - 1``, accurate for small inputs."""
    return _apply(Expm1, out, "expm1", input)


def log(input, *, out=None):
    """Natural logarithm."""
    return _apply(Log, out, "log", input)


def log2(input, *, out=None):
    """Base-2 logarithm."""
    return _apply(Log2, out, "log2", input)


def log10(input, *, out=None):
    """Base-10 logarithm."""
    return _apply(Log10, out, "log10", input)


def log1p(input, *, out=None):
    """``log(1 + input)``, accurate for small inputs."""
    return _apply(Log1p, out, "log1p", input)


def sqrt(input, *, out=None):
    """Square root (nan for negative inputs)."""
    return _apply(Sqrt, out, "sqrt", input)


def rsqrt(input, *, out=None):
    """``1 / sqrt(input)``."""
    return _apply(Rsqrt, out, "rsqrt", input)


def reciprocal(input, *, out=None):
    """``1 / input`` (integers give the default float dtype)."""
    return _apply(Reciprocal, out, "reciprocal", input)


# --- trigonometric and hyperbolic functions --------------------------------------------


class _SavesInput(ArrayFunction):
    """A float-valued unary op whose backward needs its input: ``ufunc`` names the kernel."""

    ufunc = ""

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        with _quiet():
            return getattr(xp_of(x), ctx._forward_cls.ufunc)(x)


class Sin(_SavesInput):
    node_name = "SinBackward0"
    ufunc = "sin"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(_SavesInput):
    node_name = "CosBackward0"
    ufunc = "cos"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tan(ArrayFunction):
    node_name = "TanBackward0"

    @staticmethod
    def forward(ctx, x):
        with _quiet():
            out = xp_of(x).tan(_float(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out + 1)


class Asin(_SavesInput):
    node_name = "AsinBackward0"
    ufunc = "arcsin"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 - x * x).rsqrt()


class Acos(_SavesInput):
    node_name = "AcosBackward0"
    ufunc = "arccos"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(1 - x * x).rsqrt()


class Atan(_SavesInput):
    node_name = "AtanBackward0"
    ufunc = "arctan"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)


class Sinh(_SavesInput):
    node_name = "SinhBackward0"
    ufunc = "sinh"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(_SavesInput):
    node_name = "CoshBackward0"
    ufunc = "cosh"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Tanh(ArrayFunction):
    node_name = "TanhBackward0"

    @staticmethod
    def kernel(x):
        x = _float(x)
        return parallel.apply(np.tanh, x) if x.size >= _PAR_MIN else xp_of(x).tanh(x)

    @staticmethod
    def forward(ctx, x):
        out = Tanh.kernel(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not grad_mode.enabled and not _big(grad._data):  # plain and small: on the arrays
            o = out._data
            return _make(grad._data * (1 - o * o))
        return grad * (1 - out * out)


class Asinh(_SavesInput):
    node_name = "AsinhBackward0"
    ufunc = "arcsinh"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1).rsqrt()


class Acosh(_SavesInput):
    node_name = "AcoshBackward0"
    ufunc = "arccosh"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x - 1).rsqrt()


class Atanh(_SavesInput):
    node_name = "AtanhBackward0"
    ufunc = "arctanh"

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


def sin(input, *, out=None):
    """Sine (radians)."""
    return _apply(Sin, out, "sin", input)


def cos(input, *, out=None):
    """Cosine (radians)."""
    return _apply(Cos, out, "cos", input)


def tan(input, *, out=None):
    """Tangent (radians)."""
    return _apply(Tan, out, "tan", input)


def asin(input, *, out=None):
    """Inverse sine."""
    return _apply(Asin, out, "asin", input)


def acos(input, *, out=None):
    """Inverse cosine."""
    return _apply(Acos, out, "acos", input)


def atan(input, *, out=None):
    """Inverse tangent."""
    return _apply(Atan, out, "atan", input)


def sinh(input, *, out=None):
    """Hyperbolic sine."""
    return _apply(Sinh, out, "sinh", input)


def cosh(input, *, out=None):
    """Hyperbolic cosine."""
    return _apply(Cosh, out, "cosh", input)


def tanh(input, *, out=None):
    """Hyperbolic tangent."""
    if out is None and _hot(input):
        return _recorded_saving_output(Tanh, input)
    return _apply(Tanh, out, "tanh", input)


def asinh(input, *, out=None):
    """Inverse hyperbolic sine."""
    return _apply(Asinh, out, "asinh", input)


def acosh(input, *, out=None):
    """Inverse hyperbolic cosine."""
    return _apply(Acosh, out, "acosh", input)


def atanh(input, *, out=None):
    """Inverse hyperbolic tangent."""
    return _apply(Atanh, out, "atanh", input)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


class Atan2(ArrayFunction):
    """The angle of the point ``(b, a)``: ``atan(a / b)`` in the right quadrant."""

    node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        ctx.save_for_backward(a, b)
        return xp_of(a, b).arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        r = grad / (a * a + b * b)
        return (r * b if ctx.needs_input_grad[0] else None,
                r * -a if ctx.needs_input_grad[1] else None)


def atan2(input, other, *, out=None):
    """Elementwise ``atan(input / other)``, in the quadrant of the point ``(other, input)``."""
    _tensors("atan2", ("input", input), ("other", other))
    return _apply(Atan2, out, "atan2", input, other)


def arctan2(input, other, *, out=None):
    """Alias of :func:`atan2`."""
    _tensors("arctan2", ("input", input), ("other", other))
    return _apply(Atan2, out, "arctan2", input, other)


# --- angle conversion and sinc ----------------------------------------------------------

_DEG2RAD = math.pi / 180.0
_RAD2DEG = 180.0 / math.pi


def _scaled(x, c: float):
    """``x * c`` in x's float dtype (integers and bool: the default float). float16
    multiplies in float32 and rounds once, as PyTorch's CPU kernel does."""
    x = _float(x)
    return _down(_up(x) * c, x.dtype)


class Deg2rad(ArrayFunction):
    """Degrees to radians: ``x * pi / 180``."""

    node_name = "Deg2RadBackward0"

    @staticmethod
    def forward(ctx, x):
        return _scaled(x, _DEG2RAD)

    @staticmethod
    def backward(ctx, grad):
        return grad * _DEG2RAD


class Rad2deg(ArrayFunction):
    """Radians to degrees: ``x * 180 / pi``."""

    node_name = "Rad2DegBackward0"

    @staticmethod
    def forward(ctx, x):
        return _scaled(x, _RAD2DEG)

    @staticmethod
    def backward(ctx, grad):
        return grad * _RAD2DEG


def deg2rad(input, *, out=None):
    """Each angle of ``input``, in degrees, converted to radians."""
    return _apply(Deg2rad, out, "deg2rad", input)


def rad2deg(input, *, out=None):
    """Each angle of ``input``, in radians, converted to degrees."""
    return _apply(Rad2deg, out, "rad2deg", input)


class Sinc(ArrayFunction):
    """The normalised sinc, ``sin(pi x) / (pi x)``, with ``sinc(0) = 1``.

    d/dx = (pi x cos(pi x) - sin(pi x)) / (pi x**2), taken as 0 where ``pi x**2``
    underflows to 0 (the limit at 0 is 0; PyTorch masks the same way).
    """

    node_name = "SincBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        xp = xp_of(x)
        y = _up(x) * math.pi
        with _quiet():
            out = xp.sin(y) / y
        return _down(xp.where(x == 0, 1, out), x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with _quiet():
            y = x * math.pi
            sq = x * x * math.pi
            d = grad * (y * y.cos() - y.sin()) / sq
            return where(sq == 0, 0.0, d)


def sinc(input, *, out=None):
    """The normalised sinc function ``sin(pi x) / (pi x)`` (1 at 0), elementwise."""
    return _apply(Sinc, out, "sinc", input)


# --- activations and special functions --------------------------------------------------


class Sigmoid(ArrayFunction):
    """``1 / (1 + exp(-x))``."""

    node_name = "SigmoidBackward0"

    @staticmethod
    def kernel(x):
        x = _float(x)
        xp = xp_of(x)
        xc = _up(x)
        # One buffer, four in-place steps; exp(-x) overflows harmlessly to inf (-> 0).
        out = xp.negative(xc, out=xp.empty_like(xc))
        with _quiet():
            xp.exp(out, out=out)
        out += 1
        xp.reciprocal(out, out=out)
        return _down(out, x.dtype)

    @staticmethod
    def forward(ctx, x):
        out = Sigmoid.kernel(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not grad_mode.enabled and not _big(grad._data):  # plain and small: on the arrays
            o = out._data
            return _make(grad._data * ((1 - o) * o))
        return grad * ((1 - out) * out)


def sigmoid(input, *, out=None):
    """The logistic function ``1 / (1 + exp(-input))``."""
    if out is None and _hot(input):
        return _recorded_saving_output(Sigmoid, input)
    return _apply(Sigmoid, out, "sigmoid", input)


class Logit(ArrayFunction):
    """``log(x / (1 - x))``, with ``x`` clamped to ``[eps, 1 - eps]`` when eps is given."""

    node_name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        x = _float(x)
        xp = xp_of(x)
        ctx.eps = eps
        ctx.save_for_backward(x)
        z = _up(x)
        if eps is not None:
            z = xp.clip(z, eps, 1 - eps)
        with _quiet():
            out = xp.log(z / (1 - z))
        return _down(out, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = grad / (x * (1 - x))
        if ctx.eps is None:
            return where((x < 0) | (x > 1), math.nan, g), None
        return where((x < ctx.eps) | (x > 1 - ctx.eps), 0.0, g), None


def logit(input, eps=None, *, out=None):
    """The inverse of the sigmoid: ``log(input / (1 - input))``."""
    return _apply(Logit, out, "logit", input, eps)


class Relu(ArrayFunction):
    """``max(x, 0)``; the gradient at 0 is 0."""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        out = Relu.kernel(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def kernel(x):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        # The zero comes first: on a tie NumPy's maximum returns its second operand, so
        # relu(-0.0) is -0.0, as PyTorch's max(x, 0) gives it (float16 aside).
        if type(x) is np.ndarray and x.size >= _PAR_MIN:
            out = parallel.apply(np.maximum, _zeros_like(x), x)
        elif type(x) is np.ndarray and x.size >= 256 and x.flags.c_contiguous:
            # Against a zeros array NumPy runs its vectorised loop, ~4x faster than
            # maximum(0, x) (see _zeros_like); the same values and layout.
            out = np.maximum(_zeros_like(x), x)
        elif type(x) is np.ndarray:
            out = np.maximum(_zero(x.dtype), x)  # a 0-d zero: cheaper than a Python 0
        else:
            out = xp_of(x).maximum(0, x)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # PyTorch passes the gradient where ``out <= 0`` is false, so where ``out != 0``
        # (relu's output is never negative): a nan input passes its gradient too.
        if not grad_mode.enabled:  # the common, once-differentiated case, on arrays
            g = grad._data
            if g.size <= 4096:  # small: one where() costs less than _keep_array's two passes
                if type(g) is np.ndarray:
                    # where() reads a float condition as ``!= 0`` (nan is true, -0.0 false):
                    # the mask without a separate comparison (1.3 -> 1.0 us on one number)
                    return Tensor._make(np.where(out._data, g, _zero(g.dtype)))
                return Tensor._make(xp_of(g).where(out._data != 0, g, 0))
            if type(g) is np.ndarray and not any(g.strides):
                # One number seen in every position (the gradient of a sum): the mask cast
                # to g's dtype, times it. Two cheap passes, not a broadcast multiply by a
                # bool array (a slow casting loop).
                v = g[(0,) * g.ndim]
                if v == 1:
                    return Tensor._make((out._data != 0).astype(g.dtype))
            return _keep_array(g, out._data != 0)
        return _keep(grad, out != 0)


def relu(input):
    """``max(input, 0)`` elementwise."""
    if _hot(input):
        return _recorded_saving_output(Relu, input)
    return Relu.apply(input)


# erf and erfc have no NumPy ufunc. Both come from two approximations, fitted for this
# file (Chebyshev interpolation of the exact functions, computed with mpmath at 50
# digits, then written as plain polynomials):
#   |x| <= 1:  erf(x) = x * P(x^2)
#   |x| >  1:  erfc(|x|) = exp(-x^2) * Q(u),  u an affine map of t = (|x| - 2) / (|x| + 2)
# Q is erfc(x) * exp(x^2), smooth and slowly varying on [1, inf). One set of coefficients
# reaches float64 accuracy (about 10 ulp), a shorter one float32's (float32 data stays
# float32; float16 computes in float32).
_ERF_P64 = (
    1.1283791670955126, -0.3761263890318375, 0.11283791670954879, -0.026866170645076792,
    0.0052239776248180145, -0.000854832698083379, 0.0001205533111164271,
    -1.4925595266831182e-05, 1.6461000484121368e-06, -1.6350312701054695e-07,
    1.4659775274047436e-08, -1.1372848856791674e-09, 5.957176147748911e-11)
_ERF_Q64 = (
    0.1579186869907276, -0.18859510723729828, 0.06494407605646114, -0.01507780957448419,
    0.0014681408054055293, 0.00033324102083886163, -0.00010489386192387103,
    -1.2174621462082181e-05, 7.065560099502662e-06, 9.756304845709028e-07,
    -5.169935335345517e-07, -1.2431488594538993e-07, 3.470716960728557e-08,
    1.6865702614555015e-08, -9.669223033708593e-10, -2.024515946219618e-09,
    -2.868525787500656e-10, 1.8007790979529106e-10, 6.922307978157721e-11,
    -6.609739067076155e-12, -6.740215987655678e-12, -5.40820233999679e-13)
_ERF_P32 = (
    1.1283791658483509, -0.37612626666720334, 0.11283594715160218, -0.026854212010626412,
    0.005189087423433974, -0.000801686428716587, 7.875875062685488e-05)
_ERF_Q32 = (
    0.1900628745589335, -0.17676575651174278, 0.05097827497014753, -0.009402215426613002,
    0.000574759828648036, 0.0001766402215115903, -3.0039194112649323e-05,
    -5.213893656781314e-06, 1.1615868049760882e-06)
# Per precision: P, Q, the t-interval Q was fitted on, the largest |x| it covers, and the
# step that splits x into a high part whose square is exact (for erfc's exp(-x^2)).
_ERF_CONSTS = {
    _F64: (_ERF_P64, _ERF_Q64, -1 / 3, 25 / 29, 27.0, 2.0 ** 21),
    _F32: (tuple(np.float32(c) for c in _ERF_P32), tuple(np.float32(c) for c in _ERF_Q32),
           np.float32(-1 / 3), np.float32(8.1 / 12.1), np.float32(10.1), np.float32(256.0)),
}


def _horner(coefs, t):
    """``coefs[0] + coefs[1] * t + coefs[2] * t**2 + ...``, in one buffer."""
    out = t * coefs[-1]
    out += coefs[-2]
    for c in coefs[-3::-1]:
        out *= t
        out += c
    return out


def _erfcx_tail(xp, z, consts):
    """``erfc(z) * exp(z**2)`` for ``1 <= z <= zmax``."""
    _, q, t0, t1, _, _ = consts
    t = (z - 2) / (z + 2)
    u = (t * 2 - (t0 + t1)) / (t1 - t0)
    return _horner(q, u)


def _erf_kernel(xp, x):
    """erf of a float array, in its own precision (float16 via float32). The series part
    runs on every element; the tail only on the elements with |x| > 1."""
    xc = _up(x)
    shape = xc.shape
    xc = xc.reshape(-1)
    consts = _ERF_CONSTS[xc.dtype]
    ax = xp.abs(xc)
    out = xc * _horner(consts[0], xp.minimum(ax * ax, 1))
    big = ax > 1
    if big.any():
        z = xp.minimum(ax[big], consts[4])
        with _quiet():
            tail = 1 - xp.exp(-(z * z)) * _erfcx_tail(xp, z, consts)
        out[big] = xp.copysign(tail, xc[big])
    return _down(out.reshape(shape), x.dtype)


def _erfc_pos(xp, z, consts):
    """erfc(z) for ``z >= 1``: exp(-z**2) from an exact high part of z, so large z keeps
    full relative accuracy."""
    step = consts[5]
    z = xp.minimum(z, consts[4] * 2)  # far past where exp(-z**2) underflows to 0
    zh = xp.round(z * step) / step
    with _quiet():
        e = xp.exp(-(zh * zh)) * xp.exp(-((z - zh) * (z + zh)))
    return e * _erfcx_tail(xp, xp.minimum(z, consts[4]), consts)


def _erfc_kernel(xp, x):
    xc = _up(x)
    shape = xc.shape
    xc = xc.reshape(-1)
    consts = _ERF_CONSTS[xc.dtype]
    ax = xp.abs(xc)
    out = 1 - xc * _horner(consts[0], xp.minimum(ax * ax, 1))
    big = ax > 1
    if big.any():
        tail = _erfc_pos(xp, ax[big], consts)
        out[big] = xp.where(xc[big] > 0, tail, 2 - tail)
    return _down(out.reshape(shape), x.dtype)


def _erfinv_kernel(xp, y):
    """erfinv, computed in float64 (it is not a hot op): ±inf at ±1, nan beyond."""
    y64 = y.astype(_F64).reshape(-1)
    a = xp.abs(y64)
    out = xp.where(a == 1, math.inf, math.nan)
    inside = a < 1
    for part, tail in ((inside & (a <= 0.5), False), (inside & (a > 0.5), True)):
        if part.any():
            out[part] = _erfinv_solve(xp, a[part], tail)
    return xp.copysign(out, y64).reshape(y.shape).astype(y.dtype)


def _erfinv_solve(xp, a, tail: bool):
    """x >= 0 with erf(x) = a (0 <= a < 1): Winitzki's closed-form estimate (relative error
    about 1e-3), then two Halley steps on ``erf(x) - a``, written ``(1 - a) - erfc(x)`` in
    the tail, where ``1 - a`` is exact and erfc keeps its relative accuracy."""
    with _quiet():
        w = xp.log1p(-(a * a))
        c = 2 / (math.pi * 0.147) + w / 2
        x = xp.sqrt(xp.sqrt(c * c - w / 0.147) - c)
        for _ in range(2):
            f = (1 - a) - _erfc_kernel(xp, x) if tail else _erf_kernel(xp, x) - a
            d = (2 / math.sqrt(math.pi)) * xp.exp(-(x * x))
            x = x - f / (d + x * f)  # Halley: erf'' = -2x erf'
    return x


class Erf(ArrayFunction):
    node_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        return _erf_kernel(xp_of(x), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((-(x * x)).exp() * (2 / math.sqrt(math.pi)))


class Erfc(ArrayFunction):
    node_name = "ErfcBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        return _erfc_kernel(xp_of(x), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((-(x * x)).exp() * (-2 / math.sqrt(math.pi)))


class Erfinv(ArrayFunction):
    node_name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        out = _erfinv_kernel(xp_of(x), x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * ((out * out).exp() * (math.sqrt(math.pi) / 2))


def erf(input, *, out=None):
    """The error function ``2/sqrt(pi) * integral from 0 to input of exp(-t**2) dt``."""
    return _apply(Erf, out, "erf", input)


def erfc(input, *, out=None):
    """``1 - erf(input)``, accurate where erf is close to 1."""
    return _apply(Erfc, out, "erfc", input)


def erfinv(input, *, out=None):
    """The inverse of :func:`erf` on (-1, 1); ±inf at ±1, nan outside."""
    return _apply(Erfinv, out, "erfinv", input)


# --- the gamma family: lgamma, digamma, polygamma ----------------------------------------
# NumPy has no gamma ufuncs. All three compute in float64 (float32 and float16 inputs are
# rounded once at the end), on x > 0 from two classic pieces:
#   * an upward shift x -> x + m until x >= 10, undone with the recurrences
#     lgamma(x) = lgamma(x + 1) - log(x),   psi(x) = psi(x + 1) - 1/x,
#     zeta(s, x) = zeta(s, x + 1) + x**-s,
#   * then the asymptotic (Stirling / Euler-Maclaurin) series, accurate to ~1e-17 there.
# Negative non-integers use the reflection formulas (sin(pi x) and cot(pi x) from the exact
# remainder r = x - round(x), so large |x| loses nothing). lgamma near its zeros x = 1, 2
# uses the Taylor series lgamma(1 + z) = -gamma z + sum_k (-1)^k zeta(k) z^k / k instead,
# which keeps full relative accuracy where the shifted form would cancel.
# polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1 (Hurwitz zeta).
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)  # B_2 .. B_24
# Stirling: lgamma(x) ~ (x - 1/2) log x - x + log(2 pi)/2 + sum_k B_2k / (2k (2k-1) x^(2k-1))
_STIRLING = tuple(b / ((2 * k + 2) * (2 * k + 1)) for k, b in enumerate(_BERNOULLI[:8]))
# psi(x) ~ log x - 1/(2x) - sum_k B_2k / (2k x^2k)
_PSI_ASYM = tuple(b / (2 * k + 2) for k, b in enumerate(_BERNOULLI[:8]))
_EULER_GAMMA = 0.5772156649015329
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SHIFT_TO = 10.0


def _shift_up(xp, x):
    """``(x + m, steps)``: ``m`` the smallest count with ``x + m >= 10`` (at most 10 for
    x > 0); ``steps`` lists ``(mask, x + k)`` for k < 10, the mask where ``x + k`` was
    shifted past (so belongs to the recurrence's sum or product)."""
    z = x.copy()
    steps = []
    for _ in range(int(_SHIFT_TO)):
        low = z < _SHIFT_TO
        if not low.any():
            break
        steps.append((low, z))
        z = xp.where(low, z + 1, z)
    return z, steps


def _hurwitz_zeta(xp, s: int, q):
    """``zeta(s, q) = sum_k (q + k)**-s`` for an integer ``s >= 2`` and ``q > 0``: the
    shift, then the Euler-Maclaurin tail
    ``a**(1-s)/(s-1) + a**-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) a**(-s-2j+1)``."""
    a, steps = _shift_up(xp, q)
    head = xp.zeros_like(q)
    for low, t in steps:
        head += xp.where(low, t ** -s, 0.0)
    w = 1 / a
    series = xp.zeros_like(q)
    rising = float(s)  # s (s+1) ... (s+2j-2)
    wpow = w.copy()  # a**(1-2j) * a**-s / a**-s: a**-(2j-1)
    for j, b in enumerate(_BERNOULLI, start=1):
        series += (b / math.factorial(2 * j) * rising) * wpow
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        wpow = wpow * (w * w)
    return head + a ** (1 - s) / (s - 1) + a ** -s * (0.5 + series)


# zeta(2), zeta(3), ... for the Taylor series of lgamma about 1 (|z| <= 1/4: 28 terms).
_ZETA = tuple(float(_hurwitz_zeta(np, k, np.ones(1))[0]) for k in range(2, 30))
_LGAMMA_TAYLOR = (-_EULER_GAMMA,) + tuple((-1) ** k * z / k for k, z in enumerate(_ZETA, 2))


def _lgamma_pos(xp, x):
    """lgamma for x > 0 (inf included)."""
    out = xp.empty_like(x)
    z1, z2 = x - 1, x - 2
    near1, near2 = xp.abs(z1) <= 0.25, xp.abs(z2) <= 0.25
    rest = ~(near1 | near2)
    if near1.any():
        z = z1[near1]
        out[near1] = z * _horner(_LGAMMA_TAYLOR, z)
    if near2.any():
        z = z2[near2]
        out[near2] = z * _horner(_LGAMMA_TAYLOR, z) + xp.log1p(z)
    if rest.any():
        y, steps = _shift_up(xp, x[rest])
        prod = xp.ones_like(y)
        for low, t in steps:
            prod *= xp.where(low, t, 1.0)
        w = 1 / y
        st = (y - 0.5) * xp.log(y) - y + _HALF_LOG_2PI + w * _horner(_STIRLING, w * w)
        out[rest] = xp.where(y == math.inf, math.inf, st - xp.log(prod))
    return out


def _lgamma64(xp, x):
    """lgamma on float64: inf at 0, the negative integers and -inf (PyTorch's poles)."""
    out = xp.full_like(x, math.nan)
    pos = x > 0
    out[pos] = _lgamma_pos(xp, x[pos])
    pole = (x <= 0) & (x == xp.trunc(x))
    out[pole] = math.inf
    neg = (x < 0) & ~pole & xp.isfinite(x)
    if neg.any():
        # lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)
        xn = x[neg]
        s = xp.abs(xp.sin(math.pi * (xn - xp.round(xn))))
        out[neg] = (math.log(math.pi) - xp.log(s)) - _lgamma_pos(xp, 1 - xn)
    return out


def _digamma_pos(xp, x):
    """psi for x > 0 (inf included)."""
    y, steps = _shift_up(xp, x)
    acc = xp.zeros_like(x)
    for low, t in steps:
        acc -= xp.where(low, 1 / t, 0.0)
    w = 1 / y
    w2 = w * w
    return acc + (xp.log(y) - 0.5 * w - w2 * _horner(_PSI_ASYM, w2))


def _digamma64(xp, x):
    """psi on float64: -inf at +0, inf at -0, nan at the negative integers and -inf."""
    out = xp.full_like(x, math.nan)
    pos = x > 0
    out[pos] = _digamma_pos(xp, x[pos])
    zero = x == 0
    out[zero] = xp.copysign(math.inf, -x[zero])
    neg = (x < 0) & (x != xp.trunc(x))
    if neg.any():
        # psi(x) = psi(1 - x) - pi cot(pi x)
        xn = x[neg]
        out[neg] = _digamma_pos(xp, 1 - xn) - math.pi / xp.tan(math.pi * (xn - xp.round(xn)))
    return out


def _cot_derivative(n: int) -> tuple:
    """Coefficients (in c = cot(pi x), lowest first) of the n-th x-derivative of
    cot(pi x), from d/dx c = -pi (1 + c**2)."""
    p = [0.0, 1.0]
    for _ in range(n):
        dp = [k * p[k] for k in range(1, len(p))] + [0.0, 0.0]
        p = [-math.pi * (dp[k] + (dp[k - 2] if k >= 2 else 0.0)) for k in range(len(dp))]
    return tuple(p)


def _polygamma64(xp, x, n: int):
    """psi^(n) on float64, n >= 1. At the poles (0, negative integers) PyTorch's
    ``(-1)**(n+1) n! zeta(n+1, x)`` gives inf with that sign (n = 1: +inf); at inf it
    gives 0 for n = 1 and nan beyond, at -inf nan for n = 1 and the pole value beyond."""
    if n == 0:
        return _digamma64(xp, x)
    sign = 1.0 if n % 2 else -1.0
    try:
        fact = float(math.factorial(n))
    except OverflowError:
        fact = math.inf
    out = xp.full_like(x, math.nan)
    pos = (x > 0) & (x < math.inf)
    out[pos] = sign * fact * _hurwitz_zeta(xp, n + 1, x[pos])
    if n == 1:
        out[x == math.inf] = 0.0
        out[(x <= 0) & (x == xp.trunc(x)) & xp.isfinite(x)] = math.inf
    else:
        out[(x <= 0) & (x == xp.trunc(x))] = sign * math.inf
    neg = (x < 0) & (x != xp.trunc(x))
    if neg.any():
        # psi^(n)(x) = -pi d^n/dx^n cot(pi x) + (-1)^n psi^(n)(1 - x),
        # and (-1)^n psi^(n)(1 - x) = -n! zeta(n + 1, 1 - x)
        xn = x[neg]
        c = 1 / xp.tan(math.pi * (xn - xp.round(xn)))
        d = _horner(_cot_derivative(n), c)
        out[neg] = -math.pi * d - fact * _hurwitz_zeta(xp, n + 1, 1 - xn)
    return out


def _gamma_family(kernel, x, *args):
    """Run a float64 ``kernel`` on the flat float array ``x``; round once to x's dtype."""
    xp = xp_of(x)
    with _quiet():
        out = kernel(xp, x.astype(_F64).reshape(-1), *args)
        return out.reshape(x.shape).astype(x.dtype, copy=False)


class Lgamma(ArrayFunction):
    node_name = "LgammaBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        return _gamma_family(_lgamma64, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * digamma(x)


class Digamma(ArrayFunction):
    node_name = "DigammaBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        return _gamma_family(_digamma64, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * polygamma(1, x)


class Polygamma(ArrayFunction):
    node_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n):
        x = _float(x)
        ctx.save_for_backward(x)
        ctx.n = n
        return _gamma_family(_polygamma64, x, n)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, x), None


def lgamma(input, *, out=None):
    """``log |Gamma(input)|``; inf at 0 and the negative integers."""
    return _apply(Lgamma, out, "lgamma", input)


def digamma(input, *, out=None):
    """``psi(input) = d/dx lgamma(input)``; -inf at 0, nan at the negative integers."""
    return _apply(Digamma, out, "digamma", input)


def _polygamma_order(n) -> int:
    if isinstance(n, Tensor) and n.numel() == 1 and n.dtype.np.kind in "iu":
        n = n.item()
    if isinstance(n, np.integer):
        n = int(n)
    if not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{_type_name(n)}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return n


def polygamma(n, input, *, out=None):
    """The n-th derivative of :func:`digamma` (``polygamma(0, x)`` is ``digamma(x)``)."""
    n = _polygamma_order(n)
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not "
                        f"{_type_name(input)}")
    return _apply(Polygamma, out, "polygamma", input, n)


def polygamma_(self, n):
    """In-place :func:`polygamma`: ``x.polygamma_(n)``."""
    n = _polygamma_order(n)
    return _polygamma_inplace(self, n)


_polygamma_inplace = inplace(lambda self, n: polygamma(n, self))


# --- rounding ---------------------------------------------------------------------------


class _Rounding(ArrayFunction):
    """floor/ceil/trunc/round: integer tensors pass through (as a copy); gradient zero."""

    ufunc = ""
    kernel = ""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise _not_implemented(ctx._forward_cls.kernel, x.dtype)
        if x.dtype.kind in "iu":
            return x.copy()
        return getattr(xp_of(x), ctx._forward_cls.ufunc)(x)

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad)


class Floor(_Rounding):
    node_name = "FloorBackward0"
    ufunc, kernel = "floor", "floor_vml_cpu"


class Ceil(_Rounding):
    node_name = "CeilBackward0"
    ufunc, kernel = "ceil", "ceil_vml_cpu"


class Trunc(_Rounding):
    node_name = "TruncBackward0"
    ufunc, kernel = "trunc", "trunc_vml_cpu"


class Round(_Rounding):
    """Round half to even (``rint``), as PyTorch."""

    node_name = "RoundBackward0"
    ufunc, kernel = "rint", "round_vml_cpu"


class RoundDecimals(ArrayFunction):
    """``round(x * 10**d) / 10**d`` (``round(x / 10**-d) * 10**-d`` for negative d)."""

    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind != "f":
            raise _not_implemented("round_cpu", x.dtype)
        xp = xp_of(x)
        xc = _up(x)
        with _quiet():
            if decimals >= 0:
                scale = xc.dtype.type(10.0 ** decimals)
                out = xp.rint(xc * scale) / scale
            else:
                scale = xc.dtype.type(10.0 ** -decimals)
                out = xp.rint(xc / scale) * scale
        return _down(out, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad), None


class Frac(ArrayFunction):
    """``x - trunc(x)``; gradient one."""

    node_name = "FracBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind != "f":
            raise _not_implemented("frac_cpu", x.dtype)
        with _quiet():
            return x - xp_of(x).trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def floor(input, *, out=None):
    """The largest integer not greater than each element."""
    return _apply(Floor, out, "floor", input)


def ceil(input, *, out=None):
    """The smallest integer not less than each element."""
    return _apply(Ceil, out, "ceil", input)


def trunc(input, *, out=None):
    """Round toward zero."""
    return _apply(Trunc, out, "trunc", input)


fix = trunc


def round(input, *, decimals=0, out=None):  # noqa: A001 - PyTorch's name
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds...)."""
    if decimals == 0:
        return _apply(Round, out, "round", input)
    return _apply(RoundDecimals, out, "round", input, decimals)


def frac(input, *, out=None):
    """The fractional part, ``input - trunc(input)`` (sign of ``input``)."""
    return _apply(Frac, out, "frac", input)


# --- clamping ---------------------------------------------------------------------------


class Clamp(ArrayFunction):
    """``min(max(x, lo), hi)`` with number bounds (None: no bound). Where ``lo > hi`` every
    element is ``hi``. Gradient one where ``lo <= x <= hi`` (boundaries included)."""

    node_name = "ClampBackward1"
    kernel = "clamp_scalar_cpu"

    @staticmethod
    def forward(ctx, x, lo, hi):
        if x.dtype.kind == "f":  # numbers never widen a float tensor
            dt = x.dtype
        else:
            dt = D.result_type(x, *[b for b in (lo, hi) if b is not None]).np
        if dt.kind == "b":
            which = "clamp" if lo is not None and hi is not None else (
                "clamp_min" if lo is not None else "clamp_max")
            raise _not_implemented(f"{which}_scalar_cpu", dt)
        lo, hi = _checked_int(lo, dt), _checked_int(hi, dt)
        x = x.astype(dt) if x.dtype != dt else x
        xp = xp_of(x)
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return xp.clip(x, lo, hi)  # one pass; lo > hi gives hi, nan bounds give nan

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        if lo is not None and hi is not None:
            keep = (x >= lo) & (x <= hi)
        elif lo is not None:
            keep = x >= lo
        else:
            keep = x <= hi
        return _keep(grad, keep), None, None


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampTensor(ArrayFunction):
    """Clamp with tensor bounds (either may be None). Gradients: ``x`` where it is inside
    its bounds; ``lo`` where ``x < lo`` (and ``lo < hi``); ``hi`` where ``x > hi`` (or the
    bounds cross, since then ``hi`` is the result)."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        bounds = [b for b in (lo, hi) if b is not None]
        dt = D.result_type(x, *bounds).np
        if dt.kind == "b" and lo is not None and hi is not None:
            raise _not_implemented("clamp_cpu", dt)
        x, lo, hi = (None if v is None else (v.astype(dt) if v.dtype != dt else v)
                     for v in (x, lo, hi))
        xp = xp_of(x, *bounds)
        ctx.save_for_backward(x, lo, hi)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need[0]:
                gx = where((x >= lo) & (x <= hi), grad, 0.0)
            if need[1]:
                glo = where((x < lo) & (lo < hi), grad, 0.0)
            if need[2]:
                ghi = where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = where(x >= lo, grad, 0.0) if need[0] else None
            glo = where(x < lo, grad, 0.0) if need[1] else None
        else:
            gx = where(x <= hi, grad, 0.0) if need[0] else None
            ghi = where(x > hi, grad, 0.0) if need[2] else None
        return gx, glo, ghi


class ClampMinTensor(ClampTensor):
    node_name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    node_name = "ClampMaxBackward1"


def _bound(b):
    return b.item() if isinstance(b, np.generic) else b


def clamp(input, min=None, max=None, *, out=None):  # noqa: A002 - PyTorch's names
    """Limit each element to ``[min, max]``; the bounds are numbers or tensors (not mixed)."""
    _tensors("clamp", ("input", input))
    min, max = _bound(min), _bound(max)  # noqa: A001
    if min is None and max is None:
        raise RuntimeError("numtorch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if _is_number(min) or _is_number(max):
            raise TypeError("clamp() received an invalid combination of arguments - got "
                            f"(Tensor, min={_type_name(min)}, max={_type_name(max)})")
        return _apply(ClampTensor, out, "clamp", input, min, max)
    return _apply(Clamp, out, "clamp", input, min, max)


clip = clamp


def clamp_min(input, min, *, out=None):  # noqa: A002
    """``max(input, min)`` elementwise; ``min`` a number or a tensor."""
    min = _bound(min)  # noqa: A001
    if isinstance(min, Tensor):
        return _apply(ClampMinTensor, out, "clamp_min", input, min, None)
    return _apply(ClampMin, out, "clamp_min", input, min, None)


def clamp_max(input, max, *, out=None):  # noqa: A002
    """``min(input, max)`` elementwise; ``max`` a number or a tensor."""
    max = _bound(max)  # noqa: A001
    if isinstance(max, Tensor):
        return _apply(ClampMaxTensor, out, "clamp_max", input, None, max)
    return _apply(ClampMax, out, "clamp_max", input, None, max)


# --- maximum, minimum, selection ----------------------------------------------------------


class Maximum(ArrayFunction):
    """Elementwise max (nan wins); a tie splits the gradient half to each input."""

    node_name = "MaximumBackward0"
    ufunc = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        a, b = cast_operands(a, b)
        ctx.save_for_backward(a, b)
        ufunc = getattr(xp_of(a, b), ctx._forward_cls.ufunc)
        return parallel.apply(ufunc, a, b) if _big(a, b) else ufunc(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        shared = where(a == b, grad / 2, grad)
        lose_a, lose_b = (a < b, a > b) if ctx._forward_cls.ufunc == "maximum" else (a > b, a < b)
        return (where(lose_a, 0.0, shared) if ctx.needs_input_grad[0] else None,
                where(lose_b, 0.0, shared) if ctx.needs_input_grad[1] else None)


class Minimum(Maximum):
    node_name = "MinimumBackward0"
    ufunc = "minimum"


class Fmax(ArrayFunction):
    """Elementwise max ignoring nan; a tie sends the whole gradient to ``a``."""

    node_name = "FmaxBackward0"
    ufunc = "fmax"

    @staticmethod
    def forward(ctx, a, b):
        a, b = cast_operands(a, b)
        ctx.save_for_backward(a, b)
        ufunc = getattr(xp_of(a, b), ctx._forward_cls.ufunc)
        return parallel.apply(ufunc, a, b) if _big(a, b) else ufunc(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        wins = (a >= b) if ctx._forward_cls.ufunc == "fmax" else (a <= b)
        to_a = wins | b.isnan()
        return (where(to_a, grad, 0.0) if ctx.needs_input_grad[0] else None,
                where(to_a, 0.0, grad) if ctx.needs_input_grad[1] else None)


class Fmin(Fmax):
    node_name = "FminBackward0"
    ufunc = "fmin"


def maximum(input, other, *, out=None):
    """Elementwise maximum; nan if either is nan."""
    _tensors("maximum", ("input", input), ("other", other))
    return _apply(Maximum, out, "maximum", input, other)


def minimum(input, other, *, out=None):
    """Elementwise minimum; nan if either is nan."""
    _tensors("minimum", ("input", input), ("other", other))
    return _apply(Minimum, out, "minimum", input, other)


def fmax(input, other, *, out=None):
    """Elementwise maximum, taking the other value where one is nan."""
    _tensors("fmax", ("input", input), ("other", other))
    return _apply(Fmax, out, "fmax", input, other)


def fmin(input, other, *, out=None):
    """Elementwise minimum, taking the other value where one is nan."""
    _tensors("fmin", ("input", input), ("other", other))
    return _apply(Fmin, out, "fmin", input, other)


class Where(ArrayFunction):
    """``a`` where ``cond`` is true, else ``b``; the gradient goes to the chosen side."""

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, cond, a, b):
        dt = D.result_type(a, b).np
        xp = xp_of(cond, a, b)
        a = a.astype(dt) if hasattr(a, "dtype") and a.dtype != dt else a
        b = b.astype(dt) if hasattr(b, "dtype") and b.dtype != dt else b
        ctx.save_for_backward(cond)
        out = xp.where(cond, a, b)
        return out if out.dtype == dt else out.astype(dt)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        return (None,
                _keep(grad, cond) if ctx.needs_input_grad[1] else None,
                _keep(grad, ~cond) if ctx.needs_input_grad[2] else None)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` is true, else ``other`` (numbers allowed), broadcasting.

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.
    """
    if not isinstance(condition, Tensor):
        raise TypeError("where() received an invalid combination of arguments - got "
                        f"({type(condition).__name__}, {_type_name(input)}, "
                        f"{_type_name(other)})")
    if input is None and other is None:
        from .index import nonzero

        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument 'input' or 'other'")
    if condition.dtype is not D.bool:
        if condition.dtype is not D.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype._legacy}")
        _warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                       "and will be removed in a future version of PyTorch. Use a boolean "
                       "condition instead.", UserWarning)
        condition = Tensor._make(condition._data.astype(bool))
    input, other = _scalar(input), _scalar(other)
    for arg in (input, other):
        if not isinstance(arg, Tensor) and not _is_number(arg):
            raise TypeError("where() received an invalid combination of arguments - got "
                            f"(Tensor, {_type_name(input)}, {_type_name(other)})")
    if type(input) is int or type(other) is int:
        dt = _result_dtype(input, other).np
        input, other = _checked_int(input, dt), _checked_int(other, dt)
    return _apply(Where, out, "where", condition, input, other)


# --- blends and fused multiply-adds -----------------------------------------------------------


class Lerp(ArrayFunction):
    """``a + w * (b - a)`` with a number weight (computed from the nearer end, as PyTorch)."""

    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.w = w
        diff = b - a
        if builtins.abs(w) < 0.5:
            return a + diff * w
        return b - diff * (1 - w)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.w
        return (grad * (1 - w) if ctx.needs_input_grad[0] else None,
                grad * w if ctx.needs_input_grad[1] else None, None)


class LerpTensor(ArrayFunction):
    """``a + w * (b - a)`` with a tensor weight."""

    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, w):
        xp = xp_of(a, b, w)
        w = w.astype(a.dtype) if w.dtype != a.dtype else w
        ctx.save_for_backward(a, b, w)
        diff = b - a
        return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - w) if need[0] else None, grad * w if need[1] else None,
                grad * (b - a) if need[2] else None)


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` a number or tensor."""
    if not isinstance(end, Tensor) or not (isinstance(weight, Tensor) or _is_number(weight)):
        raise TypeError("lerp() received an invalid combination of arguments - got "
                        f"({_type_name(input)}, {_type_name(end)}, {_type_name(weight)})")
    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {_CPP_NAME[input.dtype.name]} for `end` but got "
                           f"dtype {_CPP_NAME[end.dtype.name]}")
    if isinstance(weight, Tensor):
        if weight.ndim > 0 and weight.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_CPP_NAME[input.dtype.name]} for `weight` "
                               f"but got dtype {_CPP_NAME[weight.dtype.name]}")
        if not input.dtype.is_floating_point:
            raise _not_implemented("lerp_kernel_tensor", input.dtype)
        return _apply(LerpTensor, out, "lerp", input, end, weight)
    if not input.dtype.is_floating_point:
        raise _not_implemented("lerp_kernel_scalar", input.dtype)
    return _apply(Lerp, out, "lerp", input, end, _scalar(weight))


class Addcmul(ArrayFunction):
    """``x + value * t1 * t2``."""

    node_name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        dt = D.result_type(x, t1, t2).np
        x, t1, t2 = (v if v.dtype == dt else v.astype(dt) for v in (x, t1, t2))
        ctx.value = value
        ctx.save_for_backward(t1 if ctx.needs_input_grad[2] else None,
                              t2 if ctx.needs_input_grad[1] else None)
        prod = t1 * value if value != 1 else t1
        prod = prod * t2
        return x + prod

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return (grad if ctx.needs_input_grad[0] else None,
                grad * t2 * v if ctx.needs_input_grad[1] else None,
                grad * t1 * v if ctx.needs_input_grad[2] else None, None)


class Addcdiv(ArrayFunction):
    """``x + value * t1 / t2``."""

    node_name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        dt = D.result_type(x, t1, t2).np
        x, t1, t2 = (v if v.dtype == dt else v.astype(dt) for v in (x, t1, t2))
        ctx.value = value
        ctx.save_for_backward(t1 if ctx.needs_input_grad[2] else None,
                              t2 if ctx.needs_input_grad[1] or ctx.needs_input_grad[2] else None)
        with _quiet():
            q = (t1 * value if value != 1 else t1) / t2
            return x + q

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        v = ctx.value
        return (grad if ctx.needs_input_grad[0] else None,
                grad * v / t2 if ctx.needs_input_grad[1] else None,
                -grad * v * t1 / (t2 * t2) if ctx.needs_input_grad[2] else None, None)


def _value(value, dt):
    if isinstance(value, Tensor):
        value = value.item()
    value = _scalar(value)
    if not dt.is_floating_point and isinstance(value, float):
        value = int(value)  # PyTorch casts the value to the integer dtype
    return value


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, broadcasting."""
    _tensors("addcmul", ("input", input), ("tensor1", tensor1), ("tensor2", tensor2))
    dt = _result_dtype(input, tensor1, tensor2)
    if dt is D.bool:
        raise _not_implemented("addcmul_cpu_out", dt)
    return _apply(Addcmul, out, "addcmul", input, tensor1, tensor2, _value(value, dt))


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, broadcasting (floating tensors only)."""
    _tensors("addcdiv", ("input", input), ("tensor1", tensor1), ("tensor2", tensor2))
    if not tensor1.dtype.is_floating_point and not tensor2.dtype.is_floating_point:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * numtorch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    dt = _result_dtype(input, tensor1, tensor2)
    return _apply(Addcdiv, out, "addcdiv", input, tensor1, tensor2, _value(value, dt))


# --- other binary functions -------------------------------------------------------------------


class Hypot(ArrayFunction):
    """``sqrt(a**2 + b**2)`` without overflow."""

    node_name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b = cast_operands(a, b)
        dt = _np_dtype(a, b)
        if dt.kind != "f":
            raise _not_implemented("hypot_cpu", dt)
        out = xp_of(a, b).hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return (grad * a / out if ctx.needs_input_grad[0] else None,
                grad * b / out if ctx.needs_input_grad[1] else None)


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)``, elementwise."""
    _tensors("hypot", ("input", input), ("other", other))
    return _apply(Hypot, out, "hypot", input, other)


class Copysign(ArrayFunction):
    """``|a|`` with the sign of ``b``; the gradient to ``b`` is zero."""

    node_name = "CopysignBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        out = xp_of(a, b).copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        ga = None
        if ctx.needs_input_grad[0]:
            ga = grad * where(a == 0, 0.0, out / a)
        gb = zero_grad(grad) if ctx.needs_input_grad[1] else None
        return ga, gb


class CopysignScalar(Copysign):
    node_name = "CopysignBackward1"


def copysign(input, other, *, out=None):
    """The magnitude of ``input`` with the sign of ``other`` (a tensor or a number)."""
    input, other = _operands("copysign", input, other, scalar_input=False, wrap_ints=False)
    cls = Copysign if isinstance(other, Tensor) else CopysignScalar
    return _apply(cls, out, "copysign", input, other)


class Xlogy(ArrayFunction):
    """``x * log(y)``, 0 where ``x == 0`` (unless ``y`` is nan).

    Also the base of ``special.xlog1py`` (``x * log1p(y)``): a subclass names its log
    (``log``), the point where that log's domain ends (``edge``: log(y) needs y > 0,
    log1p(y) needs y > -1) and the public function (``op``, for the gradient)."""

    node_name = "XlogyBackward0"
    log = "log"
    edge = 0.0

    @staticmethod
    def forward(ctx, x, y):
        x, y = _float_pair(x, y)
        xp = xp_of(x, y)
        ctx.save_for_backward(x if hasattr(x, "shape") else None,
                              y if hasattr(y, "shape") else None)
        ctx.x, ctx.y = x, y
        dt = _np_dtype(x, y)
        # A Python number is rounded to the result dtype first, as PyTorch does
        # (xlogy(float32, 1e300) is inf; xlogy(1e-300, 0.) is 0).
        x = x if hasattr(x, "shape") else xp.asarray(x, dtype=dt)
        y = y if hasattr(y, "shape") else xp.asarray(y, dtype=dt)
        with _quiet():
            out = x * getattr(xp, ctx._forward_cls.log)(y)
            out = xp.where((xp.asarray(x) == 0) & ~xp.isnan(y), 0, out)
        return out.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x = ctx.x if x is None else x
        y = ctx.y if y is None else y
        cls = ctx._forward_cls
        gx = gy = None
        if ctx.needs_input_grad[0]:  # d/dx = log(y), but 0 where x == 0 and y <= edge
            gx = cls.op(grad, y)
            if isinstance(y, Tensor):
                gx = where((x == 0) & (y <= cls.edge), 0.0, gx)
            elif y <= cls.edge:
                gx = where(x == 0, 0.0, gx)
        if ctx.needs_input_grad[1]:
            gy = grad * x / (y - cls.edge)
        return gx, gy


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"


def xlogy(input, other, *, out=None):
    """``input * log(other)``, with 0 where ``input`` is 0; either may be a number."""
    input, other = _operands("xlogy", input, other, wrap_ints=False)
    if not isinstance(input, Tensor):
        cls = XlogyScalarSelf
    else:
        cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    return _apply(cls, out, "xlogy", input, other)


Xlogy.op = staticmethod(xlogy)


def _float_operands(kernel: str, a, b):
    """Both operands cast to their result dtype, which must be floating (PyTorch has no
    integer kernel for these ops and says so with a NotImplementedError)."""
    a, b = cast_operands(a, b)
    dt = _np_dtype(a, b)
    if dt.kind != "f":
        np.broadcast_shapes(np.shape(a), np.shape(b))  # PyTorch checks shapes first
        raise _not_implemented(kernel, dt)
    return a, b


class Logaddexp(ArrayFunction):
    """``log(exp(a) + exp(b))``, computed without overflow (``xp.logaddexp``).

    d/da = exp(a) / (exp(a) + exp(b)) = sigmoid(a - b), and symmetrically for ``b``.
    ``Logaddexp2`` is the same in base 2: ``xp.logaddexp2``, and d/da = sigmoid((a - b) ln 2).
    """

    node_name = "LogaddexpBackward0"
    ufunc = "logaddexp"
    scale = 1.0  # d/da = sigmoid(scale * (a - b))

    @staticmethod
    def forward(ctx, a, b):
        name = ctx._forward_cls.ufunc
        a, b = _float_operands(f"{name}_cpu", a, b)
        ctx.save_for_backward(a, b)
        with _quiet():
            return _down(getattr(xp_of(a, b), name)(_up(a), _up(b)), a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with _quiet():
            d = (a - b) * ctx._forward_cls.scale
            return (grad * sigmoid(d) if ctx.needs_input_grad[0] else None,
                    grad * sigmoid(-d) if ctx.needs_input_grad[1] else None)


class Logaddexp2(Logaddexp):
    """``log2(2**a + 2**b)``: Logaddexp in base 2."""

    node_name = "Logaddexp2Backward0"
    ufunc = "logaddexp2"
    scale = _LN2


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))``, elementwise and without overflow."""
    _tensors("logaddexp", ("input", input), ("other", other))
    return _apply(Logaddexp, out, "logaddexp", input, other)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)``, elementwise and without overflow."""
    _tensors("logaddexp2", ("input", input), ("other", other))
    return _apply(Logaddexp2, out, "logaddexp2", input, other)


class Heaviside(_NotImplementedGrad):
    """The step function: 0 where ``x < 0``, ``values`` where ``x == 0``, 1 where ``x > 0``
    (and 0 where ``x`` is nan). PyTorch defines no derivative: backward raises."""

    node_name = "NotImplemented"
    aten_name = "heaviside"

    @staticmethod
    def forward(ctx, x, values):
        xp = xp_of(x, values)
        return xp.asarray(xp.where(x == 0, values, x > 0)).astype(x.dtype, copy=False)


def heaviside(input, values, *, out=None):
    """The Heaviside step of ``input``, taking ``values`` where ``input`` is 0.

    ``input``, ``values`` (and ``out``) must share one dtype: PyTorch does not promote here.
    """
    _tensors("heaviside", ("input", input), ("values", values))
    if input.dtype != values.dtype or (isinstance(out, Tensor) and out.dtype != input.dtype):
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _apply(Heaviside, out, "heaviside", input, values)


def _gcd_kernel(xp, a, b):
    """``xp.gcd``, except where an operand is the most negative integer: there ``|x|``
    overflows, and PyTorch's Euclid loop on the wrapped values gives results (``-128``
    for ``gcd(-128, 0)`` in int8, ``-2`` for ``gcd(6, -128)``) that NumPy's does not."""
    out = xp.asarray(xp.gcd(a, b))
    if out.dtype.kind == "i" and out.size:
        low = _INT_RANGE[out.dtype][0]
        odd = (a == low) | (b == low)
        if bool(odd.any()):
            a, b, odd = xp.broadcast_arrays(a, b, odd)
            x, y = xp.abs(a[odd]), xp.abs(b[odd])  # abs(low) wraps to low, as in C
            while True:
                live = x != 0
                if not bool(live.any()):
                    break
                r = xp.fmod(y, xp.where(live, x, 1))  # C's remainder: the dividend's sign
                y = xp.where(live, x, y)
                x = xp.where(live, r, 0)
            out[odd] = y
    return out


def _integer_op(name: str, kernel, input, other, out):
    """gcd / lcm: integer tensors only, promoted together (uint8 with int8 gives int16)."""
    _tensors(name, ("input", input), ("other", other))
    a, b = input._data, other._data
    try:
        np.broadcast_shapes(a.shape, b.shape)  # PyTorch checks shapes before dtypes
    except ValueError as e:
        _raise_broadcast(e, (input, other))
        raise
    dt = D.result_type(a, b).np
    if dt.kind not in "iu":
        raise _not_implemented(f"{name}_cpu", dt)
    if out is not None:
        check_out(out, name, input, other)
    a, b = cast_operands(a, b)
    xp = xp_of(a, b)
    with _quiet():
        r = kernel(xp, a, b)
    return _plain(_make(xp.asarray(r)), out)


def gcd(input, other, *, out=None):
    """The greatest common divisor of ``input`` and ``other`` (integers), elementwise;
    ``gcd(0, 0)`` is 0."""
    return _integer_op("gcd", _gcd_kernel, input, other, out)


def lcm(input, other, *, out=None):
    """The least common multiple of ``input`` and ``other`` (integers), elementwise; 0 where
    either is 0. Like PyTorch, it wraps around where the result overflows the dtype."""
    return _integer_op("lcm", lambda xp, a, b: xp.lcm(a, b), input, other, out)


class Ldexp(ArrayFunction):
    """``x * 2**e``.

    PyTorch has two kernels, and so has this op. A float ``x`` with an integer ``e``
    keeps x's dtype and scales exactly (C's ``ldexp``; the exponent is read as a 32-bit
    C int, wrapping as PyTorch's does). Otherwise it is ``x * pow(2.0, e)``: ``pow`` gives
    e's float dtype (integers: the default float) and the product promotes as ``mul`` does.
    d/dx = 2**e, d/de = ln 2 * x * 2**e = ln 2 * out.
    """

    node_name = "LdexpBackward0"

    @staticmethod
    def forward(ctx, x, e):
        xp = xp_of(x, e)
        if x.dtype.kind == "f" and e.dtype.kind != "f":
            if e.dtype.kind == "b":
                np.broadcast_shapes(x.shape, e.shape)  # PyTorch checks shapes first
                raise _not_implemented("ldexp_cpu_exp", e.dtype)
            ctx.save_for_backward(e, None)
            with _quiet():
                return xp.asarray(xp.ldexp(x, e.astype(np.int32, copy=False)))
        p_dt = e.dtype if e.dtype.kind == "f" else D.get_default_dtype().np
        # The dtype of mul(x, pow(2.0, e)): a stand-in with e's rank carries pow's dtype.
        dt = D.result_type(x, np.empty((1,) if e.ndim else (), p_dt)).np
        with _quiet():
            p = xp.exp2(e.astype(p_dt, copy=False))
            out = xp.asarray(x.astype(dt, copy=False) * p.astype(dt, copy=False))
        ctx.save_for_backward(e, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        e, out = ctx.saved_tensors
        if out is None:  # integer exponent: only x has a gradient, 2**e exactly
            return ldexp(grad, e), None
        gx = grad * exp2(e) if ctx.needs_input_grad[0] else None
        ge = grad * out * _LN2 if ctx.needs_input_grad[1] else None
        return gx, ge


def _check_ldexp_into(t) -> None:
    if isinstance(t, Tensor) and not t.dtype.is_floating_point:
        raise RuntimeError(f"ldexp can't be cast to the desired output type {t.dtype._legacy}")


def ldexp(input, other, *, out=None):
    """``input * 2**other``, elementwise (an integer ``other`` scales a float ``input``
    exactly and keeps its dtype)."""
    _tensors("ldexp", ("input", input), ("other", other))
    _check_ldexp_into(out)
    return _apply(Ldexp, out, "ldexp", input, other)


_ldexp_inplace = inplace(ldexp)


def ldexp_(self, other):
    """In-place :func:`ldexp`. ``self`` must be floating (PyTorch's own message)."""
    if isinstance(other, Tensor):
        _check_ldexp_into(self)
    return _ldexp_inplace(self, other)


class Nextafter(ArrayFunction):
    """The next representable float after ``a`` in the direction of ``b``.

    PyTorch's gradient treats it as the identity in ``a`` (except where ``a == b``: the
    result is then ``b`` and the gradient 0) and as constant in ``b``.
    """

    node_name = "NextafterBackward0"

    @staticmethod
    def forward(ctx, a, b):
        a, b = _float_operands("nextafter_cpu", a, b)
        ctx.save_for_backward(a, b)
        return xp_of(a, b).asarray(xp_of(a, b).nextafter(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = where(a == b, 0.0, grad)
        if ctx.needs_input_grad[1]:
            gb = Tensor._make(xp_of(grad._data).zeros_like(grad._data))
        return ga, gb


def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` towards ``other``, elementwise."""
    _tensors("nextafter", ("input", input), ("other", other))
    return _apply(Nextafter, out, "nextafter", input, other)


class Frexp(ArrayFunction):
    """``x = mantissa * 2**exponent`` with ``0.5 <= |mantissa| < 1`` (0, inf and nan keep
    their value with exponent 0). The exponent is int32 and not differentiable;
    d mantissa / dx = 2**-exponent."""

    node_name = "FrexpBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        mantissa, exponent = xp.frexp(x)
        mantissa = xp.asarray(mantissa)
        exponent = xp.asarray(exponent).astype(np.int32, copy=False)
        ctx.mark_non_differentiable(exponent)
        ctx.save_for_backward(exponent)
        return mantissa, exponent

    @staticmethod
    def backward(ctx, grad, grad_exponent):
        (exponent,) = ctx.saved_tensors
        return grad / exp2(exponent)  # exp2 of int32 is the default float, as in PyTorch


def _check_frexp_out(out, input) -> None:
    if not isinstance(out, (tuple, list)):
        raise TypeError(f"frexp(): argument 'out' must be tuple of Tensors, not "
                        f"{_type_name(out)}")
    if len(out) != 2:
        raise TypeError(f"expected tuple of 2 elements but got {len(out)}")
    mantissa, exponent = out
    check_out(mantissa, "frexp", input)
    check_out(exponent, "frexp", input)
    if mantissa.dtype != input.dtype:
        raise RuntimeError(f"numtorch.frexp() expects mantissa to have dtype "
                           f"{_CPP_NAME[input.dtype.name]} but got "
                           f"{_CPP_NAME.get(mantissa.dtype.name, mantissa.dtype.name)}")
    if exponent.dtype != D.int32:
        raise RuntimeError(f"numtorch.frexp() expects exponent to have int dtype but got "
                           f"{_CPP_NAME.get(exponent.dtype.name, exponent.dtype.name)}")


def frexp(input, *, out=None):
    """Split ``input`` into mantissa and exponent, ``input = mantissa * 2**exponent``,
    as the named tuple ``numtorch.return_types.frexp(mantissa, exponent)``."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("numtorch.frexp() only supports floating-point dtypes")
    if out is not None:
        _check_frexp_out(out, input)
    mantissa, exponent = Frexp.apply(input)
    if out is None:
        return return_types.frexp((mantissa, exponent))
    return return_types.frexp((write_out(out[0], mantissa), write_out(out[1], exponent)))


class NanToNum(ArrayFunction):
    """nan, +inf and -inf replaced by numbers (by default 0 and the dtype's extremes)."""

    node_name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(x)
        info = np.finfo(x.dtype)
        return xp_of(x).nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                                   neginf=info.min if neginf is None else neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.isfinite(), None, None, None


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace nan with ``nan``, +inf with ``posinf`` and -inf with ``neginf``."""
    return _apply(NanToNum, out, "nan_to_num", input, nan, posinf, neginf)


# --- predicates (not differentiable) -----------------------------------------------------------


def _pred(input, float_fn, other_value: bool):
    x = input._data
    xp = xp_of(x)
    if x.dtype.kind == "f":
        return _make(float_fn(xp, x))
    return _make(xp.full(x.shape, other_value, dtype=bool))


def isnan(input):
    """True where an element is nan."""
    return _pred(input, lambda xp, x: xp.isnan(x), False)


def isinf(input):
    """True where an element is +inf or -inf."""
    return _pred(input, lambda xp, x: xp.isinf(x), False)


def isposinf(input, *, out=None):
    """True where an element is +inf."""
    return _plain(_pred(input, lambda xp, x: xp.isposinf(x), False), out)


def isneginf(input, *, out=None):
    """True where an element is -inf."""
    return _plain(_pred(input, lambda xp, x: xp.isneginf(x), False), out)


def isfinite(input):
    """True where an element is neither inf nor nan."""
    return _pred(input, lambda xp, x: xp.isfinite(x), True)


def isreal(input):
    """True everywhere (numtorch tensors are real)."""
    return _make(xp_of(input._data).ones(input._data.shape, dtype=bool))


# --- logical and bitwise (not differentiable) --------------------------------------------------


def _logical(name, ufunc, input, other, out):
    _tensors(name, ("input", input), ("other", other))
    a, b = input._data, other._data
    try:
        r = getattr(xp_of(a, b), ufunc)(a, b)
    except ValueError as e:
        _raise_broadcast(e, (input, other))
        raise
    return _plain(_make(r), out)


def logical_and(input, other, *, out=None):
    """Elementwise ``input and other`` (nonzero is true); a bool result."""
    return _logical("logical_and", "logical_and", input, other, out)


def logical_or(input, other, *, out=None):
    """Elementwise ``input or other`` (nonzero is true); a bool result."""
    return _logical("logical_or", "logical_or", input, other, out)


def logical_xor(input, other, *, out=None):
    """Elementwise exclusive or (nonzero is true); a bool result."""
    return _logical("logical_xor", "logical_xor", input, other, out)


def logical_not(input, *, out=None):
    """Elementwise ``not input`` (nonzero is true); a bool result."""
    return _plain(_make(xp_of(input._data).logical_not(input._data)), out)


_KERNEL = {"bitwise_and": "bitwise_and_cpu", "bitwise_or": "bitwise_or_cpu",
           "bitwise_xor": "bitwise_xor_cpu", "left_shift": "lshift_cpu",
           "right_shift": "rshift_cpu"}


def _bitwise(name, ufunc, input, other, out):
    shift = ufunc.endswith("shift")
    if shift and type(other) is int and isinstance(input, Tensor):
        dt = D.result_type(input._data, other).np
        if dt.kind in "iu":
            other = _shift_amount(other, dt)
    input, other = _operands(name, input, other)
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    dt = D.result_type(a, b).np
    if dt.kind == "f" or (shift and dt.kind == "b"):
        raise _not_implemented(_KERNEL[ufunc], dt)
    a, b = cast_operands(a, b)
    try:
        r = getattr(xp_of(a, b), ufunc)(a, b)
    except ValueError as e:
        _raise_broadcast(e, (input, other))
        raise
    return _plain(_make(r.astype(dt, copy=False) if hasattr(r, "astype") else r), out)


def _shift_amount(v, dt):
    """A Python int shift clamps to [-1, bits]: beyond, the result no longer changes
    (NumPy handles such array values, but refuses out-of-range Python ints)."""
    bits = dt.itemsize * 8
    if v < 0:
        return bits if dt.kind == "u" else -1
    return builtins.min(v, bits)


def bitwise_and(input, other, *, out=None):
    """Elementwise ``input & other`` (integer or bool)."""
    return _bitwise("bitwise_and", "bitwise_and", input, other, out)


def bitwise_or(input, other, *, out=None):
    """Elementwise ``input | other`` (integer or bool)."""
    return _bitwise("bitwise_or", "bitwise_or", input, other, out)


def bitwise_xor(input, other, *, out=None):
    """Elementwise ``input ^ other`` (integer or bool)."""
    return _bitwise("bitwise_xor", "bitwise_xor", input, other, out)


def bitwise_left_shift(input, other, *, out=None):
    """``input << other``; shifting by the bit width or more (or by a negative) gives 0."""
    return _bitwise("bitwise_left_shift", "left_shift", input, other, out)


def bitwise_right_shift(input, other, *, out=None):
    """``input >> other`` (arithmetic for signed types)."""
    return _bitwise("bitwise_right_shift", "right_shift", input, other, out)


def bitwise_not(input, *, out=None):
    """Elementwise ``~input`` (integer or bool)."""
    x = input._data
    if x.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", x.dtype)
    return _plain(_make(xp_of(x).invert(x)), out)


def _invert(self):
    """``~tensor``."""
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


# --- comparisons (not differentiable) ---------------------------------------------------------


def _compare(name, ufunc, input, other, out):
    input, other = _operands(name, input, other, scalar_input=False)
    a, b = cast_operands(input._data, other._data if isinstance(other, Tensor) else other)
    try:
        ufunc = getattr(xp_of(a, b), ufunc)
        r = parallel.apply(ufunc, a, b) if _big(a, b) else ufunc(a, b)
    except ValueError as e:
        _raise_broadcast(e, (input, other))
        raise
    return _plain(_make(r), out)


def eq(input, other, *, out=None):
    """``input == other`` elementwise."""
    return _compare("eq", "equal", input, other, out)


def ne(input, other, *, out=None):
    """``input != other`` elementwise."""
    return _compare("ne", "not_equal", input, other, out)


def lt(input, other, *, out=None):
    """``input < other`` elementwise."""
    return _compare("lt", "less", input, other, out)


def le(input, other, *, out=None):
    """``input <= other`` elementwise."""
    return _compare("le", "less_equal", input, other, out)


def gt(input, other, *, out=None):
    """``input > other`` elementwise."""
    return _compare("gt", "greater", input, other, out)


def ge(input, other, *, out=None):
    """``input >= other`` elementwise."""
    return _compare("ge", "greater_equal", input, other, out)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


class _CompareInto(ArrayFunction):
    """``x.eq_(y)`` where autograd tracks ``x`` or ``y``: the 0/1 result in ``x``'s dtype,
    recorded (as PyTorch records it) with a zero gradient."""

    ufunc = ""

    @staticmethod
    def forward(ctx, a, b):
        dt = a.dtype
        a, b = cast_operands(a, b)
        return getattr(xp_of(a, b), ctx._forward_cls.ufunc)(a, b).astype(dt)

    @staticmethod
    def backward(ctx, grad):
        zero = zero_grad(grad)
        return (zero if ctx.needs_input_grad[0] else None,
                zero if ctx.needs_input_grad[1] else None)


class EqScalarInto(_CompareInto):
    node_name, ufunc = "EqBackward0", "equal"


class EqInto(_CompareInto):
    node_name, ufunc = "EqBackward1", "equal"


class NeScalarInto(_CompareInto):
    node_name, ufunc = "NeBackward0", "not_equal"


class NeInto(_CompareInto):
    node_name, ufunc = "NeBackward1", "not_equal"


class LtScalarInto(_CompareInto):
    node_name, ufunc = "LtBackward0", "less"


class LtInto(_CompareInto):
    node_name, ufunc = "LtBackward1", "less"


class LeScalarInto(_CompareInto):
    node_name, ufunc = "LeBackward0", "less_equal"


class LeInto(_CompareInto):
    node_name, ufunc = "LeBackward1", "less_equal"


class GtScalarInto(_CompareInto):
    node_name, ufunc = "GtBackward0", "greater"


class GtInto(_CompareInto):
    node_name, ufunc = "GtBackward1", "greater"


class GeScalarInto(_CompareInto):
    node_name, ufunc = "GeBackward0", "greater_equal"


class GeInto(_CompareInto):
    node_name, ufunc = "GeBackward1", "greater_equal"


def _compare_inplace(compare, scalar_cls, tensor_cls):
    """The in-place method ``x.eq_(y)``: untracked, the plain comparison written back;
    tracked, the comparison recorded with a zero gradient."""

    def fn(input, other):
        if grad_mode.enabled and (input._requires_grad or isinstance(other, Tensor)
                                  and other._requires_grad):
            input, other = _operands(compare.__name__, input, other, scalar_input=False)
            cls = tensor_cls if isinstance(other, Tensor) else scalar_cls
            return _apply(cls, None, compare.__name__, input, other)
        return compare(input, other)

    fn.__name__ = compare.__name__
    return inplace(fn)


eq_ = _compare_inplace(eq, EqScalarInto, EqInto)
ne_ = not_equal_ = _compare_inplace(ne, NeScalarInto, NeInto)
lt_ = less_ = _compare_inplace(lt, LtScalarInto, LtInto)
le_ = less_equal_ = _compare_inplace(le, LeScalarInto, LeInto)
gt_ = greater_ = _compare_inplace(gt, GtScalarInto, GtInto)
ge_ = greater_equal_ = _compare_inplace(ge, GeScalarInto, GeInto)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (equal infinities are close)."""
    _tensors("isclose", ("input", input), ("other", other))
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype._legacy} did not match {other.dtype._legacy}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    xp = xp_of(a, b)
    try:
        close = a == b
    except ValueError as e:
        _raise_broadcast(e, (input, other))
        raise
    if equal_nan and a.dtype.kind == "f":
        close = close | (xp.isnan(a) & xp.isnan(b))
    if atol != 0 or rtol != 0:
        if a.dtype.kind != "f":
            f = D.get_default_dtype().np
            a, b = a.astype(f), b.astype(f)
        with _quiet():
            err = xp.abs(a - b)
            close = close | (xp.isfinite(err) & (err <= atol + xp.abs(b * rtol)))
    return _make(xp.asarray(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same values."""
    _tensors("equal", ("input", input), ("other", other))
    if input.shape != other.shape:
        return False
    return bool(xp_of(input._data).array_equal(input._data, other._data))


# --- dtype conversion ---------------------------------------------------------------------


class ToCopy(ArrayFunction):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.src = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(D.from_numpy_dtype(ctx.src)), None


def _to_dtype(t, dtype):
    """``t.to(dtype)``: a differentiable cast (integer targets drop out of the graph)."""
    return ToCopy.apply(t, dtype.np)


# --- in-place forms with a fast path --------------------------------------------------------------
#
# The optimizers call these on every parameter at every step. The generic in-place path
# (``_tensor.inplace``: run the out-of-place op, then copy the result into ``self``) costs an
# extra array and a graph-aware write-back. When autograd is not involved and ``self`` is a
# float tensor meeting a same-dtype tensor or a Python number, the ufunc writes straight into
# ``self``'s memory instead; everything else (and every error) goes the generic way.


def _untracked(self, *others) -> bool:
    if not grad_mode.enabled:
        return True
    if self._requires_grad:
        return False
    for o in others:
        if isinstance(o, Tensor) and o._requires_grad:
            return False
    return True


def _fast_operand(arr, other):
    """``other``'s array or number if the fast path can take it, else None."""
    if isinstance(other, Tensor):
        o = other._data
        return o if o.dtype == arr.dtype and type(o) is type(arr) else None
    if type(other) is float or type(other) is int:
        return other
    return None


_add_generic = inplace(add)
_sub_generic = inplace(sub)
_mul_generic = inplace(mul)
_div_generic = inplace(div)
_addcmul_generic = inplace(addcmul)
_addcdiv_generic = inplace(addcdiv)
_lerp_generic = inplace(lerp)
_sqrt_generic = inplace(sqrt)
_clamp_generic = inplace(clamp)
_float_power_generic = inplace(float_power)


def add_(self, other, *, alpha=1):
    """In-place :func:`add`: ``self += alpha * other``."""
    arr = self._data
    if arr.dtype.kind == "f" and _untracked(self, other):
        o = _fast_operand(arr, other)
        if o is not None and type(alpha) in (int, float):
            try:
                if alpha == 1:
                    arr += o
                elif not blas.axpy(alpha, o, arr):  # BLAS rounds once, as PyTorch's fma
                    arr[...] = _plus_scaled(arr, o, alpha)
            except ValueError:  # not broadcastable to self: the generic path raises
                pass
            else:
                self._vc[0] += 1
                return self
    return _add_generic(self, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    """In-place :func:`sub`: ``self -= alpha * other``."""
    arr = self._data
    if arr.dtype.kind == "f" and _untracked(self, other):
        o = _fast_operand(arr, other)
        if o is not None and type(alpha) in (int, float):
            try:
                if alpha == 1:
                    arr -= o
                elif not blas.axpy(-alpha, o, arr):
                    arr[...] = _plus_scaled(arr, o, -alpha)
            except ValueError:
                pass
            else:
                self._vc[0] += 1
                return self
    return _sub_generic(self, other, alpha=alpha)


subtract_ = sub_


def mul_(self, other):
    """In-place :func:`mul`: ``self *= other``."""
    arr = self._data
    if arr.dtype.kind == "f" and _untracked(self, other):
        o = _fast_operand(arr, other)
        if o is not None:
            try:
                arr *= o
            except ValueError:
                pass
            else:
                self._vc[0] += 1
                return self
    return _mul_generic(self, other)


multiply_ = mul_


def div_(self, other, *, rounding_mode=None):
    """In-place :func:`div`: ``self /= other``."""
    arr = self._data
    if rounding_mode is None and arr.dtype.kind == "f" and _untracked(self, other):
        o = _fast_operand(arr, other)
        if o is not None:
            try:
                with _quiet():
                    arr /= o
            except ValueError:
                pass
            else:
                self._vc[0] += 1
                return self
    return _div_generic(self, other, rounding_mode=rounding_mode)


divide_ = div_


def addcmul_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcmul`: ``self += value * tensor1 * tensor2``."""
    arr = self._data
    if arr.dtype.kind == "f" and type(value) in (int, float) and _untracked(
            self, tensor1, tensor2):
        t1, t2 = _fast_operand(arr, tensor1), _fast_operand(arr, tensor2)
        if isinstance(t1, type(arr)) and isinstance(t2, type(arr)):
            prod = t1 * value  # (value * t1) * t2, PyTorch's order of rounding
            try:
                prod *= t2
            except ValueError:  # t2 broadcasts wider than t1
                prod = prod * t2
            try:
                arr += prod
            except ValueError:
                pass
            else:
                self._vc[0] += 1
                return self
    return _addcmul_generic(self, tensor1, tensor2, value=value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    """In-place :func:`addcdiv`: ``self += value * tensor1 / tensor2``."""
    arr = self._data
    if arr.dtype.kind == "f" and type(value) in (int, float) and _untracked(
            self, tensor1, tensor2):
        t1, t2 = _fast_operand(arr, tensor1), _fast_operand(arr, tensor2)
        if isinstance(t1, type(arr)) and isinstance(t2, type(arr)):
            with _quiet():
                q = t1 * value if value != 1 else t1.copy()
                try:
                    q /= t2
                except ValueError:  # t2 broadcasts wider than t1
                    q = q / t2
                try:
                    arr += q
                except ValueError:
                    pass
                else:
                    self._vc[0] += 1
                    return self
    return _addcdiv_generic(self, tensor1, tensor2, value=value)


def lerp_(self, end, weight):
    """In-place :func:`lerp`: ``self += weight * (end - self)``."""
    arr = self._data
    if (arr.dtype.kind == "f" and type(weight) in (int, float) and _untracked(self, end)):
        e = _fast_operand(arr, end)
        if isinstance(e, type(arr)) and e.shape == arr.shape:
            diff = e - arr
            if builtins.abs(weight) < 0.5:
                diff *= weight
                arr += diff
            else:  # end - diff * (1 - weight), written as (diff * (weight - 1)) + end
                diff *= weight - 1
                diff += e
                arr[...] = diff
            self._vc[0] += 1
            return self
    return _lerp_generic(self, end, weight)


def sqrt_(self):
    """In-place :func:`sqrt`."""
    arr = self._data
    if arr.dtype.kind == "f" and _untracked(self):
        with _quiet():
            xp_of(arr).sqrt(arr, out=arr)
        self._vc[0] += 1
        return self
    return _sqrt_generic(self)


def clamp_(self, min=None, max=None):  # noqa: A002
    """In-place :func:`clamp`."""
    arr = self._data
    if (arr.dtype.kind == "f" and type(min) in (int, float, type(None))
            and type(max) in (int, float, type(None)) and (min is not None or max is not None)
            and _untracked(self)):
        xp_of(arr).clip(arr, min, max, out=arr)
        self._vc[0] += 1
        return self
    return _clamp_generic(self, min, max)


clip_ = clamp_


def float_power_(self, exponent):
    """In-place :func:`float_power` (``self`` must already be float64)."""
    if self.dtype is not D.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype._legacy} but "
                           "the operation's result requires dtype Double")
    return _float_power_generic(self, exponent)
