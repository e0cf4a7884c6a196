"""numtorch/ops/extras.py and numtorch/signal: parity with PyTorch."""

from __future__ import annotations

import array
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numtorch
from numtorch.ops import extras
from tests.utils import assert_same, check_op, pair

torch = pytest.importorskip("torch")

DTYPES = {"float32": (numtorch.float32, torch.float32), "float64": (numtorch.float64, torch.float64),
          "float16": (numtorch.float16, torch.float16), "int64": (numtorch.int64, torch.int64),
          "bool": (numtorch.bool, torch.bool)}


def _first_line(e: BaseException) -> str:
    return str(e).split("\n")[0].replace("torch.", "numtorch.")


def same_error(nt_call, torch_call):
    """Both calls raise the same exception type with the same first message line."""
    with pytest.raises(Exception) as ref:
        torch_call()
    with pytest.raises(type(ref.value), match=re.escape(_first_line(ref.value))):
        nt_call()


# --- window functions -----------------------------------------------------------------------

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("length", [0, 1, 2, 3, 5, 8, 33])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_window_values_and_dtype(name, length, periodic, dt):
    ntd, td = DTYPES[dt]
    out = getattr(numtorch, name)(length, periodic, dtype=ntd)
    ref = getattr(torch, name)(length, periodic, dtype=td)
    assert_same(out, ref, rtol=1e-5, atol=1e-6 if dt == "float32" else 1e-12)
    assert out.is_contiguous() and out.grad_fn is None


@pytest.mark.parametrize("name", WINDOWS)
def test_window_defaults_follow_default_dtype_and_requires_grad(name):
    assert_same(getattr(numtorch, name)(7), getattr(torch, name)(7))
    out = getattr(numtorch, name)(4, requires_grad=True)
    assert out.requires_grad and out.is_leaf
    prev = numtorch.get_default_dtype()
    numtorch.set_default_dtype(numtorch.float64)
    try:
        assert getattr(numtorch, name)(3).dtype is numtorch.float64
    finally:
        numtorch.set_default_dtype(prev)


@pytest.mark.parametrize("name", WINDOWS)
def test_window_float16_close(name):
    out = getattr(numtorch, name)(9, dtype=numtorch.float16)
    ref = getattr(torch, name)(9, dtype=torch.float16)
    assert_same(out, ref, rtol=2e-3, atol=2e-3)


