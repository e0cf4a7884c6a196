"""Normal against torch.distributions.Normal: values, draws, gradients, repr, errors."""

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

F32 = np.float32
F64 = np.float64

CASES = [
    # loc, scale, value: broadcasting, both dtypes, 0-d and Python-number parameters
    (dict(loc=np.array([0.0, 1.5, -2.0], F32), scale=np.array([1.0, 0.5, 3.0], F32)),
     np.array([0.3, -1.0, 2.0], F32)),
    (dict(loc=np.array([[0.0], [1.0]], F64), scale=np.array([0.5, 2.0, 1.0], F64)),
     np.array([[0.1, 0.2, 0.3], [1.0, -1.0, 4.0]], F64)),
    (dict(loc=np.array(0.5, F32), scale=np.array(2.0, F32)), np.array([0.0, 1.0], F32)),
    (dict(loc=1.0, scale=np.array([0.5, 2.0], F64)), np.array(0.25, F64)),
    (dict(loc=0.0, scale=1.0), np.array([0.5, -3.0], F32)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_normal_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Normal", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.cdf(numtorch.tensor(value)), pt.cdf(torch.tensor(value)))
    u = np.clip(np.abs(value) % 1, 0.05, 0.95).astype(value.dtype)
    assert_same(nt.icdf(numtorch.tensor(u)), pt.icdf(torch.tensor(u)))
    assert_same(nt.entropy(), pt.entropy())
    assert_same(nt.perplexity(), pt.perplexity())
    check_moments(nt, pt)
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES[:4])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_normal_sample_and_rsample_reproduce_torch_draws(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Normal", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed)


@pytest.mark.parametrize("kwargs,value", CASES[:2])
def test_normal_gradients_match_torch(kwargs, value):
    for method in ("rsample", "log_prob", "entropy", "cdf"):
        nt, ntp, pt, ptp = both("Normal", kwargs, requires_grad=True)
        if method == "rsample":
            numtorch.manual_seed(3)
            torch.manual_seed(3)
            a, b = nt.rsample((2,)), pt.rsample((2,))
        elif method == "entropy":
            a, b = nt.entropy(), pt.entropy()
        else:
            a = getattr(nt, method)(numtorch.tensor(value))
            b = getattr(pt, method)(torch.tensor(value))
        assert a.requires_grad
        same_grads(a, ntp, b, ptp)


def test_normal_sample_is_outside_the_graph():
    loc = numtorch.zeros(2, requires_grad=True)
    d = numtorch.distributions.Normal(loc, 1.0)
    assert not d.sample().requires_grad
    assert d.rsample().requires_grad
    assert d.has_rsample


def test_normal_expand_matches_torch():
    nt, _, pt, _ = both("Normal", CASES[0][0])
    a, b = nt.expand((4, 3)), pt.expand((4, 3))
    assert a.batch_shape == b.batch_shape == (4, 3)
    same_repr(a, b)
    same_draws(lambda: a.sample((2,)), lambda: b.sample((2,)), 5)
    assert a._validate_args == b._validate_args


def test_normal_support_and_arg_constraints():
    nt, _, pt, _ = both("Normal", CASES[0][0])
    assert repr(nt.support) == repr(pt.support) == "Real()"
    assert {k: repr(v) for k, v in nt.arg_constraints.items()} == \
        {k: repr(v) for k, v in pt.arg_constraints.items()}


def test_normal_invalid_scale_raises_torchs_error():
    same_error(lambda: numtorch.distributions.Normal(numtorch.zeros(2),
                                                     numtorch.tensor([1.0, -1.0])),
               lambda: torch.distributions.Normal(torch.zeros(2), torch.tensor([1.0, -1.0])))
    same_error(lambda: numtorch.distributions.Normal(float("nan"), 1.0),
               lambda: torch.distributions.Normal(float("nan"), 1.0))


def test_normal_validate_args_false_skips_the_check():
    d = numtorch.distributions.Normal(0.0, -1.0, validate_args=False)
    assert d.scale.item() == -1.0


def test_normal_log_prob_value_errors_match_torch():
    nt = numtorch.distributions.Normal(numtorch.zeros(3), numtorch.ones(3))
    pt = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    same_error(lambda: nt.log_prob(numtorch.zeros(2)), lambda: pt.log_prob(torch.zeros(2)))
    same_error(lambda: nt.log_prob([0.0]), lambda: pt.log_prob([0.0]))
    same_error(lambda: nt.log_prob(numtorch.tensor([0.0, float("nan"), 1.0])),
               lambda: pt.log_prob(torch.tensor([0.0, float("nan"), 1.0])))


def test_non_tensor_parameter_is_refused():
    with pytest.raises(ValueError) as pt_err:
        torch.distributions.Normal("a", 1.0)
    with pytest.raises(ValueError) as nt_err:
        numtorch.distributions.Normal("a", 1.0)
    # the protocol keeps its name: only the tensor type is numtorch's
    assert str(nt_err.value) == str(pt_err.value).replace("torch.Tensor", "numtorch.Tensor")
