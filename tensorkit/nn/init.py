"""Weight initialisation: fill a tensor in place with numbers of a chosen distribution.

Good starting weights keep the size of activations and gradients roughly constant
from layer to layer.  Xavier/Glorot initialisation picks the spread from the number
of inputs and outputs of a layer (its "fans"); Kaiming/He initialisation from one of
them and the nonlinearity that follows (``calculate_gain``).

Everything draws from the same generator as ``tensorkit.rand``, the same way torch
does, so after ``manual_seed(s)`` the weights equal torch's.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain", "constant", "constant_", "dirac", "dirac_", "eye", "eye_", "kaiming_normal",
    "kaiming_normal_", "kaiming_uniform", "kaiming_uniform_", "normal", "normal_", "ones_",
    "orthogonal", "orthogonal_", "sparse", "sparse_", "trunc_normal_", "uniform", "uniform_",
    "xavier_normal", "xavier_normal_", "xavier_uniform", "xavier_uniform_", "zeros_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which a nonlinearity shrinks the spread of its inputs, to undo it.

    relu: sqrt(2) (it zeroes half the inputs); tanh: 5/3; linear and sigmoid: 1;
    leaky_relu: sqrt(2 / (1 + negative_slope**2)).
    """
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, int | float) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """Inputs and outputs per unit: weight (out, in, *kernel) -> (in * k, out * k)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.size(1) * receptive_field, tensor.size(0) * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with numbers drawn uniformly from [a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with numbers from the normal distribution N(mean, std**2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    data = tensor._data
    with no_grad():
        data[...] = array_module(data).eye(*data.shape, dtype=data.dtype)
        tensor._bump()
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a convolution weight so that the convolution copies its input (per group)."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    centre = tuple(s // 2 for s in sizes[2:])
    data = tensor._data
    with no_grad():
        data[...] = 0
        for g in range(groups):
            for d in range(min(out_per_group, sizes[1])):
                data[(g * out_per_group + d, d, *centre)] = 1
        tensor._bump()
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: uniform in [-a, a] with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # a uniform on [-a, a] has standard deviation a / sqrt(3)
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: normal with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He: uniform in [-bound, bound], bound = gain * sqrt(3 / fan).

    ``nn.Linear`` uses ``a=sqrt(5)``, which works out to bound = 1 / sqrt(fan_in).
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He: normal with std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Normal N(mean, std**2) restricted to [a, b], by rejection sampling as torch does.

    When most of the distribution lies in [a, b], draw normals and redraw the ones
    outside; otherwise draw uniforms in [a, b] and accept each with probability
    proportional to the normal density there (relative to its peak in [a, b]).
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
        if mass > 0.3:
            _redraw_outside(tensor, mean, std, a, b, generator)
        else:
            _accept_reject(tensor, mean, std, a, b, generator)
    return tensor


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _redraw_outside(tensor: Tensor, mean, std, a, b, generator) -> None:
    dtype = tensor._data.dtype
    lo, hi = dtype.type(a), dtype.type(b)  # the bounds as the tensor's dtype sees them
    tensor.normal_(mean, std, generator=generator)
    data = tensor._data
    xp = array_module(data)
    while True:
        outside = (data < lo) | (data > hi)
        if not outside.any():
            return
        fresh = xp.empty_like(data)
        _fill(fresh, "normal", generator, mean, std)
        data[...] = xp.where(outside, fresh, data)
        tensor._bump()


def _accept_reject(tensor: Tensor, mean, std, a, b, generator) -> None:
    """Uniform candidates in [a, b], each kept if log(u) <= its log-density below the peak."""
    data = tensor._data
    xp = array_module(data)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_density(x):  # step by step in the tensor's dtype, as torch's in-place chain
        t = x.copy()
        t -= mean
        t /= std
        t **= 2
        t *= -0.5
        t -= log_peak
        return t

    def rejected(candidates):
        u = xp.empty_like(data)
        _fill(u, "uniform", generator, 0.0, 1.0)
        with np.errstate(divide="ignore"):
            return xp.log(u) > log_density(candidates)

    tensor.uniform_(a, b, generator=generator)
    pending = rejected(data)
    result = data.copy()
    candidates = xp.empty_like(data)
    while pending.any():
        _fill(candidates, "uniform", generator, a, b)
        result = xp.where(pending, candidates, result)
        pending = xp.where(pending, rejected(candidates), pending)
    data[...] = result
    tensor._bump()


def _fill(array, kind: str, generator, p1: float, p2: float) -> None:
    """Fill a bare array from the generator (``uniform_``/``normal_`` on a scratch tensor)."""
    from .._tensor import _make

    scratch = _make(array)
    if kind == "uniform":
        scratch.uniform_(p1, p2, generator=generator)
    else:
        scratch.normal_(p1, p2, generator=generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix: the Q of the QR decomposition of a normal matrix.

    The signs of Q's columns are fixed by R's diagonal, so Q is uniformly distributed.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flat = tensor.new_empty((rows, cols))
    flat.normal_(0, 1, generator=generator)
    m = flat._data.T if rows < cols else flat._data
    xp = array_module(m)
    q, r = xp.linalg.qr(m)
    q = q * xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    with no_grad():
        tensor._data[...] = q.astype(tensor._data.dtype).reshape(tensor._data.shape)
        tensor._data *= gain
        tensor._bump()
    return tensor


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Normal N(0, std**2) with a fraction ``sparsity`` of each column set to zero."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from ..ops.creation import randperm

    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        xp = array_module(tensor._data)
        for col in range(cols):
            zero_rows = xp.asarray(randperm(rows)._data[:num_zeros])
            tensor._data[zero_rows, col] = 0
        tensor._bump()
    return tensor


def _deprecated(new):
    """The old spelling without the trailing underscore, with torch's FutureWarning."""
    old_name = new.__name__[:-1]

    def old(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{new.__name__}`.", FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    old.__name__ = old_name
    old.__doc__ = f"Deprecated: use ``{new.__name__}``."
    return old


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
