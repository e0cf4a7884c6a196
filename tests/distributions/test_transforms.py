"""The transforms and the biject_to / transform_to registries against PyTorch's."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import assert_same
from tests.utils import torch

F32, F64 = np.float32, np.float64
RNG = np.random.default_rng(0)
X_VEC = RNG.standard_normal((2, 3, 6)).astype(F64)      # 6 = 4*3/2 for CorrCholesky
X_MAT = RNG.standard_normal((2, 3, 3)).astype(F64)
X_POS = np.abs(RNG.standard_normal((2, 4)).astype(F32)) + 0.1


def make(lib, which):
    T = lib.distributions.transforms
    return {
        "power": (T.PowerTransform(lib.tensor([0.5, 2.0, -1.5, 3.0])), X_POS),
        "power_scalar": (T.PowerTransform(2.5), X_POS),
        "softplus": (T.SoftplusTransform(), X_VEC),
        "abs": (T.AbsTransform(), X_VEC),
        "softmax": (T.SoftmaxTransform(), X_VEC),
        "stick": (T.StickBreakingTransform(), X_VEC),
        "lower_cholesky": (T.LowerCholeskyTransform(), X_MAT),
        "positive_definite": (T.PositiveDefiniteTransform(), X_MAT),
        "corr_cholesky": (T.CorrCholeskyTransform(), X_VEC),
        "independent": (T.IndependentTransform(T.SoftplusTransform(), 2), X_VEC),
        "reshape": (T.ReshapeTransform((6,), (2, 3)), X_VEC),
        "cat": (T.CatTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0),
                                T.SoftplusTransform()], dim=-1, lengths=[2, 3, 1]), X_VEC),
        "cat_event": (T.CatTransform([T.IndependentTransform(T.ExpTransform(), 1),
                                      T.SoftplusTransform()], dim=1, lengths=[1, 2]),
                      X_VEC),
        "stack": (T.StackTransform([T.ExpTransform(), T.SigmoidTransform(),
                                    T.TanhTransform()], dim=1), X_VEC),
        "cdf": (T.CumulativeDistributionTransform(
            lib.distributions.Normal(lib.tensor(0.5, dtype=lib.float64), 2.0)), X_VEC),
    }[which]


ALL = ["power", "power_scalar", "softplus", "abs", "softmax", "stick", "lower_cholesky",
       "positive_definite", "corr_cholesky", "independent", "reshape", "cat", "cat_event",
       "stack", "cdf"]
HAS_JACOBIAN = [w for w in ALL if w not in ("abs", "softmax", "lower_cholesky",
                                            "positive_definite")]


@pytest.mark.parametrize("which", ALL)
def test_transform_forward_inverse_and_metadata_match_torch(which):
    a, x = make(numtorch, which)
    b, _ = make(torch, which)
    ya, yb = a(numtorch.tensor(x)), b(torch.tensor(x))
    assert_same(ya, yb, rtol=1e-12 if x.dtype == F64 else 1e-6)
    tol = 1e-9 if x.dtype == F64 else 1e-6
    assert_same(a.inv(numtorch.tensor(yb.numpy())), b.inv(yb), rtol=tol, atol=tol)
    for name in ("domain", "codomain"):
        assert repr(getattr(a, name)) == repr(getattr(b, name))
        assert getattr(a, name).event_dim == getattr(b, name).event_dim
    assert a.bijective == b.bijective
    assert repr(a) == repr(b)
    assert repr(a.inv) == repr(b.inv)
    shape = torch.Size(x.shape)
    assert tuple(a.forward_shape(shape)) == tuple(b.forward_shape(shape))
    assert tuple(a.inverse_shape(yb.shape)) == tuple(b.inverse_shape(yb.shape))


@pytest.mark.parametrize("which", HAS_JACOBIAN)
def test_transform_log_abs_det_jacobian_and_its_gradient_match_torch(which):
    a, x = make(numtorch, which)
    b, _ = make(torch, which)
    xa = numtorch.tensor(x, requires_grad=True)
    xb = torch.tensor(x, requires_grad=True)
    la, lb = a.log_abs_det_jacobian(xa, a(xa)), b.log_abs_det_jacobian(xb, b(xb))
    assert_same(la, lb, rtol=1e-9 if x.dtype == F64 else 1e-5, atol=1e-6)
    if not lb.requires_grad:  # a constant (ReshapeTransform's zeros)
        assert not la.requires_grad
        return
    w = RNG.standard_normal(tuple(lb.shape)).astype(x.dtype)
    (la * numtorch.tensor(w)).sum().backward()
    (lb * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_transform_equality_and_cache():
    T = numtorch.distributions.transforms
    assert T.PowerTransform(2.0) == T.PowerTransform(numtorch.tensor(2.0))
    assert T.PowerTransform(2.0) != T.PowerTransform(3.0)
    assert T.SoftmaxTransform() == T.SoftmaxTransform()
    assert T.StickBreakingTransform() != T.SoftmaxTransform()
    t = T.IndependentTransform(T.ExpTransform(), 1, cache_size=1)
    x = numtorch.randn(2, 3)
    y = t(x)
    assert t.inv(y) is x
    c = T.CatTransform([T.ExpTransform()], cache_size=1)
    assert c.transforms[0]._cache_size == 1
    assert T.PowerTransform(2.0).with_cache(1)._cache_size == 1


def test_transform_errors_match_torch():
    T, TT = numtorch.distributions.transforms, torch.distributions.transforms
    for lib, M in ((numtorch, T), (torch, TT)):
        with pytest.raises(ValueError, match="different numbers of elements"):
            M.ReshapeTransform((3,), (2, 2))
        with pytest.raises(ValueError, match="Input is not a flattened lower-diagonal"):
            M.CorrCholeskyTransform().forward_shape((2, 5))
        with pytest.raises(ValueError, match="Input is not square"):
            M.CorrCholeskyTransform().inverse_shape((2, 3))
        with pytest.raises(AssertionError, match="must equal length 2"):
            M.CatTransform([M.ExpTransform(), M.ExpTransform()])(lib.zeros(3))
        with pytest.raises(AssertionError, match=r"must equal len\(transforms\) 2"):
            M.StackTransform([M.ExpTransform(), M.ExpTransform()])(lib.zeros(3))
    a = pytest.raises(ValueError, T.ReshapeTransform((4,), (2, 2)).forward_shape, (2, 3))
    b = pytest.raises(ValueError, TT.ReshapeTransform((4,), (2, 2)).forward_shape, (2, 3))
    assert str(a.value) == str(b.value).replace("torch", "numtorch")


def _constraints(lib):
    C = lib.distributions.constraints
    return {
        "real": C.real, "real_vector": C.real_vector, "positive": C.positive,
        "nonnegative": C.nonnegative, "greater_than": C.greater_than(-2.0),
        "greater_than_eq": C.greater_than_eq(1.5), "less_than": C.less_than(3.0),
        "unit_interval": C.unit_interval, "interval": C.interval(-1.0, 4.0),
        "half_open_interval": C.half_open_interval(0.0, 2.0), "simplex": C.simplex,
        "lower_cholesky": C.lower_cholesky, "positive_definite": C.positive_definite,
        "positive_semidefinite": C.positive_semidefinite, "corr_cholesky": C.corr_cholesky,
        "independent": C.independent(C.positive, 1),
        "cat": C.cat([C.positive, C.real, C.interval(0.0, 1.0)], dim=-1, lengths=[2, 3, 1]),
        "stack": C.stack([C.positive, C.unit_interval, C.real], dim=1),
    }


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", [
    "real", "real_vector", "positive", "nonnegative", "greater_than", "greater_than_eq",
    "less_than", "unit_interval", "interval", "half_open_interval", "simplex",
    "lower_cholesky", "positive_definite", "positive_semidefinite", "corr_cholesky",
    "independent", "cat", "stack"])
def test_registries_give_torchs_transform(registry, name):
    ca, cb = _constraints(numtorch)[name], _constraints(torch)[name]
    ra = getattr(numtorch.distributions, registry)
    rb = getattr(torch.distributions, registry)
    try:
        tb = rb(cb)
    except NotImplementedError as e:
        with pytest.raises(NotImplementedError) as err:
            ra(ca)
        assert str(err.value) == str(e)
        return
    ta = ra(ca)
    assert repr(ta) == repr(tb)
    x = X_MAT if ca.event_dim == 2 else X_VEC
    ya, yb = ta(numtorch.tensor(x)), tb(torch.tensor(x))
    assert_same(ya, yb, rtol=1e-12)
    assert bool(ca.check(ya).all())


def test_registry_register_and_errors():
    C = numtorch.distributions.constraints
    reg = numtorch.distributions.constraint_registry.ConstraintRegistry()
    with pytest.raises(NotImplementedError, match="Cannot transform _Real constraints"):
        reg(C.real)
    reg.register(C.real, lambda c: "made")
    assert reg(C.real) == "made"
    with pytest.raises(TypeError, match="Expected constraint to be either"):
        reg.register(int, lambda c: None)


@pytest.mark.parametrize("kind", ["cat", "stack"])
def test_cat_and_stack_size_and_dim_errors_match_torch(kind):
    def calls(lib):
        T = lib.distributions.transforms
        parts = [T.ExpTransform(), T.ExpTransform()]
        t = T.CatTransform(parts) if kind == "cat" else T.StackTransform(parts)
        bad_size, bad_dim = lib.zeros(3), lib.zeros(())
        return [lambda: t(bad_size), lambda: t.inv(bad_size),
                lambda: t.log_abs_det_jacobian(bad_size, lib.zeros(2)),
                lambda: t.log_abs_det_jacobian(lib.zeros(2), bad_size),
                lambda: t(bad_dim), lambda: t.log_abs_det_jacobian(bad_dim, bad_dim)]

    for a, b in zip(calls(numtorch), calls(torch)):
        with pytest.raises(AssertionError) as eb:
            b()
        with pytest.raises(AssertionError) as ea:
            a()
        assert str(ea.value) == str(eb.value)
