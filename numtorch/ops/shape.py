"""Shape ops: view, reshape, transpose, expand, cat, stack, split, flip, diagonal ...

Most shape ops change only how memory is read, not the values. Those that PyTorch
makes views are views here too: their Function sets ``is_view = True`` and its
forward returns a NumPy view of input 0, so the result shares memory, version
counter and base with the input (an in-place change through either shows in
both). Ops that return several views (``split``, ``unbind`` ...) link them in
``_as_views``. Ops that copy in PyTorch (``flip``, ``roll``, ``cat`` ...) copy.

Backward formulas are written with these same ops (the backward of a view
that selects part of its input scatters the gradient into zeros with a small
Function whose own backward is the view again), so gradients of gradients work.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._input_check import type_name
from .._tensor import Size, Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ._util import check_out, write_out, xp_of

__all__ = [
    "reshape", "flatten", "unflatten", "ravel", "squeeze", "unsqueeze", "permute", "transpose",
    "swapaxes", "swapdims", "movedim", "moveaxis", "t", "adjoint", "broadcast_to",
    "broadcast_tensors", "broadcast_shapes", "repeat_interleave", "tile", "clone", "cat",
    "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "row_stack",
    "split", "tensor_split", "hsplit", "vsplit", "dsplit", "chunk", "unbind", "narrow",
    "narrow_copy", "flip", "fliplr", "flipud", "roll", "rot90", "diag", "diagonal", "diag_embed",
    "diagflat", "tril", "triu", "meshgrid", "select", "atleast_1d", "atleast_2d", "atleast_3d",
    "as_strided", "memory_format", "contiguous_format", "preserve_format", "channels_last",
    "channels_last_3d", "block_diag", "cartesian_prod", "combinations",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py).
TENSOR_METHODS = (
    "reshape", "view", "view_as", "reshape_as", "flatten", "unflatten", "ravel", "squeeze",
    "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "movedim", "moveaxis", "t",
    "adjoint", "expand", "expand_as", "broadcast_to", "repeat", "repeat_interleave", "tile",
    "contiguous", "clone", "split", "tensor_split", "hsplit", "vsplit", "dsplit", "chunk",
    "unbind", "narrow", "narrow_copy", "flip", "fliplr", "flipud", "roll", "rot90", "diag",
    "diagonal", "diag_embed", "diagflat", "tril", "triu", "select", "as_strided", "unfold",
    # In-place ops that change shape/strides rather than values (not "compute, then write").
    "t_", "transpose_", "swapaxes_", "swapdims_", "squeeze_", "unsqueeze_", "resize_",
    "resize_as_",
)
INPLACE_METHODS = ("tril", "triu")


class memory_format:
    """How a tensor's elements are laid out: ``numtorch.contiguous_format``, ``channels_last``..."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"numtorch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


# --- helpers ------------------------------------------------------------------


def _ints(size, name: str = "view", arg: str = "size", position: int | None = 1) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all give the tuple ``(2, 3)``.

    A non-integer gets PyTorch's argument-parser error for ``name``'s argument ``arg``
    (at ``position``, or None where it was passed by keyword).
    """
    lone = len(size) == 1 and not isinstance(size[0], (tuple, list))
    sequence = None  # the one list or tuple the sizes came in, if they did
    if len(size) == 1 and not lone:
        size = sequence = size[0]
    out = []
    for i, s in enumerate(size):
        try:
            out.append(operator.index(s))
        except TypeError:
            where = "" if position is None else f" (position {position})"
            if lone:  # one value where the whole list belongs
                raise TypeError(f"{name}(): argument '{arg}'{where} must be tuple of ints, not "
                                f"{type_name(s)}") from None
            if sequence is not None and i == 0:  # the parser rejects the list as a whole
                if position is None:
                    raise TypeError(f"{name}(): argument '{arg}' must be tuple of ints, not "
                                    f"{type_name(sequence)}") from None
                raise TypeError(f"{name}(): argument '{arg}'{where} must be tuple of ints, but "
                                f"found element of type {type_name(s)} at pos 0") from None
            raise TypeError(f"{name}(): argument '{arg}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(s)}\"") from None
    return tuple(out)


def _fmt(shape) -> str:
    return f"[{', '.join(map(str, shape))}]"


def _infer_shape(shape, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` against ``numel``, with PyTorch's errors."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
        else:
            known *= s
    if infer is None:
        if known != numel:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        return shape
    if known == 0:
        if numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_fmt(shape)} "
                               "because the unspecified dimension size -1 can be any value and "
                               "is ambiguous")
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    if numel % known:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return shape[:infer] + (numel // known,) + shape[infer + 1:]


def _dim0_error():
    return IndexError("Dimension specified as 0 but tensor has no dimensions")


def _as_views(input, outs):
    """Mark the outputs of a multi-output view op (``split``, ``unbind``) as views of ``input``.

    They share its version counter and base; like PyTorch, they cannot be modified in place
    when autograd tracks them (``_rebase_view`` raises, as they carry no ``_view_of``).
    """
    base = input._base if input._base is not None else input
    vc = input._vc
    for o in outs:
        o._vc = vc
        o._base = base
    return outs


def _promoted(tensors) -> D.dtype:
    dt = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype is not dt:
            dt = D.promote_types(dt, t.dtype)
    return dt


def _check_tensors(tensors, name: str) -> None:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")


# --- view and reshape ---------------------------------------------------------


def _view_array(x, shape):
    """``x`` seen with ``shape`` without copying, or None where its strides forbid it."""
    try:
        return x.reshape(shape, copy=False)
    except ValueError:
        return None
    except TypeError:  # an array library whose reshape has no ``copy``: setting shape never copies
        out = x.view()
        try:
            out.shape = shape
        except AttributeError:
            return None
        return out


class View(ArrayFunction):
    node_name = "ViewBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        out = _view_array(x, shape)
        if out is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class UnsafeView(ArrayFunction):
    """A reshape that had to copy (the input's strides did not allow a view)."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


def view(input, *shape):
    """The same memory seen with another shape (error where the strides forbid it).

    ``x.view(dtype)`` instead reinterprets the bytes as another dtype.
    """
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(input, shape[0])
    _check_view_overloads(shape)
    return View.apply(input, _infer_shape(_ints(shape), input._data.size))


def _check_view_overloads(args) -> None:
    """PyTorch's error when ``view``'s arguments fit neither of its two forms, (dtype) and
    (tuple of ints): a single argument that is no int, dtype or sequence starting with an
    int (a float, a range, a list starting with a float ...), or several whose first is no
    int. A bad element after the first is left to the size parser's own message."""
    def is_int(x):
        return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))

    def described(x):
        name = type(x).__name__
        if isinstance(x, (list, tuple)) and not isinstance(x, Size):
            inner = ", ".join(type(e).__name__ for e in x)
            return f"list of [{inner}]" if isinstance(x, list) else f"tuple of ({inner})"
        return name

    head = ("view() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in args)}), but expected one of:\n")
    if len(args) == 1:
        x = args[0]
        # a sequence fails here by its first element; a later bad one is the size
        # parser's to report
        ok = is_int(x) or (isinstance(x, Tensor) and x.ndim == 0) or (
            isinstance(x, (list, tuple)) and (not x or is_int(x[0]) or isinstance(x[0], Tensor)))
        if not ok:
            why = ("      didn't match because some of the arguments have invalid types: "
                   f"(!{described(x)}!)\n")
            raise TypeError(f"{head} * (numtorch.dtype dtype)\n{why} * (tuple of ints size)\n"
                            f"{why}")
    elif args and not (is_int(args[0]) or isinstance(args[0], Tensor)):
        raise TypeError(f"{head} * (numtorch.dtype dtype)\n * (tuple of ints size)\n")


