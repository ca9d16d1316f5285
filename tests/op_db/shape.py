"""Op table entries: shape ops (views and copies that rearrange elements).

Samples cover 0-d tensors, dims of length 1 and non-contiguous inputs: a case listed
with ``nc=(i, ...)`` builds argument ``i`` with its first and last dims swapped and the
op receives ``x.transpose(0, -1)``, a view whose memory is not row-major.
"""

from __future__ import annotations

from . import ALL, OpInfo, Sample, rand


def nc(fn):
    """``fn`` that first transposes the arguments named by the ``nc`` keyword."""
    def wrapped(lib, *args, nc=(), **kwargs):
        args = [a.transpose(0, -1) if i in nc else a for i, a in enumerate(args)]
        return fn(lib, *args, **kwargs)
    return wrapped


def cases(*specs):
    """Samples from ``(shapes, kwargs)`` or ``(shapes, kwargs, nc)`` specs."""
    def samples(rng, dtype):
        for spec in specs:
            shapes, kwargs = spec[0], dict(spec[1]) if len(spec) > 1 else {}
            transposed = spec[2] if len(spec) > 2 else ()
            args = tuple(rand(rng, tuple(s)[::-1] if i in transposed else s, dtype)
                         for i, s in enumerate(shapes))
            if transposed:
                kwargs["nc"] = transposed
            yield Sample(args, kwargs)
    return samples


def op(name, fn, specs, **info):
    return OpInfo(name, nc(fn), cases(*specs), **info)


ANY = ALL  # shape ops move elements around, so every dtype works

