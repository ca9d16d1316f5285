"""Op table entries: indexing (``x[...]``, ``x[...] = v``), gather/scatter, masks, triangles.

Keys are written once as functions of the library (``lambda lib: ...``) when they hold
tensors, so the same key reaches tensorkit and torch.  Index arrays passed as sample
arguments are int64 (or int32, or bool) and so never require grad.  Indices that repeat
are only used where the result is defined (reads, and ops that add); ``scatter``,
``index_copy`` and ``put`` without accumulation get distinct indices.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import ALL, FLOATS, INTS, OpInfo, Sample, rand

NUMERIC = FLOATS + INTS


def _key(lib, key):
    """A key given as a function of the library becomes that library's key."""
    return key(lib) if callable(key) else key


def getitem(key):
    def fn(lib, x):
        return x[_key(lib, key)]
    return fn


def setitem(key):
    """``y = x.clone(); y[key] = v``: ``v``'s gradient is the written region's gradient."""
    def fn(lib, x, v):
        y = x.clone()
        y[_key(lib, key)] = v
        return y
    return fn


def _long(*values):
    return lambda lib: lib.tensor(values if len(values) != 1 else values[0])


# (name, key, shape of x) for reads
BASIC_KEYS = [
    ("int", 1, (3, 4)),
    ("negative_int", -1, (3, 4)),
    ("two_ints", (1, 2), (3, 4)),
    ("ints_3d", (0, -1, 2), (2, 3, 4)),
    ("slice", slice(1, 3), (3, 4)),
    ("slice_step", slice(None, None, 2), (5, 4)),
    ("slices_steps", (slice(1, None, 2), slice(None, None, 3)), (5, 7)),
    ("slice_neg_bounds", slice(-3, -1), (4, 2)),
    ("slice_dim1_step", (slice(None), slice(1, 4, 2)), (3, 5)),
    ("slice_past_end", slice(2, 10), (4, 3)),
    ("empty_slice", slice(3, 1), (4, 3)),
    ("none", None, (3, 4)),
    ("none_middle", (slice(None), None), (3, 4)),
    ("ellipsis_int", (Ellipsis, 1), (2, 3, 4)),
    ("int_ellipsis_none", (1, Ellipsis, None), (2, 3, 4)),
    ("ellipsis_alone", Ellipsis, (3, 4)),
    ("none_ellipsis_int", (None, Ellipsis, 0), (2, 3)),
    ("zero_d_tensor", _long(2), (4, 3)),
    ("int_on_1d", 3, (5,)),
]

ADVANCED_KEYS = [
    ("list", [0, 2], (3, 4)),
    ("list_repeats", [2, 0, 2, 2], (3, 4)),
    ("two_lists", ([0, 2], [1, 3]), (3, 4)),
    ("nested_list", ([[0, 1], [2, 2]],), (3, 4)),
    ("tensor", _long(0, 2, 2), (3, 4)),
    ("tensor_2d", lambda lib: lib.tensor([[1, 0], [2, 1]]), (3, 4)),
    ("slice_then_tensor", lambda lib: (slice(1, None), lib.tensor([0, 0, 2])), (3, 4)),
    ("tensor_then_slice", lambda lib: (lib.tensor([1, -1]), slice(None, None, 2)), (3, 5)),
    ("separated_adv", ([0, 1], slice(None), [1, 2]), (2, 3, 4)),
    ("adjacent_adv_middle", (slice(None), [0, 2], [1, 1]), (2, 3, 4)),
    ("broadcast_adv", (lambda lib: (lib.tensor([[0], [1]]), lib.tensor([0, 2, 3]))), (2, 4)),
    ("adv_with_none", ([0, 1], None), (3, 2)),
    ("adv_with_int", (1, [0, 2, 1]), (2, 3)),
    ("ellipsis_adv", (Ellipsis, [3, 0]), (2, 3, 4)),
    ("negative_list", [-1, -3], (3, 2)),
]


def _mask_samples(rng, dtype):
    x = rand(rng, (3, 4), dtype)
    yield Sample((x, rng.random((3, 4)) > 0.4), name="full_mask")
    yield Sample((x, np.array([True, False, True])), name="mask_dim0")
    yield Sample((rand(rng, (2, 3, 4), dtype), rng.random((2, 3)) > 0.5), name="mask_2_of_3")
    yield Sample((x, np.zeros((3, 4), bool)), name="empty_mask")


