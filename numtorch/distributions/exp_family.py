"""``ExponentialFamily``: distributions whose density is
``p(x; theta) = exp(<t(x), theta> - F(theta) + k(x))``.

Knowing the natural parameters ``theta`` and the log normaliser ``F`` is enough for the
entropy and for the KL divergence between two members of one family (a Bregman
divergence of ``F``), both computed here with autograd.
"""

from __future__ import annotations

from ..autograd import grad as _grad
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class for exponential-family distributions. Subclasses give
    ``_natural_params`` (the tuple theta), ``_log_normalizer(*theta)`` (F) and
    ``_mean_carrier_measure`` (E[k(x)])."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        """``F(theta) - <theta, grad F(theta)> - E[k(x)]``, the gradient by autograd."""
        theta = [p.detach().requires_grad_() for p in self._natural_params]
        log_norm = self._log_normalizer(*theta)
        grads = _grad(log_norm.sum(), theta, create_graph=True)
        result = log_norm - self._mean_carrier_measure
        for t, g in zip(theta, grads):
            result = result - (t * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
