"""Max, average, adaptive and unpooling (functional and modules) against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, seed=0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _both(name, *args, **kwargs):
    """(numtorch fn, torch fn) of the same functional name, with the arguments bound."""
    return (lambda *t: getattr(F, name)(*t, *args, **kwargs),
            lambda *t: getattr(TF, name)(*t, *args, **kwargs))


# --------------------------------------------------------------------------- max pooling

MAX2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
         dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1)),
         dict(kernel_size=3, stride=2, ceil_mode=True),
         dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True),
         dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True), dict(kernel_size=(1, 7))]


@pytest.mark.parametrize("kw", MAX2D)
@pytest.mark.parametrize("shape", [(2, 3, 7, 7), (3, 6, 7)])
def test_max_pool2d_values_indices_and_grads(kw, shape):
    check_op(*_both("max_pool2d", **kw, return_indices=True), _data(shape))
    check_op(*_both("max_pool2d", **kw), _data(shape, dtype=np.float64))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                dict(kernel_size=(1, 2, 3), stride=(1, 2, 1), dilation=(1, 1, 2),
                                     ceil_mode=True)])
def test_max_pool3d_values_indices_and_grads(kw):
    check_op(*_both("max_pool3d", **kw, return_indices=True), _data((2, 2, 4, 5, 6)))
    check_op(*_both("max_pool3d", **kw), _data((2, 4, 5, 6)))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=1, dilation=3, ceil_mode=True),
                                dict(kernel_size=4, stride=3, ceil_mode=True)])
def test_max_pool1d_values_indices_and_grads(kw):
    check_op(*_both("max_pool1d", **kw, return_indices=True), _data((2, 3, 10)))
    check_op(*_both("max_pool1d", **kw), _data((3, 10)))


def test_max_pool_ties_first_max_and_last_nan():
    nan = float("nan")
    x = np.array([[[1, 3, 3, 2, nan, 5, nan, 1, 4, 4, 4, 0]]], dtype=np.float32)
    check_op(*_both("max_pool1d", 4, return_indices=True), x)
    check_op(*_both("max_pool1d", 3, 1, return_indices=True), x)
    img = np.zeros((1, 1, 4, 4), dtype=np.float32)
    check_op(*_both("max_pool2d", 2, 1, return_indices=True), img)


def test_max_pool_padding_with_minus_inf_input():
    x = np.full((1, 1, 3, 3), -np.inf, dtype=np.float32)
    x[0, 0, 2, 2] = 1
    check_op(*_both("max_pool2d", 3, 2, 1, return_indices=True), x, grad=False)


def _exact(nt, ref):
    """Bit-for-bit equality, NaN positions and the sign of zeros included."""
    a, b = nt.detach().numpy(), ref.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(np.signbit(a), np.signbit(b))


def _ties(shape, seed):
    """Rounded values with many ties, zeros of both signs, NaNs and -inf."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal(shape), 1).astype(np.float32)
    x[rng.random(shape) < 0.2] = 0.0
    x[rng.random(shape) < 0.1] = -0.0
    x[rng.random(shape) < 0.02] = np.nan
    x[rng.random(shape) < 0.05] = -np.inf
    return x


@pytest.mark.parametrize("kw", MAX2D)
def test_max_pool_bit_exact_on_ties_large_input_and_no_grad(kw):
    # Large enough for the blocks and the thread pool; the values-only path (no grad, no
    # indices) must give the same bits as the path that finds the indices.
    x = _ties((8, 16, 23, 23), 1)
    tx, nx = torch.tensor(x, requires_grad=True), numtorch.tensor(x, requires_grad=True)
    tv, ti = TF.max_pool2d(tx, **kw, return_indices=True)
    nv, ni = F.max_pool2d(nx, **kw, return_indices=True)
    _exact(nv, tv)
    assert np.array_equal(ni.numpy(), ti.numpy())
    g = _data(tuple(tv.shape), seed=2)
    tv.backward(torch.tensor(g))
    nv.backward(numtorch.tensor(g))
    _exact(nx.grad, tx.grad)
    with numtorch.no_grad():
        _exact(F.max_pool2d(numtorch.tensor(x), **kw), tv)


