"""Losses, normalisation layers and Embedding against torch: values, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorkit
import tensorkit.nn.functional as F
from tensorkit import nn

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 5))
LOGITS_4D = RNG.standard_normal((2, 4, 3, 3))
PROBS = 1 / (1 + np.exp(-RNG.standard_normal((4, 3))))
TARGET01 = RNG.uniform(size=(4, 3))
REGRESS = RNG.standard_normal((4, 3)) * 2
CLASSES = np.array([1, 0, 4, 2, 2, 3])
CLASSES_IGNORED = np.array([1, -100, 4, 2, -100, 3])
CLASSES_4D = RNG.integers(0, 4, (2, 3, 3))
WEIGHT5 = RNG.uniform(0.5, 2.0, 5)
SOFT = np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)

# name, function(lib, F, x, *constants), differentiable input, constants
CASES = [
    ("mse", lambda L, F, x, t: F.mse_loss(x, t), REGRESS, (TARGET01,)),
    ("mse_sum", lambda L, F, x, t: F.mse_loss(x, t, reduction="sum"), REGRESS, (TARGET01,)),
    ("mse_none", lambda L, F, x, t: F.mse_loss(x, t, reduction="none"), REGRESS, (TARGET01,)),
    ("l1", lambda L, F, x, t: F.l1_loss(x, t), REGRESS, (TARGET01,)),
    ("smooth_l1", lambda L, F, x, t: F.smooth_l1_loss(x, t, beta=0.5), REGRESS, (TARGET01,)),
    ("huber", lambda L, F, x, t: F.huber_loss(x, t, delta=0.7), REGRESS, (TARGET01,)),
    ("bce", lambda L, F, x, t: F.binary_cross_entropy(x, t), PROBS, (TARGET01,)),
    ("bce_weight", lambda L, F, x, t, w: F.binary_cross_entropy(x, t, weight=w), PROBS,
     (TARGET01, TARGET01[0])),
    ("bce_logits", lambda L, F, x, t: F.binary_cross_entropy_with_logits(x, t), REGRESS,
     (TARGET01,)),
    ("bce_logits_pos", lambda L, F, x, t, w: F.binary_cross_entropy_with_logits(
        x, t, pos_weight=w, reduction="sum"), REGRESS, (TARGET01, TARGET01[0] * 3)),
    ("nll", lambda L, F, x, t: F.nll_loss(F.log_softmax(x, 1), t), LOGITS, (CLASSES,)),
    ("nll_none", lambda L, F, x, t: F.nll_loss(x, t, reduction="none"), LOGITS, (CLASSES,)),
    ("nll_weight_ignore", lambda L, F, x, t, w: F.nll_loss(x, t, weight=w), LOGITS,
     (CLASSES_IGNORED, WEIGHT5)),
    ("ce", lambda L, F, x, t: F.cross_entropy(x, t), LOGITS, (CLASSES,)),
    ("ce_sum", lambda L, F, x, t: F.cross_entropy(x, t, reduction="sum"), LOGITS, (CLASSES,)),
    ("ce_unbatched", lambda L, F, x, t: F.cross_entropy(x[0], t[0]), LOGITS, (CLASSES,)),
    ("ce_weight_ignore", lambda L, F, x, t, w: F.cross_entropy(x, t, weight=w), LOGITS,
     (CLASSES_IGNORED, WEIGHT5)),
    ("ce_smoothing", lambda L, F, x, t: F.cross_entropy(x, t, label_smoothing=0.2), LOGITS,
     (CLASSES,)),
    ("ce_smoothing_weight", lambda L, F, x, t, w: F.cross_entropy(
        x, t, weight=w, label_smoothing=0.1, ignore_index=-100), LOGITS,
     (CLASSES_IGNORED, WEIGHT5)),
    ("ce_probabilities", lambda L, F, x, t: F.cross_entropy(x, t), LOGITS, (SOFT,)),
    ("ce_4d", lambda L, F, x, t: F.cross_entropy(x, t), LOGITS_4D, (CLASSES_4D,)),
    ("kl_batchmean", lambda L, F, x, t: F.kl_div(F.log_softmax(x, 1), t, reduction="batchmean"),
     LOGITS, (SOFT,)),
    ("layer_norm", lambda L, F, x, w, b: F.layer_norm(x, (5,), w, b), LOGITS,
     (WEIGHT5, WEIGHT5 - 1)),
    ("batch_norm_train", lambda L, F, x, w, b: F.batch_norm(
        x, None, None, w[:4], b[:4], training=True), LOGITS_4D, (WEIGHT5, WEIGHT5 - 1)),
    ("instance_norm", lambda L, F, x: F.instance_norm(x), LOGITS_4D, ()),
    ("embedding", lambda L, F, w, i: F.embedding(i, w), LOGITS, (np.array([[0, 2], [5, 2]]),)),
    ("embedding_padding", lambda L, F, w, i: F.embedding(i, w, padding_idx=2), LOGITS,
     (np.array([[0, 2], [5, 2]]),)),
]


def _lib_args(lib, dtype, x, constants):
    tdtype = getattr(lib, dtype)
    xt = lib.tensor(x, dtype=tdtype, requires_grad=True)
    consts = [lib.tensor(c) if c.dtype.kind == "i" else lib.tensor(c, dtype=tdtype)
              for c in constants]
    return xt, consts


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, fn, x, constants", CASES, ids=[c[0] for c in CASES])
def test_against_torch(torch, name, fn, x, constants, dtype):
    ours_x, ours_c = _lib_args(tensorkit, dtype, x, constants)
    ref_x, ref_c = _lib_args(torch, dtype, x, constants)
    ours = fn(tensorkit, F, ours_x, *ours_c)
    ref = fn(torch, torch.nn.functional, ref_x, *ref_c)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert ours.shape == tuple(ref.shape) and ours.dtype.name == str(ref.dtype)[6:]
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), **tol)
    if name != "ce_probabilities":  # torch divides by a C++ scalar there: DivBackward1
        assert ours.grad_fn.name() == type(ref.grad_fn).__name__
    grad = RNG.standard_normal(tuple(ref.shape))
    ours.backward(tensorkit.tensor(grad, dtype=getattr(tensorkit, dtype)))
    ref.backward(torch.tensor(grad, dtype=getattr(torch, dtype)))
    assert ours_x.grad.dtype is ours_x.dtype
    np.testing.assert_allclose(ours_x.grad.numpy(), ref_x.grad.numpy(), **tol)


@pytest.mark.parametrize("name, fn, x, constants",
                         [c for c in CASES if not c[0].startswith(("nll", "embedding"))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_gradcheck_float64(name, fn, x, constants):
    x64, consts = _lib_args(tensorkit, "float64", x, constants)
    assert tensorkit.autograd.gradcheck(lambda t: fn(tensorkit, F, t, *consts), (x64,))


@pytest.mark.parametrize("name", ["mse", "bce_logits", "ce", "layer_norm"])
def test_gradgradcheck_float64(name):
    _, fn, x, constants = next(c for c in CASES if c[0] == name)
    x64, consts = _lib_args(tensorkit, "float64", x[:3], [c[:3] if c.ndim > 1 or c.shape[0] > 5
                                                          else c for c in constants])
    assert tensorkit.autograd.gradgradcheck(lambda t: fn(tensorkit, F, t, *consts), (x64,))


def test_legacy_size_average_warns_and_maps_to_reduction(torch):
    x, t = tensorkit.tensor(REGRESS), tensorkit.tensor(TARGET01)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        criterion = nn.MSELoss(size_average=False)
    assert criterion.reduction == "sum"
    with pytest.warns(UserWarning):
        ref = torch.nn.MSELoss(size_average=False)
    assert ref.reduction == "sum"
    expected = ((REGRESS - TARGET01) ** 2).sum()
    assert criterion(x, t).item() == pytest.approx(expected, rel=1e-6)


def test_loss_errors_match_torch(torch):
    x = tensorkit.tensor(LOGITS, dtype=tensorkit.float32)
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, tensorkit.tensor([0, 1, 2, 3, 4, 9]))
    with pytest.raises(ValueError, match="Expected input batch_size \\(6\\) to match target "
                                         "batch_size \\(2\\)"):
        F.cross_entropy(x, tensorkit.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Float"):
        F.nll_loss(x, tensorkit.tensor(CLASSES, dtype=tensorkit.float32))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(x, x)
    with pytest.raises(ValueError, match="same size"):
        F.binary_cross_entropy(tensorkit.tensor(PROBS[:, :1]), tensorkit.tensor(TARGET01[:, 0]))
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(tensorkit.zeros(3, 1), tensorkit.zeros(3))


def test_batchnorm_running_stats_and_eval_match_torch(torch):
    torch.manual_seed(0)
    ours, ref = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    for _ in range(3):
        batch = RNG.standard_normal((5, 4, 3, 3)).astype(np.float32)
        ours(tensorkit.tensor(batch))
        ref(torch.tensor(batch))
    for key, value in ref.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-5)
    ours.eval()
    ref.eval()
    batch = RNG.standard_normal((2, 4, 3, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(tensorkit.tensor(batch)).detach().numpy(),
                               ref(torch.tensor(batch)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(ref)
    with pytest.raises(ValueError, match="expected 4D input \\(got 2D input\\)"):
        ours(tensorkit.zeros(2, 4))


def test_batchnorm1d_momentum_none_is_a_cumulative_average(torch):
    ours, ref = nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    for _ in range(4):
        batch = RNG.standard_normal((6, 3)).astype(np.float32)
        ours(tensorkit.tensor(batch))
        ref(torch.tensor(batch))
    np.testing.assert_allclose(ours.running_var.numpy(), ref.running_var.numpy(), rtol=1e-5)
    assert ours.num_batches_tracked.item() == 4


def test_embedding_init_repr_and_padding_gradient(torch):
    tensorkit.manual_seed(3)
    torch.manual_seed(3)
    ours, ref = nn.Embedding(10, 4, padding_idx=1), torch.nn.Embedding(10, 4, padding_idx=1)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), ref.weight.detach().numpy())
    assert repr(ours) == repr(ref)
    idx = [[1, 2, 1], [3, 1, 2]]
    ours(tensorkit.tensor(idx)).sum().backward()
    ref(torch.tensor(idx)).sum().backward()
    np.testing.assert_array_equal(ours.weight.grad.numpy(), ref.weight.grad.numpy())
    with pytest.raises(IndexError, match="index out of range in self"):
        ours(tensorkit.tensor([10]))


def test_loss_modules_match_functional_and_reprs(torch):
    x, t = tensorkit.tensor(LOGITS, dtype=tensorkit.float32), tensorkit.tensor(CLASSES)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    assert criterion(x, t).item() == pytest.approx(
        F.cross_entropy(x, t, label_smoothing=0.1).item())
    for name in ["MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
                 "CrossEntropyLoss", "LayerNorm", "InstanceNorm2d"]:
        args = (5,) if "Norm" in name else ()
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
