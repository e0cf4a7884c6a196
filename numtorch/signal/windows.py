"""Window functions with SciPy's conventions, as ``torch.signal.windows``.

Each takes the window length ``M`` and ``sym`` (True: symmetric, for filter design; False:
periodic, one point of a window of ``M + 1``, for spectral analysis). They are built from
``linspace`` and pointwise ops, so ``requires_grad=True`` gives a result with a grad_fn, as in
PyTorch. Only float32 and float64 are accepted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .. import _dtype as D
from ..ops.creation import arange, empty, linspace, ones, tensor
from ..ops.pointwise import abs, cos, exp, minimum, pow, sin, sqrt  # noqa: A004
from ..special import i0

__all__ = [
    "bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
    "general_hamming", "hamming", "hann", "kaiser", "nuttall",
]


def _check(name: str, M: int, dtype, layout):
    dtype = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout not in (None, "strided"):
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (D.float32, D.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _trivial(M, dtype, device, requires_grad):
    """The windows of length 0 and 1 (empty, and a single 1)."""
    make = empty if M == 0 else ones
    return make((M,), dtype=dtype, device=device, requires_grad=requires_grad)


def _ramp(start, step, M, dtype, device, requires_grad):
    """``start, start + step, ... `` (M points) as a linspace."""
    return linspace(start, start + (M - 1) * step, M, dtype=dtype, device=device,
                    requires_grad=requires_grad)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype=None, layout="strided", device=None, requires_grad: bool = False):
    """``exp(-|n - center| / tau)``; ``center`` defaults to the middle of the window."""
    dtype = _check("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    if center is None:
        center = (M - 1 if sym or M == 1 else M) / 2.0
    k = _ramp(-center / tau, 1 / tau, M, dtype, device, requires_grad)
    return exp(-abs(k))


def cosine(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
           requires_grad: bool = False):
    """The sine window ``sin(pi (n + 1/2) / M)``."""
    dtype = _check("cosine", M, dtype, layout)
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    step = math.pi / (M if sym or M == 1 else M + 1)
    return sin(_ramp(0.5 * step, step, M, dtype, device, requires_grad))


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None, layout="strided",
             device=None, requires_grad: bool = False):
    """``exp(-(n - center)^2 / (2 std^2))``."""
    dtype = _check("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    scale = 1 / (std * math.sqrt(2))
    start = -(M - 1 if sym or M == 1 else M) / 2.0
    k = _ramp(start * scale, scale, M, dtype, device, requires_grad)
    return exp(-(k ** 2))


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None, layout="strided",
           device=None, requires_grad: bool = False):
    """``I0(sqrt(beta^2 - k^2)) / I0(beta)`` for k from -beta to beta."""
    dtype = _check("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if M <= 1:
        return _trivial(M, dtype, device, requires_grad)
    b = tensor(beta, dtype=dtype, device=device)
    step = 2.0 * b / (M - 1 if sym else M)
    end = minimum(b, -b + (M - 1) * step)  # no rounding past beta: sqrt must stay real
    k = linspace(-b, end, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return i0(sqrt(b * b - pow(k, 2))) / i0(b)


def general_cosine(M, *, a: Iterable, sym: bool = True, dtype=None, layout="strided",
                   device=None, requires_grad: bool = False):
    """``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))``: Hann, Hamming, Blackman, Nuttall ..."""
    dtype = _check("general_cosine", M, dtype, layout)
    if M <= 1:
        return _trivial(M, dtype, device, requires_grad)
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    step = 2 * math.pi / (M - 1 if sym else M)
    k = _ramp(0, step, M, dtype, device, requires_grad)
    coeffs = tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype, device=device,
                    requires_grad=requires_grad)
    i = arange(coeffs.shape[0], dtype=dtype, device=device, requires_grad=requires_grad)
    return (coeffs.unsqueeze(-1) * cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha: float = 0.54, sym: bool = True, dtype=None,
                    layout="strided", device=None, requires_grad: bool = False):
    """``alpha - (1 - alpha) cos(2 pi n / (M - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
            requires_grad: bool = False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
         requires_grad: bool = False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
             requires_grad: bool = False):
    dtype = _check("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
            requires_grad: bool = False):
    """The 4-term Nuttall window (minimum side lobes)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout="strided", device=None,
             requires_grad: bool = False):
    """The triangle ``1 - |k|`` for k from -1 to 1."""
    dtype = _check("bartlett", M, dtype, layout)
    if M <= 1:
        return _trivial(M, dtype, device, requires_grad)
    k = _ramp(-1, 2 / (M - 1 if sym else M), M, dtype, device, requires_grad)
    return 1 - abs(k)
