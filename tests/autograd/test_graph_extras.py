"""autograd.graph's save_on_cpu, disable_saved_tensors_hooks and increment_version, against
torch.autograd.graph."""

import numpy as np
import pytest
import torch

import numtorch


def _graph(lib):
    return lib.autograd.graph


def test_save_on_cpu_gives_the_same_gradients():
    x = np.random.default_rng(0).standard_normal(5).astype(np.float32)
    grads = []
    for lib in (numtorch, torch):
        a = lib.tensor(x, requires_grad=True)
        with _graph(lib).save_on_cpu(pin_memory=False):
            y = (a.sin() * a).exp().sum()
        y.backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
    assert issubclass(numtorch.autograd.graph.save_on_cpu,
                      numtorch.autograd.graph.saved_tensors_hooks)


def test_save_on_cpu_packs_every_saved_tensor():
    a = numtorch.ones(3, requires_grad=True)
    hooks = numtorch.autograd.graph.save_on_cpu()
    packed = []
    pack = hooks.pack_hook
    hooks.pack_hook = lambda t: packed.append(t) or pack(t)
    with hooks:
        y = (a * a).sum()
    y.backward()
    assert len(packed) == 2 and a.grad.tolist() == [2.0, 2.0, 2.0]


def test_disable_saved_tensors_hooks_refuses_new_hooks_with_the_message():
    for lib in (numtorch, torch):
        graph = _graph(lib)
        with graph.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="^no hooks here$"):
                with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
            with graph.disable_saved_tensors_hooks("inner"):
                with pytest.raises(RuntimeError, match="^inner$"):
                    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                        pass
            with pytest.raises(RuntimeError, match="^no hooks here$"):  # the outer message back
                with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
            a = lib.ones(2, requires_grad=True)
            (a * a).sum().backward()  # ops still save tensors as usual
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # allowed again after
            pass


def test_disable_inside_active_hooks_raises():
    for lib in (numtorch, torch):
        graph = _graph(lib)
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with pytest.raises(RuntimeError, match="^busy$"):
                with graph.disable_saved_tensors_hooks("busy"):
                    pass


def test_increment_version_bumps_tensors_and_iterables():
    for lib in (numtorch, torch):
        t = lib.ones(2)
        v = t._version
        _graph(lib).increment_version(t)
        _graph(lib).increment_version([t, t])
        assert t._version - v == 3


def test_increment_version_makes_backward_detect_a_hidden_change():
    for lib in (numtorch, torch):
        for declare in (False, True):
            a = lib.ones(2, requires_grad=True)
            b = a * 1.0
            y = (b * b).sum()  # saves b
            b.data.add_(1)  # a write autograd does not see (.data has its own version) ...
            if not declare:
                y.backward()  # ... so backward runs on the changed values
                continue
            _graph(lib).increment_version(b)  # ... unless it is declared
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                y.backward()


def _chain(lib):
    a = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = a * 2
    c = (b * b).sum()
    return a, b, c


def test_gradient_edges_are_inputs_and_outputs_of_grad_as_in_torch():
    results = []
    for lib in (numtorch, torch):
        graph = _graph(lib)
        a, b, c = _chain(lib)
        edge, leaf_edge = graph.get_gradient_edge(b), graph.get_gradient_edge(a)
        assert isinstance(edge, graph.GradientEdge) and edge.output_nr == 0
        assert type(edge.node).__name__ == "MulBackward0"
        assert type(leaf_edge.node).__name__ == "AccumulateGrad"
        got = [lib.autograd.grad(c, edge, retain_graph=True),
               lib.autograd.grad(c, [edge, a], retain_graph=True),
               lib.autograd.grad(c, leaf_edge, retain_graph=True),
               lib.autograd.grad(edge, a, grad_outputs=lib.ones(3), retain_graph=True),
               lib.autograd.grad(graph.get_gradient_edge(c), a, retain_graph=True)]
        c.backward(inputs=[edge])  # captured, but an edge has no .grad to fill
        results.append(([[g.tolist() for g in gs] for gs in got], a.grad))
    assert results[0] == results[1]


def test_gradient_edge_errors_match_torch():
    for lib in (numtorch, torch):
        graph = _graph(lib)
        with pytest.raises(RuntimeError, match="It is not possible to get the gradient edge "
                                               "for a Tensor that does not require gradients"):
            graph.get_gradient_edge(lib.ones(2))
        a, b, c = _chain(lib)
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                               "outputs"):
            lib.autograd.grad(graph.get_gradient_edge(b), a)
        # an edge the gradient never reaches has no tensor to make zeros like
        unused = graph.get_gradient_edge(lib.ones(1, requires_grad=True))
        with pytest.raises(RuntimeError, match="materialize_grads cannot be used when the "
                                               "given input is a GradientEdge"):
            lib.autograd.grad(c, [a, unused], allow_unused=True, materialize_grads=True,
                              retain_graph=True)
        assert lib.autograd.grad(c, [graph.get_gradient_edge(b)], retain_graph=True,
                                 materialize_grads=True)[0].shape == b.shape


def test_multi_grad_hooks_fire_as_in_torch():
    logs = []
    for lib in (numtorch, torch):
        graph = _graph(lib)
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True) * 3
        c = lib.ones(2, requires_grad=True)
        log = []
        every = graph.register_multi_grad_hook(
            (a, b, c), lambda gs, log=log: log.append([None if g is None else g.tolist()
                                                       for g in gs]))
        (a * b).sum().backward(retain_graph=True)        # a and b: c is not in this graph
        (a * 2).sum().backward(retain_graph=True)        # only a
        lib.autograd.grad((a * b).sum(), b, retain_graph=True)  # only what leads to b
        first = graph.register_multi_grad_hook(
            (a, b), lambda g, log=log: log.append(("any", g.tolist())), mode="any")
        (a * b * 5).sum().backward(retain_graph=True)
        every.remove()
        first.remove()
        (a * b).sum().backward(retain_graph=True)        # no hook left
        logs.append(log)
        with pytest.raises(ValueError, match=r"Expects mode to be one of \('all', 'any'\) but "
                                             "got x"):
            graph.register_multi_grad_hook((a,), print, mode="x")
    assert logs[0] == logs[1] and len(logs[0]) == 5


def test_autograd_grad_runs_a_leaf_inputs_tensor_hooks_as_torch():
    # the hooks see the gradient and change the one returned; .grad is left alone
    results = []
    for lib in (numtorch, torch):
        x = lib.tensor([4.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(g.tolist()))
        x.register_hook(lambda g: g * 10)
        got = lib.autograd.grad((x * 5).sum(), x)[0].tolist()
        results.append((got, seen, x.grad))
    assert results[0] == results[1] == ([50.0], [[5.0]], None)
