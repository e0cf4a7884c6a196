"""The autograd engine and API: backward, grad, hooks, grad modes, higher order, errors.

Each behaviour is checked against PyTorch where PyTorch can run the same program.
"""

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same

torch = pytest.importorskip("torch")


def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def leaves(*arrays):
    """The same arrays as numtorch and torch leaves requiring grad."""
    return ([numtorch.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def on_both(program, *arrays):
    """Run ``program(lib, *leaves)`` in numtorch and torch; return both results and leaves."""
    nt_leaves, t_leaves = leaves(*arrays)
    return (program(numtorch, *nt_leaves), nt_leaves), (program(torch, *t_leaves), t_leaves)


def assert_grads_same(nt_leaves, t_leaves):
    for a, b in zip(nt_leaves, t_leaves):
        if b.grad is None:
            assert a.grad is None
        else:
            assert_same(a.grad, b.grad)


# --- backward --------------------------------------------------------------------------


def test_backward_scalar_matches_torch():
    def program(lib, a, b, c):
        ((a * b + c).relu()).sum().backward()

    (_, nt), (_, t) = on_both(program, data(3, 4), data(3, 4, seed=1), data(4, seed=2))
    assert_grads_same(nt, t)


def test_backward_with_gradient_argument():
    g = data(2, 3, seed=5)

    def program(lib, a):
        (a.exp() * 2).backward(gradient=lib.tensor(g))

    (_, nt), (_, t) = on_both(program, data(2, 3))
    assert_grads_same(nt, t)


def test_backward_accumulates_across_calls():
    def program(lib, a, b):
        y = (a * b).sum()
        y.backward(retain_graph=True)
        y.backward()
        (a * 3).sum().backward()

    (_, nt), (_, t) = on_both(program, data(3), data(3, seed=1))
    assert_grads_same(nt, t)


def test_backward_inputs_restricts_accumulation():
    def program(lib, a, b):
        (a * b).sum().backward(inputs=[b])

    (_, nt), (_, t) = on_both(program, data(3), data(3, seed=1))
    assert nt[0].grad is None and t[0].grad is None
    assert_grads_same(nt, t)

    def program2(lib, a, b):
        h = a * 2
        (h * b).sum().backward(inputs=(a,))

    (_, nt), (_, t) = on_both(program2, data(3), data(3, seed=1))
    assert_grads_same(nt, t)


@pytest.mark.parametrize("call,exc", [
    (lambda m, x: (x * 2).sum().backward(inputs=[]), RuntimeError),
    (lambda m, x: m.autograd.backward((x * 2).sum(), inputs=[]), RuntimeError),
    (lambda m, x: (x * 2).sum().backward(inputs=m.ones(2)), RuntimeError),
    (lambda m, x: (x * 2).sum().backward(m.ones(()), inputs=[5]), RuntimeError),
    (lambda m, x: (x * 2).sum().backward(5.0), TypeError),
    (lambda m, x: m.autograd.backward([x.sum(), x.sum()], grad_tensors=[m.ones(())]),
     RuntimeError),
    (lambda m, x: m.autograd.backward(x.sum(), grad_tensors=[1.0]), TypeError),
    (lambda m, x: m.autograd.grad(x.sum(), []), RuntimeError),
    (lambda m, x: m.autograd.grad([], []), RuntimeError),
    (lambda m, x: m.autograd.grad(x.sum(), (x, 5)), RuntimeError),
    (lambda m, x: m.autograd.grad(x.sum(), 5), TypeError),
    (lambda m, x: m.autograd.grad(x.sum(), x, grad_outputs=5.0), TypeError),
    (lambda m, x: m.autograd.grad(x.sum(), x, grad_outputs=[5.0]), TypeError),
    (lambda m, x: m.autograd.grad([x.sum(), x.sum()], [x], grad_outputs=[m.ones(())]),
     RuntimeError),
])
def test_backward_and_grad_argument_errors_as_torch(call, exc):
    with pytest.raises(exc) as want:
        call(torch, torch.ones(2, requires_grad=True))
    with pytest.raises(exc) as got:
        call(numtorch, numtorch.ones(2, requires_grad=True))
    assert str(got.value) == str(want.value).split("\n")[0]


def test_extra_gradients_are_ignored_and_a_list_is_a_gradient_as_in_torch():
    x = numtorch.ones(2, requires_grad=True)
    (g,) = numtorch.autograd.grad([x.sum()], [x], grad_outputs=[numtorch.ones(()), None])
    assert g.tolist() == [1.0, 1.0]
    x.sum().backward([numtorch.tensor(3.0)])
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_create_graph_gives_differentiable_grad():
    def program(lib, a):
        (a.pow(3)).sum().backward(create_graph=True)
        g = a.grad
        assert g.requires_grad
        return lib.autograd.grad(g.sum(), a)[0]

    (nt_g, _), (t_g, _) = on_both(program, data(4))
    assert_same(nt_g, t_g)


def test_autograd_backward_function_with_several_tensors():
    def program(lib, a, b):
        y1, y2 = a * b, (a + b).sum()
        lib.autograd.backward([y1, y2], [lib.ones_like(y1), None])

    (_, nt), (_, t) = on_both(program, data(3), data(3, seed=1))
    assert_grads_same(nt, t)


def test_shared_subgraph_and_diamond():
    def program(lib, a):
        h = a.exp()
        ((h * h) + h.tanh() * h).sum().backward()

    (_, nt), (_, t) = on_both(program, data(5))
    assert_grads_same(nt, t)


def test_broadcasting_grads_summed_to_input_shape():
    def program(lib, a, b, c):
        (a * b + c).sum().backward()

    (_, nt), (_, t) = on_both(program, data(2, 3, 4), data(3, 1), data(1))
    assert_grads_same(nt, t)
    assert nt[1].grad.shape == (3, 1) and nt[2].grad.shape == (1,)


def test_grad_dtype_follows_leaf_dtype():
    a = numtorch.tensor(data(3).astype(np.float32), requires_grad=True)
    b = numtorch.tensor(data(3), requires_grad=True)  # float64
    (a * b).sum().backward()
    assert a.grad.dtype is numtorch.float32 and b.grad.dtype is numtorch.float64


# --- autograd.grad ---------------------------------------------------------------------


def test_grad_basic_and_grad_outputs():
    g = data(3, seed=9)

    def program(lib, a, b):
        y = a.sigmoid() * b
        return lib.autograd.grad(y, [a, b], grad_outputs=lib.tensor(g))

    (nt_g, nt), (t_g, t) = on_both(program, data(3), data(3, seed=1))
    assert_same(nt_g, t_g)
    assert nt[0].grad is None  # grad never touches .grad


def test_grad_single_input_returns_tuple():
    a = numtorch.tensor(data(3), requires_grad=True)
    out = numtorch.autograd.grad((a * a).sum(), a)
    assert isinstance(out, tuple) and len(out) == 1


def test_grad_retain_graph():
    a = numtorch.tensor(data(3), requires_grad=True)
    y = a.exp().sum()
    numtorch.autograd.grad(y, a, retain_graph=True)
    numtorch.autograd.grad(y, a)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        numtorch.autograd.grad(y, a)


def test_grad_allow_unused_and_materialize():
    a = numtorch.tensor(data(3), requires_grad=True)
    b = numtorch.tensor(data(3), requires_grad=True)
    y = (a * 2).sum()
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not "
                                           "have been used in the graph. Set allow_unused=True"):
        numtorch.autograd.grad(y, [a, b], retain_graph=True)
    ga, gb = numtorch.autograd.grad(y, [a, b], allow_unused=True, retain_graph=True)
    assert gb is None
    ga, gb = numtorch.autograd.grad(y, [a, b], materialize_grads=True)
    np.testing.assert_array_equal(gb.numpy(), 0.0)
    ta, tb = torch.tensor(data(3), requires_grad=True), torch.tensor(data(3), requires_grad=True)
    assert torch.autograd.grad((ta * 2).sum(), [ta, tb], materialize_grads=True)[1].eq(0).all()


def test_grad_of_non_leaf_input():
    def program(lib, a):
        h = a * 3
        y = h.exp().sum()
        return lib.autograd.grad(y, h)

    (nt_g, _), (t_g, _) = on_both(program, data(4))
    assert_same(nt_g, t_g)


def test_grad_wrt_input_not_requiring_grad():
    a = numtorch.tensor(data(3), requires_grad=True)
    c = numtorch.tensor(data(3))
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require "
                                           "grad"):
        numtorch.autograd.grad((a * c).sum(), c)


