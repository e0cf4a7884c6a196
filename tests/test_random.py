"""numtorch.random: every kernel reproduces PyTorch's CPU generator bit for bit.

Each test seeds numtorch and PyTorch alike, draws with the same arguments and asserts
``np.array_equal`` on the results: same values, same dtype, and (through later draws
and the state bytes) the same position in the mt19937 stream.
"""

import math
import warnings

import numpy as np
import pytest

import numtorch
from numtorch import random as R
from numtorch.backend import parallel

torch = pytest.importorskip("torch")

SEEDS = [0, 1, 42, 2024, 2**32 + 5, 2**63 + 12345, 67280421310721]
SIZES = [1, 15, 16, 17, 1000, 100003]
TORCH = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64,
         np.int8: torch.int8, np.int16: torch.int16, np.int32: torch.int32,
         np.int64: torch.int64, np.uint8: torch.uint8, np.bool_: torch.bool}


def seeded(seed):
    R.manual_seed(seed)
    torch.manual_seed(seed)


def assert_same(ours, theirs):
    theirs = theirs.numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    assert np.array_equal(ours, theirs, equal_nan=ours.dtype.kind == "f"), \
        f"{np.sum(ours != theirs)} of {ours.size} differ"


def assert_same_position():
    """Both generators are at the same point of the stream (and normal cache)."""
    assert np.array_equal(R.default_generator._state_bytes(), torch.get_rng_state().numpy())


def raises_like(exc, message, fn):
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value) == message


# ----------------------------------------------------------------------------- seeding

def test_tutorial_numbers_after_manual_seed_2024():
    R.manual_seed(2024)
    x = R.uniform((4, 2), np.float32)
    np.testing.assert_allclose(x, [[0.5317, 0.8313], [0.9718, 0.1193],
                                   [0.1669, 0.3495], [0.2150, 0.6201]], atol=5e-5)


def test_numtorch_rand_prints_the_tutorial_numbers():
    if not hasattr(numtorch, "rand"):
        pytest.skip("numtorch.rand not there yet")
    numtorch.manual_seed(2024)
    assert str(numtorch.rand(4, 2)) == ("tensor([[0.5317, 0.8313],\n        [0.9718, 0.1193],\n"
                                        "        [0.1669, 0.3495],\n        [0.2150, 0.6201]])")


@pytest.mark.parametrize("seed", SEEDS + [-1, -(2**63), 2**64 - 1])
def test_seed_grid_float32_stream(seed):
    seeded(seed)
    assert_same(R.uniform((1000,), np.float32), torch.rand(1000))
    assert R.initial_seed() == torch.initial_seed()
    assert_same_position()


def test_seeds_out_of_range_raise_like_torch():
    for bad in (2**64, -(2**63) - 1):
        raises_like(ValueError, "Overflow when unpacking long long", lambda b=bad: R.manual_seed(b))


def test_default_generator_and_fresh_generators_start_from_torchs_default_seed():
    g, tg = R.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == R.DEFAULT_SEED
    assert_same(R.uniform((5,), np.float32, generator=g), torch.rand(5, generator=tg))


def test_generator_api():
    g = R.Generator()
    assert g.manual_seed(3) is g
    assert repr(g).startswith("<numtorch._C.Generator object at 0x")
    assert str(g.device) == "cpu"
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and g.initial_seed() == s
    assert isinstance(R.manual_seed(5), R.Generator) and R.initial_seed() == 5
    assert numtorch.manual_seed is R.manual_seed or numtorch.manual_seed(5) is not None


def test_generators_are_independent_streams():
    seeded(0)
    g = R.Generator().manual_seed(7)
    tg = torch.Generator().manual_seed(7)
    assert_same(R.uniform((6,), np.float32, generator=g), torch.rand(6, generator=tg))
    assert_same(R.uniform((3,), np.float32), torch.rand(3))


# ----------------------------------------------------------------------------- uniform

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", SIZES)
def test_uniform_sizes_and_dtypes(size, dtype):
    for seed in SEEDS:
        seeded(seed)
        assert_same(R.uniform((size,), dtype), torch.rand(size, dtype=TORCH[dtype]))
        assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("low,high", [(-3.0, 5.0), (0.1, 0.7), (-1e-3, 2.5), (2.0, 2.01),
                                      (-2.0, 3.0), (0.0, 7.0), (1.0, 6.0),  # exact ties
                                      (1.0, 1.0000001), (1.0, 1.0 + 2**-52), (3.0, 3.0)])
