"""Pareto against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(scale=np.array([1.0, 0.5, 2.0], F32), alpha=np.array([0.5, 1.5, 3.0], F32)),
     np.array([1.5, 0.9, 5.0], F32)),
    (dict(scale=np.array([[0.5], [2.0]], F64), alpha=np.array([2.5, 4.0], F64)),
     np.array([[1.0, 2.0], [3.0, 2.5]], F64)),
    (dict(scale=1.0, alpha=2.0), np.array(1.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_pareto_values_match_torch(kwargs, value):
    check_values("Pareto", kwargs, value, methods=("log_prob", "cdf"))
    u = np.full(np.shape(kwargs["scale"])[-1:], 0.3, value.dtype)
    check_values("Pareto", kwargs, u, methods=("icdf",), moments=(), entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_pareto_draws_match_torch(case, seed, sample_shape):
    # Exponential's draws exactly, then exp: NumPy's exp may round differently
    check_draws("Pareto", CASES[case][0], seed, sample_shape, exact=False)


def test_pareto_gradients_match_torch():
    check_grads("Pareto", *CASES[0], methods=("log_prob", "rsample", "entropy", "cdf"))


def test_pareto_errors_match_torch():
    P, TP = numtorch.distributions.Pareto, torch.distributions.Pareto
    same_error(lambda: P(1.0, numtorch.tensor([-1.0])), lambda: TP(1.0, torch.tensor([-1.0])))
    same_error(lambda: P(numtorch.tensor([2.0]), 1.0).log_prob(numtorch.tensor([1.0])),
               lambda: TP(torch.tensor([2.0]), 1.0).log_prob(torch.tensor([1.0])))
