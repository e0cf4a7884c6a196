"""Wishart against PyTorch's, its correction loop and warning included."""

import warnings

import numpy as np
import pytest

import numtorch
from tests.distributions.family_checks import check_grads, check_values
from tests.distributions.helpers import SEEDS, same_draws, same_error
from tests.utils import torch

F64 = np.float64
COV = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]], F64)
TRIL = np.linalg.cholesky(COV)
CASES = [
    (dict(df=np.array(5.0, F64), covariance_matrix=COV),
     np.array([[3.0, 0.5, 0.1], [0.5, 2.0, 0.0], [0.1, 0.0, 1.5]], F64)),
    (dict(df=np.array([4.0, 6.5], F64), scale_tril=TRIL),
     np.array([[3.0, 0.5, 0.1], [0.5, 2.0, 0.0], [0.1, 0.0, 1.5]], F64)),
    (dict(df=np.array([3.5], F64), precision_matrix=np.linalg.inv(COV)),
     np.eye(3, dtype=F64) * 2),
]


@pytest.mark.parametrize("kwargs,value", CASES)
def test_wishart_values_match_torch(kwargs, value):
    check_values("Wishart", kwargs, value, methods=("log_prob",),
                 moments=("mean", "mode", "variance"), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("seed", SEEDS)
def test_wishart_draws_match_torch_with_its_correction_loop(case, seed):
    from tests.distributions.helpers import both

    nt, _, pt, _ = both("Wishart", CASES[case][0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        same_draws(lambda: nt.rsample((2,)), lambda: pt.rsample((2,)), seed, exact=False)
    messages = [str(w.message) for w in caught]
    # PyTorch flags the samples that pass its positive-definite check, warns and redraws
    # them; numtorch does the same, so the warning comes once from each library
    assert messages.count("Singular sample detected.") == 2


def test_wishart_gradients_match_torch():
    check_grads("Wishart", *CASES[1], methods=("log_prob", "entropy", "mean", "variance"))


def test_wishart_rsample_gradient_fails_as_in_torch():
    """PyTorch's correction loop changes its mask in place after indexing with it, so the
    backward of a corrected sample raises its in-place error; numtorch's does too."""
    from tests.distributions.helpers import both

    nt, ntp, pt, ptp = both("Wishart", CASES[1][0], requires_grad=True)
    for lib, dist in ((numtorch, nt), (torch, pt)):
        lib.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sample = dist.rsample((3,))
        with pytest.raises(RuntimeError, match="modified by an inplace operation: "
                                               r"\[CPUBoolType \[3\]\] is at version"):
            sample.sum().backward()


def test_wishart_expand_keeps_the_parametrisation():
    w = numtorch.distributions.Wishart(numtorch.tensor(5.0, dtype=numtorch.float64),
                                       covariance_matrix=numtorch.tensor(COV))
    e = w.expand((4,))
    assert e.batch_shape == (4,) and e.event_shape == (3, 3)
    assert e.covariance_matrix.shape == (4, 3, 3) and "covariance_matrix" in e.__dict__


def test_wishart_errors_and_warnings_match_torch():
    W, TW = numtorch.distributions.Wishart, torch.distributions.Wishart
    cov, tcov = numtorch.tensor(COV), torch.tensor(COV)
    same_error(lambda: W(5.0), lambda: TW(5.0), AssertionError)
    same_error(lambda: W(5.0, cov, scale_tril=cov), lambda: TW(5.0, tcov, scale_tril=tcov),
               AssertionError)
    same_error(lambda: W(5.0, numtorch.ones(3)), lambda: TW(5.0, torch.ones(3)))
    same_error(lambda: W(1.5, cov), lambda: TW(1.5, tcov))
    with pytest.warns(UserWarning, match="Low df values detected. Singular samples are highly "
                                         "likely to occur for ndim - 1 < df < ndim."):
        W(2.5, cov)
