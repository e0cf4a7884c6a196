"""Multinomial against torch.distributions.Multinomial."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import (
    SAMPLE_SHAPES,
    SEEDS,
    assert_same,
    both,
    same_draws,
    same_error,
    same_grads,
    same_repr,
)
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(total_count=10, probs=np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 1.0, 0.0]], F32)),
     np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 5.0, 5.0, 0.0]], F32)),
    (dict(total_count=7, logits=np.array([0.5, -1.0, 2.0], F64)), np.array([2.0, 0.0, 5.0], F64)),
    (dict(total_count=3, probs=np.array([0.2, 0.8], F32)), np.array([[1.0, 2.0], [3.0, 0.0]], F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Multinomial", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    for name in ("mean", "variance", "probs", "logits"):
        assert_same(getattr(nt, name), getattr(pt, name))
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Multinomial", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed)


def test_log_prob_gradient_matches_torch():
    kwargs, value = CASES[1]
    nt, ntp, pt, ptp = both("Multinomial", kwargs, requires_grad=True)
    same_grads(nt.log_prob(numtorch.tensor(value)), ntp, pt.log_prob(torch.tensor(value)), ptp)


def test_errors_match_torch():
    M, TM = numtorch.distributions.Multinomial, torch.distributions.Multinomial
    same_error(lambda: M(2.5, numtorch.tensor([0.5, 0.5])), lambda: TM(2.5, torch.tensor([0.5, 0.5])),
               NotImplementedError)
    same_error(lambda: M(2), lambda: TM(2))
    same_error(lambda: M(2, numtorch.tensor([0.5, 0.5])).log_prob(numtorch.tensor([1.0, 2.0])),
               lambda: TM(2, torch.tensor([0.5, 0.5])).log_prob(torch.tensor([1.0, 2.0])))