def _getitem_ops():
    ops = []
    for name, key, shape in BASIC_KEYS + ADVANCED_KEYS:
        def samples(rng, dtype, shape=shape, name=name):
            yield Sample((rand(rng, shape, dtype),), name=name)
        ops.append(OpInfo(f"getitem_{name}", getitem(key), samples, dtypes=ALL))
    ops.append(OpInfo("getitem_mask", lambda lib, x, m: x[m], _mask_samples, dtypes=ALL))
    ops.append(OpInfo("getitem_slice_mask", lambda lib, x, m: x[:, m],
                      lambda rng, dt: iter([Sample((rand(rng, (3, 4), dt),
                                                    np.array([True, False, True, True])))]),
                      dtypes=ALL))
    ops.append(OpInfo("getitem_index_tensor_arg", lambda lib, x, i: x[i, 1:],
                      lambda rng, dt: iter([Sample((rand(rng, (4, 3), dt),
                                                    np.array([3, 0, 3])))]), dtypes=ALL))
    return ops


# (name, key, shape of x, shape of x[key] in torch, written through a view?)
SETITEM_KEYS = [
    ("int", 1, (3, 4), (4,), True),
    ("slice_step", (slice(None), slice(None, None, 2)), (3, 5), (3, 3), True),
    ("none_broadcast", (slice(1, None), None), (3, 4), (2, 1, 4), True),
    ("ellipsis_int", (Ellipsis, 0), (2, 3, 4), (2, 3), True),
    ("list", [0, 2], (3, 4), (2, 4), False),
    ("two_lists", ([0, 2], [1, 3]), (3, 4), (2,), False),
    ("separated_adv", ([0, 1], slice(None), [1, 2]), (2, 3, 4), (2, 3), False),
    ("slice_then_list", (slice(1, None), [2, 0]), (3, 4), (2, 2), True),
    # torch selects first, then indexes: (3, 2), where NumPy would give (2, 3)
    ("int_then_list", (1, slice(None), [0, 3]), (2, 3, 4), (3, 2), True),
]


def _setitem_ops():
    ops = []
    for name, key, shape, wshape, via_view in SETITEM_KEYS:
        def samples(rng, dtype, shape=shape, wshape=wshape, name=name):
            yield Sample((rand(rng, shape, dtype), rand(rng, wshape, dtype)), name=name)
            if len(wshape) > 1:  # a value that broadcasts along the first written dim
                yield Sample((rand(rng, shape, dtype), rand(rng, wshape[1:], dtype)),
                             name=f"{name}_broadcast")
            yield Sample((rand(rng, shape, dtype), rand(rng, (), dtype)), name=f"{name}_0d")

        # Keys with ints or slices write through a view: torch names the node
        # "torch::autograd::CopySlices", and differentiates it twice (tests/test_indexing.py
        # checks both).
        ops.append(OpInfo(f"setitem_{name}", setitem(key), samples, dtypes=NUMERIC,
                          check_grad_fn=not via_view, gradgrad=not via_view))
    ops.append(OpInfo("setitem_tensor_index",
                      setitem(lambda lib: (lib.tensor([2, 0]), slice(None, 2))),
                      lambda rng, dt: iter([Sample((rand(rng, (3, 4), dt),
                                                    rand(rng, (2, 2), dt)))]),
                      dtypes=NUMERIC, check_grad_fn=False, gradgrad=False))

    def mask_set(lib, x, m, v):
        y = x.clone()
        y[m] = v
        return y

    def mask_samples(rng, dtype):
        m = rng.random((3, 4)) > 0.5
        yield Sample((rand(rng, (3, 4), dtype), m, rand(rng, (int(m.sum()),), dtype)))
        yield Sample((rand(rng, (3, 4), dtype), m, rand(rng, (), dtype)), name="0d_value")
        yield Sample((rand(rng, (3, 4), dtype), np.array([False, True, True]),
                      rand(rng, (4,), dtype)), name="row_mask")
    ops.append(OpInfo("setitem_mask", mask_set, mask_samples, dtypes=NUMERIC))
    ops.append(OpInfo("setitem_scalar", setitem((slice(None), 1)),
                      lambda rng, dt: iter([Sample((rand(rng, (3, 4), dt), 2))]),
                      dtypes=NUMERIC, check_grad_fn=False, gradgrad=False))
    return ops


# ------------------------------------------------------------------ dim-wise index ops

def _distinct(rng, n: int, k: int) -> np.ndarray:
    return rng.permutation(n)[:k].astype(np.int64)


def _repeating(rng, n: int, k: int) -> np.ndarray:
    return rng.integers(0, n, size=k).astype(np.int64)


