"""Load an MCAP recording of a neurobot run into numpy arrays (ROS-free).

A recording is a standard ROS 2 MCAP file (profile ros2, ros2msg schemas, cdr
messages, one channel per topic; log time = when the recorder received the message),
as written by ``mcap_recorder``. Messages are decoded from the schemas stored in the
file, so neither rclpy nor the message packages are needed to read one.

Time base: simulation time from header stamps, kept in integer nanoseconds so that
window edges stay exact (as in :mod:`tf_nodes.temporal`); ``*_ms`` properties convert.
Messages without a header (``cmd_vel``) are placed by *receive order*: log time, ties
(a recorder logging in simulated time gives every message of a round the same log time)
broken by position in the file. Such a message is given the simulation time of the
latest stamped message received before it.

What is read (topic names are matched with or without a leading ``/``, and under any
namespace prefix for the brain's topics):

- ``brain/<pop>/spikes`` (PopulationSpikes) -> :class:`PopulationActivity`: per step
  counts, and every spike as (time, neuron);
- ``odom`` (Odometry) and ``ground_truth/pose`` (PoseStamped) -> :class:`Trajectory`;
- ``cmd_vel`` (Twist or TwistStamped) -> :class:`Commands`;
- ``brain/step`` (and ``/clock`` when nothing else is stamped) only as a time
  reference for header-less messages.

A missing topic gives ``None`` for its part; asking for something that is not there
(:meth:`Recording.population`, :meth:`Recording.require`) raises :class:`RecordingError`
listing the topics the file has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import logging
import math
from pathlib import Path
import re

import numpy as np

from neurobot.world.planar import yaw_of_quaternion
from neurobot.stamps import stamp_ns

_log = logging.getLogger(__name__)

NS_PER_MS = 1_000_000
SPIKES_TOPIC = re.compile(r'^(?:.*/)?brain/([^/]+)/spikes$')
CLOCK_TOPICS = ('clock', 'brain/step')
LOCKSTEP_TOPIC = 'lockstep/done'  # neurobot.lockstep_participant.DONE_TOPIC, normalised
MCAP_MAGIC = b'\x89MCAP0\r\n'


class RecordingError(ValueError):
    """The file is not a usable recording, or lacks what was asked for."""


def normalise_topic(topic: str) -> str:
    """Topic name without the leading '/' (recordings may have either spelling)."""
    return topic.lstrip('/')


@dataclass
class PopulationActivity:
    """The recorded spikes of one population, steps sorted by time.

    Attributes:
        name: population name.
        n_neurons: population size (length of ``counts`` in the messages).
        step: brain step index of each recorded step, int64 (n_steps,).
        end_ns: simulation time at the end of each step, ns, int64 (n_steps,).
        step_ns: length of each step, ns, int64 (n_steps,).
        counts: spikes per step and neuron, int64 (n_steps, n_neurons).
        spike_times_ns: time of every spike, ns, int64 (n_spikes,), ascending.
        spike_neurons: neuron of every spike, int64 (n_spikes,).
        received: receive order of each step's message among the messages read, int64
            (n_steps,) (see the module docstring).
        duplicates: messages dropped because their step end was already recorded.
    """

    name: str
    n_neurons: int
    step: np.ndarray
    end_ns: np.ndarray
    step_ns: np.ndarray
    counts: np.ndarray
    spike_times_ns: np.ndarray
    spike_neurons: np.ndarray
    received: np.ndarray
    duplicates: int = 0

    @property
    def n_steps(self) -> int:
        return len(self.end_ns)

    @property
    def end_ms(self) -> np.ndarray:
        return self.end_ns / NS_PER_MS

    @property
    def spike_times_ms(self) -> np.ndarray:
        return self.spike_times_ns / NS_PER_MS

    def rates_hz(self) -> np.ndarray:
        """Population mean rate of every step, Hz (n_steps,)."""
        seconds = self.step_ns / 1e9
        return self.counts.sum(axis=1) / self.n_neurons / np.where(seconds > 0, seconds, np.nan)


@dataclass
class Trajectory:
    """Robot poses over time (sorted by time).

    Attributes:
        topic: where they came from.
        t_ns: header stamps, ns, int64 (n,).
        x_m, y_m, yaw_rad: pose (n,).
        vx_mps, vy_mps, wz_radps: body-frame velocities (n,); NaN when the topic has none.
    """

    topic: str
    t_ns: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    yaw_rad: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    wz_radps: np.ndarray

    @property
    def t_ms(self) -> np.ndarray:
        return self.t_ns / NS_PER_MS


@dataclass
class Commands:
    """Velocity commands in the order received.

    Attributes:
        topic: where they came from.
        received: receive order among the messages read, int64 (n,).
        t_ns: simulation time: the header stamp; for a Twist without header, in a lockstep
            run the end of the round in which it was published (from the publisher's
            /lockstep/done counts), otherwise the stamp of the latest stamped message
            received before it, int64 (n,).
        vx_mps, vy_mps, wz_radps: commanded body-frame velocity (n,).
        round_aligned: t_ns came from the lockstep announcements: exact, whatever order
            the recorder received the topics in.
    """

    topic: str
    received: np.ndarray
    t_ns: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    wz_radps: np.ndarray
    round_aligned: bool = False


@dataclass
class Recording:
    """What :func:`load_recording` read from one file.

    Attributes:
        path: the file.
        topics: every topic in the file (normalised name) -> (message type, messages).
        populations: population name -> PopulationActivity (those read).
        odometry: from ``odom``, or None.
        ground_truth: from ``ground_truth/pose``, or None.
        commands: from ``cmd_vel``, or None.
        stamps: topic -> (t_ns, received) of every message of the ``stamp_topics``
            asked for: the header stamp, or for messages without a header (or a topic
            whose stamps are all zero) the time of the latest stamped message received
            before.
    """

    path: Path
    topics: dict
    populations: dict = field(default_factory=dict)
    odometry: Trajectory | None = None
    ground_truth: Trajectory | None = None
    commands: Commands | None = None
    stamps: dict = field(default_factory=dict)

    def topic_list(self) -> str:
        return ', '.join(f'{name} ({kind}, {count})' for name, (kind, count)
                         in sorted(self.topics.items())) or 'none'

    def available_populations(self) -> list:
        return sorted({m.group(1) for name in self.topics
                       if (m := SPIKES_TOPIC.match(name))})

    def population(self, name: str) -> PopulationActivity:
        """The activity of population ``name``.

        Raises:
            RecordingError: not in the recording (the message lists what is).
        """
        if name not in self.populations:
            raise RecordingError(
                f'{self.path}: no population {name!r}; the recording has spikes of '
                f'{self.available_populations() or "no population"} '
                f'(topics brain/<population>/spikes)')
        return self.populations[name]

    def require(self, part: str):
        """``odometry``, ``ground_truth``, ``trajectory`` (either) or ``commands``.

        Raises:
            RecordingError: missing, with the list of topics found.
        """
        if part == 'trajectory':
            value = self.ground_truth or self.odometry
            wanted = 'odom or ground_truth/pose'
        else:
            value = getattr(self, part)
            wanted = {'odometry': 'odom', 'ground_truth': 'ground_truth/pose',
                      'commands': 'cmd_vel'}[part]
        if value is None:
            raise RecordingError(f'{self.path}: no {part} (topic {wanted}); topics found: '
                                 f'{self.topic_list()}')
        return value

    @property
    def start_ns(self) -> int:
        """Start of the first recorded brain step (or first pose), ns."""
        starts = [int((p.end_ns - p.step_ns).min()) for p in self.populations.values()
                  if p.n_steps]
        starts += [int(t.t_ns.min()) for t in (self.odometry, self.ground_truth)
                   if t is not None and len(t.t_ns)]
        return min(starts) if starts else 0

    @property
    def end_ns(self) -> int:
        ends = [int(p.end_ns.max()) for p in self.populations.values() if p.n_steps]
        ends += [int(t.t_ns.max()) for t in (self.odometry, self.ground_truth)
                 if t is not None and len(t.t_ns)]
        return max(ends) if ends else 0


def _open_reader(path: Path):
    """A decoding MCAP reader and the file's summary (None for an unfinished file)."""
    from mcap.exceptions import McapError
    from mcap.reader import NonSeekingReader, SeekingReader
    from mcap_ros2.decoder import DecoderFactory
    if not path.is_file():
        raise FileNotFoundError(f'recording not found: {path}')
    stream = open(path, 'rb')
    if stream.read(len(MCAP_MAGIC)) != MCAP_MAGIC:
        stream.close()
        raise RecordingError(f'{path} is not an MCAP file (expected a ROS 2 recording as '
                             f'written by mcap_recorder, starting with the MCAP magic bytes)')
    stream.seek(0)
    try:
        reader = SeekingReader(stream, decoder_factories=[DecoderFactory()])
        summary = reader.get_summary()
    except (McapError, ValueError, EOFError):
        summary = None
    if summary is None:
        # an unfinished recording (the recorder was killed): no summary or index, so
        # read it front to back as far as it goes
        stream.seek(0)
        reader = NonSeekingReader(stream, decoder_factories=[DecoderFactory()])
    return stream, reader, summary