def test_grad_shape_mismatch_of_grad_output():
    a = numtorch.tensor(data(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of "
                                           r"numtorch.Size\(\[2\]\) and output\[0\] has a shape of "
                                           r"numtorch.Size\(\[3\]\)"):
        numtorch.autograd.grad(a * 2, a, numtorch.ones(2))


# --- retain_grad and hooks -----------------------------------------------------------------


def test_retain_grad_matches_torch():
    def program(lib, a):
        h = a * 2
        h.retain_grad()
        z = h.tanh()
        z.retain_grad()
        z.sum().backward()
        return h.grad, z.grad, h.retains_grad, a.is_leaf, h.is_leaf

    (nt_r, _), (t_r, _) = on_both(program, data(3))
    assert_same(nt_r[:2], t_r[:2])
    assert nt_r[2:] == t_r[2:]


def test_non_leaf_grad_access_warns():
    a = numtorch.tensor(data(3), requires_grad=True)
    h = a * 2
    h.sum().backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert h.grad is None


def test_tensor_hooks_modify_grad_on_leaf_and_non_leaf():
    def program(lib, a):
        calls = []
        h = a * 2
        h.register_hook(lambda g: g * 10)
        a.register_hook(lambda g: calls.append(g.clone()) or g + 1)
        (h * h).sum().backward()
        return a.grad, calls[0]

    (nt_r, _), (t_r, _) = on_both(program, data(3))
    assert_same(nt_r, t_r)


def test_hook_handle_remove():
    a = numtorch.tensor(data(3), requires_grad=True)
    handle = a.register_hook(lambda g: g * 100)
    handle.remove()
    (a * 1).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 1.0)