def index_select_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 0, _repeating(rng, 3, 5)))
    yield Sample((rand(rng, (3, 4), dtype), 1, np.array([3, 0], np.int32)), name="int32")
    yield Sample((rand(rng, (2, 3, 4), dtype), -1, _repeating(rng, 4, 3)), name="dim-1")
    yield Sample((rand(rng, (2, 3, 4), dtype), 1, np.array(2)), name="0d_index")
    yield Sample((rand(rng, (5,), dtype), 0, np.array([], np.int64)), name="empty_index")
    yield Sample((rand(rng, (), dtype), 0, np.array([0])), name="0d_input")


def gather_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 1, _repeating(rng, 4, (3, 2))))
    yield Sample((rand(rng, (3, 4), dtype), 0, _repeating(rng, 3, (5, 4))), name="longer")
    yield Sample((rand(rng, (3, 4), dtype), 0, _repeating(rng, 3, (2, 3))), name="smaller")
    yield Sample((rand(rng, (2, 3, 4), dtype), -2, _repeating(rng, 3, (2, 2, 4))), name="3d")
    yield Sample((rand(rng, (3, 4), dtype), 1, np.array([[0], [3], [1]], np.int32)),
                 name="int32")
    yield Sample((rand(rng, (), dtype), 0, np.array([0, 0])), name="0d_input")


def _scatter_index(rng, shape, dim: int, size: int) -> np.ndarray:
    """An index whose entries along ``dim`` are distinct (scatter's writes don't collide)."""
    idx = np.empty(shape, np.int64)
    for pos in np.ndindex(*[n for d, n in enumerate(shape) if d != dim]):
        lead = pos[:dim] + (slice(None),) + pos[dim:]
        idx[lead] = _distinct(rng, size, shape[dim])
    return idx


def scatter_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 1, _scatter_index(rng, (3, 2), 1, 4),
                  rand(rng, (3, 2), dtype)))
    yield Sample((rand(rng, (4, 3), dtype), 0, _scatter_index(rng, (2, 3), 0, 4),
                  rand(rng, (2, 3), dtype)), name="dim0")
    yield Sample((rand(rng, (2, 3, 4), dtype), -1, _scatter_index(rng, (2, 2, 3), 2, 4),
                  rand(rng, (2, 2, 3), dtype)), name="3d")


def scatter_add_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 1, _repeating(rng, 4, (3, 5)),
                  rand(rng, (3, 5), dtype)))
    yield Sample((rand(rng, (4, 3), dtype), 0, _repeating(rng, 4, (6, 2)),
                  rand(rng, (6, 2), dtype)), name="dim0_repeats")
    yield Sample((rand(rng, (2, 3, 4), dtype), 1, _repeating(rng, 3, (2, 4, 4)),
                  rand(rng, (2, 4, 4), dtype)), name="3d")


def index_put_samples(rng, dtype):
    yield Sample((rand(rng, (4, 3), dtype), np.array([0, 2, 0, -1]), rand(rng, (4, 3), dtype)))
    yield Sample((rand(rng, (3, 4), dtype), np.array([[1], [2]]), np.array([0, 3, 3]),
                  rand(rng, (3,), dtype)), name="two_index_tensors_broadcast")


def bincount_samples(rng, dtype):
    yield Sample((rng.integers(0, 6, 10),))
    yield Sample((rng.integers(0, 4, 7),), {"minlength": 6}, name="minlength")
    yield Sample((np.array([0, 1, 1, 3]), rand(rng, (4,), dtype)), name="weights")


def index_add_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 0, _repeating(rng, 3, 5), rand(rng, (5, 4), dtype)))
    yield Sample((rand(rng, (3, 4), dtype), 1, np.array([3, 3, 0], np.int32),
                  rand(rng, (3, 3), dtype)), name="int32")
    yield Sample((rand(rng, (2, 3, 4), dtype), -1, _repeating(rng, 4, 2),
                  rand(rng, (2, 3, 2), dtype)), name="3d")
    yield Sample((rand(rng, (), dtype), 0, np.array(0), rand(rng, (), dtype)), name="0d")


def index_copy_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 0, _distinct(rng, 3, 2), rand(rng, (2, 4), dtype)))
    yield Sample((rand(rng, (2, 3, 4), dtype), 2, _distinct(rng, 4, 3),
                  rand(rng, (2, 3, 3), dtype)), name="3d")
    yield Sample((rand(rng, (), dtype), 0, np.array(0), rand(rng, (), dtype)), name="0d")


def index_fill_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 1, _repeating(rng, 4, 3)))
    yield Sample((rand(rng, (2, 3, 4), dtype), 0, np.array([-1])), name="negative")
    yield Sample((rand(rng, (), dtype), 0, np.array(0)), name="0d")


