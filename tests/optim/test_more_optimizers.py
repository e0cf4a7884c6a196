"""Rprop, ASGD, SparseAdam, Adafactor and Muon against torch.optim: trajectories, state dicts,
reprs, errors."""

import numpy as np
import pytest
import torch

import numtorch
from numtorch import optim

from .test_optimizers import (
    TOL,
    assert_params_close,
    assert_state_dicts_equal,
    make_params,
    run_both,
    to_numtorch,
    to_torch,
)

GRID = [
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("Rprop", dict(lr=0.1, etas=(0.6, 1.1), step_sizes=(0.09, 0.11), foreach=False)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.02, t0=0, weight_decay=0.05, maximize=True, foreach=False)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-30, 1e-2), d=1.5, weight_decay=0.1,
                       maximize=True)),
    ("Adafactor", dict(lr=0.02, eps=(1e-3, 0.0), foreach=False)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(GRID)]
NAMES = ["Rprop", "ASGD", "Adafactor"]
EXACT = [row for row in GRID if row[0] in ("Rprop", "ASGD")]
STEPS = 40


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", GRID, ids=IDS)
def test_trajectory_matches_torch(name, kwargs, dtype):
    tparams, nparams = make_params(dtype)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    nopt = getattr(optim, name)(nparams, **kwargs)
    run_both(topt, nopt, tparams, nparams, STEPS)
    assert_params_close(tparams, nparams, dtype)
    assert_state_dicts_equal(topt.state_dict(), nopt.state_dict(), dtype)
    assert repr(nopt) == repr(topt)


HAS_AXPY = {"saxpy", "daxpy"} <= set(__import__(
    "numtorch.backend.blas", fromlist=["_routines"])._routines())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", EXACT, ids=IDS[:len(EXACT)])
def test_trajectory_is_torch_bit_for_bit(name, kwargs, dtype):
    # Rprop: signs, clamps and products by etaplus/etaminus, nothing to round differently.
    # ASGD: add_(x, alpha=) rounds once, as BLAS axpy does; eta and mu are computed from
    # the same Python floats and rounded to float32 once.
    if name == "ASGD" and not HAS_AXPY:
        pytest.skip("NumPy's BLAS has no axpy numtorch can call")
    tparams, nparams = make_params(dtype)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    nopt = getattr(optim, name)(nparams, **kwargs)
    run_both(topt, nopt, tparams, nparams, STEPS)
    for tp, np_ in zip(tparams, nparams):
        np.testing.assert_array_equal(np_.detach().numpy(), tp.detach().numpy())
    for i, tstate in topt.state_dict()["state"].items():
        for key, tv in tstate.items():
            np.testing.assert_array_equal(nopt.state_dict()["state"][i][key].numpy(), tv.numpy())


def test_rprop_sign_changes_shrink_and_freeze_a_coordinate():
    p = numtorch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    opt = optim.Rprop([p], lr=0.1)
    p.grad = numtorch.tensor([1.0, 1.0, 0.0])
    opt.step()
    p.grad = numtorch.tensor([1.0, -1.0, 2.0])  # same sign, flipped sign, from zero
    opt.step()
    state = opt.state[p]
    np.testing.assert_allclose(state["step_size"].numpy(), [0.12, 0.05, 0.1], rtol=1e-6)
    np.testing.assert_allclose(state["prev"].numpy(), [1.0, 0.0, 2.0])
    np.testing.assert_allclose(p.detach().numpy(), [1 - 0.1 - 0.12, 0.9, 0.9], rtol=1e-6)


def test_asgd_averages_after_t0():
    tparams, nparams = make_params(np.float64)
    topt = torch.optim.ASGD(tparams, lr=0.1, t0=5)
    nopt = optim.ASGD(nparams, lr=0.1, t0=5)
    run_both(topt, nopt, tparams, nparams, 12)
    tstate, nstate = topt.state[tparams[0]], nopt.state[nparams[0]]
    assert float(nstate["mu"]) == float(tstate["mu"]) == pytest.approx(1 / 7)
    assert nstate["eta"].dtype == nstate["mu"].dtype == nstate["step"].dtype == numtorch.float32
    assert not np.allclose(nstate["ax"].numpy(), nparams[0].detach().numpy())
    np.testing.assert_allclose(nstate["ax"].numpy(), tstate["ax"].numpy(), **TOL[np.float64])


