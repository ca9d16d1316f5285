"""Op table entries: convolutions and pooling.

Sizes are small so that the float64 gradchecks stay fast: samples of at most 40
numbers (input + weight + bias) are gradchecked, those of at most 12 also
gradgradchecked (tests/test_ops.py); tests/test_conv.py gradchecks larger ones.

Unbatched convolutions and the 1-D poolings end in a ``squeeze`` in torch, so their
output's grad_fn is ``SqueezeBackward1``, in tensorkit too.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import FLOATS, OpInfo, Sample, rand

# float32 sums of up to ~50 products: a few ulps of the largest term
CONV_TOL = {"atol": 1e-4, "rtol": 1e-5}
POOL_TOL = {"atol": 1e-5, "rtol": 1e-5}


def functional(lib):
    """Where the op lives: torch keeps some of them in torch.nn.functional only."""
    return lib.nn.functional if lib.__name__ == "torch" else lib


# (input shape, weight shape, with bias, keyword arguments)
CONV2D = [
    ((1, 2, 3, 3), (2, 2, 2, 2), True, {}),
    ((1, 1, 3, 3), (1, 1, 1, 2), True, {}),
    ((1, 1, 2, 3), (1, 1, 2, 2), False, {"padding": 1}),
    ((1, 1, 3, 3), (1, 1, 2, 1), True, {"stride": 2, "padding": 1}),
    ((1, 2, 3, 3), (2, 1, 2, 2), True, {"groups": 2, "padding": 1}),
    ((1, 1, 5, 5), (1, 1, 2, 2), True, {"dilation": 2}),
    ((2, 3, 6, 5), (4, 3, 3, 3), True, {"stride": 2, "padding": 1}),
    ((2, 4, 5, 5), (6, 2, 3, 3), False, {"groups": 2, "dilation": 2, "padding": (2, 1)}),
    ((2, 3, 5, 5), (6, 1, 3, 3), True, {"groups": 3}),                 # depthwise
    ((2, 3, 5, 5), (3, 1, 3, 3), False, {"groups": 3, "padding": "same"}),
    ((1, 2, 4, 5), (3, 2, 2, 4), True, {"padding": "same"}),           # even kernel
    ((1, 2, 5, 5), (2, 2, 3, 2), False, {"padding": "same", "dilation": (2, 1)}),
    ((1, 2, 4, 4), (3, 2, 3, 3), True, {"padding": "valid"}),
    ((2, 3, 4, 4), (5, 3, 1, 1), True, {}),                            # 1x1
    ((2, 4, 3, 3), (6, 2, 1, 1), False, {"groups": 2}),                # grouped 1x1
    ((1, 2, 7, 6), (3, 2, 3, 2), True, {"stride": (3, 2), "padding": (0, 1)}),
    ((2, 2, 6, 6), (2, 2, 3, 3), True, {"stride": [2], "padding": [1], "dilation": [1]}),
]
CONV2D_UNBATCHED = [
    ((2, 4, 4), (3, 2, 2, 2), True, {}),
    ((1, 3, 3), (1, 1, 2, 2), True, {"padding": 1}),
]
CONV1D = [
    ((1, 2, 5), (2, 2, 2), True, {"padding": "same"}),
    ((1, 1, 4), (1, 1, 3), True, {"padding": 1, "dilation": 2}),
    ((2, 3, 7), (4, 3, 3), True, {"stride": 2, "padding": 1}),
    ((2, 4, 6), (4, 2, 3), False, {"groups": 2, "dilation": 2}),
    ((2, 3, 8), (3, 1, 4), True, {"groups": 3, "stride": 3, "padding": 2}),
    ((2, 3, 5), (4, 3, 1), True, {}),                                  # 1x1
]
CONV1D_UNBATCHED = [((3, 6), (2, 3, 2), True, {"stride": 2})]
CONV3D = [
    ((1, 1, 2, 2, 3), (1, 1, 1, 2, 2), False, {}),
    ((1, 2, 4, 3, 3), (2, 2, 2, 2, 2), True, {"stride": (1, 2, 1), "padding": 1}),
]
CONV_TRANSPOSE2D = [
    ((1, 2, 3, 3), (2, 1, 2, 2), True, {}),
    ((1, 1, 2, 2), (1, 1, 2, 2), True, {"stride": 2}),
    ((2, 3, 3, 4), (3, 2, 3, 3), True, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 3, 3), (4, 1, 3, 2), True, {"stride": (2, 1), "dilation": (1, 2), "groups": 2}),
    ((2, 3, 3, 3), (3, 2, 2, 2), False, {"stride": 3, "padding": 1, "output_padding": 2}),
    ((1, 2, 3, 3), (2, 2, 3, 3), False, {"dilation": 2, "output_padding": 1}),
    ((2, 4, 3, 3), (4, 3, 1, 1), True, {}),                            # 1x1
]
CONV_TRANSPOSE1D = [
    ((1, 1, 3), (1, 2, 2), True, {"stride": 2, "dilation": 2}),
    ((2, 3, 4), (3, 2, 3), True, {"stride": 2, "padding": 1, "output_padding": 1}),
    ((2, 4, 5), (4, 1, 3), False, {"groups": 4}),
]


def conv_samples(configs, transposed: bool = False):
    def samples(rng, dtype):
        for x_shape, w_shape, bias, kwargs in configs:
            out_channels = w_shape[1] * kwargs.get("groups", 1) if transposed else w_shape[0]
            b = rand(rng, (out_channels,), dtype) if bias else None
            yield Sample((rand(rng, x_shape, dtype), rand(rng, w_shape, dtype), b), kwargs)
    return samples


def conv_op(name: str, configs, dtypes=FLOATS, transposed: bool = False, **options) -> OpInfo:
    op = name.replace("_unbatched", "")

    def fn(lib, x, w, b, **kwargs):
        with warnings.catch_warnings():  # torch warns that 'same' + even kernel pads a copy
            warnings.simplefilter("ignore", UserWarning)
            return getattr(lib, op)(x, w, b, **kwargs)
    return OpInfo(name, fn, conv_samples(configs, transposed), dtypes=dtypes, **CONV_TOL,
                  **options)


# (input shape, positional args, keyword args, round the values to create ties)
MAX_POOL2D = [
    ((1, 1, 4, 4), (2,), {}, False),
    ((1, 2, 3, 3), (2, 1), {}, False),
    ((1, 1, 3, 3), (2, 1), {}, False),
    ((1, 1, 5, 5), (2,), {"ceil_mode": True}, False),
    ((2, 3, 7, 9), (3, 2, 1), {"return_indices": True}, False),
    ((2, 3, 7, 9), ((3, 2), (2, 1), (1, 0)), {"dilation": (1, 2), "return_indices": True},
     False),
    ((2, 3, 7, 9), (3, 2, 1), {"ceil_mode": True, "return_indices": True}, False),
    ((2, 2, 6, 6), (4, 3, 2), {"ceil_mode": True}, False),
    ((2, 2, 6, 6), (2,), {"return_indices": True}, True),        # ties: the first max wins
    ((2, 2, 6, 6), (3, 1, 1), {"return_indices": True}, True),
    ((3, 6, 6), (2,), {"return_indices": True}, False),            # unbatched
    ((2, 2, 4, 4), (1,), {}, False),
]
MAX_POOL1D = [
    ((1, 2, 6), (2,), {}, False),
    ((2, 3, 9), (3, 2, 1), {"ceil_mode": True, "return_indices": True}, False),
    ((2, 3, 9), (2, 1), {"dilation": 2, "return_indices": True}, True),
    ((3, 8), (2,), {"return_indices": True}, False),
]
AVG_POOL2D = [
    ((1, 1, 4, 4), (2,), {}, False),
    ((1, 1, 3, 3), (2, 1), {}, False),
    ((1, 1, 5, 5), (3, 2, 1), {"count_include_pad": False}, False),
    ((2, 3, 7, 9), (3, 2, 1), {}, False),
    ((2, 3, 7, 9), (3, 2, 1), {"ceil_mode": True}, False),
    ((2, 3, 7, 9), (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, False),
    ((2, 2, 6, 6), (4, 3, 2), {"ceil_mode": True}, False),
    ((3, 7, 9), ((3, 2), (2, 1), (1, 1)), {"divisor_override": 5}, False),
    ((2, 2, 8, 8), (2,), {}, False),
]
AVG_POOL1D = [
    ((1, 2, 6), (2,), {}, False),
    ((2, 3, 9), (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, False),
    ((3, 8), (4, 3), {}, False),
]
ADAPTIVE_AVG2D = [
    ((1, 1, 5, 5), ((2, 3),), {}, False),
    ((1, 1, 3, 3), (2,), {}, False),
    ((2, 3, 7, 9), ((3, 4),), {}, False),
    ((3, 7, 9), ((3, None),), {}, False),
    ((2, 3, 3, 2), ((5, 7),), {}, False),                           # larger than the input
    ((2, 3, 8, 8), (4,), {}, False),
    ((2, 3, 5, 4), (1,), {}, False),                                # a mean
]
ADAPTIVE_MAX2D = [
    ((1, 1, 4, 5), ((2, 3),), {}, False),
    ((1, 1, 2, 3), ((5, 7),), {}, False),
    ((2, 3, 7, 9), ((3, 4),), {"return_indices": True}, False),
    ((2, 3, 8, 8), (4,), {"return_indices": True}, True),
    ((3, 8, 9), ((4, 3),), {"return_indices": True}, False),
]
ADAPTIVE_1D = [
    ((1, 2, 5), (3,), {}, False),
    ((2, 3, 9), (4,), {}, False),
    ((3, 7), (7,), {}, False),
]


def pool_samples(configs):
    def samples(rng, dtype):
        for shape, args, kwargs, ties in configs:
            x = rand(rng, shape, dtype)
            name = ""
            if ties and dtype in FLOATS:
                x = np.round(x / 2).astype(dtype)  # few distinct values: many ties
                name = f"ties:{dtype}{list(shape)},{args},{kwargs}"
            yield Sample((x, *args), kwargs, name=name)
    return samples


def pool_op(name: str, configs, dtypes=FLOATS, **options) -> OpInfo:
    op = name.replace("_1d", "")

    def fn(lib, x, *args, **kwargs):
        return getattr(functional(lib), op)(x, *args, **kwargs)
    return OpInfo(name, fn, pool_samples(configs), dtypes=dtypes, **POOL_TOL, **options)


def _unpool(lib, x, kernel, stride=None, padding=0, output_size=None):
    f = functional(lib)
    values, indices = f.max_pool2d(x, kernel, stride, padding, return_indices=True)
    return f.max_unpool2d(values, indices, kernel, stride, padding, output_size)


def _unpool1d(lib, x, kernel, output_size=None):
    f = functional(lib)
    values, indices = f.max_pool1d(x, kernel, return_indices=True)
    return f.max_unpool1d(values, indices, kernel, output_size=output_size)


UNPOOL2D = [
    ((1, 1, 4, 4), (2,), {}, False),
    ((2, 3, 6, 7), (2,), {"output_size": (7, 7)}, False),
    ((2, 3, 7, 7), (3, 2, 1), {}, False),
    ((3, 6, 6), (2,), {"output_size": (1, 3, 6, 7)}, False),
]

OPS = [
    conv_op("conv2d", CONV2D, dtypes=FLOATS + ("int64",)),
    conv_op("conv2d_unbatched", CONV2D_UNBATCHED),
    conv_op("conv1d", CONV1D),
    conv_op("conv1d_unbatched", CONV1D_UNBATCHED),
    conv_op("conv3d", CONV3D),
    conv_op("conv_transpose2d", CONV_TRANSPOSE2D, transposed=True),
    conv_op("conv_transpose1d", CONV_TRANSPOSE1D, transposed=True),
    pool_op("max_pool2d", MAX_POOL2D, dtypes=FLOATS + ("int64", "int32")),
    pool_op("max_pool1d_1d", MAX_POOL1D),
    pool_op("avg_pool2d", AVG_POOL2D, dtypes=FLOATS + ("int64",)),
    pool_op("avg_pool1d_1d", AVG_POOL1D),
    pool_op("adaptive_avg_pool2d", ADAPTIVE_AVG2D),
    pool_op("adaptive_avg_pool1d_1d", ADAPTIVE_1D),
    pool_op("adaptive_max_pool2d", ADAPTIVE_MAX2D),
    pool_op("adaptive_max_pool1d_1d", ADAPTIVE_1D),
    OpInfo("max_unpool2d", _unpool, pool_samples(UNPOOL2D), **POOL_TOL),
    OpInfo("max_unpool1d", _unpool1d, pool_samples([((2, 3, 8), (2,), {}, False),
                                                    ((2, 3, 8), (2,), {"output_size": (9,)},
                                                     False)]),
           **POOL_TOL),
]
