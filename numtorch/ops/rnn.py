"""Recurrent kernels: one step of an RNN, LSTM or GRU cell, and a whole layer over a sequence.

With ``W_ih`` ``(G*H, I)``, ``W_hh`` ``(G*H, H)`` and the gates stacked in PyTorch's order:

    RNN   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)            (or relu)
    LSTM  i, f, g, o = split(x W_ih^T + b_ih + h W_hh^T + b_hh)    G = 4
          i, f, o = sigmoid(.), g = tanh(.)
          c' = f * c + i * g,   h' = o * tanh(c')                 (h' @ W_hr^T with proj_size)
    GRU   r, z, n: r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z)  G = 3
          n = tanh(x_n + r * h_n),  h' = (1 - z) * n + z * h
          where x_* = x W_i*^T + b_i* and h_* = h W_h*^T + b_h* (b_hn stays inside r * .)

The fused LSTM and GRU cells (``lstm_cell``, ``gru_cell``) are ONE node each: forward
computes the gate GEMM pair, the nonlinearities and the state update on arrays; backward
is the exact gradient of all of it, again on arrays.

A whole layer (what nn.LSTM / GRU / RNN run) is one node too, ``_RNNLayer``: the input
projection of every time step is a single GEMM ``X W_ih^T`` before the loop, so the loop
only multiplies the hidden state by ``W_hh``; backward walks the steps in reverse (BPTT)
collecting each step's gate gradients, then forms ``dX``, ``dW_ih``, ``dW_hh`` and the
biases with one GEMM (or sum) each. Sequences are laid out packed, as PyTorch's
PackedSequence: time-major rows, ``batch_sizes[t]`` rows at step ``t``, the longest
sequences first, so step ``t`` works on the first ``batch_sizes[t]`` rows of the state
(a padded batch is the case where every ``batch_sizes[t]`` is the batch). ``lstm``, ``gru``,
``rnn_tanh`` and ``rnn_relu`` stack such layers (and directions, and dropout between
layers) with PyTorch's ``torch.lstm``... call forms; the plain RNN cells compose
``linear`` and ``tanh`` / ``relu``.

The fused kernels are once differentiable (``create_graph`` through them raises).
"""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import ArrayFunction, once_differentiable
from ._util import xp_of
from .dropout import dropout as _dropout
from .linear import _ctype, linear
from .shape import cat, stack

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "rnn_tanh", "rnn_relu",
           "lstm", "gru"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid_(xp, a):
    """sigmoid in place, as ``0.5 * tanh(0.5 a) + 0.5``: no overflow for large ``|a|``."""
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


# --- one time step on arrays, shared by the cells and the layer -----------------------------

def _lstm_fwd(xp, gates, c_prev, H):
    """Activate ``gates`` (rows, 4H) in place; return (c', tanh(c'), o * tanh(c'))."""
    # sigmoid(x) = 0.5 tanh(0.5 x) + 0.5 on the i, f, o columns and tanh on g, all four in
    # four whole-row passes: a column scale of 0.5 (1 for g), tanh, the scale again, and a
    # column offset of 0.5 (0 for g). The same roundings as gate by gate (x 0.5 and x 1
    # are exact), in half the time of eight passes over column slices.
    scale, offset = _lstm_gate_affine(xp, gates.dtype, H)
    gates *= scale
    xp.tanh(gates, out=gates)
    gates *= scale
    gates += offset
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    c = f * c_prev
    c += i * g
    tc = xp.tanh(c)
    return c, tc, o * tc


_GATE_AFFINE: dict = {}  # (array module, dtype, H) -> the (scale, offset) rows of _lstm_fwd


def _lstm_gate_affine(xp, dtype, H):
    key = (xp, dtype, H)
    rows = _GATE_AFFINE.get(key)
    if rows is None:
        half, one, zero = xp.full(H, 0.5, dtype), xp.ones(H, dtype), xp.zeros(H, dtype)
        rows = _GATE_AFFINE[key] = (xp.concatenate([half, half, one, half]),
                                    xp.concatenate([half, half, zero, half]))
    return rows


