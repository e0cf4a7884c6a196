"""MultivariateNormal (covariance, precision, scale_tril) and Independent against PyTorch."""

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


def _spd(n, batch=(), dtype=F64, seed=0):
    a = np.random.default_rng(seed).standard_normal(batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def _tril(n, batch=(), dtype=F64, seed=0):
    return np.linalg.cholesky(_spd(n, batch, F64, seed)).astype(dtype)


CASES = [
    dict(loc=np.array([0.0, 1.0, -1.0], F64), covariance_matrix=_spd(3)),
    dict(loc=np.array([[0.0, 1.0], [2.0, -1.0]], F32), covariance_matrix=_spd(2, dtype=F32)),
    dict(loc=np.zeros(3, F64), precision_matrix=_spd(3, (2,), seed=1)),
    dict(loc=np.array([[0.5, 1.0, 0.0]], F64), scale_tril=_tril(3, (2,), seed=2)),
    dict(loc=np.array([1.0, 2.0], F32), scale_tril=_tril(2, dtype=F32, seed=3)),
]


@pytest.mark.parametrize("kwargs", CASES)
def test_mvn_values_match_torch(kwargs):
    nt, _, pt, _ = both("MultivariateNormal", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    rtol = 1e-4 if kwargs["loc"].dtype == F32 else 1e-10
    value = np.random.default_rng(5).standard_normal((4,) + tuple(pt.batch_shape)
                                                     + tuple(pt.event_shape))
    value = value.astype(kwargs["loc"].dtype)
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)), rtol=rtol)
    assert_same(nt.entropy(), pt.entropy(), rtol=rtol)
    check_moments(nt, pt)
    same_repr(nt, pt)
    for name in ("scale_tril", "covariance_matrix", "precision_matrix"):
        assert_same(getattr(nt, name), getattr(pt, name), rtol=rtol, atol=1e-5)
    same_repr(nt, pt)  # the lazy matrices now show


@pytest.mark.parametrize("kwargs", CASES)
@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_mvn_draws_match_torch(kwargs, seed, sample_shape):
    # the normal numbers are PyTorch's exactly; the matrix product may round differently
    nt, _, pt, _ = both("MultivariateNormal", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed,
               exact=False)
    same_draws(lambda: nt.rsample(sample_shape), lambda: pt.rsample(sample_shape), seed,
               exact=False)


@pytest.mark.parametrize("kwargs", [CASES[0], CASES[2], CASES[3]])
def test_mvn_gradients_match_torch(kwargs):
    value = np.random.default_rng(6).standard_normal((3, 3)).astype(F64)
    for method in ("rsample", "log_prob", "entropy"):
        nt, ntp, pt, ptp = both("MultivariateNormal", kwargs, requires_grad=True)
        if method == "rsample":
            numtorch.manual_seed(2)
            torch.manual_seed(2)
            a, b = nt.rsample((2,)), pt.rsample((2,))
        elif method == "entropy":
            a, b = nt.entropy(), pt.entropy()
        else:
            v = value[:, None, :] if len(pt.batch_shape) else value
            a, b = nt.log_prob(numtorch.tensor(v)), pt.log_prob(torch.tensor(v))
        # the gradient of a symmetric matrix parameter is only defined up to its
        # symmetric part: compare (G + G^T) / 2
        same_grads(a, ntp[:1], b, ptp[:1], rtol=1e-7, atol=1e-9)
        ga = [p.grad for p in ntp[1:]]
        gb = [p.grad for p in ptp[1:]]
        for x, y in zip(ga, gb):
            x, y = x.numpy(), y.numpy()
            np.testing.assert_allclose(x + np.swapaxes(x, -1, -2), y + np.swapaxes(y, -1, -2),
                                       rtol=1e-7, atol=1e-9)


