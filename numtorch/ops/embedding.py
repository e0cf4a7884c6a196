"""Embedding lookup and one-hot encoding.

``embedding(input, weight)`` is ``weight[input]``: row lookup. Its gradient
scatters the upstream gradient rows back onto the rows they came from, adding
where an index repeats; rows at ``padding_idx`` get no gradient. The scatter is
done by sorting the indices once and summing runs of equal indices with
``add.reduceat`` (far faster than ``add.at`` for wide rows).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ._util import xp_of

__all__ = ["embedding", "one_hot"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _scatter_rows(xp, grad2d, idx, num_rows, padding_idx, scale_by_freq):
    """``out[idx[k]] += grad2d[k]`` for every k, into a (num_rows, D) array of zeros."""
    out = xp.zeros((num_rows, grad2d.shape[1]), dtype=grad2d.dtype)
    if idx.size:
        if scale_by_freq:
            counts = xp.bincount(idx, minlength=num_rows)
            grad2d = grad2d / counts[idx].astype(grad2d.dtype)[:, None]
        order = xp.argsort(idx, kind="stable")
        sorted_idx = idx[order]
        starts = xp.flatnonzero(xp.concatenate(([True], sorted_idx[1:] != sorted_idx[:-1])))
        if starts.size == idx.size:  # no repeats: plain assignment
            out[idx] = grad2d
        else:
            out[sorted_idx[starts]] = xp.add.reduceat(grad2d[order], starts, axis=0)
    if padding_idx >= 0:
        out[padding_idx] = 0
    return out


class Embedding(ArrayFunction):
    """Row lookup ``weight[indices]``; backward scatters rows back (repeated indices add)."""

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.num_rows = weight.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        ctx.indices = indices
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        return (EmbeddingDenseBackward.apply(grad, ctx.indices, ctx.num_rows, ctx.padding_idx,
                                             ctx.scale), None, None, None)


class EmbeddingDenseBackward(ArrayFunction):
    """The gradient of an embedding for its weight, as a function of the upstream gradient
    (linear in it: its own gradient is an embedding lookup again, padding rows zeroed)."""

    node_name = "EmbeddingDenseBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, indices, num_rows, padding_idx, scale):
        ctx.indices, ctx.padding_idx, ctx.scale = indices, padding_idx, scale
        d = grad.shape[-1]
        idx = indices.reshape(-1).astype(np.int64, copy=False)
        return _scatter_rows(xp_of(grad), grad.reshape(-1, d), idx, num_rows, padding_idx,
                             scale)

    @staticmethod
    def backward(ctx, gg):
        idx = Tensor._make(ctx.indices)
        out = gg[idx]
        if ctx.padding_idx >= 0:
            out = out * (idx != ctx.padding_idx).unsqueeze(-1)
        # PyTorch's double backward ignores scale_grad_by_freq (it is not this function's
        # exact adjoint then); numtorch does the same, so both give the same numbers.
        return out, None, None, None, None


def _renorm_rows(weight, indices, max_norm, norm_type) -> None:
    """Rescale in place the rows of ``weight`` that ``indices`` reads and whose norm exceeds
    ``max_norm`` (PyTorch's ``embedding_renorm_``), outside autograd."""
    w = weight._data
    xp = xp_of(w)
    rows = xp.unique(indices.reshape(-1))
    sub = w[rows].astype(w.dtype)
    if norm_type == float("inf"):
        norms = xp.abs(sub).max(axis=1)
    else:
        norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sub[big] * scale[:, None]
        weight._vc[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` (num_embeddings, dim) at the integer indices ``input``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: the rows looked up are first
    renormalised in place to norm at most ``max_norm``. ``sparse`` gradients are not
    supported by numtorch: the gradient is always dense.
    """
    if input.dtype not in (D.int64, D.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got numtorch.{input.dtype._legacy}Tensor instead (while "
            "checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each index."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    idx = tensor._data
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if int(idx.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(idx.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = xp_of(idx)
    out = xp.zeros(idx.shape + (num_classes,), dtype=np.int64)
    xp.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out)
