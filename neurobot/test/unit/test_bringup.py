"""Unit tests of the bring-up description shared by launch files and `neurobot launch`.

The maze experiment (registered through its entry point) is the worked example; a toy
experiment checks what the platform derives from any experiment's nodes.
"""

import os
from pathlib import Path
import re

import pytest

from neurobot import bringup, experiment
from neurobot.bringup import NodeSpec, resolve_arguments
from neurobot.experiment import Experiment
from neurobot.paths import share_path

PKG = Path(__file__).resolve().parents[2]


MAZE = experiment.get('maze')
MAZE_ARGUMENTS = bringup.experiment_arguments(MAZE)


def maze_nodes(given):
    return bringup.nodes(MAZE, given)


def by_name(specs):
    return {spec.name: spec for spec in specs}


def console_scripts():
    """Console scripts declared in setup.py."""
    return set(re.findall(r"'([\w-]+) = [\w.]+:main'", (PKG / 'setup.py').read_text()))


# ---------------------------------------------------------------------- arguments

def test_defaults_resolve_to_strings_for_every_argument():
    values = resolve_arguments(MAZE_ARGUMENTS, {})
    assert set(values) == {a.name for a in MAZE_ARGUMENTS}
    assert all(isinstance(v, str) for v in values.values())
    assert values['world'] == 'embedded' and values['use_sim_time'] == 'true'
    assert Path(values['maze']) == share_path('experiments', 'maze', 'mazes', 'default.yaml')
    for name in ('brain', 'maze', 'transfer_functions'):
        assert Path(values[name]).is_file(), name  # the default files exist


def test_given_values_override_defaults():
    values = resolve_arguments(MAZE_ARGUMENTS, {'step_ms': 50, 'world': 'gazebo'})
    assert values['step_ms'] == '50' and values['world'] == 'gazebo'


def test_every_argument_has_a_description_and_its_default_among_its_choices():
    for argument in MAZE_ARGUMENTS:
        assert argument.description.strip(), argument.name
        assert not argument.choices or argument.default in argument.choices, argument.name


def test_unknown_argument_raises_naming_it():
    with pytest.raises(ValueError, match=r"unknown arguments \['wrld'\]"):
        maze_nodes({'wrld': 'gazebo'})


def test_bad_choice_raises_naming_the_argument_and_value():
    with pytest.raises(ValueError, match=r"world must be one of .*'mujoco'"):
        maze_nodes({'world': 'mujoco'})
    with pytest.raises(ValueError, match='log_level'):
        maze_nodes({'log_level': 'verbose'})


@pytest.mark.parametrize('name, value', [
    ('step_ms', 'fast'), ('use_sim_time', 'maybe'), ('lockstep_timeout_s', 'x'),
    ('resume', 'perhaps'), ('resolution_ms', ''),
])
def test_malformed_values_raise_naming_the_argument(name, value):
    with pytest.raises(ValueError, match=name):
        maze_nodes({name: value})


@pytest.mark.parametrize('name', ['seed', 'episodes'])
def test_malformed_integer_arguments_raise_naming_the_argument(name):
    with pytest.raises(ValueError, match=name):
        maze_nodes({name: 'abc'})


# ---------------------------------------------------------------------- the maze bring-up

def test_default_maze_bringup_starts_world_brain_tf_node_and_monitor():
    specs = maze_nodes({})
    assert [s.name for s in specs] == ['world', 'brain', 'tf_node', 'lockstep_monitor',
                                       'maze_markers', 'spike_raster']
    assert [s.required for s in specs] == [True, True, True, False, False, False]
    assert {s.executable for s in specs} <= console_scripts()
    nodes = by_name(specs)
    assert nodes['world'].parameters['use_sim_time'] is False  # the world is the clock
    assert nodes['brain'].parameters['use_sim_time'] is True
    assert nodes['brain'].env == {}
    assert nodes['brain'].parameters['brain_args'] == '{"maze_cells": 25}'  # 5 x 5 maze
    small = share_path('experiments', 'maze', 'mazes', 'small.yaml')
    assert by_name(maze_nodes({'maze': str(small)}))['brain'].parameters['brain_args'] == \
        '{"maze_cells": 9}'


