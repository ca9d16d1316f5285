"""Checks for lesson 06 (softmax, cross-entropy and MNIST)."""

from __future__ import annotations

import math

import tensorkit as torch
import tensorkit.nn.functional as F
from lessons.course import Hint, exercise, expect, expect_close, expect_shapes, need


def _has_nan_or_inf(t) -> bool:
    return not bool(torch.isfinite(t).all())


@exercise("06-softmax", "a numerically stable softmax")
def softmax(ns):
    fn = need(ns, "softmax")
    z = torch.tensor([2.0, 1.0, 0.1])
    out = fn(z)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__}")
    expect_close(out, F.softmax(z, dim=-1), "softmax([2, 1, 0.1])")

    big = torch.tensor([1000.0, 0.0, -1000.0])
    out = fn(big)
    expect(not _has_nan_or_inf(out),
           f"softmax([1000, 0, -1000]) gives {out.tolist()}: exp(1000) overflows to inf and "
           "inf / inf is nan. Subtract the largest logit before exponentiating.")
    expect_close(out, F.softmax(big, dim=-1), "softmax([1000, 0, -1000])")

    torch.manual_seed(0)
    batch = torch.randn(4, 10) * 3
    out = fn(batch)
    sums = out.sum(dim=-1) if isinstance(out, torch.Tensor) and out.dim() == 2 else None
    if sums is not None and not bool(((sums - 1).abs() < 1e-4).all()):
        raise Hint(f"on a batch of shape (4, 10) the rows sum to {sums.tolist()}, not 1: "
                   "sum over the last dimension only, with keepdim=True "
                   "(e.sum(dim=-1, keepdim=True)).")
    expect_close(out, F.softmax(batch, dim=-1), "softmax of a batch of shape (4, 10)")

    rows = torch.tensor([[1000.0, 999.0, 998.0], [1.0, 2.0, 0.0]])
    out = fn(rows)
    expect(not _has_nan_or_inf(out),
           f"softmax([[1000, 999, 998], [1, 2, 0]]) gives {out.tolist()}: subtract each "
           "row's own maximum (z.max(dim=-1, keepdim=True).values), not the maximum of the "
           "whole tensor, or the second row's exponentials all underflow to 0.")
    expect_close(out, F.softmax(rows, dim=-1), "softmax([[1000, 999, 998], [1, 2, 0]])")


@exercise("06-cross-entropy", "cross-entropy by hand")
def cross_entropy(ns):
    fn = need(ns, "cross_entropy_by_hand")
    torch.manual_seed(1)
    logits = (torch.randn(8, 5) * 2).requires_grad_()
    targets = torch.tensor([0, 4, 2, 2, 1, 3, 0, 4])
    out = fn(logits, targets)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__} "
                                          "(no .item(): autograd needs the tensor)")
    expect(out.dim() == 0, f"return one number (a 0-d tensor); you returned shape "
                           f"{tuple(out.shape)}. Average over the batch with .mean().")
    expected = F.cross_entropy(logits, targets)
    got, want = out.item(), expected.item()
    if abs(got + want) < 1e-4:
        raise Hint(f"you get {got:.5f}, expected {want:.5f}: the loss is -log p, so it is "
                   "positive.")
    if abs(got - want * len(targets)) < 1e-3:
        raise Hint(f"you get {got:.5f}, {len(targets)} times the expected {want:.5f}: take "
                   "the mean over the batch, not the sum.")
    expect(abs(got - want) < 1e-4,
           f"cross_entropy_by_hand gives {got:.5f}, F.cross_entropy gives {want:.5f}. Check "
           "that log_p is computed per row (dim=1, keepdim=True) and that you pick "
           "log_p[torch.arange(N), targets].")
    expect(out.requires_grad, "the result does not require grad: build it from `logits` with "
                              "tensor operations (no .item(), .numpy() or torch.tensor(...)).")
    (grad,) = torch.autograd.grad(out, logits)
    (want_grad,) = torch.autograd.grad(expected, logits)
    expect_close(grad, want_grad, "the gradient of your loss with respect to the logits")

    big = torch.tensor([[0.0, 1000.0, -1000.0], [500.0, 0.0, 0.0]])
    big_targets = torch.tensor([2, 0])
    out = fn(big, big_targets)
    want = F.cross_entropy(big, big_targets).item()
    expect(math.isfinite(out.item()),
           f"with logits [[0, 1000, -1000], [500, 0, 0]] you get {out.item()} instead of "
           f"{want}: exp overflows or log(0) = -inf. Subtract each row's maximum and use "
           "log p = (z - m) - log(sum(exp(z - m))) rather than log(softmax(z)).")
    expect(abs(out.item() - want) < 1e-2,
           f"with logits [[0, 1000, -1000], [500, 0, 0]] you get {out.item()}, expected {want}")


