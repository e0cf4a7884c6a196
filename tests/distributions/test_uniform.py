"""Uniform against torch.distributions.Uniform."""

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
    (dict(low=np.array([0.0, -1.0, 2.0], F32), high=np.array([1.0, 3.0, 2.5], F32)),
     np.array([0.5, 2.9, 2.0], F32)),
    (dict(low=np.array([[0.0], [-2.0]], F64), high=np.array([1.0, 4.0], F64)),
     np.array([[0.0, 0.5], [-1.0, 3.5]], F64)),
    (dict(low=np.array(0.0, F32), high=np.array(2.0, F32)), np.array([0.25, 1.0], F32)),
    (dict(low=0.0, high=np.array([1.0, 5.0], F32)), np.array(0.5, F32)),
    (dict(low=-1.0, high=1.0), np.array([0.0, 0.99], F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_uniform_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Uniform", kwargs)
    assert nt.batch_shape == pt.batch_shape
    for name in ("log_prob", "cdf"):
        assert_same(getattr(nt, name)(numtorch.tensor(value)), getattr(pt, name)(torch.tensor(value)))
    assert_same(nt.icdf(numtorch.tensor(value % 1)), pt.icdf(torch.tensor(value % 1)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)
    assert repr(nt.support) == repr(pt.support).replace("torch", "numtorch")


def test_uniform_log_prob_outside_is_minus_inf_without_validation():
    nt, _, pt, _ = both("Uniform", dict(low=0.0, high=1.0, validate_args=False))
    v = np.array([-0.5, 0.5, 1.0, 2.0], F32)
    assert_same(nt.log_prob(numtorch.tensor(v)), pt.log_prob(torch.tensor(v)))
    assert_same(nt.cdf(numtorch.tensor(v)), pt.cdf(torch.tensor(v)))


@pytest.mark.parametrize("kwargs,_", CASES[:4])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_uniform_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Uniform", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "cdf"])
def test_uniform_gradients_match_torch(method):
    kwargs, value = CASES[0]
    nt, ntp, pt, ptp = both("Uniform", kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(1)
        torch.manual_seed(1)
        a, b = nt.rsample((3,)), pt.rsample((3,))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        a, b = getattr(nt, method)(numtorch.tensor(value)), getattr(pt, method)(torch.tensor(value))
    same_grads(a, ntp, b, ptp)


def test_uniform_expand():
    nt, _, pt, _ = both("Uniform", CASES[0][0])
    a, b = nt.expand((2, 3)), pt.expand((2, 3))
    same_draws(lambda: a.sample(), lambda: b.sample(), 0)
    same_repr(a, b)


def test_uniform_errors_match_torch():
    U, TU = numtorch.distributions.Uniform, torch.distributions.Uniform
    same_error(lambda: U(numtorch.tensor([0.0, 2.0]), numtorch.tensor([1.0, 1.0])),
               lambda: TU(torch.tensor([0.0, 2.0]), torch.tensor([1.0, 1.0])))
    same_error(lambda: U(1.0, 1.0), lambda: TU(1.0, 1.0))
    same_error(lambda: U(0.0, 1.0).log_prob(numtorch.tensor([1.5])),
               lambda: TU(0.0, 1.0).log_prob(torch.tensor([1.5])))
