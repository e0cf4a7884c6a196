"""numtorch.special: PyTorch's ``torch.special``, for the functions numtorch has.

Most are the element-wise ops of numtorch/ops/pointwise.py under their SciPy-style names
(``expit`` is ``sigmoid``, ``gammaln`` is ``lgamma``, ``psi`` is ``digamma``). The
others are written here from those ops, so their gradients come from the same code:
``entr``, ``xlog1py``, ``multigammaln``, ``ndtr``, ``ndtri``. A function of
``torch.special`` that numtorch lacks (the Bessel and orthogonal-polynomial families,
``zeta``, ``gammainc``, ...) fails with an error naming it.
"""

from __future__ import annotations

import math

import numpy as np

from .autograd.function import ArrayFunction
from .ops._util import xp_of
from .ops.pointwise import (  # noqa: F401 - re-exported under torch.special's names
    Xlogy,
    _apply,
    _float,
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
           "log_softmax", "ndtr", "ndtri", "round", "sinc", "xlogy", "xlog1py"]

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
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.dtype.is_floating_point:
        input = input.to(_default_float())  # noqa: A001
    steps = input.new_tensor(np.arange(p) * -0.5)
    result = lgamma(input.unsqueeze(-1) + steps).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return result if out is None else out.copy_(result)


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
