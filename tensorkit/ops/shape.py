"""Shape ops: views that share memory (view, transpose, permute, squeeze, expand, slicing)
and copies that build new tensors (cat, stack, repeat, flip).

A *view* is a new tensor over the same memory: changing one changes the other.  Its
backward undoes the rearrangement: the gradient of ``x.t()`` is ``grad.t()``.  Each
view remembers its base tensor and how to get from the base to itself (the "view
chain"), so that an in-place change through the view can update the base's graph.
"""

from __future__ import annotations

import builtins

import numpy as np

from .._device import array_module
from .._size import Size
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import wrap_dim


def view_apply(fn_cls, x: Tensor, **kwargs) -> Tensor:
    """Apply a view op and record that the result shares ``x``'s memory."""
    out = fn_cls.apply(x, **kwargs)
    return _mark_view(out, x, ((fn_cls, kwargs),))


def _mark_view(out: Tensor, x: Tensor, steps) -> Tensor:
    base = x._base if x._base is not None else x
    out._base = base
    out._view_chain = x._view_chain + steps
    out._vc = base._counter()
    out._seen_history = base._history
    return out


def apply_view_chain(array, chain):
    """Replay a view chain on an array (the base's data, or a gradient shaped like it)."""
    for fn_cls, kwargs in chain:
        array = Function.__new__(fn_cls).forward(array, **kwargs)
    return array


