"""Odds and ends of PyTorch's API: window functions, ``gradient``, the complex-number API on
real tensors, ``histogramdd``, ``frombuffer`` and a few small Tensor methods and switches.

numtorch has no complex dtypes, so ``real``, ``conj`` and friends see only real tensors:
there they are the identity (PyTorch returns the very same tensor object), ``imag`` raises,
and ``angle`` is 0 for x >= 0 and pi for x < 0.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from .. import _dtype as D
from .. import _warnings, return_types
from .._device import CPU, to_device
from .._input_check import type_name
from .._tensor import FACTORY_GRAD_ERROR, Tensor, _wrap_dim
from ..autograd.function import ArrayFunction
from ..backend import cpu as _cpu
from ..backend import xp_for
from ._util import check_out, write_out, xp_of, zero_grad
from .creation import _finish, _linspace, _shape, dims_inner_first
from .reduce import _CNAME, _histogram_range, diff
from .shape import cat

__all__ = [
    "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
    "gradient", "real", "imag", "conj", "conj_physical", "conj_physical_", "resolve_conj",
    "resolve_neg", "is_conj", "is_neg", "angle", "is_inference", "is_distributed",
    "nonzero_static", "get_default_device", "set_default_device",
    "set_warn_always", "is_warn_always_enabled", "set_flush_denormal", "empty_permuted",
    "frombuffer", "histogramdd", "get_device", "is_signed",
]

TENSOR_METHODS = (
    "conj", "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg", "is_conj",
    "is_neg", "angle", "is_inference", "new_empty_strided", "is_shared", "is_set_to",
    "is_distributed", "dim_order", "nonzero_static",
)
INPLACE_METHODS = ()

_PI = math.pi


# --- window functions ---------------------------------------------------------------------


def _window_args(name: str, window_length, dtype):
    """PyTorch's checks for ``torch.*_window``: an int length, a floating dtype, then a
    non-negative length (in that order)."""
    if not isinstance(window_length, (int, np.integer)) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type_name(window_length)}")
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{_CNAME[dt.np.name]}, device=cpu, layout=Strided (default), requires_grad=false "
            "(default), pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    return int(window_length), dt


def _check_periodic(name: str, window_length, periodic) -> None:
    if not isinstance(periodic, bool):
        got = ", ".join(type_name(v) for v in (window_length, periodic))
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        "but expected one of:\n"
                        f" * ({name}(window_length, periodic=True, ...)")


def _window(name, window_length, periodic, dtype, device, requires_grad, kernel):
    """Shared frame of the ``*_window`` functions: checks, the 0 and 1 cases, and the
    periodic trick (a symmetric window one longer, without its last point)."""
    _check_periodic(name, window_length, periodic)
    n, dt = _window_args(name, window_length, dtype)
    xp = xp_for(to_device(device))
    if n <= 1:
        return _finish(xp.ones(n, dtype=dt.np), requires_grad)
    m = n + 1 if periodic else n
    # PyTorch computes in the window's dtype, step by step, starting from arange(m)
    arr = kernel(xp, xp.arange(m, dtype=dt.np), m)
    return _finish(xp.ascontiguousarray(arr[:n]).astype(dt.np, copy=False), requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """``alpha - beta * cos(2 pi k / (N - 1))``; with ``periodic`` the window for N + 1 points
    without its last (the form spectral analysis wants)."""
    def kernel(xp, k, m):
        return xp.cos(k * (2 * _PI / (m - 1))) * -beta + alpha

    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   kernel)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    """The Hamming window with ``alpha = beta = 0.5``: ``sin^2(pi k / (N - 1))``."""
    def kernel(xp, k, m):
        return xp.cos(k * (2 * _PI / (m - 1))) * -0.5 + 0.5

    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, kernel)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``."""
    def kernel(xp, k, m):
        k = k * (_PI / (m - 1))
        return xp.cos(k * 4) * 0.08 - xp.cos(k * 2) * 0.5 + 0.42

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   kernel)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangle ``1 - |2k / (N - 1) - 1|``: ``2k / (N - 1)`` up, ``2 - 2k / (N - 1)`` down."""
    def kernel(xp, k, m):
        k = k * (2.0 / (m - 1))
        half = (m - 1) // 2 + 1
        k[half:] = 2 - k[half:]
        return k

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   kernel)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """``I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta)`` with ``a = (N - 1) / 2`` and I0 the
    modified Bessel function of order 0 (computed in float64, then rounded)."""
    if not isinstance(beta, numbers.Real) or isinstance(beta, bool):
        got = ", ".join(type_name(v) for v in (window_length, periodic, beta))
        raise TypeError(f"kaiser_window() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n"
                        " * (int window_length, bool periodic, float beta, ...)")

    from ..special import _i  # numtorch.special's I_nu (imported late: it imports ops)

    def kernel(xp, k, m):
        a = (m - 1) / 2.0
        r = (k.astype(np.float64) - a) / a
        return _i(beta * xp.sqrt(xp.abs(1 - r * r)), 0) / _i(np.float64(beta), 0)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   kernel)


# --- gradient --------------------------------------------------------------------------------

_GRADIENT_SIGNATURES = (
    " * (Tensor input, *, Number spacing = None, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Numbers spacing, int dim = None, int edge_order = 1)\n"
    " * (Tensor input, *, tuple of Tensors spacing, tuple of ints dim = None, "
    "int edge_order = 1)\n")


def _gradient_type_error(input, **kwargs):
    got = ", ".join([type_name(input)] + [f"{k}={type_name(v)}" for k, v in kwargs.items()])
    return TypeError(f"gradient() received an invalid combination of arguments - got ({got}), "
                     f"but expected one of:\n{_GRADIENT_SIGNATURES}")


def _is_number(v) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, Tensor)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimate the derivative of ``input`` along each of ``dim`` (all dims by default) by
    second-order accurate central differences in the interior and first- or second-order
    one-sided differences at the two ends (``edge_order``).

    ``spacing`` is the distance between samples: one number for every dim, one number per
    dim, or per dim a 1-D tensor of sample coordinates (unevenly spaced samples). Returns a
    tuple with one tensor per dim, each the shape of ``input``. Built from slices and
    arithmetic, so it is differentiable as PyTorch's (its grad_fn is CatBackward0).
    """
    default = type(spacing) is int and spacing == 1
    kwargs = {"spacing": spacing} if spacing is not None and not default else {}
    if dim is not None:
        kwargs["dim"] = dim
    if isinstance(spacing, Tensor):
        if spacing.ndim != 0:
            raise _gradient_type_error(input, **kwargs)
        spacing = spacing.item()
    elif spacing is None:
        spacing = 1
    elif isinstance(spacing, (list, tuple)):
        if builtins.any(isinstance(s, Tensor) for s in spacing):
            for i, s in enumerate(spacing):
                if not isinstance(s, Tensor):
                    raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                                    f"{type_name(s)}")
        elif not builtins.all(_is_number(s) for s in spacing):
            raise _gradient_type_error(input, **kwargs)
    elif not _is_number(spacing):
        raise _gradient_type_error(input, **kwargs)
    if dim is not None and not isinstance(dim, (int, list, tuple)) or isinstance(dim, bool):
        raise _gradient_type_error(input, **kwargs)

    ndim = input.ndim
    dims = list(builtins.range(ndim)) if dim is None else \
        [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, ndim) for d in dims]
    seen = set()
    for d in dims:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    if isinstance(spacing, (list, tuple)):
        if dim is None and len(spacing) != ndim:
            raise RuntimeError(
                "numtorch.gradient expected spacing to be unspecified, a scalar, or a list of "
                f"length equal to 'self.dim() = {ndim}', since dim argument was not given, but "
                f"got a list of length {len(spacing)}")
        if dim is not None and len(spacing) != len(dims):
            raise RuntimeError(
                "numtorch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                "and dim arguments to have the same length, but got a spacing argument of "
                f"length {len(spacing)} and a dim argument of length {len(dims)}.")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    if edge_order not in (1, 2) or isinstance(edge_order, bool):
        raise RuntimeError("numtorch.gradient only supports edge_order=1 and edge_order=2.")
    for s in steps:
        if isinstance(s, Tensor) and s.ndim != 1:
            raise RuntimeError("numtorch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {s.ndim} dimensions!")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("numtorch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    return tuple(_gradient_coords(input, d, s, edge_order) if isinstance(s, Tensor)
                 else _gradient_uniform(input, d, s, edge_order) for d, s in zip(dims, steps))


