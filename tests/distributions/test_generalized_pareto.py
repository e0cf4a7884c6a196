"""GeneralizedPareto against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_draws, check_grads, check_values
from tests.distributions.helpers import SAMPLE_SHAPES, SEEDS, assert_same, both, same_error
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    # a positive, a zero (the exponential case) and a negative concentration
    (dict(loc=np.array([0.0, 1.0, -2.0], F32), scale=np.array([1.0, 0.5, 2.0], F32),
          concentration=np.array([0.4, 0.0, -0.3], F32)), np.array([0.5, 1.9, 1.0], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0], F64),
          concentration=np.array([1.5, 0.2], F64)), np.array([[0.1, 0.2], [1.0, 3.0]], F64)),
    (dict(loc=0.5, scale=1.0, concentration=0.1), np.array(0.8, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_generalized_pareto_values_match_torch(kwargs, value):
    methods = ("log_prob", "cdf", "log_cdf", "log_survival_function")
    if value.dtype == F64:
        # PyTorch compares a float64 concentration with a float32 zero (isclose refuses
        # mixed dtypes): these four fail in float64, and numtorch's fail the same way
        nt, _, pt, _ = both("GeneralizedPareto", kwargs)
        for m in methods:
            same_error(lambda m=m: getattr(nt, m)(numtorch.tensor(value)),
                       lambda m=m: getattr(pt, m)(torch.tensor(value)), RuntimeError)
        methods = ()
    check_values("GeneralizedPareto", kwargs, value, methods=methods)
    u = np.full(np.shape(kwargs["loc"])[-1:], 0.3, value.dtype)
    check_values("GeneralizedPareto", kwargs, u, methods=("icdf",), moments=(),
                 entropy=False)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_generalized_pareto_draws_match_torch(case, seed, sample_shape):
    # torch.rand's numbers exactly, through the icdf's log1p/expm1 (which may round apart)
    check_draws("GeneralizedPareto", CASES[case][0], seed, sample_shape, exact=False)


def test_generalized_pareto_gradients_match_torch():
    check_grads("GeneralizedPareto", *CASES[0],
                methods=("log_prob", "rsample", "entropy", "cdf", "mean", "variance"))


def test_generalized_pareto_support_is_bounded_above_for_a_negative_concentration():
    nt, _, pt, _ = both("GeneralizedPareto", CASES[0][0])
    assert_same(nt.support.upper_bound, pt.support.upper_bound)
    v = np.array([0.5, 1.5, 5.0], F32)  # the last lies past loc - scale / concentration
    assert_same(nt.support.check(numtorch.tensor(v)), pt.support.check(torch.tensor(v)))


def test_generalized_pareto_errors_match_torch():
    G, TG = numtorch.distributions.GeneralizedPareto, torch.distributions.GeneralizedPareto
    same_error(lambda: G(0.0, numtorch.tensor([-1.0]), 0.1),
               lambda: TG(0.0, torch.tensor([-1.0]), 0.1))
    same_error(lambda: G(1.0, 1.0, 0.1).log_prob(numtorch.tensor([0.5])),
               lambda: TG(1.0, 1.0, 0.1).log_prob(torch.tensor([0.5])))
