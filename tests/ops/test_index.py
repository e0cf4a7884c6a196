"""Indexing: x[...], x[...] = v, gather/scatter, index_*, masked_*, take/put, nonzero."""

import warnings

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, check_op, noncontig, to_torch, torch

RNG = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def same_error(nt_fn, torch_fn):
    """Both raise the same exception type with the same message (torch. -> numtorch.)."""
    with pytest.raises(Exception) as ref:
        torch_fn()
    with pytest.raises(type(ref.value)) as got:
        nt_fn()
    want = str(ref.value).replace("torch.", "numtorch.")
    assert str(got.value) == want, f"{got.value!s} != {want}"


def node_name(t):
    return type(t.grad_fn).__name__


def gradcheck(fn, inputs):
    try:
        return numtorch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    except NotImplementedError:
        pytest.skip("numtorch.autograd.gradcheck has not landed yet")


def leaf64(*shape):
    return numtorch.tensor(randn(*shape, dtype=np.float64), requires_grad=True)


# --- x[idx] -----------------------------------------------------------------------------------

# Each index is built per library (m is numtorch or torch) so tensors come from the right one.
GETITEM = [
    lambda m: 1,
    lambda m: -1,
    lambda m: (1, 2),
    lambda m: (0, 1, 2),
    lambda m: slice(1, 3),
    lambda m: slice(None),
    lambda m: slice(None, None, 2),
    lambda m: (slice(None), slice(1, None, 2)),
    lambda m: (Ellipsis, 1),
    lambda m: (1, Ellipsis),
    lambda m: Ellipsis,
    lambda m: (),
    lambda m: None,
    lambda m: (None, 0, None),
    lambda m: (slice(None), None, 1),
    lambda m: (slice(None), slice(None)),
    lambda m: (slice(0, 9),),
    lambda m: (slice(-10, 2),),
    lambda m: slice(2, 1),
    lambda m: m.tensor(1),
    lambda m: (m.tensor(1), slice(None), m.tensor(-1)),
    lambda m: m.tensor([0, 2, 0]),
    lambda m: m.tensor([[0, 1], [2, 2]]),
    lambda m: m.tensor([0, 2], dtype=m.int32),
    lambda m: [0, 2, 2],
    lambda m: [],
    lambda m: np.array([1, 0]),
    lambda m: (slice(None), [0, 3]),
    lambda m: (1, [0, 3], slice(None)),
    lambda m: ([0, 1], slice(None), [1, 2]),
    lambda m: ([0, 1], 0, [1, 2]),
    lambda m: (m.tensor(0), slice(None), [0, 1]),
    lambda m: (slice(None), [[0], [1]], [2, 3]),
    lambda m: m.tensor([True, False, True]),
    lambda m: (slice(None), m.tensor([True, False, True, True])),
    lambda m: m.tensor([[True, False, True, True], [False] * 4, [True] * 4]),
    lambda m: [True, False, True],
    lambda m: True,
    lambda m: False,
    lambda m: (0, True),
    lambda m: m.tensor(True),
    lambda m: (None, [0, 2], None, 1),
    lambda m: (slice(1, 3), None, m.tensor([0, 1])),
    lambda m: range(3),
    lambda m: range(0),
    lambda m: (range(3), [0, 1, 2]),
    lambda m: (slice(None), range(1, 4, 2)),
]