def _slicer(input, d):
    """``part(a, b)``: ``input[..., a:b, ...]`` with the slice on dim ``d``."""
    lead = (slice(None),) * d

    def part(start, stop=None):
        return input[lead + (slice(start, stop),)]
    return part


def _gradient_uniform(f, d, h, edge_order):
    part = _slicer(f, d)
    center = (part(2) - part(0, -2)) / h
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / h
        last = (part(-1) - part(-2, -1)) / h
    else:  # the one-sided second-order stencils (-3/2, 2, -1/2) and (1/2, -2, 3/2)
        first = (part(0, 1) * -1.5 + part(1, 2) * 2 - part(2, 3) * 0.5) / h
        last = (part(-3, -2) * 0.5 + part(-2, -1) * -2 + part(-1) * 1.5) / h
    return cat([first, center / 2, last], d)


def _gradient_coords(f, d, x, edge_order):
    # With steps h1 (left) and h2 (right) around each interior point, the second-order
    # estimate is a f[i-1] + b f[i] + c f[i+1] with the weights below.
    part = _slicer(f, d)
    dx = diff(x, 1, 0)
    h1, h2 = dx[:-1], dx[1:]
    shape = [1] * f.ndim
    shape[d] = -1
    a = (-h2 / (h1 * (h1 + h2))).reshape(shape)
    b = ((h2 - h1) / (h1 * h2)).reshape(shape)
    c = (h1 / (h2 * (h1 + h2))).reshape(shape)
    center = a * part(0, -2) + b * part(1, -1) + c * part(2)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / dx[0]
        last = (part(-1) - part(-2, -1)) / dx[-1]
    else:
        h1, h2 = dx[0], dx[1]
        first = (-(2.0 * h1 + h2) / (h1 * (h1 + h2)) * part(0, 1)
                 + (h1 + h2) / (h1 * h2) * part(1, 2)
                 + (-h1) / (h2 * (h1 + h2)) * part(2, 3))
        h1, h2 = dx[-2], dx[-1]
        last = (h2 / (h1 * (h2 + h1)) * part(-3, -2)
                - (h2 + h1) / (h2 * h1) * part(-2, -1)
                + (2 * h2 + h1) / (h2 * (h2 + h1)) * part(-1))
    return cat([first, center, last], d)


