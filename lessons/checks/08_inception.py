"""Checks for lesson 08 (Inception: 1x1 convolutions and parallel branches).

``conv_multiplies``, ``ReferenceInceptionA`` and ``ReferenceNet`` are the reference answers
and the tutorial's modules; the notebook falls back on them (``checks_module("08")``) while
the learner's exercise is unfinished.
"""

from __future__ import annotations

import tensorkit as torch
import tensorkit.nn.functional as F
from lessons.course import Hint, exercise, expect, expect_close, need
from tensorkit import nn

BRANCH_CHANNELS = {"branch1x1": 16, "branch5x5": 24, "branch3x3": 24, "branch_pool": 24}


class ReferenceInceptionA(nn.Module):
    """Four branches side by side, concatenated on the channel dimension: 88 channels."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3dbl_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def branches(self, x):
        """The four branch outputs, in concatenation order."""
        return {
            "branch1x1": self.branch1x1(x),
            "branch5x5": self.branch5x5_2(self.branch5x5_1(x)),
            "branch3x3": self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
            "branch_pool": self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1,
                                                         padding=1)),
        }

    def forward(self, x):
        return torch.cat(list(self.branches(x).values()), 1)


class ReferenceNet(nn.Module):
    """The tutorial's net: conv, Inception, conv, Inception, one linear layer."""

    def __init__(self, inception=ReferenceInceptionA):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = inception(10)
        self.incep2 = inception(20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def stages(self, x):
        """Every intermediate result, by the names the shapes exercise uses."""
        out = {"conv1": self.conv1(x)}
        out["pool1"] = F.relu(self.mp(out["conv1"]))
        out["incep1"] = self.incep1(out["pool1"])
        out["conv2"] = self.conv2(out["incep1"])
        out["pool2"] = F.relu(self.mp(out["conv2"]))
        out["incep2"] = self.incep2(out["pool2"])
        out["flat"] = out["incep2"].view(x.size(0), -1)
        out["fc"] = self.fc(out["flat"])
        return out

    def forward(self, x):
        return self.stages(x)["fc"]


# ----------------------------------------------------------------------------- 08-multiplies
def conv_multiplies(in_ch: int, out_ch: int, k: int, h: int, w: int) -> int:
    """Multiply-adds of a k x k convolution with 'same' padding (the reference answer)."""
    return in_ch * k * k * out_ch * h * w


@exercise("08-multiplies", "multiply-adds of a convolution")
def multiplies(ns):
    fn = need(ns, "conv_multiplies")
    for c_in, c_out, k, h, w in [(192, 32, 5, 28, 28), (192, 16, 1, 28, 28), (3, 8, 3, 10, 12),
                                 (16, 24, 5, 7, 9), (1, 1, 1, 1, 1)]:
        want = conv_multiplies(c_in, c_out, k, h, w)
        got = fn(c_in, c_out, k, h, w)
        call = f"conv_multiplies({c_in}, {c_out}, {k}, {h}, {w})"
        if got is None:
            raise Hint(f"{call} returned None: did you forget `return`?")
        if got == want:
            continue
        if got == c_in * c_out * k * k:
            raise Hint(f"{call} = {got}: that is one output position (the weight count); "
                       f"the kernel is applied at each of the {h}x{w} positions")
        if got == c_in * c_out * k * h * w:
            raise Hint(f"{call} = {got}, expected {want}: a {k}x{k} kernel has k*k = {k * k} "
                       "weights per (input, output) channel pair, not k")
        if got == c_in * c_out * k * k * (h - k + 1) * (w - k + 1):
            raise Hint(f"{call} = {got}, expected {want}: with 'same' padding the output "
                       f"stays {h}x{w}, it does not shrink by k - 1")
        if got == c_out * k * k * h * w:
            raise Hint(f"{call} = {got}, expected {want}: each output value sums over all "
                       f"{c_in} input channels (times in_ch)")
        raise Hint(f"{call} = {got}, expected {want}: each of the out_ch*h*w output values is "
                   "a dot product of length in_ch*k*k")


# ----------------------------------------------------------------------------- 08-inception
def _output(module, x, what):
    try:
        return module(x)
    except RuntimeError as error:
        message = str(error).rstrip(".")
        if "except in dimension 0" in message:
            advice = "concatenate on dim 1 (the channels): torch.cat(outputs, 1)"
        elif "Sizes of tensors must match" in message:
            advice = ("the branches' outputs differ in height or width: 'same' padding is "
                      "padding=2 for the 5x5 conv, padding=1 for the 3x3s, and "
                      "F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)")
        else:
            advice = ("check each conv's in/out channels: the 5x5 and 3x3 convs read the 16 "
                      "channels of the 1x1 before them, every 1x1 reads in_channels")
        raise Hint(f"{what} raised RuntimeError: {message}. Likely cause: {advice}") from None


def _which_branch(block, branches):
    for name, value in branches.items():
        if tuple(value.shape) == tuple(block.shape) and bool(
                torch.allclose(value, block, atol=1e-5)):
            return name
    return None


@exercise("08-inception", "the InceptionA module")
def inception(ns):
    cls = need(ns, "InceptionA")
    torch.manual_seed(0)
    mine = cls(10)
    expect(isinstance(mine, nn.Module), "InceptionA should subclass nn.Module "
                                        "(and call super().__init__())")
    x = torch.randn(2, 10, 12, 12)
    out = _output(mine, x, "InceptionA(10) on a (2, 10, 12, 12) input")
    expect(isinstance(out, torch.Tensor), f"forward returned {type(out).__name__}; return "
                                          "one tensor: torch.cat([...], 1)")
    shape = tuple(out.shape)
    if shape[1:2] != (88,) and len(shape) == 4:
        raise Hint(f"the output has {shape[1]} channels, expected 88 = 16 + 24 + 24 + 24: "
                   "concatenate the four branches on dim 1 (the channels), with 16 channels "
                   "out of branch1x1 and 24 out of the others")
    expect(shape == (2, 88, 12, 12),
           f"the output has shape {shape}, expected (2, 88, 12, 12): every branch must keep "
           "12x12 (padding=2 for the 5x5, padding=1 for the 3x3s, and "
           "F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))")
    ref = ReferenceInceptionA(10)
    want, got = ref.state_dict(), mine.state_dict()
    missing = [k for k in want if k not in got]
    extra = [k for k in got if k not in want]
    def layers(keys):
        return list(dict.fromkeys(k.rsplit(".", 1)[0] for k in keys))

    expect(not missing and not extra,
           f"name the layers as in the table: missing {layers(missing)}, "
           f"unexpected {layers(extra)}")
    for key, value in want.items():
        expect(tuple(got[key].shape) == tuple(value.shape),
               f"{key} has shape {tuple(got[key].shape)}, expected {tuple(value.shape)}")
    n_mine = sum(p.numel() for p in mine.parameters())
    n_ref = sum(p.numel() for p in ref.parameters())
    expect(n_mine == n_ref, f"InceptionA(10) has {n_mine} parameters, expected {n_ref}")
    mine.load_state_dict(want)
    out = mine(x)
    expect(not bool(torch.allclose(out, F.relu(ref(x)), atol=1e-5)),
           "your output is the reference output after a ReLU: InceptionA has no ReLU inside "
           "(the net applies one after the next conv)")
    branches = ref.branches(x)
    start = 0
    for name, width in BRANCH_CHANNELS.items():
        block = out[:, start:start + width]
        found = _which_branch(block, branches)
        if found != name:
            seen = (f"they hold {found}" if found else
                    "they match no branch: check the layers in that branch and the "
                    "avg_pool2d before branch_pool")
            raise Hint(f"with the reference weights, output channels {start}:{start + width} "
                       f"should be {name}, but {seen}. The order is [branch1x1, branch5x5, "
                       "branch3x3, branch_pool], with no ReLU inside the module")
        start += width
    expect_close(out, ref(x), "InceptionA's output with the reference weights")
    other = cls(20)
    expect(tuple(other(torch.randn(1, 20, 4, 4)).shape) == (1, 88, 4, 4),
           "InceptionA(20) should map (1, 20, 4, 4) to (1, 88, 4, 4): use in_channels "
           "for every conv that reads x")


# ----------------------------------------------------------------------------- 08-shapes
SHAPE_RULES = {
    "conv1": "a 5x5 conv without padding shrinks each side by 4 (28 -> 24); conv1 has 10 "
             "output channels",
    "pool1": "MaxPool2d(2) halves height and width; ReLU keeps the shape",
    "incep1": "an Inception module keeps height and width and always gives 88 channels",
    "conv2": "conv2 is 5x5 without padding (12 -> 8) with 20 output channels",
    "pool2": "MaxPool2d(2) halves height and width again",
    "incep2": "88 channels again, same height and width",
    "flat": "x.view(64, -1) keeps the batch and multiplies the rest: channels * height * width",
}


@exercise("08-shapes", "shapes through the Inception net")
def shapes(ns):
    answer = need(ns, "shapes")
    expect(isinstance(answer, dict), "`shapes` should be a dict from stage name to shape")
    with torch.no_grad():
        stages = ReferenceNet().stages(torch.zeros(64, 1, 28, 28))
    for name, rule in SHAPE_RULES.items():
        expect(name in answer, f"`shapes` has no entry {name!r}")
        want = tuple(stages[name].shape)
        got = answer[name]
        expect(got is not None, f"shapes[{name!r}] is still None: {rule}")
        got = tuple(got)
        expect(got == want, f"shapes[{name!r}] is {got}, which is not right: {rule}")
