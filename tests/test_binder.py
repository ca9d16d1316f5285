"""Binder: the repo2docker configuration in binder/ builds the lessons' environment.

mybinder.org cannot be reached from CI, so these check what decides a Binder build: the
pinned requirements cover the project's dependencies and satisfy its version ranges, every
module a lesson imports is installed there, postBuild installs the project and fetches the
data, and repo2docker (``--no-build``) turns the folder into the expected Dockerfile.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
# Import names of distributions whose names differ from their modules.
IMPORT_NAMES = {"pillow": "PIL", "ipython": "IPython"}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt: pin {line!r} exactly (name==version)"
            pins[name.strip().lower()] = version.strip()
    return pins


def _needed() -> list[str]:
    return _project()["dependencies"] + _project()["optional-dependencies"]["lessons"]


def test_requirements_pin_every_runtime_and_lessons_dependency_in_range():
    from packaging.requirements import Requirement

    pins = _pins()
    for spec in _needed():
        req = Requirement(spec)
        assert req.name.lower() in pins, f"binder/requirements.txt lacks {req.name}"
        assert req.specifier.contains(pins[req.name.lower()]), \
            f"{req.name}=={pins[req.name.lower()]} is outside pyproject's {req.specifier}"


def test_runtime_python_satisfies_requires_python():
    from packaging.specifiers import SpecifierSet

    version = re.fullmatch(r"python-(\d+\.\d+)\s*", (BINDER / "runtime.txt").read_text())
    assert version, "binder/runtime.txt should read like python-3.11"
    assert SpecifierSet(_project()["requires-python"]).contains(version.group(1) + ".0")


def _imported_modules(notebook: Path) -> set[str]:
    import nbformat

    modules = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


def test_every_module_a_lesson_imports_is_in_the_binder_image():
    pytest.importorskip("nbformat")
    provided = {"tensorkit", "lessons", "widgets"}  # this project, installed by postBuild
    provided |= {IMPORT_NAMES.get(name, name) for name in _pins()}
    optional = {"torch"}  # lesson 12 shows torch interop only when torch is importable
    for notebook in sorted((ROOT / "lessons").glob("**/[0-9][0-9]_*.ipynb")):
        for module in _imported_modules(notebook) - provided - optional:
            assert module in sys.stdlib_module_names, \
                f"{notebook.name} imports {module}, which binder/requirements.txt lacks"


def test_post_build_installs_the_project_and_fetches_the_data():
    for script in ("postBuild", "start"):
        assert os.access(BINDER / script, os.X_OK), f"binder/{script} must be executable"
    post_build = (BINDER / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert "python -m tensorkit.datasets" in post_build
    assert 'TENSORKIT_DATA="$HOME/data"' in (BINDER / "start").read_text()


def test_dataset_fetcher_finds_every_lesson_dataset():
    shared = os.environ.get("TENSORKIT_DATA")
    if not shared or not Path(shared).is_dir():
        pytest.skip("$TENSORKIT_DATA (the shared datasets) is not set")
    from tensorkit.datasets.__main__ import fetch_all

    assert fetch_all(shared) == ["MNIST", "diabetes", "surnames"]


def test_repo2docker_makes_the_expected_dockerfile():
    exe = shutil.which("jupyter-repo2docker") or str(Path(sys.executable).parent
                                                     / "jupyter-repo2docker")
    if not Path(exe).exists():
        pytest.skip("jupyter-repo2docker is not installed")
    result = subprocess.run([exe, "--no-build", "--debug", str(ROOT)], capture_output=True,
                            text=True, timeout=300)
    dockerfile = result.stdout + result.stderr
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile


def test_readme_has_a_binder_badge_opening_the_welcome_lesson():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/gh/([^)]+)\)", readme)
    assert badge, "README.md should link a Binder badge"
    assert "urlpath=lab/tree/lessons/00_welcome.ipynb" in badge.group(1)