@pytest.mark.parametrize("make", GETITEM)
def test_getitem_values_grads_and_node_names_match_torch(make):
    x = randn(3, 4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check_op(lambda a: a[make(numtorch)], lambda a: a[make(torch)], x)
        ref = torch.tensor(x, requires_grad=True)[make(torch)]
    assert node_name(out) == type(ref.grad_fn).__name__


@pytest.mark.parametrize("make", [
    lambda m: 0, lambda m: (slice(None), 1), lambda m: m.tensor([1, 1, 0]),
    lambda m: m.tensor([True, False, True]), lambda m: (Ellipsis, [0, 0]),
])
def test_getitem_non_contiguous_input(make):
    check_op(lambda a: a[make(numtorch)], lambda a: a[make(torch)], noncontig(randn(3, 4)))
    a = numtorch.from_numpy(np.arange(12.0, dtype=np.float32).reshape(4, 3)).t()
    assert_same(a[make(numtorch)], torch.arange(12.0).reshape(4, 3).t()[make(torch)])


def test_getitem_int_and_bool_dtypes():
    for dt in (np.int64, np.int32, np.uint8, np.bool_):
        x = (np.arange(12) % 3).astype(dt).reshape(3, 4)
        check_op(lambda a: a[1:, [0, 2]], lambda a: a[1:, [0, 2]], x)
        mask = x.astype(bool)
        check_op(lambda a, m: a[m], lambda a, m: a[m], x, mask)


def test_getitem_zero_dim_and_empty():
    check_op(lambda a: a[...], lambda a: a[...], np.array(2.0, np.float32))
    check_op(lambda a: a[None], lambda a: a[None], np.array(2.0, np.float32))
    check_op(lambda a: a[True], lambda a: a[True], np.array(2.0, np.float32))
    check_op(lambda a: a[1:1], lambda a: a[1:1], randn(3, 2))
    check_op(lambda a: a[[]], lambda a: a[[]], randn(3, 2))
    check_op(lambda a: a[:, [0, 0]], lambda a: a[:, [0, 0]], randn(0, 2))


def test_getitem_duplicate_indices_accumulate_gradients():
    x = randn(4, 3)
    idx = np.array([0, 2, 0, 0, 3])
    check_op(lambda a, i: a[i], lambda a, i: a[i], x, idx)
    check_op(lambda a, i: a[:, i[:3] % 3], lambda a, i: a[:, i[:3] % 3], x, idx)


def test_getitem_tensor_indices_in_slices_and_numpy_ints():
    x, t = numtorch.arange(6.0), torch.arange(6.0)
    assert_same(x[numtorch.tensor(1):numtorch.tensor(5):numtorch.tensor(2)],
                t[torch.tensor(1):torch.tensor(5):torch.tensor(2)])
    assert_same(x[np.int64(2)], t[np.int64(2)])
    assert_same(x[np.array(2)], t[np.array(2)])


def test_sequence_index_is_read_as_a_tuple():
    x, t = numtorch.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
    with pytest.warns(UserWarning):
        got = x[[[0, 1], [1, 2]]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(got, t[[[0, 1], [1, 2]]])


def test_range_index_is_a_tensor_index():
    # mnist_forward_forward writes its labels with x_[range(x.shape[0]), y] = x.max().
    x, t = numtorch.zeros(4, 10), torch.zeros(4, 10)
    x[range(x.shape[0]), numtorch.tensor([3, 1, 4, 1])] = 7.0
    t[range(t.shape[0]), torch.tensor([3, 1, 4, 1])] = 7.0
    assert_same(x, t)
    for y in (x, t):
        with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 0 with "
                                             "size 4"):
            y[range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(x[[range(2), range(2)]], t[[range(2), range(2)]])


def test_uint8_mask_warns_and_acts_as_bool():
    x = numtorch.arange(3.0)
    with pytest.warns(UserWarning, match="uint8"):
        got = x[numtorch.tensor([1, 0, 1], dtype=numtorch.uint8)]
    assert got.tolist() == [0.0, 2.0]


def test_basic_index_is_a_view_sharing_memory_and_version():
    x = numtorch.zeros(3, 4)
    for v in (x[1], x[:, 1:3], x[None, ..., None], x[...], x[1, 2]):
        assert v._base is x
        assert v.data_ptr() != 0 and np.shares_memory(v.numpy(), x.numpy())
    v = x[1]
    before = x._version
    v.add_(1) if hasattr(v, "add_") else v.__setitem__(0, 1.0)
    assert x._version == v._version == before + 1
    x[0, 0] = 7.0
    assert v._version == x._version
    assert x[0][0].item() == 7.0


def test_advanced_index_is_a_copy():
    x = numtorch.zeros(3, 4)
    y = x[[0, 1]]
    assert y._base is None and not np.shares_memory(y.numpy(), x.numpy())
    y[0, 0] = 5.0
    assert x[0, 0].item() == 0.0


def test_getitem_view_of_view_backward():
    x = randn(4, 5, 6)
    check_op(lambda a: a[1:][:, 2][None, ::2], lambda a: a[1:][:, 2][None, ::2], x)


@pytest.mark.parametrize("shape,make", [
    ((3, 4), lambda m: 5),
    ((3, 4), lambda m: -4),
    ((3, 4), lambda m: (slice(None), 5)),
    ((3, 4), lambda m: (None, 0, 5)),
    ((3, 4), lambda m: (0, 0, 0)),
    ((3, 4), lambda m: m.tensor([5])),
    ((3, 4), lambda m: (slice(None), m.tensor([4]))),
    ((2, 3, 4), lambda m: ([0], slice(None), [9])),
    ((3, 4), lambda m: m.tensor(5)),
    ((3, 4), lambda m: slice(None, None, -1)),
    ((3, 4), lambda m: slice(None, None, 0)),
    ((3, 4), lambda m: 1.5),
    ((3, 4), lambda m: m.tensor([1.0])),
    ((3, 4), lambda m: m.tensor([1], dtype=m.int16)),
    ((3, 4), lambda m: m.tensor([True, False])),
    ((3, 4), lambda m: (slice(None), m.tensor([True, False]))),
    ((3, 4), lambda m: m.ones(3, 3, dtype=m.bool)),
    ((3, 4), lambda m: (m.tensor([[0, 1], [1, 2]]), m.tensor([0, 1, 2]))),
    ((), lambda m: 0),
    ((), lambda m: (0,)),
    ((3,), lambda m: np.bool_(True)),
    ((), lambda m: slice(None)),
    ((), lambda m: slice(1, None)),
    ((), lambda m: (Ellipsis, slice(None))),
    ((3,), lambda m: "a"),
    ((3,), lambda m: b"a"),
    ((3,), lambda m: {}),
])
def test_getitem_errors_match_torch(shape, make):
    same_error(lambda: numtorch.zeros(shape)[make(numtorch)], lambda: torch.zeros(shape)[make(torch)])


# --- x[idx] = value ---------------------------------------------------------------------------

SETITEM = [
    (lambda m: 0, lambda m: 5.0),
    (lambda m: (slice(None), 1), lambda m: 0),
    (lambda m: (1, 2), lambda m: m.tensor(3.0)),
    (lambda m: slice(0, 2), lambda m: m.arange(4.0)),
    (lambda m: slice(0, 2), lambda m: m.arange(4.0).reshape(1, 1, 4)),
    (lambda m: (Ellipsis, 0), lambda m: m.tensor([1.0, 2.0, 3.0], dtype=m.float64)),
    (lambda m: (slice(None), None, 1), lambda m: m.tensor([[1], [2], [3]])),
    (lambda m: Ellipsis, lambda m: 2.5),
    (lambda m: slice(None), lambda m: m.ones(3, 4)),
    (lambda m: [0, 2], lambda m: m.tensor([1.0, 2.0, 3.0, 4.0])),
    (lambda m: [0, 2, 0], lambda m: 7.0),
    (lambda m: (slice(None), [1, 3]), lambda m: m.ones(3, 1)),
    (lambda m: (1, [1, 3]), lambda m: m.tensor([8.0, 9.0])),
    (lambda m: ([0, 2], 1), lambda m: -1),
    (lambda m: m.tensor([True, False, True]), lambda m: m.tensor(6.0)),
    (lambda m: m.tensor([True, False, True]), lambda m: m.tensor([6.0], dtype=m.float64)),
    (lambda m: (m.tensor([True, False, True]), 0), lambda m: m.tensor([1.0, 2.0])),
    (lambda m: True, lambda m: 1.0),
    (lambda m: m.tensor(1), lambda m: m.tensor([1.0, 2.0, 3.0, 4.0])),
    (lambda m: (slice(1, 3), [0, 1]), lambda m: m.tensor([[5.0, 6.0]])),
    (lambda m: (range(3), m.tensor([1, 0, 3])), lambda m: 9.0),
]


@pytest.mark.parametrize("make_idx,make_val", SETITEM)
def test_setitem_values_match_torch(make_idx, make_val):
    x = numtorch.arange(12.0).reshape(3, 4)
    t = torch.arange(12.0).reshape(3, 4)
    v0 = x._version
    x[make_idx(numtorch)] = make_val(numtorch)
    t[make_idx(torch)] = make_val(torch)
    assert_same(x, t)
    assert x._version == v0 + 1


@pytest.mark.parametrize("make_idx,make_val", SETITEM)
def test_setitem_autograd_on_non_leaf_matches_torch(make_idx, make_val):
    x0, w = randn(3, 4), randn(3, 4)
    results = []
    for m, lib in ((numtorch, numtorch), (torch, torch)):
        x = lib.tensor(x0, requires_grad=True)
        y = x * 2
        v = make_val(m)
        if isinstance(v, (numtorch.Tensor, torch.Tensor)) and v.is_floating_point():
            v = v.detach().clone() if m is torch else v.detach() * 1
            v.requires_grad_(True)
        y[make_idx(m)] = v
        (y * lib.tensor(w)).sum().backward()
        results.append((y, x.grad, getattr(v, "grad", None), node_name(y)))
    (y, gx, gv, name), (ty, tgx, tgv, tname) = results
    assert_same(y, ty)
    assert_same(gx, tgx)
    if tgv is not None:
        assert_same(gv, tgv)
    assert name == tname


def test_setitem_value_requiring_grad_into_plain_tensor():
    v = numtorch.tensor([1.0, 2.0], requires_grad=True)
    tv = torch.tensor([1.0, 2.0], requires_grad=True)
    for idx in (0, [0, 2], (slice(None), 1)):
        x, t = numtorch.zeros(3, 2), torch.zeros(3, 2)
        if idx == (slice(None), 1):
            x[idx], t[idx] = v.sum(), tv.sum()
        else:
            x[idx], t[idx] = v, tv
        assert node_name(x) == type(t.grad_fn).__name__
        (x * x).sum().backward()
        (t * t).sum().backward()
        assert_same(v.grad, tv.grad)


def test_setitem_dtype_casts_like_torch():
    x = numtorch.zeros(3, dtype=numtorch.int64)
    x[0] = 1.7
    x[1:] = numtorch.tensor([4.5, 5.5], dtype=numtorch.float64)
    assert x.tolist() == [1, 4, 5] and x.dtype is numtorch.int64
    f = numtorch.zeros(3)
    f[:] = numtorch.tensor([True, False, True])
    assert f.tolist() == [1.0, 0.0, 1.0] and f.dtype is numtorch.float32
    u = numtorch.zeros(2, dtype=numtorch.uint8)
    u[0] = -1
    assert u.tolist() == [255, 0]
    b = numtorch.zeros(2, dtype=numtorch.bool)
    b[[0]] = 5
    assert b.tolist() == [True, False]


def test_setitem_on_view_of_non_leaf_updates_base_gradient():
    x0, v0, w, w2 = randn(4, 3), randn(3), randn(4, 3), randn(3, 3)
    out = []
    for lib in (numtorch, torch):
        x = lib.tensor(x0, requires_grad=True)
        v = lib.tensor(v0, requires_grad=True)
        y = x * 3
        z = y[1:]
        z[0] = v * 2
        z[1, [0, 2]] = v[:2]
        loss = (y * lib.tensor(w)).sum() + (z * lib.tensor(w2)).sum()
        loss.backward()
        out.append((y, z, x.grad, v.grad, node_name(y), node_name(z)))
    for a, b in zip(out[0][:4], out[1][:4]):
        assert_same(a, b)
    assert out[0][4] == out[1][4] == "CopySlices"


def test_setitem_leaf_requiring_grad_errors():
    for idx in (0, [0], slice(None), (slice(None), [0]), (0, [0])):
        same_error(lambda i=idx: numtorch.zeros(3, 2, requires_grad=True).__setitem__(i, 1.0),
                   lambda i=idx: torch.zeros(3, 2, requires_grad=True).__setitem__(i, 1.0))


def test_setitem_under_no_grad_on_leaf():
    x = numtorch.zeros(3, requires_grad=True)
    with numtorch.no_grad():
        x[1] = 2.0
    assert x.tolist() == [0.0, 2.0, 0.0] and x.grad_fn is None


@pytest.mark.parametrize("make_idx,make_val", [
    (lambda m: slice(None), lambda m: m.ones(2)),
    (lambda m: [0, 1], lambda m: m.ones(3)),
    (lambda m: 0, lambda m: m.ones(2, 2)),
    (lambda m: slice(None), lambda m: m.ones(2, 3)),
    (lambda m: [0, 1], lambda m: m.ones(2, 2)),
    (lambda m: [1, 2], lambda m: m.tensor([2.5, 3.5], dtype=m.float64)),
    (lambda m: [1, 2], lambda m: m.tensor(2.5, dtype=m.float64)),
    (lambda m: slice(None), lambda m: [1, 2, 3]),
    (lambda m: slice(None), lambda m: np.array([1.0, 2.0, 3.0])),
    (lambda m: slice(None), lambda m: "a"),
    (lambda m: 0, lambda m: float("nan")),
    (lambda m: "a", lambda m: 1.0),
])
def test_setitem_errors_match_torch(make_idx, make_val):
    dt = (lambda m: m.int64) if isinstance(make_val(numtorch), float) else (lambda m: m.float32)
    same_error(lambda: numtorch.zeros(3, dtype=dt(numtorch)).__setitem__(make_idx(numtorch),
                                                                         make_val(numtorch)),
               lambda: torch.zeros(3, dtype=dt(torch)).__setitem__(make_idx(torch),
                                                                    make_val(torch)))


def test_setitem_uint8_overflow_errors():
    same_error(lambda: numtorch.zeros(3, dtype=numtorch.uint8).__setitem__(0, 300),
               lambda: torch.zeros(3, dtype=torch.uint8).__setitem__(0, 300))


def test_tutorial_column_assignment():
    tensor = numtorch.ones(4, 4)
    tensor[:, 1] = 0
    assert str(tensor) == str(torch.ones(4, 4).index_fill(1, torch.tensor([1]), 0))


# --- index_put ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_values_and_grads(accumulate):
    x, v = randn(4, 3), randn(5, 3)
    i = np.array([0, 2, 0, 3, 0])
    check_op(lambda a, b, i: a.index_put((i,), b, accumulate=accumulate),
             lambda a, b, i: a.index_put((i,), b, accumulate=accumulate), x, v, i)
    check_op(lambda a, b, i: numtorch.index_put(a, (i, i % 3), b[:, 0], accumulate),
             lambda a, b, i: torch.index_put(a, (i, i % 3), b[:, 0], accumulate), x, v, i)
    m = np.array([True, False, True, True])
    check_op(lambda a, b, m: a.index_put((m,), b[0], accumulate=accumulate),
             lambda a, b, m: a.index_put((m,), b[0], accumulate=accumulate), x, v, m)


def test_index_put_accumulate_sums_duplicates_non_contiguous_dims():
    x, v = randn(2, 5, 3), randn(4)
    i, j = np.array([0, 1, 0, 0]), np.array([2, 2, 2, 1])
    check_op(lambda a, b, i, j: a.index_put((i, numtorch.tensor([0] * 4), j), b, True),
             lambda a, b, i, j: a.index_put((i, torch.tensor([0] * 4), j), b, True),
             x, v, i, j)
    # indexed dims that are not adjacent: the result's dims come first
    y = numtorch.zeros(3, 4, 5)
    y[[0, 1], :, [4, 4]] = numtorch.ones(2, 4)
    t = torch.zeros(3, 4, 5)
    t[[0, 1], :, [4, 4]] = torch.ones(2, 4)
    assert_same(y, t)


def test_index_put_inplace_and_version():
    x, t = numtorch.zeros(5), torch.zeros(5)
    idx = [0, 0, 3]
    v0 = x._version
    x.index_put_((numtorch.tensor(idx),), numtorch.tensor([1.0, 2.0, 3.0]), accumulate=True)
    t.index_put_((torch.tensor(idx),), torch.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert_same(x, t)
    assert x._version == v0 + 1
    a = numtorch.ones(5, requires_grad=True)
    b = a * 1
    b.index_put_((numtorch.tensor([1]),), numtorch.tensor([5.0]))
    assert node_name(b) == "IndexPutBackward0"
    b.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3).index_put((m.tensor([0]),), m.tensor([1.0], dtype=m.float64)),
    lambda m: m.zeros(3).index_put((m.tensor([0]),), m.tensor([1.0, 2.0])),
    lambda m: m.zeros(3).index_put((m.tensor([0]), m.tensor([0])), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put((m.tensor([5]),), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put((m.tensor([0.0]),), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put((m.tensor([True, False]),), m.tensor(1.0)),
    lambda m: m.zeros(3, 2).index_put((m.tensor([0, 1]), m.tensor([0, 1, 1])), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put((m.tensor([0, 1]),), m.ones(1, 2)),
    lambda m: m.zeros(3).index_put((m.tensor([0]),), 7.0),
    lambda m: m.zeros(3).index_put((1,), m.tensor(1.0)),
    lambda m: m.zeros(3).index_put([None], m.tensor(1.0)),
])
def test_index_put_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


# --- gather / scatter --------------------------------------------------------------------------


def test_gather_values_grads_and_dtypes():
    x = randn(3, 4)
    for dim, idx in ((0, np.array([[0, 1, 2, 0], [2, 2, 2, 2]])), (1, np.array([[3], [0], [1]])),
                     (-1, np.array([[0, 0], [1, 1]])), (1, np.zeros((3, 0), np.int64))):
        check_op(lambda a, i, dim=dim: a.gather(dim, i), lambda a, i, dim=dim: a.gather(dim, i), x, idx)
        check_op(lambda a, i, dim=dim: numtorch.gather(a, dim, i.int()),
                 lambda a, i, dim=dim: torch.gather(a, dim, i.int()), x, idx)
    check_op(lambda a, i: a.gather(1, i), lambda a, i: a.gather(1, i), noncontig(x),
             np.array([[1], [2], [3]]))
    check_op(lambda a, i: a.gather(0, i), lambda a, i: a.gather(0, i), np.arange(5),
             np.array([4, 4, 0]))
    check_op(lambda a, i: a.gather(0, i), lambda a, i: a.gather(0, i),
             np.array(3.0, np.float32), np.array([0, 0]))
    check_op(lambda a, i: a.gather(0, i), lambda a, i: a.gather(0, i), randn(4),
             np.array(2))


def test_gather_out():
    x, i = numtorch.arange(6.0).reshape(2, 3), numtorch.tensor([[2, 0]])
    out = numtorch.zeros(1, 2)
    assert numtorch.gather(x, 1, i, out=out) is out
    assert out.tolist() == [[2.0, 0.0]]


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).gather(0, m.tensor([[0.0]])),
    lambda m: m.zeros(3, 4).gather(0, m.tensor([[0]], dtype=m.int16)),
    lambda m: m.zeros(3, 4).gather(2, m.tensor([[0]])),
    lambda m: m.zeros(3, 4).gather(0, m.tensor([0])),
    lambda m: m.zeros(3, 4).gather(0, m.zeros(3, 5, dtype=m.int64)),
    lambda m: m.zeros(3, 4).gather(0, m.tensor([[5]])),
    lambda m: m.zeros(3, 4).gather(0, m.tensor([[-1]])),
])
def test_gather_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


def test_scatter_src_and_value():
    x, s = randn(3, 5), randn(2, 5)
    idx = np.array([[0, 1, 2, 0, 1], [2, 0, 1, 1, 0]])  # no duplicate targets
    check_op(lambda a, b, i: a.scatter(0, i, b), lambda a, b, i: a.scatter(0, i, b), x, s, idx)
    check_op(lambda a, i: a.scatter(0, i, 2.5), lambda a, i: a.scatter(0, i, 2.5), x, idx)
    check_op(lambda a, i: numtorch.scatter(a, 0, i, value=-1),
             lambda a, i: torch.scatter(a, 0, i, value=-1), x, idx)
    check_op(lambda a, b, i: a.scatter(1, i, b), lambda a, b, i: a.scatter(1, i, b),
             noncontig(x), s[:, :1], np.array([[4], [0]]))
    check_op(lambda a, i: a.scatter(0, i, 2.7), lambda a, i: a.scatter(0, i, 2.7),
             np.zeros((3, 2), np.int64), np.array([[1, 2]]))
    a, t = numtorch.zeros(3), torch.zeros(3)
    assert node_name(numtorch.zeros(3, requires_grad=True).scatter(0, numtorch.tensor([1]),
                                                                   1.0)) == "ScatterBackward1"
    assert_same(a.scatter(0, numtorch.tensor([1], dtype=numtorch.int32), 1.0),
                t.scatter(0, torch.tensor([1], dtype=torch.int32), 1.0))


def test_scatter_src_larger_than_index_gets_zero_grad_outside():
    x = numtorch.zeros(3, 4, requires_grad=True)
    s = numtorch.tensor(randn(3, 4), requires_grad=True)
    x.scatter(0, numtorch.tensor([[0, 1]]), s).sum().backward()
    expect = np.zeros((3, 4), np.float32)
    expect[0, :2] = 1
    np.testing.assert_array_equal(s.grad.numpy(), expect)


def test_scatter_reduce_argument_and_missing_derivative():
    x, s, i = randn(3, 4), randn(2, 4), np.array([[0, 1, 2, 0], [0, 0, 0, 0]])
    for r in ("add", "multiply"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_op(lambda a, b, i, r=r: a.scatter(0, i, b, reduce=r),
                     lambda a, b, i, r=r: a.scatter(0, i, b, reduce=r), x, s, i, grad=False)
        check_op(lambda a, i, r=r: a.scatter(0, i, 3.0, reduce=r),
                 lambda a, i, r=r: a.scatter(0, i, 3.0, reduce=r), x, i, grad=False)
    y = numtorch.tensor(x, requires_grad=True).scatter(0, numtorch.tensor(i), 2.0, reduce="add")
    with pytest.raises(RuntimeError, match="not implemented"):
        y.sum().backward()


def test_tutorial_one_hot_scatter():
    for y in (3, 0, 9):
        got = numtorch.zeros(10, dtype=numtorch.float).scatter_(0, numtorch.tensor(y), value=1)
        want = torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
        assert_same(got, want)
        got = numtorch.zeros(10).scatter_(dim=0, index=numtorch.tensor([y]), value=1)
        assert_same(got, torch.zeros(10).scatter_(dim=0, index=torch.tensor([y]), value=1))


def test_scatter_add_values_and_grads():
    x, s = randn(3, 4), randn(5, 4)
    idx = RNG.integers(0, 3, (5, 4))
    check_op(lambda a, b, i: a.scatter_add(0, i, b), lambda a, b, i: a.scatter_add(0, i, b),
             x, s, idx)
    check_op(lambda a, b, i: numtorch.scatter_add(a, 1, i, b),
             lambda a, b, i: torch.scatter_add(a, 1, i, b), x, s[:3, :2], idx[:3, :2])
    check_op(lambda a, b, i: a.scatter_add(0, i, b), lambda a, b, i: a.scatter_add(0, i, b),
             np.zeros(4, np.int64), np.arange(6), np.array([0, 1, 1, 3, 3, 3]))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_values_and_grads(reduce, include_self):
    x, s = randn(4, 3), randn(6, 3)
    idx = np.array([[0, 1, 1], [0, 1, 2], [2, 1, 2], [0, 0, 0], [2, 1, 2], [0, 0, 0]])
    check_op(lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             x, s, idx)
    # ties (amax/amin share the gradient) and zeros (prod)
    x2 = np.array([[1.0, 0.0, 2.0], [3.0, 3.0, 0.0]], np.float32)
    s2 = np.array([[1.0, 0.0, 2.0], [3.0, 2.0, 2.0], [0.0, 5.0, 0.0]], np.float32)
    i2 = np.array([[0, 0, 0], [1, 1, 0], [0, 1, 0]])
    check_op(lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             x2, s2, i2)
    # integer tensors (mean rounds down, as torch)
    check_op(lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             lambda a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
             np.array([1, 2, 3]), np.array([4, -7, 2]), np.array([0, 0, 1]))


def test_scatter_reduce_prod_double_zero():
    x = np.array([0.0, 2.0], np.float32)
    s = np.array([0.0, 3.0, 0.0, 4.0], np.float32)
    check_op(lambda a, b, i: a.scatter_reduce(0, i, b, "prod"),
             lambda a, b, i: a.scatter_reduce(0, i, b, "prod"), x, s, np.array([0, 0, 1, 1]))


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3).scatter(0, m.tensor([0.0]), 1.0),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([[0]]), m.ones(3, 4, dtype=m.float64)),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([0]), 1.0),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([[0]]), m.ones(4)),
    lambda m: m.zeros(3, 4).scatter(0, m.zeros(3, 4, dtype=m.int64), m.ones(1, 4)),
    lambda m: m.zeros(2, 2).scatter(0, m.zeros(3, 3, dtype=m.int64), 1.0),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([[5]]), 1.0),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[-1]]), 1.0),
    lambda m: m.zeros(3, 4).scatter(0, m.tensor([[0]]), m.ones(1, 1), reduce="sum"),
    lambda m: m.zeros(3, 4).scatter_add(0, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    lambda m: m.zeros(3, 4).scatter_reduce(0, m.tensor([[0]]), m.ones(1, 1), "foo"),
    lambda m: m.zeros(3, 4).scatter_reduce(0, m.tensor([[0.0]]), m.ones(1, 1), "sum"),
    lambda m: m.zeros(3).scatter_(0, m.tensor([[3]]), value=1),
])
def test_scatter_errors_match_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda: call(numtorch), lambda: call(torch))


