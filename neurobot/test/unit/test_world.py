"""Unit tests of the embedded MuJoCo world: motion, walls, lidar, contacts, determinism.

The lidar is checked against a ray-box intersection written here, independent of the
code under test; walls are checked against the maze's wall boxes, which test_maze.py
ties to the ASCII grid.
"""

import math
from pathlib import Path

import numpy as np
import pytest

from neurobot.world.maze import Maze
from neurobot.world.mjcf import RobotParams
from neurobot.world.world import World

PKG = Path(__file__).resolve().parents[2]
DEFAULT_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'default.yaml'
RADIUS_M = RobotParams().radius_m
WALL_TOLERANCE_M = 0.001  # how far the bumper may sink into a wall at top speed
SCAN_TOLERANCE_M = 0.01


def open_room(n=8):
    """An n x n room of 0.6 m cells with no inner walls, start in the middle."""
    top = '+' + '---+' * n
    inner = '+' + '   +' * n
    rows = []
    for r in range(n):
        cells = ['   '] * n
        if r == n // 2:
            cells[n // 2] = ' S '
        if r == 0:
            cells[0] = ' G '
        rows.append('|' + ' '.join(cells) + '|')
    lines = [top]
    for r in range(n):
        lines.append(rows[r])
        lines.append(top if r == n - 1 else inner)
    return Maze.from_dict({'name': 'room', 'cell_size_m': 0.6, 'layout': '\n'.join(lines)})


@pytest.fixture(scope='module')
def maze():
    return Maze.from_yaml(DEFAULT_YAML)


@pytest.fixture(scope='module')
def room():
    return open_room()


# ---------------------------------------------------------------- helpers (independent)
def ray_box_distance(ox, oy, dx, dy, box):
    """Distance along (dx, dy) from (ox, oy) to an axis-aligned box, or inf (slab method)."""
    t_lo, t_hi = -math.inf, math.inf
    for o, d, lo, hi in ((ox, dx, box.min_x_m, box.max_x_m), (oy, dy, box.min_y_m, box.max_y_m)):
        if abs(d) < 1e-15:
            if not lo <= o <= hi:
                return math.inf
            continue
        t1, t2 = (lo - o) / d, (hi - o) / d
        t_lo, t_hi = max(t_lo, min(t1, t2)), min(t_hi, max(t1, t2))
    if t_lo > t_hi or t_hi < 0:
        return math.inf
    return max(t_lo, 0.0)


def analytic_scan(maze, x, y, yaw, n):
    out = []
    for i in range(n):
        a = yaw - math.pi + i * 2 * math.pi / n
        out.append(min(ray_box_distance(x, y, math.cos(a), math.sin(a), b)
                       for b in maze.wall_boxes()))
    return np.array(out)


def centre_to_wall_m(maze, x, y):
    best = math.inf
    for b in maze.wall_boxes():
        ddx = max(b.min_x_m - x, 0.0, x - b.max_x_m)
        ddy = max(b.min_y_m - y, 0.0, y - b.max_y_m)
        best = min(best, math.hypot(ddx, ddy))
    return best


def drive(world, cmd, duration_ms, every_ms=None):
    """Apply cmd for duration_ms; return the poses after each chunk of every_ms."""
    world.set_cmd_vel(*cmd)
    every_ms = every_ms or world.physics_dt_ms
    poses = []
    for _ in range(int(round(duration_ms / every_ms))):
        world.step(every_ms)
        poses.append(world.pose())
    return poses


# ---------------------------------------------------------------- motion
@pytest.mark.parametrize('cmd', [(0.5, 0.0, 0.0), (0.0, -0.8, 0.0), (0.6, 0.3, 0.0),
                                 (1.0, 0.0, 0.0), (0.0, 0.0, 2.0), (0.4, 0.0, 1.0)])
def test_commanded_velocity_reached_in_free_space(room, cmd):
    world = World(room)
    drive(world, cmd, 300, every_ms=100)
    v = world.velocity()
    lin_err = math.hypot(v.vx_mps - cmd[0], v.vy_mps - cmd[1])
    assert lin_err <= 0.05 * math.hypot(cmd[0], cmd[1]) + 1e-9, v
    assert abs(v.wz_rad_s - cmd[2]) <= 0.05 * abs(cmd[2]) + 1e-9, v
    # Displacement over the next 200 ms agrees too (pure translation only).
    if cmd[2] == 0.0:
        p0 = world.pose()
        world.step(200)
        p1 = world.pose()
        moved = math.hypot(p1.x_m - p0.x_m, p1.y_m - p0.y_m)
        assert moved == pytest.approx(0.2 * math.hypot(cmd[0], cmd[1]), rel=0.05)
        assert not world.contacts().touched


def test_body_frame_command_follows_heading(room):
    world = World(room)
    world.reset(room.start_cells[0], yaw_rad=math.pi / 2)
    drive(world, (0.5, 0.0, 0.0), 400, every_ms=200)
    p = world.pose()
    x0, y0 = room.cell_to_world(room.start_cells[0])
    # Facing +y, "forward" moves north.
    assert p.y_m - y0 > 0.15
    assert abs(p.x_m - x0) < 1e-6


# ---------------------------------------------------------------- walls
@pytest.mark.parametrize('cmd', [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (-1.0, 0.0, 0.0),
                                 (0.0, -1.0, 0.0), (0.7071, 0.7071, 0.0), (1.0, 0.0, 3.0),
                                 (-0.6, 0.8, -3.0)])
def test_robot_stops_at_walls_at_top_speed(maze, cmd):
    world = World(maze)
    for start in maze.start_cells:
        world.reset(start)
        world.set_cmd_vel(*cmd)
        cell = world.current_cell()
        for _ in range(750):  # 1.5 s, checked every 2 ms physics step
            world.step(world.physics_dt_ms)
            p = world.pose()
            assert centre_to_wall_m(maze, p.x_m, p.y_m) >= RADIUS_M - WALL_TOLERANCE_M, p
            new_cell = world.current_cell()
            # Moving between cells is only possible through an opening.
            assert new_cell == cell or new_cell in maze.neighbours(cell), (cell, new_cell)
            cell = new_cell
        assert world.contacts().touched


def test_robot_comes_to_rest_against_a_wall(maze):
    world = World(maze)
    world.reset((2, 4))  # east border is one half cell away
    drive(world, (1.0, 0.0, 0.0), 1000, every_ms=100)
    v = world.velocity()
    assert abs(v.vx_mps) < 0.01
    x_wall = maze.size_x_m - maze.wall_thickness_m / 2
    assert world.pose().x_m == pytest.approx(x_wall - RADIUS_M, abs=0.006)
    assert world.current_cell() == (2, 4)


# ---------------------------------------------------------------- contacts
def test_contacts_reported_and_cleared(maze):
    world = World(maze)
    world.reset((2, 4))
    world.step(200)
    assert world.contacts() == (False, False, 0, math.inf)
    drive(world, (1.0, 0.0, 0.0), 400, every_ms=200)
    report = world.contacts()
    assert report.touched and report.in_contact and report.steps_in_contact > 0
    assert report.min_gap_m > -WALL_TOLERANCE_M
    # Reading the report clears it; backing off leaves no new contacts.
    drive(world, (-0.5, 0.0, 0.0), 200, every_ms=200)
    world.contacts()
    world.step(200)
    assert not world.contacts().touched


# ---------------------------------------------------------------- lidar
def test_scan_matches_analytic_distances(maze):
    world = World(maze, scan_beams=90)
    poses = [(cell, yaw) for cell, yaw in zip(maze.start_cells, (0.0, 0.3, -2.0, math.pi))]
    for cell, yaw in poses:
        world.reset(cell, yaw_rad=yaw)
        p = world.pose()
        np.testing.assert_allclose(world.scan(), analytic_scan(maze, *p, 90),
                                   atol=SCAN_TOLERANCE_M)
    # Off-centre poses reached by driving, with the robot pressed on a wall too.
    world.reset()
    for cmd in [(0.3, 0.2, 0.7), (1.0, -0.4, -1.5), (-0.2, 0.9, 0.0)]:
        drive(world, cmd, 600, every_ms=200)
        p = world.pose()
        np.testing.assert_allclose(world.scan(), analytic_scan(maze, *p, 90),
                                   atol=SCAN_TOLERANCE_M)


def test_scan_beam_convention(maze):
    world = World(maze, scan_beams=4)
    world.reset((2, 4), yaw_rad=0.0)
    assert world.scan_angles_rad == pytest.approx([-math.pi, -math.pi / 2, 0.0, math.pi / 2])
    back, right, front, left = world.scan()
    # In cell (2,4) the east border is 0.275 m ahead; turning left swaps the beams.
    assert front == pytest.approx(0.3 - maze.wall_thickness_m / 2, abs=1e-6)
    world.reset((2, 4), yaw_rad=math.pi / 2)
    assert world.scan()[1] == pytest.approx(front, abs=1e-6)


def test_scan_range_limit(maze):
    world = World(maze, scan_beams=8, scan_range_max_m=0.5)
    ranges = world.scan()
    assert np.isinf(ranges).any() and np.isfinite(ranges).any()
    assert np.all(ranges[np.isfinite(ranges)] <= 0.5)


# ---------------------------------------------------------------- reset and placement
def test_reset_restores_a_fresh_world_exactly(maze):
    fresh = World(maze, seed=3, scan_noise_std_m=0.01)
    used = World(maze, seed=3, scan_noise_std_m=0.01)
    drive(used, (0.8, 0.5, 2.0), 1000, every_ms=200)
    used.scan()
    used.contacts()
    used.reset()
    assert np.array_equal(used.get_state(), fresh.get_state())
    assert used.sim_time_ms == 0.0 and used.cmd_vel == (0.0, 0.0, 0.0)
    assert np.array_equal(used.scan(), fresh.scan())  # noise generator reseeded too
    a = drive(fresh, (0.8, -0.5, 1.0), 600)
    b = drive(used, (0.8, -0.5, 1.0), 600)
    assert a == b


def test_place_robot_is_exact(maze):
    world = World(maze)
    drive(world, (0.7, 0.2, 1.0), 400, every_ms=200)
    t = world.sim_time_ms
    for cell in maze.cells():
        world.place_robot(cell, yaw_rad=0.5)
        x, y = maze.cell_to_world(cell)
        assert world.pose() == (x, y, 0.5)
        assert world.velocity() == (0.0, 0.0, 0.0)
        assert world.cmd_vel == (0.0, 0.0, 0.0)
        assert world.current_cell() == cell
    assert world.sim_time_ms == t
    # A placed robot moves exactly like one in a fresh world placed the same way.
    fresh = World(maze)
    fresh.reset((4, 2))
    world.place_robot((4, 2))
    assert drive(world, (0.3, 0.3, 0.3), 400) == drive(fresh, (0.3, 0.3, 0.3), 400)


def test_place_random_start(maze):
    world = World(maze)
    a = [world.place_random_start(np.random.default_rng(7)) for _ in range(3)]
    assert len(set(a)) == 1  # same generator state, same cell
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(60):
        cell = world.place_random_start(rng)
        assert cell in maze.start_cells
        assert world.pose()[:2] == maze.cell_to_world(cell)
        seen.add(cell)
    assert seen == set(maze.start_cells)
    # Without a generator the world's seeded one is used: same seed, same draws.
    w1, w2 = World(maze, seed=11), World(maze, seed=11)
    assert [w1.place_random_start() for _ in range(8)] == [w2.place_random_start()
                                                          for _ in range(8)]
    with pytest.raises(TypeError, match='Generator'):
        world.place_random_start(rng=42)


def test_bad_placement_leaves_state_unchanged(maze):
    world = World(maze)
    drive(world, (0.5, 0.0, 0.0), 200, every_ms=200)
    before = world.get_state()
    with pytest.raises(ValueError, match='outside'):
        world.place_robot((9, 9))
    with pytest.raises(ValueError, match='finite'):
        world.place_robot((0, 0), yaw_rad=math.nan)
    with pytest.raises(TypeError):
        world.reset(cell='start')
    assert np.array_equal(world.get_state(), before)


# ---------------------------------------------------------------- determinism
def test_same_seed_and_commands_give_identical_trajectory(maze):
    rng = np.random.default_rng(5)
    commands = rng.uniform(-1.2, 1.2, size=(30, 3))

    def run(seed):
        world = World(maze, seed=seed, scan_noise_std_m=0.005)
        world.place_random_start()
        states, scans = [], []
        for cmd in commands:
            world.set_cmd_vel(*cmd)
            world.step(100)
            states.append(world.get_state())
            scans.append(world.scan())
        return np.array(states), np.array(scans)

    s1, r1 = run(9)
    s2, r2 = run(9)
    assert np.array_equal(s1, s2) and np.array_equal(r1, r2)
    _, r3 = run(10)
    assert not np.array_equal(r1, r3)  # the seed does drive the noise


# ---------------------------------------------------------------- bad commands
@pytest.mark.parametrize('bad', [(math.nan, 0.0, 0.0), (0.0, math.inf, 0.0),
                                 (0.0, 0.0, -math.inf), ('fast', 0.0, 0.0), (None, 0, 0),
                                 (0.1, True, 0.0)])
def test_non_finite_commands_rejected_without_changing_state(maze, bad):
    world = World(maze)
    world.set_cmd_vel(0.2, 0.0, 0.1)
    world.step(100)
    before = world.get_state()
    reason = world.set_cmd_vel(*bad)
    assert reason and reason.startswith('rejected')
    assert world.cmd_vel == (0.2, 0.0, 0.1)
    assert np.array_equal(world.get_state(), before)
    world.step(200)
    assert all(math.isfinite(v) for v in (*world.pose(), *world.velocity()))


def test_a_command_at_the_speed_limit_is_not_clamped(room):
    """A command at the top speed that rounding put a few ulps above it is not clamped.

    The maze agent drives at exactly the top speed, rotated into the body frame; that
    must not log 'clamped' every move.
    """
    world = World(room)
    top = world.max_speed_mps
    rng = np.random.default_rng(0)
    commands = []
    for _ in range(1000):  # maze_agent's _drive: a unit vector at top speed, into the body frame
        (ex, ey), yaw = rng.normal(size=2), 0.01 * rng.normal()
        vx_world, vy_world = ex / math.hypot(ex, ey) * top, ey / math.hypot(ex, ey) * top
        vx = math.cos(yaw) * vx_world + math.sin(yaw) * vy_world
        vy = -math.sin(yaw) * vx_world + math.cos(yaw) * vy_world
        if math.hypot(vx, vy) > top:
            commands.append((vx, vy))
    assert commands, 'some commands round above the limit (else this test checks nothing)'
    for vx, vy in commands:
        assert world.set_cmd_vel(vx, vy, 0.0) is None
    reason = world.set_cmd_vel(1.2 * top, 0.0, 0.0)
    assert reason == f'clamped: linear speed {1.2 * top:.6g} m/s clamped to {top:g} m/s'


def test_absurd_commands_clamped(room):
    world = World(room)
    assert world.set_cmd_vel(0.5, 0.0, 0.5) is None
    reason = world.set_cmd_vel(1e300, -1e300, 1e9)
    assert reason.startswith('clamped') and 'linear speed' in reason and 'yaw rate' in reason
    vx, vy, wz = world.cmd_vel
    assert math.hypot(vx, vy) == pytest.approx(world.max_speed_mps)
    assert vx == pytest.approx(-vy)  # direction kept
    assert wz == world.max_yaw_rate_rad_s
    for _ in range(10):
        world.step(20)
        v = world.velocity()
        assert math.hypot(v.vx_mps, v.vy_mps) <= world.max_speed_mps * 1.05
        assert abs(v.wz_rad_s) <= world.max_yaw_rate_rad_s * 1.05


# ---------------------------------------------------------------- stepping and API
def test_step_must_be_a_multiple_of_the_physics_step(maze):
    world = World(maze, physics_dt_ms=2.0)
    world.step(200)
    world.step(2)
    assert world.sim_time_ms == 202.0
    for bad in (3, 0, -2, 1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match='multiple'):
            world.step(bad)
    with pytest.raises(TypeError):
        world.step('200')
    assert world.sim_time_ms == 202.0


def test_odometry_is_pose_and_body_twist(room):
    world = World(room)
    drive(world, (0.4, 0.2, 0.5), 400, every_ms=200)
    odom = world.odometry()
    assert odom.pose == world.pose()
    assert odom.twist == world.velocity()
    assert odom.sim_time_ms == 400.0
    assert -math.pi < odom.pose.yaw_rad <= math.pi


@pytest.mark.parametrize('kwargs, message', [
    ({'physics_dt_ms': 0}, 'physics_dt_ms'), ({'physics_dt_ms': 5.0}, 'at most'),
    ({'scan_beams': 0}, 'scan_beams'), ({'seed': -1}, 'seed'),
    ({'max_speed_mps': math.nan}, 'max_speed_mps'), ({'scan_noise_std_m': -1}, 'noise'),
    ({'robot': RobotParams(radius_m=0.3)}, 'does not fit'),
])
def test_bad_world_parameters(maze, kwargs, message):
    with pytest.raises(ValueError, match=message):
        World(maze, **kwargs)
