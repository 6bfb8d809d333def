"""Unit tests of the rviz marker descriptions (neurobot.monitoring.markers)."""

import math

import numpy as np
import pytest

from experiments.maze.agent import AgentConfig, place_field_rates
from neurobot.monitoring import markers as m
from neurobot.world.maze import Maze

TINY = """\
+---+---+---+
| S         |
+   +---+   +
|   |     G |
+---+---+---+
"""


@pytest.fixture
def maze():
    return Maze.from_dict({'name': 'tiny', 'cell_size_m': 0.6, 'layout': TINY})


def by_key(specs):
    return {(s.namespace, s.id): s for s in specs}


def test_walls_are_the_maze_wall_boxes_standing_on_the_floor(maze):
    specs = [s for s in m.maze_markers(maze) if s.namespace == 'walls']
    boxes = maze.wall_boxes()
    assert [s.id for s in specs] == list(range(len(boxes)))
    for spec, box in zip(specs, boxes):
        assert spec.shape == m.CUBE
        assert spec.position_m == (box.center_x_m, box.center_y_m, box.height_m / 2)
        assert spec.scale_m == (box.size_x_m, box.size_y_m, box.height_m)
        assert spec.color == m.WALL_COLOR


def test_start_and_goal_tiles_lie_on_their_cells(maze):
    specs = by_key(m.maze_markers(maze))
    start, goal = specs[('start_cells', 0)], specs[('goal', 0)]
    assert start.position_m[:2] == pytest.approx((0.3, 0.9))  # cell (0, 0): top left
    assert goal.position_m[:2] == pytest.approx((1.5, 0.3))  # cell (1, 2): bottom right
    assert start.scale_m[0] == pytest.approx(0.9 * 0.6)
    assert (start.color, goal.color) == (m.START_COLOR, m.GOAL_COLOR)
    assert ('start_cells', 1) not in specs


def test_robot_body_and_heading_at_the_pose():
    body, heading = m.robot_markers(1.2, 0.4, math.pi / 2, radius_m=0.2, height_m=0.15)
    assert (body.namespace, body.id, body.shape) == ('robot', 0, m.CYLINDER)
    assert body.position_m == (1.2, 0.4, 0.075)
    assert body.scale_m == (0.4, 0.4, 0.15)
    assert (heading.id, heading.shape, heading.yaw_rad) == (1, m.ARROW, math.pi / 2)
    assert heading.position_m[:2] == (1.2, 0.4)


def test_cell_rates_invert_the_agents_place_field_layout(maze):
    """A place field drive of cell (1, 1) read back through the marker mapping peaks there."""
    config = AgentConfig()
    rates = place_field_rates(maze, maze.cell_to_world((1, 1)), config.place_sigma_cells,
                              100.0, 0.0, config.cells_per_field)
    step_ms = 200.0
    counts = np.round(rates * step_ms / 1e3).astype(int)  # spikes at exactly those rates
    cell_rates = m.cell_rates_hz(6, counts, step_ms)
    assert cell_rates.argmax() == list(maze.cells()).index((1, 1)) == 4
    np.testing.assert_allclose(cell_rates, counts.reshape(6, 4).sum(axis=1) / (4 * 0.2))


def test_cell_rates_count_each_cells_own_neurons():
    counts = np.zeros(12, dtype=int)
    counts[[4, 5, 7]] = [1, 2, 1]  # neurons 4..7 are cell 1's (4 neurons per cell)
    counts[11] = 3  # cell 2
    np.testing.assert_array_equal(m.cell_rates_hz(3, counts, 100.0), [0.0, 10.0, 7.5])


@pytest.mark.parametrize('size', [0, 7, 13])
def test_cell_rates_refuse_a_population_that_does_not_fit_the_maze(size):
    with pytest.raises(ValueError, match='for 3 cells'):
        m.cell_rates_hz(3, np.zeros(size), 100.0)


def test_rate_colours_run_from_silent_to_active_and_saturate():
    assert m.rate_color(0.0, 100.0) == m.SILENT_COLOR
    assert m.rate_color(100.0, 100.0) == pytest.approx(m.ACTIVE_COLOR)
    assert m.rate_color(500.0, 100.0) == pytest.approx(m.ACTIVE_COLOR)
    half = m.rate_color(50.0, 100.0)
    assert half == pytest.approx(tuple((s + a) / 2 for s, a in zip(m.SILENT_COLOR,
                                                                     m.ACTIVE_COLOR)))


def test_activity_squares_one_per_cell_coloured_by_rate(maze):
    rates = np.array([0.0, 0.0, 0.0, 0.0, 100.0, 0.0])
    specs = m.activity_markers(maze, rates, 100.0)
    assert [s.id for s in specs] == list(range(6))
    assert specs[4].position_m[:2] == pytest.approx(maze.cell_to_world((1, 1)))
    assert specs[4].color == pytest.approx(m.ACTIVE_COLOR)
    assert all(s.color == m.SILENT_COLOR for i, s in enumerate(specs) if i != 4)
    with pytest.raises(ValueError, match='expected 6 cell rates'):
        m.activity_markers(maze, rates[:5], 100.0)


def test_trajectory_line_needs_two_points():
    assert m.trajectory_marker([(0.0, 0.0)]).delete
    line = m.trajectory_marker([(0.0, 0.0), (0.5, 0.25)])
    assert not line.delete and line.shape == m.LINE_STRIP
    assert line.points_m == ((0.0, 0.0, m.TRAJECTORY_Z_M), (0.5, 0.25, m.TRAJECTORY_Z_M))


