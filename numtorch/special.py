"""numtorch.special: PyTorch's ``torch.special``.

Most are the element-wise ops of numtorch/ops/pointwise.py under their SciPy-style names
(``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma``, ``psi`` is ``digamma``). The
others are written here from those ops, so their gradients come from the same code:
``entr``, ``xlog1py``, ``multigammaln``, ``ndtr``, ``ndtri``. The second half of the
file computes what NumPy lacks (the Bessel functions, ``erfcx``, ``log_ndtr``, the
incomplete gamma functions, the orthogonal polynomials, ``zeta``, ``airy_ai``) in
float64 from series, recurrences, continued fractions and asymptotic expansions, then
casts back to the input's dtype; these run on the host (NumPy). A name that
``torch.special`` lacks fails with an AttributeError naming it.
"""

from __future__ import annotations

import math

import numpy as np

from .autograd.function import ArrayFunction
from .backend import cpu as _cpu
from .ops._util import xp_of
from .ops.pointwise import (  # noqa: F401 - re-exported under torch.special's names
    _BERNOULLI,
    _ERF_CONSTS,
    _F64,
    Xlogy,
    _apply,
    _erfc_kernel,
    _erfcx_tail,
    _float,
    _lgamma64,
    _operands,
    _quiet,
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    lgamma,
    log1p,
    logit,
    polygamma,
    round,
    sigmoid,
    sinc,
    where,
    xlogy,
)
from .ops.reduce import log_softmax, logsumexp, softmax  # noqa: F401

__all__ = ["entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "digamma",
           "psi", "polygamma", "multigammaln", "log1p", "logit", "logsumexp", "softmax",
           "log_softmax", "ndtr", "ndtri", "round", "sinc", "xlogy", "xlog1py",
           "i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "gammainc", "gammaincc",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p", "zeta", "airy_ai"]

expit = sigmoid
gammaln = lgamma
psi = digamma


