"""numtorch.optim optimisers against torch.optim: trajectories, state dicts, reprs, errors."""

import copy
import pickle

import numpy as np
import pytest
import torch

import numtorch
from numtorch import optim

SHAPES = [(5, 3), (4,), ()]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}

# (optimiser, constructor options): every option of each optimiser appears in some row.
GRID = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, foreach=False)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.2, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, maximize=True, eps=1e-4)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5,
                     eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(GRID)]


def make_params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    n = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    return t, n


def set_grads(rng, tparams, nparams):
    for tp, np_ in zip(tparams, nparams):
        g = rng.standard_normal(tp.shape).astype(tp.detach().numpy().dtype)
        tp.grad = torch.tensor(g)
        np_.grad = numtorch.tensor(g)


def run_both(topt, nopt, tparams, nparams, steps, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        set_grads(rng, tparams, nparams)
        topt.step()
        nopt.step()


def assert_params_close(tparams, nparams, dtype):
    for tp, np_ in zip(tparams, nparams):
        assert np_.dtype == getattr(numtorch, np.dtype(dtype).name)
        np.testing.assert_allclose(np_.detach().numpy(), tp.detach().numpy(), **TOL[dtype])


def to_torch(obj):
    if isinstance(obj, numtorch.Tensor):
        return torch.from_numpy(np.array(obj.numpy()))
    if isinstance(obj, dict):
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(v) for v in obj)
    return obj


def to_numtorch(obj):
    if isinstance(obj, torch.Tensor):
        return numtorch.from_numpy(np.array(obj.numpy()))
    if isinstance(obj, dict):
        return {k: to_numtorch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_numtorch(v) for v in obj)
    return obj


def assert_state_dicts_equal(tsd, nsd, dtype):
    assert nsd["param_groups"] == tsd["param_groups"]
    assert list(nsd["state"]) == list(tsd["state"])
    for i, tstate in tsd["state"].items():
        nstate = nsd["state"][i]
        assert list(nstate) == list(tstate)
        for key, tv in tstate.items():
            nv = nstate[key]
            if isinstance(tv, torch.Tensor):
                assert isinstance(nv, numtorch.Tensor)
                assert str(nv.dtype).replace("numtorch", "torch") == str(tv.dtype), key
                assert tuple(nv.shape) == tuple(tv.shape), key
                np.testing.assert_allclose(nv.numpy(), tv.numpy(), **TOL[dtype])
            else:
                assert nv == tv, key


# --- trajectories -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", GRID, ids=IDS)
def test_trajectory_matches_torch(name, kwargs, dtype):
    tparams, nparams = make_params(dtype)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    nopt = getattr(optim, name)(nparams, **kwargs)
    run_both(topt, nopt, tparams, nparams, 50)
    assert_params_close(tparams, nparams, dtype)
    assert_state_dicts_equal(topt.state_dict(), nopt.state_dict(), dtype)


@pytest.mark.parametrize("name,kwargs", GRID, ids=IDS)
def test_state_dict_round_trips_with_torch(name, kwargs):
    dtype = np.float32
    # numtorch runs 20 steps, hands its state to torch; both continue 20 steps.
    tparams, nparams = make_params(dtype)
    nopt = getattr(optim, name)(nparams, **kwargs)
    run_both(getattr(torch.optim, name)(tparams, **kwargs), nopt, tparams, nparams, 20)
    t2 = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in nparams]
    topt2 = getattr(torch.optim, name)(t2, **kwargs)
    topt2.load_state_dict(to_torch(nopt.state_dict()))
    run_both(topt2, nopt, t2, nparams, 20, seed=2)
    assert_params_close(t2, nparams, dtype)

    # torch runs 20 steps, hands its state to numtorch; both continue 20 steps.
    tparams, nparams = make_params(dtype, seed=3)
    topt = getattr(torch.optim, name)(tparams, **kwargs)
    run_both(topt, getattr(optim, name)(nparams, **kwargs), tparams, nparams, 20)
    n2 = [numtorch.tensor(p.detach().numpy(), requires_grad=True) for p in tparams]
    nopt2 = getattr(optim, name)(n2, **kwargs)
    nopt2.load_state_dict(to_numtorch(topt.state_dict()))
    assert_state_dicts_equal(topt.state_dict(), nopt2.state_dict(), dtype)
    run_both(topt, nopt2, tparams, n2, 20, seed=4)
    assert_params_close(tparams, n2, dtype)