def _lstm_bwd(act, c_prev, tc, dh, dc, dgates, H):
    """Write the pre-activation gate gradients into ``dgates``; return dc_prev.

    With c' = f c + i g and h' = o tanh(c'), and dc = dc' + dh o (1 - tanh(c')^2):
    di = dc g i (1 - i), df = dc c f (1 - f), dg = dc i (1 - g^2), do = dh tanh(c') o (1 - o).
    Each is (upstream) * (gate or 1) * (its derivative factor), so the last two factors are
    applied to all four gates at once, in whole-row passes (the products in that order).
    """
    xp = xp_of(act)
    i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
    dc = dc + dh * o * (1 - tc * tc)
    xp.multiply(dc, g, out=dgates[:, :H])
    xp.multiply(dc, c_prev, out=dgates[:, H:2 * H])
    xp.multiply(dc, i, out=dgates[:, 2 * H:3 * H])
    xp.multiply(dh, tc, out=dgates[:, 3 * H:])
    gate = act.copy()
    gate[:, 2 * H:3 * H] = 1                     # dg has no gate factor
    dgates *= gate
    deriv = 1 - act                              # 1 - s for the sigmoid gates ...
    deriv[:, 2 * H:3 * H] = 1 - g * g            # ... and 1 - g^2 for the tanh gate
    dgates *= deriv
    return dc * f


def _gru_fwd(xp, xw, hh, h_prev, H):
    """``xw`` (rows, 3H) input part, activated in place into [r, z, n]; ``hh`` the hidden part
    with its bias. Returns h'."""
    xw[:, :2 * H] += hh[:, :2 * H]
    _sigmoid_(xp, xw[:, :2 * H])
    n = xw[:, 2 * H:]
    n += xw[:, :H] * hh[:, 2 * H:]
    xp.tanh(n, out=n)
    z = xw[:, H:2 * H]
    return n + z * (h_prev - n)


def _gru_bwd(act, hh_n, h_prev, dh, dxw, dhh, H):
    """Write the gradients of the input part into ``dxw`` and of the hidden part into ``dhh``;
    return the direct part of dh_prev (``dh * z``; the GEMM part is added by the caller)."""
    r, z, n = act[:, :H], act[:, H:2 * H], act[:, 2 * H:]
    dn = dh * (1 - z) * (1 - n * n)
    dxw[:, 2 * H:] = dn
    dhh[:, 2 * H:] = dn * r
    dxw[:, :H] = dn * hh_n * r * (1 - r)
    dxw[:, H:2 * H] = dh * (h_prev - n) * z * (1 - z)
    dhh[:, :2 * H] = dxw[:, :2 * H]
    return dh * z


def _mm_t(a, w, b=None):
    """``a @ w.T (+ b)``."""
    out = a @ w.T
    if b is not None:
        out += b
    return out


def _wrap(arrays):
    return tuple(None if a is None else Tensor._make(a) for a in arrays)


# --- the cells ---------------------------------------------------------------------------

class _LSTMCell(ArrayFunction):
    """One LSTM step: ``(x, h, c) -> (h', c')``."""

    node_name = "ThnnFusedLstmCellBackward0"

    @staticmethod
    def forward(ctx, x, h, c, w_ih, w_hh, b_ih, b_hh):
        xp = xp_of(x, h, c)
        H = c.shape[1]
        gates = _mm_t(x, w_ih, b_ih)
        gates += _mm_t(h, w_hh, b_hh)
        c1, tc, h1 = _lstm_fwd(xp, gates, c, H)
        ctx.save_for_backward(x, h, c, w_ih, w_hh)  # (version-checked at backward)
        ctx.state = (gates, tc, b_ih is not None, b_hh is not None)
        return h1, c1

    @staticmethod
    @once_differentiable
    def backward(ctx, gh, gc):
        x, h, c, w_ih, w_hh = (t._data for t in ctx.saved_tensors)
        act, tc, has_bih, has_bhh = ctx.state
        xp = xp_of(x)
        dg = xp.empty_like(act)
        dc = _lstm_bwd(act, c, tc, gh._data, gc._data, dg, c.shape[1])
        return _cell_grads(ctx, x, h, w_ih, w_hh, dg, dg, has_bih, has_bhh, dc)


