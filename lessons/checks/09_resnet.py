"""Checks for lesson 09 (ResNet: vanishing gradients and residual connections).

``layer_gradient_norms``, ``ReferenceResidualBlock`` and ``ReferenceNet`` are the reference
answers and the tutorial's modules; the notebook falls back on them (``checks_module("09")``)
while the learner's exercise is unfinished.
"""

from __future__ import annotations

import numbers

import tensorkit as torch
import tensorkit.nn.functional as F
from lessons.course import Hint, exercise, expect, expect_close, need
from tensorkit import nn


def layer_gradient_norms(model: nn.Module) -> list[float]:
    """The L2 norm of each weight's gradient, in the order of ``named_parameters``."""
    return [p.grad.norm().item() for name, p in model.named_parameters()
            if name.endswith("weight")]


class ReferenceResidualBlock(nn.Module):
    """Two 3x3 convolutions whose result is added to the input: relu(x + conv2(relu(conv1 x)))."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ReferenceNet(nn.Module):
    """The tutorial's net: conv, residual block, conv, residual block, one linear layer."""

    def __init__(self, block=ReferenceResidualBlock):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = block(16)
        self.rblock2 = block(32)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(512, 10)

    def features(self, x):
        """The flattened input of ``fc``."""
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        return x.view(x.size(0), -1)

    def forward(self, x):
        return self.fc(self.features(x))


# ---------------------------------------------------------------------------- 09-grad-norms
def _small_models():
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.Sigmoid(),
                        nn.Linear(4, 3))
    (mlp(torch.randn(8, 6)) ** 2).sum().backward()
    conv = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
    (conv(torch.randn(4, 2, 4, 4)) ** 2).sum().backward()
    return mlp, conv


@exercise("09-grad-norms", "the gradient norm of each layer")
def grad_norms(ns):
    fn = need(ns, "layer_gradient_norms")
    for model in _small_models():
        want = layer_gradient_norms(model)
        got = fn(model)
        expect(got is not None, "layer_gradient_norms returned None: did you forget `return`?")
        got = list(got)
        n_params = len(list(model.parameters()))
        if len(got) == n_params and n_params != len(want):
            raise Hint(f"you returned {len(got)} numbers, one per parameter; expected "
                       f"{len(want)}, one per weight: skip the biases (names ending in "
                       "'weight' only)")
        expect(len(got) == len(want), f"you returned {len(got)} numbers for a model with "
                                      f"{len(want)} weights; expected one per weight")
        for value in got:
            expect(isinstance(value, numbers.Real) and not isinstance(value, bool),
                   f"the list holds {type(value).__name__}, expected plain Python numbers: "
                   "use .item() on the norm")
        close = _close_to(got)
        if close(want):
            continue
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        if close(want[::-1]):
            raise Hint("the norms are in reverse order: follow model.named_parameters(), "
                       "from the input layer to the output layer")
        if close([w.detach().norm().item() for w in weights]):
            raise Hint("those are the norms of the weights themselves; use each weight's "
                       "gradient, p.grad")
        if close([(w.grad ** 2).sum().item() for w in weights]):
            raise Hint("those are squared norms: take the square root (p.grad.norm())")
        if close([w.grad.abs().sum().item() for w in weights]):
            raise Hint("that is the sum of absolute values (L1); use the L2 norm, "
                       "the square root of the sum of squares: p.grad.norm()")
        expect_close(torch.tensor(got), torch.tensor(want), "the gradient norms")


def _close_to(got):
    def close(values):
        return len(values) == len(got) and all(abs(a - b) <= 1e-5 * (1 + abs(b))
                                               for a, b in zip(got, values))
    return close


# ------------------------------------------------------------------------ 09-residual-block
def _load_reference(mine, ref, name):
    want, got = ref.state_dict(), mine.state_dict()
    expect(sorted(got) == sorted(want),
           f"{name} should have exactly two layers, conv1 and conv2; its parameters are "
           f"{sorted(got)}")
    for key, value in want.items():
        expect(tuple(got[key].shape) == tuple(value.shape),
               f"{key} has shape {tuple(got[key].shape)}, expected {tuple(value.shape)}: "
               "both convs map channels -> channels with a 3x3 kernel")
    mine.load_state_dict(want)


