"""Elementwise arithmetic: ``+ - * / **`` and friends, with their derivatives.

Each op is a ``Function``: ``forward`` on arrays, ``backward`` with tensor ops.
Broadcasting needs no code here: when ``a`` of shape (3, 1) meets ``b`` of shape
(3, 4), backward returns a (3, 4) gradient for ``a`` and the engine sums it back
to (3, 1) (see ``autograd/engine.py``).

Integer arithmetic follows torch, not NumPy, where they differ: integer division by
zero raises (NumPy would warn and return 0), and integers to negative powers
truncate (``2 ** -1`` is 0) instead of raising.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ._common import as_python_scalar, cast, promote, shape_error


def _binary(fn_cls, a, b, **kwargs) -> Tensor:
    """Promote the operands to a common dtype, then apply the op."""
    a, b, _ = promote_wrapping(a, b)
    try:
        return fn_cls.apply(a, b, **kwargs)
    except ValueError as e:
        if "broadcast" in str(e):
            raise shape_error(a, b) from None
        raise


def promote_wrapping(a, b):
    """``promote``, and a Python int outside an integer result dtype wraps around."""
    a, b, dtype = promote(a, b)
    if dtype.category == D._INT:
        a, b = _wrap_int(a, dtype), _wrap_int(b, dtype)
    return a, b, dtype


def _wrap_int(x, dtype: D.dtype):
    """A Python int beyond an integer dtype's range wraps around, as torch's C++ cast does
    (``uint8_tensor * -1`` multiplies by 255); NumPy would raise OverflowError instead."""
    if type(x) is int:
        info = np.iinfo(dtype.np_dtype)
        if not info.min <= x <= info.max:
            return int(np.array(x & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(dtype.np_dtype))
    return x


def _quiet():
    """NumPy warns about divisions by zero whose inf or NaN torch returns silently."""
    return np.errstate(all="ignore")


def _xp(a, b):
    return array_module(a if hasattr(a, "shape") else b)


def _is_int(a, b) -> bool:
    da = getattr(a, "dtype", None)
    db = getattr(b, "dtype", None)
    kinds = {d.kind for d in (da, db) if d is not None}
    return kinds <= {"i", "u", "b"}


def _check_int_divisor(a, b) -> None:
    """Integers have no inf or NaN: dividing by an integer zero is an error, as in torch."""
    if _is_int(a, b):
        zero = b == 0
        if bool(zero.any()) if hasattr(zero, "any") else zero:
            raise RuntimeError("ZeroDivisionError: integer division or remainder by zero. "
                               "(Convert to a float tensor to get inf or nan instead.)")


def _not_for_bool(name: str, dtype: D.dtype) -> None:
    if dtype is D.bool:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def _float_only(name: str, dtype: D.dtype) -> None:
    if dtype.category < D._FLOAT:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype.legacy_name}\'')


def _require_tensors(fn_name: str, **args) -> None:
    """torch's check for ops whose arguments must all be tensors (no Python numbers)."""
    for position, (name, value) in enumerate(args.items(), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{fn_name}(): argument '{name}' (position {position}) must be "
                            f"Tensor, not {type(value).__name__}")


def _promote_to_float(a, b):
    """Operands of a float-valued op (``atan2(int, int)`` is float): the promoted dtype,
    or the default float dtype if that is an integer one.  Each operand is converted
    straight from its own dtype, so an int8 -1 meeting a uint8 stays -1.0."""
    if type(a) is Tensor and type(b) is Tensor and a._data.dtype == b._data.dtype and \
            a._data.dtype.kind == "f":
        return a, b, D._FROM_NUMPY[a._data.dtype]  # the common case, quickly
    a, b = _operand(a), _operand(b)
    dtype = D.result_type(a, b)
    if dtype.category < D._FLOAT:
        dtype = D.get_default_dtype()
    return (cast(a, dtype) if isinstance(a, Tensor) else a,
            cast(b, dtype) if isinstance(b, Tensor) else b, dtype)


def _operand(x):
    """NumPy arrays act as tensors, NumPy scalars as Python numbers."""
    if isinstance(x, np.ndarray):
        return _make(x)
    return as_python_scalar(x)


