"""Deformable convolution (Dai et al.; with ``mask``, v2 of Zhu et al.).

A convolution whose taps move: for output position ``(oy, ox)`` and tap ``(i, j)``, input
channel ``c`` (in offset group ``g``) is read by bilinear interpolation, zero outside the
image, at

    y = oy * stride_h - pad_h + i * dilation_h + offset[b, g, 2k, oy, ox]
    x = ox * stride_w - pad_w + j * dilation_w + offset[b, g, 2k + 1, oy, ox]

(``k = i * kW + j``), times ``mask[b, g, k, oy, ox]`` when a mask is given. These samples
form the im2col columns, and the output is the grouped weight times the columns plus the
bias. The gradients of the input, offsets and mask follow the same four bilinear taps.
"""

from __future__ import annotations

import math

import numpy as np

import numtorch
from numtorch import Tensor, nn
from numtorch.autograd.function import ArrayFunction, once_differentiable
from numtorch.nn import init
from numtorch.ops._util import xp_of

from ._utils import _pair

__all__ = ["DeformConv2d", "deform_conv2d"]


def _taps(x, offset, kernel, stride, padding, dilation, out_hw):
    """The four bilinear taps of every sample: flat pixel index, weight and in-image flag,
    each ``[B, G, 1, K * L]``, plus the fractions ``ly, lx`` and the forward's cut-off."""
    b, _, height, width = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = kernel, stride, padding, dilation, out_hw
    xp = xp_of(x)
    dtype = x.dtype.type
    groups = offset.shape[1] // (2 * kh * kw)
    off = offset.reshape(b, groups, kh * kw, 2, oh, ow)
    i, j = xp.divmod(xp.arange(kh * kw), kw)
    base_y = xp.arange(oh)[None, :, None] * sh - ph + (i * dh)[:, None, None]
    base_x = xp.arange(ow)[None, None, :] * sw - pw + (j * dw)[:, None, None]
    y = base_y.astype(dtype) + off[:, :, :, 0]
    xx = base_x.astype(dtype) + off[:, :, :, 1]
    inside = (y > -1) & (y < height) & (xx > -1) & (xx < width)
    y0, x0 = xp.floor(y).astype(np.int64), xp.floor(xx).astype(np.int64)
    ly, lx = y - y0.astype(dtype), xx - x0.astype(dtype)
    hy, hx = dtype(1) - ly, dtype(1) - lx
    taps = []
    for dy, dx, w in ((0, 0, hy * hx), (0, 1, hy * lx), (1, 0, ly * hx), (1, 1, ly * lx)):
        yy, xc = y0 + dy, x0 + dx
        ok = (yy >= 0) & (yy < height) & (xc >= 0) & (xc < width)
        flat = xp.clip(yy, 0, height - 1) * width + xp.clip(xc, 0, width - 1)
        taps.append(tuple(a.reshape(b, groups, 1, -1) for a in (flat, w, ok)))
    shape = (b, groups, 1, -1)
    return taps, ly.reshape(shape), lx.reshape(shape), inside.reshape(shape)


