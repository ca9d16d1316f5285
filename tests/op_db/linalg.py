"""Op table entries: matrix products, einsum, tensordot and friends.

Shapes cover every case of ``matmul`` (vector and matrix operands, folded and broadcast
batches), dims of length 1 and 0, and transposed (non-contiguous) operands: see
``cases`` in ``shape.py`` for the ``nc`` convention.
"""

from __future__ import annotations

from . import FLOATS, INTS, OpInfo, Sample, rand
from .shape import cases, nc

# float32 products sum several rounded terms: allow for the order of the additions
TOL = {"atol": 1e-4, "rtol": 1e-5}


def op(name, fn, specs, **info):
    return OpInfo(name, nc(fn), cases(*specs), **{**TOL, **info})


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->j", [(2, 2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,j->ij", [(2,), (3,)]),
    ("...ij,jk", [(2, 2, 3), (3, 2)]), ("ij...,j->i...", [(2, 3, 2), (3,)]),
    ("ij,jk->ik", [(2, 1), (3, 2)]), ("i,->i", [(3,), ()]), ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ba,ab", [(2, 3), (3, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ij->j", [(0, 3)]), ("Ab,bC->AC", [(2, 3), (3, 2)]),
]

MATMUL_SHAPES = [
    [[(3,), (3,)]],                      # dot
    [[(2, 3), (3,)]],                    # mv
    [[(3,), (3, 2)]],                    # vector @ matrix
    [[(2, 3), (3, 4)]],                  # mm
    [[(2, 2, 3), (3, 2)]],               # batch @ matrix: folded into one mm
    [[(2, 2, 3), (3,)]],                 # batch @ vector: folded into one mv
    [[(3,), (2, 3, 2)]],                 # vector @ batch
    [[(2, 3), (2, 3, 2)]],               # matrix @ batch
    [[(2, 2, 3), (2, 3, 2)]],            # bmm
    [[(2, 1, 2, 3), (3, 3, 2)]],         # broadcast batch dims
    [[(1, 2, 3), (4, 3, 1)]],            # broadcast, size-1 dims: a batch of one acts as a matrix
    [[(4, 2, 3), (1, 3, 2)]],
    [[(1, 1, 2, 3), (2, 3, 2)]],
    [[(2, 0, 3), (3, 2)]],               # empty batch
    [[(3, 2), (3, 2, 2)], {}, (0,)],     # transposed matrix @ batch
    [[(2, 3, 2), (2, 3)], {}, (0, 1)],   # transposed batch @ transposed matrix
    [[(2, 3, 2), (2, 2, 3)], {}, (1,)],
]

