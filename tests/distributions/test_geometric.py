"""Geometric against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, assert_same, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(probs=np.array([0.2, 0.5, 1.0], F32)), np.array([0.0, 3.0, 0.0], F32)),
    (dict(logits=np.array([[0.0], [-2.0]], F64)), np.array([[1.0, 2.0], [0.0, 7.0]], F64)),
    (dict(probs=0.3), np.array(4.0, F32)),
    (dict(logits=np.array([1.5, -0.5], F32)), np.array([2.0, 1.0], F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_geometric_values_match_torch(kwargs, value):
    check_values("Geometric", kwargs, value)


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_geometric_draws_equal_torchs(case, seed, sample_shape):
    check_draws("Geometric", CASES[case][0], seed, sample_shape, rsample=False)


def test_geometric_many_draws_equal_torchs():
    # floor(log u / log1p(-p)) lands on the same integer even where a log's last bit differs
    check_draws("Geometric", dict(probs=np.array([0.01, 0.3, 0.9], F64)), 5, (2000,),
                rsample=False)


def test_geometric_gradients_match_torch():
    check_grads("Geometric", CASES[0][0] | dict(probs=np.array([0.2, 0.5, 0.7], F32)),
                CASES[0][1], methods=("log_prob", "entropy", "mean", "variance"))
    check_grads("Geometric", *CASES[3], methods=("log_prob", "entropy"))


def test_geometric_probs_and_logits_convert_as_torchs():
    nt = numtorch.distributions.Geometric(logits=numtorch.tensor([0.3, -1.0]))
    pt = torch.distributions.Geometric(logits=torch.tensor([0.3, -1.0]))
    assert_same(nt.probs, pt.probs)
    nt = numtorch.distributions.Geometric(probs=numtorch.tensor([0.3, 0.9]))
    pt = torch.distributions.Geometric(probs=torch.tensor([0.3, 0.9]))
    assert_same(nt.logits, pt.logits)


def test_geometric_errors_match_torch():
    G, TG = numtorch.distributions.Geometric, torch.distributions.Geometric
    same_error(lambda: G(), lambda: TG())
    same_error(lambda: G(0.5, 0.1), lambda: TG(0.5, 0.1))
    same_error(lambda: G(numtorch.tensor([0.0, 0.5])), lambda: TG(torch.tensor([0.0, 0.5])))
    same_error(lambda: G(numtorch.tensor([1.5])), lambda: TG(torch.tensor([1.5])))
    same_error(lambda: G(0.5).log_prob(numtorch.tensor([0.5])),
               lambda: TG(0.5).log_prob(torch.tensor([0.5])))