def test_scan_points_land_on_the_walls_in_the_maze_frame():
    # four beams from -pi in steps of pi/2, robot facing +y (yaw pi/2)
    spec = m.scan_marker(1.0, 2.0, math.pi / 2, -math.pi, math.pi / 2,
                         [1.0, math.inf, 0.5, 0.01], range_min_m=0.05, range_max_m=10.0, z_m=0.2)
    points = np.array(spec.points_m)
    # beam 0 points at yaw - pi = -y, beam 2 at yaw = +y; inf and too-short beams dropped
    np.testing.assert_allclose(points, [[1.0, 1.0, 0.2], [1.0, 2.5, 0.2]], atol=1e-12)


def test_trajectory_grows_while_driving_and_restarts_on_a_jump():
    path = m.Trajectory(jump_speed_mps=2.0)
    assert not path.add(0.0, 0.3, 0.3)
    assert not path.add(0.2, 0.5, 0.3)  # 1 m/s: driving
    assert not path.add(0.2, 0.5, 0.3)  # standing still adds nothing
    assert path.points == [(0.3, 0.3), (0.5, 0.3)]
    assert path.add(0.4, 1.5, 1.5)  # 1.56 m in 0.2 s: placed at a new start cell
    assert path.points == [(1.5, 1.5)] and path.jumps == 1
    assert path.add(0.1, 1.5, 1.6)  # time went backwards: world reset
    assert path.points == [(1.5, 1.6)]


def test_trajectory_keeps_its_newest_points():
    path = m.Trajectory(max_points=3)
    for i in range(5):
        path.add(i * 1.0, i * 0.1, 0.0)
    np.testing.assert_allclose(path.points, [(0.2, 0.0), (0.3, 0.0), (0.4, 0.0)])


def test_odometry_poses_turn_into_the_maze_frame():
    # the maze origin lies at (1, 2) in odom, its x axis along odom's +y
    origin = (1.0, 2.0, math.pi / 2)
    x, y, yaw = m.odom_to_maze(1.0, 2.5, math.pi / 2, origin)
    assert (x, y, yaw) == pytest.approx((0.5, 0.0, 0.0))
    x, y, yaw = m.odom_to_maze(0.0, 2.0, 0.0, origin)
    assert (x, y, yaw) == pytest.approx((0.0, 1.0, -math.pi / 2))
    assert m.odom_to_maze(*origin, origin) == pytest.approx((0.0, 0.0, 0.0))
    # where odom's origin lies in the maze frame (the map -> odom transform)
    assert m.maze_in_odom_inverse(origin) == pytest.approx((-2.0, 1.0, -math.pi / 2))


def test_odom_to_maze_undoes_the_maze_origin_and_wraps_the_heading():
    origin = (1.0, 2.0, math.pi / 2)  # maze x axis points along odometry +y
    # one metre along the maze's x axis from its origin, heading along it
    x, y, yaw = m.odom_to_maze(1.0, 3.0, math.pi / 2, origin)
    assert (x, y, yaw) == pytest.approx((1.0, 0.0, 0.0), abs=1e-12)
    assert m.odom_to_maze(5.0, -1.0, 0.3, (0.0, 0.0, 0.0)) == (5.0, -1.0, 0.3)
    assert m.odom_to_maze(0.0, 0.0, -3.0, (0.0, 0.0, 1.0))[2] == pytest.approx(2 * math.pi - 4.0)


@pytest.mark.parametrize('yaw', [0.0, 0.5, math.pi / 2, -2.0, 3.0])
def test_yaw_of_quaternion_reads_the_heading_of_a_planar_orientation(yaw):
    from types import SimpleNamespace
    from neurobot.world.planar import yaw_of_quaternion
    q = SimpleNamespace(x=0.0, y=0.0, z=math.sin(yaw / 2), w=math.cos(yaw / 2))
    assert yaw_of_quaternion(q) == pytest.approx(yaw, abs=1e-12)


def test_rviz_config_shows_every_marker_namespace_odometry_scan_and_raster(maze):
    import yaml

    from neurobot.paths import share_path
    config = yaml.safe_load(share_path('config', 'neurobot.rviz').read_text())
    manager = config['Visualization Manager']
    assert manager['Global Options']['Fixed Frame'] == 'map'
    displays = {d['Class'].split('/')[-1]: d for d in manager['Displays']}
    topics = {name: d['Topic']['Value'] for name, d in displays.items() if 'Topic' in d}
    assert topics == {'MarkerArray': '/maze/markers', 'Odometry': '/odom', 'LaserScan': '/scan',
                      'Image': '/brain/raster'}
    # the static maze is published once: rviz must ask for it with transient local
    assert displays['MarkerArray']['Topic']['Durability Policy'] == 'Transient Local'
    path = m.Trajectory()
    path.add(0.0, 0.3, 0.3)
    path.add(0.1, 0.4, 0.3)
    specs = (m.maze_markers(maze) + m.robot_markers(0.4, 0.3, 0.0)
             + [m.trajectory_marker(path.points), m.scan_marker(0.4, 0.3, 0.0, 0.0, 1.0, [1.0])]
             + m.activity_markers(maze, np.zeros(6), 100.0))
    assert {s.namespace for s in specs} == set(displays['MarkerArray']['Namespaces'])
