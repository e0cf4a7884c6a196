"""Attention: scaled_dot_product_attention and multi_head_attention_forward.

``scaled_dot_product_attention`` is PyTorch's "math" kernel, written with the
differentiable ops it is made of (so gradients, double backward and the grad_fn
names come from ``matmul``/``softmax``)::

    A = softmax(Q K^T * scale + mask)      mask: 0 where allowed, -inf where not
    out = dropout(A) V

A row whose every score is ``-inf`` (nothing allowed to attend) gives zeros, as
PyTorch's ``_safe_softmax`` does, with zero gradient instead of NaNs.

``multi_head_attention_forward`` is the function behind ``nn.MultiheadAttention``:
project, split into heads, attend, merge heads, project out.
"""

from __future__ import annotations

import math

from .. import _dtype as D
from .. import _warnings
from .._tensor import Tensor
from .creation import ones, zeros, zeros_like
from .dropout import _check_p, _dropout_impl
from .linalg import baddbmm, bmm, matmul
from .linear import _ctype, linear
from .padding import pad
from .reduce import softmax
from .shape import cat

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_NEG_INF = float("-inf")

# The kernels ``scaled_dot_product_attention`` may use, as ``torch.nn.attention.sdpa_kernel``
# and ``torch.backends.cuda.enable_*_sdp`` switch them. numtorch computes every call with the
# "math" kernel below. PyTorch's CPU build also has a fused ("flash") kernel computing the
# same thing, which only takes some inputs: with math switched off, numtorch refuses what
# that kernel would refuse, with PyTorch's warnings and error (``_check_backends``).
SDP_ENABLED = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True,
               "overrideable": True}


def _check_sdpa(query, key, value, attn_mask, is_causal) -> None:
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead.")
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_ctype(query)} key.dtype: {_ctype(key)} and value.dtype: {_ctype(value)} "
            "instead.")
    if attn_mask is not None and attn_mask.dtype not in (D.bool, D.float32, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_ctype(attn_mask)} and  query.dtype: {_ctype(query)} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {query.dtype._legacy}")


