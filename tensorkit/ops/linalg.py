"""Matrix products: ``@`` (``matmul``), ``mm``, ``bmm``, ``mv``, ``dot``, ``einsum``,
``tensordot``, the fused ``addmm`` family, ``outer``, ``kron``, ``trace`` and ``cross``.

For ``C = A @ B`` the chain rule gives ``dA = dC @ B.T`` and ``dB = A.T @ dC``: two
more matrix products, which is why training costs about three times a forward pass.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ._common import as_python_scalar, broadcast_shapes, cast, wrap_dim
from .shape import SqueezeBackward4, diagonal_scatter, unsafe_view

# ----------------------------------------------------------------- checks and messages

def _same_dtype(a: Tensor, b: Tensor, name: str = "m1 and m2") -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {name} to have the same dtype, but got: "
                           f"{_c_name(a)} != {_c_name(b)}")


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "float16": "c10::Half", "bool": "bool"}.get(t.dtype.name, t.dtype.name)


def _no_bool(kernel: str, *tensors: Tensor) -> None:
    """torch has no matrix products of booleans."""
    if any(t._data.dtype == np.bool_ for t in tensors):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _dims(t: Tensor) -> str:
    return "x".join(str(s) for s in t._data.shape)


def _expandable(bias: Tensor, shape: tuple) -> None:
    """``bias`` must broadcast to ``shape`` (the result of the product), with expand's message."""
    b = tuple(bias._data.shape)
    padded = (1,) * (len(shape) - len(b)) + b
    for i, (have, want) in enumerate(zip(padded, shape)):
        if len(b) > len(shape) or (have != 1 and have != want):
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size "
                f"({have}) at non-singleton dimension {i}.  Target sizes: {list(shape)}.  Tensor "
                f"sizes: {list(b)}")


def _scale(grad: Tensor, factor) -> Tensor:
    return grad if factor == 1 else grad * factor


def _grad_product(x: Tensor, left: Tensor, right: Tensor, *, left_t: bool = False,
                  right_t: bool = False) -> Tensor:
    """``left @ right`` (``left_t``/``right_t``: transpose that factor first): the gradient
    of ``x``, computed in ``x``'s memory layout.

    A linear layer multiplies by ``weight.t()``, a transposed view.  Computing its
    gradient as ``(right.T @ left.T).T`` (the same numbers) makes that gradient transposed
    too, so once it flows back through ``t()`` the weight's ``.grad`` is contiguous like
    the weight, as in torch, and the optimizer reads both in order.

    Unless the backward itself is being differentiated (``create_graph=True``), the
    product is taken on the arrays: no graph to record, and no per-op overhead.
    """
    flags = x._data.flags
    transposed = x._data.ndim == 2 and flags.f_contiguous and not flags.c_contiguous
    if not STATE.enabled:
        a = left._data.T if left_t else left._data
        b = right._data.T if right_t else right._data
        return _make((b.T @ a.T).T if transposed else a @ b)
    a = left.t() if left_t else left
    b = right.t() if right_t else right
    return b.t().mm(a.t()).t() if transposed else a.mm(b)


# ------------------------------------------------------------------ two matrices

class MmBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a @ b

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (_grad_product(a, grad, b, right_t=True) if need_a else None,
                _grad_product(b, a, grad, left_t=True) if need_b else None)


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
    _no_bool("addmm_impl_cpu_", input)
    return MmBackward0.apply(input, mat2)


class AddmmBackward0(Function):
    """out = beta * bias + alpha * (a @ b): a linear layer in one op."""

    def forward(self, bias, a, b, beta=1, alpha=1):
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = a @ b
        if alpha != 1:
            out *= alpha
        if beta == 0:  # torch ignores the bias then, even if it holds NaN
            return out
        out += bias if beta == 1 else beta * bias
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        need_bias, need_a, need_b = self.needs_input_grad
        g = _scale(grad, self.alpha)
        return (_scale(grad, self.beta) if need_bias else None,
                _grad_product(a, g, b, right_t=True) if need_a else None,
                _grad_product(b, a, g, left_t=True) if need_b else None)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts (e.g. a bias row)."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(mat1)} and "
                           f"{_dims(mat2)})")
    _same_dtype(mat1, mat2)
    _no_bool("addmm_impl_cpu_", mat1)
    _expandable(input, (mat1._data.shape[0], mat2._data.shape[1]))
    return AddmmBackward0.apply(input, mat1, mat2, beta=as_python_scalar(beta),
                                alpha=as_python_scalar(alpha))


