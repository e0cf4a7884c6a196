"""numtorch.optim.lr_scheduler against torch.optim.lr_scheduler, side by side.

Each parity test builds the same optimiser (two param groups) and scheduler(s) in both
libraries, runs optimizer.step(); scheduler.step() many times, and compares after every
step the scheduler's ``get_last_lr()`` and every group's ``lr``, ``momentum`` and ``betas``.
"""

import math
import pickle
import warnings

import pytest

import numtorch

torch = pytest.importorskip("torch")

STEPS = 60
LIBS = (torch, numtorch)


def make_optimizer(lib, kind="sgd"):
    """Two param groups with different lrs, so per-group handling is exercised."""
    p0 = lib.zeros(3, requires_grad=True)
    p1 = lib.zeros(2, requires_grad=True)
    groups = [{"params": [p0]}, {"params": [p1], "lr": 0.05}]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1, betas=(0.9, 0.999))
    raise AssertionError(kind)


def snapshot(opt, schedulers):
    """What a scheduler controls: its last lrs, and every group's lr and momentum."""
    groups = [{k: g[k] for k in ("lr", "momentum", "betas", "initial_lr") if k in g}
              for g in opt.param_groups]
    return [s.get_last_lr() for s in schedulers], groups


def assert_close(a, b, path="value"):
    """Recursive equality for nested lists/tuples/dicts of floats (to float rounding)."""
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in b:
            assert_close(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(b, (list, tuple)):
        assert isinstance(a, (list, tuple)) and len(a) == len(b), f"{path}: {a} != {b}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(b, float):
        assert isinstance(a, (float, int)), f"{path}: {a!r} is not a number (want {b!r})"
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) or a == b, f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def run(lib, build, kind="sgd", steps=STEPS, metrics=None):
    """Build with ``build(lib, opt)`` (one scheduler or a list), step, record every step."""
    opt = make_optimizer(lib, kind)
    scheds = build(lib, opt)
    scheds = scheds if isinstance(scheds, list) else [scheds]
    trace = [snapshot(opt, scheds)]
    for i in range(steps):
        opt.step()
        for s in scheds:
            if metrics is None:
                s.step()
            else:
                s.step(metrics[i])
        trace.append(snapshot(opt, scheds))
    return trace, opt, scheds