def test_max_pool_first_of_tied_zeros_probed_and_fallback(monkeypatch):
    # PyTorch keeps the first of equal values: -0.0 before 0.0 stays -0.0. The maximum
    # ordered by what the probe found (pooling._zero_tie) and the fallback used when the
    # probe finds no consistent rule must both give PyTorch's bits.
    from numtorch.ops import pooling

    x = np.zeros((2, 3, 6, 6), dtype=np.float32)
    x[..., ::2, :] = -0.0
    x[0, 0, 1, 1] = np.nan
    x[1, 2, 2, 3] = np.nan
    ref = TF.max_pool2d(torch.tensor(x), 3, 1, 1, return_indices=True)
    for tie in (pooling._zero_tie(np, np.dtype(np.float32)), None):
        monkeypatch.setattr(pooling, "_zero_tie", lambda xp, dtype, tie=tie: tie)
        out = F.max_pool2d(numtorch.tensor(x), 3, 1, 1, return_indices=True)
        _exact(out[0], ref[0])
        assert np.array_equal(out[1].numpy(), ref[1].numpy())


def test_max_pool_zero_tie_probe_names_a_consistent_operand():
    from numtorch.ops import pooling

    for dtype in (np.float16, np.float32, np.float64):
        tie = pooling._zero_tie(np, np.dtype(dtype))
        assert tie in ("first", "second", None)
        if tie is not None:
            a, b = np.full(40, -0.0, dtype)[::2], np.zeros(20, dtype)
            r = np.signbit(np.maximum(a, b))
            assert np.array_equal(r, np.signbit(b if tie == "second" else a))
    assert pooling._zero_tie(np, np.dtype(np.int32)) == "first"


@pytest.mark.parametrize("args", [(3, 2, 1), (3, 1, 1), (2, 1), ((3, 2), (2, 1), (1, 0))])
def test_pool_gradients_add_in_pytorchs_order(args):
    # Overlapping windows: an input element gets several parts; they must be added in the
    # order PyTorch's loop adds them, so the float32 sums round the same way.
    x = _ties((4, 8, 17, 17), 3)
    x = np.nan_to_num(x, nan=0.5, neginf=-2.0)
    for name in ("max_pool2d", "avg_pool2d"):
        tx, nx = torch.tensor(x, requires_grad=True), numtorch.tensor(x, requires_grad=True)
        tv, nv = getattr(TF, name)(tx, *args), getattr(F, name)(nx, *args)
        _exact(nv, tv)
        g = _data(tuple(tv.shape), seed=4) * 1000
        tv.backward(torch.tensor(g))
        nv.backward(numtorch.tensor(g))
        _exact(nx.grad, tx.grad)


def test_max_pool_grad_fn_names_and_dtypes():
    x = numtorch.tensor(_data((1, 2, 4, 4)), requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert type(out.grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    assert idx.dtype is numtorch.int64 and idx.grad_fn is None and not idx.requires_grad
    assert type(F.max_pool3d(x, 2).grad_fn).__name__ == "MaxPool3DWithIndicesBackward0"
    assert type(F.max_pool1d(x[0], 2).grad_fn).__name__ == "SqueezeBackward1"


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.float16])
def test_max_pool_other_dtypes(dtype):
    x = (np.random.default_rng(0).random((2, 2, 5, 5)) * 100).astype(dtype)
    check_op(*_both("max_pool2d", 2, 2, 1, return_indices=True), x, grad=False)


def test_max_pool_noncontiguous_and_empty_batch():
    x = _data((2, 3, 6, 6))
    assert_same(F.max_pool2d(numtorch.from_numpy(noncontig(x)), 3, 2, 1),
                TF.max_pool2d(torch.tensor(x), 3, 2, 1))
    xt = numtorch.tensor(x).transpose(2, 3)
    assert_same(F.max_pool2d(xt, 2, return_indices=True),
                TF.max_pool2d(torch.tensor(x).transpose(2, 3), 2, return_indices=True))
    check_op(*_both("max_pool2d", 2, return_indices=True), np.zeros((0, 2, 4, 4), np.float32))


def test_max_pool_gradcheck_and_gradgradcheck():
    x = numtorch.tensor(_data((1, 2, 5, 5), dtype=np.float64), requires_grad=True)
    for fn in (lambda a: F.max_pool2d(a, 3, 1, 1), lambda a: F.max_pool2d(a, 2),
               lambda a: F.max_pool1d(a[0], 3, 2, ceil_mode=True)):
        assert numtorch.autograd.gradcheck(fn, (x,))
        assert numtorch.autograd.gradgradcheck(fn, (x,))


