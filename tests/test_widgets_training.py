"""TrainingView: what it records, how often it syncs, and its static pictures."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("anywidget")

import tensorkit  # noqa: E402
import tensorkit.nn.functional as F  # noqa: E402
from tensorkit import nn  # noqa: E402
from widgets.training import TrainingView, _decimate, decode_series  # noqa: E402


class FakeClock:
    """A clock that moves only when told: each step() of the loop advances it."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        return self.now

    def advance(self) -> None:
        self.now += self.tick


def make_model():
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                         nn.Linear(16, 4))


def train(view, model, steps: int, clock: FakeClock | None = None, record=None):
    """A plain loop with view.step; ``record(model, loss, out, y)`` sees each step."""
    opt = tensorkit.optim.SGD(model.parameters(), lr=0.1)
    gen = np.random.default_rng(1)
    for _ in range(steps):
        x = tensorkit.tensor(gen.normal(size=(32, 6)).astype(np.float32))
        y = tensorkit.tensor(gen.integers(0, 4, size=32))
        opt.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        if record is not None:
            record(model, loss, out, y)
        view.step(loss, out, y)
        opt.step()
        if clock is not None:
            clock.advance()


def test_records_loss_accuracy_and_grad_norms():
    model = make_model()
    view = TrainingView(model, grad_every=1)
    losses, accs, norms = [], [], {"0": [], "2": [], "4": []}

    def record(model, loss, out, y):
        losses.append(loss.item())
        accs.append(float((out.detach().numpy().argmax(1) == y.numpy()).mean()))
        for name in norms:  # the layer's weight and bias as one vector
            layer = model.get_submodule(name)
            sq = sum(float(p.grad.norm()) ** 2 for p in layer.parameters())
            norms[name].append(math.sqrt(sq))

    train(view, model, 12, record=record)
    assert view.steps == 12
    assert view.layers == ["0", "2", "4"]
    np.testing.assert_allclose(view.losses, losses, rtol=1e-6)
    np.testing.assert_allclose(view.accuracies, accs)
    assert view.accuracy_steps == list(range(1, 13))
    assert view.grad_steps == list(range(1, 13))
    for name, expected in norms.items():
        np.testing.assert_allclose(view.grad_norms[name], expected, rtol=1e-5)
    assert len(set(np.round(view.accuracies, 6))) > 1  # really per batch


def test_group_by_parameter_and_loss_only():
    model = make_model()
    view = TrainingView(model, group="parameter", grad_every=1)
    assert view.layers == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    grads = []
    train(view, model, 3, record=lambda m, *_: grads.append(float(m[4].bias.grad.norm())))
    np.testing.assert_allclose(view.grad_norms["4.bias"], grads, rtol=1e-5)
    plain = TrainingView()
    for v in (3.0, 2.0, tensorkit.tensor(1.5)):
        plain.step(v)
    assert plain.losses == [3.0, 2.0, 1.5] and plain.layers == [] and plain.accuracies == []


def test_only_some_module_types():
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4))
    view = TrainingView(model, only=nn.Linear, grad_every=1)
    assert view.layers == ["0", "3"]
    assert TrainingView(model).layers == ["0", "1", "3"]
    assert TrainingView(model, only=(nn.BatchNorm1d,), group="parameter").layers == [
        "1.weight", "1.bias"]


def test_accuracy_of_probabilities_in_one_column():
    view = TrainingView()
    probs = tensorkit.tensor([[0.9], [0.2], [0.7], [0.4]])
    view.step(0.5, probs, tensorkit.tensor([[1.0], [0.0], [0.0], [0.0]]))
    assert view.accuracies == [0.75]


def test_grad_every_fixed_and_auto():
    model = make_model()
    view = TrainingView(model, grad_every=5)
    train(view, model, 17)
    assert view.grad_steps == [5, 10, 15]
    # auto: steps that take a microsecond make measuring every step far over budget
    clock = FakeClock(1e-6)
    model = make_model()
    view = TrainingView(model, clock=clock)
    train(view, model, 60, clock)
    assert view.grad_steps[0] == 1 and 1 <= len(view.grad_steps) < 10
    # ... and steps that take a second make it cheap: every step
    clock = FakeClock(1.0)
    view = TrainingView(model, clock=clock)
    train(view, model, 20, clock)
    assert view.grad_steps == list(range(1, 21))


def test_throttle_many_steps_few_syncs_last_values_flushed():
    clock = FakeClock(0.01)  # a step every 10 ms
    model = make_model()
    view = TrainingView(model, interval=0.5, budget=1.0, clock=clock)
    sent = []
    view.observe(lambda change: sent.append(decode_series(change["new"])), names="series")
    train(view, model, 230, clock)  # 2.3 s of training
    assert 3 <= view.sync_count <= 5
    assert len(sent) == view.sync_count
    assert sent[-1]["loss"]["x"][-1] < 230  # the last steps wait for the next sync
    view.epoch(test_accuracy=0.25)
    assert len(sent) == view.sync_count
    last = sent[-1]
    assert last["loss"]["x"][-1] == 230
    assert last["loss"]["y"][-1] == pytest.approx(view.losses[-1])
    assert last["loss"]["y"] == pytest.approx(view.losses)
    assert last["epochs"] == [{"epoch": 1, "step": 230, "test_accuracy": 0.25}]
    assert view.summary["steps"] == 230 and view.summary["test_accuracy"] == 0.25
    assert set(view.histograms) == {"0", "2", "4"}