# ------------------------------------------------------------------ batches of matrices

class BmmBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).matmul(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad.bmm(b.mT) if need_a else None), (a.mT.bmm(grad) if need_b else None)


def _check_batches(batch1: Tensor, batch2: Tensor) -> None:
    if batch1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (b1, _, m), (b2, m2, _) = batch1._data.shape, batch2._data.shape
    if b1 != b2 or m != m2:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1}, {m}] but got: [{b2}, {m2}].")
    _same_dtype(batch1, batch2, "batch1 and batch2")
    _no_bool("bmm", batch1)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """A batch of matrix products: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    _check_batches(input, mat2)
    return BmmBackward0.apply(input, mat2)


class BaddbmmBackward0(Function):
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch."""

    def forward(self, bias, a, b, beta=1, alpha=1):
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = array_module(a).matmul(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += bias if beta == 1 else beta * bias
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        need_bias, need_a, need_b = self.needs_input_grad
        g = _scale(grad, self.alpha)
        return (_scale(grad, self.beta) if need_bias else None,
                g.bmm(b.mT) if need_a else None, a.mT.bmm(g) if need_b else None)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to the result."""
    _check_batches(batch1, batch2)
    (b, n, _), p = batch1._data.shape, batch2._data.shape[2]
    _expandable(input, (b, n, p))
    return BaddbmmBackward0.apply(input, batch1, batch2, beta=as_python_scalar(beta),
                                  alpha=as_python_scalar(alpha))


class AddbmmBackward0(Function):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``: products summed over the batch."""

    def forward(self, bias, a, b, beta=1, alpha=1):
        self.save_for_backward(a, b)
        self.beta, self.alpha = beta, alpha
        out = array_module(a).matmul(a, b).sum(axis=0)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out = out + (bias if beta == 1 else beta * bias)
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        need_bias, need_a, need_b = self.needs_input_grad
        g = _scale(grad, self.alpha).expand(a.shape[0], *grad.shape)  # the same for each batch
        return (_scale(grad, self.beta) if need_bias else None,
                g.bmm(b.mT) if need_a else None, a.mT.bmm(g) if need_b else None)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2).sum(0)``."""
    if batch1._data.ndim != 3 or batch2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if batch1._data.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if batch1._data.shape[0] != batch2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1._data.shape[0]} and {batch2._data.shape[0]}")
    _check_batches(batch1, batch2)
    _expandable(input, (batch1._data.shape[1], batch2._data.shape[2]))
    return AddbmmBackward0.apply(input, batch1, batch2, beta=as_python_scalar(beta),
                                 alpha=as_python_scalar(alpha))


# ------------------------------------------------------------------ vectors

class DotBackward0(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        return array_module(a).dot(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


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
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype.legacy_name} and {other.dtype.legacy_name}")
    _no_bool("dot", input)
    return DotBackward0.apply(input, other)


class MvBackward0(Function):
    def forward(self, m, v):
        self.save_for_backward(m, v)
        return m @ v

    def backward(self, grad):
        m, v = self.saved_tensors
        need_m, need_v = self.needs_input_grad
        return (grad.outer(v) if need_m else None), (m.t().mv(grad) if need_v else None)


def _check_mv(mat: Tensor, vec: Tensor, input: Tensor | None = None) -> None:
    """``mv``/``addmv`` operands: a matrix, a vector, and a bias that broadcasts to the rows."""
    in_dim = 1 if input is None else input._data.ndim
    if mat._data.ndim != 2 or vec._data.ndim != 1 or in_dim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {in_dim}, {mat._data.ndim}, "
                           f"{vec._data.ndim}")
    n = mat._data.shape[0] if input is None or in_dim == 0 else input._data.shape[0]
    if mat._data.shape[1] != vec._data.shape[0] or n not in (1, mat._data.shape[0]):
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({_dims(mat)}), vec "
                           f"({vec._data.shape[0]})")
    _same_dtype(mat, vec, "mat and vec")
    _no_bool("addmv_impl_cpu", mat)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector: (n, m) @ (m,) -> (n,)."""
    _check_mv(input, vec)
    return MvBackward0.apply(input, vec)


