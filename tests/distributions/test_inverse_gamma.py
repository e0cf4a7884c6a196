"""InverseGamma against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(concentration=np.array([0.5, 1.5, 3.0], F32), rate=np.array([1.0, 0.5, 2.0], F32)),
     np.array([1.5, 0.9, 5.0], F32)),
    (dict(concentration=np.array([[2.5], [4.0]], F64), rate=np.array([0.5, 2.0], F64)),
     np.array([[1.0, 2.0], [3.0, 2.5]], F64)),
    (dict(concentration=3.0, rate=2.0), np.array(1.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_inverse_gamma_values_match_torch(kwargs, value):
    # mean and variance are infinite where the concentration is <= 1 (<= 2), as in torch
    check_values("InverseGamma", kwargs, value, methods=("log_prob",))


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_inverse_gamma_draws_match_torch(case, seed, sample_shape):
    # Gamma's draws exactly, then pow(x, tensor(-1)): torch's vectorised pow is not
    # correctly rounded (numtorch's 1/x is), so the last bit can differ
    check_draws("InverseGamma", CASES[case][0], seed, sample_shape, exact=False)


def test_inverse_gamma_gradients_match_torch():
    check_grads("InverseGamma", CASES[1][0], CASES[1][1],
                methods=("log_prob", "rsample", "entropy", "mean", "variance", "mode"))


def test_inverse_gamma_errors_match_torch():
    G, TG = numtorch.distributions.InverseGamma, torch.distributions.InverseGamma
    same_error(lambda: G(numtorch.tensor([-1.0]), 1.0), lambda: TG(torch.tensor([-1.0]), 1.0))
    same_error(lambda: G(1.0, numtorch.tensor([0.0])), lambda: TG(1.0, torch.tensor([0.0])))