def test_hook_on_tensor_not_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require "
                                           "gradient"):
        numtorch.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook():
    a = numtorch.tensor(data(3), requires_grad=True)
    seen = []
    a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
    (a * 2).sum().backward()
    np.testing.assert_allclose(seen[0].numpy(), 2.0)


def test_node_hooks_and_prehooks():
    def program(lib, a):
        log = []
        y = a.exp()
        node = y.grad_fn
        node.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
        node.register_hook(lambda grad_inputs, grad_outputs: log.append(
            (grad_inputs[0].clone(), grad_outputs[0].clone())))
        y.sum().backward()
        return a.grad, log[0][0], log[0][1]

    (nt_r, _), (t_r, _) = on_both(program, data(3))
    assert_same(nt_r, t_r)


def test_node_metadata_and_name():
    a = numtorch.tensor(data(3), requires_grad=True)
    node = (a * 2).grad_fn
    node.metadata["k"] = 1
    assert node.metadata == {"k": 1}
    assert node.name() == "MulBackward0"
    assert isinstance(node, numtorch.autograd.graph.Node)


# --- detach / requires_grad ------------------------------------------------------------------


def test_detach_shares_memory_and_version():
    a = numtorch.tensor(data(3), requires_grad=True)
    h = a * 2
    d = h.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.add_(1)
    np.testing.assert_allclose(h.detach().numpy(), d.numpy())
    assert h._version == d._version == 1


