"""Op table entries: every elementwise op (arithmetic, math, comparison and logic).

Each public function of ``tensorkit/ops/arithmetic.py``, ``math.py`` and ``comparison.py``
has at least one entry here (``tests/test_promotion.py`` checks that none is missing), and
each in-place variant ``x.op_()`` has one too.  The samples cover 0-d, 1-d, 2-d and 3-d
tensors, broadcasting pairs and Python numbers on either side, in float32, float64, int64,
int32 and bool wherever torch accepts that dtype.  Inputs stay away from the points where
an op is not differentiable (|x| at 0, floor at integers, ties of maximum), so that
gradcheck's finite differences are meaningful.

Calls are written three ways, spread over the samples: ``torch.op(x, ...)``, the method
``x.op(...)`` and, where there is one, the operator (``x + y``, ``2 ** x``).  Some entries
return a Python value instead of a tensor (the name of the exception an invalid call
raises, the name of a graph node): the test then checks that both libraries give the same.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

from . import ALL, FLOATS, INTS, SHAPES, OpInfo, Sample, rand

NUMERIC = FLOATS + INTS

# ------------------------------------------------------------------ inputs


def domain(low: float = -3.0, high: float = 3.0, int_low: int | None = None,
           int_high: int | None = None, avoid_zero: bool = False):
    """A generator of inputs in [low, high] (integers in [int_low, int_high])."""
    def gen(rng, shape, dtype):
        if dtype.startswith("int"):
            lo = int(np.ceil(low)) if int_low is None else int_low
            hi = int(np.floor(high)) if int_high is None else int_high
            return rand(rng, shape, dtype, lo, hi, avoid_zero)
        return rand(rng, shape, dtype, low, high, avoid_zero)
    return gen


ANY = domain()
NONZERO = domain(avoid_zero=True)
POSITIVE = domain(0.2, 3.0, 1, 3)
UNIT = domain(-0.9, 0.9, -1, 1)  # asin, atanh, erfinv
PROBABILITY = domain(0.05, 0.95, 0, 1)


def unary_samples(gen=ANY, shapes=SHAPES, **kwargs):
    """One tensor of each shape; odd samples call the method form ``x.op()``."""
    def samples(rng, dtype):
        for k, shape in enumerate(shapes):
            yield Sample((gen(rng, shape, dtype),), {"form": "method" if k % 2 else "function",
                                                     **kwargs})
    return samples


BINARY_PAIRS = [((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)), ((3, 4), ()), ((), (3, 4))]
# pairs whose first shape is the broadcast shape: the in-place op can write into it
INPLACE_PAIRS = [((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 4), (1, 4)), ((2, 3, 4), (4,)),
                 ((3, 4), ())]


def binary_samples(gen_a=ANY, gen_b=ANY, right=(2, 2.5), left=(3, 1.5), left_form="operator",
                   pairs=BINARY_PAIRS, left_grad=True, **kwargs):
    """Broadcasting pairs of tensors, then a tensor with a number on the right (``x * 2``)
    and a number on the left (``3 * x``, through ``left_form``; without gradient if
    ``left_grad`` is False: torch defines none for ``3 % x``)."""
    def samples(rng, dtype):
        for k, (sa, sb) in enumerate(pairs):
            yield Sample((gen_a(rng, sa, dtype), gen_b(rng, sb, dtype)),
                         {"form": "method" if k % 2 else "function", **kwargs})
        for k, number in enumerate(right):
            yield Sample((gen_a(rng, (3, 4), dtype), number),
                         {"form": "function" if k % 2 else "method", **kwargs})
        if left_form is not None:
            for number in left:
                yield Sample((number, gen_b(rng, (3, 4), dtype)), {"form": left_form, **kwargs},
                             grad=None if left_grad else ())
    return samples


def inplace_binary_samples(gen_a=ANY, gen_b=ANY, right=(2,), **kwargs):
    def samples(rng, dtype):
        for sa, sb in INPLACE_PAIRS:
            yield Sample((gen_a(rng, sa, dtype), gen_b(rng, sb, dtype)), dict(kwargs))
        for number in right:
            if isinstance(number, float) and not dtype.startswith("float") or (
                    dtype == "bool" and not isinstance(number, bool)):
                continue  # a float result can't be written into an integer tensor
            yield Sample((gen_a(rng, (3, 4), dtype), number), dict(kwargs))
    return samples


def few(samples, n: int = 3):
    """The first ``n`` samples only: for aliases, which share the tested implementation."""
    def limited(rng, dtype):
        for k, s in enumerate(samples(rng, dtype)):
            if k < n:
                yield s
    return limited


# ------------------------------------------------------------------ calls


def call(name: str, op=None):
    """``fn(lib, *args, form=...)``: ``lib.name(*args)``, ``args[0].name(*args[1:])``, or the
    operator ``op(*args)``."""
    def fn(lib, *args, form="function", **kwargs):
        if form == "operator":
            return op(*args)
        if form == "method":
            return getattr(args[0], name)(*args[1:], **kwargs)
        return getattr(lib, name)(*args, **kwargs)
    fn.__name__ = name
    return fn


def call_inplace(name: str):
    """``x.clone().name_(...)``, after checking that ``x.name_(...)`` itself is refused
    when ``x`` is a leaf that requires grad (torch raises a RuntimeError)."""
    def fn(lib, x, *args, form=None, **kwargs):
        if isinstance(x, lib.Tensor) and x.requires_grad and x.is_leaf and lib.is_grad_enabled():
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
                getattr(x, name + "_")(*args, **kwargs)
        return getattr(x.clone(), name + "_")(*args, **kwargs)
    return fn


def error_name(thunk) -> str:
    """The exception type ``thunk()`` raises, or "no error"."""
    try:
        thunk()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__
    return "no error"


def gradient_values(lib, fn, x) -> tuple:
    """The name of ``fn(x)``'s graph node and the gradient of its sum, as Python values."""
    x = x.detach().requires_grad_()
    out = fn(x)
    (grad,) = lib.autograd.grad(out.sum(), x)
    return out.grad_fn.name(), (grad + 0).tolist()


