"""Node tests: mcap_recorder as its own process records real nodes over real DDS.

The files are read back with mcap / mcap_ros2 (independent readers), and compared
byte for byte with what a test subscriber received from the same publishers.
"""

import os
import resource
import signal
import subprocess
import time

from mcap.reader import make_reader
from mcap.records import Message
from mcap_ros2.reader import read_ros2_messages
import pytest
from rclpy.serialization import deserialize_message
from rosgraph_msgs.msg import Clock
from std_msgs.msg import String

from foxglove_rosmsg import check_schema, foxglove_parse, node_unavailable_reason
from neurobot import qos
from neurobot.recording.mcap_file import complete_records
from neurobot_interfaces.msg import BrainStep, PopulationSpikes
from neurobot_interfaces.srv import DescribeBrain
from ros_helpers import NodeProcess, RosClient, VENV_BIN, clock

pytestmark = pytest.mark.node

MS = 1_000_000  # ns
BRAIN_TOPICS = {'/brain/neurons/spikes': PopulationSpikes, '/brain/drive/spikes': PopulationSpikes,
                '/brain/step': BrainStep}
STEPS = 10


def wait_for_recorder(client, topics, timeout=20.0):
    """Wait until mcap_recorder has subscribed to every topic (it scans the graph)."""
    def subscribed():
        return all(any(info.node_name == 'mcap_recorder'
                       for info in client.node.get_subscriptions_info_by_topic(topic))
                   for topic in topics)
    assert client.spin_until(subscribed, timeout), f'mcap_recorder did not subscribe to {topics}'


def raw_messages(path):
    """Topic -> [(log_time, publish_time, bytes)] read with the plain mcap reader."""
    result = {}
    with open(path, 'rb') as stream:
        for schema, channel, message in make_reader(stream).iter_messages():
            result.setdefault(channel.topic, []).append(
                (message.log_time, message.publish_time, bytes(message.data)))
    return result


