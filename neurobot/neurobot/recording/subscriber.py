"""Subscribe raw (serialized CDR, no deserialisation) to the selected topics of a ROS graph.

Shared by the ``mcap_recorder`` and ``live_view`` nodes. The graph is scanned at start and
every ``scan_period_s``: a selected topic is subscribed as soon as it has a publisher,
with a QoS matching all its publishers (:func:`.topics.subscription_policy`) and a deep
queue, so topics that appear later (``ros2 bag record -a`` style) are taken too.
"""

from functools import partial

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

from neurobot.recording.ros_types import message_class, message_definition
from neurobot.recording.topics import (Offer, TopicSelection, offered_qos_profiles,
                                       subscription_policy)

DEFAULT_DEPTH = 1000  # messages queued per topic while the node is busy


def profile_of(endpoint_info) -> dict:
    """A publisher's QoS, as :func:`neurobot.recording.topics.offered_qos_profiles` takes it."""
    profile = endpoint_info.qos_profile
    return {'history': profile.history.name.lower(), 'depth': profile.depth,
            'reliability': profile.reliability.name.lower(),
            'durability': profile.durability.name.lower(),
            'liveliness': profile.liveliness.name.lower(),
            'deadline_ns': profile.deadline.nanoseconds,
            'lifespan_ns': profile.lifespan.nanoseconds,
            'liveliness_lease_duration_ns': profile.liveliness_lease_duration.nanoseconds,
            'avoid_ros_namespace_conventions': profile.avoid_ros_namespace_conventions}


def offer_of(endpoint_info) -> Offer:
    """The :class:`Offer` of a publisher from ``Node.get_publishers_info_by_topic``."""
    profile = endpoint_info.qos_profile
    return Offer(reliable=profile.reliability == ReliabilityPolicy.RELIABLE,
                 transient_local=profile.durability == DurabilityPolicy.TRANSIENT_LOCAL)


class TopicSubscriber:
    """Raw subscriptions to every selected topic that has a publisher.

    Args:
        node: the rclpy node.
        selection: a :class:`neurobot.recording.topics.TopicSelection`.
        on_topic: callable(topic, type_name, definition, offered_qos) called once per topic
            before its first message (``definition`` is the ``ros2msg`` schema text,
            ``offered_qos`` the publishers' QoS as rosbag2's ``offered_qos_profiles`` YAML).
        on_message: callable(topic, data: bytes). No rclpy MessageInfo: rclpy 9's
            EventsExecutor fails on callbacks that take one (SystemError), and that
            executor's low cost per message matters more here than the source timestamp.
        scan_period_s: seconds between two scans of the graph.
        depth: queue depth of each subscription.
    """

    def __init__(self, node, selection, on_topic, on_message, scan_period_s=1.0,
                 depth=DEFAULT_DEPTH):
        self.node = node
        self.selection = selection
        self.types = {}  # topic -> type name, for every subscribed topic
        self._on_topic = on_topic
        self._on_message = on_message
        self._depth = int(depth)
        self._subscriptions = {}
        self._skipped = set()  # topics that cannot be taken (reported once)
        self._definitions = {}  # type name -> ros2msg text
        self._timer = node.create_timer(scan_period_s, self.scan)
        self.scan()

    def scan(self):
        """Subscribe to every selected topic that has a publisher and no subscription yet."""
        if self._timer is None:
            return
        for topic, types in self.node.get_topic_names_and_types():
            if (topic in self._subscriptions or topic in self._skipped
                    or not self.selection.wants(topic)):
                continue
            if len(types) != 1:
                self._skip(topic, f'it has several types {types}')
                continue
            publishers = self.node.get_publishers_info_by_topic(topic)
            if not publishers:
                continue  # only subscribers so far: the type may still change
            self._subscribe(topic, types[0], publishers)

    def _subscribe(self, topic, type_name, publishers):
        try:
            msg_class = message_class(type_name)
            if type_name not in self._definitions:
                self._definitions[type_name] = message_definition(type_name)
        except (ValueError, OSError) as error:
            self._skip(topic, str(error))
            return
        policy = subscription_policy(offer_of(p) for p in publishers)
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST, depth=self._depth,
            reliability=(ReliabilityPolicy.RELIABLE if policy.reliable
                         else ReliabilityPolicy.BEST_EFFORT),
            durability=(DurabilityPolicy.TRANSIENT_LOCAL if policy.transient_local
                        else DurabilityPolicy.VOLATILE))
        self._on_topic(topic, type_name, self._definitions[type_name],
                       offered_qos_profiles([profile_of(p) for p in publishers]))
        self._subscriptions[topic] = self.node.create_subscription(
            msg_class, topic, partial(self._on_message, topic), qos, raw=True)
        self.types[topic] = type_name
        self.node.get_logger().info(
            f'subscribed to {topic} [{type_name}] '
            f'({"reliable" if policy.reliable else "best effort"}, '
            f'{"transient local" if policy.transient_local else "volatile"})')

    def matched(self, topic) -> bool:
        """True when ``topic`` is subscribed and matched to a publisher, or cannot be taken."""
        if topic in self._skipped:
            return True
        subscription = self._subscriptions.get(topic)
        return subscription is not None and subscription.get_publisher_count() > 0

    def _skip(self, topic, reason):
        self._skipped.add(topic)
        self.node.get_logger().warning(f'not taking {topic}: {reason}')

    def stop(self):
        """Destroy every subscription and stop scanning."""
        if self._timer is not None:
            self.node.destroy_timer(self._timer)
            self._timer = None
        for subscription in self._subscriptions.values():
            self.node.destroy_subscription(subscription)
        self._subscriptions.clear()


def declare_topic_parameters(node, what: str):
    """Declare ``topics``, ``exclude``, ``scan_period_s`` and ``queue_depth``.

    Args:
        node: the recorder or live-view node.
        what: the verb for the descriptions ('record', 'stream').
    """
    array = dict(type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True)
    # [''] rather than []: an empty list would leave the parameter's type undetermined
    node.declare_parameter('topics', [''], ParameterDescriptor(
        description=f'Topics to {what}; empty: every topic with a publisher (except '
                    'hidden ones), re-scanned every scan_period_s', **array))
    node.declare_parameter('exclude', [''], ParameterDescriptor(
        description='Topics (names or regular expressions matching the whole absolute '
                    f'name, e.g. /brain/.*/rate_hz) never to {what}', **array))
    node.declare_parameter('scan_period_s', 1.0, ParameterDescriptor(
        description='Seconds between two looks for new topics', read_only=True,
        floating_point_range=[FloatingPointRange(from_value=0.05, to_value=60.0)]))
    node.declare_parameter('queue_depth', DEFAULT_DEPTH, ParameterDescriptor(
        description='Messages queued per topic while the node is busy', read_only=True,
        integer_range=[IntegerRange(from_value=1, to_value=100000)]))


def topic_selection(node) -> TopicSelection:
    """The :class:`TopicSelection` of the node's ``topics``/``exclude`` parameters."""
    return TopicSelection(node.get_parameter('topics').value,
                          node.get_parameter('exclude').value)


def make_subscriber(node, on_topic, on_message) -> TopicSubscriber:
    """A :class:`TopicSubscriber` set up from the node's topic parameters.

    The parameters are those of :func:`declare_topic_parameters`.
    """
    return TopicSubscriber(node, topic_selection(node), on_topic, on_message,
                           scan_period_s=node.get_parameter('scan_period_s').value,
                           depth=node.get_parameter('queue_depth').value)