def test_hamming_alpha_beta_and_kaiser_beta():
    for args in [(6, True, 0.5), (6, False, 0.5, 0.5), (7, True, 0.6, 0.3)]:
        assert_same(numtorch.hamming_window(*args), torch.hamming_window(*args))
    for beta in [0.0, 0.5, 3, 8.0, 12.0, 30.0]:
        for periodic in (True, False):
            assert_same(numtorch.kaiser_window(11, periodic, beta, dtype=numtorch.float64),
                        torch.kaiser_window(11, periodic, beta, dtype=torch.float64),
                        rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("call", [
    lambda f, m: f(-1), lambda f, m: f(-1, dtype=m.int64), lambda f, m: f(5, dtype=m.int64),
    lambda f, m: f(0, dtype=m.bool), lambda f, m: f(2.5), lambda f, m: f(True),
    lambda f, m: f(5, 1)])
def test_window_errors(name, call):
    same_error(lambda: call(getattr(numtorch, name), numtorch),
               lambda: call(getattr(torch, name), torch))


# --- numtorch.signal.windows ----------------------------------------------------------------

SIGNAL = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
          "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _kw(name):
    return {"a": [0.5, 0.3, 0.2]} if name == "general_cosine" else {}


def test_signal_windows_namespace():
    assert sorted(numtorch.signal.windows.__all__) == sorted(torch.signal.windows.__all__)


@pytest.mark.parametrize("name", SIGNAL)
@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("sym", [True, False])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_signal_window_values(name, M, sym, dt):
    ntd, td = DTYPES[dt]
    out = getattr(numtorch.signal.windows, name)(M, sym=sym, dtype=ntd, **_kw(name))
    ref = getattr(torch.signal.windows, name)(M, sym=sym, dtype=td, **_kw(name))
    assert_same(out, ref, rtol=1e-5, atol=1e-6 if dt == "float32" else 1e-12)


@pytest.mark.parametrize("name,kw", [
    ("exponential", {"tau": 2.5}), ("exponential", {"center": 1.0, "sym": False}),
    ("gaussian", {"std": 0.7}), ("kaiser", {"beta": 4.0}), ("kaiser", {"beta": 0.0}),
    ("general_hamming", {"alpha": 0.6}), ("general_cosine", {"a": (1.0,)})])
def test_signal_window_parameters(name, kw):
    out = getattr(numtorch.signal.windows, name)(7, **kw)
    ref = getattr(torch.signal.windows, name)(7, **kw)
    assert_same(out, ref)


@pytest.mark.parametrize("name", SIGNAL)
def test_signal_window_requires_grad_records_graph(name):
    out = getattr(numtorch.signal.windows, name)(6, requires_grad=True, **_kw(name))
    ref = getattr(torch.signal.windows, name)(6, requires_grad=True, **_kw(name))
    assert_same(out, ref)
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__


@pytest.mark.parametrize("call", [
    lambda w, m: w.hann(-1), lambda w, m: w.hann(5, dtype=m.float16),
    lambda w, m: w.kaiser(5, dtype=m.int64), lambda w, m: w.exponential(5, tau=0.0),
    lambda w, m: w.exponential(5, center=1.0), lambda w, m: w.gaussian(5, std=-1.0),
    lambda w, m: w.kaiser(5, beta=-1.0), lambda w, m: w.general_cosine(5, a=[]),
    lambda w, m: w.general_cosine(5, a=3)])
def test_signal_window_errors(call):
    same_error(lambda: call(numtorch.signal.windows, numtorch),
               lambda: call(torch.signal.windows, torch))


def test_kaiser_window_with_requires_grad_goes_through_i0():
    ours = numtorch.signal.windows.kaiser(7, beta=5.0, dtype=numtorch.float64,
                                          requires_grad=True)
    ref = torch.signal.windows.kaiser(7, beta=5.0, dtype=torch.float64, requires_grad=True)
    assert_same(ours.detach(), ref.detach(), rtol=1e-12, atol=1e-14)
    assert type(ours.grad_fn).__name__ == type(ref.grad_fn).__name__


# --- gradient --------------------------------------------------------------------------------


def _f(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("kwargs", [
    {}, {"edge_order": 2}, {"spacing": 2.0}, {"spacing": 3}, {"spacing": 0.5, "edge_order": 2},
    {"dim": 1}, {"dim": -1, "edge_order": 2}, {"dim": [0, 2]}, {"dim": (2, 0), "spacing": [1.5, 2]},
    {"spacing": [1.0, 2.0, 0.5]}, {"spacing": (2, 3, 4), "edge_order": 2}])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_gradient_uniform_spacing(kwargs, dt):
    check_op(numtorch.gradient, torch.gradient, _f(3, 4, 5, dtype=dt), **kwargs)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_gradient_coordinates(edge_order, dt):
    f = _f(4, 6, dtype=dt)
    c0 = np.array([0.0, 0.5, 2.0, 2.5], dtype=dt)
    c1 = np.array([0.0, 1.0, 1.5, 3.0, 4.5, 5.0], dtype=dt)
    check_op(lambda x: numtorch.gradient(x, spacing=[numtorch.tensor(c0), numtorch.tensor(c1)],
                                         edge_order=edge_order),
             lambda x: torch.gradient(x, spacing=[torch.tensor(c0), torch.tensor(c1)],
                                      edge_order=edge_order), f, rtol=1e-4, atol=1e-5)
    check_op(lambda x: numtorch.gradient(x, spacing=(numtorch.tensor(c1),), dim=1),
             lambda x: torch.gradient(x, spacing=(torch.tensor(c1),), dim=1), f,
             rtol=1e-4, atol=1e-5)


def test_gradient_dtypes_and_mixed_coordinates():
    i = np.array([1, 4, 9, 16, 25])
    for kw in [{}, {"spacing": 2}, {"edge_order": 2}]:
        assert_same(numtorch.gradient(numtorch.tensor(i), **kw), torch.gradient(torch.tensor(i), **kw))
    ci, cf = np.array([0, 1, 3, 4, 7]), np.array([0.0, 1, 3, 4, 7])
    for x, c in [(i, ci), (i, cf), (i.astype(np.float32), cf), (i.astype(np.float32), ci)]:
        for e in (1, 2):
            assert_same(numtorch.gradient(numtorch.tensor(x), spacing=[numtorch.tensor(c)],
                                          edge_order=e),
                        torch.gradient(torch.tensor(x), spacing=[torch.tensor(c)], edge_order=e),
                        rtol=1e-5)
    f16 = _f(5, dtype=np.float16)
    assert_same(numtorch.gradient(numtorch.tensor(f16)), torch.gradient(torch.tensor(f16)),
                rtol=1e-3, atol=1e-3)


def test_gradient_grad_fn_and_edges():
    x, t = pair(_f(5), requires_grad=True)
    assert type(numtorch.gradient(x)[0].grad_fn).__name__ == \
        type(torch.gradient(t)[0].grad_fn).__name__ == "CatBackward0"
    assert numtorch.gradient(numtorch.tensor(1.0)) == ()
    assert numtorch.gradient(numtorch.ones(3, 4), dim=[]) == ()
    for shape, kw in [((2,), {}), ((0, 3), {"dim": 1}), ((1, 4), {"dim": 1}), ((3, 4), {"dim": 1})]:
        assert_same(numtorch.gradient(numtorch.ones(*shape), **kw),
                    torch.gradient(torch.ones(*shape), **kw))
    assert_same(numtorch.gradient(numtorch.ones(3), spacing=numtorch.tensor(2.0)),
                torch.gradient(torch.ones(3), spacing=torch.tensor(2.0)))


def test_gradient_gradcheck():
    x = numtorch.tensor(_f(4, 5, dtype=np.float64), requires_grad=True)
    c = numtorch.tensor([0.0, 0.4, 1.5, 2.0, 3.5], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda a: numtorch.gradient(a, edge_order=2), (x,))
    assert numtorch.autograd.gradcheck(
        lambda a, b: numtorch.gradient(a, spacing=[b], dim=1, edge_order=2), (x, c))


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(3, 5), min_size=1, max_size=3),
       edge=st.sampled_from([1, 2]), h=st.floats(0.25, 4.0))
