"""Saving and loading objects with tensors: ``tensorkit.save`` and ``tensorkit.load``.

The files use PyTorch's own format, so a state dict saved here loads in PyTorch and the
other way round.  That format is a zip archive holding

* ``data.pkl``: the object, pickled, with every tensor replaced by a *reference* to a
  storage (a flat block of numbers) plus the offset, shape and strides that view it;
* ``data/0``, ``data/1``, ...: the raw bytes of each storage;
* ``version`` and ``byteorder``: what the reader needs to interpret those bytes.

Keeping storages apart from the pickle is what lets two tensors that share memory (a
tensor and a view of it) still share memory after loading.

Loading runs ``pickle``, which can run any code a file asks for.  As in PyTorch,
``load`` therefore defaults to ``weights_only=True``: it accepts only tensors, numbers,
strings and the standard containers, which is all a state dict holds.  Loading a whole
pickled model needs ``weights_only=False``, and should only be done with files you trust.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import sys
import zipfile
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import _dtype as D
from ._device import cuda_available, device, move, to_device
from ._size import Size
from ._tensor import Tensor, _make

FileLike = str | os.PathLike | IO[bytes]

# The storage classes PyTorch's pickles name, e.g. ``torch.FloatStorage``.
_STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
    "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}
_STORAGE_DTYPES = {name: dtype for dtype, name in _STORAGE_NAMES.items()}


# ----------------------------------------------------------------------------- saving
class _TorchGlobal:
    """A name in PyTorch's namespace (``torch._utils._rebuild_tensor_v2``) to write into a pickle.

    Writing the name needs no PyTorch installed: the pickler below emits it directly.
    """

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # only ever called by a reader that maps it back
        raise RuntimeError(f"{self.module}.{self.name} is a placeholder for pickling")


_REBUILD_TENSOR = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")


class _StorageRef:
    """One storage to be written as ``data/<key>``: a flat, contiguous CPU array."""

    def __init__(self, key: str, array: np.ndarray, location: str):
        self.key, self.array, self.location = key, array, location


class _TensorRecord:
    """A tensor as PyTorch pickles it: storage, offset, size, stride, requires_grad."""

    def __init__(self, storage: _StorageRef, offset: int, size, stride, requires_grad: bool):
        self.args = (storage, offset, tuple(size), tuple(stride), requires_grad,
                     collections.OrderedDict())


def _root_array(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (views keep a ``.base`` chain)."""
    root = array
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root


def _view_of_root(array: np.ndarray, root: np.ndarray) -> tuple[int, tuple] | None:
    """``array`` as (offset, strides) in elements of ``root``, or None if it isn't a plain view."""
    item = array.itemsize
    if (root.dtype != array.dtype or not root.flags.c_contiguous
            or any(s < 0 or s % item for s in array.strides)):
        return None
    offset_bytes = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if offset_bytes % item:
        return None
    return offset_bytes // item, tuple(s // item for s in array.strides)


