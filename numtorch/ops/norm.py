"""Normalisation kernels: layer_norm, group_norm (fused), rms_norm and normalize.

Layer and group norm are one kernel each, as PyTorch's ``native_layer_norm`` and
``native_group_norm``: forward normalises each group of values
``xhat = (x - mean) * rstd`` (``rstd = 1 / sqrt(var + eps)``, biased variance),
then applies the affine ``xhat * weight + bias``. Backward is the closed form

    dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),   gh = g * weight

with ``dweight = sum(g * xhat)`` and ``dbias = sum(g)`` over the other dims. A plain
backward runs it on arrays; under ``create_graph`` it runs as Tensor ops that
recompute ``xhat`` from ``x``, so it can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ._util import xp_of

__all__ = ["layer_norm", "rms_norm", "group_norm", "normalize"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)


def _normalize_rows(xp, x2d, eps):
    """(xhat, mean, rstd) of each row of a 2-D float array (float16 computed in float32)."""
    xc = x2d.astype(_F32) if x2d.dtype == _F16 else x2d
    if xc.shape[1] == 0:
        z = xp.zeros((xc.shape[0], 1), dtype=xc.dtype)
        return xp.empty_like(xc), z, xp.full_like(z, np.inf)
    mean = xc.mean(axis=1, keepdims=True)
    xhat = xc - mean
    var = xp.einsum("ij,ij->i", xhat, xhat)[:, None] if xhat.size else mean * 0
    var /= xc.shape[1]
    rstd = var
    rstd += xc.dtype.type(eps)
    xp.sqrt(rstd, out=rstd)
    xp.reciprocal(rstd, out=rstd)
    xhat *= rstd
    return xhat, mean, rstd


def _rows_backward(xp, g2d, xhat, rstd):
    """dx for rows normalised as xhat = (x - mean) * rstd, given g2d = dL/dxhat."""
    n = xhat.shape[1]
    if n == 0:
        return xp.empty_like(g2d)
    mg = g2d.mean(axis=1, keepdims=True)
    mgx = xp.einsum("ij,ij->i", g2d, xhat)[:, None] / g2d.dtype.type(n)
    dx = g2d - mg
    dx -= xhat * mgx
    dx *= rstd
    return dx


def _rows_backward_tensor(x2d, g2d, eps):
    """The same closed form as Tensor ops, with xhat recomputed from ``x2d`` (differentiable)."""
    mean = x2d.mean(1, keepdim=True)
    xc = x2d - mean
    rstd = ((xc * xc).mean(1, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    dx = (g2d - g2d.mean(1, keepdim=True) - xhat * (g2d * xhat).mean(1, keepdim=True)) * rstd
    return dx, xhat


class NativeLayerNorm(ArrayFunction):
    """Normalise over the last ``k`` dims, then ``* weight + bias`` (either may be None)."""

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, k, weight, bias, eps):
        xp = xp_of(x)
        ctx.k, ctx.eps = k, eps
        rows, cols = _split(x.shape, x.ndim - k)
        xhat, mean, rstd = _normalize_rows(xp, x.reshape(rows, cols), eps)
        out = xhat.reshape(x.shape)
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias if weight is None else _iadd(out, bias)
        ctx.save_for_backward(x, weight)
        ctx.stats = (xhat, rstd)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        k, shape = ctx.k, x.shape
        rows, cols = _split(shape, x.ndim - k)
        need_x, need_w, need_b = ctx.needs_input_grad[0], ctx.needs_input_grad[2], \
            ctx.needs_input_grad[3]
        gx = gw = gb = None
        if not grad_mode.enabled:
            xp = xp_of(grad._data)
            g = grad._data
            xhat, rstd = ctx.stats
            g2d = g.reshape(rows, cols).astype(xhat.dtype, copy=False)
            if need_x:
                gh = g2d * weight._data.reshape(1, -1) if weight is not None else g2d
                gx = Tensor._make(_rows_backward(xp, gh, xhat, rstd).reshape(shape)
                                  .astype(g.dtype, copy=False))
            if need_w:
                gw = Tensor._make((g2d * xhat).sum(axis=0).reshape(weight.shape)
                                  .astype(g.dtype, copy=False))
            if need_b:
                gb = Tensor._make(g2d.sum(axis=0).reshape(shape[x.ndim - k:])
                                  .astype(g.dtype, copy=False))
            return gx, None, gw, gb, None
        g2d = grad.reshape(rows, cols)
        gh = g2d * weight.reshape(1, cols) if weight is not None else g2d
        dx, xhat = _rows_backward_tensor(x.reshape(rows, cols), gh, ctx.eps)
        if need_x:
            gx = dx.reshape(shape)
        if need_w:
            gw = (g2d * xhat).sum(0).reshape(weight.shape)
        if need_b:
            gb = g2d.sum(0).reshape(shape[x.ndim - k:])
        return gx, None, gw, gb, None


def _split(shape, at):
    """(rows, cols): the sizes of ``shape[:at]`` and ``shape[at:]`` (explicit, so that
    empty inputs reshape too)."""
    return (int(np.prod(shape[:at], dtype=np.int64)), int(np.prod(shape[at:], dtype=np.int64)))


def _group_cols(shape, groups):
    return int(np.prod(shape[1:], dtype=np.int64)) // groups


def _iadd(out, b):
    out += b
    return out


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift."""
    if isinstance(normalized_shape, int) or not all(
            isinstance(s, (int, np.integer)) for s in normalized_shape):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {_shape_str(t.shape)} and normalized_shape "
                               f"= {_shape_str(ns)}")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={_shape_str(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{_shape_str(input.shape)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError('"LayerNormKernelImpl" not implemented for '
                                  f"'{input.dtype._legacy}'")
    return NativeLayerNorm.apply(input, k, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``input / sqrt(mean(input**2) + eps) * weight`` over the trailing dims
    (``eps`` defaults to the dtype's machine epsilon)."""
    if isinstance(normalized_shape, int) or not all(
            isinstance(s, (int, np.integer)) for s in normalized_shape):
        raise TypeError("rms_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError("Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {_shape_str(weight.shape)} and normalized_shape = "
                           f"{_shape_str(ns)}")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={_shape_str(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size"
                           f"{_shape_str(input.shape)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{input.dtype._legacy}'")
    if eps is None:
        eps = float(np.finfo(input.dtype.np).eps)
    dims = list(range(input.ndim - k, input.ndim))
    x = input.float() if input.dtype.np == _F16 else input
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out.to(input.dtype) if out.dtype is not input.dtype else out


class NativeGroupNorm(ArrayFunction):
    """Normalise each group of ``C / G`` channels (with all spatial positions) of each sample,
    then ``* weight[c] + bias[c]`` per channel."""

    node_name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, groups, weight, bias, eps):
        xp = xp_of(x)
        ctx.groups, ctx.eps = groups, eps
        n, c = x.shape[0], x.shape[1]
        xhat, mean, rstd = _normalize_rows(xp, x.reshape(n * groups, _group_cols(x.shape, groups)),
                                           eps)
        out = xhat.reshape(x.shape)
        cshape = (1, c) + (1,) * (x.ndim - 2)
        if weight is not None:
            out = out * weight.reshape(cshape)
        if bias is not None:
            out = out + bias.reshape(cshape)
        ctx.save_for_backward(x, weight)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        shape, g = x.shape, ctx.groups
        n, c = shape[0], shape[1]
        cshape = (1, c) + (1,) * (x.ndim - 2)
        other = [0] + list(range(2, x.ndim))
        gh = grad * weight.reshape(cshape) if weight is not None else grad
        cols = _group_cols(shape, g)
        dx, xhat = _rows_backward_tensor(x.reshape(n * g, cols), gh.reshape(n * g, cols),
                                         ctx.eps)
        gx = dx.reshape(shape) if ctx.needs_input_grad[0] else None
        gw = gb = None
        if ctx.needs_input_grad[2]:
            gw = (grad * xhat.reshape(shape)).sum(other)
        if ctx.needs_input_grad[3]:
            gb = grad.sum(other)
        return gx, None, gw, gb, None


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation over (N, C, *) inputs, ``C`` split into ``num_groups`` groups."""
    if input.ndim < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    c = input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {_shape_str(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{_shape_str(t.shape)} and input of shape "
                               f"{_shape_str(input.shape)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError('"GroupNormKernelImpl" not implemented for '
                                  f"'{input.dtype._legacy}'")
    return NativeGroupNorm.apply(input, num_groups, weight, bias, eps)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    from .linalg import vector_norm

    _wrap_dim(dim, input.ndim)
    denom = vector_norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        from .pointwise import div

        return div(input, denom, out=out)
    return input / denom
