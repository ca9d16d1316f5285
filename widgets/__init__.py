"""Jupyter widgets that show tensorkit's computation graphs and training as they happen."""

from .explorers import ConvExplorer, RNNUnrolled, StrideExplorer
from .graph import GraphView
from .training import TrainingView

__all__ = ["ConvExplorer", "GraphView", "RNNUnrolled", "StrideExplorer", "TrainingView"]
