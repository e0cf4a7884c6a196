"""VonMises against torch.distributions.VonMises."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import SEEDS, assert_same, both, same_draws, same_error, same_repr
from tests.utils import torch

F32, F64 = np.float32, np.float64

CASES = [
    (dict(loc=np.array([1.0, -2.0, 0.5], F32), concentration=np.array([1.0, 1e-6, 30.0], F32)),
     np.array([0.3, 7.0, -1.0], F32)),
    (dict(loc=np.array([[0.3], [3.0]], F64), concentration=np.array([0.5, 2.0, 5.0], F64)),
     np.array([[0.5, 2.0, -3.0]], F64)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("VonMises", kwargs)
    assert nt.batch_shape == pt.batch_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    for name in ("mean", "mode", "variance"):
        assert_same(getattr(nt, name), getattr(pt, name))
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", [(), (3,), (200,)])
def test_draws_match_torch_to_rounding(kwargs, _, seed, sample_shape):
    # same uniforms, same rounds of the rejection loop; a cos / log / acos may round
    # differently in the last bit of the double computation
    nt, _, pt, _ = both("VonMises", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed,
               exact=False)
    assert numtorch.rand(1).item() == torch.rand(1).item()        # the generators agree
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    same_draws(lambda: ne.sample(), lambda: pe.sample(), seed, exact=False)


def test_log_prob_gradient_matches_torch():
    kwargs, value = CASES[1]
    nt, ntp, pt, ptp = both("VonMises", kwargs, requires_grad=True)
    (nt.log_prob(numtorch.tensor(value)) * 1.0).sum().backward()
    pt.log_prob(torch.tensor(value)).sum().backward()
    for a, b in zip(ntp, ptp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


def test_errors_match_torch():
    V, TV = numtorch.distributions.VonMises, torch.distributions.VonMises
    same_error(lambda: V(numtorch.tensor([0.0]), numtorch.tensor([-1.0])),
               lambda: TV(torch.tensor([0.0]), torch.tensor([-1.0])))
    assert not V.has_rsample
