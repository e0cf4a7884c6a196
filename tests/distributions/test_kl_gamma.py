"""kl_divergence for the pairs with Gamma, Chi2, Beta, Dirichlet, Poisson and Binomial
against torch.distributions.kl."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import both, same_grads
from tests.utils import torch

A = np.array

SPECS = {
    "Gamma": dict(concentration=A([0.5, 1.0, 3.0]), rate=A([1.0, 2.0, 0.5])),
    "Gamma_": dict(concentration=A([2.0, 0.3, 1.0]), rate=A([0.5, 1.0, 4.0])),
    "Chi2": dict(df=A([1.0, 3.0, 7.0])),
    "Normal": dict(loc=A([0.0, 1.0, -2.0]), scale=A([1.0, 0.5, 2.0])),
    "Uniform": dict(low=A([0.0, -1.0, 0.5]), high=A([1.0, 2.0, 3.0])),
    "Exponential": dict(rate=A([0.5, 1.0, 3.0])),
    "Laplace": dict(loc=A([0.0, 1.0, 2.0]), scale=A([1.0, 0.5, 2.0])),
    "Beta": dict(concentration1=A([0.5, 1.0, 3.0]), concentration0=A([2.0, 1.0, 0.7])),
    "Beta_": dict(concentration1=A([1.5, 0.2, 3.0]), concentration0=A([1.0, 4.0, 2.0])),
    "Dirichlet": dict(concentration=A([[0.5, 1.0, 3.0], [2.0, 2.0, 0.1], [1.0, 1.0, 1.0]])),
    "Dirichlet_": dict(concentration=A([[1.5, 0.2, 3.0], [1.0, 4.0, 2.0], [0.3, 0.3, 5.0]])),
    "UnitUniform": dict(low=A([0.0, 0.2, -0.5]), high=A([1.0, 0.6, 0.5])),
    "Poisson": dict(rate=A([0.5, 1.0, 30.0])),
    "Poisson_": dict(rate=A([2.0, 1.0, 0.1])),
    "Bernoulli": dict(probs=A([0.2, 0.5, 0.0])),
    "Binomial": dict(total_count=A([10.0, 5.0, 7.0]), probs=A([0.2, 0.5, 0.9])),
    "Binomial_": dict(total_count=A([10.0, 3.0, 7.0]), logits=A([0.5, -1.0, 2.0])),
}

PAIRS = [("Gamma", "Gamma_"), ("Gamma_", "Gamma"), ("Chi2", "Gamma"), ("Gamma", "Chi2"),
         ("Exponential", "Gamma"), ("Gamma", "Exponential"), ("Gamma", "Normal"),
         ("Gamma", "Uniform"), ("Normal", "Gamma"), ("Laplace", "Gamma"), ("Uniform", "Gamma"),
         ("Beta", "Beta_"), ("Beta_", "Beta"), ("Dirichlet", "Dirichlet_"),
         ("Dirichlet_", "Dirichlet"), ("Beta", "Exponential"), ("Beta", "Gamma"),
         ("Beta", "Normal"), ("Beta", "Uniform"), ("Beta", "UnitUniform"),
         ("Exponential", "Beta"), ("Gamma", "Beta"), ("Normal", "Beta"), ("Laplace", "Beta"),
         ("Uniform", "Beta"), ("UnitUniform", "Beta"), ("Poisson", "Poisson_"),
         ("Poisson_", "Poisson"), ("Bernoulli", "Poisson"), ("Poisson", "Bernoulli"),
         ("Binomial", "Binomial_"), ("Poisson", "Binomial")]


def _cls(spec):
    return "Uniform" if spec == "UnitUniform" else spec.rstrip("_")


@pytest.mark.parametrize("p_spec,q_spec", PAIRS)
def test_kl_divergence_values_and_gradients_match_torch(p_spec, q_spec):
    p, pp, tp, tpp = both(_cls(p_spec), SPECS[p_spec], requires_grad=True)
    q, qp, tq, tqp = both(_cls(q_spec), SPECS[q_spec], requires_grad=True)
    a = numtorch.distributions.kl_divergence(p, q)
    b = torch.distributions.kl_divergence(tp, tq)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[9:] == str(b.dtype)[6:]
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)
    if b.requires_grad:
        mask = np.isfinite(b.detach().numpy()).astype(np.float64)
        same_grads(a * numtorch.tensor(mask), pp + qp, b * torch.tensor(mask), tpp + tqp,
                   rtol=1e-8, atol=1e-10)


def test_kl_binomial_with_a_larger_q_total_count_is_refused_as_torch():
    with pytest.raises(NotImplementedError) as t_err:
        T = torch.distributions
        T.kl_divergence(T.Binomial(3, torch.tensor([0.5])), T.Binomial(5, torch.tensor([0.5])))
    D = numtorch.distributions
    with pytest.raises(NotImplementedError) as n_err:
        D.kl_divergence(D.Binomial(3, numtorch.tensor([0.5])), D.Binomial(5, numtorch.tensor([0.5])))
    assert str(n_err.value) == str(t_err.value)
