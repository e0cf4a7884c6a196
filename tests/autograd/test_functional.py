"""autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp — values and structure vs torch."""

import numpy as np
import pytest

import numtorch
from numtorch.autograd import functional as F
from tests.utils import assert_same

torch = pytest.importorskip("torch")
TF = torch.autograd.functional


def arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def both(*arrs):
    """The same float64 data as numtorch and torch tensors (tuples)."""
    return (tuple(numtorch.tensor(a) for a in arrs), tuple(torch.tensor(a) for a in arrs))


def same_structure(nt, ref, rtol=1e-6, atol=1e-8):
    """Equal values and the same nesting of tuples (a Tensor where torch gives a Tensor)."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(nt, numtorch.Tensor), f"expected a Tensor, got {type(nt).__name__}"
        assert_same(nt, ref, rtol=rtol, atol=atol)
        return
    assert type(nt) is type(ref) is tuple, f"expected {type(ref).__name__}, got {type(nt)}"
    assert len(nt) == len(ref)
    for a, b in zip(nt, ref):
        same_structure(a, b, rtol, atol)


def exp_reducer(x):
    return x.exp().sum(dim=1)


def adder(x, y):
    return 2 * x + 3 * y


def two_outputs(x, y):
    return (x * y).tanh(), x.sigmoid().sum()


def scalar(x, y):
    return (x.pow(3).sum() * y.tanh().sum()) + (x.exp() * x.sin()).sum()


# --- the tutorial ----------------------------------------------------------------------


def test_tutorial_tensor_gradients_and_jacobian_products(capsys):
    """PyTorch's autograd tutorial, "Tensor Gradients and Jacobian Products"."""

    def run(t):
        inp = t.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(t.ones_like(out), retain_graph=True)
        print(f"First call\n{inp.grad}")
        out.backward(t.ones_like(out), retain_graph=True)
        print(f"\nSecond call\n{inp.grad}")
        inp.grad.zero_()
        out.backward(t.ones_like(out), retain_graph=True)
        print(f"\nCall after zeroing gradients\n{inp.grad}")

    run(torch)
    expected = capsys.readouterr().out
    run(numtorch)
    assert capsys.readouterr().out == expected
    assert "tensor([[4., 2., 2., 2., 2.]," in expected


# --- vjp ---------------------------------------------------------------------------------


def test_vjp_single_tensor():
    (x,), (tx,) = both(*arrays((4, 4)))
    v, tv = numtorch.ones(4, dtype=numtorch.float64), torch.ones(4, dtype=torch.float64)
    same_structure(F.vjp(exp_reducer, x, v), TF.vjp(exp_reducer, tx, tv))


def test_vjp_tuple_inputs_give_tuple():
    nt_in, t_in = both(*arrays((2,), (2,)))
    v, tv = numtorch.ones(2, dtype=numtorch.float64), torch.ones(2, dtype=torch.float64)
    out = F.vjp(adder, nt_in, v)
    same_structure(out, TF.vjp(adder, t_in, tv))
    assert isinstance(out[1], tuple)


def test_vjp_scalar_output_v_optional():
    (x,), (tx,) = both(*arrays((3,)))
    same_structure(F.vjp(lambda a: (a * a).sum(), x), TF.vjp(lambda a: (a * a).sum(), tx))


def test_vjp_results_detached_unless_create_graph():
    x = numtorch.tensor(arrays((3, 3))[0], requires_grad=True)
    v = numtorch.ones(3, dtype=numtorch.float64)
    out, g = F.vjp(exp_reducer, x, v)
    assert not out.requires_grad and not g.requires_grad
    out, g = F.vjp(exp_reducer, x, v, create_graph=True)
    assert out.requires_grad and g.requires_grad
    # connected to the caller's graph: d/dx sum(vjp) = exp(x)
    (gg,) = numtorch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.detach().numpy()))


def test_vjp_independent_input_gives_zeros_or_strict_error():
    (x, y), (tx, ty) = both(*arrays((3,), (3,)))
    same_structure(F.vjp(lambda a, b: a.exp().sum(), (x, y)),
                   TF.vjp(lambda a, b: a.exp().sum(), (tx, ty)))
    with pytest.raises(RuntimeError, match="independent of input 1"):
        F.vjp(lambda a, b: a.exp().sum(), (x, y), strict=True)


