"""nn.RNN / LSTM / GRU and their cells against PyTorch: outputs, states, every gradient,
initialisation, repr, state_dict, errors; gradcheck of the fused kernels."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.nn.utils import rnn as nt_rnn

from ..utils import torch

TNN = torch.nn
trnn = torch.nn.utils.rnn


def _copy_weights(nt_mod, t_mod):
    for name, p in t_mod.named_parameters():
        getattr(nt_mod, name).data = numtorch.from_numpy(p.detach().numpy().copy())


def _build(kind, *args, dtype="float64", **kwargs):
    t_mod = getattr(TNN, kind)(*args, **kwargs)
    nt_mod = getattr(nn, kind)(*args, **kwargs)
    if dtype == "float64":
        t_mod, nt_mod = t_mod.double(), nt_mod.double()
    _copy_weights(nt_mod, t_mod)
    return nt_mod, t_mod


def _close(a, b, tol):
    if isinstance(b, (tuple, list)):
        for x, y in zip(a, b):
            _close(x, y, tol)
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _flat(out):
    """The tensors of a module's output, packed data unwrapped."""
    if isinstance(out, (trnn.PackedSequence, nt_rnn.PackedSequence)):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _compare(nt_mod, t_mod, nt_args, t_args, tol=1e-9):
    """Forward both, backward the same random upstream grads, compare everything."""
    nt_out, t_out = _flat(nt_mod(*nt_args)), _flat(t_mod(*t_args))
    assert len(nt_out) == len(t_out)
    rng = np.random.default_rng(0)
    nt_loss, t_loss = 0, 0
    for a, b in zip(nt_out, t_out):
        _close(a, b, tol)
        g = rng.standard_normal(tuple(b.shape)).astype(b.detach().numpy().dtype)
        nt_loss = nt_loss + (a * numtorch.from_numpy(g)).sum()
        t_loss = t_loss + (b * torch.from_numpy(g)).sum()
    nt_loss.backward()
    t_loss.backward()
    for (name, tp), (_, np_) in zip(t_mod.named_parameters(), nt_mod.named_parameters()):
        assert np_.grad is not None, name
        np.testing.assert_allclose(np_.grad.numpy(), tp.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=name)


def _leaf(arr, requires_grad=True):
    a = numtorch.from_numpy(arr.copy()).requires_grad_(requires_grad)
    t = torch.from_numpy(arr.copy()).requires_grad_(requires_grad)
    return a, t


CONFIGS = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [True, False], [False, True],
                                 [False, True]))


@pytest.mark.parametrize("kind,layers,bias,batch_first,bidirectional", CONFIGS)
def test_module_parity_float64(kind, layers, bias, batch_first, bidirectional):
    nt_mod, t_mod = _build(kind, 3, 5, layers, bias=bias, batch_first=batch_first,
                           bidirectional=bidirectional)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3) if batch_first else (4, 2, 3))
    nx, tx = _leaf(x)
    D = 2 if bidirectional else 1
    h0 = rng.standard_normal((layers * D, 2, 5))
    nh, th = _leaf(h0)
    if kind == "LSTM":
        c0 = rng.standard_normal((layers * D, 2, 5))
        nc, tc = _leaf(c0)
        _compare(nt_mod, t_mod, (nx, (nh, nc)), (tx, (th, tc)))
        _close(nc.grad, tc.grad, 1e-9)
    else:
        _compare(nt_mod, t_mod, (nx, nh), (tx, th))
    _close(nx.grad, tx.grad, 1e-9)
    _close(nh.grad, th.grad, 1e-9)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_float32_default_state_and_dtype(kind):
    nt_mod, t_mod = _build(kind, 4, 6, 2, dtype="float32")
    x = np.random.default_rng(2).standard_normal((5, 3, 4)).astype(np.float32)
    nx, tx = _leaf(x)
    _compare(nt_mod, t_mod, (nx,), (tx,), tol=2e-5)
    _close(nx.grad, tx.grad, 2e-5)
    out, _ = nt_mod(nx)
    assert out.dtype == numtorch.float32