def index_fill_tensor_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), 1, np.array([3, 1, 3]), rand(rng, (), dtype)))
    yield Sample((rand(rng, (2, 3), dtype), 0, np.array([0]), rand(rng, (), dtype)),
                 name="one_row")


def take_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), _repeating(rng, 12, (2, 3))))
    yield Sample((rand(rng, (2, 3, 2), dtype), np.array([-1, 0, -12, 5])), name="negative")
    yield Sample((rand(rng, (), dtype), np.array([0, 0])), name="0d")


def put_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), _distinct(rng, 12, 5), rand(rng, (5,), dtype)))
    yield Sample((rand(rng, (3, 4), dtype), np.array([[-1, 0], [4, 2]]),
                  rand(rng, (4,), dtype)), name="negative_2d_index")


def put_accumulate_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), _repeating(rng, 12, 8), rand(rng, (2, 4), dtype)))


def take_along_dim_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), _repeating(rng, 4, (3, 2)), 1))
    yield Sample((rand(rng, (3, 4), dtype), _repeating(rng, 3, (1, 4)), 0), name="keepdim")
    yield Sample((rand(rng, (3, 1), dtype), _repeating(rng, 3, (2, 5)), 0), name="broadcast")
    yield Sample((rand(rng, (3, 4), dtype), _repeating(rng, 12, (5,)), None), name="flat")


def mask_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), rng.random((3, 4)) > 0.5))
    yield Sample((rand(rng, (3, 4), dtype), np.array([True, False, False, True])),
                 name="broadcast_mask")
    yield Sample((rand(rng, (4,), dtype), rng.random((2, 4)) > 0.5), name="mask_bigger")
    yield Sample((rand(rng, (), dtype), np.array(True)), name="0d")


def masked_fill_tensor_samples(rng, dtype):
    yield Sample((rand(rng, (3, 4), dtype), rng.random((3, 4)) > 0.5, rand(rng, (), dtype)))
    yield Sample((rand(rng, (2, 3), dtype), np.array([True, False, True]),
                  rand(rng, (), dtype)), name="broadcast_mask")


def masked_scatter_samples(rng, dtype):
    m = rng.random((3, 4)) > 0.5
    yield Sample((rand(rng, (3, 4), dtype), m, rand(rng, (int(m.sum()),), dtype)))
    yield Sample((rand(rng, (3, 4), dtype), np.array([True, False, True, True]),
                  rand(rng, (4, 4), dtype)), name="larger_source")
    yield Sample((rand(rng, (4,), dtype), np.array([[True], [False]]), rand(rng, (5,), dtype)),
                 name="mask_broadcasts_input")


def tri_samples(rng, dtype):
    for shape, diagonal in [((3, 4), 0), ((4, 3), 1), ((4, 4), -1), ((2, 3, 3), 2),
                            ((3, 5), -5), ((3, 3), 7)]:
        yield Sample((rand(rng, shape, dtype),), {"diagonal": diagonal})


def scatter_reduce(reduce):
    """``x.scatter(d, i, s, reduce=...)`` (torch warns that it prefers scatter_reduce)."""
    def fn(lib, x, d, i, s):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return x.scatter(d, i, s, reduce=reduce)
    return fn


def _inplace(name):
    """``x.clone().<name>_(...)``: the in-place variant, checked as an op of its own."""
    def fn(lib, x, *args, **kwargs):
        return getattr(x.clone(), f"{name}_")(*args, **kwargs)
    return fn


