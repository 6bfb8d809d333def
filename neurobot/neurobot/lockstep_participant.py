"""Take part in lockstep rounds from a ROS 2 node (see :mod:`neurobot.lockstep`).

A node creates one :class:`LockstepParticipant`, registers the data topics it reads
(``track_input``) and writes (``track_output``), counts each message it receives or
publishes on them, and gives a ``run_round(round)`` callback that advances its part
(world step, brain step, transfer functions). The participant runs rounds as soon as
the barrier allows, announces them on ``/lockstep/done``, and fails loudly when a round
waits longer than ``timeout_s``: ``failure`` then holds a message naming the round and
what it was waiting for, and :func:`spin_participant` ends the node with status 3
(exceptions raised in callbacks are not reliably propagated by rclpy's executors, so
nothing here relies on them).

The timeout runs on the wall clock (a steady timer, and the spin loop itself), never on
``/clock``: the world publishes ``/clock``, so a world that hangs would otherwise stop
the very clock that should notice it. The message names the participant that holds the
run up (:meth:`neurobot.lockstep.LockstepBarrier.stalled`), not those waiting for it.
"""

import time

from neurobot_interfaces.msg import LockstepDone
from rclpy.clock import Clock, ClockType

from neurobot import qos
from neurobot.lockstep import LockstepBarrier, parse_participants
from neurobot.ownership import launcher_gone, silence_if_orphaned
from neurobot.stamps import time_msg

DONE_TOPIC = '/lockstep/done'
LOCKSTEP_FAILED_EXIT = 3  # exit status: a round waited too long for another participant
FATAL_ERROR_EXIT = 4  # exit status: the node stopped the run on an error (fatal_error)
ERROR_MARK = 'error: '  # '<executable>: error: <why>' on stderr: the launcher quotes it
TIMEOUT_CHECK_S = 0.2  # s, how often a waiting participant checks its timeout
OBSERVER_WAIT_S = 30.0  # s, longest round 1 waits for the observers (mcap_recorder, ...)
SHUTDOWN_GRACE_S = 3.0  # s (wall clock), longest rclpy teardown before a node exits anyway


def spin_participant(node, executor, name: str) -> int:
    """Spin until Ctrl-C/SIGTERM, a lockstep failure or a requested stop; return an exit code.

    The node's main() initialises rclpy without its signal handlers
    (``SignalHandlerOptions.NO``): this loop handles SIGINT and SIGTERM itself and stops
    between callbacks, so a signal never interrupts a callback or the executor mid-wait
    (rclpy's EventsExecutor raises a bare RuntimeError when the context is shut down
    under it).

    Returns:
        0 after a signal, shutdown or ``node.stop_reason``; 3 after a lockstep timeout;
        4 after ``node.fatal_error`` (an error the run cannot go on with).
    """
    import signal
    import sys
    import threading

    import rclpy
    from rclpy.executors import ExternalShutdownException
    # a node's own stop_event (if it has one) lets its blocking calls end on the signal too
    stop = getattr(node, 'stop_event', None) or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    lockstep = getattr(node, '_lockstep', None)
    try:
        while not stop.is_set() and rclpy.ok(context=node.context):
            executor.spin_once(timeout_sec=0.1)
            if lockstep is not None:
                lockstep.check_timeout()  # wall clock, whatever the executor's timers do
                if lockstep.failure:
                    print(f'{name}: {ERROR_MARK}{lockstep.failure}', file=sys.stderr)
                    return LOCKSTEP_FAILED_EXIT
            if getattr(node, 'fatal_error', None):
                print(f'{name}: {ERROR_MARK}{node.fatal_error}', file=sys.stderr)
                return FATAL_ERROR_EXIT
            if getattr(node, 'stop_reason', None):
                print(f'{name}: finished: {node.stop_reason}', file=sys.stderr)
                return 0
            if launcher_gone():  # where no parent-death signal exists (nobody reads stderr)
                stop.set()
                return 0
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        signal.signal(signal.SIGINT, previous[signal.SIGINT])
        # SIGTERM stays handled until the process ends: a killed launcher with several
        # threads sends one per thread that exits (PR_SET_PDEATHSIG fires on each thread
        # the node is reparented to), and a second one must not cut the shutdown short
        # and leave the shared memory behind
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return 0


