"""Comparisons, logical ops, ``where``, ``maximum``/``minimum`` and closeness tests.

Comparisons return ``bool`` tensors and carry no gradient (a step function has a
zero derivative almost everywhere).  ``where``, ``maximum`` and ``minimum`` route the
gradient to whichever input each output element came from.
"""

from __future__ import annotations

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ._common import as_python_scalar, promote, shape_error


def _compare(ufunc_name: str, a, b) -> Tensor:
    """Apply a comparison on the data; the result never requires grad.

    A Python int outside an integer tensor's range wraps around first, as in torch:
    ``uint8_tensor < -1`` compares with 255.
    """
    from .arithmetic import promote_wrapping

    a, b, _ = promote_wrapping(a, b)
    da = a._data if isinstance(a, Tensor) else a
    db = b._data if isinstance(b, Tensor) else b
    if isinstance(a, Tensor) and isinstance(b, Tensor) and type(da) is not type(db):
        from .._device import check_same_device

        check_same_device([da, db])
    xp = array_module(da if isinstance(a, Tensor) else db)
    try:
        return _make(_as_array(getattr(xp, ufunc_name)(da, db)))
    except ValueError as e:
        raise shape_error(a, b) from e


def _as_array(x):
    import numpy as np

    return np.asarray(x) if isinstance(x, np.generic) else x


def eq(input, other) -> Tensor:
    return _compare("equal", input, other)


def ne(input, other) -> Tensor:
    return _compare("not_equal", input, other)


def lt(input, other) -> Tensor:
    return _compare("less", input, other)


def le(input, other) -> Tensor:
    return _compare("less_equal", input, other)


def gt(input, other) -> Tensor:
    return _compare("greater", input, other)


def ge(input, other) -> Tensor:
    return _compare("greater_equal", input, other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def logical_and(input, other) -> Tensor:
    return _logical("logical_and", input, other)


def logical_or(input, other) -> Tensor:
    return _logical("logical_or", input, other)


def logical_xor(input, other) -> Tensor:
    return _logical("logical_xor", input, other)


def logical_not(input) -> Tensor:
    return _make(_as_array(array_module(input._data).logical_not(input._data)))


def _logical(name, a, b) -> Tensor:
    da = a._data if isinstance(a, Tensor) else a
    db = b._data if isinstance(b, Tensor) else b
    xp = array_module(da if isinstance(a, Tensor) else db)
    try:
        return _make(_as_array(getattr(xp, name)(da, db)))
    except ValueError as e:
        raise shape_error(a, b) from e


def _bitwise(name: str, a, b) -> Tensor:
    a, b, dtype = promote(a, b)
    if dtype.category > D._INT:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dtype.legacy_name}\'')
    da = a._data if isinstance(a, Tensor) else a
    db = b._data if isinstance(b, Tensor) else b
    xp = array_module(da if isinstance(a, Tensor) else db)
    try:
        return _make(_as_array(getattr(xp, name)(da, db)))
    except ValueError as e:
        raise shape_error(a, b) from e


def bitwise_and(input, other) -> Tensor:
    return _bitwise("bitwise_and", input, other)


def bitwise_or(input, other) -> Tensor:
    return _bitwise("bitwise_or", input, other)


def bitwise_xor(input, other) -> Tensor:
    return _bitwise("bitwise_xor", input, other)


def bitwise_not(input) -> Tensor:
    if input.dtype.category > D._INT:
        raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors; "
                        "use logical_not() for masks")
    return _make(_as_array(array_module(input._data).invert(input._data)))


def isnan(input) -> Tensor:
    return _make(_as_array(array_module(input._data).isnan(input._data)))


def isinf(input) -> Tensor:
    return _make(_as_array(array_module(input._data).isinf(input._data)))


def isfinite(input) -> Tensor:
    return _make(_as_array(array_module(input._data).isfinite(input._data)))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    if isinstance(other, Tensor) and input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype.legacy_name} did not match {other.dtype.legacy_name}. "
                           "(isclose compares tensors of the same dtype: convert one first.)")
    a, b, _ = promote(input, other)
    xp = array_module(a._data)
    close = xp.isclose(a._data, b._data if isinstance(b, Tensor) else b, rtol=rtol, atol=atol,
                       equal_nan=equal_nan)
    return _make(_as_array(close))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every ``|input - other| <= atol + rtol * |other|``."""
    close = isclose(input, other, rtol, atol, equal_nan)._data
    return bool(array_module(close).all(close))


def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same elements."""
    if input._data.shape != other._data.shape:
        return False
    a, b, _ = promote(input, other)
    return bool(array_module(a._data).array_equal(a._data, b._data))


