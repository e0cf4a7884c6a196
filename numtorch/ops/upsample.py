"""Resampling: ``interpolate`` (and the deprecated ``upsample*``) in every mode.

Every mode but ``area`` is *separable*: output ``o`` along one spatial axis is a fixed
weighted sum of a few inputs along that axis, and the weights of an N-D resampling are the
products of the per-axis weights. So one resampling is N one-axis linear maps ``W``
(``out x in``), applied one axis after the other:

- ``nearest``: ``W[o, floor(o * scale)] = 1`` (PyTorch's index rule, ``scale = in / out``
  or ``1 / scale_factor``, computed in float32 as PyTorch does); ``nearest-exact`` uses
  ``floor((o + 0.5) * scale)``. These are gathers (``take``) forward; their adjoint adds
  each run of equal indices (``add.reduceat``: the indices never decrease).
- ``linear``/``bilinear``/``trilinear``: two taps at ``src = scale * (o + 0.5) - 0.5``
  (clamped at 0), or ``src = o * (in - 1) / (out - 1)`` with ``align_corners``.
- ``bicubic``: four taps around ``src`` with Keys' cubic kernel, ``A = -0.75``; taps
  outside the input read the border pixel.
- ``antialias=True`` (bilinear/bicubic, 4-D): PyTorch's filter resampling, whose support
  widens by the scale when shrinking (cubic taps use ``A = -0.5``); weights normalised.

Dense ``W`` (a small matrix per axis) makes forward one matrix product per axis and
backward the product with ``W^T``; both maps are linear, so each one's gradient is the
other and double backward runs through the same code. ``area`` is adaptive average pooling.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ._util import xp_of
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_F32 = np.dtype(np.float32)


# ----------------------------------------------------------------- per-axis weights

def _scale(in_size, out_size, scale_factor, align_corners, dtype):
    """PyTorch's source-per-destination step for one axis, in ``dtype``."""
    if align_corners:
        return dtype.type((in_size - 1) / (out_size - 1)) if out_size > 1 else dtype.type(0)
    if scale_factor is not None and scale_factor > 0:
        return dtype.type(1.0 / scale_factor)
    return dtype.type(in_size) / dtype.type(out_size)


def _nearest_index(in_size, out_size, scale_factor, exact, shortcut):
    """The input index each output reads (``floor(o * scale)``, float32 like PyTorch).

    PyTorch's 2-D ``nearest`` kernel (``shortcut``) ignores ``scale_factor`` where the
    output size is the input's or twice it, and reads ``o`` or ``o // 2``.
    """
    o = np.arange(out_size)
    if shortcut and out_size == in_size:
        return o
    if shortcut and out_size == 2 * in_size:
        return o >> 1
    s = _scale(in_size, out_size, scale_factor, False, _F32)
    src = (o + 0.5) * np.float64(s) if exact else o.astype(_F32) * s
    return np.minimum(np.floor(src.astype(_F32)).astype(np.int64), in_size - 1)


def _cubic(t, a):
    """Keys' cubic convolution weights of the taps at offsets -1, 0, 1, 2 from ``floor``."""
    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _interp_matrix(mode, in_size, out_size, scale_factor, align_corners, dtype):
    """The ``(out, in)`` weights of ``linear`` or ``cubic`` resampling along one axis."""
    s = _scale(in_size, out_size, scale_factor, align_corners, dtype)
    o = np.arange(out_size).astype(dtype)
    src = s * o if align_corners else s * (o + dtype.type(0.5)) - dtype.type(0.5)
    w = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    if mode == "linear":
        src = np.maximum(src, 0)
        i0 = src.astype(np.int64)
        lam = np.clip(src - i0, 0, 1).astype(dtype)
        i1 = i0 + (i0 < in_size - 1)
        np.add.at(w, (rows, i0), 1 - lam)
        np.add.at(w, (rows, i1), lam)
        return w
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0).astype(dtype)
    for k, coef in enumerate(_cubic(t, dtype.type(-0.75))):
        np.add.at(w, (rows, np.clip(i0 - 1 + k, 0, in_size - 1)), coef)
    return w


def _aa_matrix(mode, in_size, out_size, scale_factor, align_corners, dtype):
    """The ``(out, in)`` weights of antialiased resampling along one axis (PyTorch's rule:
    a filter stretched by the scale when shrinking, clipped to the input, normalised)."""
    # In ``dtype``, as PyTorch's kernel builds them in the input's scalar type.
    one, f = dtype.type(1), dtype.type
    s = _scale(in_size, out_size, scale_factor, align_corners, dtype)
    half = one if mode == "linear" else f(2)
    support = half * s if s >= one else half
    inv = one / s if s >= one else one
    w = np.zeros((out_size, in_size), dtype=dtype)
    for o in range(out_size):
        center = s * f(o + 0.5)
        lo = max(int(center - support + f(0.5)), 0)
        hi = min(int(center + support + f(0.5)), in_size)
        x = np.abs((np.arange(lo, hi).astype(dtype) - center + f(0.5)) * inv)
        if mode == "linear":
            taps = np.maximum(one - x, f(0))
        else:
            a = f(-0.5)
            taps = np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                            np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, f(0)))
        total = f(0)
        for t in taps:  # summed in order, as PyTorch
            total += t
        w[o, lo:hi] = taps / total if total != 0 else taps
    return w


