"""Image transforms as plain functions (torchvision.transforms.functional).

Images are PIL images or tensors shaped (..., C, H, W).  PIL images are handled by PIL;
tensors by tensorkit ops, except ``pad`` and ``resize`` which go through NumPy / PIL on
the CPU (and come back to the tensor's device).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from enum import Enum

import numpy as np
from PIL import Image, ImageOps

from ..._dtype import get_default_dtype, uint8
from ..._tensor import Tensor
from ...ops.creation import as_tensor, from_numpy

__all__ = [
    "InterpolationMode",
    "center_crop",
    "crop",
    "get_dimensions",
    "hflip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "to_pil_image",
    "to_tensor",
    "vflip",
]


class InterpolationMode(Enum):
    """How ``resize`` computes new pixels (the values are torchvision's names)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}

# The NumPy dtype PIL pixels are read as, per image mode (8-bit modes otherwise).
_PIL_MODE_DTYPES = {"I": np.int32, "I;16": np.int16, "F": np.float32}


def _is_pil(img) -> bool:
    return isinstance(img, Image.Image)


def _check_image(img) -> None:
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img) -> list[int]:
    """[channels, height, width] of a PIL image or a (..., C, H, W) tensor."""
    _check_image(img)
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    channels = 1 if img.dim() == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


# --------------------------------------------------------------------------- conversions

def _pil_to_hwc(pic: Image.Image) -> np.ndarray:
    """The pixels of a PIL image as an (H, W, C) array (C = number of bands)."""
    array = np.array(pic, _PIL_MODE_DTYPES.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array  # 1-bit images read as 0/1
    return array.reshape(pic.height, pic.width, len(pic.getbands()))


def to_tensor(pic) -> Tensor:
    """PIL image or (H, W, C) ndarray -> (C, H, W) tensor; uint8 becomes floats in [0, 1].

    Other dtypes keep their values (and dtype): only 8-bit pixels are rescaled.
    """
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        hwc = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil(pic):
        hwc = _pil_to_hwc(pic)
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    img = from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))
    if img.dtype == uint8:
        return img.to(get_default_dtype()).div(255)
    return img


def pil_to_tensor(pic) -> Tensor:
    """PIL image -> (C, H, W) tensor with the pixel values unchanged (uint8 stays uint8)."""
    if not _is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    array = array.reshape(pic.height, pic.width, len(pic.getbands()))
    return from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def to_pil_image(pic, mode: str | None = None) -> Image.Image:
    """(C, H, W) tensor or (H, W, C) ndarray -> PIL image.

    Float values are taken to be in [0, 1] and scaled to 0..255 (then truncated to uint8).
    """
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        if pic.dim() == 2:
            pic = pic.unsqueeze(0)
        if pic.is_floating_point() and mode != "F":
            pic = pic.mul(255).to(uint8)
        array = pic.detach().cpu().numpy().transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.dtype.kind == "f" and mode != "F":
            array = (array * 255).astype(np.uint8)
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.shape[-1] == 1:
        array = array[:, :, 0]
    image = Image.fromarray(np.ascontiguousarray(array))
    return image.convert(mode) if mode is not None and mode != image.mode else image


# ------------------------------------------------------------------------------- values

