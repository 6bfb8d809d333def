"""A `neurobot launch maze` bring-up under test, for the fault-injection tests.

:class:`Bringup` starts the launcher as its own process group, follows its output
(``[node] started (pid N)`` lines name the node processes), offers the pids of the
launcher and each node for signals, and checks after the run that nothing is left: no
process of the run and none of the Fast DDS shared-memory segments its nodes mapped.
"""

import os
from pathlib import Path
import re
import signal
import subprocess
import sys
import time

from neurobot.paths import share_path

NEUROBOT = Path(sys.executable).with_name('neurobot')
SMALL_MAZE = share_path('experiments', 'maze', 'mazes', 'small.yaml')
STARTED = re.compile(r'^\[(?P<name>[\w]+)\] started \(pid (?P<pid>\d+)\)', re.M)
SEGMENT = re.compile(r'/dev/shm/(fastdds_[0-9a-f]{16})\b')


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie or a reused pid of another program counts as gone)."""
    try:
        stat = Path(f'/proc/{pid}/stat').read_text()
    except OSError:
        return False
    return stat.rsplit(')', 1)[1].split()[0] != 'Z'


def mapped_segments(pid: int) -> set:
    """Fast DDS segments a process has mapped (its own and its peers')."""
    try:
        return set(SEGMENT.findall(Path(f'/proc/{pid}/maps').read_text()))
    except OSError:
        return set()


class Bringup:
    """``neurobot launch maze`` with the given ``name:=value`` arguments.

    Args:
        tmp_path: directory of the log (and the default run directory).
        arguments: launch arguments, e.g. ``episodes:=2``.
        command: 'launch' (neurobot launch maze) or 'maze' (neurobot maze).
        node_log: where the launcher writes the nodes' output (neurobot maze: the run's
            logs/launch.log); default: its own output.
    """

    def __init__(self, tmp_path, *arguments, command='launch', env=None, node_log=None):
        self.log_path = Path(tmp_path) / 'bringup.log'
        self.node_log = Path(node_log) if node_log else None
        self._log = open(self.log_path, 'w')
        argv = [str(NEUROBOT), 'launch', 'maze'] if command == 'launch' else \
            [str(NEUROBOT), 'maze']
        self.process = subprocess.Popen(
            [*argv, *arguments, 'learner:=rstdp'], stdout=self._log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})), start_new_session=True)
        self.segments = set()
        self.started = time.monotonic()
        self.ended = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors='replace')

    def node_output(self) -> str:
        if self.node_log is None:
            return self.output()
        try:
            return self.node_log.read_text(errors='replace')
        except OSError:
            return ''

    def nodes(self) -> dict:
        """Node name -> pid, from the launcher's 'started' lines."""
        return {m['name']: int(m['pid']) for m in STARTED.finditer(self.node_output())}

    def wait_for(self, predicate, timeout: float, step: float = 0.1) -> bool:
        """Poll ``predicate()`` (noting the nodes' shared memory) until true or timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._note_segments()
            if predicate():
                return True
            time.sleep(step)
        return predicate()

    def wait_for_text(self, text: str, timeout: float) -> bool:
        return self.wait_for(lambda: text in self.output(), timeout)

    def wait_for_nodes(self, names, timeout: float = 60.0) -> dict:
        assert self.wait_for(lambda: set(names) <= set(self.nodes()), timeout), self.output()
        return self.nodes()

    def _note_segments(self):
        for pid in self.nodes().values():
            self.segments |= mapped_segments(pid)

    def wait(self, timeout: float) -> int:
        """Wait for the launcher to exit; return its exit code (None if it did not)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.process.poll() is None:
            self._note_segments()
            time.sleep(0.05)
        if self.process.poll() is not None and self.ended is None:
            self.ended = time.monotonic()
        return self.process.poll()

    def signal_node(self, name: str, signum):
        os.kill(self.nodes()[name], signum)

    def leftovers(self, timeout: float = 5.0) -> tuple:
        """What the run left: (pids still alive, its nodes' segments still in /dev/shm).

        Waits up to ``timeout`` s for them to go.
        """
        pids = [self.pid, *self.nodes().values()]
        end = time.monotonic() + timeout
        while True:
            running = [p for p in pids if alive(p)]
            shm = sorted(s for s in self.segments if Path('/dev/shm', s).exists())
            if (not running and not shm) or time.monotonic() > end:
                return running, shm
            time.sleep(0.1)

    def close(self):
        """Kill whatever is left (a failing test must not leak processes)."""
        for pid in [*self.nodes().values(), self.pid]:
            if alive(pid):
                try:
                    os.kill(pid, signal.SIGCONT)
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()

    def assert_nothing_left(self, timeout: float = 5.0, launcher_killed: bool = False):
        """No process of the run is alive and none of its segments is left.

        With ``launcher_killed``, a segment may remain: the launcher frees the memory of
        nodes that left uncleanly, and a killed one cannot (in about a third of the runs
        here one node's segment stays; a known defect). Then every segment left must be
        an orphan - no live process holds it - that the next launcher start frees
        (neurobot.shm_cleanup, which every start runs).
        """
        running, shm = self.leftovers(timeout)
        assert not running, f'processes of the run still alive: {running}\n{self.output()[-3000:]}'
        if launcher_killed and shm:
            from neurobot.shm_cleanup import remove_orphaned_segments
            remove_orphaned_segments()
            shm = sorted(s for s in shm if Path('/dev/shm', s).exists())
        assert not shm, f'shared-memory segments left in /dev/shm: {shm}'
