# ruff: noqa: B023 - every lambda here runs within its own loop iteration
"""numtorch.optim.swa_utils against torch.optim.swa_utils, side by side.

The same model (weights copied from PyTorch) is trained on the same data in both
libraries; after every step the averaged model is updated, and its parameters and
buffers, the schedulers' lrs, state dicts, reprs and errors are compared.
"""

import warnings

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")

LIBS = (numtorch, torch)
STEPS = 15


def make_model(lib):
    torch.manual_seed(0)
    tmod = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6),
                               torch.nn.ReLU(), torch.nn.Linear(6, 2))
    if lib is torch:
        return tmod
    n = numtorch.nn
    nmod = n.Sequential(n.Linear(4, 6), n.BatchNorm1d(6), n.ReLU(), n.Linear(6, 2))
    nmod.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tmod.state_dict().items()})
    return nmod


def batches(lib, n=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [(lib.tensor(rng.standard_normal((8, 4)).astype(np.float32)),
             lib.tensor(rng.standard_normal((8, 2)).astype(np.float32))) for _ in range(n)]


def state(module):
    return {k: np.array(v.detach().numpy()) for k, v in module.state_dict().items()}


def assert_states_equal(ours, theirs, tol=1e-5):
    assert list(ours) == list(theirs)
    for k in ours:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=tol, atol=tol, err_msg=k)
        assert ours[k].dtype == theirs[k].dtype, k


def caught(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return type(e).__name__, str(e).replace("numtorch.", "torch.")
    raise AssertionError("no exception")


AVERAGING = {
    "swa": lambda s: {},
    "swa_avg_fn": lambda s: {"avg_fn": s.get_swa_avg_fn()},
    "swa_multi": lambda s: {"multi_avg_fn": s.get_swa_multi_avg_fn()},
    "ema_avg_fn": lambda s: {"avg_fn": s.get_ema_avg_fn(0.8)},
    "ema_multi": lambda s: {"multi_avg_fn": s.get_ema_multi_avg_fn(0.7)},
    "ema_multi_buffers": lambda s: {"multi_avg_fn": s.get_ema_multi_avg_fn(0.7),
                                    "use_buffers": True},
    "swa_buffers": lambda s: {"use_buffers": True},
    "custom": lambda s: {"avg_fn": lambda avg, cur, n: avg * 0.5 + cur * 0.5 + n * 0.01},
}


@pytest.mark.parametrize("kind", list(AVERAGING))
def test_averaged_parameters_follow_torchs_trajectory(kind):
    runs = []
    for lib in LIBS:
        model = make_model(lib)
        averaged = lib.optim.swa_utils.AveragedModel(model, **AVERAGING[kind](
            lib.optim.swa_utils))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        trajectory = []
        for x, y in batches(lib):
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
            averaged.update_parameters(model)
            trajectory.append(state(averaged))
        runs.append((trajectory, averaged))
    for ours, theirs in zip(runs[0][0], runs[1][0]):
        assert_states_equal(ours, theirs)
    assert int(runs[0][1].n_averaged) == STEPS


def test_first_update_copies_then_swa_is_the_plain_mean():
    model = make_model(numtorch)
    averaged = numtorch.optim.swa_utils.AveragedModel(model)
    seen = []
    for k in range(4):
        with numtorch.no_grad():
            for p in model.parameters():
                p.add_(float(k + 1))
        seen.append([p.detach().clone() for p in model.parameters()])
        averaged.update_parameters(model)
    for p_avg, *ps in zip(averaged.parameters(), *seen):
        np.testing.assert_allclose(p_avg.detach().numpy(), sum(p.numpy() for p in ps) / 4,
                                   rtol=1e-6, atol=1e-6)


def test_repr_state_dict_keys_and_loading_between_libraries():
    got = []
    for lib in LIBS:
        averaged = lib.optim.swa_utils.AveragedModel(make_model(lib))
        got.append((repr(averaged), list(averaged.state_dict()),
                    averaged.n_averaged.dtype is lib.int64))
    assert got[0] == got[1]
    assert got[0][1][0] == "n_averaged"
    # A state dict saved by PyTorch loads into numtorch's AveragedModel.
    theirs = torch.optim.swa_utils.AveragedModel(make_model(torch))
    theirs.update_parameters(make_model(torch))
    ours = numtorch.optim.swa_utils.AveragedModel(make_model(numtorch))
    ours.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in
                          theirs.state_dict().items()})
    assert int(ours.n_averaged) == 1
    assert_states_equal(state(ours), state(theirs))


