"""Embedding and one_hot (numtorch/ops/embedding.py, numtorch/nn/modules/sparse.py)."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from tests.utils import assert_same, check_op, torch

TF = torch.nn.functional

W = np.asarray(np.random.default_rng(0).standard_normal((10, 4)), dtype=np.float32)


def _emb(idx, **kw):
    def nt(w):
        return F.embedding(numtorch.tensor(idx), w, **kw)

    def t(w):
        return TF.embedding(torch.tensor(idx), w, **kw)

    return nt, t


@pytest.mark.parametrize("idx", [np.array([1, 2, 1, 9]), np.array([[0, 3, 3], [3, 9, 0]]),
                                 np.array(5), np.zeros((0,), dtype=np.int64),
                                 np.array([[1, 2]], dtype=np.int32)])
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 3}, {"padding_idx": -1},
                                {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_values_and_grads_match_torch(idx, kw):
    nt, t = _emb(idx, **kw)
    check_op(nt, t, W)


def test_grad_fn_name_and_repeated_indices_accumulate():
    w = numtorch.tensor(W, requires_grad=True)
    y = F.embedding(numtorch.tensor([2, 2, 2]), w)
    assert type(y.grad_fn).__name__ == "EmbeddingBackward0"
    y.sum().backward()
    assert np.allclose(w.grad.numpy()[2], 3) and np.allclose(w.grad.numpy()[[0, 1, 3]], 0)


def test_padding_row_gets_no_gradient():
    w = numtorch.tensor(W, requires_grad=True)
    F.embedding(numtorch.tensor([[4, 1], [4, 4]]), w, padding_idx=4).sum().backward()
    assert np.all(w.grad.numpy()[4] == 0) and np.all(w.grad.numpy()[1] == 1)


def test_noncontiguous_weight_and_indices():
    big = np.repeat(W[:, None, :], 2, axis=1)[:, 0, :]
    idx = np.array([[1, 5], [7, 1]])
    a = F.embedding(numtorch.tensor(idx).t(), numtorch.from_numpy(big))
    b = TF.embedding(torch.tensor(idx).t(), torch.tensor(W))
    assert_same(a, b)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_max_norm_renormalises_looked_up_rows_in_place(norm_type):
    idx = np.array([[1, 2], [2, 7]])
    wa, wb = numtorch.tensor(W * 3, requires_grad=True), torch.tensor(W * 3, requires_grad=True)
    ya = F.embedding(numtorch.tensor(idx), wa, max_norm=1.5, norm_type=norm_type)
    yb = TF.embedding(torch.tensor(idx), wb, max_norm=1.5, norm_type=norm_type)
    assert_same(ya, yb)
    assert_same(wa, wb)  # rows 1, 2, 7 rescaled; the others untouched
    ya.sum().backward()
    yb.sum().backward()
    assert_same(wa.grad, wb.grad)


def test_gradcheck_and_gradgradcheck():
    w = numtorch.tensor(W.astype(np.float64), requires_grad=True)
    idx = numtorch.tensor([[1, 2, 1], [0, 9, 2]])
    assert numtorch.autograd.gradcheck(lambda t: F.embedding(idx, t), (w,))
    assert numtorch.autograd.gradgradcheck(lambda t: F.embedding(idx, t) ** 2, (w,))


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"scale_grad_by_freq": True,
                                                         "padding_idx": 0}])
def test_double_backward_through_the_weight_gradient_matches_torch(kw):
    # (padding_idx and scale_grad_by_freq make the first gradient deliberately not the
    # true one, so gradgradcheck cannot apply: compare with PyTorch instead)
    idx = [[1, 2, 1], [0, 3, 2]]
    wa, wb = numtorch.tensor(W, requires_grad=True), torch.tensor(W, requires_grad=True)
    (ga,) = numtorch.autograd.grad((F.embedding(numtorch.tensor(idx), wa, **kw) ** 3).sum(),
                                   wa, create_graph=True)
    (gb,) = torch.autograd.grad((TF.embedding(torch.tensor(idx), wb, **kw) ** 3).sum(), wb,
                                create_graph=True)
    (ga * ga).sum().backward()
    (gb * gb).sum().backward()
    assert_same(wa.grad, wb.grad, rtol=1e-4)


@pytest.mark.parametrize("call, exc, msg", [
    (lambda w: F.embedding(numtorch.tensor([1.0]), w), RuntimeError,
     "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
     "Long, Int; but got numtorch.FloatTensor instead"),
    (lambda w: F.embedding(numtorch.tensor([10]), w), IndexError, "index out of range in self"),
    (lambda w: F.embedding(numtorch.tensor([-1]), w), IndexError, "index out of range in self"),
    (lambda w: F.embedding(numtorch.tensor([1]), w, padding_idx=10), AssertionError,
     "Padding_idx must be within num_embeddings"),
    (lambda w: F.embedding(numtorch.tensor([1]), w, padding_idx=-11), AssertionError,
     "Padding_idx must be within num_embeddings"),
    (lambda w: F.embedding(numtorch.tensor([1]), w[0]), RuntimeError, "'weight' must be 2-D"),
])
def test_errors_match_torch(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call(numtorch.tensor(W))


# --- one_hot -----------------------------------------------------------------------------


@pytest.mark.parametrize("idx, n", [([0, 2, 1], -1), ([[0, 3], [1, 1]], 5), (2, 3),
                                    (np.zeros((0,), dtype=np.int64), 3)])
def test_one_hot_matches_torch(idx, n):
    a = F.one_hot(numtorch.tensor(idx), n)
    b = TF.one_hot(torch.tensor(idx), n)
    assert_same(a, b)


@pytest.mark.parametrize("idx, n, msg", [
    ([1.0, 2.0], -1, "one_hot is only applicable to index tensor of type LongTensor."),
    (np.array([1], dtype=np.int32), 3, "one_hot is only applicable to index tensor"),
    (np.zeros((0,), dtype=np.int64), -1, "Can not infer total number of classes from empty"),
    ([-1, 2], -1, "Class values must be non-negative."),
    ([1, 2], 2, "Class values must be smaller than num_classes."),
])
def test_one_hot_errors(idx, n, msg):
    with pytest.raises(RuntimeError, match=msg):
        F.one_hot(numtorch.tensor(idx), n)


# --- the Embedding module ----------------------------------------------------------------


@pytest.mark.parametrize("args, kw", [((10, 3), {}), ((10, 3), {"padding_idx": 2}),
                                      ((10, 3), {"padding_idx": -1}),
                                      ((10, 3), {"padding_idx": 2, "max_norm": 1.0,
                                                 "norm_type": 1.0, "scale_grad_by_freq": True,
                                                 "sparse": True}),
                                      ((10, 3), {"max_norm": 1})])
def test_module_repr_state_dict_and_init_equal_torchs(args, kw):
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    m, tm = nn.Embedding(*args, **kw), torch.nn.Embedding(*args, **kw)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert np.array_equal(m.weight.detach().numpy(), tm.weight.detach().numpy())
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad


def test_module_forward_and_grads_with_copied_weights():
    m, tm = nn.Embedding(10, 4, padding_idx=0), torch.nn.Embedding(10, 4, padding_idx=0)
    m.load_state_dict({"weight": numtorch.tensor(W)})
    tm.load_state_dict({"weight": torch.tensor(W)})
    idx = [[0, 3, 3], [9, 0, 1]]
    ya, yb = m(numtorch.tensor(idx)), tm(torch.tensor(idx))
    assert_same(ya, yb)
    g = np.asarray(np.random.default_rng(2).standard_normal(ya.shape), dtype=np.float32)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    assert_same(m.weight.grad, tm.weight.grad)


def test_from_pretrained_freezes_by_default():
    w = numtorch.tensor(W)
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad and m.num_embeddings == 10 and m.embedding_dim == 4
    assert repr(m) == repr(torch.nn.Embedding.from_pretrained(torch.tensor(W)))
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    assert_same(m(numtorch.tensor([3])), torch.tensor(W[[3]]))
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be "
                       "2-dimensional"):
        nn.Embedding.from_pretrained(w[0])


def test_module_errors():
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(5, 2, _weight=numtorch.ones(4, 2))
