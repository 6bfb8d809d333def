"""Lockstep observers: nodes that watch a run take part in its round 0 only.

A recorder or the spike raster is not a lockstep participant (the loop never waits for
it round by round), but a recording started with the run must hold the run's first
messages: ``/clock`` of round 1, the first raster image. So an observer announces round
0 on ``/lockstep/done`` once it is subscribed to what the participants publish, and the
participants do not start round 1 before every observer listed in their
``lockstep_observers`` parameter announced it (at most ``OBSERVER_WAIT_S``; an observer
that never comes up delays the run, it does not stop it; see
:class:`neurobot.lockstep_participant.LockstepParticipant`).

An observer waits for the round-0 announcements of every participant (and, for the
recorder, of the other observers): each lists the topics its node publishes, so once they
are in, the observer knows every topic of the run's first round and checks with its
``is_ready(topics)`` callback that it is subscribed and matched to them.
"""

import time

from neurobot_interfaces.msg import LockstepDone
from rclpy.clock import Clock, ClockType

from neurobot import qos
from neurobot.lockstep_participant import (DONE_TOPIC, OBSERVER_WAIT_S,
                                           declare_lockstep_parameters)

CHECK_PERIOD_S = 0.05  # s, how often an observer checks whether it is ready


def declare_observer_parameters(node):
    """Declare the lockstep parameters an observer reads (``lockstep``, names, lists)."""
    declare_lockstep_parameters(node)


class RoundZeroObserver:
    """Announce round 0 for ``node`` once ``is_ready(topics)`` says it is subscribed.

    Does nothing unless the node's ``lockstep`` parameter is true.

    Args:
        node: an rclpy node whose lockstep parameters are declared
            (:func:`declare_observer_parameters`).
        is_ready: callable(set of absolute topic names the participants and the awaited
            observers publish) -> True when the node is subscribed to those it takes and
            each subscription has matched a publisher.
        own_topics: absolute names of the topics this observer publishes (announced, so
            that the recorder waits for them too).
        wait_for_observers: also wait for the other observers' announcements (the
            recorder records what the raster publishes; the raster waits for nobody).
    """

    def __init__(self, node, is_ready, own_topics=(), wait_for_observers=False):
        self.node = node
        self.announced = False
        self.active = bool(node.get_parameter('lockstep').value)
        if not self.active:
            return
        self.name = node.get_parameter('lockstep_name').value
        value = lambda parameter: [n for n in node.get_parameter(parameter).value if n]  # noqa: E731
        awaited = set(value('lockstep_simulation')) | set(value('lockstep_transfer'))
        if wait_for_observers:
            awaited |= set(value('lockstep_observers'))
        self._awaited = awaited - {self.name}
        self._is_ready = is_ready
        self._own_topics = list(own_topics)
        self._topics = {}  # participant -> topics it announced
        self._deadline = time.monotonic() + OBSERVER_WAIT_S
        self._publisher = node.create_publisher(LockstepDone, DONE_TOPIC, qos.LOCKSTEP)
        self._subscription = node.create_subscription(LockstepDone, DONE_TOPIC, self._on_done,
                                                      qos.LOCKSTEP)
        # on the wall clock: with use_sim_time, ROS time stands still until round 1
        self._timer = node.create_timer(CHECK_PERIOD_S, self._check,
                                        clock=Clock(clock_type=ClockType.STEADY_TIME))

    def _on_done(self, msg):
        if msg.participant in self._awaited and msg.participant not in self._topics:
            self._topics[msg.participant] = list(msg.topics)

    def _check(self):
        if self.announced:
            return
        late = time.monotonic() > self._deadline
        if set(self._topics) >= self._awaited:
            topics = {topic for names in self._topics.values() for topic in names}
            if self._is_ready(topics):
                self._announce()
                return
        if late:
            missing = sorted(self._awaited - set(self._topics))
            self.node.get_logger().warning(
                f'not subscribed to every topic of the run after {OBSERVER_WAIT_S:g} s'
                + (f' (no announcement from {", ".join(missing)})' if missing else '')
                + ': its first messages may be missing')
            self._announce()

    def _announce(self):
        msg = LockstepDone()
        msg.participant = self.name
        msg.round = 0
        msg.topics = self._own_topics
        msg.counts = [0] * len(self._own_topics)
        self._publisher.publish(msg)
        self.announced = True
        self.node.destroy_timer(self._timer)
        self.node.get_logger().info('subscribed to the run: announced lockstep round 0')