OPS = [
    # ---------------------------------------------------------------- views
    op("view", lambda lib, x, shape: x.view(shape), [
        [[(2, 3)], {"shape": (3, 2)}], [[(6,)], {"shape": (-1,)}], [[()], {"shape": (1,)}],
        [[(1,)], {"shape": ()}], [[(2, 3, 4)], {"shape": (4, 6)}],
        [[(1, 4, 1)], {"shape": (2, 2)}],
        [[(6, 4)], {"shape": (2, 3, 4)}, (0,)]], dtypes=ANY),  # splits a dim of x.t()
    op("reshape", lambda lib, x, shape: x.reshape(shape), [
        [[(2, 3)], {"shape": (3, 2)}], [[()], {"shape": (1, 1)}], [[(2, 3, 4)], {"shape": (-1,)}],
        [[(3, 4)], {"shape": (2, 6)}, (0,)], [[(2, 1, 3)], {"shape": (3, 2)}, (0,)]], dtypes=ANY),
    op("view_as", lambda lib, x, other: x.view_as(other),
       [[[(2, 3), (6,)]], [[(4,), (2, 2)]], [[(1,), ()]]]),
    op("reshape_as", lambda lib, x, other: lib.reshape(x, other.shape),
       [[[(2, 3), (3, 2)]], [[(3, 2), (6,)], {}, (0,)]]),
    op("flatten", lambda lib, x, **kw: x.flatten(**kw), [
        [[(2, 3, 4)]], [[()]], [[(2, 3, 4)], {"start_dim": 1}], [[(2, 1, 4)], {"end_dim": -2}],
        [[(2, 3, 4)], {"start_dim": -2, "end_dim": -1}, (0,)], [[(3,)], {"start_dim": 0}]],
       dtypes=ANY),
    op("unflatten", lambda lib, x, dim, sizes: x.unflatten(dim, sizes), [
        [[(2, 12)], {"dim": 1, "sizes": (3, 4)}], [[(12,)], {"dim": 0, "sizes": (2, -1, 3)}],
        [[(6, 2)], {"dim": 0, "sizes": (3, 2)}, (0,)], [[(1,)], {"dim": 0, "sizes": (1, 1)}]],
       dtypes=ANY),
    op("ravel", lambda lib, x: lib.ravel(x), [[[(2, 3)]], [[()]], [[(2, 3)], {}, (0,)]]),
    op("transpose", lambda lib, x, d0, d1: x.transpose(d0, d1), [
        [[(2, 3)], {"d0": 0, "d1": 1}], [[(2, 3, 4)], {"d0": -1, "d1": 0}],
        [[()], {"d0": 0, "d1": -1}], [[(2, 1, 4)], {"d0": 1, "d1": 2}, (0,)]], dtypes=ANY),
    op("swapaxes", lambda lib, x: lib.swapaxes(x, 0, 1), [[[(2, 3)]], [[(1, 3, 2)], {}, (0,)]]),
    op("t", lambda lib, x: x.t(), [[[(2, 3)]], [[(4,)]], [[()]], [[(3, 1)], {}, (0,)]],
       dtypes=ANY),
    op("T", lambda lib, x: x.T, [[[(2, 3)]], [[(5,)]], [[()]]]),
    op("mT", lambda lib, x: x.mT, [[[(2, 3, 4)]], [[(1, 3)]], [[(3, 2, 4)], {}, (0,)]]),
    op("permute", lambda lib, x, dims: x.permute(*dims), [
        [[(2, 3, 4)], {"dims": (2, 0, 1)}], [[(3,)], {"dims": (0,)}],
        [[(2, 1, 3)], {"dims": (-1, 1, 0)}, (0,)]], dtypes=ANY),
    op("movedim", lambda lib, x, src, dst: lib.movedim(x, src, dst), [
        [[(2, 3, 4)], {"src": 0, "dst": 2}], [[(2, 3, 4)], {"src": (0, 1), "dst": (2, 0)}],
        [[(2, 3, 4)], {"src": -1, "dst": 0}, (0,)], [[(5,)], {"src": 0, "dst": 0}]]),
    op("moveaxis", lambda lib, x: x.moveaxis(0, -1), [[[(2, 3, 4)]]]),
    op("squeeze", lambda lib, x: x.squeeze(), [[[(2, 1, 3)]], [[(1, 1)]], [[()]],
                                               [[(1, 3, 1)], {}, (0,)]], dtypes=ANY),
    op("squeeze_dim", lambda lib, x, dim: x.squeeze(dim), [
        [[(2, 1, 3)], {"dim": 1}], [[(2, 1, 3)], {"dim": 0}], [[()], {"dim": 0}],
        [[(1, 3, 1)], {"dim": -1}, (0,)]]),
    op("squeeze_dims", lambda lib, x, dims: x.squeeze(dims), [
        [[(2, 1, 1)], {"dims": (1, 2)}], [[(1, 3, 1)], {"dims": (0, 1)}, (0,)]]),
    op("unsqueeze", lambda lib, x, dim: x.unsqueeze(dim), [
        [[(2, 3)], {"dim": 0}], [[(2, 3)], {"dim": -1}], [[()], {"dim": 0}],
        [[(2, 3)], {"dim": 1}, (0,)]], dtypes=ANY),
    op("expand", lambda lib, x, shape: x.expand(*shape), [
        [[(3, 1)], {"shape": (3, 4)}], [[()], {"shape": (2, 3)}], [[(1,)], {"shape": (2, 1, 5)}],
        [[(2, 3)], {"shape": (4, -1, -1)}], [[(1, 3)], {"shape": (2, 3, 3)}, (0,)]], dtypes=ANY),
    op("expand_as", lambda lib, x, other: x.expand_as(other), [[[(3, 1), (2, 3, 4)]]]),
    op("broadcast_to", lambda lib, x, shape: lib.broadcast_to(x, shape),
       [[[(3, 1)], {"shape": (2, 3, 4)}], [[()], {"shape": (2,)}]]),
    op("broadcast_tensors", lambda lib, *xs: lib.broadcast_tensors(*xs),
       [[[(3, 1), (4,), ()]], [[(2, 3), (2, 3)]], [[(1, 3), (2, 1)], {}, (0,)]]),
    op("select", lambda lib, x, dim, index: x.select(dim, index), [
        [[(3, 4)], {"dim": 0, "index": 1}], [[(3, 4)], {"dim": 1, "index": -1}],
        [[(5,)], {"dim": 0, "index": 2}], [[(2, 3)], {"dim": 0, "index": 1}, (0,)]], dtypes=ANY),
    op("narrow", lambda lib, x, dim, start, length: x.narrow(dim, start, length), [
        [[(5, 3)], {"dim": 0, "start": 1, "length": 3}],
        [[(5, 3)], {"dim": 1, "start": -2, "length": 2}],
        [[(4,)], {"dim": 0, "start": 0, "length": 4}],
        [[(4,)], {"dim": 0, "start": 4, "length": 0}],
        [[(3, 5)], {"dim": 1, "start": 1, "length": 2}, (0,)]], dtypes=ANY),
    op("unfold", lambda lib, x, dim, size, step: x.unfold(dim, size, step), [
        [[(7,)], {"dim": 0, "size": 3, "step": 2}], [[(2, 5)], {"dim": 1, "size": 2, "step": 1}],
        [[(4, 3)], {"dim": 0, "size": 4, "step": 3}], [[()], {"dim": 0, "size": 1, "step": 1}],
        [[(3, 5)], {"dim": 0, "size": 2, "step": 2}, (0,)]]),
    op("diagonal", lambda lib, x, **kw: x.diagonal(**kw), [
        [[(3, 3)]], [[(3, 4)], {"offset": 1}], [[(4, 3)], {"offset": -2}],
        [[(2, 3, 4)], {"offset": 1, "dim1": 0, "dim2": 2}], [[(1, 1)]],
        [[(3, 4)], {"offset": -1}, (0,)]]),
    # ---------------------------------------------------------- multi-output views
    # split, chunk and unbind give all their pieces from one node; an entry checks one piece
    # (``pick``), and tests/test_shape.py runs backward through several at once
    op("split", lambda lib, x, size, dim=0, pick=0: x.split(size, dim)[pick], [
        [[(5, 2)], {"size": 2}], [[(5, 2)], {"size": 2, "pick": -1}], [[(4,)], {"size": 4}],
        [[(2, 6)], {"size": 4, "dim": 1, "pick": 1}],
        [[(3, 4)], {"size": 1, "dim": -1, "pick": 2}, (0,)]], dtypes=ANY),
    op("split_sizes", lambda lib, x, sizes, dim=0, pick=0: lib.split(x, sizes, dim)[pick], [
        [[(5, 2)], {"sizes": [2, 3], "pick": 1}], [[(3,)], {"sizes": [0, 3]}],
        [[(2, 5)], {"sizes": [1, 4], "dim": 1}, (0,)]]),
    op("split_with_sizes", lambda lib, x: x.split_with_sizes([1, 2])[1], [[[(3, 2)]]]),
    op("chunk", lambda lib, x, chunks, dim=0, pick=0: x.chunk(chunks, dim)[pick], [
        [[(5, 2)], {"chunks": 3, "pick": 2}], [[(6,)], {"chunks": 4}],
        [[(2, 1)], {"chunks": 2, "dim": 1}], [[(3, 4)], {"chunks": 2, "dim": 1, "pick": 1}, (0,)]],
       dtypes=ANY),
    op("tensor_split", lambda lib, x, sections, dim=0: lib.tensor_split(x, sections, dim), [
        [[(5, 2)], {"sections": 3}], [[(7,)], {"sections": [1, 4]}],
        [[(5,)], {"sections": [3, 1]}], [[(3, 4)], {"sections": 2, "dim": 1}, (0,)]]),
    op("unbind", lambda lib, x, dim=0, pick=0: x.unbind(dim)[pick], [
        [[(3, 2)]], [[(2, 3)], {"dim": 1, "pick": 2}], [[(1,)]],
        [[(2, 3)], {"dim": -1, "pick": 1}, (0,)]], dtypes=ANY),
    op("meshgrid_ij", lambda lib, *xs: lib.meshgrid(*xs, indexing="ij"),
       [[[(3,), (2,)]], [[(2,), (), (3,)]], [[(4,)]]]),
    op("meshgrid_xy", lambda lib, *xs: lib.meshgrid(*xs, indexing="xy"),
       [[[(3,), (2,)]], [[(2,), (1,), (3,)]]]),
    # ---------------------------------------------------------------- copies
    op("cat", lambda lib, *xs, dim=0: lib.cat(xs, dim), [
        [[(2, 3), (1, 3)]], [[(2, 3), (2, 1)], {"dim": 1}], [[(3,), (0,), (2,)]],
        [[(2, 3), (2, 2)], {"dim": -1}, (0,)]], dtypes=ANY),
    op("stack", lambda lib, *xs, dim=0: lib.stack(xs, dim), [
        [[(2, 3), (2, 3)]], [[(), (), ()]], [[(2, 3), (2, 3)], {"dim": -1}],
        [[(3, 2), (3, 2)], {"dim": 1}, (0, 1)]], dtypes=ANY),
    op("hstack", lambda lib, *xs: lib.hstack(xs), [[[(3,), (2,)]], [[(2, 1), (2, 3)]],
                                                   [[(), ()]]]),
    op("vstack", lambda lib, *xs: lib.vstack(xs), [[[(3,), (3,)]], [[(1, 3), (2, 3)]],
                                                   [[(), ()]]]),
    op("dstack", lambda lib, *xs: lib.dstack(xs), [[[(3,), (3,)]], [[(2, 3), (2, 3)]]]),
    op("column_stack", lambda lib, *xs: lib.column_stack(xs),
       [[[(3,), (3, 2)]], [[(), ()]], [[(3, 2), (3,)], {}, (0,)]]),
    op("atleast_1d", lambda lib, x: lib.atleast_1d(x), [[[()]], [[(2, 3)]]]),
    op("atleast_2d", lambda lib, x: lib.atleast_2d(x), [[[()]], [[(3,)]], [[(2, 3)]]]),
    op("atleast_3d", lambda lib, x: lib.atleast_3d(x), [[[()]], [[(3,)]], [[(2, 3)]]]),
    op("repeat", lambda lib, x, reps: x.repeat(*reps), [
        [[(2, 3)], {"reps": (2, 1)}], [[(3,)], {"reps": (2, 2)}], [[()], {"reps": (3,)}],
        [[(2, 1)], {"reps": (1, 3)}, (0,)]], dtypes=ANY),
    op("tile", lambda lib, x, reps: lib.tile(x, reps), [
        [[(2, 3)], {"reps": (2,)}], [[(2,)], {"reps": (2, 3)}]]),
    op("flip", lambda lib, x, dims: x.flip(dims), [
        [[(2, 3)], {"dims": (0,)}], [[(2, 3, 4)], {"dims": (0, 2)}], [[()], {"dims": ()}],
        [[(3, 2)], {"dims": (1,)}, (0,)]], dtypes=ANY),
    op("fliplr", lambda lib, x: lib.fliplr(x), [[[(2, 3)]]]),
    op("flipud", lambda lib, x: lib.flipud(x), [[[(2, 3)]]]),
    op("roll", lambda lib, x, shifts, dims=None: x.roll(shifts, dims), [
        [[(2, 5)], {"shifts": 3}], [[(2, 5)], {"shifts": (1, -2), "dims": (0, 1)}],
        [[(4,)], {"shifts": -1, "dims": 0}], [[(3, 2)], {"shifts": 1, "dims": 1}, (0,)]],
       dtypes=ANY),
    op("diag", lambda lib, x, diagonal=0: lib.diag(x, diagonal), [
        [[(3,)]], [[(2,)], {"diagonal": 1}], [[(3, 3)]], [[(3, 4)], {"diagonal": -1}],
        [[(2, 4)], {"diagonal": 1}, (0,)]]),
    op("diag_embed", lambda lib, x, **kw: lib.diag_embed(x, **kw), [
        [[(3,)]], [[(2, 3)], {"offset": 1}], [[(2, 3)], {"offset": -1, "dim1": 0, "dim2": 2}],
        [[(3, 2)], {"dim1": 2, "dim2": 0}, (0,)]]),
    op("diagflat", lambda lib, x, offset=0: lib.diagflat(x, offset),
       [[[(3,)]], [[(2, 2)], {"offset": 1}]]),
    op("diagonal_scatter", lambda lib, x, src, **kw: lib.diagonal_scatter(x, src, **kw), [
        [[(3, 3), (3,)]], [[(3, 4), (3,)], {"offset": 1}],
        [[(2, 3, 3), (2, 3)], {"dim1": 1, "dim2": 2}], [[(4, 3), (2,)], {"offset": -2}, (0,)]]),
    op("sum_to_size", lambda lib, x, size: x.sum_to_size(size), [
        [[(2, 3)], {"size": (1, 3)}], [[(2, 3, 4)], {"size": (3, 1)}], [[(2, 3)], {"size": (3,)}],
        [[(2, 3)], {"size": (2, 3)}]]),
    op("contiguous", lambda lib, x: x.contiguous(), [[[(2, 3)], {}, (0,)]]),
    op("clone", lambda lib, x: x.clone(), [[[(2, 3)]], [[()]], [[(2, 3)], {}, (0,)]],
       dtypes=ANY),
    op("to_float64", lambda lib, x: x.to(lib.float64), [[[(2, 3)]], [[(3, 2)], {}, (0,)]],
       dtypes=("float32",)),
]
