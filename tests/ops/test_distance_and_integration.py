"""cdist, pdist, renorm (numtorch/ops/linalg.py) and trapezoid, trapz, cumulative_trapezoid,
histogram (numtorch/ops/reduce.py): values, dtypes, gradients and errors against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, check_op, noncontig, pair, torch

INF = math.inf
rng = np.random.default_rng(0)


def _r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _same_error(case, nt_args, torch_args):
    """``case(*nt_args)`` raises what ``case(*torch_args)`` raises (type and first line)."""
    with pytest.raises(Exception) as ref:
        case(*torch_args)
    msg = str(ref.value).replace("torch.", "numtorch.").split("\n")[0]
    with pytest.raises(type(ref.value)) as ours:
        case(*nt_args)
    assert str(ours.value).split("\n")[0] == msg


def _gradcheck(fn, *arrays):
    inputs = [numtorch.tensor(a.astype(np.float64), requires_grad=True) for a in arrays]
    assert numtorch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


# --- cdist ---------------------------------------------------------------------------------

P_VALUES = [0, 0.5, 1, 1.5, 2, 3, INF]


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("shapes", [((3, 4), (5, 4)), ((2, 3, 4), (1, 5, 4)),
                                    ((2, 1, 3, 2), (3, 4, 2)), ((30, 3), (4, 3))])
def test_cdist_matches_torch(p, shapes):
    out = check_op(numtorch.cdist, torch.cdist, _r(*shapes[0]), _r(*shapes[1]), p=p,
                   rtol=1e-4, atol=1e-5)
    ref_name = type(torch.cdist(torch.ones(shapes[0]).requires_grad_(), torch.ones(shapes[1]),
                                p=p).grad_fn).__name__
    assert type(out.grad_fn).__name__ == ref_name


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
                                  "use_mm_for_euclid_dist_if_necessary"])
def test_cdist_compute_modes(mode):
    for shapes in [((3, 4), (5, 4)), ((30, 4), (5, 4)), ((2, 30, 4), (2, 5, 4))]:
        out = check_op(numtorch.cdist, torch.cdist, _r(*shapes[0]), _r(*shapes[1]),
                       compute_mode=mode, rtol=1e-4, atol=1e-4)
        ref = torch.cdist(torch.ones(shapes[0]).requires_grad_(), torch.ones(shapes[1]),
                          compute_mode=mode)
        assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__


@pytest.mark.parametrize("p", P_VALUES)
def test_cdist_gradient_at_zero_distance_and_ties(p):
    x = np.array([[0., 1.], [2., 3.], [0., 0.]], np.float32)
    y = np.array([[0., 1.], [0., 2.], [1., -1.]], np.float32)
    check_op(numtorch.cdist, torch.cdist, x, y, p=p)
    check_op(numtorch.cdist, torch.cdist, x, x, p=p, compute_mode="use_mm_for_euclid_dist")


def test_cdist_float64_half_noncontiguous_and_empty():
    check_op(numtorch.cdist, torch.cdist, _r(3, 4, dtype=np.float64), _r(5, 4, dtype=np.float64))
    check_op(numtorch.cdist, torch.cdist, noncontig(_r(3, 4)), noncontig(_r(5, 4)), p=1)
    a, ta = pair(_r(30, 3).astype(np.float16))
    b, tb = pair(_r(4, 3).astype(np.float16))
    assert_same(numtorch.cdist(a, b), torch.cdist(ta, tb), rtol=1e-2, atol=1e-2)
    for s1, s2 in [((0, 4), (5, 4)), ((3, 0), (5, 0)), ((0, 3, 4), (0, 5, 4)), ((3, 4), (0, 4))]:
        out = check_op(numtorch.cdist, torch.cdist, _r(*s1), _r(*s2))
        assert out.grad_fn is not None
    check_op(numtorch.cdist, torch.cdist, _r(3, 0), _r(5, 0), p=INF)


def test_cdist_double_backward_raises_like_torch():
    x, y = numtorch.randn(3, 2, requires_grad=True), numtorch.randn(4, 2)
    g, = numtorch.autograd.grad(numtorch.cdist(x, y, p=1).sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "CdistBackwardBackward0"
    with pytest.raises(NotImplementedError, match="the derivative for '_cdist_backward' is not"):
        g.sum().backward()


@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
def test_cdist_gradcheck(p):
    _gradcheck(lambda a, b: numtorch.cdist(a, b, p=p), _r(3, 2), _r(4, 2))
    _gradcheck(lambda a, b: numtorch.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
               _r(2, 3, 2), _r(4, 2))


def test_cdist_errors():
    a, ta = pair(_r(3, 4))
    b, tb = pair(_r(5, 4))
    cases = [
        lambda m, x, y: m.cdist(x, y, compute_mode="foo"),
        lambda m, x, y: m.cdist(x[0], y),
        lambda m, x, y: m.cdist(x, y[0]),
        lambda m, x, y: m.cdist(x, y[:, :3]),
        lambda m, x, y: m.cdist(x, y, p=-1),
        lambda m, x, y: m.cdist(x.long(), y.long()),
        lambda m, x, y: m.cdist(x, y.long()),
        lambda m, x, y: m.cdist(x.double(), y),
        lambda m, x, y: m.cdist(x.double(), y, compute_mode="use_mm_for_euclid_dist"),
        lambda m, x, y: m.cdist(x.half(), y.half()),
        lambda m, x, y: m.cdist(x, y, p="x"),
        lambda m, x, y: m.cdist(x, 3),
        lambda m, x, y: m.cdist(3, y),
        lambda m, x, y: m.cdist(x.reshape(1, 3, 4).expand(2, 3, 4), y.reshape(1, 5, 4).expand(
            3, 5, 4)),
        lambda m, x, y: m.cdist(x[:0].long(), y),
        lambda m, x, y: m.cdist(x[:0], y, p=-1),
    ]
    for case in cases:
        _same_error(case, (numtorch, a, b), (torch, ta, tb))


# --- pdist ---------------------------------------------------------------------------------


@pytest.mark.parametrize("p", P_VALUES)
def test_pdist_matches_torch(p):
    out = check_op(numtorch.pdist, torch.pdist, _r(5, 3), p, rtol=1e-4, atol=1e-5)
    assert type(out.grad_fn).__name__ == "PdistBackward0"
    x = np.array([[0., 1.], [0., 1.], [1., 2.], [1., 0.]], np.float32)  # zero distance, ties
    check_op(numtorch.pdist, torch.pdist, x, p)
    check_op(numtorch.pdist, torch.pdist, noncontig(_r(4, 3, dtype=np.float64)), p)


def test_pdist_empty_and_double_backward():
    for shape in [(1, 3), (3, 0)]:
        check_op(numtorch.pdist, torch.pdist, _r(*shape))
    # (torch's backward of pdist on a (0, M) input crashes the process: forward only there)
    check_op(numtorch.pdist, torch.pdist, _r(0, 3), grad=False)
    empty = numtorch.zeros(0, 3, requires_grad=True)
    numtorch.pdist(empty).sum().backward()
    assert tuple(empty.grad.shape) == (0, 3)
    x = numtorch.randn(4, 2, requires_grad=True)
    g, = numtorch.autograd.grad(numtorch.pdist(x).sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "PdistBackwardBackward0"
    with pytest.raises(NotImplementedError, match="the derivative for '_pdist_backward'"):
        g.sum().backward()


@pytest.mark.parametrize("p", [1, 2, 3, 0.7])
def test_pdist_gradcheck(p):
    _gradcheck(lambda a: numtorch.pdist(a, p), _r(4, 3))


def test_pdist_errors():
    a, ta = pair(_r(4, 3))
    cases = [lambda m, x: m.pdist(x[0]), lambda m, x: m.pdist(x.reshape(2, 2, 3)),
             lambda m, x: m.pdist(x.long()), lambda m, x: m.pdist(x.half()),
             lambda m, x: m.pdist(x, -1), lambda m, x: m.pdist(x, "x"),
             lambda m, x: m.pdist(x.long(), -1), lambda m, x: m.pdist([1.0])]
    for case in cases:
        _same_error(case, (numtorch, a), (torch, ta))


# --- renorm --------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, INF])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_renorm_matches_torch(p, dim):
    out = check_op(numtorch.renorm, torch.renorm, _r(3, 4, 5), p, dim, 1.0, rtol=1e-4)
    assert type(out.grad_fn).__name__ == "RenormBackward0"
    check_op(numtorch.renorm, torch.renorm, noncontig(_r(3, 4, dtype=np.float64)), p, dim, 0.5)
    check_op(lambda x, *a: x.renorm(*a), lambda x, *a: x.renorm(*a), _r(3, 4), p, dim, 10)


def test_renorm_inplace_empty_half_and_out():
    x, tx = pair(_r(4, 3))
    assert x.renorm_(2, 0, 1.0) is x
    tx.renorm_(2, 0, 1.0)
    assert_same(x, tx)
    check_op(numtorch.renorm, torch.renorm, _r(0, 3), 2, 0, 1.0)
    check_op(numtorch.renorm, torch.renorm, _r(0, 3), 2, 1, 1.0)
    h, th = pair(_r(3, 4).astype(np.float16))
    assert_same(numtorch.renorm(h, 2, 0, 1.0), torch.renorm(th, 2, 0, 1.0), rtol=1e-3, atol=1e-3)
    o, to = numtorch.empty(0), torch.empty(0)
    y, ty = pair(_r(3, 4))
    assert numtorch.renorm(y, 2, 1, 1.0, out=o) is o
    assert_same(o, torch.renorm(ty, 2, 1, 1.0, out=to))
    leaf = numtorch.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.renorm_(2, 0, 1.0)


def test_renorm_gradcheck_and_double_backward():
    _gradcheck(lambda a: numtorch.renorm(a, 2, 0, 1.0), _r(3, 4) * 2)
    _gradcheck(lambda a: numtorch.renorm(a, 3, 1, 0.5), _r(3, 4) * 2)
    assert numtorch.autograd.gradgradcheck(lambda a: numtorch.renorm(a, 2, 0, 1.0),
                                           [numtorch.tensor(_r(3, 4) * 2, dtype=numtorch.float64,
                                                            requires_grad=True)])


def test_renorm_errors():
    a, ta = pair(_r(3, 4))
    cases = [lambda m, x: m.renorm(x, 2, 3, 1.0), lambda m, x: m.renorm(x, -1, 1, 1.0),
             lambda m, x: m.renorm(x, 0, 1, 1.0), lambda m, x: m.renorm(x, 2, 1, -1.0),
             lambda m, x: m.renorm(x.long(), 2, 1, 1.0), lambda m, x: m.renorm(x.bool(), 2, 1, 1),
             lambda m, x: m.renorm(x[0, 0], 2, 0, 1.0), lambda m, x: m.renorm(x[0], 2, 0, 1.0),
             lambda m, x: m.renorm(x, 2, 1.5, 1.0), lambda m, x: m.renorm(x, "a", 1, 1.0),
             lambda m, x: m.renorm(x, 2, 1, "a"), lambda m, x: m.renorm(x[0], 1, 3, -1.0),
             lambda m, x: m.renorm(x.requires_grad_(), 2, 1, 1.0, out=m.empty(0)),
             lambda m, x: m.renorm(x.detach(), 2, 1, 1.0, out=m.empty(0, dtype=m.long)),
             lambda m, x: m.renorm([1.0], 0.5, 0, 1.0)]
    for case in cases:
        _same_error(case, (numtorch, a), (torch, ta))


# --- trapezoid, trapz, cumulative_trapezoid ------------------------------------------------

INTEGRATORS = [(numtorch.trapezoid, torch.trapezoid),
               (numtorch.cumulative_trapezoid, torch.cumulative_trapezoid),
               (numtorch.trapz, torch.trapz)]


def _grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


@pytest.mark.parametrize("fns", INTEGRATORS, ids=lambda f: getattr(f, "__name__", "pair"))
def test_integration_with_spacing_matches_torch(fns):
    nt_fn, t_fn = fns
    for y, kw in [(_r(3, 4), {}), (_r(3, 4), {"dx": 2.5}), (_r(3, 4), {"dx": 2, "dim": 0}),
                  (noncontig(_r(2, 5, dtype=np.float64)), {"dim": 1}), (_r(3, 1), {}),
                  (_r(3, 0), {}), (_r(3, 0), {"dim": 0}), (_r(4), {"dx": -1})]:
        out = check_op(lambda a, kw=kw: nt_fn(a, **kw), lambda a, kw=kw: t_fn(a, **kw), y)
        ref = t_fn(torch.ones(y.shape, requires_grad=True), **kw)
        assert _grad_fn_name(out) == _grad_fn_name(ref)
    for dt in (np.int64, np.int32, np.float16):
        y = (np.arange(6).reshape(2, 3)).astype(dt)
        check_op(lambda a: nt_fn(a, dx=2), lambda a: t_fn(a, dx=2), y)
        check_op(nt_fn, t_fn, y)
    check_op(nt_fn, t_fn, np.zeros((2, 0), np.int64))


@pytest.mark.parametrize("fns", INTEGRATORS, ids=lambda f: getattr(f, "__name__", "pair"))
def test_integration_with_sample_points_matches_torch(fns):
    nt_fn, t_fn = fns
    cases = [((3, 4), (3, 4), -1), ((3, 4), (4,), -1), ((3, 4), (3,), 0), ((3, 4), (1, 4), -1),
             ((2, 3, 4), (3, 4), 1), ((3, 0), (0,), -1)]
    for ys, xs, dim in cases:
        out = check_op(nt_fn, t_fn, _r(*ys), np.sort(_r(*xs), axis=-1), dim=dim)
        ref = t_fn(torch.ones(ys, requires_grad=True), torch.ones(xs), dim=dim)
        assert _grad_fn_name(out) == _grad_fn_name(ref)
    ints = np.arange(6).reshape(2, 3)
    check_op(nt_fn, t_fn, ints, np.arange(3))
    check_op(nt_fn, t_fn, ints, np.arange(3.0))
    check_op(nt_fn, t_fn, _r(2, 3), np.arange(3.0))  # float32 y, float64 x: float64
    check_op(nt_fn, t_fn, ints.astype(np.float16), np.arange(3))


def test_integration_gradcheck():
    for fn in (numtorch.trapezoid, numtorch.cumulative_trapezoid, numtorch.trapz):
        _gradcheck(lambda y, x, fn=fn: fn(y, x), _r(3, 4), _r(4))
        _gradcheck(lambda y, fn=fn: fn(y, dx=0.5, dim=0), _r(3, 4))


def test_integration_errors():
    y, ty = pair(_r(2, 3))
    x, tx = pair(_r(2, 3))
    for name in ("trapezoid", "cumulative_trapezoid", "trapz"):
        cases = [lambda f, y, x: f(y, x[0, :2]), lambda f, y, x: f(y, x.reshape(1, 2, 3)),
                 lambda f, y, x: f(y, x, dx=2), lambda f, y, x: f(y, 2),
                 lambda f, y, x: f(y, dx="a"), lambda f, y, x: f(y, dim=1.0),
                 lambda f, y, x: f([1, 2]), lambda f, y, x: f(y, [1, 2, 3]),
                 lambda f, y, x: f(y, dim=2), lambda f, y, x: f(y, x, dim=-3),
                 lambda f, y, x: f(y[0, 0]), lambda f, y, x: f(y[0, 0], dim=3),
                 lambda f, y, x: f(y[0, 0], x[0, 0]), lambda f, y, x: f(y[0, 0], x[0]),
                 lambda f, y, x: f(y[0, 0], x[0, 0], dim=5),
                 lambda f, y, x: f(y.bool()), lambda f, y, x: f(y, x.bool()),
                 lambda f, y, x: f(y, x[0, 0]), lambda f, y, x: f(y, x[:, :1])]
        if name != "trapz":
            cases += [lambda f, y, x: f(y, dx=True), lambda f, y, x: f(y, dx=1 + 2j),
                      lambda f, y, x: f(y, dx=x)]
        for case in cases:
            _same_error(case, (getattr(numtorch, name), y, x), (getattr(torch, name), ty, tx))
    assert_same(numtorch.trapz(y, dx=True), torch.trapz(ty, dx=True))
    assert_same(numtorch.trapezoid(y[:, :0].bool()), torch.trapezoid(ty[:, :0].bool()))


# --- histogram -----------------------------------------------------------------------------


def _hist_pair(x, *args, **kwargs):
    a, ta = pair(x) if isinstance(x, np.ndarray) else (x, x)
    conv = {k: (pair(v)[0], pair(v)[1]) if isinstance(v, np.ndarray) else (v, v)
            for k, v in kwargs.items()}
    args_nt = [pair(v)[0] if isinstance(v, np.ndarray) else v for v in args]
    args_t = [pair(v)[1] if isinstance(v, np.ndarray) else v for v in args]
    ours = numtorch.histogram(a, *args_nt, **{k: v[0] for k, v in conv.items()})
    ref = torch.histogram(ta, *args_t, **{k: v[1] for k, v in conv.items()})
    assert type(ours).__name__ == type(ref).__name__ == "histogram"
    assert_same(ours.hist, ref.hist)
    assert_same(ours.bin_edges, ref.bin_edges, rtol=1e-6, atol=1e-7)  # (last bit: linspace)
    return ours


def test_histogram_matches_torch():
    x = np.array([1., 2, 1, 2.5, 4, -1], np.float32)
    _hist_pair(x, 4)
    _hist_pair(x)
    _hist_pair(x, 4, range=(0.0, 3.0))
    _hist_pair(x, 4, range=[0, 3])
    _hist_pair(x, 4, range=(1, 1))
    _hist_pair(x, 4, density=True)
    _hist_pair(x, 4, weight=np.arange(6, dtype=np.float32))
    _hist_pair(x, 4, weight=np.arange(6, dtype=np.float32), density=True)
    _hist_pair(x, 4, weight=np.arange(6, dtype=np.float32).reshape(2, 3))
    _hist_pair(x.reshape(2, 3).astype(np.float64), 5)
    _hist_pair(noncontig(_r(7, 3)), 6)
    _hist_pair(_r(1000), 13)
    _hist_pair(np.array(2.0, np.float32), 4)
    _hist_pair(np.zeros(0, np.float32), 4)
    _hist_pair(np.zeros(0, np.float32), 4, density=True)
    _hist_pair(np.array([3.0, 3.0], np.float32), 4)
    _hist_pair(np.array([3.0, np.nan], np.float32), 4, range=(0, 4))
    _hist_pair(np.array([3.0, np.inf, 0.0], np.float32), 4, range=(0, 4))
    _hist_pair(np.array([1e8 + 1, 1e8 + 3], np.float32), 2)
    _hist_pair(x, np.array([0., 1, 2, 5], np.float32))
    _hist_pair(x, np.array([0., 1, 2, 5], np.float32), density=True)
    _hist_pair(x, np.array([0., 1, 2], np.float32), weight=np.ones(6, np.float32), density=True)
    _hist_pair(np.array([0., 1, 1], np.float32), np.array([0., 0, 1], np.float32))
    _hist_pair(np.array([0., 1, 1], np.float32), np.array([0., 1, np.nan], np.float32))


def test_histogram_method_out_and_grad_fn():
    x, tx = pair(_r(10))
    assert_same(x.histogram(3).hist, tx.histogram(3).hist)
    o = (numtorch.empty(0), numtorch.empty(0))
    r = numtorch.histogram(x, 3, out=o)
    ref = torch.histogram(tx, 3, out=(torch.empty(0), torch.empty(0)))
    assert r.hist is o[0] and r.bin_edges is o[1]
    assert type(r).__name__ == type(ref).__name__ == "histogram_out"
    assert_same(r.hist, ref.hist)
    assert repr(r).startswith("numtorch.return_types.histogram_out(")
    x.requires_grad_(True)
    h = numtorch.histogram(x, 4)
    assert type(h.hist.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::histogram is not implemented"):
        h.hist.sum().backward()


def test_histogram_errors():
    x, tx = pair(np.array([1., 2, 1, 2.5, 4, -1], np.float32))
    cases = [
        lambda m, x: m.histogram(x, 4, range=(3, 0)),
        lambda m, x: m.histogram(x, 4, range=(0, math.inf)),
        lambda m, x: m.histogram(x, 4, range=(0, math.nan)),
        lambda m, x: m.histogram(x, 4, range=(0,)),
        lambda m, x: m.histogram(x, 4, range=(0, 1, 2)),
        lambda m, x: m.histogram(x, 4, range="a"),
        lambda m, x: m.histogram(x, 4, weight=m.arange(6)),
        lambda m, x: m.histogram(x, 4, weight=m.arange(6.0).double()),
        lambda m, x: m.histogram(x, 4, weight=m.arange(5.0)),
        lambda m, x: m.histogram(x, 4, weight=m.tensor(1.0)),
        lambda m, x: m.histogram(x, m.tensor([0.0, 1, 2]), range=(0, 1)),
        lambda m, x: m.histogram(x, m.tensor([])),
        lambda m, x: m.histogram(x, m.tensor([0.0])),
        lambda m, x: m.histogram(x, m.tensor(1.0)),
        lambda m, x: m.histogram(x, m.tensor([[0.0, 1], [2, 3]])),
        lambda m, x: m.histogram(x, m.tensor([0, 1, 2])),
        lambda m, x: m.histogram(x, 0), lambda m, x: m.histogram(x, -2),
        lambda m, x: m.histogram(x, 2.5), lambda m, x: m.histogram(x, "a"),
        lambda m, x: m.histogram(x.long(), 4), lambda m, x: m.histogram(x.half(), 4),
        lambda m, x: m.histogram(x.bool(), 4), lambda m, x: m.histogram(x.long(), 0),
        lambda m, x: m.histogram(x.long(), 4, range=(2, 1)),
        lambda m, x: m.histogram(x.long(), m.tensor([1, 2])),
        lambda m, x: m.histogram(x.long(), m.tensor([1.0, 2])),
        lambda m, x: m.histogram(torch.tensor([3.0, math.nan]) if m is torch
                                 else m.tensor([3.0, math.nan]), 4),
        lambda m, x: m.histogram(x, 4, out=(m.empty(0), m.empty(0, dtype=m.float64))),
        lambda m, x: m.histogram(x, 4, out=(m.empty(0, dtype=m.long), m.empty(0))),
        lambda m, x: m.histogram(x, 4, out=(m.empty(0),)),
        lambda m, x: m.histogram(x, 4, out=m.empty(0)),
        lambda m, x: m.histogram(x, 4, weight=[1] * 6),
    ]
    for case in cases:
        _same_error(case, (numtorch, x), (torch, tx))
