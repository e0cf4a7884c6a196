"""Losses (numtorch/ops/loss.py, numtorch/nn/modules/loss.py): values, gradients, errors vs
PyTorch, for every reduction."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from tests.utils import assert_same, to_torch, torch

TF = torch.nn.functional
REDUCTIONS = ["none", "mean", "sum"]
rng = np.random.default_rng(0)

X = rng.standard_normal((4, 5)).astype(np.float32)
Y = rng.standard_normal((4, 5)).astype(np.float32)
P = rng.random((4, 5)).astype(np.float32)
P2 = rng.random((4, 5)).astype(np.float32)
T = np.array([1, 0, 4, 2])
W = rng.random(5).astype(np.float32)
SIGNS = np.array([1, -1, 1, -1], dtype=np.float32)
ML_T = np.array([[1, 2, -1, 0, 0], [0, 0, 0, 0, 0], [-1, 1, 2, 3, 4], [4, 3, -1, 1, 1]])


def _mods(v, mod):
    if isinstance(v, np.ndarray):
        return mod.tensor(v)
    return v


def run_both(name, args, kwargs=None, grad=True, rtol=1e-5, atol=1e-6, upstream_seed=0,
             create_graph=False):
    """Call F.name and torch's F.name on the same data; compare value and gradients.

    ``args`` items are ``("x", array)`` for inputs that get gradients (when floating)
    or ``("c", value)`` for constants.
    """
    kwargs = kwargs or {}
    nt_args, t_args, leaves = [], [], []
    for kind, v in args:
        a, b = _mods(v, numtorch), _mods(v, torch)
        if kind == "x" and grad and v.dtype.kind == "f":
            a.requires_grad_(True)
            b.requires_grad_(True)
            leaves.append((a, b))
        nt_args.append(a)
        t_args.append(b)
    nt_kw = {k: _mods(v, numtorch) for k, v in kwargs.items()}
    t_kw = {k: _mods(v, torch) for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(F, name)(*nt_args, **nt_kw)
        ref = getattr(TF, name)(*t_args, **t_kw)
    assert_same(out, ref, rtol, atol)
    if not leaves:
        return out, ref
    g = np.random.default_rng(upstream_seed).standard_normal(tuple(ref.shape)).astype(
        ref.detach().numpy().dtype)
    ga = numtorch.autograd.grad(out, [a for a, _ in leaves], numtorch.tensor(g),
                                allow_unused=True, create_graph=create_graph)
    gb = torch.autograd.grad(ref, [b for _, b in leaves], torch.tensor(g), allow_unused=True,
                             create_graph=create_graph)
    for a, b in zip(ga, gb):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            assert_same(a, b, rtol * 10, atol * 10)
    return out, ref, ga, gb


# name, args, kwargs — each run for every reduction.
CASES = {
    "mse": ("mse_loss", [("x", X), ("x", Y)], {}),
    "l1": ("l1_loss", [("x", X), ("x", Y)], {}),
    "smooth_l1": ("smooth_l1_loss", [("x", X), ("x", Y)], {"beta": 0.5}),
    "smooth_l1_beta0": ("smooth_l1_loss", [("x", X), ("x", Y)], {"beta": 0.0}),
    "huber": ("huber_loss", [("x", X), ("x", Y)], {"delta": 0.7}),
    "mse_weight": ("mse_loss", [("x", X), ("x", Y)], {"weight": P}),
    "l1_weight": ("l1_loss", [("x", X), ("x", Y)], {"weight": P}),
    "huber_weight": ("huber_loss", [("x", X), ("x", Y)], {"weight": P}),
    "nll": ("nll_loss", [("x", X), ("c", T)], {}),
    "nll_weight_ignore": ("nll_loss", [("x", X), ("c", T)], {"weight": W, "ignore_index": 4}),
    "nll_1d": ("nll_loss", [("x", X[0]), ("c", np.array(3))], {"weight": W}),
    "ce": ("cross_entropy", [("x", X), ("c", T)], {}),
    "ce_weight": ("cross_entropy", [("x", X), ("c", T)], {"weight": W}),
    "ce_ignore": ("cross_entropy", [("x", X), ("c", T)], {"ignore_index": 0}),
    "ce_smooth": ("cross_entropy", [("x", X), ("c", T)], {"label_smoothing": 0.2}),
    "ce_smooth_weight_ignore": ("cross_entropy", [("x", X), ("c", T)],
                                {"label_smoothing": 0.3, "weight": W, "ignore_index": 2}),
    "ce_1d": ("cross_entropy", [("x", X[1]), ("c", np.array(0))], {"label_smoothing": 0.1}),
    "ce_probs": ("cross_entropy", [("x", X), ("x", P)], {}),
    "ce_probs_weight_smooth": ("cross_entropy", [("x", X), ("x", P)],
                               {"weight": W, "label_smoothing": 0.25}),
    "ce_probs_1d": ("cross_entropy", [("x", X[2]), ("x", P[2])], {}),
    "bce": ("binary_cross_entropy", [("x", P), ("x", P2)], {}),
    "bce_weight": ("binary_cross_entropy", [("x", P), ("x", P2)], {"weight": W}),
    "bce_logits": ("binary_cross_entropy_with_logits", [("x", X), ("x", P)], {}),
    "bce_logits_weights": ("binary_cross_entropy_with_logits", [("x", X * 30), ("x", P)],
                           {"weight": W, "pos_weight": W * 3}),
    "kl_div": ("kl_div", [("x", X), ("x", P)], {}),
    "kl_div_log_target": ("kl_div", [("x", X), ("x", Y)], {"log_target": True}),
    "poisson": ("poisson_nll_loss", [("x", X), ("x", P * 4)], {"full": True}),
    "poisson_rate": ("poisson_nll_loss", [("x", P + 0.1), ("x", P2 * 3)], {"log_input": False}),
    "gaussian": ("gaussian_nll_loss", [("x", X), ("x", Y), ("x", P + 0.1)], {"full": True}),
    "gaussian_homo": ("gaussian_nll_loss", [("x", X), ("x", Y), ("x", P[:, 0] + 0.1)], {}),
    "margin_ranking": ("margin_ranking_loss", [("x", X[0]), ("x", Y[0]), ("x", np.sign(X[1]))],
                       {"margin": 0.3}),
    "hinge_embedding": ("hinge_embedding_loss", [("x", X), ("c", np.sign(Y))], {"margin": 0.5}),
    "cosine_embedding": ("cosine_embedding_loss", [("x", X), ("x", Y), ("c", SIGNS)],
                         {"margin": 0.1}),
    "cosine_embedding_1d": ("cosine_embedding_loss", [("x", X[0]), ("x", Y[0]),
                                                      ("c", np.array(-1.0, np.float32))], {}),
    "triplet": ("triplet_margin_loss", [("x", X), ("x", Y), ("x", X[::-1] * 0.5)], {}),
    "triplet_swap_p1": ("triplet_margin_loss", [("x", X), ("x", Y), ("x", X[::-1] * 0.5)],
                        {"swap": True, "p": 1, "margin": 2.0}),
    "multilabel_soft_margin": ("multilabel_soft_margin_loss", [("x", X), ("c", (Y > 0) * 1.0)],
                               {"weight": W}),
    "soft_margin": ("soft_margin_loss", [("x", X), ("c", np.sign(Y))], {}),
    "multi_margin": ("multi_margin_loss", [("x", X), ("c", T)], {"weight": W, "margin": 0.7}),
    "multi_margin_p2": ("multi_margin_loss", [("x", X), ("c", T)], {"p": 2}),
    "multilabel_margin": ("multilabel_margin_loss", [("x", X), ("c", ML_T)], {}),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(CASES))
def test_loss_matches_torch_values_and_grads(case, reduction):
    name, args, kwargs = CASES[case]
    run_both(name, args, {**kwargs, "reduction": reduction})


@pytest.mark.parametrize("case", list(CASES))
def test_loss_gradcheck_float64(case):
    name, args, kwargs = CASES[case]
    fn = getattr(F, name)
    xs, spec = [], []
    for kind, v in args:
        arr = v.astype(np.float64) if v.dtype.kind == "f" else v
        t = numtorch.tensor(arr)
        if kind == "x" and arr.dtype.kind == "f":
            t.requires_grad_(True)
            xs.append(t)
            spec.append(None)
        else:
            spec.append(t)
    kw = {k: numtorch.tensor(v.astype(np.float64)) if isinstance(v, np.ndarray) else v
          for k, v in kwargs.items()}

    def f(*leaves):
        it = iter(leaves)
        full = [next(it) if s is None else s for s in spec]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*full, reduction="sum", **kw)

    assert gradcheck(f, tuple(xs), eps=1e-6, atol=1e-5)


# --- class-index losses on N-d inputs, ignore_index, empty batches ------------------------

X4 = rng.standard_normal((2, 5, 3, 2)).astype(np.float32)
T4 = rng.integers(0, 5, (2, 3, 2))
T4[0, 1, 1] = -100


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"weight": W}, {"weight": W, "label_smoothing": 0.2}])
def test_class_losses_on_nd_inputs(reduction, kwargs):
    run_both("cross_entropy", [("x", X4), ("c", T4)], {**kwargs, "reduction": reduction})
    run_both("cross_entropy", [("x", X4[:, :, 0]), ("c", T4[:, 0])],
             {**kwargs, "reduction": reduction})  # 3-d input: (N, C, d1)
    kwargs = {k: v for k, v in kwargs.items() if k != "label_smoothing"}
    run_both("nll_loss", [("x", X4), ("c", T4)], {**kwargs, "reduction": reduction})
    run_both("cross_entropy", [("x", X4), ("x", rng.random(X4.shape).astype(np.float32))],
             {**kwargs, "reduction": reduction})


def test_grad_fn_names_are_torchs():
    x = numtorch.tensor(X, requires_grad=True)
    t = numtorch.tensor(T)
    assert type(F.nll_loss(x, t).grad_fn).__name__ == "NllLossBackward0"
    assert type(F.cross_entropy(x, t).grad_fn).__name__ == "NllLossBackward0"
    x4 = numtorch.tensor(X4, requires_grad=True)
    assert type(F.cross_entropy(x4, numtorch.tensor(T4)).grad_fn).__name__ == "NllLoss2DBackward0"
    assert type(F.nll_loss(x4, numtorch.tensor(T4)).grad_fn).__name__ == "NllLoss2DBackward0"
    for reduction, name in [("mean", "DivBackward1"), ("sum", "NegBackward0")]:
        out = F.cross_entropy(x, numtorch.tensor(P), reduction=reduction)
        assert type(out.grad_fn).__name__ == name
    assert type(F.cross_entropy(x, t, label_smoothing=0.1).grad_fn).__name__ == "AddBackward0"
    assert type(F.mse_loss(x, x * 2).grad_fn).__name__ == "MseLossBackward0"
    p = numtorch.tensor(P, requires_grad=True)
    assert type(F.binary_cross_entropy(p, p * 0.5).grad_fn).__name__ == \
        "BinaryCrossEntropyBackward0"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_every_target_ignored(reduction):
    run_both("nll_loss", [("x", X), ("c", np.full(4, -100))], {"reduction": reduction})
    run_both("cross_entropy", [("x", X), ("c", np.full(4, 7))],
             {"reduction": reduction, "ignore_index": 7, "label_smoothing": 0.1})


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batches(reduction):
    empty = np.zeros((0, 5), np.float32)
    no_t = np.zeros(0, np.int64)
    run_both("cross_entropy", [("x", empty), ("c", no_t)], {"reduction": reduction})
    run_both("nll_loss", [("x", empty), ("c", no_t)], {"reduction": reduction})
    run_both("mse_loss", [("x", empty), ("x", empty)], {"reduction": reduction})
    run_both("binary_cross_entropy_with_logits", [("x", empty), ("x", empty)],
             {"reduction": reduction})


def test_float32_stays_float32_and_float64_stays_float64():
    for dt in (np.float32, np.float64):
        out = F.cross_entropy(numtorch.tensor(X.astype(dt), requires_grad=True),
                              numtorch.tensor(T), label_smoothing=0.1)
        out.backward()
        assert out.dtype.np == dt


def test_cross_entropy_is_stable_for_huge_logits():
    big = (X * 1e4).astype(np.float32)
    run_both("cross_entropy", [("x", big), ("c", T)], {}, rtol=1e-4)
    run_both("binary_cross_entropy_with_logits", [("x", big), ("x", P)], {}, rtol=1e-4)


@pytest.mark.parametrize("target", ["index", "smooth", "probs"])
def test_cross_entropy_double_backward(target):
    """create_graph=True: the gradient of the gradient matches torch's."""
    tgt = {"index": ("c", T), "smooth": ("c", T), "probs": ("x", P.astype(np.float64))}[target]
    kwargs = {"label_smoothing": 0.1, "weight": W.astype(np.float64)} if target != "index" \
        else {}
    x = X.astype(np.float64)
    res = run_both("cross_entropy", [("x", x), tgt], kwargs, create_graph=True)
    ga, gb = res[2][0], res[3][0]
    v = rng.standard_normal(x.shape)
    leaves_a = [t for t in res[0].grad_fn.next_functions if t[0] is not None]
    assert leaves_a
    a_in = [la for la in _leaves(res[0])]
    b_in = [lb for lb in _leaves(res[1])]
    gga = numtorch.autograd.grad((ga * numtorch.tensor(v)).sum(), a_in, allow_unused=True)
    ggb = torch.autograd.grad((gb * torch.tensor(v)).sum(), b_in, allow_unused=True)
    for a, b in zip(gga, ggb):
        if b is not None:
            assert_same(a, b, 1e-6, 1e-8)


