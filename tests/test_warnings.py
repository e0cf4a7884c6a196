"""numtorch's warnings name the user's line (as PyTorch's do), however deep inside numtorch
they are raised: through the namespace's argument check, a module's forward, a property."""

import warnings

import pytest

import numtorch

nn, F = numtorch.nn, numtorch.nn.functional


def _kl_div():
    F.kl_div(numtorch.zeros(2), numtorch.ones(2))


def _kl_div_module():
    nn.KLDivLoss()(numtorch.zeros(2), numtorch.ones(2))


def _cross_without_dim():
    numtorch.cross(numtorch.ones(3), numtorch.ones(3))


def _softmax_module_without_dim():
    nn.Softmax()(numtorch.ones(2, 3))


def _grad_of_a_non_leaf():
    (numtorch.ones(2, requires_grad=True) * 2).grad  # noqa: B018 - the access warns


def _scheduler_before_optimizer():
    opt = numtorch.optim.SGD([nn.Parameter(numtorch.ones(1))], lr=0.1)
    sched = numtorch.optim.lr_scheduler.StepLR(opt, 1)
    sched.step()


@pytest.mark.parametrize("call", [_kl_div, _kl_div_module, _cross_without_dim,
                                  _softmax_module_without_dim, _grad_of_a_non_leaf,
                                  _scheduler_before_optimizer])
def test_warnings_point_at_the_users_line(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "expected a warning"
    for w in caught:
        assert w.filename == __file__, f"{w.message} shown at {w.filename}:{w.lineno}"
        assert w.lineno > call.__code__.co_firstlineno


def test_inf_and_nan_results_are_silent_as_in_pytorch():
    """PyTorch makes inf and nan without a warning; NumPy warns (overflow, invalid value,
    divide by zero) unless told not to: no numtorch op lets NumPy's warning through, on
    small or large (thread-pool) tensors, recorded or not."""
    import warnings

    import numtorch as nt

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (1, 1 << 20):
            for grad in (False, True):
                big = nt.full((n,), 3e38, requires_grad=grad)
                inf = nt.full((n,), float("inf"), requires_grad=grad)
                results = [inf - inf, big * 10, big + big, inf * 0, big.sum(), big.mean(),
                           nt.sub(inf, inf), nt.mul(big, 10), (-inf).exp() * inf,
                           big / 0, big ** 2, nt.log(inf - inf)]
                if grad:
                    (inf - inf).sum().backward()
                assert all(isinstance(r, nt.Tensor) for r in results)
        x = nt.tensor([[3e38, 3e38]])
        assert (x @ x.t()).isinf().all()
