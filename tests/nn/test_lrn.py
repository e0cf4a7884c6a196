"""LocalResponseNorm / F.local_response_norm (numtorch/ops/lrn.py) vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from tests.utils import check_op, noncontig, torch


def _data(shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 6, 3, 4), (1, 4, 2, 3, 2), (2, 1, 3)])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 9])
def test_values_and_grads(shape, size):
    check_op(F.local_response_norm, torch.nn.functional.local_response_norm, _data(shape), size,
             alpha=0.5, beta=0.75, k=1.5)


def test_defaults_noncontig_and_float64():
    check_op(F.local_response_norm, torch.nn.functional.local_response_norm,
             noncontig(_data((2, 5, 3, 3))), 3)
    check_op(F.local_response_norm, torch.nn.functional.local_response_norm,
             _data((2, 5, 3), np.float64), 2, alpha=2.0, beta=0.5, k=0.5)


def test_integer_input_and_empty():
    x = np.arange(24).reshape(2, 3, 4) - 5
    check_op(F.local_response_norm, torch.nn.functional.local_response_norm, x, 2, grad=False)
    e = numtorch.zeros(0, 3, 4)
    assert F.local_response_norm(e, 2) is e


def test_module():
    for args in [(3,), (2, 1e-3, 0.5, 2)]:
        m, tm = nn.LocalResponseNorm(*args), torch.nn.LocalResponseNorm(*args)
        assert repr(m) == repr(tm) and list(m.state_dict()) == []
        check_op(m, tm, _data((2, 6, 4, 4)))
    x = numtorch.randn(2, 3, 4, requires_grad=True)
    assert type(nn.LocalResponseNorm(2)(x).grad_fn).__name__ == "DivBackward0"


def test_double_backward_and_gradcheck():
    x = numtorch.tensor(_data((2, 4, 3), np.float64), requires_grad=True)
    assert gradcheck(lambda t: F.local_response_norm(t, 3, alpha=0.7, k=0.9), (x,))
    assert numtorch.autograd.gradgradcheck(lambda t: F.local_response_norm(t, 2, alpha=0.7), (x,))


def test_errors():
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality +input \(got 2"):
        F.local_response_norm(numtorch.randn(2, 3), 2)
    with pytest.raises(RuntimeError, match="kernel size should be greater than zero, but got kH"):
        F.local_response_norm(numtorch.randn(2, 3, 4), 0)
    with pytest.raises(RuntimeError, match="but got kT: 0 kH: 1 kW: 1"):
        F.local_response_norm(numtorch.randn(2, 3, 4, 4), 0)
    with pytest.raises(TypeError, match="must be tuple of ints"):
        F.local_response_norm(numtorch.randn(2, 3, 4), 2.5)
