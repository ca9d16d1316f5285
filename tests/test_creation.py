"""Making tensors: dtype inference, shapes, values and errors, checked against torch.

Each case is code written once against ``lib`` and run with both libraries: the results
must agree in dtype, shape, values (bit for bit: ``arange`` and ``linspace`` reproduce
torch's rounding), ``requires_grad`` and warnings; bad input must raise the same
exception type, with a message that names the problem.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorkit


def _dtype_name(t) -> str:
    return str(t.dtype).split(".")[-1]


def assert_same(ours, theirs) -> None:
    """Same dtype, shape, requires_grad and bitwise-equal values (NaNs equal)."""
    assert type(ours).__name__ == "Tensor", type(ours)
    assert _dtype_name(ours) == _dtype_name(theirs), (ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    a = np.asarray(ours.detach().numpy())
    b = theirs.detach().numpy()
    if a.dtype.kind == "f":  # compare bit patterns: -0.0 and rounding differences count
        a, b = a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")
    np.testing.assert_array_equal(a, b)


def run(code, lib):
    """Run ``code(lib)``, recording warnings; return (result or exception, warning texts)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = code(lib)
        except Exception as e:  # noqa: BLE001 - the exception is the result here
            result = e
    return result, [str(w.message) for w in caught]


def compare(code, torch) -> None:
    ours, our_warnings = run(code, tensorkit)
    theirs, their_warnings = run(code, torch)
    if isinstance(theirs, Exception):
        assert isinstance(ours, type(theirs)), f"torch raised {theirs!r}, we gave {ours!r}"
        return
    assert not isinstance(ours, Exception), f"we raised {ours!r}, torch gave {theirs!r}"
    assert_same(ours, theirs)
    assert len(our_warnings) == len(their_warnings), (our_warnings, their_warnings)


# --------------------------------------------------------------------- tensor(data)

