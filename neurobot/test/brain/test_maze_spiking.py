"""The spiking maze learner (experiments/maze/spiking): learning happens in NEST, and works.

Real NEST in-process (brain_node's Brain). What a user would notice:

- the place->action weights (Go and NoGo) and the critic's move while the robot trains,
  yet no Python code writes them (Brain.set_weights is spied on and never called; the
  brain's own write counter stays at zero), and greedy evaluation leaves them
  bit-identical;
- the NoGo weights change only when the robot has hit a wall (the aversive signal),
  and only for the cell where it decided;
- on a small generated maze the trained greedy policy reaches the goal from every start
  within 1.3x its shortest path, which chance does about never (LEARNING_SEED: seeds
  1-6 all did, measured as noted there).
"""

from pathlib import Path
import sys

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # experiments: not installed

from brain_node.brain import Brain  # noqa: E402
from experiments.maze.spiking.learner import MOVE_ORDER, SpikingMazeLearner  # noqa: E402
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
# Learner seeds 1-6 on this maze, same procedure, trained on to 150 episodes (NoGo
# pathway, Go floor, critic gate, greedy drive; docs/maze_spiking.md, 'Measured'):
# criterion at 30, 60, 90, 40, 30 and 50 episodes. Seed 1 reaches it at 30 and every
# later evaluation up to 150 reaches all three starts.
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
