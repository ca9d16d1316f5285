"""``tensorkit.nn.functional`` (``F``): the layers as plain functions, without parameters.

``nn.ReLU()(x)`` is ``F.relu(x)``, ``nn.Linear`` calls ``F.linear(x, weight, bias)``.
Activations that tensorkit does not already have as a tensor op are written here as
``Function``s with the names PyTorch gives their graph nodes (``LeakyReluBackward0``):
``forward`` on arrays, ``backward`` with tensor ops so that it can be differentiated
again.  The ``inplace=True`` variants overwrite the input (``ops/inplace.py`` keeps
autograd correct).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import _random
from .._device import CPU, array_module, move
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..ops.creation import zeros
from ..ops.inplace import apply_inplace
from ..ops.math import erf

__all__ = [
    "batch_norm", "bilinear", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "dropout", "dropout2d", "elu", "elu_", "embedding", "gelu", "hardtanh",
    "hardtanh_", "huber_loss", "instance_norm", "kl_div", "l1_loss", "layer_norm", "leaky_relu",
    "leaky_relu_", "linear", "log_softmax", "mse_loss", "nll_loss", "one_hot", "pad", "prelu",
    "relu", "relu6", "relu_", "sigmoid", "silu", "smooth_l1_loss", "softmax", "softmin",
    "softplus", "tanh", "threshold", "threshold_",
]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _where(cond: Tensor, a: Tensor, b: Tensor) -> Tensor:
    from ..ops.comparison import where

    return where(cond, a, b)


# ---------------------------------------------------------------------- linear layers

def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: weight is (out_features, in_features).

    As in torch, a 2-D input with a bias is one ``addmm``; other shapes are flattened
    to 2-D first and viewed back.
    """
    w_t = weight.t()
    if input.dim() == 2:
        return bias.addmm(input, w_t) if bias is not None else input.mm(w_t)
    batch = input.shape[:-1]
    flat = input.reshape(-1, input.shape[-1]) if input.dim() != 1 else input.view(1, -1)
    out = bias.addmm(flat, w_t) if bias is not None else flat.mm(w_t)
    return out.view(*batch, weight.shape[0])


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """``y_k = x1 @ weight[k] @ x2 + bias_k``; weight is (out, in1, in2)."""
    out_f, in1, in2 = weight.shape
    batch = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    mixed = x1.mm(weight.permute(1, 0, 2).reshape(in1, out_f * in2))  # (N, out * in2)
    out = (mixed.view(-1, out_f, in2) * x2.unsqueeze(1)).sum(-1).view(*batch, out_f)
    return out + bias if bias is not None else out


# ---------------------------------------------------------------------- activations

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) (the old spelling of ``torch.sigmoid``)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """The old spelling of ``torch.tanh``."""
    return input.tanh()


class ThresholdBackward0(Function):
    """x if x > threshold else value; the gradient passes where x > threshold."""

    def forward(self, x, threshold=0.0, value=0.0):
        self.save_for_backward(x)
        self.threshold = threshold
        return array_module(x).where(x > threshold, x, x.dtype.type(value))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return _where(x > self.threshold, grad, grad.new_zeros(()))


class ThresholdBackward1(ThresholdBackward0):
    """In-place threshold: the mask still comes from the input's original values."""


