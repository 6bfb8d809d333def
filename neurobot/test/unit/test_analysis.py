"""Unit tests of the offline analysis (neurobot.analysis).

MCAP loading, windowed export, figures, the example readout and its transfer function,
the CLI's errors.

Recordings are small MCAP files written here from real message objects (CDR, ros2msg
schemas, as a recorder writes them); no ROS graph is involved.
"""

import logging
import math

import numpy as np
import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry
from neurobot_interfaces.msg import PopulationSpikes
from rosgraph_msgs.msg import Clock

from mcap_writing import write_mcap
from neurobot.analysis import figures
from neurobot.analysis.export import (bin_windows, export_windows, load_export,
                                      save_export)
from neurobot.analysis.recording import RecordingError, load_recording
from neurobot.analysis.train_example import (DIRECTIONS, Readout, command_directions,
                                             train, window_features)
from neurobot.cli import main as cli_main
from tf_nodes.runner import TransferFunctionRunner, load_transfer_functions
from tf_nodes.temporal import SpikeWindow

MS = 1_000_000  # ns
STEP_MS = 50.0
SIZES = {'a': 3, 'b': 2}
TF_FILE = (__import__('pathlib').Path(__file__).resolve().parents[2]
           / 'transfer_functions' / 'learned_readout.py')


def spikes(population, step, step_ms, events, n):
    """A PopulationSpikes of step ``step`` with events [(neuron, t_ms)].

    The step ends at (step + 1) * step_ms.
    """
    end_ns = int(round((step + 1) * step_ms * MS))
    msg = PopulationSpikes(population=population, step=step, step_ms=step_ms)
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(end_ns, 1_000_000_000)
    counts = np.zeros(n, dtype=int)
    for neuron, _ in events:
        counts[neuron] += 1
    msg.counts = counts.tolist()
    msg.spike_neurons = [int(e[0]) for e in events]
    msg.spike_times_ms = [float(e[1]) for e in events]
    return msg


def odom(t_ms, x, yaw=0.0):
    msg = Odometry()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(int(round(t_ms * MS)), 1_000_000_000)
    msg.pose.pose.position.x = float(x)
    msg.pose.pose.orientation.z = math.sin(yaw / 2)
    msg.pose.pose.orientation.w = math.cos(yaw / 2)
    msg.twist.twist.linear.x = 0.5
    return msg


def twist(vx, vy=0.0):
    msg = Twist()
    msg.linear.x, msg.linear.y = float(vx), float(vy)
    return msg


def synthetic(path, events, steps=6, skip=(), leading_slash=False):
    """A recording of ``steps`` 50 ms steps of populations a and b.

    ``events``: population -> [(neuron, t_ms)]; ``skip``: (population, step) messages left
    out. Per step, in receive order: /clock, spikes, odom (x = step), cmd_vel (vx = step +
    1; none after the last step).
    """
    messages, log = [], 10**18
    prefix = '/' if leading_slash else ''
    for step in range(steps):
        start, end = step * STEP_MS, (step + 1) * STEP_MS
        clock = Clock()
        clock.clock.sec, clock.clock.nanosec = divmod(int(end * MS), 1_000_000_000)
        messages.append((prefix + 'clock', clock, log))
        for name, n in SIZES.items():
            if (name, step) in skip:
                continue
            inside = [e for e in events.get(name, []) if start < e[1] <= end]
            log += 1000
            messages.append((f'{prefix}brain/{name}/spikes',
                             spikes(name, step, STEP_MS, inside, n), log))
        log += 1000
        messages.append((prefix + 'odom', odom(end, step), log))
        if step < steps - 1:  # the run ends before a command answers the last step
            log += 1000
            messages.append((prefix + 'cmd_vel', twist(step + 1), log))
        log += 1000
    return write_mcap(path, messages)


# ------------------------------------------------------------------ binning and alignment

def test_a_spike_lands_in_the_right_bin_of_every_window_that_holds_it():
    times_ns = np.array([200, 275, 300]) * MS
    counts = bin_windows(times_ns, np.array([0, 1, 0]), 2, np.array([200, 250, 300]) * MS,
                         100 * MS, 10 * MS)
    assert counts.shape == (3, 2, 10)
    # T = 200: window (100, 200]; the spike at 200 is in the last bin
    assert counts[0, 0, 9] == 1 and counts[0].sum() == 1
    # T = 250: (150, 250]: the spike at 200 in bin ceil(50 / 10) - 1 = 4
    assert counts[1, 0, 4] == 1 and counts[1].sum() == 1
    # T = 300: (200, 300]: 200 is out (left edge open), 275 in (270, 280] = bin 7, 300 in bin 9
    assert counts[2, 1, 7] == 1 and counts[2, 0, 9] == 1 and counts[2].sum() == 2
    with pytest.raises(ValueError, match='divisor of window_ms'):
        bin_windows(times_ns, np.zeros(3, int), 2, [300 * MS], 100 * MS, 30 * MS)


