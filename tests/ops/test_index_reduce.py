"""index_reduce / index_reduce_: values, dtypes, gradients and errors, against PyTorch."""

import warnings

import numpy as np
import pytest

import numtorch
from tests.utils import NT_DTYPES, assert_same, check_op, torch

RNG = np.random.default_rng(0)
REDUCES = ["prod", "mean", "amax", "amin"]


@pytest.fixture(autouse=True)
def _quiet_beta_warning():
    """Both libraries warn that index_reduce is in beta; the tests here are not about that."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "index_reduce\\(\\) is in beta")
        yield


def same_error(nt_fn, torch_fn):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as ref:
        torch_fn()
    with pytest.raises(type(ref.value)) as got:
        nt_fn()
    assert str(got.value) == str(ref.value)


def both(fn, *arrays):
    """``fn(lib, *tensors)`` run on numtorch and on torch, with the same arrays as tensors."""
    return [fn(lib, *(lib.tensor(a) for a in arrays)) for lib in (numtorch, torch)]


# --- values and dtypes ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16",
                                   "int8", "uint8"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_values_and_dtype_match_torch(reduce, include_self, dtype):
    x = RNG.integers(-9, 10, (4, 3, 5))
    for dim, n in ((0, 6), (1, 5), (-1, 7), (2, 1)):
        shape = list(x.shape)
        shape[dim] = n
        src = RNG.integers(-9, 10, shape)
        idx = RNG.integers(0, x.shape[dim], n)  # repeats, and slices no index names
        for i in (idx, idx.astype(np.int32)):
            got, want = [], []
            for k, lib in enumerate((numtorch, torch)):
                dt = NT_DTYPES[dtype][k]
                out = lib.tensor(x).to(dt).index_reduce(
                    dim, lib.tensor(i), lib.tensor(src).to(dt), reduce, include_self=include_self)
                (got if lib is numtorch else want).append(out)
            tol = 2e-3 if dtype == "float16" else 1e-6
            assert_same(got[0], want[0], rtol=tol, atol=tol)


@pytest.mark.parametrize("reduce", REDUCES)
def test_integer_arithmetic_wraps_and_mean_floors_as_torch(reduce):
    # sums and products wrap in the tensor's dtype; mean floor-divides by the count
    cases = [(np.array([200, 3], np.uint8), np.array([100, 100, 7], np.uint8)),
             (np.array([1, -3], np.int8), np.array([100, 100, -100], np.int8)),
             (np.array([-3, 4], np.int64), np.array([-4, 2, -6], np.int64))]
    for x, s in cases:
        for incl in (True, False):
            got, want = both(lambda m, a, i, b, incl=incl: a.index_reduce(
                0, i, b, reduce, include_self=incl), x, np.array([0, 0, 1]), s)
            assert_same(got, want)


def test_float16_mean_rounds_each_step_as_torch():
    x = np.ones((3, 2), np.float16)
    s = np.array([[1000, 1], [60000, 1], [-60000, 1]], np.float16)
    got, want = both(lambda m, a, i, b: a.index_reduce(0, i, b, "mean"), x,
                     np.array([0, 0, 0]), s)
    assert_same(got, want, rtol=0, atol=0)
    # 3000 ones counted in float16 stop at 2048, as PyTorch's count does
    got, want = both(lambda m, a, i, b: a.index_reduce(0, i, b, "mean", include_self=False),
                     np.zeros(2, np.float16), np.zeros(3000, np.int64),
                     np.full(3000, 4.0, np.float16))
    assert_same(got, want, rtol=0, atol=0)


@pytest.mark.parametrize("reduce", REDUCES)
def test_special_cases_match_torch(reduce):
    for incl in (True, False):
        kw = {"include_self": incl}
        cases = [
            # 0-d input and source
            (lambda m, a, i, b, kw_=kw: a.index_reduce(0, i, b, reduce, **kw_),
             np.array(3.0), np.array([0]), np.array(-2.0)),
            (lambda m, a, i, b, kw_=kw: a.index_reduce(-1, i, b, reduce, **kw_),
             np.array(3.0), np.array(0), np.array(-2.0)),
            # empty index
            (lambda m, a, i, b, kw_=kw: a.index_reduce(1, i, b, reduce, **kw_),
             RNG.standard_normal((3, 4)), np.zeros(0, np.int64), np.zeros((3, 0))),
            (lambda m, a, i, b, kw_=kw: a.index_reduce(0, i, b, reduce, **kw_),
             RNG.standard_normal(4), np.zeros(0, np.int64), np.zeros(0)),
            # 1-D, every index the same
            (lambda m, a, i, b, kw_=kw: a.index_reduce(0, i, b, reduce, **kw_),
             RNG.standard_normal(3), np.array([2, 2, 2, 2]), RNG.standard_normal(4)),
            # non-contiguous input and source, and an empty input
            (lambda m, a, i, b, kw_=kw: a.t().index_reduce(0, i, b[:, ::2], reduce, **kw_),
             RNG.standard_normal((3, 5)), np.array([4, 0, 4]), RNG.standard_normal((3, 6))),
            (lambda m, a, i, b, kw_=kw: a.index_reduce(0, i, b, reduce, **kw_),
             np.zeros((0, 3)), np.zeros(0, np.int64), np.zeros((0, 3))),
            # nan wins amax and amin, as in PyTorch
            (lambda m, a, i, b, kw_=kw: a.index_reduce(0, i, b, reduce, **kw_),
             np.array([np.nan, 1.0]), np.array([0, 1]), np.array([1.0, np.nan])),
        ]
        for fn, x, i, s in cases:
            got, want = both(fn, x, i, s)
            assert_same(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
def test_bool_where_torch_has_a_loop(reduce):
    x = np.array([[True, False], [False, True]])
    s = np.array([[False, True], [True, True]])
    got, want = both(lambda m, a, i, b: a.index_reduce(0, i, b, reduce), x,
                     np.array([0, 0]), s)
    assert_same(got, want)


def test_out_and_in_place_forms():
    x, s, i = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 3)), np.array([1, 3, 1, 0, 1])
    for reduce in REDUCES:
        want = torch.tensor(x).index_reduce(0, torch.tensor(i), torch.tensor(s), reduce)
        out = numtorch.empty(4, 3, dtype=numtorch.float64)
        res = numtorch.index_reduce(numtorch.tensor(x), 0, numtorch.tensor(i),
                                    numtorch.tensor(s), reduce, out=out)
        assert res is out
        assert_same(out, want)
        a = numtorch.tensor(x)
        assert a.index_reduce_(0, numtorch.tensor(i), numtorch.tensor(s), reduce) is a
        assert_same(a, want)
    # in place on a non-contiguous view writes through to its base
    bases = []
    for lib in (numtorch, torch):
        base = lib.zeros(3, 4)
        src = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        base[:, ::2].index_reduce_(1, lib.tensor([1, 1]), src, "amax")
        bases.append(base)
    assert_same(*bases)


# --- gradients --------------------------------------------------------------------------------


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_gradients_match_torch(reduce, include_self):
    def op(dim):
        return lambda a, b, i: a.index_reduce(dim, i, b, reduce, include_self=include_self)

    x, s = RNG.standard_normal((4, 3)), RNG.standard_normal((6, 3))
    check_op(op(0), op(0), x, s, np.array([0, 1, 1, 3, 0, 0]))
    check_op(op(-1), op(-1), x, RNG.standard_normal((4, 2)), np.array([2, 2]))
    # ties (amax/amin share the gradient), zeros (prod), one zero and two zeros in a slot
    x2 = np.array([[1.0, 0.0, 2.0], [3.0, 3.0, 0.0], [5.0, 5.0, 5.0]])
    s2 = np.array([[1.0, 0.0, 2.0], [3.0, 2.0, 2.0], [0.0, 5.0, 0.0], [5.0, 0.0, 5.0]])
    check_op(op(0), op(0), x2, s2, np.array([0, 1, 0, 2]))
    check_op(op(0), op(0), np.array([0.0, 2.0, 1.0]), np.array([0.0, 3.0, 0.0, 4.0, 0.0]),
             np.array([0, 0, 1, 1, 1]))
    # 0-d, and a non-contiguous input
    check_op(op(0), op(0), np.array(2.0), np.array(0.5), np.array([0]))
    check_op(lambda a, b, i: a.t().index_reduce(0, i, b, reduce, include_self=include_self),
             lambda a, b, i: a.t().index_reduce(0, i, b, reduce, include_self=include_self),
             RNG.standard_normal((3, 4)), RNG.standard_normal((3, 3)), np.array([3, 3, 0]))


def test_node_name_and_in_place_graph():
    x = numtorch.zeros(3, requires_grad=True)
    y = x.index_reduce(0, numtorch.tensor([0]), numtorch.ones(1), "amax")
    assert type(y.grad_fn).__name__ == "IndexReduceBackward0"
    assert "grad_fn=<IndexReduceBackward0>" in repr(y)
    # in place on a non-leaf: recorded, gradients as torch's
    xs, ss = RNG.standard_normal(4), RNG.standard_normal(3)
    grads = []
    for lib in (numtorch, torch):
        a, b = lib.tensor(xs, requires_grad=True), lib.tensor(ss, requires_grad=True)
        c = a * 2
        c.index_reduce_(0, lib.tensor([1, 1, 3]), b, "prod", include_self=False)
        assert type(c.grad_fn).__name__ == "IndexReduceBackward0"
        c.sum().backward()
        grads.append((a.grad, b.grad))
    assert_same(grads[0], grads[1])


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", REDUCES)
def test_gradcheck(reduce, include_self):
    # distinct values: no ties for amax/amin, no zeros for prod
    x = numtorch.tensor(RNG.permutation(12).reshape(4, 3) / 4.0 + 0.5, requires_grad=True)
    s = numtorch.tensor(RNG.permutation(15).reshape(5, 3) / 3.0 - 2.4, requires_grad=True)
    i = numtorch.tensor([0, 2, 0, 3, 0])

    def fn(a, b):
        return a.index_reduce(0, i, b, reduce, include_self=include_self)

    assert numtorch.autograd.gradcheck(fn, (x, s), eps=1e-6, atol=1e-5, rtol=1e-3)
    if reduce in ("prod", "mean"):
        assert numtorch.autograd.gradgradcheck(fn, (x, s), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("include_self", [True, False])
def test_prod_double_backward_matches_torch(include_self):
    x = np.array([1.0, 0.0, 3.0, -2.0])
    s = np.array([0.0, 5.0, 2.0, -1.5, 0.5])
    i = np.array([0, 0, 1, 2, 1])
    results = []
    for lib in (numtorch, torch):
        a, b = lib.tensor(x, requires_grad=True), lib.tensor(s, requires_grad=True)
        y = a.index_reduce(0, lib.tensor(i), b, "prod", include_self=include_self)
        ga, gb = lib.autograd.grad((y * lib.tensor([1.0, -2.0, 0.5, 3.0])).sum(), (a, b),
                                   create_graph=True)
        results.append((ga, gb) + lib.autograd.grad((ga ** 2).sum() + (gb ** 3).sum(), (a, b)))
    assert_same(results[0], results[1])


def test_prod_double_backward_refuses_two_zeros_in_one_slot():
    errors = []
    for lib in (numtorch, torch):
        a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([0.0, 0.0, 5.0], dtype=lib.float64, requires_grad=True)
        y = a.index_reduce(0, lib.tensor([0, 0, 1]), b, "prod")
        ga, gb = lib.autograd.grad(y.sum(), (a, b), create_graph=True)
        assert type(gb.grad_fn).__name__ == "Error"
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad(gb.sum(), (a, b))
        errors.append(str(e.value))
        # the self gradient is still differentiable
        assert lib.autograd.grad(ga.sum(), a)[0].tolist() == [0.0, 0.0, 0.0]
    assert errors[0] == errors[1]



def test_int32_index_without_include_self_fails_in_backward_as_torch():
    # PyTorch's backward zeroes self's gradient with index_fill, which takes int64 only.
    def call(m):
        b = m.ones(2, requires_grad=True)
        y = m.zeros(3).index_reduce(0, m.tensor([0, 2], dtype=m.int32), b, "mean",
                                    include_self=False)
        y.sum().backward()

    same_error(lambda: call(numtorch), lambda: call(torch))

# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.ones(1, 4), "sum"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.ones(1, 4), "foo"),
    lambda m: m.zeros(3, 4).index_reduce(2, m.tensor([0]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(-3, m.tensor([0]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([[0]]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([[0.0]]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0.0]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0], dtype=m.int16), m.ones(1, 4), "mean"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.ones(1, 4, dtype=m.float64), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(1, m.tensor([0, 1]), m.ones(2), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0, 1]), m.ones(3, 4), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0, 1]), m.ones(2, 3), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0, 1]), m.ones(2, 4, 1), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.tensor(1.0), "amax"),
    lambda m: m.tensor(3.0).index_reduce(0, m.tensor([0]), m.ones(1), "amax"),
    lambda m: m.tensor(3.0).index_reduce(0, m.tensor([0, 0]), m.tensor(1.0), "amax"),
    lambda m: m.tensor(3.0).index_reduce(1, m.tensor([0]), m.tensor(1.0), "amax"),
    lambda m: m.ones(1).index_reduce(0, m.tensor([0]), m.tensor(1.0), "amax"),
    lambda m: m.zeros(3, 4).index_reduce(0, [0], m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), 1.0, "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.ones(1, 4), None),
    lambda m: m.zeros(3, 4).index_reduce(0.0, m.tensor([0]), m.ones(1, 4), "prod"),
    lambda m: m.zeros(3, 4).index_reduce(0, m.tensor([0]), m.ones(1, 4), "prod", include_self=1),
    lambda m: m.zeros(3, 4).index_reduce_(0, m.tensor([0]), m.ones(1, 4), "prod",
                                          include_self=None),
    lambda m: m.zeros(3, 4).index_reduce_(0, [0], m.ones(1, 4), "prod"),
    lambda m: m.tensor([True]).index_reduce(0, m.tensor([0]), m.tensor([True]), "amax"),
    lambda m: m.tensor([[True]]).index_reduce(0, m.tensor([0]), m.tensor([[True]]), "mean"),
    lambda m: m.tensor([[True]]).index_reduce(0, m.tensor([0]), m.tensor([[True]]), "amax",
                                              include_self=False),
    lambda m: m.index_reduce(m.zeros(3), 0, m.tensor([0]), m.ones(1), "amax",
                                      out=m.zeros(3, dtype=m.int64)),
    lambda m: m.index_reduce(m.zeros(3), 0, m.tensor([0]), m.ones(1), "amax", out=3),
    lambda m: m.index_reduce(m.zeros(3, requires_grad=True), 0, m.tensor([0]), m.ones(1), "amax",
                                                          out=m.zeros(3)),
    lambda m: m.zeros(3, requires_grad=True).index_reduce_(0, m.tensor([0]), m.ones(1), "amax"),
    lambda m: m.zeros(3, requires_grad=True).index_reduce_(0, m.tensor([0]), m.ones(1), "foo"),
])
def test_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


@pytest.mark.parametrize("shape", [(), (3,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("bad", [9, -1, -9])
@pytest.mark.parametrize("include_self", [True, False])
def test_out_of_range_errors_match_torch(shape, bad, include_self):
    # Without include_self, PyTorch's index_fill_ meets the index first: its own words, and
    # it lets -size <= i < 0 through to the kernel's check.
    for dim in range(max(len(shape), 1)):
        src_shape = list(shape)
        if shape:
            src_shape[dim] = 2
        index = [0, bad] if shape else [bad]

        def call(m, dim=dim, src_shape=src_shape, index=index):
            return m.zeros(shape).index_reduce(dim, m.tensor(index), m.ones(src_shape), "amin",
                                               include_self=include_self)

        same_error(lambda: call(numtorch), lambda: call(torch))


def test_nothing_written_when_an_index_is_out_of_range():
    a = numtorch.ones(3)
    with pytest.raises(IndexError):
        a.index_reduce_(0, numtorch.tensor([-1, 0]), numtorch.zeros(2), "prod",
                        include_self=False)
    assert a.tolist() == [1.0, 1.0, 1.0]


def test_beta_warning_once_as_torch(monkeypatch):
    monkeypatch.setattr(numtorch.ops.extras, "_warned_once", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            numtorch.index_reduce(numtorch.zeros(2), 0, numtorch.tensor([0]), numtorch.ones(1),
                                  "amax")
    msgs = [str(w.message) for w in caught]
    assert msgs == ["index_reduce() is in beta and the API may change at any time."]
