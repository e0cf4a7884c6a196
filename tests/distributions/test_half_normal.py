"""HalfNormal against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(scale=np.array([1.0, 0.5, 2.0], F32)), np.array([0.5, 0.0, 5.0], F32)),
    (dict(scale=np.array([[0.5], [2.0]], F64)), np.array([0.1, 3.0], F64)),
    (dict(scale=1.5), np.array(0.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_half_normal_values_match_torch(kwargs, value):
    check_values("HalfNormal", kwargs, value, methods=("log_prob", "cdf"))
    u = np.full(np.shape(kwargs["scale"])[-1:], 0.3, value.dtype)
    check_values("HalfNormal", kwargs, u, methods=("icdf",), moments=(), entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_half_normal_draws_equal_torchs_bit_for_bit(case, seed, sample_shape):
    check_draws("HalfNormal", CASES[case][0], seed, sample_shape)


def test_half_normal_gradients_match_torch():
    check_grads("HalfNormal", *CASES[0], methods=("log_prob", "rsample", "entropy", "cdf"))


def test_half_normal_log_prob_of_a_negative_value_is_minus_infinity():
    d = numtorch.distributions.HalfNormal(1.0, validate_args=False)
    assert d.log_prob(numtorch.tensor([-1.0])).item() == -np.inf


def test_half_normal_errors_match_torch():
    H, TH = numtorch.distributions.HalfNormal, torch.distributions.HalfNormal
    same_error(lambda: H(numtorch.tensor([-1.0])), lambda: TH(torch.tensor([-1.0])))
    same_error(lambda: H(1.0).log_prob(numtorch.tensor([-1.0])),
               lambda: TH(1.0).log_prob(torch.tensor([-1.0])))
