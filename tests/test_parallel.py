"""backend.parallel: large ufuncs and reductions split over threads give NumPy's results."""

import numpy as np
import pytest

import numtorch
from numtorch.backend import parallel

BIG = parallel.MIN_SIZE
RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


@pytest.fixture
def two_threads(monkeypatch):
    """Two threads, and every large op split (not left to the learned choice)."""
    old = parallel.get_num_threads()
    parallel.set_num_threads(2)
    monkeypatch.setattr(parallel, "force_split", True)
    yield
    parallel.set_num_threads(old)


def serial(fn):
    old = parallel.get_num_threads()
    parallel.set_num_threads(1)
    try:
        return fn()
    finally:
        parallel.set_num_threads(old)


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.maximum, np.greater])
@pytest.mark.parametrize("shapes", [
    ((700, 500), (700, 500)), ((700, 500), (1, 500)), ((700, 500), (700, 1)),
    ((1, 500), (700, 500)), ((700, 500), (500,)), ((1, BIG + 3), (1, BIG + 3)),
    ((3, 7, 20000), (7, 1)),
])
def test_apply_matches_the_ufunc_exactly_with_broadcasting(two_threads, ufunc, shapes):
    a, b = rand(*shapes[0]), rand(*shapes[1])
    r = parallel.apply(ufunc, a, b)
    expect = ufunc(a, b)
    assert r.dtype == expect.dtype and r.shape == expect.shape
    np.testing.assert_array_equal(r, expect)


@pytest.mark.parametrize("other", [2, 2.5])
def test_apply_with_a_python_number_keeps_the_array_dtype(two_threads, other):
    a = rand(600, 600)
    r = parallel.apply(np.multiply, a, other)
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r, a * other)


def test_apply_on_non_contiguous_inputs(two_threads):
    base = rand(800, 1400)
    a = base[:, ::2]  # C-ordered but strided: split
    np.testing.assert_array_equal(parallel.apply(np.exp, a), np.exp(a))
    t = base.T  # Fortran-ordered: NumPy's own (F-ordered) result is kept
    r = parallel.apply(np.exp, t)
    np.testing.assert_array_equal(r, np.exp(t))
    assert r.strides == np.exp(t).strides


def test_apply_raises_numpy_broadcast_error(two_threads):
    with pytest.raises(ValueError, match="broadcast"):
        parallel.apply(np.add, rand(600, 500), rand(600, 3))


def test_worker_errors_reach_the_caller(two_threads):
    def fail(i):
        if i == 1:
            raise KeyError("from the worker")

    with pytest.raises(KeyError, match="from the worker"):
        parallel.run(fail, [(0,), (1,)])
    parallel.run(lambda i: None, [(0,), (1,)])  # the pool still works


def test_run_does_every_chunk_once_with_more_chunks_than_threads(two_threads):
    import threading

    seen, lock = [], threading.Lock()

    def note(i):
        with lock:
            seen.append(i)

    parallel.run(note, [(i,) for i in range(9)])
    assert sorted(seen) == list(range(9))


@pytest.mark.parametrize("size", [0, 1, 2, 7])
def test_split_covers_the_range_once_in_contiguous_ranges(two_threads, size):
    seen = []
    parallel.split(lambda a, b: seen.append((a, b)), size)
    covered = sorted(i for a, b in seen for i in range(a, b))
    assert covered == list(range(size))
    assert len(seen) == (min(2, size) if size else 1)


def test_run_does_not_wait_for_a_worker_that_never_starts(two_threads):
    """A worker held up elsewhere (as when BLAS's spinning threads take the cores) leaves
    its chunk to the caller, which finishes the job alone."""
    import contextvars
    import threading

    parallel.run(lambda i: None, [(0,), (1,)])  # the worker exists
    release, held = threading.Event(), threading.Event()

    class Stall:
        context = contextvars.copy_context()

        def work(self):
            held.set()
            release.wait(10)

    parallel._workers[0].put(Stall())
    assert held.wait(10)
    done = []
    try:
        parallel.run(lambda i: done.append((i, threading.get_ident())), [(0,), (1,)])
    finally:
        release.set()
    assert sorted(i for i, _ in done) == [0, 1]
    assert {t for _, t in done} == {threading.get_ident()}
    parallel.run(lambda i: None, [(0,), (1,)])  # the late worker found nothing to do


@pytest.mark.parametrize("ufunc", [np.add, np.maximum, np.minimum])
@pytest.mark.parametrize("axis", [(0,), (1,), (0, 1), (1, 2), (0, 2), ()])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_matches_numpy(two_threads, ufunc, axis, keepdims):
    x = rand(60, 70, 80)
    r = parallel.reduce(ufunc, x, axis, keepdims)
    expect = ufunc.reduce(x, axis=axis, keepdims=keepdims)
    assert np.shape(r) == np.shape(expect) and r.dtype == expect.dtype
    np.testing.assert_allclose(r, expect, rtol=1e-5, atol=1e-4)


