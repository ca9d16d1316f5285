"""Automatic differentiation: ``backward``, ``grad``, grad modes, ``Function`` and ``gradcheck``."""

from __future__ import annotations

import numpy as np

from . import graph
from .engine import run_backward
from .function import Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, list | tuple):
        return tuple(x)
    return (x,)


def _root_grads(outputs, grad_outputs) -> list:
    """The gradient each output starts with: 1 for a scalar, else what the caller gave."""
    from .._size import Size
    from .._tensor import Tensor, _make

    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(this output has shape {list(out._data.shape)}; pass "
                                   "gradient=..., or reduce it first, e.g. with .sum())")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            g = _make(_ones_like(out._data))
        elif isinstance(g, Tensor):
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} "
                    f"and output[{i}] has a shape of {Size(out._data.shape)}.")
            if not is_grad_enabled() or not g._requires_grad:
                g = _make(g._data.astype(out._data.dtype, copy=True))
        else:
            from ..ops.creation import tensor

            g = tensor(g, dtype=out.dtype, device=out.device)
        grads.append(g)
    return grads


def _ones_like(array):
    if type(array) is np.ndarray:
        return np.ones(array.shape, array.dtype)
    from .._device import array_module

    return array_module(array).ones_like(array)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate into ``.grad`` of the leaves the gradient of ``tensors``."""
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outputs, grad_tensors)
    run_backward(outputs, roots, retain_graph, create_graph, inputs=_as_tuple(inputs))


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outputs, _as_tuple(grad_outputs))
    result = run_backward(outputs, roots, retain_graph, create_graph, inputs=inputs_t,
                          allow_unused=bool(allow_unused) or materialize_grads, accumulate=False)
    if materialize_grads:
        from ..ops.creation import zeros_like

        result = tuple(zeros_like(t) if g is None else g for g, t in zip(result, inputs_t))
    return result


class _VariableMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        from .._tensor import Tensor

        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 wrapper.  Today a Variable *is* a tensor: ``Variable(t)`` returns ``t``."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        from .._tensor import Tensor

        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad:
            data.requires_grad_(True)
        return data


__all__ = [
    "Function", "GradcheckError", "Variable", "backward", "enable_grad", "grad", "gradcheck",
    "gradgradcheck", "graph", "inference_mode", "is_grad_enabled", "no_grad",
    "once_differentiable", "set_grad_enabled",
]
