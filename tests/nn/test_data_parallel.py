"""nn.DataParallel on a machine without GPUs, against PyTorch's on the same machine."""

from __future__ import annotations

import numpy as np

import numtorch
from tests.utils import assert_same, torch


def _wrapped(lib):
    lib.manual_seed(0)
    return lib.nn.DataParallel(lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                                                 lib.nn.Linear(4, 2)), device_ids=[0, 1])


def test_wraps_and_calls_the_module_as_torch():
    m, mt = _wrapped(numtorch), _wrapped(torch)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict()) == [
        "module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias"]
    assert m.device_ids == mt.device_ids == []
    assert numtorch.nn.parallel.DataParallel is numtorch.nn.DataParallel
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out, outt = m(numtorch.tensor(x)), mt(torch.tensor(x))
    assert_same(out, outt)
    assert type(out.grad_fn).__name__ == type(outt.grad_fn).__name__
    assert_same(m(input=numtorch.tensor(x)), outt)
    out.sum().backward()
    outt.sum().backward()
    assert_same(m.module[0].weight.grad, mt.module[0].weight.grad)


def test_checkpoint_moves_both_ways(tmp_path):
    m, mt = _wrapped(numtorch), _wrapped(torch)
    with numtorch.no_grad():
        m.module[0].weight.fill_(0.5)
    numtorch.save(m.state_dict(), tmp_path / "nt.pth")
    mt.load_state_dict(torch.load(tmp_path / "nt.pth", weights_only=True))
    assert np.array_equal(mt.module[0].weight.detach().numpy(), np.full((4, 3), 0.5, np.float32))
    with torch.no_grad():
        mt.module[2].bias.fill_(-1.0)
    torch.save(mt.state_dict(), tmp_path / "t.pth")
    m.load_state_dict(numtorch.load(tmp_path / "t.pth"))
    assert np.array_equal(m.module[2].bias.detach().numpy(), np.array([-1.0, -1.0], np.float32))
