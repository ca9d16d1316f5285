"""``tensorkit.cuda``: is a GPU usable, how many, and the legacy ``cuda.FloatTensor`` types."""

from __future__ import annotations

from ._device import cuda_available, cupy_module
from .ops.creation import LEGACY_CUDA


def is_available() -> bool:
    """True when CuPy is installed and an NVIDIA GPU is visible."""
    return cuda_available()


def device_count() -> int:
    if not cuda_available():
        return 0
    return cupy_module().cuda.runtime.getDeviceCount()


def current_device() -> int:
    return cupy_module().cuda.runtime.getDevice()


def get_device_name(device: int | None = None) -> str:
    cupy = cupy_module()
    props = cupy.cuda.runtime.getDeviceProperties(device or 0)
    name = props["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None) -> None:
    """Wait for all GPU work to finish (time GPU code only after this)."""
    if cuda_available():
        cupy_module().cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """GPU random numbers are generated on the CPU generator here: seed that one."""
    from . import _random

    _random.manual_seed(seed)


manual_seed_all = manual_seed


def max_memory_allocated(device=None) -> int:
    if not cuda_available():
        return 0
    return cupy_module().get_default_memory_pool().total_bytes()


def memory_allocated(device=None) -> int:
    if not cuda_available():
        return 0
    return cupy_module().get_default_memory_pool().used_bytes()


def empty_cache() -> None:
    if cuda_available():
        cupy_module().get_default_memory_pool().free_all_blocks()


globals().update({f"{name}Tensor": cls for name, cls in LEGACY_CUDA.items()})
