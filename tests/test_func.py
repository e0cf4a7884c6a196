"""numtorch.func against torch.func: grad (nested, argnums, has_aux), vjp, jvp, jacrev,
jacfwd, hessian, vmap (in_dims, out_dims, errors), functional_call, stack_module_state,
and the per-sample-gradient and model-ensembling recipes of PyTorch's tutorials."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch

X = np.array([1.0, 2.0, 3.0], dtype=np.float32)


def both(fn):
    """``fn(lib, func)`` for numtorch and torch, with their func modules."""
    return fn(numtorch, numtorch.func), fn(torch, torch.func)


def same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            same(ours[k], theirs[k])
    else:
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
        assert ours.requires_grad == theirs.requires_grad


def test_grad_argnums_aux_and_nesting():
    same(*both(lambda L, F: F.grad(lambda x: (x ** 3).sum())(L.tensor(X))))
    same(*both(lambda L, F: F.grad(lambda x, y: (x * y.sin()).sum(), argnums=(0, 1))(
        L.tensor(X), L.tensor(X * 2))))
    same(*both(lambda L, F: F.grad(lambda x: ((x ** 2).sum(), x.cos()), has_aux=True)(
        L.tensor(X))))
    same(*both(lambda L, F: F.grad_and_value(lambda d: (d["a"] * d["b"]).sum())(
        {"a": L.tensor(X), "b": L.tensor(X + 1)})))
    same(*both(lambda L, F: F.grad(lambda x: F.grad(lambda y: (y ** 3).sum())(x).sum())(
        L.tensor(X))))
    # Differentiable further where the function reads a tensor that requires grad.
    def outer(L, F):
        w = L.tensor(X, requires_grad=True)
        g = F.grad(lambda x: (x * w).pow(2).sum())(L.tensor(X))
        g.sum().backward()
        return g, w.grad
    same(*both(outer))


def test_vjp_jvp_jacobians_and_hessian():
    f = lambda x: x.sin() * x  # noqa: E731
    same(*both(lambda L, F: F.vjp(f, L.tensor(X))[1](L.ones(3))))
    same(*both(lambda L, F: F.jvp(f, (L.tensor(X),), (L.tensor([1.0, 0.5, -2.0]),))))
    same(*both(lambda L, F: F.jacrev(f)(L.tensor(X))))
    same(*both(lambda L, F: F.jacfwd(lambda x, y: x * y.exp(), argnums=(0, 1))(
        L.tensor(X), L.tensor(X / 3))))
    same(*both(lambda L, F: F.hessian(lambda x: (x ** 3).sum() * x.prod())(L.tensor(X))))
    same(*both(lambda L, F: F.jacrev(lambda x: (x.exp(), x.sum()))(L.tensor(X))))


def test_vmap_dims_and_errors():
    a = np.arange(24, dtype=np.float32).reshape(4, 2, 3)
    same(*both(lambda L, F: F.vmap(lambda t: t.sum(0))(L.tensor(a))))
    same(*both(lambda L, F: F.vmap(lambda t, u: t @ u, in_dims=(1, None))(
        L.tensor(a), L.tensor(a[0].T))))
    same(*both(lambda L, F: F.vmap(lambda t: (t.sum(), t * 2), out_dims=(0, 1))(L.tensor(a))))
    same(*both(lambda L, F: L.vmap(L.outer)(L.tensor(a[:, 0]), L.tensor(a[:, 1]))))
    for lib in (numtorch, torch):
        with pytest.raises(ValueError, match="Expected all tensors to have the same size in "
                                             "the mapped dimension, got sizes \\[3, 2\\]"):
            lib.func.vmap(lambda s, t: s + t)(lib.ones(3, 4), lib.ones(2, 4))
        with pytest.raises(ValueError, match="must only return Tensors, got type <class "
                                             "'float'>"):
            lib.func.vmap(lambda t: 1.0)(lib.ones(3))


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.BatchNorm1d(8), lib.nn.ReLU(),
                             lib.nn.Linear(8, 3)).eval()


def test_per_sample_gradients_recipe():
    data = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    target = np.array([0, 2, 1, 1, 0, 2])

    def run(L, F):
        model = _model(L)
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}

        def loss(p, b, x, y):
            out = F.functional_call(model, (p, b), (x.unsqueeze(0),))
            return L.nn.functional.cross_entropy(out, y.unsqueeze(0))

        per_sample = F.vmap(F.grad(loss), in_dims=(None, None, 0, 0))(
            params, buffers, L.tensor(data), L.tensor(target))
        assert model[0].weight.grad is None  # the model is untouched
        return per_sample
    same(*both(run))


def test_functional_call_restores_and_stack_module_state_ensembles():
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)

    def run(L, F):
        models = [_model(L)]
        for k in range(2):
            L.manual_seed(k + 1)
            models.append(copy.deepcopy(models[0]))
            with L.no_grad():
                models[-1][0].weight.mul_(1.5 + k)
        params, buffers = F.stack_module_state(models)
        base = copy.deepcopy(models[0]).to("meta") if L is torch else copy.deepcopy(models[0])

        def call(p, b, inp):
            return F.functional_call(base, (p, b), (inp,))
        out = F.vmap(call, in_dims=(0, 0, None))(params, buffers, L.tensor(x))
        before = models[0][0].weight.detach().clone()
        F.functional_call(models[0], {"0.weight": L.zeros(8, 5)}, (L.tensor(x),))
        assert np.array_equal(models[0][0].weight.detach().numpy(), before.numpy())
        return out, params["0.weight"]
    same(*both(run))
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        numtorch.func.functional_call(_model(numtorch), ({"0.bias": numtorch.zeros(8)},
                                                         {"0.bias": numtorch.zeros(8)}),
                                      (numtorch.ones(2, 5),))


def test_linearize_gives_the_output_and_its_jvp_function_as_torch():
    x = np.array([1.0, 2.0, -0.5], dtype=np.float32)
    t = np.array([0.3, -1.0, 2.0], dtype=np.float32)
    got = []
    for lib in (numtorch, torch):
        out, jvp_fn = lib.func.linearize(lambda v: (v.sin() * v).sum(0), lib.tensor(x))
        got.append((out.detach().numpy(), jvp_fn(lib.tensor(t)).detach().numpy(),
                    jvp_fn(lib.tensor(2 * t)).detach().numpy()))
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_functionalize_keeps_outputs_and_input_mutations_as_torch():
    def f(a):
        a.add_(1)
        return a * 2

    results = []
    for lib in (numtorch, torch):
        y = lib.ones(2)
        results.append((lib.func.functionalize(f)(y).tolist(), y.tolist(),
                        lib.func.functionalize(f, remove="mutations_and_views")(y).tolist()))
        with pytest.raises(RuntimeError, match=r"received invalid argument for remove=x"):
            lib.func.functionalize(f, remove="x")
    assert results[0] == results[1]


def test_replace_all_batch_norm_modules_drops_running_stats_as_torch():
    reprs = []
    for lib in (numtorch, torch):
        model = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 1), lib.nn.BatchNorm2d(2),
                                  lib.nn.BatchNorm1d(3, track_running_stats=False))
        assert lib.func.replace_all_batch_norm_modules_(model) is model
        bn = model[1]
        assert bn.running_mean is None and bn.running_var is None
        assert bn.num_batches_tracked is None and not bn.track_running_stats
        reprs.append(repr(model).replace("numtorch.", "torch."))
        assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                            "2.weight", "2.bias"]
    assert reprs[0] == reprs[1]
