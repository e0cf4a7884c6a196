"""Transforms, TransformedDistribution and LogNormal against PyTorch's."""

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


def transforms(lib, which):
    T = lib.distributions
    return {
        "exp": [T.ExpTransform()],
        "affine": [T.AffineTransform(lib.tensor([1.0, -2.0]), 3.0)],
        "sigmoid": [T.SigmoidTransform()],
        "tanh": [T.TanhTransform()],
        "compose": [T.ComposeTransform([T.AffineTransform(0.5, -2.0), T.ExpTransform()])],
        "chain": [T.TanhTransform(), T.AffineTransform(1.0, 2.0)],
        "inverse": [T.ExpTransform().inv],
    }[which]


WHICH = ["exp", "affine", "sigmoid", "tanh", "compose", "chain", "inverse"]


def pair(which, requires_grad=False):
    loc = np.array([0.1, -0.3], F32) if which != "inverse" else np.array([1.5, 2.0], F32)
    nt, ntp, pt, ptp = both("Normal", dict(loc=loc, scale=np.array([0.5, 0.2], F32)),
                            requires_grad)
    a = numtorch.distributions.TransformedDistribution(nt, transforms(numtorch, which))
    b = torch.distributions.TransformedDistribution(pt, transforms(torch, which))
    return a, ntp, b, ptp


@pytest.mark.parametrize("which", WHICH)
def test_transformed_distribution_matches_torch(which):
    a, _, b, _ = pair(which)
    assert a.batch_shape == b.batch_shape and a.event_shape == b.event_shape
    assert repr(a.support) == repr(b.support)
    same_repr(a, b)
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    xa, xb = a.sample((3,)), b.sample((3,))
    assert_same(xa, xb, rtol=1e-5)
    assert_same(a.log_prob(numtorch.tensor(xb.numpy())), b.log_prob(xb), rtol=1e-4, atol=1e-4)
    if which in ("exp", "affine", "sigmoid", "compose"):
        assert_same(a.cdf(numtorch.tensor(xb.numpy())), b.cdf(xb), rtol=1e-4, atol=1e-5)
        u = numtorch.tensor([0.3, 0.8])
        assert_same(a.icdf(u), b.icdf(torch.tensor([0.3, 0.8])), rtol=1e-5)


@pytest.mark.parametrize("which", ["exp", "affine", "tanh", "compose"])
def test_transformed_rsample_and_log_prob_gradients_match_torch(which):
    a, ntp, b, ptp = pair(which, requires_grad=True)
    numtorch.manual_seed(1)
    torch.manual_seed(1)
    same_grads(a.rsample((2,)), ntp, b.rsample((2,)), ptp, rtol=1e-4, atol=1e-4)
    a, ntp, b, ptp = pair(which, requires_grad=True)
    v = np.array([0.5, 0.7], F32)
    same_grads(a.log_prob(numtorch.tensor(v)), ntp, b.log_prob(torch.tensor(v)), ptp)


def test_transform_reprs_equality_and_shapes():
    for which in WHICH:
        for x, y in zip(transforms(numtorch, which), transforms(torch, which)):
            assert repr(x) == repr(y)
            assert repr(x.domain) == repr(y.domain) and repr(x.codomain) == repr(y.codomain)
            assert x.forward_shape((3, 2)) == y.forward_shape((3, 2))
    T = numtorch.distributions
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.TanhTransform()
    assert T.ExpTransform().inv.inv == T.ExpTransform()
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0)
    assert T.AffineTransform(1.0, 2.0).sign == 1 and T.AffineTransform(0.0, -1.0).sign == -1


def test_transform_cache_returns_the_original_input():
    t = numtorch.distributions.ExpTransform().with_cache(1)
    x = numtorch.tensor([0.5, 1.0])
    y = t(x)
    assert t.inv(y) is x
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        numtorch.distributions.ExpTransform(cache_size=2)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_log_normal_matches_torch(dtype):
    kwargs = dict(loc=np.array([0.0, 0.5, -1.0], dtype), scale=np.array([1.0, 0.3, 2.0], dtype))
    nt, _, pt, _ = both("LogNormal", kwargs)
    value = np.array([0.5, 1.0, 3.0], dtype)
    for name in ("log_prob", "cdf"):
        assert_same(getattr(nt, name)(numtorch.tensor(value)),
                    getattr(pt, name)(torch.tensor(value)))
    assert_same(nt.icdf(numtorch.tensor(value % 1)), pt.icdf(torch.tensor(value % 1)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt)
    same_repr(nt, pt)
    e, f = nt.expand((2, 3)), pt.expand((2, 3))
    assert e.batch_shape == f.batch_shape and type(e).__name__ == "LogNormal"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_log_normal_draws_match_torch(seed, sample_shape):
    # the normal numbers are PyTorch's exactly; exp of them may differ in the last bit
    nt, _, pt, _ = both("LogNormal", dict(loc=np.array([0.0, 1.0], F32), scale=0.5))
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed,
               exact=False)
    same_draws(lambda: nt.rsample(sample_shape).log(), lambda: pt.rsample(sample_shape).log(),
               seed, exact=False)


def test_log_normal_gradients_match_torch():
    kwargs = dict(loc=np.array([0.0, 0.5], F64), scale=np.array([1.0, 0.3], F64))
    for method in ("rsample", "log_prob", "entropy"):
        nt, ntp, pt, ptp = both("LogNormal", kwargs, requires_grad=True)
        if method == "rsample":
            numtorch.manual_seed(0)
            torch.manual_seed(0)
            a, b = nt.rsample((3,)), pt.rsample((3,))
        elif method == "entropy":
            a, b = nt.entropy(), pt.entropy()
        else:
            v = np.array([0.7, 2.0], F64)
            a, b = nt.log_prob(numtorch.tensor(v)), pt.log_prob(torch.tensor(v))
        same_grads(a, ntp, b, ptp)


def test_transformed_distribution_errors_match_torch():
    nt = numtorch.distributions.Normal(0.0, 1.0)
    pt = torch.distributions.Normal(0.0, 1.0)
    same_error(lambda: numtorch.distributions.TransformedDistribution(nt, [1]),
               lambda: torch.distributions.TransformedDistribution(pt, [1]))
    same_error(lambda: numtorch.distributions.TransformedDistribution(nt, "exp"),
               lambda: torch.distributions.TransformedDistribution(pt, "exp"))
    same_error(lambda: numtorch.distributions.LogNormal(0.0, 1.0).log_prob(
        numtorch.tensor([-1.0])),
        lambda: torch.distributions.LogNormal(0.0, 1.0).log_prob(torch.tensor([-1.0])))