# --- the complex-number API on real tensors ------------------------------------------------


def real(input):
    """The real part: for a real tensor, the tensor itself."""
    return input


def imag(input):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def conj(input):
    """The complex conjugate: for a real tensor, the tensor itself."""
    return input


def conj_physical(input, *, out=None):
    """The conjugate, materialised: for a real tensor, the tensor itself (or a copy in ``out``)."""
    if out is None:
        return input
    check_out(out, "conj_physical", input)
    return write_out(out, input)


def conj_physical_(input):
    input._check_inplace()
    return input


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input) -> bool:
    return False


def is_neg(input) -> bool:
    return False


class _Angle(ArrayFunction):
    """The argument of a real number: 0 for x >= 0 (-0 included), pi for x < 0, nan for nan."""

    node_name = "AngleBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        dt = x.dtype if x.dtype.kind == "f" else D.get_default_dtype().np
        out = xp.where(x < 0, dt.type(_PI), dt.type(0))
        if x.dtype.kind == "f":
            out[xp.isnan(x)] = np.nan
        return out

    @staticmethod
    def backward(ctx, grad):
        return zero_grad(grad)  # the angle of a real number is piecewise constant


def angle(input, *, out=None):
    """The angle of each element seen as a complex number (0 or pi here), in a floating dtype
    (integers and bools give the default float dtype)."""
    if out is not None:
        check_out(out, "angle", input)
        return write_out(out, _Angle.apply(input))
    return _Angle.apply(input)


# --- small Tensor methods ------------------------------------------------------------------


