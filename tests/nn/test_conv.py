"""Convolutions (numtorch/ops/conv.py, numtorch/nn/modules/conv.py) against PyTorch."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck, gradgradcheck
from tests.utils import assert_same, check_op, to_torch, torch

TF = torch.nn.functional
RNG = np.random.default_rng(0)


def _randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _fn(lib, name):
    return lambda *args, **kwargs: getattr(lib, name)(*args, **kwargs)


# ---------------------------------------------------------------- functional parity

_CONV_CASES = [
    # nd, stride, padding, dilation, groups, bias
    *[(2, s, p, d, g, b) for s, p, d, g, b in itertools.product(
        (1, 2), (0, 1, (2, 0)), (1, 2), (1, 2), (True, False))],
    (2, (1, 2), (1, 0), (2, 1), 1, True),
    (2, 1, "same", 1, 1, True), (2, 1, "same", 2, 2, False), (2, 2, "valid", 1, 1, True),
    (2, 3, 1, 1, 4, True),
    *[(1, s, p, d, g, True) for s, p, d, g in itertools.product((1, 3), (0, 2, "same"),
                                                               (1, 2), (1, 2))
      if not (p == "same" and s > 1)],
    (3, 1, 1, 1, 1, True), (3, 2, (1, 0, 1), (1, 2, 1), 2, False), (3, 1, "same", 1, 1, True),
]


@pytest.mark.parametrize("nd,stride,padding,dilation,groups,bias", _CONV_CASES)
def test_conv_matches_torch_values_and_grads(nd, stride, padding, dilation, groups, bias):
    size = {1: (9,), 2: (7, 8), 3: (5, 6, 5)}[nd]
    k = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}[nd]
    x = _randn(2, 4, *size)
    w = _randn(8, 4 // groups, *k)
    args = (x, w, _randn(8)) if bias else (x, w)
    name = f"conv{nd}d"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check_op(_fn(F, name), _fn(TF, name), *args, stride=stride, padding=padding,
                       dilation=dilation, groups=groups, rtol=1e-4, atol=1e-5)
    assert type(out.grad_fn).__name__ == "ConvolutionBackward0"


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_float64_and_unbatched(nd):
    size = (6,) * nd
    x, w, b = _randn(3, *size, dtype=np.float64), _randn(5, 3, *(3,) * nd, dtype=np.float64), \
        _randn(5, dtype=np.float64)
    out = check_op(_fn(F, f"conv{nd}d"), _fn(TF, f"conv{nd}d"), x, w, b, padding=1)
    assert type(out.grad_fn).__name__ == "SqueezeBackward1"
    assert out.dtype == numtorch.float64


@pytest.mark.parametrize("nd,stride,padding,dilation", [
    (2, 1, 1, 1), (2, 2, (0, 2), (1, 2)), (1, 2, 1, 1), (3, 1, 1, 1), (3, 2, 0, (1, 2, 1)),
])
def test_conv_one_gemm_path_matches_torch(nd, stride, padding, dilation):
    # C * K >= 32 with one group: the whole batch goes through one wide GEMM.
    size = {1: (11,), 2: (8, 9), 3: (5, 6, 6)}[nd]
    x, w, b = _randn(3, 12, *size), _randn(5, 12, *(3,) * nd), _randn(5)
    name = f"conv{nd}d"
    check_op(_fn(F, name), _fn(TF, name), x, w, b, stride=stride, padding=padding,
             dilation=dilation, rtol=1e-4, atol=1e-5)
    wt = _randn(12, 5, *(3,) * nd)
    name = f"conv_transpose{nd}d"
    check_op(_fn(F, name), _fn(TF, name), x, wt, b, stride=stride, padding=padding,
             dilation=dilation, rtol=1e-4, atol=1e-5)


def test_conv_one_gemm_path_gradgradcheck():
    x, w = _leaves((2, 4, 4, 4), (3, 4, 3, 3))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1), (x, w))
    x, w = _leaves((2, 4, 3, 3), (4, 4, 3, 3))
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
                         (x, w))


def test_conv_depthwise_and_large_groups():
    x, w, b = _randn(3, 6, 9, 9), _randn(12, 1, 3, 3), _randn(12)
    check_op(F.conv2d, TF.conv2d, x, w, b, padding=1, groups=6, rtol=1e-4, atol=1e-5)
    check_op(F.conv2d, TF.conv2d, x, _randn(6, 1, 5, 5), stride=2, groups=6, rtol=1e-4,
             atol=1e-5)


def test_conv_noncontiguous_input_and_weight():
    x = _randn(2, 3, 8, 7)
    w = _randn(4, 3, 3, 3)
    xv = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)  # strided view
    wv = np.repeat(w[..., None], 2, axis=-1)[..., 0]
    a, t = numtorch.from_numpy(xv), torch.from_numpy(xv)
    wa, wt = numtorch.from_numpy(wv), torch.from_numpy(wv)
    for p in (a, t, wa, wt):
        p.requires_grad_(True)
    assert not a.is_contiguous()
    out, ref = F.conv2d(a, wa, stride=2, padding=1), TF.conv2d(t, wt, stride=2, padding=1)
    assert_same(out, ref, rtol=1e-4, atol=1e-5)
    g = _randn(*ref.shape)
    out.backward(numtorch.tensor(g))
    ref.backward(torch.tensor(g))
    assert_same(a.grad, t.grad, rtol=1e-4, atol=1e-5)
    assert_same(wa.grad, wt.grad, rtol=1e-4, atol=1e-5)


def test_conv_same_even_kernel_pads_right_and_warns():
    x, w = _randn(1, 2, 7, 6), _randn(3, 2, 4, 3)
    with pytest.warns(UserWarning, match="Using padding='same' with even kernel lengths"):
        out = check_op(F.conv2d, TF.conv2d, x, w, padding="same", dilation=(1, 2), rtol=1e-4,
                       atol=1e-5)
    assert out.shape == (1, 3, 7, 6)
    first = out.grad_fn.next_functions[0][0]
    assert type(first).__name__ == "ConstantPadNdBackward0"


def test_conv_empty_batch():
    x, w, b = _randn(0, 3, 6, 6), _randn(4, 3, 3, 3), _randn(4)
    check_op(F.conv2d, TF.conv2d, x, w, b)
    check_op(F.conv_transpose2d, TF.conv_transpose2d, x, _randn(3, 2, 3, 3))


def test_conv_zero_input_channels_gives_the_bias():
    # PyTorch returns an empty (2, 0, 4, 4) here; the convolution's value is the bias alone.
    out = F.conv2d(numtorch.zeros(2, 0, 6, 6), numtorch.zeros(4, 0, 3, 3), numtorch.ones(4))
    assert out.shape == (2, 4, 4, 4) and bool((out == 1).all())


@pytest.mark.parametrize("dtype", ["int64", "float16"])
def test_conv_other_dtypes(dtype):
    x = RNG.integers(-3, 4, (2, 3, 6, 6)).astype(dtype)
    w = RNG.integers(-3, 4, (4, 3, 3, 3)).astype(dtype)
    out = F.conv2d(numtorch.tensor(x), numtorch.tensor(w), padding=1)
    ref = TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1)
    assert_same(out, ref)


def test_conv_stride_and_padding_lists_broadcast():
    x, w = _randn(1, 2, 9, 9), _randn(3, 2, 3, 3)
    check_op(F.conv2d, TF.conv2d, x, w, stride=[2], padding=(1,), dilation=[2], grad=False)


# ---------------------------------------------------------------- transposed

_T_CASES = [
    # nd, stride, padding, output_padding, groups, dilation, bias
    *[(2, s, p, op, g, d, b) for s, p, op, g, d, b in itertools.product(
        (1, 2), (0, 1), (0, 1), (1, 2), (1, 2), (True, False)) if op < max(s, d)],
    (2, (2, 3), (1, 0), (1, 2), 1, 1, True),
    (1, 3, 1, 2, 1, 1, True), (1, 1, 0, 0, 2, 3, False), (1, 2, 2, 1, 1, 1, True),
    (3, 2, 1, 1, 1, 1, True), (3, 1, 0, 0, 2, (1, 2, 1), False),
]


@pytest.mark.parametrize("nd,stride,padding,output_padding,groups,dilation,bias", _T_CASES)
def test_conv_transpose_matches_torch(nd, stride, padding, output_padding, groups, dilation,
                                      bias):
    size = {1: (7,), 2: (5, 6), 3: (4, 3, 4)}[nd]
    k = {1: (3,), 2: (3, 2), 3: (2, 3, 2)}[nd]
    x = _randn(2, 4, *size)
    w = _randn(4, 6 // groups, *k)
    args = (x, w, _randn(6)) if bias else (x, w)
    name = f"conv_transpose{nd}d"
    out = check_op(_fn(F, name), _fn(TF, name), *args, stride=stride, padding=padding,
                   output_padding=output_padding, groups=groups, dilation=dilation,
                   rtol=1e-4, atol=1e-5)
    assert type(out.grad_fn).__name__ == "ConvolutionBackward0"


def test_conv_transpose_unbatched():
    x, w = _randn(3, 5, 5), _randn(3, 2, 3, 3)
    check_op(F.conv_transpose2d, TF.conv_transpose2d, x, w, stride=2, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- gradcheck

def _leaves(*shapes):
    gen = numtorch.Generator().manual_seed(0)
    return tuple(numtorch.randn(*s, dtype=numtorch.float64, generator=gen).requires_grad_()
                 for s in shapes)


@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1, groups=2),
    dict(dilation=2, padding="same"),
    dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1)),
])
def test_conv2d_gradcheck_and_gradgradcheck(kwargs):
    x, w, b = _leaves((2, 4, 5, 5), (4, 2 if kwargs.get("groups") else 4, 3, 3), (4,))

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kwargs)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1, output_padding=1, groups=2),
    dict(stride=1, output_padding=1, dilation=2),
])
def test_conv_transpose2d_gradcheck_and_gradgradcheck(kwargs):
    x, w, b = _leaves((2, 4, 4, 4), (4, 3, 3, 3), (3 * kwargs.get("groups", 1),))

    def fn(x, w, b):
        return F.conv_transpose2d(x, w, b, **kwargs)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_conv1d_and_conv3d_gradgradcheck():
    x, w = _leaves((1, 2, 6), (3, 2, 2))
    assert gradgradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), (x, w))
    x, w = _leaves((1, 2, 3, 3, 3), (2, 1, 2, 2, 2))
    assert gradgradcheck(lambda x, w: F.conv3d(x, w, groups=2, padding=1), (x, w))


def test_double_backward_matches_torch():
    x, w = _randn(2, 3, 6, 6, dtype=np.float64), _randn(4, 3, 3, 3, dtype=np.float64)
    xs = [numtorch.tensor(x, requires_grad=True), numtorch.tensor(w, requires_grad=True)]
    ts = [torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)]
    results = []
    for lib, (a, b) in ((numtorch, xs), (torch, ts)):
        y = lib.nn.functional.conv2d(a, b, stride=2, padding=1)
        ga, gb = lib.autograd.grad((y * y).sum(), (a, b), create_graph=True)
        results.append(lib.autograd.grad((ga ** 2).sum() + (gb ** 3).sum(), (a, b)))
    assert_same(results[0], results[1], rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- stride 1: wide rows

_BLOCK_SIZES = [None, 64, 4000]  # as shipped; one output row per block; a few samples


def _block(monkeypatch, size):
    from numtorch.ops import conv as conv_ops

    if size is not None:
        monkeypatch.setattr(conv_ops, "_BLOCK", size)


@pytest.mark.parametrize("block", _BLOCK_SIZES)
@pytest.mark.parametrize("nd,padding,dilation", [
    (2, 1, 1), (2, 0, 1), (2, (2, 0), (1, 2)), (2, 3, 1), (1, 2, 2), (3, 1, 1), (3, (0, 2, 1), 1),
])
def test_wide_rows_match_torch(monkeypatch, block, nd, padding, dilation):
    # Stride 1, one group, C * K >= 32; padding 3 > d (k - 1) takes the col2im fallback.
    _block(monkeypatch, block)
    size = {1: (10,), 2: (6, 7), 3: (4, 5, 5)}[nd]
    x, w, b = _randn(3, 8, *size), _randn(5, 8, *(3,) * nd), _randn(5)
    name = f"conv{nd}d"
    check_op(_fn(F, name), _fn(TF, name), x, w, b, padding=padding, dilation=dilation,
             rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("block", _BLOCK_SIZES)
@pytest.mark.parametrize("padding,dilation,bias", [(1, 1, True), (0, 2, False), (3, 1, True)])
def test_wide_rows_depthwise_match_torch(monkeypatch, block, padding, dilation, bias):
    _block(monkeypatch, block)
    x, w = _randn(4, 6, 7, 8), _randn(6, 1, 3, 3)
    args = (x, w, _randn(6)) if bias else (x, w)
    check_op(F.conv2d, TF.conv2d, *args, padding=padding, dilation=dilation, groups=6,
             rtol=1e-4, atol=1e-5)
    check_op(F.conv1d, TF.conv1d, _randn(3, 5, 9), _randn(5, 1, 4), padding=2, groups=5,
             rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("block", [None, 64])
def test_wide_rows_conv_transpose_match_torch(monkeypatch, block):
    # Stride 1 with output_padding (dilation 2): positions no input reaches.
    _block(monkeypatch, block)
    x, w, b = _randn(2, 8, 5, 6), _randn(8, 6, 3, 3), _randn(6)
    check_op(F.conv_transpose2d, TF.conv_transpose2d, x, w, b, padding=1, output_padding=1,
             dilation=2, rtol=1e-4, atol=1e-5)
    check_op(F.conv_transpose2d, TF.conv_transpose2d, x, _randn(8, 1, 3, 3), padding=1,
             groups=8, rtol=1e-4, atol=1e-5)
    check_op(F.conv_transpose2d, TF.conv_transpose2d, x, w, padding=3, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("block", [None, 64])
def test_wide_rows_gradgradcheck(monkeypatch, block):
    _block(monkeypatch, block)
    x, w, b = _leaves((2, 4, 4, 5), (3, 4, 3, 3), (3,))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), (x, w, b))
    x, w = _leaves((2, 3, 4, 5), (3, 1, 3, 2))
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1, dilation=(1, 2), groups=3),
                         (x, w))


def test_wide_rows_retain_graph_and_empty_batch():
    x = numtorch.tensor(_randn(2, 8, 5, 5), requires_grad=True)
    w = numtorch.tensor(_randn(4, 8, 3, 3), requires_grad=True)
    y = F.conv2d(x, w, padding=1).sum()
    y.backward(retain_graph=True)
    first = w.grad.clone(), x.grad.clone()
    x.grad = w.grad = None
    y.backward()  # the forward's padded input was freed by the first backward: made again
    np.testing.assert_array_equal(w.grad.numpy(), first[0].numpy())
    np.testing.assert_array_equal(x.grad.numpy(), first[1].numpy())
    check_op(F.conv2d, TF.conv2d, _randn(0, 8, 5, 5), _randn(4, 8, 3, 3), _randn(4),
             padding=1)
    check_op(F.conv2d, TF.conv2d, _randn(0, 4, 5, 5), _randn(4, 1, 3, 3), groups=4)


# ---------------------------------------------------------------- functional errors

def _bad_calls():
    r = _randn
    return [
        ("conv2d", (r(1, 4, 8, 8), r(64, 3, 3, 3)), {}),
        ("conv2d", (r(4, 8, 8), r(8, 3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 2, 2), r(64, 3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 5, 5), r(8, 3, 3, 3)), dict(dilation=3)),
        ("conv1d", (r(1, 3, 5), r(8, 3, 3)), dict(dilation=3)),
        ("conv2d", (r(2, 3), r(64, 3, 3, 3)), {}),
        ("conv2d", (r(2, 3, 4, 4, 4), r(64, 3, 3, 3)), {}),
        ("conv1d", (r(8),), {"weight": r(8, 3, 3)}),
        ("conv3d", (r(3, 8), r(8, 3, 3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(3, 3, 3, 3, 3)), {}),
        ("conv2d", (r(1, 4, 8, 8), r(3, 2, 3, 3)), dict(groups=2)),
        ("conv2d", (r(1, 4, 8, 8), r(4, 2, 3, 3)), dict(groups=0)),
        ("conv2d", (r(1, 4, 8, 8), r(4, 2, 3, 3)), dict(groups=-1)),
        ("conv2d", (r(2, 3, 8, 8), r(0, 3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3), r(4)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3), r(8, 1)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(stride=0)),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(padding=-1)),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(dilation=0)),
        ("conv2d", (r(1, 4, 5, 5), r(8, 3, 3, 3)), dict(dilation=0)),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(dilation=(1, -1))),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(stride=(1, 1, 1))),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(padding=(1, 1, 1))),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(dilation=(1, 1, 1))),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(stride=())),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(padding="same", stride=2)),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(padding="foo")),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(padding=(1, "a"))),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3)), dict(stride=(2, 2.0))),
        ("conv2d", (r(1, 3, 8, 8).astype(np.float64), r(8, 3, 3, 3)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3).astype(np.float64)), {}),
        ("conv2d", (r(1, 3, 8, 8), r(8, 3, 3, 3), r(8).astype(np.float64)), {}),
        ("conv_transpose2d", (r(2, 3), r(8, 3, 3, 3)), {}),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(3, 8, 3, 3)), {}),
        ("conv_transpose2d", (r(1, 3, 5, 5), r(3, 8, 3, 3), r(4)), {}),
        ("conv_transpose2d", (r(1, 3, 5, 5), r(3, 8, 3, 3)), dict(output_padding=1)),
        ("conv_transpose2d", (r(1, 3, 5, 5), r(3, 8, 3, 3)), dict(output_padding=2, stride=2)),
        ("conv_transpose1d", (r(1, 3, 5), r(3, 8, 3)), dict(output_padding=1)),
        ("conv_transpose1d", (r(1, 3, 5), r(3, 8, 3)), dict(output_padding=2, stride=2,
                                                            dilation=2)),
        ("conv_transpose3d", (r(1, 3, 3, 3, 3), r(3, 8, 2, 2, 2)), dict(output_padding=1)),
        ("conv_transpose2d", (r(1, 3, 5, 5), r(3, 8, 3, 3)), dict(output_padding=-1)),
        ("conv_transpose2d", (r(1, 3, 5, 5), r(3, 8, 3, 3)), dict(padding=4)),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(3, 2, 3, 3)), dict(groups=2)),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(4, 2, 3, 3), r(3)), dict(groups=2)),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(4, 2, 3, 3)), dict(padding="same")),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(4, 2, 3, 3)), dict(output_padding=(1, 1, 1))),
        ("conv_transpose2d", (r(1, 4, 5, 5), r(4, 2, 3)), {}),
    ]


@pytest.mark.parametrize("case", range(len(_bad_calls())))
def test_conv_errors_match_torch(case):
    name, arrays, kwargs = _bad_calls()[case]
    nt_args = [numtorch.tensor(a) for a in arrays]
    t_args = [torch.tensor(a) for a in arrays]
    nt_kwargs = {k: numtorch.tensor(v) if isinstance(v, np.ndarray) else v
                 for k, v in kwargs.items()}
    t_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                for k, v in kwargs.items()}
    with pytest.raises(Exception) as expected:
        getattr(TF, name)(*t_args, **t_kwargs)
    with pytest.raises(type(expected.value)) as got:
        getattr(F, name)(*nt_args, **nt_kwargs)
    assert str(got.value) == str(expected.value).replace("torch.", "numtorch.")


@pytest.mark.parametrize("kwargs", [dict(stride=2.0), dict(groups=1.0), dict(padding=1.5),
                                    dict(stride=True), dict(bias=[1.0])])
def test_conv_bad_argument_types_raise_typeerror(kwargs):
    x, w = numtorch.randn(1, 3, 8, 8), numtorch.randn(8, 3, 3, 3)
    with pytest.raises(TypeError, match=r"conv2d\(\) received an invalid combination of "
                                        r"arguments"):
        F.conv2d(x, w, **kwargs)
    with pytest.raises(TypeError, match="conv2d"):
        F.conv2d([1.0], w)


def test_top_level_and_functional_names():
    assert F.conv2d is numtorch.nn.functional.conv2d
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d"):
        assert hasattr(F, name)


# ---------------------------------------------------------------- modules

_MODULES = [
    ("Conv2d", (3, 64, 3), dict(padding=1)),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 8, (3, 5)), dict(stride=(2, 1), padding=(1, 2), dilation=2, groups=2,
                                     bias=False)),
    ("Conv2d", (4, 4, 3), dict(padding="same", padding_mode="reflect", groups=4)),
    ("Conv2d", (2, 4, 3), dict(padding=2, padding_mode="circular")),
    ("Conv2d", (2, 4, 4), dict(padding="same", padding_mode="replicate")),
    ("Conv2d", (2, 4, 3), dict(padding="valid", stride=2)),
    ("Conv1d", (3, 5, 3), dict(stride=2, padding=1)),
    ("Conv1d", (2, 4, 4), dict(padding="same", padding_mode="circular", bias=False)),
    ("Conv3d", (2, 4, 2), dict(padding=(1, 0, 1))),
    ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="replicate")),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1)),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(groups=2, dilation=2, bias=False)),
    ("ConvTranspose1d", (3, 5, 3), dict(stride=3)),
    ("ConvTranspose3d", (2, 4, 2), dict(stride=2)),
]


def _pair_modules(name, args, kwargs, seed=0):
    numtorch.manual_seed(seed)
    m = getattr(numtorch.nn, name)(*args, **kwargs)
    torch.manual_seed(seed)
    t = getattr(torch.nn, name)(*args, **kwargs)
    return m, t


@pytest.mark.parametrize("name,args,kwargs", _MODULES)
def test_module_init_repr_state_dict_match_torch(name, args, kwargs):
    m, t = _pair_modules(name, args, kwargs)
    assert repr(m) == repr(t)
    assert list(m.state_dict().keys()) == list(t.state_dict().keys())
    for (key, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy()), key  # bit for bit
        assert p.dtype == numtorch.float32 and tuple(p.shape) == tuple(q.shape)


@pytest.mark.parametrize("name,args,kwargs", _MODULES)
def test_module_forward_backward_match_torch(name, args, kwargs):
    m, t = _pair_modules(name, args, kwargs)
    nd = int(name[-2])
    x = _randn(2, args[0], *(7, 6, 5)[:nd])
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = m(a), t(b)
    assert_same(out, ref, rtol=1e-4, atol=1e-5)
    g = _randn(*ref.shape)
    out.backward(numtorch.tensor(g))
    ref.backward(torch.tensor(g))
    assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-5)
    for p, q in zip(m.parameters(), t.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-4, atol=1e-4)


def test_module_unbatched_and_dtype_and_load_state_dict():
    m, t = _pair_modules("Conv2d", (3, 4, 3), dict(padding=1, dtype=None))
    t.double()
    m64 = numtorch.nn.Conv2d(3, 4, 3, padding=1, dtype=numtorch.float64)
    m64.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert m64.weight.dtype == numtorch.float64
    x = _randn(3, 6, 6, dtype=np.float64)
    assert_same(m64(numtorch.tensor(x)), t(torch.tensor(x)), rtol=1e-10, atol=1e-12)


def test_conv_transpose_output_size():
    m, t = _pair_modules("ConvTranspose2d", (3, 2, 3), dict(stride=2, padding=1))
    x = _randn(1, 3, 4, 4)
    for size in ([7, 7], [8, 8], (1, 2, 8, 7)):
        assert_same(m(numtorch.tensor(x), output_size=size), t(torch.tensor(x), output_size=size),
                    rtol=1e-4, atol=1e-5)
    for size in ([9, 9], [1, 2, 3]):
        with pytest.raises(ValueError) as expected:
            t(torch.tensor(x), output_size=size)
        with pytest.raises(ValueError) as got:
            m(numtorch.tensor(x), output_size=size)
        assert str(got.value) == str(expected.value).replace("torch.", "numtorch.")


@pytest.mark.parametrize("name,args,kwargs", [
    ("Conv2d", (3, 8, 3), dict(groups=0)),
    ("Conv2d", (3, 8, 3), dict(groups=2)),
    ("Conv2d", (4, 6, 3), dict(groups=4)),
    ("Conv2d", (3, 8, 3), dict(padding="full")),
    ("Conv2d", (3, 8, 3), dict(padding="same", stride=2)),
    ("Conv2d", (3, 8, 3), dict(padding_mode="zero")),
    ("ConvTranspose2d", (3, 8, 3), dict(padding_mode="reflect")),
    ("Conv1d", (3, 8, 3), dict(padding="same", stride=(2,))),
])
def test_module_argument_errors_match_torch(name, args, kwargs):
    with pytest.raises(ValueError) as expected:
        getattr(torch.nn, name)(*args, **kwargs)
    with pytest.raises(ValueError) as got:
        getattr(numtorch.nn, name)(*args, **kwargs)
    msg = str(expected.value)
    if "{" in msg:  # a set's printed order differs between processes
        assert str(got.value).split("{")[0] == msg.split("{")[0]
    else:
        assert str(got.value) == msg


def test_module_wrong_input_channels_error():
    m = numtorch.nn.Conv2d(3, 64, 3)
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[64, 3, 3, 3\], "
                       r"expected input\[1, 4, 8, 8\] to have 3 channels, but got 4 channels "
                       r"instead"):
        m(numtorch.randn(1, 4, 8, 8))


def test_conv_net_trains_like_torch():
    """A two-layer CNN step: same loss and same gradients as PyTorch with the same init."""
    def build(lib):
        lib.manual_seed(0)
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.ReLU(),
                                 lib.nn.Conv2d(4, 8, 3, stride=2), lib.nn.Flatten(),
                                 lib.nn.Linear(8 * 3 * 3, 5))
    x = _randn(4, 1, 8, 8)
    y = np.array([0, 1, 2, 4])
    m, t = build(numtorch), build(torch)
    loss = F.cross_entropy(m(numtorch.tensor(x)), numtorch.tensor(y))
    ref = TF.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    ref.backward()
    assert_same(loss, ref, rtol=1e-5)
    for p, q in zip(m.parameters(), t.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-4, atol=1e-5)
    assert to_torch(m[0].weight).shape == t[0].weight.shape
