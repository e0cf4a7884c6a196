"""DLPack exchange: numtorch tensors into torch / NumPy and back, sharing memory."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import torch


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_numtorch_to_torch_shares_memory(dtype):
    a = numtorch.arange(6).reshape(2, 3).to(getattr(numtorch, dtype))
    t = torch.from_dlpack(a)
    assert str(t.dtype) == f"torch.{dtype}" and tuple(t.shape) == (2, 3)
    assert np.array_equal(t.numpy(), a.numpy())
    if dtype != "bool":
        t[0, 0] = 5
        assert a[0, 0].item() == 5
    tt = a.t()
    assert torch.from_dlpack(tt).stride() == tt.stride()


def test_torch_and_numpy_to_numtorch_share_memory():
    b = torch.arange(4, dtype=torch.float64)
    n = numtorch.from_dlpack(b)
    n[1] = 42
    assert b[1].item() == 42 and n.dtype is numtorch.float64
    arr = np.arange(3)
    assert numtorch.from_dlpack(arr).numpy() is not arr
    assert np.shares_memory(numtorch.from_dlpack(arr).numpy(), arr)


def test_capsules_both_ways_and_grad_refusal():
    c = numtorch.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(2)))
    assert np.array_equal(c.numpy(), [1.0, 1.0])
    d = torch.utils.dlpack.from_dlpack(numtorch.utils.dlpack.to_dlpack(numtorch.ones(3)))
    assert d.tolist() == [1.0, 1.0, 1.0]
    assert numtorch.ones(2).__dlpack_device__()[0] == 1
    with pytest.raises(BufferError, match="Can't export tensors that require gradient, use "
                                          "tensor.detach\\(\\)"):
        torch.from_dlpack(numtorch.ones(2, requires_grad=True))
