"""Tensor-level random sampling (numtorch/ops/sampling.py): argument forms, shapes, dtypes,
generators, in-place fills and errors. Bit-exactness of the streams against PyTorch's
generator is tested kernel by kernel in tests/test_random.py; here a few end-to-end checks
confirm the Tensor functions reach those kernels with PyTorch's arguments.
"""

import numpy as np
import pytest

import numtorch
from tests.utils import torch


def same_stream(fn, seed=2024):
    """``fn(lib)`` after the same seed in numtorch and torch gives identical values."""
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    a, b = fn(numtorch), fn(torch)
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype)[len("numtorch."):] == str(b.dtype)[len("torch."):]
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_tutorial_rand_after_manual_seed():
    numtorch.manual_seed(2024)
    t = numtorch.rand(4, 2)
    np.testing.assert_allclose(t.numpy(), [[0.5317, 0.8313], [0.9718, 0.1193],
                                           [0.1669, 0.3495], [0.2150, 0.6201]], atol=5e-5)


@pytest.mark.parametrize("fn", [
    lambda m: m.rand(3, 4),
    lambda m: m.rand((2, 3), dtype=m.float64),
    lambda m: m.randn(17),
    lambda m: m.randn(5, dtype=m.float64),
    lambda m: m.randint(10, (3, 3)),
    lambda m: m.randint(-5, 5, (7,), dtype=m.int32),
    lambda m: m.randperm(10),
    lambda m: m.normal(2.0, 3.0, size=(4,)),
    lambda m: m.rand_like(m.zeros(2, 2)),
    lambda m: m.randn_like(m.zeros(3, dtype=m.float64)),
    lambda m: m.randint_like(m.zeros(4, dtype=m.int64), 3, 9),
    lambda m: m.zeros(6).uniform_(-2, 3),
    lambda m: m.zeros(20).normal_(1.0, 0.5),
    lambda m: m.empty(10, dtype=m.int64).random_(0, 100),
    lambda m: m.empty(8).exponential_(2.0),
])
def test_sampling_functions_follow_torch_stream(fn):
    same_stream(fn)


def test_generator_objects_are_independent_streams():
    g = numtorch.Generator().manual_seed(7)
    tg = torch.Generator().manual_seed(7)
    np.testing.assert_array_equal(numtorch.rand(5, generator=g).numpy(),
                                  torch.rand(5, generator=tg).numpy())
    numtorch.manual_seed(0)
    a = numtorch.rand(3)
    numtorch.manual_seed(0)
    numtorch.rand(3, generator=numtorch.Generator().manual_seed(1))
    np.testing.assert_array_equal(numtorch.rand(3).numpy(), a.numpy())


def test_rng_state_round_trip():
    numtorch.manual_seed(3)
    state = numtorch.get_rng_state()
    a = numtorch.randn(10)
    numtorch.set_rng_state(state)
    np.testing.assert_array_equal(numtorch.randn(10).numpy(), a.numpy())
    assert numtorch.initial_seed() == 3
    s = numtorch.seed()
    assert isinstance(s, int) and numtorch.initial_seed() == s


def test_normal_with_tensor_arguments_broadcasts():
    mean = numtorch.zeros(3, 1)
    std = numtorch.ones(4)
    assert numtorch.normal(mean, std).shape == (3, 4)
    assert numtorch.normal(mean, 2.0).shape == (3, 1)
    assert numtorch.normal(0.0, std).shape == (4,)


def test_bernoulli_and_multinomial_shapes_and_values():
    p = numtorch.full((1000,), 0.3)
    draws = numtorch.bernoulli(p)
    assert draws.dtype is numtorch.float32 and set(np.unique(draws.numpy())) <= {0.0, 1.0}
    assert 0.2 < draws.mean().item() < 0.4
    assert numtorch.zeros(4).bernoulli_(1.0).tolist() == [1.0] * 4
    probs = numtorch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert numtorch.multinomial(probs, 1).tolist() == [[1], [0]]
    idx = numtorch.multinomial(numtorch.ones(5), 5)
    assert sorted(idx.tolist()) == [0, 1, 2, 3, 4] and idx.dtype is numtorch.int64
    assert numtorch.multinomial(numtorch.ones(2), 6, replacement=True).shape == (6,)