def test_uniform_ranges_use_one_fused_rounding(low, high, dtype):
    seeded(1)
    ours = R.uniform((3000,), dtype, low, high)
    assert_same(ours, torch.empty(3000, dtype=TORCH[dtype]).uniform_(low, high))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_uniform_range_over_threads_and_chunks(dtype):
    # Above parallel.MIN_SIZE_KERNEL the affine map runs in cache-sized chunks on two
    # threads, with a partial last chunk: still torch's numbers, element for element.
    seeded(9)
    ours = R.uniform((300_007,), dtype, -1.5, 3.0)
    assert_same(ours, torch.empty(300_007, dtype=TORCH[dtype]).uniform_(-1.5, 3.0))
    assert_same_position()


@pytest.mark.parametrize("low,high", [(1.5, 3.0), (-1.5, 3.0), (0.5, 2.0), (-7.25, -1.5),
                                      (1e300, 1.5e300), (3.0, 12.0)])
def test_uniform_float64_bounds_with_many_exact_ties(low, high):
    # x * (high - low) + low lands exactly half-way between two doubles for a large
    # share of draws here: the fused rounding must break every such tie as torch does.
    seeded(4)
    ours = R.uniform((100_000,), np.float64, low, high)
    assert_same(ours, torch.empty(100_000, dtype=torch.float64).uniform_(low, high))
    assert_same_position()


@pytest.mark.parametrize("low,high", [(-1e300, 1e300), (-8.9e307, 8.9e307)])
def test_uniform_float64_spanning_huge_ranges(low, high):
    # (high - low) is too large for Dekker's split of the fused multiply-add, whose pieces
    # overflow: those draws are redone exactly instead of coming out as NaN.
    seeded(5)
    ours = R.uniform((1000,), np.float64, low, high)
    assert_same(ours, torch.empty(1000, dtype=torch.float64).uniform_(low, high))


def test_fma64_rounds_an_overflowing_exact_result_to_infinity():
    a, b, c = np.array([1.5, -1.5, 0.5]), 1.7e308, np.array([1e308, -1e308, 0.0])
    assert np.array_equal(R._fma64(a, b, c), [np.inf, -np.inf, 8.5e307])


def test_fma64_is_the_correctly_rounded_fused_result():
    from fractions import Fraction
    rng = np.random.default_rng(0)
    n = 20000
    a = rng.standard_normal(n) * np.exp2(rng.integers(-30, 30, n))
    b = rng.standard_normal(n) * np.exp2(rng.integers(-30, 30, n))
    c = -(a * b) * (1 + rng.standard_normal(n) * np.exp2(rng.integers(-60, 0, n)))
    a[::2], b[::2], c[::2] = np.round(a[::2] * 2**20), np.round(b[::2] * 4) / 4, 0.5 + a[::2]
    c[1::4] = 0.0
    ref = [float(Fraction(x) * Fraction(y) + Fraction(z))
           for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())]
    assert np.array_equal(R._fma64(a, b, c), np.array(ref))


def test_uniform_shapes():
    seeded(9)
    assert_same(R.uniform((2, 3, 4), np.float32), torch.rand(2, 3, 4))
    assert R.uniform((0, 3), np.float32).shape == (0, 3)
    assert_same(R.uniform((), np.float64), torch.rand((), dtype=torch.float64))
    assert_same_position()


# ----------------------------------------------------------------------------- normal

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", SIZES + [2, 31, 32, 33])
def test_normal_both_algorithms(size, dtype):
    seeds = (0, 42) if size > 1000 and dtype == np.float64 else SEEDS
    for seed in seeds:
        seeded(seed)
        assert_same(R.normal((size,), dtype), torch.randn(size, dtype=TORCH[dtype]))
        assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (0.3, 1.7)])