def lockstep_lists_are_consistent(specs):
    nodes = by_name(specs)
    assert len(nodes) == len(specs), 'node names must be unique'
    lockstepped = {s.name: s.parameters for s in specs if s.parameters.get('lockstep')}
    assert lockstepped, 'no lockstep participant'
    lists = [(p['lockstep_simulation'], p['lockstep_transfer'])
             for p in [s.parameters for s in specs] if 'lockstep_simulation' in p]
    simulation, transfer = lists[0]
    assert all(pair == (simulation, transfer) for pair in lists), 'every node sees the same lists'
    participants = simulation + transfer
    assert len(set(participants)) == len(participants)
    observers = [n for n in lockstepped[participants[0]]['lockstep_observers'] if n]
    assert set(participants) | set(observers) == set(lockstepped), \
        'every participant and observer exists and takes part'
    for name, parameters in lockstepped.items():
        assert parameters['lockstep_name'] == name
    assert len({p['step_ms'] for n, p in lockstepped.items() if n in participants}) == 1, \
        'one round length'
    return participants


def test_default_lockstep_participants_are_consistent():
    specs = maze_nodes({'step_ms': '50'})
    assert lockstep_lists_are_consistent(specs) == ['world', 'brain', 'tf_node']
    stepped = [s.parameters['step_ms'] for s in specs if 'step_ms' in s.parameters]
    assert stepped == [50.0] * 3


def test_gazebo_world_has_no_world_node_and_no_lockstep():
    specs = maze_nodes({'world': 'gazebo', 'monitoring': 'false'})
    assert [s.name for s in specs] == ['brain', 'tf_node']
    for spec in specs:
        assert not any(key.startswith('lockstep') for key in spec.parameters), spec.name
        assert spec.parameters['use_sim_time'] is True  # Gazebo's /clock


def test_wall_clock_brain_runs_without_world_or_lockstep():
    specs = maze_nodes({'use_sim_time': 'false', 'monitoring': 'false'})
    assert [s.name for s in specs] == ['brain', 'tf_node', 'brain_monitor']
    brain = by_name(specs)['brain']
    assert brain.parameters['use_sim_time'] is False
    assert 'lockstep' not in brain.parameters
    # overruns are what matters on wall-clock time: the monitor times brain steps
    assert by_name(specs)['brain_monitor'].parameters == {'mode': 'brain_step'}
    assert not by_name(specs)['brain_monitor'].required


def test_monitoring_nodes_follow_the_robots_pose_in_the_maze_frame():
    simulated = by_name(maze_nodes({}))['maze_markers'].parameters
    assert (simulated['pose_topic'], simulated['odom_topic']) == ('ground_truth/pose', '')
    assert simulated['maze_origin_in_odom'] == [0.0, 0.0, 0.0]
    assert simulated['publish_tf'] is False  # no tf2 unless the launch file finds it
    maze = str(share_path('experiments', 'maze', 'mazes', 'default.yaml'))
    with_tf = bringup.monitoring_nodes(resolve_arguments(MAZE_ARGUMENTS, {}), maze, tf=True)[0]
    assert (with_tf.parameters['publish_tf'], with_tf.parameters['odom_topic']) == (True, 'odom')
    real = by_name(maze_nodes({'use_sim_time': 'false'}))['maze_markers'].parameters
    # the generic robot file: /odom and /scan, maze origin at (-0.3, -0.3) in odom
    assert (real['pose_topic'], real['odom_topic'], real['scan_topic']) == ('', '/odom', '/scan')
    assert real['maze_origin_in_odom'] == [-0.3, -0.3, 0.0]
    assert bringup.monitoring_nodes(resolve_arguments(
        MAZE_ARGUMENTS, {'use_sim_time': 'false'}), maze,
        tf=True)[0].parameters['publish_tf'] is False
    assert [s.name for s in maze_nodes({'world': 'gazebo'})][-2:] == ['maze_markers',
                                                                      'spike_raster']


