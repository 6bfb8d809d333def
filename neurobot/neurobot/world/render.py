"""Headless top-down PNG of a maze, the robot and its trajectory (matplotlib, Agg).

Uses matplotlib's object API with the Agg canvas directly, so it needs no display
and never touches pyplot's global state (safe inside a ROS node or a test run).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Sequence

from .maze import Maze

LOG = logging.getLogger(__name__)

ROBOT_RADIUS_M = 0.2  # drawn size when no radius is given; matches RobotParams


def render_topdown(maze: Maze, path_png: str | Path,
                   robot_pose: Sequence[float] | None = None,
                   trajectory: Sequence[Sequence[float]] | None = None,
                   title: str | None = None, robot_radius_m: float = ROBOT_RADIUS_M,
                   dpi: int = 100) -> Path:
    """Draw the maze from above and save it as a PNG.

    Args:
        maze: The maze (walls, start cells, goal).
        path_png: Output file; parent directories are created.
        robot_pose: ``(x_m, y_m, yaw_rad)`` of the robot, drawn as a disc with a
            heading line; omitted if ``None``.
        trajectory: Sequence of ``(x_m, y_m)`` points, drawn as a line.
        title: Figure title; defaults to the maze name.
        robot_radius_m: Radius of the drawn robot.
        dpi: Output resolution.

    Returns:
        The path written.

    Raises:
        ValueError: if ``robot_pose`` or ``trajectory`` have the wrong shape.
    """
    # Imported here so importing the world package does not pull in matplotlib.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Rectangle

    cs = maze.cell_size_m
    inch_per_m = 1.2
    fig = Figure(figsize=(max(3.0, maze.size_x_m * inch_per_m + 1.0),
                          max(3.0, maze.size_y_m * inch_per_m + 1.0)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect('equal')
    margin = maze.wall_thickness_m + 0.05
    ax.set_xlim(-margin, maze.size_x_m + margin)
    ax.set_ylim(-margin, maze.size_y_m + margin)
    ax.set_xlabel('x [m]')
    ax.set_ylabel('y [m]')

    gx, gy = maze.cell_to_world(maze.goal_cell)
    ax.add_patch(Rectangle((gx - cs / 2, gy - cs / 2), cs, cs, color='#8fd18f', zorder=0))
    ax.text(gx, gy, 'G', ha='center', va='center', fontsize=10, weight='bold', zorder=1)
    for cell in maze.start_cells:
        sx, sy = maze.cell_to_world(cell)
        ax.add_patch(Rectangle((sx - cs / 2, sy - cs / 2), cs, cs, color='#9ec5f0', zorder=0))
        ax.text(sx, sy, 'S', ha='center', va='center', fontsize=10, zorder=1)
    for box in maze.wall_boxes():
        ax.add_patch(Rectangle((box.min_x_m, box.min_y_m), box.size_x_m, box.size_y_m,
                               color='#333333', zorder=2))

    if trajectory is not None and len(trajectory) > 0:
        points = [tuple(p) for p in trajectory]
        if any(len(p) < 2 for p in points):
            raise ValueError('trajectory: expected a sequence of (x_m, y_m) points')
        ax.plot([p[0] for p in points], [p[1] for p in points], '-', color='#d95f02',
                linewidth=1.5, zorder=3)
    if robot_pose is not None:
        if len(robot_pose) != 3:
            raise ValueError(f'robot_pose: expected (x_m, y_m, yaw_rad), got {robot_pose!r}')
        x, y, yaw = (float(v) for v in robot_pose)
        ax.add_patch(Circle((x, y), robot_radius_m, facecolor='#f4a261', edgecolor='black',
                            zorder=4))
        ax.plot([x, x + robot_radius_m * math.cos(yaw)], [y, y + robot_radius_m * math.sin(yaw)],
                '-', color='black', linewidth=2, zorder=5)
    ax.set_title(title if title is not None else f'maze {maze.name}')
    fig.tight_layout()

    path_png = Path(path_png)
    path_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path_png, dpi=dpi)
    LOG.debug('rendered %s', path_png)
    return path_png