def test_no_throttle_syncs_every_step():
    clock = FakeClock(0.01)
    view = TrainingView(make_model(), interval=0.0, budget=1e9, clock=clock)
    train(view, view.model, 7, clock)
    assert view.sync_count == 7


def test_histograms_match_numpy():
    model = make_model()
    view = TrainingView(model, bins=17)
    train(view, model, 2)
    for name in view.layers:
        params = list(model.get_submodule(name).parameters())
        hist = view.layer_histograms(name)
        for kind, arrays in (("weight", [p.detach().numpy() for p in params]),
                             ("grad", [p.grad.numpy() for p in params])):
            counts, edges = np.histogram(np.concatenate([a.ravel() for a in arrays]), bins=17)
            assert hist[kind]["counts"] == counts.tolist()
            np.testing.assert_allclose(hist[kind]["edges"], edges, rtol=1e-6)
            assert hist[kind]["nonfinite"] == 0


def test_large_layers_are_sampled_evenly_for_histograms():
    model = nn.Linear(50, 40)  # 2,040 values
    view = TrainingView(model, bins=12, hist_sample=500)
    hist = view.layer_histograms("Linear")
    step = 5  # ceil(2040 / 500)
    sample = np.concatenate([model.weight.detach().numpy().ravel()[::step],
                             model.bias.detach().numpy()[::step]])
    counts, edges = np.histogram(sample, bins=12)
    assert hist["weight"]["counts"] == counts.tolist() and sum(counts) == 400 + 8
    np.testing.assert_allclose(hist["weight"]["edges"], edges, rtol=1e-6)


def test_histogram_counts_nonfinite_apart():
    model = nn.Linear(3, 2)
    with tensorkit.no_grad():
        model.weight[0, 0] = float("nan")
    view = TrainingView(model, bins=4)
    assert view.layers == ["Linear"]
    hist = view.layer_histograms("Linear")
    values = np.concatenate([model.weight.detach().numpy().ravel(),
                             model.bias.detach().numpy()])
    counts, _ = np.histogram(values[np.isfinite(values)], bins=4)
    assert hist["weight"]["counts"] == counts.tolist() and hist["weight"]["nonfinite"] == 1
    assert hist["grad"] is None


def test_decimation_keeps_the_last_step_and_averages_runs():
    xs, ys = list(range(1, 1001)), [float(i) for i in range(1, 1001)]
    dx, dy = _decimate(xs, ys, 300)
    assert len(dx) <= 300 and dx[-1] == 1000
    size = 4  # ceil(1000 / 300)
    assert dy[-1] == pytest.approx(np.mean(ys[-size:]))
    assert len(dx) == 250 and dy[0] == pytest.approx(2.5) and dx[0] == 4
    dx, dy = _decimate(xs[:10], ys[:10], 4)  # runs of 3, the first one shorter
    assert dx.tolist() == [1, 4, 7, 10] and dy == pytest.approx([1.0, 3.0, 6.0, 9.0])
    view = TrainingView(max_points=50, interval=1e9)
    for i in range(400):
        view.step(float(i))
    view.flush()
    loss = decode_series(view.series)["loss"]
    assert len(loss["x"]) <= 50 and loss["x"][-1] == 400


def test_nan_loss_becomes_a_gap():
    view = TrainingView(interval=1e9)
    for v in (1.0, float("nan"), 0.5):
        view.step(v)
    view.flush()
    assert decode_series(view.series)["loss"]["y"] == [1.0, None, 0.5]
    json.dumps(view.summary, allow_nan=False)
    assert isinstance(view.series["loss"]["y"], memoryview)  # sent as a binary buffer


def test_static_svg_png_and_mimebundle():
    model = make_model()
    view = TrainingView(model, title="tiny <net>")
    train(view, model, 20)
    view.epoch(test_accuracy=0.4)
    svg = view.to_svg()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    lines = {p.get("class"): p for p in root.iter(ns + "polyline")}
    assert len(lines["loss"].get("points").split()) == 20
    assert len([p for p in root.iter(ns + "polyline") if p.get("class") == "grad-norm"]) == 3
    assert [t.text for t in root.iter(ns + "text")][0] == "tiny <net>"
    bars = [r for r in root.iter(ns + "rect") if r.get("class") == "bar-weight"]
    assert len(bars) == view.bins
    png = view.to_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, _ = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    ET.fromstring(data["image/svg+xml"])


def test_bad_options_raise():
    with pytest.raises(ValueError, match="group"):
        TrainingView(group="layer")
    with pytest.raises(ValueError, match="grad_every"):
        TrainingView(grad_every=0)