class _Axis:
    """One axis of a separable resampling: a gather ``index`` or a weight matrix."""

    __slots__ = ("index", "weight", "in_size")

    def __init__(self, in_size, index=None, weight=None):
        self.in_size, self.index, self.weight = in_size, index, weight

    def apply(self, x, axis):
        xp = xp_of(x)
        if self.index is not None:
            return xp.take(x, xp.asarray(self.index), axis=axis)
        return _matmul_axis(x, xp.asarray(self.weight, dtype=x.dtype), axis)

    def adjoint(self, g, axis):
        xp = xp_of(g)
        if self.index is None:
            return _matmul_axis(g, xp.asarray(self.weight.T, dtype=g.dtype), axis)
        # Equal indices come in runs (the index never decreases): sum each run.
        firsts = np.flatnonzero(np.r_[True, self.index[1:] != self.index[:-1]])
        shape = list(g.shape)
        shape[axis] = self.in_size
        out = xp.zeros(shape, dtype=g.dtype)
        where = [slice(None)] * g.ndim
        where[axis] = xp.asarray(self.index[firsts])
        if g.size:
            out[tuple(where)] = xp.add.reduceat(g, xp.asarray(firsts), axis=axis)
        return out


def _matmul_axis(x, w, axis):
    """``w`` (out, in) applied along ``axis`` of ``x``."""
    shape = x.shape
    pre, post = math.prod(shape[:axis]), math.prod(shape[axis + 1:])
    if post == 1:
        y = x.reshape(pre, shape[axis]) @ w.T
    else:
        y = w @ x.reshape(pre, shape[axis], post)
    return y.reshape(shape[:axis] + (w.shape[0],) + shape[axis + 1:])


def _run(x, axes, adjoint):
    """Apply every axis map (or its adjoint) to the trailing spatial dims of ``x``."""
    xp = xp_of(x)
    dtype = x.dtype
    nd = len(axes)
    if dtype.kind == "u":
        # uint8 images: PyTorch resamples the width, then the height, rounding to uint8
        # after each pass (gathers need no arithmetic).
        for i in reversed(range(nd)):
            if axes[i] is not None and axes[i].index is not None:
                x = axes[i].apply(x, x.ndim - nd + i)
            elif axes[i] is not None:
                y = axes[i].apply(x.astype(_F32), x.ndim - nd + i)
                x = xp.clip(xp.rint(y), 0, 255).astype(dtype)
        return xp.ascontiguousarray(x)
    if dtype.itemsize < 4:
        x = x.astype(_F32)  # half resamples in float32, as PyTorch's opmath
    for i, ax in enumerate(axes):
        if ax is not None:
            x = ax.adjoint(x, x.ndim - nd + i) if adjoint else ax.apply(x, x.ndim - nd + i)
    return xp.ascontiguousarray(x.astype(dtype, copy=False))


def _make_resample(name: str):
    """The op ``name`` (``UpsampleBilinear2D`` ...) and its adjoint, each the other's grad."""
    class Resample(ArrayFunction):
        node_name = f"{name}Backward0"

        @staticmethod
        def forward(ctx, x, axes):
            ctx.axes = axes
            return _run(x, axes, adjoint=False)

        @staticmethod
        def backward(ctx, grad):
            return Adjoint.apply(grad, ctx.axes), None

    class Adjoint(ArrayFunction):
        node_name = f"{name}BackwardBackward0"

        @staticmethod
        def forward(ctx, g, axes):
            ctx.axes = axes
            return _run(g, axes, adjoint=True)

        @staticmethod
        def backward(ctx, gg):
            return Resample.apply(gg, ctx.axes), None

    return Resample


_OPS = {(mode, nd): _make_resample(f"Upsample{kind}{nd}D{aa}")
        for mode, kind, aa, nds in (
            ("nearest", "Nearest", "", (1, 2, 3)),
            ("nearest-exact", "NearestExact", "", (1, 2, 3)),
            ("linear", "Linear", "", (1,)), ("bilinear", "Bilinear", "", (2,)),
            ("trilinear", "Trilinear", "", (3,)), ("bicubic", "Bicubic", "", (2,)),
            ("bilinear-aa", "Bilinear", "Aa", (2,)), ("bicubic-aa", "Bicubic", "Aa", (2,)))
        for nd in nds}


# ----------------------------------------------------------------- argument checks

_INTERP = ("linear", "bilinear", "bicubic", "trilinear")
_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _is_integer(x) -> bool:
    if isinstance(x, Tensor):
        return not x.is_floating_point() and not x.is_complex()
    return isinstance(x, numbers.Integral)