def _scalar_array(value, like, dtype: D.dtype):
    """A Python number as a 0-d array of ``dtype``, so array math keeps that dtype."""
    return array_module(like._data).asarray(value, dtype=dtype.np_dtype)


class NotImplementedBackward(Function):
    """The graph node of an op torch gives no derivative (``floor_divide``, ``heaviside``).

    The result is recorded in the graph (it requires grad, as in torch), but running
    backward through it raises.
    """

    def forward(self, *inputs, op: str = "", result=None):
        self.op = op
        return result

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")

    def name(self) -> str:
        return "torch::autograd::NotImplemented"


NotImplementedBackward.__name__ = "NotImplemented"  # the name torch prints


def _without_derivative(op: str, result, *inputs) -> Tensor:
    """Wrap ``result`` (an array) as a tensor whose graph node refuses backward."""
    if any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        return NotImplementedBackward.apply(*inputs, op=op, result=result)
    return _make(result)


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


class RsubBackward0(Function):
    """out = b - alpha * a for tensors (``torch.rsub(a, b)``)."""

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        return b - a if alpha == 1 else b - alpha * a

    def backward(self, grad):
        return (-grad if self.alpha == 1 else grad * -self.alpha), grad


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
        with _quiet():  # 0/0 and inf/inf are nan in torch, without a warning
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
        _check_int_divisor(a, b)
        return _floor_divide(a, b) if rounding_mode == "floor" else _trunc_divide(a, b)

    def backward(self, grad):
        return grad * 0, grad * 0


def _floor_divide(a, b):
    """Python's ``//`` (NumPy implements the same rule for floats: 1 // 0.1 is 9.0)."""
    with _quiet():
        return _xp(a, b).floor_divide(a, b)


def _trunc_divide(a, b):
    xp = _xp(a, b)
    if not _is_int(a, b):
        with _quiet():
            return xp.trunc(a / b)
    # exact for large integers, unlike going through float: floor, then step towards zero
    q = xp.floor_divide(a, b)
    inexact = (q * b != a) & ((a < 0) != (b < 0))
    return q + inexact.astype(q.dtype)


