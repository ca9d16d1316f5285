"""Real-browser tests: JupyterLab and Notebook 7 on loopback, driven by Debian's Chromium
through Playwright.

Every test under tests/browser is marked ``browser`` (``-m "not browser"`` leaves them
out) and runs twice, once per front end (``-k jupyterlab`` or ``-k notebook7`` picks one).
They skip, with the reason, when Playwright, Chromium or the front end is missing (CI
installs Chromium with ``.ci/install-browser``).

The session fixture ``lab`` starts one Jupyter server (random free port, a token, a
temporary root holding copies of ``tests/browser/notebooks/*.ipynb``) and one headless
Chromium.  It offers:

* ``lab.open("graph_view.ipynb") -> page``: the notebook open, its kernel idle;
* ``lab.run_cell(page, i)``: run code cell ``i`` and wait until it has finished;
* ``lab.run_all(page)``: run every cell and wait for all of them;
* ``lab.cell(page, i)``: the locator of code cell ``i`` (e.g. ``.locator(".tk-graph-view")``);
* ``lab.errors(page)``: the text of error outputs (tests assert it is empty);
* ``lab.save(page) -> dict``: save the notebook, return it as read from disk (JSON);
* ``lab.screenshot(page_or_locator, name) -> Path``: a PNG in the screenshots folder,
  ``$TENSORKIT_SCREENSHOTS`` or a temporary folder (its path is printed).

Timeouts are generous (a busy CI machine can take a minute to start a kernel); tests wait
for selectors and conditions, never for fixed times.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).parent / "notebooks"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SERVER_START_S = 180   # a loaded machine can be slow to import JupyterLab
KERNEL_START_MS = 180_000
CELL_MS = 180_000
UI_MS = 60_000


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (JupyterLab + Chromium)")


def pytest_collection_modifyitems(config, items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    """Debian's Chromium (or $TENSORKIT_CHROMIUM), None when absent."""
    for candidate in (os.environ.get("TENSORKIT_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(config_dir: Path) -> None:
    """JupyterLab settings for a quiet, predictable UI: no news or update pop-ups, and
    every cell kept in the page (no windowing), so tests can find any cell."""
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab"
    files = {
        "apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, content in files.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


# The two front ends the widgets must work in: the module that serves each, and the
# address of an open notebook.  Notebook 7 is built from JupyterLab's components, so the
# page has the same cells, prompts and outputs; its menus and kernel indicator differ.
FRONT_ENDS = {
    "jupyterlab": ("jupyterlab", "lab/tree/{notebook}"),
    "notebook7": ("notebook", "notebooks/{notebook}"),
}


class Lab:
    """One Jupyter server (JupyterLab or Notebook 7) and one Chromium, shared by the
    browser tests."""

    def __init__(self, root: Path, shots: Path, front_end: str = "jupyterlab") -> None:
        self.front_end = front_end
        self.root = root
        self.shots = shots
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.log_path = root.parent / "jupyterlab.log"
        self._playwright = None
        self.browser = None
        self.context = None

    # -- starting and stopping ----------------------------------------------------------
    def start_server(self) -> None:
        config = self.root.parent / "jupyter-config"
        runtime = self.root.parent / "jupyter-runtime"
        _write_settings(config)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(runtime),
                   PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
        cmd = [sys.executable, "-m", FRONT_ENDS[self.front_end][0], "--no-browser",
               "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--ServerApp.allow_remote_access=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--allow-root")
        if os.environ.get("TENSORKIT_LAB_DEBUG"):  # the server's log, in detail
            cmd.append("--debug")
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.server = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._log,
                                       stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.server.returncode}):\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}",
                                            timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer in {SERVER_START_S} s:\n"
                           + self.log_tail())

    def start_browser(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=executable,
                                                        args=CHROMIUM_ARGS, headless=True)
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(UI_MS)

    def stop(self) -> None:
        for close in (lambda: self.context.close(), lambda: self.browser.close(),
                      lambda: self._playwright.stop()):
            try:
                close()
            except Exception:  # noqa: BLE001 (stopping what did start)
                pass
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
        if getattr(self, "_log", None) is not None:
            self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    # -- what tests use ---------------------------------------------------------------
    def open(self, notebook: str):
        """Open ``notebook`` (a path under the root) in a new page; wait for an idle kernel."""
        page = self.context.new_page()
        address = FRONT_ENDS[self.front_end][1].format(notebook=notebook)
        page.goto(f"{self.url}/{address}?token={self.token}", timeout=UI_MS * 2)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=UI_MS * 2)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                               timeout=KERNEL_START_MS)
        return page

    def cell(self, page, index: int):
        """Code cell ``index`` (counting code cells only, from 0)."""
        return page.locator(".jp-Notebook .jp-CodeCell").nth(index)

    def run_cell(self, page, index: int, timeout_ms: int = CELL_MS) -> None:
        """Run code cell ``index`` (Ctrl+Enter in its editor) and wait until it finished.

        A key press that reaches JupyterLab turns the prompt into ``[*]`` at once; on a
        busy machine the first one can get lost while the page is still settling, so it
        is sent again (at most twice more) if the prompt did not change.
        """
        from playwright.sync_api import Error as PlaywrightError

        cell = self.cell(page, index)
        prompt = cell.locator(".jp-InputPrompt")
        before = prompt.inner_text()
        changed = """([i, before]) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i]
            .querySelector('.jp-InputPrompt').textContent !== before"""
        for attempt in range(3):
            try:
                self._dialogs(page)
                cell.locator(".jp-InputArea-editor").click()
                page.keyboard.press("Control+Enter")
                page.wait_for_function(changed, arg=[index, before], polling=250,
                                       timeout=15_000)
                break
            except PlaywrightError:  # a timeout, or the cell re-drawn under the click
                if attempt == 2:
                    raise
        page.wait_for_function(
            """([i, before]) => {
                const cells = document.querySelectorAll('.jp-Notebook .jp-CodeCell');
                const text = cells[i].querySelector('.jp-InputPrompt').textContent;
                return /\\[\\d+\\]/.test(text) && text !== before;
            }""", arg=[index, before], polling=250, timeout=timeout_ms)

    def _dialogs(self, page) -> None:
        """Report (and close with its default button) a dialog left open in JupyterLab."""
        dialogs = page.locator("dialog.jp-Dialog")
        if dialogs.count():
            text = " | ".join(dialogs.all_inner_texts())
            print(f"JupyterLab dialog: {text!r}")
            self.screenshot(page, "dialog")
            dialogs.first.locator(".jp-mod-accept").first.click()

    def run_all(self, page, timeout_ms: int = CELL_MS * 3) -> None:
        """Run every cell (menu Run > Run All Cells) and wait for all of them to finish."""
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator('[data-command="notebook:run-all-cells"]').click()
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll(
                    '.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""", polling=250, timeout=timeout_ms)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                               timeout=timeout_ms)

    def errors(self, page) -> list[str]:
        """The text of every error output in the notebook."""
        return page.locator('[data-mime-type="application/vnd.jupyter.error"]').all_inner_texts()

    def save(self, page, notebook: str) -> dict:
        """Save the notebook (Ctrl+S) and return it as read back from disk."""
        path = self.root / notebook
        before = path.stat().st_mtime_ns
        self.cell(page, 0).locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Control+s")
        deadline = time.monotonic() + UI_MS / 1000
        while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        return json.loads(path.read_text())

    def screenshot(self, target, name: str) -> Path:
        """Save a PNG of a page or a locator as ``<screenshots>/<name>.png``."""
        path = self.shots / f"{self.front_end}-{name}.png"
        target.screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path


@pytest.fixture(scope="session", params=list(FRONT_ENDS))
def lab(request, tmp_path_factory):
    """A Jupyter front end + Chromium for the whole session (see the module docstring);
    every browser test runs once in JupyterLab and once in Notebook 7."""
    front_end = request.param
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    pytest.importorskip(FRONT_ENDS[front_end][0], reason=f"{front_end} is not installed")
    pytest.importorskip("anywidget", reason="anywidget is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found (/usr/bin/chromium): run .ci/install-browser")
    base = tmp_path_factory.mktemp(front_end)
    root = base / "root"
    root.mkdir()
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    shots = Path(os.environ.get("TENSORKIT_SCREENSHOTS") or
                 tempfile.mkdtemp(prefix="tensorkit-screenshots-"))
    shots.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots go to {shots}")
    instance = Lab(root, shots, front_end)
    try:
        instance.start_server()
        instance.start_browser(executable)
        yield instance
    finally:
        instance.stop()
