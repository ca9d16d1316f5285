"""Checks for lesson 01 (tensors)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import Hint, exercise, expect, expect_close, need


@exercise("01-broadcast-shape", "predict a broadcast shape")
def broadcast_shape(ns):
    answer = need(ns, "answer_shape")
    expect(answer is not None, "write your prediction as a tuple, e.g. answer_shape = (2, 3)")
    actual = tuple((torch.zeros(5, 1, 4) + torch.zeros(3, 1)).shape)
    expect(isinstance(answer, tuple | list | torch.Size),
           f"answer_shape should be a tuple of ints, not {type(answer).__name__}")
    expect(len(answer) == len(actual),
           f"your shape has {len(answer)} dimensions; the result has {len(actual)}: the "
           "result has as many dimensions as the larger operand")
    expect(tuple(answer) == actual,
           "not quite: line the shapes up from the right, (5, 1, 4) over (3, 1), and in "
           "each column a 1 stretches to the other size")


@exercise("01-pairwise", "pairwise squared distances by broadcasting")
def pairwise(ns):
    fn = need(ns, "pairwise_sq_distances")
    torch.manual_seed(1)
    x, y = torch.randn(4, 3), torch.randn(5, 3)
    out = fn(x, y)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__}")
    expect(tuple(out.shape) == (4, 5),
           f"got shape {tuple(out.shape)} for x of shape (4, 3) and y of shape (5, 3); "
           "expected (4, 5): one row per point of x, one column per point of y")
    expected = torch.tensor([[float(((x[i] - y[j]) ** 2).sum()) for j in range(5)]
                             for i in range(4)])
    expect_close(out, expected, "pairwise_sq_distances(x, y)")


@exercise("01-one-hot", "one-hot encoding with advanced indexing")
def one_hot(ns):
    fn = need(ns, "one_hot")
    labels = torch.tensor([2, 0, 3, 3])
    out = fn(labels, 5)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__}")
    expect(tuple(out.shape) == (4, 5), f"shape {tuple(out.shape)}, expected (4, 5)")
    expect(out.dtype == torch.float32, f"dtype {out.dtype}, expected torch.float32")
    for row, label in enumerate(labels.tolist()):
        values = out[row].tolist()
        if values.count(1.0) != 1 or values[label] != 1.0 or sum(values) != 1.0:
            raise Hint(f"row {row} is {values}; for label {label} it should have a single 1 "
                       f"in column {label}")


@exercise("01-columns", "fix a view of a non-contiguous tensor")
def columns(ns):
    fn = need(ns, "columns_first")
    m = torch.arange(6).reshape(2, 3)
    out = fn(m)
    expect_close(out, torch.tensor([0, 3, 1, 4, 2, 5]), "columns_first(arange(6).reshape(2, 3))")
    expect(m.tolist() == [[0, 1, 2], [3, 4, 5]], "columns_first must not change its input")
