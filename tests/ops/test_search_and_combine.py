"""block_diag, cartesian_prod, combinations, searchsorted, bucketize, isin, unravel_index,
tril_indices, triu_indices and vander against PyTorch: values, dtypes, gradients, grad_fn
names, 0-d and empty inputs, non-contiguous inputs, ``out=`` and error messages."""

import numpy as np
import pytest

import numtorch
from numtorch.ops import index as nt_index
from tests.utils import assert_same, check_op, noncontig, torch

RNG = np.random.default_rng(0)
NAN = float("nan")


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def parity(call):
    """``call(lib)`` gives the same result (values, dtype, shape) or the same error
    (type and message, 'torch.' read as 'numtorch.') with numtorch as with torch."""
    try:
        ref = call(torch)
    except Exception as e:  # noqa: BLE001 - the error is what we compare
        with pytest.raises(type(e)) as got:
            call(numtorch)
        want = str(e).replace("torch.", "numtorch.")
        assert str(got.value) == want, f"{got.value!s} != {want}"
        return None
    out = call(numtorch)
    assert_same(out, ref)
    return out


def node_name(t):
    return type(t.grad_fn).__name__


def gradcheck(fn, *inputs):
    assert numtorch.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def leaf64(*shape):
    return numtorch.tensor(randn(*shape, dtype=np.float64), requires_grad=True)


# --- block_diag -------------------------------------------------------------------------


def test_block_diag_values_and_gradients_match_torch():
    out = check_op(lambda *xs: numtorch.block_diag(*xs), lambda *xs: torch.block_diag(*xs),
                   randn(2, 3), randn(3), np.array(5.0, dtype=np.float32), randn(0, 2),
                   randn(1, 1))
    assert node_name(out) == "BlockDiagBackward0"


def test_block_diag_promotes_dtypes_and_takes_noncontiguous_blocks():
    parity(lambda lib: lib.block_diag(lib.tensor([1, 2]), lib.tensor([True]),
                                      lib.tensor([[1.5]], dtype=lib.float64)))
    a = noncontig(randn(3, 2))
    out = numtorch.block_diag(numtorch.from_numpy(a), numtorch.from_numpy(a.T))
    assert_same(out, torch.block_diag(torch.from_numpy(a.copy()), torch.from_numpy(a.T.copy())))


def test_block_diag_empty_cases_match_torch():
    parity(lambda lib: lib.block_diag())
    parity(lambda lib: lib.block_diag(lib.zeros(0, 3), lib.zeros(2, 0), lib.zeros(0)))


def test_block_diag_errors_match_torch():
    parity(lambda lib: lib.block_diag(lib.ones(2), lib.ones(2, 2, 2)))
    parity(lambda lib: lib.block_diag(lib.ones(2), [1, 2]))


def test_block_diag_gradcheck():
    gradcheck(lambda a, b, c: numtorch.block_diag(a, b, c), leaf64(2, 3), leaf64(2),
              numtorch.tensor(1.5, dtype=numtorch.float64, requires_grad=True))


# --- cartesian_prod / combinations ------------------------------------------------------


def test_cartesian_prod_values_and_gradients_match_torch():
    out = check_op(lambda *xs: numtorch.cartesian_prod(*xs),
                   lambda *xs: torch.cartesian_prod(*xs), randn(3), randn(2), randn(2))
    assert node_name(out) == "StackBackward0"
    check_op(lambda *xs: numtorch.cartesian_prod(*xs), lambda *xs: torch.cartesian_prod(*xs),
             np.arange(3), np.arange(0))
    check_op(numtorch.cartesian_prod, torch.cartesian_prod, noncontig(randn(4)), randn(2))


def test_cartesian_prod_of_one_tensor_is_that_tensor():
    x = numtorch.tensor([1.0, 2.0])
    assert numtorch.cartesian_prod(x) is x


@pytest.mark.parametrize("args", [(), ((0.5,),), (1.0, [1.0, 2.0]), ([[1.0]],), ([1], [1.0])])
def test_cartesian_prod_errors_match_torch(args):
    parity(lambda lib: lib.cartesian_prod(*[lib.tensor(a) for a in args]))
    parity(lambda lib: lib.cartesian_prod([1, 2]))