def test_normal_over_threads_and_chunks(mean, std, dtype):
    # Above parallel.MIN_SIZE_KERNEL the blocks of 16 run on two threads, each in several
    # cache-sized chunks with a partial last one, and the size leaves a re-drawn tail.
    size = 4 * R._CHUNK + 3 * R._CHUNK // 7 + 5
    assert size >= parallel.MIN_SIZE_KERNEL and size % 16
    seeded(6)
    ours = R.normal((size,), dtype, mean, std)
    assert_same(ours, torch.empty(size, dtype=TORCH[dtype]).normal_(mean, std))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", [5, 16, 33, 5000])
@pytest.mark.parametrize("mean,std", [(0.3, 1.7), (-2.1, 0.37), (5.0, 0.0), (0.0, 1.0),
                                      (1.0, 0.5), (0.3, 3.0)])
def test_normal_mean_and_std(mean, std, size, dtype):
    seeded(2)
    ours = R.normal((size,), dtype, mean, std)
    assert_same(ours, torch.empty(size, dtype=TORCH[dtype]).normal_(mean, std))


def test_normal_cached_sample_carries_across_calls_and_sizes():
    seeded(3)
    for size in (5, 3, 20, 1, 7, 16, 2, 9):                 # odd small sizes leave a cache
        assert_same(R.normal((size,), np.float64), torch.randn(size, dtype=torch.float64))
        assert_same(R.normal((size,), np.float32), torch.randn(size))
        assert_same_position()


def test_normal_with_tensor_mean_and_std():
    seeded(4)
    mean = np.linspace(-1, 1, 40).astype(np.float32).reshape(8, 5)
    std = np.linspace(0.1, 2, 5).astype(np.float32)
    assert_same(R.normal((8, 5), np.float32, mean, std),
                torch.normal(torch.from_numpy(mean), torch.from_numpy(std).expand(8, 5)))
    assert_same(R.normal((8, 5), np.float32, mean, 0.5),
                torch.normal(torch.from_numpy(mean), 0.5))
    assert_same(R.normal((5,), np.float32, 2.0, std), torch.normal(2.0, torch.from_numpy(std)))
    assert_same_position()


# ----------------------------------------------------------------------------- integers

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", [1, 17, 1000, 100003])
def test_randint_dtypes(size, dtype):
    low, high = (-5, 100) if dtype != np.uint8 else (3, 250)
    for seed in (0, 2**32 + 5):
        seeded(seed)
        assert_same(R.randint(low, high, (size,), dtype),
                    torch.randint(low, high, (size,), dtype=TORCH[dtype]))
        assert_same_position()


@pytest.mark.parametrize("low,high", [(0, 2**32 + 7), (-(2**62), 2**62), (0, 2**31),
                                      (-(2**63), 2**63 - 1), (10, 11)])
def test_randint_wide_ranges_switch_to_64_bit_draws(low, high):
    seeded(5)
    assert_same(R.randint(low, high, (500,)), torch.randint(low, high, (500,)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # both warn past 2**53
        assert_same(R.randint(low, min(high, 2**40), (50,), np.float64),
                    torch.randint(low, min(high, 2**40), (50,), dtype=torch.float64))
    assert_same_position()


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.float32, np.float64, np.float16, np.bool_])
def test_random_without_bounds(dtype):
    seeded(6)
    assert_same(R.random_((2000,), dtype), torch.empty(2000, dtype=TORCH[dtype]).random_())
    assert_same_position()


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.float32, np.float64, np.float16, np.bool_])
def test_random_to_and_from_forms(dtype):
    seeded(7)
    assert_same(R.random_((300,), dtype, high=2), torch.empty(300, dtype=TORCH[dtype]).random_(2))
    if dtype != np.bool_:
        assert_same(R.random_((300,), dtype, 1, 100),
                    torch.empty(300, dtype=TORCH[dtype]).random_(1, 100))
    assert_same(R.random_((300,), dtype, 1, None),
                torch.empty(300, dtype=TORCH[dtype]).random_(1, None))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_random_full_64_bit_range(dtype):
    seeded(8)
    assert_same(R.random_((100,), dtype, -(2**63), None),
                torch.empty(100, dtype=TORCH[dtype]).random_(-(2**63), None))


