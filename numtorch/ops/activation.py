"""Activation kernels (nn.functional's relu6, gelu, silu, ...): forward beside backward.

Each kernel is an ``ArrayFunction`` named after PyTorch's graph node: ``forward``
computes on arrays (float16 through float32, float32 stays float32), ``backward``
returns the input gradient written with Tensor ops, so ``create_graph=True`` can
differentiate it again. Piecewise functions take their gradient mask from the
saved input; the in-place forms PyTorch records as ``...Backward1`` (``elu_``,
``leaky_relu_``, ``threshold_``, ``rrelu_``) save the *output* instead, as
PyTorch does, so the overwritten input is never needed.

A few activations are plain compositions in PyTorch too (``softsign``,
``tanhshrink``, ``softmin``, ``relu6``): they are written the same way here, so
their ``grad_fn`` is the one PyTorch prints (``DivBackward0``, ``SubBackward0`` ...).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _warnings
from .. import random as _random
from .._tensor import Tensor, inplace
from ..autograd.function import ArrayFunction
from . import reduce as _R
from ._util import xp_of
from .pointwise import (
    _down,
    _erf_kernel,
    _keep,
    _not_implemented,
    _quiet,
    _up,
    erf,
    sigmoid,
    tanh,
    where,
)
from .pointwise import relu as _relu_op

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "softplus", "softsign",
    "tanh", "tanhshrink", "sigmoid", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_",
    "hardshrink", "softshrink", "threshold", "threshold_", "softmax", "softmin", "log_softmax",
    "glu", "logsigmoid",
]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _floats_only(x, kernel: str):
    """PyTorch's CPU kernels refuse integer and bool tensors with this message."""
    if x.dtype.kind != "f":
        raise _not_implemented(kernel, x.dtype)


def _work(x):
    """The array a kernel computes on: float16 as float32, and 0-d as shape (1,) (so
    in-place NumPy steps get arrays, not scalars). ``_done`` undoes both."""
    return _up(x).reshape(x.shape or (1,))


def _done(out, x):
    return _down(out, x.dtype).reshape(x.shape)


def _inplace_via(fn, name: str):
    """``name(input, ...)``: ``fn`` computed, then written back into ``input``. Named as the
    module attribute it is bound to, so pickle (a module holding ``F.relu_``) finds it."""
    method = inplace(fn)
    method.__name__ = method.__qualname__ = name
    method.__module__ = __name__
    method.__doc__ = f"In-place version of :func:`{name[:-1]}`."
    return method


# --- relu and its clamped relatives ------------------------------------------------------

relu_ = _inplace_via(_relu_op, "relu_")


def relu(input, inplace=False):
    """``max(input, 0)`` elementwise (``inplace=True`` writes it into ``input``)."""
    return relu_(input) if inplace else _relu_op(input)


class Hardtanh(ArrayFunction):
    """``clamp(x, min_val, max_val)``; the gradient is 0 outside (and at) the bounds."""

    node_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for hardtanh")
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        if x.dtype.kind in "iu":  # PyTorch clamps integers with integer bounds
            return xp_of(x).clip(x, math.ceil(lo), math.floor(hi)).astype(x.dtype)
        return xp_of(x).clip(x, x.dtype.type(lo), x.dtype.type(hi))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _keep(grad, (x > ctx.lo) & (x < ctx.hi)), None, None


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``clamp(input, min_val, max_val)`` with a zero gradient outside the range."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)


def _hardtanh(input, min_val=-1.0, max_val=1.0):
    return Hardtanh.apply(input, min_val, max_val)


hardtanh_ = _inplace_via(_hardtanh, "hardtanh_")


def relu6(input, inplace=False):
    """``min(max(input, 0), 6)`` (PyTorch records it as a hardtanh)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyRelu(ArrayFunction):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""

    node_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        _floats_only(x, "leaky_relu_cpu")
        ctx.slope = slope
        ctx.save_for_backward(x)
        xp = xp_of(x)
        return xp.where(x > 0, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * ctx.slope), None


class LeakyReluInplace(LeakyRelu):
    """``leaky_relu_``: the gradient mask comes from the output (it has the input's sign)."""

    node_name = "LeakyReluBackward1"

    @staticmethod
    def forward(ctx, x, slope):
        _floats_only(x, "leaky_relu_cpu")
        ctx.slope = slope
        out = xp_of(x).where(x > 0, x, x * x.dtype.type(slope))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope "
                "which is not supported. This is caused by calling in-place forward function "
                "with a negative slope, please call out-of-place version instead. File an issue "
                "at https://github.com/pytorch/pytorch if you do require supporting in-place "
                "leakRelu backward calculation with negative slope")
        return LeakyRelu.backward(ctx, grad)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``max(0, input) + negative_slope * min(0, input)``."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


