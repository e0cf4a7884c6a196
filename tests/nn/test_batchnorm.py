"""batch_norm, instance_norm and the BatchNorm / InstanceNorm modules against PyTorch."""

from __future__ import annotations

import re

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def _data(shape, seed=0, dtype=np.float32):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * 2 + 0.5, dtype=dtype)


def _stats(c, dtype=np.float32):
    rm = _data(c, seed=5, dtype=dtype)
    rv = np.asarray(np.random.default_rng(6).random(c) + 0.5, dtype=dtype)
    return rm, rv


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_batch_norm_values_grads_and_running_stats(shape, training, affine):
    c = shape[1]
    rm, rv = _stats(c)
    rmn, rvn, rmt, rvt = (numtorch.tensor(rm), numtorch.tensor(rv), torch.tensor(rm),
                          torch.tensor(rv))
    arrays = [_data(shape)]
    if affine != "none":
        arrays.append(_data(c, seed=1))
    if affine == "both":
        arrays.append(_data(c, seed=2))

    def nt(x, w=None, b=None):
        return F.batch_norm(x, rmn, rvn, w, b, training, 0.3, 1e-3)

    def t(x, w=None, b=None):
        return TF.batch_norm(x, rmt, rvt, w, b, training, 0.3, 1e-3)

    check_op(nt, t, *arrays, rtol=1e-4, atol=1e-5)
    assert_same(rmn, rmt)
    assert_same(rvn, rvt)


def test_batch_norm_without_running_stats_float64_noncontiguous():
    x = _data((5, 3, 4), dtype=np.float64)
    check_op(lambda x: F.batch_norm(x, None, None, training=True),
             lambda x: TF.batch_norm(x, None, None, training=True), x)
    xs = _data((6, 4))
    assert_same(F.batch_norm(numtorch.from_numpy(noncontig(xs)), None, None, training=True),
                TF.batch_norm(torch.tensor(xs), None, None, training=True), rtol=1e-4,
                atol=1e-5)
    xt = numtorch.tensor(xs).t()
    assert_same(F.batch_norm(xt, None, None, training=True),
                TF.batch_norm(torch.tensor(xs).t(), None, None, training=True), rtol=1e-4,
                atol=1e-5)


def test_batch_norm_grad_fn_and_version_bump():
    rm, rv = numtorch.zeros(3), numtorch.ones(3)
    x = numtorch.tensor(_data((4, 3)), requires_grad=True)
    y = F.batch_norm(x, rm, rv, training=True)
    assert type(y.grad_fn).__name__ == "NativeBatchNormBackward0"
    assert rm._version == 1 and rv._version == 1
    y = F.batch_norm(x, rm, rv)
    assert type(y.grad_fn).__name__ == "NativeBatchNormBackward0"
    assert rm._version == 1


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck_and_gradgradcheck(training):
    x = numtorch.tensor(_data((3, 2, 4), dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(_data(2, seed=1, dtype=np.float64), requires_grad=True)
    b = numtorch.tensor(_data(2, seed=2, dtype=np.float64), requires_grad=True)
    rm, rv = (numtorch.tensor(a) for a in _stats(2, np.float64))

    def fn(x, w, b):
        return F.batch_norm(x, rm.clone(), rv.clone(), w, b, training)

    assert numtorch.autograd.gradcheck(fn, (x, w, b))
    assert numtorch.autograd.gradgradcheck(fn, (x, w, b))


MODULES = [("BatchNorm1d", (2, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (2, 3, 4, 5)),
           ("BatchNorm3d", (2, 3, 2, 3, 2)), ("SyncBatchNorm", (2, 3)),
           ("SyncBatchNorm", (2, 3, 4, 5)), ("SyncBatchNorm", (2, 3, 2, 3, 2))]
OPTIONS = [{}, dict(momentum=None), dict(affine=False), dict(track_running_stats=False),
           dict(bias=False), dict(eps=1e-3, momentum=0.5)]


@pytest.mark.parametrize("name, shape", MODULES)
@pytest.mark.parametrize("kw", OPTIONS)
def test_batchnorm_module_matches_torch_over_steps(name, shape, kw):
    m, mt = getattr(nn, name)(3, **kw), getattr(torch.nn, name)(3, **kw)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict())
    for step in range(4):
        if step == 3:
            m.eval()
            mt.eval()
        check_op(m, mt, _data(shape, seed=step), rtol=1e-4, atol=1e-5)
    for k, v in mt.state_dict().items():
        assert_same(m.state_dict()[k], v)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), mt.named_parameters()):
        assert n1 == n2
        assert_same(p1, p2)


