"""Spatial transformers: ``affine_grid`` builds a sampling grid, ``grid_sample`` reads it.

``affine_grid(theta, size)`` maps every output pixel's normalised position ``(x, y[, z], 1)``
(``-1`` .. ``1`` across the image) through the affine matrix ``theta``: the grid is
``base @ theta^T``, one matrix product, whose gradient is ``grad^T @ base``.

``grid_sample(input, grid)`` reads ``input`` at the normalised points of ``grid``. Each grid
coordinate becomes a pixel coordinate (``unnormalize``), is folded back into the image by
the padding mode (``border`` clamps, ``reflection`` mirrors), and the output is a weighted
sum of a few *taps* around it, per spatial axis:

- ``nearest``: one tap, the rounded coordinate (half to even), weight 1;
- ``bilinear``: two taps ``floor(s)`` and ``floor(s) + 1`` with weights ``1 - t`` and ``t``;
- ``bicubic`` (4-D only): four taps ``floor(s) - 1 .. floor(s) + 2`` with Keys' cubic
  weights (``A = -0.75``); each tap, not the coordinate, is folded by the padding mode.

An N-D tap is one tap per axis; its weight is the product of the axes' weights. Taps outside
the image read zero. Forward gathers the taps' values with computed flat indices; backward
scatters ``grad * weight`` back with one ``bincount`` (input) and differentiates the weights
by each coordinate (grid), chained through the padding fold and the unnormalisation.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import _warnings
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd.function import ArrayFunction, once_differentiable
from ._util import xp_of

__all__ = ["affine_grid", "grid_sample"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_DEFAULT_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                    "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                    "old behavior is desired. See the documentation of grid_sample for details.")
_CUBIC_A = -0.75
_INT_MAX = 2 ** 31 - 1


# ------------------------------------------------------------------------ affine_grid

def _base_grid(xp, spatial, align_corners, dtype):
    """``(prod(spatial), d + 1)`` rows ``(x, y[, z], 1)``; ``x`` runs along the last axis."""
    axes = []
    for n in spatial:
        if n <= 1:
            axes.append(xp.zeros(n, dtype=dtype))
            continue
        lin = xp.linspace(-1.0, 1.0, n, dtype=dtype)
        axes.append(lin if align_corners else lin * dtype.type((n - 1) / n))
    mesh = xp.meshgrid(*axes, indexing="ij")  # one array per axis, in (D,) H, W order
    cols = [m.reshape(-1) for m in reversed(mesh)]  # x first: the grid's coordinate order
    cols.append(xp.ones(cols[0].shape, dtype=dtype))
    return xp.stack(cols, axis=1)


class _AffineGrid(ArrayFunction):
    node_name = "AffineGridGeneratorBackward0"

    @staticmethod
    def forward(ctx, theta, size, align_corners):
        xp = xp_of(theta)
        spatial = tuple(size[2:])
        base = _base_grid(xp, spatial, align_corners, theta.dtype)
        ctx.base, ctx.n = base, theta.shape[0]
        grid = xp.matmul(base, theta.transpose(0, 2, 1))  # (N, P, d)
        return grid.reshape((theta.shape[0], *spatial, len(spatial)))

    @staticmethod
    def backward(ctx, grad):
        # grid = base @ theta^T, so d theta = grad^T @ base (summed over the points).
        flat = grad.reshape(ctx.n, -1, grad.shape[-1])
        return flat.transpose(1, 2).matmul(Tensor._make(ctx.base)), None, None


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine transforms, for :func:`grid_sample`.

    Args:
        theta: ``(N, 2, 3)`` for 2-D or ``(N, 3, 4)`` for 3-D transforms, floating point.
        size: the target output size ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: ``-1`` and ``1`` name the corner pixels' centres (True) or the
            image's outer edges (False, the default, with a warning when left as None).

    Shape:
        Output ``(N, H, W, 2)`` or ``(N, D, H, W, 3)``, coordinates ordered ``x, y[, z]``.
    """
    if align_corners is None:
        _warnings.warn(_DEFAULT_WARNING, UserWarning)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) in (4, 5):
        d = len(size) - 2
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (d, d + 1):
            raise ValueError(f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} "
                             f"for size {size}. Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:
        _warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                       "grids when align_corners=True. This is not an intended use case of "
                       "affine_grid. See the documentation of affine_grid for details.",
                       UserWarning)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {d + 1}] but got: [{theta.shape[0]}, {d + 1}].")
    return _AffineGrid.apply(theta, size, bool(align_corners))


# ------------------------------------------------------------------------ grid_sample

def _unnormalize(xp, coord, size, align_corners):
    """Grid coordinate in ``[-1, 1]`` -> pixel coordinate, and its derivative."""
    dt = coord.dtype.type
    if align_corners:
        return (coord + 1) / 2 * dt(size - 1), dt((size - 1) / 2)
    return ((coord + 1) * dt(size) - 1) / 2, dt(size / 2)


