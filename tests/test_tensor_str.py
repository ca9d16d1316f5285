"""tensorkit's tensor printing must match PyTorch's byte for byte.

Every test builds the same data as a NumPy array and as a torch tensor, then checks that
``tensor_repr`` of the array equals ``repr`` of the tensor with ``torch.`` replaced by
``tensorkit.``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from tensorkit import _tensor_str  # noqa: E402
from tensorkit._tensor_str import (  # noqa: E402
    get_printoptions,
    printoptions,
    set_printoptions,
    tensor_repr,
)

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def torch_text(t: torch.Tensor) -> str:
    """What torch prints, renamed to tensorkit."""
    return repr(t).replace("torch.", "tensorkit.")


def our_text(t: torch.Tensor, **kwargs) -> str:
    """What tensorkit prints for the same values, dtype and autograd state as ``t``."""
    grad_fn = t.grad_fn
    return tensor_repr(
        t.detach().resolve_conj().numpy(),
        dtype_name=str(t.dtype).removeprefix("torch."),
        requires_grad=t.requires_grad,
        grad_fn_name=type(grad_fn).__name__ if grad_fn is not None else None,
        **kwargs,
    )


def assert_same(t: torch.Tensor) -> None:
    assert our_text(t) == torch_text(t)


def assert_same_array(array: np.ndarray, requires_grad: bool = False) -> None:
    """Print ``array`` with both libraries and compare."""
    t = torch.from_numpy(np.array(array, copy=True))
    if requires_grad:
        t.requires_grad_(True)
    assert_same(t)


@contextlib.contextmanager
def both_printoptions(**kwargs) -> Iterator[None]:
    """Set the same print options in torch and tensorkit; restore defaults afterwards."""
    torch.set_printoptions(**kwargs)
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")


@contextlib.contextmanager
def both_default_dtype(name: str) -> Iterator[None]:
    """Set the default float dtype in torch and in tensorkit's hook; restore afterwards."""
    saved_torch, saved_ours = torch.get_default_dtype(), _tensor_str._default_dtype_name
    torch.set_default_dtype(getattr(torch, name))
    _tensor_str._default_dtype_name = name
    try:
        yield
    finally:
        torch.set_default_dtype(saved_torch)
        _tensor_str._default_dtype_name = saved_ours


DEFAULT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}

ALL_DTYPES = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.float32,
    torch.float64,
    torch.complex64,
    torch.complex128,
]
INT_DTYPES = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]
FLOAT_DTYPES = [torch.float16, torch.float32, torch.float64]
GRAD_DTYPES = [torch.float16, torch.float32, torch.float64, torch.complex64]