def backward_error(lib, fn, *args) -> str:
    """The graph node of ``fn``'s output, and the error backward raises through it (its
    type and first sentence: tensorkit's messages may add a hint after it)."""
    out = fn(*args)
    try:
        out.sum().backward()
    except (RuntimeError, NotImplementedError) as e:
        return f"{out.grad_fn.name()}: {type(e).__name__}: {str(e).split(' (')[0]}"
    return "no error"


# ------------------------------------------------------------------ entries


def unary(name: str, gen=ANY, dtypes=ALL, alias_of: str | None = None, inplace_dtypes=None,
          shapes=SHAPES, **info) -> list[OpInfo]:
    """An entry for ``name`` and one for ``name_`` (on ``inplace_dtypes``, those whose
    result dtype is the input's: ``x.exp_()`` can't write a float into an int tensor)."""
    samples = unary_samples(gen, shapes)
    if alias_of is not None:
        samples = few(samples, 2)
    entries = [OpInfo(name, call(name), samples, dtypes=dtypes, **info)]
    if inplace_dtypes is None:
        inplace_dtypes = tuple(d for d in dtypes if d.startswith("float"))
    if inplace_dtypes:
        entries.append(OpInfo(name + "_", call_inplace(name), few(unary_samples(gen), 3),
                              dtypes=inplace_dtypes, **info))
    return entries


def binary(name: str, op=None, dtypes=NUMERIC, inplace_dtypes=None, gen_a=ANY, gen_b=ANY,
           right=(2, 2.5), left=(3, 1.5), left_form=None, alias: bool = False,
           inplace: bool = True, left_grad: bool = True, **info) -> list[OpInfo]:
    if left_form is None:
        left_form = "operator" if op is not None else None
    samples = binary_samples(gen_a, gen_b, right, left, left_form, left_grad=left_grad)
    if alias:
        samples = few(samples, 3)
    entries = [OpInfo(name, call(name, op), samples, dtypes=dtypes, **info)]
    if inplace:
        if inplace_dtypes is None:
            inplace_dtypes = dtypes
        entries.append(OpInfo(name + "_", call_inplace(name),
                              inplace_binary_samples(gen_a, gen_b, right=right),
                              dtypes=inplace_dtypes, **info))
    return entries


def errors(name: str, fn, samples, dtypes) -> OpInfo:
    """An entry comparing which exception an invalid call raises (or that none does)."""
    return OpInfo(name, lambda lib, *args, **kwargs: error_name(lambda: fn(lib, *args, **kwargs)),
                  samples, dtypes=dtypes, differentiable=False)


def special_values(dtype: str) -> np.ndarray:
    values = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-30, 1e30, np.inf, -np.inf, np.nan]
    return np.array(values, dtype=dtype)


def special_samples(rng, dtype):
    yield Sample((special_values(dtype),), {"form": "function"})


def special(name: str, fn=None, dtypes=FLOATS, **info) -> OpInfo:
    """Forward on zeros of both signs, infinities, NaN, huge and tiny values."""
    return OpInfo(name + ".special", fn or call(name), special_samples, dtypes=dtypes,
                  differentiable=False, **info)


def away_from_poles(rng, shape, dtype):
    """For lgamma/digamma: positive values, and negative ones between the poles."""
    if dtype.startswith("int"):
        return rand(rng, shape, dtype, 1, 5)
    x = rng.uniform(0.3, 5.0, size=shape)
    negative = rng.random(size=shape) < 0.3
    x = np.where(negative, -np.floor(x) - rng.uniform(0.2, 0.8, size=shape), x)
    return np.asarray(x).astype(dtype)


def away_from_integers(rng, shape, dtype):
    """For floor, round, frac, remainder: no value within 0.1 of an integer."""
    if dtype.startswith("int") or dtype == "bool":
        return rand(rng, shape, dtype)
    x = rng.uniform(-3, 3, size=shape)
    x = np.floor(x) + 0.1 + 0.8 * (x - np.floor(x))
    return np.asarray(x).astype(dtype)


def decimals_away_from_ties(rng, shape, dtype):
    """Numbers like 1.2345 whose rounding to 2 decimals is not a tie."""
    x = np.round(rng.uniform(-30, 30, size=shape), 4) + 0.0003
    return np.asarray(x).astype(dtype)


OPS: list[OpInfo] = []

# --- unary math: results are floats (ints and bools become float32)
for _name, _gen in [("exp", ANY), ("expm1", ANY), ("exp2", ANY), ("log", POSITIVE),
                    ("log2", POSITIVE), ("log10", POSITIVE), ("log1p", domain(-0.5, 3.0)),
                    ("sqrt", POSITIVE), ("rsqrt", POSITIVE), ("sin", ANY), ("cos", ANY),
                    ("tan", domain(-1.2, 1.2, -1, 1)), ("tanh", ANY), ("sigmoid", ANY),
                    ("sinh", ANY), ("cosh", ANY), ("asin", UNIT), ("acos", UNIT), ("atan", ANY),
                    ("asinh", ANY), ("acosh", domain(1.2, 4.0, 1, 4)), ("atanh", UNIT),
                    ("erf", ANY), ("erfc", ANY), ("erfinv", UNIT), ("deg2rad", ANY),
                    ("rad2deg", ANY), ("logit", PROBABILITY)]:
    OPS += unary(_name, _gen)
    OPS.append(special(_name))
