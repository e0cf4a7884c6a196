"""Padding: ``pad(input, pad, mode, value)`` and the gradients of its four modes.

``pad`` lists (left, right) amounts from the LAST dimension backwards:
``(w_l, w_r, h_l, h_r, ...)``. A negative amount crops.

- ``constant``: fill with ``value``. Its gradient is the upstream gradient with the
  padding sliced off, which is again a constant pad with the amounts negated.
- ``reflect`` / ``replicate`` / ``circular``: every output position reads one input
  position, so the op is a gather with one index array per padded dim (``_pad_index``);
  its gradient scatter-adds the upstream gradient back through the same indices.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd.function import ArrayFunction
from ._util import checked_scalar, xp_of

__all__ = ["pad"]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

_NOT_SUPPORTED = (
    "Padding size {} is not supported for {}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")

# ---------------------------------------------------------------- constant

def _constant_pad_array(x, pads, value):
    """``x`` padded (or cropped, for negative amounts) per dim ``pads[d] = (left, right)``,
    the new border filled with ``value``."""
    xp = xp_of(x)
    nd = len(pads)
    lead = x.ndim - nd
    out_shape = list(x.shape)
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for k, (left, right) in enumerate(pads):
        d = lead + k
        size = x.shape[d]
        out_shape[d] = size + left + right
        src[d] = slice(max(-left, 0), size - max(-right, 0))
        dst[d] = slice(max(left, 0), out_shape[d] - max(right, 0))
    out = xp.zeros(out_shape, dtype=x.dtype) if value == 0 else \
        xp.full(out_shape, value, dtype=x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


class ConstantPadNd(ArrayFunction):
    """Constant padding; backward crops the gradient (a constant pad with negated amounts)."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        return _constant_pad_array(x, pads, value)

    @staticmethod
    def backward(ctx, grad):
        back = tuple((-left, -right) for left, right in ctx.pads)
        return ConstantPadNd.apply(grad, back, 0), None, None


# ---------------------------------------------- reflect / replicate / circular

def _pad_index(mode, size, left, right):
    """For one dim of ``size`` padded by ``(left, right)``: the input position each output
    position reads (an int64 NumPy array of length ``size + left + right``)."""
    k = np.arange(size + left + right, dtype=np.int64) - left  # position in input coordinates
    if mode == "reflect":
        k = np.where(k < 0, -k, k)
        return np.where(k >= size, 2 * (size - 1) - k, k)
    if mode == "replicate":
        return np.clip(k, 0, size - 1)
    # circular: wrap around within the part of the input that survives cropping
    start, stop = max(-left, 0), size - max(-right, 0)
    return start + (k + min(left, 0)) % (stop - start)


def _gather(x, indices):
    """``x`` indexed along its trailing dims by ``indices`` (one index array per dim)."""
    lead = x.ndim - len(indices)
    for k, idx in enumerate(indices):
        x = x.take(idx, axis=lead + k)
    return x


def _scatter_add(g, indices, in_shape):
    """The adjoint of ``_gather``: sum ``g`` back onto the positions its entries came from."""
    xp = xp_of(g)
    lead = g.ndim - len(indices)
    for k in reversed(range(len(indices))):
        d = lead + k
        idx = xp.asarray(indices[k])
        shape = list(g.shape)
        shape[d] = in_shape[d]
        out = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(xp.moveaxis(out, d, 0), idx, xp.moveaxis(g, d, 0))
        g = out
    return g


class _IndexPad(ArrayFunction):
    """Reflect / replicate / circular padding as a gather; backward scatter-adds."""

    @staticmethod
    def forward(ctx, x, indices, classes):
        ctx.indices, ctx.in_shape, ctx.classes = indices, x.shape, classes
        xp = xp_of(x)
        return _gather(x, [xp.asarray(i) for i in indices])

    @staticmethod
    def backward(ctx, grad):
        return ctx.classes[1].apply(grad, ctx.indices, ctx.in_shape, ctx.classes), None, None


class _IndexPadBackward(ArrayFunction):
    """The gradient of an index pad (linear in the upstream gradient: its own gradient is
    the gather again)."""

    @staticmethod
    def forward(ctx, grad, indices, in_shape, classes):
        ctx.indices, ctx.classes = indices, classes
        return _scatter_add(grad, indices, in_shape)

    @staticmethod
    def backward(ctx, gg):
        return ctx.classes[0].apply(gg, ctx.indices, ctx.classes), None, None, None


