"""Matrix products: ``@``, ``mm``, ``bmm``, ``matmul``, ``dot``, ``mv``, ``outer``, ``addmm``.

For ``C = A @ B`` the chain rule gives ``dA = dC @ B.T`` and ``dB = A.T @ dC``: two
more matrix products, which is why training costs about three times a forward pass.
"""

from __future__ import annotations

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_python_scalar


def _same_dtype(a: Tensor, b: Tensor, name: str = "m1 and m2") -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {name} to have the same dtype, but got: "
                           f"{_c_name(a)} != {_c_name(b)}")


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "float16": "c10::Half", "bool": "bool"}.get(t.dtype.name, t.dtype.name)


def _dims(t: Tensor) -> str:
    return "x".join(str(s) for s in t._data.shape)


class MmBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad.mm(b.t()) if need_a else None), (a.t().mm(grad) if need_b else None)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two matrices: (n, m) @ (m, p) -> (n, p)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix (got a {input._data.ndim}-D tensor)")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix (got a {mat2._data.ndim}-D tensor)")
    if input._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(input)} and "
                           f"{_dims(mat2)})")
    _same_dtype(input, mat2)
    return MmBackward0.apply(input, mat2)


class AddmmBackward0(Function):
    """out = beta * bias + alpha * (a @ b): a linear layer in one op."""

    def forward(self, bias, a, b, beta=1, alpha=1):
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = a @ b
        if alpha != 1:
            out *= alpha
        if beta == 0:
            return out
        out += bias if beta == 1 else beta * bias
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        need_bias, need_a, need_b = self.needs_input_grad
        g = grad if self.alpha == 1 else grad * self.alpha
        grad_bias = None
        if need_bias:
            grad_bias = grad if self.beta == 1 else grad * self.beta
        return (grad_bias, g.mm(b.t()) if need_a else None, a.t().mm(g) if need_b else None)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts (e.g. a bias row)."""
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("addmm: mat1 and mat2 must be matrices")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(mat1)} and "
                           f"{_dims(mat2)})")
    _same_dtype(mat1, mat2)
    return AddmmBackward0.apply(input, mat1, mat2, beta=as_python_scalar(beta),
                                alpha=as_python_scalar(alpha))


class BmmBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad.bmm(b.mT) if need_a else None), (a.mT.bmm(grad) if need_b else None)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """A batch of matrix products: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (b1, _, m), (b2, m2, _) = input._data.shape, mat2._data.shape
    if b1 != b2 or m != m2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1}, {m}] but got: [{b2}, {m2}].")
    _same_dtype(input, mat2, "batch1 and batch2")
    return BmmBackward0.apply(input, mat2)


class DotBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).dot(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad * b, grad * a


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors (torch, unlike NumPy, accepts only 1-D)."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if input._data.shape != other._data.shape:
        n, m = input._data.shape[0], other._data.shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    _same_dtype(input, other, "self and other")
    return DotBackward0.apply(input, other)


inner = dot


class MvBackward0(Function):
    def forward(self, m, v):
        self.save_for_backward(m, v)
        return m @ v

    def backward(self, grad):
        m, v = self.saved_tensors
        need_m, need_v = self.needs_input_grad
        return (grad.outer(v) if need_m else None), (m.t().mv(grad) if need_v else None)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector: (n, m) @ (m,) -> (n,)."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat "
                           f"({_dims(input)}), vec ({vec._data.shape[0]})")
    _same_dtype(input, vec, "self and vec")
    return MvBackward0.apply(input, vec)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product: (n,) and (m,) -> (n, m)."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


class MatmulBackward(Function):
    """Broadcast batched matrix product (both inputs at least 2-D)."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        # the engine sums these over any broadcast batch dims
        return (grad.matmul(b.mT) if need_a else None), (a.mT.matmul(grad) if need_b else None)


MatmulBackward.__name__ = "UnsafeViewBackward0"


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The ``@`` operator: dot, matrix-vector, matrix-matrix or broadcast batched products."""
    a, b = input, other
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        return mm(a.unsqueeze(0), b).squeeze(0) if a._data.shape[0] == b._data.shape[0] else \
            _matmul_error(a, b)
    if da == 2 and db == 2:
        return mm(a, b)
    _same_dtype(a, b)
    # batched: a 1-D operand becomes a matrix, and loses that dim again afterwards
    squeeze = []
    if da == 1:
        a = a.unsqueeze(0)
        squeeze.append(-2)
    if db == 1:
        b = b.unsqueeze(-1)
        squeeze.append(-1)
    if a._data.shape[-1] != b._data.shape[-2]:
        _matmul_error(input, other)
    try:
        out = MatmulBackward.apply(a, b)
    except ValueError:
        _matmul_error(input, other)
    for d in squeeze:
        out = out.squeeze(d)
    return out


def _matmul_error(a: Tensor, b: Tensor):
    sa, sb = list(a._data.shape), list(b._data.shape)
    raise RuntimeError(f"matmul: shapes {sa} and {sb} cannot be multiplied: the last dim of "
                       f"the first ({sa[-1]}) must equal the "
                       f"{'only' if len(sb) == 1 else 'second-to-last'} dim of the second "
                       f"({sb[0] if len(sb) == 1 else sb[-2]}), and batch dims must broadcast")


def _unused():
    return D


__all__ = ["addmm", "bmm", "dot", "ger", "inner", "matmul", "mm", "mv", "outer"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["addmm", "bmm", "dot", "ger", "inner", "matmul", "mm", "mv", "outer"]
INPLACE_VARIANTS = ["addmm"]
