"""Random numbers, bit for bit the same as PyTorch's CPU generator.

``numtorch.manual_seed(2024); numtorch.rand(4, 2)`` prints the numbers the
same call prints in PyTorch: every kernel here replays PyTorch's CPU
algorithms on NumPy arrays, draw for draw and rounding for rounding.

The engine
    PyTorch's CPU generator is a Mersenne Twister (mt19937). ``manual_seed(s)``
    fills its 624-word state from the low 32 bits of ``s`` with the standard
    ``init_genrand`` recurrence; the first draw then "twists" the whole state.
    NumPy's ``MT19937`` bit generator runs the same twist and tempering, so we
    build the state ourselves, hand it to NumPy with position 624 ("twist
    before the next draw") and read raw 32-bit words with ``random_raw``.
    PyTorch's 64-bit draw is two 32-bit words, the first one high.

The transforms (``u32``: one 32-bit word, ``u64``: a 64-bit draw)
    uniform    float32/float16: the low 24 bits of a u32 times 2**-24; float64: the
               low 53 bits of a u64 times 2**-53. ``x * (to - from) + from`` is one
               fused multiply-add in the compiled kernel, so we round it once too;
               a value that rounds up to ``to`` becomes ``from``.
    normal     numel >= 16 (contiguous): draw all uniforms, then Box-Muller on
               blocks of 16 (lanes 0-7 give ``u1``, lanes 8-15 ``u2``; the block
               becomes 8 cosines then 8 sines); a ragged tail re-draws 16 fresh
               uniforms for the last 16 elements. float32 uses PyTorch's AVX2
               polynomial log/sin/cos (Cephes coefficients, evaluated with fused
               multiply-adds); we replay that arithmetic exactly. float16 runs the
               float32 blocks and rounds. float64 calls the C library's
               log/sin/cos.
               numel < 16: one Box-Muller pair per two elements from two u64
               uniforms, ``sqrt(-2 log1p(-u2))`` times ``cos``/``sin`` of
               ``2 pi u1``; the unused sine is cached in the generator and
               returned by the next such draw (``next_double_normal_sample``).
    randint    ``u32 % range + low`` (a u64 draw when the range is 2**28 or more).
    randperm   Fisher-Yates: step ``i`` swaps ``a[i]`` with ``a[i + u32 % (n - i)]``
               (n >= 2**32/20 uses the "inside-out" shuffle with u64 draws).
               The swaps are sequential, so we resolve them with a sort and
               pointer jumping instead of a Python loop (see ``_fisher_yates``).
    bernoulli  ``uniform < p``: u64 uniforms for a scalar or float64 p, u32
               uniforms for a float32/float16 p tensor.
    exponential ``-1/lambda * log1p(-u)`` with u64 uniforms, in double.
    geometric, cauchy, log_normal: one u64 uniform (log_normal: one scalar
               Box-Muller draw, sharing the cache) per element, in double.
    multinomial with replacement: one u64 uniform per sample, binary search in
               the normalised cumulative sum; without replacement, or for one
               sample: ``p / q`` with ``q ~ Exp(1)``, then argmax / top-k.
    poisson    rejection sampling element by element (a Python loop: how many
               draws an element takes depends on the draws).
    standard_gamma  Marsaglia-Tsang rejection element by element (a Python loop too),
               on u64 uniforms and scalar Box-Muller normals sharing the cache.
    dirichlet  float64 gamma draws, each row divided by its sum (added in PyTorch's
               order: its 4-lane vector kernel's).
    binomial   element by element: inversion (sums of geometric draws) below a mean of
               10, Hoermann's BTRS rejection from 10 up; u64 uniforms.

Exactness
    Where PyTorch calls the C math library (log, sin, cos, exp, tan, log1p in
    double) we need that library's exact bits, not NumPy's (NumPy's SIMD log
    differs from glibc's in the last bit about once in 500 calls). ``_libm``
    estimates each value in extended precision and asks Python's ``math``
    module, which calls the same C library as PyTorch, only for the values too
    close to a rounding tie to decide; log1p (not correctly rounded in glibc)
    always goes through ``math``. sin and cos come straight from NumPy where
    its float64 loop is the C library's (checked once, ``_numpy_is_libm``).
    The fused ``a*b + c`` of float64 kernels is rebuilt exactly from
    error-free transformations (``_fma64``). Still, the float64 kernels that
    need log (randn/normal_ float64, exponential_, cauchy_, log_normal_) run
    a few times slower than PyTorch, and float32 randn pays for replaying the
    AVX2 arithmetic step by step (see ``bench/random.py``). The Box-Muller
    blocks of large draws are split over the CPU's threads.

Known differences
    * PyTorch seeds its default generator from /dev/urandom at start-up; ours
      starts from ``67280421310721`` (what ``torch.Generator()`` starts from),
      so a program is reproducible even without ``manual_seed``.
    * Builds of PyTorch that route ``bernoulli_(p)`` and ``exponential_`` through
      Intel MKL's VSL streams (some 1.x/2.x releases on Intel CPUs) give other
      numbers; PyTorch 2.13's CPU build uses its own generator, which we match.
    * The float32 normal kernel replays the AVX2 code path that PyTorch's x86
      builds use; a PyTorch build without AVX2 (or on ARM) uses the C library's
      logf/sinf/cosf instead and gives different last bits.
    * multinomial without replacement lists categories with equal keys (zero
      probabilities past the positive ones, float16 round-offs) in index order;
      PyTorch's order for such ties comes from its C++ sort.
    * poisson's rejection test for rates >= 10 uses Python's ``math.lgamma``,
      not the C library's; they can differ in the last bit, which flips a
      decision only when both sides of the test agree to ~16 digits.
    * dirichlet adds each row's gammas in the order of PyTorch's x86 float64 sum kernel
      (4-lane vectors, four accumulators, a cascade); a build whose vectors hold another
      number of doubles would add them in another order (the last bit of the sum).
    * bfloat16 is not a NumPy dtype, so it has no kernels here.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import math
import os
import struct
import sys
import threading
from collections.abc import Iterator

import numpy as np

from . import _warnings
from .backend import parallel
from .backend.fma import fma32 as _fma32
from .backend.fma import fma64 as _fma64

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "fork_rng",
    "uniform", "normal", "randint", "random_", "randperm", "exponential",
    "bernoulli", "bernoulli_scalar", "multinomial", "geometric", "cauchy", "log_normal", "poisson",
    "standard_gamma", "dirichlet", "binomial",
]

DEFAULT_SEED = 67280421310721
_N = 624                      # mt19937 state words
_STATE_SIZE = 5056            # bytes in PyTorch's CPUGeneratorImplState

# PyTorch's get_rng_state() is a memcpy of this C struct (x86-64 layout, padding zeroed).
_STATE_DTYPE = np.dtype({
    "names": ["initial_seed", "left", "seeded", "next", "state",
              "normal_x", "normal_y", "normal_rho", "normal_is_valid",
              "next_float_normal", "next_float_normal_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _N),
                "<f8", "<f8", "<f8", "<i4", "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": _STATE_SIZE,
})


# ----------------------------------------------------------------------------- generator

def _seed_to_uint64(seed) -> int:
    """PyTorch accepts seeds in [-2**63, 2**64); negative ones wrap to uint64."""
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


def _init_genrand(seed32: int) -> np.ndarray:
    """The standard mt19937 seeding recurrence (inherently sequential: 623 steps)."""
    key = np.empty(_N, dtype=np.uint32)
    x = seed32
    key[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key[j] = x
    return key


class Generator:
    """A random number generator: PyTorch's mt19937 CPU generator, on NumPy.

    Args:
        device: where tensors drawn with it live. The numbers are always made
            on the CPU (as PyTorch's CPU generator does).

    Example::

        >>> g = Generator().manual_seed(0)
        >>> uniform((3,), np.float32, generator=g)
        array([0.4962566 , 0.7682218 , 0.08847743], dtype=float32)
    """

    def __init__(self, device="cpu"):
        from ._device import to_device

        self.device = to_device(device)
        self._mt = np.random.MT19937(0)
        self.manual_seed(DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<numtorch._C.Generator object at {id(self):#x}>"

    # -- seeding ------------------------------------------------------------------------
    def manual_seed(self, seed: int) -> Generator:
        """Seed the engine (only the low 32 bits reach mt19937) and drop cached normals."""
        seed = _seed_to_uint64(seed)
        self._initial_seed = seed
        self._set_engine(_init_genrand(seed & 0xFFFFFFFF), pos=_N)
        # PyTorch reports next=0 for a fresh engine and next=624 after 624 draws;
        # both mean "twist before the next draw" (NumPy pos 624), so remember which.
        self._fresh = True
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None
        return self

    def seed(self) -> int:
        """Seed from the OS entropy pool (64 bits, as PyTorch) and return the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._initial_seed

    def _set_engine(self, key: np.ndarray, pos: int) -> None:
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    # -- state --------------------------------------------------------------------------
    def get_state(self):
        """The state as a uint8 Tensor with PyTorch's 5056-byte layout (interchangeable)."""
        from numtorch import from_numpy

        return from_numpy(self._state_bytes())

    def set_state(self, new_state) -> Generator:
        """Restore a state from ``get_state`` here or ``torch.get_rng_state()``."""
        self._load_state_bytes(_state_array(new_state))
        return self

    def _state_bytes(self) -> np.ndarray:
        st = self._mt.state["state"]
        pos = int(st["pos"])
        rec = np.zeros((), dtype=_STATE_DTYPE)
        rec["initial_seed"] = self._initial_seed
        rec["left"] = 1 if pos >= _N else _N + 1 - pos
        rec["seeded"] = 1
        rec["next"] = 0 if (pos >= _N and self._fresh) else pos
        rec["state"] = st["key"].astype(np.uint64)
        if self._next_double_normal is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self._next_double_normal
        if self._next_float_normal is not None:
            rec["next_float_normal_valid"] = 1
            rec["next_float_normal"] = self._next_float_normal
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def _load_state_bytes(self, raw: np.ndarray) -> None:
        if raw.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but "
                               f"found the input RNG state size to be {raw.size}")
        rec = np.frombuffer(np.ascontiguousarray(raw).tobytes(), dtype=_STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (rec["seeded"] != 0 and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        # The engine reads state[next] and twists when `left` runs out; NumPy's pos
        # counts the same thing from the other end.
        self._set_engine(rec["state"].astype(np.uint32), pos=_N + 1 - left if left > 1 else _N)
        self._initial_seed = int(rec["initial_seed"])
        self._fresh = left == 1 and nxt == 0
        self._next_double_normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._next_float_normal = (float(rec["next_float_normal"])
                                   if rec["next_float_normal_valid"] else None)

    # -- raw draws (the kernels' only source of randomness) ----------------------------
    def _u32(self, n: int) -> np.ndarray:
        """n 32-bit draws, as uint64 values below 2**32 (NumPy's raw output)."""
        if n:
            self._fresh = False
        return self._mt.random_raw(n)

    def _u64(self, n: int) -> np.ndarray:
        """n 64-bit draws, each two 32-bit words with the first one high."""
        words = self._u32(2 * n)
        out = words[0::2] << np.uint64(32)
        out |= words[1::2]
        return out


def _state_array(state) -> np.ndarray:
    """A uint8 NumPy view of a state Tensor / array, with PyTorch's type error."""
    arr = state.numpy() if hasattr(state, "numpy") else state
    if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    return arr.reshape(-1)


default_generator = Generator()


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a numtorch.Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed) -> Generator:
    """Seed the default generator; returns it (as ``torch.manual_seed``)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 Tensor (PyTorch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """Run a block and then put the CPU generator's state back, as ``torch.random.fork_rng``.

    numtorch draws every number (cuda tensors included) from the CPU generator,
    so saving that one state covers all devices.
    """
    if not enabled:
        yield
        return
    saved = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator._load_state_bytes(saved)


# ----------------------------------------------------------------------------- helpers

_F32, _F64, _F16 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)
_FLOATS = (_F16, _F32, _F64)
_TORCH_NAME = {"float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}
_C_NAME = {"float16": "c10::Half", "float32": "float", "float64": "double",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


def _np_dtype(dtype) -> np.dtype:
    """Accept a numtorch dtype (it carries ``.np``), a NumPy dtype or anything NumPy takes."""
    return np.dtype(getattr(dtype, "np", dtype))


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _numel(shape: tuple[int, ...]) -> int:
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, shape))}]")
    return math.prod(shape)


def _g(x: float) -> str:
    """Format a double as C++'s ostream does in PyTorch's messages (like %g)."""
    return f"{x:g}"


def _not_implemented(kernel: str, dt: np.dtype) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{_TORCH_NAME[dt.name]}\'')


def _float_kernel_dtype(dtype, kernel: str) -> np.dtype:
    dt = _np_dtype(dtype)
    if dt not in _FLOATS:
        raise _not_implemented(kernel, dt)
    return dt


_EXTENDED = np.finfo(np.longdouble).nmant >= 63      # x86's 80-bit long double
# How far from a rounding tie (in ulps) an extended-precision estimate must lie for the
# C library to round it the same way: glibc keeps exp/sin/cos/tan within 0.55 ulp, and
# its log (since 2.28; before, correctly rounded) within 0.52 ulp. The margin covers
# the estimate's own error (about 2**-11 ulp).
_TIE_ZONE = {"log": 0.025, "exp": 0.05, "sin": 0.05, "cos": 0.05, "tan": 0.05}
_NUMPY_IS_LIBM: dict[str, bool] = {}


def _numpy_is_libm(name: str) -> bool:
    """Whether NumPy's float64 ``name`` loop is the C library's function itself.

    NumPy builds call the C library for float64 sin/cos unless they have a SIMD
    implementation of their own (some releases did, and those differ in the last bit
    now and then). Checked once against ``math`` on 20000 arguments: an own
    implementation would disagree on dozens of them.
    """
    if name not in _NUMPY_IS_LIBM:
        x = np.random.default_rng(12345).random(20000)
        x[:16000] *= 2 * math.pi                       # Box-Muller's angles
        x[16000:] = (x[16000:] - 0.5) * 2e4
        ref = np.fromiter(map(getattr(math, name), x.tolist()), np.float64, count=x.size)
        _NUMPY_IS_LIBM[name] = bool(np.array_equal(getattr(np, name)(x), ref))
    return _NUMPY_IS_LIBM[name]


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """The C library's float64 ``name(x)`` (what PyTorch's kernels call), vectorised.

    sin and cos come straight from NumPy where its loop is the C library's (checked by
    ``_numpy_is_libm``). For the other functions the C library rounds almost correctly
    we estimate in extended precision and only call the library, through ``math``, for
    the values whose estimate lies too close to a rounding tie to decide (``_TIE_ZONE``:
    one value in ten to twenty); log1p has no such guarantee and is always called per
    element.
    """
    x = np.asarray(x, dtype=np.float64)
    if name in ("sin", "cos") and _numpy_is_libm(name):
        return getattr(np, name)(x)
    if _EXTENDED and name in _TIE_ZONE:
        wide = getattr(np, name)(x.astype(np.longdouble))
        y = wide.astype(np.float64)
        with np.errstate(invalid="ignore"):
            off = np.abs((wide - y).astype(np.float64) / np.spacing(np.abs(y)))
            unsure = ~(off < 0.5 - _TIE_ZONE[name])
            unsure |= (y.view(np.uint64) & ((1 << 52) - 1)) == 0
        idx = np.flatnonzero(unsure)
    else:
        y = np.empty_like(x)
        idx = np.arange(x.size)
    y.flat[idx] = _call_each(getattr(math, name), x.flat[idx])
    return y


def _call_each(func, values: np.ndarray) -> np.ndarray:
    """``func`` on each value; where ``math`` raises, return what C returns instead."""
    try:
        return np.fromiter(map(func, values.tolist()), np.float64, count=values.size)
    except (ValueError, OverflowError):
        return np.array([_call(func, v) for v in values.tolist()], dtype=np.float64)


def _call(func, v: float) -> float:
    try:
        return func(v)
    except ValueError:                        # math raises where C returns -inf / nan
        return -math.inf if v == 0 or v == -1 else math.nan
    except OverflowError:
        return math.inf


def _round_checked(approx: np.ndarray, tol: np.ndarray, exact_one, cast) -> np.ndarray:
    """``cast`` values known only to within ``tol``; recompute exactly (``exact_one(i)``)
    the few whose interval straddles a rounding boundary of ``cast``."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = cast(approx)
        unsure = np.flatnonzero(~(cast(approx - tol) == cast(approx + tol)))
    for i in unsure:
        out.flat[i] = cast(np.float64(exact_one(int(i))))
    return out


