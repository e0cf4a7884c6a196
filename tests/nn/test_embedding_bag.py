"""EmbeddingBag / F.embedding_bag (numtorch/ops/embedding_bag.py) vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from tests.utils import assert_same, torch

TF = torch.nn.functional
IDX = np.array([1, 2, 2, 5, 7, 2, 9, 0, 3, 3])
OFF = np.array([0, 3, 3, 6, 9])  # bags of 3, 0, 3, 3, 1 indices


def _weight(rows=10, dim=4, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal((rows, dim)), dtype=dtype)


def _compare(idx, w, offsets=None, psw=None, rtol=1e-5, atol=1e-6, **kwargs):
    """Values, the weight gradient and the per-sample-weight gradient against torch."""
    a = numtorch.tensor(w, requires_grad=True)
    b = torch.tensor(w, requires_grad=True)
    nt_args = [numtorch.tensor(idx), a, None if offsets is None else numtorch.tensor(offsets)]
    t_args = [torch.tensor(idx), b, None if offsets is None else torch.tensor(offsets)]
    p = q = None
    if psw is not None:
        p = numtorch.tensor(psw, requires_grad=True)
        q = torch.tensor(psw, requires_grad=True)
    out = F.embedding_bag(*nt_args, per_sample_weights=p, **kwargs)
    ref = TF.embedding_bag(*t_args, per_sample_weights=q, **kwargs)
    assert_same(out, ref, rtol, atol)
    assert type(out.grad_fn).__name__ == "EmbeddingBagBackward0"
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(w.dtype)
    out.backward(numtorch.tensor(g))
    ref.backward(torch.tensor(g))
    assert_same(a.grad, b.grad, rtol * 10, atol * 10)
    if psw is not None:
        assert_same(p.grad, q.grad, rtol * 10, atol * 10)
    return out


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kwargs", [{}, dict(padding_idx=2), dict(padding_idx=-7)])
def test_offsets(mode, kwargs):
    _compare(IDX, _weight(), OFF, mode=mode, **kwargs)
    _compare(IDX, _weight(), np.r_[OFF, len(IDX)], mode=mode, include_last_offset=True, **kwargs)
    _compare(IDX.astype(np.int32), _weight(), OFF.astype(np.int32), mode=mode, **kwargs)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_2d_input(mode):
    idx = np.array([[1, 4, 4], [0, 9, 2], [3, 3, 3], [8, 2, 1]])
    _compare(idx, _weight(), mode=mode)
    _compare(idx, _weight(), mode=mode, padding_idx=3)
    _compare(idx, _weight(dtype=np.float64), mode=mode)


def test_per_sample_weights():
    psw = np.random.default_rng(2).standard_normal(len(IDX)).astype(np.float32)
    _compare(IDX, _weight(), OFF, psw=psw, mode="sum")
    _compare(IDX, _weight(), OFF, psw=psw, mode="sum", padding_idx=2)
    _compare(IDX, _weight(), np.r_[OFF, len(IDX)], psw=psw, mode="sum", include_last_offset=True)
    idx2 = IDX.reshape(2, 5)
    _compare(idx2, _weight(), psw=psw.reshape(2, 5), mode="sum")


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_scale_grad_by_freq_divides_each_row_by_its_count(mode):
    # PyTorch 2.13's CPU kernel divides the k-th distinct row by the count of the k-th
    # *sorted index* instead (row 3 of [2, 2, 3] gets 1/2): numtorch divides by the row's
    # own count, as F.embedding does; the reference is F.embedding's gradient, bagged.
    w = _weight()
    a = numtorch.tensor(w, requires_grad=True)
    F.embedding_bag(numtorch.tensor(IDX), a, numtorch.tensor(OFF), mode=mode,
                    scale_grad_by_freq=True).backward(numtorch.ones(len(OFF), 4))
    b = torch.tensor(w, requires_grad=True)
    rows = TF.embedding(torch.tensor(IDX), b, scale_grad_by_freq=True)
    sizes = np.diff(np.r_[OFF, len(IDX)])
    scale = np.repeat(1.0 / np.maximum(sizes, 1), sizes) if mode == "mean" else 1.0
    (rows * torch.tensor(scale, dtype=torch.float32).reshape(-1, 1)).sum().backward()
    assert_same(a.grad, b.grad)
    out = F.embedding_bag(numtorch.tensor(IDX), a, numtorch.tensor(OFF), mode=mode,
                          scale_grad_by_freq=True)
    assert_same(out, TF.embedding_bag(torch.tensor(IDX), b, torch.tensor(OFF), mode=mode))


def test_max_ties_go_to_the_first_row():
    w = np.array([[1.0, 5.0], [1.0, 2.0], [3.0, 5.0]], dtype=np.float32)
    _compare(np.array([0, 1, 2, 1, 0]), w, np.array([0, 2]), mode="max")


def test_empty_bags_and_empty_input():
    _compare(np.array([], dtype=np.int64), _weight(), np.array([0, 0, 0]), mode="mean")
    _compare(np.array([2, 3]), _weight(), np.array([0, 0, 2, 2]), mode="max")
    # No bags at all: PyTorch 2.13 crashes in this backward, so no parity check.
    w = numtorch.tensor(_weight(), requires_grad=True)
    out = F.embedding_bag(numtorch.tensor([2, 3]), w, numtorch.tensor([], dtype=numtorch.int64))
    assert out.shape == (0, 4)
    out.sum().backward()
    assert not w.grad.numpy().any()
    out = F.embedding_bag(numtorch.tensor([2, 3]), w, numtorch.tensor([0]),
                          include_last_offset=True)
    assert out.shape == (0, 4)


def test_max_norm_renormalises_rows_in_place():
    w = _weight() * 3
    a, b = numtorch.tensor(w), torch.tensor(w)
    out = F.embedding_bag(numtorch.tensor(IDX), a, numtorch.tensor(OFF), max_norm=1.5,
                          norm_type=1.0)
    ref = TF.embedding_bag(torch.tensor(IDX), b, torch.tensor(OFF), max_norm=1.5, norm_type=1.0)
    assert_same(out, ref)
    assert_same(a, b)


def test_gradcheck():
    w = numtorch.tensor(_weight(dtype=np.float64), requires_grad=True)
    psw = numtorch.tensor(np.linspace(-1, 1, len(IDX)), requires_grad=True)
    idx, off = numtorch.tensor(IDX), numtorch.tensor(OFF)
    assert gradcheck(lambda t: F.embedding_bag(idx, t, off, padding_idx=3), (w,))
    assert gradcheck(lambda t, p: F.embedding_bag(idx, t, off, mode="sum",
                                                  per_sample_weights=p), (w, psw))
    assert gradcheck(lambda t: F.embedding_bag(idx, t, off, mode="max"), (w,))


# ------------------------------------------------------------------ module

@pytest.mark.parametrize("kwargs", [{}, dict(mode="sum", padding_idx=-1),
                                    dict(max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                                         mode="max", include_last_offset=True, sparse=True)])
def test_module_init_repr_and_state_dict(kwargs):
    if kwargs.get("mode") == "max":
        kwargs = dict(kwargs, scale_grad_by_freq=False, sparse=False)
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    m, tm = nn.EmbeddingBag(10, 3, **kwargs), torch.nn.EmbeddingBag(10, 3, **kwargs)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict()) == ["weight"]
    assert_same(m.weight, tm.weight, rtol=0, atol=0)
    assert (m.padding_idx, m.mode, m.include_last_offset) == (tm.padding_idx, tm.mode,
                                                              tm.include_last_offset)
    offsets = np.r_[OFF, len(IDX)] if kwargs.get("include_last_offset") else OFF
    out = m(numtorch.tensor(IDX), numtorch.tensor(offsets))
    ref = tm(torch.tensor(IDX), torch.tensor(offsets))
    assert_same(out, ref)
    out.sum().backward()
    ref.sum().backward()
    assert_same(m.weight.grad, tm.weight.grad)


def test_module_per_sample_weights_and_from_pretrained():
    w = _weight()
    m = nn.EmbeddingBag.from_pretrained(numtorch.tensor(w), mode="sum")
    tm = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum")
    assert repr(m) == repr(tm) and not m.weight.requires_grad
    psw = np.random.default_rng(3).standard_normal(len(IDX)).astype(np.float32)
    assert_same(m(numtorch.tensor(IDX), numtorch.tensor(OFF), numtorch.tensor(psw)),
                tm(torch.tensor(IDX), torch.tensor(OFF), torch.tensor(psw)))
    m = nn.EmbeddingBag.from_pretrained(numtorch.tensor(w), freeze=False, padding_idx=2)
    assert m.weight.requires_grad and m.padding_idx == 2
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dim"):
        nn.EmbeddingBag.from_pretrained(numtorch.zeros(3))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.EmbeddingBag(5, 2, _weight=numtorch.zeros(4, 2))


def test_errors():
    w = numtorch.randn(5, 3)
    i, o = numtorch.tensor([1, 2, 3]), numtorch.tensor([0, 2])
    cases = [
        (RuntimeError, "offsets\\[0\\] has to be 0.*However, got 1", (i, w, numtorch.tensor([1])), {}),
        (RuntimeError, "offsets\\[-1\\] can not be greater than input's length 3 but got "
                       "offsets\\[-1\\] of 4", (i, w, numtorch.tensor([0, 4])), {}),
        (RuntimeError, "Expected i < index_size", (i, w, numtorch.tensor([0, 2, 1])), {}),
        (RuntimeError, "Expected i < index_size", (numtorch.tensor([1, 7]), w, o), {}),
        (RuntimeError, "Long, Int; but got numtorch.FloatTensor", (numtorch.tensor([1.0]), w, o),
         {}),
        (RuntimeError, "Long, Int; but got numtorch.FloatTensor",
         (i, w, numtorch.tensor([0.0])), {}),
        (ValueError, "if input is 2D, then offsets has to be None", (i.view(1, 3), w, o), {}),
        (ValueError, "input has to be 1D or 2D Tensor, but got Tensor of dimension 3",
         (i.view(1, 1, 3), w), {}),
        (ValueError, "offsets has to be a 1D Tensor but got None", (i, w), {}),
        (ValueError, "offsets has to be a 1D Tensor$", (i, w, o.view(1, 2)), {}),
        (ValueError, "mode has to be one of sum, mean or max", (i, w, o), dict(mode="min")),
        (NotImplementedError, "per_sample_weights is only supported for mode='sum' \\(got "
                              "mode='mean'\\)", (i, w, o), dict(per_sample_weights=numtorch.ones(3))),
        (ValueError, "If per_sample_weights \\(numtorch.Size\\(\\[2\\]\\)\\) is not None, then "
                     "it must have the same shape as the input", (i, w, o),
         dict(mode="sum", per_sample_weights=numtorch.ones(2))),
        (RuntimeError, "but type numtorch.FloatTensor does not equal numtorch.DoubleTensor",
         (i, w, o), dict(mode="sum", per_sample_weights=numtorch.ones(3, dtype=numtorch.float64))),
        (ValueError, "max mode does not support scaling the gradient by the frequency",
         (i, w, o), dict(mode="max", scale_grad_by_freq=True)),
        (ValueError, "max mode does not support sparse weights", (i, w, o),
         dict(mode="max", sparse=True)),
        (ValueError, "weight has to be a 2D Tensor, but got Tensor of dimension 1", (i, w[0], o),
         {}),
        (RuntimeError, "padding_idx must be within the number of embeddings, -5 through 4, but "
                       "got 5", (i, w, o), dict(padding_idx=5)),
    ]
    for exc, msg, args, kwargs in cases:
        with pytest.raises(exc, match=msg):
            F.embedding_bag(*args, **kwargs)
