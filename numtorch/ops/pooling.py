"""Pooling kernels: max, average, adaptive average and adaptive max pooling (1-D to 3-D).

Every kernel works on arrays shaped ``(..., *spatial)`` with ``nd`` spatial dims, so one
function serves 1-D, 2-D and 3-D pooling (1-D pooling runs as 2-D pooling over a height
of one, as PyTorch does: its ``grad_fn`` is the squeeze that removes that height).

- Max and average pooling run over *taps*: for each kernel offset, the strided view of the
  (padded) input holding the element that offset reads in every window. A pooling is then
  ``K`` elementwise steps over the output's size (a maximum, a sum), in cache-sized blocks
  of rows split over the thread pool; the windows are never copied. PyTorch's tie rule
  for max: the first maximum wins (so -0.0 before 0.0 gives -0.0), but a NaN always
  replaces the running maximum, so the *last* NaN of a window wins; the index of the
  maximum is its first tap equal to it. Backward sends each output's gradient to its
  index (``add.at`` in the outputs' order where windows overlap, as PyTorch adds them).
- Average pooling sums each window in its order, from +0 as PyTorch does, and divides by
  PyTorch's divisor (the window clipped to the padded input, or to the real input with
  ``count_include_pad=False``, or ``divisor_override``); backward adds ``grad / divisor``
  into each tap's view, last tap first (the order PyTorch's loop adds them in).
- Adaptive average pooling is separable: the window of output ``i`` over an input of
  length ``L`` is ``[floor(i L / out), ceil((i + 1) L / out))``, so the op is one matrix
  product per spatial dim with a constant averaging matrix, and backward is the product
  with its transpose (differentiable again for free).
- Adaptive max pooling gathers each (variable-sized) window padded to the largest one
  by repeating its last element, which never changes the max or PyTorch's tie rule.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..backend import parallel
from ._util import xp_of
from .shape import _fmt as _sizes

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_I64 = np.dtype(np.int64)


# --------------------------------------------------------------------------- helpers


def _ntuple(value, n: int, fn: str, arg: str) -> tuple:
    """``value`` as an n-tuple of ints (an int or a 1-sequence is repeated)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        if n == 2:
            raise RuntimeError(f"{fn}: {arg} must either be a single int, or a tuple of two ints")
        raise RuntimeError(f"{fn}: {arg} must either be a single int, or a tuple of three ints")
    return value


def _out_size(size, k, s, p, d, ceil) -> int:
    """PyTorch's pooling output length (``ceil_mode`` never starts a window in the right pad)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _check_pool_args(nd, k, s, p, d, shape):
    """PyTorch's checks for kernel, stride, padding and the output size; returns out sizes."""
    names = ("T", "H", "W")[3 - nd:]
    for i in range(nd):  # PyTorch computes the output size (these checks) first
        if s[i] == 0:
            raise RuntimeError("stride should not be zero")
        if p[i] < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p[i]}")
        if p[i] > ((k[i] - 1) * d[i] + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={p[i]}, kernel_size={k[i]} and dilation={d[i]}")
    if any(v <= 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{n}: {v}" for n, v in zip(names, k)))
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{n}: {v}" for n, v in zip(names, d)))
    spatial = shape[-nd:]
    out = tuple(_out_size(spatial[i], k[i], s[i], p[i], d[i], False) for i in range(nd))
    return out


def _check_out(shape, nd, out):
    if any(o < 1 for o in out):
        planes = shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes,) + shape[-nd:]))}). "
                           f"Calculated output size: ({'x'.join(map(str, (planes,) + out))}). "
                           "Output size is too small")


def _check_nonempty(input, nd, fn):
    """Only the batch dim may be empty (PyTorch's 3-D message always names dimension 0)."""
    if any(v == 0 for v in input.shape[-nd - 1:]):
        if nd == 2:
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{_sizes(input.shape)}")
        raise RuntimeError(f"{fn}(): Expected input's non-batch dimensions to have positive "
                           f"length, but input has a shape of {_sizes(input.shape)} and "
                           "non-batch dimension 0 has length zero!")


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pads(nd, k, s, p, d, spatial, out):
    """Per spatial dim, the (left, right) padding the windows reach into: ``p`` on the left,
    and on the right what ``p`` and a ceil-mode last window need."""
    span = [d[i] * (k[i] - 1) + 1 for i in range(nd)]
    return [(p[i], max(0, (out[i] - 1) * s[i] + span[i] - spatial[i] - p[i])) for i in range(nd)]


