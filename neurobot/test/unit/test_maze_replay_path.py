"""Which moves the spiking maze learner replays: a run without its loops (last_exits).

Random walks on seeded random mazes (not picked by hand), compared with an independent
construction: chronological loop erasure of the visited cells (walk the cells, and when
one comes back, cut the path back to its first visit).
"""

import numpy as np
import pytest

from experiments.maze.spiking.learner import MOVE_ORDER, last_exits
from neurobot.world.maze_generator import MazeSpec, generate_maze


def random_walk(maze, rng, length):
    """(cell, move, cell reached) of a random walk that never hits a wall."""
    cell, moves = tuple(maze.start_cells[0]), []
    for _ in range(length):
        move = rng.choice(maze.free_moves(cell))
        moves.append((cell, move, maze.neighbour(cell, move)))
        cell = moves[-1][2]
    return moves


def erase_loops(cells):
    path = []
    for cell in cells:
        if cell in path:
            del path[path.index(cell) + 1:]
        else:
            path.append(cell)
    return path


@pytest.mark.parametrize('seed', range(20))
def test_last_exits_is_the_runs_loop_erasure(seed):
    rng = np.random.default_rng(seed)
    spec = MazeSpec(rows=int(rng.integers(3, 8)), cols=int(rng.integers(3, 8)),
                    loops=int(rng.integers(0, 6)) if seed % 2 else 0)
    maze = generate_maze(spec, seed)
    moves = random_walk(maze, rng, int(rng.integers(1, 60)))
    path = last_exits(moves)
    cells = [moves[0][0]] + [there for _, _, there in moves]
    assert [cells[0]] + [there for _, _, there in path] == erase_loops(cells)
    assert all(step in moves for step in path)  # the run's own moves
    assert all(a[2] == b[0] for a, b in zip(path, path[1:]))  # one after the other
    assert all(m in MOVE_ORDER for _, m, _ in path)


def test_a_run_without_loops_is_replayed_whole_and_nothing_gives_nothing():
    run = [((0, 0), 'E', (0, 1)), ((0, 1), 'S', (1, 1)), ((1, 1), 'E', (1, 2))]
    assert last_exits(run) == run
    assert last_exits([]) == []
    detour = [((0, 0), 'E', (0, 1)), ((0, 1), 'S', (1, 1)), ((1, 1), 'N', (0, 1)),
              ((0, 1), 'E', (0, 2))]
    assert last_exits(detour) == [detour[0], detour[3]]