class AddmvBackward0(Function):
    """``beta * input + alpha * (mat @ vec)``."""

    def forward(self, bias, m, v, beta=1, alpha=1):
        self.save_for_backward(m, v)
        self.beta, self.alpha = beta, alpha
        out = m @ v
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out = out + (bias if beta == 1 else beta * bias)
        return out

    def backward(self, grad):
        m, v = self.saved_tensors
        need_bias, need_m, need_v = self.needs_input_grad
        g = _scale(grad, self.alpha)
        return (_scale(grad, self.beta) if need_bias else None,
                g.outer(v) if need_m else None, m.t().mv(g) if need_v else None)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``; ``input`` broadcasts to the result."""
    _check_mv(mat, vec, input)
    return AddmvBackward0.apply(input, mat, vec, beta=as_python_scalar(beta),
                                alpha=as_python_scalar(alpha))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product: (n,) and (m,) -> (n, m), ``out[i, j] = input[i] * vec2[j]``."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._data.ndim}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


class AddrBackward0(Function):
    """``beta * input + alpha * outer(vec1, vec2)``."""

    def forward(self, bias, v1, v2, beta=1, alpha=1):
        self.save_for_backward(v1, v2)
        self.beta, self.alpha = beta, alpha
        out = v1[:, None] * v2[None, :]
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out = out + (bias if beta == 1 else beta * bias)
        return out

    def backward(self, grad):
        v1, v2 = self.saved_tensors
        need_bias, need_1, need_2 = self.needs_input_grad
        g = _scale(grad, self.alpha)
        return (_scale(grad, self.beta) if need_bias else None,
                g.mv(v2) if need_1 else None, g.t().mv(v1) if need_2 else None)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    _same_dtype(vec1, vec2, "vec1 and vec2")
    _expandable(input, (vec1._data.shape[0], vec2._data.shape[0]))
    return AddrBackward0.apply(input, vec1, vec2, beta=as_python_scalar(beta),
                               alpha=as_python_scalar(alpha))


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Products summed over the last dim of both: ``dot`` for vectors, ``a @ b.T`` for
    matrices, and beyond every row of ``input`` with every row of ``other``."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input._data.shape)} and {list(other._data.shape)}")
    return tensordot(input, other, ([-1], [-1]))


# ------------------------------------------------------------------ matmul (the @ operator)

class MatmulBackward(Function):
    """Broadcast batched product; a 1-D operand acts as a row (left) or column (right).

    torch computes this case as expand + reshape + bmm + ``_unsafe_view``, so the
    output's ``grad_fn`` prints as ``UnsafeViewBackward0``.
    """

    def forward(self, a, b):
        self.save_for_backward(a, b)
        self.vectors = (a.ndim == 1, b.ndim == 1)
        xp = array_module(a)
        out = xp.matmul(a[None] if a.ndim == 1 else a, b[:, None] if b.ndim == 1 else b)
        if b.ndim == 1:
            out = out[..., 0]
        if a.ndim == 1:
            out = out[..., 0, :] if b.ndim > 1 else out[..., 0]
        return out

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        a_vec, b_vec = self.vectors
        a2 = a.unsqueeze(0) if a_vec else a
        b2 = b.unsqueeze(-1) if b_vec else b
        g = grad.unsqueeze(-1) if b_vec else grad
        g = g.unsqueeze(-2) if a_vec else g
        grad_a = grad_b = None
        if need_a:  # sum over the batch dims that ``a`` was broadcast along
            grad_a = g.matmul(b2.mT).sum_to_size(a2.shape).reshape(a.shape)
        if need_b:
            grad_b = a2.mT.matmul(g).sum_to_size(b2.shape).reshape(b.shape)
        return grad_a, grad_b


MatmulBackward.__name__ = "UnsafeViewBackward0"


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The ``@`` operator: dot, matrix-vector, matrix-matrix or broadcast batched products.

    The cases follow torch: 1-D @ 1-D is ``dot``, 2-D @ 1-D ``mv``, 1-D @ 2-D and 2-D @ 2-D
    ``mm``; beyond, the larger operand is folded into a matrix when that is cheap (a batch
    of inputs times a weight matrix is a single ``mm``), else batch dims broadcast.
    """
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
        return SqueezeBackward4.apply(mm(a.unsqueeze(0), b), dims=(0,))
    if da == 2 and db == 2:
        return mm(a, b)
    if da == 3 and db == 3:  # a batch of one that needs a gradient acts as a matrix
        if a._data.shape[0] == 1 and b._data.shape[0] != 1 and a._requires_grad:
            return _folded_matmul(a.squeeze(0), b)
        if b._data.shape[0] == 1 and a._data.shape[0] != 1 and b._requires_grad:
            return _folded_matmul(a, b.squeeze(0))
    if _should_fold(a, b):
        return _folded_matmul(a, b)
    return _batched_matmul(a, b)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """torch's rule: fold the N-D operand into a matrix (one ``mm``) when it costs no copy,
    or when the small operand needs a gradient (that keeps its gradient small)."""
    a_larger = a._data.ndim >= b._data.ndim
    big, small = (a, b) if a_larger else (b, a)
    if not (big._data.ndim >= 3 and small._data.ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if a._data.ndim == 2:  # would need a transposed copy afterwards
        return False
    data = big._data
    if data.size == 0:
        return True
    shape = list(data.shape)
    strides = [s // data.itemsize for s in data.strides]
    if not a_larger:  # the big operand is used transposed
        shape[-2:], strides[-2:] = shape[:-3:-1], strides[:-3:-1]
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _folded_matmul(a: Tensor, b: Tensor) -> Tensor:
    transpose = b._data.ndim > a._data.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a._data.ndim == 2 else a) if transpose else b
    shape = list(t1._data.shape[:-1])
    rows = int(np.prod(shape, dtype=np.int64))
    folded = t1.reshape(rows, t1._data.shape[-1])
    if t2._data.ndim == 1:
        return unsafe_view(folded.mv(t2), shape)
    out = unsafe_view(folded.mm(t2), shape + [t2._data.shape[1]])
    return out.mT.contiguous() if transpose else out


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """Batch dims broadcast; checked with torch's messages before NumPy does the work."""
    da, db = a._data.ndim, b._data.ndim
    m1 = a._data.shape[-1]
    m2 = b._data.shape[-2] if db > 1 else b._data.shape[0]
    batch = broadcast_shapes(a._data.shape[:-2] if da > 1 else (),
                             b._data.shape[:-2] if db > 1 else ())
    if m1 != m2:
        count = int(np.prod(batch, dtype=np.int64))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{count}, {m1}] but got: [{count}, {m2}].")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype.legacy_name} but found "
                           f"{b.dtype.legacy_name}")
    _no_bool("bmm", a)
    return MatmulBackward.apply(a, b)


