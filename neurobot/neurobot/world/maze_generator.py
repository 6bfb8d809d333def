"""Seeded maze generator: perfect mazes and mazes with loops, as :class:`Maze` objects or YAML.

Contract: :func:`generate_maze` returns a validated :class:`~neurobot.world.maze.Maze`
(the loader's own checks run on it), :func:`write_mazes` writes ``n`` of them as YAML
files that ``Maze.from_yaml`` (and so ``neurobot maze maze:=<file>``) reads. Everything
else is private. Pure numpy; the same seed gives the same maze on every machine
(``numpy.random.default_rng``, whose streams are stable across numpy versions).

Construction:

1. A perfect maze (a spanning tree of the grid graph: ``cells - 1`` open passages, every
   cell reachable by exactly one path), carved by the recursive backtracker (randomised
   depth-first search: long winding corridors) or Wilson's algorithm (loop-erased random
   walks: a uniform spanning tree, more short dead ends).
2. ``loops`` extra interior walls are removed at random, each one adding a cycle
   (Euler: passages - cells + 1 independent loops).
3. The goal is drawn uniformly over all cells; 2-6 start cells are drawn among cells at
   least ``min_start_distance`` moves from it. If ``max_path`` is given, mazes whose
   longest start distance exceeds it are redrawn (from the same generator, so still
   reproducible).

Usage::

    python -m neurobot.world.maze_generator --count 10 --seed 1 --out mazes/
    # then: neurobot maze maze:=mazes/gen_01_5x5_perfect.yaml
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
import logging
from pathlib import Path

import numpy as np

from neurobot.world.maze import Cell, Maze, MOVES

LOG = logging.getLogger(__name__)

ALGORITHMS = ('backtracker', 'wilson')
MIN_SIDE, MAX_SIDE = 3, 7  # cells per side the generator is meant for (larger works)
DEFAULT_CELL_SIZE_M = 0.6  # as the shipped mazes: the omni robot is 0.4 m across
MAX_ATTEMPTS = 1000  # redraws before giving up on an impossible max_path


@dataclass(frozen=True)
class MazeSpec:
    """What to generate.

    Attributes:
        rows, cols: grid size, cells.
        loops: interior walls removed after carving (0: a perfect maze).
        n_starts: start cells (2-6 is the experiment's range; at least 1).
        algorithm: 'backtracker' or 'wilson'.
        min_start_distance: fewest moves from a start cell to the goal.
        max_path: most moves from any start cell to the goal (None: no limit).
        cell_size_m: side of one cell, m.
    """

    rows: int = 5
    cols: int = 5
    loops: int = 0
    n_starts: int = 4
    algorithm: str = 'backtracker'
    min_start_distance: int = 2
    max_path: int | None = None
    cell_size_m: float = DEFAULT_CELL_SIZE_M

    def __post_init__(self):
        for name in ('rows', 'cols'):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 2:
                raise ValueError(f'{name} must be a whole number >= 2, got {value!r}')
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f'algorithm must be one of {ALGORITHMS}, got {self.algorithm!r}')
        interior = (self.rows - 1) * self.cols + self.rows * (self.cols - 1)
        extra = interior - (self.rows * self.cols - 1)  # walls a spanning tree leaves
        if not 0 <= self.loops <= extra:
            raise ValueError(f'loops must lie within 0-{extra} for a {self.rows}x{self.cols} '
                             f'maze, got {self.loops}')
        if not 1 <= self.n_starts < self.rows * self.cols:
            raise ValueError(f'n_starts must lie within 1-{self.rows * self.cols - 1}, '
                             f'got {self.n_starts}')
        if self.min_start_distance < 1:
            raise ValueError(f'min_start_distance must be >= 1, got {self.min_start_distance}')
        if self.max_path is not None and self.max_path < self.min_start_distance:
            raise ValueError(f'max_path ({self.max_path}) must be >= min_start_distance '
                             f'({self.min_start_distance})')


def generate_maze(spec: MazeSpec, seed: int, name: str | None = None) -> Maze:
    """One maze drawn from ``spec`` with ``seed``.

    Args:
        spec: what to generate.
        seed: seed of the generator; the same (spec, seed) gives the same maze.
        name: the maze's name (default ``gen_<rows>x<cols>_s<seed>``).

    Returns:
        The validated maze.

    Raises:
        ValueError: ``spec`` cannot be met (no cell far enough from the goal for the
            start cells, or ``max_path`` never met in MAX_ATTEMPTS draws).
    """
    rng = np.random.default_rng(seed)
    name = name or f'gen_{spec.rows}x{spec.cols}_s{seed}'
    kind = 'perfect' if spec.loops == 0 else f'{spec.loops} loops'
    for _ in range(MAX_ATTEMPTS):
        h_walls, v_walls = _carve(spec.rows, spec.cols, spec.algorithm, rng)
        _remove_walls(h_walls, v_walls, spec.loops, rng)
        goal = (int(rng.integers(spec.rows)), int(rng.integers(spec.cols)))
        dist = _bfs(h_walls, v_walls, goal)
        far = [cell for cell in np.ndindex(spec.rows, spec.cols)
               if dist[cell] >= spec.min_start_distance]
        if len(far) < spec.n_starts:
            continue
        picks = rng.choice(len(far), size=spec.n_starts, replace=False)
        starts = tuple(sorted(tuple(int(v) for v in far[k]) for k in picks))
        longest = max(int(dist[s]) for s in starts)
        if spec.max_path is not None and longest > spec.max_path:
            continue
        shortest = sorted(int(dist[s]) for s in starts)
        description = (f'generated {spec.rows}x{spec.cols} {spec.algorithm} maze ({kind}), '
                       f'seed {seed}, {len(starts)} start cells {shortest[0]} to '
                       f'{shortest[-1]} moves from the goal')
        return Maze(name=name, cell_size_m=spec.cell_size_m,
                    h_walls=tuple(tuple(bool(w) for w in line) for line in h_walls),
                    v_walls=tuple(tuple(bool(w) for w in line) for line in v_walls),
                    start_cells=starts, goal_cell=goal, description=description,
                    source=f'<generated {name}>')
    raise ValueError(f'no {spec.rows}x{spec.cols} maze with {spec.n_starts} start cells at '
                     f'{spec.min_start_distance}-{spec.max_path} moves from the goal in '
                     f'{MAX_ATTEMPTS} draws (seed {seed})')


def benchmark_specs(count: int, seed: int = 1) -> list[MazeSpec]:
    """A spread of ``count`` specs over the experiment's range, drawn with ``seed``.

    Sizes 3x3 to 7x7 (not necessarily square), half perfect and half with loops, both
    algorithms, 2-6 start cells, longest start distance at most 24 moves.
    """
    rng = np.random.default_rng(seed)
    specs = []
    for k in range(count):
        rows, cols = (int(v) for v in rng.integers(MIN_SIDE, MAX_SIDE + 1, size=2))
        cells = rows * cols
        loops = 0 if k % 2 == 0 else int(rng.integers(1, max(2, cells // 6) + 1))
        specs.append(MazeSpec(rows=rows, cols=cols, loops=loops,
                              n_starts=int(rng.integers(2, min(6, cells // 3) + 1)),
                              algorithm=ALGORITHMS[int(rng.integers(len(ALGORITHMS)))],
                              min_start_distance=2, max_path=24))
    return specs


def generate_benchmark_mazes(count: int, seed: int = 1) -> list[Maze]:
    """``count`` mazes of :func:`benchmark_specs`, the k-th with seed ``seed * 1000 + k``."""
    mazes = []
    for k, spec in enumerate(benchmark_specs(count, seed)):
        kind = 'perfect' if spec.loops == 0 else 'loops'
        mazes.append(generate_maze(spec, seed * 1000 + k,
                                   name=f'gen_{k:02d}_{spec.rows}x{spec.cols}_{kind}'))
    return mazes


def to_yaml(maze: Maze) -> str:
    """The maze as the YAML text the loader reads (Maze.from_yaml gives it back equal)."""
    import yaml  # local: only file output needs PyYAML

    class _Block(str):
        pass

    class _Dumper(yaml.SafeDumper):
        pass

    # the layout as a literal block, so the file shows the drawing
    _Dumper.add_representer(_Block, lambda dumper, text: dumper.represent_scalar(
        'tag:yaml.org,2002:str', text, style='|'))
    data = maze.to_dict()
    data['layout'] = _Block(data['layout'])
    header = '# Generated by neurobot.world.maze_generator; format: see neurobot/world/maze.py.\n'
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False)


def write_mazes(mazes, folder: str | Path) -> list[Path]:
    """Write each maze to ``<folder>/<name>.yaml``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for maze in mazes:
        path = folder / f'{maze.name}.yaml'
        path.write_text(to_yaml(maze), encoding='utf-8')
        paths.append(path)
    return paths


# ---------------------------------------------------------------------- carving
def _closed_grid(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Every wall present: h (rows + 1, cols) and v (rows, cols + 1), as in Maze."""
    return np.ones((rows + 1, cols), dtype=bool), np.ones((rows, cols + 1), dtype=bool)


def _open(h_walls, v_walls, a: Cell, b: Cell):
    """Remove the wall between neighbouring cells ``a`` and ``b``."""
    (r0, c0), (r1, c1) = a, b
    if r0 == r1:
        v_walls[r0, max(c0, c1)] = False
    else:
        h_walls[max(r0, r1), c0] = False


def _grid_neighbours(cell: Cell, rows: int, cols: int) -> list[Cell]:
    """In-grid neighbours in N, E, S, W order (walls ignored)."""
    r, c = cell
    out = []
    for dr, dc in MOVES.values():
        if 0 <= r + dr < rows and 0 <= c + dc < cols:
            out.append((r + dr, c + dc))
    return out


def _carve(rows, cols, algorithm, rng):
    h_walls, v_walls = _closed_grid(rows, cols)
    if algorithm == 'backtracker':
        start = (int(rng.integers(rows)), int(rng.integers(cols)))
        seen = {start}
        stack = [start]
        while stack:  # an explicit stack: no recursion limit on large grids
            cell = stack[-1]
            fresh = [n for n in _grid_neighbours(cell, rows, cols) if n not in seen]
            if not fresh:
                stack.pop()
                continue
            nxt = fresh[int(rng.integers(len(fresh)))]
            _open(h_walls, v_walls, cell, nxt)
            seen.add(nxt)
            stack.append(nxt)
    else:  # Wilson: loop-erased random walks into the growing tree
        cells = [(r, c) for r in range(rows) for c in range(cols)]
        in_tree = {cells[int(rng.integers(len(cells)))]}
        for origin in cells:
            if origin in in_tree:
                continue
            step = {}  # cell -> the next cell of the walk (later visits overwrite: loop erasure)
            cell = origin
            while cell not in in_tree:
                options = _grid_neighbours(cell, rows, cols)
                step[cell] = options[int(rng.integers(len(options)))]
                cell = step[cell]
            cell = origin
            while cell not in in_tree:
                _open(h_walls, v_walls, cell, step[cell])
                in_tree.add(cell)
                cell = step[cell]
    return h_walls, v_walls


def _remove_walls(h_walls, v_walls, count, rng):
    """Open ``count`` random interior walls (each adds one independent loop)."""
    rows, cols = v_walls.shape[0], h_walls.shape[1]
    closed = [('h', i, c) for i in range(1, rows) for c in range(cols) if h_walls[i, c]]
    closed += [('v', r, j) for r in range(rows) for j in range(1, cols) if v_walls[r, j]]
    for k in rng.choice(len(closed), size=count, replace=False):
        kind, a, b = closed[int(k)]
        (h_walls if kind == 'h' else v_walls)[a, b] = False


def _bfs(h_walls, v_walls, goal):
    """Move counts from ``goal`` to every cell (-1: unreachable)."""
    rows, cols = v_walls.shape[0], h_walls.shape[1]
    dist = np.full((rows, cols), -1, dtype=int)
    dist[goal] = 0
    frontier = [goal]
    while frontier:
        nxt = []
        for r, c in frontier:
            for (dr, dc), wall in (((-1, 0), h_walls[r, c]), ((1, 0), h_walls[r + 1, c]),
                                   ((0, -1), v_walls[r, c]), ((0, 1), v_walls[r, c + 1])):
                if not wall and dist[r + dr, c + dc] < 0:
                    dist[r + dr, c + dc] = dist[r, c] + 1
                    nxt.append((r + dr, c + dc))
        frontier = nxt
    return dist


def main(argv=None) -> int:
    """Write ``--count`` benchmark mazes to ``--out`` and list them."""
    parser = argparse.ArgumentParser(description='Write seeded generated mazes as YAML files.')
    parser.add_argument('--count', type=int, default=10, help='number of mazes')
    parser.add_argument('--seed', type=int, default=1, help='seed of the maze set')
    parser.add_argument('--out', required=True, help='folder for the YAML files')
    args = parser.parse_args(argv)
    mazes = generate_benchmark_mazes(args.count, args.seed)
    for path, maze in zip(write_mazes(mazes, args.out), mazes):
        lengths = sorted(maze.start_path_lengths().values())
        print(f'{path}: {maze.n_rows}x{maze.n_cols}, starts at {lengths} moves')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
