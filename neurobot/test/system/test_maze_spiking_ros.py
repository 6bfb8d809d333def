"""The spiking maze learner over ROS: it learns, only NEST writes weights, it is the offline one.

Real processes (``neurobot launch maze`` / ``neurobot maze-eval``: world_node, brain_node
on experiments/maze/spiking/brain.py, tf_node on its transfer function, in lockstep) on the
shipped 3x3 maze (``small.yaml``: three start cells 2-4 moves from the goal, step limit
12 moves).

- Learning beyond chance: seed 1, 60 episodes. Chance is the goal rate of a uniformly
  random choice among N/E/S/W with a wall ending the episode (the learner's own task),
  computed here by simulation on the maze graph: 3 %, i.e. 0.6 goals expected in 20
  episodes (P(>= 5) < 0.1 %). Measured with the same learner (offline, which equals the
  ROS run; seeds 1-6): goals in episodes 40-59 were 12, 10, 7, 7, 12, 16 of 20, in
  episodes 0-9 0, 0, 1, 0, 1, 1. The test asks for >= 5 late goals and a late goal
  rate at least twice the early one.
- No Python writes place->action weights while training: brain_node reports the
  set_weights calls it accepted per projection when it closes (none), while its weight
  recorder (record_weights:=places_to_actions) sees the weights change. The greedy
  evaluation (brain_node's synapse_properties set the rules' amplitudes to 0) leaves the
  recorded weights exactly as the checkpoint restored them.
- ROS == offline: every episode's trajectory and the checkpoint's weights equal
  SpikingMazeLearner's on an in-process Brain with the same seed (one idle step first:
  tf_node hears the brain for the first time after its first round).
- Resume: a run continued with resume:=true keeps its rows and gets its weights back
  from the checkpoint (one set_weights per plastic projection: restoring, not learning).

About 1 min alone on the 2-core test machine, 3 min under load.
"""

import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

pytestmark = [pytest.mark.node, pytest.mark.slow]

NEUROBOT = Path(sys.executable).with_name('neurobot')
MAZE = Path(__file__).resolve().parents[2] / 'experiments' / 'maze' / 'mazes' / 'small.yaml'
SEED = 1
EPISODES = 60
EARLY, LATE = slice(0, 10), slice(40, 60)  # episodes
CHANCE_WALKS = 20000  # random episodes for the chance rate


def run(args, tmp_path, name):
    result = subprocess.run([str(NEUROBOT), *args], capture_output=True, text=True,
                            timeout=400, env=dict(os.environ))
    output = result.stdout + result.stderr
    (tmp_path / f'{name}.txt').write_text(output)
    assert result.returncode == 0, output[-4000:]
    return output


def chance_goal_rate(maze, max_moves, rng) -> float:
    """Goal rate of a uniformly random N/E/S/W policy, a wall ending the episode."""
    goals = 0
    for _ in range(CHANCE_WALKS):
        cell = tuple(maze.start_cells[rng.integers(len(maze.start_cells))])
        for _ in range(max_moves):
            move = 'NESW'[rng.integers(4)]
            if maze.has_wall(cell, move):
                break
            cell = maze.neighbour(cell, move)
            if cell == maze.goal_cell:
                goals += 1
                break
    return goals / CHANCE_WALKS


def set_weights_line(output: str) -> str:
    lines = [line for line in output.splitlines() if 'set_weights calls accepted' in line]
    assert len(lines) == 1, output[-3000:]
    return lines[0]


@pytest.fixture(scope='module')
def trained(module_ros_domain, tmp_path_factory):
    """One training run and one evaluation of it (module scope: ~2 min together)."""
    tmp_path = tmp_path_factory.mktemp('spiking')
    run_dir = tmp_path / 'run'
    training = run(['launch', 'maze', 'learner:=spiking', f'maze:={MAZE}',
                    f'episodes:={EPISODES}', f'seed:={SEED}',
                    f'run_dir:={run_dir}', 'record_weights:=places_to_actions'],
                   tmp_path, 'training')
    from brain_node.weight_recorder import read_weight_file
    _, training_weights = read_weight_file(run_dir / 'weights.nbw')['places_to_actions']
    evaluation = run(['maze-eval', '--run-dir', str(run_dir), '--seed', str(SEED),
                      'learner:=spiking', f'maze:={MAZE}', 'record_weights:=places_to_actions',
                      'record_weights_every_ms:=50'],  # every round
                     tmp_path, 'evaluation')
    evaluation += (run_dir / 'logs' / 'launch.log').read_text()  # the nodes' output
    _, evaluation_weights = read_weight_file(run_dir / 'weights.nbw')['places_to_actions']
    return {'run_dir': run_dir, 'training': training, 'evaluation': evaluation,
            'training_weights': training_weights, 'evaluation_weights': evaluation_weights}


def test_spiking_learner_reaches_the_goal_far_more_often_than_chance(trained):
    from experiments.maze.agent import step_limit
    from experiments.maze.results import RunDirectory
    from neurobot.world.maze import Maze
    maze = Maze.from_yaml(MAZE)
    chance = chance_goal_rate(maze, step_limit(maze), np.random.default_rng(0))
    assert 0.01 < chance < 0.06, chance  # the oracle itself: ~3 % on this maze
    rows = RunDirectory(trained['run_dir']).read_episodes()
    assert len(rows) == EPISODES
    goals = np.array([row['outcome'] == 'goal' for row in rows])
    early, late = goals[EARLY].mean(), goals[LATE].mean()
    assert goals[LATE].sum() >= 5 and late >= 2 * early, (early, late, chance)
    assert late > 5 * chance, (late, chance)


