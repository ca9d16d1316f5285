"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``, ``arange``) or random.

Random tensors on the CPU come from a Mersenne Twister that reproduces PyTorch's
number for number (``tensorkit/_random.py``): after ``manual_seed(0)``,
``tensorkit.randn(3)`` prints what ``torch.randn(3)`` prints.  ``arange`` and
``linspace`` also reproduce torch's CPU results to the last bit (see ``_fma``).
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Sequence

import numpy as np

from .. import _dtype as D
from .. import _random
from .._device import CPU, module_for, move, to_device
from .._size import Size
from .._tensor import Tensor, _make


def _finish(data, dtype: D.dtype | None, device, requires_grad: bool, out=None) -> Tensor:
    """Cast, move, and set ``requires_grad`` on freshly made data (or copy it into ``out``)."""
    if dtype is not None and data.dtype != dtype.np_dtype:
        data = data.astype(dtype.np_dtype)
    _check_requires_grad(D._FROM_NUMPY[data.dtype], requires_grad)
    if device is not None:
        dev = to_device(device)
        if dev.type != "cpu":
            data = move(data, dev)
    t = _make(data)
    if out is not None:
        from .inplace import copy_into

        return copy_into(out, t)
    if requires_grad:
        t.requires_grad = True
    return t


def _check_requires_grad(dtype: D.dtype, requires_grad: bool) -> None:
    if requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           f"gradients (this one would be {dtype}); ask for a float dtype")


def _dtype_or_default(dtype) -> D.dtype:
    return D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()


def _size_arg(size, name: str = "size") -> tuple[int, ...]:
    """Accept ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and ``zeros(Size)``.

    Sizes must be integers (an integer tensor of one element counts), as in torch.
    """
    if len(size) == 1 and not _is_int(size[0]):
        size = size[0]
        if not isinstance(size, tuple | list):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(size).__name__}")
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(s).__name__}\"")
    shape = tuple(builtins.int(s) for s in size)
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _is_int(x) -> bool:
    """A Python/NumPy integer, or a one-element integer tensor (torch takes those as sizes)."""
    if isinstance(x, builtins.int | np.integer):
        return not isinstance(x, builtins.bool)
    return isinstance(x, Tensor) and x._data.dtype.kind in "iu" and x._data.size == 1


def _shape_of(args: tuple, size, name: str) -> tuple[int, ...]:
    """The shape from ``*args`` or the ``size=`` keyword (exactly one of them)."""
    if size is not None:
        if args:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        if not isinstance(size, tuple | list):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not "
                            f"{type(size).__name__}")
        args = (size,)
    if not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    return _size_arg(args, name)


def _xp_for(device):
    return np if device is None else module_for(to_device(device))


# ------------------------------------------------------------------------ from data
#
# torch.tensor reads nested sequences the way torch's C++ code does: the shape comes
# from following the first element down; the dtype promotes over every leaf (Python
# float -> default dtype, int -> int64, bool -> bool; NumPy values and tensors keep
# theirs); tensors inside a list count as numbers, so they must have one element.

def _is_sequence(obj) -> bool:
    return isinstance(obj, list | tuple | range | np.ndarray | str) or (
        isinstance(obj, Sequence) and not isinstance(obj, Tensor))


def _data_shape(data) -> list[int]:
    sizes = []
    obj = data
    while _is_sequence(obj):
        n = len(obj)  # a 0-d NumPy array raises TypeError here, as in torch
        sizes.append(n)
        if len(sizes) > 64:
            raise ValueError(f"too many dimensions '{type(obj).__name__}'")
        if n == 0:
            break
        obj = obj[0]
    return sizes