def test_random_float_bounds_move_inside_the_dtype():
    seeded(9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # both warn: past 2**digits
        assert_same(R.random_((200,), np.float16, 0, 65504),
                    torch.empty(200, dtype=torch.float16).random_(0, 65504))
        assert_same(R.random_((200,), np.float32, -(2**30), 2**30 + 1),
                    torch.empty(200).random_(-(2**30), 2**30 + 1))
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        R.random_((3,), np.float32, 0, 2**25)


# ----------------------------------------------------------------------------- randperm

@pytest.mark.parametrize("n", [0, 1, 2, 3, 15, 16, 17, 1000, 100003])
def test_randperm_sizes(n):
    for seed in (0, 42, 2024):
        seeded(seed)
        assert_same(R.randperm(n), torch.randperm(n))
        assert_same_position()


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.float32, np.float64, np.float16])
def test_randperm_dtypes(dtype):
    seeded(10)
    assert_same(R.randperm(100, dtype), torch.randperm(100, dtype=TORCH[dtype]))


def _fisher_yates_reference(draws, n):
    a = list(range(n))
    for i in range(n - 1):
        z = i + int(draws[i]) % (n - i)
        a[i], a[z] = a[z], a[i]
    return a


def _inside_out_reference(draws, n):
    a = [0] * n
    for i in range(n):
        z = int(draws[i]) % (i + 1)
        a[i] = a[z]
        a[z] = i
    return a


def test_randperm_shuffles_match_the_sequential_loops(monkeypatch):
    for n in (0, 1, 2, 5, 64, 999):
        g = R.Generator().manual_seed(n)
        draws = R.Generator().manual_seed(n)._u32(max(n - 1, 0))
        assert R.randperm(n, generator=g).tolist() == _fisher_yates_reference(draws, n)
        # PyTorch switches to the inside-out shuffle with 64-bit draws for n >= 2**32/20,
        # too big to test against it here: check that branch against its loop instead.
        monkeypatch.setattr(R, "_RANDPERM_SMALL", 0)
        draws = R.Generator().manual_seed(n)._u64(n)
        assert R.randperm(n, generator=R.Generator().manual_seed(n)).tolist() == \
            _inside_out_reference(draws, n)
        monkeypatch.setattr(R, "_RANDPERM_SMALL", (2**32 - 1) // 20)


# ----------------------------------------------------------------------------- bernoulli

@pytest.mark.parametrize("pdtype", [np.float32, np.float64, np.float16])
def test_bernoulli_tensor_p(pdtype):
    seeded(11)
    p = np.random.default_rng(0).random((50, 41)).astype(pdtype)
    p[0, :3] = [0, 1, 0.5]
    assert_same(R.bernoulli(p), torch.bernoulli(torch.from_numpy(p)))
    assert_same(R.bernoulli(p, np.int64), torch.empty(50, 41, dtype=torch.int64)
                .bernoulli_(torch.from_numpy(p)))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.uint8,
                                   np.bool_])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_bernoulli_scalar_p(p, dtype):
    seeded(12)
    assert_same(R.bernoulli_scalar((3001,), p, dtype),
                torch.empty(3001, dtype=TORCH[dtype]).bernoulli_(p))
    assert_same_position()


def test_bernoulli_scalar_statistics():
    x = R.bernoulli_scalar((200000,), 0.3, np.float32, generator=R.Generator().manual_seed(0))
    assert abs(x.mean() - 0.3) < 0.005 and set(np.unique(x)) == {0.0, 1.0}


# ----------------------------------------------------------------------------- continuous

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("lambd", [1.0, 2.5, 1e-3])
def test_exponential(lambd, dtype):
    seeded(13)
    n = 20000 if dtype != np.float64 else 3000
    assert_same(R.exponential((n,), dtype, lambd),
                torch.empty(n, dtype=TORCH[dtype]).exponential_(lambd))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32])
@pytest.mark.parametrize("p", [0.2, 0.9, 1e-4])
def test_geometric(p, dtype):
    seeded(14)
    assert_same(R.geometric((3000,), dtype, p),
                torch.empty(3000, dtype=TORCH[dtype]).geometric_(p))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("median,sigma", [(0.0, 1.0), (0.3, 2.7)])
