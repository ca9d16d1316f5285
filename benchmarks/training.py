"""Train the tutorials' MNIST models with tensorkit and torch from identical weights.

``python -m benchmarks.training --model mlp --epochs 20`` prints, per epoch, the time
of each library and the test accuracy each reaches, then the tensorkit/torch time
ratio.  ``--quick`` trains on 2,000 images for one epoch (a smoke test for CI).
The data is real MNIST, read by ``tensorkit.vision.datasets.MNIST`` (``$TENSORKIT_DATA``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import tensorkit


def build_model(lib, name: str):
    nn, F = lib.nn, lib.nn.functional

    class MLP(nn.Module):
        """The seed tutorial's MLP: 784-520-320-240-120-10 with ReLU."""

        def __init__(self):
            super().__init__()
            sizes = [784, 520, 320, 240, 120, 10]
            self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

        def forward(self, x):
            x = x.view(-1, 784)
            for layer in self.layers[:-1]:
                x = F.relu(layer(x))
            return self.layers[-1](x)

    class CNN(nn.Module):
        """The seed tutorial's CNN: conv 1->10, pool, conv 10->20, pool, fc 320->10."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(320, 10)

        def forward(self, x):
            x = F.relu(self.pool(self.conv1(x)))
            x = F.relu(self.pool(self.conv2(x)))
            return self.fc(x.flatten(1))

    return {"mlp": MLP, "cnn": CNN}[name]()


def load_mnist(quick: bool):
    """MNIST as normalised float32 arrays (the tutorials' Normalize((0.1307,), (0.3081,)))."""
    from tensorkit.vision import datasets

    train, test = datasets.MNIST(".", train=True), datasets.MNIST(".", train=False)

    def arrays(ds, n):
        x = ds.data.numpy()[:n].astype(np.float32) / 255.0
        x = ((x - 0.1307) / 0.3081)[:, None]
        return x, ds.targets.numpy()[:n].astype(np.int64)

    n_train, n_test = (2000, 1000) if quick else (60000, 10000)
    return arrays(train, n_train), arrays(test, n_test)


def run(lib, name: str, data, epochs: int, batch_size: int, seed: int):
    (x_train, y_train), (x_test, y_test) = data
    lib.manual_seed(seed)
    model = build_model(lib, name)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    order_rng = np.random.default_rng(seed)
    times, accuracies = [], []
    for _ in range(epochs):
        model.train()
        order = order_rng.permutation(len(x_train))
        start = time.perf_counter()
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            x, y = lib.from_numpy(x_train[idx]), lib.from_numpy(y_train[idx])
            loss = lib.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
        model.eval()
        correct = 0
        with lib.no_grad():
            for i in range(0, len(x_test), 1000):
                out = model(lib.from_numpy(x_test[i:i + 1000]))
                correct += int((out.argmax(1) == lib.from_numpy(y_test[i:i + 1000])).sum())
        accuracies.append(correct / len(x_test))
    return times, accuracies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-torch", action="store_true", help="train tensorkit only")
    args = parser.parse_args(argv)
    data = load_mnist(args.quick)
    libs = [("tensorkit", tensorkit)]
    if not args.no_torch:
        try:
            import torch

            libs.append(("torch", torch))
        except ImportError:
            pass
    results = {label: run(lib, args.model, data, args.epochs, args.batch_size, 0)
               for label, lib in libs}
    for epoch in range(args.epochs):
        cells = [f"{label} {results[label][0][epoch]:6.2f} s  acc {results[label][1][epoch]:.4f}"
                 for label, _ in libs]
        print(f"{args.model} epoch {epoch + 1:2d}: " + " | ".join(cells))
    if "torch" in results:
        ratio = np.median(results["tensorkit"][0]) / np.median(results["torch"][0])
        print(f"{args.model}: tensorkit/torch time per epoch (median): {ratio:.2f}x")


if __name__ == "__main__":
    main()
