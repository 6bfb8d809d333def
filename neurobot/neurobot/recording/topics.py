"""Which topics a recorder or live view takes, and with which QoS it subscribes.

Pure logic (no rclpy): :class:`TopicSelection` turns the ``topics``/``exclude``
parameters into a yes/no per topic name; :func:`subscription_policy` picks reliability
and durability that match every publisher of a topic, as ``ros2 bag record`` does;
:func:`offered_qos_profiles` writes the publishers' QoS as rosbag2 stores it with each
channel, so ``ros2 bag play`` offers the same QoS (latched topics stay latched).
"""

from dataclasses import dataclass
import re


def absolute_topic(name: str) -> str:
    """``scan`` -> ``/scan`` (recorders run in the root namespace)."""
    name = str(name).strip()
    return name if name.startswith('/') else '/' + name


def is_hidden(topic: str) -> bool:
    """A hidden topic (a name part starting with '_'), left out of 'record everything'."""
    return any(part.startswith('_') for part in topic.split('/') if part)


class TopicSelection:
    """The topics to take.

    Args:
        topics: topic names; empty (or only empty strings) = every topic that has a
            publisher, except hidden ones.
        exclude: topic names or regular expressions (matched against the whole absolute
            name, e.g. ``/brain/.*/rate_hz``); an excluded topic is never taken, even when
            listed in ``topics``.

    Raises:
        ValueError: an exclude entry that is not a valid regular expression.
    """

    def __init__(self, topics=(), exclude=()):
        self.topics = {absolute_topic(t) for t in topics if str(t).strip()}
        self._exclude = []
        for entry in exclude:
            entry = str(entry).strip()
            if not entry:
                continue
            if not entry.startswith('/') and not any(c in entry for c in '.*+?[](){}|\\^$'):
                entry = '/' + entry  # a plain relative name, like the topics list
            try:
                self._exclude.append(re.compile(entry))
            except re.error as error:
                raise ValueError(f'exclude entry {entry!r} is neither a topic name nor a valid '
                                 f'regular expression: {error}') from None

    @property
    def everything(self) -> bool:
        return not self.topics

    def wants(self, topic: str) -> bool:
        """True when ``topic`` (an absolute name) is to be taken."""
        if any(pattern.fullmatch(topic) for pattern in self._exclude):
            return False
        if self.everything:
            return not is_hidden(topic)
        return topic in self.topics


@dataclass(frozen=True)
class Offer:
    """What one publisher offers: reliable or best effort, transient local or volatile."""

    reliable: bool
    transient_local: bool


def subscription_policy(offers) -> Offer:
    """Reliability and durability for a subscription that matches every given publisher.

    Reliable only if every publisher is reliable (a reliable subscription does not match
    a best-effort publisher); transient local only if every publisher keeps its history
    for late joiners (a transient-local subscription does not match a volatile one), so
    that lockstep topics are recorded from their first message even when the recorder
    subscribes after it was published.

    Raises:
        ValueError: no publisher (nothing to match yet).
    """
    offers = list(offers)
    if not offers:
        raise ValueError('subscription_policy needs at least one publisher offer')
    return Offer(reliable=all(o.reliable for o in offers),
                 transient_local=all(o.transient_local for o in offers))


INFINITE_DURATION_NS = 9_223_372_036_854_775_807  # rmw's RMW_DURATION_INFINITE


def _duration_yaml(nanoseconds: int, indent: str) -> str:
    nanoseconds = min(int(nanoseconds), INFINITE_DURATION_NS)
    return (f'{indent}  sec: {nanoseconds // 1_000_000_000}\n'
            f'{indent}  nsec: {nanoseconds % 1_000_000_000}\n')


def offered_qos_profiles(profiles) -> str:
    """The ``offered_qos_profiles`` channel metadata rosbag2 writes (format version 9).

    Args:
        profiles: one dict per publisher with ``history``, ``reliability``,
            ``durability``, ``liveliness`` (rmw's policy names: 'keep_last', 'reliable',
            'transient_local', 'automatic', ...), ``depth`` and the durations
            ``deadline_ns``, ``lifespan_ns``, ``liveliness_lease_duration_ns``, and
            ``avoid_ros_namespace_conventions``.

    Returns:
        The YAML sequence yaml-cpp's ``YAML::Dump`` gives rosbag2 (``[]`` for none).
    """
    if not profiles:
        return '[]'
    text = ''
    for p in profiles:
        text += (f'- history: {p["history"]}\n'
                 f'  depth: {int(p["depth"])}\n'
                 f'  reliability: {p["reliability"]}\n'
                 f'  durability: {p["durability"]}\n'
                 f'  deadline:\n{_duration_yaml(p["deadline_ns"], "  ")}'
                 f'  lifespan:\n{_duration_yaml(p["lifespan_ns"], "  ")}'
                 f'  liveliness: {p["liveliness"]}\n'
                 f'  liveliness_lease_duration:\n'
                 f'{_duration_yaml(p["liveliness_lease_duration_ns"], "  ")}'
                 f'  avoid_ros_namespace_conventions: '
                 f'{"true" if p["avoid_ros_namespace_conventions"] else "false"}\n')
    return text.rstrip('\n')
