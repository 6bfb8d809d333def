"""Maze description: the one geometric truth shared by MuJoCo, Gazebo and the lidar.

A maze is a rectangular grid of square cells. Walls are thin boxes lying *between*
cells (on the grid lines), so the robot moves exactly one cell per decision and every
corridor is one cell wide. It is written in YAML with the layout drawn in ASCII::

    name: default
    cell_size_m: 0.6          # side of one square cell
    wall_thickness_m: 0.05    # optional, default 0.05
    wall_height_m: 0.3        # optional, default 0.3
    description: free text    # optional
    layout: |
      +---+---+---+
      | S         |
      +   +---+   +
      |   |     G |
      +---+---+---+

Layout rules (line and column numbers in error messages are 1-based, counted from
the first line of ``layout``):

* ``2 * n_rows + 1`` lines of ``4 * n_cols + 1`` characters (trailing spaces may be
  dropped; they are padded back).
* Even lines (1st, 3rd, ...) are grid lines: ``+`` at every corner, then for each
  cell either ``---`` (a wall on that side of the cell) or three spaces (open).
* Odd lines are cell rows: at every vertical grid line ``|`` (wall) or a space
  (open), and between them a 3-character cell interior that is blank, or holds
  one mark: ``S`` (a start cell, one or more) or ``G`` (the goal, exactly one).
* The outer border must be closed and every start cell must reach the goal.

Coordinates. A cell is ``(row, col)`` with row 0 the *top* line of the drawing and
col 0 the left column, so the drawing is a top-down view. World coordinates are in
metres in a right-handed frame whose origin is the outer south-west (bottom-left)
corner of the grid, on the centre lines of the border walls: +x to the right
(east), +y up the drawing (north), z up. Cell ``(r, c)`` has its centre at
``x = (c + 0.5) * cell_size_m``, ``y = (n_rows - r - 0.5) * cell_size_m``.

Moves are compass letters: ``N`` (+y, row - 1), ``E`` (+x, col + 1), ``S`` (-y,
row + 1), ``W`` (-x, col - 1).

:meth:`Maze.wall_boxes` turns the walls into axis-aligned boxes (collinear wall
pieces merged, each box extended by half a wall thickness at both ends so corners
are solid). Those boxes are what the MJCF and SDF generators emit and what the
analytic ray caster :meth:`Maze.ray_distances` intersects.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
import logging
import math
from numbers import Real
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

LOG = logging.getLogger(__name__)

Cell = tuple[int, int]
"""A cell as ``(row, col)``; row 0 is the top row of the layout drawing."""

# (d_row, d_col) for each compass move; row grows downwards (south) in the drawing.
MOVES: dict[str, Cell] = {'N': (-1, 0), 'E': (0, 1), 'S': (1, 0), 'W': (0, -1)}
MOVE_ORDER = ('N', 'E', 'S', 'W')

DEFAULT_WALL_THICKNESS_M = 0.05
DEFAULT_WALL_HEIGHT_M = 0.3

_REQUIRED_KEYS = ('name', 'cell_size_m', 'layout')
_OPTIONAL_KEYS = ('wall_thickness_m', 'wall_height_m', 'description')
_START_MARK = 'S'
_GOAL_MARK = 'G'


@dataclass(frozen=True)
class WallBox:
    """One axis-aligned wall box, standing on the floor (z from 0 to ``height_m``).

    Attributes:
        center_x_m: Box centre, world x.
        center_y_m: Box centre, world y.
        size_x_m: Full extent along x.
        size_y_m: Full extent along y.
        height_m: Full extent along z.
    """

    center_x_m: float
    center_y_m: float
    size_x_m: float
    size_y_m: float
    height_m: float

    @property
    def min_x_m(self) -> float:
        return self.center_x_m - self.size_x_m / 2.0

    @property
    def max_x_m(self) -> float:
        return self.center_x_m + self.size_x_m / 2.0

    @property
    def min_y_m(self) -> float:
        return self.center_y_m - self.size_y_m / 2.0

    @property
    def max_y_m(self) -> float:
        return self.center_y_m + self.size_y_m / 2.0


class MazeError(ValueError):
    """A maze description that cannot be used; the message names the file and problem."""


@dataclass(frozen=True)
class Maze:
    """A validated maze. Build it with :meth:`from_yaml` or :meth:`from_dict`.

    Attributes:
        name: Short identifier, used for world and model names.
        cell_size_m: Side of one square cell.
        wall_thickness_m: Thickness of every wall box.
        wall_height_m: Height of every wall box.
        h_walls: ``(n_rows + 1) x n_cols`` booleans; ``h_walls[i][c]`` is the wall on
            horizontal grid line ``i`` (line 0 is the top border) above cell ``(i, c)``.
        v_walls: ``n_rows x (n_cols + 1)`` booleans; ``v_walls[r][j]`` is the wall on
            vertical grid line ``j`` (line 0 is the left border) left of cell ``(r, j)``.
        start_cells: Cells a run may start from, in layout reading order.
        goal_cell: The goal cell.
        description: Free text.
        source: Where the description came from (file path or ``'<dict>'``), used in
            error messages.
    """

    name: str
    cell_size_m: float
    h_walls: tuple[tuple[bool, ...], ...]
    v_walls: tuple[tuple[bool, ...], ...]
    start_cells: tuple[Cell, ...]
    goal_cell: Cell
    wall_thickness_m: float = DEFAULT_WALL_THICKNESS_M
    wall_height_m: float = DEFAULT_WALL_HEIGHT_M
    description: str = ''
    source: str = field(default='<dict>', compare=False)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_yaml(cls, path: str | Path) -> Maze:
        """Load and validate a maze YAML file (format in the module docstring).

        Args:
            path: The YAML file.

        Returns:
            The validated maze.

        Raises:
            MazeError: (a ``ValueError``) if the file is missing, not YAML, or invalid;
                the message starts with the file path.
        """
        import yaml  # local: only file loading needs PyYAML

        path = Path(path)
        try:
            text = path.read_text(encoding='utf-8')
        except OSError as exc:
            raise MazeError(f'{path}: cannot read maze file: {exc}') from exc
        except UnicodeDecodeError as exc:
            raise MazeError(f'{path}: not a maze file (not UTF-8 text: byte {exc.start} is '
                            f'{exc.object[exc.start]:#04x})') from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise MazeError(f'{path}: not valid YAML: {exc}') from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = '<dict>') -> Maze:
        """Build and validate a maze from a mapping with the YAML keys.

        Args:
            data: Mapping with keys ``name``, ``cell_size_m``, ``layout`` and optionally
                ``wall_thickness_m``, ``wall_height_m``, ``description``.
            source: Name used in error messages (a file path when loaded from YAML).

        Returns:
            The validated maze.

        Raises:
            MazeError: (a ``ValueError``) naming the source and what was expected.
        """
        if not isinstance(data, Mapping):
            raise MazeError(f'{source}: expected a mapping of maze keys at the top level, '
                            f'got {type(data).__name__}')
        unknown = sorted(str(k) for k in data if k not in _REQUIRED_KEYS + _OPTIONAL_KEYS)
        if unknown:
            raise MazeError(f'{source}: unknown key(s) {unknown}; expected only '
                            f'{list(_REQUIRED_KEYS + _OPTIONAL_KEYS)}')
        missing = [k for k in _REQUIRED_KEYS if k not in data]
        if missing:
            raise MazeError(f'{source}: missing required key(s) {missing}')

        name = data['name']
        if not isinstance(name, str) or not name.strip():
            raise MazeError(f'{source}: name: expected a non-empty string, got {name!r}')
        description = data.get('description', '')
        if not isinstance(description, str):
            raise MazeError(f'{source}: description: expected a string, got {description!r}')
        cell_size_m = _positive_float(data['cell_size_m'], 'cell_size_m', source)
        wall_thickness_m = _positive_float(
            data.get('wall_thickness_m', DEFAULT_WALL_THICKNESS_M), 'wall_thickness_m', source)
        wall_height_m = _positive_float(
            data.get('wall_height_m', DEFAULT_WALL_HEIGHT_M), 'wall_height_m', source)
        layout = data['layout']
        if not isinstance(layout, str):
            raise MazeError(f'{source}: layout: expected a multi-line string (YAML "|" block), '
                            f'got {type(layout).__name__}')
        h_walls, v_walls, starts, goal = _parse_layout(layout, source)
        return cls(name=name.strip(), cell_size_m=cell_size_m, h_walls=h_walls,
                   v_walls=v_walls, start_cells=starts, goal_cell=goal,
                   wall_thickness_m=wall_thickness_m, wall_height_m=wall_height_m,
                   description=description, source=source)

    def __post_init__(self) -> None:
        """Validate fields, also when the dataclass is constructed directly."""
        src = self.source
        n_rows = len(self.v_walls)
        if n_rows < 1 or len(self.h_walls) != n_rows + 1:
            raise MazeError(f'{src}: expected h_walls with n_rows + 1 lines and v_walls with '
                            f'n_rows >= 1 lines, got {len(self.h_walls)} and {n_rows}')
        n_cols = len(self.h_walls[0])
        if n_cols < 1 or any(len(line) != n_cols for line in self.h_walls) or any(
                len(line) != n_cols + 1 for line in self.v_walls):
            raise MazeError(f'{src}: expected every h_walls line to have n_cols >= 1 entries '
                            'and every v_walls line n_cols + 1 entries')
        if self.wall_thickness_m >= self.cell_size_m:
            raise MazeError(f'{src}: wall_thickness_m ({self.wall_thickness_m}) must be smaller '
                            f'than cell_size_m ({self.cell_size_m})')
        # Unclosed border: name the first gap so it can be found in the drawing.
        for c in range(n_cols):
            for i, side in ((0, 'top'), (n_rows, 'bottom')):
                if not self.h_walls[i][c]:
                    raise MazeError(f'{src}: border not closed: the {side} wall of cell '
                                    f'({min(i, n_rows - 1)}, {c}) is missing')
        for r in range(n_rows):
            for j, side in ((0, 'left'), (n_cols, 'right')):
                if not self.v_walls[r][j]:
                    raise MazeError(f'{src}: border not closed: the {side} wall of cell '
                                    f'({r}, {min(j, n_cols - 1)}) is missing')
        if not self.start_cells:
            raise MazeError(f'{src}: expected at least one start cell (mark {_START_MARK!r})')
        for cell in (*self.start_cells, self.goal_cell):
            if not (isinstance(cell, tuple) and len(cell) == 2
                    and 0 <= cell[0] < n_rows and 0 <= cell[1] < n_cols):
                raise MazeError(f'{src}: cell {cell!r} is outside the {n_rows}x{n_cols} grid')
        if self.goal_cell in self.start_cells:
            raise MazeError(f'{src}: the goal cell {self.goal_cell} is also a start cell')
        if len(set(self.start_cells)) != len(self.start_cells):
            raise MazeError(f'{src}: start cells repeat: {list(self.start_cells)}')
        dist = self._distances
        unreachable = [s for s in self.start_cells if dist[s[0]][s[1]] < 0]
        if unreachable:
            raise MazeError(f'{src}: goal {self.goal_cell} is unreachable from start cell(s) '
                            f'{unreachable}')

    # ------------------------------------------------------------------ topology
    @property
    def n_rows(self) -> int:
        return len(self.v_walls)

    @property
    def n_cols(self) -> int:
        return len(self.h_walls[0])

    @property
    def size_x_m(self) -> float:
        """Extent of the grid along x (between border wall centre lines)."""
        return self.n_cols * self.cell_size_m

    @property
    def size_y_m(self) -> float:
        """Extent of the grid along y (between border wall centre lines)."""
        return self.n_rows * self.cell_size_m

    def cells(self) -> Iterator[Cell]:
        """Yield every cell in reading order (row by row, top to bottom)."""
        for r in range(self.n_rows):
            for c in range(self.n_cols):
                yield (r, c)

    def check_cell(self, cell: Sequence[int]) -> Cell:
        """Return ``cell`` as a ``(row, col)`` tuple after checking it lies in the grid.

        Raises:
            TypeError: if ``cell`` is not a pair of integers.
            ValueError: if it lies outside the grid.
        """
        if (isinstance(cell, (str, bytes)) or not hasattr(cell, '__len__') or len(cell) != 2
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                           for v in cell)):
            raise TypeError(f'expected a cell as a (row, col) pair of ints, got {cell!r}')
        r, c = int(cell[0]), int(cell[1])
        if not (0 <= r < self.n_rows and 0 <= c < self.n_cols):
            raise ValueError(f'cell ({r}, {c}) is outside the {self.n_rows}x{self.n_cols} '
                             f'grid of maze {self.name!r}')
        return (r, c)

    def has_wall(self, cell: Sequence[int], move: str) -> bool:
        """Whether a wall blocks leaving ``cell`` in compass direction ``move``."""
        r, c = self.check_cell(cell)
        if move == 'N':
            return self.h_walls[r][c]
        if move == 'S':
            return self.h_walls[r + 1][c]
        if move == 'W':
            return self.v_walls[r][c]
        if move == 'E':
            return self.v_walls[r][c + 1]
        raise ValueError(f'expected a move in {MOVE_ORDER}, got {move!r}')

    def free_moves(self, cell: Sequence[int]) -> list[str]:
        """Compass moves (in N, E, S, W order) not blocked by a wall from ``cell``."""
        return [m for m in MOVE_ORDER if not self.has_wall(cell, m)]

    def neighbour(self, cell: Sequence[int], move: str) -> Cell | None:
        """The cell one ``move`` away, or ``None`` if a wall is in the way."""
        if self.has_wall(cell, move):
            return None
        dr, dc = MOVES[move]
        return (cell[0] + dr, cell[1] + dc)

    def neighbours(self, cell: Sequence[int]) -> list[Cell]:
        """Cells reachable from ``cell`` in one move, in N, E, S, W order."""
        r, c = self.check_cell(cell)
        return [(r + MOVES[m][0], c + MOVES[m][1]) for m in self.free_moves((r, c))]

    @cached_property
    def _distances(self) -> tuple[tuple[int, ...], ...]:
        """BFS move counts from every cell to the goal; -1 where unreachable."""
        dist = [[-1] * self.n_cols for _ in range(self.n_rows)]
        gr, gc = self.goal_cell
        dist[gr][gc] = 0
        queue = deque([self.goal_cell])
        while queue:
            cell = queue.popleft()
            for nxt in self.neighbours(cell):
                if dist[nxt[0]][nxt[1]] < 0:
                    dist[nxt[0]][nxt[1]] = dist[cell[0]][cell[1]] + 1
                    queue.append(nxt)
        return tuple(tuple(row) for row in dist)

    def is_reachable(self, cell: Sequence[int]) -> bool:
        """Whether the goal can be reached from ``cell``."""
        r, c = self.check_cell(cell)
        return self._distances[r][c] >= 0

    def shortest_path_length(self, cell: Sequence[int]) -> int:
        """Fewest moves from ``cell`` to the goal (breadth-first search).

        Raises:
            ValueError: if the goal cannot be reached from ``cell``.
        """
        r, c = self.check_cell(cell)
        d = self._distances[r][c]
        if d < 0:
            raise ValueError(f'goal {self.goal_cell} is unreachable from cell ({r}, {c})')
        return d

    def path_between(self, start: Sequence[int], end: Sequence[int]) -> list[Cell]:
        """A shortest sequence of cells from ``start`` to ``end``, both included (BFS).

        Raises:
            ValueError: a cell outside the maze, or ``end`` cannot be reached from ``start``.
        """
        start, end = self.check_cell(start), self.check_cell(end)
        previous = {start: None}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            if cell == end:
                path = [cell]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])
                return path[::-1]
            for nxt in self.neighbours(cell):
                if nxt not in previous:
                    previous[nxt] = cell
                    queue.append(nxt)
        raise ValueError(f'cell {end} cannot be reached from cell {start}')

    def start_path_lengths(self) -> dict[Cell, int]:
        """Shortest path length to the goal from every start cell."""
        return {s: self.shortest_path_length(s) for s in self.start_cells}

    def best_moves(self, cell: Sequence[int]) -> list[str]:
        """Moves from ``cell`` that shorten the path to the goal by one (empty at the goal)."""
        d = self.shortest_path_length(cell)
        return [m for m in self.free_moves(cell)
                if self._distances[cell[0] + MOVES[m][0]][cell[1] + MOVES[m][1]] == d - 1]

    # ------------------------------------------------------------------ geometry
    def cell_to_world(self, cell: Sequence[int]) -> tuple[float, float]:
        """Centre of ``cell`` in world metres ``(x, y)``."""
        r, c = self.check_cell(cell)
        return ((c + 0.5) * self.cell_size_m, (self.n_rows - r - 0.5) * self.cell_size_m)

    def world_to_cell(self, x_m: float, y_m: float) -> Cell:
        """The cell containing world point ``(x_m, y_m)``.

        Raises:
            ValueError: if the point is not finite or lies outside the grid.
        """
        if not (math.isfinite(x_m) and math.isfinite(y_m)):
            raise ValueError(f'expected a finite point, got ({x_m}, {y_m})')
        c = math.floor(x_m / self.cell_size_m)
        r = self.n_rows - 1 - math.floor(y_m / self.cell_size_m)
        if not (0 <= r < self.n_rows and 0 <= c < self.n_cols):
            raise ValueError(f'point ({x_m:.3f}, {y_m:.3f}) m lies outside maze {self.name!r} '
                             f'(0..{self.size_x_m} x 0..{self.size_y_m} m)')
        return (r, c)

    def wall_segments(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        """Wall centre lines ``((x0, y0), (x1, y1))`` in metres, collinear pieces merged.

        Horizontal segments come first (top line to bottom line), then vertical ones
        (left to right); each runs from its low to its high coordinate.
        """
        cs = self.cell_size_m
        segments = []
        for i, line in enumerate(self.h_walls):
            y = (self.n_rows - i) * cs
            for c0, c1 in _runs(line):
                segments.append(((c0 * cs, y), ((c1 + 1) * cs, y)))
        for j in range(self.n_cols + 1):
            x = j * cs
            column = [self.v_walls[r][j] for r in range(self.n_rows)]
            for r0, r1 in _runs(column):
                segments.append(((x, (self.n_rows - r1 - 1) * cs), (x, (self.n_rows - r0) * cs)))
        return segments

    @cached_property
    def _wall_boxes(self) -> tuple[WallBox, ...]:
        half_t = self.wall_thickness_m / 2.0
        boxes = []
        for (x0, y0), (x1, y1) in self.wall_segments():
            # Extending each segment by half a thickness fills the corner squares.
            lo_x, hi_x = x0 - half_t, x1 + half_t
            lo_y, hi_y = y0 - half_t, y1 + half_t
            boxes.append(WallBox((lo_x + hi_x) / 2.0, (lo_y + hi_y) / 2.0,
                                 hi_x - lo_x, hi_y - lo_y, self.wall_height_m))
        return tuple(boxes)

    def wall_boxes(self) -> tuple[WallBox, ...]:
        """Axis-aligned wall boxes in the order of :meth:`wall_segments`."""
        return self._wall_boxes

    @cached_property
    def _box_bounds(self) -> np.ndarray:
        """``(n_boxes, 4)`` array of ``min_x, max_x, min_y, max_y``."""
        return np.array([[b.min_x_m, b.max_x_m, b.min_y_m, b.max_y_m]
                         for b in self._wall_boxes], dtype=float)

    def ray_distances(self, x_m: float, y_m: float, angles_rad: np.ndarray,
                      max_range_m: float = math.inf) -> np.ndarray:
        """Analytic 2-D distance from a point to the first wall along each ray.

        Args:
            x_m: Ray origin x.
            y_m: Ray origin y.
            angles_rad: World-frame ray directions (0 = +x, counter-clockwise).
            max_range_m: Distances beyond this are returned as ``inf``.

        Returns:
            Array of distances, ``inf`` where nothing is hit within ``max_range_m``.
            A ray starting inside a box returns 0.
        """
        angles = np.asarray(angles_rad, dtype=float)
        dx = np.cos(angles)[:, None]
        dy = np.sin(angles)[:, None]
        b = self._box_bounds
        with np.errstate(divide='ignore', invalid='ignore'):
            tx1 = (b[:, 0] - x_m) / dx
            tx2 = (b[:, 1] - x_m) / dx
            ty1 = (b[:, 2] - y_m) / dy
            ty2 = (b[:, 3] - y_m) / dy
        # A ray parallel to a slab either always lies inside it or never does.
        inside_x = (b[:, 0] <= x_m) & (x_m <= b[:, 1])
        inside_y = (b[:, 2] <= y_m) & (y_m <= b[:, 3])
        par_x = dx == 0.0
        par_y = dy == 0.0
        t_near_x = np.where(par_x, np.where(inside_x, -np.inf, np.inf), np.minimum(tx1, tx2))
        t_far_x = np.where(par_x, np.where(inside_x, np.inf, -np.inf), np.maximum(tx1, tx2))
        t_near_y = np.where(par_y, np.where(inside_y, -np.inf, np.inf), np.minimum(ty1, ty2))
        t_far_y = np.where(par_y, np.where(inside_y, np.inf, -np.inf), np.maximum(ty1, ty2))
        t_near = np.maximum(t_near_x, t_near_y)
        t_far = np.minimum(t_far_x, t_far_y)
        hit = (t_near <= t_far) & (t_far >= 0.0)
        t = np.where(hit, np.maximum(t_near, 0.0), np.inf).min(axis=1)
        t[t > max_range_m] = np.inf
        return t

    def distance_to_walls(self, x_m: float, y_m: float) -> float:
        """Shortest 2-D distance from a point to any wall box (0 inside a box)."""
        b = self._box_bounds
        ddx = np.maximum(np.maximum(b[:, 0] - x_m, x_m - b[:, 1]), 0.0)
        ddy = np.maximum(np.maximum(b[:, 2] - y_m, y_m - b[:, 3]), 0.0)
        return float(np.hypot(ddx, ddy).min())

    # ------------------------------------------------------------------ output
    def to_layout(self) -> str:
        """The ASCII layout (format in the module docstring), ending with a newline."""
        lines = []
        for i in range(self.n_rows + 1):
            lines.append('+' + '+'.join('---' if w else '   ' for w in self.h_walls[i]) + '+')
            if i == self.n_rows:
                break
            row = ''
            for c in range(self.n_cols):
                mark = ' '
                if (i, c) == self.goal_cell:
                    mark = _GOAL_MARK
                elif (i, c) in self.start_cells:
                    mark = _START_MARK
                row += ('|' if self.v_walls[i][c] else ' ') + f' {mark} '
            lines.append(row + ('|' if self.v_walls[i][self.n_cols] else ' '))
        return '\n'.join(lines) + '\n'

    def to_dict(self) -> dict[str, Any]:
        """A mapping that :meth:`from_dict` turns back into an equal maze."""
        out: dict[str, Any] = {'name': self.name, 'cell_size_m': self.cell_size_m,
                               'wall_thickness_m': self.wall_thickness_m,
                               'wall_height_m': self.wall_height_m}
        if self.description:
            out['description'] = self.description
        out['layout'] = self.to_layout()
        return out


# ---------------------------------------------------------------------- helpers
def _positive_float(value: Any, key: str, source: str) -> float:
    # bool is an int subclass; "true" as a size is certainly a typo.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise MazeError(f'{source}: {key}: expected a positive number in metres, got {value!r}')
    out = float(value)
    if not (math.isfinite(out) and out > 0.0):
        raise MazeError(f'{source}: {key}: expected a positive number in metres, got {value!r}')
    return out


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """Inclusive index ranges of consecutive True values."""
    runs = []
    start = None
    for k, flag in enumerate(flags):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((start, k - 1))
            start = None
    if start is not None:
        runs.append((start, len(flags) - 1))
    return runs


def _parse_layout(layout: str, source: str):
    """Parse the ASCII layout into wall arrays, start cells and the goal cell."""
    lines = [line.rstrip() for line in layout.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) < 3 or len(lines) % 2 == 0:
        raise MazeError(f'{source}: layout: expected an odd number (>= 3) of lines '
                        f'(2 * rows + 1), got {len(lines)}')
    width = len(lines[0])
    if width < 5 or (width - 1) % 4 != 0:
        raise MazeError(f'{source}: layout line 1: expected 4 * columns + 1 characters '
                        f'("+---+---+"), got {width}')
    n_cols = (width - 1) // 4
    for k, line in enumerate(lines):
        if len(line) > width:
            raise MazeError(f'{source}: layout line {k + 1}: expected at most {width} '
                            f'characters like line 1, got {len(line)}')
    lines = [line.ljust(width) for line in lines]

    h_walls = []
    v_walls = []
    starts: list[Cell] = []
    goals: list[Cell] = []
    for k, line in enumerate(lines):
        where = f'{source}: layout line {k + 1}'
        if k % 2 == 0:
            row_walls = []
            for c in range(n_cols):
                if line[4 * c] != '+':
                    raise MazeError(f'{where}, column {4 * c + 1}: expected "+" at a grid corner, '
                                    f'got {line[4 * c]!r}')
                piece = line[4 * c + 1:4 * c + 4]
                if piece == '---':
                    row_walls.append(True)
                elif piece == '   ':
                    row_walls.append(False)
                else:
                    raise MazeError(f'{where}, column {4 * c + 2}: expected "---" (wall) or three '
                                    f'spaces (open), got {piece!r}')
            if line[width - 1] != '+':
                raise MazeError(f'{where}, column {width}: expected "+" at a grid corner, '
                                f'got {line[width - 1]!r}')
            h_walls.append(tuple(row_walls))
        else:
            r = k // 2
            row_walls = []
            for j in range(n_cols + 1):
                ch = line[4 * j]
                if ch == '|':
                    row_walls.append(True)
                elif ch == ' ':
                    row_walls.append(False)
                elif ch in (_START_MARK, _GOAL_MARK):
                    raise MazeError(f'{where}, column {4 * j + 1}: {ch!r} lies on a wall '
                                    'position; start and goal marks go inside a cell')
                else:
                    raise MazeError(f'{where}, column {4 * j + 1}: expected "|" (wall) or a space '
                                    f'(open), got {ch!r}')
                if j == n_cols:
                    break
                interior = line[4 * j + 1:4 * j + 4]
                mark = interior.strip()
                if mark == _START_MARK:
                    starts.append((r, j))
                elif mark == _GOAL_MARK:
                    goals.append((r, j))
                elif mark:
                    raise MazeError(f'{where}: cell ({r}, {j}) holds {interior!r}; expected it '
                                    f'blank or one mark {_START_MARK!r} (start) or '
                                    f'{_GOAL_MARK!r} (goal)')
            v_walls.append(tuple(row_walls))
    if len(goals) != 1:
        raise MazeError(f'{source}: layout: expected exactly one goal mark {_GOAL_MARK!r}, '
                        f'found {len(goals)} at {goals}')
    if not starts:
        raise MazeError(f'{source}: layout: expected at least one start mark {_START_MARK!r}')
    return tuple(h_walls), tuple(v_walls), tuple(starts), goals[0]


def load_maze(path: str | Path) -> Maze:
    """Shorthand for :meth:`Maze.from_yaml`."""
    return Maze.from_yaml(path)
