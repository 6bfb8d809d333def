"""Unit tests of the world runner: forward-only clock, publishing stops, episodes, pacing."""

import math
from pathlib import Path

import numpy as np
import pytest

from neurobot.world.maze import Maze
from neurobot.world.runner import MAX_ADVANCE_MS, RealTimePacer, WorldRunner
from neurobot.world.world import World

PKG = Path(__file__).resolve().parents[2]
DEFAULT_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'default.yaml'
MS = 1_000_000  # ns


@pytest.fixture(scope='module')
def maze():
    return Maze.from_yaml(DEFAULT_YAML)


def stops_of(runner, duration_ms, end_is_stop=True):
    """Run an advance and return [(clock_ms, clock_due, sensors_due)] of its stops."""
    stops = []
    runner.advance(runner.steps_for(duration_ms),
                   lambda clock, sensors: stops.append((runner.clock_ns / MS, clock, sensors)),
                   end_is_stop=end_is_stop)
    return stops


def test_stepped_schedule_sensors_on_their_grid_clock_at_the_end(maze):
    runner = WorldRunner(World(maze), clock_period_ms=0, sensor_period_ms=20)
    assert stops_of(runner, 100) == [(20, False, True), (40, False, True), (60, False, True),
                                     (80, False, True), (100, True, True)]
    # Grids stay aligned to clock zero across advances of odd lengths.
    assert stops_of(runner, 30) == [(120, False, True), (130, True, True)]
    assert stops_of(runner, 4) == [(134, True, True)]
    assert stops_of(runner, 10) == [(140, False, True), (144, True, True)]


def test_free_running_schedule_and_sensors_with_every_clock(maze):
    runner = WorldRunner(World(maze), clock_period_ms=10, sensor_period_ms=20)
    assert stops_of(runner, 40, end_is_stop=False) == [
        (10, True, False), (20, True, True), (30, True, False), (40, True, True)]
    # One clock period per call, as the pacer gives them: sensors every other call only.
    assert stops_of(runner, 10, end_is_stop=False) == [(50, True, False)]
    assert stops_of(runner, 10, end_is_stop=False) == [(60, True, True)]
    runner = WorldRunner(World(maze), clock_period_ms=10, sensor_period_ms=0)
    assert stops_of(runner, 20, end_is_stop=False) == [(10, True, True), (20, True, True)]


def test_cutting_an_advance_into_stops_does_not_change_the_physics(maze):
    plain, runner = World(maze), WorldRunner(World(maze), clock_period_ms=10,
                                             sensor_period_ms=20)
    for cmd in [(0.8, 0.3, 1.0), (1.0, -0.5, -2.0), (-0.4, 0.9, 0.0)]:
        plain.set_cmd_vel(*cmd)
        runner.world.set_cmd_vel(*cmd)
        plain.step(306)
        runner.advance(runner.steps_for(306))
        assert np.array_equal(plain.get_state(), runner.world.get_state())


def test_clock_goes_forward_over_resets_unless_asked(maze):
    runner = WorldRunner(World(maze), clock_period_ms=0, sensor_period_ms=20)
    runner.world.set_cmd_vel(0.5, 0.0, 0.0)
    runner.advance(runner.steps_for(250))
    runner.reset()
    assert runner.clock_ns == 250 * MS and runner.world.sim_time_ms == 0.0
    assert np.array_equal(runner.world.get_state(), World(maze).get_state())
    runner.advance(runner.steps_for(10))
    assert runner.clock_ns == 260 * MS
    runner.reset(reset_clock=True)
    assert runner.clock_ns == 0
    assert runner.sensors().clock_ns == 0


def test_advance_requests_are_checked(maze):
    runner = WorldRunner(World(maze))
    for bad in (3.0, 0.0, -2.0, math.nan, math.inf, MAX_ADVANCE_MS + 2.0):
        with pytest.raises(ValueError, match='duration_ms'):
            runner.steps_for(bad)
    with pytest.raises(TypeError, match='number'):
        runner.steps_for('200')
    assert runner.steps_for(200.0) == 100
    with pytest.raises(ValueError, match='clock_period_ms'):
        WorldRunner(World(maze), clock_period_ms=3.0)
    with pytest.raises(ValueError, match='sensor_period_ms'):
        WorldRunner(World(maze), sensor_period_ms=-20.0)