def test_gather_scatter_add_duality():
    # <gather(x, i), g> == <x, scatter_add(0, i, g)> for every x, g
    x, g = randn(5, 3).astype(np.float64), randn(7, 3).astype(np.float64)
    i = RNG.integers(0, 5, (7, 3))
    a = numtorch.tensor(x).gather(0, numtorch.tensor(i))
    b = numtorch.zeros(5, 3, dtype=numtorch.float64).scatter_add(0, numtorch.tensor(i),
                                                                  numtorch.tensor(g))
    assert np.isclose((a.numpy() * g).sum(), (x * b.numpy()).sum())


# --- index_select / index_add / index_copy / index_fill ----------------------------------------


def test_index_select():
    x = randn(4, 5)
    for dim, idx in ((0, np.array([3, 0, 3])), (1, np.array([4])), (-1, np.array(2)),
                     (0, np.array([], np.int64))):
        check_op(lambda a, i, dim=dim: a.index_select(dim, i), lambda a, i, dim=dim: a.index_select(dim, i), x, idx)
    check_op(lambda a, i: numtorch.index_select(a, 1, i.int()),
             lambda a, i: torch.index_select(a, 1, i.int()), noncontig(x), np.array([1, 1]))
    check_op(lambda a, i: a.index_select(0, i), lambda a, i: a.index_select(0, i),
             np.array(2.0, np.float32), np.array([0]))
    check_op(lambda a, i: a.index_select(0, i), lambda a, i: a.index_select(0, i),
             np.arange(4), np.array([1, 1]))
    out = numtorch.zeros(2)
    numtorch.index_select(numtorch.arange(3.0), 0, numtorch.tensor([2, 1]), out=out)
    assert out.tolist() == [2.0, 1.0]


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (3, 2, 2, 2)])
@pytest.mark.parametrize("bad", [9, -1])
def test_index_select_out_of_range_errors_match_torch(shape, bad):
    # PyTorch's CPU kernel raises IndexError, except along dim 1 (a RuntimeError there).
    for dim in range(len(shape)):
        errors = []
        for lib in (numtorch, torch):
            with pytest.raises(Exception) as e:
                lib.ones(shape).index_select(dim, lib.tensor([0, bad]))
            errors.append((type(e.value), str(e.value)))
        assert errors[0] == errors[1], (shape, dim)