def test_gradient_random_shapes(shape, edge, h):
    check_op(numtorch.gradient, torch.gradient, _f(*shape, dtype=np.float64), spacing=h,
             edge_order=edge)


@pytest.mark.parametrize("call", [
    lambda g, m, x: g(x, edge_order=3), lambda g, m, x: g(x, edge_order=0),
    lambda g, m, x: g(m.ones(1, 4)), lambda g, m, x: g(m.ones(2, 4), edge_order=2),
    lambda g, m, x: g(m.empty(0)), lambda g, m, x: g(x, spacing=[1.0]),
    lambda g, m, x: g(x, spacing=[1.0, 2.0], dim=0), lambda g, m, x: g(x, dim=2),
    lambda g, m, x: g(x, dim=(0, 0)), lambda g, m, x: g(x, dim=1.0),
    lambda g, m, x: g(x, spacing="a"), lambda g, m, x: g(x, spacing=m.ones(3)),
    lambda g, m, x: g(x, spacing=[2, m.arange(4.0)]),
    lambda g, m, x: g(x, spacing=[m.arange(3.0), 2]),
    lambda g, m, x: g(x, spacing=[m.ones(1, 3), m.arange(4.0)]),
    lambda g, m, x: g(x, spacing=[m.tensor(3.0), m.tensor(2.0)]),
    lambda g, m, x: g(m.tensor([True, False, True])), lambda g, m, x: g([1.0, 2.0])])
def test_gradient_errors(call):
    same_error(lambda: call(numtorch.gradient, numtorch, numtorch.ones(3, 4)),
               lambda: call(torch.gradient, torch, torch.ones(3, 4)))


# --- the complex API on real tensors ------------------------------------------------------


