"""The hot path (autograd/function.py: ``new_node``, ``node_output``, ``save``) builds the
same graph node ``Function.apply`` builds: these tests make each op both ways and compare
the nodes, then check the gradients, in-place detection and double backward through it."""

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import function as F
from numtorch.ops import pointwise as P
from numtorch.ops import reduce as R


def _leaves(*shapes, dtype=numtorch.float32, grads=None):
    out = []
    for i, shape in enumerate(shapes):
        needs = True if grads is None else grads[i]
        x = numtorch.arange(1, 1 + int(np.prod(shape)), dtype=dtype).reshape(shape) / 7
        out.append(x.detach().requires_grad_(needs))
    return out


def _same_node(fast, slow):
    """Two nodes of one class, connected to the same inputs, saving the same things."""
    assert type(fast) is type(slow)
    assert fast.needs_input_grad == slow.needs_input_grad
    assert fast.next_functions == slow.next_functions
    assert list(fast._edges) == list(slow._edges)
    assert fast._output_meta == tuple(slow._output_meta)
    fs, ss = fast._saved or (), slow._saved or ()
    assert len(fs) == len(ss)
    for f, s in zip(fs, ss):
        assert (f is None) == (s is None)
        if f is not None:
            assert np.array_equal(f._data, s._data)
    assert fast._saved_versions == slow._saved_versions


# (hot-path call, the same op through apply, argument count of forward)
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: P.Add.apply(a, b, 1)),
    ("sub", lambda a, b: a - b, lambda a, b: P.Sub.apply(a, b, 1)),
    ("mul", lambda a, b: a * b, P.Mul.apply),
    ("div", lambda a, b: a / b, P.Div.apply),
]


@pytest.mark.parametrize("name,fast,slow", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)])
def test_binary_tensor_nodes_match_apply(name, fast, slow, grads):
    a, b = _leaves((2, 3), (3,), grads=grads)
    yf, ys = fast(a, b), slow(a, b)
    _same_node(yf.grad_fn, ys.grad_fn)
    assert np.array_equal(yf._data, ys._data)
    assert yf.requires_grad and yf.grad_fn.name() == ys.grad_fn.name()


@pytest.mark.parametrize("name,fast,slow", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("number", [2.5, 3])
def test_binary_number_nodes(name, fast, slow, number):
    (a,) = _leaves((4,))
    y = fast(a, number)
    ref = slow(a, number)
    node = y.grad_fn
    # A number is an edge to nothing, as PyTorch lists its wrapped scalar.
    ta = torch.tensor(a.detach().numpy(), requires_grad=True)
    tnode = fast(ta, number).grad_fn
    assert len(node.next_functions) == len(tnode.next_functions) == 2
    assert node.next_functions[1] == (None, 0)
    assert node.needs_input_grad == ref.grad_fn.needs_input_grad
    assert np.array_equal(y._data, ref._data)
    y.sum().backward()
    fast(ta, number).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-6)


UNARY = [
    ("relu", numtorch.relu, P.Relu), ("tanh", numtorch.tanh, P.Tanh),
    ("sigmoid", numtorch.sigmoid, P.Sigmoid), ("exp", numtorch.exp, P.Exp),
]


@pytest.mark.parametrize("name,fn,cls", UNARY, ids=[u[0] for u in UNARY])
def test_unary_nodes_match_apply(name, fn, cls):
    (x,) = _leaves((3, 2))
    x = x - 0.4  # negatives for relu
    yf, ys = fn(x), cls.apply(x)
    _same_node(yf.grad_fn, ys.grad_fn)
    assert yf.grad_fn._saved[0] is yf  # the output itself is saved
    assert np.array_equal(yf._data, ys._data)


def test_sum_node_matches_apply():
    (x,) = _leaves((3, 2))
    yf, ys = x.sum(), R.Sum.apply(x, (0, 1), False, None)
    _same_node(yf.grad_fn, ys.grad_fn)
    assert (yf.grad_fn.shape, yf.grad_fn.dims, yf.grad_fn.keepdim) == ((3, 2), (0, 1), False)
    assert yf.shape == () and yf.grad_fn.name() == "SumBackward0"


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.float64, numtorch.float16])
def test_hot_path_gradients_match_torch(dtype):
    a, b, c = _leaves((2, 3), (3,), (2, 1), dtype=dtype)
    tdt = getattr(torch, str(dtype).split(".")[1])
    ta, tb, tc = (torch.tensor(t.detach().numpy(), dtype=tdt, requires_grad=True)
                  for t in (a, b, c))
    for x, y, z in ((a, b, c), (ta, tb, tc)):
        out = ((x * y + z).relu() - x / y).tanh().sigmoid().exp() * 2.0
        out.sum().backward()
    tol = 1e-2 if dtype == numtorch.float16 else 1e-5
    for n, t in ((a, ta), (b, tb), (c, tc)):
        np.testing.assert_allclose(n.grad.numpy().astype(np.float64),
                                   t.grad.numpy().astype(np.float64), rtol=tol, atol=tol)


def test_hot_path_0d_and_empty():
    x = numtorch.tensor(1.5, requires_grad=True)
    y = (x * x + x).relu().tanh().sum()
    assert y.shape == ()
    y.backward()
    tx = torch.tensor(1.5, requires_grad=True)
    (tx * tx + tx).relu().tanh().sum().backward()
    assert abs(x.grad.item() - tx.grad.item()) < 1e-6
    e = numtorch.zeros(0, 3, requires_grad=True)
    s = (e * e).exp().sum()
    s.backward()
    assert e.grad.shape == (0, 3) and s.item() == 0


