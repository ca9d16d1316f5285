"""Op table entries: reductions, cumulative ops, softmax, sorting and selection.

Float samples are random, so no two elements tie: where torch and finite differences
disagree (at ties of max, sort, median, ...) the gradient is only checked against torch,
in tests/test_reduction.py.  Integer samples do tie, which checks the forward tie rules
(first index for max along a dim, stable sort) against torch here.
"""

from __future__ import annotations

import numpy as np

from . import ALL, FLOATS, INTS, OpInfo, Sample, rand

SHAPES = [(), (1,), (5,), (3, 1), (2, 3), (2, 3, 4)]


def _dims(shape, tuples: bool = True):
    """Ways to reduce ``shape``: all dims, one dim (negative too), several, with keepdim."""
    yield {}
    if not shape:
        yield {"dim": 0}
        yield {"dim": -1, "keepdim": True}
        return
    yield {"dim": 0}
    yield {"dim": -1, "keepdim": True}
    if len(shape) >= 2:
        yield {"dim": 1}
        if tuples:
            yield {"dim": (0, -1)}
            yield {"dim": [0, 1], "keepdim": True}


def _one_dim(shape, keepdim: bool = True):
    """Each single dim of ``shape`` (and -1), with and without keepdim."""
    options = [0, -1] if not shape else list(range(len(shape))) + [-1]
    for i, d in enumerate(options):
        yield {"dim": d, "keepdim": bool(i % 2)} if keepdim else {"dim": d}


def reduce_samples(gen=rand, tuples=True, extra=()):
    """Every shape with every ``_dims`` option; ``extra`` kwargs dicts are added to each."""
    def samples(rng, dtype):
        for shape in SHAPES:
            for kw in _dims(shape, tuples):
                for more in extra or ({},):
                    yield Sample((gen(rng, shape, dtype),), {**kw, **more})
    return samples


def whole_samples(gen=rand):
    """The whole-tensor form only (``x.max()``, ``x.median()``)."""
    def samples(rng, dtype):
        for shape in SHAPES:
            yield Sample((gen(rng, shape, dtype),))
    return samples


def one_dim_samples(gen=rand, keepdim=True, extra=()):
    def samples(rng, dtype):
        for shape in SHAPES:
            for kw in _one_dim(shape, keepdim):
                for more in extra or ({},):
                    yield Sample((gen(rng, shape, dtype),), {**kw, **more})
    return samples


