"""numtorch.special's orthogonal polynomials against PyTorch: values over a grid of points
and degrees (the ends of the interval, the trigonometric forms of high degrees, negative
and fractional degrees), broadcasting, dtypes, out=, and errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import numtorch
from tests.utils import torch

NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]
POINTS = [-2, -1.5, -1, -0.999, -0.7, -0.5, -0.3, 0, 0.1, 0.25, 0.5, 0.75, 0.999, 1, 1.5, 2,
          3, np.inf, -np.inf, 0.3]
DEGREES = [-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 20, 33]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_match_torch_over_points_and_degrees(name, dtype):
    x, n = np.meshgrid(np.array(POINTS, dtype=dtype), np.array(DEGREES))
    ours = getattr(numtorch.special, name)(numtorch.tensor(x), numtorch.tensor(n))
    theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n))
    assert ours.dtype is getattr(numtorch, np.dtype(dtype).name)
    assert ours.grad_fn is None and not ours.requires_grad
    # float32 trigonometric forms go through different libm cos/acos: a few units in the
    # last place of the angle, amplified near the ends of the interval.
    tol = dict(rtol=1e-3, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), equal_nan=True, **tol)


@pytest.mark.parametrize("name", NAMES)
def test_degree_forms_scalars_broadcasting_and_out(name):
    ours, theirs = getattr(numtorch.special, name), getattr(torch.special, name)
    x = np.array([[0.2], [0.6], [-0.4]], dtype=np.float32)
    n = np.array([2.7, 3.0, -0.5, np.nan, np.inf, 1e30], dtype=np.float32)  # truncated; bad: 0
    np.testing.assert_allclose(ours(numtorch.tensor(x), numtorch.tensor(n)).numpy(),
                               theirs(torch.tensor(x), torch.tensor(n)).numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours(0.3, numtorch.tensor([4, 5])).numpy(),
                               theirs(0.3, torch.tensor([4, 5])).numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours(numtorch.tensor([0.3, 0.8]), 4).numpy(),
                               theirs(torch.tensor([0.3, 0.8]), 4).numpy(), rtol=1e-5)
    # Integer (and bool) inputs give the default float dtype; float64 stays float64.
    assert ours(numtorch.tensor([1, 2]), numtorch.tensor([2, 3])).dtype is numtorch.float32
    assert ours(numtorch.tensor([0.5], dtype=numtorch.float64), 3).dtype is numtorch.float64
    assert ours(numtorch.tensor(0.5), 3).shape == ()
    out = numtorch.empty(2)
    r = ours(numtorch.tensor([0.3, 0.8]), 3, out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), theirs(torch.tensor([0.3, 0.8]), 3).numpy(),
                               rtol=1e-5)
    # Not differentiable, as in PyTorch: the result never requires grad.
    assert not ours(numtorch.tensor([0.3], requires_grad=True), 3).requires_grad


@pytest.mark.parametrize("name", NAMES)
def test_nan_points_give_nan(name):
    # PyTorch's loop stops at once on a NaN and returns an uninitialised value (garbage
    # such as -1.7e18 or 5.6e-45) for several of these; numtorch returns NaN.
    out = getattr(numtorch.special, name)(numtorch.tensor([np.nan] * 4), numtorch.tensor(
        [2, 3, 7, 12]))
    assert np.isnan(out.numpy()).all()


def test_errors_match_torch():
    msg = ("special_chebyshev_polynomial_t() received an invalid combination of arguments - "
           "got (float, int), but expected one of:")
    for lib in (numtorch, torch):
        with pytest.raises(TypeError, match=re.escape(msg)):
            lib.special.chebyshev_polynomial_t(0.5, 3)
        with pytest.raises(NotImplementedError,
                           match=re.escape("\"legendre_polynomial_p_cpu\" not implemented for "
                                           "'Half'")):
            lib.special.legendre_polynomial_p(lib.tensor([0.5], dtype=lib.float16), 2)