def test_detach_in_place():
    a = numtorch.tensor(data(3), requires_grad=True)
    h = a * 2
    assert h.detach_() is h
    assert h.grad_fn is None and not h.requires_grad and h.is_leaf


def test_requires_grad_flags_like_torch():
    a = numtorch.ones(2)
    assert a.requires_grad_() is a and a.requires_grad
    a.requires_grad = False
    assert not a.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require "
                                           "gradients"):
        numtorch.tensor([1, 2]).requires_grad_()
    h = numtorch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables"):
        h.requires_grad_(False)


def test_numpy_on_requires_grad_tensor_raises():
    a = numtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use "
                                           r"tensor.detach\(\).numpy\(\) instead."):
        a.numpy()
    assert a.detach().numpy().shape == (2,)


# --- grad modes ---------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_contexts():
    a = numtorch.ones(2, requires_grad=True)
    with numtorch.no_grad():
        assert not numtorch.is_grad_enabled()
        assert not (a * 2).requires_grad
        with numtorch.enable_grad():
            assert (a * 2).requires_grad
        assert not (a * 2).requires_grad
    assert numtorch.is_grad_enabled() and (a * 2).requires_grad


def test_grad_modes_as_decorators():
    a = numtorch.ones(2, requires_grad=True)

    @numtorch.no_grad()
    def f(x):
        return x * 2

    @numtorch.enable_grad()
    def g(x):
        return x * 2

    @numtorch.set_grad_enabled(False)
    def h(x):
        return x * 2

    assert numtorch.is_grad_enabled()  # decorating does not change the mode
    assert not f(a).requires_grad and not h(a).requires_grad
    with numtorch.no_grad():
        assert g(a).requires_grad
    assert f.__name__ == "f"


def test_no_grad_decorator_on_generator():
    a = numtorch.ones(2, requires_grad=True)

    @numtorch.no_grad()
    def gen():
        for _ in range(2):
            yield (a * 2).requires_grad, numtorch.is_grad_enabled()

    it = gen()
    assert next(it) == (False, False)
    assert numtorch.is_grad_enabled()  # restored between yields
    assert (a * 2).requires_grad
    assert next(it) == (False, False)
    assert list(it) == []


def test_set_grad_enabled_function_context_and_restore():
    a = numtorch.ones(2, requires_grad=True)
    numtorch.set_grad_enabled(False)
    assert not numtorch.is_grad_enabled() and not (a * 2).requires_grad
    numtorch.set_grad_enabled(True)
    with numtorch.set_grad_enabled(False):
        assert not (a * 2).requires_grad
    assert numtorch.is_grad_enabled()
    with numtorch.no_grad():
        with numtorch.set_grad_enabled(True):
            assert (a * 2).requires_grad
        assert not numtorch.is_grad_enabled()
    with pytest.raises(TypeError):
        numtorch.set_grad_enabled("yes")


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with numtorch.no_grad():
            raise ValueError
    assert numtorch.is_grad_enabled()


def test_inference_mode():
    a = numtorch.ones(2, requires_grad=True)
    with numtorch.inference_mode():
        assert numtorch.is_inference_mode_enabled() and not numtorch.is_grad_enabled()
        assert not (a * 2).requires_grad
    assert not numtorch.is_inference_mode_enabled()
    with numtorch.inference_mode(False):
        assert (a * 2).requires_grad

    @numtorch.inference_mode()
    def f(x):
        return x * 2

    assert not f(a).requires_grad


def test_autograd_namespace_exports_modes():
    assert numtorch.autograd.no_grad is numtorch.no_grad
    assert numtorch.autograd.set_grad_enabled is numtorch.set_grad_enabled


# --- higher-order gradients --------------------------------------------------------------------


