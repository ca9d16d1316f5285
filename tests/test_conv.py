"""Convolution and pooling beyond the op table: errors, indices, dtypes, a whole CNN.

The op table (tests/op_db/conv.py) checks values and gradients against torch for many
configurations; here: the exception types and messages, the indices of max pooling
(ties, NaN), float32 staying float32 through backward and double backward, gradchecks
on samples too large for the table, random geometries against torch, and the seed
CNN's layers chained together.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_db import conv as conv_db
from test_ops import make_args

import tensorkit
from tensorkit.ops import convolution as conv_module


def F(lib):
    """torch keeps some of these in torch.nn.functional only."""
    return conv_db.functional(lib)


def _x(lib, *shape, dtype="float32"):
    return lib.ones(*shape, dtype=getattr(lib, dtype))


ERRORS = [
    # (id, code run with lib, exception type, words the message must contain)
    ("conv2d_dims", lambda lib: lib.conv2d(_x(lib, 3, 4), _x(lib, 2, 1, 1, 1)), RuntimeError,
     ["Expected 3D (unbatched) or 4D (batched) input to conv2d", "[3, 4]"]),
    ("conv1d_dims", lambda lib: lib.conv1d(_x(lib, 3), _x(lib, 2, 3, 1)), RuntimeError,
     ["Expected 2D (unbatched) or 3D (batched) input to conv1d", "[3]"]),
    ("conv2d_weight_dims", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 10, 1, 5)),
     RuntimeError, ["conv2d expects a 4-D weight", "[10, 1, 5]"]),
    ("conv2d_channels", lambda lib: lib.conv2d(_x(lib, 64, 3, 28, 28), _x(lib, 10, 1, 5, 5)),
     RuntimeError, ["Given groups=1, weight of size [10, 1, 5, 5], expected input[64, 3, 28, "
                    "28] to have 1 channels, but got 3 channels instead"]),
    ("conv2d_channels_unbatched", lambda lib: lib.conv2d(_x(lib, 3, 8, 8), _x(lib, 4, 1, 3, 3)),
     RuntimeError, ["expected input[1, 3, 8, 8] to have 1 channels"]),
    ("conv2d_group_channels", lambda lib: lib.conv2d(_x(lib, 1, 3, 8, 8), _x(lib, 4, 1, 3, 3),
                                                     groups=2),
     RuntimeError, ["Given groups=2", "to have 2 channels, but got 3 channels"]),
    ("conv2d_groups_weight", lambda lib: lib.conv2d(_x(lib, 1, 4, 8, 8), _x(lib, 3, 2, 3, 3),
                                                    groups=2),
     RuntimeError, ["Given groups=2, expected weight to be divisible by 2 at dimension 0"]),
    ("conv2d_kernel_too_big", lambda lib: lib.conv2d(_x(lib, 1, 1, 4, 4), _x(lib, 1, 1, 5, 5)),
     RuntimeError, ["Calculated padded input size per channel: (4 x 4)", "Kernel size: (5 x 5)",
                    "Kernel size can't be greater than actual input size"]),
    ("conv2d_kernel_too_big_dilated", lambda lib: lib.conv2d(_x(lib, 1, 1, 4, 4),
                                                             _x(lib, 1, 1, 3, 3), dilation=2),
     RuntimeError, ["Kernel size: (5 x 5)"]),
    ("conv2d_bias_size", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 10, 1, 5, 5),
                                                _x(lib, 3)),
     RuntimeError, ["expected bias to be 1-dimensional with 10 elements",
                    "bias of size [3]"]),
    ("conv2d_same_strided", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                   stride=2, padding="same"),
     RuntimeError, ["padding='same' is not supported for strided convolutions"]),
    ("conv2d_padding_string", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                     padding="full"),
     RuntimeError, ["Invalid padding string: 'full'"]),
    ("conv2d_negative_padding", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8),
                                                       _x(lib, 1, 1, 3, 3), padding=-1),
     RuntimeError, ["negative padding is not supported"]),
    ("conv2d_zero_stride", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                  stride=0),
     RuntimeError, ["non-positive stride is not supported"]),
    ("conv2d_zero_dilation", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                    dilation=0),
     RuntimeError, ["non-positive dilation is not supported"]),
    ("conv2d_zero_groups", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                  groups=0),
     RuntimeError, ["non-positive groups is not supported"]),
    ("conv2d_stride_length", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                    stride=(1, 1, 1)),
     RuntimeError, ["expected stride to be a single integer value or a list of 2 values",
                    "stride=[1, 1, 1]"]),
    ("conv2d_dtypes", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8, dtype="float64"),
                                             _x(lib, 1, 1, 3, 3)),
     RuntimeError, ["expected scalar type Float but found Double"]),
    ("conv2d_bias_dtype", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8), _x(lib, 1, 1, 3, 3),
                                                 _x(lib, 1, dtype="float64")),
     RuntimeError, ["Input type (float) and bias type (double) should be the same"]),
    ("conv2d_bool", lambda lib: lib.conv2d(_x(lib, 1, 1, 8, 8, dtype="bool"),
                                           _x(lib, 1, 1, 3, 3, dtype="bool")),
     NotImplementedError, ["not implemented for 'Bool'"]),
    ("conv_transpose2d_channels", lambda lib: lib.conv_transpose2d(_x(lib, 1, 3, 8, 8),
                                                                   _x(lib, 4, 2, 3, 3)),
     RuntimeError, ["Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 8, "
                    "8] to have 4 channels, but got 3 channels instead"]),
    ("conv_transpose2d_output_padding", lambda lib: lib.conv_transpose2d(
        _x(lib, 1, 3, 8, 8), _x(lib, 3, 2, 3, 3), output_padding=1),
     RuntimeError, ["output padding must be smaller than either stride or dilation"]),
    ("conv_transpose2d_same", lambda lib: lib.conv_transpose2d(
        _x(lib, 1, 3, 8, 8), _x(lib, 3, 2, 3, 3), padding="same"),
     TypeError, ["argument 'padding' must be tuple of ints, not str"]),
    ("conv_transpose2d_too_small", lambda lib: lib.conv_transpose2d(
        _x(lib, 1, 3, 1, 1), _x(lib, 3, 2, 1, 1), padding=2),
     RuntimeError, ["Given input size per channel: (1 x 1)",
                    "Calculated output size per channel: (-3 x -3)", "Output size is too small"]),
    ("max_pool2d_padding", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 8, 8), 3, padding=2),
     RuntimeError, ["pad should be", "half of kernel size"]),
    ("max_pool2d_too_small", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 2, 2), 3), RuntimeError,
     ["Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small"]),
    ("max_pool2d_dims", lambda lib: lib.max_pool2d(_x(lib, 8, 8), 2), RuntimeError,
     ["3D or 4D (batch mode) tensor"]),
    ("max_pool2d_empty_channels", lambda lib: lib.max_pool2d(_x(lib, 1, 0, 8, 8), 2),
     RuntimeError, ["3D or 4D (batch mode) tensor with optional 0 dim batch size"]),
    ("max_pool2d_zero_stride", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 8, 8), 2, 0),
     RuntimeError, ["stride should not be zero"]),
    ("max_pool2d_zero_dilation", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 8, 8), 2, dilation=0),
     RuntimeError, ["dilation should be greater than zero"]),
    ("max_pool2d_kernel_length", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 8, 8), (2, 2, 2)),
     RuntimeError, ["max_pool2d: kernel_size must either be a single int, or a tuple of two "
                    "ints"]),
    ("max_pool2d_bool", lambda lib: lib.max_pool2d(_x(lib, 1, 1, 4, 4, dtype="bool"), 2),
     NotImplementedError, ["\"max_pool2d\" not implemented for 'Bool'"]),
    ("max_pool1d_dims", lambda lib: lib.max_pool1d(_x(lib, 8), 2), RuntimeError,
     ["max_pool1d: Expected 2D or 3D (batch mode) tensor", "[8]"]),
    ("max_pool1d_padding", lambda lib: lib.max_pool1d(_x(lib, 1, 1, 8), 3, padding=2),
     RuntimeError, ["max_pool1d() padding should be at most half of kernel size"]),
    ("max_pool1d_kernel_length", lambda lib: lib.max_pool1d(_x(lib, 1, 1, 8), (2, 2)),
     RuntimeError, ["max_pool1d() kernel_size must be an int, list of ints or tuple of ints of "
                    "size 1 but got size 2"]),
    ("avg_pool2d_padding", lambda lib: F(lib).avg_pool2d(_x(lib, 1, 1, 8, 8), 3, padding=2),
     RuntimeError, ["pad should be", "half of kernel size"]),
    ("avg_pool2d_too_small", lambda lib: F(lib).avg_pool2d(_x(lib, 1, 1, 2, 2), 3),
     RuntimeError, ["Calculated output size: (1x0x0). Output size is too small"]),
    ("avg_pool2d_divisor", lambda lib: F(lib).avg_pool2d(_x(lib, 1, 1, 8, 8), 2,
                                                         divisor_override=0),
     RuntimeError, ["divisor must be not zero"]),
    ("adaptive_avg_pool2d_dims", lambda lib: F(lib).adaptive_avg_pool2d(_x(lib, 8, 8), 2),
     RuntimeError, ["adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [8, 8]"]),
    ("adaptive_avg_pool2d_size", lambda lib: F(lib).adaptive_avg_pool2d(_x(lib, 1, 1, 8, 8),
                                                                        (2, 2, 2)),
     RuntimeError, ["adaptive_avg_pool2d: output_size must be 2"]),
    ("adaptive_avg_pool2d_negative", lambda lib: F(lib).adaptive_avg_pool2d(
        _x(lib, 1, 1, 8, 8), -1),
     RuntimeError, ["elements of output_size must be greater than or equal to 0"]),
    ("adaptive_avg_pool2d_empty", lambda lib: F(lib).adaptive_avg_pool2d(_x(lib, 1, 1, 0, 8), 2),
     RuntimeError, ["non-zero size for non-batch dimensions", "dimension 2 being empty"]),
    ("adaptive_avg_pool2d_int", lambda lib: F(lib).adaptive_avg_pool2d(
        _x(lib, 1, 1, 8, 8, dtype="int64"), 2),
     NotImplementedError, ["\"adaptive_avg_pool2d\" not implemented for 'Long'"]),
    ("adaptive_max_pool2d_dims", lambda lib: F(lib).adaptive_max_pool2d(_x(lib, 8, 8), 2),
     RuntimeError, ["adaptive_max_pool2d(): Expected 3D or 4D tensor", "[8, 8]"]),
    ("max_unpool2d_output_size", lambda lib: F(lib).max_unpool2d(
        *F(lib).max_pool2d(_x(lib, 1, 1, 8, 8), 2, return_indices=True), 2,
        output_size=(12, 12)),
     ValueError, ["invalid output_size", "(dim 0 must be between 6 and 10)"]),
    ("max_unpool2d_index", lambda lib: F(lib).max_unpool2d(
        _x(lib, 1, 1, 2, 2), lib.full((1, 1, 2, 2), 70), 2),
     RuntimeError, ["Found an invalid max index: 70", "4x4"]),
]


@pytest.mark.parametrize("code,exc_type,words", [pytest.param(c, e, w, id=i)
                                                 for i, c, e, w in ERRORS])
def test_error_matches_torch(code, exc_type, words, torch):
    with pytest.raises(exc_type) as info:
        code(tensorkit)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc_type):
            code(torch)


# ------------------------------------------------------------------ indices of max

def _pool_with_indices(lib, x, name, *args, **kwargs):
    return getattr(F(lib), name)(lib.from_numpy(x.copy()), *args, return_indices=True, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("max_pool2d", (2,), {}),
    ("max_pool2d", (3, 1, 1), {}),
    ("max_pool2d", (3, 2, 1), {"ceil_mode": True}),
    ("max_pool2d", ((2, 3), (1, 2), (1, 1)), {"dilation": (2, 1)}),
    ("adaptive_max_pool2d", ((3, 4),), {}),
    ("adaptive_max_pool2d", ((7, 9),), {}),
])
@pytest.mark.parametrize("values", ["random", "ties", "nan"])
def test_max_pool_indices_match_torch(name, args, kwargs, values, torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 7)).astype(np.float32)
    if values == "ties":
        x = np.round(x)
    elif values == "nan":
        x[rng.random(x.shape) < 0.2] = np.nan
    v_ours, i_ours = _pool_with_indices(tensorkit, x, name, *args, **kwargs)
    v_torch, i_torch = _pool_with_indices(torch, x, name, *args, **kwargs)
    assert i_ours.dtype == tensorkit.int64
    np.testing.assert_array_equal(i_ours.numpy(), i_torch.numpy())
    np.testing.assert_array_equal(v_ours.numpy(), v_torch.numpy())


def test_unpool_inverts_pool_on_maxima(torch):
    x = np.random.default_rng(1).uniform(0.1, 1, (2, 3, 8, 8)).astype(np.float32)  # > 0
    for lib in (tensorkit, torch):
        values, indices = F(lib).max_pool2d(lib.from_numpy(x.copy()), 2, return_indices=True)
        restored = F(lib).max_unpool2d(values, indices, 2)
        again = F(lib).max_pool2d(restored, 2)
        np.testing.assert_array_equal(again.numpy(), values.numpy())
        assert int((restored != 0).sum()) == values.numel()


def test_pool_output_is_not_a_view_of_the_input():
    x = tensorkit.arange(16.).reshape(1, 1, 4, 4)
    y = tensorkit.max_pool2d(x, 1)
    y.add_(100)
    assert float(x.sum()) == 120.0


# ------------------------------------------------------------------------- dtypes

DTYPE_CASES = [
    # (name, fn(lib, x, w), whether it uses the weight)
    ("conv2d", lambda lib, x, w: lib.conv2d(x, w, None, 2, 1), True),
    ("conv2d_groups", lambda lib, x, w: lib.conv2d(x, w[:, :1], None, 1, "same", 1, 2), True),
    ("conv_transpose2d", lambda lib, x, w: lib.conv_transpose2d(x, w.transpose(0, 1), None, 2,
                                                                1, 1), True),
    ("max_pool2d", lambda lib, x, w: lib.max_pool2d(x, 2, 1), False),
    ("avg_pool2d", lambda lib, x, w: F(lib).avg_pool2d(x, 3, 2, 1, ceil_mode=True), False),
    ("adaptive_avg_pool2d", lambda lib, x, w: F(lib).adaptive_avg_pool2d(x, (2, 3)), False),
    ("adaptive_max_pool2d", lambda lib, x, w: F(lib).adaptive_max_pool2d(x, (4, 3)), False),
]


@pytest.mark.parametrize("name,fn,uses_weight", DTYPE_CASES)
def test_float32_stays_float32(name, fn, uses_weight):
    """Forward, backward and double backward all stay float32 (no NumPy upcasts)."""
    rng = np.random.default_rng(0)
    x = tensorkit.from_numpy(rng.standard_normal((2, 2, 7, 6)).astype(np.float32))
    w = tensorkit.from_numpy(rng.standard_normal((4, 2, 3, 3)).astype(np.float32))
    inputs = [x.requires_grad_(True)] + ([w.requires_grad_(True)] if uses_weight else [])
    y = fn(tensorkit, x, w)
    assert y.dtype == tensorkit.float32
    grads = tensorkit.autograd.grad((y * y).sum(), inputs, create_graph=True)
    assert [g.dtype for g in grads] == [tensorkit.float32] * len(inputs)
    second = tensorkit.autograd.grad(sum((g * g).sum() for g in grads), inputs)
    assert [g.dtype for g in second] == [tensorkit.float32] * len(inputs)


# --------------------------------------------------------------------- gradchecks

def _medium_cases(max_numel: int, gradgrad: bool):
    cases = []
    for op in conv_db.OPS:
        if gradgrad and not op.gradgrad:
            continue
        rng = np.random.default_rng(7)
        for i, sample in enumerate(op.samples(rng, "float64")):
            numel = sum(a.size for a in sample.args if isinstance(a, np.ndarray))
            small = 12 if gradgrad else 40  # test_ops.py already checks these
            ties = repr(sample).startswith("ties")  # not differentiable at ties
            if small < numel <= max_numel and not ties:
                cases.append(pytest.param(op, sample, id=f"{op.name}-{i}"))
    return cases


@pytest.mark.parametrize("op,sample", _medium_cases(200, gradgrad=False))
def test_gradcheck_medium(op, sample):
    args = make_args(tensorkit, sample, True)
    assert tensorkit.autograd.gradcheck(lambda *xs: op.fn(tensorkit, *xs, **sample.kwargs),
                                        tuple(args))


def _float_outputs(op, sample):
    """The op with only its floating-point outputs (gradgradcheck can't skip indices)."""
    def fn(*xs):
        outs = op.fn(tensorkit, *xs, **sample.kwargs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        return tuple(o for o in outs if o.dtype.is_floating_point)
    return fn


@pytest.mark.parametrize("op,sample", _medium_cases(60, gradgrad=True))
def test_gradgradcheck_medium(op, sample):
    args = make_args(tensorkit, sample, True)
    assert tensorkit.autograd.gradgradcheck(_float_outputs(op, sample), tuple(args))


def test_gradgradcheck_with_indices_output():
    x = tensorkit.rand(1, 1, 4, 4, dtype=tensorkit.float64, requires_grad=True)
    assert tensorkit.autograd.gradgradcheck(
        lambda x: tensorkit.max_pool2d(x, 2, return_indices=True), (x,))


def test_double_backward_grad_fn_names_match_torch(torch):
    names = []
    for lib in (tensorkit, torch):
        x = lib.rand(1, 2, 5, 5, dtype=lib.float64, requires_grad=True)
        w = lib.rand(3, 2, 3, 3, dtype=lib.float64, requires_grad=True)

        def grads(y, inputs, lib=lib):  # upstream 2*y depends on x: a graph is built
            return lib.autograd.grad((y * y).sum(), inputs, create_graph=True)
        gx, gw = grads(lib.conv2d(x, w), [x, w])
        (gp,) = grads(lib.max_pool2d(x, 2), [x])
        (ga,) = grads(F(lib).avg_pool2d(x, 2), [x])
        names.append((gw.grad_fn.name(), gp.grad_fn.name(), ga.grad_fn.name()))
    assert names[0] == names[1]


# ---------------------------------------------------- random geometries vs torch

@st.composite
def conv_configs(draw):
    d = draw(st.sampled_from([1, 2]))
    groups = draw(st.sampled_from([1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(d))
    padding = tuple(draw(st.integers(0, 3)) for _ in range(d))
    size = tuple(dil * (k - 1) + 1 + draw(st.integers(0, 5)) for k, dil in zip(kernel, dilation))
    transposed = draw(st.booleans())
    bias = draw(st.booleans())
    return d, groups, cin, cout, kernel, stride, dilation, padding, size, transposed, bias


@settings(max_examples=60, deadline=None)
@given(conv_configs())
def test_random_convolutions_match_torch(config):
    torch = pytest.importorskip("torch")
    d, groups, cin, cout, kernel, stride, dilation, padding, size, transposed, bias = config
    rng = np.random.default_rng(0)
    if transposed:
        # output_padding must be below stride or dilation
        extra = tuple(min(s, dil) - 1 for s, dil in zip(stride, dilation))
        w_shape = (cin, cout // groups, *kernel)
        kwargs = dict(stride=stride, padding=padding, output_padding=extra, groups=groups,
                      dilation=dilation)
        name = f"conv_transpose{d}d"
        b_size = cout
    else:
        w_shape = (cout, cin // groups, *kernel)
        kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        name = f"conv{d}d"
        b_size = cout
    arrays = [rng.standard_normal((2, cin, *size)), rng.standard_normal(w_shape),
              rng.standard_normal(b_size) if bias else None]
    results = []
    for lib in (tensorkit, torch):
        args = [lib.tensor(a, requires_grad=True) if a is not None else None for a in arrays]
        try:
            y = getattr(lib, name)(*args, **kwargs)
        except RuntimeError as e:  # both must refuse the same geometries
            results.append(type(e))
            continue
        upstream = np.cos(np.arange(y.numel())).reshape(tuple(y.shape))
        y.backward(lib.tensor(upstream))
        results.append([y.detach().numpy()] + [a.grad.numpy() for a in args if a is not None])
    if not isinstance(results[1], list):
        assert results[0] is results[1]
        return
    assert isinstance(results[0], list), "tensorkit refused a geometry torch accepts"
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("x_shape, w_shape, padding, dilation, groups", [
    ((3, 6, 11), (4, 6, 3), ((1, 1),), (1,), 1),                  # 1-D, 'same'
    ((2, 8, 9, 10), (6, 4, 4, 3), ((1, 2), (1, 1)), (2, 1), 2),    # even kernel, dilated, groups
    ((2, 88, 12, 12), (20, 88, 5, 5), ((0, 0), (0, 0)), (1, 1), 1),  # Inception's conv2
    ((1, 3, 5, 6, 4), (2, 3, 3, 2, 2), ((1, 1), (0, 1), (1, 0)), (1, 1, 1), 1),  # 3-D
], ids=["1d", "2d_grouped_dilated", "inception_conv2", "3d"])
def test_stride_one_input_gradient_is_a_convolution_with_the_flipped_kernel(
        x_shape, w_shape, padding, dilation, groups, torch):
    """conv_input_grad may compute the input gradient as a forward convolution of the
    padded output gradient with the flipped kernel; it must equal torch's gradient."""
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    d = len(x_shape) - 2
    sizes = tuple(n + lo + hi - dil * (k - 1) for n, (lo, hi), dil, k in
                  zip(x_shape[2:], padding, dilation, w_shape[2:]))
    geometry = conv_module.ConvGeometry(w_shape[2:], (1,) * d, padding, dilation,
                                        x_shape[2:], sizes)
    gy = rng.standard_normal((x_shape[0], w_shape[0], *sizes))
    full = conv_module._full_convolution_geometry(geometry)
    ours = conv_module.conv_forward(gy, conv_module._flipped_transposed_kernel(w, groups),
                                    full, groups)
    xt = torch.tensor(x, requires_grad=True)
    padded = torch.nn.functional.pad(xt, [v for lo_hi in reversed(padding) for v in lo_hi])
    conv = getattr(torch.nn.functional, f"conv{d}d")
    conv(padded, torch.tensor(w), dilation=dilation, groups=groups).backward(torch.tensor(gy))
    np.testing.assert_allclose(ours, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv_module.conv_input_grad(gy, w, geometry, groups), ours,
                               rtol=1e-10, atol=1e-10)  # whichever way it picks


def test_transposed_convolution_is_the_adjoint():
    """<conv(x), y> == <x, conv_transpose(y)>: the definition of a transpose."""
    rng = np.random.default_rng(3)
    x = tensorkit.from_numpy(rng.standard_normal((2, 4, 9, 8)))
    w = tensorkit.from_numpy(rng.standard_normal((6, 2, 3, 2)))
    opts = dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)
    y = tensorkit.conv2d(x, w, **opts)
    v = tensorkit.from_numpy(rng.standard_normal(tuple(y.shape)))
    back = tensorkit.conv_transpose2d(v, w, output_padding=(0, 1), **opts)
    assert back.shape == x.shape
    np.testing.assert_allclose(float((y * v).sum()), float((x * back).sum()), rtol=1e-10)


@pytest.mark.parametrize("chunk", [600, 1 << 25], ids=["chunks", "whole_batch"])
@pytest.mark.parametrize("short_row", [0, 1000], ids=["image_by_image", "batch_last"])
def test_layouts_and_chunks_give_the_same_result(chunk, short_row, monkeypatch, torch):
    """Both column layouts, and batches cut into chunks (bounded memory), agree with torch."""
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((5, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    monkeypatch.setattr(conv_module, "_CHUNK_ELEMENTS", chunk)  # 600: one image per chunk
    monkeypatch.setattr(conv_module, "_SHORT_ROW", short_row)
    assert len(conv_module._batch_chunks(5, 3 * 9 * 36)) == (5 if chunk == 600 else 1)
    results = []
    for lib in (tensorkit, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.conv_transpose2d(lib.conv2d(xt, wt, padding=1), wt, padding=1)
        y.backward(lib.ones_like(y))
        results.append([y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_same_padding_keeps_the_size():
    for k in range(1, 6):
        for dil in (1, 2):
            y = tensorkit.conv2d(tensorkit.ones(1, 1, 7, 6), tensorkit.ones(1, 1, k, k),
                                 padding="same", dilation=dil)
            assert tuple(y.shape) == (1, 1, 7, 6)


def test_inplace_change_after_conv_is_detected():
    x = tensorkit.ones(1, 1, 4, 4, requires_grad=True)
    w = tensorkit.ones(1, 1, 3, 3, requires_grad=True)
    h = x * 2
    y = tensorkit.conv2d(h, w)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ----------------------------------------------------------------- the seed CNN

def test_seed_cnn_layers_match_torch(torch):
    """conv 1->10 k5, max pool 2, relu, conv 10->20 k5, max pool 2, relu, fc 320->10."""
    rng = np.random.default_rng(5)
    arrays = {"x": rng.standard_normal((4, 1, 28, 28)).astype(np.float32),
              "w1": (rng.standard_normal((10, 1, 5, 5)) / 5).astype(np.float32),
              "b1": rng.standard_normal(10).astype(np.float32),
              "w2": (rng.standard_normal((20, 10, 5, 5)) / 16).astype(np.float32),
              "b2": rng.standard_normal(20).astype(np.float32),
              "fc": (rng.standard_normal((320, 10)) / 18).astype(np.float32)}
    results = []
    for lib in (tensorkit, torch):
        t = {k: lib.from_numpy(v.copy()).requires_grad_(k != "x") for k, v in arrays.items()}
        h = lib.max_pool2d(lib.conv2d(t["x"], t["w1"], t["b1"]), 2).relu()
        h = lib.max_pool2d(lib.conv2d(h, t["w2"], t["b2"]), 2).relu()
        loss = (h.reshape(4, 320) @ t["fc"]).exp().sum(1).log().mean()
        loss.backward()
        results.append([loss.detach().numpy()] + [t[k].grad.numpy() for k in arrays if k != "x"])
        assert all(t[k].grad.dtype == lib.float32 for k in arrays if k != "x")
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


# ------------------------------------------- squeezed outputs: SqueezeBackward1

@pytest.mark.parametrize("code", [
    lambda lib, x: lib.conv2d(x[0], lib.ones(2, 3, 1, 1, requires_grad=True)),
    lambda lib, x: lib.max_pool1d(x[0], 2),
    lambda lib, x: F(lib).avg_pool1d(x[0], 2),
], ids=["conv2d_unbatched", "max_pool1d", "avg_pool1d"])
def test_squeezed_grad_fn_names(code, torch):
    names = []
    for lib in (tensorkit, torch):
        x = lib.ones(1, 3, 4, 4, requires_grad=True)
        names.append(code(lib, x).grad_fn.name())
    assert names[0] == names[1]


def test_kept_columns_serve_one_backward_and_a_retained_graph_recomputes_them():
    """The forward keeps its im2col columns for the weight gradient, frees them in backward,
    and a second backward through a retained graph gives the same weight gradient."""
    rng = np.random.default_rng(0)
    x = tensorkit.tensor(rng.standard_normal((2, 3, 7, 7)), dtype=tensorkit.float32)
    w = tensorkit.tensor(rng.standard_normal((4, 3, 3, 3)), dtype=tensorkit.float32,
                         requires_grad=True)
    y = tensorkit.conv2d(x, w, padding=1)
    assert y.grad_fn.columns is not None
    y.sum().backward(retain_graph=True)
    first = w.grad.clone()
    assert y.grad_fn.columns is None
    w.grad = None
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), first.numpy(), rtol=1e-6)
