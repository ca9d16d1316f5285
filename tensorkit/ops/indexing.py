"""Indexing: ``x[...]`` and ``x[...] = v``, masks, gather/scatter, take/put, triangles.

*Basic* indices (integers, slices, ``None``, ``...``) give views, built one dim at a
time from ``select``, ``slice`` and ``unsqueeze``, exactly as PyTorch does, so the
graph shows ``SelectBackward0`` and ``SliceBackward0``.  *Advanced* indices (lists,
integer tensors, boolean masks) copy the selected elements; backward adds each
gradient back at the position it was taken from (a position taken twice gets both).
A key mixing the two applies the basic part first, then the advanced part, as torch does.

The named ops (``index_select``, ``gather``, ``scatter``, ``index_add``, ``take``, ...)
are the same idea with the index given as a tensor and a dim.  Each one that writes
(``scatter``, ``index_add``, ``put``, ``masked_fill``, ...) has an in-place variant
``x.scatter_(...)`` that computes the copy and writes it back through ``ops/inplace.py``.
Index tensors are saved for backward like any input: changing one in place before
backward raises, instead of sending gradients to the wrong places.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .._device import array_module, move
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from . import shape as S
from ._common import wrap_dim


def _is_basic(item) -> bool:
    return item is None or item is Ellipsis or isinstance(item, int | np.integer | builtins.slice)


def _legacy_sequence_key(key) -> bool:
    """torch reads ``x[[0, [1, 2]]]``, a list holding lists, slices, tensors or None, as
    the tuple ``x[0, [1, 2]]`` (deprecated there, with a warning; kept for compatibility)."""
    if not isinstance(key, list) or len(key) >= 32:
        return False
    return any(k is None or k is Ellipsis or isinstance(k, list | tuple | builtins.slice | Tensor
                                                        | np.ndarray) for k in key)


def _normalize_key(key) -> tuple:
    if _legacy_sequence_key(key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; "
                      "use x[tuple(seq)] instead of x[seq] (or x[tensor(seq)] to index with "
                      "an array of indices).", UserWarning, stacklevel=3)
        key = tuple(key)
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


def _is_mask(k) -> bool:
    """A boolean (or legacy uint8) tensor or array used as an index."""
    data = k._data if isinstance(k, Tensor) else k
    is_array = isinstance(data, np.ndarray) or hasattr(data, "__cuda_array_interface__")
    return is_array and (data.dtype == bool or data.dtype == np.uint8)


def _consumed(key) -> int:
    """How many dims of the tensor the index uses up (a mask uses as many as it has)."""
    n = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        n += k.ndim if _is_mask(k) else 1
    return n


class AliasBackward0(Function):
    """``x[...]``: a new tensor over the same memory, nothing rearranged."""

    def forward(self, x):
        return x.view()

    def backward(self, grad):
        return grad


def getitem(x: Tensor, key) -> Tensor:
    if isinstance(key, builtins.slice) and x._data.ndim:
        # a lone slice is always a slice, even x[:] (only in a tuple is a full one skipped)
        start, end, step = key.start, key.stop, 1 if key.step is None else key.step
        if step <= 0:
            raise ValueError("step must be greater than zero")
        start, end, _ = key.indices(x._data.shape[0])
        return S.view_apply(S.SliceBackward0, x, dim=0, start=start, end=max(end, start),
                            step=step)
    key = _normalize_key(key)
    ndim = x._data.ndim
    used = _consumed(key)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    if builtins.all(_is_basic(k) for k in key):
        return _basic_index(x, key, ndim - used)
    view, rest = _split_key(x, key, ndim - used)
    return _advanced_index(view, rest)


def _split_key(x: Tensor, key, ellipsis_dims: int):
    """A key mixing basic and advanced indices, done in torch's order.

    The ints, slices and ``None`` are applied first, as views; what is left is a key of
    advanced indices (with ``:`` for the dims in between) for that view.  The order
    matters: in ``x[1, :, [0, 1]]`` torch selects row 1 first, giving shape (3, 2) for
    x of shape (2, 3, 4), where NumPy, treating ``1`` as an advanced index too, gives (2, 3).
    """
    out, dim, rest = x, 0, []
    for k in key:
        if k is Ellipsis:
            rest += [builtins.slice(None)] * ellipsis_dims
            dim += ellipsis_dims
        elif k is None:
            out = S.unsqueeze(out, dim)
            rest.append(builtins.slice(None))
            dim += 1
        elif isinstance(k, builtins.slice):
            out = S.slice_dim(out, dim, k.start, k.stop, 1 if k.step is None else k.step)
            rest.append(builtins.slice(None))
            dim += 1
        elif _is_basic(k):  # an int
            out = S.select(out, dim, int(k))
        else:
            rest.append(k)
            dim += k.ndim if _is_mask(k) else 1
    while isinstance(rest[-1], builtins.slice):
        rest.pop()
    return out, tuple(rest)


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
    if out is x:  # x[...] or x[:, :] still returns a new tensor (an alias)
        out = S.view_apply(AliasBackward0, x)
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


def add_at(out, key, values) -> None:
    """``out[key] += values`` where a position named twice in ``key`` gets both values.

    Plain ``out[key] += values`` would add only once per position; NumPy's ``add.at``
    and CuPy's ``cupyx.scatter_add`` accumulate every occurrence.
    """
    if array_module(out) is np:
        np.add.at(out, key, values)
    else:
        import cupyx

        cupyx.scatter_add(out, key, values)


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
        add_at(out, key, values)
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
    from .inplace import copy_

    key = _normalize_key(key)
    ndim = x._data.ndim
    used = _consumed(key)
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    tracked = STATE.enabled and (x._requires_grad or getattr(value, "_requires_grad", False))
    if builtins.all(_is_basic(k) for k in key):
        if tracked:
            copy_(getitem(x, key), value)
        else:
            _write_data(x, x, key, value)
        return
    view, rest = _split_key(x, key, ndim - used)  # ints and slices first, as in torch
    _check_put_dtype(x, rest, value)
    if not tracked:
        _write_data(x, view, _array_key(view, rest), value)
        return
    from .inplace import apply_inplace

    if not isinstance(value, Tensor):
        from .creation import tensor

        value = tensor(value, dtype=x.dtype, device=x.device)
    akey = _array_key(view, rest)
    try:
        result = IndexPutBackward0.apply(view, value.to(x.dtype), key=akey)
    except IndexError as e:
        raise _numpy_index_error(e, view, akey) from None
    except ValueError as e:
        raise _shape_mismatch(view, akey, value) from e
    apply_inplace(view, result)


def _check_put_dtype(x: Tensor, key, value) -> None:
    """Writing a tensor at integer indices needs the same dtype (torch casts only for masks)."""
    if not isinstance(value, Tensor) or value._data.dtype == x._data.dtype:
        return
    masks = [k for k in key if _is_mask(k)]
    if len(masks) == len([k for k in key if not isinstance(k, builtins.slice)]):
        return
    raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                       f"{x.dtype} for the destination and {value.dtype} for the source. "
                       f"(Convert the value first: value.to({x.dtype}).)")


def _write_data(x: Tensor, target: Tensor, key, value) -> None:
    """``target._data[key] = value`` with no graph involved; ``target`` is ``x`` or its view."""
    data = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and type(data) is not type(x._data):
        data = move(data, x.device)
    try:
        target._data[key] = data
    except IndexError as e:
        raise _numpy_index_error(e, target, key) from None
    except ValueError as e:
        raise _shape_mismatch(target, key, value) from e
    x._bump()


def _shape_mismatch(target: Tensor, key, value) -> RuntimeError:
    shape = list(np.shape(value._data if isinstance(value, Tensor) else value))
    return RuntimeError(f"shape mismatch: value tensor of shape {shape} cannot be broadcast to "
                        f"indexing result of shape {list(target._data[key].shape)}")


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
    """``value`` (a number) where ``mask`` holds: those positions get no gradient."""

    def forward(self, x, mask=None, value=0):
        self.mask = mask
        return array_module(x).where(mask, x.dtype.type(value), x)

    def backward(self, grad):
        return grad.masked_fill(_make(self.mask), 0)


class MaskedFillBackward1(Function):
    """``value`` (a 0-d tensor) where ``mask`` holds: it gets the sum of their gradients."""

    def forward(self, x, value, mask=None):
        self.mask, self.value_dtype = mask, value.dtype
        return array_module(x).where(mask, value.astype(x.dtype), x)

    def backward(self, grad):
        need_x, need_value = self.needs_input_grad
        mask = _make(self.mask)
        grad_x = grad.masked_fill(mask, 0) if need_x else None
        grad_value = None
        if need_value:
            grad_value = grad.masked_fill(mask.logical_not(), 0).sum().to(_dtype(self.value_dtype))
        return grad_x, grad_value


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` wherever ``mask`` is True (mask broadcasts)."""
    if mask._data.dtype != bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        if value.device != input.device:  # a CPU scalar tensor may fill a GPU tensor
            value = value.to(input.device)
        return MaskedFillBackward1.apply(input, value, mask=mask._data)
    return MaskedFillBackward0.apply(input, mask=mask._data, value=value)


