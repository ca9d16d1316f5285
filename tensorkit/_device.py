"""Devices, and the one seam between CPU and GPU: the array module.

Every op is written once against an *array module* ``xp``: ``numpy`` for tensors on
the CPU, ``cupy`` for tensors on a CUDA GPU.  ``array_module(data)`` picks it from
the array itself, so an op never asks which device it runs on.
"""

from __future__ import annotations

import numpy as np

_cupy = None  # imported on first use: importing CuPy is slow and it may be absent
_cupy_error: Exception | None = None


def cupy_module():
    """The ``cupy`` module, or a RuntimeError that says how to get a GPU working."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception as e:  # ImportError, or CUDA driver/runtime errors
            _cupy_error = e
    if _cupy is None:
        raise RuntimeError(
            "Torch not compiled with CUDA enabled: tensorkit runs on CUDA GPUs through CuPy, "
            f"which is not usable here ({type(_cupy_error).__name__}: {_cupy_error}). "
            "Install it with `pip install tensorkit[gpu]` on a machine with an NVIDIA GPU, "
            "or keep the tensors on the CPU.")
    return _cupy


def cuda_available() -> bool:
    try:
        cupy_module()
        return True
    except RuntimeError:
        return False


def array_module(data):
    """``numpy`` or ``cupy``: the module that operates on ``data``."""
    if type(data) is np.ndarray or isinstance(data, np.generic | np.ndarray):
        return np
    return cupy_module()


class device:
    """Where a tensor's data lives: ``device('cpu')`` or ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string like 'cuda:0', got {type!r}")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}")
        if type == "cpu" and index not in (None, 0):
            raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
        self.type = type
        self.index = index

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def to_device(d) -> device:
    """Accept a ``device``, a string such as ``'cuda:0'``, or a CUDA ordinal ``0``."""
    if isinstance(d, device):
        return d
    if isinstance(d, int):
        return device("cuda", d)
    if isinstance(d, str):
        return device(d)
    text = str(d)  # e.g. a real torch.device from shared tutorial code
    return device(text)


def device_of(data) -> device:
    """The device an array lives on."""
    if type(data) is np.ndarray or isinstance(data, np.generic):
        return CPU
    return device("cuda", data.device.id)


def module_for(d: device):
    """The array module for a device, with a clear error when CUDA is unusable."""
    return np if d.type == "cpu" else cupy_module()


def move(data, d: device):
    """Copy ``data`` to device ``d`` (no copy if it is already there)."""
    if d.type == "cpu":
        return data if type(data) is np.ndarray else data.get()
    cupy = cupy_module()
    index = 0 if d.index is None else d.index
    if type(data) is not np.ndarray and data.device.id == index:
        return data
    with cupy.cuda.Device(index):
        return cupy.asarray(data)


def check_same_device(arrays) -> None:
    """Torch's error when one op mixes tensors from two devices."""
    first = arrays[0]
    for other in arrays[1:]:
        if type(other) is not type(first) or (
                type(first) is not np.ndarray and other.device.id != first.device.id):
            a, b = device_of(first), device_of(other)
            if a.type == "cpu":  # torch names the GPU first
                a, b = b, a
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {a} and {b}! Move them with .to(device) first.")