class _Pickler(pickle._Pickler):
    """A pickler that writes tensors the way PyTorch does (see the module docstring).

    It is the pure-Python pickler, because that one lets us write the name of a PyTorch
    function (``save_global``) without importing PyTorch.
    """

    def __init__(self, file, protocol: int):
        super().__init__(file, protocol)
        self.storages: dict[int, _StorageRef] = {}  # id(root array) -> storage
        self._keep_alive: list[np.ndarray] = []

    def _storage_for(self, data: np.ndarray, location: str) -> tuple[_StorageRef, int, tuple]:
        root = _root_array(data)
        placement = _view_of_root(data, root)
        if placement is None:  # e.g. a flipped view: save its own contiguous copy
            root = np.ascontiguousarray(data)
            placement = (0, tuple(s // data.itemsize for s in root.strides))
        self._keep_alive.append(root)
        storage = self.storages.get(id(root))
        if storage is None:
            storage = _StorageRef(str(len(self.storages)), root.reshape(-1), location)
            self.storages[id(root)] = storage
        return storage, placement[0], placement[1]

    def _record(self, t: Tensor) -> _TensorRecord:
        location = "cpu" if t.device.type == "cpu" else f"cuda:{t.device.index or 0}"
        data = t._data if location == "cpu" else move(t._data, device("cpu"))
        storage, offset, stride = self._storage_for(data, location)
        return _TensorRecord(storage, offset, t.shape, stride, t._requires_grad)

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            record = self._record(obj)
            if _is_parameter(obj):
                return _REBUILD_PARAMETER, (record, obj._requires_grad,
                                            collections.OrderedDict())
            return _REBUILD_TENSOR, record.args
        if isinstance(obj, _TensorRecord):
            return _REBUILD_TENSOR, obj.args
        return NotImplemented

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            storage_type = _TorchGlobal("torch", _STORAGE_NAMES[str(obj.array.dtype)])
            return ("storage", storage_type, obj.key, obj.location, obj.array.size)
        return None

    def save_global(self, obj, name=None):
        if isinstance(obj, _TorchGlobal):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            self.memoize(obj)
            return
        super().save_global(obj, name)

    def save_dtype(self, obj: D.dtype):
        self.save_global(_TorchGlobal("torch", obj.name))

    # Objects that are written as a bare name, as PyTorch writes ``torch.float32``.
    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[_TorchGlobal] = save_global
    dispatch[D.dtype] = save_dtype


def _is_parameter(t: Tensor) -> bool:
    nn = sys.modules.get("tensorkit.nn")
    return nn is not None and isinstance(t, nn.Parameter)


def save(obj: Any, f: FileLike, pickle_protocol: int = 2) -> None:
    """Save ``obj`` (typically a ``state_dict``) to a file in PyTorch's format.

    ``f`` is a path or a binary file object.  Tensors are saved with their dtype, shape
    and device tag; tensors that share memory are saved once.
    """
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, pickle_protocol)
    pickler.dump(obj)
    name = "archive"
    if isinstance(f, str | os.PathLike):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    with _open_zip(f, "w") as archive:
        archive.writestr(f"{name}/data.pkl", buffer.getvalue())
        archive.writestr(f"{name}/byteorder", sys.byteorder)
        for storage in pickler.storages.values():
            data = storage.array
            if sys.byteorder != "little":
                data = data.byteswap()
            archive.writestr(f"{name}/data/{storage.key}", data.tobytes())
        archive.writestr(f"{name}/version", "3\n")


def _open_zip(f: FileLike, mode: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(f, mode, compression=zipfile.ZIP_STORED)


# ---------------------------------------------------------------------------- loading
class _StorageType:
    """What ``torch.FloatStorage`` means when read back: the dtype of a storage."""

    def __init__(self, dtype_name: str):
        self.dtype_name = dtype_name


def _rebuild_tensor(storage, offset, size, stride, requires_grad, backward_hooks,
                    metadata=None) -> Tensor:
    """A tensor that views ``storage``, as PyTorch's ``_rebuild_tensor_v2`` makes one."""
    xp = np if type(storage) is np.ndarray else _cupy()
    itemsize = storage.itemsize
    view = xp.lib.stride_tricks.as_strided(
        storage[offset:] if storage.size else storage, shape=tuple(size),
        strides=tuple(s * itemsize for s in stride))
    t = _make(view)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks,
                       state=None):
    from .nn import Parameter

    return Parameter(data, requires_grad)


def _cupy():
    from ._device import cupy_module

    return cupy_module()


_SAFE_GLOBALS: dict[tuple[str, str], Any] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch", "Size"): Size,
    ("torch", "device"): device,
    ("tensorkit._size", "Size"): Size,
    ("tensorkit._device", "device"): device,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("builtins", "complex"): complex,
}
_SAFE_GLOBALS.update({("torch", name): _StorageType(dt) for dt, name in _STORAGE_NAMES.items()})
_SAFE_GLOBALS.update({("torch", d.name): d for d in D.ALL_DTYPES})


def _weights_only_error(module: str, name: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two "
        "options, do those steps only if you trust the source of the checkpoint. \n\t(1) "
        "Re-running `tensorkit.load` with `weights_only` set to `False` will likely succeed, "
        "but it can result in arbitrary code execution. Do it only if you got the file "
        "from a trusted source.\n\t(2) Save only the model's `state_dict()` instead of the "
        "whole model, and load it into a model you build in code.\n"
        f"WeightsUnpickler error: Unsupported global: GLOBAL {module}.{name} was not an "
        "allowed global by default.")