class MaskedSelectBackward0(Function):
    """The elements where ``mask`` holds, in order; backward puts the gradient back there."""

    def forward(self, x, mask=None):
        xp = array_module(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        self.mask, self.shape = mask, shape
        return xp.broadcast_to(x, shape)[xp.broadcast_to(mask, shape)]

    def backward(self, grad):
        zeros = grad.new_zeros(self.shape)
        return masked_scatter(zeros, _make(self.mask), grad)  # summed to x's shape by the engine


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements where ``mask`` is True (it broadcasts with ``input``), as a 1-D tensor."""
    if mask._data.dtype != bool:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, but got {mask.dtype}")
    from ._common import broadcast_shapes

    broadcast_shapes(input._data.shape, mask._data.shape)  # torch's error if they don't
    return MaskedSelectBackward0.apply(input, mask=mask._data)


class MaskedScatterBackward0(Function):
    """``source``'s leading elements written, in order, where ``mask`` is True."""

    def forward(self, x, source, mask=None):
        xp = array_module(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        self.mask, self.source_shape = mask, source.shape
        out = xp.broadcast_to(x, shape).copy()
        full_mask = xp.broadcast_to(mask, shape)
        n = int(full_mask.sum())
        out[full_mask] = source.reshape(-1)[:n]
        return out

    def backward(self, grad):
        need_x, need_source = self.needs_input_grad
        mask = _make(self.mask)
        grad_x = grad.masked_fill(mask, 0) if need_x else None
        grad_source = None
        if need_source:
            numel = int(np.prod(self.source_shape))
            taken = masked_select(grad, mask)
            grad_source = pad_end(taken, (numel,)).reshape(self.source_shape)
        return grad_x, grad_source


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with ``source``'s elements, in order, where ``mask`` is True."""
    if mask._data.dtype != bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {mask.dtype}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got {input.dtype} and {source.dtype}")
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    count = int(array_module(mask._data).broadcast_to(mask._data, shape).sum())
    if count > source._data.size:
        raise RuntimeError(f"Number of elements of source < number of ones in mask: the mask "
                           f"selects {count} elements but source has only {source._data.size}")
    return MaskedScatterBackward0.apply(input, source, mask=mask._data)


# ------------------------------------------------------------------ helpers for indices

class IndexOutOfBoundsError(IndexError, RuntimeError):
    """An index outside its dimension, from ``index_select`` or ``index_add``.

    Both an IndexError and a RuntimeError: torch raises one or the other depending on
    the dim and on whether autograd is recording, so code written for either catches it.
    """

_INT = ("int64", "int32")
_LONG = ("int64",)


def _index_data(op: str, index, allowed=_INT, error=RuntimeError):
    """The index tensor's array, after checking that its dtype is one ``op`` accepts."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): index must be a tensor of int64, not {type(index).__name__}")
    data = index._data
    if data.dtype.name not in allowed:
        names = " or ".join(allowed)
        raise error(f"{op}(): Expected dtype {names} for index, but got {index.dtype} "
                    f"(convert it with index.long())")
    return data


def _vector_index(op: str, index, allowed=_INT, error=IndexError):
    """An index that must be 0-d or 1-D (index_select, index_add, ...)."""
    data = _index_data(op, index, allowed)
    if data.ndim > 1:
        raise error(f"{op}(): Index is supposed to be a vector (0-D or 1-D), but got shape "
                    f"{list(data.shape)}")
    return data


def _check_range(op: str, idx, size: int, dim: int, error, negative: bool = False):
    """Raise ``error`` naming an index outside ``[0, size)`` (or ``[-size, size)``).

    Returns the index with negative entries wrapped (when they are allowed).
    """
    if idx.size == 0:
        return idx
    lo, hi = int(idx.min()), int(idx.max())
    low = -size if negative else 0
    if hi >= size or lo < low:
        bad = hi if hi >= size else lo
        raise error(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}")
    if lo < 0:
        idx = array_module(idx).where(idx < 0, idx + size, idx)
    return idx


def _same_or_new(index: Tensor, data) -> Tensor:
    """The index tensor itself if ``data`` is its array, else a tensor of ``data``."""
    return index if data is index._data else _make(data)


def _at_least_1d(a):
    """Dim ops treat a 0-d tensor as one of shape (1,), as torch does."""
    return a.reshape(1) if a.ndim == 0 else a


def _dim_front(a, dim: int):
    """A view of ``a`` with ``dim`` moved first, so ``view[index]`` indexes along ``dim``."""
    return array_module(a).moveaxis(_at_least_1d(a), dim, 0)


def _dtype(np_dtype):
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


def _with_out(result: Tensor, out: Tensor | None) -> Tensor:
    if out is None:
        return result
    from .inplace import copy_into

    return copy_into(out, result)


class ConstantPadNdBackward0(Function):
    """``x`` followed by zeros up to ``shape`` in every dim (a gradient for a bigger input)."""

    def forward(self, x, shape=()):
        self.key = tuple(builtins.slice(0, n) for n in x.shape)
        out = array_module(x).zeros(shape, x.dtype)
        out[self.key] = x
        return out

    def backward(self, grad):
        return grad[self.key]


def pad_end(x: Tensor, shape: tuple) -> Tensor:
    """``x`` padded with zeros at the end of each dim up to ``shape`` (differentiable)."""
    if tuple(x.shape) == tuple(shape):
        return x
    return ConstantPadNdBackward0.apply(x, shape=tuple(shape))


# -------------------------------------------------------------- index_select, index_add

class IndexSelectBackward0(Function):
    """The slices at ``index`` along ``dim``; backward adds the gradient back at ``index``."""

    def forward(self, x, index, dim=0):
        self.shape, self.dim = x.shape, dim
        self.save_for_backward(index)
        out = array_module(x).take(_at_least_1d(x), index.reshape(-1), axis=dim)
        return out.reshape(()) if x.ndim == 0 else out

    def backward(self, grad):
        (index,) = self.saved_tensors
        return index_add(grad.new_zeros(self.shape), self.dim, index, grad), None


def index_select(input: Tensor, dim: int, index: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The slices of ``input`` at the positions ``index`` (0-D or 1-D) along ``dim``."""
    data = _vector_index("index_select", index)
    dim = wrap_dim(dim, input._data.ndim)
    size = _at_least_1d(input._data).shape[dim]
    if input._data.ndim == 0 and data.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{data.size} value(s)")
    _check_range("index_select", data, size, dim, IndexOutOfBoundsError)
    return _with_out(IndexSelectBackward0.apply(input, index, dim=dim), out)


def _check_source(op: str, input: Tensor, dim: int, index, source: Tensor, count_error) -> None:
    """``source`` must be shaped like ``input`` except along ``dim``, one slice per index."""
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}(): self and source expected to have the same dtype, but got "
                           f"self {input.dtype} and source {source.dtype}")
    xs, ss = tuple(input._data.shape), tuple(source._data.shape)
    if not xs and not ss:
        n = 1
    elif len(xs) != len(ss) or any(a != b for d, (a, b) in enumerate(zip(xs, ss)) if d != dim):
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, excluding "
                           f"the specified dimension. Got self.shape = {list(xs)} "
                           f"source.shape = {list(ss)}")
    else:
        n = ss[dim]
    if index.size != n:
        raise count_error(f"{op}(): Number of indices ({index.size}) should be equal to "
                          f"source.size(dim) ({n}), for dim: {dim}")


