"""Printing tensors: ``repr(t)`` is PyTorch's text, character for character.

How a tensor prints, step by step (``_str``):

1. Pick the elements that will be shown. A tensor with more than ``threshold``
   elements is *summarised*: along every dimension longer than
   ``2 * edgeitems`` only the first and last ``edgeitems`` entries are kept,
   and ``...`` marks the cut. Only those elements are ever formatted, so a
   1000x1000 tensor prints as fast as a 6x6 one.
2. Choose one format for all of them (``_format_cells``). Floats print in
   *int mode* (``1.``) when every finite non-zero value is whole, in
   scientific notation (``1.0000e+09``) when those values span more than three
   orders of magnitude, exceed 1e8 or go below 1e-4 (unless ``sci_mode`` forces
   a choice), and otherwise with ``precision`` decimals. Every cell is
   right-aligned to the widest finite non-zero value (a longer ``nan``, ``inf``
   or ``-0.0000`` simply sticks out, as in PyTorch).
3. Nest the cells in brackets (``_layout``): rows of a 1-d block wrap at
   ``linewidth``; inner blocks are separated by ``ndim - 1`` newlines and
   indented one column per level under ``tensor(``.
4. Append the suffixes — ``size=``, ``dtype=``, ``device=``, ``grad_fn=`` or
   ``requires_grad=True`` — moving each to a new line when it would overflow
   ``linewidth`` (``_add_suffixes``). Suffixes are measured as PyTorch spells
   them (``torch.float64``), so lines break exactly where PyTorch's do and the
   text differs from PyTorch's only in the module name.

Printing reads the raw arrays only, so it never records autograd history.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from . import _dtype as D
from ._tensor import Tensor
from .backend import get_array_module


class _PrintOptions:
    """The current print options (one module-level instance, ``_OPTS``)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


_OPTS = _PrintOptions()

# precision, threshold, edgeitems, linewidth for each named profile.
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print.

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: tensors with more elements than this are summarised (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``: a preset that the
            other arguments then override.
        sci_mode: ``True``/``False`` forces scientific notation on or off; ``None``
            (the default, and what every call without it restores) chooses automatically.

    Example::

        >>> numtorch.set_printoptions(precision=2)
        >>> numtorch.tensor([1.12345])
        tensor([1.12])
    """
    if profile in _PROFILES:
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for ``set_printoptions``."""
    return {name: getattr(_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Set print options (``set_printoptions``' arguments) inside a ``with`` block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


def _summarize(arr, edge: int):
    """The elements a summarised print shows: the ends of every dimension longer than 2*edge."""
    xp = get_array_module(arr)
    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            lead = (slice(None),) * axis
            arr = xp.concatenate((arr[lead + (slice(0, edge),)], arr[lead + (slice(n - edge, n),)]),
                                 axis=axis)
    return arr


def _format_cells(values: np.ndarray, floating: bool) -> tuple[list[str], int]:
    """Format a 1-d host array the way the whole tensor prints; return (cells, width).

    Each cell is right-aligned to ``width``: the widest integer, or for floats the
    widest *finite non-zero* value, so zeros, ``nan`` and ``inf`` never widen a column.
    """
    items = values.tolist()
    if not floating:
        cells = [str(v) for v in items]
        width = max(1, max(map(len, cells), default=1))
        return [c.rjust(width) for c in cells], width

    shown = np.isfinite(values) & (values != 0)
    nonzero = values[shown]
    precision = _OPTS.precision
    if nonzero.size == 0:
        int_mode, sci_mode = True, False
    else:
        int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        magnitudes = np.abs(nonzero).astype(np.float64)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        sci_mode = _OPTS.sci_mode
        if sci_mode is None:
            sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4

    if sci_mode:
        spec = f".{precision}e"
        cells = [format(v, spec) for v in items]
    elif int_mode:
        # Whole floats print as "3." so they still read as floats; nan and inf get no dot.
        cells = [format(v, ".0f") + ("." if math.isfinite(v) else "") for v in items]
    else:
        spec = f".{precision}f"
        cells = [format(v, spec) for v in items]
    width = max([1] + [len(c) for c, s in zip(cells, shown.tolist()) if s])
    return [c.rjust(width) for c in cells], width


def _layout(cells: np.ndarray, shape: tuple, indent: int, summarize: bool, width: int) -> str:
    """Nest formatted cells (an object array) in brackets; ``shape`` is the full tensor's."""
    edge = _OPTS.edgeitems
    cut = summarize and shape[0] > 2 * edge
    if len(shape) == 1:
        if summarize and not edge:
            items = ["..."]
        else:
            items = cells.tolist()
            if cut:
                items = items[:edge] + [" ..."] + items[edge:]
        per_line = max(1, math.floor((_OPTS.linewidth - indent) / (width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    blocks = [_layout(cells[i], shape[1:], indent + 1, summarize, width)
              for i in range(cells.shape[0])]
    if cut:
        blocks = blocks[:edge] + ["..."] + blocks[edge:]
    return "[" + ("," + "\n" * (len(shape) - 1) + " " * (indent + 1)).join(blocks) + "]"


def _tensor_str(arr, floating: bool, indent: int) -> str:
    """The bracketed values of a non-empty array, laid out for a ``tensor(`` at ``indent``."""
    summarize = arr.size > _OPTS.threshold
    shown = _summarize(arr, _OPTS.edgeitems) if summarize else arr
    if not isinstance(shown, np.ndarray):
        shown = shown.get()  # a CuPy array: only the shown elements cross to the host
    cells, width = _format_cells(shown.reshape(-1), floating)
    grid = np.empty(len(cells), dtype=object)
    grid[:] = cells
    grid = grid.reshape(shown.shape)
    if arr.ndim == 0:
        return grid.item()
    return _layout(grid, arr.shape, indent, summarize, width)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Close ``tensor(...)``, wrapping each suffix onto its own line when it would overflow."""
    parts = [text]
    # PyTorch's count, kept as is: two more than the last line's length.
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # Measured as PyTorch's "torch." spelling, so lines break where PyTorch's do.
        size = len(suffix) - suffix.count("numtorch.") * 3
        if line_len + size + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_len = indent + size
        else:
            parts.append(", " + suffix)
            line_len += size + 2
    parts.append(")")
    return "".join(parts)


def _is_plain(t) -> bool:
    # nn.Parameter prints as ``tensor(`` (its own repr adds "Parameter containing:").
    cls = type(t)
    return cls is Tensor or (cls.__name__ == "Parameter" and cls.__module__.startswith("numtorch."))


def _str(t, tensor_contents: str | None = None) -> str:
    """``repr(t)``: PyTorch's text, with ``numtorch.`` where it names its module."""
    prefix = "tensor(" if _is_plain(t) else f"{type(t).__name__}("
    indent = len(prefix)
    arr = t._data
    dtype = t.dtype
    suffixes = []

    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")

    body = tensor_contents
    if arr.size == 0:
        # Nothing to infer the dtype from, so any non-default dtype is named (int64 too).
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype is not D.get_default_dtype():
            suffixes.append(f"dtype={dtype}")
        if body is None:
            body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype not in (D.get_default_dtype(), D.int64, D.bool):
            suffixes.append(f"dtype={dtype}")
        if body is None:
            body = _tensor_str(arr, dtype.is_floating_point, indent)

    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)
