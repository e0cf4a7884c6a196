"""FisherSnedecor and NegativeBinomial (built on Gamma draws) against torch.distributions."""

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

F_CASES = [
    (dict(df1=np.array([1.0, 3.0, 10.0], F32), df2=np.array([2.0, 5.0, 30.0], F32)),
     np.array([0.3, 1.5, 4.0], F32)),
    (dict(df1=np.array([[0.5], [7.0]], F64), df2=np.array([1.5, 4.5, 9.0], F64)),
     np.array([[0.5, 2.0, 1e-3]], F64)),
    (dict(df1=2.0, df2=6.0), np.array(0.7, F32)),
]
NB_CASES = [
    (dict(total_count=np.array([1.0, 4.5, 20.0], F32), probs=np.array([0.2, 0.5, 0.9], F32)),
     np.array([0.0, 3.0, 150.0], F32)),
    (dict(total_count=3.0, logits=np.array([[0.5], [-1.0]], F64)), np.array([[0.0, 2.0, 7.0]], F64)),
]


@pytest.mark.parametrize("name,kwargs,value",
                         [("FisherSnedecor", *c) for c in F_CASES]
                         + [("NegativeBinomial", *c) for c in NB_CASES])
def test_values_match_torch(name, kwargs, value):
    nt, _, pt, _ = both(name, kwargs)
    assert nt.batch_shape == pt.batch_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    check_moments(nt, pt, names=("mean", "mode", "variance"))
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", F_CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_fisher_snedecor_draws_match_torch_bit_for_bit(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("FisherSnedecor", kwargs)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed)


@pytest.mark.parametrize("kwargs,_", NB_CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_negative_binomial_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("NegativeBinomial", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)


@pytest.mark.parametrize("method", ["rsample", "log_prob"])
def test_fisher_snedecor_gradients_match_torch(method):
    kwargs, value = F_CASES[0]
    nt, ntp, pt, ptp = both("FisherSnedecor", kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(1)
        torch.manual_seed(1)
        a, b = nt.rsample((3,)), pt.rsample((3,))
    else:
        a, b = nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value))
    same_grads(a, ntp, b, ptp)


def test_negative_binomial_log_prob_gradient_matches_torch():
    kwargs, value = NB_CASES[0]
    nt, ntp, pt, ptp = both("NegativeBinomial", kwargs, requires_grad=True)
    same_grads(nt.log_prob(numtorch.tensor(value)), ntp, pt.log_prob(torch.tensor(value)), ptp)


def test_errors_match_torch():
    D, T = numtorch.distributions, torch.distributions
    same_error(lambda: D.FisherSnedecor(numtorch.tensor([1.0]), -1.0),
               lambda: T.FisherSnedecor(torch.tensor([1.0]), -1.0))
    same_error(lambda: D.NegativeBinomial(2.0), lambda: T.NegativeBinomial(2.0))
    same_error(lambda: D.NegativeBinomial(2.0, numtorch.tensor([1.0])),
               lambda: T.NegativeBinomial(2.0, torch.tensor([1.0])))
    same_error(lambda: D.NegativeBinomial(2.0, numtorch.tensor([0.5])).log_prob(numtorch.tensor([0.5])),
               lambda: T.NegativeBinomial(2.0, torch.tensor([0.5])).log_prob(torch.tensor([0.5])))