def _view_dtype(input, dt):
    """The same bytes read as ``dt``; not differentiable, shares the version counter."""
    arr = input._data
    if dt.itemsize != arr.itemsize:
        what = f"to view {input.dtype._legacy} as {dt._legacy} (different element sizes)"
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if arr.shape[-1] != 1 and arr.strides[-1] != arr.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{arr.strides[-1] // arr.itemsize}")
        if dt.itemsize > arr.itemsize:
            ratio = dt.itemsize // arr.itemsize
            if arr.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                                   f"{arr.shape[-1]}")
            if input.storage_offset() % ratio:
                raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, "
                                   f"but got {input.storage_offset()}")
    out = Tensor._make(arr.view(dt.np))
    out._vc = input._vc
    return out


def view_as(input, other):
    return view(input, other.shape)


def reshape(input, *shape_args, shape=None):
    """Like ``view`` where the strides allow it (no copy), else a copy."""
    shape = _infer_shape(_ints(shape_args if shape is None else (shape,), "reshape", "shape",
                               1 if shape is None else None),
                         input._data.size)
    try:
        return View.apply(input, shape)
    except RuntimeError:  # the strides do not allow a view (View's only error)
        return UnsafeView.apply(input, shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dims ``start_dim..end_dim`` into one (a view where possible)."""
    nd = input._data.ndim
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if nd == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input, dim: int, sizes):
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    shape = input._data.shape
    dim = _wrap_dim(dim, input._data.ndim)
    if not shape:
        raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 but "
                           "tensor has no dimensions")
    sizes = _ints((sizes,), "unflatten", "sizes", 2)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, shape[dim])
    except RuntimeError as e:  # a size mismatch is reworded; anything else is passed on
        if str(e).startswith("shape '["):
            raise RuntimeError(f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({shape[dim]}) in the input tensor") \
                from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return View.apply(input, shape[:dim] + sizes + shape[dim + 1:])


def ravel(input):
    """The elements as a 1-D tensor: a view if contiguous, else a contiguous copy's view."""
    return View.apply(contiguous(input), (input._data.size,))


# --- squeeze / unsqueeze --------------------------------------------------------


class Squeeze(ArrayFunction):
    """``squeeze()``: drop every size-1 dim."""

    node_name = "SqueezeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape = x.shape
        return x.squeeze(axis=dims) if dims else x.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


def _squeeze_args(input, dim):
    """(Function class, dims to drop) for ``squeeze(input, dim)``."""
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        return Squeeze, tuple(i for i, s in enumerate(shape) if s == 1)
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, nd) for d in dim)
        if len(set(dims)) != len(dims):
            dup = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        cls = SqueezeDims
    else:
        dims = (_wrap_dim(dim, nd),)
        cls = SqueezeDim
    if nd == 0:
        return cls, ()
    return cls, tuple(sorted(d for d in dims if shape[d] == 1))


def squeeze(input, dim=None):
    """Remove size-1 dims: all of them, or those in ``dim`` (an int or a tuple)."""
    cls, dims = _squeeze_args(input, dim)
    return cls.apply(input, dims)


class Unsqueeze(ArrayFunction):
    node_name = "UnsqueezeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        # Inserting a size-1 dim never needs a copy; reshape is far cheaper than expand_dims.
        out = x.reshape(x.shape[:dim] + (1,) + x.shape[dim:])
        # PyTorch gives the new dim the stride ``size * stride`` of the dim it lands before,
        # or 1 at the end; NumPy's reshape may pick another for a non-contiguous input.
        # (NumPy may also re-stride the input's own size-1 dims.)
        want = x.strides[dim] * x.shape[dim] if dim < x.ndim else x.itemsize
        strides = x.strides[:dim] + (want,) + x.strides[dim:]
        if x.size and out.strides != strides:
            out = xp_of(x).lib.stride_tricks.as_strided(x, out.shape, strides)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim), None


def unsqueeze(input, dim: int):
    """Insert a size-1 dim at ``dim``."""
    return Unsqueeze.apply(input, _wrap_dim(dim, input._data.ndim + 1))


# --- permute / transpose --------------------------------------------------------


class Permute(ArrayFunction):
    node_name = "PermuteBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return Permute.apply(grad, tuple(inverse)), None


class Transpose(ArrayFunction):
    node_name = "TransposeBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return x.swapaxes(d0, d1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx, grad):
        return Transpose.apply(grad, ctx.d0, ctx.d1), None, None


class T(ArrayFunction):
    node_name = "TBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.T

    @staticmethod
    def backward(ctx, grad):
        return T.apply(grad)


def permute(input, *dims_args, dims=None):
    """Reorder the dims: ``x.permute(2, 0, 1)`` (a view)."""
    dims = _ints(dims_args if dims is None else (dims,), "permute", "dims",
                 1 if dims is None else None)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0: int, dim1: int):
    """Swap two dims (a view)."""
    nd = input._data.ndim
    return Transpose.apply(input, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dims (0-D and 1-D come back as views of themselves)."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return T.apply(input)


def adjoint(input):
    """The conjugate transpose of the last two dims (numtorch is real: their transpose)."""
    nd = input._data.ndim
    if nd == 0:
        _warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                       UserWarning)
        return input
    if nd == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return Transpose.apply(input, nd - 2, nd - 1)


