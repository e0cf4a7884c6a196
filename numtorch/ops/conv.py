"""Convolution: ``conv1d/2d/3d`` and ``conv_transpose1d/2d/3d`` as im2col + GEMM.

A convolution with weight ``W`` of shape ``(O, C/G, *k)`` over an input ``x`` of shape
``(N, C, *size)`` is, for each group ``g`` and each output position ``l``,

    y[n, g, o, l] = sum_{c, i} W[g, o, c, i] * x[n, g, c, l * stride + i * dilation - pad]

so once the input patches are laid out as columns (``_im2col``: a strided *view* of the
padded input, copied once into a ``(N, G, C/G * K, L)`` array), the whole layer is one
batched matrix product ``W (G, O/G, C/G * K) @ cols (N, G, C/G * K, L)`` -> ``(N, O, L)``,
already in the output's NCHW layout. BLAS does the arithmetic; the only Python loop is
over the ``K`` kernel offsets in ``_col2im`` (9 for a 3x3 kernel), never over pixels.

Calling ``F(x, W)`` the convolution, the two gradients are the adjoints of that bilinear map:

- ``input_grad(g, W)``: ``W^T @ g`` gives the columns' gradient, which ``_col2im`` adds
  back onto the input positions they were read from. This is the *transposed
  convolution* of ``g`` with ``W`` -- which is also what ``conv_transpose`` computes.
- ``weight_grad(x, g)``: ``g @ cols^T`` summed over the batch.

Stride-1 convolutions (the common case) take a faster route, "wide rows" (see that
section): the columns are contiguous runs of the flattened padded image, built and
consumed in cache-sized blocks, and the input's gradient is itself a stride-1 convolution
(of the padded ``g`` with the flipped weight) instead of a col2im. Depthwise convolutions
use the wide rows too, or (strided) K broadcast multiply-adds.

Because the three maps are adjoint to one another, the gradient of each one is another of
the three (``_ConvInputGrad`` and ``_ConvWeightGrad`` below say which), so double
backward (``create_graph=True``) goes through the same kernels.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import _warnings
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ..backend import parallel
from ._util import xp_of
from .linear import _ctype
from .padding import pad as _pad
from .reduce import _is_int
from .shape import _fmt as _sizes

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


# ---------------------------------------------------------------- array kernels
#
# ``geom`` is ``(stride, padding, dilation, groups)``, each of the first three a tuple
# with one entry per spatial dim; the padding is added on both sides.

def _out_size(size, k, geom):
    stride, padding, dilation, _ = geom
    return tuple((s + 2 * p - d * (kk - 1) - 1) // st + 1
                 for s, kk, st, p, d in zip(size, k, stride, padding, dilation))


def _im2col(x, k, geom, out):
    """The patches of ``x`` ``(N, C, *size)`` as a strided view ``(N, C, *k, *out)``.

    Entry ``[n, c, i..., l...]`` is ``x_padded[n, c, l * stride + i * dilation]``; no data
    is copied here (the caller's reshape to columns makes the one copy).
    """
    xp = xp_of(x)
    stride, padding, dilation, _ = geom
    if any(padding):
        widths = ((0, 0), (0, 0)) + tuple((p, p) for p in padding)
        x = xp.pad(x, widths)
    else:
        x = xp.ascontiguousarray(x)
    st = x.strides[2:]
    strides = x.strides[:2] + tuple(d * s for d, s in zip(dilation, st)) + \
        tuple(s_ * s for s_, s in zip(stride, st))
    return xp.lib.stride_tricks.as_strided(x, x.shape[:2] + tuple(k) + tuple(out), strides,
                                           writeable=False)


def _columns(x, k, geom, out):
    """``x``'s patches copied into GEMM columns ``(N, G, C/G * K, L)``."""
    n, c = x.shape[:2]
    groups = geom[3]
    return _im2col(x, k, geom, out).reshape(n, groups, (c // groups) * math.prod(k),
                                           math.prod(out))


# With one group and at least this many column rows (C * K), the three products run as one
# GEMM over the whole batch on columns laid out ``(C * K, N * L)`` (``_wide``), at the cost
# of moving the batch axis of the output / upstream gradient once. Measured on the 2-core
# Xeon (a loaded machine; medians): 1.3-4x faster for (64,32,14,14) * 64x32x3x3,
# (64,64,7,7) * 128x64x3x3 and (8,64,56,56) * 64x64x3x3; but with C * K = 9 (a 1-channel
# input) OpenBLAS takes 20x longer on the one wide product than on N per-sample ones.
_WIDE_MIN_ROWS = 32


def _wide(x, w, geom) -> bool:
    return geom[3] == 1 and math.prod(w.shape[1:]) >= _WIDE_MIN_ROWS


def _wide_columns(x, k, geom, out):
    """``x``'s patches copied into one GEMM operand ``(C * K, N * L)``."""
    view = _im2col(x, k, geom, out)
    nd = len(k)
    order = (1,) + tuple(range(2, 2 + nd)) + (0,) + tuple(range(2 + nd, 2 + 2 * nd))
    return view.transpose(order).reshape(x.shape[1] * math.prod(k), -1)


def _batch_last(g):
    """``(N, O, *out)`` -> ``(O, N * L)``, one copy."""
    xp = xp_of(g)
    n, o = g.shape[:2]
    return xp.ascontiguousarray(g.reshape(n, o, -1).transpose(1, 0, 2)).reshape(o, -1)


def _conv_forward(x, w, geom, keep=None):
    """``F(x, W)``: ``(N, C, *size)`` with ``(O, C/G, *k)`` -> ``(N, O, *out)``; ``keep``
    (a list) receives the padded input on the wide-row path."""
    if _wide_ok(w.shape, geom):
        return _wide_forward(x, w, geom, keep)
    if _depthwise(w.shape, geom[3]):
        return _depthwise_forward(x, w, geom)
    k = w.shape[2:]
    out = _out_size(x.shape[2:], k, geom)
    n, o, groups = x.shape[0], w.shape[0], geom[3]
    if _wide(x, w, geom) and n > 1:
        y = w.reshape(o, -1) @ _wide_columns(x, k, geom, out)  # (O, N * L)
        return xp_of(y).ascontiguousarray(y.reshape(o, n, -1).transpose(1, 0, 2)).reshape(
            (n, o) + out)
    cols = _columns(x, k, geom, out)
    w2 = w.reshape(groups, o // groups, math.prod(w.shape[1:]))
    if groups == 1:
        y = w2[0] @ cols[:, 0]  # (O, CK) @ (N, CK, L): BLAS per sample, NCHW output
    else:
        y = w2 @ cols  # (G, O/G, CK) @ (N, G, CK, L) -> (N, G, O/G, L)
    return y.reshape((n, o) + out)


def _col2im(cols, x_shape, geom):
    """Add columns ``(N, C, *k, *out)`` back onto the input positions they were read from
    (the adjoint of ``_im2col``), giving an array of ``x_shape``."""
    xp = xp_of(cols)
    stride, padding, dilation, _ = geom
    nd = len(x_shape) - 2
    k, out = cols.shape[2:2 + nd], cols.shape[2 + nd:]
    padded = x_shape[:2] + tuple(s + 2 * p for s, p in zip(x_shape[2:], padding))
    gx = xp.zeros(padded, dtype=cols.dtype)
    for idx in itertools.product(*(range(kk) for kk in k)):
        window = tuple(slice(i * d, i * d + st * (o - 1) + 1, st)
                       for i, d, st, o in zip(idx, dilation, stride, out))
        gx[(slice(None), slice(None)) + window] += cols[(slice(None), slice(None)) + idx]
    if any(padding):
        gx = gx[(slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in
                                                   zip(padding, x_shape[2:]))]
    return gx


def _conv_input_grad(g, w, geom, x_shape):
    """The adjoint of ``F(., W)``: the gradient ``(N, C, *size)`` from ``g`` ``(N, O, *out)``
    (equivalently the transposed convolution of ``g`` with ``W``)."""
    if _wide_ok(w.shape, geom):
        return _wide_input_grad(g, w, geom, x_shape)
    if _depthwise(w.shape, geom[3]):
        return _depthwise_input_grad(g, w, geom, x_shape)
    k, out = w.shape[2:], g.shape[2:]
    n, o, groups = g.shape[0], w.shape[0], geom[3]
    c = x_shape[1]
    if _wide(g, w, geom) and n > 1:
        cols = w.reshape(o, -1).T @ _batch_last(g)  # (C * K, N * L)
        cols = cols.reshape((c,) + tuple(k) + (n,) + tuple(out))
        nd = len(k)
        order = (1 + nd, 0) + tuple(range(1, 1 + nd)) + tuple(range(2 + nd, 2 + 2 * nd))
        return _col2im(cols.transpose(order), tuple(x_shape), geom)
    w2 = w.reshape(groups, o // groups, math.prod(w.shape[1:]))
    g2 = g.reshape(n, groups, o // groups, math.prod(out))
    if groups == 1:
        cols = w2[0].T @ g2[:, 0]  # (CK, O) @ (N, O, L) -> (N, CK, L)
    else:
        cols = w2.transpose(0, 2, 1) @ g2  # (N, G, CK/G, L)
    cols = cols.reshape((n, c) + tuple(k) + tuple(out))
    return _col2im(cols, tuple(x_shape), geom)


def _conv_weight_grad(x, g, geom, w_shape, xpd=None):
    """The adjoint of ``F(x, .)``: the weight's gradient ``(O, C/G, *k)``; ``xpd``: the
    forward's padded ``x`` (wide-row path), where it was kept."""
    if _wide_ok(w_shape, geom):
        return _wide_weight_grad(x, g, geom, w_shape, xpd)
    if _depthwise(w_shape, geom[3]):
        return _depthwise_weight_grad(x, g, geom, w_shape)
    k, out = tuple(w_shape[2:]), g.shape[2:]
    n, o, groups = g.shape[0], w_shape[0], geom[3]
    if groups == 1 and math.prod(w_shape[1:]) >= _WIDE_MIN_ROWS and n > 1:
        gw = _batch_last(g) @ _wide_columns(x, k, geom, out).T  # (O, N*L) @ (N*L, C*K)
        return gw.reshape(w_shape)
    cols = _columns(x, k, geom, out)  # (N, G, CK, L)
    g2 = g.reshape(n, groups, o // groups, math.prod(out))
    # One GEMM a sample (BLAS reads cols^T in place; a tensordot over (batch, position)
    # would first copy both operands into 2-D layouts), then a small sum over the batch.
    gw = (g2 @ cols.swapaxes(-1, -2)).sum(0)  # (G, O/G, CK)
    return gw.reshape(w_shape)


# ---------------------------------------------------------------- threads

def _split(xp, fn, size, key=None):
    """``fn(start, stop)`` over ``range(size)``, split over numtorch's thread pool for NumPy
    arrays (NumPy releases the GIL inside its copy and ufunc loops); one call otherwise.
    ``key``: learn whether the pool pays for this kind of work (``parallel.run``)."""
    if xp is np and size > 1:
        parallel.split(fn, size, key)
    else:
        fn(0, size)


# ---------------------------------------------------------------- stride 1: wide rows
#
# With stride 1, the patch of output position ``l`` read at kernel offset ``i`` starts at
# ``l + i * dilation`` of the padded input. In the *flattened* padded image, then, the
# inputs of all the output positions are one contiguous run per kernel offset, if the
# output is computed on the padded width ("wide rows": each output row has ``P_last``
# positions, the last ``d (k - 1)`` of them garbage, dropped): every row of the columns
# matrix is a contiguous slice of the flattened image, so im2col copies runs of hundreds
# of elements (224 for a 14x14 image, padding 1) instead of ``W_out``-element pieces, for
# ``P_last / W_out`` more GEMM columns (16 / 14 there).
#
# The work runs in blocks of whole samples, or of output rows of one sample, whose columns
# (``_BLOCK`` elements, 2 MB of float32) stay in cache from the copy that makes them to the
# GEMM that reads them, in buffers reused from block to block. For (64, 32, 14, 14) *
# 64x32x3x3 the whole-batch columns are 16 MB: on this 2-core Xeon writing them to memory
# and reading them back cost more than the GEMM itself (copy 3.0 ms, GEMM 3.7 ms); blocked,
# the copy is ~1 ms. For the same reason the weight's gradient makes the columns again,
# block by block, rather than keeping the forward's (16 MB written, then read back).
#
# The weight's gradient goes through the same blocks: the upstream gradient is spread onto
# wide rows with zeros in the garbage positions, and ``g_wide @ cols^T`` summed over the
# blocks. The input's gradient is a stride-1 convolution itself (``_wide_input_grad``).
#
# Depthwise convolutions (one input and one output channel per group) take this path too,
# as a batched ``(C, 1, K) @ (C, K, M)`` product; measured for (64, 32, 14, 14) * 32x1x3x3,
# the forward 3.3 ms, against 3.7 ms for K broadcast multiply-adds on the same wide rows
# (NumPy's per-call and per-row costs, which the one batched product does not pay K times).

_BLOCK = 1 << 19


def _wide_ok(w_shape, geom) -> bool:
    """Stride 1, and one group with at least ``_WIDE_MIN_ROWS`` column rows, or depthwise
    (one input and one output channel per group: per group a ``(1, K) @ (K, M)`` product)."""
    stride, _, _, groups = geom
    if any(s != 1 for s in stride):
        return False
    if groups == 1:
        return math.prod(w_shape[1:]) >= _WIDE_MIN_ROWS
    return _depthwise(w_shape, groups)


class _Wide:
    """The wide-row geometry of a stride-1 convolution of ``x_shape`` with ``w_shape``."""

    def __init__(self, x_shape, w_shape, geom):
        _, padding, dilation, _ = geom
        self.n, self.c = x_shape[:2]
        self.size, self.k, self.padding = tuple(x_shape[2:]), tuple(w_shape[2:]), padding
        self.padded = tuple(s + 2 * p for s, p in zip(self.size, padding))
        self.out = tuple(pp - d * (kk - 1) for pp, kk, d in zip(self.padded, self.k, dilation))
        self.row = math.prod(self.padded[1:])  # elements of one wide output row
        # The padded image gets one more zero slab along its first spatial dim: the last
        # wide row reads up to ``d (k - 1)`` elements past the end of the image.
        self.shape = (self.n, self.c, self.padded[0] + 1) + self.padded[1:]
        steps = [math.prod(self.padded[i + 1:]) * d for i, d in enumerate(dilation)]
        self.steps = steps  # flat offset of one step of each kernel dim
        self.offsets = [sum(i * s for i, s in zip(idx, steps))
                        for idx in itertools.product(*(range(kk) for kk in self.k))]
        self.rows_k = self.c * len(self.offsets)  # rows of the columns matrix
        rows = max(1, _BLOCK // (self.rows_k * self.row))  # output rows per block
        out0 = self.out[0]
        if rows >= out0:
            nb = max(1, rows // out0)
            self.blocks = [(a, min(self.n, a + nb), 0, out0) for a in range(0, self.n, nb)]
        else:
            self.blocks = [(a, a + 1, r, min(out0, r + rows)) for a in range(self.n)
                           for r in range(0, out0, rows)]
        self.max_cols = self.row * max(((n1 - n0) * (r1 - r0) for n0, n1, r0, r1 in
                                        self.blocks), default=0)
        self.inner = (slice(None), slice(None)) + tuple(
            slice(p, p + s) for p, s in zip(padding, self.size))

    def pad(self, x):
        """``x`` zero-padded to ``self.shape`` (only the borders are zeroed: a full
        ``zeros`` would write the array twice)."""
        xp = xp_of(x)
        xpd = xp.empty(self.shape, dtype=x.dtype)
        for d, p in enumerate(self.padding):
            lead = (slice(None),) * (2 + d)
            xpd[lead + (slice(0, p),)] = 0
            xpd[lead + (slice(p + self.size[d], None),)] = 0
        xpd[self.inner] = x
        return xpd

    def crop(self, xpd):
        return xp_of(xpd).ascontiguousarray(xpd[self.inner])

    def patches(self, xpd):
        """The ``(C, *k, N, L)`` view of a padded input whose rows the columns copy:
        ``[c, i, n, l]`` is ``xpd[n, c].flat[offset(i) + l]``."""
        st = xpd.strides
        return xp_of(xpd).lib.stride_tricks.as_strided(
            xpd, (self.c,) + self.k + (self.n, self.out[0] * self.row),
            (st[1],) + tuple(s * xpd.itemsize for s in self.steps) + (st[0], xpd.itemsize),
            writeable=False)

    def cols(self, patches, block, buf):
        """The block's columns ``(C * K, nb * lb)``, copied into ``buf``."""
        n0, n1, r0, r1 = block
        view = patches[..., n0:n1, r0 * self.row:r1 * self.row]
        cols = buf[:view.size].reshape(view.shape)
        cols[...] = view
        return cols.reshape(self.rows_k, -1)

    def unwide(self, yb, y, block):
        """Write a block's wide-row output ``(O, nb * lb)`` into ``y`` ``(N, O, *out)``."""
        n0, n1, r0, r1 = block
        o = yb.shape[0]
        view = yb.reshape((o, n1 - n0, r1 - r0) + self.padded[1:])
        view = view[(slice(None),) * 3 + tuple(slice(0, s) for s in self.out[1:])]
        y[n0:n1, :, r0:r1] = view.swapaxes(0, 1)

    def wide(self, g, block, buf):
        """A block of ``g`` ``(N, O, *g_out)`` as wide rows ``(O, nb * lb)``, zeros in the
        garbage positions -- and in the positions ``g`` lacks (a transposed convolution's
        ``output_padding`` makes output positions that no input reaches)."""
        n0, n1, r0, r1 = block
        o = g.shape[1]
        shape = (o, n1 - n0, r1 - r0) + self.padded[1:]
        gw = buf[:math.prod(shape)].reshape(shape)
        gw[...] = 0
        part = g[n0:n1, :, r0:r1]
        gw[(slice(None),) * 2 + tuple(slice(0, s) for s in part.shape[2:])] = \
            part.swapaxes(0, 1)
        return gw.reshape(o, -1)

    def add_cols(self, cols, gxp, block):
        """The adjoint of ``cols``: add a block's columns onto the padded input's gradient."""
        n0, n1, r0, r1 = block
        lb = (r1 - r0) * self.row
        rows = cols.reshape(self.c, len(self.offsets), n1 - n0, lb)
        flat = gxp.reshape(self.n, self.c, -1)[n0:n1]
        base = r0 * self.row
        for j, off in enumerate(self.offsets):
            flat[:, :, base + off:base + off + lb] += rows[:, j].swapaxes(0, 1)


# OpenBLAS's SGEMM is slower with few output rows: (32, 576) @ (576, 1792) 0.67 ms,
# its transpose (1792, 576) @ (576, 32) 0.51 ms; (64, 288) @ (288, 1792) 0.36 either way.
_FEW_ROWS = 48


def _wide_forward(x, w, geom, keep=None):
    """``F(x, W)`` for ``_wide_ok``; ``keep`` (a list) receives the padded input."""
    xp = xp_of(x, w)
    wd = _Wide(x.shape, w.shape, geom)
    xpd = wd.pad(x)
    if keep is not None:
        keep.append(xpd)
    patches = wd.patches(xpd)
    o, groups = w.shape[0], geom[3]
    w2 = w.reshape(groups, o // groups, -1)  # (G, O/G, C/G * K)
    y = xp.empty((wd.n, o) + wd.out, dtype=x.dtype)
    buf = xp.empty(wd.rows_k * wd.max_cols, dtype=x.dtype)
    for block in wd.blocks:
        cols = wd.cols(patches, block, buf)
        if groups > 1:
            yb = (w2 @ cols.reshape(groups, -1, cols.shape[1])).reshape(o, -1)
        elif o < _FEW_ROWS:
            yb = (cols.T @ w2[0].T).T
        else:
            yb = w2[0] @ cols
        wd.unwide(yb, y, block)
    return y


def _wide_input_grad(g, w, geom, x_shape):
    """The input's gradient of a stride-1 convolution is itself one: of ``g``, padded by
    ``d (k - 1) - p`` (plus a transposed convolution's ``output_padding`` on the right), with
    the weight flipped in space and its in / out channels swapped within each group. That
    makes the adjoint a copy into columns plus a GEMM, like the forward, instead of the
    col2im's K shifted three-operand adds (``add_cols``, kept for ``p > d (k - 1)``).
    Measured over the backward of (8, 64, 56, 56) * 64x64x3x3 on the 2-core Xeon: 23 ms
    against 35 ms; for (64, 32, 14, 14) * 64x32x3x3 about even (11 ms)."""
    xp = xp_of(g, w)
    _, padding, dilation, groups = geom
    k = w.shape[2:]
    q = tuple(d * (kk - 1) - p for d, kk, p in zip(dilation, k, padding))
    if all(v >= 0 for v in q):
        extra = [s - (gs + 2 * v - d * (kk - 1)) for s, gs, v, d, kk in
                 zip(x_shape[2:], g.shape[2:], q, dilation, k)]
        if any(extra):  # output_padding: positions no input reaches get zero gradient
            g = xp.pad(g, ((0, 0), (0, 0)) + tuple((0, e) for e in extra))
        o, c = w.shape[0], x_shape[1]
        wf = w.reshape((groups, o // groups, c // groups) + tuple(k)).swapaxes(1, 2)
        wf = wf[(Ellipsis,) + (slice(None, None, -1),) * len(k)]
        wf = xp.ascontiguousarray(wf).reshape((c, o // groups) + tuple(k))
        return _conv_forward(g, wf, ((1,) * len(k), q, dilation, groups))
    if groups > 1:
        return _depthwise_input_grad(g, w, geom, x_shape)
    wd = _Wide(x_shape, w.shape, geom)
    gxp = xp.zeros(wd.shape, dtype=g.dtype)
    w2t = w.reshape(w.shape[0], -1).T
    buf = xp.empty(w.shape[0] * wd.max_cols, dtype=g.dtype)
    for block in wd.blocks:
        wd.add_cols(w2t @ wd.wide(g, block, buf), gxp, block)
    return wd.crop(gxp)


def _wide_weight_grad(x, g, geom, w_shape, xpd=None):
    """``weight_grad`` for ``_wide_ok``; ``xpd``: the forward's padded ``x``, if kept."""
    xp = xp_of(x, g)
    wd = _Wide(x.shape, w_shape, geom)
    patches = wd.patches(wd.pad(x) if xpd is None else xpd)
    groups = geom[3]
    buf = xp.empty(wd.rows_k * wd.max_cols, dtype=x.dtype)
    gbuf = xp.empty(w_shape[0] * wd.max_cols, dtype=x.dtype)
    gw = xp.zeros((groups, w_shape[0] // groups, wd.rows_k // groups), dtype=x.dtype)
    for block in wd.blocks:
        gb, cols = wd.wide(g, block, gbuf), wd.cols(patches, block, buf)
        if groups == 1:
            gw[0] += (cols @ gb.T).T  # 3.2 ms over the blocks of (b); gb @ cols.T 3.8 ms
        else:  # (G, O/G, M) @ (G, M, C/G * K)
            m = cols.shape[1]
            gw += gb.reshape(groups, -1, m) @ cols.reshape(groups, -1, m).swapaxes(1, 2)
    return gw.reshape(w_shape)


# ---------------------------------------------------------------- depthwise
#
# One input channel per group and one output channel per group (``groups == C == O``),
# where the wide rows do not apply (stride > 1; the input's gradient when p > d (k - 1)):
# each output channel is a weighted sum of K strided windows of its own input channel, so
# the kernel is K broadcast multiply-adds -- no columns, no GEMM (which would have one row).
# Both gradients have the same structure: the input's adds ``w * g`` into the windows, the
# weight's sums ``g * window`` per channel. The batch is cut into cache-sized blocks, split
# over the thread pool. Measured fwd+bwd for (64, 32, 14, 14) * 32x1x3x3 with stride 2:
# 14.0 ms with one grouped GEMM per sample, 8.4 ms this way (PyTorch 1.4 ms).

_DW_BLOCK = 1 << 16  # elements of output per block (256 KB of float32): stays in L2


def _depthwise(w_shape, groups) -> bool:
    return groups > 1 and w_shape[0] == groups and w_shape[1] == 1


def _windows(k, geom, out):
    stride, _, dilation, _ = geom
    for idx in itertools.product(*(range(kk) for kk in k)):
        yield idx, (slice(None), slice(None)) + tuple(
            slice(i * d, i * d + st * (o - 1) + 1, st)
            for i, d, st, o in zip(idx, dilation, stride, out))


def _padded(x, padding):
    xp = xp_of(x)
    if not any(padding):
        return x
    return xp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))


def _blocks(xp, fn, n, per_sample):
    """``fn(start, stop)`` over batch blocks of about ``_DW_BLOCK`` elements, the blocks
    split over threads."""
    step = max(1, _DW_BLOCK // max(per_sample, 1))

    def part(a, b):
        for s in range(a, b, step):
            fn(s, min(b, s + step))

    _split(xp, part, n, key=("depthwise", fn.__code__, (n * per_sample).bit_length()))


def _dw_weight(w, nd):
    """``(C, 1, *k)`` -> per kernel offset, a ``(1, C, 1, ...)`` broadcastable column."""
    c = w.shape[0]
    return lambda idx: w[(slice(None), 0) + idx].reshape((1, c) + (1,) * nd)


def _depthwise_forward(x, w, geom):
    xp = xp_of(x, w)
    k = w.shape[2:]
    out = _out_size(x.shape[2:], k, geom)
    xpd = _padded(x, geom[1])
    y = xp.empty(x.shape[:2] + out, dtype=x.dtype)
    wk = _dw_weight(w, len(k))
    wins = list(_windows(k, geom, out))

    def block(a, b):
        yb = y[a:b]
        tmp = xp.empty_like(yb)
        for j, (idx, win) in enumerate(wins):
            xw = xpd[a:b][win]
            if j == 0:
                xp.multiply(xw, wk(idx), out=yb)
            else:
                xp.multiply(xw, wk(idx), out=tmp)
                yb += tmp

    _blocks(xp, block, x.shape[0], math.prod(y.shape[1:]))
    return y


def _depthwise_input_grad(g, w, geom, x_shape):
    xp = xp_of(g, w)
    k = w.shape[2:]
    padding = geom[1]
    padded = tuple(x_shape[:2]) + tuple(s + 2 * p for s, p in zip(x_shape[2:], padding))
    gx = xp.zeros(padded, dtype=g.dtype)
    wk = _dw_weight(w, len(k))
    wins = list(_windows(k, geom, g.shape[2:]))

    def block(a, b):
        gb, gxb = g[a:b], gx[a:b]
        tmp = xp.empty_like(gb)
        for idx, win in wins:
            xp.multiply(gb, wk(idx), out=tmp)
            gxb[win] += tmp

    _blocks(xp, block, g.shape[0], math.prod(padded[1:]))
    if any(padding):
        inner = tuple(slice(p, p + s) for p, s in zip(padding, x_shape[2:]))
        gx = xp.ascontiguousarray(gx[(slice(None), slice(None)) + inner])
    return gx


def _depthwise_weight_grad(x, g, geom, w_shape):
    xp = xp_of(x, g)
    k = tuple(w_shape[2:])
    xpd = _padded(x, geom[1])
    wins = list(_windows(k, geom, g.shape[2:]))
    partial = {}  # block start -> its (K, C) sums, added in batch order (deterministic)

    def block(a, b):
        gb = g[a:b]
        xb = xpd[a:b]
        tmp = xp.empty_like(gb)
        acc = xp.empty((len(wins), w_shape[0]), dtype=g.dtype)
        for j, (_, win) in enumerate(wins):
            xp.multiply(gb, xb[win], out=tmp)
            acc[j] = tmp.sum(axis=(0,) + tuple(range(2, tmp.ndim)))
        partial[a] = acc

    _blocks(xp, block, g.shape[0], math.prod(g.shape[1:]))
    sums = [partial[a] for a in sorted(partial)]
    gw = sum(sums[1:], sums[0])
    return xp.ascontiguousarray(gw.T).reshape(w_shape)


# ---------------------------------------------------------------- autograd

class _Convolution(ArrayFunction):
    """``y = F(x, W) + b``; backward: ``input_grad(g, W)``, ``weight_grad(x, g)``, ``sum g``."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geom):
        need = ctx.needs_input_grad
        ctx.geom = geom
        if need[0] or need[1]:
            ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
            ctx.x_shape, ctx.w_shape = x.shape, w.shape
        # The wide-row path pads x; the weight's gradient reuses that copy (the size of x).
        keep = [] if need[1] else None
        y = _conv_forward(x, w, geom, keep)
        ctx.xpd = keep[0] if keep else None
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0] or need[1]:
            x, w = ctx.saved_tensors
            if need[0]:
                gx = _ConvInputGrad.apply(grad, w, ctx.geom, ctx.x_shape)
            if need[1]:
                gw = _ConvWeightGrad.apply(x, grad, ctx.geom, ctx.w_shape, ctx.xpd)
        ctx.xpd = None
        if len(need) > 2 and need[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb, None


def _conv_to(x, w, geom, shape):
    """``F(x, W)`` inside a backward, cut to ``shape``: a transposed convolution with
    ``output_padding`` has output positions that no input position reaches, so the
    convolution of its output is longer than its input by those."""
    y = _Convolution.apply(x, w, None, geom)
    if tuple(y.shape) != tuple(shape):
        y = y[(slice(None), slice(None)) + tuple(slice(0, s) for s in shape[2:])]
    return y


class _ConvInputGrad(ArrayFunction):
    """``gx = input_grad(g, W)``, linear in each argument: its gradients are
    ``F(h, W)`` for ``g`` and ``weight_grad(h, g)`` for ``W``."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, w, geom, x_shape):
        ctx.geom = geom
        ctx.save_for_backward(g, w)
        ctx.w_shape, ctx.g_shape = w.shape, g.shape
        return _conv_input_grad(g, w, geom, x_shape)

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gg = _conv_to(h, w, ctx.geom, ctx.g_shape) if need[0] else None
        gw = _ConvWeightGrad.apply(h, g, ctx.geom, ctx.w_shape) if need[1] else None
        return gg, gw, None, None


class _ConvWeightGrad(ArrayFunction):
    """``gW = weight_grad(x, g)``: its gradients are ``input_grad(g, h)`` for ``x`` and
    ``F(x, h)`` for ``g``."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, g, geom, w_shape, xpd=None):
        ctx.geom = geom
        ctx.save_for_backward(x, g)
        ctx.x_shape, ctx.g_shape = x.shape, g.shape
        return _conv_weight_grad(x, g, geom, w_shape, xpd)

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _ConvInputGrad.apply(g, h, ctx.geom, ctx.x_shape) if need[0] else None
        gg = _conv_to(x, h, ctx.geom, ctx.g_shape) if need[1] else None
        return gx, gg, None, None, None


class _ConvTranspose(ArrayFunction):
    """``y = input_grad(x, W) + b`` (the transposed convolution, PyTorch's
    ``convolution(..., transposed=True)``); backward: ``F(g, W)``, ``weight_grad(g, x)``."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geom, y_shape):
        ctx.geom = geom
        ctx.w_shape, ctx.x_shape = w.shape, x.shape
        ctx.save_for_backward(x, w)
        y = _conv_input_grad(x, w, geom, y_shape)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _conv_to(grad, w, ctx.geom, ctx.x_shape) if need[0] else None
        gw = _ConvWeightGrad.apply(grad, x, ctx.geom, ctx.w_shape) if need[1] else None
        gb = None
        if len(need) > 2 and need[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb, None, None


# ---------------------------------------------------------------- arguments and checks

_SIGNATURES = {
    "conv": (" * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, "
             "tuple of ints padding = 0, tuple of ints dilation = 1, int groups = 1)\n"
             " * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, "
             "str padding = \"valid\", tuple of ints dilation = 1, int groups = 1)\n"),
    "conv_transpose": (" * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints "
                       "stride = 1, tuple of ints padding = 0, tuple of ints output_padding = 0, "
                       "int groups = 1, tuple of ints dilation = 1)\n"),
}


def _bad_combination(name, kind):
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"(...), but expected one of:\n{_SIGNATURES[kind]}")


def _int_list(name, arg, value, nd, kind):
    """``value`` (an int or a sequence of ints) as a list; a lone int or one-element
    sequence is repeated ``nd`` times (PyTorch's ``int[nd]`` argument parsing)."""
    if isinstance(value, Tensor):
        value = value.tolist()
    if _is_int(value):
        return [int(value)] * nd
    if not isinstance(value, (list, tuple)):
        raise _bad_combination(name, kind)
    for i, v in enumerate(value):
        if not _is_int(v):
            raise TypeError(f"{name}(): argument '{arg}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(v)}\"")
    value = [int(v) for v in value]
    return value * nd if len(value) == 1 else value


def _check_len(arg, values, nd):
    if len(values) != nd:
        raise RuntimeError(f"expected {arg} to be a single integer value or a list of {nd} "
                           f"values to match the convolution dimensions, but got "
                           f"{arg}={values}")


def _per_channel(values) -> str:
    return "(" + " x ".join(str(v) for v in values) + ")"


def _check_common(name, input, weight, bias, kind):
    if not isinstance(weight, Tensor):
        raise _bad_combination(name, kind)
    if bias is not None and not isinstance(bias, Tensor):
        raise _bad_combination(name, kind)


def _check_ndim(name, input, nd):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {_sizes(input.shape)}")


def _check_weight(x_shape, weight, bias, stride, padding, dilation, groups, transposed,
                  output_padding=None):
    """PyTorch's shape checks for a batched input, in its order."""
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if output_padding is not None and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    w_shape = tuple(weight.shape)
    if w_shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {_sizes(w_shape)} instead")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_sizes(w_shape)}] instead")
    if not transposed:
        if x_shape[1] != w_shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(w_shape)}, "
                               f"expected input{_sizes(x_shape)} to have {w_shape[1] * groups} "
                               f"channels, but got {x_shape[1]} channels instead")
        out_channels = w_shape[0]
        head = f"Given weight of size {_sizes(w_shape)}"
    else:
        if x_shape[1] != w_shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_sizes(w_shape)}, expected "
                               f"input{_sizes(x_shape)} to have {w_shape[0]} channels, but got "
                               f"{x_shape[1]} channels instead")
        out_channels = w_shape[1] * groups
        head = f"Given transposed=1, weight of size {_sizes(w_shape)}"
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"{head}, expected bias to be 1-dimensional with {out_channels} "
                           f"elements, but got bias of size {_sizes(bias.shape)} instead")
    if not transposed:
        padded = [s + 2 * p for s, p in zip(x_shape[2:], padding)]
        kernel = [d * (k - 1) + 1 for d, k in zip(dilation, w_shape[2:])]
        if any(k > s for k, s in zip(kernel, padded)):
            raise RuntimeError(f"Calculated padded input size per channel: "
                               f"{_per_channel(padded)}. Kernel size: {_per_channel(kernel)}. "
                               f"Kernel size can't be greater than actual input size")
    if any(d == 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {dilation}")


def _check_dtypes(input, weight, bias):
    dt = input.dtype
    if bias is not None and bias.dtype != dt:
        raise RuntimeError(f"Input type ({_ctype(input)}) and bias type ({_ctype(bias)}) should "
                           f"be the same")
    if weight.dtype != dt:
        raise RuntimeError(f"expected scalar type {dt._legacy} but found {weight.dtype._legacy}")
    if dt.is_complex or dt.np.kind == "b":
        raise RuntimeError(f"\"slow_conv2d_cpu\" not implemented for '{dt._legacy}'")


# ---------------------------------------------------------------- convolution

def _convnd(name, nd, input, weight, bias, stride, padding, dilation, groups):
    if not isinstance(input, Tensor):
        raise _bad_combination(name, "conv")
    _check_common(name, input, weight, bias, "conv")
    if not _is_int(groups):
        raise _bad_combination(name, "conv")
    _check_ndim(name, input, nd)
    stride = _int_list(name, "stride", stride, nd, "conv")
    dilation = _int_list(name, "dilation", dilation, nd, "conv")
    mode = None
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        mode, padding = padding, [0] * nd
        if mode == "same" and any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
    else:
        padding = _int_list(name, "padding", padding, nd, "conv")
    k = weight.ndim - 2
    _check_len("stride", stride, k)
    _check_len("padding", padding, k)
    _check_len("dilation", dilation, k)
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    if mode == "same":
        # Total padding d * (k - 1) per dim; an odd total puts the extra one on the right,
        # by padding the input first (so the graph shows ConstantPadNdBackward0, as PyTorch's).
        total = [d * (kk - 1) for d, kk in zip(dilation, weight.shape[2:])]
        padding = [t // 2 for t in total]
        if any(t % 2 for t in total):
            _warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                           "require a zero-padded copy of the input be created")
            extra = []
            for t in reversed(total):
                extra += [0, t % 2]
            x = _pad(x, extra)
    _check_weight(tuple(x.shape), weight, bias, stride, padding, dilation, groups, False)
    _check_dtypes(input, weight, bias)
    geom = (tuple(stride), tuple(padding), tuple(dilation), groups)
    out = _Convolution.apply(x, weight, bias, geom)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as PyTorch's) over ``(N, C, L)`` or ``(C, L)``.

    Args:
        weight: ``(out_channels, in_channels / groups, k)``; bias: ``(out_channels)``.
        stride, padding, dilation: an int or a one-element tuple; ``padding`` may also be
            ``'valid'`` (none) or ``'same'`` (output as long as the input; stride 1 only).
        groups: split the channels into this many independent convolutions.

    Shape:
        output ``(N, out_channels, (L + 2 p - d (k - 1) - 1) // stride + 1)``.
    """
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution over ``(N, C, H, W)`` or ``(C, H, W)``.

    Args:
        weight: ``(out_channels, in_channels / groups, kH, kW)``; bias: ``(out_channels)``.
        stride, padding, dilation: an int or an ``(h, w)`` pair; ``padding`` may also be
            ``'valid'`` or ``'same'``.
        groups: split the channels into this many independent convolutions
            (``groups == in_channels``: depthwise).

    Example::

        >>> F.conv2d(numtorch.randn(1, 3, 8, 8), numtorch.randn(4, 3, 3, 3), padding=1).shape
        numtorch.Size([1, 4, 8, 8])
    """
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D convolution over ``(N, C, D, H, W)`` or ``(C, D, H, W)``; arguments as ``conv2d``
    with triples."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------- transposed convolution

def _conv_transposend(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                      dilation, output_size=None):
    if not isinstance(input, Tensor):
        raise _bad_combination(name, "conv_transpose")
    _check_common(name, input, weight, bias, "conv_transpose")
    if not _is_int(groups):
        raise _bad_combination(name, "conv_transpose")
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    _check_ndim(name, input, nd)
    stride = _int_list(name, "stride", stride, nd, "conv_transpose")
    padding = _int_list(name, "padding", padding, nd, "conv_transpose")
    output_padding = _int_list(name, "output_padding", output_padding, nd, "conv_transpose")
    dilation = _int_list(name, "dilation", dilation, nd, "conv_transpose")
    k = weight.ndim - 2
    _check_len("stride", stride, k)
    _check_len("padding", padding, k)
    _check_len("dilation", dilation, k)
    _check_len("output_padding", output_padding, k)
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    x_shape = tuple(x.shape)
    _check_weight(x_shape, weight, bias, stride, padding, dilation, groups, True,
                  output_padding)
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        # PyTorch runs a 1-D transposed convolution as a 2-D one of height 1.
        dims = ("depth", "height", "width")[3 - max(nd, 2):]
        lead = [] if nd > 1 else [0]
        values = [(lead + output_padding, "output_padding"), ([1] * len(lead) + stride, "stride"),
                  ([1] * len(lead) + dilation, "dilation")]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(f"{what}_{n}: {v}" for vs, what in values
                                             for n, v in zip(dims, vs)))
    size = [(s - 1) * st - 2 * p + d * (kk - 1) + op + 1 for s, st, p, d, kk, op in
            zip(x_shape[2:], stride, padding, dilation, weight.shape[2:], output_padding)]
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: {_per_channel(x_shape[2:])}. "
                           f"Calculated output size per channel: {_per_channel(size)}. "
                           f"Output size is too small")
    _check_dtypes(input, weight, bias)
    geom = (tuple(stride), tuple(padding), tuple(dilation), groups)
    y_shape = (x_shape[0], weight.shape[1] * groups) + tuple(size)
    out = _ConvTranspose.apply(x, weight, bias, geom, y_shape)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution (the gradient of ``conv1d`` with respect to its input).

    Args:
        weight: ``(in_channels, out_channels / groups, k)``; bias: ``(out_channels)``.
        output_padding: extra size added to one side of the output.

    Shape:
        output length ``(L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1``.
    """
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution") over ``(N, C, H, W)`` or ``(C, H, W)``;
    weight ``(in_channels, out_channels / groups, kH, kW)``."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)
