"""The README's quick start is what CI runs, and its demo works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_command_lines():
    lines = quick_start_lines()
    assert len(lines) == 2, lines
    assert all("\n" not in line for line in lines)


def test_ci_runs_the_readme_test_line_verbatim():
    test_line = quick_start_lines()[1]
    assert "pytest" in test_line
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_line in ci_lines


def test_first_line_opens_the_lessons_in_jupyterlab():
    line = quick_start_lines()[0]
    assert "jupyter lab lessons/00_welcome.ipynb" in line and ".[lessons]" in line
    assert (ROOT / "lessons" / "00_welcome.ipynb").exists()


def test_demo_runs_and_finds_the_gradient():
    out = subprocess.run([sys.executable, "-m", "tensorkit.demo"], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, check=True).stdout
    assert "df/dx1 = tensor(5.5000)" in out
    prediction = float(re.search(r"prediction for x = 4: ([0-9.]+)", out).group(1))
    assert abs(prediction - 8.0) < 0.01