for _alias, _gen in [("arcsin", UNIT), ("arccos", UNIT), ("arctan", ANY), ("arcsinh", ANY),
                     ("arccosh", domain(1.2, 4.0, 1, 4)), ("arctanh", UNIT)]:
    OPS += unary(_alias, _gen, alias_of=_alias[3:])
# torch's x.asinh_() (and acosh_, atanh_) has its own graph node, which refuses backward
for _name, _gen in [("asinh", ANY), ("acosh", domain(1.2, 4.0)), ("atanh", UNIT),
                    ("arcsinh", ANY), ("arccosh", domain(1.2, 4.0)), ("arctanh", UNIT)]:
    OPS = [op for op in OPS if op.name != _name + "_"]
    OPS += [OpInfo(_name + "_", call_inplace(_name), few(unary_samples(_gen)),
                   differentiable=False),
            OpInfo(_name + "_.backward", lambda lib, x, form, name=_name: backward_error(
                lib, lambda t: getattr(t.requires_grad_().clone(), name + "_")(), x),
                   few(unary_samples(_gen), 1), dtypes=("float64",), differentiable=False)]

OPS += [
    OpInfo("logit.eps", call("logit"), unary_samples(domain(-0.2, 1.2), eps=0.1)),
    OpInfo("erf.wide", call("erf"), unary_samples(domain(-7.0, 7.0), shapes=[(40,)]),
           dtypes=("float64",), atol=0.0, rtol=1e-15),
    OpInfo("erfc.wide", call("erfc"), unary_samples(domain(-1.0, 27.0), shapes=[(40,)]),
           dtypes=("float64",), atol=0.0, rtol=1e-15, gradgrad=False),
    OpInfo("erfinv.wide", call("erfinv"),
           unary_samples(domain(-0.999999, 0.999999), shapes=[(40,)]),
           dtypes=("float64",), atol=0.0, rtol=1e-14, gradgrad=False),
]
OPS += unary("lgamma", away_from_poles, rtol=1e-5, atol=1e-5)
OPS += unary("digamma", away_from_poles, rtol=1e-5, atol=1e-4)
OPS += [special("lgamma", atol=1e-5), special("digamma", atol=1e-5)]
for _n in (0, 1, 2):
    OPS.append(OpInfo(f"polygamma.n{_n}", lambda lib, x, form, n=_n: (
        lib.polygamma(n, x) if form == "function" else x.polygamma(n)),
        unary_samples(POSITIVE), dtypes=NUMERIC + ("bool",), rtol=1e-5, atol=1e-4))
OPS.append(OpInfo("polygamma_", lambda lib, x, form: call_inplace("polygamma")(lib, x, 1),
                  few(unary_samples(POSITIVE)), rtol=1e-5, atol=1e-4))

# --- unary ops that keep integer dtypes
OPS += unary("abs", NONZERO, dtypes=NUMERIC, inplace_dtypes=NUMERIC)
OPS += unary("absolute", NONZERO, dtypes=NUMERIC, alias_of="abs", inplace_dtypes=NUMERIC)
OPS += unary("neg", dtypes=NUMERIC, inplace_dtypes=NUMERIC)
OPS += unary("negative", dtypes=NUMERIC, alias_of="neg", inplace_dtypes=NUMERIC)
OPS += unary("sign", NONZERO, dtypes=ALL, inplace_dtypes=ALL)
# torch's gradient of sgn is a "ZeroTensor" that test_ops can't read: compare it here
OPS += unary("sgn", NONZERO, dtypes=ALL, inplace_dtypes=ALL, differentiable=False)
OPS.append(OpInfo("sgn.grad", lambda lib, x, form: gradient_values(lib, lib.sgn, x),
                  unary_samples(NONZERO), differentiable=False))
OPS += unary("square", dtypes=ALL, inplace_dtypes=NUMERIC)
OPS += unary("relu", NONZERO, dtypes=NUMERIC, inplace_dtypes=NUMERIC)
OPS += unary("reciprocal", NONZERO, dtypes=ALL)
for _name in ("floor", "ceil", "trunc", "round"):
    OPS += unary(_name, away_from_integers, dtypes=NUMERIC, inplace_dtypes=NUMERIC)
    OPS.append(special(_name))
OPS += unary("fix", away_from_integers, dtypes=NUMERIC, alias_of="trunc", inplace_dtypes=NUMERIC)
OPS += unary("frac", away_from_integers, dtypes=FLOATS)
OPS += [
    OpInfo("round.decimals", lambda lib, x, form: lib.round(x, decimals=2),
           unary_samples(decimals_away_from_ties)),
    OpInfo("round.negative_decimals", lambda lib, x, form: x.round(decimals=-1),
           unary_samples(decimals_away_from_ties)),
    OpInfo("round_.decimals", lambda lib, x, form: call_inplace("round")(lib, x, decimals=2),
           few(unary_samples(decimals_away_from_ties))),
    OpInfo("round.half_to_even", lambda lib, x, form: lib.round(x),
           lambda rng, dtype: iter([Sample((np.array([0.5, 1.5, 2.5, -0.5, -1.5], dtype),),
                                           {"form": "function"})]), differentiable=False),
]
OPS += unary("nan_to_num", ANY, dtypes=ALL, inplace_dtypes=ALL)
OPS += [
    special("nan_to_num"),
    special("nan_to_num.values", lambda lib, x, form: lib.nan_to_num(x, nan=1.5, posinf=9.0,
                                                                     neginf=-9.0)),
    OpInfo("nan_to_num.grad", lambda lib, x, form: lib.nan_to_num(x), special_samples,
           dtypes=("float32",)),  # gradient 0 where x isn't finite (no gradcheck: float32)
    OpInfo("signbit", call("signbit"), unary_samples(NONZERO), dtypes=ALL, differentiable=False),
    special("signbit"),
]