@pytest.mark.parametrize("r,rep", [(2, False), (3, False), (1, False), (2, True), (4, True),
                                   (5, False)])
def test_combinations_values_and_gradients_match_torch(r, rep):
    out = check_op(numtorch.combinations, torch.combinations, randn(4), r=r,
                   with_replacement=rep)
    assert node_name(out) == "StackBackward0"


def test_combinations_edge_cases_match_torch():
    check_op(numtorch.combinations, torch.combinations, randn(4), r=0)
    check_op(numtorch.combinations, torch.combinations, randn(0))
    check_op(numtorch.combinations, torch.combinations, randn(1), r=3, with_replacement=True)
    check_op(numtorch.combinations, torch.combinations, noncontig(randn(5)), r=3)
    parity(lambda lib: lib.combinations(lib.tensor([1, 2, 3])))
    parity(lambda lib: lib.combinations(lib.tensor([True, False]), with_replacement=True))


@pytest.mark.parametrize("call", [
    lambda lib: lib.combinations(lib.tensor(1.0)),
    lambda lib: lib.combinations(lib.ones(2, 2)),
    lambda lib: lib.combinations(lib.ones(3), -1),
    lambda lib: lib.combinations(lib.ones(3), r=1.5),
])
def test_combinations_errors_match_torch(call):
    parity(call)


def test_cartesian_prod_and_combinations_gradcheck():
    gradcheck(lambda a, b: numtorch.cartesian_prod(a, b), leaf64(3), leaf64(2))
    gradcheck(lambda a: numtorch.combinations(a, 3, with_replacement=True), leaf64(3))


# --- searchsorted / bucketize -----------------------------------------------------------

SEQ = [[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]
VALS = [[3, 6, 9], [3, 6, 9]]


@pytest.mark.parametrize("kw", [{}, {"right": True}, {"side": "right"}, {"side": "left"},
                                {"out_int32": True}, {"side": "right", "right": True}])
def test_searchsorted_matches_torch(kw):
    parity(lambda lib: lib.searchsorted(lib.tensor(SEQ), lib.tensor(VALS), **kw))
    parity(lambda lib: lib.searchsorted(lib.tensor(SEQ[0]), lib.tensor(VALS), **kw))
    parity(lambda lib: lib.searchsorted(lib.tensor(SEQ[0]), 5, **kw))
    parity(lambda lib: lib.searchsorted(lib.tensor(SEQ[0], dtype=lib.float32), 4.5, **kw))


def test_searchsorted_batched_random_rows_match_torch():
    seq = np.sort(randn(3, 4, 50), axis=-1)
    seq[0, 0, 10:20] = seq[0, 0, 10]  # runs of equal values
    vals = randn(3, 4, 7)
    vals[1, 2, :3] = seq[1, 2, [0, 5, 49]]
    for right in (False, True):
        parity(lambda lib, right=right: lib.searchsorted(lib.tensor(seq), lib.tensor(vals), right=right))
        parity(lambda lib, right=right: lib.searchsorted(lib.tensor(seq[0, 0]), lib.tensor(vals),
                                            right=right))
    a = noncontig(seq[0])
    got = numtorch.searchsorted(numtorch.from_numpy(a), numtorch.from_numpy(noncontig(vals[0])))
    assert_same(got, torch.searchsorted(torch.tensor(a), torch.tensor(vals[0])))


def test_searchsorted_with_sorter_matches_torch():
    seq = randn(3, 6)
    order = np.argsort(seq, axis=-1)
    vals = randn(3, 4)
    for side in ("left", "right"):
        parity(lambda lib, side=side: lib.searchsorted(lib.tensor(seq), lib.tensor(vals), side=side,
                                            sorter=lib.tensor(order)))
        parity(lambda lib, side=side: lib.searchsorted(lib.tensor(seq[0]), lib.tensor(vals), side=side,
                                            sorter=lib.tensor(order[0])))


@pytest.mark.parametrize("seq,vals", [
    ([0.0, NAN], [NAN, 1.0]), ([0.0, 2.0], [NAN, 1.0]), ([NAN, NAN, 1.0], [0.0, NAN]),
    ([[0.0, NAN, 3.0], [1.0, 2.0, 3.0]], [[1.0, 5.0], [NAN, 2.0]]),
])
def test_searchsorted_with_nan_follows_torchs_search(seq, vals):
    for right in (False, True):
        parity(lambda lib, right=right: lib.searchsorted(lib.tensor(seq), lib.tensor(vals), right=right))


def test_searchsorted_promotes_and_handles_empty():
    parity(lambda lib: lib.searchsorted(lib.tensor([16777216.0]), lib.tensor([16777217])))
    parity(lambda lib: lib.searchsorted(lib.tensor([1, 3]), lib.tensor(2.5, dtype=lib.float64)))
    parity(lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0], dtype=lib.float16),
                                        lib.tensor([1.5])))
    parity(lambda lib: lib.searchsorted(lib.zeros(0), lib.tensor([2.5])))
    parity(lambda lib: lib.searchsorted(lib.zeros(2, 0), lib.ones(2, 3)))
    parity(lambda lib: lib.searchsorted(lib.zeros(0, 3), lib.ones(0, 3)))
    parity(lambda lib: lib.searchsorted(lib.zeros(2, 3, 4), lib.ones(2, 3, 1)))


