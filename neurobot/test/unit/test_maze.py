"""Unit tests of the maze description: YAML loading, validation, topology, geometry."""

import math
from pathlib import Path

import numpy as np
import pytest

from neurobot.world.maze import Maze, MazeError, MOVES

PKG = Path(__file__).resolve().parents[2]
DEFAULT_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'default.yaml'
LARGE_YAML = PKG / 'experiments' / 'maze' / 'mazes' / 'large.yaml'

TINY = """\
+---+---+---+
| S         |
+   +---+   +
|   |     G |
+---+---+---+
"""


def write_maze(tmp_path, layout=TINY, filename='mazefile.yaml', **keys):
    """Write a maze YAML with the given layout and top-level keys; return its path."""
    fields = {'name': 'tiny', 'cell_size_m': 0.6}
    fields.update(keys)
    lines = [f'{k}: {v}' for k, v in fields.items()]
    lines.append('layout: |')
    lines += ['  ' + line for line in layout.splitlines()]
    path = tmp_path / filename
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return path


@pytest.fixture(scope='module')
def default_maze():
    return Maze.from_yaml(DEFAULT_YAML)


# ---------------------------------------------------------------- shipped mazes
def test_default_maze_shape_and_start_distances(default_maze):
    m = default_maze
    assert (m.n_rows, m.n_cols) == (5, 5)
    assert m.cell_size_m == pytest.approx(0.6)
    assert m.goal_cell == (0, 4)
    assert len(m.start_cells) >= 3
    lengths = m.start_path_lengths()
    assert all(4 <= d <= 12 for d in lengths.values()), lengths
    # Worked out by hand from the drawing: (2,4) W, N, E, N reaches the goal.
    assert lengths[(2, 4)] == 4


def test_large_maze_loads_and_all_starts_reach_goal():
    m = Maze.from_yaml(LARGE_YAML)
    assert (m.n_rows, m.n_cols) == (9, 9)
    assert all(m.shortest_path_length(s) > 0 for s in m.start_cells)


def test_robot_fits_corridors(default_maze):
    # One cell per decision needs the 0.4 m robot to fit between walls.
    assert default_maze.cell_size_m - default_maze.wall_thickness_m > 0.4


# ---------------------------------------------------------------- topology
def test_free_moves_follow_the_drawing():
    m = Maze.from_dict({'name': 't', 'cell_size_m': 1.0, 'layout': TINY})
    assert m.free_moves((0, 0)) == ['E', 'S']
    assert m.free_moves((1, 0)) == ['N']
    assert m.free_moves((1, 1)) == ['E']
    assert m.neighbour((0, 1), 'S') is None
    assert m.neighbour((0, 2), 'S') == (1, 2)
    assert m.neighbours((0, 1)) == [(0, 2), (0, 0)]


def test_neighbours_are_symmetric(default_maze):
    for cell in default_maze.cells():
        for nxt in default_maze.neighbours(cell):
            assert cell in default_maze.neighbours(nxt)


def test_bfs_distances_are_consistent(default_maze):
    """Every reachable cell but the goal has a neighbour one move closer and none closer."""
    m = default_maze
    assert m.shortest_path_length(m.goal_cell) == 0
    for cell in m.cells():
        if not m.is_reachable(cell) or cell == m.goal_cell:
            continue
        d = m.shortest_path_length(cell)
        nd = [m.shortest_path_length(n) for n in m.neighbours(cell)]
        assert min(nd) == d - 1
        assert all(abs(x - d) == 1 for x in nd)
        assert m.best_moves(cell)


def test_tiny_maze_path_length():
    m = Maze.from_dict({'name': 't', 'cell_size_m': 1.0, 'layout': TINY})
    # (0,0) E, E, S reaches the goal at (1,2).
    assert m.shortest_path_length((0, 0)) == 3
    assert m.shortest_path_length((1, 1)) == 1
    with pytest.raises(ValueError, match='unreachable'):
        Maze.from_dict({'name': 't', 'cell_size_m': 1.0, 'layout': TINY.replace(
            '|   |     G |', '|   |   | G |')}).shortest_path_length((1, 1))


def test_cell_checks(default_maze):
    with pytest.raises(ValueError, match='outside'):
        default_maze.free_moves((5, 0))
    with pytest.raises(TypeError, match='row, col'):
        default_maze.free_moves('a1')
    with pytest.raises(ValueError, match='expected a move'):
        default_maze.has_wall((0, 0), 'X')