def _shape_arg(shape) -> tuple:
    """Accept ``view(2, 3)``, ``view((2, 3))`` and ``view([2, 3])``."""
    if len(shape) == 1 and not isinstance(shape[0], int | np.integer):
        shape = shape[0]
    return tuple(builtins.int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Fill in a ``-1`` and check the element count, with torch's messages."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ----------------------------------------------------------------------------- views

class ViewBackward0(Function):
    def forward(self, x, shape=()):
        self.input_shape = x.shape
        if x.flags.c_contiguous:
            return x.reshape(shape)
        try:
            if type(x) is np.ndarray:
                return np.reshape(x, shape, copy=False)
            out = x.view()
            out.shape = shape
            return out
        except (ValueError, AttributeError):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def view(input: Tensor, *shape) -> Tensor:
    """The same memory seen with another shape (one dim may be -1: inferred)."""
    if len(shape) == 1 and not isinstance(shape[0], int | np.integer | tuple | list | Size):
        from .._dtype import to_dtype
        from .conversion import to_copy

        return to_copy(input, to_dtype(shape[0]), None, False)  # view(dtype): reinterpret
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return view_apply(ViewBackward0, input, shape=shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """Like ``view``, but copies when the memory layout doesn't allow a view."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous or _can_view(input._data, shape):
        return view_apply(ViewBackward0, input, shape=shape)
    from .conversion import clone

    return view_apply(ViewBackward0, clone(input), shape=shape)


def _can_view(array, shape) -> bool:
    try:
        if type(array) is np.ndarray:
            np.reshape(array, shape, copy=False)
        else:
            array.view().shape = shape
        return True
    except (ValueError, AttributeError):
        return False


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, tuple(other._data.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, tuple(other._data.shape))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = 1
    for s in shape[start:end + 1]:
        merged *= s
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = _infer_shape(tuple(sizes), shape[d])
    return view(input, shape[:d] + sizes + shape[d + 1:])


class TransposeBackward0(Function):
    def forward(self, x, dim0=0, dim1=1):
        self.dims = (dim0, dim1)
        return x.swapaxes(dim0, dim1)

    def backward(self, grad):
        return grad.transpose(*self.dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view: no data moves)."""
    n = input._data.ndim
    return view_apply(TransposeBackward0, input, dim0=wrap_dim(dim0, n), dim1=wrap_dim(dim1, n))


swapaxes = swapdims = transpose


class TBackward0(Function):
    def forward(self, x):
        return x.T

    def backward(self, grad):
        return grad.t()


def t(input: Tensor) -> Tensor:
    """Transpose of a matrix (a 0-D or 1-D tensor is returned as is)."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return view_apply(TBackward0, input)


class PermuteBackward0(Function):
    def forward(self, x, dims=()):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return grad.permute(inverse)


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder all dims: ``x.permute(2, 0, 1)`` moves the last dim first."""
    dims = _shape_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return view_apply(PermuteBackward0, input, dims=dims)


def movedim(input: Tensor, source, destination) -> Tensor:
    n = input._data.ndim
    src = [wrap_dim(s, n) for s in ((source,) if isinstance(source, int) else source)]
    dst = [wrap_dim(d, n) for d in ((destination,) if isinstance(destination, int)
                                    else destination)]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def adjoint_T(input: Tensor) -> Tensor:
    """``x.T``: all dims reversed (torch deprecates it beyond 2-D, but allows it)."""
    n = input._data.ndim
    if n < 2:
        return input
    return permute(input, tuple(reversed(range(n))))


def mT(input: Tensor) -> Tensor:
    """Transpose of the last two dims (a batch of matrices)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


class SqueezeBackward0(Function):
    def forward(self, x, dims=()):
        self.input_shape = x.shape
        return x.squeeze(dims) if dims else x.reshape(x.shape)

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dims of length 1 (only ``dim`` if given, and only if its length is 1)."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        wanted = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(d for d in (wrap_dim(w, len(shape)) for w in wanted) if shape and
                     shape[d] == 1)
    return view_apply(SqueezeBackward0, input, dims=dims)


class UnsqueezeBackward0(Function):
    def forward(self, x, dim=0):
        self.dim = dim
        return array_module(x).expand_dims(x, dim)

    def backward(self, grad):
        return grad.squeeze(self.dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dim of length 1 at position ``dim``."""
    return view_apply(UnsqueezeBackward0, input, dim=wrap_dim(dim, input._data.ndim + 1))


class ExpandBackward0(Function):
    def forward(self, x, shape=()):
        self.input_shape = x.shape
        if x.shape == shape:
            return x.view()
        return array_module(x).broadcast_to(x, shape)

    def backward(self, grad):
        return grad.sum_to_size(self.input_shape)


def expand(input: Tensor, *sizes) -> Tensor:
    """Repeat dims of length 1 without copying (``-1`` keeps a dim as it is)."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({input.type()}{{{list(shape)}}}, size={list(sizes)}): the "
                           "number of sizes provided ({}) must be greater or equal to the number "
                           "of dimensions in the tensor ({})".format(len(sizes), len(shape)))
    offset = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < offset:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            target.append(s)
            continue
        old = shape[i - offset]
        if s == -1:
            s = old
        elif old != 1 and s != old:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        target.append(s)
    return view_apply(ExpandBackward0, input, shape=tuple(target))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, tuple(other._data.shape))


def broadcast_to(input: Tensor, shape) -> Tensor:
    return expand(input, tuple(shape))


class SelectBackward0(Function):
    """``x[i]`` along one dim: backward puts the gradient into a zero tensor at ``i``."""

    def forward(self, x, dim=0, index=0):
        self.input_shape, self.dim, self.index = x.shape, dim, index
        return x[(builtins.slice(None),) * dim + (index, Ellipsis)]  # "..." keeps 0-d a view

    def backward(self, grad):
        return SelectBackwardBackward.apply(grad, shape=self.input_shape, dim=self.dim,
                                            index=self.index)


class SelectBackwardBackward(Function):
    def forward(self, grad, shape=(), dim=0, index=0):
        self.dim, self.index = dim, index
        out = array_module(grad).zeros(shape, grad.dtype)
        out[(builtins.slice(None),) * dim + (index,)] = grad
        return out

    def backward(self, grad):
        return grad.select(self.dim, self.index)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, that dim removed (``x[:, 2]`` is select(1, 2))."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, len(shape))
    index = builtins.int(index)
    if not -shape[dim] <= index < shape[dim]:
        raise IndexError(f"index {index} is out of bounds for dimension {dim} with size "
                         f"{shape[dim]}")
    if index < 0:
        index += shape[dim]
    return view_apply(SelectBackward0, input, dim=dim, index=index)


class SliceBackward0(Function):
    def forward(self, x, dim=0, start=0, end=0, step=1):
        self.input_shape, self.key = x.shape, (builtins.slice(None),) * dim + (
            builtins.slice(start, end, step),)
        return x[self.key]

    def backward(self, grad):
        return SliceBackwardBackward.apply(grad, shape=self.input_shape, key=self.key)


class SliceBackwardBackward(Function):
    def forward(self, grad, shape=(), key=()):
        self.key = key
        out = array_module(grad).zeros(shape, grad.dtype)
        out[key] = grad
        return out

    def backward(self, grad):
        return grad[self.key]


def slice_dim(input: Tensor, dim: int, start, end, step: int = 1) -> Tensor:
    """``x[start:end:step]`` along ``dim`` (a view).  Steps must be positive, as in torch."""
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    if step is None:
        step = 1
    if step <= 0:
        raise ValueError("step must be greater than zero")
    start, end, _ = builtins.slice(start, end, step).indices(shape[dim])
    end = max(end, start)
    if start == 0 and end == shape[dim] and step == 1:
        return input
    return view_apply(SliceBackward0, input, dim=dim, start=start, end=end, step=step)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` elements from ``start`` along ``dim`` (a view)."""
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    out = view_apply(SliceBackward0, input, dim=wrap_dim(dim, input._data.ndim), start=start,
                     end=start + length, step=1)
    return out


class SplitBackward0(Function):
    """Pieces of a tensor along a dim, each a view; backward concatenates the gradients."""

    def forward(self, x, dim=0, sizes=()):
        self.dim = dim
        pieces = []
        start = 0
        for s in sizes:
            pieces.append(x[(builtins.slice(None),) * dim + (builtins.slice(start, start + s),)])
            start += s
        return tuple(pieces)

    def backward(self, *grads):
        return cat(grads, self.dim)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes."""
    dim = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [n]
        if n == 0:
            sizes = [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
    pieces = SplitBackward0.apply(tensor, dim=dim, sizes=tuple(sizes))
    start = 0
    for piece, s in zip(pieces, sizes):
        _mark_view(piece, tensor, ((SliceBackward0, dict(dim=dim, start=start, end=start + s,
                                                         step=1)),))
        start += s
    return pieces


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` nearly equal pieces along ``dim`` (fewer if the dim is short)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    size = max(-(-n // chunks), 1)
    return split(input, size, dim)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + [min(max(i, 0), n) for i in indices_or_sections] + [n]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sizes, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along ``dim``, that dim removed."""
    dim = wrap_dim(dim, input._data.ndim)
    return tuple(select(input, dim, i) for i in range(input._data.shape[dim]))


class DiagonalBackward0(Function):
    def forward(self, x, offset=0, dim1=0, dim2=1):
        self.input_shape, self.args = x.shape, (offset, dim1, dim2)
        return x.diagonal(offset, dim1, dim2)

    def backward(self, grad):
        from .creation import zeros

        offset, dim1, dim2 = self.args
        out = zeros(self.input_shape, dtype=grad.dtype, device=grad.device)
        out = out.clone()
        out.diagonal(offset, dim1, dim2).copy_(grad)
        return out


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    n = input._data.ndim
    return view_apply(DiagonalBackward0, input, offset=offset, dim1=wrap_dim(dim1, n),
                      dim2=wrap_dim(dim2, n))


# ---------------------------------------------------------------------- copies

class CatBackward0(Function):
    """Join tensors along a dim; each input gets back its own slice of the gradient."""

    def forward(self, *xs, dim=0):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return array_module(xs[0]).concatenate(xs, axis=dim)

    def backward(self, grad):
        return tuple(grad.split(self.sizes, self.dim))


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate along an existing dim; the other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    from .. import _dtype as D
    from ._common import cast

    dtype = D.result_type(*tensors)
    # torch skips legacy empty (0,) tensors when concatenating
    parts = [cast(t, dtype) for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)]
    if not parts:
        return cast(tensors[0], dtype)
    ref = parts[0]._data
    dim = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(parts):
        shape = t._data.shape
        if len(shape) != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} "
                               f"and {len(shape)}")
        for d in range(ref.ndim):
            if d != dim and shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {shape[d]} for tensor number {i} in the list.")
    result = CatBackward0.apply(*parts, dim=dim)
    if out is not None:
        from .inplace import copy_into

        return copy_into(out, result)
    return result


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors of the same shape along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    dim = wrap_dim(dim, len(shape) + 1)
    return cat([unsqueeze(t, dim) for t in tensors], dim, out=out)