def test_param_groups_with_own_options_and_missing_grads():
    tp, np_ = make_params(np.float32)
    topt = torch.optim.SGD([{"params": tp[:1], "lr": 0.5, "momentum": 0.9},
                            {"params": tp[1:]}], lr=0.1)
    nopt = optim.SGD([{"params": np_[:1], "lr": 0.5, "momentum": 0.9},
                      {"params": np_[1:]}], lr=0.1)
    assert [list(g) for g in nopt.param_groups] == [list(g) for g in topt.param_groups]
    rng = np.random.default_rng(0)
    for i in range(10):
        set_grads(rng, tp, np_)
        if i % 2:  # a parameter without a gradient is left alone
            tp[1].grad = None
            np_[1].grad = None
        topt.step()
        nopt.step()
    assert_params_close(tp, np_, np.float32)
    assert_state_dicts_equal(topt.state_dict(), nopt.state_dict(), np.float32)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "NAdam"])
def test_tensor_lr(name):
    tp, np_ = make_params(np.float32)
    topt = getattr(torch.optim, name)(tp, lr=torch.tensor(0.01))
    nopt = getattr(optim, name)(np_, lr=numtorch.tensor(0.01))
    run_both(topt, nopt, tp, np_, 10)
    assert_params_close(tp, np_, np.float32)
    assert repr(nopt) == repr(topt).replace("torch.", "numtorch.")


def test_foreach_true_is_the_same_update():
    tp, np_ = make_params(np.float32)
    topt = torch.optim.Adam(tp, lr=0.01, foreach=True)
    nopt = optim.Adam(np_, lr=0.01, foreach=True)
    run_both(topt, nopt, tp, np_, 20)
    assert_params_close(tp, np_, np.float32)


def test_step_bumps_version_and_keeps_leaf():
    p = numtorch.ones(3, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = numtorch.ones(3)
    v = p._version
    opt.step()
    assert p._version == v + 1
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_training_a_small_model_matches_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.standard_normal((16, 1)).astype(np.float32)
    w1, w2 = rng.standard_normal((4, 8)).astype(np.float32), rng.standard_normal((8, 1))
    w2 = w2.astype(np.float32)
    results = []
    for mod in (torch, numtorch):
        a = mod.tensor(w1, requires_grad=True)
        b = mod.tensor(w2, requires_grad=True)
        opt = mod.optim.Adam([a, b], lr=0.01)
        xs, ys = mod.tensor(x), mod.tensor(y)
        for _ in range(30):
            opt.zero_grad()
            loss = (((xs @ a).tanh() @ b - ys) ** 2).mean()
            loss.backward()
            opt.step()
        results.append((a.detach().numpy(), b.detach().numpy()))
    for t, n in zip(*results):
        np.testing.assert_allclose(n, t, rtol=1e-4, atol=1e-5)


# --- the base class -----------------------------------------------------------------------


ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
       "LBFGS"]


@pytest.mark.parametrize("name", ALL)
def test_repr_and_param_groups_match_torch(name):
    tp, np_ = make_params(np.float32)
    topt = getattr(torch.optim, name)(tp, lr=1e-3)
    nopt = getattr(optim, name)(np_, lr=1e-3)
    assert repr(nopt) == repr(topt)
    assert [list(g) for g in nopt.param_groups] == [list(g) for g in topt.param_groups]
    assert nopt.defaults == topt.defaults
    assert nopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_repr_with_two_groups():
    tp, np_ = make_params(np.float32)
    topt = torch.optim.SGD([{"params": tp[:1]}, {"params": tp[1:], "lr": 0.5}], lr=0.1,
                           momentum=0.9)
    nopt = optim.SGD([{"params": np_[:1]}, {"params": np_[1:], "lr": 0.5}], lr=0.1,
                     momentum=0.9)
    assert repr(nopt) == repr(topt)
    assert repr(nopt).startswith("SGD (\nParameter Group 0\n    dampening: 0\n")


