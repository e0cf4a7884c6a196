"""numtorch.library: custom operators (custom_op, register_autograd, register_fake, opcheck)."""

import re

import numpy as np
import pytest

import numtorch
from numtorch import Tensor
from numtorch.library import OpCheckError, custom_op, infer_schema, opcheck

torch = pytest.importorskip("torch")


# The example of PyTorch's custom-operator tutorial, with a NumPy kernel.
@custom_op("nt_test::numpy_sin", mutates_args=())
def numpy_sin(x: Tensor) -> Tensor:
    return numtorch.from_numpy(np.sin(x.numpy()))


@numpy_sin.register_fake
def _(x):
    return numtorch.empty_like(x)


def _setup_context(ctx, inputs, output):
    (x,) = inputs
    ctx.save_for_backward(x)


def _backward(ctx, grad):
    (x,) = ctx.saved_tensors
    return grad * x.cos()


numpy_sin.register_autograd(_backward, setup_context=_setup_context)


def randn(*shape, dtype=numtorch.float32, requires_grad=False, seed=0):
    arr = np.random.default_rng(seed).standard_normal(shape)
    return numtorch.tensor(arr, dtype=dtype, requires_grad=requires_grad)


def test_tutorial_numpy_sin_values_and_gradient():
    x = randn(5, requires_grad=True)
    y = numpy_sin(x)
    np.testing.assert_allclose(y.detach().numpy(), np.sin(x.detach().numpy()), rtol=1e-6)
    assert y.dtype is numtorch.float32
    assert re.fullmatch(r"<numtorch\.autograd\.function\.GeneratedBackwardFor_nt_test_numpy_sin_"
                        r"defaultBackward object at 0x[0-9a-f]+>", repr(y.grad_fn))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(x.detach().numpy()), rtol=1e-6)