def _leaves(out):
    """The leaf tensors feeding a loss (walking its graph)."""
    found, seen, stack = [], set(), [out.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        if hasattr(fn, "variable"):
            found.append(fn.variable)
        stack.extend(f for f, _ in fn.next_functions)
    return sorted(found, key=lambda t: -t.numel())  # input first, then the target


def test_cross_entropy_gradcheck_and_gradgradcheck_nd():
    x = numtorch.tensor(X4.astype(np.float64), requires_grad=True)
    t = numtorch.tensor(T4)
    w = numtorch.tensor(W.astype(np.float64))
    assert gradcheck(lambda a: F.cross_entropy(a, t, weight=w, label_smoothing=0.2), (x,))
    assert numtorch.autograd.gradgradcheck(lambda a: F.cross_entropy(a, t, weight=w), (x,))


# --- ctc ----------------------------------------------------------------------------------

CTC_T, CTC_N, CTC_C = 12, 4, 5
CTC_LP = torch.tensor(rng.standard_normal((CTC_T, CTC_N, CTC_C))).log_softmax(2).numpy()
CTC_TG = np.array([[1, 2, 2, 3], [1, 1, 4, 4], [4, 3, 2, 1], [2, 2, 2, 2]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_ctc_loss_matches_torch(reduction, zero_infinity, layout):
    in_lens, tg_lens = [12, 10, 12, 3], [4, 2, 4, 3]  # the last is impossible (inf)
    if not zero_infinity:
        in_lens[3], tg_lens[3] = 7, 0
    tg = CTC_TG if layout == "padded" else np.concatenate(
        [CTC_TG[i, :n] for i, n in enumerate(tg_lens)])
    res = run_both("ctc_loss", [("x", CTC_LP.astype(np.float32)), ("c", tg),
                                ("c", np.array(in_lens)), ("c", np.array(tg_lens))],
                   {"reduction": reduction, "zero_infinity": zero_infinity}, rtol=1e-4)
    assert type(res[0].grad_fn).__name__ == type(res[1].grad_fn).__name__


def test_ctc_loss_blank_and_list_lengths_and_gradcheck():
    lp = numtorch.tensor(CTC_LP, requires_grad=True)
    tg = numtorch.tensor(CTC_TG - 1)  # labels 0..3, blank 4
    out = F.ctc_loss(lp, tg, [12, 11, 12, 9], [4, 2, 3, 1], blank=4)
    ref = TF.ctc_loss(to_torch(lp), torch.tensor(CTC_TG - 1), [12, 11, 12, 9], [4, 2, 3, 1],
                      blank=4)
    assert_same(out, ref)
    raw = numtorch.tensor(rng.standard_normal((6, 2, 4)), requires_grad=True)
    assert gradcheck(lambda a: F.ctc_loss(a.log_softmax(2), numtorch.tensor([[1, 2], [3, 3]]),
                                          [6, 5], [2, 2], reduction="sum"), (raw,))


def test_ctc_loss_errors():
    lp = numtorch.tensor(CTC_LP)
    with pytest.raises(RuntimeError, match="Expected input_lengths to have value at most 12"):
        F.ctc_loss(lp, numtorch.tensor(CTC_TG), [13, 1, 1, 1], [1, 1, 1, 1])
    with pytest.raises(RuntimeError, match="input_lengths must be of size batch_size"):
        F.ctc_loss(lp, numtorch.tensor(CTC_TG), [12, 1], [1, 1, 1, 1])


# --- legacy arguments, reductions, errors ----------------------------------------------------


def test_legacy_size_average_and_reduce_map_to_reduction_with_torchs_warning():
    x, y = numtorch.tensor(X), numtorch.tensor(Y)
    for sa, red, want in [(False, None, "sum"), (None, False, "none"), (True, True, "mean")]:
        with pytest.warns(UserWarning, match=f"please use reduction='{want}' instead"):
            out = F.mse_loss(x, y, size_average=sa, reduce=red)
        assert_same(out, TF.mse_loss(to_torch(x), to_torch(y), reduction=want))


def test_bad_reduction_raises_torchs_error():
    x, t = numtorch.tensor(X), numtorch.tensor(T)
    for fn, args in [(F.mse_loss, (x, x)), (F.cross_entropy, (x, t)), (F.nll_loss, (x, t)),
                     (F.kl_div, (x, x)), (F.l1_loss, (x, x)), (F.triplet_margin_loss, (x, x, x))]:
        with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
            fn(*args, reduction="foo")
    with pytest.raises(ValueError, match="foo is not valid"):
        F.gaussian_nll_loss(x, x, x.abs(), reduction="foo")


def test_kl_div_batchmean_and_mean_warning():
    run_both("kl_div", [("x", X), ("x", P)], {"reduction": "batchmean"})
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(numtorch.tensor(X), numtorch.tensor(P))


def test_elementwise_losses_warn_then_broadcast_different_shapes():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(numtorch.tensor(X), numtorch.tensor(Y[0]))
    run_both("mse_loss", [("x", X), ("x", Y[0])], {})


def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


def test_class_target_errors():
    x = numtorch.tensor(X)
    _raises(IndexError, "Target 10 is out of bounds.", F.nll_loss, x, numtorch.tensor([1, 2, 10, 0]))
    _raises(IndexError, "Target -1 is out of bounds.", F.cross_entropy, x,
            numtorch.tensor([1, 2, -1, 0]))
    _raises(ValueError, r"Expected input batch_size \(4\) to match target batch_size \(3\)\.",
            F.cross_entropy, x, numtorch.tensor([1, 2, 3]))
    _raises(ValueError, r"Expected input batch_size \(4\) to match target batch_size \(3\)\.",
            F.nll_loss, x, numtorch.tensor([1, 2, 3]))
    _raises(RuntimeError, "weight tensor should be defined either for all 5 classes",
            F.nll_loss, x, numtorch.tensor(T), weight=numtorch.ones(3))
    _raises(RuntimeError, "expected target dtype to be Long or Byte, but got Int",
            F.nll_loss, x, numtorch.tensor(T.astype(np.int32)))
    _raises(RuntimeError, "Expected floating point type for target with class probabilities",
            F.cross_entropy, x, numtorch.tensor(T.repeat(5).reshape(4, 5)))
    _raises(RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
            F.cross_entropy, x, numtorch.tensor(T), label_smoothing=1.5)
    _raises(ValueError, r"Expected 1 or more dimensions \(got 0\)", F.nll_loss,
            numtorch.tensor(1.0), numtorch.tensor(0))
    _raises(RuntimeError, r"Expected target size \[2, 3\], got \[2, 4\]", F.nll_loss,
            numtorch.tensor(X4[..., 0]), numtorch.zeros(2, 4, dtype=numtorch.int64))
    _raises(RuntimeError, "size mismatch", F.cross_entropy, numtorch.tensor(X4),
            numtorch.zeros(2, 3, 3, dtype=numtorch.int64))
    w = numtorch.ones(5, requires_grad=True)
    _raises(RuntimeError, "not differentiable with respect to argument 'weight'", F.nll_loss, x,
            numtorch.tensor(T), weight=w)


@pytest.mark.parametrize("logits,target", [
    ((2, 3), [0, 1]),             # class indices: the fast common path
    ((2, 3), "probs"),            # class probabilities
    ((2, 3, 4), "classes_nd"),    # (N, C, d) input
])
def test_cross_entropy_integer_logits_raise_torchs_error(logits, target):
    msgs = []
    for lib in (numtorch, torch):
        x = lib.ones(*logits, dtype=lib.int64)
        if target == "probs":
            t = lib.ones(*logits)
        elif target == "classes_nd":
            t = lib.zeros(2, 4, dtype=lib.int64)
        else:
            t = lib.tensor(target)
        with pytest.raises(NotImplementedError) as info:
            lib.nn.functional.cross_entropy(x, t)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_binary_losses_errors():
    p = numtorch.tensor(P)
    _raises(RuntimeError, "all elements of input should be between 0 and 1",
            F.binary_cross_entropy, p + 1, p)
    _raises(ValueError, r"Using a target size \(numtorch.Size\(\[5\]\)\) that is different to the "
            r"input size \(numtorch.Size\(\[4, 5\]\)\) is deprecated",
            F.binary_cross_entropy, p, p[0])
    _raises(ValueError, r"Target size \(numtorch.Size\(\[5\]\)\) must be the same as input size",
            F.binary_cross_entropy_with_logits, p, p[0])
    _raises(RuntimeError, "not differentiable with respect to argument 'pos_weight'",
            F.binary_cross_entropy_with_logits, p, p, pos_weight=numtorch.ones(5,
                                                                             requires_grad=True))


def test_other_loss_errors():
    x = numtorch.tensor(X)
    _raises(ValueError, "margin must be greater than 0, got 0", F.triplet_margin_loss, x, x, x,
            margin=0)
    _raises(RuntimeError, "expected to have the same number of dimensions",
            F.triplet_margin_loss, x, x[0], x)
    _raises(ValueError, "var has negative entry", F.gaussian_nll_loss, x, x, -x.abs())
    _raises(ValueError, "var is of incorrect size", F.gaussian_nll_loss, x, x, x.abs()[:2, :2])
    _raises(RuntimeError, "All input tensors should have same dimension",
            F.margin_ranking_loss, x, x, x[0])
    _raises(ValueError, "only p == 1 and p == 2 supported", F.multi_margin_loss, x,
            numtorch.tensor(T), p=3)
    _raises(RuntimeError, "not differentiable with respect to argument 'target'",
            F.soft_margin_loss, x, numtorch.tensor(Y, requires_grad=True))
    _raises(RuntimeError, "beta", F.smooth_l1_loss, x, x, beta=-1.0)
    _raises(ValueError, "Weights and input must have the same size.", F.mse_loss, x, x,
            weight=x[0])


# --- modules ------------------------------------------------------------------------------

MODULES = [
    ("MSELoss", {}, [X, Y]), ("L1Loss", {"reduction": "sum"}, [X, Y]),
    ("SmoothL1Loss", {"beta": 0.5}, [X, Y]), ("HuberLoss", {"delta": 0.3}, [X, Y]),
    ("NLLLoss", {"weight": W, "ignore_index": 1}, [X, T]),
    ("CrossEntropyLoss", {"weight": W, "label_smoothing": 0.1, "reduction": "sum"}, [X, T]),
    ("BCELoss", {"weight": W}, [P, P2]),
    ("BCEWithLogitsLoss", {"weight": W, "pos_weight": W * 2}, [X, P]),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, [X, Y]),
    ("CosineEmbeddingLoss", {"margin": 0.2}, [X, Y, SIGNS]),
    ("MarginRankingLoss", {"margin": 0.1}, [X[0], Y[0], np.sign(X[1])]),
    ("HingeEmbeddingLoss", {"margin": 2.0}, [X, np.sign(Y)]),
    ("MultiLabelSoftMarginLoss", {"weight": W}, [X, (Y > 0) * 1.0]),
    ("TripletMarginLoss", {"margin": 0.5, "p": 1.0, "swap": True}, [X, Y, X[::-1] * 1]),
    ("PoissonNLLLoss", {"full": True}, [X, P * 3]),
    ("GaussianNLLLoss", {"full": True}, [X, Y, P + 0.1]),
    ("CTCLoss", {"blank": 4}, [CTC_LP, CTC_TG - 1, np.array([12, 11, 12, 9]),
                               np.array([4, 2, 3, 1])]),
    ("SoftMarginLoss", {}, [X, np.sign(Y)]),
    ("MultiMarginLoss", {"p": 2, "weight": W}, [X, T]),
    ("MultiLabelMarginLoss", {}, [X, ML_T]),
]


@pytest.mark.parametrize("name,kwargs,inputs", MODULES, ids=[m[0] for m in MODULES])
def test_loss_module_matches_torch(name, kwargs, inputs):
    nt_mod = getattr(numtorch.nn, name)(**{k: _mods(v, numtorch) for k, v in kwargs.items()})
    t_mod = getattr(torch.nn, name)(**{k: _mods(v, torch) for k, v in kwargs.items()})
    assert repr(nt_mod) == repr(t_mod)
    assert list(nt_mod.state_dict().keys()) == list(t_mod.state_dict().keys())
    assert nt_mod.reduction == t_mod.reduction
    a = [numtorch.tensor(np.ascontiguousarray(v)) for v in inputs]
    b = [torch.tensor(np.ascontiguousarray(v)) for v in inputs]
    a[0].requires_grad_(True)
    b[0].requires_grad_(True)
    out, ref = nt_mod(*a), t_mod(*b)
    assert_same(out, ref, rtol=1e-4)
    out.backward()
    ref.backward()
    assert_same(a[0].grad, b[0].grad, rtol=1e-4, atol=1e-6)


def test_loss_module_legacy_args_and_constructor_errors():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert numtorch.nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        numtorch.nn.TripletMarginLoss(margin=0)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        numtorch.nn.MultiMarginLoss(p=3)


def test_loss_module_weight_is_a_buffer_moved_by_to():
    m = numtorch.nn.CrossEntropyLoss(weight=numtorch.ones(5))
    assert [n for n, _ in m.named_buffers()] == ["weight"]
    m = m.double()
    assert m.weight.dtype == numtorch.float64


def test_non_contiguous_inputs():
    x = numtorch.from_numpy(np.asfortranarray(X))  # a column-major view
    t = numtorch.from_numpy(np.repeat(T, 2)[::2])
    x.requires_grad_(True)
    xt = torch.tensor(X, requires_grad=True)
    out = F.cross_entropy(x, t, label_smoothing=0.1)
    ref = TF.cross_entropy(xt, torch.tensor(T), label_smoothing=0.1)
    assert_same(out, ref)
    out.backward()
    ref.backward()
    assert_same(x.grad, xt.grad)
    a, b = numtorch.from_numpy(X.T), numtorch.from_numpy(Y[:, ::-1].T)
    a.requires_grad_(True)
    ta = torch.tensor(X.T, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(a, b.sigmoid())
    ref = TF.binary_cross_entropy_with_logits(ta, torch.tensor(Y[:, ::-1].T.copy()).sigmoid())
    assert_same(out, ref)
    out.backward()
    ref.backward()
    assert_same(a.grad, ta.grad)


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=15, deadline=None)
@hypothesis.given(n=st.integers(0, 6), c=st.integers(1, 7), d=st.integers(0, 2),
                  smoothing=st.sampled_from([0.0, 0.3]),
                  reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_random_shapes(n, c, d, smoothing, reduction):
    g = np.random.default_rng(n * 100 + c * 10 + d)
    shape = (n, c) + (3,) * d
    x = g.standard_normal(shape).astype(np.float32)
    t = g.integers(0, c, (n,) + (3,) * d)
    run_both("cross_entropy", [("x", x), ("c", t)],
             {"reduction": reduction, "label_smoothing": smoothing})
    run_both("cross_entropy", [("x", x), ("x", g.random(shape).astype(np.float32))],
             {"reduction": reduction, "label_smoothing": smoothing})


def test_more_shape_and_range_errors():
    x = numtorch.tensor(X)
    _raises(RuntimeError, "target tensor should be 1-D with size equal to the number of input "
            r"samples \(batch size\). Expected target size \[4\], but got \[2\]",
            F.multi_margin_loss, x, numtorch.tensor([1, 2]))
    _raises(RuntimeError, "argument #2 'target' is out of range", F.multilabel_margin_loss, x,
            numtorch.tensor(ML_T * 0 + 9))
    _raises(RuntimeError, "0D or 1D target tensor expected, multi-target not supported",
            F.cosine_embedding_loss, x, x, numtorch.ones(4, 1))
    _raises(RuntimeError, "The size of tensor a \\(5\\) must match the size of tensor b \\(2\\) "
            "at non-singleton dimension 1", F.cosine_embedding_loss, x, x[:, :2], numtorch.ones(4))
    _raises(ValueError, r"Expected input batch_size \(4\) to match target batch_size \(0\)\.",
            F.nll_loss, x, numtorch.tensor(1))
    _raises(RuntimeError, "0D or 1D target tensor expected", F.cross_entropy, x, x[:, :3])
    _raises(RuntimeError, "Expected tensor to have size at least 5 at dimension 1",
            F.ctc_loss, numtorch.tensor(CTC_LP), numtorch.tensor(CTC_TG), [12] * 4, [5] * 4)


@pytest.mark.parametrize("name,args", [
    ("mse_loss", (X, Y)), ("smooth_l1_loss", (X, Y)), ("binary_cross_entropy_with_logits", (X, P)),
    ("binary_cross_entropy", (P, P2)), ("soft_margin_loss", (X,)), ("kl_div", (X, P)),
])
def test_double_backward_gradgradcheck(name, args):
    leaves = tuple(numtorch.tensor(a.astype(np.float64), requires_grad=True) for a in args)
    fn = getattr(F, name)
    if name == "soft_margin_loss":
        signs = numtorch.tensor(np.sign(Y).astype(np.float64))
        assert numtorch.autograd.gradgradcheck(lambda a: fn(a, signs), leaves)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert numtorch.autograd.gradgradcheck(lambda *a: fn(*a, reduction="sum"), leaves)


def test_ctc_loss_unbatched_and_once_differentiable():
    lp = numtorch.tensor(CTC_LP[:, 0], requires_grad=True)
    ref_lp = torch.tensor(CTC_LP[:, 0], requires_grad=True)
    out = F.ctc_loss(lp, numtorch.tensor(CTC_TG[0]), 12, 4, reduction="none")
    ref = TF.ctc_loss(ref_lp, torch.tensor(CTC_TG[0]), (12,), (4,), reduction="none")
    assert_same(out, ref)
    v = numtorch.ones((), requires_grad=True)  # a graph through the upstream gradient
    (g,) = numtorch.autograd.grad(out, lp, v, create_graph=True)
    (gr,) = torch.autograd.grad(ref, ref_lp)
    assert_same(g, gr)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


@pytest.mark.parametrize("smoothing", [-0.1, -1.0, 0.0, 0.3, 1.0, 2.0, 1.2345678])
@pytest.mark.parametrize("probabilities", [False, True])
def test_label_smoothing_range_as_torch(smoothing, probabilities):
    # PyTorch checks only the top of the range (printing the value as C++ does); a
    # negative value smooths nothing.
    x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], np.float32)
    y = np.array([[0.2, 0.8, 0.0], [0.0, 1.0, 0.0]], np.float32) if probabilities else \
        np.array([0, 1])
    outcomes = []
    for lib in (numtorch, torch):
        try:
            outcomes.append(float(lib.nn.functional.cross_entropy(
                lib.tensor(x), lib.tensor(y), label_smoothing=smoothing)))
        except RuntimeError as e:
            outcomes.append(str(e))
    if isinstance(outcomes[1], float):
        assert outcomes[0] == pytest.approx(outcomes[1], rel=1e-6)
    else:
        assert outcomes[0] == outcomes[1]


# --- dtypes: which combinations each loss accepts, and the error when it refuses --------

_DTYPE_CASES = [
    "F.mse_loss(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.mse_loss(m.ones(2, dtype=m.int32), m.ones(2, dtype=m.int32), reduction='none')",
    "F.mse_loss(m.ones(2, dtype=m.int64), m.ones(2))",
    "F.mse_loss(m.ones(2), m.ones(2, dtype=m.int64))",
    "F.l1_loss(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.smooth_l1_loss(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.smooth_l1_loss(m.ones(2, dtype=m.int64), m.ones(2))",
    "F.huber_loss(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.huber_loss(m.ones(2, dtype=m.int64), m.ones(2))",
    "F.huber_loss(m.ones(2), m.ones(2, dtype=m.int64))",
    "F.nll_loss(m.ones(2, 3, dtype=m.int64), m.tensor([0, 1]))",
    "F.nll_loss(m.ones(2, 3, 2, dtype=m.int64), m.zeros(2, 2, dtype=m.int64))",
    "F.nll_loss(m.ones(3, dtype=m.bool), m.tensor(0))",
    "F.binary_cross_entropy(m.ones(2) / 2, m.ones(2, dtype=m.int64))",
    "F.binary_cross_entropy(m.ones(2) / 2, m.ones(2, dtype=m.float64))",
    "F.binary_cross_entropy(m.ones(2, dtype=m.float64) / 2, m.ones(2))",
    "F.binary_cross_entropy(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.binary_cross_entropy_with_logits(m.ones(2), m.ones(2, dtype=m.float64))",
    "F.binary_cross_entropy_with_logits(m.ones(2, dtype=m.float64), m.ones(2))",
    "F.binary_cross_entropy_with_logits(m.ones(2, dtype=m.float64), m.ones(2), "
    "weight=m.ones(2))",
    "F.binary_cross_entropy_with_logits(m.ones(2), m.ones(2, dtype=m.int64))",
    "F.binary_cross_entropy_with_logits(m.ones(2), m.ones(2, dtype=m.bool))",
    "F.binary_cross_entropy_with_logits(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64))",
    "F.kl_div(m.ones(2), m.ones(2, dtype=m.int64), reduction='sum')",
    "F.kl_div(m.ones(2, dtype=m.bool), m.ones(2), reduction='sum')",
    "F.kl_div(m.ones(2, dtype=m.float64), m.ones(2), reduction='sum')",
    "F.softmax(m.ones(2, 3, dtype=m.int64), dim=1)",
    "F.softmax(m.ones(2, 3, dtype=m.int64), dim=0)",
    "F.log_softmax(m.ones(3), 0, dtype=m.int64)",
    "F.dropout(m.tensor([1, 2]), p=0.5)",
    "F.dropout(m.tensor([True, False]), p=0.5, inplace=True)",
    "F.dropout(m.tensor([1, 2]), p=1.0)",
    "F.dropout(m.tensor([1, 2]), p=0.5, training=False)",
    "F.dropout2d(m.ones(1, 2, 3, 3, dtype=m.int64), p=0.5)",
    "F.alpha_dropout(m.tensor([1, 2]), p=0.5, training=True)",
    "F.alpha_dropout(m.tensor([True]), p=0.5, training=True)",
]


@pytest.mark.parametrize("expr", _DTYPE_CASES)
def test_loss_and_activation_dtypes_as_torch(expr):
    def run(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return eval(expr, {"m": lib, "F": lib.nn.functional}), None
            except Exception as e:  # noqa: BLE001 - compared with PyTorch's below
                return None, e

    ours, err = run(numtorch)
    ref, ref_err = run(torch)
    if ref_err is not None:
        assert type(err) is type(ref_err), f"numtorch gave {err!r} for {ref_err!r}"
        assert str(err).split("\n")[0] == str(ref_err).split("\n")[0]
    else:
        assert err is None, f"numtorch raised {err!r}"
        assert_same(ours, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("in_lens,tg_lens", [((5, 5, 5), (2, 2)), ((5, 5), (2, 2, 2)),
                                             ((-1, 5), (2, 2)), ((5, 5), (-2, 2)),
                                             ((6, -5), (2, 2))])
def test_ctc_loss_length_errors_as_torch(in_lens, tg_lens):
    def call(lib):
        lp = lib.ones(5, 2, 4).log_softmax(2)
        lib.nn.functional.ctc_loss(lp, lib.tensor([[1, 2], [1, 1]]), lib.tensor(in_lens),
                                   lib.tensor(tg_lens))

    with pytest.raises(RuntimeError) as want:
        call(torch)
    with pytest.raises(RuntimeError) as got:
        call(numtorch)
    assert str(got.value) == str(want.value).split("\n")[0]


def test_nllloss2d_is_nllloss_with_pytorchs_deprecation_warning():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated. Please use `NLLLoss`"):
        m = numtorch.nn.NLLLoss2d(ignore_index=1, reduction="sum")
    with pytest.warns(FutureWarning):
        mt = torch.nn.NLLLoss2d(ignore_index=1, reduction="sum")
    assert repr(m) == repr(mt) and isinstance(m, numtorch.nn.NLLLoss)
    x = np.log(np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 4, 5))).astype(
        np.float32).transpose(0, 3, 1, 2).copy()
    t = np.random.default_rng(1).integers(0, 3, size=(2, 4, 5))
    np.testing.assert_allclose(m(numtorch.tensor(x), numtorch.tensor(t)).numpy(),
                               mt(torch.tensor(x), torch.tensor(t)).numpy(), rtol=1e-6)


def test_binary_cross_entropy_target_grad_is_unclamped_minus_logit_like_torch():
    p = np.array([0.0, 1.0, 0.5, 1.0, 0.0, 0.3], np.float64)
    y = np.array([0.0, 1.0, 0.3, 0.0, 1.0, 0.6], np.float64)
    grads = []
    for lib, fn in ((numtorch, F), (torch, TF)):
        t = lib.tensor(y, requires_grad=True)
        fn.binary_cross_entropy(lib.tensor(p), t, reduction="sum").backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    assert np.isinf(grads[0][:2]).all()