def test_cauchy(median, sigma, dtype):
    seeded(15)
    assert_same(R.cauchy((3000,), dtype, median, sigma),
                torch.empty(3000, dtype=TORCH[dtype]).cauchy_(median, sigma))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("size", [1, 7, 3001])
def test_log_normal_shares_the_normal_cache(size, dtype):
    seeded(16)
    assert_same(R.normal((3,), np.float64), torch.randn(3, dtype=torch.float64))
    assert_same(R.log_normal((size,), dtype, 0.5, 0.75),
                torch.empty(size, dtype=TORCH[dtype]).log_normal_(0.5, 0.75))
    assert_same_position()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_poisson_small_and_large_rates(dtype):
    rates = np.concatenate([np.random.default_rng(0).random(400) * 30,
                            [0, 0.5, 9.99, 10, 1e4]]).astype(dtype)
    seeded(18)
    assert_same(R.poisson(rates), torch.poisson(torch.from_numpy(rates)))
    assert_same_position()                               # unused batch draws given back


# ----------------------------------------------------------------------------- multinomial

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("replacement", [True, False])
@pytest.mark.parametrize("shape,k", [((10,), 1), ((10,), 4), ((1000,), 10), ((7, 30), 1),
                                     ((7, 30), 30), ((3, 5), 5), ((100, 12), 12)])
def test_multinomial(shape, k, replacement, dtype):
    rng = np.random.default_rng(len(shape) * 100 + k)
    probs = (rng.random(shape) ** 3).astype(dtype)
    for seed in (0, 2024):
        seeded(seed)
        ours = R.multinomial(probs, k, replacement)
        theirs = torch.multinomial(torch.from_numpy(probs), k, replacement)
        if dtype == np.float16 and not replacement and k > 1:
            theirs = _ties_in_index_order(theirs.numpy(), probs, seed)
        assert_same(ours, theirs)
        assert_same_position()


def _ties_in_index_order(picks, probs, seed):
    """torch's top-k lists equal keys (float16 round-offs) in its C++ sort's order; we
    list them by index. Re-order torch's ties by index to compare the rest exactly."""
    torch.manual_seed(seed)
    q = torch.empty(probs.shape, dtype=torch.float16).exponential_()
    keys = (torch.from_numpy(probs) / q).numpy().reshape(-1, probs.shape[-1])
    rows = picks.reshape(len(keys), -1).copy()
    for row, key in zip(rows, keys):
        row[:] = sorted(row, key=lambda i, key=key: (-float(key[i]), i))
    return rows.reshape(picks.shape)


def test_multinomial_with_replacement_many_samples_and_zero_weights():
    probs = np.array([0.0, 3.0, 0.0, 1.0, 0.5, 0.0], dtype=np.float32)
    seeded(17)
    ours = R.multinomial(probs, 5000, True)
    assert_same(ours, torch.multinomial(torch.from_numpy(probs), 5000, True))
    assert not np.isin(ours, [0, 2, 5]).any()


def test_multinomial_empty_rows():
    assert R.multinomial(np.ones((0, 4), np.float32), 2).shape == (0, 2)


# ----------------------------------------------------------------------------- sequences

def test_a_long_mixed_sequence_stays_in_step():
    seeded(2**32 + 5)
    p = np.full((40,), 0.25, dtype=np.float32)
    steps = [
        (lambda: R.uniform((17,), np.float32), lambda: torch.rand(17)),
        (lambda: R.normal((7,), np.float32), lambda: torch.randn(7)),
        (lambda: R.normal((33,), np.float64), lambda: torch.randn(33, dtype=torch.float64)),
        (lambda: R.randint(0, 10, (5,)), lambda: torch.randint(0, 10, (5,))),
        (lambda: R.randperm(30), lambda: torch.randperm(30)),
        (lambda: R.normal((1,), np.float32), lambda: torch.randn(1)),
        (lambda: R.bernoulli(p), lambda: torch.bernoulli(torch.from_numpy(p))),
        (lambda: R.multinomial(p, 3), lambda: torch.multinomial(torch.from_numpy(p), 3)),
        (lambda: R.exponential((9,), np.float32), lambda: torch.empty(9).exponential_()),
        (lambda: R.uniform((1,), np.float64), lambda: torch.rand(1, dtype=torch.float64)),
    ]
    for _ in range(3):
        for ours, theirs in steps:
            assert_same(ours(), theirs())
            assert_same_position()
    # 624 words per twist: cross several twists with one call and keep going
    assert_same(R.uniform((5000,), np.float32), torch.rand(5000))
    assert_same_position()


