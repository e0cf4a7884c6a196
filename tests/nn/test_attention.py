"""scaled_dot_product_attention and multi_head_attention_forward against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F
from tests.utils import assert_same, check_op, noncontig, pair, torch

TF = torch.nn.functional


def _data(shape, seed=0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _mask_pair(array):
    return numtorch.tensor(array), torch.tensor(array)


# --- scaled_dot_product_attention -------------------------------------------------------

SDPA_SHAPES = [
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)),   # (N, heads, L, E), S != L, Ev != E
    ((4, 8), (5, 8), (5, 6)),                      # 2-D
    ((3, 4, 8), (2, 1, 5, 8), (1, 3, 5, 6)),       # broadcast batch dims
    ((0, 2, 3, 4), (0, 2, 3, 4), (0, 2, 3, 4)),    # empty batch
    ((1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)),
]


@pytest.mark.parametrize("shapes", SDPA_SHAPES)
def test_sdpa_values_and_grads(shapes):
    arrays = [_data(s, seed=i) for i, s in enumerate(shapes)]
    check_op(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, *arrays,
             rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kw", [{"is_causal": True}, {"scale": 0.7}, {"scale": -0.3}])
def test_sdpa_causal_and_scale(kw):
    q, k, v = _data((2, 3, 4, 8)), _data((2, 3, 6, 8), 1), _data((2, 3, 6, 5), 2)
    check_op(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, q, k, v,
             rtol=1e-4, atol=1e-5, **kw)
    # More queries than keys: causal is a top-left aligned L x S triangle.
    check_op(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, k, q, q,
             rtol=1e-4, atol=1e-5, **kw)


@pytest.mark.parametrize("mask_shape", [(4, 5), (3, 4, 5), (2, 1, 4, 5), (1, 5)])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_masks(mask_shape, kind):
    q, k, v = _data((2, 3, 4, 8)), _data((2, 3, 5, 8), 1), _data((2, 3, 5, 6), 2)
    rng = np.random.default_rng(7)
    if kind == "bool":
        mask = rng.random(mask_shape) < 0.6
        mask[..., 0] = True
    else:
        mask = _data(mask_shape, 3)
        mask[rng.random(mask_shape) < 0.3] = -np.inf
        mask[..., 0] = 0.0
    nm, tm = _mask_pair(mask)
    check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, nm),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, tm), q, k, v,
             rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_rows_give_zeros_and_zero_grads(kind):
    q, k, v = _data((2, 4, 8)), _data((2, 5, 8), 1), _data((2, 5, 6), 2)
    if kind == "bool":
        mask = np.ones((4, 5), bool)
        mask[1] = False
    else:
        mask = np.zeros((4, 5), np.float32)
        mask[1] = -np.inf
        mask[2, :3] = -np.inf
    nm, tm = _mask_pair(mask)
    out = check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, nm),
                   lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, tm), q, k, v,
                   rtol=1e-4, atol=1e-5)
    assert np.all(out.detach().numpy()[:, 1] == 0)


def test_sdpa_mask_of_other_float_dtype_and_float64():
    q, k, v = (_data((2, 3, 5), i, np.float64) for i in range(3))
    mask = _data((3, 3), 4, np.float32)
    nm, tm = _mask_pair(mask)
    check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, nm),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, tm), q, k, v)


def test_sdpa_grouped_query_attention():
    q, k, v = _data((2, 6, 4, 8)), _data((2, 2, 5, 8), 1), _data((2, 3, 5, 4), 2)
    check_op(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, q, k, v,
             rtol=1e-4, atol=1e-5, enable_gqa=True)


def test_sdpa_noncontiguous_inputs_and_grad_fn():
    q, k, v = _data((2, 4, 8)), _data((2, 5, 8), 1), _data((2, 5, 6), 2)
    out = F.scaled_dot_product_attention(*(numtorch.from_numpy(noncontig(a)) for a in (q, k, v)))
    assert_same(out, TF.scaled_dot_product_attention(*(torch.tensor(a) for a in (q, k, v))),
                rtol=1e-4, atol=1e-5)
    nq = numtorch.tensor(q, requires_grad=True)
    ref = TF.scaled_dot_product_attention(torch.tensor(q, requires_grad=True),
                                          torch.tensor(k), torch.tensor(v))
    out = F.scaled_dot_product_attention(nq, numtorch.tensor(k), numtorch.tensor(v))
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__ == "UnsafeViewBackward0"


@pytest.mark.parametrize("p", [0.3, 1.0])
def test_sdpa_dropout_draws_as_torch(p):
    q, k, v = _data((2, 3, 4, 8)), _data((2, 3, 5, 8), 1), _data((2, 3, 5, 6), 2)
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    check_op(F.scaled_dot_product_attention, TF.scaled_dot_product_attention, q, k, v,
             rtol=1e-4, atol=1e-5, dropout_p=p)


def test_sdpa_gradcheck_and_gradgradcheck_float64():
    q, k, v = (numtorch.tensor(_data(s, i, np.float64), requires_grad=True)
               for i, s in enumerate([(2, 3, 4), (2, 5, 4), (2, 5, 3)]))
    mask = numtorch.tensor(_data((3, 5), 9, np.float64))
    bmask = numtorch.tensor(np.arange(15).reshape(3, 5) % 4 != 1)

    def masked(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, mask, scale=0.6)

    assert numtorch.autograd.gradcheck(F.scaled_dot_product_attention, (q, k, v))
    assert numtorch.autograd.gradcheck(masked, (q, k, v))
    assert numtorch.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, bmask), (q, k, v))
    assert numtorch.autograd.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))
    assert numtorch.autograd.gradgradcheck(masked, (q, k, v))


SDPA_ERRORS = [
    ({"attn_mask": "bool", "is_causal": True}, "Explicit attn_mask should not be set"),
    ({"key": (2, 3, 5, 7)}, None),
    ({"mask_dtype": "int64"}, "Expected attn_mask dtype to be bool or float or to match query "
                              "dtype, but got attn_mask.dtype: long int and  query.dtype: float"),
    ({"mask_dtype": "float64"}, "but got attn_mask.dtype: double and  query.dtype: float"),
    ({"key_dtype": "float64"}, "Expected query, key, and value to have the same dtype, but got "
                               "query.dtype: float key.dtype: double and value.dtype: float"),
    ({"gqa": True}, "Number of heads in key and value must divide the number of heads in"),
    ({"dropout_p": 1.5}, "dropout probability has to be between 0 and 1, but got 1.5"),
    ({"int": "int64"}, "expected scalar type Float but found Long"),
    ({"int": "int32"}, "expected scalar type Float but found Int"),
    ({"one_d": True}, "Expected query, key, and value to all be  at least 2 dimensional"),
]


@pytest.mark.parametrize("case, match", SDPA_ERRORS)
def test_sdpa_errors_as_torch(case, match):
    def run(lib):
        q = lib.zeros(2, 3, 4, 8)
        k = lib.zeros(case.get("key", (2, 3, 5, 8)), dtype=getattr(lib, case.get("key_dtype",
                                                                                    "float32")))
        v = lib.zeros(2, 3, 5, 6)
        kw = {}
        if "attn_mask" in case:
            kw["attn_mask"] = lib.ones(4, 5, dtype=lib.bool)
        if "mask_dtype" in case:
            kw["attn_mask"] = lib.ones(4, 5, dtype=getattr(lib, case["mask_dtype"]))
        if "is_causal" in case:
            kw["is_causal"] = True
        if "dropout_p" in case:
            kw["dropout_p"] = case["dropout_p"]
        if "gqa" in case:
            k, v, kw["enable_gqa"] = lib.zeros(2, 2, 5, 8), lib.zeros(2, 2, 5, 6), True
        if "int" in case:
            q = k = v = lib.ones(2, 3, 4, dtype=getattr(lib, case["int"]))
        if "one_d" in case:
            q, k, v = lib.zeros(8), lib.zeros(8), lib.zeros(8)
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)

    with pytest.raises(RuntimeError) as ref:
        run(torch)
    with pytest.raises(RuntimeError, match=None if match is None else match.replace("(", r"\(")):
        run(numtorch)
    if match is not None:
        assert match in str(ref.value)


def test_sdpa_negative_dropout_is_no_dropout():
    q = _data((2, 4, 8))
    out = F.scaled_dot_product_attention(*pair(q)[:1] * 3, dropout_p=-0.1)
    ref = TF.scaled_dot_product_attention(*(torch.tensor(q),) * 3, dropout_p=-0.1)
    assert_same(out, ref, rtol=1e-4, atol=1e-5)


# --- multi_head_attention_forward -------------------------------------------------------

E, H = 8, 2


def _mha_weights(kdim=E, vdim=E, bias=True, bias_kv=False, seed=20):
    """Named weights as NumPy arrays (a packed in_proj when kdim == vdim == E)."""
    w = {"out_proj_weight": _data((E, E), seed), "out_proj_bias": _data((E,), seed + 1)}
    if kdim == vdim == E:
        w["in_proj_weight"] = _data((3 * E, E), seed + 2)
    else:
        w["q_proj_weight"] = _data((E, E), seed + 3)
        w["k_proj_weight"] = _data((E, kdim), seed + 4)
        w["v_proj_weight"] = _data((E, vdim), seed + 5)
    w["in_proj_bias"] = _data((3 * E,), seed + 6) if bias else None
    if not bias:
        w["out_proj_bias"] = None
    w["bias_k"] = _data((1, 1, E), seed + 7) if bias_kv else None
    w["bias_v"] = _data((1, 1, E), seed + 8) if bias_kv else None
    return w


def _run_mha(lib, q, k, v, weights, self_attn=False, **kw):
    """Call lib's multi_head_attention_forward; return (out, weights, q-leaf, weight-leaves)."""
    t = lib.tensor
    leaves = {n: (None if a is None else t(a, requires_grad=True)) for n, a in weights.items()}
    query = t(q, requires_grad=True)
    key = query if self_attn else t(k, requires_grad=True)
    value = query if self_attn else t(v, requires_grad=True)
    separate = "q_proj_weight" in leaves
    args = dict(kw)
    args.update({n: lib.tensor(a) for n, a in args.items() if isinstance(a, np.ndarray)})
    out, attn = lib.nn.functional.multi_head_attention_forward(
        query, key, value, E, H, leaves.get("in_proj_weight"), leaves["in_proj_bias"],
        leaves["bias_k"], leaves["bias_v"], args.pop("add_zero_attn", False),
        args.pop("dropout_p", 0.0), leaves["out_proj_weight"], leaves["out_proj_bias"],
        use_separate_proj_weight=separate, q_proj_weight=leaves.get("q_proj_weight"),
        k_proj_weight=leaves.get("k_proj_weight"), v_proj_weight=leaves.get("v_proj_weight"),
        **args)
    return out, attn, [query, key, value] + [x for x in leaves.values() if x is not None]


