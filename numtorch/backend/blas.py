"""Calls into the BLAS that NumPy already loaded, for what NumPy does not expose.

NumPy reaches BLAS only through ``matmul``/``dot``. Two things numtorch needs are
missing: BLAS's thread count (``numtorch.set_num_threads`` sets it), and axpy,
``y += alpha * x``. An optimiser step is mostly ``param.add_(grad, alpha=-lr)``;
in NumPy that is ``param -= lr * grad``: two passes over memory, a temporary, and
two roundings. BLAS's axpy is one pass with a fused multiply-add — one rounding,
which is what PyTorch's ``add_(x, alpha=)`` computes, so SGD's parameters come out
bit for bit as PyTorch's. Measured on the tutorial MLP's parameters (2 cores):
0.19 ms against NumPy's 0.47 ms (PyTorch 0.21 ms).

NumPy's wheels bundle OpenBLAS; its symbols are found by name in the loaded
library (``/proc/self/maps``). Anywhere else (another BLAS, another OS, CuPy
arrays) ``axpy`` returns False and the caller uses NumPy.
"""

from __future__ import annotations

import contextlib
import ctypes

import numpy as np

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)

# OpenBLAS's names for each routine: scipy-openblas (NumPy's wheels, 64-bit ints),
# a 64-bit-int OpenBLAS, then a plain one (C ints).
_NAMES = {
    "set_num_threads": [("scipy_openblas_set_num_threads64_", ctypes.c_int),
                        ("openblas_set_num_threads64_", ctypes.c_int),
                        ("scipy_openblas_set_num_threads", ctypes.c_int),
                        ("openblas_set_num_threads", ctypes.c_int)],
    "get_num_threads": [("scipy_openblas_get_num_threads64_", ctypes.c_int),
                        ("openblas_get_num_threads64_", ctypes.c_int),
                        ("scipy_openblas_get_num_threads", ctypes.c_int),
                        ("openblas_get_num_threads", ctypes.c_int)],
    "saxpy": [("scipy_cblas_saxpy64_", ctypes.c_int64), ("cblas_saxpy64_", ctypes.c_int64),
              ("cblas_saxpy", ctypes.c_int)],
    "daxpy": [("scipy_cblas_daxpy64_", ctypes.c_int64), ("cblas_daxpy64_", ctypes.c_int64),
              ("cblas_daxpy", ctypes.c_int)],
}
_found: dict | None = None  # routine -> (C function, its integer type), filled on first use


def _openblas_libraries():
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f
                            if "openblas" in line and ".so" in line})
    except OSError:  # not Linux
        return []
    libs = []
    for path in paths:
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libs


def _routines() -> dict:
    global _found
    if _found is None:
        found = {}
        for lib in _openblas_libraries():
            for routine, names in _NAMES.items():
                for name, int_t in names:
                    fn = getattr(lib, name, None)
                    if fn is not None and routine not in found:
                        found[routine] = (fn, int_t)
                        break
        for routine, real in (("saxpy", ctypes.c_float), ("daxpy", ctypes.c_double)):
            if routine in found:
                fn, int_t = found[routine]
                fn.argtypes = [int_t, real, ctypes.c_void_p, int_t, ctypes.c_void_p, int_t]
                fn.restype = None
        _found = found
    return _found


def set_num_threads(n: int) -> None:
    """Tell NumPy's OpenBLAS to use ``n`` threads (nothing for other BLAS builds)."""
    entry = _routines().get("set_num_threads")
    if entry is not None:
        entry[0](ctypes.c_int(n))


def get_num_threads() -> int | None:
    """How many threads NumPy's OpenBLAS uses (None for other BLAS builds)."""
    entry = _routines().get("get_num_threads")
    return None if entry is None else int(entry[0]())


@contextlib.contextmanager
def one_thread():
    """BLAS on the calling thread alone for the block: for work that numtorch's own pool
    already splits over the cores. Each pool thread's axpy of a 64K-float chunk (OpenBLAS
    threads any axpy over 10,000 elements) otherwise wakes OpenBLAS's threads too. On 2
    cores that oversubscription doubled the lerp of Adam's first moment over a 401K-float
    parameter (381-430 us, against 189 us on one thread) and made the whole step 1.2-1.5x
    as slow. The thread count is OpenBLAS's global setting: a matmul on another Python
    thread meanwhile runs on one."""
    before = get_num_threads()
    if before is None or before == 1:
        yield
        return
    set_num_threads(1)
    try:
        yield
    finally:
        set_num_threads(before)


def _axpy_routine(x, y):
    """The BLAS routine for ``y += alpha * x``, or None where BLAS cannot take the arrays:
    C-contiguous float32/float64 NumPy arrays of one shape and dtype, ``y`` writeable and
    not overlapping ``x``."""
    if (type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != y.dtype
            or x.shape != y.shape or not (x.flags.c_contiguous and y.flags.c_contiguous)
            or not y.flags.writeable):
        return None
    dtype = y.dtype
    entry = _routines().get("saxpy" if dtype == _F32 else "daxpy" if dtype == _F64 else None)
    if entry is None or np.may_share_memory(x, y):
        return None
    return entry[0]


def axpy_ready(x, y) -> bool:
    """Whether ``axpy(alpha, x, y)`` would run (rather than return False)."""
    return _axpy_routine(x, y) is not None


def axpy(alpha: float, x, y) -> bool:
    """``y += alpha * x`` in place, rounded once (a fused multiply-add), for the arrays
    ``axpy_ready`` accepts. Returns False, touching nothing, where BLAS cannot do it."""
    routine = _axpy_routine(x, y)
    if routine is None:
        return False
    if y.size:
        routine(y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True