def test_only_nest_changes_the_actor_weights_and_evaluation_freezes_them(trained):
    # training: no set_weights at all, yet the recorded actor weights moved
    assert set_weights_line(trained['training']).endswith('set_weights calls accepted: none')
    weights = trained['training_weights']
    assert len(weights) >= 2
    changed = np.abs(weights[-1] - weights[0])
    # nA (brain_node's unit); the untrained weights are 0.10-0.14 nA
    assert np.nanmax(changed) > 0.05, 'the dopamine rule changed no weight by 50 pA'
    # evaluation: the checkpoint written back once (restoring), then nothing moves
    line = set_weights_line(trained['evaluation'])
    assert all(f'{name} 1' in line for name in ('places_to_actions', 'places_to_striatum',
                                                 'places_to_actions_nogo')), line
    assert 'synapse properties set: stdp_dopamine_synapse' in trained['evaluation']
    # the recording starts with the brain file's weights; from the restore on (at the
    # transfer function's start, before the first move) every round's weights are the
    # checkpoint's
    with np.load(trained['run_dir'] / 'checkpoint.npz') as checkpoint:
        saved = checkpoint['weights']
    frames = trained['evaluation_weights']
    restored = [k for k, frame in enumerate(frames) if np.allclose(frame, saved, rtol=1e-12)]
    assert restored and restored[0] <= 2, 'the checkpoint was not restored at start'
    assert len(frames) - restored[0] >= 5, len(frames)  # a frame per round of 10 moves
    for frame in frames[restored[0]:]:
        np.testing.assert_array_equal(frame, frames[restored[0]])
    evaluation = (trained['run_dir'] / 'evaluation.csv').read_text().splitlines()
    assert len(evaluation) == 1 + 3, evaluation  # header, one row per start cell


def test_the_run_draws_the_critics_value_map_with_values_learned_in_nest(trained, tmp_path):
    from experiments.maze.plots import cell_values
    from experiments.maze.results import RunDirectory
    from neurobot.world.maze import Maze
    # a run made by `neurobot launch` has no arguments.json: without --maze, the default
    # maze is not this run's maze, and maze-plots says so instead of failing in a figure
    guess = subprocess.run([str(NEUROBOT), 'maze-plots', '--run-dir', str(trained['run_dir'])],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert guess.returncode == 2 and 'pass the maze it was trained on' in guess.stderr, \
        guess.stderr[-3000:]
    assert 'Traceback' not in guess.stderr
    output = run(['maze-plots', '--run-dir', str(trained['run_dir']), '--maze', str(MAZE)],
                 tmp_path, 'plots')
    values_png = trained['run_dir'] / 'values.png'
    assert str(values_png) in output and values_png.stat().st_size > 10_000
    # the map is of values the critic learned: the untrained place->striatum weights are
    # 10-20 pA; after goals were reached (test above), cells next to the goal have more
    maze = Maze.from_yaml(MAZE)
    values = cell_values(RunDirectory(trained['run_dir']).load_checkpoint()[2],
                         len(list(maze.cells())), 4)
    assert values.max() > 30.0, values


def test_ros_run_is_the_offline_learner_move_for_move(trained):
    from experiments.maze.results import RunDirectory
    from experiments.maze.spiking.learner import SpikingMazeLearner
    from neurobot.world.maze import Maze
    offline = SpikingMazeLearner(Maze.from_yaml(MAZE), seed=SEED)
    offline.brain.step()  # the round before tf_node's first call
    records = offline.train(EPISODES)
    trajectories = RunDirectory(trained['run_dir']).read_trajectories()
    assert [[tuple(c) for c in t['cells']] for t in trajectories] == \
        [list(r.cells) for r in records]
    assert [t['outcome'] for t in trajectories] == [r.outcome for r in records]
    # the weights NEST learned in brain_node are the in-process brain's
    with np.load(trained['run_dir'] / 'checkpoint.npz') as checkpoint:
        np.testing.assert_allclose(checkpoint['weights'], offline.weights(), rtol=1e-9)
        np.testing.assert_allclose(checkpoint['critic_values'],
                                   offline.weights('places_to_striatum'), rtol=1e-9)
        np.testing.assert_allclose(checkpoint['extra_places_to_actions_nogo'],
                                   offline.weights('places_to_actions_nogo'), rtol=1e-9)


def test_resume_restores_the_checkpoint_and_continues(ros_domain, tmp_path):
    """3 episodes, then resume:=true to 6: the rows are kept, the weights written back once."""
    from experiments.maze.results import RunDirectory
    run_dir = tmp_path / 'run'
    common = ['launch', 'maze', 'learner:=spiking', f'maze:={MAZE}', f'seed:={SEED}',
              f'run_dir:={run_dir}']
    first = run([*common, 'episodes:=3'], tmp_path, 'first')
    assert set_weights_line(first).endswith('none')
    before = RunDirectory(run_dir).read_episodes()
    assert len(before) == 3
    resumed = run([*common, 'episodes:=6', 'resume:=true'], tmp_path, 'resumed')
    assert 'resuming after episode 3' in resumed
    line = set_weights_line(resumed)  # the restore, and nothing else
    assert all(f'{name} 1' in line for name in ('places_to_actions', 'places_to_striatum',
                                                 'places_to_actions_nogo')), line
    after = RunDirectory(run_dir).read_episodes()
    assert [row['episode'] for row in after] == [str(k) for k in range(6)]
    assert after[:3] == before
    with np.load(run_dir / 'checkpoint.npz') as checkpoint:
        assert int(checkpoint['episodes_done']) == 6
