"""Kumaraswamy against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(concentration1=np.array([0.5, 2.0, 3.0], F32),
          concentration0=np.array([1.5, 0.7, 2.0], F32)), np.array([0.2, 0.5, 0.9], F32)),
    (dict(concentration1=np.array([[2.0], [0.5]], F64), concentration0=np.array([2.5, 4.0], F64)),
     np.array([[0.1, 0.7], [0.4, 0.6]], F64)),
    (dict(concentration1=2.0, concentration0=3.0), np.array(0.4, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_kumaraswamy_values_match_torch(kwargs, value):
    check_values("Kumaraswamy", kwargs, value, methods=("log_prob", "cdf"))
    u = np.full(np.shape(kwargs["concentration1"])[-1:], 0.3, value.dtype)
    check_values("Kumaraswamy", kwargs, u, methods=("icdf",), moments=(), entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_kumaraswamy_draws_match_torch(case, seed, sample_shape):
    # torch.rand's numbers exactly, then two powers (which may round apart)
    check_draws("Kumaraswamy", CASES[case][0], seed, sample_shape, exact=False)


def test_kumaraswamy_gradients_match_torch():
    check_grads("Kumaraswamy", *CASES[0],
                methods=("log_prob", "rsample", "entropy", "mean", "variance"))


def test_kumaraswamy_errors_match_torch():
    K, TK = numtorch.distributions.Kumaraswamy, torch.distributions.Kumaraswamy
    same_error(lambda: K(1.0, numtorch.tensor([-1.0])), lambda: TK(1.0, torch.tensor([-1.0])))
    same_error(lambda: K(1.0, 2.0).log_prob(numtorch.tensor([1.5])),
               lambda: TK(1.0, 2.0).log_prob(torch.tensor([1.5])))
