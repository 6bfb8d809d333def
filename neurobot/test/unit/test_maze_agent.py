"""Unit tests of the maze experiment's agent, driven round by round with a fake world.

No NEST, no ROS: the brain is replaced by crafted action spikes (so a chosen direction
wins) and the world by a kinematic point robot that integrates the commanded twist.
"""

import math

import numpy as np
import pytest

from experiments.maze.agent import (AgentConfig, DIRECTION_VECTORS, MazeAgent, place_field_rates,
                                 random_walk_steps, step_limit)
from neurobot.paths import share_path
from neurobot.world.maze import Maze, MOVE_ORDER

MAZE = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'default.yaml'))
CELLS = list(MAZE.cells())
GROUP_SIZE = 10  # action neurons per direction
CELLS_PER_FIELD = 4
N_PLACES = len(CELLS) * CELLS_PER_FIELD
N_ACTIONS = len(MOVE_ORDER) * GROUP_SIZE
W0_NA = 0.3
STEP_S = 0.2  # s, one round
ROBOT_RADIUS_M = 0.2
NO_SPIKES = (np.array([], dtype=np.int64), np.array([], dtype=float))


def make_agent(seed=1, evaluate=False, first_episode=0, weights=None, **config):
    weights = np.full((N_PLACES, N_ACTIONS), W0_NA) if weights is None else weights
    return MazeAgent(MAZE, AgentConfig(**config), weights, GROUP_SIZE, seed=seed,
                     step_ms=STEP_S * 1e3, evaluate=evaluate, first_episode=first_episode)


def spikes_for(group):
    """Action spikes where ``group`` wins: 3 of its neurons fire, 2 and 1 of two others."""
    neurons = ([group * GROUP_SIZE + k for k in range(3)]
               + [((group + 1) % 4) * GROUP_SIZE + k for k in range(2)]
               + [((group + 2) % 4) * GROUP_SIZE])
    return np.array(neurons), np.full(len(neurons), 10.0)


def place_index(cell):
    return CELLS.index(tuple(cell))


def centre(cell, yaw=0.0):
    return (*MAZE.cell_to_world(cell), yaw)


class FakeWorld:
    """A point robot of radius ROBOT_RADIUS_M that follows the body-frame twist."""

    def __init__(self):
        self.pose = (0.0, 0.0, 0.0)
        self.twist = (0.0, 0.0, 0.0)
        self.touched = False
        self.placements = []

    def apply(self, commands):
        if commands.place_robot is not None:
            self.placements.append(commands.place_robot)
            self.pose = centre(commands.place_robot)
            self.touched = False
        if commands.twist is not None:
            self.twist = commands.twist

    def step(self):
        x, y, yaw = self.pose
        vx, vy, wz = self.twist
        x += (math.cos(yaw) * vx - math.sin(yaw) * vy) * STEP_S
        y += (math.sin(yaw) * vx + math.cos(yaw) * vy) * STEP_S
        self.pose = (x, y, yaw + wz * STEP_S)
        self.touched = MAZE.distance_to_walls(x, y) < ROBOT_RADIUS_M


def run(agent, policy, until, max_rounds=2000):
    """Run rounds until ``until(commands)``; ``policy(cell)`` is the winning group.

    Returns:
        (commands of every round, the fake world).
    """
    world, history = FakeWorld(), []
    for round_ in range(max_rounds):
        spikes = spikes_for(policy(agent.cell)) if agent.phase == 'decide' else NO_SPIKES
        commands = agent.on_round(round_, world.pose, world.touched, spikes, NO_SPIKES)
        history.append(commands)
        world.apply(commands)
        if until(commands):
            return history, world
        world.step()
    raise AssertionError(f'not done after {max_rounds} rounds')


def toward_goal(cell):
    return MOVE_ORDER.index(MAZE.best_moves(cell)[0])


def into_a_wall(cell):
    return MOVE_ORDER.index(next(m for m in MOVE_ORDER if MAZE.has_wall(cell, m)))


