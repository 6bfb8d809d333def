"""Start a bring-up's nodes as processes where ROS 2's launch tools are not installed.

Each :class:`neurobot.bringup.NodeSpec` becomes one process of the package's console
script, with its parameters in a params file (``--params-file``), its remaps and log
level as ``--ros-args``. Output lines are prefixed with the node name, as ``ros2 launch``
does. Ctrl-C (SIGINT) or SIGTERM stops every process cleanly; when a *required* node
exits, the others are stopped too and the launcher exits with that node's status (128 +
the signal number when a signal killed it, as shells do), after one line saying why:
``[launch] run stopped: ...`` quotes the node's own ``<executable>: error: ...`` message
(e.g. which lockstep participant did not finish its round) or names the signal.

The nodes die with the launcher (see :mod:`neurobot.ownership`), and shared memory of
nodes that could not clean up (killed) is removed when the run ends.
"""

import os
from pathlib import Path
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time

import yaml

from neurobot.lockstep_participant import ERROR_MARK, LOCKSTEP_FAILED_EXIT
from neurobot.ownership import LAUNCHER_PID_ENV, child_preexec

STOP_GRACE_S = 10.0  # s a node gets to exit after SIGINT before it is killed
ERROR_LINES_MAX = 40  # lines of a node's error message kept for the closing summary
LOCKSTEP_SETTLE_S = 1.5  # s the others get to report after a first lockstep timeout
BLAMED = re.compile(r'no answer from ([\w, ]+?) \(')  # participants a timeout names


def exit_status(returncode: int) -> int:
    """A process's status as a shell reports it: 128 + N when signal N killed it."""
    return 128 - returncode if returncode < 0 else returncode