def test_rnn_relu():
    nt_mod, t_mod = _build("RNN", 3, 4, 2, nonlinearity="relu")
    x = np.random.default_rng(3).standard_normal((6, 2, 3))
    nx, tx = _leaf(x)
    _compare(nt_mod, t_mod, (nx,), (tx,))
    _close(nx.grad, tx.grad, 1e-9)
    assert "nonlinearity" not in repr(nt_mod)  # PyTorch's RNN repr omits it too


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_proj_size(bidirectional, layers):
    nt_mod, t_mod = _build("LSTM", 3, 6, layers, proj_size=2, bidirectional=bidirectional)
    rng = np.random.default_rng(4)
    nx, tx = _leaf(rng.standard_normal((4, 3, 3)))
    D = 2 if bidirectional else 1
    nh, th = _leaf(rng.standard_normal((layers * D, 3, 2)))
    nc, tc = _leaf(rng.standard_normal((layers * D, 3, 6)))
    _compare(nt_mod, t_mod, (nx, (nh, nc)), (tx, (th, tc)))
    for a, b in ((nx, tx), (nh, th), (nc, tc)):
        _close(a.grad, b.grad, 1e-9)
    assert [n for n, _ in nt_mod.named_parameters()] == [n for n, _ in t_mod.named_parameters()]


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(kind):
    nt_mod, t_mod = _build(kind, 3, 4, 2, bidirectional=True)
    rng = np.random.default_rng(5)
    nx, tx = _leaf(rng.standard_normal((5, 3)))
    nh, th = _leaf(rng.standard_normal((4, 4)))
    if kind == "LSTM":
        nc, tc = _leaf(rng.standard_normal((4, 4)))
        _compare(nt_mod, t_mod, (nx, (nh, nc)), (tx, (th, tc)))
    else:
        _compare(nt_mod, t_mod, (nx, nh), (tx, th))
    _close(nx.grad, tx.grad, 1e-9)
    _close(nh.grad, th.grad, 1e-9)
    out = nt_mod(nx)
    assert tuple(out[0].shape) == (5, 8)


@pytest.mark.parametrize("kind,bidirectional,enforce_sorted",
                         [(k, b, e) for k in ("RNN", "LSTM", "GRU") for b in (False, True)
                          for e in (True, False)])
def test_packed_sequence_input(kind, bidirectional, enforce_sorted):
    nt_mod, t_mod = _build(kind, 3, 4, 2, bidirectional=bidirectional)
    rng = np.random.default_rng(6)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    nx, tx = _leaf(rng.standard_normal((5, 4, 3)))
    npk = nt_rnn.pack_padded_sequence(nx, lengths, enforce_sorted=enforce_sorted)
    tpk = trnn.pack_padded_sequence(tx, lengths, enforce_sorted=enforce_sorted)
    D = 2 if bidirectional else 1
    nh, th = _leaf(rng.standard_normal((2 * D, 4, 4)))
    if kind == "LSTM":
        nc, tc = _leaf(rng.standard_normal((2 * D, 4, 4)))
        nt_args, t_args = (npk, (nh, nc)), (tpk, (th, tc))
    else:
        nt_args, t_args = (npk, nh), (tpk, th)
    out = nt_mod(*nt_args)
    assert isinstance(out[0], nt_rnn.PackedSequence)
    np.testing.assert_array_equal(out[0].batch_sizes.numpy(), tpk.batch_sizes.numpy())
    _compare(nt_mod, t_mod, nt_args, t_args)
    _close(nx.grad, tx.grad, 1e-9)
    _close(nh.grad, th.grad, 1e-9)
    padded, lens = nt_rnn.pad_packed_sequence(out[0])
    t_padded, t_lens = trnn.pad_packed_sequence(t_mod(*t_args)[0])
    _close(padded, t_padded, 1e-9)
    assert lens.tolist() == t_lens.tolist()


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_matches_torch_rng(kind):
    nt_mod, t_mod = _build(kind, 3, 4, 3, dropout=0.4, bidirectional=True, dtype="float32")
    x = np.random.default_rng(7).standard_normal((5, 2, 3)).astype(np.float32)
    nx, tx = _leaf(x)
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    _compare(nt_mod, t_mod, (nx,), (tx,), tol=2e-5)
    nt_mod.eval()
    t_mod.eval()
    _close(nt_mod(nx)[0], t_mod(tx)[0], 2e-5)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_seeded_init_is_bit_identical(kind):
    args = (5, 7, 2) if not kind.endswith("Cell") else (5, 7)
    kwargs = {"proj_size": 3} if kind == "LSTM" else {}
    if kind in ("RNN", "GRU", "LSTM"):
        kwargs["bidirectional"] = True
    numtorch.manual_seed(123)
    nt_mod = getattr(nn, kind)(*args, **kwargs)
    torch.manual_seed(123)
    t_mod = getattr(TNN, kind)(*args, **kwargs)
    for (n1, p1), (n2, p2) in zip(nt_mod.named_parameters(), t_mod.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())


