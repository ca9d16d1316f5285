"""Reductions: ops that combine many elements into fewer (sum, mean, max, softmax, ...).

Backward of a reduction spreads the gradient back over the elements that were
combined: every element contributed 1x to a sum, 1/n to a mean.  Three patterns recur:

* *smooth* reductions (sum, prod, var, norm, logsumexp, softmax) have a formula;
* *selecting* ops with indices (``max(dim)``, sort, topk, kthvalue, median, mode) put
  each output's gradient back at the position its value was taken from;
* *tie-sharing* reductions without indices (``max()``, amax, amin, ``median()``) share
  the gradient evenly among all the elements equal to the result, as torch does.

Forward works on raw arrays with the array module ``xp`` (NumPy or CuPy); backward
is written with tensor ops so it can itself be differentiated.
"""

from __future__ import annotations

import builtins
import math
import operator
import warnings

import numpy as np

from .. import _dtype as D
from .. import return_types
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ._common import cast, needs_float, wrap_dim, wrap_dims
from .comparison import maximum, minimum, where
from .shape import flip

# ------------------------------------------------------------------ dims and shapes


def _axes(dim, ndim: int):
    """``dim`` (None, an int or a sequence) as NumPy's ``axis``; None means every dim."""
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        return None
    axes = wrap_dims(dim, ndim)
    return None if ndim == 0 else axes  # a 0-d tensor accepts dim 0 or -1: reduce "all"


def _int_dim(name: str, dim, ndim: int) -> int:
    """A single dim, as ops like ``max(dim)``, ``sort`` and ``cumsum`` take it."""
    try:
        dim = operator.index(dim)
    except TypeError:
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__} "
                        "(this op reduces or sorts along one dim at a time)") from None
    return wrap_dim(dim, ndim)


def _reduced_count(shape, axes) -> int:
    """How many elements are combined into each result."""
    n = 1
    for a in range(len(shape)) if axes is None else axes:
        n *= shape[a]
    return n


def _restore_dims(grad: Tensor, shape, axes, keepdim: bool) -> Tensor:
    """Put back the reduced dims (length 1) so ``grad`` broadcasts against the input."""
    if keepdim or axes is None:
        return grad if keepdim or not shape else grad.reshape((1,) * len(shape))
    out_shape = list(shape)
    for a in axes:
        out_shape[a] = 1
    return grad.reshape(out_shape)


def _reduced_shape(shape, axes, keepdim: bool) -> tuple[int, ...]:
    """The shape of a reduction's result."""
    if keepdim:
        return tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape))
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


def _keep_dims(array, ndim: int, axes, keepdim: bool):
    """``_restore_dims`` for a raw array (a result computed without keepdims)."""
    if keepdim:
        return array
    if axes is None:
        return array.reshape((1,) * ndim)
    return array_module(array).expand_dims(array, axes)


def _at_least_1d(a):
    """Ops along a dim treat a 0-d tensor as one element along dim 0."""
    return a.reshape(1) if a.ndim == 0 else a


def _with_dtype(x: Tensor, dtype) -> tuple[Tensor, object]:
    """The input converted to ``dtype=`` if given, and the dtype to accumulate in.

    Without ``dtype=``, torch sums and multiplies integers and bools as int64.
    """
    if dtype is not None:
        dtype = D.to_dtype(dtype)
        return cast(x, dtype), dtype.np_dtype
    return x, D.int64.np_dtype if x._data.dtype.kind in "biu" else None


def _check_nonempty(name: str, shape, axis: int) -> None:
    if shape and shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def _check_numel(name: str, x: Tensor) -> None:
    if x._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument.")


def _no_bool(name: str, x: Tensor) -> None:
    if x._data.dtype.kind == "b":
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\': convert the '
                                  "tensor first, e.g. x.long() or x.float()")


# ------------------------------------------------------------------ picking along a dim

def _along(indices, axis: int, xp) -> tuple:
    """An index tuple that reads ``a[..., indices[...], ...]`` along ``axis``.

    Every other axis is indexed by its own position, so the result has the shape of
    ``indices`` (what NumPy's ``take_along_axis`` does; this also assigns).
    """
    index = []
    for a, n in enumerate(indices.shape):
        if a == axis:
            index.append(indices)
        else:
            shape = [1] * indices.ndim
            shape[a] = n
            index.append(xp.arange(n).reshape(shape))
    return tuple(index)


class GatherBackward0(Function):
    """``x`` read at ``indices`` along ``dim`` (indices distinct within each slice)."""

    def forward(self, x, dim=0, indices=None):
        self.input_shape, self.dim, self.indices = x.shape, dim, indices
        return x[_along(indices, dim, array_module(x))]

    def backward(self, grad):
        return ScatterBackward0.apply(grad, shape=self.input_shape, dim=self.dim,
                                      indices=self.indices)


class ScatterBackward0(Function):
    """Zeros of ``shape`` with ``src`` written at ``indices`` along ``dim``."""

    def forward(self, src, shape=(), dim=0, indices=None):
        self.dim, self.indices = dim, indices
        xp = array_module(src)
        out = xp.zeros(shape, src.dtype)
        out[_along(indices, dim, xp)] = src
        return out

    def backward(self, grad):
        return GatherBackward0.apply(grad, dim=self.dim, indices=self.indices)


