"""Checks for lesson 07 (convolutional networks)."""

from __future__ import annotations

import tensorkit as torch
import tensorkit.nn.functional as F
from lessons.course import Hint, exercise, expect, expect_close, expect_shapes, need


def _library_conv(image, kernel):
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


def _call(fn, image, kernel):
    try:
        return fn(image, kernel)
    except NotImplementedError:  # a RuntimeError too: the stub
        raise
    except RuntimeError as error:
        raise Hint(f"conv2d_single raised RuntimeError on a {tuple(image.shape)} image and a "
                   f"{tuple(kernel.shape)} kernel: {error} Check that each patch "
                   "image[i:i + kH, j:j + kW] has the kernel's shape (kH, kW = kernel.shape) "
                   "and that i and j stop at H - kH and W - kW.") from None


@exercise("07-conv2d", "a convolution by hand")
def conv2d(ns):
    fn = need(ns, "conv2d_single")
    image = torch.tensor([[0.0, 0.0, 1.0, 1.0],
                          [0.0, 0.0, 1.0, 1.0],
                          [0.0, 0.0, 1.0, 1.0]])
    kernel = torch.tensor([[-1.0, 1.0],
                           [-1.0, 1.0]])
    out = _call(fn, image, kernel)
    expect(isinstance(out, torch.Tensor), f"return a tensor, not {type(out).__name__}")
    expect(tuple(out.shape) == (2, 3),
           f"a (3, 4) image and a (2, 2) kernel gave shape {tuple(out.shape)}, expected "
           "(2, 3): the kernel fits at H - kH + 1 rows and W - kW + 1 columns")
    expected = _library_conv(image, kernel)
    if not torch.allclose(out, expected) and torch.allclose(out, -expected):
        raise Hint(f"you get {out.tolist()}, expected {expected.tolist()}: the kernel is "
                   "flipped. Multiply image[i + u, j + v] by kernel[u, v], without flipping.")
    expect_close(out, expected, "conv2d_single on a (3, 4) image with a (2, 2) kernel")

    torch.manual_seed(0)
    image, kernel = torch.randn(6, 7), torch.randn(2, 3)
    out = _call(fn, image, kernel)
    expected = _library_conv(image, kernel)
    if tuple(out.shape) == (6 - 3 + 1, 7 - 2 + 1):
        raise Hint(f"a (6, 7) image and a (2, 3) kernel gave shape {tuple(out.shape)}, "
                   "expected (5, 5): the kernel's height (kernel.shape[0]) goes with the "
                   "image's height, its width with the image's width")
    if tuple(out.shape) == tuple(expected.shape):
        flipped = _library_conv(image, kernel.flip((0, 1)))
        if not torch.allclose(out, expected, atol=1e-5) and torch.allclose(out, flipped,
                                                                            atol=1e-5):
            raise Hint("your kernel is flipped: deep learning's convolution multiplies "
                       "image[i + u, j + v] by kernel[u, v] (no flip)")
    expect_close(out, expected, "conv2d_single on a random (6, 7) image with a (2, 3) kernel")


@exercise("07-output-size", "the output-size formula")
def output_size(ns):
    fn = need(ns, "conv_output_size")
    cases = [(28, 5, 0, 1, 1), (28, 5, 2, 1, 1), (24, 2, 0, 2, 1), (7, 2, 0, 2, 1),
             (28, 3, 1, 2, 1), (10, 3, 0, 1, 2), (32, 4, 1, 2, 1), (13, 3, 0, 2, 1),
             (15, 5, 3, 3, 2), (5, 5, 0, 1, 1)]
    for n, k, p, s, d in cases:
        weight = torch.zeros(1, 1, k, k)
        want = F.conv2d(torch.zeros(1, 1, n, n), weight, padding=p, stride=s,
                        dilation=d).shape[-1]
        call = f"conv_output_size({n}, {k}, padding={p}, stride={s}, dilation={d})"
        got = fn(n, k, padding=p, stride=s, dilation=d)
        expect(got is not None, f"{call} returned None: did you forget `return`?")
        if isinstance(got, float):
            raise Hint(f"{call} returned the float {got}: use // (floor division) so the "
                       "result is an int")
        expect(isinstance(got, int), f"{call} returned a {type(got).__name__}, not an int")
        if got == want:
            continue
        if got == (n + p - d * (k - 1) - 1) // s + 1:
            raise Hint(f"{call} = {got}, expected {want}: the padding is added on both "
                       "sides, so the padded size is n + 2 * padding")
        if got == (n + 2 * p - k) // s + 1 and d != 1:
            raise Hint(f"{call} = {got}, expected {want}: with dilation d the kernel spans "
                       "d * (k - 1) + 1 pixels")
        raise Hint(f"{call} = {got}, expected {want}: compute "
                   "(n + 2 * padding - dilation * (k - 1) - 1) // stride + 1")


