"""Finding, downloading and checking data files (torchvision.datasets.utils).

Files are looked for in the folder you pass (``root``), then in the folder named by the
environment variable ``TENSORKIT_DATA``; only if they are in neither are they
downloaded, with a progress bar, and checked against their published md5 sums.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence

__all__ = [
    "DATA_ENV_VAR",
    "calculate_md5",
    "check_integrity",
    "check_md5",
    "data_roots",
    "default_download_root",
    "download_and_extract_archive",
    "download_url",
    "extract_gzip",
    "find_file",
]

DATA_ENV_VAR = "TENSORKIT_DATA"
USER_AGENT = "tensorkit"
_CHUNK = 1024 * 1024


def default_download_root() -> str:
    """Where downloads go when no ``root`` is given: ``~/.cache/tensorkit/data``."""
    cache = os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
    return os.path.join(cache, "tensorkit", "data")


def data_roots(root: str | os.PathLike | None) -> list[str]:
    """The folders to search, in order: ``root`` and then ``$TENSORKIT_DATA``."""
    roots = [os.path.expanduser(os.fspath(root))] if root is not None else []
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        roots.append(os.path.expanduser(env))
    return roots


def find_file(names: Sequence[str], folders: Iterable[str]) -> str | None:
    """The first existing ``folder/name`` (folders outer, names inner), or None."""
    for folder in folders:
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    return None


def calculate_md5(fpath: str, chunk_size: int = _CHUNK) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath: str, md5: str) -> bool:
    return md5 == calculate_md5(fpath)


def check_integrity(fpath: str, md5: str | None = None) -> bool:
    """The file exists and (if ``md5`` is given) has that md5 sum."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _urlopen(url: str):
    """Open ``url`` (tests replace this to serve files without a network)."""
    import urllib.request  # imported here: it is slow to import and rarely needed

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return urllib.request.urlopen(request, timeout=60)


def _chunks(response) -> Iterator[bytes]:
    while chunk := response.read(_CHUNK):
        yield chunk


def _save_response(url: str, fpath: str) -> None:
    """Stream ``url`` into ``fpath`` with a progress bar (via a .part file, so that an
    interrupted download never looks like a complete file)."""
    from tqdm.auto import tqdm

    partial = fpath + ".part"
    with _urlopen(url) as response:
        size = response.headers.get("Content-Length")
        with open(partial, "wb") as out, tqdm(total=int(size) if size else None, unit="B",
                                              unit_scale=True, unit_divisor=1024,
                                              desc=os.path.basename(fpath)) as bar:
            for chunk in _chunks(response):
                out.write(chunk)
                bar.update(len(chunk))
    os.replace(partial, fpath)


def download_url(url: str, root: str, filename: str | None = None,
                 md5: str | None = None) -> str:
    """Download ``url`` to ``root/filename`` unless a file with the right md5 is there.

    Raises RuntimeError if the downloaded file's md5 is not ``md5`` (and deletes it).
    """
    root = os.path.expanduser(root)
    fpath = os.path.join(root, filename or os.path.basename(url))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print(f"Using downloaded and verified file: {fpath}")
        return fpath
    print(f"Downloading {url} to {fpath}")
    _save_response(url, fpath)
    if md5 is not None:
        actual = calculate_md5(fpath)
        if actual != md5:
            os.remove(fpath)
            raise RuntimeError(f"Checksum mismatch for {os.path.basename(fpath)} downloaded "
                               f"from {url}: md5 is {actual}, expected {md5}. The download was "
                               "corrupted or the mirror serves a different file; the bad file "
                               "was deleted, try again (or fetch it by hand into the folder).")
    return fpath


def download_from_mirrors(mirrors: Sequence[str], filename: str, root: str,
                          md5: str | None = None) -> str:
    """Try each mirror (a URL prefix) in turn; raise RuntimeError if none works."""
    errors = []
    for mirror in mirrors:
        url = f"{mirror}{filename}"
        try:
            return download_url(url, root, filename, md5)
        except OSError as error:  # includes urllib's URLError and HTTPError
            print(f"Failed to download (trying next):\n{error}\n")
            errors.append(f"{url}: {error}")
    raise RuntimeError(f"Error downloading {filename}; tried:\n  " + "\n  ".join(errors))


def extract_gzip(from_path: str, to_path: str) -> None:
    """Decompress a .gz file."""
    with gzip.open(from_path, "rb") as src, open(to_path, "wb") as dst:
        shutil.copyfileobj(src, dst)


def download_and_extract_archive(url: str, download_root: str,
                                 extract_root: str | None = None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    """Download a .gz file and decompress it next to it (or into ``extract_root``)."""
    fpath = download_url(url, download_root, filename, md5)
    if fpath.endswith(".gz"):
        target = os.path.join(extract_root or download_root, os.path.basename(fpath)[:-3])
        extract_gzip(fpath, target)
        if remove_finished:
            os.remove(fpath)