def _leaf_dtype(x) -> D.dtype:
    """The dtype torch infers for one value (a number, a NumPy value or a tensor)."""
    if isinstance(x, np.ndarray | np.generic):  # first: np.float64 is a Python float too
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, builtins.bool):
        return D.bool
    if isinstance(x, builtins.int):
        return D.int64
    if isinstance(x, builtins.float):
        return D.get_default_dtype()
    if isinstance(x, builtins.complex):
        return D.default_complex_dtype()
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _infer_dtype(data) -> D.dtype:
    """Promote the dtypes of all leaves of nested sequences (an empty list: default dtype)."""
    if isinstance(data, np.ndarray | str) or not _is_sequence(data):
        return _leaf_dtype(data)
    if len(data) == 0:
        return D.get_default_dtype()
    known = {builtins.float: D.get_default_dtype(), builtins.int: D.int64,  # fast paths
             builtins.bool: D.bool, builtins.complex: D.default_complex_dtype()}
    result = None
    for item in data:
        kind = type(item)
        d = known.get(kind)
        if d is None:
            d = _infer_dtype(item)
            if issubclass(kind, np.generic):  # every np.float32 scalar has the same dtype
                known[kind] = d
        if d is not result:
            result = d if result is None else D.promote_types(result, d)
    return result


def _data_to_array(data, dt: D.dtype) -> np.ndarray:
    """Nested sequences to an array of dtype ``dt``, with torch's errors for bad data."""
    sizes = _data_shape(data)
    if isinstance(data, list) and data and all(isinstance(x, np.ndarray) for x in data):
        warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                      "Please consider converting the list to a single numpy.ndarray with "
                      "numpy.array() before converting to a tensor.", UserWarning, stacklevel=3)
    try:  # fast path: NumPy reads well-formed data in C
        with np.errstate(over="ignore", invalid="ignore"):
            array = np.array(data, dtype=dt.np_dtype)
        if list(array.shape) == sizes:
            return array
    except (ValueError, TypeError, OverflowError, RuntimeError):
        pass
    flat: list = []
    _store(data, sizes, 0, dt, flat)  # raises torch's error for what NumPy refused
    if dt.category == D._INT:
        array = np.array(flat, dtype=np.int64).astype(dt.np_dtype)  # negatives wrap, as in torch
    else:
        array = np.array(flat, dtype=dt.np_dtype)
    return array.reshape(sizes)


def _store(obj, sizes: list, dim: int, dt: D.dtype, out: list) -> None:
    if dim == len(sizes):
        out.append(_scalar_value(obj, dt))
        return
    if not _is_sequence(obj):
        raise TypeError("not a sequence")
    if len(obj) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} "
                         f"(got {len(obj)})")
    for item in obj:
        _store(item, sizes, dim + 1, dt, out)