class _SelectAlongDim(Function):
    """Outputs ``(values, indices)``: elements of ``x`` picked along ``dim``.

    Subclasses define ``pick(xp, a, axis, **options)``, which returns the int64 indices
    of the picked elements (length 1 along ``axis`` for a reduction such as
    ``max(dim)``, k for topk, all of them for sort).  Backward writes each value's
    gradient where the value came from; every other element gets zero.
    """

    reduces = True  # one result per slice: the dim is dropped unless keepdim

    def pick(self, xp, a, axis, **options):
        raise NotImplementedError

    def forward(self, x, dim=0, keepdim=False, **options):
        xp = array_module(x)
        a = _at_least_1d(x)
        indices = self.pick(xp, a, dim, **options).astype(np.int64, copy=False)
        values = a[_along(indices, dim, xp)]
        self.input_shape, self.shape, self.dim, self.indices = x.shape, a.shape, dim, indices
        if x.ndim == 0:
            values, indices = values.reshape(()), indices.reshape(())
        elif self.reduces and not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        self.mark_non_differentiable(indices)
        return values, indices

    def backward(self, grad, _grad_indices=None):
        grad = grad.reshape(self.indices.shape)  # the reduced dim (or the 0-d) put back
        full = ScatterBackward0.apply(grad, shape=self.shape, dim=self.dim, indices=self.indices)
        return full.reshape(self.input_shape)


def _argsort(xp, a, axis: int, descending: bool = False):
    """Stable sort order along ``axis``; NaN counts as the largest value, as in torch.

    For a descending order that keeps equal elements in their original order, sort the
    reversed array ascending, then reverse the order and map the positions back.
    """
    if not descending:
        return _stable_argsort(xp, a, axis)
    n = a.shape[axis]
    order = _stable_argsort(xp, xp.flip(a, axis), axis)
    return (n - 1) - xp.flip(order, axis)


def _stable_argsort(xp, a, axis: int):
    """NumPy needs ``kind="stable"``; CuPy's sort is always stable (and takes no kind)."""
    if xp is np:
        return np.argsort(a, axis=axis, kind="stable")
    return xp.argsort(a, axis=axis)


def _first(order, axis: int, k: int):
    """The first ``k`` entries of ``order`` along ``axis``."""
    index = [slice(None)] * order.ndim
    index[axis] = slice(0, k)
    return order[tuple(index)]


# ------------------------------------------------------------------ sharing among ties

def _tie_weights(x: Tensor, result: Tensor, axes, keepdim: bool) -> Tensor:
    """1/count at each element equal to its slice's result (NaN matches NaN), else 0.

    The weights are constants: which elements tie does not change under a small step.
    """
    xd = x._data
    xp = array_module(xd)
    kept = _keep_dims(result._data, xd.ndim, axes, keepdim)
    hit = xd == kept
    if xd.dtype.kind == "f":
        hit |= xp.isnan(xd) & xp.isnan(kept)
    count = hit.sum(axis=axes, keepdims=True)
    return _make(xp.asarray(hit / xp.maximum(count, 1), dtype=xd.dtype))


class _ShareAmongTies(Function):
    """A reduction whose result is one of the inputs, without indices (max, amax, median).

    Subclasses define ``reduce(xp, x, axes, keepdim)``.  The gradient is shared evenly
    by every element equal to the result.
    """

    def reduce(self, xp, x, axes, keepdim):
        raise NotImplementedError

    def forward(self, x, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        out = self.reduce(array_module(x), x, axes, keepdim)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        weights = _tie_weights(x, out, self.axes, self.keepdim)
        return _restore_dims(grad, self.input_shape, self.axes, self.keepdim) * weights


# ------------------------------------------------------------------ sum, mean, prod

class SumBackward0(Function):
    """Sum of all elements: each element gets the whole gradient."""

    def forward(self, x, dtype=None):
        self.input_shape = x.shape
        return x.sum(dtype=dtype)

    def backward(self, grad):
        return grad.expand(self.input_shape)


class SumBackward1(Function):
    """Sum over some dims."""

    def forward(self, x, axes=None, keepdim=False, dtype=None):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    def backward(self, grad):
        grad = _restore_dims(grad, self.input_shape, self.axes, self.keepdim)
        return grad.expand(self.input_shape)


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    Integer and bool tensors sum to int64; ``dtype=`` converts the input first.
    """
    input, acc = _with_dtype(input, dtype)
    if dim is None:
        if keepdim:
            return SumBackward1.apply(input, axes=None, keepdim=True, dtype=acc)
        return SumBackward0.apply(input, dtype=acc)
    return SumBackward1.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim,
                              dtype=acc)


class NansumBackward0(Function):
    """Sum that skips NaNs: they get no gradient."""

    def forward(self, x, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        self.save_for_backward(x)
        return array_module(x).nansum(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.saved_tensors
        counted = _make(~array_module(x._data).isnan(x._data)).to(grad.dtype)
        return _restore_dims(grad, self.input_shape, self.axes, self.keepdim) * counted


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``sum`` treating NaN as zero."""
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input._data.dtype.kind != "f":
        return sum(input, dim, keepdim)
    return NansumBackward0.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)


