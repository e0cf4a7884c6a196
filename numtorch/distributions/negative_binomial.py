"""``NegativeBinomial``: successes before ``total_count`` failures."""

from __future__ import annotations

from .._tensor import Size
from ..autograd import grad_mode
from ..nn.functional import logsigmoid
from ..ops.pointwise import lgamma
from ..ops.sampling import poisson
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import (
    _expand_count_and_probs,
    _init_count_and_probs,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    """The number of successes in independent Bernoulli trials (success probability
    ``probs``) before ``total_count`` failures; given by ``probs`` or ``logits``, not both.

    Sampled as PyTorch samples it, a Poisson count whose rate is a Gamma draw: both
    samplers are PyTorch's bit for bit, but the Gamma's rate ``exp(-logits)`` goes through
    NumPy's ``exp``, which can round differently from PyTorch's in the last bit; a count
    then differs only where that last bit moves a Poisson decision (very rarely).

    Args:
        total_count (float or Tensor): the number of failures to stop at (>= 0; a real
            value still gives a valid distribution).
        probs (Tensor): the success probability of each trial, in [0, 1).
        logits (Tensor): the log-odds of success.
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None) -> None:
        _init_count_and_probs(self, total_count, probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(NegativeBinomial, _instance)
        batch_shape = Size(batch_shape)
        _expand_count_and_probs(self, new, batch_shape)
        super(NegativeBinomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    @lazy_property
    def _gamma(self):
        # the Poisson rate's distribution
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(),
                     validate_args=False)

    def sample(self, sample_shape=Size()):
        with grad_mode.no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized_prob = (self.total_count * logsigmoid(-self.logits)
                                 + value * logsigmoid(self.logits))
        log_normalization = (-lgamma(self.total_count + value) + lgamma(1.0 + value)
                             + lgamma(self.total_count))
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
