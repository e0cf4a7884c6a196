"""Large NumPy ufuncs and reductions, split over the CPU's cores.

NumPy runs every ufunc on one thread; PyTorch splits large elementwise ops and
reductions over a thread pool. NumPy releases the GIL inside its ufunc loops,
so plain Python threads can do the same: ``apply`` computes ``ufunc(*args)``
in contiguous chunks of the output's leading dimension, each chunk writing
into its slice of one preallocated output (``out=``), and ``reduce`` splits
``ufunc.reduce`` over a dimension that is kept (each chunk writes its slice of
the result) or, when every large dimension is reduced, reduces the chunks to
partial results and combines them with the same ufunc.

Only CPU NumPy arrays with at least ``MIN_SIZE`` elements are split: below it
the threads' hand-over (tens of microseconds) costs more than it saves. An op is
cut into one chunk per thread, and the calling thread and the pool's workers each
claim the next chunk when they are free (``run``): a worker that gets no core in
time leaves its chunk to the caller. One parallel region runs at a time: a call
from another thread while one is running computes serially.

Whether splitting pays depends on the machine more than on the op. It costs two
cross-core thread wake-ups (the worker's start, the caller's wait): about 40 us each on
one 2-core VM, little on another, against ops of 100-500 us. So the first calls of each
kind of op (ufunc, path, size class) alternate one thread and the pool and time both,
and later calls take the faster (``_faster``). Both give the same numbers, bit for bit:
only splits that cannot change a result are learned. Sums and products reduced to
partial results always split, so their rounding never depends on the timings.

Large outputs are allocated 64-byte aligned (``empty``). glibc's malloc gives NumPy
large blocks at 16 bytes past a page, so every 64-byte AVX-512 load or store of
NumPy's SIMD loops straddles two cache lines: measured on this Xeon, ``add`` into an
aligned output takes ~25% less time, and ``exp`` of an aligned input ~20% less.
PyTorch's allocator aligns to 64 bytes for the same reason.
"""

from __future__ import annotations

import contextvars
import itertools
import operator
import os
import queue
import threading
import time

import numpy as np

from . import blas

# Measured on a 2-core machine (float32, the pool's time over one thread's): a single
# ufunc or reduction on 2**18 elements 0.86-1.38x (add 0.99, multiply 1.17, amax 1.38),
# on 2**19 elements 0.70-0.97x, on 2**20 0.58-0.78x. Right after a matmul it is worse:
# BLAS's worker threads keep spinning for a while and take the second core.
MIN_SIZE = 1 << 19
# Kernels that do many operations per element in cache-sized chunks (optimiser updates,
# the random-number transforms) already gain from the second core at 2**18 elements.
MIN_SIZE_KERNEL = 1 << 18

_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
    os.cpu_count() or 1)