class MeanBackward0(Function):
    def forward(self, x):
        self.input_shape = x.shape
        return x.mean(dtype=x.dtype if x.dtype.kind == "f" else None).astype(x.dtype)

    def backward(self, grad):
        n = 1
        for s in self.input_shape:
            n *= s
        return grad.expand(self.input_shape) / n


class MeanBackward1(Function):
    def forward(self, x, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        return x.mean(axis=axes, keepdims=keepdim).astype(x.dtype, copy=False)

    def backward(self, grad):
        n = _reduced_count(self.input_shape, self.axes)
        grad = _restore_dims(grad, self.input_shape, self.axes, self.keepdim)
        return grad.expand(self.input_shape) / n


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Average of all elements, or over ``dim``.  Integer tensors need ``dtype=`` or .float()."""
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
    needs_float("mean", input.dtype)
    if dim is None and not keepdim:
        return MeanBackward0.apply(input)
    return MeanBackward1.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``mean`` of the elements that are not NaN."""
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
    needs_float("nanmean", input.dtype)
    counted = (~input.detach().isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim) / counted


class ProdBackward0(Function):
    """Product of all elements (``ProdBackward1``: over one dim).

    d prod / d x_i is the product of all the *other* elements.  ``prod / x_i`` gives
    it when nothing is zero; with one zero only that element has a non-zero gradient
    (the product of the rest), and with two or more zeros every gradient is zero.
    """

    def forward(self, x, axes=None, keepdim=False, dtype=None):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        out = x.prod(axis=axes, keepdims=keepdim, dtype=dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        restore = self._restore
        return restore(grad) * _product_of_others(x, restore(out), self.axes)

    def _restore(self, t: Tensor) -> Tensor:
        return _restore_dims(t, self.input_shape, self.axes, self.keepdim)


class ProdBackward1(ProdBackward0):
    """Product over one dim."""


def _product_of_others(x: Tensor, out: Tensor, axes) -> Tensor:
    """For each element, the product of the other elements of its slice (``out`` kept)."""
    zero = x._data == 0
    if not zero.any():
        return out / x
    count = zero.sum(axis=axes, keepdims=True)
    safe = where(_make(zero), 1, x)
    product_of_nonzero = ProdBackward0.apply(safe, axes=axes, keepdim=True)
    at_zero = where(_make(count == 1), product_of_nonzero, 0)
    return where(_make(zero), at_zero, out / safe)


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along one ``dim``; integers and bools give int64."""
    input, acc = _with_dtype(input, dtype)
    if dim is None:
        return ProdBackward0.apply(input, dtype=acc)
    ndim = input._data.ndim
    axis = _int_dim("prod", dim, ndim)
    return ProdBackward1.apply(input, axes=None if ndim == 0 else (axis,), keepdim=keepdim,
                               dtype=acc)


# ------------------------------------------------------------------ var, std

def _var_options(name: str, input: Tensor, dim, unbiased, correction):
    """Sort out ``var(x, dim, unbiased, keepdim, correction=)`` and its older forms."""
    if isinstance(dim, bool):  # var(x, True): the old (input, unbiased) signature
        dim, unbiased = None, dim
    if input.dtype.category < D._FLOAT:
        raise RuntimeError("std and var only support floating point and complex dtypes "
                           f"(got {input.dtype}); convert with .float() first")
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}(): pass either unbiased= or correction=, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(dim, input._data.ndim)
    n = _reduced_count(input._data.shape, axes)
    if n - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return axes, correction


def _moments(x, axes, keepdim: bool, correction):
    """(variance, mean) of an array over ``axes``, dividing by ``n - correction``."""
    xp = array_module(x)
    mean_kept = x.mean(axis=axes, keepdims=True)
    deviation = x - mean_kept
    squares = (deviation * deviation).sum(axis=axes, keepdims=keepdim)
    dof = builtins.max(_reduced_count(x.shape, axes) - correction, 0)
    with np.errstate(divide="ignore", invalid="ignore"):  # dof 0 gives inf / nan, as torch
        var = xp.asarray(squares / dof if dof else squares * math.inf, dtype=x.dtype)
    mean = mean_kept if keepdim else mean_kept.reshape(var.shape)
    return var, xp.asarray(mean, dtype=x.dtype)


class _Spread(Function):
    """Shared by var, std and their ``_mean`` versions: shapes and d var / d x."""

    def _setup(self, x, axes, keepdim, correction):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        self.n = _reduced_count(x.shape, axes)
        self.dof = builtins.max(self.n - correction, 0)

    def _restore(self, t: Tensor) -> Tensor:
        return _restore_dims(t, self.input_shape, self.axes, self.keepdim)

    def _deviation(self, x: Tensor) -> Tensor:
        dims = tuple(range(x.ndim)) if self.axes is None else self.axes
        return x - mean(x, dims, keepdim=True)

    def _per_dof(self) -> float:
        return 1 / self.dof if self.dof else math.inf


class VarBackward0(_Spread):
    """d var / d x_i = 2 (x_i - mean) / (n - correction)."""

    def forward(self, x, axes=None, keepdim=False, correction=1):
        self._setup(x, axes, keepdim, correction)
        self.save_for_backward(x)
        return _moments(x, axes, keepdim, correction)[0]

    def backward(self, grad):
        (x,) = self.saved_tensors
        return self._restore(grad) * self._deviation(x) * (2 * self._per_dof())


class StdBackward0(_Spread):
    """d std / d x_i = (x_i - mean) / ((n - correction) std)."""

    def forward(self, x, axes=None, keepdim=False, correction=1):
        self._setup(x, axes, keepdim, correction)
        out = array_module(x).sqrt(_moments(x, axes, keepdim, correction)[0])
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return self._restore(grad) * self._deviation(x) * self._per_dof() / self._restore(out)


class VarMeanBackward0(_Spread):
    """(var, mean) in one op; the gradient is the sum of both parts."""

    def forward(self, x, axes=None, keepdim=False, correction=1):
        self._setup(x, axes, keepdim, correction)
        self.save_for_backward(x)
        return _moments(x, axes, keepdim, correction)

    def backward(self, grad_var, grad_mean):
        (x,) = self.saved_tensors
        from_var = self._restore(grad_var) * self._deviation(x) * (2 * self._per_dof())
        return from_var + self._restore(grad_mean) / self.n


class StdMeanBackward0(_Spread):
    def forward(self, x, axes=None, keepdim=False, correction=1):
        self._setup(x, axes, keepdim, correction)
        var, mean_ = _moments(x, axes, keepdim, correction)
        std = array_module(x).sqrt(var)
        self.save_for_backward(x, std)
        return std, mean_

    def backward(self, grad_std, grad_mean):
        x, std = self.saved_tensors
        from_std = (self._restore(grad_std) * self._deviation(x) * self._per_dof()
                    / self._restore(std))
        return from_std + self._restore(grad_mean) / self.n


def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Variance over ``dim``, dividing by ``n - correction`` (default 1: unbiased)."""
    axes, correction = _var_options("var", input, dim, unbiased, correction)
    return VarBackward0.apply(input, axes=axes, keepdim=keepdim, correction=correction)


def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Standard deviation: the square root of ``var`` (same arguments)."""
    axes, correction = _var_options("std", input, dim, unbiased, correction)
    return StdBackward0.apply(input, axes=axes, keepdim=keepdim, correction=correction)


def var_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction=None) -> tuple[Tensor, Tensor]:
    """``(var, mean)`` computed together."""
    axes, correction = _var_options("var_mean", input, dim, unbiased, correction)
    return VarMeanBackward0.apply(input, axes=axes, keepdim=keepdim, correction=correction)


def std_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction=None) -> tuple[Tensor, Tensor]:
    """``(std, mean)`` computed together."""
    axes, correction = _var_options("std_mean", input, dim, unbiased, correction)
    return StdMeanBackward0.apply(input, axes=axes, keepdim=keepdim, correction=correction)


# ------------------------------------------------------------------ norm

class LinalgVectorNormBackward0(Function):
    """``(sum |x|^p)^(1/p)`` over some dims; p = inf is max |x|, p = 0 counts non-zeros."""

    def forward(self, x, ord=2.0, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim, self.ord = x.shape, axes, keepdim, ord
        xp = array_module(x)
        a = xp.abs(x)
        if ord == math.inf:
            out = a.max(axis=axes, keepdims=keepdim)
        elif ord == -math.inf:
            out = a.min(axis=axes, keepdims=keepdim)
        elif ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
        elif ord == 1:
            out = a.sum(axis=axes, keepdims=keepdim)
        elif ord == 2:
            out = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
        else:
            out = ((a ** ord).sum(axis=axes, keepdims=keepdim)) ** (1 / ord)
        out = xp.asarray(out, dtype=x.dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        grad = _restore_dims(grad, self.input_shape, self.axes, self.keepdim)
        out = _restore_dims(out, self.input_shape, self.axes, self.keepdim)
        p = self.ord
        if p == 0:  # a count: piecewise constant
            return grad.expand(self.input_shape) * 0
        if p == 1:
            return grad * x.sign()
        if p in (math.inf, -math.inf):  # shared among the elements with |x| == result
            return grad * x.sign() * _tie_weights(x.abs(), out, self.axes, True)
        safe_out = where(out == 0, 1, out)  # a zero norm means all-zero x: gradient 0
        if p == 2:
            return grad * x / safe_out
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * (grad / safe_out ** (p - 1))


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The p-norm of all elements, or over ``dim``: p=2 (and 'fro'), 1, inf, -inf, 0, any p."""
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input.dtype.category < D._FLOAT:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {input.dtype.legacy_name}")
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc') (the nuclear norm, a sum of singular "
                                      "values) is not supported by tensorkit")
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dim is not None and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                               + " ".join(str(d) for d in dim))
        p = 2
    axes = _axes(dim, input._data.ndim)
    p = float(p)
    if p in (math.inf, -math.inf) and _reduced_count(input._data.shape, axes) == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                           "because the operation does not have an identity")
    return LinalgVectorNormBackward0.apply(input, ord=p, axes=axes, keepdim=keepdim)


