"""Jupyter widgets that show tensorkit's computation graphs and training as they happen."""

from .graph import GraphView

__all__ = ["GraphView"]