leaky_relu_ = _inplace_via(lambda input, negative_slope=0.01:
                           LeakyReluInplace.apply(input, negative_slope), "leaky_relu_")


class PreluKernel(ArrayFunction):
    """``x`` where ``x > 0``, else ``weight * x``; one learned slope per channel (dim 1)."""

    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w):
        _floats_only(x, "prelu_cpu")
        ctx.w_shape = w.shape
        wb = _prelu_broadcast(w, x.ndim)
        ctx.save_for_backward(x, w)
        return xp_of(x).where(x > 0, x, wb * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        wb = w.reshape(_prelu_shape(w.numel(), x.ndim))
        pos = x > 0
        gx = where(pos, grad, grad * wb) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gw = where(pos, 0.0, grad * x)
            if w.numel() == 1:
                gw = gw.sum()
            elif x.ndim > 1:
                gw = gw.sum([d for d in range(x.ndim) if d != 1])
            gw = gw.reshape(ctx.w_shape)
        return gx, gw


def _prelu_shape(n, ndim):
    if n == 1 or ndim < 2:
        return (1,) * ndim if n == 1 else (n,)
    return (1, n) + (1,) * (ndim - 2)


def _prelu_broadcast(w, ndim):
    return w.reshape(_prelu_shape(w.size, ndim))


def prelu(input, weight):
    """``max(0, x) + weight * min(0, x)``, ``weight`` one slope or one per channel (dim 1)."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    return PreluKernel.apply(input, weight)


class RreluWithNoise(ArrayFunction):
    """Randomized leaky ReLU: in training each non-positive element gets its own slope
    drawn uniformly from ``[lower, upper]`` (kept as ``noise`` for backward); in eval the
    slope is their mean."""

    node_name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx, x, lower, upper, training, generator):
        _floats_only(x, "leaky_relu_cpu")
        out, noise = _rrelu_kernel(x, lower, upper, training, generator)
        ctx.noise = noise
        ctx.slope = (lower + upper) / 2
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.noise is not None:
            return grad * Tensor._make(ctx.noise), None, None, None, None
        return where(x > 0, grad, grad * ctx.slope), None, None, None, None


class RreluWithNoiseInplace(RreluWithNoise):
    node_name = "RreluWithNoiseBackward1"

    @staticmethod
    def forward(ctx, x, lower, upper, training, generator):
        _floats_only(x, "leaky_relu_cpu")
        out, noise = _rrelu_kernel(x, lower, upper, training, generator)
        ctx.noise = noise
        ctx.slope = (lower + upper) / 2
        ctx.save_for_backward(out)
        return out


def _rrelu_kernel(x, lower, upper, training, generator):
    xp = xp_of(x)
    if training and upper - lower > 1e-6:
        # PyTorch draws one double uniform per non-positive element, in memory order.
        # The bounds are first rounded to the compute type (float for float32 and half).
        op = np.float64 if x.dtype == np.float64 else np.float32
        lo, hi = float(op(lower)), float(op(upper))
        neg = x <= 0
        u = _random._uniform01_f64(_random._gen(generator), int(neg.sum()))
        noise = xp.ones(x.shape, dtype=x.dtype)
        noise[neg] = (u * (hi - lo) + lo).astype(x.dtype)
        return x * noise, noise
    slope = x.dtype.type((lower + upper) / 2)
    return xp.where(x > 0, x, x * slope), None


def _check_rrelu(lower, upper):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU (slopes drawn from ``[lower, upper]`` in training)."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    _check_rrelu(lower, upper)
    return RreluWithNoise.apply(input, lower, upper, training, None)


def _rrelu_inplace(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    _check_rrelu(lower, upper)
    return RreluWithNoiseInplace.apply(input, lower, upper, training, None)


rrelu_ = _inplace_via(_rrelu_inplace, "rrelu_")


# --- exponential-linear units ------------------------------------------------------------


def _elu_kernel(x, alpha, scale, input_scale):
    xp = xp_of(x)
    xc = _work(x)
    t = xc.dtype.type
    with _quiet():
        neg = xp.expm1(xc * t(input_scale)) * t(alpha * scale)
    return _done(xp.where(xc > 0, xc * t(scale), neg), x)


class Elu(ArrayFunction):
    """``scale * x`` where ``x > 0``, else ``scale * alpha * (exp(input_scale * x) - 1)``
    (ELU, SELU; CELU is this with ``input_scale = 1 / alpha``)."""

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        _floats_only(x, "elu_cpu")
        ctx.params = (alpha, scale, input_scale)
        ctx.save_for_backward(x)
        return _elu_kernel(x, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.params
        neg = grad * ((x * input_scale).exp() * (input_scale * scale * alpha))
        return where(x > 0, grad * scale, neg), None, None, None


class EluInplace(ArrayFunction):
    """``elu_``: the gradient from the output: ``input_scale * (out + scale * alpha)``."""

    node_name = "EluBackward1"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        _floats_only(x, "elu_cpu")
        ctx.params = (alpha, scale, input_scale)
        out = _elu_kernel(x, alpha, scale, input_scale)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        alpha, scale, input_scale = ctx.params
        if alpha < 0:
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which is "
                "not supported. This is caused by calling in-place forward function with a "
                "negative slope, please call out-of-place version instead.")
        (out,) = ctx.saved_tensors
        neg = grad * ((out + scale * alpha) * input_scale)
        return where(out > 0, grad * scale, neg), None, None, None


class Celu(Elu):
    node_name = "CeluBackward0"


class CeluInplace(EluInplace):
    node_name = "CeluBackward1"


def elu(input, alpha=1.0, inplace=False):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    if inplace:
        return elu_(input, alpha)
    return Elu.apply(input, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    """Scaled ELU with the self-normalising constants (alpha ≈ 1.6733, scale ≈ 1.0507)."""
    if inplace:
        return selu_(input)
    return Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _check_celu(alpha):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if inplace:
        return celu_(input, alpha)
    _check_celu(alpha)
    return Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def _elu_inplace(input, alpha=1.0):
    return EluInplace.apply(input, alpha, 1.0, 1.0)


def _selu_inplace(input):
    return EluInplace.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def _celu_inplace(input, alpha=1.0):
    _check_celu(alpha)
    return CeluInplace.apply(input, alpha, 1.0, 1.0 / alpha)


elu_ = _inplace_via(_elu_inplace, "elu_")
selu_ = _inplace_via(_selu_inplace, "selu_")
celu_ = _inplace_via(_celu_inplace, "celu_")


# --- smooth gates: gelu, silu, mish, softplus, logsigmoid --------------------------------


class Gelu(ArrayFunction):
    """``x * Phi(x)``, Phi the standard normal CDF; ``approximate='tanh'`` uses
    ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))``."""

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        _floats_only(x, "GeluKernelImpl")
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        xp = xp_of(x)
        xc = _work(x)
        t = xc.dtype.type
        if approximate == "tanh":
            inner = xc * xc
            inner *= t(_GELU_C)
            inner += 1
            inner *= xc
            inner *= t(_GELU_K)
            out = xp.tanh(inner, out=inner)
            out += 1
            out *= xc
            out *= t(0.5)
        else:
            out = _erf_kernel(xp, xc * t(_SQRT1_2))
            out += 1
            out *= xc
            out *= t(0.5)
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            th = ((x + x2 * x * _GELU_C) * _GELU_K).tanh()
            d = (th + 1) * 0.5 + x * 0.5 * (1 - th * th) * ((x2 * (3 * _GELU_C) + 1) * _GELU_K)
            return grad * d, None
        cdf = (erf(x * _SQRT1_2) + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _GELU_PDF
        return grad * (cdf + x * pdf), None


def gelu(input, approximate="none"):
    """Gaussian error linear unit ``x * Phi(x)`` (or its tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def _sigmoid_array(xp, x):
    with _quiet():
        s = xp.exp(-x)
    s += 1
    return xp.reciprocal(s, out=s)


class Silu(ArrayFunction):
    """``x * sigmoid(x)`` (swish)."""

    node_name = "SiluBackward0"

    @staticmethod
    def forward(ctx, x):
        _floats_only(x, "silu_cpu")
        ctx.save_for_backward(x)
        xc = _work(x)
        out = _sigmoid_array(xp_of(x), xc)
        out *= xc
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * (s * (1 + x * (1 - s)))


def silu(input, inplace=False):
    """``input * sigmoid(input)``."""
    return silu_(input) if inplace else Silu.apply(input)


silu_ = _inplace_via(Silu.apply, "silu_")


class Mish(ArrayFunction):
    """``x * tanh(softplus(x))``."""

    node_name = "MishBackward0"

    @staticmethod
    def forward(ctx, x):
        _floats_only(x, "mish_cpu")
        ctx.save_for_backward(x)
        xp = xp_of(x)
        xc = _work(x)
        with _quiet():
            out = xp.tanh(xp.log1p(xp.exp(xc)))
        out *= xc
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = softplus(x).tanh()
        return grad * (t + x * x.sigmoid() * (1 - t * t))


def mish(input, inplace=False):
    """``input * tanh(softplus(input))``."""
    return mish_(input) if inplace else Mish.apply(input)


mish_ = _inplace_via(Mish.apply, "mish_")


class Softplus(ArrayFunction):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""

    node_name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, x, beta, threshold):
        _floats_only(x, "softplus_cpu")
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        xp = xp_of(x)
        xc = _work(x)
        t = xc.dtype.type
        bx = xc * t(beta)
        with _quiet():
            soft = xp.log1p(xp.exp(bx)) / t(beta)
        return _done(xp.where(bx > t(threshold), xc, soft), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return where(bx > ctx.threshold, grad, grad * bx.sigmoid()), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """Smooth ReLU ``log(1 + exp(beta * input)) / beta`` (linear above ``threshold``)."""
    return Softplus.apply(input, beta, threshold)


class LogSigmoid(ArrayFunction):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, stable for large ``|x|``."""

    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        _floats_only(x, "log_sigmoid_cpu")
        ctx.save_for_backward(x)
        xp = xp_of(x)
        xc = _work(x)
        with _quiet():
            out = xp.minimum(xc, 0) - xp.log1p(xp.exp(-xp.abs(xc)))
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


def logsigmoid(input):
    """``log(1 / (1 + exp(-input)))``."""
    return LogSigmoid.apply(input)


def softsign(input):
    """``input / (1 + |input|)``."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``input - tanh(input)``."""
    return input - input.tanh()


# --- hard (piecewise-linear) gates and shrinkage -----------------------------------------


class Hardsigmoid(ArrayFunction):
    """``relu6(x + 3) / 6``."""

    node_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        _floats_only(x, "hardsigmoid_cpu")
        ctx.save_for_backward(x)
        xc = _work(x)
        out = xp_of(x).clip(xc + 3, 0, 6)
        out /= 6
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _keep(grad * (1 / 6), (x > -3) & (x < 3))  # PyTorch multiplies by 1/6


def hardsigmoid(input, inplace=False):
    """``0`` below -3, ``1`` above 3, ``input / 6 + 1 / 2`` between."""
    return hardsigmoid_(input) if inplace else Hardsigmoid.apply(input)


hardsigmoid_ = _inplace_via(Hardsigmoid.apply, "hardsigmoid_")


class Hardswish(ArrayFunction):
    """``x * relu6(x + 3) / 6``."""

    node_name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, x):
        _floats_only(x, "hardswish_cpu")
        ctx.save_for_backward(x)
        xc = _work(x)
        out = xp_of(x).clip(xc + 3, 0, 6)
        out *= xc
        out /= 6
        return _done(out, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # PyTorch's branches: 0 up to -3 included, the slope strictly inside, grad from 3
        # on (and for nan)
        mid = where(x < 3, grad * (x / 3 + 0.5), grad)
        return where(x <= -3, 0.0, mid)


def hardswish(input, inplace=False):
    """``input * relu6(input + 3) / 6``."""
    return hardswish_(input) if inplace else Hardswish.apply(input)


hardswish_ = _inplace_via(Hardswish.apply, "hardswish_")


class Hardshrink(ArrayFunction):
    """``x`` where ``|x| > lambd``, else 0."""

    node_name = "HardshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        _floats_only(x, "hardshrink_cpu")
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        # torch zeroes only ``-lambd <= x <= lambd``: NaN passes through
        keep = ~((x >= -lambd) & (x <= lambd))
        return xp_of(x).where(keep, x, x.dtype.type(0))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _keep(grad, (x < -ctx.lambd) | (x > ctx.lambd)), None


def hardshrink(input, lambd=0.5):
    """Zero where ``|input| <= lambd``."""
    return Hardshrink.apply(input, lambd)


class Softshrink(ArrayFunction):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""

    node_name = "SoftshrinkBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        _floats_only(x, "softshrink_check")
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        xp = xp_of(x)
        t = x.dtype.type
        # torch's middle branch is ``x * 0``: NaN stays NaN, -0.0 stays -0.0
        return xp.where(x > lambd, x - t(lambd), xp.where(x < -lambd, x + t(lambd), x * t(0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _keep(grad, (x < -ctx.lambd) | (x > ctx.lambd)), None


def softshrink(input, lambd=0.5):
    """Shrink toward 0 by ``lambd`` (0 inside ``[-lambd, lambd]``)."""
    if input.dtype.is_floating_point and not 0 <= lambd <= float(np.finfo(np.float32).max):
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{input.dtype._legacy}, but found {lambd:g}")
    return Softshrink.apply(input, lambd)


class Threshold(ArrayFunction):
    """``value`` where ``x <= threshold``, else ``x``."""

    node_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, x, threshold, value):
        if x.dtype.kind == "b":
            raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
        ctx.threshold = threshold
        out = xp_of(x).where(x <= threshold, x.dtype.type(value), x)
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _keep(grad, ~(x <= ctx.threshold)), None, None  # nan passes, as in PyTorch


class ThresholdInplace(Threshold):
    """``threshold_``: the gradient mask is kept as a bool array, not the input."""

    node_name = "ThresholdBackward1"

    @staticmethod
    def forward(ctx, x, threshold, value):
        if x.dtype.kind == "b":
            raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
        keep = ~(x <= threshold)  # NaN is kept, as in torch
        ctx.keep = keep  # the input is about to be overwritten: keep only its mask
        return xp_of(x).where(keep, x, x.dtype.type(value))

    @staticmethod
    def backward(ctx, grad):
        return _keep(grad, Tensor._make(ctx.keep)), None, None


def threshold(input, threshold, value, inplace=False):
    """Replace values ``<= threshold`` by ``value``."""
    if inplace:
        return threshold_(input, threshold, value)
    return Threshold.apply(input, threshold, value)


threshold_ = _inplace_via(lambda input, threshold, value:
                          ThresholdInplace.apply(input, threshold, value), "threshold_")


# --- gated and normalised activations ----------------------------------------------------


class Glu(ArrayFunction):
    """Gated linear unit: ``a * sigmoid(b)`` with ``a, b`` the halves of ``x`` along ``dim``."""

    node_name = "GluBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        _floats_only(x, "glu_cpu")
        ctx.dim = dim
        ctx.save_for_backward(x)
        xp = xp_of(x)
        a, b = xp.split(x, 2, axis=dim)
        out = _sigmoid_array(xp, _up(b))
        out *= a
        return _down(out, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = b.sigmoid()
        ga = grad * s
        return _R_cat((ga, ga * a * (1 - s)), ctx.dim), None


def _R_cat(tensors, dim):
    from .shape import cat

    return cat(tensors, dim)


def glu(input, dim=-1):
    """Split ``input`` in two along ``dim`` and gate the first half by the second's sigmoid."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    from .._tensor import _wrap_dim

    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    return Glu.apply(input, d)


def _softmax_dim(name: str, ndim: int) -> int:
    _warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                   "to include dim=X as an argument.")
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim`` (with the implicit-dim warning when ``None``).

    ``_stacklevel`` is PyTorch's parameter, accepted and unused: numtorch's warnings always
    name the first line outside numtorch (see numtorch/_warnings.py)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return _R.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return _R.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return _R.softmax(-input, dim, dtype=dtype)

