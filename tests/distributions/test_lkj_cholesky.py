"""LKJCholesky against torch.distributions.LKJCholesky."""

import numpy as np
import pytest

import numtorch
from tests.distributions.helpers import SEEDS, assert_same, same_error, same_repr
from tests.utils import torch

CASES = [(3, 0.5, "float32"), (5, [0.5, 2.0], "float64"), (2, 1.0, "float32"),
         (4, [[1.5], [0.3]], "float32")]


def _both(dim, conc, dtype):
    out = []
    for lib in (numtorch, torch):
        c = lib.tensor(conc, dtype=getattr(lib, dtype)) if isinstance(conc, list) else conc
        out.append(lib.distributions.LKJCholesky(dim, c))
    return out


def _same_cholesky_draws(nt_fn, pt_fn, seed):
    """The Beta and normal draws are PyTorch's bit for bit; the row norms, square roots
    and sums of squares may round differently in the last bit (PyTorch's vectorised sqrt
    is not correctly rounded on every CPU: on an AMD EPYC 1 in 5 float32 results is one
    unit off). The off-diagonal entries are compared to a few units in the last place.
    The diagonal is ``sqrt(1 - sum of the row's squares)``, which amplifies those units
    where the row's squares sum nearly to 1, so it is compared through its square, whose
    error is that of the sum."""
    numtorch.manual_seed(seed)
    a = nt_fn()
    torch.manual_seed(seed)
    b = pt_fn()
    tol = 1e-6 if b.dtype == torch.float32 else 1e-14
    off = ~np.eye(a.shape[-1], dtype=bool)
    assert_same(a * numtorch.tensor(off), b * torch.tensor(off), rtol=tol, atol=tol)
    da, db = a.diagonal(dim1=-2, dim2=-1), b.diagonal(dim1=-2, dim2=-1)
    assert_same(da * da, db * db, rtol=tol, atol=4 * tol)


@pytest.mark.parametrize("dim,conc,dtype", CASES)
@pytest.mark.parametrize("seed", SEEDS)
def test_draws_match_torch(dim, conc, dtype, seed):
    nt, pt = _both(dim, conc, dtype)
    assert nt.batch_shape == pt.batch_shape and nt.event_shape == pt.event_shape
    _same_cholesky_draws(lambda: nt.sample((3,)), lambda: pt.sample((3,)), seed)
    ne, pe = nt.expand((2, *nt.batch_shape)), pt.expand((2, *pt.batch_shape))
    _same_cholesky_draws(lambda: ne.sample(), lambda: pe.sample(), seed)


def test_large_draws_match_torch_to_rounding():
    nt, pt = _both(20, 3.0, "float32")
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    assert_same(nt.sample((4,)), pt.sample((4,)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dim,conc,dtype", CASES)
def test_log_prob_matches_torch(dim, conc, dtype):
    nt, pt = _both(dim, conc, dtype)
    torch.manual_seed(0)
    value = pt.sample((2,))
    assert_same(nt.log_prob(numtorch.tensor(value.numpy())), pt.log_prob(value), rtol=1e-5)
    same_repr(nt, pt)
    assert repr(nt.support) == repr(pt.support).replace("torch", "numtorch")


def test_log_prob_gradient_matches_torch():
    c = np.array([0.5, 2.0])
    a, b = numtorch.tensor(c, requires_grad=True), torch.tensor(c, requires_grad=True)
    torch.manual_seed(0)
    value = torch.distributions.LKJCholesky(3, torch.tensor(c)).sample()
    numtorch.distributions.LKJCholesky(3, a).log_prob(numtorch.tensor(value.numpy())).sum().backward()
    torch.distributions.LKJCholesky(3, b).log_prob(value).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10)


def test_errors_match_torch():
    L, TL = numtorch.distributions.LKJCholesky, torch.distributions.LKJCholesky
    same_error(lambda: L(1), lambda: TL(1))
    same_error(lambda: L(3, -1.0), lambda: TL(3, -1.0))