@pytest.mark.parametrize("kind,args,kwargs", [
    ("RNN", (3, 4), {}),
    ("RNN", (3, 4, 2), {"nonlinearity": "relu", "bias": False, "batch_first": True,
                        "dropout": 0.5, "bidirectional": True}),
    ("LSTM", (10, 20, 2), {"proj_size": 5}),
    ("LSTM", (10, 20), {"batch_first": True}),
    ("GRU", (10, 20, 3), {"dropout": 0.1}),
    ("RNNCell", (3, 4), {}),
    ("RNNCell", (3, 4), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
])
def test_repr_and_state_dict_keys(kind, args, kwargs):
    nt_mod = getattr(nn, kind)(*args, **kwargs)
    t_mod = getattr(TNN, kind)(*args, **kwargs)
    assert repr(nt_mod) == repr(t_mod)
    assert list(nt_mod.state_dict().keys()) == list(t_mod.state_dict().keys())
    if not kind.endswith("Cell"):
        assert nt_mod._flat_weights_names == t_mod._flat_weights_names
        assert [[tuple(p.shape) for p in ws] for ws in nt_mod.all_weights] == \
               [[tuple(p.shape) for p in ws] for ws in t_mod.all_weights]
        nt_mod.flatten_parameters()


def test_torch_saved_lstm_state_dict_loads():
    t_mod = TNN.LSTM(4, 6, 2, bidirectional=True, proj_size=3)
    buf = io.BytesIO()
    torch.save(t_mod.state_dict(), buf)
    buf.seek(0)
    nt_mod = nn.LSTM(4, 6, 2, bidirectional=True, proj_size=3)
    nt_mod.load_state_dict(numtorch.load(buf))
    x = np.random.default_rng(8).standard_normal((3, 2, 4)).astype(np.float32)
    out, (h, c) = nt_mod(numtorch.from_numpy(x))
    t_out, (th, tc) = t_mod(torch.from_numpy(x))
    _close(out, t_out, 2e-5)
    _close(h, th, 2e-5)
    _close(c, tc, 2e-5)


# --- cells --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                         ("LSTMCell", {}), ("GRUCell", {}),
                                         ("LSTMCell", {"bias": False}),
                                         ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
def test_cell_parity(kind, kwargs, batched):
    nt_mod, t_mod = _build(kind, 3, 5, **kwargs)
    rng = np.random.default_rng(9)
    shape = (4,) if batched else ()
    nx, tx = _leaf(rng.standard_normal(shape + (3,)))
    nh, th = _leaf(rng.standard_normal(shape + (5,)))
    if kind == "LSTMCell":
        nc, tc = _leaf(rng.standard_normal(shape + (5,)))
        _compare(nt_mod, t_mod, (nx, (nh, nc)), (tx, (th, tc)))
        _close(nc.grad, tc.grad, 1e-9)
    else:
        _compare(nt_mod, t_mod, (nx, nh), (tx, th))
    _close(nx.grad, tx.grad, 1e-9)
    _close(nh.grad, th.grad, 1e-9)
    out = nt_mod(nx)  # default zero state
    t_out = t_mod(tx)
    _close(out, t_out, 1e-9)


def test_functional_cells_match_torch():
    rng = np.random.default_rng(10)
    x, h, c = (rng.standard_normal((3, n)) for n in (4, 5, 5))
    for fn, gates in (("lstm_cell", 4), ("gru_cell", 3), ("rnn_tanh_cell", 1),
                      ("rnn_relu_cell", 1)):
        w_ih, w_hh = rng.standard_normal((gates * 5, 4)), rng.standard_normal((gates * 5, 5))
        b_ih, b_hh = rng.standard_normal(gates * 5), rng.standard_normal(gates * 5)
        nts = [_leaf(a) for a in (x, h, c, w_ih, w_hh, b_ih, b_hh)]
        nt_a, t_a = [p[0] for p in nts], [p[1] for p in nts]
        nt_fn, t_fn = getattr(numtorch.ops.rnn, fn), getattr(torch, fn)
        if fn == "lstm_cell":
            nt_out = nt_fn(nt_a[0], (nt_a[1], nt_a[2]), *nt_a[3:])
            t_out = t_fn(t_a[0], (t_a[1], t_a[2]), *t_a[3:])
        else:
            nt_out = nt_fn(nt_a[0], nt_a[1], *nt_a[3:])
            t_out = t_fn(t_a[0], t_a[1], *t_a[3:])
        _close(nt_out, t_out, 1e-10)


def _cell_inputs(gates, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (3, 5), (3, 5), (gates * 5, 4), (gates * 5, 5)]
    if bias:
        shapes += [(gates * 5,), (gates * 5,)]
    return [numtorch.from_numpy(rng.standard_normal(s)).requires_grad_() for s in shapes]


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_lstm_cell(bias):
    inputs = _cell_inputs(4, bias)
    assert numtorch.autograd.gradcheck(
        lambda x, h, c, *w: numtorch.ops.rnn.lstm_cell(x, (h, c), *w), inputs)


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_gru_cell(bias):
    inputs = _cell_inputs(3, bias)
    del inputs[2]
    assert numtorch.autograd.gradcheck(numtorch.ops.rnn.gru_cell, inputs)


@pytest.mark.parametrize("fn", ["rnn_tanh_cell", "rnn_relu_cell"])
def test_gradcheck_rnn_cells(fn):
    inputs = _cell_inputs(1)
    del inputs[2]
    assert numtorch.autograd.gradcheck(getattr(numtorch.ops.rnn, fn), inputs)


@pytest.mark.parametrize("mode,proj,reverse", [("LSTM", False, False), ("LSTM", True, True),
                                               ("GRU", False, True), ("RNN_TANH", False, False),
                                               ("RNN_RELU", False, True)])
def test_gradcheck_layer_kernel_packed(mode, proj, reverse):
    from numtorch.ops.rnn import _rnn_layer
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    H, P = 4, (2 if proj else 4)
    rng = np.random.default_rng(12)
    sizes = [3, 2, 2, 1]
    t = [numtorch.from_numpy(rng.standard_normal(s)).requires_grad_() for s in
         [(sum(sizes), 3), (3, P), (3, H), (gates * H, 3), (gates * H, P), (gates * H,),
          (gates * H,), (P, H)]]
    if mode != "LSTM":
        t[2] = None
    if not proj:
        t[7] = None

    def fn(*args):
        full = list(t)
        k = 0
        for i, v in enumerate(full):
            if v is not None:
                full[i] = args[k]
                k += 1
        return _rnn_layer(mode, full[0], full[1], full[2], *full[3:8], sizes, reverse)

    assert numtorch.autograd.gradcheck(fn, [v for v in t if v is not None])


def test_grad_fn_names():
    x = numtorch.randn(3, 4, requires_grad=True)
    h = numtorch.randn(3, 5)
    w_ih, w_hh = numtorch.randn(5, 4), numtorch.randn(5, 5)
    assert type(numtorch.ops.rnn.rnn_tanh_cell(x, h, w_ih, w_hh).grad_fn).__name__ == \
        "TanhBackward0"
    assert type(numtorch.ops.rnn.rnn_relu_cell(x, h, w_ih, w_hh).grad_fn).__name__ == \
        "ReluBackward0"
    out, h_n = nn.GRU(4, 5)(x.unsqueeze(1))
    assert type(h_n.grad_fn).__name__ == "StackBackward0"


def test_double_backward_through_fused_kernel_raises():
    cell = nn.LSTMCell(3, 4).double()
    x = numtorch.randn(2, 3, dtype=numtorch.float64, requires_grad=True)
    h, _ = cell(x)
    v = numtorch.ones(2, 4, dtype=numtorch.float64, requires_grad=True)
    (g,) = numtorch.autograd.grad(h, x, grad_outputs=v, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


# --- errors -------------------------------------------------------------------------------

def _raises_like(nt_fn, t_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(t_err.type) as nt_err:
        nt_fn()
    assert str(nt_err.value).replace("numtorch.", "torch.") == str(t_err.value)


@pytest.mark.parametrize("kind,args,kwargs", [
    ("RNN", (3, 4), {"nonlinearity": "sigmoid"}),
    ("RNN", (3, 4), {"proj_size": 2}),
    ("GRU", (3, 4), {"proj_size": 2}),
    ("LSTM", (3, 4), {"proj_size": 4}),
    ("LSTM", (3, 4), {"proj_size": -1}),
    ("LSTM", (3, 4), {"dropout": 1.5}),
    ("LSTM", (3, 4), {"dropout": True}),
    ("LSTM", (3, 0), {}),
    ("LSTM", (0, 3), {}),
    ("LSTM", (3.0, 3), {}),
    ("LSTM", (3, 3, 0), {}),
    ("LSTM", (3, 3), {"bias": 1}),
    ("GRU", (3, 3), {"batch_first": None}),
])
def test_constructor_errors(kind, args, kwargs):
    _raises_like(lambda: getattr(nn, kind)(*args, **kwargs),
                 lambda: getattr(TNN, kind)(*args, **kwargs))


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_forward_errors(kind):
    nt_mod, t_mod = nn.__dict__[kind](3, 4, 2), TNN.__dict__[kind](3, 4, 2)

    def both(x_shape, h_shapes=None, dtype="float32"):
        x = np.zeros(x_shape, dtype=dtype)
        hs = None
        if h_shapes is not None:
            hs = [np.zeros(s, dtype=np.float32) for s in h_shapes]
        def run(lib, mod):
            hx = None
            if hs is not None:
                hx = tuple(lib.from_numpy(a) for a in hs)
                hx = hx if kind == "LSTM" else hx[0]
            return lambda: mod(lib.from_numpy(x), hx)
        _raises_like(run(numtorch, nt_mod), run(torch, t_mod))

    both((1, 2, 3, 3))                         # 4-D input
    both((5, 2, 6))                            # wrong input_size
    both((5, 2, 3), dtype="float64")           # dtype mismatch
    both((5, 2, 3), [(2, 3, 4), (2, 3, 4)])    # wrong batch in hx
    both((5, 2, 3), [(2, 4), (2, 4)])          # 2-D hx for batched input
    both((5, 3), [(2, 1, 4), (2, 1, 4)])       # 3-D hx for unbatched input
    if kind == "LSTM":
        both((5, 2, 3), [(2, 2, 4), (2, 2, 5)])  # wrong c shape


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_errors(kind):
    nt_mod, t_mod = nn.__dict__[kind](3, 4), TNN.__dict__[kind](3, 4)
    _raises_like(lambda: nt_mod(numtorch.zeros(1, 2, 3)), lambda: t_mod(torch.zeros(1, 2, 3)))
    _raises_like(lambda: nt_mod(numtorch.zeros(2, 5)), lambda: t_mod(torch.zeros(2, 5)))
    if kind != "LSTMCell":
        _raises_like(lambda: nt_mod(numtorch.zeros(2, 3), numtorch.zeros(1, 2, 4)),
                     lambda: t_mod(torch.zeros(2, 3), torch.zeros(1, 2, 4)))
        _raises_like(lambda: nt_mod(numtorch.zeros(2, 3), numtorch.zeros(3, 4)),
                     lambda: t_mod(torch.zeros(2, 3), torch.zeros(3, 4)))
    else:
        z = numtorch.zeros(1, 2, 4)
        _raises_like(lambda: nt_mod(numtorch.zeros(2, 3), (z, z)),
                     lambda: t_mod(torch.zeros(2, 3), (torch.zeros(1, 2, 4),) * 2))


def test_rnn_cell_bad_nonlinearity_raises_at_forward():
    cell = nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(RuntimeError, match="Unknown nonlinearity: gelu"):
        cell(numtorch.zeros(2, 3))


def test_module_to_double_keeps_working():
    m = nn.LSTM(3, 4, 2).double()
    assert all(p.dtype == numtorch.float64 for p in m._flat_weights)
    out, _ = m(numtorch.zeros(2, 1, 3, dtype=numtorch.float64))
    assert out.dtype == numtorch.float64


@pytest.mark.parametrize("fn,kind,kwargs", [("lstm", "LSTM", {}), ("lstm", "LSTM", {"proj_size": 2}),
                                            ("gru", "GRU", {}), ("rnn_tanh", "RNN", {}),
                                            ("rnn_relu", "RNN", {"nonlinearity": "relu"})])
def test_functional_multilayer_both_call_forms(fn, kind, kwargs):
    nt_mod, t_mod = _build(kind, 3, 4, 2, bidirectional=True, **kwargs)
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 5, 3))  # batch_first
    real = kwargs.get("proj_size", 4)
    h0, c0 = rng.standard_normal((4, 3, real)), rng.standard_normal((4, 3, 4))
    nt_fn, t_fn = getattr(numtorch.ops.rnn, fn), getattr(torch, fn)
    nhx = (numtorch.from_numpy(h0), numtorch.from_numpy(c0))
    thx = (torch.from_numpy(h0), torch.from_numpy(c0))
    if fn != "lstm":
        nhx, thx = nhx[0], thx[0]
    rest = (True, 2, 0.0, False, True)
    nt_out = nt_fn(numtorch.from_numpy(x), nhx, nt_mod._flat_weights, *rest, True)
    t_out = t_fn(torch.from_numpy(x), thx, t_mod._flat_weights, *rest, True)
    _close(nt_out, t_out, 1e-9)
    lengths = [5, 4, 2]
    npk = nt_rnn.pack_padded_sequence(numtorch.from_numpy(x), lengths, batch_first=True)
    tpk = trnn.pack_padded_sequence(torch.from_numpy(x), lengths, batch_first=True)
    nt_out = nt_fn(npk.data, npk.batch_sizes, nhx, nt_mod._flat_weights, *rest)
    t_out = t_fn(tpk.data, tpk.batch_sizes, thx, t_mod._flat_weights, *rest)
    _close(nt_out, t_out, 1e-9)


def test_functional_cell_errors():
    def both(fn, x, hx, w_ih, w_hh, *b):
        def run(lib):
            def conv(a):
                return tuple(conv(v) for v in a) if isinstance(a, tuple) else lib.from_numpy(a)
            mod = numtorch.ops.rnn if lib is numtorch else torch
            return lambda: getattr(mod, fn)(conv(x), conv(hx), conv(w_ih), conv(w_hh),
                                            *map(conv, b))
        _raises_like(run(numtorch), run(torch))

    z = np.zeros
    x, h = z((3, 4), np.float32), z((3, 5), np.float32)
    w4i, w4h = z((20, 4), np.float32), z((20, 5), np.float32)
    both("lstm_cell", z((3, 6), np.float32), (h, h), w4i, w4h)
    both("lstm_cell", x, (z((2, 5), np.float32), h), w4i, w4h)
    both("lstm_cell", x, (h, z((3, 6), np.float32)), w4i, w4h)
    both("lstm_cell", x, (h, z((2, 5), np.float32)), w4i, w4h)
    both("lstm_cell", x, (h,), w4i, w4h)
    both("lstm_cell", x, (h, h), z((16, 4), np.float32), w4h)
    both("lstm_cell", x, (h, h), w4i, z((16, 5), np.float32))
    both("lstm_cell", x.astype(np.float64), (h, h), w4i, w4h)
    both("lstm_cell", x, (h, h), w4i, w4h, z(20), z(20))
    both("gru_cell", x, h, z((12, 4), np.float32), z((15, 5), np.float32))
    both("rnn_tanh_cell", x, z((3, 6), np.float32), z((5, 4), np.float32),
         z((5, 5), np.float32))


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_dropout_on_packed_input_matches_torch_rng(kind):
    nt_mod, t_mod = _build(kind, 3, 4, 3, dropout=0.5, bidirectional=True, dtype="float32")
    x = np.random.default_rng(14).standard_normal((5, 3, 3)).astype(np.float32)
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    out, _ = nt_mod(nt_rnn.pack_padded_sequence(numtorch.from_numpy(x), [5, 3, 2]))
    t_out, _ = t_mod(trnn.pack_padded_sequence(torch.from_numpy(x), [5, 3, 2]))
    _close(out.data, t_out.data, 2e-5)


@pytest.mark.parametrize("kind", ["LSTM", "LSTMCell", "GRUCell"])
def test_weight_modified_in_place_after_forward_raises(kind):
    m = getattr(nn, kind)(3, 4)
    out = m(numtorch.randn(2, 3) if kind.endswith("Cell") else numtorch.randn(5, 2, 3))
    out = out[0]
    with numtorch.no_grad():
        m.weight_hh_l0.add_(1) if kind == "LSTM" else m.weight_hh.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("kwargs", [{}, {"num_layers": 2}, {"bidirectional": True},
                                    {"batch_first": True}, {"bias": False}])
def test_output_grad_fn_prints_as_torchs(name, kwargs):
    """A printed output shows PyTorch's grad_fn: the layer node carries the name PyTorch's
    CPU build gives its output (oneDNN LSTM layer, stacked RNN/GRU steps, packed cat)."""
    got = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = getattr(lib.nn, name)(4, 8, **kwargs)
        out, h = m(lib.randn(3, 2, 4))
        packed = lib.nn.utils.rnn.pack_padded_sequence(lib.randn(3, 2, 4), [3, 2])
        pout, _ = m(packed) if not kwargs.get("batch_first") else (packed, None)
        unbatched, _ = m(lib.randn(3, 4))
        h = h[0] if isinstance(h, tuple) else h
        got.append((out.grad_fn.name(), h.grad_fn.name(), pout.data.grad_fn is None
                    or pout.data.grad_fn.name(), unbatched.grad_fn.name()))
    assert got[0] == got[1]
