"""Every tensor op, one module per family; ``tensorkit.add`` is ``ops.arithmetic.add``.

Each module lists its public functions in ``__all__``, the ones that are also tensor
methods in ``TENSOR_METHODS``, and those with an in-place ``_`` variant in
``INPLACE_VARIANTS`` (``tensorkit/_tensor_methods.py`` attaches them to ``Tensor``).
"""

from . import (
    arithmetic,
    comparison,
    conversion,
    convolution,
    creation,
    indexing,
    linalg,
    math,
    pooling,
    reduction,
    shape,
)
from .arithmetic import *  # noqa: F403
from .comparison import *  # noqa: F403
from .conversion import *  # noqa: F403
from .convolution import *  # noqa: F403
from .creation import *  # noqa: F403
from .indexing import *  # noqa: F403
from .linalg import *  # noqa: F403
from .math import *  # noqa: F403
from .pooling import *  # noqa: F403
from .reduction import *  # noqa: F403
from .shape import *  # noqa: F403

FAMILIES = (arithmetic, math, comparison, linalg, reduction, shape, indexing, conversion,
            creation, convolution, pooling)
