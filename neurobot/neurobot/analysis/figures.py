"""Figures of a recorded run (PNG, headless).

Spike raster, population rates, trajectory over the maze, weight evolution.

Inputs are a :class:`~neurobot.analysis.recording.Recording` and, for the weights, the
output of the brain node's weight recorder reader, ``{projection: (times_ms[n],
weights[n, rows, cols])}`` (NaN where there is no connection). A maze world is drawn
with :func:`draw_maze`, which the maze experiment's own figures use too.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
from matplotlib.collections import LineCollection  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neurobot.analysis.recording import NS_PER_MS, Recording  # noqa: E402

RASTER_SPAN_S = 30.0  # default raster span: long recordings show only their last 30 s
RASTER_MAX_POINTS = 300_000  # spikes drawn per population at most (evenly thinned)
WEIGHT_TRACES = 8  # synapses drawn over time per projection (the ones that change most)
WEIGHT_SNAPSHOTS = 3  # weight matrices shown per projection (first, middle, last)
DPI = 110


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_raster(recording: Recording, path, span_s: float | None = RASTER_SPAN_S) -> Path:
    """Write :func:`raster_figure` to ``path`` (PNG)."""
    return _save(raster_figure(recording, span_s), path)


def raster_figure(recording: Recording, span_s: float | None = RASTER_SPAN_S):
    """One raster panel per population (spike time vs neuron), sharing the time axis.

    Args:
        recording: the recording whose populations (brain/<pop>/spikes topics) are drawn.
        span_s: show the last ``span_s`` seconds of the recording (None: everything).
    """
    populations = list(recording.populations.values())
    if not populations:
        raise ValueError(f'{recording.path}: no spikes to draw (no brain/<pop>/spikes topic)')
    end_ms = recording.end_ns / NS_PER_MS
    start_ms = recording.start_ns / NS_PER_MS
    if span_s is not None:
        start_ms = max(start_ms, end_ms - span_s * 1000.0)
    fig, axes = plt.subplots(len(populations), 1, sharex=True, squeeze=False,
                             figsize=(10, 1.2 + 1.8 * len(populations)))
    for ax, population in zip(axes[:, 0], populations):
        times = population.spike_times_ms
        inside = (times > start_ms) & (times <= end_ms)
        times, neurons = times[inside], population.spike_neurons[inside]
        stride = max(1, len(times) // RASTER_MAX_POINTS)
        ax.scatter(times[::stride] / 1000.0, neurons[::stride], s=1.0, marker='|',
                   color='black', linewidths=0.5)
        ax.set_ylim(-0.5, max(population.n_neurons, 1) - 0.5)
        ax.set_ylabel(f'{population.name}\nneuron')
        ax.set_title(f'{population.name}: {int(inside.sum())} spikes'
                     + (f' (every {stride}th drawn)' if stride > 1 else ''), fontsize=9)
    axes[-1, 0].set_xlim(start_ms / 1000.0, end_ms / 1000.0)
    axes[-1, 0].set_xlabel('simulation time (s)')
    fig.suptitle(f'spike raster: {Path(recording.path).name}', fontsize=10)
    fig.tight_layout()
    return fig


def plot_rates(recording: Recording, path) -> Path:
    """Write :func:`rates_figure` to ``path`` (PNG)."""
    return _save(rates_figure(recording), path)


def rates_figure(recording: Recording):
    """Population mean rate per brain step (Hz) over time, one panel per population."""
    populations = list(recording.populations.values())
    if not populations:
        raise ValueError(f'{recording.path}: no spikes to draw (no brain/<pop>/spikes topic)')
    fig, axes = plt.subplots(len(populations), 1, sharex=True, squeeze=False,
                             figsize=(10, 1.2 + 1.6 * len(populations)))
    for ax, population in zip(axes[:, 0], populations):
        rates = population.rates_hz()
        ax.step(population.end_ms / 1000.0, rates, where='pre', color='tab:blue',
                linewidth=0.8)
        ax.set_ylabel(f'{population.name}\nrate (Hz)')
        ax.set_title(f'{population.name} ({population.n_neurons} neurons): mean '
                     f'{np.nanmean(rates) if len(rates) else 0.0:.1f} Hz', fontsize=9)
    axes[-1, 0].set_xlabel('simulation time (s)')
    fig.suptitle('population mean rate per brain step', fontsize=10)
    fig.tight_layout()
    return fig


def draw_maze(ax, maze):
    """Draw a maze world on ``ax``: walls, the goal cell (gold) and the start cells (green)."""
    for (x0, y0), (x1, y1) in maze.wall_segments():
        ax.plot([x0, x1], [y0, y1], color='black', linewidth=2)
    gx, gy = maze.cell_to_world(maze.goal_cell)
    ax.add_patch(plt.Rectangle((gx - maze.cell_size_m / 2, gy - maze.cell_size_m / 2),
                               maze.cell_size_m, maze.cell_size_m, color='gold', alpha=0.5))
    for cell in maze.start_cells:
        sx, sy = maze.cell_to_world(cell)
        ax.plot(sx, sy, 's', color='tab:green', markersize=8)
    ax.set_aspect('equal')
    ax.set_xticks([])
    ax.set_yticks([])


def plot_trajectory(recording: Recording, path, maze=None) -> Path:
    """Write :func:`trajectory_figure` to ``path`` (PNG)."""
    return _save(trajectory_figure(recording, maze), path)


def trajectory_figure(recording: Recording, maze=None):
    """The robot's path, coloured by time, over the maze when one is given.

    The path is the ground truth if recorded, else odometry.

    Raises:
        RecordingError: the recording has neither odom nor ground_truth/pose.
    """
    trajectory = recording.require('trajectory')
    fig, ax = plt.subplots(figsize=(6, 5.5))
    if maze is not None:
        draw_maze(ax, maze)
    t_s = trajectory.t_ns / 1e9
    points = np.column_stack([trajectory.x_m, trajectory.y_m])
    if len(points) > 1:
        segments = np.stack([points[:-1], points[1:]], axis=1)
        # a jump of half a cell or more between two poses is the robot being placed at
        # a new start cell, not a drive (a round moves it a fraction of a cell): leave
        # it out of the line
        step_m = np.linalg.norm(points[1:] - points[:-1], axis=1)
        moving = step_m[step_m > 0]
        limit = (0.5 * maze.cell_size_m if maze is not None
                 else 5.0 * float(np.median(moving)) if len(moving) else np.inf)
        keep = step_m < limit
        lines = LineCollection(segments[keep], cmap='viridis', linewidths=1.5)
        lines.set_array(t_s[1:][keep])
        ax.add_collection(lines)
        fig.colorbar(lines, ax=ax, label='simulation time (s)')
    ax.plot(points[:1, 0], points[:1, 1], 'o', color='tab:green', label='first pose')
    ax.plot(points[-1:, 0], points[-1:, 1], 'x', color='tab:red', label='last pose')
    if maze is None:
        ax.set_aspect('equal')
        ax.set_xlabel('x (m)')
        ax.set_ylabel('y (m)')
        ax.autoscale()
    ax.legend(loc='upper right', fontsize=8)
    ax.set_title(f'trajectory ({trajectory.topic}, {len(points)} poses, '
                 f'{t_s[-1] - t_s[0] if len(t_s) else 0.0:.1f} s)', fontsize=9)
    fig.tight_layout()
    return fig


def plot_weights(weights: dict, path, traces: int = WEIGHT_TRACES,
                 snapshots: int = WEIGHT_SNAPSHOTS) -> Path:
    """Write :func:`weights_figure` to ``path`` (PNG)."""
    return _save(weights_figure(weights, traces, snapshots), path)


def weights_figure(weights: dict, traces: int = WEIGHT_TRACES,
                   snapshots: int = WEIGHT_SNAPSHOTS):
    """Weight evolution: traces of the synapses that change most, and weight matrices.

    Per projection, the ``traces`` synapses that change most over time, and the weight
    matrix at ``snapshots`` times (first, ..., last).

    Args:
        weights: projection -> (times_ms (n,), weights (n, rows, cols)).
        traces: synapses drawn over time per projection (those whose weight changes most
            between the first and the last snapshot).
        snapshots: weight matrices shown per projection, at times spread evenly from the
            first snapshot to the last.

    Raises:
        ValueError: no projection, or arrays of mismatched shapes.
    """
    if not weights:
        raise ValueError('no weights to draw (the weight file holds no projection)')
    names = sorted(weights)
    fig, axes = plt.subplots(len(names), 1 + snapshots, squeeze=False,
                             figsize=(4.5 + 2.6 * snapshots, 3.0 * len(names)),
                             gridspec_kw={'width_ratios': [2.2] + [1] * snapshots},
                             layout='constrained')
    for row, name in enumerate(names):
        times_ms, values = weights[name]
        times_ms, values = np.asarray(times_ms, dtype=float), np.asarray(values, dtype=float)
        if values.ndim != 3 or len(times_ms) != len(values):
            raise ValueError(f'weights[{name!r}]: expected times_ms (n,) and weights '
                             f'(n, rows, cols), got {times_ms.shape} and {values.shape}')
        flat = values.reshape(len(values), -1)
        connected = np.flatnonzero(np.isfinite(flat).all(axis=0)) if len(flat) else []
        ax = axes[row, 0]
        if len(connected) and len(flat):
            change = np.abs(flat[-1, connected] - flat[0, connected])
            chosen = connected[np.argsort(change, kind='stable')[::-1][:traces]]
            for index in chosen:
                pre, post = divmod(int(index), values.shape[2])
                ax.plot(times_ms / 1000.0, flat[:, index], linewidth=1.0,
                        label=f'{pre}->{post}')
            ax.legend(fontsize=6, ncol=2, title='pre->post', title_fontsize=6)
        ax.set_xlabel('simulation time (s)')
        ax.set_ylabel('weight')
        ax.set_title(f'{name}: {len(times_ms)} snapshots, the {min(traces, len(connected))} '
                     f'synapses that changed most', fontsize=9)
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        picks = np.unique(np.linspace(0, len(values) - 1, snapshots).round().astype(int)) \
            if len(values) else []
        image = None
        for column in range(snapshots):
            ax = axes[row, 1 + column]
            if column < len(picks):
                k = picks[column]
                image = ax.imshow(values[k], aspect='auto', interpolation='nearest',
                                  cmap='viridis', vmin=low, vmax=high)
                ax.set_title(f't = {times_ms[k] / 1000.0:.1f} s', fontsize=9)
                ax.set_xlabel('post')
                ax.set_ylabel('pre')
            else:
                ax.axis('off')
        if image is not None:
            fig.colorbar(image, ax=axes[row, 1:].tolist(), label='weight')
    fig.suptitle('weight evolution', fontsize=10)
    return fig


def plot_recording(recording: Recording, out_dir, maze=None, weights=None,
                   span_s: float | None = RASTER_SPAN_S) -> list:
    """Every figure the inputs allow; returns [(path, None)] or [(None, why-skipped)]."""
    from neurobot.analysis.recording import RecordingError
    out_dir = Path(out_dir)
    results = []
    if recording.populations:
        results.append((plot_raster(recording, out_dir / 'raster.png', span_s), None))
        results.append((plot_rates(recording, out_dir / 'rates.png'), None))
    else:
        results.append((None, f'no raster or rates: no brain/<pop>/spikes topic; topics '
                              f'found: {recording.topic_list()}'))
    try:
        results.append((plot_trajectory(recording, out_dir / 'trajectory.png', maze), None))
    except RecordingError as error:
        results.append((None, f'no trajectory: {error}'))
    if weights is not None:
        results.append((plot_weights(weights, out_dir / 'weights.png'), None))
    return results