# ------------------------------------------------------------------ einsum and tensordot

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class EinsumBackward(Function):
    """``einsum`` in one node (torch splits it into permutes, sums and bmm's, so its
    ``grad_fn`` varies).  The gradient of an operand is again an einsum: the output's
    gradient contracted with the other operands, producing that operand's subscripts."""

    def forward(self, *arrays, inputs=(), output=""):
        self.save_for_backward(*arrays)
        self.inputs, self.output = inputs, output
        xp = array_module(arrays[0])
        summed = set("".join(inputs)) - set(output)
        if summed and arrays[0].dtype.kind in "biu":  # torch's integer sums and products
            if len(arrays) > 1 and arrays[0].dtype == np.bool_:
                raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
            if len(arrays) == 1:  # a plain sum: integers give int64, as ``sum`` does
                arrays = [arrays[0].astype(np.int64)]
        kwargs = {"optimize": len(arrays) > 1} if xp is np else {}
        return xp.einsum(",".join(inputs) + "->" + output, *arrays, **kwargs)

    def backward(self, grad):
        operands = self.saved_tensors
        return tuple(_einsum_grad(grad, operands, k, self.inputs, self.output) if need else None
                     for k, need in enumerate(self.needs_input_grad))


def _einsum_grad(grad: Tensor, operands, k: int, inputs, output: str) -> Tensor:
    x, subs = operands[k], inputs[k]
    others = [(inputs[j], operands[j]) for j in range(len(operands)) if j != k]
    seen = set(output).union(*[s for s, _ in others])
    unique = list(dict.fromkeys(subs))  # this operand's letters, repeats removed
    kept = "".join(c for c in unique if c in seen)
    g = einsum(",".join([output] + [s for s, _ in others]) + "->" + kept, grad,
               *[t for _, t in others])
    # letters only this operand had were summed away: broadcast the gradient along them
    size = {c: x._data.shape[subs.index(c)] for c in unique}
    for i, c in enumerate(unique):
        if c not in seen:
            g = g.unsqueeze(i)
    g = g.expand([-1 if c in seen else size[c] for c in unique])
    # a letter repeated in the operand (``'ii->i'``) reads a diagonal: write it back there
    for p, c in enumerate(subs):
        q = subs.index(c)
        if q < p:
            from .creation import eye

            mask_shape = [1] * (g._data.ndim + 1)
            mask_shape[q] = mask_shape[p] = size[c]
            mask = eye(size[c], dtype=g.dtype, device=g.device).reshape(mask_shape)
            g = g.unsqueeze(p) * mask
    if tuple(g._data.shape) != tuple(x._data.shape):  # dims of length 1 that broadcast:
        summed = [1 if n == 1 else m for m, n in zip(g._data.shape, x._data.shape)]
        g = g.sum_to_size(summed).expand(x._data.shape)  # sum where x had 1, copy where g has
    return g