# --- clamp with numbers and with tensors
OPS += [
    OpInfo("clamp", lambda lib, x, form: lib.clamp(x, -1, 1.5), unary_samples(), dtypes=NUMERIC),
    OpInfo("clamp.min", lambda lib, x, form: x.clamp(min=-0.5), unary_samples(), dtypes=NUMERIC),
    OpInfo("clamp.max", lambda lib, x, form: lib.clamp(x, max=2), unary_samples(),
           dtypes=NUMERIC),
    OpInfo("clamp.float_bounds_on_ints", lambda lib, x, form: lib.clamp(x, 0.5, 2.5),
           unary_samples(), dtypes=INTS + ("bool",)),
    OpInfo("clamp.bool", lambda lib, x, form: lib.clamp(x, 0, 1), unary_samples(),
           dtypes=("bool",)),
    OpInfo("clamp.min_above_max", lambda lib, x, form: lib.clamp(x, 2.0, -1.0), unary_samples()),
    OpInfo("clamp.tensors", lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
           lambda rng, dtype: (Sample((rand(rng, s, dtype), rand(rng, sl, dtype, -3, -0.5),
                                       rand(rng, sh, dtype, 0.5, 3))) for s, sl, sh in
                               [((), (), ()), ((5,), (5,), (5,)), ((3, 4), (4,), (3, 1)),
                                ((3, 4), (), (3, 4))]), dtypes=NUMERIC),
    OpInfo("clamp.tensor_min", lambda lib, x, lo, form: lib.clamp(x, min=lo),
           binary_samples(right=(), left_form=None)),
    OpInfo("clamp.tensor_max", lambda lib, x, hi, form: x.clamp(max=hi),
           binary_samples(right=(), left_form=None)),
    OpInfo("clamp.tensor_bounds_crossed", lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
           lambda rng, dtype: iter([Sample((rand(rng, (4, 5), dtype), rand(rng, (4, 5), dtype),
                                            rand(rng, (4, 5), dtype)))])),
    OpInfo("clamp.tensor_promotion", lambda lib, x, lo: lib.clamp(x, min=lo),
           lambda rng, dtype: iter([Sample((rand(rng, (3, 4), dtype),
                                            rand(rng, (4,), "float64")))]),
           dtypes=("float32",) + INTS),
    OpInfo("clip", lambda lib, x, form: lib.clip(x, -1, 1.5), few(unary_samples(), 2),
           dtypes=NUMERIC),
    OpInfo("clamp_min", lambda lib, x, form: lib.clamp_min(x, 0.5), unary_samples(),
           dtypes=NUMERIC),
    OpInfo("clamp_max", lambda lib, x, form: x.clamp_max(0.5), unary_samples(), dtypes=NUMERIC),
    OpInfo("clamp_min.tensor", lambda lib, x, lo, form: lib.clamp_min(x, lo),
           binary_samples(right=(), left_form=None)),
    OpInfo("clamp_max.tensor", lambda lib, x, hi, form: x.clamp_max(hi),
           binary_samples(right=(), left_form=None)),
    OpInfo("clamp_", lambda lib, x, form: call_inplace("clamp")(lib, x, -1, 2),
           few(unary_samples()), dtypes=NUMERIC),
    OpInfo("clamp_.tensors", lambda lib, x, lo: call_inplace("clamp")(lib, x, lo, lo + 2),
           inplace_binary_samples(right=())),
    OpInfo("clip_", lambda lib, x, form: call_inplace("clip")(lib, x, max=1), few(unary_samples()),
           dtypes=NUMERIC),
    OpInfo("clamp_min_", lambda lib, x, form: call_inplace("clamp_min")(lib, x, 1),
           few(unary_samples()), dtypes=NUMERIC),
    OpInfo("clamp_max_", lambda lib, x, form: call_inplace("clamp_max")(lib, x, -1),
           few(unary_samples()), dtypes=NUMERIC),
]

# --- binary arithmetic
OPS += binary("add", operator.add, dtypes=ALL, inplace_dtypes=NUMERIC)
OPS += binary("sub", operator.sub)
OPS += binary("subtract", operator.sub, alias=True)
OPS += binary("mul", operator.mul, dtypes=ALL, inplace_dtypes=NUMERIC)
OPS += binary("multiply", operator.mul, alias=True)
OPS += binary("div", operator.truediv, gen_b=NONZERO, dtypes=ALL, inplace_dtypes=FLOATS,
              right=(2, 2.5, 0.5))