class IndexAddBackward0(Function):
    """``alpha * source`` added at ``index`` along ``dim`` (repeated indices add up)."""

    def forward(self, x, index, source, dim=0, alpha=1):
        self.dim, self.alpha, self.source_shape = dim, alpha, source.shape
        self.save_for_backward(index)
        out = x.copy()
        if alpha != 1:
            source = source * x.dtype.type(alpha)  # alpha takes the tensor's dtype
        add_at(_dim_front(out, dim), index.reshape(-1), _dim_front(source, dim))
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_source = self.needs_input_grad
        grad_source = None
        if need_source:
            grad_source = index_select(grad, self.dim, index).reshape(self.source_shape)
            if self.alpha != 1:
                grad_source = grad_source * self.alpha
        return (grad if need_x else None), None, grad_source


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1,
              out: Tensor | None = None) -> Tensor:
    """A copy of ``input`` with ``alpha * source[i]`` added to slice ``index[i]`` along ``dim``."""
    data = _index_data("index_add_", index)
    if data.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector (0-D or 1-D), but "
                         f"got shape {list(data.shape)}")
    dim = wrap_dim(dim, input._data.ndim)
    _check_source("index_add_", input, dim, data, source, RuntimeError)
    _check_range("index_add_", data, _at_least_1d(input._data).shape[dim], dim,
                 IndexOutOfBoundsError)
    return _with_out(IndexAddBackward0.apply(input, index, source, dim=dim, alpha=alpha), out)


