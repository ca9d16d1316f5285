"""Fetch every dataset the lessons use, ahead of time: ``python -m tensorkit.datasets``.

Handy before going offline, and used by Binder's ``postBuild`` so lessons start at once.
Files already present (under ``--root`` or ``$TENSORKIT_DATA``) are checked, not fetched.
"""

from __future__ import annotations

import argparse
import os

from ..vision import datasets as vision_datasets
from ..vision.datasets import utils
from .diabetes import diabetes_path
from .surnames import load_surnames


def fetch_all(root: str) -> list[str]:
    """Find or download MNIST, the diabetes table and the surnames into ``root``."""
    done = []
    for train in (True, False):
        vision_datasets.MNIST(root, train=train, download=True)
    done.append("MNIST")
    diabetes_path(root)
    done.append("diabetes")
    for split in ("train", "test"):
        load_surnames(root, split=split)
    done.append("surnames")
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get(utils.DATA_ENV_VAR)
                        or utils.default_download_root(),
                        help="folder for the files (default: $TENSORKIT_DATA, else "
                             "~/.cache/tensorkit/data)")
    args = parser.parse_args(argv)
    done = fetch_all(os.path.expanduser(args.root))
    print(f"ready in {args.root}: {', '.join(done)}")


if __name__ == "__main__":
    main()
