"""The teaching views: ConvExplorer, StrideExplorer, RNNUnrolled."""

from __future__ import annotations

import itertools
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import tensorkit  # noqa: E402
import tensorkit.nn.functional as F  # noqa: E402
from tensorkit import nn  # noqa: E402
from widgets.explorers import (  # noqa: E402
    ConvExplorer,
    RNNUnrolled,
    StrideExplorer,
    conv_output_size,
    storage_indices,
)
from widgets.explorers import conv as conv_module  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def with_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if cls in (e.get("class") or "").split()]


# ----------------------------------------------------------------------------- conv

SETTINGS = [(3, 0, 1, 1), (3, 1, 1, 1), (5, 2, 2, 1), (3, 1, 2, 2), (4, 0, 3, 1), (2, 3, 1, 3),
            (1, 0, 4, 1), (7, 1, 1, 2)]


@pytest.mark.parametrize("k,p,s,d", SETTINGS)
def test_conv_output_matches_formula_and_conv2d(k, p, s, d):
    image = np.random.default_rng(0).random((13, 11)).astype(np.float32)
    ex = ConvExplorer(image, kernel_size=k, padding=p, stride=s, dilation=d, kernel="random")
    expected = tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n in image.shape)
    assert ex.output_shape() == expected
    assert ex.output.shape == expected
    direct = F.conv2d(tensorkit.from_numpy(image[None, None].copy()),
                      tensorkit.from_numpy(ex.weight()[None, None]),
                      stride=s, padding=p, dilation=d)
    assert tuple(direct.shape[2:]) == expected
    np.testing.assert_allclose(ex.output, direct[0, 0].numpy(), rtol=1e-6)
    # an independent sum over window_cells, on the zero-padded image
    padded = np.pad(image, p)
    kernel = ex.weight().ravel()
    for i, j in [(0, 0), (expected[0] - 1, expected[1] - 1), (expected[0] // 2, 0)]:
        taps = ex.window_cells(i, j)
        value = sum(padded[r, c] * w for (r, c), w in zip(taps, kernel))
        assert ex.output[i, j] == pytest.approx(value, rel=1e-5, abs=1e-6)
    assert ex.formula().endswith(f"= {expected[0]}")
    assert f"({image.shape[0]} + 2*{p} - {d}*({k}-1) - 1) / {s}" in ex.formula()


def test_conv_matches_torch(torch):
    image = np.random.default_rng(1).random((28, 28)).astype(np.float32)
    ex = ConvExplorer(image, kernel_size=5, padding=2, stride=2, dilation=2, kernel="random")
    ref = torch.nn.functional.conv2d(torch.from_numpy(image[None, None].copy()),
                                     torch.from_numpy(ex.weight()[None, None]),
                                     stride=2, padding=2, dilation=2)
    np.testing.assert_allclose(ex.output, ref[0, 0].numpy(), rtol=1e-5, atol=1e-6)


def test_conv_picture_counts_cells_windows_and_taps():
    image = np.random.default_rng(2).random((10, 10)).astype(np.float32)
    ex = ConvExplorer(image, kernel_size=3, padding=2, stride=2, dilation=2)
    ex.set(position=5)
    root = parse(ex.to_svg())
    ho, wo = ex.output_shape()
    assert len(with_class(root, "rect", "padding")) == 14 * 14 - 10 * 10
    assert len(with_class(root, "circle", "window-start")) == ho * wo
    assert len(with_class(root, "rect", "out")) == ho * wo
    taps = with_class(root, "rect", "tap")
    assert len(taps) == 9
    i, j = divmod(5, wo)
    cell = ex.cell
    xs = sorted({round((float(t.get("x")) - 20 - 1) / cell) for t in taps})
    ys = sorted({round((float(t.get("y")) - 44 - 1) / cell) for t in taps})
    assert xs == [j * 2 + a * 2 for a in range(3)] and ys == [i * 2 + a * 2 for a in range(3)]


def test_conv_kernel_too_large_has_no_output():
    ex = ConvExplorer(np.ones((5, 5), np.float32), kernel_size=4, dilation=3)
    assert conv_output_size(5, 4, 0, 1, 3) < 1
    assert ex.output is None
    root = parse(ex.to_svg())
    assert with_class(root, "text", "no-output")
    ex.set(dilation=1)
    assert ex.output.shape == (2, 2)


def test_conv_default_image_is_the_first_mnist_test_digit():
    from tensorkit.vision import datasets

    try:
        test = datasets.MNIST(None, train=False)
    except RuntimeError:
        pytest.skip("MNIST is not under $TENSORKIT_DATA")
    ex = ConvExplorer()
    np.testing.assert_array_equal(ex.image, test.data[0].numpy() / np.float32(255))
    assert ex.source.startswith("MNIST test image 0")


def test_conv_falls_back_to_a_synthetic_digit(monkeypatch):
    from tensorkit.vision import datasets

    def missing(*args, **kwargs):
        raise RuntimeError("Dataset not found")

    monkeypatch.setattr(datasets, "MNIST", missing)
    ex = ConvExplorer()
    assert ex.source.startswith("synthetic")
    np.testing.assert_array_equal(ex.image, conv_module.synthetic_digit())
    assert ex.output.shape == (26, 26)


def test_conv_mimebundle_has_a_static_svg():
    ex = ConvExplorer(np.eye(6, dtype=np.float32))
    data = ex._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "application/vnd.jupyter.widget-view+json" in data
    parse(data["image/svg+xml"])
    assert ex._picture.value == ex.to_svg()


# --------------------------------------------------------------------------- strides

def numpy_storage_indices(view: np.ndarray, base: np.ndarray) -> np.ndarray:
    """From NumPy's byte strides and pointers, independently of tensorkit."""
    offset = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0])
    grids = np.indices(view.shape)
    steps = [s // view.itemsize for s in view.strides]
    return offset // view.itemsize + sum(g * s for g, s in zip(grids, steps))


CASES = [  # (tensorkit expression, the same view in NumPy)
    ("x.t()", lambda a: a.T),
    ("x[:, 1:3]", lambda a: a[:, 1:3]),
    ("x[::2]", lambda a: a[::2]),
    ("x[1:, 1:]", lambda a: a[1:, 1:]),
    ("x[0].expand(3, 4)", lambda a: np.broadcast_to(a[0], (3, 4))),
    ("x[:, :1].expand(3, 4)", lambda a: np.broadcast_to(a[:, :1], (3, 4))),
    ("x.unsqueeze(1)", lambda a: a[:, None]),
    ("x.permute(1, 0)", lambda a: a.transpose(1, 0)),
    ("x.view(2, 6)", lambda a: a.reshape(2, 6)),
]


@pytest.mark.parametrize("expr,np_op", CASES, ids=[c[0] for c in CASES])
def test_stride_indices_match_numpy_and_values(expr, np_op):
    x = tensorkit.arange(12).view(3, 4)
    ex = StrideExplorer(x, op=expr)
    view = ex.view
    idx = storage_indices(view)
    assert idx.shape == tuple(view.shape)
    # the base is arange over its storage: each element's value is its storage index
    np.testing.assert_array_equal(idx, view.numpy())
    base = np.arange(12, dtype=np.int64).reshape(3, 4)
    np.testing.assert_array_equal(idx, numpy_storage_indices(np_op(base), base))
    assert not ex.is_copy()
    root = parse(ex.to_svg())
    touched = with_class(root, "rect", "touched")
    counts = {int(r.get("data-index")): int(r.get("data-count")) for r in touched}
    expected = dict(zip(*np.unique(idx, return_counts=True)))
    assert counts == {int(k): int(v) for k, v in expected.items()}
    props = with_class(root, "text", "props")[0].text
    assert f"stride {view.stride()}" in props and f"storage_offset {view.storage_offset()}" \
        in props and f"is_contiguous() {view.is_contiguous()}" in props


@pytest.mark.parametrize("expr", [c[0] for c in CASES])
def test_stride_view_matches_torch(torch, expr):
    x = tensorkit.arange(12).view(3, 4)
    view = StrideExplorer(x, op=expr).view
    ref = eval(expr, {"x": torch.arange(12).view(3, 4)})
    assert view.stride() == ref.stride()
    assert view.storage_offset() == ref.storage_offset()
    assert view.is_contiguous() == ref.is_contiguous()


def test_stride_expand_touches_cells_several_times():
    x = tensorkit.arange(12).view(3, 4)
    ex = StrideExplorer(x, op="x[0].expand(3, 4)")
    assert ex.storage_cells() == {0: 3, 1: 3, 2: 3, 3: 3}
    root = parse(ex.to_svg())
    assert [t.text for t in with_class(root, "text", "multiplicity")] == ["x3"] * 4


def test_stride_copies_are_called_copies():
    x = tensorkit.arange(12).view(3, 4)
    ex = StrideExplorer(x, op="x.t().reshape(-1)")
    assert ex.is_copy()
    assert with_class(parse(ex.to_svg()), "text", "copy-note")
    ex.expression.value = "x.view(-1)"
    assert not ex.is_copy() and not with_class(parse(ex.to_svg()), "text", "copy-note")
    ex.expression.value = "x.t().contiguous()"
    assert ex.is_copy()
    np.testing.assert_array_equal(storage_indices(ex.view), np.arange(12).reshape(4, 3))


def test_stride_errors_are_shown():
    ex = StrideExplorer(tensorkit.arange(12).view(3, 4), op="x.t().view(12)")
    assert ex.view is None and "view size is not compatible" in ex.error
    assert "view size is not compatible" in with_class(parse(ex.to_svg()), "text", "error")[0].text


def test_stride_given_view_and_offset_base():
    storage = tensorkit.arange(20)
    base = storage[4:16].view(3, 4)  # starts at storage cell 4
    view = base.t()[1:]
    ex = StrideExplorer(base, view)
    np.testing.assert_array_equal(storage_indices(view), view.numpy())
    assert ex.view is view and not ex.is_copy()
    root = parse(ex.to_svg())
    cells = with_class(root, "rect", "storage")
    assert len(cells) == 16  # cells 0..15: the view and the base reach up to 15
    first = [t.text for t in root.iter(SVG + "text")]
    assert "?" in first  # cells 0..3 are not reachable from the base: unknown values
    x3 = tensorkit.arange(24).view(2, 3, 4)
    ex = StrideExplorer(x3, x3.permute(2, 0, 1))
    np.testing.assert_array_equal(storage_indices(ex.view), x3.permute(2, 0, 1).numpy())
    parse(ex.to_svg())


def test_stride_selected_element_formula():
    ex = StrideExplorer(tensorkit.arange(12).view(3, 4), op="x.t()")
    ex.element.value = 5  # element 5 of a (4, 3) view is [1, 2]; strides (1, 4): 1 + 8
    text = with_class(parse(ex.to_svg()), "text", "formula")[0].text
    assert text == "view[1, 2] reads storage[0 + 1*1 + 2*4] = storage[9]"


# ------------------------------------------------------------------------------ rnn

class NameClassifier(nn.Module):
    """Lesson 11's model: characters -> Embedding -> bidirectional GRU -> Linear."""

    def __init__(self, rnn_cls=nn.GRU, bidirectional=True, layers=2, batch_first=False,
                 hidden=100, classes=18):
        super().__init__()
        self.embedding = nn.Embedding(128, hidden)
        self.gru = rnn_cls(hidden, hidden, num_layers=layers, bidirectional=bidirectional,
                           batch_first=batch_first)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), classes)
        self.batch_first = batch_first

    def forward(self, codes):  # (B, T)
        x = self.embedding(codes if self.batch_first else codes.t())
        _, hidden = self.gru(x)
        if isinstance(hidden, tuple):
            hidden = hidden[0]
        if self.gru.bidirectional:
            return self.fc(tensorkit.cat([hidden[-2], hidden[-1]], 1))
        return self.fc(hidden[-1])


