"""Pooling: shrink feature maps by summarising each window with its maximum or its mean.

``max_pool2d(x, 2)`` cuts every (H, W) plane of ``x`` into 2x2 windows and keeps the
largest number of each: the output is half as high and half as wide, and a feature
that moved by a pixel still gives the same answer.  ``avg_pool2d`` keeps the mean
instead.  Windows are described as in a convolution (``kernel_size``, ``stride``,
``padding``, ``dilation``, see ``ops/convolution.py``), but there are no weights and
every channel is pooled on its own.

How it is computed
------------------
A window of kH x kW has kH*kW *taps* (positions inside it).  For one tap, the values
it sees at every output position form a strided slice of the padded input, e.g. for
2x2 windows with stride 2 the top-left taps are ``x[..., 0::2, 0::2]``.  So instead
of looping over the windows we loop over the few taps, each step one vectorised
operation on a whole slice:

* max: the running maximum over the taps (NumPy's ``maximum``), then which tap won;
* avg: the running sum over the taps, divided by the window size.

(For windows side by side one could also reshape (H, W) to (Ho, kH, Wo, kW) and take
``.max(axis=(-3, -1))``, but NumPy reduces such small strided axes slowly: on
(64, 10, 24, 24) with 2x2 windows, 18 ms against 0.3 ms for the four taps.)

Backward
--------
* max: only the winning input of each window gets the gradient.  We keep, for each
  output, the index of its winner in the input plane (the ``indices`` that
  ``return_indices=True`` gives, ``row * W + col`` as in torch) and send the gradient
  there.  That is a *scatter*; the scatter's own backward is the matching *gather*.
* avg: each input of a window gets ``grad / window_size``: the same tap loop, adding
  slices instead of reading them.

Adaptive pooling picks the windows for you so that the output has a given size:
window i covers rows ``floor(i*H/Ho)`` to ``ceil((i+1)*H/Ho)``.  An average over such a
window is a product with an averaging matrix on each side: ``Ph @ x @ Pw.T``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Function
from .convolution import ConvGeometry, _pad

# ------------------------------------------------------------------ arguments

def _ints(value, d: int, what: str, name: str, allow_empty: bool = False) -> tuple | None:
    """An int or a sequence of 1 or d ints as a d-tuple (None for an omitted stride)."""
    if value is None or (allow_empty and isinstance(value, tuple | list) and len(value) == 0):
        return None
    if isinstance(value, int | np.integer):
        return (int(value),) * d
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * d
    if len(values) != d:
        many = "a tuple of two ints" if d == 2 else "a tuple of ints of size 1"
        raise RuntimeError(f"{name}: {what} must either be a single int, or {many}, but got "
                           f"{what}={list(values)}")
    return values


def _pool_length(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """How many windows fit (torch's rule; in ceil mode a last partial window counts,
    as long as it starts inside the input or its left padding)."""
    span = d * (k - 1) + 1
    out = (n + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_geometry(name: str, x: Tensor, kernel_size, stride, padding, dilation,
                   ceil_mode: bool) -> ConvGeometry:
    """Check the pooling options and work out where the windows sit in (H, W)."""
    kernel = _ints(kernel_size, 2, "kernel_size", name)
    stride = _ints(stride, 2, "stride", name, allow_empty=True) or kernel
    pads = _ints(padding, 2, "padding", name)
    dilation = _ints(dilation, 2, "dilation", name)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should not be zero (got stride={list(stride)})")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                           f"got padW = {pads[1]}, padH = {pads[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    size = tuple(x._data.shape[-2:])
    out = tuple(_pool_length(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(size, kernel, stride, pads, dilation))
    if any(o < 1 for o in out):
        c = x._data.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{size[0]}x{size[1]}). Calculated output "
                           f"size: ({c}x{out[0]}x{out[1]}). Output size is too small")
    # pad after as far as the last (ceil mode: partial) window reaches
    after = tuple(max(0, (o - 1) * s + d * (k - 1) + 1 - n - p) for o, s, d, k, n, p in
                  zip(out, stride, dilation, kernel, size, pads))
    return ConvGeometry(kernel, stride, tuple(zip(pads, after)), dilation, size, out)


def _check_input(name: str, x: Tensor, d: int = 2) -> None:
    """Pooling takes (C, *S) or (N, C, *S), with no empty dim except the batch."""
    shape = list(x._data.shape)
    if len(shape) not in (d + 1, d + 2):
        raise RuntimeError(f"{name}: Expected {d + 1}D or {d + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: {shape}")
    if any(s == 0 for s in shape[-d - 1:]):
        raise RuntimeError(f"{name}: Expected {d + 1}D or {d + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: {shape} (only the "
                           "batch dim may be empty)")
    if x.dtype.name == "bool":
        raise NotImplementedError(f"\"{name}\" not implemented for 'Bool': convert the input "
                                  "with .float()")


def _taps(kernel: tuple):
    """Every position (p, q) inside a kH x kW window, row by row."""
    return itertools.product(range(kernel[0]), range(kernel[1]))


# --------------------------------------------------------- max: forward, scatter, gather

def _max_over_taps(taps):
    """The largest value over the taps and, for each output, the index of the first tap
    holding it: ``taps`` is a list of (values, index) pairs, ``index`` giving each output's
    input position for that tap (an array of the output plane's shape, or broadcastable).

    NaN wins, as in torch: a window with a NaN has max NaN (and its index).
    """
    xp = array_module(taps[0][0])
    best = taps[0][0] if len(taps) > 1 else taps[0][0].copy()  # never a view of the input
    for values, _ in taps[1:]:
        best = xp.maximum(best, values)   # propagates NaN
    # Which tap won, as a small tap number (cheap to write), the earliest match last.
    # (xp.where, not copyto(..., where=): NumPy's masked copy is several times slower)
    kind = np.int16 if len(taps) < 2**15 else np.int64
    won = xp.full(best.shape, len(taps) - 1, dtype=kind)
    for number in range(len(taps) - 2, -1, -1):
        won = xp.where(taps[number][0] == best, kind(number), won)
    if best.dtype.kind == "f" and xp.isnan(best).any():
        for number, (values, _) in enumerate(taps):  # as in torch, the last NaN wins
            won = xp.where(xp.isnan(values), kind(number), won)
    # Tap number -> input position: one lookup in the (taps, output plane) table.
    plane = best.shape[-2:]
    table = xp.stack([xp.broadcast_to(xp.asarray(index, dtype=np.int64), plane)
                      for _, index in taps]).reshape(len(taps), -1)
    size = table.shape[1]
    lookup = won.reshape(-1, size).astype(np.int64)
    lookup *= size
    lookup += xp.arange(size)
    return best, xp.take(table.reshape(-1), lookup).reshape(best.shape)


def _max_pool(x, geometry: ConvGeometry):
    """Max pooling of the last two dims: the maxima and their flat indices row*W + col."""
    xp = array_module(x)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    padded = _pad(x, geometry.padding, fill)
    (s_h, s_w), (d_h, d_w) = geometry.stride, geometry.dilation
    (p_h, _), (p_w, _) = geometry.padding
    h_out, w_out = geometry.output_size
    width = geometry.input_size[1]
    # input position of each window's top-left tap, as a flat index (Ho, Wo)
    corner = ((xp.arange(h_out) * s_h - p_h)[:, None] * width
              + (xp.arange(w_out) * s_w - p_w)[None, :])
    taps = [(padded[(..., *geometry.offset_slices(tap))], corner + tap[0] * d_h * width
             + tap[1] * d_w) for tap in _taps(geometry.kernel)]
    return _max_over_taps(taps)


def _scatter(values, indices, plane: tuple, unique: bool):
    """Put each value at its index in a zero plane of shape ``plane``, adding up repeats."""
    xp = array_module(values)
    lead = values.shape[:-2]
    n_planes, plane_size = math.prod(lead), math.prod(plane)
    v = values.reshape(n_planes, -1)
    i = indices.reshape(n_planes, -1)
    if unique:  # windows don't overlap: every input receives from at most one output
        out = xp.zeros((n_planes, plane_size), dtype=values.dtype)
        out[xp.arange(n_planes)[:, None], i] = v
    else:       # bincount adds up all the values that land on the same position
        position = i + xp.arange(n_planes)[:, None] * plane_size
        out = xp.bincount(position.ravel(), weights=v.ravel(),
                          minlength=n_planes * plane_size).astype(values.dtype)
    return out.reshape(*lead, *plane)


def _gather(planes, indices):
    """The value of each plane at each index: the adjoint of ``_scatter``."""
    xp = array_module(planes)
    lead = indices.shape[:-2]
    n_planes = math.prod(lead)
    flat = planes.reshape(n_planes, -1)
    picked = xp.take_along_axis(flat, indices.reshape(n_planes, -1), axis=1)
    return picked.reshape(indices.shape)


class ScatterAddBackward0(Function):
    """Scatter into planes: output[..., indices] += values.  Backward is a gather."""

    def forward(self, values, indices=None, plane=None, unique=False):
        self.indices, self.plane = indices, plane
        return _scatter(values, indices, plane, unique)

    def backward(self, grad):
        return GatherBackward0.apply(grad, indices=self.indices)


class GatherBackward0(Function):
    """Pick planes[..., index] for each index.  Backward is a scatter."""

    def forward(self, planes, indices=None):
        self.indices, self.plane = indices, planes.shape[-2:]
        return _gather(planes, indices)

    def backward(self, grad):
        return ScatterAddBackward0.apply(grad, indices=self.indices, plane=self.plane)


class MaxPool2DWithIndicesBackwardBackward0(ScatterAddBackward0):
    """The backward of max pooling: each window's gradient goes to its winner."""


class AdaptiveMaxPool2DBackwardBackward0(ScatterAddBackward0):
    """The backward of adaptive max pooling (a scatter, as for max pooling)."""


class MaxUnpool2DBackward0(ScatterAddBackward0):
    """max_unpool2d: put the pooled values back at their indices, zeros elsewhere."""


class MaxPool2DWithIndicesBackward0(Function):
    """Max pooling; outputs the maxima and (not differentiable) their indices."""

    def forward(self, x, geometry=None):
        values, indices = _max_pool(x, geometry)
        self.indices, self.plane = indices, x.shape[-2:]
        self.unique = all(s >= d * (k - 1) + 1 for s, d, k in
                          zip(geometry.stride, geometry.dilation, geometry.kernel))
        self.mark_non_differentiable(indices)
        return values, indices

    def backward(self, grad, grad_indices=None):
        return MaxPool2DWithIndicesBackwardBackward0.apply(grad, indices=self.indices,
                                                           plane=self.plane, unique=self.unique)


# ----------------------------------------------------------- avg: forward and spread

def _window_sum(x, geometry: ConvGeometry):
    """Sum of each window: one strided slice of the zero-padded input per tap."""
    padded = _pad(x, geometry.padding)
    first, *rest = _taps(geometry.kernel)
    total = padded[(..., *geometry.offset_slices(first))].copy()
    for tap in rest:
        total += padded[(..., *geometry.offset_slices(tap))]
    return total


def _window_spread(grad, geometry: ConvGeometry):
    """The adjoint of ``_window_sum``: every tap of a window receives the window's value."""
    xp = array_module(grad)
    lead = grad.shape[:-2]
    acc = xp.zeros(lead + geometry.padded_size, dtype=grad.dtype)
    for tap in _taps(geometry.kernel):
        acc[(..., *geometry.offset_slices(tap))] += grad
    (p_h, _), (p_w, _) = geometry.padding
    h, w = geometry.input_size
    return acc[..., p_h:p_h + h, p_w:p_w + w]


def _avg_divisor(geometry: ConvGeometry, count_include_pad: bool, xp, dtype):
    """The number each window sum is divided by, for every output position (Ho, Wo).

    A window is clipped to the padded input (ceil mode can run past it); without
    ``count_include_pad`` it is clipped to the input itself.
    """
    counts = []
    for n, k, s, (p, _), o in zip(geometry.input_size, geometry.kernel, geometry.stride,
                                  geometry.padding, geometry.output_size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    divisor = np.outer(counts[0], counts[1])
    return xp.asarray(divisor.astype(dtype if np.dtype(dtype).kind == "f" else np.int64))


def _divide(total, divisor):
    if total.dtype.kind == "f":
        return total / divisor
    xp = array_module(total)
    return xp.trunc(total / divisor).astype(total.dtype)  # integer division rounds to zero


class AvgPool2DBackward0(Function):
    """Average pooling: the sum of each window divided by its size."""

    def forward(self, x, geometry=None, divisor=None):
        self.geometry, self.divisor = geometry, divisor
        return _divide(_window_sum(x, geometry), divisor)

    def backward(self, grad):
        return AvgPool2DBackwardBackward0.apply(grad, geometry=self.geometry,
                                                divisor=self.divisor)


class AvgPool2DBackwardBackward0(Function):
    """The backward of average pooling: spread grad / size over each window.

    It is linear in ``grad``, and its own backward is average pooling again.
    """

    def forward(self, grad, geometry=None, divisor=None):
        self.geometry, self.divisor = geometry, divisor
        return _window_spread(grad / divisor, geometry)

    def backward(self, grad):
        return AvgPool2DBackward0.apply(grad, geometry=self.geometry, divisor=self.divisor)


# ------------------------------------------------------------------------- adaptive

def _adaptive_sizes(name: str, x: Tensor, output_size, d: int = 2) -> tuple:
    sizes = (output_size,) * d if isinstance(output_size, int | np.integer) or output_size \
        is None else tuple(output_size)
    if len(sizes) != d:
        raise RuntimeError(f"{name}: output_size must be {d}, but got "
                           f"output_size={list(sizes)}")
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, x._data.shape[-d:]))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to "
                           f"0 but received {{{', '.join(map(str, sizes))}}}")
    return sizes


