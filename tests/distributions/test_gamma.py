"""Gamma and Chi2 against torch.distributions."""

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
    ("Gamma", dict(concentration=np.array([0.5, 1.0, 3.0], F32), rate=np.array([1.0, 2.0, 0.5], F32)),
     np.array([0.3, 1.5, 4.0], F32)),
    ("Gamma", dict(concentration=np.array([[0.2], [7.0]], F64), rate=np.array([1.5, 0.1, 9.0], F64)),
     np.array([[0.5, 2.0, 1e-3]], F64)),
    ("Gamma", dict(concentration=np.array(2.0, F32), rate=3.0), np.array([0.1, 4.0], F32)),
    ("Gamma", dict(concentration=1.5, rate=0.5), np.array(0.7, F32)),
    ("Chi2", dict(df=np.array([1.0, 2.5, 10.0], F32)), np.array([0.5, 1.0, 12.0], F32)),
    ("Chi2", dict(df=3.0), np.array(0.2, F32)),
]


@pytest.mark.parametrize("name,kwargs,value", CASES)
def test_values_match_torch(name, kwargs, value):
    nt, _, pt, _ = both(name, kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    for method in ("log_prob", "cdf"):
        assert_same(getattr(nt, method)(numtorch.tensor(value)),
                    getattr(pt, method)(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)
    if name == "Chi2":
        assert_same(nt.df, pt.df)


@pytest.mark.parametrize("name,kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(name, kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both(name, kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)


def test_expand_keeps_the_draws():
    for name, kwargs, _ in CASES[:1] + CASES[4:5]:
        nt, _, pt, _ = both(name, kwargs)
        ne, pe = nt.expand((2, 3)), pt.expand((2, 3))
        assert type(ne).__name__ == name and ne.batch_shape == pe.batch_shape
        same_draws(lambda ne=ne: ne.sample((2,)), lambda pe=pe: pe.sample((2,)), 4)


def test_rsample_lifts_underflow_to_the_smallest_normal_number():
    nt, _, pt, _ = both("Gamma", dict(concentration=np.array([1e-3, 0.01], F32),
                                      rate=np.array([1e30, 1e30], F32)))
    same_draws(lambda: nt.rsample((4,)), lambda: pt.rsample((4,)), 0)


@pytest.mark.parametrize("method", ["rsample", "log_prob", "entropy", "mean", "variance"])
@pytest.mark.parametrize("case", [0, 4])
def test_gradients_match_torch(method, case):
    name, kwargs, value = CASES[case]
    nt, ntp, pt, ptp = both(name, kwargs, requires_grad=True)
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
    same_grads(a, ntp, b, ptp)


def test_gamma_family_entropy_by_autograd_matches_closed_form():
    c = numtorch.tensor([0.5, 2.0, 7.0], dtype=numtorch.float64)
    d = numtorch.distributions.Gamma(c, numtorch.tensor([1.0, 3.0, 0.2], dtype=numtorch.float64))
    generic = numtorch.distributions.ExponentialFamily.entropy(d)
    np.testing.assert_allclose(generic.detach().numpy(), d.entropy().numpy(), rtol=1e-10)


def test_arg_constraints_support_and_errors_match_torch():
    for name, args in (("Gamma", ([1.0, 0.0], 1.0)), ("Gamma", (1.0, [-1.0])), ("Chi2", ([0.0],))):
        N, T = getattr(numtorch.distributions, name), getattr(torch.distributions, name)
        nt_args = [numtorch.tensor(a) if isinstance(a, list) else a for a in args]
        pt_args = [torch.tensor(a) if isinstance(a, list) else a for a in args]
        same_error(lambda N=N, x=nt_args: N(*x), lambda T=T, x=pt_args: T(*x))
    G, TG = numtorch.distributions.Gamma, torch.distributions.Gamma
    same_error(lambda: G(1.0, 1.0).log_prob(numtorch.tensor(-1.0)),
               lambda: TG(1.0, 1.0).log_prob(torch.tensor(-1.0)))
    assert repr(G.support) == repr(TG.support).replace("torch", "numtorch")
    assert G.has_rsample and numtorch.distributions.Chi2.arg_constraints.keys() == {"df"}