def assert_parity(build, kind="sgd", steps=STEPS, metrics=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a correct call order gives no warning at all
        ref, _, _ = run(torch, build, kind, steps, metrics)
        got, _, _ = run(numtorch, build, kind, steps, metrics)
    assert_close(got, ref, "trace")


def L(lib):
    return lib.optim.lr_scheduler


class Decay:
    """A callable object as lr_lambda: its __dict__ is what state_dict saves."""

    def __init__(self, base):
        self.base = base

    def __call__(self, epoch):
        return self.base ** epoch


CASES = {
    "LambdaLR": lambda lib, o: L(lib).LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda lib, o: L(lib).LambdaLR(o, [lambda e: 1 / (e + 1), Decay(0.9)]),
    "MultiplicativeLR": lambda lib, o: L(lib).MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda lib, o: L(lib).StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda lib, o: L(lib).MultiStepLR(o, [30, 5, 12, 12], gamma=0.3),
    "ConstantLR": lambda lib, o: L(lib).ConstantLR(o),
    "ConstantLR-opts": lambda lib, o: L(lib).ConstantLR(o, factor=0.5, total_iters=12),
    "LinearLR": lambda lib, o: L(lib).LinearLR(o),
    "LinearLR-down": lambda lib, o: L(lib).LinearLR(o, 1.0, 0.05, total_iters=25),
    "ExponentialLR": lambda lib, o: L(lib).ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda lib, o: L(lib).PolynomialLR(o, total_iters=40, power=2.0),
    "CosineAnnealingLR": lambda lib, o: L(lib).CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-long": lambda lib, o: L(lib).CosineAnnealingLR(o, T_max=45),
    "CosineAnnealingWarmRestarts": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(
        o, T_0=7, eta_min=0.002),
    "CosineAnnealingWarmRestarts-mult": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.0),
    "CyclicLR": lambda lib, o: L(lib).CyclicLR(o, 0.01, 0.1, step_size_up=5),
    "CyclicLR-triangular2": lambda lib, o: L(lib).CyclicLR(
        o, [0.01, 0.02], [0.1, 0.3], step_size_up=4, step_size_down=7, mode="triangular2",
        base_momentum=[0.7, 0.75], max_momentum=0.95),
    "CyclicLR-exp_range": lambda lib, o: L(lib).CyclicLR(
        o, 0.001, 0.1, step_size_up=6, mode="exp_range", gamma=0.97),
    "CyclicLR-scale_fn": lambda lib, o: L(lib).CyclicLR(
        o, 0.001, 0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"),
    "CyclicLR-no-momentum": lambda lib, o: L(lib).CyclicLR(
        o, 0.001, 0.1, step_size_up=3, cycle_momentum=False),
    "OneCycleLR": lambda lib, o: L(lib).OneCycleLR(o, 0.5, total_steps=STEPS),
    "OneCycleLR-linear": lambda lib, o: L(lib).OneCycleLR(
        o, [0.5, 1.0], epochs=6, steps_per_epoch=10, anneal_strategy="linear",
        pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-three_phase": lambda lib, o: L(lib).OneCycleLR(
        o, 0.5, total_steps=STEPS + 5, three_phase=True, base_momentum=[0.8, 0.85],
        max_momentum=[0.9, 0.99]),
    "OneCycleLR-no-momentum": lambda lib, o: L(lib).OneCycleLR(
        o, 0.5, total_steps=STEPS, cycle_momentum=False),
    # Two schedulers on one optimiser compose through the chainable form.
    "chain-Step+Exponential": lambda lib, o: [L(lib).StepLR(o, 5, 0.5),
                                              L(lib).ExponentialLR(o, 0.95)],
    "chain-Cosine+Multiplicative": lambda lib, o: [
        L(lib).CosineAnnealingLR(o, 8, eta_min=0.01), L(lib).MultiplicativeLR(o, lambda e: 0.99)],
    "chain-Linear+MultiStep": lambda lib, o: [L(lib).LinearLR(o, 0.2, total_iters=10),
                                              L(lib).MultiStepLR(o, [4, 20], 0.5)],
    "SequentialLR": lambda lib, o: L(lib).SequentialLR(
        o, [L(lib).LinearLR(o, 0.1, total_iters=5), L(lib).ExponentialLR(o, 0.9)], [5]),
    "SequentialLR-three": lambda lib, o: L(lib).SequentialLR(
        o, [L(lib).ConstantLR(o, 0.5, total_iters=4), L(lib).CosineAnnealingLR(o, 10),
            L(lib).StepLR(o, 3, 0.7)], milestones=[6, 25]),
    "ChainedScheduler": lambda lib, o: L(lib).ChainedScheduler(
        [L(lib).ConstantLR(o, 0.25, total_iters=6), L(lib).ExponentialLR(o, 0.96)]),
    "ChainedScheduler-nested": lambda lib, o: L(lib).ChainedScheduler(
        [L(lib).SequentialLR(o, [L(lib).LinearLR(o, 0.5, total_iters=3),
                                 L(lib).StepLR(o, 4, 0.8)], [3]),
         L(lib).MultiplicativeLR(o, lambda e: 0.995)], optimizer=o),
}

ADAM_CASES = ["CyclicLR", "CyclicLR-triangular2", "OneCycleLR", "OneCycleLR-three_phase",
              "ExponentialLR", "SequentialLR"]


@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch_with_sgd_momentum(name):
    assert_parity(CASES[name], "sgd")


@pytest.mark.parametrize("name", ADAM_CASES)
def test_schedule_matches_torch_with_adam_betas(name):
    assert_parity(CASES[name], "adam")


# ----------------------------------------------------------------------------- state_dict

def _plain(state):
    """A state dict with the values both libraries can hold (tensors become floats)."""
    if isinstance(state, dict):
        return {k: _plain(v) for k, v in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_plain(v) for v in state)
    return state


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_keys_and_values_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, ref = run(torch, CASES[name], steps=13)
        _, _, got = run(numtorch, CASES[name], steps=13)
    for r, g in zip(ref, got):
        assert_close(_plain(g.state_dict()), _plain(r.state_dict()), "state_dict")


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_round_trip_continues_identically(name):
    kind = "adam" if name in ADAM_CASES else "sgd"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Reference: one uninterrupted run.
        ref, _, _ = run(numtorch, CASES[name], kind, steps=40)
        # Interrupted at step 17: a fresh optimiser and scheduler load the saved states.
        trace, opt, scheds = run(numtorch, CASES[name], kind, steps=17)
        saved_opt = opt.state_dict()
        saved = pickle.loads(pickle.dumps([s.state_dict() for s in scheds]))
        opt2 = make_optimizer(numtorch, kind)
        scheds2 = CASES[name](numtorch, opt2)
        scheds2 = scheds2 if isinstance(scheds2, list) else [scheds2]
        opt2.load_state_dict(saved_opt)
        for s, st in zip(scheds2, saved):
            s.load_state_dict(st)
        for _ in range(40 - 17):
            opt2.step()
            for s in scheds2:
                s.step()
            trace.append(snapshot(opt2, scheds2))
    assert_close(trace, ref, "resumed trace")


def test_lambda_state_dict_saves_callable_objects_only():
    opt = make_optimizer(numtorch)
    decay = Decay(0.9)
    s = numtorch.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, decay])
    state = s.state_dict()
    assert state["lr_lambdas"] == [None, {"base": 0.9}]
    decay2 = Decay(0.5)
    s2 = numtorch.optim.lr_scheduler.LambdaLR(make_optimizer(numtorch), [lambda e: 1.0, decay2])
    s2.load_state_dict(state)
    assert decay2.base == 0.9
    assert "lr_lambdas" in state  # loading leaves the caller's dict intact


