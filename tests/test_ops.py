"""Every op in the op table (tests/op_db) checked against PyTorch and finite differences.

For each op, sample and dtype:
* forward: values, dtype, shape and ``grad_fn`` name equal torch's;
* backward: the gradient of every input equals torch's, in the input's own dtype;
* gradcheck: in float64, backward agrees with central finite differences, and (for ops
  marked ``gradgrad``) so does the derivative of backward itself;
* on a GPU, when present, the same op gives the same values and gradients as on the CPU.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from op_db import OpInfo, Sample, all_ops

import tensorkit

OPS = all_ops()


def _cases(dtype_filter=None, max_numel=None):
    cases = []
    for op in OPS:
        for dtype in op.dtypes:
            if dtype_filter is not None and not dtype_filter(op, dtype):
                continue
            rng = np.random.default_rng(zlib.crc32(f"{op.name}-{dtype}".encode()))
            for i, sample in enumerate(op.samples(rng, dtype)):
                if max_numel is not None and _numel(sample) > max_numel:
                    continue
                cases.append(pytest.param(op, sample, dtype, id=f"{op.name}-{dtype}-{i}"))
    return cases


def _numel(sample: Sample) -> int:
    return sum(a.size for a in sample.args if isinstance(a, np.ndarray))


def _wants_grad(sample: Sample, i: int, array: np.ndarray) -> bool:
    if array.dtype.kind not in "fc":
        return False
    return sample.grad is None or i in sample.grad


def make_args(lib, sample: Sample, requires_grad: bool, device: str = "cpu"):
    """The sample's arguments as tensors of ``lib`` (tensorkit or torch)."""
    args = []
    for i, a in enumerate(sample.args):
        if isinstance(a, np.ndarray):
            t = lib.from_numpy(a.copy())
            if device != "cpu":
                t = t.to(device)
            if requires_grad and _wants_grad(sample, i, a):
                t.requires_grad_(True)
            args.append(t)
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            args.append([lib.from_numpy(x.copy()).to(device) for x in a])
        else:
            args.append(a)
    return args


def tensors_in(result) -> list:
    """The tensors in an op's result (a tensor, a tuple, a named tuple or a list)."""
    if isinstance(result, tuple | list):
        return [t for r in result for t in tensors_in(r)]
    if hasattr(result, "shape") and hasattr(result, "dtype"):
        return [result]
    return []


def to_numpy(t) -> np.ndarray:
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.asarray(t.numpy())