# ------------------------------------------------------------------ max, min and friends

class MaxBackward1(_ShareAmongTies):
    """max of all elements."""

    def reduce(self, xp, x, axes, keepdim):
        return x.max()


class MinBackward1(_ShareAmongTies):
    def reduce(self, xp, x, axes, keepdim):
        return x.min()


class AmaxBackward0(_ShareAmongTies):
    def reduce(self, xp, x, axes, keepdim):
        return x.max(axis=axes, keepdims=keepdim)


class AminBackward0(_ShareAmongTies):
    def reduce(self, xp, x, axes, keepdim):
        return x.min(axis=axes, keepdims=keepdim)


class MaxBackward0(_SelectAlongDim):
    """max along a dim, with the index of the (first) largest element."""

    def pick(self, xp, a, axis):
        return xp.argmax(a, axis=axis, keepdims=True)


class MinBackward0(_SelectAlongDim):
    def pick(self, xp, a, axis):
        return xp.argmin(a, axis=axis, keepdims=True)


def _max_or_min(name: str, input: Tensor, dim, keepdim: bool, other):
    """The three forms of ``max``/``min``: all elements, along ``dim``, or elementwise."""
    if other is not None or isinstance(dim, Tensor):
        pairwise = maximum if name == "max" else minimum
        return pairwise(input, other if other is not None else dim)
    if dim is None:
        _check_numel(name, input)
        return (MaxBackward1 if name == "max" else MinBackward1).apply(input)
    axis = _int_dim(name, dim, input._data.ndim)
    _check_nonempty(name, input._data.shape, axis)
    fn, result = (MaxBackward0, return_types.max) if name == "max" else (MinBackward0,
                                                                         return_types.min)
    return result(*fn.apply(input, dim=axis, keepdim=keepdim))


