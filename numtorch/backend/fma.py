"""Fused multiply-add ``a*b + c`` with one rounding, on NumPy arrays.

PyTorch's compiled CPU kernels fuse ``a * b + c`` into one rounding (an FMA): ``uniform_``
and ``normal_`` (numtorch/random.py), ``add``/``sub`` with ``alpha`` and float32
``linspace`` (numtorch/ops). NumPy has no FMA, so these rebuild its result from exactly
computed pieces. Host (NumPy) arrays only.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np


def fma32(a, b, c) -> np.ndarray:
    """float32 fused multiply-add: a*b is exact in float64; the float64 sum then rounds
    to float32 correctly except when it lands exactly on a float32 tie, fixed here."""
    p = np.multiply(a, b, dtype=np.float64)
    s = p + np.asarray(c, dtype=np.float64)
    tie = np.flatnonzero((s.view(np.uint64) & 0x1FFFFFFF) == 0x10000000)
    if tie.size:
        # A float64 sum on a float32 tie: a true tie (error 0) rounds to even as is;
        # otherwise nudge it one float64 step towards the exact sum so it rounds that way.
        c64 = np.broadcast_to(np.asarray(c, dtype=np.float64), s.shape).ravel()[tie]
        err = _two_sum_err(p.ravel()[tie], c64, s.ravel()[tie])
        s.ravel()[tie] = np.where(err == 0, s.ravel()[tie],
                                  np.nextafter(s.ravel()[tie], np.copysign(np.inf, err)))
    return s.astype(np.float32)


def _two_sum_err(a, b, s):
    """The exact rounding error of s = a + b (Knuth's TwoSum)."""
    bb = s - a
    return (a - (s - bb)) + (b - bb)


def fma64(a, b, c) -> np.ndarray:
    """float64 fused multiply-add ``a*b + c`` with one rounding, on whole arrays.

    Error-free transformations split the exact value into doubles that we can add
    without losing anything: ``a*b = p + pe`` (Dekker's product), ``p + c = s + se``
    and ``se + pe = t + te`` (Knuth's TwoSum), so ``a*b + c = s + t + te`` exactly.
    ``r = s + t`` is one correctly rounded addition with exact error ``re``; the last
    piece ``te`` is far below ``r``'s rounding step, so it can only matter where
    ``s + t`` sat exactly half-way between two doubles (``|re|`` is half a step): there
    the sign of ``te`` says which neighbour the exact value is nearer. Those ties are
    common (``uniform_(1.5, 3.0)`` makes one draw in four a tie) and cost nothing
    extra. Values whose pieces leave float64's safe range (a product near underflow or
    overflow) are redone with exact rationals.
    """
    if np.ndim(b) == 0 and b == 1:
        return np.asarray(a, np.float64) + c  # a*1 is exact: the fma is one rounded add
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        p = a * b
        pe = _two_prod_err(a, b, p)
        s = p + c
        se = _two_sum_err(p, c, s)
        t = se + pe
        te = _two_sum_err(se, pe, t)
        r = s + t
        re = _two_sum_err(s, t, r)
    r = np.where(t == 0, s, r)               # exact s: keep its signed zero, as the fma does
    idx = np.flatnonzero(te)                  # only there can r be off
    if idx.size:
        r_i, re_i, te_i = r.flat[idx], re.flat[idx], te.flat[idx]
        toward = np.where(re_i != 0, re_i, te_i)           # the side the exact value lies on
        half = np.abs(np.nextafter(r_i, np.copysign(np.inf, toward)) - r_i) / 2
        pushes = np.sign(te_i) == np.sign(toward)
        tie = pushes & (np.abs(re_i) == half)
        r.flat[idx[tie]] = np.nextafter(r_i[tie], np.copysign(np.inf, toward[tie]))
        # |re| < half and te pushes further: by the piece sizes the exact value stays
        # short of the half-way point; check it rather than assume it.
        odd = pushes & ~tie & ~(np.abs(re_i) + np.abs(te_i) < half)
        r.flat[idx[odd]] = _fma_exact(a, b, c, idx[odd])
    with np.errstate(invalid="ignore"):
        unsafe = ~np.isfinite(pe) | ((np.abs(p) < 2.0**-969) & (p != 0)) | (r == 0)
    # Finite operands always have an exact sum; a NaN from the split of a huge operand
    # (uniform_(-1e300, 1e300)) must be redone, not kept.
    unsafe &= np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    bad = np.flatnonzero(unsafe)
    r.flat[bad] = _fma_exact(a, b, c, bad)
    return r


def _fma_exact(a, b, c, idx) -> np.ndarray:
    """a*b + c at the flat indices ``idx``, through exact rationals (rare cases only)."""
    out = np.empty(len(idx), dtype=np.float64)
    for k, i in enumerate(idx.tolist()):
        exact = Fraction(a.flat[i]) * Fraction(b.flat[i]) + Fraction(c.flat[i])
        try:
            out[k] = float(exact)
        except OverflowError:  # beyond float64's largest value: the fma rounds to infinity
            out[k] = math.inf if exact > 0 else -math.inf
    return out


def _two_prod_err(a, b, p):
    """The exact rounding error of p = a * b (Dekker's product with Veltkamp splits)."""
    def split(x):
        t = 134217729.0 * x                  # 2**27 + 1
        hi = t - (t - x)
        return hi, x - hi
    with np.errstate(over="ignore", invalid="ignore"):
        ah, al = split(a)
        bh, bl = split(b)
        return ((ah * bh - p) + ah * bl + al * bh) + al * bl
