"""Bad input gets torch's exception type and a message that names the problem (and the fix).

Where torch is installed, each case also checks that torch raises the same type, so the
two libraries stay interchangeable in ``try``/``except`` code.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorkit

CASES = [
    # (id, code run with lib, exception type, words the message must contain)
    ("broadcast", lambda lib: lib.ones(2, 3) + lib.ones(3, 2), RuntimeError,
     ["size of tensor a (3)", "tensor b (2)", "non-singleton dimension 1"]),
    ("broadcast_names_shapes", lambda lib: lib.ones(2, 3) * lib.ones(4), RuntimeError,
     ["(3)", "(4)"]),
    ("mm_shapes", lambda lib: lib.ones(2, 3) @ lib.ones(2, 3), RuntimeError,
     ["2x3 and 2x3"]),
    ("dot_1d", lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2, 2)), RuntimeError,
     ["1D tensors expected"]),
    ("numpy_requires_grad", lambda lib: lib.ones(2, requires_grad=True).numpy(), RuntimeError,
     ["numpy()", "requires grad", "detach()"]),
    ("mean_of_int", lambda lib: lib.tensor([1, 2]).mean(), RuntimeError,
     ["mean(): could not infer output dtype", "floating point", "Long"]),
    ("view_non_contiguous", lambda lib: lib.ones(2, 3).t().view(6), RuntimeError,
     ["view size is not compatible", ".reshape(...)"]),
    ("view_bad_size", lambda lib: lib.ones(2, 3).view(4, 2), RuntimeError,
     ["shape '[4, 2]' is invalid for input of size 6"]),
    ("view_two_minus_one", lambda lib: lib.ones(2, 3).view(-1, -1), RuntimeError,
     ["only one dimension can be inferred"]),
    ("int_requires_grad", lambda lib: lib.tensor([1, 2], requires_grad=True), RuntimeError,
     ["floating point", "require gradients"]),
    ("non_leaf_requires_grad", lambda lib: setattr(lib.ones(1, requires_grad=True) * 2,
                                                   "requires_grad", False), RuntimeError,
     ["leaf variables", "detach()"]),
    ("item_of_many", lambda lib: lib.ones(2).item(), RuntimeError,
     ["2 elements cannot be converted to Scalar"]),
    ("bool_of_many", lambda lib: bool(lib.ones(2)), RuntimeError, ["ambiguous"]),
    ("len_of_0d", lambda lib: len(lib.tensor(1.0)), TypeError, ["len() of a 0-d tensor"]),
    ("iter_0d", lambda lib: list(lib.tensor(1.0)), TypeError, ["iteration over a 0-d tensor"]),
    ("inplace_leaf", lambda lib: lib.ones(2, requires_grad=True).add_(1), RuntimeError,
     ["leaf Variable that requires grad", "in-place"]),
    ("implicit_grad", lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(),
     RuntimeError, ["grad can be implicitly created only for scalar outputs"]),
    ("cat_sizes", lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
     ["Sizes of tensors must match except in dimension 0", "Expected size 3 but got size 4"]),
    ("stack_sizes", lambda lib: lib.stack([lib.ones(2), lib.ones(3)]), RuntimeError,
     ["stack expects each tensor to be equal size"]),
    ("dim_range", lambda lib: lib.ones(2, 3).sum(2), IndexError,
     ["Dimension out of range", "[-2, 1]", "got 2"]),
    ("index_range", lambda lib: lib.ones(3)[5], IndexError, ["index 5 is out of bounds",
                                                            "size 3"]),
    ("too_many_indices", lambda lib: lib.ones(3)[0, 0], IndexError, ["too many indices"]),
    ("expand_bad", lambda lib: lib.ones(2, 3).expand(2, 4), RuntimeError,
     ["expanded size of the tensor (4) must match the existing size (3)"]),
    ("cast_inplace", lambda lib: lib.tensor([1, 2]).add_(1.5), RuntimeError,
     ["result type Float can't be cast to the desired output type Long"]),
    ("bool_sub", lambda lib: lib.tensor([True]) - lib.tensor([False]), RuntimeError,
     ["Subtraction, the `-` operator, with two bool tensors is not supported", "logical_xor"]),
    ("bool_neg", lambda lib: -lib.tensor([True]), RuntimeError, ["logical_not"]),
    ("neg_int_power", lambda lib: lib.tensor([2]) ** -1, RuntimeError,
     ["Integers to negative integer powers are not allowed"]),
    ("bad_rounding_mode", lambda lib: lib.div(lib.ones(1), 2, rounding_mode="up"), RuntimeError,
     ["rounding_mode"]),
    ("setitem_shape", lambda lib: lib.zeros(2, 3).__setitem__(0, lib.ones(4)), RuntimeError,
     ["shape mismatch", "[4]"]),
    ("mixed_matmul_dtype", lambda lib: lib.ones(2, 2) @ lib.ones(2, 2, dtype=lib.float64),
     RuntimeError, ["same dtype", "float != double"]),
    ("permute_dims", lambda lib: lib.ones(2, 3).permute(0, 0), RuntimeError,
     ["duplicate dims"]),
    ("randint_range", lambda lib: lib.randint(5, 2, (3,)), RuntimeError, ["from=5 >= to=2"]),
    ("ragged", lambda lib: lib.tensor([[1, 2], [3]]), ValueError, []),
    ("bad_device", lambda lib: lib.ones(2).to("tpu"), RuntimeError, ["tpu"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_error_type_and_message(case):
    _, code, exc_type, words = case
    with pytest.raises(exc_type) as info:
        code(tensorkit)
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_torch_raises_the_same_type(case, torch):
    _, code, exc_type, _ = case
    with pytest.raises(exc_type):
        code(torch)


def test_backward_through_freed_graph():
    x = tensorkit.ones(2, requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_version_counter_error_names_the_tensor():
    x = tensorkit.ones(3, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    text = str(info.value)
    assert "modified by an inplace operation" in text
    assert "[tensorkit.FloatTensor [3]]" in text and "output 0 of Sigmoid" in text
    assert "is at version 1; expected version 0" in text


def test_cuda_without_a_gpu_explains():
    if tensorkit.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="CUDA") as info:
        tensorkit.ones(2).cuda()
    assert "CuPy" in str(info.value) and "pip install" in str(info.value)


class _FakeGpuArray(np.ndarray):
    """An array that says it lives on cuda:0, to test device checks without a GPU."""

    class device:  # noqa: N801
        id = 0


def test_two_devices_in_one_op():
    from tensorkit._device import check_same_device

    gpu = np.ones(2).view(_FakeGpuArray)
    with pytest.raises(RuntimeError) as info:
        check_same_device([np.ones(2), gpu])
    text = str(info.value)
    assert "Expected all tensors to be on the same device" in text
    assert "cuda:0 and cpu" in text


def test_two_devices_through_an_op():
    a = tensorkit.ones(2)
    b = tensorkit.ones(2)
    b._data = np.ones(2, np.float32).view(_FakeGpuArray)
    with pytest.raises(RuntimeError, match="same device.*cuda:0 and cpu"):
        tensorkit.mul(a, b)


def test_gpu_tensor_to_numpy_explains():
    t = tensorkit.ones(2)
    t._data = np.ones(2, np.float32).view(_FakeGpuArray)
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy.*"
                                        r"\.cpu\(\)"):
        t.numpy()
