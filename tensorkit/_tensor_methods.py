"""Tensor methods and operators: ``x.exp()`` is ``tensorkit.exp(x)``, ``a + b`` is ``add(a, b)``.

The functions live in ``tensorkit/ops``; this module attaches them to ``Tensor`` so
that both spellings work, as in PyTorch.  An in-place method ``x.op_(...)`` computes
``x.op(...)`` and writes the result into ``x`` (see ``ops/inplace.py``).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import ops
from ._tensor import Tensor
from .ops import creation, indexing, inplace, shape


def _swap(fn):
    """``other <op> self`` for the reflected operators (``2 - x`` calls ``x.__rsub__(2)``)."""
    def reflected(self, other):
        return fn(other, self)
    reflected.__name__ = f"r{fn.__name__}"
    return reflected


def _compare(fn):
    """``x == None`` is False rather than an error, as in PyTorch."""
    def method(self, other):
        if not isinstance(other, Tensor | numbers.Number | np.generic | np.ndarray):
            return NotImplemented
        return fn(self, other)
    method.__name__ = fn.__name__
    return method


def _inplace(fn):
    """The ``_`` variant of an out-of-place op."""
    def method(self, *args, **kwargs):
        return inplace.generic_inplace(self, fn(self, *args, **kwargs))
    method.__name__ = f"{fn.__name__}_"
    return method


def _logical_or_bitwise(bitwise, logical):
    def method(self, other):
        if isinstance(other, Tensor) or isinstance(other, bool | int | np.generic):
            return bitwise(self, other)
        return NotImplemented
    method.__name__ = bitwise.__name__
    return method


_OPERATORS = {
    "__add__": ops.add, "__radd__": _swap(ops.add), "__iadd__": inplace.add_,
    "__sub__": ops.sub, "__rsub__": _swap(ops.sub), "__isub__": inplace.sub_,
    "__mul__": ops.mul, "__rmul__": _swap(ops.mul), "__imul__": inplace.mul_,
    "__truediv__": ops.div, "__rtruediv__": _swap(ops.div), "__itruediv__": inplace.div_,
    "__floordiv__": ops.floor_divide, "__rfloordiv__": _swap(ops.floor_divide),
    "__ifloordiv__": _inplace(ops.floor_divide),
    "__mod__": ops.remainder, "__rmod__": _swap(ops.remainder),
    "__imod__": _inplace(ops.remainder),
    "__pow__": ops.pow, "__rpow__": _swap(ops.pow), "__ipow__": _inplace(ops.pow),
    "__matmul__": ops.matmul, "__rmatmul__": _swap(ops.matmul),
    "__neg__": ops.neg, "__abs__": ops.abs, "__pos__": lambda self: self,
    "__eq__": _compare(ops.eq), "__ne__": _compare(ops.ne), "__lt__": _compare(ops.lt),
    "__le__": _compare(ops.le), "__gt__": _compare(ops.gt), "__ge__": _compare(ops.ge),
    "__and__": _logical_or_bitwise(ops.bitwise_and, ops.logical_and),
    "__or__": _logical_or_bitwise(ops.bitwise_or, ops.logical_or),
    "__xor__": _logical_or_bitwise(ops.bitwise_xor, ops.logical_xor),
    "__rand__": _swap(ops.bitwise_and), "__ror__": _swap(ops.bitwise_or),
    "__rxor__": _swap(ops.bitwise_xor),
    "__iand__": _inplace(ops.bitwise_and), "__ior__": _inplace(ops.bitwise_or),
    "__ixor__": _inplace(ops.bitwise_xor),
    "__invert__": ops.bitwise_not,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
}

def _view(self, *shape):
    return shape_module.view(self, *shape)


shape_module = shape


def _shape_inplace(fn):
    """``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``: re-view the same data."""
    def method(self, *args, **kwargs):
        if self._requires_grad:
            inplace._check_leaf(self)
        result = fn(self, *args, **kwargs)
        self._data = result._data
        if result._grad_fn is not None:
            self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
        self._bump()
        return self
    method.__name__ = f"{fn.__name__}_"
    return method


def install() -> None:
    """Attach every operator and method to ``Tensor``."""
    for name, fn in _OPERATORS.items():
        setattr(Tensor, name, fn)
    for family in ops.FAMILIES:
        for name in getattr(family, "TENSOR_METHODS", ()):
            setattr(Tensor, name, getattr(family, name))
        for name in getattr(family, "INPLACE_VARIANTS", ()):
            setattr(Tensor, name + "_", _inplace(getattr(family, name)))
    for name in ("add_", "sub_", "mul_", "div_", "copy_", "fill_", "zero_"):
        setattr(Tensor, name, getattr(inplace, name))
    Tensor.subtract_ = inplace.sub_
    Tensor.multiply_ = inplace.mul_
    Tensor.divide_ = inplace.div_
    for name in ("uniform_", "normal_", "random_", "bernoulli_", "exponential_"):
        setattr(Tensor, name, getattr(creation, name))
    Tensor.view = _view
    Tensor.sum_to_size = shape.sum_to_size
    for name in ("t", "transpose", "squeeze", "unsqueeze"):
        setattr(Tensor, name + "_", _shape_inplace(getattr(shape, name)))
    Tensor.T = property(shape.adjoint_T)
    Tensor.mT = property(shape.mT)
    Tensor.H = property(shape.adjoint_T)