def test_mvn_expand_matches_torch():
    nt, _, pt, _ = both("MultivariateNormal", CASES[0])
    a, b = nt.expand((2,)), pt.expand((2,))
    assert a.batch_shape == b.batch_shape
    same_repr(a, b)
    same_draws(lambda: a.sample((3,)), lambda: b.sample((3,)), 0, exact=False)


def test_mvn_errors_match_torch():
    M, TM = numtorch.distributions.MultivariateNormal, torch.distributions.MultivariateNormal
    same_error(lambda: M(numtorch.tensor(0.0), numtorch.eye(1)),
               lambda: TM(torch.tensor(0.0), torch.eye(1)))
    same_error(lambda: M(numtorch.zeros(2)), lambda: TM(torch.zeros(2)))
    same_error(lambda: M(numtorch.zeros(2), numtorch.eye(2), scale_tril=numtorch.eye(2)),
               lambda: TM(torch.zeros(2), torch.eye(2), scale_tril=torch.eye(2)))
    for name in ("covariance_matrix", "precision_matrix", "scale_tril"):
        same_error(lambda name=name: M(numtorch.zeros(2), **{name: numtorch.ones(2)}),
                   lambda name=name: TM(torch.zeros(2), **{name: torch.ones(2)}))
    bad = np.array([[1.0, 2.0], [2.0, 1.0]], F32)   # symmetric, not positive definite
    same_error(lambda: M(numtorch.zeros(2), numtorch.tensor(bad)),
               lambda: TM(torch.zeros(2), torch.tensor(bad)))
    upper = np.array([[1.0, 2.0], [0.0, 1.0]], F32)
    same_error(lambda: M(numtorch.zeros(2), scale_tril=numtorch.tensor(upper)),
               lambda: TM(torch.zeros(2), scale_tril=torch.tensor(upper)))
    d, td = M(numtorch.zeros(2), numtorch.eye(2)), TM(torch.zeros(2), torch.eye(2))
    same_error(lambda: d.log_prob(numtorch.zeros(3)), lambda: td.log_prob(torch.zeros(3)))


# --- Independent --------------------------------------------------------------------


def test_independent_matches_torch():
    kwargs = dict(loc=np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]], F32),
                  scale=np.array([0.5, 1.0, 2.0], F32))
    value = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(F32)
    for n in (0, 1, 2):
        nt, ntp, pt, ptp = both("Normal", kwargs, requires_grad=True)
        a = numtorch.distributions.Independent(nt, n)
        b = torch.distributions.Independent(pt, n)
        assert a.batch_shape == b.batch_shape and a.event_shape == b.event_shape
        assert a.has_rsample == b.has_rsample
        assert repr(a.support) == repr(b.support)
        same_repr(a, b)
        assert_same(a.log_prob(numtorch.tensor(value)), b.log_prob(torch.tensor(value)))
        check_moments(a, b)
        same_draws(lambda a=a: a.sample((2,)), lambda b=b: b.sample((2,)), n)
        e = a.expand((5,) + tuple(a.batch_shape))
        f = b.expand((5,) + tuple(b.batch_shape))
        assert e.batch_shape == f.batch_shape and e.event_shape == f.event_shape
        same_grads(a.entropy(), ntp, b.entropy(), ptp)


def test_independent_errors_match_torch():
    nt = numtorch.distributions.Normal(numtorch.zeros(2), 1.0)
    pt = torch.distributions.Normal(torch.zeros(2), 1.0)
    same_error(lambda: numtorch.distributions.Independent(nt, 2),
               lambda: torch.distributions.Independent(pt, 2))
    a = numtorch.distributions.Independent(numtorch.distributions.Bernoulli(
        numtorch.tensor([0.5, 0.5])), 1)
    b = torch.distributions.Independent(torch.distributions.Bernoulli(
        torch.tensor([0.5, 0.5])), 1)
    assert a.has_enumerate_support == b.has_enumerate_support is False
    same_error(lambda: a.enumerate_support(), lambda: b.enumerate_support(),
               NotImplementedError)
