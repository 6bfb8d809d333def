"""System test of the probe-then-train workflow on a real run.

The maze bring-up (world_node, brain_node, tf_node, lockstep_monitor, each its own
process) runs a few training episodes while ``mcap_recorder`` records every topic.
Then, as a user would: ``neurobot recording-export`` (the exported windows must hold
exactly the spikes of the recorded PopulationSpikes messages), ``recording-train``
(held-out accuracy above chance), ``recording-plots`` (with brain_node's weight file),
and finally
``transfer_functions/learned_readout.py`` in a real tf_node, fed the recorded spike
messages over DDS, must publish the model's prediction for every decision window.
"""

from pathlib import Path

from geometry_msgs.msg import Twist
from mcap.reader import make_reader
import numpy as np
import pytest
from rclpy.serialization import deserialize_message

from neurobot import bringup, experiment, qos
from neurobot.analysis.export import load_export
from neurobot.analysis.train_example import Readout, feature_matrix, train
from neurobot.cli import main as cli_main
from neurobot.launcher import Launcher
from neurobot_interfaces.msg import PopulationSpikes
from ros_helpers import NodeProcess, RosClient

pytestmark = [pytest.mark.node, pytest.mark.slow]

EPISODES = 20  # ~50 decisions of the untrained maze brain, ~12 s
TF_FILE = Path(__file__).resolve().parents[2] / 'transfer_functions' / 'learned_readout.py'
POPULATIONS = ('places', 'actions')


def record_maze_run(domain, tmp_path) -> Path:
    """Run the maze bring-up with ``record:=true`` for EPISODES episodes; return the MCAP file.

    The bring-up's recorder takes part in lockstep round 0, so the file holds the run from
    its first round (a recorder started on its own joins late and, by design, gets only
    the brain's current output: see neurobot.qos). Also with brain_node's weight recorder,
    to <tmp>/maze/weights.nbw.
    """
    specs = bringup.nodes(experiment.get('maze'), {
                                'episodes': str(EPISODES), 'run_dir': str(tmp_path / 'maze'),
                                'learner': 'rstdp',
                                'log_level': 'warn', 'record': 'true',
                                'record_weights': 'places_to_actions',
                                'record_weights_every_ms': '1000'})
    with open(tmp_path / 'launch.log', 'w') as out:
        code = Launcher(specs, log_level='warn', out=out).run()
    assert code == 0, (tmp_path / 'launch.log').read_text()[-3000:]
    return tmp_path / 'maze' / 'recording.mcap'


def recorded_spikes(path) -> dict:
    """Population -> [PopulationSpikes] in file order, decoded by rclpy.

    Decoded by rclpy, not by the code under test.
    """
    found = {name: [] for name in POPULATIONS}
    with open(path, 'rb') as handle:
        for _, channel, message in make_reader(handle).iter_messages():
            for name in POPULATIONS:
                if channel.topic.lstrip('/') == f'brain/{name}/spikes':
                    found[name].append(deserialize_message(message.data, PopulationSpikes))
    return found


def end_ms(msg) -> float:
    return (msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec) / 1e6


