"""Convolutions: ``conv1d``, ``conv2d``, ``conv3d``, their transposes, and ``convolution``.

What a convolution computes
---------------------------
A 2-D convolution slides a small kernel over an image.  With an input ``x`` of shape
``(N, C, H, W)`` (N images, C channels) and a weight ``w`` of shape ``(O, C, kH, kW)``
(O output channels, each a stack of C kernels), output channel ``o`` at ``(i, j)`` is::

    y[n, o, i, j] = b[o] + sum over c, p, q of  x[n, c, i*s + p*d, j*s + q*d] * w[o, c, p, q]

after ``x`` is zero-padded on each side (``padding``); ``s`` is the stride (how far the
window moves) and ``d`` the dilation (the gap between the kernel's taps).  The output
has ``Ho = (H + 2*padding - d*(kH - 1) - 1) // s + 1`` rows, and likewise ``Wo``.

Six nested Python loops would take minutes.  The trick is to turn the whole thing into
*one matrix product*, which BLAS (or cuBLAS on a GPU) runs at full speed:

1. pad         x  (N, C, H, W)         -> xp (N, C, H + 2p, W + 2p)
2. windows     sliding_window_view(xp) -> (N, C, Ho, Wo, kH, kW)
               a *view*: every window of every image, without copying anything
3. im2col      transpose + reshape     -> cols (C*kH*kW, N*Ho*Wo)
               the one copy: column k holds the C*kH*kW numbers under window k
4. multiply    w.reshape(O, C*kH*kW) @ cols          -> (O, N*Ho*Wo)
               row o of the weight matrix dotted with every window at once
5. reshape     (O, N, Ho, Wo) -> transpose -> y (N, O, Ho, Wo), then add the bias

The columns take ``kH*kW`` times the memory of the input, so big batches are cut into
chunks that each stay under ``_CHUNK_ELEMENTS`` numbers.  (Measured alternatives, for
(64, 64, 32, 32) * 64x3x3 on 2 cores: ``tensordot`` or ``einsum`` straight on the window
view copy the windows in a slower order or need more memory; adding one matrix product
per kernel offset copies a shifted input kH*kW times.  This order of the columns was
the fastest; the code also picks the order of the N*Ho*Wo columns, see "batch last".)

Backward
--------
``y`` is linear in ``x`` and in ``w``, so both gradients are matrix products too:

* grad_weight = grad_y (O, N*Ho*Wo) @ cols.T -> (O, C*kH*kW): the same columns again;
* grad_input: w.T @ grad_y gives columns (C*kH*kW, N*Ho*Wo), one per window, saying how
  much each input under that window should change.  *col2im* adds every column back
  where its window came from.  Windows overlap, so one pixel collects from several
  windows; we loop over the kH*kW kernel offsets (not over pixels), each step adding a
  strided slice.  This is a *transposed convolution*: ``conv_transpose2d`` is exactly
  this computation, used as a layer that upsamples.
* grad_bias = grad_y summed over everything but the channel.

Each of these is again a convolution-like op with its own backward
(``ConvolutionBackward0`` for the input side, ``ConvolutionBackwardBackward0`` for the
weight side), so gradients of gradients work (``create_graph=True``).

Groups split the channels into G independent convolutions (``groups=C`` is a
*depthwise* convolution, one kernel per channel); the matrices get a leading G axis
and the products become batched ``matmul``\\ s.  Everything here is written once
against the array module ``xp`` (NumPy or CuPy) and works for 1, 2 or 3 spatial dims.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Function

# At most 16M numbers (64 MiB of float32) of columns at a time.  Columns made in one piece
# are kept for the weight gradient; at 8M, Inception's 88->20 5x5 layer (9M at batch 64)
# was cut in two and its columns built twice, and a training step took 11% longer.
_CHUNK_ELEMENTS = 1 << 24


# ---------------------------------------------------------------------- geometry

@dataclass(frozen=True)
class ConvGeometry:
    """Where the windows sit: one entry per spatial dim in every field.

    ``input_size`` is the spatial size of the convolution's (large) input and
    ``output_size`` that of its (small) output; a transposed convolution goes the
    other way over the same geometry.  ``padding`` holds ``(before, after)`` pairs,
    which differ for ``padding='same'`` with an even kernel.
    """

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    input_size: tuple
    output_size: tuple

    @property
    def spans(self) -> tuple:
        """How far each window reaches: a dilated kernel of k taps covers d*(k-1)+1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))

    @property
    def padded_size(self) -> tuple:
        return tuple(n + lo + hi for n, (lo, hi) in zip(self.input_size, self.padding))

    @property
    def pointwise(self) -> bool:
        """A 1x1 convolution with stride 1 and no padding: a matrix product per image,
        with no windows to gather at all (Inception's bottlenecks)."""
        return (all(k == 1 for k in self.kernel) and all(s == 1 for s in self.stride)
                and all(p == (0, 0) for p in self.padding))

    def offset_slices(self, offset: tuple) -> tuple:
        """For one kernel tap, the slice of the padded input it reads at every output."""
        return tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, d, s, o in
                     zip(offset, self.dilation, self.stride, self.output_size))


