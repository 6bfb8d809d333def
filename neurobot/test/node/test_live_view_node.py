"""Node tests: live_view as its own process, read by a Foxglove WebSocket client.

The client speaks the Foxglove WebSocket protocol with the ``websockets`` package
(subprotocol ``foxglove.sdk.v1``; JSON ``serverInfo``/``advertise`` from the server, a
JSON ``subscribe`` from the client, binary message frames: opcode 1, uint32 subscription
id, uint64 log time ns, payload) and checks that the payloads are the CDR bytes of what
a ROS publisher published.
"""

import json
import re
import struct
import time

from mcap_ros2._dynamic import generate_dynamic
import pytest
from rclpy.serialization import deserialize_message, serialize_message
from std_msgs.msg import String
from websockets.sync.client import connect

from neurobot import qos
from neurobot_interfaces.msg import PopulationSpikes
from ros_helpers import NodeProcess, RosClient

pytestmark = pytest.mark.node

SUBPROTOCOL = 'foxglove.sdk.v1'
MESSAGE_DATA = 1  # server binary opcode


def served_port(process, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        match = re.search(r'live view on ws://127\.0\.0\.1:(\d+)', process.output())
        if match:
            return int(match.group(1))
        assert process.alive(), process.output()
        time.sleep(0.1)
    raise AssertionError(f'live_view did not start: {process.output()}')


def cdr(msg) -> bytes:
    """The bytes a raw subscription receives: DDS pads the CDR payload to a multiple of 4
    bytes (rclpy's serialize_message does not; it also leaves alignment gaps inside a
    message uninitialised, so only gap-free messages compare byte for byte)."""
    data = serialize_message(msg)
    return data + bytes(-len(data) % 4)


def spikes(step):
    msg = PopulationSpikes(population='actions', step=step, step_ms=20.0,
                           counts=[1, 0, 2], spike_neurons=[0, 2, 2],
                           spike_times_ms=[step * 20.0 + 1.0, step * 20.0 + 3.5, 20.0 * step + 19])
    end_ns = (step + 1) * 20_000_000
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(end_ns, 1_000_000_000)
    return msg


def test_live_view_streams_the_cdr_of_published_messages(ros_domain, tmp_path):
    view = NodeProcess('live_view', '-p', 'port:=0', '-p', 'scan_period_s:=0.2',
                       '-p', 'exclude:=[/rosout, /parameter_events]', log_dir=tmp_path)
    client = RosClient(ros_domain)
    chatter = client.node.create_publisher(String, 'chatter', qos.RELIABLE)
    spikes_pub = client.node.create_publisher(PopulationSpikes, 'brain/actions/spikes',
                                              qos.BRAIN_OUTPUT)
    types = {'/chatter': String, '/brain/actions/spikes': PopulationSpikes}
    published = {topic: [] for topic in types}
    channels, frames = {}, []
    try:
        port = served_port(view)
        with connect(f'ws://127.0.0.1:{port}', subprotocols=[SUBPROTOCOL]) as ws:
            assert ws.subprotocol == SUBPROTOCOL
            subscribed = set()
            count, end = 0, time.monotonic() + 30
            per_subscription = {}
            while time.monotonic() < end and not (
                    len(per_subscription) == 2 and min(per_subscription.values()) >= 20):
                text = f'message {count}'
                chatter.publish(String(data=text))
                spikes_pub.publish(spikes(count))
                published['/chatter'].append(String(data=text))
                published['/brain/actions/spikes'].append(spikes(count))
                count += 1
                try:
                    frame = ws.recv(timeout=0.05)
                except TimeoutError:
                    continue
                if isinstance(frame, bytes):
                    frames.append(frame)
                    subscription = struct.unpack_from('<I', frame, 1)[0]
                    per_subscription[subscription] = per_subscription.get(subscription, 0) + 1
                    continue
                message = json.loads(frame)
                if message['op'] == 'advertise':
                    for channel in message['channels']:
                        if channel['topic'] in published and channel['topic'] not in subscribed:
                            subscription = len(channels) + 1
                            channels[subscription] = channel
                            subscribed.add(channel['topic'])
                            ws.send(json.dumps({'op': 'subscribe', 'subscriptions': [
                                {'id': subscription, 'channelId': channel['id']}]}))
        assert view.alive(), view.output()
    finally:
        code = view.stop()
        client.close()
    assert code == 0, view.output()
    assert {c['topic'] for c in channels.values()} == set(published), view.output()
    for channel in channels.values():
        assert channel['encoding'] == 'cdr' and channel['schemaEncoding'] == 'ros2msg'
    assert len(frames) >= 40
    seen = {topic: [] for topic in published}
    payloads = {}
    start_ns = time.time_ns() - 120 * 10**9
    for frame in frames:
        opcode, subscription, log_time = struct.unpack_from('<BIQ', frame)
        assert opcode == MESSAGE_DATA and start_ns < log_time <= time.time_ns()
        topic = channels[subscription]['topic']
        payload = frame[13:]
        message = deserialize_message(payload, types[topic])
        assert message in published[topic], (topic, payload)
        seen[topic].append(published[topic].index(message))
        payloads.setdefault(topic, payload)
        if topic == '/chatter':
            assert payload == cdr(message)  # the very bytes the publisher sent
    for topic, order in seen.items():
        assert order and order == sorted(order), topic  # in publishing order
    # the advertised schema decodes the payload without ROS (what Foxglove does)
    spikes_channel = next(c for c in channels.values() if c['topic'] == '/brain/actions/spikes')
    assert spikes_channel['schemaName'] == 'neurobot_interfaces/msg/PopulationSpikes'
    decode = generate_dynamic(spikes_channel['schemaName'],
                              spikes_channel['schema'])[spikes_channel['schemaName']]
    step = seen['/brain/actions/spikes'][0]
    decoded = decode(payloads['/brain/actions/spikes'])
    assert decoded.step == step and list(decoded.spike_neurons) == [0, 2, 2]


def test_non_loopback_host_is_refused_unless_allowed(ros_domain, tmp_path):
    view = NodeProcess('live_view', '-p', 'host:=0.0.0.0', '-p', 'port:=0', log_dir=tmp_path)
    try:
        code = view.wait(30)
    finally:
        view.stop()
    assert code == 1
    assert "host '0.0.0.0' is not a loopback address" in view.output()
    assert 'allow_remote:=true' in view.output()
