"""GraphView, tested on the widget's state (no browser): what it draws for known graphs,
the gradients it shows, live growth, stepping through backward, module boxes, the
layout and the static SVG."""

from __future__ import annotations

import gc
import math
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

pytest.importorskip("anywidget")
pytest.importorskip("grandalf")

import tensorkit  # noqa: E402
import tensorkit.nn.functional as F  # noqa: E402
from tensorkit import nn  # noqa: E402
from tensorkit.autograd import graph as autograd_graph  # noqa: E402
from widgets import GraphView, _layout  # noqa: E402
from widgets._graph_model import group_of  # noqa: E402

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def views():
    """Make views and close them after the test, so that no hook outlives it."""
    made = []

    def make(*args, **kwargs):
        view = GraphView(*args, **kwargs)
        made.append(view)
        return view

    yield make
    for view in made:
        view.close()


def labels(view) -> Counter:
    return Counter(n["label"] for n in view.state["nodes"])


def node(view, label: str) -> dict:
    found = [n for n in view.state["nodes"] if n["label"] == label]
    assert len(found) == 1, f"{label}: {len(found)} nodes"
    return found[0]


def edge_labels(view) -> set:
    by_id = {n["id"]: n["label"] for n in view.state["nodes"]}
    return {(by_id[e["source"]], by_id[e["target"]]) for e in view.state["edges"]}


