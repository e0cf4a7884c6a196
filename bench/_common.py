"""Shared timing for the benchmarks: the same workload in numtorch and (if installed) PyTorch,
in one process, medians of several repeats, and the ratio numtorch / PyTorch."""

from __future__ import annotations

import gc
import statistics
import time


def median_time(fn, *, number: int, repeat: int = 7, warmup: int = 2) -> float:
    """Median over ``repeat`` runs of the mean seconds per call of ``fn`` over ``number`` calls."""
    for _ in range(warmup):
        for _ in range(number):
            fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def load_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds:9.3f} s "


def report(name: str, nt_seconds: float, torch_seconds: float | None, target: float | None):
    """One line: numtorch time, PyTorch time, ratio, and the issue's target."""
    line = f"{name:<52} numtorch {fmt(nt_seconds)}"
    if torch_seconds is not None:
        ratio = nt_seconds / torch_seconds
        line += f"   torch {fmt(torch_seconds)}   ratio {ratio:5.2f}x"
        if target is not None:
            line += f"   (target <= {target}x: {'ok' if ratio <= target else 'MISSED'})"
    else:
        line += "   (torch not installed)"
    print(line, flush=True)