def start_and_decide(agent, group):
    """Round 0 (episode start) and round 1 (decision for ``group``); return both Commands."""
    first = agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    decision = agent.on_round(1, centre(first.place_robot), False, spikes_for(group), NO_SPIKES)
    return first, decision


# ---------------------------------------------------------------------- episodes and decisions

def test_first_round_places_robot_on_a_start_cell_resets_brain_and_shows_it():
    commands = make_agent().on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    start = commands.place_robot
    assert start in MAZE.start_cells
    assert commands.reset_brain
    assert commands.twist == (0.0, 0.0, 0.0)
    assert commands.noise_rate_hz == AgentConfig().noise_rate_hz
    assert commands.set_weights is None and not commands.finished
    rates = commands.place_rates_hz
    assert rates.shape == (N_PLACES,)
    block = slice(place_index(start) * CELLS_PER_FIELD, (place_index(start) + 1) * CELLS_PER_FIELD)
    np.testing.assert_allclose(rates[block], AgentConfig().place_peak_rate_hz)
    assert np.argmax(rates) // CELLS_PER_FIELD == place_index(start)


@pytest.mark.parametrize('group', range(4))
def test_group_with_most_spikes_wins_and_robot_drives_toward_that_neighbour(group):
    agent = make_agent()
    first, decision = start_and_decide(agent, group)
    # the place cells fall silent once the decision is taken; no new reset
    np.testing.assert_array_equal(decision.place_rates_hz, np.zeros(N_PLACES))
    assert not decision.reset_brain
    assert agent.direction == MOVE_ORDER[group]
    move = agent.on_round(2, centre(first.place_robot), False, NO_SPIKES, NO_SPIKES)
    dx, dy = DIRECTION_VECTORS[MOVE_ORDER[group]]
    speed = AgentConfig().speed_mps  # a cell away: the controller is saturated
    np.testing.assert_allclose(move.twist, (dx * speed, dy * speed, 0.0), atol=1e-12)


def test_twist_is_given_in_the_robot_frame_and_turns_the_heading_back_to_zero():
    agent = make_agent()
    first, _ = start_and_decide(agent, MOVE_ORDER.index('E'))
    yaw = math.pi / 2  # robot turned to face north; east is to its right (-y body)
    move = agent.on_round(2, centre(first.place_robot, yaw), False, NO_SPIKES, NO_SPIKES)
    np.testing.assert_allclose(move.twist, (0.0, -1.0, -AgentConfig().yaw_gain_per_s * yaw),
                               atol=1e-12)


def test_controller_slows_down_near_the_target():
    agent = make_agent()
    first, _ = start_and_decide(agent, MOVE_ORDER.index('E'))
    x, y, _ = centre(first.place_robot)
    move = agent.on_round(2, (x + MAZE.cell_size_m - 0.1, y, 0.0), False, NO_SPIKES, NO_SPIKES)
    np.testing.assert_allclose(move.twist, (AgentConfig().gain_per_s * 0.1, 0.0, 0.0))


