"""Poisson against torch.distributions.Poisson."""

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
    (dict(rate=np.array([0.5, 4.0, 30.0], F32)), np.array([0.0, 3.0, 28.0], F32)),
    (dict(rate=np.array([[1.0], [12.5]], F64)), np.array([[0.0, 2.0, 15.0]], F64)),
    (dict(rate=np.array(0.0, F32)), np.array([0.0, 1.0], F32)),
    (dict(rate=3.0), np.array(2.0, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Poisson", kwargs)
    assert nt.batch_shape == pt.batch_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    check_moments(nt, pt)
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Poisson", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    ne, pe = nt.expand((2, 3)), pt.expand((2, 3))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed)


def test_log_prob_gradient_and_no_rsample_match_torch():
    kwargs, value = CASES[0]
    nt, ntp, pt, ptp = both("Poisson", kwargs, requires_grad=True)
    same_grads(nt.log_prob(numtorch.tensor(value)), ntp, pt.log_prob(torch.tensor(value)), ptp)
    assert not nt.has_rsample and not nt.sample((2,)).requires_grad
    with pytest.raises(NotImplementedError):
        nt.rsample()


def test_constraints_and_errors_match_torch():
    P, TP = numtorch.distributions.Poisson, torch.distributions.Poisson
    same_error(lambda: P(numtorch.tensor([1.0, -1.0])), lambda: TP(torch.tensor([1.0, -1.0])))
    same_error(lambda: P(2.0).log_prob(numtorch.tensor(1.5)), lambda: TP(2.0).log_prob(torch.tensor(1.5)))
    assert repr(P.support) == repr(TP.support).replace("torch", "numtorch")
