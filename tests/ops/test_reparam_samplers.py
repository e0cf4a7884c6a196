"""PyTorch's C++ samplers (``_standard_gamma``, ``_sample_dirichlet``, ``binomial``) and
the reparameterised gradients (``_standard_gamma_grad``, ``_dirichlet_grad``) against
PyTorch: draws and gradients bit for bit."""

from contextlib import nullcontext

import numpy as np
import pytest

import numtorch
from tests.utils import torch

RNG = np.random.default_rng(0)
ALPHAS = np.concatenate([np.exp(RNG.uniform(-6, 7, 200)),
                         [1e-30, 1e-3, 0.5, 1.0, 1 / 3, 2 / 3, 1e5, 1e20, 0.0]])


def _equal(a, b):
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert str(a.dtype)[9:] == str(b.dtype)[6:]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_standard_gamma_draws_are_torchs(dtype, seed):
    alpha = ALPHAS.astype(dtype)
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    _equal(numtorch._standard_gamma(numtorch.tensor(alpha)),
           torch._standard_gamma(torch.tensor(alpha)))


def test_standard_gamma_shares_the_cached_normal_with_randn():
    # the Box-Muller sine left over by a small randn feeds the gamma sampler, and the
    # one the sampler leaves feeds the next randn
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    for shape in [(3,), (2, 3), ()]:
        alpha = np.full(shape, 2.5, np.float32)
        _equal(numtorch.randn(1), torch.randn(1))
        _equal(numtorch._standard_gamma(numtorch.tensor(alpha)),
               torch._standard_gamma(torch.tensor(alpha)))
        _equal(numtorch.randn(5), torch.randn(5))
    assert np.array_equal(numtorch.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_standard_gamma_with_a_generator_and_empty_and_strided_inputs():
    g, tg = numtorch.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    alpha = np.linspace(0.2, 5, 12).reshape(3, 4)
    _equal(numtorch._standard_gamma(numtorch.tensor(alpha).t(), generator=g),
           torch._standard_gamma(torch.tensor(alpha).t(), generator=tg))
    _equal(numtorch._standard_gamma(numtorch.zeros(0, 2)), torch._standard_gamma(torch.zeros(0, 2)))


@pytest.mark.parametrize("dtype", ["float16", "int64"])
def test_standard_gamma_refuses_what_torch_refuses(dtype):
    with pytest.raises(NotImplementedError) as t_err:
        torch._standard_gamma(torch.ones(2, dtype=getattr(torch, dtype)))
    with pytest.raises(NotImplementedError) as n_err:
        numtorch._standard_gamma(numtorch.ones(2, dtype=getattr(numtorch, dtype)))
    assert str(n_err.value) == str(t_err.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_standard_gamma_grad_is_torchs_in_every_region(dtype):
    # small x (Taylor series), large alpha near and away from x = alpha (Rice), and the
    # rational approximation elsewhere; then the edges (zeros, underflow, infinities)
    n = 3000
    alpha = np.exp(RNG.uniform(-5, 6, n))
    x = alpha * np.exp(RNG.normal(0, 0.5, n))
    x[:500] = RNG.uniform(0, 0.8, 500)
    tiny = np.finfo(dtype).tiny
    alpha = np.concatenate([alpha, [0, 0, 1, 50, 200, 0.01, 5, 1e-30, 1e30, 1e-10, 3, 9, 9]])
    x = np.concatenate([x, [0, 1, 0, tiny, tiny, tiny, 0, 0.5, 1e30, 1, np.inf, np.inf, 1e-3]])
    alpha, x = alpha.astype(dtype), x.astype(dtype)
    with np.errstate(all="ignore"):
        a = numtorch._standard_gamma_grad(numtorch.tensor(alpha), numtorch.tensor(x))
    _equal(a, torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)))


def test_standard_gamma_grad_broadcasts_output_and_checks_dtypes():
    alpha, x = np.array([[1.0, 2.0]], np.float32), np.array([0.5, 3.0], np.float32)
    _equal(numtorch._standard_gamma_grad(numtorch.tensor(alpha), numtorch.tensor(x)),
           torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)))
    with pytest.raises(RuntimeError) as t_err:
        torch._standard_gamma_grad(torch.ones(2), torch.ones(2, dtype=torch.float64))
    with pytest.raises(RuntimeError) as n_err:
        numtorch._standard_gamma_grad(numtorch.ones(2), numtorch.ones(2, dtype=numtorch.float64))
    assert str(n_err.value) == str(t_err.value)