def _topics_of(summary) -> dict:
    if summary is None:
        return {}
    counts = summary.statistics.channel_message_counts if summary.statistics else {}
    topics = {}
    for channel_id, channel in summary.channels.items():
        schema = summary.schemas.get(channel.schema_id)
        topics[normalise_topic(channel.topic)] = (schema.name if schema else '?',
                                                  int(counts.get(channel_id, 0)))
    return topics


def load_recording(path, populations=None, *, odom_topic='odom',
                   pose_topic='ground_truth/pose', command_topic='cmd_vel',
                   stamp_topics=(), progress=False) -> Recording:
    """Read the parts of a recording that analysis needs.

    Args:
        path: the .mcap file.
        populations: names of the populations to read (None: every ``brain/*/spikes``).
        odom_topic: odometry topic (nav_msgs/Odometry), name without leading '/'.
        pose_topic: ground-truth pose topic (PoseStamped), name without leading '/'.
        command_topic: velocity command topic (Twist or TwistStamped), name without
            leading '/'.
        stamp_topics: topics whose message times to keep (:attr:`Recording.stamps`).
        progress: show a tqdm bar over messages.

    Returns:
        A :class:`Recording`.

    Raises:
        FileNotFoundError: no such file.
        RecordingError: not an MCAP file, or a requested population is not recorded.
    """
    from mcap.exceptions import McapError
    path = Path(path)
    stream, reader, summary = _open_reader(path)
    with stream:
        topics = _topics_of(summary)
        recording = Recording(path=path, topics=topics)
        found = recording.available_populations()
        wanted = found if populations is None else list(populations)
        if summary is not None:
            missing = [p for p in wanted if p not in found]
            if missing:
                raise RecordingError(
                    f'{path}: no spikes of population(s) {missing}; the recording has '
                    f'{found or "no population"}. Topics found: {recording.topic_list()}')
        collect = _Collector(set(wanted), odom_topic, pose_topic, command_topic,
                             stamp_topics)
        total = sum(count for name, (_, count) in topics.items() if collect.wants(name))
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=total or None, unit='msg', desc=f'reading {path.name}')
        try:
            # file order, not log-time order: cheaper, and nothing here depends on it
            # (everything is sorted by stamp or by log time afterwards)
            messages = reader.iter_decoded_messages(log_time_order=False)
            for schema, channel, message, decoded in messages:
                name = normalise_topic(channel.topic)
                if summary is None and name not in recording.topics:
                    recording.topics[name] = (schema.name if schema else '?', 0)
                if summary is None:
                    kind, count = recording.topics[name]
                    recording.topics[name] = (kind, count + 1)
                if collect.wants(name):
                    collect.add(name, message.log_time, decoded)
                    if bar is not None:
                        bar.update()
        except (McapError, EOFError) as error:
            if summary is not None:
                raise RecordingError(f'{path}: corrupt MCAP file: {error}') from error
            _log.warning('%s ends early (unfinished recording): %s; using what was read',
                         path, error)
        finally:
            if bar is not None:
                bar.close()
    if summary is None:
        missing = [p for p in wanted if p not in collect.spikes]
        if populations is not None and missing:
            raise RecordingError(f'{path}: no spikes of population(s) {missing}; the '
                                 f'recording has {recording.available_populations()}')
    collect.finish(recording)
    return recording