# ----------------------------------------------------------------------------- uniform

def _uniform01_f32(g: Generator, n: int) -> np.ndarray:
    """float32 uniforms in [0, 1): 24 random bits over 2**24 (also used for float16)."""
    return _bits_to_f32(g._u32(n))


def _bits_to_f32(bits: np.ndarray) -> np.ndarray:
    """u32 draws (NumPy's raw output: uint64 values below 2**32) -> float32 uniforms.

    Read as int32 through their low 32-bit words: NumPy converts int32 to float32 twice
    as fast as uint64."""
    low = bits.view(np.int32)[..., _LOW_WORD::2]
    out = (low & 0xFFFFFF).astype(np.float32)
    out *= np.float32(2.0**-24)
    return out


_LOW_WORD = 0 if sys.byteorder == "little" else 1


def _uniform01_f64(g: Generator, n: int) -> np.ndarray:
    """float64 uniforms in [0, 1): 53 random bits of a u64 over 2**53."""
    return _bits_to_f64(g._u64(n))


def _bits_to_f64(bits: np.ndarray) -> np.ndarray:
    """u64 draws -> float64 uniforms (``bits`` is overwritten)."""
    bits &= np.uint64((1 << 53) - 1)
    out = bits.astype(np.float64)
    out *= 2.0**-53
    return out


