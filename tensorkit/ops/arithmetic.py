"""Elementwise arithmetic: ``+ - * / **`` and friends, with their derivatives.

Each op is a ``Function``: ``forward`` on arrays, ``backward`` with tensor ops.
Broadcasting needs no code here: when ``a`` of shape (3, 1) meets ``b`` of shape
(3, 4), backward returns a (3, 4) gradient for ``a`` and the engine sums it back
to (3, 1) (see ``autograd/engine.py``).
"""

from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_python_scalar, promote, shape_error


def _binary(fn_cls, a, b, **kwargs) -> Tensor:
    """Promote the operands to a common dtype, then apply the op."""
    a, b, _ = promote(a, b)
    try:
        return fn_cls.apply(a, b, **kwargs)
    except ValueError as e:
        if "broadcast" in str(e):
            raise shape_error(a, b) from None
        raise


class AddBackward0(Function):
    """out = a + alpha * b;  d out/d a = 1,  d out/d b = alpha."""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    def backward(self, grad):
        return grad, grad if self.alpha == 1 else grad * self.alpha


class SubBackward0(Function):
    """out = a - alpha * b;  d out/d a = 1,  d out/d b = -alpha."""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    def backward(self, grad):
        return grad, -grad if self.alpha == 1 else grad * -self.alpha


class RsubBackward1(Function):
    """out = other - alpha * a  (``2 - x``)."""

    def forward(self, a, other=0, alpha=1):
        self.alpha = alpha
        return other - a if alpha == 1 else other - alpha * a

    def backward(self, grad):
        return -grad if self.alpha == 1 else grad * -self.alpha


class MulBackward0(Function):
    """out = a * b;  d out/d a = b,  d out/d b = a."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class DivBackward0(Function):
    """out = a / b;  d out/d a = 1 / b,  d out/d b = -a / b**2."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * a / (b * b) if need_b else None
        return grad_a, grad_b


class DivBackward2(Function):
    """Division rounded down or towards zero: piecewise constant, so zero gradient."""

    def forward(self, a, b, rounding_mode="floor"):
        xp = _xp(a, b)
        if rounding_mode == "floor":
            return xp.floor_divide(a, b) if _is_int(a, b) else xp.floor(a / b)
        if _is_int(a, b):
            return xp.trunc(xp.true_divide(a, b)).astype(xp.result_type(a, b))
        return xp.trunc(a / b)

    def backward(self, grad):
        return grad * 0, grad * 0


