"""MultiheadAttention and the Transformer modules against PyTorch's, with copied weights."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from tests.utils import assert_same, torch

E, H, FF = 8, 2, 16


def _data(shape, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=np.float32)


def _build(make, seed=0):
    """The same module in both libraries: built from the same seed (so the weights already
    agree), then torch's state_dict loaded into numtorch anyway (loading is under test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(seed)
        tm = make(torch)
        numtorch.manual_seed(seed)
        nm = make(numtorch)
    state = {k: numtorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}
    assert list(state) == list(nm.state_dict())
    nm.load_state_dict(state)
    return nm, tm


def _same_init(make, seed=5):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(seed)
        ts = make(torch).state_dict()
        numtorch.manual_seed(seed)
        ns = make(numtorch).state_dict()
    assert list(ns) == list(ts)
    for k in ts:
        np.testing.assert_array_equal(ns[k].numpy(), ts[k].numpy(), err_msg=k)


def _check(nm, tm, arrays, kwargs=None, train=True, tol=1e-4):
    """Forward (first output) and gradients of inputs and parameters agree."""
    kwargs = kwargs or {}
    nm.train(train)
    tm.train(train)
    nin = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    tin = [torch.tensor(a, requires_grad=True) for a in arrays]

    def kw(lib):
        return {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}

    nout, tout = nm(*nin, **kw(numtorch)), tm(*tin, **kw(torch))
    if isinstance(tout, tuple):
        assert (nout[1] is None) == (tout[1] is None)
        if tout[1] is not None:
            assert_same(nout[1], tout[1], rtol=tol, atol=tol)
        nout, tout = nout[0], tout[0]
    assert_same(nout, tout, rtol=tol, atol=tol)
    g = _data(tuple(tout.shape), 42)
    (nout * numtorch.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for a, b in zip(nin, tin):
        assert_same(a.grad, b.grad, rtol=10 * tol, atol=10 * tol)
    tparams = dict(tm.named_parameters())
    for name, p in nm.named_parameters():
        assert_same(p.grad, tparams[name].grad, rtol=10 * tol, atol=10 * tol)
    return nout


def _repr_and_keys(nm, tm):
    assert repr(nm) == repr(tm).replace("torch.", "numtorch.")
    assert list(nm.state_dict()) == list(tm.state_dict())


# --- MultiheadAttention ----------------------------------------------------------------

MHA_CONFIGS = [
    {},
    {"bias": False},
    {"add_bias_kv": True, "add_zero_attn": True},
    {"kdim": 3, "vdim": 5},
    {"batch_first": True},
    {"batch_first": True, "kdim": 3, "vdim": 5, "add_bias_kv": True},
]


@pytest.mark.parametrize("cfg", MHA_CONFIGS)
def test_multihead_attention_init_repr_keys(cfg):
    def make(lib):
        return lib.nn.MultiheadAttention(E, H, **cfg)

    _same_init(make)
    _repr_and_keys(*_build(make))


@pytest.mark.parametrize("cfg", MHA_CONFIGS)
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention_forward_backward(cfg, need_weights):
    nm, tm = _build(lambda lib: lib.nn.MultiheadAttention(E, H, **cfg))
    bf = cfg.get("batch_first", False)
    q = _data((3, 4, E) if bf else (4, 3, E), 1)
    k = _data((3, 5, cfg.get("kdim", E)) if bf else (5, 3, cfg.get("kdim", E)), 2)
    v = _data((3, 5, cfg.get("vdim", E)) if bf else (5, 3, cfg.get("vdim", E)), 3)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    _check(nm, tm, [q, k, v], {"need_weights": need_weights, "key_padding_mask": kpm})
    _check(nm, tm, [q, k, v], {"need_weights": need_weights, "average_attn_weights": False},
           train=False)


def test_multihead_attention_self_attention_same_tensor_and_masks():
    nm, tm = _build(lambda lib: lib.nn.MultiheadAttention(E, H, batch_first=True))
    x = _data((3, 4, E))
    causal = np.triu(np.ones((4, 4), bool), 1)
    for train in (True, False):
        nm.train(train)
        tm.train(train)
        nx, tx = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        for kw in ({"attn_mask": causal, "need_weights": False},
                   {"attn_mask": causal, "need_weights": False, "is_causal": True},
                   {"attn_mask": np.where(causal, -np.inf, 0.0).astype(np.float32)}):
            nout = nm(nx, nx, nx, **{k: numtorch.tensor(v) if isinstance(v, np.ndarray) else v
                                     for k, v in kw.items()})
            tout = tm(tx, tx, tx, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                                     for k, v in kw.items()})
            assert_same(nout[0], tout[0], rtol=1e-4, atol=1e-4)