def _compare_mha(q, k, v, weights, self_attn=False, **kw):
    nout, nattn, nleaves = _run_mha(numtorch, q, k, v, weights, self_attn, **kw)
    tout, tattn, tleaves = _run_mha(torch, q, k, v, weights, self_attn, **kw)
    assert_same(nout, tout, rtol=1e-4, atol=1e-5)
    if tattn is None:
        assert nattn is None
    else:
        assert_same(nattn, tattn, rtol=1e-4, atol=1e-5)
    g = _data(tuple(tout.shape), 99)
    loss_t = (tout * torch.tensor(g)).sum() + (0 if tattn is None else tattn.nansum())
    loss_n = (nout * numtorch.tensor(g)).sum() + (0 if nattn is None else nattn.nansum())
    loss_t.backward()
    loss_n.backward()
    for a, b in zip(nleaves, tleaves):
        if b.grad is None:
            assert a.grad is None
        else:
            assert_same(a.grad, b.grad, rtol=1e-3, atol=1e-4)


L, S, N = 4, 5, 3


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_mha_forward_packed(need_weights, average):
    q, k = _data((L, N, E), 1), _data((S, N, E), 2)
    _compare_mha(q, k, k, _mha_weights(), need_weights=need_weights,
                 average_attn_weights=average)
    _compare_mha(q, q, q, _mha_weights(), self_attn=True, need_weights=need_weights)
    _compare_mha(q, k, _data((S, N, E), 3), _mha_weights(), need_weights=need_weights)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_forward_separate_weights_kdim_vdim_no_bias(need_weights):
    q, k, v = _data((L, N, E), 1), _data((S, N, 3), 2), _data((S, N, 5), 3)
    _compare_mha(q, k, v, _mha_weights(kdim=3, vdim=5, bias=False), need_weights=need_weights)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("mask", ["bool2d", "float2d", "float3d", "bool3d"])
