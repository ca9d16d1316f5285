"""Core op speed, tensorkit beside torch: ``python -m benchmarks.ops [--quick]``.

Measures what the core issue sets targets for, on the CPU:

* a small op chain with backward, ``(a * b + a).sum().backward()`` on scalars, which
  is all Python overhead (target: at most 1.5x torch);
* elementwise ops and a reduction on 1M float32 values (target: at most 1.1x);
* 1024x1024 and 4096x4096 float32 matmuls (target: at most 1.1x).

``--device cuda`` runs the same cases on the GPU (tensorkit through CuPy).
"""

from __future__ import annotations

import numpy as np

from ._timing import cli, to_device


def _small_chain(lib):
    a = to_device(lib.tensor(2.0)).requires_grad_()
    b = to_device(lib.tensor(3.0)).requires_grad_()

    def step():
        (a * b + a).sum().backward()
    return step


def _cases(lib, n_big: int, quick: bool):
    rng = np.random.default_rng(0)
    x = to_device(lib.tensor(rng.standard_normal(n_big, dtype=np.float32)))
    y = to_device(lib.tensor(rng.standard_normal(n_big, dtype=np.float32)))
    m1 = to_device(lib.tensor(rng.standard_normal((1024, 1024), dtype=np.float32)))
    m2 = to_device(lib.tensor(rng.standard_normal((1024, 1024), dtype=np.float32)))
    cases = [
        ("small chain (a*b+a).sum().backward()", _small_chain(lib), 1.5, 200),
        ("x + y, 1M float32", lambda: x + y, 1.1, 20),
        ("x * y, 1M float32", lambda: x * y, 1.1, 20),
        ("x.exp(), 1M float32", lambda: x.exp(), 1.1, 10),
        ("x.relu(), 1M float32", lambda: x.relu(), 1.1, 20),
        ("x.sum(), 1M float32", lambda: x.sum(), 1.1, 20),
        ("matmul 1024x1024 float32", lambda: m1 @ m2, 1.1, 2),
    ]
    if not quick:
        big = [to_device(lib.tensor(rng.standard_normal((4096, 4096), dtype=np.float32)))
               for _ in range(2)]
        cases.append(("matmul 4096x4096 float32", lambda: big[0] @ big[1], 1.1, 1))
    return cases


def main(argv: list[str] | None = None) -> None:
    cli(__doc__, lambda lib, quick: _cases(lib, 1_000_000, quick), repeat=9, quick_divisor=10,
        argv=argv)


if __name__ == "__main__":
    main()