def _flash_refusal(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Why PyTorch's fused CPU kernel would not take these inputs (its checks, in its order),
    or None if it would."""
    if dropout_p > 0.0:
        return "Both fused kernels do not support non-zero dropout."
    if not query.dim() == key.dim() == value.dim() == 4:
        return ("All fused kernels requires query, key and value to be 4 dimensional, but got "
                f"Query dim: {query.dim()}, Key dim: {key.dim()}, Value dim: {value.dim()} "
                "instead.")
    q, k, v = (list(t.shape) for t in (query, key, value))
    broadcast = ("To broadcast dense inputs, try using unsqueeze and expand_to before passing "
                 "them into the kernel.")
    if not q[0] == k[0] == v[0]:
        return ("For dense inputs, both fused kernels require query, key and value to have the "
                f"same batch_size. Query.sizes(): {q}, Key.sizes(): {k}, Value.sizes(): {v} "
                f"instead. {broadcast}")
    if enable_gqa and (k[1] != v[1] or q[1] % k[1] != 0):
        return ("The number of heads in key/value must divide number of heads in query.Got "
                f"input Key sizes(): {k[1]}, Value sizes(): {v[1]}, Query sizes(): {q[1]} "
                "instead.")
    if not enable_gqa and not q[1] == k[1] == v[1]:
        return ("For dense input, both fused kernels require query, key and value to have the "
                f"same num_heads. Query.sizes(): {q}, Key sizes(): {k}, Value sizes(): {v} "
                f"instead. {broadcast}")
    if attn_mask is not None:
        m = list(attn_mask.shape)
        want = [q[2], k[2]] if len(m) == 2 else [q[0], q[1], q[2], k[2]]
        if len(m) not in (2, 4) or any(a not in (1, b) for a, b in zip(m, want)):
            return ("Please use the following attn mask shapes: 2d - ({Q_seq_len, 1}  x "
                    "{KV_seq_len, 1}); 4d - ({Batch, 1} x {Num_heads, 1} x {Q_seq_len, 1}  x "
                    "{KV_seq_len, 1})")
    if not q[3] == k[3] == v[3]:
        return ("Flash attention requires q,k,v to have the same last dimension. Got "
                f"Query.size(-1): {q[3]}, Key.size(-1): {k[3]}, Value.size(-1): {v[3]} instead.")
    strides = [t.stride(-1) for t in (query, key, value)]
    if any(st != 1 for st in strides):
        return ("All fused kernels require the last dimension of the input to have stride 1. "
                f"Got Query.stride(-1): {strides[0]}, Key.stride(-1): {strides[1]}, "
                f"Value.stride(-1): {strides[2]}")
    return None


def _check_backends(query, key, value, attn_mask, dropout_p, enable_gqa) -> None:
    """Refuse the call as PyTorch's CPU build does when ``sdpa_kernel`` (or
    ``backends.cuda.enable_math_sdp(False)``) left no kernel that takes these inputs."""
    if SDP_ENABLED["math"]:
        return
    if not SDP_ENABLED["flash"]:
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This "
                           "is likely due to turning off both the math kernel and the fused "
                           "kernels.")
    why = _flash_refusal(query, key, value, attn_mask, dropout_p, enable_gqa)
    if why is not None:
        _warnings.warn("Flash attention kernel not used because:")
        _warnings.warn(why)
        raise RuntimeError("No available kernel.  Aborting execution.")


def _additive(mask: Tensor, dtype) -> Tensor:
    """A boolean mask (True = may attend) as an additive one: 0 where True, -inf where False."""
    return zeros(mask.shape, dtype=dtype).masked_fill_(mask.logical_not(), _NEG_INF)


def _repeat_heads(query, key, value):
    """Grouped-query attention: each key/value head serves ``Hq / Hkv`` query heads."""
    hq, hk, hv = query.size(-3), key.size(-3), value.size(-3)
    if hq % hk != 0 or hq % hv != 0:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    if hk != hq:
        key = key.repeat_interleave(hq // hk, -3)
    if hv != hq:
        value = value.repeat_interleave(hq // hv, -3)
    return key, value


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(Q K^T * scale + mask) V`` over the last two dims, batch dims broadcast.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``.
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable
            to ``(..., L, S)``.
        dropout_p: dropout on the attention weights (always applied when > 0, as PyTorch).
        is_causal: attend only to keys ``j <= i`` (a top-left aligned ``L x S`` lower
            triangle); cannot be combined with ``attn_mask``.
        scale: score scale; default ``1 / sqrt(E)``.
        enable_gqa: let key/value have fewer heads (dim -3) than query.

    Shape:
        output ``(..., L, Ev)``.
    """
    _check_sdpa(query, key, value, attn_mask, is_causal)
    _check_backends(query, key, value, attn_mask, dropout_p, enable_gqa)
    if enable_gqa and query.dim() >= 3:
        key, value = _repeat_heads(query, key, value)
    L, S = query.size(-2), key.size(-2)
    if scale is None:
        scale = 1.0 / math.sqrt(query.size(-1))
    # Scaling Q (L x E) is cheaper than scaling the L x S scores.
    scores = matmul(query * scale, key.transpose(-2, -1))
    if is_causal:
        attn_mask = ones((L, S), dtype=D.bool).tril()
    if attn_mask is not None:
        if attn_mask.dtype is D.bool:
            attn_mask = _additive(attn_mask, query.dtype)
        elif attn_mask.dtype is not query.dtype:
            attn_mask = attn_mask.to(query.dtype)  # PyTorch adds it in place into the scores
        scores = scores + attn_mask
        # Rows with nothing to attend to: softmax them as zeros' (finite) and zero them after,
        # so neither the output nor the gradient sees the NaN of softmax(all -inf).
        empty_rows = Tensor._make((scores._data == _NEG_INF).all(-1, keepdims=True))
        if empty_rows._data.any():
            weights = softmax(scores.masked_fill(empty_rows, 0.0), -1).masked_fill(empty_rows,
                                                                                  0.0)
        else:
            weights = softmax(scores, -1)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        _check_p(dropout_p, RuntimeError)
        weights = _dropout_impl(weights, dropout_p, True, False, False, False)
    return matmul(weights, value)


