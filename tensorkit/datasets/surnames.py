"""Surnames and their language, for character-level RNN classification.

Two forms of the same 20,074 names in 18 languages:

* the PyTorchZeroToAll course's ``names_train.csv.gz`` / ``names_test.csv.gz``
  (``"name","Country"`` rows, ASCII): ``load_surnames`` and ``Surnames``;
* the PyTorch tutorial's ``data/names/<Language>.txt`` (UTF-8 with accents):
  ``load_surnames_by_language``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import zipfile

from ..utils.data import Dataset
from ..vision.datasets import utils
from ._files import locate

__all__ = ["Surnames", "load_surnames", "load_surnames_by_language"]

MIRRORS = [
    "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/"
    "e5a260fac0b4ff1e2ec434fc6f0d962ac97fc289/data/",
    "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/",
]
SPLITS = {
    "train": ("names_train.csv.gz", "279fed4465b63788995257cf0a81f3af"),
    "test": ("names_test.csv.gz", "3729799e72df4be417721aab647340e3"),
}
TUTORIAL_ZIP_URL = "https://download.pytorch.org/tutorial/data.zip"
# sha256 of each data/names/<Language>.txt in the tutorial's data.zip.
LANGUAGE_FILES = {
    "Arabic": "6f424a8dbe51cbbbabab7a57d38b617210125e4e3991f3c657cb79b8f104bafc",
    "Chinese": "49263ef55a8cb1740e841d65cad8214b2f9b5b869bc534c811746422496fa91e",
    "Czech": "145bbbd6d0816578f03388e92c264d39ef1c60df920b081d371fa5c5cc055a8e",
    "Dutch": "924f32b635170eae561f84538632138fc07d4c8bbd70ba3fb980de1ecc4d2af3",
    "English": "9cca037066d3d5989e24bc01801416162de506b5e28e15b7c092a47905d29bf2",
    "French": "81e65b36c60ed5b89a17422f6edcadbb89546f38ad69e960e64e7ba682012a95",
    "German": "7449cd590b97a733e18d613a4155decd77ec35dc5f8aadd7a82204dce4f051db",
    "Greek": "3555b5186de7f401e6d991b088e9e644ca3099116477818c25ab5793801389e6",
    "Irish": "cf8c7013256252a88d2503127b87282a11f21b2ff6db1bded68834c19a1ec058",
    "Italian": "f88414c27d0606a11a678b4859277828c2565d6cc4d9ee932deef6e94f3b35e4",
    "Japanese": "e0e717e114fec3e7eade4d9dabe0067c475f43147e36a22b47902ee76ad9e67f",
    "Korean": "cd54221ccb362a6cba4c78828838cf3268a0e59744767a37cf6ec4b74036b136",
    "Polish": "45bab898af2f60ed3a728bbf6980e28821011a7caa53227553b5785903a40826",
    "Portuguese": "50a8735f41f4f73757c8ce5b16cb0275cd86b2b214bcbc8c9805f508cb131c53",
    "Russian": "43b3e64ce351f77f1ac9e0cdf7566012d127f4371875fd25208845b5c9d6f7c3",
    "Scottish": "78d0252711d87d948ea86fe34826c51d2d794a8e52d15b5d6f7b6244d45d62dd",
    "Spanish": "1bcb462ed3316756a85781d68232bddae04498fdddd5d9219c53fd1fbdeba7a7",
    "Vietnamese": "f3f9e4164ab47601178a6e45b216464a64122f49d05541f24bf18a757253281d",
}


def load_surnames(root: str | os.PathLike | None = None, split: str = "train",
                  download: bool = True) -> tuple[list[str], list[str]]:
    """(names, languages) of the course's ``split`` ("train": 13,374 rows, "test": 6,700);
    ``sorted(set(languages))`` are the 18 classes."""
    if split not in SPLITS:
        raise ValueError(f"split should be one of {sorted(SPLITS)}, got {split!r}")
    filename, md5 = SPLITS[split]
    path = locate(filename, "names", root, MIRRORS, md5, download)
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise RuntimeError(f"{path} could not be read ({error}): it is truncated or corrupt. "
                           "Delete it and download it again.") from None
    if any(len(row) != 2 for row in rows):
        raise RuntimeError(f"{path} should have two columns (name, language) on every row. "
                           "Delete it and download it again.")
    return [row[0] for row in rows], [row[1] for row in rows]


class Surnames(Dataset):
    """The course's NameDataset: ``dataset[i] == (name, country)``.

    ``country_list`` (also ``classes``) holds the 18 languages, sorted;
    ``get_country_id`` and ``get_country`` convert between names and class indices.
    """

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 download: bool = True) -> None:
        self.names, self.countries = load_surnames(root, split, download)
        self.country_list = sorted(set(self.countries))
        self.len = len(self.names)

    @property
    def classes(self) -> list[str]:
        return self.country_list

    def __getitem__(self, index: int) -> tuple[str, str]:
        return self.names[index], self.countries[index]

    def __len__(self) -> int:
        return self.len

    def get_countries(self) -> list[str]:
        return self.country_list

    def get_country(self, id: int) -> str:
        return self.country_list[id]

    def get_country_id(self, country: str) -> int:
        return self.country_list.index(country)


def _language_folder(root, download: bool) -> str:
    """A folder holding the 18 ``<Language>.txt`` files (downloading data.zip if needed)."""
    wanted = [f"{language}.txt" for language in LANGUAGE_FILES]
    for base in utils.data_roots(root):
        for folder in (os.path.join(base, "names", "names"), os.path.join(base, "data", "names"),
                       os.path.join(base, "names")):
            if all(os.path.isfile(os.path.join(folder, name)) for name in wanted):
                return folder
    if not download:
        raise RuntimeError("The names/<Language>.txt files were not found (pass root= or set "
                           f"${utils.DATA_ENV_VAR}). You can use download=True to download them")
    base = root if root is not None else utils.default_download_root()
    folder = os.path.join(os.path.expanduser(base), "names", "names")
    _download_language_files(folder)
    return folder


def _download_language_files(folder: str) -> None:
    """Fetch the tutorial's data.zip and keep data/names/*.txt, checking each sha256."""
    zip_path = utils.download_url(TUTORIAL_ZIP_URL, os.path.dirname(folder), "data.zip")
    os.makedirs(folder, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for language, sha256 in LANGUAGE_FILES.items():
            content = archive.read(f"data/names/{language}.txt")
            actual = hashlib.sha256(content).hexdigest()
            if actual != sha256:
                raise RuntimeError(f"data/names/{language}.txt in {zip_path} has sha256 "
                                   f"{actual}, expected {sha256}. Delete {zip_path} and try "
                                   "again.")
            with open(os.path.join(folder, f"{language}.txt"), "wb") as f:
                f.write(content)
    os.remove(zip_path)


def load_surnames_by_language(root: str | os.PathLike | None = None,
                              download: bool = True) -> dict[str, list[str]]:
    """{language: [surnames]} from the tutorial's 18 text files (UTF-8, accents kept),
    the tutorial's ``category_lines``; languages in alphabetical order."""
    folder = _language_folder(root, download)
    lines = {}
    for language in LANGUAGE_FILES:
        with open(os.path.join(folder, f"{language}.txt"), encoding="utf-8") as f:
            lines[language] = f.read().strip().split("\n")
    return lines
