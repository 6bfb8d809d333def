"""Unit tests of the maze benchmark's yardsticks and runner (bench/maze_rl.py, maze_learners.py).

No NEST: the Q(lambda) and random learners are plain numpy; the runner is checked with
them and with a scripted learner whose answers are known.
"""

import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from experiments.maze.agent import step_limit
from experiments.maze.results import summarize_evaluation
from neurobot.paths import share_path
from neurobot.world.maze import Maze, MOVE_ORDER
from neurobot.world.maze_generator import MazeSpec, generate_maze

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'bench'))

import maze_learners  # noqa: E402
from maze_rl import Episode, MazeTask, QLambdaLearner, RandomLearner  # noqa: E402

SMALL = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'small.yaml'))
DEFAULT = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'default.yaml'))


def test_the_task_follows_the_agents_rules():
    task = MazeTask(SMALL, max_moves=12)
    # small.yaml: from (0, 0) north is the border wall, east is open
    start = task.index[(0, 0)]
    assert task.step(start, MOVE_ORDER.index('N')) == (-1, -1.0, True)
    nxt, reward, terminal = task.step(start, MOVE_ORDER.index('E'))
    assert (task.cells[nxt], reward, terminal) == ((0, 1), 0.0, False)
    # (0, 1) east onto the goal (0, 2)
    assert task.step(nxt, MOVE_ORDER.index('E')) == (task.goal, 1.0, True)


def test_q_lambda_learns_the_shortest_paths_of_the_default_maze():
    learner = QLambdaLearner(DEFAULT, seed=1, max_moves=step_limit(DEFAULT))
    before = summarize_evaluation(learner.evaluate())
    learner.train(300)
    after = summarize_evaluation(learner.evaluate())
    assert before.success_rate < 1.0
    assert after.success_rate == 1.0 and after.mean_ratio == pytest.approx(1.0)
    # the greedy action of every start cell is a shortest-path move (the maze's own BFS)
    for cell in DEFAULT.start_cells:
        state = learner.task.index[cell]
        assert MOVE_ORDER[int(np.argmax(learner.q[state]))] in DEFAULT.best_moves(cell)


def test_q_lambda_is_reproducible_and_its_seed_matters():
    def run(seed):
        learner = QLambdaLearner(DEFAULT, seed=seed, max_moves=33)
        return [(e.start, e.outcome, e.moves) for e in learner.train(50)], learner.q

    (a, qa), (b, qb) = run(3), run(3)
    assert a == b and np.array_equal(qa, qb)
    assert run(4)[0] != a


def test_timeouts_end_episodes_at_the_step_limit():
    learner = RandomLearner(DEFAULT, seed=1, max_moves=2)
    episodes = learner.train(200)
    assert {e.outcome for e in episodes} <= {'goal', 'wall', 'timeout'}
    assert max(e.moves for e in episodes) == 2
    assert any(e.outcome == 'timeout' for e in episodes)


def test_the_random_policy_stays_at_chance():
    maze = generate_maze(MazeSpec(rows=5, cols=5, n_starts=4, min_start_distance=5), 3)
    learner = RandomLearner(maze, seed=1, max_moves=step_limit(maze))
    learner.train(300)
    rates = [summarize_evaluation(learner.evaluate()).success_rate for _ in range(20)]
    assert np.mean(rates) < 0.1  # hitting no wall for 5+ moves in a row is rare


class Scripted:
    """A learner whose evaluations are given: list of per-start (outcome, moves)."""

    def __init__(self, maze, answers):
        self.maze, self.answers, self.trained = maze, list(answers), 0

    def train(self, episodes):
        self.trained += episodes
        return [Episode(self.maze.start_cells[0], 'goal', 1, 1)] * episodes

    def evaluate(self):
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        lengths = self.maze.start_path_lengths()
        return [Episode(s, outcome, moves, lengths[s])
                for s, (outcome, moves) in zip(self.maze.start_cells, answer)]

    def close(self):
        pass


def test_episodes_to_criterion_is_the_first_evaluation_within_1_3x_from_every_start():
    lengths = [SMALL.start_path_lengths()[s] for s in SMALL.start_cells]  # 2, 4, 4 (drawing)
    failing = [('goal', n) for n in lengths[:-1]] + [('timeout', 12)]
    too_long = [('goal', n) for n in lengths[:-1]] + [('goal', int(lengths[-1] * 1.5))]
    good = [('goal', n) for n in lengths]
    maze_learners.register_learner('scripted_test',
                                   lambda maze, seed, max_moves: Scripted(
                                       maze, [failing, too_long, good]))
    try:
        result = maze_learners.run_pair('scripted_test', SMALL, 1, episodes=100, eval_every=10)
    finally:
        del maze_learners.LEARNERS['scripted_test']
    assert result.episodes_to_criterion == 20
    assert [c[3] for c in result.curve] == [False, False, True]
    assert result.curve[0][1] == pytest.approx(2 / 3)  # a failure is a failure
    assert result.episodes_trained == 20 and not result.error


