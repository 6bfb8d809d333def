"""Who owns a run: node processes die with their launcher, one live run per run directory.

ROS-free. Two guarantees for ``neurobot launch`` and ``neurobot maze``:

- a node started by the launcher exits when the launcher dies, however it dies: the
  kernel sends it SIGTERM when its parent exits (Linux ``PR_SET_PDEATHSIG``, set between
  fork and exec by :func:`child_preexec`), and the node's spin loop also checks that its
  parent is still the launcher named in ``NEUROBOT_LAUNCHER_PID`` (:func:`launcher_gone`),
  which covers systems without ``prctl``;
- a run directory is held by one live run: :class:`RunLock` takes an exclusive
  ``flock`` on ``<run_dir>/.lock`` and writes the owner's pid, host and start time into
  it. The kernel drops the lock when the owner dies, so a stale lock file (from a
  killed run) is simply taken over; a live owner is named in the error.
"""

import ctypes
import fcntl
import json
import os
from pathlib import Path
import signal
import socket
import sys
import time

LAUNCHER_PID_ENV = 'NEUROBOT_LAUNCHER_PID'
PR_SET_PDEATHSIG = 1  # linux/prctl.h
LOCK_NAME = '.lock'


def child_preexec():
    """Popen ``preexec_fn`` of a node: SIGTERM when the parent (the launcher) exits.

    Runs in the child between fork and exec; the parent-death signal survives exec.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: launcher_gone() in the node's spin loop is the only guard
    expected = os.environ.get(LAUNCHER_PID_ENV)
    if expected and os.getppid() != int(expected):  # the launcher died before prctl
        os.kill(os.getpid(), signal.SIGTERM)


def launcher_gone() -> bool:
    """True when this process was started by a launcher that no longer is its parent."""
    expected = os.environ.get(LAUNCHER_PID_ENV)
    return bool(expected) and os.getppid() != int(expected)


def silence_if_orphaned():
    """Point stdout and stderr at /dev/null when the launcher (their reader) is gone.

    The launcher reads the nodes' output from a pipe; once it is dead, every write raises
    BrokenPipeError, which would abort the node's shutdown half-way (leaving its shared
    memory behind).
    """
    if not launcher_gone():
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


class RunDirectoryBusy(RuntimeError):
    """Another live run holds the run directory."""


class RunLock:
    """An exclusive hold on a run directory for the life of this process.

    Args:
        directory: the run directory (created if missing).

    Raises:
        RunDirectoryBusy: a live run holds it (the message names its pid, host and start).
        OSError: the directory cannot be created or the lock file written.
    """

    def __init__(self, directory):
        self.path = Path(directory) / LOCK_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.stale_owner = None  # the owner a stale lock file named, if any
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = self._read_owner()
            os.close(self._fd)
            self._fd = None
            raise RunDirectoryBusy(
                f'run directory {self.path.parent} is in use by a live run ({describe(owner)}); '
                f'stop that run or choose another run_dir') from None
        self.stale_owner = self._read_owner() or None
        me = {'pid': os.getpid(), 'host': socket.gethostname(),
              'started': time.strftime('%Y-%m-%d %H:%M:%S'), 'command': ' '.join(sys.argv)}
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, (json.dumps(me) + '\n').encode(), 0)

    def _read_owner(self) -> dict:
        try:
            return json.loads(os.pread(self._fd, 4096, 0).decode() or '{}')
        except (OSError, ValueError):
            return {}

    def release(self):
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def describe(owner: dict) -> str:
    if not owner:
        return 'owner unknown'
    return (f"pid {owner.get('pid', '?')} on {owner.get('host', '?')}, started "
            f"{owner.get('started', '?')}: {owner.get('command', '')}").rstrip(': ')