# --------------------------------------------------------------------------- average pooling

AVG2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
         dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
         dict(kernel_size=3, stride=2, ceil_mode=True),
         dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
         dict(kernel_size=2, divisor_override=3), dict(kernel_size=3, padding=1, stride=1,
                                                       divisor_override=2)]


@pytest.mark.parametrize("kw", AVG2D)
@pytest.mark.parametrize("cip", [True, False])
def test_avg_pool2d_values_and_grads(kw, cip):
    check_op(*_both("avg_pool2d", **kw, count_include_pad=cip), _data((2, 3, 7, 6)))
    check_op(*_both("avg_pool2d", **kw, count_include_pad=cip),
             _data((3, 7, 6), dtype=np.float64))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                dict(kernel_size=(1, 2, 3), stride=2, padding=(0, 1, 1),
                                     ceil_mode=True, count_include_pad=False),
                                dict(kernel_size=2, divisor_override=5)])
def test_avg_pool3d_values_and_grads(kw):
    check_op(*_both("avg_pool3d", **kw), _data((2, 2, 4, 5, 6)))
    check_op(*_both("avg_pool3d", **kw), _data((2, 4, 5, 6)))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False)])
def test_avg_pool1d_values_and_grads(kw):
    check_op(*_both("avg_pool1d", **kw), _data((2, 3, 10)))
    check_op(*_both("avg_pool1d", **kw), _data((3, 9)))


def test_avg_pool_integers_truncate_and_float16():
    x = (np.arange(32).reshape(1, 2, 4, 4) * 3 - 40).astype(np.int64)
    check_op(*_both("avg_pool2d", 3, 1, 1), x, grad=False)
    check_op(*_both("avg_pool2d", 3, 1, 1, False, False), x, grad=False)
    check_op(*_both("avg_pool2d", 2), _data((1, 2, 4, 4), dtype=np.float16), grad=False,
             rtol=1e-3, atol=1e-3)


def test_avg_pool_grad_fns_noncontiguous_gradcheck():
    x = numtorch.tensor(_data((1, 2, 5, 5), dtype=np.float64), requires_grad=True)
    assert type(F.avg_pool2d(x, 2).grad_fn).__name__ == "AvgPool2DBackward0"
    assert type(F.avg_pool3d(x, 2).grad_fn).__name__ == "AvgPool3DBackward0"
    assert type(F.avg_pool1d(x[0], 2).grad_fn).__name__ == "SqueezeBackward1"
    xn = _data((2, 3, 6, 6))
    assert_same(F.avg_pool2d(numtorch.from_numpy(noncontig(xn)), 3, 2, 1),
                TF.avg_pool2d(torch.tensor(xn), 3, 2, 1))
    for fn in (lambda a: F.avg_pool2d(a, 3, 2, 1, True, False),
               lambda a: F.avg_pool2d(a, 2, divisor_override=3),
               lambda a: F.avg_pool1d(a[0], 3, 1, 1)):
        assert numtorch.autograd.gradcheck(fn, (x,))
        assert numtorch.autograd.gradgradcheck(fn, (x,))


# --------------------------------------------------------------------------- adaptive pooling


@pytest.mark.parametrize("size", [(1, 1), (7, 6), (3, 4), (None, 4), 5, (2, None), (10, 9),
                                  (0, 2)])
def test_adaptive_pool2d_values_and_grads(size):
    grad = size != (0, 2)  # torch's backward refuses an empty output
    check_op(*_both("adaptive_avg_pool2d", size), _data((2, 3, 7, 6)), grad=grad)
    check_op(*_both("adaptive_max_pool2d", size, True), _data((2, 3, 7, 6)), grad=grad)
    check_op(*_both("adaptive_avg_pool2d", size), _data((3, 7, 6), dtype=np.float64), grad=grad)
    check_op(*_both("adaptive_max_pool2d", size), _data((3, 7, 6), dtype=np.float64), grad=grad)


@pytest.mark.parametrize("size", [1, (2, 3, 4), (None, 2, 5), 3])
def test_adaptive_pool3d_values_and_grads(size):
    check_op(*_both("adaptive_avg_pool3d", size), _data((2, 2, 5, 4, 6)))
    check_op(*_both("adaptive_max_pool3d", size, True), _data((2, 5, 4, 6)))


