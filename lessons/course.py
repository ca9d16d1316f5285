"""What every lesson imports: ``check`` for exercises, ``QUICK`` mode, and fallbacks.

In a notebook::

    from lessons.course import QUICK, check, yours_or_library

    def softmax(x):
        ...                       # the learner's answer

    check("06-softmax")           # runs that exercise's tests at once, with hints

The same exercise tests grade the saved notebooks from the command line
(``pytest lessons/``, see ``lessons/conftest.py``).  Each test lives in
``lessons/checks/<lesson>.py`` and receives the namespace the exercise's cells built.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parent

#: ``TENSORKIT_QUICK=1`` shrinks data and epochs so that CI runs every notebook in minutes.
QUICK: bool = os.environ.get("TENSORKIT_QUICK", "0") not in ("", "0", "false", "False")

#: Seconds an exercise's tests may run before they count as stuck (an endless loop, say).
TIME_LIMIT = float(os.environ.get("TENSORKIT_EXERCISE_TIME_LIMIT", "20"))


# --------------------------------------------------------------------------- registry
@dataclass
class Exercise:
    id: str
    test: Callable[[dict], None]
    title: str


_EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, title: str = "") -> Callable:
    """Register ``test(ns)`` as the test of exercise ``id`` (used in ``lessons/checks``)."""
    def register(test: Callable[[dict], None]) -> Callable[[dict], None]:
        _EXERCISES[id] = Exercise(id, test, title or test.__doc__ or id)
        return test
    return register


def lesson_of(exercise_id: str) -> str:
    """``"06-softmax"`` belongs to the lesson whose file starts with ``06_``."""
    return exercise_id.split("-", 1)[0]


def checks_module(lesson_number: str):
    """Import ``lessons/checks/<NN>_*.py``, which registers that lesson's exercises."""
    matches = sorted((LESSONS_DIR / "checks").glob(f"{lesson_number}_*.py"))
    if not matches:
        raise LookupError(f"no checks for lesson {lesson_number} in {LESSONS_DIR / 'checks'}")
    return importlib.import_module(f"lessons.checks.{matches[0].stem}")


def exercises_of(lesson_number: str) -> list[Exercise]:
    checks_module(lesson_number)
    return [e for e in _EXERCISES.values() if lesson_of(e.id) == lesson_number]


def get_exercise(exercise_id: str) -> Exercise:
    checks_module(lesson_of(exercise_id))
    if exercise_id not in _EXERCISES:
        known = ", ".join(e.id for e in exercises_of(lesson_of(exercise_id)))
        raise KeyError(f"no exercise called {exercise_id!r}; this lesson has: {known}")
    return _EXERCISES[exercise_id]


# ------------------------------------------------------------------------ assertions
class Hint(AssertionError):
    """A failed check, with a message written for the learner."""