def test_reduce_int_sum_widens_as_numpy(two_threads):
    x = RNG.integers(0, 100, size=(600, 600), dtype=np.int32)
    for axis in [(0,), (1,), (0, 1)]:
        r, expect = parallel.reduce(np.add, x, axis), np.add.reduce(x, axis=axis)
        assert r.dtype == expect.dtype
        np.testing.assert_array_equal(r, expect)


def test_reduce_of_a_transposed_array(two_threads):
    x = rand(700, 600).T
    np.testing.assert_allclose(parallel.reduce(np.add, x, (1,)), x.sum(axis=1), rtol=1e-5,
                               atol=1e-3)


# --- through numtorch: the threaded and single-thread paths agree ------------------------


def ops(x, row, col):
    return {
        "chain": ((x * row + col).exp() - x).relu(),
        "sub": x - row, "div": x / col, "mul_scalar": x * 3.0, "radd": 1.5 + x,
        "log": x.abs().log(), "tanh": x.tanh(), "relu": x.relu(),
        "maximum": numtorch.maximum(x, row), "minimum": numtorch.minimum(col, x),
        "gt": x > row, "eq": x == x,
        "sum1": x.sum(dim=1), "sum0": x.sum(dim=0, keepdim=True), "sum": x.sum(),
        "mean": x.mean(), "mean1": x.mean(dim=1), "amax0": x.amax(dim=0), "amin": x.amin(),
    }


@pytest.mark.parametrize("contiguous", [True, False])
def test_numtorch_ops_equal_single_thread_results(two_threads, contiguous):
    xs = rand(700, 800) if contiguous else rand(700, 1600)[:, ::2]
    x = numtorch.from_numpy(xs)
    row, col = numtorch.tensor(rand(1, 800)), numtorch.tensor(rand(700, 1))
    xs[0, :3] = [np.nan, -np.inf, np.inf]
    par = ops(x, row, col)
    ser = serial(lambda: ops(x, row, col))
    for name, r in par.items():
        assert r.dtype == ser[name].dtype and r.shape == ser[name].shape, name
        if name.startswith(("sum", "mean")):
            np.testing.assert_allclose(r.numpy(), ser[name].numpy(), rtol=1e-5, atol=1e-3,
                                       err_msg=name)
        else:
            np.testing.assert_array_equal(r.numpy(), ser[name].numpy(), err_msg=name)


def test_relu_keeps_nan_and_gradients_match(two_threads):
    xs = rand(600, 600)
    xs[1, 1] = np.nan
    x = numtorch.tensor(xs, requires_grad=True)
    y = x.relu()
    assert np.isnan(y[1, 1].item())
    (y * 2).sum().backward()
    g = serial(lambda: (lambda t: ((t.relu() * 2).sum().backward(), t.grad)[1])(
        numtorch.tensor(xs, requires_grad=True)))
    np.testing.assert_array_equal(x.grad.numpy(), g.numpy())


def test_broadcast_mismatch_still_raises_pytorchs_error(two_threads):
    a, b = numtorch.zeros(600, 500), numtorch.zeros(600, 3)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(500\) must match"):
        numtorch.add(a, b)


def test_empty_and_zero_dim_tensors_are_unaffected(two_threads):
    e = numtorch.zeros(0, 600000)
    assert (e + e).shape == (0, 600000) and e.sum(dim=0).shape == (600000,)
    s = numtorch.tensor(2.0)
    assert (s * s).item() == 4.0 and s.exp().shape == ()


def test_set_num_threads_rejects_non_positive():
    with pytest.raises(RuntimeError, match="positive integer"):
        parallel.set_num_threads(0)


def test_malloc_tuning_applies_on_glibc_and_can_be_turned_off():
    import platform
    import subprocess
    import sys

    code = "from numtorch.backend import cpu; print(cpu.tune_malloc())"
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "NUMTORCH_MALLOC_TUNING": "0"})
    assert off.stdout.strip() == "False", off.stderr
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert on.stdout.strip() == str(glibc), on.stderr


def test_malloc_tuning_reuses_freed_arrays_without_page_faults():
    import os
    import platform
    import subprocess
    import sys

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("the tuning applies to glibc only")
    code = (
        "import resource, numpy as np, numtorch\n"
        "def step():\n"
        "    a = np.ones(1 << 20, np.float32); b = a * 2; del a, b\n"
        "for _ in range(5): step()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(200): step()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n")
    faults = {}
    for setting in ("1", "0"):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "NUMTORCH_MALLOC_TUNING": setting})
        faults[setting] = int(run.stdout.strip() or -1)
    # Tuned: the two 4 MiB arrays are reused in place (a handful of faults at most);
    # untuned glibc maps fresh pages for them again and again (~2,000 per step).
    assert 0 <= faults["1"] < 100, faults
    assert faults["0"] > 10 * max(faults["1"], 10), faults


# --- the learned choice between one thread and the pool -----------------------------------


@pytest.fixture
def learning(monkeypatch):
    old = parallel.get_num_threads()
    parallel.set_num_threads(2)  # also forgets what was learned
    monkeypatch.setattr(parallel, "force_split", None)
    yield
    parallel.set_num_threads(old)


