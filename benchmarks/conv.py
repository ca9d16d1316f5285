"""Convolution and pooling speed, tensorkit beside torch: ``python -m benchmarks.conv [--quick]``.

Forward and forward+backward of the seed CNN's layers at batch 64 (MNIST):

* conv 1->10, 5x5 on (64, 1, 28, 28) (the images need no gradient);
* max pool 2 on (64, 10, 24, 24);
* conv 10->20, 5x5 on (64, 10, 12, 12);
* max pool 2 on (64, 20, 8, 8);
* the whole feature extractor (conv, pool, relu, conv, pool, relu);

and a wider layer, conv 64->64, 3x3, padding 1 on (64, 64, 32, 32), where the
matrix product dominates.  The machine may be shared: compare the two columns of one
run, not numbers across runs.
"""

from __future__ import annotations

import numpy as np

from ._timing import cli, to_device


def _functional(lib):
    return lib.nn.functional if lib.__name__ == "torch" else lib


def _tensor(lib, rng, shape, requires_grad=False):
    array = rng.standard_normal(shape, dtype=np.float32)
    return to_device(lib.from_numpy(array)).requires_grad_(requires_grad)


def _forward_backward(lib, fn, inputs):
    def step():
        out = fn(*inputs)
        out.backward(lib.ones_like(out))
    return step


def _cases(lib, quick: bool):
    """(name, fn to time, target ratio, calls per round) for one library."""
    rng = np.random.default_rng(0)
    f = _functional(lib)
    images = _tensor(lib, rng, (64, 1, 28, 28))
    w1, b1 = _tensor(lib, rng, (10, 1, 5, 5), True), _tensor(lib, rng, (10,), True)
    h1 = _tensor(lib, rng, (64, 10, 24, 24), True)
    x2 = _tensor(lib, rng, (64, 10, 12, 12), True)
    w2, b2 = _tensor(lib, rng, (20, 10, 5, 5), True), _tensor(lib, rng, (20,), True)
    h2 = _tensor(lib, rng, (64, 20, 8, 8), True)
    x3 = _tensor(lib, rng, (64, 64, 32, 32), True)
    w3 = _tensor(lib, rng, (64, 64, 3, 3), True)

    def conv1(x, w, b):
        return lib.conv2d(x, w, b)

    def conv2(x, w, b):
        return lib.conv2d(x, w, b)

    def pool(x):
        return lib.max_pool2d(x, 2)

    def features(x, w1, b1, w2, b2):
        h = lib.max_pool2d(lib.conv2d(x, w1, b1), 2).relu()
        return lib.max_pool2d(lib.conv2d(h, w2, b2), 2).relu()

    def wide(x, w):
        return lib.conv2d(x, w, None, 1, 1)

    def avg(x):
        return f.avg_pool2d(x, 2)

    def no_grad(fn, *args):
        def run():
            with lib.no_grad():
                fn(*args)
        return run

    cases = [
        ("conv 1->10 k5 (64,1,28,28) forward", no_grad(conv1, images, w1, b1), 2.0, 20),
        ("conv 1->10 k5 forward+backward",
         _forward_backward(lib, conv1, (images, w1, b1)), 2.0, 10),
        ("max_pool2d 2 (64,10,24,24) forward", no_grad(pool, h1), 2.0, 20),
        ("max_pool2d 2 (64,10,24,24) fwd+bwd", _forward_backward(lib, pool, (h1,)), 2.0, 10),
        ("conv 10->20 k5 (64,10,12,12) forward", no_grad(conv2, x2, w2, b2), 2.0, 20),
        ("conv 10->20 k5 forward+backward", _forward_backward(lib, conv2, (x2, w2, b2)), 2.0, 10),
        ("max_pool2d 2 (64,20,8,8) fwd+bwd", _forward_backward(lib, pool, (h2,)), 2.0, 20),
        ("avg_pool2d 2 (64,10,24,24) fwd+bwd", _forward_backward(lib, avg, (h1,)), 2.0, 10),
        ("seed CNN features fwd+bwd (batch 64)",
         _forward_backward(lib, features, (images, w1, b1, w2, b2)), 2.0, 5),
    ]
    if not quick:
        cases += [
            ("conv 64->64 k3 p1 (64,64,32,32) forward", no_grad(wide, x3, w3), 3.0, 1),
            ("conv 64->64 k3 p1 forward+backward", _forward_backward(lib, wide, (x3, w3)), 3.0, 1),
        ]
    return cases


def main(argv: list[str] | None = None) -> None:
    cli(__doc__, _cases, repeat=7, quick_divisor=4, argv=argv)


if __name__ == "__main__":
    main()
