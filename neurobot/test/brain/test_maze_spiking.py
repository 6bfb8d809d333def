"""The spiking maze learner (experiments/maze/spiking): learning happens in NEST, and works.

Real NEST in-process (brain_node's Brain). What a user would notice:

- the place->action weights (Go and NoGo) and the critic's move while the robot trains,
  yet no Python code writes them (Brain.set_weights is spied on and never called; the
  brain's own write counter stays at zero), and greedy evaluation leaves them
  bit-identical;
- the NoGo weights change only when the robot has hit a wall (the aversive signal),
  and only for the cell where it decided;
- the TD probe (a cell shown twice, for reports) changes no weight;
- a reverse replay of a path to the goal changes only the replayed moves' weights and
  the critic's values of their cells, the last moves most (and again no Python write);
- on a small generated maze the trained greedy policy reaches the goal from every start
  within 1.3x its shortest path, which chance does about never (LEARNING_SEED: seeds
  1-6 all did, measured as noted there).
"""

from pathlib import Path
import sys

import numpy as np
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # experiments: not installed

from brain_node.brain import Brain  # noqa: E402
from experiments.maze.spiking.learner import (MOVE_ORDER, SpikingConfig,  # noqa: E402
                                              SpikingMazeLearner)
from experiments.maze.spiking.projections import ACTOR, CRITIC, NOGO, PLASTIC  # noqa: E402
from neurobot.world.maze_generator import MazeSpec, generate_maze  # noqa: E402

pytestmark = pytest.mark.brain

SMALL_MAZE = MazeSpec(rows=3, cols=3, n_starts=3)
MAZE_SEED = 7  # a 3x3 perfect maze, starts 4, 5 and 6 moves from the goal


def small_maze():
    return generate_maze(SMALL_MAZE, MAZE_SEED)


def dense(brain, name):
    rows, cols, flat = brain.get_weights(name)
    return np.asarray(flat, dtype=np.float64).reshape(rows, cols)


def test_training_changes_weights_only_through_nest_plasticity(monkeypatch):
    writes = []
    original = Brain.set_weights

    def spy(self, *args, **kwargs):
        writes.append(args[0] if args else kwargs.get('name'))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Brain, 'set_weights', spy)
    learner = SpikingMazeLearner(small_maze(), seed=3)
    brain = learner.brain
    seen = {name: [dense(brain, name)] for name in PLASTIC}
    step = Brain.step

    def step_and_record(self):
        result = step(self)
        for name in seen:
            seen[name].append(dense(self, name))
        return result

    monkeypatch.setattr(Brain, 'step', step_and_record)
    records = learner.train(5)
    assert any(r.outcome == 'wall' for r in records)  # so the NoGo rule had a signal
    assert writes == []
    assert all(brain.weights_version(name) == 0 for name in PLASTIC)
    rules = {ACTOR: 'DOPAMINE_RULE', CRITIC: 'CRITIC_RULE', NOGO: 'NOGO_RULE'}
    for name, history in seen.items():
        history = np.array(history)
        changed = np.abs(np.diff(history, axis=0)).max(axis=(1, 2)) > 0
        assert len(history) > 10
        # weights moved during the run, step by step, as NEST's rule integrated dopamine
        assert changed.sum() >= 3, f'{name}: weights changed in only {changed.sum()} steps'
        # and stayed inside the rule's bounds (nA; the brain file's Wmin/Wmax are pA)
        rule = brain.namespace[rules[name]]
        assert history.min() >= rule['Wmin'] / 1000 - 1e-12
        assert history.max() <= rule['Wmax'] / 1000 + 1e-12


def test_greedy_evaluation_leaves_the_weights_untouched():
    learner = SpikingMazeLearner(small_maze(), seed=4)
    learner.train(3)
    before = {name: dense(learner.brain, name) for name in PLASTIC}
    records = learner.evaluate()
    assert [r.start for r in records] == [tuple(s) for s in learner.maze.start_cells]
    for name, weights in before.items():
        np.testing.assert_array_equal(dense(learner.brain, name), weights)
    # training afterwards learns again
    learner.train(2)
    assert not np.array_equal(dense(learner.brain, ACTOR), before[ACTOR])