def test_cyclic_state_dict_drops_function_scale_fn():
    opt = make_optimizer(numtorch)
    s = numtorch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 1.0)
    state = s.state_dict()
    assert state["_scale_fn_custom"] is None and "_scale_fn_ref" not in state
    s2 = numtorch.optim.lr_scheduler.CyclicLR(make_optimizer(numtorch), 0.01, 0.1,
                                              mode="exp_range", gamma=0.9)
    s2.load_state_dict(s2.state_dict())
    assert s2.scale_fn(2) == pytest.approx(0.81)


# ----------------------------------------------------------------------------- ReduceLROnPlateau

METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.89999, 0.8, 0.8, 0.81, 0.82, 0.83, 0.84, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5, 0.49, 0.495, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1]
METRICS = METRICS * 2

PLATEAU = {
    "default-patience2": dict(patience=2),
    "max-abs-cooldown": dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1,
                             cooldown=2, factor=0.5),
    "min-abs": dict(threshold_mode="abs", threshold=0.05, patience=0, factor=0.7),
    "max-rel": dict(mode="max", patience=3, threshold=0.1),
    "min_lr-list-eps": dict(patience=0, factor=0.5, min_lr=[0.01, 0.001], eps=1e-3),
    "min_lr-scalar": dict(patience=1, factor=0.2, min_lr=0.004, cooldown=1),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_on_plateau_matches_torch(name):
    def build(lib, o):
        return L(lib).ReduceLROnPlateau(o, **PLATEAU[name])

    assert_parity(build, steps=len(METRICS), metrics=METRICS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, (ref,) = run(torch, build, steps=25, metrics=METRICS)
        _, _, (got,) = run(numtorch, build, steps=25, metrics=METRICS)
    assert_close(got.state_dict(), ref.state_dict(), "state_dict")


def test_reduce_on_plateau_accepts_tensor_metric_and_round_trips():
    opt = make_optimizer(numtorch)
    s = numtorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, mode="max")
    s.step(numtorch.tensor(2.0))
    assert s.best == 2.0
    s.step(numtorch.tensor(1.0))
    assert s.get_last_lr() == pytest.approx([0.01, 0.005])
    s2 = numtorch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(numtorch))
    s2.load_state_dict(s.state_dict())
    assert (s2.mode, s2.mode_worse, s2.best, s2.last_epoch) == ("max", -math.inf, 2.0, 2)