@pytest.mark.parametrize("program", [
    lambda lib, x: (x.pow(4) - 3 * x.pow(2) + x).sum(),
    lambda lib, x: (x * x * x * x).sum(),
    lambda lib, x: x.sin().exp().sum(),
    lambda lib, x: (x.exp() * x.sin()).sum(),
    lambda lib, x: x.tanh().sigmoid().sum(),
], ids=["poly_pow", "poly_mul", "exp_sin", "exp_times_sin", "tanh_sigmoid"])
def test_second_and_third_derivatives_match_torch(program):
    def derivatives(lib, x):
        y = program(lib, x)
        (d1,) = lib.autograd.grad(y, x, create_graph=True)
        (d2,) = lib.autograd.grad(d1.sum(), x, create_graph=True)
        (d3,) = lib.autograd.grad(d2.sum(), x)
        return d1.detach(), d2.detach(), d3

    (nt_r, _), (t_r, _) = on_both(derivatives, data(5))
    assert_same(nt_r, t_r, rtol=1e-9, atol=1e-9)


def test_double_backward_through_matmul_and_broadcasting():
    def program(lib, w, x, b):
        y = ((x @ w + b).tanh() ** 2).sum()
        (gw,) = lib.autograd.grad(y, w, create_graph=True)
        (gx,) = lib.autograd.grad((gw * gw).sum(), x)
        return gx

    (nt_r, _), (t_r, _) = on_both(program, data(3, 2), data(4, 3, seed=1), data(2, seed=2))
    assert_same(nt_r, t_r, rtol=1e-9, atol=1e-9)


def test_grad_of_grad_without_create_graph_does_not_require_grad():
    x = numtorch.tensor(data(3), requires_grad=True)
    (g,) = numtorch.autograd.grad(x.exp().sum(), x)
    assert not g.requires_grad and g.grad_fn is None


# --- errors -------------------------------------------------------------------------------------


def test_backward_twice_without_retain_graph():
    def program(lib, a):
        y = a.exp().sum()
        y.backward()
        y.backward()

    a = numtorch.tensor(data(3), requires_grad=True)
    with pytest.raises(RuntimeError) as ours:
        program(numtorch, a)
    with pytest.raises(RuntimeError) as ref:
        program(torch, torch.tensor(data(3), requires_grad=True))
    assert str(ours.value) == str(ref.value)


def test_non_scalar_backward_without_gradient():
    a = numtorch.tensor(data(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar "
                                           "outputs$"):
        (a * 2).backward()


def test_backward_of_tensor_not_requiring_grad():
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does "
                                           "not have a grad_fn$"):
        numtorch.ones(2).sum().backward()
    a = numtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="element 1 of tensors does not require grad"):
        numtorch.autograd.backward([a.sum(), numtorch.ones(())])


