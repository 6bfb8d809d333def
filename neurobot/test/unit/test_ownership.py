"""Unit tests of run ownership: nodes die with their launcher, one live run per directory."""

import json
import os
from pathlib import Path
import subprocess
import sys
import time

import pytest

from neurobot.ownership import LOCK_NAME, RunDirectoryBusy, RunLock

HOLDER = '''
import sys, time
from neurobot.ownership import RunLock
lock = RunLock(sys.argv[1])
print('held', flush=True)
time.sleep(60)
'''


def test_a_live_run_holds_its_directory_and_is_named(tmp_path):
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(RunDirectoryBusy, match=f'in use by a live run \\(pid {holder.pid} '
                                                   f'on {os.uname().nodename}'):
            RunLock(tmp_path)
    finally:
        holder.kill()
        holder.wait(5)
    with RunLock(tmp_path) as lock:  # the holder died: its lock is stale and taken over
        assert lock.stale_owner['pid'] == holder.pid
        owner = json.loads((tmp_path / LOCK_NAME).read_text())
        assert owner['pid'] == os.getpid()


def test_a_lock_file_without_a_live_holder_is_taken_over(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({'pid': 999999, 'host': 'elsewhere'}))
    lock = RunLock(tmp_path)
    assert lock.stale_owner == {'pid': 999999, 'host': 'elsewhere'}
    lock.release()
    assert (tmp_path / LOCK_NAME).read_text() == ''


PARENT = '''
import os, subprocess, sys, time
from neurobot.ownership import LAUNCHER_PID_ENV, child_preexec
env = dict(os.environ, **{LAUNCHER_PID_ENV: str(os.getpid())})
child = subprocess.Popen([sys.executable, '-c', sys.argv[1]], env=env, preexec_fn=child_preexec,
                         start_new_session=True)
print(child.pid, flush=True)
time.sleep(60)
'''
CHILD = '''
import time
time.sleep(60)  # SIGTERM's default action ends it
'''


def _gone(pid) -> bool:
    try:
        return Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def test_a_node_gets_sigterm_when_its_launcher_is_killed():
    parent = subprocess.Popen([sys.executable, '-c', PARENT, CHILD], stdout=subprocess.PIPE,
                              text=True)
    child_pid = int(parent.stdout.readline())
    time.sleep(0.3)  # the child is running its own code
    parent.kill()
    parent.wait(5)
    end = time.monotonic() + 5.0
    while time.monotonic() < end and not _gone(child_pid):
        time.sleep(0.05)
    gone = _gone(child_pid)
    if not gone:
        os.kill(child_pid, 9)
    assert gone, 'the node outlived its launcher'