def einsum(equation, *operands) -> Tensor:
    """Sums of products named by subscripts: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    Each operand gets one letter per dim; letters shared between operands are multiplied
    together, letters missing from the output (after ``->``) are summed over.  ``...``
    stands for broadcast dims.  Without ``->`` the output is every letter used once, sorted.
    """
    if not isinstance(equation, str):  # einsum(a, [0, 1], b, [1, 2], [0, 2])
        equation, operands = _from_sublists((equation,) + operands)
    elif len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    inputs, output = _parse_einsum(equation, operands)
    for t in operands[1:]:
        if t._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(f"expected scalar type {operands[0].dtype.legacy_name} but found "
                               f"{t.dtype.legacy_name}")
    return EinsumBackward.apply(*operands, inputs=tuple(inputs), output=output)


def _from_sublists(args) -> tuple[str, tuple]:
    """The sublist form: operands each followed by a list of dim numbers (0-51)."""
    operands, subscripts = args[0::2], args[1::2]
    output = None
    if len(args) % 2:  # a last list: the output's subscripts
        operands, output = operands[:-1], args[-1]

    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)

    equation = ",".join(letters(s) for s in subscripts)
    if output is not None:
        equation += "->" + letters(output)
    return equation, tuple(operands)


def _parse_einsum(equation: str, operands) -> tuple[list[str], str]:
    """Operand and output subscripts with ``...`` replaced by letters, checked as torch does."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    for i, ch in enumerate(equation):
        if not (ch in _LETTERS or ch in ".,->"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    free = [c for c in _LETTERS if c not in equation]
    ell = 0  # how many dims ``...`` stands for: the most any operand gives it
    for i, (term, t) in enumerate(zip(terms, operands)):
        if term.count("...") > 1 or term.replace("...", "").count("."):
            raise RuntimeError(f"einsum(): found '.' for operand {i} for which an ellipsis was "
                               "already found")
        named = len(term.replace("...", ""))
        ndim = t._data.ndim
        if "..." in term:
            if named > ndim:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named})"
                                   f" is more than the number of dimensions ({ndim}) for "
                                   f"operand {i}")
            ell = max(ell, ndim - named)
        elif named != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) "
                               f"does not match the number of dimensions ({ndim}) for operand "
                               f"{i} and no ellipsis was given")
    ell_letters = "".join(free[:ell])
    inputs = []
    for term, t in zip(terms, operands):
        count = t._data.ndim - len(term.replace("...", ""))
        inputs.append(term.replace("...", ell_letters[ell - count:] if count else ""))
    if arrow:
        output = rhs.replace("...", ell_letters)
        for c in output:
            if c not in "".join(inputs):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if output.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
    else:
        named = "".join(terms).replace("...", "")
        output = ell_letters + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    _check_einsum_sizes(inputs, operands)
    return inputs, output


def _check_einsum_sizes(inputs, operands) -> None:
    sizes: dict = {}
    for i, (subs, t) in enumerate(zip(inputs, operands)):
        own: dict = {}
        for c, n in zip(subs, t._data.shape):
            if c in own and own[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {own[c]}")
            own[c] = n
        for c, n in own.items():
            seen = sizes.get(c)
            if seen is not None and n != 1 and seen != 1 and n != seen:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {seen}")
            if seen is None or seen == 1:
                sizes[c] = n


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract dims of ``a`` with dims of ``b``: ``dims=k`` pairs ``a``'s last k with ``b``'s
    first k; ``dims=([1], [0])`` names them.  The rest of ``a``'s dims, then ``b``'s, remain."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a = list(range(a._data.ndim - dims, a._data.ndim))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int | np.integer) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    dims_a = [wrap_dim(d, a._data.ndim) for d in dims_a]
    dims_b = [wrap_dim(d, b._data.ndim) for d in dims_b]
    for da, db in zip(dims_a, dims_b):  # a contracted dim of length 1 is summed on its own
        sa, sb = a._data.shape[da], b._data.shape[db]
        if sa != sb:
            if sb == 1:
                a = a.sum(da, keepdim=True)
            elif sa == 1:
                b = b.sum(db, keepdim=True)
            else:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {sa}"
                                   f" in dim {da} and second has size {sb} in dim {db}")
    free_a = [d for d in range(a._data.ndim) if d not in dims_a]
    free_b = [d for d in range(b._data.ndim) if d not in dims_b]
    shape_a = [a._data.shape[d] for d in free_a]
    shape_b = [b._data.shape[d] for d in free_b]
    inner_size = int(np.prod([a._data.shape[d] for d in dims_a], dtype=np.int64))
    left = a.permute(free_a + dims_a).reshape(int(np.prod(shape_a, dtype=np.int64)), inner_size)
    right = b.permute(dims_b + free_b).reshape(inner_size, int(np.prod(shape_b, dtype=np.int64)))
    result = left.mm(right).reshape(shape_a + shape_b)
    if out is not None:
        from .inplace import copy_into

        return copy_into(out, result)
    return result


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product: every element of ``input`` times the whole of ``other``, tiled."""
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + tuple(input._data.shape)
    sb = (1,) * (n - other._data.ndim) + tuple(other._data.shape)
    a = input.reshape([s for d in sa for s in (d, 1)])  # (a0, 1, a1, 1, ...)
    b = other.reshape([s for d in sb for s in (1, d)])  # (1, b0, 1, b1, ...)
    return unsafe_view(a * b, [x * y for x, y in zip(sa, sb)])