# ---------------------------------------------------------------- coordinates
def test_cell_world_conversion(default_maze):
    m = default_maze
    # Origin at the south-west corner, row 0 at the top.
    assert m.cell_to_world((4, 0)) == pytest.approx((0.3, 0.3))
    assert m.cell_to_world((0, 4)) == pytest.approx((2.7, 2.7))
    for cell in m.cells():
        x, y = m.cell_to_world(cell)
        assert m.world_to_cell(x, y) == cell
        assert m.world_to_cell(x + 0.29, y - 0.29) == cell
    with pytest.raises(ValueError, match='outside'):
        m.world_to_cell(-0.01, 1.0)
    with pytest.raises(ValueError, match='finite'):
        m.world_to_cell(math.nan, 1.0)


def test_moves_match_world_directions(default_maze):
    m = default_maze
    directions = {'N': (0, 1), 'E': (1, 0), 'S': (0, -1), 'W': (-1, 0)}
    x0, y0 = m.cell_to_world((2, 2))
    for move, (dr, dc) in MOVES.items():
        x1, y1 = m.cell_to_world((2 + dr, 2 + dc))
        ux, uy = directions[move]
        assert (x1 - x0, y1 - y0) == pytest.approx((ux * 0.6, uy * 0.6))


# ---------------------------------------------------------------- geometry
def _inside_any_box(boxes, x, y):
    return any(b.min_x_m <= x <= b.max_x_m and b.min_y_m <= y <= b.max_y_m for b in boxes)


def test_wall_boxes_match_wall_grid(default_maze):
    """A box covers the midpoint of every shared cell side that has a wall, and no other."""
    m = default_maze
    boxes = m.wall_boxes()
    cs = m.cell_size_m
    for cell in m.cells():
        x, y = m.cell_to_world(cell)
        assert not _inside_any_box(boxes, x, y)
        for move, (ux, uy) in {'N': (0, 1), 'E': (1, 0), 'S': (0, -1), 'W': (-1, 0)}.items():
            mid = (x + ux * cs / 2, y + uy * cs / 2)
            assert _inside_any_box(boxes, *mid) == m.has_wall(cell, move), (cell, move)
    for b in boxes:
        assert min(b.size_x_m, b.size_y_m) == pytest.approx(m.wall_thickness_m)
        assert b.height_m == pytest.approx(m.wall_height_m)


def test_wall_segments_merge_collinear_walls(default_maze):
    segs = default_maze.wall_segments()
    # The top and bottom borders are each one segment across the whole maze.
    assert ((0.0, 3.0), (3.0, 3.0)) in [tuple(map(tuple, s)) for s in segs]
    assert ((0.0, 0.0), (3.0, 0.0)) in [tuple(map(tuple, s)) for s in segs]
    assert len(default_maze.wall_boxes()) == len(segs)


def test_corners_are_solid():
    m = Maze.from_dict({'name': 't', 'cell_size_m': 1.0, 'wall_thickness_m': 0.1,
                        'layout': TINY})
    # The outer corner point and points just inside the corner square are in a wall.
    assert _inside_any_box(m.wall_boxes(), -0.049, -0.049)
    assert _inside_any_box(m.wall_boxes(), 3.049, 2.049)


def test_ray_distances_in_a_single_cell():
    layout = '+---+\n| S |\n+   +\n| G |\n+---+\n'
    m = Maze.from_dict({'name': 'c', 'cell_size_m': 1.0, 'wall_thickness_m': 0.1,
                        'layout': layout})
    x, y = m.cell_to_world((0, 0))
    d = m.ray_distances(x, y, np.array([0.0, math.pi / 2, math.pi, -math.pi / 2, math.pi / 4]))
    # East, north, west walls 0.45 m away; south is open to the goal cell's far wall.
    assert d[:4] == pytest.approx([0.45, 0.45, 0.45, 1.45])
    assert d[4] == pytest.approx(0.45 * math.sqrt(2))
    assert m.distance_to_walls(x, y) == pytest.approx(0.45)
    assert math.isinf(m.ray_distances(x, y, np.array([0.0]), max_range_m=0.3)[0])


def test_round_trip_through_dict(default_maze):
    again = Maze.from_dict(default_maze.to_dict())
    assert again == default_maze
    assert again.to_layout() == default_maze.to_layout()


