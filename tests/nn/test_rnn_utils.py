"""nn.utils.rnn against PyTorch: packing, padding and unpadding, their gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.nn.utils import rnn as R

from ..utils import torch

TR = torch.nn.utils.rnn


def _leaf(arr):
    return (numtorch.from_numpy(arr.copy()).requires_grad_(),
            torch.from_numpy(arr.copy()).requires_grad_())


def _same(a, b, tol=1e-12):
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _backward_same(nt_out, t_out, seed=0):
    g = np.random.default_rng(seed).standard_normal(tuple(t_out.shape))
    nt_out.backward(numtorch.from_numpy(g))
    t_out.backward(torch.from_numpy(g))


def _same_packed(p, tp):
    assert isinstance(p, R.PackedSequence)
    _same(p.data, tp.data)
    for a, b in zip(p[1:], tp[1:]):
        if b is None:
            assert a is None
        else:
            assert a.dtype == numtorch.int64
            assert a.tolist() == b.tolist()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([4, 2, 2, 1], True), ([2, 4, 1, 2], False),
                                                    ([3, 3, 3, 3], True), ([1, 3, 3, 2], False)])
def test_pack_padded_then_pad_packed(batch_first, lengths, enforce_sorted):
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    x = np.random.default_rng(0).standard_normal(shape)
    nx, tx = _leaf(x)
    p = R.pack_padded_sequence(nx, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    tp = TR.pack_padded_sequence(tx, lengths, batch_first=batch_first,
                                 enforce_sorted=enforce_sorted)
    _same_packed(p, tp)
    assert type(p.data.grad_fn).__name__ == "PackPaddedSequenceBackward0"
    out, lens = R.pad_packed_sequence(p, batch_first=batch_first, padding_value=-1.5,
                                      total_length=6)
    t_out, t_lens = TR.pad_packed_sequence(tp, batch_first=batch_first, padding_value=-1.5,
                                           total_length=6)
    _same(out, t_out)
    assert lens.tolist() == t_lens.tolist() and lens.dtype == numtorch.int64
    _backward_same(out, t_out)
    _same(nx.grad, tx.grad)


def test_pack_padded_sequence_double_backward():
    x = np.random.default_rng(1).standard_normal((3, 2, 2))
    grads = []
    for mod, t in zip((numtorch, torch), _leaf(x)):
        data = mod.nn.utils.rnn.pack_padded_sequence(t, [3, 1]).data
        (g,) = mod.autograd.grad((data ** 3).sum(), t, create_graph=True)
        grads.append(mod.autograd.grad((g ** 2).sum(), t)[0])
    _same(*grads)


def test_lengths_as_tensor_and_packed_sequence_fields():
    nx, tx = _leaf(np.arange(12.0).reshape(3, 2, 2))
    p = R.pack_padded_sequence(nx, numtorch.tensor([3, 1]))
    tp = TR.pack_padded_sequence(tx, torch.tensor([3, 1]))
    _same_packed(p, tp)
    assert R.PackedSequence._fields == TR.PackedSequence._fields
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert sorted_indices is None and unsorted_indices is None
    assert p.float().data.dtype == numtorch.float32
    assert p.double().data.dtype == numtorch.float64
    assert isinstance(p.to(numtorch.float32), R.PackedSequence)
    assert p.to(numtorch.float64) is p
    assert p.is_cuda is False and p.is_pinned() is False
    assert repr(p).startswith("PackedSequence(data=tensor(")


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    rng = np.random.default_rng(1)
    pairs = [_leaf(rng.standard_normal((n, 3))) for n in (2, 4, 1)]
    out = R.pad_sequence([a for a, _ in pairs], batch_first=batch_first, padding_value=7.0,
                         padding_side=padding_side)
    t_out = TR.pad_sequence([b for _, b in pairs], batch_first=batch_first, padding_value=7.0,
                            padding_side=padding_side)
    _same(out, t_out)
    _backward_same(out, t_out)
    for a, b in pairs:
        _same(a.grad, b.grad)


def test_pad_sequence_1d_and_float32():
    seqs = [np.arange(n, dtype=np.float32) for n in (3, 1)]
    out = R.pad_sequence([numtorch.from_numpy(s) for s in seqs])
    t_out = TR.pad_sequence([torch.from_numpy(s) for s in seqs])
    _same(out, t_out)
    assert out.dtype == numtorch.float32


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_and_unpack_sequence(enforce_sorted):
    rng = np.random.default_rng(2)
    lens = (4, 3, 1) if enforce_sorted else (2, 4, 1)
    pairs = [_leaf(rng.standard_normal((n, 2))) for n in lens]
    p = R.pack_sequence([a for a, _ in pairs], enforce_sorted=enforce_sorted)
    tp = TR.pack_sequence([b for _, b in pairs], enforce_sorted=enforce_sorted)
    _same_packed(p, tp)
    seqs = R.unpack_sequence(p)
    t_seqs = TR.unpack_sequence(tp)
    assert len(seqs) == len(t_seqs)
    total, t_total = 0, 0
    for i, (a, b) in enumerate(zip(seqs, t_seqs)):
        _same(a, b)
        total = total + a.sum() * (i + 1)
        t_total = t_total + b.sum() * (i + 1)
    total.backward()
    t_total.backward()
    for a, b in pairs:
        _same(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence(batch_first):
    rng = np.random.default_rng(3)
    shape = (3, 4, 2) if batch_first else (4, 3, 2)
    nx, tx = _leaf(rng.standard_normal(shape))
    lengths = [4, 1, 3]
    seqs = R.unpad_sequence(nx, numtorch.tensor(lengths), batch_first=batch_first)
    t_seqs = TR.unpad_sequence(tx.clone(), torch.tensor(lengths), batch_first=batch_first)
    for a, b in zip(seqs, t_seqs):
        _same(a, b)
    numtorch.cat(seqs).sum().backward()
    torch.cat(t_seqs).sum().backward()
    _same(nx.grad, tx.grad)


def test_invert_permutation():
    perm = numtorch.tensor([2, 0, 1])
    assert R.invert_permutation(perm).tolist() == TR.invert_permutation(
        torch.tensor([2, 0, 1])).tolist()
    assert R.invert_permutation(None) is None


def _raises_like(nt_fn, t_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(t_err.type) as nt_err:
        nt_fn()
    assert str(nt_err.value) == str(t_err.value)


def test_errors():
    x = np.zeros((4, 3, 2))
    nx, tx = numtorch.from_numpy(x), torch.from_numpy(x)
    _raises_like(lambda: R.pack_padded_sequence(nx, [2, 4, 1]),
                 lambda: TR.pack_padded_sequence(tx, [2, 4, 1]))
    _raises_like(lambda: R.pack_padded_sequence(nx, [4, 2, 0]),
                 lambda: TR.pack_padded_sequence(tx, [4, 2, 0]))
    _raises_like(lambda: R.pack_padded_sequence(nx, [4, 2]),
                 lambda: TR.pack_padded_sequence(tx, [4, 2]))
    p, tp = R.pack_padded_sequence(nx, [4, 2, 1]), TR.pack_padded_sequence(tx, [4, 2, 1])
    _raises_like(lambda: R.pad_packed_sequence(p, total_length=2),
                 lambda: TR.pad_packed_sequence(tp, total_length=2))
    _raises_like(lambda: R.pad_sequence([nx[0]], padding_side="middle"),
                 lambda: TR.pad_sequence([tx[0]], padding_side="middle"))