OPS += binary("divide", operator.truediv, gen_b=NONZERO, alias=True, inplace_dtypes=FLOATS)
OPS += binary("true_divide", operator.truediv, gen_b=NONZERO, alias=True, inplace_dtypes=FLOATS)
OPS += [
    OpInfo("add.alpha", lambda lib, a, b, form: lib.add(a, b, alpha=2), binary_samples()),
    OpInfo("add.float_alpha", lambda lib, a, b, form: a.add(b, alpha=0.5),
           binary_samples(right=(2.5,), left_form=None)),
    OpInfo("sub.alpha", lambda lib, a, b, form: lib.sub(a, b, alpha=3),
           binary_samples(left_form=None)),
    errors("add.float_alpha_on_ints", lambda lib, a, b: lib.add(a, b, alpha=0.5),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype)))]),
           INTS),
    OpInfo("add_.alpha", lambda lib, a, b: call_inplace("add")(lib, a, b, alpha=2),
           inplace_binary_samples(), dtypes=NUMERIC),
    OpInfo("sub_.alpha", lambda lib, a, b: call_inplace("sub")(lib, a, b, alpha=2),
           inplace_binary_samples(), dtypes=NUMERIC),
    OpInfo("rsub", lambda lib, a, b, form: lib.rsub(a, b), binary_samples(left_form=None)),
    OpInfo("rsub.alpha", lambda lib, a, b, form: lib.rsub(a, b, alpha=2),
           binary_samples(right=(2,), left_form=None)),
]
for _mode in ("trunc", "floor"):
    OPS += [
        OpInfo(f"div.{_mode}", lambda lib, a, b, form, mode=_mode: (
            lib.div(a, b, rounding_mode=mode) if form != "method" else
            a.div(b, rounding_mode=mode)),
            binary_samples(away_from_integers, NONZERO, left_form=None), dtypes=NUMERIC),
        OpInfo(f"div_.{_mode}", lambda lib, a, b, mode=_mode: call_inplace("div")(
            lib, a, b, rounding_mode=mode),
            inplace_binary_samples(away_from_integers, NONZERO), dtypes=NUMERIC),
    ]
OPS += binary("floor_divide", operator.floordiv, NUMERIC, gen_a=away_from_integers,
              gen_b=NONZERO, differentiable=False)
OPS += binary("fmod", None, NUMERIC, gen_a=away_from_integers, gen_b=NONZERO, right=(2, 1.5))
OPS += binary("remainder", operator.mod, NUMERIC, gen_a=away_from_integers, gen_b=NONZERO,
              right=(2, 1.5, -1.5), left=())
OPS.append(OpInfo("remainder.number_first", lambda lib, n, x, form: n % x,
                  binary_samples(gen_b=NONZERO, pairs=(), right=(), left=(3, 1.5, -2)),
                  dtypes=NUMERIC, differentiable=False))  # torch defines no derivative
OPS += [
    OpInfo("fmod.signs", lambda lib, a, b: lib.fmod(a, b),
           lambda rng, dtype: iter([Sample((np.array([-7.5, 7.5, -0.0, 0.0, 5.0, -5.0], dtype),
                                            np.array([2, -2, 2, -2, np.inf, 3], dtype)))]),
           differentiable=False),
    OpInfo("remainder.signs", lambda lib, a, b: lib.remainder(a, b),
           lambda rng, dtype: iter([Sample((np.array([-7.5, 7.5, -0.0, 0.0, 5.0, -5.0], dtype),
                                            np.array([2, -2, 2, -2, np.inf, 3], dtype)))]),
           differentiable=False),
    OpInfo("remainder.int_signs", lambda lib, a, b: (lib.remainder(a, b), lib.fmod(a, b),
                                                     a // b, lib.div(a, b, rounding_mode="trunc")),
           lambda rng, dtype: iter([Sample((np.array([-7, 7, -7, 7, 0], dtype),
                                            np.array([2, -2, -2, 2, 3], dtype)))]),
           dtypes=INTS, differentiable=False),
    OpInfo("div.by_zero_floats", lambda lib, a, b: (a / b, a // b, lib.remainder(a, b),
                                                    lib.fmod(a, b),
                                                    lib.div(a, b, rounding_mode="trunc")),
           lambda rng, dtype: iter([Sample((np.array([1.0, -1.0, 0.0, -0.0], dtype),
                                            np.array([0.0, 0.0, 0.0, -0.0], dtype)))]),
           differentiable=False),
    OpInfo("div.ints_by_zero_true_division", lambda lib, a, b: a / b,
           lambda rng, dtype: iter([Sample((np.array([1, -1, 0], dtype),
                                            np.array([0, 0, 0], dtype)))]),
           dtypes=INTS, differentiable=False),
    errors("div.ints_by_zero_rounded", lambda lib, a, b, mode: lib.div(a, b, rounding_mode=mode),
           lambda rng, dtype: (Sample((np.array([1, 2], dtype), np.array([1, 0], dtype)),
                                      {"mode": mode}) for mode in ("trunc", "floor")), INTS),
    errors("floor_divide.ints_by_zero", lambda lib, a, b: a // b,
           lambda rng, dtype: iter([Sample((np.array([1, 2], dtype), np.array([0, 1], dtype))),
                                    Sample((np.array([1, 2], dtype), 0))]), INTS),
    errors("remainder.ints_by_zero", lambda lib, a, b: (lib.remainder(a, b), lib.fmod(a, b)),
           lambda rng, dtype: iter([Sample((np.array([1, 2], dtype), np.array([0, 1], dtype))),
                                    Sample((np.array([1, 2], dtype), 0)),
                                    Sample((5, np.array([0, 1], dtype)))]), INTS),
    errors("fmod.ints_by_zero", lambda lib, a, b: lib.fmod(a, b),
           lambda rng, dtype: iter([Sample((np.array([3], dtype), np.array([0], dtype)))]), INTS),
    errors("div.rounded_bools", lambda lib, a, b: (a // b, lib.remainder(a, b)),
           lambda rng, dtype: iter([Sample((np.array([True]), np.array([True])))]), ("bool",)),
    OpInfo("floor_divide.grad_fn", lambda lib, a, b: backward_error(
        lib, lambda x, y: x.requires_grad_() // y, a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), 2.0))]),
           dtypes=("float64",), differentiable=False),
    OpInfo("remainder.number_first_grad_fn", lambda lib, a: backward_error(
        lib, lambda x: 5.0 % x.requires_grad_(), a),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype, 1, 3),))]),
           dtypes=("float64",), differentiable=False),
]

# --- powers
OPS += binary("pow", operator.pow, dtypes=FLOATS, gen_a=POSITIVE, right=(2, 3, 0.5, -1.5, 0),
              left=(2, 0.5, 2.5))