def max(input: Tensor, dim=None, keepdim: bool = False, *, other: Tensor | None = None):
    """``max(x)``: the largest element.  ``max(x, dim)``: ``(values, indices)`` along ``dim``.

    ``max(x, y)`` with a tensor ``y`` is the elementwise ``maximum``.
    """
    return _max_or_min("max", input, dim, keepdim, other)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other: Tensor | None = None):
    """``min(x)``, ``min(x, dim)`` -> ``(values, indices)``, or elementwise ``min(x, y)``."""
    return _max_or_min("min", input, dim, keepdim, other)


def _amax_or_amin(name: str, fn, input: Tensor, dim, keepdim: bool) -> Tensor:
    axes = _axes(dim, input._data.ndim)
    if input._data.size == 0:
        if axes is None:
            _check_numel(name, input)
        for a in axes:
            _check_nonempty(name, input._data.shape, a)
    return fn.apply(input, axes=axes, keepdim=keepdim)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Largest value over ``dim`` (all dims by default); ties share the gradient."""
    return _amax_or_amin("amax", AmaxBackward0, input, dim, keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Smallest value over ``dim`` (all dims by default); ties share the gradient."""
    return _amax_or_amin("amin", AminBackward0, input, dim, keepdim)


class AminmaxBackward0(Function):
    """(min, max) in one op; each shares its gradient among its ties."""

    def forward(self, x, axes=None, keepdim=False):
        self.axes, self.keepdim, self.input_shape = axes, keepdim, x.shape
        xp = array_module(x)
        low = xp.asarray(x.min(axis=axes, keepdims=keepdim))
        high = xp.asarray(x.max(axis=axes, keepdims=keepdim))
        self.save_for_backward(x, low, high)
        return low, high

    def backward(self, grad_min, grad_max):
        x, low, high = self.saved_tensors
        axes, keepdim, shape = self.axes, self.keepdim, self.input_shape
        return (_restore_dims(grad_min, shape, axes, keepdim) * _tie_weights(x, low, axes,
                                                                             keepdim)
                + _restore_dims(grad_max, shape, axes, keepdim) * _tie_weights(x, high, axes,
                                                                               keepdim))


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False):
    """``(min, max)`` of all elements or along ``dim``, as ``return_types.aminmax``."""
    axes = None
    if dim is not None:
        axis = _int_dim("aminmax", dim, input._data.ndim)
        axes = None if input._data.ndim == 0 else (axis,)
    if _reduced_count(input._data.shape, axes) == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    return return_types.aminmax(*AminmaxBackward0.apply(input, axes=axes, keepdim=keepdim))