def test_requires_grad_and_leaf_rules():
    x = numtorch.rand(3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.uniform_()
    with numtorch.no_grad():
        x.normal_()
    assert x.requires_grad


def test_errors_match_torch():
    with pytest.raises(RuntimeError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        numtorch.rand(2, dtype=numtorch.int64)
    with pytest.raises(RuntimeError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        numtorch.randn(2, dtype=numtorch.int64)
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to'"):
        numtorch.randint(5, 5, (2,))
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        numtorch.zeros(2).normal_(0, -1)
    with pytest.raises(RuntimeError, match="n must be non-negative"):
        numtorch.randperm(-1)
    with pytest.raises(TypeError, match=r"invalid combination of arguments - got \(int\)"):
        numtorch.randint(5)


def test_randint_takes_low_and_high_as_keywords():
    # torchvision writes torch.randint(low=1, high=4, size=(1,))
    same_stream(lambda lib: lib.randint(low=1, high=4, size=(5,)))
    same_stream(lambda lib: lib.randint(high=4, size=(5,)))
    same_stream(lambda lib: lib.randint(1, high=4, size=(5,)))
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        numtorch.randint(4, low=1, size=(2,))
    with pytest.raises(TypeError, match="missing 2 required positional argument"):
        numtorch.randint(low=1, size=(2,))


_RANDINT_BAD_CALLS = [
    ((), {}), ((3,), {}), ((), {"high": 3}), ((), {"low": 1}), ((1,), {"low": 0}),
    ((2, 3), {"size": (2,), "low": 1}), ((2.5, (2,)), {}), ((True, (2,)), {}),
    ((1.5, 3, (2,)), {}), ((1, 3.5, (2,)), {}), ((1, 2, 3, (2,)), {}),
    ((3, (2,)), {"low": 1}), ((3, 2), {}), ((3, "a"), {}),
    # a size whose first element is no int, by position or keyword; a float high by keyword
    ((3, (2.0,)), {}), ((3,), {"size": (2.0,)}), ((0, 3, (2.0,)), {}), ((3, (2, 2.0)), {}),
    ((), {"high": 2.5, "size": (2,)}),
]


@pytest.mark.parametrize("args, kwargs", _RANDINT_BAD_CALLS)
def test_randint_refuses_a_bad_call_with_torchs_whole_message(args, kwargs):
    with pytest.raises(TypeError) as theirs:
        torch.randint(*args, **kwargs)
    with pytest.raises(TypeError) as ours:
        numtorch.randint(*args, **kwargs)
    assert str(ours.value) == str(theirs.value).replace("torch.", "numtorch.")


def test_randint_lists_several_keywords_in_a_fixed_order_where_torch_reverses_the_call():
    # A known difference: numtorch's randint takes size/low/high as named parameters, so the
    # order they were written in is not known; PyTorch lists them last-written first.
    with pytest.raises(TypeError, match=r"got \(int, size=tuple, low=int, high=int\)"):
        torch.randint(1, high=3, low=0, size=(2,))
    with pytest.raises(TypeError, match=r"got \(int, high=int, low=int, size=tuple\)"):
        numtorch.randint(1, high=3, low=0, size=(2,))


@pytest.mark.parametrize("args, kwargs", [((5,), {"size": (3,)}), ((2, 5), {"size": (3,)}),
                                          ((5, (3,)), {}), ((), {"high": 5, "size": (3,)}),
                                          ((2,), {"high": 5, "size": (3,)}),
                                          ((numtorch.tensor(5),), {"size": (3,)})])
def test_randint_call_forms_draw_as_torch(args, kwargs):
    targs = tuple(torch.tensor(5) if isinstance(a, numtorch.Tensor) else a for a in args)
    torch.manual_seed(3)
    numtorch.manual_seed(3)
    assert numtorch.randint(*args, **kwargs).tolist() == torch.randint(*targs, **kwargs).tolist()