# ------------------------------------------------------------------ trace and cross

class TraceBackward0(Function):
    """Sum of the main diagonal."""

    def forward(self, x):
        self.input_shape = x.shape
        out = x.trace()
        return out.astype(np.int64) if x.dtype.kind in "iu" else out

    def backward(self, grad):
        from .creation import zeros

        zero = zeros(self.input_shape, dtype=grad.dtype, device=grad.device)
        return diagonal_scatter(zero, grad.expand(min(self.input_shape)))


def trace(input: Tensor) -> Tensor:
    """Sum of the diagonal ``x[i, i]`` of a matrix (integers give int64, like ``sum``)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    _no_bool("trace", input)
    return TraceBackward0.apply(input)


class LinalgCrossBackward0(Function):
    """Cross product of 3-vectors along ``dim``: ``d(a x b)`` gives ``b x g`` and ``g x a``."""

    def forward(self, a, b, dim=-1):
        self.save_for_backward(a, b)
        self.dim = dim
        return array_module(a).cross(a, b, axis=dim)

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (cross(b, grad, dim=self.dim) if need_a else None,
                cross(grad, a, dim=self.dim) if need_b else None)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """Cross product of 3-element vectors along ``dim`` (other dims broadcast)."""
    n = input._data.ndim
    if n != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        shape = broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    dim = wrap_dim(dim, n)
    sa, sb = input._data.shape[dim], other._data.shape[dim]
    if sa != 3 or sb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {sa} "
                           f"and {sb}")
    dtype = D.result_type(input, other)
    return LinalgCrossBackward0.apply(cast(input, dtype), cast(other, dtype), dim=dim)


__all__ = ["addbmm", "addmm", "addmv", "addr", "baddbmm", "bmm", "cross", "dot", "einsum", "ger",
    "inner", "kron", "matmul", "mm", "mv", "outer", "tensordot", "trace"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["addbmm", "addmm", "addmv", "addr", "baddbmm", "bmm", "cross", "dot", "ger",
    "inner", "kron", "matmul", "mm", "mv", "outer", "trace"]
INPLACE_VARIANTS = ["addbmm", "addmm", "addmv", "addr", "baddbmm"]
