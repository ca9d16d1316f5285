"""Building the learner notebooks and grading saved notebooks.

The reference notebooks live in ``lessons/solutions/``.  In them, each exercise's code
cell is tagged ``exercise:<id>`` and its answer sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION``.  ``python -m lessons.notebooks build`` writes the
learner notebooks in ``lessons/`` with each answer replaced by a stub: the region's
``# STUB: <code>`` lines uncommented, or ``raise NotImplementedError(...)``.  Cells
tagged ``solution`` (worked answers in prose) are left out of the learner version.

Grading runs, for each exercise, the notebook's cells tagged ``setup`` and then the
exercise's own cell in a fresh process, then the exercise's tests from ``checks/``.
A separate process per exercise means a crash, an endless loop or a leftover variable
in one exercise cannot affect another.

``python -m lessons.notebooks run [--quick] [--learner] [--save DIR] [NN ...]`` executes
the reference notebooks (or, with ``--learner``, the learner notebooks with their stubs)
top to bottom and reports each lesson's run time, its kernel's peak memory and the best
accuracy it printed.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lessons import course

LESSONS_DIR = course.LESSONS_DIR
SOLUTIONS_DIR = LESSONS_DIR / "solutions"
BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "# STUB: "
EXERCISE_TAG = "exercise:"


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercise_id(cell) -> str | None:
    for tag in tags(cell):
        if tag.startswith(EXERCISE_TAG):
            return tag[len(EXERCISE_TAG):]
    return None


def exercise_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [e for e in (exercise_id(c) for c in nb.cells) if e is not None]


def lesson_paths(folder: Path = LESSONS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


# ----------------------------------------------------------------------------- build
def stub_source(source: str, exercise: str) -> str:
    """Replace every solution region in a cell's source with its stub."""
    lines, out, region = source.splitlines(), [], None
    for line in lines:
        stripped = line.strip()
        if stripped == BEGIN:
            region = []
            indent = line[: len(line) - len(line.lstrip())]
            continue
        if stripped == END:
            stubs = [l for l in region if l.strip().startswith(STUB)]
            if stubs:
                out.extend(l.replace(STUB, "", 1) for l in stubs)
            else:
                out.append(f'{indent}raise NotImplementedError("exercise {exercise}: '
                           'your code here")')
            region = None
            continue
        (region if region is not None else out).append(line)
    if region is not None:
        raise ValueError(f"exercise {exercise}: {BEGIN} without {END}")
    return "\n".join(out)


