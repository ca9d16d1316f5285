"""Layers that hold weights (conv, pooling, norm) and whole tutorial models, against torch.

The same seed must give the same initial weights as torch, and a training step from
them the same loss and the same updated weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorkit


def _layer_pairs(lib):
    nn = lib.nn
    return {
        "conv2d": lambda: nn.Conv2d(3, 8, 3, padding=1),
        "conv2d_strided_nobias": lambda: nn.Conv2d(4, 6, (3, 5), stride=2, bias=False),
        "conv2d_groups_dilation": lambda: nn.Conv2d(4, 8, 3, groups=2, dilation=2,
                                                    padding="same"),
        "conv1d": lambda: nn.Conv1d(3, 5, 4, stride=2, padding=1),
        "conv_transpose2d": lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                       output_padding=1),
        "maxpool2d": lambda: nn.MaxPool2d(2),
        "maxpool2d_ceil": lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True),
        "avgpool2d_pad": lambda: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
        "adaptive_avg": lambda: nn.AdaptiveAvgPool2d((1, 1)),
        "adaptive_max": lambda: nn.AdaptiveMaxPool2d(2),
        "batchnorm2d": lambda: nn.BatchNorm2d(3),
    }


INPUT_SHAPES = {"conv1d": (2, 3, 9), "conv2d_strided_nobias": (2, 4, 9, 9),
                "conv2d_groups_dilation": (2, 4, 7, 7)}


@pytest.mark.parametrize("name", list(_layer_pairs(tensorkit)))
def test_layer_init_forward_backward_and_repr_match_torch(torch, name):
    tensorkit.manual_seed(7)
    torch.manual_seed(7)
    ours, ref = _layer_pairs(tensorkit)[name](), _layer_pairs(torch)[name]()
    assert repr(ours) == repr(ref)
    for (key, a), (key_ref, b) in zip(ours.state_dict().items(), ref.state_dict().items()):
        assert key == key_ref
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    x = np.random.default_rng(1).standard_normal(INPUT_SHAPES.get(name, (2, 3, 8, 8)))
    xo = tensorkit.tensor(x, dtype=tensorkit.float32, requires_grad=True)
    xr = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    yo, yr = ours(xo), ref(xr)
    np.testing.assert_allclose(yo.detach().numpy(), yr.detach().numpy(), rtol=1e-4, atol=1e-5)
    g = np.random.default_rng(2).standard_normal(tuple(yr.shape)).astype(np.float32)
    yo.backward(tensorkit.tensor(g))
    yr.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (_, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4)


def _seed_cnn(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        """The seed tutorial's CNN: two conv + pool stages and a linear classifier."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.mp = nn.MaxPool2d(2)
            self.fc = nn.Linear(320, 10)

        def forward(self, x):
            in_size = x.size(0)
            x = F.relu(self.mp(self.conv1(x)))
            x = F.relu(self.mp(self.conv2(x)))
            x = x.view(in_size, -1)
            return F.log_softmax(self.fc(x), dim=1)

    return Net()


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(64, 10))


@pytest.mark.parametrize("build, loss_name", [(_seed_cnn, "nll_loss"), (_mlp, "cross_entropy")],
                         ids=["seed_cnn", "mlp_dropout"])
def test_three_training_steps_match_torch(torch, build, loss_name):
    tensorkit.manual_seed(0)
    torch.manual_seed(0)
    ours, ref = build(tensorkit), build(torch)
    assert str(ours) == str(ref).replace("torch", "tensorkit")
    opt = tensorkit.optim.SGD(ours.parameters(), lr=0.05, momentum=0.5)
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.05, momentum=0.5)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.uniform(size=(16, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, 16)
        loss = getattr(tensorkit.nn.functional, loss_name)(ours(tensorkit.tensor(x)),
                                                           tensorkit.tensor(y))
        loss_ref = getattr(torch.nn.functional, loss_name)(ref(torch.tensor(x)), torch.tensor(y))
        assert loss.item() == pytest.approx(loss_ref.item(), rel=1e-5)
        opt.zero_grad()
        opt_ref.zero_grad()
        loss.backward()
        loss_ref.backward()
        opt.step()
        opt_ref.step()
    for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        assert p.dtype is tensorkit.float32 and p.grad.dtype is tensorkit.float32
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=name)


def test_state_dict_moves_between_tensorkit_and_torch_through_save(torch, tmp_path):
    tensorkit.manual_seed(1)
    ours = _seed_cnn(tensorkit)
    tensorkit.save(ours.state_dict(), tmp_path / "cnn.pth")
    ref = _seed_cnn(torch)
    ref.load_state_dict(torch.load(tmp_path / "cnn.pth"))
    x = np.random.default_rng(3).uniform(size=(2, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(ours(tensorkit.tensor(x)).detach().numpy(),
                               ref(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    torch.save(ref.state_dict(), tmp_path / "back.pth")
    again = _seed_cnn(tensorkit)
    result = again.load_state_dict(tensorkit.load(tmp_path / "back.pth"))
    assert result.missing_keys == [] and result.unexpected_keys == []


def _tutorial_batch(name: str, rng, lib):
    """A CI-sized batch shaped like each tutorial's data: MNIST images or padded names."""
    if name == "gru":
        lengths = np.sort(rng.integers(2, 9, size=12))[::-1].copy()
        codes = rng.integers(65, 123, size=(12, lengths[0]))
        codes[np.arange(lengths[0]) >= lengths[:, None]] = 0
        return (lib.tensor(codes), lib.tensor(lengths)), lib.tensor(rng.integers(0, 18, 12))
    x = rng.standard_normal((16, 1, 28, 28)).astype(np.float32)
    return (lib.tensor(x),), lib.tensor(rng.integers(0, 10, 16))


@pytest.mark.parametrize("name", ["mlp", "cnn", "cnn-improved", "inception", "resnet", "gru"])
def test_tutorial_models_train_like_torch_from_identical_weights(torch, name):
    """Each lesson's model (benchmarks/models.py): three optimizer steps, loss and gradients
    (values and memory layout) equal to torch's at every step, from tensorkit's initial
    weights copied into torch."""
    from benchmarks import models
    from benchmarks.training import make_optimizer

    tensorkit.manual_seed(0)
    ours, ref = models.build(tensorkit, name), models.build(torch, name)
    ref.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                         for k, v in ours.state_dict().items()})
    ours.eval(), ref.eval()  # dropout off: the two libraries draw different masks
    optimizers = [make_optimizer(lib, name, m.parameters())
                  for lib, m in ((tensorkit, ours), (torch, ref))]
    for step in range(3):
        losses = []
        for (lib, model), optimizer in zip(((tensorkit, ours), (torch, ref)), optimizers):
            inputs, target = _tutorial_batch(name, np.random.default_rng(step), lib)
            loss = lib.nn.functional.cross_entropy(model(*inputs), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert losses[0] == pytest.approx(losses[1], rel=1e-4), f"step {step}"
        for (key, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
            assert p.grad.dtype is tensorkit.float32
            # laid out like torch's (contiguous, like the weight): the optimizer's fast path
            assert p.grad.stride() == q.grad.stride(), f"{name}: layout of {key}.grad"
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-3, atol=1e-5,
                                       err_msg=f"{name} step {step} grad of {key}")
    for (key, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=f"{name}: {key} after three steps")
