"""kl_divergence and register_kl against torch.distributions.kl."""

import warnings

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import both, same_grads
from tests.utils import torch

F64 = np.float64
A = np.array

SPECS = {
    "Normal": dict(loc=A([0.0, 1.0, -2.0]), scale=A([1.0, 0.5, 2.0])),
    "Normal2": dict(loc=A([0.5, 0.0, 1.0]), scale=A([2.0, 1.0, 0.3])),
    "Uniform": dict(low=A([0.0, -1.0, 0.5]), high=A([1.0, 2.0, 3.0])),
    "Uniform2": dict(low=A([-1.0, -1.0, 1.0]), high=A([2.0, 1.0, 4.0])),
    "Exponential": dict(rate=A([0.5, 1.0, 3.0])),
    "Exponential2": dict(rate=A([1.0, 2.0, 0.5])),
    "Laplace": dict(loc=A([0.0, 1.0, 2.0]), scale=A([1.0, 0.5, 2.0])),
    "Laplace2": dict(loc=A([1.0, 0.0, 2.0]), scale=A([0.5, 0.5, 1.0])),
    "Bernoulli": dict(probs=A([0.2, 0.5, 0.0])),
    "Bernoulli2": dict(logits=A([1.0, -2.0, 0.5])),
    "Categorical": dict(probs=A([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.1, 0.1, 0.8]])),
    "Categorical2": dict(logits=A([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [-1.0, 0.0, 3.0]])),
    "OneHotCategorical": dict(probs=A([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.1, 0.1, 0.8]])),
    "OneHotCategorical2": dict(logits=A([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [-1.0, 0.0, 3.0]])),
    "MultivariateNormal": dict(loc=A([[0.0, 1.0], [1.0, 1.0], [2.0, 0.0]]),
                               covariance_matrix=A([[2.0, 0.5], [0.5, 1.0]])),
    "MultivariateNormal2": dict(loc=A([1.0, 0.0]),
                                scale_tril=A([[[1.0, 0.0], [0.3, 2.0]]] * 3)),
}

PAIRS = [
    ("Normal", "Normal2"), ("Uniform", "Uniform2"), ("Uniform2", "Uniform"),
    ("Exponential", "Exponential2"), ("Laplace", "Laplace2"), ("Bernoulli", "Bernoulli2"),
    ("Bernoulli2", "Bernoulli"), ("Categorical", "Categorical2"),
    ("Categorical2", "Categorical"), ("OneHotCategorical", "OneHotCategorical2"),
    ("MultivariateNormal", "MultivariateNormal2"), ("Exponential", "Normal"),
    ("Exponential", "Uniform"), ("Laplace", "Normal"), ("Laplace", "Exponential"),
    ("Laplace", "Uniform"), ("Normal", "Laplace"), ("Normal", "Exponential"),
    ("Normal", "Uniform"), ("Uniform", "Normal"), ("Uniform", "Exponential"),
    ("Uniform2", "Exponential"),
]


def _make(spec, requires_grad=False):
    return both(spec.rstrip("2"), SPECS[spec], requires_grad)


@pytest.mark.parametrize("p_spec,q_spec", PAIRS)
def test_kl_divergence_values_and_gradients_match_torch(p_spec, q_spec):
    p, pp, tp, tpp = _make(p_spec, requires_grad=True)
    q, qp, tq, tqp = _make(q_spec, requires_grad=True)
    a = numtorch.distributions.kl_divergence(p, q)
    b = torch.distributions.kl_divergence(tp, tq)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[9:] == str(b.dtype)[6:]
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    if b.requires_grad:
        finite = np.isfinite(b.detach().numpy())
        mask = finite.astype(F64)
        same_grads(a * numtorch.tensor(mask), pp + qp, b * torch.tensor(mask), tpp + tqp,
                   rtol=1e-8, atol=1e-10)


def test_kl_of_independent_and_transformed_match_torch():
    for lib in (numtorch, torch):
        D = lib.distributions
        loc = lib.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=lib.float64)
        p = D.Independent(D.Normal(loc, 1.0), 1)
        q = D.Independent(D.Normal(loc * 2, 0.5), 1)
        lp = D.LogNormal(loc, 1.0)
        lq = D.LogNormal(loc + 1, 2.0)
        if lib is numtorch:
            a1, a2 = D.kl_divergence(p, q), D.kl_divergence(lp, lq)
        else:
            b1, b2 = D.kl_divergence(p, q), D.kl_divergence(lp, lq)
    np.testing.assert_allclose(a1.numpy(), b1.numpy(), rtol=1e-12)
    np.testing.assert_allclose(a2.numpy(), b2.numpy(), rtol=1e-12)


def test_kl_between_different_exponential_families_is_refused():
    D = numtorch.distributions
    with pytest.raises(NotImplementedError, match="different exponential families"):
        D.kl_divergence(D.Bernoulli(0.5), D.Normal(0.0, 1.0))


def test_kl_with_no_registered_pair_raises_torchs_error():
    with pytest.raises(NotImplementedError) as t_err:
        torch.distributions.kl_divergence(torch.distributions.Uniform(0.0, 1.0),
                                          torch.distributions.Laplace(0.0, 1.0))
    with pytest.raises(NotImplementedError) as n_err:
        numtorch.distributions.kl_divergence(numtorch.distributions.Uniform(0.0, 1.0),
                                             numtorch.distributions.Laplace(0.0, 1.0))
    assert str(n_err.value) == str(t_err.value)


def test_register_kl_with_a_user_distribution():
    D = numtorch.distributions

    class Shifted(D.Normal):
        pass

    class Other(D.Distribution):
        arg_constraints = {}

    @D.register_kl(Other, D.Normal)
    def _kl_other_normal(p, q):
        return q.loc * 0 + 42.0

    try:
        assert D.kl_divergence(Other(), D.Normal(numtorch.zeros(2), 1.0)).tolist() == [42.0, 42.0]
        # a subclass of Normal as q still dispatches to (Other, Normal)
        assert D.kl_divergence(Other(), Shifted(0.0, 1.0)).item() == 42.0
        # a subclass of Normal as p uses (Normal, Normal) until a closer pair is registered
        p, q = Shifted(0.0, 1.0), D.Normal(1.0, 1.0)
        assert D.kl_divergence(p, q).item() == pytest.approx(0.5)

        @D.register_kl(Shifted, D.Normal)
        def _kl_shifted_normal(p, q):
            return p.loc * 0 - 1.0

        assert D.kl_divergence(p, q).item() == -1.0  # the memo was reset by registering
    finally:
        for key in [(Other, D.Normal), (Shifted, D.Normal)]:
            D.kl._KL_REGISTRY.pop(key, None)
        D.kl._KL_MEMOIZE.clear()


def test_ambiguous_kl_warns_as_torch():
    D = numtorch.distributions

    class A(D.Distribution):
        arg_constraints = {}

    class B(A):
        pass

    @D.register_kl(B, A)
    def _kl_b_a(p, q):
        return numtorch.tensor(1.0)

    @D.register_kl(A, B)
    def _kl_a_b(p, q):
        return numtorch.tensor(2.0)

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert D.kl_divergence(B(), B()).item() == 1.0
        assert any("Ambiguous kl_divergence(B, B). Please register_kl(B, B)" in str(w.message)
                   for w in caught)
    finally:
        D.kl._KL_REGISTRY.pop((B, A), None)
        D.kl._KL_REGISTRY.pop((A, B), None)
        D.kl._KL_MEMOIZE.clear()
