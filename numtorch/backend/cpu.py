"""The cpu backend is NumPy itself; this module names it, and tunes glibc's malloc for it.

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

import numpy as xp  # noqa: F401

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
