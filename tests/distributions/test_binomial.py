"""Binomial against torch.distributions.Binomial."""

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
    (dict(total_count=100, probs=np.array([0.0, 0.2, 0.8, 1.0], F32)),
     np.array([0.0, 22.0, 71.0, 100.0], F32)),
    (dict(total_count=np.array([[5.0], [40.0]], F64), probs=np.array([0.5, 0.05], F64)),
     np.array([[2.0, 1.0]], F64)),
    (dict(total_count=np.array([3.0, 30.0], F32), logits=np.array([0.3, -2.0], F32)),
     np.array([1.0, 4.0], F32)),
    (dict(total_count=12, logits=np.array(1.5, F64)), np.array(7.0, F64)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Binomial", kwargs)
    assert nt.batch_shape == pt.batch_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    check_moments(nt, pt)
    assert_same(nt.logits, pt.logits)
    assert_same(nt.probs, pt.probs)
    same_repr(nt, pt)
    assert repr(nt.support) == repr(pt.support).replace("torch", "numtorch")
    if np.ndim(kwargs["total_count"]) == 0:         # one total count: a finite support
        assert_same(nt.enumerate_support(), pt.enumerate_support())
        assert_same(nt.enumerate_support(False), pt.enumerate_support(False))


@pytest.mark.parametrize("kwargs", [CASES[0][0], CASES[3][0]])
def test_entropy_matches_torch(kwargs):
    nt, _, pt, _ = both("Binomial", kwargs)
    assert_same(nt.entropy(), pt.entropy())


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_draws_match_torch_bit_for_bit(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Binomial", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    same_draws(lambda: ne.sample(sample_shape), lambda: pe.sample(sample_shape), seed)


@pytest.mark.parametrize("case", [1, 2])
def test_log_prob_gradients_match_torch(case):
    kwargs, value = CASES[case]
    nt, ntp, pt, ptp = both("Binomial", kwargs, requires_grad=True)
    same_grads(nt.log_prob(numtorch.tensor(value)), ntp[1:], pt.log_prob(torch.tensor(value)),
               ptp[1:])


def test_errors_match_torch():
    B, TB = numtorch.distributions.Binomial, torch.distributions.Binomial
    same_error(lambda: B(3), lambda: TB(3))
    same_error(lambda: B(3, numtorch.tensor([1.5])), lambda: TB(3, torch.tensor([1.5])))
    same_error(lambda: B(2, numtorch.tensor([0.5])).log_prob(numtorch.tensor([3.0])),
               lambda: TB(2, torch.tensor([0.5])).log_prob(torch.tensor([3.0])))
    for fn in ("entropy", "enumerate_support"):
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            getattr(B(numtorch.tensor([2.0, 3.0]), numtorch.tensor([0.5, 0.5])), fn)()


@pytest.mark.parametrize("name", ["Binomial", "NegativeBinomial"])
@pytest.mark.parametrize("given", ["probs", "logits"])
def test_count_family_expand_keeps_computed_params(name, given):
    # the shared total_count / probs / logits handling (distributions.utils)
    param = np.array([0.2, 0.6], np.float64) if given == "probs" else np.array([-1.0, 0.5])
    nt = getattr(numtorch.distributions, name)(3.0, **{given: numtorch.tensor(param)})
    pt = getattr(torch.distributions, name)(3.0, **{given: torch.tensor(param)})
    assert nt.total_count.dtype == numtorch.float64
    nt.probs, nt.logits, pt.probs, pt.logits  # noqa: B018 (computes the lazy one)
    ne, pe = nt.expand((4, 2)), pt.expand((4, 2))
    assert ne.param_shape == pe.param_shape == (4, 2)
    assert sorted(k for k in ("probs", "logits") if k in ne.__dict__) == ["logits", "probs"]
    for attr in ("total_count", "probs", "logits", "mean", "variance"):
        assert_same(getattr(ne, attr), getattr(pe, attr))
    assert_same(ne.log_prob(numtorch.tensor([1.0, 2.0])), pe.log_prob(torch.tensor([1.0, 2.0])))
