"""What rviz should draw of the maze experiment, as plain marker descriptions (ROS-free).

Every function returns :class:`MarkerSpec` objects that the ``maze_markers`` node turns
into ``visualization_msgs/Marker`` one to one; all positions are in the maze frame
(``map``: origin at the outer south-west corner, x east, y north, z up; see
:mod:`neurobot.world.maze`).

Namespaces and ids (stable, so rviz replaces a marker instead of stacking copies):

====================  ==========================  =======================================
namespace             ids                         what
====================  ==========================  =======================================
``walls``             0 .. boxes - 1              one cube per wall box (Maze.wall_boxes)
``start_cells``       0 .. starts - 1             flat tile per start cell, layout order
``goal``              0                           flat tile on the goal cell
``robot``             0 body, 1 heading           cylinder and arrow at the robot pose
``trajectory``        0                           line strip of the current episode
``place_activity``    cell index (reading order)  square per cell, coloured by rate
``scan``              0                           lidar hits as points (no tf needed)
====================  ==========================  =======================================

Place-cell layout: a brain drawn here has ``cells_per_field`` place neurons per maze
cell, each cell's neurons together and the cells in :meth:`Maze.cells` order (row by row
from the top), as the maze experiment's brain and place-cell encoding have them.
So place neuron ``i`` belongs to cell number ``i // cells_per_field`` of that order;
:func:`cell_rates_hz` inverts exactly this, and takes ``cells_per_field`` from the size
of the population rather than from a constant, so a brain built for another maze size
is either mapped right or refused.
"""

from dataclasses import dataclass
import math

import numpy as np

from neurobot.world.planar import odom_to_maze  # noqa: F401 (part of this module's API)

CUBE, CYLINDER, ARROW, LINE_STRIP, POINTS = 'cube', 'cylinder', 'arrow', 'line_strip', 'points'
SHAPES = (CUBE, CYLINDER, ARROW, LINE_STRIP, POINTS)

# Colours, RGBA in 0..1.
WALL_COLOR = (0.55, 0.55, 0.6, 1.0)
START_COLOR = (0.2, 0.45, 1.0, 0.6)
GOAL_COLOR = (0.1, 0.85, 0.25, 0.8)
ROBOT_COLOR = (0.9, 0.4, 0.1, 1.0)  # the URDF's orange
HEADING_COLOR = (1.0, 1.0, 1.0, 1.0)
TRAJECTORY_COLOR = (1.0, 0.85, 0.0, 1.0)
SCAN_COLOR = (1.0, 0.1, 0.1, 1.0)
SILENT_COLOR = (0.15, 0.15, 0.6, 0.8)  # place activity at 0 Hz ...
ACTIVE_COLOR = (1.0, 0.9, 0.1, 0.8)  # ... and at max_rate_hz and above

TILE_FRACTION = 0.9  # start and goal tiles cover this fraction of a cell's side
ACTIVITY_FRACTION = 0.5  # activity squares: smaller, so start and goal tiles stay visible
TILE_HEIGHT_M = 0.01
ACTIVITY_Z_M = 0.02  # m, the activity squares float just above the tiles
TRAJECTORY_Z_M = 0.03
TRAJECTORY_WIDTH_M = 0.02
SCAN_POINT_M = 0.03  # m, side of a scan point
HEADING_LENGTH_FACTOR = 1.5  # heading arrow length in robot radii


@dataclass(frozen=True)
class MarkerSpec:
    """One marker, independent of ROS.

    Attributes:
        namespace, id: identity of the marker (rviz replaces a marker with the same pair).
        shape: one of SHAPES.
        position_m: (x, y, z) of the marker's origin (centre for cube and cylinder).
        yaw_rad: rotation about z.
        scale_m: (x, y, z) size; for a line strip only x (line width) counts, for points
            x and y (point size), for an arrow x = length, y, z = shaft and head width.
        color: (r, g, b, a) in 0..1.
        points_m: (x, y, z) points of a line strip or point list.
        delete: remove the marker instead of drawing it.
    """

    namespace: str
    id: int
    shape: str
    position_m: tuple = (0.0, 0.0, 0.0)
    yaw_rad: float = 0.0
    scale_m: tuple = (1.0, 1.0, 1.0)
    color: tuple = (1.0, 1.0, 1.0, 1.0)
    points_m: tuple = ()
    delete: bool = False