# ----------------------------------------------------------------------------- state

def test_state_bytes_equal_torchs_after_any_history():
    seeded(2024)
    assert_same_position()                               # fresh engine: left=1, next=0
    steps = [(lambda: R.uniform((624,), np.float32), lambda: torch.rand(624)),  # next=624
             (lambda: R.normal((3,), np.float64), lambda: torch.randn(3, dtype=torch.float64)),
             (lambda: R.uniform((1,), np.float32), lambda: torch.rand(1)),
             (lambda: R.normal((20,), np.float32), lambda: torch.randn(20))]
    for ours, theirs in steps:
        ours()
        theirs()
        assert_same_position()
    state = R.get_rng_state()
    assert isinstance(state, numtorch.Tensor) and state.dtype == numtorch.uint8
    assert np.array_equal(state.numpy(), torch.get_rng_state().numpy())


def test_torch_state_continues_in_numtorch_and_back():
    torch.manual_seed(77)
    torch.randn(5, dtype=torch.float64)                 # leaves a cached normal
    torch.rand(700)
    R.set_rng_state(torch.get_rng_state())
    assert_same(R.normal((3,), np.float64), torch.randn(3, dtype=torch.float64))
    assert_same(R.uniform((9,), np.float32), torch.rand(9))
    R.normal((5,), np.float64)
    R.uniform((1000,), np.float32)
    torch.set_rng_state(torch.from_numpy(R.get_rng_state().numpy().copy()))
    assert_same(R.normal((5,), np.float64), torch.randn(5, dtype=torch.float64))
    assert_same(R.uniform((9,), np.float32), torch.rand(9))
    assert R.initial_seed() == torch.initial_seed() == 77


def test_generator_set_state_round_trip():
    g = R.Generator().manual_seed(5)
    R.uniform((10,), np.float32, generator=g)
    saved = g.get_state()
    a = R.normal((7,), np.float64, generator=g)
    assert g.set_state(saved) is g
    assert np.array_equal(R.normal((7,), np.float64, generator=g), a)


def test_set_state_errors_like_torch():
    raises_like(RuntimeError, "Expected a CPUGeneratorImplState of size 5056 but found the input"
                " RNG state size to be 10", lambda: R.set_rng_state(np.zeros(10, np.uint8)))
    raises_like(TypeError, "RNG state must be a torch.ByteTensor",
                lambda: R.set_rng_state(np.zeros(5056, np.float32)))
    raises_like(RuntimeError, "Invalid mt19937 state",
                lambda: R.set_rng_state(np.zeros(5056, np.uint8)))