TENSOR_CASES = [
    lambda lib: lib.tensor([1, 2.5, True]),            # bool < int < float
    lambda lib: lib.tensor([True, 2]),
    lambda lib: lib.tensor([[1, 2], [3.0, 4]]),
    lambda lib: lib.tensor([[True, False]]),
    lambda lib: lib.tensor([1 + 2j, 3]),
    lambda lib: lib.tensor(3),
    lambda lib: lib.tensor(3.5),
    lambda lib: lib.tensor(True),
    lambda lib: lib.tensor([]),
    lambda lib: lib.tensor([[], []]),
    lambda lib: lib.tensor(((1, 2), (3, 4))),
    lambda lib: lib.tensor(range(4)),
    lambda lib: lib.tensor([2 ** 63 - 1]),
    lambda lib: lib.tensor([-1.5, 1e40]),                # overflows float32 to inf, quietly
    lambda lib: lib.tensor(np.array([1, 2], dtype=np.int32)),     # NumPy keeps its dtype
    lambda lib: lib.tensor(np.array([1.5], dtype=np.float64)),
    lambda lib: lib.tensor(np.array([[1, 0]], dtype=np.uint8)),
    lambda lib: lib.tensor(np.array(7, dtype=np.int16)),
    lambda lib: lib.tensor(np.float64(2.5)),            # NumPy scalars keep theirs too
    lambda lib: lib.tensor(np.float32(2.5)),
    lambda lib: lib.tensor(np.int32(3)),
    lambda lib: lib.tensor(np.bool_(True)),
    lambda lib: lib.tensor([np.float64(1), 2]),         # ...and promote inside lists
    lambda lib: lib.tensor([np.float32(1.5), 2]),
    lambda lib: lib.tensor([np.int8(1), np.uint8(2)]),
    lambda lib: lib.tensor([True, np.int32(2)]),
    lambda lib: lib.tensor([np.float16(1), 2]),
    lambda lib: lib.tensor([lib.tensor(1.5), lib.tensor(2.0)]),   # tensors act as numbers
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), 2]),
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), True]),
    lambda lib: lib.tensor([1, lib.tensor(2.5, dtype=lib.float64)]),
    lambda lib: lib.tensor([lib.tensor([1]), lib.tensor([2])]),   # one element each: fine
    lambda lib: lib.tensor([[lib.tensor(1.0)], [lib.tensor(2.0)]]),
    lambda lib: lib.tensor([lib.tensor(1.5, requires_grad=True), 2.0]),  # warns
    lambda lib: lib.tensor([np.array([1, 2], dtype=np.int32), np.array([3, 4], np.int32)]),
    lambda lib: lib.tensor([np.array([1, 2], dtype=np.float32), [3.5, 4]]),
    lambda lib: lib.tensor(lib.ones(2, dtype=lib.float64)),      # warns: use clone()
    lambda lib: lib.tensor(lib.ones(2, requires_grad=True)),
    lambda lib: lib.tensor([1.7, -1.7, 255.0], dtype=lib.int64),
    lambda lib: lib.tensor([1, 0, 2], dtype=lib.bool),
    lambda lib: lib.tensor([-1, 200], dtype=lib.uint8),            # negatives wrap
    lambda lib: lib.tensor(np.array([1.5, 2]), dtype=lib.int32),
    lambda lib: lib.tensor([1, 2], dtype=lib.float16),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    lambda lib: lib.tensor([1, 2], dtype=lib.float64, requires_grad=True),
    lambda lib: lib.tensor([[1, 2], [3]]),                         # errors from here on
    lambda lib: lib.tensor([[1, 2], 3]),
    lambda lib: lib.tensor([1, [2, 3]]),
    lambda lib: lib.tensor([lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])]),
    lambda lib: lib.tensor([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    lambda lib: lib.tensor([np.array(1.5), 2]),
    lambda lib: lib.tensor("a"),
    lambda lib: lib.tensor(["a"]),
    lambda lib: lib.tensor([1, "a"]),
    lambda lib: lib.tensor(None),
    lambda lib: lib.tensor([None]),
    lambda lib: lib.tensor({1: 2}),
    lambda lib: lib.tensor(2 ** 63),
    lambda lib: lib.tensor(300, dtype=lib.uint8),
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.tensor([1.0], dtype=lib.int32, requires_grad=True),
]


@pytest.mark.parametrize("code", TENSOR_CASES, ids=range(len(TENSOR_CASES)))
def test_tensor_matches_torch(code, torch):
    compare(code, torch)


def test_tensor_copies_and_keeps_dtype_and_device():
    a = np.arange(3, dtype=np.int16)
    t = tensorkit.tensor(a)
    a[0] = 100
    assert t.dtype == tensorkit.int16 and t.tolist() == [0, 1, 2]
    src = tensorkit.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="detach\\(\\).clone\\(\\)"):
        copy = tensorkit.tensor(src)
    assert copy.is_leaf and not copy.requires_grad and copy.device == src.device
    copy.add_(1)
    assert src.tolist() == [1.0, 1.0]


def test_tensor_with_tensor_requiring_grad_inside_a_list_warns():
    with pytest.warns(UserWarning, match="requires_grad=True to a scalar"):
        t = tensorkit.tensor([tensorkit.tensor(2.0, requires_grad=True), 3.0])
    assert t.tolist() == [2.0, 3.0] and t.grad_fn is None


def test_int_requires_grad_message():
    for code in (lambda: tensorkit.tensor([1, 2], requires_grad=True),
                 lambda: tensorkit.zeros(2, dtype=tensorkit.int64, requires_grad=True),
                 lambda: tensorkit.arange(3, requires_grad=True),
                 lambda: tensorkit.full((2,), 1, requires_grad=True),
                 lambda: tensorkit.zeros_like(tensorkit.ones(2, dtype=tensorkit.int32),
                                              requires_grad=True),
                 lambda: tensorkit.ones(2).new_ones(2, dtype=tensorkit.int64,
                                                    requires_grad=True)):
        with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex "
                                               "dtype can require gradients"):
            code()


def test_as_tensor_and_from_numpy_share_memory():
    a = np.zeros(3, dtype=np.float32)
    for t in (tensorkit.as_tensor(a), tensorkit.from_numpy(a), tensorkit.asarray(a)):
        t[0] = 7
        assert a[0] == 7
        a[0] = 0


# ------------------------------------------------------------------ legacy constructors