def test_batchnorm_repr_buffers_and_dtypes():
    assert repr(nn.BatchNorm2d(64)) == ("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, "
                                        "bias=True, track_running_stats=True)")
    m = nn.BatchNorm2d(4, dtype=numtorch.float64)
    sd = m.state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert sd["num_batches_tracked"].dtype is numtorch.int64
    assert sd["num_batches_tracked"].shape == ()
    assert m.weight.dtype is numtorch.float64 and m.running_var.dtype is numtorch.float64
    m(numtorch.randn(2, 4, 3, 3, dtype=numtorch.float64))
    assert int(m.num_batches_tracked) == 1
    m.reset_running_stats()
    assert int(m.num_batches_tracked) == 0 and float(m.running_var.sum()) == 4


def test_convert_sync_batchnorm_as_torch():
    # Every batch norm (the module itself too) becomes a SyncBatchNorm holding the same
    # parameter and buffer objects, in the same mode; other layers stay as they were.
    def model(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4, affine=False),
                                 lib.nn.Sequential(lib.nn.BatchNorm1d(5, bias=False)))

    m, mt = model(numtorch), model(torch)
    m[2][0].eval()
    mt[2][0].eval()
    s, st = (lib.nn.SyncBatchNorm.convert_sync_batchnorm(x, process_group="pg")
             for lib, x in ((numtorch, m), (torch, mt)))
    assert repr(s) == repr(st)
    assert list(s.state_dict()) == list(st.state_dict())
    assert s[0] is m[0] and type(s[1]) is nn.SyncBatchNorm and s[1].process_group == "pg"
    assert s[1].running_mean is m[1].running_mean and s[2][0].weight is m[2][0].weight
    assert s[2][0].bias is None and not s[2][0].training and s[1].training
    one = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm3d(2))
    assert type(one) is nn.SyncBatchNorm and one.num_features == 2


@pytest.mark.parametrize("x, msg", [
    (numtorch.zeros(4), "expected at least 2D input (got 1D input)"),
    (numtorch.zeros(2, 0, 3), "SyncBatchNorm number of input channels should be non-zero"),
])
def test_sync_batchnorm_errors_match_torch(x, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        nn.SyncBatchNorm(x.shape[1] if x.ndim > 1 else 4)(x)
    with pytest.raises(ValueError, match=re.escape(msg)):
        torch.nn.SyncBatchNorm(x.shape[1] if x.ndim > 1 else 4)(torch.zeros(tuple(x.shape)))


def test_batchnorm_eval_without_running_stats_uses_batch():
    m, mt = nn.BatchNorm2d(3, track_running_stats=False), torch.nn.BatchNorm2d(
        3, track_running_stats=False)
    m.eval()
    mt.eval()
    check_op(m, mt, _data((2, 3, 4, 4)), rtol=1e-4, atol=1e-5)


def test_batchnorm_loads_torch_state_dict_and_old_checkpoints():
    mt = torch.nn.BatchNorm2d(3)
    mt.weight.data.uniform_()
    mt(torch.tensor(_data((4, 3, 5, 5))))
    m = nn.BatchNorm2d(3)
    m.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    m.eval()
    mt.eval()
    check_op(m, mt, _data((2, 3, 5, 5), seed=3), rtol=1e-4, atol=1e-5)
    assert int(m.num_batches_tracked) == 1
    # A checkpoint from before num_batches_tracked (no version metadata) still loads strictly.
    old = {k: numtorch.tensor(v.numpy()) for k, v in mt.state_dict().items()
           if k != "num_batches_tracked"}
    seq = nn.Sequential(nn.BatchNorm2d(3))
    seq.load_state_dict({f"0.{k}": v for k, v in old.items()})


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: nn.BatchNorm2d(3)(numtorch.zeros(1, 3, 1, 1)), ValueError,
     r"Expected more than 1 value per channel when training, got input size "
     r"numtorch.Size\(\[1, 3, 1, 1\]\)"),
    (lambda: nn.BatchNorm1d(3)(numtorch.zeros(1, 3)), ValueError,
     r"Expected more than 1 value per channel when training, got input size "
     r"numtorch.Size\(\[1, 3\]\)"),
    (lambda: nn.BatchNorm2d(3)(numtorch.zeros(2, 3, 1)), ValueError,
     r"expected 4D input \(got 3D input\)"),
    (lambda: nn.BatchNorm1d(3)(numtorch.zeros(2, 3, 1, 1)), ValueError,
     r"expected 2D or 3D input \(got 4D input\)"),
    (lambda: nn.BatchNorm3d(3)(numtorch.zeros(2, 3, 1, 1)), ValueError,
     r"expected 5D input \(got 4D input\)"),
    (lambda: nn.BatchNorm2d(3)(numtorch.zeros(2, 4, 2, 2)), RuntimeError,
     "running_mean should contain 4 elements not 3"),
    (lambda: F.batch_norm(numtorch.zeros(2, 3), numtorch.zeros(4), numtorch.ones(3)),
     RuntimeError, "running_mean should contain 3 elements not 4"),
    (lambda: F.batch_norm(numtorch.zeros(2, 3), None, None), RuntimeError,
     "running_mean must be defined in evaluation mode"),
    (lambda: F.batch_norm(numtorch.zeros(2, 3), None, None, numtorch.ones(2), training=True),
     RuntimeError, "weight should contain 3 elements not 2"),
    (lambda: F.batch_norm(numtorch.zeros(2, 3, dtype=numtorch.int64), None, None,
                          training=True), NotImplementedError,
     "\"batch_norm\" not implemented for 'Long'"),
    # momentum=None means a cumulative average only in the modules; the functions refuse it.
    (lambda: F.batch_norm(numtorch.zeros(2, 3), numtorch.zeros(3), numtorch.ones(3),
                          training=True, momentum=None), TypeError,
     r"batch_norm\(\): argument 'momentum' \(position 7\) must be float, not NoneType"),
    (lambda: F.instance_norm(numtorch.zeros(2, 3, 4), momentum=None), TypeError,
     r"instance_norm\(\): argument 'momentum' \(position 7\) must be float, not NoneType"),
])
def test_batchnorm_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


