"""``MultivariateNormal``: the Gaussian on R^n with a full covariance matrix."""

from __future__ import annotations

import math

from .._tensor import Size
from ..linalg import cholesky, solve_triangular
from ..ops.creation import eye
from ..ops.linalg import cholesky_inverse
from ..ops.shape import broadcast_shapes
from . import constraints
from .distribution import Distribution
from .utils import _standard_normal, lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mv(bmat, bvec):
    """Matrix-vector products over broadcast batch dimensions."""
    return bmat.matmul(bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(bL, bx):
    """The squared Mahalanobis distance ``x^T (L L^T)^{-1} x = |L^{-1} x|^2`` for lower
    triangular ``bL`` of shape ``(*L_batch, n, n)`` and ``bx`` of shape
    ``(*outer, *L_batch', n)``, where ``L_batch`` broadcasts to ``L_batch'``.

    The outer dimensions of ``x`` (sample dimensions, typically) are moved into the
    columns of the right-hand side, so each matrix is solved against all of its vectors
    at once instead of being repeated once per sample.
    """
    n = bx.size(-1)
    x_batch = tuple(bx.shape[:-1])
    m = bL.dim() - 2
    inner = x_batch[len(x_batch) - m:] if m else ()
    L = bL.expand(inner + (n, n)).reshape(-1, n, n)            # (b, n, n)
    x = bx.reshape(-1, L.size(0), n).permute(1, 2, 0)          # (b, n, c)
    squared = solve_triangular(L, x, upper=False).pow(2).sum(-2)  # (b, c)
    return squared.t().reshape(x_batch)


def _precision_to_scale_tril(P):
    """A lower-triangular L with ``L L^T = P^{-1}``, without inverting P.

    Factor P with its rows and columns reversed (flip) as ``Lf Lf^T``; flipping back
    gives ``P = U U^T`` with U upper triangular, so ``P^{-1} = U^{-T} U^{-1}`` and
    ``L = U^{-T}`` is lower triangular: one triangular solve against the identity.
    """
    Lf = cholesky(P.flip((-2, -1)))
    U_T = Lf.flip((-2, -1)).transpose(-2, -1)   # U^T, lower triangular
    Id = eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(U_T, Id, upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal distribution with mean ``loc`` and a covariance given by
    exactly one of ``covariance_matrix``, ``precision_matrix`` (its inverse) or
    ``scale_tril`` (its lower Cholesky factor, the cheapest to use).

    Args:
        loc (Tensor): the mean, shape ``batch_shape + (n,)``.
        covariance_matrix (Tensor): positive definite, shape ``batch_shape + (n, n)``.
        precision_matrix (Tensor): positive definite, shape ``batch_shape + (n, n)``.
        scale_tril (Tensor): lower triangular with a positive diagonal.
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(name, m) for name, m in (("covariance_matrix", covariance_matrix),
                                           ("precision_matrix", precision_matrix),
                                           ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = given[0]
        if matrix.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        batch_shape = broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        # Everything below works from the Cholesky factor, kept at the parameter's own
        # (unbroadcast) batch shape so each distinct matrix is factored once.
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        loc_shape = tuple(batch_shape) + tuple(self.event_shape)
        cov_shape = loc_shape + tuple(self.event_shape)
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        super(MultivariateNormal, new).__init__(batch_shape, self.event_shape,
                                                validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return L.matmul(L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        return cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._matrix_shape())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        # the diagonal of L L^T: the squared row norms of L
        return (self._unbroadcasted_scale_tril.pow(2).sum(-1)
                .expand(tuple(self._batch_shape) + tuple(self._event_shape)))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        # log sqrt(det(L L^T)) = sum(log(diag(L)))
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self):
        n = self._event_shape[0]
        H = 0.5 * n * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        if len(self._batch_shape) == 0:
            return H
        return H.expand(self._batch_shape)