def test_multihead_attention_unbatched():
    nm, tm = _build(lambda lib: lib.nn.MultiheadAttention(E, H))
    _check(nm, tm, [_data((4, E), 1), _data((5, E), 2), _data((5, E), 3)],
           {"key_padding_mask": np.arange(5) == 4})


def test_multihead_attention_dropout_draws_as_torch():
    nm, tm = _build(lambda lib: lib.nn.MultiheadAttention(E, H, dropout=0.3))
    for need_weights in (True, False):
        numtorch.manual_seed(8)
        torch.manual_seed(8)
        _check(nm, tm, [_data((4, 3, E), 1)] * 3, {"need_weights": need_weights})


def test_out_proj_is_non_dynamically_quantizable_linear():
    m = nn.MultiheadAttention(E, H)
    assert isinstance(m.out_proj, nn.Linear)
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert repr(m.out_proj) == "NonDynamicallyQuantizableLinear(in_features=8, out_features=8, " \
                               "bias=True)"


def test_multihead_attention_constructor_errors():
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0, got "
                                         "embed_dim=0 and num_heads=2 instead"):
        nn.MultiheadAttention(0, 2)
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(E, 3)


# --- encoder / decoder layers ----------------------------------------------------------

LAYER_CONFIGS = [
    {},
    {"norm_first": True},
    {"activation": "gelu", "batch_first": True},
    {"bias": False, "layer_norm_eps": 1e-3},
    {"activation": "callable", "batch_first": True, "norm_first": True},
]


def _layer_kwargs(cfg, lib):
    cfg = dict(cfg, dropout=0.0)
    if cfg.get("activation") == "callable":
        cfg["activation"] = lib.tanh
    return cfg


@pytest.mark.parametrize("cfg", LAYER_CONFIGS)
def test_encoder_layer(cfg):
    def make(lib):
        return lib.nn.TransformerEncoderLayer(E, H, FF, **_layer_kwargs(cfg, lib))

    _same_init(make)
    nm, tm = _build(make)
    _repr_and_keys(nm, tm)
    bf = cfg.get("batch_first", False)
    src = _data((3, 4, E) if bf else (4, 3, E), 1)
    kpm = np.zeros((3, 4), bool)
    kpm[0, 2:] = True
    mask = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    _check(nm, tm, [src], {"src_key_padding_mask": kpm})
    _check(nm, tm, [src], {"src_mask": mask, "is_causal": True}, train=False)
    _check(nm, tm, [src[0] if bf else src[:, 0]], {"src_mask": mask})  # unbatched


@pytest.mark.parametrize("cfg", LAYER_CONFIGS)
def test_decoder_layer(cfg):
    def make(lib):
        return lib.nn.TransformerDecoderLayer(E, H, FF, **_layer_kwargs(cfg, lib))

    _same_init(make)
    nm, tm = _build(make)
    _repr_and_keys(nm, tm)
    bf = cfg.get("batch_first", False)
    tgt = _data((3, 4, E) if bf else (4, 3, E), 1)
    mem = _data((3, 6, E) if bf else (6, 3, E), 2)
    tgt_mask = np.triu(np.ones((4, 4), bool), 1)
    mkpm = np.zeros((3, 6), bool)
    mkpm[2, 4:] = True
    _check(nm, tm, [tgt, mem], {"tgt_mask": tgt_mask, "memory_key_padding_mask": mkpm})
    _check(nm, tm, [tgt, mem], {"memory_mask": _data((4, 6), 3)}, train=False)


