"""Locate neurobot's data files (launch, config, worlds, urdf, brains).

Three layouts are supported, tried in order:

1. A source checkout or editable install: ``neurobot/`` next to ``package.xml``; data
   is read from the checkout itself so edits take effect without reinstalling.
2. A colcon/ament install: ``share/neurobot`` found through the ament index
   (``AMENT_PREFIX_PATH``).
3. A pip install into a venv: ``<sys.prefix>/share/neurobot``.
"""

import os
from pathlib import Path
import sys

PACKAGE = 'neurobot'


def share_dir() -> Path:
    """Return the directory holding neurobot's launch/, config/, worlds/, urdf/ and brains/."""
    source = Path(__file__).resolve().parents[1]
    if (source / 'package.xml').is_file() and (source / 'config').is_dir():
        return source
    if os.environ.get('AMENT_PREFIX_PATH'):
        try:
            from ament_index_python.packages import get_package_share_directory
            return Path(get_package_share_directory(PACKAGE))
        except (ImportError, LookupError, ValueError):
            pass
    prefix_share = Path(sys.prefix) / 'share' / PACKAGE
    if prefix_share.is_dir():
        return prefix_share
    raise FileNotFoundError(
        f'cannot find the {PACKAGE} share directory: looked in the source tree {source}, '
        f'the ament index (AMENT_PREFIX_PATH) and {prefix_share}')


def share_path(*parts: str) -> Path:
    """Return the path of a data file below the share directory.

    E.g. ``share_path('config', 'x.yaml')``.
    """
    return share_dir().joinpath(*parts)