def assert_close(actual: np.ndarray, expected: np.ndarray, op: OpInfo, what: str) -> None:
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(actual, expected, rtol=op.rtol if expected.dtype ==
                                   np.float32 else 1e-7, atol=op.atol if expected.dtype ==
                                   np.float32 else 1e-7, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def _dtype_name(t) -> str:
    return str(t.dtype).split(".")[-1]


@pytest.mark.parametrize("op,sample,dtype", _cases(lambda op, d: op.compare_torch))
def test_forward_matches_torch(op: OpInfo, sample: Sample, dtype: str, torch):
    want_grad = op.differentiable and dtype in op.grad_dtypes and op.check_grad_fn
    expected = op.fn(torch, *make_args(torch, sample, want_grad), **sample.kwargs)
    actual = op.fn(tensorkit, *make_args(tensorkit, sample, want_grad), **sample.kwargs)
    exp_t, act_t = tensors_in(expected), tensors_in(actual)
    if not exp_t:  # a Python value: bool, number
        assert type(actual) is type(expected) and actual == expected
        return
    assert len(act_t) == len(exp_t), "number of outputs differs"
    for k, (a, e) in enumerate(zip(act_t, exp_t)):
        assert _dtype_name(a) == _dtype_name(e), f"output {k}: dtype {a.dtype} != {e.dtype}"
        assert tuple(a.shape) == tuple(e.shape), f"output {k}: shape {a.shape} != {e.shape}"
        assert_close(to_numpy(a), to_numpy(e), op, f"output {k} of {op.name}{sample}")
        if want_grad and e.grad_fn is not None:
            assert a.grad_fn is not None, f"output {k} has no grad_fn (torch: {e.grad_fn})"
            assert a.grad_fn.name() == e.grad_fn.name()


def _backward_grads(lib, op: OpInfo, sample: Sample, upstream, device="cpu"):
    args = make_args(lib, sample, True, device)
    outs = [t for t in tensors_in(op.fn(lib, *args, **sample.kwargs)) if t.requires_grad]
    if not outs:
        return None, args
    grads = [lib.from_numpy(u.copy()).to(device) for u in upstream[:len(outs)]]
    lib.autograd.backward(outs, grads)
    return [a.grad for a in args if hasattr(a, "grad") and a.requires_grad], args


def _upstream(op: OpInfo, sample: Sample, dtype: str) -> list[np.ndarray]:
    """Random output gradients, shaped like the (float) outputs."""
    outs = tensors_in(op.fn(tensorkit, *make_args(tensorkit, sample, False), **sample.kwargs))
    rng = np.random.default_rng(1)
    return [rng.standard_normal(tuple(o.shape)).astype(to_numpy(o).dtype) for o in outs
            if o.dtype.is_floating_point]


@pytest.mark.parametrize("op,sample,dtype", _cases(
    lambda op, d: op.differentiable and d in op.grad_dtypes and op.compare_torch))
def test_backward_matches_torch(op: OpInfo, sample: Sample, dtype: str, torch):
    upstream = _upstream(op, sample, dtype)
    expected, _ = _backward_grads(torch, op, sample, upstream)
    actual, args = _backward_grads(tensorkit, op, sample, upstream)
    if expected is None:
        pytest.skip("no output requires grad")
    for k, (a, e, x) in enumerate(zip(actual, expected, [a for a in args if
                                                          hasattr(a, "grad") and
                                                          a.requires_grad])):
        if e is None:
            assert a is None or not np.any(to_numpy(a)), f"input {k}: torch has no gradient"
            continue
        assert a is not None, f"input {k}: no gradient computed (torch has one)"
        assert a.dtype == x.dtype, f"input {k}: gradient dtype {a.dtype} != input {x.dtype}"
        assert_close(to_numpy(a), to_numpy(e), op, f"gradient of input {k}")


@pytest.mark.parametrize("op,sample,dtype", _cases(
    lambda op, d: op.differentiable and d == "float64", max_numel=40))
def test_gradcheck(op: OpInfo, sample: Sample, dtype: str):
    args = make_args(tensorkit, sample, True)

    def fn(*xs):
        return op.fn(tensorkit, *xs, **sample.kwargs)

    assert tensorkit.autograd.gradcheck(fn, tuple(args), atol=op.gradcheck_atol,
                                        rtol=op.gradcheck_rtol)


@pytest.mark.parametrize("op,sample,dtype", _cases(
    lambda op, d: op.differentiable and op.gradgrad and d == "float64", max_numel=12))
def test_gradgradcheck(op: OpInfo, sample: Sample, dtype: str):
    args = make_args(tensorkit, sample, True)

    def fn(*xs):
        return op.fn(tensorkit, *xs, **sample.kwargs)

    assert tensorkit.autograd.gradgradcheck(fn, tuple(args), atol=op.gradcheck_atol,
                                            rtol=op.gradcheck_rtol)


@pytest.mark.skipif(not tensorkit.cuda.is_available(), reason="no CUDA GPU")
@pytest.mark.parametrize("op,sample,dtype", _cases(lambda op, d: op.cuda))
def test_cuda_matches_cpu(op: OpInfo, sample: Sample, dtype: str):
    cpu = op.fn(tensorkit, *make_args(tensorkit, sample, False), **sample.kwargs)
    gpu = op.fn(tensorkit, *make_args(tensorkit, sample, False, "cuda"), **sample.kwargs)
    for c, g in zip(tensors_in(cpu), tensors_in(gpu)):
        assert g.device.type == "cuda"
        assert g.dtype == c.dtype
        assert_close(to_numpy(g), to_numpy(c), op, "cuda vs cpu")
    if op.differentiable and dtype in op.grad_dtypes:
        upstream = _upstream(op, sample, dtype)
        gc, _ = _backward_grads(tensorkit, op, sample, upstream)
        gg, _ = _backward_grads(tensorkit, op, sample, upstream, "cuda")
        for c, g in zip(gc or [], gg or []):
            if c is not None:
                assert_close(to_numpy(g), to_numpy(c), op, "cuda gradient vs cpu")
