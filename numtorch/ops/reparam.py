"""Reparameterised gradients of PyTorch's C++ samplers: ``_standard_gamma_grad`` and
``_dirichlet_grad``.

A Gamma(alpha) draw ``x`` depends on ``alpha`` through the sampler's acceptance loop,
which has no derivative; the gradient that ``Gamma.rsample`` backpropagates is instead
the implicit one, ``dx/dalpha = -(d/dalpha cdf(x; alpha)) / pdf(x; alpha)`` (the draw
moves so that its quantile stays put). PyTorch evaluates it with closed-form
approximations chosen by region (a Taylor series for small x, Rice's saddle-point
expansion for large alpha, a fitted rational function elsewhere), and the Beta
analogue, ``dirichlet_grad``, likewise. Those approximations *are* the numbers
PyTorch's gradients carry, so we evaluate the same formulas operation for operation in
PyTorch's order and precision: each region on all its elements at once with NumPy's
IEEE arithmetic, and the transcendental functions element by element from the C
library PyTorch calls (``math`` for double; logf/powf/tanf through ctypes for float),
since NumPy's own log/pow/exp can differ in the last bit. The results are PyTorch's bit
for bit.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ..random import _c_float_function, _call_each
from .pointwise import _horner, _NotImplementedGrad, _raise_broadcast

__all__ = ["_standard_gamma_grad", "_dirichlet_grad"]

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
# C++ float literals (``0.8f``...): their float32 values take part in double arithmetic.
_F0_8, _F0_9, _F1_1, _F1E17 = (float(np.float32(v)) for v in (0.8, 0.9, 1.1, 1e17))


def _pow(a: float, b: float) -> float:
    """C's pow, where ``math.pow`` raises instead of returning inf / nan."""
    try:
        return math.pow(a, b)
    except ValueError:
        return math.inf if a == 0 else math.nan
    except OverflowError:
        return math.inf


def _log(a: float) -> float:
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


class _Libm:
    """The C library's log / pow / tan / exp in one precision, applied element by element
    to arrays (results in that precision): double through ``math``, float through ctypes
    (logf, powf, tanf: the float overloads C++ picks for float arguments)."""

    def __init__(self, dt: np.dtype):
        self.dt = dt
        if dt == _F32:
            self._log, self._tan = _c_float_function("logf"), _c_float_function("tanf")
            self._pow = _c_float_function("powf", 2)
        else:
            self._log, self._tan, self._pow = _log, math.tan, _pow

    def _each(self, fn, *arrays) -> np.ndarray:
        values = map(fn, *(np.asarray(a).tolist() for a in arrays))
        return np.fromiter(values, np.float64, count=np.size(arrays[0])).astype(self.dt)

    def log(self, x):
        return self._each(self._log, x)

    def tan(self, x):
        return self._each(self._tan, x)

    def pow(self, x, y):
        return self._each(self._pow, x, np.broadcast_to(y, np.shape(x)))

    def exp(self, x):                  # only the double kernels call exp
        return _call_each(math.exp, np.asarray(x, np.float64))


_LIBM64 = _Libm(_F64)

_PSI_10 = 2.25175258906672110764
# Cephes' A[], lowest power first (Cephes lists the highest first)
_PSI_ASYMPTOTIC = (8.33333333333333333333e-2, -8.33333333333333333333e-3,
                   3.96825396825396825397e-3, -4.16666666666666666667e-3,
                   7.57575757575757575758e-3, -2.10927960927960927961e-2,
                   8.33333333333333333333e-2)


def _digamma(x: np.ndarray, libm: _Libm) -> np.ndarray:
    """The samplers' own digamma (Cephes' psi), not ``numtorch.digamma``'s kernel: shifted
    up to 10 by ``psi(x) = psi(x + 1) - 1/x``, then the asymptotic series. ``x`` keeps its
    dtype (float32 steps for a float32 x, as PyTorch's ``digamma_one<float, double>``);
    the sums run in double and the result is rounded back to x's dtype."""
    poles = (x == 0) | ((x < 0) & (x == np.floor(x)))
    x = x.copy()
    dt = x.dtype
    one = dt.type(1)
    extra = np.zeros(x.shape)
    negative = x < 0
    if negative.any():
        xn = x[negative]
        pi = dt.type(math.pi)
        extra[negative] = -pi / libm.tan(pi * xn)
        x[negative] = one - xn
    result = np.zeros(x.shape)
    below = np.flatnonzero(x < 10)
    while below.size:
        result[below] -= one / x[below]
        x[below] += one
        below = below[x[below] < 10]
    y = np.zeros(x.shape)
    series = x < _F1E17
    z = 1.0 / (x[series] * x[series]).astype(np.float64)
    y[series] = z * _horner(_PSI_ASYMPTOTIC, z)
    out = (result + libm.log(x) - (dt.type(0.5) / x) - y + extra).astype(dt)
    at_ten = x == 10
    out[at_ten] = (result[at_ten] + _PSI_10 + extra[at_ten]).astype(dt)
    out[poles] = math.inf
    return out


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


