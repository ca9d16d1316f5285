"""In-place ops (``x.add_(1)``, ``x[0] = 5``, ``x += y``) and how autograd survives them.

An in-place op overwrites memory, and memory may be needed by backward.  Three rules
keep gradients right, as in PyTorch:

1. Every in-place change bumps the tensor's *version counter* (shared by its views).
   A node that saved the tensor notes the version; if it changed by the time backward
   runs, backward raises instead of using wrong numbers.
2. The op itself is computed out of place (``result = self + other``), then written
   into ``self``'s memory, and ``self`` takes over ``result``'s place in the graph.
3. If ``self`` is a *view* of a base tensor, the base changed too: the base's graph
   gets a ``CopySlices`` node (the gradient of the written region goes to ``result``,
   the rest to the old base), and the view is re-derived from the new base.

When no gradient is involved (an optimizer step under ``no_grad``), the op simply
writes into the existing memory with NumPy's ``out=`` argument.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from .shape import apply_view_chain


def _check_leaf(self: Tensor) -> None:
    if self._requires_grad and self._grad_fn is None and self._base is not None:
        raise RuntimeError(  # itself a leaf, made from a view (``arange(6).view(2, 3)``)
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation.")
    if self._requires_grad and self._grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation. "
            "(Wrap parameter updates in `with torch.no_grad():`, or use an out-of-place op.)")
    base = self._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation.")


def apply_inplace(self: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` (computed out of place from ``self``) into ``self``."""
    tracked = STATE.enabled and (result._requires_grad or self._requires_grad)
    if tracked:
        _check_leaf(self)
    _check_writable(self, result)
    if tracked and result._grad_fn is not None:
        _protect_saved_self(result._grad_fn, self)
    data = self._data
    if result._data is not data:
        array_module(data).copyto(data, result._data, casting="unsafe")
    self._bump()
    if tracked:
        if self._base is None:
            _take_history(self, result)
        else:
            _rewrite_base_history(self, result)
    return self


def _check_writable(self: Tensor, result: Tensor) -> None:
    if result._data.shape != self._data.shape:
        from ._common import broadcast_shapes

        try:
            shape = broadcast_shapes(self._data.shape, result._data.shape)
        except RuntimeError:
            shape = result._data.shape
        if tuple(shape) != tuple(self._data.shape):
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
    src = D._FROM_NUMPY[result._data.dtype]
    dst = D._FROM_NUMPY[self._data.dtype]
    if not D.can_cast(src, dst):
        raise RuntimeError(f"result type {src.legacy_name} can't be cast to the desired output "
                           f"type {dst.legacy_name}")


def _protect_saved_self(node: Function, self: Tensor) -> None:
    """If the op saved ``self`` for backward, save a copy of the old values instead."""
    saved = node._saved
    if not saved:
        return
    for i, s in enumerate(saved):
        if type(s) is tuple and s[0] is self:
            snapshot = _make(self._data.copy(), self._requires_grad, self._grad_fn,
                             self._output_nr)
            if self._grad_fn is None and self._requires_grad:
                snapshot._grad_acc = self._grad_acc
            saved[i] = (snapshot, snapshot._counter(), 0)


def _take_history(self: Tensor, result: Tensor) -> None:
    self._grad_fn = result._grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = result._requires_grad
    self._history += 1


class CopySlices(Function):
    """The base after an in-place op on one of its views.

    The written region's gradient goes to the op's result; the rest of the gradient
    goes to the base as it was before.
    """

    once_differentiable = True

    def forward(self, base, result, chain=()):
        self.chain = chain
        return base

    def backward(self, grad):
        g = grad._data
        grad_base = g.copy()
        apply_view_chain(grad_base, self.chain)[...] = 0
        grad_result = apply_view_chain(g, self.chain).copy()
        return _make(grad_base), _make(grad_result)


def _rewrite_base_history(view: Tensor, result: Tensor) -> None:
    base = view._base
    node_owner = CopySlices.apply(base, result, chain=view._view_chain)
    base._grad_fn = node_owner._grad_fn
    base._output_nr = 0
    base._requires_grad = True
    base._history += 1
    regenerate_view_grad_fn(view)


class AsStridedBackward0(Function):
    """A view re-derived from its base after the base's graph changed."""

    once_differentiable = True

    def forward(self, base, chain=()):
        self.chain, self.base_shape = chain, base.shape
        return apply_view_chain(base, chain)

    def backward(self, grad):
        xp = array_module(grad._data)
        out = xp.zeros(self.base_shape, grad._data.dtype)
        region = apply_view_chain(out, self.chain)
        if not region.flags.writeable:  # an expanded view: elements share memory
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        region[...] = grad._data
        return _make(out)