def _arg_extreme(name: str, input: Tensor, dim, keepdim: bool) -> Tensor:
    data = input._data
    if data.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input; convert it with .long()")
    xp = array_module(data)
    find = xp.argmax if name == "argmax" else xp.argmin
    if dim is None:  # position in the flattened tensor
        if data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        index = xp.asarray(find(data.reshape(-1)), dtype=np.int64)
        return _make(index.reshape((1,) * data.ndim) if keepdim else index)
    axis = _int_dim(name, dim, data.ndim)
    _check_nonempty(name, data.shape, axis)
    index = find(_at_least_1d(data), axis=axis, keepdims=keepdim)
    return _make(xp.asarray(index, dtype=np.int64).reshape(() if data.ndim == 0 else
                                                           index.shape))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme("argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme("argmin", input, dim, keepdim)


# ------------------------------------------------------------------ logical reductions

def _logical_reduction(name: str, input: Tensor, dim, keepdim: bool) -> Tensor:
    data = input._data
    xp = array_module(data)
    out = getattr(xp, name)(data, axis=_axes(dim, data.ndim), keepdims=keepdim)
    out = xp.asarray(out)
    return _make(out.astype(np.uint8) if data.dtype == np.uint8 else out)  # as torch


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True if every element (over ``dim``) is non-zero; a uint8 tensor gives uint8."""
    return _logical_reduction("all", input, dim, keepdim)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True if some element (over ``dim``) is non-zero."""
    return _logical_reduction("any", input, dim, keepdim)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """How many elements (over ``dim``) are non-zero, as int64."""
    data = input._data
    return _make(array_module(data).asarray((data != 0).sum(axis=_axes(dim, data.ndim)),
                                            dtype=np.int64))


# ------------------------------------------------------------------ cumulative ops

class CumsumBackward0(Function):
    """Running sum: x_i reaches every output j >= i, so its gradient sums those grads."""

    def forward(self, x, dim=0, dtype=None):
        self.dim = dim
        return array_module(x).cumsum(_at_least_1d(x), axis=dim, dtype=dtype).reshape(x.shape)

    def backward(self, grad):
        return _reverse_cumsum(grad, self.dim)


def _reverse_cumsum(t: Tensor, dim: int) -> Tensor:
    """out_i = sum of t_j for j >= i along ``dim``."""
    if t.ndim == 0:
        return t
    return flip(cumsum(flip(t, dim), dim), dim)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sum along ``dim``; integers and bools give int64."""
    input, acc = _with_dtype(input, dtype)
    axis = _int_dim("cumsum", dim, input._data.ndim)
    return CumsumBackward0.apply(input, dim=axis, dtype=acc)


class CumprodBackward0(Function):
    """Running product.  d out_j / d x_i (j >= i) is the product of x_k, k <= j, k != i.

    Before the first zero of a slice that is out_j / x_i, so the gradient is a reversed
    cumulative sum of grad * out, divided by x_i.  At the first zero z it is
    (x_0 ... x_{z-1}) times the sum over j >= z of grad_j x_{z+1} ... x_j; after z
    every product contains x_z = 0.
    """

    def forward(self, x, dim=0, dtype=None):
        self.dim = dim
        out = array_module(x).cumprod(_at_least_1d(x), axis=dim, dtype=dtype).reshape(x.shape)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        if x.ndim == 0:
            return grad
        d, xd = self.dim, x._data
        xp = array_module(xd)
        before_zero = xp.cumprod(xd != 0, axis=d).astype(bool)  # no zero at or before i
        safe = where(_make(before_zero), x, 1)
        result = where(_make(before_zero), _reverse_cumsum(grad * out, d) / safe, 0)
        if before_zero.all():
            return result
        up_to_zero = xp.concatenate([xp.ones_like(_first(before_zero, d, 1)),
                                     _drop_last(before_zero, d)], axis=d)
        first_zero = up_to_zero & ~before_zero
        after = cumprod(where(_make(up_to_zero), 1, x), d)  # x_{z+1} ... x_j, 1 up to z
        prefix = prod(safe, d, keepdim=True)  # x_0 ... x_{z-1}
        at_zero = prefix * sum(where(_make(~before_zero), grad * after, 0), d, keepdim=True)
        return result + where(_make(first_zero), at_zero, 0)


def _drop_last(a, axis: int):
    index = [slice(None)] * a.ndim
    index[axis] = slice(0, a.shape[axis] - 1)
    return a[tuple(index)]


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running product along ``dim``; integers and bools give int64."""
    input, acc = _with_dtype(input, dtype)
    axis = _int_dim("cumprod", dim, input._data.ndim)
    return CumprodBackward0.apply(input, dim=axis, dtype=acc)


# ------------------------------------------------------------------ logsumexp, softmax

def _kept_max(xp, x, axes):
    """The max over ``axes``, keeping the reduced dims; zeros for an empty ``x``.

    Subtracting it before ``exp`` keeps every exponent <= 0, so nothing overflows.
    """
    if x.size == 0:  # nothing to shift (and max of nothing is an error)
        return xp.zeros(_reduced_shape(x.shape, axes, True), x.dtype)
    return x.max(axis=axes, keepdims=True)


class LogsumexpBackward0(Function):
    """log(sum(exp(x))), computed stably; d/dx_i = exp(x_i - result) (the softmax)."""

    def forward(self, x, axes=None, keepdim=False):
        self.input_shape, self.axes, self.keepdim = x.shape, axes, keepdim
        xp = array_module(x)
        m = _kept_max(xp, x, axes)
        m = xp.where(xp.isfinite(m), m, 0)  # inf - inf would be NaN; log(inf) is right
        with np.errstate(divide="ignore"):  # log(0) = -inf for an empty or all -inf slice
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        out = xp.asarray(out.reshape(_reduced_shape(x.shape, axes, keepdim)), dtype=x.dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        restore = _restore_dims
        shape, axes, keepdim = self.input_shape, self.axes, self.keepdim
        return restore(grad, shape, axes, keepdim) * (x - restore(out, shape, axes, keepdim)).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x), dim))`` without overflow; integer tensors give floats."""
    if input.dtype.category < D._FLOAT:
        input = cast(input, D.get_default_dtype())
    return LogsumexpBackward0.apply(input, axes=_axes(dim, input._data.ndim), keepdim=keepdim)


def _softmax_dim(name: str, input: Tensor, dim, dtype) -> tuple[Tensor, int]:
    """Checks shared by softmax and log_softmax; picks torch's implicit dim if none given."""
    ndim = input._data.ndim
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = cast(input, D.to_dtype(dtype))
    if input.dtype.category < D._FLOAT:
        raise NotImplementedError(
            f'"{name}_kernel_impl" not implemented for \'{input.dtype.legacy_name}\': '
            f"{name} needs a floating point tensor (x.float(), or dtype=torch.float32)")
    return input, _int_dim(name, dim, ndim)


