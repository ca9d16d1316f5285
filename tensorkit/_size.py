"""``Size``: the shape of a tensor, a tuple that prints like PyTorch's; and shape arithmetic."""

from __future__ import annotations


class Size(tuple):
    """A tuple of dimension lengths: ``tensorkit.Size([2, 3])``."""

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __repr__(self) -> str:
        return f"tensorkit.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))


def sum_to_axes(have: tuple, want: tuple) -> tuple | None:
    """The axes to sum (keeping dims) so that shape ``have`` becomes ``want``: the inverse
    of broadcasting ``want`` to ``have``.  None if ``want`` does not broadcast to ``have``."""
    lead = len(have) - len(want)
    if lead < 0 or any(w not in (1, h) for h, w in zip(have[lead:], want)):
        return None
    return tuple(range(lead)) + tuple(lead + i for i, (h, w) in
                                      enumerate(zip(have[lead:], want)) if w == 1 and h != 1)
