"""Gradient clipping: keep one bad batch from throwing the weights far away.

``clip_grad_norm_`` treats all gradients as one long vector and, if its norm exceeds
``max_norm``, scales every gradient down by the same factor (the direction is kept).
``clip_grad_value_`` clamps each gradient element to [-clip_value, clip_value].
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

from ..._device import CPU, array_module, move
from ..._tensor import Tensor, _make
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm"]


def _as_list(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(values, p: float):
    """The p-norm of an array, accumulated in float64 (then the caller rounds it)."""
    xp = array_module(values)
    a = xp.abs(values.astype(np.float64 if values.dtype != np.float64 else values.dtype))
    if a.size == 0:
        return xp.asarray(0.0)
    if p == math.inf:
        return a.max()
    if p == -math.inf:
        return a.min()
    if p == 0:
        return xp.asarray(float((a != 0).sum()))
    if p == 1:
        return a.sum()
    if p == 2:
        return xp.sqrt((a * a).sum())
    return (a**p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """The norm of all ``tensors`` together, as if concatenated into one vector."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        from ...ops.creation import tensor

        return tensor(0.0)
    # one norm per tensor (in its dtype), then the norm of those norms
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    norms = np.array([float(_vector_norm(t._data, norm_type).astype(t._data.dtype))
                      for t in tensors], dtype=dtype)
    total = _vector_norm(norms, norm_type).astype(dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return _make(move(np.asarray(total), tensors[0].device))


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor,
                          foreach=None) -> None:
    """Scale every ``.grad`` by min(max_norm / (total_norm + 1e-6), 1)."""
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    if not grads:
        return
    t = np.asarray(move(total_norm._data, CPU))  # a 0-d array in the norm's dtype
    one = t.dtype.type(1)
    # as torch computes it, in the norm's dtype: (1 / (norm + 1e-6)) * max_norm, clamped at 1
    coef = (one / (t + t.dtype.type(1e-6))) * t.dtype.type(float(max_norm))
    coef = float(np.minimum(coef, one))  # (a NaN norm stays NaN, as in torch)
    with no_grad():
        for g in grads:
            g._data *= g._data.dtype.type(coef)
            g._bump()


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Scale the gradients so that their total norm is at most ``max_norm``.

    Returns the total norm before clipping (log it: spikes show instability).
    ``norm_type`` may be ``float('inf')`` for the largest absolute value.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p._grad for p in parameters if p._grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total_norm)
    return total_norm


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """Deprecated spelling of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p._grad
        if g is not None:
            xp = array_module(g._data)
            xp.clip(g._data, -clip_value, clip_value, out=g._data)
            g._bump()


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable)."""
    from ...ops.shape import cat

    vec = []
    device = None
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """The reverse: slice ``vec`` and make each parameter's data the matching slice."""
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename

        raise TypeError(f"expected tensorkit.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n


def _check_param_device(param: Tensor, old_device):
    if old_device is not None and param.device != old_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return param.device

