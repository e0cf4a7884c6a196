"""LowRankMultivariateNormal against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import SEEDS, assert_same, both, same_draws, same_error, same_grads
from tests.utils import torch

F32, F64 = np.float32, np.float64
RNG = np.random.default_rng(4)

CASES = [
    dict(loc=np.array([0.0, 1.0, -1.0], F32), cov_factor=RNG.standard_normal((3, 2)).astype(F32),
         cov_diag=np.array([0.5, 1.0, 2.0], F32)),
    dict(loc=RNG.standard_normal((2, 4)), cov_factor=RNG.standard_normal((4, 1)),
         cov_diag=np.abs(RNG.standard_normal((3, 1, 4))) + 0.2),
]


@pytest.mark.parametrize("case", range(2))
def test_lowrank_values_match_torch(case):
    nt, _, pt, _ = both("LowRankMultivariateNormal", CASES[case])
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    torch.manual_seed(1)
    v = pt.sample((5,))
    assert_same(nt.log_prob(numtorch.tensor(v.numpy())), pt.log_prob(v), rtol=1e-5, atol=1e-5)
    assert_same(nt.entropy(), pt.entropy())
    for name in ("mean", "mode", "variance", "stddev", "scale_tril", "covariance_matrix",
                 "precision_matrix"):
        assert_same(getattr(nt, name), getattr(pt, name), rtol=1e-5, atol=1e-5)
    assert repr(nt) == repr(pt).replace("torch", "numtorch")


@pytest.mark.parametrize("case", range(2))
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", [(), (3,), (2, 4)])
def test_lowrank_draws_match_torch(case, seed, sample_shape):
    # PyTorch's normal numbers in PyTorch's order (the rank-sized ones first), through a
    # matrix product that may round differently
    nt, _, pt, _ = both("LowRankMultivariateNormal", CASES[case])
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed,
               exact=False)
    ne, pe = nt.expand((2,) + tuple(nt.batch_shape)), pt.expand((2,) + tuple(pt.batch_shape))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed,
               exact=False)


@pytest.mark.parametrize("method", ["log_prob", "rsample", "entropy"])
def test_lowrank_gradients_match_torch(method):
    nt, ntp, pt, ptp = both("LowRankMultivariateNormal", CASES[1], requires_grad=True)
    if method == "rsample":
        numtorch.manual_seed(3)
        torch.manual_seed(3)
        a, b = nt.rsample((2,)), pt.rsample((2,))
    elif method == "entropy":
        a, b = nt.entropy(), pt.entropy()
    else:
        v = RNG.standard_normal((2, 4))
        a, b = nt.log_prob(numtorch.tensor(v)), pt.log_prob(torch.tensor(v))
    same_grads(a, ntp, b, ptp)


def test_lowrank_errors_match_torch():
    L, TL = numtorch.distributions.LowRankMultivariateNormal, \
        torch.distributions.LowRankMultivariateNormal
    for args in [((), (3, 1), (3,)), ((3,), (3,), (3,)), ((3,), (2, 1), (3,)),
                 ((3,), (3, 1), (2,)), ((2, 3), (4, 3, 1), (3,))]:
        same_error(lambda a=args: L(numtorch.zeros(a[0]), numtorch.ones(a[1]),
                                    numtorch.ones(a[2])),
                   lambda a=args: TL(torch.zeros(a[0]), torch.ones(a[1]), torch.ones(a[2])))
    # a negative diagonal fails the capacitance matrix's Cholesky before validation
    with pytest.raises(torch.linalg.LinAlgError):
        TL(torch.zeros(2), torch.ones(2, 1), -torch.ones(2))
    with pytest.raises(numtorch.linalg.LinAlgError):
        L(numtorch.zeros(2), numtorch.ones(2, 1), -numtorch.ones(2))
