# ruff: noqa: B023 - every lambda and local def here runs within its own loop iteration
"""numtorch.utils.checkpoint against torch.utils.checkpoint, side by side.

Each parity test builds the same model (weights copied from PyTorch) and inputs in both
libraries, runs it through checkpoint (both implementations) and plainly, and compares
outputs, gradients, grad_fn names, warnings and errors.
"""

import gc
import warnings
import weakref

import numpy as np
import pytest

import numtorch
import numtorch.utils.checkpoint as ncp

torch = pytest.importorskip("torch")
import torch.utils.checkpoint as tcp  # noqa: E402

LIBS = ((numtorch, ncp), (torch, tcp))
REENTRANT = (True, False)


def copy_weights(nmod, tmod):
    nmod.load_state_dict({k: numtorch.tensor(v.detach().numpy())
                          for k, v in tmod.state_dict().items()})


def array(t):
    return np.array(t.detach().numpy())


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(array(a), array(b), rtol=tol, atol=tol)


def with_torch_names(msg: str) -> str:
    """PyTorch's text, with numtorch's names for the objects it prints."""
    return msg.replace("numtorch.Size", "torch.Size").replace("numtorch.float", "torch.float")


def caught(fn):
    """(exception type name, message) raised by fn()."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return type(e).__name__, with_torch_names(str(e))
    raise AssertionError("no exception")


def warned(fn):
    """The (category name, message) of every warning fn() emits, and fn's result."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return [(type(x.message).__name__, str(x.message)) for x in w], out


def mlp(lib, seed=0):
    torch.manual_seed(seed)
    tmod = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8),
                               torch.nn.Tanh(), torch.nn.Linear(8, 3))
    if lib is torch:
        return tmod
    nmod = numtorch.nn.Sequential(numtorch.nn.Linear(6, 8), numtorch.nn.ReLU(),
                                  numtorch.nn.Linear(8, 8), numtorch.nn.Tanh(),
                                  numtorch.nn.Linear(8, 3))
    copy_weights(nmod, tmod)
    return nmod


def cnn(lib, seed=0):
    torch.manual_seed(seed)
    tmod = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
                               torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 3, 3))
    if lib is torch:
        return tmod
    n = numtorch.nn
    nmod = n.Sequential(n.Conv2d(2, 4, 3, padding=1), n.BatchNorm2d(4), n.ReLU(),
                        n.MaxPool2d(2), n.Conv2d(4, 3, 3))
    copy_weights(nmod, tmod)
    return nmod


def leaf(lib, shape, seed=1):
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return lib.tensor(data, requires_grad=True)


# --- gradients equal the un-checkpointed ones, and PyTorch's --------------------------------


@pytest.mark.parametrize("use_reentrant", REENTRANT)
@pytest.mark.parametrize("make, shape", [(mlp, (5, 6)), (cnn, (2, 2, 6, 6))])
def test_checkpointed_model_matches_plain_run_and_torch(make, shape, use_reentrant):
    results = {}
    for lib, cp in LIBS:
        model = make(lib)
        x = leaf(lib, shape)
        # Checkpoint the model's first half; the rest runs normally.
        head, tail = model[:3], model[3:]
        out = tail(cp.checkpoint(head, x, use_reentrant=use_reentrant))
        out.pow(2).sum().backward()
        grads = [x.grad] + [p.grad for p in model.parameters()]
        x.grad = None
        model.zero_grad()
        plain = model(x)
        plain.pow(2).sum().backward()
        for g, p in zip(grads, [x.grad] + [p.grad for p in model.parameters()]):
            close(g, p)
        close(out, plain)
        results[lib] = (out, grads)
    close(results[numtorch][0], results[torch][0])
    for g, t in zip(results[numtorch][1], results[torch][1]):
        close(g, t, 1e-4)


@pytest.mark.parametrize("use_reentrant", REENTRANT)
def test_dropout_inside_replays_the_same_mask(use_reentrant):
    for lib, cp in LIBS:
        drop = lib.nn.Dropout(0.5)
        w = leaf(lib, (4, 4), seed=2)
        x = leaf(lib, (3, 4))

        def fn(a, w=w, drop=drop):
            return drop(a @ w).sin()

        lib.manual_seed(7)
        out = cp.checkpoint(fn, x, use_reentrant=use_reentrant)
        out.sum().backward()
        ck = (array(out), array(x.grad), array(w.grad))
        x.grad = w.grad = None
        lib.manual_seed(7)
        out = fn(x)
        out.sum().backward()
        for a, b in zip(ck, (array(out), array(x.grad), array(w.grad))):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_without_preserve_rng_state_recomputation_draws_new_numbers():
    def fn(a):
        return numtorch.nn.functional.dropout(a, 0.5)

    x = numtorch.ones(200, requires_grad=True)
    numtorch.manual_seed(0)
    out = ncp.checkpoint(fn, x, use_reentrant=True, preserve_rng_state=False)
    out.sum().backward()
    # The gradient is the recomputation's mask (scaled by 2), not the forward's.
    assert not np.array_equal(array(x.grad), array(out))