@pytest.mark.parametrize("kpm", [None, "bool", "float"])
def test_mha_masks(need_weights, mask, kpm):
    rng = np.random.default_rng(4)
    q, k = _data((L, N, E), 1), _data((S, N, E), 2)
    shape = (L, S) if mask.endswith("2d") else (N * H, L, S)
    attn_mask = rng.random(shape) < 0.3
    attn_mask[..., 0] = False
    if mask.startswith("float"):
        attn_mask = np.where(attn_mask, -np.inf, _data(shape, 5)).astype(np.float32)
    key_padding_mask = None
    if kpm is not None:
        key_padding_mask = np.zeros((N, S), bool)
        key_padding_mask[:, -1] = True
        if kpm == "float":
            key_padding_mask = np.where(key_padding_mask, -np.inf, 0.0).astype(np.float32)
    with pytest.warns(UserWarning, match="mismatched") if (
            kpm is not None and (kpm == "bool") != mask.startswith("bool")) else _no_warning():
        _compare_mha(q, k, k, _mha_weights(), attn_mask=attn_mask,
                     key_padding_mask=key_padding_mask, need_weights=need_weights)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_bias_kv_zero_attn_and_padding(need_weights):
    q, k = _data((L, N, E), 1), _data((S, N, E), 2)
    kpm = np.zeros((N, S), bool)
    kpm[0, 2:] = True
    mask = np.triu(np.ones((L, S), bool), 1)
    _compare_mha(q, k, k, _mha_weights(bias_kv=True), add_zero_attn=True,
                 key_padding_mask=kpm, attn_mask=mask, need_weights=need_weights)
    _compare_mha(q, k, k, _mha_weights(bias_kv=True), need_weights=need_weights)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal_and_unbatched(need_weights):
    q = _data((L, N, E), 1)
    causal = np.triu(np.full((L, L), -np.inf, np.float32), 1)
    _compare_mha(q, q, q, _mha_weights(), self_attn=True, attn_mask=causal, is_causal=True,
                 need_weights=need_weights)
    q2, k2 = _data((L, E), 1), _data((S, E), 2)
    _compare_mha(q2, k2, k2, _mha_weights(), key_padding_mask=np.arange(S) == 3,
                 need_weights=need_weights)
    _compare_mha(q2, k2, k2, _mha_weights(), attn_mask=_data((H, L, S), 6),
                 need_weights=need_weights)