class NegBackward0(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


def _int_power(xp, base, exponent):
    """Integer ``base ** exponent`` as torch computes it: a negative exponent gives
    1 / base**|e| truncated, so 1 for base 1, +-1 for base -1, and 0 otherwise."""
    negative = exponent < 0
    if not bool(xp.any(negative)):
        return xp.power(base, exponent)
    powered = xp.power(base, xp.where(negative, 0, exponent))
    odd = (exponent % 2) != 0
    tiny = xp.where(base == 1, 1, xp.where(base == -1, xp.where(odd, -1, 1), 0))
    return xp.where(negative, tiny, powered).astype(powered.dtype)


class PowBackward0(Function):
    """out = a ** p for a number p;  d out/d a = p * a ** (p - 1)."""

    def forward(self, a, exponent=2):
        self.exponent = exponent
        self.save_for_backward(a)
        if a.dtype.kind == "b":  # bool ** bool stays bool: x ** True is x, x ** False is True
            return a | (not exponent)
        if exponent == 2:
            return a * a
        with _quiet():
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
        if _is_int(a, b):
            out = _int_power(_xp(a, b), a, b)
        else:
            with _quiet():
                out = a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        from .comparison import where
        from .math import log

        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        if need_a:  # b == 0: the derivative is 0 even at a == 0, where a ** -1 is inf
            grad_a = where(b == 0, 0.0, grad * b * a ** (b - 1))
        if need_b:  # where a == 0 and b >= 0 the limit is 0, as torch defines it
            grad_b = where((a == 0) & (b >= 0), 0.0, grad * out * log(a))
        return grad_a, grad_b


class PowBackward2(Function):
    """out = base ** x for a number base;  d out/d x = out * log(base)."""

    def forward(self, x, base=2.0):
        self.base = base
        xp = array_module(x)
        if x.dtype.kind in "iub":
            out = _int_power(xp, xp.asarray(base, dtype=x.dtype), x)
        else:
            with _quiet():
                out = xp.asarray(base, dtype=x.dtype) ** x
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        if self.base == 0:  # 0 ** x: flat for x >= 0, log(0) = -inf below
            from .comparison import where

            return where(x >= 0, 0.0, grad * out * -math.inf)
        log_base = math.log(self.base) if self.base > 0 else math.nan
        return grad * out * log_base


def _fmod(a, b):
    with _quiet():
        return _xp(a, b).fmod(a, b)


def _remainder(a, b):
    """Python's ``%`` (sign of the divisor), computed as torch does for floats: from
    fmod, so that -0.0 % 2 stays -0.0."""
    xp = _xp(a, b)
    if _is_int(a, b):
        return xp.remainder(a, b)
    with _quiet():
        mod = xp.fmod(a, b)
        wrong_sign = (mod != 0) & ((b < 0) != (mod < 0))
        return xp.where(wrong_sign, mod + b, mod)


class FmodBackward0(Function):
    """fmod by a number: d/d a = 1."""

    def forward(self, a, other=1):
        _check_int_divisor(a, other)
        return _fmod(a, other)

    def backward(self, grad):
        return grad


class FmodBackward1(Function):
    """C-style remainder, sign of the dividend; d/d a = 1,  d/d b = -trunc(a / b)."""

    def forward(self, a, b):
        _check_int_divisor(a, b)
        self.save_for_backward(a, b)
        return _fmod(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * (a / b).trunc()


class RemainderBackward0(Function):
    """Remainder by a number: d/d a = 1."""

    def forward(self, a, other=1):
        _check_int_divisor(a, other)
        return _remainder(a, other)

    def backward(self, grad):
        return grad


class RemainderBackward1(Function):
    """Python-style remainder, sign of the divisor; d/d b = -floor(a / b)."""

    def forward(self, a, b):
        _check_int_divisor(a, b)
        self.save_for_backward(a, b)
        return _remainder(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad, -grad * (a / b).floor()


class ReciprocalBackward0(Function):
    """out = 1 / a;  d out/d a = -out ** 2."""

    def forward(self, a):
        with _quiet():
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
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)  # exact at weight = 1, as torch

    def backward(self, grad):
        return grad * (1 - self.weight), grad * self.weight


class LerpBackward1(Function):
    """out = start + weight * (end - start) for a tensor weight."""

    def forward(self, start, end, weight):
        self.save_for_backward(start, end, weight)
        xp = _xp(start, end)
        diff = end - start
        # torch's formula: from the nearer end, so that weight = 1 gives `end` exactly
        return xp.where(xp.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))

    def backward(self, grad):
        start, end, weight = self.saved_tensors
        return grad * (1 - weight), grad * weight, grad * (end - start)


class Atan2Backward0(Function):
    """out = atan2(a, b), the angle of the point (b, a);  d/d a = b / r**2,  d/d b = -a / r**2."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _xp(a, b).arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        scale = grad / (a * a + b * b)
        return (scale * b if need_a else None), (scale * -a if need_b else None)


class LogaddexpBackward0(Function):
    """out = log(exp(a) + exp(b)), without overflow;  d/d a = 1 / (1 + exp(b - a))."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _xp(a, b).logaddexp(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return ((grad / ((b - a).exp() + 1) if need_a else None),
                (grad / ((a - b).exp() + 1) if need_b else None))