def test_tutorial_gradcheck_and_opcheck_pass():
    x = randn(4, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(numpy_sin, (x,))
    expected = {"test_schema": "SUCCESS", "test_autograd_registration": "SUCCESS",
                "test_faketensor": "SUCCESS"}
    assert opcheck(numpy_sin, (randn(3),)) == expected
    assert opcheck(numpy_sin, (randn(3, requires_grad=True),)) == expected
    assert numtorch.library.opcheck(numpy_sin, (randn(2, 3),))["test_schema"] == "SUCCESS"


def test_reachable_through_numtorch_ops():
    packet = numtorch.ops.nt_test.numpy_sin
    assert repr(packet) == "nt_test.numpy_sin"
    assert packet.default is numpy_sin
    x = randn(3, requires_grad=True)
    packet(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(x.detach().numpy()), rtol=1e-6)
    with pytest.raises(AttributeError, match="'_OpNamespace' 'nt_test' object has no attribute "
                                             "'nope'"):
        _ = numtorch.ops.nt_test.nope
    # the op families of numtorch.ops are untouched
    assert hasattr(numtorch.ops, "pointwise")


def test_repr_and_schema_like_torch():
    assert repr(numpy_sin) == "<CustomOpDef(nt_test::numpy_sin)>"
    assert numpy_sin._schema == "(Tensor x) -> Tensor"

    def two(x: Tensor, k: int, *, scale: float = 1.0) -> tuple[Tensor, Tensor]:
        return x, x

    def ref_two(x: torch.Tensor, k: int, *, scale: float = 1.0) -> tuple[torch.Tensor,
                                                                          torch.Tensor]:
        return x, x

    assert infer_schema(two, mutates_args=()) == \
        torch.library.infer_schema(ref_two, mutates_args=())

    def many(x: Tensor, ys: list[Tensor], o: Tensor | None = None, n: int = 2, s: str = "a",
             flag: bool = True) -> list[Tensor]:
        return [x]

    def ref_many(x: torch.Tensor, ys: list[torch.Tensor], o: torch.Tensor | None = None,
                 n: int = 2, s: str = "a", flag: bool = True) -> list[torch.Tensor]:
        return [x]

    assert infer_schema(many, mutates_args=("x",)) == \
        torch.library.infer_schema(ref_many, mutates_args=("x",))


def test_no_autograd_registered_errors_at_backward_like_torch():
    @custom_op("nt_test::no_grad_sin", mutates_args=())
    def no_grad_sin(x: Tensor) -> Tensor:
        return numtorch.from_numpy(np.sin(x.numpy()))

    x = randn(3, requires_grad=True)
    y = no_grad_sin(x)  # runs: the kernel sees x detached, as in PyTorch
    assert y.requires_grad
    assert type(y.grad_fn).__name__ == "GeneratedBackwardFor_nt_test_no_grad_sin_defaultBackward"
    with pytest.raises(RuntimeError, match=r"Trying to backward through nt_test\.no_grad_sin\."
                                           r"default but no autograd formula was registered\. "
                                           r"Please use register_autograd to add one\."):
        y.sum().backward()
    with pytest.raises(OpCheckError, match="test_autograd_registration failed"):
        opcheck(no_grad_sin, (randn(3, requires_grad=True),))
    # without grad it is a plain function
    assert not no_grad_sin(randn(3)).requires_grad


def test_register_by_name_and_functional_forms():
    @custom_op("nt_test::numpy_exp", mutates_args=())
    def numpy_exp(x: Tensor) -> Tensor:
        return numtorch.from_numpy(np.exp(x.numpy()))

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    numtorch.library.register_autograd("nt_test::numpy_exp", backward,
                                       setup_context=setup_context)
    numtorch.library.register_fake("nt_test::numpy_exp")(lambda x: numtorch.empty_like(x))
    x = randn(3, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(numpy_exp, (x,))
    assert opcheck("nt_test::numpy_exp", (randn(2),))["test_faketensor"] == "SUCCESS"
    with pytest.raises(ValueError, match="no operator named 'nt_test::missing'"):
        numtorch.library.register_autograd("nt_test::missing", backward)


def test_multiple_inputs_outputs_and_non_tensor_args():
    @custom_op("nt_test::mul_add", mutates_args=())
    def mul_add(a: Tensor, b: Tensor, k: float) -> tuple[Tensor, Tensor]:
        an, bn = a.numpy(), b.numpy()
        return numtorch.from_numpy(an * bn * k), numtorch.from_numpy(an + bn)

    def setup_context(ctx, inputs, output):
        a, b, k = inputs
        ctx.save_for_backward(a, b)
        ctx.k = k

    def backward(ctx, g_prod, g_sum):
        a, b = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, True, False)
        return g_prod * b * ctx.k + g_sum, g_prod * a * ctx.k + g_sum, None

    mul_add.register_autograd(backward, setup_context=setup_context)
    mul_add.register_fake(lambda a, b, k: (numtorch.empty_like(a), numtorch.empty_like(a)))
    a = randn(3, dtype=numtorch.float64, requires_grad=True)
    b = randn(3, dtype=numtorch.float64, requires_grad=True, seed=1)
    p, s = mul_add(a, b, 2.0)
    assert p.grad_fn is s.grad_fn
    assert numtorch.autograd.gradcheck(lambda x, y: mul_add(x, y, 2.0), (a, b))
    assert numtorch.autograd.gradcheck(lambda x, y: mul_add(x, y, k=0.5), (a, b))
    assert set(opcheck(mul_add, (randn(2), randn(2), 3.0)).values()) == {"SUCCESS"}


def test_keyword_only_arguments_reach_setup_context():
    @custom_op("nt_test::numpy_mul", mutates_args=())
    def numpy_mul(x: Tensor, *, val: float) -> Tensor:
        return numtorch.from_numpy(x.numpy() * val)

    def setup_context(ctx, inputs, keyword_only_inputs, output):
        ctx.val = keyword_only_inputs["val"]

    def backward(ctx, grad):
        return grad * ctx.val

    numpy_mul.register_autograd(backward, setup_context=setup_context)
    x = randn(3, requires_grad=True)
    numpy_mul(x, val=3.14).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3.14, rtol=1e-6)
    assert numpy_mul._schema == "(Tensor x, *, float val) -> Tensor"


