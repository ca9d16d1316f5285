"""Elementwise math functions (exp, log, sin, tanh, sigmoid, relu, ...) and their derivatives.

Where the derivative is easiest to write with the *output* (``d exp(x) = exp(x)``,
``d tanh(x) = 1 - tanh(x)**2``), ``forward`` saves the output instead of the input.
"""

from __future__ import annotations

import math as _math

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ._common import as_python_scalar, cast


def _floating(x: Tensor) -> Tensor:
    """Math functions of integer tensors give floats (``exp(int) -> float32``)."""
    if x._data.dtype.kind in "biu":
        return cast(x, D.get_default_dtype())
    return x


class ExpBackward0(Function):
    def forward(self, x):
        with _quiet():
            out = array_module(x).exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out


class LogBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / x


class Log2Backward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).log2(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _math.log(2.0))


class Log10Backward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).log10(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * _math.log(10.0))


class Log1PBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).log1p(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x + 1)


class Expm1Backward0(Function):
    def forward(self, x):
        with _quiet():
            out = array_module(x).expm1(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (out + 1)


class SqrtBackward0(Function):
    """d sqrt(x) = 1 / (2 sqrt(x))."""

    def forward(self, x):
        with _quiet():
            out = array_module(x).sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad / (out * 2)


class RsqrtBackward0(Function):
    """d x**-1/2 = -1/2 x**-3/2."""

    def forward(self, x):
        with _quiet():
            out = 1 / array_module(x).sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * out * out * -0.5


class SinBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).sin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.cos()


class CosBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).cos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * -x.sin()


class TanBackward0(Function):
    def forward(self, x):
        with _quiet():
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


class ClampMinBackward0(ClampBackward1):
    """clamp_min(x, number)."""


class ClampMaxBackward0(ClampBackward1):
    """clamp_max(x, number)."""


class ClampBackward0(Function):
    """clamp(x, min, max) with tensor bounds (either may be None), elementwise.

    The gradient goes to x where min <= x <= max, to min where x < min, to max where
    x > max.  Where min > max the result is max, so max gets the gradient.
    """

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)
        xp = array_module(x)
        out = x if lo is None else xp.maximum(x, lo)
        return out if hi is None else xp.minimum(out, hi)

    def backward(self, grad):
        from .comparison import where

        x, lo, hi = self.saved_tensors
        zero = grad.new_zeros(())
        if hi is None:
            return where(x >= lo, grad, zero), where(x < lo, grad, zero), None
        if lo is None:
            return where(x <= hi, grad, zero), None, where(x > hi, grad, zero)
        return (where((x >= lo) & (x <= hi), grad, zero),
                where((x < lo) & (lo < hi), grad, zero),
                where((x > hi) | (hi < lo), grad, zero))


class ClampMinBackward1(Function):
    """clamp_min(x, tensor): the larger of the two gets the gradient (x on a tie)."""

    def forward(self, x, lo):
        self.save_for_backward(x, lo)
        return array_module(x).maximum(x, lo)

    def backward(self, grad):
        from .comparison import where

        x, lo = self.saved_tensors
        zero = grad.new_zeros(())
        return where(x >= lo, grad, zero), where(x < lo, grad, zero)


class ClampMaxBackward1(Function):
    """clamp_max(x, tensor): the smaller of the two gets the gradient (x on a tie)."""

    def forward(self, x, hi):
        self.save_for_backward(x, hi)
        return array_module(x).minimum(x, hi)

    def backward(self, grad):
        from .comparison import where

        x, hi = self.saved_tensors
        zero = grad.new_zeros(())
        return where(x <= hi, grad, zero), where(x > hi, grad, zero)