def is_inference(input) -> bool:
    """Whether the tensor was made under ``numtorch.inference_mode`` (a view: its base was)."""
    base = input._base if input._base is not None else input
    return base._is_inference


def is_distributed(input) -> bool:
    return False


def get_device(input) -> int:
    """The tensor's device index: -1 on the CPU, as PyTorch answers."""
    return input.get_device()


def is_signed(input) -> bool:
    """Whether the tensor's dtype holds negative numbers."""
    return input.is_signed()


def is_shared(self) -> bool:
    """Whether the tensor's memory is shared between processes (``share_memory_``)."""
    from ..multiprocessing import _shared

    return _shared.is_shared(self)


def is_set_to(self, tensor) -> bool:
    """True when both tensors are the same view of the same memory: same start, shape and
    strides."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"is_set_to(): argument 'tensor' (position 1) must be Tensor, not "
                        f"{type_name(tensor)}")
    a, b = self._data, tensor._data
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape and self.stride() == tensor.stride()
            and a.dtype.itemsize == b.dtype.itemsize)


def dim_order(self, *, ambiguity_check=False) -> tuple:
    """The dims from outermost to innermost in memory (largest stride first). Ties (equal
    strides, zero strides) keep the logical order, as PyTorch's insertion sort does."""
    n = self.ndim
    if n < 2 or self.is_contiguous():
        return tuple(builtins.range(n))
    return tuple(reversed(dims_inner_first(self.shape, self.stride())))


_MISSING = object()


def new_empty_strided(self, size, stride=_MISSING, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False):
    """An uninitialised tensor with the given size and strides (in elements), of ``self``'s
    dtype and device unless told otherwise."""
    if stride is _MISSING:
        raise TypeError('new_empty_strided() missing 1 required positional arguments: "stride"')
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    size = _shape((size,), "new_empty_strided")
    dt = self.dtype if dtype is None else D.to_dtype(dtype)
    xp = xp_for(self.device if device is None else to_device(device))
    # The storage must reach the last element: 1 + sum((n - 1) * stride).
    numel = 0 if 0 in size else 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    buf = xp.empty(numel, dtype=dt.np)
    item = buf.itemsize
    arr = xp.lib.stride_tricks.as_strided(buf, size, tuple(s * item for s in stride)) \
        if numel else xp.empty(size, dtype=dt.np)
    return _finish(arr, requires_grad)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero`` padded with ``fill_value`` (or cut) to exactly ``size`` rows."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got "
                           f"{size}")
    arr = input._data
    xp = xp_of(arr)
    idx = xp.stack(xp.nonzero(arr), axis=1) if arr.ndim else \
        xp.zeros((int(bool(arr)), 0), dtype=np.int64)
    out = xp.full((size, arr.ndim), fill_value, dtype=np.int64)
    n = builtins.min(size, idx.shape[0])
    out[:n] = idx[:n]
    return Tensor._make(out)


# --- namespace switches ---------------------------------------------------------------------

_default_device = None
_warn_always = False


def get_default_device():
    """The device factory functions use when none is given (always the cpu in numtorch)."""
    return CPU if _default_device is None else _default_device


def set_default_device(device) -> None:
    """Set the default device; numtorch's factories allocate on the cpu, so only a cpu device
    is accepted (a cuda one raises the error numtorch gives when CUDA is unavailable)."""
    global _default_device
    if device is None:
        _default_device = None
        return
    dev = to_device(device)
    if dev.type != "cpu":
        xp_for(dev)  # CUDA missing (or an unknown backend): its own clear error
        raise RuntimeError("numtorch.set_default_device: factory functions always allocate on "
                           f"the cpu; pass device='{dev}' to them instead")
    _default_device = dev


def set_warn_always(b, /) -> None:
    """Show warnings PyTorch gives once per process (``frombuffer``'s) every time."""
    global _warn_always
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type_name(b)}")
    _warn_always = b


def is_warn_always_enabled() -> bool:
    return _warn_always


_warned_once: set = set()