def test_forward_runs_the_averaged_copy_and_device_argument():
    model = make_model(numtorch)
    averaged = numtorch.optim.swa_utils.AveragedModel(model, device="cpu").eval()
    x = batches(numtorch, 1)[0][0]
    np.testing.assert_allclose(averaged(x).detach().numpy(), model.eval()(x).detach().numpy())
    assert averaged.module is not model


@pytest.mark.parametrize("data", ["tensors", "pairs"])
def test_update_bn_recomputes_running_stats_as_torch(data):
    got = []
    for lib in LIBS:
        model = make_model(lib).eval()
        loader = batches(lib, 5, seed=3)
        if data == "tensors":
            loader = [x for x, _ in loader]
        lib.optim.swa_utils.update_bn(loader, model)
        bn = model[1]
        got.append((state(model), bn.momentum, model.training))
    assert_states_equal(got[0][0], got[1][0])
    assert got[0][1:] == got[1][1:] == (0.1, False)


def test_update_bn_without_batchnorm_leaves_the_model_alone():
    model = numtorch.nn.Linear(2, 2).train(False)
    numtorch.optim.swa_utils.update_bn([numtorch.ones(1, 2)], model)
    assert not model.training


def make_optimizer(lib):
    groups = [{"params": [lib.zeros(2, requires_grad=True)]},
              {"params": [lib.zeros(3, requires_grad=True)], "lr": 0.02}]
    return lib.optim.SGD(groups, lr=0.5)


@pytest.mark.parametrize("swa_lr", [0.05, [0.1, 0.001]])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swalr_lr_trajectory_equals_torchs(strategy, anneal_epochs, swa_lr):
    runs = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=swa_lr, anneal_epochs=anneal_epochs,
                                         anneal_strategy=strategy)
        lrs = [sched.get_last_lr()]
        for _ in range(25):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr() + [g["lr"] for g in opt.param_groups])
        runs.append((lrs, sched.state_dict(), [g["swa_lr"] for g in opt.param_groups]))
    for ours, theirs in zip(runs[0][0], runs[1][0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert list(runs[0][1]) == list(runs[1][1])
    assert runs[0][2] == runs[1][2]


def test_swalr_after_another_schedule_and_state_dict_round_trip():
    runs = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        lrs = []
        for _ in range(5):
            opt.step()
            cosine.step()
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=4,
                                         anneal_strategy="linear")
        for _ in range(3):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        saved = sched.state_dict()
        fresh = lib.optim.swa_utils.SWALR(make_optimizer(lib), swa_lr=0.3)
        fresh.load_state_dict(saved)
        assert fresh.anneal_func == fresh._linear_anneal
        runs.append((lrs, {k: v for k, v in saved.items()}))
    for ours, theirs in zip(runs[0][0], runs[1][0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert runs[0][1] == runs[1][1]


def test_swalr_get_lr_outside_step_warns():
    got = []
    for lib in LIBS:
        sched = lib.optim.swa_utils.SWALR(make_optimizer(lib), swa_lr=0.1)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.get_lr()
        got.append([str(x.message) for x in w])
    assert got[0] == got[1] and got[0]


def test_errors_are_torchs():
    cases = [
        lambda s, lib: s.AveragedModel(lib.nn.Linear(1, 1), avg_fn=s.get_swa_avg_fn(),
                                       multi_avg_fn=s.get_swa_multi_avg_fn()),
        lambda s, lib: s.get_ema_avg_fn(1.5),
        lambda s, lib: s.get_ema_multi_avg_fn(-0.1),
        lambda s, lib: s.SWALR(make_optimizer(lib), swa_lr=[0.1, 0.2, 0.3]),
        lambda s, lib: s.SWALR(make_optimizer(lib), swa_lr=0.1, anneal_strategy="exp"),
        lambda s, lib: s.SWALR(make_optimizer(lib), swa_lr=0.1, anneal_epochs=-1),
        lambda s, lib: s.SWALR(make_optimizer(lib), swa_lr=0.1, anneal_epochs=2.0),
        lambda s, lib: s.SWALR(None, swa_lr=0.1),
        # PyTorch's SWA multi-average meets an integer buffer (num_batches_tracked)
        # with addcdiv, which refuses integer division.
        lambda s, lib: [a.update_parameters(m) for m in [make_model(lib)] for a in
                        [s.AveragedModel(m, multi_avg_fn=s.get_swa_multi_avg_fn(),
                                         use_buffers=True)] for _ in range(2)],
        # Models that differ in their buffers.
        lambda s, lib: s.AveragedModel(make_model(lib)).update_parameters(
            lib.nn.Linear(4, 6)),
    ]
    for case in cases:
        got = [caught(lambda: case(lib.optim.swa_utils, lib)) for lib in LIBS]
        assert got[0] == got[1], got