class NegBackward0(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class PowBackward0(Function):
    """out = a ** p for a number p;  d out/d a = p * a ** (p - 1)."""

    def forward(self, a, exponent=2):
        self.exponent = exponent
        self.save_for_backward(a)
        if exponent == 2:
            return a * a
        return a ** exponent

    def backward(self, grad):
        (a,) = self.saved_tensors
        p = self.exponent
        if p == 0:
            return grad * 0
        if p == 2:
            return grad * (a * 2)
        return grad * (a ** (p - 1) * p)


class PowBackward1(Function):
    """out = a ** b for tensors;  d/d a = b * a ** (b - 1),  d/d b = out * log(a)."""

    def forward(self, a, b):
        out = a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad * b * a ** (b - 1) if need_a else None
        grad_b = None
        if need_b:  # where a == 0 and b >= 0 the limit is 0, as torch defines it
            from .comparison import where
            from .math import log

            grad_b = where((a == 0) & (b >= 0), 0.0, grad * out * log(a))
        return grad_a, grad_b


class PowBackward2(Function):
    """out = base ** x for a number base;  d out/d x = out * log(base)."""

    def forward(self, x, base=2.0):
        out = base ** x
        self.log_base = math.log(base) if base > 0 else float("nan")
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * self.log_base


class FmodBackward1(Function):
    """C-style remainder, sign of the dividend; d/d a = 1,  d/d b = -trunc(a / b)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _xp(a, b).fmod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * (a / b).trunc()


class RemainderBackward1(Function):
    """Python-style remainder, sign of the divisor; d/d b = -floor(a / b)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _xp(a, b).remainder(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * (a / b).floor()


class ReciprocalBackward0(Function):
    """out = 1 / a;  d out/d a = -out ** 2."""

    def forward(self, a):
        out = 1 / a
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return -grad * out * out


class LerpBackward0(Function):
    """out = start + weight * (end - start) for a number weight."""

    def forward(self, start, end, weight=0.5):
        self.weight = weight
        return start + weight * (end - start)

    def backward(self, grad):
        return grad * (1 - self.weight), grad * self.weight


class LerpBackward1(Function):
    """out = start + weight * (end - start) for a tensor weight."""

    def forward(self, start, end, weight):
        self.save_for_backward(start, end, weight)
        return start + weight * (end - start)

    def backward(self, grad):
        start, end, weight = self.saved_tensors
        return grad * (1 - weight), grad * weight, grad * (end - start)


def _xp(a, b):
    from .._device import array_module

    return array_module(a if hasattr(a, "shape") else b)


def _is_int(a, b) -> bool:
    da = getattr(a, "dtype", None)
    db = getattr(b, "dtype", None)
    kinds = {d.kind for d in (da, db) if d is not None}
    return kinds <= {"i", "u", "b"}


# ---------------------------------------------------------------------- public functions

def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``."""
    return _out(_binary(AddBackward0, input, other, alpha=alpha), out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    if input.dtype is D.bool and isinstance(other, Tensor) and other.dtype is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    return _out(_binary(SubBackward0, input, other, alpha=alpha), out)


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    a, other, _ = promote(input, other)
    return RsubBackward1.apply(a, other=other, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise (Hadamard) product; for the matrix product use ``@``."""
    return _out(_binary(MulBackward0, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """True division (integers give floats), or rounded with ``rounding_mode``."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        return _out(_binary(DivBackward2, input, other, rounding_mode=rounding_mode), out)
    a, b, dtype = promote(input, other)
    if dtype.category < D._FLOAT:  # int / int is a float, as in Python 3
        from ._common import cast

        fdtype = D.get_default_dtype()
        a = cast(a, fdtype) if isinstance(a, Tensor) else a
        b = cast(b, fdtype) if isinstance(b, Tensor) else b
    if not isinstance(a, Tensor):  # 2 / x
        return mul(reciprocal(b), a)
    try:
        return _out(DivBackward0.apply(a, b), out)
    except ValueError as e:
        raise shape_error(a, b) from e


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, rounding_mode="floor", out=out)


def neg(input, *, out=None) -> Tensor:
    if input.dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(NegBackward0.apply(input), out)


negative = neg


def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a number."""
    if not isinstance(input, Tensor):
        base = as_python_scalar(input)
        x = exponent
        dtype = D.result_type(base, x)
        from ._common import cast

        return PowBackward2.apply(cast(x, dtype), base=base)
    if isinstance(exponent, Tensor):
        return _out(_binary(PowBackward1, input, exponent), out)
    exponent = as_python_scalar(exponent)
    a, _, _ = promote(input, exponent)
    if a.dtype.category < D._FLOAT and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(PowBackward0.apply(a, exponent=exponent), out)


def square(input) -> Tensor:
    return pow(input, 2)


def float_power(input, exponent) -> Tensor:
    from ._common import cast

    x = cast(input, D.float64) if isinstance(input, Tensor) else input
    e = cast(exponent, D.float64) if isinstance(exponent, Tensor) else exponent
    return pow(x, e)


def fmod(input, other, *, out=None) -> Tensor:
    """Remainder of division with the sign of ``input`` (C's fmod)."""
    return _out(_binary(FmodBackward1, input, other), out)


def remainder(input, other, *, out=None) -> Tensor:
    """Remainder of division with the sign of ``other`` (Python's ``%``)."""
    if not isinstance(input, Tensor):
        from .creation import full_like

        input = full_like(other, input)
    return _out(_binary(RemainderBackward1, input, other), out)


def reciprocal(input, *, out=None) -> Tensor:
    from ._common import cast

    if input.dtype.category < D._FLOAT:
        input = cast(input, D.get_default_dtype())
    return _out(ReciprocalBackward0.apply(input), out)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``."""
    if isinstance(weight, Tensor):
        return _out(LerpBackward1.apply(input, end, weight), out)
    return _out(LerpBackward0.apply(input, end, weight=as_python_scalar(weight)), out)


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Support the ``out=`` argument: copy the result into an existing tensor."""
    if out is None:
        return result
    from .inplace import copy_into

    return copy_into(out, result)


__all__ = ["add", "div", "divide", "float_power", "floor_divide", "fmod", "lerp", "mul",
    "multiply", "neg", "negative", "pow", "reciprocal", "remainder", "rsub", "square", "sub",
    "subtract", "true_divide"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["add", "div", "divide", "float_power", "floor_divide", "fmod", "lerp", "mul",
    "multiply", "neg", "negative", "pow", "reciprocal", "remainder", "square", "sub", "subtract",
    "true_divide"]
INPLACE_VARIANTS = ["float_power", "floor_divide", "fmod", "lerp", "neg", "negative", "pow",
    "reciprocal", "remainder", "square", "true_divide"]