def learner_version(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook a learner gets: answers stubbed, solution-only cells dropped."""
    nb = nbformat.from_dict(solution)
    cells = []
    for cell in nb.cells:
        if "solution" in tags(cell):
            continue
        ex = exercise_id(cell)
        if ex is not None and cell.cell_type == "code":
            cell.source = stub_source(cell.source, ex)
        cells.append(cell)
    nb.cells = cells
    return nb


KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop outputs and execution counts: notebooks are committed without them."""
    nb.metadata = nbformat.from_dict(KERNEL_METADATA)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.get("metadata", {}).pop("execution", None)
    return nb


def build(check_only: bool = False) -> list[str]:
    """Write (or, with ``check_only``, compare) every learner notebook; return stale names.

    The reference notebooks are cleaned of outputs too.
    """
    stale = []
    for solution_path in lesson_paths(SOLUTIONS_DIR):
        solution = nbformat.read(solution_path, as_version=4)
        solution_text = nbformat.writes(clean(nbformat.from_dict(solution))) + "\n"
        if solution_path.read_text() != solution_text:
            stale.append(f"solutions/{solution_path.name}")
            if not check_only:
                solution_path.write_text(solution_text)
        text = nbformat.writes(clean(learner_version(solution))) + "\n"
        target = LESSONS_DIR / solution_path.name
        if not target.exists() or target.read_text() != text:
            stale.append(target.name)
            if not check_only:
                target.write_text(text)
    return stale


# ----------------------------------------------------------------------------- grade
def _cells_for(nb: nbformat.NotebookNode, exercise: str) -> list[str]:
    setup = [c.source for c in nb.cells if c.cell_type == "code" and "setup" in tags(c)]
    own = [c.source for c in nb.cells if c.cell_type == "code" and exercise_id(c) == exercise]
    return setup + own


def _grade_in_child(sources: list[str], exercise: str, connection) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["TENSORKIT_QUICK"] = "1"
    ns: dict = {"__name__": "__main__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for i, source in enumerate(sources):
                exec(compile(source, f"<cell {i}>", "exec"), ns)
            result = course.run_exercise(exercise, ns)
    except NotImplementedError:
        result = course.Result(exercise, False,
                               "not done yet: replace `raise NotImplementedError` with your code.")
    except BaseException as error:  # the cell itself failed to run
        result = course.Result(exercise, False, f"the exercise's cells raised "
                                                f"{type(error).__name__}: {error}")
    connection.send((result.passed, result.message))
    connection.close()


def grade_exercise(nb: nbformat.NotebookNode, exercise: str,
                   limit: float = course.TIME_LIMIT) -> course.Result:
    """Grade one exercise of a notebook in its own process, within ``limit`` seconds."""
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_grade_in_child,
                              args=(_cells_for(nb, exercise), exercise, send), daemon=True)
    process.start()
    send.close()
    if not receive.poll(limit + 5):
        process.kill()
        process.join()
        return course.Result(exercise, False, f"stopped after {limit:g} s: is there a loop "
                                              "that never ends?")
    try:
        passed, message = receive.recv()
    except EOFError:
        passed, message = False, "the exercise crashed the Python process"
    process.join()
    return course.Result(exercise, passed, message)


def grade_notebook(path: Path) -> list[course.Result]:
    nb = nbformat.read(path, as_version=4)
    number = path.name[:2]
    return [grade_exercise(nb, e.id) for e in course.exercises_of(number)]


PEAK_MEMORY_CELL = ("import resource\n"
                    "print('peak MiB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")


@dataclass
class RunReport:
    """What one top-to-bottom execution of a lesson measured."""

    name: str
    seconds: float
    peak_mib: float
    best_accuracy: str
    error: str = ""


def _printed(nb: nbformat.NotebookNode) -> list[str]:
    """The lines each cell printed (a cell's stream can arrive in several pieces)."""
    lines = []
    for cell in nb.cells:
        lines += "".join(out.get("text", "") for out in cell.get("outputs", [])
                         if out.get("output_type") == "stream").splitlines()
    return lines


def run_notebook(path: Path, timeout: int | None = None,
                 save_to: Path | None = None) -> RunReport:
    """Execute one notebook in a fresh kernel; quick or full mode follows ``TENSORKIT_QUICK``."""
    import nbclient

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    start, error = time.perf_counter(), ""
    try:
        client.execute()
    except Exception as exc:  # a failing cell: report it and go on to the next lesson
        error = f"{type(exc).__name__}: {str(exc).strip()}"
    seconds = time.perf_counter() - start
    lines = _printed(nb)
    peaks = [float(m.group(1)) for line in lines if (m := re.match(r"peak MiB ([0-9.]+)", line))]
    accuracy = [line.strip() for line in lines if re.search(r"accuracy.*%", line)]
    accuracy.sort(key=lambda line: float(re.findall(r"([0-9.]+)%", line)[-1]))
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
        nb.cells.pop()
        nbformat.write(nb, save_to / path.name)
    return RunReport(path.stem, seconds, peaks[-1] if peaks else float("nan"),
                     accuracy[-1] if accuracy else "", error)


def _run(argv: list[str]) -> int:
    quick = "--quick" in argv
    os.environ["TENSORKIT_QUICK"] = "1" if quick else "0"
    os.environ.setdefault("MPLBACKEND", "Agg")
    save_to = Path(argv[argv.index("--save") + 1]) if "--save" in argv else None
    wanted = [a for a in argv if a.isdigit()]
    folder = LESSONS_DIR if "--learner" in argv else SOLUTIONS_DIR
    paths = [p for p in lesson_paths(folder) if not wanted or p.name[:2] in wanted]
    print(f"{'lesson':<28}{'time':>10}{'peak MiB':>10}  best accuracy printed")
    failed = 0
    for path in paths:
        r = run_notebook(path, timeout=600 if quick else None, save_to=save_to)
        print(f"{r.name:<28}{r.seconds:>9.0f}s{r.peak_mib:>10.0f}  "
              f"{r.error.splitlines()[-1] if r.error else r.best_accuracy}", flush=True)
        failed += bool(r.error)
    return 1 if failed else 0


def _main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        stale = build(check_only="--check" in argv)
        for name in stale:
            print(("stale: " if "--check" in argv else "wrote: ") + name)
        return 1 if stale and "--check" in argv else 0
    if argv[:1] == ["run"]:
        return _run(argv[1:])
    print("usage: python -m lessons.notebooks build [--check]\n"
          "       python -m lessons.notebooks run [--quick] [--learner] [--save DIR] [NN ...]")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
