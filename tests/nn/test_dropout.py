"""Dropout (numtorch/ops/dropout.py, numtorch/nn/modules/dropout.py) against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from tests.utils import assert_same, torch

TF = torch.nn.functional

# name -> an input shape it accepts
SHAPES = {"dropout": (4, 5, 3), "alpha_dropout": (4, 5, 3), "feature_alpha_dropout": (4, 5, 3),
          "dropout1d": (4, 5, 3), "dropout2d": (2, 4, 3, 3), "dropout3d": (2, 3, 2, 2, 2)}


def _data(shape, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=np.float32)


@pytest.mark.parametrize("name", list(SHAPES))
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_training_masks_equal_torchs_after_manual_seed(name, p):
    x = _data(SHAPES[name])
    torch.manual_seed(7)
    numtorch.manual_seed(7)
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = getattr(F, name)(a, p, True)
    yb = getattr(TF, name)(b, p, True)
    assert np.array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert type(ya.grad_fn).__name__ == type(yb.grad_fn).__name__
    g = _data(SHAPES[name], seed=1)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    assert np.array_equal(a.grad.numpy(), b.grad.numpy())
    assert numtorch.rand(1).item() == torch.rand(1).item()  # generators left in step


@pytest.mark.parametrize("name", list(SHAPES))
def test_unbatched_inputs_match_torch(name):
    shape = SHAPES[name][1:] if name in ("dropout1d", "dropout3d") else SHAPES[name]
    x = _data(shape)
    torch.manual_seed(3)
    numtorch.manual_seed(3)
    ya = getattr(F, name)(numtorch.tensor(x), 0.5, True)
    yb = getattr(TF, name)(torch.tensor(x), 0.5, True)
    assert np.array_equal(ya.numpy(), yb.numpy())


@pytest.mark.parametrize("name", list(SHAPES))
def test_eval_mode_p0_and_empty_return_the_input_itself(name):
    x = numtorch.tensor(_data(SHAPES[name]))
    assert getattr(F, name)(x, 0.5, False) is x
    assert getattr(F, name)(x, 0.0, True) is x
    e = numtorch.zeros((0,) + SHAPES[name][1:])
    assert getattr(F, name)(e, 0.5, True) is e


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "dropout2d"])
def test_p_one_gives_zeros(name):
    x = _data(SHAPES[name])
    assert_same(getattr(F, name)(numtorch.tensor(x), 1.0, True),
                getattr(TF, name)(torch.tensor(x), 1.0, True))


def test_dropout_statistics():
    numtorch.manual_seed(0)
    x = numtorch.ones(200_000)
    for p in (0.1, 0.5, 0.8):
        y = F.dropout(x, p).numpy()
        assert abs((y == 0).mean() - p) < 0.01
        kept = y[y != 0]
        assert np.allclose(kept, np.float32(1) / np.float32(1 - p))
        assert abs(y.mean() - 1) < 0.02


def test_feature_dropout_zeroes_whole_channels():
    numtorch.manual_seed(1)
    y = F.dropout2d(numtorch.ones(8, 16, 5, 5), 0.5).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
    assert 0.25 < (per_channel[..., 0] == 0).mean() < 0.75


def test_alpha_dropout_keeps_mean_and_variance():
    numtorch.manual_seed(2)
    x = numtorch.randn(200_000)
    y = F.alpha_dropout(x, 0.3, True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "dropout2d", "dropout1d"])
def test_inplace_matches_torch(name):
    x = _data(SHAPES[name])
    torch.manual_seed(4)
    numtorch.manual_seed(4)
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    ra = getattr(F, name)(ya, 0.4, True, inplace=True)
    getattr(TF, name)(yb, 0.4, True, inplace=True)
    assert np.array_equal(ya.detach().numpy(), yb.detach().numpy())
    if name != "dropout1d":
        assert ra is ya
    ya.sum().backward()
    yb.sum().backward()
    assert np.array_equal(a.grad.numpy(), b.grad.numpy())


def test_float64_dropout_matches_torch_and_stays_float64():
    x = np.random.default_rng(0).standard_normal((6, 7))
    torch.manual_seed(9)
    numtorch.manual_seed(9)
    a = F.dropout(numtorch.tensor(x), 0.3)
    assert a.dtype is numtorch.float64
    assert np.array_equal(a.numpy(), TF.dropout(torch.tensor(x), 0.3).numpy())


def test_noncontiguous_input():
    x = _data((6, 8))
    torch.manual_seed(5)
    numtorch.manual_seed(5)
    a = F.dropout(numtorch.tensor(x).t(), 0.5)
    b = TF.dropout(torch.tensor(x).t(), 0.5)
    assert np.array_equal(a.numpy(), b.numpy())


def test_gradcheck_with_a_fixed_mask():
    x = numtorch.tensor(_data((3, 4)).astype(np.float64), requires_grad=True)

    def fn(t):
        numtorch.manual_seed(0)
        return F.dropout(t, 0.4)

    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("name", list(SHAPES))
@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_out_of_range_raises(name, p):
    with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but "
                       f"got {p}"):
        getattr(F, name)(numtorch.ones(2, 3, 4), p)


def test_shape_errors_and_warnings_match_torch():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a "
                       "4D input"):
        F.dropout1d(numtorch.ones(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        F.feature_alpha_dropout(numtorch.ones(3), 0.5, True)
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d"):
        F.dropout2d(numtorch.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input to dropout2d"):
        F.dropout2d(numtorch.ones(2, 3))
    with pytest.warns(UserWarning, match="dropout3d: Received a 3-D input to dropout3d"):
        F.dropout3d(numtorch.ones(2, 3, 4))


# --- modules -----------------------------------------------------------------------------

MODULES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]
MODULE_SHAPES = {"Dropout": (4, 5), "Dropout1d": (2, 4, 5), "Dropout2d": (2, 4, 3, 3),
                 "Dropout3d": (2, 3, 2, 2, 2), "AlphaDropout": (4, 5),
                 "FeatureAlphaDropout": (2, 4, 3)}


@pytest.mark.parametrize("name", MODULES)
def test_module_repr_state_dict_train_and_eval(name):
    for args in ((), (0.2, True)):
        m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(m) == repr(tm)
        assert list(m.state_dict()) == list(tm.state_dict()) == []
    m, tm = getattr(nn, name)(0.3), getattr(torch.nn, name)(0.3)
    x = _data(MODULE_SHAPES[name])
    torch.manual_seed(6)
    numtorch.manual_seed(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.array_equal(m(numtorch.tensor(x)).numpy(), tm(torch.tensor(x)).numpy())
    m.eval()
    xt = numtorch.tensor(x)
    assert m(xt) is xt


def test_module_rejects_bad_probability():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                       "got 2"):
        nn.Dropout(2)


# --- the top-level numtorch.dropout(input, p, train) family ------------------------------

@pytest.mark.parametrize("name", ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
                                  "feature_dropout", "feature_dropout_",
                                  "feature_alpha_dropout", "feature_alpha_dropout_"])
@pytest.mark.parametrize("train", [True, False])
def test_namespace_dropout_family_matches_torch(name, train):
    results = []
    for lib in (numtorch, torch):
        lib.manual_seed(3)
        x = lib.ones(2, 3, 4)
        out = getattr(lib, name)(x, p=0.4, train=train)
        results.append((out is x, out.numpy()))
    assert results[0][0] == results[1][0]  # the input itself (in place, or not training)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m: m.dropout_(m.ones(2, requires_grad=True), 0.5, True),
    lambda m: m.feature_dropout(m.ones(2), 0.5, True),
    lambda m: m.dropout(m.ones(2), 1.5, True),
    lambda m: m.dropout_([1.0], 0.5, True),
])
def test_namespace_dropout_family_errors_match_torch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(Exception) as got:
        call(numtorch)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)
