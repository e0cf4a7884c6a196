"""Activations (numtorch/ops/activation.py, numtorch/nn/modules/activation.py) against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.ops import activation as A
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional

# (name, kwargs): every functional activation with one input.
UNARY = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.7}), ("selu", {}), ("celu", {"alpha": 1.3}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 3.0}), ("softsign", {}),
    ("tanh", {}), ("tanhshrink", {}), ("sigmoid", {}), ("hardsigmoid", {}), ("hardswish", {}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 1.5}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 1.1}), ("softshrink", {}), ("softshrink", {"lambd": 0.9}),
    ("threshold", {"threshold": 0.3, "value": -2.0}), ("logsigmoid", {}), ("rrelu", {}),
    ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0}), ("softmin", {"dim": -1}),
    ("glu", {}),
]
IDS = [f"{n}-{'-'.join(map(str, kw.values()))}" for n, kw in UNARY]


def _data(shape, seed=0, scale=3.0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * scale, dtype=dtype)


def _fns(name):
    return getattr(F, name), getattr(TF, name)


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4), (6,)])
def test_values_and_grads_match_torch(name, kw, shape):
    nt_fn, t_fn = _fns(name)
    if name in ("softmax", "log_softmax", "softmin") and len(shape) == 1:
        kw = {"dim": 0}
    check_op(nt_fn, t_fn, _data(shape), **kw)


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
def test_grad_fn_name_matches_torch(name, kw):
    nt_fn, t_fn = _fns(name)
    x = _data((4, 6))
    a = nt_fn(numtorch.tensor(x, requires_grad=True), **kw)
    b = t_fn(torch.tensor(x, requires_grad=True), **kw)
    assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__


@pytest.mark.parametrize("name, kw", [c for c in UNARY if c[0] != "glu"],
                         ids=[i for c, i in zip(UNARY, IDS) if c[0] != "glu"])
def test_zero_dim_input(name, kw):
    nt_fn, t_fn = _fns(name)
    if "dim" in kw:
        kw = {"dim": 0}
    check_op(nt_fn, t_fn, np.array(-0.7, dtype=np.float32), **kw)
    check_op(nt_fn, t_fn, np.array(1.3, dtype=np.float32), **kw)


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
def test_empty_input(name, kw):
    nt_fn, t_fn = _fns(name)
    check_op(nt_fn, t_fn, np.zeros((0, 4), dtype=np.float32), **kw)


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
def test_noncontiguous_input(name, kw):
    nt_fn, t_fn = _fns(name)
    x = _data((4, 6))
    a = nt_fn(numtorch.from_numpy(noncontig(x)), **kw)
    assert_same(a, t_fn(torch.tensor(x), **kw))
    b = nt_fn(numtorch.tensor(x.T.copy()).t(), **kw)
    assert_same(b, t_fn(torch.tensor(x), **kw))


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
def test_float64_and_float16_dtypes(name, kw):
    nt_fn, t_fn = _fns(name)
    check_op(nt_fn, t_fn, _data((3, 4), dtype=np.float64), **kw)
    x16 = _data((3, 4), dtype=np.float16)
    assert_same(nt_fn(numtorch.tensor(x16), **kw), t_fn(torch.tensor(x16), **kw),
                rtol=2e-3, atol=2e-3)


def test_float32_stays_float32_without_upcast():
    x = numtorch.tensor(_data((4, 6)), requires_grad=True)
    for name, kw in UNARY:
        y = getattr(F, name)(x, **kw)
        assert y.dtype is numtorch.float32
        (g,) = numtorch.autograd.grad(y.sum(), x)
        assert g.dtype is numtorch.float32


@pytest.mark.parametrize("name, kw", UNARY, ids=IDS)
def test_gradcheck_float64(name, kw):
    x = numtorch.tensor(_data((3, 4), seed=1, scale=2.0, dtype=np.float64), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: getattr(F, name)(t, **kw), (x,))


@pytest.mark.parametrize("name, kw", [("gelu", {}), ("gelu", {"approximate": "tanh"}),
                                      ("silu", {}), ("mish", {}), ("elu", {"alpha": 0.5}),
                                      ("selu", {}), ("celu", {"alpha": 2.0}),
                                      ("softplus", {"beta": 1.5}), ("leaky_relu", {}),
                                      ("logsigmoid", {}), ("glu", {}), ("hardswish", {}),
                                      ("softmin", {"dim": 1}), ("softsign", {})])
def test_gradgradcheck_float64(name, kw):
    x = numtorch.tensor(_data((3, 4), seed=2, scale=2.0, dtype=np.float64), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda t: getattr(F, name)(t, **kw), (x,))


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3),
       name=st.sampled_from(["gelu", "silu", "mish", "elu", "softplus", "hardswish",
                             "leaky_relu", "logsigmoid", "hardtanh", "softshrink"]))
def test_random_shapes_match_torch(shape, name):
    check_op(getattr(F, name), getattr(TF, name), _data(tuple(shape), seed=len(shape)))


# --- large and extreme values ------------------------------------------------------------


@pytest.mark.parametrize("name", ["softplus", "logsigmoid", "silu", "mish", "gelu", "elu",
                                  "selu", "sigmoid", "hardswish"])
def test_extreme_values_stay_finite_as_torch(name):
    x = np.array([-1e4, -100.0, -30.0, -20.5, 0.0, 20.5, 30.0, 100.0, 1e4], dtype=np.float32)
    check_op(getattr(F, name), getattr(TF, name), x)


# --- in-place forms ----------------------------------------------------------------------

INPLACE = [("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.1}),
           ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {"alpha": 1.5}), ("silu", {}),
           ("mish", {}), ("hardsigmoid", {}), ("hardswish", {}),
           ("hardtanh", {"min_val": -0.5, "max_val": 0.5}),
           ("threshold", {"threshold": 0.1, "value": 2.0})]


@pytest.mark.parametrize("name, kw", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_writes_input_and_backprops_like_torch(name, kw):
    nt_fn, t_fn = _fns(name)
    x = _data((3, 5))
    a = numtorch.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    ra = nt_fn(ya, inplace=True, **kw)
    t_fn(yb, inplace=True, **kw)
    assert ra is ya
    assert_same(ya, yb)
    assert type(ya.grad_fn).__name__ == type(yb.grad_fn).__name__
    g = _data((3, 5), seed=3)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    assert_same(a.grad, b.grad)


def test_rrelu_inplace_training_matches_torch():
    x = _data((4, 5))
    torch.manual_seed(5)
    numtorch.manual_seed(5)
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = a * 1, b * 1
    F.rrelu(ya, training=True, inplace=True)
    TF.rrelu(yb, training=True, inplace=True)
    assert np.array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert type(ya.grad_fn).__name__ == "RreluWithNoiseBackward1"
    ya.sum().backward()
    yb.sum().backward()
    assert_same(a.grad, b.grad)


def test_inplace_on_leaf_requiring_grad_raises():
    x = numtorch.tensor(_data((3,)), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.relu(x, inplace=True)


def test_inplace_without_grad_writes_in_place():
    x = numtorch.tensor([-1.0, 2.0])
    assert F.elu(x, inplace=True) is x
    assert_same(x, TF.elu(torch.tensor([-1.0, 2.0])))


def test_inplace_negative_slope_backward_raises_as_torch():
    x = numtorch.tensor(_data((3,)), requires_grad=True)
    y = F.leaky_relu(x * 1, -0.1, inplace=True)
    with pytest.raises(RuntimeError, match="In-place leakyReLu backward calculation"):
        y.sum().backward()
    y = F.elu(x * 1, -0.1, inplace=True)
    with pytest.raises(RuntimeError, match="In-place elu backward calculation"):
        y.sum().backward()


# --- integer inputs and errors -----------------------------------------------------------


@pytest.mark.parametrize("name, kw", [("relu", {}), ("relu6", {}), ("hardtanh", {}),
                                      ("threshold", {"threshold": 1.5, "value": 7})])
def test_integer_inputs_keep_their_dtype(name, kw):
    nt_fn, t_fn = _fns(name)
    x = np.array([-3, 0, 2, 9])
    assert_same(nt_fn(numtorch.tensor(x), **kw), t_fn(torch.tensor(x), **kw))


@pytest.mark.parametrize("name, kernel", [
    ("leaky_relu", "leaky_relu_cpu"), ("elu", "elu_cpu"), ("selu", "elu_cpu"),
    ("gelu", "GeluKernelImpl"), ("silu", "silu_cpu"), ("mish", "mish_cpu"),
    ("softplus", "softplus_cpu"), ("hardsigmoid", "hardsigmoid_cpu"),
    ("hardswish", "hardswish_cpu"), ("hardshrink", "hardshrink_cpu"),
    ("logsigmoid", "log_sigmoid_cpu"), ("rrelu", "leaky_relu_cpu")])
def test_integer_inputs_raise_like_torch(name, kernel):
    with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for \'Long\''):
        getattr(F, name)(numtorch.tensor([1, 2]))


def test_softsign_and_tanhshrink_of_integers_give_floats():
    x = np.array([-2, 0, 3])
    for name in ("softsign", "tanhshrink"):
        assert_same(getattr(F, name)(numtorch.tensor(x)), getattr(TF, name)(torch.tensor(x)))


@pytest.mark.parametrize("call, exc, msg", [
    (lambda x: F.gelu(x, approximate="foo"), RuntimeError,
     "approximate argument must be either none or tanh."),
    (lambda x: F.hardtanh(x, 2.0, 1.0), ValueError, "min_val cannot be greater than max_val"),
    (lambda x: F.softshrink(x, -1.0), RuntimeError,
     r"lambda must be in range \[0, 3.40282e\+38\] for input dtype Float, but found -1"),
    (lambda x: F.celu(x, 0.0), RuntimeError, "ZeroDivisionError: alpha cannot be 0 for CELU"),
    (lambda x: F.glu(x), RuntimeError,
     "Halving dimension must be even, but dimension 1 is size 5"),
    (lambda x: F.glu(x[0, 0]), RuntimeError,
     "glu does not support scalars because halving size must be even"),
    (lambda x: F.glu(x, 2), IndexError, "Dimension out of range"),
    (lambda x: F.prelu(x, numtorch.ones(3)), RuntimeError,
     "Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and "
     "channel size = 5."),
    (lambda x: F.prelu(x[0], numtorch.ones(5)), RuntimeError, "channel size = 1."),
    (lambda x: F.rrelu(x, 0.5, 0.1, training=True), RuntimeError,
     "Lower bound should be less than or equal to the upper bound"),
])
def test_errors_match_torch(call, exc, msg):
    x = numtorch.tensor(_data((4, 5)))
    with pytest.raises(exc, match=msg):
        call(x)


# --- prelu, rrelu, glu, softmax ----------------------------------------------------------


@pytest.mark.parametrize("xshape, wshape", [((4, 6), (6,)), ((4, 6), (1,)), ((2, 3, 4), (3,)),
                                            ((2, 3, 4, 5), (3,)), ((5,), (1,)), ((), (1,)),
                                            ((4, 6), ())])
def test_prelu_values_and_grads(xshape, wshape):
    w = np.random.default_rng(1).random(wshape).astype(np.float32)
    check_op(F.prelu, TF.prelu, _data(xshape), w)


def test_prelu_gradcheck_and_gradgradcheck():
    x = numtorch.tensor(_data((2, 3, 4), dtype=np.float64), requires_grad=True)
    w = numtorch.tensor([0.1, 0.3, -0.2], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(F.prelu, (x, w))
    assert numtorch.autograd.gradgradcheck(F.prelu, (x, w))


def test_rrelu_training_matches_torch_after_manual_seed():
    x = _data((5, 7))
    for seed in (0, 11):
        torch.manual_seed(seed)
        numtorch.manual_seed(seed)
        a = numtorch.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        ya = F.rrelu(a, 0.1, 0.4, training=True)
        yb = TF.rrelu(b, 0.1, 0.4, training=True)
        assert np.array_equal(ya.detach().numpy(), yb.detach().numpy())
        ya.sum().backward()
        yb.sum().backward()
        assert np.array_equal(a.grad.numpy(), b.grad.numpy())
        assert numtorch.rand(1).item() == torch.rand(1).item()  # same generator position


def test_rrelu_training_slopes_lie_in_bounds_and_eval_uses_the_mean():
    x = numtorch.full((2000,), -1.0)
    y = F.rrelu(x, 0.2, 0.3, training=True)
    assert float(y.max()) <= -0.2 and float(y.min()) >= -0.3
    assert_same(F.rrelu(x, 0.2, 0.3, training=False), TF.rrelu(torch.full((2000,), -1.0), 0.2, 0.3))


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_glu_along_dims(dim):
    check_op(F.glu, TF.glu, _data((4, 6, 2)), dim=dim)


@pytest.mark.parametrize("ndim, dim", [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim_warns_and_picks_torchs_dim(name, ndim, dim):
    x = _data((3,) * ndim)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been "
                      "deprecated"):
        a = getattr(A, name)(numtorch.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(a, getattr(TF, name)(torch.tensor(x)))
    assert np.array_equal(a.numpy(), getattr(A, name)(numtorch.tensor(x), dim).numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_dtype_argument(name):
    x = np.array([[1, 2, 3], [0, 5, 1]])
    a = getattr(A, name)(numtorch.tensor(x), 1, dtype=numtorch.float64)
    assert_same(a, getattr(TF, name)(torch.tensor(x), 1, dtype=torch.float64))


# --- modules -----------------------------------------------------------------------------

MODULES = [
    ("ReLU", (), {}), ("ReLU", (True,), {}), ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("RReLU", (), {}),
    ("RReLU", (0.1, 0.3, True), {}), ("ELU", (), {}), ("ELU", (0.5, True), {}),
    ("SELU", (), {}), ("SELU", (True,), {}), ("CELU", (), {}), ("CELU", (2.0, True), {}),
    ("GELU", (), {}), ("GELU", ("tanh",), {}), ("Hardshrink", (), {}), ("Softshrink", (0.3,), {}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Mish", (), {}), ("Mish", (True,), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softsign", (), {}), ("Tanh", (), {}),
    ("Tanhshrink", (), {}), ("Sigmoid", (), {}), ("LogSigmoid", (), {}),
    ("Hardsigmoid", (), {}), ("Hardsigmoid", (True,), {}), ("Hardswish", (), {}),
    ("Hardswish", (True,), {}), ("Hardtanh", (), {}), ("Hardtanh", (-2, 2, True), {}),
    ("Threshold", (0.1, 20), {}), ("Threshold", (0.1, 20, True), {}),
    ("Softmax", (1,), {}), ("Softmin", (1,), {}), ("LogSoftmax", (1,), {}),
    ("Softmax", (), {"dim": -1}), ("Softmax2d", (), {}), ("GLU", (), {}), ("GLU", (1,), {}),
    ("PReLU", (), {}), ("PReLU", (4, 0.1), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES,
                         ids=[f"{n}{a}{k}" for n, a, k in MODULES])
def test_module_repr_state_dict_forward_and_grads(name, args, kwargs):
    m = getattr(nn, name)(*args, **kwargs)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    assert list(m.state_dict().keys()) == list(tm.state_dict().keys())
    m.eval()
    tm.eval()
    x = _data((2, 4, 3, 6))
    a = numtorch.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = m(a * 1), tm(b * 1)
    assert_same(ya, yb)
    g = _data(tuple(yb.shape), seed=4)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    assert_same(a.grad, b.grad, rtol=1e-4, atol=1e-5)
    for (na, pa), (nb, pb) in zip(m.named_parameters(), tm.named_parameters()):
        assert na == nb
        assert_same(pa.grad, pb.grad, rtol=1e-4, atol=1e-5)


def test_prelu_module_with_copied_weights():
    m, tm = nn.PReLU(3), torch.nn.PReLU(3)
    w = np.array([0.1, -0.5, 2.0], dtype=np.float32)
    m.load_state_dict({"weight": numtorch.tensor(w)})
    tm.load_state_dict({"weight": torch.tensor(w)})
    x = _data((4, 3, 5))
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = m(a), tm(b)
    assert_same(ya, yb)
    ya.sum().backward()
    yb.sum().backward()
    assert_same(m.weight.grad, tm.weight.grad, rtol=1e-4)
    assert_same(a.grad, b.grad)
    assert isinstance(m.weight, nn.Parameter)


def test_rrelu_module_trains_randomly_and_evaluates_deterministically():
    m = nn.RReLU()
    x = numtorch.full((50,), -1.0)
    assert not np.allclose(m(x).numpy(), m(x).numpy())
    m.eval()
    assert np.array_equal(m(x).numpy(), m(x).numpy())


def test_softmax2d_rejects_other_ranks_and_hardtanh_checks_bounds():
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(numtorch.ones(2, 3))
    with pytest.raises(AssertionError, match=r"max_val \(1\) must be greater than min_val \(2\)"):
        nn.Hardtanh(2, 1)


def test_module_softmax_without_dim_warns():
    m = nn.Softmax()
    x = _data((2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        a = m(numtorch.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(a, torch.nn.Softmax()(torch.tensor(x)))


def test_module_inplace_relu_modifies_input():
    x = numtorch.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]



@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
def test_shrink_keeps_nan_and_negative_zero_like_torch(name):
    a = np.array([np.nan, -0.0, 0.3, -2.0, 2.0], np.float32)
    ours = getattr(F, name)(numtorch.tensor(a)).numpy()
    theirs = getattr(TF, name)(torch.tensor(a)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))


def test_inplace_threshold_keeps_nan_like_torch():
    a = np.array([np.nan, 0.2, 1.0], np.float32)
    ours = F.threshold(numtorch.tensor(a), 0.5, -2.0, inplace=True).numpy()
    theirs = TF.threshold(torch.tensor(a), 0.5, -2.0, inplace=True).numpy()
    np.testing.assert_array_equal(ours, theirs)