def test_the_td_probe_shows_a_cell_twice_and_changes_no_weight():
    # bench/maze_td_probe.py reads the network's TD error with it: a probe that learned
    # would change the brain it reports on
    learner = SpikingMazeLearner(small_maze(), seed=3)
    learner.train(3)
    before = {name: dense(learner.brain, name) for name in PLASTIC}
    shown = []
    place_rates = learner.place_rates
    learner.place_rates = lambda cell: shown.append(cell) or place_rates(cell)
    value_hz, dopamine_hz = learner.probe_td((1, 1), repeats=3)
    assert shown == [(1, 1)] * 6  # decide, then the same cell again, three times
    assert value_hz > 0 and dopamine_hz > 0  # striatal and dopaminergic background
    for name, weights in before.items():
        np.testing.assert_array_equal(dense(learner.brain, name), weights)
    learner.train(2)  # training afterwards learns again
    assert not np.array_equal(dense(learner.brain, ACTOR), before[ACTOR])


def test_the_td_probe_command_prints_training_and_per_cell_tables(tmp_path, capsys):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / 'bench'))
    import maze_td_probe
    path = tmp_path / 'small.yaml'
    path.write_text(yaml.safe_dump(small_maze().to_dict()))
    assert maze_td_probe.main(['--maze', str(path), '--episodes', '4', '--blocks', '2',
                               '--repeats', '1']) == 0
    out = capsys.readouterr().out
    assert 'dopamine background' in out and 'dopamine while training' in out
    assert out.count('\n0-2 ') == 1 and out.count('\n2-4 ') == 1  # one row per block
    cells = [line for line in out.splitlines() if line.startswith('(')]
    assert len(cells) == 8  # every cell of the 3x3 maze but the goal
    assert 'dopamine when nothing changes:' in out
    with pytest.raises(SystemExit) as stop:  # a maze that cannot be read: a usage error
        maze_td_probe.main(['--maze', str(tmp_path / 'missing.yaml')])
    assert stop.value.code == 2 and 'missing.yaml' in capsys.readouterr().err


