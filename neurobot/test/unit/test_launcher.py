"""Unit tests of the process launcher behind `neurobot launch`.

The supervision tests start two tiny fake console scripts (plain Python, no ROS): a
required worker that prints and exits, and a sleeper that runs until SIGINT.
"""

import io
from pathlib import Path
import signal
import sys
import textwrap

import pytest
import yaml

from neurobot import bringup, experiment
from neurobot.bringup import NodeSpec
from neurobot.launcher import Launcher, executable_path, ros_arguments, write_params_file


# ---------------------------------------------------------------------- command lines

def test_ros_arguments_name_the_node_and_pass_params_remaps_and_log_level():
    spec = NodeSpec('brain', 'brain_node', remappings=[('cmd_vel', '/robot/cmd_vel'),
                                                        ('odom', '/robot/odom')])
    command = ros_arguments(spec, '/tmp/brain.params.yaml', log_level='debug')
    assert Path(command[0]).name == 'brain_node'
    assert command[1] == '--ros-args'
    ros_args = command[2:]
    pairs = list(zip(ros_args, ros_args[1:]))
    assert ('-r', '__node:=brain') in pairs
    assert ('--params-file', '/tmp/brain.params.yaml') in pairs
    assert ('-r', 'cmd_vel:=/robot/cmd_vel') in pairs and ('-r', 'odom:=/robot/odom') in pairs
    assert ('--log-level', 'debug') in pairs
    assert '--log-level' not in ros_arguments(spec, '/tmp/p.yaml', log_level=None)


def test_executable_path_prefers_the_script_beside_python_and_takes_absolute_paths(tmp_path):
    python_dir = Path(sys.executable).parent
    beside = next(p for p in sorted(python_dir.iterdir()) if p.is_file())
    assert executable_path(beside.name) == str(beside)
    script = tmp_path / 'my_node'
    script.write_text('#!/bin/sh\n')
    assert executable_path(str(script)) == str(script)
    assert executable_path('no_such_console_script_xyz') == 'no_such_console_script_xyz'  # PATH


def test_params_file_is_a_ros2_params_yaml(tmp_path):
    parameters = {'brain': '/x/brain.py', 'step_ms': 200.0, 'seed': 1, 'lockstep': True,
                  'lockstep_transfer': ['tf_node', 'tf_node_2'], 'mode': 'train'}
    path = write_params_file(NodeSpec('brain', 'brain_node', parameters=parameters), tmp_path)
    assert Path(path).parent == tmp_path and Path(path).name == 'brain.params.yaml'
    loaded = yaml.safe_load(Path(path).read_text())
    assert loaded == {'brain': {'ros__parameters': parameters}}
    assert isinstance(loaded['brain']['ros__parameters']['seed'], int)
    assert isinstance(loaded['brain']['ros__parameters']['step_ms'], float)


def test_every_node_of_the_maze_bringup_survives_its_params_file(tmp_path):
    (tmp_path / 'a.py').write_text('')
    (tmp_path / 'b.py').write_text('')
    files = f'{tmp_path / "a.py"},{tmp_path / "b.py"}'
    for spec in bringup.nodes(experiment.get('maze'), {'transfer_functions': files}):
        loaded = yaml.safe_load(Path(write_params_file(spec, tmp_path)).read_text())
        assert loaded == {spec.name: {'ros__parameters': spec.parameters}}


# ---------------------------------------------------------------------- supervision

WORKER = '''\
    import os, pathlib, sys, time
    args = sys.argv[1:]
    params = pathlib.Path(args[args.index('--params-file') + 1]).read_text()
    print('hello from', args[args.index('-r') + 1], flush=True)
    print('my params:', params.splitlines()[0], flush=True)
    ready = pathlib.Path(os.environ['READY_FILE'])
    deadline = time.monotonic() + 10.0
    while not ready.exists() and time.monotonic() < deadline:  # the sleeper is up
        time.sleep(0.01)
    print('done', flush=True)
    sys.exit(int(os.environ.get('EXIT_CODE', '0')))
'''

SLEEPER = '''\
    import os, pathlib, signal, sys

    def stop(signum, frame):
        print('stopping on SIGINT', flush=True)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    pathlib.Path(os.environ['READY_FILE']).touch()
    print('ready', flush=True)
    while True:
        signal.pause()
'''


