"""Variants of ops numtorch already has, under the names PyTorch gives them.

- ``numtorch.abs_(x)``, ``numtorch.clamp_(x, 0)`` ...: the in-place Tensor methods as
  functions of the namespace (``input.abs_()``).
- ``permute_copy``, ``select_copy``, ``split_copy`` ...: a view op whose result owns
  fresh, contiguous memory. Writing into it leaves the input alone; its gradient is the
  view's (``PermuteBackward0_copy`` is ``PermuteBackward0``'s formula).
- ``select_scatter``, ``slice_scatter``, ``diagonal_scatter``, ``as_strided_scatter``:
  the inverse of a view, out of place: a copy of ``input`` with ``src`` written where the
  view would read. Differentiable in both ``input`` and ``src``.
- ``split_with_sizes``, ``unsafe_split``, ``unsafe_chunk``, ``unsafe_split_with_sizes``,
  ``fill``, ``detach``, ``detach_copy``, ``is_same_size``, ``as_strided_``.
"""

from __future__ import annotations

import operator

from .. import _dtype as D
from .._input_check import type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from . import shape as S
from ._util import checked_scalar, xp_of
from .copy import FillScalar, FillTensor
from .creation import is_nonzero  # noqa: F401 - bound below as the Tensor method
from .index import _C_NAMES

# --- in-place functions of the namespace ----------------------------------------------
#
# PyTorch's namespace has the in-place form of many pointwise ops (``torch.exp_(x)``);
# each is the Tensor method. The list: the names ending in "_" that torch's namespace
# has and numtorch's Tensor has as a method.

_INPLACE = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_",
    "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "lcm_",
    "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_",
    "negative_", "rad2deg_", "reciprocal_", "resize_as_", "round_", "rsqrt_", "sigmoid_",
    "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)


def _namespace_inplace(name: str):
    """``numtorch.<name>(input, ...)``: the method ``input.<name>(...)``, looked up at call
    time (methods are bound to Tensor after this module is imported)."""

    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"In-place: ``numtorch.{name}(input, ...)`` is ``input.{name}(...)``; "
                  f"returns ``input``, modified.")
    return fn


for _name in _INPLACE:
    globals()[_name] = _namespace_inplace(_name)
del _name


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    """In-place: ``input = beta * input + alpha * (mat @ vec)``; returns ``input``."""
    # Spelled out: PyTorch's parser words a missing ``mat``/``vec`` as for an overloaded
    # function, but a bad ``input`` with them given as for a single signature.
    return input.addmv_(mat, vec, beta=beta, alpha=alpha)


# --- *_copy: a view's values in memory of their own ----------------------------------


def _copy_function(view, name: str):
    """The Function of ``view``'s copy op: ``view`` with a forward that returns fresh
    C-contiguous arrays instead of views; the backward is the view's, the node ``name``."""

    class Copy(view):
        node_name = name
        is_view = False

        @staticmethod
        def forward(ctx, x, *args):
            out = view.forward(ctx, x, *args)
            if type(out) is tuple:
                return tuple(o.copy() for o in out)
            return out.copy()

    Copy.__name__ = Copy.__qualname__ = f"{view.__name__}Copy"
    return Copy


class AliasCopy(ArrayFunction):
    node_name = "AliasBackward0_copy"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ViewCopy(S.View):
    """Unlike ``view``, any strides will do: the values are copied anyway."""

    node_name = "ViewBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.copy().reshape(shape)


SplitCopy = _copy_function(S.Split, "SplitBackward0_copy")
SplitWithSizesCopy = _copy_function(S.SplitWithSizes, "SplitWithSizesBackward0_copy")
UnbindCopy = _copy_function(S.Unbind, "UnbindBackward0_copy")

# The view Function a view op records -> the Function of its copy (named as PyTorch
# names the copy's node: the view's, with "_copy").
_COPY_OF = {view: _copy_function(view, name) for view, name in (
    (S.AsStrided, "AsStridedBackward0_copy"), (S.Expand, "ExpandBackward0_copy"),
    (S.Permute, "PermuteBackward0_copy"), (S.Select, "SelectBackward0_copy"),
    (S.Narrow, "SliceBackward0_copy"), (S.Squeeze, "SqueezeBackward0_copy"),
    (S.SqueezeDim, "SqueezeBackward1_copy"), (S.SqueezeDims, "SqueezeBackward2_copy"),
    (S.T, "TBackward0_copy"), (S.Transpose, "TransposeBackward0_copy"),
    (S.Unsqueeze, "UnsqueezeBackward0_copy"), (S.Unfold, "UnfoldBackward0_copy"),
)}
_COPY_OF[S.Diagonal] = S.DiagonalCopy


