"""Image transforms as objects you can chain (torchvision.transforms).

Each transform is a callable: ``Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])``
turns a PIL image into a normalized tensor.  The random ones draw from tensorkit's
default generator with the same calls torchvision makes on torch's (``randint`` for crop
positions, ``rand(1)`` for flips), so after the same seed they make the same choices.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

from ...ops.creation import rand, randint
from . import functional as F
from .functional import InterpolationMode

__all__ = [
    "CenterCrop",
    "Compose",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "Pad",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "Resize",
    "ToPILImage",
    "ToTensor",
]


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = [f"    {t}" for t in self.transforms]
        return "\n".join([f"{type(self).__name__}(", *lines, ")"])


class _Transform:
    """A transform whose work is ``forward(img)``; ``repr`` shows the constructor args."""

    def __call__(self, img):
        return self.forward(img)

    def forward(self, img):
        raise NotImplementedError

    def _args(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._args()})"


class ToTensor(_Transform):
    """PIL image or (H, W, C) uint8 ndarray -> (C, H, W) float32 tensor in [0, 1]."""

    def forward(self, pic):
        return F.to_tensor(pic)


class PILToTensor(_Transform):
    """PIL image -> (C, H, W) tensor with the same values and dtype (no scaling)."""

    def forward(self, pic):
        return F.pil_to_tensor(pic)


class ToPILImage(_Transform):
    """(C, H, W) tensor or (H, W, C) ndarray -> PIL image (floats scaled by 255)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def forward(self, pic):
        return F.to_pil_image(pic, self.mode)

    def _args(self) -> str:
        return "" if self.mode is None else f"mode={self.mode}"


class Normalize(_Transform):
    """(image - mean) / std per channel; e.g. MNIST's ``Normalize((0.1307,), (0.3081,))``."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def _args(self) -> str:
        return f"mean={self.mean}, std={self.std}"


class Lambda(_Transform):
    """Your own function as a transform."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def forward(self, img):
        return self.lambd(img)


def _setup_size(size, error_msg: str) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size[0], size[1]


class Pad(_Transform):
    """Add a border of ``padding`` pixels (see ``functional.pad``)."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def _args(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class RandomCrop(_Transform):
    """A random ``size`` window, after optional padding (CIFAR's ``RandomCrop(32, 4)``)."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant") -> None:
        self.size = tuple(_setup_size(size, "Please provide only two dimensions (h, w) for "
                                            "size."))
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode

    @staticmethod
    def get_params(img, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """(top, left, height, width) of a random window: two ``randint`` draws, as torch."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        top = int(randint(0, h - th + 1, size=(1,)).item())
        left = int(randint(0, w - tw + 1, size=(1,)).item())
        return top, left, th, tw

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def _args(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomHorizontalFlip(_Transform):
    """Mirror left to right with probability ``p`` (one ``rand(1)`` draw per call)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def forward(self, img):
        return F.hflip(img) if rand(1).item() < self.p else img

    def _args(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top to bottom with probability ``p``."""

    def forward(self, img):
        return F.vflip(img) if rand(1).item() < self.p else img


class Resize(_Transform):
    """Resize to ``size`` ((h, w), or an int for the shorter side keeping the aspect ratio)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True) -> None:
        if not isinstance(size, int | Sequence):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = interpolation

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def _args(self) -> str:
        return (f"size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias}")


class CenterCrop(_Transform):
    """The centred ``size`` window (padded with zeros if the image is smaller)."""

    def __init__(self, size) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.center_crop(img, self.size)

    def _args(self) -> str:
        return f"size={self.size}"