LEGACY_CASES = [
    lambda lib: lib.Tensor(2, 3).shape,
    lambda lib: lib.Tensor([1, 2]),
    lambda lib: lib.Tensor([[1, 2]]),
    lambda lib: lib.Tensor((1.5, 2)),
    lambda lib: lib.Tensor(np.array([1, 2])),
    lambda lib: lib.Tensor([True, False]),
    lambda lib: lib.Tensor(),
    lambda lib: lib.Tensor(lib.Size([2])).shape,
    lambda lib: lib.Tensor(np.int64(2)).shape,
    lambda lib: lib.Tensor(lib.ones(2, dtype=lib.int64)),
    lambda lib: lib.FloatTensor([1, 2]),
    lambda lib: lib.LongTensor([1.7, 2]),
    lambda lib: lib.LongTensor(2, 2).shape,
    lambda lib: lib.IntTensor([1, 2]),
    lambda lib: lib.BoolTensor([1, 0]),
    lambda lib: lib.ByteTensor([255, 1]),
    lambda lib: lib.DoubleTensor(3).shape,
    lambda lib: lib.Tensor(2.5),                                   # errors from here on
    lambda lib: lib.Tensor(np.float32(2)),
    lambda lib: lib.Tensor("a"),
    lambda lib: lib.Tensor(-1),
    lambda lib: lib.Tensor(2, -1),
    lambda lib: lib.Tensor([1, 2], [3]),
    lambda lib: lib.LongTensor(lib.ones(2)),
]


@pytest.mark.parametrize("code", LEGACY_CASES, ids=range(len(LEGACY_CASES)))
def test_legacy_constructors_match_torch(code, torch):
    ours, _ = run(code, tensorkit)
    theirs, _ = run(code, torch)
    if isinstance(theirs, Exception):
        assert isinstance(ours, type(theirs)), f"torch raised {theirs!r}, we gave {ours!r}"
    elif isinstance(theirs, tuple):  # a shape: torch leaves the memory uninitialised
        assert tuple(ours) == tuple(theirs)
    else:
        assert_same(ours, theirs)


def test_tensor_of_a_tensor_is_an_alias():
    x = tensorkit.ones(3, dtype=tensorkit.int64)
    y = tensorkit.Tensor(x)
    y[0] = 5
    assert x[0].item() == 5 and y.dtype == tensorkit.int64


def test_legacy_types_are_isinstance_checks():
    assert isinstance(tensorkit.ones(2), tensorkit.FloatTensor)
    assert not isinstance(tensorkit.ones(2), tensorkit.LongTensor)
    assert isinstance(tensorkit.arange(2), tensorkit.LongTensor)


# ------------------------------------------------------------------ filled tensors