def test_trajectory_since_the_last_reset_or_placement(maze):
    runner = WorldRunner(World(maze), clock_period_ms=0, sensor_period_ms=0)
    start = maze.cell_to_world(maze.start_cells[0])
    assert runner.trajectory == [start]
    runner.world.set_cmd_vel(0.3, 0.0, 0.0)
    runner.advance(runner.steps_for(200))  # sampled every 20 ms
    traj = runner.trajectory
    assert len(traj) == 11 and traj[0] == start
    assert traj[-1][0] == pytest.approx(start[0] + 0.3 * 0.2, abs=0.01)
    assert traj[-1] == tuple(runner.world.pose()[:2])
    placed = runner.place((0, 4), yaw_rad=1.0)
    assert placed == ((0, 4), *maze.cell_to_world((0, 4)))
    assert runner.trajectory == [maze.cell_to_world((0, 4))]
    runner.advance(runner.steps_for(40))
    runner.reset()
    assert runner.trajectory == [start]


def test_bad_placement_says_what_is_valid_and_changes_nothing(maze):
    runner = WorldRunner(World(maze))
    runner.world.set_cmd_vel(0.5, 0.0, 0.0)
    runner.advance(runner.steps_for(100))
    before, traj = runner.world.get_state(), runner.trajectory
    with pytest.raises(ValueError, match=r'outside the 5x5 grid.*row 0-4, col 0-4'):
        runner.place((5, 0))
    with pytest.raises(ValueError, match='finite'):
        runner.place((1, 1), yaw_rad=math.inf)
    with pytest.raises(ValueError, match='finite'):
        runner.place_random(yaw_rad=math.nan)
    assert np.array_equal(runner.world.get_state(), before) and runner.trajectory == traj


def test_random_placement_follows_the_seed_and_restarts_at_reset(maze):
    a, b = WorldRunner(World(maze, seed=4)), WorldRunner(World(maze, seed=4))
    cells = [a.place_random().cell for _ in range(10)]
    with pytest.raises(ValueError):
        b.place_random(yaw_rad=math.nan)  # a refused request draws nothing
    assert [b.place_random().cell for _ in range(10)] == cells
    assert set(cells) <= set(maze.start_cells) and len(set(cells)) > 1
    a.reset()
    assert [a.place_random().cell for _ in range(10)] == cells


def test_render_writes_a_png(maze, tmp_path):
    runner = WorldRunner(World(maze))
    runner.world.set_cmd_vel(0.3, 0.3, 0.0)
    runner.advance(runner.steps_for(400))
    path = runner.render(tmp_path / 'sub' / 'world.png')
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    for bad in ('', 'world.jpg'):
        with pytest.raises(ValueError, match='png'):
            runner.render(tmp_path / bad if bad else bad)


def test_pacer_keeps_real_time_in_whole_periods():
    pacer = RealTimePacer(1.0, period_steps=5, step_ns=2 * MS)  # 10 ms clock period
    pacer.anchor(0, 0)
    assert pacer.due_steps(9 * MS, 0) == 0
    assert pacer.due_steps(25 * MS, 0) == 10  # 20 ms due, not 25
    assert pacer.due_steps(25 * MS, 10) == 0
    pacer.anchor(0, 0, real_time_factor=4.0)
    assert pacer.due_steps(10 * MS, 0) == 20  # 40 ms of simulated time in 10 ms
    assert pacer.lagged_periods == 0


def test_pacer_drops_a_backlog_instead_of_catching_up():
    pacer = RealTimePacer(1.0, period_steps=5, step_ns=2 * MS, max_lag_ms=50.0)
    pacer.anchor(0, 0)
    assert pacer.due_steps(1000 * MS, 0) == 25  # at most 50 ms of work
    assert pacer.lagged_periods == 95
    assert pacer.due_steps(1000 * MS, 25) == 0  # on time again from here
    assert pacer.due_steps(1010 * MS, 25) == 5


def test_pacer_as_fast_as_possible_runs_batches():
    pacer = RealTimePacer(0.0, period_steps=5, step_ns=2 * MS, batch_periods=10)
    assert pacer.due_steps(0, 0) == 50
    assert pacer.due_steps(0, 3) == 52  # back on the grid first
    with pytest.raises(ValueError, match='real_time_factor'):
        RealTimePacer(-1.0, period_steps=5, step_ns=2 * MS)
