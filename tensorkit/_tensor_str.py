"""Printing of tensors: the text shown by ``repr(tensor)`` and ``str(tensor)``.

The output matches PyTorch's character for character (with ``tensorkit`` in place of
``torch``), so learners can compare the two libraries side by side. The work happens in
three steps:

1. A *formatter* looks at the values that will be shown and picks one common style for
   all of them: plain integers, fixed point (``1.5000``) or scientific (``1.5000e-05``),
   and a column width so that the numbers line up.
2. The array is rendered recursively as nested brackets. Large arrays are *summarized*:
   only ``edgeitems`` entries at each end of every dimension are shown, around ``...``.
   Rows longer than ``linewidth`` wrap onto indented continuation lines.
3. Suffixes such as ``dtype=tensorkit.int32`` or ``requires_grad=True`` are appended,
   wrapping onto a new line when they would not fit.

Everything operates on NumPy arrays; GPU arrays are copied to the host by the caller.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

_PACKAGE = "tensorkit"

# The library's default floating dtype, updated by ``set_default_dtype``. It decides
# which dtypes are implied by the printed values and therefore left out of the repr.
_default_dtype_name = "float32"


def get_default_dtype_name() -> str:
    """Return the name of the current default floating dtype, e.g. ``"float32"``."""
    return _default_dtype_name


# --------------------------------------------------------------------------------------
# Print options
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4  # digits after the decimal point
    threshold: float = 1000  # summarize tensors with more elements than this
    edgeitems: int = 3  # entries shown at each end of a summarized dimension
    linewidth: int = 80  # characters per line before wrapping
    sci_mode: bool | None = None  # None: choose scientific notation automatically


PRINT_OPTS = _PrintOptions()

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors are printed, with the same semantics as ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") first resets the four numeric options;
    explicit arguments then override it. As in PyTorch, ``sci_mode`` is always assigned,
    so any call that leaves it out switches back to automatic scientific notation, and an
    unknown profile name is ignored.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# --------------------------------------------------------------------------------------
# Step 1: choosing a common style for the elements
# --------------------------------------------------------------------------------------


class _Formatter:
    """Formats the real numbers of one tensor in a common style and column width.

    For floating tensors only the finite, non-zero values are inspected, because they
    alone carry information about magnitude; zeros, nan and inf are written as they come.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.is_floating = values.dtype.kind == "f"
        self.int_mode = True  # floats that are all whole numbers print as "1."
        self.sci_mode = False
        self.width = 1
        if not self.is_floating:
            self.width = max([self.width] + [len(str(v)) for v in values.ravel().tolist()])
            return

        informative = values[np.isfinite(values) & (values != 0)]
        if informative.size == 0:
            return
        self.int_mode = bool(np.all(informative == np.ceil(informative)))
        self.sci_mode = _wants_sci_mode(informative)
        self.width = max(len(self._unpadded(v)) for v in informative.tolist())

    def _unpadded(self, value: Any) -> str:
        precision = PRINT_OPTS.precision
        if not self.is_floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{precision}e}"
        if self.int_mode:
            # The trailing dot shows that the tensor is floating even though the values
            # are whole; nan and inf need no such hint.
            text = f"{value:.0f}"
            return text if math.isinf(value) or math.isnan(value) else text + "."
        return f"{value:.{precision}f}"

    def format(self, value: Any) -> str:
        """Return ``value`` as text, right-aligned to the common width."""
        return self._unpadded(value).rjust(self.width)


def _wants_sci_mode(informative: np.ndarray) -> bool:
    """Use scientific notation when magnitudes span a wide range or are very large/small.

    ``set_printoptions(sci_mode=...)`` overrides the choice.
    """
    if PRINT_OPTS.sci_mode is not None:
        return PRINT_OPTS.sci_mode
    magnitudes = np.abs(informative).astype(np.float64)
    smallest, largest = magnitudes.min(), magnitudes.max()
    with np.errstate(over="ignore"):  # e.g. 1e300 / 1e-300 is simply inf
        ratio = largest / smallest
    return bool(ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)


def _complex_element(value: complex, real: _Formatter, imag: _Formatter) -> str:
    """Write a complex number as ``real+imagj``, each part in its own formatter's style."""
    real_text = real.format(value.real)
    imag_text = (imag.format(value.imag) + "j").lstrip()
    sign = "" if imag_text[0] in "+-" else "+"
    return real_text + sign + imag_text


# --------------------------------------------------------------------------------------
# Step 2: rendering nested brackets, with summarization and line wrapping
# --------------------------------------------------------------------------------------


def _shown_indices(length: int, summarize: bool) -> list[int | None]:
    """Indices to show along one dimension; ``None`` marks where ``...`` goes."""
    edge = PRINT_OPTS.edgeitems
    if summarize and length > 2 * edge:
        return [*range(edge), None, *range(length - edge, length)]
    return list(range(length))


