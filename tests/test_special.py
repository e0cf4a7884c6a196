"""numtorch.special against torch.special: values, gradients, gradchecks and errors."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import check_op, torch

NS, TS = numtorch.special, torch.special

X = np.array([-1.5, -1.0, 0.0, 0.3, 0.5, 2.0, 7.5], np.float64)
P = np.array([0.01, 0.3, 0.5, 0.77, 0.99], np.float64)
POS = np.array([0.2, 1.0, 2.5, 9.0], np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, data", [
    ("entr", POS), ("expit", X), ("gammaln", POS), ("psi", POS), ("digamma", POS),
    ("erf", X), ("erfc", X), ("erfinv", P * 2 - 1), ("expm1", X), ("exp2", X), ("log1p", POS),
    ("logit", P), ("sinc", X), ("ndtr", X), ("ndtri", P),
])
def test_unary_functions_match_torch(name, data, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-10
    check_op(getattr(NS, name), getattr(TS, name), data.astype(dtype), rtol=tol, atol=tol)


def test_entr_at_zero_and_below_and_its_gradient():
    x = np.array([-1.0, 0.0, 0.5], np.float64)
    ours, ref = NS.entr(numtorch.tensor(x)), TS.entr(torch.tensor(x))
    assert ours.tolist() == ref.tolist()
    a, b = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    NS.entr(a).sum().backward()
    TS.entr(b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), equal_nan=True)
    assert NS.entr(a).grad_fn.name() == "SpecialEntrBackward0"
    assert str(NS.entr(numtorch.tensor([1, 2])).dtype) == \
        str(TS.entr(torch.tensor([1, 2])).dtype).replace("torch", "numtorch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xlog1py_matches_torch(dtype):
    x = np.array([0.0, 0.0, 1.5, -2.0, 3.0], dtype)
    y = np.array([np.nan, 2.0, 0.5, 1.0, -0.5], dtype)
    check_op(NS.xlog1py, TS.xlog1py, x, y, rtol=1e-6, atol=1e-6)
    check_op(NS.xlog1py, TS.xlog1py, x[:, None], y, rtol=1e-6, atol=1e-6)  # broadcasting
    assert NS.xlog1py(numtorch.tensor(x, requires_grad=True),
                      numtorch.tensor(y)).grad_fn.name() == "SpecialXlog1pyBackward0"


@pytest.mark.parametrize("p", [1, 2, 3])
def test_multigammaln_matches_torch(p):
    a = np.array([1.6, 2.5, 7.0], np.float64)
    check_op(lambda t: NS.multigammaln(t, p), lambda t: TS.multigammaln(t, p), a,
             rtol=1e-10, atol=1e-10)
    # PyTorch does not check the domain (values at or below (p - 1) / 2 give inf or nan),
    # and takes integer input as the default float dtype.
    for lib, special in ((numtorch, NS), (torch, TS)):
        assert special.multigammaln(lib.tensor([0.0, 1.0]), 3).tolist() == \
            TS.multigammaln(torch.tensor([0.0, 1.0]), 3).tolist()
        assert special.multigammaln(lib.tensor([2, 3]), p).tolist() == pytest.approx(
            TS.multigammaln(torch.tensor([2, 3]), p).tolist())


@pytest.mark.parametrize("call", ["multigammaln(lib.tensor([2.0]), 0)"])
def test_multigammaln_errors_match_torch(call):
    errors = []
    for lib, special in ((numtorch, NS), (torch, TS)):
        with pytest.raises(RuntimeError) as e:
            eval(f"special.{call}", {"lib": lib, "special": special})
        errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_gradchecks():
    x = numtorch.tensor([0.3, 0.7, 1.4], dtype=numtorch.float64, requires_grad=True)
    y = numtorch.tensor([0.5, 1.5, 2.0], dtype=numtorch.float64, requires_grad=True)
    for fn in (NS.entr, NS.ndtr, lambda t: NS.ndtri(t / 2), lambda t: NS.multigammaln(t + 1, 2),
               NS.expit):
        assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradcheck(NS.xlog1py, (x, y))


def test_a_missing_special_function_is_named():
    with pytest.raises(AttributeError, match=r"torch\.special\.no_such_function is not "
                                             r"implemented"):
        NS.no_such_function  # noqa: B018


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
@pytest.mark.parametrize("other", ["tensor", 2.0, -1.0, -3.0])
def test_gradient_with_respect_to_x_at_zero_as_torch(name, other):
    # d/dx x log(y) is log(y) even at x == 0; PyTorch zeroes it only where y is outside
    # the log's domain (y <= 0; y <= -1 for log1p).
    grads = []
    for lib, special in ((numtorch, NS), (torch, TS)):
        x = lib.tensor([0.0, 0.0, 0.0, 1.5], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([2.0, 0.0, -1.0, -3.0], dtype=lib.float64) if other == "tensor" \
            else other
        getattr(special, name)(x, y).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-14, atol=0)


def test_entr_float16_rounds_as_torch():
    # PyTorch's entr rounds each float16 step (unlike most of its float16 kernels).
    x = [0.0, 0.3, 1.7, -1.0, 0.05]
    assert NS.entr(numtorch.tensor(x, dtype=numtorch.float16)).tolist() == \
        TS.entr(torch.tensor(x, dtype=torch.float16)).tolist()


# --------------------------------------------------------------------------- zeta


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-7), (np.float64, 1e-15)])
def test_zeta_matches_torch(dtype, rtol):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(1, 10, 300), rng.integers(1, 8, 100), [1, 0.5, 2, 2, 2, 3,
                                                                         np.inf, 2, np.nan]])
    q = np.concatenate([rng.uniform(-20, 50, 300), rng.uniform(-20, 5, 100), [1, 1, 0, -3,
                                                                             -1.5, 1e-3, 1, 1e8,
                                                                             1]])
    ours = NS.zeta(numtorch.tensor(x.astype(dtype)), numtorch.tensor(q.astype(dtype))).numpy()
    theirs = torch.special.zeta(torch.tensor(x.astype(dtype)),
                                torch.tensor(q.astype(dtype))).numpy()
    assert ours.dtype == dtype
    # inf at x = 1 and at integers q <= 0, NaN below x = 1 and for q < 0 with x fractional
    assert np.array_equal(np.isinf(ours), np.isinf(theirs))
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


def test_zeta_numbers_dtypes_gradients_and_errors():
    q = numtorch.tensor([1.5, 2.0], requires_grad=True)
    qt = torch.tensor([1.5, 2.0], requires_grad=True)
    y, yt = NS.zeta(numtorch.tensor([2.0, 3.0]), q), torch.special.zeta(
        torch.tensor([2.0, 3.0]), qt)
    assert type(y.grad_fn).__name__ == type(yt.grad_fn).__name__ == "SpecialZetaBackward0"
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(q.grad.numpy(), qt.grad.numpy(), rtol=1e-6)
    assert type(NS.zeta(2.0, q).grad_fn).__name__ == "SpecialZetaBackward1"
    x = numtorch.tensor([2.0], requires_grad=True)
    y = NS.zeta(x, 1.0)
    assert type(y.grad_fn).__name__ == "SpecialZetaBackward2"
    with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented"):
        y.backward()
    q64 = numtorch.tensor([1.5, 3.0], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: NS.zeta(numtorch.tensor([2.5, 4.0],
                                                                         dtype=numtorch.float64),
                                                         t), (q64,))
    assert NS.zeta(numtorch.tensor([2]), numtorch.tensor([1])).dtype is numtorch.float32
    assert NS.zeta(numtorch.tensor([2.0], dtype=numtorch.float64),
                   numtorch.tensor([1.0])).dtype is numtorch.float64
    np.testing.assert_allclose(NS.zeta(numtorch.tensor([2.0]), 1).numpy(), [np.pi ** 2 / 6],
                               rtol=1e-7)
    with pytest.raises(NotImplementedError, match="\"zeta_cpu\" not implemented for 'Half'"):
        NS.zeta(numtorch.tensor([2.0], dtype=numtorch.float16),
                numtorch.tensor([1.0], dtype=numtorch.float16))
    out = numtorch.empty(1)
    assert NS.zeta(numtorch.tensor([2.0]), numtorch.tensor([1.0]), out=out) is out


# --------------------------------------------------------------------------- airy_ai


def _airy_scale(x):
    """|Ai| for x >= 0; the envelope |x|^(-1/4) / sqrt(pi) of its oscillation for x < 0."""
    return np.where(x < 0, np.abs(np.where(x < 0, x, 1)) ** -0.25 / np.sqrt(np.pi), 1.0)


def test_airy_ai_matches_torch_and_mpmath():
    mpmath = pytest.importorskip("mpmath")
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-30, 10, 400), rng.uniform(-1000, -30, 50),
                        rng.uniform(10, 103, 50), [-8.7, -8.69, 0, 2.09, 2.1, 103.8]])
    ours = NS.airy_ai(numtorch.tensor(x)).numpy()
    with mpmath.workdps(30):
        exact = np.array([float(mpmath.airyai(mpmath.mpf(float(v)))) for v in x])
    scale = np.where(x < 0, _airy_scale(x), np.abs(exact))
    assert np.max(np.abs(ours - exact) / scale) < 1e-11
    theirs = torch.special.airy_ai(torch.tensor(x)).numpy()
    # PyTorch's kernel is off by up to ~2e-5 (relative) just left of -2.09, falling to
    # ~4e-10 at -4; elsewhere the two agree to float64 rounding.
    rough = (x > -5) & (x < -2.09)
    assert np.max((np.abs(ours - theirs) / scale)[~rough]) < 1e-11
    assert np.max((np.abs(ours - theirs) / scale)[rough]) < 1e-4


def test_airy_ai_edges_dtypes_and_errors():
    x = [-np.inf, np.inf, np.nan, 103.9, 200.0, 0.0]
    ours = NS.airy_ai(numtorch.tensor(x, dtype=numtorch.float64)).numpy()
    theirs = torch.special.airy_ai(torch.tensor(x, dtype=torch.float64)).numpy()
    assert np.array_equal(ours, theirs, equal_nan=True)  # inf -> nan, past 103.892 -> 0
    f = np.linspace(-20, 20, 81).astype(np.float32)
    np.testing.assert_allclose(NS.airy_ai(numtorch.tensor(f)).numpy(),
                               torch.special.airy_ai(torch.tensor(f)).numpy(),
                               rtol=1e-4, atol=1e-5 * _airy_scale(f).max())
    assert NS.airy_ai(numtorch.tensor([1, 2])).dtype is numtorch.float32
    assert not NS.airy_ai(numtorch.tensor([1.0], requires_grad=True)).requires_grad
    with pytest.raises(NotImplementedError, match="\"airy_ai_cpu\" not implemented for "
                                                  "'Half'"):
        NS.airy_ai(numtorch.tensor([1.0], dtype=numtorch.float16))


@pytest.mark.parametrize("name", ["i0", "special.i1", "special.modified_bessel_i0",
                                  "special.modified_bessel_i1"])
def test_modified_bessel_i_at_infinity_is_nan_as_in_torch(name):
    x = [float("inf"), -float("inf"), 800.0, -800.0, 1.5]
    fn_nt, fn_t = numtorch, torch
    for part in name.split("."):
        fn_nt, fn_t = getattr(fn_nt, part), getattr(fn_t, part)
    np.testing.assert_array_equal(np.isnan(fn_nt(numtorch.tensor(x)).numpy()),
                                  np.isnan(fn_t(torch.tensor(x)).numpy()))
    np.testing.assert_allclose(fn_nt(numtorch.tensor(x)).numpy(), fn_t(torch.tensor(x)).numpy(),
                               rtol=1e-5)


def test_mvlgamma_refuses_a_bool_tensor():
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match="may not be a boolean tensor"):
            lib.mvlgamma(lib.tensor([True]), p=1)
    assert torch.equal(torch.mvlgamma(torch.tensor([1, 2]), p=1),
                       torch.from_numpy(numtorch.mvlgamma(numtorch.tensor([1, 2]), p=1).numpy()))
