"""gradcheck / gradgradcheck: PyTorch's semantics, messages and failure modes."""

import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import Function, gradcheck, gradgradcheck
from numtorch.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")


def f64(*shape, seed=0, requires_grad=True):
    arr = np.random.default_rng(seed).standard_normal(shape)
    return numtorch.tensor(arr, dtype=numtorch.float64, requires_grad=requires_grad)


class WrongScale(Function):
    """y = 2x with a backward that says 3."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


class WrongSecond(Function):
    """(x, y) -> (x * y, x + y); the gradient of the second output wrt y is wrong."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y, x + y

    @staticmethod
    def backward(ctx, g_prod, g_sum):
        x, y = ctx.saved_tensors
        return g_prod * y + g_sum, g_prod * x + g_sum * 2


def test_error_class_is_runtime_error_and_exported():
    assert issubclass(GradcheckError, RuntimeError)
    assert numtorch.autograd.gradcheck.GradcheckError is GradcheckError
    assert numtorch.autograd.gradgradcheck is gradgradcheck


def test_passes_on_correct_gradients_and_returns_true():
    x, w = f64(3, 4), f64(4, 2, seed=1)
    assert gradcheck(lambda a, b: (a @ b).tanh(), (x, w)) is True
    assert gradcheck(lambda a: (a * a).sum(), x) is True


def test_single_tensor_and_list_inputs():
    x = f64(3)
    assert gradcheck(lambda a: a.exp(), x)
    assert gradcheck(lambda a, b: a * b, [x, f64(3, seed=2)])


def test_multiple_outputs_and_non_differentiable_outputs_ignored():
    x = f64(2, 3)
    assert gradcheck(lambda a: (a.sigmoid(), a > 0, a.exp().sum(dim=1)), (x,))


def test_non_tensor_and_non_grad_arguments_pass_through():
    x, c = f64(4), f64(4, seed=3, requires_grad=False)
    assert gradcheck(lambda a, k, b: a * k + b * a, (x, 2.5, c))


def test_zero_dim_and_empty_inputs():
    assert gradcheck(lambda a: a.exp() * a, (numtorch.tensor(0.3, dtype=numtorch.float64,
                                                             requires_grad=True),))
    assert gradcheck(lambda a: a * 2, (numtorch.zeros(0, 3, dtype=numtorch.float64,
                                                      requires_grad=True),))


def test_non_contiguous_input():
    x = f64(3, 4).detach().t().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(lambda a: (a * a).tanh(), (x,))


def test_inputs_restored_after_check():
    x = f64(5)
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a.exp(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None  # gradcheck never accumulates into .grad


def test_wrong_gradient_raises_with_numerical_and_analytical():
    x = numtorch.tensor([1.0, 2.0], dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongScale.apply, (x,))
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "analytical:tensor([[3., 0.],\n        [0., 3.]], dtype=numtorch.float64)" in msg


def test_message_has_torch_layout():
    class TWrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError) as ref:
        torch.autograd.gradcheck(TWrong.apply, (t,))
    x = numtorch.tensor([1.0, 2.0], dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as ours:
        gradcheck(WrongScale.apply, (x,))
    expected = str(ref.value).replace("torch.", "numtorch.")
    assert str(ours.value).split("numerical:")[0] == expected.split("numerical:")[0]
    assert str(ours.value).split("analytical:")[1] == expected.split("analytical:")[1]


def test_message_names_output_and_input_indices():
    x, y = f64(3), f64(3, seed=1)
    with pytest.raises(GradcheckError, match="for output 1 with respect to input 1"):
        gradcheck(WrongSecond.apply, (x, y))


def test_input_index_counts_only_inputs_requiring_grad():
    x = f64(3)
    with pytest.raises(GradcheckError, match="with respect to input 0"):
        gradcheck(lambda k, a: WrongScale.apply(a) * k, (2.0, x))


def test_raise_exception_false_returns_false():
    x = f64(2)
    assert gradcheck(WrongScale.apply, (x,), raise_exception=False) is False


def test_tolerances_are_used():
    class Off(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.01

    x = f64(3)
    assert not gradcheck(Off.apply, (x,), raise_exception=False)
    assert gradcheck(Off.apply, (x,), rtol=1e-2)
    assert gradcheck(Off.apply, (x,), atol=1e-2)


def test_warns_for_non_double_inputs_like_torch():
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match=r"Input #0 requires gradient and is not a double "
                                         r"precision floating point or complex"):
        gradcheck(lambda a: a * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_no_warning_for_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck(lambda a: a * 2, (f64(2),))


def test_no_input_requires_grad():
    x = f64(2, requires_grad=False)
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (x,))


def test_overlapping_input_rejected():
    x = numtorch.tensor([1.0], dtype=numtorch.float64, requires_grad=True).expand(3)
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda a: a * 2, (x,))


def test_function_not_depending_on_input_through_graph():
    x = f64(3)
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda a: a.detach() * 2, (x,))
    # ... but a constant output is fine
    assert gradcheck(lambda a: numtorch.ones(2, dtype=numtorch.float64), (x,))