def test_named_parameters():
    tp, np_ = make_params(np.float32)
    names = ["w", "b", "s"]
    topt = torch.optim.Adam(list(zip(names, tp)))
    nopt = optim.Adam(list(zip(names, np_)))
    assert nopt.param_groups[0]["param_names"] == names
    assert nopt.param_groups[0]["params"][0] is np_[0]
    assert nopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without"):
        nopt.add_param_group({"params": [numtorch.zeros(2, requires_grad=True)]})
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([{"params": [("a", np_[0]), np_[1]]}])


def test_add_param_group_fills_defaults_in_torch_order():
    tp, np_ = make_params(np.float32)
    topt = torch.optim.Adam(tp[:1], lr=0.1)
    nopt = optim.Adam(np_[:1], lr=0.1)
    topt.add_param_group({"params": tp[1], "eps": 1e-3})
    nopt.add_param_group({"params": np_[1], "eps": 1e-3})
    assert [list(g) for g in nopt.param_groups] == [list(g) for g in topt.param_groups]
    assert nopt.param_groups[1]["params"] == [np_[1]] or nopt.param_groups[1]["params"][0] is np_[1]
    assert nopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


def test_constructor_errors():
    p = numtorch.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "numtorch.FloatTensor"):
        optim.SGD(p)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is int"):
        optim.SGD([1])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2])
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter"):
        optim.SGD([{"params": [p]}, {"params": [p]}])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}])
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optim.SGD([p]).add_param_group([p])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p])


@pytest.mark.parametrize("call,match", [
    (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero "
                                            "dampening"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    (lambda p: optim.SGD(p, lr=numtorch.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam(p, eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, numtorch.tensor(0.99))), "betas must be either both"),
    (lambda p: optim.Adam(p, lr=numtorch.tensor(0.1), foreach=True), "lr as a Tensor is not"),
    (lambda p: optim.RMSprop(p, alpha=-1.0), "Invalid alpha value: -1.0"),
    (lambda p: optim.Adagrad(p, lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.NAdam(p, momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    (lambda p: optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]),
     "LBFGS doesn't support per-parameter options"),
])
def test_hyperparameter_errors_match_torch(call, match):
    _, np_ = make_params(np.float32)
    with pytest.raises(ValueError, match=match):
        call(np_)


@pytest.mark.parametrize("call", [
    lambda p: optim.SGD(p, fused=True),
    lambda p: optim.Adam(p, fused=True),
    lambda p: optim.AdamW(p, capturable=True),
    lambda p: optim.Adagrad(p, fused=True),
    lambda p: optim.RMSprop(p, capturable=True),
    lambda p: optim.Adam(p, differentiable=True),
])
def test_fused_capturable_differentiable_are_refused(call):
    _, np_ = make_params(np.float32)
    with pytest.raises(RuntimeError, match="numtorch"):
        call(np_)
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        optim.SGD(np_, fused=True, foreach=True)


def test_load_state_dict_errors():
    _, np_ = make_params(np.float32)
    opt = optim.Adam(np_)
    sd = optim.Adam(np_[:2]).state_dict()
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that "
                                         "doesn't match the size of optimizer's group"):
        opt.load_state_dict(sd)
    sd = optim.Adam([{"params": np_[:1]}, {"params": np_[1:]}]).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(sd)


def test_load_state_dict_casts_state_to_param_dtype_but_not_step():
    p64 = numtorch.zeros(3, dtype=numtorch.float64, requires_grad=True)
    opt = optim.Adam([p64])
    sd = {"state": {0: {"step": numtorch.tensor(3.0),
                        "exp_avg": numtorch.ones(3), "exp_avg_sq": numtorch.ones(3)}},
          "param_groups": opt.state_dict()["param_groups"]}
    opt.load_state_dict(sd)
    state = opt.state[p64]
    assert state["exp_avg"].dtype == numtorch.float64
    assert state["step"].dtype == numtorch.float32
    # an old checkpoint's step saved as a number becomes a 0-d float32 Tensor
    sd["state"][0]["step"] = 4
    opt.load_state_dict(sd)
    assert isinstance(opt.state[p64]["step"], numtorch.Tensor)
    assert opt.state[p64]["step"].dtype == numtorch.float32
    assert float(opt.state[p64]["step"]) == 4.0


def test_adamw_keeps_decoupled_weight_decay_on_load():
    _, np_ = make_params(np.float32)
    opt = optim.AdamW(np_)
    sd = optim.Adam(np_).state_dict()
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_zero_grad():
    p = numtorch.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3, np.float32))
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad()  # nothing to do