def test_silent_network_in_training_picks_a_direction_with_the_seeded_generator():
    def first_direction(seed):
        agent = make_agent(seed=seed)
        agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
        agent.on_round(1, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
        return agent.direction

    directions = [first_direction(seed) for seed in range(12)]
    assert directions == [first_direction(seed) for seed in range(12)]
    assert len(set(directions)) > 1  # not always the first group


def test_arriving_at_the_target_cell_starts_the_next_decision():
    agent = make_agent()
    first = agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    start = first.place_robot
    move = MAZE.free_moves(start)[0]
    target = MAZE.neighbour(start, move)
    agent.on_round(1, centre(start), False, spikes_for(MOVE_ORDER.index(move)), NO_SPIKES)
    # 5 cm short: still moving, no decision
    x, y, _ = centre(target)
    dx, dy = DIRECTION_VECTORS[move]
    short = agent.on_round(2, (x - 0.05 * dx, y - 0.05 * dy, 0.0), False, NO_SPIKES, NO_SPIKES)
    assert not short.reset_brain and short.place_rates_hz is None
    arrived = agent.on_round(3, centre(target), False, NO_SPIKES, NO_SPIKES)
    assert arrived.reset_brain
    assert arrived.twist == (0.0, 0.0, 0.0)
    assert np.argmax(arrived.place_rates_hz) // CELLS_PER_FIELD == place_index(target)
    assert arrived.place_robot is None and arrived.set_weights is None
    assert agent.cells == [start, target]
    again = agent.on_round(4, centre(target), False, spikes_for(0), NO_SPIKES)
    np.testing.assert_array_equal(again.place_rates_hz, np.zeros(N_PLACES))
    assert agent.moves == 2


def test_every_reset_in_training_restores_the_exploration_noise():
    """Every reset in training sends the exploration noise again.

    reset_brain returns every input to the brain file's value (noise: 0 Hz), so a
    training decision only explores if the noise rate is sent again with each reset.
    """
    agent = make_agent(first_episode=0)
    history, _ = run(agent, toward_goal, until=lambda c: c.set_weights is not None)
    resets = [c for c in history if c.reset_brain]
    assert len(resets) >= 4
    assert [c.noise_rate_hz for c in resets] == [AgentConfig().noise_rate_hz] * len(resets)


def test_resumed_training_turns_the_exploration_noise_on():
    commands = make_agent(first_episode=5).on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES,
                                                    NO_SPIKES)
    assert commands.noise_rate_hz == AgentConfig().noise_rate_hz


# ---------------------------------------------------------------------- episode ends

def test_touching_a_wall_ends_the_episode_weakening_the_chosen_pairings():
    agent = make_agent()
    first = agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    start = first.place_robot
    group = into_a_wall(start)
    place = place_index(start) * CELLS_PER_FIELD  # one place cell of the start cell
    place_spikes = (np.array([place]), np.array([5.0]))  # 5 ms before the action spikes
    agent.on_round(1, centre(start), False, spikes_for(group), place_spikes)
    ended = agent.on_round(2, centre(start), True, NO_SPIKES, NO_SPIKES)

    record = agent.records[-1]
    assert (record.outcome, record.moves, record.start) == ('wall', 1, start)
    assert record.total_reward == AgentConfig().learning.wall_reward
    assert record.cells == [start]
    assert record.shortest_path == MAZE.shortest_path_length(start)
    weights = ended.set_weights
    assert weights is not None
    np.testing.assert_array_equal(weights, agent.weights)
    # the winners that fired after the place cell
    fired = [group * GROUP_SIZE + k for k in range(3)]
    assert (weights[place, fired] < W0_NA).all()
    others = np.ones(N_PLACES, dtype=bool)
    others[place] = False
    np.testing.assert_array_equal(weights[others], W0_NA)  # silent place cells: unchanged
    # and the next episode starts at once
    assert ended.place_robot in MAZE.start_cells and ended.reset_brain
    assert agent.episode == 1


def test_a_wall_punishes_only_the_move_into_it_not_the_moves_before():
    agent = make_agent()
    first = agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    start = first.place_robot
    move = MAZE.free_moves(start)[0]
    target = MAZE.neighbour(start, move)
    start_place = place_index(start) * CELLS_PER_FIELD
    target_place = place_index(target) * CELLS_PER_FIELD
    agent.on_round(1, centre(start), False, spikes_for(MOVE_ORDER.index(move)),
                   (np.array([start_place]), np.array([5.0])))
    agent.on_round(2, centre(target), False, NO_SPIKES, NO_SPIKES)  # arrived: decide again
    agent.on_round(3, centre(target), False, spikes_for(into_a_wall(target)),
                   (np.array([target_place]), np.array([5.0])))
    ended = agent.on_round(4, centre(target), True, NO_SPIKES, NO_SPIKES)
    assert agent.records[-1].outcome == 'wall'
    # the free move met no prediction error (no step cost, nothing learned yet) and the
    # wall is not blamed on it: the start cell's synapses are unchanged
    np.testing.assert_array_equal(ended.set_weights[start_place], W0_NA)
    wall_neurons = [into_a_wall(target) * GROUP_SIZE + k for k in range(3)]
    assert (ended.set_weights[target_place, wall_neurons] < W0_NA).all()


