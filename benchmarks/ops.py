"""Core op speed, tensorkit beside torch: ``python -m benchmarks.ops [--quick]``.

Measures what the core issue sets targets for, on the CPU:

* a small op chain with backward, ``(a * b + a).sum().backward()`` on scalars, which
  is all Python overhead (target: at most 1.5x torch);
* elementwise ops and a reduction on 1M float32 values (target: at most 1.1x);
* a 1024x1024 float32 matmul (target: at most 1.1x).
"""

from __future__ import annotations

import numpy as np

from ._timing import cli


def _small_chain(lib):
    a = lib.tensor(2.0, requires_grad=True)
    b = lib.tensor(3.0, requires_grad=True)

    def step():
        (a * b + a).sum().backward()
    return step


def _cases(lib, n_big: int):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(n_big, dtype=np.float32))
    y = lib.tensor(rng.standard_normal(n_big, dtype=np.float32))
    m1 = lib.tensor(rng.standard_normal((1024, 1024), dtype=np.float32))
    m2 = lib.tensor(rng.standard_normal((1024, 1024), dtype=np.float32))
    return [
        ("small chain (a*b+a).sum().backward()", _small_chain(lib), 1.5, 200),
        ("x + y, 1M float32", lambda: x + y, 1.1, 20),
        ("x * y, 1M float32", lambda: x * y, 1.1, 20),
        ("x.exp(), 1M float32", lambda: x.exp(), 1.1, 10),
        ("x.relu(), 1M float32", lambda: x.relu(), 1.1, 20),
        ("x.sum(), 1M float32", lambda: x.sum(), 1.1, 20),
        ("matmul 1024x1024 float32", lambda: m1 @ m2, 1.1, 2),
    ]


def main(argv: list[str] | None = None) -> None:
    cli(__doc__, lambda lib, quick: _cases(lib, 1_000_000), repeat=9, quick_divisor=10, argv=argv)


if __name__ == "__main__":
    main()