def expect(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition``: the message says what is wrong and why."""
    if not condition:
        raise Hint(message)


def expect_close(actual, expected, what: str, *, atol: float = 1e-5, rtol: float = 1e-4):
    """Compare tensors or numbers, naming shapes and values when they differ."""
    import numpy as np

    import tensorkit

    def as_array(x):
        if isinstance(x, tensorkit.Tensor):
            return x.detach().cpu().numpy()
        return np.asarray(x)

    if actual is None:
        raise Hint(f"{what} is None: did the function forget to `return` its result?")
    a, e = as_array(actual), as_array(expected)
    if a.shape != e.shape:
        raise Hint(f"{what} has shape {tuple(a.shape)}, expected {tuple(e.shape)}. "
                   "Check which dimension you reduce over, and keepdim/unsqueeze.")
    if not np.allclose(a, e, atol=atol, rtol=rtol, equal_nan=True):
        worst = np.unravel_index(np.argmax(np.abs(a - e)), a.shape) if a.shape else ()
        raise Hint(f"{what} is wrong: at index {tuple(int(i) for i in worst)} you have "
                   f"{a[worst]!r}, expected {e[worst]!r}.")


def expect_shapes(answer: dict, actual: dict, why: dict, name: str,
                  example: str = "(3, 4), (5,) or ()") -> None:
    """Grade a predict-the-shapes answer: ``answer[key]`` must be the shape of
    ``actual[key]``; a wrong one gets ``why[key]`` (the rule) as its hint."""
    for key, tensor in actual.items():
        expect(key in answer, f"`{name}` has no entry {key!r}")
        given = answer[key]
        expect(given is not None, f"fill in {name}[{key!r}]")
        try:
            given = tuple(given)
        except TypeError:
            raise Hint(f"{name}[{key!r}] = {given!r}: write a tuple, like {example}") from None
        if given != tuple(tensor.shape):
            raise Hint(f"{name}[{key!r}] = {given} is not right: {why[key]}.")


def need(ns: dict, name: str):
    """The learner's definition of ``name``, or a hint saying to run its cell."""
    if name not in ns:
        raise Hint(f"`{name}` is not defined: run the exercise's cell (and the cells above it).")
    return ns[name]


# ---------------------------------------------------------------------------- running
@dataclass
class Result:
    exercise: str
    passed: bool
    message: str


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds`` (Unix; no limit elsewhere)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(signum, frame):
        raise TimeoutError(f"stopped after {seconds:g} s: is there a loop that never ends?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_exercise(exercise_id: str, ns: dict, limit: float = TIME_LIMIT) -> Result:
    """Run one exercise's tests on a namespace; never raises."""
    try:
        test = get_exercise(exercise_id).test
        with time_limit(limit):
            test(ns)
    except Hint as hint:
        return Result(exercise_id, False, str(hint))
    except NotImplementedError:
        return Result(exercise_id, False,
                      "not done yet: replace `raise NotImplementedError` with your code.")
    except TimeoutError as error:
        return Result(exercise_id, False, str(error))
    except Exception as error:  # the learner's code raised: show where
        tb = traceback.extract_tb(error.__traceback__)
        own = [f for f in tb if f.filename.startswith("<")]  # frames from notebook cells
        where = f" (line {own[-1].lineno}: `{own[-1].line}`)" if own and own[-1].line else ""
        return Result(exercise_id, False, f"your code raised {type(error).__name__}: "
                                          f"{error}{where}")
    return Result(exercise_id, True, "passed")


def _caller_namespace() -> dict:
    frame = inspect.currentframe()
    try:
        return frame.f_back.f_back.f_globals
    finally:
        del frame


def _show(result: Result, title: str) -> None:
    mark, colour = ("✔", "#1a7f37") if result.passed else ("✘", "#cf222e")
    text = f"{mark} {result.exercise} ({title}): {result.message}"
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display

        if get_ipython() is not None:
            import html

            display(HTML(f'<div style="border-left: 4px solid {colour}; padding: 4px 8px">'
                         f'<b>{mark} {html.escape(result.exercise)}</b> '
                         f'<i>{html.escape(title)}</i><br>{html.escape(result.message)}</div>'))
            return
    except ImportError:
        pass
    print(text)


def check(exercise_id: str, namespace: dict | None = None) -> bool:
    """Check one exercise now, in the notebook, and show a pass or a hint."""
    ns = namespace if namespace is not None else _caller_namespace()
    result = run_exercise(exercise_id, ns)
    _show(result, get_exercise(exercise_id).title)
    return result.passed


def yours_or_library(exercise_id: str, yours: Callable, library: Callable,
                     namespace: dict | None = None) -> Callable:
    """Use the learner's function if its exercise passes, else the library's, saying so.

    Lets a learner who skipped an exercise run the rest of the lesson.
    """
    ns = namespace if namespace is not None else _caller_namespace()
    result = run_exercise(exercise_id, ns)
    if result.passed:
        return yours
    name = getattr(library, "__qualname__", repr(library))
    print(f"Exercise {exercise_id} is not solved yet, so the cells below use tensorkit's "
          f"{name} instead of yours. Come back to it any time.")
    return library