def test_layer_with_dropout_draws_as_torch():
    nm, tm = _build(lambda lib: lib.nn.TransformerEncoderLayer(E, H, FF, dropout=0.25))
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    _check(nm, tm, [_data((4, 3, E), 1)])


def test_activation_errors_and_flags():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(E, H, activation="tanh")
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not silu"):
        nn.TransformerDecoderLayer(E, H, activation="silu")
    flags = [nn.TransformerEncoderLayer(E, H, activation=a).activation_relu_or_gelu
             for a in ("relu", "gelu", nn.ReLU(), nn.GELU(), numtorch.tanh)]
    assert flags == [1, 2, 1, 2, 0]


# --- stacks and the full Transformer ---------------------------------------------------

def test_encoder_stack_masks_and_norm():
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, batch_first=True)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(E),
                                         enable_nested_tensor=False)

    _same_init(make)
    nm, tm = _build(make)
    _repr_and_keys(nm, tm)
    src = _data((3, 4, E), 1)
    kpm = np.zeros((3, 4), bool)
    kpm[1, 3] = True
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    _check(nm, tm, [src], {"src_key_padding_mask": kpm})
    _check(nm, tm, [src], {"mask": causal})  # detected as causal
    _check(nm, tm, [src], {"mask": causal, "src_key_padding_mask": kpm}, train=False)


def test_encoder_layers_are_independent_deep_copies():
    layer = nn.TransformerEncoderLayer(E, H, FF)
    numtorch.manual_seed(0)
    state = numtorch.random.get_rng_state()
    enc = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    assert numtorch.equal(numtorch.random.get_rng_state(), state)  # copies draw nothing
    assert enc.layers[0] is not layer and enc.layers[0].linear1.weight is not layer.linear1.weight
    assert numtorch.equal(enc.layers[2].linear1.weight, layer.linear1.weight)
    enc2 = copy.deepcopy(enc)
    assert list(enc2.state_dict()) == list(enc.state_dict())


@pytest.mark.parametrize("make, why", [
    (lambda lib: lib.nn.TransformerEncoderLayer(E, H), "encoder_layer.self_attn.batch_first "
     "was not True(use batch_first for better inference performance)"),
    (lambda lib: lib.nn.TransformerEncoderLayer(E, H, batch_first=True, norm_first=True),
     "encoder_layer.norm_first was True"),
    (lambda lib: lib.nn.TransformerEncoderLayer(E, 1, batch_first=True),
     "encoder_layer.self_attn.num_heads is odd"),
    (lambda lib: lib.nn.TransformerEncoderLayer(E, H, batch_first=True, activation=lib.tanh),
     "encoder_layer.activation_relu_or_gelu was not True"),
    (lambda lib: lib.nn.TransformerEncoderLayer(E, H, batch_first=True), None),
])
def test_encoder_nested_tensor_warning(make, why):
    for lib in (torch, numtorch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            enc = lib.nn.TransformerEncoder(make(lib), 1)
        messages = [str(w.message) for w in caught]
        if why is None:
            assert messages == [] and enc.use_nested_tensor
        else:
            assert messages == ["enable_nested_tensor is True, but self.use_nested_tensor is "
                                f"False because {why}"]
            assert not enc.use_nested_tensor and enc.enable_nested_tensor


def test_encoder_without_nested_tensor_fast_path_fills_padded_positions():
    """Differs from PyTorch on purpose: PyTorch's eval/no_grad nested-tensor fast path returns
    zeros at padded positions; numtorch has no fast path, so those rows are computed as in
    training. Non-padded positions agree."""
    def make(lib):
        layer = lib.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, batch_first=True)
        return lib.nn.TransformerEncoder(layer, 1).eval()

    nm, tm = _build(make)
    assert nm.use_nested_tensor and tm.use_nested_tensor
    x, kpm = _data((2, 3, E)), np.array([[False, False, True], [False, False, False]])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = tm(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm)).numpy()
    with numtorch.no_grad():
        n_out = nm(numtorch.tensor(x), src_key_padding_mask=numtorch.tensor(kpm)).numpy()
    np.testing.assert_allclose(n_out[~kpm], t_out[~kpm], rtol=1e-4, atol=1e-5)
    assert (t_out[0, 2] == 0).all() and (n_out[0, 2] != 0).any()


