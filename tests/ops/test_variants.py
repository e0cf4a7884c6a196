"""numtorch/ops/variants.py against torch: the namespace's in-place functions, the *_copy
ops, split variants, the view scatters, fill and friends."""

from __future__ import annotations

import re

import numpy as np
import pytest

import numtorch
from numtorch.ops import variants
from tests.utils import assert_same, check_op, noncontig, to_torch, torch

RNG = np.random.default_rng(0)


def _rand(*shape, low=-0.9, high=0.9, dtype=np.float64):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def _grad_fn_name(t):
    return type(t.grad_fn).__name__


def _outcome(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the outcome is what we compare
        return type(e), re.sub(r"\btorch\.", "numtorch.", str(e)).split("\n")[0]
    return None


def same_error(nt_fn, torch_fn):
    """Both raise, with the same exception type and first line."""
    ours, ref = _outcome(nt_fn), _outcome(torch_fn)
    assert ref is not None, "torch did not raise"
    assert ours is not None, f"numtorch did not raise; torch raised {ref}"
    assert ours[0].__name__ == ref[0].__name__ and ours[1] == ref[1], (ours, ref)


# --- in-place functions of the namespace ------------------------------------------------

_POS = dict(low=0.1, high=0.9)
# name -> (input array, extra arguments as (kind, value) where kind "t" is a tensor)
_INPLACE_CASES = {
    "acosh_": (_rand(3, 4, low=1.1, high=3.0), ()),
    "arccosh_": (_rand(3, 4, low=1.1, high=3.0), ()),
    "log_": (_rand(3, 4, **_POS), ()), "log10_": (_rand(3, 4, **_POS), ()),
    "log1p_": (_rand(3, 4, **_POS), ()), "log2_": (_rand(3, 4, **_POS), ()),
    "sqrt_": (_rand(3, 4, **_POS), ()), "rsqrt_": (_rand(3, 4, **_POS), ()),
    "logit_": (_rand(3, 4, **_POS), ()),
    "nan_to_num_": (np.array([1.0, np.nan, np.inf, -np.inf]), ()),
    "addmv_": (_rand(3), (("t", _rand(3, 4)), ("t", _rand(4)))),
    "clamp_": (_rand(3, 4), (("n", -0.5), ("n", 0.5))),
    "clip_": (_rand(3, 4), (("n", -0.5), ("n", 0.5))),
    "clamp_max_": (_rand(3, 4), (("n", 0.2),)),
    "clamp_min_": (_rand(3, 4), (("n", 0.2),)),
    "fill_": (_rand(3, 4), (("n", 2.5),)),
    "gcd_": (np.array([12, 18, -8, 0]), (("t", np.array([8, 12, 6, 5])),)),
    "lcm_": (np.array([12, 18, -8, 0]), (("t", np.array([8, 12, 6, 5])),)),
    "ldexp_": (_rand(4), (("t", np.array([1, 2, -1, 0])),)),
    "xlogy_": (_rand(4), (("t", _rand(4, **_POS)),)),
    "resize_as_": (_rand(3, 4), (("t", _rand(2, 6)),)),
    "round_": (_rand(3, 4) * 10, ()),
}


def _inplace_case(name):
    data, extra = _INPLACE_CASES.get(name, (_rand(3, 4), ()))
    return data, extra


def test_inplace_list_is_what_torch_has_and_numtorch_had_as_methods():
    for name in variants._INPLACE:
        assert callable(getattr(torch, name)), name
        assert name in variants.__all__ and getattr(numtorch, name).__doc__
        assert hasattr(numtorch.Tensor, name)


@pytest.mark.parametrize("name", variants._INPLACE)
def test_inplace_function_modifies_and_returns_its_input(name):
    data, extra = _inplace_case(name)
    x, t = numtorch.tensor(data), torch.tensor(data)
    nt_args = [numtorch.tensor(v) if k == "t" else v for k, v in extra]
    t_args = [torch.tensor(v) if k == "t" else v for k, v in extra]
    before = x._version
    got = getattr(numtorch, name)(x, *nt_args)
    ref = getattr(torch, name)(t, *t_args)
    assert ref is t and got is x
    assert_same(x, t)
    if name != "detach_":
        assert x._version > before


@pytest.mark.parametrize("name", ["exp_", "sigmoid_", "clamp_", "abs_", "zero_", "fill_"])
def test_inplace_function_on_a_view_records_torchs_graph(name):
    data = _rand(3, 4)
    extra = {"clamp_": (-0.3, 0.3), "fill_": (1.5,)}.get(name, ())

    def run(m):
        a = m.tensor(data, requires_grad=True)
        b = a * 2
        col = b[:, 1]  # a non-contiguous view
        getattr(m, name)(col, *extra)
        (b * m.tensor(data)).sum().backward()
        return _grad_fn_name(b), b, a.grad

    got, ref = run(numtorch), run(torch)
    assert got[0] == ref[0]
    assert_same(got[1], ref[1])
    assert_same(got[2], ref[2])


def test_inplace_function_refuses_a_leaf_that_requires_grad():
    same_error(lambda: numtorch.exp_(numtorch.ones(2, requires_grad=True)),
               lambda: torch.exp_(torch.ones(2, requires_grad=True)))


@pytest.mark.parametrize("name", ["exp_", "abs_", "zero_", "sigmoid_"])
def test_inplace_function_refuses_a_non_tensor(name):
    same_error(lambda: getattr(numtorch, name)([1.0]), lambda: getattr(torch, name)([1.0]))


# --- *_copy ------------------------------------------------------------------------------

# (name, input array, positional args)
_COPY_CASES = [
    ("alias_copy", _rand(3, 4), ()),
    ("alias_copy", np.array(2.5), ()),
    ("as_strided_copy", _rand(3, 4), ((2, 2), (1, 2), 1)),
    ("as_strided_copy", _rand(3, 4), ((3, 2), (4, 1))),
    ("diagonal_copy", _rand(3, 4), ()),
    ("diagonal_copy", _rand(2, 3, 4), (1, 2, 0)),
    ("expand_copy", _rand(3, 1), ((2, 3, 4),)),
    ("expand_copy", _rand(3, 1), ((-1, 0),)),
    ("permute_copy", _rand(2, 3, 4), ((2, 0, 1),)),
    ("permute_copy", np.array(1.5), ((),)),
    ("select_copy", _rand(3, 4), (1, -1)),
    ("slice_copy", _rand(5, 4), ()),
    ("slice_copy", _rand(5, 4), (0, 1, None, 2)),
    ("slice_copy", _rand(5, 4), (-1, -3, 10)),
    ("slice_copy", _rand(5, 4), (1, 3, 1)),
    ("split_copy", _rand(5, 4), (2,)),
    ("split_copy", _rand(5, 4), (3, 1)),
    ("split_with_sizes_copy", _rand(5, 4), ([1, 0, 4],)),
    ("squeeze_copy", _rand(1, 3, 1), ()),
    ("squeeze_copy", _rand(1, 3, 1), (0,)),
    ("squeeze_copy", _rand(1, 3, 1), ((0, 1),)),
    ("squeeze_copy", np.array(3.0), ()),
    ("t_copy", _rand(3, 4), ()),
    ("t_copy", _rand(4), ()),
    ("transpose_copy", _rand(2, 3, 4), (0, -1)),
    ("transpose_copy", np.array(1.0), (0, -1)),
    ("unbind_copy", _rand(3, 4), ()),
    ("unbind_copy", _rand(3, 4), (1,)),
    ("unsqueeze_copy", _rand(3, 4), (1,)),
    ("unsqueeze_copy", np.array(2.0), (-1,)),
    ("view_copy", _rand(3, 4), ((2, -1),)),
    ("view_copy", _rand(0, 4), ((-1, 2),)),
    ("unfold_copy", _rand(3, 7), (1, 3, 2)),
    ("unfold_copy", np.array(2.0), (0, 1, 1)),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("name,data,args", _COPY_CASES, ids=_ids(_COPY_CASES))
def test_copy_op_matches_torch(name, data, args):
    out = check_op(getattr(numtorch, name), getattr(torch, name), data, *args)
    a = numtorch.tensor(data, requires_grad=True)
    b = a * 1
    got = getattr(numtorch, name)(b, *args)
    ref = getattr(torch, name)(to_torch(b, requires_grad=True) * 1, *args)
    outs = got if isinstance(got, tuple) else (got,)
    refs = ref if isinstance(ref, tuple) else (ref,)
    assert isinstance(got, tuple) == isinstance(ref, tuple)
    assert [_grad_fn_name(o) for o in outs] == [_grad_fn_name(r) for r in refs]
    for o in (out if isinstance(out, tuple) else (out,)):
        assert o.is_contiguous()


@pytest.mark.parametrize("name,data,args", _COPY_CASES, ids=_ids(_COPY_CASES))
def test_copy_op_result_owns_its_memory(name, data, args):
    x = numtorch.tensor(data)
    before = x.numpy().copy()
    got = getattr(numtorch, name)(x, *args)
    for o in got if isinstance(got, tuple) else (got,):
        assert not np.shares_memory(o.numpy(), x.numpy())
        assert o._base is None
        o.fill_(7.0)
    np.testing.assert_array_equal(x.numpy(), before)


@pytest.mark.parametrize("name,args", [
    ("t_copy", ()), ("permute_copy", ((1, 0),)), ("select_copy", (1, 0)),
    ("diagonal_copy", ()), ("slice_copy", (1, 0, 2)), ("split_copy", (1, 1)),
    ("unbind_copy", ()), ("view_copy", ((3, 2),)), ("view_copy", ((6,),)),
])
def test_copy_op_of_a_non_contiguous_input(name, args):
    check_op(getattr(numtorch, name), getattr(torch, name), noncontig(_rand(3, 2)).T, *args)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float32"])
def test_copy_op_keeps_the_dtype(dtype):
    data = (RNG.integers(0, 2, size=(3, 4)) > 0).astype(dtype)
    check_op(numtorch.transpose_copy, torch.transpose_copy, data, 0, 1)
    check_op(numtorch.expand_copy, torch.expand_copy, data[:1], (2, 4))
    check_op(numtorch.unbind_copy, torch.unbind_copy, data)


def test_copy_op_out_argument():
    x = numtorch.tensor(_rand(3, 4))
    for name, args in [("t_copy", ()), ("permute_copy", ((1, 0),)), ("alias_copy", ()),
                       ("view_copy", ((12,),)), ("detach_copy", ()), ("select_copy", (0, 1))]:
        out = numtorch.empty(0, dtype=numtorch.float64)
        got = getattr(numtorch, name)(x, *args, out=out)
        assert got is out
        assert_same(out, getattr(torch, name)(to_torch(x), *args))
    same_error(lambda: numtorch.t_copy(x, out=numtorch.empty(0)),
               lambda: torch.t_copy(to_torch(x), out=torch.empty(0)))
    same_error(lambda: numtorch.t_copy(x, out=numtorch.empty(0, dtype=numtorch.int64)),
               lambda: torch.t_copy(to_torch(x), out=torch.empty(0, dtype=torch.int64)))
    same_error(lambda: numtorch.t_copy(x, out=numtorch.empty(0, dtype=numtorch.float64,
                                                             requires_grad=True)),
               lambda: torch.t_copy(to_torch(x), out=torch.empty(0, dtype=torch.float64,
                                                                 requires_grad=True)))


def test_view_copy_to_a_dtype_reinterprets_bytes_in_fresh_memory():
    data = _rand(3, 4)
    x = numtorch.tensor(data, requires_grad=True)
    for nt_dt, t_dt in [(numtorch.int64, torch.int64), (numtorch.float32, torch.float32)]:
        got = numtorch.view_copy(x, nt_dt)
        assert_same(got, torch.view_copy(torch.tensor(data, requires_grad=True), t_dt))
        assert not got.requires_grad and not np.shares_memory(got.numpy(), x.detach().numpy())


def test_multi_output_copy_out_argument():
    data = _rand(3, 4)
    x = numtorch.tensor(data)
    outs = [numtorch.empty(3, 2, dtype=numtorch.float32), numtorch.empty(3, 2)]
    assert numtorch.split_copy(x, 2, 1, out=outs) is None
    ref = torch.split_copy(torch.tensor(data), 2, 1)
    for o, r in zip(outs, ref):
        assert_same(o, r.float())
    outs = [numtorch.empty(4) for _ in range(3)]
    assert numtorch.unbind_copy(x, out=outs) is None
    assert_same(numtorch.stack(outs), torch.tensor(data).float())
    same_error(lambda: numtorch.split_copy(x, 2, 1, out=[numtorch.empty(3, 2)]),
               lambda: torch.split_copy(torch.tensor(data), 2, 1, out=[torch.empty(3, 2)]))
    same_error(lambda: numtorch.split_copy(x, 2, 1, out=[numtorch.empty(3, 2),
                                                         numtorch.empty(3, 3)]),
               lambda: torch.split_copy(torch.tensor(data), 2, 1, out=[torch.empty(3, 2),
                                                                        torch.empty(3, 3)]))


@pytest.mark.parametrize("call", [
    lambda m, x: m.t_copy(x.unsqueeze(0)),
    lambda m, x: m.permute_copy(x, (0,)),
    lambda m, x: m.select_copy(x, 0, 5),
    lambda m, x: m.slice_copy(x, 0, 0, 2, 0),
    lambda m, x: m.slice_copy(x[0, 0]),
    lambda m, x: m.view_copy(x, (5,)),
    lambda m, x: m.view_copy(x, 12),
    lambda m, x: m.expand_copy(x, (3,)),
    lambda m, x: m.unfold_copy(x, 1, 5, 1),
    lambda m, x: m.split_copy(x, [1, 2]),
    lambda m, x: m.split_with_sizes_copy(x, [1, 1]),
    lambda m, x: m.unbind_copy(x[0, 0]),
    lambda m, x: m.diagonal_copy(x, 0, 1, 1),
    lambda m, x: m.as_strided_copy(x, (5, 5), (1, 2)),
    lambda m, x: m.squeeze_copy(x, 3),
], ids=["t", "permute", "select", "slice-step", "slice-0d", "view", "view-int", "expand",
        "unfold", "split-list", "split-sizes", "unbind-0d", "diagonal", "as_strided", "squeeze"])
def test_copy_op_errors_match_torch(call):
    data = _rand(3, 4)
    same_error(lambda: call(numtorch, numtorch.tensor(data)),
               lambda: call(torch, torch.tensor(data)))


def test_copy_ops_double_backward():
    x = numtorch.tensor(_rand(3, 4), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda a: numtorch.slice_copy(a, 1, 0, 3, 2) ** 2,
                                           (x,))
    assert numtorch.autograd.gradcheck(lambda a: numtorch.unbind_copy(a * a, 1), (x,))


# --- split variants -----------------------------------------------------------------------

_SPLIT_CASES = [
    ("split_with_sizes", _rand(5, 4), ([2, 3],)),
    ("split_with_sizes", _rand(5, 4), ((1, 3), 1)),
    ("unsafe_split", _rand(5, 4), (2,)),
    ("unsafe_split", _rand(5, 4), (3, -1)),
    ("unsafe_split", _rand(0, 4), (2,)),
    ("unsafe_chunk", _rand(5, 4), (2,)),
    ("unsafe_chunk", _rand(5, 4), (3, 1)),
    ("unsafe_chunk", _rand(0, 2), (3,)),
    ("unsafe_split_with_sizes", _rand(5, 4), ([1, 2, 2],)),
    ("unsafe_split_with_sizes", _rand(5, 4), ([4, 0], 1)),
]


@pytest.mark.parametrize("name,data,args", _SPLIT_CASES, ids=_ids(_SPLIT_CASES))
def test_split_variant_matches_torch(name, data, args):
    check_op(getattr(numtorch, name), getattr(torch, name), data, *args)
    check_op(lambda x, *a: getattr(x, name)(*a), lambda x, *a: getattr(x, name)(*a),
             noncontig(data), *args)
    a = numtorch.tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    got, ref = getattr(numtorch, name)(a * 1, *args), getattr(torch, name)(t * 1, *args)
    assert type(got) is tuple
    assert [_grad_fn_name(o) for o in got] == [_grad_fn_name(r) for r in ref]


def test_split_with_sizes_gives_views():
    x = numtorch.arange(6.0)
    a, b = numtorch.split_with_sizes(x, [2, 4])
    b[0] = 10.0
    assert x[2].item() == 10.0 and b._base is x


def test_unsafe_split_pieces_share_memory_but_are_not_tracked_views():
    def run(m):
        x = m.tensor(np.arange(6.0), requires_grad=True)
        y = x * 1
        a, b = m.unsafe_split(y, 3)
        v = y._version
        b.mul_(2)  # a tracked view (split) would refuse this
        return y._version - v, b._version, y.detach().numpy().tolist(), _grad_fn_name(b)

    assert run(numtorch) == run(torch)
    with pytest.raises(RuntimeError, match="returns multiple views"):
        numtorch.split(numtorch.ones(4, requires_grad=True) * 1, 2)[0].mul_(2)


@pytest.mark.parametrize("call", [
    lambda m, x: m.split_with_sizes(x, 3),
    lambda m, x: m.split_with_sizes(x, [1, 1]),
    lambda m, x: m.split_with_sizes(x, [4, -1]),
    lambda m, x: m.split_with_sizes(x[0, 0], [1]),
    lambda m, x: m.unsafe_split(x[0, 0], 1),
    lambda m, x: m.unsafe_split(x, -1),
    lambda m, x: m.unsafe_chunk(x, 0),
    lambda m, x: m.unsafe_split_with_sizes(x, [1, 1]),
    lambda m, x: x.unsafe_split_with_sizes([2], dim=2),
], ids=["int", "sum", "negative", "0d", "unsafe-0d", "unsafe-neg", "chunk-0", "unsafe-sum",
        "dim"])
def test_split_variant_errors_match_torch(call):
    data = _rand(3, 4)
    same_error(lambda: call(numtorch, numtorch.tensor(data)),
               lambda: call(torch, torch.tensor(data)))


# --- scatters -------------------------------------------------------------------------------

# (name, input array, src array, extra positional args)
_SCATTER_CASES = [
    ("select_scatter", _rand(3, 4), _rand(4), (0, 1)),
    ("select_scatter", _rand(3, 4), _rand(3), (1, -1)),
    ("select_scatter", _rand(3), np.array(0.5), (0, 2)),
    ("slice_scatter", _rand(5, 4), _rand(5, 4), ()),
    ("slice_scatter", _rand(5, 4), _rand(2, 4), (0, 1, None, 2)),
    ("slice_scatter", _rand(5, 4), _rand(5, 2), (1, -2)),
    ("slice_scatter", _rand(5, 4), _rand(5, 0), (1, 3, 1)),
    ("diagonal_scatter", _rand(3, 4), _rand(3), ()),
    ("diagonal_scatter", _rand(3, 4), _rand(2), (-1,)),
    ("diagonal_scatter", _rand(2, 3, 4), _rand(4, 2), (1, 0, 1)),
    ("as_strided_scatter", _rand(3, 4), _rand(2, 2), ((2, 2), (1, 2), 1)),
    ("as_strided_scatter", _rand(3, 4), _rand(2, 3), ((2, 3), (4, 1))),
    ("as_strided_scatter", _rand(0, 4), _rand(0), ((0,), (1,))),
]


@pytest.mark.parametrize("name,data,src,args", _SCATTER_CASES, ids=_ids(_SCATTER_CASES))
def test_scatter_matches_torch(name, data, src, args):
    if name == "as_strided_scatter":  # torch's input gradient is wrong: see below
        check_op(numtorch.as_strided_scatter, torch.as_strided_scatter, data, src, *args,
                 grad=False)
        check_op(lambda s: numtorch.as_strided_scatter(numtorch.tensor(data), s, *args),
                 lambda s: torch.as_strided_scatter(torch.tensor(data), s, *args), src)
    else:
        check_op(getattr(numtorch, name), getattr(torch, name), data, src, *args)
    check_op(lambda x, s, *a: getattr(x, name)(s, *a), lambda x, s, *a: getattr(x, name)(s, *a),
             data, src, *args, grad=False)
    x, s = numtorch.tensor(data, requires_grad=True), numtorch.tensor(src, requires_grad=True)
    t, ts = to_torch(x), to_torch(s)
    assert _grad_fn_name(getattr(numtorch, name)(x, s, *args)) == \
        _grad_fn_name(getattr(torch, name)(t, ts, *args))


@pytest.mark.parametrize("name,data,src,args", _SCATTER_CASES[:-1],
                         ids=_ids(_SCATTER_CASES[:-1]))
def test_scatter_gradcheck_and_gradgradcheck(name, data, src, args):
    x, s = numtorch.tensor(data, requires_grad=True), numtorch.tensor(src, requires_grad=True)
    fn = getattr(numtorch, name)
    assert numtorch.autograd.gradcheck(lambda a, b: fn(a, b, *args), (x, s))
    assert numtorch.autograd.gradgradcheck(lambda a, b: fn(a * a, b * b, *args), (x, s))


@pytest.mark.parametrize("name,args,src_shape", [
    ("select_scatter", (1, 2), (3,)), ("slice_scatter", (1, 0, 3), (3, 3)),
    ("diagonal_scatter", (1,), (3,)), ("as_strided_scatter", ((2, 2), (1, 3), 1), (2, 2)),
])
def test_scatter_of_a_non_contiguous_input(name, args, src_shape):
    data, src = noncontig(_rand(4, 3)).T, _rand(*src_shape)
    check_op(getattr(numtorch, name), getattr(torch, name), data, src, *args, grad=False)
    if name != "as_strided_scatter":
        check_op(getattr(numtorch, name), getattr(torch, name), data, src, *args)


def test_scatter_casts_src_to_the_input_dtype_and_leaves_input_alone():
    data = _rand(3, 4).astype(np.float32)
    for src in [_rand(4), np.arange(4), np.array([True, False, True, True])]:
        check_op(numtorch.select_scatter, torch.select_scatter, data, src, 0, 1)
    x = numtorch.tensor(data)
    numtorch.slice_scatter(x, numtorch.zeros(3, 4))
    np.testing.assert_array_equal(x.numpy(), data)
    check_op(numtorch.diagonal_scatter, torch.diagonal_scatter, np.arange(9).reshape(3, 3),
             np.array([-1, -2, -3]))


def test_as_strided_scatter_input_gradient_is_the_upstream_one_outside_the_slot():
    # torch 2.13 sends the slot's gradient to input instead (its own gradcheck fails on it);
    # numtorch's is d(out)/d(input): the upstream gradient where input's values survive.
    x = numtorch.zeros(3, 4, dtype=numtorch.float64, requires_grad=True)
    s = numtorch.zeros(2, 2, dtype=numtorch.float64, requires_grad=True)
    g = numtorch.arange(12.0, dtype=numtorch.float64).reshape(3, 4) + 100
    numtorch.as_strided_scatter(x, s, (2, 2), (1, 2), 1).backward(g)
    expected = g.clone()
    expected.view(-1)[1:5] = 0
    assert_same(x.grad, to_torch(expected))
    assert_same(s.grad, torch.tensor([[101.0, 103.0], [102.0, 104.0]], dtype=torch.float64))
    t, ts = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True), to_torch(s, True)
    assert not torch.autograd.gradcheck(
        lambda a, b: torch.as_strided_scatter(a, b, (2, 2), (1, 2), 1), (t, ts),
        raise_exception=False)


@pytest.mark.parametrize("call", [
    lambda m, x: m.select_scatter(x, m.zeros(3), 0, 0),
    lambda m, x: m.select_scatter(x, m.zeros(1), 0, 0),
    lambda m, x: m.select_scatter(x, m.zeros(4), 0, 5),
    lambda m, x: m.select_scatter(x[0, 0], m.zeros(()), 0, 0),
    lambda m, x: m.slice_scatter(x, m.zeros(2, 4), 0, 0, 3),
    lambda m, x: m.slice_scatter(x, m.zeros(3, 4), step=0),
    lambda m, x: m.slice_scatter(x[0, 0], m.zeros(())),
    lambda m, x: m.diagonal_scatter(x, m.zeros(4)),
    lambda m, x: m.diagonal_scatter(x[0], m.zeros(4)),
    lambda m, x: m.as_strided_scatter(x, m.zeros(3), (2, 2), (1, 2)),
    lambda m, x: m.as_strided_scatter(x, m.zeros(5, 5), (5, 5), (1, 2)),
], ids=["select-shape", "select-bcast", "select-index", "select-0d", "slice-shape",
        "slice-step", "slice-0d", "diagonal-shape", "diagonal-1d", "as_strided-shape",
        "as_strided-bounds"])
def test_scatter_errors_match_torch(call):
    data = _rand(3, 4).astype(np.float32)
    same_error(lambda: call(numtorch, numtorch.tensor(data)),
               lambda: call(torch, torch.tensor(data)))


# --- fill, detach, is_same_size, as_strided_ ---------------------------------------------------


@pytest.mark.parametrize("data,value", [
    (_rand(3, 4), 2.5), (np.arange(3), 2.7), (_rand(3, 4), True), (np.arange(3), 7),
    (_rand(0, 2), 1.0), (np.array(1.0), -3.0),
])
def test_fill_matches_torch(data, value):
    check_op(numtorch.fill, torch.fill, data, value)
    x = numtorch.tensor(data)
    assert not np.shares_memory(numtorch.fill(x, value).numpy(), x.numpy())


def test_fill_with_a_tensor_value_sends_its_gradient_to_the_value():
    check_op(numtorch.fill, torch.fill, _rand(3, 4), np.array(0.5))

    def names(m):
        x = m.tensor(_rand(2), requires_grad=True)
        return (_grad_fn_name(m.fill(x, 1.0)),
                _grad_fn_name(m.fill(x, m.tensor(2.0, requires_grad=True))))

    assert names(numtorch) == names(torch)


def test_fill_errors_match_torch():
    same_error(lambda: numtorch.fill(numtorch.zeros(3), numtorch.ones(2)),
               lambda: torch.fill(torch.zeros(3), torch.ones(2)))
    same_error(lambda: numtorch.fill(numtorch.zeros(3, dtype=numtorch.uint8), 300),
               lambda: torch.fill(torch.zeros(3, dtype=torch.uint8), 300))


def test_detach_and_detach_copy():
    x = numtorch.tensor(_rand(3), requires_grad=True)
    y = x * 2
    d, c = numtorch.detach(y), numtorch.detach_copy(y)
    assert not d.requires_grad and not c.requires_grad
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    assert not np.shares_memory(c.numpy(), y.detach().numpy())
    assert_same(c, torch.detach_copy(to_torch(y)))


def test_is_same_size():
    a, b = numtorch.zeros(2, 3), numtorch.ones(2, 3, dtype=numtorch.int64)
    assert numtorch.is_same_size(a, b) is True and a.is_same_size(numtorch.zeros(3, 2)) is False
    assert torch.is_same_size(torch.zeros(2, 3), torch.zeros(3, 2)) is False


def test_is_nonzero_method():
    assert numtorch.tensor([1.5]).is_nonzero() and not numtorch.tensor(0).is_nonzero()
    same_error(lambda: numtorch.tensor([1.0, 2.0]).is_nonzero(),
               lambda: torch.tensor([1.0, 2.0]).is_nonzero())


def test_as_strided_inplace_matches_torch():
    data = _rand(3, 4)

    def run(m):
        x = m.tensor(data, requires_grad=True)
        y = x * 1
        r = m.as_strided_(y, (2, 2), (1, 2), 1)
        assert r is y
        (y * m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=m.float64)).sum().backward()
        return y.detach(), _grad_fn_name(y), x.grad

    got, ref = run(numtorch), run(torch)
    assert got[1] == ref[1]
    assert_same(got[0], ref[0])
    assert_same(got[2], ref[2])
    same_error(lambda: numtorch.zeros(3).as_strided_((4,), (1,)),
               lambda: torch.zeros(3).as_strided_((4,), (1,)))


