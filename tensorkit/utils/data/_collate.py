"""Turning a list of samples into a batch: ``default_collate`` and ``default_convert``.

The rules are torch's, applied recursively by the type of the first sample:

=====================  ==============================================================
sample                 batch
=====================  ==============================================================
Tensor                 ``stack`` along a new first dimension
NumPy array            the arrays as tensors, stacked
NumPy scalar           a 1-D tensor of that dtype
float / int / bool     a 1-D float64 / int64 / bool tensor
str / bytes            the list, unchanged
dict (Mapping)         a dict of batches, key by key
namedtuple             the same namedtuple of batches, field by field
tuple / list           a *list* of batches, position by position ("transposed")
=====================  ==============================================================
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops.creation import as_tensor, from_numpy, tensor
from ...ops.shape import stack

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

# NumPy dtypes that cannot become tensors: byte strings, unicode, objects.
_STRING_OR_OBJECT_DTYPE = re.compile(r"[SaUO]")

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
          "found {}")

CollateMap = dict[type | tuple[type, ...], Callable]


def collate_tensor_fn(batch: list[Tensor], *, collate_fn_map: CollateMap | None = None):
    return stack(batch, 0)


def collate_numpy_array_fn(batch: list[np.ndarray], *, collate_fn_map: CollateMap | None = None):
    if _STRING_OR_OBJECT_DTYPE.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERROR.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map: CollateMap | None = None):
    # np.stack keeps the scalars' own dtype (float32 stays float32, int32 stays int32).
    return from_numpy(np.stack(batch))


def collate_float_fn(batch: list[float], *, collate_fn_map: CollateMap | None = None):
    return tensor(batch, dtype=_dtype.float64)  # always float64, whatever the default dtype


def collate_int_fn(batch: list[int], *, collate_fn_map: CollateMap | None = None):
    return tensor(batch)  # int64, or bool for a batch of bools


def collate_str_fn(batch: list, *, collate_fn_map: CollateMap | None = None):
    return batch


default_collate_fn_map: CollateMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def _collate_mapping(batch: list, collate_fn_map: CollateMap | None):
    elem = batch[0]
    values = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
              for key in elem}
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)  # keeps the mapping's own type (OrderedDict, ...)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:  # a mapping type that cannot be built from a dict
        return values


def _collate_sequence(batch: list, collate_fn_map: CollateMap | None):
    elem = batch[0]
    size = len(elem)
    if any(len(e) != size for e in batch):
        raise RuntimeError("each element in list of batch should be of equal size")
    columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
    if isinstance(elem, tuple):
        return columns  # a list, as torch does for backward compatibility
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            clone[:] = columns
            return clone
        return type(elem)(columns)
    except TypeError:
        return columns


def collate(batch: list, *, collate_fn_map: CollateMap | None = None) -> Any:
    """Collate ``batch`` using ``collate_fn_map`` for leaf types, recursing into containers.

    A type found exactly in the map wins; otherwise the first entry it is an instance of.
    """
    elem = batch[0]
    if collate_fn_map is not None:
        if type(elem) in collate_fn_map:
            return collate_fn_map[type(elem)](batch, collate_fn_map=collate_fn_map)
        for leaf_type, fn in collate_fn_map.items():
            if isinstance(elem, leaf_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _collate_mapping(batch, collate_fn_map)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(collate(s, collate_fn_map=collate_fn_map)
                            for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(batch, collate_fn_map)
    raise TypeError(_ERROR.format(type(elem)))


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch by torch's rules (see the module docstring)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Without batching: turn NumPy arrays and scalars into tensors, keep everything else.

    Containers are converted element by element (tuples become lists, as in torch).
    """
    if isinstance(data, np.ndarray | np.bool_ | np.number):
        if isinstance(data, np.ndarray) and _STRING_OR_OBJECT_DTYPE.search(data.dtype.str):
            return data
        return as_tensor(data) if isinstance(data, np.ndarray) else from_numpy(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        values = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(values)
                return clone
            return type(data)(values)
        except TypeError:
            return values
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        converted = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                clone[:] = converted
                return clone
            return type(data)(converted)
        except TypeError:
            return converted
    return data
