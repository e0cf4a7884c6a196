"""``LKJCholesky``: the LKJ distribution over Cholesky factors of correlation matrices."""

from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Size
from ..ops.creation import arange
from ..ops.pointwise import lgamma
from ..ops.sampling import randn
from ..ops.shape import cat, diag_embed
from ..special import mvlgamma
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """The LKJ distribution for lower Cholesky factors ``L`` of correlation matrices: the
    correlation matrix ``L @ L.T`` has density proportional to ``det(M)**(eta - 1)``
    (``eta``, the concentration, 1 being uniform).

    Sampled by the onion method (Lewandowski, Kurowicka and Joe, 2009, section 3), as
    PyTorch samples it: one Beta draw per row (PyTorch's sampler, bit for bit) scales a
    direction drawn uniformly on the sphere from normal numbers. The direction's norm and
    the diagonal's sum of squares are NumPy reductions, which may round differently from
    PyTorch's in the last bit.

    Args:
        dim (int): the size of the matrices (>= 2).
        concentration (float or Tensor): eta (> 0). Default: 1.

    Example::

        >>> l = LKJCholesky(3, 0.5)
        >>> l.sample()  # l @ l.T is a sample of a correlation 3x3 matrix
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args=None) -> None:
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.size()
        event_shape = Size((dim, dim))
        # Row i of L is sqrt(y_i) times a unit direction, y_i ~ Beta(i/2, eta + (dim-2-i)/2)
        # (row 0 is e_0: its Beta draw is multiplied by a zero direction).
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = arange(self.dim - 1, dtype=self.concentration.dtype)
        offset = cat([offset.new_zeros((1,)), offset])
        beta_conc1 = offset + 0.5
        beta_conc0 = marginal_conc.unsqueeze(-1) - 0.5 * offset
        self._beta = Beta(beta_conc1, beta_conc0)
        super().__init__(batch_shape, event_shape, validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        super(LKJCholesky, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        u_normal = randn(self._extended_shape(sample_shape), dtype=y.dtype).tril(-1)
        u_hypersphere = u_normal / u_normal.norm(dim=-1, keepdim=True)
        u_hypersphere[..., 0, :].fill_(0.0)        # row 0 was 0 / 0
        w = y.sqrt() * u_hypersphere
        eps = D.finfo(w.dtype).tiny
        diag_elems = (1 - (w**2).sum(dim=-1)).clamp(min=eps).sqrt()
        w += diag_embed(diag_elems)
        return w

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = arange(2, self.dim + 1)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = lgamma(alpha) * dm1
        numerator = mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        normalize_term = pi_constant + numerator - denominator
        return unnormalized_log_pdf - normalize_term