@pytest.mark.parametrize("size", [1, 3, 4, 10, 13])
def test_adaptive_pool1d_values_and_grads(size):
    check_op(*_both("adaptive_avg_pool1d", size), _data((2, 3, 10)))
    check_op(*_both("adaptive_max_pool1d", size, True), _data((3, 10)))


def test_adaptive_pool_grad_fns_ties_noncontiguous_gradcheck():
    x = numtorch.tensor(_data((1, 2, 5, 5), dtype=np.float64), requires_grad=True)
    for fn, name in ((F.adaptive_avg_pool2d, "AdaptiveAvgPool2DBackward0"),
                     (F.adaptive_max_pool2d, "AdaptiveMaxPool2DBackward0")):
        assert type(fn(x, 3).grad_fn).__name__ == name
    assert type(F.adaptive_avg_pool3d(x, 3).grad_fn).__name__ == "AdaptiveAvgPool3DBackward0"
    assert type(F.adaptive_max_pool3d(x, 3).grad_fn).__name__ == "AdaptiveMaxPool3DBackward0"
    nan = float("nan")
    tie = np.array([[[2, 2, nan, 1, nan, 3, 3]]], dtype=np.float32)
    check_op(*_both("adaptive_max_pool1d", 3, True), tie)
    xn = _data((2, 3, 6, 7))
    assert_same(F.adaptive_avg_pool2d(numtorch.from_numpy(noncontig(xn)), (4, 3)),
                TF.adaptive_avg_pool2d(torch.tensor(xn), (4, 3)))
    for fn in (lambda a: F.adaptive_avg_pool2d(a, (3, 2)), lambda a: F.adaptive_max_pool2d(a, 3),
               lambda a: F.adaptive_avg_pool1d(a[0], 3)):
        assert numtorch.autograd.gradcheck(fn, (x,))
        assert numtorch.autograd.gradgradcheck(fn, (x,))


# --------------------------------------------------------------------------- unpooling


@pytest.mark.parametrize("nd, shape", [(1, (2, 3, 8)), (2, (2, 3, 6, 6)), (2, (3, 6, 4)),
                                       (3, (1, 2, 4, 4, 4))])
def test_max_unpool_inverts_max_pool(nd, shape):
    x = _data(shape)
    out, idx = getattr(TF, f"max_pool{nd}d")(torch.tensor(x), 2, return_indices=True)
    o, i = out.numpy(), idx.numpy()
    check_op(lambda a: getattr(F, f"max_unpool{nd}d")(a, numtorch.tensor(i), 2),
             lambda a: getattr(TF, f"max_unpool{nd}d")(a, torch.tensor(i), 2), o)
    size = list(shape[-nd:])
    size[-1] += 1
    check_op(lambda a: getattr(F, f"max_unpool{nd}d")(a, numtorch.tensor(i), 2, output_size=size),
             lambda a: getattr(TF, f"max_unpool{nd}d")(a, torch.tensor(i), 2, output_size=size),
             o)


def test_max_unpool_module_and_grad_fn():
    x = _data((1, 2, 4, 4))
    m, mt = nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)
    u, ut = nn.MaxUnpool2d(2), torch.nn.MaxUnpool2d(2)
    assert repr(u) == repr(ut)
    check_op(lambda a: u(*m(a)), lambda a: ut(*mt(a)), x)
    y = u(*m(numtorch.tensor(x, requires_grad=True)))
    assert type(y.grad_fn).__name__ == "MaxUnpool2DBackward0"


# --------------------------------------------------------------------------- modules

