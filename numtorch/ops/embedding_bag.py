"""Bags of embeddings: ``embedding_bag`` sums, averages or takes the max of rows of a table.

The indices come as one flat list cut into bags by ``offsets`` (bag ``b`` is
``input[offsets[b]:offsets[b + 1]]``), or as a 2-D ``(B, L)`` tensor (``B`` bags of ``L``).
For each bag::

    sum:  out[b] = sum_k psw[k] * weight[input[k]]      (psw, per_sample_weights, default 1)
    mean: out[b] = sum_k weight[input[k]] / (bag size)
    max:  out[b, j] = max_k weight[input[k], j]

Indices equal to ``padding_idx`` are left out of their bag (and of its size); an empty bag
gives zeros. The bags are contiguous runs of the flat list, so each reduction is one
``reduceat`` over the gathered rows. The gradient scatters each bag's gradient back onto
the rows it read (``max``: only onto the row that won each feature), as ``embedding`` does.
"""

from __future__ import annotations

from .. import _dtype as D
from .. import _warnings
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction, once_differentiable
from ._util import xp_of
from .embedding import _renorm_rows, _scatter_rows

__all__ = ["embedding_bag"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_MODES = {"sum": 0, "mean": 1, "max": 2}
_BAD_INDEX = ("Expected i < index_size to be true, but got false.  (Could this error message be "
              "improved?  If so, please report an enhancement request to PyTorch.)")


def _legacy(t: Tensor) -> str:
    return f"numtorch.{t.dtype._legacy}Tensor"


class _EmbeddingBag(ArrayFunction):
    """Reduce the rows ``weight[idx[keep]]`` over the bags ``bag[keep]`` (sorted, contiguous)."""

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, psw, idx, keep, bag, num_bags, mode, scale_grad_by_freq):
        xp = xp_of(weight)
        idx_k, bag_k = idx[keep], bag[keep]
        ctx.state = (weight.shape[0], idx_k, bag_k, keep, mode, scale_grad_by_freq)
        out = xp.zeros((num_bags, weight.shape[1]), dtype=weight.dtype)
        if idx_k.size == 0:
            ctx.save_for_backward(weight, psw)
            return out
        rows = weight[idx_k]
        if psw is not None:
            rows = rows * psw[keep][:, None]
        new_bag = xp.concatenate(([True], bag_k[1:] != bag_k[:-1]))
        starts = xp.flatnonzero(new_bag)
        filled = bag_k[starts]
        if mode == "max":
            best = xp.maximum.reduceat(rows, starts, axis=0)
            # The first row of each bag reaching the max wins that feature (its gradient).
            segment = xp.cumsum(new_bag) - 1
            pos = xp.where(rows == best[segment], xp.arange(len(rows))[:, None], len(rows))
            ctx.winner = idx_k[xp.minimum.reduceat(pos, starts, axis=0)]
            out[filled] = best
        else:
            sums = xp.add.reduceat(rows, starts, axis=0)
            if mode == "mean":
                counts = xp.diff(xp.concatenate((starts, [len(rows)])))
                sums = sums / counts[:, None].astype(sums.dtype)
            out[filled] = sums
        ctx.filled = filled
        ctx.save_for_backward(weight, psw)
        return out

    @staticmethod
    @once_differentiable  # as PyTorch: the bag gradient is not differentiated again
    def backward(ctx, grad):
        weight_t, psw_t = ctx.saved_tensors
        num_rows, idx_k, bag_k, keep, mode, scale = ctx.state
        g = grad._data
        xp = xp_of(g)
        g_weight = g_psw = None
        if mode == "max":
            if ctx.needs_input_grad[0]:
                g_weight = xp.zeros((num_rows, g.shape[1]), dtype=g.dtype)
                if idx_k.size:
                    cols = xp.broadcast_to(xp.arange(g.shape[1]), ctx.winner.shape)
                    xp.add.at(g_weight, (ctx.winner, cols), g[ctx.filled])
            return (None if g_weight is None else Tensor._make(g_weight)), None, *(None,) * 6
        rows_g = g[bag_k]
        if ctx.needs_input_grad[0]:
            per_row = rows_g
            if psw_t is not None:
                per_row = per_row * psw_t._data[keep][:, None]
            elif mode == "mean":
                counts = xp.bincount(bag_k, minlength=g.shape[0])
                per_row = per_row / counts[bag_k][:, None].astype(g.dtype)
            g_weight = Tensor._make(_scatter_rows(xp, per_row, idx_k, num_rows, -1, scale))
        if psw_t is not None and ctx.needs_input_grad[1]:
            full = xp.zeros(psw_t._data.shape, dtype=psw_t._data.dtype)
            full[keep] = (rows_g * weight_t._data[idx_k]).sum(axis=1)
            g_psw = Tensor._make(full)
        return g_weight, g_psw, *(None,) * 6


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the rows of ``weight`` in each bag of indices.

    Args:
        input: ``(B, L)`` indices (B bags of L), or 1-D indices cut into bags by ``offsets``.
        weight: the table ``(num_embeddings, embedding_dim)``.
        offsets: 1-D start of each bag in a 1-D ``input`` (the first is 0).
        max_norm, norm_type: rows read are first renormalised in place to norm ``<= max_norm``.
        scale_grad_by_freq: divide the weight gradient by each index's count.
        mode: ``'sum'``, ``'mean'`` (default) or ``'max'``.
        sparse: accepted; numtorch's gradients are always dense.
        per_sample_weights: a weight per index (``mode='sum'`` only), same shape as ``input``.
        include_last_offset: ``offsets`` has one more entry, the end of the last bag.
        padding_idx: this index is left out of every bag.

    Shape:
        output ``(B, embedding_dim)``.
    """
    if weight.dtype in (D.int64,) and input.dtype.is_floating_point:
        _warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                       "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                       "`embedding_bag(input, weight, ...)`.")
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    xp = xp_of(input._data)
    psw = per_sample_weights
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        num_bags, length = input.shape
        starts = xp.arange(num_bags, dtype=xp.int64) * length
        ends = starts + length
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts, ends = None, None
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    for t in (input,) if offsets is None else (input, offsets):
        if t.dtype not in (D.int64, D.int32):
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got {_legacy(t)} instead (while checking arguments for "
                "embedding_bag)")
    idx = input._data.reshape(-1).astype(xp.int64, copy=False)
    n, rows = idx.size, weight.shape[0]
    if starts is None:
        off = offsets._data.astype(xp.int64, copy=False)
        if off.size and int(off[0]) != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                               f"has to start from position 0. However, got {int(off[0])}")
        if off.size and int(off[-1]) > n:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                               f"offsets[-1] of {int(off[-1])}")
        if off.size > 1 and bool((off[1:] < off[:-1]).any()):
            raise RuntimeError(_BAD_INDEX)
        if include_last_offset:
            starts, ends = off[:-1], off[1:]
        else:
            starts, ends = off, xp.concatenate((off[1:], xp.asarray([n], dtype=xp.int64)))
    if psw is not None:
        if psw.dtype != weight.dtype:
            raise RuntimeError(
                "Expected tensor for argument #1 'weight' to have the same type as tensor for "
                f"argument #1 'per_sample_weights'; but type {_legacy(weight)} does not equal "
                f"{_legacy(psw)} (while checking arguments for embedding_bag)")
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub.")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-rows} "
                               f"through {rows - 1}, but got {padding_idx}")
        padding_idx = padding_idx % rows if rows else padding_idx
    if n and (int(idx.min()) < 0 or int(idx.max()) >= rows):
        raise RuntimeError(_BAD_INDEX)
    num_bags = len(starts)
    # The bag of each index (-1: after the last bag), and the indices that count.
    bag = xp.full(n, -1, dtype=xp.int64)
    lengths = ends - starts
    first = xp.cumsum(lengths) - lengths  # where each bag begins among the bagged indices
    bag[xp.repeat(starts - first, lengths) + xp.arange(int(lengths.sum()))] = \
        xp.repeat(xp.arange(num_bags), lengths)
    counted = bag >= 0
    if padding_idx is not None:
        counted &= idx != padding_idx
    keep = xp.flatnonzero(counted)
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    psw_arg = None if psw is None else psw.reshape(-1)
    return _EmbeddingBag.apply(weight, psw_arg, idx, keep, bag, num_bags, mode,
                               scale_grad_by_freq)
