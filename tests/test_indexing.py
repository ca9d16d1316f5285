"""Indexing ops beyond the op table: errors, in-place variants in the graph, edge cases.

The op table (tests/op_db/indexing.py) checks values and gradients; this file checks
what a table can't: the exception each bad call raises (the same type as torch, with a
message naming the index and the size), and that ``x.scatter_(...)`` and friends behave
inside the autograd graph as in torch (version counter, ``grad_fn``, leaf errors, views).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorkit
from tensorkit.ops.indexing import add_at


def _long(lib, *v):
    return lib.tensor(list(v))


# torch raises IndexError or RuntimeError for these, depending on the dim and on whether
# autograd records: tensorkit's error is both, and torch's must be one of them.
EITHER = (IndexError, RuntimeError)

ERRORS = [
    # (id, code run with lib, exception type, words the tensorkit message must contain)
    ("index_select_range", lambda lib: lib.ones(3, 4).index_select(0, _long(lib, 0, 5)),
     EITHER, ["index 5", "dimension 0", "size 3"]),
    ("index_select_range_dim1", lambda lib: lib.ones(3, 4).index_select(1, _long(lib, 4)),
     EITHER, ["index 4", "dimension 1", "size 4"]),
    ("index_select_negative", lambda lib: lib.ones(3).index_select(0, _long(lib, -1)),
     EITHER, ["index -1", "size 3"]),
    ("index_select_float", lambda lib: lib.ones(3).index_select(0, lib.tensor([0.0])),
     RuntimeError, ["int64", "float32", "long()"]),
    ("index_select_2d", lambda lib: lib.ones(3).index_select(0, lib.tensor([[0]])),
     IndexError, ["vector", "[1, 1]"]),
    ("index_select_scalar_many", lambda lib: lib.tensor(1.0).index_select(0, _long(lib, 0, 0)),
     RuntimeError, ["only 1 value", "got 2"]),
    ("index_select_dim", lambda lib: lib.ones(3).index_select(1, _long(lib, 0)),
     IndexError, ["Dimension out of range"]),
    ("gather_range", lambda lib: lib.ones(3, 4).gather(1, lib.tensor([[0], [1], [5]])),
     RuntimeError, ["index 5", "dimension 1", "size 4"]),
    ("gather_negative", lambda lib: lib.ones(3, 4).gather(1, lib.tensor([[-1]])),
     RuntimeError, ["index -1", "size 4"]),
    ("gather_float_index", lambda lib: lib.ones(3, 4).gather(1, lib.tensor([[0.0]])),
     RuntimeError, ["gather()", "int64"]),
    ("gather_ndim", lambda lib: lib.ones(3, 4).gather(1, _long(lib, 0)),
     RuntimeError, ["same number of dimensions"]),
    ("gather_index_too_big", lambda lib: lib.ones(3, 4).gather(1, lib.zeros(4, 4).long()),
     RuntimeError, ["no larger than self", "[4, 4]", "[3, 4]"]),
    ("scatter_range", lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[7]]), 2.0),
     RuntimeError, ["index 7", "size 4"]),
    ("scatter_dtype", lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0]]),
                                                         lib.ones(1, 1, dtype=lib.float64)),
     RuntimeError, ["dtype", "float64"]),
    ("scatter_float_index", lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0.0]]), 1.0),
     RuntimeError, ["scatter()", "int64"]),
    ("scatter_src_too_small", lambda lib: lib.ones(3, 4).scatter(
        1, lib.zeros(1, 3).long(), lib.ones(1, 2)), RuntimeError, ["no larger than src"]),
    ("scatter_bad_reduce", lambda lib: lib.ones(3, 4).scatter(1, lib.tensor([[0]]), 1.0,
                                                              reduce="max"),
     RuntimeError, ["add or multiply"]),
    ("scatter_add_range", lambda lib: lib.ones(3, 4).scatter_add(0, lib.tensor([[3]]),
                                                                 lib.ones(1, 1)),
     RuntimeError, ["index 3", "dimension 0", "size 3"]),
    ("index_add_range", lambda lib: lib.ones(3, 4).index_add(0, _long(lib, 0, 3),
                                                             lib.ones(2, 4)),
     EITHER, ["index 3", "size 3"]),
    ("index_add_range_grad", lambda lib: lib.ones(3, 4, requires_grad=True).index_add(
        0, _long(lib, 0, 3), lib.ones(2, 4)), EITHER, ["index 3", "size 3"]),
    ("index_add_dtype", lambda lib: lib.ones(3).index_add(0, _long(lib, 0),
                                                          lib.ones(1, dtype=lib.float64)),
     RuntimeError, ["same dtype"]),
    ("index_add_shape", lambda lib: lib.ones(3, 4).index_add(0, _long(lib, 0), lib.ones(1, 5)),
     RuntimeError, ["source tensor shape must match self tensor shape", "[1, 5]"]),
    ("index_add_count", lambda lib: lib.ones(3, 4).index_add(0, _long(lib, 0, 1),
                                                             lib.ones(1, 4)),
     RuntimeError, ["Number of indices (2)", "(1)"]),
    ("index_add_float_index", lambda lib: lib.ones(3).index_add(0, lib.tensor([0.0]),
                                                                lib.ones(1)),
     RuntimeError, ["int64"]),
    ("index_fill_range", lambda lib: lib.ones(3, 4).index_fill(0, _long(lib, 4), 1.0),
     IndexError, ["index 4", "size 3"]),
    ("index_fill_negative_range", lambda lib: lib.ones(5).index_fill(0, _long(lib, -6), 1.0),
     IndexError, ["index -6", "size 5"]),
    ("index_fill_float_index", lambda lib: lib.ones(3).index_fill(0, lib.tensor([0.0]), 1),
     IndexError, ["int64"]),
    ("index_fill_int32_index", lambda lib: lib.ones(3).index_fill(
        0, lib.tensor([0], dtype=lib.int32), 1), IndexError, ["int64", "int32"]),
    ("index_fill_2d_index", lambda lib: lib.ones(3).index_fill(0, lib.tensor([[0]]), 1),
     RuntimeError, ["vector or a scalar"]),
    ("index_fill_vector_value", lambda lib: lib.ones(3).index_fill(0, _long(lib, 0),
                                                                   lib.ones(2)),
     RuntimeError, ["0-dimensional value tensor"]),
    ("index_copy_range", lambda lib: lib.ones(3, 2).index_copy(0, _long(lib, 3, 0),
                                                               lib.ones(2, 2)),
     IndexError, ["index 3", "size 3"]),
    ("index_copy_int32_index", lambda lib: lib.ones(3).index_copy(
        0, lib.tensor([0], dtype=lib.int32), lib.ones(1)), RuntimeError, ["int64"]),
    ("index_copy_count", lambda lib: lib.ones(3, 2).index_copy(0, _long(lib, 0, 1),
                                                               lib.ones(1, 2)),
     IndexError, ["Number of indices (2)"]),
    ("index_copy_dtype", lambda lib: lib.ones(3).index_copy(0, _long(lib, 0),
                                                            lib.ones(1).long()),
     RuntimeError, ["same dtype"]),
    ("take_range", lambda lib: lib.ones(3, 4).take(_long(lib, 0, 12)),
     IndexError, ["index 12", "12 elements"]),
    ("take_negative_range", lambda lib: lib.ones(3, 4).take(_long(lib, -13)),
     IndexError, ["index -13", "12 elements"]),
    ("take_int32", lambda lib: lib.ones(3).take(lib.tensor([0], dtype=lib.int32)),
     RuntimeError, ["take()", "int64"]),
    ("put_count", lambda lib: lib.ones(5).put(_long(lib, 0, 1), lib.ones(1)),
     IndexError, ["same number of elements", "= 1", "= 2"]),
    ("put_dtype", lambda lib: lib.ones(5).put(_long(lib, 0), lib.ones(1).long()),
     RuntimeError, ["same dtype"]),
    ("put_range", lambda lib: lib.ones(5).put(_long(lib, 7), lib.ones(1)),
     IndexError, ["index 7", "5 elements"]),
    ("take_along_dim_ndim", lambda lib: lib.take_along_dim(lib.ones(3, 4), _long(lib, 0, 1), 0),
     RuntimeError, ["same number of dimensions"]),
    ("take_along_dim_float", lambda lib: lib.take_along_dim(lib.ones(3, 4),
                                                            lib.tensor([[1.0]]), 1),
     RuntimeError, ["int64"]),
    ("tril_1d", lambda lib: lib.ones(3).tril(), RuntimeError, ["at least 2 dimensions"]),
    ("triu_0d", lambda lib: lib.triu(lib.tensor(1.0)), RuntimeError, ["at least 2 dimensions"]),
    ("masked_scatter_too_few", lambda lib: lib.ones(4).masked_scatter(
        lib.tensor([True, True, False, True]), lib.ones(2)), RuntimeError,
     ["Number of elements of source < number of ones in mask", "3", "2"]),
    ("masked_scatter_dtype", lambda lib: lib.ones(2).masked_scatter(
        lib.tensor([True, True]), lib.ones(2).long()), RuntimeError, ["same dtypes"]),
    ("masked_select_byte", lambda lib: lib.ones(3).masked_select(lib.ones(3).byte()),
     RuntimeError, ["masked_select", "Bool"]),
    ("masked_select_broadcast", lambda lib: lib.ones(3).masked_select(lib.ones(4).bool()),
     RuntimeError, ["size of tensor a (3)", "tensor b (4)"]),
    ("masked_fill_byte", lambda lib: lib.ones(3).masked_fill(lib.ones(3).byte(), 0),
     RuntimeError, ["boolean masks"]),
    ("masked_fill_inplace_bigger_mask", lambda lib: lib.ones(2, 3).masked_fill_(
        lib.ones(2, 2, 3).bool(), 1), RuntimeError, ["doesn't match the broadcast shape"]),
    ("setitem_int_index_dtype", lambda lib: lib.zeros(3).__setitem__(_long(lib, 0, 1),
                                                                     lib.ones(2).double()),
     RuntimeError, ["dtypes match", "float64"]),
    ("setitem_adv_shape", lambda lib: lib.zeros(3, 4).__setitem__(_long(lib, 0, 1),
                                                                  lib.ones(3)),
     RuntimeError, ["shape mismatch", "[3]", "[2, 4]"]),
    ("setitem_adv_shape_tracked", lambda lib: (lib.zeros(3, 4, requires_grad=True) * 1)
     .__setitem__(_long(lib, 0, 1), lib.ones(3)), RuntimeError, ["shape mismatch", "[3]"]),
    ("setitem_inplace_leaf", lambda lib: lib.ones(3, requires_grad=True).__setitem__(
        _long(lib, 0), 2.0), RuntimeError, ["leaf Variable that requires grad"]),
    ("scatter_reduce_no_grad", lambda lib: lib.ones(2, 2, requires_grad=True).scatter(
        1, lib.tensor([[0]]), 2.0, reduce="add").sum().backward(), RuntimeError,
     ["derivative for aten::scatter is not implemented"]),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_error_type_and_message(case):
    _, code, exc_type, words = case
    with pytest.raises(exc_type) as info:
        code(tensorkit)
    for t in exc_type if isinstance(exc_type, tuple) else (exc_type,):
        assert isinstance(info.value, t)
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_torch_raises_the_same_type(case, torch):
    _, code, exc_type, _ = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(exc_type):
            code(torch)


def test_take_along_dim_checks_bounds():
    # torch reads out of bounds here without a word (its output is garbage); we refuse
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        tensorkit.take_along_dim(tensorkit.ones(3, 4), tensorkit.tensor([[4]]), 1)


# ------------------------------------------------------------------ in-place variants

def _float_arg(lib, a):
    return lib.from_numpy(np.array(a, dtype=np.float32))


# (name, method call on y, in torch's and tensorkit's spelling alike)
INPLACE = [
    ("scatter_", lambda lib, y: y.scatter_(1, lib.tensor([[0, 2], [1, 3], [3, 2]]),
                                           _float_arg(lib, np.arange(6).reshape(3, 2)))),
    ("scatter_value", lambda lib, y: y.scatter_(0, lib.tensor([[2, 0, 1, 1]]), -1.0)),
    ("scatter_add_", lambda lib, y: y.scatter_add_(0, lib.tensor([[2, 2, 0, 1]]),
                                                   _float_arg(lib, [[1, 2, 3, 4]]))),
    ("index_add_", lambda lib, y: y.index_add_(1, lib.tensor([3, 3, 0]),
                                               _float_arg(lib, np.ones((3, 3))), alpha=2)),
    ("index_fill_", lambda lib, y: y.index_fill_(0, lib.tensor([2, 0]), 7.0)),
    ("index_copy_", lambda lib, y: y.index_copy_(0, lib.tensor([2, 0]),
                                                 _float_arg(lib, np.ones((2, 4))))),
    ("masked_fill_", lambda lib, y: y.masked_fill_(lib.tensor([True, False, False, True]), 0.5)),
    ("masked_scatter_", lambda lib, y: y.masked_scatter_(lib.tensor([False, True, True, False]),
                                                         _float_arg(lib, np.arange(8)))),
    ("put_", lambda lib, y: y.put_(lib.tensor([0, 11, -1]), _float_arg(lib, [1, 2, 3]),
                                   accumulate=True)),
    ("tril_", lambda lib, y: y.tril_(-1)),
    ("triu_", lambda lib, y: y.triu_(1)),
]


def _run_inplace(lib, method, through_view: bool):
    x = lib.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4) / 7).requires_grad_()
    y = x * 2
    target = y[1:] if through_view else y
    before = target._version
    out = method(lib, target)
    bumped = target._version - before
    weights = lib.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
    (y * weights).sum().backward()
    return out is target, bumped, target.grad_fn.name(), y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name,method", INPLACE, ids=[c[0] for c in INPLACE])
@pytest.mark.parametrize("through_view", [False, True], ids=["tensor", "view"])
def test_inplace_in_the_graph_matches_torch(name, method, through_view, torch):
    if through_view and name in ("scatter_", "scatter_value", "scatter_add_", "index_add_",
                                 "index_fill_", "index_copy_", "put_"):
        pytest.skip("indices sized for the whole tensor")
    same, bumped, grad_fn, values, grad = _run_inplace(tensorkit, method, through_view)
    t_same, t_bumped, t_grad_fn, t_values, t_grad = _run_inplace(torch, method, through_view)
    assert same and t_same, "an in-place method returns the tensor itself"
    assert bumped == t_bumped == 1, "the version counter goes up by exactly one"
    assert grad_fn == t_grad_fn
    np.testing.assert_allclose(values, t_values, rtol=1e-6)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-6)


@pytest.mark.parametrize("name,method", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_a_leaf_is_refused(name, method, torch):
    for lib in (tensorkit, torch):
        leaf = lib.ones(3, 4, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            method(lib, leaf)


@pytest.mark.parametrize("name,method", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_without_grad_writes_and_bumps(name, method, torch):
    results = []
    for lib in (tensorkit, torch):
        y = lib.from_numpy(np.arange(12, dtype=np.float32).reshape(3, 4))
        view = y[:]
        before = y._version
        method(lib, y)
        assert y._version == before + 1 and view._version == y._version
        results.append(view.numpy().copy())  # the view sees the change: same memory
    np.testing.assert_array_equal(*results)


def test_inplace_invalidates_saved_input(torch):
    """An op that saved ``y`` for backward notices ``y`` was scattered into afterwards."""
    for lib in (tensorkit, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        z = y * y  # saves y
        y.index_fill_(0, lib.tensor([0]), 0.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_saved_index_modified_in_place_is_detected(torch):
    for lib in (tensorkit, torch):
        x = lib.ones(3, 4, requires_grad=True)
        index = lib.tensor([0, 2])
        y = x.index_select(0, index)
        index.add_(1)  # backward would add the gradient to the wrong rows
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


# ----------------------------------------------------------------------- edge cases

def test_scatter_gradient_with_src_larger_than_index():
    """Only src's leading block (index's shape) is read: the rest gets zero gradient.

    torch raises in backward here ("invalid gradient ... got [1, 2] but expected shape
    compatible with [2, 3]"); the gradient is well defined, so we give it.
    """
    x = tensorkit.zeros(2, 3, dtype=tensorkit.float64, requires_grad=True)
    src = tensorkit.arange(6, dtype=tensorkit.float64).reshape(2, 3).requires_grad_()
    index = tensorkit.tensor([[2, 0]])
    out = x.scatter(1, index, src)
    out.backward(tensorkit.ones(2, 3))
    np.testing.assert_array_equal(src.grad.numpy(), [[1, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 1, 1]])
    assert tensorkit.autograd.gradcheck(lambda a, b: a.scatter(1, index, b), (x, src))
    assert tensorkit.autograd.gradcheck(lambda a, b: a.scatter_add(1, index, b), (x, src))


def test_index_fill_tensor_value_counts_repeated_indices_once(torch):
    grads = []
    for lib in (tensorkit, torch):
        value = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        out = lib.ones(3, 2).index_fill(0, lib.tensor([1, 1, 2]), value)
        out.sum().backward()
        grads.append(value.grad.item())
        assert value.grad.dtype == lib.float64
    assert grads[0] == grads[1] == 4.0


def test_index_fill_tensor_value_with_negative_index():
    # torch's backward fails here (it index_selects the unwrapped -1); the gradient is
    # the same as for the wrapped index 2
    value = tensorkit.tensor(2.0, requires_grad=True)
    out = tensorkit.ones(3, 2).index_fill(0, tensorkit.tensor([1, -1, 2]), value)
    out.sum().backward()
    assert value.grad.item() == 4.0


def test_take_along_dim_with_argsort_indices(torch):
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    order = np.argsort(x, axis=1)
    out = []
    for lib in (tensorkit, torch):
        out.append(lib.take_along_dim(lib.from_numpy(x.copy()), lib.from_numpy(order),
                                      dim=1).numpy())
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[0], np.sort(x, axis=1))


def test_getitem_graph_names(torch):
    """x[...] is an alias, a lone x[:] a slice, x[:, :] an alias, x[i, :, [j]] an index."""
    keys = [Ellipsis, slice(None), (slice(None), slice(None)), (1, slice(None), [0, 1]),
            (slice(1, None), [0, 0]), (None, 0)]
    for key in keys:
        names = []
        for lib in (tensorkit, torch):
            x = lib.ones(2, 3, 4, requires_grad=True)
            out = x[key]
            names.append((out.grad_fn.name(), tuple(out.shape)))
        assert names[0] == names[1], key


def test_int_then_advanced_setitem_without_grad(torch):
    """``y[1, :, [0, 3]] = v`` selects first (value shape (3, 2)), with or without grad."""
    results = []
    for lib in (tensorkit, torch):
        y = lib.zeros(2, 3, 4)
        y[1, :, [0, 3]] = lib.arange(6.0).reshape(3, 2)
        results.append(y.numpy())
    np.testing.assert_array_equal(*results)


@pytest.mark.parametrize("key", [[[0, 1]], [[2, 0], [1, 1]], [0, slice(1, None)], [1, None],
                                 [[0, 1], 0], [0, 1], [True, False, True]],
                         ids=["nested", "two_lists", "int_slice", "int_none", "list_int",
                              "plain_list", "bool_list"])
def test_list_key_holding_sequences_is_a_tuple(key, torch):
    """torch reads x[[a, b]] as x[a, b] when a or b is a list, slice or None (with a
    deprecation warning); a list of plain ints or bools stays one index."""
    results = []
    for lib in (tensorkit, torch):
        x = lib.arange(12.0).reshape(3, 4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = x[key]
        legacy = any("non-tuple sequence" in str(w.message) for w in caught)
        results.append((out.numpy().tolist(), legacy))
    assert results[0] == results[1]


def test_add_at_accumulates_repeated_positions():
    out = np.zeros(4)
    add_at(out, (np.array([1, 1, 3, 1]),), np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(out, [0, 7, 0, 3])


# ------------------------------------------------------------- core bugs (xfail, strict)

@pytest.mark.xfail(reason="core bug: CopySlices.name() is 'CopySlices', torch prints "
                   "'torch::autograd::CopySlices' (ops/inplace.py)", strict=True)
def test_copyslices_name_matches_torch(torch):
    names = []
    for lib in (tensorkit, torch):
        y = lib.ones(3, 4, requires_grad=True) * 1
        y[1] = 0.0
        names.append(y.grad_fn.name())
    assert names[0] == names[1]


@pytest.mark.xfail(reason="core bug: CopySlices is once_differentiable, so double backward "
                   "through x[i] = v fails; torch supports it (ops/inplace.py)", strict=True)
def test_double_backward_through_setitem():
    def fn(x, v):
        y = x * 1
        y[:, 1] = v * v
        return y

    x = tensorkit.ones(2, 3, dtype=tensorkit.float64, requires_grad=True)
    v = tensorkit.tensor([2.0, 3.0], dtype=tensorkit.float64, requires_grad=True)
    assert tensorkit.autograd.gradgradcheck(fn, (x, v))


@pytest.mark.xfail(reason="core bug: an in-place op on a leaf that is a view (reshape(...)"
                   ".requires_grad_()) is not refused and silently makes it a non-leaf "
                   "(ops/inplace.py _check_leaf)", strict=True)
def test_inplace_on_a_view_leaf_is_refused():
    x = tensorkit.arange(6.0).reshape(2, 3).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.index_fill_(0, tensorkit.tensor([0]), 1.0)
