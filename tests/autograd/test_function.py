"""Custom ``autograd.Function``: the ctx API, both forward styles, and their behaviour vs torch."""

import re

import numpy as np
import pytest

import numtorch
from numtorch.autograd import Function, gradcheck, gradgradcheck, once_differentiable
from tests.utils import assert_same

torch = pytest.importorskip("torch")


def make_fns(lib):
    """The same custom Functions written against numtorch or torch (``lib``)."""
    F = lib.autograd.Function

    class MulConst(F):
        """y = x * k (k a Python number): non-tensor argument, needs_input_grad."""

        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, grad):
            assert ctx.needs_input_grad == (True, False)
            return grad * ctx.k, None

    class Cube(F):
        """y = x ** 3, backward written with differentiable ops (double backward works)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    class MulAdd(F):
        """(a, b) -> (a * b, a + b): two inputs, two outputs."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            ga = g_prod * b + g_sum if ctx.needs_input_grad[0] else None
            gb = g_prod * a + g_sum if ctx.needs_input_grad[1] else None
            return ga, gb

    class ExpNew(F):
        """The setup_context style: forward without ctx, saving the output."""

        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    class Scale(F):
        """setup_context with a non-tensor input."""

        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None

    return MulConst, Cube, MulAdd, ExpNew, Scale


NT = make_fns(numtorch)
TT = make_fns(torch)


def data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def leaf(lib, arr):
    return lib.tensor(arr, requires_grad=True)


@pytest.mark.parametrize("k", range(5))
def test_matches_torch_values_and_grads(k):
    ours, ref = NT[k], TT[k]
    a, b = data(2, 3), data(2, 3, seed=1)
    args = {0: (a, 2.5), 1: (a,), 2: (a, b), 3: (a,), 4: (a, -1.5)}[k]
    nt_args = [leaf(numtorch, x) if isinstance(x, np.ndarray) else x for x in args]
    t_args = [leaf(torch, x) if isinstance(x, np.ndarray) else x for x in args]
    out, ref_out = ours.apply(*nt_args), ref.apply(*t_args)
    assert_same(out, ref_out)
    outs = out if isinstance(out, tuple) else (out,)
    ref_outs = ref_out if isinstance(ref_out, tuple) else (ref_out,)
    sum(o.sum() * (i + 1) for i, o in enumerate(outs)).backward()
    sum(o.sum() * (i + 1) for i, o in enumerate(ref_outs)).backward()
    for x, t in zip(nt_args, t_args):
        if isinstance(x, numtorch.Tensor):
            assert_same(x.grad, t.grad)


@pytest.mark.parametrize("k", range(5))
def test_gradcheck_custom_functions(k):
    fn = NT[k]
    a = numtorch.tensor(data(3, 2), requires_grad=True)
    b = numtorch.tensor(data(3, 2, seed=1), requires_grad=True)
    args = {0: (a, 2.5), 1: (a,), 2: (a, b), 3: (a,), 4: (a, -1.5)}[k]
    assert gradcheck(fn.apply, args)
    assert gradgradcheck(fn.apply, args)


def test_grad_fn_repr_and_name_like_torch():
    _, Cube, MulAdd, ExpNew, _ = NT
    x = leaf(numtorch, data(3))
    y = Cube.apply(x)
    assert re.fullmatch(r"<numtorch\.autograd\.function\.CubeBackward object at 0x[0-9a-f]+>",
                        repr(y.grad_fn))
    assert y.grad_fn.name() == type(y.grad_fn).__name__ == "CubeBackward"
    assert "grad_fn=<CubeBackward>" in repr(y)
    t = TT[1].apply(leaf(torch, data(3)))
    assert repr(t.grad_fn).split(" object")[0].replace("torch.", "numtorch.") == \
        repr(y.grad_fn).split(" object")[0]
    p, s = MulAdd.apply(x, x)
    assert p.grad_fn is s.grad_fn and (p.grad_fn.__class__.__name__ == "MulAddBackward")
    assert ExpNew.apply(x).grad_fn.__class__.__name__ == "ExpNewBackward"
    # built-in ops print their bare name
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")