OPS += [
    OpInfo("pow.integer_exponent_negative_base", lambda lib, x, form: x ** 3, unary_samples()),
    OpInfo("pow.ints", lambda lib, a, b, form: lib.pow(a, b),
           binary_samples(domain(-3, 3), domain(0, 3), right=(2, 0, 2.5), left=(2, -2, 1.5)),
           dtypes=INTS),
    OpInfo("pow.int_negative_exponents", lambda lib, a, b: (a ** b, 2 ** b, (-1) ** b),
           lambda rng, dtype: iter([Sample((rand(rng, (4, 5), dtype, -3, 3),
                                            rand(rng, (4, 5), dtype, -3, 3)))]),
           dtypes=INTS, differentiable=False),
    errors("pow.ints_to_negative_number", lambda lib, a: a ** -1,
           lambda rng, dtype: iter([Sample((np.array([1, 2], dtype),))]), INTS),
    errors("pow.bools", lambda lib, a, b: lib.pow(a, b),
           lambda rng, dtype: iter([Sample((np.array([True]), np.array([False]))),
                                    Sample((True, np.array([False]))),
                                    Sample((np.array([True]), 2))]), ("bool",)),
    OpInfo("pow.zero_base", lambda lib, x: (lib.pow(0.0, x), x.abs() ** x),
           lambda rng, dtype: iter([Sample((np.array([-1.5, -0.7, 0.7, 1.5], dtype),))]),
           dtypes=("float32",)),  # infinite values: no gradcheck
    OpInfo("pow.zero_base_zero_exponent", lambda lib, a, b: lib.pow(a, b),
           lambda rng, dtype: iter([Sample((np.array([0.0, 0.0, 2.0, 1.5], dtype),
                                            np.array([0.0, 2.0, 0.0, 1.5], dtype)))]),
           dtypes=("float32",)),  # the defined limits at 0; no gradcheck (float32 only)
    OpInfo("float_power", call("float_power"),
           binary_samples(POSITIVE, domain(-2, 2), right=(2, 0.5, True), left=(2, 1.5),
                          left_form="function"), dtypes=NUMERIC),
    OpInfo("float_power_", call_inplace("float_power"),
           inplace_binary_samples(POSITIVE, domain(-2, 2), right=(2, 0.5)),
           dtypes=("float64",)),
    errors("float_power_.float32", lambda lib, x: x.float_power_(2),
           lambda rng, dtype: iter([Sample((np.array([1.5], dtype),))]), ("float32",) + INTS),
    OpInfo("square.bool", lambda lib, x: (lib.square(x), x ** 2),
           lambda rng, dtype: iter([Sample((np.array([True, False]),))]), dtypes=("bool",),
           differentiable=False),
]
OPS += [
    OpInfo("lerp", lambda lib, a, b, form: lib.lerp(a, b, 0.3) if form != "method" else
           a.lerp(b, 0.3), binary_samples(right=(), left_form=None)),
    OpInfo("lerp.tensor_weight", lambda lib, a, b, w: lib.lerp(a, b, w),
           lambda rng, dtype: (Sample((rand(rng, s, dtype), rand(rng, s2, dtype),
                                       rand(rng, s3, dtype, 0, 1))) for s, s2, s3 in
                               [((), (), ()), ((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)),
                                ((5,), (5,), ())])),
    OpInfo("lerp_", lambda lib, a, b: call_inplace("lerp")(lib, a, b, 0.7),
           lambda rng, dtype: (s for s in inplace_binary_samples(right=())(rng, dtype))),
]

# --- two-argument math (tensors only, as in torch)
OPS += binary("atan2", dtypes=ALL, inplace_dtypes=FLOATS, gen_b=NONZERO, right=(), left=())
OPS += binary("arctan2", dtypes=FLOATS, gen_b=NONZERO, right=(), left=(), alias=True)
OPS += binary("logaddexp", dtypes=FLOATS, right=(), left=(), inplace=False)
OPS += binary("logaddexp2", dtypes=FLOATS, right=(), left=(), inplace=False)
OPS += binary("hypot", dtypes=FLOATS, gen_a=NONZERO, right=(), left=())
OPS += binary("copysign", dtypes=ALL, inplace_dtypes=FLOATS, gen_a=NONZERO, gen_b=NONZERO,
              right=(-1, 2.5), left=())
OPS += binary("xlogy", dtypes=ALL, inplace_dtypes=FLOATS, gen_b=POSITIVE, right=(2, 0.5),
              left=(0, 2.5), left_form="function")