@pytest.mark.parametrize("shape", [(), (3,), (3, 2), (2, 3, 4), (2, 3, 4, 5), (2, 1, 4)])
@pytest.mark.parametrize("bad", [9, -9])
def test_index_add_out_of_range_errors_match_torch(shape, bad):
    # IndexError for a vector and inner dims, RuntimeError naming the index for the first
    # and last dims: PyTorch's CPU kernel takes two paths.
    for dim in range(max(len(shape), 1)):
        src_shape = list(shape)
        if shape:
            src_shape[dim] = 1
        errors = []
        for lib in (numtorch, torch):
            with pytest.raises(Exception) as e:
                lib.zeros(shape).index_add(dim, lib.tensor([bad]), lib.ones(src_shape))
            errors.append((type(e.value), str(e.value)))
        assert errors[0] == errors[1], (shape, dim)


@pytest.mark.parametrize("alpha", [1, 2.5])
def test_index_add(alpha):
    x, s = randn(4, 3), randn(5, 3)
    idx = np.array([0, 3, 0, 0, 1])
    check_op(lambda a, b, i: a.index_add(0, i, b, alpha=alpha),
             lambda a, b, i: a.index_add(0, i, b, alpha=alpha), x, s, idx)
    check_op(lambda a, b, i: numtorch.index_add(a, 1, i.int(), b, alpha=alpha),
             lambda a, b, i: torch.index_add(a, 1, i.int(), b, alpha=alpha),
             noncontig(x), s[:4, :2], np.array([2, 2]))
    check_op(lambda a, b, i: a.index_add(0, i, b, alpha=alpha),
             lambda a, b, i: a.index_add(0, i, b, alpha=alpha),
             np.zeros(3, np.int64), np.array([2, 5]), np.array([0, 0]))
    check_op(lambda a, b, i: a.index_add(0, i, b), lambda a, b, i: a.index_add(0, i, b),
             np.array(1.0, np.float32), np.array(2.0, np.float32), np.array([0]))


