"""nn.AdaptiveLogSoftmaxWithLoss against PyTorch: init, repr, state dict, forward and
gradients, log_prob, predict, unbatched input and errors."""

from __future__ import annotations

import re
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from numtorch import nn
from tests.utils import assert_same, torch


def _pair(*args, **kwargs):
    """The same layer in numtorch and PyTorch, numtorch's weights copied from PyTorch's."""
    m, mt = nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs), \
        torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)
    m.load_state_dict(OrderedDict((k, numtorch.tensor(v.detach().numpy().copy()))
                                  for k, v in mt.state_dict().items()))
    return m, mt


def _x(n, d, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)


CONFIGS = [((16, 20, [4, 10]), {}), ((16, 20, [4, 10, 15]), dict(div_value=2.0)),
           ((8, 6, [2]), dict(head_bias=True))]


@pytest.mark.parametrize("args, kwargs", CONFIGS)
def test_repr_state_dict_and_seeded_init_match_torch(args, kwargs):
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    m, mt = nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs), \
        torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kwargs)
    assert repr(m) == repr(mt)
    assert list(m.state_dict()) == list(mt.state_dict())
    for k, v in mt.state_dict().items():
        assert np.array_equal(m.state_dict()[k].numpy(), v.numpy())
    assert (m.shortlist_size, m.n_clusters, m.head_size, m.cutoffs) == \
        (mt.shortlist_size, mt.n_clusters, mt.head_size, mt.cutoffs)


@pytest.mark.parametrize("args, kwargs", CONFIGS)
@pytest.mark.parametrize("targets", ["mixed", "shortlist", "clusters"])
def test_forward_and_gradients_match_torch(args, kwargs, targets):
    m, mt = _pair(*args, **kwargs)
    n_classes, short = args[1], args[2][0]
    rng = np.random.default_rng(1)
    lo, hi = {"mixed": (0, n_classes), "shortlist": (0, short),
              "clusters": (short, n_classes)}[targets]
    t = rng.integers(lo, hi, size=9)
    x = _x(9, args[0])
    xn, xt = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, outt = m(xn, numtorch.tensor(t)), mt(xt, torch.tensor(t))
    assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
    assert_same(out.output, outt.output)
    assert_same(out.loss, outt.loss)
    assert type(out.output.grad_fn).__name__ == type(outt.output.grad_fn).__name__
    out.loss.backward()
    outt.loss.backward()
    assert_same(xn.grad, xt.grad)
    for (name, p), (_, pt) in zip(m.named_parameters(), mt.named_parameters()):
        if pt.grad is None:
            assert p.grad is None, name
        else:
            assert_same(p.grad, pt.grad)


def test_log_prob_predict_and_one_row():
    m, mt = _pair(16, 20, [4, 10], div_value=2.0)
    x = _x(12, 16, seed=5) * 3
    xn, xt = numtorch.tensor(x), torch.tensor(x)
    assert_same(m.log_prob(xn), mt.log_prob(xt))
    assert type(m.log_prob(numtorch.tensor(x, requires_grad=True)).grad_fn).__name__ == \
        "CopySlices"
    assert np.array_equal(m.predict(xn).numpy(), mt.predict(xt).numpy())
    # Rows whose head picks a cluster, all of them and some of them.
    with numtorch.no_grad(), torch.no_grad():
        m.head.bias = None
        for mod in (m, mt):
            mod.head.weight[:4] = -5.0
    assert np.array_equal(m.predict(xn).numpy(), mt.predict(xt).numpy())
    with numtorch.no_grad(), torch.no_grad():
        m.head.weight[:4, :8] = 5.0
        mt.head.weight[:4, :8] = 5.0
    assert np.array_equal(m.predict(xn).numpy(), mt.predict(xt).numpy())
    one = m(xn[0], numtorch.tensor(7))
    onet = mt(xt[0], torch.tensor(7))
    assert one.output.shape == () and type(one.output.grad_fn).__name__ == "SqueezeBackward1"
    assert_same(one.output, onet.output)
    # log_prob and predict take a batch only, in PyTorch too.
    for fn in ("log_prob", "predict"):
        msg = re.escape("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        for mod, row in ((m, xn[0]), (mt, xt[0])):
            with pytest.raises(IndexError, match=msg):
                getattr(mod, fn)(row)


@pytest.mark.parametrize("cutoffs, msg", [
    ([], "cutoffs should be a sequence of length larger than 0"),
    ([5, 3], "cutoffs should be a sequence of unique, positive integers sorted"),
    ([0, 3], "cutoffs should be a sequence of unique, positive integers sorted"),
    ([3, 20], "where each value is between 1 and n_classes-1"),
    ([3, 3], "cutoffs should be a sequence of unique"),
    ([2.5], "cutoffs should be a sequence of unique"),
])
def test_bad_cutoffs_raise_torchs_error(cutoffs, msg):
    for lib in (nn, torch.nn):
        with pytest.raises(ValueError, match=re.escape(msg)):
            lib.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs)


@pytest.mark.parametrize("x_shape, t, msg", [
    ((4, 8), [1, 2, 3], "Input and target should have the same size in the batch dimension."),
    ((3, 2, 8), [1, 2, 3], "1D target tensor expects 2D input tensors, but found inputs with "
                           "size "),
    ((3, 8), 1, "0D target tensor expects 1D input tensors, but found inputs with size "),
    ((3, 8), [[1]], "0D or 1D target tensor expected, multi-target not supported"),
    ((3, 8), [1, 20, -1], "Target values should be in [0, 19], but values in range [-1, 20] "
                          "were found. "),
])
def test_bad_targets_raise_torchs_error(x_shape, t, msg):
    m, mt = _pair(8, 20, [4, 10], div_value=2.0)  # tails 4 and 2 wide (none empty)
    x = np.zeros(x_shape, np.float32)
    for mod, lib in ((m, numtorch), (mt, torch)):
        with pytest.raises(RuntimeError, match=re.escape(msg)):
            mod(lib.tensor(x), lib.tensor(t))