class ErfBackward0(Function):
    """d erf(x) = 2/sqrt(pi) exp(-x**2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return _special(x, "erf", erf_array)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * _TWO_OVER_SQRT_PI * (-(x * x)).exp()


class ErfcBackward0(Function):
    """erfc(x) = 1 - erf(x), computed directly so it keeps its precision when tiny."""

    def forward(self, x):
        self.save_for_backward(x)
        return _special(x, "erfc", erfc_array)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * -_TWO_OVER_SQRT_PI * (-(x * x)).exp()


class ErfinvBackward0(Function):
    """The inverse function's derivative: 1 / erf'(out) = sqrt(pi)/2 exp(out**2)."""

    def forward(self, x):
        out = _special(x, "erfinv", erfinv_array)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * (_math.sqrt(_math.pi) / 2) * (out * out).exp()


class LgammaBackward0(Function):
    """d log|Gamma(x)| = digamma(x)."""

    def forward(self, x):
        self.save_for_backward(x)
        return _special(x, "gammaln", lgamma_array)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * digamma(x)


class DigammaBackward0(Function):
    """d digamma(x) = polygamma(1, x), the trigamma function."""

    def forward(self, x):
        self.save_for_backward(x)
        return _special(x, "digamma", digamma_array)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * polygamma(1, x)


class PolygammaBackward0(Function):
    """d polygamma(n, x) = polygamma(n + 1, x)."""

    def forward(self, x, n=1):
        self.n = n
        self.save_for_backward(x)
        if array_module(x) is not np:
            import cupyx.scipy.special

            return cupyx.scipy.special.polygamma(n, x).astype(x.dtype)
        return polygamma_array(n, x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * polygamma(self.n + 1, x)


class PolygammaBackward1(PolygammaBackward0):
    """x.polygamma_(n): the same derivative, under the name torch gives the in-place op."""


class _InplaceWithoutDerivative(Function):
    """x.asinh_(), x.acosh_(), x.atanh_(): torch records them in the graph, but gives
    them no derivative (x's old value, which it would need, is overwritten)."""

    op = kernel = ""

    def forward(self, x):
        with _quiet():
            return getattr(array_module(x), self.kernel)(x)

    def backward(self, grad):
        raise NotImplementedError(
            f"the derivative for 'inplace version of {self.op}' is not implemented. (Use the "
            f"out-of-place x.{self.op}() to differentiate through it.)")


class AsinhBackward1(_InplaceWithoutDerivative):
    op, kernel = "asinh", "arcsinh"


class AcoshBackward1(_InplaceWithoutDerivative):
    op, kernel = "acosh", "arccosh"


class AtanhBackward1(_InplaceWithoutDerivative):
    op, kernel = "atanh", "arctanh"


class SinhBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).sinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.cosh()


class CoshBackward0(Function):
    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).cosh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.sinh()


class AsinBackward0(Function):
    """d asin(x) = 1 / sqrt(1 - x**2)."""

    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).arcsin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * (1 - x * x).rsqrt()


class AcosBackward0(Function):
    """d acos(x) = -1 / sqrt(1 - x**2)."""

    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).arccos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return -grad * (1 - x * x).rsqrt()


class AtanBackward0(Function):
    """d atan(x) = 1 / (1 + x**2)."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).arctan(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (x * x + 1)


class AsinhBackward0(Function):
    """d asinh(x) = 1 / sqrt(x**2 + 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        return array_module(x).arcsinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * (x * x + 1).rsqrt()


class AcoshBackward0(Function):
    """d acosh(x) = 1 / sqrt(x**2 - 1)."""

    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).arccosh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * (x * x - 1).rsqrt()


class AtanhBackward0(Function):
    """d atanh(x) = 1 / (1 - x**2)."""

    def forward(self, x):
        self.save_for_backward(x)
        with _quiet():
            return array_module(x).arctanh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad / (1 - x * x)