FILLED_CASES = [
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((2, 3)),
    lambda lib: lib.zeros([2, 3]),
    lambda lib: lib.zeros(lib.Size([2, 3])),
    lambda lib: lib.zeros(size=(2, 3)),
    lambda lib: lib.zeros(()),
    lambda lib: lib.zeros([]),
    lambda lib: lib.zeros(0, 3),
    lambda lib: lib.zeros(np.int64(2), 3),
    lambda lib: lib.zeros(lib.tensor(3)),
    lambda lib: lib.ones([lib.tensor(2), 3]),
    lambda lib: lib.ones(2, 3, dtype=lib.int32),
    lambda lib: lib.ones(2, dtype=lib.bool),
    lambda lib: lib.ones(2, 3, dtype=lib.float64, requires_grad=True),
    lambda lib: lib.empty(2, 3).fill_(1.5),
    lambda lib: lib.empty((2, 3), dtype=lib.int64).fill_(7),
    lambda lib: lib.empty(0),
    lambda lib: lib.full((2, 2), 3),                   # an int fill gives int64
    lambda lib: lib.full((2, 2), 3.5),
    lambda lib: lib.full((2,), True),
    lambda lib: lib.full([2], 1 + 1j),
    lambda lib: lib.full((2,), 7, dtype=lib.float32),
    lambda lib: lib.full((2,), 1.5, dtype=lib.int64),
    lambda lib: lib.full((), 7),
    lambda lib: lib.full((2,), np.float32(1.5)),
    lambda lib: lib.full((2,), lib.tensor(1.5)),
    lambda lib: lib.full((2,), lib.tensor(2, dtype=lib.int32)),
    lambda lib: lib.full(lib.Size([2, 1]), 1),
    lambda lib: lib.full((2, 3), 1.0, requires_grad=True),
    lambda lib: lib.full(size=(2,), fill_value=3),
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 3),
    lambda lib: lib.eye(3, 2, dtype=lib.int32),
    lambda lib: lib.eye(0),
    lambda lib: lib.eye(2, 0),
    lambda lib: lib.eye(n=2, m=3),
    lambda lib: lib.eye(2, dtype=lib.bool),
    lambda lib: lib.zeros(2, -1),                        # errors from here on
    lambda lib: lib.ones(2, -1),
    lambda lib: lib.empty(-3),
    lambda lib: lib.zeros(2.5),
    lambda lib: lib.ones(2, 3.0),
    lambda lib: lib.ones((2, 3.0)),
    lambda lib: lib.ones(None),
    lambda lib: lib.ones(lib.tensor(2.0)),
    lambda lib: lib.ones(lib.tensor([2, 3])),
    lambda lib: lib.zeros(),
    lambda lib: lib.zeros(size=2),
    lambda lib: lib.full(2, 7),
    lambda lib: lib.full((2, -1), 1.0),
    lambda lib: lib.full((2,), lib.tensor([2.5])),
    lambda lib: lib.full((2,), 300, dtype=lib.uint8),
    lambda lib: lib.eye(-1),
    lambda lib: lib.eye(2, -1),
    lambda lib: lib.eye(2.5),
]


@pytest.mark.parametrize("code", FILLED_CASES, ids=range(len(FILLED_CASES)))
def test_filled_match_torch(code, torch):
    compare(code, torch)


def test_zeros_out_argument(torch):
    for lib in (tensorkit, torch):
        out = lib.empty(5, dtype=lib.int64)
        result = lib.zeros(2, 3, out=out)
        assert result is out and tuple(out.shape) == (2, 3) and _dtype_name(out) == "int64"


def test_negative_dimension_messages():
    with pytest.raises(RuntimeError, match="zeros: Dimension size must be non-negative"):
        tensorkit.zeros(2, -1)
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[2, -1\]"):
        tensorkit.ones(2, -1)
    with pytest.raises(TypeError, match="must be tuple of ints, not float"):
        tensorkit.zeros(2.5)


# --------------------------------------------------------------- *_like and new_*

LIKE_CASES = [
    lambda lib: lib.zeros_like(lib.ones(2, 3, dtype=lib.int32)),
    lambda lib: lib.ones_like(lib.ones(2, 3), dtype=lib.float64),
    lambda lib: lib.full_like(lib.ones(2), 7),
    lambda lib: lib.full_like(lib.ones(2, dtype=lib.int64), 7.9),
    lambda lib: lib.full_like(lib.ones(2, dtype=lib.bool), 2),
    lambda lib: lib.empty_like(lib.ones(2, dtype=lib.int64)).fill_(3),
    lambda lib: lib.zeros_like(lib.ones(2), requires_grad=True),
    lambda lib: lib.ones_like(lib.tensor(3.0)),
    lambda lib: lib.zeros_like(lib.ones(2, dtype=lib.int64), requires_grad=True),
    lambda lib: lib.zeros_like([1, 2]),
    lambda lib: lib.ones(2, 3).new_zeros(2),
    lambda lib: lib.ones(2, 3).new_zeros((2, 2)),
    lambda lib: lib.ones(2, 3).new_zeros(2, 3),
    lambda lib: lib.ones(2, 3).new_zeros(lib.Size([1, 3])),
    lambda lib: lib.ones(2, 3, dtype=lib.int32).new_ones(3),
    lambda lib: lib.ones(2, dtype=lib.int32).new_full((2,), 3.7),
    lambda lib: lib.ones(2).new_full([2], 1),
    lambda lib: lib.ones(2, dtype=lib.float64).new_tensor([1, 2]),
    lambda lib: lib.ones(2, dtype=lib.float64).new_tensor([1, 2], dtype=lib.int64),
    lambda lib: lib.ones(2, dtype=lib.int64).new_tensor([1.5]),
    lambda lib: lib.ones(2).new_tensor([1, 2], requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.float64).new_empty(3).fill_(1),
    lambda lib: lib.ones(2).new_zeros(2, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.int32).new_zeros(2, dtype=lib.float32),
    lambda lib: lib.ones(2).new_ones([]),
    lambda lib: lib.ones(2).new_full(2, 1),
    lambda lib: lib.ones(2).new_zeros(),
    lambda lib: lib.ones(2).new_ones(2, dtype=lib.int64, requires_grad=True),
]