@pytest.mark.parametrize("name", ["real", "conj", "conj_physical", "resolve_conj", "resolve_neg"])
@pytest.mark.parametrize("dt", ["float32", "int64", "bool"])
def test_identity_on_real_tensors(name, dt):
    x = numtorch.tensor([1, 0, 1]).to(DTYPES[dt][0])
    assert getattr(numtorch, name)(x) is x
    if name != "real":
        assert getattr(x, name)() is x
    t = torch.tensor([1, 0, 1]).to(DTYPES[dt][1])
    assert getattr(torch, name)(t) is t


def test_is_conj_is_neg_and_properties():
    x = numtorch.tensor([1.0, -2.0], requires_grad=True)
    assert x.is_conj() is False and x.is_neg() is False
    assert numtorch.is_conj(x) is False and numtorch.is_neg(x) is False
    assert x.real is x
    same_error(lambda: x.imag, lambda: torch.tensor([1.0]).imag)
    same_error(lambda: numtorch.imag(x), lambda: torch.imag(torch.tensor([1.0])))
    same_error(lambda: numtorch.real([1.0]), lambda: torch.real([1.0]))
    same_error(lambda: numtorch.conj([1.0]), lambda: torch.conj([1.0]))
    z, tz = numtorch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    z.real, tz.real = numtorch.tensor([5.0, 6.0]), torch.tensor([5.0, 6.0])
    assert_same(z, tz)
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        z.imag = numtorch.tensor([5.0, 6.0])


def test_conj_physical_inplace_and_out():
    z = numtorch.tensor([1.0, 2.0])
    assert z.conj_physical_() is z
    same_error(lambda: numtorch.tensor([1.0], requires_grad=True).conj_physical_(),
               lambda: torch.tensor([1.0], requires_grad=True).conj_physical_())
    out = numtorch.empty(2)
    assert numtorch.conj_physical(z, out=out) is out
    assert_same(out, torch.tensor([1.0, 2.0]))


@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "int64", "bool"])
def test_angle_values_and_dtype(dt):
    vals = [1.0, -2.0, 0.0, -0.0, 3.5, -0.5] + ([float("nan"), float("inf"), -float("inf")]
                                              if dt.startswith("float") else [])
    t = torch.tensor(vals).to(DTYPES[dt][1])
    x = numtorch.tensor(t.numpy())
    assert_same(numtorch.angle(x), torch.angle(t))
    assert_same(x.angle(), t.angle())
    assert_same(numtorch.angle(numtorch.tensor(3, dtype=numtorch.uint8)),
                torch.angle(torch.tensor(3, dtype=torch.uint8)))


def test_angle_grad_and_out():
    check_op(numtorch.angle, torch.angle, _f(3, 4))
    check_op(numtorch.angle, torch.angle, _f(0))
    x, t = pair(_f(2, 3), requires_grad=True)
    assert type(numtorch.angle(x).grad_fn).__name__ == type(torch.angle(t).grad_fn).__name__
    out = numtorch.empty(4)
    numtorch.angle(numtorch.tensor([1.0, -1.0, 2.0, -2.0]), out=out)
    assert_same(out, torch.angle(torch.tensor([1.0, -1.0, 2.0, -2.0])))
    same_error(lambda: numtorch.angle(numtorch.tensor([1.0]), out=numtorch.empty(1, dtype=numtorch.int64)),
               lambda: torch.angle(torch.tensor([1.0]), out=torch.empty(1, dtype=torch.int64)))


# --- small Tensor methods ------------------------------------------------------------------


def test_is_inference():
    x = numtorch.ones(2, 3)
    with numtorch.inference_mode():
        y = numtorch.ones(2)
        z = x * 2
        v = x[0]
        with numtorch.inference_mode(False):
            w = numtorch.ones(1)
    assert (y.is_inference(), z.is_inference(), v.is_inference(), w.is_inference()) == \
        (True, True, False, False)
    assert (x.is_inference(), (y + 1).is_inference(), y[0].is_inference()) == (False, False, True)
    with numtorch.no_grad():
        assert not numtorch.ones(1).is_inference()
    assert numtorch.is_inference(y) and not numtorch.ones(1).is_inference()