def test_searchsorted_out_matches_torch():
    for dt, flag in ((torch.int64, False), (torch.int32, True)):
        ref = torch.empty(0, dtype=dt)
        out = numtorch.empty(0, dtype=getattr(numtorch, str(dt)[6:]))
        r = numtorch.searchsorted(numtorch.tensor(SEQ), numtorch.tensor(VALS), out_int32=flag,
                                  out=out)
        torch.searchsorted(torch.tensor(SEQ), torch.tensor(VALS), out_int32=flag, out=ref)
        assert r is out
        assert_same(out, ref)


@pytest.mark.parametrize("call", [
    lambda lib: lib.searchsorted(lib.tensor(SEQ), 5),
    lambda lib: lib.searchsorted(lib.tensor(SEQ), lib.tensor(5)),
    lambda lib: lib.searchsorted(lib.tensor(SEQ), lib.tensor([5])),
    lambda lib: lib.searchsorted(lib.tensor(SEQ), lib.ones(3, 3)),
    lambda lib: lib.searchsorted(lib.tensor(1.0), lib.ones(3)),
    lambda lib: lib.searchsorted(lib.zeros(2, 3, 4), lib.ones(2, 2, 1)),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.ones(1), side="middle"),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.ones(1), side="left", right=True),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.ones(1), side=3),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1.0]), lib.ones(1), sorter=lib.tensor([1])),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1.0]), lib.ones(1),
                                 sorter=lib.tensor([1, 0], dtype=lib.int32)),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1.0]), lib.ones(1), sorter=lib.tensor([1, 2])),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1.0]), lib.ones(1), sorter=[1, 0]),
    lambda lib: lib.searchsorted([1, 2], lib.ones(1)),
    lambda lib: lib.searchsorted(lib.tensor([1, 2]), [2.5]),
    lambda lib: lib.searchsorted(lib.tensor([1, 2]), lib.ones(1), out=lib.empty(1)),
    lambda lib: lib.searchsorted(lib.tensor([1, 2]), lib.ones(1),
                                 out=lib.empty(1, dtype=lib.int32)),
    lambda lib: lib.searchsorted(lib.tensor([True, False]), lib.tensor([True])),
])
def test_searchsorted_errors_match_torch(call):
    parity(call)


