"""StudentT against torch.distributions.StudentT."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import (
    SAMPLE_SHAPES,
    SEEDS,
    assert_same,
    both,
    check_moments,
    same_draws,
    same_error,
    same_grads,
    same_repr,
)
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(df=np.array([0.5, 1.5, 3.0, 30.0], F32), loc=np.array([0.0, 1.0, -2.0, 0.5], F32),
          scale=np.array([1.0, 0.5, 2.0, 3.0], F32)), np.array([0.3, -1.0, 4.0, 0.0], F32)),
    (dict(df=np.array([[2.5], [7.0]], F64), loc=0.5, scale=np.array([1.5, 0.1, 9.0], F64)),
     np.array([[0.5, 2.0, -3.0]], F64)),
    (dict(df=np.array(4.0, F32)), np.array([0.1, -4.0], F32)),
    (dict(df=3.0, loc=1.0, scale=2.0), np.array(0.7, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("StudentT", kwargs)
    assert nt.batch_shape == pt.batch_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("StudentT", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed)


def test_large_draws_match_torch_bit_for_bit():
    # 16 or more normals take PyTorch's vectorised Box-Muller path, then the gammas
    nt, _, pt, _ = both("StudentT", CASES[0][0])
    same_draws(lambda: nt.rsample((50,)), lambda: pt.rsample((50,)), 3)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "mean", "variance"])
def test_gradients_match_torch(method):
    kwargs, value = CASES[0]
    nt, ntp, pt, ptp = both("StudentT", kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(1)
        torch.manual_seed(1)
        a, b = nt.rsample((3,)), pt.rsample((3,))
    elif method == "log_prob":
        a, b = nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        a, b = getattr(nt, method), getattr(pt, method)
        finite = np.isfinite(b.detach().numpy())
        a, b = a * numtorch.tensor(finite.astype(F32)), b * torch.tensor(finite.astype(F32))
    same_grads(a, ntp, b, ptp)


def test_constraints_and_errors_match_torch():
    S, TS = numtorch.distributions.StudentT, torch.distributions.StudentT
    same_error(lambda: S(numtorch.tensor([1.0, 0.0])), lambda: TS(torch.tensor([1.0, 0.0])))
    same_error(lambda: S(1.0, 0.0, -1.0), lambda: TS(1.0, 0.0, -1.0))
    assert repr(S.support) == repr(TS.support).replace("torch", "numtorch")