@exercise("07-shapes", "shapes through the classic CNN")
def shapes(ns):
    answer = need(ns, "cnn_shapes")
    expect(isinstance(answer, dict), "`cnn_shapes` should be a dict with keys 'conv1', "
                                     "'pool1', 'conv2', 'pool2' and 'flat'")
    nn = torch.nn
    x = torch.zeros(64, 1, 28, 28)
    pool = nn.MaxPool2d(2)
    with torch.no_grad():
        conv1 = nn.Conv2d(1, 10, kernel_size=5)(x)
        pool1 = F.relu(pool(conv1))
        conv2 = nn.Conv2d(10, 20, kernel_size=5)(pool1)
        pool2 = F.relu(pool(conv2))
    actual = {"conv1": conv1, "pool1": pool1, "conv2": conv2, "pool2": pool2,
              "flat": pool2.view(64, -1)}
    why = {
        "conv1": "10 output channels; a 5 x 5 kernel without padding fits at 28 - 5 + 1 "
                 "positions",
        "pool1": "MaxPool2d(2) halves the height and width and keeps the channels",
        "conv2": "20 output channels; the 5 x 5 kernel shrinks the size by 4 again",
        "pool2": "halve the height and width once more",
        "flat": "view(N, -1) keeps the batch and multiplies out channels x height x width",
    }
    expect_shapes(answer, actual, why, "cnn_shapes", example="(64, 3, 10, 10)")


@exercise("07-fix-model", "fix the broken CNN")
def fix_model(ns):
    cls = need(ns, "SmallNet")
    model = cls()
    nn = torch.nn
    convs = [(m.in_channels, m.out_channels, tuple(m.kernel_size), tuple(m.padding))
             for m in (getattr(model, "conv1", None), getattr(model, "conv2", None))
             if isinstance(m, nn.Conv2d)]
    expect(convs == [(1, 8, (3, 3), (0, 0)), (8, 16, (3, 3), (0, 0))],
           "keep conv1 = Conv2d(1, 8, kernel_size=3) and conv2 = Conv2d(8, 16, "
           "kernel_size=3) as they are: fix the Linear layer instead")
    fc = getattr(model, "fc", None)
    expect(isinstance(fc, nn.Linear), "SmallNet should still have its `fc` Linear layer")
    x = torch.zeros(2, 1, 28, 28)
    with torch.no_grad():
        features = model.pooling(model.conv2(model.pooling(model.conv1(x))))
    c, h, w = features.shape[1:]
    flat = c * h * w
    if fc.in_features != flat:
        raise Hint(f"fc = Linear({fc.in_features}, {fc.out_features}), but the flattened "
                   f"features have {flat} = {c} x {h} x {w} values per image. Without "
                   "padding a 3 x 3 kernel shrinks the size by 2 before each pooling: 28 -> "
                   f"26 -> 13 -> 11 -> {h}. Use nn.Linear({c} * {h} * {w}, 10).")
    expect(fc.out_features == 10, f"fc has {fc.out_features} outputs: MNIST has 10 classes")
    try:
        with torch.no_grad():
            out = model(x)
    except RuntimeError as error:
        raise Hint(f"SmallNet still fails on a batch of (2, 1, 28, 28) images: {error}") \
            from None
    expect(tuple(out.shape) == (2, 10),
           f"SmallNet gives shape {tuple(out.shape)} for 2 images, expected (2, 10)")