class _Collector:
    """Accumulates decoded messages, then builds the arrays."""

    def __init__(self, populations, odom_topic, pose_topic, command_topic, stamp_topics=()):
        self.populations = populations
        self.stamp_topics = {normalise_topic(t): [] for t in stamp_topics}
        self.odom_topic = normalise_topic(odom_topic)
        self.pose_topic = normalise_topic(pose_topic)
        self.command_topic = normalise_topic(command_topic)
        self.spikes = {}  # population -> list of messages (as tuples)
        self.odom, self.pose, self.commands = [], [], []
        # (round end, commands published so far) from the command publisher's lockstep
        # announcements: which round each command belongs to, independent of the order
        # the recorder received different topics in (a transient-local backlog at start
        # arrives topic by topic)
        self.command_rounds = []
        self.reference = []  # (receive key, stamp) of stamped messages
        self.log_times = []  # log time of every message added, by receive key
        # /clock announces a round's end time when the round starts, so it is the
        # reference only for recordings without any end-of-step stamped message
        self.clock_reference = []

    def population_of(self, name):
        match = SPIKES_TOPIC.match(name)
        return match.group(1) if match and match.group(1) in self.populations else None

    def wants(self, name) -> bool:
        return (name in (self.odom_topic, self.pose_topic, self.command_topic)
                or name == LOCKSTEP_TOPIC or name in CLOCK_TOPICS or name in self.stamp_topics
                or self.population_of(name) is not None)

    def add(self, name, log_time, msg):
        # a key per message in file order; finish() turns keys into receive ranks
        key = len(self.log_times)
        self.log_times.append(log_time)
        self._add(name, key, msg)

    def _add(self, name, key, msg):
        if name in self.stamp_topics:
            header = getattr(msg, 'header', None)
            self.stamp_topics[name].append(
                (key, stamp_ns(header.stamp) if hasattr(header, 'stamp') else 0))
        population = self.population_of(name)
        if population is not None:
            t = stamp_ns(msg.header.stamp)
            self.spikes.setdefault(population, []).append(
                (t, int(msg.step), int(round(float(msg.step_ms) * NS_PER_MS)), key,
                 msg.counts, msg.spike_neurons, msg.spike_times_ms))
            self.reference.append((key, t))
        elif name == self.odom_topic:
            p, v = msg.pose.pose, msg.twist.twist
            self.odom.append((stamp_ns(msg.header.stamp), p.position.x, p.position.y,
                              yaw_of_quaternion(p.orientation), v.linear.x, v.linear.y,
                              v.angular.z))
            self.reference.append((key, self.odom[-1][0]))
        elif name == self.pose_topic:
            p = msg.pose
            nan = math.nan
            self.pose.append((stamp_ns(msg.header.stamp), p.position.x, p.position.y,
                              yaw_of_quaternion(p.orientation), nan, nan, nan))
            self.reference.append((key, self.pose[-1][0]))
        elif name == self.command_topic:
            stamped = hasattr(msg, 'header') and hasattr(msg, 'twist')
            twist = msg.twist if stamped else msg
            self.commands.append((key, stamp_ns(msg.header.stamp) if stamped else None,
                                  twist.linear.x, twist.linear.y, twist.angular.z))
        elif name == 'clock':
            self.clock_reference.append((key, int(msg.clock.sec) * 1_000_000_000
                                   + int(msg.clock.nanosec)))
        elif name == 'brain/step':
            self.reference.append((key, stamp_ns(msg.header.stamp)))
        elif name == LOCKSTEP_TOPIC:
            for topic, count in zip(msg.topics, msg.counts):
                if normalise_topic(topic) == self.command_topic:
                    self.command_rounds.append((stamp_ns(msg.stamp), int(count)))

    def finish(self, recording):
        # receive order: by log time, ties in file order
        keys = np.arange(len(self.log_times))
        rank = np.empty(len(keys), dtype=np.int64)
        rank[np.lexsort((keys, np.array(self.log_times, dtype=np.int64)))] = keys
        self.reference = [(int(rank[k]), t) for k, t in self.reference]
        self.clock_reference = [(int(rank[k]), t) for k, t in self.clock_reference]
        self.commands = [(int(rank[row[0]]),) + tuple(row[1:]) for row in self.commands]
        for rows in self.stamp_topics.values():
            rows[:] = [(int(rank[k]), t) for k, t in rows]
        for messages in self.spikes.values():
            messages[:] = [m[:3] + (int(rank[m[3]]),) + m[4:] for m in messages]
        for population, messages in sorted(self.spikes.items()):
            recording.populations[population] = _population(population, messages)
        for attribute, rows, topic in (('odometry', self.odom, self.odom_topic),
                                       ('ground_truth', self.pose, self.pose_topic)):
            if rows:
                table = np.array(sorted(rows, key=lambda row: row[0]), dtype=float)
                setattr(recording, attribute, Trajectory(
                    topic, table[:, 0].astype(np.int64), *table[:, 1:].T))
        if self.commands:
            recording.commands = self._commands()
        for topic, rows in self.stamp_topics.items():
            rows.sort()
            received = np.array([row[0] for row in rows], dtype=np.int64)
            t_ns = np.array([row[1] for row in rows], dtype=np.int64)
            if not t_ns.any():
                t_ns = self._estimated_time(received)
            recording.stamps[topic] = (t_ns, received)

    def _estimated_time(self, received) -> np.ndarray:
        """Simulation time of the latest stamped message received before each log time.

        -1 before any.
        """
        rows = self.reference or self.clock_reference
        if not rows:
            return np.full(len(received), -1, dtype=np.int64)
        reference = np.array(sorted(rows), dtype=np.int64)
        latest = np.maximum.accumulate(reference[:, 1])
        index = np.searchsorted(reference[:, 0], received, side='right') - 1
        return np.where(index >= 0, latest[np.maximum(index, 0)], -1)

    def _commands(self) -> Commands:
        rows = sorted(self.commands, key=lambda row: row[0])
        received = np.array([row[0] for row in rows], dtype=np.int64)
        t_ns = self._estimated_time(received)
        for i, row in enumerate(rows):
            if row[1] is not None:
                t_ns[i] = row[1]
        values = np.array([row[2:] for row in rows], dtype=float)
        aligned = bool(self.command_rounds) and all(row[1] is None for row in rows)
        if aligned:
            # one topic arrives in publish order: command i (0-based) was published in
            # the first round whose announcement counts more than i commands
            ends = np.array(sorted(self.command_rounds), dtype=np.int64)
            published = np.maximum.accumulate(ends[:, 1])
            index = np.searchsorted(published, np.arange(1, len(rows) + 1), side='left')
            known = index < len(ends)
            # commands after the last recorded announcement: later than every round in it
            t_ns = np.where(known, ends[np.minimum(index, len(ends) - 1), 0],
                            np.maximum(t_ns, ends[-1, 0]))
        return Commands(self.command_topic, received, t_ns, *values.T, round_aligned=aligned)


