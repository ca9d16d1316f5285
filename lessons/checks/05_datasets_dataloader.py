"""Checks for lesson 05 (Dataset and DataLoader)."""

from __future__ import annotations

import math

import numpy as np

import tensorkit as torch
from lessons.course import Hint, exercise, expect, need
from tensorkit.datasets import diabetes_path


@exercise("05-dataset", "a Dataset over the diabetes table")
def dataset(ns):
    cls = need(ns, "DiabetesDataset")
    path = diabetes_path()
    table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    ds = cls(path)
    expect(len(ds) == table.shape[0], f"len(dataset) is {len(ds)}; the table has "
                                      f"{table.shape[0]} rows")
    x, y = ds[5]
    expect(isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor),
           "dataset[i] should be a pair of tensors (x, y)")
    expect(tuple(x.shape) == (8,), f"x has shape {tuple(x.shape)}, expected (8,): the 8 "
                                   "feature columns of one row")
    expect(tuple(y.shape) == (1,), f"y has shape {tuple(y.shape)}, expected (1,): keep the "
                                   "label column 2-D in y_data (table[:, -1:] or [:, [-1]])")
    if not np.allclose(x.numpy(), table[5, :-1]) or y.item() != table[5, -1]:
        raise Hint("dataset[5] does not match row 5 of the table")
    expect(x.dtype == torch.float32, f"x has dtype {x.dtype}, expected torch.float32")


@exercise("05-iterations", "iterations per epoch")
def iterations(ns):
    fn = need(ns, "iterations_per_epoch")
    for n, b, drop in [(759, 32, False), (759, 32, True), (64, 32, False), (10, 3, True),
                       (10, 3, False), (5, 10, True)]:
        want = n // b if drop else math.ceil(n / b)
        got = fn(n, b, drop)
        if got != want:
            raise Hint(f"iterations_per_epoch({n}, {b}, drop_last={drop}) = {got}, expected "
                       f"{want}: the last, smaller batch counts unless drop_last")


@exercise("05-model", "a three-layer model")
def model(ns):
    make = need(ns, "make_model")
    m = make()
    expect(isinstance(m, torch.nn.Module), "return an nn.Module (an nn.Sequential)")
    linears = [layer for layer in m.modules() if isinstance(layer, torch.nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in linears]
    expect(shapes == [(8, 6), (6, 4), (4, 1)], f"the Linear layers are {shapes}, expected "
                                               "[(8, 6), (6, 4), (4, 1)]")
    out = m(torch.randn(5, 8))
    expect(tuple(out.shape) == (5, 1), f"output shape {tuple(out.shape)}, expected (5, 1)")
    expect(bool(((out > 0) & (out < 1)).all()),
           "outputs should be probabilities in (0, 1): end with a Sigmoid")
