"""Batches of sequences of different lengths: padding and packing.

A batch of sentences or names rarely has one length.  Two ways to put them in one tensor:

* **padded**: a (T, B, *) tensor (``batch_first``: (B, T, *)) where the short sequences
  are filled up with a padding value.  Simple, but a recurrent layer would read the
  padding as if it were data (and its final state would come after it).
* **packed** (``PackedSequence``): only the real steps, sorted by length, longest
  first, and stored time step by time step.  For the lengths [4, 2, 1]::

      padded (T=4, B=3)        packed data              batch_sizes
      t=0:  a0 b0 c0           a0 b0 c0                 3
      t=1:  a1 b1 .            a1 b1                    2
      t=2:  a2 .  .            a2                       1
      t=3:  a3 .  .            a3                       1

  Step t of every sequence still running is a *prefix* of the batch (the first
  ``batch_sizes[t]`` rows), so an RNN processes step t on ``data`` rows
  ``sum(batch_sizes[:t]) ...`` and the shrinking batch never touches padding.

``pack_padded_sequence`` and ``pad_packed_sequence`` convert between the two (they
gather and scatter rows, and are each other's gradient); ``pad_sequence`` and
``pack_sequence`` start from a list of tensors.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ..._device import CPU, array_module
from ..._tensor import Tensor, _make
from ...autograd.function import Function
from ...ops.shape import cat

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence",
           "pad_packed_sequence", "pad_sequence", "unpack_sequence", "unpad_sequence"]


# ----------------------------------------------------------------------- PackedSequence

_PackedSequenceFields = namedtuple(
    "PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceFields):
    """Sequences of different lengths without padding (see the module docstring).

    ``data``: the real steps, time step by time step, (sum of lengths, *);
    ``batch_sizes``: how many sequences are still running at each step (int64, CPU);
    ``sorted_indices``: the batch position of the longest, second longest, ... sequence
    (``None`` if the batch was already sorted); ``unsorted_indices``: its inverse.

    Make one with ``pack_padded_sequence`` or ``pack_sequence``, not by hand.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # the old calling convention: (data, batch_sizes) in one
            if not (isinstance(data, list | tuple) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device != CPU:
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(...)``; the index tensors follow data's device, batch_sizes stays on
        the CPU.  Returns ``self`` if nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t: Tensor | None) -> Tensor | None:
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, device="cuda", **kwargs)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, device="cpu", **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtypes().float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtypes().float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=_dtypes().float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=_dtypes().int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=_dtypes().int32)

    def short(self) -> PackedSequence:
        return self.to(dtype=_dtypes().int16)

    def char(self) -> PackedSequence:
        return self.to(dtype=_dtypes().int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=_dtypes().uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False

    def pin_memory(self) -> PackedSequence:
        return self


def _dtypes():
    from ... import _dtype

    return _dtype


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation``: ``inv[permutation[i]] = i``."""
    if permutation is None:
        return None
    perm = permutation._data
    xp = array_module(perm)
    inverse = xp.empty_like(perm)
    inverse[perm] = xp.arange(perm.shape[0], dtype=perm.dtype)
    return _make(inverse)


# ----------------------------------------------------------- gathering and scattering rows
#
# Packing picks the real steps out of a padded (A, B, *) tensor: seen as A * B rows, it
# keeps the rows at ``index`` (in packed order).  Padding does the opposite: it puts the
# rows of the packed data at ``index`` of a tensor full of the padding value.  Each is
# the other's gradient, so both can be differentiated any number of times.

class PackPaddedSequenceBackward0(Function):
    """Gather: ``padded.reshape(A * B, *)[index]``."""

    def forward(self, padded, index=None):
        self.index = index
        self.padded_shape = padded.shape
        rows = padded.reshape(-1, *padded.shape[2:])
        return rows[array_module(padded).asarray(index)]

    def backward(self, grad):
        return PadPackedSequenceBackward0.apply(grad, index=self.index,
                                                padded_shape=self.padded_shape)


class PadPackedSequenceBackward0(Function):
    """Scatter: rows of ``data`` go to ``index`` of an (A * B, *) tensor of ``value``."""

    def forward(self, data, index=None, padded_shape=(), value=0.0):
        self.index = index
        xp = array_module(data)
        rows = xp.full((padded_shape[0] * padded_shape[1], *data.shape[1:]), value,
                       dtype=data.dtype)
        rows[xp.asarray(index)] = data
        return rows.reshape(padded_shape[:2] + data.shape[1:])

    def backward(self, grad):
        return PackPaddedSequenceBackward0.apply(grad, index=self.index)


def _packed_positions(batch_sizes: np.ndarray, order: np.ndarray, batch_first: bool,
                      padded_steps: int) -> np.ndarray:
    """For each row of packed data, its row in the padded tensor seen as (A * B, *).

    Packed row k is time step t of the sequence at sorted position s (s counts from 0
    at every step); that sequence sits at batch position ``order[s]`` of the padded
    tensor.
    """
    batch = int(batch_sizes[0]) if len(batch_sizes) else 0
    step = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    starts = np.cumsum(batch_sizes) - batch_sizes
    sorted_pos = np.arange(len(step)) - np.repeat(starts, batch_sizes)
    seq = order[sorted_pos]
    return seq * padded_steps + step if batch_first else step * batch + seq


def _lengths_array(lengths) -> np.ndarray:
    """``lengths`` (a list or a 1-D CPU tensor) as an int64 NumPy array."""
    if isinstance(lengths, Tensor):
        if lengths.device != CPU or lengths.dim() != 1:
            raise RuntimeError(
                "'lengths' argument should be a 1D CPU int64 tensor, but got "
                f"{lengths.dim()}D {lengths.device} {lengths.dtype} tensor")
        return np.asarray(lengths._data).astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def _check_lengths(lengths: np.ndarray, input: Tensor, batch_first: bool,
                   enforce_sorted: bool) -> None:
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch = input.shape[0 if batch_first else 1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    if enforce_sorted and np.any(lengths[1:] > lengths[:-1]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
            "sidestep this requirement if you do not need ONNX exportability.")
    if lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    steps = input.shape[1 if batch_first else 0]
    if lengths.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({lengths.max()}) is longer than "
                           f"the padded input ({steps} time steps)")


# ----------------------------------------------------------------------- public functions

def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) batch (``batch_first``: (B, T, *)) whose sequence b has
    ``lengths[b]`` real steps.

    With ``enforce_sorted=True`` the lengths must already be in decreasing order;
    otherwise the batch is sorted here and ``sorted_indices`` remembers the order, so
    that ``pad_packed_sequence`` (and an RNN's final hidden state) come back in the
    original order.
    """
    lengths = _lengths_array(lengths)
    _check_lengths(lengths, input, batch_first, enforce_sorted)
    if enforce_sorted:
        order, sorted_indices = np.arange(len(lengths)), None
    else:
        order = np.argsort(-lengths, kind="stable")  # longest first, ties in batch order
        sorted_indices = _make(array_module(input._data).asarray(order))
    sorted_lengths = lengths[order]
    steps = np.arange(int(sorted_lengths[0]))
    batch_sizes = (sorted_lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)
    padded_steps = input.shape[1 if batch_first else 0]
    index = _packed_positions(batch_sizes, order, batch_first, padded_steps)
    data = PackPaddedSequenceBackward0.apply(input, index=index)
    return PackedSequence(data, _make(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: returns ``(padded, lengths)``, in the batch's original
    order.  ``total_length`` pads to that many steps (e.g. to match the input's)."""
    batch_sizes = np.asarray(sequence.batch_sizes._data).astype(np.int64)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    sorted_lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    order = np.arange(batch)
    lengths = sorted_lengths
    if sequence.unsorted_indices is not None:
        unsorted = np.asarray(_to_numpy(sequence.unsorted_indices))
        order = np.argsort(unsorted)  # sorted position s -> batch position order[s]
        lengths = sorted_lengths[unsorted]
    index = _packed_positions(batch_sizes, order, batch_first, steps)
    shape = (batch, steps) if batch_first else (steps, batch)
    padded = PadPackedSequenceBackward0.apply(sequence.data, index=index, padded_shape=shape,
                                              value=padding_value)
    return padded, _make(lengths.astype(np.int64))


def _to_numpy(t: Tensor) -> np.ndarray:
    data = t._data
    return data if isinstance(data, np.ndarray) else data.get()


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes (L_i, *) into one (T, B, *) tensor (``batch_first``:
    (B, T, *)), T the longest L_i, filling with ``padding_value`` on ``padding_side``."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    _check_trailing_dims(sequences)
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    steps = int(lengths.max())
    seq = np.repeat(np.arange(len(sequences)), lengths)
    starts = np.cumsum(lengths) - lengths
    step = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
    if padding_side == "left":
        step = step + np.repeat(steps - lengths, lengths)
    batch = len(sequences)
    index = seq * steps + step if batch_first else step * batch + seq
    shape = (batch, steps) if batch_first else (steps, batch)
    return PadPackedSequenceBackward0.apply(cat(sequences, 0), index=index, padded_shape=shape,
                                            value=padding_value)


def _check_trailing_dims(sequences: tuple) -> None:
    """Every sequence must have the first one's shape after the time dim."""
    first = sequences[0].shape[1:]
    for s in sequences[1:]:
        trailing = s.shape[1:]
        if len(trailing) != len(first):
            raise RuntimeError(f"pad_sequence: all sequences must have the same number of "
                               f"dimensions, got {len(first) + 1} and {len(trailing) + 1}")
        for d, (a, b) in enumerate(zip(first, trailing), start=1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of "
                                   f"tensor b ({b}) at non-singleton dimension {d}")


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """Undo ``pad_sequence``: the list of tensors ``padded[:lengths[b], b]``.

    (torch transposes a time-first input in place here; tensorkit leaves it alone.)
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths))]


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) tensors: ``pack_padded_sequence(pad_sequence(...))``."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo ``pack_sequence``: the list of (L_i, *) tensors, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
