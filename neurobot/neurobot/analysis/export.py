"""Export aligned, windowed activity and robot state from a recording to .npz (ROS-free).

The probe-then-train workflow: record a run, export for every *sample* the spikes of
chosen populations in the ``window_ms`` before it, binned at ``bin_ms``, with the
robot's state at that moment and the command that followed, then fit a model to the
arrays (see :mod:`neurobot.analysis.train_example`).

Samples. By default one per brain step, at the step's end (the time stamped on its
PopulationSpikes messages; steps recorded for every chosen population). With
``sample_topic``, one per message of that topic, at its header stamp (or, for a
message without a stamp, at the simulation time of the latest stamped message received
before it).

Window rule (the same as :class:`tf_nodes.temporal.SpikeWindow`, so a transfer
function computing features online gets exactly the training arrays): for a sample at
time ``T`` a spike at ``t`` is in the window iff ``T - window < t <= T``, and in bin
``j = ceil((t - (T - window)) / bin) - 1``, i.e. bin ``j`` holds
``(T - window + j * bin, T - window + (j + 1) * bin]``, oldest bin first. Times are
compared in integer ns. NEST stamps a spike at the end of its resolution step, so a
spike at exactly ``T`` is in the last bin.

Incomplete windows. A window is *complete* when every instant of it lies in a recorded
brain step of every chosen population. Windows that reach before the first recorded
step (``T < start + window``) or over a step whose message is missing are incomplete:
they are dropped (default) or, with ``keep_partial``, kept with zeros for the
unrecorded time and ``complete = False``.

Keys of the .npz (n samples, units in the names; load with :func:`load_export` or
``np.load``; nothing needs pickle):

- ``sample_time_ms`` (n,): simulation time of the sample (the end of its window), ms.
- ``sample_step`` (n,): brain step index of the sample (-1 with ``sample_topic``).
- ``spikes_<population>`` (n, n_neurons, n_bins): spikes per neuron and bin, oldest
  bin first (uint16, or uint32 when a bin holds more than 65535 spikes).
- ``bin_edges_ms`` (n_bins + 1,): bin edges relative to the sample time (-window..0).
- ``complete`` (n,): the window was fully recorded (all True unless keep_partial).
- ``x_m``, ``y_m``, ``yaw_rad``, ``vx_mps``, ``vy_mps``, ``wz_radps`` (n,): robot
  state from odometry (ground truth pose when there is no odometry; then no
  velocities) at the latest stamp <= the sample time; NaN before the first.
  Velocities are in the robot's frame, as in nav_msgs/Odometry.
- ``state_time_ms`` (n,): stamp of that state message (NaN if none).
- ``gt_x_m``, ``gt_y_m``, ``gt_yaw_rad`` (n,): ground-truth pose, when recorded.
- ``cmd_vx_mps``, ``cmd_vy_mps``, ``cmd_wz_radps`` (n,): the velocity command that
  followed the sample (robot frame); NaN if none followed. In a lockstep run: the first
  one published in the sample's round or later (rounds from the publisher's
  /lockstep/done counts, so the recorder's receive order across topics does not
  matter); otherwise the first one received after the sample's messages.
- ``cmd_time_ms`` (n,): simulation time of that command (its stamp; for a Twist the end
  of the round it was published in, or received in without lockstep announcements);
  ``has_command`` (n,) bool.
- ``metadata``: a JSON string: source file, populations (name -> size), window_ms,
  bin_ms, n_bins, samples (how they were chosen), state_topic, command_topic,
  samples_dropped (incomplete windows), format (``neurobot-export-1``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from neurobot.analysis.recording import NS_PER_MS, Recording, RecordingError, normalise_topic

_log = logging.getLogger(__name__)

FORMAT = 'neurobot-export-1'
CHUNK_CELLS = 20_000_000  # output cells binned at once (bounds the int64 scratch memory)


def to_ns(name: str, value_ms, minimum_ns=1) -> int:
    """A duration in ms as integer ns (nearest), at least ``minimum_ns``."""
    try:
        value_ns = int(round(float(value_ms) * NS_PER_MS))
    except (TypeError, ValueError):
        raise ValueError(f'{name}: expected a number of ms, got {value_ms!r}') from None
    if value_ns < minimum_ns:
        raise ValueError(f'{name}: expected at least {minimum_ns / NS_PER_MS} ms, '
                         f'got {value_ms!r}')
    return value_ns


def bin_windows(spike_times_ns, spike_neurons, n_neurons: int, sample_ns, window_ns: int,
                bin_ns: int) -> np.ndarray:
    """Spike counts per sample, neuron and bin (the module's window rule).

    Args:
        spike_times_ns: spike times, int64 ns, ascending.
        spike_neurons: neuron of every spike (0 <= n < n_neurons).
        n_neurons: population size.
        sample_ns: sample times (window ends), int64 ns.
        window_ns: window length, ns.
        bin_ns: bin length, ns; divides window_ns.

    Returns:
        int64 array (n_samples, n_neurons, window_ns // bin_ns).
    """
    if window_ns % bin_ns:
        raise ValueError(f'bin_ms: expected a divisor of window_ms '
                         f'({window_ns / NS_PER_MS} ms), got {bin_ns / NS_PER_MS} ms')
    times = np.asarray(spike_times_ns, dtype=np.int64)
    neurons = np.asarray(spike_neurons, dtype=np.int64)
    samples = np.asarray(sample_ns, dtype=np.int64)
    n_bins = window_ns // bin_ns
    out = np.zeros((len(samples), n_neurons, n_bins), dtype=np.int64)
    cells = max(1, n_neurons * n_bins)
    chunk = max(1, CHUNK_CELLS // cells)
    for first in range(0, len(samples), chunk):
        block = samples[first:first + chunk]
        lo = np.searchsorted(times, block - window_ns, side='right')
        hi = np.searchsorted(times, block, side='right')
        sizes = hi - lo
        total = int(sizes.sum())
        if total == 0:
            continue
        owner = np.repeat(np.arange(len(block)), sizes)
        # index of every (sample, spike) pair: lo of its sample + its rank within it
        offsets = np.cumsum(sizes) - sizes
        event = lo[owner] + np.arange(total) - offsets[owner]
        bins = (times[event] - (block[owner] - window_ns) - 1) // bin_ns
        flat = (owner * n_neurons + neurons[event]) * n_bins + bins
        out[first:first + len(block)] = np.bincount(
            flat, minlength=len(block) * cells).reshape(len(block), n_neurons, n_bins)
    return out


def covered(starts_ns, ends_ns, sample_ns, window_ns) -> np.ndarray:
    """Whether each sample's window was recorded.

    True where ``(sample - window, sample]`` lies inside the union of the intervals
    ``(start, end]`` (recorded steps; touching intervals join).
    """
    starts = np.asarray(starts_ns, dtype=np.int64)
    ends = np.asarray(ends_ns, dtype=np.int64)
    samples = np.asarray(sample_ns, dtype=np.int64)
    if not len(starts):
        return np.zeros(len(samples), dtype=bool)
    order = np.argsort(starts, kind='stable')
    starts, ends = starts[order], ends[order]
    merged_start, merged_end = [int(starts[0])], [int(ends[0])]
    for start, end in zip(starts[1:], ends[1:]):
        if start <= merged_end[-1]:
            merged_end[-1] = max(merged_end[-1], int(end))
        else:
            merged_start.append(int(start))
            merged_end.append(int(end))
    merged_start, merged_end = np.array(merged_start), np.array(merged_end)
    # the merged interval holding the sample: the last one starting before it
    index = np.searchsorted(merged_start, samples, side='left') - 1
    safe = np.maximum(index, 0)
    return ((index >= 0) & (merged_end[safe] >= samples)
            & (merged_start[safe] <= samples - window_ns))


def _brain_step_samples(recording: Recording, populations):
    """Step ends recorded for every population, with step index and latest log time."""
    first = recording.population(populations[0])
    ends = first.end_ns
    for name in populations[1:]:
        ends = np.intersect1d(ends, recording.population(name).end_ns)
    ends = np.unique(ends)
    received = np.zeros(len(ends), dtype=np.int64)
    step = np.full(len(ends), -1, dtype=np.int64)
    for name in populations:
        population = recording.population(name)
        index = np.searchsorted(population.end_ns, ends)
        received = np.maximum(received, population.received[index])
        if name == populations[0]:
            step = population.step[index]
    return ends, step, received


def _topic_samples(recording: Recording, topic: str):
    stamps = recording.stamps.get(normalise_topic(topic))
    if stamps is None or not len(stamps[0]):
        raise RecordingError(f'{recording.path}: no messages on sample topic {topic!r}; '
                             f'topics found: {recording.topic_list()}')
    t_ns, received = stamps
    return t_ns, np.full(len(t_ns), -1, dtype=np.int64), received


def _state_at(trajectory, sample_ns):
    index = np.searchsorted(trajectory.t_ns, sample_ns, side='right') - 1
    valid = index >= 0
    safe = np.maximum(index, 0)

    def pick(values):
        return np.where(valid, np.asarray(values, dtype=float)[safe], np.nan)
    return valid, safe, pick


def export_windows(recording: Recording, populations, window_ms: float, bin_ms: float, *,
                   sample_topic: str | None = None, keep_partial: bool = False) -> dict:
    """The export arrays of a recording (see the module docstring for keys and rules).

    Args:
        recording: from :func:`neurobot.analysis.recording.load_recording` (with the
            populations, and ``stamp_topics=[sample_topic]`` when sampling on a topic).
        populations: names of the populations to export, in order.
        window_ms: window before each sample, ms.
        bin_ms: bin length, ms; must divide window_ms.
        sample_topic: sample on this topic's messages instead of brain steps.
        keep_partial: keep incomplete windows (zero-padded) instead of dropping them.

    Returns:
        dict key -> numpy array, plus ``metadata`` (a dict).

    Raises:
        RecordingError: a population or the sample topic is not in the recording.
        ValueError: bad window or bins.
    """
    populations = list(populations)
    if not populations:
        raise ValueError('populations: expected at least one population name')
    window_ns = to_ns('window_ms', window_ms)
    bin_ns = to_ns('bin_ms', bin_ms)
    if window_ns % bin_ns:
        raise ValueError(f'bin_ms: expected a divisor of window_ms ({window_ms} ms), '
                         f'got {bin_ms} ms')
    activity = [recording.population(name) for name in populations]
    if sample_topic is None:
        sample_ns, sample_step, sample_received = _brain_step_samples(recording, populations)
        samples_how = 'brain step ends recorded for every population'
    else:
        sample_ns, sample_step, sample_received = _topic_samples(recording, sample_topic)
        samples_how = f'messages of {sample_topic}'
    complete = np.ones(len(sample_ns), dtype=bool)
    for population in activity:
        complete &= covered(population.end_ns - population.step_ns, population.end_ns,
                            sample_ns, window_ns)
    dropped = int((~complete).sum())
    if not keep_partial:
        keep = complete
        sample_ns, sample_step = sample_ns[keep], sample_step[keep]
        sample_received = sample_received[keep]
        complete = complete[keep]
    n_bins = window_ns // bin_ns
    arrays = {
        'sample_time_ms': sample_ns / NS_PER_MS,
        'sample_step': sample_step.astype(np.int64),
        'bin_edges_ms': (np.arange(n_bins + 1) * bin_ns - window_ns) / NS_PER_MS,
        'complete': complete,
    }
    for population in activity:
        counts = bin_windows(population.spike_times_ns, population.spike_neurons,
                             population.n_neurons, sample_ns, window_ns, bin_ns)
        dtype = np.uint16 if counts.size == 0 or counts.max() <= np.iinfo(np.uint16).max \
            else np.uint32
        arrays[f'spikes_{population.name}'] = counts.astype(dtype)
    state = recording.odometry or recording.ground_truth
    if state is not None:
        valid, safe, pick = _state_at(state, sample_ns)
        for key in ('x_m', 'y_m', 'yaw_rad', 'vx_mps', 'vy_mps', 'wz_radps'):
            arrays[key] = pick(getattr(state, key))
        arrays['state_time_ms'] = pick(state.t_ns / NS_PER_MS)
    else:
        _log.warning('%s: no odom or ground_truth/pose; the export has no robot state',
                     recording.path)
    if recording.ground_truth is not None:
        _, _, pick = _state_at(recording.ground_truth, sample_ns)
        for key in ('x_m', 'y_m', 'yaw_rad'):
            arrays[f'gt_{key}'] = pick(getattr(recording.ground_truth, key))
    commands = recording.commands
    n = len(sample_ns)
    if commands is not None and len(commands.received):
        if commands.round_aligned:
            # lockstep: the first command published in the sample's round or later (the
            # transfer functions answer round k's outputs within round k)
            index = np.searchsorted(commands.t_ns, sample_ns, side='left')
        else:
            # the first command received after every message of the sample
            index = np.searchsorted(commands.received, sample_received, side='right')
        has = index < len(commands.received)
        safe = np.minimum(index, len(commands.received) - 1)
        for key in ('vx_mps', 'vy_mps', 'wz_radps'):
            arrays[f'cmd_{key}'] = np.where(has, getattr(commands, key)[safe], np.nan)
        arrays['cmd_time_ms'] = np.where(has, commands.t_ns[safe] / NS_PER_MS, np.nan)
        arrays['has_command'] = has
    else:
        _log.warning('%s: no cmd_vel; the export has no commands', recording.path)
        for key in ('cmd_vx_mps', 'cmd_vy_mps', 'cmd_wz_radps', 'cmd_time_ms'):
            arrays[key] = np.full(n, np.nan)
        arrays['has_command'] = np.zeros(n, dtype=bool)
    arrays['metadata'] = {
        'format': FORMAT,
        'source': str(Path(recording.path).resolve()),
        'populations': {p.name: p.n_neurons for p in activity},
        'window_ms': window_ns / NS_PER_MS,
        'bin_ms': bin_ns / NS_PER_MS,
        'n_bins': n_bins,
        'samples': samples_how,
        'samples_dropped': 0 if keep_partial else dropped,
        'samples_incomplete': dropped,
        'state_topic': state.topic if state is not None else None,
        'command_topic': commands.topic if commands is not None else None,
    }
    return arrays


def save_export(path, arrays: dict) -> Path:
    """Write :func:`export_windows` output to ``path`` (.npz, compressed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(arrays)
    payload['metadata'] = np.array(json.dumps(payload['metadata'], indent=1))
    with open(path, 'wb') as handle:  # keep the name as given (savez would add .npz)
        np.savez_compressed(handle, **payload)
    return path


def load_export(path) -> dict:
    """Read an export: key -> array, and ``metadata`` as a dict.

    Raises:
        ValueError: not an export written by :func:`save_export`.
    """
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    if 'metadata' not in arrays:
        raise ValueError(f'{path}: not a neurobot export (no metadata key; expected a file '
                         f'written by neurobot recording-export)')
    arrays['metadata'] = json.loads(str(arrays['metadata']))
    if arrays['metadata'].get('format') != FORMAT:
        raise ValueError(f'{path}: export format {arrays["metadata"].get("format")!r}, '
                         f'expected {FORMAT!r}')
    return arrays