def _index_classes():
    """One forward/backward class pair per (mode, padded dims), named as PyTorch's grad_fns."""
    classes = {}
    for mode, stem in (("reflect", "ReflectionPad"), ("replicate", "ReplicationPad")):
        for nd in (1, 2, 3):
            fwd = type(f"{stem}{nd}D", (_IndexPad,), {"node_name": f"{stem}{nd}DBackward0"})
            bwd = type(f"{stem}{nd}DBackward", (_IndexPadBackward,),
                       {"node_name": f"{stem}{nd}DBackwardBackward0"})
            classes[mode, nd] = (fwd, bwd)
    # PyTorch builds circular padding from slice copies, so its grad_fns are those.
    fwd = type("CircularPad", (_IndexPad,), {"node_name": "CopySlices"})
    bwd = type("CircularPadBackward", (_IndexPadBackward,),
               {"node_name": "SliceBackwardBackward0"})
    for nd in (1, 2, 3):
        classes["circular", nd] = (fwd, bwd)
    return classes


_INDEX_CLASSES = _index_classes()


def _check_reflect_replicate(x, mode, pads):
    shape = list(x.shape)
    nd = len(pads)
    lead = x.ndim - nd
    if any(s == 0 for s in shape[1:]) or (x.ndim == nd + 1 and shape[0] == 0):
        raise RuntimeError(
            f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got: {shape}")
    if mode == "reflect":
        # PyTorch checks the last dim first, then H, then D ("Argument #4, #6, #8")
        for j in range(nd):
            d = x.ndim - 1 - j
            left, right = pads[nd - 1 - j]
            if left >= shape[d] or right >= shape[d]:
                raise RuntimeError(
                    f"Argument #{4 + 2 * j}: Padding size should be less than the "
                    "corresponding input dimension, but got: padding "
                    f"({left}, {right}) at dimension {d} of input {shape}")
    out = [s + left + right for s, (left, right) in zip(shape[lead:], pads)]
    if nd == 1:
        if out[0] < 1:
            raise RuntimeError(f"input (W: {shape[-1]}) is too small. "
                               f"Calculated output W: {out[0]}")
    elif any(o < 0 for o in out):
        if mode == "reflect" and nd == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        full = shape[:lead] + out
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(out)}: {full}")


def _check_circular(x, pads):
    lead = x.ndim - len(pads)
    for k, (left, right) in enumerate(pads):
        size = x.shape[lead + k]
        if left > size or right > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + left + right < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        kept = size - max(-left, 0) - max(-right, 0)
        if kept <= 0 < size + left + right:
            # PyTorch reads uninitialised memory here; there is nothing to wrap around.
            raise RuntimeError("Padding value causes wrapping around more than once.")


# ---------------------------------------------------------------- pad

def pad(input, pad, mode: str = "constant", value=None):
    """Pad (or crop, with negative amounts) the trailing dims of ``input``.

    Args:
        pad: ``(left, right)`` amounts from the last dim backwards, e.g.
            ``(w_l, w_r, h_l, h_r)`` pads the last two dims.
        mode: ``'constant'`` (any number of dims), ``'reflect'`` (mirror without repeating
            the edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around);
            the last three pad 1, 2 or 3 dims of a (C, ...) or (N, C, ...) input.
        value: the fill for ``'constant'`` (default 0).

    Example: ``pad(x, (1, 1), mode='reflect')`` turns ``[0, 1, 2]`` into ``[1, 0, 1, 2, 1]``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, "
                        f"not {type_name(input)}")
    if not isinstance(pad, (list, tuple)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, "
                        f"not {type_name(pad)}")
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type_name(p)} at pos {i}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    ndim = input.ndim
    if len(pad) // 2 > ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {ndim}")
    nd = len(pad) // 2
    # (left, right) per padded dim, outermost padded dim first
    pads = tuple((int(pad[2 * j]), int(pad[2 * j + 1])) for j in reversed(range(nd)))
    x = input._data
    if mode == "constant":
        fill = checked_scalar(0 if value is None else value, input.dtype, strict_unsigned=True)
        for k, (left, right) in enumerate(pads):
            if x.shape[ndim - nd + k] + left + right < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, pads, fill)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if nd not in (1, 2, 3) or ndim not in (nd + 1, nd + 2):
        raise NotImplementedError(_NOT_SUPPORTED.format(len(pad), ndim))
    if mode == "circular":
        _check_circular(x, pads)
    else:
        _check_reflect_replicate(x, mode, pads)
        if input.dtype == D.bool:
            name = "reflection" if mode == "reflect" else "replication"
            raise NotImplementedError(f"\"{name}_pad{nd}d\" not implemented for 'Bool'")
    lead = ndim - nd
    indices = tuple(_pad_index(mode, x.shape[lead + k], left, right)
                    for k, (left, right) in enumerate(pads))
    classes = _INDEX_CLASSES[mode, nd]  # (forward, backward) Functions
    return classes[0].apply(input, indices, classes)
