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
from neurobot.launcher import STOP_GRACE_S

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
        # 'no answer from brain (it did not finish round 49 ...' or, when tf_node was
        # calling a service of the hung node, '... (its service did not answer ...'
        assert 'run stopped:' in closing[0] and f'no answer from {node} (' in closing[0], \
            closing
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
        bringup.assert_nothing_left(launcher_killed=True)
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
        bringup.assert_nothing_left(timeout=10.0, launcher_killed=True)
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


def test_neurobot_maze_reports_a_killed_node_by_its_signal(ros_domain, tmp_path):
    run_dir = tmp_path / 'run'
    bringup = Bringup(tmp_path, '--episodes', '1000', '--run-dir', str(run_dir),
                      f'maze:={SMALL_MAZE}', 'monitoring:=false', command='maze',
                      node_log=run_dir / 'logs' / 'launch.log')
    try:
        wait_until_running(bringup, tmp_path)
        bringup.signal_node('tf_node', signal.SIGKILL)
        code = bringup.wait(30)
        output = bringup.output()
        assert code == 128 + signal.SIGKILL, output[-3000:]
        assert 'training failed (exit 137)' in output
        assert output.rstrip().endswith('training stopped: tf_node was killed by SIGKILL'), \
            output[-2000:]
        assert 'Traceback' not in output
        bringup.assert_nothing_left()
    finally:
        bringup.close()


def test_a_killed_recorder_leaves_a_file_the_streaming_mcap_reader_reads(ros_domain, tmp_path):
    """The run goes on without its recorder, and its file reads up to the last flush.

    The file has no summary, so mcap's seeking reader refuses it. The standard reader
    call that reads it is ``NonSeekingReader(stream).iter_messages(log_time_order=False)``:
    every message up to the recorder's last flush (at most ~1 s before the kill), then
    ``mcap.exceptions.EndOfFile`` where the file was cut (with the default
    ``log_time_order=True`` it raises before yielding anything).
    """
    from mcap.exceptions import EndOfFile
    from mcap.reader import NonSeekingReader, SeekingReader
    recording = tmp_path / 'run' / 'recording.mcap'
    bringup = lockstep_run(tmp_path, 'record:=true', 'record_topics:=/clock,/odom')
    try:
        wait_until_running(bringup, tmp_path)
        time.sleep(1.5)  # past the recorder's first flush of data
        bringup.signal_node('mcap_recorder', signal.SIGKILL)
        assert bringup.wait_for_text('[mcap_recorder] was killed by SIGKILL', 10) or \
            not alive(bringup.nodes()['mcap_recorder'])
        assert bringup.process.poll() is None, 'the recorder is not required: the run goes on'
        bringup.process.send_signal(signal.SIGINT)
        assert bringup.wait(15) == 0, bringup.output()[-3000:]
        bringup.assert_nothing_left()
    finally:
        bringup.close()
    with open(recording, 'rb') as stream:
        with pytest.raises(Exception):
            SeekingReader(stream).get_summary()
    with open(recording, 'rb') as stream:
        topics = {}
        try:
            for _, channel, _ in NonSeekingReader(stream).iter_messages(log_time_order=False):
                topics[channel.topic] = topics.get(channel.topic, 0) + 1
        except EndOfFile:
            pass  # the cut: everything before it was read
    assert topics.get('/clock', 0) > 10 and topics.get('/odom', 0) > 10, topics


def test_ctrl_c_while_a_node_hangs_ends_every_process_within_5_s(ros_domain, tmp_path):
    """Ctrl-C ends everything within 5 s even while a node hangs.

    The brain is stopped, so tf_node soon sits in a call to reset_brain; every process
    still exits within 5 s, leaving no shared memory.
    """
    bringup = lockstep_run(tmp_path)
    try:
        wait_until_running(bringup, tmp_path)
        bringup.signal_node('brain', signal.SIGSTOP)
        time.sleep(1.0)  # less than the lockstep timeout: nobody has given up yet
        bringup.process.send_signal(signal.SIGINT)
        start = time.monotonic()
        # longer than the launcher's own grace: a node that does not stop is then named
        # in its output ('did not stop within'), and a hung teardown shows its stack
        code = bringup.wait(STOP_GRACE_S + 5)
        took = time.monotonic() - start
        assert code == 0, bringup.output()[-3000:]
        assert took < 5.0, f'Ctrl-C took {took:.1f} s'
        assert 'did not stop within' not in bringup.output()
        bringup.assert_nothing_left()
    finally:
        bringup.close()
