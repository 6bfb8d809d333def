"""An MCAP file of raw ROS 2 messages (CDR bytes), written without ROS.

One schema record per message type (``ros2msg`` text, see :mod:`.ros_types`), one
channel per topic (``cdr`` encoding), the ``ros2`` profile: what rosbag2's MCAP storage
writes, so Foxglove, ``mcap_ros2`` and ``ros2 bag`` read it.

Messages are collected in chunks; a chunk is written out when it is full
(``chunk_size_bytes``) or ``flush_period_s`` after the last write-out, so a process
killed hard loses at most about one flush period of messages (the OS keeps what was
written). :meth:`McapFile.close` writes the summary and footer, which readers use to
index the file; readers that scan from the start can read a file without them too.

Every failure to write (a missing directory, no permission, a full disk = ENOSPC)
raises :class:`RecordingError` naming the file and the cause.
"""

import io
import logging
from pathlib import Path
import time

from mcap.exceptions import EndOfFile
from mcap.stream_reader import StreamReader
from mcap.writer import CompressionType, Writer

LOGGER = logging.getLogger(__name__)
LIBRARY = 'neurobot mcap_recorder'
COMPRESSIONS = {'zstd': CompressionType.ZSTD, 'lz4': CompressionType.LZ4,
                'none': CompressionType.NONE}
DEFAULT_CHUNK_SIZE_BYTES = 1024 * 1024
DEFAULT_FLUSH_PERIOD_S = 1.0  # s


class RecordingError(Exception):
    """Writing an MCAP recording failed.

    Attributes:
        path: the file.
        cause: the underlying OSError (or other error).
    """

    def __init__(self, path, action, cause):
        self.path = Path(path)
        self.cause = cause
        reason = getattr(cause, 'strerror', None) or str(cause) or type(cause).__name__
        super().__init__(f'cannot {action} the MCAP recording {self.path}: {reason}')


def complete_records(path) -> list:
    """Every complete record of an MCAP file, read from the start up to where it ends.

    For a file without summary and footer (the recorder was killed, or the disk filled):
    what a footer-based reader refuses, this still returns, chunk by chunk (messages
    come out of the chunks as :class:`mcap.records.Message`).
    """
    records = []
    reader = StreamReader(io.BytesIO(Path(path).read_bytes()), skip_magic=False)
    try:
        for record in reader.records:
            records.append(record)
    except EndOfFile:
        pass  # cut in the middle of a record: everything before it is complete
    return records


def free_path(path) -> Path:
    """``path`` if no regular file is there, else the first free ``<stem>_<n><suffix>`` beside it.

    So a new recording never replaces an earlier one (a resumed run, say).
    Devices and pipes (``/dev/null``, a FIFO) are used as they are.
    """
    path = Path(path)
    candidate, number = path, 1
    while candidate.is_file() or (candidate != path and candidate.exists()):
        candidate = path.with_name(f'{path.stem}_{number}{path.suffix}')
        number += 1
    return candidate