# ---------------------------------------------------------------- invalid files
@pytest.mark.parametrize('layout, message', [
    (TINY.replace('+---+---+---+\n| S', '+---+   +---+\n| S', 1), 'border not closed'),
    (TINY.replace('| S         |', '  S         |'), 'border not closed'),
    (TINY.replace('+   +---+   +', '+   +---+---+'), 'unreachable'),
    (TINY.replace('| S         |', 'S           |'), 'lies on a wall position'),
    (TINY.replace('|   |     G |', '|   |   G   |'), 'lies on a wall position'),
    (TINY.replace(' G ', '   '), 'exactly one goal'),
    (TINY.replace(' S ', '   '), 'at least one start'),
    (TINY.replace(' S ', ' G '), 'exactly one goal'),
    (TINY.replace(' S ', ' X '), "expected it blank or one mark"),
    (TINY.replace('+   +---+   +', '+ - +---+   +'), 'expected "---"'),
    (TINY.replace('+   +---+   +', '+   +---#   +'), 'expected "\\+" at a grid corner'),
    (TINY.replace('| S         |', '| S         | |'), 'at most 13'),
    ('+---+---+\n', 'odd number'),
    ('+--+\n|  |\n+--+\n', '4 \\* columns \\+ 1'),
])
def test_invalid_layouts_name_file_and_problem(tmp_path, layout, message):
    path = write_maze(tmp_path, layout)
    with pytest.raises(MazeError, match=message) as info:
        Maze.from_yaml(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize('keys, message', [
    ({'colour': 'red'}, 'unknown key'),
    ({'cell_size_m': '"big"'}, 'cell_size_m: expected a positive number'),
    ({'cell_size_m': -0.6}, 'cell_size_m: expected a positive number'),
    ({'cell_size_m': 'true'}, 'cell_size_m: expected a positive number'),
    ({'wall_thickness_m': 0.7}, 'wall_thickness_m .* smaller than cell_size_m'),
    ({'wall_height_m': '.nan'}, 'wall_height_m'),
    ({'name': '[1, 2]'}, 'name: expected a non-empty string'),
])
def test_invalid_keys_and_types_name_file_and_problem(tmp_path, keys, message):
    path = write_maze(tmp_path, **keys)
    with pytest.raises(MazeError, match=message) as info:
        Maze.from_yaml(path)
    assert str(path) in str(info.value)


def test_invalid_documents(tmp_path):
    missing = tmp_path / 'nope.yaml'
    with pytest.raises(MazeError, match='cannot read'):
        Maze.from_yaml(missing)
    bad = tmp_path / 'bad.yaml'
    bad.write_text('name: [unclosed\n', encoding='utf-8')
    with pytest.raises(MazeError, match='not valid YAML'):
        Maze.from_yaml(bad)
    listing = tmp_path / 'list.yaml'
    listing.write_text('- 1\n- 2\n', encoding='utf-8')
    with pytest.raises(MazeError, match='expected a mapping'):
        Maze.from_yaml(listing)
    with pytest.raises(MazeError, match='missing required key'):
        Maze.from_dict({'name': 'x', 'cell_size_m': 1.0})
    with pytest.raises(MazeError, match='layout: expected a multi-line string'):
        Maze.from_dict({'name': 'x', 'cell_size_m': 1.0, 'layout': 5})


def test_valid_file_passes(tmp_path):
    m = Maze.from_yaml(write_maze(tmp_path))
    assert m.source.endswith('mazefile.yaml')
    assert m.start_cells == ((0, 0),) and m.goal_cell == (1, 2)


def test_render_topdown_draws_maze_robot_and_path(tmp_path, default_maze):
    from matplotlib.image import imread

    from neurobot.world.render import render_topdown

    x, y = default_maze.cell_to_world(default_maze.start_cells[0])
    out = render_topdown(default_maze, tmp_path / 'sub' / 'maze.png', robot_pose=(x, y, 0.5),
                         trajectory=[(x, y), (x + 0.3, y)], title='t')
    img = imread(out)[..., :3]
    assert img.shape[0] > 200 and img.shape[1] > 200
    walls = (img < 0.25).all(axis=2)
    goal = (img[..., 1] > 0.75) & (img[..., 0] < 0.65) & (img[..., 2] < 0.65)
    robot = (img[..., 0] > 0.9) & (img[..., 1] > 0.55) & (img[..., 1] < 0.75) & (img[..., 2] < 0.5)
    assert walls.sum() > 1000 and goal.sum() > 500 and robot.sum() > 200
    with pytest.raises(ValueError, match='robot_pose'):
        render_topdown(default_maze, tmp_path / 'x.png', robot_pose=(1.0, 2.0))