# ----------------------------------------------------------------------------- warnings

def test_warns_when_scheduler_steps_before_optimizer():
    for lib in LIBS:
        opt = make_optimizer(lib)
        s = L(lib).StepLR(opt, 2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                             r"`optimizer.step\(\)`"):
            s.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # only the first step is checked
            s.step()


def test_warns_when_optimizer_step_was_replaced():
    for lib in LIBS:
        opt = make_optimizer(lib)
        s = L(lib).ExponentialLR(opt, 0.9)
        opt.step = lambda closure=None: None
        with pytest.warns(UserWarning, match=r"Seems like `optimizer.step\(\)` has been "
                                             "overridden after learning rate scheduler"):
            s.step()


def test_step_wrapper_installed_once_and_keeps_step_behaviour():
    opt = make_optimizer(numtorch)
    numtorch.optim.lr_scheduler.StepLR(opt, 2)
    wrapped = opt.step
    numtorch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    assert opt.step is wrapped and wrapped._wrapped_by_lr_sched
    assert not getattr(opt, "_opt_called", False)
    assert opt.step(lambda: 3.5) == 3.5  # the closure's loss is still returned
    assert opt._opt_called


def test_get_lr_outside_step_warns():
    for lib in LIBS:
        s = L(lib).StepLR(make_optimizer(lib), 2)
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
            s.get_lr()


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
                                  "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                                  "LambdaLR", "MultiplicativeLR", "CyclicLR"])