def test_standard_gamma_backward_is_torchs():
    alpha = np.array([0.05, 0.5, 2.0, 30.0, 7.5], np.float32)
    a, b = numtorch.tensor(alpha, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    ya, yb = numtorch._standard_gamma(a), torch._standard_gamma(b)
    assert type(ya.grad_fn).__name__ == type(yb.grad_fn).__name__ == "StandardGammaBackward0"
    w = RNG.standard_normal(5).astype(np.float32)
    (ya * numtorch.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3,), (5, 2), (4, 7), (2, 3, 17), (1, 40), (0, 3), (), (6, 100)])
def test_sample_dirichlet_draws_are_torchs(dtype, shape):
    # the row sums are added in PyTorch's order, so the quotients agree to the last bit
    alpha = np.asarray(np.exp(RNG.uniform(-4, 3, size=shape))).astype(dtype)
    numtorch.manual_seed(9)
    torch.manual_seed(9)
    _equal(numtorch._sample_dirichlet(numtorch.tensor(alpha)),
           torch._sample_dirichlet(torch.tensor(alpha)))
    _equal(numtorch.randn(3), torch.randn(3))        # and the generator is left alike


def test_sample_dirichlet_refuses_half():
    with pytest.raises(NotImplementedError) as t_err:
        torch._sample_dirichlet(torch.ones(2, dtype=torch.float16))
    with pytest.raises(NotImplementedError) as n_err:
        numtorch._sample_dirichlet(numtorch.ones(2, dtype=numtorch.float16))
    assert str(n_err.value) == str(t_err.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dirichlet_grad_is_torchs_in_every_region(dtype):
    # x near 0 and near 1 (the two series), large alpha and beta (Rice), the rational
    # correction elsewhere; float32 keeps PyTorch's float32 steps and calls logf / powf
    n = 4000
    alpha, beta = np.exp(RNG.uniform(-3, 4, n)), np.exp(RNG.uniform(-3, 4, n))
    x = np.clip(RNG.beta(alpha, beta), 1e-30, 1 - 1e-7)
    x, alpha, total = (v.astype(dtype) for v in (x, alpha, alpha + beta))
    _equal(numtorch._dirichlet_grad(numtorch.tensor(x), numtorch.tensor(alpha),
                                    numtorch.tensor(total)),
           torch._dirichlet_grad(torch.tensor(x), torch.tensor(alpha), torch.tensor(total)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_binomial_draws_are_torchs(dtype, seed):
    # counts from 1 to ~3000, probabilities on both sides of 1/2 (inversion below a mean
    # of 10, BTRS above), and the edges 0 and 1
    n = np.floor(np.exp(RNG.uniform(0, 8, 300))).astype(dtype)
    n[::7] = 0
    p = RNG.uniform(0, 1, 300).astype(dtype)
    p[::11], p[::13] = 0, 1
    p[5::9] = RNG.uniform(0, 0.02, p[5::9].size)
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    _equal(numtorch.binomial(numtorch.tensor(n), numtorch.tensor(p)),
           torch.binomial(torch.tensor(n), torch.tensor(p)))
    _equal(numtorch.randn(3), torch.randn(3))


def test_binomial_broadcasts_and_errors_match_torch():
    g, tg = numtorch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    count, prob = np.array([[5.0, 60.0]], np.float32), np.array([0.5], np.float32)
    _equal(numtorch.binomial(numtorch.tensor(count), numtorch.tensor(prob), generator=g),
           torch.binomial(torch.tensor(count), torch.tensor(prob), generator=tg))
    for (c, p), exc in [(([5, 6], [0.5, 0.5]), ValueError),
                        (([5.0], numtorch.float64), RuntimeError),
                        (([5.0], numtorch.float16), NotImplementedError)]:
        if exc is ValueError:
            args_nt = numtorch.tensor(c), numtorch.tensor(p)
            args_t = torch.tensor(c), torch.tensor(p)
        else:
            args_nt = numtorch.tensor(c, dtype=p if exc is NotImplementedError else None), \
                numtorch.tensor([0.5], dtype=p)
            tdt = getattr(torch, str(p).split(".")[1])
            args_t = torch.tensor(c, dtype=tdt if exc is NotImplementedError else None), \
                torch.tensor([0.5], dtype=tdt)
        with pytest.raises(exc) as t_err:
            torch.binomial(*args_t)
        with pytest.raises(exc) as n_err:
            numtorch.binomial(*args_nt)
        assert str(n_err.value) == str(t_err.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_at_the_edges_are_torchs(dtype):
    # zero and tiny concentrations (digamma's pole), x at 0 and 1
    alpha, x = (np.array(v, dtype) for v in ([0, 0, 1e-30, 1e-3, 0, 5], [0.5, 0.1, 0.3, 0.7, 0, 0]))
    with np.errstate(all="ignore"):
        _equal(numtorch._standard_gamma_grad(numtorch.tensor(alpha), numtorch.tensor(x)),
               torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)))
    x, alpha, total = (np.array(v, dtype) for v in ([0, 1, 0.5, 1e-30, 0.999, 0.3],
                                                      [1, 1, 0.5, 1e-3, 7, 0], [2, 2, 1, 1, 20, 1]))
    with np.errstate(all="ignore"):
        a = numtorch._dirichlet_grad(*(numtorch.tensor(v) for v in (x, alpha, total)))
    _equal(a, torch._dirichlet_grad(*(torch.tensor(v) for v in (x, alpha, total))))


def test_ops_without_a_derivative_raise_torchs_error_on_backward():
    def calls(lib):
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        return [lambda: lib._sample_dirichlet(a),
                lambda: lib.binomial(lib.tensor([5.0], requires_grad=True), lib.tensor([0.5])),
                lambda: lib._standard_gamma_grad(a, lib.tensor([1.0, 1.0])),
                lambda: lib._dirichlet_grad(a, a, a * 2)]
    for nt_call, t_call in zip(calls(numtorch), calls(torch)):
        a, b = nt_call(), t_call()
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
        with pytest.raises(RuntimeError) as t_err:
            b.sum().backward()
        with pytest.raises(RuntimeError) as n_err:
            a.sum().backward()
        # NotImplementedError for _standard_gamma_grad: a RuntimeError subclass, so the
        # type is compared as well as the message
        assert type(n_err.value) is type(t_err.value)
        assert str(n_err.value) == str(t_err.value)


def test_reparam_gradients_broadcast_their_operands_as_torch():
    # TensorIterator broadcasts every operand (torch warns that it resizes the output)
    shapes = [((2, 1), (3,)), ((3,), (2, 1)), ((), (4,)), ((4,), ())]
    for sa, sx in shapes:
        alpha = np.exp(RNG.uniform(-2, 3, sa)).astype(np.float32)
        x = np.exp(RNG.uniform(-2, 3, sx)).astype(np.float32)
        with pytest.warns(UserWarning) if sa != np.broadcast_shapes(sa, sx) else nullcontext():
            b = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x))
        _equal(numtorch._standard_gamma_grad(numtorch.tensor(alpha), numtorch.tensor(x)), b)
    x, alpha, total = (np.array(v, np.float32) for v in ([0.1, 0.6], [[1.0], [2.0]], [3.0, 5.0]))
    with pytest.warns(UserWarning):
        b = torch._dirichlet_grad(*(torch.tensor(v) for v in (x, alpha, total)))
    _equal(numtorch._dirichlet_grad(*(numtorch.tensor(v) for v in (x, alpha, total))), b)
    for lib in (torch, numtorch):
        with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the "
                                               r"size of tensor b \(3\) at non-singleton"):
            lib._standard_gamma_grad(lib.ones(2), lib.ones(3))
        with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the "
                                               r"size of tensor b \(3\) at non-singleton"):
            lib._dirichlet_grad(lib.ones(2), lib.ones(3), lib.ones(3))


def test_standard_gamma_grad_is_not_differentiable_in_output():
    # PyTorch's derivative formula names only ``self``: a grad-requiring ``output`` alone
    # leaves the result outside the graph
    for lib in (torch, numtorch):
        g = lib._standard_gamma_grad(lib.tensor([1.0, 2.0]),
                                     lib.tensor([3.0, 3.0], requires_grad=True))
        assert not g.requires_grad and g.grad_fn is None