def _cell_grads(ctx, x, h, w_ih, w_hh, dxw, dhh, has_bih, has_bhh, dc=None, dh_direct=None):
    """The input, state and parameter gradients of a cell from its gate gradients."""
    need = ctx.needs_input_grad
    dx = dxw @ w_ih if need[0] else None
    dh = dhh @ w_hh if need[1] else None
    if dh is not None and dh_direct is not None:
        dh += dh_direct
    grads = [dx, dh]
    if dc is not None:
        grads.append(dc if need[2] else None)
    k = len(grads)
    grads += [dxw.T @ x if need[k] else None, dhh.T @ h if need[k + 1] else None,
              dxw.sum(0) if has_bih and need[k + 2] else None,
              dhh.sum(0) if has_bhh and need[k + 3] else None]
    return _wrap(grads)


class _GRUCell(ArrayFunction):
    """One GRU step: ``(x, h) -> h'``."""

    node_name = "ThnnFusedGruCellBackward0"

    @staticmethod
    def forward(ctx, x, h, w_ih, w_hh, b_ih, b_hh):
        xp = xp_of(x, h)
        H = h.shape[1]
        xw = _mm_t(x, w_ih, b_ih)
        hh = _mm_t(h, w_hh, b_hh)
        h1 = _gru_fwd(xp, xw, hh, h, H)
        ctx.save_for_backward(x, h, w_ih, w_hh)
        ctx.state = (xw, hh[:, 2 * H:], b_ih is not None, b_hh is not None)
        return h1

    @staticmethod
    @once_differentiable
    def backward(ctx, gh):
        x, h, w_ih, w_hh = (t._data for t in ctx.saved_tensors)
        act, hh_n, has_bih, has_bhh = ctx.state
        xp = xp_of(x)
        dxw, dhh = xp.empty_like(act), xp.empty_like(act)
        direct = _gru_bwd(act, hh_n, h, gh._data, dxw, dhh, h.shape[1])
        return _cell_grads(ctx, x, h, w_ih, w_hh, dxw, dhh, has_bih, has_bhh,
                           dh_direct=direct)


def _check_cell(input, hx, w_ih, w_hh, b_ih, b_hh, gates, name="hidden0"):
    """PyTorch's checks of a cell's arguments, with its messages."""
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                           f"expected {w_ih.shape[1]}")
    if input.shape[0] != hx.shape[0]:
        raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match {name} batch "
                           f"size {hx.shape[0]}")
    if hx.shape[1] != w_hh.shape[1]:
        raise RuntimeError(f"{name} has inconsistent hidden_size: got {hx.shape[1]}, "
                           f"expected {w_hh.shape[1]}")
    if name != "hidden0":
        return
    hidden = w_hh.shape[1]
    for wname, w in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if w.shape[0] != gates * hidden:
            raise RuntimeError(f"{wname} first dim must be {gates} * hidden_size = "
                               f"{gates * hidden}, but got {w.shape[0]}")
    for a, w in ((input, w_ih), (hx, w_hh)):
        if a.dtype != w.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_ctype(a)} != {_ctype(w)}")
    for b in (b_ih, b_hh):
        if b is not None and b.dtype != w_ih.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{b.dtype._legacy} and {w_ih.dtype._legacy}")


def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step on a batch: ``(input (B, I), (h (B, H), c (B, H))) -> (h', c')``."""
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    h, c = hx
    _check_cell(input, h, w_ih, w_hh, b_ih, b_hh, 4)
    _check_cell(input, c, w_ih, w_hh, b_ih, b_hh, 4, "hidden1")
    return _LSTMCell.apply(input, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step on a batch: ``(input (B, I), h (B, H)) -> h'``."""
    _check_cell(input, hx, w_ih, w_hh, b_ih, b_hh, 3)
    return _GRUCell.apply(input, hx, w_ih, w_hh, b_ih, b_hh)