def warn_once(message: str, category=UserWarning) -> None:
    """PyTorch's TORCH_WARN_ONCE: warn the first time a process gets here (each message once),
    or every time after ``set_warn_always(True)``; shown at the user's line, as every
    numtorch warning is (``_warnings.warn``)."""
    if _warn_always or message not in _warned_once:
        _warned_once.add(message)
        _warnings.warn(message, category)


def set_flush_denormal(mode) -> bool:
    """Whether flushing denormal numbers to zero is now in effect as asked. NumPy gives no
    control over the FPU's flush-to-zero mode, so asking for it returns False (unsupported);
    turning it off returns True (denormals are always kept)."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type_name(mode)}")
    return not mode


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised dense tensor of ``size`` whose dims lie in memory in the order
    ``physical_layout`` (outermost first): ``empty(size[p] for p in layout)`` permuted back."""
    size, perm = tuple(size), tuple(physical_layout)
    if len(size) != len(perm):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(perm)}")
    seen = set()
    for i, p in enumerate(perm):
        if not 0 <= p < len(size):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and "
                               f"{len(size) - 1}, but got {p} at index {i}).  NB: negative dims "
                               "not currently supported; file an issue if you want it.")
        if p in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(p)
    size = _shape((size,), "empty_permuted") if size else ()
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    xp = xp_for(to_device(device))
    arr = xp.empty(tuple(size[p] for p in perm), dtype=dt.np)
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return _finish(arr.transpose(inverse), requires_grad)


# --- frombuffer -----------------------------------------------------------------------------