def test_index_copy_and_fill():
    x, s = randn(4, 3), randn(2, 3)
    check_op(lambda a, b, i: a.index_copy(0, i, b), lambda a, b, i: a.index_copy(0, i, b),
             x, s, np.array([3, 1]))
    check_op(lambda a, b, i: numtorch.index_copy(a, 1, i, b), lambda a, b, i:
             torch.index_copy(a, 1, i, b), noncontig(x), randn(4, 1), np.array(2))
    check_op(lambda a, i: a.index_fill(1, i, -2.0), lambda a, i: a.index_fill(1, i, -2.0),
             x, np.array([0, 2, -1]))
    check_op(lambda a, v, i: numtorch.index_fill(a, 0, i, v),
             lambda a, v, i: torch.index_fill(a, 0, i, v), x, np.array(4.0, np.float32),
             np.array([1, 1, 3]))
    check_op(lambda a, i: a.index_fill(0, i, 7), lambda a, i: a.index_fill(0, i, 7),
             np.arange(4), np.array(2))
    y = numtorch.zeros(3, requires_grad=True).index_fill(0, numtorch.tensor([0]),
                                                          numtorch.tensor(1.0))
    assert node_name(y) == "IndexFillBackward1"


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([[0]])),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([0.0])),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([9])),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([-1])),
    lambda m: m.tensor(3.0).index_select(0, m.tensor([0, 0])),
    lambda m: m.tensor(3.0).index_select(0, m.tensor([1])),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0, 2]), m.ones(3, 3)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0, 2]), m.ones(3, 2, dtype=m.float64)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([7, 0]), m.ones(3, 2)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([-1]), m.ones(3, 1)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0]), m.ones(2, 1)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0.0]), m.ones(3, 1)),
    lambda m: m.zeros(3).index_add(0, m.tensor([[0]]), m.ones(1)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([0], dtype=m.int32), m.ones(3, 1)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([0]), m.ones(3, 1, dtype=m.float64)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([0]), m.ones(3, 2)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([0]), m.ones(2, 1)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([-1]), m.ones(3, 1)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([4]), m.ones(3, 1)),
    lambda m: m.zeros(3).index_copy(0, m.tensor([[0]]), m.ones(1)),
    lambda m: m.zeros(3, 4).index_fill(1, m.tensor([0], dtype=m.int32), 1.0),
    lambda m: m.zeros(3, 4).index_fill(1, m.tensor([[0]]), 1.0),
    lambda m: m.zeros(3, 4).index_fill(1, m.tensor([4]), 1.0),
    lambda m: m.zeros(3, 4).index_fill(1, m.tensor([0]), m.tensor([1.0])),
])
def test_index_family_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


# --- masked ops --------------------------------------------------------------------------------


def test_masked_fill():
    x = randn(3, 4)
    m = RNG.random((3, 4)) > 0.5
    check_op(lambda a, m: a.masked_fill(m, 2.0), lambda a, m: a.masked_fill(m, 2.0), x, m)
    check_op(lambda a, v, m: numtorch.masked_fill(a, m, v),
             lambda a, v, m: torch.masked_fill(a, m, v), x, np.array(-1.0, np.float32), m[0])
    check_op(lambda a, m: a.masked_fill(m, 2.0), lambda a, m: a.masked_fill(m, 2.0),
             x[0], RNG.random((2, 3, 4)) > 0.5)
    check_op(lambda a, m: a.masked_fill(m, 2.7), lambda a, m: a.masked_fill(m, 2.7),
             np.arange(4), m[0])
    check_op(lambda a, m: a.masked_fill(m, 2), lambda a, m: a.masked_fill(m, 2),
             np.zeros(4, bool), m[0])
    check_op(lambda a, m: a.masked_fill(m, float("-inf")),
             lambda a, m: a.masked_fill(m, float("-inf")), noncontig(x), m)
    y = numtorch.zeros(3, requires_grad=True).masked_fill(numtorch.tensor([True, False, True]),
                                                           numtorch.tensor(1.0))
    assert node_name(y) == "MaskedFillBackward1"


def test_masked_select_and_scatter():
    x, m = randn(3, 4), RNG.random((3, 4)) > 0.4
    check_op(lambda a, m: a.masked_select(m), lambda a, m: a.masked_select(m), x, m)
    check_op(lambda a, m: numtorch.masked_select(a, m), lambda a, m: torch.masked_select(a, m),
             x[:, :1], m)
    check_op(lambda a, m: a.masked_select(m), lambda a, m: a.masked_select(m), noncontig(x), m[0])
    s = randn(4, 4)
    check_op(lambda a, s, m: a.masked_scatter(m, s), lambda a, s, m: a.masked_scatter(m, s),
             x, s, m)
    check_op(lambda a, s, m: numtorch.masked_scatter(a, m, s),
             lambda a, s, m: torch.masked_scatter(a, m, s), x[0], s, m)
    check_op(lambda a, s, m: a.masked_scatter(m, s), lambda a, s, m: a.masked_scatter(m, s),
             np.arange(4), np.arange(6), m[0])


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4, dtype=m.uint8), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4, dtype=m.int64), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(4, dtype=m.bool), m.tensor([1.0])),
    lambda m: m.zeros(3, 4).masked_fill(m.ones(3, dtype=m.bool), 2.0),
    lambda m: m.zeros(3).masked_fill_(m.ones(2, 3, dtype=m.bool), 2.0),
    lambda m: m.zeros(3, 4).masked_select(m.zeros(3, 4, dtype=m.int64)),
    lambda m: m.zeros(3, 4).masked_scatter(m.zeros(3, 4, dtype=m.int64), m.zeros(12)),
    lambda m: m.zeros(3, 4).masked_scatter(m.ones(4, dtype=m.bool), m.zeros(12,
                                                                           dtype=m.float64)),
    lambda m: m.zeros(3, 4).masked_scatter(m.ones(4, dtype=m.bool), m.zeros(11)),
    lambda m: m.zeros(3, 4).masked_select(m.ones(3, dtype=m.bool)),
    lambda m: m.zeros(3, 4).masked_scatter(m.ones(3, dtype=m.bool), m.zeros(20)),
    lambda m: m.zeros(3, 4).masked_scatter_(m.ones(3, dtype=m.bool), m.zeros(20)),
    lambda m: m.zeros(4).masked_scatter_(m.ones(3, 4, dtype=m.bool), m.zeros(20)),
])
def test_masked_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


