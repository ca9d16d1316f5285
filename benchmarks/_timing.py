"""Shared timing helpers: best-of-N medians, printed as tensorkit/torch ratios."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

DEVICE = "cpu"  # where the cases put their tensors and models: set by ``--device``


def to_device(x):
    """A tensor or module on the benchmark's device (``--device cuda`` for the GPU)."""
    return x if DEVICE == "cpu" else x.to(DEVICE)


def synchronize(lib) -> None:
    """Wait for the GPU to finish queued work (GPU calls return before they are done)."""
    if DEVICE != "cpu" and lib is not None:
        lib.cuda.synchronize()


def measure(fn: Callable[[], object], repeat: int, number: int, lib=None) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    fn()  # warm up caches and lazy imports
    synchronize(lib)
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        synchronize(lib)
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


Case = tuple[str, Callable[[], object], float, int]  # name, function, target ratio, calls


def side_by_side(make_cases: Callable[[object, bool], list[Case]], *, quick: bool,
                 repeat: int, quick_divisor: int, threads: int | None = None
                 ) -> list[tuple[str, float, float | None, float]]:
    """Time each case in tensorkit and in torch (when importable), round by round.

    ``make_cases(lib, quick)`` builds the same cases for either library.  The two are
    alternated round by round, so that a busy machine slows both alike.
    """
    import tensorkit

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and threads:
        torch.set_num_threads(threads)  # NumPy's elementwise loops use one thread
    repeat = 3 if quick else repeat
    ours = make_cases(tensorkit, quick)
    theirs = make_cases(torch, quick) if torch is not None else [None] * len(ours)
    rows = []
    for (name, fn, target, number), other in zip(ours, theirs):
        number = max(1, number // quick_divisor) if quick else number
        ours_rounds, theirs_rounds = [], []
        for _ in range(repeat):
            ours_rounds.append(measure(fn, 1, number, tensorkit))
            if other is not None:
                theirs_rounds.append(measure(other[1], 1, number, torch))
        rows.append((name, statistics.median(ours_rounds),
                     statistics.median(theirs_rounds) if theirs_rounds else None, target))
    return rows


def cli(doc: str, make_cases: Callable[[object, bool], list[Case]], *, repeat: int,
        quick_divisor: int, argv: list[str] | None = None) -> None:
    """The command line every benchmark module shares: ``[--quick] [--threads N]
    [--device cuda]``."""
    global DEVICE
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for CI")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch's intra-op threads (default: torch's own choice)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                        help="run on the GPU (tensorkit through CuPy, torch through CUDA)")
    args = parser.parse_args(argv)
    DEVICE = args.device
    print(f"device: {DEVICE}")
    print(report(side_by_side(make_cases, quick=args.quick, repeat=repeat,
                              quick_divisor=quick_divisor, threads=args.threads)))
