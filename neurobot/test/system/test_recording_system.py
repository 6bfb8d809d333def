"""System test: a recording started with the run is complete and opens in Foxglove.

The maze bring-up with ``record:=true`` on the small maze, every node its own process.
The recorder and the raster take part in lockstep round 0 (neurobot.round_zero), so the
file holds the run's first ``/clock`` and raster messages (a recorder that found its
topics ~1 s after the start lost them: at 30x real time the short run was over). Every
schema in the file parses with Foxglove's rules, and every channel carries the
publishers' QoS as rosbag2's ``offered_qos_profiles``.
"""

from pathlib import Path

from mcap.reader import make_reader
import pytest
from rclpy.serialization import deserialize_message
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Image
import yaml

from foxglove_rosmsg import check_schema, foxglove_parse, node_unavailable_reason
from neurobot import bringup, experiment
from neurobot.launcher import Launcher

pytestmark = [pytest.mark.node, pytest.mark.slow]

SMALL_MAZE = Path(__file__).resolve().parents[2] / 'experiments' / 'maze' / 'mazes' / 'small.yaml'
STEP_MS = 200.0
MS = 1_000_000  # ns


def stamp_ns(stamp) -> int:
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def test_recording_started_with_the_run_holds_its_first_messages(ros_domain, tmp_path):
    specs = bringup.nodes(experiment.get('maze'), {
                                'episodes': '3', 'maze': str(SMALL_MAZE), 'record': 'true',
                                'learner': 'rstdp',
                                'run_dir': str(tmp_path / 'run'), 'log_level': 'warn',
                                'step_ms': str(STEP_MS)})
    with open(tmp_path / 'launch.log', 'w') as out:
        code = Launcher(specs, log_level='warn', out=out).run()
    log = (tmp_path / 'launch.log').read_text()
    assert code == 0, log[-3000:]
    path = tmp_path / 'run' / 'recording.mcap'
    clocks, rasters, schemas, channels = [], [], {}, {}
    with open(path, 'rb') as handle:
        for schema, channel, message in make_reader(handle).iter_messages():
            schemas[schema.name] = schema.data.decode()
            channels[channel.topic] = channel
            if channel.topic == '/clock':
                clocks.append(stamp_ns(deserialize_message(message.data, Clock).clock))
            elif channel.topic == '/brain/raster':
                rasters.append(stamp_ns(deserialize_message(message.data, Image).header.stamp))
    assert clocks and clocks[0] == STEP_MS * MS, f'first /clock recorded: {clocks[:3]}'
    assert clocks == sorted(clocks) and len(clocks) > 10
    assert rasters and rasters[0] == STEP_MS * MS, f'first raster recorded: {rasters[:3]}'

    # Foxglove's parser accepts every schema of the file
    for name, text in schemas.items():
        check_schema(text)
    if node_unavailable_reason() is None:
        assert foxglove_parse(schemas) == {}

    # rosbag2's channel metadata: the publishers' QoS, so ros2 bag play offers it again
    for topic, channel in channels.items():
        profiles = yaml.safe_load(channel.metadata['offered_qos_profiles'])
        assert isinstance(profiles, list) and profiles, topic
        for profile in profiles:
            assert {'history', 'depth', 'reliability', 'durability', 'deadline', 'lifespan',
                    'liveliness', 'liveliness_lease_duration',
                    'avoid_ros_namespace_conventions'} <= set(profile), (topic, profile)
    spikes = yaml.safe_load(channels['/brain/actions/spikes'].metadata['offered_qos_profiles'])
    assert [(p['reliability'], p['durability']) for p in spikes] == [('reliable',
                                                                      'transient_local')]
    assert spikes[0]['deadline'] == {'sec': 9223372036, 'nsec': 854775807}  # infinite