def test_output_nr():
    a = numtorch.ones(2, requires_grad=True)
    c, d = (a * 3).unbind()
    assert (a.output_nr, (a * 2).output_nr, c.output_nr, d.output_nr) == (0, 0, 0, 1)
    with pytest.raises(AttributeError):
        a.output_nr = 1


def test_new_empty_strided():
    x = numtorch.ones(2, 3)
    e = x.new_empty_strided((2, 3), (1, 2))
    assert e.shape == (2, 3) and e.stride() == (1, 2) and e.dtype is numtorch.float32
    e = x.new_empty_strided([2, 3], [3, 1], dtype=numtorch.int64)
    assert e.stride() == (3, 1) and e.dtype is numtorch.int64
    assert x.new_empty_strided((0, 3), (3, 1)).shape == (0, 3)
    assert x.new_empty_strided((2, 3), (1, 2), requires_grad=True).requires_grad
    t = torch.ones(2, 3)
    same_error(lambda: x.new_empty_strided((2, 3)), lambda: t.new_empty_strided((2, 3)))
    same_error(lambda: x.new_empty_strided((2, 3), (1,)), lambda: t.new_empty_strided((2, 3), (1,)))


def test_is_shared_is_set_to_dim_order_is_distributed():
    x, t = numtorch.ones(2, 3), torch.ones(2, 3)
    assert x.is_shared() is False and x.is_distributed() is False
    assert numtorch.is_distributed(x) is False
    for f in [lambda a: a, lambda a: a[:], lambda a: a.view(3, 2), lambda a: a.clone(),
              lambda a: a[1:], lambda a: a.t()]:
        assert x.is_set_to(f(x)) == t.is_set_to(f(t))
    same_error(lambda: x.is_set_to(1), lambda: t.is_set_to(1))
    for f in [lambda a: a, lambda a: a.t(), lambda a: a.reshape(2, 3, 1).permute(2, 0, 1),
              lambda a: a.reshape(1, 2, 3, 1).permute(0, 3, 2, 1), lambda a: a[:, ::2],
              lambda a: a.expand(4, 2, 3).permute(1, 0, 2)]:
        assert f(x).dim_order() == f(t).dim_order()


@pytest.mark.parametrize("size,fill", [(0, -1), (2, -1), (4, -1), (6, 7)])
def test_nonzero_static(size, fill):
    v = np.array([[0, 1, 0], [2, 0, 3]])
    for arr in (v, v[0], np.array(5), np.array(0)):
        x, t = pair(arr)
        assert_same(numtorch.nonzero_static(x, size=size, fill_value=fill),
                    torch.nonzero_static(t, size=size, fill_value=fill))
    assert_same(numtorch.tensor(v).nonzero_static(size=2), torch.tensor(v).nonzero_static(size=2))


# --- namespace switches ---------------------------------------------------------------------


def test_default_device():
    assert numtorch.get_default_device() == numtorch.device("cpu")
    try:
        assert numtorch.set_default_device("cpu") is None
        assert numtorch.get_default_device() == numtorch.device("cpu")
        numtorch.set_default_device("cpu:0")
        assert repr(numtorch.get_default_device()) == "device(type='cpu', index=0)"
        numtorch.set_default_device(numtorch.device("cpu"))
        assert numtorch.zeros(1).device.type == "cpu"
    finally:
        numtorch.set_default_device(None)
    assert repr(numtorch.get_default_device()) == "device(type='cpu')"
    if not numtorch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            numtorch.set_default_device("cuda")
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            numtorch.set_default_device(0)
    assert numtorch.get_default_device() == numtorch.device("cpu")


def test_warn_always_and_flush_denormal():
    assert numtorch.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    try:
        numtorch.set_warn_always(True)
        assert numtorch.is_warn_always_enabled() is True
    finally:
        numtorch.set_warn_always(False)
    same_error(lambda: numtorch.set_warn_always(1), lambda: torch.set_warn_always(1))
    same_error(lambda: numtorch.set_flush_denormal(1), lambda: torch.set_flush_denormal(1))
    assert numtorch.set_flush_denormal(False) is True
    assert numtorch.set_flush_denormal(True) is False  # NumPy cannot flush denormals
    assert numtorch.tensor([1e-323], dtype=numtorch.float64).item() > 0