class Logaddexp2Backward0(Function):
    """out = log2(2**a + 2**b);  d/d a = 1 / (1 + 2**(b - a))."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return _xp(a, b).logaddexp2(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return ((grad / ((b - a).exp2() + 1) if need_a else None),
                (grad / ((a - b).exp2() + 1) if need_b else None))


class HypotBackward0(Function):
    """out = sqrt(a**2 + b**2);  d/d a = a / out,  d/d b = b / out."""

    def forward(self, a, b):
        out = _xp(a, b).hypot(a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad * a / out if need_a else None), (grad * b / out if need_b else None)


class _Xlogy(Function):
    """out = x * log(y), defined as 0 where x == 0 (unless y is NaN), as in entropy sums.

    d/d x = log(y) (0 where x == 0 and y <= 0),  d/d y = x / y.
    """

    def forward(self, x, y):
        self.save_for_backward(x, y)
        xp = _xp(x, y)
        with _quiet():
            out = x * xp.log(y)
            return xp.where((x == 0) & ~xp.isnan(y), 0, out).astype(out.dtype, copy=False)

    def backward(self, grad):
        from .comparison import where

        x, y = self.saved_tensors
        need_x, need_y = self.needs_input_grad
        grad_x = where((x == 0) & (y <= 0), 0.0, xlogy(grad, y)) if need_x else None
        grad_y = grad * x / y if need_y else None
        return grad_x, grad_y


class XlogyBackward0(_Xlogy):
    """xlogy of two tensors."""


class XlogyBackward1(_Xlogy):
    """xlogy(number, tensor)."""


class XlogyBackward2(_Xlogy):
    """xlogy(tensor, number)."""


class _Copysign(Function):
    """out = |a| with the sign of b;  d/d a = out / a (+-1; 0 at a == 0),  d/d b = 0."""

    def forward(self, a, b):
        out = _xp(a, b).copysign(a, b)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        from .comparison import where

        a, out = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        grad_a = grad * where(a == 0, 0.0, out / a) if need_a else None
        return grad_a, (grad * 0 if need_b else None)


class CopysignBackward0(_Copysign):
    """copysign of two tensors."""


class CopysignBackward1(_Copysign):
    """copysign(tensor, number)."""


class AddcmulBackward0(Function):
    """out = input + value * t1 * t2."""

    def forward(self, input, t1, t2, value=1):
        self.value = value
        self.save_for_backward(t1, t2)
        return input + value * t1 * t2

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        _, need_1, need_2 = self.needs_input_grad
        return (grad, grad * t2 * self.value if need_1 else None,
                grad * t1 * self.value if need_2 else None)


class AddcdivBackward0(Function):
    """out = input + value * t1 / t2."""

    def forward(self, input, t1, t2, value=1):
        self.value = value
        self.save_for_backward(t1, t2)
        with _quiet():
            return input + value * t1 / t2

    def backward(self, grad):
        t1, t2 = self.saved_tensors
        _, need_1, need_2 = self.needs_input_grad
        return (grad, grad * self.value / t2 if need_1 else None,
                -grad * self.value * t1 / (t2 * t2) if need_2 else None)


# ---------------------------------------------------------------------- public functions

def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``."""
    return _out(_binary(AddBackward0, input, other, alpha=_alpha(input, other, alpha)), out)


def _alpha(a, b, alpha):
    alpha = as_python_scalar(alpha)
    if isinstance(alpha, float) and D.result_type(a, b).category < D._FLOAT:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    return alpha


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    _check_bool_subtraction(input, other)
    return _out(_binary(SubBackward0, input, other, alpha=_alpha(input, other, alpha)), out)


subtract = sub