def run_node(name: str, make_node, args=None, farewell=None, cleanup=None) -> int:
    """The whole life of a neurobot node process; returns its exit code.

    Confines DDS to this machine, initialises rclpy without its signal handlers (see
    :func:`spin_participant`), builds the node (a failure, e.g. a broken brain file,
    prints the Python error with its file:line and returns 1), spins it on an
    EventsExecutor (a C++ event queue: far less overhead per callback than the Python
    executors), and shuts everything down in order. A ROS teardown (executor, node,
    rclpy) that hangs for more than ``SHUTDOWN_GRACE_S`` prints every thread's stack and
    ends the process with status 1; ``farewell``, ``cleanup`` and the interpreter's exit
    are not timed.

    Args:
        name: executable name for messages.
        make_node: callable returning the node.
        args: command-line arguments for rclpy.
        farewell: callable(node) -> str printed on stderr at exit (the context may already
            be shut down, so not on rosout).
        cleanup: callable(node) run before the node is destroyed.
    """
    import faulthandler
    import signal
    import sys
    import threading
    import traceback

    import rclpy
    from rclpy.experimental import EventsExecutor
    from rclpy.signals import SignalHandlerOptions

    from neurobot.dds import configure_local_dds
    # a SIGTERM while the node is being built (a brain can take seconds) ends the node
    # once it is built, in order, instead of killing it half-way (with its shared memory)
    early_stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: early_stop.set())
    configure_local_dds()
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = make_node()
    except Exception:
        traceback.print_exc()
        print(f'{name}: could not start (see the error above)', file=sys.stderr)
        rclpy.try_shutdown()
        return 1
    executor = EventsExecutor()
    executor.add_node(node)
    try:
        code = 0 if early_stop.is_set() else spin_participant(node, executor, name)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # see spin_participant
        silence_if_orphaned()  # nobody reads our output any more: don't die writing it
        # the executor's and rclpy's teardown take well under a second; should one hang
        # (seen once, in CI, after a Ctrl-C while a peer was stopped), faulthandler's own
        # C thread (it needs no GIL) prints every thread's stack and exits with status 1,
        # instead of holding up the launcher until it kills us without saying where
        faulthandler.dump_traceback_later(SHUTDOWN_GRACE_S, exit=True)
        executor.shutdown()  # its own threads must stop before the nodes go
        faulthandler.cancel_dump_traceback_later()  # farewell and cleanup may write files
        if farewell is not None:
            print(f'{name}: {farewell(node)}', file=sys.stderr)
        if cleanup is not None:
            cleanup(node)
        faulthandler.dump_traceback_later(SHUTDOWN_GRACE_S, exit=True)
        node.destroy_node()
        rclpy.try_shutdown()
        # not the interpreter's exit: NEST frees a brain's synapses then (0.5 s for 1e7
        # plastic ones), which grows with the brain
        faulthandler.cancel_dump_traceback_later()
    return code


def declare_lockstep_parameters(node):
    """Declare the lockstep parameters shared by world, brain and transfer-function nodes."""
    from rcl_interfaces.msg import ParameterDescriptor, ParameterType
    node.declare_parameter('lockstep', False, ParameterDescriptor(
        description='Advance in lockstep rounds with the other participants instead of on '
                    '/clock or wall-clock time', read_only=True))
    node.declare_parameter('lockstep_name', node.get_name(), ParameterDescriptor(
        description='This participant\'s name in the lockstep lists', read_only=True))
    node.declare_parameter('lockstep_simulation', ['world', 'brain'], ParameterDescriptor(
        type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True,
        description='Participants of the simulation phase (world, brain)'))
    # [''] rather than []: an empty list would leave the parameter's type undetermined
    node.declare_parameter('lockstep_transfer', [''], ParameterDescriptor(
        type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True,
        description='Participants of the transfer-function phase (synchronous tf_node names)'))
    node.declare_parameter('lockstep_timeout_s', 10.0, ParameterDescriptor(
        description='Seconds a round may wait for another participant before the run fails',
        read_only=True))
    node.declare_parameter('lockstep_startup_timeout_s', 120.0, ParameterDescriptor(
        description='Seconds to wait for every participant to come up', read_only=True))
    node.declare_parameter('lockstep_observers', [''], ParameterDescriptor(
        type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True,
        description='Nodes that take part in round 0 only (mcap_recorder, spike_raster): '
                    'round 1 waits until they are subscribed (see neurobot.round_zero)'))