@pytest.mark.parametrize("code", LIKE_CASES, ids=range(len(LIKE_CASES)))
def test_like_and_new_match_torch(code, torch):
    compare(code, torch)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2, 3).t(),
    lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1),
    lambda lib: lib.ones(4, 6)[:, ::2],
    lambda lib: lib.ones(2, 1).expand(2, 3),
    lambda lib: lib.ones(3, 4)[1:],
], ids=["t", "permute", "strided", "expanded", "sliced"])
@pytest.mark.parametrize("like", ["zeros_like", "ones_like", "empty_like", "rand_like"])
def test_like_keeps_the_memory_layout(make, like, torch):
    ours = getattr(tensorkit, like)(make(tensorkit))
    theirs = getattr(torch, like)(make(torch))
    assert ours.stride() == theirs.stride() and ours.is_contiguous() == theirs.is_contiguous()


# ------------------------------------------------------------------ ranges

RANGE_CASES = [
    lambda lib: lib.arange(5),                           # int arguments: int64
    lambda lib: lib.arange(5.0),                         # a float anywhere: default dtype
    lambda lib: lib.arange(1, 4),
    lambda lib: lib.arange(0, 10, 3.0),
    lambda lib: lib.arange(0, 1, 0.1),                   # 10 elements: ceil((1 - 0) / 0.1)
    lambda lib: lib.arange(0, 1, 0.3),
    lambda lib: lib.arange(1, 2.5, 0.5),
    lambda lib: lib.arange(0, -3, -1),
    lambda lib: lib.arange(10, 0, -3),
    lambda lib: lib.arange(-1.5, 1.5, 0.25),
    lambda lib: lib.arange(0, 1, 1 / 3),
    lambda lib: lib.arange(3, 3),
    lambda lib: lib.arange(5, dtype=lib.float32),
    lambda lib: lib.arange(0.5, 3, dtype=lib.int64),     # int dtype: arguments truncated
    lambda lib: lib.arange(0, 5, 1.5, dtype=lib.int64),
    lambda lib: lib.arange(-3.7, 5.5, 2, dtype=lib.int64),
    lambda lib: lib.arange(0, 5, 1.5, dtype=lib.int32),
    lambda lib: lib.arange(0, 300, 100, dtype=lib.uint8),
    lambda lib: lib.arange(0.1, 3.3, 0.1, dtype=lib.float16),
    lambda lib: lib.arange(0, 7, 0.3, dtype=lib.float64),
    lambda lib: lib.arange(np.int64(3)),
    lambda lib: lib.arange(np.float32(0.1), 1, 0.3),
    lambda lib: lib.arange(lib.tensor(3)),
    lambda lib: lib.arange(lib.tensor(0.5), 3),
    lambda lib: lib.arange(True, 3),
    lambda lib: lib.arange(0, 1e4, 0.37),                # long: vectorised lanes in torch
    lambda lib: lib.arange(3.0, requires_grad=True),
    lambda lib: lib.arange(0, 5, 0),                     # errors from here on
    lambda lib: lib.arange(5, 0),
    lambda lib: lib.arange(0, 5, -1),
    lambda lib: lib.arange(0, 5, 0.5, dtype=lib.int64),
    lambda lib: lib.arange(0, 3, dtype=lib.bool),
    lambda lib: lib.arange(1e20),
    lambda lib: lib.arange(float("inf")),
    lambda lib: lib.arange(float("nan")),
    lambda lib: lib.arange(3, requires_grad=True),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(-1, 1, 7),
    lambda lib: lib.linspace(-1, 1, 7, dtype=lib.float64),
    lambda lib: lib.linspace(0, 10, 4, dtype=lib.int64),
    lambda lib: lib.linspace(5, 1, 4, dtype=lib.int64),
    lambda lib: lib.linspace(-5.5, 1, 4, dtype=lib.int32),
    lambda lib: lib.linspace(0, 1, 1),
    lambda lib: lib.linspace(0, 1, 0),
    lambda lib: lib.linspace(0.1, 7.3, 100),
    lambda lib: lib.linspace(3.3, -2.2, 17, dtype=lib.float16),
    lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(1.0), 3),
    lambda lib: lib.linspace(0, 1, 3, requires_grad=True),
    lambda lib: lib.linspace(0, 1, -1),                  # errors from here on
    lambda lib: lib.linspace(0, 1, 2.5),
    lambda lib: lib.linspace(0, 1, 3, dtype=lib.bool),
    lambda lib: lib.logspace(0, 2, 3),
    lambda lib: lib.logspace(0, 2, 3, base=2),
    lambda lib: lib.logspace(-2, 2, 5, base=3.5),
    lambda lib: lib.logspace(0, 3, 4, dtype=lib.int64),
    lambda lib: lib.logspace(0, 2, 3, dtype=lib.float64),
    lambda lib: lib.logspace(-1, 1.3, 11, base=0.7, dtype=lib.float16),
    lambda lib: lib.logspace(0, 1, 1),
    lambda lib: lib.logspace(0, 1, 0),
]