OPS += binary("heaviside", dtypes=ALL, right=(), left=(), differentiable=False)
OPS += [
    OpInfo("logaddexp.large", lambda lib, a, b: lib.logaddexp(a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (5,), dtype, 500, 800),
                                            rand(rng, (5,), dtype, 500, 800)))]),
           dtypes=("float64",)),
    OpInfo("xlogy.zeros", lambda lib, a, b: lib.xlogy(a, b),
           lambda rng, dtype: iter([Sample((np.array([0.0, 0.0, 0.0, 2.0, 1.5], dtype),
                                            np.array([0.0, np.nan, 2.0, 0.0, 3.0], dtype)))]),
           dtypes=FLOATS, differentiable=False),
    OpInfo("xlogy.zeros_grad", lambda lib, a, b: lib.xlogy(a, b),
           lambda rng, dtype: iter([Sample((np.array([0.0, 0.0, 2.0, 1.5], dtype),
                                            np.array([2.0, 0.5, 3.0, 0.5], dtype)))]),
           dtypes=("float32",)),
    OpInfo("copysign.zeros", lambda lib, a, b: lib.copysign(a, b),
           lambda rng, dtype: iter([Sample((np.array([0.0, -0.0, 2.0, -3.0], dtype),
                                            np.array([-1.0, 1.0, -0.0, 0.0], dtype)))]),
           dtypes=("float32",)),  # gradient 0 at 0 (torch's choice); float32: no gradcheck
    OpInfo("heaviside.special", lambda lib, a, b: lib.heaviside(a, b),
           lambda rng, dtype: iter([Sample((special_values(dtype), np.array(0.5, dtype)))]),
           differentiable=False),
    OpInfo("heaviside.grad_fn", lambda lib, a, b: backward_error(
        lib, lambda x, v: lib.heaviside(x.requires_grad_(), v), a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype)))]),
           dtypes=("float64",), differentiable=False),
    errors("heaviside.mixed_dtypes", lambda lib, a, b: lib.heaviside(a, b.double()),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype)))]),
           ("float32",)),
    errors("hypot.ints", lambda lib, a, b: (lib.hypot(a, b), lib.logaddexp(a, b)),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype)))]),
           INTS + ("bool",)),
    errors("atan2.number", lambda lib, a, b: lib.atan2(a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), 2.0)),
                                    Sample((2.0, rand(rng, (3,), dtype)))]), FLOATS),
]


def ternary_samples(gen=ANY, gen_c=ANY, **kwargs):
    def samples(rng, dtype):
        for sa, sb, sc in [((), (), ()), ((5,), (5,), (5,)), ((3, 4), (3, 4), (3, 4)),
                           ((3, 4), (4,), (3, 1)), ((4,), (3, 1), ()), ((2, 3, 4), (3, 4), (4,))]:
            yield Sample((gen(rng, sa, dtype), gen(rng, sb, dtype), gen_c(rng, sc, dtype)),
                         dict(kwargs))
    return samples


def inplace_ternary_samples(gen=ANY, gen_c=ANY, **kwargs):
    def samples(rng, dtype):
        for sa, sb, sc in [((), (), ()), ((5,), (5,), (5,)), ((3, 4), (4,), (3, 1))]:
            yield Sample((gen(rng, sa, dtype), gen(rng, sb, dtype), gen_c(rng, sc, dtype)),
                         dict(kwargs))
    return samples


OPS += [
    OpInfo("addcmul", call("addcmul"), ternary_samples(), dtypes=NUMERIC),
    OpInfo("addcmul.value", call("addcmul"), ternary_samples(value=0.5)),
    OpInfo("addcmul.int_value", call("addcmul"), ternary_samples(value=3), dtypes=NUMERIC),
    OpInfo("addcmul.method", call("addcmul", None), ternary_samples(form="method", value=-2)),
    OpInfo("addcmul_", call_inplace("addcmul"), inplace_ternary_samples(value=2),
           dtypes=NUMERIC),
    OpInfo("addcdiv", call("addcdiv"), ternary_samples(gen_c=NONZERO)),
    OpInfo("addcdiv.value", call("addcdiv"), ternary_samples(gen_c=NONZERO, value=-0.5)),
    OpInfo("addcdiv.method", call("addcdiv"), ternary_samples(gen_c=NONZERO, form="method",
                                                              value=2)),
    OpInfo("addcdiv_", call_inplace("addcdiv"), inplace_ternary_samples(gen_c=NONZERO, value=2)),
    OpInfo("addcdiv.mixed_dtypes", lambda lib, a, b, c: (lib.addcdiv(a.long(), b, c.long()),
                                                         lib.addcmul(a.long(), b, c.int())),
           ternary_samples(gen_c=NONZERO), dtypes=("float32",), differentiable=False),
    errors("addcdiv.ints", lambda lib, a, b, c: lib.addcdiv(a, b, c),
           few(ternary_samples(gen_c=NONZERO), 1), INTS),
    errors("addcmul.bools", lambda lib, a, b, c: lib.addcmul(a, b, c),
           few(ternary_samples(), 1), ("bool",)),
    errors("addcmul.number", lambda lib, a, b, c: lib.addcmul(a, b, 2.0),
           few(ternary_samples(), 1), ("float32",)),
]

# --- maximum / minimum and their NaN-ignoring versions
for _name in ("maximum", "minimum", "fmax", "fmin"):
    OPS += binary(_name, dtypes=ALL, right=(), left=(), inplace=False)
    OPS += [
        OpInfo(f"{_name}.ties", lambda lib, a, b, name=_name: getattr(lib, name)(a, b),
               lambda rng, dtype: iter([Sample((np.array([1.0, 2.0, 3.0, -1.0], dtype),
                                                np.array([1.0, 1.0, 4.0, -1.0], dtype)))]),
               dtypes=("float32",)),  # gradient at ties, against torch; float32: no gradcheck
        OpInfo(f"{_name}.nan", lambda lib, a, b, name=_name: getattr(lib, name)(a, b),
               lambda rng, dtype: iter([Sample((np.array([np.nan, 1.0, np.nan, 2.0], dtype),
                                                np.array([2.0, np.nan, np.nan, -1.0], dtype)))]),
               dtypes=FLOATS, differentiable=False),
        errors(f"{_name}.number", lambda lib, a, name=_name: getattr(lib, name)(a, 2.0),
               lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype),))]), ("float32",)),
    ]

