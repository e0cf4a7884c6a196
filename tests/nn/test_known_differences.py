"""Where numtorch deliberately differs from PyTorch 2.13: each difference pinned by a test,
so a change to it is a decision, not an accident."""

import warnings

import numpy as np
import pytest
import torch

import numtorch


def test_old_weight_norm_grad_fn_is_a_mul_where_torch_has_a_fused_node():
    # Values and gradients equal torch's (tests/nn/test_utils.py); numtorch composes
    # g * v / ||v|| from ordinary ops instead of torch's fused WeightNormInterface kernel.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ours = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(3, 2))
        theirs = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    assert type(ours.weight.grad_fn).__name__ == "MulBackward0"
    assert type(theirs.weight.grad_fn).__name__ == "WeightNormInterfaceBackward0"


def test_sparse_embedding_gets_a_dense_gradient():
    # numtorch has no sparse tensors: sparse=True is accepted and shown, the grad is dense.
    e = numtorch.nn.Embedding(5, 3, sparse=True)
    assert repr(e) == "Embedding(5, 3, sparse=True)"
    e(numtorch.tensor([1, 2, 2])).sum().backward()
    assert e.weight.grad.shape == (5, 3) and not e.weight.grad.is_sparse
    np.testing.assert_array_equal(e.weight.grad.numpy()[:, 0], [0, 1, 2, 0, 0])