# ------------------------------------------------------------------ routing gradients

class WhereBackward0(Function):
    """out = x where cond else y: the gradient goes to whichever was picked."""

    def forward(self, x, y, condition=None):
        self.save_for_backward(condition)
        return array_module(condition).where(condition, x, y)

    def backward(self, grad):
        (condition,) = self.saved_tensors
        zero = grad.new_zeros(())
        need_x, need_y = self.needs_input_grad
        return (where(condition, grad, zero) if need_x else None,
                where(condition, zero, grad) if need_y else None)


def where(condition, input=None, other=None) -> Tensor:
    """``input`` where ``condition`` holds, else ``other``; ``where(c)`` is ``nonzero``."""
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # where(c, 1., 0)
        dtype = D.result_type(as_python_scalar(input), as_python_scalar(other))
        xp = array_module(condition._data)
        input = _make(xp.asarray(input, dtype=dtype.np_dtype))
    from .arithmetic import promote_wrapping

    x, y, _ = promote_wrapping(input, other)
    if not isinstance(x, Tensor):
        x = _make(array_module(condition._data).asarray(x, dtype=y._data.dtype))
    if not isinstance(y, Tensor):
        y = _make(array_module(condition._data).asarray(y, dtype=x._data.dtype))
    cond = condition._data
    if cond.dtype.kind != "b":
        if cond.dtype.kind != "u":
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype}")
        cond = cond.astype(bool)
    try:
        return WhereBackward0.apply(x, y, condition=cond)
    except ValueError as e:
        raise shape_error(condition, x) from e


class MaximumBackward0(Function):
    """Elementwise max (NaN wins); where both are equal the gradient is split in half."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split_by(grad, a > b, a == b)


class MinimumBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _split_by(grad, a < b, a == b)


def _split_by(grad, first_wins, tie):
    share_first = first_wins.to(grad.dtype) + tie.to(grad.dtype) * 0.5
    return grad * share_first, grad * (1 - share_first)


class FmaxBackward0(Function):
    """Elementwise max ignoring NaN (NaN only if both are); a tie goes wholly to ``a``."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).fmax(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _route(grad, (a >= b) | b.isnan())


class FminBackward0(Function):
    """Elementwise min ignoring NaN (NaN only if both are); a tie goes wholly to ``a``."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).fmin(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return _route(grad, (a <= b) | b.isnan())


def _route(grad, to_first):
    zero = grad.new_zeros(())
    return where(to_first, grad, zero), where(to_first, zero, grad)


def _pairwise(fn_cls, name: str, input, other) -> Tensor:
    """maximum, minimum, fmax, fmin: two tensors (torch refuses numbers), promoted."""
    for position, (arg, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}. (Use clamp(x, min=...) to compare "
                            "with a number.)")
    a, b, _ = promote(input, other)
    try:
        return fn_cls.apply(a, b)
    except ValueError as e:
        raise shape_error(a, b) from e


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum of two tensors; NaN if either is NaN."""
    return _pairwise(MaximumBackward0, "maximum", input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum of two tensors; NaN if either is NaN."""
    return _pairwise(MinimumBackward0, "minimum", input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum that ignores NaN: ``fmax(nan, 1)`` is 1."""
    return _pairwise(FmaxBackward0, "fmax", input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum that ignores NaN: ``fmin(nan, 1)`` is 1."""
    return _pairwise(FminBackward0, "fmin", input, other)


__all__ = ["allclose", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "eq", "equal",
    "fmax", "fmin", "ge", "greater", "greater_equal", "gt", "isclose", "isfinite", "isinf",
    "isnan", "le", "less", "less_equal", "logical_and", "logical_not", "logical_or",
    "logical_xor", "lt", "maximum", "minimum", "ne", "not_equal", "where"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["allclose", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "eq",
    "equal", "fmax", "fmin", "ge", "greater", "greater_equal", "gt", "isclose", "isfinite",
    "isinf", "isnan", "le", "less", "less_equal", "logical_and", "logical_not", "logical_or",
    "logical_xor", "lt", "maximum", "minimum", "ne", "not_equal"]
INPLACE_VARIANTS = ["bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "eq", "ge",
    "greater", "greater_equal", "gt", "le", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "ne", "not_equal"]