def codes_of(name: str) -> tensorkit.Tensor:
    return tensorkit.tensor([[ord(c) for c in name]])


@pytest.mark.parametrize("rnn_cls,bidirectional,layers,batch_first", [
    (nn.GRU, True, 2, False), (nn.GRU, False, 1, True), (nn.LSTM, True, 2, True),
    (nn.RNN, False, 3, False)])
def test_rnn_hidden_states_match_the_layer(rnn_cls, bidirectional, layers, batch_first):
    model = NameClassifier(rnn_cls, bidirectional, layers, batch_first, hidden=16, classes=5)
    ex = RNNUnrolled(model, "Nakamura")
    with tensorkit.no_grad():
        x = model.embedding(codes_of("Nakamura"))
        output, hidden = model.gru(x if batch_first else x.transpose(0, 1))
    if isinstance(hidden, tuple):
        hidden = hidden[0]
    output = (output[0] if batch_first else output[:, 0]).numpy()
    dirs = 2 if bidirectional else 1
    top = np.concatenate([ex.states[(layers - 1, d)] for d in range(dirs)], 1)
    np.testing.assert_allclose(top, output, rtol=1e-5, atol=1e-6)
    for layer, d in itertools.product(range(layers), range(dirs)):
        last = ex.states[(layer, d)][-1 if d == 0 else 0]
        np.testing.assert_allclose(last, hidden[layer * dirs + d, 0].numpy(), rtol=1e-5,
                                   atol=1e-6)
    assert ex.states[(0, 0)].shape == (8, 16)