def _check_copy_out(name: str, out, dtype) -> None:
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type_name(out)}")
    if out.dtype is not dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {_C_NAMES[dtype.name]}, but got "
                           f"{_C_NAMES[out.dtype.name]} instead")
    if grad_mode.enabled and out._requires_grad:
        raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")


def _write(out, result):
    """Put ``result`` into ``out`` (resized to its shape), as PyTorch's out= kernels do."""
    if out._data.shape == result._data.shape:
        xp_of(out._data).copyto(out._data, result._data)
    else:
        out._data = result._data
    out._vc[0] += 1
    return out


def _copy_of(name: str, view_fn, input, *args, out=None):
    """``view_fn(input, *args)`` as a tensor of its own, recorded as the view's ``_copy``
    node. The view op runs first, without recording: it checks the arguments (PyTorch's
    errors) and notes which Function made the view, with which arguments."""
    with grad_mode.no_grad():
        view = view_fn(input, *args)
    _, view_cls, view_args = view._view_of
    if out is not None:
        _check_copy_out(name, out, input.dtype)
        with grad_mode.no_grad():
            return _write(out, _COPY_OF[view_cls].apply(input, *view_args))
    return _COPY_OF[view_cls].apply(input, *view_args)


def alias_copy(input, *, out=None):
    """A copy of ``input`` (the copy form of ``alias``, which is ``input`` itself)."""
    if out is not None:
        _check_copy_out("alias_copy", out, input.dtype)
        with grad_mode.no_grad():
            return _write(out, AliasCopy.apply(input))
    return AliasCopy.apply(input)


def as_strided_copy(input, size, stride, storage_offset=None, *, out=None):
    """``as_strided`` with memory of its own."""
    return _copy_of("as_strided_copy", S.as_strided, input, size, stride, storage_offset,
                    out=out)


def diagonal_copy(input, offset: int = 0, dim1: int = 0, dim2: int = 1, *, out=None):
    """``diagonal`` with memory of its own."""
    return _copy_of("diagonal_copy", S.diagonal, input, offset, dim1, dim2, out=out)


def expand_copy(input, size, *, implicit: bool = False, out=None):
    """``expand`` with memory of its own (every repeated element written out)."""
    return _copy_of("expand_copy", S.expand, input, size, out=out)


def permute_copy(input, dims, *, out=None):
    """``permute`` with memory of its own."""
    return _copy_of("permute_copy", S.permute, input, dims, out=out)


def select_copy(input, dim: int, index: int, *, out=None):
    """``select`` with memory of its own."""
    return _copy_of("select_copy", S.select, input, dim, index, out=out)


