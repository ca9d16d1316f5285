"""The op table: every op described once, with sample inputs, driving all op tests.

An ``OpInfo`` names an op and gives ``fn(lib, *args, **kwargs)``, written once against the
library module ``lib``: the same code runs with ``lib=tensorkit`` and ``lib=torch``, since
the APIs are the same.  ``samples(rng, dtype)`` yields ``Sample``s whose array arguments
become tensors of either library.  ``tests/test_ops.py`` turns each (op, sample, dtype)
into tests of values, dtypes and shapes against torch, gradients against torch and
against finite differences, and the same on the GPU when one is present.

Each family of ops has its own module here (``elementwise.py``, ``reduction.py``, ...)
with a list ``OPS``; this package collects them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

FLOATS = ("float32", "float64")
INTS = ("int64", "int32")
ALL = FLOATS + INTS + ("bool",)


@dataclass
class Sample:
    """Arguments of one call: arrays become tensors; ``grad`` marks which ones need grad."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    grad: tuple | None = None  # indices of the array args that get requires_grad (None: all)
    name: str = ""

    def __repr__(self) -> str:
        if self.name:
            return self.name
        parts = [f"{a.dtype}{list(a.shape)}" if isinstance(a, np.ndarray) else repr(a)
                 for a in self.args]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ",".join(parts)


@dataclass
class OpInfo:
    """One op: how to call it, on what inputs, and what to check."""

    name: str
    fn: Callable                                  # fn(lib, *args, **kwargs)
    samples: Callable[..., Iterator[Sample]]      # samples(rng, dtype)
    dtypes: tuple = FLOATS
    differentiable: bool = True
    gradgrad: bool = True                         # also check second derivatives
    grad_dtypes: tuple = FLOATS
    atol: float = 1e-5
    rtol: float = 1.3e-6
    gradcheck_atol: float = 1e-5
    gradcheck_rtol: float = 1e-3
    compare_torch: bool = True                    # False where torch can't run the same call
    cuda: bool = True
    check_grad_fn: bool = True                    # the output's grad_fn name equals torch's

    def __repr__(self) -> str:
        return self.name


def all_ops() -> list[OpInfo]:
    ops = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        ops.extend(getattr(module, "OPS", ()))
    return ops


# ------------------------------------------------------------------ sample helpers

def rand(rng: np.random.Generator, shape, dtype: str, low: float = -3.0, high: float = 3.0,
         avoid_zero: bool = False) -> np.ndarray:
    """Random values of a given shape and dtype (integers in [low, high])."""
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.startswith("int") or dtype.startswith("uint"):
        a = np.asarray(rng.integers(int(low), int(high) + 1, size=shape)).astype(dtype)
        if avoid_zero:
            a[a == 0] = 1
        return a
    a = np.asarray(rng.uniform(low, high, size=shape)).astype(dtype)
    if avoid_zero:
        a[np.abs(a) < 0.1] = 0.5
    return a


def positive(rng, shape, dtype, low: float = 0.2, high: float = 3.0) -> np.ndarray:
    return rand(rng, shape, dtype, low, high)


BROADCAST_PAIRS = [((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)),
                   ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)), ((3, 4), ())]
SHAPES = [(), (5,), (3, 4), (2, 3, 4)]
