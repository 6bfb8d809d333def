"""Unit tests of the `neurobot` command's argument handling (nothing is started)."""

import re

import pytest

from experiments.maze import cli as maze_cli
from experiments.maze.experiment import ARGUMENTS as MAZE_OWN_ARGUMENTS
from neurobot import bringup, cli
from neurobot.cli import parse_launch_arguments


def test_parse_launch_arguments_reads_name_value_words():
    assert parse_launch_arguments([]) == {}
    assert parse_launch_arguments(['world:=gazebo', 'run_dir:=', 'brain:=a:=b.py']) == {
        'world': 'gazebo', 'run_dir': '', 'brain': 'a:=b.py'}
    assert parse_launch_arguments(['seed:=1', 'seed:=2']) == {'seed': '2'}  # last one wins


@pytest.mark.parametrize('word', ['world=gazebo', 'gazebo', 'world:'])
def test_parse_launch_arguments_rejects_words_without_the_operator(word):
    with pytest.raises(ValueError, match=re.escape(repr(word))):
        parse_launch_arguments(['seed:=1', word])


def test_show_args_lists_every_argument_with_its_default(capsys):
    assert cli.main(['launch', 'maze', '--show-args']) == 0
    out = capsys.readouterr().out
    assert "  world:\n" in out and "(one of: embedded, gazebo)" in out
    assert "(default: '200.0')" in out  # the default learner's (rstdp) step
    assert 'follow the learner unless given' in out  # ... and where other defaults come from


@pytest.mark.parametrize('words, message', [
    (['world=gazebo'], 'name:=value'),
    (['wrld:=gazebo'], "unknown arguments ['wrld']"),
    (['mode:=play'], 'mode must be one of'),
    (['episodes:=-1'], "episodes must be a whole number >= 0, got '-1'"),
    (['step_ms:=0'], "step_ms must be a number within 1-1000, got '0'"),
    (['step_ms:=-20'], "step_ms must be a number within 1-1000, got '-20'"),
    (['seed:=1.5'], "seed must be a whole number within 1-2147483647, got '1.5'"),
    (['lockstep_timeout_s:=inf'], 'lockstep_timeout_s must be a number within 0.1-3600'),
    (['headless:=perhaps'], "headless must be true or false, got 'perhaps'"),
    (['brain:=/no/such/brain.py'], 'brain: /no/such/brain.py: no such file'),
    (['maze:=/bin/sh'], '/bin/sh: not a maze file (not UTF-8 text'),
])
def test_bad_launch_arguments_exit_2_with_a_message_before_starting_anything(
        words, message, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['launch', 'maze', *words]) == 2
    err = capsys.readouterr().err
    assert err.startswith('neurobot launch maze: ') and message in err
    assert err.count('\n') == 1, err  # one line, no traceback
    assert started == []


@pytest.mark.parametrize('words, message', [
    (['--episodes', '-1'], '--episodes must be >= 0, got -1'),
    (['step_ms:=0'], "step_ms must be a number within 1-1000, got '0'"),
    (['maze:=/bin/sh'], '/bin/sh: not a maze file'),
    (['seed=1'], 'name:=value'),
    (['--maze', '/no/such/maze.yaml'], 'maze: /no/such/maze.yaml: no such file'),
    (['--max-moves', '-2'], "max_moves must be a whole number within 0-1000000, got '-2'"),
])
def test_neurobot_maze_answers_bad_arguments_in_one_line(words, message, tmp_path, capsys,
                                                          monkeypatch):
    started = []
    monkeypatch.setattr(maze_cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['maze', '--run-dir', str(tmp_path / 'run'), *words]) == 2
    err = capsys.readouterr().err
    assert err.startswith('neurobot maze: ') and message in err and err.count('\n') == 1, err
    assert started == []


def test_show_args_lists_the_allowed_range_of_each_number(capsys):
    assert cli.main(['launch', 'maze', '--show-args']) == 0
    out = capsys.readouterr().out
    assert '(a number within 1-1000)' in out and '(a whole number >= 0)' in out


def test_maze_eval_without_a_checkpoint_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(maze_cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['maze-eval', '--run-dir', str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (f'neurobot maze-eval: {tmp_path / "checkpoint.npz"}: no checkpoint to '
                   f'evaluate (train first: neurobot maze --run-dir {tmp_path})\n')
    assert started == []


def test_maze_eval_of_a_run_without_its_arguments_asks_for_them(tmp_path, capsys, monkeypatch):
    # `neurobot launch maze` writes a checkpoint but no arguments.json: evaluating it with
    # the defaults (another maze, another learner) failed inside the transfer function
    import numpy as np
    from experiments.maze.results import RunDirectory
    rng = np.random.default_rng(0)
    RunDirectory(tmp_path).save_checkpoint(5, np.zeros((36, 40)), np.zeros((36, 40)), rng)
    started = []
    monkeypatch.setattr(maze_cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['maze-eval', '--run-dir', str(tmp_path)]) == 2
    assert cli.main(['maze-eval', '--run-dir', str(tmp_path), 'learner:=spiking']) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all('has no arguments.json' in line and 'maze:=FILE' in line
                                 for line in err), err
    assert started == []


def test_the_step_limit_of_a_run_is_its_argument_or_follows_its_maze():
    from neurobot.paths import share_path
    from neurobot.world.maze import Maze
    default = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'default.yaml'))
    assert maze_cli.run_max_moves({}, default) == 33  # 3 x its 11-move longest start
    assert maze_cli.run_max_moves({'max_moves': '0'}, default) == 33
    assert maze_cli.run_max_moves({'max_moves': '30'}, default) == 30


# ---------------------------------------------------------------------- experiments

def test_neurobot_experiments_lists_each_registered_experiment_with_its_summary(capsys):
    assert cli.main(['experiments']) == 0
    lines = capsys.readouterr().out.splitlines()
    maze = [line for line in lines if line.split()[0] == 'maze']
    assert len(maze) == 1 and 'robot learns to reach the goal cell' in maze[0]


@pytest.mark.parametrize('command', [['launch', 'nosuch'], ['run', 'nosuch', '--episodes', '1'],
                                     ['launch', 'nosuch', '--show-args']])
def test_an_unknown_experiment_is_one_line_listing_the_known_ones(command, capsys):
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f'neurobot {command[0]}: unknown experiment \'nosuch\'; known '
                          f'experiments: ') and err.count('\n') == 1, err
    assert 'maze' in err.split('known experiments: ')[1].strip().split(', ')


def test_show_args_of_the_maze_lists_platform_and_maze_arguments(capsys):
    assert cli.main(['launch', 'maze', '--show-args']) == 0
    out = capsys.readouterr().out
    listed = re.findall(r'^  (\w+):$', out, flags=re.MULTILINE)
    assert listed == [a.name for a in bringup.PLATFORM_ARGUMENTS + MAZE_OWN_ARGUMENTS]
    assert {'maze', 'mode', 'episodes', 'max_moves', 'resume', 'learner'} <= set(listed)
    assert "(default: 'results/maze')" in out and "(one of: spiking, rstdp)" in out
    assert 'experiments/maze/brain.py' in out  # the maze's default brain


def test_neurobot_run_maze_is_neurobot_maze(tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(maze_cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['run', 'maze', '--run-dir', str(tmp_path / 'run'), 'step_ms:=0']) == 2
    err = capsys.readouterr().err
    assert err == "neurobot maze: step_ms must be a number within 1-1000, got '0'\n"
    assert started == []