def _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, act):
    # A plain RNN step composes existing ops, so its nodes are PyTorch's own
    # (AddBackward0 ... TanhBackward0 / ReluBackward0).
    _check_cell(input, hx, w_ih, w_hh, b_ih, b_hh, 1)
    pre = linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh)
    return pre.tanh() if act == "tanh" else pre.relu()


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step: ``tanh(input W_ih^T + b_ih + hx W_hh^T + b_hh)``."""
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "tanh")


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One Elman RNN step with ReLU: ``relu(input W_ih^T + b_ih + hx W_hh^T + b_hh)``."""
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "relu")


# --- a whole layer -----------------------------------------------------------------------

class _RNNLayer(ArrayFunction):
    """One direction of one layer over a (packed) sequence.

    forward(x (N, I), h0 (B, P), c0 (B, H) or None, w_ih, w_hh, b_ih, b_hh, w_hr,
            mode, batch_sizes, reverse) -> (out (N, P), h_n (B, P)[, c_n (B, H)])
    ``P`` is ``proj_size`` for a projected LSTM, else ``H``. ``x`` may also be a padded
    ``(T, B, I)`` (every batch size ``B``): ``out`` is then ``(T, B, P)``.

    The node is named as the output's grad_fn prints in PyTorch's CPU build: an LSTM layer
    is one oneDNN op there (``MkldnnRnnLayerBackward0``); see the subclasses for the others.
    """

    node_name = "MkldnnRnnLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
        xp = xp_of(x, h0)
        x_shape = x.shape
        x = x.reshape(-1, x_shape[-1])  # padded (T, B, I): its rows are the packed rows
        H = w_hh.shape[0] // _GATES[mode]
        N = x.shape[0]
        offsets = [0]
        for b in batch_sizes[:-1]:
            offsets.append(offsets[-1] + b)
        steps = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
        # The input projection of every step at once; the hidden-side bias joins it
        # except in a GRU, where b_hn must stay inside r * (h W_hn^T + b_hn).
        xw = _mm_t(x, w_ih, b_ih)
        if b_hh is not None and mode != "GRU":
            xw += b_hh
        h = h0.copy()
        c = c0.copy() if c0 is not None else None
        out = xp.empty((N, h0.shape[1]), dtype=x.dtype)
        h_prev = xp.empty_like(out)  # the state each row's step started from (for dW_hh)
        extra = {}
        if mode == "LSTM":
            extra = {"c_prev": xp.empty((N, H), dtype=x.dtype), "tc": xp.empty((N, H), x.dtype)}
            if w_hr is not None:
                extra["r"] = xp.empty((N, H), dtype=x.dtype)
        elif mode == "GRU":
            extra = {"hh_n": xp.empty((N, H), dtype=x.dtype)}
        for t in steps:
            s, b = offsets[t], batch_sizes[t]
            e = s + b
            hp = h[:b]
            h_prev[s:e] = hp
            if mode == "LSTM":
                gates = xw[s:e]
                gates += hp @ w_hh.T
                extra["c_prev"][s:e] = c[:b]
                c[:b], extra["tc"][s:e], r = _lstm_fwd(xp, gates, c[:b], H)
                if w_hr is not None:
                    extra["r"][s:e] = r
                    r = r @ w_hr.T
                h[:b] = r
            elif mode == "GRU":
                hh = _mm_t(hp, w_hh, b_hh)
                extra["hh_n"][s:e] = hh[:, 2 * H:]
                h[:b] = _gru_fwd(xp, xw[s:e], hh, hp, H)
            else:
                pre = xw[s:e]
                pre += hp @ w_hh.T
                if mode == "RNN_TANH":
                    xp.tanh(pre, out=pre)
                else:
                    xp.maximum(pre, 0, out=pre)
                h[:b] = pre
            out[s:e] = h[:b]
        ctx.save_for_backward(x, w_ih, w_hh, w_hr)
        ctx.state = (xw, h_prev, extra, mode, batch_sizes, offsets, steps, b_ih is not None,
                     b_hh is not None)
        ctx.x_shape = x_shape
        if mode == "RNN_TANH" or mode == "RNN_RELU":
            ctx.out = out  # the activated outputs give the nonlinearity's derivative
        out = out.reshape(x_shape[:-1] + (out.shape[1],))
        return (out, h, c) if mode == "LSTM" else (out, h)

    @staticmethod
    @once_differentiable
    def backward(ctx, dout, dhn, dcn=None):
        x, w_ih, w_hh, w_hr = (None if t is None else t._data for t in ctx.saved_tensors)
        act, h_prev, extra, mode, batch_sizes, offsets, steps, has_bih, has_bhh = ctx.state
        xp = xp_of(x)
        H = w_hh.shape[0] // _GATES[mode]
        dout = dout._data.reshape(-1, dout.shape[-1])
        dh = dhn._data.copy()
        dc = dcn._data.copy() if dcn is not None else None
        dxw = xp.empty_like(act)
        dhh = xp.empty_like(act) if mode == "GRU" else dxw
        dh_all = xp.empty_like(dout) if w_hr is not None else None
        for t in reversed(steps):
            s, b = offsets[t], batch_sizes[t]
            e = s + b
            g = dh[:b] + dout[s:e]
            if mode == "LSTM":
                if w_hr is not None:
                    dh_all[s:e] = g
                    g = g @ w_hr
                dc[:b] = _lstm_bwd(act[s:e], extra["c_prev"][s:e], extra["tc"][s:e], g, dc[:b],
                                   dxw[s:e], H)
                dh[:b] = dxw[s:e] @ w_hh
            elif mode == "GRU":
                direct = _gru_bwd(act[s:e], extra["hh_n"][s:e], h_prev[s:e], g, dxw[s:e],
                                  dhh[s:e], H)
                dh[:b] = dhh[s:e] @ w_hh
                dh[:b] += direct
            else:
                y = ctx.out[s:e]
                if mode == "RNN_TANH":
                    g *= 1 - y * y
                else:
                    g *= y > 0
                dxw[s:e] = g
                dh[:b] = g @ w_hh
        need = ctx.needs_input_grad
        grads = [(dxw @ w_ih).reshape(ctx.x_shape) if need[0] else None, dh if need[1] else None,
                 dc if need[2] else None,
                 dxw.T @ x if need[3] else None, dhh.T @ h_prev if need[4] else None,
                 dxw.sum(0) if has_bih and need[5] else None,
                 dhh.sum(0) if has_bhh and need[6] else None,
                 dh_all.T @ extra["r"] if w_hr is not None and need[7] else None]
        return _wrap(grads) + (None, None, None)