def _threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` wherever ``input <= threshold``."""
    if inplace:
        return apply_inplace(input, ThresholdBackward1.apply(input, threshold=threshold,
                                                             value=value))
    return ThresholdBackward0.apply(input, threshold=threshold, value=value)


threshold = _threshold  # (a function can't be named like its own argument)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _threshold(input, threshold, value, inplace=True)


class LeakyReluBackward0(Function):
    """x if x > 0 else negative_slope * x."""

    def forward(self, x, negative_slope=0.01):
        self.save_for_backward(x)
        self.slope = negative_slope
        return array_module(x).where(x > 0, x, x * negative_slope)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return _where(x > 0, grad, grad * self.slope)


class LeakyReluBackward1(LeakyReluBackward0):
    def forward(self, x, negative_slope=0.01):
        out = super().forward(x, negative_slope)
        self.save_for_backward(out)  # the sign of the result is the sign of the input
        return out


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return apply_inplace(input, LeakyReluBackward1.apply(input,
                                                             negative_slope=negative_slope))
    return LeakyReluBackward0.apply(input, negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


class EluBackward0(Function):
    """x if x > 0 else alpha * (exp(x) - 1): smooth where ReLU has a corner."""

    def forward(self, x, alpha=1.0):
        self.save_for_backward(x)
        self.alpha = alpha
        xp = array_module(x)
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return _where(x > 0, grad, grad * self.alpha * x.clamp(max=0).exp())


class EluBackward1(EluBackward0):
    """In-place ELU: below zero, alpha * exp(x) is the result plus alpha."""

    def forward(self, x, alpha=1.0):
        out = super().forward(x, alpha)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return _where(out > 0, grad, grad * (out + self.alpha))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        return apply_inplace(input, EluBackward1.apply(input, alpha=alpha))
    return EluBackward0.apply(input, alpha=alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


class GeluBackward0(Function):
    """x * Phi(x), Phi the normal CDF; ``approximate='tanh'`` uses a tanh formula."""

    def forward(self, x, approximate="none"):
        self.save_for_backward(x)
        self.approximate = approximate
        xp = array_module(x)
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
            return 0.5 * x * (1 + xp.tanh(inner))
        return x * 0.5 * (1 + erf(_make(x / _SQRT_2))._data)

    def backward(self, grad):
        (x,) = self.saved_tensors
        if self.approximate == "tanh":
            x_sq = x * x
            t = (_SQRT_2_OVER_PI * (x + 0.044715 * x_sq * x)).tanh()
            d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x_sq)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        cdf = 0.5 * (1 + (x / _SQRT_2).erf())
        pdf = _INV_SQRT_2PI * (-0.5 * x * x).exp()
        return grad * (cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian Error Linear Unit, as in BERT and GPT."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return GeluBackward0.apply(input, approximate=approximate)


class SiluBackward0(Function):
    """x * sigmoid(x) (also called swish)."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * _sigmoid_array(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        s = x.sigmoid()
        return grad * (s * (1 + x * (1 - s)))


def _sigmoid_array(x):
    xp = array_module(x)
    with _quiet(xp):
        return 1 / (1 + xp.exp(-x))


class _quiet:
    """Silence NumPy's overflow warnings (exp(-x) for very negative x is inf: fine)."""

    def __init__(self, xp) -> None:
        self.ctx = xp.errstate(over="ignore") if hasattr(xp, "errstate") else None

    def __enter__(self):
        if self.ctx is not None:
            self.ctx.__enter__()

    def __exit__(self, *exc):
        if self.ctx is not None:
            self.ctx.__exit__(*exc)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return apply_inplace(input, SiluBackward0.apply(input))
    return SiluBackward0.apply(input)


class HardtanhBackward0(Function):
    """Clamp to [min_val, max_val]; the gradient passes strictly inside the interval."""

    def forward(self, x, min_val=-1.0, max_val=1.0):
        self.save_for_backward(x)
        self.bounds = (min_val, max_val)
        return array_module(x).clip(x, x.dtype.type(min_val), x.dtype.type(max_val))

    def backward(self, grad):
        (x,) = self.saved_tensors
        lo, hi = self.bounds
        return _where((x > lo) & (x < hi), grad, grad.new_zeros(()))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    out = HardtanhBackward0.apply(input, min_val=min_val, max_val=max_val)
    return apply_inplace(input, out) if inplace else out


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class SoftplusBackward0(Function):
    """log(1 + exp(beta * x)) / beta, a smooth ReLU; linear once beta * x > threshold."""

    def forward(self, x, beta=1.0, threshold=20.0):
        self.save_for_backward(x)
        self.beta, self.threshold = beta, threshold
        xp = array_module(x)
        bx = x * beta
        with _quiet(xp):
            smooth = xp.log1p(xp.exp(bx)) / beta
        return xp.where(bx > threshold, x, smooth).astype(x.dtype)

    def backward(self, grad):
        (x,) = self.saved_tensors
        bx = x * self.beta
        return _where(bx > self.threshold, grad, grad * bx.sigmoid())


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return SoftplusBackward0.apply(input, beta=beta, threshold=threshold)


class PreluKernelBackward0(Function):
    """x if x > 0 else weight * x, with a learnable weight per channel."""

    def forward(self, x, weight):
        self.save_for_backward(x, weight)
        return array_module(x).where(x > 0, x, weight * x)

    def backward(self, grad):
        x, weight = self.saved_tensors
        need_x, need_w = self.needs_input_grad
        positive = x > 0
        zero = grad.new_zeros(())
        grad_x = _where(positive, grad, weight * grad) if need_x else None
        grad_w = _where(positive, zero, x * grad) if need_w else None  # summed by the engine
        return grad_x, grad_w


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU whose slope ``weight`` is learned: one value, or one per channel (dim 1)."""
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{input.dtype.legacy_name} and {weight.dtype.legacy_name}")
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() > 1 else 1
        if channels != weight.numel():
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if input.dim() != weight.dim():
        shape = [1] * input.dim()
        if input.dim() > 1:
            shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return PreluKernelBackward0.apply(input, weight)


# ---------------------------------------------------------------------- softmax family

def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: turns scores into probabilities."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """log(softmax(x)), computed stably; pair it with ``nll_loss``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """softmax(-x)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim) if dtype is None else (-input).softmax(dim, dtype=dtype)


# ---------------------------------------------------------------------- dropout

def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input: Tensor, mask_shape, p: float, inplace: bool) -> Tensor:
    """``input * noise`` with noise 0 (probability p) or 1 / (1 - p), torch's recipe."""
    if p == 1:
        noise = zeros((), dtype=input.dtype, device=input.device)
    else:
        array = _random.default_generator.dropout_mask(tuple(mask_shape), p,
                                                       input._data.dtype)
        if input.device != CPU:
            array = move(array, input.device)
        noise = _make(array)
    return input.mul_(noise) if inplace else input * noise


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), so
    that the expected value is unchanged; the identity when not training."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    return _apply_mask(input, input.shape, p, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: one draw per (sample, channel) of an (N, C, H, W) input."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    if p == 0 or not training or input.numel() == 0:
        return input
    if ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _apply_mask(input, (*input.shape[:2], *[1] * (ndim - 2)), p, inplace)


# ---------------------------------------------------------------------- one_hot, pad

def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) to rows of zeros with a 1 at the index: shape (*, classes)."""
    if tensor.dtype != D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    data = tensor._data
    xp = array_module(data)
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size:
        if int(data.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(data.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (data[..., None] == xp.arange(num_classes)).astype(xp.int64)
    return _make(out)


class ConstantPadNdBackward0(Function):
    """Pad with a constant; negative amounts crop.  Backward pads by the opposite amounts:
    it crops the padding away (and puts zeros where the forward cropped)."""

    def forward(self, x, pad=(), value=0.0):
        self.pad = pad
        n = len(pad) // 2
        lead = x.ndim - n
        widths = [(0, 0)] * lead + [(max(pad[2 * i], 0), max(pad[2 * i + 1], 0))
                                    for i in reversed(range(n))]
        padded = array_module(x).pad(x, widths, constant_values=x.dtype.type(value))
        crop = [slice(None)] * lead
        for d in range(lead, x.ndim):
            i = x.ndim - 1 - d  # pad[2 * i], pad[2 * i + 1]: the amounts for dim d
            crop.append(slice(max(-pad[2 * i], 0), padded.shape[d] - max(-pad[2 * i + 1], 0)))
        return padded[tuple(crop)].copy()

    def backward(self, grad):
        return ConstantPadNdBackward0.apply(grad, pad=tuple(-p for p in self.pad), value=0.0)


class _IndexPad(Function):
    """Reflect/replicate/circular padding: every output element copies one input element,
    so forward gathers by index and backward adds each gradient back to its source."""

    def forward(self, x, index=()):
        self.index, self.input_shape = index, x.shape
        return x[(...,) + _open_mesh(index, array_module(x))]

    def backward(self, grad):
        return _ScatterPad.apply(grad, index=self.index, input_shape=self.input_shape,
                                 gather=type(self))


class _ScatterPad(Function):
    """The adjoint of the gather: sum the gradient of every copy into its source."""

    def forward(self, g, index=(), input_shape=(), gather=None):
        self.index, self.gather = index, gather
        xp = array_module(g)
        out = xp.zeros(input_shape, g.dtype)
        target = (...,) + _open_mesh(index, xp)
        if xp.__name__ == "numpy":
            xp.add.at(out, target, g)
        else:
            import cupyx

            cupyx.scatter_add(out, target, g)
        return out

    def backward(self, grad):
        return self.gather.apply(grad, index=self.index)


def _open_mesh(index, xp) -> tuple:
    """Index arrays that select the cartesian product of the per-dim positions."""
    arrays = [xp.asarray(i) for i in index]
    return tuple(xp.ix_(*arrays)) if len(arrays) > 1 else tuple(arrays)


_PAD_NODES = {}


def _pad_node(mode: str, n: int):
    """The Function class for a mode and number of padded dims, named as torch names it."""
    name = {"reflect": f"ReflectionPad{n}DBackward0", "replicate": f"ReplicationPad{n}DBackward0",
            "circular": "CircularPadBackward0"}[mode]
    if name not in _PAD_NODES:
        _PAD_NODES[name] = type(name, (_IndexPad,), {"__doc__": _IndexPad.__doc__})
    return _PAD_NODES[name]


def _source_index(size: int, left: int, right: int, mode: str):
    """For each output position along one dim, the input position it copies."""
    src = np.arange(-left, size + right)
    if mode == "replicate":
        return np.clip(src, 0, size - 1)
    if mode == "circular":
        return src % size
    period = 2 * (size - 1)  # reflect: ... 2 1 [0 1 2 3] 2 1 0 ...
    if period == 0:
        return np.zeros_like(src)
    src = np.abs(src) % period
    return np.where(src >= size, period - src, src)


def pad(input: Tensor, pad: tuple, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``,
    the last dim first.  Modes: constant (``value``), reflect, replicate, circular."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode == "constant":
        for i in range(len(pad) // 2):
            d = input.dim() - 1 - i
            if input.shape[d] + pad[2 * i] + pad[2 * i + 1] < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNdBackward0.apply(input, pad=pad, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n = len(pad) // 2
    if n not in (1, 2, 3) or input.dim() not in (n + 1, n + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    index = []
    for i in reversed(range(n)):  # from the first padded dim to the last
        d = input.dim() - 1 - i
        size, left, right = input.shape[d], pad[2 * i], pad[2 * i + 1]
        _check_pad_size(mode, input, d, size, left, right)
        index.append(_source_index(size, left, right, mode))
    return _pad_node(mode, n).apply(input, index=tuple(index))


def _check_pad_size(mode: str, input: Tensor, dim: int, size: int, left: int, right: int):
    if mode == "reflect" and (left >= size or right >= size):
        raise RuntimeError(
            f"Argument #4: Padding size should be less than the corresponding input dimension, "
            f"but got: padding ({left}, {right}) at dimension {dim} of input "
            f"{list(input.shape)}")
    if mode == "circular" and (left > size or right > size):
        raise RuntimeError("Padding value causes wrapping around more than once.")


# ------------------------------------------------------------------------------ losses
# A loss compares a prediction with a target and reduces the elementwise losses:
# ``reduction='mean'`` (the default) averages them, ``'sum'`` adds them, ``'none'``
# returns them all.  The old tutorials pass ``size_average=`` / ``reduce=`` instead;
# ``_legacy_reduction`` translates those, with PyTorch's deprecation warning.

def _legacy_reduction(size_average: bool | None, reduce: bool | None, stacklevel: int = 4) -> str:
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean' instead.", UserWarning, stacklevel=stacklevel)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _reduction(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce, stacklevel=5)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_array(loss, reduction: str):
    if reduction == "mean":
        return loss.mean(dtype=loss.dtype)
    if reduction == "sum":
        return loss.sum(dtype=loss.dtype)
    return loss


def _scale_for(reduction: str, grad: Tensor, numel: int) -> Tensor:
    """The upstream gradient of each element: grad / n for 'mean', grad for 'sum'/'none'."""
    return grad / numel if reduction == "mean" else grad


def _check_same_size(input: Tensor, target: Tensor, stacklevel: int = 3) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=stacklevel + 1)


class MseLossBackward0(Function):
    """Mean squared error: mean((input - target)^2); d/dinput = 2 (input - target) / n."""

    def forward(self, input, target, *, reduction):
        self.save_for_backward(input, target)
        self.reduction, self.numel = reduction, max(input.size, target.size)
        diff = input - target
        return _reduce_array(diff * diff, reduction)

    def backward(self, grad):
        input, target = self.saved_tensors
        g = _scale_for(self.reduction, grad, self.numel) * 2 * (input - target)
        return g, -g


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    """Mean squared error, the regression loss of lessons 03 and 05."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    return MseLossBackward0.apply(input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight=None) -> Tensor:
    """Mean absolute error: mean(|input - target|)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    return _reduce((input - target).abs(), reduction)


class SmoothL1LossBackward0(Function):
    """Squared near zero, absolute beyond ``beta``.

    loss = 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2, for d = input - target.
    """

    def forward(self, input, target, *, reduction, beta):
        xp = array_module(input)
        self.save_for_backward(input, target)
        self.reduction, self.beta, self.numel = reduction, beta, max(input.size, target.size)
        d = xp.abs(input - target)
        if beta == 0:
            return _reduce_array(d, reduction)
        loss = xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(d.dtype)
        return _reduce_array(loss, reduction)

    def backward(self, grad):
        input, target = self.saved_tensors
        d = input - target
        inner = (d.abs() < self.beta) if self.beta > 0 else d.abs() < 0
        slope = _where(inner, d / (self.beta or 1.0), d.sign())
        g = _scale_for(self.reduction, grad, self.numel) * slope
        return g, -g


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    return SmoothL1LossBackward0.apply(input, target, reduction=reduction, beta=beta)


class HuberLossBackward0(Function):
    """``delta`` times smooth L1 with beta = delta: quadratic near zero, linear beyond."""

    def forward(self, input, target, *, reduction, delta):
        xp = array_module(input)
        self.save_for_backward(input, target)
        self.reduction, self.delta, self.numel = reduction, delta, max(input.size, target.size)
        d = xp.abs(input - target)
        loss = xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(d.dtype)
        return _reduce_array(loss, reduction)

    def backward(self, grad):
        input, target = self.saved_tensors
        d = input - target
        slope = _where(d.abs() < self.delta, d, self.delta * d.sign())
        g = _scale_for(self.reduction, grad, self.numel) * slope
        return g, -g


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",
               delta: float = 1.0, weight=None) -> Tensor:
    reduction = _reduction(None, None, reduction)
    _check_same_size(input, target)
    return HuberLossBackward0.apply(input, target, reduction=reduction, delta=delta)


class BinaryCrossEntropyBackward0(Function):
    """-[t log p + (1 - t) log(1 - p)] for probabilities p; logs clamped at -100 as torch."""

    def forward(self, input, target, weight, *, reduction):
        xp = array_module(input)
        if input.size and (input.min() < 0 or input.max() > 1):
            raise RuntimeError("all elements of input should be between 0 and 1")
        self.save_for_backward(input, target, weight)
        self.reduction, self.numel = reduction, input.size
        with np.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(input), -100)
            log_1mp = xp.maximum(xp.log1p(-input), -100)
        loss = -(target * log_p + (1 - target) * log_1mp)
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(input.dtype, copy=False), reduction)

    def backward(self, grad):
        input, target, weight = self.saved_tensors
        eps = 1e-12  # torch's guard against dividing by zero at p = 0 or 1
        g = (input - target) / (input * (1 - input)).clamp(min=eps)
        if weight is not None:
            g = g * weight
        g = _scale_for(self.reduction, grad, self.numel) * g
        grad_target = None
        if self.needs_input_grad[1]:
            log_ratio = ((1 - input).clamp(min=eps).log() - input.clamp(min=eps).log())
            grad_target = _scale_for(self.reduction, grad, self.numel) * log_ratio
            if weight is not None:
                grad_target = grad_target * weight
        return g, grad_target, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities (after a sigmoid), lesson 04's loss."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the "
                         "same size.")
    return BinaryCrossEntropyBackward0.apply(input, target, weight, reduction=reduction)


class BinaryCrossEntropyWithLogitsBackward0(Function):
    """BCE on logits x, computed stably: (1 - t) x + w_pos (log(1 + e^-|x|) + max(-x, 0)).

    ``w_pos = 1 + (pos_weight - 1) t``.  The gradient is sigmoid(x) (w_pos) - pos_weight t,
    which is just sigmoid(x) - t without pos_weight.
    """

    def forward(self, input, target, weight, pos_weight, *, reduction):
        xp = array_module(input)
        self.save_for_backward(input, target, weight, pos_weight)
        self.reduction, self.numel = reduction, max(input.size, target.size)
        softplus_neg = xp.log1p(xp.exp(-xp.abs(input))) + xp.maximum(-input, 0)
        if pos_weight is not None:
            loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
        else:
            loss = (1 - target) * input + softplus_neg
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(input.dtype, copy=False), reduction)

    def backward(self, grad):
        input, target, weight, pos_weight = self.saved_tensors
        p = input.sigmoid()
        if pos_weight is not None:
            g = p * (1 + (pos_weight - 1) * target) - pos_weight * target
        else:
            g = p - target
        if weight is not None:
            g = g * weight
        scale = _scale_for(self.reduction, grad, self.numel)
        grad_target = None
        if self.needs_input_grad[1]:
            grad_target = -input if pos_weight is None else (
                -input - (pos_weight - 1) * (-input).sigmoid().log().neg())
            grad_target = scale * (grad_target * weight if weight is not None else grad_target)
        return scale * g, grad_target, None, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one numerically stable step."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return BinaryCrossEntropyWithLogitsBackward0.apply(input, target, weight, pos_weight,
                                                       reduction=reduction)


class NllLossBackward0(Function):
    """Negative log-likelihood: -input[i, target[i]] (times the class weight), averaged.

    ``input`` holds log-probabilities, shape (N, C) or (C,) or (N, C, d1, ...); ``target``
    the class index of each sample.  Targets equal to ``ignore_index`` count for nothing.
    With ``reduction='mean'`` the sum is divided by the total weight of counted samples.
    """

    def forward(self, input, target, weight, *, reduction, ignore_index):
        xp = array_module(input)
        logp = xp.moveaxis(input, 1, -1) if input.ndim > 1 else input[None]
        labels = target if input.ndim > 1 else target[None]
        n_classes = logp.shape[-1]
        counted = labels != ignore_index
        safe = xp.where(counted, labels, 0)
        if counted.any() and (safe.min() < 0 or safe.max() >= n_classes):
            bad = int(safe[(safe < 0) | (safe >= n_classes)].ravel()[0])
            raise IndexError(f"Target {bad} is out of bounds.")
        w = (weight[safe] if weight is not None else xp.ones(safe.shape, logp.dtype)) * counted
        picked = xp.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
        losses = -(picked * w).astype(input.dtype, copy=False)
        # d loss_i / d input[i, c] = -w_i where c = target_i: a one-hot mask of the weights.
        one_hot = xp.arange(n_classes) == safe[..., None]
        mask = (one_hot * -w[..., None]).astype(input.dtype)
        mask = xp.moveaxis(mask, -1, 1) if input.ndim > 1 else mask[0]
        self.reduction = reduction
        if reduction == "none":
            self.save_for_backward(mask)
            return losses if input.ndim > 1 else losses[0]
        total = w.sum(dtype=input.dtype)
        if reduction == "mean":
            self.save_for_backward(mask / total)
            return (losses.sum(dtype=input.dtype) / total).astype(input.dtype)
        self.save_for_backward(mask)
        return losses.sum(dtype=input.dtype)

    def backward(self, grad):
        (mask,) = self.saved_tensors
        if self.reduction == "none" and mask.dim() > 1:
            grad = grad.unsqueeze(1)
        return mask * grad, None, None


class NllLoss2DBackward0(NllLossBackward0):
    """The same loss over images: (N, C, H, W) scores, (N, H, W) targets."""


def _check_class_target(input: Tensor, target: Tensor) -> None:
    if target.dtype.is_floating_point or target.dtype == D.bool:
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.name.capitalize()}")
    if input.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    batch_ok = (input.dim() == 1 and target.dim() == 0) or (
        input.dim() > 1 and target.shape == input.shape[:1] + input.shape[2:])
    if not batch_ok:
        if input.dim() > 1 and target.dim() >= 1 and target.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                             f"batch_size ({target.shape[0]}).")
        raise RuntimeError(f"Expected target size {list(input.shape[:1] + input.shape[2:])}, "
                           f"got {list(target.shape)}")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (e.g. after ``log_softmax``)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_class_target(input, target)
    node = NllLoss2DBackward0 if input.dim() == 4 else NllLossBackward0
    return node.apply(input, target, weight, reduction=reduction, ignore_index=ignore_index)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of raw scores (logits): ``nll_loss(log_softmax(input, 1), target)``.

    ``target`` is either class indices (int64) or class probabilities (float, same shape
    as ``input``).  ``label_smoothing`` mixes the target with the uniform distribution.
    """
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.dim() > 1 else 0
    logp = log_softmax(input, class_dim)
    if target.dtype.is_floating_point:  # class probabilities
        if target.shape != input.shape:
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        n_classes = input.shape[class_dim]
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        per_class = logp * target
        if weight is not None:
            per_class = per_class * _class_view(weight, input.dim(), class_dim)
        losses = -per_class.sum(class_dim)
        if reduction == "mean":
            return losses.sum() / (losses.numel() or 1)
        return _reduce(losses, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    return _smoothed(nll, logp, target, weight, ignore_index, reduction, label_smoothing,
                     class_dim)


def _class_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(*shape)


def _smoothed(nll: Tensor, logp: Tensor, target: Tensor, weight, ignore_index: int,
              reduction: str, eps: float, class_dim: int) -> Tensor:
    """(1 - eps) * nll + eps * (the loss against a uniform target), as torch defines it."""
    n_classes = logp.shape[class_dim]
    per_class = logp if weight is None else logp * _class_view(weight, logp.dim(), class_dim)
    uniform = -per_class.sum(class_dim)
    counted = (target != ignore_index)
    uniform = uniform * counted
    if reduction == "mean":
        if weight is not None:
            safe = target.masked_fill(~counted, 0)
            denominator = (weight[safe] * counted).sum()
        else:
            denominator = counted.sum()
        uniform = uniform.sum() / denominator
    else:
        uniform = _reduce(uniform, reduction)
    return (1 - eps) * nll + uniform * (eps / n_classes)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence of ``target`` from ``exp(input)`` (``input`` holds log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = _xlogy(target) - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.dim() else 1)
    return _reduce(losses, reduction)


def _xlogy(t: Tensor) -> Tensor:
    return _where(t > 0, t * t.clamp(min=1e-38).log(), t * 0)


# ----------------------------------------------------------------------- normalization
def _stat_dims(input: Tensor) -> tuple[int, ...]:
    """Batch norm averages over every dimension except the channels (dim 1)."""
    return (0, *range(2, input.dim()))


def _channel_view(t: Tensor, ndim: int) -> Tensor:
    return t.view(1, -1, *([1] * (ndim - 2)))


class NativeBatchNormBackward0(Function):
    """Batch norm in training mode: normalise each channel by its batch mean and variance.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, with the *biased* variance.
    Backward, for M values per channel and xhat the normalised input::

        dx = invstd / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)),
        dxhat = dy * weight,  dweight = sum(dy * xhat),  dbias = sum(dy).

    It is written with tensor ops on the saved input, so it can be differentiated again.
    """

    def forward(self, input, weight, bias, *, eps, running=None):
        xp = array_module(input)
        dims = (0, *range(2, input.ndim))
        shape = (1, -1) + (1,) * (input.ndim - 2)
        mean = input.mean(axis=dims, dtype=input.dtype)
        centered = input - mean.reshape(shape)
        var = (centered * centered).mean(axis=dims, dtype=input.dtype)
        invstd = (1.0 / xp.sqrt(var + eps)).astype(input.dtype)
        out = centered * invstd.reshape(shape)
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        self.save_for_backward(input, weight)
        self.eps = eps
        if running is not None:
            _update_running(*running, mean, var, input.size // input.shape[1])
        return out.astype(input.dtype, copy=False)

    def backward(self, grad):
        input, weight = self.saved_tensors
        dims, ndim = _stat_dims(input), input.dim()
        m = input.numel() // input.shape[1]
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        invstd = ((centered * centered).mean(dims, keepdim=True) + self.eps).rsqrt()
        xhat = centered * invstd
        dxhat = grad * _channel_view(weight, ndim) if weight is not None else grad
        grad_input = None
        if self.needs_input_grad[0]:
            grad_input = invstd / m * (m * dxhat - dxhat.sum(dims, keepdim=True)
                                       - xhat * (dxhat * xhat).sum(dims, keepdim=True))
        grad_weight = (grad * xhat).sum(dims) if self.needs_input_grad[1] else None
        grad_bias = grad.sum(dims) if self.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dimensions.

    In training the batch's own statistics are used and the running ones move towards
    them: ``running = (1 - momentum) * running + momentum * batch`` (the running variance
    takes the unbiased batch variance).  In evaluation the running statistics are used.
    """
    if training:
        size = input.numel() // input.shape[1]
        if size == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        running = None
        if running_mean is not None and running_var is not None:
            running = (running_mean._data, running_var._data, momentum)
        return NativeBatchNormBackward0.apply(input, weight, bias, eps=eps, running=running)
    shape = (1, -1) + (1,) * (input.dim() - 2)
    out = (input - running_mean.view(*shape)) * (running_var.view(*shape) + eps).rsqrt()
    if weight is not None:
        out = out * weight.view(*shape)
    if bias is not None:
        out = out + bias.view(*shape)
    return out


def _update_running(running_mean, running_var, momentum: float, mean, var, size: int) -> None:
    """Move the running statistics (arrays, updated in place) towards the batch's."""
    unbiased = var * (size / (size - 1))
    running_mean *= 1 - momentum
    running_mean += (momentum * mean).astype(running_mean.dtype, copy=False)
    running_var *= 1 - momentum
    running_var += (momentum * unbiased).astype(running_var.dtype, copy=False)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's each channel over its spatial dimensions."""
    n, c = input.shape[0], input.shape[1]
    folded = input.reshape(1, n * c, *input.shape[2:])
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    if use_input_stats:
        out = NativeBatchNormBackward0.apply(folded, w, b, eps=eps)
    else:
        out = batch_norm(folded, running_mean.repeat(n), running_var.repeat(n), w, b, False,
                         momentum, eps)
    return out.view(*input.shape)


class NativeLayerNormBackward0(Function):
    """Layer norm: normalise each sample over its last ``k`` dimensions.

    The same algebra as batch norm, over different dimensions: with M values per
    sample, ``dx = invstd / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))``.
    """

    def forward(self, input, weight, bias, *, k, eps):
        xp = array_module(input)
        dims = tuple(range(input.ndim - k, input.ndim))
        mean = input.mean(axis=dims, keepdims=True, dtype=input.dtype)
        centered = input - mean
        var = (centered * centered).mean(axis=dims, keepdims=True, dtype=input.dtype)
        out = centered * (1.0 / xp.sqrt(var + eps)).astype(input.dtype)
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        self.save_for_backward(input, weight)
        self.k, self.eps = k, eps
        return out.astype(input.dtype, copy=False)

    def backward(self, grad):
        input, weight = self.saved_tensors
        dims = tuple(range(input.dim() - self.k, input.dim()))
        lead = tuple(range(input.dim() - self.k))
        m = math.prod(input.shape[input.dim() - self.k:])
        centered = input - input.mean(dims, keepdim=True)
        invstd = ((centered * centered).mean(dims, keepdim=True) + self.eps).rsqrt()
        xhat = centered * invstd
        dxhat = grad * weight if weight is not None else grad
        grad_input = None
        if self.needs_input_grad[0]:
            grad_input = invstd / m * (m * dxhat - dxhat.sum(dims, keepdim=True)
                                       - xhat * (dxhat * xhat).sum(dims, keepdim=True))
        grad_weight = (grad * xhat).sum(lead) if self.needs_input_grad[1] else None
        grad_bias = grad.sum(lead) if self.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions."""
    normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                        else tuple(normalized_shape))
    k = len(normalized_shape)
    if tuple(input.shape[input.dim() - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(input.shape)}")
    return NativeLayerNormBackward0.apply(input, weight, bias, k=k, eps=eps)


# ---------------------------------------------------------------------------- embedding
class EmbeddingBackward0(Function):
    """Row lookup ``weight[indices]``; backward adds each output row's gradient to its row."""

    def forward(self, weight, indices, *, padding_idx):
        n = weight.shape[0]
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError("index out of range in self")
        self.save_for_backward(indices)
        self.num_weights, self.padding_idx = n, padding_idx
        return weight[indices]

    def backward(self, grad):
        (indices,) = self.saved_tensors
        flat_idx = indices.reshape(-1)
        flat_grad = grad.reshape(-1, grad.shape[-1])
        if self.padding_idx is not None:
            flat_grad = flat_grad * (flat_idx != self.padding_idx).unsqueeze(1)
        from ..ops.creation import zeros as _zeros

        out = _zeros(self.num_weights, grad.shape[-1], dtype=grad.dtype, device=grad.device)
        return out.index_add(0, flat_idx, flat_grad), None


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) by the integer ``input``."""
    if input.dtype.is_floating_point:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return EmbeddingBackward0.apply(weight, input, padding_idx=padding_idx)