class IndexCopyBackward0(Function):
    """``source``'s slices written at ``index`` along ``dim``."""

    def forward(self, x, index, source, dim=0):
        self.dim, self.source_shape = dim, source.shape
        self.save_for_backward(index)
        out = x.copy()
        _dim_front(out, dim)[index.reshape(-1)] = _dim_front(source, dim)
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_source = self.needs_input_grad
        grad_x = index_fill(grad, self.dim, index, 0) if need_x else None
        grad_source = None
        if need_source:
            grad_source = index_select(grad, self.dim, index).reshape(self.source_shape)
        return grad_x, None, grad_source


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
               out: Tensor | None = None) -> Tensor:
    """A copy of ``input`` whose slices ``index[i]`` along ``dim`` are ``source[i]``."""
    data = _vector_index("index_copy_", index, _LONG, error=IndexError)
    dim = wrap_dim(dim, input._data.ndim)
    _check_source("index_copy_", input, dim, data, source, IndexError)
    _check_range("index_copy_", data, _at_least_1d(input._data).shape[dim], dim, IndexError)
    return _with_out(IndexCopyBackward0.apply(input, index, source, dim=dim), out)


class IndexFillBackward0(Function):
    """``value`` (a number) written in the slices at ``index`` along ``dim``."""

    def forward(self, x, index, dim=0, value=0):
        self.dim = dim
        self.save_for_backward(index)
        out = x.copy()
        _dim_front(out, dim)[index.reshape(-1)] = x.dtype.type(value)
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        return index_fill(grad, self.dim, index, 0), None