def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """(tensor - mean) / std per channel, for a float tensor shaped (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean_t, std_t = _channel_stats(_key(mean), _key(std), tensor.dtype, str(tensor.device))
    return tensor.sub_(mean_t).div_(std_t)


def _key(values):
    """A hashable stand-in for ``values`` (lists become tuples) so stats can be cached."""
    if isinstance(values, Tensor):
        return tuple(values.flatten().tolist()) if values.dim() <= 1 else values
    return tuple(values) if isinstance(values, list | tuple) else values


@functools.lru_cache(maxsize=64)
def _channel_stats(mean, std, dtype, device: str) -> tuple[Tensor, Tensor]:
    """mean and std as (C, 1, 1) tensors of the image's dtype (cached: a dataset calls
    Normalize once per sample with the same numbers)."""
    mean_t = as_tensor(mean, dtype=dtype, device=device)
    std_t = as_tensor(std, dtype=dtype, device=device)
    if (std_t == 0).sum().item() > 0:
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                         "division by zero.")
    if mean_t.dim() == 1:
        mean_t = mean_t.view(-1, 1, 1)
    if std_t.dim() == 1:
        std_t = std_t.view(-1, 1, 1)
    return mean_t, std_t


# ------------------------------------------------------------------------------ geometry

def hflip(img):
    """Mirror left to right."""
    _check_image(img)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if _is_pil(img) else img.flip(-1)


def vflip(img):
    """Mirror top to bottom."""
    _check_image(img)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM) if _is_pil(img) else img.flip(-2)


def _padding_ltrb(padding) -> tuple[int, int, int, int]:
    """int -> all sides; (lr, tb) -> left/right, top/bottom; (l, t, r, b) as given."""
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    padding = [int(p) for p in padding]
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return tuple(padding)
    raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


_NUMPY_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
                    "symmetric": "symmetric"}


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Add a border: ``padding`` pixels (int, (lr, tb) or (l, t, r, b)) of ``fill`` or of
    the edge / reflected / mirrored (symmetric) image."""
    _check_image(img)
    if padding_mode not in _NUMPY_PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    if min(left, top, right, bottom) < 0:
        raise ValueError("tensorkit's pad does not support negative padding (cropping); "
                         "use crop() instead")
    if _is_pil(img) and padding_mode == "constant":
        return ImageOps.expand(img, border=(left, top, right, bottom), fill=fill)
    array = np.asarray(img) if _is_pil(img) else img.detach().cpu().numpy()
    if _is_pil(img):  # (H, W) or (H, W, C)
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    else:  # (..., H, W)
        widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    extra = {"constant_values": fill} if padding_mode == "constant" else {}
    padded = np.pad(array, widths, mode=_NUMPY_PAD_MODES[padding_mode], **extra)
    if _is_pil(img):
        return Image.fromarray(padded)
    return from_numpy(padded).to(img.device)


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` window whose top-left corner is (top, left).

    Parts of the window outside the image are filled with zeros.
    """
    _check_image(img)
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:  # pad with zeros, then crop
        pads = (max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0))
        img = pad(img[..., max(top, 0):min(bottom, h), max(left, 0):min(right, w)], pads)
        return img
    return img[..., top:bottom, left:right]


def _pair(size, name: str = "size") -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")


def center_crop(img, output_size):
    """The centred window of ``output_size`` (int or (h, w)); padded with zeros if larger."""
    crop_h, crop_w = _pair(output_size, "output_size")
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        img = pad(img, [max(crop_w - w, 0) // 2, max(crop_h - h, 0) // 2,
                        max(crop_w - w + 1, 0) // 2, max(crop_h - h + 1, 0) // 2])
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def _resized_size(h: int, w: int, size, max_size: int | None) -> tuple[int, int]:
    """torchvision's rule: an int matches the shorter side (keeping the aspect ratio)."""
    if isinstance(size, Sequence) and len(size) == 2:
        return int(size[0]), int(size[1])
    requested = size if isinstance(size, numbers.Number) else size[0]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = int(requested), int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True):
    """Resize to ``size`` ((h, w), or an int for the shorter side).

    PIL images are resized by PIL, as torchvision does.  Tensors are resized channel by
    channel with PIL's float ("F") images: close to torchvision's antialiased tensor
    resize, but not bit-identical to it.
    """
    _check_image(img)
    if isinstance(interpolation, int):
        interpolation = {v: k for k, v in _PIL_FILTERS.items()}[Image.Resampling(interpolation)]
    _, h, w = get_dimensions(img)
    new_h, new_w = _resized_size(h, w, size, max_size)
    resample = _PIL_FILTERS[interpolation]
    if _is_pil(img):
        return img.resize((new_w, new_h), resample)
    array = img.detach().cpu().numpy()
    planes = array.reshape(-1, h, w).astype(np.float32)
    out = np.stack([np.asarray(Image.fromarray(p).resize((new_w, new_h), resample))
                    for p in planes])
    out = out.reshape(*array.shape[:-2], new_h, new_w)
    if array.dtype.kind in "iu":
        info = np.iinfo(array.dtype)
        out = np.clip(np.round(out), info.min, info.max)
    return from_numpy(out.astype(array.dtype)).to(img.device)