class SoftmaxBackward0(Function):
    """exp(x) / sum(exp(x)) along ``dim``; backward: y * (grad - sum(grad * y))."""

    def forward(self, x, dim=0):
        self.dim = dim
        xp = array_module(x)
        a = _at_least_1d(x)
        e = xp.exp(a - _kept_max(xp, a, (dim,)))
        out = (e / e.sum(axis=dim, keepdims=True)).reshape(x.shape)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (y,) = self.saved_tensors
        if y.ndim == 0:
            return grad * 0
        gy = grad * y
        return gy - y * sum(gy, self.dim, keepdim=True)


class LogSoftmaxBackward0(Function):
    """x - logsumexp(x) along ``dim``; backward: grad - softmax * sum(grad)."""

    def forward(self, x, dim=0):
        self.dim = dim
        xp = array_module(x)
        a = _at_least_1d(x)
        shifted = a - _kept_max(xp, a, (dim,))
        out = (shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))).reshape(x.shape)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (y,) = self.saved_tensors
        if y.ndim == 0:
            return grad * 0
        return grad - y.exp() * sum(grad, self.dim, keepdim=True)


def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: probabilities that sum to 1."""
    input, axis = _softmax_dim("softmax", input, dim, dtype)
    return SoftmaxBackward0.apply(input, dim=axis)


def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """log(softmax(x)), computed directly so it stays finite for very negative inputs."""
    input, axis = _softmax_dim("log_softmax", input, dim, dtype)
    return LogSoftmaxBackward0.apply(input, dim=axis)


# ------------------------------------------------------------------ sorting and order

class SortBackward0(_SelectAlongDim):
    reduces = False

    def pick(self, xp, a, axis, descending=False):
        return _argsort(xp, a, axis, descending)


class SortBackward1(SortBackward0):
    """sort(stable=True): the same op (tensorkit's sort is always stable)."""


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """Sorted values and their original indices along ``dim``, as ``return_types.sort``.

    tensorkit's sort is always stable: equal elements keep their order.
    """
    axis = _int_dim("sort", dim, input._data.ndim)
    fn = SortBackward1 if stable else SortBackward0
    return return_types.sort(*fn.apply(input, dim=axis, descending=descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable)."""
    data = input._data
    axis = _int_dim("argsort", dim, data.ndim)
    order = _argsort(array_module(data), _at_least_1d(data), axis, descending)
    return _make(order.astype(np.int64, copy=False).reshape(data.shape))


def msort(input: Tensor) -> Tensor:
    """``input`` sorted along dim 0."""
    return sort(input, 0).values


class TopkBackward0(_SelectAlongDim):
    reduces = False

    def pick(self, xp, a, axis, k=1, largest=True):
        return _first(_argsort(xp, a, axis, descending=largest), axis, k)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices.

    Always returned in sorted order, equal elements by position.
    """
    data = input._data
    axis = _int_dim("topk", dim, data.ndim)
    if data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes; convert with .long() first")
    if not 0 <= k <= _at_least_1d(data).shape[axis]:
        raise RuntimeError(f"selected index k out of range: k={k} but dim {axis} has "
                           f"{_at_least_1d(data).shape[axis]} elements")
    if data.ndim == 0:  # a 0-d tensor is its own top element, for k = 0 as in torch
        k = 1
    return return_types.topk(*TopkBackward0.apply(input, dim=axis, keepdim=True, k=k,
                                                  largest=largest))


class KthvalueBackward0(_SelectAlongDim):
    def pick(self, xp, a, axis, k=1):
        order = _argsort(xp, a, axis)
        index = [slice(None)] * a.ndim
        index[axis] = slice(k - 1, k)
        return order[tuple(index)]


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest element (k counts from 1) along ``dim`` and its index."""
    _no_bool("kthvalue_cpu", input)
    axis = _int_dim("kthvalue", dim, input._data.ndim)
    if not 1 <= k <= _at_least_1d(input._data).shape[axis]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    return return_types.kthvalue(*KthvalueBackward0.apply(input, dim=axis, keepdim=keepdim,
                                                          k=k))


def _median_position(xp, a, axis: int, skip_nan: bool):
    """Where the median sits in the sorted slice: the lower middle, as torch.

    NaNs sort last.  ``median`` returns NaN if a slice has any (the first one);
    ``nanmedian`` takes the middle of the other values.
    """
    n = a.shape[axis]
    nan_count = (xp.isnan(a) if a.dtype.kind == "f" else xp.zeros(a.shape, bool)).sum(
        axis=axis, keepdims=True)
    if skip_nan:
        return xp.maximum((n - nan_count - 1) // 2, 0)
    return xp.where(nan_count > 0, n - nan_count, (n - 1) // 2)


class MedianBackward0(_ShareAmongTies):
    """Median of all elements (torch's lower median); ties share the gradient."""

    skip_nan = False

    def reduce(self, xp, x, axes, keepdim):
        flat = x.reshape(-1)
        if flat.size == 0:
            return xp.asarray(math.nan, dtype=x.dtype)
        position = _median_position(xp, flat, 0, self.skip_nan)
        return xp.sort(flat)[position].reshape(())


class NanmedianBackward0(MedianBackward0):
    skip_nan = True


class MedianBackward1(_SelectAlongDim):
    """Median along a dim, with its index."""

    skip_nan = False

    def pick(self, xp, a, axis):
        order = _argsort(xp, a, axis)
        return order[_along(_median_position(xp, a, axis, self.skip_nan), axis, xp)]


class NanmedianBackward1(MedianBackward1):
    skip_nan = True


def _median(name: str, whole, along, result_type, input: Tensor, dim, keepdim):
    _no_bool(f"{name}_cpu", input)
    if dim is None:
        return whole.apply(input)
    axis = _int_dim(name, dim, input._data.ndim)
    _check_nonempty(name, input._data.shape, axis)
    return result_type(*along.apply(input, dim=axis, keepdim=keepdim))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
    return _median("median", MedianBackward0, MedianBackward1, return_types.median, input,
                   dim, keepdim)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """``median`` ignoring NaNs."""
    return _median("nanmedian", NanmedianBackward0, NanmedianBackward1,
                   return_types.nanmedian, input, dim, keepdim)


class ModeBackward0(_SelectAlongDim):
    """Most frequent value along a dim (the smallest on a tie) and its last index.

    Each slice is sorted, so equal values form runs; the longest run wins.
    """

    def pick(self, xp, a, axis):
        rows = xp.moveaxis(a, axis, -1)
        rest, n = rows.shape[:-1], rows.shape[-1]
        rows = rows.reshape(-1, n)
        ordered = xp.sort(rows, axis=1)
        starts = xp.ones(ordered.shape, dtype=bool)
        starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        flat_starts = xp.flatnonzero(starts)
        run_length = xp.zeros(rows.size, np.int64)
        run_length[flat_starts] = xp.diff(xp.concatenate(
            [flat_starts, xp.asarray([rows.size], dtype=flat_starts.dtype)]))
        best = xp.argmax(run_length.reshape(rows.shape), axis=1)
        value = ordered[xp.arange(rows.shape[0]), best]
        last = (n - 1) - xp.argmax((rows == value[:, None])[:, ::-1], axis=1)
        return xp.moveaxis(last.reshape(rest + (1,)), -1, axis)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """Most frequent value along ``dim`` and its index, as ``return_types.mode``."""
    axis = _int_dim("mode", dim, input._data.ndim)
    _check_nonempty("mode", input._data.shape, axis)
    return return_types.mode(*ModeBackward0.apply(input, dim=axis, keepdim=keepdim))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct elements (or slices along ``dim``), in sorted order.

    With ``return_inverse``, also where each input element went; with
    ``return_counts``, how often each value occurs.  Not differentiable.
    """
    data = input._data
    xp = array_module(data)
    if dim is None:
        values, inverse, counts = xp.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(data.shape)
    else:
        axis = _int_dim("unique", dim, data.ndim)
        values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True,
                                            axis=axis)
        inverse = inverse.reshape(-1)
    results = [_make(values)]
    if return_inverse:
        results.append(_make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        results.append(_make(counts.astype(np.int64, copy=False)))
    return results[0] if len(results) == 1 else tuple(results)


__all__ = ["all", "amax", "amin", "aminmax", "any", "argmax", "argmin", "argsort",
           "count_nonzero", "cumprod", "cumsum", "kthvalue", "log_softmax", "logsumexp", "max",
           "mean", "median", "min", "mode", "msort", "nanmean", "nanmedian", "nansum", "norm",
           "prod", "softmax", "sort", "std", "std_mean", "sum", "topk", "unique", "var",
           "var_mean"]
# exposed as Tensor methods too (x.sum()), and as in-place variants (x.cumsum_(0))
TENSOR_METHODS = ["all", "amax", "amin", "aminmax", "any", "argmax", "argmin", "argsort",
                  "count_nonzero", "cumprod", "cumsum", "kthvalue", "log_softmax", "logsumexp",
                  "max", "mean", "median", "min", "mode", "msort", "nanmean", "nanmedian",
                  "nansum", "norm", "prod", "softmax", "sort", "std", "sum", "topk", "unique",
                  "var"]
INPLACE_VARIANTS = ["cumprod", "cumsum"]
