"""MNIST and Fashion-MNIST: 28x28 grayscale images with labels 0-9, as in torchvision.

The four files of each dataset are in the IDX format: a big-endian header (a magic number
saying the element type and the number of dimensions, then each dimension's size) and
the raw values.  They are searched for, gzipped or not, in

* ``root/MNIST/raw/`` (torchvision's layout; ``FashionMNIST`` for Fashion-MNIST),
* ``root/mnist/`` (``root/fashion-mnist/``),

first under ``root`` and then under ``$TENSORKIT_DATA``.  With ``download=True`` missing
files are downloaded into ``root/MNIST/raw/`` and checked against their md5 sums.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

from ...ops.creation import from_numpy
from . import utils
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_idx"]

# IDX element types: the third byte of the magic number.
_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
IMAGES_MAGIC = 2051  # 0x00000803: uint8, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 2049  # 0x00000801: uint8, 1 dimension (count)


class _CorruptFile(RuntimeError):
    pass


def _read_bytes(path: str, fix: str) -> bytes:
    """The file's bytes, decompressed if it ends in .gz."""
    if not path.endswith(".gz"):
        with open(path, "rb") as f:
            return f.read()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as error:
        raise _CorruptFile(f"{path} is not a valid gzip file ({error}): it is truncated or "
                           f"corrupt. {fix}") from None


def read_idx(path: str, expected_magic: int, fix: str = "") -> np.ndarray:
    """Parse an IDX file (optionally gzipped) into an array, checking the header and size.

    ``fix`` is appended to error messages (what to do about a bad file).
    """
    raw = _read_bytes(path, fix)
    if len(raw) < 4 or int.from_bytes(raw[:4], "big") != expected_magic:
        found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else f"only {len(raw)} bytes"
        raise _CorruptFile(f"{path} is not the expected IDX file: expected magic number "
                           f"{expected_magic} but found {found}. {fix}")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    expected = header + math.prod(dims) * dtype.itemsize
    if len(raw) != expected:
        shape = " x ".join(map(str, dims))
        raise _CorruptFile(f"{path} has {len(raw)} bytes but its header ({shape}) needs "
                           f"{expected}: the file is truncated or corrupt. {fix}")
    values = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return values.astype(dtype.newbyteorder("="))  # a writable, native-order copy


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images.

    ``dataset[i]`` is ``(PIL image (mode "L"), label)``, after ``transform`` and
    ``target_transform``.  ``.data`` is a uint8 tensor (N, 28, 28), ``.targets`` int64 (N,).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    folder_aliases = ["mnist"]  # other folder names that hold the files (the shared layout)

    def __init__(self, root: str | os.PathLike | None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images_path, labels_path = self._find_or_download(download)
        self.data, self.targets = self._load(images_path, labels_path)

    # ---- where the files are

    @property
    def raw_folder(self) -> str:
        root = self.root if self.root is not None else utils.default_download_root()
        return os.path.join(root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _file_stems(self) -> tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _search_folders(self) -> list[str]:
        folders = []
        for root in utils.data_roots(self.root):
            folders.append(os.path.join(root, type(self).__name__, "raw"))
            folders += [os.path.join(root, alias) for alias in self.folder_aliases]
        return folders

    def _find(self) -> tuple[str, str] | None:
        """Images and labels file of this split, from the first folder holding both."""
        for folder in self._search_folders():
            paths = [utils.find_file([stem, stem + ".gz"], [folder]) for stem in
                     self._file_stems()]
            if all(paths):
                return paths[0], paths[1]
        return None

    def _find_or_download(self, download: bool) -> tuple[str, str]:
        found = self._find()
        if found is None and download:
            self.download()
            found = self._find()
        if found is None:
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        return found

    def _check_exists(self) -> bool:
        return self._find() is not None

    def download(self) -> None:
        """Download the four files into ``raw_folder`` (checking md5 sums) and gunzip them."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            path = utils.download_from_mirrors(self.mirrors, filename, self.raw_folder, md5)
            utils.extract_gzip(path, path[:-3])

    # ---- reading them

    def _fix_hint(self) -> str:
        return (f"Delete it and download it again (download=True, files go to "
                f"{self.raw_folder}), or copy the original file from {self.mirrors[0]}")

    def _load(self, images_path: str, labels_path: str):
        fix = self._fix_hint()
        images = read_idx(images_path, IMAGES_MAGIC, fix)
        labels = read_idx(labels_path, LABELS_MAGIC, fix)
        if images.shape[0] != labels.shape[0]:
            raise RuntimeError(f"{images_path} has {images.shape[0]} images but {labels_path} "
                               f"has {labels.shape[0]} labels. One of the files is wrong. {fix}")
        return from_numpy(images), from_numpy(labels.astype(np.int64))

    # ---- the Dataset protocol

    def __getitem__(self, index: int):
        # A 2-D uint8 array becomes a mode "L" image.  (Indexing the NumPy views is faster
        # than indexing the tensors, and gives the same values.)
        img = Image.fromarray(self.data.numpy()[index])
        target = int(self.targets.numpy()[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grayscale clothes in 10 classes, laid out like MNIST."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    folder_aliases = ["fashion-mnist", "fashion_mnist"]