# --- take / put / take_along_dim ---------------------------------------------------------------


def test_take_and_put():
    x = randn(3, 4)
    idx = np.array([[0, 11, -1], [5, 5, 0]])
    check_op(lambda a, i: a.take(i), lambda a, i: a.take(i), x, idx)
    check_op(lambda a, i: numtorch.take(a, i), lambda a, i: torch.take(a, i), noncontig(x), idx)
    check_op(lambda a, i: a.take(i), lambda a, i: a.take(i), np.array(2.0, np.float32),
             np.array([0, 0]))
    s = randn(2, 3)
    for acc in (False, True):
        check_op(lambda a, s, i, acc=acc: a.put(i, s, accumulate=acc),
                 lambda a, s, i, acc=acc: a.put(i, s, accumulate=acc), x, s,
                 np.array([[0, 7, -1], [3, 4, 6]]))
        check_op(lambda a, s, i, acc=acc: numtorch.put(a, i, s, acc), lambda a, s, i, acc=acc: torch.put(a, i, s,
                                                                                        acc),
                 x, s, np.array([[0, 7, -1], [0, 7, 0]]), grad=acc)


def test_take_along_dim():
    x = randn(3, 4)
    idx = np.argsort(x, axis=1)
    check_op(lambda a, i: a.take_along_dim(i, 1), lambda a, i: a.take_along_dim(i, 1), x, idx)
    check_op(lambda a, i: numtorch.take_along_dim(a, i), lambda a, i: torch.take_along_dim(a, i),
             x, np.array([0, 11, 3]))
    check_op(lambda a, i: a.take_along_dim(i, 0), lambda a, i: a.take_along_dim(i, 0), x[:1],
             np.array([[0], [0]]))
    check_op(lambda a, i: a.take_along_dim(i, 1), lambda a, i: a.take_along_dim(i, 1), x,
             np.array([[-1]]))


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(3, 4).take(m.tensor([12])),
    lambda m: m.zeros(3, 4).take(m.tensor([-13])),
    lambda m: m.zeros(3, 4).take(m.tensor([1], dtype=m.int32)),
    lambda m: m.zeros(3, 4).put(m.tensor([12]), m.tensor([9.0])),
    lambda m: m.zeros(3, 4).put(m.tensor([1, 2]), m.tensor([9.0])),
    lambda m: m.zeros(3, 4).put(m.tensor([1]), m.tensor([9.0], dtype=m.float64)),
    lambda m: m.zeros(3, 4).put(m.tensor([1], dtype=m.int32), m.tensor([9.0])),
    lambda m: m.zeros(3, 4).take_along_dim(m.tensor([[0]], dtype=m.int32), 0),
    lambda m: m.zeros(3, 4).take_along_dim(m.tensor([0]), 1),
    lambda m: m.zeros(2, 4).take_along_dim(m.tensor([[1], [2], [0]]), 1),
    lambda m: m.tensor(3.0).take_along_dim(m.tensor(0), 0),
])
def test_take_put_errors_match_torch(call):
    same_error(lambda: call(numtorch), lambda: call(torch))


# --- nonzero / argwhere ------------------------------------------------------------------------


def test_nonzero_and_argwhere():
    for a in (np.array([[0, 1, 0], [2, 0, 3]]), np.zeros((2, 3)), np.array(5.0), np.array(0.0),
              np.array([True, False, True])):
        x, t = numtorch.tensor(a), torch.tensor(a)
        assert_same(x.nonzero(), t.nonzero())
        assert_same(numtorch.nonzero(x, as_tuple=True), torch.nonzero(t, as_tuple=True))
        assert_same(numtorch.argwhere(x), torch.argwhere(t))


# --- in-place forms ----------------------------------------------------------------------------

INPLACE = [
    ("scatter_", lambda m: (1, m.tensor([[0, 2, 1]]), m.ones(1, 3)), {}),
    ("scatter_", lambda m: (1, m.tensor([[0], [2]]),), {"value": 4.0}),
    ("scatter_add_", lambda m: (0, m.tensor([[0, 0, 1], [0, 0, 0]]), m.ones(2, 3)), {}),
    ("scatter_reduce_", lambda m: (0, m.tensor([[0, 0, 1]]), m.ones(1, 3) * 3, "amax"),
     {"include_self": False}),
    ("index_add_", lambda m: (1, m.tensor([0, 0]), m.ones(2, 2)), {"alpha": -2}),
    ("index_copy_", lambda m: (0, m.tensor([1]), m.ones(1, 3) * 5), {}),
    ("index_fill_", lambda m: (1, m.tensor([2]), -3.0), {}),
    ("masked_fill_", lambda m: (m.tensor([True, False, True]), 9.0), {}),
    ("masked_scatter_", lambda m: (m.tensor([[True, False, True]] * 2), m.arange(6.0)), {}),
    ("put_", lambda m: (m.tensor([0, 5]), m.tensor([1.0, 2.0])), {"accumulate": True}),
    ("index_put_", lambda m: ((m.tensor([1, 1]), m.tensor([0, 0])), m.tensor([1.0, 2.0]), True),
     {}),
]


@pytest.mark.parametrize("name,make_args,kwargs", INPLACE)
def test_inplace_forms_values_version_and_grads(name, make_args, kwargs):
    x0 = randn(2, 3)
    # untracked: written in place, version bumped, same object returned
    x, t = numtorch.tensor(x0), torch.tensor(x0)
    v0 = x._version
    assert getattr(x, name)(*make_args(numtorch), **kwargs) is x
    getattr(t, name)(*make_args(torch), **kwargs)
    assert_same(x, t)
    assert x._version == v0 + 1
    # tracked on a non-leaf: same values, gradients and node name as torch
    grads = []
    for m in (numtorch, torch):
        leaf = m.tensor(x0, requires_grad=True)
        y = leaf * 2
        getattr(y, name)(*make_args(m), **kwargs)
        (y * m.tensor(x0)).sum().backward()
        grads.append((y, leaf.grad, node_name(y)))
    assert_same(grads[0][0], grads[1][0])
    assert_same(grads[0][1], grads[1][1])
    assert grads[0][2] == grads[1][2]
    # on a leaf that requires grad
    same_error(lambda: getattr(numtorch.tensor(x0, requires_grad=True), name)(
        *make_args(numtorch), **kwargs),
        lambda: getattr(torch.tensor(x0, requires_grad=True), name)(*make_args(torch), **kwargs))


def test_inplace_on_view_updates_base():
    x, t = numtorch.zeros(3, 4), torch.zeros(3, 4)
    x[1].index_fill_(0, numtorch.tensor([0, 3]), 2.0)
    t[1].index_fill_(0, torch.tensor([0, 3]), 2.0)
    x[:, 2].masked_fill_(numtorch.tensor([True, False, True]), 5.0)
    t[:, 2].masked_fill_(torch.tensor([True, False, True]), 5.0)
    x.t()[0].scatter_(0, numtorch.tensor([1]), 7.0)
    t.t()[0].scatter_(0, torch.tensor([1]), 7.0)
    assert_same(x, t)