class LockstepParticipant:
    """One node's part in the lockstep rounds.

    Args:
        node: the rclpy node.
        phase: neurobot.lockstep.SIMULATION or TRANSFER.
        step_ms: round length, ms (for the stamps of the announcements).
        run_round: callable(round) running this node's part of a round.
        callback_group: the group of the node's simulation callbacks (mutually exclusive).
    """

    def __init__(self, node, phase, step_ms, run_round, callback_group=None):
        self.node = node
        name = node.get_parameter('lockstep_name').value
        simulation = [n for n in node.get_parameter('lockstep_simulation').value if n]
        transfer = [n for n in node.get_parameter('lockstep_transfer').value if n]
        self.timeout_s = float(node.get_parameter('lockstep_timeout_s').value)
        self.startup_timeout_s = float(node.get_parameter('lockstep_startup_timeout_s').value)
        self.barrier = LockstepBarrier(name, phase, parse_participants(simulation, transfer))
        self.name = name
        self.step_ns = int(round(step_ms * 1_000_000))
        self.run_round = run_round
        self.next_round = 1
        self.published = {}
        self.compute_ms = 0.0
        self._waiting_since = None
        self._all_up = False  # every participant announced round 0
        self._started = False
        self.failure = None  # the timeout message once a round waited too long
        self._publisher = node.create_publisher(LockstepDone, DONE_TOPIC, qos.LOCKSTEP)
        node.create_subscription(LockstepDone, DONE_TOPIC, self._on_done, qos.LOCKSTEP,
                                 callback_group=callback_group)
        self._wait_for_observers(node, callback_group)
        node.create_timer(TIMEOUT_CHECK_S, self.check_timeout, callback_group=callback_group,
                          clock=Clock(clock_type=ClockType.STEADY_TIME))

    # ------------------------------------------------------------------ topics

    def track_input(self, subscription):
        """Count messages on a data topic this node reads from other participants."""
        self.barrier.add_input_topic(subscription.topic_name)

    def track_output(self, publisher):
        """Announce message counts of a data topic this node writes."""
        self.published.setdefault(publisher.topic_name, 0)

    def received(self, topic_name: str):
        """Call from an input callback after storing the message."""
        self.barrier.on_message(topic_name)
        self.poll()

    def sent(self, topic_name: str):
        """Call after publishing on a tracked output topic."""
        if topic_name in self.published:
            self.published[topic_name] += 1

    # ------------------------------------------------------------------ rounds

    def start(self):
        """Announce that this participant is up (round 0); rounds begin when all are."""
        self._started = True
        self._announce(0)
        self._waiting_since = time.monotonic()
        self.poll()

    def _on_done(self, msg):
        if msg.participant in self.observers:
            self.observers.discard(msg.participant)
            self.poll()
            return
        if msg.participant == self.name:
            return
        self.barrier.on_done(msg.participant, msg.round, dict(zip(msg.topics, msg.counts)),
                             msg.compute_ms)
        self.poll()

    def poll(self):
        """Run every round that is ready now."""
        while (self._started and not self.failure and self._observers_in()
               and self.barrier.ready_for(self.next_round)):
            round_ = self.next_round
            start = time.perf_counter()
            self.run_round(round_)
            self.compute_ms = (time.perf_counter() - start) * 1e3
            self.barrier.finish(round_)
            self.next_round += 1
            self._announce(round_)
            self._waiting_since = time.monotonic()

    # ------------------------------------------------------------------ observers

    def _wait_for_observers(self, node, callback_group):
        """Make round 1 wait for the observers' round 0 (neurobot.round_zero).

        At most OBSERVER_WAIT_S after every participant is up; then the run starts
        without them.
        """
        from rclpy.clock import Clock as SteadyClock, ClockType as SteadyType
        self.observers = {n for n in node.get_parameter('lockstep_observers').value
                          if n and n != self.name}
        self._observer_deadline = None
        self._observer_timer = None
        if self.observers:  # polls past the deadline (on the wall clock, not /clock)
            self._observer_timer = node.create_timer(
                TIMEOUT_CHECK_S, self.poll, callback_group=callback_group,
                clock=SteadyClock(clock_type=SteadyType.STEADY_TIME))

    def _observers_in(self) -> bool:
        if not self.observers or self.next_round > 1 or not self.barrier.everyone_ready():
            if self._observer_timer is not None and (not self.observers or self.next_round > 1):
                self.node.destroy_timer(self._observer_timer)
                self._observer_timer = None
            return True
        now = time.monotonic()
        if self._observer_deadline is None:
            self._observer_deadline = now + OBSERVER_WAIT_S
        if now > self._observer_deadline:
            self.node.get_logger().warning(
                f'starting without {", ".join(sorted(self.observers))}: not subscribed after '
                f'{OBSERVER_WAIT_S:g} s (the run goes on; its first messages may be missing '
                f'from a recording)')
            self.observers.clear()
            return True
        self._waiting_since = now  # this wait is bounded by OBSERVER_WAIT_S, not the timeout
        return False

    def _announce(self, round_):
        msg = LockstepDone()
        msg.participant = self.name
        msg.round = round_
        end_ns = round_ * self.step_ns
        msg.stamp = time_msg(end_ns)
        msg.compute_ms = self.compute_ms
        msg.topics = list(self.published)
        msg.counts = list(self.published.values())
        self._publisher.publish(msg)

    def check_timeout(self):
        """Set ``failure`` when the next round waited longer than the timeout (wall clock)."""
        if not self._started or self._waiting_since is None or self.failure:
            return
        if not self._all_up and self.barrier.everyone_ready():
            # the round timeout counts from the moment the last participant came up
            self._all_up = True
            self._waiting_since = time.monotonic()
        limit = self.timeout_s if self._all_up else self.startup_timeout_s
        waited = time.monotonic() - self._waiting_since
        if waited > limit:
            self.failure = (f'lockstep: {self.name} waited {waited:.1f} s for round '
                            f'{self.next_round}: {self.barrier.waiting_for(self.next_round)}')
            self.node.get_logger().error(self.failure)
