"""Lazy conv and norm layers (numtorch/nn/modules/lazy.py) against PyTorch: placeholders
before the first call, bit-identical initialisation after it, the class change, reprs,
state dicts, load_state_dict and errors."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import numtorch
from numtorch import nn
from tests.utils import assert_same, torch

TNN = torch.nn

# (name, args, kwargs, input shape): every lazy class, a few argument variants.
CASES = [
    ("LazyConv1d", (4, 3), {}, (2, 3, 7)),
    ("LazyConv1d", (4, 2), {"stride": 2, "groups": 2, "bias": False}, (2, 6, 9)),
    ("LazyConv2d", (4, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 3, 5, 5)),
    ("LazyConv2d", (6, (2, 3)), {"dilation": 2, "groups": 3}, (3, 6, 6)),  # unbatched
    ("LazyConv3d", (2, 2), {"padding": "same"}, (1, 3, 3, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), {"groups": 2, "bias": False}, (2, 6, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), {"dilation": 2}, (1, 3, 2, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm1d", (), {"momentum": None, "bias": False}, (4, 3, 5)),
    ("LazyBatchNorm2d", (), {"affine": False}, (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), {"track_running_stats": False}, (2, 3, 2, 3, 3)),
    ("LazyBatchNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 6)),
    ("LazyInstanceNorm2d", (), {"eps": 1e-3}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"affine": False}, (2, 3, 2, 3, 3)),
]
IDS = [f"{name}-{i}" for i, (name, *_) in enumerate(CASES)]


def _build(name, args, kwargs, seed=0):
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    return getattr(nn, name)(*args, **kwargs), getattr(TNN, name)(*args, **kwargs)


def _input(shape, seed=1):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _state_repr(module):
    return [(k, repr(v) if type(v).__name__.startswith("Uninitialized") else type(v).__name__)
            for k, v in module.state_dict().items()]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES, ids=IDS)
def test_before_the_first_call_parameters_are_placeholders(name, args, kwargs, shape):
    n, t = _build(name, args, kwargs)
    assert repr(n) == repr(t)
    assert n.has_uninitialized_params() == t.has_uninitialized_params()
    assert [type(p).__name__ for p in n.parameters()] == [type(p).__name__ for p in t.parameters()]
    assert ({k: type(b).__name__ for k, b in n.named_buffers()}
            == {k: type(b).__name__ for k, b in t.named_buffers()})
    assert _state_repr(n) == _state_repr(t)


@pytest.mark.parametrize("name,args,kwargs,shape", CASES, ids=IDS)
def test_first_call_initialises_exactly_like_torch_and_becomes_the_regular_class(
        name, args, kwargs, shape):
    n, t = _build(name, args, kwargs, seed=3)
    xn, xt = _input(shape)
    out, ref = n(xn), t(xt)
    assert type(n).__name__ == type(t).__name__ == name[len("Lazy"):]
    assert type(n) is getattr(nn, name[len("Lazy"):])
    assert repr(n) == repr(t)
    assert not hasattr(n, "has_uninitialized_params") and not hasattr(t, "has_uninitialized_params")
    assert not n._forward_pre_hooks and "_initialize_hook" not in vars(n)
    assert list(n.state_dict()) == list(t.state_dict())
    for (k, a), b in zip(n.state_dict().items(), t.state_dict().values()):
        assert type(a) is numtorch.Tensor, k
        if k in ("weight", "bias"):  # the initial draws: bit for bit
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
        else:  # running statistics after one update
            assert_same(a, b)
    for k, p in n.named_parameters():
        assert type(p) is nn.Parameter and p.requires_grad, k
    assert_same(out, ref, atol=1e-5)
    g = np.random.default_rng(2).standard_normal(tuple(ref.shape)).astype(np.float32)
    out.backward(numtorch.tensor(g))
    ref.backward(torch.tensor(g))
    assert_same(xn.grad, xt.grad, atol=1e-5)
    for p, q in zip(n.parameters(), t.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-4, atol=1e-4)
    assert_same(n(xn), t(xt), atol=1e-5)  # a second call is a plain forward


def test_placeholders_keep_the_dtype_for_the_materialised_tensors():
    conv = nn.LazyConv1d(2, 2, dtype=numtorch.float64)
    conv(numtorch.randn(1, 3, 5, dtype=numtorch.float64))
    assert conv.weight.dtype == conv.bias.dtype == numtorch.float64
    bn = nn.LazyBatchNorm1d(dtype=numtorch.float64)
    assert bn.num_batches_tracked.dtype == numtorch.int64
    bn(numtorch.randn(4, 3, dtype=numtorch.float64))
    assert bn.weight.dtype == bn.running_mean.dtype == bn.running_var.dtype == numtorch.float64
    assert int(bn.num_batches_tracked) == 1


def test_lazy_instance_norm_defaults_are_affine_and_tracking_as_in_torch():
    assert repr(nn.LazyInstanceNorm2d()) == repr(TNN.LazyInstanceNorm2d()) == (
        "LazyInstanceNorm2d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)")


def test_norms_without_placeholders_still_become_the_regular_class_with_zero_features():
    n = nn.LazyBatchNorm1d(affine=False, track_running_stats=False)
    t = TNN.LazyBatchNorm1d(affine=False, track_running_stats=False)
    assert not n.has_uninitialized_params() and not t.has_uninitialized_params()
    xn, xt = _input((4, 3))
    assert_same(n(xn), t(xt), atol=1e-5)
    assert repr(n) == repr(t) == ("BatchNorm1d(0, eps=1e-05, momentum=0.1, affine=False, "
                                  "bias=False, track_running_stats=False)")


def test_first_call_under_no_grad_still_makes_trainable_parameters():
    m = nn.LazyConv1d(2, 2)
    with numtorch.no_grad():
        y = m(numtorch.randn(1, 3, 5))
    assert m.weight.requires_grad and not y.requires_grad


def test_uninitialised_parameter_errors():
    m = nn.LazyConv2d(4, 3)
    assert repr(m.weight) == repr(TNN.LazyConv2d(4, 3).weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = m.weight.shape
    for method in ("numel", "dim"):
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter in "
                                             f"{method}. .*numtorch.nn.parameter"
                                             ".UninitializedParameter"):
            getattr(m.weight, method)()


def test_groups_must_divide_the_inferred_channels():
    # Not checked at construction (the channels are unknown): torch accepts it too.
    n, t = nn.LazyConv2d(5, 3, groups=2), TNN.LazyConv2d(5, 3, groups=2)
    with pytest.raises(ValueError, match="^in_channels must be divisible by groups$"):
        t(torch.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="^in_channels must be divisible by groups$"):
        n(numtorch.randn(1, 3, 5, 5))
    assert n.has_uninitialized_params() and type(n) is nn.LazyConv2d


@pytest.mark.parametrize("name,shape,dims", [("LazyConv2d", (4, 5, 5, 5, 5), 3),
                                             ("LazyConvTranspose1d", (4,), 2)])
def test_conv_input_of_the_wrong_rank(name, shape, dims):
    with pytest.raises(RuntimeError) as ref:
        getattr(TNN, name)(4, 3)(torch.randn(*shape))
    message = str(ref.value).replace("torch.", "numtorch.")
    assert message.startswith(f"Expected {dims}D (unbatched) or {dims + 1}D (batched) input")
    with pytest.raises(RuntimeError) as got:
        getattr(nn, name)(4, 3)(numtorch.randn(*shape))
    assert str(got.value) == message


def test_norm_errors_come_from_the_regular_forward_after_materialising():
    for name, shape in (("LazyBatchNorm2d", (4, 5)), ("LazyInstanceNorm1d", (3, 5))):
        with pytest.raises(ValueError) as ref:
            getattr(TNN, name)()(torch.randn(*shape))
        with pytest.raises(ValueError) as got:
            getattr(nn, name)()(numtorch.randn(*shape))
        assert str(got.value) == str(ref.value)


def test_load_state_dict_materialises_from_the_checkpoint_shapes():
    for name, regular in (("LazyConv2d", nn.Conv2d(3, 4, 3)),
                          ("LazyBatchNorm1d", nn.BatchNorm1d(3)),
                          ("LazyConvTranspose1d", nn.ConvTranspose1d(3, 4, 3))):
        regular.train()(numtorch.randn(2, 3, 5) if "1d" in name else numtorch.randn(1, 3, 5, 5))
        lazy = getattr(nn, name)(4, 3) if "Conv" in name else getattr(nn, name)()
        result = lazy.load_state_dict(regular.state_dict())
        assert repr(result) == "<All keys matched successfully>"
        assert not lazy.has_uninitialized_params()
        for k, v in regular.state_dict().items():
            np.testing.assert_array_equal(lazy.state_dict()[k].numpy(), v.numpy())
    # torch leaves the module lazy (its channel count 0) until the first call
    n, t = nn.LazyConv2d(4, 3), TNN.LazyConv2d(4, 3)
    n.load_state_dict(nn.Conv2d(3, 4, 3).state_dict())
    t.load_state_dict(TNN.Conv2d(3, 4, 3).state_dict())
    assert repr(n) == repr(t) and type(n) is nn.LazyConv2d
    n(numtorch.randn(1, 3, 5, 5))
    t(torch.randn(1, 3, 5, 5))
    assert repr(n) == repr(t) == "Conv2d(0, 4, kernel_size=(3, 3), stride=(1, 1))"
    assert type(n) is nn.Conv2d


def test_load_state_dict_between_placeholders_and_into_a_regular_module():
    lazy = nn.LazyBatchNorm2d()
    assert repr(lazy.load_state_dict(nn.LazyBatchNorm2d().state_dict())) == (
        "<All keys matched successfully>")
    assert lazy.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        nn.Conv2d(3, 4, 3).load_state_dict(nn.LazyConv2d(4, 3).state_dict())
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        TNN.Conv2d(3, 4, 3).load_state_dict(TNN.LazyConv2d(4, 3).state_dict())


def test_deepcopy_and_pickle_keep_the_module_lazy():
    for m in (copy.deepcopy(nn.LazyConv2d(4, 3)), pickle.loads(pickle.dumps(nn.LazyConv2d(4, 3)))):
        assert type(m) is nn.LazyConv2d and m.has_uninitialized_params()
        m(numtorch.randn(1, 2, 4, 4))
        assert repr(m) == "Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1))"
    bn = pickle.loads(pickle.dumps(nn.LazyBatchNorm1d()))
    bn(numtorch.randn(4, 3))
    assert type(bn) is nn.BatchNorm1d and bn.running_mean.shape == (3,)


def test_manual_materialize_and_reset_parameters():
    m = nn.LazyConv2d(4, 3)
    m.reset_parameters()  # a no-op while lazy
    m.weight.materialize((4, 2, 3, 3))
    assert type(m.weight) is nn.Parameter and m.has_uninitialized_params()  # bias still lazy


def test_namespace_matches_torch():
    names = [n for n in dir(TNN) if n.startswith("Lazy")]
    assert [n for n in dir(nn) if n.startswith("Lazy")] == names
    assert not hasattr(nn, "LazyModuleMixin") and not hasattr(TNN, "LazyModuleMixin")


def test_casting_before_the_first_call_sets_the_materialised_dtype():
    bn = nn.LazyBatchNorm1d().to(numtorch.float64)
    assert bn.has_uninitialized_params() and isinstance(bn.running_mean, nn.UninitializedBuffer)
    bn(numtorch.randn(4, 3, dtype=numtorch.float64))
    assert [t.dtype for t in bn.state_dict().values()] == [numtorch.float64] * 4 + [numtorch.int64]
    conv = nn.LazyConv2d(4, 3).double()
    conv(numtorch.randn(1, 3, 5, 5, dtype=numtorch.float64))
    assert conv.weight.dtype == conv.bias.dtype == numtorch.float64


def test_transposed_first_call_with_output_size():
    n, t = _build("LazyConvTranspose2d", (4, 3), {"stride": 2}, seed=5)
    xn, xt = _input((1, 3, 4, 4))
    assert_same(n(xn, [10, 10]), t(xt, [10, 10]), atol=1e-5)
    assert repr(n) == repr(t) == "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2))"


def test_a_sequential_of_lazy_layers_matches_torch():
    numtorch.manual_seed(7)
    torch.manual_seed(7)
    n = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(),
                      nn.LazyLinear(2))
    t = TNN.Sequential(TNN.LazyConv2d(4, 3), TNN.LazyBatchNorm2d(), TNN.ReLU(), TNN.Flatten(),
                       TNN.LazyLinear(2))
    assert repr(n) == repr(t)
    xn, xt = _input((2, 3, 5, 5))
    assert_same(n(xn), t(xt), atol=1e-5)
    assert repr(n) == repr(t)
    for (k, a), b in zip(n.named_parameters(), t.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=k)


def test_uninitialized_size_is_the_empty_storage_as_in_torch():
    got = []
    for lib in (numtorch, torch):
        p = lib.nn.parameter.UninitializedParameter()
        b = lib.nn.parameter.UninitializedBuffer()
        got.append((tuple(p.size()), p.size(0), tuple(b.size())))
        with pytest.raises(IndexError, match="Dimension out of range"):
            p.size(1)
    assert got[0] == got[1] == ((0,), 0, (0,))