class _DeformConv2d(ArrayFunction):
    """torchvision's deform_conv2d kernel."""

    node_name = ("torch::autograd::CppNode<vision::ops::(anonymous namespace)::"
                 "DeformConv2dFunction>")

    @staticmethod
    def forward(ctx, x, weight, offset, mask, bias, stride, padding, dilation):
        b, c, height, width = x.shape
        o, c_w, kh, kw = weight.shape
        oh, ow = offset.shape[2:]
        groups = offset.shape[1] // (2 * kh * kw)
        xp = xp_of(x)
        taps, ly, lx, inside = _taps(x, offset, (kh, kw), stride, padding, dilation, (oh, ow))
        image = x.reshape(b, groups, c // groups, height * width)
        values = [xp.where(ok, xp.take_along_axis(image, flat, axis=3), 0)
                  for flat, _, ok in taps]
        sampled = sum(w * v for (_, w, _), v in zip(taps, values))
        sampled = xp.where(inside, sampled, 0)
        cols = sampled if mask is None else sampled * mask.reshape(b, groups, 1, -1)
        w_groups = c // c_w
        cols = cols.reshape(b, w_groups, c_w * kh * kw, oh * ow)
        out = xp.matmul(weight.reshape(w_groups, o // w_groups, -1)[None], cols)
        out = out.reshape(b, o, oh, ow)
        if bias is not None:
            out = out + bias.reshape(1, o, 1, 1)
        ctx.state = (x, weight, mask, taps, values, sampled, cols, ly, lx, inside)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        x, weight, mask, taps, values, sampled, cols, ly, lx, inside = ctx.state
        xp = xp_of(x)
        b, c, height, width = x.shape
        o, c_w, kh, kw = weight.shape
        w_groups = c // c_w
        groups = taps[0][0].shape[1]
        g = grad._data.reshape(b, w_groups, o // w_groups, -1)
        w = weight.reshape(w_groups, o // w_groups, -1)
        g_weight = xp.matmul(g, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(weight.shape)
        g_bias = g.sum(axis=(0, 3)).reshape(o)
        g_cols = xp.matmul(w.transpose(0, 2, 1)[None], g).reshape(b, groups, c // groups, -1)
        m = 1 if mask is None else mask.reshape(b, groups, 1, -1)
        g_sampled = g_cols * m
        # Input: scatter each tap's share back onto its pixel.
        g_image = xp.zeros((b, groups, c // groups, height * width), dtype=x.dtype)
        bi = xp.arange(b)[:, None, None, None]
        gi = xp.arange(groups)[None, :, None, None]
        ci = xp.arange(c // groups)[None, None, :, None]
        for flat, wt, ok in taps:
            xp.add.at(g_image, (bi, gi, ci, flat), xp.where(ok & inside, wt, 0) * g_sampled)
        # Offsets: the bilinear surface's slopes along y and x (zero outside the image).
        v1, v2, v3, v4 = values
        one = x.dtype.type(1)
        dv_dy = (one - lx) * (v3 - v1) + lx * (v4 - v2)
        dv_dx = (one - ly) * (v2 - v1) + ly * (v4 - v3)
        kk = kh * kw
        oh, ow = grad.shape[2:]
        g_dy = (g_sampled * dv_dy).sum(axis=2).reshape(b, groups, kk, 1, oh, ow)
        g_dx = (g_sampled * dv_dx).sum(axis=2).reshape(b, groups, kk, 1, oh, ow)
        g_offset = xp.concatenate([g_dy, g_dx], axis=3).reshape(b, groups * 2 * kk, oh, ow)
        g_mask = None
        if mask is not None:
            g_mask = (g_cols * sampled).sum(axis=2).reshape(mask.shape)
        wrap = Tensor._make
        return (wrap(g_image.reshape(x.shape)), wrap(g_weight), wrap(g_offset),
                None if g_mask is None else wrap(g_mask), wrap(g_bias), None, None, None)


def deform_conv2d(input: Tensor, offset: Tensor, weight: Tensor, bias: Tensor | None = None,
                  stride=(1, 1), padding=(0, 0), dilation=(1, 1),
                  mask: Tensor | None = None) -> Tensor:
    """Deformable convolution v1, or v2 when ``mask`` is given.

    Args:
        input (Tensor[B, C_in, H, W]): the input.
        offset (Tensor[B, 2 * G * kH * kW, H_out, W_out]): ``(dy, dx)`` for each tap of each
            output position, for ``G`` offset groups of the input channels.
        weight (Tensor[C_out, C_in // groups, kH, kW]): the convolution weights.
        bias (Tensor[C_out], optional): Default: None.
        stride, padding, dilation (int or Tuple[int, int]): as for conv2d.
        mask (Tensor[B, G * kH * kW, H_out, W_out], optional): modulation of each tap.

    Returns:
        Tensor[B, C_out, H_out, W_out]
    """
    weights_h, weights_w = weight.shape[-2:]
    n_offset_grps = offset.shape[1] // (2 * weights_h * weights_w)
    if n_offset_grps == 0:
        raise RuntimeError(
            "the shape of the offset tensor at dimension 1 is not valid. It should be a "
            "multiple of 2 * weight.size[2] * weight.size[3].\n"
            f"Got offset.shape[1]={offset.shape[1]}, while 2 * weight.size[2] * "
            f"weight.size[3]={2 * weights_h * weights_w}")
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    height, width = input.shape[2:]
    out_h = (height + 2 * padding[0] - (dilation[0] * (weights_h - 1) + 1)) // stride[0] + 1
    out_w = (width + 2 * padding[1] - (dilation[1] * (weights_w - 1) + 1)) // stride[1] + 1
    if offset.shape[1] != n_offset_grps * 2 * weights_h * weights_w:
        raise RuntimeError(f"offset.shape[1] is not valid: got: {offset.shape[1]} expected: "
                           f"{n_offset_grps * 2 * weights_h * weights_w}")
    if offset.shape[0] != input.shape[0]:
        raise RuntimeError("invalid batch size of offset")
    if tuple(offset.shape[2:]) != (out_h, out_w):
        raise RuntimeError(f"offset output dims: ({offset.shape[2]}, {offset.shape[3]}) - "
                           f"computed output dims: ({out_h}, {out_w})")
    if mask is not None:
        if mask.shape[1] != n_offset_grps * weights_h * weights_w:
            raise RuntimeError(f"mask.shape[1] is not valid: got: {mask.shape[1]} expected: "
                               f"{n_offset_grps * weights_h * weights_w}")
        if tuple(mask.shape[2:]) != (out_h, out_w):
            raise RuntimeError(f"mask output dims: ({mask.shape[2]}, {mask.shape[3]}) - "
                               f"computed output dims: ({out_h}, {out_w})")
    if out_h <= 0 or out_w <= 0:
        raise RuntimeError(f"Calculated output size too small - out_h: {out_h} out_w: {out_w}")
    return _DeformConv2d.apply(input, weight, offset, mask, bias, stride, padding, dilation)


class DeformConv2d(nn.Module):
    """:func:`deform_conv2d` with its own weight and bias; ``forward(input, offset, mask=None)``.

    Initialised as ``nn.Conv2d`` is (Kaiming uniform with ``a=sqrt(5)``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True) -> None:
        super().__init__()
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.dilation = _pair(dilation)
        self.groups = groups
        self.weight = nn.Parameter(numtorch.empty(out_channels, in_channels // groups,
                                                  *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(numtorch.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor, offset: Tensor, mask: Tensor | None = None) -> Tensor:
        return deform_conv2d(input, offset, self.weight, self.bias, stride=self.stride,
                             padding=self.padding, dilation=self.dilation, mask=mask)

    def __repr__(self) -> str:
        s = (f"{self.__class__.__name__}({self.in_channels}, {self.out_channels}, "
             f"kernel_size={self.kernel_size}, stride={self.stride}")
        s += f", padding={self.padding}" if self.padding != (0, 0) else ""
        s += f", dilation={self.dilation}" if self.dilation != (1, 1) else ""
        s += f", groups={self.groups}" if self.groups != 1 else ""
        s += ", bias=False" if self.bias is None else ""
        return s + ")"
