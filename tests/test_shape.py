"""Shape and product ops beyond the op table: memory sharing of views, contiguity and
strides, ``Size``, errors and warnings, ``resize_``, and graphs with several outputs.

Every check runs the same code on tensorkit and torch and compares what it sees.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorkit


def both(code, torch):
    """``code`` run with each library: (tensorkit's result, torch's result)."""
    return code(tensorkit), code(torch)


def values(t) -> list:
    return t.detach().tolist()


# ------------------------------------------------------------------ views share memory

# (make a view of `base`, write into the view): after the write, base must show it
VIEW_WRITES = {
    "view": lambda b: b.view(3, 4),
    "view_minus_one": lambda b: b.view(-1),
    "reshape_contiguous": lambda b: b.reshape(2, 6),
    "flatten": lambda b: b.flatten(),
    "unflatten": lambda b: b.unflatten(1, (2, 2)),
    "transpose": lambda b: b.transpose(0, 1),
    "t": lambda b: b.t(),
    "T": lambda b: b.T,
    "mT": lambda b: b.mT,
    "permute": lambda b: b.permute(1, 0),
    "movedim": lambda b: b.movedim(0, 1),
    "unsqueeze": lambda b: b.unsqueeze(1),
    "squeeze": lambda b: b.unsqueeze(0).squeeze(0),
    "select": lambda b: b.select(1, 2),
    "narrow": lambda b: b.narrow(1, 1, 2),
    "diagonal": lambda b: b.diagonal(1),
    "unfold": lambda b: b.unfold(1, 2, 2),
    "split_piece": lambda b: b.split(2, 1)[1],
    "chunk_piece": lambda b: b.chunk(2)[1],
    "unbind_piece": lambda b: b.unbind(1)[3],
    "tensor_split_piece": lambda b: b.tensor_split([1], dim=0)[1],
    "view_of_view": lambda b: b.t().unsqueeze(0)[0].t(),
    "split_with_sizes_piece": lambda b: b.split_with_sizes([1, 2])[1],
}


@pytest.mark.parametrize("name", list(VIEW_WRITES))
def test_write_through_a_view_changes_the_base(name, torch):
    make = VIEW_WRITES[name]

    def code(lib):
        base = lib.arange(12.0).view(3, 4)
        view = make(base)
        view.mul_(-1)           # written through the view...
        base.add_(100)          # ...and the view sees writes to the base
        return base, view

    (ours, our_view), (theirs, their_view) = both(code, torch)
    assert values(ours) == values(theirs)
    assert values(our_view) == values(their_view)
    assert our_view._base is not None and our_view.data_ptr() >= ours.data_ptr()


COPIES = {
    "reshape_copy": lambda lib, b: b.t().reshape(-1),
    "flip": lambda lib, b: b.flip(0),
    "repeat": lambda lib, b: b.repeat(1, 1),
    "cat": lambda lib, b: lib.cat([b, b]),
    "stack": lambda lib, b: lib.stack([b, b]),
    "diag": lambda lib, b: lib.diag(b),
    "contiguous_copy": lambda lib, b: b.t().contiguous(),
    "roll": lambda lib, b: b.roll(1),
    "ravel_copy": lambda lib, b: b.t().ravel(),
    "clone": lambda lib, b: b.clone(),
}


@pytest.mark.parametrize("name", list(COPIES))
def test_copies_do_not_share_memory(name, torch):
    def code(lib):
        base = lib.arange(12.0).view(3, 4)
        COPIES[name](lib, base).mul_(0)
        return base

    ours, theirs = both(code, torch)
    assert values(ours) == values(theirs) == np.arange(12.0).reshape(3, 4).tolist()


INPLACE_VIEWS = {
    "diagonal": lambda b: b.diagonal(1),
    "narrow": lambda b: b.narrow(1, 1, 2),
    "movedim": lambda b: b.movedim(0, 1),
    "unflatten": lambda b: b.unflatten(1, (2, 2)),
    "view": lambda b: b.view(-1),
    "squeeze": lambda b: b.unsqueeze(0).squeeze(0),
    "select_of_t": lambda b: b.t()[1],
    "unfold": lambda b: b.unfold(1, 2, 2),
    "tensor_split": lambda b: b.tensor_split(2, dim=1)[1],
}


@pytest.mark.parametrize("name", list(INPLACE_VIEWS))
def test_gradient_after_writing_through_a_view(name, torch):
    """The base's graph learns about the write: its gradient matches torch's."""
    def code(lib):
        x = lib.arange(12.0, requires_grad=True)
        base = (x * 1).view(3, 4)
        view = INPLACE_VIEWS[name](base)
        view.mul_(view.detach() + 2)
        (base ** 2).sum().backward()
        return x.grad

    ours, theirs = both(code, torch)
    assert values(ours) == values(theirs)


@pytest.mark.xfail(reason="core bug: ops/inplace.py lets an output of a multi-view op (split, "
                          "chunk, unbind) be modified in place while it needs a gradient; torch "
                          "refuses, since the other outputs' gradients would be wrong", strict=True)
@pytest.mark.parametrize("piece", [lambda b: b.split(2, 1)[1], lambda b: b.unbind(1)[0],
                                   lambda b: b.chunk(2)[0]], ids=["split", "unbind", "chunk"])
def test_writing_into_one_of_several_views_is_refused(piece):
    x = tensorkit.arange(12.0, requires_grad=True)
    view = piece((x * 1).view(3, 4))
    with pytest.raises(RuntimeError, match="returns multiple views"):
        view.mul_(2)


def test_writing_into_split_pieces_without_grad_is_fine(torch):
    def code(lib):
        base = lib.arange(6.0)
        a, b = base.split(3)
        b.mul_(-1)
        return base

    ours, theirs = both(code, torch)
    assert values(ours) == values(theirs)


def test_view_keeps_its_base_and_version_counter():
    base = tensorkit.zeros(2, 3)
    view = base.t()[1]
    assert view._base is base
    before = base._version
    view.add_(1)
    assert base._version == before + 1 and view._version == base._version
    assert base.tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]


def test_unsafe_view_copy_is_not_a_view(torch):
    ours, theirs = both(lambda lib: lib.ones(2, 3, requires_grad=True).t().reshape(6), torch)
    assert ours.grad_fn.name() == theirs.grad_fn.name() == "UnsafeViewBackward0"
    assert ours._base is None and theirs._base is None


def test_view_dtype_reinterprets_bits(torch):
    for code in (lambda lib: lib.ones(2).view(lib.int32),
                 lambda lib: lib.arange(6.0).view(lib.float64),
                 lambda lib: lib.tensor([-1.0, 2.0]).view(lib.int32).view(lib.float32),
                 lambda lib: lib.arange(4, dtype=lib.int64).view(lib.float64)):
        ours, theirs = both(code, torch)
        assert np.array_equal(ours.numpy(), theirs.numpy()) and ours.shape == theirs.shape
    x = tensorkit.zeros(2)
    x.view(tensorkit.int32)[0] = 1065353216  # the bits of 1.0f
    assert x.tolist() == [1.0, 0.0]


# ------------------------------------------------------------ contiguity, strides, offsets

LAYOUTS = [
    lambda lib: lib.ones(2, 3),
    lambda lib: lib.ones(2, 3).t(),
    lambda lib: lib.ones(2, 3).t().contiguous(),
    lambda lib: lib.ones(2, 3)[:, :1],
    lambda lib: lib.ones(2, 3)[:, 1],
    lambda lib: lib.ones(2, 3)[1],
    lambda lib: lib.ones(2, 1).expand(2, 3),
    lambda lib: lib.ones(1, 3).expand(2, 3),
    lambda lib: lib.ones(3, 1).t(),
    lambda lib: lib.ones(1, 3)[:, ::2],
    lambda lib: lib.ones(0, 3).t(),
    lambda lib: lib.ones(2, 1, 3).permute(1, 0, 2),
    lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1),
    lambda lib: lib.ones(4, 6)[::2, 1:],
    lambda lib: lib.ones(3, 4).narrow(1, 1, 2),
    lambda lib: lib.ones(3, 4).diagonal(),
    lambda lib: lib.ones(7).unfold(0, 3, 2),
    lambda lib: lib.ones(6, 2).split(4)[1],
    lambda lib: lib.ones(3, 4).unbind(1)[2],
    lambda lib: lib.ones(2, 3).unsqueeze(1),
    lambda lib: lib.ones(4, 6).t().view(2, 3, 4),
    lambda lib: lib.ones(2, 3, 4).mT,
    lambda lib: lib.tensor(1.0),
    lambda lib: lib.ones(2, 3).t().reshape(6),
    lambda lib: lib.ones(2, 3).movedim(0, 1),
    lambda lib: lib.ones(2, 12).unflatten(1, (3, 4)),
    lambda lib: lib.ones(2, 3).t().clone(),              # clone keeps a dense layout...
    lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1).clone(),
    lambda lib: lib.ones(4, 6)[:, ::2].clone(),          # ...and compacts a strided one
    lambda lib: lib.ones(2, 1).expand(2, 3).clone(),
    lambda lib: lib.ones(2, 3).t().double(),
]


@pytest.mark.parametrize("make", LAYOUTS, ids=range(len(LAYOUTS)))
def test_layout_matches_torch(make, torch):
    ours, theirs = both(make, torch)
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert tuple(ours.shape) == tuple(theirs.shape)
    if ours.numel() > 1 and all(s > 1 for s in ours.shape):  # strides of length-1 dims vary
        assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()


# ------------------------------------------------------------------ Size and size()

def test_size_repr_and_behaviour(torch):
    s = tensorkit.Size([2, 3])
    assert repr(s) == "tensorkit.Size([2, 3])" == str(s)
    assert repr(torch.Size([2, 3])) == "torch.Size([2, 3])"
    assert repr(tensorkit.Size([])) == "tensorkit.Size([])"
    assert repr(tensorkit.ones(2, 1, 3).shape) == "tensorkit.Size([2, 1, 3])"
    assert s == (2, 3) and s == torch.Size([2, 3]) and isinstance(s, tuple)
    assert isinstance(s[1:], tensorkit.Size) and s[1:] == (3,) and s[0] == 2
    assert isinstance(s + (4,), tensorkit.Size) and s + (4,) == (2, 3, 4)
    assert s.numel() == torch.Size([2, 3]).numel() == 6
    assert tensorkit.Size([]).numel() == 1
    assert tensorkit.ones(*s).shape == s


def test_size_of_a_dim(torch):
    for lib in (tensorkit, torch):
        x = lib.ones(2, 3, 4)
        assert x.size(-1) == 4 and x.size(-3) == 2 and x.size(1) == 3 and x.shape[-2] == 3
        assert isinstance(x.size(), tuple) and x.size() == (2, 3, 4)
        assert lib.tensor(1.0).size() == () and lib.tensor(1.0).dim() == 0
        with pytest.raises(IndexError, match="Dimension out of range"):
            x.size(3)
        with pytest.raises(IndexError, match="Dimension out of range"):
            x.size(-4)


# ------------------------------------------------------------------ errors

ERRORS = [
    # (id, code, exception type, words the message must contain)
    ("view_non_contiguous", lambda lib: lib.ones(2, 3).t().view(6), RuntimeError,
     ["view size is not compatible", ".reshape(...)"]),
    ("view_bad_size", lambda lib: lib.ones(2, 3).view(4, 2), RuntimeError,
     ["shape '[4, 2]' is invalid for input of size 6"]),
    ("view_dtype_size", lambda lib: lib.ones(3).view(lib.float64), RuntimeError,
     ["divisible by 2"]),
    ("view_dtype_stride", lambda lib: lib.ones(2, 3).t().view(lib.float64), RuntimeError,
     ["stride(-1) must be 1"]),
    ("reshape_two_minus_ones", lambda lib: lib.ones(6).reshape(-1, -1), RuntimeError,
     ["only one dimension can be inferred"]),
    ("flatten_order", lambda lib: lib.ones(2, 3, 4).flatten(2, 1), RuntimeError,
     ["start_dim cannot come after end_dim"]),
    ("unflatten_sizes", lambda lib: lib.ones(2, 12).unflatten(1, (5, 3)), RuntimeError,
     ["don't multiply up to the size of dim 1 (12)"]),
    ("unflatten_empty", lambda lib: lib.ones(2, 12).unflatten(1, ()), RuntimeError,
     ["sizes must be non-empty"]),
    ("transpose_dim", lambda lib: lib.ones(2, 3).transpose(0, 2), IndexError,
     ["Dimension out of range"]),
    ("t_3d", lambda lib: lib.ones(2, 3, 4).t(), RuntimeError, ["<= 2 dimensions"]),
    ("mT_1d", lambda lib: lib.ones(3).mT, RuntimeError, ["matrices"]),
    ("permute_length", lambda lib: lib.ones(2, 3).permute(0), RuntimeError,
     ["number of dimensions"]),
    ("permute_repeat", lambda lib: lib.ones(2, 3).permute(0, 0), RuntimeError,
     ["duplicate dims"]),
    ("movedim_repeat", lambda lib: lib.ones(2, 3, 4).movedim((0, 1), (1, 1)), RuntimeError,
     ["repeated dim in `destination`"]),
    ("movedim_lengths", lambda lib: lib.ones(2, 3, 4).movedim((0, 1), (1,)), RuntimeError,
     ["same number of dims"]),
    ("squeeze_dim", lambda lib: lib.ones(2, 1).squeeze(2), IndexError,
     ["Dimension out of range"]),
    ("expand_size", lambda lib: lib.ones(2, 3).expand(2, 4), RuntimeError,
     ["expanded size of the tensor (4) must match the existing size (3)"]),
    ("expand_fewer", lambda lib: lib.ones(2, 3).expand(3), RuntimeError,
     ["must be greater or equal to the number of dimensions"]),
    ("select_index", lambda lib: lib.ones(2, 3).select(1, 3), IndexError,
     ["index 3 is out of bounds for dimension 1 with size 3"]),
    ("select_0d", lambda lib: lib.tensor(1.0).select(0, 0), IndexError, ["0-dim"]),
    ("narrow_length", lambda lib: lib.arange(10).narrow(0, 8, 3), RuntimeError,
     ["start (8) + length (3) exceeds dimension size (10)"]),
    ("narrow_start", lambda lib: lib.arange(10).narrow(0, 11, 0), IndexError,
     ["start out of range"]),
    ("narrow_negative", lambda lib: lib.arange(10).narrow(0, 2, -1), RuntimeError,
     ["length must be non-negative"]),
    ("split_zero", lambda lib: lib.ones(5).split(0), RuntimeError,
     ["split_size can only be 0 if dimension size is 0"]),
    ("split_negative", lambda lib: lib.ones(5).split(-1), RuntimeError,
     ["non-negative"]),
    ("split_sizes_sum", lambda lib: lib.ones(5).split([2, 2]), RuntimeError,
     ["split_sizes to sum exactly to 5"]),
    ("split_0d", lambda lib: lib.tensor(1.0).split(1), RuntimeError,
     ["at least a 1-dimensional tensor"]),
    ("chunk_zero", lambda lib: lib.ones(5).chunk(0), RuntimeError,
     ["greater than 0"]),
    ("tensor_split_zero", lambda lib: lib.ones(5).tensor_split(0), RuntimeError,
     ["larger than 0"]),
    ("unbind_0d", lambda lib: lib.tensor(1.0).unbind(), IndexError,
     ["no dimensions"]),
    ("unfold_size", lambda lib: lib.ones(3, 4).unfold(1, 5, 1), RuntimeError,
     ["maximum size for tensor at dimension 1 is 4 but size is 5"]),
    ("unfold_step", lambda lib: lib.ones(3, 4).unfold(1, 2, 0), RuntimeError,
     ["step is 0 but must be > 0"]),
    ("stack_sizes", lambda lib: lib.stack([lib.ones(2), lib.ones(3)]), RuntimeError,
     ["stack expects each tensor to be equal size", "[2] at entry 0 and [3] at entry 1"]),
    ("stack_empty", lambda lib: lib.stack([]), RuntimeError, ["non-empty"]),
    ("stack_tensor", lambda lib: lib.stack(lib.ones(2, 2)), TypeError, ["tuple of Tensors"]),
    ("stack_dim", lambda lib: lib.stack([lib.ones(2)], dim=2), IndexError,
     ["Dimension out of range"]),
    ("cat_sizes", lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), RuntimeError,
     ["Sizes of tensors must match except in dimension 0", "tensor number 1"]),
    ("cat_dims", lambda lib: lib.cat([lib.ones(2), lib.ones(2, 2)]), RuntimeError,
     ["same number of dimensions"]),
    ("cat_0d", lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]), RuntimeError,
     ["zero-dimensional tensor"]),
    ("cat_empty", lambda lib: lib.cat([]), ValueError, ["non-empty"]),
    ("roll_shifts", lambda lib: lib.ones(2, 5).roll((1, 2)), RuntimeError,
     ["shifts and dimensions must align"]),
    ("repeat_fewer", lambda lib: lib.ones(2, 3).repeat(2), RuntimeError,
     ["can not be smaller than number of dimensions"]),
    ("diag_3d", lambda lib: lib.ones(2, 2, 2).diag(), RuntimeError, ["1D or 2D"]),
    ("diagonal_same_dims", lambda lib: lib.ones(3, 3).diagonal(0, 1, 1), RuntimeError,
     ["cannot be identical"]),
    ("diagonal_scatter_size", lambda lib: lib.diagonal_scatter(lib.zeros(3, 4), lib.ones(2)),
     RuntimeError, ["slice size"]),
    ("meshgrid_indexing", lambda lib: lib.meshgrid(lib.ones(2), indexing="yx"), RuntimeError,
     ['"xy" or "ij"']),
    ("meshgrid_dtype", lambda lib: lib.meshgrid(lib.arange(3), lib.ones(2), indexing="ij"),
     RuntimeError, ["same dtype"]),
    ("meshgrid_2d", lambda lib: lib.meshgrid(lib.ones(2, 2), indexing="ij"), RuntimeError,
     ["0D or 1D"]),
    ("broadcast_tensors", lambda lib: lib.broadcast_tensors(lib.ones(2, 1), lib.ones(3, 2)),
     RuntimeError, ["size of tensor a (2) must match the size of tensor b (3)"]),
    ("broadcast_shapes", lambda lib: lib.broadcast_shapes((2, 1), (3, 2)), RuntimeError, []),
    # products
    ("mm_shapes", lambda lib: lib.ones(2, 3) @ lib.ones(4, 5), RuntimeError,
     ["mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"]),
    ("mm_vector", lambda lib: lib.mm(lib.ones(2), lib.ones(2, 2)), RuntimeError,
     ["self must be a matrix"]),
    ("dot_2d", lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2, 2)), RuntimeError,
     ["1D tensors expected, but got 2D and 2D tensors"]),
    ("dot_sizes", lambda lib: lib.ones(3) @ lib.ones(4), RuntimeError,
     ["inconsistent tensor size", "[3]", "[4]"]),
    ("dot_dtype", lambda lib: lib.dot(lib.ones(2), lib.ones(2, dtype=lib.float64)),
     RuntimeError, ["same dtype", "Float and Double"]),
    ("mv_sizes", lambda lib: lib.ones(2, 3) @ lib.ones(4), RuntimeError,
     ["size mismatch", "mat (2x3)", "vec (4)"]),
    ("vector_matrix", lambda lib: lib.ones(3) @ lib.ones(4, 5), RuntimeError,
     ["(1x3 and 4x5)"]),
    ("matmul_0d", lambda lib: lib.tensor(1.0) @ lib.ones(3), RuntimeError,
     ["at least 1D", "0D and 1D"]),
    ("batch_matrix", lambda lib: lib.ones(2, 2, 3) @ lib.ones(4, 5), RuntimeError,
     ["(4x3 and 4x5)"]),
    ("batch_vector", lambda lib: lib.ones(2, 2, 3) @ lib.ones(4), RuntimeError,
     ["size mismatch"]),
    ("vector_batch", lambda lib: lib.ones(3) @ lib.ones(2, 4, 5), RuntimeError,
     ["Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]"]),
    ("batch_broadcast", lambda lib: lib.ones(2, 3, 4) @ lib.ones(3, 4, 5), RuntimeError,
     ["size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"]),
    ("matmul_dtype", lambda lib: lib.ones(1, 2, 2) @ lib.ones(1, 2, 2, dtype=lib.float64),
     RuntimeError, ["Float", "Double"]),
    ("matmul_bool", lambda lib: lib.ones(2, 2, dtype=lib.bool) @ lib.ones(2, 2, dtype=lib.bool),
     NotImplementedError, ["Bool"]),
    ("bmm_2d", lambda lib: lib.bmm(lib.ones(2, 2), lib.ones(1, 2, 2)), RuntimeError,
     ["batch1 must be a 3D tensor"]),
    ("bmm_sizes", lambda lib: lib.bmm(lib.ones(1, 2, 3), lib.ones(1, 2, 2)), RuntimeError,
     ["[1, 3] but got: [1, 2]"]),
    ("addmm_bias", lambda lib: lib.addmm(lib.ones(4, 5), lib.ones(3, 4), lib.ones(4, 5)),
     RuntimeError, ["expanded size of the tensor (3) must match the existing size (4)"]),
    ("addmv_bias", lambda lib: lib.addmv(lib.ones(2), lib.ones(3, 4), lib.ones(4)),
     RuntimeError, ["size mismatch, got input (2), mat (3x4), vec (4)"]),
    ("addbmm_batches", lambda lib: lib.addbmm(lib.ones(3, 5), lib.ones(2, 3, 4),
                                              lib.ones(3, 4, 5)), RuntimeError,
     ["same number of batches, got 2 and 3"]),
    ("addr_2d", lambda lib: lib.addr(lib.ones(2, 3), lib.ones(2, 1), lib.ones(3)), RuntimeError,
     ["Expected 1-D argument vec1"]),
    ("outer_2d", lambda lib: lib.outer(lib.ones(2, 3), lib.ones(4)), RuntimeError,
     ["Expected 1-D argument self"]),
    ("inner_sizes", lambda lib: lib.inner(lib.ones(2, 3), lib.ones(4, 2)), RuntimeError,
     ["last dimension must match"]),
    ("trace_3d", lambda lib: lib.trace(lib.ones(2, 2, 2)), RuntimeError,
     ["expected a matrix, but got tensor with dim 3"]),
    ("trace_bool", lambda lib: lib.trace(lib.ones(2, 2, dtype=lib.bool)), NotImplementedError,
     ["Bool"]),
    ("tensordot_sizes", lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 5), ([1], [0])),
     RuntimeError, ["contracted dimensions need to match", "size 3 in dim 1", "size 4 in dim 0"]),
    ("tensordot_lengths", lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 5),
                                                    ([1, 0], [0])), RuntimeError,
     ["same length"]),
    ("tensordot_negative", lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 5), -1),
     RuntimeError, ["dims >= 0"]),
    ("tensordot_dtype", lambda lib: lib.tensordot(lib.ones(2, 3),
                                                  lib.ones(3, 5, dtype=lib.float64), 1),
     RuntimeError, ["same dtype"]),
    ("cross_size", lambda lib: lib.cross(lib.ones(4, 3), lib.ones(4, 3), dim=0), RuntimeError,
     ["dimension 0 must have length 3"]),
    ("cross_dims", lambda lib: lib.cross(lib.ones(4, 3), lib.ones(3), dim=-1), RuntimeError,
     ["same number of dimensions"]),
    ("einsum_operands", lambda lib: lib.einsum("ij,jk", lib.ones(2, 3)), RuntimeError,
     ["fewer operands"]),
    ("einsum_more_operands", lambda lib: lib.einsum("ij", lib.ones(2, 3), lib.ones(2)),
     RuntimeError, ["more operands"]),
    ("einsum_subscript", lambda lib: lib.einsum("i1", lib.ones(2, 3)), RuntimeError,
     ["invalid subscript given at index 1"]),
    ("einsum_dims", lambda lib: lib.einsum("ij->ij", lib.ones(2, 3, 4)), RuntimeError,
     ["number of subscripts in the equation (2)", "number of dimensions (3)"]),
    ("einsum_output", lambda lib: lib.einsum("ij->iz", lib.ones(2, 3)), RuntimeError,
     ["output subscript z does not appear"]),
    ("einsum_output_twice", lambda lib: lib.einsum("ij->ii", lib.ones(2, 3)), RuntimeError,
     ["appears more than once in the output"]),
    ("einsum_repeated", lambda lib: lib.einsum("ii->i", lib.ones(2, 3)), RuntimeError,
     ["subscript i is repeated for operand 0", "3 != 2"]),
    ("einsum_broadcast", lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 3), lib.ones(4, 4)),
     RuntimeError, ["subscript j has size 4 for operand 1", "previously seen size 3"]),
    ("einsum_dtype", lambda lib: lib.einsum("ij,jk", lib.ones(2, 3),
                                            lib.ones(3, 4, dtype=lib.float64)),
     RuntimeError, ["Float", "Double"]),
    ("einsum_two_ellipses", lambda lib: lib.einsum("......i", lib.ones(2, 3)), RuntimeError,
     ["ellipsis"]),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_error_type_and_message(case):
    _, code, exc_type, words = case
    with pytest.raises(exc_type) as info:
        code(tensorkit)
    for w in words:
        assert w in str(info.value), f"{w!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_torch_raises_the_same_type(case, torch):
    _, code, exc_type, _ = case
    with pytest.raises(exc_type):
        code(torch)


# ------------------------------------------------------------------ warnings

@pytest.mark.parametrize("code", [
    lambda lib: lib.meshgrid(lib.ones(2), lib.ones(3)),
    lambda lib: lib.cross(lib.ones(2, 3), lib.ones(2, 3)),
    lambda lib: lib.ones(3).T,
    lambda lib: lib.tensor(1.0).T,
], ids=["meshgrid_without_indexing", "cross_without_dim", "T_of_vector", "T_of_scalar"])
def test_deprecation_warnings_like_torch(code, torch):
    for lib in (tensorkit, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code(lib)
        assert any(issubclass(w.category, UserWarning) for w in caught), lib.__name__
    with pytest.warns(UserWarning, match="indexing argument"):
        tensorkit.meshgrid(tensorkit.ones(2), tensorkit.ones(3))


def test_meshgrid_defaults_to_ij(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = both(lambda lib: lib.meshgrid(lib.arange(3), lib.arange(2)), torch)
    assert [values(t) for t in ours] == [values(t) for t in theirs]


# ------------------------------------------------------------------ grad_fn names

@pytest.mark.parametrize("shapes", [((3,), (3, 2)), ((2, 3), (3,)), ((1, 2, 3), (4, 3, 5)),
                                    ((4, 2, 3), (1, 3, 2)), ((2, 3), (4, 3, 2)),
                                    ((4, 2, 3), (3, 2)), ((2, 1, 2, 3), (3, 3, 1)),
                                    ((3,), (2, 3, 2)), ((1, 2, 3), (4, 3, 1))])
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)])
def test_matmul_graph_matches_torch(shapes, grads, torch):
    """matmul's outermost node depends on the case and on which operand needs a gradient."""
    def code(lib):
        a = lib.ones(*shapes[0], requires_grad=grads[0])
        b = lib.ones(*shapes[1], requires_grad=grads[1])
        return a @ b

    ours, theirs = both(code, torch)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert ours.is_contiguous() == theirs.is_contiguous() and ours.shape == theirs.shape