def _output_length(n: int, k: int, s: int, pad: tuple, d: int) -> int:
    return (n + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def _prod(values) -> int:
    return math.prod(values)


# ------------------------------------------------------------ array-level kernels
# x: (N, C, *S) the large side; gy: (N, O, *So) the small side; w: (O, C/G, *K).
#
# The N * prod(So) columns can be listed image by image, (N, *So), or position by
# position, (*So, N) ("batch last").  NumPy copies fastest in long contiguous runs:
# image by image, a run is one output row (Wo numbers); batch last, Wo * N numbers, but
# x and y must be transposed first.  Measured on the seed CNN, batch last is about 2x
# faster for short rows (Wo < 16) and slower for long ones, so we pick by row length.

_SHORT_ROW = 16


def _batch_last(geometry: ConvGeometry, n: int) -> bool:
    return n > 1 and geometry.output_size[-1] < _SHORT_ROW


def _channels_first(a, batch_last: bool):
    """(N, C, *S) -> (C, N, *S), or (C, *S, N) batch last: a view."""
    return array_module(a).moveaxis(a, 0, -1) if batch_last else a.swapaxes(0, 1)


def _batch_first(a, batch_last: bool):
    """The inverse of _channels_first: back to (N, C, *S)."""
    return array_module(a).moveaxis(a, -1, 0) if batch_last else a.swapaxes(0, 1)


def _spatial_axes(d: int, batch_last: bool) -> tuple:
    """Where the spatial dims are in the channels-first layout."""
    return tuple(range(1, 1 + d)) if batch_last else tuple(range(2, 2 + d))


def _at(ndim: int, axes: tuple, slices: tuple) -> tuple:
    """An index taking ``slices`` on ``axes`` and everything on the other dims."""
    index = [slice(None)] * ndim
    for axis, s in zip(axes, slices):
        index[axis] = s
    return tuple(index)


def _pad(x, padding: tuple, value=0, axes: tuple | None = None):
    """Pad ``axes`` (default: the last len(padding) dims) with ``value``, (before, after)."""
    if all(lo == 0 and hi == 0 for lo, hi in padding):
        return x
    xp = array_module(x)
    axes = axes if axes is not None else tuple(range(x.ndim - len(padding), x.ndim))
    shape = list(x.shape)
    for axis, (lo, hi) in zip(axes, padding):
        shape[axis] += lo + hi
    out = xp.full(shape, value, dtype=x.dtype)
    out[_at(x.ndim, axes, tuple(slice(lo, lo + x.shape[a]) for a, (lo, _) in
                                zip(axes, padding)))] = x
    return out


def windows(x_padded, geometry: ConvGeometry, axes: tuple):
    """Every window of an already padded input, as a view: ``axes`` become the output
    positions *So and the kernel taps *K are appended as the last dims."""
    xp = array_module(x_padded)
    view = xp.lib.stride_tricks.sliding_window_view(x_padded, geometry.spans, axis=axes)
    starts = tuple(slice(0, s * (o - 1) + 1, s) for s, o in
                   zip(geometry.stride, geometry.output_size))
    taps = tuple(slice(None, None, dil) for dil in geometry.dilation)
    d = len(taps)
    return view[_at(view.ndim, axes + tuple(range(view.ndim - d, view.ndim)), starts + taps)]


def im2col(x, geometry: ConvGeometry, groups: int, batch_last: bool = False):
    """x (N, C, *S) -> columns (G, C/G * prod(K), N * prod(So)), one column per window."""
    xp = array_module(x)
    n, c = x.shape[:2]
    d = len(geometry.kernel)
    axes = _spatial_axes(d, batch_last)
    padded = _pad(_channels_first(x, batch_last), geometry.padding, axes=axes)
    if batch_last:
        padded = xp.ascontiguousarray(padded)                       # (C, *Sp, N)
    win = windows(padded, geometry, axes)                           # (C, [N, *So], *K)
    win = win.reshape(groups, c // groups, *win.shape[1:])          # (G, C/G, [N, *So], *K)
    k_axes = tuple(range(3 + d, 3 + 2 * d))
    win = win.transpose(0, 1, *k_axes, *range(2, 3 + d))            # (G, C/G, *K, [N, *So])
    return win.reshape(groups, (c // groups) * _prod(geometry.kernel),
                       n * _prod(geometry.output_size))


def col2im(cols, geometry: ConvGeometry, n: int, c: int, batch_last: bool = False):
    """The adjoint of im2col: add each column back into its window -> (N, C, *S).

    Overlapping windows add up.  The loop runs over the kernel offsets: for offset k,
    the k-th entry of every column lands on one strided slice of the padded input.
    """
    xp = array_module(cols)
    kernel, so = geometry.kernel, geometry.output_size
    axes = _spatial_axes(len(kernel), batch_last)
    if batch_last:
        cols = cols.reshape(c, *kernel, *so, n)
        acc = xp.zeros((c, *geometry.padded_size, n), dtype=cols.dtype)
    else:
        cols = cols.reshape(c, *kernel, n, *so)
        acc = xp.zeros((c, n, *geometry.padded_size), dtype=cols.dtype)
    for offset in itertools.product(*(range(k) for k in kernel)):
        acc[_at(acc.ndim, axes, geometry.offset_slices(offset))] += cols[(slice(None), *offset)]
    inner = tuple(slice(lo, lo + size) for size, (lo, _) in
                  zip(geometry.input_size, geometry.padding))
    return xp.ascontiguousarray(_batch_first(acc[_at(acc.ndim, axes, inner)], batch_last))


def _grouped(gy, groups: int, batch_last: bool = False):
    """gy (N, O, *So) -> (G, O/G, N * prod(So)): the output side as matrices."""
    n, o = gy.shape[:2]
    return _channels_first(gy, batch_last).reshape(groups, o // groups, n * _prod(gy.shape[2:]))


def _batch_chunks(n: int, per_image: int):
    """Slices of the batch whose columns fit in _CHUNK_ELEMENTS numbers."""
    step = max(1, _CHUNK_ELEMENTS // max(1, per_image))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)] or [slice(0, 0)]


def _cols_per_image(geometry: ConvGeometry, channels: int) -> int:
    return channels * _prod(geometry.kernel) * _prod(geometry.output_size)


def _pointwise_matrices(a, groups: int):
    """(N, C, *S) -> (N, G, C/G, prod(S)): each image as G matrices, a free view."""
    n, c = a.shape[:2]
    return a.reshape(n, groups, c // groups, -1)


def conv_forward(x, w, geometry: ConvGeometry, groups: int, keep_columns: bool = False):
    """y = conv(x, w): x (N, C, *S), w (O, C/G, *K) -> y (N, O, *So).

    With ``keep_columns`` it returns ``(y, cols)``: the im2col columns, when they were
    made in one piece, so that the weight gradient can reuse them (else ``None``).
    """
    xp = array_module(x)
    n, o = x.shape[0], w.shape[0]
    wm = w.reshape(groups, o // groups, -1)                       # (G, O/G, C/G * prod(K))
    if geometry.pointwise:                                        # y_n = w @ x_n
        y = xp.matmul(wm, _pointwise_matrices(x, groups)).reshape(n, o, *geometry.output_size)
        return (y, None) if keep_columns else y
    batch_last = _batch_last(geometry, n)
    y = xp.empty((n, o, *geometry.output_size), dtype=x.dtype)
    parts = _batch_chunks(n, _cols_per_image(geometry, x.shape[1]))
    for part in parts:
        cols = im2col(x[part], geometry, groups, batch_last)       # (G, C/G * K, n * L)
        out = xp.matmul(wm, cols)                                  # (G, O/G, n * L)
        m = y[part].shape[0]
        shape = (*geometry.output_size, m) if batch_last else (m, *geometry.output_size)
        y[part] = _batch_first(out.reshape(o, *shape), batch_last)
    if keep_columns:
        return y, (cols if len(parts) == 1 else None)
    return y


def _full_convolution_geometry(geometry: ConvGeometry) -> ConvGeometry | None:
    """With stride 1, the transposed convolution is an ordinary one (see below): this is
    its geometry, gy padded by ``d*(k-1) - p`` on each side, or None if it has none."""
    if any(s != 1 for s in geometry.stride):
        return None
    padding = tuple((d * (k - 1) - lo, d * (k - 1) - hi) for k, d, (lo, hi) in
                    zip(geometry.kernel, geometry.dilation, geometry.padding))
    if any(lo < 0 or hi < 0 for lo, hi in padding):
        return None
    return ConvGeometry(geometry.kernel, geometry.stride, padding, geometry.dilation,
                        input_size=geometry.output_size, output_size=geometry.input_size)


def _flipped_transposed_kernel(w, groups: int):
    """w (O, C/G, *K) -> (C, O/G, *K) with every kernel turned by 180 degrees.

    Input pixel j of a stride-1 convolution fed the outputs j - t (for each tap t) with
    weight w[t]; read from j's side, that is a convolution of gy with the kernel
    reversed, and input and output channels trade places.  So when the columns of gy
    are smaller than col2im's columns, the input gradient is computed as a forward
    convolution (one gather and one matrix product instead of kH*kW scattered adds).
    """
    o, c_per_group = w.shape[:2]
    kernel = w.shape[2:]
    swapped = w.reshape(groups, o // groups, c_per_group, *kernel).swapaxes(1, 2)
    flipped = swapped[(Ellipsis,) + (slice(None, None, -1),) * len(kernel)]
    return array_module(w).ascontiguousarray(flipped).reshape(
        c_per_group * groups, o // groups, *kernel)


def conv_input_grad(gy, w, geometry: ConvGeometry, groups: int):
    """The transposed convolution: gy (N, O, *So), w (O, C/G, *K) -> (N, C, *S)."""
    xp = array_module(gy)
    n, o = gy.shape[:2]
    c = w.shape[1] * groups
    wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)   # (G, C/G * K, O/G)
    if geometry.pointwise:                                        # x_n = w.T @ gy_n
        return xp.matmul(wt, _pointwise_matrices(gy, groups)).reshape(n, c, *geometry.input_size)
    full = _full_convolution_geometry(geometry)
    if full is not None and o * _prod(geometry.input_size) <= c * _prod(geometry.output_size):
        return conv_forward(gy, _flipped_transposed_kernel(w, groups), full, groups)
    batch_last = _batch_last(geometry, n)
    x = xp.empty((n, c, *geometry.input_size), dtype=gy.dtype)
    for part in _batch_chunks(n, _cols_per_image(geometry, c)):
        cols = xp.matmul(wt, _grouped(gy[part], groups, batch_last))  # (G, C/G * K, n * L)
        x[part] = col2im(cols, geometry, x[part].shape[0], c, batch_last)
    return x


def conv_weight_grad(x, gy, geometry: ConvGeometry, groups: int, cols=None):
    """dL/dw given the input x (N, C, *S) and dL/dy (N, O, *So) -> (O, C/G, *K).

    ``cols``: the forward's im2col columns of the whole ``x``, if it kept them.
    """
    xp = array_module(x)
    c, o = x.shape[1], gy.shape[1]
    if geometry.pointwise:                                        # sum over n of gy_n @ x_n.T
        products = xp.matmul(_pointwise_matrices(gy, groups),
                             _pointwise_matrices(x, groups).swapaxes(-1, -2))
        return products.sum(0).reshape(o, c // groups, *geometry.kernel)
    batch_last = _batch_last(geometry, x.shape[0])
    gw = xp.zeros((groups, o // groups, (c // groups) * _prod(geometry.kernel)), dtype=x.dtype)
    parts = _batch_chunks(x.shape[0], _cols_per_image(geometry, c))
    for part in parts:
        if cols is None or len(parts) != 1:
            cols = im2col(x[part], geometry, groups, batch_last)   # (G, C/G * K, n * L)
        gw += xp.matmul(_grouped(gy[part], groups, batch_last), cols.transpose(0, 2, 1))
    return gw.reshape(o, c // groups, *geometry.kernel)


# ------------------------------------------------------------------- autograd nodes

class ConvolutionBackward0(Function):
    """A convolution (or, with ``transposed=True``, a transposed convolution) plus bias.

    Its backward is made of the same two operations: the input gradient of a
    convolution is a transposed convolution and vice versa, and the weight gradient
    is ``ConvolutionBackwardBackward0``.  All are differentiable, so double backward
    works.
    """

    def forward(self, x, w, b=None, geometry=None, groups=1, transposed=False):
        self.geometry, self.groups, self.transposed = geometry, groups, transposed
        self.save_for_backward(x, w)
        self.columns = None
        if transposed:
            y = conv_input_grad(x, w, geometry, groups)
        else:  # keep the im2col columns: the weight gradient needs exactly these again
            y, self.columns = conv_forward(x, w, geometry, groups, keep_columns=True)
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y

    def backward(self, grad):
        x, w = self.saved_tensors
        need_x, need_w, need_b = self.needs_input_grad
        geometry, groups, transposed = self.geometry, self.groups, self.transposed
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_x = ConvolutionBackward0.apply(grad, w, None, geometry=geometry, groups=groups,
                                                transposed=not transposed)
        if need_w:
            big, small = (grad, x) if transposed else (x, grad)
            # The kept columns serve this one backward; let them go with it (a second
            # backward through a retained graph makes them again).
            columns, self.columns = self.columns, None
            grad_w = ConvolutionBackwardBackward0.apply(big, small, geometry=geometry,
                                                        groups=groups, columns=columns)
        if need_b:
            grad_b = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return grad_x, grad_w, grad_b


class ConvolutionBackwardBackward0(Function):
    """The weight gradient of a convolution: ``sum over n, i of gy[n, o, i] * window_i(x)``.

    It is linear in both ``x`` (the large side) and ``gy`` (the small side): its own
    gradients are a transposed convolution (for ``x``) and a convolution (for ``gy``).
    PyTorch prints this name for nodes created by a convolution's backward.
    """

    def forward(self, x, gy, geometry=None, groups=1, columns=None):
        self.geometry, self.groups = geometry, groups
        self.save_for_backward(x, gy)
        return conv_weight_grad(x, gy, geometry, groups, cols=columns)

    def backward(self, grad):
        x, gy = self.saved_tensors
        need_x, need_gy = self.needs_input_grad
        geometry, groups = self.geometry, self.groups
        grad_x = grad_gy = None
        if need_x:
            grad_x = ConvolutionBackward0.apply(gy, grad, None, geometry=geometry, groups=groups,
                                                transposed=True)
        if need_gy:
            grad_gy = ConvolutionBackward0.apply(x, grad, None, geometry=geometry, groups=groups,
                                                 transposed=False)
        return grad_x, grad_gy


# ------------------------------------------------------------ argument checking

def _expand(value, d: int, name: str) -> tuple:
    """An int, or a sequence of 1 or d ints, as a d-tuple (torch accepts all three)."""
    if isinstance(value, int):
        return (value,) * d
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * d
    if len(values) != d:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {d} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(values)}")
    return values


def _padding_pairs(padding, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """``padding`` (int, ints, 'same' or 'valid') as ``(before, after)`` pairs."""
    d = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}' (use 'same', 'valid', an "
                               "int or a tuple of ints)")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # the output keeps the input's size: pad d*(k-1) in total, the extra one after
        totals = [dil * (k - 1) for k, dil in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    pads = _expand(padding, d, "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in pads)


def _sizes(shape) -> str:
    return " x ".join(str(s) for s in shape)


def _c_type(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int"}.get(t.dtype.name, t.dtype.name)


def _check_tensors(name: str, x: Tensor, w: Tensor, bias: Tensor | None) -> None:
    if x.dtype.name == "bool" or w.dtype.name == "bool":
        raise NotImplementedError(f"\"{name}\" not implemented for 'Bool': convert the tensors "
                                  "with .float()")
    if x._data.dtype != w._data.dtype:
        raise RuntimeError(f"expected scalar type {w.dtype.legacy_name} but found "
                           f"{x.dtype.legacy_name}: the input ({x.dtype}) and the weight "
                           f"({w.dtype}) must have the same dtype, e.g. x.float()")
    if bias is not None and bias._data.dtype != x._data.dtype:
        raise RuntimeError(f"Input type ({_c_type(x)}) and bias type ({_c_type(bias)}) should be "
                           "the same")


def _check_options(stride: tuple, dilation: tuple, groups: int) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_bias(bias: Tensor | None, w: Tensor, channels: int) -> None:
    if bias is not None and tuple(bias._data.shape) != (channels,):
        raise RuntimeError(f"Given weight of size {list(w._data.shape)}, expected bias to be "
                           f"1-dimensional with {channels} elements, but got bias of size "
                           f"{list(bias._data.shape)} instead")


def _batched(input: Tensor, d: int, name: str) -> bool:
    """Check the input's number of dims; True if it has a batch dim."""
    ndim = input._data.ndim
    if ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input._data.shape)}")
    return ndim == d + 2


def _check_weight(w: Tensor, d: int, name: str) -> None:
    if w._data.ndim != d + 2:
        kernel = ", ".join(["k"] * d)
        raise RuntimeError(f"{name} expects a {d + 2}-D weight (out_channels, "
                           f"in_channels / groups, {kernel}), but got weight of size "
                           f"{list(w._data.shape)}")


def _conv(input: Tensor, weight: Tensor, bias, stride, padding, dilation, groups: int,
          d: int, name: str) -> Tensor:
    """conv1d/2d/3d: check everything, then one ConvolutionBackward0."""
    batched = _batched(input, d, name)
    _check_weight(weight, d, name)
    _check_tensors(name, input, weight, bias)
    if not batched:  # torch: an unbatched input is a batch of one, squeezed afterwards
        return _conv(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups, d,
                     name).squeeze(0)
    stride = _expand(stride, d, "stride")
    dilation = _expand(dilation, d, "dilation")
    _check_options(stride, dilation, groups)
    kernel = tuple(weight._data.shape[2:])
    pads = _padding_pairs(padding, kernel, stride, dilation)
    out_channels, in_per_group = weight._data.shape[:2]
    shape = tuple(input._data.shape)
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight._data.shape)} "
                           "instead")
    if shape[1] != in_per_group * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight._data.shape)}, "
                           f"expected input{list(shape)} to have {in_per_group * groups} "
                           f"channels, but got {shape[1]} channels instead")
    _check_bias(bias, weight, out_channels)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(shape[2:], pads))
    spans = tuple(dil * (k - 1) + 1 for k, dil in zip(kernel, dilation))
    if any(p < s for p, s in zip(padded, spans)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_sizes(padded)}). "
                           f"Kernel size: ({_sizes(spans)}). Kernel size can't be greater than "
                           "actual input size")
    out_size = tuple(_output_length(n, k, s, p, dil) for n, k, s, p, dil in
                     zip(shape[2:], kernel, stride, pads, dilation))
    geometry = ConvGeometry(kernel, stride, pads, dilation, shape[2:], out_size)
    return ConvolutionBackward0.apply(input, weight, bias, geometry=geometry, groups=groups,
                                      transposed=False)


def _conv_transpose(input: Tensor, weight: Tensor, bias, stride, padding, output_padding,
                    groups: int, dilation, d: int, name: str) -> Tensor:
    """conv_transpose1d/2d/3d: the geometry of the convolution it is the transpose of."""
    batched = _batched(input, d, name)
    _check_weight(weight, d, name)
    _check_tensors(name, input, weight, bias)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if not batched:
        return _conv_transpose(input.unsqueeze(0), weight, bias, stride, padding,
                               output_padding, groups, dilation, d, name).squeeze(0)
    stride = _expand(stride, d, "stride")
    dilation = _expand(dilation, d, "dilation")
    extra = _expand(output_padding, d, "output_padding")
    _check_options(stride, dilation, groups)
    pads = _padding_pairs(padding, tuple(weight._data.shape[2:]), stride, dilation)
    if any(e >= s and e >= dil for e, s, dil in zip(extra, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but "
                           f"got output_padding={list(extra)}, stride={list(stride)}, "
                           f"dilation={list(dilation)}")
    in_channels, out_per_group = weight._data.shape[:2]
    shape = tuple(input._data.shape)
    if in_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {list(weight._data.shape)} "
                           "instead")
    if shape[1] != in_channels:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight._data.shape)}, "
                           f"expected input{list(shape)} to have {in_channels} channels, but got "
                           f"{shape[1]} channels instead")
    _check_bias(bias, weight, out_per_group * groups)
    kernel = tuple(weight._data.shape[2:])
    out_size = tuple((n - 1) * s - lo - hi + dil * (k - 1) + 1 + e for n, s, (lo, hi), dil, k, e
                     in zip(shape[2:], stride, pads, dilation, kernel, extra))
    if any(o <= 0 for o in out_size):
        raise RuntimeError(f"Given input size per channel: ({_sizes(shape[2:])}). Calculated "
                           f"output size per channel: ({_sizes(out_size)}). Output size is too "
                           "small")
    geometry = ConvGeometry(kernel, stride, pads, dilation, out_size, shape[2:])
    return ConvolutionBackward0.apply(input, weight, bias, geometry=geometry, groups=groups,
                                      transposed=True)