# --------------------------------------------------------------------------- instance norm


@pytest.mark.parametrize("name, shape", [("InstanceNorm1d", (2, 3, 5)),
                                         ("InstanceNorm1d", (3, 5)),
                                         ("InstanceNorm2d", (2, 3, 4, 4)),
                                         ("InstanceNorm3d", (2, 3, 2, 3, 2))])
@pytest.mark.parametrize("kw", [{}, dict(affine=True), dict(track_running_stats=True),
                                dict(affine=True, track_running_stats=True, momentum=None)])
def test_instancenorm_module_matches_torch(name, shape, kw):
    m, mt = getattr(nn, name)(3, **kw), getattr(torch.nn, name)(3, **kw)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict())
    for step in range(2):
        check_op(m, mt, _data(shape, seed=step), rtol=1e-4, atol=1e-5)
    m.eval()
    mt.eval()
    check_op(m, mt, _data(shape, seed=7), rtol=1e-4, atol=1e-5)
    for k, v in mt.state_dict().items():
        assert_same(m.state_dict()[k], v)


def test_instance_norm_functional_and_gradcheck():
    x = _data((2, 3, 5))
    check_op(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
             lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), x, _data(3, 1), _data(3, 2),
             rtol=1e-4, atol=1e-5)
    xd = numtorch.tensor(_data((2, 2, 4), dtype=np.float64), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda a: F.instance_norm(a), (xd,))
    with pytest.raises(ValueError, match="expected input's size at dim=1 to match "
                                         r"num_features \(4\), but got: 3."):
        nn.InstanceNorm1d(4, affine=True)(numtorch.zeros(2, 3, 5))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.InstanceNorm2d(3)(numtorch.zeros(2, 3))


def test_batch_norm_empty_batch_keeps_running_stats():
    # PyTorch leaves the running statistics untouched for an empty batch.
    rm, rv = _stats(3)
    got = (numtorch.tensor(rm), numtorch.tensor(rv))
    want = (torch.tensor(rm), torch.tensor(rv))
    y = F.batch_norm(numtorch.zeros(0, 3, 4), *got, training=True)
    TF.batch_norm(torch.zeros(0, 3, 4), *want, training=True)
    assert tuple(y.shape) == (0, 3, 4)
    for g, w in zip(got, want):
        assert_same(g, w)