def test_a_move_that_never_arrives_ends_as_a_wall():
    agent = make_agent(move_timeout_rounds=3)
    first, _ = start_and_decide(agent, 0)
    pose = centre(first.place_robot)  # the robot is stuck
    for round_ in range(2, 5):
        assert agent.on_round(round_, pose, False, NO_SPIKES, NO_SPIKES).set_weights is None
    ended = agent.on_round(5, pose, False, NO_SPIKES, NO_SPIKES)
    assert ended.set_weights is not None
    assert agent.records[-1].outcome == 'wall'


def test_following_the_shortest_path_reaches_the_goal():
    agent = make_agent()
    history, world = run(agent, toward_goal, until=lambda c: c.set_weights is not None)
    record = agent.records[-1]
    start = world.placements[0]
    assert record.outcome == 'goal'
    assert record.start == start
    assert record.moves == MAZE.shortest_path_length(start) == len(record.cells) - 1
    assert record.cells[-1] == MAZE.goal_cell
    assert all(b in MAZE.neighbours(a) for a, b in zip(record.cells, record.cells[1:]))
    p = AgentConfig().learning
    assert record.total_reward == pytest.approx((record.moves - 1) * p.step_reward
                                                + p.goal_reward)
    assert record.sim_time_s == pytest.approx((len(history) - 1) * STEP_S)
    assert len(world.placements) == 2  # placed at the next start cell right away


def test_running_out_of_moves_ends_as_a_timeout():
    agent = make_agent(max_moves=2)

    def away_from_goal(cell):  # a free move that does not reach the goal
        return MOVE_ORDER.index(next(m for m in MAZE.free_moves(cell)
                                     if MAZE.neighbour(cell, m) != MAZE.goal_cell))

    run(agent, away_from_goal, until=lambda c: c.set_weights is not None)
    record = agent.records[-1]
    assert (record.outcome, record.moves, len(record.cells)) == ('timeout', 2, 3)
    assert record.total_reward == pytest.approx(2 * AgentConfig().learning.step_reward)


def test_the_default_step_limit_follows_the_maze():
    # default.yaml: the longest shortest path from a start cell is 11 moves (drawing)
    assert max(MAZE.start_path_lengths().values()) == 11
    assert make_agent().max_moves == 3 * 11
    small = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'small.yaml'))
    weights = np.full((9 * CELLS_PER_FIELD, N_ACTIONS), W0_NA)
    assert MazeAgent(small, AgentConfig(), weights, GROUP_SIZE).max_moves == 3 * 4
    assert step_limit(MAZE, factor=2.5) == 28  # rounded up
    assert make_agent(max_moves=30).max_moves == 30  # given: as given


def test_the_default_limit_ends_a_looping_episode_after_three_times_the_longest_path():
    agent = make_agent()

    def back_and_forth(cell):  # a free move that does not reach the goal
        return MOVE_ORDER.index(next(m for m in MAZE.free_moves(cell)
                                     if MAZE.neighbour(cell, m) != MAZE.goal_cell))

    run(agent, back_and_forth, until=lambda c: c.set_weights is not None)
    assert (agent.records[-1].outcome, agent.records[-1].moves) == ('timeout', 33)


@pytest.mark.parametrize('bad', [0, -3, 2.5, True, '30'])
def test_a_step_limit_that_is_not_a_positive_whole_number_is_rejected(bad):
    with pytest.raises((ValueError, TypeError), match='max_moves'):
        AgentConfig(max_moves=bad)


