"""Sliding blocks: ``unfold`` (im2col) and ``fold`` (col2im) of (N, C, H, W) images.

``unfold`` lays every ``kh x kw`` block of the padded input out as a column:
``(N, C, H, W) -> (N, C kh kw, L)``, L the number of block positions (row-major), column
row ``c kh kw + i kw + j`` holding ``x_padded[c, l_h s_h + i d_h, l_w s_w + j d_w]``.
``fold`` is its adjoint: it adds each column entry back onto the pixel it came from (a
block seen twice sums), so each one's gradient is the other. Both reuse the convolution
kernels (``_im2col``, a strided view; ``_col2im``, one add per kernel offset) of
numtorch/ops/conv.py.
"""

from __future__ import annotations

import math
import numbers

from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from .conv import _col2im, _im2col
from .shape import _fmt as _sizes

__all__ = ["unfold", "fold"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()


def _pair(name, value):
    if isinstance(value, numbers.Integral):
        return (int(value),) * 2
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    return value


def _blocks(size, k, geom):
    stride, padding, dilation, _ = geom
    return tuple((s + 2 * p - d * (kk - 1) - 1) // st + 1
                 for s, kk, st, p, d in zip(size, k, stride, padding, dilation))


def _unfold_array(x, k, geom):
    if x.ndim == 3:  # one unbatched image
        return _unfold_array(x[None], k, geom)[0]
    n, c = x.shape[:2]
    out = _blocks(x.shape[2:], k, geom)
    cols = _im2col(x, k, geom, out)  # (N, C, kh, kw, oh, ow) view
    return cols.reshape(n, c * k[0] * k[1], out[0] * out[1])


def _fold_array(cols, size, k, geom):
    if cols.ndim == 2:
        return _fold_array(cols[None], size, k, geom)[0]
    n = cols.shape[0]
    c = cols.shape[1] // (k[0] * k[1])
    out = _blocks(size, k, geom)
    return _col2im(cols.reshape((n, c) + k + out), (n, c) + size, geom)


class _Im2Col(ArrayFunction):
    node_name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, k, geom):
        ctx.args = (x.shape[-2:], k, geom)
        return _unfold_array(x, k, geom)

    @staticmethod
    def backward(ctx, grad):
        return _Col2Im.apply(grad, *ctx.args), None, None


class _Col2Im(ArrayFunction):
    node_name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, size, k, geom):
        ctx.args = (k, geom)
        return _fold_array(cols, size, k, geom)

    @staticmethod
    def backward(ctx, grad):
        return _Im2Col.apply(grad, *ctx.args), None, None, None


def _geometry(kernel_size, dilation, padding, stride):
    k, d = _pair("kernel_size", kernel_size), _pair("dilation", dilation)
    p, s = _pair("padding", padding), _pair("stride", stride)
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                           f"stride_width: {s[1]}")
    if min(p) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")
    return k, (s, p, d, 1)


def _check_dtype(input, name):
    if not input.dtype.is_floating_point or input.dtype.is_complex:
        raise NotImplementedError(f'"{name}" not implemented for \'{input.dtype._legacy}\'')


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: ``(N, C, H, W) -> (N, C kh kw, L)`` (or without N)."""
    k, geom = _geometry(kernel_size, dilation, padding, stride)
    if input.dim() not in (3, 4) or any(s == 0 for s in input.shape[1:]):
        if input.dim() < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-input.dim()}, {input.dim() - 1}], but got 2)")
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{_sizes(input.shape)}")
    size = tuple(input.shape[-2:])
    blocks = _blocks(size, k, geom)
    if min(blocks) < 1:
        s, p, d, _ = geom
        raise RuntimeError(f"Given input with spatial size {size}, kernel_size={k}, dilation="
                           f"{d}, padding={p}, calculated shape of the array of sliding blocks "
                           f"as {blocks}, but its components must be at least one.")
    _check_dtype(input, "im2col_out_cpu")
    return _Im2Col.apply(input, k, geom)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding blocks back into an image: ``(N, C kh kw, L) -> (N, C, *output_size)``."""
    size = _pair("output_size", output_size)
    k, geom = _geometry(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{_sizes(input.shape)}")
    rows, length = input.shape[-2:]  # PyTorch names them dims 1 and 2 either way
    if rows % math.prod(k):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={rows} and "
                           f"kernel_size={k}.")
    blocks = _blocks(size, k, geom)
    if math.prod(blocks) != length or min(blocks) < 1:
        s, p, d, _ = geom
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding="
                           f"{p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {math.prod(blocks)}, but got input.size(2)="
                           f"{length}.")
    _check_dtype(input, "col2im_out_cpu")
    return _Col2Im.apply(input, size, k, geom)