def _fold(xp, s, size, padding_mode, align_corners):
    """Pixel coordinate -> the coordinate the padding mode reads, and its derivative."""
    dt = s.dtype.type
    mult = xp.ones(s.shape, dtype=s.dtype)
    if padding_mode == "reflection":
        # Mirror about the border pixels' centres (align_corners) or the image's edges.
        lo, hi = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if lo == hi:
            return xp.zeros_like(s), xp.zeros_like(s)
        low, span = dt(lo / 2), dt((hi - lo) / 2)
        x = s - low
        mult = xp.where(x < 0, dt(-1), dt(1))
        x = xp.abs(x)
        extra = xp.fmod(x, span)
        even = xp.floor(x / span) % 2 == 0
        s = xp.where(even, extra + low, span - extra + low)
        mult = xp.where(even, mult, -mult)
    if padding_mode in ("border", "reflection"):
        inside = (s >= 0) & (s <= size - 1)
        s = xp.clip(s, dt(0), dt(size - 1))
        mult = xp.where(inside, mult, dt(0))
    # Non-finite or huge coordinates read nothing (PyTorch sends them to -100).
    bad = ~xp.isfinite(s) | (s > _INT_MAX - 1) | (s < -_INT_MAX - 1)
    return xp.where(bad, dt(-100), s), mult