def _seq(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    nd = input._data.ndim
    src, dst = _seq(source), _seq(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(_wrap_dim(d, nd) for d in src)
    dst = tuple(_wrap_dim(d, nd) for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(_seq(source))})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(_seq(destination))})")
    rest = iter(d for d in range(nd) if d not in src)
    placed = dict(zip(dst, src))
    perm = tuple(placed[i] if i in placed else next(rest) for i in range(nd))
    return Permute.apply(input, perm)


moveaxis = movedim


# Properties of Tensor (bound in numtorch/_tensor.py).

def _T(self):
    nd = self._data.ndim
    if nd == 0:
        _warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                       "these cases.", UserWarning)
    elif nd != 2:
        _warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                       "shape is deprecated and it will throw an error in a future release. "
                       "Consider `x.mT` to transpose batches of matrices or `x.permute(*numtorch"
                       ".arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                       UserWarning)
    return Permute.apply(self, tuple(range(nd - 1, -1, -1)))


def _mT(self, name: str = "mT"):
    nd = self._data.ndim
    if nd == 0:  # PyTorch: deprecated, but the identity
        _warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. "
                       + ("This function is the identity in these cases." if name == "mT"
                          else "Consider using x.conj()."), UserWarning)
        return self
    if nd < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of matrices. "
                           f"Got {nd}-D tensor.")
    return Transpose.apply(self, nd - 2, nd - 1)


def _mH(self):
    return _mT(self, "mH")


def _H(self):
    nd = self._data.ndim
    if nd == 0:
        _warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                       UserWarning)
        return self
    if nd != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           "tensor.")
    return Transpose.apply(self, 0, 1)


# --- expand and broadcasting ----------------------------------------------------


class Expand(ArrayFunction):
    node_name = "ExpandBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        return broadcast_view(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # the engine sums the broadcast dims away


def broadcast_view(x, shape):
    """``x`` seen with the (broadcast-compatible) ``shape``, without copying."""
    if x.size == 0 or _prod(shape) == x.size:  # no element repeated: a plain (writable) view
        return x.reshape(shape)
    # Read-only, as writing would hit elements shared by several positions.
    if type(x) is not np.ndarray:
        return xp_of(x).broadcast_to(x, shape)
    # The same view as broadcast_to, built directly (several times cheaper): stride 0
    # on every new or broadcast dim; a size-1 dim that stays size 1 keeps its stride.
    lead = len(shape) - x.ndim
    strides = (0,) * lead + tuple(0 if n == 1 != m else st
                                  for n, m, st in zip(x.shape, shape[lead:], x.strides))
    if not x.flags.c_contiguous:
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    out = np.ndarray(shape, x.dtype, buffer=x, strides=strides)
    out.flags.writeable = False
    return out


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def expand(input, *sizes):
    """A broadcast view: size-1 dims repeated without copying (-1 keeps a dim's size)."""
    sizes = _ints(sizes, "expand", "size")
    shape = input._data.shape
    nd = len(shape)
    if len(sizes) < nd:
        raise RuntimeError(f"expand(numtorch.{input.dtype._legacy}Tensor{{{_fmt(shape)}}}, "
                           f"size={_fmt(sizes)}): the number of sizes provided ({len(sizes)}) "
                           "must be greater or equal to the number of dimensions in the tensor "
                           f"({nd})")
    lead = len(sizes) - nd
    out = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            continue
        cur = shape[i - lead]
        if s == -1:
            out[i] = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{_fmt(sizes)}.  Tensor sizes: {_fmt(shape)}")
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{_fmt(sizes)}")
    return Expand.apply(input, tuple(out))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (ints count as 1-D shapes)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes if s is not None]
    if not shapes:
        return Size(())
    common = [1] * max(len(s) for s in shapes)
    for k, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            s, c = shape[i], common[i]
            if s == c:
                continue
            if c == 1:
                if s < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[i] = s
            elif s != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s} at {i}! "
                                   f"Mismatching argument at index {k} had {shape}; but expected "
                                   f"shape should be broadcastable to {common}")
    return Size(common)


def broadcast_tensors(*tensors):
    """Expand every tensor to their common shape (a tensor already that shape comes back as is)."""
    shape = ()
    for t in tensors:
        s = t._data.shape
        if s == shape:
            continue
        n = max(len(s), len(shape))
        a, b = (1,) * (n - len(shape)) + shape, (1,) * (n - len(s)) + s
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor "
                                   f"b ({b[i]}) at non-singleton dimension {i}")
        shape = tuple(y if x == 1 else x for x, y in zip(a, b))
    return tuple(t if t._data.shape == shape else Expand.apply(t, shape) for t in tensors)


# --- repeat -------------------------------------------------------------------


class Repeat(ArrayFunction):
    node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.repeats = repeats
        ctx.shape = (1,) * (len(repeats) - x.ndim) + x.shape
        return xp_of(x).tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.repeats:
            return grad, None
        # Output dim i is (repeats[i] copies) x (input size i): split it and sum the copies.
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        g = grad.reshape(tuple(split)).sum(dim=tuple(range(0, len(split), 2)))
        return g, None


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim i (always a copy)."""
    sizes = _ints(sizes, "repeat", "repeats")
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(sizes) - len(shape)) + shape
    if any(r < 0 for r in sizes):
        raise RuntimeError("Trying to create tensor with negative dimension "
                           f"{min(r * s for r, s in zip(sizes, padded))}: "
                           f"{_fmt(r * s for r, s in zip(sizes, padded))}")
    return Repeat.apply(input, sizes)


def tile(input, *dims_args, dims=None):
    """``repeat`` where ``dims`` may be shorter than the tensor's dims (padded with 1s)."""
    dims = _ints(dims_args if dims is None else (dims,), "tile", "dims",
                 1 if dims is None else None)
    nd = input._data.ndim
    return repeat(input, (1,) * (nd - len(dims)) + dims)


class RepeatInterleave(ArrayFunction):
    """Element i along ``dim`` repeated ``repeats[i]`` times (PyTorch does it by index_select)."""

    node_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, x, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        return xp_of(x).repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return SegmentSum.apply(grad, ctx.repeats, ctx.dim), None, None


