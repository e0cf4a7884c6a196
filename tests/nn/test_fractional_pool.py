"""FractionalMaxPool2d/3d and F.fractional_max_pool2d/3d (numtorch/ops/fractional_pool.py)."""

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


def _samples(n, c, nd, dtype=np.float32, seed=1):
    return np.asarray(np.random.default_rng(seed).random((n, c, nd)), dtype=dtype)


CASES_2D = [((2, 3, 10, 9), 2, dict(output_size=4)), ((2, 3, 10, 9), (3, 2), dict(output_size=(5, 7))),
            ((2, 3, 10, 9), 2, dict(output_size=(9, 8))), ((3, 11, 12), 3, dict(output_size=(4, 6))),
            ((2, 2, 9, 13), 2, dict(output_ratio=(0.5, 0.7))), ((1, 2, 6, 6), 1, dict(output_size=1))]
CASES_3D = [((2, 2, 7, 8, 6), 2, dict(output_size=3)),
            ((2, 2, 7, 8, 6), (3, 2, 2), dict(output_size=(4, 5, 4))),
            ((2, 6, 5, 7), 2, dict(output_ratio=0.6))]


@pytest.mark.parametrize("nd,shape,k,kw", [(2, *c) for c in CASES_2D] + [(3, *c) for c in CASES_3D])
def test_values_indices_and_grads_with_given_samples(nd, shape, k, kw):
    fn = {2: (F.fractional_max_pool2d, TF.fractional_max_pool2d),
          3: (F.fractional_max_pool3d, TF.fractional_max_pool3d)}[nd]
    n = shape[0] if len(shape) == nd + 2 else 1
    s = _samples(n, shape[-nd - 1], nd)
    if nd == 2 and "output_ratio" in kw and not isinstance(kw["output_ratio"], tuple):
        kw = dict(kw, output_ratio=(kw["output_ratio"],) * 2)
    for x in (_data(shape), noncontig(_data(shape, seed=2))):
        check_op(lambda t: fn[0](t, k, return_indices=True, _random_samples=numtorch.tensor(s),
                                 **kw),
                 lambda t: fn[1](t, k, return_indices=True, _random_samples=torch.tensor(s), **kw),
                 x)
    s64 = s.astype(np.float64)
    check_op(lambda t: fn[0](t, k, _random_samples=numtorch.tensor(s64), **kw),
             lambda t: fn[1](t, k, _random_samples=torch.tensor(s64), **kw),
             _data(shape, np.float64))


def test_ties_and_nan_follow_torch():
    x = np.zeros((1, 1, 6, 6), dtype=np.float32)
    x[0, 0, 2, 3] = np.nan
    x[0, 0, 2, 4] = np.nan
    s = _samples(1, 1, 2)
    out = F.fractional_max_pool2d(numtorch.tensor(x), 3, 3, return_indices=True,
                                  _random_samples=numtorch.tensor(s))
    ref = TF.fractional_max_pool2d(torch.tensor(x), 3, 3, return_indices=True,
                                   _random_samples=torch.tensor(s))
    assert_same(out, ref)


@pytest.mark.parametrize("nd", [2, 3])
def test_samples_drawn_as_torch_draws_them(nd):
    shape = (2, 3) + (9,) * nd
    fn = F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d
    tfn = TF.fractional_max_pool2d if nd == 2 else TF.fractional_max_pool3d
    x = _data(shape)
    for batch in (x, x[0]):
        numtorch.manual_seed(3)
        torch.manual_seed(3)
        out = fn(numtorch.tensor(batch), 2, output_size=5, return_indices=True)
        ref = tfn(torch.tensor(batch), 2, output_size=5, return_indices=True)
        assert_same(out, ref)
        assert numtorch.rand(1).item() == torch.rand(1).item()  # same number of draws


@pytest.mark.parametrize("nd", [2, 3])
def test_module(nd):
    cls, tcls = ((nn.FractionalMaxPool2d, torch.nn.FractionalMaxPool2d) if nd == 2
                 else (nn.FractionalMaxPool3d, torch.nn.FractionalMaxPool3d))
    s = _samples(2, 3, nd)
    m = cls(2, output_size=4, return_indices=True, _random_samples=numtorch.tensor(s))
    tm = tcls(2, output_size=4, return_indices=True, _random_samples=torch.tensor(s))
    assert repr(m) == repr(tm) == f"FractionalMaxPool{nd}d()"
    assert list(m.state_dict()) == list(tm.state_dict()) == ["_random_samples"]
    assert (m.kernel_size, m.output_size, m.output_ratio) == (tm.kernel_size, tm.output_size,
                                                              tm.output_ratio)
    check_op(m, tm, _data((2, 3) + (8,) * nd))
    m, tm = cls(2, output_ratio=0.5), tcls(2, output_ratio=0.5)
    assert list(m.state_dict()) == list(tm.state_dict()) == []
    assert m.output_ratio == tm.output_ratio and m.output_size is None
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    check_op(m, tm, _data((2, 3) + (8,) * nd))