def describe_exit(returncode: int) -> str:
    """'exited with code 3' or 'was killed by SIGKILL'."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f'signal {-returncode}'
        return f'was killed by {name}'
    return f'exited with code {returncode}'


def executable_path(name: str) -> str:
    """Find a console script next to this Python (a venv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return name


def ros_arguments(spec, params_file: str, log_level: str = None) -> list:
    """The command line of one node."""
    command = [executable_path(spec.executable), '--ros-args', '-r', f'__node:={spec.name}']
    if getattr(spec, 'namespace', ''):
        command += ['-r', f'__ns:=/{spec.namespace}']
    command += ['--params-file', params_file]
    for source, target in spec.remappings:
        command += ['-r', f'{source}:={target}']
    if log_level:
        command += ['--log-level', log_level]
    return command


def write_params_file(spec, directory: str) -> str:
    """Write the node's parameters as a ROS 2 params YAML file; return its path."""
    namespace = getattr(spec, 'namespace', '')
    # a namespaced node reads the entry of its fully qualified name
    key = f'/{namespace}/{spec.name}' if namespace else spec.name
    path = Path(directory) / f'{key.strip("/").replace("/", ".")}.params.yaml'
    path.write_text(yaml.safe_dump({key: {'ros__parameters': spec.parameters}},
                                   sort_keys=True))
    return str(path)


class Launcher:
    """Runs NodeSpecs as supervised processes.

    Args:
        specs: the nodes to start, in order.
        log_level: ROS log level for every node.
        out: where prefixed output goes (default: stdout).
    """

    def __init__(self, specs, log_level='info', out=None):
        self.specs = list(specs)
        self.log_level = log_level
        self.out = out or sys.stdout
        self.processes = {}
        self._selector = selectors.DefaultSelector()
        self._buffers = {}
        self._stopping = False
        self.failure = None  # (node name, exit code) of the required node that ended the run
        self.reason = None  # why the run stopped, as printed in the closing line
        self._errors = {}  # node name -> lines of its last 'error:' message
        self._in_error = set()  # nodes whose error message is still being printed

    def start(self):
        from neurobot.shm_cleanup import remove_orphaned_segments
        remove_orphaned_segments()  # shared memory of nodes killed in earlier runs
        self._tmp = tempfile.TemporaryDirectory(prefix='neurobot-launch-')
        for spec in self.specs:
            command = ros_arguments(spec, write_params_file(spec, self._tmp.name), self.log_level)
            env = dict(os.environ, PYTHONUNBUFFERED='1', **spec.env)
            env[LAUNCHER_PID_ENV] = str(os.getpid())
            # own session: a terminal's Ctrl-C reaches the launcher only, which stops the
            # nodes in order; child_preexec: the nodes die with the launcher
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       env=env, start_new_session=True,
                                       preexec_fn=child_preexec)
            self.processes[spec.full_name] = process
            os.set_blocking(process.stdout.fileno(), False)
            self._selector.register(process.stdout, selectors.EVENT_READ, spec.full_name)
            self._buffers[spec.full_name] = b''
            self._print(spec.full_name,
                        f'started (pid {process.pid}): {" ".join(command[1:3])} ...')

    def _print(self, name, line):
        self.out.write(f'[{name}] {line}\n')
        self.out.flush()

    def _pump(self, timeout):
        for key, _ in self._selector.select(timeout):
            name = key.data
            try:
                chunk = key.fileobj.read()
            except (OSError, ValueError):
                chunk = b''
            if not chunk:
                self._selector.unregister(key.fileobj)
                continue
            data = self._buffers[name] + chunk
            *lines, self._buffers[name] = data.split(b'\n')
            for line in lines:
                text = line.decode(errors='replace')
                self._note_error(name, text)
                self._print(name, text)

    def _note_error(self, name, text):
        """Keep a node's '<executable>: error: ...' message (with its continuation lines)."""
        executable = Path(self._executable(name)).name
        if text.startswith(f'{executable}: {ERROR_MARK}'):
            self._errors[name] = [text[len(executable) + 2 + len(ERROR_MARK):]]
            self._in_error.add(name)
        elif name in self._in_error:
            if text.startswith(f'{executable}: ') or text.startswith('['):
                self._in_error.discard(name)
            elif len(self._errors[name]) < ERROR_LINES_MAX:
                self._errors[name].append(text)

    def _executable(self, name):
        return next(spec.executable for spec in self.specs if spec.full_name == name)

    def run(self) -> int:
        """Supervise until a required node exits or a signal arrives; return an exit code."""
        handlers = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT,
                                                                         signal.SIGTERM)}
        settle_until = None
        exited = []  # node names in the order their exit was seen
        try:
            self.start()
            while not self._stopping:
                self._pump(0.2)
                for spec in self.specs:
                    code = self.processes[spec.full_name].poll()
                    if code is None or spec.full_name in exited:
                        continue
                    exited.append(spec.full_name)
                    if spec.required and self.failure is None:
                        self._print(spec.full_name,
                                    f'{describe_exit(code)}; stopping the others')
                        self.failure = (spec.full_name, code)
                        if code == LOCKSTEP_FAILED_EXIT:
                            # the other participants time out about now too: hear them
                            # before choosing whom to blame
                            settle_until = time.monotonic() + LOCKSTEP_SETTLE_S
                        else:
                            self._stopping = True
                if settle_until is not None and time.monotonic() > settle_until:
                    self._stopping = True
            # who reported a lockstep timeout, before stop() continues stopped nodes (a
            # hung node that is continued would time out too, and blame the wrong one)
            reporters = [n for n in exited
                         if self.processes[n].returncode == LOCKSTEP_FAILED_EXIT]
            self.stop()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        if self.failure is None:
            return 0
        name, code = self.failure
        if code != 0:
            self._pump(0.0)
            if code == LOCKSTEP_FAILED_EXIT:
                name = self._blame(reporters, name)
            error = self._errors.get(name)
            self.reason = (f'{name}: ' + '\n'.join(error) if error
                           else f'{name} {describe_exit(code)}')
            self._print('launch', f'run stopped: {self.reason}')
        return exit_status(code)

    def _blame(self, reporters, first):
        """The reporter whose timeout names a participant that did not time out itself.

        That participant hung or died; those that reported were alive and waiting.
        """
        for name in reporters:
            named = set()
            for group in BLAMED.findall(' '.join(self._errors.get(name, []))):
                named.update(n.strip() for n in group.split(','))
            if named and not named <= set(reporters):
                return name
        return first

    def _on_signal(self, signum, frame):
        self._stopping = True

    def stop(self):
        """SIGINT every running node, wait, kill stragglers, flush their output."""
        for name, process in self.processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.send_signal(signal.SIGCONT)  # a stopped node handles it, then exits
        deadline = time.monotonic() + STOP_GRACE_S
        while time.monotonic() < deadline and any(p.poll() is None
                                                  for p in self.processes.values()):
            self._pump(0.1)
        for name, process in self.processes.items():
            if process.poll() is None:
                self._print(name, f'did not stop within {STOP_GRACE_S:g} s; killed')
                process.kill()
                process.wait(5)
        self._pump(0.1)
        for name, process in self.processes.items():
            if process.returncode not in (0, -signal.SIGINT, None):
                self._print(name, describe_exit(process.returncode))
        self._tmp.cleanup()
        from neurobot.shm_cleanup import remove_orphaned_segments
        remove_orphaned_segments()  # those of nodes that were killed