def _padded(xp, x, nd, pads, fill):
    """``x`` with its last ``nd`` dims padded by ``pads``, the border set to ``fill``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    lead = x.shape[:-nd]
    shape = lead + tuple(x.shape[-nd + i] + lo + hi for i, (lo, hi) in enumerate(pads))
    xpd = xp.empty(shape, dtype=x.dtype)
    for i, (lo, hi) in enumerate(pads):
        before = (slice(None),) * (len(lead) + i)
        xpd[before + (slice(0, lo),)] = fill
        xpd[before + (slice(shape[len(lead) + i] - hi, None),)] = fill
    inner = tuple(slice(lo, lo + x.shape[-nd + i]) for i, (lo, _) in enumerate(pads))
    xpd[(slice(None),) * len(lead) + inner] = x
    return xpd


def _taps(x, nd, k, s, d, out):
    """Per kernel offset, in the window's row-major order (PyTorch's scan order), the view
    ``(..., *out)`` of the element that offset reads in every window of ``x`` (already
    padded). A pooling is then ``K`` elementwise steps over the output's size, one per
    view, with no copy of the windows; its gradient adds into the same views."""
    lead = (slice(None),) * (x.ndim - nd)
    return [x[lead + tuple(slice(t[i] * d[i], t[i] * d[i] + (out[i] - 1) * s[i] + 1, s[i])
                           for i in range(nd))]
            for t in itertools.product(*(range(v) for v in k))]


_BLOCK_OUT = 1 << 16  # output elements per block of rows
_PAR_ROWS_MIN = 1 << 16  # output elements from which the blocks are split over the threads


def _by_rows(xp, fn, rows: int, per_row: int) -> None:
    """``fn(start, stop)`` over ``range(rows)`` (the flattened batch and channel dims), in
    cache-sized blocks, split over numtorch's thread pool when the output is large (NumPy
    releases the GIL in its loops, and every row is pooled on its own). One call on CuPy."""
    if xp is not np:
        fn(0, rows)
        return
    step = max(1, _BLOCK_OUT // max(per_row, 1))

    def part(a, b):
        for start in range(a, b, step):
            fn(start, min(b, start + step))

    if rows * per_row >= _PAR_ROWS_MIN and rows > 1:
        parallel.split(part, rows, key=("pool", fn.__code__, (rows * per_row).bit_length()))
    else:
        part(0, rows)


def _argmax_nan_last(xp, w):
    """argmax over the last axis with PyTorch's rule: first maximum, but the last NaN."""
    idx = w.argmax(axis=-1)
    if w.dtype.kind == "f":
        isn = xp.isnan(w)
        if isn.any():
            last = w.shape[-1] - 1 - isn[..., ::-1].argmax(axis=-1)
            idx = xp.where(isn.any(axis=-1), last, idx)
    return idx


def _scatter_grad(xp, g, idx, in_shape, nd, overlap):
    """Add each output gradient into the input position its flat ``idx`` names (in the
    outputs' order where windows overlap, as PyTorch's loop adds them)."""
    gi = xp.zeros(in_shape, dtype=g.dtype)  # returned itself (not a view): the engine can
    if gi.size == 0:                        # keep it as the leaf's .grad without a copy
        return gi
    rows = int(np.prod(in_shape[:-nd], dtype=np.int64))
    length = gi.size // rows
    # One flat index per output into the whole gradient: a plain fancy assignment, and
    # NumPy's add.at has a fast loop for a 1-D index (measured 4.5x faster than the
    # (row, column) pair; the assignment 1.3x faster than put_along_axis).
    flat = (idx.reshape(rows, -1) + (xp.arange(rows, dtype=_I64) * length)[:, None]).reshape(-1)
    if overlap:
        xp.add.at(gi.reshape(-1), flat, g.reshape(-1))
    else:
        gi.reshape(-1)[flat] = g.reshape(-1)
    return gi