def _population(name, messages) -> PopulationActivity:
    """Arrays of one population from its messages (any order; duplicates dropped)."""
    messages = sorted(messages, key=lambda m: (m[0], m[3]))
    kept, duplicates, last_end = [], 0, None
    for message in messages:
        if message[0] == last_end:
            duplicates += 1
            continue
        kept.append(message)
        last_end = message[0]
    if duplicates:
        _log.warning('population %s: %d messages repeat a step end already recorded; '
                     'the first of each is kept', name, duplicates)
    n_neurons = max((len(m[4]) for m in kept), default=0)
    counts = np.zeros((len(kept), n_neurons), dtype=np.int64)
    times, neurons = [], []
    from_counts = 0
    for row, (end_ns, _, step_ns, _, step_counts, ids, times_ms) in enumerate(kept):
        step_counts = np.asarray(step_counts, dtype=np.int64)
        counts[row, :len(step_counts)] = step_counts
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == step_counts.sum():
            times.append(np.rint(np.asarray(times_ms, dtype=float) * NS_PER_MS).astype(np.int64))
            neurons.append(ids)
        else:
            # a message with counts but without (all) spike events: stamp the counts at
            # the end of the step, as tf_nodes.temporal.SpikeWindow.add_counts does
            from_counts += 1
            active = np.flatnonzero(step_counts)
            repeated = np.repeat(active, step_counts[active])
            times.append(np.full(len(repeated), end_ns, dtype=np.int64))
            neurons.append(repeated)
    if from_counts:
        _log.warning('population %s: %d steps have counts but not every spike event; '
                     'their spikes are placed at the end of the step', name, from_counts)
    spike_times = np.concatenate(times) if times else np.zeros(0, np.int64)
    spike_neurons = np.concatenate(neurons) if neurons else np.zeros(0, np.int64)
    order = np.argsort(spike_times, kind='stable')
    return PopulationActivity(
        name=name, n_neurons=n_neurons,
        step=np.array([m[1] for m in kept], dtype=np.int64),
        end_ns=np.array([m[0] for m in kept], dtype=np.int64),
        step_ns=np.array([m[2] for m in kept], dtype=np.int64),
        counts=counts, spike_times_ns=spike_times[order], spike_neurons=spike_neurons[order],
        received=np.array([m[3] for m in kept], dtype=np.int64), duplicates=duplicates)