def test_decoder_stack():
    def make(lib):
        layer = lib.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0)
        return lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(E))

    nm, tm = _build(make)
    _repr_and_keys(nm, tm)
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    _check(nm, tm, [_data((4, 3, E), 1), _data((5, 3, E), 2)], {"tgt_mask": causal})


@pytest.mark.parametrize("cfg", [{}, {"batch_first": True, "norm_first": True}])
def test_transformer(cfg):
    def make(lib):
        return lib.nn.Transformer(d_model=E, nhead=H, num_encoder_layers=2,
                                  num_decoder_layers=1, dim_feedforward=FF, dropout=0.0, **cfg)

    _same_init(make)
    nm, tm = _build(make)
    _repr_and_keys(nm, tm)
    bf = cfg.get("batch_first", False)
    src = _data((3, 5, E) if bf else (5, 3, E), 1)
    tgt = _data((3, 4, E) if bf else (4, 3, E), 2)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4).numpy()
    kpm = np.zeros((3, 5), bool)
    kpm[0, 4] = True
    _check(nm, tm, [src, tgt], {"tgt_mask": tgt_mask, "src_key_padding_mask": kpm,
                                "memory_key_padding_mask": kpm})
    _check(nm, tm, [src, tgt], {"tgt_mask": tgt_mask, "tgt_is_causal": True}, train=False)


def test_transformer_custom_encoder_decoder_and_reset():
    numtorch.manual_seed(0)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, FF), 1, enable_nested_tensor=False)
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF), 1)
    model = nn.Transformer(d_model=E, nhead=H, custom_encoder=enc, custom_decoder=dec)
    assert model.encoder is enc and model.decoder is dec
    assert (model.d_model, model.nhead, model.batch_first) == (E, H, False)
    torch.manual_seed(0)
    tenc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, FF), 1,
                                       enable_nested_tensor=False)
    tdec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, H, FF), 1)
    tmodel = torch.nn.Transformer(d_model=E, nhead=H, custom_encoder=tenc, custom_decoder=tdec)
    for (name, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy(), err_msg=name)


def test_generate_square_subsequent_mask():
    for dtype in (None, numtorch.float64):
        m = nn.Transformer.generate_square_subsequent_mask(
            4, dtype=dtype)
        ref = torch.nn.Transformer.generate_square_subsequent_mask(
            4, dtype=None if dtype is None else torch.float64)
        assert_same(m, ref)


def test_transformer_forward_errors():
    model = nn.Transformer(d_model=E, nhead=H, num_encoder_layers=1, num_decoder_layers=1,
                           dim_feedforward=FF)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(numtorch.zeros(5, 3, E), numtorch.zeros(4, 2, E))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to "
                                           "d_model"):
        model(numtorch.zeros(5, 3, E), numtorch.zeros(4, 3, E + 1))
    layer = nn.TransformerEncoderLayer(E, H, FF)
    with pytest.raises(AssertionError, match="only bool and floating types of src_mask are "
                                             "supported"):
        layer(numtorch.zeros(4, 3, E), src_mask=numtorch.zeros(4, 4, dtype=numtorch.int64))


def test_merge_masks_as_torch():
    nm, tm = _build(lambda lib: lib.nn.MultiheadAttention(E, H, batch_first=True))
    x = _data((3, 4, E))
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    kpm = np.zeros((3, 4), np.float32)
    kpm[0, 3] = -np.inf
    for a, k in ((causal, kpm), (causal, None), (None, kpm), (None, None)):
        got = nm.merge_masks(*(None if m is None else numtorch.tensor(m) for m in (a, k, x)))
        ref = tm.merge_masks(*(None if m is None else torch.tensor(m) for m in (a, k, x)))
        assert got[1] == ref[1]
        if ref[0] is None:
            assert got[0] is None
        else:
            assert_same(got[0], ref[0])
