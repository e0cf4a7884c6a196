"""Gumbel against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(loc=np.array([0.0, 1.0, -2.0], F32), scale=np.array([1.0, 0.5, 2.0], F32)),
     np.array([0.5, 0.9, -5.0], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0], F64)),
     np.array([[0.1, 0.2], [1.0, -1.0]], F64)),
    (dict(loc=1.0, scale=2.0), np.array(0.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_gumbel_values_match_torch(kwargs, value):
    check_values("Gumbel", kwargs, value, methods=("log_prob", "cdf"))
    u = np.full(np.shape(kwargs["loc"])[-1:], 0.3, value.dtype)
    check_values("Gumbel", kwargs, u, methods=("icdf",), moments=(), entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_gumbel_draws_match_torch(case, seed, sample_shape):
    # torch.rand's numbers exactly, then two logs: NumPy's log may round differently
    check_draws("Gumbel", CASES[case][0], seed, sample_shape, exact=False)


def test_gumbel_gradients_match_torch():
    check_grads("Gumbel", *CASES[0], methods=("log_prob", "rsample", "entropy", "cdf"))


def test_gumbel_errors_match_torch():
    G, TG = numtorch.distributions.Gumbel, torch.distributions.Gumbel
    same_error(lambda: G(0.0, numtorch.tensor([-1.0])), lambda: TG(0.0, torch.tensor([-1.0])))