def distinct(rng, shape, dtype):
    """Values without ties (integers: a permutation), for ops whose tie order is torch's
    implementation detail (topk, kthvalue)."""
    n = int(np.prod(shape))
    if dtype.startswith("int"):
        return rng.permutation(np.arange(-(n // 2), n - n // 2)).reshape(shape).astype(dtype)
    return rand(rng, shape, dtype)


def small_ints(rng, shape, dtype):
    """Few distinct values, many repeats (for unique and mode), in any dtype."""
    if dtype == "bool":
        return rand(rng, shape, dtype)
    return rng.integers(-2, 3, size=shape).astype(dtype)


def away_from_zero(rng, shape, dtype):
    return rand(rng, shape, dtype, avoid_zero=True)


def with_zeros(count):
    """Samples for prod/cumprod with ``count`` zeros in a slice (the hard gradient case)."""
    def samples(rng, dtype):
        for shape, kw in [((5,), {}), ((5,), {"dim": 0}), ((3, 4), {"dim": 1}),
                          ((3, 4), {}), ((2, 3, 2), {"dim": 1, "keepdim": True})]:
            x = rand(rng, shape, dtype, avoid_zero=True)
            flat = x.reshape(-1)
            flat[[1, 3, 6][:count] if flat.size > 6 else [1, 3][:count]] = 0
            yield Sample((x,), kw)
    return samples


def topk_samples(rng, dtype):
    for shape in SHAPES:
        for kw in _one_dim(shape, keepdim=False):
            n = 1 if not shape else shape[kw["dim"]]
            for k in sorted({0, 1, n}):
                yield Sample((distinct(rng, shape, dtype), k), kw)
            if n > 2:
                yield Sample((distinct(rng, shape, dtype), 2), {**kw, "largest": False})


def kthvalue_samples(rng, dtype):
    for shape in SHAPES:
        for kw in _one_dim(shape):
            n = 1 if not shape else shape[kw["dim"]]
            for k in sorted({1, n, (n + 1) // 2}):
                yield Sample((distinct(rng, shape, dtype), k), kw)


def pair_samples(rng, dtype):
    for sa, sb in [((), ()), ((3, 4), (3, 4)), ((3, 1), (1, 4))]:
        yield Sample((rand(rng, sa, dtype), rand(rng, sb, dtype)))


def var_samples(rng, dtype):
    """var/std in all their forms; every slice has >= 2 elements (dof > 0)."""
    for shape in [(5,), (3, 4), (2, 3, 4)]:
        yield Sample((rand(rng, shape, dtype),))
        yield Sample((rand(rng, shape, dtype),), {"dim": 0})
        yield Sample((rand(rng, shape, dtype),), {"dim": -1, "keepdim": True, "correction": 0})
        yield Sample((rand(rng, shape, dtype),), {"unbiased": False})
        if len(shape) >= 2:
            yield Sample((rand(rng, shape, dtype),), {"dim": (0, 1), "correction": 2})
            yield Sample((rand(rng, shape, dtype),), {"dim": [-1], "unbiased": True,
                                                      "keepdim": True})


def norm_samples(rng, dtype):
    for shape in [(), (5,), (3, 1), (3, 4), (2, 3, 4)]:
        for p in ("fro", 2, 1, float("inf"), -float("inf"), 0, 3, 1.5, 0.5):
            x = rand(rng, shape, dtype, avoid_zero=True)
            yield Sample((x,), {"p": p})
            if len(shape) >= 2:
                yield Sample((x,), {"p": p, "dim": 1, "keepdim": p in (2, 0)})
                yield Sample((x,), {"p": p, "dim": (0, -1)})


def softmax_samples(rng, dtype):
    yield from one_dim_samples(keepdim=False)(rng, dtype)
    big = rand(rng, (2, 5), dtype) * 1000  # exp would overflow without the max shift
    yield Sample((big,), {"dim": 1})
    if dtype == "float32":
        yield Sample((rand(rng, (3, 4), dtype),), {"dim": 0, "dtype": "float64"})


def cum_samples(gen=rand):
    def samples(rng, dtype):
        for shape in SHAPES:
            for kw in _one_dim(shape, keepdim=False):
                yield Sample((gen(rng, shape, dtype),), kw)
        if dtype == "int32":
            yield Sample((gen(rng, (3, 4), dtype),), {"dim": 1, "dtype": "int32"})
        if dtype == "float32":
            yield Sample((gen(rng, (3, 4), dtype),), {"dim": 1, "dtype": "float64"})
    return samples


def _dtype_kw(lib, kw):
    """Samples name dtypes as strings; each library gets its own dtype object."""
    if isinstance(kw.get("dtype"), str):
        kw = {**kw, "dtype": getattr(lib, kw["dtype"])}
    return kw


def indexed(name, fn, samples, **kwargs) -> OpInfo:
    """An op that also returns indices (max(dim), sort, topk, ...).

    gradgradcheck can't take it whole (core bug: it asks int64 outputs to require grad,
    see test_reduction.py), so test_reduction.py checks second derivatives of ``.values``.
    """
    return OpInfo(name, fn, samples, gradgrad=False, **kwargs)


NONBOOL = FLOATS + INTS

OPS = [
    # smooth reductions
    OpInfo("sum", lambda lib, x, **kw: lib.sum(x, **kw), reduce_samples(), dtypes=ALL),
    OpInfo("sum_method_dtype", lambda lib, x, **kw: x.sum(**kw, dtype=lib.float64),
           reduce_samples(tuples=False), dtypes=("float32", "int32")),
    OpInfo("mean", lambda lib, x, **kw: lib.mean(x, **kw), reduce_samples()),
    OpInfo("mean_method", lambda lib, x, **kw: x.mean(**kw), reduce_samples(tuples=False)),
    OpInfo("nansum", lambda lib, x, **kw: lib.nansum(x, **kw), reduce_samples(tuples=False)),
    OpInfo("prod", lambda lib, x, **kw: lib.prod(x, **kw),
           one_dim_samples(), dtypes=ALL),
    OpInfo("prod_all", lambda lib, x: x.prod(), whole_samples(), dtypes=ALL),
    OpInfo("prod_one_zero", lambda lib, x, **kw: lib.prod(x, **kw), with_zeros(1)),
    OpInfo("prod_two_zeros", lambda lib, x, **kw: lib.prod(x, **kw), with_zeros(2),
           gradgrad=False),  # like torch, the second derivative ignores double zeros
    OpInfo("var", lambda lib, x, **kw: lib.var(x, **kw), var_samples),
    OpInfo("std", lambda lib, x, **kw: x.std(**kw), var_samples),
    # two-output ops: one output at a time (core bug: backward from both roots of one node
    # loses the gradient, see test_reduction.py::test_backward_from_both_outputs)
    OpInfo("var_mean[0]", lambda lib, x, **kw: lib.var_mean(x, **kw)[0], var_samples),
    OpInfo("var_mean[1]", lambda lib, x, **kw: lib.var_mean(x, **kw)[1], var_samples),
    OpInfo("std_mean[0]", lambda lib, x, **kw: lib.std_mean(x, **kw)[0], var_samples),
    OpInfo("std_mean[1]", lambda lib, x, **kw: lib.std_mean(x, **kw)[1], var_samples),
    OpInfo("norm", lambda lib, x, **kw: lib.norm(x, **kw), norm_samples),
    OpInfo("norm_method", lambda lib, x, **kw: x.norm(**kw), reduce_samples(
        away_from_zero, tuples=False)),
    OpInfo("logsumexp", lambda lib, x, **kw: lib.logsumexp(x, **kw),
           lambda rng, dtype: (s for s in reduce_samples()(rng, dtype) if "dim" in s.kwargs),
           dtypes=ALL),
    # max / min and friends (float samples never tie)
    OpInfo("max_all", lambda lib, x: lib.max(x), whole_samples(), dtypes=ALL),
    OpInfo("min_all", lambda lib, x: x.min(), whole_samples(), dtypes=ALL),
    indexed("max_dim", lambda lib, x, **kw: lib.max(x, **kw), one_dim_samples(), dtypes=ALL),
    indexed("min_dim", lambda lib, x, **kw: x.min(**kw), one_dim_samples(), dtypes=ALL),
    indexed("max_positional", lambda lib, x: x.max(-1, True), whole_samples()),
    OpInfo("max_other", lambda lib, a, b: lib.max(a, b), pair_samples, dtypes=NONBOOL),
    OpInfo("min_other", lambda lib, a, b: a.min(b), pair_samples, dtypes=NONBOOL),
    OpInfo("amax", lambda lib, x, **kw: lib.amax(x, **kw), reduce_samples(), dtypes=ALL),
    OpInfo("amin", lambda lib, x, **kw: x.amin(**kw), reduce_samples(), dtypes=ALL),
    OpInfo("aminmax.min", lambda lib, x, **kw: lib.aminmax(x, **kw).min, one_dim_samples(),
           dtypes=ALL),
    OpInfo("aminmax.max", lambda lib, x, **kw: lib.aminmax(x, **kw).max, one_dim_samples(),
           dtypes=ALL),
    OpInfo("aminmax_all.max", lambda lib, x: x.aminmax().max, whole_samples(), dtypes=ALL),
    OpInfo("argmax", lambda lib, x, **kw: lib.argmax(x, **kw), reduce_samples(tuples=False),
           dtypes=NONBOOL, differentiable=False),
    OpInfo("argmin", lambda lib, x, **kw: x.argmin(**kw), reduce_samples(tuples=False),
           dtypes=NONBOOL, differentiable=False),
    OpInfo("argmax_keepdim_all", lambda lib, x: x.argmax(keepdim=True), whole_samples(),
           dtypes=NONBOOL, differentiable=False),
    # logical reductions
    OpInfo("all", lambda lib, x, **kw: lib.all(x, **kw), reduce_samples(small_ints),
           dtypes=ALL + ("uint8",), differentiable=False),
    OpInfo("any", lambda lib, x, **kw: x.any(**kw), reduce_samples(small_ints),
           dtypes=ALL, differentiable=False),
    OpInfo("count_nonzero", lambda lib, x, **kw: lib.count_nonzero(x, **kw),
           lambda rng, dtype: (s for s in reduce_samples(small_ints)(rng, dtype)
                               if "keepdim" not in s.kwargs), dtypes=ALL,
           differentiable=False),
    # cumulative
    OpInfo("cumsum", lambda lib, x, **kw: lib.cumsum(x, **_dtype_kw(lib, kw)), cum_samples(),
           dtypes=ALL),
    OpInfo("cumprod", lambda lib, x, **kw: x.cumprod(**_dtype_kw(lib, kw)), cum_samples(),
           dtypes=ALL),
    OpInfo("cumprod_one_zero", lambda lib, x, **kw: lib.cumprod(x, kw.get("dim", 0)),
           with_zeros(1), gradgrad=False),  # torch's second derivative at zeros is partial too
    OpInfo("cumprod_two_zeros", lambda lib, x, **kw: lib.cumprod(x, kw.get("dim", 0)),
           with_zeros(2), gradgrad=False),
    # softmax family
    OpInfo("softmax", lambda lib, x, **kw: lib.softmax(x, **_dtype_kw(lib, kw)),
           softmax_samples),
    OpInfo("log_softmax", lambda lib, x, **kw: x.log_softmax(**_dtype_kw(lib, kw)),
           softmax_samples),
    # sorting and selection
    indexed("sort", lambda lib, x, **kw: lib.sort(x, **kw),
            one_dim_samples(keepdim=False, extra=({}, {"descending": True})), dtypes=FLOATS),
    indexed("sort_stable", lambda lib, x, **kw: x.sort(**kw, stable=True),
            one_dim_samples(keepdim=False, extra=({}, {"descending": True})), dtypes=ALL),
    OpInfo("argsort_stable", lambda lib, x, **kw: lib.argsort(x, **kw, stable=True),
           one_dim_samples(keepdim=False, extra=({}, {"descending": True})), dtypes=ALL,
           differentiable=False),
    OpInfo("msort", lambda lib, x: lib.msort(x),
           lambda rng, dtype: (s for s in whole_samples()(rng, dtype) if s.args[0].ndim)),
    indexed("topk", lambda lib, x, k, **kw: lib.topk(x, k, **kw), topk_samples,
            dtypes=NONBOOL),
    indexed("kthvalue", lambda lib, x, k, **kw: x.kthvalue(k, **kw), kthvalue_samples,
            dtypes=NONBOOL),
    OpInfo("median_all", lambda lib, x: lib.median(x), whole_samples(), dtypes=NONBOOL),
    indexed("median_dim", lambda lib, x, **kw: x.median(**kw), one_dim_samples(),
            dtypes=NONBOOL),
    indexed("nanmedian_dim", lambda lib, x, **kw: lib.nanmedian(x, **kw), one_dim_samples(),
            dtypes=NONBOOL),
    indexed("mode", lambda lib, x, **kw: lib.mode(x, **kw), one_dim_samples(), dtypes=FLOATS),
    OpInfo("mode_values", lambda lib, x, **kw: x.mode(**kw).values,
           one_dim_samples(small_ints), dtypes=ALL, differentiable=False),
    OpInfo("unique", lambda lib, x, **kw: lib.unique(x, return_inverse=True,
                                                     return_counts=True, **kw),
           lambda rng, dtype: (Sample((small_ints(rng, s, dtype),), kw) for s in SHAPES
                               for kw in ([{}] + ([{"dim": 0}] if len(s) == 2 else []))),
           dtypes=ALL, differentiable=False),
]