@pytest.mark.parametrize("code", RANGE_CASES, ids=range(len(RANGE_CASES)))
def test_ranges_match_torch(code, torch):
    compare(code, torch)


@settings(max_examples=150, deadline=None)
@given(start=st.floats(-50, 50), length=st.integers(0, 3000),
       step=st.floats(0.001, 5) | st.floats(-5, -0.001),
       dtype=st.sampled_from(["float32", "float64", "float16", None]))
def test_arange_bit_for_bit(start, length, step, dtype):
    torch = pytest.importorskip("torch")
    end = start + step * length
    kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    ours_kw = {} if dtype is None else {"dtype": getattr(tensorkit, dtype)}
    try:
        theirs = torch.arange(start, end, step, **kw)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            tensorkit.arange(start, end, step, **ours_kw)
        return
    assert_same(tensorkit.arange(start, end, step, **ours_kw), theirs)


@settings(max_examples=150, deadline=None)
@given(start=st.floats(-1e3, 1e3), end=st.floats(-1e3, 1e3), steps=st.integers(0, 3000),
       dtype=st.sampled_from(["float32", "float64", "float16", "int64", "int32"]))
def test_linspace_bit_for_bit(start, end, steps, dtype):
    torch = pytest.importorskip("torch")
    theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    ours = tensorkit.linspace(start, end, steps, dtype=getattr(tensorkit, dtype))
    assert_same(ours, theirs)


@settings(max_examples=100, deadline=None)
@given(start=st.floats(-5, 5), end=st.floats(-5, 5), steps=st.integers(0, 300),
       base=st.floats(0.1, 10), dtype=st.sampled_from(["float32", "float64"]))
def test_logspace_bit_for_bit(start, end, steps, base, dtype):
    torch = pytest.importorskip("torch")
    theirs = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype))
    ours = tensorkit.logspace(start, end, steps, base=base, dtype=getattr(tensorkit, dtype))
    assert_same(ours, theirs)


def test_fma_emulation_is_exact():
    """``_fma`` rounds ``a * b + c`` once: checked against exact rational arithmetic."""
    from fractions import Fraction

    from tensorkit.ops.creation import _fma

    rng = np.random.default_rng(0)
    a = rng.standard_normal(2000) * 10.0 ** rng.integers(-8, 8, 2000)
    b = rng.integers(0, 100000, 2000).astype(np.float64)
    c = -(a * b) * (1 + rng.standard_normal(2000) * 1e-15)  # cancellation: the hard case
    c[::2] = rng.standard_normal(1000)
    got = _fma(a, b, c)
    for x, y, z, r in zip(a, b, c, got):
        assert float(Fraction(x) * Fraction(y) + Fraction(z)) == r