MODULES = [
    ("MaxPool1d", (2,), {}), ("MaxPool1d", (3, 2, 1, 1, True, True), {}),
    ("MaxPool2d", (2,), {}), ("MaxPool2d", ((2, 3), 1, 1, 2), dict(ceil_mode=True)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, return_indices=True)),
    ("MaxPool3d", (2,), {}), ("AvgPool1d", (2,), {}), ("AvgPool1d", (3, 2, 1, True, False), {}),
    ("AvgPool2d", (2,), {}), ("AvgPool2d", ((2, 3), (1, 2), 1, True, False, 3), {}),
    ("AvgPool3d", (2,), dict(divisor_override=3)), ("AdaptiveAvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((7, 7),), {}), ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((None, 2),), {}), ("AdaptiveAvgPool3d", (2,), {}),
    ("AdaptiveMaxPool1d", (3,), {}), ("AdaptiveMaxPool2d", ((2, 3), True), {}),
    ("AdaptiveMaxPool3d", (2,), dict(return_indices=True)), ("MaxUnpool1d", (2,), {}),
    ("MaxUnpool3d", (2, 1), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_module_repr_state_dict_and_forward(name, args, kwargs):
    m, mt = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict()) == []
    if "Unpool" in name:
        return
    nd = int(name[-2])
    shape = (2, 3) + (7, 6, 5)[:nd]
    check_op(m, mt, _data(shape))
    check_op(m, mt, _data(shape[1:]))  # unbatched


def test_vgg_style_stack_matches_torch():
    seq = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                        nn.AdaptiveAvgPool2d((7, 7)), nn.MaxPool2d(2, 2, ceil_mode=True),
                        nn.AdaptiveAvgPool2d((1, 1)))
    tseq = torch.nn.Sequential(torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                               torch.nn.AdaptiveAvgPool2d((7, 7)),
                               torch.nn.MaxPool2d(2, 2, ceil_mode=True),
                               torch.nn.AdaptiveAvgPool2d((1, 1)))
    check_op(seq, tseq, _data((2, 4, 19, 17)))


# --------------------------------------------------------------------------- errors

Z = np.zeros
ERRORS = [
    ("max_pool2d", Z((1, 1, 4, 4)), (3,), dict(padding=2)),
    ("max_pool2d", Z((1, 1, 2, 2)), (3,), {}),
    ("max_pool2d", Z((1, 4, 4)), (0,), {}),
    ("max_pool2d", Z((1, 1, 4, 4)), (2, 0), {}),
    ("max_pool2d", Z((4, 4)), (2,), {}),
    ("max_pool2d", Z((1, 1, 1, 4, 4)), (2,), {}),
    ("max_pool2d", Z((1, 1, 4, 4)), (2,), dict(dilation=0)),
    ("max_pool2d", Z((1, 1, 4, 4)), (2,), dict(padding=-1)),
    ("max_pool2d", Z((1, 1, 4, 4)), ((2, 2, 2),), {}),
    ("max_pool2d", Z((1, 0, 4, 4)), (2,), {}),
    ("max_pool2d", Z((1, 1, 4, 4), dtype=bool), (2,), {}),
    ("max_pool3d", Z((4, 4, 4)), (2,), {}),
    ("max_pool3d", Z((1, 1, 2, 2, 2)), (3,), {}),
    ("max_pool3d", Z((1, 0, 4, 4, 4)), (2,), {}),
    ("max_pool1d", Z((1, 1, 2)), (3,), {}),
    ("max_pool1d", Z((1, 1, 4)), (3,), dict(padding=2)),
    ("max_pool1d", Z((1, 1, 4)), (0,), {}),
    ("max_pool1d", Z((4,)), (2,), {}),
    ("max_pool1d", Z((1, 1, 1, 4)), (2,), {}),
    ("max_pool1d", Z((1, 1, 4)), ((2, 2),), {}),
    ("max_pool1d", Z((1, 1, 4)), (2,), dict(dilation=0)),
    ("max_pool1d", Z((1, 1, 4)), (2,), dict(padding=-1)),
    ("avg_pool2d", Z((1, 1, 4, 4)), (3,), dict(padding=2)),
    ("avg_pool2d", Z((1, 1, 2, 2)), (3,), {}),
    ("avg_pool2d", Z((1, 1, 4, 4)), (2,), dict(divisor_override=0)),
    ("avg_pool2d", Z((1, 1, 4, 4)), (0,), {}),
    ("avg_pool2d", Z((1, 1, 4, 4)), (2,), dict(padding=-1)),
    ("avg_pool2d", Z((1, 0, 4, 4)), (2,), {}),
    ("avg_pool2d", Z((1, 1, 4, 4), dtype=bool), (2,), {}),
    ("avg_pool2d", Z((1, 1, 4, 4), dtype=np.uint8), (2,), {}),
    ("avg_pool3d", Z((4, 4, 4)), (2,), {}),
    ("avg_pool3d", Z((1, 1, 2, 2, 2)), (3,), {}),
    ("avg_pool3d", Z((1, 0, 4, 4, 4)), (2,), {}),
    ("avg_pool1d", Z((1, 1, 2)), (3,), {}),
    ("avg_pool1d", Z((4,)), (2,), {}),
    ("avg_pool1d", Z((1, 1, 4)), ((2, 2),), {}),
    ("avg_pool1d", Z((1, 1, 4)), (2,), dict(padding=2)),
    ("adaptive_avg_pool2d", Z((1, 1, 4, 4)), ((2, 2, 2),), {}),
    ("adaptive_avg_pool2d", Z((4, 4)), (2,), {}),
    ("adaptive_avg_pool2d", Z((1, 1, 0, 4)), (2,), {}),
    ("adaptive_avg_pool2d", Z((1, 1, 4, 4)), (-1,), {}),
    ("adaptive_avg_pool2d", Z((1, 1, 4, 4), dtype=np.int64), (2,), {}),
    ("adaptive_avg_pool1d", Z((4,)), (2,), {}),
    ("adaptive_avg_pool1d", Z((1, 1, 4)), ((2, 2),), {}),
    ("adaptive_avg_pool3d", Z((4, 4)), (2,), {}),
    ("adaptive_max_pool2d", Z((4, 4)), (2,), {}),
    ("adaptive_max_pool2d", Z((1, 1, 0, 4)), (2,), {}),
    ("adaptive_max_pool2d", Z((1, 1, 4, 4)), ((2, 2, 2),), {}),
    ("adaptive_max_pool2d", Z((1, 1, 4, 4), dtype=np.int64), (2,), {}),
    ("adaptive_max_pool1d", Z((4,)), (2,), {}),
    ("adaptive_max_pool3d", Z((4, 4)), (2,), {}),
]