_workers: list = []  # one job queue per worker thread (started on first use)
_busy = threading.Lock()
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def get_num_threads() -> int:
    """How many threads large ops are split over (the usable cores, by default)."""
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads: for splitting large ops, and for the BLAS behind matmul.

    ``numtorch.set_num_threads`` is this function, as ``torch.set_num_threads`` sets
    PyTorch's intra-op threads. 1 turns the splitting off and makes BLAS single-threaded
    (much faster than oversubscribed threads when other processes share the cores).
    """
    global _num_threads
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _num_threads = n
    blas.set_num_threads(n)
    _split_pays.clear()  # learned for the old thread count
    _trials.clear()
    _uses.clear()


class _Job:
    """One parallel region: ``fn(*chunk)`` for every chunk, each chunk claimed by whichever
    thread is free next.

    Claiming chunks one by one, rather than handing each thread a fixed share, keeps a
    region from waiting on a thread the OS has not scheduled: right after a matmul,
    BLAS's worker threads spin for a while on the cores, and a pool thread that gets no
    core in time claims nothing, so the caller runs the chunks itself. Measured on 2
    cores, (1000, 1000) float32 ``amax(dim=0)`` right after a gemv: 560 us with fixed
    halves, 310-330 us claimed (alone, with no gemv before it: 200 us either way).
    More, smaller chunks measured slower. A worker that wakes after the job is over
    finds no chunk left and does nothing.
    """

    def __init__(self, fn, chunks):
        self.fn, self.chunks = fn, chunks
        self.claims = itertools.count()  # next() on it is atomic under the GIL
        self.left = len(chunks)
        self.lock = threading.Lock()
        self.finished = queue.SimpleQueue()  # one item, when the last chunk is done
        self.error = None
        # The caller's context variables (NumPy's floating-point error state among them),
        # for the workers to run the chunks under: ``with quiet():`` reaches them too.
        self.context = contextvars.copy_context()

    def work(self) -> None:
        """Run chunks until none is left to claim."""
        n = len(self.chunks)
        for i in self.claims:
            if i >= n:
                return
            try:
                self.fn(*self.chunks[i])
            except BaseException as e:  # handed to the caller, raised there
                if self.error is None:
                    self.error = e
            with self.lock:
                self.left -= 1
                last = self.left == 0
            if last:
                self.finished.put(None)


def _work(jobs: queue.SimpleQueue) -> None:
    while True:
        job = jobs.get()
        job.context.copy().run(job.work)  # a copy each: one context runs in one thread


def run(fn, chunks, key=None) -> None:
    """``fn(*chunk)`` for every chunk, on this thread and the pool's, each thread claiming
    the next chunk when it is free (``_Job``).

    With a ``key`` (naming the kind of work and its size), whether the pool pays is
    learned as for ``apply`` (``_faster``); the other way runs the same chunks in order
    on this thread, so the results are the same either way."""
    if key is not None and len(chunks) > 1 and _num_threads > 1:
        _faster(key, lambda: _in_order(fn, chunks), lambda: run(fn, chunks))
        return
    threads = min(_num_threads, len(chunks))
    if threads < 2 or not _busy.acquire(blocking=False):
        _in_order(fn, chunks)
        return
    try:
        while len(_workers) < threads - 1:
            jobs = queue.SimpleQueue()
            threading.Thread(target=_work, args=(jobs,), daemon=True,
                             name="numtorch-parallel").start()
            _workers.append(jobs)
        job = _Job(fn, chunks)
        for jobs in _workers[:threads - 1]:
            jobs.put(job)
        job.work()
        job.finished.get()  # every chunk is done (workers write into our arrays)
        if job.error is not None:
            raise job.error
    finally:
        _busy.release()


def _in_order(fn, chunks) -> None:
    for c in chunks:
        fn(*c)


def split(fn, size: int, key=None) -> None:
    """``fn(start, stop)`` over ``range(size)`` cut into one contiguous range per thread, run
    as ``run`` runs chunks (for kernels whose rows are computed independently)."""
    run(fn, _bounds(size, min(_num_threads, size)) if size else [(0, 0)], key)


_ALIGN = 64
_ALIGN_MIN = 1 << 16  # bytes: below it the extra Python calls cost more than they save


def empty(shape, dtype):
    """``np.empty(shape, dtype)`` (C order), 64-byte aligned when large.

    The memory is a NumPy byte buffer seen through a ``memoryview``, so the array's
    chain of NumPy bases ends at the array itself (``storage_offset()`` is 0 and
    ``untyped_storage()`` its own size), as for an array NumPy allocated.
    """
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < _ALIGN_MIN:
        return np.empty(shape, dtype)
    buf = np.empty(nbytes + _ALIGN, np.uint8)
    off = -buf.__array_interface__["data"][0] % _ALIGN
    return np.frombuffer(memoryview(buf)[off:off + nbytes], dtype).reshape(shape)


def _reset_after_fork() -> None:
    # A forked child (DataLoader workers) has none of the parent's threads.
    global _busy
    _workers.clear()
    _busy = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


# --- whether splitting pays on this machine, learned from the first calls ----------------

_TRIALS = 4  # timed calls each way before deciding
_RELEARN = 1000  # calls after which a decision is learned again
_split_pays: dict = {}  # (ufunc, path, size class) -> True (split) or False (one thread)
_uses: dict = {}  # the same keys -> calls since the decision
_trials: dict = {}  # the same keys while learning -> ([one thread's seconds], [split's])
force_split: bool | None = None  # True or False: no learning (the tests of each path)


def _faster(key, single, split):
    """``split()`` or ``single()``, which compute the same result: whichever runs faster here.

    While ``key`` is being learned, calls alternate between the two and are timed; after
    ``_TRIALS`` of each, the one with the faster best call (the least disturbed by the
    rest of the machine) is kept for the next ``_RELEARN`` calls with that key, then
    learned again: the machine may have been busier, or quieter, while it was learned
    (the first batches of a training loop share the cores with its start-up).

    Measured on a 2-core AMD EPYC VM, where waking the worker takes ~40 us: a
    (1000, 1000) float32 add 97 us on one thread against 136-177 us split, ``amax(dim=0)``
    99 against 199 us, while ``exp`` gained (348 against 440 us); on a 2-core Xeon every
    one of them gained (see ``MIN_SIZE``)."""
    if force_split is not None:
        return split() if force_split else single()
    pays = _split_pays.get(key)
    if pays is not None:
        uses = _uses[key] = _uses.get(key, 0) + 1
        if uses >= _RELEARN:
            _split_pays.pop(key, None)
            _uses.pop(key, None)
        return split() if pays else single()
    times = _trials.setdefault(key, ([], []))
    use_split = len(times[1]) < len(times[0])  # alternate, one thread first
    start = time.perf_counter()
    result = split() if use_split else single()
    times[use_split].append(time.perf_counter() - start)
    if len(times[1]) >= _TRIALS:
        _split_pays[key] = min(times[1]) < min(times[0])
        _trials.pop(key, None)  # (another thread may have decided it just now)
    return result


def _bounds(size: int, n: int):
    """``n`` contiguous (start, stop) ranges covering ``range(size)`` evenly."""
    return [(size * i // n, size * (i + 1) // n) for i in range(n)]


def _split_axis(shape, n: int):
    """The first (outermost) dimension long enough to give every thread a chunk."""
    for ax, s in enumerate(shape):
        if s >= n:
            return ax
    return None


def _c_ordered(a) -> bool:
    """Strides non-increasing over the dims that matter: a ufunc's own output would be
    C-ordered too, so writing into a C-ordered output keeps NumPy's (and PyTorch's) layout."""
    last = None
    for s, st in zip(a.shape, a.strides):
        if s > 1:
            st = abs(st)
            if last is not None and st > last:
                return False
            last = st
    return True


def _chunk(a, ax: int, ndim: int, start: int, stop: int):
    """The part of input ``a`` that output rows ``start:stop`` of dimension ``ax`` read."""
    if type(a) is not np.ndarray:
        return a
    d = ax - (ndim - a.ndim)  # inputs broadcast from the right
    if d < 0 or a.shape[d] == 1:
        return a
    return a[(slice(None),) * d + (slice(start, stop),)]


def apply(ufunc, *args, dtype=None):
    """``ufunc(*args)`` (arrays and Python numbers, broadcasting), on threads when large.

    ``dtype`` is the output's dtype; by default NumPy's result for these operands.
    """
    n = _num_threads
    arrays = [a for a in args if type(a) is np.ndarray]
    if len(arrays) != len([a for a in args if hasattr(a, "shape")]):
        return ufunc(*args)  # CuPy / NumPy scalars: NumPy's own call
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    size = 1
    for s in shape:
        size *= s
    if size < MIN_SIZE or not all(_c_ordered(a) for a in arrays if a.ndim == len(shape)):
        return ufunc(*args)
    if dtype is None:
        dtype = ufunc.resolve_dtypes(tuple(
            a.dtype if type(a) is np.ndarray else type(a) for a in args) + (None,) * ufunc.nout
        )[-1]
    out = empty(shape, dtype)
    ax = _split_axis(shape, n)
    if n == 1 or ax is None:
        ufunc(*args, out=out)  # one thread: still into an aligned output
        return out
    ndim = len(shape)
    lead = (slice(None),) * ax

    def part(start, stop):
        ufunc(*[_chunk(a, ax, ndim, start, stop) for a in args],
              out=out[lead + (slice(start, stop),)])

    _faster((ufunc, "apply", size.bit_length()), lambda: ufunc(*args, out=out),
            lambda: run(part, _bounds(shape[ax], n)))
    return out


def reduce(ufunc, x, axis: tuple, keepdims: bool = False, dtype=None):
    """``ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype)`` (``np.add`` for sum,
    ``np.maximum`` for amax ...), on threads when ``x`` is large.

    Split over a kept dimension where there is one; otherwise each thread reduces a
    block and the partial results are reduced once more (for float sums that changes
    the order of additions, within rounding, as PyTorch's own threads do).
    """
    n = _num_threads
    if type(x) is not np.ndarray or x.size < MIN_SIZE:
        return ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype)
    if ufunc is np.add:  # BLAS first: SIMD, and on BLAS's own threads
        r = _sum_blas(x, axis, keepdims, dtype)
        if r is not None:
            return r
    if n == 1:
        return ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype)
    # Split the dimension with the largest stride (the outermost in memory) that is long
    # enough: each chunk is then one contiguous block of memory where x is contiguous.
    candidates = [d for d in range(x.ndim) if x.shape[d] >= n]
    ax = max(candidates, key=lambda d: abs(x.strides[d]))
    bounds = _bounds(x.shape[ax], n)
    lead = (slice(None),) * ax

    if ax not in axis:
        # Every chunk writes its own slice of the result.
        out_ax = ax if keepdims else ax - len([d for d in axis if d < ax])
        out_shape = tuple(1 if d in axis else s for d, s in enumerate(x.shape)) if keepdims \
            else tuple(s for d, s in enumerate(x.shape) if d not in axis)
        out = empty(out_shape, dtype or _reduce_dtype(ufunc, x))
        out_lead = (slice(None),) * out_ax

        def part(start, stop):
            ufunc.reduce(x[lead + (slice(start, stop),)], axis=axis, keepdims=keepdims,
                         dtype=dtype, out=out[out_lead + (slice(start, stop),)])

        # Each output element is reduced over the same inputs in the same order either way.
        _faster((ufunc, "kept", x.size.bit_length()),
                lambda: ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype, out=out),
                lambda: run(part, bounds))
        return out

    partials = [None] * len(bounds)

    def block(i, start, stop):
        partials[i] = ufunc.reduce(x[lead + (slice(start, stop),)], axis=axis,
                                   keepdims=keepdims, dtype=dtype)

    def split():
        run(block, [(i, *b) for i, b in enumerate(bounds)])
        result = partials[0]
        for p in partials[1:]:
            result = ufunc(result, p)
        return result

    if ufunc not in _EXACT_IN_PARTS:  # a sum or product: its rounding depends on the parts
        return split()
    return _faster((ufunc, "parts", x.size.bit_length()),
                   lambda: ufunc.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype), split)


# Reductions whose result does not depend on how the elements are grouped.
_EXACT_IN_PARTS = frozenset([np.maximum, np.minimum, np.fmax, np.fmin, np.logical_and,
                             np.logical_or, np.bitwise_and, np.bitwise_or, np.bitwise_xor])


_BLAS_SUM_MAX = 1 << 16  # the most elements one BLAS dot product accumulates
_BLAS_SUM_ROW = 4096  # a full sum: the length of the rows summed by BLAS
_ONES: dict = {}  # dtype -> a read-only ones vector, grown to the longest asked


def _ones(dtype, k: int):
    v = _ONES.get(dtype)
    if v is None or v.size < k:
        v = np.ones(max(k, 1024), dtype=dtype)
        v.flags.writeable = False
        _ONES[dtype] = v
    return v[:k]


def _sum_blas(x, axis, keepdims: bool, dtype):
    """A large float sum over the trailing or the leading dimensions of a C-contiguous
    array as a matrix-vector product with ones (BLAS gemv, SIMD, on BLAS's threads).
    None where that does not apply. Measured on the 2-core machine, (1000, 1000) float32
    summed over dim 1: gemv 0.10 ms on two threads, 0.16 ms on one; NumPy's
    ``add.reduce`` 0.45 ms, split over the pool 0.36 ms; PyTorch 0.13 ms. With a busy
    process on the other core: gemv 0.23 ms, PyTorch 0.41 ms.

    Each dot product accumulates at most ``_BLAS_SUM_MAX`` elements (in several SIMD
    lanes), a full sum adds the per-row results pairwise: the rounding is of the order
    of NumPy's and PyTorch's own. A sum of zeros is +0, as in PyTorch.
    """
    if x.dtype not in (_F32, _F64) or (dtype is not None and dtype != x.dtype) \
            or not x.flags.c_contiguous:
        return None
    nd, k = x.ndim, len(axis)
    axes = sorted(d % nd for d in axis)
    shape = x.shape
    if k == nd:  # everything: rows of _BLAS_SUM_ROW elements, then their sums
        flat = x.reshape(-1)
        m = flat.size // _BLAS_SUM_ROW
        r = np.add.reduce(flat[:m * _BLAS_SUM_ROW].reshape(m, _BLAS_SUM_ROW)
                          @ _ones(x.dtype, _BLAS_SUM_ROW))
        if m * _BLAS_SUM_ROW < flat.size:
            r = r + np.add.reduce(flat[m * _BLAS_SUM_ROW:])
        return r.reshape((1,) * nd) if keepdims else r
    m = 1
    if axes == list(range(nd - k, nd)):  # trailing dimensions
        for s in shape[:nd - k]:
            m *= s
        kk = x.size // m
        if kk > _BLAS_SUM_MAX or kk < 64:  # short rows: BLAS's per-row cost dominates
            return None
        r = x.reshape(m, kk) @ _ones(x.dtype, kk)
    elif axes == list(range(k)):  # leading dimensions
        for s in shape[:k]:
            m *= s
        if m > _BLAS_SUM_MAX or m < 2:
            return None
        r = _ones(x.dtype, m) @ x.reshape(m, -1)
    else:
        return None
    out_shape = tuple(1 if d in axes else s for d, s in enumerate(shape)) if keepdims \
        else tuple(s for d, s in enumerate(shape) if d not in axes)
    return r.reshape(out_shape)


def _reduce_dtype(ufunc, x):
    """The dtype ``ufunc.reduce`` gives for ``x`` (sums of small ints widen, as in NumPy)."""
    return ufunc.reduce(x.reshape(-1)[:1]).dtype


_UFUNC_OF = {operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
             operator.truediv: np.true_divide}


def binary(op):
    """The threaded form of a binary operator (``operator.add`` ...) or ufunc: a function
    of two operands calling ``apply``. Anything else is returned unchanged."""
    ufunc = _UFUNC_OF.get(op, op)
    if type(ufunc) is not np.ufunc:
        return op
    return lambda a, b: apply(ufunc, a, b)