def frombuffer(buffer, *, dtype=None, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of an object with the buffer protocol (``bytearray``,
    ``array.array``, ``memoryview`` ...): writes to one show in the other. ``offset`` bytes
    are skipped; ``count`` elements are read (all by default)."""
    if dtype is None:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    dt = D.to_dtype(dtype)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    if not view.c_contiguous:
        raise RuntimeError("could not retrieve buffer from object")
    length, item = view.nbytes, dt.np.itemsize
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    if requires_grad and not dt.is_floating_point:
        raise RuntimeError(FACTORY_GRAD_ERROR)
    if view.readonly:
        warn_once(
            "The given buffer is not writable, and numtorch does not support writing through "
            "it: NumPy keeps the tensor read-only, so in-place ops on it raise. You may want to "
            "copy the buffer or make it writable before converting it to a tensor. This type "
            "of warning will be suppressed for the rest of this program.")
    flat = view.cast("B") if view.ndim != 1 or view.format != "B" else view
    arr = np.frombuffer(flat, dtype=dt.np, count=count, offset=offset)
    return _finish(arr, requires_grad)


# --- histogramdd ----------------------------------------------------------------------------

def histogramdd(input, bins, *, range=None, weight=None, density=False):  # noqa: A002
    """A histogram of the points in the rows of ``input`` (its last dim is the point's
    dimension N; leading dims are flattened). ``bins`` is a count for every dim, one count per
    dim, or one 1-D tensor of increasing edges per dim; ``range`` is ``[min0, max0, min1,
    max1, ...]`` (each dim's data range by default). Values outside are ignored; each dim's
    last bin includes its right edge. Returns ``(hist, bin_edges)`` without gradient."""
    if isinstance(bins, bool) or not isinstance(bins, (int, list, tuple)):
        got = [type_name(input), f"bins={type_name(bins)}"]
        raise TypeError(f"histogramdd() received an invalid combination of arguments - got "
                        f"({', '.join(got)}), but expected one of:\n"
                        " * (Tensor input, int bins, *, tuple of floats range = None, ...)\n"
                        " * (Tensor input, tuple of ints bins, *, ...)\n"
                        " * (Tensor input, tuple of Tensors bins, *, ...)\n")
    if input.ndim < 2:
        raise RuntimeError("numtorch.histogramdd: input tensor should have at least 2 "
                           "dimensions")
    n = input.shape[-1]
    bins = [bins] * n if isinstance(bins, int) else list(bins)
    if len(bins) != n:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    given = builtins.any(isinstance(b, Tensor) for b in bins)
    cname = _CNAME[input.dtype.np.name]
    if given:
        for d, b in enumerate(bins):
            if b.dtype is not input.dtype:
                raise RuntimeError(
                    "numtorch.histogramdd: input tensor and bins tensors should have the same "
                    f"dtype, but got input with dtype {cname} and bins for dimension {d} with "
                    f"dtype {_CNAME[b.dtype.np.name]}")
            if b.ndim != 1:
                raise RuntimeError(
                    "numtorch.histogramdd: bins tensor should have one dimension, but got "
                    f"{b.ndim} dimensions in the bins tensor for dimension {d}")
            if b.numel() == 0:
                raise RuntimeError(
                    "numtorch.histogramdd: bins tensor should have at least 1 element, but got "
                    f"0 elements in the bins tensor for dimension {d}")
    else:
        for d, b in enumerate(bins):
            if b < 0:
                raise RuntimeError(
                    "numtorch.histogramdd: bins tensor should have at least 1 element, but got "
                    f"{builtins.max(b + 1, 0)} elements in the bins tensor for dimension {d}")
    if weight is not None:
        if weight.dtype is not input.dtype:
            raise RuntimeError(
                "numtorch.histogramdd: if weight tensor is provided, input tensor and weight "
                f"tensor should have the same dtype, but got input({cname}), and "
                f"weight({_CNAME[weight.dtype.np.name]})")
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError(
                "numtorch.histogramdd: if weight tensor is provided it should have the same "
                "shape as the input tensor excluding its innermost dimension, but got input "
                f"with shape {list(input.shape)} and weight with shape {list(weight.shape)}")
    if range is not None and len(range) != 2 * n:
        raise RuntimeError(f"numtorch.histogramdd: for a {n}-dimensional histogram range should "
                           f"have {2 * n} elements, but got {len(range)}")
    if input.dtype not in (D.float32, D.float64):
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{input.dtype._legacy}'")
    x = input._data.reshape(-1, n)
    xp = xp_of(x)
    edges = []
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            if b.numel() == 1:
                raise RuntimeError("numtorch.histogram(): bins must be > 0, but got 0 for "
                                   f"dimension {d}")
            edges.append(b._data.copy())
            continue
        if b == 0:
            raise RuntimeError(f"numtorch.histogram(): bins must be > 0, but got 0 for "
                               f"dimension {d}")
        if range is not None:
            lo, hi = float(range[2 * d]), float(range[2 * d + 1])
        elif x.shape[0]:
            col = x[:, d]
            lo, hi = (math.nan, math.nan) if xp.isnan(col).any() else \
                (float(col.min()), float(col.max()))
        else:
            lo, hi = 0.0, 1.0
        lo, hi = _histogram_range(lo, hi, d)
        edges.append(xp.asarray(_linspace(lo, hi, b + 1, np.dtype(np.float64)).astype(x.dtype)))
    hist = _histogramdd_counts(xp, x, edges, None if weight is None else weight._data.reshape(-1))
    if density:
        with _cpu.quiet():
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                shape = [1] * n
                shape[d] = -1
                hist = hist / (e[1:] - e[:-1]).reshape(shape)
    return return_types.histogramdd((Tensor._make(hist.astype(x.dtype, copy=False)),
                               tuple(Tensor._make(e) for e in edges)))


def _histogramdd_counts(xp, x, edges, weight):
    """Per dim, a point's bin is the last edge <= its value (the last bin also takes its right
    edge); points outside any dim's edges are dropped; then one bincount over the flat bins."""
    nbins = [e.shape[0] - 1 for e in edges]
    keep = xp.ones(x.shape[0], dtype=bool)
    flat = xp.zeros(x.shape[0], dtype=np.int64)
    for d, e in enumerate(edges):
        v = x[:, d]
        keep &= (v >= e[0]) & (v <= e[-1])
        pos = xp.searchsorted(e, v, side="right") - 1
        pos = xp.clip(pos, 0, builtins.max(nbins[d] - 1, 0))
        flat = flat * nbins[d] + pos
    total = math.prod(nbins)
    w = None if weight is None else weight[keep]
    counts = xp.bincount(flat[keep], weights=w, minlength=total)[:total] if total else \
        xp.zeros(0)
    return counts.reshape(nbins).astype(x.dtype)
