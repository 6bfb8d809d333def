"""Remove Fast DDS shared-memory segments left behind by killed processes.

Every Fast DDS participant maps a segment (16 MiB with our profile) as
``/dev/shm/fastdds_<id>`` and holds an exclusive lock on ``fastdds_<id>_el`` while it
lives. A process killed with SIGKILL (or one that aborts) cannot remove its segment, so
the memory stays taken until someone does. A segment whose lock file can be locked has
no owner any more and is removed here; segments of live participants are left alone.
Port files are small and reused by Fast DDS, so they are not touched.
"""

import fcntl
import logging
import os
from pathlib import Path
import re

SHM_DIR = Path('/dev/shm')
SEGMENT = re.compile(r'^fastdds_[0-9a-f]{16}$')
_log = logging.getLogger(__name__)


def remove_orphaned_segments(directory: Path = SHM_DIR) -> tuple:
    """Remove segments whose owner is gone; return (segments removed, bytes freed)."""
    removed, freed = 0, 0
    directory = Path(directory)
    if not directory.is_dir():
        return 0, 0
    for segment in directory.iterdir():
        if not SEGMENT.match(segment.name):
            continue
        lock_path = segment.with_name(segment.name + '_el')
        try:
            handle = os.open(lock_path, os.O_RDWR)
        except FileNotFoundError:
            continue  # no lock file: not a segment we understand, leave it
        except OSError:
            continue
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # locked: a live participant owns it
            try:
                size = segment.stat().st_size
                segment.unlink()
                lock_path.unlink()
                removed += 1
                freed += size
            except FileNotFoundError:
                pass
        finally:
            os.close(handle)
    if removed:
        _log.info('removed %d orphaned Fast DDS segments (%.0f MiB)', removed, freed / 2**20)
    return removed, freed