# --- where
OPS += [
    OpInfo("where", lambda lib, c, a, b: lib.where(c, a, b),
           lambda rng, dtype: (Sample((rand(rng, sc, "bool"), rand(rng, sa, dtype),
                                       rand(rng, sb, dtype))) for sc, sa, sb in
                               [((), (), ()), ((5,), (5,), (5,)), ((3, 4), (3, 4), (3, 4)),
                                ((3, 1), (1, 4), (3, 4)), ((2, 3, 4), (4,), ()),
                                ((4,), (3, 4), (3, 1))]), dtypes=ALL),
    OpInfo("where.numbers", lambda lib, c, a, b: lib.where(c, a, b),
           lambda rng, dtype: (Sample((rand(rng, (3, 4), "bool"), *pair)) for pair in [
               (rand(rng, (3, 4), dtype), 0.0), (2, rand(rng, (4,), dtype)),
               (rand(rng, (3, 4), dtype), 2.5), (1.5, rand(rng, (), dtype))]), dtypes=ALL),
    OpInfo("where.two_numbers", lambda lib, c, a, b: lib.where(c > 0, a, b),
           lambda rng, dtype: (Sample((rand(rng, (3, 4), dtype), *pair)) for pair in [
               (1, 0), (1.0, 0), (True, False), (2.5, -1.5)]), dtypes=("float32",),
           differentiable=False),
    OpInfo("where.uint8_condition", lambda lib, c, a, b: lib.where(c, a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (3, 4), "bool").astype(np.uint8),
                                            rand(rng, (3, 4), dtype), rand(rng, (4,), dtype)))]),
           dtypes=("float64",)),
]

# --- comparisons and logic: bool results, no gradient
for _name, _op in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt),
                   ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]:
    OPS += binary(_name, _op, dtypes=ALL, differentiable=False, right=(1, 0.5), left=(1, 0.5))
for _alias, _op in [("not_equal", operator.ne), ("less", operator.lt),
                    ("less_equal", operator.le), ("greater", operator.gt),
                    ("greater_equal", operator.ge)]:
    OPS += binary(_alias, _op, dtypes=ALL, differentiable=False, alias=True, right=(1, 0.5))
OPS += [
    OpInfo("eq.integer_values", lambda lib, a, b: (a == b, a <= b, a != 2),
           lambda rng, dtype: iter([Sample((rand(rng, (6, 5), dtype, -2, 2),
                                            rand(rng, (6, 5), dtype, -2, 2)))]),
           dtypes=ALL, differentiable=False),
    OpInfo("eq.nan", lambda lib, a, b: (a == b, a != b, a < b, a >= b),
           lambda rng, dtype: iter([Sample((special_values(dtype), special_values(dtype)[::-1]))]),
           differentiable=False),
]
for _name, _op in [("logical_and", None), ("logical_or", None), ("logical_xor", None)]:
    OPS += binary(_name, dtypes=ALL, differentiable=False, right=(), left=())
OPS += unary("logical_not", dtypes=ALL, inplace_dtypes=ALL, differentiable=False)
for _name, _op in [("bitwise_and", operator.and_), ("bitwise_or", operator.or_),
                   ("bitwise_xor", operator.xor)]:
    OPS += binary(_name, _op, dtypes=INTS + ("bool",), differentiable=False, right=(6, True),
                  left=(5, True))
OPS += [
    OpInfo("bitwise_not", lambda lib, x, form: ~x if form == "method" else lib.bitwise_not(x),
           unary_samples(), dtypes=INTS + ("bool",), differentiable=False),
    OpInfo("bitwise_not_", call_inplace("bitwise_not"), few(unary_samples()),
           dtypes=INTS + ("bool",), differentiable=False),
    errors("bitwise_and.floats", lambda lib, a, b: (a & b, lib.bitwise_or(a, b)),
           few(binary_samples(), 2), FLOATS),
]
for _name in ("isnan", "isinf", "isfinite"):
    OPS += [OpInfo(_name, call(_name), unary_samples(), dtypes=ALL, differentiable=False),
            special(_name)]
OPS += [
    OpInfo("isclose", lambda lib, a, b, form: lib.isclose(a, b),
           lambda rng, dtype: (Sample((a, np.asarray(a + rng.uniform(-2e-5, 2e-5, a.shape),
                                                     dtype)),
                                      {"form": "function"})
                               for a in (rand(rng, s, dtype) for s in SHAPES)),
           dtypes=FLOATS, differentiable=False),
    OpInfo("isclose.tolerances", lambda lib, a, b: (a.isclose(b, rtol=0.1, atol=0.0),
                                                    lib.isclose(a, b, equal_nan=True)),
           lambda rng, dtype: iter([Sample((special_values(dtype),
                                            special_values(dtype) * 1.05))]),
           differentiable=False),
    OpInfo("isclose.ints", lambda lib, a, b: lib.isclose(a, b),
           lambda rng, dtype: iter([Sample((rand(rng, (4, 5), dtype), rand(rng, (4, 5), dtype)))]),
           dtypes=INTS + ("bool",), differentiable=False),
    errors("isclose.mixed_dtypes", lambda lib, a, b: lib.isclose(a, b.long()),
           lambda rng, dtype: iter([Sample((rand(rng, (3,), dtype), rand(rng, (3,), dtype)))]),
           ("float32",)),
    OpInfo("allclose", lambda lib, a, b: (lib.allclose(a, b), a.allclose(b * 1.1),
                                          lib.allclose(a, b * 1.1, rtol=0.2)),
           lambda rng, dtype: (Sample((a, np.asarray(a + 1e-7, dtype)))
                               for a in (rand(rng, s, dtype, 1, 3) for s in SHAPES)),
           differentiable=False),
    OpInfo("equal", lambda lib, a, b: (lib.equal(a, b), a.equal(a.clone()), lib.equal(a, a[:1])),
           lambda rng, dtype: (Sample((rand(rng, s, dtype), rand(rng, s, dtype)))
                               for s in [(3, 4), (5,)]),
           dtypes=ALL, differentiable=False),
]
