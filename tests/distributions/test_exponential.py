"""Exponential against torch.distributions.Exponential."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import (
    SAMPLE_SHAPES,
    SEEDS,
    assert_same,
    both,
    check_moments,
    same_draws,
    same_error,
    same_grads,
    same_repr,
)
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(rate=np.array([0.5, 1.0, 3.0], F32)), np.array([0.0, 1.5, 0.2], F32)),
    (dict(rate=np.array([[1.0], [2.0]], F64)), np.array([[0.5, 2.0, 0.0]], F64)),
    (dict(rate=np.array(2.0, F32)), np.array([0.1, 4.0], F32)),
    (dict(rate=1.5), np.array(0.7, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_exponential_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Exponential", kwargs)
    assert nt.batch_shape == pt.batch_shape
    for name in ("log_prob", "cdf"):
        assert_same(getattr(nt, name)(numtorch.tensor(value)), getattr(pt, name)(torch.tensor(value)))
    u = (value % 1).astype(value.dtype)
    assert_same(nt.icdf(numtorch.tensor(u)), pt.icdf(torch.tensor(u)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_exponential_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Exponential", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "cdf"])
def test_exponential_gradients_match_torch(method):
    kwargs, value = CASES[0]
    nt, ntp, pt, ptp = both("Exponential", kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(1)
        torch.manual_seed(1)
        a, b = nt.rsample((3,)), pt.rsample((3,))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        a, b = getattr(nt, method)(numtorch.tensor(value)), getattr(pt, method)(torch.tensor(value))
    same_grads(a, ntp, b, ptp)


def test_exponential_family_entropy_by_autograd_matches_closed_form():
    # ExponentialFamily.entropy (the Bregman route) against the class's own formula
    rate = numtorch.tensor([0.5, 2.0], dtype=numtorch.float64)
    d = numtorch.distributions.Exponential(rate)
    generic = numtorch.distributions.ExponentialFamily.entropy(d)
    np.testing.assert_allclose(generic.detach().numpy(), d.entropy().numpy(), rtol=1e-12)


def test_exponential_errors_match_torch():
    E, TE = numtorch.distributions.Exponential, torch.distributions.Exponential
    same_error(lambda: E(numtorch.tensor([1.0, 0.0])), lambda: TE(torch.tensor([1.0, 0.0])))
    same_error(lambda: E(1.0).log_prob(numtorch.tensor(-1.0)),
               lambda: TE(1.0).log_prob(torch.tensor(-1.0)))