class Entr(ArrayFunction):
    """``-x log x``: 0 at 0, -inf below 0 (the entropy of one probability)."""

    node_name = "SpecialEntrBackward0"

    @staticmethod
    def forward(ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        xp = xp_of(x)
        with _quiet():
            out = -x * xp.log(x)
        out = xp.where(x == 0, 0, out)
        return xp.where(x < 0, -math.inf, out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(x.log() + 1)


def entr(input, *, out=None):  # noqa: A002 - PyTorch's parameter name
    """Elementwise entropy ``-input * log(input)`` (0 at 0, -inf for negatives)."""
    return _apply(Entr, out, "special_entr", input)


class Xlog1py(Xlogy):
    """``x * log1p(y)``, 0 where ``x == 0`` (unless ``y`` is nan): Xlogy with log1p."""

    node_name = "SpecialXlog1pyBackward0"
    log = "log1p"
    edge = -1.0


def xlog1py(input, other, *, out=None):  # noqa: A002
    """``input * log1p(other)``, with 0 where ``input`` is 0; either may be a number."""
    input, other = _operands("special_xlog1py", input, other, wrap_ints=False)
    return _apply(Xlog1py, out, "special_xlog1py", input, other)


Xlog1py.op = staticmethod(xlog1py)


def multigammaln(input, p, *, out=None):  # noqa: A002
    """The log of the multivariate gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{i<p} lgamma(input - i / 2)``."""
    return mvlgamma(input, p, out=out)


def ndtr(input, *, out=None):  # noqa: A002
    """The standard normal CDF, ``(1 + erf(input / sqrt(2))) / 2`` (through erfc for the
    lower tail, as PyTorch computes it)."""
    x = input if input.dtype.is_floating_point else input.to(_default_float())
    result = erfc(x * -math.sqrt(0.5)) * 0.5
    return result if out is None else out.copy_(result)


def ndtri(input, *, out=None):  # noqa: A002
    """The inverse of ``ndtr``: ``sqrt(2) erfinv(2 p - 1)``."""
    p = input if input.dtype.is_floating_point else input.to(_default_float())
    result = erfinv(p * 2 - 1) * math.sqrt(2.0)
    return result if out is None else out.copy_(result)


def _default_float():
    from ._dtype import get_default_dtype

    return get_default_dtype()


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(f"module 'numtorch.special' has no attribute '{name}'")
    raise AttributeError(f"module 'numtorch.special' has no attribute '{name}': "
                         f"torch.special.{name} is not implemented in numtorch")


# --- Bessel functions, erfcx, log_ndtr, the incomplete gamma, mvlgamma -------------------
#
# NumPy has none of these, so each is computed here in float64 (then cast back) from a
# series where it converges without cancellation, and from the large-argument asymptotic
# expansion (whose error is below e^(-2x)) elsewhere:
#   I_nu(x) = sum_k (x/2)^(2k+nu) / (k! (k+nu)!)                              x <= 30
#   I_nu(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k / x^k                        x > 30
#   K_nu(x) ~ e^-x sqrt(pi / (2x)) sum_k a_k / x^k                            x > 30
#   a_k = prod_{j<=k} (4 nu^2 - (2j-1)^2) / (k! 8^k)
# K_nu for 2 < x <= 30 is the trapezoid rule on e^x K_nu(x) = int_0^inf e^(-x (cosh t - 1))
# cosh(nu t) dt, which converges geometrically (the integrand is analytic in a strip);
# J_n for 1 <= x <= 20 is Miller's backward recurrence, which also gives Y_0 through
# Neumann's series Y_0 = 2/pi ((log(x/2) + gamma) J_0 - 2 sum_k (-1)^k J_2k / k).

_EULER = 0.5772156649015329


def _asymptotic_terms(nu: int, y, n: int = 40):
    """``[a_k / y^k for k < n]`` of the large-argument Bessel expansions."""
    mu = 4.0 * nu * nu
    terms = [np.ones_like(y)]
    for k in range(1, n):
        terms.append(terms[-1] * (mu - (2 * k - 1) ** 2) / (k * 8.0 * y))
    return terms


def _i_scaled(x, nu: int):
    """``exp(-|x|) I_nu(|x|)`` for nu in (0, 1), float64."""
    ax = np.abs(x)
    out = np.empty_like(ax)
    small = ax <= 30
    y = ax[small]
    q = y * y / 4
    term = (y / 2) ** nu
    s = term.copy()
    for k in range(1, 120):
        term = term * q / (k * (k + nu))
        s += term
    out[small] = s * np.exp(-y)
    y = ax[~small]
    with _cpu.quiet():
        terms = _asymptotic_terms(nu, y)
        out[~small] = sum(t * (-1) ** k for k, t in enumerate(terms)) / np.sqrt(2 * np.pi * y)
    out[np.isnan(ax)] = np.nan
    return out


def _i(x, nu: int):
    """``I_nu(x)`` (odd for nu = 1), float64."""
    with _cpu.quiet():
        out = _i_scaled(x, nu) * np.exp(np.abs(x))
    out = np.where(np.isinf(x), np.nan, out)  # PyTorch's exp(x) * c / sqrt(x): inf / inf
    return np.copysign(out, x) if nu else out


def _k_scaled(x, nu: int):
    """``exp(x) K_nu(x)`` for nu in (0, 1), float64: inf at 0, nan below."""
    out = np.full_like(x, np.nan)
    out[x == 0] = np.inf
    out[x == np.inf] = 0
    small = (x > 0) & (x <= 2)
    y = x[small]
    if y.size:
        q = y * y / 4
        log_half = np.log(y / 2)
        if nu == 0:  # -(log(x/2) + gamma) I0 + sum_k H_k q^k / k!^2
            term, harmonic, s = np.ones_like(y), 0.0, np.zeros_like(y)
            for k in range(1, 40):
                term = term * q / (k * k)
                harmonic += 1 / k
                s += harmonic * term
            k_val = -(log_half + _EULER) * _i(y, 0) + s
        else:  # 1/x + log(x/2) I1 - x/4 sum_k (psi(k+1) + psi(k+2)) q^k / (k! (k+1)!)
            term, h_k, s = np.ones_like(y), 0.0, np.zeros_like(y)
            for k in range(40):
                if k:
                    term = term * q / (k * (k + 1))
                    h_k += 1 / k
                s += (h_k + h_k + 1 / (k + 1) - 2 * _EULER) * term
            k_val = 1 / y + log_half * _i(y, 1) - y / 4 * s
        out[small] = k_val * np.exp(y)
    mid = (x > 2) & (x <= 30)
    y = x[mid]
    if y.size:
        t = np.arange(80) * 0.1
        f = np.exp(-y[:, None] * (np.cosh(t) - 1)) * np.cosh(nu * t)
        out[mid] = 0.1 * (f.sum(axis=1) - 0.5 * f[:, 0])
    big = (x > 30) & np.isfinite(x)
    y = x[big]
    if y.size:
        out[big] = sum(_asymptotic_terms(nu, y)) * np.sqrt(np.pi / (2 * y))
    return out


def _j_y(x):
    """``(J0, J1, Y0, Y1)`` of float64 ``x`` (J0 even, J1 odd; Y nan below 0, -inf at 0)."""
    ax = np.abs(x)
    j0, j1, y0, y1 = (np.full_like(ax, np.nan) for _ in range(4))
    small = ax < 1
    y = ax[small]
    if y.size:
        q = y * y / 4
        with np.errstate(divide="ignore"):
            log_half = np.log(y / 2)
        t0, t1 = np.ones_like(y), np.ones_like(y)
        s0, s1, sy0, sy1 = t0.copy(), t1.copy(), np.zeros_like(y), np.zeros_like(y)
        h_k = 0.0
        sy1 += (1 - 2 * _EULER) * t1  # k = 0 term of the psi sum
        for k in range(1, 30):
            t0 = t0 * -q / (k * k)
            t1 = t1 * -q / (k * (k + 1))
            h_k += 1 / k
            s0 += t0
            s1 += t1
            sy0 -= h_k * t0  # (-1)^(k+1) H_k q^k / k!^2
            sy1 += (2 * h_k + 1 / (k + 1) - 2 * _EULER) * t1
        j0[small], j1[small] = s0, y / 2 * s1
        with np.errstate(divide="ignore", invalid="ignore"):
            y0[small] = 2 / np.pi * ((log_half + _EULER) * s0 + sy0)
            y1[small] = -2 / (np.pi * y) + 2 / np.pi * log_half * (y / 2 * s1) \
                - y / (2 * np.pi) * sy1
    mid = (ax >= 1) & (ax <= 20)
    y = ax[mid]
    if y.size:
        m = 80
        js = np.zeros((m + 2,) + y.shape)
        js[m] = 1e-30
        for k in range(m, 0, -1):
            js[k - 1] = 2 * k / y * js[k] - js[k + 1]
            big = np.abs(js[k - 1]) > 1e250
            if big.any():
                js[:, big] *= 1e-250
        js /= js[0] + 2 * js[2::2].sum(axis=0)
        ks = np.arange(1, m // 2 + 1)[:, None]
        sign = (-1.0) ** ks
        lg = np.log(y / 2) + _EULER
        neumann = (sign * js[2:m + 2:2] / ks).sum(axis=0)
        dneumann = (sign * (js[1:m + 1:2] - js[3:m + 2:2]) / (2 * ks)).sum(axis=0)
        j0[mid], j1[mid] = js[0], js[1]
        y0[mid] = 2 / np.pi * (lg * js[0] - 2 * neumann)
        y1[mid] = -2 / np.pi * (js[0] / y - lg * js[1] - 2 * dneumann)
    big = ax > 20
    y = ax[big]
    if y.size:
        c, s = np.cos(y), np.sin(y)
        for nu, jout, yout in ((0, j0, y0), (1, j1, y1)):
            terms = _asymptotic_terms(nu, y, 30)
            p = sum(t * (-1) ** (k // 2) for k, t in enumerate(terms) if k % 2 == 0)
            qq = sum(t * (-1) ** (k // 2) for k, t in enumerate(terms) if k % 2 == 1)
            a = np.pi / 4 + nu * np.pi / 2  # chi = y - a
            cos_chi, sin_chi = c * np.cos(a) + s * np.sin(a), s * np.cos(a) - c * np.sin(a)
            amp = np.sqrt(2 / (np.pi * y))
            with _cpu.quiet():
                jout[big] = amp * (p * cos_chi - qq * sin_chi)
                yout[big] = amp * (p * sin_chi + qq * cos_chi)
    inf = np.isinf(ax)
    j0[inf] = j1[inf] = y0[inf] = y1[inf] = 0
    j1 = j1 * np.sign(x)
    neg = x < 0
    y0[neg] = y1[neg] = np.nan
    y0[x == 0] = y1[x == 0] = -np.inf
    return j0, j1, y0, y1


def _float64_input(input):
    """The float64 values of a tensor and the dtype to return (integers give the default)."""
    dt = input.dtype if input.dtype.is_floating_point else _default_float()
    return np.asarray(input._data, dtype=np.float64), dt


def _plain_result(fn, name: str, input, out):
    """A non-differentiable float function of one tensor, computed in float64."""
    from ._tensor import Tensor
    from .ops._util import check_out, write_out

    x, dt = _float64_input(input)
    result = Tensor._make(np.asarray(fn(x.reshape(-1)).reshape(x.shape), dtype=dt.np))
    if out is None:
        return result
    check_out(out, name, input)
    return write_out(out, result)


def bessel_j0(input, *, out=None):  # noqa: A002
    """The Bessel function of the first kind of order 0."""
    return _plain_result(lambda x: _j_y(x)[0], "special_bessel_j0", input, out)


def bessel_j1(input, *, out=None):  # noqa: A002
    """The Bessel function of the first kind of order 1."""
    return _plain_result(lambda x: _j_y(x)[1], "special_bessel_j1", input, out)


def bessel_y0(input, *, out=None):  # noqa: A002
    """The Bessel function of the second kind of order 0 (nan below 0, -inf at 0)."""
    return _plain_result(lambda x: _j_y(x)[2], "special_bessel_y0", input, out)


def bessel_y1(input, *, out=None):  # noqa: A002
    """The Bessel function of the second kind of order 1 (nan below 0, -inf at 0)."""
    return _plain_result(lambda x: _j_y(x)[3], "special_bessel_y1", input, out)


def modified_bessel_i0(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the first kind of order 0 (``i0``, without grad)."""
    return _plain_result(lambda x: _i(x, 0), "special_modified_bessel_i0", input, out)


def modified_bessel_i1(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the first kind of order 1 (``i1``, without grad)."""
    return _plain_result(lambda x: _i(x, 1), "special_modified_bessel_i1", input, out)


def _k(x, nu):
    with _cpu.quiet():
        return _k_scaled(x, nu) * np.exp(-x)


def modified_bessel_k0(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the second kind of order 0."""
    return _plain_result(lambda x: _k(x, 0), "special_modified_bessel_k0", input, out)


def modified_bessel_k1(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the second kind of order 1."""
    return _plain_result(lambda x: _k(x, 1), "special_modified_bessel_k1", input, out)


def scaled_modified_bessel_k0(input, *, out=None):  # noqa: A002
    """``exp(input) * modified_bessel_k0(input)``, without overflow."""
    return _plain_result(lambda x: _k_scaled(x, 0), "special_scaled_modified_bessel_k0",
                         input, out)


def scaled_modified_bessel_k1(input, *, out=None):  # noqa: A002
    """``exp(input) * modified_bessel_k1(input)``, without overflow."""
    return _plain_result(lambda x: _k_scaled(x, 1), "special_scaled_modified_bessel_k1",
                         input, out)


def _sinc_unnormalised(x):
    with _cpu.quiet():
        out = np.sin(x) / x
    small = np.abs(x) < 0.5
    z = x[small] ** 2
    term, s = np.ones_like(z), np.ones_like(z)
    for k in range(1, 12):
        term = term * -z / ((2 * k) * (2 * k + 1))
        s += term
    out[small] = s
    out[np.isinf(x)] = 0
    return out


def spherical_bessel_j0(input, *, out=None):  # noqa: A002
    """The spherical Bessel function of the first kind of order 0: ``sin(x) / x``."""
    return _plain_result(_sinc_unnormalised, "special_spherical_bessel_j0", input, out)


class _Scalar64(ArrayFunction):
    """A differentiable float function of one tensor, computed in float64 by ``kernel``
    and returned in the input's float dtype; subclasses give ``kernel`` and ``backward``."""

    @classmethod
    def forward(cls, ctx, x):
        x = _float(x)
        ctx.save_for_backward(x)
        flat = np.asarray(x, dtype=np.float64).reshape(-1)
        return np.asarray(cls.kernel(flat).reshape(x.shape), dtype=x.dtype)


class I0(_Scalar64):
    """``I_0``, the modified Bessel function of the first kind of order 0.  d/dx = I_1."""

    node_name = "I0Backward0"
    kernel = staticmethod(lambda x: _i(x, 0))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * I1.apply(x)


class I0e(_Scalar64):
    """``exp(-|x|) I_0(x)``.  d/dx = i1e(x) - sign(x) i0e(x)."""

    node_name = "SpecialI0EBackward0"
    kernel = staticmethod(lambda x: _i_scaled(x, 0))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (I1e.apply(x) - x.sign() * I0e.apply(x))


class I1(_Scalar64):
    """``I_1``.  d/dx = I_0(x) - I_1(x) / x (1/2 at 0)."""

    node_name = "SpecialI1Backward0"
    kernel = staticmethod(lambda x: _i(x, 1))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        zero = x == 0
        safe = where(zero, 1.0, x)
        return grad * where(zero, 0.5, I0.apply(x) - I1.apply(x) / safe)


class I1e(_Scalar64):
    """``exp(-|x|) I_1(x)``.  d/dx = i0e(x) - i1e(x) (sign(x) + 1/x) (1/2 at 0)."""

    node_name = "SpecialI1EBackward0"
    kernel = staticmethod(lambda x: np.copysign(_i_scaled(x, 1), x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        zero = x == 0
        safe = where(zero, 1.0, x)
        return grad * where(zero, 0.5, I0e.apply(x) - I1e.apply(x) * (x.sign() + 1 / safe))


def _erfcx64(x):
    """``exp(x^2) erfc(x)`` in float64: the erfc kernel for |x| < 1, its fitted tail
    (already scaled) up to 27, the asymptotic series beyond, and
    ``2 exp(x^2) - erfcx(-x)`` for x <= -1."""
    out = np.empty_like(x)
    consts = _ERF_CONSTS[_F64]
    ax = np.abs(x)
    small = ax < 1
    with _cpu.quiet():
        out[small] = np.exp(x[small] ** 2) * _erfc_kernel(np, x[small])
        z = ax[~small]
        tail = np.empty_like(z)
        mid = z <= consts[4]
        tail[mid] = _erfcx_tail(np, z[mid], consts)
        zz = z[~mid]
        term, s = np.ones_like(zz), np.ones_like(zz)
        for k in range(1, 12):
            term = term * -(2 * k - 1) / (2 * zz * zz)
            s += term
        tail[~mid] = np.where(np.isinf(zz), 0, s / (zz * math.sqrt(math.pi)))
        out[~small] = np.where(x[~small] > 0, tail, 2 * np.exp(z * z) - tail)
    return out


class Erfcx(_Scalar64):
    """``exp(x^2) erfc(x)``.  d/dx = 2 x erfcx(x) - 2 / sqrt(pi)."""

    node_name = "SpecialErfcxBackward0"
    kernel = staticmethod(_erfcx64)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * Erfcx.apply(x) * 2 - 2 / math.sqrt(math.pi))


def _log_ndtr64(x):
    """log of the normal CDF: ``log(erfcx(-x/sqrt 2) / 2) - x^2/2`` in the lower tail,
    ``log1p(-ndtr(-x))`` above -1."""
    out = np.empty_like(x)
    low = x < -1
    with _cpu.quiet():
        z = x[low]
        out[low] = np.log(_erfcx64(-z / math.sqrt(2)) / 2) - z * z / 2
        z = x[~low]
        out[~low] = np.log1p(-_erfc_kernel(np, z / math.sqrt(2)) / 2)
    return out


class LogNdtr(_Scalar64):
    """``log(ndtr(x))``.  d/dx = pdf / cdf = sqrt(2/pi) / erfcx(-x / sqrt 2)."""

    node_name = "SpecialLogNdtrBackward0"
    kernel = staticmethod(_log_ndtr64)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (math.sqrt(2 / math.pi) / Erfcx.apply(x * -math.sqrt(0.5)))


def _unary(cls, name: str, input, out):
    from .ops._util import check_out, write_out

    result = cls.apply(input)
    if out is None:
        return result
    check_out(out, name, input)
    return write_out(out, result)


def i0(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the first kind of order 0."""
    return _unary(I0, "i0", input, out)


def i0e(input, *, out=None):  # noqa: A002
    """The exponentially scaled ``i0``: ``exp(-|input|) i0(input)``."""
    return _unary(I0e, "special_i0e", input, out)


def i1(input, *, out=None):  # noqa: A002
    """The modified Bessel function of the first kind of order 1."""
    return _unary(I1, "special_i1", input, out)


def i1e(input, *, out=None):  # noqa: A002
    """The exponentially scaled ``i1``: ``exp(-|input|) i1(input)``."""
    return _unary(I1e, "special_i1e", input, out)


def erfcx(input, *, out=None):  # noqa: A002
    """The scaled complementary error function ``exp(input^2) erfc(input)``."""
    return _unary(Erfcx, "special_erfcx", input, out)


def log_ndtr(input, *, out=None):  # noqa: A002
    """The log of the standard normal CDF, accurate far into the lower tail."""
    return _unary(LogNdtr, "special_log_ndtr", input, out)


def _igamma64(a, x, upper: bool):
    """Regularised incomplete gamma P(a, x) (or Q = 1 - P with ``upper``), float64: the
    series ``x^a e^-x / Gamma(a+1) sum_k x^k / ((a+1)...(a+k))`` for x < a + 1, else
    Lentz's continued fraction for Q; each gives the other as 1 minus it."""
    a, x = np.broadcast_arrays(a, x)
    a, x = a.astype(np.float64).reshape(-1), x.astype(np.float64).reshape(-1)
    p = np.full_like(a, np.nan)
    q = np.full_like(a, np.nan)
    ok = (a >= 0) & (x >= 0)
    edge = ok & ((x == 0) | (a == 0) | np.isinf(x) | np.isinf(a))
    # PyTorch's conventions at the edges of the domain.
    p[edge & (a == 0) & (x > 0)], q[edge & (a == 0) & (x > 0)] = 1, 0
    p[edge & (x == 0) & (a > 0)], q[edge & (x == 0) & (a > 0)] = 0, 1
    p[edge & np.isinf(x) & np.isfinite(a)], q[edge & np.isinf(x) & np.isfinite(a)] = 1, 0
    p[edge & np.isinf(a) & np.isfinite(x)], q[edge & np.isinf(a) & np.isfinite(x)] = 0, 1
    inner = ok & ~edge
    series = inner & (x < a + 1)
    aa, xx = a[series], x[series]
    if aa.size:
        with _cpu.quiet():
            term = 1 / aa
            s = term.copy()
            for n in range(1, 2000):
                term = term * xx / (aa + n)
                s += term
                if np.all(np.abs(term) < np.abs(s) * 1e-17):
                    break
            val = s * np.exp(aa * np.log(xx) - xx - _lgamma64(np, aa))
        p[series], q[series] = val, 1 - val
    frac = inner & ~series
    aa, xx = a[frac], x[frac]
    if aa.size:
        tiny = 1e-300
        with _cpu.quiet():
            b = xx + 1 - aa
            c = np.full_like(b, 1 / tiny)
            d = 1 / b
            h = d.copy()
            for n in range(1, 2000):
                an = -n * (n - aa)
                b = b + 2
                d = an * d + b
                d = np.where(np.abs(d) < tiny, tiny, d)
                c = b + an / c
                c = np.where(np.abs(c) < tiny, tiny, c)
                d = 1 / d
                delta = d * c
                h = h * delta
                if np.all(np.abs(delta - 1) < 1e-16):
                    break
            val = np.exp(aa * np.log(xx) - xx - _lgamma64(np, aa)) * h
        q[frac], p[frac] = val, 1 - val
    return q if upper else p


class Igamma(ArrayFunction):
    """The regularised lower incomplete gamma function P(a, x).

    d/dx = x^(a-1) e^-x / Gamma(a); the derivative in ``a`` is not implemented (as in
    PyTorch, it raises when reached)."""

    node_name = "IgammaBackward0"
    upper = False

    @classmethod
    def forward(cls, ctx, a, x):
        ctx.save_for_backward(a, x)
        shape = np.broadcast_shapes(np.shape(a), np.shape(x))
        dt = np.result_type(a, x)
        return np.asarray(_igamma64(a, x, cls.upper).reshape(shape), dtype=dt)

    @classmethod
    def backward(cls, ctx, grad):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{cls.kernel}: input' is not "
                                      "implemented.")
        a, x = ctx.saved_tensors
        d = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, grad * (-d if cls.upper else d)


Igamma.kernel = "igamma"


class Igammac(Igamma):
    """The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""

    node_name = "IgammacBackward0"
    upper = True
    kernel = "igammac"


def _igamma_call(cls, name: str, input, other, out):
    from ._tensor import Tensor
    from .ops._util import cast_operands, check_out, write_out

    for pos, (arg, v) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")
    dt = np.result_type(*cast_operands(input._data, other._data))
    if dt.kind != "f" or dt == np.float16:
        from ._dtype import from_numpy_dtype

        raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                  f"'{from_numpy_dtype(dt)._legacy}'")
    if input.dtype.np != dt:
        input = input.to(other.dtype)  # noqa: A001
    if other.dtype.np != dt:
        other = other.to(input.dtype)
    result = cls.apply(input, other)
    if out is None:
        return result
    check_out(out, name, input, other)
    return write_out(out, result)


def gammainc(input, other, *, out=None):  # noqa: A002
    """The regularised lower incomplete gamma function ``P(input, other)``."""
    return _igamma_call(Igamma, "igamma", input, other, out)


def gammaincc(input, other, *, out=None):  # noqa: A002
    """The regularised upper incomplete gamma function ``Q(input, other) = 1 - P``."""
    return _igamma_call(Igammac, "igammac", input, other, out)


igamma = gammainc
igammac = gammaincc


class Mvlgamma(ArrayFunction):
    """``log Gamma_p(x) = p (p-1)/4 log(pi) + sum_{i<p} lgamma(x - i/2)``.
    d/dx = sum_{i<p} digamma(x - i/2)."""

    node_name = "MvlgammaBackward0"

    @staticmethod
    def forward(ctx, x, p):
        x = _float(x)
        ctx.p = p
        ctx.save_for_backward(x)
        x64 = np.asarray(x, dtype=np.float64).reshape(-1)
        total = sum(_lgamma64(np, x64 - i / 2) for i in range(p)) + p * (p - 1) / 4 * \
            math.log(math.pi)
        return np.asarray(total.reshape(x.shape), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        steps = x.new_tensor(np.arange(ctx.p) * -0.5)
        return grad * digamma(x.unsqueeze(-1) + steps).sum(-1), None


def mvlgamma(input, p, *, out=None):  # noqa: A002
    """The log of the multivariate gamma function of dimension ``p`` (``multigammaln``)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    from . import _dtype as D
    from .ops._util import check_out, write_out

    if getattr(input, "dtype", None) == D.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    result = Mvlgamma.apply(input, p)
    if out is None:
        return result
    check_out(out, "mvlgamma", input)
    return write_out(out, result)


# --- orthogonal polynomials (numtorch/_polynomials.py) ----------------------------------


def _polynomial(fn, name: str, x, n, out):
    """``fn(x, n)`` for a Tensor and a Tensor or number (PyTorch's three overloads), in
    their promoted float dtype, broadcast; not differentiable, as in PyTorch."""
    from . import _dtype as D
    from . import _polynomials
    from ._tensor import Tensor
    from .ops._util import check_out, write_out

    numbers = (int, float, bool)
    if not ((isinstance(x, Tensor) and isinstance(n, (Tensor, *numbers)))
            or (isinstance(x, numbers) and isinstance(n, Tensor))):
        got = ", ".join(type(a).__name__ for a in (x, n))
        raise TypeError(f"special_{name}() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n"
                        " * (Tensor x, Tensor n, *, Tensor out = None)\n"
                        " * (Number x, Tensor n, *, Tensor out = None)\n"
                        " * (Tensor x, Number n, *, Tensor out = None)\n")
    dt = D.result_type(x, n)
    if not dt.is_floating_point:
        dt = _default_float()
    if dt.np == np.float16:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt._legacy}'")
    xs = np.asarray(x._data if isinstance(x, Tensor) else x, dtype=dt.np)
    ns = _polynomials._degrees(n._data if isinstance(n, Tensor) else n)
    xs, ns = np.broadcast_arrays(xs, ns)
    with _quiet():  # overflow to inf and nan, silently, as in PyTorch
        value = getattr(_polynomials, fn)(xs.reshape(-1), ns.reshape(-1)).reshape(xs.shape)
    result = Tensor._make(np.asarray(value, dtype=dt.np))
    if out is None:
        return result
    check_out(out, f"special_{name}")
    return write_out(out, result)


def chebyshev_polynomial_t(input, n, *, out=None):  # noqa: A002
    """Chebyshev polynomial of the first kind ``T_n(input)``."""
    return _polynomial("chebyshev_t", "chebyshev_polynomial_t", input, n, out)


def chebyshev_polynomial_u(input, n, *, out=None):  # noqa: A002
    """Chebyshev polynomial of the second kind ``U_n(input)``."""
    return _polynomial("chebyshev_u", "chebyshev_polynomial_u", input, n, out)


def chebyshev_polynomial_v(input, n, *, out=None):  # noqa: A002
    """Chebyshev polynomial of the third kind ``V_n(input)``."""
    return _polynomial("chebyshev_v", "chebyshev_polynomial_v", input, n, out)


def chebyshev_polynomial_w(input, n, *, out=None):  # noqa: A002
    """Chebyshev polynomial of the fourth kind ``W_n(input)``."""
    return _polynomial("chebyshev_w", "chebyshev_polynomial_w", input, n, out)


def shifted_chebyshev_polynomial_t(input, n, *, out=None):  # noqa: A002
    """``T_n(2 input - 1)``, the first kind shifted to [0, 1]."""
    return _polynomial("shifted_chebyshev_t", "shifted_chebyshev_polynomial_t", input, n, out)


def shifted_chebyshev_polynomial_u(input, n, *, out=None):  # noqa: A002
    """``U_n(2 input - 1)``, the second kind shifted to [0, 1]."""
    return _polynomial("shifted_chebyshev_u", "shifted_chebyshev_polynomial_u", input, n, out)


def shifted_chebyshev_polynomial_v(input, n, *, out=None):  # noqa: A002
    """``V_n(2 input - 1)``, the third kind shifted to [0, 1]."""
    return _polynomial("shifted_chebyshev_v", "shifted_chebyshev_polynomial_v", input, n, out)


def shifted_chebyshev_polynomial_w(input, n, *, out=None):  # noqa: A002
    """``W_n(2 input - 1)``, the fourth kind shifted to [0, 1]."""
    return _polynomial("shifted_chebyshev_w", "shifted_chebyshev_polynomial_w", input, n, out)


def hermite_polynomial_h(input, n, *, out=None):  # noqa: A002
    """The physicists' Hermite polynomial ``H_n(input)``."""
    return _polynomial("hermite_h", "hermite_polynomial_h", input, n, out)


def hermite_polynomial_he(input, n, *, out=None):  # noqa: A002
    """The probabilists' Hermite polynomial ``He_n(input)``."""
    return _polynomial("hermite_he", "hermite_polynomial_he", input, n, out)


def laguerre_polynomial_l(input, n, *, out=None):  # noqa: A002
    """The Laguerre polynomial ``L_n(input)``."""
    return _polynomial("laguerre_l", "laguerre_polynomial_l", input, n, out)


def legendre_polynomial_p(input, n, *, out=None):  # noqa: A002
    """The Legendre polynomial ``P_n(input)``."""
    return _polynomial("legendre_p", "legendre_polynomial_p", input, n, out)


# --- the Hurwitz zeta function ------------------------------------------------------------
#
# zeta(x, q) = sum_{k >= 0} (q + k)^-x, as PyTorch computes it (Cephes' algorithm, in
# float64 for every input dtype): the terms one by one while k < 9 or q + k <= 9, stopping
# early once a term no longer changes the sum, then the Euler-Maclaurin tail at a = q + k,
#   a^(1-x) / (x-1) - a^-x / 2 + sum_j B_2j / (2j)! x (x+1) ... (x+2j-2) a^(-x-2j+1),
# term by term until one is below the float64 epsilon relative to the sum.

_ZETA_EPS = 1.11022302462515654042e-16
# (2j)! / B_2j for j = 1 .. 12: the tail's term j divides by it.
_ZETA_DIVISORS = tuple(math.factorial(2 * j) / b for j, b in enumerate(_BERNOULLI, start=1))


def _zeta64(x, q):
    """The Hurwitz zeta function of float64 arrays (broadcast), PyTorch's edge values:
    inf at x = 1 and at integers q <= 0, NaN for x < 1 and for q < 0 with a non-integer x."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    out = np.full(x.shape, np.nan)
    inf = (x == 1) | ((x > 1) & (q <= 0) & (q == np.floor(q)))
    out[inf] = np.inf
    run = ~inf & ~(x < 1) & ~((q <= 0) & (x != np.floor(x)))
    x, q = x[run], q[run]
    s = q ** -x
    a, b = q.copy(), np.zeros_like(q)
    summing = np.ones(x.shape, bool)  # still adding the terms one by one
    tail = np.ones(x.shape, bool)  # will need the Euler-Maclaurin tail
    i = 0
    while summing.any():
        i += 1
        a = np.where(summing, a + 1, a)
        term = a ** -x
        b = np.where(summing, term, b)
        s = np.where(summing, s + term, s)
        done = summing & (-_ZETA_EPS * s < b) & (b < _ZETA_EPS * s)
        tail &= ~done
        summing &= ~done & ((i < 9) | (a <= 9))
    w = a
    s = np.where(tail, s + b * w / (x - 1), s)
    s = np.where(tail, s - 0.5 * b, s)
    rising, k = np.ones_like(x), 0.0
    for divisor in _ZETA_DIVISORS:
        rising = rising * (x + k)
        b = b / w
        t = rising * b / divisor
        s = np.where(tail, s + t, s)
        tail &= ~(np.abs(t / s) < _ZETA_EPS)
        k += 1
        rising = rising * (x + k)
        b = b / w
        k += 1
    out[run] = s
    return out


class SpecialZeta(ArrayFunction):
    """``zeta(x, q)``; d/dq = -x zeta(x + 1, q). PyTorch has no derivative in x."""

    node_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx, x, q):
        dt = np.result_type(x, q)
        ctx.save_for_backward(x if isinstance(x, np.ndarray) else None,
                              q if isinstance(q, np.ndarray) else None)
        ctx.numbers = (None if isinstance(x, np.ndarray) else x,
                       None if isinstance(q, np.ndarray) else q)
        with _quiet():
            return np.asarray(_zeta64(x, q), dtype=dt)

    @staticmethod
    def backward(ctx, grad):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.saved_tensors
        x = ctx.numbers[0] if x is None else x
        q = ctx.numbers[1] if q is None else q
        return None, grad * -x * zeta(x + 1, q)


class SpecialZetaNumberX(SpecialZeta):
    node_name = "SpecialZetaBackward1"


class SpecialZetaNumberQ(SpecialZeta):
    node_name = "SpecialZetaBackward2"


def zeta(input, other, *, out=None):  # noqa: A002
    """The Hurwitz zeta function ``sum_{k >= 0} (other + k) ** -input`` (``other`` = 1: the
    Riemann zeta function); either argument may be a number."""
    from ._tensor import Tensor
    from .ops._util import cast_operands

    input, other = _operands("special_zeta", input, other, wrap_ints=False)
    a, b = cast_operands(input._data if isinstance(input, Tensor) else input,
                         other._data if isinstance(other, Tensor) else other)
    dt = np.result_type(a, b)
    if dt.kind != "f":  # integers compute in the default float dtype
        dt = _default_float().np
        input = input.to(_default_float()) if isinstance(input, Tensor) else input
        other = other.to(_default_float()) if isinstance(other, Tensor) else other
    elif dt == np.float16:
        raise NotImplementedError("\"zeta_cpu\" not implemented for 'Half'")
    elif isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype != other.dtype:
        wide = input.dtype if input.dtype.np == dt else other.dtype
        input, other = input.to(wide), other.to(wide)
    cls = (SpecialZeta if isinstance(input, Tensor) and isinstance(other, Tensor)
           else SpecialZetaNumberQ if isinstance(input, Tensor) else SpecialZetaNumberX)
    return _apply(cls, out, "special_zeta", input, other)


# --- the Airy function Ai ---------------------------------------------------------------
#
# In float64, by region (zeta = 2/3 |x|^(3/2)):
#   -8.7 <= x <= 2.09  the Maclaurin series Ai = c1 f(x) - c2 g(x) with
#                      f = sum 3^k (1/3)_k x^3k / (3k)!, g = sum 3^k (2/3)_k x^(3k+1) / (3k+1)!,
#                      summed in long double (the terms of f and g cancel for negative x);
#   2.09 < x           Ai = sqrt(x/3) / pi * K_{1/3}(zeta), the Bessel K of the Bessel section
#                      (zero past x = 103.892, where PyTorch's Cephes kernel stops);
#   x < -8.7           the oscillating asymptotic series (DLMF 9.7.9), zeta >= 17.
# inf and NaN give NaN, as in PyTorch.

_AIRY_C1 = 0.355028053887817239260063186004183176  # Ai(0) = 1 / (3^(2/3) Gamma(2/3))
_AIRY_C2 = 0.258819403792806798405183560189203963  # -Ai'(0) = 1 / (3^(1/3) Gamma(1/3))


def _airy_u(n: int) -> list:
    """u_0 .. u_(n-1) of the Airy asymptotic expansions (DLMF 9.7.2)."""
    u = [1.0]
    for k in range(1, n):
        u.append(u[-1] * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k))
    return u


_AIRY_U = _airy_u(40)


def _airy_ai64(x):
    x = np.asarray(x, np.float64)
    out = np.full(x.shape, np.nan)
    finite = np.isfinite(x)
    out[finite & (x > 103.892)] = 0.0
    series = finite & (x >= -8.7) & (x <= 2.09)
    if series.any():
        y = x[series].astype(np.longdouble)
        y3 = y * y * y
        f, g = np.ones_like(y), y.copy()
        tf, tg = np.ones_like(y), y.copy()
        for k in range(1, 120):
            tf = tf * y3 / ((3 * k - 1) * (3 * k))
            tg = tg * y3 / ((3 * k) * (3 * k + 1))
            f += tf
            g += tg
        out[series] = (np.longdouble(_AIRY_C1) * f - np.longdouble(_AIRY_C2) * g).astype(
            np.float64)
    right = finite & (x > 2.09) & (x <= 103.892)
    if right.any():
        y = x[right]
        z = 2.0 / 3.0 * y ** 1.5
        out[right] = np.sqrt(y / 3) / np.pi * np.exp(-z) * _k_scaled(z, 1 / 3)
    left = finite & (x < -8.7)
    if left.any():
        y = -x[left]
        z = 2.0 / 3.0 * y ** 1.5
        p, q = np.zeros_like(z), np.zeros_like(z)
        for k in range(len(_AIRY_U) // 2):
            sign = -1.0 if k % 2 else 1.0
            p += sign * _AIRY_U[2 * k] * z ** (-2 * k)
            q += sign * _AIRY_U[2 * k + 1] * z ** (-2 * k - 1)
        out[left] = (np.cos(z - np.pi / 4) * p + np.sin(z - np.pi / 4) * q) / (
            np.sqrt(np.pi) * y ** 0.25)
    return out


def airy_ai(input, *, out=None):  # noqa: A002
    """The Airy function ``Ai(input)``, a solution of y'' = x y (not differentiable, as in
    PyTorch)."""
    from . import _dtype as D

    if input.dtype is D.float16:
        raise NotImplementedError("\"airy_ai_cpu\" not implemented for 'Half'")
    return _plain_result(_airy_ai64, "special_airy_ai", input, out)
