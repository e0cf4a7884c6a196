"""The classical orthogonal polynomials of ``numtorch.special``: Chebyshev T, U, V, W (and
their shifted forms on [0, 1]), Hermite H and He, Laguerre L, Legendre P.

``poly(x, n)`` takes an integer degree per element (a float ``n`` is truncated toward
zero, as PyTorch casts it; a negative, NaN or infinite degree gives 0). Each family
follows PyTorch's kernel: a few closed forms first (the ends of the interval, where the
value is known exactly, and for high degrees inside (-1, 1) the trigonometric form of
the Chebyshev polynomials), then the three-term recurrence from degrees 0 and 1, run in
the result's dtype. As in PyTorch these are not differentiable: the result never
requires grad.

The recurrence is vectorised over elements of different degrees: the elements are
sorted by degree, so at step ``k`` the ones still running are a prefix of the array.
"""

from __future__ import annotations

import numpy as np

_INT64_MAX = float(2**63)


def _degrees(n) -> np.ndarray:
    """``n`` cast to int64 as C++ casts a float: truncated; NaN, infinite or out-of-range
    values become -1 (PyTorch's cast gives the most negative int64 there, a negative
    degree)."""
    n = np.asarray(n)
    if n.dtype.kind in "biu":
        return n.astype(np.int64)
    bad = ~np.isfinite(n) | (np.abs(n) >= _INT64_MAX)
    return np.where(bad, -1, np.trunc(np.where(bad, 0, n))).astype(np.int64)


def _recur(x, n, p, q, step):
    """The value of degree ``n`` (each >= 2) from degrees 0 and 1 (``p``, ``q``), applying
    ``r = step(k, x, p, q)`` for k = 2 .. n (all arrays 1-D, the same length)."""
    order = np.argsort(-n, kind="stable")
    x, n, p, q = x[order], n[order], p[order].copy(), q[order].copy()
    live = len(n)
    for k in range(2, int(n[0]) + 1 if len(n) else 0):
        while live and n[live - 1] < k:
            live -= 1
        r = step(k, x[:live], p[:live], q[:live])
        p[:live] = q[:live]
        q[:live] = r
    out = np.empty_like(q)
    out[order] = q
    return out


def _evaluate(x, n, cases, p0, p1, step):
    """``cases``: (mask, value) pairs over (x, n), the first matching one wins; the others
    take degree 0 (``p0``), degree 1 (``p1``) or the recurrence."""
    out = np.zeros(x.shape, dtype=x.dtype)
    todo = n >= 0  # a negative degree is 0
    for mask, value in cases:
        hit = todo & mask
        out[hit] = np.broadcast_to(value, x.shape)[hit]
        todo &= ~mask
    for degree, value in ((0, p0), (1, p1)):
        hit = todo & (n == degree)
        out[hit] = np.broadcast_to(value, x.shape)[hit]
        todo &= n != degree
    if todo.any():
        xs = x[todo]
        out[todo] = _recur(xs, n[todo], np.ones_like(xs), np.broadcast_to(p1, x.shape)[todo],
                           step)
    return out


def _odd_sign(n, x):
    """+1 for an even degree, -1 for an odd one, in x's dtype."""
    return np.where(n % 2 == 0, 1, -1).astype(x.dtype)


def _chebyshev_step(k, x, p, q):
    return (x + x) * q - p


def _chebyshev(kind, y, n, ends, threshold, near_end):
    """Chebyshev polynomial ``kind`` (t, u, v or w) of ``y``.

    ``ends``: (mask, value) pairs for the ends of the interval, checked first. For a degree
    above ``threshold`` inside (-1, 1) the value is the trigonometric form (with
    ``theta = acos y``: cos(n theta), sin((n+1) theta) / sin theta, cos((n+1/2) theta) /
    cos(theta/2), sin((n+1/2) theta) / sin(theta/2)); where its denominator rounds to
    the value it has at an end, ``near_end`` (PyTorch's value for that end) is taken
    instead. Other degrees run the recurrence ``r = 2y q - p`` from degrees 0 and 1.
    """
    one = np.ones_like(y)
    nf = n.astype(y.dtype)  # the degree in y's dtype, as C++ converts it in n * acos(y)
    half = y.dtype.type(0.5)
    with np.errstate(all="ignore"):
        theta = np.arccos(np.clip(y, -1, 1))
        if kind == "t":
            p1, trig = y, np.cos(nf * theta)
        elif kind == "u":
            m = nf + 1
            s = np.sin(theta)
            p1, trig = y + y, np.where(s != 0, np.sin(m * theta) / s, m * np.cos(m * theta) / y)
        elif kind == "v":
            p1 = y + y - 1
            trig = np.where(np.sin(theta / 2) != 1,
                            np.cos((nf + half) * theta) / np.cos(theta / 2), near_end)
        else:
            p1 = y + y + 1
            trig = np.where(np.cos(theta / 2) != 1,
                            np.sin((nf + half) * theta) / np.sin(theta / 2), near_end)
    inside = (n > threshold) & (np.abs(y) < 1)
    return _evaluate(y, n, ends + [(inside, trig)], one, p1, _chebyshev_step)