def regenerate_view_grad_fn(view: Tensor) -> None:
    """Point the view's ``grad_fn`` at its base's current graph."""
    base = view._base
    view._seen_history = base._history
    if not base._requires_grad:
        return
    prev = STATE.enabled
    STATE.enabled = True
    try:
        fresh = AsStridedBackward0.apply(base, chain=view._view_chain)
    finally:
        STATE.enabled = prev
    view._grad_fn = fresh._grad_fn
    view._output_nr = 0
    view._requires_grad = True


# ----------------------------------------------------------- fast path and the methods

def _plain(self: Tensor, other) -> bool:
    """True when no gradient is involved and NumPy can write into ``self`` directly."""
    if STATE.enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
        return False
    if isinstance(other, Tensor):
        return (other._data.dtype == self._data.dtype and type(other._data) is type(self._data))
    kind = self._data.dtype.kind
    return (kind == "f" and isinstance(other, float | int)) or (
        kind in "iu" and isinstance(other, int) and not isinstance(other, bool))


def _ufunc_inplace(self: Tensor, ufunc_name: str, other, alpha=1) -> Tensor:
    """``self = ufunc(self, alpha * other)`` on the arrays themselves: no graph, no copy of self."""
    data = self._data
    xp = array_module(data)
    o = other._data if isinstance(other, Tensor) else other
    if isinstance(alpha, Tensor):  # a tensor learning rate, for one
        alpha = alpha._data
    if alpha != 1:
        o = o * alpha
    try:
        getattr(xp, ufunc_name)(data, o, out=data)
    except ValueError:
        shape = np.broadcast_shapes(data.shape, np.shape(o)) if np.ndim(o) else data.shape
        raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}") from None
    self._bump()
    return self


def add_(self: Tensor, other, *, alpha=1) -> Tensor:
    if _plain(self, other):
        return _ufunc_inplace(self, "add", other, alpha)
    from .arithmetic import add

    return apply_inplace(self, add(self, other, alpha=alpha))


def sub_(self: Tensor, other, *, alpha=1) -> Tensor:
    if _plain(self, other):
        return _ufunc_inplace(self, "subtract", other, alpha)
    from .arithmetic import sub

    return apply_inplace(self, sub(self, other, alpha=alpha))


def mul_(self: Tensor, other) -> Tensor:
    if _plain(self, other):
        return _ufunc_inplace(self, "multiply", other)
    from .arithmetic import mul

    return apply_inplace(self, mul(self, other))


def div_(self: Tensor, other, *, rounding_mode=None) -> Tensor:
    if rounding_mode is None and self._data.dtype.kind == "f" and _plain(self, other):
        return _ufunc_inplace(self, "true_divide", other)
    from .arithmetic import div

    return apply_inplace(self, div(self, other, rounding_mode=rounding_mode))


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src``'s values (broadcast, cast, moved across devices) into ``self``."""
    from .conversion import to_copy

    if not isinstance(src, Tensor):
        from .creation import tensor

        src = tensor(src)
    if STATE.enabled and (self._requires_grad or src._requires_grad):
        src = to_copy(src, self.dtype, self.device, False)
        if src._data.shape != self._data.shape:
            src = src.expand(self._data.shape)
        if src._grad_fn is None and not src._requires_grad:
            src = _make(src._data)
        return apply_inplace(self, _CopyBackwards.apply(self, src))
    data = src._data
    if type(data) is not type(self._data):
        from .._device import move

        data = move(data, self.device)
    try:
        array_module(self._data).copyto(self._data, data, casting="unsafe")
    except ValueError:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                           f"broadcast shape {list(data.shape)}") from None
    self._bump()
    return self


class _CopyBackwards(Function):
    """``self.copy_(src)``: self's old values are gone, so only ``src`` gets a gradient."""

    def forward(self, dst, src):
        return src

    def backward(self, grad):
        return None, grad


_CopyBackwards.__name__ = "CopyBackwards"


def copy_into(out: Tensor, result: Tensor) -> Tensor:
    """The ``out=`` argument: resize ``out`` if needed and copy ``result`` into it."""
    if out._data.shape != result._data.shape:
        out._data = array_module(out._data).empty(result._data.shape, out._data.dtype)
    return copy_(out, result)


def zero_(self: Tensor) -> Tensor:
    return fill_(self, 0)


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or a one-element tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        if STATE.enabled and (value._requires_grad or self._requires_grad):
            return copy_(self, value.expand(self._data.shape))
        value = value.item()
    if STATE.enabled and self._requires_grad:
        from .creation import full_like

        return apply_inplace(self, full_like(self, value))
    self._data.fill(value)
    self._bump()
    return self


def generic_inplace(self: Tensor, result: Tensor) -> Tensor:
    """The ``_`` version of any op: ``x.exp_()`` is ``x`` overwritten by ``x.exp()``."""
    return apply_inplace(self, result)
