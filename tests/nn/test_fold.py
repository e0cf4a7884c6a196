"""Fold / Unfold (numtorch/ops/fold.py, numtorch/nn/modules/fold.py) against PyTorch."""

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


GEOMS = [dict(kernel_size=2), dict(kernel_size=(2, 3)), dict(kernel_size=3, padding=1),
         dict(kernel_size=(3, 2), stride=2, padding=(1, 0)), dict(kernel_size=2, dilation=2),
         dict(kernel_size=(2, 2), dilation=(1, 2), padding=2, stride=(2, 3))]


@pytest.mark.parametrize("geom", GEOMS)
@pytest.mark.parametrize("shape", [(2, 3, 6, 7), (3, 5, 6), (0, 2, 6, 7)])
def test_unfold_matches_torch(geom, shape):
    check_op(F.unfold, TF.unfold, _data(shape), **geom)


@pytest.mark.parametrize("geom", GEOMS)
@pytest.mark.parametrize("batch", [(2,), (), (0,)])
def test_fold_matches_torch(geom, batch):
    size = (6, 7)
    blocks = TF.unfold(torch.zeros((1, 3) + size), **geom).shape[1:]
    check_op(F.fold, TF.fold, _data(batch + tuple(blocks)), size, **geom)


def test_fold_unfold_round_trip_and_noncontiguous():
    x = _data((2, 3, 5, 6))
    cols = F.unfold(numtorch.from_numpy(noncontig(x)), 2, padding=1)
    assert_same(cols, TF.unfold(torch.tensor(x), 2, padding=1))
    assert_same(F.fold(cols, (5, 6), 2, padding=1),
                TF.fold(TF.unfold(torch.tensor(x), 2, padding=1), (5, 6), 2, padding=1))


def test_grad_fn_names_and_gradcheck():
    x = numtorch.tensor(_data((1, 2, 4, 5), np.float64), requires_grad=True)
    cols = numtorch.tensor(_data((1, 8, 12), np.float64), requires_grad=True)
    assert type(F.unfold(x, 2).grad_fn).__name__ == "Im2ColBackward0"
    assert type(F.unfold(x[0], 2).grad_fn).__name__ == "Im2ColBackward0"
    assert type(F.fold(cols, (4, 5), 2).grad_fn).__name__ == "Col2ImBackward0"
    for fn, inp in ((lambda t: F.unfold(t, 2, stride=(1, 2), dilation=(2, 1), padding=1), x),
                    (lambda t: F.fold(t, (4, 5), 2), cols)):
        assert gradcheck(fn, (inp,))
        assert gradgradcheck(fn, (inp,))


ERRORS = [
    (lambda f, x, c: f.unfold(x, 5), RuntimeError, "calculated shape of the array of sliding"),
    (lambda f, x, c: f.unfold(x, 0), RuntimeError, "kernel size should be greater than zero, "
                                                   "but got kernel_height: 0 kernel_width: 0"),
    (lambda f, x, c: f.unfold(x, (2, 2, 2)), RuntimeError, "It is expected kernel_size equals"),
    (lambda f, x, c: f.unfold(x, 2, stride=0), RuntimeError, "stride should be greater than"),
    (lambda f, x, c: f.unfold(x, 2, padding=-1), RuntimeError, "padding should be non-negative"),
    (lambda f, x, c: f.unfold(x, 2, dilation=0), RuntimeError, "dilation should be greater"),
    (lambda f, x, c: f.unfold(x.long(), 2), NotImplementedError, "\"im2col_out_cpu\" not "
                                                                 "implemented for 'Long'"),
    (lambda f, x, c: f.fold(c, (3, 3), 2), RuntimeError, r"sliding blocks 2 \* 2 = 4, but got "
                                                         r"input.size\(2\)=6."),
    (lambda f, x, c: f.fold(c, (3, 4), 3), RuntimeError, r"input.size\(1\)=32 and "
                                                         r"kernel_size=\(3, 3\)."),
    (lambda f, x, c: f.fold(c[0, 0], (3, 4), 2), RuntimeError, r"Expected 2D or 3D \(batch "
                                                               r"mode\) tensor .* got: \[6\]"),
    (lambda f, x, c: f.fold(c.long(), (3, 4), 2), NotImplementedError, "\"col2im_out_cpu\""),
]


@pytest.mark.parametrize("call,exc,match", ERRORS)
def test_errors_match_torch(call, exc, match):
    x, c = _data((2, 8, 3, 3)), _data((2, 32, 6))
    with pytest.raises(exc, match=match):
        call(F, numtorch.tensor(x), numtorch.tensor(c))
    with pytest.raises(exc, match=match):
        call(TF, torch.tensor(x), torch.tensor(c))


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Fold", ((4, 5), 2), {}, (2, 12, 12)),
    ("Fold", (4, (2, 3)), dict(padding=1, stride=2), (1, 6, 6)),
    ("Unfold", (3,), dict(dilation=2, padding=1, stride=2), (2, 3, 6, 7)),
    ("Unfold", ((2, 3),), {}, (2, 3, 4, 5)),
])
def test_modules_match_torch(name, args, kwargs, shape):
    m, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == []
    check_op(m, tm, _data(shape))