def seeds_graph(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, y, z, out


def torch_names(root) -> Counter:
    """The op names of a torch graph (AccumulateGrad for leaves), by walking grad_fn."""
    seen, stack, names = set(), [root], Counter()
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names[type(fn).__name__ if fn.name() == "torch::autograd::AccumulateGrad"
              else fn.name()] += 1
        stack.extend(n for n, _ in fn.next_functions)
    return names


# -- the seeds' example: x -> +2 -> y*y*3 -> mean ---------------------------------------------
def test_seeds_graph_nodes_edges_and_labels(views):
    x, y, z, out = seeds_graph(tensorkit)
    view = views(out, names={"x": x, "y": y, "z": z, "out": out})
    assert labels(view) == Counter({"MulBackward0": 2, "AddBackward0": 1, "MeanBackward0": 1,
                                    "x": 1})
    leaf = node(view, "x")
    assert leaf["kind"] == "leaf" and leaf["lines"][0] == "(2, 2) float32"
    assert node(view, "MeanBackward0")["lines"][0] == "out = () float32"
    assert node(view, "AddBackward0")["lines"][0] == "y = (2, 2) float32"
    assert edge_labels(view) == {("x", "AddBackward0"), ("AddBackward0", "MulBackward0"),
                                 ("MulBackward0", "MulBackward0"),
                                 ("MulBackward0", "MeanBackward0")}
    roots = [n["label"] for n in view.state["nodes"] if n["root"]]
    assert roots == ["MeanBackward0"]
    assert all(n["grad"] is None for n in view.state["nodes"])  # no backward yet


def test_seeds_graph_matches_torch(views, torch):
    x, *_, out = seeds_graph(tensorkit)
    *_, reference = seeds_graph(torch)
    expected = torch_names(reference.grad_fn)
    expected["leaf tensor"] = expected.pop("AccumulateGrad")  # no name given for x
    assert labels(views(out, names={})) == expected


def test_a_leaf_that_is_gone_is_drawn_without_shape(views):
    out = seeds_graph(tensorkit)[-1]  # x itself is dropped: only its node remains
    gc.collect()
    view = views(out, names={})
    assert node(view, "leaf tensor")["lines"] == ["(freed)"]


def test_gradients_after_backward(views):
    x, y, z, out = seeds_graph(tensorkit)
    view = views(out, names={"x": x, "y": y, "z": z, "out": out})
    dy, dz = tensorkit.autograd.grad(out, [y, z], retain_graph=True)
    out.backward()
    assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
    leaf = node(view, "x")
    assert leaf["grad"] == "[[4.5, 4.5], [4.5, 4.5]]"
    assert leaf["grad_norm"] == pytest.approx(9.0)
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in leaf["lines"]
    # each op node shows the gradient of the loss with respect to its output
    assert node(view, "AddBackward0")["grad_norm"] == pytest.approx(dy.norm().item())
    assert node(view, "MeanBackward0")["grad"] == "1"
    muls = sorted(n["grad_norm"] for n in view.state["nodes"] if n["label"] == "MulBackward0")
    assert muls == pytest.approx(sorted([dz.norm().item(), 3 * dz.norm().item()]))
    # colours follow the gradient size: the largest norm gets the darkest fill
    fills = {n["label"]: n["fill"] for n in view.state["nodes"]}
    legend = view.state["legend"]
    assert legend["min"] == pytest.approx(0.5) and legend["max"] == pytest.approx(9.0)
    assert fills["x"] == fills["AddBackward0"] != fills["MeanBackward0"]


# -- watching: the graph grows as ops run -----------------------------------------------------
def test_live_growth_while_watching(views):
    view = views()
    assert view.watching and view.state["nodes"] == []
    x = tensorkit.ones(2, 2, requires_grad=True)
    counts = [len(view.state["nodes"])]
    y = x + 2
    counts.append(len(view.state["nodes"]))
    z = y * y * 3
    counts.append(len(view.state["nodes"]))
    out = z.mean()
    counts.append(len(view.state["nodes"]))
    assert counts == [0, 2, 4, 5]
    assert view.state["watching"] is True
    out.backward()
    leaves = [n for n in view.state["nodes"] if n["kind"] == "leaf"]
    assert [n["grad"] for n in leaves] == ["[[4.5, 4.5], [4.5, 4.5]]"]


def test_watch_context_manager_records_only_inside(views):
    names = {}
    view = views(watch=False, names=names)
    a = names["a"] = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    before = a * 2
    with view.watch():
        inside = (a + 1).sum()
    after = a.exp()
    assert not view.watching
    assert labels(view) == Counter({"AddBackward0": 1, "SumBackward0": 1, "a": 1})
    assert len(before.grad_fn.name()) and len(after.grad_fn.name())  # made, not drawn
    del inside


def test_show_replaces_the_graph_and_stops_watching(views):
    names = {}
    view = views(names=names)
    a = names["a"] = tensorkit.tensor(3.0, requires_grad=True)
    first = a * a
    second = a.sin()
    view.show(second)
    assert not view.watching
    assert labels(view) == Counter({"SinBackward0": 1, "a": 1})
    third = a.exp()  # not watching any more
    assert labels(view) == Counter({"SinBackward0": 1, "a": 1})
    del first, third


def test_nodes_of_dropped_graphs_go_away(views):
    view = views()
    a = tensorkit.tensor([1.0, 2.0], requires_grad=True)
    b = (a * 3).sum()
    assert len(view.state["nodes"]) == 3
    del b
    gc.collect()
    assert view.state["nodes"] == []


def test_close_removes_the_hooks(views):
    names = {}
    view = views(names=names)
    a = names["a"] = tensorkit.tensor(1.0, requires_grad=True)
    kept = a * 2
    view.close()
    more = kept + 1
    more.backward()
    assert labels(view) == Counter({"MulBackward0": 1, "a": 1})
    assert all(n["grad"] is None or n["kind"] == "leaf" for n in view.state["nodes"])


# -- stepping through backward: lesson 02's f(x1, x2) = ln(x1) + x1 x2 - sin(x2) at (2, 5) --------
def lesson02(view_factory):
    x1 = tensorkit.tensor(2.0, requires_grad=True)
    x2 = tensorkit.tensor(5.0, requires_grad=True)
    v1 = tensorkit.log(x1)
    v2 = x1 * x2
    a = v1 + v2
    s = tensorkit.sin(x2)
    f = a - s
    view = view_factory(f, names={"x1": x1, "x2": x2, "f": f})
    return view, (x1, x2, v1, v2, a, s, f)


def test_steps_follow_the_engine_and_the_chain_rule(views):
    view, (x1, x2, v1, v2, a, s, f) = lesson02(views)
    expected = tensorkit.autograd.grad(f, [a, s, v1, v2], retain_graph=True)
    df_da, df_ds, df_dv1, df_dv2 = (g.item() for g in expected)
    ran = []  # the engine's own order, seen through each node's public hook
    for fn in autograd_graph.walk(f):
        if not isinstance(fn, autograd_graph.AccumulateGrad):
            fn.register_hook(lambda gi, go, fn=fn: ran.append(fn.name()))
    f.backward()

    steps = view.steps
    names = [step.name for step in steps]
    assert names[:5] == ran == ["SubBackward0", "SinBackward0", "AddBackward0",
                                "MulBackward0", "LogBackward0"]
    assert names[5:] == ["AccumulateGrad", "AccumulateGrad"]
    received = {step.name: step.grad.scalar for step in steps[:5]}
    assert received == pytest.approx({"SubBackward0": 1.0, "SinBackward0": df_ds,
                                      "AddBackward0": df_da, "MulBackward0": df_dv2,
                                      "LogBackward0": df_dv1})
    # local derivatives: d(x1 x2)/dx1 = x2, d(x1 x2)/dx2 = x1, d ln(x1)/dx1 = 1/x1,
    # d sin(x2)/dx2 = cos(x2); the gradient sent on is received x local
    mul = steps[names.index("MulBackward0")]
    assert [c.local for c in mul.sent] == pytest.approx([5.0, 2.0])
    log = steps[names.index("LogBackward0")]
    assert log.sent[0].local == pytest.approx(0.5)
    sin = steps[names.index("SinBackward0")]
    assert sin.sent[0].local == pytest.approx(math.cos(5.0), rel=1e-6)
    for step in steps[:5]:
        for c in step.sent:
            assert c.grad.scalar == pytest.approx(step.grad.scalar * c.local, rel=1e-6)
    leaves = sorted(step.after.scalar for step in steps[5:])
    assert leaves == pytest.approx(sorted([x1.grad.item(), x2.grad.item()]))
    assert x1.grad.item() == pytest.approx(1 / 2 + 5) and x2.grad.item() == pytest.approx(
        2 - math.cos(5), rel=1e-6)


def test_step_and_reset_drive_the_view(views):
    view, (x1, x2, *_, f) = lesson02(views)
    f.backward()
    assert view.step_index is None and not view.state["step"]["stepping"]
    view.reset()
    state = view.state
    assert state["step"]["index"] == 0 and state["step"]["stepping"]
    assert all(n["state"] == "pending" and n["grad"] is None for n in state["nodes"])

    seen = []
    while (step := view.step()) is not None:
        state = view.state
        current = [n for n in state["nodes"] if n["state"] == "current"]
        assert len(current) == 1 and current[0]["id"] == state["step"]["node"]
        done = sum(n["state"] in ("done", "current") for n in state["nodes"])
        seen.append((step.name, done, state["step"]["text"]))
    assert [s[1] for s in seen] == list(range(1, 8))
    text = {name: lines for name, _, lines in seen}
    assert "∂f/∂x1 += ∂f/∂mul · ∂mul/∂x1 = 1 × 5 = 5" in text["MulBackward0"]
    assert "∂f/∂x2 += ∂f/∂mul · ∂mul/∂x2 = 1 × 2 = 2" in text["MulBackward0"]
    assert "∂f/∂x1 += ∂f/∂log · ∂log/∂x1 = 1 × 0.5 = 0.5" in text["LogBackward0"]
    assert any("x1.grad = 5 + 0.5 = 5.5" in line for line in seen[5][2] + seen[6][2])
    # the active edges of a step carry the gradients it sends
    view.reset()
    for _ in range(4):
        view.step()
    active = [e for e in view.state["edges"] if e["active"]]
    assert sorted(e["label"] for e in active) == ["2", "5"]
    # after the last step: back to the whole picture, x1 coloured by its gradient
    view.show_all()
    assert node(view, "x1")["grad"] == "5.5"


def test_second_backward_starts_new_steps(views):
    view, (x1, x2, *_, f) = lesson02(views)
    f.backward(retain_graph=True)
    f.backward()
    assert len(view.steps) == 7
    leaf_steps = {round(s.before.scalar, 4): s.after.scalar for s in view.steps if s.leaf}
    assert leaf_steps == pytest.approx({5.5: 11.0, round(2 - math.cos(5), 4): x2.grad.item()})
    assert node(view, "x1")["grad"] == "11"


# -- modules: one box per module call, expandable -------------------------------------------
class Inception(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch1x1 = nn.Conv2d(cin, 4, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(cin, 4, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(4, 6, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(cin, 4, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(4, 6, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(6, 6, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(cin, 6, kernel_size=1)

    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return tensorkit.cat([b1, b5, b3, bp], 1)


class InceptionNet(nn.Module):
    """The shape of lesson 11's net, small: conv, pool, inception, conv, pool, inception."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 5, kernel_size=3)
        self.incep1 = Inception(5)
        self.conv2 = nn.Conv2d(22, 5, kernel_size=3)
        self.incep2 = Inception(5)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(22, 3)

    def forward(self, x):
        n = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))  # 10 -> 8 -> 4
        x = self.incep1(x)
        x = F.relu(self.mp(self.conv2(x)))  # 4 -> 2 -> 1
        x = self.incep2(x)
        return F.log_softmax(self.fc(x.view(n, -1)), dim=1)


def inception_loss():
    net = InceptionNet()
    view = GraphView(model=net, names={})
    out = net(tensorkit.randn(2, 1, 10, 10))
    loss = F.nll_loss(out, tensorkit.tensor([0, 2]))
    view.stop()
    return net, view, loss


TOP_LEVEL = {"conv1": 1, "mp #1": 1, "ReluBackward0": 2, "incep1": 1, "conv2": 1, "mp #2": 1,
             "incep2": 1, "ViewBackward0": 1, "fc": 1, "LogSoftmaxBackward0": 1,
             "NllLossBackward0": 1}
INCEP1 = {f"incep1.{b}": 1 for b in ("branch1x1", "branch5x5_1", "branch5x5_2", "branch3x3_1",
                                      "branch3x3_2", "branch3x3_3", "branch_pool")}


def test_big_model_collapses_into_module_boxes():
    net, view, loss = inception_loss()
    try:
        total = len(autograd_graph.walk(loss))
        assert total > 40  # big enough to start collapsed
        assert labels(view) == Counter(TOP_LEVEL)
        incep = node(view, "incep1")
        assert incep["kind"] == "module"
        assert incep["lines"][0] == "Inception · 9 ops · 14 params"  # 7 convs, pool, cat
        assert incep["lines"][1] == "(2, 22, 4, 4)"
        assert node(view, "fc")["lines"][0] == "Linear · 2 ops · 2 params"  # t() and addmm

        view.expand("incep1")
        expected = Counter(TOP_LEVEL) - Counter({"incep1": 1}) + Counter(INCEP1) + Counter(
            {"AvgPool2DBackward0": 1, "CatBackward0": 1})
        assert labels(view) == expected
        assert view.state["expanded"] == ["incep1"]
        assert ("ReluBackward0", "AvgPool2DBackward0") in edge_labels(view)
        assert ("incep1.branch5x5_1", "incep1.branch5x5_2") in edge_labels(view)

        view.collapse("incep1")
        assert labels(view) == Counter(TOP_LEVEL)
        view._on_message(view, {"type": "expand", "module": "incep2"}, [])  # a click
        assert "incep2.branch_pool" in labels(view)

        view.expand()  # everything open: every node of the graph
        assert len(view.state["nodes"]) == total
        assert node(view, "incep1.branch1x1.weight")["kind"] == "leaf"
        mods = {n["label"]: n["module"] for n in view.state["nodes"]
                if n["label"] in ("TBackward0", "AddmmBackward0")}
        assert mods == {"TBackward0": "fc", "AddmmBackward0": "fc"}
        assert not _layout.overlaps(_layout_of(view))

        view.collapse()
        loss.backward()
        box = node(view, "incep2")
        assert box["grad_norm"] > 0 and box["fill"] != node(view, "mp #1")["fill"]
    finally:
        view.close()


def test_modules_guessed_from_parameters_when_not_watching(views):
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = net(tensorkit.randn(5, 3)).sum()
    view = views(loss, model=net, collapse=True, names={})
    assert labels(view) == Counter({"0": 1, "ReluBackward0": 1, "2": 1, "SumBackward0": 1})
    view.expand()
    assert labels(view)["0.weight"] == 1 and labels(view)["2.bias"] == 1


def test_group_of_opens_modules_outside_in():
    calls = (("", 0), ("layer1", 1), ("layer1.0", 2), ("layer1.0.conv1", 3))
    assert group_of(calls, None) is None
    assert group_of(calls, set()) == ("layer1", 1)
    assert group_of(calls, {"layer1"}) == ("layer1.0", 2)
    assert group_of(calls, {"layer1", "layer1.0", "layer1.0.conv1"}) is None


# -- layout and pictures --------------------------------------------------------------------
def _layout_of(view) -> _layout.Layout:
    layout = _layout.Layout()
    for n in view.state["nodes"]:
        layout.positions[n["id"]] = (n["x"], n["y"])
        layout.sizes[n["id"]] = (n["w"], n["h"])
    return layout


def test_layout_has_no_overlaps_and_edges_point_down():
    sizes = {k: (40 + 10 * len(k), 30) for k in ["x", "w", "b", "mm", "add", "relu", "w2",
                                                  "out", "lone", "other"]}
    edges = [("x", "mm"), ("w", "mm"), ("mm", "add"), ("b", "add"), ("add", "relu"),
             ("relu", "out"), ("w2", "out"), ("x", "out"), ("lone", "other")]
    layout = _layout.layered_layout(sizes, edges)
    assert set(layout.positions) == set(sizes)
    assert _layout.overlaps(layout) == []
    for src, dst in edges:
        route = layout.routes[(src, dst)]
        assert route[0][1] == pytest.approx(layout.box(src)[3])   # leaves the bottom
        assert route[-1][1] == pytest.approx(layout.box(dst)[1])  # enters the top
        assert layout.positions[src][1] < layout.positions[dst][1]
    for key in sizes:
        left, top, right, bottom = layout.box(key)
        assert left >= 0 and top >= 0 and right <= layout.width and bottom <= layout.height
    # a parameter used late sits just above its consumer, not on the top row
    assert layout.positions["w2"][1] > layout.positions["relu"][1] - 1


def test_overlaps_detects_overlapping_boxes():
    layout = _layout.Layout(positions={"a": (10, 10), "b": (15, 12)},
                            sizes={"a": (20, 10), "b": (20, 10)})
    assert _layout.overlaps(layout) == [("a", "b")]


def test_svg_parses_with_one_group_per_node(views):
    x, y, z, out = seeds_graph(tensorkit)
    view = views(out, names={"x": x})
    out.backward()
    svg = view.to_svg()
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    groups = [g for g in root.iter(SVG_NS + "g") if "tk-node" in g.get("class", "").split()]
    assert len(groups) == len(view.state["nodes"]) == 5
    assert sorted(g.get("data-id") for g in groups) == sorted(n["id"] for n in
                                                              view.state["nodes"])
    texts = ["".join(t.itertext()) for t in root.iter(SVG_NS + "text")]
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in texts
    assert len([p for p in root.iter(SVG_NS + "path") if p.get("class") == "tk-edge"]) == 4

    data, _ = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert ET.fromstring(data["image/svg+xml"]).tag == SVG_NS + "svg"


def test_svg_of_a_big_graph_has_no_overlaps():
    net, view, loss = inception_loss()
    try:
        view.expand()
        root = ET.fromstring(view.to_svg())
        rects = []
        for g in root.iter(SVG_NS + "g"):
            if "tk-node" in g.get("class", "").split():
                r = g.find(SVG_NS + "rect")
                rects.append(tuple(float(r.get(k)) for k in ("x", "y", "width", "height")))
        assert len(rects) == len(autograd_graph.walk(loss))
        for i, (x, y, w, h) in enumerate(rects):
            for x2, y2, w2, h2 in rects[i + 1:]:
                assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h)
    finally:
        view.close()


def test_later_backward_through_shared_parameters_keeps_the_steps(views):
    """A parameter drawn in one graph is used by the next training step's graph too:
    that backward must not disturb the drawn steps."""
    net = nn.Linear(2, 1)
    x = tensorkit.tensor([[1.0, 2.0]])
    loss = net(x).sum()
    view = views(loss, model=net, names={})
    loss.backward()
    steps = [(s.name, s.leaf) for s in view.steps]
    assert steps == [("SumBackward0", False), ("AddmmBackward0", False), ("TBackward0", False),
                     ("AccumulateGrad", True), ("AccumulateGrad", True)]
    net(x).sum().backward()  # not drawn
    assert [(s.name, s.leaf) for s in view.steps] == steps
    assert node(view, "weight")["grad"] == "[[2, 4]]"  # .grad as it is now: accumulated


def test_equal_gradients_get_the_middle_colour(views):
    from widgets import _svg

    a = tensorkit.tensor(1.0, requires_grad=True)
    b = a * 1.0
    view = views(b, names={"a": a})
    b.backward()
    fills = {n["fill"] for n in view.state["nodes"]}
    assert fills == {_svg.palette(0.5)}


def test_notebook_outputs_carry_the_final_svg():
    """Run the browser test's fixture notebook in a kernel (no browser): the output of the
    cell that displayed the (then empty) view ends up with an SVG of the final graph, as
    the view refreshes its display after each cell."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    nb = nbformat.read(repo / "tests" / "browser" / "notebooks" / "graph_view.ipynb",
                       as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(repo)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    pictures = [o.data["image/svg+xml"] for c in code for o in c.outputs
                if "image/svg+xml" in o.get("data", {})]
    assert len(pictures) == 3  # the live view, lesson 02's, the model's
    counts = [sum("tk-node" in g.get("class", "").split()
                  for g in ET.fromstring(p).iter(SVG_NS + "g")) for p in pictures]
    assert counts == [5, 7, 12]
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in pictures[0]
    assert "grad 5.5" in pictures[1]
