"""Recurrent layer speed, tensorkit beside torch: ``python -m benchmarks.rnn [--quick]``.

The shapes of the surname classifier lesson (names of up to 12 letters, 57 letters as
one-hot vectors or a 64-dim embedding, 18 languages, batches of 256), forward plus
backward:

* one ``GRUCell`` step on a batch (the unit of every loop over time);
* a bidirectional ``GRU`` over the padded batch, and over the same batch packed with
  ``pack_padded_sequence`` (the shrinking batch of a ``PackedSequence``);
* an ``LSTM`` the same way;
* one name at a time (batch 1), where Python overhead per step is everything.

On a shared machine, one thread each gives steadier numbers:
``OMP_NUM_THREADS=1 python -m benchmarks.rnn``.
"""

from __future__ import annotations

import numpy as np

from ._timing import cli, to_device

BATCH, STEPS, LETTERS, EMBED, HIDDEN = 256, 12, 57, 64, 64


def _inputs(lib, batch: int, steps: int, features: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = to_device(lib.tensor(rng.standard_normal((batch, steps, features), dtype=np.float32)))
    lengths = np.sort(rng.integers(min(3, steps), steps + 1, size=batch))[::-1].copy()
    lengths[0] = steps
    return x, lengths.tolist()


def _cell_step(lib):
    lib.manual_seed(0)
    cell = to_device(lib.nn.GRUCell(EMBED, HIDDEN))
    x, _ = _inputs(lib, BATCH, 1, EMBED)
    x = x[:, 0]
    h = to_device(lib.zeros(BATCH, HIDDEN))

    def step():
        cell(x, h).sum().backward()
    return step


def _layer(lib, cls: str, features: int, packed: bool, batch: int = BATCH):
    lib.manual_seed(0)
    layer = to_device(getattr(lib.nn, cls)(features, HIDDEN, batch_first=True,
                                           bidirectional=True))
    head = to_device(lib.nn.Linear(2 * HIDDEN, 18))
    x, lengths = _inputs(lib, batch, STEPS, features)

    def step():
        layer.zero_grad()
        inputs = x
        if packed:
            inputs = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True)
        _, h = layer(inputs)
        h = h[0] if cls == "LSTM" else h
        head(lib.cat([h[0], h[1]], 1)).sum().backward()
    return step


def _cases(lib):
    return [
        ("GRUCell step 256x64, fwd+bwd", _cell_step(lib), 1.5, 50),
        ("biGRU 256x12x57 one-hot, fwd+bwd", _layer(lib, "GRU", LETTERS, False), 1.5, 5),
        ("biGRU 256x12x64 embedded, fwd+bwd", _layer(lib, "GRU", EMBED, False), 1.5, 5),
        ("biGRU 256x12x64 packed, fwd+bwd", _layer(lib, "GRU", EMBED, True), 1.5, 5),
        ("biLSTM 256x12x64 packed, fwd+bwd", _layer(lib, "LSTM", EMBED, True), 1.5, 5),
        ("biGRU one name 1x12x57, fwd+bwd", _layer(lib, "GRU", LETTERS, False, 1), 2.0, 20),
    ]


def main(argv: list[str] | None = None) -> None:
    cli(__doc__, lambda lib, quick: _cases(lib), repeat=9, quick_divisor=5, argv=argv)


if __name__ == "__main__":
    main()