def _summarized(array: np.ndarray) -> np.ndarray:
    """Keep only the entries that summarization shows; they alone decide the format."""
    for axis, length in enumerate(array.shape):
        kept = [i for i in _shown_indices(length, summarize=True) if i is not None]
        array = np.take(array, kept, axis=axis)
    return array


def _render(
    array: np.ndarray,
    indent: int,
    summarize: bool,
    element: Callable[[Any], str],
    element_width: int,
) -> str:
    """Render ``array`` whose opening bracket sits in column ``indent``."""
    if array.ndim == 0:
        return element(array.item())
    if array.ndim == 1:
        return _render_vector(array, indent, summarize, element, element_width)

    blocks = [
        "..." if i is None else _render(array[i], indent + 1, summarize, element, element_width)
        for i in _shown_indices(len(array), summarize)
    ]
    # Sub-blocks are separated by one blank line per dimension beyond the second.
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(blocks) + "]"


def _render_vector(
    vector: np.ndarray,
    indent: int,
    summarize: bool,
    element: Callable[[Any], str],
    element_width: int,
) -> str:
    """Render a 1-D array, putting as many elements on a line as fit in ``linewidth``."""
    values = vector.tolist()
    # The ellipsis gets a leading space ("3,  ..., 7") unless it stands alone.
    ellipsis = " ..." if PRINT_OPTS.edgeitems else "..."
    shown = _shown_indices(len(values), summarize)
    items = [ellipsis if i is None else element(values[i]) for i in shown]
    # element_width counts the ", " that follows each element.
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_width))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(array: np.ndarray, indent: int) -> str:
    """Render the contents of a non-empty tensor, without prefix or suffixes."""
    summarize = array.size > PRINT_OPTS.threshold
    shown = _summarized(array) if summarize else array

    if array.dtype.kind == "c":
        real, imag = _Formatter(shown.real), _Formatter(shown.imag)

        def element(value: complex) -> str:
            return _complex_element(value, real, imag)

        element_width = real.width + 2 + imag.width + 1  # ", " and the "j"
    else:
        formatter = _Formatter(shown)
        element = formatter.format
        element_width = formatter.width + 2
    return _render(array, indent, summarize, element, element_width)


# --------------------------------------------------------------------------------------
# Step 3: suffixes and the public entry point
# --------------------------------------------------------------------------------------


def _dtype_is_implied(dtype_name: str) -> bool:
    """True for dtypes a reader can infer from the printed values, which are not shown.

    Those are the default float dtype, its complex counterpart, int64 (integers without
    a decimal point) and bool (``True``/``False``).
    """
    default = get_default_dtype_name()
    default_complex = "complex128" if default == "float64" else "complex64"
    return dtype_name in (default, default_complex, "int64", "bool")


def _torch_length(suffix: str) -> int:
    """Length of ``suffix`` as PyTorch spells it (``dtype=torch.int32``).

    Suffixes wrap exactly where PyTorch wraps them, so that printouts stay identical to
    PyTorch's apart from the package name, even though ``tensorkit`` is the longer name.
    """
    return len(suffix.replace(f"{_PACKAGE}.", "torch."))


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` entries and the closing parenthesis, wrapping long lines."""
    parts = [text]
    # PyTorch measures the last line as two characters longer than it is; we copy that so
    # that suffixes wrap at exactly the same places.
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        length = _torch_length(suffix)
        if line_length + length + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + length
        else:
            parts.append(", " + suffix)
            line_length += length + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(
    array: np.ndarray,
    *,
    dtype_name: str,
    device: str = "cpu",
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    prefix: str = "tensor(",
    tensor_contents: str | None = None,
) -> str:
    """Return the text PyTorch would print for a tensor holding ``array``.

    ``dtype_name`` is the tensorkit dtype without the package (``"float32"``). ``prefix``
    opens the text and sets the indentation of continuation lines; ``tensor_contents``,
    when given, replaces the rendered values (the suffixes are still added).
    Suffixes come in PyTorch's order: device, size, dtype, then grad_fn or requires_grad.
    """
    indent = len(prefix)
    suffixes = []
    if device != "cpu":
        suffixes.append(f"device='{device}'")

    if array.size == 0:
        # Like NumPy, show the shape of empty tensors unless it is simply (0,). No value
        # hints at the dtype, so it is shown for anything but the default float dtype.
        show_size = array.ndim != 1
        show_dtype = dtype_name != get_default_dtype_name()
    else:
        show_size = not PRINT_OPTS.edgeitems  # with no entries shown, "[...]" needs it
        show_dtype = not _dtype_is_implied(dtype_name)
    if show_size:
        suffixes.append(f"size={tuple(array.shape)}")
    if show_dtype:
        suffixes.append(f"dtype={_PACKAGE}.{dtype_name}")

    if tensor_contents is not None:
        contents = tensor_contents
    elif array.size == 0:
        contents = "[]"
    else:
        contents = _tensor_str(array, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + contents, suffixes, indent)