@pytest.mark.parametrize("use_reentrant", REENTRANT)
def test_segment_random_state_is_restored_after_recomputation(use_reentrant):
    # The recomputation replays the forward's numbers without disturbing the stream after.
    for lib, cp in LIBS:
        x = leaf(lib, (5,))
        lib.manual_seed(3)
        out = cp.checkpoint(lambda a: lib.nn.functional.dropout(a, 0.5), x,
                            use_reentrant=use_reentrant)
        before = array(lib.rand(3))
        lib.manual_seed(3)
        lib.nn.functional.dropout(x, 0.5)
        expected = array(lib.rand(3))
        out.sum().backward()
        np.testing.assert_array_equal(before, expected)


def test_checkpoint_sequential_matches_torch():
    for segments in (1, 2, 3, 5):
        results = []
        for lib, cp in LIBS:
            model = mlp(lib)
            x = leaf(lib, (4, 6))
            out = cp.checkpoint_sequential(model, segments, x, use_reentrant=True)
            out.sum().backward()
            results.append((out, x.grad, model[0].weight.grad, out.grad_fn.name()))
        close(results[0][0], results[1][0])
        close(results[0][1], results[1][1])
        close(results[0][2], results[1][2])
        assert results[0][3] == results[1][3] == "AddmmBackward0"


def test_checkpoint_sequential_accepts_a_list_and_non_reentrant():
    for lib, cp in LIBS:
        model = mlp(lib)
        x = leaf(lib, (4, 6))
        out = cp.checkpoint_sequential(list(model), 2, x, use_reentrant=False)
        close(out, model(x))


# --- what stays in the graph -----------------------------------------------------------------


def test_grad_fn_names_are_torchs():
    names = []
    for lib, cp in LIBS:
        x = leaf(lib, (3,))
        r = cp.checkpoint(lambda a: (a.sin() * 2).exp(), x, use_reentrant=True)
        nr = cp.checkpoint(lambda a: (a.sin() * 2).exp(), x, use_reentrant=False)
        names.append((r.grad_fn.name(), nr.grad_fn.name(),
                      repr(r.grad_fn).split(" object")[0].replace("numtorch.", "torch."),
                      [type(f).__name__ for f, _ in r.grad_fn.next_functions]))
    assert names[0] == names[1]
    assert names[0][0] == "CheckpointFunctionBackward"
    assert names[0][1] == "ExpBackward0"


@pytest.mark.parametrize("use_reentrant", REENTRANT)
def test_intermediates_are_not_kept_alive(use_reentrant):
    for lib, cp in LIBS:
        inner = []

        def fn(a, inner=inner):
            h = a.sin()
            inner.append(weakref.ref(h))
            return h * h  # mul saves h for backward

        x = leaf(lib, (4,))
        plain = fn(x)
        gc.collect()
        assert inner[0]() is not None  # the graph holds h
        out = cp.checkpoint(fn, x, use_reentrant=use_reentrant)
        gc.collect()
        assert inner[1]() is None  # checkpointed: nothing holds it
        out.sum().backward()
        plain.sum().backward()


@pytest.mark.parametrize("use_reentrant", REENTRANT)
def test_under_no_grad_checkpoint_just_runs(use_reentrant):
    for lib, cp in LIBS:
        x = leaf(lib, (3,))
        with lib.no_grad():
            out = cp.checkpoint(lambda a: a * 2, x, use_reentrant=use_reentrant)
        assert out.grad_fn is None and not out.requires_grad


# --- what only the non-reentrant version supports --------------------------------------------


def test_non_reentrant_works_with_autograd_grad_kwargs_and_nested_inputs():
    results = []
    for lib, cp in LIBS:
        x, w = leaf(lib, (3,)), leaf(lib, (3,), seed=5)

        def fn(pair, scale=1.0, extra=None):
            return (pair["a"] * pair["b"][0]).exp() * scale + extra

        out = cp.checkpoint(fn, {"a": x, "b": [w]}, use_reentrant=False, scale=2.0,
                            extra=x.cos())
        results.append(lib.autograd.grad(out.sum(), (x, w)))
    for a, b in zip(*results):
        close(a, b)