OPS = [
    op("mm", lambda lib, a, b: a.mm(b), [
        [[(2, 3), (3, 4)]], [[(1, 1), (1, 1)]], [[(2, 0), (0, 3)]], [[(2, 3), (3, 4)], {}, (0,)],
        [[(2, 3), (3, 4)], {}, (1,)]], dtypes=FLOATS + INTS),
    op("bmm", lambda lib, a, b: lib.bmm(a, b), [
        [[(2, 2, 3), (2, 3, 4)]], [[(1, 1, 1), (1, 1, 1)]], [[(2, 3, 2), (2, 2, 4)], {}, (0,)]],
       dtypes=FLOATS + INTS),
    op("mv", lambda lib, a, v: lib.mv(a, v), [
        [[(2, 3), (3,)]], [[(1, 1), (1,)]], [[(2, 3), (3,)], {}, (0,)]], dtypes=FLOATS + INTS),
    op("dot", lambda lib, a, b: lib.dot(a, b), [[[(3,), (3,)]], [[(1,), (1,)]], [[(0,), (0,)]]],
       dtypes=FLOATS + INTS),
    op("matmul", lambda lib, a, b: a @ b, MATMUL_SHAPES, dtypes=FLOATS + INTS),
    op("matmul_fn", lambda lib, a, b: lib.matmul(a, b), [[[(2, 2, 3), (3, 2)]]]),
    op("addmm", lambda lib, c, a, b, **kw: lib.addmm(c, a, b, **kw), [
        [[(2, 4), (2, 3), (3, 4)]], [[(4,), (2, 3), (3, 4)]], [[(), (1, 2), (2, 1)]],
        [[(2, 4), (2, 3), (3, 4)], {"beta": 0.5, "alpha": 2.0}],
        [[(1, 4), (3, 2), (2, 4)], {"alpha": -1.0}, (1,)]]),
    op("baddbmm", lambda lib, c, a, b, **kw: lib.baddbmm(c, a, b, **kw), [
        [[(2, 2, 4), (2, 2, 3), (2, 3, 4)]], [[(4,), (2, 2, 3), (2, 3, 4)]],
        [[(2, 1), (2, 2, 3), (2, 3, 1)], {"beta": 2.0, "alpha": 0.5}],
        [[(1, 1), (2, 2, 3), (2, 3, 2)], {}, (1,)]]),
    op("addbmm", lambda lib, c, a, b, **kw: lib.addbmm(c, a, b, **kw), [
        [[(2, 4), (3, 2, 3), (3, 3, 4)]], [[(), (2, 2, 3), (2, 3, 2)], {"beta": 0.5, "alpha": 2.0}],
        [[(2, 2), (2, 2, 3), (2, 3, 2)], {}, (1,)]]),
    op("addmv", lambda lib, c, a, v, **kw: lib.addmv(c, a, v, **kw), [
        [[(2,), (2, 3), (3,)]], [[(), (2, 3), (3,)], {"beta": 2.0, "alpha": 0.5}],
        [[(1,), (2, 3), (3,)], {}, (1,)]]),
    op("addr", lambda lib, c, a, b, **kw: lib.addr(c, a, b, **kw), [
        [[(2, 3), (2,), (3,)]], [[(3,), (2,), (3,)], {"beta": 0.5, "alpha": 2.0}],
        [[(2, 3), (2,), (3,)], {}, (0,)]]),
    op("outer", lambda lib, a, b: lib.outer(a, b), [[[(2,), (3,)]], [[(1,), (1,)]]],
       dtypes=FLOATS + INTS),
    op("inner", lambda lib, a, b: lib.inner(a, b), [
        [[(3,), (3,)]], [[(2, 3), (4, 3)]], [[(), (2, 3)]], [[(2, 3), (3,)]],
        [[(2, 3), (2, 2, 3)], {}, (0,)]]),
    op("tensordot", lambda lib, a, b, dims=2: lib.tensordot(a, b, dims=dims), [
        [[(2, 3, 4), (3, 4, 2)]], [[(2, 3), (3, 2)], {"dims": 1}], [[(2,), (3,)], {"dims": 0}],
        [[(2, 3, 4), (4, 3)], {"dims": ([1, 2], [1, 0])}],
        [[(2, 1), (3, 2)], {"dims": ([1], [0])}],
        [[(2, 3), (3, 4)], {"dims": ([1], [0])}, (0,)]]),
    # (torch's kron fails on transposed inputs; tests/test_shape.py checks ours against NumPy)
    op("kron", lambda lib, a, b: lib.kron(a, b), [
        [[(2, 2), (2, 3)]], [[(2,), (2, 2)]], [[(), (2,)]], [[(1, 3), (2,)]]],
       dtypes=FLOATS + INTS),
    op("trace", lambda lib, x: lib.trace(x), [
        [[(3, 3)]], [[(2, 4)]], [[(1, 1)]], [[(4, 2)], {}, (0,)]], dtypes=FLOATS + INTS),
    op("cross", lambda lib, a, b, dim=-1: lib.cross(a, b, dim=dim), [
        [[(3,), (3,)], {"dim": 0}], [[(2, 3), (2, 3)]], [[(3, 2), (3, 2)], {"dim": 0}],
        [[(1, 3), (4, 3)], {"dim": 1}], [[(2, 3), (2, 3)], {"dim": 1}, (0,)]]),
    # torch runs einsum as permutes, sums and bmm's, so its grad_fn varies: not compared
    OpInfo("einsum", lambda lib, eq, *xs: lib.einsum(eq, *xs), lambda rng, dtype: (
        Sample((eq,) + tuple(rand(rng, s, dtype) for s in shapes), name=eq)
        for eq, shapes in EINSUM), check_grad_fn=False, **TOL),
    op("einsum_transposed", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b),
       [[[(2, 3), (3, 4)], {}, (0,)]], check_grad_fn=False),
    op("einsum_ints", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [[[(2, 3), (3, 4)]]],
       dtypes=INTS, check_grad_fn=False),
]


