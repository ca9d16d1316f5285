"""GraphView in a real browser: JupyterLab runs the fixture notebook cell by cell and we
check what Chromium draws (see conftest.py for the ``lab`` fixture)."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

import pytest

NOTEBOOK = "graph_view.ipynb"
VIEW, LEAF, OPS, BACKWARD, LESSON02, MODULES = range(6)  # code cells of the notebook
NODE = ".tk-graph-view g.tk-node"
COUNT = """([cell, n]) => {
    const cells = document.querySelectorAll('.jp-Notebook .jp-CodeCell');
    return cells[cell].querySelectorAll('.tk-graph-view g.tk-node').length === n;
}"""


@pytest.fixture(scope="module")
def notebook(lab):
    """The fixture notebook, run one cell at a time; how many nodes the first view drew
    after each of its first four cells."""
    page = lab.open(NOTEBOOK)
    counts = []
    view = lab.cell(page, VIEW)
    for index in (VIEW, LEAF, OPS, BACKWARD):
        lab.run_cell(page, index)
        expected = {VIEW: 0, LEAF: 2, OPS: 5, BACKWARD: 5}[index]
        # the view redraws after the cell: wait for the drawing to catch up (or time out)
        try:
            page.wait_for_function(COUNT, arg=[VIEW, expected], timeout=60_000)
        except Exception:  # noqa: BLE001 (the count below then shows what was drawn)
            pass
        counts.append(view.locator(NODE).count())
    for index in (LESSON02, MODULES):
        lab.run_cell(page, index)
    yield page, counts
    page.close()


def node_texts(view) -> dict:
    """label -> the text lines of each box of a view (labels made unique with #n)."""
    texts = {}
    for group in view.locator("g.tk-node").all():
        lines = group.locator("text").all_text_contents()
        label = lines[0]
        while label in texts:
            label += "'"
        texts[label] = lines[1:]
    return texts


def test_graph_grows_as_cells_run(lab, notebook):
    page, counts = notebook
    assert lab.errors(page) == []
    # the view starts empty, x -> AddBackward0 after `y = x + 2`, five nodes after mean()
    assert counts == [0, 2, 5, 5]


def test_gradients_after_backward(lab, notebook):
    page, _ = notebook
    view = lab.cell(page, VIEW).locator(".tk-graph-view")
    view.locator("g.tk-node text", has_text="grad [[4.5").first.wait_for()
    texts = node_texts(view)
    assert set(texts) == {"x", "AddBackward0", "MulBackward0", "MulBackward0'",
                          "MeanBackward0"}
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in texts["x"]
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in texts["AddBackward0"]
    assert "grad 1" in texts["MeanBackward0"]
    assert view.locator("path.tk-edge").count() == 4
    printed = lab.cell(page, BACKWARD).locator(".jp-OutputArea-output").inner_text()
    assert "4.5000" in printed
    lab.screenshot(view, "graph_after_backward")


def test_step_through_backward_with_buttons(lab, notebook):
    page, _ = notebook
    view = lab.cell(page, LESSON02).locator(".tk-graph-view")
    assert view.locator("g.tk-node").count() == 7  # x1, x2, log, mul, add, sin, sub
    view.get_by_role("button", name="reset", exact=True).click()
    text = view.locator(".tk-steptext")
    text.get_by_text("Backward of f: 7 steps").wait_for()
    assert view.locator("g.tk-node[opacity='0.45']").count() == 7  # nothing ran yet
    for expected in ("Step 1/7", "Step 2/7", "Step 3/7", "Step 4/7"):
        view.get_by_role("button", name="step ▶").click()
        text.get_by_text(expected).wait_for()
    lines = text.locator(".tk-stepline").all_text_contents()
    assert lines[0] == "Step 4/7: MulBackward0 receives ∂f/∂mul = 1"
    assert "∂f/∂x1 += ∂f/∂mul · ∂mul/∂x1 = 1 × 5 = 5" in lines
    assert "∂f/∂x2 += ∂f/∂mul · ∂mul/∂x2 = 1 × 2 = 2" in lines
    current = view.locator("g.tk-node.tk-current")
    assert current.count() == 1
    assert current.locator("text").first.text_content() == "MulBackward0"
    assert sorted(view.locator("text.tk-edge-label").all_text_contents()) == ["2", "5"]
    lab.screenshot(view, "graph_step_4_of_7")
    for expected in ("Step 5/7", "Step 6/7", "Step 7/7"):
        view.get_by_role("button", name="step ▶").click()
        text.get_by_text(expected).wait_for()
    assert any(re.search(r"x[12]\.grad = .* = (5\.5|1\.716)", line)
               for line in text.locator(".tk-stepline").all_text_contents())
    view.get_by_role("button", name="all", exact=True).click()
    text.get_by_text("Backward of f done").wait_for()
    texts = node_texts(view)
    assert "grad 5.5" in texts["x1"] and "grad 1.716" in texts["x2"]


def test_module_boxes_expand_on_click(lab, notebook):
    page, _ = notebook
    view = lab.cell(page, MODULES).locator(".tk-graph-view")
    boxes = view.locator("g.tk-node.tk-module")
    labels = sorted(boxes.locator("text.tk-label").all_text_contents())
    assert labels == ["conv1", "conv2", "fc", "incep1", "incep2", "mp #1", "mp #2"]
    total = view.locator("g.tk-node").count()
    assert total == 12
    lab.screenshot(view, "graph_modules_collapsed")
    view.locator("g.tk-node.tk-module", has_text="incep1").click()
    page.wait_for_function(COUNT, arg=[MODULES, 20])  # incep1 -> 7 convs, pool, cat
    assert view.locator("g.tk-node", has_text="incep1.branch5x5_2").count() == 1
    assert view.get_by_role("button", name="incep1 ✕").count() == 1
    lab.screenshot(view, "graph_modules_incep1_open")


def test_saved_notebook_has_the_final_picture(lab, notebook):
    """The SVG saved with the widget (for GitHub, nbconvert) shows the graph as it ended,
    not as it was when the (empty) view was first displayed."""
    page, _ = notebook
    saved = lab.save(page, NOTEBOOK)
    code = [c for c in saved["cells"] if c["cell_type"] == "code"]
    outputs = [o for o in code[VIEW]["outputs"] if "image/svg+xml" in o.get("data", {})]
    assert len(outputs) == 1
    data = outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    svg = data["image/svg+xml"]
    svg = "".join(svg) if isinstance(svg, list) else svg
    assert svg_nodes(svg) == 5
    assert "grad [[4.5, 4.5], [4.5, 4.5]]" in svg

    # nbconvert's HTML has no widget state to draw the widget with: it shows the SVG
    nbconvert = pytest.importorskip("nbconvert")
    import nbformat

    html, _ = nbconvert.HTMLExporter().from_notebook_node(
        nbformat.reads(json.dumps(saved), as_version=4))
    pictures = [base64.b64decode(b).decode() for b in
                re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]
    assert [svg_nodes(p) for p in pictures][:1] == [5]


def svg_nodes(svg: str) -> int:
    """How many node groups an SVG picture of a GraphView has."""
    ns = "{http://www.w3.org/2000/svg}"
    return sum("tk-node" in g.get("class", "").split()
               for g in ET.fromstring(svg).iter(ns + "g"))
