"""Switching gradient tracking on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

While tracking is off, ops run on the data alone and record no graph: the output of
``w * x`` under ``no_grad`` has no ``grad_fn``, whatever ``w.requires_grad`` says.
Evaluation and parameter updates run this way, so they cost no memory for a graph.
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    """Grad mode is per thread, as in torch: a DataLoader thread can't switch yours off."""

    enabled = True


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops record the graph needed for ``backward()`` right now."""
    return STATE.enabled


class _GradModeContext:
    """Base for the context managers below; each also works as a decorator."""

    mode: bool

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = self.mode

    def __exit__(self, *exc) -> None:
        STATE.enabled = self.prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Context manager and decorator: run ops without recording a graph."""

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator: record the graph again inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches tracking off now, or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        STATE.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(no_grad):
    """Like ``no_grad`` (tensorkit has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode
