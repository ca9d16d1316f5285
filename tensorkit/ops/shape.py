"""Shape ops: views that share memory (view, transpose, permute, squeeze, expand, slicing,
split, unbind, unfold) and copies that build new tensors (cat, stack, repeat, flip, diag).

A *view* is a new tensor over the same memory: changing one changes the other.  Its
backward undoes the rearrangement: the gradient of ``x.t()`` is ``grad.t()``.  Each
view remembers its base tensor and how to get from the base to itself (the "view
chain"), so that an in-place change through the view can update the base's graph.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._size import Size, sum_to_axes
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ._common import broadcast_shapes as _broadcast
from ._common import cast, wrap_dim


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
    """The same memory seen with another shape (one dim may be -1: inferred).

    Only possible when the memory layout allows it: ``x.t().view(-1)`` raises, use
    ``reshape``.  ``view(dtype)`` reinterprets the bytes as another dtype.
    """
    if len(shape) == 1 and not isinstance(shape[0], int | np.integer | tuple | list | Size):
        return _view_dtype(input, D.to_dtype(shape[0]))
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    return view_apply(ViewBackward0, input, shape=shape)


def _view_dtype(input: Tensor, dtype: D.dtype) -> Tensor:
    """The same bytes read as ``dtype`` (the last dim scales with the element size)."""
    data = input._data
    if data.dtype == dtype.np_dtype:
        return input
    old, new = data.dtype.itemsize, dtype.np_dtype.itemsize
    names = f"{input.dtype.legacy_name} as {dtype.legacy_name} (different element sizes)"
    if old != new:
        if data.ndim == 0 or (data.strides[-1] != old and data.shape[-1] != 1):
            stride = data.strides[-1] // old if data.ndim else 0
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {stride}")
        if new > old and data.shape[-1] % (new // old):
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to view {names}, "
                               f"but got {data.shape[-1]}")
    out = data.view(dtype.np_dtype) if data.ndim else data.reshape(1).view(
        dtype.np_dtype).reshape(())
    return _mark_view(_make(out), input, ())  # no gradient flows through a reinterpretation


def reshape(input: Tensor, *shape) -> Tensor:
    """Like ``view``, but copies when the memory layout doesn't allow a view."""
    shape = _infer_shape(_shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous or _can_view(input._data, shape):
        return view_apply(ViewBackward0, input, shape=shape)
    from .conversion import contiguous

    return unsafe_view(contiguous(input), shape)  # a row-major copy, then its new shape


class UnsafeViewBackward0(Function):
    """Reshape a fresh result nobody else sees: no view is recorded (torch's _unsafe_view)."""

    def forward(self, x, shape=()):
        self.input_shape = x.shape
        return x.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.input_shape)


def unsafe_view(input: Tensor, shape) -> Tensor:
    """``input`` (a new, contiguous result) with another shape, not marked as a view."""
    return UnsafeViewBackward0.apply(input, shape=tuple(shape))


def _can_view(array, shape) -> bool:
    try:
        if type(array) is np.ndarray:
            np.reshape(array, shape, copy=False)
        else:
            array.view().shape = shape
        return True
    except (ValueError, AttributeError):
        return False


def ravel(input: Tensor) -> Tensor:
    """All elements in one dim (a view of contiguous memory, else of a contiguous copy)."""
    from .conversion import contiguous

    return view(contiguous(input), -1)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``view`` with the shape of ``other``."""
    return view(input, tuple(other._data.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``reshape`` to the shape of ``other``."""
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
    """Split dim ``dim`` into ``sizes`` (one may be -1): ``(2, 12) -> (2, 3, 4)``."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(builtins.int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {d} ({shape[d]}) in the input tensor") from None
    return view(input, shape[:d] + sizes + shape[d + 1:])


class TransposeBackward0(Function):
    def forward(self, x, dim0=0, dim1=1):
        self.dims = (dim0, dim1)
        return x.swapaxes(dim0, dim1) if x.ndim else x.view()  # a 0-d tensor has one "dim"

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
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    n = input._data.ndim
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source} "
                           f"dims) should contain the same number of dims as destination "
                           f"({destination} dims)")
    src = [wrap_dim(s, n) for s in source]
    dst = [wrap_dim(d, n) for d in destination]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({given})")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def adjoint_T(input: Tensor) -> Tensor:
    """``x.T``: all dims reversed (torch deprecates it for anything but matrices)."""
    n = input._data.ndim
    if n == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=2)
    elif n != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or "
                      "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions "
                      "of a tensor.", UserWarning, stacklevel=2)
    return permute(input, tuple(reversed(range(n))))


def mT(input: Tensor) -> Tensor:
    """Transpose of the last two dims (a batch of matrices)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


class SqueezeBackward0(Function):
    """``squeeze()``: every dim of length 1 removed (a view)."""

    def forward(self, x, dims=()):
        self.input_shape = x.shape
        return x.squeeze(dims) if dims else x.reshape(x.shape)

    def backward(self, grad):
        return grad.reshape(self.input_shape)


class SqueezeBackward1(SqueezeBackward0):
    """``squeeze(dim)``: torch numbers the overloads, so the graph says which one ran."""


class SqueezeBackward2(SqueezeBackward0):
    """``squeeze((d0, d1))``."""


class SqueezeBackward4(SqueezeBackward0):
    """``squeeze_(dim)``, the in-place form (``matmul`` of a vector uses it)."""


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dims of length 1 (only ``dim`` if given, and only if its length is 1)."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return view_apply(SqueezeBackward0, input, dims=dims)
    wanted = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(d for d in (wrap_dim(w, len(shape)) for w in wanted) if shape and shape[d] == 1)
    fn_cls = SqueezeBackward1 if isinstance(dim, int) else SqueezeBackward2
    return view_apply(fn_cls, input, dims=dims)


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
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
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
    """``expand`` to the shape of ``other``."""
    return expand(input, tuple(other._data.shape))


def broadcast_to(input: Tensor, shape) -> Tensor:
    """``expand`` to ``shape`` (a view: no data is copied)."""
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
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    start, length = builtins.int(start), builtins.int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return view_apply(SliceBackward0, input, dim=dim, start=start, end=start + length, step=1)


class SplitBackward0(Function):
    """Pieces of equal size along a dim, each a view; backward concatenates the gradients."""

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


class SplitWithSizesBackward0(SplitBackward0):
    """Pieces of the sizes given (``split([2, 3])``)."""