def test_export_aligns_windows_state_and_next_command(tmp_path):
    events = {'a': [(1, 275.0), (0, 300.0), (2, 120.0)], 'b': [(1, 100.0)]}
    recording = load_recording(synthetic(tmp_path / 'run.mcap', events), ['a', 'b'])
    export = export_windows(recording, ['a', 'b'], 100.0, 10.0)
    # T = 50 has only 50 ms recorded before it: dropped; 100 ... 300 are complete
    np.testing.assert_array_equal(export['sample_time_ms'], [100, 150, 200, 250, 300])
    np.testing.assert_array_equal(export['sample_step'], [1, 2, 3, 4, 5])
    assert export['metadata']['samples_dropped'] == 1
    assert export['metadata']['populations'] == SIZES
    np.testing.assert_array_equal(export['bin_edges_ms'], np.arange(-100, 1, 10))
    a, b = export['spikes_a'], export['spikes_b']
    assert a.shape == (5, 3, 10) and b.shape == (5, 2, 10)
    assert a[4, 1, 7] == 1 and a[4, 0, 9] == 1 and a[4].sum() == 2
    assert a[0].sum() == 0 and a[1, 2, 6] == 1 and a[2, 2, 1] == 1  # 120 ms in (110, 120]
    assert b[0, 1, 9] == 1 and b[1, 1, 4] == 1 and b[2].sum() == 0
    # state: odometry stamped at the sample time (x = step index)
    np.testing.assert_array_equal(export['x_m'], [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(export['state_time_ms'], export['sample_time_ms'])
    np.testing.assert_allclose(export['vx_mps'], 0.5)
    # the command received after the step's spikes (vx = step + 1); none after the last
    np.testing.assert_array_equal(export['cmd_vx_mps'][:4], [2, 3, 4, 5])
    np.testing.assert_array_equal(export['has_command'], [True] * 4 + [False])
    np.testing.assert_array_equal(export['cmd_time_ms'][:4], [100, 150, 200, 250])


def test_partial_windows_are_zero_padded_on_request_and_gaps_are_not_complete(tmp_path):
    events = {'a': [(0, 40.0), (0, 160.0)]}
    path = synthetic(tmp_path / 'gap.mcap', events, steps=6, skip={('b', 3)})
    recording = load_recording(path)
    kept = export_windows(recording, ['a'], 100.0, 50.0, keep_partial=True)
    np.testing.assert_array_equal(kept['sample_time_ms'], [50, 100, 150, 200, 250, 300])
    np.testing.assert_array_equal(kept['complete'], [False] + [True] * 5)
    np.testing.assert_array_equal(kept['spikes_a'][0, 0], [0, 1])  # (-50, 0] not recorded
    # b misses the step (150, 200]: no sample at 200 (not recorded for every population),
    # the window (150, 250] reaches over the gap; (200, 300] is whole again
    both = export_windows(recording, ['a', 'b'], 100.0, 50.0)
    np.testing.assert_array_equal(both['sample_time_ms'], [100, 150, 300])
    assert both['metadata']['samples_incomplete'] == 2  # 50 and 250


def test_export_equals_what_a_spike_window_computes_online(tmp_path):
    rng = np.random.default_rng(3)
    n_steps, step_ms = 40, 20.0
    events = sorted(zip(rng.integers(0, 3, 400).tolist(),
                        np.round(rng.uniform(0.001, n_steps * step_ms, 400), 3).tolist()),
                    key=lambda e: e[1])
    messages = [('brain/a/spikes', spikes('a', k, step_ms, [e for e in events if
                                                          k * step_ms < e[1] <= (k + 1) * step_ms],
                                           3), 10**18 + k) for k in range(n_steps)]
    recording = load_recording(write_mcap(tmp_path / 'r.mcap', messages))
    export = export_windows(recording, ['a'], 60.0, 10.0)
    window = SpikeWindow(3, 60.0, bin_ms=10.0)
    online = {}
    for _, msg, _ in messages:
        window.add_events(msg.spike_neurons, msg.spike_times_ms, msg.step_ms)
        online[window.now_ms] = window.binned()
    assert len(export['sample_time_ms']) == n_steps - 2  # 60 ms needs 3 steps
    for t_ms, counts in zip(export['sample_time_ms'], export['spikes_a']):
        np.testing.assert_array_equal(counts, online[t_ms])


def test_samples_on_a_topic_and_leading_slashes(tmp_path):
    path = synthetic(tmp_path / 'slash.mcap', {'a': [(0, 290.0)]}, leading_slash=True)
    recording = load_recording(path, ['a'], stamp_topics=['/odom'])
    assert 'brain/a/spikes' in recording.topics and recording.odometry is not None
    export = export_windows(recording, ['a'], 100.0, 100.0, sample_topic='/odom')
    np.testing.assert_array_equal(export['sample_time_ms'], [100, 150, 200, 250, 300])
    np.testing.assert_array_equal(export['spikes_a'][:, 0, 0], [0, 0, 0, 0, 1])
    assert export['metadata']['samples'] == 'messages of /odom'


def test_save_and_load_round_trip_without_pickle(tmp_path):
    recording = load_recording(synthetic(tmp_path / 'run.mcap', {'a': [(2, 130.0)]}))
    export = export_windows(recording, ['a', 'b'], 100.0, 10.0)
    path = save_export(tmp_path / 'out' / 'data.npz', export)
    with np.load(path, allow_pickle=False) as raw:
        assert 'spikes_a' in raw.files and raw['spikes_a'].dtype == np.uint16
    loaded = load_export(path)
    assert loaded['metadata']['window_ms'] == 100.0 and loaded['metadata']['n_bins'] == 10
    np.testing.assert_array_equal(loaded['spikes_a'], export['spikes_a'])


def test_clear_errors_for_missing_file_non_mcap_and_unknown_population(tmp_path):
    with pytest.raises(FileNotFoundError, match='recording not found'):
        load_recording(tmp_path / 'none.mcap')
    text = tmp_path / 'notes.mcap'
    text.write_text('not a recording')
    with pytest.raises(RecordingError, match='is not an MCAP file'):
        load_recording(text)
    path = synthetic(tmp_path / 'run.mcap', {})
    with pytest.raises(RecordingError, match=r"population\(s\) \['motor'\].*\['a', 'b'\]"):
        load_recording(path, ['motor'])
    recording = load_recording(path, ['a'])
    with pytest.raises(RecordingError, match='no sample_topic|no messages on sample topic'):
        export_windows(recording, ['a'], 100.0, 10.0, sample_topic='scan')
    with pytest.raises(RecordingError, match='no commands.*topics found: .*odom'):
        load_recording(path, ['a'], command_topic='other').require('commands')


def test_cli_reports_errors_in_one_line_with_status_2(tmp_path, capsys):
    path = synthetic(tmp_path / 'run.mcap', {})
    assert cli_main(['recording-export', str(path), '--populations', 'a,motor',
                     '-o', str(tmp_path / 'x.npz')]) == 2
    assert "no spikes of population(s) ['motor']" in capsys.readouterr().err
    assert cli_main(['recording-plots', str(tmp_path / 'missing.mcap')]) == 2
    assert 'recording not found' in capsys.readouterr().err
    assert not (tmp_path / 'x.npz').exists()


# ------------------------------------------------------------------ figures

def test_figures_have_one_panel_per_population_and_are_written(tmp_path):
    from neurobot.world.maze import Maze
    from neurobot.paths import share_path
    recording = load_recording(synthetic(tmp_path / 'run.mcap', {'a': [(1, 60.0), (2, 70.0)]}))
    raster = figures.raster_figure(recording)
    titles = [ax.get_title() for ax in raster.axes]
    assert titles == ['a: 2 spikes', 'b: 0 spikes']
    rates = figures.rates_figure(recording)
    assert len(rates.axes) == 2
    # 2 spikes of 3 neurons in the 50 ms step (50, 100]: 2 / 3 / 0.05 s = 13.3 Hz
    line = rates.axes[0].get_lines()[0]
    assert line.get_ydata()[1] == pytest.approx(2 / 3 / 0.05)
    maze = Maze.from_yaml(share_path('experiments', 'maze', 'mazes', 'default.yaml'))
    results = figures.plot_recording(recording, tmp_path / 'figs', maze)
    paths = [p for p, _ in results]
    assert [p.name for p in paths] == ['raster.png', 'rates.png', 'trajectory.png']
    for path in paths:
        assert path.stat().st_size > 5000
        assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_trajectory_is_skipped_with_the_topics_found_when_there_is_none(tmp_path):
    messages = [('brain/a/spikes', spikes('a', 0, STEP_MS, [], 3), 1)]
    recording = load_recording(write_mcap(tmp_path / 'r.mcap', messages))
    results = figures.plot_recording(recording, tmp_path / 'figs')
    assert results[-1][0] is None and 'brain/a/spikes' in results[-1][1]


def test_weight_figure_traces_the_synapses_that_change_most(tmp_path):
    times = np.array([0.0, 1000.0, 2000.0])
    weights = np.full((3, 4, 2), 0.1)
    weights[:, 0, 1] = [0.1, 0.5, 0.9]  # the largest change
    weights[:, 3, 0] = [0.1, 0.0, -0.3]  # the second
    weights[:, 2, 1] = np.nan  # no connection
    fig = figures.weights_figure({'p': (times, weights)}, traces=2, snapshots=3)
    traces = fig.axes[0]
    assert [line.get_label() for line in traces.get_lines()] == ['0->1', '3->0']
    np.testing.assert_allclose(traces.get_lines()[0].get_ydata(), [0.1, 0.5, 0.9])
    assert [ax.get_title() for ax in fig.axes[1:4]] == ['t = 0.0 s', 't = 1.0 s', 't = 2.0 s']
    path = figures.plot_weights({'p': (times, weights)}, tmp_path / 'w.png')
    assert path.stat().st_size > 5000
    with pytest.raises(ValueError, match=r'expected times_ms \(n,\) and weights'):
        figures.weights_figure({'p': (times, weights[0])})


# ------------------------------------------------------------------ readout and its TF

def decision_recording(tmp_path, n_decisions=60, seed=0):
    """A recording of 50 ms steps in which population a's activity predicts the next command.

    Neuron k of population a (3 neurons) fires twice late in the step (plus one random
    spike) and the next command goes in direction k (0 N, 1 E, 2 S); population b (2
    neurons) stays silent.
    """
    rng = np.random.default_rng(seed)
    vectors = {0: (0.0, 1.0), 1: (1.0, 0.0), 2: (0.0, -1.0)}
    messages, log, labels = [], 0, []
    for step in range(n_decisions):
        k = int(rng.integers(0, 3))
        labels.append(k)
        t = (step + 1) * STEP_MS
        events = [(k, t - 5.0), (k, t - 15.0), (int(rng.integers(0, 3)), t - 30.0)]
        log += 1
        messages.append(('brain/a/spikes', spikes('a', step, STEP_MS, events, 3), log))
        log += 1
        messages.append(('brain/b/spikes', spikes('b', step, STEP_MS, [], 2), log))
        log += 1
        messages.append(('odom', odom(t, 0.0), log))
        log += 1
        messages.append(('cmd_vel', twist(*vectors[k]), log))
    return write_mcap(tmp_path / 'decisions.mcap', messages), labels, messages


def test_labels_are_the_world_frame_direction_of_the_next_command():
    export = {'cmd_vx_mps': np.array([1.0, 1.0, 0.0, np.nan, 0.01]),
              'cmd_vy_mps': np.array([0.0, 0.0, -2.0, np.nan, 0.0]),
              'yaw_rad': np.array([0.0, math.pi / 2, 0.0, 0.0, 0.0]),
              'has_command': np.array([True, True, True, False, True])}
    # forward at yaw 90 deg is north; a command slower than 5 cm/s is no label
    np.testing.assert_array_equal(command_directions(export), [1, 0, 2, -1, -1])


def test_a_readout_learns_the_direction_and_the_tf_reproduces_it_online(tmp_path):
    path, labels, messages = decision_recording(tmp_path)
    export = export_windows(load_recording(path), ['a', 'b'], 50.0, 10.0)
    save_export(tmp_path / 'd.npz', export)
    readout, report = train(load_export(tmp_path / 'd.npz'), ['a', 'b'], only_active='a',
                            test_fraction=0.3, seed=1)
    assert report['n_test'] == 18 and report['n_train'] == 42
    assert report['accuracy'] >= 0.9 > report['chance_majority'] + 0.3
    model = readout.save(tmp_path / 'model.npz')
    loaded = Readout.load(model)
    assert loaded.populations == SIZES and loaded.classes == DIRECTIONS
    # the transfer function, run ROS-free, sees the same windows and predicts the same
    (spec,) = load_transfer_functions([TF_FILE])
    # the file subscribes to the maze brain's places/actions: a and b stand in for them
    runner = TransferFunctionRunner([spec], context={
        'params': {'model': str(_renamed_model(loaded, tmp_path)), 'speed_mps': 0.3},
        'log': logging.getLogger('learned_readout')})
    published = []
    for topic, msg, _ in messages:
        if topic == 'brain/a/spikes':
            runner.on_message('brain/places/spikes', msg)
        elif topic == 'brain/b/spikes':
            runner.on_message('brain/actions/spikes', msg)
            calls = runner.run_pending(0)
            assert all(call.error is None for call in calls), calls[0].error
            published.append(calls[0].outputs[0][1] if calls and calls[0].outputs else None)
    expected = readout.predict(np.concatenate([export['spikes_a'].reshape(len(labels), -1),
                                               export['spikes_b'].reshape(len(labels), -1)],
                                              axis=1))
    directions = [None if m is None else int(np.argmax([m.linear.y, m.linear.x, -m.linear.y,
                                                         -m.linear.x])) for m in published]
    assert directions == expected.tolist()
    assert math.hypot(published[0].linear.x, published[0].linear.y) == pytest.approx(0.3)
    assert np.mean(np.array(directions) == np.array(labels)) >= 0.9


def _renamed_model(readout, tmp_path):
    """The same network reading populations named like the maze brain's."""
    renamed = Readout(readout.layers, readout.mean, readout.std, readout.classes,
                      {'places': 3, 'actions': 2}, readout.window_ms, readout.bin_ms, 'places')
    return renamed.save(tmp_path / 'renamed.npz')


def test_window_features_flatten_like_the_export():
    binned = {'a': np.arange(6).reshape(3, 2), 'b': np.array([[7, 8]])}
    np.testing.assert_array_equal(window_features(binned, ['a', 'b']), [0, 1, 2, 3, 4, 5, 7, 8])


def test_training_refuses_too_few_samples_and_unknown_populations(tmp_path):
    path, _, _ = decision_recording(tmp_path, n_decisions=5)
    export = export_windows(load_recording(path), ['a'], 50.0, 10.0)
    with pytest.raises(ValueError, match='at least 8 labelled samples'):
        train(export)
    with pytest.raises(ValueError, match="no population 'places'"):
        train(export, ['places'])


def test_lockstep_announcements_pair_samples_with_commands_whatever_the_receive_order(
        tmp_path):
    """A recorder that joins late gets each topic's backlog topic by topic.

    Here every cmd_vel arrives before any spike. The tf_node's /lockstep/done counts say
    which round published each command, so the pairing stays that of the ordered recording.
    """
    from neurobot_interfaces.msg import LockstepDone
    events = {'a': [(1, 275.0)], 'b': []}
    steps = 6
    ordered = load_recording(synthetic(tmp_path / 'ordered.mcap', events, steps), ['a', 'b'])
    expected = export_windows(ordered, ['a', 'b'], 100.0, 10.0)

    def scrambled(path, announce):
        messages, log = [], 10**18
        for step in range(steps - 1):  # every command first, as a backlog would bring them
            log += 1000
            messages.append(('cmd_vel', twist(step + 1), log))
        for step in range(steps):
            end_ns = int(round((step + 1) * STEP_MS * MS))
            for name, n in SIZES.items():
                inside = [e for e in events[name] if step * STEP_MS < e[1] <= (step + 1) * STEP_MS]
                log += 1000
                messages.append((f'brain/{name}/spikes', spikes(name, step, STEP_MS, inside, n),
                                 log))
            log += 1000
            messages.append(('odom', odom((step + 1) * STEP_MS, step), log))
            if announce:
                done = LockstepDone(participant='tf_node', round=step + 1,
                                    topics=['/cmd_vel'], counts=[min(step + 1, steps - 1)])
                done.stamp.sec, done.stamp.nanosec = divmod(end_ns, 1_000_000_000)
                log += 1000
                messages.append(('/lockstep/done', done, log))
        return write_mcap(path, messages)

    recording = load_recording(scrambled(tmp_path / 'late.mcap', True), ['a', 'b'])
    assert recording.commands.round_aligned
    export = export_windows(recording, ['a', 'b'], 100.0, 10.0)
    for key in ('cmd_vx_mps', 'cmd_time_ms', 'has_command'):
        np.testing.assert_array_equal(export[key], expected[key])
    # without the announcements only the receive order is left, and it is wrong here
    blind = export_windows(load_recording(scrambled(tmp_path / 'blind.mcap', False), ['a', 'b']),
                           ['a', 'b'], 100.0, 10.0)
    assert not np.array_equal(blind['has_command'], expected['has_command'])