def _gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d x / d alpha for Gamma(alpha, 1) draws x (float64 arrays), region by region."""
    out = np.empty(x.shape)
    small = x < _F0_8
    large = ~small & (alpha > 8)
    near = large & (_F0_9 * alpha <= x) & (x <= _F1_1 * alpha)
    far, rest = large & ~near, ~small & ~large
    libm = _LIBM64

    # Taylor series of the lower incomplete gamma function and of its alpha-derivative
    a, xs = alpha[small], x[small]
    numer, denom = np.ones_like(xs), a
    series1, series2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-xs / i)
        denom = denom + 1
        series1 = series1 + numer / denom
        series2 = series2 + numer / (denom * denom)
    pow_x_alpha = libm.pow(xs, a)
    pdf = libm.pow(xs, a - 1) * libm.exp(-xs)
    cdf = pow_x_alpha * series1
    cdf_alpha = (libm.log(xs) - _digamma(a, libm)) * cdf - pow_x_alpha * series2
    result = -cdf_alpha / pdf
    out[small] = np.where(np.isnan(result), 0.0, result)

    # Rice's saddle-point expansion for large alpha; a polynomial near x = alpha
    a, xs = alpha[near], x[near]
    numer_1 = 1 + 24 * a * (1 + 12 * a)
    numer_2 = (1440 * (a * a) + 6 * xs * (53 - 120 * xs) - 65 * xs * xs / a
               + a * (107 + 3600 * xs))
    out[near] = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
    a, xs = alpha[far], x[far]
    denom = np.sqrt(8 * a)
    term2 = denom / (a - xs)
    term3 = libm.pow(xs - a - a * libm.log(xs / a), -1.5)
    term23 = np.where(xs < a, term2 - term3, term2 + term3)
    term1 = libm.log(xs / a) * term23 - np.sqrt(2 / a) * (a + xs) / ((a - xs) * (a - xs))
    stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
    out[far] = -stirling * (xs * term1) / denom

    # the fitted rational function of u = log(x / alpha) and v = log(alpha)
    a, xs = alpha[rest], x[rest]
    u, v = libm.log(xs / a), libm.log(a)
    c = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_GAMMA_RATIONAL)]
    p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
    q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
    out[rest] = libm.exp(p / q)
    return out


def _check_float(t: Tensor, kernel: str) -> np.dtype:
    dt = t._data.dtype
    if dt not in (_F32, _F64):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{t.dtype._legacy}\'')
    return dt


def _same_dtype(ref: Tensor, *others: Tensor) -> None:
    for t in others:
        if t.dtype != ref.dtype:
            raise RuntimeError(f"Found dtype {t.dtype._legacy} but expected {ref.dtype._legacy}")


class StandardGammaGrad(ArrayFunction):
    """``_standard_gamma_grad`` as a graph node: PyTorch gives it no derivative."""

    node_name = "StandardGammaGradBackward0"

    @staticmethod
    def forward(ctx, alpha, x):
        shape = np.broadcast_shapes(alpha.shape, x.shape)
        alpha64, x64 = (np.broadcast_to(a, shape).astype(np.float64).ravel() for a in (alpha, x))
        with np.errstate(all="ignore"):
            return _gamma_grad(alpha64, x64).astype(alpha.dtype).reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


def _standard_gamma_grad(self: Tensor, output: Tensor) -> Tensor:
    """d output / d self for ``output = _standard_gamma(self)``, PyTorch's approximation
    (in double, whatever the dtype). The two broadcast together; only ``self`` is
    differentiable (its derivative raises), as in PyTorch."""
    _check_float(self, "_standard_gamma_grad_cpu")
    _same_dtype(self, output)
    try:
        return StandardGammaGrad.apply(self, output._data)
    except ValueError as err:
        _raise_broadcast(err, (self, output))
        raise


# ----------------------------------------------------------------------------- dirichlet
# PyTorch's Beta gradient mixes precisions: the small-x series run in the tensor's own
# dtype (float32 steps for a float32 tensor, the C library's logf / powf), the
# saddle-point and rational pieces in double.

def _beta_grad_alpha_small(x, alpha, beta, libm: _Libm):
    """The gradient in alpha by a Taylor series in x, for x near 0 (x's dtype)."""
    dt = x.dtype
    factor = _digamma(alpha, libm) - _digamma(alpha + beta, libm) - libm.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        ci = dt.type(i)
        numer = numer * ((ci - beta) * x / ci)
        denom = alpha + ci
        series = series + numer / denom * (factor + 1 / denom)
    result = x * libm.pow(1 - x, -beta) * series
    return np.where(np.isnan(result), dt.type(0), result)


def _beta_grad_beta_small(x, alpha, beta, libm: _Libm):
    """The gradient in beta by a Taylor series in x (x's dtype)."""
    dt = x.dtype
    factor = _digamma(alpha + beta, libm) - _digamma(beta, libm)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        ci = dt.type(i)
        numer = numer * (-x / ci)
        dbetas = dbetas * (beta - ci) + betas
        betas = betas * (beta - ci)
        series = series + numer / (alpha + ci) * (dbetas + factor * betas)
    result = -libm.pow(1 - x, 1 - beta) * series
    return np.where(np.isnan(result), dt.type(0), result)


def _beta_grad_alpha_mid(x, alpha, beta):
    """Rice's saddle-point expansion for large alpha and beta (double)."""
    libm = _LIBM64
    out = np.empty(x.shape)
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    near = (mean - 0.1 * std <= x) & (x <= mean + 0.1 * std)

    # a polynomial near the expansion's singularity at x = mean
    x_, a, b, t = x[near], alpha[near], beta[near], total[near]
    poly = 47 * x_ * (b * b) * (b * b) + a * (
        (43 + 20 * (16 + 27 * b) * x_) * (b * b) * b + a * (
            3 * (59 + 180 * b - 90 * x_) * (b * b) + a * (
                (453 + 1620 * b * (1 - x_) - 455 * x_) * b + a * (
                    8 * (1 - x_) * (135 * b - 11)))))
    prefactor_num = (1 + 12 * a) * (1 + 12 * b) / (t * t)
    prefactor_den = 12960 * a * a * a * b * b * (1 + 12 * t)
    out[near] = prefactor_num / (1 - x_) * poly / prefactor_den

    far = ~near
    x_, a, b, t, m = x[far], alpha[far], beta[far], total[far], mean[far]
    prefactor = -x_ / np.sqrt(2 * a * b / t)
    stirling = ((1 + 1 / (12 * a) + 1 / (288 * a * a)) * (1 + 1 / (12 * b) + 1 / (288 * b * b))
                / (1 + 1 / (12 * t) + 1 / (288 * t * t)))
    term1_num = 2 * (a * a) * (x_ - 1) + a * b * (x_ - 1) - x_ * (b * b)
    axbx = a * (x_ - 1) + b * x_
    term1_den = np.sqrt(2 * a / b) * libm.pow(t, 1.5) * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * libm.log(a / (t * x_))
    term3 = np.sqrt(8 * a * b / t) / (b * x_ + a * (x_ - 1))
    term4_base = b * libm.log(b / (t * (1 - x_))) + a * libm.log(a / (t * x_))
    term4 = libm.pow(term4_base, -1.5)
    out[far] = stirling * prefactor * (term1 + term2 * (term3 + np.where(x_ < m, term4, -term4)))
    return out


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


def _dirichlet_grad_arrays(x: np.ndarray, alpha: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``_dirichlet_grad`` on flat arrays of one dtype, region by region."""
    libm = _Libm(x.dtype)
    out = np.empty(x.shape)
    x64, alpha64, total64 = (v.astype(np.float64) for v in (x, alpha, total))
    beta, beta64 = total - alpha, total64 - alpha64
    boundary = total * x * (1 - x)
    near_0 = (x <= 0.5) & (boundary < 2.5)
    near_1 = ~near_0 & (x >= 0.5) & (boundary < 0.75)
    mid = ~near_0 & ~near_1 & (alpha > 6) & (beta > 6)
    rest = ~near_0 & ~near_1 & ~mid

    out[near_0] = _beta_grad_alpha_small(x[near_0], alpha[near_0], beta[near_0], libm)
    out[near_1] = -_beta_grad_beta_small(1 - x[near_1], beta[near_1], alpha[near_1], libm)
    out[mid] = _beta_grad_alpha_mid(x64[mid], alpha64[mid], beta64[mid])

    # an analytic approximation times a fitted rational correction
    u = _LIBM64.log(x64[rest])
    a = _LIBM64.log(alpha64[rest]) - u
    b = _LIBM64.log(total64[rest]) - a
    pow_u, pow_a = (1.0, u, u * u), (1.0, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _DIRICHLET_RATIONAL[0][i][j], _DIRICHLET_RATIONAL[1][i][j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    digammas = _digamma(total[rest], libm) - _digamma(alpha[rest], libm)
    approx = x64[rest] * digammas.astype(np.float64) / beta64[rest]
    out[rest] = p / q * approx
    return out.astype(x.dtype)


class DirichletGrad(_NotImplementedGrad):
    node_name = "NotImplemented"
    aten_name = "_dirichlet_grad"

    @staticmethod
    def forward(ctx, x, alpha, total):
        shape = np.broadcast_shapes(x.shape, alpha.shape, total.shape)
        arrays = (np.broadcast_to(a, shape).ravel() for a in (x, alpha, total))
        with np.errstate(all="ignore"):
            return _dirichlet_grad_arrays(*arrays).reshape(shape)


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """The reparameterised gradient of a Dirichlet draw (``torch._dirichlet_grad``).

    For each component, ``x ~ Beta(alpha, total - alpha)`` and the result is
    ``-(d/dalpha cdf(x)) / pdf(x) / (1 - x)``, by PyTorch's approximations; the
    Dirichlet's backward combines these, bit for bit PyTorch's.
    """
    _check_float(x, "_dirichlet_grad_cpu")
    _same_dtype(x, alpha, total)
    try:
        return DirichletGrad.apply(x, alpha, total)
    except ValueError as err:
        _raise_broadcast(err, (x, alpha, total))
        raise