def test_bucketize_matches_torch():
    b = [1.0, 3.0, 5.0, 7.0, 9.0]
    v = randn(4, 3) * 5
    v[0, :2] = [3.0, 9.0]
    for kw in ({}, {"right": True}, {"out_int32": True}):
        parity(lambda lib, kw=kw: lib.bucketize(lib.tensor(v), lib.tensor(b), **kw))
        parity(lambda lib, kw=kw: lib.bucketize(lib.tensor(3.0), lib.tensor(b), **kw))
        parity(lambda lib, kw=kw: lib.bucketize(lib.zeros(0, 3), lib.tensor(b), **kw))
    parity(lambda lib: lib.bucketize(lib.tensor([1, 4]), lib.tensor(b)))
    parity(lambda lib: lib.bucketize(lib.tensor([True]), lib.tensor(b)))
    parity(lambda lib: lib.bucketize(lib.tensor(v), lib.zeros(0)))
    x = numtorch.from_numpy(noncontig(v))
    assert_same(numtorch.bucketize(x, numtorch.tensor(b)),
                torch.bucketize(torch.tensor(v), torch.tensor(b)))
    x = numtorch.tensor(v, requires_grad=True)
    assert numtorch.bucketize(x, numtorch.tensor(b)).grad_fn is None


def test_bucketize_takes_a_python_number():
    # numtorch.bucketize goes through numtorch/_input_check.py, which refuses a number as
    # ``input`` until "bucketize" is listed there: the op itself is tested here.
    b = [1.0, 3.0, 5.0, 7.0, 9.0]
    for value in (3, 3.5, True):
        for right in (False, True):
            got = nt_index.bucketize(value, numtorch.tensor(b), right=right)
            assert_same(got, torch.bucketize(value, torch.tensor(b), right=right))


def test_bucketize_out_matches_torch():
    out, ref = numtorch.empty(5, dtype=numtorch.int64), torch.empty(0, dtype=torch.int64)
    numtorch.bucketize(numtorch.tensor([2.0, 8.0]), numtorch.tensor([1.0, 5.0]), out=out)
    torch.bucketize(torch.tensor([2.0, 8.0]), torch.tensor([1.0, 5.0]), out=ref)
    assert_same(out, ref)


@pytest.mark.parametrize("call", [
    lambda lib: lib.bucketize(lib.ones(3), lib.ones(2, 2)),
    lambda lib: lib.bucketize(lib.ones(3), lib.tensor(2.0)),
    lambda lib: lib.bucketize(lib.ones(3), [1.0, 2.0]),
    lambda lib: lib.bucketize(lib.ones(3), lib.ones(2), right=None),
    lambda lib: lib.bucketize(lib.ones(3), lib.ones(2), out=[1]),
    lambda lib: lib.bucketize(lib.ones(3), lib.ones(2), out=lib.empty(0, dtype=lib.int32)),
    lambda lib: lib.bucketize(lib.ones(3), lib.ones(2), out_int32=True, out=lib.empty(0)),
    lambda lib: lib.bucketize(lib.tensor([True]), lib.tensor([False, True])),
])
def test_bucketize_errors_match_torch(call):
    parity(call)


# --- isin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("invert", [False, True])
def test_isin_matches_torch(invert):
    e = RNG.integers(0, 10, (4, 5))
    t = RNG.integers(0, 10, 6)
    parity(lambda lib: lib.isin(lib.tensor(e), lib.tensor(t), invert=invert))
    parity(lambda lib: lib.isin(lib.tensor(e), lib.tensor(t), invert=invert, assume_unique=True))
    parity(lambda lib: lib.isin(lib.tensor(e), 3, invert=invert))
    parity(lambda lib: lib.isin(3, lib.tensor(t), invert=invert))
    parity(lambda lib: lib.isin(lib.tensor(3), lib.zeros(0), invert=invert))
    parity(lambda lib: lib.isin(lib.zeros(0, 2), lib.zeros(3), invert=invert))
    parity(lambda lib: lib.isin(lib.tensor([1.0, NAN, 2.5]), lib.tensor([NAN, 2.5]),
                                invert=invert))
    x = numtorch.from_numpy(noncontig(e.astype(np.float32)))
    assert_same(numtorch.isin(x, numtorch.tensor(t), invert=invert),
                torch.isin(torch.tensor(e.astype(np.float32)), torch.tensor(t), invert=invert))


