"""Shape ops (numtorch/ops/shape.py) against PyTorch: values, gradients, grad_fn names,
which results share memory with their input, error messages, and the in-place shape
methods (``t_``, ``squeeze_``, ``resize_`` ...)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
from tests.utils import check_op, torch

# (id, op written once for both libraries as fn(x, M) with M = numtorch or torch, shapes).
CASES = [
    ("view-flat", lambda x, M: x.view(-1), [(2, 3, 4), (), (0, 3)]),
    ("view-split", lambda x, M: x.view(2, 2, 3, 2), [(2, 3, 4)]),
    ("view-tuple", lambda x, M: x.view((4, -1)), [(2, 3, 4)]),
    ("view_as", lambda x, M: x.view_as(M.zeros(4, 6)), [(2, 3, 4)]),
    ("reshape", lambda x, M: x.reshape(4, -1), [(2, 3, 4), (4, 0)]),
    ("reshape-fn", lambda x, M: M.reshape(x, (-1,)), [(2, 3, 4), ()]),
    ("reshape-kw", lambda x, M: M.reshape(x, shape=(3, 8)), [(2, 3, 4)]),
    ("reshape_as", lambda x, M: x.reshape_as(M.zeros(6, 4)), [(2, 3, 4)]),
    ("flatten", lambda x, M: x.flatten(), [(2, 3, 4), (), (5,), (0, 3)]),
    ("flatten-mid", lambda x, M: M.flatten(x, 1, 2), [(2, 3, 4)]),
    ("unflatten", lambda x, M: x.unflatten(-1, (2, -1)), [(2, 3, 4), (4,)]),
    ("ravel", lambda x, M: x.ravel(), [(2, 3, 4), (), (0, 3)]),
    ("squeeze", lambda x, M: x.squeeze(), [(1, 3, 1), (), (0, 1)]),
    ("squeeze-dim", lambda x, M: x.squeeze(0), [(1, 3, 1), (2, 3), ()]),
    ("squeeze-dims", lambda x, M: M.squeeze(x, (0, -1)), [(1, 3, 1), (2, 3, 1)]),
    ("unsqueeze", lambda x, M: x.unsqueeze(-1), [(2, 3), (), (0,)]),
    ("unsqueeze-fn", lambda x, M: M.unsqueeze(x, 1), [(2, 3)]),
    ("permute", lambda x, M: x.permute(2, 0, -2), [(2, 3, 4), (0, 2, 3)]),
    ("permute-fn", lambda x, M: M.permute(x, (1, 0)), [(3, 4)]),
    ("permute-kw", lambda x, M: M.permute(x, dims=[1, 0]), [(3, 4)]),
    ("transpose", lambda x, M: x.transpose(0, -1), [(2, 3, 4), (3, 4), (5,), ()]),
    ("swapaxes", lambda x, M: M.swapaxes(x, 0, 1), [(2, 3, 4)]),
    ("swapdims", lambda x, M: x.swapdims(-1, 1), [(2, 3, 4)]),
    ("movedim", lambda x, M: x.movedim((0, 1), (2, 0)), [(2, 3, 4)]),
    ("moveaxis", lambda x, M: M.moveaxis(x, -1, 0), [(2, 3, 4), (5,)]),
    ("t", lambda x, M: x.t(), [(3, 4), (5,), ()]),
    ("T", lambda x, M: x.T, [(3, 4)]),
    ("mT", lambda x, M: x.mT, [(2, 3, 4)]),
    ("H", lambda x, M: x.H, [(3, 4)]),
    ("mH", lambda x, M: x.mH, [(2, 3, 4)]),
    ("adjoint", lambda x, M: x.adjoint(), [(2, 3, 4)]),
    ("expand", lambda x, M: x.expand(2, 3, -1), [(3, 1), (1,), (3, 0)]),
    ("expand-0d", lambda x, M: x.expand(3, 2), [()]),
    ("expand-same", lambda x, M: x.expand(3, 4), [(3, 4)]),
    ("expand_as", lambda x, M: x.expand_as(M.zeros(2, 3, 4)), [(3, 1), (4,), ()]),
    ("broadcast_to", lambda x, M: M.broadcast_to(x, (2, 3, 4)), [(3, 1), (1, 4)]),
    ("repeat", lambda x, M: x.repeat(2, 1, 3), [(3, 4), (4,), (), (0, 2)]),
    ("repeat-zero", lambda x, M: x.repeat(0, 2), [(3, 4)]),
    ("tile", lambda x, M: x.tile((2,)), [(3, 4), ()]),
    ("tile-more", lambda x, M: M.tile(x, (2, 1, 2)), [(3, 4)]),
    ("tile-varargs", lambda x, M: x.tile(2, 2), [(3, 4)]),
    ("tile-kw", lambda x, M: M.tile(x, dims=(2,)), [(3, 4)]),
    ("repeat_interleave", lambda x, M: x.repeat_interleave(2), [(3, 4), (), (0,)]),
    ("repeat_interleave-dim", lambda x, M: x.repeat_interleave(3, dim=1), [(3, 4)]),
    ("repeat_interleave-tensor",
     lambda x, M: x.repeat_interleave(M.tensor([1, 0, 3]), dim=0), [(3, 4)]),
    ("repeat_interleave-tensor1",
     lambda x, M: M.repeat_interleave(x, M.tensor([2]), dim=-1), [(3, 4)]),
    ("repeat_interleave-trailing0",
     lambda x, M: x.repeat_interleave(M.tensor([2, 1, 0, 0]), dim=1, output_size=3), [(2, 4)]),
    ("contiguous", lambda x, M: x.contiguous(), [(3, 4), ()]),
    ("clone", lambda x, M: x.clone(), [(3, 4), (), (0,)]),
    ("clone-contiguous", lambda x, M: M.clone(x, memory_format=M.contiguous_format), [(3, 4)]),
    ("narrow", lambda x, M: x.narrow(-1, 1, 2), [(3, 4), (2, 3, 4)]),
    ("narrow-tensor-start", lambda x, M: x.narrow(0, M.tensor(-2), 2), [(3, 4)]),
    ("narrow_copy", lambda x, M: M.narrow_copy(x, 1, 0, 3), [(3, 4)]),
    ("select", lambda x, M: x.select(1, -1), [(3, 4), (2, 3, 4)]),
    ("select-1d", lambda x, M: M.select(x, 0, 2), [(5,)]),
    ("flip", lambda x, M: x.flip(0, -1), [(3, 4), (2, 3, 4)]),
    ("flip-fn", lambda x, M: M.flip(x, (1,)), [(3, 4)]),
    ("flip-kw", lambda x, M: M.flip(x, dims=[0, 1]), [(3, 4)]),
    ("flip-0d", lambda x, M: x.flip(0), [()]),
    ("fliplr", lambda x, M: x.fliplr(), [(3, 4), (2, 3, 4)]),
    ("flipud", lambda x, M: M.flipud(x), [(3, 4), (5,)]),
    ("roll", lambda x, M: x.roll(2), [(3, 4), (), (0, 3)]),
    ("roll-dim", lambda x, M: x.roll(-1, 1), [(3, 4)]),
    ("roll-dims", lambda x, M: M.roll(x, (1, -2), (0, -1)), [(3, 4), (2, 3, 4)]),
    ("rot90", lambda x, M: x.rot90(), [(3, 4)]),
    ("rot90-k", lambda x, M: x.rot90(-3, (2, 0)), [(2, 3, 4)]),
    ("rot90-2", lambda x, M: M.rot90(x, 2, [1, 0]), [(3, 4)]),
    ("rot90-0", lambda x, M: x.rot90(4), [(3, 4)]),
    ("diag-1d", lambda x, M: x.diag(), [(4,), (0,)]),
    ("diag-1d-offset", lambda x, M: M.diag(x, -2), [(3,)]),
    ("diag-2d", lambda x, M: x.diag(1), [(3, 4), (4, 3)]),
    ("diagonal", lambda x, M: x.diagonal(), [(3, 4)]),
    ("diagonal-dims", lambda x, M: M.diagonal(x, -1, 0, 2), [(2, 3, 4)]),
    ("diagonal-far", lambda x, M: x.diagonal(7), [(3, 4)]),
    ("diag_embed", lambda x, M: x.diag_embed(), [(2, 3), (3,)]),
    ("diag_embed-dims", lambda x, M: M.diag_embed(x, 1, 0, 2), [(2, 3)]),
    ("diagflat", lambda x, M: x.diagflat(), [(2, 2), (), (3,)]),
    ("diagflat-offset", lambda x, M: M.diagflat(x, -1), [(2, 2)]),
    ("tril", lambda x, M: x.tril(), [(3, 4), (2, 3, 4), (0, 3)]),
    ("tril-k", lambda x, M: M.tril(x, -1), [(3, 4)]),
    ("triu", lambda x, M: x.triu(), [(3, 4), (2, 3, 4)]),
    ("triu-k", lambda x, M: M.triu(x, 2), [(3, 4)]),
    ("unfold", lambda x, M: x.unfold(0, 2, 1), [(5,), (5, 3)]),
    ("unfold-step", lambda x, M: x.unfold(-1, 2, 3), [(3, 7)]),
    ("unfold-wide", lambda x, M: x.unfold(1, 4, 1), [(2, 5)]),
    ("unfold-0d", lambda x, M: x.unfold(0, 1, 1), [()]),
    ("as_strided", lambda x, M: x.as_strided((2, 2), (1, 2)), [(3, 4)]),
    ("as_strided-overlap", lambda x, M: M.as_strided(x, (3, 3), (1, 1), 1), [(12,)]),
    ("atleast_1d", lambda x, M: M.atleast_1d(x), [(), (3,)]),
    ("atleast_2d", lambda x, M: M.atleast_2d(x), [(), (3,), (2, 3)]),
    ("atleast_3d", lambda x, M: M.atleast_3d(x), [(), (3,), (2, 3), (2, 3, 4)]),
    ("atleast-many", lambda x, M: M.atleast_2d([x, x]), [(3,)]),
    # Several outputs.
    ("split", lambda x, M: x.split(2), [(5, 3), (0,)]),
    ("split-sizes", lambda x, M: M.split(x, [1, 0, 3], dim=1), [(2, 4)]),
    ("tensor_split", lambda x, M: x.tensor_split(3, dim=1), [(2, 7)]),
    ("tensor_split-idx", lambda x, M: M.tensor_split(x, [1, 4, 2, -1]), [(6,)]),
    ("tensor_split-tensor", lambda x, M: x.tensor_split(M.tensor([2, 3]), 1), [(2, 5)]),
    ("chunk", lambda x, M: x.chunk(3, -1), [(2, 7), (0,)]),
    ("chunk-fewer", lambda x, M: M.chunk(x, 4), [(6,)]),
    ("unbind", lambda x, M: x.unbind(1), [(2, 3, 4)]),
    ("unbind-fn", lambda x, M: M.unbind(x), [(3,)]),
    ("hsplit", lambda x, M: x.hsplit(2), [(3, 4), (4,)]),
    ("vsplit", lambda x, M: M.vsplit(x, [1]), [(3, 4)]),
    ("dsplit", lambda x, M: x.dsplit(2), [(2, 3, 4)]),
    ("meshgrid", lambda x, M: M.meshgrid(x, x.narrow(0, 0, 2), indexing="ij"), [(3,)]),
    ("meshgrid-xy",
     lambda x, M: M.meshgrid([x, x.narrow(0, 0, 2), x.select(0, 1)], indexing="xy"), [(3,)]),
    ("broadcast_tensors", lambda x, M: M.broadcast_tensors(x, x.narrow(0, 0, 1)), [(3, 1)]),
]

FLAT = [pytest.param(fn, shape, id=f"{name}-{shape}") for name, fn, shapes in CASES
        for shape in shapes]
FIRST = [pytest.param(fn, shapes[0], id=name) for name, fn, shapes in CASES]


def _array(shape, rng, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _outs(o):
    return o if isinstance(o, (tuple, list)) else (o,)


@pytest.mark.parametrize("fn,shape", FLAT)
def test_values_and_grads(fn, shape, rng):
    check_op(lambda x: fn(x, numtorch), lambda x: fn(x, torch), _array(shape, rng))


@pytest.mark.parametrize("fn,shape", [p for p in FLAT if len(p.values[1]) >= 2])
def test_noncontiguous_input(fn, shape, rng):
    # Store the transpose, so that ``x.transpose(0, -1)`` is a non-contiguous ``shape``.
    a = np.ascontiguousarray(np.swapaxes(_array(shape, rng), 0, -1))
    try:
        fn(torch.tensor(a).transpose(0, -1), torch)
    except RuntimeError as e:  # view() of a non-contiguous tensor
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            fn(numtorch.tensor(a).transpose(0, -1), numtorch)
        assert "view size is not compatible" in str(e)
        return
    check_op(lambda x: fn(x.transpose(0, -1), numtorch),
             lambda x: fn(x.transpose(0, -1), torch), a)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("fn,shape", FIRST)
def test_integer_and_bool_inputs_keep_dtype(fn, shape, dtype, rng):
    a = rng.integers(0, 3, shape).astype(dtype)
    check_op(lambda x: fn(x, numtorch), lambda x: fn(x, torch), a, grad=False)


@pytest.mark.parametrize("fn,shape", FIRST)
def test_grad_fn_names(fn, shape, rng):
    a = _array(shape, rng)
    x = numtorch.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = [type(o.grad_fn).__name__ for o in _outs(fn(x, numtorch))]
        want = [type(o.grad_fn).__name__ for o in _outs(fn(t, torch))]
    assert got == want


def _gradcheck(fn, inputs, second=False):
    check = numtorch.autograd.gradgradcheck if second else numtorch.autograd.gradcheck
    try:
        assert check(fn, inputs)
    except NotImplementedError:
        pytest.skip("numtorch.autograd.gradcheck has not landed yet")


@pytest.mark.parametrize("fn,shape", FIRST)
def test_gradcheck_float64(fn, shape, rng):
    x = numtorch.tensor(rng.standard_normal(shape), requires_grad=True)
    _gradcheck(lambda x: fn(x, numtorch), (x,))


SECOND_ORDER = ["narrow", "select", "diagonal-dims", "diag-2d", "diag_embed", "unfold",
                "unfold-wide", "as_strided-overlap", "repeat_interleave-tensor", "split",
                "unbind", "repeat", "permute", "t", "expand"]


@pytest.mark.parametrize("fn,shape", [p for p in FIRST if p.id in SECOND_ORDER])
def test_gradgradcheck_float64(fn, shape, rng):
    x = numtorch.tensor(rng.standard_normal(shape), requires_grad=True)
    _gradcheck(lambda x: fn(x, numtorch), (x,), second=True)


@pytest.mark.parametrize("fn,shape", [p for p in FIRST if p.id in SECOND_ORDER])
def test_double_backward_matches_torch(fn, shape, rng):
    """d/dv of <grad_x(v), w> through the backward formulas (create_graph=True)."""
    a = _array(shape, rng)
    results = []
    for M in (numtorch, torch):
        x = M.tensor(a, requires_grad=True)
        outs = _outs(fn(x, M))
        vs = [M.tensor(_array(tuple(o.shape), np.random.default_rng(1)), requires_grad=True)
              for o in outs]
        (g,) = M.autograd.grad(outs, [x], vs, create_graph=True)
        w = M.tensor(_array(shape, np.random.default_rng(2)))
        results.append([r.detach().numpy() for r in M.autograd.grad([g], vs, [w])])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


# --- views share memory exactly where PyTorch's do ------------------------------


def _torch_shares(out, base) -> bool:
    return out.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()


def _overlaps(r) -> bool:
    """Some elements of the strided view ``r`` are the same memory."""
    pos = np.zeros((), np.int64)
    for n, st in zip(r.shape, r.stride()):
        pos = pos[..., None] + np.arange(n) * st
    return len(np.unique(pos)) < r.numel()


@pytest.mark.parametrize("fn,shape", FIRST)
def test_memory_sharing_matches_torch(fn, shape, rng):
    a = _array(shape, rng)
    x, t = numtorch.tensor(a), torch.tensor(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs, refs = _outs(fn(x, numtorch)), _outs(fn(t, torch))
    for o, r in zip(outs, refs):
        assert (o is x) == (r is t)
        shares = _torch_shares(r, t)
        if r.numel() == 0:  # nothing to share: a view is a view by its base
            assert (o._base is x) == (r._base is t)
            continue
        assert np.shares_memory(o.numpy(), x.numpy()) == shares
        if not shares:
            continue
        assert o._version == x._version
        if _overlaps(r):
            continue  # writing through it is undefined in PyTorch
        # A write through the view shows in the base, where PyTorch allows the write.
        try:
            r.add_(1)
        except RuntimeError:
            with pytest.raises((RuntimeError, ValueError)):
                o.add_(1)
            continue
        o.add_(1)
        np.testing.assert_allclose(x.numpy(), t.numpy())
        assert o._version == x._version >= 1


def test_view_result_has_base_and_shared_version():
    x = numtorch.zeros(2, 3)
    v = x.view(6)
    assert v._base is x and v.view(3, 2)._base is x
    v.add_(1)
    assert x._version == v._version == 1
    assert x.numpy().sum() == 6


@pytest.mark.parametrize("seed", range(4))
def test_view_allowed_exactly_where_torch_allows_it(seed):
    """Random strided inputs (permuted, sliced, expanded) and random target shapes."""
    rng = np.random.default_rng(seed)
    for _ in range(60):
        shape = tuple(int(s) for s in rng.integers(1, 4, rng.integers(1, 4)))
        a = np.arange(np.prod(shape) * 2, dtype=np.float32)[::2].copy().reshape(shape)
        t = torch.tensor(a)
        x = numtorch.from_numpy(a)
        perm = tuple(int(p) for p in rng.permutation(len(shape)))
        x, t = x.permute(perm), t.permute(perm)
        if rng.random() < 0.3:
            d = int(rng.integers(len(shape)))
            x, t = x.narrow(d, 0, 1), t.narrow(d, 0, 1)
        if rng.random() < 0.3:
            x, t = x.unsqueeze(0).expand(2, *x.shape), t.unsqueeze(0).expand(2, *t.shape)
        n = t.numel()
        target = [int(d) for d in rng.permutation([k for k in range(1, n + 1) if n % k == 0])]
        first = target[0]
        target = (first, n // first) if rng.random() < 0.5 else (n // first, 1, first)
        try:
            want = t.view(target)
        except RuntimeError as e:
            with pytest.raises(RuntimeError, match="view size is not compatible"):
                x.view(target)
            assert "view size is not compatible" in str(e)
            assert not np.shares_memory(x.reshape(target).numpy(), x.numpy())
            continue
        got = x.view(target)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        # Strides agree wherever they matter (a size-1 dim's stride is never used).
        assert [s for s, n in zip(got.stride(), target) if n > 1] == \
            [s for s, n in zip(want.stride(), target) if n > 1]
        assert np.shares_memory(x.reshape(target).numpy(), x.numpy())


def test_reshape_copies_only_when_it_must():
    x = numtorch.zeros(4, 3).t()
    r = x.reshape(12)
    assert not np.shares_memory(r.numpy(), x.numpy())
    assert np.shares_memory(x.reshape(3, 2, 2).numpy(), x.numpy())


def test_contiguous_returns_self_when_contiguous():
    x = numtorch.zeros(3, 4, requires_grad=True)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.is_contiguous() and type(y.grad_fn).__name__ == "CloneBackward0"
    assert not np.shares_memory(y.detach().numpy(), x.detach().numpy())


def test_clone_keeps_strides_like_torch():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x, t = numtorch.tensor(a), torch.tensor(a)
    for f in (lambda v, M: v.permute(2, 0, 1).clone(),
              lambda v, M: v.transpose(0, 1).clone(memory_format=M.contiguous_format),
              lambda v, M: v.narrow(2, 0, 2).clone(),
              lambda v, M: v.unsqueeze(0).clone(memory_format=M.channels_last),
              lambda v, M: v.unsqueeze(0).contiguous(memory_format=M.channels_last)):
        got, want = f(x, numtorch), f(t, torch)
        assert got.stride() == want.stride()
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_view_dtype_reinterprets_bytes_and_shares_version():
    a = np.arange(8, dtype=np.float32).reshape(2, 4)
    x, t = numtorch.tensor(a), torch.tensor(a)
    for dt in ("int32", "float64", "int16", "uint8", "float32"):
        got, want = x.view(getattr(numtorch, dt)), t.view(getattr(torch, dt))
        assert got.shape == want.shape and str(got.dtype)[9:] == str(want.dtype)[6:]
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert np.shares_memory(got.numpy(), x.numpy())
    v = x.view(numtorch.int32)
    v.add_(1)
    assert x._version == 1 and v._base is None
    xr = numtorch.ones(2, requires_grad=True)
    assert not xr.view(numtorch.float32).requires_grad


def test_broadcast_tensors_returns_inputs_already_the_right_shape():
    a, b = numtorch.zeros(2, 3), numtorch.zeros(3)
    oa, ob = numtorch.broadcast_tensors(a, b)
    assert oa is a and ob.shape == (2, 3) and np.shares_memory(ob.numpy(), b.numpy())


@pytest.mark.parametrize("shapes", [((2,), (3, 1), (1, 1, 1)), (4, (3, 1)), ((),), (),
                                    ((0, 1), (1, 5))])
def test_broadcast_shapes(shapes):
    got = numtorch.broadcast_shapes(*shapes)
    assert isinstance(got, numtorch.Size) and tuple(got) == tuple(torch.broadcast_shapes(*shapes))


def test_unbind_and_split_outputs_are_views():
    x = numtorch.tensor([[0.0, 1, 2], [3, 4, 5]])
    for parts in (x.unbind(), x.split(1), x.chunk(2)):
        for p in parts:
            assert p._base is x and p._vc is x._vc
    rows = list(x)  # iteration unbinds dim 0
    assert [r.tolist() for r in rows] == [[0, 1, 2], [3, 4, 5]]


def test_inplace_on_multi_output_view_raises_under_autograd():
    x = numtorch.ones(2, 3, requires_grad=True)
    a, _ = (x * 1).split(1)
    with pytest.raises(RuntimeError, match="Output 0 of SplitBackward0 is a view"):
        a.mul_(2)


# --- cat / stack and friends ---------------------------------------------------------


@pytest.mark.parametrize("shapes,dim", [
    ([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 0)], 1), ([(2, 3)], -1), ([(0,), (2, 3)], 1),
    ([(2, 3), (0,), (1, 3)], 0), ([(0,), (0,)], 0), ([(3,), (2,)], -1), ([(2, 0, 3)] * 2, 1)])
def test_cat(shapes, dim, rng):
    arrays = [_array(s, rng) for s in shapes]
    check_op(lambda *xs: numtorch.cat(xs, dim), lambda *xs: torch.cat(xs, dim), *arrays)
    check_op(lambda *xs: numtorch.concat(list(xs), dim=dim),
             lambda *xs: torch.concat(list(xs), dim=dim), *arrays)
    check_op(lambda *xs: numtorch.concatenate(xs, axis=dim),
             lambda *xs: torch.concatenate(xs, axis=dim), *arrays)


@pytest.mark.parametrize("dtypes", [("float32", "int64"), ("float32", "float64"),
                                    ("bool", "uint8"), ("int8", "uint8"), ("float64", "float32"),
                                    ("int32", "float16")])
def test_cat_and_stack_promote_dtypes(dtypes, rng):
    arrays = [rng.integers(0, 3, (2, 3)).astype(d) for d in dtypes]
    for op in ("cat", "stack", "hstack", "vstack"):
        check_op(lambda *xs, op=op: getattr(numtorch, op)(xs),
                 lambda *xs, op=op: getattr(torch, op)(xs), *arrays)
    empty = [np.zeros(0, np.float64), _array((2, 3), rng)]  # skipped, yet its dtype counts
    check_op(lambda *xs: numtorch.cat(xs), lambda *xs: torch.cat(xs), *empty)


@pytest.mark.parametrize("shapes,dim", [([(2, 3), (2, 3)], 0), ([(2, 3)] * 3, -1),
                                        ([(), ()], 0), ([(0, 2)] * 2, 1), ([(3,)], 1)])
def test_stack(shapes, dim, rng):
    arrays = [_array(s, rng) for s in shapes]
    check_op(lambda *xs: numtorch.stack(xs, dim), lambda *xs: torch.stack(xs, dim), *arrays)


@pytest.mark.parametrize("op", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(2, 3), (2, 3)], [(), ()],
                                    [(2, 3, 4), (2, 3, 4)], [(2,), (2, 1)]])
def test_stacking_helpers(op, shapes, rng):
    arrays = [_array(s, rng) for s in shapes]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(torch, op)([torch.tensor(a) for a in arrays])
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(numtorch, op)([numtorch.tensor(a) for a in arrays])
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_op(lambda *xs: getattr(numtorch, op)(xs), lambda *xs: getattr(torch, op)(xs),
                 *arrays)


def test_cat_and_stack_out():
    a, b = numtorch.ones(2, 3), numtorch.zeros(1, 3)
    out = numtorch.empty(0)
    assert numtorch.cat([a, b], out=out) is out and out.shape == (3, 3)
    out = numtorch.empty(0)
    numtorch.stack([a, a], 1, out=out)
    assert out.shape == (2, 2, 3)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        numtorch.cat([a.requires_grad_()], out=numtorch.empty(0))


# --- other behaviour ----------------------------------------------------------------


def test_repeat_interleave_counts_only():
    got = numtorch.repeat_interleave(numtorch.tensor([1, 0, 3]))
    assert got.tolist() == torch.repeat_interleave(torch.tensor([1, 0, 3])).tolist()
    assert got.dtype is numtorch.int64


def test_meshgrid_warns_without_indexing():
    x = numtorch.arange(3.0)
    with pytest.warns(UserWarning, match="required to pass the indexing argument"):
        a, b = numtorch.meshgrid(x, x[:2])
    assert a.shape == (3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numtorch.meshgrid(x, x, indexing="ij")


def test_meshgrid_outputs_are_views_of_the_inputs():
    x = numtorch.arange(3.0)
    a, b = numtorch.meshgrid(x, x + 1, indexing="xy")
    assert np.shares_memory(a.numpy(), x.numpy()) and a._base is x


def test_T_property_warns_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert numtorch.zeros(2, 3).T.shape == (3, 2)
    with pytest.warns(UserWarning, match="dimension other than 2"):
        assert numtorch.zeros(2, 3, 4).T.shape == (4, 3, 2)
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        assert numtorch.tensor(1.0).T.shape == ()
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        assert numtorch.tensor(1.0).H.shape == ()


def test_tril_triu_inplace():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    for op in ("tril_", "triu_"):
        x, t = numtorch.tensor(a), torch.tensor(a)
        assert getattr(x, op)(1) is x
        getattr(t, op)(1)
        np.testing.assert_array_equal(x.numpy(), t.numpy())
        assert x._version == 1


def test_tril_out():
    out = numtorch.empty(0)
    numtorch.tril(numtorch.ones(3, 3), out=out)
    assert out.tolist() == torch.tril(torch.ones(3, 3)).tolist()


# --- errors ---------------------------------------------------------------------


ERRORS = [
    lambda M: M.zeros(4, 3).t().view(12),
    lambda M: M.zeros(4, 3).view(5),
    lambda M: M.zeros(4, 3).view(-1, -1),
    lambda M: M.zeros(4, 3).view(-2, 6),
    lambda M: M.zeros(4, 3).reshape(0, -1),
    lambda M: M.zeros(0, 3).reshape(0, -1),
    lambda M: M.zeros(2, 3).view(M.float64),
    lambda M: M.zeros(4, 4).t().view(M.int16),
    lambda M: M.tensor(1.0).view(M.float64),
    lambda M: M.zeros(3).expand(2),
    lambda M: M.zeros(3).expand(2, 4),
    lambda M: M.zeros(3).expand(-1, 3),
    lambda M: M.zeros(1, 3).expand(2, -2),
    lambda M: M.zeros(2, 3).expand(3),
    lambda M: M.cat([]),
    lambda M: M.cat([M.zeros(2, 3), M.zeros(2, 4)]),
    lambda M: M.cat([M.zeros(2, 3), M.zeros(2)]),
    lambda M: M.cat([M.zeros(2, 3), M.zeros(2, 3)], dim=2),
    lambda M: M.cat([M.tensor(1.0), M.tensor(2.0)]),
    lambda M: M.cat([M.zeros(2, 3), M.tensor(1.0)]),
    lambda M: M.cat([M.zeros(2, 3), M.zeros(3, 3, 3)]),
    lambda M: M.cat([M.zeros(2, 3), 1]),
    lambda M: M.cat(M.zeros(2, 3)),
    lambda M: M.stack([M.zeros(2, 3), M.zeros(3, 3)]),
    lambda M: M.stack([]),
    lambda M: M.stack([M.zeros(2, 3)], dim=3),
    lambda M: M.hstack([]),
    lambda M: M.vstack([]),
    lambda M: M.dstack([]),
    lambda M: M.column_stack([]),
    lambda M: M.zeros(2, 3).permute(0),
    lambda M: M.zeros(2, 3).permute(0, 0),
    lambda M: M.zeros(2, 3, 4).t(),
    lambda M: M.zeros(2, 3).squeeze(2),
    lambda M: M.zeros(2, 3).squeeze((0, 0)),
    lambda M: M.tensor(1.0).squeeze(1),
    lambda M: M.zeros(2, 3).unsqueeze(3),
    lambda M: M.zeros(2, 3).flatten(1, 0),
    lambda M: M.tensor(1.0).flatten(1),
    lambda M: M.zeros(2, 3).transpose(0, 2),
    lambda M: M.zeros(2, 3).movedim((0, 1), (0,)),
    lambda M: M.zeros(2, 3).movedim((0, 0), (0, 1)),
    lambda M: M.zeros(2, 3).movedim((0, 1), (1, 1)),
    lambda M: M.zeros(3).adjoint(),
    lambda M: M.zeros(3).mT,
    lambda M: M.zeros(3).mH,
    lambda M: M.zeros(3).H,
    lambda M: M.zeros(2, 3).narrow(0, 1, 3),
    lambda M: M.zeros(2, 3).narrow(0, 3, 0),
    lambda M: M.zeros(2, 3).narrow(0, -3, 1),
    lambda M: M.zeros(3).narrow(0, 0, -1),
    lambda M: M.tensor(1.0).narrow(0, 0, 1),
    lambda M: M.zeros(2, 3).select(0, 2),
    lambda M: M.zeros(3).select(0, -4),
    lambda M: M.tensor(1.0).select(0, 0),
    lambda M: M.zeros(2, 3).split(0),
    lambda M: M.zeros(4).split(-1),
    lambda M: M.zeros(2, 3).split([1, 2]),
    lambda M: M.zeros(4).split([-1, 5]),
    lambda M: M.tensor(1.0).split(1),
    lambda M: M.zeros(2, 3).chunk(0),
    lambda M: M.tensor(1.0).chunk(2),
    lambda M: M.zeros(2, 3).tensor_split(0),
    lambda M: M.tensor(1.0).tensor_split(2),
    lambda M: M.zeros(5).tensor_split(M.tensor([[1, 3]])),
    lambda M: M.zeros(5).tensor_split(M.tensor(2.0)),
    lambda M: M.zeros(4, 4).hsplit(3),
    lambda M: M.zeros(4).vsplit(2),
    lambda M: M.zeros(4, 4).dsplit(2),
    lambda M: M.tensor(1.0).unbind(),
    lambda M: M.zeros(2, 3).unflatten(1, (2, 2)),
    lambda M: M.zeros(2, 3).unflatten(1, ()),
    lambda M: M.zeros(6).unflatten(0, (-1, 4)),
    lambda M: M.zeros(6).unflatten(0, (-1, 0)),
    lambda M: M.zeros(2, 3).repeat(2),
    lambda M: M.zeros(2, 3).repeat(-1, 2),
    lambda M: M.zeros(2, 3).roll(1, (0, 1)),
    lambda M: M.zeros(2, 3).roll((1, 2)),
    lambda M: M.zeros(2, 3).roll(1, 5),
    lambda M: M.tensor(1.0).roll(1, 0),
    lambda M: M.zeros(2, 3).rot90(1, (0, 0)),
    lambda M: M.zeros(2, 3).rot90(1, (0,)),
    lambda M: M.zeros(2, 3).rot90(1, (0, 2)),
    lambda M: M.zeros(3).rot90(),
    lambda M: M.zeros(3).tril(),
    lambda M: M.zeros(3).triu(),
    lambda M: M.zeros(2, 3, 4).diag(),
    lambda M: M.tensor(1.0).diag(),
    lambda M: M.zeros(3).diagonal(),
    lambda M: M.zeros(3, 3).diagonal(0, 0, 0),
    lambda M: M.zeros(2, 3).diag_embed(0, 0, 0),
    lambda M: M.tensor(1.0).diag_embed(),
    lambda M: M.zeros(3).unfold(0, 4, 1),
    lambda M: M.zeros(3).unfold(0, 2, 0),
    lambda M: M.zeros(3).unfold(0, -1, 1),
    lambda M: M.zeros(3).fliplr(),
    lambda M: M.tensor(1.0).flipud(),
    lambda M: M.zeros(2, 3).flip(0, 0),
    lambda M: M.zeros(3, 4).as_strided((2, 2), (1, 1), 20),
    lambda M: M.zeros(3, 4).as_strided((2, 2), (-1, 1)),
    lambda M: M.broadcast_shapes((2, 3), (3, 2)),
    lambda M: M.broadcast_shapes((2, -1)),
    lambda M: M.broadcast_tensors(M.zeros(2, 3), M.zeros(3, 2)),
    lambda M: M.meshgrid(M.zeros(3), M.zeros(2).double(), indexing="ij"),
    lambda M: M.meshgrid(M.zeros(3), indexing="foo"),
    lambda M: M.meshgrid(indexing="ij"),
    lambda M: M.zeros(3).repeat_interleave(M.tensor([1, 2])),
    lambda M: M.zeros(3).repeat_interleave(-1),
    lambda M: M.zeros(3).repeat_interleave(M.tensor([1, -2, 1])),
    lambda M: M.zeros(3).repeat_interleave(M.tensor([1.0, 2, 3])),
    lambda M: M.zeros(2, 3).repeat_interleave(2, output_size=11),
    lambda M: M.zeros(2, 3).clone(memory_format=M.channels_last),
    # a non-integer size or dim: PyTorch's argument parser names the argument
    lambda M: M.zeros(2, 3).flip(dims=(0, 1.5)),
    lambda M: M.zeros(2, 3).flip(0, "a"),
    lambda M: M.zeros(2, 3).flip(range(2)),
    lambda M: M.zeros(2, 3).flip(1.5),
    lambda M: M.zeros(2, 3).permute(0, 1.5),
    lambda M: M.zeros(2, 3).permute(range(2)),
    lambda M: M.zeros(2, 3).tile((1, 1.5)),
    lambda M: M.zeros(2, 3).tile(dims=1.5),
    lambda M: M.zeros(2, 3).view(2, 1.5),
    lambda M: M.zeros(2, 3).view((2, 1.5)),
    lambda M: M.zeros(2, 3).reshape([2, 1.5]),
    lambda M: M.zeros(2, 3).reshape(range(2, 4)),
    lambda M: M.zeros(2, 3).expand(2, None),
    lambda M: M.zeros(2, 3).expand(1.5),
    lambda M: M.zeros(2, 3).repeat(1, 1.5),
    lambda M: M.zeros(2, 3).repeat(1.5),
    lambda M: M.zeros(2, 3).unflatten(1, (3, 1.5)),
    lambda M: M.zeros(2, 3).unflatten(1, 1.5),
    lambda M: M.zeros(2, 3).resize_(2, 1.5),
    lambda M: M.zeros(2, 3).resize_(1.5),
    # a list or tuple whose first element is no int: rejected whole, by position or keyword
    lambda M: M.zeros(2, 3).repeat((1.5, 1)),
    lambda M: M.zeros(2, 3).permute((0.5, 1)),
    lambda M: M.zeros(2, 3).permute(dims=(0.5, 1)),
    lambda M: M.zeros(2, 3).flip(dims=[0.5]),
    lambda M: M.zeros(2, 3).reshape((2.0, 3)),
    lambda M: M.zeros(2, 3).reshape(shape=(2.0, 3)),
    lambda M: M.zeros(2, 3).unflatten(1, (1.5, 2)),
]


@pytest.mark.parametrize("fn", ERRORS, ids=range(len(ERRORS)))
def test_errors_match_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as want:
            fn(torch)
        with pytest.raises(Exception) as got:
            fn(numtorch)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value) == str(want.value).replace("torch.", "numtorch.")


def test_meshgrid_rejects_2d_tensors():
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor in the tensor list"):
        numtorch.meshgrid(numtorch.zeros(2, 3), indexing="ij")


# --- in-place shape methods ------------------------------------------------------


INPLACE = [
    ("t_", lambda y: y.t_(), (2, 3)),
    ("transpose_", lambda y: y.transpose_(0, -1), (2, 3, 4)),
    ("swapaxes_", lambda y: y.swapaxes_(0, 1), (2, 3)),
    ("swapdims_", lambda y: y.swapdims_(0, 1), (2, 3)),
    ("squeeze_", lambda y: y.squeeze_(), (1, 3, 1)),
    ("squeeze_-dim", lambda y: y.squeeze_(2), (1, 3, 1)),
    ("squeeze_-dims", lambda y: y.squeeze_((0, 2)), (1, 3, 1)),
    ("unsqueeze_", lambda y: y.unsqueeze_(1), (2, 3)),
    ("chain", lambda y: y.unsqueeze_(0).squeeze_(0).t_(), (2, 3)),
]


@pytest.mark.parametrize("name,fn,shape", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_shape_methods_on_non_leaf(name, fn, shape, rng):
    a = _array(shape, rng)
    results = []
    for M in (numtorch, torch):
        x = M.tensor(a, requires_grad=True)
        y = x * 1
        v = y._version
        assert fn(y) is y
        g = M.tensor(_array(tuple(y.shape), np.random.default_rng(3)))
        (gx,) = M.autograd.grad([y], [x], [g])
        results.append((tuple(y.shape), y.stride(), y.detach().numpy().copy(),
                        type(y.grad_fn).__name__, y._version - v, gx.numpy()))
    got, want = results
    assert got[:2] == want[:2] and got[3:5] == want[3:5]
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_allclose(got[5], want[5])


@pytest.mark.parametrize("name,fn,shape", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_shape_methods_refuse_leaves(name, fn, shape):
    x = numtorch.zeros(shape, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        fn(x)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        fn(x.view(shape))
    with numtorch.no_grad():
        assert fn(x) is x and x.is_leaf


def test_inplace_shape_change_on_a_view_keeps_base_link():
    a = numtorch.arange(6.0)
    b = a.view(2, 3)
    b.t_()
    assert b.shape == (3, 2) and b._base is a and a.shape == (6,)
    assert a._version == b._version == 1
    b.mul_(2)
    assert a.tolist() == [0, 2, 4, 6, 8, 10]


def test_inplace_value_op_after_inplace_shape_change_on_view():
    out = []
    for M in (numtorch, torch):
        x = M.arange(6.0).reshape(2, 3).requires_grad_()
        y = x * 1
        v = y.narrow(0, 0, 1)
        v.unsqueeze_(0)
        v.mul_(2)
        (y * M.arange(6.0).reshape(2, 3)).sum().backward()
        out.append((y.detach().numpy().copy(), x.grad.numpy().copy(), tuple(v.shape)))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]


def test_resize_():
    a = np.arange(6, dtype=np.float32)
    x, t = numtorch.tensor(a), torch.tensor(a)
    assert x.resize_(2, 2) is x
    t.resize_(2, 2)
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    assert x._version == t._version == 1
    x.resize_(2, 2)
    assert x._version == 1  # same shape: nothing happens
    x.resize_(6)  # the storage still holds all six values
    assert x.tolist() == list(range(6))
    x.resize_(3, 3)  # grows: the old values come first
    assert x.shape == (3, 3) and x.reshape(-1)[:6].tolist() == list(range(6))
    y = numtorch.zeros(4)
    assert y.resize_as_(numtorch.zeros(2, 2)).shape == (2, 2)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        numtorch.zeros(2, requires_grad=True).resize_(3)
    with pytest.raises(RuntimeError, match="negative dimension"):
        numtorch.zeros(2).resize_(-1)


def test_resize_shrink_shares_memory():
    x = numtorch.arange(6.0)
    v = x.view(6)
    v.resize_(2, 2)
    assert np.shares_memory(v.numpy(), x.numpy())
    v.add_(1)
    assert x.tolist() == [1, 2, 3, 4, 4, 5]


@pytest.mark.parametrize("sizes,n", [((-1, -1), 6), ((-2, 3), 6), ((-1, 0), 0)])
def test_unflatten_passes_on_shape_inference_errors_as_torch(sizes, n):
    """PyTorch wraps these in "unflatten got an unexpected error:" and appends its C++
    trace; the two lines before the trace are compared."""
    with pytest.raises(RuntimeError) as want:
        torch.zeros(n).unflatten(0, sizes)
    with pytest.raises(RuntimeError) as got:
        numtorch.zeros(n).unflatten(0, sizes)
    assert str(got.value).split("\n")[:2] == str(want.value).split("\n")[:2]


def test_unflatten_of_a_0d_tensor_raises_as_torch():
    with pytest.raises(RuntimeError) as want:
        torch.tensor(1.0).unflatten(0, (1,))
    with pytest.raises(RuntimeError) as got:
        numtorch.tensor(1.0).unflatten(0, (1,))
    assert str(got.value).split("\n")[:2] == str(want.value).split("\n")[:2]


@pytest.mark.parametrize("fn", [
    lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(0),
    lambda x: x.t().unsqueeze(2), lambda x: x.expand(2, -1, -1), lambda x: x[:1].expand(2, 1, -1),
], ids=["unsqueeze-end", "unsqueeze-mid", "unsqueeze-front", "unsqueeze-t", "expand-keep",
        "expand-size1"])
def test_view_strides_of_strided_inputs_match_torch(fn):
    """The new size-1 dim of unsqueeze gets ``size * stride`` of the dim after it (1 at the
    end), and expand keeps the stride of a size-1 dim it does not broadcast."""
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    for sl in (np.s_[:, ::2], np.s_[:, :1], np.s_[:, :]):
        got, want = fn(numtorch.tensor(a)[sl]), fn(torch.tensor(a)[sl])
        assert got.stride() == want.stride() and got.is_contiguous() == want.is_contiguous()
        assert got.tolist() == want.tolist()
    x = numtorch.tensor(a)[:, ::2]
    x.unsqueeze_(2)
    assert x.stride() == torch.tensor(a)[:, ::2].unsqueeze_(2).stride()


@pytest.mark.parametrize("op", ["cat", "stack", "hstack", "vstack", "dstack", "column_stack"])
def test_joining_transposed_tensors_gives_a_row_major_result(op, rng):
    a = _array((3, 4), rng)
    got = getattr(numtorch, op)([numtorch.tensor(a).t(), numtorch.tensor(a).t()])
    want = getattr(torch, op)([torch.tensor(a).t(), torch.tensor(a).t()])
    assert got.stride() == want.stride() and got.is_contiguous()
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["mT", "mH"])
def test_mT_of_a_0d_tensor_is_the_identity_as_in_torch(name):
    with pytest.warns(UserWarning, match=f"Tensor.{name} is deprecated on 0-D tensors"):
        got = getattr(numtorch.tensor(2.0), name)
    assert got.item() == 2.0 and got.dim() == 0
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        getattr(numtorch.tensor([2.0]), name)


@pytest.mark.parametrize("op", ["add_", "mul_", "copy_"])
def test_writing_into_an_expanded_tensor_raises_torchs_error(op):
    arg = {"copy_": lambda M: M.ones(3, 4)}.get(op, lambda M: 2)
    with pytest.raises(RuntimeError) as want:
        getattr(torch.zeros(3, 1).expand(3, 4), op)(arg(torch))
    with pytest.raises(RuntimeError) as got:
        getattr(numtorch.zeros(3, 1).expand(3, 4), op)(arg(numtorch))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("args", [(range(2, 4),), (1.5,), ("a",), (None,), ([2.0, 3],),
                                  ((2.0, 3),), (True,), (2.0, 3), (2, "a")])
def test_view_arguments_that_fit_neither_form_raise_torchs_message(args):
    messages = []
    for lib in (numtorch, torch):
        with pytest.raises(TypeError) as info:
            lib.ones(2, 3).view(*args)
        messages.append(str(info.value).replace("numtorch.", "torch."))
    assert messages[0] == messages[1]
