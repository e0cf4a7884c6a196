"""Batch and instance normalisation: ``batch_norm`` (one fused kernel) and ``instance_norm``.

Batch norm normalises each channel ``c`` of an (N, C, *) input over the batch and all
spatial positions (``M = N * prod(spatial)`` values):

    training:  xhat = (x - mean_c) / sqrt(var_c + eps)     (biased variance)
    eval:      xhat = (x - running_mean_c) / sqrt(running_var_c + eps)
    out = xhat * weight_c + bias_c

In training the running statistics move towards the batch's, in place:
``running = (1 - momentum) * running + momentum * batch`` with the *unbiased* variance
``var_c * M / (M - 1)``. Backward in training is the closed form

    dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),   gh = g * weight_c

(in eval, ``dx = g * weight_c * rstd``), with ``dweight = sum(g * xhat)`` and
``dbias = sum(g)`` over (N, *). A plain backward runs it on arrays; under
``create_graph`` it runs as Tensor ops that recompute ``xhat`` from ``x``, so it can be
differentiated again. (The array kernels below rearrange these per channel so that the
forward and the backward are each a few passes over the data: see ``NativeBatchNorm``.)
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..backend import parallel
from ._util import xp_of

__all__ = ["batch_norm", "instance_norm"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)


def _cshape(ndim: int, c: int) -> tuple:
    return (1, c) + (1,) * (ndim - 2)


def _other_axes(ndim: int) -> tuple:
    return (0,) + tuple(range(2, ndim))


def _by_samples(xp, fn, x) -> None:
    """``fn(start, stop)`` over the samples of ``x`` (its first dim), split over numtorch's
    thread pool when ``x`` is large: the elementwise passes are independent per sample."""
    if xp is np and x.size >= parallel.MIN_SIZE and x.shape[0] > 1:
        parallel.split(fn, x.shape[0], key=("batch_norm", fn.__code__, x.size.bit_length()))
    else:
        fn(0, x.shape[0])


def _chan_dot(xp, a, b):
    """``sum(a * b)`` per channel of two (N, C, *) arrays, without the product's temporary."""
    n, c = a.shape[0], a.shape[1]
    shape = (n, c, a.size // (n * c) if n * c else 0)
    return xp.einsum("ijk,ijk->j", a.reshape(shape), b.reshape(shape))


class NativeBatchNorm(ArrayFunction):
    """``(x - mean) * rstd * weight + bias`` per channel; batch statistics when ``training``,
    else the running ones. ``running`` is ``(running_mean, running_var)`` (Tensors or None),
    updated in place in training.

    The output is computed as PyTorch's CPU kernel computes it, ``x * alpha + beta`` with
    per-channel ``alpha = rstd * weight`` and ``beta = bias - mean * alpha``: two passes over
    ``x``. Backward reads the centred input ``x - mean`` (kept from the variance in
    training; made only if the weight's gradient needs it in eval)."""

    node_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, running, training, momentum, eps):
        xp = xp_of(x)
        c = x.shape[1]
        cshape = _cshape(x.ndim, c)
        axes = _other_axes(x.ndim)
        calc = _F32 if x.dtype == _F16 else x.dtype
        xc = x.astype(calc, copy=False)
        rm, rv = running
        centred = None
        if training:
            m = x.size // c if c else 0
            mean = xc.mean(axis=axes, dtype=calc) if m else xp.zeros(c, dtype=calc)
            centred = xc - mean.reshape(cshape)
            var = (_chan_dot(xp, centred, centred) / calc.type(m) if m
                   else xp.zeros(c, dtype=calc))
            rstd = 1 / xp.sqrt(var + calc.type(eps))
            if rm is not None and m:  # an empty batch leaves the running stats as they are
                rm._data *= 1 - momentum
                rm._data += (momentum * mean).astype(rm._data.dtype, copy=False)
            if rv is not None and m:
                unbiased = var * (m / (m - 1)) if m > 1 else var * np.inf
                rv._data *= 1 - momentum
                rv._data += (momentum * unbiased).astype(rv._data.dtype, copy=False)
        else:
            mean = rm._data.astype(calc, copy=False)
            rstd = 1 / xp.sqrt(rv._data.astype(calc, copy=False) + calc.type(eps))
            if ctx.needs_input_grad[1]:
                centred = xc - mean.reshape(cshape)
        alpha = rstd * weight.astype(calc, copy=False) if weight is not None else rstd
        beta = -mean * alpha
        if bias is not None:
            beta += bias.astype(calc, copy=False)
        alpha, beta = alpha.reshape(cshape), beta.reshape(cshape)
        out = xp.empty(x.shape, dtype=calc)

        def affine(a, b):
            xp.multiply(xc[a:b], alpha, out=out[a:b])
            out[a:b] += beta

        _by_samples(xp, affine, out)
        ctx.training, ctx.eps = training, eps
        ctx.stats = (centred, rstd, mean)
        ctx.save_for_backward(x, weight)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        centred, rstd, mean = ctx.stats
        ndim, c = x.ndim, x.shape[1]
        cshape, axes = _cshape(ndim, c), _other_axes(ndim)
        need_x, need_w, need_b = (ctx.needs_input_grad[0], ctx.needs_input_grad[1],
                                  ctx.needs_input_grad[2])
        gx = gw = gb = None
        if not grad_mode.enabled:
            # Per channel, with c = x - mean, xhat = c * rstd and the two sums of g:
            #   dbias = sum(g), dweight = sum(g * xhat) = rstd * sum(g * c)
            #   dx = a * (g - mean(g) - xhat * mean(g * xhat)),  a = rstd * weight
            #      = g * a - c * (a * rstd^2 * sum(g * c) / M) - a * sum(g) / M
            # (in eval, dx = g * a): two reductions and four passes over g.
            g = grad._data
            xp = xp_of(g)
            gc = g.astype(rstd.dtype, copy=False)
            sum_g = gc.sum(axis=axes) if need_b or (need_x and ctx.training) else None
            sum_gc = _chan_dot(xp, gc, centred) if need_w or (need_x and ctx.training) \
                else None
            if need_x:
                a = rstd * weight._data.astype(rstd.dtype, copy=False) if weight is not None \
                    else rstd
                dx = xp.empty(gc.shape, dtype=gc.dtype)
                a4 = a.reshape(cshape)
                if ctx.training:
                    m = rstd.dtype.type(g.size // c if c else 1)
                    b4 = (a * rstd * rstd * sum_gc / m).reshape(cshape)
                    k4 = (a * sum_g / m).reshape(cshape)

                def grad_x(lo, hi):
                    d = dx[lo:hi]
                    xp.multiply(gc[lo:hi], a4, out=d)
                    if ctx.training:
                        d -= centred[lo:hi] * b4
                        d -= k4

                _by_samples(xp, grad_x, dx)
                gx = Tensor._make(dx.astype(g.dtype, copy=False))
            if need_w:
                gw = Tensor._make((rstd * sum_gc).astype(g.dtype))
            if need_b:
                gb = Tensor._make(sum_g.astype(g.dtype, copy=False))
            return gx, gw, gb, None, None, None, None
        # create_graph: the same formulas as Tensor ops, xhat recomputed from x.
        if ctx.training:
            mu = x.mean(list(axes), keepdim=True)
            xcen = x - mu
            r = ((xcen * xcen).mean(list(axes), keepdim=True) + ctx.eps).rsqrt()
        else:
            xp = xp_of(x._data)
            mu = Tensor._make(xp.asarray(mean.reshape(cshape), dtype=x._data.dtype))
            r = Tensor._make(xp.asarray(rstd.reshape(cshape), dtype=x._data.dtype))
            xcen = x - mu
        xh = xcen * r
        if need_x:
            gh = grad * weight.reshape(cshape) if weight is not None else grad
            if ctx.training:
                gx = (gh - gh.mean(list(axes), keepdim=True)
                      - xh * (gh * xh).mean(list(axes), keepdim=True)) * r
            else:
                gx = gh * r
        if need_w:
            gw = (grad * xh).sum(list(axes))
        if need_b:
            gb = grad.sum(list(axes))
        return gx, gw, gb, None, None, None, None


def _verify_batch_size(size) -> None:
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _check_momentum(fn, momentum) -> None:
    # Only the modules read None (as a cumulative average); the functions need a float.
    if momentum is None:
        raise TypeError(f"{fn}(): argument 'momentum' (position 7) must be float, not NoneType")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalisation of (N, C, *) input, per channel.

    In training uses the batch's statistics and updates ``running_mean`` /
    ``running_var`` (if given) in place with ``momentum``; otherwise uses them.
    """
    if training:
        _verify_batch_size(input.shape)
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps):
    if input.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of "
                         f"[-{max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 1)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{input.dtype._legacy}'")
    _check_momentum("batch_norm", momentum)
    out = NativeBatchNorm.apply(input, weight, bias, (running_mean, running_var), bool(training),
                                float(momentum), eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._vc[0] += 1
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial positions.

    Runs as batch norm over a (1, N * C, *) view; running statistics (if given) are
    updated with the mean over the batch of each sample's statistics.
    """
    _check_momentum("instance_norm", momentum)
    if use_input_stats:
        n = 1
        for s in input.shape[2:]:
            n *= s
        if n == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
    b, c = input.shape[0], input.shape[1]
    shape = (1, b * c) + tuple(input.shape[2:])
    rm = running_mean.repeat(b) if running_mean is not None else None
    rv = running_var.repeat(b) if running_var is not None else None
    w = weight.repeat(b) if weight is not None else None
    bb = bias.repeat(b) if bias is not None else None
    out = batch_norm(input.reshape(shape), rm, rv, w, bb, use_input_stats, momentum, eps)
    if use_input_stats:
        for src, dst in ((rm, running_mean), (rv, running_var)):
            if dst is not None:
                dst._data[...] = src._data.reshape(b, c).mean(axis=0).astype(
                    dst._data.dtype, copy=False)
                dst._vc[0] += 1
    return out.reshape(input.shape)


# The top-level forms (``torch.batch_norm``, ``torch.instance_norm``) take the arguments in
# ATen's order, with a trailing ``cudnn_enabled`` that numtorch ignores.


def _aten_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                     cudnn_enabled):
    """``numtorch.batch_norm``: ATen's argument order (no batch-size check)."""
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _aten_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                        momentum, eps, cudnn_enabled):
    """``numtorch.instance_norm``: ATen's argument order."""
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                         momentum, eps)
