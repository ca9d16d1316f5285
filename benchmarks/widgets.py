"""How much ``TrainingView.step`` slows a training loop down (the target: under 5%).

``python -m benchmarks.widgets --model mlp --steps 200 --rounds 9`` trains the seed
tutorial's MNIST model (real MNIST from ``$TENSORKIT_DATA``) in rounds of ``--steps``
batches, alternating rounds without and with ``view.step(loss, out, y)`` (the two orders
alternate too, so that a busy machine slows both alike), and prints the median time per
step of each, the slowdown of the medians, the median of the paired round ratios, and
the time spent inside ``view.step`` itself (the part of the slowdown that is not noise).

The view's messages are JSON-encoded as a kernel would encode them (outside a kernel
ipywidgets would skip that work and the number would look better than it is).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

import tensorkit
from benchmarks.models import build as build_model
from benchmarks.training import load_mnist


def _kernel_like_comm(view) -> dict:
    """Make the widget's comm JSON-encode every message, as ipykernel would; count them."""
    sent = {"messages": 0, "bytes": 0}

    def publish_msg(msg_type, data=None, metadata=None, buffers=None, **keys):
        sent["messages"] += 1
        sent["bytes"] += len(json.dumps(data, allow_nan=False))

    view.comm.publish_msg = publish_msg
    return sent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--steps", type=int, default=200, help="batches per round")
    parser.add_argument("--rounds", type=int, default=9, help="rounds of each kind")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--interval", type=float, default=0.5, help="the view's sync interval")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 50 steps")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.rounds = 50, 3

    from widgets.training import TrainingView

    (x_train, y_train), _ = load_mnist(quick=False)
    tensorkit.manual_seed(0)
    model = build_model(tensorkit, args.model)
    optimizer = tensorkit.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    view = TrainingView(model, interval=args.interval)
    sent = _kernel_like_comm(view)
    inside = [0.0]

    def timed_step(loss, out, y):
        start = time.perf_counter()
        view.step(loss, out, y)
        inside[0] += time.perf_counter() - start

    order = np.random.default_rng(0).permutation(len(x_train))
    position = [0]

    def round_(with_view: bool) -> float:
        """Seconds per step over one round of ``--steps`` batches."""
        start = time.perf_counter()
        for _ in range(args.steps):
            i = position[0] % (len(order) - args.batch_size)
            idx = order[i:i + args.batch_size]
            position[0] += args.batch_size
            x, y = tensorkit.from_numpy(x_train[idx]), tensorkit.from_numpy(y_train[idx])
            optimizer.zero_grad()
            out = model(x)
            loss = tensorkit.nn.functional.cross_entropy(out, y)
            loss.backward()
            if with_view:
                timed_step(loss, out, y)
            optimizer.step()
        return (time.perf_counter() - start) / args.steps

    round_(False)  # warm up
    round_(True)
    inside[0] = 0.0
    plain, viewed = [], []
    for r in range(args.rounds):
        for with_view in ((False, True) if r % 2 == 0 else (True, False)):
            (viewed if with_view else plain).append(round_(with_view))
    view.flush()
    p, v = statistics.median(plain), statistics.median(viewed)
    paired = statistics.median(b / a for a, b in zip(plain, viewed))
    total_view_time = sum(viewed) * args.steps
    print(f"{args.model}: {args.rounds} rounds x {args.steps} steps, batch {args.batch_size}, "
          f"interval {args.interval} s")
    print(f"  without the view: {p * 1e3:8.2f} ms/step (median)")
    print(f"  with view.step:   {v * 1e3:8.2f} ms/step (median)")
    print("  rounds without:  " + " ".join(f"{t * 1e3:.2f}" for t in plain))
    print("  rounds with:     " + " ".join(f"{t * 1e3:.2f}" for t in viewed))
    print(f"  slowdown of the medians:      {100 * (v / p - 1):+6.2f} %")
    print(f"  median of paired round ratios: {100 * (paired - 1):+6.2f} %")
    print(f"  time inside view.step:         {100 * inside[0] / total_view_time:6.2f} % of the "
          f"training time ({inside[0] / (args.rounds * args.steps) * 1e6:.0f} us/step)")
    print(f"  syncs: {view.sync_count}, messages {sent['messages']}, "
          f"{sent['bytes'] / 1e3:.0f} kB sent; gradient norms measured at "
          f"{len(view.grad_steps)} of {view.steps} steps")


if __name__ == "__main__":
    main()