def _tile(maze, cell, namespace, id_, color, fraction, z_m) -> MarkerSpec:
    x, y = maze.cell_to_world(cell)
    side = fraction * maze.cell_size_m
    return MarkerSpec(namespace, id_, CUBE, (x, y, z_m), 0.0, (side, side, TILE_HEIGHT_M), color)


def maze_markers(maze) -> list:
    """The static parts: walls, start cells and goal."""
    markers = [MarkerSpec('walls', i, CUBE, (b.center_x_m, b.center_y_m, b.height_m / 2.0), 0.0,
                          (b.size_x_m, b.size_y_m, b.height_m), WALL_COLOR)
               for i, b in enumerate(maze.wall_boxes())]
    markers += [_tile(maze, cell, 'start_cells', i, START_COLOR, TILE_FRACTION, TILE_HEIGHT_M / 2)
                for i, cell in enumerate(maze.start_cells)]
    markers.append(_tile(maze, maze.goal_cell, 'goal', 0, GOAL_COLOR, TILE_FRACTION,
                         TILE_HEIGHT_M / 2))
    return markers


def robot_markers(x_m, y_m, yaw_rad, radius_m=0.2, height_m=0.15) -> list:
    """The robot body (a cylinder standing on the floor) and an arrow along its heading."""
    body = MarkerSpec('robot', 0, CYLINDER, (x_m, y_m, height_m / 2.0), yaw_rad,
                      (2.0 * radius_m, 2.0 * radius_m, height_m), ROBOT_COLOR)
    heading = MarkerSpec('robot', 1, ARROW, (x_m, y_m, height_m + 0.01), yaw_rad,
                         (HEADING_LENGTH_FACTOR * radius_m, 0.04, 0.06), HEADING_COLOR)
    return [body, heading]


def trajectory_marker(points_xy) -> MarkerSpec:
    """A line strip through ``points_xy``; a delete action while it has fewer than two."""
    if len(points_xy) < 2:
        return MarkerSpec('trajectory', 0, LINE_STRIP, delete=True)
    return MarkerSpec('trajectory', 0, LINE_STRIP, scale_m=(TRAJECTORY_WIDTH_M, 0.0, 0.0),
                      color=TRAJECTORY_COLOR,
                      points_m=tuple((float(x), float(y), TRAJECTORY_Z_M) for x, y in points_xy))


