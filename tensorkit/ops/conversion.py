"""Copies: to another dtype or device (``to``), ``clone`` and ``contiguous``."""

from __future__ import annotations

from .. import _dtype as D
from .._device import array_module, device_of, move
from .._tensor import Tensor
from ..autograd.function import Function


class ToCopyBackward0(Function):
    """A copy in another dtype and/or on another device; backward converts back."""

    def forward(self, x, dtype=None, device=None):
        self.source = (x.dtype, device_of(x))
        if device is not None:
            x = move(x, device)
        if dtype is not None and x.dtype != dtype.np_dtype:
            x = x.astype(dtype.np_dtype)
        return x

    def backward(self, grad):
        np_dtype, dev = self.source
        return to_copy(grad, D.from_numpy_dtype(np_dtype), dev, False)


def to_copy(x: Tensor, dtype: D.dtype | None, device, copy: bool) -> Tensor:
    """``x.to(dtype, device)``: ``x`` itself when nothing changes and no copy is asked."""
    same_dtype = dtype is None or x._data.dtype == dtype.np_dtype
    same_device = device is None or device_of(x._data) == device or (
        device.type == "cuda" and device.index is None and x.is_cuda)
    if same_dtype and same_device:
        return clone(x) if copy else x
    if not same_dtype and not dtype.is_floating_point and not dtype.is_complex:
        # Integer and bool results cannot carry gradients: the result is a new leaf.
        from .._tensor import _make

        data = move(x._data, device) if not same_device else x._data
        return _make(data.astype(dtype.np_dtype))
    return ToCopyBackward0.apply(x, dtype=None if same_dtype else dtype,
                                 device=None if same_device else device)


class CloneBackward0(Function):
    """A copy; ``order='K'`` keeps the memory layout of a dense input (a transposed input
    gives a transposed copy, torch's ``preserve_format``), ``'C'`` makes it row-major."""

    def forward(self, x, order="K"):
        return x.copy(order=order)

    def backward(self, grad):
        return grad


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy with its own memory, still connected to the graph (same memory layout)."""
    return CloneBackward0.apply(input, order="K")


def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """``input`` if its memory is already laid out row by row, else a row-major copy."""
    if input._data.flags.c_contiguous:
        return input
    return CloneBackward0.apply(input, order="C")


def _xp(x):
    return array_module(x)


__all__ = ["clone", "contiguous"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["clone", "contiguous"]
INPLACE_VARIANTS = []
