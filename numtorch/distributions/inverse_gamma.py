"""``InverseGamma``: ``1 / X`` for a Gamma variable ``X``."""

from __future__ import annotations

import math

from ..ops.pointwise import where
from . import constraints
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """The distribution of ``1 / X`` for ``X ~ Gamma(concentration, rate)``: the prior of
    a normal's variance, for example. Sampled as a Gamma draw (PyTorch's numbers) raised to
    the power -1: PyTorch's vectorised pow can differ from the exact reciprocal in the last
    bit, so samples equal PyTorch's to rounding.

    Args:
        concentration (float or Tensor): the shape (> 0).
        rate (float or Tensor): the Gamma's rate, the inverse gamma's scale (> 0).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None) -> None:
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = -base_dist.rate.new_ones(())
        super().__init__(base_dist, PowerTransform(minus_one), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(InverseGamma, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        """``rate / (concentration - 1)``; infinite for concentration <= 1."""
        return where(self.concentration > 1, self.rate / (self.concentration - 1), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        """``rate^2 / ((concentration - 1)^2 (concentration - 2))``; infinite for
        concentration <= 2."""
        c = self.concentration
        v = self.rate.square() / ((c - 1).square() * (c - 2))
        return where(c > 2, v, math.inf)

    def entropy(self):
        c = self.concentration
        return c + self.rate.log() + c.lgamma() - (1 + c) * c.digamma()