def test_default_arguments_are_filled():
    @custom_op("nt_test::scaled", mutates_args=())
    def scaled(x: Tensor, k: float = 2.0) -> Tensor:
        return numtorch.from_numpy(x.numpy() * k)

    np.testing.assert_allclose(scaled(numtorch.ones(2)).numpy(), 2.0)
    np.testing.assert_allclose(scaled(numtorch.ones(2), k=3.0).numpy(), 3.0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        scaled(numtorch.ones(2), q=1)


def test_mutating_op_bumps_version_and_refuses_autograd():
    @custom_op("nt_test::numpy_add_", mutates_args=("x",))
    def numpy_add_(x: Tensor, v: float) -> None:
        x_np = x.numpy()
        x_np += v

    t = numtorch.zeros(2)
    v0 = t._version
    assert numpy_add_(t, 1.5) is None
    np.testing.assert_allclose(t.numpy(), 1.5)
    assert t._version == v0 + 1
    assert numpy_add_._schema == "(Tensor(a0!) x, float v) -> ()"
    with pytest.raises(RuntimeError, match=r"Cannot register autograd formula for non-functional "
                                           r"operator <CustomOpDef\(nt_test::numpy_add_\)>"):
        numpy_add_.register_autograd(lambda ctx, g: g)
    with pytest.raises(OpCheckError, match="test_faketensor failed"):
        opcheck(numpy_add_, (numtorch.zeros(2), 1.0))
    assert opcheck(numpy_add_, (numtorch.zeros(2), 1.0),
                   test_utils=("test_schema",)) == {"test_schema": "SUCCESS"}


def test_opcheck_catches_undeclared_mutation_and_bad_fake():
    @custom_op("nt_test::sneaky", mutates_args=())
    def sneaky(x: Tensor) -> Tensor:
        out = x.numpy().copy()
        x.numpy()[...] = 0
        return numtorch.from_numpy(out)

    with pytest.raises(OpCheckError, match="argument 'x' was modified in place"):
        opcheck(sneaky, (randn(3),), test_utils="test_schema")

    @custom_op("nt_test::wrong_fake", mutates_args=())
    def wrong_fake(x: Tensor) -> Tensor:
        return numtorch.from_numpy(x.numpy().sum(0, keepdims=True))

    wrong_fake.register_fake(lambda x: numtorch.empty_like(x))
    result = opcheck(wrong_fake, (randn(3, 2),), raise_exception=False)
    assert result["test_schema"] == "SUCCESS"
    assert isinstance(result["test_faketensor"], RuntimeError)
    assert "output 0 of the fake kernel has shape (3, 2)" in str(result["test_faketensor"])


def test_opcheck_catches_wrong_backward():
    @custom_op("nt_test::bad_grad", mutates_args=())
    def bad_grad(x: Tensor) -> Tensor:
        return numtorch.from_numpy(np.sin(x.numpy()))

    bad_grad.register_autograd(lambda ctx, grad: grad * 2)
    bad_grad.register_fake(lambda x: numtorch.empty_like(x))
    with pytest.raises(OpCheckError, match="test_autograd_registration failed with Jacobian "
                                           "mismatch"):
        opcheck(bad_grad, (randn(3, requires_grad=True),))


def test_kernel_may_not_return_its_input():
    @custom_op("nt_test::ident", mutates_args=())
    def ident(x: Tensor) -> Tensor:
        return x

    with pytest.raises(RuntimeError, match=r"ident \(with implementation in .*\): The output of "
                                           r"this custom operator \(1\) must not also be an input"):
        ident(randn(2))


def test_kernel_must_return_tensors():
    @custom_op("nt_test::returns_array", mutates_args=())
    def returns_array(x: Tensor) -> Tensor:
        return np.sin(x.numpy())

    with pytest.raises(RuntimeError, match="the kernel returned a ndarray, but the schema says it "
                                           "returns Tensor"):
        returns_array(randn(2))


def test_name_and_mutates_args_validation():
    def f(x: Tensor) -> Tensor:
        return x.clone()

    for bad in ("noseparator", "a::b::c", "my lib::x", "mylib::", 3):
        with pytest.raises(ValueError, match='Expected the op name to be "namespace::op_name"'):
            custom_op(bad, f, mutates_args=())
    with pytest.raises(TypeError, match="mutates_args"):
        custom_op("nt_test::f", f)
    with pytest.raises(ValueError, match="mutates_args must either be a sequence of the names of "
                                         "the arguments that are mutated or the string 'unknown'"):
        custom_op("nt_test::f", f, mutates_args="x")
    with pytest.raises(ValueError, match=r"\{'y'\} in mutates_args were not found in the custom "
                                         r"op's signature"):
        custom_op("nt_test::f", f, mutates_args=("y",))
    with pytest.raises(ValueError, match="Parameter x must have a type annotation"):
        custom_op("nt_test::f", lambda x: x, mutates_args=())

    def no_return(x: Tensor):
        return x

    with pytest.raises(ValueError, match="No return type annotation was provided"):
        custom_op("nt_test::f", no_return, mutates_args=())

    def bad_type(x: Tensor, d: dict) -> Tensor:
        return x

    with pytest.raises(ValueError, match="Parameter d has unsupported type"):
        custom_op("nt_test::f", bad_type, mutates_args=())
    with pytest.raises(ValueError, match="namespace 'pointwise' is taken"):
        custom_op("pointwise::f", f, mutates_args=())
    op = custom_op("nt_test::f_unknown", f, mutates_args="unknown")
    assert op._schema == "(Tensor(a0!) x) -> Tensor"


def test_explicit_schema_must_agree_with_mutates_args():
    def f(x: Tensor) -> Tensor:
        return x.clone()

    op = custom_op("nt_test::with_schema", f, mutates_args=(), schema="(Tensor x) -> Tensor")
    assert op._schema == "(Tensor x) -> Tensor"
    with pytest.raises(ValueError, match="The schema suggests that the op mutates"):
        custom_op("nt_test::with_schema2", f, mutates_args=(), schema="(Tensor(a!) x) -> Tensor")


def test_device_types_and_register_kernel():
    @custom_op("nt_test::cuda_only", mutates_args=(), device_types="cuda")
    def cuda_only(x: Tensor) -> Tensor:
        return x * 2

    with pytest.raises(NotImplementedError, match="no kernel registered for device type 'cpu'"):
        cuda_only(randn(2))

    @cuda_only.register_kernel("cpu")
    def _(x):
        return x * 3

    np.testing.assert_allclose(cuda_only(numtorch.ones(2)).numpy(), 3.0)


def test_define_impl_and_library():
    numtorch.library.define("nt_test::scale", "(Tensor x, float k) -> Tensor")
    with pytest.raises(NotImplementedError, match="no kernel registered"):
        numtorch.ops.nt_test.scale(numtorch.ones(2), 2.0)

    @numtorch.library.impl("nt_test::scale", "cpu")
    def _(x, k):
        return numtorch.from_numpy(x.numpy() * k)

    np.testing.assert_allclose(numtorch.ops.nt_test.scale(numtorch.ones(2), 2.0).numpy(), 2.0)

    lib = numtorch.library.Library("nt_test", "FRAGMENT")
    assert lib.define("cube(Tensor x) -> Tensor") == "cube"
    lib.impl("cube", lambda x: x * x * x, "CompositeImplicitAutograd")
    x = randn(3, dtype=numtorch.float64, requires_grad=True)
    y = numtorch.ops.nt_test.cube(x)
    assert type(y.grad_fn).__name__ == "MulBackward0"  # autograd saw through the kernel
    assert numtorch.autograd.gradcheck(numtorch.ops.nt_test.cube, (x,))


def test_custom_op_composes_with_builtin_ops_and_double_backward():
    x = randn(4, dtype=numtorch.float64, requires_grad=True)
    y = (numpy_sin(x * 2) * x).sum()
    (g,) = numtorch.autograd.grad(y, x, create_graph=True)
    xs = x.detach().numpy()
    np.testing.assert_allclose(g.detach().numpy(), 2 * np.cos(2 * xs) * xs + np.sin(2 * xs))
    # the backward (grad * x.cos()) is made of numtorch ops, so it differentiates again
    (gg,) = numtorch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), -4 * np.sin(2 * xs) * xs + 4 * np.cos(2 * xs))


def test_custom_op_matches_torch_custom_op():
    @torch.library.custom_op("nt_test_ref::numpy_sin", mutates_args=())
    def ref_sin(x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(np.sin(x.detach().numpy()))

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    ref_sin.register_autograd(backward, setup_context=setup_context)
    arr = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    x, tx = numtorch.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    y, ty = numpy_sin(x), ref_sin(tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
    assert repr(y.grad_fn).split(" object")[0].replace("nt_test", "X") == \
        repr(ty.grad_fn).split(" object")[0].replace("torch.", "numtorch.").replace(
            "nt_test_ref", "X")
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