def test_rnn_prefix_predictions_match_the_model():
    tensorkit.manual_seed(3)
    model = NameClassifier()
    model.train()
    ex = RNNUnrolled(model, "Rossi", classes=[f"c{i}" for i in range(18)])
    assert model.training  # put back as it was
    model.eval()
    with tensorkit.no_grad():
        expected = np.stack([tensorkit.softmax(model(codes_of("Rossi"[:t])), 1)[0].numpy()
                             for t in range(1, 6)])
    np.testing.assert_allclose(ex.probabilities, expected, rtol=1e-5, atol=1e-7)
    root = parse(ex.to_svg())
    assert [t.text for t in with_class(root, "text", "char")] == list("Rossi")
    assert len(with_class(root, "rect", "state")) == 5 * 100
    best = int(expected[-1].argmax())
    assert with_class(root, "text", "prediction")[0].text.startswith(f"Rossi  ->  c{best} (")
    ex.name_box.value = "Li"
    assert ex.probabilities.shape == (2, 18)
    assert len(with_class(parse(ex.to_svg()), "text", "char")) == 2


def test_rnn_custom_predict_and_empty_name():
    model = NameClassifier(hidden=8, classes=4)
    calls = []

    def predict(m, codes):
        calls.append(codes.shape)
        return m(codes)

    ex = RNNUnrolled(model, "Abe", classes=list("abcd"), predict=predict)
    assert calls == [(1, 1), (1, 2), (1, 3)]
    ex.name_box.value = ""
    assert "Type a name" in ex.to_svg()


def test_rnn_default_classes_are_the_languages():
    if not os.path.exists(os.path.join(os.environ.get("TENSORKIT_DATA", ""), "names",
                                       "names_test.csv.gz")):
        pytest.skip("the surname data is not under $TENSORKIT_DATA")
    ex = RNNUnrolled(NameClassifier(hidden=8), "Smith")
    assert ex.classes[:3] == ["Arabic", "Chinese", "Czech"] and len(ex.classes) == 18
    data = ex._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    parse(data["image/svg+xml"])
