"""Fault injection: SIGKILL and SIGSTOP of each node of a lockstep maze run, and of the launcher.

A killed node is named by the launcher at once; a stopped (hung) node is found by the
others' wall-clock lockstep timeout, which names it, not the participants waiting for
it. Either way every process stops, with one closing line and a non-zero status, and
no process or shared-memory segment of the run is left.
"""

import signal
import time

import pytest

from fault_run import SMALL_MAZE, Bringup, alive

pytestmark = [pytest.mark.node, pytest.mark.slow]

TIMEOUT_S = 5.0  # s, lockstep_timeout_s of these runs (a loaded machine: first rounds are slow)
NODES = ('world', 'brain', 'tf_node')


def lockstep_run(tmp_path, *extra):
    return Bringup(tmp_path, f'maze:={SMALL_MAZE}', 'episodes:=1000', 'monitoring:=false',
                   f'run_dir:={tmp_path / "run"}', f'lockstep_timeout_s:={TIMEOUT_S}', *extra)


def wait_until_running(bringup, tmp_path):
    """Until the first episode is written: every participant has done many rounds."""
    bringup.wait_for_nodes(NODES)
    assert bringup.wait_for(lambda: (tmp_path / 'run' / 'episodes.csv').exists(), 90), \
        bringup.output()[-3000:]


@pytest.mark.parametrize('node', NODES)
def test_a_killed_node_is_named_and_the_run_stops(ros_domain, tmp_path, node):
    bringup = lockstep_run(tmp_path)
    try:
        wait_until_running(bringup, tmp_path)
        bringup.signal_node(node, signal.SIGKILL)
        start = time.monotonic()
        code = bringup.wait(20)
        took = time.monotonic() - start
        output = bringup.output()
        assert code == 128 + signal.SIGKILL, output[-3000:]
        assert f'[launch] run stopped: {node} was killed by SIGKILL' in output, output[-3000:]
        assert took < 10.0, f'the run took {took:.1f} s to stop'
        bringup.assert_nothing_left()
    finally:
        bringup.close()


@pytest.mark.parametrize('node', NODES)
def test_a_hung_node_is_found_on_the_wall_clock_and_named(ros_domain, tmp_path, node):
    bringup = lockstep_run(tmp_path)
    try:
        wait_until_running(bringup, tmp_path)
        bringup.signal_node(node, signal.SIGSTOP)
        start = time.monotonic()
        code = bringup.wait(TIMEOUT_S + 25)
        took = time.monotonic() - start
        output = bringup.output()
        assert code == 3, output[-3000:]
        closing = [line for line in output.splitlines() if line.startswith('[launch] ')]
        assert len(closing) == 1, closing
        assert 'run stopped:' in closing[0] and f'no answer from {node} (it did not finish' \
            in closing[0], closing
        assert TIMEOUT_S <= took < TIMEOUT_S + 15.0, f'the run took {took:.1f} s to stop'
        bringup.assert_nothing_left()
    finally:
        bringup.close()


def test_a_killed_launcher_takes_its_nodes_with_it(ros_domain, tmp_path):
    bringup = lockstep_run(tmp_path)
    try:
        wait_until_running(bringup, tmp_path)
        nodes = bringup.nodes()
        bringup.process.send_signal(signal.SIGKILL)
        start = time.monotonic()
        assert bringup.wait(5) == -signal.SIGKILL
        assert bringup.wait_for(lambda: not any(alive(p) for p in nodes.values()), 10), \
            {name: alive(pid) for name, pid in nodes.items()}
        assert time.monotonic() - start < 5.0
        bringup.assert_nothing_left()
    finally:
        bringup.close()


def test_a_stopped_launcher_resumes_and_a_killed_stopped_one_leaves_nothing(ros_domain,
                                                                            tmp_path):
    bringup = lockstep_run(tmp_path)
    try:
        wait_until_running(bringup, tmp_path)
        rows = len((tmp_path / 'run' / 'episodes.csv').read_text().splitlines())
        bringup.process.send_signal(signal.SIGSTOP)  # Ctrl-Z: the nodes keep running
        time.sleep(2.0)
        bringup.process.send_signal(signal.SIGCONT)
        assert bringup.wait_for(
            lambda: len((tmp_path / 'run' / 'episodes.csv').read_text().splitlines()) > rows,
            30), 'training did not go on after the launcher was continued'
        assert bringup.process.poll() is None, bringup.output()[-3000:]
        bringup.process.send_signal(signal.SIGSTOP)
        bringup.process.send_signal(signal.SIGKILL)
        assert bringup.wait(5) == -signal.SIGKILL
        bringup.assert_nothing_left(timeout=10.0)
    finally:
        bringup.close()


def test_a_second_run_cannot_write_into_a_directory_a_live_run_holds(ros_domain, tmp_path):
    first = lockstep_run(tmp_path)
    second_dir = tmp_path / 'second'
    second_dir.mkdir()
    try:
        first.wait_for_nodes(NODES)
        second = Bringup(second_dir, f'maze:={SMALL_MAZE}', f'run_dir:={tmp_path / "run"}',
                         'resume:=true')
        try:
            assert second.wait(30) == 2, second.output()
            message = second.output().strip()
            assert f'run directory {tmp_path / "run"} is in use by a live run (pid {first.pid}' \
                in message, message
            assert '[tf_node]' not in message, 'the second run started nodes'
        finally:
            second.close()
        first.process.send_signal(signal.SIGINT)
        assert first.wait(15) == 0, first.output()[-3000:]
    finally:
        first.close()
