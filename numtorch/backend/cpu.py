"""The cpu backend is NumPy itself; this module names it, tunes glibc's malloc for it, and
silences NumPy's floating-point warnings cheaply (``quiet``, at the end).

Why malloc: every op returns a new NumPy array, and a training step allocates and frees
the same megabyte-sized arrays over and over. glibc serves blocks above its mmap
threshold (128 KiB, raised automatically after frees) with fresh ``mmap`` pages, and
gives the top of its heap back to the kernel whenever more than twice that threshold
is free there. Either way the next array of that size starts on pages the kernel must
fault in and zero again, one 4 KiB page at a time. Measured on the 2-core machine,
``(a @ b).relu().sum()`` forward and backward on 512x512 float32 (bench/ops.py) took
~1,500 page faults and 7.8 ms a step; with the settings below, no faults and 5.4 ms.
PyTorch's own allocations happen to leave glibc in the same state.

``tune_malloc`` keeps blocks up to 32 MiB in the heap and lets up to 128 MiB of free
heap stay mapped, so freed arrays are reused in place; memory above that is still
returned to the system. It runs once, when numtorch is imported, on glibc only. Set
the environment variable ``NUMTORCH_MALLOC_TUNING=0`` to leave malloc as it was.
"""

from __future__ import annotations

import ctypes
import os
import platform

import numpy as xp

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers, from glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit
TRIM_THRESHOLD = 128 << 20


def tune_malloc() -> bool:
    """Apply the settings above; True if they were applied."""
    if os.environ.get("NUMTORCH_MALLOC_TUNING", "1") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # Setting either threshold turns off glibc's automatic adjustment of both.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


# --- floating-point warnings ----------------------------------------------------------
# PyTorch computes inf and nan without a word; NumPy warns. Kernels that can meet them
# run under ``with quiet():``. ``np.errstate(all="ignore")`` does the same but costs ~3 us
# to enter and leave, as much as a whole op on a small tensor (a 32x128 sigmoid: 9 us of
# NumPy work). NumPy 2 keeps that state in one context variable, so ``quiet`` sets it
# directly, to an "ignore all" state made once per outer state (the outer bufsize and
# call handler are kept, as errstate keeps them).
try:
    from numpy._core.umath import _extobj_contextvar, _make_extobj
except ImportError:  # another NumPy: the public context manager
    _extobj_contextvar = None
_quiet_state = (None, None)  # (outer state, its "ignore all" version): one tuple, thread-safe


def fp_errors_off():
    """Silence NumPy's floating-point warnings; returns what ``fp_errors_restore`` needs."""
    global _quiet_state
    if _extobj_contextvar is None:
        state = xp.errstate(all="ignore")
        state.__enter__()
        return state
    outer = _extobj_contextvar.get()
    cached = _quiet_state
    if outer is cached[1]:
        return None  # already quiet (inside another op, or in backward): nothing to undo
    if cached[0] is not outer:
        cached = _quiet_state = (outer, _make_extobj(all="ignore"))
    return _extobj_contextvar.set(cached[1])


def fp_errors_restore(token) -> None:
    if token is None:
        return
    if _extobj_contextvar is None:
        token.__exit__(None, None, None)
    else:
        _extobj_contextvar.reset(token)


class quiet:
    """``with quiet():`` — NumPy's floating-point warnings off inside (``np.errstate``'s
    ``all="ignore"``, at a fifth of its cost)."""

    __slots__ = ("_token",)

    def __enter__(self):
        self._token = fp_errors_off()
        return self

    def __exit__(self, *exc):
        fp_errors_restore(self._token)
