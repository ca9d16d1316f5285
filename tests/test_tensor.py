"""The Tensor object itself: NumPy interop, printing, conversions, devices, dtypes, pickling."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import tensorkit


def test_from_numpy_and_numpy_share_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = tensorkit.from_numpy(a)
    a[0, 0] = 100
    assert t[0, 0].item() == 100
    t.add_(1)
    assert a[1, 2] == 6
    n = t.numpy()
    assert n is a or np.shares_memory(n, a)
    assert np.asarray(t) is n or np.shares_memory(np.asarray(t), a)


def test_tensor_copies_data():
    a = np.ones(3)
    t = tensorkit.tensor(a)
    a[0] = 5
    assert t[0].item() == 1 and t.dtype == tensorkit.float64


def test_python_conversions():
    t = tensorkit.tensor([[1.5, 2.0]])
    assert t.tolist() == [[1.5, 2.0]]
    assert float(t[0, 0]) == 1.5 and int(t[0, 1]) == 2
    assert bool(tensorkit.tensor([0.0])) is False
    assert len(t) == 1 and [row.tolist() for row in t] == [[1.5, 2.0]]
    assert tensorkit.tensor(3).item() == 3 and isinstance(tensorkit.tensor(3).item(), int)
    assert f"{tensorkit.tensor(3.14159):.2f}" == "3.14"
    assert [1, 2, 3][tensorkit.tensor(1)] == 2  # __index__


def test_numpy_array_on_the_left_gives_a_tensor():
    t = tensorkit.ones(3)
    r = np.arange(3, dtype=np.float32) * t
    assert isinstance(r, tensorkit.Tensor) and r.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([1.0, 2.5]),
    lambda lib: lib.tensor([[1, 2], [3, 4]]),
    lambda lib: lib.tensor([True, False]),
    lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).sum(),
    lambda lib: lib.tensor(3),
    lambda lib: lib.arange(10, dtype=lib.int32),
    lambda lib: lib.zeros(0, 3),
    lambda lib: lib.linspace(0, 1, 2000),
    lambda lib: lib.tensor([1e-8, 1.0, 1e8]),
])
def test_repr_matches_torch(make, torch):
    assert repr(make(tensorkit)) == repr(make(torch)).replace("torch.", "tensorkit.")
    assert str(make(tensorkit)) == str(make(torch)).replace("torch.", "tensorkit.")


def test_dtype_objects_and_aliases(torch):
    assert tensorkit.float is tensorkit.float32 and tensorkit.long is tensorkit.int64
    assert tensorkit.double is tensorkit.float64 and tensorkit.half is tensorkit.float16
    assert repr(tensorkit.float32) == "tensorkit.float32"
    for name in ("float32", "float64", "int64", "int32", "bool", "uint8", "int8", "int16",
                 "float16"):
        ours, theirs = getattr(tensorkit, name), getattr(torch, name)
        assert ours.is_floating_point == theirs.is_floating_point
        assert ours.is_signed == theirs.is_signed
        assert ours.itemsize == theirs.itemsize


def test_default_dtype():
    assert tensorkit.get_default_dtype() is tensorkit.float32
    tensorkit.set_default_dtype(tensorkit.float64)
    try:
        assert tensorkit.tensor([1.5]).dtype is tensorkit.float64
        assert tensorkit.ones(2).dtype is tensorkit.float64
        assert repr(tensorkit.tensor([1.5])) == "tensor([1.5000])"
        assert (tensorkit.tensor([1]) * 2.5).dtype is tensorkit.float64
    finally:
        tensorkit.set_default_dtype(tensorkit.float32)
    assert tensorkit.tensor([1.5]).dtype is tensorkit.float32


@pytest.mark.parametrize("convert, dtype", [
    (lambda t: t.float(), "float32"), (lambda t: t.double(), "float64"),
    (lambda t: t.int(), "int32"), (lambda t: t.long(), "int64"), (lambda t: t.short(), "int16"),
    (lambda t: t.bool(), "bool"), (lambda t: t.half(), "float16"), (lambda t: t.byte(), "uint8"),
    (lambda t: t.to(tensorkit.float64), "float64"), (lambda t: t.type(tensorkit.int32), "int32"),
    (lambda t: t.type("torch.DoubleTensor"), "float64"),
    (lambda t: t.type(tensorkit.LongTensor), "int64"),
    (lambda t: t.to(tensorkit.ones(1, dtype=tensorkit.int16)), "int16"),
])
def test_conversions(convert, dtype):
    t = tensorkit.tensor([1.7, -2.2, 0.0])
    out = convert(t)
    assert out.dtype.name == dtype
    assert out.tolist() == np.array([1.7, -2.2, 0.0], np.float32).astype(dtype).tolist()


def test_type_names_and_legacy_constructors(torch):
    assert tensorkit.ones(2).type() == "tensorkit.FloatTensor"
    assert tensorkit.ones(2, dtype=tensorkit.int64).type() == "tensorkit.LongTensor"
    t = tensorkit.FloatTensor(2, 3)
    assert t.shape == (2, 3) and t.dtype is tensorkit.float32
    assert tensorkit.LongTensor([1, 2]).dtype is tensorkit.int64
    assert isinstance(tensorkit.ones(2), tensorkit.FloatTensor)
    assert not isinstance(tensorkit.ones(2), tensorkit.DoubleTensor)
    assert tensorkit.Tensor([1, 2]).dtype is tensorkit.float32
    assert tensorkit.Tensor(2, 3).shape == torch.Tensor(2, 3).shape
    assert tensorkit.Tensor().shape == (0,)


def test_to_returns_self_when_nothing_changes():
    t = tensorkit.ones(2)
    assert t.to(tensorkit.float32) is t and t.to("cpu") is t and t.cpu() is t
    assert t.to(tensorkit.float32, copy=True) is not t


def test_devices():
    d = tensorkit.device("cuda:1")
    assert d.type == "cuda" and d.index == 1 and str(d) == "cuda:1"
    assert repr(d) == "device(type='cuda', index=1)"
    assert tensorkit.device("cpu") == "cpu"
    t = tensorkit.ones(2)
    assert t.device == tensorkit.device("cpu") and not t.is_cuda
    assert tensorkit.cuda.device_count() >= 0
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        tensorkit.device("gpu")


def test_size_and_shape(torch):
    t = tensorkit.ones(2, 3, 4)
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert isinstance(t.shape, tensorkit.Size) and repr(t.shape) == "tensorkit.Size([2, 3, 4])"
    assert t.shape.numel() == 24 == t.numel() and t.dim() == 3 == t.ndim
    assert t.shape[1:] == (3, 4) and isinstance(t.shape[1:], tensorkit.Size)
    assert t.stride() == torch.ones(2, 3, 4).stride()
    assert t.transpose(0, 2).stride() == torch.ones(2, 3, 4).transpose(0, 2).stride()


def test_new_methods_keep_dtype_and_device():
    t = tensorkit.ones(2, dtype=tensorkit.float64)
    for new in (t.new_zeros(3), t.new_ones((3,)), t.new_full((3,), 7.0), t.new_empty(3),
                t.new_tensor([1, 2, 3])):
        assert new.dtype is tensorkit.float64 and new.shape == (3,)


def test_pickle_and_deepcopy_round_trip():
    t = tensorkit.tensor([[1.0, 2.0]], requires_grad=True)
    u = pickle.loads(pickle.dumps(t))
    assert u.tolist() == t.tolist() and u.requires_grad and u.dtype is tensorkit.float32
    c = copy.deepcopy(t)
    c.data[0, 0] = 9.0
    assert t[0, 0].item() == 1.0 and c.requires_grad
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(t * 2)


def test_tensors_hash_by_identity():
    a, b = tensorkit.ones(1), tensorkit.ones(1)
    assert len({a, b}) == 2
    assert (a == b).item() is True
    assert (a == None) is False  # noqa: E711


def test_contiguity_and_clone():
    t = tensorkit.arange(6.0).view(2, 3)
    assert t.is_contiguous() and not t.t().is_contiguous()
    c = t.t().contiguous()
    assert c.is_contiguous() and c.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    k = t.clone()
    k[0, 0] = 50
    assert t[0, 0].item() == 0
    root = t._base  # t is itself a view of arange's result: views point at the root
    assert root is not None and t.view(3, 2)._base is root and t.t()._base is root