def _scalar_value(x, dt: D.dtype):
    """One leaf as a Python number, checked against the range of ``dt``."""
    if isinstance(x, Tensor):
        if x._requires_grad:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead "
                          "to unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=5)
        if x._data.size != 1:
            if dt.category <= D._INT:
                raise TypeError("only integer tensors of a single element can be converted "
                                "to an index")
            raise ValueError("only one element tensors can be converted to Python scalars")
        x = x.item()
    elif isinstance(x, np.generic):
        x = x.item()
    if _is_sequence(x):
        what = "an integer" if dt.category <= D._INT else "a real number"
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as {what}")
    if isinstance(x, builtins.int) and not isinstance(x, builtins.bool):
        if not -2 ** 63 <= x < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        if dt.category == D._INT:
            info = np.iinfo(dt.np_dtype)
            low = info.min if info.min < 0 else -info.max  # unsigned types wrap negatives
            if not low <= x <= info.max:
                raise RuntimeError(f"value cannot be converted to type {dt.name} without "
                                   "overflow")
    return x


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Without ``dtype``: Python floats give the default dtype (float32), ints int64, bools
    bool; NumPy arrays and scalars, and tensors inside lists, keep their own dtype.
    """
    dt = D.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensorkit.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        _check_requires_grad(dt or data.dtype, requires_grad)
        copy = data._data.astype(dt.np_dtype) if dt is not None else data._data.copy()
        t = _make(copy if device is None else move(copy, to_device(device)))
        if requires_grad:
            t.requires_grad = True
        return t
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, np.ndarray):
        dt = dt or D.from_numpy_dtype(data.dtype)
        array = np.array(data, dtype=dt.np_dtype, copy=True)
    else:
        if dt is None:
            _data_shape(data)  # torch reports a bad shape before a bad dtype
            dt = _infer_dtype(data)
        array = _data_to_array(data, dt)
    return _finish(array, None, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with ``data`` when it can (no copy)."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t.to(dtype=dtype, device=device) if (dtype or device) else t
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that shares memory with a NumPy array: changing one changes the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)  # raises for dtypes torch doesn't have
    return _make(ndarray)


# ----------------------------------------------------------------------- filled

def zeros(*args, size=None, dtype=None, device=None, requires_grad: bool = False,
          out=None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros([2, 3])``."""
    dt = _dtype_or_default(dtype) if out is None or dtype is not None else out.dtype
    data = _xp_for(device).zeros(_shape_of(args, size, "zeros"), dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


def ones(*args, size=None, dtype=None, device=None, requires_grad: bool = False,
         out=None) -> Tensor:
    """A tensor of ones, shaped like ``zeros``'s."""
    dt = _dtype_or_default(dtype) if out is None or dtype is not None else out.dtype
    data = _xp_for(device).ones(_shape_of(args, size, "ones"), dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


def empty(*args, size=None, dtype=None, device=None, requires_grad: bool = False,
          memory_format=None, pin_memory=False, out=None) -> Tensor:
    """An uninitialised tensor (its values are whatever the memory held: fill it first)."""
    dt = _dtype_or_default(dtype) if out is None or dtype is not None else out.dtype
    data = _xp_for(device).empty(_shape_of(args, size, "empty"), dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
         out=None) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if not isinstance(size, tuple | list):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if isinstance(fill_value, Tensor):
        if fill_value._data.ndim:
            raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not "
                            "Tensor")
        fill_value = fill_value.item()  # a number: its dtype is a Python number's
    dt = D.scalar_dtype(fill_value)
    if dtype is not None:
        dt = D.to_dtype(dtype)
    _check_range(fill_value, dt)
    data = _xp_for(device).full(_size_arg((size,), "full"), fill_value, dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


def _check_range(value, dt: D.dtype) -> None:
    if dt.category == D._INT and isinstance(value, builtins.int):
        info = np.iinfo(dt.np_dtype)
        if not info.min <= value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {dt.np_dtype}_t without "
                               "overflow")


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad: bool = False, out=None) -> Tensor:
    """The ``n x m`` identity matrix (ones on the diagonal); ``m`` defaults to ``n``."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and not _is_int(v):
            position = 1 if name == "n" else 2
            raise TypeError(f"eye(): argument '{name}' (position {position}) must be int, not "
                            f"{type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    dt = _dtype_or_default(dtype)
    data = _xp_for(device).eye(builtins.int(n), None if m is None else builtins.int(m),
                               dtype=dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


# ------------------------------------------------------------------ ranges
#
# torch's CPU kernels compute ``start + step * i`` with a fused multiply-add (one
# rounding for the product and the sum).  NumPy has no FMA, so ``_fma`` computes it
# exactly: the product without rounding (Dekker), the sum without rounding (Knuth),
# and a last addition rounded "to odd" so that the one final rounding is correct
# (Boldo & Melquiond).  That is what makes ``arange(0, 1, 0.1)`` match bit for bit.

_SPLIT = 134217729.0  # 2**27 + 1: splits a double into two halves of 26 bits


def _two_sum(a, b):
    """``a + b`` as ``(s, err)`` with ``s + err`` exactly the sum."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """``a * b`` as ``(p, err)`` with ``p + err`` exactly the product."""
    p = a * b
    ta, tb = _SPLIT * a, _SPLIT * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _add_round_odd(a, b) -> np.ndarray:
    """``a + b`` rounded to the neighbour with an odd last bit when it isn't exact."""
    s, err = _two_sum(a, b)
    s = np.asarray(s, np.float64)
    inexact_even = (err != 0) & ((s.view(np.int64) & 1) == 0)
    return np.where(inexact_even, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def _fma(a, b, c, dtype=np.float64) -> np.ndarray:
    """``a * b + c`` rounded once, to ``dtype`` (float64, or float32 computed as fmaf)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    if np.dtype(dtype) == np.float64:
        p, e = _two_prod(a, b)
        s, t = _two_sum(c, p)
        correction = _add_round_odd(t, e)
        return np.where(correction == 0, s, s + correction)  # keeps the sign of a zero
    # float32 inputs: their product is exact in float64; rounding the sum to odd in
    # float64 and then to float32 rounds only once
    return _add_round_odd(a * b, c).astype(dtype)


def _number(x, name: str):
    """A Python number from an argument that may be a one-element tensor or NumPy scalar."""
    if isinstance(x, Tensor):
        if x._data.ndim:
            raise RuntimeError(f"linspace only supports 0-dimensional start and end tensors, "
                               f"but got {name} with {x._data.ndim} dimension(s).")
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    return x


def _not_implemented(kernel: str, dt: D.dtype):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dt.legacy_name or dt.name}'")


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False,
           out=None) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end``.

    Integer arguments give int64, any float gives the default dtype.  The length is
    ``ceil((end - start) / step)``, so ``arange(0, 1, 0.1)`` has 10 elements.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_number(v, "arange") for v in (start, end, step))
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif any(isinstance(v, float) for v in (start, end, step)):
        dt = D.get_default_dtype()
    else:
        dt = D.int64
    if dt is D.bool or dt.is_complex:
        raise _not_implemented("arange_cpu", dt)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.category == D._INT:
        data = _arange_int(start, end, step, dt)
    else:
        n = math.ceil((float(end) - float(start)) / float(step))
        if n > 2 ** 63 - 1:
            raise RuntimeError("invalid size, possible overflow?")
        data = _arange_float(float(start), float(step), n, dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


def _arange_int(start, end, step, dt: D.dtype) -> np.ndarray:
    """Integer ranges: the arguments are truncated to integers first, as in torch."""
    xstart, xend, xstep = (builtins.int(v) for v in (start, end, step))
    if xstep == 0:
        raise ValueError("step must be nonzero")  # a fractional step truncated to 0
    if dt is D.int64:  # torch counts in integers here...
        sign = 1 if xstep > 0 else -1
        n = abs(xend - xstart + xstep - sign) // abs(xstep)
    else:  # ...and in doubles of the original arguments for the other integer types
        n = math.ceil((float(end) - float(start)) / float(step))
    return (xstart + xstep * np.arange(n, dtype=np.int64)).astype(dt.np_dtype)


def _arange_float(start: float, step: float, n: int, np_dtype) -> np.ndarray:
    """torch's CPU arange: vector lanes of 32 bytes (AVX2), each lane ``base + k * step``.

    Elements are computed in chunks of ``2 * lanes``; each lane group starts from
    ``base = start + step * i`` (rounded to the output dtype), and its lanes add
    ``k * step`` to that base; the elements left over are ``start + step * i``.
    """
    np_dtype = np.dtype(np_dtype)
    acc = np.dtype(np.float32 if np_dtype == np.float16 else np.float64)  # torch's acc_type
    start, step = acc.type(start), acc.type(step)
    i = np.arange(n, dtype=np.int64)
    lanes = 32 // np_dtype.itemsize
    vectorised = n // (2 * lanes) * (2 * lanes)
    lane = np.where(i < vectorised, i % lanes, 0)
    base = _fma(step, i - lane, start, acc).astype(np_dtype)
    return np.where(lane == 0, base, _fma(lane, step, base, acc).astype(np_dtype))


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated ``torch.range``: like ``arange`` but includes ``end``."""
    n = builtins.int(math.floor((end - start) / step)) + 1
    dt = _dtype_or_default(dtype)
    data = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def _check_steps(steps, name: str) -> int:
    if not _is_int(steps):
        raise TypeError(f"{name}(): argument 'steps' (position 3) must be int, not "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return builtins.int(steps)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad: bool = False, out=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Like torch, the first half counts up from ``start`` and the second half down from
    ``end``, so both ends are exact and the rounding errors are symmetric.
    """
    steps = _check_steps(steps, "linspace")
    start, end = _number(start, "start"), _number(end, "end")
    dt = _dtype_or_default(dtype)
    if dt is D.bool or dt.is_complex:
        raise _not_implemented("linspace_cpu", dt)
    if dt.category == D._INT:  # torch truncates the ends, then steps in double precision
        ct = np.dtype(np.float64)
        start, end = builtins.int(start), builtins.int(end)
    else:
        ct = np.dtype(np.float32 if dt.np_dtype.itemsize < 8 else np.float64)
    s, e = ct.type(start), ct.type(end)
    if steps <= 1:
        data = np.full(steps, s, dtype=ct)
    elif dt is D.float16:
        data = _linspace_half(start, end, steps)
    else:
        step = (e - s) / ct.type(steps - 1)  # in the compute dtype, as torch does
        i = np.arange(steps, dtype=np.int64)
        first = i < steps // 2
        data = np.where(first, _fma(step, i, s, ct), _fma(-step, steps - 1 - i, e, ct))
    if dt.category == D._INT:
        data = np.trunc(data)
    return _finish(data.astype(dt.np_dtype), None, device, requires_grad, out)


def _linspace_half(start, end, steps: int) -> np.ndarray:
    """In half precision torch rounds every operation back to half (no FMA)."""
    h, f = np.float16, np.float32
    s, e = h(start), h(end)
    step = h(f(e - s) / f(h(steps - 1)))

    def times_step(k):
        return (f(step) * k.astype(h).astype(f)).astype(h).astype(f)

    i = np.arange(steps)
    return np.where(i < steps // 2, (f(s) + times_step(i)).astype(h),
                    (f(e) - times_step(steps - 1 - i)).astype(h))


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False, out=None) -> Tensor:
    """``base ** linspace(start, end, steps)``, with torch's rounding of the exponents."""
    steps = _check_steps(steps, "logspace")
    start, end = _number(start, "start"), _number(end, "end")
    dt = _dtype_or_default(dtype)
    if dt is D.bool or dt.is_complex:
        raise _not_implemented("logspace_cpu", dt)
    # the ends in the output dtype, their difference too, the rest in double
    s, e = dt.np_dtype.type(start), dt.np_dtype.type(end)
    if steps <= 1:  # a single value: torch uses the exact start
        exponents = np.full(steps, float(start))
    else:
        step = float(e - s) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        exponents = np.where(i < steps // 2, float(s) + step * i,
                             float(e) - step * (steps - 1 - i))
    with np.errstate(over="ignore", invalid="ignore"):
        data = np.power(float(base), exponents)
        if dt.category == D._INT:
            data = np.trunc(data)
        elif dt is D.float16:  # C++ converts double to half through float
            data = data.astype(np.float32)
        data = data.astype(dt.np_dtype)
    return _finish(data, None, device, requires_grad, out)


# ------------------------------------------------------------------ like another tensor

def _like(input: Tensor, dtype, device, name: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return (D.to_dtype(dtype) if dtype is not None else input.dtype,
            to_device(device) if device is not None else input.device)


def _empty_like_data(input: Tensor, dt: D.dtype, dev):
    """Uninitialised memory laid out like ``input`` (a transposed input gives a transposed
    result, as torch's ``preserve_format`` does), on device ``dev``."""
    data = input._data
    if dev != input.device:
        data = move(data, dev)
    from .._device import array_module

    return array_module(data).empty_like(data, dtype=dt.np_dtype, order="K")


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """Zeros with the shape, dtype, device and memory layout of ``input``."""
    dt, dev = _like(input, dtype, device, "zeros_like")
    data = _empty_like_data(input, dt, dev)
    data.fill(0)
    return _finish(data, None, None, requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """Ones with the shape, dtype, device and memory layout of ``input``."""
    dt, dev = _like(input, dtype, device, "ones_like")
    data = _empty_like_data(input, dt, dev)
    data.fill(1)
    return _finish(data, None, None, requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """Uninitialised memory shaped and laid out like ``input``."""
    dt, dev = _like(input, dtype, device, "empty_like")
    return _finish(_empty_like_data(input, dt, dev), None, None, requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``fill_value`` everywhere, shaped like ``input`` (its dtype unless ``dtype`` is given)."""
    dt, dev = _like(input, dtype, device, "full_like")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    data = _empty_like_data(input, dt, dev)
    data.fill(fill_value)
    return _finish(data, None, None, requires_grad)


# ----------------------------------------------------------------------- random

def _gen(generator):
    return generator if generator is not None else _random.default_generator


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples from [0, 1)."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = _gen(generator).uniform(_size_arg(size, "rand"), dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples from the standard normal distribution (mean 0, variance 1)."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = _gen(generator).normal(_size_arg(size, "randn"), dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers from ``low`` (default 0) to ``high - 1``: ``randint(10, (3,))``."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'size'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    data = _gen(generator).randint(builtins.int(low), builtins.int(high), _size_arg((size,)),
                                   dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """A random ordering of ``0 .. n-1``."""
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(_gen(generator).randperm(builtins.int(n), dt.np_dtype), None, device,
                   requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples: ``normal(mean, std, size)``, or elementwise with tensor mean/std."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        data = _gen(generator).normal_tensor(move(m, CPU) if hasattr(m, "shape") else m,
                                             move(s, CPU) if hasattr(s, "shape") else s)
        return _finish(data.astype(ref._data.dtype), None, ref.device, requires_grad)
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = _gen(generator).normal(_size_arg((size,)), dt.np_dtype, mean, std)
    return _finish(data, None, device, requires_grad)


def _memory_order(data) -> list[int]:
    """The dims of ``data`` from outermost to innermost in memory, if it is dense (a
    permutation of a row-major array, as ``x.t()``); otherwise plain row-major order."""
    order = list(range(data.ndim))
    if data.flags.c_contiguous:
        return order
    order.sort(key=lambda d: -data.strides[d])
    expected = data.itemsize
    for d in reversed(order):
        if data.shape[d] != 1 and data.strides[d] != expected:
            return list(range(data.ndim))  # gaps or repeats: torch falls back to row-major
        expected *= data.shape[d]
    return order


def _random_like(input: Tensor, make, requires_grad: bool) -> Tensor:
    """Random numbers drawn in the memory order of ``input``, as torch fills them."""
    order = _memory_order(input._data)
    data = make(tuple(input._data.shape[d] for d in order))._data
    return _finish(data.transpose(np.argsort(order)), None, None, requires_grad)


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples from [0, 1) shaped (and laid out in memory) like ``input``."""
    dt, dev = _like(input, dtype, device, "rand_like")
    return _random_like(input, lambda shape: rand(shape, dtype=dt, device=dev), requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal samples shaped (and laid out in memory) like ``input``."""
    dt, dev = _like(input, dtype, device, "randn_like")
    return _random_like(input, lambda shape: randn(shape, dtype=dt, device=dev), requires_grad)


def randint_like(input: Tensor, low, high=None, *, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    """Integers in ``[low, high)`` (``randint_like(x, high)``: from 0) shaped like ``input``."""
    dt, dev = _like(input, dtype, device, "randint_like")
    if high is None:
        low, high = 0, low
    return _random_like(input, lambda shape: randint(low, high, shape, dtype=dt, device=dev),
                        requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """0/1 samples: each element is 1 with probability ``input`` (or ``p``)."""
    gen = _gen(generator)
    if p is None:
        data = gen.bernoulli(move(input._data, CPU), dtype=input._data.dtype)
    else:
        data = gen.bernoulli(float(p), input._data.shape, dtype=input._data.dtype)
    return _finish(data, None, input.device, False)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Indices sampled with probabilities proportional to the rows of ``input``."""
    data = _gen(generator).multinomial(move(input._data, CPU), num_samples, replacement)
    return _finish(data, None, input.device, False)


# -------------------------------------------------------------- in-place random fills

def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:

    return _fill_random(self, _gen(generator).uniform(self._data.shape, self._data.dtype, a, b))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill_random(self, _gen(generator).normal(self._data.shape, self._data.dtype, mean,
                                                     std))


def random_(self: Tensor, from_=None, to=None, *, generator=None) -> Tensor:
    if from_ is not None and to is None:
        from_, to = None, from_
    return _fill_random(self, _gen(generator).random_(self._data.shape, self._data.dtype,
                                                      from_=from_, to=to))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    gen = _gen(generator)
    if isinstance(p, Tensor):
        data = gen.bernoulli(move(p._data, CPU), dtype=self._data.dtype)
        data = np.broadcast_to(data, self._data.shape)
    else:
        data = gen.bernoulli(float(p), self._data.shape, dtype=self._data.dtype)
    return _fill_random(self, data)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill_random(self, _gen(generator).exponential(self._data.shape, self._data.dtype,
                                                          lambd))


def _fill_random(self: Tensor, data) -> Tensor:
    from ..autograd.grad_mode import STATE
    from .inplace import _check_leaf

    if STATE.enabled and self._requires_grad:
        _check_leaf(self)
    if type(self._data) is not np.ndarray:
        data = move(data, self.device)
    self._data[...] = data
    self._bump()
    return self


# ----------------------------------------------------------- legacy constructors

def legacy_new(args, dtype: D.dtype, device, *, exact_type: bool = False):
    """``Tensor(2, 3)`` is uninitialised of that shape; ``Tensor([1, 2])`` holds data.

    ``Tensor(t)`` returns ``t``'s own memory (an alias); ``FloatTensor(t)`` (``exact_type``)
    also requires ``t`` to be of that type.
    """
    xp = _xp_for(device)
    if not args:
        data = np.empty((0,), dtype.np_dtype)
    elif all(_is_int(a) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
        data = np.zeros(_size_arg(args), dtype.np_dtype)  # torch leaves garbage; zeros is kinder
    elif len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if exact_type and other._data.dtype != dtype.np_dtype:
            raise TypeError(f"expected {dtype} (got {other.dtype}): use .to({dtype}) to convert")
        return other._data
    elif len(args) == 1 and _is_sequence(args[0]) and not isinstance(args[0], str):
        data = _data_to_array(args[0], dtype)
    elif len(args) == 1 and isinstance(args[0], str):
        raise TypeError("new(): invalid data type 'str'")
    elif len(args) == 1:
        kind = type(args[0])
        name = f"numpy.{kind.__name__}" if isinstance(args[0], np.generic) else kind.__name__
        raise TypeError(f"new(): data must be a sequence (got {name})")
    else:
        kinds = ", ".join(type(a).__name__ for a in args)
        raise TypeError(f"new() received an invalid combination of arguments - got ({kinds}): "
                        "expected sizes (ints), or one sequence of data")
    if xp is not np:
        data = move(data, to_device(device))
    return data


class _LegacyTensorType(type):
    """``tensorkit.FloatTensor``: a constructor, and a type for ``isinstance`` checks."""

    def __instancecheck__(cls, obj) -> bool:
        return (isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np_dtype
                and obj.is_cuda == cls.is_cuda)

    def __call__(cls, *args, device=None) -> Tensor:
        dev = "cuda" if cls.is_cuda else device
        return _make(legacy_new(args, cls.dtype, dev, exact_type=True))

    def __repr__(cls) -> str:
        return f"<class 'tensorkit.{'cuda.' if cls.is_cuda else ''}{cls.__name__}'>"


def _legacy_class(dtype: D.dtype, cuda: bool):
    return _LegacyTensorType(f"{dtype.legacy_name}Tensor", (), {"dtype": dtype, "is_cuda": cuda})


LEGACY_CPU = {d.legacy_name: _legacy_class(d, False) for d in D.ALL_DTYPES if d.legacy_name}
LEGACY_CUDA = {d.legacy_name: _legacy_class(d, True) for d in D.ALL_DTYPES if d.legacy_name}


def parse_type_name(t):
    """``'torch.cuda.FloatTensor'``, ``FloatTensor`` or ``float32`` to (dtype, device)."""
    if isinstance(t, _LegacyTensorType):
        return t.dtype, ("cuda" if t.is_cuda else "cpu")
    if isinstance(t, str):
        name = t.split(".")
        cuda = "cuda" in name
        legacy = name[-1]
        if legacy.endswith("Tensor") and legacy[:-len("Tensor")] in LEGACY_CPU:
            return LEGACY_CPU[legacy[:-len("Tensor")]].dtype, ("cuda" if cuda else "cpu")
        raise ValueError(f"invalid type: '{t}'")
    return D.to_dtype(t), None


__all__ = ["arange", "as_tensor", "asarray", "bernoulli", "empty", "empty_like", "eye",
    "from_numpy", "full", "full_like", "linspace", "logspace", "multinomial", "normal", "ones",
    "ones_like", "rand", "rand_like", "randint", "randint_like", "randn", "randn_like",
    "randperm", "tensor", "zeros", "zeros_like"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = []
INPLACE_VARIANTS = []