def _check_adaptive_input(name: str, x: Tensor, d: int = 2) -> None:
    shape = list(x._data.shape)
    if len(shape) not in (d + 1, d + 2):
        raise RuntimeError(f"{name}(): Expected {d + 1}D or {d + 2}D tensor, but got {shape}")
    for i in range(len(shape) - d - 1, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {shape} with dimension {i} "
                               "being empty")
    if x.dtype.name not in ("float16", "float32", "float64"):
        raise NotImplementedError(f"\"{name}\" not implemented for '{x.dtype.legacy_name}': "
                                  "convert the input with .float()")


def _bins(n_in: int, n_out: int):
    """Adaptive windows along one dim: window i covers [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(n_out)
    return (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)


def _averaging_matrix(n_in: int, n_out: int, xp, dtype):
    """P (n_out, n_in) with P[i, j] = 1/len(window i) if j is in window i: P @ v averages."""
    start, end = _bins(n_in, n_out)
    j = np.arange(n_in)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return xp.asarray((inside / (end - start)[:, None]).astype(dtype))


class AdaptiveAvgPool2DBackward0(Function):
    """Adaptive average pooling as two matrix products: Ph @ x @ Pw.T."""

    def forward(self, x, output_size=None):
        xp = array_module(x)
        (h, w), (ho, wo) = x.shape[-2:], output_size
        self.ph = _averaging_matrix(h, ho, xp, x.dtype)        # (Ho, H)
        self.pw = _averaging_matrix(w, wo, xp, x.dtype)        # (Wo, W)
        rows = (x.reshape(-1, w) @ self.pw.T).reshape(*x.shape[:-1], wo)   # (..., H, Wo)
        return xp.matmul(self.ph, rows)                                    # (..., Ho, Wo)

    def backward(self, grad):
        from .._tensor import _make

        # the adjoint: Ph.T @ grad @ Pw, written with tensor ops (differentiable again)
        return _make(self.ph.T.copy()).matmul(grad).matmul(_make(self.pw))


def _adaptive_max(x, output_size):
    """Adaptive max pooling: the windows have different sizes, so the taps are clipped
    to the window (repeating its last element, which doesn't change a maximum)."""
    xp = array_module(x)
    (h, w), (ho, wo) = x.shape[-2:], output_size
    taps = []
    rows_start, rows_end = _bins(h, ho)
    cols_start, cols_end = _bins(w, wo)
    for a in range(int((rows_end - rows_start).max())):
        rows = np.minimum(rows_start + a, rows_end - 1)
        for b in range(int((cols_end - cols_start).max())):
            cols = np.minimum(cols_start + b, cols_end - 1)
            r, c = xp.asarray(rows[:, None]), xp.asarray(cols[None, :])
            taps.append((x[..., r, c], r * w + c))
    return _max_over_taps(taps)


class AdaptiveMaxPool2DBackward0(Function):
    """Adaptive max pooling; outputs the maxima and (not differentiable) their indices."""

    def forward(self, x, output_size=None):
        h, w = x.shape[-2:]
        if 0 in output_size:
            xp = array_module(x)
            values = xp.empty(x.shape[:-2] + tuple(output_size), dtype=x.dtype)
            indices = xp.empty(values.shape, dtype=np.int64)
        else:
            values, indices = _adaptive_max(x, output_size)
        self.indices, self.plane = indices, (h, w)
        self.unique = 0 in output_size or (h % output_size[0] == 0 and w % output_size[1] == 0)
        self.mark_non_differentiable(indices)
        return values, indices

    def backward(self, grad, grad_indices=None):
        return AdaptiveMaxPool2DBackwardBackward0.apply(grad, indices=self.indices,
                                                        plane=self.plane, unique=self.unique)


# ------------------------------------------------------------------ public functions

def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """The maximum of each kH x kW window of every (H, W) plane; input (N, C, H, W) or (C, H, W).

    ``stride`` defaults to the kernel size (windows side by side).  Padding counts as
    -inf.  With ``return_indices=True`` also returns where each maximum was, as
    ``row * W + col`` in its plane (what ``max_unpool2d`` takes).
    """
    _check_input("max_pool2d", input)
    geometry = _pool_geometry("max_pool2d", input, kernel_size, stride, padding, dilation,
                              ceil_mode)
    values, indices = MaxPool2DWithIndicesBackward0.apply(input, geometry=geometry)
    return (values, indices) if return_indices else values


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """``max_pool2d(..., return_indices=True)``: (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _as_2d(name: str, input: Tensor) -> Tensor:
    """A 1-D pooling input (C, L) or (N, C, L) as planes of height 1."""
    shape = list(input._data.shape)
    if len(shape) not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got: {shape}")
    return input.unsqueeze(-2)


def _one(value, name: str, what: str):
    """A 1-D pooling option (int or 1-tuple) as the 2-D option (1, value)."""
    if value is None or (isinstance(value, tuple | list) and len(value) == 0):
        return None
    if not isinstance(value, int | np.integer):
        value = tuple(value)
        if len(value) != 1:
            raise RuntimeError(f"{name}() {what} must be an int, list of ints or tuple of ints "
                               f"of size 1 but got size {len(value)}")
        value = value[0]
    return (1, int(value))


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max pooling along the last dim of (N, C, L) or (C, L); indices are positions in L."""
    x = _as_2d("max_pool1d", input)
    kernel, stride = _one(kernel_size, "max_pool1d", "kernel_size"), _one(stride, "max_pool1d",
                                                                          "stride")
    pad = _one(padding, "max_pool1d", "padding")
    pad = (0, pad[1])
    if pad[1] > kernel[1] // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={pad[1]} and kernel_size={kernel[1]}")
    values, indices = max_pool2d(x, kernel, stride, pad,
                                 _one(dilation, "max_pool1d", "dilation"), ceil_mode, True)
    values, indices = values.squeeze(-2), indices.squeeze(-2)
    return (values, indices) if return_indices else values


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    """``max_pool1d(..., return_indices=True)``: (values, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each kH x kW window; input (N, C, H, W) or (C, H, W).

    Zero padding counts in the mean unless ``count_include_pad=False``;
    ``divisor_override`` replaces the window size as the divisor.
    """
    _check_input("avg_pool2d", input)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    geometry = _pool_geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        divisor = int(divisor_override)
    else:
        divisor = _avg_divisor(geometry, count_include_pad, array_module(input._data),
                               input._data.dtype)
    return AvgPool2DBackward0.apply(input, geometry=geometry, divisor=divisor)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Average pooling along the last dim of (N, C, L) or (C, L)."""
    x = _as_2d("avg_pool1d", input)
    kernel, stride = _one(kernel_size, "avg_pool1d", "kernel_size"), _one(stride, "avg_pool1d",
                                                                          "stride")
    pad = (0, _one(padding, "avg_pool1d", "padding")[1])
    return avg_pool2d(x, kernel, stride, pad, ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a given output size (Ho, Wo); ``None`` keeps that dim's size."""
    _check_adaptive_input("adaptive_avg_pool2d", input)
    sizes = _adaptive_sizes("adaptive_avg_pool2d", input, output_size)
    if sizes == (1, 1):  # global average pooling is a mean, as torch computes it
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool2DBackward0.apply(input, output_size=sizes)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Adaptive average pooling along the last dim of (N, C, L) or (C, L)."""
    x = _as_2d("adaptive_avg_pool1d", input)
    size = _adaptive_sizes("adaptive_avg_pool1d", input, output_size, 1)
    return adaptive_avg_pool2d(x, (1, size[0])).squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a given output size (Ho, Wo); indices as in ``max_pool2d``."""
    _check_adaptive_input("adaptive_max_pool2d", input)
    sizes = _adaptive_sizes("adaptive_max_pool2d", input, output_size)
    values, indices = AdaptiveMaxPool2DBackward0.apply(input, output_size=sizes)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Adaptive max pooling along the last dim of (N, C, L) or (C, L)."""
    x = _as_2d("adaptive_max_pool1d", input)
    size = _adaptive_sizes("adaptive_max_pool1d", input, output_size, 1)
    values, indices = adaptive_max_pool2d(x, (1, size[0]), True)
    values, indices = values.squeeze(-2), indices.squeeze(-2)
    return (values, indices) if return_indices else values


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Undo max_pool2d: each value goes back to its index, everything else is zero."""
    name = "max_unpool2d"
    if input._data.ndim not in (3, 4):
        raise RuntimeError(f"{name}: Expected 3D or 4D tensor, but got: "
                           f"{list(input._data.shape)}")
    if tuple(indices._data.shape) != tuple(input._data.shape):
        raise RuntimeError(f"{name}: Expected shape of indices to be same as that of the input "
                           f"tensor ({list(input._data.shape)}) but got indices tensor with "
                           f"shape: {list(indices._data.shape)}")
    kernel = _ints(kernel_size, 2, "kernel_size", name)
    stride = _ints(stride, 2, "stride", name, allow_empty=True) or kernel
    pads = _ints(padding, 2, "padding", name)
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in
                    zip(input._data.shape[-2:], stride, pads, kernel))
    size = default
    if output_size is not None:
        size = tuple(int(s) for s in tuple(output_size)[-2:])
        for i, (want, d, s) in enumerate(zip(size, default, stride)):
            if not d - s < want < d + s:
                raise ValueError(f"invalid output_size \"{tuple(size)}\" (dim {i} must be "
                                 f"between {d - s} and {d + s})")
    idx = indices._data
    if idx.size and (int(idx.max()) >= size[0] * size[1] or int(idx.min()) < 0):
        bad = int(idx.max()) if int(idx.max()) >= size[0] * size[1] else int(idx.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{size[0]}x{size[1]})")
    return MaxUnpool2DBackward0.apply(input, indices=idx, plane=size, unique=True)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Undo max_pool1d along the last dim of (N, C, L) or (C, L)."""
    kernel = _one(kernel_size, "max_unpool1d", "kernel_size")
    stride = _one(stride, "max_unpool1d", "stride")
    pad = (0, _one(padding, "max_unpool1d", "padding")[1])
    size = None if output_size is None else (1, int(tuple(output_size)[-1]))
    return max_unpool2d(input.unsqueeze(-2), indices.unsqueeze(-2), kernel, stride, pad,
                        size).squeeze(-2)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "max_pool1d",
           "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices", "max_unpool1d",
           "max_unpool2d"]
TENSOR_METHODS: list = []
INPLACE_VARIANTS: list = []
