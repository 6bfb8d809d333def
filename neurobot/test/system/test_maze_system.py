"""System tests of the maze experiment: `neurobot maze` with every node in its own process.

A fixed seed on the small 3 x 3 maze (experiments/maze/mazes/small.yaml), 40 training
episodes: the whole run is lockstepped and seeded, so it is reproducible, and it takes
about 15 s.
The tests check what a user looks at: the greedy policy's steps against the shortest path
and the random walk, the goal rate early and late in training, and that an interrupted
run resumes from its checkpoint.
"""

import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from experiments.maze.agent import random_walk_steps
from experiments.maze.results import RunDirectory, summarize_evaluation
from neurobot.paths import share_path
from neurobot.world.maze import Maze

pytestmark = [pytest.mark.node, pytest.mark.slow]

SMALL_MAZE = share_path('experiments', 'maze', 'mazes', 'small.yaml')
SEED = 1
EPISODES = 40
NEUROBOT = Path(sys.executable).with_name('neurobot')


def run_maze(run_dir, *extra, episodes=EPISODES, timeout_s=240):
    """Run `neurobot maze` on the small maze; return the completed process."""
    command = [str(NEUROBOT), 'maze', '--episodes', str(episodes), '--seed', str(SEED),
               '--run-dir', str(run_dir), f'maze:={SMALL_MAZE}', 'learner:=rstdp', *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                            env=dict(os.environ))
    log = Path(run_dir) / 'logs' / 'launch.log'
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:],
                                    log.read_text()[-5000:] if log.exists() else '')
    return result


def greedy_summary(run: RunDirectory):
    """The honest evaluation: success rate over start cells, mean ratio over the reached."""
    rows = run.read_evaluation()
    assert rows, 'the evaluation wrote no rows'
    return summarize_evaluation(rows)


def random_walk_ratio(maze: Maze) -> float:
    rng = np.random.default_rng(0)
    return float(np.mean([np.mean([random_walk_steps(maze, start, rng) for _ in range(300)])
                          / maze.shortest_path_length(start) for start in maze.start_cells]))


def goal_rate(rows) -> float:
    return sum(row['outcome'] == 'goal' for row in rows) / len(rows)


def test_the_robot_learns_the_small_maze_well_beyond_chance(ros_domain, tmp_path):
    run = RunDirectory(tmp_path / 'run')
    result = run_maze(run.path)
    maze = Maze.from_yaml(SMALL_MAZE)

    episodes = run.read_episodes()
    assert [int(row['episode']) for row in episodes] == list(range(EPISODES))
    starts = {(int(row['start_row']), int(row['start_col'])) for row in episodes}
    assert starts <= set(maze.start_cells) and len(starts) > 1, 'random start cells'
    # learning over the episodes: the goal is reached far more often at the end
    early, late = goal_rate(episodes[:10]), goal_rate(episodes[-10:])
    assert late >= early + 0.4, (early, late)
    # the greedy policy from every start cell, against the random walk in the same maze
    walk = random_walk_ratio(maze)
    greedy = greedy_summary(run)
    assert walk >= 4.0, walk
    assert greedy.success_rate == 1.0, greedy.table()
    assert greedy.mean_ratio <= 1.5, greedy.table()
    assert greedy.headline() in result.stdout
    for png in ('learning_curve.png', 'trajectories.png', 'policy.png'):
        assert (run.path / png).stat().st_size > 10_000, png
    # the checkpoint holds the learned weights of the last episode
    episodes_done, weights, _, _ = run.load_checkpoint()
    assert episodes_done == EPISODES and np.isfinite(weights).all()

    # evaluating again later needs only the run directory (it knows its maze): same result
    evaluation = run.read_evaluation()
    again = subprocess.run([str(NEUROBOT), 'maze-eval', '--run-dir', str(run.path)],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert again.returncode == 0, again.stderr[-3000:]
    assert run.read_evaluation() == evaluation


def test_an_interrupted_run_resumes_from_its_checkpoint(ros_domain, tmp_path):
    run = RunDirectory(tmp_path / 'run')
    run_maze(run.path, episodes=20)
    first_part = run.read_episodes()
    _, weights_after_20, _, _ = run.load_checkpoint()
    assert len(first_part) == 20

    run_maze(run.path, 'resume:=true', episodes=EPISODES)
    episodes = run.read_episodes()
    assert [int(row['episode']) for row in episodes] == list(range(EPISODES))
    assert episodes[:20] == first_part, 'resuming rewrote finished episodes'
    log = (run.path / 'logs' / 'launch.log').read_text()
    assert 'resuming after episode 20' in log
    episodes_done, weights, _, _ = run.load_checkpoint()
    assert episodes_done == EPISODES
    assert not np.array_equal(weights, weights_after_20), 'the resumed episodes learned nothing'
    greedy = greedy_summary(run)
    assert greedy.success_rate == 1.0 and greedy.mean_ratio <= 1.5, greedy.table()
