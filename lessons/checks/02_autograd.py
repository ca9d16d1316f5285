"""Checks for lesson 02 (autograd)."""

from __future__ import annotations

import tensorkit as torch
from lessons.course import Hint, exercise, expect, expect_close, need


def _autograd_f(a: float, b: float) -> tuple[float, float]:
    x1 = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    (torch.log(x1) + x1 * x2 - torch.sin(x2)).backward()
    return x1.grad.item(), x2.grad.item()


@exercise("02-hand-gradient", "the gradient of f by hand")
def hand_gradient(ns):
    grad_f = need(ns, "grad_f")
    for point in [(2.0, 5.0), (0.5, -1.0), (3.0, 0.25)]:
        got = grad_f(*point)
        expect(isinstance(got, tuple | list) and len(got) == 2,
               f"grad_f should return a pair (df/dx1, df/dx2), got {got!r}")
        want = _autograd_f(*point)
        for name, g, w in zip(("df/dx1", "df/dx2"), got, want):
            if abs(float(g) - w) > 1e-6 * max(1.0, abs(w)):
                raise Hint(f"at (x1, x2) = {point}, your {name} is {float(g):.6f} but autograd "
                           f"says {w:.6f}. Differentiate each term of f separately.")


@exercise("02-numerical-gradient", "central differences")
def numerical_gradient(ns):
    numerical_grad = need(ns, "numerical_grad")
    x = torch.tensor([2.0, 5.0, -1.5], dtype=torch.float64)

    def fn(v):
        return (v[0] * v[1] + v[2] ** 3).sin() + v.sum()

    got = numerical_grad(fn, x.clone())
    xr = x.clone().requires_grad_()
    fn(xr).backward()
    expect(isinstance(got, torch.Tensor), f"return a tensor like x, not {type(got).__name__}")
    expect_close(got, xr.grad, "numerical_grad(fn, x)", atol=1e-5, rtol=1e-5)
    expect(torch.equal(x, torch.tensor([2.0, 5.0, -1.5], dtype=torch.float64)),
           "numerical_grad changed x: add eps to a copy, not to x itself")


@exercise("02-accumulate", "gradients accumulate")
def accumulate(ns):
    answer = need(ns, "answer")
    expect(answer is not None, "write your prediction as a number: answer = ...")
    w = torch.tensor(3.0, requires_grad=True)
    (w * w).backward()
    (4 * w).backward()
    if abs(float(answer) - w.grad.item()) > 1e-9:
        raise Hint(f"not {answer}: the first backward gives d(w*w)/dw = 2w, the second "
                   "d(4w)/dw = 4, and backward adds into .grad rather than replacing it")


@exercise("02-descent", "gradient descent on x**2")
def descent(ns):
    descend = need(ns, "descend")
    for x0, lr, steps in [(5.0, 0.1, 10), (-2.0, 0.25, 3), (1.0, 0.5, 1)]:
        got = descend(x0, lr, steps)
        want = x0 * (1 - 2 * lr) ** steps
        expect(isinstance(got, float | int), f"return x as a float (use .item()), "
                                             f"not {type(got).__name__}")
        if abs(got - want) > 1e-4 * max(1.0, abs(want)):
            raise Hint(f"descend({x0}, {lr}, {steps}) returned {got:.6f}, expected {want:.6f}. "
                       "Each step is x <- x - lr * 2x; did you zero x.grad after each step?")