def test_isin_compares_in_the_promoted_dtype():
    parity(lambda lib: lib.isin(lib.tensor([1, 2], dtype=lib.int8), lib.tensor([258, 2])))
    parity(lambda lib: lib.isin(lib.tensor([1, 2], dtype=lib.uint8), lib.tensor([-254])))
    parity(lambda lib: lib.isin(lib.tensor([16777217]), 16777216.0))
    parity(lambda lib: lib.isin(lib.tensor([1, 2]), lib.tensor([2.0, 3.5])))
    parity(lambda lib: lib.isin(lib.tensor([1.0, 2.0], dtype=lib.float16),
                                lib.tensor([2.0], dtype=lib.float64)))


def test_isin_out_and_no_grad():
    out = numtorch.empty(0, dtype=numtorch.bool)
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    assert numtorch.isin(x, numtorch.tensor([2.0]), out=out) is out
    assert_same(out, torch.tensor([False, True]))
    assert numtorch.isin(x, numtorch.tensor([2.0])).grad_fn is None


@pytest.mark.parametrize("call", [
    lambda lib: lib.isin(2, 3),
    lambda lib: lib.isin([1, 2], lib.tensor([2.0])),
    lambda lib: lib.isin(lib.tensor([1, 2]), [2]),
    lambda lib: lib.isin(lib.tensor([1.0]), lib.tensor([1.0]), out=[1]),
    lambda lib: lib.isin(lib.tensor([1, 2]), lib.tensor([2]), out=lib.empty(2, dtype=lib.int64)),
    lambda lib: lib.isin(lib.tensor([True]), lib.tensor([1])),
    lambda lib: lib.isin(lib.tensor([1, 0]), lib.tensor([True])),
    lambda lib: lib.isin(lib.tensor([1]), True),
])
def test_isin_errors_match_torch(call):
    parity(call)


# --- unravel_index ------------------------------------------------------------------------


@pytest.mark.parametrize("indices,shape", [
    (4, (3, 2)), ([4, 1], (3, 2)), ([[4, 1], [0, 5]], (3, 2)), ([-1, -6, -7, 6], (3, 2)),
    ([4], 6), ([4], [3, 2]), ([0], ()), ([], (3, 2)), ([], (3, 0)), ([7, 23], (2, 3, 4)),
])
def test_unravel_index_matches_torch(indices, shape):
    parity(lambda lib: lib.unravel_index(lib.tensor(indices, dtype=lib.int64), shape))


def test_unravel_index_of_int32_gives_int64_and_takes_noncontiguous():
    parity(lambda lib: lib.unravel_index(lib.tensor([1, 5], dtype=lib.int32), (3, 2)))
    parity(lambda lib: lib.unravel_index(lib.tensor([1, 5], dtype=lib.uint8), lib.Size([3, 2])))
    a = noncontig(np.arange(6).reshape(2, 3))
    assert_same(numtorch.unravel_index(numtorch.from_numpy(a), (2, 3)),
                torch.unravel_index(torch.tensor(a), (2, 3)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.unravel_index(4, (3, 2)),
    lambda lib: lib.unravel_index([1], (3, 2)),
    lambda lib: lib.unravel_index(lib.tensor([0.0]), (3, 2)),
    lambda lib: lib.unravel_index(lib.tensor([True]), (3, 2)),
    lambda lib: lib.unravel_index(lib.tensor([0]), (3, 0)),
    lambda lib: lib.unravel_index(lib.tensor([0]), (3, -2)),
    lambda lib: lib.unravel_index(lib.tensor([1]), (3.0, 2)),
    lambda lib: lib.unravel_index(lib.tensor([1]), lib.tensor([3, 2])),
    lambda lib: lib.unravel_index(lib.tensor([1]), (lib.tensor(3), 2)),
    lambda lib: lib.unravel_index(lib.tensor([1]), None),
])
def test_unravel_index_errors_match_torch(call):
    parity(call)


# --- tril_indices / triu_indices -----------------------------------------------------------