def test_deprecated_step_epoch_warns_and_uses_closed_form(name):
    epochs = [1, 2, 5, 3, 9, 10, 30, 0, 12, 41]
    traces = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        s = CASES[name](lib, opt)
        trace = []
        for e in epochs:
            opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` "
                                                 "was not necessary"):
                s.step(e)
            trace.append(snapshot(opt, [s]))
        traces.append(trace)
    assert_close(traces[1], traces[0], "trace")


def test_warm_restarts_fractional_epochs_match_torch():
    epochs = [0.5, 1.25, 3, 6.9, 7.0, 20.5, 2, 44.1, 100]
    traces = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        s = L(lib).CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
        trace = []
        for e in epochs:
            opt.step()
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # this scheduler does not warn about epoch
                s.step(e)
            trace.append((snapshot(opt, [s]), s.T_cur, s.T_i, s.last_epoch))
        traces.append(trace)
    assert_close(traces[1], traces[0], "trace")


# ----------------------------------------------------------------------------- resuming, tensors

def test_resume_with_last_epoch_matches_torch():
    traces = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        trace = []
        mod = L(lib)
        for s in (mod.CosineAnnealingLR(opt, 10, last_epoch=4), mod.StepLR(opt, 3, last_epoch=7),
                  mod.CosineAnnealingWarmRestarts(opt, 4, last_epoch=5)):
            for _ in range(6):
                opt.step()
                s.step()
                trace.append(snapshot(opt, [s]))
        traces.append(trace)
    assert_close(traces[1], traces[0], "trace")


def test_resume_without_initial_lr_raises_key_error():
    for lib in LIBS:
        with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in "
                                           r"param_groups\[0\] when resuming"):
            L(lib).StepLR(make_optimizer(lib), 3, last_epoch=2)


def test_tensor_lr_is_updated_in_place_and_never_aliased():
    results = []
    for lib in LIBS:
        opt = make_optimizer(lib)
        lr = lib.tensor(0.1)
        opt.param_groups[0]["lr"] = lr
        s = L(lib).ExponentialLR(opt, 0.5)
        opt._opt_called = True  # as if optimizer.step() had run: no step-order warning
        s.step()
        s.step()
        assert opt.param_groups[0]["lr"] is lr
        last = s.get_last_lr()[0]
        assert last is not lr and opt.param_groups[0]["initial_lr"] is not lr
        results.append((lr.item(), last.item(), s.base_lrs[0].item()))
    assert results[0] == pytest.approx(results[1])


def test_lr_scheduler_alias_and_exports():
    mod = numtorch.optim.lr_scheduler
    assert issubclass(mod._LRScheduler, mod.LRScheduler)
    assert mod._LRScheduler.__name__ == "_LRScheduler"
    assert sorted(mod.__all__) == sorted(torch.optim.lr_scheduler.__all__)
    for name in mod.__all__:
        assert issubclass(getattr(mod, name), mod.LRScheduler)


# ----------------------------------------------------------------------------- errors

def assert_same_error(build, kind="sgd"):
    """``build(lib, opt)`` raises the same exception type and message in both libraries."""
    errors = []
    for lib in LIBS:
        opt = make_optimizer(lib, kind)
        with pytest.raises(Exception) as info:
            build(lib, opt)
        errors.append(info.value)
    ref, got = errors
    assert type(got).__name__ == type(ref).__name__, f"{got!r} vs {ref!r}"
    assert str(got) == str(ref)
    return got


ERRORS = {
    "not-an-optimizer": lambda lib, o: L(lib).StepLR([1, 2], 3),
    "plateau-not-an-optimizer": lambda lib, o: L(lib).ReduceLROnPlateau(object()),
    "cyclic-not-an-optimizer": lambda lib, o: L(lib).CyclicLR(None, 0.1, 1.0),
    "onecycle-not-an-optimizer": lambda lib, o: L(lib).OneCycleLR("sgd", 1.0, 10),
    "T_0-zero": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 0),
    "T_0-float": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 2.5),
    "T_mult": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 3, T_mult=0),
    "eta_min": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 3, eta_min="0"),
    "warm-negative-epoch": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 3).step(-1),
    "total_steps-zero": lambda lib, o: L(lib).OneCycleLR(o, 1.0, total_steps=0),
    "total_steps-float": lambda lib, o: L(lib).OneCycleLR(o, 1.0, total_steps=10.0),
    "no-total_steps": lambda lib, o: L(lib).OneCycleLR(o, 1.0, epochs=3),
    "epochs": lambda lib, o: L(lib).OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
    "steps_per_epoch": lambda lib, o: L(lib).OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=1.5),
    "pct_start-int": lambda lib, o: L(lib).OneCycleLR(o, 1.0, 10, pct_start=1),
    "pct_start-range": lambda lib, o: L(lib).OneCycleLR(o, 1.0, 10, pct_start=1.5),
    "anneal_strategy": lambda lib, o: L(lib).OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
    "onecycle-max_lr-length": lambda lib, o: L(lib).OneCycleLR(o, [1.0, 2.0, 3.0], 10),
    "cyclic-mode": lambda lib, o: L(lib).CyclicLR(o, 0.1, 1.0, mode="square"),
    "cyclic-base_lr-length": lambda lib, o: L(lib).CyclicLR(o, [0.1], 1.0),
    "cyclic-momentum-length": lambda lib, o: L(lib).CyclicLR(o, 0.1, 1.0,
                                                             max_momentum=[0.9, 0.9, 0.9]),
    "lambda-count": lambda lib, o: L(lib).LambdaLR(o, [lambda e: 1.0]),
    "multiplicative-count": lambda lib, o: L(lib).MultiplicativeLR(o, (lambda e: 1.0,) * 3),
    "multiplicative-not-callable": lambda lib, o: L(lib).MultiplicativeLR(o, 0.9),
    "constant-factor": lambda lib, o: L(lib).ConstantLR(o, factor=1.5),
    "linear-start": lambda lib, o: L(lib).LinearLR(o, start_factor=0),
    "linear-end": lambda lib, o: L(lib).LinearLR(o, end_factor=-0.1),
    "sequential-empty": lambda lib, o: L(lib).SequentialLR(o, [], []),
    "sequential-milestones": lambda lib, o: L(lib).SequentialLR(
        o, [L(lib).StepLR(o, 2), L(lib).StepLR(o, 3)], [2, 4]),
    "sequential-no-optimizer": lambda lib, o: L(lib).SequentialLR(o, [object()], []),
    "sequential-plateau": lambda lib, o: L(lib).SequentialLR(
        o, [L(lib).StepLR(o, 2), L(lib).ReduceLROnPlateau(o)], [2]),
    "chained-empty": lambda lib, o: L(lib).ChainedScheduler([]),
    "chained-plateau": lambda lib, o: L(lib).ChainedScheduler([L(lib).ReduceLROnPlateau(o)]),
    "plateau-factor": lambda lib, o: L(lib).ReduceLROnPlateau(o, factor=1.0),
    "plateau-mode": lambda lib, o: L(lib).ReduceLROnPlateau(o, mode="avg"),
    "plateau-threshold_mode": lambda lib, o: L(lib).ReduceLROnPlateau(o, threshold_mode="pct"),
    "plateau-min_lr-length": lambda lib, o: L(lib).ReduceLROnPlateau(o, min_lr=[0.1]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(ERRORS[name])


def test_onecycle_stepping_past_total_steps_raises():
    def build(lib, o):
        s = L(lib).OneCycleLR(o, 1.0, total_steps=10)
        for _ in range(11):
            o.step()
            s.step()

    err = assert_same_error(build)
    assert str(err) == "Tried to step 11 times. The specified number of total steps is 10"


def test_cycle_momentum_needs_momentum_or_betas():
    class Plain(numtorch.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            return None

    for build in (lambda o: numtorch.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1),
                  lambda o: numtorch.optim.lr_scheduler.OneCycleLR(o, 0.1, 10)):
        opt = Plain([numtorch.zeros(2, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with "
                                             "`cycle_momentum` option enabled"):
            build(opt)
    opt = Plain([numtorch.zeros(2, requires_grad=True)])
    numtorch.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


def test_composites_reject_a_scheduler_of_another_optimizer():
    for lib in LIBS:
        o1, o2 = make_optimizer(lib), make_optimizer(lib)
        a, b = L(lib).StepLR(o1, 2), L(lib).StepLR(o2, 2)
        with pytest.raises(ValueError, match="SequentialLR expects all schedulers to belong to "
                                             "the same optimizer, but got scheduler StepLR at "
                                             "index 1 has"):
            L(lib).SequentialLR(o1, [a, b], [3])
        with pytest.raises(ValueError, match="ChainedScheduler expects all schedulers to belong"):
            L(lib).ChainedScheduler([a, b])


def test_plateau_new_param_group_with_min_lr_list_raises():
    for lib in LIBS:
        opt = make_optimizer(lib)
        s = L(lib).ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
        opt.add_param_group({"params": [lib.zeros(1, requires_grad=True)]})
        s.step(1.0)
        with pytest.raises(RuntimeError, match=r"The number of param groups in the `optimizer` "
                                               r"\(3\) differs from when `ReduceLROnPlateau` was "
                                               r"initialized \(2\)"):
            s.step(2.0)
        # A scalar min_lr simply extends to the new group.
        opt = make_optimizer(lib)
        s = L(lib).ReduceLROnPlateau(opt, patience=0, min_lr=0.001)
        opt.add_param_group({"params": [lib.zeros(1, requires_grad=True)], "lr": 0.3})
        s.step(1.0)
        s.step(2.0)
        assert s.get_last_lr() == pytest.approx([0.01, 0.005, 0.03])
