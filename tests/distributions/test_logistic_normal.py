"""LogisticNormal against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(loc=np.array([0.0, 1.0, -2.0], F32), scale=np.array([1.0, 0.5, 2.0], F32)),
     np.array([0.1, 0.2, 0.3, 0.4], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0], F64)),
     np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], F64)),
    (dict(loc=0.5, scale=1.0), np.array([0.3, 0.7], F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_logistic_normal_values_match_torch(kwargs, value):
    check_values("LogisticNormal", kwargs, value, moments=(), entropy=False, rtol=1e-5,
                 atol=1e-5)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_logistic_normal_draws_match_torch(case, seed, sample_shape):
    # the normal draws are PyTorch's exactly; the stick-breaking sigmoid may round apart
    check_draws("LogisticNormal", CASES[case][0], seed, sample_shape, exact=False)


def test_logistic_normal_gradients_match_torch():
    check_grads("LogisticNormal", *CASES[0], methods=("log_prob", "rsample"))
    check_grads("LogisticNormal", *CASES[1], methods=("log_prob", "rsample"))


def test_logistic_normal_errors_match_torch():
    L, TL = numtorch.distributions.LogisticNormal, torch.distributions.LogisticNormal
    same_error(lambda: L(numtorch.zeros(2), numtorch.tensor([1.0, -1.0])),
               lambda: TL(torch.zeros(2), torch.tensor([1.0, -1.0])))
    same_error(lambda: L(numtorch.zeros(2), 1.0).log_prob(numtorch.tensor([0.5, 0.6, 0.1])),
               lambda: TL(torch.zeros(2), 1.0).log_prob(torch.tensor([0.5, 0.6, 0.1])))