@pytest.mark.parametrize("size,perm", [((2, 3, 4), (0, 2, 1)), ((2, 3, 4), (2, 0, 1)),
                                       ((5,), (0,)), ((), ()), ((2, 0, 3), (1, 2, 0))])
def test_empty_permuted(size, perm):
    x = numtorch.empty_permuted(size, perm)
    t = torch.empty_permuted(size, perm)
    assert x.shape == t.shape and x.dtype is numtorch.float32
    if 0 not in size:
        assert x.stride() == t.stride()
    y = numtorch.empty_permuted(size, perm, dtype=numtorch.int32)
    assert y.dtype is numtorch.int32


@pytest.mark.parametrize("call", [
    lambda f, m: f((2, 3, 4), (0, 1)), lambda f, m: f((2, 3, 4), (0, 1, 1)),
    lambda f, m: f((2, 3, 4), (0, 1, 5)), lambda f, m: f((2, 3, 4), (0, 1, -1)),
    lambda f, m: f((2, -3, 4), (0, 1, 2)),
    lambda f, m: f((2, 3), (0, 1), dtype=m.int64, requires_grad=True)])
def test_empty_permuted_errors(call):
    same_error(lambda: call(numtorch.empty_permuted, numtorch),
               lambda: call(torch.empty_permuted, torch))
    assert numtorch.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad


def test_frombuffer_shares_writable_memory():
    a = array.array("i", [1, 2, 3, 4])
    x = numtorch.frombuffer(a, dtype=numtorch.int32)
    assert_same(x, torch.frombuffer(array.array("i", [1, 2, 3, 4]), dtype=torch.int32))
    x[0] = 99
    assert a[0] == 99
    a[1] = -5
    assert x[1].item() == -5
    for kw in [{"count": 2, "offset": 4}, {"count": -1, "offset": 4}, {"offset": 2, "count": 1}]:
        assert_same(numtorch.frombuffer(a, dtype=numtorch.int32, **kw),
                    torch.frombuffer(a, dtype=torch.int32, **kw))
    buf = bytearray(b"\x00\x00\x80\x3f\x00\x00\x00\x40")
    assert_same(numtorch.frombuffer(buf, dtype=numtorch.float32, requires_grad=True),
                torch.frombuffer(buf, dtype=torch.float32, requires_grad=True))
    assert_same(numtorch.frombuffer(buf, dtype=numtorch.int64),
                torch.frombuffer(buf, dtype=torch.int64))
    n = np.arange(4, dtype=np.float32)
    assert numtorch.frombuffer(n, dtype=numtorch.float32).numpy().tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("call", [
    lambda f, m, a: f(a, dtype=m.int32, count=5), lambda f, m, a: f(a, dtype=m.int32, count=0),
    lambda f, m, a: f(a, dtype=m.int32, offset=16), lambda f, m, a: f(a, dtype=m.int32, offset=-1),
    lambda f, m, a: f(a, dtype=m.int64, offset=4), lambda f, m, a: f(a),
    lambda f, m, a: f(bytearray(), dtype=m.uint8), lambda f, m, a: f([1, 2], dtype=m.uint8),
    lambda f, m, a: f(a, dtype=m.int32, requires_grad=True),
    lambda f, m, a: f(np.arange(8, dtype=np.float32)[::2], dtype=m.float32)])
def test_frombuffer_errors(call):
    same_error(lambda: call(numtorch.frombuffer, numtorch, array.array("i", [1, 2, 3, 4])),
               lambda: call(torch.frombuffer, torch, array.array("i", [1, 2, 3, 4])))


def test_frombuffer_read_only_warns_once_unless_warn_always(monkeypatch):
    monkeypatch.setattr(extras, "_warned_once", set())
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        x = numtorch.frombuffer(b"\x01\x02\x03", dtype=numtorch.uint8)
        numtorch.frombuffer(b"\x01\x02", dtype=numtorch.uint8)
        try:
            numtorch.set_warn_always(True)
            numtorch.frombuffer(b"\x01\x02", dtype=numtorch.uint8)
        finally:
            numtorch.set_warn_always(False)
    msgs = [str(w.message) for w in seen if issubclass(w.category, UserWarning)]
    assert len(msgs) == 2 and msgs[0].startswith("The given buffer is not writable")
    assert x.tolist() == [1, 2, 3]


