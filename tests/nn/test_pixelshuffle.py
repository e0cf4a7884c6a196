"""PixelShuffle / PixelUnshuffle / ChannelShuffle (numtorch/ops/pixel_shuffle.py) vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck, gradgradcheck
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 3), 2), ((9, 2, 4), 3), ((1, 2, 4, 3, 5), 2),
                                     ((2, 5, 3, 3), 1), ((0, 4, 2, 2), 2)])
def test_pixel_shuffle_matches_torch(shape, r):
    # (PyTorch's own backward fails on an empty batch: compare values only there)
    check_op(F.pixel_shuffle, TF.pixel_shuffle, _data(shape), r, grad=shape[0] > 0)


@pytest.mark.parametrize("shape,r", [((2, 2, 6, 4), 2), ((1, 12, 9), 3), ((2, 1, 3, 4, 6), 2),
                                     ((2, 3, 2, 2), 1)])
def test_pixel_unshuffle_matches_torch(shape, r):
    check_op(F.pixel_unshuffle, TF.pixel_unshuffle, _data(shape), r)


@pytest.mark.parametrize("shape,g", [((2, 8, 3, 3), 2), ((2, 6, 5), 3), ((1, 12, 2, 2, 2), 4),
                                     ((3, 4, 2), 1), ((3, 4, 2), 4)])
def test_channel_shuffle_matches_torch(shape, g):
    check_op(F.channel_shuffle, TF.channel_shuffle, _data(shape), g)
    check_op(nn.ChannelShuffle(g), torch.nn.ChannelShuffle(g), _data(shape))


def test_noncontiguous_and_integer_inputs():
    x = _data((2, 8, 3, 4))
    assert_same(F.pixel_shuffle(numtorch.from_numpy(noncontig(x)), 2),
                TF.pixel_shuffle(torch.tensor(x), 2))
    xi = np.arange(2 * 8 * 4 * 4).reshape(2, 8, 4, 4)
    for fn, arg in (("pixel_shuffle", 2), ("pixel_unshuffle", 2), ("channel_shuffle", 4)):
        assert_same(getattr(F, fn)(numtorch.tensor(xi), arg), getattr(TF, fn)(torch.tensor(xi),
                                                                              arg))


def test_grad_fn_names_and_gradcheck():
    x = numtorch.tensor(_data((1, 8, 2, 4), np.float64), requires_grad=True)
    assert type(F.pixel_shuffle(x, 2).grad_fn).__name__ == "PixelShuffleBackward0"
    assert type(F.pixel_unshuffle(x, 2).grad_fn).__name__ == "PixelUnshuffleBackward0"
    assert type(F.channel_shuffle(x, 2).grad_fn).__name__ == "ChannelShuffleBackward0"
    for fn in (lambda t: F.pixel_shuffle(t, 2), lambda t: F.pixel_unshuffle(t, 2),
               lambda t: F.channel_shuffle(t, 4)):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


ERRORS = [
    (lambda f, x: f.pixel_shuffle(x, 3), "input.size\\(-3\\)=8 is not divisible by 9"),
    (lambda f, x: f.pixel_shuffle(x, 0), "pixel_shuffle expects a positive upscale_factor, but"),
    (lambda f, x: f.pixel_shuffle(x[0, 0], 1), "at least 3 dimensions, but got input with 2"),
    (lambda f, x: f.pixel_unshuffle(x, -1), "expects a positive downscale_factor, but got -1"),
    (lambda f, x: f.pixel_unshuffle(x, 2), "width to be divisible by downscale_factor, but "
                                           "input.size\\(-1\\)=3"),
    (lambda f, x: f.channel_shuffle(x, 3), "Got 8 channels and 3 groups."),
    (lambda f, x: f.channel_shuffle(x, 0), "must be positive. Value of groups:0"),
    (lambda f, x: f.channel_shuffle(x[0, 0], 2), r"> 2 dims, but got input with sizes \[4, 3\]"),
    (lambda f, x: f.native_channel_shuffle(x, 3), "Got 8 channels and 3 groups."),
]


def test_native_channel_shuffle_values_and_no_derivative():
    x = _data((2, 8, 3))
    for lib in (numtorch, torch):
        t = lib.tensor(x, requires_grad=True)
        y = lib.native_channel_shuffle(t, 4)
        assert type(y.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError,
                           match="derivative for aten::native_channel_shuffle is not implemented"):
            y.sum().backward()
    assert np.array_equal(numtorch.native_channel_shuffle(numtorch.tensor(x), 4).numpy(),
                          torch.channel_shuffle(torch.tensor(x), 4).numpy())
    assert np.array_equal(F.native_channel_shuffle(numtorch.tensor(x), 2).numpy(),
                          TF.native_channel_shuffle(torch.tensor(x), 2).numpy())


@pytest.mark.parametrize("call,match", ERRORS)
def test_errors_match_torch(call, match):
    x = _data((2, 8, 4, 3))
    with pytest.raises(RuntimeError, match=match):
        call(F, numtorch.tensor(x))
    with pytest.raises(RuntimeError, match=match):
        call(TF, torch.tensor(x))


@pytest.mark.parametrize("name,arg", [("PixelShuffle", 2), ("PixelUnshuffle", 2),
                                      ("ChannelShuffle", 4)])
def test_modules_match_torch(name, arg):
    m, tm = getattr(nn, name)(arg), getattr(torch.nn, name)(arg)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == []
    check_op(m, tm, _data((2, 8, 4, 6)))
