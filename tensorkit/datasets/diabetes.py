"""The Pima Indians diabetes table of the PyTorchZeroToAll course (``diabetes.csv.gz``).

759 rows, 8 features scaled to [-1, 1] and a 0/1 label (1 = tested *negative*: the
course file inverts the original labels).  See the README next to the shared data.
"""

from __future__ import annotations

import os

import numpy as np

from .._tensor import Tensor
from ..ops.creation import from_numpy
from ..utils.data import Dataset
from ._files import locate

__all__ = ["Diabetes", "load_diabetes"]

FILENAME = "diabetes.csv.gz"
MD5 = "b7f372850118dfaf306e2f334e6a718f"
MIRRORS = [
    "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/"
    "e5a260fac0b4ff1e2ec434fc6f0d962ac97fc289/data/",
    "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/",
]
N_FEATURES = 8


def diabetes_path(root: str | os.PathLike | None = None, download: bool = True) -> str:
    """Where ``diabetes.csv.gz`` is (downloading it if needed): for ``np.loadtxt``."""
    return locate(FILENAME, "diabetes", root, MIRRORS, MD5, download)


def load_diabetes(root: str | os.PathLike | None = None,
                  download: bool = True) -> tuple[Tensor, Tensor]:
    """(features, labels): float32 tensors of shape (759, 8) and (759, 1), as the course's
    ``x_data`` and ``y_data``."""
    path = diabetes_path(root, download)
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    except (ValueError, OSError, EOFError) as error:
        raise RuntimeError(f"{path} could not be read as a CSV table of numbers ({error}). "
                           "Delete it and download it again.") from None
    labels = table[:, -1]
    if table.shape[1] != N_FEATURES + 1 or not np.isin(labels, (0, 1)).all():
        raise RuntimeError(f"{path} should have {N_FEATURES + 1} columns with a 0/1 label "
                           f"last, but has shape {table.shape}. Delete it and download it "
                           "again.")
    return from_numpy(np.ascontiguousarray(table[:, :-1])), from_numpy(table[:, -1:].copy())


class Diabetes(Dataset):
    """The diabetes table as a Dataset: ``dataset[i] == (x_data[i], y_data[i])``."""

    def __init__(self, root: str | os.PathLike | None = None, download: bool = True) -> None:
        self.x_data, self.y_data = load_diabetes(root, download)
        self.len = self.x_data.shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return self.x_data[index], self.y_data[index]

    def __len__(self) -> int:
        return self.len