class SegmentSum(ArrayFunction):
    """The backward of ``RepeatInterleave``: sum each run of repeated elements."""

    node_name = "IndexSelectBackwardBackward0"

    @staticmethod
    def forward(ctx, g, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        xp = xp_of(g)
        shape = list(g.shape)
        shape[dim] = len(repeats)
        out = xp.zeros(shape, dtype=g.dtype)
        nonzero = repeats > 0
        if nonzero.any():
            starts = (xp.cumsum(repeats) - repeats)[nonzero]
            lead = (slice(None),) * dim
            out[lead + (xp.nonzero(nonzero)[0],)] = xp.add.reduceat(g, starts, axis=dim)
        return out

    @staticmethod
    def backward(ctx, gg):
        return RepeatInterleave.apply(gg, ctx.repeats, ctx.dim), None, None


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int, or a tensor with one count per element).

    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated by ``counts``.
    """
    if repeats is None:  # the one-argument form: ``input`` holds the counts
        counts = input._data
        xp = xp_of(counts)
        return Tensor._make(xp.repeat(xp.arange(counts.shape[0]), counts))
    if dim is None:
        input = flatten(input)
        dim = 0
    shape = input._data.shape
    dim = _wrap_dim(dim, len(shape))
    n = shape[dim] if shape else 1
    if isinstance(repeats, Tensor):
        counts = repeats._data
        if counts.dtype.kind not in "iu":
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{repeats.dtype._legacy}'")
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if counts.size == 1:
            counts = xp_of(counts).full(n, counts.reshape(()), dtype=np.int64)
        elif counts.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.shape[0]} and input.size({dim}) = {n}")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        total = int(counts.sum())
    else:
        r = operator.index(repeats)
        if r < 0:
            raise RuntimeError("Repeats must be non-negative")
        total = n * r
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got "
                           f"{output_size}")
    if isinstance(repeats, Tensor):
        return RepeatInterleave.apply(input, counts, dim)
    # PyTorch's own route for an int: a broadcast view, copied, then flattened.
    big = shape[:dim + 1] + (r,) + shape[dim + 1:]
    return flatten(clone(expand(unsqueeze(input, dim + 1), big)), dim, dim + 1)


# --- contiguous / clone ---------------------------------------------------------


def _is_dense(arr) -> bool:
    """Its elements fill a block of memory with no gaps (some permutation of contiguous)."""
    flags = arr.flags
    if flags.c_contiguous or flags.f_contiguous:
        return True
    expected = arr.itemsize
    for stride, n in sorted((abs(st), n) for st, n in zip(arr.strides, arr.shape) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


class Clone(ArrayFunction):
    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x, fmt):
        if fmt is channels_last or fmt is channels_last_3d:
            last = (0,) + tuple(range(2, x.ndim)) + (1,)
            back = (0, x.ndim - 1) + tuple(range(1, x.ndim - 1))
            return x.transpose(last).copy().transpose(back)
        # preserve_format keeps a dense tensor's strides (a transposed tensor stays transposed).
        return x.copy(order="K" if fmt is preserve_format and _is_dense(x) else "C")

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _check_format(fmt, ndim: int) -> None:
    if fmt is channels_last and ndim != 4:
        raise RuntimeError("required rank 4 tensor to use channels_last format")
    if fmt is channels_last_3d and ndim != 5:
        raise RuntimeError("required rank 5 tensor to use channels_last_3d format")


def clone(input, *, memory_format=preserve_format):
    """A copy with its own memory (strides kept for a dense input, as PyTorch does)."""
    if memory_format is None:
        memory_format = preserve_format
    _check_format(memory_format, input._data.ndim)
    return Clone.apply(input, memory_format)


def contiguous(input, memory_format=contiguous_format):
    """``input`` itself if already laid out as ``memory_format``, else a copy that is."""
    arr = input._data
    if memory_format is channels_last or memory_format is channels_last_3d:
        _check_format(memory_format, arr.ndim)
        if arr.transpose((0,) + tuple(range(2, arr.ndim)) + (1,)).flags.c_contiguous:
            return input
        return Clone.apply(input, memory_format)
    if arr.flags.c_contiguous:
        return input
    return Clone.apply(input, contiguous_format)


# --- cat / stack ----------------------------------------------------------------


def _skipped(shape) -> bool:
    """PyTorch's legacy rule: cat ignores 1-D empty tensors whatever their neighbours' shape."""
    return len(shape) == 1 and shape[0] == 0


class Cat(ArrayFunction):
    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, np_dtype, skip, *xs):
        ctx.dim = dim
        ctx.sizes = [None if s else x.shape[dim] for x, s in zip(xs, skip)] if skip else \
            [x.shape[dim] for x in xs]
        parts = [x for x, s in zip(xs, skip) if not s] if skip else xs
        xp = xp_of(*xs)
        # NumPy lays the result out Fortran-order for all-transposed inputs; PyTorch's is
        # row-major.
        return xp.ascontiguousarray(xp.concatenate(parts, axis=dim, dtype=np_dtype,
                                                   casting="unsafe"))

    @staticmethod
    def backward(ctx, grad):
        grads, start = [None, None, None], 0
        for size in ctx.sizes:
            if size is None:
                grads.append(Tensor._make(grad._xp().zeros((0,), dtype=grad._data.dtype)))
            else:
                grads.append(Narrow.apply(grad, _slice_at(ctx.dim, start, start + size)))
                start += size
        return tuple(grads)


def _slice_at(dim: int, start: int, stop: int) -> tuple:
    return (slice(None),) * dim + (slice(start, stop),)


def cat(tensors, dim: int = 0, *, out=None):
    """Join tensors along an existing dim ``dim``, promoting their dtypes."""
    _check_tensors(tensors, "cat")
    if len(tensors) == 0:
        raise ValueError("numtorch.cat(): expected a non-empty list of Tensors")
    shapes = [t._data.shape for t in tensors]
    skip = [_skipped(s) for s in shapes]
    ref = next((s for s, k in zip(shapes, skip) if not k), None)
    if ref is None:  # only skipped tensors: the result is empty too
        skip, dim = None, 0
    else:
        for i, s in enumerate(shapes):
            if not s:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                                   "concatenated")
        dim = _wrap_dim(dim, len(ref))
        for i, s in enumerate(shapes):
            if s == ref or skip[i]:
                continue
            if len(s) != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                                   f"and {len(s)}")
            for d in range(len(ref)):
                if d != dim and s[d] != ref[d]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                       f"Expected size {ref[d]} but got size {s[d]} for tensor "
                                       f"number {i} in the list.")
        if not any(skip):
            skip = None
    dt = _promoted(tensors)
    if out is not None:
        check_out(out, "cat", *tensors)
        return write_out(out, Cat.apply(dim, dt.np, skip, *tensors))
    return Cat.apply(dim, dt.np, skip, *tensors)


concat = cat


def concatenate(tensors, axis: int = 0, out=None):
    return cat(tensors, axis, out=out)


class Stack(ArrayFunction):
    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, np_dtype, *xs):
        ctx.dim = dim
        xp = xp_of(*xs)
        return xp.ascontiguousarray(xp.stack(xs, axis=dim, dtype=np_dtype, casting="unsafe"))

    @staticmethod
    def backward(ctx, grad):
        return (None, None) + unbind(grad, ctx.dim)


def stack(tensors, dim: int = 0, *, out=None):
    """Join equal-shaped tensors along a new dim ``dim``."""
    _check_tensors(tensors, "stack")
    if len(tensors) == 0:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    dim = _wrap_dim(dim, len(ref) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{_fmt(ref)} at entry 0 and {_fmt(t._data.shape)} at entry {i}")
    dt = _promoted(tensors)
    if out is not None:
        check_out(out, "stack", *tensors)
        return write_out(out, Stack.apply(dim, dt.np, *tensors))
    return Stack.apply(dim, dt.np, *tensors)


def _nonempty(tensors, name: str):
    _check_tensors(tensors, name)
    if len(tensors) == 0:
        raise RuntimeError(f"{name} expects a non-empty TensorList")


def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 for 1-D tensors)."""
    _nonempty(tensors, "hstack")
    ts = atleast_1d(tuple(tensors))
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate along dim 0, after making each tensor at least 2-D."""
    _nonempty(tensors, "vstack")
    return cat(atleast_2d(tuple(tensors)), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dim 2, after making each tensor at least 3-D."""
    _nonempty(tensors, "dstack")
    return cat(atleast_3d(tuple(tensors)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0-D/1-D tensors as columns (and concatenate 2-D ones) along dim 1."""
    _nonempty(tensors, "column_stack")
    ts = [t.reshape(t.numel(), 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(ts, 1, out=out)


# --- split / unbind / narrow / select -------------------------------------------


class Narrow(ArrayFunction):
    """A view of part of the input through a tuple of slices (``narrow``, ``tensor_split``)."""

    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x.shape, idx
        return x[idx]

    @staticmethod
    def backward(ctx, grad):
        return SliceScatter.apply(grad, ctx.shape, ctx.idx, ctx._forward_cls), None


class Select(Narrow):
    """A view of one index along a dim (the index tuple holds an int and an Ellipsis)."""

    node_name = "SelectBackward0"


class SliceScatter(ArrayFunction):
    """Backward of a slicing view: the gradient placed into zeros of the input's shape."""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, idx, view_cls):
        ctx.idx, ctx.view_cls = idx, view_cls
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        out[idx] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return ctx.view_cls.apply(gg, ctx.idx), None, None, None


class Split(ArrayFunction):
    """``split(int)`` and ``chunk``: consecutive views along ``dim``."""

    node_name = "SplitBackward0"

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        out, start = [], 0
        for s in sizes:
            out.append(x[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim), None, None


class SplitWithSizes(Split):
    node_name = "SplitWithSizesBackward0"


def _dim_of(input, dim: int, name: str) -> int:
    if input._data.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")
    return _wrap_dim(dim, input._data.ndim)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Views of consecutive pieces along ``dim``: of size ``split_size`` (the last may be
    smaller), or of the given list of sizes."""
    dim = _dim_of(tensor, dim, "split")
    n = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = tuple(operator.index(s) for s in split_size_or_sections)
        if any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={_fmt(sizes)}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={_fmt(sizes)}")
        return _as_views(tensor, SplitWithSizes.apply(tensor, sizes, dim))
    size = operator.index(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    count = max((n + size - 1) // size, 1) if size else 1
    sizes = tuple(min(size, n - i * size) for i in range(count))
    return _as_views(tensor, Split.apply(tensor, sizes, dim))


def chunk(input, chunks: int, dim: int = 0):
    """Split into ``chunks`` views of (nearly) equal size; may give fewer than ``chunks``."""
    dim = _dim_of(input, dim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[dim]
    if n == 0:
        return _as_views(input, Split.apply(input, (0,) * chunks, dim))
    return split(input, (n + chunks - 1) // chunks, dim)


def _tensor_split_bounds(input, indices_or_sections, dim):
    n = input._data.shape[dim]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg.dtype is not D.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {arg.dtype._legacy}")
        if arg._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {arg._data.ndim} dims")
        arg = arg.item() if arg._data.ndim == 0 else arg.tolist()
    if isinstance(arg, (list, tuple)):
        bounds = [0] + [operator.index(i) for i in arg] + [n]
        return list(zip(bounds[:-1], bounds[1:]))
    sections = operator.index(arg)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    small, extra = divmod(n, sections)
    out, start = [], 0
    for i in range(sections):
        size = small + (i < extra)
        out.append((start, start + size))
        start += size
    return out


def tensor_split(input, indices_or_sections, dim: int = 0):
    """Views split at the given indices, or into ``sections`` pieces as even as possible."""
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    out = []
    for a, b in _tensor_split_bounds(input, indices_or_sections, dim):
        a = min(max(a + n if a < 0 else a, 0), n)
        b = min(max(b + n if b < 0 else b, a), n)
        out.append(Narrow.apply(input, _slice_at(dim, a, b)))
    return tuple(out)


def _split_along(name: str, input, indices_or_sections, dim: int, min_dims: int):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"numtorch.{name} requires a tensor with at least {min_dims} "
                           f"dimension, but got a tensor with {nd} dimensions!")
    if isinstance(indices_or_sections, int):
        n = input._data.shape[dim]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"numtorch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {n} is not divisible by the "
                               f"split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """``tensor_split`` along dim 1 (dim 0 for 1-D); an int must divide the size."""
    return _split_along("hsplit", input, indices_or_sections,
                        1 if input._data.ndim > 1 else 0, 1)


def vsplit(input, indices_or_sections):
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


class Unbind(ArrayFunction):
    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


def unbind(input, dim: int = 0):
    """The slices along ``dim``, as a tuple of views."""
    if input._data.ndim == 0:
        raise _dim0_error()
    dim = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[dim] == 0:
        return ()
    return _as_views(input, Unbind.apply(input, dim))


def _narrow_index(input, dim: int, start, length: int) -> tuple:
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, nd)
    n = input._data.shape[dim]
    start = operator.index(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _slice_at(dim, start, start + length)


def narrow(input, dim: int, start, length: int):
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    return Narrow.apply(input, _narrow_index(input, dim, start, length))


class NarrowCopy(Narrow):
    node_name = "NarrowCopyBackward0"
    is_view = False

    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x.shape, idx
        return x[idx].copy()


def narrow_copy(input, dim: int, start, length: int):
    """``narrow`` as a new tensor rather than a view."""
    return NarrowCopy.apply(input, _narrow_index(input, dim, start, length))


def select(input, dim: int, index):
    """The view of ``index`` along ``dim`` (that dim removed), e.g. ``x[:, 2]``."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, len(shape))
    index = operator.index(index)
    n = shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_fmt(shape)} at dimension {dim}")
    return Select.apply(input, (slice(None),) * dim + (index % n, Ellipsis))


# --- flip / roll / rot90 --------------------------------------------------------


class Flip(ArrayFunction):
    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x).flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None


def flip(input, *dims_args, dims=None):
    """A copy with the order of elements reversed along ``dims``."""
    dims = _ints(dims_args if dims is None else (dims,), "flip", "dims",
                 1 if dims is None else None)
    nd = input._data.ndim
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for d in wrapped if wrapped.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return Flip.apply(input, wrapped if nd else ())


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(ArrayFunction):
    node_name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp_of(x).roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts
        return Roll.apply(grad, back, ctx.dims), None, None


def roll(input, shifts, dims=None):
    """Shift elements cyclically along ``dims`` (over the flattened tensor if ``dims`` is None)."""
    shifts = _seq(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, operator.index(shifts[0]), None)
    dims = _seq(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    nd = input._data.ndim
    if nd == 0:
        raise _dim0_error()
    return Roll.apply(input, tuple(operator.index(s) for s in shifts),
                      tuple(_wrap_dim(d, nd) for d in dims))


class Rot90(ArrayFunction):
    node_name = "Rot90Backward0"

    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return xp_of(x).rot90(x, k, axes=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Rot90.apply(grad, -ctx.k, ctx.dims), None, None


def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from dims[0] towards dims[1])."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    return Rot90.apply(input, k % 4, (d0, d1))


# --- diagonals and triangles -----------------------------------------------------


def _diagonal_view(x, offset, d1, d2):
    xp = xp_of(x)
    out = xp.diagonal(x, offset, d1, d2)
    if not out.flags.writeable and x.flags.writeable:
        out.flags.writeable = True  # NumPy hands diagonals back read-only; PyTorch's are views
    return out


class Diagonal(ArrayFunction):
    node_name = "DiagonalBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        return _diagonal_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return (DiagonalScatter.apply(grad, ctx.shape, *ctx.args),) + (None,) * 3


class DiagonalCopy(Diagonal):
    """``diag`` of a matrix: the diagonal as a new tensor."""

    node_name = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        return _diagonal_view(x, offset, d1, d2).copy()


class DiagonalScatter(ArrayFunction):
    """Zeros of ``shape`` with ``g`` written along a diagonal; the backward of ``diagonal``."""

    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = xp_of(g).zeros(shape, dtype=g.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return (Diagonal.apply(gg, *ctx.args),) + (None,) * 4


class DiagEmbed(DiagonalScatter):
    node_name = "DiagEmbedBackward0"


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A view of the diagonal of the (dim1, dim2) planes, as a new last dim."""
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Matrices (in dims dim1, dim2) whose ``offset`` diagonal is the last dim of ``input``."""
    shape = input._data.shape
    nd = len(shape) + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = shape[-1] + abs(offset)
    out = list(shape[:-1])
    for d in sorted((d1, d2)):
        out.insert(d, n)
    return DiagEmbed.apply(input, tuple(out), offset, d1, d2)


def diag(input, diagonal: int = 0):
    """1-D input: the square matrix with it on the ``diagonal``; 2-D: that diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal)
    if nd == 2:
        return DiagonalCopy.apply(input, diagonal, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagflat(input, offset: int = 0):
    """The flattened input as the ``offset`` diagonal of a square matrix."""
    return diag_embed(reshape(input, -1), offset)


class Tril(ArrayFunction):
    node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, ctx.k), None


class Triu(ArrayFunction):
    node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return xp_of(x).triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, ctx.k), None


def tril(input, diagonal: int = 0, *, out=None):
    """Zero the elements above the ``diagonal`` of the last two dims."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    if out is not None:
        check_out(out, "tril", input)
        return write_out(out, Tril.apply(input, diagonal))
    return Tril.apply(input, diagonal)


def triu(input, diagonal: int = 0, *, out=None):
    """Zero the elements below the ``diagonal`` of the last two dims."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    if out is not None:
        check_out(out, "triu", input)
        return write_out(out, Triu.apply(input, diagonal))
    return Triu.apply(input, diagonal)


# --- meshgrid / atleast_nd --------------------------------------------------------


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 1-D tensors, as broadcast views (``indexing='ij'`` or ``'xy'``)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        _warnings.warn("numtorch.meshgrid: in an upcoming release, it will be required to pass "
                       "the indexing argument.", UserWarning)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'numtorch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("numtorch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    k = len(tensors)
    where = list(range(k))
    if indexing == "xy" and k >= 2:  # Cartesian: the first two inputs swap places
        where[0], where[1] = 1, 0
    shape = [0] * k
    for t, w in zip(tensors, where):
        shape[w] = t._data.size
    shape = tuple(shape)
    out = []
    for t, w in zip(tensors, where):
        column = (1,) * w + (-1,) + (1,) * (k - w - 1)
        out.append(Expand.apply(reshape(t, column), shape))
    return tuple(out)


def _atleast(fn, tensors):
    if len(tensors) == 1:
        if isinstance(tensors[0], (list, tuple)):
            return tuple(fn(t) for t in tensors[0])
        return fn(tensors[0])
    return tuple(fn(t) for t in tensors)


def _at1(t):
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _at2(t):
    nd = t._data.ndim
    return reshape(t, (1, 1)) if nd == 0 else unsqueeze(t, 0) if nd == 1 else t


def _at3(t):
    nd = t._data.ndim
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if nd == 2 else t


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-D becomes shape (1,)); others come back as they are."""
    return _atleast(_at1, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (new leading dims)."""
    return _atleast(_at2, tensors)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(_at3, tensors)


# --- unfold / as_strided ----------------------------------------------------------


class Unfold(ArrayFunction):
    """All windows of ``size`` elements, ``step`` apart, along ``dim`` (a view)."""

    node_name = "UnfoldBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x.shape, (dim, size, step)
        if x.ndim == 0:
            return x.reshape((1,))[:size]
        shape, strides = list(x.shape), list(x.strides)
        shape[dim] = (shape[dim] - size) // step + 1
        strides[dim] *= step
        return xp_of(x).lib.stride_tricks.as_strided(
            x, tuple(shape) + (size,), tuple(strides) + (x.strides[dim],))

    @staticmethod
    def backward(ctx, grad):
        return (UnfoldScatter.apply(grad, ctx.shape, *ctx.args),) + (None,) * 3


class UnfoldScatter(ArrayFunction):
    """Backward of ``unfold``: each window's gradient added back where the window came from."""

    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        ctx.args = (dim, size, step)
        xp = xp_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        if not shape:
            out[...] = g.sum()
            return out
        windows = g.shape[dim]
        lead = (slice(None),) * dim
        if size <= windows:  # one strided add per position inside the window
            for k in range(size):
                out[lead + (slice(k, k + step * (windows - 1) + 1, step),)] += g[..., k]
        else:  # one add per window
            for j in range(windows):
                part = xp.moveaxis(g[lead + (j,)], -1, dim)
                out[lead + (slice(j * step, j * step + size),)] += part
        return out

    @staticmethod
    def backward(ctx, gg):
        return (Unfold.apply(gg, *ctx.args),) + (None,) * 4


def unfold(input, dimension: int, size: int, step: int):
    """Windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim (a view)."""
    shape = input._data.shape
    dim = _wrap_dim(dimension, len(shape))
    n = shape[dim] if shape else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim, size, step)


def _storage(arr):
    """(the array owning ``arr``'s memory as a flat array, ``arr``'s offset in it), or None."""
    root = arr
    while isinstance(root.base, type(arr)):
        root = root.base
    if not root.flags.c_contiguous or root.dtype != arr.dtype:
        return None
    flat = root.reshape(-1)
    offset = (arr.__array_interface__["data"][0] - root.__array_interface__["data"][0])
    return flat, offset // arr.itemsize


def _element_positions(xp, shape, strides, offset):
    """The storage index of every element of a strided view (elements strides, not bytes)."""
    pos = xp.full(shape, offset, dtype=np.int64)
    for d, (n, st) in enumerate(zip(shape, strides)):
        pos += (xp.arange(n) * st).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


class AsStrided(ArrayFunction):
    """The input's memory read with arbitrary sizes and strides (in elements)."""

    node_name = "AsStridedBackward0"
    is_view = True

    @staticmethod
    def forward(ctx, x, size, stride, storage_offset):
        xp = xp_of(x)
        flat, own = _storage(x)
        start = own if storage_offset is None else storage_offset
        if ctx.needs_input_grad[0]:
            # Where each input element and each output element sit in the shared storage.
            in_strides = tuple(s // x.itemsize for s in x.strides)
            ctx.geometry = (_element_positions(xp, x.shape, in_strides, own),
                            _element_positions(xp, size, stride, start), flat.size)
        return xp.lib.stride_tricks.as_strided(
            flat[start:], size, tuple(s * x.itemsize for s in stride))

    @staticmethod
    def backward(ctx, grad):
        return AsStridedScatter.apply(grad, ctx.geometry), None, None, None


class AsStridedScatter(ArrayFunction):
    """Backward of ``as_strided``: add each output gradient into its storage slot, then read
    the input's elements back out of that storage."""

    node_name = "AsStridedBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geometry):
        ctx.geometry = geometry
        in_pos, out_pos, n = geometry
        xp = xp_of(g)
        store = xp.zeros(n, dtype=g.dtype)
        xp.add.at(store, out_pos.reshape(-1), g.reshape(-1))
        return store[in_pos]

    @staticmethod
    def backward(ctx, gg):
        return AsStridedGather.apply(gg, ctx.geometry), None


class AsStridedGather(ArrayFunction):
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, geometry):
        ctx.geometry = geometry
        in_pos, out_pos, n = geometry
        store = xp_of(x).zeros(n, dtype=x.dtype)
        store[in_pos] = x
        return store[out_pos]

    @staticmethod
    def backward(ctx, grad):
        return AsStridedScatter.apply(grad, ctx.geometry), None


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s memory with the given sizes and strides (in elements)."""
    size, stride = tuple(size), tuple(stride)
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {_fmt(stride)}")
    arr = input._data
    where = _storage(arr)
    if where is None:
        raise RuntimeError("as_strided: numtorch needs the tensor's storage to be one "
                           "contiguous block of the same dtype")
    flat, own = where
    start = own if storage_offset is None else storage_offset
    need = 0 if 0 in size else start + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > flat.size:
        raise RuntimeError(f"setStorage: sizes {_fmt(size)}, strides {_fmt(stride)}, storage "
                           f"offset {start}, and itemsize {arr.itemsize} requiring a storage "
                           f"size of {need * arr.itemsize} are out of bounds for storage of "
                           f"size {flat.size * arr.itemsize}")
    return AsStrided.apply(input, size, stride, storage_offset)


# --- in-place shape methods -------------------------------------------------------
#
# ``t_``, ``squeeze_`` ... change which memory ``self`` reads, not the values in it: they
# run the view op on a stand-in for the old ``self`` and make ``self`` the result (its
# array, its graph node, and, for a view, how to re-make it from its base).


class TInplace(T):
    node_name = "TBackward1"


class TransposeInplace(Transpose):
    node_name = "TransposeBackward1"


class UnsqueezeInplace(Unsqueeze):
    node_name = "UnsqueezeBackward1"


class SqueezeInplace(Squeeze):
    node_name = "SqueezeBackward3"


class SqueezeDimInplace(Squeeze):
    node_name = "SqueezeBackward4"


class SqueezeDimsInplace(Squeeze):
    node_name = "SqueezeBackward5"


_SQUEEZE_INPLACE = {Squeeze: SqueezeInplace, SqueezeDim: SqueezeDimInplace,
                    SqueezeDims: SqueezeDimsInplace}


def _restride(self, cls, *args):
    if grad_mode.enabled and self._requires_grad:
        if self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        base = self._base
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
    old = Tensor._make(self._data, self._requires_grad)
    old._grad_fn, old._output_nr, old._vc = self._grad_fn, self._output_nr, self._vc
    old._base, old._view_of = self._base, self._view_of
    out = cls.apply(old, *args)
    self._data = out._data
    if out._grad_fn is not None:
        self._grad_fn, self._output_nr = out._grad_fn, out._output_nr
    if self._base is not None:
        self._view_of = out._view_of
    self._vc[0] += 1
    return self


def t_(self):
    """In-place ``t()``."""
    if self._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{self._data.ndim}D")
    return _restride(self, TInplace)


def transpose_(self, dim0: int, dim1: int):
    """In-place ``transpose()``."""
    nd = self._data.ndim
    return _restride(self, TransposeInplace, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd))


swapaxes_ = swapdims_ = transpose_


def squeeze_(self, dim=None):
    """In-place ``squeeze()``."""
    cls, dims = _squeeze_args(self, dim)
    return _restride(self, _SQUEEZE_INPLACE[cls], dims)


def unsqueeze_(self, dim: int):
    """In-place ``unsqueeze()``."""
    return _restride(self, UnsqueezeInplace, _wrap_dim(dim, self._data.ndim + 1))


def resize_(self, *sizes, memory_format=None):
    """Give ``self`` a new shape, keeping its storage where it is big enough (values in memory
    order; new elements are zeros where numtorch had to allocate)."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _ints(sizes, "resize_")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(shape)}: {_fmt(shape)}")
    arr = self._data
    if shape == arr.shape:
        return self
    n = _prod(shape)
    where = _storage(arr)
    if where is not None and where[1] + n <= where[0].size:
        flat, start = where
        self._data = flat[start:start + n].reshape(shape)
    else:
        xp = xp_of(arr)
        new = xp.zeros(n, dtype=arr.dtype)
        old = (where[0][where[1]:] if where is not None else arr.reshape(-1))[:n]
        new[:old.size] = old
        self._data = new.reshape(shape)
    self._vc[0] += 1
    return self


def resize_as_(self, other, memory_format=None):
    return resize_(self, other.shape)


# --- block_diag / cartesian_prod / combinations -----------------------------------------


def _block_shape(shape) -> tuple:
    """How block_diag reads an input: a 0-d tensor as 1x1, a 1-D one as a row."""
    return (1,) * (2 - len(shape)) + tuple(shape)


class BlockDiag(ArrayFunction):
    """The inputs placed corner to corner on the diagonal of a zero matrix.
    Backward: each input's gradient is its block of the output's gradient."""

    node_name = "BlockDiagBackward0"

    @staticmethod
    def forward(ctx, np_dtype, *xs):
        blocks = [_block_shape(x.shape) for x in xs]
        out = xp_of(*xs).zeros((sum(b[0] for b in blocks), sum(b[1] for b in blocks)),
                               dtype=np_dtype)
        ctx.keys, ctx.shapes, r, c = [], [x.shape for x in xs], 0, 0
        for x, (h, w) in zip(xs, blocks):
            key = (slice(r, r + h), slice(c, c + w))
            out[key] = x.reshape(h, w)
            ctx.keys.append(key)
            r, c = r + h, c + w
        return out

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(Narrow.apply(grad, key).reshape(shape)
                               for key, shape in zip(ctx.keys, ctx.shapes))


def block_diag(*tensors):
    """A block-diagonal matrix from 0-d, 1-D (a row) and 2-D tensors, dtypes promoted.

    Example: ``block_diag(a, b)`` is ``[[a, 0], [0, b]]``.
    """
    _check_tensors(tensors, "block_diag")
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"numtorch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._data.ndim} dimensions")
    if not tensors:  # PyTorch's answer for no blocks: one empty row
        return Tensor._make(np.zeros((1, 0), dtype=D.get_default_dtype().np))
    return BlockDiag.apply(_promoted(tensors).np, *tensors)


def _check_vector(t) -> None:
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {_fmt(t._data.shape)}")


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, one per row, in
    lexicographic order (``itertools.product``); a single tensor comes back unchanged."""
    _check_tensors(tensors, "cartesian_prod")
    for t in tensors:
        _check_vector(t)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def _combination_rows(n: int, r: int, with_replacement: bool):
    """The positions of ``itertools.combinations(range(n), r)`` (or ``_with_replacement``)
    as an ``(m, r)`` int64 array, built one column at a time without a Python loop over rows:
    each row is extended by every position after (or at) its last one, in order."""
    rows = np.arange(n, dtype=np.int64)[:, None]
    for _ in range(r - 1):
        first = rows[:, -1] + (0 if with_replacement else 1)
        counts = np.maximum(n - first, 0)
        which = np.repeat(np.arange(rows.shape[0]), counts)
        step = np.arange(which.size) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.concatenate([rows[which], (first[which] + step)[:, None]], axis=1)
    return rows


def combinations(input, r: int = 2, with_replacement: bool = False):
    """The length-``r`` combinations of the elements of a 1-D tensor, one per row, in
    ``itertools.combinations`` order (``combinations_with_replacement`` with
    ``with_replacement=True``). Differentiable: each column gathers from ``input``."""
    if not isinstance(r, int) or isinstance(r, bool):
        raise TypeError(f"combinations(): argument 'r' must be int, not {type(r).__name__}")
    _check_vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    xp = xp_of(input._data)
    if r == 0:
        return Tensor._make(xp.empty((0,), dtype=input._data.dtype))
    from .index import index_select  # the one use of index.py here: loaded on demand

    rows = xp.asarray(_combination_rows(input._data.shape[0], r, bool(with_replacement)))
    return stack([index_select(input, 0, Tensor._make(xp.ascontiguousarray(rows[:, j])))
                  for j in range(r)], 1)
