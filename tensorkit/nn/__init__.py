"""``tensorkit.nn``: building blocks for neural networks.

``Module`` is the base class of every layer and model; ``Parameter`` marks the tensors
an optimizer trains; ``nn.functional`` (``F``) has the same layers as functions and
``nn.init`` the ways to initialise weights.
"""

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["Buffer", "Parameter", "functional", "init", "utils", *_modules_all]