def test_non_reentrant_second_backward_with_retain_graph_recomputes():
    for lib, cp in LIBS:
        x = leaf(lib, (4,))
        calls = []

        def fn(a, calls=calls):
            calls.append(1)
            return a.sin().exp()

        out = cp.checkpoint(fn, x, use_reentrant=False)
        out.sum().backward(retain_graph=True)
        first = array(x.grad)
        out.sum().backward()
        np.testing.assert_allclose(array(x.grad), 2 * first, rtol=1e-6)
        assert len(calls) == 3  # forward, then one recomputation per backward


def test_nested_non_reentrant_checkpoints():
    results = []
    for lib, cp in LIBS:
        x = leaf(lib, (4,))

        def inner(a):
            return a.sin() * a

        def outer(a):
            return cp.checkpoint(inner, a.exp(), use_reentrant=False).tanh()

        out = cp.checkpoint(outer, x, use_reentrant=False)
        out.sum().backward()
        results.append((out, x.grad))
    close(results[0][0], results[1][0])
    close(results[0][1], results[1][1])


def test_context_fn_contexts_wrap_forward_and_recomputation():
    for lib, cp in LIBS:
        log = []

        class Ctx:
            def __init__(self, name):
                self.name = name

            def __enter__(self):
                log.append(self.name)

            def __exit__(self, *exc):
                return False

        out = cp.checkpoint(lambda a: a.sin(), leaf(lib, (3,)), use_reentrant=False,
                            context_fn=lambda: (Ctx("forward"), Ctx("recompute")))
        assert log == ["forward"]
        out.sum().backward()
        assert log == ["forward", "recompute"]


def test_early_stop_off_runs_the_whole_recomputation():
    for lib, cp in LIBS:
        seen = []

        def fn(a):
            b = a.sin()
            c = b.exp()  # the last saved tensor
            seen.append(1)
            return c

        x = leaf(lib, (3,))
        cp.checkpoint(fn, x, use_reentrant=False).sum().backward()
        assert len(seen) == 1  # the recomputation stopped at exp's saved output
        with cp.set_checkpoint_early_stop(False):
            out = cp.checkpoint(fn, x, use_reentrant=False)
        out.sum().backward()
        assert len(seen) == 3
        cp.checkpoint(fn, x, use_reentrant=False, early_stop=False).sum().backward()
        assert len(seen) == 5


# --- warnings and errors, with PyTorch's messages --------------------------------------------


def test_use_reentrant_left_out_warns_and_picks_reentrant():
    got = []
    for lib, cp in LIBS:
        x = leaf(lib, (3,))
        w1, out = warned(lambda: cp.checkpoint(lambda a: a.sin(), x))
        w2, seq = warned(lambda: cp.checkpoint_sequential([lib.nn.Tanh()] * 2, 2, x))
        got.append((w1, w2, out.grad_fn.name()))
    assert got[0] == got[1]
    assert got[0][2] == "CheckpointFunctionBackward"
    assert got[0][0][0][1].startswith("torch.utils.checkpoint: the use_reentrant parameter")


def test_warning_names_the_callers_line():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ncp.checkpoint(lambda a: a.sin(), numtorch.ones(2, requires_grad=True))
    assert w[0].filename == __file__


def test_reentrant_without_inputs_requiring_grad_warns():
    got = []
    for lib, cp in LIBS:
        w, out = warned(lambda: cp.checkpoint(lambda a: a.sin(), lib.ones(3),
                                              use_reentrant=True))
        got.append((w, out.requires_grad))
    assert got[0] == got[1] == ([("UserWarning", "None of the inputs have requires_grad=True. "
                                  "Gradients will be None")], False)


@pytest.mark.parametrize("how", ["grad", "inputs"])
def test_reentrant_refuses_autograd_grad_and_backward_inputs(how):
    got = []
    for lib, cp in LIBS:
        x = leaf(lib, (3,))
        out = cp.checkpoint(lambda a: a.sin(), x, use_reentrant=True)
        if how == "grad":
            got.append(caught(lambda: lib.autograd.grad(out.sum(), x)))
        else:
            got.append(caught(lambda: out.sum().backward(inputs=[x])))
    assert got[0] == got[1]
    assert got[0][1].startswith("When use_reentrant=True, torch.utils.checkpoint is "
                                "incompatible with .grad()")