def _slice(input, dim: int = 0, start=None, end=None, step: int = 1):
    """``input[..., start:end:step]`` along ``dim`` (a view), with PyTorch's checks."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, nd)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    # With a positive step, Python's slice clamps start and end exactly as PyTorch does.
    return S.Narrow.apply(input, (slice(None),) * dim + (slice(start, end, step),))


def slice_copy(input, dim: int = 0, start=None, end=None, step: int = 1, *, out=None):
    """``input[..., start:end:step]`` along ``dim``, with memory of its own."""
    return _copy_of("slice_copy", _slice, input, dim, start, end, step, out=out)


def squeeze_copy(input, dim=None, *, out=None):
    """``squeeze`` with memory of its own."""
    return _copy_of("squeeze_copy", S.squeeze, input, dim, out=out)


def t_copy(input, *, out=None):
    """``t`` with memory of its own."""
    return _copy_of("t_copy", S.t, input, out=out)


def transpose_copy(input, dim0: int, dim1: int, *, out=None):
    """``transpose`` with memory of its own."""
    return _copy_of("transpose_copy", S.transpose, input, dim0, dim1, out=out)


def unsqueeze_copy(input, dim: int, *, out=None):
    """``unsqueeze`` with memory of its own."""
    return _copy_of("unsqueeze_copy", S.unsqueeze, input, dim, out=out)


def unfold_copy(input, dimension: int, size: int, step: int, *, out=None):
    """``unfold`` with memory of its own."""
    return _copy_of("unfold_copy", S.unfold, input, dimension, size, step, out=out)


def view_copy(input, size, *, out=None):
    """``view`` with memory of its own; ``size`` is a shape, or a dtype to reinterpret the
    bytes as (that result is not differentiable)."""
    if isinstance(size, D.dtype):
        if out is not None:
            _check_copy_out("view_copy", out, size)
        with grad_mode.no_grad():
            result = Tensor._make(S.view(input, size)._data.copy())
        return result if out is None else _write(out, result)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"view_copy() received an invalid combination of arguments - got "
                        f"(Tensor, {type(size).__name__}), but expected one of:\n"
                        " * (Tensor input, tuple of ints size, *, Tensor out)\n"
                        " * (Tensor input, torch.dtype dtype, *, Tensor out)")
    shape = S._infer_shape(S._ints((size,), "view_copy"), input._data.size)
    if out is None:
        return ViewCopy.apply(input, shape)
    _check_copy_out("view_copy", out, input.dtype)
    with grad_mode.no_grad():
        return _write(out, ViewCopy.apply(input, shape))


def _write_pieces(name: str, out, pieces):
    """Copy each piece into its ``out`` tensor (PyTorch's ``out=`` of the multi-output copies:
    no resizing, the pieces broadcast and cast into ``out``)."""
    if len(out) != len(pieces):
        raise RuntimeError(f"{name}() expected an out= argument of size {len(pieces)}, got "
                           f"size {len(out)}")
    for o in out:
        if grad_mode.enabled and o._requires_grad:
            raise RuntimeError(f"aten::{name.split('_Tensor')[0]}(): functions with out=... "
                               "arguments don't support automatic differentiation, but one of "
                               "the arguments requires grad.")
    with grad_mode.no_grad():
        for o, p in zip(out, pieces):
            o.copy_(p)


def split_copy(input, split_size: int, dim: int = 0, *, out=None):
    """``split`` into pieces of ``split_size``, each with memory of its own."""
    if not isinstance(split_size, int):
        raise TypeError(f"split_copy(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    with grad_mode.no_grad():
        views = S.split(input, split_size, dim)
    dim = _wrap_dim(dim, input._data.ndim)
    pieces = SplitCopy.apply(input, tuple(v._data.shape[dim] for v in views), dim)
    if out is not None:
        return _write_pieces("split_copy_Tensor_out", out, pieces)
    return pieces


def split_with_sizes_copy(input, split_sizes, dim: int = 0, *, out=None):
    """``split_with_sizes``, each piece with memory of its own."""
    _check_sizes("split_with_sizes_copy", split_sizes)
    with grad_mode.no_grad():
        S.split(input, list(split_sizes), dim)
    dim = _wrap_dim(dim, input._data.ndim)
    pieces = SplitWithSizesCopy.apply(input, tuple(split_sizes), dim)
    if out is not None:
        return _write_pieces("split_with_sizes_copy_out", out, pieces)
    return pieces


def unbind_copy(input, dim: int = 0, *, out=None):
    """``unbind``, each slice with memory of its own."""
    with grad_mode.no_grad():
        views = S.unbind(input, dim)
    pieces = UnbindCopy.apply(input, _wrap_dim(dim, input._data.ndim)) if views else ()
    if out is not None:
        return _write_pieces("unbind_copy_int_out", out, pieces)
    return pieces


def detach_copy(input, *, out=None):
    """A copy of ``input``, detached from the graph."""
    result = Tensor._make(input._data.copy())
    if out is None:
        return result
    _check_copy_out("detach_copy", out, input.dtype)
    return _write(out, result)


def detach(input):
    """``input.detach()``: the same memory, cut from the graph."""
    return input.detach()


# --- split variants ------------------------------------------------------------------


class UnsafeSplit(S.Split):
    """``unsafe_split``: the pieces share the input's memory but are not tracked as its
    views (no shared version counter): modifying one in place is not checked."""

    node_name = "UnsafeSplitBackward0"


class UnsafeSplitWithSizes(S.SplitWithSizes):
    node_name = "UnsafeSplitWithSizesBackward0"


def _check_sizes(name: str, split_sizes) -> None:
    if not isinstance(split_sizes, (tuple, list)):
        raise TypeError(f"{name}(): argument 'split_sizes' (position 2) must be tuple of ints, "
                        f"not {type(split_sizes).__name__}")


def split_with_sizes(input, split_sizes, dim: int = 0):
    """Views of consecutive pieces of the given sizes along ``dim``."""
    _check_sizes("split_with_sizes", split_sizes)
    return S.split(input, [operator.index(s) for s in split_sizes], dim)


def unsafe_split(input, split_size: int, dim: int = 0):
    """``split``, but the pieces are not tracked as views of ``input``."""
    with grad_mode.no_grad():
        views = S.split(input, split_size, dim)
    dim = _wrap_dim(dim, input._data.ndim)
    return UnsafeSplit.apply(input, tuple(v._data.shape[dim] for v in views), dim)


def unsafe_chunk(input, chunks: int, dim: int = 0):
    """``chunk``, but the pieces are not tracked as views of ``input``."""
    with grad_mode.no_grad():
        views = S.chunk(input, chunks, dim)
    dim = _wrap_dim(dim, input._data.ndim)
    # An empty dim is cut with explicit sizes (all 0) in PyTorch: its node says so.
    cls = UnsafeSplitWithSizes if input._data.shape[dim] == 0 else UnsafeSplit
    return cls.apply(input, tuple(v._data.shape[dim] for v in views), dim)


def unsafe_split_with_sizes(input, split_sizes, dim: int = 0):
    """``split_with_sizes``, but the pieces are not tracked as views of ``input``."""
    _check_sizes("unsafe_split_with_sizes", split_sizes)
    sizes = [operator.index(s) for s in split_sizes]
    with grad_mode.no_grad():
        S.split(input, sizes, dim)
    return UnsafeSplitWithSizes.apply(input, tuple(sizes), _wrap_dim(dim, input._data.ndim))


# --- scatters: a view's inverse, out of place ------------------------------------------
#
# ``x.select_scatter(src, dim, i)`` is ``x.clone()`` with ``src`` written into
# ``clone.select(dim, i)``. The gradient for ``input`` is the upstream gradient with the
# written part zeroed (the same scatter, of zeros); for ``src`` it is the view of the
# upstream gradient. Both are written with these ops, so they differentiate again.


def _check_src(src, slot_shape) -> None:
    if tuple(src.shape) != tuple(slot_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{S._fmt(src.shape)}, slice size = {S._fmt(slot_shape)}")


def _zeros_like(src):
    return Tensor._make(xp_of(src._data).zeros(src._data.shape, dtype=src._data.dtype))


class SliceScatter(ArrayFunction):
    """``select_scatter`` and ``slice_scatter``: ``idx`` is the basic index of the view."""

    node_name = "SliceScatterBackward0"

    @staticmethod
    def forward(ctx, x, src, idx):
        ctx.idx = idx
        out = x.copy()
        out[idx] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = type(ctx)._forward_cls.apply(grad, _zeros_like(S.Narrow.apply(grad, ctx.idx)),
                                              ctx.idx)
        if ctx.needs_input_grad[1]:
            gsrc = S.Narrow.apply(grad, ctx.idx)
        return gx, gsrc, None


class SelectScatter(SliceScatter):
    node_name = "SelectScatterBackward0"


def select_scatter(input, src, dim: int, index: int):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim``."""
    with grad_mode.no_grad():
        slot = S.select(input, dim, index)
    _check_src(src, slot.shape)
    return SelectScatter.apply(input, src, slot._view_of[2][0])


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    """A copy of ``input`` with ``src`` written into ``input[..., start:end:step]``."""
    with grad_mode.no_grad():
        slot = _slice(input, dim, start, end, step)
    _check_src(src, slot.shape)
    return SliceScatter.apply(input, src, slot._view_of[2][0])


