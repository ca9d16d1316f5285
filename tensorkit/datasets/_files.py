"""Finding a tutorial data file under ``root`` or ``$TENSORKIT_DATA``, else downloading it."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..vision.datasets import utils


def locate(filename: str, subfolder: str, root, mirrors: Sequence[str], md5: str,
           download: bool) -> str:
    """The path of ``filename``, looked for in ``root/subfolder``, ``root``, then the same
    under ``$TENSORKIT_DATA``; downloaded into ``root/subfolder`` if missing."""
    folders = [f for r in utils.data_roots(root) for f in (os.path.join(r, subfolder), r)]
    found = utils.find_file([filename], folders)
    if found is not None:
        return found
    if not download:
        raise RuntimeError(f"{filename} not found in {folders or 'any folder'} (pass root= or "
                           f"set ${utils.DATA_ENV_VAR}). You can use download=True to "
                           "download it")
    target = os.path.join(root if root is not None else utils.default_download_root(),
                          subfolder)
    return utils.download_from_mirrors(mirrors, filename, os.path.expanduser(target), md5)