def test_nogo_weights_change_only_after_a_wall_and_only_where_the_robot_decided(monkeypatch):
    learner = SpikingMazeLearner(small_maze(), seed=6)
    k = learner.k
    phases = []  # (aversive rate, cell shown to the actor or None, NoGo change in the step)
    inputs = {}
    set_input, step = Brain.set_input, Brain.step

    def spy_input(self, name, values):
        inputs[name] = np.array(values, dtype=float, copy=True)
        return set_input(self, name, values)

    def spy_step(self):
        before = dense(self, NOGO)
        result = step(self)
        places = np.atleast_1d(inputs['places'])
        shown = np.flatnonzero(places) // k if places.size > 1 else np.array([], dtype=int)
        phases.append((float(np.max(inputs['aversive'])), set(shown.tolist()),
                       np.abs(dense(self, NOGO) - before)))
        return result

    monkeypatch.setattr(Brain, 'set_input', spy_input)
    monkeypatch.setattr(Brain, 'step', spy_step)
    records = learner.train(8)
    walls = sum(r.outcome == 'wall' for r in records)
    assert walls >= 2, [r.outcome for r in records]
    changed = [k_ for k_, (_, _, change) in enumerate(phases) if change.max() > 1e-9]
    aversive = [k_ for k_, (rate, _, _) in enumerate(phases) if rate > 0]
    assert len(aversive) == walls  # one aversive phase per wall hit
    # NoGo moves only from an aversive phase to the episode's end (the wall's remaining
    # evaluate phases and the hold, while the aversive trace decays); never on a free move
    after = range(learner.config.wall_phases + 1)
    assert changed and set(changed) <= {a + d for a in aversive for d in after}, \
        (changed, aversive)
    for a in aversive:
        decided = phases[a - 1][1]  # the decide phase before the wall: the cell left
        change = sum(phases[a + d][2] for d in after)
        rows = set(np.flatnonzero(change.max(axis=1) > 1e-3) // k)
        assert rows <= decided, (rows, decided)  # > 1 pA only on the deciding cell's rows


def path_moves(maze, start):
    """(cell, move, cell reached) along a shortest path from ``start`` to the goal."""
    cells = maze.path_between(start, maze.goal_cell)
    return [(here, next(m for m in MOVE_ORDER if not maze.has_wall(here, m)
                        and maze.neighbour(here, m) == there), there)
            for here, there in zip(cells, cells[1:])]


@pytest.mark.parametrize('seed', [2, 5])
def test_a_replay_carries_the_goals_reward_back_along_the_path_in_nest(monkeypatch, seed):
    # One reverse replay of a 6-move path on an untrained brain. Measured with seeds 1-5
    # (docs/maze_spiking.md, Replay): the last two moves' action groups gain 110-243 pA,
    # the other groups of those cells nothing; the critic's value of the last two cells
    # rises 20-110 pA; cells off the path are untouched.
    maze = small_maze()
    learner = SpikingMazeLearner(maze, seed=seed)
    writes, shown = [], []
    original = Brain.set_weights
    monkeypatch.setattr(Brain, 'set_weights',
                        lambda self, *a, **kw: writes.append(a) or original(self, *a, **kw))
    place_rates = learner.place_rates

    def spy_rates(cell):
        shown.append(cell)
        return place_rates(cell)

    learner.place_rates = spy_rates
    start = max(learner.starts, key=maze.shortest_path_length)
    moves = path_moves(maze, start)
    before = {name: dense(learner.brain, name) for name in PLASTIC}
    assert learner.replay(moves) == len(moves) == 6
    after = {name: dense(learner.brain, name) for name in PLASTIC}
    assert writes == [] and all(learner.brain.weights_version(n) == 0 for n in PLASTIC)
    # the moves are shown last first: decide (the cell left), evaluate and hold (the cell
    # reached; nothing once it is the goal)
    decided = shown[0::3]
    assert decided == [here for here, _, _ in reversed(moves)]
    k, size = learner.k, learner.group_size
    change = {name: (after[name] - before[name]) * 1000 for name in PLASTIC}  # pA
    np.testing.assert_array_equal(change[NOGO], 0)  # no aversive signal in a replay
    on_path = {learner.index[tuple(here)] for here, _, _ in moves}
    for cell in range(len(learner.cells)):
        if cell not in on_path:  # its place cells were silent: no pairing, no change
            np.testing.assert_array_equal(change[ACTOR][cell * k:(cell + 1) * k], 0)
            np.testing.assert_array_equal(change[CRITIC][cell * k:(cell + 1) * k], 0)
    for here, move, _ in moves[-2:]:
        rows = slice(learner.index[tuple(here)] * k, (learner.index[tuple(here)] + 1) * k)
        groups = change[ACTOR][rows].reshape(k, len(MOVE_ORDER), size).mean(axis=(0, 2))
        taken = MOVE_ORDER.index(move)
        assert groups[taken] > 50, (here, groups)
        assert np.abs(np.delete(groups, taken)).max() < 1, (here, groups)
        assert change[CRITIC][rows].mean() > 10, here  # the value reaches the cell before


def test_replay_follows_goal_episodes_only_and_can_be_switched_off():
    maze = small_maze()
    learner = SpikingMazeLearner(maze, seed=1)
    records = []
    while len(records) < 60 and not any(r.outcome == 'goal' for r in records):
        records += learner.train(1)
    assert records[-1].outcome == 'goal' and len(records) > 1, [r.outcome for r in records]
    for r in records:  # a goal run is replayed without its loops: one move per cell left
        path = []
        for cell in r.cells:
            path = path[:path.index(cell) + 1] if cell in path else path + [cell]
        assert r.replayed == (len(path) - 1 if r.outcome == 'goal' else 0), r
    quiet = SpikingMazeLearner(maze, seed=1, config=SpikingConfig(replay=False))
    assert all(r.replayed == 0 for r in quiet.train(4))
    with pytest.raises(ValueError, match='replay_critic_gain'):
        SpikingConfig(replay_critic_gain=0)


def test_place_code_and_decoding_follow_the_maze_and_the_spike_counts():
    maze = small_maze()
    learner = SpikingMazeLearner(maze, seed=5)
    rates = learner.place_rates((1, 2))
    k = learner.k
    active = np.flatnonzero(rates)
    assert list(active) == list(range(5 * k, 6 * k))  # cell (1, 2) is the 6th, row-major
    assert not learner.place_rates(None).any()

    class Spikes:
        def __init__(self, neurons):
            self.neurons = np.asarray(neurons)

    class Result:
        def __init__(self, neurons):
            self.spikes = {'actions': Spikes(neurons)}

    size = learner.group_size
    west = [3 * size + 1] * 5 + [0, 1, size]  # 5 spikes in W, 2 in N, 1 in E
    assert MOVE_ORDER[learner.decode(Result(west))] == 'W'
    ties = {MOVE_ORDER[learner.decode(Result([0, size]))] for _ in range(40)}
    assert ties == {'N', 'E'}  # a tie is drawn, never always the first


# The learning test, with the benchmark's measure (bench/maze_learners.py): greedy
# evaluations every EVAL_EVERY training episodes; the learner passes when one of them has
# every start reach the goal within CRITERION x its shortest path. A uniformly random
# policy passes one evaluation with probability RANDOM_PASS (the product over starts of
# reaching the goal that fast, simulated below), i.e. about never.
TRAINING_EPISODES = 150
EVAL_EVERY = 10
CRITERION = 1.3
# Learner seeds 1-6 on this maze, same procedure, trained on to 150 episodes (the
# default learner, with reverse replay; docs/maze_spiking.md, 'Measured'): criterion at
# 20, 30, 50, 30, 20 and 30 episodes. Seed 1 reaches it at 20 and keeps it in every
# evaluation up to 100 episodes (noise and plasticity stay on; it is lost from 110).
LEARNING_SEED = 1


def random_pass_probability(maze, episodes=20000, seed=0) -> float:
    rng = np.random.default_rng(seed)
    probability = 1.0
    for start in maze.start_cells:
        limit = int(CRITERION * maze.shortest_path_length(start))
        reached = 0
        for _ in range(episodes):
            cell = tuple(start)
            for _ in range(limit):
                move = MOVE_ORDER[rng.integers(4)]
                if maze.has_wall(cell, move):
                    break
                cell = maze.neighbour(cell, move)
                if cell == maze.goal_cell:
                    reached += 1
                    break
        probability *= reached / episodes
    return probability


def at_criterion(records) -> bool:
    return all(r.outcome == 'goal' and r.moves <= CRITERION * r.shortest_path + 1e-9
               for r in records)


@pytest.mark.slow
def test_learns_the_small_maze_far_beyond_chance():
    maze = small_maze()
    evaluations = TRAINING_EPISODES // EVAL_EVERY + 1
    assert random_pass_probability(maze) * evaluations < 1e-3  # luck cannot pass this
    learner = SpikingMazeLearner(maze, seed=LEARNING_SEED)
    history = []
    for trained in range(0, TRAINING_EPISODES + 1, EVAL_EVERY):
        records = learner.evaluate()
        history.append((trained, sum(r.outcome == 'goal' for r in records)))
        if at_criterion(records):
            return
        if trained < TRAINING_EPISODES:
            learner.train(EVAL_EVERY)
    pytest.fail(f'no greedy evaluation at criterion within {TRAINING_EPISODES} episodes; '
                f'(episodes, starts reached): {history}')