@pytest.mark.parametrize("name", ["select_scatter", "split_with_sizes", "t_copy", "fill"])
def test_namespace_functions_refuse_a_non_tensor_input(name):
    same_error(lambda: getattr(numtorch, name)([1.0]), lambda: getattr(torch, name)([1.0]))


@pytest.mark.parametrize("offset", [None, 2, 3, 4])
def test_as_strided_scatter_offset_counts_in_the_input_storage(offset):
    data = np.arange(10.0, dtype=np.float32)
    got = numtorch.as_strided_scatter(numtorch.tensor(data)[2:6], numtorch.ones(2), (2,), (1,),
                                      offset)
    assert_same(got, torch.as_strided_scatter(torch.tensor(data)[2:6], torch.ones(2), (2,), (1,),
                                              offset))


def test_as_strided_scatter_offset_before_the_input_differs_from_torch():
    # PyTorch writes outside the copy (nothing visible changes); numtorch refuses.
    x = numtorch.arange(10.0)[2:6]
    with pytest.raises(RuntimeError, match="before the input's own storage offset"):
        numtorch.as_strided_scatter(x, numtorch.ones(2), (2,), (1,), 0)


def test_copy_out_with_an_input_that_requires_grad_differs_from_torch():
    # PyTorch's result gets a grad_fn whose backward raises; numtorch's is a plain tensor.
    x, out = numtorch.ones(2, 3, requires_grad=True), numtorch.empty(3, 2)
    got = numtorch.permute_copy(x, (1, 0), out=out)
    assert got is out and not got.requires_grad and got.grad_fn is None
