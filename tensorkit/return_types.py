"""Named results of ops that return several tensors, as ``torch.return_types``.

``values, indices = x.max(dim=1)`` unpacks like a tuple, and ``x.max(dim=1).values``
reads a field by name.  Each type is a ``namedtuple`` printed the way PyTorch prints
its own::

    tensorkit.return_types.max(
    values=tensor([3., 2.]),
    indices=tensor([1, 0]))
"""

from __future__ import annotations

from collections import namedtuple


def _result_type(name: str, fields: tuple[str, ...]) -> type:
    """A tuple type called ``name`` with the given fields and PyTorch's printing."""

    def __repr__(self) -> str:
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"tensorkit.return_types.{name}(\n{body})"

    cls = type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__,
                                                    "__str__": __repr__})
    cls.__module__ = __name__
    return cls


_VALUES_INDICES = ("values", "indices")

max = _result_type("max", _VALUES_INDICES)  # noqa: A001  (torch.return_types.max)
min = _result_type("min", _VALUES_INDICES)  # noqa: A001
sort = _result_type("sort", _VALUES_INDICES)
topk = _result_type("topk", _VALUES_INDICES)
kthvalue = _result_type("kthvalue", _VALUES_INDICES)
median = _result_type("median", _VALUES_INDICES)
nanmedian = _result_type("nanmedian", _VALUES_INDICES)
mode = _result_type("mode", _VALUES_INDICES)
aminmax = _result_type("aminmax", ("min", "max"))

__all__ = ["aminmax", "kthvalue", "max", "median", "min", "mode",
           "nanmedian", "sort", "topk"]
