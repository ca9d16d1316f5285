"""tensorkit: a readable tensor library with PyTorch's API, for learning how it works.

``import tensorkit as torch`` runs PyTorch tutorial code: tensors on the CPU (NumPy)
or a CUDA GPU (CuPy), autograd, and (in ``tensorkit.nn``, ``.optim``, ``.utils.data``)
what you need to train networks.  Every op is a short ``Function`` in ``tensorkit/ops``.
"""

from __future__ import annotations

from . import _tensor_methods, autograd, cuda, datasets, nn, optim, utils, vision
from ._device import device
from ._dtype import (
    bool,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._dtype import can_cast as _can_cast
from ._dtype import result_type as _result_type
from ._random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, printoptions, set_printoptions
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import *  # noqa: F403  (every op: tensorkit.add, tensorkit.exp, ...)
from .ops import shape as _shape
from .ops.creation import LEGACY_CPU as _LEGACY
from .ops.creation import range_ as _range
from .serialization import load, save

_tensor_methods.install()

__version__ = "0.1.0"

FloatTensor = _LEGACY["Float"]
DoubleTensor = _LEGACY["Double"]
HalfTensor = _LEGACY["Half"]
IntTensor = _LEGACY["Int"]
LongTensor = _LEGACY["Long"]
ShortTensor = _LEGACY["Short"]
CharTensor = _LEGACY["Char"]
ByteTensor = _LEGACY["Byte"]
BoolTensor = _LEGACY["Bool"]

half = float16
float = float32  # noqa: A001  (torch.float is float32, shadowing the builtin on purpose)
double = float64
short = int16
int = int32  # noqa: A001
long = int64
cfloat = complex64
cdouble = complex128
strided = "tensorkit.strided"
contiguous_format = preserve_format = channels_last = None


def is_tensor(obj) -> bool:
    """True for tensorkit tensors (and Parameters)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an op on these two operands gives, by PyTorch's promotion rules."""
    return _result_type(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> bool:
    return _can_cast(from_, to)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated in torch: like ``arange`` but includes ``end``."""
    return _range(start, end, step, dtype=dtype, device=device, requires_grad=requires_grad)


view = _shape.view
