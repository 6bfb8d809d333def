"""mcap_recorder: record ROS topics to an MCAP file, like ``ros2 bag record`` (no rosbag2 here).

Subscribes raw (no deserialisation) to the selected topics as their publishers appear
(``topics`` empty = every topic, re-scanned every ``scan_period_s``, like
``ros2 bag record -a``), with a QoS matching the publishers: reliable with a deep queue
for reliable publishers, transient local where every publisher offers it, so the
lockstep topics are recorded from their first message. Writes each message's CDR bytes
with its type's ``ros2msg`` schema (:mod:`neurobot.recording.mcap_file`).

Timestamps: ``log_time`` is the time the callback received the message: wall clock, ns
since the epoch, or with ``use_sim_time:=true`` the node's ROS time (simulated time from
/clock; 0 before the first /clock message), so the file's time line is the run's
simulated time. ``publish_time`` is the same value: the publisher's source timestamp is
not available (rclpy 9's EventsExecutor, used for its low cost per message, cannot pass
a MessageInfo to a callback). Header stamps stay in the messages themselves.

Errors (the file cannot be created, the disk is full): ``on_error:=continue`` logs the
error once, stops recording (what was written stays readable as far as it reached the
disk) and keeps the node up so the run goes on; ``on_error:=stop`` ends the process with
status 1 and the error. SIGINT/SIGTERM close the file with its summary. At exit the
messages per topic and the file size are printed.
"""

from pathlib import Path
import sys
import time

from rcl_interfaces.msg import FloatingPointRange, ParameterDescriptor
from rclpy.node import Node

from neurobot.recording.mcap_file import (COMPRESSIONS, DEFAULT_FLUSH_PERIOD_S, McapFile,
                                          RecordingError, free_path)
from neurobot.recording.process import run
from neurobot.recording.subscriber import declare_topic_parameters, make_subscriber
from neurobot.round_zero import RoundZeroObserver, declare_observer_parameters

ON_ERROR = ('continue', 'stop')
MB = 1e6  # bytes


class McapRecorder(Node):
    """Records the selected topics to ``path`` (see the module docstring).

    Attributes:
        failure: the error message once recording failed with ``on_error:=stop``.
    """

    def __init__(self, **kwargs):
        super().__init__('mcap_recorder', **kwargs)
        self.declare_parameter('path', 'recording.mcap', ParameterDescriptor(
            description='Output MCAP file; missing directories are created; if the file '
                        'exists, <stem>_<n>.mcap beside it is written instead',
            read_only=True))
        declare_topic_parameters(self, 'record')
        self.declare_parameter('on_error', 'continue', ParameterDescriptor(
            description='On a write error (full disk, unwritable path): continue = log it '
                        'once, stop recording, keep the node up; stop = exit with status 1',
            read_only=True, additional_constraints=f'one of {ON_ERROR}'))
        self.declare_parameter('compression', 'zstd', ParameterDescriptor(
            description='Chunk compression', read_only=True,
            additional_constraints=f'one of {sorted(COMPRESSIONS)}'))
        self.declare_parameter('flush_period_s', DEFAULT_FLUSH_PERIOD_S, ParameterDescriptor(
            description='Longest time (s) a received message stays in memory before it is '
                        'written to the file (what a hard kill can lose)', read_only=True,
            floating_point_range=[FloatingPointRange(from_value=0.05, to_value=60.0)]))
        self.on_error = self.get_parameter('on_error').value
        if self.on_error not in ON_ERROR:
            raise ValueError(f'on_error must be one of {ON_ERROR}, got {self.on_error!r}')
        compression = self.get_parameter('compression').value
        if compression not in COMPRESSIONS:
            raise ValueError(f'compression must be one of {sorted(COMPRESSIONS)}, '
                             f'got {compression!r}')
        declare_observer_parameters(self)
        self.failure = None
        self.file = None
        self.subscriber = None
        self.recording = False  # False again after the first error: it is reported once
        self._error = None
        self._sim_time = bool(self.get_parameter('use_sim_time').value)
        self._clock = self.get_clock()
        requested = self.get_parameter('path').value
        path = free_path(requested)
        if path != Path(requested):
            self.get_logger().warning(f'{requested} exists: recording to {path} instead')
        try:
            self.file = McapFile(path, compression=compression,
                                 flush_period_s=self.get_parameter('flush_period_s').value)
        except RecordingError as error:
            self._fail(error)
        else:
            self.recording = True
            self.get_logger().info(f'recording to {path}')
            self.subscriber = make_subscriber(self, self._on_topic, self._on_message)
            if not self.recording:  # failed on a topic of the first scan, before the line above
                self.subscriber.stop()
        # In lockstep, round 1 waits until every topic of the run is subscribed (even
        # after a failure: then there is nothing to wait for), so the file holds the
        # run's first messages.
        self.round_zero = RoundZeroObserver(self, self._subscribed_to, wait_for_observers=True)

    def _subscribed_to(self, topics) -> bool:
        if not self.recording:
            return True
        self.subscriber.scan()
        return all(self.subscriber.matched(topic) for topic in topics
                   if self.subscriber.selection.wants(topic))

    def _on_topic(self, topic, type_name, definition, offered_qos):
        if not self.recording:
            return
        try:
            self.file.add_topic(topic, type_name, definition,
                                metadata={'offered_qos_profiles': offered_qos})
        except RecordingError as error:
            self._fail(error)

    def _on_message(self, topic, data):
        if not self.recording:
            return  # (a message queued before an error stopped the subscriptions)
        now_ns = self._clock.now().nanoseconds if self._sim_time else time.time_ns()
        try:
            self.file.write(topic, data, now_ns)
        except RecordingError as error:
            self._fail(error)

    def _fail(self, error):
        """Stop recording after an error: report it once, as on_error says."""
        self.recording = False
        self._error = error
        subscriber = getattr(self, 'subscriber', None)
        if subscriber is not None:
            subscriber.stop()  # no more deliveries to a file that is gone
        if self.file is not None and not self.file.closed:
            try:
                self.file.close()
            except RecordingError:
                pass  # the first error is the one worth reporting
        if self.on_error == 'stop':
            self.failure = str(error)
        else:
            self.get_logger().error(f'{error}; recording stopped, the node keeps running '
                                    '(on_error:=continue)')

    def close(self) -> str:
        """Close the file (summary and footer) and return what was recorded."""
        if self.file is None:
            return f'nothing recorded: {self._error}'
        if not self.file.closed:
            try:
                self.file.close()
            except RecordingError as error:
                self._error = error
                if self.on_error == 'stop':
                    self.failure = str(error)
        return self.summary_text()

    def summary_text(self) -> str:
        lines = [f'{self.file.total_messages} messages on {len(self.file.message_counts)} '
                 f'topics, {self.file.size_bytes / MB:.2f} MB in {self.file.path}'
                 + (f' (recording stopped: {self._error})' if self._error else '')]
        width = max((len(t) for t in self.file.message_counts), default=0)
        lines += [f'  {topic:<{width}}  {count:8d}'
                  for topic, count in sorted(self.file.message_counts.items())]
        return '\n'.join(lines)


def main(args=None):
    """Record until Ctrl-C/SIGTERM; exit 1 if recording failed with on_error:=stop."""
    return run('mcap_recorder', McapRecorder, args=args)


if __name__ == '__main__':
    sys.exit(main())
