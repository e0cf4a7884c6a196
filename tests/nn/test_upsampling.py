"""Resampling (numtorch/ops/upsample.py, numtorch/nn/modules/upsampling.py) against PyTorch."""

from __future__ import annotations

import warnings

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


MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
         2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
         3: ["nearest", "nearest-exact", "trilinear", "area"]}
CASES = [(nd, mode, ac) for nd in (1, 2, 3) for mode in MODES[nd]
         for ac in ((None,) if mode in ("nearest", "nearest-exact", "area") else (False, True))]
SPATIAL = {1: (7,), 2: (5, 6), 3: (3, 4, 5)}


def _kw(ac):
    return {} if ac is None else {"align_corners": ac}


@pytest.mark.parametrize("nd,mode,ac", CASES)
@pytest.mark.parametrize("size", ["up", "down", "ones", "same"])
def test_size_matches_torch(nd, mode, ac, size):
    x = _data((2, 3) + SPATIAL[nd])
    out = {"up": tuple(s * 2 + 1 for s in SPATIAL[nd]), "down": tuple(s // 2 for s in SPATIAL[nd]),
           "ones": (1,) * nd, "same": SPATIAL[nd]}[size]
    check_op(F.interpolate, TF.interpolate, x, size=out, mode=mode, atol=1e-5, **_kw(ac))


@pytest.mark.parametrize("nd,mode,ac", CASES)
@pytest.mark.parametrize("scale", [2.0, 0.5, 1.7, 3, 0.75, 2.5])
@pytest.mark.parametrize("recompute", [None, True])
def test_scale_factor_matches_torch(nd, mode, ac, scale, recompute):
    x = _data((2, 2) + SPATIAL[nd], np.float64)
    kw = dict(scale_factor=scale, mode=mode, recompute_scale_factor=recompute, **_kw(ac))
    out_same = any(int(s * scale) in (s, 2 * s) for s in SPATIAL[nd])
    # PyTorch's nearest backward in 1-D/3-D is not its forward's adjoint there (see below)
    grad = not (mode == "nearest" and nd != 2 and not recompute and out_same)
    check_op(F.interpolate, TF.interpolate, x, grad=grad, rtol=1e-9, atol=1e-10, **kw)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area"])
def test_per_dim_scale_and_size_lists(mode):
    x = _data((1, 2, 4, 6))
    check_op(F.interpolate, TF.interpolate, x, scale_factor=(1.5, 0.7), mode=mode, atol=1e-5)
    check_op(F.interpolate, TF.interpolate, x, size=[7, 3], mode=mode, atol=1e-5)


def test_nearest_index_rule_random_sizes():
    rng = np.random.default_rng(1)
    x = _data((1, 1, 64))
    for _ in range(40):
        n, s = int(rng.integers(1, 64)), float(np.round(rng.uniform(0.2, 4), 3))
        for mode in ("nearest", "nearest-exact"):
            xi = x[..., :n]
            if int(n * s) < 1:
                continue
            assert_same(F.interpolate(numtorch.tensor(xi), scale_factor=s, mode=mode),
                        TF.interpolate(torch.tensor(xi), scale_factor=s, mode=mode))


def test_nearest_2d_ignores_scale_where_output_is_input_or_twice_it():
    # PyTorch's 2-D nearest kernel reads o (or o // 2) there, whatever the scale_factor
    x = _data((1, 1, 5, 6), np.float64)
    check_op(F.interpolate, TF.interpolate, x, scale_factor=(2.018, 1.153), rtol=1e-12)


def test_nearest_1d_gradient_is_the_adjoint_where_pytorch_is_not():
    # 5 -> 5 with scale 1.153 reads [0, 0, 1, 2, 3]; PyTorch's backward sends grads to
    # [0, 1, 2, 3, 4] (it takes the size-equal shortcut only there). Ours is the adjoint.
    x = numtorch.arange(5.0, requires_grad=True)
    y = F.interpolate(x.reshape(1, 1, 5), scale_factor=1.153)
    assert y.flatten().tolist() == [0.0, 0.0, 1.0, 2.0, 3.0]
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 1.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(9, 11), (3, 2), (6, 20), (2, 17)])
@pytest.mark.parametrize("ac", [False, True])
def test_antialias_matches_torch(mode, size, ac):
    check_op(F.interpolate, TF.interpolate, _data((2, 3, 7, 8), np.float64), size=size,
             mode=mode, antialias=True, align_corners=ac, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_uint8_images(mode):
    x = np.random.default_rng(0).integers(0, 256, (2, 3, 7, 5)).astype(np.uint8)
    for size in [(13, 9), (4, 3)]:
        out = F.interpolate(numtorch.tensor(x), size=size, mode=mode)
        ref = TF.interpolate(torch.tensor(x), size=size, mode=mode)
        assert out.dtype == numtorch.uint8
        # PyTorch rounds through fixed-point weights: equal within one grey level
        assert np.abs(out.numpy().astype(int) - ref.numpy().astype(int)).max() <= 1


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_half_keeps_dtype(mode):
    x = _data((1, 2, 4, 4), np.float16)
    assert_same(F.interpolate(numtorch.tensor(x), scale_factor=2, mode=mode),
                TF.interpolate(torch.tensor(x), scale_factor=2, mode=mode), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic", "area"])
def test_noncontiguous_and_empty_batch(mode):
    x = _data((2, 3, 4, 5))
    out = F.interpolate(numtorch.from_numpy(noncontig(x)), size=(7, 3), mode=mode)
    assert_same(out, TF.interpolate(torch.tensor(x), size=(7, 3), mode=mode))
    e = F.interpolate(numtorch.zeros(0, 3, 4, 5), size=(7, 3), mode=mode)
    assert tuple(e.shape) == (0, 3, 7, 3)


@pytest.mark.parametrize("nd,mode,ac", CASES)
def test_grad_fn_names(nd, mode, ac):
    x, t = numtorch.ones((1, 1) + SPATIAL[nd], requires_grad=True), \
        torch.ones((1, 1) + SPATIAL[nd], requires_grad=True)
    y = F.interpolate(x, scale_factor=2, mode=mode, **_kw(ac))
    assert type(y.grad_fn).__name__ == type(TF.interpolate(t, scale_factor=2, mode=mode,
                                                             **_kw(ac)).grad_fn).__name__


@pytest.mark.parametrize("nd,mode,ac", CASES)
def test_gradcheck(nd, mode, ac):
    x = numtorch.tensor(_data((1, 2) + SPATIAL[nd], np.float64), requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, scale_factor=1.6, mode=mode, **_kw(ac)), (x,))
    assert gradgradcheck(lambda t: F.interpolate(t, size=(2,) * nd, mode=mode, **_kw(ac)), (x,))


def test_gradcheck_antialias():
    x = numtorch.tensor(_data((1, 1, 6, 5), np.float64), requires_grad=True)
    for mode in ("bilinear", "bicubic"):
        assert gradcheck(lambda t, m=mode: F.interpolate(t, size=(3, 8), mode=m, antialias=True),
                         (x,))


ERRORS = [
    (dict(size=0), RuntimeError, r"Input and output sizes should be greater than 0, but got "
                                 r"input \(H: 4, W: 4\) output \(H: 0, W: 0\)"),
    (dict(scale_factor=0.1), RuntimeError, "sizes should be greater than 0"),
    (dict(size=3, scale_factor=2), ValueError, "only one of size or scale_factor"),
    ({}, ValueError, "either size or scale_factor should be defined"),
    (dict(size=(3,)), ValueError, "Input and output must have the same number of spatial"),
    (dict(scale_factor=(2, 2, 2)), ValueError, "Input and scale_factor must have the same"),
    (dict(size=(3.0, 3)), TypeError, "expected size to be one of int"),
    (dict(size=3, align_corners=True), ValueError, "align_corners option can only be set"),
    (dict(size=3, recompute_scale_factor=True), ValueError, "recompute_scale_factor is not"),
    (dict(size=3, mode="foo"), NotImplementedError, r"Only 3D, 4D and 5D input .*\(got foo\)"),
    (dict(size=3, mode="linear"), NotImplementedError, "Got 4D input, but linear mode needs 3D"),
    (dict(size=3, mode="trilinear"), NotImplementedError, "Got 4D input, but trilinear mode"),
    (dict(size=3, mode="nearest", antialias=True), ValueError, "Anti-alias option is restricted"),
]


@pytest.mark.parametrize("kwargs,exc,match", ERRORS)
def test_errors_match_torch(kwargs, exc, match):
    x = numtorch.ones(1, 1, 4, 4)
    with pytest.raises(exc, match=match):
        F.interpolate(x, **kwargs)
    with pytest.raises(exc, match=match.replace("numtorch", "torch")):
        TF.interpolate(torch.ones(1, 1, 4, 4), **kwargs)


def test_dtype_and_shape_errors():
    with pytest.raises(NotImplementedError, match='"upsample_nearest2d_channels_last" not '
                                                  "implemented for 'Long'"):
        F.interpolate(numtorch.ones(2, 3, 4, 4, dtype=numtorch.int64), size=3)
    with pytest.raises(NotImplementedError, match="\"compute_indices_weights_linear\" not "
                                                  "implemented for 'Byte'"):
        F.interpolate(numtorch.ones(2, 3, 4, dtype=numtorch.uint8), size=3, mode="linear")
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D"):
        F.interpolate(numtorch.ones(2, 3, 4), size=3, mode="bilinear")
    with pytest.raises(NotImplementedError, match=r"got 5D\) .*\(got bicubic\)"):
        F.interpolate(numtorch.ones(1, 1, 2, 2, 2), size=3, mode="bicubic")
    with pytest.raises(RuntimeError, match=r"Non-empty 4D data tensor expected but got a "
                                           r"tensor with sizes \[2, 0, 4, 4\]"):
        F.interpolate(numtorch.ones(2, 0, 4, 4), size=3)
    with pytest.raises(RuntimeError, match=r"input \(W: 4\) and output \(W: 0\)"):
        F.interpolate(numtorch.ones(2, 3, 4), size=0, mode="linear")
    with pytest.raises(AttributeError, match="'list' object has no attribute 'dim'"):
        F.interpolate([1.0], size=2)  # as PyTorch's Python function


@pytest.mark.parametrize("fn,kw", [("upsample", {}), ("upsample_nearest", {}),
                                   ("upsample_bilinear", {})])
def test_deprecated_spellings_warn_and_match(fn, kw):
    x = _data((1, 2, 3, 4))
    with pytest.warns(UserWarning, match=f"`nn.functional.{fn}` is deprecated"):
        out = getattr(F, fn)(numtorch.tensor(x), scale_factor=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(out, getattr(TF, fn)(torch.tensor(x), scale_factor=2))


MODULES = [
    ("Upsample", dict(scale_factor=2)),
    ("Upsample", dict(size=(3, 4), mode="bilinear")),
    ("Upsample", dict(scale_factor=(2, 3), mode="bicubic", align_corners=True)),
    ("Upsample", dict(size=5, mode="area")),
    ("Upsample", dict(scale_factor=1.5, mode="nearest-exact", recompute_scale_factor=True)),
    ("UpsamplingNearest2d", dict(scale_factor=2)),
    ("UpsamplingBilinear2d", dict(size=3)),
    ("UpsamplingBilinear2d", dict(scale_factor=2.5)),
]


@pytest.mark.parametrize("name,kwargs", MODULES)
def test_modules_match_torch(name, kwargs):
    m, tm = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == []
    assert m.scale_factor == tm.scale_factor and m.align_corners == tm.align_corners
    check_op(m, tm, _data((2, 3, 4, 5)), atol=1e-5)