def _cubic(xp, t):
    """Keys' cubic weights of the taps at ``-1, 0, 1, 2`` from ``floor``, and d/dt of each."""
    a = t.dtype.type(_CUBIC_A)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def d_near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def d_far(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    slopes = (d_far(t + 1), d_near(t), -d_near(1 - t), -d_far(2 - t))
    return weights, slopes


def _axis_taps(xp, coord, size, mode, padding_mode, align_corners):
    """One axis's taps: a list of ``(index, weight, d weight / d coord)`` arrays.

    ``index`` is clamped into the image (so it can be gathered) and ``weight`` is zero where
    the tap falls outside; the slopes already include the unnormalisation and fold.
    """
    s, du = _unnormalize(xp, coord, size, align_corners)
    dt = coord.dtype.type
    if mode == "bicubic":
        # The taps around the unfolded coordinate are folded one by one.
        i0 = xp.floor(s)
        weights, slopes = _cubic(xp, s - i0)
        taps = []
        for k in range(4):
            tap, _ = _fold(xp, i0 + (k - 1), size, padding_mode, align_corners)
            taps.append((tap, weights[k], slopes[k] * du))
    else:
        s, dfold = _fold(xp, s, size, padding_mode, align_corners)
        if mode == "nearest":
            taps = [(xp.rint(s), xp.ones_like(s), xp.zeros_like(s))]
        else:
            i0 = xp.floor(s)
            t = s - i0
            slope = dfold * du
            taps = [(i0, 1 - t, -slope), (i0 + 1, t, slope)]
    out = []
    for tap, w, dw in taps:
        inside = (tap >= 0) & (tap <= size - 1)
        index = xp.where(inside, tap, 0).astype(np.int64)
        out.append((index, xp.where(inside, w, dt(0)), xp.where(inside, dw, dt(0))))
    return out


def _taps(xp, grid, spatial, mode, padding_mode, align_corners):
    """Every N-D tap: ``(flat index, weight, [d weight / d coord_a per axis a])``.

    ``grid`` is ``(N, P, d)`` with ``x`` (the last axis) first; ``spatial`` is in axis order.
    """
    d = len(spatial)
    per_axis = [_axis_taps(xp, grid[..., d - 1 - a], n, mode, padding_mode, align_corners)
                for a, n in enumerate(spatial)]
    strides = [int(np.prod(spatial[a + 1:])) for a in range(d)]
    out = []
    for combo in itertools.product(*per_axis):
        flat = sum(idx * st for (idx, _, _), st in zip(combo, strides))
        weight = combo[0][1]
        for _, w, _ in combo[1:]:
            weight = weight * w
        slopes = []
        for a in range(d):
            s = combo[a][2]
            for b in range(d):
                if b != a:
                    s = s * combo[b][1]
            slopes.append(s)
        out.append((flat, weight, slopes))
    return out


def _flatten(x, grid):
    """``(N, C, prod(spatial))`` input, ``(N, points, d)`` grid (explicit sizes: any may be 0)."""
    n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    points = int(np.prod(grid.shape[1:-1]))
    return (x.reshape(n, c, int(np.prod(spatial))), grid.reshape(n, points, grid.shape[-1]),
            spatial)


class _GridSampler(ArrayFunction):
    node_name = "GridSampler2DBackward0"

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        xp = xp_of(x, grid)
        flat_x, flat_grid, spatial = _flatten(x, grid)
        ctx.args = (mode, padding_mode, align_corners)
        ctx.save_for_backward(x, grid)
        out = xp.zeros((x.shape[0], x.shape[1], flat_grid.shape[1]), dtype=x.dtype)
        for flat, weight, _ in _taps(xp, flat_grid, spatial, mode, padding_mode, align_corners):
            out += xp.take_along_axis(flat_x, flat[:, None, :], axis=2) * weight[:, None, :]
        return out.reshape(x.shape[:2] + grid.shape[1:-1])

    @staticmethod
    @once_differentiable  # as PyTorch: grid_sampler's backward is not differentiated again
    def backward(ctx, grad):
        x_t, grid_t = ctx.saved_tensors
        x, grid, g = x_t._data, grid_t._data, grad._data
        xp = xp_of(x, grid, g)
        flat_x, flat_grid, spatial = _flatten(x, grid)
        n, c, total = flat_x.shape
        g = g.reshape(n, c, flat_grid.shape[1])
        taps = _taps(xp, flat_grid, spatial, *ctx.args)
        g_x = g_grid = None
        if ctx.needs_input_grad[0]:
            # Scatter grad * weight onto each tap's pixel, all taps in one add.at, summed in
            # the input's dtype as PyTorch does (bincount would sum in float64).
            rows = (xp.arange(n * c).reshape(n, c, 1) * total)
            index = xp.concatenate([(rows + flat[:, None, :]).reshape(-1) for flat, _, _ in taps])
            values = xp.concatenate([(g * w[:, None, :]).reshape(-1) for _, w, _ in taps])
            summed = xp.zeros(n * c * total, dtype=x.dtype)
            xp.add.at(summed, index, values.astype(x.dtype, copy=False))
            g_x = Tensor._make(summed.reshape(x.shape))
        if ctx.needs_input_grad[1]:
            d = len(spatial)
            acc = xp.zeros(flat_grid.shape, dtype=grid.dtype)
            if ctx.args[0] != "nearest":  # nearest is piecewise constant: zero gradient
                for flat, _, slopes in taps:
                    # d out / d coord_a = value * d weight / d coord_a, summed over channels.
                    gv = (g * xp.take_along_axis(flat_x, flat[:, None, :], axis=2)).sum(axis=1)
                    for a in range(d):
                        acc[..., d - 1 - a] += gv * slopes[a]
            g_grid = Tensor._make(acc.reshape(grid.shape))
        return g_x, g_grid, None, None, None


class _GridSampler3D(_GridSampler):
    node_name = "GridSampler3DBackward0"


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` at the normalised points of ``grid`` (``-1``..``1`` spans the image).

    Args:
        input: ``(N, C, H_in, W_in)`` or ``(N, C, D_in, H_in, W_in)``.
        grid: ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``, ``x`` first.
        mode: ``'bilinear'``, ``'nearest'`` or ``'bicubic'`` (4-D only).
        padding_mode: what points outside the image read: ``'zeros'``, ``'border'`` (the
            nearest border pixel) or ``'reflection'`` (the image mirrored at its border).
        align_corners: ``-1`` and ``1`` name the corner pixels' centres (True) or the
            image's outer edges (False, the default, with a warning when left as None).

    Shape:
        Output ``(N, C, H_out, W_out)`` or ``(N, C, D_out, H_out, W_out)``.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        _warnings.warn(_DEFAULT_WARNING, UserWarning)
        align_corners = False
    for name, t in (("input", input), ("grid", grid)):
        if not isinstance(t, Tensor):
            raise TypeError(f"grid_sampler(): argument '{name}' (position "
                            f"{1 if name == 'input' else 2}) must be Tensor, not {type_name(t)}")
    in_sizes, grid_sizes = list(input.shape), list(grid.shape)
    sizes = f"input with sizes {in_sizes} and grid with sizes {grid_sizes}"
    kind = 4 if input.dim() == 4 else 5  # PyTorch sends every other rank to the 3-D kernel
    if input.dim() != grid.dim():
        raise RuntimeError(f"grid_sampler(): expected {kind}D input and grid with same "
                           f"number of dimensions, but got {sizes}")
    if in_sizes[0] != grid_sizes[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got {sizes}")
    d = input.dim() - 2
    if grid_sizes[-1] != d:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {d} in last dimension, "
                           f"but got grid with sizes {grid_sizes}")
    if input.dim() not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected 5D input and grid with same number "
                           f"of dimensions, but got {sizes}")
    for k in range(2, input.dim()):
        if in_sizes[k] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {in_sizes} with dimension "
                               f"{k} being empty")
    if mode == "bicubic" and d != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.is_floating_point():
        kernel = "grid_sampler_2d_cpu_kernel_impl" if d == 2 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype._legacy}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._legacy} but found "
                           f"{grid.dtype._legacy}")
    fn = _GridSampler if d == 2 else _GridSampler3D
    return fn.apply(input, grid, mode, padding_mode, bool(align_corners))
