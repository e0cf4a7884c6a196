"""Categorical and OneHotCategorical against PyTorch's."""

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
    (dict(probs=np.array([0.2, 0.3, 0.5], F32)), np.array([0.0, 2.0, 1.0])),
    (dict(probs=np.array([[1.0, 3.0, 0.0, 4.0], [2.0, 2.0, 2.0, 2.0]], F64)),
     np.array([[3.0], [1.0]])),
    (dict(logits=np.array([[-1.0, 0.5, 2.0], [0.0, 0.0, -3.0]], F32)), np.array([2.0, 0.0])),
    (dict(logits=np.array([[[0.1, 0.2]], [[3.0, -1.0]]], F64)), np.array(1.0)),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_categorical_values_match_torch(kwargs, value):
    nt, _, pt, _ = both("Categorical", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    assert_same(nt.probs, pt.probs)
    assert_same(nt.logits, pt.logits)
    check_moments(nt, pt, ("mean", "mode", "variance"))
    for expand in (True, False):
        assert_same(nt.enumerate_support(expand), pt.enumerate_support(expand))
    same_repr(nt, pt)
    assert repr(nt.support) == repr(pt.support)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_categorical_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("Categorical", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)


@pytest.mark.parametrize("kwargs,value", CASES[:3])
def test_categorical_gradients_match_torch(kwargs, value):
    for method in ("log_prob", "entropy"):
        nt, ntp, pt, ptp = both("Categorical", kwargs, requires_grad=True)
        if method == "entropy":
            a, b = nt.entropy(), pt.entropy()
        else:
            a, b = nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value))
        same_grads(a, ntp, b, ptp)


def test_categorical_expand():
    nt, _, pt, _ = both("Categorical", CASES[0][0])
    a, b = nt.expand((2, 2)), pt.expand((2, 2))
    assert a.batch_shape == b.batch_shape
    same_draws(lambda: a.sample((3,)), lambda: b.sample((3,)), 1)
    same_repr(a, b)


def test_categorical_entropy_with_zero_probability_is_finite():
    nt, _, pt, _ = both("Categorical", dict(probs=np.array([0.0, 0.5, 0.5], F32)))
    assert_same(nt.entropy(), pt.entropy())


def test_categorical_errors_match_torch():
    C, TC = numtorch.distributions.Categorical, torch.distributions.Categorical
    same_error(lambda: C(), lambda: TC())
    same_error(lambda: C(numtorch.tensor(0.5)), lambda: TC(torch.tensor(0.5)))
    same_error(lambda: C(logits=numtorch.tensor(0.5)), lambda: TC(logits=torch.tensor(0.5)))
    same_error(lambda: C(numtorch.tensor([0.5, -0.5, 1.0])),
               lambda: TC(torch.tensor([0.5, -0.5, 1.0])))
    same_error(lambda: C(numtorch.tensor([0.5, 0.5])).log_prob(numtorch.tensor([2])),
               lambda: TC(torch.tensor([0.5, 0.5])).log_prob(torch.tensor([2])))
    same_error(lambda: C(numtorch.ones(2, 3)).log_prob(numtorch.tensor([0, 1, 1])),
               lambda: TC(torch.ones(2, 3)).log_prob(torch.tensor([0, 1, 1])))


# --- OneHotCategorical --------------------------------------------------------------


@pytest.mark.parametrize("kwargs,index", CASES[:3])
def test_one_hot_categorical_values_match_torch(kwargs, index):
    nt, _, pt, _ = both("OneHotCategorical", kwargs)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    k = nt.event_shape[0]
    value = np.eye(k, dtype=F32)[index.astype(int)]
    assert_same(nt.log_prob(numtorch.tensor(value)), pt.log_prob(torch.tensor(value)))
    assert_same(nt.entropy(), pt.entropy())
    check_moments(nt, pt, ("mean", "mode", "variance"))
    for expand in (True, False):
        assert_same(nt.enumerate_support(expand), pt.enumerate_support(expand))
    same_repr(nt, pt)


@pytest.mark.parametrize("kwargs,_", CASES)
@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("sample_shape", SAMPLE_SHAPES)
def test_one_hot_categorical_draws_match_torch(kwargs, _, seed, sample_shape):
    nt, _, pt, _ = both("OneHotCategorical", kwargs)
    same_draws(lambda: nt.sample(sample_shape), lambda: pt.sample(sample_shape), seed)
    st, _, pst, _ = both("OneHotCategoricalStraightThrough", kwargs)
    same_draws(lambda: st.rsample(sample_shape), lambda: pst.rsample(sample_shape), seed)


def test_one_hot_straight_through_gradient_matches_torch():
    kwargs = CASES[0][0]
    nt, ntp, pt, ptp = both("OneHotCategoricalStraightThrough", kwargs, requires_grad=True)
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    same_grads(nt.rsample((4,)), ntp, pt.rsample((4,)), ptp)


def test_one_hot_categorical_errors_match_torch():
    O, TO = numtorch.distributions.OneHotCategorical, torch.distributions.OneHotCategorical
    d, td = O(numtorch.tensor([0.5, 0.5])), TO(torch.tensor([0.5, 0.5]))
    same_error(lambda: d.log_prob(numtorch.tensor([1.0, 1.0])),
               lambda: td.log_prob(torch.tensor([1.0, 1.0])))
    same_error(lambda: d.log_prob(numtorch.tensor([1.0, 0.0, 0.0])),
               lambda: td.log_prob(torch.tensor([1.0, 0.0, 0.0])))


@pytest.mark.parametrize("name", ["Categorical", "Bernoulli", "ExpRelaxedCategorical"])
def test_private_new_builds_from_data_like_torch(name):
    # _new is Tensor.new on the parameter: a tuple argument is data, not a shape.
    args = (numtorch.tensor(1.0), numtorch.tensor([0.2, 0.8])) if name.startswith("Exp") \
        else (numtorch.tensor([0.2, 0.8]),)
    targs = (torch.tensor(1.0), torch.tensor([0.2, 0.8])) if name.startswith("Exp") \
        else (torch.tensor([0.2, 0.8]),)
    where = "relaxed_categorical" if name.startswith("Exp") else name.lower()
    ours = getattr(getattr(numtorch.distributions, where), name)(*args)._new((2,))
    theirs = getattr(getattr(torch.distributions, where), name)(*targs)._new((2,))
    assert ours.tolist() == theirs.tolist() == [2.0]