def test_static_transforms_put_odom_where_the_maze_lies():
    values = resolve_arguments(MAZE_ARGUMENTS, {})
    assert bringup.static_transforms(values) == [
        ('map', 'odom', 0.0, 0.0, 0.0, 0.0), ('base_link', 'laser_link', 0.0, 0.0, 0.2, 0.0)]
    real = bringup.static_transforms(resolve_arguments(MAZE_ARGUMENTS, {'use_sim_time': 'false'}))
    assert real == [('map', 'odom', pytest.approx(0.3), pytest.approx(0.3), 0.0,
                     pytest.approx(0.0))]
    assert bringup.static_transforms(resolve_arguments(MAZE_ARGUMENTS,
                                                       {'monitoring': 'false'})) == []


def test_each_transfer_function_file_gets_its_own_tf_node(tmp_path):
    files = [str(share_path('experiments', 'maze', 'transfer_function.py')),
             str(tmp_path / 'a.py'), str(tmp_path / 'b.py')]
    for path in files[1:]:
        Path(path).write_text('')
    specs = maze_nodes({'transfer_functions': ' , '.join(files) + ','})
    tf_nodes = [s for s in specs if s.executable == 'tf_node']
    names = [s.name for s in tf_nodes]
    assert names == ['tf_node', 'tf_node_2', 'tf_node_3']
    assert [s.parameters['transfer_functions'] for s in tf_nodes] == [[f] for f in files]
    participants = lockstep_lists_are_consistent(specs)
    assert participants == ['world', 'brain'] + names
    assert by_name(specs)['lockstep_monitor'].parameters['lockstep_transfer'] == names


def test_arguments_reach_the_node_parameters_with_their_types():
    nodes = by_name(maze_nodes({'seed': '7', 'episodes': '12', 'resume': 'yes',
                                'mode': 'evaluate', 'run_dir': 'results/x',
                                'lockstep_timeout_s': '3'}))
    tf = nodes['tf_node'].parameters
    assert (tf['seed'], tf['episodes'], tf['resume'], tf['mode'], tf['run_dir']) == (
        7, 12, True, 'evaluate', 'results/x')
    assert nodes['world'].parameters['seed'] == nodes['brain'].parameters['seed'] == 7
    assert nodes['brain'].parameters['lockstep_timeout_s'] == 3.0


def test_the_step_limit_reaches_the_transfer_function_and_defaults_to_following_the_maze():
    assert by_name(maze_nodes({}))['tf_node'].parameters['max_moves'] == 0  # follow the maze
    assert by_name(maze_nodes({'max_moves': '30'}))['tf_node'].parameters['max_moves'] == 30
    with pytest.raises(ValueError, match='max_moves must be a whole number'):
        maze_nodes({'max_moves': '-1'})


def test_record_adds_a_recorder_writing_into_the_run_directory():
    specs = maze_nodes({'record': 'true', 'run_dir': 'results/x'})
    recorder = by_name(specs)['mcap_recorder']
    assert recorder.executable in console_scripts() and recorder.required is False
    assert {k: v for k, v in recorder.parameters.items() if not k.startswith('lockstep')} == {
        'path': os.path.join('results/x', 'recording.mcap'), 'topics': [''],
        'on_error': 'continue'}
    # not a participant: an observer of round 0 only (test_round_zero.py)
    assert lockstep_lists_are_consistent(specs) == ['world', 'brain', 'tf_node']
    chosen = by_name(maze_nodes({'record': 'true', 'record_topics': ' scan, odom ,'}))
    assert chosen['mcap_recorder'].parameters['topics'] == ['scan', 'odom']
    assert 'mcap_recorder' not in by_name(maze_nodes({}))


def test_live_view_is_off_by_default_and_binds_to_loopback():
    assert 'live_view' not in by_name(maze_nodes({}))
    view = by_name(maze_nodes({'live_view': 'true', 'live_view_port': '9001'}))['live_view']
    assert view.executable in console_scripts() and view.required is False
    assert view.parameters == {'host': '127.0.0.1', 'port': 9001}
    with pytest.raises(ValueError, match='live_view_port'):
        maze_nodes({'live_view': 'true', 'live_view_port': '70000'})