def test_a_failing_learner_is_reported_not_raised():
    def broken(maze, seed, max_moves):
        raise RuntimeError('no brain today')

    maze_learners.register_learner('broken_test', broken)
    try:
        result = maze_learners.run_pair('broken_test', SMALL, 1, episodes=10, eval_every=5)
    finally:
        del maze_learners.LEARNERS['broken_test']
    assert result.error == 'RuntimeError: no brain today'
    assert result.episodes_to_criterion is None


def test_the_benchmark_command_writes_its_table_curves_and_rows(tmp_path, capsys):
    out = tmp_path / 'bench'
    assert maze_learners.main(['--learners', 'qlambda', 'random', '--mazes', '2', '--seeds',
                               '1', '2', '--episodes', '60', '--out', str(out)]) == 0
    text = (out / 'summary.md').read_text()
    assert '| qlambda | 4 |' in text and '| random | 4 | 0/4 (0%)' in text
    assert 'Command: `python' in text and 'Machine:' in text
    rows = (out / 'pairs.csv').read_text().splitlines()
    assert len(rows) == 1 + 8
    assert (out / 'learning_curves.png').stat().st_size > 10_000
    assert text in capsys.readouterr().out


def test_runs_split_over_seeds_combine_into_the_table_of_one_run(tmp_path, capsys):
    common = ['--learners', 'qlambda', '--mazes', '2', '--episodes', '60']
    assert maze_learners.main([*common, '--seeds', '1', '2', '--out', str(tmp_path / 'a')]) == 0
    assert maze_learners.main([*common, '--seeds', '1', '--out', str(tmp_path / 'b1')]) == 0
    assert maze_learners.main([*common, '--seeds', '2', '--out', str(tmp_path / 'b2')]) == 0
    assert maze_learners.main(['--combine', str(tmp_path / 'b1'), str(tmp_path / 'b2'),
                               '--episodes', '60', '--out', str(tmp_path / 'c')]) == 0
    capsys.readouterr()

    def table_rows(folder):  # the learner's row without the wall times
        line = next(x for x in (tmp_path / folder / 'summary.md').read_text().splitlines()
                    if x.startswith('| qlambda'))
        return line.split('|')[:7]

    assert table_rows('c') == table_rows('a')
    assert len(maze_learners.load_pairs(tmp_path / 'c')) == 4


def test_learners_are_registered_by_name():
    assert list(maze_learners.LEARNERS)[:3] == ['rstdp', 'qlambda', 'random']
    with pytest.raises(ValueError, match='learner name'):
        maze_learners.register_learner('no spaces', lambda *a: None)


PLUGIN = '''
"""A user's learner, registered the way maze_learners' docstring says."""
from maze_learners import register_learner
from maze_rl import RandomLearner

register_learner('my_random', RandomLearner, 'a plug-in learner')
'''


def test_a_plug_in_learner_runs_from_the_command_line_and_in_worker_processes(tmp_path):
    # As a user runs it: the script is __main__ (its spawned workers __mp_main__), and the
    # plug-in imports maze_learners by name; it must land in the registry the run reads
    # (it once went to a second copy of the module: "unknown learners").
    (tmp_path / 'my_plugin.py').write_text(PLUGIN)
    script = str(Path(maze_learners.__file__))
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(
        [str(tmp_path), *filter(None, [os.environ.get('PYTHONPATH')])])}
    listed = subprocess.run([sys.executable, script, '--import', 'my_plugin', '--list'],
                            env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert 'my_random: a plug-in learner' in listed.stdout
    out = tmp_path / 'run'
    ran = subprocess.run([sys.executable, script, '--import', 'my_plugin', '--learners',
                          'my_random', '--mazes', '1', '--seeds', '1', '2', '--episodes', '10',
                          '--jobs', '2', '--out', str(out)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert '| my_random | 2 | 0/2 (0%)' in (out / 'summary.md').read_text()
    assert [r.error for r in maze_learners.load_pairs(out)] == ['', '']


def test_a_maze_file_that_cannot_be_read_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / 'bad.yaml'
    bad.write_text('layout: |\n  +---+\n  | G\n')  # a wall missing: not a maze
    for path in (tmp_path / 'missing.yaml', bad):
        with pytest.raises(SystemExit) as stop:
            maze_learners.main(['--learners', 'random', '--mazes', '0', '--maze-files',
                                str(path), '--out', str(tmp_path / 'out')])
        assert stop.value.code == 2
        assert str(path) in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()  # nothing was run