def stamp_ns(stamp):
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def test_recording_of_a_brain_run_matches_what_subscribers_received(ros_domain, brains_dir,
                                                                    tmp_path):
    path = tmp_path / 'run' / 'recording.mcap'
    brain = NodeProcess('brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
                        '-p', 'use_sim_time:=true', '-p', 'step_ms:=20.0', '-p', 'seed:=1',
                        log_dir=tmp_path)
    recorder = NodeProcess('mcap_recorder', '-p', f'path:={path}', '-p', 'scan_period_s:=0.2',
                           '-p', 'exclude:=[/rosout, /parameter_events]', log_dir=tmp_path)
    client = RosClient(ros_domain)
    received = {topic: [] for topic in BRAIN_TOPICS}
    for topic, msg_type in BRAIN_TOPICS.items():
        client.node.create_subscription(msg_type, topic, received[topic].append,
                                        qos.BRAIN_OUTPUT, raw=True)
    clock_pub = client.node.create_publisher(Clock, '/clock', qos.CLOCK)
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        wait_for_recorder(client, [*BRAIN_TOPICS, '/clock'])
        # the brain's two /clock subscriptions (time source, stepping) and the recorder's
        assert client.spin_until(lambda: clock_pub.get_subscription_count() >= 3, 20)
        start_ns = time.time_ns()
        clock_pub.publish(clock(0))
        for step in range(1, STEPS + 1):
            clock_pub.publish(clock(step * 20 * MS))
            assert client.spin_until(lambda: len(received['/brain/step']) == step, 20), (
                brain.output()[-2000:])
        assert client.spin_until(
            lambda: all(len(m) == STEPS for m in received.values()), 10)
        client.spin_for(0.5)  # the recorder gets the same messages at the same time
        end_ns = time.time_ns()
        assert recorder.alive(), recorder.output()
    finally:
        recorder_code = recorder.stop()  # SIGINT while the brain still publishes
        brain.stop()
        client.close()
    assert recorder_code == 0, recorder.output()
    assert f'in {path}' in recorder.output()  # the summary names the file

    recorded = raw_messages(path)
    assert set(recorded) == {*BRAIN_TOPICS, '/clock', '/brain/stimulus/spikes',
                             *(f'/brain/{p}/rate_hz' for p in ('stimulus', 'neurons', 'drive'))}
    assert all(len(recorded[f'/brain/{p}/rate_hz']) == STEPS for p in ('neurons', 'drive'))
    for topic, messages in received.items():
        assert [data for _, _, data in recorded[topic]] == messages, topic  # same CDR bytes
    clocks = [deserialize_message(data, Clock) for _, _, data in recorded['/clock']]
    assert [stamp_ns(c.clock) for c in clocks] == [s * 20 * MS for s in range(STEPS + 1)]

    # the independent ROS 2 reader decodes every message with the stored schemas
    decoded = {}
    for item in read_ros2_messages(str(path)):
        decoded.setdefault(item.channel.topic, []).append(item)
    types = {t: m[0].schema.name for t, m in decoded.items()}
    assert types['/brain/neurons/spikes'] == 'neurobot_interfaces/msg/PopulationSpikes'
    assert types['/brain/step'] == 'neurobot_interfaces/msg/BrainStep'
    assert types['/brain/drive/rate_hz'] == 'std_msgs/msg/Float64'
    assert types['/clock'] == 'rosgraph_msgs/msg/Clock'
    assert {t: len(m) for t, m in decoded.items()} == {t: len(m) for t, m in recorded.items()}
    # Foxglove's parser accepts every schema; channels carry rosbag2's QoS metadata
    schemas = {m[0].schema.name: m[0].schema.data.decode() for m in decoded.values()}
    for text in schemas.values():
        check_schema(text)
    if node_unavailable_reason() is None:
        assert foxglove_parse(schemas) == {}
    step_qos = decoded['/brain/step'][0].channel.metadata['offered_qos_profiles']
    assert '- history: ' in step_qos and '  reliability: reliable\n' in step_qos
    for topic in ('/brain/neurons/spikes', '/brain/drive/spikes'):
        expected = [deserialize_message(data, PopulationSpikes) for data in received[topic]]
        got = [item.ros_msg for item in decoded[topic]]
        assert [m.step for m in got] == list(range(STEPS))
        assert [(m.step, list(m.spike_neurons), list(m.spike_times_ms)) for m in got] == [
            (m.step, list(m.spike_neurons), list(m.spike_times_ms)) for m in expected]
        if topic == '/brain/neurons/spikes':  # the driven cells get no input here
            assert sum(len(m.spike_neurons) for m in got) > 0

    # timestamps: reception times within the run, in the order of the header stamps
    for topic in BRAIN_TOPICS:
        items = decoded[topic]
        log_times = [item.log_time_ns for item in items]
        stamps = [stamp_ns(item.ros_msg.header.stamp) for item in items]
        assert stamps == [s * 20 * MS for s in range(1, STEPS + 1)], topic
        assert log_times == sorted(log_times), topic
        assert start_ns <= log_times[0] and log_times[-1] <= end_ns, topic
        assert all(item.publish_time_ns == item.log_time_ns for item in items)


def start_recorder(tmp_path, *ros_args, file_size_limit=None, name='mcap_recorder'):
    """mcap_recorder with optional RLIMIT_FSIZE (a full disk that needs no real disk)."""
    def limit():
        if file_size_limit is not None:  # Python ignores SIGXFSZ: writes fail with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    log = open(tmp_path / f'{name}.log', 'w')
    process = subprocess.Popen([str(VENV_BIN / 'mcap_recorder'), '--ros-args', *ros_args],
                               stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
                               start_new_session=True, preexec_fn=limit)
    return process, tmp_path / f'{name}.log'