class _RNNLayerStacked(_RNNLayer):
    """A tanh/ReLU RNN or GRU layer over a padded batch: PyTorch's CPU build runs these step
    by step and stacks the steps' outputs, so its output's grad_fn prints ``StackBackward0``."""

    node_name = "StackBackward0"


class _RNNLayerPacked(_RNNLayer):
    """Any layer over packed rows: PyTorch concatenates the steps' outputs into the packed
    data, so its grad_fn prints ``CatBackward0``."""

    node_name = "CatBackward0"


def _rnn_layer(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
    """Run one direction of one layer: ``x`` (N, I) packed rows or a padded (T, B, I); returns
    (out, h_n[, c_n])."""
    cls = (_RNNLayerPacked if x.ndim == 2 else _RNNLayer if mode == "LSTM"
           else _RNNLayerStacked)
    return cls.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, tuple(batch_sizes), reverse)


# --- every layer and direction: what nn.RNN / LSTM / GRU call --------------------------------

def _stack_layers(mode, input, batch_sizes, hx, cx, params, has_biases, num_layers, dropout,
                  train, bidirectional, batch_first):
    """Run ``num_layers`` layers (both directions if ``bidirectional``) over ``input``.

    ``params`` is flat, per layer and direction: w_ih, w_hh, [b_ih, b_hh], [w_hr].
    ``input`` is packed rows (N, I) when ``batch_sizes`` is given, else (T, B, I)
    (``(B, T, I)`` with ``batch_first``). Returns (output laid out as the input, h_n, c_n).
    """
    directions = 2 if bidirectional else 1
    params = list(params)
    per = len(params) // (num_layers * directions)
    has_proj = per == (5 if has_biases else 3)
    packed = batch_sizes is not None
    if packed:
        x = input
        sizes = [int(b) for b in (batch_sizes._data if isinstance(batch_sizes, Tensor)
                                  else batch_sizes)]
    else:
        if batch_first:
            input = input.transpose(0, 1)
        x, sizes = input, [input.shape[1]] * input.shape[0]
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            w = params[k * per:(k + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            w_hr = w[-1] if has_proj else None
            res = _rnn_layer(mode, x, hx[k], None if cx is None else cx[k], w_ih, w_hh, b_ih,
                             b_hh, w_hr, sizes, direction == 1)
            outs.append(res[0])
            h_n.append(res[1])
            if cx is not None:
                c_n.append(res[2])
        x = outs[0] if directions == 1 else cat(outs, -1)
        if dropout != 0 and train and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    if not packed and batch_first:
        # PyTorch's LSTM transposes back out of place; its RNN and GRU in place
        # (TransposeBackward0 / TransposeBackward1).
        x = x.transpose(0, 1) if mode == "LSTM" else x.transpose_(0, 1)
    return x, stack(h_n), (stack(c_n) if cx is not None else None)


def _split_overload(input, args):
    """PyTorch's two call forms: (input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first) and, for packed data, (data, batch_sizes, hx, params,
    has_biases, num_layers, dropout, train, bidirectional)."""
    if len(args) != 8:
        raise TypeError(f"expected 9 arguments, got {len(args) + 1}")
    if isinstance(args[2], bool):  # has_biases third: the padded form
        return (input, None) + tuple(args)
    return (input, args[0]) + tuple(args[1:]) + (False,)


def lstm(input: Tensor, *args) -> tuple[Tensor, Tensor, Tensor]:
    """A multi-layer LSTM over a sequence: returns ``(output, h_n, c_n)``.

    ``lstm(input, (h0, c0), params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)`` or, on packed data, ``lstm(data, batch_sizes, (h0, c0), params, ...,
    bidirectional)``.
    """
    input, batch_sizes, hx, *rest = _split_overload(input, args)
    return _stack_layers("LSTM", input, batch_sizes, hx[0], hx[1], *rest)


def _single_state(mode):
    def run(input: Tensor, *args) -> tuple[Tensor, Tensor]:
        input, batch_sizes, hx, *rest = _split_overload(input, args)
        out, h_n, _ = _stack_layers(mode, input, batch_sizes, hx, None, *rest)
        return out, h_n
    return run


gru = _single_state("GRU")
gru.__name__ = gru.__qualname__ = "gru"
gru.__doc__ = "A multi-layer GRU over a sequence: returns ``(output, h_n)`` (call forms as lstm)."
rnn_tanh = _single_state("RNN_TANH")
rnn_tanh.__name__ = rnn_tanh.__qualname__ = "rnn_tanh"
rnn_tanh.__doc__ = "A multi-layer tanh RNN: returns ``(output, h_n)`` (call forms as lstm)."
rnn_relu = _single_state("RNN_RELU")
rnn_relu.__name__ = rnn_relu.__qualname__ = "rnn_relu"
rnn_relu.__doc__ = "A multi-layer ReLU RNN: returns ``(output, h_n)`` (call forms as lstm)."
