"""Checks for lesson 04 (logistic regression)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import Hint, exercise, expect, expect_close, need


@exercise("04-sigmoid", "the sigmoid function")
def sigmoid(ns):
    fn = need(ns, "sigmoid")
    z = torch.tensor([-30.0, -2.0, 0.0, 0.5, 3.0])
    out = fn(z)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__}")
    expect_close(out, torch.sigmoid(z), "sigmoid(z)")


@exercise("04-bce", "binary cross-entropy")
def bce(ns):
    fn = need(ns, "bce")
    p = torch.tensor([[0.9], [0.2], [0.6], [0.01]])
    y = torch.tensor([[1.0], [0.0], [0.0], [1.0]])
    out = fn(p, y)
    expect(isinstance(out, torch.Tensor), "return a tensor (no .item()): autograd needs it")
    expect(out.dim() == 0, f"return one number (a 0-d tensor); got shape {tuple(out.shape)}. "
                           "Did you forget .mean()?")
    expected = torch.nn.functional.binary_cross_entropy(p, y)
    if abs(out.item() - expected.item()) > 1e-5:
        raise Hint(f"bce gives {out.item():.5f}, expected {expected.item():.5f}. Check the "
                   "sign (the loss is positive) and the (1 - y) log(1 - p) term.")


@exercise("04-threshold", "the decision boundary")
def threshold(ns):
    fn = need(ns, "decision_hours")
    for w, b in [(2.0, -5.0), (0.5, 1.0), (-1.0, 3.0)]:
        got = fn(w, b)
        z = w * got + b
        expect(abs(z) < 1e-6, f"decision_hours({w}, {b}) = {got}, but there w x + b = {z}, "
                              "not 0: solve w x + b = 0 for x")
