"""Parity helpers: run the same computation in numtorch and PyTorch and compare.

PyTorch is a test-only dependency (``pytest.importorskip``); numtorch never imports it.
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")

NT_DTYPES = {
    "float32": (numtorch.float32, torch.float32),
    "float64": (numtorch.float64, torch.float64),
    "float16": (numtorch.float16, torch.float16),
    "int64": (numtorch.int64, torch.int64),
    "int32": (numtorch.int32, torch.int32),
    "int16": (numtorch.int16, torch.int16),
    "int8": (numtorch.int8, torch.int8),
    "uint8": (numtorch.uint8, torch.uint8),
    "bool": (numtorch.bool, torch.bool),
}


def to_torch(x, requires_grad=None):
    """A PyTorch tensor with the same values (a copy), or the value unchanged."""
    if isinstance(x, numtorch.Tensor):
        t = torch.from_numpy(np.array(x.detach().numpy(), copy=True))
        if requires_grad if requires_grad is not None else x.requires_grad:
            t.requires_grad_(True)
        return t
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch(v) for v in x)
    return x


def pair(array, requires_grad=False):
    """The same data as a numtorch tensor and a torch tensor (independent leaves)."""
    array = np.asarray(array)
    a = numtorch.tensor(array)
    t = torch.tensor(array)
    if requires_grad:
        a.requires_grad_(True)
        t.requires_grad_(True)
    return a, t


def assert_same(nt, ref, rtol=1e-5, atol=1e-6, check_dtype=True):
    """numtorch result ``nt`` equals torch result ``ref``: values, shape and dtype."""
    if isinstance(ref, (tuple, list)):
        assert isinstance(nt, (tuple, list)) and len(nt) == len(ref)
        for a, b in zip(nt, ref):
            assert_same(a, b, rtol, atol, check_dtype)
        return
    if isinstance(ref, torch.Tensor):
        assert isinstance(nt, numtorch.Tensor), f"expected a Tensor, got {type(nt)}"
        assert tuple(nt.shape) == tuple(ref.shape), f"shape {tuple(nt.shape)} != {tuple(ref.shape)}"
        if check_dtype:
            assert str(nt.dtype).replace("numtorch.", "") == str(ref.dtype).replace("torch.", ""), \
                f"dtype {nt.dtype} != {ref.dtype}"
        np.testing.assert_allclose(
            nt.detach().numpy().astype(np.float64) if nt.dtype.is_floating_point else nt.detach().numpy(),
            ref.detach().numpy().astype(np.float64) if ref.dtype.is_floating_point else ref.detach().numpy(),
            rtol=rtol, atol=atol, equal_nan=True)
        return
    assert nt == ref or (isinstance(nt, float) and np.isclose(nt, ref, rtol=rtol, atol=atol))


def check_op(nt_fn, torch_fn, *arrays, grad=True, rtol=1e-5, atol=1e-6, grad_out_seed=0,
             check_dtype=True, **kwargs):
    """Run ``nt_fn`` and ``torch_fn`` on the same inputs; compare outputs and gradients.

    ``arrays`` are NumPy arrays (or Python numbers, passed through). Floating arrays become
    leaves requiring grad when ``grad`` is True; gradients are compared using the same
    random upstream gradient on both sides.
    """
    nt_in, t_in = [], []
    for a in arrays:
        if isinstance(a, np.ndarray):
            req = grad and a.dtype.kind == "f"
            x, y = pair(a, requires_grad=req)
            nt_in.append(x)
            t_in.append(y)
        else:
            nt_in.append(a)
            t_in.append(a)
    out = nt_fn(*nt_in, **kwargs)
    ref = torch_fn(*t_in, **kwargs)
    assert_same(out, ref, rtol, atol, check_dtype)
    if not grad:
        return out
    outs = out if isinstance(out, (tuple, list)) else (out,)
    refs = ref if isinstance(ref, (tuple, list)) else (ref,)
    rng = np.random.default_rng(grad_out_seed)
    nt_outs, t_outs, nt_g, t_g = [], [], [], []
    for o, r in zip(outs, refs):
        if isinstance(o, numtorch.Tensor) and o.requires_grad:
            g = rng.standard_normal(tuple(o.shape)).astype(o.dtype.np)
            nt_outs.append(o)
            t_outs.append(r)
            nt_g.append(numtorch.tensor(g))
            t_g.append(torch.tensor(g))
    if not nt_outs:
        return out
    leaves = [(x, y) for x, y in zip(nt_in, t_in) if isinstance(x, numtorch.Tensor) and x.requires_grad]
    nt_grads = numtorch.autograd.grad(nt_outs, [x for x, _ in leaves], nt_g, allow_unused=True)
    t_grads = torch.autograd.grad(t_outs, [y for _, y in leaves], t_g, allow_unused=True)
    for a, b in zip(nt_grads, t_grads):
        if b is None:
            assert a is None or np.all(a.numpy() == 0)
        else:
            assert a is not None, "numtorch gave no gradient where torch gave one"
            assert_same(a, b, rtol * 10, atol * 10, check_dtype)
    return out


def noncontig(array):
    """A non-contiguous NumPy view with the same values as ``array``."""
    big = np.repeat(array[..., None], 2, axis=-1)
    return big[..., 0]