def _check_sizes(input, out, nd, dtype_name, uint8_ok):
    """PyTorch's kernel checks: positive sizes, non-empty channels, a supported dtype."""
    shape = tuple(input.shape)
    spatial = shape[2:]
    if min(spatial) <= 0 or min(out) <= 0:
        fmt = ", ".join
        ins = fmt(f"{n}: {s}" for n, s in zip(_SPATIAL[nd], spatial))
        outs = fmt(f"{n}: {s}" for n, s in zip(_SPATIAL[nd], out))
        sep = " and" if nd == 1 else ""
        raise RuntimeError("Input and output sizes should be greater than 0, but got "
                           f"input ({ins}){sep} output ({outs})")
    if 0 in shape[1:]:
        raise RuntimeError(f"Non-empty {nd + 2}D data tensor expected but got a tensor with "
                           f"sizes {list(shape)}")
    dt = input.dtype
    if not (dt.is_floating_point and not dt.is_complex) and not (uint8_ok and dt == D.uint8):
        raise NotImplementedError(f'"{dtype_name}" not implemented for \'{dt._legacy}\'')


def _float(v):
    if isinstance(v, Tensor) or not isinstance(v, numbers.Real):
        raise TypeError(f"interpolate(): scale_factor must be a float or a tuple of floats, "
                        f"but got {type_name(v)}")
    return float(v)


# ----------------------------------------------------------------- public functions

def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample ``input`` (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Args:
        size: output spatial size (an int for every dim, or one per dim).
        scale_factor: multiplier(s) of the spatial size; the output size is
            ``floor(in * scale_factor)`` and, unless ``recompute_scale_factor=True``,
            the interpolation uses ``1 / scale_factor`` as its step.
        mode: ``'nearest'`` | ``'nearest-exact'`` | ``'linear'`` (3-D) | ``'bilinear'``
            (4-D) | ``'bicubic'`` (4-D) | ``'trilinear'`` (5-D) | ``'area'``.
        align_corners: for the interpolating modes, map the corner pixels' centres onto
            each other (step ``(in - 1) / (out - 1)``) instead of the corners' edges.
        antialias: low-pass filter when shrinking (bilinear / bicubic on 4-D input).
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    "Tuple[int, int, int], but got size with types "
                    f"{[type(v) for v in size]}")
            out = [int(v) for v in size]
        else:
            out = [int(size)] * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions,"
                    f" but got input with spatial dimensions of {spatial} and scale_factor of"
                    f" shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [_float(s) for s in scale_factor]
        else:
            scales = [_float(scale_factor)] * nd
        out = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out = [int(s * f) for s, f in zip(spatial, scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")

    expected = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}
    known = mode in ("nearest", "nearest-exact", "area") or mode in expected
    if not 1 <= nd <= 3 or not known or (mode == "bicubic" and nd != 2):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | "
            f"area | nearest-exact (got {mode})")
    if mode in expected and expected[mode] != nd:
        raise NotImplementedError(f"Got {nd + 2}D input, but {mode} mode needs "
                                  f"{expected[mode] + 2}D input")
    if out is None:
        out = [int(s * f) for s, f in zip(spatial, scales)]
    if mode == "area":
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1]
        return pool(input, out[0] if nd == 1 else tuple(out))
    scales = scales or [None] * nd

    if mode in ("nearest", "nearest-exact"):
        name = "upsample_nearest2d_channels_last" if nd == 2 else \
            "compute_indices_weights_nearest"
        _check_sizes(input, out, nd, name, uint8_ok=True)
        axes = []
        for i, o, s in zip(spatial, out, scales):
            index = _nearest_index(i, o, s, mode == "nearest-exact",
                                   shortcut=nd == 2 and mode == "nearest")
            axes.append(None if np.array_equal(index, np.arange(i)) else _Axis(i, index=index))
        return _OPS[mode, nd].apply(input, tuple(axes))

    kind = "cubic" if mode == "bicubic" else "linear"
    name = {"bilinear": "upsample_bilinear2d_channels_last"}.get(
        mode, f"compute_indices_weights_{kind}")
    _check_sizes(input, out, nd, name, uint8_ok=nd == 2)
    dtype = np.dtype(np.float64) if input.dtype == D.float64 else _F32
    build = _aa_matrix if antialias else _interp_matrix
    # PyTorch's linear kernels (and the antialiased ones) copy an axis whose size is
    # unchanged, whatever the scale_factor; its bicubic kernel resamples it.
    axes = tuple(None if i == o and kind == "linear" or i == o and antialias else
                 _Axis(i, weight=build(kind, i, o, s, align_corners, dtype))
                 for i, o, s in zip(spatial, out, scales))
    return _OPS[mode + ("-aa" if antialias else ""), nd].apply(input, axes)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated spelling of ``interpolate``."""
    _warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                   "instead.", UserWarning)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    _warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                   "`nn.functional.interpolate` instead.", UserWarning)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    _warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                   "`nn.functional.interpolate` instead.", UserWarning)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