class McapFile:
    """An MCAP file being written.

    Args:
        path: the file; missing parent directories are created. An existing file is
            replaced (see :func:`free_path` to keep it).
        compression: 'zstd', 'lz4' or 'none' (per chunk).
        chunk_size_bytes: uncompressed size at which a chunk is written out.
        flush_period_s: longest time a message waits in memory before it is written out.
        clock: monotonic clock in seconds (tests pass their own).

    Raises:
        RecordingError: the file cannot be created or its header cannot be written.
        ValueError: an unknown compression or a non-positive size or period.
    """

    def __init__(self, path, compression='zstd', chunk_size_bytes=DEFAULT_CHUNK_SIZE_BYTES,
                 flush_period_s=DEFAULT_FLUSH_PERIOD_S, clock=time.monotonic):
        if compression not in COMPRESSIONS:
            raise ValueError(f'compression must be one of {sorted(COMPRESSIONS)}, '
                             f'got {compression!r}')
        if chunk_size_bytes <= 0 or flush_period_s <= 0:
            raise ValueError(f'chunk_size_bytes and flush_period_s must be positive, got '
                             f'{chunk_size_bytes} and {flush_period_s}')
        self.path = Path(path)
        self.flush_period_s = float(flush_period_s)
        self.message_counts = {}  # topic -> messages written
        self._clock = clock
        self._schemas = {}  # type name -> schema id
        self._channels = {}  # topic -> channel id
        self._channel_types = {}  # topic -> type name
        self._closed = False
        self._failed = False
        try:
            if not self.path.parent.exists():  # (a file there: open() says 'Not a directory')
                self.path.parent.mkdir(parents=True)
            self._stream = open(self.path, 'wb')
        except OSError as error:
            self._failed = self._closed = True
            raise RecordingError(self.path, 'create', error) from error
        self._writer = Writer(self._stream, chunk_size=int(chunk_size_bytes),
                              compression=COMPRESSIONS[compression])
        # the header goes out at once: a full disk or a broken file shows now, not later
        self._guarded('write the header of', lambda: (
            self._writer.start(profile='ros2', library=LIBRARY), self._writer.flush()))
        self._last_flush = self._clock()

    # ------------------------------------------------------------------ writing

    def add_topic(self, topic: str, type_name: str, definition: str, metadata=None):
        """Declare a topic: its type's schema (once per type) and the topic's channel.

        ``metadata`` is the channel's (rosbag2 writes ``offered_qos_profiles``).

        Raises:
            ValueError: the topic was declared before with another type.
            RecordingError: writing failed.
        """
        if topic in self._channels:
            known = self._channel_types[topic]
            if known != type_name:
                raise ValueError(f'topic {topic} is recorded as {known}, cannot add it again '
                                 f'as {type_name}')
            return

        def register():
            if type_name not in self._schemas:
                self._schemas[type_name] = self._writer.register_schema(
                    name=type_name, encoding='ros2msg', data=definition.encode())
            self._channels[topic] = self._writer.register_channel(
                topic=topic, message_encoding='cdr', schema_id=self._schemas[type_name],
                metadata=dict(metadata or {}))
        self._guarded('write to', register)
        self._channel_types[topic] = type_name
        self.message_counts.setdefault(topic, 0)

    def write(self, topic: str, data: bytes, log_time_ns: int, publish_time_ns: int = None,
              sequence: int = 0):
        """Add one message (its serialized CDR bytes) to a declared topic.

        Raises:
            KeyError: the topic was not declared with :meth:`add_topic`.
            RecordingError: writing failed (the file is closed as well as it can be).
        """
        channel = self._channels[topic]
        publish = log_time_ns if publish_time_ns is None else publish_time_ns
        self._guarded('write to', lambda: self._writer.add_message(
            channel_id=channel, log_time=int(log_time_ns), publish_time=int(publish),
            data=bytes(data), sequence=int(sequence) & 0xFFFFFFFF))
        self.message_counts[topic] += 1
        now = self._clock()
        if now - self._last_flush >= self.flush_period_s:
            self.flush()

    def flush(self):
        """Write out the chunk in progress and hand everything to the OS."""
        self._guarded('write to', self._writer.flush)
        self._last_flush = self._clock()

    def close(self):
        """Write the summary and footer and close the file (safe to call more than once).

        After a write error the file is only closed: it keeps what reached the disk.

        Raises:
            RecordingError: the summary could not be written.
        """
        if self._closed:
            return
        self._closed = True
        try:
            if not self._failed:
                self._writer.finish()
                self._stream.flush()
        except Exception as error:
            self._failed = True
            raise RecordingError(self.path, 'finish', error) from error
        finally:
            try:
                self._stream.close()
            except OSError:
                pass  # buffered bytes that could not be written: reported above or before

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def size_bytes(self) -> int:
        """Bytes in the file so far (what reached the OS)."""
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    @property
    def total_messages(self) -> int:
        return sum(self.message_counts.values())

    def _guarded(self, action, function):
        if self._closed:
            raise RecordingError(self.path, action, ValueError('the file is closed'))
        try:
            return function()
        except Exception as error:
            # any failure leaves the writer in an unknown state: stop writing for good
            self._failed = True
            try:
                self.close()
            except RecordingError:
                pass
            raise RecordingError(self.path, action, error) from error
