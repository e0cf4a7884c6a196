"""Cauchy and HalfCauchy against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, assert_same, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CAUCHY = [
    (dict(loc=np.array([0.0, 1.0, -2.0], F32), scale=np.array([1.0, 0.5, 2.0], F32)),
     np.array([0.5, 0.9, -5.0], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0], F64)),
     np.array([[0.1, 0.2], [1.0, -1.0]], F64)),
    (dict(loc=0.0, scale=1.0), np.array(0.3, F32)),
]
HALF_CAUCHY = [
    (dict(scale=np.array([1.0, 0.5, 2.0], F32)), np.array([0.5, 0.0, 5.0], F32)),
    (dict(scale=np.array([[0.5], [2.0]], F64)), np.array([0.1, 3.0], F64)),
    (dict(scale=1.5), np.array(0.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CAUCHY)
def test_cauchy_values_match_torch(kwargs, value):
    check_values("Cauchy", kwargs, value, methods=("log_prob", "cdf"))
    u = np.array([0.1, 0.5, 0.97], value.dtype)
    check_values("Cauchy", kwargs, u if value.ndim < 2 else u[:2], methods=("icdf",),
                 moments=(), entropy=False)


@pytest.mark.parametrize("kwargs,value", HALF_CAUCHY)
def test_half_cauchy_values_match_torch(kwargs, value):
    check_values("HalfCauchy", kwargs, value, methods=("log_prob", "cdf"))
    u = np.full(np.shape(kwargs["scale"])[-1:], 0.3, value.dtype)
    check_values("HalfCauchy", kwargs, u, methods=("icdf",), moments=(), entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_cauchy_and_half_cauchy_draws_equal_torchs_bit_for_bit(case, seed, sample_shape):
    # the standard Cauchy numbers come from Tensor.cauchy_, then a multiply-add (and abs)
    check_draws("Cauchy", CAUCHY[case][0], seed, sample_shape)
    check_draws("HalfCauchy", HALF_CAUCHY[case][0], seed, sample_shape)


def test_cauchy_gradients_match_torch():
    check_grads("Cauchy", *CAUCHY[0], methods=("log_prob", "rsample", "entropy", "cdf"))
    check_grads("HalfCauchy", *HALF_CAUCHY[0],
                methods=("log_prob", "rsample", "entropy", "cdf"))


def test_half_cauchy_log_prob_of_a_negative_value_is_minus_infinity():
    d = numtorch.distributions.HalfCauchy(1.0, validate_args=False)
    assert d.log_prob(numtorch.tensor([-1.0])).item() == -np.inf


def test_cauchy_errors_match_torch():
    C, TC = numtorch.distributions.Cauchy, torch.distributions.Cauchy
    same_error(lambda: C(0.0, numtorch.tensor([-1.0])), lambda: TC(0.0, torch.tensor([-1.0])))
    H, TH = numtorch.distributions.HalfCauchy, torch.distributions.HalfCauchy
    same_error(lambda: H(numtorch.tensor([0.0])), lambda: TH(torch.tensor([0.0])))
    same_error(lambda: H(1.0).log_prob(numtorch.tensor([-1.0])),
               lambda: TH(1.0).log_prob(torch.tensor([-1.0])))


def test_cauchy_expand_keeps_values():
    d = numtorch.distributions.Cauchy(numtorch.tensor([0.0, 1.0]), 2.0).expand((3, 2))
    t = torch.distributions.Cauchy(torch.tensor([0.0, 1.0]), 2.0).expand((3, 2))
    assert_same(d.log_prob(numtorch.tensor(0.5)), t.log_prob(torch.tensor(0.5)))
