"""F.linear / F.bilinear and the modules Identity, Linear, Bilinear, LazyLinear, Flatten,
Unflatten: values and gradients against PyTorch, grad_fn names, errors, repr."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numtorch
import numtorch.nn.functional as F
from numtorch import nn
from tests.utils import assert_same, check_op, noncontig, torch

TF = torch.nn.functional


def arrays(rng, *shapes, dtype=np.float32):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def copy_weights(nt_mod, t_mod):
    nt_mod.load_state_dict(OrderedDict(
        (k, numtorch.tensor(v.detach().numpy().copy())) for k, v in t_mod.state_dict().items()))


def module_parity(nt_mod, t_mod, *inputs, rtol=1e-5, atol=1e-5):
    """Same forward, input gradients and parameter gradients as the torch module."""
    copy_weights(nt_mod, t_mod)
    nt_in = [numtorch.tensor(a, requires_grad=True) for a in inputs]
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    out, ref = nt_mod(*nt_in), t_mod(*t_in)
    assert_same(out, ref, rtol, atol)
    g = np.random.default_rng(1).standard_normal(tuple(ref.shape)).astype(np.float32)
    out.backward(numtorch.tensor(g))
    ref.backward(torch.tensor(g))
    for a, b in zip(nt_in, t_in):
        assert_same(a.grad, b.grad, rtol, atol)
    t_params = dict(t_mod.named_parameters())
    for name, p in nt_mod.named_parameters():
        assert_same(p.grad, t_params[name].grad, rtol, atol)
    assert list(nt_mod.state_dict()) == list(t_mod.state_dict())
    assert repr(nt_mod) == repr(t_mod).replace("torch.", "numtorch.")
    return out


# --- F.linear ------------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(4,), (2, 4), (5, 2, 4), (2, 3, 2, 4), (0, 4), (2, 0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(rng, x_shape, bias):
    x, w, b = arrays(rng, x_shape, (3, 4), (3,))
    args = (x, w, b) if bias else (x, w)
    check_op(F.linear, TF.linear, *args)


@pytest.mark.parametrize("x_shape, bias, name", [
    ((2, 4), True, "AddmmBackward0"), ((2, 4), False, "MmBackward0"),
    ((4,), True, "ViewBackward0"), ((4,), False, "SqueezeBackward4"),
    ((5, 2, 4), True, "ViewBackward0"), ((5, 2, 4), False, "UnsafeViewBackward0"),
])
def test_linear_grad_fn_names_match_torch(rng, x_shape, bias, name):
    x, w, b = arrays(rng, x_shape, (3, 4), (3,))
    wt = numtorch.tensor(w, requires_grad=True)
    out = F.linear(numtorch.tensor(x, requires_grad=True), wt,
                   numtorch.tensor(b, requires_grad=True) if bias else None)
    tw = torch.tensor(w, requires_grad=True)
    ref = TF.linear(torch.tensor(x, requires_grad=True), tw,
                    torch.tensor(b, requires_grad=True) if bias else None)
    assert out.grad_fn.name() == ref.grad_fn.name() == name


def test_linear_noncontiguous_inputs(rng):
    x, w, b = arrays(rng, (4, 5, 3), (2, 3), (2,))
    check_op(lambda x, w, b: F.linear(x.transpose(0, 1), w, b),
             lambda x, w, b: TF.linear(x.transpose(0, 1), w, b), x, w, b)
    check_op(F.linear, TF.linear, noncontig(x[0]), noncontig(w), b)
    out = F.linear(numtorch.tensor(x, requires_grad=True).transpose(0, 1),
                   numtorch.tensor(w), numtorch.tensor(b))
    assert out.grad_fn.name() == "AddBackward0"  # as PyTorch: matmul, then the bias add
    # W^T handed to BLAS as a transposed view
    check_op(lambda x, w: F.linear(x, w.t()), lambda x, w: TF.linear(x, w.t()), x[0],
             np.ascontiguousarray(w.T))


@pytest.mark.parametrize("b_shape", [(1,), (), (4, 2), (1, 2)])
def test_linear_broadcast_bias(rng, b_shape):
    x, w, b = arrays(rng, (4, 3), (2, 3), b_shape)
    check_op(F.linear, TF.linear, x, w, b)


@pytest.mark.parametrize("rows, n_in, n_out", [(8, 256, 64), (16, 300, 200), (8, 256, 63),
                                             (7, 256, 64), (8, 255, 64), (64, 784, 512),
                                             (32, 256, 1024), (33, 256, 1024)])
@pytest.mark.parametrize("b_shape", [(-1,), None, (1,), (), (1, -1), (-2, -1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_few_rows_through_a_wide_weight(rng, rows, n_in, n_out, b_shape, dtype):
    # Few rows and a large weight take the (w @ x.T).T product (ops/linear.py _affine),
    # on both sides of each bound of that rule: same values, gradients and layout.
    b_shape = None if b_shape is None else tuple(
        {-1: n_out, -2: rows}.get(d, d) for d in b_shape)
    x, w = arrays(rng, (rows, n_in), (n_out, n_in), dtype=dtype)
    args = (x, w) if b_shape is None else (x, w, arrays(rng, b_shape, dtype=dtype)[0])
    tol = 1e-4 if dtype == np.float32 else 1e-10
    out = check_op(F.linear, TF.linear, *args, rtol=tol, atol=tol)
    ref = TF.linear(*(torch.tensor(a) for a in args))
    assert out.is_contiguous() and out.stride() == ref.stride()
    check_op(F.linear, TF.linear, noncontig(x), *args[1:], rtol=tol, atol=tol)


@pytest.mark.parametrize("x_shape, w_shape", [((1, 784), (512, 784)), ((64, 1), (16, 1)),
                                             ((1, 1), (3, 1))])
def test_products_over_an_inner_dimension_of_one_are_exact(rng, x_shape, w_shape):
    # A batch of one (the weight's gradient is an outer product) and a layer with one
    # input (the forward is one): numtorch multiplies by broadcasting there, where NumPy's
    # matmul runs a slow loop; each output is one product, so the bits equal PyTorch's.
    x, w, b, g = arrays(rng, x_shape, w_shape, w_shape[:1], (x_shape[0], w_shape[0]))
    outs = []
    for lib in (numtorch, torch):
        xt, wt, bt = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = lib.nn.functional.linear(xt, wt, bt)
        y.backward(lib.tensor(g))
        z = lib.mm(xt, wt.t())
        z.backward(lib.tensor(g))
        outs.append([t.detach().numpy() for t in (y, z, xt.grad, wt.grad, bt.grad)])
    # Each product's depth (None: a bias joins the sum, which PyTorch's gemm fuses).
    inner = [None, x_shape[1], w_shape[0], x_shape[0], None]
    for a, b_, k in zip(*outs, inner):
        if k == 1:
            assert np.array_equal(a, b_)
        else:
            np.testing.assert_allclose(a, b_, rtol=1e-5, atol=1e-4)


def test_linear_float64_and_integer(rng):
    x, w, b = arrays(rng, (3, 4), (2, 4), (2,), dtype=np.float64)
    check_op(F.linear, TF.linear, x, w, b)
    xi, wi, bi = (a.astype(np.int64) for a in (x * 3, w * 3, b * 3))
    check_op(F.linear, TF.linear, xi, wi, bi, grad=False)


def test_linear_gradcheck(rng):
    x, w, b = (numtorch.tensor(a, requires_grad=True)
               for a in arrays(rng, (3, 4), (2, 4), (2,), dtype=np.float64))
    assert numtorch.autograd.gradcheck(F.linear, (x, w, b))
    assert numtorch.autograd.gradcheck(F.linear, (x, w))
    assert numtorch.autograd.gradgradcheck(F.linear, (x, w, b))
    x3 = numtorch.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert numtorch.autograd.gradcheck(F.linear, (x3, w, b))


@settings(max_examples=15, deadline=None)
@given(lead=st.lists(st.integers(0, 3), max_size=3), n_in=st.integers(1, 5),
       n_out=st.integers(1, 4), bias=st.booleans())
def test_linear_random_shapes(lead, n_in, n_out, bias):
    rng = np.random.default_rng(len(lead) + n_in * 7 + n_out)
    x, w, b = arrays(rng, (*lead, n_in), (n_out, n_in), (n_out,))
    check_op(F.linear, TF.linear, *((x, w, b) if bias else (x, w)))


def _torch_error(fn, *args):
    with pytest.raises(Exception) as e:
        fn(*args)
    return type(e.value), str(e.value).replace("torch.", "numtorch.")


@pytest.mark.parametrize("shapes", [
    ((64, 784), (10, 512), (10,)), ((64, 784), (10, 512), None), ((784,), (10, 512), (10,)),
    ((3, 64, 784), (10, 512), (10,)), ((2, 4), (3, 4), (4,)), ((2, 4), (3, 4), (2, 3, 3)),
    ((), (3, 4), None), ((2, 4), (3, 4, 1), None),
])
def test_linear_shape_errors_match_torch(shapes):
    x, w, b = (None if s is None else np.ones(s, np.float32) for s in shapes)
    nt_args = [numtorch.tensor(a) for a in (x, w)] + ([numtorch.tensor(b)] if b is not None else [])
    t_args = [torch.tensor(a) for a in (x, w)] + ([torch.tensor(b)] if b is not None else [])
    exc, msg = _torch_error(TF.linear, *t_args)
    with pytest.raises(exc) as e:
        F.linear(*nt_args)
    assert str(e.value) == msg


def test_linear_error_message_of_the_mlp_benchmark():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(64x784 and 512x10\)"):
        F.linear(numtorch.ones(64, 784), numtorch.ones(10, 512), numtorch.ones(10))


@pytest.mark.parametrize("dtypes", [("float64", "float32", "float32"),
                                    ("float32", "float32", "float64"),
                                    ("float64", "float32", None)])
def test_linear_dtype_errors_match_torch(dtypes):
    shapes = ((2, 4), (3, 4), (3,))
    nt_args, t_args = [], []
    for s, d in zip(shapes, dtypes):
        if d is not None:
            nt_args.append(numtorch.ones(s, dtype=getattr(numtorch, d)))
            t_args.append(torch.ones(s, dtype=getattr(torch, d)))
    exc, msg = _torch_error(TF.linear, *t_args)
    with pytest.raises(exc) as e:
        F.linear(*nt_args)
    assert str(e.value) == msg


def test_linear_type_errors():
    with pytest.raises(TypeError, match="linear\\(\\): argument 'weight' \\(position 2\\) must be "
                                        "Tensor, not list"):
        F.linear(numtorch.ones(2), [1.0, 2.0])


# --- F.bilinear ------------------------------------------------------------------------------


@pytest.mark.parametrize("lead", [(5,), (), (2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(rng, lead, bias):
    x1, x2, w, b = arrays(rng, (*lead, 4), (*lead, 3), (2, 4, 3), (2,))
    check_op(F.bilinear, TF.bilinear, *((x1, x2, w, b) if bias else (x1, x2, w)), atol=1e-5)
    t_out = TF.bilinear(*(torch.tensor(a, requires_grad=True) for a in (x1, x2, w, b)))
    n_out = F.bilinear(*(numtorch.tensor(a, requires_grad=True) for a in (x1, x2, w, b)))
    assert n_out.grad_fn.name() == t_out.grad_fn.name()


def test_bilinear_gradcheck(rng):
    args = [numtorch.tensor(a, requires_grad=True)
            for a in arrays(rng, (3, 2), (3, 4), (2, 2, 4), (2,), dtype=np.float64)]
    assert numtorch.autograd.gradcheck(F.bilinear, args)


@pytest.mark.parametrize("shapes", [
    ((2, 3), (2, 5), (3, 4, 5), None), ((2, 4), (3, 5), (3, 4, 5), None),
    ((2, 4), (2, 5), (3, 4, 5), (4,)), ((2, 4), (2, 6), (3, 4, 5), None),
])
def test_bilinear_errors_match_torch(shapes):
    nt_args = [numtorch.ones(s) for s in shapes if s is not None]
    t_args = [torch.ones(s) for s in shapes if s is not None]
    exc, msg = _torch_error(TF.bilinear, *t_args)
    with pytest.raises(exc) as e:
        F.bilinear(*nt_args)
    assert str(e.value) == msg


# --- modules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(6, 4), (4,), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module_parity(rng, x_shape, bias):
    module_parity(nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias),
                  *arrays(rng, x_shape))


def test_linear_initialisation_matches_torch_with_the_same_seed():
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    n, t = nn.Linear(20, 7), torch.nn.Linear(20, 7)
    assert_same(n.weight, t.weight)
    assert_same(n.bias, t.bias)
    bound = 1 / np.sqrt(20)
    assert float(n.weight.abs().max()) <= bound and float(n.bias.abs().max()) <= bound


def test_linear_reset_parameters_and_zero_in_features():
    with pytest.warns(UserWarning, match="zero-element"):  # PyTorch warns too
        m = nn.Linear(0, 3)
    assert m.weight.shape == (3, 0) and not m.bias.any()  # bound 0 when fan_in is 0
    m = nn.Linear(3, 2)
    before = m.weight.clone()
    m.reset_parameters()
    assert not bool((m.weight == before).all())


def test_linear_factory_kwargs_and_repr():
    m = nn.Linear(2, 3, bias=False, dtype=numtorch.float64, device="cpu")
    assert m.weight.dtype is numtorch.float64 and m.bias is None
    assert repr(m) == "Linear(in_features=2, out_features=3, bias=False)"
    assert list(m.state_dict()) == ["weight"]
    out = m(numtorch.ones(1, 2, dtype=numtorch.float64))
    assert out.dtype is numtorch.float64


def test_linear_module_double_keeps_working_and_the_optimiser_view():
    m = nn.Linear(3, 2)
    params = list(m.parameters())
    m.double()
    out = m(numtorch.ones(4, 3, dtype=numtorch.float64))
    out.sum().backward()
    assert [p.grad.dtype for p in params] == [numtorch.float64] * 2
    assert list(m.parameters())[0] is params[0]


def test_linear_backward_gradients_are_in_the_parameters_layout(rng):
    m = nn.Linear(5, 3)
    m(numtorch.tensor(arrays(rng, (8, 5))[0])).sum().backward()
    assert m.weight.grad.shape == (3, 5) and m.weight.grad.is_contiguous()
    assert m.bias.grad.shape == (3,)


def test_bilinear_module_parity(rng):
    module_parity(nn.Bilinear(4, 3, 2), torch.nn.Bilinear(4, 3, 2), *arrays(rng, (5, 4), (5, 3)))
    module_parity(nn.Bilinear(4, 3, 2, bias=False), torch.nn.Bilinear(4, 3, 2, bias=False),
                  *arrays(rng, (5, 4), (5, 3)))


def test_bilinear_initialisation_matches_torch_with_the_same_seed():
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    n, t = nn.Bilinear(3, 4, 2), torch.nn.Bilinear(3, 4, 2)
    assert_same(n.weight, t.weight)
    assert_same(n.bias, t.bias)


def test_identity():
    m, t = nn.Identity(3, unused=True), torch.nn.Identity(3, unused=True)
    x = numtorch.ones(2)
    assert m(x) is x
    assert repr(m) == repr(t) == "Identity()"
    assert list(m.parameters()) == []


def test_lazy_linear_materialises_on_first_call(rng):
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    n, t = nn.LazyLinear(3), torch.nn.LazyLinear(3)
    assert repr(n) == repr(t) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert isinstance(n.weight, nn.UninitializedParameter)
    assert n.has_uninitialized_params()
    x = arrays(rng, (2, 5))[0]
    out, ref = n(numtorch.tensor(x)), t(torch.tensor(x))
    assert type(n) is nn.Linear and type(t) is torch.nn.Linear
    assert repr(n) == repr(t) == "Linear(in_features=5, out_features=3, bias=True)"
    assert_same(n.weight, t.weight)
    assert_same(out, ref)
    assert type(n.weight) is nn.Parameter
    assert not n._forward_pre_hooks


def test_lazy_linear_loads_a_state_dict():
    """As in PyTorch: the loaded shapes materialise the parameters; the module stays a
    LazyLinear (in_features 0) until its first call makes it a Linear of the loaded size."""
    got = []
    for lib in (numtorch, torch):
        src = lib.nn.Linear(4, 2)
        lazy = lib.nn.LazyLinear(2)
        lazy.load_state_dict(src.state_dict())
        before = (type(lazy).__name__, repr(lazy), lazy.weight.shape)
        lazy(lib.ones(3, 4))
        got.append((before, type(lazy).__name__, repr(lazy)))
        assert lazy.weight.detach().numpy().tolist() == src.weight.detach().numpy().tolist()
    assert got[0] == (got[1][0][:2] + (numtorch.Size(got[1][0][2]),),) + got[1][1:]
    assert isinstance(nn.LazyLinear(2).state_dict()["weight"],
                      numtorch.nn.parameter.UninitializedParameter)


def test_flatten_and_unflatten(rng):
    x = arrays(rng, (2, 3, 4, 5))[0]
    for args in ((), (0,), (1, 2), (-3, -1)):
        module_parity(nn.Flatten(*args), torch.nn.Flatten(*args), x)
    module_parity(nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1)), x)
    module_parity(nn.Unflatten(-1, [-1, 5]), torch.nn.Unflatten(-1, [-1, 5]), x)
    flat = nn.Flatten()(numtorch.from_numpy(x))
    assert np.shares_memory(flat.numpy(), x)  # a view, as in PyTorch


@pytest.mark.parametrize("size", [3, (2, 2.0), "ab"])
def test_unflatten_errors_match_torch(size):
    exc, msg = _torch_error(torch.nn.Unflatten, 1, size)
    with pytest.raises(exc) as e:
        nn.Unflatten(1, size)
    assert str(e.value) == msg
