"""Dirichlet and Beta against torch.distributions."""

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
    ("Dirichlet", dict(concentration=np.array([0.5, 2.0, 3.0], F32)),
     np.array([0.2, 0.3, 0.5], F32)),
    ("Dirichlet", dict(concentration=np.array([[0.2, 0.3, 0.4, 0.1], [5.0, 1.0, 7.0, 2.0]], F64)),
     np.array([[0.1, 0.2, 0.3, 0.4]], F64)),
    ("Beta", dict(concentration1=np.array([0.5, 1.0, 8.0], F32),
                  concentration0=np.array([2.0, 1.0, 9.0], F32)), np.array([0.3, 0.5, 0.9], F32)),
    ("Beta", dict(concentration1=np.array([[0.3], [4.0]], F64), concentration0=np.array(2.0, F64)),
     np.array([0.25], F64)),
    ("Beta", dict(concentration1=0.5, concentration0=2.0), np.array(0.7, F32)),
]


@pytest.mark.parametrize("name,kwargs,value", CASES)
def test_values_match_torch(name, kwargs, value):
    nt, _, pt, _ = both(name, kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)
    if name == "Beta":
        assert_same(nt.concentration1, pt.concentration1)
        assert_same(nt.concentration0, pt.concentration0)


@pytest.mark.parametrize("name,kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(name, kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both(name, kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)


def test_expand_keeps_the_draws():
    for name, kwargs, _ in (CASES[0], CASES[2]):
        nt, _, pt, _ = both(name, kwargs)
        ne, pe = nt.expand((2, 3)), pt.expand((2, 3))
        assert type(ne).__name__ == name and ne.batch_shape == pe.batch_shape
        same_draws(lambda ne=ne: ne.sample((2,)), lambda pe=pe: pe.sample((2,)), 4)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "mean", "variance"])
@pytest.mark.parametrize("case", [0, 1, 2])
def test_gradients_match_torch(method, case):
    name, kwargs, value = CASES[case]
    nt, ntp, pt, ptp = both(name, kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(1)
        torch.manual_seed(1)
        a, b = nt.rsample((3,)), pt.rsample((3,))
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    elif method == "log_prob":
        a, b = nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        a, b = getattr(nt, method), getattr(pt, method)
    same_grads(a, ntp, b, ptp)


def test_constraints_and_errors_match_torch():
    D, T = numtorch.distributions, torch.distributions
    same_error(lambda: D.Dirichlet(numtorch.tensor(1.0)), lambda: T.Dirichlet(torch.tensor(1.0)))
    same_error(lambda: D.Dirichlet(numtorch.tensor([1.0, 0.0])),
               lambda: T.Dirichlet(torch.tensor([1.0, 0.0])))
    same_error(lambda: D.Beta(numtorch.tensor([1.0]), -1.0), lambda: T.Beta(torch.tensor([1.0]), -1.0))
    same_error(lambda: D.Dirichlet(numtorch.tensor([1.0, 2.0])).log_prob(numtorch.tensor([0.5, 0.6])),
               lambda: T.Dirichlet(torch.tensor([1.0, 2.0])).log_prob(torch.tensor([0.5, 0.6])))
    same_error(lambda: D.Beta(1.0, 2.0).log_prob(numtorch.tensor(1.5)),
               lambda: T.Beta(1.0, 2.0).log_prob(torch.tensor(1.5)))
    assert repr(D.Beta.support) == repr(T.Beta.support).replace("torch", "numtorch")
    assert repr(D.Dirichlet.support) == repr(T.Dirichlet.support).replace("torch", "numtorch")