def test_next_functions_point_to_inputs():
    _, Cube, MulAdd, _, _ = NT
    x = leaf(numtorch, data(3))
    y = Cube.apply(x * 2)
    (node, nr), = y.grad_fn.next_functions
    assert type(node).__name__ == "MulBackward0" and nr == 0
    leaf_node = node.next_functions[0][0]
    assert type(leaf_node).__name__ == "AccumulateGrad" and leaf_node.variable is x
    p, s = MulAdd.apply(x, numtorch.tensor(data(3)))
    assert p.grad_fn.next_functions[1] == (None, 0)


def test_needs_input_grad_reflects_inputs():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return None, grad, None

    a = numtorch.tensor(data(2))
    b = leaf(numtorch, data(2))
    Probe.apply(a, b, 3).sum().backward()
    assert seen == [(False, True, False)] * 2
    assert b.grad is not None and a.grad is None


def test_saved_tensors_are_freed_after_backward():
    _, Cube, _, _, _ = NT
    x = leaf(numtorch, data(3))
    y = Cube.apply(x)
    node = y.grad_fn
    assert node.saved_tensors[0] is x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = node.saved_tensors


def test_saving_an_input_modified_in_place_raises():
    _, Cube, _, ExpNew, _ = NT
    x = leaf(numtorch, data(3))
    h = x * 1
    y = Cube.apply(h)
    h.mul_(2)
    with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation "
                                           r"has been modified by an inplace operation: "
                                           r"\[numtorch.DoubleTensor \[3\]\], which is output 0 "
                                           r"of Mul, is at version 1; expected version 0"):
        y.sum().backward()
    # an output saved by setup_context, modified in place: named after the custom node
    e = ExpNew.apply(x)
    e.add_(1)
    with pytest.raises(RuntimeError, match=r"which is output 0 of ExpNew, is at version 1"):
        e.sum().backward()


def test_mark_dirty_returns_the_same_tensor():
    class MulTwo_(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = leaf(numtorch, data(3))
    h = x * 1
    v = h._version
    out = MulTwo_.apply(h)
    assert out is h and h._version > v
    assert type(h.grad_fn).__name__ == "MulTwo_Backward"
    (out * out).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 8 * x.detach().numpy())
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in "
                                           "an in-place operation"):
        MulTwo_.apply(x)


def test_mark_non_differentiable_and_integer_outputs():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            doubled, flag = x * 2, x * 0 + 1
            ctx.mark_non_differentiable(flag)
            return doubled, flag, mask

        @staticmethod
        def backward(ctx, g, g_flag, g_mask):
            assert float(g_flag.abs().sum()) == 0  # materialised zeros
            return g * 2

    x = leaf(numtorch, data(4))
    doubled, flag, mask = SortLike.apply(x)
    assert doubled.requires_grad
    assert not flag.requires_grad and flag.grad_fn is None
    assert not mask.requires_grad and mask.dtype is numtorch.bool
    doubled.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_set_materialize_grads_false_passes_none():
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None))
            return g1 * 2 if g1 is not None else None

    class TwoMaterialized(Two):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

    x = leaf(numtorch, data(3))
    a, _ = Two.apply(x)
    a.sum().backward()
    a, _ = TwoMaterialized.apply(x)
    a.sum().backward()
    assert got == [(False, True), (False, False)]


def test_once_differentiable():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            assert not numtorch.is_grad_enabled()
            return grad * 2 * x

    x = leaf(numtorch, data(3))
    (g,) = numtorch.autograd.grad(Square.apply(x).sum(), x)
    np.testing.assert_allclose(g.numpy(), 2 * x.detach().numpy())
    # asked to build a graph through it with a grad_output that requires grad: the result
    # raises when differentiated
    y = Square.apply(x)
    v = leaf(numtorch, np.ones(3))
    (g,) = numtorch.autograd.grad(y, x, v, create_graph=True)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was "
                                           "marked with @once_differentiable"):
        g.sum().backward()


def test_apply_without_grad_records_nothing():
    _, Cube, _, ExpNew, _ = NT
    x = leaf(numtorch, data(3))
    with numtorch.no_grad():
        assert Cube.apply(x).grad_fn is None and not ExpNew.apply(x).requires_grad
    assert Cube.apply(x.detach()).grad_fn is None


