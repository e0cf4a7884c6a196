"""constraints: Constraint.check and reprs against torch.distributions.constraints."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import assert_same
from tests.utils import torch

VALUE = np.array([[-1.0, 0.0, 0.5], [1.0, 2.0, float("nan")]], np.float32)
SQUARES = np.array([[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]],
                    [[1.0, 0.0], [3.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]]], np.float64)


def make(lib, name):
    c = lib.distributions.constraints
    return {
        "real": c.real, "positive": c.positive, "nonnegative": c.nonnegative,
        "unit_interval": c.unit_interval, "boolean": c.boolean,
        "nonnegative_integer": c.nonnegative_integer, "positive_integer": c.positive_integer,
        "greater_than": c.greater_than(0.5), "greater_than_eq": c.greater_than_eq(0.5),
        "less_than": c.less_than(1.0), "interval": c.interval(-1.0, 1.0),
        "half_open_interval": c.half_open_interval(-1.0, 1.0),
        "integer_interval": c.integer_interval(0, 1), "real_vector": c.real_vector,
        "simplex": c.simplex, "one_hot": c.one_hot, "independent": c.independent(c.positive, 1),
        "lower_triangular": c.lower_triangular, "lower_cholesky": c.lower_cholesky,
        "square": c.square, "symmetric": c.symmetric,
        "positive_definite": c.positive_definite,
        "positive_semidefinite": c.positive_semidefinite,
    }[name]


ELEMENTWISE = ["real", "positive", "nonnegative", "unit_interval", "boolean",
               "nonnegative_integer", "positive_integer", "greater_than", "greater_than_eq",
               "less_than", "interval", "half_open_interval", "integer_interval",
               "real_vector", "simplex", "one_hot", "independent"]
MATRIX = ["lower_triangular", "lower_cholesky", "square", "symmetric", "positive_definite",
          "positive_semidefinite"]


@pytest.mark.parametrize("name", ELEMENTWISE + MATRIX)
def test_constraint_check_and_repr_match_torch(name):
    value = SQUARES if name in MATRIX else VALUE
    a, b = make(numtorch, name), make(torch, name)
    assert repr(a) == repr(b)
    assert a.event_dim == b.event_dim and a.is_discrete == b.is_discrete
    assert_same(a.check(numtorch.tensor(value)), b.check(torch.tensor(value)))


def test_simplex_and_one_hot_accept_their_members():
    c = numtorch.distributions.constraints
    assert c.simplex.check(numtorch.tensor([0.2, 0.8])).item()
    assert c.one_hot.check(numtorch.tensor([0.0, 1.0, 0.0])).item()
    assert not c.one_hot.check(numtorch.tensor([1.0, 1.0, 0.0])).item()


def test_dependent_constraints():
    c = numtorch.distributions.constraints
    D = numtorch.distributions
    assert c.is_dependent(c.dependent) and c.is_dependent(D.Uniform.support)
    assert not c.is_dependent(D.Uniform(0.0, 1.0).support)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        c.dependent.check(numtorch.zeros(1))
    with pytest.raises(NotImplementedError, match="cannot be determined statically"):
        _ = c.dependent.event_dim
    assert c.dependent(event_dim=1).event_dim == 1


def test_independent_constraint_needs_enough_dims():
    c, tc = numtorch.distributions.constraints, torch.distributions.constraints
    with pytest.raises(ValueError) as t_err:
        tc.independent(tc.real, 2).check(torch.zeros(3))
    with pytest.raises(ValueError) as n_err:
        c.independent(c.real, 2).check(numtorch.zeros(3))
    assert str(n_err.value) == str(t_err.value)


@pytest.mark.parametrize("event", [0, 1])
def test_mixture_same_family_constraint_matches_torch(event):
    # the component's constraint checked with the component dimension put back
    def build(lib):
        c = lib.distributions.constraints
        if event:
            bound = lib.tensor(np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
            base = c.independent(c.interval(bound, 2.0), 1)
            value = np.array([[[0.5, 1.5], [1.5, 0.5]], [[1.5, 1.5], [0.5, 0.5]]])
        else:
            base = c.nonnegative_integer
            value = np.array([[1.0], [-1.0], [2.0]])
        return c.MixtureSameFamilyConstraint(base), lib.tensor(value)

    (a, va), (b, vb) = build(numtorch), build(torch)
    assert repr(a) == repr(b).replace("torch", "numtorch")
    assert a.event_dim == b.event_dim and a.is_discrete == b.is_discrete
    ra, rb = a.check(va), b.check(vb)
    assert_same(ra, rb)
    assert not bool(rb.all()) and bool(rb.any())  # the case separates valid from invalid