def hstack(tensors) -> Tensor:
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([t if t._data.ndim > 1 else unsqueeze(t, 0) for t in tensors], 0)


class RepeatBackward0(Function):
    def forward(self, x, repeats=()):
        self.input_shape, self.repeats = x.shape, repeats
        x = x.reshape((1,) * (len(repeats) - x.ndim) + x.shape)
        return array_module(x).tile(x, repeats)

    def backward(self, grad):
        # fold each repeated dim into (repeats, size) and sum over the repeats
        shape = (1,) * (len(self.repeats) - len(self.input_shape)) + tuple(self.input_shape)
        split_shape = []
        for r, s in zip(self.repeats, shape):
            split_shape += [r, s]
        g = grad.reshape(split_shape).sum(tuple(range(0, 2 * len(shape), 2)))
        return g.reshape(self.input_shape)


def repeat(input: Tensor, *repeats) -> Tensor:
    """Tile the tensor ``repeats[i]`` times along dim i (copies, unlike ``expand``)."""
    repeats = _shape_arg(repeats)
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return RepeatBackward0.apply(input, repeats=repeats)


def tile(input: Tensor, dims) -> Tensor:
    dims = tuple(dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


class FlipBackward0(Function):
    def forward(self, x, dims=()):
        self.dims = dims
        return array_module(x).flip(x, dims).copy()  # torch's flip copies

    def backward(self, grad):
        return grad.flip(self.dims)


def flip(input: Tensor, dims) -> Tensor:
    n = input._data.ndim
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return FlipBackward0.apply(input, dims=tuple(wrap_dim(d, n) for d in dims))


def fliplr(input: Tensor) -> Tensor:
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    return flip(input, (0,))


class RollBackward0(Function):
    def forward(self, x, shifts=(), dims=()):
        self.shifts, self.dims = shifts, dims
        return array_module(x).roll(x, shifts, dims)

    def backward(self, grad):
        return grad.roll(tuple(-s for s in self.shifts), self.dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        return roll(flatten(input), shifts, 0).view(input.shape)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return RollBackward0.apply(input, shifts=shifts, dims=dims)


class SumToSizeBackward(Function):
    """Sum a broadcast gradient back to the shape of the input it came from."""

    def forward(self, x, shape=()):
        self.input_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        out = x.sum(axis=axes, keepdims=True) if axes else x
        return out.reshape(shape)

    def backward(self, grad):
        return grad.expand(self.input_shape)


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum dims so the result has shape ``size`` (the inverse of broadcasting)."""
    shape = _shape_arg(size)
    if tuple(input._data.shape) == shape:
        return input
    lead = input._data.ndim - len(shape)
    if lead < 0 or any(s not in (1, input._data.shape[lead + i]) for i, s in enumerate(shape)):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(input._data.shape)}}}.")
    return SumToSizeBackward.apply(input, shape=shape)


__all__ = ["broadcast_to", "cat", "chunk", "concat", "concatenate", "diagonal", "expand",
    "expand_as", "flatten", "flip", "fliplr", "flipud", "hstack", "moveaxis", "movedim", "narrow",
    "permute", "repeat", "reshape", "reshape_as", "roll", "select", "split", "squeeze", "stack",
    "swapaxes", "swapdims", "t", "tensor_split", "tile", "transpose", "unbind", "unflatten",
    "unsqueeze", "view_as", "vstack"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["broadcast_to", "chunk", "diagonal", "expand", "expand_as", "flatten", "flip",
    "fliplr", "flipud", "moveaxis", "movedim", "narrow", "permute", "repeat", "reshape",
    "reshape_as", "roll", "select", "split", "squeeze", "sum_to_size", "swapaxes", "swapdims",
    "t", "tensor_split", "tile", "transpose", "unbind", "unflatten", "unsqueeze", "view_as"]
INPLACE_VARIANTS = []
