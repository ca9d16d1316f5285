"""Elementwise math functions (exp, log, sin, tanh, sigmoid, relu, ...) and their derivatives.

Where the derivative is easiest to write with the *output* (``d exp(x) = exp(x)``,
``d tanh(x) = 1 - tanh(x)**2``), ``forward`` saves the output instead of the input.
"""

from __future__ import annotations

import math as _math

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_python_scalar, cast


def _floating(x: Tensor) -> Tensor:
    """Math functions of integer tensors give floats (``exp(int) -> float32``)."""
    if x._data.dtype.kind in "biu":
        return cast(x, D.get_default_dtype())
    return x


class ExpBackward0(Function):
    def forward(self, x):
        out = array_module(x).exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out


class LogBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / x


class Log2Backward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log2(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _math.log(2.0))


class Log10Backward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log10(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _math.log(10.0))


class Log1PBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).log1p(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x + 1)


class Expm1Backward0(Function):
    def forward(self, x):
        out = array_module(x).expm1(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out + 1)


class SqrtBackward0(Function):
    """d sqrt(x) = 1 / (2 sqrt(x))."""

    def forward(self, x):
        out = array_module(x).sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad / (out * 2)


class RsqrtBackward0(Function):
    """d x**-1/2 = -1/2 x**-3/2."""

    def forward(self, x):
        out = 1 / array_module(x).sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * out * out * -0.5


class SinBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).sin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.cos()


class CosBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).cos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * -x.sin()


class TanBackward0(Function):
    def forward(self, x):
        out = array_module(x).tan(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out * out + 1)


class TanhBackward0(Function):
    """d tanh(x) = 1 - tanh(x)**2."""

    def forward(self, x):
        out = array_module(x).tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (1 - out * out)


class SigmoidBackward0(Function):
    """sigmoid(x) = 1 / (1 + exp(-x));  d sigmoid = sigmoid * (1 - sigmoid)."""

    def forward(self, x):
        xp = array_module(x)
        if xp is np:  # exp(-x) overflows to inf for x < -88 in float32: 1 / inf is 0, fine
            with np.errstate(over="ignore"):
                out = 1 / (1 + np.exp(-x))
        else:
            out = 1 / (1 + xp.exp(-x))
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * (1 - out)


class ReluBackward0(Function):
    """relu(x) = max(x, 0);  its derivative is 1 where x > 0, else 0."""

    def forward(self, x):
        out = array_module(x).maximum(x, 0)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out > 0)


class AbsBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).abs(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.sign()


class _Piecewise(Function):
    """Ops that are constant almost everywhere: their gradient is zero."""

    def backward(self, grad):
        return grad * 0


class FloorBackward0(_Piecewise):
    def forward(self, x):
        return array_module(x).floor(x) if x.dtype.kind == "f" else x.copy()


class CeilBackward0(_Piecewise):
    def forward(self, x):
        return array_module(x).ceil(x) if x.dtype.kind == "f" else x.copy()


class TruncBackward0(_Piecewise):
    def forward(self, x):
        return array_module(x).trunc(x) if x.dtype.kind == "f" else x.copy()


class FracBackward0(Function):
    def forward(self, x):
        return x - array_module(x).trunc(x)

    def backward(self, grad):
        return grad


class RoundBackward0(_Piecewise):
    """Round half to even, as torch and NumPy both do."""

    def forward(self, x):
        return array_module(x).round(x) if x.dtype.kind == "f" else x.copy()


class RoundBackward1(_Piecewise):
    def forward(self, x, decimals=0):
        return array_module(x).round(x, decimals)


class SignBackward0(_Piecewise):
    def forward(self, x):
        xp = array_module(x)
        return xp.sign(x) if x.dtype.kind != "b" else x.copy()


class ClampBackward1(Function):
    """clamp(x, min, max) with numbers; the gradient passes where min <= x <= max."""

    def forward(self, x, min=None, max=None):
        self.save_for_backward(x)
        self.min, self.max = min, max
        xp = array_module(x)
        if min is not None and max is not None and min > max:
            return xp.full_like(x, max)
        return xp.clip(x, min, max)

    def backward(self, grad):
        (x,) = self.saved_tensors
        mask = None
        if self.min is not None:
            mask = x >= self.min
        if self.max is not None:
            upper = x <= self.max
            mask = upper if mask is None else mask & upper
        return grad * mask


class ErfBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return _erf(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * (2 / _math.sqrt(_math.pi)) * (-(x * x)).exp()


def _erf(x):
    xp = array_module(x)
    if xp.__name__ == "cupy":
        import cupyx.scipy.special

        return cupyx.scipy.special.erf(x)
    vectorized = getattr(xp, "_erf_ufunc", None)
    if vectorized is None:
        vectorized = xp.frompyfunc(_math.erf, 1, 1)
    return vectorized(x).astype(x.dtype)


# ---------------------------------------------------------------------- public functions

def exp(input: Tensor) -> Tensor:
    return ExpBackward0.apply(_floating(input))


def log(input: Tensor) -> Tensor:
    return LogBackward0.apply(_floating(input))


def log2(input: Tensor) -> Tensor:
    return Log2Backward0.apply(_floating(input))


def log10(input: Tensor) -> Tensor:
    return Log10Backward0.apply(_floating(input))


def log1p(input: Tensor) -> Tensor:
    return Log1PBackward0.apply(_floating(input))


def expm1(input: Tensor) -> Tensor:
    return Expm1Backward0.apply(_floating(input))


def sqrt(input: Tensor) -> Tensor:
    return SqrtBackward0.apply(_floating(input))


def rsqrt(input: Tensor) -> Tensor:
    return RsqrtBackward0.apply(_floating(input))


def sin(input: Tensor) -> Tensor:
    return SinBackward0.apply(_floating(input))


def cos(input: Tensor) -> Tensor:
    return CosBackward0.apply(_floating(input))


def tan(input: Tensor) -> Tensor:
    return TanBackward0.apply(_floating(input))


def tanh(input: Tensor) -> Tensor:
    return TanhBackward0.apply(_floating(input))


def sigmoid(input: Tensor) -> Tensor:
    return SigmoidBackward0.apply(_floating(input))


def relu(input: Tensor) -> Tensor:
    return ReluBackward0.apply(input)


def abs(input: Tensor) -> Tensor:
    return AbsBackward0.apply(input)


absolute = abs


def floor(input: Tensor) -> Tensor:
    return FloorBackward0.apply(input)


def ceil(input: Tensor) -> Tensor:
    return CeilBackward0.apply(input)


def trunc(input: Tensor) -> Tensor:
    return TruncBackward0.apply(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    return FracBackward0.apply(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    if decimals:
        return RoundBackward1.apply(input, decimals=decimals)
    return RoundBackward0.apply(input)


def sign(input: Tensor) -> Tensor:
    return SignBackward0.apply(input)


def erf(input: Tensor) -> Tensor:
    return ErfBackward0.apply(_floating(input))


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit every element to ``[min, max]``; ``min``/``max`` may be numbers or tensors."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .comparison import maximum, minimum

        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    min, max = as_python_scalar(min), as_python_scalar(max)
    if input.dtype.category < D._FLOAT and (isinstance(min, float) or isinstance(max, float)):
        input = cast(input, D.get_default_dtype())
    return ClampBackward1.apply(input, min=min, max=max)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    return clamp(input, min=min)


def clamp_max(input: Tensor, max) -> Tensor:
    return clamp(input, max=max)


__all__ = ["abs", "absolute", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos", "erf",
    "exp", "expm1", "fix", "floor", "frac", "log", "log10", "log1p", "log2", "relu", "round",
    "rsqrt", "sigmoid", "sign", "sin", "sqrt", "tan", "tanh", "trunc"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["abs", "absolute", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos",
    "erf", "exp", "expm1", "fix", "floor", "frac", "log", "log10", "log1p", "log2", "relu",
    "round", "rsqrt", "sigmoid", "sign", "sin", "sqrt", "tan", "tanh", "trunc"]
INPLACE_VARIANTS = ["abs", "absolute", "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos",
    "erf", "exp", "expm1", "fix", "floor", "frac", "log", "log10", "log1p", "log2", "relu",
    "round", "rsqrt", "sigmoid", "sign", "sin", "sqrt", "tan", "tanh", "trunc"]
