"""ContinuousBernoulli against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    # 0.5 and 0.4995 fall in the Taylor region around 1/2
    (dict(probs=np.array([0.1, 0.5, 0.4995, 0.9], F32)), np.array([0.2, 0.5, 0.0, 1.0], F32)),
    (dict(logits=np.array([[0.3], [-1.0], [0.0]], F64)),
     np.array([[0.1, 0.7], [0.4, 0.6], [0.5, 0.5]], F64)),
    (dict(probs=0.3), np.array(0.4, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_continuous_bernoulli_values_match_torch(kwargs, value):
    check_values("ContinuousBernoulli", kwargs, value, methods=("log_prob", "cdf", "icdf"),
                 moments=("mean", "variance", "stddev"))


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_continuous_bernoulli_draws_match_torch(case, seed, sample_shape):
    # torch.rand's numbers exactly, through the icdf's log1p (which may round apart)
    check_draws("ContinuousBernoulli", CASES[case][0], seed, sample_shape, exact=False)


def test_continuous_bernoulli_gradients_match_torch():
    for kwargs, value in CASES[:2]:
        check_grads("ContinuousBernoulli", kwargs, value,
                    methods=("log_prob", "rsample", "entropy", "cdf", "mean", "variance"))


def test_continuous_bernoulli_kl_through_the_exponential_family_matches_torch():
    p = numtorch.distributions.ContinuousBernoulli(numtorch.tensor([0.2, 0.7, 0.5]))
    q = numtorch.distributions.ContinuousBernoulli(logits=numtorch.tensor([0.5, -1.0, 2.0]))
    tp = torch.distributions.ContinuousBernoulli(torch.tensor([0.2, 0.7, 0.5]))
    tq = torch.distributions.ContinuousBernoulli(logits=torch.tensor([0.5, -1.0, 2.0]))
    np.testing.assert_allclose(numtorch.distributions.kl_divergence(p, q).detach().numpy(),
                               torch.distributions.kl_divergence(tp, tq).numpy(), rtol=1e-5)


def test_continuous_bernoulli_errors_match_torch():
    C, TC = numtorch.distributions.ContinuousBernoulli, torch.distributions.ContinuousBernoulli
    same_error(lambda: C(), lambda: TC())
    same_error(lambda: C(numtorch.tensor([1.5]), validate_args=True),
               lambda: TC(torch.tensor([1.5]), validate_args=True))
    same_error(lambda: C(0.3).log_prob(numtorch.tensor([1.5])),
               lambda: TC(0.3).log_prob(torch.tensor([1.5])))