def test_vjp_errors():
    (x,), _ = both(*arrays((3,)))
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided "
                                           "function returns a single Tensor with a single"):
        F.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be numtorch.Size\(\[3\]\) "
                                           r"but got numtorch.Size\(\[2\]\)"):
        F.vjp(lambda a: a * 2, x, numtorch.ones(2))
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor"):
        F.vjp(lambda a: a * 2, x, (numtorch.ones(3), numtorch.ones(3)))
    with pytest.raises(TypeError, match="The inputs given to vjp must be either a Tensor or a "
                                        "tuple of Tensors but the value at index 1 has type"):
        F.vjp(lambda a, b: a, (x, 3))
    with pytest.raises(TypeError, match="outputs of the user-provided function given to vjp"):
        F.vjp(lambda a: 3, x)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients"):
        F.vjp(lambda a: a.detach().sum(), x, strict=True)


# --- jvp ---------------------------------------------------------------------------------


def test_jvp_single_and_tuple():
    (x,), (tx,) = both(*arrays((4, 4)))
    u, tu = numtorch.ones(4, 4, dtype=numtorch.float64), torch.ones(4, 4, dtype=torch.float64)
    same_structure(F.jvp(exp_reducer, x, u), TF.jvp(exp_reducer, tx, tu))
    nt_in, t_in = both(*arrays((2,), (2,), seed=1))
    nt_v, t_v = both(*arrays((2,), (2,), seed=2))
    same_structure(F.jvp(adder, nt_in, nt_v), TF.jvp(adder, t_in, t_v))
    same_structure(F.jvp(two_outputs, nt_in, nt_v), TF.jvp(two_outputs, t_in, t_v))


def test_jvp_scalar_input_v_optional_and_create_graph():
    x = numtorch.tensor(0.7, dtype=numtorch.float64, requires_grad=True)
    out, d = F.jvp(lambda a: a.sin() * a, x, create_graph=True)
    ref_out, ref_d = TF.jvp(lambda a: a.sin() * a, torch.tensor(0.7, dtype=torch.float64))
    assert_same(d, ref_d)
    assert d.requires_grad
    (dd,) = numtorch.autograd.grad(d, x)  # second derivative of x sin x
    np.testing.assert_allclose(dd.item(), 2 * np.cos(0.7) - 0.7 * np.sin(0.7))


def test_jvp_errors():
    (x,), _ = both(*arrays((3,)))
    with pytest.raises(RuntimeError, match="The vector v can only be None if the input to the "
                                           "user-provided function is a single Tensor with a "
                                           "single element"):
        F.jvp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        F.jvp(adder, (x, x), (x,))


# --- jacobian ------------------------------------------------------------------------------


@pytest.mark.parametrize("fn, shapes", [
    (exp_reducer, [(2, 2)]),
    (adder, [(2,), (2,)]),
    (two_outputs, [(3,), (3,)]),
    (lambda x: (x.sigmoid(), x.sum()), [(2, 3)]),
])
def test_jacobian_values_and_structure(fn, shapes):
    arrs = arrays(*shapes, seed=3)
    nt_in, t_in = both(*arrs)
    if len(shapes) == 1:
        nt_in, t_in = nt_in[0], t_in[0]
    same_structure(F.jacobian(fn, nt_in), TF.jacobian(fn, t_in))
    same_structure(F.jacobian(fn, nt_in, vectorize=True), TF.jacobian(fn, t_in, vectorize=True))


def test_jacobian_tuple_of_one_input_keeps_tuple():
    (x,), (tx,) = both(*arrays((3,)))
    same_structure(F.jacobian(lambda a: a.exp(), (x,)), TF.jacobian(lambda a: a.exp(), (tx,)))


def test_jacobian_zero_dim_and_float32():
    x = numtorch.tensor(1.5)
    jac = F.jacobian(lambda a: a * a, x)
    assert_same(jac, TF.jacobian(lambda a: a * a, torch.tensor(1.5)))
    x32 = numtorch.tensor(arrays((3,))[0], dtype=numtorch.float32)
    t32 = torch.tensor(arrays((3,))[0], dtype=torch.float32)
    assert_same(F.jacobian(lambda a: a.tanh(), x32), TF.jacobian(lambda a: a.tanh(), t32))


