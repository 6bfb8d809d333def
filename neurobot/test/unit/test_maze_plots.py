"""Unit tests of the maze run's value map: the spiking critic's value per cell."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from experiments.maze.plots import cell_values, plot_run, plot_values
from experiments.maze.results import RunDirectory
from experiments.maze.spiking.projections import NOGO
from neurobot.world.maze_generator import MazeSpec, generate_maze

CELLS_PER_FIELD = 4


@pytest.mark.parametrize('seed', [3, 11, 29])
def test_the_spiking_critic_reads_as_the_mean_weight_of_each_cells_place_cells(seed):
    rng = np.random.default_rng(seed)
    n_cells, n_striatum = int(rng.integers(4, 30)), int(rng.integers(1, 50))
    weights_na = rng.uniform(0.0, 0.4, (n_cells * CELLS_PER_FIELD, n_striatum))
    values = cell_values(weights_na, n_cells, CELLS_PER_FIELD)
    # ground truth by an independent loop over the cells' rows
    expected = [1e3 * np.mean(weights_na[c * CELLS_PER_FIELD:(c + 1) * CELLS_PER_FIELD])
                for c in range(n_cells)]
    np.testing.assert_allclose(values, expected)


@pytest.mark.parametrize('shape', [(6,), (6 * 4,), (4 * 6 + 1, 40), (4 * 6, 0), (2, 2, 2)])
def test_a_critic_of_another_maze_is_refused_by_name(shape):
    with pytest.raises(ValueError, match='is not 6 cells x 4 place cells'):
        cell_values(np.zeros(shape), 6, CELLS_PER_FIELD)


def test_a_spiking_run_draws_its_value_map_and_a_numpy_run_has_none(tmp_path, monkeypatch):
    original = plt.Axes.set_title
    maze = generate_maze(MazeSpec(rows=4, cols=3, n_starts=2), 5)
    n_cells = len(list(maze.cells()))
    rng = np.random.default_rng(0)
    run = RunDirectory(tmp_path / 'run')
    run.save_checkpoint(7, rng.uniform(0, 0.2, (n_cells * CELLS_PER_FIELD, 40)),
                        rng.uniform(0, 0.4, (n_cells * CELLS_PER_FIELD, 40)), rng,
                        extra={NOGO: np.zeros((n_cells * CELLS_PER_FIELD, 40))})
    titles = []

    def set_title(ax, text, *args, **kwargs):
        titles.append(text)
        return original(ax, text, *args, **kwargs)
    monkeypatch.setattr(plt.Axes, 'set_title', set_title)
    paths = plot_run(run.path, maze, 30)
    # no arguments.json (a `neurobot launch` run): the NoGo weights name the learner
    assert any('spiking actor-critic' in title for title in titles), titles
    assert run.path / 'values.png' in paths
    assert (run.path / 'values.png').stat().st_size > 10_000

    other = RunDirectory(tmp_path / 'other')
    other.save_checkpoint(7, rng.uniform(0, 0.2, (n_cells * CELLS_PER_FIELD, 40)),
                          np.zeros(n_cells * CELLS_PER_FIELD), rng)  # numpy critic
    paths = plot_run(other.path, maze, 30)
    assert other.path / 'policy.png' in paths and not (other.path / 'values.png').exists()


def test_a_flat_value_map_still_draws(tmp_path):
    maze = generate_maze(MazeSpec(rows=3, cols=3, n_starts=2), 1)
    plot_values(np.full(9, 15.0), maze, tmp_path / 'flat.png')
    assert (tmp_path / 'flat.png').stat().st_size > 10_000