def test_sigterm_while_recording_leaves_a_complete_readable_file(ros_domain, tmp_path):
    """Also: a transient-local (lockstep) topic is recorded from its very first message.

    That includes the messages published before the recorder started.
    """
    path = tmp_path / 'chatter.mcap'
    client = RosClient(ros_domain)
    publisher = client.node.create_publisher(String, 'chatter', qos.LOCKSTEP_DATA)
    for i in range(10):
        publisher.publish(String(data=f'message {i}'))
    process, log = start_recorder(tmp_path, '-p', f'path:={path}', '-p', 'topics:=[chatter]',
                                  '-p', 'scan_period_s:=0.2')
    try:
        wait_for_recorder(client, ['/chatter'])
        for i in range(10, 100):
            publisher.publish(String(data=f'message {i}'))
            client.spin_for(0.005)
        client.spin_for(0.3)
        process.send_signal(signal.SIGTERM)  # while messages keep coming
        for i in range(100, 120):
            publisher.publish(String(data=f'message {i}'))
        assert process.wait(15) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
        client.close()
    with open(path, 'rb') as stream:
        summary = make_reader(stream).get_summary()  # footer and summary were written
    assert summary is not None and summary.statistics.message_count >= 100
    texts = [m.ros_msg.data for m in read_ros2_messages(str(path))]
    assert texts[:100] == [f'message {i}' for i in range(100)]
    assert 'transient local' in log.read_text()
    assert '/chatter' in log.read_text() and 'messages on 1 topics' in log.read_text()


def test_unwritable_path_with_continue_logs_once_and_keeps_the_node_up(ros_domain, tmp_path):
    blocker = tmp_path / 'not_a_directory'
    blocker.write_text('')
    recorder = NodeProcess('mcap_recorder', '-p', f'path:={blocker / "rec.mcap"}',
                           log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        # still answers on the graph: the node is up, and the run around it goes on
        assert client.spin_until(lambda: 'mcap_recorder' in client.node.get_node_names(), 20)
        client.spin_for(1.5)
        assert recorder.alive()
    finally:
        code = recorder.stop()
        client.close()
    output = recorder.output()
    assert code == 0, output
    assert output.count('cannot create the MCAP recording') == 2, output  # log + exit summary
    assert f'{blocker / "rec.mcap"}: Not a directory' in output


def test_full_disk_with_stop_exits_non_zero_with_the_error(ros_domain, tmp_path):
    recorder = NodeProcess('mcap_recorder', '-p', 'path:=/dev/full', '-p', 'on_error:=stop',
                           log_dir=tmp_path)
    try:
        code = recorder.wait(30)
    finally:
        recorder.stop()
    assert code == 1, recorder.output()
    assert 'mcap_recorder: cannot write the header of the MCAP recording /dev/full: No space ' \
           'left on device' in recorder.output()


def test_file_limit_reached_mid_recording_continue_keeps_what_was_written(ros_domain, tmp_path):
    path = tmp_path / 'limited.mcap'
    process, log = start_recorder(tmp_path, '-p', f'path:={path}', '-p', 'topics:=[chatter]',
                                  '-p', 'compression:=none', '-p', 'flush_period_s:=0.05',
                                  '-p', 'scan_period_s:=0.2', file_size_limit=64 * 1024)
    client = RosClient(ros_domain)
    publisher = client.node.create_publisher(String, 'chatter', qos.RELIABLE)
    try:
        wait_for_recorder(client, ['/chatter'])
        for i in range(600):  # ~130 kB: twice the limit
            publisher.publish(String(data=f'message {i:04d} ' + 'x' * 200))
            client.spin_for(0.002)
        client.spin_for(1.0)
        assert process.poll() is None, log.read_text()  # the node survived the error
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(15)
        client.close()
    output = log.read_text()
    assert code == 0, output
    assert output.count('File too large; recording stopped') == 1, output
    assert path.stat().st_size <= 64 * 1024
    # what reached the disk before the error is still there, in order
    kept = [r for r in complete_records(path) if isinstance(r, Message)]
    assert len(kept) > 50
    texts = [deserialize_message(m.data, String).data[:12] for m in kept]
    assert texts == [f'message {i:04d}' for i in range(len(kept))]
