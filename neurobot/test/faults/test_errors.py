"""Fault injection: errors that repeat end the run, with one message and no damage.

A transfer function that raises on every call, a brain without the populations the
experiment needs, a run directory on a full (or read-only) file system: each run stops
by itself with a non-zero status and one closing line saying why, the log does not
repeat the same traceback, no episode row is duplicated or half-written, and the run
can be resumed once there is space again.
"""

import os
from pathlib import Path
import signal
import subprocess
import time

import pytest

from fault_run import NEUROBOT, SMALL_MAZE, Bringup, alive, mapped_segments
from experiments.maze.results import EPISODE_FIELDS, RunDirectory

pytestmark = [pytest.mark.node, pytest.mark.slow]

TEST_DIR = Path(__file__).resolve().parents[1]
RAISING_TF = '''
from neurobot_interfaces.msg import PopulationSpikes
from tf_nodes.api import Input, transfer_function


@transfer_function(inputs={'actions': Input('brain/actions/spikes', PopulationSpikes)})
def broken(actions):
    raise ValueError('broken on purpose')
'''


def closing_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith('[launch] ')]
    assert len(lines) == 1, lines
    return lines[0]


def maze_run(tmp_path, *extra, run_dir=None):
    return Bringup(tmp_path, f'maze:={SMALL_MAZE}', 'monitoring:=false',
                   f'run_dir:={run_dir or tmp_path / "run"}', *extra)


def test_a_transfer_function_failing_every_call_stops_the_run_with_its_error(ros_domain,
                                                                            tmp_path):
    tf_file = tmp_path / 'raising.py'
    tf_file.write_text(RAISING_TF)
    bringup = maze_run(tmp_path, f'transfer_functions:={tf_file}', 'episodes:=5',
                       'max_consecutive_failures:=4')
    try:
        code = bringup.wait(90)
        output = bringup.output()
        assert code == 4, output[-3000:]
        assert closing_line(output) == ('[launch] run stopped: tf_node: transfer function '
                                        'broken failed 4 times in a row '
                                        '(max_consecutive_failures); the run stops. Last error:')
        assert output.rstrip().endswith('ValueError: broken on purpose'), output[-2000:]
        # one full traceback in the log (and the last one quoted when stopping); repeats
        # are one line each
        assert output.count('Traceback (most recent call last)') <= 3, output
        assert output.count('broken raised again') == 3
        bringup.assert_nothing_left()
    finally:
        bringup.close()


def test_a_brain_without_the_needed_populations_stops_at_start_naming_them(ros_domain,
                                                                          tmp_path):
    brain = TEST_DIR / 'brains' / 'deterministic_brain.py'
    bringup = maze_run(tmp_path, f'brain:={brain}', 'episodes:=5')
    try:
        code = bringup.wait(90)
        took = time.monotonic() - bringup.started
        output = bringup.output()
        assert code == 4, output[-3000:]
        line = closing_line(output)
        assert f'the brain {brain} lacks what the transfer functions need' in line, line
        for missing in ("population 'actions'", "population 'places'", "population 'noise'",
                        "projection 'places_to_actions'"):
            assert missing in line, line
        assert 'It has populations stimulus, neurons, drive' in line, line
        assert took < 60.0
        bringup.assert_nothing_left()
    finally:
        bringup.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (the test runs as root), unmounted afterwards."""
    mount_point = tmp_path / 'disk'
    mount_point.mkdir()
    result = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f'cannot mount a small tmpfs here ({result.stderr.strip() or "not root"}); '
                    f'the full-disk case needs one')
    yield mount_point
    subprocess.run(['umount', '-l', str(mount_point)], check=False)


def fill(directory: Path) -> Path:
    """Take every free byte of ``directory``'s file system; return the filler file."""
    filler = directory / 'filler'
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b'\0' * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_stops_the_run_once_without_duplicate_rows_and_it_resumes(
        ros_domain, tmp_path, small_disk):
    run = RunDirectory(small_disk / 'run')
    bringup = maze_run(tmp_path, 'episodes:=200', run_dir=run.path)
    try:
        bringup.wait_for_nodes(['world', 'brain', 'tf_node'])
        assert bringup.wait_for(lambda: len(run.read_episodes()) >= 2, 90), \
            bringup.output()[-3000:]
        filler = fill(small_disk)
        filled = time.monotonic()
        code = bringup.wait(60)
        took = time.monotonic() - filled
        output = bringup.output()
        assert code == 4, output[-3000:]
        line = closing_line(output)
        assert 'transfer function maze_experiment cannot write its files' in line, line
        assert 'No space left on device' in line and 'then resume' in line, line
        assert output.count('No space left on device') <= 4, 'the error repeats in the log'
        assert took < 60.0
        bringup.assert_nothing_left()
    finally:
        bringup.close()
    rows = run.read_episodes()
    assert [int(r['episode']) for r in rows] == list(range(len(rows))), 'duplicate rows'
    assert all(None not in r.values() and len(r) == len(EPISODE_FIELDS) for r in rows), \
        'a half-written row'
    episodes_done = run.load_checkpoint()[0]
    assert episodes_done in (len(rows), len(rows) - 1)

    filler.unlink()  # space again: the run resumes after its checkpoint
    (tmp_path / 'resume').mkdir()
    resumed = maze_run(tmp_path / 'resume', 'resume:=true', f'episodes:={episodes_done + 2}',
                       run_dir=run.path)
    try:
        assert resumed.wait(120) == 0, resumed.output()[-3000:]
    finally:
        resumed.close()
    rows = run.read_episodes()
    assert [int(r['episode']) for r in rows] == list(range(episodes_done + 2))


def test_a_read_only_run_directory_is_refused_at_the_door(tmp_path, small_disk):
    subprocess.run(['mount', '-o', 'remount,ro', str(small_disk)], check=True)
    result = subprocess.run([str(NEUROBOT), 'launch', 'maze',
                             f'run_dir:={small_disk / "run"}'], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result
    assert result.stderr.strip() == (f'neurobot launch maze: run_dir {small_disk / "run"}: '
                                     f'Read-only file system'), result.stderr
    assert result.stdout == ''


def test_ctrl_c_ends_a_tf_node_blocked_in_a_service_call_within_5_s(ros_domain, tmp_path):
    from std_msgs.msg import Int64

    from ros_helpers import NodeProcess, RosClient
    tf_file = tmp_path / 'calls_world.py'
    tf_file.write_text('''
from std_msgs.msg import Int64
from tf_nodes.api import Input, transfer_function


@transfer_function(inputs={'go': Input('go', Int64)})
def call_a_world_that_is_gone(go, world, log):
    log.info('calling reset_world')
    world.reset()
''')
    client = RosClient(ros_domain)
    publisher = client.node.create_publisher(Int64, 'go', 10)
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{tf_file}]', log_dir=tmp_path)
    try:
        assert client.spin_until(lambda: publisher.get_subscription_count() > 0, 30), tf.output()
        publisher.publish(Int64(data=1))
        assert client.spin_until(lambda: 'calling reset_world' in tf.output(), 30), tf.output()
        segments = mapped_segments(tf.process.pid)
        client.spin_for(0.5)  # blocked in the call now
        start = time.monotonic()
        tf.process.send_signal(signal.SIGINT)
        code = tf.wait(10)
        assert time.monotonic() - start < 5.0
        assert code == 0, tf.output()
        assert not alive(tf.process.pid)
    finally:
        tf.stop()
        client.close()
    time.sleep(0.5)
    left = {s for s in segments if os.path.exists(f'/dev/shm/{s}')}
    assert not left, f'segments left: {left}'