@pytest.mark.parametrize("name, x, args, kwargs", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors_match_torch(name, x, args, kwargs):
    with pytest.raises(Exception) as ref:
        getattr(TF, name)(torch.tensor(x), *args, **kwargs)
    with pytest.raises(type(ref.value)) as got:
        getattr(F, name)(numtorch.tensor(x), *args, **kwargs)
    assert str(got.value).splitlines()[0] == str(ref.value).splitlines()[0]


def test_max_unpool_errors():
    x = numtorch.zeros(1, 1, 2, 2)
    idx = numtorch.zeros(1, 1, 2, 2, dtype=numtorch.int64)
    with pytest.raises(ValueError, match=r"invalid output_size \"\[9, 9\]\" \(dim 0 must be "
                                         r"between 2 and 6\)"):
        F.max_unpool2d(x, idx, 2, output_size=[9, 9])
    with pytest.raises(RuntimeError, match="Found an invalid max index: 16"):
        F.max_unpool2d(x, idx + 16, 2)


# --- power-average pooling ------------------------------------------------------------------

@pytest.mark.parametrize("nd,args", [
    (1, (2, 3)), (1, (1.5, 2, 1, True)), (1, (3, 2)),
    (2, (2, 3)), (2, (1.5, (2, 3), 1)), (2, (3, 2, None, True)), (2, (1, 2)),
    (3, (2, 2)), (3, (2, (1, 2, 2), (1, 1, 2))),
])
def test_lp_pool_matches_torch(nd, args):
    shape = (2, 3) + (6,) * nd
    x = np.abs(np.random.default_rng(nd).standard_normal(shape)) + 0.1
    name = f"LPPool{nd}d"
    ours_mod, ref_mod = getattr(numtorch.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours_mod) == repr(ref_mod)
    a = numtorch.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = ours_mod(a), ref_mod(b)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert type(ya.grad_fn).__name__ == type(yb.grad_fn).__name__


def test_lp_pool_gradcheck():
    x = numtorch.rand(1, 2, 5, 5, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: numtorch.nn.functional.lp_pool2d(t, 2, 2), (x,))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_max_pool_keeps_the_last_nan_of_a_window(dtype):
    # NaNs of both signs: PyTorch's window holds its last NaN, bits and all (NumPy's float16
    # maximum keeps the first of two NaNs).
    x = np.array([[[np.nan, -np.nan, 1, -np.nan, np.nan, 2]]], dtype=dtype)
    for k in (2, 3, 6):
        for ri in (False, True):
            got = F.max_pool1d(numtorch.tensor(x), k, 1, return_indices=ri)
            want = TF.max_pool1d(torch.from_numpy(x), k, 1, return_indices=ri)
            got, want = (got, want) if ri else ((got,), (want,))
            for g, w in zip(got, want):
                assert g.numpy().tobytes() == w.numpy().tobytes()