def uniform(shape, dtype, low: float = 0.0, high: float = 1.0,
            generator: Generator | None = None) -> np.ndarray:
    """Uniform numbers in [low, high): ``rand``, ``rand_like``, ``Tensor.uniform_``."""
    shape = _shape(shape)
    dt = _float_kernel_dtype(dtype, "check_uniform_bounds")
    low, high = _check_uniform_bounds(float(low), float(high), dt)
    n = _numel(shape)
    g = _gen(generator)
    if dt == _F64:
        x = _uniform01_f64(g, n)
        out = x if (low, high) == (0.0, 1.0) else _elementwise(_fma64, x, high - low, low)
    else:
        x = _uniform01_f32(g, n)
        lo32, hi32 = np.float32(low), np.float32(high)
        out = x if (low, high) == (0.0, 1.0) else _elementwise(_fma32, x, hi32 - lo32, lo32)
        out = out.astype(dt, copy=False)
    if dt == _F16 or (low, high) != (0.0, 1.0):
        # Rounding can land on `high` itself; PyTorch then returns `low`: [low, high).
        out[out == dt.type(high)] = dt.type(low)
    return out.reshape(shape)


def _check_uniform_bounds(low: float, high: float, dt: np.dtype) -> tuple[float, float]:
    info = np.finfo(dt)
    lo, hi = float(info.min), float(info.max)
    for name, v in (("from", low), ("to", high)):
        if not lo <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {_C_NAME[dt.name]}")
    if not low <= high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_g(low)} > to={_g(high)}")
    if not high - low <= hi:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{_TORCH_NAME[dt.name]}>::max(), but found to={_g(high)} and "
                           f"from={_g(low)} which result in to-from to exceed the limit")
    return low, high


# ----------------------------------------------------------------------------- normal
# PyTorch's x86 build computes float32 normals 8 lanes at a time with Cephes-style
# polynomial log/sin/cos (its avx_mathfun.h), compiled with fused multiply-adds. We
# replay that arithmetic on whole arrays: every float32 operation below rounds exactly
# where the vector instruction rounds. Plain float32 operations run in float32. A fused
# step a*b+c is computed in float64 (the product is exact there) and rounded once to
# float32, in one of two ways:
# - ``_MagicRound``: where every result of the step lies in one binade, adding a constant
#   makes the float64 sum itself round to the float32 grid: one correct rounding.
# - ``_round_f32``: elsewhere, the float64 sum is rounded on its bits, half-way cases away
#   from zero. Over all 2**24 possible inputs no sum rounded this way is a float32 tie
#   (checked exhaustively against the float64 -> float32 cast), so this is round to even.
# Every array op costs a pass over memory, so the kernel works in place on scratch arrays
# (``_Scratch``) reused from chunk to chunk, and avoids mixed-dtype and boolean arithmetic.

