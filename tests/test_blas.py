"""numtorch.backend.blas: axpy through NumPy's own OpenBLAS, and where it declines."""

import numpy as np
import pytest

from numtorch.backend import blas

HAVE_AXPY = {"saxpy", "daxpy"} <= set(blas._routines())
needs_axpy = pytest.mark.skipif(not HAVE_AXPY, reason="NumPy's BLAS has no callable axpy")


@needs_axpy
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 7, 33, 100003])
def test_axpy_rounds_once(dtype, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n).astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    alpha = -0.001
    # float32: the exact y + alpha*x rounded once (in float64 the product of two float32s is
    # exact and the sum rounds to within float32's reach of it, then rounds to float32)
    expected = y.copy()
    assert blas.axpy(alpha, x, expected)
    if dtype == np.float32:
        exact = (y.astype(np.float64) + np.float64(np.float32(alpha)) * x.astype(np.float64))
        np.testing.assert_array_equal(expected, exact.astype(np.float32))
    else:  # within an ulp of the operands of NumPy's twice-rounded result
        bound = 2 * np.finfo(np.float64).eps * (np.abs(y) + np.abs(alpha * x))
        assert np.all(np.abs(expected - (y + alpha * x)) <= bound)


@needs_axpy
def test_axpy_declines_what_it_cannot_do():
    x = np.ones((4, 6), np.float32)
    y = np.ones((4, 6), np.float32)
    before = y.copy()
    assert not blas.axpy(2.0, x.T, y.T.copy().T)  # not C-contiguous
    assert not blas.axpy(2.0, x[:, ::2], y[:, ::2])  # strided
    assert not blas.axpy(2.0, x.astype(np.float64), y)  # dtypes differ
    assert not blas.axpy(2.0, x.astype(np.float16), y.astype(np.float16))  # no half axpy
    assert not blas.axpy(2.0, x.reshape(-1), y)  # shapes differ
    assert not blas.axpy(2.0, y, y)  # overlapping
    frozen = y.copy()
    frozen.flags.writeable = False
    assert not blas.axpy(2.0, x, frozen)
    assert not blas.axpy(2.0, [1.0], [1.0])  # not arrays
    np.testing.assert_array_equal(y, before)


def test_set_num_threads_reaches_blas():
    if blas.get_num_threads() is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS numtorch can reach")
    import numtorch

    before = numtorch.get_num_threads()
    try:
        numtorch.set_num_threads(1)
        assert blas.get_num_threads() == 1
        numtorch.set_num_threads(2)
        assert blas.get_num_threads() == 2
    finally:
        numtorch.set_num_threads(before)


def test_one_thread_restores_blas_threads_even_on_error():
    if blas.get_num_threads() is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS numtorch can reach")
    before = blas.get_num_threads()
    blas.set_num_threads(2)
    try:
        with blas.one_thread():
            assert blas.get_num_threads() == 1
        assert blas.get_num_threads() == 2
        with pytest.raises(ZeroDivisionError):
            with blas.one_thread():
                raise ZeroDivisionError("inside the block")
        assert blas.get_num_threads() == 2
    finally:
        blas.set_num_threads(before)