# --- multi-head attention ---------------------------------------------------------------


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or numtorch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """Bool masks (True = masked out) become float masks with -inf; float masks pass."""
    if mask is None:
        return None
    if mask.dtype is not D.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype is not other_type:
        _warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                       "Use same type for both instead.", UserWarning)
    if mask.dtype is D.bool:
        mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, _NEG_INF)
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Check the ranks of the inputs; return whether they are batched (3-D)."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                    f"3-D but found {attn_mask.dim()}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(
                    f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _split_packed(q, k, v, w, b):
    """q, k, v projections with the packed ``(3E, E)`` weight. Self-attention (q is k is v)
    is one matmul; encoder-decoder attention (k is v) is two."""
    E = q.size(-1)
    if k is v and q is k:
        proj = linear(q, w, b)
        return proj[..., :E], proj[..., E:2 * E], proj[..., 2 * E:]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    if k is v:
        kv = linear(k, w[E:], None if b is None else b[E:])
        return linear(q, w_q, b_q), kv[..., :E], kv[..., E:]
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _project_separate(q, k, v, w_q, w_k, w_v, b):
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    for name, w, want in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)),
                          ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != want:
            raise AssertionError(f"expecting {name} weights shape of {want}, but got {w.shape}")
    for name, bias in (("query", b_q), ("key", b_k), ("value", b_v)):
        if bias is not None and tuple(bias.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {bias.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _static(t, which, bsz_heads, head_dim):
    if t.size(0) != bsz_heads:
        raise AssertionError(f"expecting static_{which}.size(0) of {bsz_heads}, but got "
                             f"{t.size(0)}")
    if t.size(2) != head_dim:
        raise AssertionError(f"expecting static_{which}.size(2) of {head_dim}, but got "
                             f"{t.size(2)}")
    return t


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on sequence-first inputs.

    Shape:
        query ``(L, N, E)`` or ``(L, E)``; key ``(S, N, Ek)``; value ``(S, N, Ev)``;
        key_padding_mask ``(N, S)`` (True / -inf = ignore that key); attn_mask ``(L, S)`` or
        ``(N * num_heads, L, S)``. Returns the output ``(L, N, E)`` and, with
        ``need_weights``, the attention weights ``(N, L, S)`` (averaged over heads) or
        ``(N, num_heads, L, S)``.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:  # run as a batch of one
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # sdpa's is_causal stands in for the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, "
                             f"but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # in-projection
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _split_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        q, k, v = _project_separate(query, key, value, q_proj_weight, k_proj_weight,
                                    v_proj_weight, in_proj_bias)

    if attn_mask is not None:  # always 3-D from here on
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            want = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {want}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # a learned extra key/value at the end of the sequence
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # heads: (len, N, E) -> (N * heads, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = _static(static_k, "k", bsz * num_heads, head_dim)
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = _static(static_v, "v", bsz * num_heads, head_dim)

    if add_zero_attn:  # an all-zero extra key/value
        zero = zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k = cat([k, zero], dim=1)
        v = cat([v, zero.to(v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        # The weights are returned, so they are computed in the open (a plain softmax: a row
        # with every key masked gives NaN here, as in PyTorch).
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if attn_mask is not None:
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(weights, -1)
        if dropout_p > 0.0:
            _check_p(dropout_p)
            weights = _dropout_impl(weights, dropout_p, True, False, False, False)
        out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None
