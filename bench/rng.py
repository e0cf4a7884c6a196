"""Random number kernels, numtorch beside PyTorch (same seed, same numbers):

rand(1_000_000) and randn(1_000_000), float32 and float64 — target <= 2x
and, for information, a few other kernels (no target).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from _common import fmt, load_torch, median_time, report  # noqa: E402

from numtorch import random as R  # noqa: E402

N = 1_000_000


def cases(torch):
    """(name, numtorch call, torch call or None, target ratio or None)."""
    probs = np.random.default_rng(0).random(1000).astype(np.float32)
    t = torch
    return [
        ("rand(1_000_000) float32", lambda: R.uniform((N,), np.float32),
         t and (lambda: t.rand(N)), 2.0),
        ("randn(1_000_000) float32", lambda: R.normal((N,), np.float32),
         t and (lambda: t.randn(N)), 2.0),
        ("rand(1_000_000) float64", lambda: R.uniform((N,), np.float64),
         t and (lambda: t.rand(N, dtype=t.float64)), 2.0),
        ("randn(1_000_000) float64", lambda: R.normal((N,), np.float64),
         t and (lambda: t.randn(N, dtype=t.float64)), 2.0),
        ("uniform_(1.5, 3.0) on 1_000_000 float64",
         lambda: R.uniform((N,), np.float64, 1.5, 3.0),
         t and (lambda: t.empty(N, dtype=t.float64).uniform_(1.5, 3.0)), None),
        ("uniform_(-0.05, 0.05) on 1_000_000 float32 (layer init)",
         lambda: R.uniform((N,), np.float32, -0.05, 0.05),
         t and (lambda: t.empty(N).uniform_(-0.05, 0.05)), None),
        ("randint(0, 1000, (1_000_000,))", lambda: R.randint(0, 1000, (N,)),
         t and (lambda: t.randint(0, 1000, (N,))), None),
        ("randperm(1_000_000)", lambda: R.randperm(N), t and (lambda: t.randperm(N)), None),
        ("bernoulli_(0.5) on 1_000_000", lambda: R.bernoulli_scalar((N,), 0.5, np.float32),
         t and (lambda: t.empty(N).bernoulli_(0.5)), None),
        ("exponential_() on 1_000_000 float32", lambda: R.exponential((N,), np.float32),
         t and (lambda: t.empty(N).exponential_()), None),
        ("multinomial(1000 probs, 100_000, True)", lambda: R.multinomial(probs, 100_000, True),
         t and (lambda: t.multinomial(t.from_numpy(probs), 100_000, True)), None),
    ]


def _box_muller_numpy(u32):
    """Box-Muller on 2**24-step float32 uniforms with NumPy's own float32 log, sqrt, cos
    and sin, as PyTorch's normal_ pairs them: not PyTorch's numbers (its vectorised log
    and sincos round differently, and numtorch reproduces those roundings), but the
    least work a NumPy randn does after drawing the bits."""
    u = (u32 & 0xFFFFFF).astype(np.float32) * np.float32(2.0**-24)
    u = u.reshape(-1, 2, 8)
    radius = np.sqrt(np.float32(-2) * np.log(np.float32(1) - u[:, 0]))
    theta = np.float32(2 * np.pi) * u[:, 1]
    return np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1)


def floors(torch):
    """What randn(1_000_000) float32 costs before numtorch's exact roundings."""
    g = R._gen(None)
    draw = median_time(lambda: g._u32(N), number=3, repeat=7)
    bits = g._u32(N)
    box = median_time(lambda: _box_muller_numpy(bits), number=3, repeat=7)
    ref = median_time(lambda: torch.randn(N), number=3, repeat=7) if torch else None
    for name, secs in (("  the 1_000_000 Mersenne Twister words alone", draw),
                       ("  + Box-Muller with NumPy's float32 log/cos/sin", draw + box)):
        line = f"{name:<52} numpy    {fmt(secs)}"
        if ref is not None:
            line += f"   ratio to torch's randn {secs / ref:5.2f}x"
        print(line)


def main() -> None:
    torch = load_torch()
    print(f"numtorch.random kernels beside {'torch ' + torch.__version__ if torch else 'nothing'}"
          f" (medians; torch threads: {torch.get_num_threads() if torch else '-'})")
    for name, ours, theirs, target in cases(torch):
        nt = median_time(ours, number=3, repeat=7)
        th = median_time(theirs, number=3, repeat=7) if theirs else None
        report(name, nt, th, target)
    floors(torch)


if __name__ == "__main__":
    main()