# ------------------------------------------------------------------ public functions

def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, k) -> (N, O, Lo)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D convolution: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW).

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output as large as
    the input; stride 1 only).  The output has shape (N, O, Ho, Wo).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D convolution: input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kD, kH, kW)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution (the gradient of conv1d): weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-D convolution, an upsampling layer: weight (C_in, C_out/groups, kH, kW).

    Each input pixel stamps a weighted copy of the kernel onto the output, ``stride``
    pixels apart; overlapping stamps add up.  The output has
    ``(H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1`` rows.
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 3-D convolution: weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation,
                transposed: bool, output_padding, groups: int) -> Tensor:
    """Any of the above, chosen by the weight's dims and ``transposed`` (torch.convolution)."""
    d = weight._data.ndim - 2
    if d not in (1, 2, 3):
        raise RuntimeError(f"convolution expects a 3-D, 4-D or 5-D weight, but got weight of "
                           f"size {list(weight._data.shape)}")
    if transposed:
        return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                               dilation, d, f"conv_transpose{d}d")
    return _conv(input, weight, bias, stride, padding, dilation, groups, d, f"conv{d}d")


# ``convolution`` stays out of __all__: as ``tensorkit.ops.convolution`` it would hide
# this module.
__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]
TENSOR_METHODS: list = []
INPLACE_VARIANTS: list = []