_LOG_POLY = [np.float64(np.float32(c)) for c in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1 = np.float32(-2.12194440e-4)
_LOG_Q2 = np.float32(0.693359375)
_SQRT_HALF_MANTISSA = 0x3504F3            # the mantissa bits of float32 sqrt(1/2)
_FOUR_OVER_PI = np.float32(1.27323954473516)
_DP1, _DP2 = np.float32(-0.78515625), np.float32(-2.4187564849853515625e-4)
_DP3 = np.float64(np.float32(-3.77489497744594108e-8))
# (cosine, sine) coefficient pairs, as columns: both polynomials run in one array.
_SINCOS_POLY = [np.array([[np.float32(c)], [np.float32(s)]], dtype=np.float64) for c, s in (
    (2.443315711809948e-5, -1.9515295891e-4), (-1.388731625493765e-3, 8.3321608736e-3),
    (4.166664568298827e-2, -1.6666654611e-1))]
_TWO_PI_F32 = np.float32(2.0 * math.pi)
# Lanes per chunk (a lane: one log and one sincos). Smaller chunks lose time to the
# kernel's ~110 NumPy calls each: about 1 us apiece, and the GIL handed between the two
# threads at each, which costs far more on some machines than on others. Larger ones
# lose to cache misses. randn(1_000_000) on 2 threads: on a Xeon 32768 measured best of
# 8192..65536; on an AMD EPYC VM 17.5 ms at 32768, 13.7 ms at 65536, 13.2 at 131072
# (one thread: 14.8 ms, whatever the chunk).
_NORMAL_CHUNK = 65536


class _MagicRound:
    """Round ``y*x + c`` once to float32 where all its values lie in the binade
    ``[2**e, 2**(e+1))`` (either sign): float64 numbers near ``M = 1.5 * 2**(e+29)`` are
    spaced one float32 step of that binade apart, so ``y*x + (c + M)`` (with ``c + M``
    exact) rounds in float64 straight to the float32 grid, to nearest even; ``- M`` is
    then exact. ``e`` may be a column of binades, one per row of coefficients."""

    def __init__(self, c, e):
        self.magic = 1.5 * np.exp2(np.asarray(e, np.float64) + 29)
        self.shifted = c + self.magic
        assert np.all(self.shifted - self.magic == c)       # c is on the grid

    def add_and_round(self, y64: np.ndarray) -> None:
        y64 += self.shifted
        y64 -= self.magic


_LOG_LAST = _MagicRound(_LOG_POLY[8], -2)         # y*x + c8 lies in [0.25, 0.5)
# cosine then sine steps: within [2**-10, 2**-9) and [2**-7, 2**-6), then [2**-5, 2**-4)
# and [2**-3, 2**-2); the log's other steps straddle two binades.
_SINCOS_STEPS = [_MagicRound(_SINCOS_POLY[1], [[-10], [-7]]),
                 _MagicRound(_SINCOS_POLY[2], [[-5], [-3]])]
_HALF_F32_STEP = np.int64(1 << 28)                # in float64 bits: half a float32 step
_F32_BITS = np.int64(-(1 << 29))                  # the bits a float32 keeps


def _round_f32(y64: np.ndarray) -> None:
    """Round float64 values to float32 precision in place, half-way cases away from zero:
    only for the fused steps that never produce a half-way case (see above)."""
    bits = y64.view(np.int64)
    bits += _HALF_F32_STEP
    bits &= _F32_BITS


def _round_f32_even(y64: np.ndarray, buf32: np.ndarray) -> None:
    """Round float64 values to float32 precision in place, to even (through ``buf32``)."""
    np.copyto(buf32, y64, casting="same_kind")
    np.copyto(y64, buf32)


class _Scratch:
    """Named scratch arrays of a chunk's length, kept to be reused by the next chunk
    (fresh arrays cost page faults). One per thread: the arrays are overwritten."""

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def __call__(self, name: str, n: int, dtype, rows: int = 1) -> np.ndarray:
        nbytes = n * rows * np.dtype(dtype).itemsize
        buf = self._buffers.get(name)
        if buf is None or buf.size < nbytes:
            buf = self._buffers[name] = np.empty(nbytes, np.uint8)
        arr = buf[:nbytes].view(dtype)
        return arr.reshape(rows, n) if rows > 1 else arr


def _avx2_log(u1: np.ndarray, scratch: _Scratch | None = None) -> np.ndarray:
    """log(u1) for float32 u1 in (0, 1], exactly as PyTorch's log256_ps rounds it. The
    result is a scratch array (named "i1")."""
    s, n = scratch or _Scratch(), u1.size
    bits = u1.view(np.int32)
    mant, small, e = s("i1", n, np.int32), s("i2", n, np.int32), s("i3", n, np.int32)
    # u1 = mant * 2**e with mant in [sqrt(1/2), sqrt(2)): from the bits, no branches.
    np.bitwise_and(bits, 0x007FFFFF, out=mant)
    np.subtract(mant, _SQRT_HALF_MANTISSA, out=small)
    small >>= 31                              # -1 where [0.5, 1)'s mantissa < sqrt(1/2)
    np.right_shift(bits, 23, out=e)
    e += small
    e -= 126
    expo = s("f1", n, np.float32)
    np.copyto(expo, e, casting="unsafe")
    small &= 0x00800000                       # there take 2*mant: one more in the exponent
    mant |= 0x3F000000
    mant |= small
    x = mant.view(np.float32)
    x -= np.float32(1)                        # exact
    z, tmp = s("f2", n, np.float32), s("f3", n, np.float32)
    np.multiply(x, x, out=z)
    x64, z64, y = s("d1", n, np.float64), s("d2", n, np.float64), s("d3", n, np.float64)
    np.copyto(x64, x)
    np.copyto(z64, z)
    # The polynomial, one fused step per coefficient.
    np.multiply(x64, _LOG_POLY[0], out=y)
    for c in _LOG_POLY[1:8]:
        y += c
        _round_f32(y)
        y *= x64
    _LOG_LAST.add_and_round(y)
    y *= x64
    _round_f32_even(y, tmp)                   # a plain product (can be a tie)
    y *= z64
    np.multiply(expo, _LOG_Q1, out=tmp)
    y += tmp                                  # fused: y*z + e*q1
    np.copyto(tmp, y, casting="same_kind")
    z *= np.float32(0.5)
    tmp -= z
    x += tmp
    expo *= _LOG_Q2                           # e*q2 is exact, so this fma is one add
    x += expo
    return x


def _avx2_sincos(theta: np.ndarray, scratch: _Scratch | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(sin, cos) of float32 theta in [0, 2 pi), exactly as PyTorch's sincos256_ps. The
    results are rows of a scratch array (named "o"); scratch "i1" is left alone."""
    s, n = scratch or _Scratch(), theta.size
    j, jf, x = s("i2", n, np.int32), s("i3", n, np.float32), s("f1", n, np.float32)
    np.multiply(theta, _FOUR_OVER_PI, out=x)
    np.copyto(j, x, casting="unsafe")         # truncation
    j += 1
    j &= ~1                                   # octant, rounded up to even
    np.copyto(jf, j, casting="unsafe")
    tmp = s("f2", n, np.float32)
    np.multiply(jf, _DP1, out=x)              # DP1, DP2 products are exact
    x += theta
    np.multiply(jf, _DP2, out=tmp)
    x += tmp
    x64, z64 = s("d1", n, np.float64), s("d2", n, np.float64)
    np.multiply(jf, _DP3, out=x64)            # float64: the fused DP3 step
    x64 += x
    _round_f32_even(x64, x)
    np.multiply(x, x, out=tmp)
    np.copyto(z64, tmp)
    # Both polynomials in z at once: row 0 the cosine one, row 1 the sine one.
    poly = s("p", n, np.float64, 2)
    np.multiply(z64, _SINCOS_POLY[0], out=poly)
    for step in _SINCOS_STEPS:
        step.add_and_round(poly)
        poly *= z64
    _round_f32(poly)
    yc, ys = poly
    yc *= z64
    z64 *= 0.5
    yc -= z64                                 # fused: y*z - z/2 (z/2 exact)
    ys *= x64
    ys += x64                                 # fused: y*x + x
    out = s("o", n, np.float32, 2)
    np.copyto(out, poly, casting="same_kind")
    out[0] += np.float32(1)
    # Octants 0, 3, 4, 7 take sin from the sine polynomial, the others swap; then the
    # signs flip by octant. Done on the bits, as the vector code does.
    cos_bits, sin_bits = out.view(np.int32)
    swap, d = s("i3", n, np.int32), s("f2", n, np.int32)
    np.left_shift(j, 30, out=swap)
    swap >>= 31                               # all ones where j & 2: swap
    np.bitwise_xor(cos_bits, sin_bits, out=d)
    d &= swap
    sin_bits ^= d
    cos_bits ^= d
    np.bitwise_and(j, 4, out=d)
    d <<= 29
    sin_bits ^= d                             # negative where j & 4
    np.subtract(1, j, out=d)                  # ~(j - 2)
    d &= 4
    d <<= 29
    cos_bits ^= d                             # negative where (j - 2) & 4 is clear
    return out[1], out[0]


def _box_muller_f32_blocks(bits: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 u32 draws -> rows of 8 cosines and 8 sines, scaled (float32). Each
    chunk turns its draws into uniforms itself, on its thread, while they are in cache."""
    mean32, std32 = np.float32(mean), np.float32(std)
    local = threading.local()                 # one _Scratch per thread, for this call

    def rows(blk, dst):
        s = getattr(local, "scratch", None) or _Scratch()
        local.scratch = s
        n = blk.shape[0] * 8
        # Draws 0-7 of each row give u1 (row 0 here), draws 8-15 theta (row 1).
        k = s("k", n, np.int32, 2)
        np.copyto(k.reshape(2, -1, 8), blk.reshape(-1, 2, 8).transpose(1, 0, 2),
                  casting="unsafe")           # the low 32 bits
        k &= 0xFFFFFF
        u = s("u", n, np.float32, 2)
        np.copyto(u, k, casting="unsafe")
        u *= np.float32(2.0**-24)
        u1, theta = u
        np.subtract(np.float32(1), u1, out=u1)
        theta *= _TWO_PI_F32
        radius = _avx2_log(u1, s)
        radius *= np.float32(-2)
        np.sqrt(radius, out=radius)
        sin, cos = _avx2_sincos(theta, s)
        cos *= radius
        sin *= radius
        out = dst.reshape(-1, 2, 8)
        for half, z in ((0, cos), (1, sin)):
            if std32 == 1:
                np.add(z.reshape(-1, 8), mean32, out=out[:, half])   # z*1 is exact: one add
            else:
                out[:, half] = _fma32(z, std32, mean32).reshape(-1, 8)
    return _over_rows(rows, bits, _NORMAL_CHUNK // 8, np.float32)


# Elements per chunk for the other kernels (uniform ranges, float64 normals): the
# temporaries stay in a core's L2 cache and off mmap.
_CHUNK = 65536


def _over_rows(kernel, u: np.ndarray, chunk_rows: int, dtype=None) -> np.ndarray:
    """``kernel(rows, out_rows)`` over chunks of ``chunk_rows`` rows of ``u`` (temporaries
    stay in cache); large inputs are split over the CPU's threads, each taking the next
    chunk when it is free (NumPy releases the GIL inside its loops, and each chunk's
    result depends on that chunk alone). The output has ``u``'s shape and ``dtype``
    (``u``'s by default)."""
    out = np.empty(u.shape, dtype or u.dtype)
    chunks = [(u[a:a + chunk_rows], out[a:a + chunk_rows])
              for a in range(0, u.shape[0], chunk_rows)]
    if u.size < parallel.MIN_SIZE_KERNEL:
        for c in chunks:
            kernel(*c)
    else:
        parallel.run(kernel, chunks, key=("random", kernel.__code__, u.size.bit_length()))
    return out


def _elementwise(fma, x: np.ndarray, b, c) -> np.ndarray:
    """``fma(x, b, c)`` for a 1-D ``x`` and scalar ``b``, ``c``, over cache-sized chunks and
    the CPU's threads (``_over_rows``): each element's result depends on that element only,
    so the numbers are those of one call on the whole array."""
    def rows(blk, dst):
        dst[...] = fma(blk, b, c)
    return _over_rows(rows, x.reshape(-1, 1), _CHUNK).reshape(-1)


def _box_muller_f64_blocks(bits: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 u64 draws -> 8 cosines and 8 sines each (float64), with the C library."""
    _numpy_is_libm("sin"), _numpy_is_libm("cos")          # settle these before threading

    def rows(blk, dst):
        blk = _bits_to_f64(blk)
        radius = _libm("log", 1.0 - blk[:, :8])
        radius *= -2.0
        np.sqrt(radius, out=radius)
        theta = (2.0 * math.pi) * blk[:, 8:]
        dst[:, :8] = _fma64(radius * _libm("cos", theta), std, mean)
        dst[:, 8:] = _fma64(radius * _libm("sin", theta), std, mean)
    return _over_rows(rows, bits, _CHUNK // 16, np.float64)


def _normal_fill(g: Generator, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    """PyTorch's vectorised normal_ (numel >= 16): blocks of 16, a re-drawn tail."""
    if dt == _F64:
        draw, blocks, work = g._u64, _box_muller_f64_blocks, _F64
    else:
        draw, blocks, work = g._u32, _box_muller_f32_blocks, _F32
    full = n // 16 * 16
    # float16 rounds float32 blocks and draws only whole blocks before its tail.
    bits = draw(full if dt == _F16 else n)
    out = np.empty(n, dtype=work)
    out[:full] = blocks(bits[:full].reshape(-1, 16), mean, std).ravel()
    if n != full:
        out[n - 16:] = blocks(draw(16).reshape(1, 16), mean, std).ravel()
    return out.astype(dt, copy=False)


def _standard_normal_pairs(g: Generator, n: int) -> np.ndarray:
    """n float64 N(0, 1) draws from PyTorch's scalar Box-Muller sampler.

    Each pair of u64 uniforms gives ``r cos(theta)`` now and ``r sin(theta)`` later: the
    sine waits in the generator (``next_double_normal_sample``) for the next draw, even
    across calls.
    """
    out = np.empty(n)
    start = 0
    if n and g._next_double_normal is not None:
        out[0], g._next_double_normal = g._next_double_normal, None
        start = 1
    pairs = (n - start + 1) // 2
    u = _uniform01_f64(g, 2 * pairs)
    radius = np.sqrt(-2.0 * _libm("log1p", -u[1::2]))
    theta = (2.0 * math.pi) * u[0::2]
    cos, sin = radius * _libm("cos", theta), radius * _libm("sin", theta)
    out[start::2] = cos
    out[start + 1::2] = sin[:(n - start) // 2]
    if (n - start) % 2:
        g._next_double_normal = float(sin[-1])
    return out


def _normal_scalar(g: Generator, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    """PyTorch's element-by-element normal_ (numel < 16): double precision, then cast."""
    return _from_double(_fma64(_standard_normal_pairs(g, n), std, mean), dt)


def _normal(g: Generator, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    if n >= 16:
        return _normal_fill(g, n, dt, mean, std)
    return _normal_scalar(g, n, dt, mean, std)


def normal(shape, dtype, mean=0.0, std=1.0, generator: Generator | None = None,
           contiguous: bool = True) -> np.ndarray:
    """Normal numbers: ``randn``, ``Tensor.normal_``, ``torch.normal``.

    ``mean`` and ``std`` are floats, or arrays broadcast to ``shape`` (as
    ``torch.normal(mean_tensor, std_tensor)``: a standard normal draw, then
    ``* std`` and ``+ mean`` as two rounded steps). PyTorch fills a tensor that is not
    contiguous element by element whatever its size: ``contiguous=False`` asks for that.
    """
    shape = _shape(shape)
    dt = _float_kernel_dtype(dtype, "normal_kernel_cpu")
    mean_is_array, std_is_array = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if std_is_array:
        if std.size and not std.min() >= 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not float(std) >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(float(std))}")
    n = _numel(shape)
    g = _gen(generator)
    if not contiguous and not (mean_is_array or std_is_array):
        return _normal_scalar(g, n, dt, float(mean), float(std)).reshape(shape)
    if not (mean_is_array or std_is_array):
        return _normal(g, n, dt, float(mean), float(std)).reshape(shape)
    out = _normal(g, n, dt, 0.0, 1.0 if std_is_array else float(std)).reshape(shape)
    if std_is_array:
        np.multiply(out, std, out=out, casting="unsafe")
    np.add(out, mean, out=out, casting="unsafe")
    return out


def _from_double(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """C++'s static_cast from double: float16 goes through float32 (two roundings)."""
    if dt == _F16:
        return x.astype(np.float32).astype(np.float16)
    return x.astype(dt)


# ----------------------------------------------------------------------------- integers

_FULL_RANGE_DTYPES = ("int64", "float64", "float32")


def randint(low: int, high: int, shape, dtype=np.int64,
            generator: Generator | None = None) -> np.ndarray:
    """Integers in [low, high): ``randint``, ``randint_like`` (``random_(low, high)``)."""
    return random_(shape, dtype, low, high, generator)


def random_(shape, dtype, low: int | None = None, high: int | None = None,
            generator: Generator | None = None) -> np.ndarray:
    """``Tensor.random_`` semantics.

    ``random_()`` (both None): [0, 2**mantissa] for floats, [0, max] for integers.
    ``random_(to)`` (``low`` None): [0, to). ``random_(from, to)``: [from, to).
    ``random_(from, None)`` (``high`` None): [from, max]; from = -2**63 draws all 64 bits.
    """
    shape = _shape(shape)
    dt = _np_dtype(dtype)
    if dt.name not in _TORCH_NAME:
        raise TypeError(f"random_ does not support dtype {dt}")
    n = _numel(shape)
    g = _gen(generator)
    if low is None and high is None:
        return _random_default(g, n, dt).reshape(shape)
    if low is not None and high is None:
        if int(low) == -(1 << 63):
            return _random_full_range(g, n, dt).reshape(shape)
        low, high_inc = _random_from_bounds(int(low), dt)
        rng = high_inc - low + 1
    else:
        low = 0 if low is None else int(low)
        low, high = _random_from_to_bounds(low, int(high), dt)
        rng = high - low
    return _random_from_to(g, n, dt, rng, low).reshape(shape)


def _random_from_to(g: Generator, n: int, dt: np.dtype, rng: int, base: int) -> np.ndarray:
    """``(draw % range) + base`` in uint64 arithmetic. Ranges of 2**28 and up take 64-bit
    draws (PyTorch keeps the modulo bias of 32-bit draws under about 5%)."""
    draws = g._u64(n) if rng >= 1 << 28 else g._u32(n)
    draws %= np.uint64(rng)
    draws += np.uint64(base & 0xFFFFFFFFFFFFFFFF)          # wraps like the C++ uint64 sum
    return _from_int64(draws.view(np.int64), dt)


def _from_int64(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    if dt == np.bool_:
        return values != 0
    if dt == _F16:                                          # int64 -> float -> half in C++
        return values.astype(np.float32).astype(np.float16)
    return values.astype(dt)


def _random_default(g: Generator, n: int, dt: np.dtype) -> np.ndarray:
    """random_() with no bounds: [0, 2**digits] for floats, [0, max] for integers."""
    if dt == np.bool_:
        return (g._u32(n) & np.uint64(1)).astype(np.bool_)
    if dt in _FLOATS:
        modulus = (1 << _DIGITS[dt.name]) + 1
    else:
        modulus = int(np.iinfo(dt).max) + 1
    draws = g._u64(n) if dt.name in ("int64", "float64") else g._u32(n)
    draws %= np.uint64(modulus)
    return _from_int64(draws.view(np.int64), dt)


def _random_full_range(g: Generator, n: int, dt: np.dtype) -> np.ndarray:
    """random_(-2**63, None): every int64, for int64/float64/float32 tensors."""
    if dt.name not in _FULL_RANGE_DTYPES:
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                           "float and bfloat16")
    return _from_int64(g._u64(n).view(np.int64), dt)


_DIGITS = {"float16": 11, "float32": 24, "float64": 53}


def _cast_to_int(v: int, dt: np.dtype) -> int:
    """int64 -> dtype -> int64 as C++ rounds it (float16 through float32; an infinity
    becomes INT64_MIN, as the x86 conversion does)."""
    with np.errstate(over="ignore"):
        x = np.float16(np.float32(v)) if dt == _F16 else dt.type(v)
    return int(x) if np.isfinite(x) else -(1 << 63)


def _update_from(low: int, dt: np.dtype) -> int:
    """Move ``low`` up to a value the float dtype keeps, so draws stay >= low."""
    plus1 = _cast_to_int(low + 1, dt)
    if plus1 < low:
        return plus1 + (1 << (abs(low + 1).bit_length() - 1 - _DIGITS[dt.name] + 1))
    return low


def _update_to(high: int, dt: np.dtype) -> int:
    """Move ``high`` down to a value the float dtype keeps, so draws stay < high."""
    minus1 = _cast_to_int(high - 1, dt)
    if minus1 >= high:
        return minus1 - (1 << (abs(high - 1).bit_length() - 1 - _DIGITS[dt.name] + 1))
    return high


def _random_from_to_bounds(low: int, high: int, dt: np.dtype) -> tuple[int, int]:
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    if dt in _FLOATS:
        low, high = _update_from(low, dt), _update_to(high, dt)
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' "
                               f"casted to dtype, but got from={low} >= to={high}")
    _check_in_range(low, high - 1, dt)
    return low, high


def _random_from_bounds(low: int, dt: np.dtype) -> tuple[int, int]:
    """[low, max of dtype] for random_(from, None)."""
    if dt in _FLOATS:
        high_inc = 1 << _DIGITS[dt.name]
        low = _update_from(low, dt)
        if not low < high_inc:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or "
                               f"equal to 'to_inc' casted to dtype, but got from={low} > "
                               f"to_inc={high_inc}")
    else:
        high_inc = 1 if dt == np.bool_ else int(np.iinfo(dt).max)
    _check_in_range(low, high_inc, dt)
    return low, high_inc


def _check_in_range(low: int, high_inc: int, dt: np.dtype) -> None:
    if dt in _FLOATS:
        lo, hi = float(np.finfo(dt).min), float(np.finfo(dt).max)
    elif dt == np.bool_:
        lo, hi = 0, 1
    else:
        lo, hi = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    for name, v in (("from", low), ("to - 1", high_inc)):
        if not lo <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {_C_NAME[dt.name]}")
    if dt in _FLOATS:
        digits = _DIGITS[dt.name]
        for name, v in (("from", low), ("to - 1", high_inc)):
            if not -(1 << digits) <= v <= 1 << digits:
                _warnings.warn(
                    f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {_C_NAME[dt.name]} can support discrete uniform distribution "
                    "only within this range. This warning will become an error in version 1.7 "
                    "release, please fix the code in advance", UserWarning)


# ----------------------------------------------------------------------------- randperm

_RANDPERM_SMALL = (2**32 - 1) // 20     # below this PyTorch shuffles with 32-bit draws
_RANDPERM_MAX = {"float16": (2049, "2049"), "float32": (2**24 + 1, "2^24+1"),
                 "float64": (2**53 + 1, "2^53+1")}
_C_INT_NAME = {"int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
               "uint8": "uint8_t"}


def randperm(n: int, dtype=np.int64, generator: Generator | None = None) -> np.ndarray:
    """A random permutation of 0..n-1, PyTorch's Fisher-Yates shuffle draw for draw."""
    n = int(n)
    dt = _np_dtype(dtype)
    _numel((n,))
    _check_randperm_dtype(n, dt)
    g = _gen(generator)
    if n < _RANDPERM_SMALL:
        targets = np.arange(n - 1, dtype=np.int64)
        targets += (g._u32(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64)).view(np.int64)
        perm = _fisher_yates(targets, n)
    else:
        perm = _inside_out(g._u64(n) % np.arange(1, n + 1, dtype=np.uint64))
    return _from_int64(perm, dt)


def _check_randperm_dtype(n: int, dt: np.dtype) -> None:
    if dt == np.bool_:
        raise _not_implemented("randperm", dt)
    if dt.name in _RANDPERM_MAX:
        limit, text = _RANDPERM_MAX[dt.name]
        if n > limit:
            raise RuntimeError(f"n cannot be greater than {text} for "
                               f"{_TORCH_NAME[dt.name]} type.")
    elif n > 0 and n - 1 > np.iinfo(dt).max:
        raise RuntimeError(f"value cannot be converted to type {_C_INT_NAME[dt.name]} "
                           "without overflow")


def _stable_order(keys: np.ndarray, n: int) -> np.ndarray:
    """The indices that sort ``keys`` (in [0, n)), equal keys in index order.

    A radix sort, one 16-bit digit at a time from the lowest (each pass keeps the order
    of the last among equal digits): NumPy's stable argsort of uint16 values is a
    counting sort. Measured for a million keys: 37 ms, against 54 ms for one ``np.sort``
    of (key, index) pairs packed in int64; randperm(60_000) 12 -> 2.7 ms.
    """
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while (n - 1) >> shift > 0:  # (n = 0: no keys, no digits)
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def _previous_same(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For keys in [0, n): for each i, the largest j < i with keys[j] == keys[i] (or -1);
    and, per key value, the last index holding it (or -1)."""
    n = keys.size
    order = _stable_order(keys, n)  # indices by key, equal keys by index
    counts = np.bincount(keys, minlength=n)  # where each key's run starts and ends
    ends = np.cumsum(counts)
    present = counts > 0
    before = np.empty(n, dtype=np.int64)           # previous index in the sorted order...
    before[:1] = -1
    before[1:] = order[:-1]
    before[(ends - counts)[present]] = -1          # ...unless a new key starts there
    prev = np.empty(n, dtype=np.int64)
    prev[order] = before
    last = np.full(n, -1, dtype=np.int64)
    last[present] = order[ends[present] - 1]
    return prev, last


def _chase(pointer: np.ndarray) -> np.ndarray:
    """Follow ``i -> pointer[i]`` to the end of each chain (pointer[r] == r) by pointer
    doubling, revisiting only the entries that have not reached their end yet."""
    pointer = pointer.copy()
    moving = np.flatnonzero(pointer[pointer] != pointer)
    while moving.size:
        pointer[moving] = pointer[pointer[moving]]
        moving = moving[pointer[pointer[moving]] != pointer[moving]]
    return pointer


def _fisher_yates(targets: np.ndarray, n: int) -> np.ndarray:
    """The permutation left by ``for i: swap(a[i], a[targets[i]])`` on a = arange(n).

    Step i fixes a[i] for good, so a[i] ends as whatever sat at position targets[i]
    when step i ran: the value the latest earlier step with the same target carried
    there, or targets[i] itself if none did. The value step k carried is what sat at
    position k, which by the same rule is the value of an earlier step, and so on: a
    chain we follow by pointer doubling instead of swapping n times in Python.
    """
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    target = np.append(targets, n - 1)                # the last position swaps with itself
    prev_same, last = _previous_same(target)
    steps = np.arange(n, dtype=np.int64)
    # carried[k]: the step whose value sat at position k when step k ran (k itself if none).
    before = np.where(last == steps, prev_same[np.maximum(last, 0)], last)
    carried = _chase(np.where(before >= 0, before, steps))
    return np.where(prev_same >= 0, carried[np.maximum(prev_same, 0)], target)


def _inside_out(z: np.ndarray) -> np.ndarray:
    """The permutation left by ``for i: a[i] = a[z[i]]; a[z[i]] = i`` (z[i] <= i).

    Position p ends with the last step that wrote into it as a target (value = that
    step), else with what step p copied in from position z[p]: the previous step that
    targeted z[p], or, if none, what step z[p] copied in itself -- again a chain.
    """
    n = z.size
    z = z.astype(np.int64)
    steps = np.arange(n, dtype=np.int64)
    prev_same, last = _previous_same(z)
    ends = (z == steps) | (prev_same >= 0)
    value = np.where(z == steps, steps, prev_same)   # what step q writes at q, at a chain end
    root = _chase(np.where(ends, steps, z))
    return np.where(last >= 0, last, value[root])


# ----------------------------------------------------------------------------- bernoulli

def bernoulli(p: np.ndarray, dtype=None, generator: Generator | None = None) -> np.ndarray:
    """0/1 draws with probabilities ``p`` (an array): ``torch.bernoulli(p)``, ``bernoulli_(p)``.

    A float64 ``p`` compares with 53-bit uniforms, a float32/float16 ``p`` with 24-bit ones.
    """
    p = np.asarray(p)
    dt = p.dtype if dtype is None else _np_dtype(dtype)
    if p.dtype not in _FLOATS:
        raise _not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
    if p.size and not (p.min() >= 0 and p.max() <= 1):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    g = _gen(generator)
    if p.dtype == _F64:
        hits = _uniform01_f64(g, p.size) < p.ravel()
    else:
        hits = _uniform01_f32(g, p.size) < p.ravel().astype(np.float32)
    return hits.astype(dt).reshape(p.shape)


def bernoulli_scalar(shape, p: float, dtype, generator: Generator | None = None) -> np.ndarray:
    """0/1 draws with one probability: ``bernoulli_(p)``, ``torch.bernoulli(x, p)``."""
    return bernoulli_mask(shape, p, generator).astype(_np_dtype(dtype))


def bernoulli_mask(shape, p: float, generator: Generator | None = None) -> np.ndarray:
    """``bernoulli_scalar``'s draws as a bool array (dropout scales it in one pass)."""
    shape = _shape(shape)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    n = _numel(shape)
    # PyTorch compares a float64 uniform u = k / 2**53 (k: 53 bits of a u64 draw) with p.
    # Decided on the integers, without making the uniforms: k / 2**53 < p exactly when
    # k < p * 2**53 (exact: a power of two), that is when k < ceil(p * 2**53).
    k = _gen(generator)._u64(n)
    k &= np.uint64((1 << 53) - 1)
    return (k < np.uint64(math.ceil(p * 2.0**53))).reshape(shape)


# ----------------------------------------------------------------------------- continuous

def _continuous_dtype(dtype, what: str) -> np.dtype:
    dt = _np_dtype(dtype)
    if dt not in _FLOATS:
        raise RuntimeError(f"{what} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_TORCH_NAME.get(dt.name, dt.name)}")
    return dt


def exponential(shape, dtype, lambd: float = 1.0,
                generator: Generator | None = None) -> np.ndarray:
    """Exponential numbers: ``Tensor.exponential_``, ``-log1p(-u) / lambd`` in double."""
    shape = _shape(shape)
    dt = _continuous_dtype(dtype, "Exponential")
    lambd = float(lambd)
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    u = _uniform01_f64(_gen(generator), _numel(shape))
    scale = -1.0 / lambd
    if dt == _F64:
        return (scale * _libm("log1p", -u)).reshape(shape)
    # Rounded to float32/16 the exact double rarely matters: NumPy's log1p is within a
    # few ulps of the C library's, so only values near a rounding boundary need libm.
    with np.errstate(divide="ignore"):
        approx = scale * np.log1p(-u)
    tol = 8 * np.spacing(np.abs(approx))
    return _round_checked(approx, tol, lambda i: scale * math.log1p(-u[i]),
                          lambda x: _from_double(x, dt)).reshape(shape)


def geometric(shape, dtype, p: float, generator: Generator | None = None) -> np.ndarray:
    """Geometric numbers (trials to first success): ``ceil(log(u) / log(1 - p))``."""
    shape = _shape(shape)
    dt = _np_dtype(dtype)
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    if dt == np.bool_:
        raise _not_implemented("geometric_cpu", dt)
    u = _uniform01_f64(_gen(generator), _numel(shape))
    with np.errstate(divide="ignore"):
        value = np.ceil(_libm("log", u) / math.log(1.0 - p))
    return _from_double(value, dt).reshape(shape)


def cauchy(shape, dtype, median: float = 0.0, sigma: float = 1.0,
           generator: Generator | None = None) -> np.ndarray:
    """Cauchy numbers: ``median + sigma * tan(pi * (u - 0.5))`` in double (one fma)."""
    shape = _shape(shape)
    median, sigma = float(median), float(sigma)
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    dt = _continuous_dtype(dtype, "Cauchy")
    u = _uniform01_f64(_gen(generator), _numel(shape))
    value = _fma64(sigma, _libm("tan", math.pi * (u - 0.5)), median)
    return _from_double(value, dt).reshape(shape)


def log_normal(shape, dtype, mean: float = 1.0, std: float = 2.0,
               generator: Generator | None = None) -> np.ndarray:
    """Log-normal numbers: ``exp`` of the scalar Box-Muller draws (shares their cache)."""
    shape = _shape(shape)
    mean, std = float(mean), float(std)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    dt = _np_dtype(dtype)
    if dt not in _FLOATS:
        raise _not_implemented("log_normal_cpu", dt)
    z = _standard_normal_pairs(_gen(generator), _numel(shape))
    return _from_double(_libm("exp", _fma64(z, std, mean)), dt).reshape(shape)


# ----------------------------------------------------------------------------- multinomial

def multinomial(probs: np.ndarray, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> np.ndarray:
    """Category indices drawn with weights ``probs`` (1-D, or 2-D: one row per draw set).

    Without replacement (and for a single sample) PyTorch draws ``q ~ Exp(1)`` per
    category and takes the ``num_samples`` largest ``probs / q`` (the Gumbel top-k trick);
    with replacement it binary-searches one uniform per sample in the normalised
    cumulative sum. Equal keys (zero-probability categories past the positive ones, or
    float16 round-offs) come out in index order; PyTorch orders such ties by its C++
    sort, so those indices may be listed in another order.
    """
    probs = np.asarray(probs)
    num_samples = int(num_samples)
    _check_multinomial(probs, num_samples, replacement)
    out_shape = (num_samples,) if probs.ndim == 1 else (probs.shape[0], num_samples)
    if math.prod(out_shape) == 0:
        return np.empty(out_shape, dtype=np.int64)
    rows = probs.reshape(-1, probs.shape[-1])
    g = _gen(generator)
    if replacement and num_samples > 1:      # one sample is the same draw either way
        picks = _multinomial_replacement(rows, num_samples, g)
    else:
        picks = _multinomial_no_replacement(rows, num_samples, g)
    return picks.reshape(out_shape)


def _check_multinomial(probs: np.ndarray, num_samples: int, replacement: bool) -> None:
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype not in _FLOATS:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TORCH_NAME.get(probs.dtype.name, probs.dtype.name)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_categories = probs.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n_categories > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    if probs.size == 0:
        return
    if not (probs.min() >= 0 and np.isfinite(probs).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (probs.reshape(-1, n_categories).sum(axis=1, dtype=np.float64) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def _multinomial_no_replacement(rows: np.ndarray, k: int, g: Generator) -> np.ndarray:
    q = exponential(rows.shape, rows.dtype, 1.0, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = rows / q
    if k == 1:
        return np.argmax(keys, axis=1)[:, None]
    # top-k, largest first; equal keys (zero-probability categories) keep index order
    return np.argsort(-keys, axis=1, kind="stable")[:, :k]


def _multinomial_replacement(rows: np.ndarray, k: int, g: Generator) -> np.ndarray:
    """First category whose normalised running sum reaches the uniform draw, per draw."""
    acc = np.float32 if rows.dtype == _F16 else rows.dtype      # float16 sums in float
    cum = np.cumsum(rows, axis=1, dtype=acc)                   # sequential, as the C loop
    cum /= cum[:, -1:]
    cum[:, -1] = 1
    u = _uniform01_f64(g, rows.shape[0] * k).reshape(rows.shape[0], k)
    if rows.shape[0] <= 64:
        # cum is non-decreasing, so the first index with cum >= u is NumPy's left-sided
        # search (compared in float64, as below).
        return np.stack([np.searchsorted(c.astype(np.float64), r, side="left")
                         for c, r in zip(cum, u)]).astype(np.int64, copy=False)
    lo = np.zeros(u.shape, dtype=np.int64)
    hi = np.full(u.shape, rows.shape[1], dtype=np.int64)
    row = np.arange(rows.shape[0])[:, None]
    for _ in range(rows.shape[1].bit_length()):                # binary search, all at once
        mid = (lo + hi) // 2
        below = cum[row, np.minimum(mid, rows.shape[1] - 1)] < u
        active = lo < hi
        lo = np.where(active & below, mid + 1, lo)
        hi = np.where(active & ~below, mid, hi)
    return lo


# ----------------------------------------------------------------------------- poisson

def poisson(rates: np.ndarray, dtype=None, generator: Generator | None = None) -> np.ndarray:
    """Poisson counts with the given rates: ``torch.poisson``.

    PyTorch samples element by element with rejection loops (Knuth's product of
    uniforms below rate 10, Hoermann's transformed rejection from 10 up), so how many
    draws an element takes depends on the draws before it: the one sampler here that is
    a Python loop. Uniforms are fetched in batches and the unused ones given back.
    """
    rates = np.asarray(rates)
    dt = rates.dtype if dtype is None else _np_dtype(dtype)
    if rates.dtype not in _FLOATS:
        raise _not_implemented("poisson_cpu", rates.dtype)
    if rates.size and not rates.min() >= 0:
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    g = _gen(generator)
    stream = _UniformStream(g)
    counts = [_poisson_one(float(lam), stream) for lam in rates.ravel().tolist()]
    stream.give_back_unused()
    return _from_double(np.array(counts, dtype=np.float64), dt).reshape(rates.shape)


class _UniformStream:
    """float64 uniforms (one 64-bit draw each) pulled from a generator in batches, and
    the scalar Box-Muller normals made from them (``normal``)."""

    def __init__(self, g: Generator):
        self._g, self._start = g, g._state_bytes()
        self._buf: list[float] = []
        self._pos = self._used = 0
        self._spare = g._next_double_normal

    def next(self) -> float:
        if self._pos == len(self._buf):
            self._buf = _uniform01_f64(self._g, 4096).tolist()
            self._pos = 0
        self._pos += 1
        self._used += 1
        return self._buf[self._pos - 1]

    def normal(self) -> float:
        """One N(0, 1) number as ``_standard_normal_pairs`` makes it: the cosine of a fresh
        pair now, its sine kept for the next call (and left in the generator at the end)."""
        if self._spare is not None:
            z, self._spare = self._spare, None
            return z
        u1, u2 = self.next(), self.next()
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        theta = (2.0 * math.pi) * u1
        self._spare = radius * math.sin(theta)
        return radius * math.cos(theta)

    def give_back_unused(self) -> None:
        """Rewind the generator and replay only the draws we used."""
        self._g._load_state_bytes(self._start)
        self._g._u32(2 * self._used)
        self._g._next_double_normal = self._spare


def _poisson_one(lam: float, stream: _UniformStream) -> int:
    if lam >= 10:
        return _poisson_rejection(lam, stream)
    if lam == 0:
        return 0
    limit, prod, count = math.exp(-lam), 1.0, 0
    while True:                                   # multiply uniforms until below e**-lam
        prod *= stream.next()
        if prod <= limit:
            return count
        count += 1


def _poisson_rejection(lam: float, stream: _UniformStream) -> int:
    """Hoermann's transformed rejection (PTRS), step for step as PyTorch evaluates it."""
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = stream.next() - 0.5
        v = stream.next()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return k


# ----------------------------------------------------------------------------- gamma

_ONE_THIRD_F32 = float(np.float32(1.0) / np.float32(3.0))   # C++'s `1.0f / 3.0f`
_C0331_F32 = float(np.float32(0.0331))                       # C++'s `0.0331f`


def standard_gamma(alpha: np.ndarray, generator: Generator | None = None) -> np.ndarray:
    """Gamma(alpha, 1) numbers, one per element of ``alpha``: ``torch._standard_gamma``.

    PyTorch runs Marsaglia and Tsang's rejection sampler element by element, in memory
    order, on float64 uniforms and scalar Box-Muller normals (see ``_gamma_one``); like
    ``poisson`` it is a Python loop, since each element takes as many draws as its
    rejections need. Results below the dtype's smallest normal number are raised to it.
    """
    alpha = np.asarray(alpha)
    if alpha.dtype not in (_F32, _F64):
        raise _not_implemented("gamma_cpu", alpha.dtype)
    stream = _UniformStream(_gen(generator))
    single = alpha.dtype == _F32
    out = [_gamma_one(a, stream, single) for a in alpha.ravel().tolist()]
    stream.give_back_unused()
    out = np.array(out, dtype=np.float64).astype(alpha.dtype)
    return np.asarray(np.maximum(out, np.finfo(alpha.dtype).tiny)).reshape(alpha.shape)


def dirichlet(alpha: np.ndarray, generator: Generator | None = None) -> np.ndarray:
    """Dirichlet(alpha) points, one per row of the last axis: ``torch._sample_dirichlet``.

    PyTorch draws Gamma(alpha, 1) numbers in double precision (``_gamma_one`` on alpha
    converted to double), sums each row with its own summation order (``_torch_row_sum``)
    and divides; the quotients, rounded to alpha's dtype, are kept within
    [smallest normal number, largest number below 1].
    """
    alpha = np.asarray(alpha)
    if alpha.dtype not in (_F32, _F64):
        raise _not_implemented("dirichlet", alpha.dtype)
    stream = _UniformStream(_gen(generator))
    gamma = [max(_gamma_one(a, stream, False), _TINY64) for a in alpha.ravel().tolist()]
    stream.give_back_unused()
    gamma = np.array(gamma, dtype=np.float64).reshape(alpha.shape)
    if alpha.ndim == 0:
        total = gamma
    else:
        rows = gamma.reshape(-1, alpha.shape[-1]) if alpha.size else gamma.reshape(0, 1)
        total = _torch_row_sum(rows).reshape(alpha.shape[:-1] + (1,))
    out = np.asarray(gamma / total).astype(alpha.dtype)
    below_one = np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0))
    return np.asarray(np.minimum(below_one, np.maximum(np.finfo(alpha.dtype).tiny, out)))


_TINY64 = float(np.finfo(np.float64).tiny)
_SUM_LANES = 4          # doubles in one vector of PyTorch's float64 sum kernel
_SUM_LEVELS = 4


def _torch_row_sum(x: np.ndarray) -> np.ndarray:
    """The sum of each row of a float64 matrix, added in the order PyTorch's CPU sum adds
    a contiguous row (so the last bit agrees).

    The row is read as 4-lane vectors; the vectors as rows of 4 (four independent
    accumulators, "ILP"), summed by ``_cascade_sum``; leftover vectors join accumulator
    0, then accumulators 1-3 are added to it lane-wise. Leftover scalars are summed
    first into the result, then the 4 lanes are added one by one. All rows at once.
    """
    n_rows, n = x.shape
    n_vec = n // _SUM_LANES
    vecs = x[:, :n_vec * _SUM_LANES].reshape(n_rows, n_vec, _SUM_LANES)
    n_ilp = n_vec // 4
    partial = _cascade_sum(vecs[:, :n_ilp * 4].reshape(n_rows, n_ilp, 4, _SUM_LANES))
    for i in range(n_ilp * 4, n_vec):
        partial[:, 0] += vecs[:, i]
    for k in range(1, 4):
        partial[:, 0] += partial[:, k]
    total = np.zeros(n_rows)
    for k in range(n_vec * _SUM_LANES, n):
        total += x[:, k]
    for lane in range(_SUM_LANES):
        total += partial[:, 0, lane]
    return total


def _cascade_sum(rows: np.ndarray) -> np.ndarray:
    """Sum ``rows[:, i]`` over i with PyTorch's multi-level cascade: blocks of ``step``
    rows go into level 0, which is flushed into level 1 after each block, level 1 into
    level 2 after every ``step`` blocks, and so on, so only similar magnitudes meet."""
    size = rows.shape[1]
    power = max(4, ((size - 1).bit_length() if size > 1 else 0) // _SUM_LEVELS)
    step, mask = 1 << power, (1 << power) - 1
    acc = np.zeros((_SUM_LEVELS, rows.shape[0]) + rows.shape[2:])
    i = 0
    while i + step <= size:
        for _ in range(step):
            acc[0] += rows[:, i]
            i += 1
        for j in range(1, _SUM_LEVELS):
            acc[j] += acc[j - 1]
            acc[j - 1] = 0
            if i & (mask << (j * power)):
                break
    while i < size:
        acc[0] += rows[:, i]
        i += 1
    for j in range(1, _SUM_LEVELS):
        acc[0] += acc[j]
    return acc[0]


_F32_STRUCT = struct.Struct("f")


def _float32_value(x: float) -> float:
    """``x`` rounded to float32, as a Python float (the per-element samplers' float steps;
    packing is quicker than a NumPy scalar)."""
    try:
        return _F32_STRUCT.unpack(_F32_STRUCT.pack(x))[0]
    except OverflowError:                 # beyond float32's range: C's cast gives inf
        return math.copysign(math.inf, x)


def _gamma_one(alpha: float, stream: _UniformStream, single: bool) -> float:
    """One draw of PyTorch's ``sample_gamma``, rounding where its C++ rounds.

    ``alpha`` keeps its own precision until ``d`` (float32 steps when ``single``); all
    else is double. An alpha below 1 is boosted to alpha + 1 and the result scaled by
    ``u ** (1 / alpha)``. The constants ``1/3`` and ``0.0331`` are C++ float literals,
    so they carry float32 values even in the double kernel. A NaN alpha never passes
    PyTorch's acceptance test (its loop does not end); here it gives NaN.
    """
    f32 = _float32_value if single else float
    if alpha != alpha:
        return math.nan
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= math.pow(1.0 - stream.next(), f32(1.0 / alpha))
        alpha = f32(alpha + 1.0)
    d = f32(alpha - _ONE_THIRD_F32)
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = stream.normal()
        y = 1.0 + c * x
        if y <= 0:
            continue
        v = y * y * y
        u = 1.0 - stream.next()
        xx = x * x
        if u < 1.0 - _C0331_F32 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


# ----------------------------------------------------------------------------- binomial

_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)


def binomial(count: np.ndarray, prob: np.ndarray,
             generator: Generator | None = None) -> np.ndarray:
    """Binomial(count, prob) counts, one per element of ``count``: ``torch.binomial``.

    PyTorch samples element by element (``_binomial_one``) on u64 uniforms, so this is
    a Python loop like ``poisson``. ``prob`` broadcasts to ``count``'s shape; both have
    one float dtype, and the counts come back in it.
    """
    count, prob = np.asarray(count), np.asarray(prob)
    if count.dtype not in (_F32, _F64):
        raise _not_implemented("binomial_cpu", count.dtype)
    prob = np.broadcast_to(prob, count.shape)
    stream = _UniformStream(_gen(generator))
    ops = _Float32Ops() if count.dtype == _F32 else _Float64Ops()
    out = [_binomial_one(n, p, stream, ops)
           for n, p in zip(count.ravel().tolist(), prob.ravel().tolist())]
    stream.give_back_unused()
    return np.array(out, dtype=np.float64).astype(count.dtype).reshape(count.shape)


class _Float64Ops:
    """Arithmetic in the kernel's ``scalar_t`` when it is double: plain Python floats."""

    @staticmethod
    def r(x: float) -> float:
        return x

    log1p = staticmethod(math.log1p)


class _Float32Ops:
    """Arithmetic in ``scalar_t`` = float: every such step rounds to float32 (a double
    result of + - * / sqrt of float32 operands, rounded once, is the float32 result), and
    ``log1p`` of a float is the C library's log1pf."""

    r = staticmethod(_float32_value)

    def __init__(self):
        self.log1p = _c_float_function("log1pf")


@functools.cache
def _c_float_function(name: str, nargs: int = 1):
    """The C library's float function ``name`` (logf, log1pf, powf, tanf: what PyTorch's
    float kernels call), through ctypes; it returns Python floats. Where the library
    cannot be loaded, NumPy's float32 function stands in (it may differ in the last bit).
    """
    try:
        fn = getattr(ctypes.CDLL(ctypes.util.find_library("m")), name)
    except (OSError, AttributeError, TypeError):
        np_fn = getattr(np, {"powf": "power"}.get(name, name[:-1]))
        return lambda *args: float(np_fn(*(np.float32(a) for a in args)))
    fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float] * nargs
    return fn


def _binomial_one(count: float, prob: float, stream: _UniformStream, ops) -> float:
    """One draw of PyTorch's ``sample_binomial``; ``ops.r`` rounds its float steps."""
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return count
    if prob <= 0.5:
        if ops.r(count * prob) >= 10:
            return _btrs(count, prob, stream, ops)
        return _binomial_inversion(count, prob, stream, ops)
    if prob > 0.5:
        q = ops.r(1.0 - prob)
        k = (_btrs(count, q, stream, ops) if ops.r(count * q) >= 10
             else _binomial_inversion(count, q, stream, ops))
        return ops.r(count - k)
    return math.nan


def _binomial_inversion(count: float, prob: float, stream: _UniformStream, ops) -> float:
    """The number of geometric(prob) waiting times that fit in ``count`` trials."""
    log_q = ops.log1p(-prob)
    geom_sum, n = 0.0, 0.0
    while True:
        geom_sum += math.ceil(_call(math.log, stream.next()) / log_q)
        if geom_sum > count:
            return n
        n = ops.r(n + 1)


def _stirling_tail(k: float) -> float:
    """log(k!) minus its Stirling approximation (a table up to 9, then the series)."""
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(count: float, prob: float, stream: _UniformStream, ops) -> float:
    """Hoermann's transformed rejection (BTRS) as PyTorch evaluates it: the steps on
    ``count``/``prob`` alone in scalar_t (``ops.r``), the rest in double."""
    r_ = ops.r
    stddev = math.sqrt(r_(r_(count * prob) * r_(1 - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = r_(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = r_(prob / r_(1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(r_(r_(count + 1) * prob))
    while True:
        u = stream.next() - 0.5
        v = stream.next()
        us = 0.5 - abs(u)
        if us == 0:                     # C's k is -inf there: rejected
            continue
        k = r_(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = _call(math.log, v * alpha / (a / (us * us) + b))
        n_k = r_(r_(count - k) + 1)
        upperbound = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                      + r_(count + 1) * math.log((count - m + 1) / n_k)
                      + (k + 0.5) * math.log(r * n_k / r_(k + 1))
                      + _stirling_tail(m) + _stirling_tail(count - m)
                      - _stirling_tail(k) - _stirling_tail(r_(count - k)))
        if v <= upperbound:
            return k
