"""Data types and PyTorch's type-promotion rules.

A tensorkit ``dtype`` is a small object that names a NumPy dtype, exactly as
``torch.float32`` names a C++ scalar type.  The rules that decide the dtype of
``a + b`` are PyTorch's, not NumPy's: they differ (``int64 + float32`` is
``float64`` in NumPy but ``float32`` in PyTorch, and a Python scalar never
widens a tensor of its own category).
"""

from __future__ import annotations

import builtins

import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3  # categories, from lowest to highest


class dtype:
    """A tensor element type, such as ``tensorkit.float32``."""

    __slots__ = ("name", "np_dtype", "category", "legacy_name")

    def __init__(self, name: str, np_dtype: str, category: int, legacy_name: str | None):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.category = category
        self.legacy_name = legacy_name  # "Float" as in FloatTensor; None if torch has no class

    @property
    def is_floating_point(self) -> builtins.bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> builtins.bool:
        return self.category == _COMPLEX

    @property
    def is_signed(self) -> builtins.bool:
        return self.np_dtype.kind in "ifc"

    @property
    def itemsize(self) -> builtins.int:
        return self.np_dtype.itemsize

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> dtype:
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)

    def __repr__(self) -> str:
        return f"tensorkit.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool = dtype("bool", "bool", _BOOL, "Bool")
uint8 = dtype("uint8", "uint8", _INT, "Byte")
int8 = dtype("int8", "int8", _INT, "Char")
int16 = dtype("int16", "int16", _INT, "Short")
int32 = dtype("int32", "int32", _INT, "Int")
int64 = dtype("int64", "int64", _INT, "Long")
float16 = dtype("float16", "float16", _FLOAT, "Half")
float32 = dtype("float32", "float32", _FLOAT, "Float")
float64 = dtype("float64", "float64", _FLOAT, "Double")
complex64 = dtype("complex64", "complex64", _COMPLEX, None)
complex128 = dtype("complex128", "complex128", _COMPLEX, None)

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, float32, float64,
              complex64, complex128)

# The aliases torch offers: torch.float is float32, torch.long is int64, ...
ALIASES = {"half": float16, "float": float32, "double": float64, "short": int16,
           "int": int32, "long": int64, "cfloat": complex64, "cdouble": complex128}

_BY_NAME = {d.name: d for d in ALL_DTYPES} | ALIASES
_FROM_NUMPY = {d.np_dtype: d for d in ALL_DTYPES}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The tensorkit dtype of a NumPy dtype; TypeError for one torch lacks."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        np_dtype = np.dtype(np_dtype)
        if np_dtype in _FROM_NUMPY:
            return _FROM_NUMPY[np_dtype]
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.") from None


def to_dtype(d) -> dtype:
    """Accept a tensorkit dtype, a torch dtype, a NumPy dtype or a Python type."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    text = str(d)
    if text.startswith("torch."):  # a real torch.dtype, e.g. from shared tutorial code
        return _BY_NAME[text[len("torch."):]]
    return from_numpy_dtype(np.dtype(d))


# ----------------------------------------------------------------------------------
# The default floating-point dtype (what torch.tensor([1.5]) gets)

_default = {"float": float32}


def get_default_dtype() -> dtype:
    """The dtype of new floating-point tensors (``float32`` unless you change it)."""
    return _default["float"]


def set_default_dtype(d: dtype) -> None:
    """Make ``d`` (float32 or float64) the dtype of new floating-point tensors."""
    d = to_dtype(d)
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default["float"] = d
    from . import _tensor_str
    _tensor_str._default_dtype_name = d.name


def default_complex_dtype() -> dtype:
    return complex128 if _default["float"] is float64 else complex64


# ----------------------------------------------------------------------------------
# Type promotion

def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to safely, as torch decides it."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    return _FROM_NUMPY[np.promote_types(a.np_dtype, b.np_dtype)]


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a bare Python number."""
    t = type(value)
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int or isinstance(value, np.integer):
        return int64
    if t is builtins.float or isinstance(value, np.floating):
        return get_default_dtype()
    if t is builtins.complex or isinstance(value, np.complexfloating):
        return default_complex_dtype()
    raise TypeError(f"unsupported operand type: {t.__name__}")


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge two tiers: the lower tier only matters if it brings a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """The dtype of an op on ``operands`` (tensors and Python scalars), torch's rules.

    Operands rank in three tiers: tensors with dimensions, zero-dim tensors, Python
    scalars.  A lower tier only changes the result when it brings a higher *category*
    (bool < int < float < complex); a Python float then contributes the default dtype.
    So ``int_tensor * 2.5`` is float32, while ``float32_tensor * 2.0`` stays float32 and
    ``float32_tensor + float64_zero_dim_tensor`` is float32 too.
    """
    dim_result = zero_result = scalar_result = None
    for x in operands:
        data = getattr(x, "_data", None)
        if data is not None:
            d = _FROM_NUMPY[data.dtype]
            if data.ndim:
                dim_result = d if dim_result is None else promote_types(dim_result, d)
            else:
                zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            d = scalar_dtype(x)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """torch.can_cast: whether an in-place op may write a ``from_`` result into ``to``."""
    return from_.category <= to.category
