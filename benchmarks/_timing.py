"""Shared timing helpers: best-of-N medians, printed as tensorkit/torch ratios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def measure(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    fn()  # warm up caches and lazy imports
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


def report(rows: list[tuple[str, float, float | None, float]]) -> str:
    """A table of (name, tensorkit seconds, torch seconds or None, target ratio)."""
    lines = [f"{'benchmark':44s} {'tensorkit':>11s} {'torch':>11s} {'ratio':>7s} {'target':>7s}"]
    for name, ours, theirs, target in rows:
        if theirs is None:
            lines.append(f"{name:44s} {format_time(ours)} {'-':>11s} {'-':>7s} {target:6.2f}x")
            continue
        ratio = ours / theirs
        flag = "" if ratio <= target else "  (over target)"
        lines.append(f"{name:44s} {format_time(ours)} {format_time(theirs)} "
                     f"{ratio:6.2f}x {target:6.2f}x{flag}")
    return "\n".join(lines)
