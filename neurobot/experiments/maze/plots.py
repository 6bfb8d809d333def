"""Figures of a maze run: learning curve, trajectories, learned policy, critic values (PNG).

Headless (Agg).

Reads only the run directory (experiments.maze.results) and the maze file, so figures can
be redrawn after the run: ``neurobot maze-plots --run-dir results/maze``.
"""

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from experiments.maze.agent import random_walk_steps  # noqa: E402
from experiments.maze.results import RunDirectory  # noqa: E402
# the spiking learner's NoGo projection, saved under its name in the checkpoint's extras
# (experiments.maze.spiking.transfer_function); its weights (< 0) add to the actor's
from experiments.maze.spiking.projections import NOGO  # noqa: E402
from neurobot.analysis.figures import draw_maze  # noqa: E402
from neurobot.world.maze import MOVE_ORDER  # noqa: E402

ARROWS = {'N': (0.0, 0.3), 'E': (0.3, 0.0), 'S': (0.0, -0.3), 'W': (-0.3, 0.0)}
RANDOM_WALK_RUNS = 300  # random walks per start cell for the chance band
GOAL_RATE_WINDOW = 10  # episodes of the running goal rate
LEARNER_NAMES = {'spiking': 'spiking actor-critic (dopamine STDP in NEST)',
                 'rstdp': 'numpy R-STDP (weights set from Python)'}


def learner_label(learner: str) -> str:
    """How a figure names the learner that produced it."""
    return f'learner: {LEARNER_NAMES.get(learner, learner)}'


def random_policy_steps(maze, seed=0) -> dict:
    """Mean and std of a random walk's steps to the goal, per start cell."""
    rng = np.random.default_rng(seed)
    result = {}
    for cell in maze.start_cells:
        steps = [random_walk_steps(maze, cell, rng) for _ in range(RANDOM_WALK_RUNS)]
        result[tuple(cell)] = (float(np.mean(steps)), float(np.std(steps)))
    return result


