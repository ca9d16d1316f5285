"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``, ``arange``) or random.

Random tensors on the CPU come from a Mersenne Twister that reproduces PyTorch's
number for number (``tensorkit/_random.py``): after ``manual_seed(0)``,
``tensorkit.randn(3)`` prints what ``torch.randn(3)`` prints.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .. import _random
from .._device import CPU, module_for, move, to_device
from .._size import Size
from .._tensor import Tensor, _make


def _finish(data, dtype: D.dtype | None, device, requires_grad: bool) -> Tensor:
    """Cast, move, and set ``requires_grad`` on freshly made data."""
    if dtype is not None and data.dtype != dtype.np_dtype:
        data = data.astype(dtype.np_dtype)
    if device is not None:
        dev = to_device(device)
        if dev.type != "cpu":
            data = move(data, dev)
    t = _make(data)
    if requires_grad:
        t.requires_grad = True
    return t


def _size_arg(size) -> tuple[int, ...]:
    """Accept ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and ``zeros(Size)``."""
    if len(size) == 1 and not isinstance(size[0], int | np.integer):
        size = size[0]
    try:
        shape = tuple(builtins.int(s) for s in size)
    except TypeError:
        raise TypeError(f"expected a sequence of integers as the size, got {size!r}") from None
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _xp_for(device):
    return np if device is None else module_for(to_device(device))


# ------------------------------------------------------------------------ from data

def _infer_dtype(array: np.ndarray) -> D.dtype:
    """torch.tensor's rule: Python floats become the default dtype, ints int64."""
    kind = array.dtype.kind
    if kind == "f":
        return D.get_default_dtype()
    if kind in "iu":
        return D.int64
    if kind == "b":
        return D.bool
    if kind == "c":
        return D.default_complex_dtype()
    raise TypeError(f"Could not infer dtype of {array.dtype}")


def _to_array(data):
    """Nested lists (possibly holding tensors) to a NumPy array, with torch's errors."""
    if isinstance(data, Tensor):
        return move(data._data, CPU)
    if isinstance(data, list | tuple):
        if any(isinstance(x, Tensor) for x in data):
            data = [_to_array(x) for x in data]
        try:
            return np.array(data)
        except ValueError:
            raise ValueError(f"expected sequence of equal lengths, got a ragged nested list: "
                             f"{_ragged_summary(data)}") from None
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    return np.asarray(data)


def _ragged_summary(data) -> str:
    lengths = [len(x) if isinstance(x, list | tuple) else "scalar" for x in data]
    return f"lengths {lengths}"


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors)."""
    if isinstance(data, Tensor):
        import warnings

        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    from_numpy_array = isinstance(data, np.ndarray) or isinstance(data, Tensor)
    array = _to_array(data)
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif from_numpy_array:
        dt = D.from_numpy_dtype(array.dtype)
    else:
        dt = _infer_dtype(array)
    array = np.array(array, dtype=dt.np_dtype, copy=True)
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

def zeros(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_xp_for(device).zeros(_size_arg(size), dt.np_dtype), None, device,
                   requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_xp_for(device).ones(_size_arg(size), dt.np_dtype), None, device,
                   requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False,
          memory_format=None, pin_memory=False) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_xp_for(device).empty(_size_arg(size), dt.np_dtype), None, device,
                   requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = D.to_dtype(dtype) if dtype is not None else D.scalar_dtype(fill_value)
    shape = _size_arg((size,)) if not isinstance(size, int) else (size,)
    return _finish(_xp_for(device).full(shape, fill_value, dt.np_dtype), None, device,
                   requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad: bool = False) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(_xp_for(device).eye(n, m, dtype=dt.np_dtype), None, device, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end``."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif any(isinstance(v, float) for v in values):
        dt = D.get_default_dtype()
    else:
        dt = D.int64
    n = math.ceil((end - start) / step)
    # like torch: each value is start + i * step, computed in double precision
    data = start + np.arange(n, dtype=np.float64 if dt.category >= D._FLOAT else np.int64) * step
    return _finish(data.astype(dt.np_dtype), None, device, requires_grad)


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated ``torch.range``: like ``arange`` but includes ``end``."""
    n = builtins.int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        data = np.array([start], dtype=np.float64)
    else:
        # torch fills the first half from start and the second from end (symmetric error)
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        data = np.where(i < half, start + step * i, end - step * (steps - i - 1))
    if dt.category < D._FLOAT:
        data = np.trunc(data)
    return _finish(data.astype(dt.np_dtype), None, device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    exponents = linspace(start, end, steps, dtype=D.float64)._data
    return _finish((base ** exponents).astype(dt.np_dtype), None, device, requires_grad)


def _like(input: Tensor, dtype, device):
    return (D.to_dtype(dtype) if dtype is not None else input.dtype,
            device if device is not None else input.device)


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return zeros(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return ones(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return empty(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return full(input._data.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


# ----------------------------------------------------------------------- random

def _gen(generator):
    return generator if generator is not None else _random.default_generator


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples from [0, 1)."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = _gen(generator).uniform(_size_arg(size), dt.np_dtype)
    return _finish(data, None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Samples from the standard normal distribution (mean 0, variance 1)."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    data = _gen(generator).normal(_size_arg(size), dt.np_dtype)
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


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return rand(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return randn(input._data.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(input: Tensor, low, high=None, *, dtype=None, device=None,
                 requires_grad=False) -> Tensor:
    dt, dev = _like(input, dtype, device)
    return randint(low, high, input._data.shape, dtype=dt, device=dev)


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

def legacy_new(args, dtype: D.dtype, device) -> np.ndarray | object:
    """``Tensor(2, 3)`` is uninitialised of that shape; ``Tensor([1, 2])`` holds data."""
    xp = _xp_for(device)
    if not args:
        data = np.empty((0,), dtype.np_dtype)
    elif all(isinstance(a, int | np.integer) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        data = np.zeros(_size_arg(args), dtype.np_dtype)  # torch leaves garbage; zeros is kinder
    elif len(args) == 1:
        data = np.array(_to_array(args[0]), dtype=dtype.np_dtype)
    else:
        raise TypeError(f"new() received an invalid combination of arguments: {args!r}")
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
        return _make(legacy_new(args, cls.dtype, dev))

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
