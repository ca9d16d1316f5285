"""Grade the lessons with pytest: ``pytest lessons/`` (one: ``pytest lessons/01_tensors.ipynb``).

Every exercise of every saved notebook becomes one test; the summary prints a score per
lesson.  ``--solutions`` grades the reference notebooks in ``lessons/solutions`` instead.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from lessons import course, notebooks

_scores: dict[str, list[bool]] = defaultdict(list)


def pytest_addoption(parser):
    parser.addoption("--solutions", action="store_true",
                     help="grade the reference notebooks in lessons/solutions")


def pytest_ignore_collect(collection_path: Path, config):
    in_solutions = collection_path.parent.name == "solutions"
    if collection_path.suffix == ".ipynb" and in_solutions != config.getoption("--solutions"):
        return True
    return None


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".ipynb" and file_path.name[:2].isdigit():
        return LessonNotebook.from_parent(parent, path=file_path)
    return None


class LessonNotebook(pytest.File):
    def collect(self):
        nb = notebooks.nbformat.read(self.path, as_version=4)
        for exercise in course.exercises_of(self.path.name[:2]):
            yield ExerciseItem.from_parent(self, name=exercise.id, notebook=nb)


class ExerciseItem(pytest.Item):
    def __init__(self, *, notebook, **kwargs):
        super().__init__(**kwargs)
        self.notebook = notebook

    def runtest(self):
        result = notebooks.grade_exercise(self.notebook, self.name)
        _scores[self.path.name].append(result.passed)
        if not result.passed:
            raise ExerciseFailed(result.message)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ExerciseFailed):
            return f"{self.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"exercise {self.name}"


class ExerciseFailed(Exception):
    pass


def pytest_terminal_summary(terminalreporter):
    if not _scores:
        return
    terminalreporter.section("score per lesson")
    total = passed = 0
    for lesson, results in sorted(_scores.items()):
        terminalreporter.write_line(f"{lesson:40s} {sum(results):3d} / {len(results)}")
        total, passed = total + len(results), passed + sum(results)
    terminalreporter.write_line(f"{'total':40s} {passed:3d} / {total}")