@pytest.mark.parametrize("name,kwargs", GRID, ids=IDS)
def test_state_dict_round_trips_with_torch(name, kwargs, tmp_path):
    dtype = np.float32
    # numtorch runs 20 steps, hands its state to torch (through numtorch.save/torch.load);
    # both continue 20 steps.
    tparams, nparams = make_params(dtype)
    nopt = getattr(optim, name)(nparams, **kwargs)
    run_both(getattr(torch.optim, name)(tparams, **kwargs), nopt, tparams, nparams, 20)
    t2 = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in nparams]
    topt2 = getattr(torch.optim, name)(t2, **kwargs)
    numtorch.save(nopt.state_dict(), tmp_path / "n.pt")
    topt2.load_state_dict(torch.load(tmp_path / "n.pt", weights_only=True))
    assert_state_dicts_equal(topt2.state_dict(), nopt.state_dict(), dtype)
    run_both(topt2, nopt, t2, nparams, 20, seed=2)
    assert_params_close(t2, nparams, dtype)

    # torch runs 20 steps, hands its state to numtorch (through torch.save/numtorch.load);
    # both continue 20 steps.
    tparams, nparams = make_params(dtype, seed=3)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    run_both(topt, getattr(optim, name)(nparams, **kwargs), tparams, nparams, 20)
    n2 = [numtorch.tensor(p.detach().numpy(), requires_grad=True) for p in tparams]
    nopt2 = getattr(optim, name)(n2, **kwargs)
    torch.save(topt.state_dict(), tmp_path / "t.pt")
    nopt2.load_state_dict(numtorch.load(tmp_path / "t.pt"))
    assert_state_dicts_equal(topt.state_dict(), nopt2.state_dict(), dtype)
    run_both(topt, nopt2, tparams, n2, 20, seed=4)
    assert_params_close(tparams, n2, dtype)

    # and in memory, state Tensors converted one by one
    nopt3 = getattr(optim, name)(n2, **kwargs)
    nopt3.load_state_dict(to_numtorch(topt.state_dict()))
    topt3 = getattr(torch.optim, name)(tparams, **kwargs)
    topt3.load_state_dict(to_torch(nopt3.state_dict()))
    assert_state_dicts_equal(topt3.state_dict(), nopt3.state_dict(), dtype)


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_add_param_group_and_missing_grads(name):
    tp, np_ = make_params(np.float32)
    topt = getattr(torch.optim, name)([{"params": tp[:1], "lr": 0.05}], lr=0.01)
    nopt = getattr(optim, name)([{"params": np_[:1], "lr": 0.05}], lr=0.01)
    topt.add_param_group({"params": tp[1:], "maximize": True})
    nopt.add_param_group({"params": np_[1:], "maximize": True})
    assert [list(g) for g in nopt.param_groups] == [list(g) for g in topt.param_groups]
    assert repr(nopt) == repr(topt)
    rng = np.random.default_rng(0)
    for i in range(25):
        for tpi, npi in zip(tp, np_):
            g = rng.standard_normal(tpi.shape).astype(np.float32)
            tpi.grad, npi.grad = torch.tensor(g), numtorch.tensor(g)
        if i % 3 == 1:  # a parameter without a gradient is left alone (and gets no state)
            tp[2].grad = np_[2].grad = None
        topt.step()
        nopt.step()
    assert_params_close(tp, np_, np.float32)
    assert_state_dicts_equal(topt.state_dict(), nopt.state_dict(), np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr(name, dtype):
    tp, np_ = make_params(dtype)
    topt = getattr(torch.optim, name)(tp, lr=torch.tensor(0.01))
    nopt = getattr(optim, name)(np_, lr=numtorch.tensor(0.01))
    run_both(topt, nopt, tp, np_, 30)
    assert_params_close(tp, np_, dtype)
    tsd, nsd = topt.state_dict(), nopt.state_dict()
    assert float(nsd["param_groups"][0].pop("lr")) == float(tsd["param_groups"][0].pop("lr"))
    assert_state_dicts_equal(tsd, nsd, dtype)
    assert repr(nopt) == repr(topt).replace("torch.", "numtorch.")


@pytest.mark.parametrize("name", NAMES)
def test_foreach_true_is_the_single_tensor_update_to_rounding(name):
    # numtorch has one update; PyTorch's multi-tensor (foreach) path rounds differently
    # (ASGD's by a few float32 ulps), its single-tensor path is the one matched above.
    tp, np_ = make_params(np.float32)
    kwargs = dict(foreach=True, **({"t0": 5} if name == "ASGD" else {}))
    topt = getattr(torch.optim, name)(tp, **kwargs)
    nopt = getattr(optim, name)(np_, **kwargs)
    run_both(topt, nopt, tp, np_, 30)
    assert_params_close(tp, np_, np.float32)
    assert repr(nopt) == repr(topt)


@pytest.mark.parametrize("name", NAMES)
def test_repr_defaults_and_param_groups_match_torch(name):
    tp, np_ = make_params(np.float32)
    topt = getattr(torch.optim, name)(tp)
    nopt = getattr(optim, name)(np_)
    assert repr(nopt) == repr(topt)
    assert nopt.defaults == topt.defaults
    assert nopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


@pytest.mark.parametrize("name", ["Rprop", "ASGD"])
def test_chunked_update_is_bit_identical_to_whole_arrays(name, monkeypatch):
    from numtorch.optim import optimizer as opt_mod

    rng = np.random.default_rng(3)
    shapes = [(700, 200), (70001,), (5,)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    results = []
    for chunk in (opt_mod._CHUNK, 1 << 40):
        monkeypatch.setattr(opt_mod, "_CHUNK", chunk)
        params = [numtorch.tensor(a, requires_grad=True) for a in start]
        opt = getattr(optim, name)(params, weight_decay=0.1) if name == "ASGD" else \
            getattr(optim, name)(params)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = numtorch.tensor(g)
            opt.step()
        results.append([p.detach().numpy().copy() for p in params])
    for chunked, whole in zip(*results):
        np.testing.assert_array_equal(chunked, whole)


ERRORS = [
    ("Rprop", dict(lr=-1), "Invalid learning rate: -1"),
    ("Rprop", dict(lr=[0.1, 0.2]), "Tensor lr must be 1-element"),
    ("Rprop", dict(etas=(1.0, 1.2)), "Invalid eta values: 1.0, 1.2"),
    ("Rprop", dict(etas=(0.5, 0.9)), "Invalid eta values: 0.5, 0.9"),
    ("Rprop", dict(etas=(0.0, 1.2)), "Invalid eta values: 0.0, 1.2"),
    ("ASGD", dict(lr=-0.5), "Invalid learning rate: -0.5"),
    ("ASGD", dict(lr=[0.1, 0.2]), "Tensor lr must be 1-element"),
    ("ASGD", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adafactor", dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
    ("Adafactor", dict(lr=[0.1, 0.2]), "Tensor lr must be 1-element"),
    ("Adafactor", dict(beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
    ("Adafactor", dict(eps=(-1.0, 1e-3)), "epsilon1 should be >= 0 but is: -1.0"),
    ("Adafactor", dict(eps=(None, -1.0)), "epsilon2 should be >= 0 but is: -1.0"),
    ("Adafactor", dict(d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
    ("Adafactor", dict(weight_decay=-0.1), "weight_decay should be >= 0 but is: -0.1"),
]


def _with_tensor_lr(mod, kwargs):
    if isinstance(kwargs.get("lr"), list):
        return {**kwargs, "lr": mod.tensor(kwargs["lr"])}
    return kwargs


@pytest.mark.parametrize("name,kwargs,match", ERRORS)
def test_hyperparameter_errors_match_torch(name, kwargs, match):
    tp, np_ = make_params(np.float32)
    for mod, params in ((torch, tp), (numtorch, np_)):
        with pytest.raises(ValueError, match=match):
            getattr(mod.optim, name)(params, **_with_tensor_lr(mod, kwargs))


@pytest.mark.parametrize("call", [
    lambda p: optim.Rprop(p, capturable=True),
    lambda p: optim.Rprop(p, differentiable=True),
    lambda p: optim.ASGD(p, capturable=True),
    lambda p: optim.ASGD(p, differentiable=True),
])
def test_capturable_and_differentiable_are_refused(call):
    _, np_ = make_params(np.float32)
    with pytest.raises(RuntimeError, match="numtorch"):
        call(np_)


def test_asgd_loads_an_old_checkpoint_with_python_numbers():
    _, np_ = make_params(np.float32)
    opt = optim.ASGD(np_[:1])
    sd = {"state": {0: {"step": 3, "eta": 0.01, "mu": 1.0,
                        "ax": numtorch.zeros_like(np_[0])}},
          "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    state = opt.state[np_[0]]
    assert all(isinstance(state[k], numtorch.Tensor) and state[k].dtype == numtorch.float32
               for k in ("step", "eta", "mu"))


# --- SparseAdam ---------------------------------------------------------------------------
# numtorch's gradients are dense: SparseAdam updates the rows (along dim 0) holding a nonzero
# entry. torch is given the same gradient as a sparse tensor of those rows, `to_sparse(1)`.

SPARSE_SHAPES = [(12, 4), (7,), (6, 2, 3)]
SPARSE_OPTIONS = [dict(), dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True),
                  dict(lr=0.05, betas=(0.0, 0.5))]


def make_sparse_params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SPARSE_SHAPES]
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [numtorch.tensor(a, requires_grad=True) for a in arrays])


def set_row_sparse_grads(rng, tparams, nparams):
    for tp, np_ in zip(tparams, nparams):
        g = rng.standard_normal(tp.shape).astype(tp.detach().numpy().dtype)
        g[rng.random(g.shape[0]) < 0.5] = 0  # about half the rows absent
        if g.ndim > 1:
            g[0, 0] = 0  # a present row may hold zeros: it is updated in full
        tp.grad = torch.tensor(g).to_sparse(1)
        np_.grad = numtorch.tensor(g)


def run_sparse(topt, nopt, tparams, nparams, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        set_row_sparse_grads(rng, tparams, nparams)
        topt.step()
        nopt.step()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", SPARSE_OPTIONS)
def test_sparse_adam_trajectory_matches_torch(kwargs, dtype):
    # To rounding only: PyTorch's CPU sqrt is not correctly rounded (about 1% of values
    # are 1 ulp off NumPy's), everything else is the same operation by operation.
    tparams, nparams = make_sparse_params(dtype)
    topt = torch.optim.SparseAdam(tparams, **kwargs)
    nopt = optim.SparseAdam(nparams, **kwargs)
    run_sparse(topt, nopt, tparams, nparams, STEPS)
    assert_params_close(tparams, nparams, dtype)
    tsd, nsd = topt.state_dict(), nopt.state_dict()
    assert_state_dicts_equal(tsd, nsd, dtype)
    assert all(type(s["step"]) is int for s in nsd["state"].values())
    assert repr(nopt) == repr(topt)


def test_sparse_adam_leaves_absent_rows_and_their_moments_alone():
    p = numtorch.ones(3, 2, requires_grad=True)
    opt = optim.SparseAdam([p], lr=0.1)
    p.grad = numtorch.tensor([[1.0, 0.0], [0.0, 0.0], [2.0, -1.0]])
    opt.step()
    p.grad = numtorch.zeros(3, 2)  # nothing present: nothing moves, the step still counts
    opt.step()
    assert opt.state[p]["step"] == 2
    np.testing.assert_allclose(p.detach().numpy(), [[0.9, 1.0], [1.0, 1.0], [0.9, 1.1]],
                               rtol=1e-5)
    np.testing.assert_array_equal(opt.state[p]["exp_avg"].numpy()[1], [0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_adam_on_a_sparse_embedding_matches_torch(dtype):
    # Distinct indices per batch: then the two embedding gradients are equal bit for bit
    # (repeated indices are summed in different orders).
    rng = np.random.default_rng(0)
    w = rng.standard_normal((20, 4)).astype(dtype)
    embs = [mod.nn.Embedding(20, 4, sparse=True, _weight=mod.tensor(w)) for mod in (torch,
                                                                                   numtorch)]
    opts = [torch.optim.SparseAdam(embs[0].parameters(), lr=0.01),
            optim.SparseAdam(list(embs[1].parameters()), lr=0.01)]
    for _ in range(30):
        idx = rng.permutation(20)[:6].reshape(2, 3)
        up = rng.standard_normal((2, 3, 4)).astype(dtype)
        for mod, emb, opt in zip((torch, numtorch), embs, opts):
            opt.zero_grad()
            (emb(mod.tensor(idx)) * mod.tensor(up)).sum().backward()
            opt.step()
    np.testing.assert_allclose(embs[1].weight.detach().numpy(),
                               embs[0].weight.detach().numpy(), **TOL[dtype])


def test_sparse_adam_tensor_lr_param_groups_and_add_param_group():
    tparams, nparams = make_sparse_params(np.float32)
    topt = torch.optim.SparseAdam([{"params": tparams[:1], "lr": torch.tensor(0.02)}])
    nopt = optim.SparseAdam([{"params": nparams[:1], "lr": numtorch.tensor(0.02)}])
    topt.add_param_group({"params": tparams[1:], "betas": (0.5, 0.9)})
    nopt.add_param_group({"params": nparams[1:], "betas": (0.5, 0.9)})
    assert repr(nopt) == repr(topt).replace("torch.", "numtorch.")
    run_sparse(topt, nopt, tparams, nparams, 30)
    assert_params_close(tparams, nparams, np.float32)


def test_sparse_adam_state_dict_round_trips_with_torch(tmp_path):
    tparams, nparams = make_sparse_params(np.float32)
    topt = torch.optim.SparseAdam(tparams, lr=0.01)
    nopt = optim.SparseAdam(nparams, lr=0.01)
    run_sparse(topt, nopt, tparams, nparams, 10)
    torch.save(topt.state_dict(), tmp_path / "t.pt")
    numtorch.save(nopt.state_dict(), tmp_path / "n.pt")
    t2 = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in nparams]
    n2 = [numtorch.tensor(p.detach().numpy(), requires_grad=True) for p in tparams]
    topt2, nopt2 = torch.optim.SparseAdam(t2, lr=0.01), optim.SparseAdam(n2, lr=0.01)
    topt2.load_state_dict(torch.load(tmp_path / "n.pt", weights_only=True))
    nopt2.load_state_dict(numtorch.load(tmp_path / "t.pt"))
    assert_state_dicts_equal(topt.state_dict(), nopt2.state_dict(), np.float32)
    run_sparse(topt2, nopt2, t2, n2, 10, seed=5)
    assert_params_close(t2, n2, np.float32)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0.0), "Invalid learning rate: 0.0"),
    (dict(lr=[0.1, 0.2]), "Tensor lr must be 1-element"),
    (dict(eps=0.0), "Invalid epsilon value: 0.0"),
    (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
])
def test_sparse_adam_errors_match_torch(kwargs, match):
    tp, np_ = make_sparse_params(np.float32)
    for mod, params in ((torch, tp), (numtorch, np_)):
        with pytest.raises(ValueError, match=match):
            mod.optim.SparseAdam(params, **_with_tensor_lr(mod, kwargs))


# --- Adafactor ----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adafactor_factors_the_last_two_dims_of_a_batch_of_matrices(dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4)).astype(dtype)
    tp, np_ = [torch.tensor(a, requires_grad=True)], [numtorch.tensor(a, requires_grad=True)]
    topt, nopt = torch.optim.Adafactor(tp, lr=0.05), optim.Adafactor(np_, lr=0.05)
    run_both(topt, nopt, tp, np_, STEPS)
    assert_params_close(tp, np_, dtype)
    assert_state_dicts_equal(topt.state_dict(), nopt.state_dict(), dtype)
    assert tuple(nopt.state[np_[0]]["row_var"].shape) == (2, 3, 1)
    assert tuple(nopt.state[np_[0]]["col_var"].shape) == (2, 1, 4)


def test_adafactor_eps1_comes_from_the_groups_first_parameter_with_a_grad():
    # PyTorch sets eps1 = finfo(dtype).eps once per group and step, from the first
    # parameter it updates: here float64's, also for the float32 parameter after it.
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(4).astype(np.float32)]
    tp = [torch.tensor(a, requires_grad=True) for a in arrays]
    np_ = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    topt, nopt = torch.optim.Adafactor(tp), optim.Adafactor(np_)
    for tpi, npi in zip(tp, np_):  # a zero gradient: the update is g / eps1
        tpi.grad, npi.grad = torch.zeros_like(tpi), numtorch.zeros_like(npi)
    tp[1].grad[0] = np_[1].grad[0] = 1e-9
    topt.step()
    nopt.step()
    for tpi, npi in zip(tp, np_):
        np.testing.assert_allclose(npi.detach().numpy(), tpi.detach().numpy(), rtol=1e-6)


def test_adafactor_norms_square_and_sum_in_float32_as_torch():
    # PyTorch's float32 norm squares and sums in float32: the RMS of a parameter of 1e20s
    # overflows to inf, so the step (alpha = rms * rho) makes it -inf, not a finite step.
    a = np.full((2, 3), 1e20, np.float32)
    tp, np_ = [torch.tensor(a, requires_grad=True)], [numtorch.tensor(a, requires_grad=True)]
    topt, nopt = torch.optim.Adafactor(tp, lr=0.05), optim.Adafactor(np_, lr=0.05)
    tp[0].grad, np_[0].grad = torch.ones(2, 3), numtorch.ones(2, 3)
    topt.step()
    nopt.step()
    np.testing.assert_array_equal(np_[0].detach().numpy(), tp[0].detach().numpy())


# --- Muon ---------------------------------------------------------------------------------
# PyTorch orthogonalises in bfloat16; numtorch rounds float32 results to bfloat16 where
# PyTorch rounds. The GEMMs sum in another order, so an entry of the update now and then
# lands on the neighbouring bfloat16: the tolerance is a few such steps.

MUON_SHAPES = [(5, 3), (8, 16), (32, 24)]
MUON_OPTIONS = [
    dict(),
    dict(lr=0.02, weight_decay=0.01, momentum=0.9, nesterov=False,
         adjust_lr_fn="match_rms_adamw"),
    dict(lr=0.01, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5), eps=1e-3,
         adjust_lr_fn="original"),
]


def make_muon_params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in MUON_SHAPES]
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [numtorch.tensor(a, requires_grad=True) for a in arrays])