def test_argument_errors_are_torchs():
    cases = [
        lambda lib, cp, x: cp.checkpoint(lambda a, b=1: a, x, use_reentrant=True, b=2, c=3),
        lambda lib, cp, x: cp.checkpoint(lambda a: a, x, use_reentrant=True, debug=True),
        lambda lib, cp, x: cp.checkpoint(lambda a: a, x, use_reentrant=True,
                                         context_fn=lambda: (None, None)),
        lambda lib, cp, x: cp.checkpoint(lambda a: a.sin(), x, use_reentrant=False,
                                         determinism_check="shapes"),
        lambda lib, cp, x: cp.checkpoint(lambda a: a.sin(), x, use_reentrant=False,
                                         debug=True, context_fn=cp.noop_context_fn.__call__),
        lambda lib, cp, x: cp.checkpoint_sequential([lib.nn.Tanh()], 1, x,
                                                    use_reentrant=False, foo=1),
        lambda lib, cp, x: cp.detach_variable([x]),
    ]
    for case in cases:
        got = [caught(lambda: case(lib, cp, leaf(lib, (3,)))) for lib, cp in LIBS]
        assert got[0] == got[1], got


def test_reentrant_output_without_grad_in_recomputation_raises():
    got = []
    for lib, cp in LIBS:
        out = cp.checkpoint(lambda a: a.detach() * 2, leaf(lib, (3,)), use_reentrant=True)
        assert out.requires_grad
        got.append(caught(lambda: out.sum().backward()))
    assert got[0] == got[1] == ("RuntimeError", "none of output has requires_grad=True, this "
                                "checkpoint() is not necessary")


def _changing(lib, change):
    """A function whose recomputation differs from its forward as ``change`` says."""
    state = {"calls": 0}

    def fn(a):
        state["calls"] += 1
        again = state["calls"] > 1
        if change == "shape":
            return (a[: 3 - again] * 2).sin()
        if change == "fewer":
            b = a.sin()
            return b if again else b.exp()
        # "more", caught when the recomputation runs to the end (early_stop=False)
        b = a.exp()
        return b.exp() if again else b
    return fn


@pytest.mark.parametrize("change, early_stop", [("shape", True), ("fewer", True),
                                                 ("more", False)])
def test_recomputation_that_differs_raises_checkpoint_error(change, early_stop):
    got = []
    for lib, cp in LIBS:
        out = cp.checkpoint(_changing(lib, change), leaf(lib, (3,)), use_reentrant=False,
                            early_stop=early_stop)
        err = caught(lambda: out.sum().backward())
        got.append(err)
    assert got[0] == got[1]
    assert got[0][0] == "CheckpointError"
    assert isinstance(ncp.CheckpointError("x"), RuntimeError)


def test_determinism_check_none_skips_the_metadata_check():
    for lib, cp in LIBS:
        out = cp.checkpoint(_changing(lib, "shape"), leaf(lib, (3,)), use_reentrant=False,
                            determinism_check="none")
        with pytest.raises(Exception):  # noqa: B017 - no CheckpointError: a shape error later
            try:
                out.sum().backward()
            except cp.CheckpointError:
                pytest.fail("determinism_check='none' still checked metadata")


def test_context_fn_that_swallows_the_forward_error_raises():
    got = []
    for lib, cp in LIBS:
        class Swallow:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return True

        def bad(a):
            raise ValueError("boom")

        got.append(caught(lambda: cp.checkpoint(bad, leaf(lib, (3,)), use_reentrant=False,
                                                context_fn=lambda: (Swallow(), Swallow()))))
    assert got[0] == got[1]
    assert got[0][1].startswith("torch.utils.checkpoint: the forward context provided by")


@pytest.mark.parametrize("use_reentrant", REENTRANT)
def test_input_modified_in_place_after_forward_raises(use_reentrant):
    got = []
    for lib, cp in LIBS:
        h = leaf(lib, (3,)) * 1
        out = cp.checkpoint(lambda a: a.sin(), h, use_reentrant=use_reentrant)
        h.add_(1)
        got.append(caught(lambda: out.sum().backward()))
    assert got[0][0] == got[1][0] == "RuntimeError"
    assert got[0][1].replace("numtorch.", "torch.") == got[1][1]


def test_saved_tensors_hooks_see_every_saved_tensor():
    packed = []
    x = numtorch.ones(3, requires_grad=True)
    with numtorch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or len(packed) - 1,
                                                     lambda i: packed[i]):
        y = (x.sin() * x).exp()
    assert len(packed) >= 2
    y.sum().backward()
    t = torch.ones(3, requires_grad=True)
    (t.sin() * t).exp().sum().backward()
    close(x.grad, t.grad)
