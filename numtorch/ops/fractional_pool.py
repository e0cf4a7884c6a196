"""Fractional max pooling (Graham, 2014): ``fractional_max_pool2d`` and ``fractional_max_pool3d``.

Max pooling with ``kernel_size`` windows whose starts are spread pseudo-randomly so that an
input of size ``n`` shrinks to any ``out`` (not only ``n / stride``). Along one axis, with
a sample ``u`` in ``[0, 1)`` per (batch, channel) plane and ``alpha = (n - k) / (out - 1)``::

    start[i] = int((i + u) * alpha) - int(u * alpha),    start[out - 1] = n - k

(computed in the input's dtype, as PyTorch does). The samples are ``_random_samples``
``(N, C, 2|3)`` (component 0 is the width of a 2-D pooling, the depth of a 3-D one), or
``rand(N, C, 2|3)`` from numtorch's generator, PyTorch's draw. Each output is the max of its
window (first maximum, last NaN, as PyTorch); the gradient goes to that position.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ._util import xp_of
from .pooling import _argmax_nan_last, _max_backward, _ScatterBackward
from .sampling import rand

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}
# The sample component that drives each spatial axis: (H, W) <- (1, 0); (T, H, W) <- (0, 1, 2).
_SAMPLE_OF_AXIS = {2: (1, 0), 3: (0, 1, 2)}


def _starts(sample, in_size, out_size, pool):
    """The window starts ``(N, C, out_size)`` along one axis for samples ``(N, C)``."""
    xp = xp_of(sample)
    dt = sample.dtype.type
    starts = xp.zeros(sample.shape + (out_size,), dtype=np.int64)
    if out_size > 1:
        alpha = dt(in_size - pool) / dt(out_size - 1)
        i = xp.arange(out_size).astype(sample.dtype)
        starts[...] = (((i + sample[..., None]) * alpha).astype(np.int64)
                       - (sample * alpha).astype(np.int64)[..., None])
    if out_size > 0:
        starts[..., -1] = in_size - pool
    return starts


def _kernel(x, samples, nd, k, out):
    """(values, flat indices) of fractional max pooling of ``x`` ``(N, C, *spatial)``."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    ax_of = _SAMPLE_OF_AXIS[nd]
    # idx: the flat in-plane position of every window element, (N, C, *out, *k);
    # base: that of each window's first element, (N, C, *out).
    idx = xp.zeros((n, c) + (1,) * (2 * nd), dtype=np.int64)
    base = xp.zeros((n, c) + (1,) * nd, dtype=np.int64)
    for axis in range(nd):
        start = _starts(samples[:n, :, ax_of[axis]], spatial[axis], out[axis], k[axis])
        coord = start[..., None] + xp.arange(k[axis])
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + axis], shape[2 + nd + axis] = out[axis], k[axis]
        idx = idx * spatial[axis] + coord.reshape(shape)
        base = base * spatial[axis] + start.reshape(shape[:2 + nd])
    window = int(np.prod(k))
    if window == 0:  # PyTorch: no element to compare, so -inf "at" the window's start
        base = xp.broadcast_to(base, (n, c) + tuple(out))
        return xp.full(base.shape, -np.inf, dtype=x.dtype), xp.ascontiguousarray(base)
    idx = xp.broadcast_to(idx, (n, c) + tuple(out) + tuple(k)).reshape(
        n, c, int(np.prod(out)) * window)
    vals = xp.take_along_axis(x.reshape(n, c, int(np.prod(spatial))), idx, axis=2)
    vals = vals.reshape((n, c) + tuple(out) + (window,))
    idx = idx.reshape(vals.shape)
    best = _argmax_nan_last(xp, vals)[..., None]
    return (xp.take_along_axis(vals, best, axis=-1)[..., 0],
            xp.take_along_axis(idx, best, axis=-1)[..., 0])


