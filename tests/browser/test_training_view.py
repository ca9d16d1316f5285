"""TrainingView and the explorers in a real browser: JupyterLab runs the fixture notebook;
we read the curves Chromium draws while the training cell is still running (see
conftest.py for the ``lab`` fixture)."""

from __future__ import annotations

import pytest

NOTEBOOK = "training_view.ipynb"
SETUP, TRAIN, CONV, STRIDE, RNN = range(5)  # code cells of the notebook
STEPS = 300  # what the training cell runs

# the number of points of the loss curve drawn in cell SETUP's output (-1: no curve yet)
LOSS_POINTS = """() => {
    const cell = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[SETUP];
    const series = cell.querySelector('.tk-training g.tk-series.tk-loss');
    return series ? Number(series.getAttribute('data-count')) : -1;
}""".replace("SETUP", str(SETUP))


PROMPT = """(i) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i]
                     .querySelector('.jp-InputPrompt').textContent"""


def start_cell(lab, page, index: int, attempts: int = 3) -> None:
    """Run a code cell without waiting for it to finish.  A key press that lands while
    JupyterLab is still settling can be lost: then the prompt never shows [*], and we
    press again."""
    before = page.evaluate(PROMPT, index)
    for _ in range(attempts):
        cell = lab.cell(page, index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function(
                f"([i, before]) => {{ const t = ({PROMPT})(i);"
                " return t !== before && /\\[(\\*|\\d+)\\]/.test(t); }",
                arg=[index, before], timeout=20_000)
            return
        except Exception:  # noqa: BLE001 (pressed too early: press again)
            continue
    raise AssertionError(f"code cell {index} did not start after {attempts} tries")


def wait_done(page, index: int, timeout_ms: int = 300_000) -> None:
    page.wait_for_function(f"(i) => /\\[\\d+\\]/.test(({PROMPT})(i))", arg=index,
                           timeout=timeout_ms)


def run(lab, page, index: int) -> None:
    start_cell(lab, page, index)
    wait_done(page, index)


def open_alone(lab, notebook: str):
    """Open ``notebook`` in a workspace of its own: other tests' notebooks, which JupyterLab
    would restore as hidden tabs, stay out of the page (and out of the cell indices)."""
    page = lab.context.new_page()
    workspace = notebook.rsplit(".", 1)[0]
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={lab.token}",
              timeout=240_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=240_000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"] >> visible=true') \
        .first.wait_for(timeout=240_000)
    return page


def running(lab, page, index: int) -> bool:
    return "*" in page.evaluate(PROMPT, index)


@pytest.fixture(scope="module")
def notebook(lab):
    """The notebook with the view shown and trained; the loss-curve point counts read
    while training ran (and whether the cell was still running at each read)."""
    page = open_alone(lab, NOTEBOOK)
    run(lab, page, SETUP)
    page.wait_for_selector(".tk-training .tk-loss-chart", timeout=120_000)
    start_cell(lab, page, TRAIN)
    reads = []
    page.wait_for_function(f"({LOSS_POINTS})() > 0", timeout=120_000)
    reads.append((page.evaluate(LOSS_POINTS), running(lab, page, TRAIN)))
    page.wait_for_function(f"({LOSS_POINTS})() > {reads[0][0]}", timeout=120_000)
    reads.append((page.evaluate(LOSS_POINTS), running(lab, page, TRAIN)))
    wait_done(page, TRAIN)
    page.wait_for_function(f"({LOSS_POINTS})() === {STEPS}", timeout=60_000)
    yield page, reads
    page.close()


def test_curves_grow_while_training_runs(lab, notebook):
    page, reads = notebook
    (first, running_first), (second, _) = reads
    assert 0 < first < second, reads
    assert running_first and first < STEPS  # read mid-training: the view synced live
    assert page.evaluate(LOSS_POINTS) == STEPS  # the end was flushed
    view = lab.cell(page, SETUP).locator(".tk-training")
    # one gradient-norm line per layer, and two test-accuracy points (one per epoch)
    assert view.locator("g.tk-series.tk-grad-norm").count() == 3
    assert view.locator("g.tk-series.tk-test-accuracy circle").count() == 2
    assert view.locator("line.tk-epoch").count() >= 2
    stats = view.locator(".tk-stats").inner_text()
    assert f"step {STEPS}" in stats and "test accuracy" in stats
    assert view.locator(".tk-weight-hist rect.tk-bar").count() == 30
    lab.screenshot(view, "training_view")
    assert lab.errors(page) == []


def test_layer_select_switches_histograms(lab, notebook):
    page, _ = notebook
    view = lab.cell(page, SETUP).locator(".tk-training")
    select = view.locator("select.tk-layer-select")
    assert select.locator("option").all_inner_texts() == ["0", "2", "4"]
    select.select_option("4")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.tk-weight-hist text')]
                 .some(t => t.textContent === 'weights of 4')""", timeout=30_000)
    bars = view.locator(".tk-grad-hist rect.tk-bar")
    assert bars.count() == 30


def test_explorers_draw_and_answer_sliders(lab, notebook):
    page, _ = notebook
    for index in (CONV, STRIDE, RNN):
        run(lab, page, index)
    conv = lab.cell(page, CONV)
    conv.locator(".widget-html svg rect.tap").first.wait_for(timeout=60_000)
    assert conv.locator(".widget-html svg rect.tap").count() == 9
    formula = conv.locator(".widget-html svg text.formula").all_text_contents()
    assert "floor((28 + 2*1 - 1*(3-1) - 1) / 2) + 1" in formula[1]
    lab.screenshot(conv.locator(".jp-OutputArea-output").first, "conv_explorer")
    # a slider moved in the browser reaches Python, which redraws: kernel size 3 -> 4
    handle = conv.locator(".widget-slider").first.locator(".noUi-handle")
    handle.click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """(i) => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i]
                   .querySelectorAll('svg text.formula')]
                 .some(t => t.textContent.includes('(4-1)'))""",
        arg=CONV, timeout=60_000)
    assert conv.locator(".widget-html svg rect.tap").count() == 16

    stride = lab.cell(page, STRIDE)
    stride.locator(".widget-html svg rect.storage").first.wait_for(timeout=60_000)
    assert stride.locator("svg text.multiplicity").all_text_contents() == ["x3"] * 4
    lab.screenshot(stride.locator(".jp-OutputArea-output").first, "stride_explorer")

    rnn = lab.cell(page, RNN)
    rnn.locator(".widget-html svg rect.state").first.wait_for(timeout=60_000)
    assert rnn.locator("svg text.char").all_text_contents() == list("Nguyen")
    lab.screenshot(rnn.locator(".jp-OutputArea-output").first, "rnn_unrolled")
    assert lab.errors(page) == []
