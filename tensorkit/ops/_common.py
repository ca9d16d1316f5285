"""Small helpers shared by the ops: dtype promotion, dims, error messages."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.grad_mode import STATE

wrap_dim = _wrap_dim


def wrap_dims(dims, ndim: int) -> tuple[int, ...]:
    """Normalise an int or a sequence of dims (negative allowed) to sorted indices."""
    if isinstance(dims, int):
        dims = (dims,)
    result = tuple(sorted({_wrap_dim(d, ndim) for d in dims}))
    if len(result) != len(tuple(dims)):
        raise RuntimeError(f"dim {list(dims)} appears multiple times in the list of dims")
    return result


def as_python_scalar(x):
    """NumPy scalars behave like Python numbers in ops, as they do in torch."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def cast(t: Tensor, dtype: D.dtype) -> Tensor:
    """``t`` as ``dtype``; differentiable when it needs to be."""
    if t._data.dtype == dtype.np_dtype:
        return t
    if t._requires_grad and STATE.enabled:
        from .conversion import to_copy

        return to_copy(t, dtype, None, False)
    return _make(t._data.astype(dtype.np_dtype))


def promote(a, b):
    """Bring two operands (tensors or numbers) to their common dtype, torch's rules.

    Returns ``(a, b, dtype)``.  Python numbers are left as they are: NumPy treats them
    as "weak", so they take the tensor's dtype, as in torch.
    """
    if isinstance(a, np.ndarray):  # `ndarray * tensor`: the array acts as a tensor
        a = _make(a)
    if isinstance(b, np.ndarray):
        b = _make(b)
    a_is_t = isinstance(a, Tensor)
    b_is_t = isinstance(b, Tensor)
    if a_is_t and b_is_t:
        if a._data.dtype == b._data.dtype:
            return a, b, D._FROM_NUMPY[a._data.dtype]
    elif not a_is_t and not b_is_t:
        raise TypeError("expected at least one tensor operand")
    else:
        a = as_python_scalar(a)
        b = as_python_scalar(b)
    dtype = D.result_type(a, b)
    if a_is_t:
        a = cast(a, dtype)
    if b_is_t:
        b = cast(b, dtype)
    return a, b, dtype


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    """The shape several shapes broadcast to, with torch's error if they can't."""
    ndim = max(len(s) for s in shapes)
    result = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if n != 1:
                if result[j] != 1 and result[j] != n:
                    a_size = result[j]
                    raise RuntimeError(
                        f"The size of tensor a ({a_size}) must match the size of tensor b ({n}) "
                        f"at non-singleton dimension {j}")
                result[j] = n
    return tuple(result)


def shape_error(a, b) -> RuntimeError:
    """Torch's broadcasting error for two operands, naming both shapes."""
    sa = tuple(a.shape) if hasattr(a, "shape") else ()
    sb = tuple(b.shape) if hasattr(b, "shape") else ()
    ndim = max(len(sa), len(sb))
    pa = (1,) * (ndim - len(sa)) + sa
    pb = (1,) * (ndim - len(sb)) + sb
    for i in reversed(range(ndim)):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                f"non-singleton dimension {i}. (Shapes {list(sa)} and {list(sb)} can't be "
                "broadcast together: each dimension must be equal, or 1 in one of them.)")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} can't be broadcast together")


def needs_float(name: str, dtype: D.dtype) -> None:
    if dtype.category < D._FLOAT:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {dtype.legacy_name}")