def fake_script(directory, name, body):
    path = directory / name
    path.write_text(f'#!{sys.executable} -I\n' + textwrap.dedent(body))
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def fake_nodes(tmp_path):
    """NodeSpecs of a required worker and a sleeper, by absolute script path."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    env = {'READY_FILE': str(tmp_path / 'sleeper.ready')}

    def build(exit_code):
        return [NodeSpec('worker', fake_script(bin_dir, 'worker', WORKER), required=True,
                         parameters={'answer': 42}, env=dict(env, EXIT_CODE=str(exit_code))),
                NodeSpec('sleeper', fake_script(bin_dir, 'sleeper', SLEEPER), required=False,
                         env=env)]
    return build


@pytest.mark.parametrize('exit_code', [0, 2])
def test_required_node_exit_stops_the_others_and_sets_the_exit_code(fake_nodes, exit_code):
    out = io.StringIO()
    launcher = Launcher(fake_nodes(exit_code), log_level='warn', out=out)
    timed_out = []

    def give_up(signum, frame):  # a launcher that never stops fails instead of hanging
        timed_out.append(True)
        launcher._on_signal(signum, frame)

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, 10.0)
    try:
        code = launcher.run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)
    assert not timed_out, 'the run did not end when its required node exited'
    assert code == exit_code
    lines = out.getvalue().splitlines()

    # every line is prefixed with its node's name (the closing summary with [launch])
    assert all(line.startswith(('[worker] ', '[sleeper] ', '[launch] ')) for line in lines), lines
    assert '[worker] hello from __node:=worker' in lines
    assert '[worker] my params: worker:' in lines  # its own params file
    assert '[worker] done' in lines and '[sleeper] ready' in lines
    stop_notice = f'[worker] exited with code {exit_code}; stopping the others'
    assert stop_notice in lines
    # the sleeper was asked to stop after the worker ended, and did so cleanly
    assert lines.index('[sleeper] stopping on SIGINT') > lines.index(stop_notice)
    assert launcher.processes['sleeper'].returncode == 0
    assert launcher.failure == ('worker', exit_code)
    assert ('[worker] exited with code 2' in lines) == (exit_code == 2)
    assert ('[launch] run stopped: worker exited with code 2' in lines) == (exit_code == 2)


TIMING_OUT = '''\
    import os, sys, time
    time.sleep(float(os.environ['DELAY_S']))
    print(os.environ['MESSAGE'], file=sys.stderr, flush=True)
    sys.exit(3)
'''


def test_the_closing_line_blames_the_participant_that_did_not_report_itself(tmp_path):
    """The line quoted is the one naming a participant that did not time out itself.

    tf_node timed out first blaming the world (which waits too); the world's own timeout
    names the brain, which said nothing: the brain hung, the world's line is quoted.
    """
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    tf = fake_script(bin_dir, 'tf_node', TIMING_OUT)
    world = fake_script(bin_dir, 'world_node', TIMING_OUT)
    hung = fake_script(bin_dir, 'brain_node', SLEEPER)
    specs = [
        NodeSpec('tf_node', tf, env={'DELAY_S': '0.2', 'MESSAGE': 'tf_node: error: lockstep: '
                 'tf_node waited 3.0 s for round 9: no answer from world (it did not finish '
                 'round 9; its last announcement: round 8)'}),
        NodeSpec('world', world, env={'DELAY_S': '0.6', 'MESSAGE': 'world_node: error: '
                 'lockstep: world waited 3.0 s for round 9: no answer from brain (messages '
                 'still missing on /brain/actions/spikes (8 of 9 messages))'}),
        NodeSpec('brain', hung, env={'READY_FILE': str(tmp_path / 'ready')})]
    out = io.StringIO()
    code = Launcher(specs, out=out).run()
    assert code == 3
    closing = [line for line in out.getvalue().splitlines() if line.startswith('[launch] ')]
    assert closing == ['[launch] run stopped: world: lockstep: world waited 3.0 s for round 9: '
                       'no answer from brain (messages still missing on /brain/actions/spikes '
                       '(8 of 9 messages))']


def test_a_node_killed_by_a_signal_is_named_with_the_signal_and_status_128_plus_n(tmp_path):
    killed = fake_script(tmp_path, 'victim', 'import os, signal\nos.kill(os.getpid(), '
                         'signal.SIGKILL)\n')
    out = io.StringIO()
    assert Launcher([NodeSpec('victim', killed)], out=out).run() == 128 + signal.SIGKILL
    lines = out.getvalue().splitlines()
    assert '[victim] was killed by SIGKILL; stopping the others' in lines
    assert lines[-1] == '[launch] run stopped: victim was killed by SIGKILL'


def test_a_namespaced_node_gets_ns_remap_and_its_fully_qualified_params_entry(tmp_path):
    spec = NodeSpec('brain', 'brain_node', parameters={'seed': 3}, namespace='/left/')
    assert spec.namespace == 'left' and spec.full_name == 'left/brain'
    path = write_params_file(spec, tmp_path)
    assert yaml.safe_load(Path(path).read_text()) == {'/left/brain': {'ros__parameters':
                                                                       {'seed': 3}}}
    ros_args = ros_arguments(spec, path)[2:]
    pairs = list(zip(ros_args, ros_args[1:]))
    assert ('-r', '__node:=brain') in pairs and ('-r', '__ns:=/left') in pairs
    assert '__ns:=' not in ' '.join(ros_arguments(NodeSpec('brain', 'brain_node'), path))
