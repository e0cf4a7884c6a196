"""F.gumbel_softmax, TripletMarginWithDistanceLoss (numtorch/ops/extra_losses.py) vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _seeded(fn, seed=7):
    def run(*args, **kwargs):
        numtorch.manual_seed(seed)
        torch.manual_seed(seed)
        return fn(*args, **kwargs)
    return run


# ------------------------------------------------------------------ gumbel_softmax

@pytest.mark.parametrize("kwargs", [{}, dict(tau=0.5), dict(tau=2.0, dim=0), dict(hard=True),
                                    dict(hard=True, tau=0.3, dim=1)])
@pytest.mark.parametrize("shape", [(4, 6), (3, 5, 2), (40,)])
def test_gumbel_softmax_matches_torch_after_same_seed(kwargs, shape):
    if kwargs.get("dim", -1) >= len(shape):
        pytest.skip("dim out of range for this shape")
    check_op(_seeded(F.gumbel_softmax), _seeded(TF.gumbel_softmax), _data(shape), **kwargs)


def test_gumbel_softmax_float64_noncontig_and_0d():
    check_op(_seeded(F.gumbel_softmax), _seeded(TF.gumbel_softmax),
             noncontig(_data((3, 4), np.float64)), hard=True)
    check_op(_seeded(F.gumbel_softmax), _seeded(TF.gumbel_softmax), _data(()))


def test_gumbel_softmax_grad_fn_and_hard_is_one_hot():
    x = numtorch.randn(5, 4, requires_grad=True)
    assert type(F.gumbel_softmax(x).grad_fn).__name__ == "SoftmaxBackward0"
    y = F.gumbel_softmax(x, hard=True)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert np.array_equal(y.detach().numpy().sum(-1), np.ones(5))
    assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}


def test_gumbel_softmax_gradcheck():
    x = numtorch.tensor(_data((3, 4), np.float64), requires_grad=True)
    assert gradcheck(_seeded(lambda t: F.gumbel_softmax(t, tau=0.7)), (x,))
    # hard=True is straight-through: its gradient is the soft sample's, not the one-hot's.
    assert gradcheck(_seeded(lambda t: F.gumbel_softmax(t, tau=0.5, dim=0)), (x,))


def test_gumbel_softmax_errors_and_eps_warning():
    with pytest.raises(RuntimeError, match="Exponential distribution is a continuous"):
        F.gumbel_softmax(numtorch.arange(4))
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(numtorch.randn(3), eps=1e-3)


# ------------------------------------------------------------------ triplet with distance

def _l_inf(x1, x2):
    return (x1 - x2).abs().amax(-1)


def _cos(lib):
    return lambda x1, x2: 1.0 - lib.nn.functional.cosine_similarity(x1, x2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_triplet_default_distance(reduction, swap, margin):
    arrays = [_data((6, 5), seed=s) for s in range(3)]
    kw = dict(margin=margin, swap=swap, reduction=reduction)
    check_op(F.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss,
             *arrays, **kw)
    check_op(nn.TripletMarginWithDistanceLoss(**kw), torch.nn.TripletMarginWithDistanceLoss(**kw),
             *arrays)


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_custom_distance(swap):
    arrays = [_data((5, 4), np.float64, seed=s) for s in range(3)]
    check_op(lambda *a: F.triplet_margin_with_distance_loss(*a, distance_function=_l_inf,
                                                            swap=swap, margin=2.0),
             lambda *a: TF.triplet_margin_with_distance_loss(*a, distance_function=_l_inf,
                                                             swap=swap, margin=2.0), *arrays)
    m = nn.TripletMarginWithDistanceLoss(distance_function=_cos(numtorch), swap=swap,
                                         reduction="none")
    tm = torch.nn.TripletMarginWithDistanceLoss(distance_function=_cos(torch), swap=swap,
                                                reduction="none")
    check_op(m, tm, *arrays)
    m = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1))
    tm = torch.nn.TripletMarginWithDistanceLoss(distance_function=torch.nn.PairwiseDistance(p=1))
    check_op(m, tm, *[_data((3, 7), seed=s) for s in range(3)])


def test_triplet_module_repr_and_state():
    for kw in [{}, dict(margin=2.0, swap=True, reduction="sum")]:
        m, tm = nn.TripletMarginWithDistanceLoss(**kw), torch.nn.TripletMarginWithDistanceLoss(**kw)
        assert repr(m) == repr(tm) and list(m.state_dict()) == list(tm.state_dict()) == []
    m = nn.TripletMarginWithDistanceLoss(distance_function=_l_inf)
    tm = torch.nn.TripletMarginWithDistanceLoss(distance_function=_l_inf)
    assert repr(m) == repr(tm) and m.distance_function is _l_inf


def test_triplet_gradcheck():
    a, p, n = (numtorch.tensor(_data((4, 3), np.float64, s), requires_grad=True)
               for s in range(3))
    assert gradcheck(lambda *t: F.triplet_margin_with_distance_loss(*t, swap=True), (a, p, n))
    assert gradcheck(lambda *t: F.triplet_margin_with_distance_loss(
        *t, distance_function=_cos(numtorch), margin=1.5, reduction="none"), (a, p, n))


def test_triplet_errors():
    x = numtorch.randn(3, 4)
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.triplet_margin_with_distance_loss(x, x, x, reduction="bad")
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=0)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 2D, and negative 1D inputs"):
        F.triplet_margin_with_distance_loss(x, x, numtorch.randn(4))
    with pytest.raises(ValueError, match="TripletMarginWithDistanceLoss: expected margin to be "
                                         "greater than 0, got -1 instead"):
        nn.TripletMarginWithDistanceLoss(margin=-1)
    with pytest.raises(TypeError):
        nn.TripletMarginWithDistanceLoss(_l_inf)  # keyword-only, as in PyTorch
    assert_same(F.triplet_margin_with_distance_loss(x, x, x), TF.triplet_margin_with_distance_loss(
        *(torch.tensor(x.numpy()),) * 3))