def _check_bool_subtraction(a, b) -> None:
    """torch refuses ``-`` on bools, whether tensors or Python/NumPy bools."""
    def is_bool(x):
        return x.dtype is D.bool if isinstance(x, Tensor) else isinstance(x, bool | np.bool_)

    if is_bool(a) and is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if is_bool(a) or is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    input, other = _operand(input), _operand(other)
    _check_bool_subtraction(input, other)
    if isinstance(other, Tensor):
        return _binary(RsubBackward0, input, other, alpha=_alpha(input, other, alpha))
    a, other, _ = promote_wrapping(input, other)
    return RsubBackward1.apply(a, other=other, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise (Hadamard) product; for the matrix product use ``@``."""
    return _out(_binary(MulBackward0, input, other), out)


multiply = mul


def div(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """True division (integers give floats), or rounded with ``rounding_mode``.

    ``rounding_mode='trunc'`` rounds towards zero (C's ``/``), ``'floor'`` rounds down
    (Python's ``//``).  Integer division by zero raises; float division gives inf or NaN.
    """
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                               f"'floor' but found '{rounding_mode}'")
        a, b, dtype = promote_wrapping(input, other)
        _not_for_bool(f"div_{rounding_mode}_cpu", dtype)
        return _out(_binary(DivBackward2, a, b, rounding_mode=rounding_mode), out)
    a, b, _ = _promote_to_float(input, other)  # int / int is a float, as in Python 3
    if not isinstance(a, Tensor):  # 2 / x
        return _out(mul(reciprocal(b), a), out)
    try:
        return _out(DivBackward0.apply(a, b), out)
    except ValueError as e:
        raise shape_error(a, b) from e


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:
    """Python's ``//``: division rounded down.  torch defines no derivative for it."""
    a, b, dtype = promote_wrapping(input, other)
    _not_for_bool("div_floor_cpu", dtype)
    da = a._data if isinstance(a, Tensor) else a
    db = b._data if isinstance(b, Tensor) else b
    _check_int_divisor(da, db)
    try:
        result = _xp(da, db).asarray(_floor_divide(da, db))
    except ValueError as e:
        raise shape_error(a, b) from e
    return _out(_without_derivative("floor_divide", result, a, b), out)


def neg(input, *, out=None) -> Tensor:
    if input.dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(NegBackward0.apply(input), out)


negative = neg


def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a number.

    Integer tensors to negative integer powers truncate (``2 ** -1`` is 0), except that a
    negative *number* exponent is refused, as in torch.
    """
    input, exponent = _operand(input), _operand(exponent)
    if not isinstance(input, Tensor):
        base = as_python_scalar(input)
        dtype = D.result_type(base, exponent)
        _not_for_bool("pow", dtype)
        if dtype.category == D._INT:
            base = _wrap_int(base, dtype)
        return _out(PowBackward2.apply(cast(exponent, dtype), base=base), out)
    if isinstance(exponent, Tensor):
        _not_for_bool("pow", D.result_type(input, exponent))
        return _out(_binary(PowBackward1, input, exponent), out)
    exponent = as_python_scalar(exponent)
    a, _, _ = promote_wrapping(input, exponent)
    if a.dtype.category < D._FLOAT and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(PowBackward0.apply(a, exponent=exponent), out)


def square(input) -> Tensor:
    return pow(input, 2)


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64, whatever the inputs' dtypes."""
    x = cast(input, D.float64) if isinstance(input, Tensor) else float(input)
    e = cast(exponent, D.float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(x, e)


def float_power_(self: Tensor, exponent) -> Tensor:
    """In place: only a float64 tensor can hold float_power's float64 result."""
    if self.dtype is not D.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype.legacy_name} "
                           "but the operation's result requires dtype Double")
    from .inplace import generic_inplace

    return generic_inplace(self, float_power(self, exponent))


def fmod(input, other, *, out=None) -> Tensor:
    """Remainder of division with the sign of ``input`` (C's fmod)."""
    a, b, dtype = promote_wrapping(input, other)
    _not_for_bool("fmod_cpu", dtype)
    if not isinstance(b, Tensor):
        return _out(FmodBackward0.apply(a, other=b), out)
    return _out(_binary(FmodBackward1, a, b), out)


def remainder(input, other, *, out=None) -> Tensor:
    """Remainder of division with the sign of ``other`` (Python's ``%``)."""
    a, b, dtype = promote_wrapping(input, other)
    _not_for_bool("remainder_cpu", dtype)
    if not isinstance(a, Tensor):  # 5 % x: torch defines no derivative
        a = _scalar_array(a, b, dtype)
        _check_int_divisor(a, b._data)
        result = _remainder(a, b._data)
        return _out(_without_derivative("remainder", result, b), out)
    if not isinstance(b, Tensor):
        return _out(RemainderBackward0.apply(a, other=b), out)
    return _out(_binary(RemainderBackward1, a, b), out)


def reciprocal(input, *, out=None) -> Tensor:
    if input.dtype.category < D._FLOAT:
        input = cast(input, D.get_default_dtype())
    return _out(ReciprocalBackward0.apply(input), out)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``."""
    if isinstance(weight, Tensor):
        return _out(LerpBackward1.apply(input, end, weight), out)
    return _out(LerpBackward0.apply(input, end, weight=as_python_scalar(weight)), out)


def atan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The angle of the point (other, input) in (-pi, pi]: ``atan(input / other)`` with the
    quadrant from both signs."""
    _require_tensors("atan2", input=input, other=other)
    return _out(_binary(Atan2Backward0, *_promote_to_float(input, other)[:2]), out)


arctan2 = atan2


def logaddexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))``, without overflow for large inputs."""
    _require_tensors("logaddexp", input=input, other=other)
    _float_only("logaddexp_cpu", D.result_type(input, other))
    return _out(_binary(LogaddexpBackward0, input, other), out)


def logaddexp2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log2(2**input + 2**other)``."""
    _require_tensors("logaddexp2", input=input, other=other)
    _float_only("logaddexp2_cpu", D.result_type(input, other))
    return _out(_binary(Logaddexp2Backward0, input, other), out)


