"""Parity helpers for numtorch.distributions: build the same distribution in numtorch
and in PyTorch from NumPy parameters, then compare what they compute."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import torch

SEEDS = (0, 7, 2024)
SAMPLE_SHAPES = ((), (3,), (2, 4))


def params(lib, kwargs, requires_grad=False):
    """``kwargs`` with NumPy arrays turned into ``lib`` tensors (numbers kept as they are)."""
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            t = lib.tensor(v)
            if requires_grad and t.dtype.is_floating_point:
                t.requires_grad_(True)
            out[k] = t
        else:
            out[k] = v
    return out


def both(cls_name, kwargs, requires_grad=False, module=None):
    """The distribution ``cls_name(**kwargs)`` in numtorch and in torch, with the tensor
    parameters of each (in ``kwargs`` order)."""
    nt_kw = params(numtorch, kwargs, requires_grad)
    pt_kw = params(torch, kwargs, requires_grad)
    nt = getattr(numtorch.distributions, cls_name)(**nt_kw)
    pt = getattr(torch.distributions, cls_name)(**pt_kw)
    return (nt, [v for v in nt_kw.values() if isinstance(v, numtorch.Tensor)],
            pt, [v for v in pt_kw.values() if isinstance(v, torch.Tensor)])


def assert_same(a, b, rtol=1e-5, atol=1e-6, exact=False):
    """numtorch tensor ``a`` equals torch tensor ``b``: shape, dtype, values (NaN == NaN)."""
    assert isinstance(a, numtorch.Tensor), type(a)
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    assert str(a.dtype).split(".")[1] == str(b.dtype).split(".")[1], (a.dtype, b.dtype)
    x, y = a.detach().numpy(), b.detach().numpy()
    if exact:
        np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, equal_nan=True)


def same_draws(nt_fn, pt_fn, seed, exact=True):
    """``nt_fn()`` and ``pt_fn()`` give identical values after ``manual_seed(seed)``.

    ``exact=False`` is for samplers that pass PyTorch's (identical) random numbers
    through a transcendental function (log1p, exp, a BLAS product): numtorch's NumPy
    kernels and PyTorch's vectorised ones may round those differently in the last bit,
    so the values are compared to a few units in the last place."""
    numtorch.manual_seed(seed)
    a = nt_fn()
    torch.manual_seed(seed)
    b = pt_fn()
    if exact:
        assert_same(a, b, exact=True)
    else:
        tol = 1e-6 if "float32" in str(b.dtype) else 1e-14
        assert_same(a, b, rtol=tol, atol=tol)


def same_grads(nt_out, nt_params, pt_out, pt_params, rtol=1e-4, atol=1e-5):
    """Backpropagate the same weighted sum of the outputs; the parameters' gradients agree."""
    w = np.random.default_rng(1).standard_normal(tuple(pt_out.shape)).astype(
        str(pt_out.dtype).split(".")[1])
    (nt_out * numtorch.tensor(w)).sum().backward()
    (pt_out * torch.tensor(w)).sum().backward()
    for a, b in zip(nt_params, pt_params):
        if b.grad is None:
            assert a.grad is None
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)


def same_error(nt_fn, pt_fn, exc=ValueError):
    """Both raise ``exc`` with the same message (numtorch naming itself for torch)."""
    with pytest.raises(exc) as pt_err:
        pt_fn()
    with pytest.raises(exc) as nt_err:
        nt_fn()
    assert str(nt_err.value) == str(pt_err.value).replace("torch", "numtorch")


def check_moments(nt, pt, names=("mean", "mode", "variance", "stddev")):
    for name in names:
        assert_same(getattr(nt, name), getattr(pt, name))


def same_repr(nt, pt):
    assert repr(nt) == repr(pt).replace("torch", "numtorch")