def test_training_finishes_after_the_configured_episodes():
    agent = make_agent(episodes=3)
    history, _ = run(agent, into_a_wall, until=lambda c: c.finished)
    assert [r.episode for r in agent.records] == [0, 1, 2]
    assert history[-1].set_weights is not None  # the last episode's weights are written
    assert history[-1].twist == (0.0, 0.0, 0.0)
    assert agent.on_round(len(history), (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES).finished


def test_evaluation_tries_every_start_cell_once_without_learning_or_noise():
    weights = np.random.default_rng(0).uniform(0.0, 0.6, (N_PLACES, N_ACTIONS))
    agent = make_agent(evaluate=True, weights=weights.copy())
    history, world = run(agent, into_a_wall, until=lambda c: c.finished)
    assert world.placements == list(MAZE.start_cells)
    assert [r.start for r in agent.records] == list(MAZE.start_cells)
    assert all(r.outcome == 'wall' for r in agent.records)
    starts = [c for c in history if c.place_robot is not None]
    assert all(c.noise_rate_hz == 0.0 for c in starts)
    assert all(c.set_weights is None for c in history)
    np.testing.assert_array_equal(agent.weights, weights)
    assert agent.on_round(len(history), (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES).finished


def test_silent_network_in_evaluation_follows_its_strongest_input():
    weights = np.full((N_PLACES, N_ACTIONS), 0.1)
    weights[:, MOVE_ORDER.index('W') * GROUP_SIZE] = 0.5  # every place drives W most
    agent = make_agent(evaluate=True, weights=weights)
    agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    agent.on_round(1, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    assert agent.direction == 'W'


def start_cells_of(seed, episodes=12):
    agent = make_agent(seed=seed, episodes=episodes)
    _, world = run(agent, into_a_wall, until=lambda c: c.finished)
    return world.placements


def test_same_seed_gives_the_same_start_cells():
    first = start_cells_of(3)
    assert first == start_cells_of(3)
    assert len(set(first)) > 1
    assert first != start_cells_of(4)


def test_weights_of_the_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match='100x40'):
        make_agent(weights=np.zeros((N_ACTIONS, N_PLACES)))


# ---------------------------------------------------------------------- helpers

def test_place_field_rates_peak_at_the_cells_place_cells_with_gaussian_neighbours():
    sigma, peak, base = 0.3, 100.0, 5.0
    cell = (2, 2)
    rates = place_field_rates(MAZE, MAZE.cell_to_world(cell), sigma, peak, base, CELLS_PER_FIELD)
    per_cell = rates.reshape(len(CELLS), CELLS_PER_FIELD)
    assert (per_cell == per_cell[:, :1]).all()  # the cells of one field share its rate
    assert per_cell[place_index(cell), 0] == pytest.approx(peak)
    one_away = base + (peak - base) * math.exp(-0.5 / sigma ** 2)
    for neighbour in [(1, 2), (3, 2), (2, 1), (2, 3)]:
        assert per_cell[place_index(neighbour), 0] == pytest.approx(one_away)
    diagonal = base + (peak - base) * math.exp(-0.5 * 2 / sigma ** 2)
    assert per_cell[place_index((1, 1)), 0] == pytest.approx(diagonal)
    assert per_cell[place_index((4, 4)), 0] == pytest.approx(base)


def test_place_field_rates_between_two_cells_are_shared_equally():
    x0, y0 = MAZE.cell_to_world((0, 0))
    x1, _ = MAZE.cell_to_world((0, 1))
    rates = place_field_rates(MAZE, ((x0 + x1) / 2, y0), 0.3, 100.0, 0.0, 1)
    assert rates[place_index((0, 0))] == pytest.approx(rates[place_index((0, 1))])
    assert set(np.argsort(rates)[-2:]) == {place_index((0, 0)), place_index((0, 1))}


CORRIDOR = Maze.from_dict({'name': 'corridor', 'cell_size_m': 0.6, 'layout': (
    '+---+---+---+\n'
    '| S       G |\n'
    '+---+---+---+\n')})


def test_random_walk_hitting_time_matches_the_reflecting_walk():
    """A random walk along a 3-cell corridor needs 2^2 = 4 moves on average (variance 8)."""
    rng = np.random.default_rng(7)
    steps = [random_walk_steps(CORRIDOR, (0, 0), rng) for _ in range(2000)]
    assert min(steps) == 2 and all(s % 2 == 0 for s in steps)
    assert np.mean(steps) == pytest.approx(4.0, abs=0.25)


def test_random_walk_reaches_the_goal_and_is_reproducible():
    for start in MAZE.start_cells:
        steps = random_walk_steps(MAZE, start, np.random.default_rng(11))
        assert MAZE.shortest_path_length(start) <= steps < 10_000
        assert steps == random_walk_steps(MAZE, start, np.random.default_rng(11))
    assert random_walk_steps(MAZE, MAZE.goal_cell, np.random.default_rng(0)) == 0
    assert random_walk_steps(MAZE, MAZE.start_cells[0], np.random.default_rng(0),
                             max_steps=2) == 2


# ---------------------------------------------------------------------- real-robot modes

def test_config_rejects_unknown_wall_and_placement_modes():
    with pytest.raises(ValueError, match="walls must be one of \\('physical', 'map'\\)"):
        AgentConfig(walls='bumper')
    with pytest.raises(ValueError, match='placement must be one of'):
        AgentConfig(placement='magic')


def test_drive_placement_drives_the_robot_to_the_start_cell_along_free_cells():
    """No teleport: from where the robot stands it drives a shortest path, never through a wall."""
    agent = make_agent(seed=3, placement='drive', walls='map')
    world = FakeWorld()
    world.pose = centre(MAZE.goal_cell)  # the robot happens to stand on the goal
    visited, placements = [], []
    for round_ in range(400):
        commands = agent.on_round(round_, world.pose, world.touched, NO_SPIKES, NO_SPIKES)
        placements.append(commands.place_robot)
        world.apply(commands)
        if agent.phase == 'decide':
            break
        assert agent.phase == 'transit'
        assert not commands.reset_brain, 'the brain is not consulted on the way'
        world.step()
        assert not world.touched, f'drove into a wall at {world.pose}'
        visited.append(MAZE.world_to_cell(*world.pose[:2]))
    else:
        raise AssertionError('never arrived at the start cell')
    assert placements == [None] * len(placements), 'drive placement never teleports'
    start = agent.cells[0]
    assert start in MAZE.start_cells
    assert MAZE.world_to_cell(*world.pose[:2]) == start
    # every cell on the way is a neighbour of the previous one: a path through open walls
    path = [MAZE.goal_cell] + [c for i, c in enumerate(visited) if i == 0 or c != visited[i - 1]]
    path = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    assert all(b in MAZE.neighbours(a) for a, b in zip(path, path[1:])), path
    assert len(path) - 1 == len(MAZE.path_between(MAZE.goal_cell, start)) - 1
    assert commands.reset_brain and commands.place_rates_hz.max() > 0, 'the episode begins'


def test_map_walls_end_the_episode_at_the_decision_without_driving():
    agent = make_agent(walls='map')
    first = agent.on_round(0, (0.0, 0.0, 0.0), False, NO_SPIKES, NO_SPIKES)
    start = first.place_robot
    group = into_a_wall(start)
    decision = agent.on_round(1, centre(start), False, spikes_for(group), NO_SPIKES)
    record = agent.records[-1]
    assert (record.outcome, record.moves, record.cells) == ('wall', 1, [start])
    assert record.total_reward == AgentConfig().learning.wall_reward
    # the next episode starts at once; the robot was never sent towards the wall
    assert decision.place_robot in MAZE.start_cells and decision.reset_brain
    assert decision.twist == (0.0, 0.0, 0.0)
    assert decision.set_weights is not None, 'the wall is learned from'


def test_path_between_is_a_shortest_path_through_open_walls():
    for start in MAZE.start_cells:
        path = MAZE.path_between(start, MAZE.goal_cell)
        assert path[0] == start and path[-1] == MAZE.goal_cell
        assert len(path) - 1 == MAZE.shortest_path_length(start)
        assert all(b in MAZE.neighbours(a) for a, b in zip(path, path[1:]))
    assert MAZE.path_between((0, 0), (0, 0)) == [(0, 0)]
    with pytest.raises(ValueError, match='outside|row'):
        MAZE.path_between((0, 0), (9, 9))