@pytest.mark.parametrize("fn", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("row,col,offset", [(3, 3, 0), (4, 3, 1), (4, 3, -1), (3, 4, -10),
                                            (3, 4, 10), (0, 4, 0), (0, 0, 0), (5, 2, 2)])
def test_tri_indices_match_torch(fn, row, col, offset):
    parity(lambda lib: getattr(lib, fn)(row, col, offset))
    parity(lambda lib: getattr(lib, fn)(row, col, offset=offset, dtype=lib.int32))


@pytest.mark.parametrize("fn", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("call", [
    lambda f, lib: f(-1, 3), lambda f, lib: f(3, -2), lambda f, lib: f(3.0, 3),
    lambda f, lib: f(True, 3), lambda f, lib: f(3, 3, 0.5), lambda f, lib: f(3, 3, dtype=lib.float32),
    lambda f, lib: f(3, 3, dtype=lib.int16), lambda f, lib: f(3, 3, dtype=lib.uint8),
    lambda f, lib: f(3, 3, dtype=lib.bool), lambda f, lib: f(3, 3, requires_grad=True),
    lambda f, lib: f(lib.tensor(3), 2),
])
def test_tri_indices_errors_match_torch(fn, call):
    parity(lambda lib: call(getattr(lib, fn), lib))


# --- vander --------------------------------------------------------------------------------


def vander_reference(x, N, increasing):
    """torch's vander values written as powers: torch 2.13's own vander fails in backward
    ("modified by an inplace operation"), so gradients are compared with this."""
    powers = x.unsqueeze(1) ** torch.arange(x.shape[0] if N is None else N, dtype=x.dtype)
    return powers if increasing else powers.flip(1)


@pytest.mark.parametrize("N,increasing,name", [
    (None, False, "FlipBackward0"), (2, False, "FlipBackward0"), (4, True, "CopySlices"),
    (None, True, "CopySlices"), (5, False, "FlipBackward0"),
])
def test_vander_values_grad_fn_and_gradients_match_torch(N, increasing, name):
    x = randn(4)
    check_op(numtorch.vander, torch.vander, x, N=N, increasing=increasing, grad=False)
    out = numtorch.vander(numtorch.tensor(x, requires_grad=True), N=N, increasing=increasing)
    ref = torch.vander(torch.tensor(x, requires_grad=True), N=N, increasing=increasing)
    assert node_name(out) == type(ref.grad_fn).__name__ == name
    check_op(numtorch.vander, vander_reference, x, N=N, increasing=increasing, check_dtype=True,
             rtol=1e-5, atol=1e-5)
    x[1] = 0.0  # a zero: the gradient x**(k-1) is still exact there
    check_op(numtorch.vander, vander_reference, x, N=N, increasing=increasing, atol=1e-5)


def test_vander_edge_cases_match_torch():
    for N in (0, 1):
        out = check_op(numtorch.vander, torch.vander, randn(3), N=N)
        assert out.grad_fn is None
    check_op(numtorch.vander, torch.vander, randn(0), grad=False)
    check_op(numtorch.vander, torch.vander, randn(0), N=3, grad=False)
    check_op(numtorch.vander, torch.vander, noncontig(randn(3)), N=3, grad=False)
    for dt in (np.int64, np.int32, np.uint8, np.bool_, np.float16):
        check_op(numtorch.vander, torch.vander, np.array([1, 2, 3]).astype(dt), grad=False)


@pytest.mark.parametrize("call", [
    lambda lib: lib.vander(lib.ones(3), -1),
    lambda lib: lib.vander(lib.tensor(2.0)),
    lambda lib: lib.vander(lib.ones(2, 2)),
    lambda lib: lib.vander([1, 2]),
    lambda lib: lib.vander(lib.ones(3), 2.0),
])
def test_vander_errors_match_torch(call):
    parity(call)


def test_vander_gradcheck_and_double_backward():
    gradcheck(lambda x: numtorch.vander(x, 4), leaf64(3))
    gradcheck(lambda x: numtorch.vander(x, 5, increasing=True), leaf64(2))
    x, t = numtorch.tensor([0.5, -2.0], requires_grad=True), torch.tensor([0.5, -2.0],
                                                                         requires_grad=True)
    (g,) = numtorch.autograd.grad(numtorch.vander(x, 4).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(vander_reference(t, 4, False).sum(), t, create_graph=True)
    assert_same(numtorch.autograd.grad(g.sum(), x)[0], torch.autograd.grad(h.sum(), t)[0])