@pytest.mark.parametrize("split_is_faster", [True, False])
def test_faster_learns_the_faster_way_then_keeps_it(learning, split_is_faster):
    import time

    calls = []

    def way(name, seconds):
        def run():
            calls.append(name)
            time.sleep(seconds)
            return "result"
        return run

    single = way("single", 0.0 if not split_is_faster else 0.004)
    split = way("split", 0.004 if not split_is_faster else 0.0)
    key = ("test", split_is_faster)
    for _ in range(2 * parallel._TRIALS):
        assert parallel._faster(key, single, split) == "result"
    # learning alternates, one thread first
    assert calls == ["single", "split"] * parallel._TRIALS
    assert parallel._split_pays[key] is split_is_faster and key not in parallel._trials
    calls.clear()
    for _ in range(3):
        parallel._faster(key, single, split)
    assert calls == ["split" if split_is_faster else "single"] * 3


def test_set_num_threads_forgets_what_was_learned(learning):
    parallel._split_pays[("test", "key")] = True
    parallel.set_num_threads(2)
    assert parallel._split_pays == {} and parallel._trials == {}


def test_learning_gives_the_same_bits_on_either_path(learning):
    # Every call, learning or not, split or not, returns NumPy's one-thread result exactly.
    x = rand(700, 800)
    row = rand(1, 800)
    for _ in range(2 * parallel._TRIALS + 2):
        np.testing.assert_array_equal(parallel.apply(np.multiply, x, row), x * row)
        np.testing.assert_array_equal(parallel.reduce(np.maximum, x, (0,)), x.max(axis=0))
        np.testing.assert_array_equal(parallel.reduce(np.minimum, x, (1,)), x.min(axis=1))
    assert {k[1] for k in parallel._split_pays} == {"apply", "parts", "kept"}


@pytest.mark.parametrize("shape", [(700, 800), (60, 70, 180), (300, 9, 300)])
def test_kept_dimension_reductions_are_bit_identical_split_or_not(monkeypatch, shape):
    """Only splits that cannot change a result are left to the timings: a reduction split
    over a kept dimension reduces every output element exactly as one thread does."""
    import itertools

    x = rand(*shape)
    for view in (x, x[..., ::-1], np.moveaxis(x, 0, -1)):
        for k in range(1, view.ndim):
            for axis in itertools.combinations(range(view.ndim), k):
                got = {}
                for split in (True, False):
                    monkeypatch.setattr(parallel, "force_split", split)
                    got[split] = parallel.reduce(np.multiply, view, axis)
                np.testing.assert_array_equal(got[True], got[False], err_msg=str(axis))


def test_sums_in_parts_always_split(learning):
    # A float sum reduced in parts rounds differently from one thread's: never learned,
    # so its result never depends on the timings.
    x = rand(800, 1400)[:, ::2]  # strided, so not BLAS's: the parts path
    assert x.size >= parallel.MIN_SIZE
    first = parallel.reduce(np.add, x, (0, 1))
    for _ in range(2 * parallel._TRIALS):
        np.testing.assert_array_equal(parallel.reduce(np.add, x, (0, 1)), first)
    assert not any(k[0] is np.add for k in parallel._split_pays)


def test_run_with_a_key_runs_every_chunk_once_either_way(learning):
    import threading

    seen, lock = [], threading.Lock()

    def note(i):
        with lock:
            seen.append((i, threading.get_ident()))

    key = ("test", "run")
    for _ in range(2 * parallel._TRIALS + 2):
        seen.clear()
        parallel.run(note, [(i,) for i in range(5)], key=key)
        assert sorted(i for i, _ in seen) == list(range(5))
    assert key in parallel._split_pays
    if not parallel._split_pays[key]:  # one thread: this one, in order
        assert seen == [(i, threading.get_ident()) for i in range(5)]


def test_learning_from_several_threads_at_once(learning):
    # user threads may learn the same key together: no error, one decision in the end
    import threading

    errors = []

    def hammer():
        try:
            for _ in range(200):
                parallel._faster(("test", "threads"), lambda: 1, lambda: 1)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and ("test", "threads") in parallel._split_pays


def test_a_decision_is_learned_again_after_relearn_calls(learning, monkeypatch):
    monkeypatch.setattr(parallel, "_RELEARN", 3)
    calls = []
    single, split = (lambda: calls.append("single")), (lambda: calls.append("split"))
    key = ("test", "relearn")
    for _ in range(2 * parallel._TRIALS):
        parallel._faster(key, single, split)
    decided = parallel._split_pays[key]
    calls.clear()
    for _ in range(3):  # the decision's calls, then it is forgotten
        parallel._faster(key, single, split)
    assert calls == ["split" if decided else "single"] * 3
    assert key not in parallel._split_pays
    calls.clear()
    parallel._faster(key, single, split)
    parallel._faster(key, single, split)
    assert calls == ["single", "split"]  # learning again, alternating
