"""``Parameter``: a tensor that a ``Module`` treats as one of its learnable weights.

A Parameter is an ordinary tensor (every op accepts it, results are plain tensors) with
two differences: it requires a gradient by default, and assigning it as an attribute of
a ``Module`` registers it, so that ``model.parameters()`` finds it for the optimizer.

``Buffer`` marks a tensor that is state but not learnable (a running mean): assigning
one to a module attribute registers it as a buffer.
"""

from __future__ import annotations

from .._tensor import Tensor

__all__ = ["Buffer", "Parameter"]


class Parameter(Tensor):
    """``Parameter(data=None, requires_grad=True)``: shares ``data``'s memory."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): expected a Tensor as data, got {type(data).__name__}")
        param = object.__new__(cls)
        param._data = data._data
        param._vc = data._counter()  # like detach(): same memory, same version counter
        param.requires_grad = requires_grad  # the setter refuses integer tensors, as torch does
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        """A new Parameter with copied values (and, as in torch, without the ``.grad``)."""
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        from .._device import CPU, move

        return (_rebuild_parameter, (move(self._data, CPU), self._requires_grad,
                                     str(self.device)))


def _rebuild_parameter(array, requires_grad: bool, device: str = "cpu") -> Parameter:
    from .._tensor import _rebuild

    return Parameter(_rebuild(array, False, device), requires_grad)


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is True for tensors that ``Buffer(...)`` marked."""

    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """``Buffer(data, persistent=True)``: a tensor to register as module state, not a weight.

    It returns ``data`` detached, marked so that ``module.name = Buffer(t)`` registers it
    with ``register_buffer(name, t, persistent)``.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        t = data.detach()
        if data._requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t