def test_backward_not_multiplied_by_grad_output():
    class Ignores(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return numtorch.ones_like(grad)

    x = numtorch.tensor([0.5], dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(Ignores.apply, (x,))


def test_nondeterministic_backward():
    calls = []

    class Noisy(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            calls.append(1)
            return grad * (2 + 1e-9 * (len(calls) % 2))

    x = f64(3)
    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck(Noisy.apply, (x,))
    assert gradcheck(Noisy.apply, (x,), nondet_tol=1e-6)


def test_undefined_output_grads_must_be_handled():
    class TwoOut(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3  # fails when either is None

    class TwoOutOk(TwoOut):
        @staticmethod
        def backward(ctx, ga, gb):
            out = None
            if ga is not None:
                out = ga * 2
            if gb is not None:
                out = gb * 3 if out is None else out + gb * 3
            return out

    x = f64(3)
    # Each output's Jacobian is built with the other output's gradient undefined, so a
    # backward that cannot take None fails straight away (as it does in PyTorch).
    with pytest.raises(TypeError):
        gradcheck(TwoOut.apply, (x,))
    assert gradcheck(TwoOutOk.apply, (x,), check_undefined_grad=True)


def test_check_grad_dtypes():
    class Float32Grad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return (grad * 2).float()

    x = f64(3)
    # The engine casts gradients back to the input's dtype, so this passes either way.
    assert gradcheck(Float32Grad.apply, (x,), check_grad_dtypes=True, atol=1e-5)


def test_fast_mode_passes_and_fails():
    x, w = f64(3, 4), f64(4, 2, seed=1)
    assert gradcheck(lambda a, b: ((a @ b).exp(), a.sigmoid()), (x, w), fast_mode=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongScale.apply, (f64(4),), fast_mode=True)
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "computed \nin fast mode" in msg and "slow mode" in msg


def test_check_batched_grad():
    x = f64(3, 2)
    assert gradcheck(lambda a: a.tanh() * a, (x,), check_batched_grad=True)

    class NonLinear(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * (grad * grad).sum()  # right for one-hot grads only

    assert gradcheck(NonLinear.apply, (x,))
    with pytest.raises(GradcheckError, match="batched gradient check failed"):
        gradcheck(NonLinear.apply, (x,), check_batched_grad=True, check_undefined_grad=False)


def test_forward_ad_not_supported():
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        gradcheck(lambda a: a, (f64(2),), check_forward_ad=True)
    with pytest.raises(AssertionError, match="at least one of"):
        gradcheck(lambda a: a, (f64(2),), check_backward_ad=False)


def test_output_shape_must_not_depend_on_perturbation():
    calls = []

    def f(a):
        calls.append(1)
        return a * 2 if len(calls) % 3 else (a * 2).sum()

    with pytest.raises(GradcheckError, match="same shape when inputs are perturbed"):
        gradcheck(f, (f64(2),))


def test_gradcheck_agrees_with_torch_on_a_mlp_block():
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in ((4, 3), (3, 2), (2,))]
    nt_in = tuple(numtorch.tensor(a, dtype=numtorch.float64, requires_grad=True) for a in arrays)
    t_in = tuple(torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays)
    assert gradcheck(lambda x, w, b: (x @ w + b).sigmoid(), nt_in)
    assert torch.autograd.gradcheck(lambda x, w, b: (x @ w + b).sigmoid(), t_in)


# --- gradgradcheck --------------------------------------------------------------


def test_gradgradcheck_passes_on_smooth_functions():
    x, w = f64(3, 4), f64(4, 2, seed=1)
    assert gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w))
    assert gradgradcheck(lambda a: (a.exp() * a).sum(), (f64(3),))
    assert gradgradcheck(lambda a: a.pow(3), (f64(4),), fast_mode=True)


def test_gradgradcheck_with_given_and_noncontig_grad_outputs():
    x = f64(3)
    g = numtorch.tensor([0.1, -0.2, 0.3], dtype=numtorch.float64, requires_grad=True)
    assert gradgradcheck(lambda a: a.sigmoid(), (x,), (g,))
    assert gradgradcheck(lambda a: a.sigmoid(), (x,), g)
    assert gradgradcheck(lambda a: a.tanh(), (f64(2, 3),), gen_non_contig_grad_outputs=True)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongDouble(Function):
        """cube with a backward that is right once but not differentiable correctly."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * (x.detach() * x.detach())  # second derivative lost

    x = f64(3)
    assert gradcheck(WrongDouble.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(WrongDouble.apply, (x,))
    assert gradgradcheck(WrongDouble.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_of_once_differentiable_function():
    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @numtorch.autograd.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    x = f64(3)
    assert gradcheck(Once.apply, (x,))
    with pytest.raises(RuntimeError, match="once_differentiable"):
        gradgradcheck(Once.apply, (x,))