class DiagonalScatter(ArrayFunction):
    node_name = "DiagonalScatterBackward0"

    @staticmethod
    def forward(ctx, x, src, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = x.copy()
        S._diagonal_view(out, offset, d1, d2)[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            zeros = _zeros_like(S.Diagonal.apply(grad, *ctx.args))
            gx = DiagonalScatter.apply(grad, zeros, *ctx.args)
        if ctx.needs_input_grad[1]:
            gsrc = S.Diagonal.apply(grad, *ctx.args)
        return gx, gsrc, None, None, None


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of ``input`` with ``src`` written along its diagonal (as ``diagonal`` reads)."""
    with grad_mode.no_grad():
        slot = S.diagonal(input, offset, dim1, dim2)
    _check_src(src, slot.shape)
    return DiagonalScatter.apply(input, src, *slot._view_of[2])


def _strided_slot(out, size, stride, offset):
    """The writable view of fresh, dense ``out``'s memory with ``size`` and ``stride``."""
    as_strided = xp_of(out).lib.stride_tricks.as_strided
    flat = as_strided(out, (out.size,), (out.itemsize,))  # memory order (strides >= 0)
    return as_strided(flat[offset:], size, tuple(s * out.itemsize for s in stride))


class AsStridedScatter(ArrayFunction):
    """``as_strided_scatter``: ``src`` written through ``as_strided`` of a clone of ``input``
    (the clone keeps a dense input's stride order, as ``clone`` does)."""

    node_name = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx, x, src, size, stride, offset):
        ctx.args = (size, stride, offset)
        out = x.copy(order="K" if S._is_dense(x) else "C")
        if out.size:
            _strided_slot(out, size, stride, offset)[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gsrc = None
        size, stride, offset = ctx.args
        if ctx.needs_input_grad[1]:
            gsrc = S.as_strided(S.contiguous(grad), size, stride, offset)
        if ctx.needs_input_grad[0]:
            zeros = Tensor._make(xp_of(grad._data).zeros(size, dtype=grad._data.dtype))
            gx = AsStridedScatter.apply(grad, zeros, *ctx.args)
        return gx, gsrc, None, None, None


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` with ``src`` written where ``as_strided(size, stride,
    storage_offset)`` of that copy reads. As in PyTorch, ``storage_offset`` counts from the
    start of ``input``'s storage (the copy starts at ``input.storage_offset()``)."""
    size, stride = tuple(size), tuple(stride)
    own = input.storage_offset()
    offset = 0 if storage_offset is None else storage_offset - own
    if offset < 0:  # PyTorch writes before the copy's memory (undefined); refused here
        raise RuntimeError(f"as_strided_scatter: storage offset {storage_offset} is before the "
                           f"input's own storage offset {own}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {S._fmt(stride)}")
    numel, itemsize = input._data.size, input._data.itemsize
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > numel:
        raise RuntimeError(f"setStorage: sizes {S._fmt(size)}, strides {S._fmt(stride)}, "
                           f"storage offset {offset}, and itemsize {itemsize} requiring a "
                           f"storage size of {need * itemsize} are out of bounds for storage of "
                           f"size {numel * itemsize}")
    _check_src(src, size)
    return AsStridedScatter.apply(input, src, size, stride, offset)


# --- fill and small queries ------------------------------------------------------------


class Fill(FillScalar):
    node_name = "FillBackward0"


class FillWith(FillTensor):
    node_name = "FillBackward1"


def fill(input, value):
    """A tensor like ``input`` filled with ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        return FillWith.apply(input, value)
    return Fill.apply(input, checked_scalar(value, input.dtype))


def is_same_size(input, other) -> bool:
    """Whether the two tensors have the same shape."""
    return input._data.shape == other._data.shape


class AsStridedInplace(S.AsStrided):
    node_name = "AsStridedBackward1"


def as_strided_(input, size, stride, storage_offset=None):
    """In place: make ``input`` the ``as_strided`` view of its own memory."""
    size, stride = tuple(size), tuple(stride)
    with grad_mode.no_grad():
        S.as_strided(input, size, stride, storage_offset)  # PyTorch's checks
    return S._restride(input, AsStridedInplace, size, stride, storage_offset)


__all__ = list(_INPLACE) + [
    "alias_copy", "as_strided_copy", "diagonal_copy", "expand_copy", "permute_copy",
    "select_copy", "slice_copy", "split_copy", "split_with_sizes_copy", "squeeze_copy",
    "t_copy", "transpose_copy", "unbind_copy", "unsqueeze_copy", "view_copy", "unfold_copy",
    "detach_copy", "detach", "split_with_sizes", "unsafe_split", "unsafe_chunk",
    "unsafe_split_with_sizes", "select_scatter", "slice_scatter", "diagonal_scatter",
    "as_strided_scatter", "fill", "is_same_size", "as_strided_",
]

TENSOR_METHODS = (
    "split_with_sizes", "unsafe_split", "unsafe_chunk", "unsafe_split_with_sizes",
    "select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter",
    "is_same_size", "as_strided_", "is_nonzero",
)
INPLACE_METHODS = ()