def test_every_bringup_builder_the_maze_launch_file_names_exists():
    """Launch files cannot run here (no ROS 2 launch): check what they take from bringup."""
    text = (PKG / 'experiments' / 'maze' / 'maze.launch.py').read_text()
    assert "experiment_launch_description('maze')" in text
    support = (PKG / 'neurobot' / 'launch_support.py').read_text()
    for launch_file in ('world.launch.py', 'brain.launch.py'):
        support += (PKG / 'launch' / launch_file).read_text()
    names = set(re.findall(r'bringup\.(\w+)', support))
    assert {'nodes', 'experiment_arguments', 'static_transforms'} <= names
    assert all(hasattr(bringup, name) for name in names), names


@pytest.mark.parametrize('text, expected', [
    ('true', True), ('On', True), ('1', True), ('no', False), ('FALSE', False), (False, False),
])
def test_as_bool_reads_launch_booleans(text, expected):
    assert bringup.as_bool(text) is expected


# ---------------------------------------------------------------------- real robots

def test_real_robot_bringup_has_no_world_and_remaps_the_transfer_functions(tmp_path):
    robot = tmp_path / 'robot.yaml'
    robot.write_text('remappings: {cmd_vel: /base/cmd_vel, odom: /base/odom}\n'
                     'maze_origin_in_odom: [1.0, 2.0, 0.5]\nspeed_mps: 0.25\n')
    nodes = {n.name: n for n in maze_nodes({'use_sim_time': 'false',
                                                    'robot': str(robot)})}
    assert 'world' not in nodes
    assert nodes['brain'].parameters['use_sim_time'] is False
    assert 'lockstep' not in nodes['brain'].parameters
    tf = nodes['tf_node']
    assert tf.remappings == [('cmd_vel', '/base/cmd_vel'), ('odom', '/base/odom')]
    assert tf.parameters['walls'] == 'map' and tf.parameters['placement'] == 'drive'
    assert tf.parameters['maze_origin_in_odom'] == [1.0, 2.0, 0.5]
    assert tf.parameters['speed_mps'] == 0.25


def test_the_shipped_generic_robot_file_is_valid():
    remappings, parameters = bringup.robot_settings(
        bringup.default_path('config', 'robots', 'generic_omni.yaml'))
    assert dict(remappings) == {'cmd_vel': '/cmd_vel', 'odom': '/odom', 'scan': '/scan'}
    assert 0 < parameters['speed_mps'] <= 1.0


def test_simulated_bringup_ignores_the_robot_file():
    nodes = {n.name: n for n in maze_nodes({'robot': '/does/not/exist.yaml'})}
    assert nodes['tf_node'].remappings == []
    assert 'walls' not in nodes['tf_node'].parameters


@pytest.mark.parametrize('text, expected', [
    ('remappings: {cmd_vel: /x, tf: /tf}', "remappings must map some of"),
    ('maze_origin_in_odom: [1, 2]', r'maze_origin_in_odom must be \[x_m, y_m, yaw_rad\]'),
    ('speed_mps: -1', r'speed_mps must be in \(0, 5\]'),
    ('- a list', 'expected a mapping'),
    ('remappings: [', 'is not valid YAML'),
])
def test_bad_robot_files_say_what_was_expected(tmp_path, text, expected):
    robot = tmp_path / 'robot.yaml'
    robot.write_text(text)
    with pytest.raises(ValueError, match=expected):
        maze_nodes({'use_sim_time': 'false', 'robot': str(robot)})


def test_a_missing_robot_file_is_named():
    with pytest.raises(ValueError, match='robot file /nope.yaml: No such file'):
        maze_nodes({'use_sim_time': 'false', 'robot': '/nope.yaml'})


# ---------------------------------------------------------------------- any experiment

def two_player_experiment(tmp_path, **fields):
    """A toy experiment: its own world node, two namespaced brains each with a tf_node."""
    brain = tmp_path / 'player.py'
    brain.write_text('')
    tf = tmp_path / 'player_tf.py'
    tf.write_text('')

    def brains(values):
        return [bringup.brain_node(values, namespace=side, brain_args={'side': side})
                for side in ('left', 'right')]

    def players(values):
        return [NodeSpec('tf_node', 'tf_node', namespace=side,
                         parameters={'transfer_functions': [str(tf)]})
                for side in ('left', 'right')]

    return Experiment(
        name='duel', summary='two players', defaults={'brain': str(brain)},
        arguments=(bringup.Argument('rounds', '3', 'rounds to play', kind='int', low=1),),
        world_nodes=lambda values: [NodeSpec('world', 'game_node',
                                             parameters={'rounds': int(values['rounds'])})],
        brain_nodes=brains, **{'extra_nodes': players, **fields})