def test_returning_an_input_unchanged_gives_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf(numtorch, data(3))
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and not y.is_leaf
    assert type(y.grad_fn).__name__ == "IdentityBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.0)


def test_forward_runs_without_grad():
    class Check(Function):
        @staticmethod
        def forward(ctx, x):
            assert not numtorch.is_grad_enabled()
            y = x * 2
            assert y.grad_fn is None
            return y

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    Check.apply(leaf(numtorch, data(2))).sum().backward()


def test_backward_errors_like_torch():
    class Few(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad.sum().reshape(1).expand(3)

    class NotATensor(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return 2.0

    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = leaf(numtorch, np.array([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"function FewBackward returned an incorrect number of "
                                           r"gradients \(expected 2, got 1\)"):
        Few.apply(x, leaf(numtorch, np.array([1.0, 2.0]))).sum().backward()
    with pytest.raises(RuntimeError, match=r"Function BadShapeBackward returned an invalid gradient "
                                           r"at index 0 - got \[3\] but expected shape compatible "
                                           r"with \[2\]"):
        BadShape.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"expected Variable or None \(got float\)"):
        NotATensor.apply(x).sum().backward()
    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp "
                                                  "method for your custom autograd.Function"):
        NoBackward.apply(x).sum().backward()


def test_broadcast_gradient_is_summed_by_the_engine():
    class AddRow(Function):
        @staticmethod
        def forward(ctx, m, row):
            return m + row

        @staticmethod
        def backward(ctx, grad):
            return grad, grad  # grad for `row` still has the broadcast shape

    m, row = leaf(numtorch, data(3, 4)), leaf(numtorch, data(4))
    AddRow.apply(m, row).sum().backward()
    np.testing.assert_allclose(row.grad.numpy(), 3.0)
    assert row.grad.shape == (4,)


def test_ctx_attributes_and_custom_state_survive_to_backward():
    class WithState(Function):
        @staticmethod
        def forward(ctx, x, mode: str, sizes: tuple):
            ctx.mode, ctx.sizes = mode, sizes
            ctx.save_for_backward(x, None)
            return x * len(sizes)

        @staticmethod
        def backward(ctx, grad):
            x, nothing = ctx.saved_tensors
            assert nothing is None and ctx.mode == "fast" and ctx.sizes == (1, 2)
            return grad * len(ctx.sizes), None, None

    x = leaf(numtorch, data(3))
    WithState.apply(x, "fast", (1, 2)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_custom_function_float32_end_to_end():
    _, Cube, _, _, _ = NT
    x = numtorch.tensor(data(3).astype(np.float32), requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    assert y.dtype is numtorch.float32 and x.grad.dtype is numtorch.float32


def _graph_shape(fn):
    """The backward graph below ``fn`` as nested (name, [children]) lists."""
    if fn is None:
        return None
    return (type(fn).__name__, [(_graph_shape(child), nr) for child, nr in fn.next_functions])


def test_next_functions_list_tensor_arguments_only():
    # Non-tensor arguments (alpha, dims, a Python number k) get no entry, as in PyTorch;
    # a tensor that needs no gradient gets (None, 0).
    graphs = []
    for lib in (numtorch, torch):
        MulConst = make_fns(lib)[0]
        a = lib.ones(3, requires_grad=True)
        b = lib.ones(3)
        y = (MulConst.apply(a, 2.0) + b * a).sum(dim=0) + a.sum()
        z = lib.add(a, b, alpha=2).mean()
        graphs.append((_graph_shape(y.grad_fn), _graph_shape(z.grad_fn)))
    assert graphs[0] == graphs[1]


def test_gradient_count_includes_non_tensor_arguments_as_in_torch():
    # ``k`` gets no next_functions entry, but backward must still return a slot for it.
    messages = []
    for lib in (numtorch, torch):
        Short = type("Short", (lib.autograd.Function,), {
            "forward": staticmethod(lambda ctx, x, k: x * k),
            "backward": staticmethod(lambda ctx, grad: grad),  # one value for two inputs
        })
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            Short.apply(x, 2.0).sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1] == (
        "function ShortBackward returned an incorrect number of gradients (expected 2, got 1)")