def _split_apply(fn_cls, tensor: Tensor, dim: int, sizes: list) -> tuple[Tensor, ...]:
    pieces = fn_cls.apply(tensor, dim=dim, sizes=tuple(sizes))
    start = 0
    for piece, s in zip(pieces, sizes):
        _mark_view(piece, tensor, ((SliceBackward0, dict(dim=dim, start=start, end=start + s,
                                                         step=1)),))
        start += s
    return pieces


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, tensor._data.ndim)
    if not isinstance(split_size_or_sections, int | np.integer):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    size = builtins.int(split_size_or_sections)
    n = tensor._data.shape[dim]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    count = max(-(-n // size), 1) if size else 1
    sizes = [size] * (count - 1) + [n - size * (count - 1)]
    return _split_apply(SplitBackward0, tensor, dim, sizes)


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of the given sizes along ``dim``; the sizes must add up to its length."""
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    sizes = [builtins.int(s) for s in split_sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                           f"but got split_sizes={sizes}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    return _split_apply(SplitWithSizesBackward0, input, dim, sizes)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` nearly equal pieces along ``dim`` (fewer if the dim is short)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    if n == 0:  # torch keeps the number of chunks: that many empty pieces
        return split_with_sizes(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``n`` nearly equal parts, or at the given indices (each part a slice)."""
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int | np.integer):
        k = builtins.int(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + n // k + (1 if i < n % k else 0))
    else:
        bounds = [0] + [builtins.int(i) for i in indices_or_sections] + [n]
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        a = min(max(a + n if a < 0 else a, 0), n)
        b = min(max(b + n if b < 0 else b, 0), n)
        pieces.append(view_apply(SliceBackward0, input, dim=dim, start=a, end=max(a, b), step=1))
    return tuple(pieces)


class UnbindBackward0(Function):
    """Every slice along a dim (that dim removed), each a view; backward stacks them."""

    def forward(self, x, dim=0):
        self.dim = dim
        before = (builtins.slice(None),) * dim
        return tuple(x[before + (i, Ellipsis)] for i in range(x.shape[dim]))

    def backward(self, *grads):
        return stack(grads, self.dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along ``dim``, that dim removed: ``x.unbind(0)`` is ``(x[0], x[1], ...)``."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(dim, input._data.ndim)
    pieces = UnbindBackward0.apply(input, dim=dim)
    for i, piece in enumerate(pieces):
        _mark_view(piece, input, ((SelectBackward0, dict(dim=dim, index=i)),))
    return pieces


class UnfoldBackward0(Function):
    """``x.unfold(dim, size, step)``: every window of ``size`` elements, ``step`` apart, as a
    new last dim (a view: the windows overlap in memory when ``step < size``)."""

    def forward(self, x, dim=0, size=1, step=1):
        self.input_shape, self.args = x.shape, (dim, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        count = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1:] + (
            x.strides[dim],)
        return array_module(x).lib.stride_tricks.as_strided(x, shape, strides)

    def backward(self, grad):
        return UnfoldBackwardBackward0.apply(grad, shape=self.input_shape, args=self.args)


class UnfoldBackwardBackward0(Function):
    """Add every window's gradient back where the window was taken from."""

    def forward(self, grad, shape=(), args=()):
        self.args = args
        dim, size, step = args
        out = array_module(grad).zeros(shape, grad.dtype)
        if not shape:
            out[...] = grad.reshape(())
            return out
        count = grad.shape[dim]
        before = (builtins.slice(None),) * dim
        for k in range(size):  # window position k of every window: a strided slice
            out[before + (builtins.slice(k, k + step * (count - 1) + 1, step),)] += grad[..., k]
        return out

    def backward(self, grad):
        return grad.unfold(*self.args)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Sliding windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
    shape = input._data.shape
    dim = wrap_dim(dimension, len(shape))
    length = shape[dim] if shape else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return view_apply(UnfoldBackward0, input, dim=dim, size=builtins.int(size),
                      step=builtins.int(step))


class DiagonalBackward0(Function):
    """A diagonal of a matrix (or of each matrix in a batch), as a view."""

    def forward(self, x, offset=0, dim1=0, dim2=1):
        self.input_shape, self.args = x.shape, (offset, dim1, dim2)
        out = x.diagonal(offset, dim1, dim2)
        if not getattr(out.flags, "writeable", True) and x.flags.writeable:
            out.flags.writeable = True  # NumPy hands out diagonals read-only; torch's are views
        return out

    def backward(self, grad):
        from .creation import zeros

        zero = zeros(self.input_shape, dtype=grad.dtype, device=grad.device)
        return diagonal_scatter(zero, grad, *self.args)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The elements ``x[i, i + offset]`` over dims ``dim1`` and ``dim2`` (a view, last dim)."""
    n = input._data.ndim
    dim1, dim2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return view_apply(DiagonalBackward0, input, offset=builtins.int(offset), dim1=dim1, dim2=dim2)


def _write_diagonal(out, src, offset: int, dim1: int, dim2: int) -> None:
    """``out.diagonal(offset, dim1, dim2)[...] = src`` (NumPy's diagonal is read-only)."""
    xp = array_module(out)
    view = xp.moveaxis(out, (dim1, dim2), (-2, -1))
    rows, cols = view.shape[-2:]
    first_row, first_col = (0, offset) if offset >= 0 else (-offset, 0)
    m = max(min(rows - first_row, cols - first_col), 0)
    view[..., xp.arange(first_row, first_row + m), xp.arange(first_col, first_col + m)] = src


class DiagonalScatterBackward0(Function):
    """A copy of ``input`` whose diagonal is replaced by ``src``."""

    def forward(self, x, src, offset=0, dim1=0, dim2=1):
        self.args = (offset, dim1, dim2)
        out = x.copy()
        _write_diagonal(out, src, offset, dim1, dim2)
        return out

    def backward(self, grad):
        need_x, need_src = self.needs_input_grad
        grad_x = grad_src = None
        if need_x:  # everything but the diagonal, which was overwritten
            from .creation import zeros_like

            grad_x = diagonal_scatter(grad, zeros_like(grad.diagonal(*self.args)), *self.args)
        if need_src:
            grad_src = grad.diagonal(*self.args)
        return grad_x, grad_src


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` written on the diagonal ``diagonal(offset, dim1, dim2)``."""
    n = input._data.ndim
    dim1, dim2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    expected = input.diagonal(offset, dim1, dim2).shape
    if tuple(src._data.shape) != tuple(expected):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(expected)}")
    return DiagonalScatterBackward0.apply(input, cast(src, input.dtype), offset=offset, dim1=dim1,
                                          dim2=dim2)


class DiagEmbedBackward0(Function):
    """Put the last dim of ``x`` on the diagonal of new square matrices (zeros elsewhere)."""

    def forward(self, x, offset=0, dim1=0, dim2=1):
        self.args = (offset, dim1, dim2)
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = array_module(x).zeros(shape, x.dtype)
        _write_diagonal(out, x, offset, dim1, dim2)
        return out

    def backward(self, grad):
        return grad.diagonal(*self.args)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with the last dim of ``input`` on their diagonal: ``(n,) -> (n, n)``."""
    n = input._data.ndim + 1
    dim1, dim2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbedBackward0.apply(input, offset=builtins.int(offset), dim1=dim1, dim2=dim2)


class DiagonalCopyBackward(Function):
    """``diag(matrix)``: a copy of the diagonal (torch calls it ``DiagonalBackward0_copy``)."""

    def forward(self, x, offset=0):
        self.input_shape, self.offset = x.shape, offset
        return x.diagonal(offset).copy()

    def backward(self, grad):
        from .creation import zeros

        zero = zeros(self.input_shape, dtype=grad.dtype, device=grad.device)
        return diagonal_scatter(zero, grad, self.offset)


DiagonalCopyBackward.__name__ = "DiagonalBackward0_copy"


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector gives a matrix with it on the diagonal; a matrix gives its diagonal (a copy)."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        return DiagonalCopyBackward.apply(input, offset=builtins.int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened ``input`` on the diagonal of a square matrix."""
    return diag_embed(input.reshape(-1), offset, 0, 1)


def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` output ``k`` varies along dim
    ``k``; with ``'xy'`` (NumPy's default) the first two dims are swapped."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.device != tensors[0].device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    shape = tuple(t._data.size for t in order)
    grids = []
    for i, t in enumerate(order):
        view_shape = [1] * len(order)
        view_shape[i] = -1
        grids.append(expand(view(t, view_shape), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of these shapes broadcast to."""
    shapes = [(s,) if isinstance(s, int | np.integer) else tuple(s) for s in shapes]
    if not shapes:
        return Size(())
    try:
        return Size(_broadcast(*shapes))
    except RuntimeError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape "
                           f"({', '.join(str(list(s)) for s in shapes)})") from None


def broadcast_tensors(*tensors) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views, no copies)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    shape = _broadcast(*[t._data.shape for t in tensors]) if tensors else ()
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def resize_(self: Tensor, *sizes) -> Tensor:
    """Give ``self`` a new shape in place, over the same memory where it fits.

    As in torch the elements stay in memory order: shrinking keeps the storage (growing
    back shows the old values again), growing copies into a larger storage (new elements
    are zero here; torch leaves them uninitialised).  Not differentiable.
    """
    from .creation import _size_arg

    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _size_arg(sizes, "resize_")
    data = self._data
    if data.shape != shape:
        storage, offset = _storage(data)
        n = builtins.int(np.prod(shape, dtype=np.int64))
        if offset + n > storage.size:  # grow: a larger copy of the storage
            grown = array_module(data).zeros(offset + n, data.dtype)
            grown[:storage.size] = storage
            storage = grown
        self._data = storage[offset:offset + n].reshape(shape)
    self._bump()
    return self


def resize_as_(self: Tensor, the_template: Tensor) -> Tensor:
    """``resize_`` to the shape of ``the_template``."""
    return resize_(self, the_template._data.shape)


def _storage(data):
    """The 1-D memory ``data`` lives in (the array that owns it) and its offset there."""
    root = data
    while getattr(root, "base", None) is not None and hasattr(root.base, "dtype"):
        root = root.base
    if root.dtype != data.dtype or not root.flags.c_contiguous:
        return data.reshape(-1).copy(), 0  # not a plain storage: a fresh copy of our elements
    from .._tensor import _address

    flat = root.reshape(-1)
    return flat, (_address(data) - _address(root)) // data.itemsize


# ---------------------------------------------------------------------- copies

def _legacy_empty(shape, ndim: int) -> bool:
    """torch skips 1-D empty tensors (the old "no shape" tensor) when joining bigger ones."""
    return len(shape) == 1 and shape[0] == 0 and ndim > 1


class CatBackward0(Function):
    """Join tensors along a dim; each input gets back its own slice of the gradient."""

    def forward(self, *xs, dim=0):
        self.dim = dim
        ndim = max(x.ndim for x in xs)
        self.skipped = [_legacy_empty(x.shape, ndim) for x in xs]
        kept = [x for x, skip in zip(xs, self.skipped) if not skip]
        self.sizes = [x.shape[dim] for x in kept]
        return array_module(kept[0]).concatenate(kept, axis=dim)

    def backward(self, grad):
        pieces = iter(grad.split(self.sizes, self.dim))
        return tuple(grad.new_zeros(0) if skip else next(pieces) for skip in self.skipped)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate along an existing dim; the other dims must match."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dtype = D.result_type(*tensors)
    ndim = max(t._data.ndim for t in tensors)
    kept = [(i, t) for i, t in enumerate(tensors) if not _legacy_empty(t._data.shape, ndim)]
    ref = kept[0][1]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = wrap_dim(dim, ref.ndim)
    for i, t in kept:
        shape = t._data.shape
        if len(shape) != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} "
                               f"and {len(shape)}")
        for d in range(ref.ndim):
            if d != dim and shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {shape[d]} for tensor number {i} in the list.")
    result = CatBackward0.apply(*[cast(t, dtype) for t in tensors], dim=dim)
    if out is not None:
        from .inplace import copy_into

        return copy_into(out, result)
    return result


concat = concatenate = cat


class StackBackward0(Function):
    """Join same-shaped tensors along a new dim; each input gets back its slice of the grad."""

    def forward(self, *xs, dim=0):
        self.dim = dim
        return array_module(xs[0]).stack(xs, axis=dim)

    def backward(self, grad):
        return grad.unbind(self.dim)


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors of the same shape along a new dim: n tensors ``(3,)`` -> ``(n, 3)``."""
    if isinstance(tensors, Tensor):
        raise TypeError("stack(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    dim = wrap_dim(dim, len(shape) + 1)
    dtype = D.result_type(*tensors)
    result = StackBackward0.apply(*[cast(t, dtype) for t in tensors], dim=dim)
    if out is not None:
        from .inplace import copy_into

        return copy_into(out, result)
    return result


def _tensor_list(tensors) -> list:
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        return list(tensors[0])
    return list(tensors)


def atleast_1d(*tensors) -> Tensor | tuple[Tensor, ...]:
    """0-d tensors become shape ``(1,)``; others are returned as they are."""
    out = [t.reshape(1) if t._data.ndim == 0 else t for t in _tensor_list(tensors)]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_2d(*tensors) -> Tensor | tuple[Tensor, ...]:
    """0-d tensors become ``(1, 1)``, 1-d ones ``(1, n)``."""
    out = [t.reshape(1, 1) if t._data.ndim == 0 else unsqueeze(t, 0) if t._data.ndim == 1
           else t for t in _tensor_list(tensors)]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_3d(*tensors) -> Tensor | tuple[Tensor, ...]:
    """0-d becomes ``(1, 1, 1)``, ``(n,)`` becomes ``(1, n, 1)``, ``(m, n)`` ``(m, n, 1)``."""
    def lift(t):
        n = t._data.ndim
        if n == 0:
            return t.reshape(1, 1, 1)
        if n == 1:
            return unsqueeze(unsqueeze(t, 0), -1)
        return unsqueeze(t, -1) if n == 2 else t

    out = [lift(t) for t in _tensor_list(tensors)]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def hstack(tensors, *, out=None) -> Tensor:
    """Join along dim 1 (dim 0 for vectors): side by side."""
    tensors = atleast_1d(*tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    """Join along dim 0, vectors becoming rows: one above the other."""
    return cat(atleast_2d(*tensors), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    """Join along dim 2 (depth), lifting inputs to 3-D first."""
    return cat(atleast_3d(*tensors), 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    """Vectors become columns, then everything is joined side by side."""
    columns = [t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(columns, 1, out=out)


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
    """``repeat``, with missing leading repeat counts taken as 1."""
    dims = tuple(dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


class FlipBackward0(Function):
    def forward(self, x, dims=()):
        self.dims = dims
        return array_module(x).flip(x, dims).copy()  # torch's flip copies

    def backward(self, grad):
        return grad.flip(self.dims)


def flip(input: Tensor, *dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy, unlike NumPy's view).

    ``x.flip(0, 1)`` and ``torch.flip(x, (0, 1))`` both work, as in torch."""
    n = input._data.ndim
    dims = _shape_arg(dims)
    return FlipBackward0.apply(input, dims=tuple(wrap_dim(d, n) for d in dims))


def fliplr(input: Tensor) -> Tensor:
    """Reverse the columns (dim 1)."""
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Reverse the rows (dim 0)."""
    return flip(input, (0,))


class RollBackward0(Function):
    """Shift elements along dims, wrapping around (no dims: along the flattened tensor)."""

    def forward(self, x, shifts=(), dims=None):
        self.shifts, self.dims = shifts, dims
        if dims is None:
            return array_module(x).roll(x, shifts[0])
        return array_module(x).roll(x, shifts, dims)

    def backward(self, grad):
        return grad.roll(tuple(-s for s in self.shifts), self.dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements by ``shifts`` along ``dims``; what falls off one end comes back in."""
    shifts = (shifts,) if isinstance(shifts, int | np.integer) else tuple(shifts)
    if dims is not None:
        dims = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    if len(shifts) != (1 if dims is None else len(dims)):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{0 if dims is None else len(dims)}")
    if dims is not None:
        dims = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    return RollBackward0.apply(input, shifts=tuple(builtins.int(s) for s in shifts), dims=dims)


class SumToSizeBackward(Function):
    """Sum a broadcast gradient back to the shape of the input it came from.

    The sum keeps its dims (``(2, 3, 4) -> (1, 3, 1)``), as torch's ``sum(dims, keepdim=True)``
    does; ``sum_to_size`` then views away the leading ones.
    """

    def forward(self, x, shape=()):
        self.input_shape = x.shape
        axes = sum_to_axes(x.shape, shape)
        return x.sum(axis=axes, keepdims=True) if axes else x.view()

    def backward(self, grad):
        return grad.expand(self.input_shape)


SumToSizeBackward.__name__ = "SumBackward1"


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum dims so the result has shape ``size`` (the inverse of broadcasting)."""
    shape = _shape_arg(size)
    if tuple(input._data.shape) == shape:
        return input
    if sum_to_axes(input._data.shape, shape) is None:
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(input._data.shape)}}}.")
    out = SumToSizeBackward.apply(input, shape=shape)
    return view(out, shape) if input._data.ndim != len(shape) else out


__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
    "broadcast_to", "cat", "chunk", "column_stack", "concat", "concatenate", "diag", "diag_embed",
    "diagflat", "diagonal", "diagonal_scatter", "dstack", "expand", "expand_as", "flatten", "flip",
    "fliplr", "flipud", "hstack", "meshgrid", "moveaxis", "movedim", "narrow", "permute", "ravel",
    "repeat", "reshape", "reshape_as", "roll", "row_stack", "select", "split", "split_with_sizes",
    "squeeze", "stack", "swapaxes", "swapdims", "t", "tensor_split", "tile", "transpose", "unbind",
    "unflatten", "unsqueeze", "view_as", "vstack"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["broadcast_to", "chunk", "diag", "diag_embed", "diagflat", "diagonal",
    "diagonal_scatter", "expand", "expand_as", "flatten", "flip", "fliplr", "flipud", "moveaxis",
    "movedim", "narrow", "permute", "ravel", "repeat", "reshape", "reshape_as", "resize_",
    "resize_as_", "roll", "select", "split", "split_with_sizes", "squeeze", "sum_to_size",
    "swapaxes", "swapdims", "t", "tensor_split", "tile", "transpose", "unbind", "unflatten",
    "unfold", "unsqueeze", "view_as"]
INPLACE_VARIANTS = []
