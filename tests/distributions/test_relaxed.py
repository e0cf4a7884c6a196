"""RelaxedBernoulli, RelaxedOneHotCategorical and their base distributions
(LogitRelaxedBernoulli, ExpRelaxedCategorical) against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, assert_same, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

BERNOULLI = [
    (dict(temperature=np.array(0.5, F32), probs=np.array([0.1, 0.5, 0.9], F32)),
     np.array([0.2, 0.5, 0.99], F32)),
    (dict(temperature=np.array(2.0, F64), logits=np.array([[0.3], [-1.0]], F64)),
     np.array([[0.1, 0.7], [0.4, 0.6]], F64)),
]
CATEGORICAL = [
    (dict(temperature=np.array(0.5, F32), probs=np.array([0.1, 0.3, 0.6], F32)),
     np.array([0.2, 0.3, 0.5], F32)),
    (dict(temperature=np.array(1.5, F64),
          logits=np.array([[0.3, 0.0, 1.0], [-1.0, 2.0, 0.5]], F64)),
     np.array([[0.1, 0.7, 0.2], [0.25, 0.25, 0.5]], F64)),
]


@pytest.mark.parametrize("kwargs,value", BERNOULLI)
def test_relaxed_bernoulli_values_match_torch(kwargs, value):
    check_values("RelaxedBernoulli", kwargs, value, moments=(), entropy=False)
    nt = numtorch.distributions.RelaxedBernoulli(
        **{k: numtorch.tensor(v) for k, v in kwargs.items()})
    pt = torch.distributions.RelaxedBernoulli(**{k: torch.tensor(v) for k, v in kwargs.items()})
    for name in ("probs", "logits", "temperature"):
        assert_same(getattr(nt, name), getattr(pt, name))
    logit = np.log(value) - np.log1p(-value)
    assert_same(nt.base_dist.log_prob(numtorch.tensor(logit)),
                pt.base_dist.log_prob(torch.tensor(logit)))


@pytest.mark.parametrize("kwargs,value", CATEGORICAL)
def test_relaxed_one_hot_categorical_values_match_torch(kwargs, value):
    check_values("RelaxedOneHotCategorical", kwargs, value, moments=(), entropy=False,
                 rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", range(2))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_relaxed_draws_match_torch(case, seed, sample_shape):
    # torch.rand's numbers exactly; log/log1p/exp of them may round differently
    check_draws("RelaxedBernoulli", BERNOULLI[case][0], seed, sample_shape, exact=False)
    check_draws("RelaxedOneHotCategorical", CATEGORICAL[case][0], seed, sample_shape,
                exact=False)


def test_relaxed_gradients_match_torch():
    check_grads("RelaxedBernoulli", *BERNOULLI[0], methods=("log_prob", "rsample"))
    check_grads("RelaxedBernoulli", *BERNOULLI[1], methods=("log_prob", "rsample"))
    check_grads("RelaxedOneHotCategorical", *CATEGORICAL[0], methods=("log_prob", "rsample"))
    check_grads("RelaxedOneHotCategorical", *CATEGORICAL[1], methods=("log_prob", "rsample"))


def test_relaxed_errors_match_torch():
    R, TR = numtorch.distributions.RelaxedBernoulli, torch.distributions.RelaxedBernoulli
    t, tt = numtorch.tensor(1.0), torch.tensor(1.0)
    same_error(lambda: R(t), lambda: TR(tt))
    same_error(lambda: R(t, numtorch.tensor([1.5])), lambda: TR(tt, torch.tensor([1.5])))
    C = numtorch.distributions.RelaxedOneHotCategorical
    TC = torch.distributions.RelaxedOneHotCategorical
    same_error(lambda: C(t, numtorch.tensor([-0.1, 1.1])),
               lambda: TC(tt, torch.tensor([-0.1, 1.1])))