def test_fork_rng_restores_the_default_generator():
    seeded(21)
    with R.fork_rng():
        R.uniform((100,), np.float32)
        R.normal((3,), np.float64)
    assert_same(R.uniform((4,), np.float32), torch.rand(4))
    assert_same_position()


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call,exc,message", [
    (lambda: R.randperm(-1), RuntimeError,
     "Trying to create tensor with negative dimension -1: [-1]"),
    (lambda: R.randperm(3000, np.float16), RuntimeError,
     "n cannot be greater than 2049 for Half type."),
    (lambda: R.randperm(2**24 + 2, np.float32), RuntimeError,
     "n cannot be greater than 2^24+1 for Float type."),
    (lambda: R.randperm(129, np.int8), RuntimeError,
     "value cannot be converted to type int8_t without overflow"),
    (lambda: R.randperm(3, np.bool_), NotImplementedError,
     "\"randperm\" not implemented for 'Bool'"),
    (lambda: R.randint(5, 3, (3,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"),
    (lambda: R.randint(3, 3, (3,)), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=3 >= to=3"),
    (lambda: R.randint(0, 300, (3,), np.uint8), RuntimeError,
     "to - 1 is out of bounds for unsigned char"),
    (lambda: R.randint(-1, 3, (3,), np.uint8), RuntimeError,
     "from is out of bounds for unsigned char"),
    (lambda: R.randint(0, 2**40, (3,), np.int32), RuntimeError,
     "to - 1 is out of bounds for int"),
    (lambda: R.random_((3,), np.float16, 0, 2**20), RuntimeError,
     "to - 1 is out of bounds for c10::Half"),
    (lambda: R.random_((3,), np.bool_, 0, 3), RuntimeError, "to - 1 is out of bounds for bool"),
    (lambda: R.random_((3,), np.int32, -(2**63), None), RuntimeError,
     "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"),
    (lambda: R.multinomial(np.array([0.5, -0.1], np.float32), 1), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: R.multinomial(np.array([0.5, np.inf], np.float32), 1, True), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: R.multinomial(np.array([0.5, np.nan], np.float32), 1), RuntimeError,
     "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: R.multinomial(np.zeros(2, np.float32), 1), RuntimeError,
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    (lambda: R.multinomial(np.ones((2, 2), np.float32) * [[1], [0]], 1, True), RuntimeError,
     "invalid multinomial distribution (sum of probabilities <= 0)"),
    (lambda: R.multinomial(np.ones(2, np.float32), 3), RuntimeError,
     "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    (lambda: R.multinomial(np.ones(2, np.float32), 0), RuntimeError,
     "cannot sample n_sample <= 0 samples"),
    (lambda: R.multinomial(np.float32(0.5), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
    (lambda: R.multinomial(np.ones(2, np.int64), 1), RuntimeError,
     "multinomial only supports floating-point dtypes for input, got: Long"),
    (lambda: R.uniform((3,), np.float32, 2, 1), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    (lambda: R.uniform((3,), np.float16, 0, 1e6), RuntimeError,
     "to is out of bounds for c10::Half"),
    (lambda: R.uniform((3,), np.float32, -3e38, 3e38), RuntimeError,
     "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and "
     "from=-3e+38 which result in to-from to exceed the limit"),
    (lambda: R.uniform((3,), np.int64), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda: R.normal((3,), np.float32, 0, -1.5), RuntimeError,
     "normal expects std >= 0.0, but found std -1.5"),
    (lambda: R.normal((3,), np.float32, np.zeros(3), -np.ones(3)), RuntimeError,
     "normal expects all elements of std >= 0.0"),
    (lambda: R.normal((3,), np.int64), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda: R.exponential((3,), np.float32, -1), RuntimeError,
     "exponential_ expects lambda > 0.0, but found lambda=-1"),
    (lambda: R.exponential((3,), np.int64), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a "
     "floating point but you specified Long"),
    (lambda: R.bernoulli_scalar((3,), 1.5, np.float32), RuntimeError,
     "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    (lambda: R.bernoulli(np.array([0.5, 1.5])), RuntimeError,
     "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be"
     " improved?  If so, please report an enhancement request to PyTorch.)"),
    (lambda: R.geometric((3,), np.float32, 0), RuntimeError,
     "geometric_ expects p to be in (0, 1), but got p=0"),
    (lambda: R.cauchy((3,), np.float32, 0, 0), RuntimeError,
     "cauchy_ expects sigma > 0.0, but found sigma=0"),
    (lambda: R.log_normal((3,), np.float32, 0, 0), RuntimeError,
     "log_normal_ expects std > 0.0, but found std=0"),
    (lambda: R.geometric((3,), np.bool_, 0.5), NotImplementedError,
     "\"geometric_cpu\" not implemented for 'Bool'"),
    (lambda: R.log_normal((3,), np.int64), NotImplementedError,
     "\"log_normal_cpu\" not implemented for 'Long'"),
    (lambda: R.poisson(np.array([-1.0])), RuntimeError,
     "invalid Poisson rate, expected rate to be non-negative"),
    (lambda: R.poisson(np.array([1])), NotImplementedError,
     "\"poisson_cpu\" not implemented for 'Long'"),
])
def test_errors_match_torch(call, exc, message):
    raises_like(exc, message, call)


def test_errors_leave_the_generator_untouched():
    seeded(30)
    for bad in (lambda: R.multinomial(np.array([1.0, -1.0], np.float32), 1, True),
                lambda: R.randint(4, 2, (3,)), lambda: R.randperm(-3)):
        with pytest.raises(RuntimeError):
            bad()
    assert_same_position()


def test_libm_helper_matches_the_c_library():
    x = np.random.default_rng(0).random(20000) * 7
    for name in ("log", "exp", "sin", "cos", "tan", "log1p"):
        ref = np.array([getattr(math, name)(v) for v in x])
        assert np.array_equal(R._libm(name, x), ref), name


# ------------------------------------------------------- tensors laid out out of C order
# PyTorch's kernels write a tensor in memory order, so the draws into a transposed tensor
# land transposed; a *_like result copies a dense input's layout (preserve_format); and a
# tensor that is not contiguous gets its normals from the element-by-element sampler.

_FILLS = {
    "uniform_": lambda t, lib: t.uniform_(-1, 2),
    "normal_": lambda t, lib: t.normal_(0.5, 2.0),
    "bernoulli_": lambda t, lib: t.bernoulli_(0.3),
    "bernoulli_ probs": lambda t, lib: t.bernoulli_(lib.full(t.shape, 0.3).t().contiguous().t()
                                                     if t.ndim == 2 else lib.full(t.shape, 0.3)),
    "exponential_": lambda t, lib: t.exponential_(),
    "random_": lambda t, lib: t.random_(0, 10),
    "geometric_": lambda t, lib: t.geometric_(0.3),
    "cauchy_": lambda t, lib: t.cauchy_(),
    "log_normal_": lambda t, lib: t.log_normal_(),
    "rand_like": lambda t, lib: lib.rand_like(t),
    "randn_like": lambda t, lib: lib.randn_like(t),
    "randint_like": lambda t, lib: lib.randint_like(t, 3, 9),
    "init.trunc_normal_": lambda t, lib: lib.nn.init.trunc_normal_(t),
    "init.kaiming_normal_": lambda t, lib: lib.nn.init.kaiming_normal_(t),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,view", [((4, 5), lambda t: t.t()), ((2, 3), lambda t: t.t()),
                                        ((5, 40), lambda t: t.t()),
                                        ((2, 3, 4), lambda t: t.permute(2, 0, 1)),
                                        ((4, 6), lambda t: t[::2, 1::2].t())])
@pytest.mark.parametrize("name", list(_FILLS))
def test_draws_into_tensors_out_of_c_order_match_torch(name, shape, view, dtype):
    results = []
    for lib in (numtorch, torch):
        lib.manual_seed(7)
        t = view(lib.empty(shape, dtype=getattr(lib, dtype)))
        out = _FILLS[name](t, lib)
        results.append((out.stride(), out.numpy()))
    (ours_stride, ours), (ref_stride, ref) = results
    assert ours_stride == ref_stride
    assert_same(ours, ref)
    assert_same_position()


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like", "empty_like", "rand_like"])
def test_like_results_keep_a_dense_inputs_layout(fn):
    for make in (lambda lib: lib.ones(2, 3).t(), lambda lib: lib.ones(2, 3, 4).permute(1, 2, 0),
                 lambda lib: lib.ones(4, 6)[::2, ::2], lambda lib: lib.ones(3, 1).expand(3, 4),
                 lambda lib: lib.ones(2, 1, 3).transpose(0, 2)):
        ours = getattr(numtorch, fn)(make(numtorch))
        ref = getattr(torch, fn)(make(torch))
        assert ours.stride() == ref.stride() and ours.is_contiguous() == ref.is_contiguous()
    t = numtorch.ones(2, 3).t()
    assert numtorch.zeros_like(t, memory_format=numtorch.contiguous_format).stride() == (2, 1)


@pytest.mark.parametrize("n,bound", [(0, 0), (1, 1), (5, 5), (65536, 65536), (65537, 65537),
                                     (200000, 3), (1000, 2**40)])
def test_randperm_stable_order_is_a_stable_argsort(n, bound):
    # randperm's replay of the swaps groups equal keys in index order (a radix sort over
    # 16-bit digits, as many as the keys' bound needs)
    from numtorch.random import _stable_order

    keys = np.random.default_rng(n).integers(0, bound, n).astype(np.int64)
    np.testing.assert_array_equal(_stable_order(keys, bound), np.argsort(keys, kind="stable"))
