"""live_view: the ROS topics of a run, live in Foxglove, over a WebSocket on this machine.

Runs a Foxglove WebSocket server (foxglove-sdk) on ``host``:``port`` (127.0.0.1:8765 by
default; connect Foxglove to ``ws://localhost:8765``) and re-publishes the selected ROS
topics (``topics``/``exclude``, as for mcap_recorder) unchanged: one channel per topic,
the message's raw CDR bytes with the type's ``ros2msg`` schema, the same subscription
and type code as the recorder (:mod:`neurobot.recording.subscriber`). Messages are
passed on only while a client subscribes to their channel.

The server streams every topic to whoever connects, so it binds to loopback only unless
``allow_remote:=true`` says otherwise (e.g. ``host:=0.0.0.0`` on a trusted network).
Message times are the node's clock at reception (wall clock, or simulated time with
``use_sim_time:=true``).
"""

import ipaddress
import sys
import time

from rcl_interfaces.msg import IntegerRange, ParameterDescriptor
from rclpy.node import Node

from neurobot.recording.process import run
from neurobot.recording.subscriber import declare_topic_parameters, make_subscriber

SERVER_NAME = 'neurobot'


def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


class LiveView(Node):
    """Foxglove WebSocket server streaming ROS topics (see the module docstring)."""

    failure = None  # the process helper's stop signal: the live view never fails later

    def __init__(self, **kwargs):
        super().__init__('live_view', **kwargs)
        self.declare_parameter('host', '127.0.0.1', ParameterDescriptor(
            description='Address the WebSocket server binds to (loopback unless '
                        'allow_remote is true)', read_only=True))
        self.declare_parameter('port', 8765, ParameterDescriptor(
            description='TCP port of the WebSocket server (0: any free port, logged)',
            read_only=True, integer_range=[IntegerRange(from_value=0, to_value=65535)]))
        self.declare_parameter('allow_remote', False, ParameterDescriptor(
            description='Allow a non-loopback host: every topic is then streamed to anyone '
                        'who can reach the port', read_only=True))
        declare_topic_parameters(self, 'stream')
        host = self.get_parameter('host').value
        port = int(self.get_parameter('port').value)
        if not is_loopback(host) and not self.get_parameter('allow_remote').value:
            raise ValueError(f'host {host!r} is not a loopback address: the live view would '
                             'stream every topic to the network; use host:=127.0.0.1, or '
                             'allow_remote:=true to do that on purpose')
        import foxglove  # here: only this node needs the SDK (a Rust extension)
        self._foxglove = foxglove
        self._fox_context = foxglove.Context()
        try:
            self.server = foxglove.start_server(name=SERVER_NAME, host=host, port=port,
                                                context=self._fox_context)
        except Exception as error:  # e.g. the port is taken
            raise ValueError(f'cannot serve the live view on {host}:{port}: {error}') from None
        self.port = self.server.port
        self.channels = {}
        self.sent = 0
        self._sim_time = bool(self.get_parameter('use_sim_time').value)
        self.get_logger().info(f'live view on ws://{host}:{self.port} (Foxglove: open '
                               f'connection, Foxglove WebSocket)')
        self.subscriber = make_subscriber(self, self._on_topic, self._on_message)

    def _on_topic(self, topic, type_name, definition, offered_qos=None):
        schema = self._foxglove.Schema(name=type_name, encoding='ros2msg',
                                       data=definition.encode())
        self.channels[topic] = self._foxglove.Channel(topic, schema=schema,
                                                      message_encoding='cdr',
                                                      context=self._fox_context)

    def _on_message(self, topic, data):
        channel = self.channels[topic]
        if not channel.has_sinks():
            return  # no client subscribes to this channel: nothing to send
        now_ns = self.get_clock().now().nanoseconds if self._sim_time else time.time_ns()
        channel.log(bytes(data), log_time=now_ns)
        self.sent += 1

    def close(self) -> str:
        """Stop the subscriptions and the server; return what was served."""
        self.subscriber.stop()
        for channel in self.channels.values():
            channel.close()
        self.server.stop()
        return f'sent {self.sent} messages of {len(self.channels)} topics'


def main(args=None):
    """Serve until Ctrl-C/SIGTERM."""
    return run('live_view', LiveView, args=args)


if __name__ == '__main__':
    sys.exit(main())
