"""Helpers shared by the distributions: parameter broadcasting, probs <-> logits, the
lazily computed parameters, and the standard normal draw the reparametrised samplers use."""

from __future__ import annotations

from functools import update_wrapper

from .. import _dtype as D
from .._tensor import Size, Tensor
from ..autograd import grad_mode
from ..ops.creation import empty, tensor
from ..ops.shape import broadcast_tensors

__all__ = [
    "broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
    "tril_matrix_to_vec", "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant

_Number = (int, float, bool)


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers become tensors of the first
    tensor's dtype (or the default dtype when there is none)."""
    if not all(isinstance(v, (Tensor, *_Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, numtorch.Tensor "
                         "or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        like = next((v for v in values if isinstance(v, Tensor)), None)
        dtype = like.dtype if like is not None else D.get_default_dtype()
        values = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    return broadcast_tensors(*values)


def _init_count_and_probs(dist, total_count, probs, logits) -> None:
    """Set ``dist.total_count`` and ``dist.probs`` or ``dist.logits`` (exactly one given),
    broadcast together, the count in the parameter's dtype; ``dist._param`` is the one
    given (the count distributions: Binomial, NegativeBinomial)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    name = "probs" if probs is not None else "logits"
    count, param = broadcast_all(total_count, probs if probs is not None else logits)
    dist.total_count = count.type_as(param)
    setattr(dist, name, param)
    dist._param = param


def _expand_count_and_probs(dist, new, batch_shape) -> None:
    """``expand``'s part for the count distributions: ``new`` gets ``dist``'s count and
    whichever of probs / logits ``dist`` has computed, expanded to ``batch_shape``."""
    new.total_count = dist.total_count.expand(batch_shape)
    for name in ("probs", "logits"):
        if name in dist.__dict__:
            setattr(new, name, getattr(dist, name).expand(batch_shape))
            new._param = getattr(new, name)


def _standard_normal(shape, dtype, device) -> Tensor:
    """N(0, 1) draws of ``shape``: ``empty(shape).normal_()``, the call PyTorch's
    distributions make, so the same seed gives the same numbers."""
    return empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value, dim: int):
    """Sum over the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary: bool = False):
    """Probabilities from logits: a sigmoid for the binary case, else a softmax over
    the last dimension."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(dim=-1)


def clamp_probs(probs):
    """``probs`` clamped to [eps, 1 - eps] so that their logs stay finite."""
    eps = D.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary: bool = False):
    """Logits from probabilities: log-odds for the binary case, else log-probabilities
    (probabilities clamped away from 0 and 1 first)."""
    p = clamp_probs(probs)
    if is_binary:
        return p.log() - (-p).log1p()
    return p.log()


class lazy_property:
    """A parameter computed on first use and then stored on the instance (so the other
    form of a probs/logits pair is only computed when asked for). It is computed with
    grad enabled, so it stays differentiable even when first read under ``no_grad``."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with grad_mode.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _tril_mask(n: int, diag: int):
    from ..ops.creation import arange

    idx = arange(n)
    return idx < idx.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag: int = 0):
    """The entries of the lower triangle (from diagonal ``diag`` down) of ``mat``'s last
    two dimensions, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag: int = 0):
    """The inverse of ``tril_matrix_to_vec``: a square matrix with zeros above the
    triangle."""
    # solve n(n+1)/2 + (diagonal offset terms) = len for n
    b = 1 + 2 * diag
    n = (-b + (b * b + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > D.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat


def _size(shape) -> Size:
    return shape if isinstance(shape, Size) else Size(shape)
