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
from ..random import _c_float_function

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


# ----------------------------------------------------------------------------- dirichlet
# PyTorch's Beta gradient mixes precisions: the small-x series run in the tensor's own
# dtype ("scalar", float32 for a float32 tensor), the saddle-point and rational pieces in
# double. ``_Scalar`` carries the scalar dtype's arithmetic: Python floats (the C library
# through ``math``) for float64; for float32, NumPy float32 scalars (IEEE float32 + - * /)
# and the C library's logf / powf / tanf called through ctypes.

class _Scalar:
    def __init__(self, single: bool):
        self.single = single
        self.t = np.float32 if single else float
        if single:
            logf, powf, tanf = (_c_float_function(name, n)
                                for name, n in (("logf", 1), ("powf", 2), ("tanf", 1)))
            self.log = lambda v: np.float32(logf(v))
            self.pow = lambda a, b: np.float32(powf(a, b))
            self.tan = lambda v: np.float32(tanf(v))
        else:
            self.log, self.pow, self.tan = _log, _pow, math.tan
        self.pi = self.t(math.pi)


def _digamma_as(x, s: _Scalar):
    """``_digamma`` with its argument kept in the scalar dtype (float32 steps for x)."""
    if not s.single:
        return _digamma(x)
    x, one = np.float32(x), np.float32(1)
    if x == 0:
        return np.float32(math.inf)
    extra = 0.0
    if x < 0:
        if x == np.floor(x):
            return np.float32(math.inf)
        extra = float(-s.pi / s.tan(s.pi * x))
        x = one - x
    result = 0.0
    while x < 10:
        result -= float(one / x)
        x = x + one
    if x == 10:
        return np.float32(result + _PSI_10 + extra)
    y = 0.0
    if x < _F1E17:
        z = 1.0 / float(x * x)
        poly = 0.0
        for coef in _PSI_ASYMPTOTIC:
            poly = poly * z + coef
        y = z * poly
    return np.float32(result + float(s.log(x)) - float(np.float32(0.5) / x) - y + extra)


def _beta_grad_alpha_small(x, alpha, beta, s: _Scalar):
    """Taylor series in x, for x near 0 (scalar dtype)."""
    factor = _digamma_as(alpha, s) - _digamma_as(alpha + beta, s) - s.log(x)
    numer = s.t(1)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        ci = s.t(i)
        numer *= (ci - beta) * x / ci
        denom = alpha + ci
        series += numer / denom * (factor + 1 / denom)
    result = x * s.pow(1 - x, -beta) * series
    return s.t(0) if result != result else result


def _beta_grad_beta_small(x, alpha, beta, s: _Scalar):
    """Taylor series in x of the gradient in beta (scalar dtype)."""
    factor = _digamma_as(alpha + beta, s) - _digamma_as(beta, s)
    numer, betas, dbetas, series = s.t(1), s.t(1), s.t(0), factor / alpha
    for i in range(1, 9):
        ci = s.t(i)
        numer *= -x / ci
        dbetas = dbetas * (beta - ci) + betas
        betas = betas * (beta - ci)
        series += numer / (alpha + ci) * (dbetas + factor * betas)
    result = -s.pow(1 - x, 1 - beta) * series
    return s.t(0) if result != result else result


def _beta_grad_alpha_mid(x: float, alpha: float, beta: float) -> float:
    """Rice's saddle-point expansion for large alpha and beta (double)."""
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x <= mean + 0.1 * std:
        # a polynomial near the expansion's singularity at x = mean
        poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                        8 * (1 - x) * (135 * beta - 11)))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = math.sqrt(2 * alpha / beta) * _pow(total, 1.5) * axbx * axbx
    term1 = _div(term1_num, term1_den)
    term2 = 0.5 * _log(alpha / (total * x))
    term3 = _div(math.sqrt(8 * alpha * beta / total), beta * x + alpha * (x - 1))
    term4_base = (beta * _log(beta / (total * (1 - x))) + alpha * _log(alpha / (total * x)))
    term4 = _pow(term4_base, -1.5)
    return stirling * prefactor * (term1 + term2 * (term3 + (term4 if x < mean else -term4)))


# The rational correction's coefficients: [numerator, denominator][i][j][k] multiplies
# u**i a**j b**k.
_DIRICHLET_RATIONAL = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def _dirichlet_grad_one(x, alpha, total, s: _Scalar) -> float:
    """d x / d alpha for x ~ Beta(alpha, total - alpha), over (1 - x) (see _dirichlet_grad)."""
    x64, alpha64, total64 = float(x), float(alpha), float(total)
    beta = total - alpha
    beta64 = total64 - alpha64
    boundary = total * x * (1 - x)
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta, s)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(1 - x, beta, alpha, s)
    if alpha > 6 and beta > 6:
        return _beta_grad_alpha_mid(x64, alpha64, beta64)
    # an analytic approximation times a fitted rational correction
    u = _log(x64)
    a = _log(alpha64) - u
    b = _log(total64) - a
    pow_u, pow_a = (1.0, u, u * u), (1.0, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _DIRICHLET_RATIONAL[0][i][j], _DIRICHLET_RATIONAL[1][i][j]
            p += ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q += ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    digammas = _digamma_as(total64, s) - _digamma_as(alpha64, s)
    approx = x64 * float(digammas) / beta64
    return p / q * approx


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """The reparameterised gradient of a Dirichlet draw (``torch._dirichlet_grad``).

    For each component, ``x ~ Beta(alpha, total - alpha)`` and the result is
    ``-(d/dalpha cdf(x)) / pdf(x) / (1 - x)``, by PyTorch's approximations; the
    Dirichlet's backward combines these, bit for bit PyTorch's.
    """
    dt = _check_float(x, "_dirichlet_grad_cpu")
    _same_dtype(x, alpha, total)
    s = _Scalar(dt == np.float32)
    shape = tuple(x.shape)
    cols = [np.broadcast_to(t._data, shape).ravel() for t in (x, alpha, total)]
    if s.single:
        cols = [list(c) for c in cols]              # NumPy float32 scalars
    else:
        cols = [c.tolist() for c in cols]
    with np.errstate(all="ignore"):
        out = np.array([float(_dirichlet_grad_one(*v, s)) for v in zip(*cols)])
    return Tensor._make(out.astype(dt).reshape(shape))