def test_lockstep_participants_are_the_nodes_the_experiment_produced(tmp_path):
    specs = bringup.nodes(two_player_experiment(tmp_path), {'record': 'true'})
    nodes = {s.full_name: s for s in specs}
    assert list(nodes) == ['world', 'left/brain', 'right/brain', 'lockstep_monitor',
                           'left/tf_node', 'right/tf_node', 'spike_raster', 'mcap_recorder']
    assert nodes['world'].parameters['rounds'] == 3
    simulation, transfer = ['world', 'left/brain', 'right/brain'], ['left/tf_node',
                                                                     'right/tf_node']
    for name in simulation + transfer + ['mcap_recorder', 'spike_raster']:
        parameters = nodes[name].parameters
        assert parameters['lockstep'] is True and parameters['lockstep_name'] == name
        assert (parameters['lockstep_simulation'], parameters['lockstep_transfer']) == (
            simulation, transfer)
    assert nodes['lockstep_monitor'].parameters == {'lockstep_simulation': simulation,
                                                    'lockstep_transfer': transfer}
    left = nodes['left/brain']
    assert (left.name, left.namespace) == ('brain', 'left')
    assert left.parameters['brain_args'] == '{"side": "left"}'
    assert 'maze_markers' not in nodes  # not a maze world: nothing to draw


def test_namespaced_brains_record_weights_to_their_own_files(tmp_path):
    specs = bringup.nodes(two_player_experiment(tmp_path),
                          {'record_weights': 'w', 'run_dir': 'results/d'})
    paths = [s.parameters['record_weights_path'] for s in specs if s.name == 'brain']
    assert paths == ['results/d/left_weights.nbw', 'results/d/right_weights.nbw']


def test_an_experiment_sets_platform_defaults_and_adds_its_own_arguments(tmp_path):
    duel = two_player_experiment(tmp_path)
    values = bringup.resolve(duel, {})
    assert values['run_dir'] == 'results/duel'  # results/<name> unless it says otherwise
    assert values['brain'] == str(tmp_path / 'player.py') and values['rounds'] == '3'
    with pytest.raises(ValueError, match='rounds must be a whole number >= 1'):
        bringup.nodes(duel, {'rounds': '0'})
    with pytest.raises(ValueError, match=r"unknown arguments \['maze'\]"):
        bringup.nodes(duel, {'maze': 'x.yaml'})  # the maze's arguments are the maze's


def test_an_experiment_may_not_redefine_or_invent_platform_arguments(tmp_path):
    clash = Experiment('bad', 'x', arguments=(bringup.Argument('seed', '1', 'seed'),))
    with pytest.raises(ValueError, match=r"its arguments \['seed'\] are platform arguments"):
        bringup.experiment_arguments(clash)
    invented = Experiment('bad', 'x', defaults={'speed': '1'})
    with pytest.raises(ValueError, match=r"defaults for \['speed'\]"):
        bringup.experiment_arguments(invented)


def test_two_nodes_with_one_full_name_are_refused(tmp_path):
    twice = two_player_experiment(
        tmp_path, extra_nodes=lambda values: [NodeSpec('spike_raster', 'spike_raster')])
    with pytest.raises(ValueError, match=r"several nodes named \['spike_raster'\]"):
        bringup.nodes(twice, {})


@pytest.mark.parametrize('name, old, new', [
    ('brain', '/home/me/neurobot/neurobot/brains/maze_brain.py', 'experiments/maze/brain.py'),
    ('maze', 'neurobot/config/mazes/small.yaml', 'experiments/maze/mazes/small.yaml'),
    ('transfer_functions', 'neurobot/transfer_functions/maze.py',
     'experiments/maze/transfer_function.py'),
])
def test_old_maze_file_paths_fail_saying_where_the_file_went(name, old, new):
    with pytest.raises(ValueError) as error:
        maze_nodes({name: old})
    message = str(error.value)
    assert message.startswith(f'{name}: {old}: no such file') and new in message
    assert Path(message.rsplit(' is now ', 1)[1]).is_file()