def test_closure_runs_with_grad_enabled_and_its_loss_is_returned():
    p = numtorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        opt.zero_grad()
        seen.append(numtorch.is_grad_enabled())
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    with numtorch.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert float(loss) == 5.0
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    assert opt.step() is None


def test_step_hooks():
    _, np_ = make_params(np.float32)
    opt = optim.SGD(np_, lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    post = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", args)))
    opt.step()
    assert calls == [("pre", True), ("post", ())]
    pre.remove()
    post.remove()
    opt.step()
    assert len(calls) == 2
    # a pre hook may replace the arguments
    opt.register_step_pre_hook(lambda o, args, kwargs: ((lambda: 7.0,), {}))
    assert opt.step() == 7.0


def test_state_dict_hooks():
    _, np_ = make_params(np.float32)
    opt = optim.SGD(np_, lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_getstate_setstate_and_deepcopy():
    _, np_ = make_params(np.float32)
    opt = optim.Adam(np_, lr=0.01)
    for p in np_:
        p.grad = numtorch.ones_like(p)
    opt.step()
    state = opt.__getstate__()
    assert set(state) == {"defaults", "state", "param_groups"}
    clone = copy.deepcopy(opt)
    assert repr(clone) == repr(opt)
    assert clone.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    restored = pickle.loads(pickle.dumps(opt))
    assert repr(restored) == repr(opt)
    assert restored._optimizer_step_pre_hooks == {}


def test_state_dict_shares_live_state_like_torch():
    p = numtorch.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = numtorch.ones(2)
    opt.step()
    assert opt.state_dict()["state"][0]["momentum_buffer"] is opt.state[p]["momentum_buffer"]


# --- LBFGS --------------------------------------------------------------------------------


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def quadratic(x):
    return (x * x * numtorch_or_torch_weights(x)).sum()


def numtorch_or_torch_weights(x):
    w = np.arange(1, x.shape[0] + 1, dtype=x.detach().numpy().dtype)
    return torch.tensor(w) if isinstance(x, torch.Tensor) else numtorch.tensor(w)


def run_lbfgs(mod, fn, x0, steps, **kwargs):
    x = mod.tensor(x0, requires_grad=True)
    opt = mod.optim.LBFGS([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss = fn(x)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return x.detach().numpy(), losses, opt


LBFGS_OPTIONS = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(history_size=3, max_iter=7, lr=0.5),
    dict(line_search_fn="strong_wolfe", history_size=2, max_eval=15, tolerance_change=1e-7),
]


@pytest.mark.parametrize("kwargs", LBFGS_OPTIONS)
def test_lbfgs_rosenbrock_float64_matches_torch(kwargs):
    x0 = np.array([-1.5, 2.0, 0.5, -0.3])
    tx, tl, topt = run_lbfgs(torch, rosenbrock, x0, 4, **kwargs)
    nx, nl, nopt = run_lbfgs(numtorch, rosenbrock, x0, 4, **kwargs)
    np.testing.assert_allclose(nx, tx, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(nl, tl, rtol=1e-9, atol=1e-12)
    tstate, nstate = topt.state_dict()["state"][0], nopt.state_dict()["state"][0]
    assert list(nstate) == list(tstate)
    assert nstate["func_evals"] == tstate["func_evals"]
    assert nstate["n_iter"] == tstate["n_iter"]
    assert len(nstate["old_dirs"]) == len(tstate["old_dirs"])
    np.testing.assert_allclose(nstate["d"].numpy(), tstate["d"].numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kwargs", LBFGS_OPTIONS[:2])
def test_lbfgs_quadratic_float32_close_to_torch(kwargs):
    x0 = np.array([1.0, -2.0, 3.0, 0.5, -1.0], dtype=np.float32)
    tx, tl, _ = run_lbfgs(torch, quadratic, x0, 2, **kwargs)
    nx, nl, _ = run_lbfgs(numtorch, quadratic, x0, 2, **kwargs)
    np.testing.assert_allclose(nx, tx, atol=1e-5)
    np.testing.assert_allclose(nx, 0, atol=1e-3)
    assert nl[0] == pytest.approx(tl[0], rel=1e-6)


def test_lbfgs_state_dict_loads_into_torch_and_continues():
    x0 = np.array([-1.5, 2.0, 0.5, -0.3])
    nx, _, nopt = run_lbfgs(numtorch, rosenbrock, x0, 2, line_search_fn="strong_wolfe")
    # torch continues from numtorch's state, and numtorch continues too: same path.
    tx = torch.tensor(nx, requires_grad=True)
    topt = torch.optim.LBFGS([tx], line_search_fn="strong_wolfe")
    topt.load_state_dict(to_torch(nopt.state_dict()))
    xn = nopt.param_groups[0]["params"][0]

    def tclosure():
        topt.zero_grad()
        loss = rosenbrock(tx)
        loss.backward()
        return loss

    def nclosure():
        nopt.zero_grad()
        loss = rosenbrock(xn)
        loss.backward()
        return loss

    topt.step(tclosure)
    nopt.step(nclosure)
    np.testing.assert_allclose(xn.detach().numpy(), tx.detach().numpy(), rtol=1e-9)
    assert repr(nopt) == repr(topt)


def test_lbfgs_stops_at_an_optimum_and_rejects_unknown_line_search():
    x = numtorch.zeros(3, requires_grad=True)
    opt = optim.LBFGS([x])

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert opt.state[x]["n_iter"] == 0
    y = numtorch.ones(3, requires_grad=True)
    bad = optim.LBFGS([y], line_search_fn="armijo")

    def closure_y():
        bad.zero_grad()
        loss = (y * y).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        bad.step(closure_y)


# --- the chunked update of large parameters ---------------------------------------------

CHUNKED = [(n, k) for n, k in GRID
           if n in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Adadelta", "NAdam",
                    "RAdam")]


@pytest.mark.parametrize("name,kwargs", CHUNKED,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CHUNKED)])
def test_chunked_update_is_bit_identical_to_whole_arrays(name, kwargs, monkeypatch):
    # Large parameters are updated chunk by chunk (on threads above parallel.MIN_SIZE_KERNEL):
    # the same arithmetic per element, so the same bits as one pass over whole arrays.
    from numtorch.optim import optimizer as opt_mod

    rng = np.random.default_rng(3)
    shapes = [(700, 800), (3000, 50), (70001,), (5,)]
    start = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    results = []
    for chunk in (opt_mod._CHUNK, 1 << 40):
        monkeypatch.setattr(opt_mod, "_CHUNK", chunk)
        params = [numtorch.tensor(a, requires_grad=True) for a in start]
        opt = getattr(optim, name)(params, **kwargs)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = numtorch.tensor(g)
            opt.step()
        results.append([p.detach().numpy().copy() for p in params])
    for chunked, whole in zip(*results):
        np.testing.assert_array_equal(chunked, whole)


def test_chunked_update_with_a_non_contiguous_grad_matches_torch():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((600, 500)).astype(np.float32)
    tp, np_ = torch.tensor(a, requires_grad=True), numtorch.tensor(a, requires_grad=True)
    topt, nopt = torch.optim.Adam([tp], lr=0.01), optim.Adam([np_], lr=0.01)
    for _ in range(3):
        g = rng.standard_normal((500, 600)).astype(np.float32)
        tp.grad, np_.grad = torch.tensor(g).t(), numtorch.tensor(g).t()
        topt.step()
        nopt.step()
    np.testing.assert_allclose(np_.detach().numpy(), tp.detach().numpy(), **TOL[np.float32])


SGD_ROWS = [(n, k) for n, k in GRID if n == "SGD"]


@pytest.mark.skipif(not {"saxpy", "daxpy"} <= set(__import__(
    "numtorch.backend.blas", fromlist=["_routines"])._routines()),
    reason="NumPy's BLAS has no axpy numtorch can call")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", SGD_ROWS, ids=[f"SGD-{i}" for i in range(len(SGD_ROWS))])
def test_sgd_trajectory_is_torch_bit_for_bit(name, kwargs, dtype):
    # add_(x, alpha=) rounds once in PyTorch; BLAS axpy does too, so every step agrees exactly
    # (odd sizes cover BLAS's tail loop).
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(37, 29), (70001,), ()]]
    tparams = [torch.tensor(a, requires_grad=True) for a in arrays]
    nparams = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    topt = torch.optim.SGD(tparams, **kwargs)
    nopt = optim.SGD(nparams, **kwargs)
    run_both(topt, nopt, tparams, nparams, 30)
    for tp, np_ in zip(tparams, nparams):
        np.testing.assert_array_equal(np_.detach().numpy(), tp.detach().numpy())