class IndexFillBackward1(Function):
    """``value`` (a 0-d tensor) written at ``index``: it gets the sum of their gradients."""

    def forward(self, x, index, value, dim=0):
        self.dim, self.value_dtype = dim, value.dtype
        self.unique = array_module(index).unique(index)  # each position is filled once
        self.save_for_backward(index)
        out = x.copy()
        _dim_front(out, dim)[index.reshape(-1)] = value.astype(x.dtype)
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_value = self.needs_input_grad
        grad_x = index_fill(grad, self.dim, index, 0) if need_x else None
        grad_value = None
        if need_value:
            picked = index_select(grad, self.dim, _make(self.unique))
            grad_value = picked.sum().to(_dtype(self.value_dtype))
        return grad_x, None, grad_value


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` in the slices at ``index`` along ``dim``."""
    data = _index_data("index_fill_", index, _LONG, error=IndexError)
    if data.ndim > 1:
        raise RuntimeError(f"index_fill_(): Index has to be a vector or a scalar, but got shape "
                           f"{list(data.shape)}")
    dim = wrap_dim(dim, input._data.ndim)
    size = _at_least_1d(input._data).shape[dim]
    index = _same_or_new(index, _check_range("index_fill_", data, size, dim, IndexError,
                                             negative=True))
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return IndexFillBackward1.apply(input, index, value, dim=dim)
    return IndexFillBackward0.apply(input, index, dim=dim, value=value)


# ---------------------------------------------------------------- gather and scatter

def _check_gather_scatter(op: str, input: Tensor, dim: int, index, src=None) -> None:
    """Shapes as torch requires: ``index`` no larger than ``input`` (except along ``dim``)
    and no larger than ``src`` anywhere; every index inside ``input``'s ``dim``."""
    xs = tuple(input._data.shape) or (1,)
    ishape = tuple(index.shape) or (1,)
    if len(ishape) != len(xs):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor ({index.ndim} vs {input._data.ndim})")
    if src is not None:
        ss = tuple(src._data.shape) or (1,)
        if len(ss) != len(ishape):
            raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions "
                               f"as src tensor ({index.ndim} vs {src._data.ndim})")
    if index.size == 0:
        return
    for d, n in enumerate(ishape):
        if (d != dim and n > xs[d]) or (src is not None and n > ss[d]):
            also = f" and to be no larger than src {list(src.shape)}" if src is not None else ""
            raise RuntimeError(f"{op}(): Size does not match at dimension {d}: expected index "
                               f"{list(index.shape)} to be no larger than self "
                               f"{list(input._data.shape)} apart from dimension {dim}{also}")
    _check_range(op, index, xs[dim], dim, RuntimeError)


def _scatter_key(index, dim: int) -> tuple:
    """The positions ``index`` points at: ``index`` along ``dim``, its own position elsewhere."""
    xp = array_module(index)
    nd = index.ndim
    return tuple(index if d == dim else xp.arange(n).reshape((n,) + (1,) * (nd - 1 - d))
                 for d, n in enumerate(index.shape))


def _leading(a, shape):
    """The leading block of ``a`` with the given shape (``src`` may be larger than index)."""
    return a[tuple(builtins.slice(0, n) for n in shape)]


class GatherBackward0(Function):
    """``out[i][j] = x[index[i][j]][j]`` (for dim 0); backward scatter-adds the gradient."""

    def forward(self, x, index, dim=0):
        self.shape, self.dim = x.shape, dim
        self.save_for_backward(index)
        x1, i1 = _at_least_1d(x), _at_least_1d(index)
        sub = _leading(x1, tuple(x1.shape[d] if d == dim else n for d, n in enumerate(i1.shape)))
        return array_module(x).take_along_axis(sub, i1, axis=dim).reshape(index.shape)

    def backward(self, grad):
        (index,) = self.saved_tensors
        return scatter_add(grad.new_zeros(self.shape), self.dim, index, grad), None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out: Tensor | None = None) -> Tensor:
    """Pick, along ``dim``, the element ``index`` names at each position of ``index``."""
    data = _index_data("gather", index)
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_scatter("gather", input, dim, data)
    return _with_out(GatherBackward0.apply(input, index, dim=dim), out)


def _scatter_into(x, index, dim: int, values, mode=None):
    """A copy of ``x`` with ``values`` written (or added, or multiplied) at ``index``."""
    out = x.copy()
    i1 = _at_least_1d(index)
    key = _scatter_key(i1, dim)
    if hasattr(values, "shape"):
        values = _leading(_at_least_1d(values), i1.shape)
    else:
        values = x.dtype.type(values)
    target = _at_least_1d(out)
    if mode is None:
        target[key] = values
    elif mode == "add":
        add_at(target, key, values)
    else:  # "multiply": NumPy's multiply.at; CuPy has none, so it runs on the CPU
        xp = array_module(out)
        if xp is np:
            np.multiply.at(target, key, values)
        else:
            cpu = xp.asnumpy(target)
            np.multiply.at(cpu, tuple(xp.asnumpy(k) for k in key), xp.asnumpy(values))
            target[...] = xp.asarray(cpu)
    return out


class ScatterBackward0(Function):
    """``src``'s elements written at ``index``; overwritten elements of ``x`` get no grad."""

    def forward(self, x, index, src, dim=0):
        self.dim, self.src_shape = dim, src.shape
        self.save_for_backward(index)
        return _scatter_into(x, index, dim, src)

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_src = self.needs_input_grad
        grad_x = scatter(grad, self.dim, index, 0) if need_x else None
        grad_src = pad_end(gather(grad, self.dim, index), self.src_shape) if need_src else None
        return grad_x, None, grad_src


class ScatterBackward1(Function):
    """``value`` (a number) written at ``index``."""

    def forward(self, x, index, dim=0, value=0):
        self.dim = dim
        self.save_for_backward(index)
        return _scatter_into(x, index, dim, value)

    def backward(self, grad):
        (index,) = self.saved_tensors
        return scatter(grad, self.dim, index, 0), None


class ScatterReduce(Function):
    """``scatter(..., reduce=)``: torch has no derivative for it, and neither do we."""

    def forward(self, x, index, src=None, dim=0, value=None, reduce="add"):
        return _scatter_into(x, index, dim, value if src is None else src, reduce)

    def backward(self, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented: scatter(..., "
                           "reduce=) has no gradient. Use scatter_add for a differentiable "
                           "sum.")


ScatterReduce.__name__ = ScatterReduce.__qualname__ = "NotImplemented"  # torch's grad_fn name


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` (or ``value``) written at ``index[i][j]``.

    For dim 0: ``out[index[i][j]][j] = src[i][j]``.  Where an index repeats, which
    write wins is unspecified (as in torch).  ``reduce='add'`` or ``'multiply'``
    combines instead of overwriting, without a gradient.
    """
    if src is None and value is None:
        raise TypeError("scatter() missing the values to write: pass src (a tensor) or value "
                        "(a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    data = _index_data("scatter", index)
    dim = wrap_dim(dim, input._data.ndim)
    if src is not None and src._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter(): Expected self.dtype to be equal to src.dtype (got "
                           f"{input.dtype} and {src.dtype})")
    _check_gather_scatter("scatter", input, dim, data, src)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got "
                               f"{reduce!r}.")
        args = (input, index) if src is None else (input, index, src)
        return ScatterReduce.apply(*args, dim=dim, value=value, reduce=reduce)
    if src is not None:
        return ScatterBackward0.apply(input, index, src, dim=dim)
    return ScatterBackward1.apply(input, index, dim=dim, value=value)


class ScatterAddBackward0(Function):
    """``src``'s elements added at ``index`` (repeated indices add up)."""

    def forward(self, x, index, src, dim=0):
        self.dim, self.src_shape = dim, src.shape
        self.save_for_backward(index)
        return _scatter_into(x, index, dim, src, "add")

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_src = self.needs_input_grad
        grad_src = pad_end(gather(grad, self.dim, index), self.src_shape) if need_src else None
        return (grad if need_x else None), None, grad_src


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` added at ``index[i][j]`` along ``dim``."""
    data = _index_data("scatter_add", index)
    dim = wrap_dim(dim, input._data.ndim)
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter_add(): Expected self.dtype to be equal to src.dtype (got "
                           f"{input.dtype} and {src.dtype})")
    _check_gather_scatter("scatter_add", input, dim, data, src)
    return ScatterAddBackward0.apply(input, index, src, dim=dim)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None, *,
                   out: Tensor | None = None) -> Tensor:
    """``gather`` with broadcasting: pick along ``dim`` the elements ``indices`` names
    (the output of ``argmax(..., keepdim=True)`` or ``argsort`` fits directly)."""
    _index_data("torch.take_along_dim", indices, _LONG)
    if dim is None:
        return _with_out(gather(input.reshape(-1), 0, indices.reshape(-1)), out)
    xs, ishape = tuple(input._data.shape), tuple(indices._data.shape)
    if len(xs) != len(ishape):
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {len(xs)} dimensions for input, and "
                           f"{len(ishape)} dimensions for indices")
    dim = wrap_dim(dim, len(xs))
    from ._common import broadcast_shapes

    shape = list(broadcast_shapes(xs[:dim] + (1,) + xs[dim + 1:], ishape[:dim] + (1,) +
                                  ishape[dim + 1:]))
    x_shape, i_shape = list(shape), list(shape)
    x_shape[dim], i_shape[dim] = xs[dim] if xs else 1, ishape[dim] if ishape else 1
    x = input if tuple(x_shape) == xs or not xs else input.expand(x_shape)
    idx = indices if tuple(i_shape) == ishape or not ishape else indices.expand(i_shape)
    return _with_out(gather(x, dim, idx), out)


# ------------------------------------------------------------------------ take and put

def _flat_index(op: str, index: Tensor, numel: int) -> Tensor:
    """A long index into the flattened tensor, negatives wrapped, with torch's errors."""
    data = _index_data(op, index, _LONG)
    if data.size:
        lo, hi = int(data.min()), int(data.max())
        if hi >= numel or lo < -numel:
            bad = hi if hi >= numel else lo
            raise IndexError(f"{op}(): index {bad} is out of range for a tensor of {numel} "
                             f"elements (valid: {-numel} to {numel - 1})")
        if lo < 0:
            data = array_module(data).where(data < 0, data + numel, data)
    return _same_or_new(index, data)


class TakeBackward0(Function):
    """Elements of the flattened ``x`` at ``index``; the result has ``index``'s shape."""

    def forward(self, x, index):
        self.shape = x.shape
        self.save_for_backward(index)
        return x.reshape(-1)[index]

    def backward(self, grad):
        (index,) = self.saved_tensors
        return put(grad.new_zeros(self.shape), index, grad, accumulate=True), None


def take(input: Tensor, index: Tensor) -> Tensor:
    """``input`` as if flattened to 1-D, read at ``index`` (the result has index's shape)."""
    return TakeBackward0.apply(input, _flat_index("take", index, input._data.size))


class PutBackward0(Function):
    """``source`` written (or added) into the flattened ``x`` at ``index``."""

    def forward(self, x, index, source, accumulate=False):
        self.accumulate, self.source_shape = accumulate, source.shape
        self.save_for_backward(index)
        out = x.copy()
        flat = out.reshape(-1)  # a view: out is a fresh contiguous copy
        if accumulate:
            add_at(flat, index.reshape(-1), source.reshape(-1))
        else:
            flat[index.reshape(-1)] = source.reshape(-1)
        return out

    def backward(self, grad):
        (index,) = self.saved_tensors
        need_x, _, need_source = self.needs_input_grad
        grad_x = None
        if need_x:
            grad_x = grad if self.accumulate else put(
                grad, index, grad.new_zeros(self.source_shape))
        grad_source = take(grad, index).reshape(self.source_shape) if need_source else None
        return grad_x, None, grad_source


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written at ``index`` of its flattened form."""
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    flat = _flat_index("put_", index, input._data.size)
    if flat._data.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {flat._data.size}")
    return PutBackward0.apply(input, flat, source, accumulate=accumulate)


# ------------------------------------------------------------------------ tril and triu

def _check_matrix(name: str, input: Tensor) -> None:
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions (got shape "
                           f"{list(input._data.shape)})")


class TrilBackward0(Function):
    """The lower triangle (on and below diagonal ``diagonal``) of the last two dims."""

    def forward(self, x, diagonal=0):
        self.diagonal = diagonal
        return array_module(x).tril(x, diagonal)

    def backward(self, grad):
        return tril(grad, self.diagonal)


class TriuBackward0(Function):
    """The upper triangle (on and above diagonal ``diagonal``) of the last two dims."""

    def forward(self, x, diagonal=0):
        self.diagonal = diagonal
        return array_module(x).triu(x, diagonal)

    def backward(self, grad):
        return triu(grad, self.diagonal)


def tril(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Zero everything above diagonal ``diagonal`` (0: main, >0: above, <0: below)."""
    _check_matrix("tril", input)
    return _with_out(TrilBackward0.apply(input, diagonal=int(diagonal)), out)


def triu(input: Tensor, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Zero everything below diagonal ``diagonal`` (0: main, >0: above, <0: below)."""
    _check_matrix("triu", input)
    return _with_out(TriuBackward0.apply(input, diagonal=int(diagonal)), out)



# ------------------------------------------------------------- index_put, bincount

def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (``indices``: a
    tuple of index tensors, one per leading dim); with ``accumulate`` repeated positions
    add up instead of the last write winning.  ``x.index_put_`` does it in place."""
    indices = tuple(indices)
    if not accumulate:
        out = input.clone()
        out[indices] = values
        return out
    xp = array_module(input._data)
    lead = tuple(input._data.shape[:len(indices)])
    arrays = []
    for i, (index, size) in enumerate(zip(indices, lead)):
        data = xp.asarray(index._data if isinstance(index, Tensor) else index)
        if data.dtype == bool:
            raise NotImplementedError("index_put_(accumulate=True) with a bool mask: pass "
                                      "mask.nonzero(as_tuple=True) instead")
        arrays.append(_check_range("index_put_", data, size, i, IndexError, negative=True))
    arrays = xp.broadcast_arrays(*arrays)
    linear = xp.ravel_multi_index(tuple(a.reshape(-1) for a in arrays), lead)
    rest = tuple(input._data.shape[len(indices):])
    flat = input.reshape(-1, *rest)
    values = values if isinstance(values, Tensor) else input.new_tensor(values)
    source = values.expand(*arrays[0].shape, *rest).reshape(-1, *rest)
    return index_add(flat, 0, _make(linear), source).reshape(input.shape)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in a 1-D non-negative integer tensor (with
    ``weights``: their sum per value).  Not differentiable, as in torch."""
    data = input._data
    if data.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{input.dtype.legacy_name}'")
    if data.ndim != 1 or (data.size and int(data.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = array_module(data)
    if weights is None:
        return _make(xp.bincount(data, minlength=minlength).astype(np.int64))
    w = weights._data
    dtype = w.dtype if w.dtype.kind == "f" else np.float64  # integer weights give double
    return _make(xp.bincount(data, weights=w, minlength=minlength).astype(dtype))

__all__ = ["argwhere", "bincount", "gather", "index_add", "index_copy", "index_fill",
           "index_put", "index_select", "masked_fill", "masked_scatter", "masked_select",
           "nonzero", "put", "scatter", "scatter_add", "take", "take_along_dim", "tril", "triu"]
# exposed as Tensor methods too (x.gather(...)), and as in-place variants (x.scatter_(...))
TENSOR_METHODS = ["argwhere", "bincount", "gather", "index_add", "index_copy", "index_fill",
                  "index_put", "index_select", "masked_fill", "masked_scatter", "masked_select",
                  "nonzero", "put", "scatter", "scatter_add", "take", "take_along_dim", "tril",
                  "triu"]
INPLACE_VARIANTS = ["index_add", "index_copy", "index_fill", "index_put", "masked_fill",
                    "masked_scatter", "put", "scatter", "scatter_add", "tril", "triu"]
