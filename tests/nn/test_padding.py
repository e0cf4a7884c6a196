"""Padding (numtorch/ops/padding.py, numtorch/nn/modules/padding.py) against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn.modules.padding as P
from numtorch.autograd import gradcheck
from numtorch.ops.padding import pad
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


# (mode, input shape, pad) cases torch accepts, including crops (negative amounts)
CASES = [
    ("constant", (5,), (2, 1)),
    ("constant", (2, 3, 4), (1, 2, -1, 1)),
    ("constant", (2, 3, 4), (0, 0, 0, 0, 1, 1)),
    ("constant", (2, 3, 4, 2), (1, 1, 1, 1, 1, 1, 1, 1)),
    ("constant", (2, 3, 4), (-2, -2)),
    ("constant", (3, 4), ()),
    ("reflect", (3, 4), (1, 3)),
    ("reflect", (2, 3, 4), (3, 2)),
    ("reflect", (2, 3, 4), (-3, 2)),
    ("reflect", (3, 4, 5), (1, 2, 2, 1)),
    ("reflect", (2, 3, 4, 5), (-1, 2, 2, -1)),
    ("reflect", (3, 2, 3, 4), (1, 2, 2, 1, 1, 0)),
    ("reflect", (2, 1, 3, 3, 4), (3, 2, 1, 2, -1, 1)),
    ("replicate", (3, 4), (5, 2)),
    ("replicate", (2, 3, 4), (-1, 2)),
    ("replicate", (3, 4, 5), (3, 1, 0, 4)),
    ("replicate", (2, 3, 4, 5), (-1, 2, -2, 1)),
    ("replicate", (3, 2, 3, 4), (1, 2, 2, 1, 3, 0)),
    ("replicate", (2, 1, 3, 3, 4), (1, -2, 1, 2, 0, 1)),
    ("circular", (3, 4), (4, 2)),
    ("circular", (2, 3, 4), (-1, 2)),
    ("circular", (2, 3, 4), (-1, 3)),
    ("circular", (3, 4, 5), (1, 2, 3, 1)),
    ("circular", (2, 3, 4, 5), (-1, 2, 2, -1)),
    ("circular", (3, 2, 3, 4), (1, 2, 2, 1, 1, 2)),
    ("circular", (2, 1, 3, 3, 4), (1, 2, 1, 3, 0, 1)),
]
IDS = [f"{m}-{s}-{p}" for m, s, p in CASES]


@pytest.mark.parametrize("mode,shape,p", CASES, ids=IDS)
def test_values_and_gradients_match_torch(mode, shape, p):
    check_op(lambda x: pad(x, p, mode), lambda x: TF.pad(x, p, mode), _data(shape))


@pytest.mark.parametrize("mode,shape,p", CASES, ids=IDS)
def test_noncontiguous_input_matches_torch(mode, shape, p):
    a = _data(shape)
    x = numtorch.from_numpy(noncontig(a)).requires_grad_(True)
    t = torch.tensor(a, requires_grad=True)
    y, r = pad(x, p, mode), TF.pad(t, p, mode)
    assert_same(y, r)
    g = _data(tuple(r.shape), seed=1)
    y.backward(numtorch.tensor(g))
    r.backward(torch.tensor(g))
    assert_same(x.grad, t.grad)


@pytest.mark.parametrize("mode,shape,p", CASES, ids=IDS)
def test_grad_fn_names_match_torch(mode, shape, p):
    y = pad(numtorch.tensor(_data(shape), requires_grad=True), p, mode)
    r = TF.pad(torch.tensor(_data(shape), requires_grad=True), p, mode)
    assert type(y.grad_fn).__name__ == type(r.grad_fn).__name__


@pytest.mark.parametrize("mode,shape,p", CASES[::2], ids=IDS[::2])
def test_gradcheck_and_gradgradcheck_float64(mode, shape, p):
    x = numtorch.tensor(_data(shape, np.float64), requires_grad=True)
    assert gradcheck(lambda x: pad(x, p, mode), (x,))
    assert numtorch.autograd.gradgradcheck(lambda x: pad(x, p, mode), (x,))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
def test_double_backward_grad_fn_names_match_torch(mode):
    def run(lib, F, x):
        y = F.pad(x, [1, 2], mode=mode) if lib is torch else pad(x, [1, 2], mode)
        g = lib.ones(tuple(y.shape), requires_grad=True)
        return lib.autograd.grad(y, x, g, create_graph=True)[0]

    ga = run(numtorch, None, numtorch.ones(1, 3, 4, requires_grad=True))
    gb = run(torch, TF, torch.ones(1, 3, 4, requires_grad=True))
    assert type(ga.grad_fn).__name__ == type(gb.grad_fn).__name__


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float16",
                                   "float64"])
@pytest.mark.parametrize("value", [None, 0, 1, 2.7, -1.5, True])
def test_constant_pad_keeps_the_input_dtype(dtype, value):
    if dtype == "uint8" and value == -1.5:
        value = 3.2
    a = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    check_op(lambda x: pad(x, (1, 2, 0, 1), value=value),
             lambda x: TF.pad(x, (1, 2, 0, 1), value=value), a, grad=False)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "float64"])
def test_index_modes_keep_the_input_dtype(mode, dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    # float16 gradients sum several terms; PyTorch's summation order (and precision) differ
    tol = dict(rtol=1e-3, atol=1e-3) if dtype == "float16" else {}
    check_op(lambda x: pad(x, (2, 1, 1, 1), mode), lambda x: TF.pad(x, (2, 1, 1, 1), mode), a,
             **tol)


def test_circular_pads_bool_and_constant_accepts_value_zero_for_other_modes():
    a = np.arange(12).reshape(1, 3, 4) % 2 == 0
    check_op(lambda x: pad(x, (1, 1, 1, 1), "circular"),
             lambda x: TF.pad(x, (1, 1, 1, 1), "circular"), a, grad=False)
    check_op(lambda x: pad(x, (1, 1), "reflect", 0), lambda x: TF.pad(x, (1, 1), "reflect", 0),
             _data((2, 3, 4)))


@pytest.mark.parametrize("v", [float("inf"), float("-inf"), float("nan"), 1e30])
def test_special_fill_values_match_torch(v):
    check_op(lambda x: pad(x, (1, 1), value=v), lambda x: TF.pad(x, (1, 1), value=v),
             _data((2, 3)), grad=False)


EMPTY = [
    ("constant", (0, 3), (1, 1, 2, 0)),
    ("constant", (2, 0, 4), (1, 1)),
    ("constant", (2, 3, 4), (-2, -2)),
    ("constant", (), ()),
    ("reflect", (0, 3, 4), (1, 1)),
    ("reflect", (0, 3, 4, 4), (1, 1, 1, 1)),
    ("reflect", (1, 3, 4), (0, 0, -2, -1)),
    ("replicate", (0, 3, 4, 4, 4), (1, 1, 1, 1, 1, 1)),
    ("replicate", (1, 1, 3, 4), (0, 0, -2, -1, 0, 0)),
    ("circular", (2, 0, 4), (1, 1)),
    ("circular", (2, 3, 0), (0, 0)),
    ("circular", (2, 3, 0, 4), (1, 1, 0, 0)),
    ("circular", (2, 3, 4), (-2, -2)),
]


@pytest.mark.parametrize("mode,shape,p", EMPTY, ids=[f"{m}-{s}-{p}" for m, s, p in EMPTY])
def test_empty_inputs_and_outputs_match_torch(mode, shape, p):
    check_op(lambda x: pad(x, p, mode), lambda x: TF.pad(x, p, mode), _data(shape))


ERRORS = [
    ((3, 4), (1,), "constant", None),
    ((3, 4), (1, 1, 1), "reflect", 1),
    ((), (1, 1), "constant", None),
    ((4,), (1, 1, 1, 1), "constant", None),
    ((1, 3, 4), (1, 1), "foo", None),
    ((3,), (1,), "foo", None),
    ((1, 3, 4), (1, 1), "reflect", 1.0),
    ((1, 3, 4), (1, 1), "circular", 2),
    ((4,), (1, 1), "reflect", None),
    ((3, 4), (1, 1, 1, 1), "replicate", None),
    ((1, 3, 4), (), "reflect", None),
    ((1, 1, 3, 4), (1, 1), "circular", None),
    ((1, 1, 1, 3, 4), (1, 1, 1, 1), "reflect", None),
    ((1, 1, 1, 1, 3, 4), (1, 1, 1, 1, 1, 1), "replicate", None),
    ((1, 3, 4), (-3, -2), "constant", None),
    ((1, 3, 4), (0, 0, -2, -2), "constant", None),
    ((1, 3, 4), (4, 0), "reflect", None),
    ((1, 3, 4), (0, 4, 0, 0), "reflect", None),
    ((1, 3, 4), (0, 0, 0, 3), "reflect", None),
    ((1, 1, 2, 3, 4), (0, 0, 0, 0, 2, 0), "reflect", None),
    ((1, 1, 2, 3, 4), (4, 0, 0, 0, 0, 0), "reflect", None),
    ((1, 3, 4), (-4, 0), "reflect", None),
    ((1, 3, 4), (-3, -2), "replicate", None),
    ((1, 3, 4), (-3, -2, 0, 0), "reflect", None),
    ((1, 3, 4), (0, 0, -4, 0), "replicate", None),
    ((1, 1, 2, 3, 4), (0, 0, -3, -2, 0, 0), "reflect", None),
    ((1, 1, 2, 3, 4), (0, 0, 0, 0, -2, -1), "replicate", None),
    ((2, 3, 0), (1, 1), "reflect", None),
    ((2, 0, 4), (1, 1), "replicate", None),
    ((0, 4), (1, 1), "reflect", None),
    ((2, 0, 4, 4), (1, 1, 1, 1), "reflect", None),
    ((2, 3, 0, 4, 4), (1, 1, 0, 0, 0, 0), "replicate", None),
    ((1, 0, 2), (2, 2), "reflect", None),
    ((1, 3, 4), (5, 0), "circular", None),
    ((1, 3, 4), (0, 0, 4, 0), "circular", None),
    ((1, 3, 4), (-4, -1), "circular", None),
    ((2, 3, 0), (1, 1), "circular", None),
]


def _raise_same(nt_call, torch_call):
    with pytest.raises(Exception) as want:
        torch_call()
    with pytest.raises(type(want.value)) as got:
        nt_call()
    assert str(got.value) == str(want.value).replace("torch.", "numtorch.")


@pytest.mark.parametrize("shape,p,mode,value", ERRORS,
                         ids=[f"{m}-{s}-{p}-{v}" for s, p, m, v in ERRORS])
def test_errors_match_torch(shape, p, mode, value):
    a = _data(shape)
    _raise_same(lambda: pad(numtorch.tensor(a), p, mode, value),
                lambda: TF.pad(torch.tensor(a), p, mode, value))


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape,p", [((1, 2, 3), (1, 1)), ((1, 2, 3), (1, 1, 1, 1)),
                                     ((1, 1, 2, 3), (1, 1, 1, 1, 1, 1))])
def test_bool_input_to_reflect_and_replicate_raises_like_torch(mode, shape, p):
    a = np.ones(shape, dtype=bool)
    _raise_same(lambda: pad(numtorch.tensor(a), p, mode),
                lambda: TF.pad(torch.tensor(a), p, mode))


@pytest.mark.parametrize("dtype,value", [("uint8", -1), ("uint8", 300), ("int8", 300),
                                         ("int16", -2 ** 15 - 1), ("int32", 2 ** 31),
                                         ("int64", float("nan")), ("int32", float("inf")),
                                         ("float16", 1e6), ("float32", 1e40)])
def test_fill_value_overflow_raises_like_torch(dtype, value):
    a = np.ones((2, 3), dtype=dtype)
    _raise_same(lambda: pad(numtorch.tensor(a), (1, 1), value=value),
                lambda: TF.pad(torch.tensor(a), (1, 1), value=value))


@pytest.mark.parametrize("bad", [[1.0, 1], [True, 1], 1, "ab"])
def test_bad_pad_argument_types_raise_like_torch(bad):
    a = _data((2, 3))
    _raise_same(lambda: pad(numtorch.tensor(a), bad), lambda: TF.pad(torch.tensor(a), bad))


def test_non_tensor_input_raises_like_torch():
    a = _data((2, 3))
    _raise_same(lambda: pad(a, (1, 1)), lambda: TF.pad(a, (1, 1)))


def test_numpy_integer_pad_amounts_are_accepted():
    a = _data((2, 3))
    p = (np.int64(1), 2)
    assert_same(pad(numtorch.tensor(a), p), TF.pad(torch.tensor(a), p))


def test_circular_crop_that_leaves_nothing_to_wrap_raises():
    # PyTorch returns uninitialised memory here; numtorch refuses.
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        pad(numtorch.ones(1, 3, 4), (-4, 1), "circular")


# ---------------------------------------------------------------- layers

LAYERS = [
    ("ZeroPad1d", (2,), (2, 3, 4)), ("ZeroPad1d", ((1, -2),), (3, 4)),
    ("ZeroPad2d", (1,), (2, 3, 4)), ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)),
    ("ZeroPad2d", ((1, 2),), (2, 3, 4)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4)), ("ZeroPad3d", ((1, 0, 2, 0, 0, 1),), (2, 1, 2, 3, 4)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)), ("ConstantPad2d", ((1, 2, 3, 0), -1), (3, 4, 5)),
    ("ConstantPad3d", (1, 0.5), (2, 1, 2, 3, 4)),
    ("ReflectionPad1d", (2,), (2, 3, 4)), ("ReflectionPad1d", ([1, 3],), (3, 4)),
    ("ReflectionPad2d", (1,), (2, 3, 4, 5)), ("ReflectionPad2d", ((1, 2, 2, 0),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (2, 1, 2, 3, 4)), ("ReflectionPad3d", ((1, 2, 0, 2, 1, 0),),
                                                 (1, 2, 3, 4)),
    ("ReplicationPad1d", (3,), (2, 3, 4)), ("ReplicationPad2d", ((3, 0, 1, 4),), (3, 4, 5)),
    ("ReplicationPad3d", (2,), (2, 1, 2, 3, 4)),
    ("CircularPad1d", (2,), (2, 3, 4)), ("CircularPad1d", ((1, 3),), (3, 4)),
    ("CircularPad2d", (1,), (2, 3, 4, 5)), ("CircularPad2d", ((1, 2, 2, 0),), (3, 4, 5)),
    ("CircularPad3d", (1,), (2, 1, 2, 3, 4)), ("CircularPad3d", ((1, 2, 0, 2, 1, 0),),
                                               (1, 2, 3, 4)),
]


@pytest.mark.parametrize("name,args,shape", LAYERS,
                         ids=[f"{n}-{a}-{s}" for n, a, s in LAYERS])
def test_layer_forward_backward_and_repr_match_torch(name, args, shape):
    ma, mb = getattr(P, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ma) == repr(mb)
    assert list(ma.state_dict().keys()) == list(mb.state_dict().keys()) == []
    assert ma.padding == mb.padding
    check_op(ma, mb, _data(shape))


@pytest.mark.parametrize("name", P.__all__)
def test_layers_store_padding_as_torch_does(name):
    nargs = (1.5,) if name.startswith("Constant") else ()
    for padding in (3, [1, 2], (1, 2, 3), 1.5):
        ma = getattr(P, name)(padding, *nargs)
        mb = getattr(torch.nn, name)(padding, *nargs)
        assert ma.padding == mb.padding
        assert repr(ma) == repr(mb)
    if name.startswith(("Zero", "Constant")):
        assert getattr(P, name)(1, *nargs).value == getattr(torch.nn, name)(1, *nargs).value


@pytest.mark.parametrize("name,shape", [("ReflectionPad1d", (2, 3, 4)),
                                        ("ZeroPad2d", (2, 3, 4)), ("ZeroPad2d", (4,)),
                                        ("ReflectionPad2d", (3, 4)),
                                        ("CircularPad1d", (1, 1, 3, 4)),
                                        ("CircularPad2d", (3, 4)), ("CircularPad3d", (2, 3, 4)),
                                        ("ReplicationPad3d", (2, 3, 4))])
@pytest.mark.parametrize("padding", [1, 1.5])
def test_layer_errors_and_accepted_shapes_match_torch(name, shape, padding):
    a = _data(shape)
    try:
        want = getattr(torch.nn, name)(padding)(torch.tensor(a))
    except Exception:
        _raise_same(lambda: getattr(P, name)(padding)(numtorch.tensor(a)),
                    lambda: getattr(torch.nn, name)(padding)(torch.tensor(a)))
    else:
        assert_same(getattr(P, name)(padding)(numtorch.tensor(a)), want)


def test_constant_pad_requires_a_value_like_torch():
    _raise_same(lambda: P.ConstantPad1d(1), lambda: torch.nn.ConstantPad1d(1))