@pytest.mark.parametrize("name, kwargs", [("Adam", {}), ("ASGD", {"lr": 0.05}), ("NAdam", {}),
                                          ("Adagrad", {}), ("Rprop", {}), ("RAdam", {})])
def test_state_scalars_follow_a_float64_default_dtype_as_torch(name, kwargs):
    """PyTorch keeps ``step`` (and ASGD's eta, mu; NAdam's mu_product) in float64 while the
    default dtype is float64."""
    results = []
    for lib in (numtorch, torch):
        lib.set_default_dtype(lib.float64)
        try:
            lib.manual_seed(0)
            model = lib.nn.Linear(4, 3)
            opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
            x = lib.tensor(np.random.default_rng(0).standard_normal((8, 4)))
            for _ in range(5):
                opt.zero_grad()
                (model(x) ** 2).mean().backward()
                opt.step()
            state = opt.state_dict()["state"][0]
            results.append(({k: str(v.dtype).split(".")[-1] for k, v in state.items()},
                            model.weight.detach().numpy().copy()))
        finally:
            lib.set_default_dtype(lib.float32)
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["Adamax"])
def test_lerp_optimisers_follow_torch_bit_for_bit_on_the_same_gradients(name):
    """exp_avg.lerp_(grad, 1 - beta1) rounds once, as PyTorch's fused kernel (BLAS axpy):
    with no sqrt in its update (PyTorch's MKL sqrt is not correctly rounded), Adamax's
    parameters after 30 steps on the same gradients are PyTorch's bit for bit."""
    rng = np.random.default_rng(0)
    shapes = [(64, 20), (64,), (5, 64)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(30)]
    out = []
    for lib in (numtorch, torch):
        params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in init]
        opt = getattr(lib.optim, name)(params)
        for step_grads in grads:
            for p, g in zip(params, step_grads):
                p.grad = lib.tensor(g.copy())
            opt.step()
        out.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    np.testing.assert_array_equal(out[0], out[1])
