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

Because the three maps are adjoint to one another, the gradient of each one is another of
the three (``_ConvInputGrad`` and ``_ConvWeightGrad`` below say which), so double
backward (``create_graph=True``) goes through the same kernels.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from .. import _warnings
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ._util import xp_of
from .padding import pad as _pad

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


def _conv_forward(x, w, geom):
    """``F(x, W)``: ``(N, C, *size)`` with ``(O, C/G, *k)`` -> ``(N, O, *out)``."""
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


def _conv_weight_grad(x, g, geom, w_shape):
    """The adjoint of ``F(x, .)``: the weight's gradient ``(O, C/G, *k)``."""
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
        y = _conv_forward(x, w, geom)
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
                gw = _ConvWeightGrad.apply(x, grad, ctx.geom, ctx.w_shape)
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
    def forward(ctx, x, g, geom, w_shape):
        ctx.geom = geom
        ctx.save_for_backward(x, g)
        ctx.x_shape, ctx.g_shape = x.shape, g.shape
        return _conv_weight_grad(x, g, geom, w_shape)

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = _ConvInputGrad.apply(g, h, ctx.geom, ctx.x_shape) if need[0] else None
        gg = _conv_to(x, h, ctx.geom, ctx.g_shape) if need[1] else None
        return gx, gg, None, None


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


def _is_int(v) -> bool:
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


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


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


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


def _ctype(t) -> str:
    from .linalg import _CTYPE

    return _CTYPE[t.dtype.name]


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