def _gather_grad(gg, idx, nd):
    """The gradient of ``_scatter_grad`` with respect to ``g``: ``gg`` read at ``idx``."""
    shape = idx.shape
    rows = int(np.prod(shape[:-nd], dtype=np.int64))
    cols = int(np.prod(shape[-nd:], dtype=np.int64))
    i2 = Tensor._make(xp_of(idx).ascontiguousarray(idx).reshape(rows, cols))
    return gg.reshape(rows, gg.numel() // rows if rows else 0).gather(1, i2).reshape(shape)


def _spread(xp, g, in_shape, nd, k, s, p, d, share):
    """A pooling's input gradient: for every tap, ``share(j, a, b)`` (rows ``a:b`` of the
    output gradient's part that tap ``j`` carries back) added into the tap's view of a
    zero, padded input, which is then cropped. The taps go last to first: an input element
    then receives its parts in the order of the windows it lies in, the order in which
    PyTorch's loop over the output adds them (so the float sums round as PyTorch's do)."""
    spatial, out = tuple(in_shape[-nd:]), tuple(g.shape[-nd:])
    pads = _pads(nd, k, s, p, d, spatial, out)
    padded = tuple(spatial[i] + lo + hi for i, (lo, hi) in enumerate(pads))
    crop = (slice(None),) + tuple(slice(lo, lo + spatial[i]) for i, (lo, _) in enumerate(pads))
    rows = int(np.prod(in_shape[:-nd], dtype=np.int64))
    result = xp.empty(in_shape, dtype=g.dtype)  # returned itself, not a view (no engine copy)
    gi = result.reshape((rows,) + spatial)

    def block(a, b):
        gp = xp.zeros((b - a,) + padded, dtype=g.dtype)
        views = _taps(gp, nd, k, s, d, out)
        for j in range(len(views) - 1, -1, -1):
            views[j] += share(j, a, b)
        gi[a:b] = gp[crop]

    _by_rows(xp, block, rows, math.prod(out))
    return result


class _ScatterBackward(ArrayFunction):
    """The backward of a max-type pooling as its own op, so it can be differentiated again."""

    @staticmethod
    def forward(ctx, g, idx, in_shape, nd, overlap):
        ctx.idx, ctx.nd = idx, nd
        return _scatter_grad(xp_of(g), g, idx, in_shape, nd, overlap)

    @staticmethod
    def backward(ctx, gg):
        return _gather_grad(gg, ctx.idx, ctx.nd), None, None, None, None


def _max_backward(ctx, grad):
    """Shared backward of max and adaptive max pooling (gradient to each window's argmax)."""
    if not ctx.needs_input_grad[0]:
        return (None,) * ctx.nargs
    if grad_mode.enabled:
        gi = ctx.scatter_cls.apply(grad, ctx.idx, ctx.in_shape, ctx.nd, ctx.overlap)
    else:
        g = grad._data
        gi = Tensor._make(_scatter_grad(xp_of(g), g, ctx.idx, ctx.in_shape, ctx.nd,
                                        ctx.overlap))
    return (gi,) + (None,) * (ctx.nargs - 1)


# --------------------------------------------------------------------------- max pooling


_ZERO_TIE: dict = {}  # (array module, dtype) -> see _zero_tie


def _zero_tie(xp, dtype):
    """Which operand ``maximum(a, b)`` returns when ``a`` and ``b`` are zeros of opposite signs:
    "first", "second", or None if not always the same one. NumPy does not document it (this
    build returns the second, from its SIMD loops and its scalar ones alike), so it is asked
    once per dtype, on contiguous and strided arrays with lengths that end in partial SIMD
    blocks. Max pooling needs it: PyTorch keeps the first of equal values, so a window
    holding -0.0 before 0.0 gives -0.0."""
    if dtype.kind != "f":
        return "first"  # integers: equal values are the same value
    key = (xp, dtype)
    if key not in _ZERO_TIE:
        pos = xp.zeros(142, dtype=dtype)
        neg = -pos
        seen = set()
        for n in (1, 7, 16, 33, 71):
            for a, b in ((neg[:n], pos[:n]), (pos[:n], neg[:n]),
                         (neg[:2 * n:2], pos[:2 * n:2]), (pos[:2 * n:2], neg[:2 * n:2])):
                r = xp.signbit(xp.maximum(a, b))
                seen.add("second" if bool((r == xp.signbit(b)).all()) else
                         "first" if bool((r == xp.signbit(a)).all()) else None)
        _ZERO_TIE[key] = seen.pop() if len(seen) == 1 else None
    return _ZERO_TIE[key]


def _first_max(xp, taps, v) -> None:
    """Write into ``v`` each window's maximum over ``taps`` as PyTorch picks it: the first of
    equal values (-0.0 and 0.0 tie), the last NaN if the window holds one."""
    tie = _zero_tie(xp, v.dtype)
    if len(taps) == 1:
        v[...] = taps[0]
    elif tie is None:  # the rule itself: replace on a greater value or a NaN
        v[...] = taps[0]
        for t in taps[1:]:
            m = t > v
            m |= xp.isnan(t)
            xp.copyto(v, t, where=m)
    else:
        if tie == "second":  # maximum(later, so far): a tie keeps the earlier value
            xp.maximum(taps[1], taps[0], out=v)
            for t in taps[2:]:
                xp.maximum(t, v, out=v)
        else:
            xp.maximum(taps[0], taps[1], out=v)
            for t in taps[2:]:
                xp.maximum(v, t, out=v)
        if v.dtype.kind == "f" and bool(xp.isnan(v).any()):
            # Of two NaNs maximum keeps one by its own order (float16's: the earlier), but
            # PyTorch's window holds its last NaN (their signs and payloads may differ).
            for t in taps:
                xp.copyto(v, t, where=xp.isnan(t))


def _first_max_tap(xp, taps, v):
    """Per window, the position in ``taps`` of the maximum ``v``: the first tap equal to it,
    or for a NaN the last NaN (PyTorch replaces the running maximum with every NaN). Counted
    from the last tap back: ``arg = 0`` where tap j equals v, else ``1 + arg`` of tap j + 1."""
    n = len(taps)
    arg = xp.zeros(v.shape, dtype=np.uint8 if n < 256 else np.int64)
    ne = xp.empty(v.shape, dtype=bool)
    for j in range(n - 2, -1, -1):
        arg += 1
        xp.not_equal(taps[j], v, out=ne)
        arg *= ne
    if v.dtype.kind == "f":
        nan = xp.isnan(v)
        if nan.any():
            for j, t in enumerate(taps):
                xp.copyto(arg, arg.dtype.type(j), where=nan & xp.isnan(t))
    return arg


def _flat_index(nd, k, s, p, d, spatial, out):
    """Flat positions in the spatial dims (int64): per tap, its offset from its window's
    first element; per window, that first element (it may lie in the padding), so that a
    window's maximum is at ``base + table[tap]``; and per window, its first element inside
    the input."""
    mult = [int(np.prod(spatial[i + 1:], dtype=np.int64)) for i in range(nd)]
    table = np.array([sum(t[i] * d[i] * mult[i] for i in range(nd))
                      for t in itertools.product(*(range(v) for v in k))], dtype=_I64)
    base = np.zeros(out, dtype=_I64)
    first = np.zeros(out, dtype=_I64)
    for i in range(nd):
        shape = [1] * nd
        shape[i] = out[i]
        start = (np.arange(out[i], dtype=_I64) * s[i] - p[i]).reshape(shape)
        tap = -(-np.maximum(-start, 0) // d[i])  # the first tap at or past 0
        base = base + start * mult[i]
        first = first + (start + tap * d[i]) * mult[i]
    return table, base, first


def _max_pool_kernel(x, nd, k, s, p, d, out, indices=True):
    """(values, flat indices into the spatial dims) of the max of each window of ``x``
    (``(..., *spatial)``), by PyTorch's rule; the indices are None if not ``indices``."""
    xp = xp_of(x)
    lead_shape, spatial = x.shape[:-nd], x.shape[-nd:]
    shape = lead_shape + out
    if x.size == 0:
        return xp.empty(shape, dtype=x.dtype), xp.empty(shape, dtype=_I64) if indices else None
    fill = _lowest(x.dtype)
    pads = _pads(nd, k, s, p, d, spatial, out)
    rows = int(np.prod(lead_shape, dtype=np.int64))
    x = x.reshape((rows,) + spatial)
    vals = xp.empty((rows,) + out, dtype=x.dtype)
    idx = None
    if indices:
        table, base, first = (xp.asarray(a) for a in _flat_index(nd, k, s, p, d, spatial, out))
        idx = xp.empty((rows,) + out, dtype=_I64)

    def block(a, b):
        taps = _taps(_padded(xp, x[a:b], nd, pads, fill), nd, k, s, d, out)
        v = vals[a:b]
        _first_max(xp, taps, v)
        if indices:
            xp.take(table, _first_max_tap(xp, taps, v), out=idx[a:b])
            idx[a:b] += base

    _by_rows(xp, block, rows, math.prod(out))
    if indices:
        # A window that saw only the lowest value (or only padding): PyTorch keeps its
        # first position inside the input, where its scan started.
        empty = vals == fill
        if empty.any():
            idx = xp.where(empty, first, idx)
        idx = idx.reshape(shape)
    return vals.reshape(shape), idx


def _make_max_pool(nd):
    class MaxPoolWithIndices(ArrayFunction):
        node_name = f"MaxPool{nd}DWithIndicesBackward0"

        @staticmethod
        def forward(ctx, x, k, s, p, d, out, return_indices):
            if not (return_indices or ctx.needs_input_grad[0]):  # the values alone
                return _max_pool_kernel(x, nd, k, s, p, d, out, indices=False)
            vals, idx = _max_pool_kernel(x, nd, k, s, p, d, out)
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)  # backward ignores the indices' (zero) gradient
            ctx.idx, ctx.in_shape, ctx.nd, ctx.nargs = idx, x.shape, nd, 7
            ctx.overlap = any(s[i] < d[i] * (k[i] - 1) + 1 for i in range(nd))
            ctx.scatter_cls = _MAX_SCATTER[nd]
            return vals, idx

        backward = staticmethod(lambda ctx, grad, _gidx=None: _max_backward(ctx, grad))

    MaxPoolWithIndices.__name__ = f"MaxPool{nd}d"
    return MaxPoolWithIndices


_MAX_SCATTER = {nd: type(f"MaxPool{nd}dBackward", (_ScatterBackward,),
                         {"node_name": f"MaxPool{nd}DWithIndicesBackwardBackward0"})
                for nd in (2, 3)}
_MAX_POOL = {2: _make_max_pool(2), 3: _make_max_pool(3)}


def _max_pool_nd(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    fn = f"max_pool{nd}d"
    if input.ndim not in (nd + 1, nd + 2) or input.numel() == 0 and input.ndim == nd + 1:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    k = _ntuple(kernel_size, nd, fn, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _ntuple(stride, nd, fn, "stride")
    p = _ntuple(padding, nd, fn, "padding")
    d = _ntuple(dilation, nd, fn, "dilation")
    _check_pool_args(nd, k, s, p, d, input.shape)
    _check_nonempty(input, nd, f"max_pool{nd}d_with_indices_out_cpu_template")
    out = tuple(_out_size(input.shape[-nd + i], k[i], s[i], p[i], d[i], ceil_mode)
                for i in range(nd))
    _check_out(tuple(input.shape), nd, out)
    if input.dtype.np.kind == "b" or input.dtype.is_complex:
        raise NotImplementedError(f'"{fn}" not implemented for \'{input.dtype._legacy}\'')
    vals, idx = _MAX_POOL[nd].apply(input, k, s, p, d, out, return_indices)
    return (vals, idx) if return_indices else vals


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over ``kernel_size`` windows of (N, C, H, W) or (C, H, W) input.

    ``stride`` defaults to ``kernel_size``; ``padding`` pads with -inf on both sides;
    ``dilation`` spaces the window's elements; ``ceil_mode`` keeps a last partial window;
    ``return_indices`` also returns each max's flat index into H*W (for ``max_unpool2d``).
    """
    return _max_pool_nd(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W) input."""
    return _max_pool_nd(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                        return_indices)


def _one(value, fn, arg, message=None):
    """An int, or the one int of a 1-sequence; otherwise PyTorch's error for ``fn``'s ``arg``
    (``message(n)`` where its wording differs from max_pool1d's)."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(message(len(value)) if message else
                           f"{fn}() {arg} must be an int, list of ints or tuple of ints of size "
                           f"1 but got size {len(value)}")
    return int(value[0])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, L) or (C, L) input (2-D pooling over a height of one)."""
    if input.ndim not in (2, 3) or any(v == 0 for v in input.shape[-2:]):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{_sizes(input.shape)}")
    k = _one(kernel_size, "max_pool1d", "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _one(stride, "max_pool1d", "stride")
    p = _one(padding, "max_pool1d", "padding")
    d = _one(dilation, "max_pool1d", "dilation")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    if _out_size(input.shape[-1], k, s, p, d, ceil_mode) < 1:
        raise RuntimeError("max_pool1d() Invalid computed output size: "
                           f"{_out_size(input.shape[-1], k, s, p, d, ceil_mode)}")
    res = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
    vals, idx = res[0].squeeze(-2), res[1].squeeze(-2)
    return (vals, idx) if return_indices else vals


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# --------------------------------------------------------------------------- average pooling


def _avg_divisor(xp, nd, k, s, p, spatial, out, count_include_pad, dtype):
    """PyTorch's divisor for each output window, shaped ``out`` (an outer product per dim)."""
    div = None
    for i in range(nd):
        start = np.arange(out[i], dtype=np.int64) * s[i] - p[i]
        end = np.minimum(start + k[i], spatial[i] + p[i])
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, spatial[i]) - np.maximum(start, 0)
        shape = [1] * nd
        shape[i] = out[i]
        n = n.reshape(shape)
        div = n if div is None else div * n
    return xp.asarray(div.astype(dtype if dtype.kind == "f" else np.int64))


def _avg_pool_kernel(x, nd, k, s, p, out, count_include_pad, divisor_override):
    """Each window's sum, in the window's order from its first element (as PyTorch adds
    them: float16 in float32, integers in int64), divided by PyTorch's divisor."""
    xp = xp_of(x)
    lead_shape, spatial = x.shape[:-nd], x.shape[-nd:]
    if x.size == 0:
        return xp.empty(lead_shape + out, dtype=x.dtype)
    ones = (1,) * nd
    pads = _pads(nd, k, s, p, ones, spatial, out)
    rows = int(np.prod(lead_shape, dtype=np.int64))
    x = x.reshape((rows,) + spatial)
    acc_dtype = (np.dtype(np.float32) if x.dtype == np.float16 else x.dtype) \
        if x.dtype.kind == "f" else _I64
    acc = xp.empty((rows,) + out, dtype=acc_dtype)

    def block(a, b):
        taps = _taps(_padded(xp, x[a:b], nd, pads, 0), nd, k, s, ones, out)
        sums = acc[a:b]
        xp.add(taps[0], acc.dtype.type(0), out=sums)  # from +0, as PyTorch: -0.0 + 0 is 0
        for t in taps[1:]:
            xp.add(sums, t, out=sums)

    _by_rows(xp, block, rows, math.prod(out))
    acc = acc.reshape(lead_shape + out)
    if x.dtype.kind == "f":
        if divisor_override:
            acc /= acc.dtype.type(divisor_override)
        else:
            acc /= _avg_divisor(xp, nd, k, s, p, spatial, out, count_include_pad, acc.dtype)
        return acc.astype(x.dtype, copy=False)
    div = divisor_override if divisor_override else _avg_divisor(
        xp, nd, k, s, p, spatial, out, count_include_pad, acc.dtype)
    q = xp.abs(acc) // div  # C++ integer division truncates toward zero
    return (xp.sign(acc) * q).astype(x.dtype)


def _avg_pool_backward_kernel(g, nd, k, s, p, in_shape, count_include_pad, divisor_override):
    """Spread ``g / divisor`` back over each window (``_spread``: one strided view per tap)."""
    xp = xp_of(g)
    out = g.shape[-nd:]
    if divisor_override:
        gd = g / g.dtype.type(divisor_override)
    else:
        gd = g / _avg_divisor(xp, nd, k, s, p, in_shape[-nd:], out, count_include_pad, g.dtype)
    rows = int(np.prod(in_shape[:-nd], dtype=np.int64))
    gd = gd.reshape((rows,) + out)
    return _spread(xp, gd, in_shape, nd, k, s, p, (1,) * nd, lambda j, a, b: gd[a:b])


def _make_avg_pool(nd):
    class AvgPool(ArrayFunction):
        node_name = f"AvgPool{nd}DBackward0"

        @staticmethod
        def forward(ctx, x, k, s, p, out, cip, div):
            ctx.args, ctx.in_shape = (k, s, p, cip, div), x.shape
            return _avg_pool_kernel(x, nd, k, s, p, out, cip, div)

        @staticmethod
        def backward(ctx, grad):
            if not ctx.needs_input_grad[0]:
                return (None,) * 7
            k, s, p, cip, div = ctx.args
            if grad_mode.enabled:
                gi = _AVG_GRAD[nd].apply(grad, k, s, p, ctx.in_shape, cip, div)
            else:
                gi = Tensor._make(_avg_pool_backward_kernel(grad._data, nd, k, s, p,
                                                            ctx.in_shape, cip, div))
            return (gi,) + (None,) * 6

    class AvgPoolGrad(ArrayFunction):
        node_name = f"AvgPool{nd}DBackwardBackward0"

        @staticmethod
        def forward(ctx, g, k, s, p, in_shape, cip, div):
            ctx.args, ctx.out = (k, s, p, cip, div), g.shape[-nd:]
            return _avg_pool_backward_kernel(g, nd, k, s, p, in_shape, cip, div)

        @staticmethod
        def backward(ctx, gg):
            k, s, p, cip, div = ctx.args
            return (_AVG_POOL[nd].apply(gg, k, s, p, ctx.out, cip, div),) + (None,) * 6

    return AvgPool, AvgPoolGrad


_AVG_POOL, _AVG_GRAD = {}, {}
for _nd in (2, 3):
    _AVG_POOL[_nd], _AVG_GRAD[_nd] = _make_avg_pool(_nd)


def _avg_pool_nd(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
    fn = f"avg_pool{nd}d"
    if input.ndim not in (nd + 1, nd + 2) or input.numel() == 0 and input.ndim == nd + 1:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    k = _ntuple(kernel_size, nd, fn, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _ntuple(stride, nd, fn, "stride")
    p = _ntuple(padding, nd, fn, "padding")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_pool_args(nd, k, s, p, (1,) * nd, input.shape)
    _check_nonempty(input, nd, fn)
    out = tuple(_out_size(input.shape[-nd + i], k[i], s[i], p[i], 1, ceil_mode)
                for i in range(nd))
    if nd == 3 and any(input.shape[-3 + i] + 2 * p[i] < k[i] for i in range(3)):
        t, h, w = input.shape[-3:]
        raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    _check_out(tuple(input.shape), nd, out)
    if input.dtype.np.kind == "b" or input.dtype.is_complex:
        raise NotImplementedError(f'"{fn}" not implemented for \'{input.dtype._legacy}\'')
    if input.dtype.np.kind == "u":
        raise NotImplementedError(f'"{fn}" not implemented for \'{input.dtype._legacy}\'')
    return _AVG_POOL[nd].apply(input, k, s, p, out, bool(count_include_pad), divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over ``kernel_size`` windows of (N, C, H, W) or (C, H, W) input.

    Zero ``padding`` counts in the mean unless ``count_include_pad=False``;
    ``divisor_override`` replaces the window size as the divisor.
    """
    return _avg_pool_nd(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over ``kernel_size`` windows of (N, C, D, H, W) or (C, D, H, W) input."""
    return _avg_pool_nd(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)


def _one_arg(value, fn, arg):
    return _one(value, fn, arg,
                lambda n: f"{fn}() argument '{arg}' should contain one int (got {n})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of (N, C, L) or (C, L) input (2-D pooling over a height of one)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           "for argument #1 'self' (while checking arguments for avg_pool1d)")
    k = _one_arg(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _one_arg(stride, "avg_pool1d", "stride")
    p = _one_arg(padding, "avg_pool1d", "padding")
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode,
                      count_include_pad).squeeze(-2)


# --------------------------------------------------------------------------- adaptive pooling


def _adaptive_output_size(input, nd, output_size, fn):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) != nd:
        if nd == 1:
            raise RuntimeError(f"{fn}() argument 'output_size' should contain one int "
                               f"(got {len(output_size)})")
        if fn.startswith("adaptive_max"):
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {nd}")
        raise RuntimeError(f"{fn}: output_size must be {nd}")
    sizes = tuple(input.shape[-nd + i] if o is None else int(o)
                  for i, o in enumerate(output_size))
    return sizes


def _check_adaptive_input(input, nd, fn, out):
    if nd == 1:
        if input.ndim not in (2, 3):
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                               f"tensor for argument #1 'self' (while checking arguments for "
                               f"{fn})")
        return
    if input.ndim not in (nd + 1, nd + 2):
        colon = ":" if fn.startswith("adaptive_max") else ""
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got"
                           f"{colon} {_sizes(input.shape)}")
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           "but received {" + ", ".join(map(str, out)) + "}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {_sizes(input.shape)} with "
                               f"dimension {i} being empty")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{fn}" not implemented for \'{input.dtype._legacy}\'')


def _adaptive_bounds(size, out):
    """Start and end (exclusive) of each adaptive window: floor(i L / o), ceil((i+1) L / o)."""
    i = np.arange(out, dtype=np.int64)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _avg_matrix(size, out, dtype):
    """The (out, size) matrix whose row i averages adaptive window i."""
    start, end = _adaptive_bounds(size, out)
    pos = np.arange(size)
    inside = (pos >= start[:, None]) & (pos < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _apply_matrices(xp, x, mats, transpose=False):
    """Contract each of the trailing ``len(mats)`` dims of ``x`` with its matrix."""
    nd = len(mats)
    for i, m in enumerate(mats):
        axis = x.ndim - nd + i
        m = xp.asarray(m)
        x = xp.moveaxis(xp.moveaxis(x, axis, -1) @ (m if transpose else m.T), -1, axis)
    return x


def _make_adaptive_avg(nd):
    class AdaptiveAvgPool(ArrayFunction):
        node_name = f"AdaptiveAvgPool{nd}DBackward0"

        @staticmethod
        def forward(ctx, x, out):
            xp = xp_of(x)
            spatial = x.shape[-nd:]
            if all(spatial[i] == out[i] for i in range(nd)):
                ctx.mats = None
                return x.copy()
            calc = np.float32 if x.dtype == np.float16 else x.dtype
            mats = [_avg_matrix(spatial[i], out[i], calc) for i in range(nd)]
            ctx.mats = mats
            if x.size == 0 or 0 in out:
                return xp.empty(x.shape[:-nd] + out, dtype=x.dtype)
            if all(o and n % o == 0 for n, o in zip(spatial, out)):  # equal windows: reshape
                shape = x.shape[:-nd]
                for i in range(nd):
                    shape += (out[i], spatial[i] // out[i])
                axes = tuple(x.ndim - nd + 2 * i + 1 for i in range(nd))
                return x.reshape(shape).mean(axis=axes, dtype=calc).astype(x.dtype, copy=False)
            return _apply_matrices(xp, x.astype(calc, copy=False), mats).astype(x.dtype,
                                                                               copy=False)

        @staticmethod
        def backward(ctx, grad):
            if ctx.mats is None:
                return grad, None
            if grad_mode.enabled:
                gi = grad
                for i, m in enumerate(ctx.mats):
                    mt = Tensor._make(xp_of(grad._data).asarray(m.astype(grad._data.dtype)))
                    gi = gi.movedim(grad.ndim - nd + i, -1).matmul(mt).movedim(
                        -1, grad.ndim - nd + i)
                return gi, None
            g = grad._data
            mats = [m.astype(g.dtype) for m in ctx.mats]
            xp = xp_of(g)
            return Tensor._make(xp.ascontiguousarray(
                _apply_matrices(xp, g, mats, transpose=True))), None

    return AdaptiveAvgPool


_ADAPTIVE_AVG = {nd: _make_adaptive_avg(nd) for nd in (2, 3)}


def adaptive_avg_pool2d(input, output_size):
    """Mean pooling of (N, C, H, W) or (C, H, W) input to ``output_size`` (None keeps a dim)."""
    out = _adaptive_output_size(input, 2, output_size, "adaptive_avg_pool2d")
    _check_adaptive_input(input, 2, "adaptive_avg_pool2d", out)
    return _ADAPTIVE_AVG[2].apply(input, out)


def adaptive_avg_pool3d(input, output_size):
    """Mean pooling of (N, C, D, H, W) or (C, D, H, W) input to ``output_size``."""
    out = _adaptive_output_size(input, 3, output_size, "adaptive_avg_pool3d")
    _check_adaptive_input(input, 3, "adaptive_avg_pool3d", out)
    return _ADAPTIVE_AVG[3].apply(input, out)


def adaptive_avg_pool1d(input, output_size):
    """Mean pooling of (N, C, L) or (C, L) input to length ``output_size``."""
    _check_adaptive_input(input, 1, "adaptive_avg_pool1d", None)
    (o,) = _adaptive_output_size(input, 1, output_size, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max_kernel(x, nd, out):
    xp = xp_of(x)
    spatial = x.shape[-nd:]
    if x.size == 0 or 0 in out:
        shape = x.shape[:-nd] + out
        return xp.empty(shape, dtype=x.dtype), xp.empty(shape, dtype=_I64)
    # Per dim, a (out, kmax) table of input positions; short windows repeat their last one.
    tables = []
    for i in range(nd):
        start, end = _adaptive_bounds(spatial[i], out[i])
        kmax = int((end - start).max())
        pos = np.minimum(start[:, None] + np.arange(kmax), end[:, None] - 1)
        tables.append(pos)
    lead = x.ndim - nd
    index = []
    for i, t in enumerate(tables):  # (..., o_0, k_0, o_1, k_1, ...) broadcast index grids
        shape = [1] * (2 * nd)
        shape[2 * i], shape[2 * i + 1] = t.shape
        index.append(xp.asarray(t.reshape(shape)))
    g = x[(slice(None),) * lead + tuple(index)]
    perm = tuple(range(lead)) + tuple(lead + 2 * i for i in range(nd)) + tuple(
        lead + 2 * i + 1 for i in range(nd))
    g = g.transpose(perm)
    flat = g.reshape(g.shape[:lead + nd] + (-1,))
    am = _argmax_nan_last(xp, flat)
    vals = xp.take_along_axis(flat, am[..., None], axis=-1)[..., 0]
    ks = tuple(t.shape[1] for t in tables)
    offs = xp.unravel_index(am, ks) if nd > 1 else (am,)
    flat_idx = xp.zeros(am.shape, dtype=_I64)
    for i in range(nd):
        t = xp.asarray(tables[i])
        rows = xp.arange(out[i]).reshape([out[i] if j == lead + i else 1
                                          for j in range(am.ndim)])
        flat_idx *= spatial[i]
        flat_idx += t[rows, offs[i]]
    return vals, flat_idx


def _make_adaptive_max(nd):
    class AdaptiveMaxPool(ArrayFunction):
        node_name = f"AdaptiveMaxPool{nd}DBackward0"

        @staticmethod
        def forward(ctx, x, out):
            vals, idx = _adaptive_max_kernel(x, nd, out)
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            ctx.idx, ctx.in_shape, ctx.nd, ctx.nargs = idx, x.shape, nd, 2
            ctx.overlap = any(out[i] and x.shape[-nd + i] % out[i] for i in range(nd))
            ctx.scatter_cls = _ADAPTIVE_SCATTER[nd]
            return vals, idx

        backward = staticmethod(lambda ctx, grad, _gidx=None: _max_backward(ctx, grad))

    return AdaptiveMaxPool


_ADAPTIVE_SCATTER = {nd: type(f"AdaptiveMaxPool{nd}dBackward", (_ScatterBackward,),
                              {"node_name": f"AdaptiveMaxPool{nd}DBackwardBackward0"})
                     for nd in (2, 3)}
_ADAPTIVE_MAX = {nd: _make_adaptive_max(nd) for nd in (2, 3)}


def _adaptive_max_nd(input, nd, output_size, return_indices):
    fn = f"adaptive_max_pool{nd}d"
    out = _adaptive_output_size(input, nd, output_size, fn)
    _check_adaptive_input(input, nd, fn, out)
    vals, idx = _ADAPTIVE_MAX[nd].apply(input, out)
    return (vals, idx) if return_indices else vals


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W) input to ``output_size``."""
    return _adaptive_max_nd(input, 2, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) input to ``output_size``."""
    return _adaptive_max_nd(input, 3, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) or (C, L) input to length ``output_size``."""
    _check_adaptive_input(input, 1, "adaptive_max_pool1d", None)
    (o,) = _adaptive_output_size(input, 1, output_size, "adaptive_max_pool1d")
    vals, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), True)
    vals, idx = vals.squeeze(-2), idx.squeeze(-2)
    return (vals, idx) if return_indices else vals


def _aten_adaptive_max_pool1d(input, output_size):
    """``numtorch.adaptive_max_pool1d``: always (values, indices), as ATen's."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return adaptive_max_pool3d(input, output_size, True)


# --------------------------------------------------------------------------- max unpooling


class _MaxUnpool(ArrayFunction):
    """Write each value at its flat index into a zero output of the given spatial size."""

    @staticmethod
    def forward(ctx, x, idx, out_spatial, nd):
        xp = xp_of(x)
        lead = x.shape[:-nd]
        rows = int(np.prod(lead, dtype=np.int64))
        length = int(np.prod(out_spatial, dtype=np.int64))
        i2 = idx.reshape(rows, -1)
        if i2.size and (i2.min() < 0 or i2.max() >= length):
            bad = int(i2[(i2 < 0) | (i2 >= length)][0])
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, out_spatial))}")
        res = xp.zeros((rows, length), dtype=x.dtype)
        xp.put_along_axis(res, i2, x.reshape(rows, -1), axis=1)
        ctx.idx, ctx.nd = idx, nd
        return res.reshape(lead + tuple(out_spatial))

    @staticmethod
    def backward(ctx, grad):
        return _gather_grad(grad, ctx.idx, ctx.nd), None, None, None


_MAX_UNPOOL = {nd: type(f"MaxUnpool{nd}d", (_MaxUnpool,), {"node_name": f"MaxUnpool{nd}DBackward0"})
               for nd in (2, 3)}


def _max_unpool_nd(input, indices, nd, kernel_size, stride, padding, output_size):
    fn = f"max_unpool{nd}d"
    k = _ntuple(kernel_size, nd, fn, "kernel_size")
    s = k if stride is None else _ntuple(stride, nd, fn, "stride")
    p = _ntuple(padding, nd, fn, "padding")
    default = tuple((input.shape[-nd + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(nd))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)
        if len(size) == nd + 2 or len(size) == input.ndim:
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(size)}'")
        for i in range(nd):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < size[i] < hi:
                raise ValueError(f'invalid output_size "{list(size)}" (dim {i} must be between '
                                 f"{lo} and {hi})")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor ("
                           f"{_sizes(input.shape)}) but got indices tensor with shape: "
                           f"{_sizes(indices.shape)}")
    if indices.dtype.np != _I64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{indices.dtype._legacy}")
    return _MAX_UNPOOL[nd].apply(input, indices._data, size, nd)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: values back at their indices, zeros elsewhere."""
    out = None if output_size is None else (1,) + tuple(output_size)[-1:]
    return _max_unpool_nd(input.unsqueeze(-2), indices.unsqueeze(-2), 2,
                          (1, _one_arg(kernel_size, "max_unpool1d", "kernel_size")),
                          None if stride is None else (1, _one_arg(stride, "max_unpool1d",
                                                                   "stride")),
                          (0, _one_arg(padding, "max_unpool1d", "padding")), out).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: values back at their indices, zeros elsewhere."""
    return _max_unpool_nd(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool3d``: values back at their indices, zeros elsewhere."""
    return _max_unpool_nd(input, indices, 3, kernel_size, stride, padding, output_size)



# --- power-average pooling ------------------------------------------------------------------


def _lp_pool(avg_pool, nd, input, norm_type, kernel_size, stride, ceil_mode):
    """``(sum over the window of x**p) ** (1/p)``: the window mean of ``x**p`` times the
    window size, then the p-th root. A negative mean (odd ``p``, negative inputs) is clamped
    to 0 first, as PyTorch does (``sign(m) * relu(|m|)``)."""
    size = 1
    for k in (kernel_size,) * nd if isinstance(kernel_size, int) else kernel_size:
        size *= k
    mean = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    clamped = mean.sign() * mean.abs().relu()
    return clamped.mul(size).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over (N, C, L): the ``norm_type``-norm of each window."""
    return _lp_pool(avg_pool1d, 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over (N, C, H, W): the ``norm_type``-norm of each window."""
    return _lp_pool(avg_pool2d, 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over (N, C, D, H, W): the ``norm_type``-norm of each window."""
    return _lp_pool(avg_pool3d, 3, input, norm_type, kernel_size, stride, ceil_mode)
