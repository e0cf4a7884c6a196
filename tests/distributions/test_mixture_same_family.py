"""MixtureSameFamily against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import SEEDS, assert_same, same_draws, same_error, same_grads
from tests.utils import torch

F32, F64 = np.float32, np.float64
MIX_LOGITS = np.random.default_rng(2).standard_normal((2, 3))


def build(lib, which, requires_grad=False):
    D = lib.distributions

    def t(a):
        x = lib.tensor(a)
        return x.requires_grad_(True) if requires_grad else x

    if which == "normal":
        params = [t(np.array([0.1, 0.6, 0.3], F32)), t(np.array([-1.0, 0.0, 2.0], F32)),
                  t(np.array([0.5, 1.0, 0.3], F32))]
        d = D.MixtureSameFamily(D.Categorical(probs=params[0]), D.Normal(params[1], params[2]))
    elif which == "batched":
        params = [t(MIX_LOGITS),
                  t(np.linspace(-1, 1, 12).reshape(4, 1, 3)),
                  t(np.full((4, 2, 3), 0.7))]
        d = D.MixtureSameFamily(D.Categorical(logits=params[0]), D.Normal(params[1], params[2]))
    elif which == "mvn":
        params = [t(np.array([0.5, 0.5], F32)), t(np.array([[0.0, 1.0], [2.0, -1.0]], F32))]
        scale_tril = lib.tensor(np.array([[[1.0, 0.0], [0.3, 0.5]]] * 2, F32))
        d = D.MixtureSameFamily(D.Categorical(params[0]),
                                D.MultivariateNormal(params[1], scale_tril=scale_tril))
    else:  # independent
        params = [t(np.array([0.2, 0.8], F32)), t(np.array([[0.0, 1.0], [2.0, -1.0]], F32))]
        d = D.MixtureSameFamily(D.Categorical(params[0]),
                                D.Independent(D.Normal(params[1], 1.0), 1))
    return d, params


WHICH = ["normal", "batched", "mvn", "independent"]
VALUES = {"normal": np.array([0.3, -1.0, 2.5], F32), "batched": np.array([[0.3], [-0.5], [0.1], [1.0]], F64),
          "mvn": np.array([[0.5, 0.5], [1.0, -2.0]], F32),
          "independent": np.array([[0.5, 0.5], [1.0, -2.0]], F32)}


@pytest.mark.parametrize("which", WHICH)
def test_mixture_values_match_torch(which):
    a, _ = build(numtorch, which)
    b, _ = build(torch, which)
    assert a.batch_shape == b.batch_shape and a.event_shape == b.event_shape
    assert repr(a) == repr(b).replace("torch", "numtorch")
    assert repr(a.support) == repr(b.support)
    v = VALUES[which]
    assert_same(a.log_prob(numtorch.tensor(v)), b.log_prob(torch.tensor(v)), rtol=1e-5)
    if which in ("normal", "batched"):
        assert_same(a.cdf(numtorch.tensor(v)), b.cdf(torch.tensor(v)), rtol=1e-5)
    assert_same(a.mean, b.mean)
    assert_same(a.variance, b.variance)


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_mixture_draws_equal_torchs(which, seed, sample_shape):
    a, _ = build(numtorch, which)
    b, _ = build(torch, which)
    if which == "batched":
        # weights batched (2,) against components (4, 2): PyTorch's gather refuses the
        # index of fewer dimensions, and so does numtorch's, with the same message
        same_error(lambda: a.sample(sample_shape), lambda: b.sample(sample_shape),
                   RuntimeError)
        return
    exact = which != "mvn"  # the MVN's draws pass through a matrix product
    same_draws(lambda: a.sample(sample_shape), lambda: b.sample(sample_shape), seed, exact)
    ea, eb = a.expand((3,) + tuple(a.batch_shape)), b.expand((3,) + tuple(b.batch_shape))
    same_draws(lambda: ea.sample(sample_shape), lambda: eb.sample(sample_shape), seed, exact)


@pytest.mark.parametrize("which", WHICH)
def test_mixture_log_prob_gradients_match_torch(which):
    a, ap = build(numtorch, which, requires_grad=True)
    b, bp = build(torch, which, requires_grad=True)
    v = VALUES[which]
    same_grads(a.log_prob(numtorch.tensor(v)), ap, b.log_prob(torch.tensor(v)), bp)


def test_mixture_errors_match_torch():
    D, TD = numtorch.distributions, torch.distributions
    same_error(lambda: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(0.0, 1.0)),
               lambda: TD.MixtureSameFamily(TD.Normal(0.0, 1.0), TD.Normal(0.0, 1.0)))
    same_error(lambda: D.MixtureSameFamily(D.Categorical(numtorch.ones(3)), 1.0),
               lambda: TD.MixtureSameFamily(TD.Categorical(torch.ones(3)), 1.0))
    same_error(lambda: D.MixtureSameFamily(D.Categorical(numtorch.ones(3)),
                                           D.Normal(numtorch.zeros(2), 1.0)),
               lambda: TD.MixtureSameFamily(TD.Categorical(torch.ones(3)),
                                            TD.Normal(torch.zeros(2), 1.0)))
    same_error(lambda: D.MixtureSameFamily(D.Categorical(numtorch.ones(3, 2)),
                                           D.Normal(numtorch.zeros(4, 2), 1.0)),
               lambda: TD.MixtureSameFamily(TD.Categorical(torch.ones(3, 2)),
                                            TD.Normal(torch.zeros(4, 2), 1.0)))
