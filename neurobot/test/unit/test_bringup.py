"""Unit tests of the bring-up description shared by maze.launch.py and `neurobot launch`."""

from pathlib import Path
import re

import pytest

from neurobot import bringup
from neurobot.bringup import MAZE_ARGUMENTS, maze_nodes, resolve_arguments
from neurobot.paths import share_path

PKG = Path(__file__).resolve().parents[2]


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
    assert Path(values['maze']) == share_path('config', 'mazes', 'default.yaml')
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
    assert [s.name for s in specs] == ['world', 'brain', 'tf_node', 'lockstep_monitor']
    assert [s.required for s in specs] == [True, True, True, False]
    assert {s.executable for s in specs} <= console_scripts()
    nodes = by_name(specs)
    assert nodes['world'].parameters['use_sim_time'] is False  # the world is the clock
    assert nodes['brain'].parameters['use_sim_time'] is True
    assert nodes['brain'].env == {'NEUROBOT_MAZE_CELLS': '25'}  # 5 x 5 default maze


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
    assert set(participants) == set(lockstepped), 'every participant exists and takes part'
    for name, parameters in lockstepped.items():
        assert parameters['lockstep_name'] == name
    assert len({p['step_ms'] for p in lockstepped.values()}) == 1, 'one round length'
    return participants


def test_default_lockstep_participants_are_consistent():
    specs = maze_nodes({'step_ms': '50'})
    assert lockstep_lists_are_consistent(specs) == ['world', 'brain', 'tf_node']
    stepped = [s.parameters['step_ms'] for s in specs if 'step_ms' in s.parameters]
    assert stepped == [50.0] * 3


def test_gazebo_world_has_no_world_node_and_no_lockstep():
    specs = maze_nodes({'world': 'gazebo'})
    assert [s.name for s in specs] == ['brain', 'tf_node']
    for spec in specs:
        assert not any(key.startswith('lockstep') for key in spec.parameters), spec.name
        assert spec.parameters['use_sim_time'] is True  # Gazebo's /clock


def test_wall_clock_brain_runs_without_world_or_lockstep():
    specs = maze_nodes({'use_sim_time': 'false'})
    assert [s.name for s in specs] == ['brain', 'tf_node']
    brain = by_name(specs)['brain']
    assert brain.parameters['use_sim_time'] is False
    assert 'lockstep' not in brain.parameters


def test_each_transfer_function_file_gets_its_own_tf_node():
    files = [str(share_path('transfer_functions', 'maze.py')), '/tmp/a.py', '/tmp/b.py']
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


@pytest.mark.parametrize('text, expected', [
    ('true', True), ('On', True), ('1', True), ('no', False), ('FALSE', False), (False, False),
])
def test_as_bool_reads_launch_booleans(text, expected):
    assert bringup.as_bool(text) is expected