def test_inplace_with_src_requiring_grad_on_plain_tensor():
    s0 = randn(2, 3)
    out = []
    for m in (numtorch, torch):
        s = m.tensor(s0, requires_grad=True)
        x = m.zeros(3, 3)
        x.scatter_add_(0, m.tensor([[0, 1, 2], [0, 0, 0]]), s)
        (x * x).sum().backward()
        out.append((x, s.grad, node_name(x)))
    assert_same(out[0][0], out[1][0])
    assert_same(out[0][1], out[1][1])
    assert out[0][2] == out[1][2] == "ScatterAddBackward0"


# --- double backward ---------------------------------------------------------------------------


def test_double_backward_through_gather_and_index():
    for m in (numtorch, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        i = m.tensor([0, 0, 2])
        y = (x.gather(0, i) ** 3).sum() + (x[i] ** 2).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        if m is numtorch:
            got = (g, gg)
        else:
            assert_same(got[0], g)
            assert_same(got[1], gg)


# --- gradcheck (float64) -----------------------------------------------------------------------

GRADCHECK = [
    ("getitem", lambda x: x[1:, [0, 2, 0]][:, None], (3, 4)),
    ("getitem_mask", lambda x: x[x.detach() > 0], (3, 4)),
    ("gather", lambda x: x.gather(1, numtorch.tensor([[0, 0], [2, 1], [1, 1]])), (3, 4)),
    ("scatter", lambda x, s: x.scatter(0, numtorch.tensor([[0, 1, 2]]), s), (3, 3), (1, 3)),
    ("scatter_value", lambda x: x.scatter(1, numtorch.tensor([[0], [2]]), 1.5), (2, 3)),
    ("scatter_add", lambda x, s: x.scatter_add(0, numtorch.tensor([[0, 0, 2], [0, 1, 2]]), s),
     (3, 3), (2, 3)),
    ("scatter_reduce_sum", lambda x, s: x.scatter_reduce(0, numtorch.tensor([[0, 0, 2]]), s,
                                                         "sum", include_self=False),
     (3, 3), (1, 3)),
    ("scatter_reduce_mean", lambda x, s: x.scatter_reduce(0, numtorch.tensor([[0, 0, 2]] * 2),
                                                          s, "mean"), (3, 3), (2, 3)),
    ("scatter_reduce_prod", lambda x, s: x.scatter_reduce(0, numtorch.tensor([[0, 0, 2]] * 2),
                                                          s, "prod"), (3, 3), (2, 3)),
    ("scatter_reduce_amax", lambda x, s: x.scatter_reduce(0, numtorch.tensor([[0, 0, 2]] * 2),
                                                          s, "amax"), (3, 3), (2, 3)),
    ("index_select", lambda x: x.index_select(0, numtorch.tensor([2, 0, 2])), (3, 2)),
    ("index_add", lambda x, s: x.index_add(0, numtorch.tensor([1, 1]), s, alpha=3), (3, 2),
     (2, 2)),
    ("index_copy", lambda x, s: x.index_copy(1, numtorch.tensor([2, 0]), s), (3, 3), (3, 2)),
    ("index_fill", lambda x, v: x.index_fill(1, numtorch.tensor([1]), v), (2, 3), ()),
    ("masked_fill", lambda x, v: x.masked_fill(numtorch.tensor([True, False, True]), v), (2, 3),
     ()),
    ("masked_select", lambda x: x.masked_select(numtorch.tensor([True, False, True])), (2, 3)),
    ("masked_scatter", lambda x, s: x.masked_scatter(numtorch.tensor([True, False, True]), s),
     (2, 3), (5,)),
    ("take", lambda x: x.take(numtorch.tensor([[0, 5], [5, -1]])), (2, 3)),
    ("put", lambda x, s: x.put(numtorch.tensor([0, 4]), s), (2, 3), (2,)),
    ("take_along_dim", lambda x: x.take_along_dim(numtorch.tensor([[1], [0]]), 1), (2, 3)),
    ("index_put", lambda x, v: x.index_put((numtorch.tensor([0, 0, 1]),), v, accumulate=True),
     (3, 2), (3, 2)),
]


@pytest.mark.parametrize("name,fn,shapes", [(g[0], g[1], g[2:]) for g in GRADCHECK],
                         ids=[g[0] for g in GRADCHECK])
def test_gradcheck(name, fn, shapes):
    inputs = tuple(leaf64(*s) for s in shapes)
    assert gradcheck(fn, inputs)


def test_gradcheck_setitem():
    def fn(x, v):
        y = x * 1
        y[0, [0, 2]] = v
        y[1:] = v.sum()
        return y

    inputs = (leaf64(3, 3), leaf64(2))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(lambda x, v: fn(x, v) ** 2, inputs)


def gradgradcheck(fn, inputs):
    try:
        return numtorch.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    except NotImplementedError:
        pytest.skip("numtorch.autograd.gradgradcheck has not landed yet")


@pytest.mark.parametrize("name,fn,shapes", [(g[0], g[1], g[2:]) for g in GRADCHECK],
                         ids=[g[0] for g in GRADCHECK])
def test_gradgradcheck(name, fn, shapes):
    inputs = tuple(leaf64(*s) for s in shapes)
    assert gradgradcheck(lambda *a: fn(*a) ** 2, inputs)


def test_copyslices_backward_after_inplace_op_on_views():
    x0, w = randn(3, 4), randn(3, 4)
    out = []
    for m in (numtorch, torch):
        x = m.tensor(x0, requires_grad=True)
        y = x * 1
        y[1].mul_(3.0)
        y.t()[2].add_(y[0, :3] * 2)
        (y * m.tensor(w)).sum().backward()
        out.append((y, x.grad, node_name(y)))
    assert_same(out[0][0], out[1][0])
    assert_same(out[0][1], out[1][1])
    assert out[0][2] == out[1][2] == "CopySlices"


def _random_index(r, shape, m):
    """A random mix of ints, slices, None, ..., bools, int lists/tensors and masks."""
    items, d = [], 0
    for _ in range(r.randrange(1, 4)):
        size = shape[d] if d < len(shape) else 0
        k = r.randrange(9)
        if k == 0 and size:
            items.append(r.randrange(-size, size))
        elif k == 1:
            items.append(slice(r.choice([None, 0, 1, -1, 5]), r.choice([None, 2, -1, 10]),
                               r.choice([None, 1, 2, 3])))
        elif k == 2:
            items.append(None)
            continue
        elif k == 3 and Ellipsis not in items:
            items.append(Ellipsis)
            continue
        elif k == 4 and size:
            items.append([r.randrange(-size, size) for _ in range(r.randrange(4))])
        elif k == 5 and size:
            items.append(m.tensor([r.randrange(-size, size) for _ in range(r.randrange(1, 4))]))
        elif k == 6 and size:
            items.append(m.tensor([r.random() < 0.5 for _ in range(size)]))
        elif k == 7:
            items.append(r.random() < 0.5)
            continue
        else:
            items.append(slice(None))
        d += 1
    return tuple(items)


@pytest.mark.parametrize("seed", range(12))
def test_random_indices_get_and_set_match_torch(seed):
    import random

    shapes = [(3, 4, 5), (4, 3), (5,), (2, 3, 4, 2)]
    for k in range(25):
        case = seed * 100 + k
        shape = shapes[case % len(shapes)]
        x0 = np.random.default_rng(case).standard_normal(shape).astype(np.float32)
        t_idx = _random_index(random.Random(case), shape, torch)
        n_idx = _random_index(random.Random(case), shape, numtorch)
        try:
            t_out = torch.tensor(x0)[t_idx]
        except (IndexError, RuntimeError, ValueError):
            same_error(lambda x0=x0, i=n_idx: numtorch.tensor(x0)[i],
                       lambda x0=x0, i=t_idx: torch.tensor(x0)[i])
            continue
        check_op(lambda a, i=n_idx: a[i], lambda a, i=t_idx: a[i], x0)
        v = np.random.default_rng(case + 1).standard_normal(tuple(t_out.shape)).astype(np.float32)
        x, t = numtorch.tensor(x0), torch.tensor(x0)
        x[n_idx], t[t_idx] = numtorch.tensor(v), torch.tensor(v)
        assert_same(x, t)


@pytest.mark.parametrize("make, args", [
    ("lib.zeros(3, 3)", (1.0,)), ("lib.zeros(5, 3)", (1.0, True)), ("lib.zeros(5, 3)", (1.0,)),
    ("lib.zeros(3, 5)", (2.0, True)), ("lib.zeros(2, 2, 2)", (3.0,)),
    ("lib.zeros(2, 2, dtype=lib.long)", (2.7,)), ("lib.zeros(4, 4)[:, ::2]", (5.0,)),
    ("lib.zeros(0, 3)", (1.0,)), ("lib.zeros(2, 3, 2)", (1.0,)), ("lib.zeros(3)", (1.0,)),
])
def test_fill_diagonal_as_torch(make, args):
    outcomes = []
    for lib in (numtorch, torch):
        t = eval(make, {"lib": lib})
        try:
            outcomes.append(t.fill_diagonal_(*args).tolist())
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def test_fill_diagonal_gradient_and_leaf_error_as_torch():
    grads, errors = [], []
    for lib in (numtorch, torch):
        w = lib.ones(3, 3, requires_grad=True)
        y = (w * 2).fill_diagonal_(0)
        assert type(y.grad_fn).__name__ == "CopySlices"
        y.sum().backward()
        grads.append(w.grad.tolist())
        with pytest.raises(RuntimeError) as e:
            lib.ones(2, 2, requires_grad=True).fill_diagonal_(1)
        errors.append(str(e.value))
    assert grads[0] == grads[1] and errors[0] == errors[1]


# --- regressions found by differential fuzzing ---------------------------------------------------


@pytest.mark.parametrize("value", [lambda m: m.tensor(np.arange(6.0)),          # float64 into float32
                                   lambda m: m.tensor(np.arange(6)),            # int64
                                   lambda m: m.ones(1, 1, 6)])
def test_setitem_lone_true_is_a_plain_copy_of_any_dtype(value):
    x = randn(4, 5, 6)
    a, t = numtorch.tensor(x), torch.tensor(x)
    a[True] = value(numtorch)
    t[True] = value(torch)
    assert_same(a, t)


def test_setitem_lone_false_writes_and_checks_nothing():
    x = randn(4, 5, 6)
    a, t = numtorch.tensor(x), torch.tensor(x)
    v_a = numtorch.tensor(randn(4), requires_grad=True)
    v_t = to_torch(v_a)
    a[False] = v_a  # a value of a shape that would not broadcast: still fine
    t[False] = v_t
    assert_same(a, t)
    b = numtorch.tensor(x, requires_grad=True).clone()
    b[False] = v_a
    b.sum().backward()
    assert v_a.grad is None


def test_setitem_uint8_mask_with_a_single_value_is_refused_like_masked_fill():
    x = randn(4, 5)
    mask = np.array([1, 0, 1, 1], dtype=np.uint8)
    a, t = numtorch.tensor(x), torch.tensor(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for value in (lambda m: 1.5, lambda m: m.tensor([2.0])):
            same_error(lambda v=value: a.__setitem__(numtorch.tensor(mask), v(numtorch)),
                       lambda v=value: t.__setitem__(torch.tensor(mask), v(torch)))
        same_error(lambda: a.index_put_((numtorch.tensor(mask),), numtorch.tensor(1.0)),
                   lambda: t.index_put_((torch.tensor(mask),), torch.tensor(1.0)))
        # A value of several elements goes through index_put proper: fine.
        a[numtorch.tensor(mask)] = numtorch.tensor(randn(5))
        t[torch.tensor(mask)] = to_torch(a[0])
        assert_same(a, t)


def test_index_put_of_a_one_element_value_through_a_single_mask_takes_any_dtype():
    x = randn(4, 5)
    mask = RNG.random((4, 5)) > 0.5
    a = numtorch.tensor(x).index_put_((numtorch.tensor(mask),), numtorch.tensor(2.0, dtype=numtorch.float64))
    t = torch.tensor(x).index_put_((torch.tensor(mask),), torch.tensor(2.0, dtype=torch.float64))
    assert_same(a, t)
    a = numtorch.tensor(x).index_put((numtorch.tensor(mask),), numtorch.tensor([7]))
    t = torch.tensor(x).index_put((torch.tensor(mask),), torch.tensor([7]))
    assert_same(a, t)


def test_one_element_value_with_a_mask_and_another_index_must_match_dtype():
    x = randn(4, 5)
    mask = np.array([True, False, True, True])
    a, t = numtorch.tensor(x), torch.tensor(x)
    same_error(lambda: a.__setitem__((numtorch.tensor(mask), numtorch.tensor([0, 1, 2])),
                                     numtorch.tensor(2.0, dtype=numtorch.float64)),
               lambda: t.__setitem__((torch.tensor(mask), torch.tensor([0, 1, 2])),
                                     torch.tensor(2.0, dtype=torch.float64)))


def test_index_put_checks_the_value_shape_before_its_dtype():
    x = randn(4, 5, 6)
    a, t = numtorch.tensor(x), torch.tensor(x)
    idx = np.array([0, 1])
    same_error(lambda: a.__setitem__((numtorch.tensor(idx), slice(None), numtorch.tensor(idx)),
                                     numtorch.tensor(np.arange(6.0))),
               lambda: t.__setitem__((torch.tensor(idx), slice(None), torch.tensor(idx)),
                                     torch.tensor(np.arange(6.0))))
    same_error(lambda: a.index_put_((numtorch.tensor(idx),), numtorch.tensor(np.arange(4.0))),
               lambda: t.index_put_((torch.tensor(idx),), torch.tensor(np.arange(4.0))))


@pytest.mark.parametrize("case", ["getitem mask", "getitem long", "setitem mask", "index_put",
                                  "masked_select mask", "index_reduce long", "gather long",
                                  "scatter long", "scatter value long", "scatter_add long",
                                  "scatter_reduce sum long", "scatter_reduce amax long",
                                  "index_select long", "index_add long", "index_copy long",
                                  "index_fill long", "take long", "put long"])
def test_an_index_tensor_changed_in_place_before_backward_is_refused_as_in_torch(case):
    """PyTorch keeps the index tensors for backward and checks their versions: one changed
    in place after the op gives its error, and an unchanged one its gradient."""
    def run(lib, change):
        a = lib.zeros(4, requires_grad=True)
        v = lib.ones(2, requires_grad=True)
        if "mask" in case:
            idx = lib.tensor([True, False, True, False])
        else:
            idx = lib.tensor([0, 2])
        if case.startswith("getitem"):
            out = a[idx] * 2
        elif case.startswith("masked_select"):
            out = lib.masked_select(a, idx) * 2
        elif case.startswith("index_reduce"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "index_reduce() is in beta"
                out = a.index_reduce(0, idx, v * 3, "mean")
        elif case.startswith(("gather", "index_select", "take")):
            out = getattr(lib, case.split()[0])(a, *(() if case[0] == "t" else (0,)), idx) * 2
        elif case.startswith("scatter_reduce"):
            out = a.scatter_reduce(0, idx, v * 3, case.split()[1])
        elif case.startswith(("scatter", "index_add", "index_copy", "put")):
            name = case.split()[0]
            src = 5.0 if "value" in case else v * 3
            out = getattr(a, name)(*(() if name == "put" else (0,)), idx, src)
        elif case.startswith("index_fill"):
            out = a.index_fill(0, idx, v.sum())
        elif case == "setitem mask":
            out = a.clone()
            out[idx] = v * 3
        else:
            out = a.index_put((idx,), v * 3)
        if change:
            idx.logical_not_() if idx.dtype == lib.bool else idx.add_(1)
        out.sum().backward()
        return a.grad.tolist(), None if v.grad is None else v.grad.tolist()

    assert run(numtorch, False) == run(torch, False)
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient "
                                               r"computation has been modified by an inplace "
                                               r"operation: \[(CPUBoolType|\w+\.LongTensor) "
                                               r"\[\d\]\] is at version 1; expected version 0"):
            run(lib, True)
