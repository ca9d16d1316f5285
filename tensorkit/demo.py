"""A two-minute tour of tensorkit: ``python -m tensorkit.demo``.

Runs the first ideas of the lessons in the terminal: tensors, a gradient worked out by
autograd, and gradient descent fitting a line.  The lessons show the same in JupyterLab.
"""

from __future__ import annotations

import tensorkit as torch


def tensors() -> None:
    print("== Tensors ==")
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    print("x =", x)
    print("x * x (elementwise) =", x * x)
    print("x @ x (matrix product) =", x @ x)
    print("x.sum(dim=0) =", x.sum(dim=0), "\n")


def autograd() -> None:
    print("== Autograd on f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5) ==")
    x1 = torch.tensor(2.0, requires_grad=True)
    x2 = torch.tensor(5.0, requires_grad=True)
    f = torch.log(x1) + x1 * x2 - torch.sin(x2)
    f.backward()
    print("f =", f)
    print("df/dx1 =", x1.grad, " (by hand: 1/x1 + x2 = 5.5)")
    print("df/dx2 =", x2.grad, " (by hand: x1 - cos(x2))\n")


def linear_regression(epochs: int = 100) -> None:
    print("== Fitting y = 2x with gradient descent ==")
    xs = torch.tensor([[1.0], [2.0], [3.0]])
    ys = torch.tensor([[2.0], [4.0], [6.0]])
    w = torch.tensor([[0.0]], requires_grad=True)
    for epoch in range(epochs):
        loss = ((xs @ w - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
        w.grad.zero_()
        if epoch % 25 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:3d}  loss {loss.item():.6f}  w {w.item():.4f}")
    print(f"prediction for x = 4: {(torch.tensor([[4.0]]) @ w).item():.4f}")


def main() -> None:
    torch.manual_seed(0)
    tensors()
    autograd()
    linear_regression()


if __name__ == "__main__":
    main()
