"""Reparameterised gradients of PyTorch's C++ samplers: ``_standard_gamma_grad`` and
``_dirichlet_grad``.

A Gamma(alpha) draw ``x`` depends on ``alpha`` through the sampler's acceptance loop,
which has no derivative; the gradient that ``Gamma.rsample`` backpropagates is instead
the implicit one, ``dx/dalpha = -(d/dalpha cdf(x; alpha)) / pdf(x; alpha)`` (the draw
moves so that its quantile stays put). PyTorch evaluates it with closed-form
approximations chosen by region (a Taylor series for small x, Rice's saddle-point
expansion for large alpha, a fitted rational function elsewhere), and the Beta
analogue, ``dirichlet_grad``, likewise. Those approximations *are* the numbers
PyTorch's gradients carry, so we evaluate the same formulas, one element at a time in
double precision with the C library's pow/exp/log (Python's ``math`` calls the same
functions), operation for operation in PyTorch's order: the results are PyTorch's bit
for bit.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor

__all__ = ["_standard_gamma_grad", "_dirichlet_grad"]


def _f32(x: float) -> float:
    return float(np.float32(x))


# C++ float literals (``0.8f``...): their float32 values take part in double arithmetic.
_F0_8, _F0_9, _F1_1, _F1E17 = _f32(0.8), _f32(0.9), _f32(1.1), _f32(1e17)


def _pow(a: float, b: float) -> float:
    """C's pow, where ``math.pow`` raises instead of returning inf / nan."""
    try:
        return math.pow(a, b)
    except ValueError:
        return math.inf if a == 0 else math.nan
    except OverflowError:
        return math.inf


def _div(a: float, b: float) -> float:
    """IEEE division (inf or nan on a zero divisor), where Python's raises."""
    if b:
        return a / b
    if a != a or a == 0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _log(a: float) -> float:
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


_PSI_10 = 2.25175258906672110764
_PSI_ASYMPTOTIC = (8.33333333333333333333e-2, -2.10927960927960927961e-2,
                   7.57575757575757575758e-3, -4.16666666666666666667e-3,
                   3.96825396825396825397e-3, -8.33333333333333333333e-3,
                   8.33333333333333333333e-2)


def _digamma(x: float) -> float:
    """The samplers' own digamma (Cephes' psi): recurrence up to 10, then the series.

    Not ``numtorch.digamma``'s kernel: the gradients use this one, and its last bits."""
    if x == 0:
        return math.inf
    extra = 0.0
    if x < 0:
        if x == math.floor(x):
            return math.inf
        extra = -math.pi / math.tan(math.pi * x)
        x = 1 - x
    result = 0.0
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + _PSI_10 + extra
    y = 0.0
    if x < _F1E17:
        z = 1.0 / (x * x)
        poly = 0.0
        for coef in _PSI_ASYMPTOTIC:
            poly = poly * z + coef
        y = z * poly
    return result + _log(x) - (0.5 / x) - y + extra


# ----------------------------------------------------------------------------- gamma

# The rational approximation's coefficients: coef[k][i] multiplies u**k in coefficient i
# of the numerator (i < 4) and denominator (i >= 4) polynomials in v = log(alpha).
_GAMMA_RATIONAL = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07),
)


def _gamma_grad_one(alpha: float, x: float) -> float:
    """d x / d alpha for a Gamma(alpha, 1) draw x (double precision)."""
    if x < _F0_8:
        # Taylor series of the lower incomplete gamma function and of its alpha-derivative
        numer, denom = 1.0, alpha
        series1, series2 = _div(numer, denom), _div(numer, denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += _div(numer, denom)
            series2 += _div(numer, denom * denom)
        pow_x_alpha = _pow(x, alpha)
        pdf = _pow(x, alpha - 1) * _exp(-x)
        cdf = pow_x_alpha * series1
        cdf_alpha = (_log(x) - _digamma(alpha)) * cdf - pow_x_alpha * series2
        result = _div(-cdf_alpha, pdf)
        return 0.0 if result != result else result
    if alpha > 8:
        # Rice's saddle-point expansion; a polynomial near its singularity x = alpha
        if _F0_9 * alpha <= x <= _F1_1 * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x)
                       - 65 * x * x / alpha + alpha * (107 + 3600 * x))
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return numer_1 * numer_2 / denom
        denom = math.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = _pow(x - alpha - alpha * _log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = (_log(x / alpha) * term23
                 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x)))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        return -stirling * (x * term1) / denom
    u, v = _log(_div(x, alpha)), _log(alpha)
    c = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_GAMMA_RATIONAL)]
    p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
    q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
    return _exp(p / q)


def _check_float(t: Tensor, kernel: str) -> np.dtype:
    dt = t._data.dtype
    if dt not in (np.float32, np.float64):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{t.dtype._legacy}\'')
    return dt


def _same_dtype(ref: Tensor, *others: Tensor) -> None:
    for t in others:
        if t.dtype != ref.dtype:
            raise RuntimeError(f"Found dtype {t.dtype._legacy} but expected {ref.dtype._legacy}")


def _elementwise(kernel, dt: np.dtype, shape, *arrays) -> Tensor:
    """``kernel`` on each element of the broadcast ``arrays`` (float64 in), cast to ``dt``."""
    cols = [np.broadcast_to(a, shape).astype(np.float64).ravel().tolist() for a in arrays]
    out = np.array([kernel(*vals) for vals in zip(*cols)], dtype=np.float64)
    return Tensor._make(out.astype(dt).reshape(shape))


def _standard_gamma_grad(self: Tensor, output: Tensor) -> Tensor:
    """d output / d self for ``output = _standard_gamma(self)``, PyTorch's approximation."""
    dt = _check_float(self, "_standard_gamma_grad_cpu")
    _same_dtype(self, output)
    return _elementwise(_gamma_grad_one, dt, tuple(self.shape), self._data, output._data)


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """Placeholder replaced below (kept in one place with its kernel)."""
    raise NotImplementedError
