"""The lessons: notebooks up to date and clean, exercises graded both ways, all notebooks run.

* every learner notebook is what ``python -m lessons.notebooks build`` makes of its
  reference solution, and no notebook is committed with outputs;
* every exercise passes on the reference solution and fails on the learner's stub;
* a broken exercise (an exception, an endless loop) fails alone, within its time limit;
* every notebook, learner and solution, runs top to bottom in quick mode.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

from lessons import course, notebooks  # noqa: E402

LESSONS = notebooks.lesson_paths(notebooks.SOLUTIONS_DIR)
NAMES = [p.name for p in LESSONS]


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_there_are_lessons():
    assert len(LESSONS) >= 2


def test_learner_notebooks_are_generated_from_the_solutions():
    stale = notebooks.build(check_only=True)
    assert stale == [], f"run `python -m lessons.notebooks build`; stale: {stale}"


@pytest.mark.parametrize("path", notebooks.lesson_paths() + LESSONS, ids=lambda p: str(p))
def test_notebooks_are_committed_without_outputs(path):
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", NAMES)
def test_each_lesson_has_checked_exercises(name):
    solution = _read(notebooks.SOLUTIONS_DIR / name)
    in_notebook = notebooks.exercise_ids(solution)
    in_checks = [e.id for e in course.exercises_of(name[:2])]
    assert sorted(in_notebook) == sorted(in_checks)
    if name[:2] != "00":
        assert len(in_checks) >= 3
    learner = _read(notebooks.LESSONS_DIR / name)
    solutions_shown = [c.source for c in learner.cells if notebooks.BEGIN in c.source]
    assert solutions_shown == [], "a learner notebook shows a solution"


def _grading_cases():
    for path in LESSONS:
        for exercise in notebooks.exercise_ids(_read(path)):
            yield pytest.param(path.name, exercise, id=exercise)


@pytest.mark.parametrize("name, exercise", list(_grading_cases()))
def test_exercise_passes_on_solution_and_fails_on_stub(name, exercise):
    solved = notebooks.grade_exercise(_read(notebooks.SOLUTIONS_DIR / name), exercise)
    assert solved.passed, f"reference solution fails: {solved.message}"
    stub = notebooks.grade_exercise(_read(notebooks.LESSONS_DIR / name), exercise)
    assert not stub.passed, "the unfilled exercise passes its own tests"
    assert stub.message


def _with_exercise_cell(source: str):
    nb = _read(notebooks.SOLUTIONS_DIR / "01_tensors.ipynb")
    for cell in nb.cells:
        if notebooks.exercise_id(cell) == "01-pairwise":
            cell.source = source
    return nb


def test_an_endless_loop_fails_that_exercise_within_the_time_limit():
    nb = _with_exercise_cell("def pairwise_sq_distances(x, y):\n    while True:\n        pass\n")
    result = notebooks.grade_exercise(nb, "01-pairwise", limit=1.0)
    assert not result.passed and "stopped after 1 s" in result.message


def test_an_exception_names_its_type_and_message():
    nb = _with_exercise_cell("def pairwise_sq_distances(x, y):\n    return x @ y\n")
    result = notebooks.grade_exercise(nb, "01-pairwise")
    assert not result.passed and "RuntimeError" in result.message and "4x3" in result.message


def test_a_wrong_shape_gets_a_hint_with_both_shapes():
    nb = _with_exercise_cell("def pairwise_sq_distances(x, y):\n    return x.sum(1)\n")
    result = notebooks.grade_exercise(nb, "01-pairwise")
    assert not result.passed and "(4,)" in result.message and "(4, 5)" in result.message


def test_check_in_a_live_namespace_reports_and_returns(capsys):
    ns: dict = {}
    assert course.check("01-broadcast-shape", ns) is False
    assert "answer_shape" in capsys.readouterr().out
    ns["answer_shape"] = (5, 3, 4)
    assert course.check("01-broadcast-shape", ns) is True


@pytest.mark.parametrize("folder", ["learner", "solution"])
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_in_quick_mode(name, folder, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    directory = notebooks.LESSONS_DIR if folder == "learner" else notebooks.SOLUTIONS_DIR
    monkeypatch.setenv("TENSORKIT_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    report = notebooks.run_notebook(directory / name, timeout=600)
    assert report.error == ""
    assert os.environ["TENSORKIT_QUICK"] == "1"
    assert 0 < report.peak_mib < BINDER_MEMORY_MIB, f"peaked at {report.peak_mib:.0f} MiB"


# mybinder.org restarts a kernel above 2 GB; a lesson should stay well inside that.
BINDER_MEMORY_MIB = 1536


def test_run_notebook_reports_a_failing_cell_and_the_best_accuracy(tmp_path):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('epoch 1: test accuracy 91.00%')\n"
                                  "print('epoch 2: test accuracy 97.50%')\n"
                                  "print('epoch 3: test accuracy 96.00%')"),
        nbformat.v4.new_code_cell("1 / 0"),
    ])
    nbformat.write(nb, tmp_path / "broken.ipynb")
    report = notebooks.run_notebook(tmp_path / "broken.ipynb", timeout=60)
    assert "ZeroDivisionError" in report.error
    assert report.best_accuracy == "epoch 2: test accuracy 97.50%"


def test_printed_lines_join_a_stream_that_arrived_in_pieces():
    cell = nbformat.v4.new_code_cell("print('peak MiB', 78.5)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="peak MiB"),
                    nbformat.v4.new_output("stream", name="stdout", text=" 78.5\nnext line\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert notebooks._printed(nb) == ["peak MiB 78.5", "next line"]
