"""kl_divergence for the pairs PyTorch registers among Cauchy, ContinuousBernoulli,
Geometric, Gumbel, HalfNormal, LowRankMultivariateNormal and Pareto (with each other
and with the older classes), against torch.distributions.kl."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import both, same_grads
from tests.utils import torch

A = np.array
RNG = np.random.default_rng(5)
W1, W2 = RNG.standard_normal((2, 3, 2)), RNG.standard_normal((3, 1))

SPECS = {
    "Normal": dict(loc=A([0.0, 1.0, -2.0]), scale=A([1.0, 0.5, 2.0])),
    "Uniform": dict(low=A([0.0, 0.2, 0.5]), high=A([1.0, 0.9, 3.0])),
    "UniformWide": dict(low=A([-1.0, 0.1, -0.5]), high=A([2.0, 1.5, 0.9])),
    "UniformPositive": dict(low=A([1.0, 2.0, 0.5]), high=A([2.0, 3.0, 4.0])),
    "Exponential": dict(rate=A([0.5, 1.0, 3.0])),
    "Laplace": dict(loc=A([0.0, 1.0, 2.0]), scale=A([1.0, 0.5, 2.0])),
    "Cauchy": dict(loc=A([0.0, 1.0, -2.0]), scale=A([1.0, 0.5, 2.0])),
    "Cauchy2": dict(loc=A([1.0, 0.0, 2.0]), scale=A([0.3, 2.0, 1.0])),
    "ContinuousBernoulli": dict(probs=A([0.2, 0.5, 0.9])),
    "ContinuousBernoulli2": dict(logits=A([1.0, -0.3, 0.0])),
    "Geometric": dict(probs=A([0.2, 0.5, 0.9])),
    "Geometric2": dict(logits=A([1.0, -0.3, 0.0])),
    "Gumbel": dict(loc=A([0.0, 1.0, -2.0]), scale=A([1.0, 0.5, 2.0])),
    "Gumbel2": dict(loc=A([1.0, 0.0, 2.0]), scale=A([0.3, 2.0, 1.0])),
    "HalfNormal": dict(scale=A([1.0, 0.5, 2.0])),
    "HalfNormal2": dict(scale=A([0.3, 2.0, 1.0])),
    "Pareto": dict(scale=A([1.0, 0.5, 2.0]), alpha=A([0.5, 2.5, 3.0])),
    "Pareto2": dict(scale=A([0.5, 1.0, 1.0]), alpha=A([1.5, 1.0, 4.0])),
    "LowRankMultivariateNormal": dict(loc=A([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]]),
                                      cov_factor=W1, cov_diag=A([0.5, 1.0, 2.0])),
    "LowRankMultivariateNormal2": dict(loc=A([1.0, 0.0, 0.0]), cov_factor=W2,
                                       cov_diag=A([[1.0, 0.3, 2.0]] * 2)),
    "Gamma": dict(concentration=A([0.5, 2.0, 3.0]), rate=A([1.0, 0.5, 2.0])),
    "Beta": dict(concentration1=A([0.5, 2.0, 3.0]), concentration0=A([1.0, 0.5, 2.0])),
    "MultivariateNormal": dict(loc=A([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]),
                               scale_tril=A([[1.0, 0.0, 0.0], [0.3, 2.0, 0.0],
                                             [-0.2, 0.1, 0.7]])),
}

PAIRS = [
    ("Cauchy", "Cauchy2"), ("ContinuousBernoulli", "ContinuousBernoulli2"),
    ("ContinuousBernoulli2", "ContinuousBernoulli"), ("Geometric", "Geometric2"),
    ("Gumbel", "Gumbel2"), ("HalfNormal", "HalfNormal2"), ("Pareto", "Pareto2"),
    ("Pareto2", "Pareto"),
    ("LowRankMultivariateNormal", "LowRankMultivariateNormal2"),
    ("LowRankMultivariateNormal2", "LowRankMultivariateNormal"),
    ("MultivariateNormal", "LowRankMultivariateNormal"),
    ("LowRankMultivariateNormal", "MultivariateNormal"),
    ("ContinuousBernoulli", "Pareto"), ("ContinuousBernoulli", "Exponential"),
    ("ContinuousBernoulli", "Normal"), ("ContinuousBernoulli", "Uniform"),
    ("ContinuousBernoulli", "UniformWide"), ("Exponential", "ContinuousBernoulli"),
    ("Exponential", "Pareto"), ("Exponential", "Gumbel"),
    ("Gumbel", "ContinuousBernoulli"), ("Gumbel", "Exponential"), ("Gumbel", "Pareto"),
    ("Gumbel", "Uniform"), ("Gumbel", "Normal"), ("Laplace", "ContinuousBernoulli"),
    ("Laplace", "Pareto"), ("Normal", "ContinuousBernoulli"), ("Normal", "Pareto"),
    ("Normal", "Gumbel"), ("Pareto", "ContinuousBernoulli"), ("Pareto", "Uniform"),
    ("Pareto", "Exponential"), ("Pareto2", "Exponential"), ("Pareto", "Normal"),
    ("Pareto2", "Normal"), ("Uniform", "ContinuousBernoulli"),
    ("UniformWide", "ContinuousBernoulli"), ("Uniform", "Gumbel"),
    ("UniformPositive", "Pareto"), ("Uniform", "Pareto"),
    # joining the gamma family: closed forms, and the pairs with no overlap (infinite)
    ("Beta", "ContinuousBernoulli"), ("Gamma", "Gumbel"), ("Pareto", "Gamma"),
    ("Pareto2", "Gamma"), ("Beta", "Pareto"), ("Gamma", "Pareto"),
    ("Gamma", "ContinuousBernoulli"), ("Gumbel", "Gamma"), ("Gumbel", "Beta"),
    ("Pareto", "Beta"),
]


def _make(spec, requires_grad=False):
    name = spec.rstrip("2")
    for suffix in ("Wide", "Positive"):
        name = name.removesuffix(suffix)
    return both(name, SPECS[spec], requires_grad)


@pytest.mark.parametrize("p_spec,q_spec", PAIRS)
def test_kl_divergence_values_and_gradients_match_torch(p_spec, q_spec):
    p, pp, tp, tpp = _make(p_spec, requires_grad=True)
    q, qp, tq, tqp = _make(q_spec, requires_grad=True)
    a = numtorch.distributions.kl_divergence(p, q)
    b = torch.distributions.kl_divergence(tp, tq)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[9:] == str(b.dtype)[6:]
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9)
    if b.requires_grad:
        mask = np.isfinite(b.detach().numpy()).astype(np.float64)
        same_grads(a * numtorch.tensor(mask), pp + qp, b * torch.tensor(mask), tpp + tqp,
                   rtol=1e-7, atol=1e-9)


def test_kl_between_low_rank_normals_of_different_sizes_raises_torchs_error():
    for lib in (numtorch, torch):
        D = lib.distributions
        p = D.LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(2))
        q = D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(3))
        m = D.MultivariateNormal(lib.zeros(3), lib.eye(3))
        for a, b in ((p, q), (p, m), (m, p)):
            with pytest.raises(ValueError, match="different event shapes cannot be computed"):
                D.kl_divergence(a, b)


def test_kl_of_a_low_rank_normal_with_a_batched_diagonal_fails_as_torchs():
    # PyTorch expands diag(cov_diag) to the batch of the factors only, and so fails here
    errors = []
    for lib in (numtorch, torch):
        D = lib.distributions
        p = D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(2, 3))
        q = D.MultivariateNormal(lib.zeros(3), lib.eye(3))
        with pytest.raises(RuntimeError) as err:
            D.kl_divergence(p, q)
        errors.append(str(err.value))
    assert errors[0] == errors[1].replace("torch", "numtorch")


def test_every_pair_is_registered_to_the_function_torch_registers_it_to():
    # pairs with no overlap share one ``_kl_<p>_infinity`` per p, as in PyTorch, rather
    # than a copy per q family
    def names(registry):
        return {(p.__name__, q.__name__): fn.__name__ for (p, q), fn in registry.items()}

    ours = names(numtorch.distributions.kl._KL_REGISTRY)
    theirs = names(torch.distributions.kl._KL_REGISTRY)
    theirs[("Uniform", "Exponential")] = "_kl_uniform_exponential"   # torch's misspelling
    assert ours == theirs