class Exp2Backward0(Function):
    """d 2**x = 2**x log(2)."""

    def forward(self, x):
        with _quiet():
            out = array_module(x).exp2(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return grad * out * _math.log(2.0)


class LogitBackward0(Function):
    """logit(x) = log(x / (1 - x)), the inverse of sigmoid; d logit = 1 / (x (1 - x)).

    With ``eps`` the input is first clamped to [eps, 1 - eps], so the gradient is zero
    outside; without it, inputs outside [0, 1] have a NaN gradient, as in torch.
    """

    def forward(self, x, eps=None):
        self.eps = eps
        self.save_for_backward(x)
        xp = array_module(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        with _quiet():
            return xp.log(z / (1 - z))

    def backward(self, grad):
        from .comparison import where

        (x,) = self.saved_tensors
        g = grad / (x * (1 - x))
        if self.eps is None:
            return where((x < 0) | (x > 1), float("nan"), g)
        return where((x < self.eps) | (x > 1 - self.eps), 0.0, g)


class SgnBackward0(_Piecewise):
    """sgn(x) = x / |x| (for real numbers, the sign): its gradient is zero."""

    def forward(self, x):
        xp = array_module(x)
        return xp.sign(x) if x.dtype.kind != "b" else x.copy()


class NanToNumBackward0(Function):
    """Replace NaN and infinities; the gradient passes only where x was finite."""

    def forward(self, x, nan=0.0, posinf=None, neginf=None):
        self.save_for_backward(x)
        if x.dtype.kind != "f":
            return x.copy()
        return array_module(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x.isfinite()


class Deg2RadBackward0(Function):
    def forward(self, x):
        return x * (_math.pi / 180)

    def backward(self, grad):
        return grad * (_math.pi / 180)


class Rad2DegBackward0(Function):
    def forward(self, x):
        return x * (180 / _math.pi)

    def backward(self, grad):
        return grad * (180 / _math.pi)


def _special(x, cupy_name: str, numpy_kernel):
    """A special function on an array: our NumPy kernel on the CPU, CuPy's on the GPU."""
    if array_module(x) is np:
        return numpy_kernel(x)
    import cupyx.scipy.special

    return getattr(cupyx.scipy.special, cupy_name)(x).astype(x.dtype)


def _quiet():
    """NumPy warns about NaNs and infinities that torch returns silently."""
    return np.errstate(all="ignore")


# ------------------------------------------------------------------ special-function kernels
#
# NumPy has no erf, lgamma or digamma, and calling Python's ``math.erf`` once per element
# is slow.  These kernels evaluate them on whole float64 arrays (other float dtypes are
# computed in float64 and rounded back).  On the GPU, CuPy's own kernels are used instead.

_TWO_OVER_SQRT_PI = 2 / _math.sqrt(_math.pi)

# Rational approximations P(x) / Q(x), fitted (near-minimax, relative error below 1e-17)
# in 50-digit arithmetic with mpmath; coefficients from the constant term up:
#   erf(x) = x * P(x**2) / Q(x**2)                     for |x| < 0.75
#   erfc(x) = exp(-x**2) * P(x) / Q(x)                 for 0.75 <= x < 4
# For x >= 4, Laplace's continued fraction converges fast.
_ERF_SMALL_P = (
    1.1283791670955126, 0.13890413932444995, 0.04489855377982102, 0.0017099422510398756,
    0.0001910711859305955, -1.854885114908703e-07)
_ERF_SMALL_Q = (
    1.0, 0.45643392165950214, 0.09193494782673342, 0.01032651111632695, 0.0006558527146619001,
    1.9185154283255188e-05)
_ERFCX_P = (
    1.0000000022129114, 1.5381558115660439, 1.1764817492664028, 0.541318924144403,
    0.15628620389938827, 0.026857248968048347, 0.0021817698087406205, -2.719976127075575e-10)
_ERFCX_Q = (
    1.0, 2.6665350064193554, 3.185344133278178, 2.22131328314933, 0.9833323660593092,
    0.27893684888928416, 0.04760371835645044, 0.003867064226147364)


def _horner(coefs: tuple, x):
    """coefs[0] + coefs[1] x + coefs[2] x**2 + ..., updating one array in place."""
    acc = x * coefs[-1]
    for c in coefs[-2:0:-1]:
        acc += c
        acc *= x
    acc += coefs[0]
    return acc


def _exp_minus_square(x):
    """exp(-x**2) for x >= 0, without the rounding error of x*x (which exp would magnify).

    x = hi + lo, where hi has few enough bits for hi*hi to be exact; then
    exp(-x**2) = exp(-hi*hi) * exp(-d), d = lo * (x + hi) tiny: a short series does.
    """
    hi = x * 2.0**20  # (in place where possible: these arrays are large)
    np.trunc(hi, out=hi)
    hi *= 2.0**-20
    d = x + hi
    d *= x - hi
    hi *= -hi
    out = np.exp(hi, out=hi)
    series = d * (-1 / 6)  # 1 - d + d**2/2 - d**3/6
    series += 0.5
    series *= d
    series -= 1
    series *= d
    series += 1
    out *= series
    return out


def _erfc_positive(x):
    """erfc(x) for x >= 0.75 (or NaN)."""
    factor = _horner(_ERFCX_P, x) / _horner(_ERFCX_Q, x)
    far = x >= 4.0
    if far.any():
        v = x[far]
        # sqrt(pi) exp(x**2) erfc(x) = 1/(x+ (1/2)/(x+ 1/(x+ (3/2)/(x+ ...
        f = v
        for k in range(24, 0, -1):  # 24 levels reach float64 precision for x >= 4
            f = v + (k / 2) / f
        factor[far] = 1 / (f * _math.sqrt(_math.pi))
    return np.where(x >= 27.5, 0.0, _exp_minus_square(x) * factor)  # underflow beyond 27.3


def _erf_or_erfc(x, complement: bool):
    """Both branches on the whole array, then a choice per element: cheaper, for NumPy,
    than gathering and scattering the elements of each branch."""
    dtype, shape = x.dtype, x.shape
    x = np.asarray(x, dtype=np.float64).reshape(-1)  # 1-d: NumPy turns 0-d results to scalars
    with _quiet():
        ax = np.abs(x)
        t = x * x
        small = x * _horner(_ERF_SMALL_P, t) / _horner(_ERF_SMALL_Q, t)
        c = _erfc_positive(np.maximum(ax, 0.75))
        if complement:
            out = np.where(ax < 0.75, 1 - small, np.where(x < 0, 2 - c, c))
        else:
            out = np.where(ax < 0.75, small, np.copysign(1 - c, x))
    return out.astype(dtype, copy=False).reshape(shape)


def erf_array(x):
    """erf of a NumPy array, within 2 units in the last place of float64 (checked against
    mpmath): about twice as fast as calling ``math.erf`` per element."""
    return _erf_or_erfc(x, False)


def erfc_array(x):
    """erfc = 1 - erf, with its relative precision kept where it is tiny (large x): within
    5 units in the last place of float64."""
    return _erf_or_erfc(x, True)


def erfinv_array(y):
    """The inverse of erf: a closed-form first guess polished by Halley's method.

    The guess (S. Winitzki's approximation, relative error < 0.2%) is written so that it
    doesn't cancel for small |y|; three Halley steps (each roughly triples the number of correct
    digits) bring it to float64 precision.  Near |y| = 1 the residual is measured with
    erfc, since 1 - |y| is exact there while erf(x) - |y| would cancel.
    """
    dtype, shape = y.dtype, y.shape
    y = np.asarray(y, dtype=np.float64).reshape(-1)  # 1-d: NumPy turns 0-d results to scalars
    with _quiet():
        a = np.abs(y)
        t = -np.log1p(-a * a)
        k = 0.147
        b = 2 / (_math.pi * k) - t / 2
        s = np.sqrt(b * b + t / k)
        x = np.sqrt(np.where(b > 0, (t / k) / (s + b), s - b))
        near_one = a > 0.5
        for _ in range(3):
            residual = np.empty_like(x)
            residual[~near_one] = erf_array(x[~near_one]) - a[~near_one]
            residual[near_one] = (1 - a[near_one]) - erfc_array(x[near_one])
            r = residual / (_TWO_OVER_SQRT_PI * _exp_minus_square(x))
            x = x - r / (1 + x * r)
        x = np.where(a == 1, np.inf, np.where(a > 1, np.nan, x))
        return np.copysign(x, y).astype(dtype, copy=False).reshape(shape)


# Bernoulli numbers B2, B4, ..., B16: the coefficients of the asymptotic series below.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _abs_sin_pi(x):
    """|sin(pi x)|, with x reduced exactly to [-0.5, 0.5] first: exactly 0 at integers."""
    r = x - np.round(x)
    return np.abs(np.sin(np.pi * r))


def _shift_up(x, limit: float, term):
    """Move x up to >= limit by steps of 1, accumulating term(x) at each step."""
    total = np.zeros_like(x)
    x = x.copy()
    low = x < limit
    while low.any():
        total[low] += term(x[low])
        x[low] += 1
        low = x < limit
    return x, total


def lgamma_array(x):
    """log|Gamma(x)|: Stirling's series for x >= 10, recurrence below, reflection below 0.5."""
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    with _quiet():
        reflect = x < 0.5
        z = np.where(reflect, 1 - x, x)  # >= 0.5
        # log Gamma(z) = log Gamma(z + n) - log(z (z+1) ... (z+n-1))
        z, log_product = _shift_up(z, 10.0, np.log)
        inv = 1 / z
        inv2 = inv * inv
        series = 0.0
        for k in range(len(_BERNOULLI), 0, -1):
            series = series * inv2 + _BERNOULLI[k - 1] / (2 * k * (2 * k - 1))
        out = (z - 0.5) * np.log(z) - z + 0.5 * _math.log(2 * _math.pi) + series * inv
        out = np.where(np.isinf(z), np.inf, out) - log_product
        # Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        reflected = np.log(np.pi / _abs_sin_pi(x)) - out
        out = np.where(reflect, reflected, out)
        return np.where(x == -np.inf, np.inf, out).astype(dtype, copy=False)


def digamma_array(x):
    """d/dx log Gamma(x): asymptotic series for x >= 10, recurrence below, reflection for x <= 0."""
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    with _quiet():
        reflect = x <= 0
        z = np.where(reflect, 1 - x, x)
        # psi(z) = psi(z + 1) - 1/z
        z, shifted = _shift_up(z, 10.0, lambda v: 1 / v)
        inv2 = 1 / (z * z)
        series = 0.0
        for k in range(len(_BERNOULLI), 0, -1):
            series = series * inv2 + _BERNOULLI[k - 1] / (2 * k)
        out = np.log(z) - 0.5 / z - series * inv2 - shifted
        # psi(1 - x) - psi(x) = pi / tan(pi x)
        r = x - np.round(x)
        reflected = out - np.pi / np.tan(np.pi * r)
        out = np.where(reflect, np.where(r == 0, np.nan, reflected), out)
        out = np.where(x == 0, np.copysign(np.inf, -x), out)  # the poles at +0 and -0
        return out.astype(dtype, copy=False)


def polygamma_array(n: int, x):
    """The n-th derivative of digamma, n >= 1: asymptotic series for x >= 20, recurrence below.

    psi_n(x) = (-1)**(n+1) n! sum over k >= 0 of 1 / (x + k)**(n+1).
    """
    if n == 0:
        return digamma_array(x)
    dtype = x.dtype
    x = np.asarray(x, dtype=np.float64)
    sign = 1.0 if n % 2 else -1.0
    n_factorial = _math.factorial(n)
    with _quiet():
        z, shifted = _shift_up(x, 20.0, lambda v: v ** -(n + 1.0))
        inv = 1 / z
        inv2 = inv * inv
        series = 0.0
        for k in range(len(_BERNOULLI), 0, -1):  # B_2k (2k+n-1)! / (2k)! / z**(2k+n)
            c = _BERNOULLI[k - 1] * _math.factorial(2 * k + n - 1) / _math.factorial(2 * k)
            series = series * inv2 + c
        tail = inv ** n * (_math.factorial(n - 1) + n_factorial * inv / 2 + series * inv2)
        out = sign * (tail + n_factorial * shifted)
        return out.astype(dtype, copy=False)


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
    if input.dtype is D.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    return ReluBackward0.apply(input)


def _no_bool(name: str, input: Tensor) -> None:
    if input.dtype is D.bool:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def abs(input: Tensor) -> Tensor:
    _no_bool("abs_cpu", input)
    return AbsBackward0.apply(input)


absolute = abs


def floor(input: Tensor) -> Tensor:
    _no_bool("floor_vml_cpu", input)
    return FloorBackward0.apply(input)


def ceil(input: Tensor) -> Tensor:
    _no_bool("ceil_vml_cpu", input)
    return CeilBackward0.apply(input)


def trunc(input: Tensor) -> Tensor:
    _no_bool("trunc_vml_cpu", input)
    return TruncBackward0.apply(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    """The fractional part ``x - trunc(x)`` (floats only)."""
    if input.dtype.category < D._FLOAT:
        raise NotImplementedError(f'"frac_cpu" not implemented for \'{input.dtype.legacy_name}\'')
    return FracBackward0.apply(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even; ``decimals`` digits after the point (negative: before it)."""
    if decimals:
        if input.dtype.category < D._FLOAT:
            raise NotImplementedError(
                f'"round_cpu" not implemented for \'{input.dtype.legacy_name}\'')
        return RoundBackward1.apply(input, decimals=decimals)
    _no_bool("round_vml_cpu", input)
    return RoundBackward0.apply(input)


def sign(input: Tensor) -> Tensor:
    return SignBackward0.apply(input)


def erf(input: Tensor) -> Tensor:
    return ErfBackward0.apply(_floating(input))


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit every element to ``[min, max]``: both numbers, or both tensors (or None).

    Where ``min > max`` every element becomes ``max``, as in torch.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    if any(isinstance(b, Tensor) for b in bounds):
        if not all(isinstance(b, Tensor) for b in bounds):
            raise TypeError(
                f"clamp(): min and max must be both numbers or both tensors, got "
                f"min={type(min).__name__} and max={type(max).__name__}. (Make the number a "
                "tensor with torch.tensor(...), or clamp in two steps.)")
        return _clamp_tensors(ClampBackward0, input, min, max)
    return _clamp_numbers(ClampBackward1, input, min, max)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    """``max(input, min)`` elementwise; ``min`` a number or a tensor."""
    if isinstance(min, Tensor):
        return _clamp_tensors(ClampMinBackward1, input, min)
    return _clamp_numbers(ClampMinBackward0, input, min, None)


def clamp_max(input: Tensor, max) -> Tensor:
    """``min(input, max)`` elementwise; ``max`` a number or a tensor."""
    if isinstance(max, Tensor):
        return _clamp_tensors(ClampMaxBackward1, input, max)
    return _clamp_numbers(ClampMaxBackward0, input, None, max)


def _clamp_numbers(fn_cls, input: Tensor, lo, hi) -> Tensor:
    lo, hi = as_python_scalar(lo), as_python_scalar(hi)
    dtype = D.result_type(input, *[b for b in (lo, hi) if b is not None])
    if dtype is D.bool:
        which = "min" if lo is not None else "max"
        raise NotImplementedError(f'"clamp_{which}_scalar_cpu" not implemented for \'Bool\'')
    if dtype.category == D._INT:  # uint8_tensor.clamp(min=-3) compares with 253, as in torch
        from .arithmetic import _wrap_int

        lo, hi = _wrap_int(lo, dtype), _wrap_int(hi, dtype)
    return fn_cls.apply(cast(input, dtype), min=lo, max=hi)


def _clamp_tensors(fn_cls, input: Tensor, *bounds) -> Tensor:
    from ._common import broadcast_shapes

    present = [b for b in bounds if b is not None]
    dtype = D.result_type(input, *present)
    broadcast_shapes(input._data.shape, *(b._data.shape for b in present))
    args = [cast(b, dtype) if b is not None else None for b in (input, *bounds)]
    return fn_cls.apply(*args)


def sinh(input: Tensor) -> Tensor:
    return SinhBackward0.apply(_floating(input))


def cosh(input: Tensor) -> Tensor:
    return CoshBackward0.apply(_floating(input))


def asin(input: Tensor) -> Tensor:
    """Inverse sine; NaN outside [-1, 1]."""
    return AsinBackward0.apply(_floating(input))


def acos(input: Tensor) -> Tensor:
    """Inverse cosine; NaN outside [-1, 1]."""
    return AcosBackward0.apply(_floating(input))


def atan(input: Tensor) -> Tensor:
    return AtanBackward0.apply(_floating(input))


def asinh(input: Tensor) -> Tensor:
    return AsinhBackward0.apply(_floating(input))


def acosh(input: Tensor) -> Tensor:
    """Inverse hyperbolic cosine; NaN below 1."""
    return AcoshBackward0.apply(_floating(input))


def atanh(input: Tensor) -> Tensor:
    """Inverse hyperbolic tangent; NaN outside [-1, 1]."""
    return AtanhBackward0.apply(_floating(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``."""
    return Exp2Backward0.apply(_floating(input))


def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(x)``, precise even where it is tiny."""
    return ErfcBackward0.apply(_floating(input))


def erfinv(input: Tensor) -> Tensor:
    """The inverse of ``erf``: ``erf(erfinv(y)) == y`` for y in (-1, 1)."""
    return ErfinvBackward0.apply(_floating(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, the inverse of sigmoid; ``eps`` clamps p to [eps, 1 - eps]."""
    return LogitBackward0.apply(_floating(input), eps=eps)


def lgamma(input: Tensor) -> Tensor:
    """``log|Gamma(x)|`` (``lgamma(n + 1)`` is ``log(n!)``)."""
    return LgammaBackward0.apply(_floating(input))


def digamma(input: Tensor) -> Tensor:
    """The derivative of ``lgamma``."""
    return DigammaBackward0.apply(_floating(input))


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of ``digamma`` (``x.polygamma(n)`` passes the tensor first)."""
    if isinstance(n, Tensor) and not isinstance(input, Tensor):
        n, input = input, n
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return PolygammaBackward0.apply(_floating(input), n=int(n))


def sgn(input: Tensor) -> Tensor:
    """``x / |x|``; for real numbers the same as ``sign``."""
    return SgnBackward0.apply(input)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negative numbers, and also ``-0.0``."""
    data = input._data
    xp = array_module(data)
    if data.dtype.kind == "f":
        return _make(xp.asarray(xp.signbit(data)))
    return _make(xp.asarray(data < 0))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace NaN by ``nan``, and infinities by ``posinf``/``neginf`` (default: the
    dtype's largest finite values)."""
    return NanToNumBackward0.apply(input, nan=nan, posinf=posinf, neginf=neginf)


def deg2rad(input: Tensor) -> Tensor:
    return Deg2RadBackward0.apply(_floating(input))


def rad2deg(input: Tensor) -> Tensor:
    return Rad2DegBackward0.apply(_floating(input))


def _inplace_from_output(self: Tensor, fn_cls, **kwargs) -> Tensor:
    from .inplace import generic_inplace

    return generic_inplace(self, fn_cls.apply(_floating(self), **kwargs))


def asinh_(self: Tensor) -> Tensor:
    """In place; torch gives this in-place version no derivative."""
    return _inplace_from_output(self, AsinhBackward1)


def acosh_(self: Tensor) -> Tensor:
    return _inplace_from_output(self, AcoshBackward1)


def atanh_(self: Tensor) -> Tensor:
    return _inplace_from_output(self, AtanhBackward1)


arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_


def polygamma_(self: Tensor, n: int) -> Tensor:
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _inplace_from_output(self, PolygammaBackward1, n=int(n))


__all__ = ["abs", "absolute", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctanh", "asin", "asinh", "atan", "atanh", "ceil", "clamp", "clamp_max", "clamp_min", "clip",
    "cos", "cosh", "deg2rad", "digamma", "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "fix",
    "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "logit", "nan_to_num", "polygamma",
    "rad2deg", "relu", "round", "rsqrt", "sgn", "sigmoid", "sign", "signbit", "sin", "sinh", "sqrt",
    "tan", "tanh", "trunc"]
# exposed as Tensor methods too (x.exp()), and as in-place variants (x.exp_())
TENSOR_METHODS = ["abs", "absolute", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh",
    "arctan", "arctanh", "asin", "asinh", "atan", "atanh", "ceil", "clamp", "clamp_max",
    "clamp_min", "clip", "cos", "cosh", "deg2rad", "digamma", "erf", "erfc", "erfinv", "exp",
    "exp2", "expm1", "fix", "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "logit",
    "nan_to_num", "polygamma", "rad2deg", "relu", "round", "rsqrt", "sgn", "sigmoid", "sign",
    "signbit", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
    # in-place variants with their own graph node (the others are made automatically)
    "acosh_", "arccosh_", "arcsinh_", "arctanh_", "asinh_", "atanh_", "polygamma_"]
INPLACE_VARIANTS = ["abs", "absolute", "acos", "arccos", "arcsin", "arctan", "asin", "atan",
    "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos", "cosh", "deg2rad", "digamma", "erf",
    "erfc", "erfinv", "exp", "exp2", "expm1", "fix", "floor", "frac", "lgamma", "log", "log10",
    "log1p", "log2", "logit", "nan_to_num", "rad2deg", "relu", "round", "rsqrt", "sgn", "sigmoid",
    "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"]