OPS = _getitem_ops() + _setitem_ops() + [
    OpInfo("index_select", lambda lib, x, d, i: lib.index_select(x, d, i), index_select_samples,
           dtypes=ALL),
    OpInfo("gather", lambda lib, x, d, i: x.gather(d, i), gather_samples, dtypes=ALL),
    OpInfo("scatter", lambda lib, x, d, i, s: lib.scatter(x, d, i, s), scatter_samples,
           dtypes=NUMERIC),
    OpInfo("scatter_value", lambda lib, x, d, i, s: x.scatter(d, i, 2.0),
           scatter_samples, dtypes=NUMERIC),
    OpInfo("scatter_reduce_add", scatter_reduce("add"), scatter_add_samples, dtypes=NUMERIC,
           differentiable=False),
    OpInfo("scatter_reduce_multiply", scatter_reduce("multiply"), scatter_add_samples,
           dtypes=NUMERIC, differentiable=False),
    OpInfo("scatter_", _inplace("scatter"), scatter_samples, dtypes=NUMERIC),
    OpInfo("scatter_add", lambda lib, x, d, i, s: lib.scatter_add(x, d, i, s),
           scatter_add_samples, dtypes=NUMERIC),
    OpInfo("scatter_add_", _inplace("scatter_add"), scatter_add_samples, dtypes=NUMERIC),
    OpInfo("index_put_accumulate", lambda lib, x, *a: x.index_put(a[:-1], a[-1], True),
           index_put_samples, dtypes=NUMERIC, check_grad_fn=False),
    OpInfo("index_put_", lambda lib, x, *a: x.clone().index_put_(a[:-1], a[-1]),
           lambda rng, dtype: iter([Sample((rand(rng, (3, 4), dtype), np.array([[1], [2]]),
                                            np.array([0, 3, 1]), rand(rng, (3,), dtype)))]),
           dtypes=NUMERIC, check_grad_fn=False, gradgrad=False),  # (CopySlices: see xfails)
    OpInfo("bincount", lambda lib, x, *w, **kw: lib.bincount(x, *w, **kw), bincount_samples,
           differentiable=False),
    OpInfo("index_add", lambda lib, x, d, i, s: lib.index_add(x, d, i, s), index_add_samples,
           dtypes=NUMERIC),
    OpInfo("index_add_alpha", lambda lib, x, d, i, s: x.index_add(d, i, s, alpha=-2),
           index_add_samples, dtypes=NUMERIC),
    OpInfo("index_add_", _inplace("index_add"), index_add_samples, dtypes=NUMERIC),
    OpInfo("index_copy", lambda lib, x, d, i, s: lib.index_copy(x, d, i, s), index_copy_samples,
           dtypes=NUMERIC),
    OpInfo("index_copy_", _inplace("index_copy"), index_copy_samples, dtypes=NUMERIC),
    OpInfo("index_fill", lambda lib, x, d, i: lib.index_fill(x, d, i, -1.5), index_fill_samples,
           dtypes=NUMERIC),
    OpInfo("index_fill_", lambda lib, x, d, i: x.clone().index_fill_(d, i, 3),
           index_fill_samples, dtypes=NUMERIC),
    OpInfo("index_fill_tensor", lambda lib, x, d, i, v: x.index_fill(d, i, v),
           index_fill_tensor_samples, dtypes=FLOATS),
    OpInfo("take", lambda lib, x, i: lib.take(x, i), take_samples, dtypes=ALL),
    OpInfo("put", lambda lib, x, i, s: x.put(i, s), put_samples, dtypes=NUMERIC),
    OpInfo("put_accumulate", lambda lib, x, i, s: x.put(i, s, accumulate=True),
           put_accumulate_samples, dtypes=NUMERIC),
    OpInfo("put_", lambda lib, x, i, s: x.clone().put_(i, s, accumulate=True),
           put_accumulate_samples, dtypes=NUMERIC),
    OpInfo("take_along_dim", lambda lib, x, i, d: lib.take_along_dim(x, i, d),
           take_along_dim_samples, dtypes=ALL),
    OpInfo("masked_fill", lambda lib, x, m: x.masked_fill(m, -2.0), mask_samples,
           dtypes=NUMERIC),
    OpInfo("masked_fill_bool", lambda lib, x, m: lib.masked_fill(x, m, True), mask_samples,
           dtypes=("bool",)),
    OpInfo("masked_fill_tensor", lambda lib, x, m, v: x.masked_fill(m, v),
           masked_fill_tensor_samples, dtypes=FLOATS),
    OpInfo("masked_fill_", lambda lib, x, m: x.clone().masked_fill_(m, 5),
           lambda rng, dt: (s for s in mask_samples(rng, dt) if s.name != "mask_bigger"),
           dtypes=NUMERIC),
    OpInfo("masked_select", lambda lib, x, m: lib.masked_select(x, m), mask_samples,
           dtypes=ALL),
    OpInfo("masked_scatter", lambda lib, x, m, s: x.masked_scatter(m, s),
           masked_scatter_samples, dtypes=NUMERIC),
    OpInfo("tril", lambda lib, x, diagonal: lib.tril(x, diagonal), tri_samples, dtypes=ALL),
    OpInfo("triu", lambda lib, x, diagonal: x.triu(diagonal=diagonal), tri_samples,
           dtypes=ALL),
    OpInfo("tril_", lambda lib, x, diagonal: x.clone().tril_(diagonal), tri_samples,
           dtypes=NUMERIC),
    OpInfo("triu_", lambda lib, x, diagonal: x.clone().triu_(diagonal), tri_samples,
           dtypes=NUMERIC),
]