def test_jacobian_independent_input():
    nt_in, t_in = both(*arrays((2,), (3,)))
    same_structure(F.jacobian(lambda a, b: a * 2, nt_in), TF.jacobian(lambda a, b: a * 2, t_in))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is "
                                           "independent of input 1"):
        F.jacobian(lambda a, b: a * 2, nt_in, strict=True)


def test_jacobian_create_graph():
    x = numtorch.tensor(arrays((3,))[0], requires_grad=True)
    jac = F.jacobian(lambda a: a.pow(3), x, create_graph=True)
    assert jac.requires_grad
    (g,) = numtorch.autograd.grad(jac.sum(), x)  # d/dx sum(diag(3x^2)) = 6x
    np.testing.assert_allclose(g.numpy(), 6 * x.detach().numpy())
    assert not F.jacobian(lambda a: a.pow(3), x).requires_grad


def test_jacobian_strategy_arguments():
    (x,), (tx,) = both(*arrays((3,)))
    same_structure(F.jacobian(lambda a: a.exp(), x, vectorize=True, strategy="forward-mode"),
                   TF.jacobian(lambda a: a.exp(), tx, vectorize=True, strategy="forward-mode"))
    with pytest.raises(AssertionError, match="Expected strategy to be either"):
        F.jacobian(lambda a: a, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        F.jacobian(lambda a: a, x, strategy="forward-mode")


# --- hessian, hvp, vhp ------------------------------------------------------------------------


def test_hessian_single_input():
    (x,), (tx,) = both(*arrays((4,)))

    def f(a):
        return (a.exp() * a.sin()).sum()

    same_structure(F.hessian(f, x), TF.hessian(f, tx))


def test_hessian_tuple_inputs():
    nt_in, t_in = both(*arrays((3,), (2,)))
    same_structure(F.hessian(scalar, nt_in), TF.hessian(scalar, t_in))


def test_hessian_of_matrix_input_shape():
    (x,), (tx,) = both(*arrays((2, 3)))
    same_structure(F.hessian(lambda a: (a * a * a).sum(), x),
                   TF.hessian(lambda a: (a * a * a).sum(), tx))


def test_hessian_errors():
    (x,), _ = both(*arrays((3,)))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        F.hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        F.hessian(lambda a: (a.sum(), a.sum()), x)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect "
                                           "to input 0 is independent of the input"):
        F.hessian(lambda a: (a * 2).sum(), x, strict=True)


def test_hessian_create_graph():
    x = numtorch.tensor(arrays((3,))[0], requires_grad=True)
    h = F.hessian(lambda a: a.pow(4).sum(), x, create_graph=True)
    assert h.requires_grad
    (g,) = numtorch.autograd.grad(h.sum(), x)  # d/dx sum(diag(12 x^2)) = 24 x
    np.testing.assert_allclose(g.numpy(), 24 * x.detach().numpy())


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hvp_vhp(name):
    nt_in, t_in = both(*arrays((3,), (2,)))
    nt_v, t_v = both(*arrays((3,), (2,), seed=7))
    same_structure(getattr(F, name)(scalar, nt_in, nt_v), getattr(TF, name)(scalar, t_in, t_v))
    (x,), (tx,) = both(*arrays((4,)))
    (v,), (tv,) = both(*arrays((4,), seed=8))

    def f(a):
        return (a.exp() * a.sin()).sum()

    same_structure(getattr(F, name)(f, x, v), getattr(TF, name)(f, tx, tv))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hvp_vhp_errors(name):
    (x,), _ = both(*arrays((3,)))
    fn = getattr(F, name)
    with pytest.raises(RuntimeError, match=f"The function given to {name} should return a single "
                                           "Tensor"):
        fn(lambda a: (a.sum(), a.sum()), x, x)
    with pytest.raises(RuntimeError, match="should contain a single element"):
        fn(lambda a: a * 2, x, x)
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        fn(lambda a: a.sum(), x)


def test_functional_leaves_caller_tensors_untouched():
    x = numtorch.tensor(arrays((3,))[0], requires_grad=True)
    F.jacobian(lambda a: a.exp(), x)
    F.hessian(lambda a: a.exp().sum(), x)
    F.vjp(lambda a: a.exp().sum(), x)
    assert x.grad is None
