"""Op table entries: elementwise arithmetic and math."""

from __future__ import annotations

from . import ALL, BROADCAST_PAIRS, FLOATS, INTS, SHAPES, OpInfo, Sample, positive, rand


def binary_samples(low=-3.0, high=3.0, avoid_zero_b=False):
    def samples(rng, dtype):
        for sa, sb in BROADCAST_PAIRS:
            yield Sample((rand(rng, sa, dtype, low, high),
                          rand(rng, sb, dtype, low, high, avoid_zero=avoid_zero_b)))
        yield Sample((rand(rng, (3, 4), dtype, low, high), 2))
        yield Sample((rand(rng, (3, 4), dtype, low, high), 2.5))
    return samples


def unary_samples(gen=rand):
    def samples(rng, dtype):
        for shape in SHAPES:
            yield Sample((gen(rng, shape, dtype),))
    return samples


OPS = [
    OpInfo("add", lambda lib, a, b: lib.add(a, b), binary_samples(), dtypes=ALL),
    OpInfo("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2), binary_samples(),
           dtypes=FLOATS + INTS),
    OpInfo("sub", lambda lib, a, b: a - b, binary_samples(), dtypes=FLOATS + INTS),
    OpInfo("mul", lambda lib, a, b: a * b, binary_samples(), dtypes=ALL),
    OpInfo("div", lambda lib, a, b: a / b, binary_samples(avoid_zero_b=True),
           dtypes=FLOATS + INTS),
    OpInfo("exp", lambda lib, x: lib.exp(x), unary_samples(), dtypes=FLOATS + INTS),
    OpInfo("log", lambda lib, x: x.log(), unary_samples(positive)),
    OpInfo("tanh", lambda lib, x: x.tanh(), unary_samples()),
    OpInfo("sigmoid", lambda lib, x: lib.sigmoid(x), unary_samples()),
]