def test_grad_fn_names_and_gradcheck():
    x = numtorch.tensor(_data((2, 2, 6, 7), np.float64), requires_grad=True)
    s = numtorch.tensor(_samples(2, 2, 2, np.float64))
    out = F.fractional_max_pool2d(x, 2, output_size=4, _random_samples=s)
    assert type(out.grad_fn).__name__ == "FractionalMaxPool2DBackward0"
    assert gradcheck(lambda t: F.fractional_max_pool2d(t, 2, output_size=(4, 3),
                                                       _random_samples=s), (x,))
    assert numtorch.autograd.gradgradcheck(
        lambda t: F.fractional_max_pool2d(t, 2, output_size=(4, 3), _random_samples=s), (x,))
    x3 = numtorch.tensor(_data((1, 2, 5, 5, 4), np.float64), requires_grad=True)
    s3 = numtorch.tensor(_samples(1, 2, 3, np.float64))
    out = F.fractional_max_pool3d(x3, 2, output_size=(3, 3, 2), _random_samples=s3)
    assert type(out.grad_fn).__name__ == "FractionalMaxPool3DBackward0"
    assert gradcheck(lambda t: F.fractional_max_pool3d(t, 2, output_size=(3, 3, 2),
                                                       _random_samples=s3), (x3,))


def test_functional_errors():
    x = numtorch.randn(2, 3, 7, 8)
    s = numtorch.rand(2, 3, 2)
    f2 = F.fractional_max_pool2d
    cases = [
        (ValueError, "requires specifying either an output_size or an output_ratio", (x, 2), {}),
        (ValueError, "output_ratio to either be a single Int or tuple of Ints",
         (x, 2), dict(output_ratio=(0.5, 0.5, 0.5))),
        (RuntimeError, "fractional_max_pool2d\\(\\): pool height 4 too large relative to input "
                       "height 7", (x, 4), dict(output_size=6)),
        (RuntimeError, "pool width 2 too large relative to input width 8", (x, 2),
         dict(output_size=(6, 8))),
        (RuntimeError, "kernel_size must either be a single Int or tuple of Ints",
         (x, (2, 2, 2)), dict(output_size=2)),
        (RuntimeError, "Expected 3D or 4D tensor, but got: \\[2, 3, 4, 5, 6\\]",
         (numtorch.randn(2, 3, 4, 5, 6), 2), dict(output_size=2)),
        (RuntimeError, "Expect _random_samples.size\\(2\\) equals to 2; got 3.", (x, 2),
         dict(output_size=3, _random_samples=numtorch.rand(2, 3, 3))),
        (RuntimeError, "size\\(0\\) no less then input batch size", (x, 2),
         dict(output_size=3, _random_samples=numtorch.rand(1, 3, 2))),
        (RuntimeError, "size\\(1\\) equals to input channel size", (x, 2),
         dict(output_size=3, _random_samples=numtorch.rand(2, 4, 2))),
        (RuntimeError, "to have the same dtype as input", (x, 2),
         dict(output_size=3, _random_samples=s.double())),
        (RuntimeError, "to have 3 dimensions, got 4", (x, 2),
         dict(output_size=3, _random_samples=s[..., None])),
        (RuntimeError, "non-zero size for non-batch dimensions, but got\\[2, 0, 7, 8\\] with "
                       "dimension 1 being empty", (x[:, :0], 2), dict(output_size=3)),
    ]
    for exc, msg, args, kwargs in cases:
        with pytest.raises(exc, match=msg):
            f2(*args, **kwargs)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument "
                                           "'random_samples'"):
        f2(x, 2, output_size=3, _random_samples=numtorch.rand(2, 3, 2, requires_grad=True))
    with pytest.raises(RuntimeError, match="fractional_max_pool3d_out\\(\\): pool time 5 too "
                                           "large relative to input time 4"):
        F.fractional_max_pool3d(numtorch.randn(2, 3, 4, 5, 6), 5, output_size=2)
    with pytest.raises(RuntimeError, match="Expected 4D or 5D tensor"):
        F.fractional_max_pool3d(numtorch.randn(2, 3, 4, 5, 6, 7), 2, output_size=2)
    # More samples than batches is allowed; an empty batch gives an empty output.
    assert f2(x, 2, output_size=3, _random_samples=numtorch.rand(3, 3, 2)).shape == (2, 3, 3, 3)
    assert f2(x[:0], 2, output_size=3).shape == (0, 3, 3, 3)


def test_module_errors():
    with pytest.raises(ValueError, match="FractionalMaxPool2d requires specifying either an "
                                         "output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1 \\(got 1.5\\)"):
        nn.FractionalMaxPool3d(2, output_ratio=1.5)
    with pytest.raises(ValueError, match="kernel_size must be greater than 0, but got 0"):
        nn.FractionalMaxPool3d(0, output_ratio=0.5)