@exercise("06-shapes", "predict the shapes")
def shapes(ns):
    answer = need(ns, "shapes")
    expect(isinstance(answer, dict), "`shapes` should be a dict with keys 'images', 'flat', "
                                     "'logits', 'loss' and 'predictions'")
    images = torch.zeros(64, 1, 28, 28)  # what the MNIST loader gives: ToTensor's (C, H, W)
    flat = images.view(-1, 784)
    logits = torch.nn.Linear(784, 10)(flat)
    loss = torch.nn.CrossEntropyLoss()(logits, torch.zeros(64, dtype=torch.int64))
    actual = {"images": images, "flat": flat, "logits": logits, "loss": loss,
              "predictions": logits.argmax(dim=1)}
    why = {
        "images": "a batch is (batch size, channels, height, width); MNIST is grayscale",
        "flat": "view(-1, 784) keeps one row per image",
        "logits": "one row per image, one score per class",
        "loss": "the loss averages over the batch into one number, a 0-d tensor",
        "predictions": "argmax over dim 1 removes the class dimension",
    }
    expect_shapes(answer, actual, why, "shapes")
    expect(set(answer) == set(actual), f"unexpected keys {sorted(set(answer) - set(actual))}")


@exercise("06-accuracy", "accuracy of a batch of predictions")
def accuracy(ns):
    fn = need(ns, "accuracy")
    outputs = torch.tensor([[0.1, 2.0, 0.3],
                            [3.0, 0.2, 0.1],
                            [0.0, 0.1, 0.2],
                            [1.0, 5.0, 2.0],
                            [0.3, 0.2, 0.1],
                            [-1.0, -2.0, -0.5]])  # predicted classes: 1 0 2 1 0 2
    targets = torch.tensor([1, 0, 1, 1, 2, 2])  # 4 of 6 right
    try:
        got = fn(outputs, targets)
    except NotImplementedError:  # a RuntimeError too: the stub
        raise
    except RuntimeError as error:
        raise Hint(f"accuracy raised RuntimeError: {error}. outputs has shape (6, 3) and "
                   "targets (6,): compare outputs.argmax(dim=1), one class per row, with the "
                   "targets.") from None
    expect(got is not None, "accuracy returned None: did you forget `return`?")
    if isinstance(got, torch.Tensor):
        expect(got.numel() == 1, f"return one number; you returned a tensor of shape "
                                 f"{tuple(got.shape)}. Compare the argmax (dim=1) with the "
                                 "targets, then take the mean.")
        raise Hint("you returned a tensor: return a Python float, with .item()")
    expect(isinstance(got, (int, float)), f"return a float, not {type(got).__name__}")
    if got == 4:
        raise Hint("you returned 4, the number of correct predictions: divide by the number "
                   "of examples to get a fraction.")
    expect(abs(got - 4 / 6) < 1e-6,
           f"accuracy gives {got}, expected {4 / 6:.4f} (4 of 6 right). The prediction is "
           "outputs.argmax(dim=1), one class per row; compare it with the targets.")
    torch.manual_seed(2)
    outputs, targets = torch.randn(50, 10), torch.randint(0, 10, (50,))
    want = (outputs.argmax(1) == targets).float().mean().item()
    got = fn(outputs, targets)
    expect(abs(got - want) < 1e-6, f"on 50 random rows accuracy gives {got}, expected {want}")
