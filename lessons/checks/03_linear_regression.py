"""Checks for lesson 03 (linear regression)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import Hint, exercise, expect, need


@exercise("03-gradient", "the MSE gradient by hand")
def gradient(ns):
    mse_grad = need(ns, "mse_grad")
    torch.manual_seed(4)
    x, y = torch.randn(5, 1), torch.randn(5, 1)
    for w0 in (1.0, -0.5, 2.5):
        got = mse_grad(w0, x, y)
        expect(isinstance(got, float | int), f"return a float (use .item()), "
                                             f"not {type(got).__name__}")
        w = torch.tensor(w0, requires_grad=True)
        ((w * x - y) ** 2).mean().backward()
        if abs(got - w.grad.item()) > 1e-4 * max(1.0, abs(w.grad.item())):
            raise Hint(f"at w = {w0} you return {got:.5f}, autograd says {w.grad.item():.5f}. "
                       "Differentiate (w x - y)^2 with the chain rule: 2 x (w x - y), then "
                       "average over the points.")


@exercise("03-train", "the training loop")
def train(ns):
    train_fn = need(ns, "train")
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    x = torch.tensor([[1.0], [2.0], [3.0]])
    y = 2 * x
    history = train_fn(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.05),
                       x, y, 200)
    expect(isinstance(history, list) and len(history) == 200,
           "return a list with one loss per epoch (200 here)")
    expect(all(isinstance(h, float) for h in history),
           "store plain floats in the list: loss.item(), not the loss tensor")
    expect(history[-1] < history[0] / 100,
           f"the loss went from {history[0]:.4f} to {history[-1]:.4f}; it should fall a lot. "
           "Did you call optimizer.zero_grad(), loss.backward() and optimizer.step() each epoch?")
    expect(abs(model.weight.item() - 2) < 0.1,
           f"after training the weight is {model.weight.item():.3f}, expected about 2")


@exercise("03-predict", "read a trained model")
def predict(ns):
    answer = need(ns, "answer")
    expect(answer is not None, "write your prediction as a number: answer = ...")
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(0.5)
    expected = model(torch.tensor([[3.0]])).item()
    if abs(float(answer) - expected) > 1e-6:
        raise Hint(f"not {answer}: the model computes weight * x + bias")
