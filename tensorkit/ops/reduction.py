"""Reductions: ops that combine many elements into fewer (sum, mean, max, softmax, ...).

Backward of a reduction spreads the gradient back over the elements that were
combined: every element contributed 1x to a sum, 1/n to a mean.
"""

from __future__ import annotations

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import needs_float, wrap_dims


def _axes(dim, ndim: int):
    """``dim`` (None, an int or a sequence) as NumPy's ``axis``."""
    if dim is None or dim == () or dim == []:
        return None
    return wrap_dims(dim, ndim)


def _restore_dims(grad: Tensor, shape, axes, keepdim: bool) -> Tensor:
    """Put back the reduced dims (length 1) so ``grad`` broadcasts against the input."""
    if keepdim or axes is None:
        return grad if keepdim or not shape else grad.reshape((1,) * len(shape))
    out_shape = list(shape)
    for a in axes:
        out_shape[a] = 1
    return grad.reshape(out_shape)


class SumBackward0(Function):
    """Sum of all elements: each element gets the whole gradient."""

    def forward(self, x, dtype=None):
        self.input_shape = x.shape
        return x.sum(dtype=dtype)

    def backward(self, grad):
        return grad.expand(self.input_shape)


class SumBackward1(Function):
    """Sum over some dims."""

    def forward(self, x, axes=None, keepdim=False, dtype=None):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, grad):
        grad = _restore_dims(grad, self.input_shape, self.axes, self.keepdim)
        return grad.expand(self.input_shape)


def _sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np_dtype
    if x._data.dtype.kind in "biu":  # torch sums integers and bools as int64
        return D.int64.np_dtype
    return None


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints)."""
    sum_dtype = _sum_dtype(input, dtype)
    if dim is None:
        return SumBackward0.apply(input, dtype=sum_dtype)
    return SumBackward1.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim,
                              dtype=sum_dtype)


class MeanBackward0(Function):
    def forward(self, x):
        self.input_shape = x.shape
        return x.mean(dtype=x.dtype if x.dtype.kind == "f" else None).astype(x.dtype)

    def backward(self, grad):
        n = 1
        for s in self.input_shape:
            n *= s
        return grad.expand(self.input_shape) / n


class MeanBackward1(Function):
    def forward(self, x, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        return x.mean(axis=axes, keepdims=keepdim).astype(x.dtype, copy=False)

    def backward(self, grad):
        n = 1
        for a in (self.axes if self.axes is not None else range(len(self.input_shape))):
            n *= self.input_shape[a]
        grad = _restore_dims(grad, self.input_shape, self.axes, self.keepdim)
        return grad.expand(self.input_shape) / n


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Average of all elements, or over ``dim``.  Integer tensors need ``dtype=`` or .float()."""
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
    needs_float("mean", input.dtype)
    if dim is None:
        return MeanBackward0.apply(input)
    return MeanBackward1.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)


def _xp(x):
    return array_module(x)


__all__ = ["mean", "sum"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["mean", "sum"]
INPLACE_VARIANTS = []