def hypot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)``, without overflow for large inputs."""
    _require_tensors("hypot", input=input, other=other)
    _float_only("hypot_cpu", D.result_type(input, other))
    return _out(_binary(HypotBackward0, input, other), out)


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, but 0 where ``input`` is 0 (so 0 * log(0) counts as 0)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected at least one tensor argument")
    x, y, dtype = _promote_to_float(input, other)
    if not isinstance(x, Tensor):
        return _out(XlogyBackward1.apply(_scalar_array(x, y, dtype), y), out)
    if not isinstance(y, Tensor):
        return _out(XlogyBackward2.apply(x, _scalar_array(y, x, dtype)), out)
    return _out(_binary(XlogyBackward0, x, y), out)


def copysign(input: Tensor, other, *, out=None) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (which may be a number)."""
    _require_tensors("copysign", input=input)
    a, b, dtype = _promote_to_float(input, other)
    if not isinstance(b, Tensor):
        return _out(CopysignBackward1.apply(a, _scalar_array(b, a, dtype)), out)
    return _out(_binary(CopysignBackward0, a, b), out)


def heaviside(input: Tensor, values: Tensor, *, out=None) -> Tensor:
    """The step function: 0 where input < 0, 1 where input > 0, ``values`` where it is 0."""
    _require_tensors("heaviside", input=input, values=values)
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes. (Convert one with .to(other.dtype).)")
    x, v = input._data, values._data
    xp = array_module(x)
    try:
        result = xp.where(x == 0, v, x > 0).astype(x.dtype)
    except ValueError as e:
        raise shape_error(input, values) from e
    return _out(_without_derivative("heaviside", result, input, values), out)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2`` in one op (used by optimizers)."""
    _require_tensors("addcmul", input=input, tensor1=tensor1, tensor2=tensor2)
    dtype = D.result_type(input, tensor1, tensor2)
    _not_for_bool("addcmul_cpu_out", dtype)
    value = as_python_scalar(value)
    if dtype.category < D._FLOAT:
        value = int(value)  # an integer result: torch truncates the multiplier
    args = [cast(t, dtype) for t in (input, tensor1, tensor2)]
    return _out(_ternary(AddcmulBackward0, args, value), out)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2`` in one op (Adam's update step)."""
    _require_tensors("addcdiv", input=input, tensor1=tensor1, tensor2=tensor2)
    if tensor1.dtype.category < D._FLOAT and tensor2.dtype.category < D._FLOAT:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    dtype = D.result_type(input, tensor1, tensor2)
    args = [cast(t, dtype) for t in (input, tensor1, tensor2)]
    return _out(_ternary(AddcdivBackward0, args, as_python_scalar(value)), out)


def _ternary(fn_cls, args, value) -> Tensor:
    try:
        return fn_cls.apply(*args, value=value)
    except ValueError as e:
        if "broadcast" in str(e):
            from ._common import broadcast_shapes

            broadcast_shapes(*(t._data.shape for t in args))  # raises torch's message
        raise


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Support the ``out=`` argument: copy the result into an existing tensor."""
    if out is None:
        return result
    from .inplace import copy_into

    return copy_into(out, result)


__all__ = ["add", "addcdiv", "addcmul", "arctan2", "atan2", "copysign", "div", "divide",
    "float_power", "floor_divide", "fmod", "heaviside", "hypot", "lerp", "logaddexp", "logaddexp2",
    "mul", "multiply", "neg", "negative", "pow", "reciprocal", "remainder", "rsub", "square", "sub",
    "subtract", "true_divide", "xlogy"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["add", "addcdiv", "addcmul", "arctan2", "atan2", "copysign", "div", "divide",
    "float_power", "float_power_", "floor_divide", "fmod", "heaviside", "hypot", "lerp",
    "logaddexp", "logaddexp2", "mul", "multiply", "neg", "negative", "pow", "reciprocal",
    "remainder", "square", "sub", "subtract", "true_divide", "xlogy"]
INPLACE_VARIANTS = ["addcdiv", "addcmul", "arctan2", "atan2", "copysign", "floor_divide", "fmod",
    "heaviside", "hypot", "lerp", "neg", "negative", "pow", "reciprocal", "remainder", "square",
    "true_divide", "xlogy"]