# --- histogramdd ----------------------------------------------------------------------------

POINTS = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.5, 1.5], [3.0, -1.0]])


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("kw", [
    {"bins": 2}, {"bins": [3, 4]}, {"bins": (2, 3), "range": [0.0, 1.0, 0.0, 1.0]},
    {"bins": [3, 3], "weight": True}, {"bins": [2, 2], "density": True},
    {"bins": [2, 5], "range": [0.0, 2.0, -1.0, 2.0], "density": True, "weight": True},
    {"bins": "edges"}])
def test_histogramdd_values(dt, kw):
    ntd, td = DTYPES[dt]
    kw = dict(kw)
    nkw, tkw = dict(kw), dict(kw)
    if kw.get("weight"):
        w = np.arange(1.0, 7.0)
        nkw["weight"], tkw["weight"] = numtorch.tensor(w, dtype=ntd), torch.tensor(w, dtype=td)
    if kw["bins"] == "edges":
        e0, e1 = [-1.0, 0.5, 1.0, 2.5], [0.0, 1.0, 2.0]
        nkw["bins"] = [numtorch.tensor(e0, dtype=ntd), numtorch.tensor(e1, dtype=ntd)]
        tkw["bins"] = [torch.tensor(e0, dtype=td), torch.tensor(e1, dtype=td)]
    out = numtorch.histogramdd(numtorch.tensor(POINTS, dtype=ntd), **nkw)
    ref = torch.histogramdd(torch.tensor(POINTS, dtype=td), **tkw)
    assert type(out).__name__ == "histogramdd" and out._fields == ("hist", "bin_edges")
    assert isinstance(out.bin_edges, tuple)
    assert_same(out.hist, ref.hist)
    assert_same(list(out.bin_edges), list(ref.bin_edges))
    assert repr(out).startswith("numtorch.return_types.histogramdd(\nhist=tensor(")


def test_histogramdd_shapes():
    for arr in [np.array([[[0.0, 1.0]]]), np.empty((0, 2)), np.array([[1.0, 1.0]]),
                np.random.default_rng(0).standard_normal((20, 3)),
                np.random.default_rng(1).standard_normal((2, 5, 2))]:
        x, t = pair(arr)
        assert_same(tuple(numtorch.histogramdd(x, bins=3)), tuple(torch.histogramdd(t, bins=3)))


@pytest.mark.parametrize("call", [
    lambda f, m, x: f(x, bins=[2]), lambda f, m, x: f(x, bins=[2, -1]),
    lambda f, m, x: f(x, bins=[0, 2]), lambda f, m, x: f(x, bins=2, range=[0.0, 1.0]),
    lambda f, m, x: f(x, bins=2, range=[1.0, 0.0, 0.0, 1.0]), lambda f, m, x: f(x.long(), bins=2),
    lambda f, m, x: f(x, bins=2, weight=m.ones(6, dtype=m.float64)),
    lambda f, m, x: f(x, bins=2, weight=m.ones(3)), lambda f, m, x: f(x[:, 0], bins=2),
    lambda f, m, x: f(m.tensor([[float("nan"), 1.0]]), bins=2),
    lambda f, m, x: f(x, bins=2, range=[0.0, 1.0, 0.0, float("inf")]),
    lambda f, m, x: f(x, bins=[m.tensor([[0.0, 2]]), m.tensor([0.0, 1])]),
    lambda f, m, x: f(x, bins=[m.tensor([0.0, 2]), m.tensor([0, 1])]),
    lambda f, m, x: f(x, bins=2.5)])
def test_histogramdd_errors(call):
    same_error(lambda: call(numtorch.histogramdd, numtorch, numtorch.tensor(POINTS, dtype=numtorch.float32)),
               lambda: call(torch.histogramdd, torch, torch.tensor(POINTS, dtype=torch.float32)))


def test_histogramdd_takes_no_out_argument_as_in_torch():
    for lib in (numtorch, torch):
        with pytest.raises(TypeError):
            lib.histogramdd(lib.rand(5, 2), bins=2, out=lib.empty(0))
