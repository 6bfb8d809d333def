"""Unit tests of the seeded maze generator, against oracles independent of the loader.

The oracles work on the raw wall arrays: a union-find for connectivity and a BFS of
their own for path lengths, so a bug shared by the generator and Maze would still show.
"""

from collections import deque
import itertools

import pytest

from neurobot.world.maze import Maze
from neurobot.world.maze_generator import (ALGORITHMS, MazeSpec, benchmark_specs,
                                           generate_benchmark_mazes, generate_maze, main,
                                           to_yaml, write_mazes)

SIZES = [(3, 3), (4, 6), (7, 7), (7, 3)]
SEEDS = range(1, 9)


def open_passages(maze):
    """Interior walls that are open, as pairs of cells (from the raw arrays)."""
    pairs = []
    for i in range(1, maze.n_rows):
        for c in range(maze.n_cols):
            if not maze.h_walls[i][c]:
                pairs.append(((i - 1, c), (i, c)))
    for r in range(maze.n_rows):
        for j in range(1, maze.n_cols):
            if not maze.v_walls[r][j]:
                pairs.append(((r, j - 1), (r, j)))
    return pairs


def components(maze, passages=None):
    """Number of connected components (union-find over the open passages)."""
    parent = {cell: cell for cell in itertools.product(range(maze.n_rows), range(maze.n_cols))}

    def root(cell):
        while parent[cell] != cell:
            cell = parent[cell]
        return cell

    for a, b in open_passages(maze) if passages is None else passages:
        parent[root(a)] = root(b)
    return len({root(cell) for cell in parent})


def passages_on_a_loop(maze):
    """Open passages whose closing leaves the maze connected (none in a tree)."""
    passages = open_passages(maze)
    return [p for p in passages
            if components(maze, [q for q in passages if q != p]) == 1]


def bfs_lengths(maze):
    """Moves from the goal to every cell, by BFS over the open passages."""
    adjacent = {}
    for a, b in open_passages(maze):
        adjacent.setdefault(a, []).append(b)
        adjacent.setdefault(b, []).append(a)
    dist = {maze.goal_cell: 0}
    queue = deque([maze.goal_cell])
    while queue:
        cell = queue.popleft()
        for nxt in adjacent.get(cell, []):
            if nxt not in dist:
                dist[nxt] = dist[cell] + 1
                queue.append(nxt)
    return dist


@pytest.mark.parametrize('algorithm', ALGORITHMS)
@pytest.mark.parametrize('rows,cols', SIZES)
def test_a_perfect_maze_is_a_spanning_tree(algorithm, rows, cols):
    for seed in SEEDS:
        maze = generate_maze(MazeSpec(rows=rows, cols=cols, algorithm=algorithm, n_starts=2),
                             seed)
        assert len(open_passages(maze)) == rows * cols - 1, seed
        assert components(maze) == 1, seed


@pytest.mark.parametrize('loops', [1, 3, 6])
def test_removing_walls_adds_that_many_independent_loops(loops):
    for seed in SEEDS:
        maze = generate_maze(MazeSpec(rows=6, cols=6, loops=loops), seed)
        # connected with cells - 1 + loops passages: exactly `loops` independent cycles
        assert components(maze) == 1
        assert len(open_passages(maze)) == 36 - 1 + loops
        # and a loop is a way round: some passage can be closed without cutting a cell off
        assert len(passages_on_a_loop(maze)) >= 4  # the shortest loop has 4 passages
    perfect = generate_maze(MazeSpec(rows=6, cols=6), 1)
    assert passages_on_a_loop(perfect) == []


@pytest.mark.parametrize('rows,cols', SIZES)
def test_path_lengths_agree_with_an_independent_bfs_and_the_spec(rows, cols):
    for seed, loops in itertools.product(SEEDS, (0, 2)):
        spec = MazeSpec(rows=rows, cols=cols, loops=loops, n_starts=3, min_start_distance=2)
        maze = generate_maze(spec, seed)
        dist = bfs_lengths(maze)
        for cell in maze.cells():
            assert maze.shortest_path_length(cell) == dist[cell], (seed, cell)
        assert len(maze.start_cells) == 3 and maze.goal_cell not in maze.start_cells
        assert all(dist[s] >= 2 for s in maze.start_cells)


def test_the_same_seed_gives_the_same_maze_and_another_seed_another():
    spec = MazeSpec(rows=7, cols=7, loops=4, n_starts=5, algorithm='wilson')
    assert generate_maze(spec, 11) == generate_maze(spec, 11)
    assert to_yaml(generate_maze(spec, 11)) == to_yaml(generate_maze(spec, 11))
    assert len({generate_maze(spec, seed).to_layout() for seed in range(1, 11)}) == 10


def test_max_path_bounds_the_longest_start_distance():
    for seed in SEEDS:
        maze = generate_maze(MazeSpec(rows=7, cols=7, n_starts=4, max_path=10), seed)
        assert max(bfs_lengths(maze)[s] for s in maze.start_cells) <= 10


def test_an_impossible_spec_is_a_value_error_saying_why():
    with pytest.raises(ValueError, match='start cells at 2-2 moves'):
        # a 2x2 perfect maze never has 3 cells exactly 2 moves from the goal
        generate_maze(MazeSpec(rows=2, cols=2, n_starts=3, max_path=2), 1)
    with pytest.raises(ValueError, match='loops must lie within 0-4'):
        MazeSpec(rows=3, cols=3, loops=5)
    with pytest.raises(ValueError, match='algorithm'):
        MazeSpec(algorithm='prim')


def test_benchmark_mazes_cover_the_experiments_range():
    mazes = generate_benchmark_mazes(12, seed=1)
    assert len({m.name for m in mazes}) == 12
    for maze in mazes:
        assert 3 <= maze.n_rows <= 7 and 3 <= maze.n_cols <= 7
        assert 2 <= len(maze.start_cells) <= 6
        assert max(maze.start_path_lengths().values()) <= 24
        assert components(maze) == 1
    specs = benchmark_specs(12, seed=1)
    assert any(s.loops == 0 for s in specs) and any(s.loops > 0 for s in specs)
    assert [m.to_layout() for m in mazes] == [m.to_layout()
                                              for m in generate_benchmark_mazes(12, seed=1)]


def test_written_files_load_back_equal_and_the_command_writes_them(tmp_path, capsys):
    mazes = generate_benchmark_mazes(3, seed=2)
    for path, maze in zip(write_mazes(mazes, tmp_path / 'a'), mazes):
        assert Maze.from_yaml(path) == maze
        assert 'layout: |' in path.read_text()  # the drawing, readable in the file
    assert main(['--count', '3', '--seed', '2', '--out', str(tmp_path / 'b')]) == 0
    written = sorted((tmp_path / 'b').glob('*.yaml'))
    assert [Maze.from_yaml(p) for p in written] == sorted(mazes, key=lambda m: m.name)
    assert str(written[0]) in capsys.readouterr().out


def test_the_goal_lies_anywhere_not_only_in_a_corner():
    goals = {generate_maze(MazeSpec(rows=5, cols=5), seed).goal_cell for seed in range(1, 41)}
    assert len(goals) >= 10
    assert goals - {(0, 0), (0, 4), (4, 0), (4, 4)}