def _inplace_saved(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a.exp()
    y.add_(1)
    y.sum().backward()


def _inplace_saved_input(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    y = b.exp() * b
    b.mul_(2)
    y.sum().backward()


def _inplace_saved_leaf(lib):
    a = lib.tensor([[1.0, 2.0]], dtype=lib.float64, requires_grad=True)
    c = lib.tensor([[1.0, 2.0]], dtype=lib.float64)
    y = a * c
    c.add_(1)
    y.sum().backward()


@pytest.mark.parametrize("program", [_inplace_saved, _inplace_saved_input, _inplace_saved_leaf])
def test_inplace_modification_of_saved_tensor_message_matches_torch(program):
    with pytest.raises(RuntimeError) as ours:
        program(numtorch)
    with pytest.raises(RuntimeError) as ref:
        program(torch)
    assert str(ours.value) == str(ref.value).replace("torch.", "numtorch.")


def test_inplace_on_leaf_requiring_grad():
    a = numtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an "
                                           "in-place operation."):
        a.add_(1)
    with numtorch.no_grad():
        a.add_(1)  # allowed outside grad mode
    np.testing.assert_allclose(a.detach().numpy(), 2.0)


# --- anomaly detection ------------------------------------------------------------------------


class _NanBackward(numtorch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        return grad * 0 / (grad * 0)  # 0/0


def test_detect_anomaly_names_the_node_returning_nan():
    x = numtorch.ones(2, requires_grad=True)
    with numtorch.autograd.detect_anomaly():
        y = _NanBackward.apply(x)
        with pytest.warns(UserWarning, match="Error detected in _NanBackwardBackward. Traceback of "
                                             "forward call that caused the error") as rec:
            with pytest.raises(RuntimeError, match="^Function '_NanBackwardBackward' returned nan "
                                                   "values in its 0th output.$"):
                y.sum().backward()
    assert "test_engine.py" in str(rec[0].message)  # the forward's stack
    assert not numtorch.autograd.is_anomaly_enabled()


def test_detect_anomaly_builtin_op_like_torch():
    def program(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                (x.log() * 0).sum().backward()  # 0 * inf = nan in MulBackward0... then LogBackward0

    with pytest.raises(RuntimeError) as ours:
        program(numtorch)
    with pytest.raises(RuntimeError) as ref:
        program(torch)
    assert str(ours.value) == str(ref.value)


def test_set_detect_anomaly_function_and_context():
    numtorch.autograd.set_detect_anomaly(True)
    try:
        assert numtorch.autograd.is_anomaly_enabled()
    finally:
        numtorch.autograd.set_detect_anomaly(False)
    assert not numtorch.autograd.is_anomaly_enabled()
    with numtorch.autograd.set_detect_anomaly(True):
        assert numtorch.autograd.is_anomaly_enabled()
    assert not numtorch.autograd.is_anomaly_enabled()
    x = numtorch.ones(2, requires_grad=True)
    with numtorch.autograd.detect_anomaly(check_nan=False):
        _NanBackward.apply(x).sum().backward()  # no NaN check: passes
    assert np.isnan(x.grad.numpy()).all()


def test_nan_without_anomaly_mode_passes_silently():
    x = numtorch.ones(2, requires_grad=True)
    _NanBackward.apply(x).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


# --- deep graphs and memory ----------------------------------------------------------------------


def test_deep_chain_does_not_hit_recursion_limit():
    x = numtorch.tensor([0.5], dtype=numtorch.float64, requires_grad=True)
    y = x
    depth = max(5000, sys.getrecursionlimit() + 100)
    for _ in range(depth):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.0001 ** depth, rtol=1e-6)


def test_graph_and_saved_tensors_freed_after_backward():
    x = numtorch.tensor(data(1000), requires_grad=True)
    h = x.exp()
    y = (h * h).sum()
    node = y.grad_fn.next_functions[0][0]  # MulBackward0, saving h twice
    ref = weakref.ref(h)
    del h
    assert ref() is not None  # kept alive by the saved tensors
    y.backward()
    gc.collect()
    assert ref() is None  # released with the saved tensors
    assert node._saved is not None  # (marked freed, not kept)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = node.saved_tensors


def test_graph_released_when_output_dropped():
    x = numtorch.tensor(data(10), requires_grad=True)
    y = (x.exp() * 2).sum()
    node_ref = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node_ref() is None


def test_retain_graph_keeps_saved_tensors():
    x = numtorch.tensor(data(3), requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    x.grad = None
    y.backward()
    assert_same(x.grad, torch.from_numpy(first.numpy()))


@pytest.mark.parametrize("value", [
    "lib.ones(3)", "lib.ones(2, 1)", "lib.ones(())", "lib.ones(2, dtype=lib.float64)",
    "lib.ones(2, dtype=lib.int64)", "lib.ones(2, dtype=lib.float16)",
    "lib.ones(2, dtype=lib.bool)", "lib.ones(3, dtype=lib.float64)", "3",
])
def test_assigning_a_grad_of_the_wrong_size_dtype_or_type_matches_torch(value):
    errors = []
    for lib in (numtorch, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises((RuntimeError, TypeError)) as e:
            x.grad = eval(value, {"lib": lib})
        assert x.grad is None  # nothing assigned
        errors.append((type(e.value), str(e.value)))
    assert errors[0] == errors[1]