def test_mha_dropout_draws_as_torch():
    q, k = _data((L, N, E), 1), _data((S, N, E), 2)
    for need_weights in (True, False):
        numtorch.manual_seed(3)
        torch.manual_seed(3)
        _compare_mha(q, k, k, _mha_weights(), dropout_p=0.4, need_weights=need_weights)
        _compare_mha(q, k, k, _mha_weights(), dropout_p=0.4, training=False,
                     need_weights=need_weights)


def test_mha_static_kv():
    q = _data((L, N, E), 1)
    sk, sv = _data((N * H, S, E // H), 2), _data((N * H, S, E // H), 3)
    for need_weights in (True, False):
        _compare_mha(q, q, q, _mha_weights(), static_k=sk, static_v=sv,
                     need_weights=need_weights)


MHA_ERRORS = [
    (dict(q=(L, N, E), k=(S, E)), AssertionError, "For batched (3-D) `query`, expected `key`"),
    (dict(q=(L, E), k=(S, N, E)), AssertionError, "For unbatched (2-D) `query`, expected `key`"),
    (dict(q=(N, L, N, E)), AssertionError, "query should be unbatched 2D or batched 3D tensor"),
    (dict(kpm=(N, S, 1)), AssertionError, "expected `key_padding_mask` to be `None` or 2-D"),
    (dict(mask=(L,)), AssertionError, "expected `attn_mask` to be `None`, 2-D or 3-D"),
    (dict(mask=(L, L)), RuntimeError, "The shape of the 2D attn_mask is"),
    (dict(mask=(N, L, S)), RuntimeError, "The shape of the 3D attn_mask is"),
    (dict(embed=6), AssertionError, "was expecting embedding dimension of 6, but got 8"),
    (dict(heads=3), AssertionError, "embed_dim 8 not divisible by num_heads 3"),
    (dict(v=(S + 1, N, E)), AssertionError, "key shape"),
    (dict(causal=True), RuntimeError, "Need attn_mask if specifying the is_causal hint"),
    (dict(kpm_int=True), AssertionError, "only bool and floating types of key_padding_mask"),
    (dict(kpm=(N, S + 1)), AssertionError, "Expected key_padded_mask.shape[1] to be 5"),
    (dict(no_in_proj=True), AssertionError, "use_separate_proj_weight is False but"),
]


@pytest.mark.parametrize("case, exc, match", MHA_ERRORS)
def test_mha_errors_as_torch(case, exc, match):
    def run(lib):
        q = lib.zeros(case.get("q", (L, N, E)))
        k = lib.zeros(case.get("k", (S, N, E)))
        v = lib.zeros(case.get("v", case.get("k", (S, N, E))))
        kpm = lib.zeros(case["kpm"], dtype=lib.bool) if "kpm" in case else None
        if "kpm_int" in case:
            kpm = lib.zeros(N, S, dtype=lib.int64)
        mask = lib.zeros(case["mask"]) if "mask" in case else None
        w_in = None if "no_in_proj" in case else lib.zeros(3 * E, E)
        return lib.nn.functional.multi_head_attention_forward(
            q, k, v, case.get("embed", E), case.get("heads", H), w_in, None, None, None,
            False, 0.0, lib.zeros(E, E), None, key_padding_mask=kpm, attn_mask=mask,
            is_causal=case.get("causal", False))

    with pytest.raises(exc) as ref:
        run(torch)
    assert match in str(ref.value)
    with pytest.raises(exc) as got:
        run(numtorch)
    assert str(got.value) == str(ref.value).replace("torch.", "numtorch.")