def _make(nd):
    class FractionalMaxPool(ArrayFunction):
        node_name = f"FractionalMaxPool{nd}DBackward0"

        @staticmethod
        def forward(ctx, x, samples, k, out):
            batched = x.ndim == nd + 2
            xb = x if batched else x[None]
            vals, idx = _kernel(xb, samples, nd, k, out)
            if not batched:
                vals, idx = vals[0], idx[0]
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            ctx.idx, ctx.in_shape, ctx.nd, ctx.nargs = idx, x.shape, nd, 4
            ctx.overlap, ctx.scatter_cls = True, _SCATTER[nd]
            return vals, idx

        backward = staticmethod(lambda ctx, grad, _gidx=None: _max_backward(ctx, grad))

    FractionalMaxPool.__name__ = f"FractionalMaxPool{nd}d"
    return FractionalMaxPool


_SCATTER = {nd: type(f"FractionalMaxPool{nd}dBackward", (_ScatterBackward,),
                     {"node_name": f"FractionalMaxPool{nd}DBackwardBackward0"}) for nd in (2, 3)}
_POOL = {nd: _make(nd) for nd in (2, 3)}


def _sizes(value, nd, what, fn):
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = value[0]
        elif len(value) != nd:
            raise RuntimeError(f"{fn}: {what} must either be a single Int or tuple of Ints")
        else:
            return tuple(int(v) for v in value)
    return (int(value),) * nd


def _fractional(input, nd, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{nd}d"
    where = "fractional_max_pool2d()" if nd == 2 else "fractional_max_pool3d_out()"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = (tuple(output_ratio) if isinstance(output_ratio, (list, tuple))
                 else (output_ratio,) * nd)
        output_size = [int(input.size(-nd + i) * ratio[i]) for i in range(nd)]
    if _random_samples is None:
        batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(batch, input.size(-nd - 1), nd, dtype=input.dtype,
                               device=input.device)
    k = _sizes(kernel_size, nd, "kernel_size", name)
    out = _sizes(output_size, nd, "output_size", name)
    shape = list(input.shape)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {shape}")
    for i in range(1, input.dim()):
        if shape[i] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{shape} with dimension {i} being empty.")
    # PyTorch's 3-D check is strict: a 3-D window may not end at the input's last element.
    for name_, size, o, kk in zip(_AXES[nd], shape[-nd:], out, k):
        if o + kk - 1 > size or (nd == 3 and o + kk - 1 == size):
            raise RuntimeError(f"{where}: pool {name_} {kk} too large relative to input "
                               f"{name_} {size}")
    if any(o < 0 for o in out):
        lead = shape[:-nd] if input.dim() == nd + 2 else shape[:1]
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: "
                           f"{lead + list(out)}")
    s = _random_samples
    if s.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if s.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {s.dim()}")
    batch = input.shape[0] if input.dim() == nd + 2 else 1
    if s.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if s.shape[1] != input.shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if s.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {s.shape[2]}.")
    if s.requires_grad and grad_mode.enabled:
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to "
                           "argument 'random_samples'. This input cannot have requires_grad True.")
    return _POOL[nd].apply(input, s._data, k, out)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = True,
                                       _random_samples: Tensor | None = None):
    """:func:`fractional_max_pool2d` returning ``(values, indices)`` (flat into H*W)."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = True,
                                       _random_samples: Tensor | None = None):
    """:func:`fractional_max_pool3d` returning ``(values, indices)`` (flat into T*H*W)."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """2-D fractional max pooling of ``(N, C, H, W)`` or ``(C, H, W)``.

    Args:
        kernel_size: the window, an int or ``(kH, kW)``.
        output_size: ``(oH, oW)`` (or an int); or give ``output_ratio`` instead.
        output_ratio: the output size as a fraction of the input's, in ``(0, 1)``.
        return_indices: also return each max's flat index into H*W (for ``max_unpool2d``).
        _random_samples: ``(N, C, 2)`` samples in ``[0, 1)``; drawn with ``rand`` if None.
    """
    vals, idx = _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)
    return (vals, idx) if return_indices else vals


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """3-D fractional max pooling of ``(N, C, T, H, W)`` or ``(C, T, H, W)``; see
    :func:`fractional_max_pool2d` (samples ``(N, C, 3)``)."""
    vals, idx = _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)
    return (vals, idx) if return_indices else vals