@exercise("09-residual-block", "the residual block")
def residual_block(ns):
    cls = need(ns, "ResidualBlock")
    torch.manual_seed(0)
    mine = cls(16)
    expect(isinstance(mine, nn.Module), "ResidualBlock should subclass nn.Module "
                                        "(and call super().__init__())")
    x = torch.randn(2, 16, 7, 7)
    try:
        out = mine(x)
    except RuntimeError as error:
        raise Hint(f"ResidualBlock(16) on a (2, 16, 7, 7) input raised RuntimeError: "
                   f"{str(error).rstrip('.')}. "
                   "x + y needs y to keep x's shape: both convs are "
                   "Conv2d(channels, channels, kernel_size=3, padding=1)") from None
    expect(isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}, expected "
                                          "a tensor")
    expect(tuple(out.shape) == tuple(x.shape),
           f"the output has shape {tuple(out.shape)}, expected {tuple(x.shape)}: a residual "
           "block keeps its input's shape (3x3 kernels with padding=1, channels -> channels)")
    ref = ReferenceResidualBlock(16)
    _load_reference(mine, ref, "ResidualBlock")
    out = mine(x)
    with torch.no_grad():
        inner = F.relu(ref.conv1(x))
        y = ref.conv2(inner)
        mistakes = [
            (F.relu(y), "the output ignores x: add the input back, F.relu(x + y)"),
            (y, "the output ignores x: add the input back, F.relu(x + y)"),
            (x + y, "apply the ReLU after the addition: return F.relu(x + y)"),
            (F.relu(x + F.relu(y)), "no ReLU on y before the addition: y = self.conv2(y), "
                                    "then F.relu(x + y)"),
            (F.relu(x + ref.conv2(ref.conv1(x))), "apply a ReLU between conv1 and conv2: "
                                                  "y = F.relu(self.conv1(x))"),
        ]
    for wrong, hint in mistakes:
        if bool(torch.allclose(out, wrong, atol=1e-5)):
            raise Hint(hint)
    expect_close(out, ref(x), "ResidualBlock's output with the reference weights")
    other = cls(32)
    expect(tuple(other(torch.randn(1, 32, 4, 4)).shape) == (1, 32, 4, 4),
           "ResidualBlock(32) should keep a (1, 32, 4, 4) input's shape: use `channels` for "
           "both convs' in and out channels")


# ---------------------------------------------------------------------------- 09-fix-block
@exercise("09-fix-block", "fix a broken residual block")
def fix_block(ns):
    cls = need(ns, "SkipBlock")
    torch.manual_seed(0)
    block = cls(16)
    for layer in ("conv1", "conv2"):
        expect(isinstance(getattr(block, layer, None), nn.Conv2d),
               f"keep the layer `{layer}` (an nn.Conv2d); fix its arguments instead")
    x = torch.randn(2, 16, 10, 10)
    with torch.no_grad():
        y = block.conv2(F.relu(block.conv1(x)))
    if tuple(y.shape) != tuple(x.shape):
        causes = []
        if y.shape[1] != x.shape[1]:
            causes.append(f"y has {y.shape[1]} channels, x has {x.shape[1]}: conv2's "
                          "out_channels must be `channels`")
        if tuple(y.shape[2:]) != tuple(x.shape[2:]):
            causes.append(f"y is {y.shape[2]}x{y.shape[3]}, x is {x.shape[2]}x{x.shape[3]}: "
                          "a 3x3 conv keeps the size only with padding=1")
        raise Hint(f"x has shape {tuple(x.shape)} but y = conv2(relu(conv1(x))) has shape "
                   f"{tuple(y.shape)}, so x + y cannot work. " + "; ".join(causes))
    out = block(x)
    expect_close(out, F.relu(x + y), "SkipBlock's output (should be F.relu(x + y))")
    other = cls(8)
    expect(tuple(other(torch.randn(1, 8, 5, 5)).shape) == (1, 8, 5, 5),
           "SkipBlock(8) should keep a (1, 8, 5, 5) input's shape: use `channels` rather than "
           "a fixed number")


# ---------------------------------------------------------------------------- 09-flat-size
@exercise("09-flat-size", "why fc has 512 inputs")
def flat_size(ns):
    answer = need(ns, "flat_size")
    expect(answer is not None, "flat_size is still None: work out channels * height * width "
                               "of rblock2's output for one 28x28 image")
    with torch.no_grad():
        want = ReferenceNet().features(torch.zeros(1, 1, 28, 28)).shape[1]
    expect(isinstance(answer, numbers.Integral), f"flat_size is {answer!r}; expected a whole "
                                                 "number")
    expect(answer == want,
           f"flat_size is {answer}, which is not right: follow one image, 28x28 -> conv1 (5x5, "
           "no padding) -> pool (halves) -> residual block (keeps the shape) -> conv2 "
           "(5x5, 32 channels) -> pool -> residual block; then channels * height * width")
