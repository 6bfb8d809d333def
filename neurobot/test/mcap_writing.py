"""Test helper: write real message objects to a standard ROS 2 MCAP file.

The offline-analysis unit tests build small recordings with exactly the messages they
need. The file is what ``mcap_recorder`` writes (profile ros2, schema encoding ros2msg
with the full message definition of :mod:`neurobot.recording.ros_types`, message
encoding cdr, one channel per topic), so it is read by the same code as recorder
files. No ROS graph is involved.
"""

from mcap.writer import Writer
from rclpy.serialization import serialize_message

from neurobot.recording.ros_types import message_definition


def type_name_of(msg_type) -> str:
    package = msg_type.__module__.split('.')[0]  # e.g. nav_msgs.msg._odometry
    return f'{package}/msg/{msg_type.__name__}'


def write_mcap(path, messages):
    """Write ``[(topic, message, log_time_ns), ...]`` to an MCAP file; return ``path``.

    The messages are real message objects, written in the order given.
    """
    with open(path, 'wb') as handle:
        writer = Writer(handle)
        writer.start(profile='ros2', library='neurobot-test-capture')
        channels = {}
        for sequence, (topic, msg, log_time) in enumerate(messages):
            if topic not in channels:
                type_name = type_name_of(type(msg))
                schema = writer.register_schema(type_name, 'ros2msg',
                                                message_definition(type_name).encode())
                channels[topic] = writer.register_channel(topic, 'cdr', schema)
            writer.add_message(channels[topic], log_time=log_time, publish_time=log_time,
                               data=serialize_message(msg), sequence=sequence)
        writer.finish()
    return path