def chebyshev_t(x, n):
    sign = np.where(x > 0, np.ones_like(x), _odd_sign(n, x))
    return _chebyshev("t", x, n, [(np.abs(x) == 1, sign)], 6, None)


def chebyshev_u(x, n):
    m = (n + 1).astype(x.dtype)
    return _chebyshev("u", x, n, [(np.abs(x) == 1, np.where(x > 0, m, m * _odd_sign(n, x)))],
                      8, None)


def chebyshev_v(x, n):
    m = (n + n + 1).astype(x.dtype) * _odd_sign(n, x)
    return _chebyshev("v", x, n, [(np.abs(x) == 1, np.where(x > 0, np.ones_like(x), m))], 8, m)


def chebyshev_w(x, n):
    ends = np.where(x > 0, (n + n + 1).astype(x.dtype), _odd_sign(n, x))
    return _chebyshev("w", x, n, [(np.abs(x) == 1, ends)], 8, ends)


# The shifted polynomials are those of y = 2x - 1 on [0, 1], with the values PyTorch
# gives at x = 1 and x = 0 and their own degree thresholds for the trigonometric form.

def shifted_chebyshev_t(x, n):
    return _chebyshev("t", x + x - 1, n, [(x == 1, np.ones_like(x)), (x == 0, _odd_sign(n, x))],
                      6, None)


def shifted_chebyshev_u(x, n):
    m = (n + 1).astype(x.dtype)
    return _chebyshev("u", x + x - 1, n, [(x == 1, m), (x == 0, m * _odd_sign(n, x))], 6, None)


def shifted_chebyshev_v(x, n):
    m = (n + n + 1).astype(x.dtype) * _odd_sign(n, x)
    return _chebyshev("v", x + x - 1, n, [(x == 1, np.ones_like(x)), (x == 0, m)], 6, m)


def shifted_chebyshev_w(x, n):
    m = (n + n + 1).astype(x.dtype)
    sign = _odd_sign(n, x)
    return _chebyshev("w", x + x - 1, n, [(x == 1, m), (x == 0, sign)], 4, sign)


def hermite_h(x, n):
    """Physicists' Hermite: H_{k+1} = 2x H_k - 2k H_{k-1}."""
    def step(k, x, p, q):
        return (x + x) * q - (2 * (k - 1)) * p
    return _evaluate(x, n, [], np.ones_like(x), x + x, step)


def hermite_he(x, n):
    """Probabilists' Hermite: He_{k+1} = x He_k - k He_{k-1}."""
    def step(k, x, p, q):
        return x * q - (k - 1) * p
    return _evaluate(x, n, [], np.ones_like(x), x, step)


def laguerre_l(x, n):
    """L_{k+1} = ((2k + 1 - x) L_k - k L_{k-1}) / (k + 1); L_n(0) = 1."""
    def step(k, x, p, q):
        j = k - 1
        return (((j + j) + (1 - x)) * q - j * p) / (j + 1)
    return _evaluate(x, n, [(x == 0, np.ones_like(x))], np.ones_like(x), 1 - x, step)


def legendre_p(x, n):
    """P_{k+1} = ((2k + 1) x P_k - k P_{k-1}) / (k + 1); P_n(1) = 1, P_n(-1) = (-1)^n."""
    def step(k, x, p, q):
        j = k - 1
        return ((j + j + 1) * x * q - j * p) / (j + 1)
    return _evaluate(x, n, [(np.abs(x) == 1, np.where(x > 0, np.ones_like(x),
                                                       _odd_sign(n, x)))],
                     np.ones_like(x), x, step)
