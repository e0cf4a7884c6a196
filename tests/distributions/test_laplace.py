"""Laplace against torch.distributions.Laplace."""

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
    (dict(loc=np.array([0.0, 1.0, -2.0], F32), scale=np.array([1.0, 0.5, 2.0], F32)),
     np.array([0.5, 0.9, -5.0], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0], F64)),
     np.array([[0.1, 0.2], [1.0, -1.0]], F64)),
    (dict(loc=np.array(0.5, F32), scale=np.array(2.0, F32)), np.array([0.0, 1.0], F32)),
    (dict(loc=0.0, scale=1.0), np.array(0.3, F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_laplace_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Laplace", kwargs)
    for name in ("log_prob", "cdf"):
        assert_same(getattr(nt, name)(numtorch.tensor(value)), getattr(pt, name)(torch.tensor(value)))
    u = np.clip(np.abs(value) % 1, 0.05, 0.95).astype(value.dtype)
    assert_same(nt.icdf(numtorch.tensor(u)), pt.icdf(torch.tensor(u)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_laplace_draws_match_torch(kwargs, _, seed, sample_shape):
    # the uniform numbers are PyTorch's exactly; log1p of them may differ in the last bit
    nt, _, pt, _ = both("Laplace", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed,
               exact=False)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed,
               exact=False)


@pytest.mark.parametrize("seed", SEEDS)
def test_laplace_draws_the_uniform_numbers_torch_draws(seed):
    # inverting the sampler's transform recovers u; equal u means the same stream and shape
    nt, _, pt, _ = both("Laplace", dict(loc=0.0, scale=1.0))
    same_draws(lambda: nt.cdf(nt.sample((50,))), lambda: pt.cdf(pt.sample((50,))), seed,
               exact=False)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "cdf"])
def test_laplace_gradients_match_torch(method):
    kwargs, value = CASES[0]
    nt, ntp, pt, ptp = both("Laplace", kwargs, requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(4)
        torch.manual_seed(4)
        a, b = nt.rsample((3,)), pt.rsample((3,))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        a, b = getattr(nt, method)(numtorch.tensor(value)), getattr(pt, method)(torch.tensor(value))
    same_grads(a, ntp, b, ptp)


def test_laplace_errors_match_torch():
    L, TL = numtorch.distributions.Laplace, torch.distributions.Laplace
    same_error(lambda: L(0.0, numtorch.tensor([-1.0])), lambda: TL(0.0, torch.tensor([-1.0])))