def test_sparse_adam_takes_the_dense_gradient_as_the_sparse_one_of_its_nonzero_rows():
    # torch's SparseAdam needs a sparse grad (nn.Embedding(sparse=True) makes one, a row per
    # index looked up) and refuses a dense one; numtorch's grads are dense, so a dense grad
    # stands for the sparse one holding its nonzero rows.
    w = torch.zeros(4, 2, requires_grad=True)
    w.grad = torch.ones(4, 2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        torch.optim.SparseAdam([w]).step()
    # A row looked up whose gradient is exactly zero: torch holds it (and moves it by its
    # decaying moments), numtorch cannot tell it from a row not looked up.
    results = []
    for mod in (torch, numtorch):
        e = mod.nn.Embedding(3, 2, sparse=True, _weight=mod.ones(3, 2))
        opt = mod.optim.SparseAdam(list(e.parameters()), lr=0.1)
        e(mod.tensor([0, 1])).sum().backward()
        opt.step()
        opt.zero_grad()
        (e(mod.tensor([0, 1])) * mod.tensor([[1.0], [0.0]])).sum().backward()
        opt.step()
        results.append(e.weight.detach().numpy()[1, 0])
    theirs, ours = results
    assert ours == pytest.approx(0.9) and theirs < 0.85


def test_cross_entropy_refuses_a_weight_that_requires_grad_even_with_probabilities():
    # torch allows it for probability targets; numtorch's fused kernel never differentiates
    # the class weights and says so.
    x = numtorch.randn(2, 3)
    w = numtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        numtorch.nn.functional.cross_entropy(x, numtorch.softmax(numtorch.randn(2, 3), 1), weight=w)


def test_soft_margin_loss_stays_finite_where_torch_overflows():
    a = np.array([[-200.0, 300.0]], np.float32)
    y = np.array([[1.0, -1.0]], np.float32)
    ours = numtorch.nn.functional.soft_margin_loss(numtorch.tensor(a), numtorch.tensor(y))
    theirs = torch.nn.functional.soft_margin_loss(torch.tensor(a), torch.tensor(y))
    assert float(ours) == pytest.approx(250.0) and float(theirs) == float("inf")


def test_mode_with_nan_counts_each_nan_as_its_own_value():
    # torch's CPU mode sorts with std::sort and `<`, which is not an order with NaN: its
    # answer depends on the sort's internals. numtorch sorts NaN last and counts each NaN
    # alone, so a tie goes to the smallest value.
    nan = float("nan")
    ours = numtorch.mode(numtorch.tensor([nan, nan, 1.0]))
    theirs = torch.mode(torch.tensor([nan, nan, 1.0]))
    assert ours.values.item() == 1.0 and ours.indices.item() == 2
    assert np.isnan(theirs.values.item())


def test_binary_op_of_mixed_layouts_is_c_ordered():
    # torch lays the result out like its first operand (TensorIterator); numtorch's result
    # of a transposed and a contiguous operand is C-ordered. Values are equal.
    ours = numtorch.ones(2, 3).t() * numtorch.ones(3, 2)
    theirs = torch.ones(2, 3).t() * torch.ones(3, 2)
    assert ours.stride() == (2, 1) and theirs.stride() == (1, 3)


def test_like_of_a_dense_tensor_with_size_one_dims_may_differ_in_those_strides():
    # torch copies a dense input's strides exactly; numtorch packs the dims in their memory
    # order, so only a size-1 dim's stride (which never moves in memory) can differ.
    ours = numtorch.zeros_like(numtorch.ones(2, 2, 1).permute(2, 0, 1))
    theirs = torch.zeros_like(torch.ones(2, 2, 1).permute(2, 0, 1))
    assert ours.stride() == (4, 2, 1) and theirs.stride() == (1, 2, 1)
    assert ours.stride()[1:] == theirs.stride()[1:]


def test_to_with_a_bad_device_string_words_the_error_as_a_device_does():
    # torch says "Invalid device string: 'float64'"; numtorch parses it as a device and
    # reports the device-type error (same exception type).
    with pytest.raises(RuntimeError, match="Invalid device string"):
        torch.ones(2).to("float64")
    with pytest.raises(RuntimeError, match="at start of device string: float64"):
        numtorch.ones(2).to("float64")


def test_kaiser_window_is_computed_in_float64_and_rounded_once():
    # torch evaluates I0 in the window's dtype; numtorch in float64, then rounds, so a
    # float32 window can differ from torch's by an ulp (and is closer to the exact value).
    ours, theirs = numtorch.kaiser_window(11).numpy(), torch.kaiser_window(11).numpy()
    assert not np.array_equal(ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=4e-7)
    exact = numtorch.kaiser_window(11, dtype=numtorch.float64).numpy()
    assert np.abs(ours - exact).max() <= np.abs(theirs - exact).max()


def test_an_uninitialized_parameter_in_an_op_computes_on_its_empty_storage():
    # PyTorch raises ValueError ("Attempted to use an uninitialized parameter in ...")
    # through __torch_function__; numtorch has no such hook, so the op sees the
    # placeholder's empty array and returns an empty result.
    p = numtorch.nn.parameter.UninitializedParameter()
    assert (p + 1).shape == (0,)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        torch.nn.parameter.UninitializedParameter() + 1


@pytest.mark.parametrize("op", [
    lambda L, x: x.clamp(min=0), lambda L, x: x.clamp(max=0),
])
def test_clamp_gives_plus_zero_on_a_tie_of_signed_zeros(op):
    # PyTorch returns the input's -0.0 on a tie with the bound 0; numtorch's one-pass
    # np.clip returns +0.0. Equal values, only the printed sign differs.
    ours = op(numtorch, numtorch.full((20,), -0.0))
    theirs = op(torch, torch.full((20,), -0.0))
    assert not bool(ours.signbit().any()) and bool(theirs.signbit().all())


def test_elu_gradient_at_nan_is_nan():
    # numtorch's ELU backward takes the x > 0 branch test, so a nan input gets a nan
    # gradient, as PyTorch's vectorised kernel gives on mixed data; on some inputs (an
    # all-nan tensor here) PyTorch passes the incoming gradient instead.
    grads = []
    for lib in (numtorch, torch):
        x = lib.full((17,), float("nan"), requires_grad=True)
        lib.nn.functional.elu(x).backward(lib.ones(17))
        grads.append(x.grad)
    assert bool(grads[0].isnan().all()) and grads[1].tolist() == [1.0] * 17


def test_index_reduce_method_accepts_out():
    # numtorch.index_reduce and Tensor.index_reduce are one function, so the method also
    # takes out= (PyTorch's method does not).
    x = numtorch.ones(3)
    out = numtorch.empty(3)
    x.index_reduce(0, numtorch.tensor([0]), numtorch.tensor([5.0]), "prod", out=out)
    assert out.tolist() == [5.0, 1.0, 1.0]
    with pytest.raises(TypeError):
        torch.ones(3).index_reduce(0, torch.tensor([0]), torch.tensor([5.0]), "prod",
                                   out=torch.empty(3))


def test_share_memory_leaves_older_views_on_the_old_memory():
    # PyTorch moves the storage itself, so every view of it follows; a numtorch tensor is
    # its own NumPy array, so share_memory_ moves only the tensor it is called on (with
    # the whole array it views). Views taken before no longer alias it.
    for lib in (numtorch, torch):
        base = lib.zeros(4)
        view = base[1:]
        base.share_memory_()
        base[2] = 5.0
        if lib is torch:
            assert view[1].item() == 5.0
        else:
            assert view[1].item() == 0.0


def test_float16_add_with_alpha_rounds_once_where_torch_rounds_the_product_first():
    # numtorch computes a + alpha * b for float16 in float32 and rounds once; PyTorch's
    # scalar tail (the elements after its last full vector) rounds alpha * b to half first,
    # so an element of a short tensor (all tail) can differ by one half-precision step.
    a = [-0.623, 0.5, 1.0]
    b = [-1.01, 0.3, 0.7]
    ours = numtorch.add(numtorch.tensor(a, dtype=numtorch.float16),
                        numtorch.tensor(b, dtype=numtorch.float16), alpha=2.5)
    theirs = torch.add(torch.tensor(a, dtype=torch.float16),
                       torch.tensor(b, dtype=torch.float16), alpha=2.5)
    exact = np.float16(a).astype(np.float32) + np.float32(2.5) * np.float16(b).astype(np.float32)
    np.testing.assert_array_equal(ours.numpy(), exact.astype(np.float16))
    assert ours.numpy()[0] != theirs.numpy()[0]
    np.testing.assert_array_equal(ours.numpy()[1:], theirs.numpy()[1:])


def test_linalg_error_class_is_named_linalgerror_where_torch_names_its_c_class():
    # Same public name (linalg.LinAlgError, a RuntimeError subclass) and same messages; torch's
    # class is torch._C._LinAlgError, so a traceback prints that name where numtorch's prints
    # numtorch.ops.linalg.LinAlgError.
    assert issubclass(numtorch.linalg.LinAlgError, RuntimeError)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)
    assert numtorch.linalg.LinAlgError.__name__ == "LinAlgError"
    assert torch.linalg.LinAlgError.__name__ == "_LinAlgError"
    bad = [[1.0, 2.0], [2.0, 1.0]]
    with pytest.raises(numtorch.linalg.LinAlgError) as ours:
        numtorch.linalg.cholesky(numtorch.tensor(bad))
    with pytest.raises(torch.linalg.LinAlgError) as theirs:
        torch.linalg.cholesky(torch.tensor(bad))
    assert str(ours.value) == str(theirs.value)
