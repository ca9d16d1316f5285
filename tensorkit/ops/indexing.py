"""Indexing: ``x[...]`` and ``x[...] = v``, masks, and the gather/scatter family.

*Basic* indices (integers, slices, ``None``, ``...``) give views, built one dim at a
time from ``select``, ``slice`` and ``unsqueeze``, exactly as PyTorch does, so the
graph shows ``SelectBackward0`` and ``SliceBackward0``.  *Advanced* indices (lists,
integer tensors, boolean masks) copy the selected elements; backward adds each
gradient back at the position it was taken from (a position taken twice gets both).
"""

from __future__ import annotations

import builtins

import numpy as np

from .._device import array_module, move
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from . import shape as S


def _is_basic(item) -> bool:
    return item is None or item is Ellipsis or isinstance(item, int | np.integer | builtins.slice)


def _normalize_key(key) -> tuple:
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in "iu":
            k = int(k._data)  # a 0-d integer tensor acts as an integer
        elif isinstance(k, bool):
            k = np.array(k)
        out.append(k)
    return tuple(out)


def _consumed(key) -> int:
    """How many dims of the tensor the index uses up."""
    n = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        if isinstance(k, Tensor | np.ndarray) and k.dtype == bool:
            n += k.ndim
        else:
            n += 1
    return n


def getitem(x: Tensor, key) -> Tensor:
    key = _normalize_key(key)
    ndim = x._data.ndim
    used = _consumed(key)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    if builtins.all(_is_basic(k) for k in key):
        return _basic_index(x, key, ndim - used)
    return _advanced_index(x, key)


def _basic_index(x: Tensor, key, ellipsis_dims: int) -> Tensor:
    """Apply ints, slices, None and ... one after another, each a view op."""
    out = x
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += ellipsis_dims
        elif k is None:
            out = S.unsqueeze(out, dim)
            dim += 1
        elif isinstance(k, builtins.slice):
            out = S.slice_dim(out, dim, k.start, k.stop, 1 if k.step is None else k.step)
            dim += 1
        else:
            out = S.select(out, dim, int(k))
    if out is x:  # x[...] or x[:] still returns a new tensor (an alias)
        out = S.view_apply(S.ViewBackward0, x, shape=tuple(x._data.shape))
    return out


def _array_key(x: Tensor, key) -> tuple:
    """Turn tensors and lists in the key into arrays on ``x``'s device."""
    xp = array_module(x._data)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype.kind not in "iub":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
        elif isinstance(k, list | tuple):
            k = np.asarray(k)
            if k.dtype.kind not in "iub":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
        if isinstance(k, np.ndarray) or (hasattr(k, "dtype") and hasattr(k, "shape")):
            if k.dtype.kind == "u" and k.dtype.itemsize == 1:
                k = k.astype(bool)  # uint8 masks, the pre-bool way of masking
            if xp is not np:
                k = xp.asarray(move(k, x.device) if type(k) is not np.ndarray else k)
        out.append(k)
    return tuple(out)


def _numpy_index_error(e: IndexError, x: Tensor, key) -> IndexError:
    text = str(e).replace("axis", "dimension")
    if "boolean index did not match" in text:
        return IndexError(f"The shape of the mask {_mask_shape(key)} does not match the shape of "
                          f"the indexed tensor {list(x._data.shape)}: {text}")
    return IndexError(text)


def _mask_shape(key) -> list:
    for k in key:
        if hasattr(k, "dtype") and k.dtype == bool:
            return list(k.shape)
    return []


class IndexBackward0(Function):
    """``x[indices]`` with advanced indices: a copy; backward scatters-adds the gradient."""

    def forward(self, x, key=()):
        self.input_shape, self.key = x.shape, key
        return x[key]

    def backward(self, grad):
        return IndexPutAccumulate.apply(grad, shape=self.input_shape, key=self.key)


class IndexPutAccumulate(Function):
    """Zeros of ``shape`` with ``values`` added at ``key`` (repeated positions add up)."""

    def forward(self, values, shape=(), key=()):
        self.key = key
        xp = array_module(values)
        out = xp.zeros(shape, values.dtype)
        if xp is np:
            np.add.at(out, key, values)
        else:
            import cupyx

            cupyx.scatter_add(out, key, values)
        return out

    def backward(self, grad):
        return getitem(grad, self.key)


def _advanced_index(x: Tensor, key) -> Tensor:
    akey = _array_key(x, key)
    try:
        return IndexBackward0.apply(x, key=akey)
    except IndexError as e:
        raise _numpy_index_error(e, x, akey) from None


# ------------------------------------------------------------------------ assignment

def setitem(x: Tensor, key, value) -> None:
    """``x[key] = value``: in place, through views for basic keys."""
    from .inplace import apply_inplace, copy_

    key = _normalize_key(key)
    tracked = STATE.enabled and (x._requires_grad or getattr(value, "_requires_grad", False))
    basic = builtins.all(_is_basic(k) for k in key)
    if not tracked:
        data = value._data if isinstance(value, Tensor) else value
        if isinstance(value, Tensor) and type(data) is not type(x._data):
            data = move(data, x.device)
        k = key if basic else _array_key(x, key)
        try:
            x._data[k] = data
        except IndexError as e:
            raise _numpy_index_error(e, x, k) from None
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(data))} "
                               f"cannot be broadcast to indexing result of shape "
                               f"{list(x._data[k].shape)}") from e
        x._bump()
        return
    if basic:
        copy_(getitem(x, key), value)
        return
    if not isinstance(value, Tensor):
        from .creation import tensor

        value = tensor(value, dtype=x.dtype, device=x.device)
    akey = _array_key(x, key)
    apply_inplace(x, IndexPutBackward0.apply(x, value.to(x.dtype), key=akey))


class IndexPutBackward0(Function):
    """A copy of ``x`` with ``values`` written at ``key``."""

    def forward(self, x, values, key=()):
        self.key = key
        out = x.copy()
        out[key] = values
        return out

    def backward(self, grad):
        need_x, need_v = self.needs_input_grad
        grad_x = None
        if need_x:
            g = grad._data.copy()
            g[self.key] = 0
            grad_x = _make(g)
        grad_v = getitem(grad, self.key) if need_v else None
        return grad_x, grad_v


# ------------------------------------------------------------------ masks and nonzero

def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) tensor, or one tensor per dim."""
    xp = array_module(input._data)
    idx = xp.nonzero(input._data) if input._data.ndim else xp.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx)
    if not idx:
        return _make(xp.zeros((0, 0), np.int64))
    return _make(xp.stack(idx, axis=1).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


class MaskedFillBackward0(Function):
    def forward(self, x, mask=None, value=0):
        self.mask = mask
        return array_module(x).where(mask, x.dtype.type(value), x)

    def backward(self, grad):
        return grad.masked_fill(_make(self.mask), 0)


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` wherever ``mask`` is True (mask broadcasts)."""
    if mask._data.dtype != bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value._requires_grad:
            from .comparison import where

            return where(mask, value.to(input.dtype), input)
        value = value.item()
    return MaskedFillBackward0.apply(input, mask=mask._data, value=value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements where ``mask`` is True, as a 1-D tensor."""
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    return getitem(input.expand(shape), mask.expand(shape))


__all__ = ["argwhere", "masked_fill", "masked_select", "nonzero"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["argwhere", "masked_fill", "masked_select", "nonzero"]
INPLACE_VARIANTS = ["masked_fill"]
