"""Unit tests of pong's plug-in description and its state vector (no ROS, no NEST).

The bring-up of ``players:=r,d`` must hold one world, and per player a brain and a
tf_node in the player's namespace, with the player's brain file, brain arguments and
seed, and the reward remap for the dopamine player only; all of them lockstep
participants under their full names. Bad players are refused before anything starts.
"""

import json
from pathlib import Path
import sys

import numpy as np
import pytest

from neurobot import bringup, experiment

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from experiments.pong import state as pong_state  # noqa: E402
from experiments.pong.game import LEFT, RIGHT, Pong  # noqa: E402


def nodes(**given):
    return {spec.full_name: spec for spec in
            bringup.nodes(experiment.get('pong'), {k: str(v) for k, v in given.items()})}


def test_pong_is_registered_with_its_own_arguments():
    pong = experiment.get('pong')
    names = {a.name for a in bringup.experiment_arguments(pong)}
    assert {'players', 'iterations', 'step_ms', 'seed'} <= names


def test_each_player_has_a_brain_and_a_tf_node_in_its_namespace():
    specs = nodes(players='r,d', seed=7, iterations=30, run_dir='/tmp/pong_unit')
    assert {'world', 'left/brain', 'right/brain', 'left/tf_node',
            'right/tf_node'} <= set(specs)
    world = specs['world']
    assert world.executable == 'pong_world'
    assert (world.parameters['seed'], world.parameters['iterations']) == (7, 30)
    left, right = specs['left/brain'], specs['right/brain']
    assert left.namespace == LEFT and right.namespace == RIGHT
    assert left.parameters['brain'].endswith('brain_rstdp.py')
    assert right.parameters['brain'].endswith('brain_dopa.py')
    assert json.loads(left.parameters['brain_args']) == {'noise': False, 'neurons': 20}
    assert (left.parameters['seed'], right.parameters['seed']) == (7, 8)
    assert left.parameters['step_ms'] == 200.0 and left.parameters['resolution_ms'] == 0.1
    tf_left, tf_right = specs['left/tf_node'], specs['right/tf_node']
    assert (tf_left.parameters['side'], tf_left.parameters['player']) == (LEFT, 'r')
    assert (tf_right.parameters['player'], tf_right.parameters['player_seed']) == ('d', 8)
    assert tf_left.remappings == []
    assert tf_right.remappings == [('reward', 'brain/dopa/stimulus')]
    participants = set(world.parameters['lockstep_simulation']) | set(
        world.parameters['lockstep_transfer'])
    assert participants == {'world', 'left/brain', 'right/brain', 'left/tf_node',
                            'right/tf_node'}
    assert set(world.parameters['lockstep_transfer']) == {'left/tf_node', 'right/tf_node'}
    assert tf_right.parameters['lockstep_name'] == 'right/tf_node'


def test_one_player_and_two_dopamine_players_are_allowed():
    assert 'right/brain' not in nodes(players='rn')
    specs = nodes(players='d,dn')
    assert json.loads(specs['right/brain'].parameters['brain_args'])['noise'] is True


@pytest.mark.parametrize('players, message', [
    ('r,x', "players: player config must be one of r, rn, d, dn, got 'x'"),
    ('r,rn,d', 'one or two players'),
    ('', 'one or two players'),
])
def test_bad_players_are_refused_naming_the_argument(players, message):
    with pytest.raises(ValueError, match=message):
        nodes(players=players)


def test_the_state_vector_round_trips_with_its_layout():
    game = Pong(np.random.default_rng(3))
    game.set_move(LEFT, 1)
    outcome = game.step()
    vector = pong_state.encode(game, 2, outcome, {LEFT: 1, RIGHT: 0})
    assert len(vector) == len(pong_state.FIELDS)
    state = pong_state.decode(vector)
    assert (state.round, state.steps, state.left_move, state.right_move) == (2, 1, 1, 0)
    assert (state.ball_column, state.ball_row) == game.ball.cell
    assert state.left_paddle_y == pytest.approx(0.55) and state.paddle_row(LEFT) == 11
    with pytest.raises(ValueError, match='a pong state has 15 values'):
        pong_state.decode(vector[:-1])


def test_pong_refuses_a_bring_up_without_lockstep():
    with pytest.raises(ValueError, match='pong runs in lockstep rounds only'):
        nodes(use_sim_time='false')


def test_summary_compares_the_last_fifth_with_its_start_and_a_random_paddle(tmp_path):
    from experiments.pong import results
    from experiments.pong.player import random_paddle_reward
    n = 50
    rows = np.arange(n) % 20
    rewards = np.where(np.arange(n) < 25, 0.1, 0.7)
    with open(results.rewards_csv(tmp_path, LEFT), 'w') as handle:
        handle.write('iteration,round,row,winner,reward,mean_reward,paddle_row,move\n')
        for k in range(n):
            handle.write(f'{k + 1},{k + 2},{rows[k]},{rows[k]},{rewards[k]},{k / n},10,0\n')
    (summary,) = results.summarize(tmp_path, {LEFT: 'rn'}, seed=4)
    assert (summary.side, summary.config, summary.iterations) == (LEFT, 'rn', n)
    assert summary.first_reward == pytest.approx(0.1) and summary.last_reward == pytest.approx(0.7)
    assert summary.chance == random_paddle_reward(rows[-10:], 4)
    assert summary.final_mean_reward == pytest.approx((n - 1) / n)
    assert results.completed_iterations(tmp_path) == n
    png = results.plot_mean_reward(tmp_path, {LEFT: 'rn'})
    assert png.stat().st_size > 1000