MapLocation = str | device | dict | Callable | None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive: zipfile.ZipFile, prefix: str,
                 map_location: MapLocation, weights_only: bool):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix
        self.map_location, self.weights_only = map_location, weights_only
        self.storages: dict[str, Any] = {}

    def find_class(self, module: str, name: str):
        safe = _SAFE_GLOBALS.get((module, name))
        if safe is not None:
            return safe
        if self.weights_only:
            raise _weights_only_error(module, name)
        if module == "torch" or module.startswith("torch."):
            # A whole model pickled by PyTorch: use tensorkit's class of the same name.
            try:
                return super().find_class("tensorkit" + module[len("torch"):], name)
            except (ImportError, AttributeError):
                pass
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind, storage_type, key, location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"unknown record kind {kind!r} in the file")
        if key not in self.storages:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            dtype = D._dtype_by_name(storage_type.dtype_name).np_dtype
            array = np.frombuffer(raw, dtype=dtype).copy()
            if array.size != numel:
                raise RuntimeError(
                    f"storage data/{key} holds {array.size} values but the file says "
                    f"{numel}: the file is truncated or corrupt; save it again")
            self.storages[key] = _place(array, location, self.map_location)
        return self.storages[key]


def _place(array: np.ndarray, location: str, map_location: MapLocation):
    """Put a storage saved at ``location`` ('cpu', 'cuda:0') where ``map_location`` says.

    A function ``map_location(storage, location)`` gets the storage as a CPU tensor and
    returns a tensor to use instead (or None to restore it to ``location``).
    """
    if callable(map_location) and not isinstance(map_location, device):
        result = map_location(_make(array), location)
        if isinstance(result, Tensor):
            return result._data
        if result is not None:
            raise TypeError("map_location function must return a tensor or None, "
                            f"not {type(result).__name__}")
        map_location = None
    return move(array, _target_device(location, map_location))


def _target_device(location: str, map_location: MapLocation) -> device:
    """Where a storage saved at ``location`` should be loaded."""
    if isinstance(map_location, dict):
        return to_device(map_location.get(location, location))
    if map_location is not None:
        return to_device(map_location)
    target = to_device(location)
    if target.type == "cuda" and not cuda_available():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but "
            "tensorkit.cuda.is_available() is False. If you are running on a CPU-only "
            "machine, please use tensorkit.load with map_location=tensorkit.device('cpu') "
            "to map your storages to the CPU.")
    return target


def load(f: FileLike, map_location: MapLocation = None, pickle_module=None, *,
         weights_only: bool = True, **pickle_load_args) -> Any:
    """Load an object saved with ``tensorkit.save`` or ``torch.save``.

    ``map_location`` moves tensors as they load: a device (``'cpu'``), a dict from saved
    to new locations (``{'cuda:0': 'cpu'}``) or a function ``(storage, location)``.
    ``weights_only=True`` (the default, as in PyTorch 2.6+) refuses anything but tensors
    and plain containers; pass ``False`` only for files you trust.
    """
    try:
        archive = _open_zip(f, "r")
    except zipfile.BadZipFile as error:
        raise RuntimeError(
            f"{_describe(f)} is not a tensorkit/PyTorch checkpoint (not a zip archive: it "
            "may be truncated, or saved in PyTorch's pre-1.6 legacy format). Save it again "
            "with tensorkit.save or torch.save.") from error
    with archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("data.pkl")]
        if not pickles:
            raise RuntimeError(f"{_describe(f)} has no data.pkl: not a checkpoint file")
        prefix = pickles[0][: -len("data.pkl")]
        with archive.open(pickles[0]) as data:
            unpickler = _Unpickler(data, archive, prefix, map_location, weights_only)
            return unpickler.load()


def _describe(f: FileLike) -> str:
    return repr(os.fspath(f)) if isinstance(f, str | os.PathLike) else "the file"


__all__ = ["save", "load"]
