"""layer_norm, rms_norm, group_norm, normalize and their modules against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, seed=0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * 2 + 0.5, dtype=dtype)


LN_CASES = [((4, 6), (6,)), ((2, 3, 5), (5,)), ((2, 3, 5), (3, 5)), ((6,), (6,)),
            ((0, 4), (4,)), ((3, 1), (1,))]


@pytest.mark.parametrize("xshape, ns", LN_CASES)
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm_values_and_grads(xshape, ns, affine):
    arrays = [_data(xshape)]
    if affine != "none":
        arrays.append(_data(ns, seed=1))
    if affine == "both":
        arrays.append(_data(ns, seed=2))

    def nt(x, *wb):
        return F.layer_norm(x, ns, *wb)

    def t(x, *wb):
        return TF.layer_norm(x, ns, *wb)

    check_op(nt, t, *arrays, rtol=1e-4, atol=1e-5)


def test_layer_norm_bias_only_eps_float64_and_grad_fn():
    x, b = _data((3, 5)), _data((5,), seed=1)
    check_op(lambda x, b: F.layer_norm(x, (5,), None, b, eps=1e-2),
             lambda x, b: TF.layer_norm(x, (5,), None, b, eps=1e-2), x, b, rtol=1e-4)
    check_op(lambda x: F.layer_norm(x, (5,)), lambda x: TF.layer_norm(x, (5,)),
             x.astype(np.float64))
    y = F.layer_norm(numtorch.tensor(x, requires_grad=True), (5,))
    assert type(y.grad_fn).__name__ == "NativeLayerNormBackward0"
    assert y.dtype is numtorch.float32


def test_layer_norm_noncontiguous_and_float16():
    x = _data((4, 6))
    assert_same(F.layer_norm(numtorch.from_numpy(noncontig(x)), (6,)),
                TF.layer_norm(torch.tensor(x), (6,)), rtol=1e-4, atol=1e-5)
    x16 = x.astype(np.float16)
    assert_same(F.layer_norm(numtorch.tensor(x16), (6,)), TF.layer_norm(torch.tensor(x16), (6,)),
                rtol=2e-3, atol=2e-3)


def test_layer_norm_gradcheck_and_gradgradcheck():
    x = numtorch.tensor(_data((3, 4), dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(_data((4,), seed=1, dtype=np.float64), requires_grad=True)
    b = numtorch.tensor(_data((4,), seed=2, dtype=np.float64), requires_grad=True)

    def fn(x, w, b):
        return F.layer_norm(x, (4,), w, b)

    assert numtorch.autograd.gradcheck(fn, (x, w, b))
    assert numtorch.autograd.gradgradcheck(fn, (x, w, b))
    assert numtorch.autograd.gradgradcheck(lambda x: F.layer_norm(x, (4,)), (x,))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda x: F.layer_norm(x, (6,)), RuntimeError,
     r"Given normalized_shape=\[6\], expected input with shape \[\*, 6\], but got input of "
     r"size\[4, 5\]"),
    (lambda x: F.layer_norm(x, (5,), numtorch.ones(4)), RuntimeError,
     r"Expected weight to be of same shape as normalized_shape, but got weight of shape \[4\] "
     r"and normalized_shape = \[5\]"),
    (lambda x: F.layer_norm(x, (5,), None, numtorch.ones(4)), RuntimeError,
     "Expected bias to be of same shape as normalized_shape"),
    (lambda x: F.layer_norm(x, 5), TypeError,
     "argument 'normalized_shape' \\(position 2\\) must be tuple of ints, not int"),
    (lambda x: F.layer_norm(x.long(), (5,)), NotImplementedError,
     '"LayerNormKernelImpl" not implemented for \'Long\''),
    (lambda x: F.rms_norm(x, (6,)), RuntimeError,
     r"Given normalized_shape=\[6\], expected input with shape \[\*6\], but got input of "
     r"size\[4, 5\]"),
    (lambda x: F.rms_norm(x, (5,), numtorch.ones(4)), RuntimeError,
     "Expected weight to be of same shape as normalized_shape"),
    (lambda x: F.group_norm(x, 3), RuntimeError,
     r"Expected number of channels in input to be divisible by num_groups, but got input of "
     r"shape \[4, 5\] and num_groups=3"),
    (lambda x: F.group_norm(x[0], 1), RuntimeError,
     "Expected at least 2 dimensions for input tensor but received 1"),
    (lambda x: F.group_norm(x, 5, numtorch.ones(4)), RuntimeError,
     r"Expected weight to be a vector of size equal to the number of channels in input, but "
     r"got weight of shape \[4\] and input of shape \[4, 5\]"),
    (lambda x: F.normalize(x[0], dim=1), IndexError, "Dimension out of range"),
])
def test_errors_match_torch(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(numtorch.tensor(_data((4, 5))))


@pytest.mark.parametrize("xshape, ns", [((4, 6), (6,)), ((2, 3, 5), (3, 5)), ((5,), (5,))])
@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm_values_and_grads(xshape, ns, with_weight, eps):
    arrays = [_data(xshape)] + ([_data(ns, seed=1)] if with_weight else [])
    check_op(lambda x, *w: F.rms_norm(x, ns, *w, eps=eps),
             lambda x, *w: TF.rms_norm(x, ns, *w, eps=eps), *arrays, rtol=1e-4, atol=1e-5)


def test_rms_norm_gradcheck():
    x = numtorch.tensor(_data((3, 4), dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(_data((4,), seed=1, dtype=np.float64), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda x, w: F.rms_norm(x, (4,), w), (x, w))


@pytest.mark.parametrize("xshape, groups", [((2, 6), 3), ((2, 6, 4), 2), ((3, 4, 2, 3), 4),
                                            ((2, 4, 3), 1), ((0, 4, 3), 2)])
@pytest.mark.parametrize("affine", [False, True])
def test_group_norm_values_and_grads(xshape, groups, affine):
    c = xshape[1]
    arrays = [_data(xshape)] + ([_data((c,), seed=1), _data((c,), seed=2)] if affine else [])
    check_op(lambda x, *wb: F.group_norm(x, groups, *wb),
             lambda x, *wb: TF.group_norm(x, groups, *wb), *arrays, rtol=1e-4, atol=1e-5)


def test_group_norm_grad_fn_gradcheck_and_gradgradcheck():
    x = numtorch.tensor(_data((2, 4, 3), dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(_data((4,), seed=1, dtype=np.float64), requires_grad=True)
    b = numtorch.tensor(_data((4,), seed=2, dtype=np.float64), requires_grad=True)
    assert type(F.group_norm(x, 2, w, b).grad_fn).__name__ == "NativeGroupNormBackward0"
    assert numtorch.autograd.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert numtorch.autograd.gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))


@pytest.mark.parametrize("kw", [{}, {"p": 1.0}, {"p": 3.0, "dim": 0}, {"dim": -1, "eps": 0.5}])
def test_normalize_values_and_grads(kw):
    check_op(F.normalize, TF.normalize, _data((4, 5)), rtol=1e-4, atol=1e-5, **kw)


def test_normalize_gradcheck_and_zero_rows():
    x = numtorch.tensor(_data((3, 4), dtype=np.float64), requires_grad=True)
    assert numtorch.autograd.gradcheck(F.normalize, (x,))
    z = np.zeros((2, 3), dtype=np.float32)
    check_op(F.normalize, TF.normalize, z)


# --- modules -----------------------------------------------------------------------------

MODULES = [
    ("LayerNorm", (5,), {}), ("LayerNorm", ((3, 5),), {"eps": 1e-3}),
    ("LayerNorm", (5,), {"elementwise_affine": False}), ("LayerNorm", (5,), {"bias": False}),
    ("RMSNorm", (5,), {}), ("RMSNorm", ([3, 5],), {"eps": 1e-3, "elementwise_affine": False}),
    ("GroupNorm", (1, 3), {}), ("GroupNorm", (3, 3), {"affine": False, "eps": 1e-3}),
    ("GroupNorm", (3, 3), {"bias": False}),
]


@pytest.mark.parametrize("name, args, kw", MODULES, ids=[f"{n}{a}{k}" for n, a, k in MODULES])
def test_module_repr_state_dict_forward_and_grads(name, args, kw):
    m, tm = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():  # init values equal torch's (ones / zeros)
        assert np.array_equal(m.state_dict()[k].numpy(), v.numpy())
    # copy random weights so the affine part is exercised
    sd = {k: _data(tuple(v.shape), seed=i + 3) for i, (k, v) in enumerate(tm.state_dict().items())}
    m.load_state_dict({k: numtorch.tensor(v) for k, v in sd.items()})
    tm.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    x = _data((2, 3, 5))
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = m(a), tm(b)
    assert_same(ya, yb, rtol=1e-4, atol=1e-5)
    g = _data(tuple(yb.shape), seed=9)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-4)
    for (na, pa), (nb, pb) in zip(m.named_parameters(), tm.named_parameters()):
        assert na == nb
        assert_same(pa.grad, pb.grad, rtol=1e-4, atol=1e-4)


def test_group_norm_module_rejects_indivisible_channels():
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be divisible by num_groups "
                       r"\(2\)"):
        nn.GroupNorm(2, 5)
