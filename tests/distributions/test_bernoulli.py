"""Bernoulli against torch.distributions.Bernoulli, from probs and from logits."""

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
    (dict(probs=np.array([0.1, 0.5, 0.9, 0.0], F32)), np.array([1.0, 0.0, 1.0, 0.0], F32)),
    (dict(probs=np.array([[0.3], [0.7]], F64)), np.array([[0.0, 1.0]], F64)),
    (dict(logits=np.array([-2.0, 0.0, 3.0], F32)), np.array([1.0, 1.0, 0.0], F32)),
    (dict(logits=np.array(0.5, F64)), np.array([0.0, 1.0], F64)),
    (dict(probs=0.25), np.array(1.0, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_bernoulli_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Bernoulli", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.param_shape == pt.param_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    assert_same(nt.probs, pt.probs)
    assert_same(nt.logits, pt.logits)
    check_moments(nt, pt)
    for expand in (True, False):
        assert_same(nt.enumerate_support(expand), pt.enumerate_support(expand))
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_bernoulli_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Bernoulli", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)


@pytest.mark.parametrize("kwargs,value", [CASES[0], CASES[2]])
def test_bernoulli_gradients_match_torch(kwargs, value):
    kwargs = {k: np.clip(v, 0.05, 0.95) if k == "probs" else v for k, v in kwargs.items()}
    for method in ("log_prob", "entropy"):
        nt, ntp, pt, ptp = both("Bernoulli", kwargs, requires_grad=True)
        if method == "entropy":
            a, b = nt.entropy(), pt.entropy()
        else:
            a, b = nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value))
        same_grads(a, ntp, b, ptp)


def test_bernoulli_lazy_parameter_is_cached_and_shown_in_repr():
    nt, _, pt, _ = both("Bernoulli", CASES[2][0])
    same_repr(nt, pt)            # only logits known
    assert_same(nt.probs, pt.probs)  # computes and caches the other form
    same_repr(nt, pt)            # now both
    assert "probs" in nt.__dict__


def test_bernoulli_expand_keeps_the_given_form():
    nt, _, pt, _ = both("Bernoulli", CASES[2][0])
    a, b = nt.expand((2, 3)), pt.expand((2, 3))
    same_repr(a, b)
    same_draws(lambda: a.sample(), lambda: b.sample(), 3)


def test_bernoulli_errors_match_torch():
    B, TB = numtorch.distributions.Bernoulli, torch.distributions.Bernoulli
    same_error(lambda: B(), lambda: TB())
    same_error(lambda: B(0.5, 0.0), lambda: TB(0.5, 0.0))
    same_error(lambda: B(numtorch.tensor([0.5, 1.5])), lambda: TB(torch.tensor([0.5, 1.5])))
    same_error(lambda: B(0.5).log_prob(numtorch.tensor([0.5])),
               lambda: TB(0.5).log_prob(torch.tensor([0.5])))


def test_set_default_validate_args_turns_validation_off_and_on():
    Dist = numtorch.distributions.Distribution
    try:
        Dist.set_default_validate_args(False)
        numtorch.distributions.Bernoulli(numtorch.tensor([2.0]))  # no error
    finally:
        Dist.set_default_validate_args(True)
    with pytest.raises(ValueError):
        numtorch.distributions.Bernoulli(numtorch.tensor([2.0]))
    with pytest.raises(ValueError):
        Dist.set_default_validate_args("yes")