def cell_rates_hz(n_cells: int, counts, step_ms: float) -> np.ndarray:
    """Mean rate (Hz) of each cell's place neurons over one brain step.

    Args:
        n_cells: cells of the maze.
        counts: spikes of each place neuron in the step (PopulationSpikes.counts).
        step_ms: length of the step, ms.

    Raises:
        ValueError: the population size is not a whole multiple of ``n_cells``, or
            ``step_ms`` is not positive.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or n_cells <= 0 or len(counts) == 0 or len(counts) % n_cells:
        raise ValueError(f'expected place-cell counts for {n_cells} cells (a whole number of '
                         f'neurons per cell), got {counts.size} neurons')
    if not step_ms > 0:
        raise ValueError(f'step_ms must be > 0, got {step_ms!r}')
    per_cell = len(counts) // n_cells
    return counts.reshape(n_cells, per_cell).sum(axis=1) / (per_cell * step_ms / 1e3)


def rate_color(rate_hz: float, max_rate_hz: float) -> tuple:
    """Linear from SILENT_COLOR (0 Hz) to ACTIVE_COLOR (``max_rate_hz`` and above)."""
    f = min(max(rate_hz / max_rate_hz, 0.0), 1.0) if max_rate_hz > 0 else 0.0
    return tuple(s + f * (a - s) for s, a in zip(SILENT_COLOR, ACTIVE_COLOR))


def activity_markers(maze, rates_hz, max_rate_hz) -> list:
    """One square per cell (id = cell index in reading order) coloured by its rate."""
    rates = np.asarray(rates_hz, dtype=np.float64)
    cells = list(maze.cells())
    if len(rates) != len(cells):
        raise ValueError(f'expected {len(cells)} cell rates, got {len(rates)}')
    return [_tile(maze, cell, 'place_activity', i, rate_color(float(rate), max_rate_hz),
                  ACTIVITY_FRACTION, ACTIVITY_Z_M)
            for i, (cell, rate) in enumerate(zip(cells, rates))]


def scan_marker(x_m, y_m, yaw_rad, angle_min_rad, angle_increment_rad, ranges_m,
                range_min_m=0.0, range_max_m=math.inf, z_m=0.2) -> MarkerSpec:
    """Lidar hits in the maze frame, for rviz without tf.

    Beam ``i`` at ``yaw + angle_min + i * angle_increment`` from the robot centre;
    ranges outside [range_min, range_max] or not finite (no return) are left out.
    """
    ranges = np.asarray(ranges_m, dtype=np.float64)
    angles = yaw_rad + angle_min_rad + angle_increment_rad * np.arange(len(ranges))
    hit = np.isfinite(ranges) & (ranges >= range_min_m) & (ranges <= range_max_m)
    xs = x_m + ranges[hit] * np.cos(angles[hit])
    ys = y_m + ranges[hit] * np.sin(angles[hit])
    return MarkerSpec('scan', 0, POINTS, scale_m=(SCAN_POINT_M, SCAN_POINT_M, 0.0),
                      color=SCAN_COLOR,
                      points_m=tuple((float(x), float(y), z_m) for x, y in zip(xs, ys)))


def maze_in_odom_inverse(maze_origin_in_odom) -> tuple:
    """Pose of the odometry frame in the maze frame, (x_m, y_m, yaw_rad).

    The map -> odom transform of a robot whose maze origin lies at
    ``maze_origin_in_odom``.
    """
    return odom_to_maze(0.0, 0.0, 0.0, maze_origin_in_odom)


class Trajectory:
    """The robot's path in the current episode, cleared when the robot jumps.

    There is no episode topic, so a new episode is recognised by what it does to the
    pose: ``place_robot`` moves the robot without it driving there. A step counts as a
    jump when the robot would have needed more than ``jump_speed_mps`` (well above the
    robot's 1 m/s top speed) to cover it, or when time went backwards (``reset_world``
    with its clock). A placement closer than that to where the robot stood is not seen
    as a jump; the line then simply continues.

    Args:
        jump_speed_mps: apparent speed above which a step is a jump.
        min_spacing_m: a pose closer than this to the last point adds no point (a robot
            standing still does not grow the line).
        max_points: oldest points are dropped beyond this.
    """

    def __init__(self, jump_speed_mps=2.0, min_spacing_m=0.005, max_points=5000):
        if not jump_speed_mps > 0:
            raise ValueError(f'jump_speed_mps must be > 0, got {jump_speed_mps!r}')
        if int(max_points) < 2:
            raise ValueError(f'max_points must be >= 2, got {max_points!r}')
        self.jump_speed_mps = float(jump_speed_mps)
        self.min_spacing_m = float(min_spacing_m)
        self.max_points = int(max_points)
        self.points = []
        self._last = None  # (t_s, x, y) of the last pose seen, added or not
        self.jumps = 0

    def add(self, t_s: float, x_m: float, y_m: float) -> bool:
        """Take a pose at time ``t_s``; return True when it started a new trajectory."""
        jumped = False
        if self._last is not None:
            t0, x0, y0 = self._last
            dt = t_s - t0
            distance = math.hypot(x_m - x0, y_m - y0)
            jumped = dt < 0 or distance > self.jump_speed_mps * dt + self.min_spacing_m
        self._last = (t_s, x_m, y_m)
        if jumped:
            self.jumps += 1
            self.points = []
        if not self.points or math.hypot(x_m - self.points[-1][0],
                                         y_m - self.points[-1][1]) >= self.min_spacing_m:
            self.points.append((x_m, y_m))
            if len(self.points) > self.max_points:
                del self.points[:len(self.points) - self.max_points]
        return jumped