def test_record_export_train_and_drive_with_the_learned_readout(ros_domain, tmp_path):
    mcap = record_maze_run(ros_domain, tmp_path)
    messages = recorded_spikes(mcap)
    assert len(messages['places']) > 100

    # export, one bin = one 200 ms step: exactly the counts of the messages
    step_export = tmp_path / 'steps.npz'
    assert cli_main(['recording-export', str(mcap), '--populations', 'places,actions',
                     '--window-ms', '200', '--bin-ms', '200', '-o', str(step_export)]) == 0
    steps = load_export(step_export)
    assert len(steps['sample_time_ms']) == len(messages['places'])
    for name in POPULATIONS:
        by_time = {end_ms(m): np.asarray(m.counts) for m in messages[name]}
        counts = np.array([by_time[t] for t in steps['sample_time_ms']])
        np.testing.assert_array_equal(steps[f'spikes_{name}'][:, :, 0], counts)
    assert steps['spikes_actions'].sum() > 0 and steps['spikes_places'].sum() > 0

    # the last 100 ms in 10 ms bins: every bin holds the spikes stamped inside it
    export_path = tmp_path / 'data.npz'
    assert cli_main(['recording-export', str(mcap), '--populations', 'places,actions',
                     '--window-ms', '100', '--bin-ms', '10', '-o', str(export_path)]) == 0
    export = load_export(export_path)
    times = np.concatenate([m.spike_times_ms for m in messages['actions']])
    neurons = np.concatenate([m.spike_neurons for m in messages['actions']])
    for index in range(0, len(export['sample_time_ms']), 7):
        t = export['sample_time_ms'][index]
        for b in range(10):
            inside = (times > t - 100 + 10 * b) & (times <= t - 100 + 10 * (b + 1))
            np.testing.assert_array_equal(
                export['spikes_actions'][index, :, b],
                np.bincount(neurons[inside], minlength=40))
    assert np.isfinite(export['x_m']).all() and export['has_command'].sum() > 100

    # a model trained on the decision windows beats chance on held-out samples
    model_path = tmp_path / 'model.npz'
    assert cli_main(['recording-train', str(export_path), '-o', str(model_path),
                     '--only-active', 'places']) == 0
    _, report = train(export, only_active='places')
    assert report['n_test'] >= 8
    assert report['accuracy'] >= report['chance_majority'] + 0.25, report

    assert cli_main(['recording-plots', str(mcap), '-o', str(tmp_path / 'figs'),
                     '--weights', str(tmp_path / 'maze' / 'weights.nbw')]) == 0
    for name in ('raster.png', 'rates.png', 'trajectory.png', 'weights.png'):
        assert (tmp_path / 'figs' / name).stat().st_size > 5000

    # the transfer function in a real tf_node predicts what the model predicts offline
    readout = Readout.load(model_path)
    decisions = export['spikes_places'].reshape(len(export['x_m']), -1).sum(axis=1) > 0
    expected = readout.predict(feature_matrix(export, list(readout.populations))[decisions])
    assert len(expected) >= 20, "the run should hold a few dozen decisions"
    decision_times = set(export['sample_time_ms'][decisions].tolist())
    drive_tf(ros_domain, tmp_path, model_path, messages, decision_times, expected)


def drive_tf(domain, tmp_path, model_path, messages, decision_times, expected):
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TF_FILE}]',
                     '-p', f'model:={model_path}', '-p', 'speed_mps:=0.25',
                     log_dir=tmp_path, name='learned_readout')
    client = RosClient(domain)
    commands = []
    try:
        publishers = {name: client.node.create_publisher(
            PopulationSpikes, f'brain/{name}/spikes', qos.RELIABLE) for name in POPULATIONS}
        client.node.create_subscription(Twist, 'cmd_vel', commands.append, qos.RELIABLE)
        assert client.spin_until(
            lambda: all(p.get_subscription_count() for p in publishers.values())
            and client.node.count_publishers('cmd_vel') > 0, 30), tf.output()
        client.spin_for(0.5)
        by_time = {name: {end_ms(m): m for m in messages[name]} for name in POPULATIONS}
        for t in sorted(set(by_time['places']) & set(by_time['actions'])):
            before = len(commands)
            for name in POPULATIONS:
                publishers[name].publish(by_time[name][t])
            if t in decision_times:
                assert client.spin_until(lambda: len(commands) > before, 10), tf.output()
            else:
                client.spin_for(0.002)
        client.spin_for(0.5)
    finally:
        client.close()
        assert tf.stop() == 0, tf.output()
    predicted = [int(np.argmax([c.linear.y, c.linear.x, -c.linear.y, -c.linear.x]))
                 for c in commands]
    assert predicted == expected.tolist(), tf.output()
    speeds = [np.hypot(c.linear.x, c.linear.y) for c in commands]
    np.testing.assert_allclose(speeds, 0.25)