def plot_learning_curve(run: RunDirectory, maze, path: Path, max_moves: int,
                        learner: str = 'rstdp'):
    """Moves per episode, the goal rate, the shortest-path line and the random-walk band.

    Failures (wall, timeout) are drawn as what they were, in their own colours; the
    smoothed ratio is over goal episodes only and the goal rate (right axis) says how
    many there were, so a capped number of moves never stands in for a failure.
    """
    rows = run.read_episodes()
    episodes = np.array([int(r['episode']) for r in rows])
    moves = np.array([int(r['moves']) for r in rows])
    outcomes = [r['outcome'] for r in rows]
    shortest = np.array([int(r['shortest_path']) for r in rows])
    chance = random_policy_steps(maze)
    chance_mean = np.array([chance[(int(r['start_row']), int(r['start_col']))][0] for r in rows])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ratio = moves / shortest
    colours = {'goal': 'tab:green', 'wall': 'tab:red', 'timeout': 'tab:gray'}
    for outcome, colour in colours.items():
        mask = np.array([o == outcome for o in outcomes])
        if mask.any():
            ax.scatter(episodes[mask], ratio[mask], s=14, color=colour, label=outcome)
    goal = np.array([o == 'goal' for o in outcomes])
    if goal.sum() >= 5:
        window = 10
        spans = [slice(max(0, i - window + 1), i + 1) for i in range(len(ratio))]
        smoothed = [np.mean(ratio[span][goal[span]]) if goal[span].any() else np.nan
                    for span in spans]
        ax.plot(episodes, smoothed, color='tab:green', label=f'goal episodes, mean of {window}')
    ax.axhline(1.0, color='black', linestyle='--', label='shortest path')
    ax.axhline(1.3, color='black', linestyle=':', label='1.3x shortest path')
    ax.axhspan(np.min(chance_mean / shortest) if len(rows) else 5,
               np.max(chance_mean / shortest) if len(rows) else 20,
               color='tab:orange', alpha=0.2, label='random walk (mean per start cell)')
    ax.set_yscale('log')
    ax.set_xlabel('episode')
    ax.set_ylabel('moves / shortest path')
    ax.set_title(f'maze learning: {len(rows)} episodes, {int(goal.sum())} reached the goal '
                 f'(timeout after {max_moves} moves)\n{learner_label(learner)}')
    ax.legend(loc='upper left', fontsize=8)
    if len(rows):
        rate_axis = ax.twinx()
        window = GOAL_RATE_WINDOW
        rate = [goal[max(0, i - window + 1):i + 1].mean() for i in range(len(goal))]
        rate_axis.plot(episodes, rate, color='tab:blue', linewidth=1.5,
                       label=f'goal rate, last {window} episodes')
        rate_axis.set_ylim(0.0, 1.05)
        rate_axis.set_ylabel('goal rate')
        rate_axis.legend(loc='upper right', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_trajectories(run: RunDirectory, maze, path: Path, count=3, learner: str = 'rstdp'):
    """The first and last ``count`` episodes' paths over the maze."""
    trajectories = run.read_trajectories()
    chosen = trajectories[:count] + trajectories[-count:] if len(trajectories) > 2 * count \
        else trajectories
    fig, axes = plt.subplots(1, max(1, len(chosen)), figsize=(3 * max(1, len(chosen)), 3.3))
    axes = np.atleast_1d(axes)
    for ax, trajectory in zip(axes, chosen):
        draw_maze(ax, maze)
        points = np.array([maze.cell_to_world(c) for c in trajectory['cells']])
        ax.plot(points[:, 0], points[:, 1], '-o', color='tab:blue', markersize=3)
        ax.set_title(f'episode {trajectory["episode"]}: {trajectory["outcome"]}, '
                     f'{len(points) - 1} moves', fontsize=8)
    fig.suptitle(learner_label(learner), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_policy(weights: np.ndarray, maze, path: Path, cells_per_field: int, group_size: int,
                learner: str = 'rstdp'):
    """Preferred direction per cell, from the place->action (actor) weights.

    The arrow points to the action group receiving the largest summed weight from the
    cell's place cells; its length is that group's share of the total (net drive: an
    inhibitory NoGo weight, < 0, counts against its group; groups below 0 count as 0).
    """
    fig, ax = plt.subplots(figsize=(5, 5))
    draw_maze(ax, maze)
    n_groups = len(MOVE_ORDER)
    for index, cell in enumerate(maze.cells()):
        rows = weights[index * cells_per_field:(index + 1) * cells_per_field]
        drive = np.nan_to_num(rows).sum(axis=0).reshape(n_groups, group_size).sum(axis=1)
        drive = np.maximum(drive, 0.0)
        if drive.sum() <= 0:
            continue
        best = int(np.argmax(drive))
        share = drive[best] / drive.sum()
        dx, dy = ARROWS[MOVE_ORDER[best]]
        x, y = maze.cell_to_world(cell)
        scale = maze.cell_size_m * (0.4 + share)
        ax.arrow(x - dx * scale / 2, y - dy * scale / 2, dx * scale, dy * scale,
                 width=0.02, color='tab:purple', length_includes_head=True)
    ax.set_title(f'learned policy: preferred direction per cell\n{learner_label(learner)}',
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cell_values(critic_weights, n_cells: int, cells_per_field: int) -> np.ndarray:
    """The spiking critic's value code per maze cell, pA.

    ``critic_weights``: the checkpoint's critic (place cells x striatal neurons, nA). The
    mean over a cell's place cells and all striatal neurons is the input that sets the
    striatal rate there, the critic's value of the cell (in pA, the synapse model's unit).
    The numpy learner's critic (one weight per place cell, read out through overlapping
    place fields) has no such layout and is refused.

    Raises:
        ValueError: the array is not (n_cells x cells_per_field) x striatal neurons.
    """
    weights = np.asarray(critic_weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != n_cells * cells_per_field or not weights.shape[1]:
        raise ValueError(f'critic of shape {weights.shape} is not {n_cells} cells x '
                         f'{cells_per_field} place cells x striatal neurons')
    return 1e3 * weights.reshape(n_cells, cells_per_field, -1).mean(axis=(1, 2))


def plot_values(values, maze, path: Path, learner: str = 'spiking',
                unit: str = 'mean place->striatum weight (pA)'):
    """The critic's value per cell as a coloured grid with the number in each cell.

    Where the learner has learned, values rise towards the goal; a cell the robot never
    reached keeps (or falls back towards) its initial value. The goal cell is labelled,
    not coloured: an episode ends there, so its value is never learned. The scale starts
    at 0, so that a map of nearly equal values looks nearly uniform.
    """
    fig, ax = plt.subplots(figsize=(5.5, 5))
    size = maze.cell_size_m
    values = np.asarray(values, dtype=np.float64)
    cells = [tuple(cell) for cell in maze.cells()]
    goal = tuple(maze.goal_cell)
    learned = [v for cell, v in zip(cells, values) if cell != goal]
    norm = plt.Normalize(0.0, max(max(learned, default=0.0), 1e-9))
    cmap = plt.get_cmap('viridis')
    for cell, value in zip(cells, values):
        x, y = maze.cell_to_world(cell)
        if cell == goal:
            ax.text(x, y, 'goal', ha='center', va='center', fontsize=8)
            continue
        ax.add_patch(plt.Rectangle((x - size / 2, y - size / 2), size, size,
                                   color=cmap(norm(value))))
        ax.text(x, y - size / 4, f'{value:.3g}', ha='center', va='center', fontsize=7,
                color='white' if norm(value) < 0.6 else 'black')
    draw_maze(ax, maze)
    ax.set_xlim(0, maze.n_cols * size)
    ax.set_ylim(0, maze.n_rows * size)
    # as tall as the maze (equal aspect: a wide maze is a short axes)
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=unit,
                 shrink=0.8 * min(1.0, maze.n_rows / maze.n_cols))
    ax.set_title(f'critic: value per cell (starts green)\n{learner_label(learner)}',
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_run(run_dir, maze, max_moves: int, cells_per_field=4, group_size=10) -> list:
    """Draw every figure of a run, labelled with its learner; return the PNG paths.

    The learner is the run's ``learner`` argument (arguments.json); without one (runs from
    before the spiking learner, runs made by ``neurobot launch maze``) a checkpoint with
    NoGo weights is the spiking learner's, any other rstdp's. The policy is drawn from the
    checkpoint's actor weights (both learners keep place->action weights there, same
    layout), plus the spiking learner's inhibitory NoGo weights where the checkpoint has
    them; the spiking learner's value map from its critic (:func:`cell_values`).
    """
    run = RunDirectory(run_dir)
    extra = run.load_checkpoint_extra()
    # a run made by `neurobot launch maze` has no arguments.json; its checkpoint still
    # tells the spiking learner (NoGo weights) from the numpy one
    learner = run.load_arguments().get('learner') or ('spiking' if NOGO in extra else 'rstdp')
    paths = []
    if run.read_episodes():
        paths.append(run.path / 'learning_curve.png')
        plot_learning_curve(run, maze, paths[-1], max_moves, learner)
        paths.append(run.path / 'trajectories.png')
        plot_trajectories(run, maze, paths[-1], learner=learner)
    checkpoint = run.load_checkpoint()
    if checkpoint is not None:
        paths.append(run.path / 'policy.png')
        weights = checkpoint[1]
        nogo = extra.get(NOGO)
        if nogo is not None and nogo.shape == weights.shape:
            weights = weights + nogo
        plot_policy(weights, maze, paths[-1], cells_per_field, group_size, learner)
        try:
            values = cell_values(checkpoint[2], len(list(maze.cells())), cells_per_field)
        except ValueError:
            pass  # the numpy learner's critic: no value map rather than a wrong one
        else:
            paths.append(run.path / 'values.png')
            plot_values(values, maze, paths[-1], learner)
    return paths