def assert_muon_close(tparams, nparams, lr, steps):
    for tp, np_ in zip(tparams, nparams):
        np.testing.assert_allclose(np_.detach().numpy(), tp.detach().numpy(), rtol=0,
                                   atol=2 * lr * steps * 2 ** -9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", MUON_OPTIONS)
def test_muon_trajectory_matches_torch_to_bfloat16_rounding(kwargs, dtype):
    tparams, nparams = make_muon_params(dtype)
    topt = torch.optim.Muon(tparams, **kwargs)
    nopt = optim.Muon(nparams, **kwargs)
    run_both(topt, nopt, tparams, nparams, STEPS)
    assert_muon_close(tparams, nparams, kwargs.get("lr", 1e-3), STEPS)
    tsd, nsd = topt.state_dict(), nopt.state_dict()
    assert nsd["param_groups"] == tsd["param_groups"]
    for i, tstate in tsd["state"].items():
        assert list(nsd["state"][i]) == ["momentum_buffer"] == list(tstate)
    assert repr(nopt) == repr(topt)
    assert nopt.defaults == topt.defaults


def test_muon_first_step_is_torch_bit_for_bit():
    # From the same start, the momentum buffer (a fused lerp, emulated) and, here, every
    # bfloat16 rounding of the Newton-Schulz iteration agree.
    tparams, nparams = make_muon_params(np.float32)
    topt, nopt = torch.optim.Muon(tparams, lr=0.01), optim.Muon(nparams, lr=0.01)
    run_both(topt, nopt, tparams, nparams, 1)
    for tp, np_ in zip(tparams, nparams):
        np.testing.assert_array_equal(np_.detach().numpy(), tp.detach().numpy())
        np.testing.assert_array_equal(nopt.state[np_]["momentum_buffer"].numpy(),
                                      topt.state[tp]["momentum_buffer"].numpy())


def test_muon_newton_schulz_matches_torchs_bfloat16_iteration():
    from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

    from numtorch.optim._muon import _zeropower_via_newtonschulz as ns

    rng = np.random.default_rng(1)
    for shape in [(5, 3), (8, 16), (64, 32)]:
        g = rng.standard_normal(shape).astype(np.float32)
        ours = ns(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
        theirs = torch_ns(torch.tensor(g), (3.4445, -4.7750, 2.0315), 5, 1e-7).float()
        assert (ours == theirs.numpy()).mean() > 0.99
        # roughly orthogonal: singular values spread around 1
        s = np.linalg.svd(ours, compute_uv=False)
        assert 0.5 < s.min() and s.max() < 1.5


def test_muon_newton_schulz_norm_sums_in_float32_as_torch():
    # bfloat16's norm squares and sums in float32: for 1e20s it overflows to inf, and the
    # iteration starts from x / inf = 0 (all zeros), not from a normalised x.
    from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

    from numtorch.optim._muon import _zeropower_via_newtonschulz as ns

    g = np.full((3, 4), 1e20, np.float32)
    ours = ns(g, (3.4445, -4.7750, 2.0315), 5, 1e-7)
    theirs = torch_ns(torch.tensor(g), (3.4445, -4.7750, 2.0315), 5, 1e-7).float()
    np.testing.assert_array_equal(ours, theirs.numpy())


def test_muon_tensor_lr_add_param_group_and_state_dict_round_trip(tmp_path):
    tparams, nparams = make_muon_params(np.float32)
    topt = torch.optim.Muon(tparams[:1], lr=torch.tensor(0.01))
    nopt = optim.Muon(nparams[:1], lr=numtorch.tensor(0.01))
    topt.add_param_group({"params": tparams[1:], "nesterov": False})
    nopt.add_param_group({"params": nparams[1:], "nesterov": False})
    assert repr(nopt) == repr(topt).replace("torch.", "numtorch.")
    run_both(topt, nopt, tparams, nparams, 10)
    assert_muon_close(tparams, nparams, 0.01, 10)
    torch.save(topt.state_dict(), tmp_path / "t.pt")
    n2 = [numtorch.tensor(p.detach().numpy(), requires_grad=True) for p in tparams]
    nopt2 = optim.Muon([{"params": n2[:1]}, {"params": n2[1:]}], lr=0.01)
    nopt2.load_state_dict(numtorch.load(tmp_path / "t.pt"))
    assert nopt2.param_groups[1]["nesterov"] is False
    numtorch.save(nopt2.state_dict(), tmp_path / "n.pt")
    t2 = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in n2]
    topt2 = torch.optim.Muon([{"params": t2[:1]}, {"params": t2[1:]}], lr=0.01)
    topt2.load_state_dict(torch.load(tmp_path / "n.pt", weights_only=True))
    run_both(topt2, nopt2, t2, n2, 10, seed=3)
    assert_muon_close(t2, n2, 0.01, 10)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
    (dict(lr=[0.1, 0.2]), "Tensor lr must be 1-element"),
    (dict(momentum=-0.1), "momentum should be >= 0 but is: -0.1"),
    (dict(weight_decay=-0.1), "weight decay should be >= 0 but is: -0.1"),
    (dict(adjust_lr_fn="spectral"), "Adjust learning rate function spectral is not supported"),
])
def test_muon_errors_match_torch(kwargs, match):
    tp, np_ = make_muon_params(np.float32)
    for mod, params in ((torch, tp), (numtorch, np_)):
        with pytest.raises(ValueError, match=match):
            mod.optim.Muon(params, **_with_tensor_lr(mod, kwargs))


@pytest.mark.parametrize("mod", [torch, numtorch], ids=["torch", "numtorch"])
def test_muon_refuses_what_torch_refuses(mod):
    name = mod.__name__
    with pytest.raises(ValueError, match=rf"Muon only supports 2D parameters whereas we found a "
                                         rf"parameter with size: {name}.Size\(\[4\]\)"):
        mod.optim.Muon([mod.zeros(4, requires_grad=True)])
    w = mod.ones(3, 2, requires_grad=True)
    w.grad = mod.ones(3, 2)
    with pytest.raises(ValueError, match="Number of steps must be less than 100"):
        mod.optim.Muon([w], ns_steps=100).step()
    with pytest.raises(ValueError, match="Coefficients must be a tuple of exactly 3 values"):
        mod.optim.Muon([w], ns_coefficients=(1.0, 2.0)).step()
    opt = mod.optim.Muon([w])
    b = mod.ones(4, requires_grad=True)
    opt.add_param_group({"params": [b]})  # add_param_group does not check the shape
    b.grad = mod.ones(4)
    with pytest.raises(ValueError, match="Param gradient must be a 2D matrix"):
        opt.step()