def test_hot_path_detects_inplace_change_of_saved_input():
    a, b = _leaves((3,), (3,))
    w = b * 1.0
    y = a * w
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_hot_path_detects_inplace_change_of_saved_output():
    (x,) = _leaves((3,))
    y = x.tanh()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="which is output 0 of Tanh, is at version 1"):
        y.sum().backward()


def test_hot_path_double_backward():
    x = numtorch.tensor([0.3, -0.2, 0.5], dtype=numtorch.float64, requires_grad=True)
    y = (x * x * x + x.sigmoid() / x).tanh().sum()
    (g,) = numtorch.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    tx = torch.tensor([0.3, -0.2, 0.5], dtype=torch.float64, requires_grad=True)
    ty = (tx * tx * tx + tx.sigmoid() / tx).tanh().sum()
    (tg,) = torch.autograd.grad(ty, tx, create_graph=True)
    tg.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


def test_hot_path_gradcheck():
    def fn(a, b):
        return ((a * b + a).relu() - a / b + (b * 3.0).exp().tanh() - b.sigmoid()).sum()

    a = numtorch.tensor([[0.3, -0.7], [1.1, 0.4]], dtype=numtorch.float64, requires_grad=True)
    b = numtorch.tensor([0.9, -1.3], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(fn, (a, b))
    assert numtorch.autograd.gradgradcheck(fn, (a, b))


def test_hot_path_records_anomaly_trace():
    (x,) = _leaves((2,))
    with numtorch.autograd.detect_anomaly():
        y = x * 2.0
        z = y.relu()
    assert "test_hot_path" in y.grad_fn._anomaly_trace
    assert "test_hot_path" in z.grad_fn._anomaly_trace


def test_no_grad_and_non_float_skip_the_hot_path():
    (x,) = _leaves((3,))
    with numtorch.no_grad():
        assert (x * x).grad_fn is None and x.relu().grad_fn is None and x.sum().grad_fn is None
    i = numtorch.tensor([1, 2, 3])
    assert (i * 2).dtype == numtorch.int64 and i.sum().grad_fn is None
    assert F.new_node is not None


@pytest.mark.parametrize("expr", [
    "lib.add(x, 2)", "lib.sub(x, 2)", "lib.mul(x, 2)", "lib.div(x, 2)", "2 - x", "2 / x",
    "x ** 2", "lib.add(x, 2, alpha=3)", "x.add(2)", "lib.true_divide(x, 2)", "lib.rsub(x, 2)",
    "x.clamp(0, 1)", "lib.maximum(x, x)", "lib.remainder(x, 2)", "lib.atan2(x, x)",
    "x + 2", "2 + x", "x * 2.5", "2.5 * x", "x - 1", "x / 4",
])
def test_next_functions_list_numbers_as_pytorch(expr):
    """A number operand of add/sub/mul/div is an edge to nothing, on either path."""
    got = []
    for lib in (numtorch, torch):
        x = lib.ones(2, requires_grad=True)
        node = eval(expr, {"lib": lib, "x": x}).grad_fn
        got.append((node.name(), [fn is None for fn, _ in node.next_functions]))
    assert got[0] == got[1]


def test_leaf_gradients_reach_leaves_once_or_summed_with_hooks_in_order():
    """A leaf's only gradient is accumulated straight from the edge (no queued node);
    a leaf used twice still gets the sum; hooks on leaves and on AccumulateGrad fire."""
    calls = []
    for lib in (numtorch, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        a.register_hook(lambda g, lib=lib: calls.append((lib.__name__, "a", g.tolist())))
        y = a * b + b
        acc_b = y.grad_fn.next_functions[1][0]
        acc_b.register_hook(lambda gi, go, lib=lib: calls.append((lib.__name__, "acc_b")))
        y.sum().backward()
        calls.append((lib.__name__, a.grad.tolist(), b.grad.tolist()))
    nt_calls = [c[1:] for c in calls if c[0] == "numtorch"]
    t_calls = [c[1:] for c in calls if c[0] == "torch"]
    assert nt_calls == t_calls


def test_accumulate_grad_prehook_can_replace_the_gradient():
    got = []
    for lib in (numtorch, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        acc = (a * 2).grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: (go[0] * 10,))
        (a * 2).sum().backward()
        got.append(a.grad.tolist())
    assert got[0] == got[1] == [20.0, 20.0]


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1, 2.5, 0])
def test_pow_with_a_number_node_matches_apply(exponent):
    (x,) = _leaves((2, 3))
    yf, ys = x ** exponent, P.Pow.apply(x, exponent)
    _same_node(yf.grad_fn, ys.grad_fn)
    assert yf.grad_fn.e == ys.grad_fn.e and yf.grad_fn._saved[0] is x
    np.testing.assert_array_equal(yf._data, ys._data)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    (x.pow(exponent) * 1.5).sum().backward()
    (tx.pow(exponent) * 1.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


def test_neg_and_mean_nodes_match_apply():
    (x,) = _leaves((2, 3))
    _same_node((-x).grad_fn, P.Neg.apply(x).grad_fn)
    yf, ys = x.mean(), R.Mean.apply(x, (0, 1), False, None)
    _same_node(yf.grad_fn, ys.grad_fn)
    assert (yf.grad_fn.n, yf.grad_fn.dims) == (6, (0, 1)) and yf.item() == ys.item()
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    (-x).mean().backward()
    (-tx).mean().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
