"""Checks shared by the tests of the distributions built from PyTorch's primitives: one
case is the constructor's keyword arguments (NumPy arrays or numbers) and a value to
evaluate at, and each check compares numtorch's distribution with torch's."""

from __future__ import annotations

import numtorch
from tests.distributions.helpers import (
    assert_same,
    both,
    same_draws,
    same_grads,
    same_repr,
)
from tests.utils import torch


def check_values(name, kwargs, value, methods=("log_prob",), moments=("mean", "mode",
                 "variance", "stddev"), entropy=True, rtol=1e-5, atol=1e-6):
    """log_prob/cdf/icdf (icdf at the probabilities ``value``), moments, entropy, repr,
    shapes, support and has_rsample all equal torch's."""
    nt, _, pt, _ = both(name, kwargs)
    for method in methods:
        assert_same(getattr(nt, method)(numtorch.tensor(value)),
                    getattr(pt, method)(torch.tensor(value)), rtol=rtol, atol=atol)
    for moment in moments:
        assert_same(getattr(nt, moment), getattr(pt, moment), rtol=rtol, atol=atol)
    if entropy:
        assert_same(nt.entropy(), pt.entropy(), rtol=rtol, atol=atol)
    same_repr(nt, pt)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    assert repr(nt.support) == repr(pt.support).replace("torch", "numtorch")
    assert nt.has_rsample == pt.has_rsample
    assert repr(nt.arg_constraints) == repr(pt.arg_constraints)


def check_draws(name, kwargs, seed, sample_shape, exact=True, rsample=True):
    """sample (and rsample) after the same seed equal torch's; then the same for the
    distribution expanded to a wider batch."""
    nt, _, pt, _ = both(name, kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed, exact)
    if rsample:
        same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed,
                   exact)
    batch = (2,) + tuple(pt.batch_shape)
    ne, pe = nt.expand(batch), pt.expand(batch)
    assert ne.batch_shape == pe.batch_shape and type(ne) is type(nt)
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed, exact)


def check_grads(name, kwargs, value, methods=("log_prob", "rsample", "entropy"), seed=3,
                rtol=1e-4, atol=1e-5):
    """Gradients of each method's output with respect to the parameters equal torch's."""
    for method in methods:
        nt, ntp, pt, ptp = both(name, kwargs, requires_grad=True)
        if method == "rsample":
            numtorch.manual_seed(seed)
            torch.manual_seed(seed)
            a, b = nt.rsample((3,)), pt.rsample((3,))
        elif method in ("entropy", "mean", "variance", "mode"):
            a = getattr(nt, method)
            b = getattr(pt, method)
            if method == "entropy":
                a, b = a(), b()
        else:
            a = getattr(nt, method)(numtorch.tensor(value))
            b = getattr(pt, method)(torch.tensor(value))
        same_grads(a, ntp, b, ptp, rtol=rtol, atol=atol)