def sample(shape: tuple[int, ...], dtype: torch.dtype, seed: int = 0) -> torch.Tensor:
    """Deterministic test data of any dtype."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if not (dtype.is_floating_point or dtype.is_complex):
        low = 0 if dtype == torch.uint8 else -100
        return torch.randint(low, 100, shape, generator=g, dtype=dtype)
    return (
        torch.randn(shape, generator=g, dtype=torch.complex128 if dtype.is_complex else None) * 10
    ).to(dtype)


# --------------------------------------------------------------------------------------
# Example-based tests
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("value", [0, 1, 7, -3, 2.5, -0.125, 123456.789, 1e-7])
def test_zero_dim_every_dtype(dtype, value):
    if dtype == torch.bool:
        value = bool(value)
    elif dtype == torch.uint8:
        value = abs(int(value)) % 256
    elif not (dtype.is_floating_point or dtype.is_complex):
        value = int(value) % 100
    assert_same(torch.tensor(value, dtype=dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize(
    "shape", [(1,), (5,), (2, 3), (4, 1), (2, 3, 4), (3, 1, 2), (2, 2, 2, 3), (1, 1, 1, 1)]
)
def test_shapes_and_dtypes(dtype, shape):
    assert_same(sample(shape, dtype))


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0],
        [-1.0, 0.0, 3.0],
        [100.0, -2.0, 5.0],
        [1e6, 2.0],
        [123456789.0, 1.0],
        [1.5, 2.0],
        [0.0, 0.0],
    ],
)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_integer_valued_floats(values, dtype):
    assert_same(torch.tensor(values, dtype=dtype))


@pytest.mark.parametrize(
    "values",
    [
        [1e-5, 1.0],
        [1e10, 1.0],
        [1e-5, 1e10],
        [0.0001, 0.5],
        [1e-4, 0.5],
        [1234.5678, 0.1],
        [1000.0, 1.0],
        [1001.0, 1.0],
        [1e8, 2.5],
        [1.5e8],
        [-1e-20, 3.0, 0.0],
        [1e300, 1e-300],
        [5e-324, 1e308],
    ],
)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_scientific_notation(values, dtype):
    assert_same(torch.tensor(values, dtype=torch.float64).to(dtype))


@pytest.mark.parametrize(
    "values",
    [
        [math.nan, math.inf, -math.inf, -0.0],
        [math.nan],
        [math.inf, -math.inf],
        [0.0, -0.0],
        [-0.0, 1.5],
        [-0.0, 2.0],
        [1.0, math.nan, math.inf],
        [0.25, math.nan, -math.inf],
        [1e-5, math.nan, 0.0],
        [1e12, -math.inf],
    ],
)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_non_finite_and_negative_zero(values, dtype):
    assert_same(torch.tensor(values, dtype=dtype))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -0.0])
def test_non_finite_zero_dim(value):
    assert_same(torch.tensor(value))


@pytest.mark.parametrize(
    "shape", [(1001,), (2000,), (1000, 2), (2, 1000), (20, 20, 20), (10, 10, 10, 10), (7, 300)]
)
@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.int64, torch.int32, torch.bool, torch.complex64]
)
def test_summarized_large_tensors(shape, dtype):
    assert_same(sample(shape, dtype))


def test_summarized_arange():
    assert_same(torch.arange(2000))
    assert_same(torch.arange(2000.0).reshape(1000, 2))
    assert_same(torch.arange(24000.0).reshape(2, 3, 4, 1000) / 7)


def test_summary_format_uses_only_shown_values():
    # The huge value sits in the hidden middle, so it must not trigger sci mode.
    t = torch.ones(2000)
    t[1000] = 1e20
    t[1] = 0.5
    assert_same(t)


@pytest.mark.parametrize("n", [20, 21, 50, 100, 300])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int16])
def test_long_rows_wrap(n, dtype):
    assert_same(sample((n,), dtype))
    assert_same(sample((3, n), dtype))
    assert_same(sample((2, 2, n), dtype))


def test_wrapping_with_wide_numbers():
    assert_same(torch.arange(100))
    assert_same(torch.linspace(-1e5, 1e5, 60, dtype=torch.float64))
    assert_same(torch.tensor([2**62, -(2**63)] * 10))
    assert_same(torch.randn(50, generator=torch.Generator().manual_seed(1)) * 1e-6)


def test_bool():
    assert_same(torch.tensor(True))
    assert_same(torch.tensor([True, False, True]))
    assert_same(torch.tensor([[True], [False]]))
    assert_same(torch.ones(40, dtype=torch.bool))
    assert_same(sample((50, 50), torch.bool))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
def test_integer_dtype_suffix(dtype):
    assert_same(torch.tensor([1, 2, 3], dtype=dtype))
    assert_same(torch.tensor([[0, 1], [2, 3]], dtype=dtype))
    assert_same(torch.arange(30, dtype=dtype))  # dtype suffix on a wrapped line
    assert_same(torch.arange(26, dtype=dtype))
    info = torch.iinfo(dtype)
    assert_same(torch.tensor([info.min, info.max, 0], dtype=dtype))


@pytest.mark.parametrize("dtype", [torch.float16, torch.float64], ids=str)
def test_float16_and_float64(dtype):
    assert_same(torch.tensor([0.1, 0.2, 0.3], dtype=dtype))
    assert_same(torch.tensor([65504.0, -65504.0, 6e-8], dtype=dtype))
    assert_same(torch.tensor([1 / 3, 2 / 3], dtype=dtype))
    assert_same(sample((4, 25), dtype))


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128], ids=str)
def test_complex(dtype):
    assert_same(torch.tensor([1 + 2j, 3 - 4j], dtype=dtype))
    assert_same(torch.tensor([1.5 - 0.25j, -1e-5 + 1e5j], dtype=dtype))
    assert_same(torch.tensor([complex(0.0, -0.0), complex(-0.0, 0.0)], dtype=dtype))
    assert_same(torch.tensor([complex(math.nan, math.inf), complex(1, -math.inf)], dtype=dtype))
    assert_same(torch.tensor(2 - 3j, dtype=dtype))
    assert_same(sample((3, 12), dtype))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4), (3, 0)])
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_empty(shape, dtype):
    assert_same(torch.zeros(shape, dtype=dtype))
    if dtype.is_floating_point or dtype.is_complex:
        assert_same(torch.zeros(shape, dtype=dtype, requires_grad=True))


@pytest.mark.parametrize("n", range(1, 30))
@pytest.mark.parametrize("dtype", GRAD_DTYPES, ids=str)
def test_autograd_suffixes_line_up_with_wrapping(n, dtype):
    # Lengths from 1 to 29 move the suffixes across the line-width boundary.
    leaf = sample((n,), dtype).requires_grad_(True)
    assert_same(leaf)
    assert_same(leaf * 2)  # grad_fn=<MulBackward0>
    assert_same((leaf * 2).sum())  # 0-d with grad_fn=<SumBackward0>
    assert_same(leaf.reshape(1, n) + 1)  # 2-D with grad_fn=<AddBackward0>


def test_autograd_suffixes_large():
    leaf = sample((40, 40), torch.float64).requires_grad_(True)
    assert_same(leaf)
    assert_same(leaf.exp())
    assert_same(torch.zeros(3, requires_grad=True) * 1)


def test_device_suffix_order():
    # torch without CUDA cannot make such tensors; these strings are what torch prints.
    a = np.array([1.0, 2.0], dtype=np.float32)
    assert tensor_repr(a, dtype_name="float32", device="cuda:0") == (
        "tensor([1., 2.], device='cuda:0')"
    )
    assert tensor_repr(
        a.astype(np.float16), dtype_name="float16", device="cuda:0", requires_grad=True
    ) == ("tensor([1., 2.], device='cuda:0', dtype=tensorkit.float16, requires_grad=True)")
    assert tensor_repr(
        np.zeros((0, 3), np.int32), dtype_name="int32", device="cuda:1", grad_fn_name="X"
    ) == ("tensor([], device='cuda:1', size=(0, 3), dtype=tensorkit.int32, grad_fn=<X>)")
    long = tensor_repr(
        np.arange(20.0, dtype=np.float32) + 0.5,
        dtype_name="float32",
        device="cuda:0",
        grad_fn_name="MulBackward0",
    )
    assert long.endswith("19.5000], device='cuda:0',\n       grad_fn=<MulBackward0>)")


def test_prefix_of_subclass_and_parameter():
    class MyTensor(torch.Tensor):
        pass

    t = torch.arange(30.0).as_subclass(MyTensor)
    assert our_text(t, prefix="MyTensor(") == torch_text(t)
    p = torch.nn.Parameter(torch.arange(3.0))
    assert "Parameter containing:\n" + our_text(p) == torch_text(p)


def test_custom_contents():
    t = torch.arange(3, dtype=torch.int32)
    assert our_text(t, tensor_contents="[...]") == "tensor([...], dtype=tensorkit.int32)"


# --------------------------------------------------------------------------------------
# Print options
# --------------------------------------------------------------------------------------


def test_default_printoptions_match_torch():
    assert get_printoptions() == {**DEFAULT_OPTIONS, "sci_mode": None}
    assert get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 2},
        {"precision": 0},
        {"precision": 8},
        {"sci_mode": False},
        {"sci_mode": True},
        {"threshold": 5},
        {"threshold": 5, "edgeitems": 1},
        {"edgeitems": 0, "threshold": 5},
        {"edgeitems": 0},
        {"linewidth": 40},
        {"linewidth": 200},
        {"linewidth": 5},
        {"profile": "full"},
        {"profile": "short"},
        {"profile": "short", "precision": 6},
    ],
    ids=repr,
)
def test_printoptions(options):
    g = torch.Generator().manual_seed(3)
    tensors = [
        torch.tensor([1.12345, 1e-5]),
        torch.tensor([1.0, 2.0, 0.0]),
        torch.tensor([1e10, 1.5]),
        torch.tensor(3.14159),
        torch.tensor(7),
        torch.arange(10),
        torch.arange(2000.0).reshape(40, 50),
        torch.randn(6, 7, 8, generator=g),
        torch.randn(30, dtype=torch.complex64, generator=g),
        torch.randn(1200, dtype=torch.float64, generator=g, requires_grad=True) * 2,
        torch.zeros(2, 0),
    ]
    with both_printoptions(**options):
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        for t in tensors:
            assert_same(t)


def test_set_printoptions_resets_sci_mode_like_torch():
    with both_printoptions(sci_mode=False):
        set_printoptions(precision=3)
        torch.set_printoptions(precision=3)
        assert get_printoptions()["sci_mode"] is None
        assert_same(torch.tensor([1e-8, 1.0]))


def test_printoptions_context_manager_restores():
    with printoptions(precision=1, linewidth=30):
        assert get_printoptions()["precision"] == 1
        with torch._tensor_str.printoptions(precision=1, linewidth=30):
            assert_same(torch.randn(20, generator=torch.Generator().manual_seed(0)))
    assert get_printoptions() == {**DEFAULT_OPTIONS, "sci_mode": None}


def test_default_dtype_float64():
    with both_default_dtype("float64"):
        assert_same(torch.tensor([1.5, 2.0], dtype=torch.float64))  # no dtype shown
        assert_same(torch.tensor([1.5, 2.0], dtype=torch.float32))  # dtype shown
        assert_same(torch.tensor([1 + 1j], dtype=torch.complex128))
        assert_same(torch.tensor([1 + 1j], dtype=torch.complex64))
        assert_same(torch.zeros(0, 2, dtype=torch.float64))
        assert_same(torch.zeros(0, dtype=torch.float32))
        assert_same(torch.zeros(3, dtype=torch.float32, requires_grad=True))
    assert_same(torch.tensor([1.5], dtype=torch.float64))


# --------------------------------------------------------------------------------------
# Property-based tests
# --------------------------------------------------------------------------------------


def float_elements(dtype: type[np.floating]) -> st.SearchStrategy[float]:
    """Any float of ``dtype``, with extra weight on extremes and whole numbers."""
    info = np.finfo(dtype)
    special = [info.max, info.tiny, info.smallest_subnormal, info.eps, 1e-5, 1e-4, 1e8, 1e10]
    special = [float(dtype(v)) for v in special if v <= float(info.max)]
    special += [-v for v in special] + [0.0, -0.0, math.nan, math.inf, -math.inf]
    width = 8 * np.dtype(dtype).itemsize
    whole_limit = min(10**6, 2 ** (info.nmant + 1))  # whole numbers stored exactly
    return st.one_of(
        st.floats(width=width),
        st.integers(-whole_limit, whole_limit).map(float),
        st.sampled_from(special),
        st.floats(-1000, 1000, width=width),
    )


def int_elements(dtype: type[np.integer]) -> st.SearchStrategy[int]:
    info = np.iinfo(dtype)
    return st.one_of(
        st.integers(int(info.min), int(info.max)),
        st.sampled_from([int(info.min), int(info.max), 0]),
        st.integers(-100, 100).filter(lambda v: info.min <= v <= info.max),
    )


ELEMENTS = {
    np.float16: float_elements(np.float16),
    np.float32: float_elements(np.float32),
    np.float64: float_elements(np.float64),
    np.int64: int_elements(np.int64),
    np.int32: int_elements(np.int32),
    np.uint8: int_elements(np.uint8),
    np.bool_: st.booleans(),
    np.complex64: st.complex_numbers(width=64, allow_nan=True, allow_infinity=True),
}


@st.composite
def arrays(draw, max_side: int = 5) -> np.ndarray:
    dtype = draw(st.sampled_from(list(ELEMENTS)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=max_side))
    return draw(hnp.arrays(dtype, shape, elements=ELEMENTS[dtype]))


@settings(max_examples=400, deadline=None)
@given(array=arrays(), requires_grad=st.booleans())
def test_matches_torch_on_random_arrays(array, requires_grad):
    requires_grad = requires_grad and array.dtype.kind in "fc"
    assert_same_array(array, requires_grad=requires_grad)


@settings(max_examples=400, deadline=None)
@given(
    array=arrays(max_side=8),
    precision=st.integers(0, 8),
    threshold=st.integers(0, 60),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(1, 120),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_matches_torch_with_random_printoptions(
    array, precision, threshold, edgeitems, linewidth, sci_mode
):
    options = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
        "sci_mode": sci_mode,
    }
    with both_printoptions(**options):
        assert_same_array(array, requires_grad=array.dtype.kind == "f")