@pytest.mark.parametrize("code", [
    lambda lib: lib.stack([lib.ones(2, requires_grad=True), lib.ones(2)]),
    lambda lib: lib.ones(3, 2, requires_grad=True).unbind(1)[0],
    lambda lib: lib.ones(5, requires_grad=True).split(2)[2],
    lambda lib: lib.ones(5, requires_grad=True).split([2, 3])[0],
    lambda lib: lib.ones(5, requires_grad=True).chunk(2)[0],
    lambda lib: lib.ones(0, 2, requires_grad=True).chunk(3)[2],
    lambda lib: lib.ones(5, requires_grad=True).tensor_split(2)[1],
    lambda lib: lib.ones(2, 1, requires_grad=True).squeeze(),
    lambda lib: lib.ones(2, 1, requires_grad=True).squeeze(1),
    lambda lib: lib.ones(2, 1, requires_grad=True).squeeze((0, 1)),
    lambda lib: lib.ones(2, 3, requires_grad=True).roll(1),
    lambda lib: lib.ones(3, requires_grad=True).diag(),
    lambda lib: lib.ones(3, 3, requires_grad=True).diag(),
    lambda lib: lib.ones(2, 3, requires_grad=True).sum_to_size(3),
    lambda lib: lib.ones(2, 3, requires_grad=True).sum_to_size(1, 3),
    lambda lib: lib.kron(lib.ones(2, requires_grad=True), lib.ones(2)),
    lambda lib: lib.inner(lib.ones(3, requires_grad=True), lib.ones(3)),
    lambda lib: lib.tensordot(lib.ones(2, 3, requires_grad=True), lib.ones(3, 2), 1),
    lambda lib: lib.ones(3, requires_grad=True).T,
    lambda lib: lib.ones(2, 3, requires_grad=True).t().ravel(),
    lambda lib: lib.cat([lib.ones(2, requires_grad=True), lib.ones(0)]),
])
def test_grad_fn_names_match_torch(code, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = both(code, torch)
    assert ours.grad_fn.name() == theirs.grad_fn.name()


# ------------------------------------------------------------------ several outputs

def test_backward_through_some_pieces_of_a_split(torch):
    def code(lib):
        x = lib.arange(10.0, requires_grad=True)
        a, _, c = x.split([3, 3, 4])
        (a * 2).sum().add((c ** 2).sum()).backward()
        return x.grad

    ours, theirs = both(code, torch)
    assert values(ours) == values(theirs)


@pytest.mark.parametrize("pieces", [lambda x: x.split(2), lambda x: x.unbind(),
                                    lambda x: x.chunk(3)], ids=["split", "unbind", "chunk"])
def test_backward_from_several_outputs_of_one_node(pieces):
    torch = pytest.importorskip("torch")
    grads = {}
    for lib in (tensorkit, torch):
        x = lib.arange(6.0, requires_grad=True)
        outs = pieces(x)
        lib.autograd.backward(list(outs), [lib.ones(tuple(o.shape)) * (i + 1)
                                           for i, o in enumerate(outs)])
        grads[lib.__name__] = None if x.grad is None else values(x.grad)
    assert grads["tensorkit"] == grads["torch"]


def test_double_backward_through_stack_and_unbind(torch):
    def code(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.stack([x ** 3, x * 2]).unbind(1)[1].sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    (g, gg), (tg, tgg) = both(code, torch)
    assert values(g) == values(tg) and values(gg) == values(tgg)


# ------------------------------------------------------------------ resize_

def _resize_steps(lib, resize):
    x = lib.arange(6.0)
    shared = x.view(2, 3)
    out = []
    resize(x, (2, 2))                 # shrink: same storage, the first 4 elements
    out.append(values(x))
    x[0, 0] = 100.0                   # still the storage `shared` sees
    out.append(values(shared))
    resize(x, (6,))                   # grow back within the storage: old values return
    out.append(values(x))
    resize(x, (8,))                   # grow beyond: the first 6 elements are kept
    out.append(values(x[:6]))
    y = lib.arange(6.0).view(2, 3).t()
    resize(y, (3, 2))                 # same shape: nothing changes, not even the strides
    out.append((values(y), y.stride()))
    resize(y, (2, 3))                 # a new shape: row-major over the storage
    out.append((values(y), y.stride()))
    z = lib.arange(6.0)[2:]
    resize(z, (2,))
    out.append((values(z), z.storage_offset()))
    return out


def test_resize_semantics_match_torch(torch):
    from tensorkit.ops.shape import resize_

    theirs = _resize_steps(torch, lambda t, shape: t.resize_(shape))
    ours = _resize_steps(tensorkit, lambda t, shape: resize_(t, shape))
    assert ours == theirs


def test_resize_method_matches_torch(torch):
    theirs = _resize_steps(torch, lambda t, shape: t.resize_(shape))
    ours = _resize_steps(tensorkit, lambda t, shape: t.resize_(shape))
    assert ours == theirs


def test_resize_refuses_tensors_that_require_grad(torch):
    from tensorkit.ops.shape import resize_

    for resize in (resize_, torch.Tensor.resize_):
        lib = torch if resize is torch.Tensor.resize_ else tensorkit
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            resize(lib.ones(2, requires_grad=True), 3)


def test_resize_bumps_the_version_and_resize_as(torch):
    from tensorkit.ops.shape import resize_

    x = tensorkit.ones(3)
    before = x._version
    resize_(x, 2)
    assert x._version == before + 1
    assert tensorkit.ones(2, 3).resize_as_(tensorkit.ones(4)).shape == \
        torch.ones(2, 3).resize_as_(torch.ones(4)).shape


# ------------------------------------------------------------------ products

def test_kron_of_transposed_inputs_matches_numpy():
    """(torch's own kron refuses a transposed input: it views where it should reshape)."""
    a = np.arange(6.0).reshape(3, 2)
    b = np.arange(4.0).reshape(2, 2) - 1
    for x, y in ((a.T, b), (a, b.T), (a.T, b.T)):
        ours = tensorkit.kron(tensorkit.tensor(x).t().t(), tensorkit.tensor(y))
        ours_t = tensorkit.kron(tensorkit.tensor(x.T.copy()).t(), tensorkit.tensor(y))
        np.testing.assert_array_equal(ours.numpy(), np.kron(x, y))
        np.testing.assert_array_equal(ours_t.numpy(), np.kron(x, y))


def test_einsum_forms_agree():
    a = tensorkit.arange(6.0).view(2, 3)
    b = tensorkit.arange(12.0).view(3, 4)
    expected = (a @ b).tolist()
    assert tensorkit.einsum("ij,jk->ik", a, b).tolist() == expected
    assert tensorkit.einsum("ij,jk", [a, b]).tolist() == expected
    assert tensorkit.einsum(a, [0, 1], b, [1, 2], [0, 2]).tolist() == expected
    assert tensorkit.einsum(" i j , j k -> i k ", a, b).tolist() == expected


def test_matmul_folds_a_batch_into_one_mm():
    """A batch of inputs times a weight matrix is a single mm (torch's 'fold')."""
    x = tensorkit.ones(4, 5, 3)
    w = tensorkit.ones(3, 2, requires_grad=True)
    y = x @ w
    assert y.grad_fn.name() == "UnsafeViewBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "MmBackward0"
    y.sum().backward()
    assert w.grad.tolist() == [[20.0, 20.0]] * 3
