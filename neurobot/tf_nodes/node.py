"""tf_node: runs the transfer functions of one or more user files as a ROS 2 node.

Parameters:
    transfer_functions (string[]): paths of the user files (read-only).
    any other (e.g. maze, seed): passed to the functions as the ``params`` dict.
    brain_namespace (str, ''): namespace of brain_node's services.
    world_namespace (str, ''): namespace of world_node's services.
    lockstep, lockstep_* : take part in lockstep rounds (transfer phase); see
        neurobot.lockstep_participant.
    use_sim_time: the time ``t`` passed to functions outside lockstep.
    input_timeout_s (float, 1.0): wall-clock age after which a required input is stale
        outside lockstep (see tf_nodes.api: fail safe).
    max_consecutive_failures (int, 5): a function failing this often in a row ends the
        run (exit status 4) with its last traceback; 0: never.

Every user file can also run in its own process: start one tf_node per file.
Service helpers (``brain``, ``world``) block the calling function without deadlocking:
their clients live on a companion node spun by its own executor in a background thread,
while the transfer functions run on a single-threaded events executor (which keeps the
per-message overhead low enough for sub-millisecond lockstep rounds).
"""

import json
import sys
import threading
import time

import numpy as np
import rclpy
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)

from neurobot import qos
from neurobot.lockstep import TRANSFER
from neurobot.lockstep_participant import (LockstepParticipant, declare_lockstep_parameters,
                                           run_node)
from tf_nodes.runner import TransferFunctionRunner, load_transfer_functions

SERVICE_TIMEOUT_S = 60.0  # s, a brain or world service call that takes longer fails
INPUT_CHECK_S = 0.1  # s (wall clock), how often required inputs are checked
FIRST_WAIT_REPORT_S = 2.0  # s (wall clock) after start, the first 'waiting for' message
WAIT_REPORT_S = 5.0  # s (wall clock), a missing or stale input is reported again
SAFE_REPEAT_S = 0.5  # s (wall clock), safe messages (stop commands) repeated while held
BRAIN_CHECK_S = 0.5  # s (wall clock), how often the brain is looked for at start


class ServiceError(RuntimeError):
    """A brain or world service answered success=false (the message says why)."""


class ServiceNode:
    """A companion node for service clients, spun in a background thread.

    A transfer function runs inside the main executor's callback; a blocking service
    call there needs another thread to take the response, which this one is.
    """

    def __init__(self, main_node):
        # use_global_arguments=False: a command-line '__node:=' remap would otherwise
        # rename this node too, giving two nodes of the same name
        self.node = rclpy.create_node(f'{main_node.get_name()}_services',
                                      namespace=main_node.get_namespace(),
                                      context=main_node.context, use_global_arguments=False)
        self._executor = SingleThreadedExecutor(context=main_node.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._spin, name='service-clients', daemon=True)
        self._thread.start()

    def _spin(self):
        try:
            self._executor.spin()
        except Exception:  # the context is shut down when the node stops
            pass

    def destroy(self):
        self._executor.shutdown(timeout_sec=1.0)
        self._thread.join(timeout=2.0)
        self.node.destroy_node()


class _ServiceHelper:
    """Blocking service calls for transfer functions that never take tf_node down.

    Every failure is a :class:`ServiceError` raised into the calling function (and counted
    like any error of it): a service that answers success=false, is not there, goes away
    before answering (its node exited) or does not answer in time. The wait also ends
    at once when the node is asked to stop (Ctrl-C, SIGTERM, its launcher gone), so a
    call to a node that already exited never holds up the shutdown.
    """

    POLL_S = 0.05  # s, how often a waiting call checks for a stop and a vanished service

    def __init__(self, service_node, namespace, stop_event=None, timeout_s=SERVICE_TIMEOUT_S,
                 on_timeout=None):
        self._node = service_node.node
        self._prefix = namespace.rstrip('/') + '/' if namespace else ''
        self._clients = {}
        self._stop = stop_event or threading.Event()
        self.timeout_s = timeout_s
        self._on_timeout = on_timeout  # callable(service name, seconds) on a timeout

    def _check(self, client, deadline, what):
        if self._stop.is_set():
            raise ServiceError(f'{client.srv_name}: not answered, the node is stopping')
        if time.monotonic() > deadline:
            if self._on_timeout is not None:
                self._on_timeout(client.srv_name, self.timeout_s)
            raise ServiceError(f'service {client.srv_name} {what} within '
                               f'{self.timeout_s:g} s')

    def _call(self, srv_type, name, request):
        client = self._clients.get(name)
        if client is None:
            client = self._node.create_client(srv_type, self._prefix + name)
            self._clients[name] = client
        deadline = time.monotonic() + self.timeout_s
        while not client.service_is_ready():
            self._check(client, deadline, 'is not available')
            self._stop.wait(self.POLL_S)
        answered = threading.Event()
        future = client.call_async(request)
        future.add_done_callback(lambda _: answered.set())
        try:
            # wakes as soon as the answer arrives; checks for a stop or a vanished service
            # in between
            while not answered.wait(self.POLL_S) and not future.done():
                self._check(client, deadline, 'did not answer')
                if not client.service_is_ready():
                    raise ServiceError(f'service {client.srv_name} went away before answering '
                                       f'(did its node exit?)')
        except ServiceError:
            client.remove_pending_request(future)
            raise
        response = future.result()
        if response is None:
            raise ServiceError(f'service {client.srv_name} gave no answer')
        if hasattr(response, 'success') and not response.success:
            raise ServiceError(f'{client.srv_name}: {response.message}')
        return response


class BrainClient(_ServiceHelper):
    """The ``brain`` argument of transfer functions: brain_node's services."""

    def reset(self, restore_weights: bool = False, scope: str = '') -> str:
        """Reset the brain (see reset_brain); returns the service's message.

        Args:
            restore_weights: also restore the initial weights (scope 'weights').
            scope: 'neurons' (plastic synapses keep their traces: learning within an
                episode survives), 'synapses' (the default) or 'weights'.
        """
        from neurobot_interfaces.srv import ResetBrain
        return self._call(ResetBrain, 'reset_brain',
                          ResetBrain.Request(restore_weights=restore_weights,
                                             scope=scope)).message

    def get_weights(self, projection: str) -> np.ndarray:
        """Return the projection's dense (pre x post) weights, NaN where unconnected."""
        from neurobot_interfaces.srv import GetWeights
        response = self._call(GetWeights, 'get_weights', GetWeights.Request(projection=projection))
        return np.asarray(response.weights).reshape(response.rows, response.cols)

    def set_weights(self, projection: str, weights) -> int:
        """Write a dense (pre x post) weight matrix; returns the number of synapses written."""
        from neurobot_interfaces.srv import SetWeights
        matrix = np.asarray(weights, dtype=np.float64)
        if matrix.ndim != 2:
            raise ValueError(f'weights must be a 2-D (pre x post) matrix, '
                             f'got shape {matrix.shape}')
        request = SetWeights.Request(projection=projection, rows=matrix.shape[0],
                                     cols=matrix.shape[1], weights=matrix.ravel())
        return self._call(SetWeights, 'set_weights', request).written

    def set_synapse_properties(self, projection: str, properties: dict) -> str:
        """Set common properties of a projection's NEST synapse model; returns what was set.

        For rule constants shared by every synapse of the model, e.g.
        ``{'A_plus': 0, 'A_minus': 0}`` switches a dopamine rule's learning off (every
        projection on the same synapse model changes too). The brain uses them from its
        next step on; in lockstep, from the next round.

        Args:
            projection: projection name as listed by describe_brain.
            properties: property -> number (numpy scalars too); weights and delays are
                refused (they go through set_weights).

        Raises:
            ServiceError: the brain refused (unknown projection or property, a per-synapse
                property, a non-finite number); nothing was set.
        """
        from neurobot_interfaces.srv import SetSynapseProperties
        request = SetSynapseProperties.Request(projection=projection,
                                               properties=json.dumps(properties, default=float))
        return self._call(SetSynapseProperties, 'set_synapse_properties', request).message


class WorldClient(_ServiceHelper):
    """The ``world`` argument of transfer functions: world_node's services."""

    def reset(self) -> str:
        """Reset the world (robot back at its start, trajectory cleared; time keeps running)."""
        from neurobot_interfaces.srv import ResetWorld
        return self._call(ResetWorld, 'reset_world', ResetWorld.Request()).message

    def place_robot(self, cell=None, yaw_rad: float = 0.0):
        """Place the robot at ``cell`` (row, col), or at a random start cell; returns the cell."""
        from neurobot_interfaces.srv import PlaceRobot
        request = PlaceRobot.Request(random=cell is None, yaw_rad=float(yaw_rad))
        if cell is not None:
            request.row, request.col = int(cell[0]), int(cell[1])
        response = self._call(PlaceRobot, 'place_robot', request)
        return response.row, response.col


class TransferFunctionNode(Node):
    """Runs transfer functions (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('tf_node', **kwargs)
        self.declare_parameter('transfer_functions', [''], ParameterDescriptor(
            type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True,
            description='Paths of the transfer-function files'))
        self.declare_parameter('brain_namespace', '', ParameterDescriptor(
            description="Namespace of brain_node's services", read_only=True))
        self.declare_parameter('world_namespace', '', ParameterDescriptor(
            description="Namespace of world_node's services", read_only=True))
        self.declare_parameter('step_ms', 20.0, ParameterDescriptor(
            description='Lockstep round length, ms (the same for every participant)',
            read_only=True))
        self.declare_parameter('input_timeout_s', 1.0, ParameterDescriptor(
            description='Wall-clock seconds after which a required input (e.g. odom) is '
                        'stale outside lockstep: its functions pause and safe messages '
                        '(stop commands) are published', read_only=True,
            floating_point_range=[FloatingPointRange(from_value=0.01, to_value=3600.0)]))
        self.declare_parameter('max_consecutive_failures', 5, ParameterDescriptor(
            description='A transfer function failing this often in a row ends the run '
                        '(0: never)', read_only=True,
            integer_range=[IntegerRange(from_value=0, to_value=1_000_000, step=1)]))
        declare_lockstep_parameters(self)
        # Any other parameter given to the node (e.g. maze, seed) is the user's
        # configuration: declare it as given and offer it to functions as `params`.
        for name, parameter in self._parameter_overrides.items():
            if not self.has_parameter(name):
                self.declare_parameter(name, parameter.value)
        paths = [p for p in self.get_parameter('transfer_functions').value if p]
        if not paths:
            raise ValueError('parameter transfer_functions is empty: give the path(s) of '
                             'transfer-function files')
        specs = load_transfer_functions(paths)
        self._group = MutuallyExclusiveCallbackGroup()
        self.service_node = ServiceNode(self)
        # set on Ctrl-C/SIGTERM (spin_participant): blocking service calls give up at once
        self.stop_event = threading.Event()
        self.lockstep = bool(self.get_parameter('lockstep').value)
        # in lockstep a service that does not answer holds up the whole round: give up after
        # the round timeout and name the participant (see _service_timed_out)
        service_timeout_s = float(self.get_parameter('lockstep_timeout_s').value) \
            if self.lockstep else SERVICE_TIMEOUT_S
        self.runner = TransferFunctionRunner(specs, context={
            'brain': BrainClient(self.service_node, self.get_parameter('brain_namespace').value,
                                 self.stop_event, service_timeout_s,
                                 lambda srv, s: self._service_timed_out('brain', srv, s)),
            'world': WorldClient(self.service_node, self.get_parameter('world_namespace').value,
                                 self.stop_event, service_timeout_s,
                                 lambda srv, s: self._service_timed_out('world', srv, s)),
            'log': self.get_logger(),
            'stop': self._request_stop,
            'params': {name: parameter.value for name, parameter in self._parameters.items()}})
        self.stop_reason = None  # set by a function's stop(); main() then ends the node
        self.fatal_error = None  # set when the run must stop on an error (exit status 4)
        self.max_failures = int(self.get_parameter('max_consecutive_failures').value)
        if not self.lockstep:  # in lockstep, rounds pace time: inputs only need to arrive
            self.runner.max_input_age_s = float(self.get_parameter('input_timeout_s').value)
        self._error_kinds = {}  # (function, last traceback line) -> occurrences
        step_ms = float(self.get_parameter('step_ms').value)
        self._step_ns = int(round(step_ms * 1e6))
        self._round_ns = 0
        self._lockstep = None
        if self.lockstep:
            self._lockstep = LockstepParticipant(self, TRANSFER, step_ms, self._run_round,
                                                 self._group)
        data_qos = qos.LOCKSTEP_DATA if self.lockstep else qos.RELIABLE
        self._output_publishers = {}
        for topic, msg_type in self.runner.output_topics.items():
            publisher = self.create_publisher(msg_type, topic, data_qos)
            self._output_publishers[topic] = publisher
            if self._lockstep is not None:
                self._lockstep.track_output(publisher)
        self._input_subscriptions = {}
        for topic, (msg_type, qos_name) in self.runner.input_topics.items():
            sensor = qos_name == 'sensor' or (qos_name == 'robot' and not self.lockstep)
            profile = qos.SENSOR if sensor else data_qos
            subscription = self.create_subscription(
                msg_type, topic, lambda msg, topic=topic: self._on_message(topic, msg),
                profile, callback_group=self._group)
            self._input_subscriptions[topic] = subscription
            if self._lockstep is not None and qos_name != 'sensor':
                self._lockstep.track_input(subscription)
        self._started_s = time.monotonic()
        self._reported = {}  # (topic, missing?) -> wall time of the last report
        self._last_safe_s = float('-inf')
        self._held = False
        self._start_brain_check()
        if any(f.required for f in self.runner.functions):
            # wall clock: odometry that stops must stop the robot whatever /clock does
            self.create_timer(INPUT_CHECK_S, self._check_inputs, callback_group=self._group,
                              clock=Clock(clock_type=ClockType.STEADY_TIME))
        if self._lockstep is not None:
            self._lockstep.start()
        self.get_logger().info(
            f'transfer functions {", ".join(s.name for s in specs)} from {", ".join(paths)}; '
            f'{"lockstep as " + repr(self._lockstep.name) if self.lockstep else "on arrival"}')

    def _request_stop(self, reason='done'):
        self.stop_reason = str(reason)

    def _now_ns(self) -> int:
        if self.lockstep:
            return self._round_ns
        return self.get_clock().now().nanoseconds

    def _on_message(self, topic, msg):
        self.runner.on_message(topic, msg)
        # asynchronous functions (and every function outside lockstep) run on arrival
        self._publish(self.runner.run_pending(self._now_ns(),
                                              synchronous=False if self.lockstep else None))
        if self._lockstep is not None:
            self._lockstep.received(self._input_subscriptions[topic].topic_name)

    def _run_round(self, round_: int):
        self._round_ns = round_ * self._step_ns
        if self.fatal_error is None:
            self._publish(self.runner.run_pending(self._round_ns, synchronous=True))

    def _publish(self, calls):
        for call in calls:
            if call.error is not None:
                self._report_error(call)
                continue
            self._publish_outputs(call.outputs)

    def _publish_outputs(self, outputs):
        for topic, msg in outputs:
            publisher = self._output_publishers[topic]
            publisher.publish(msg)
            if self._lockstep is not None:
                self._lockstep.sent(publisher.topic_name)

    def _service_timed_out(self, owner, service, seconds):
        """Fail the run naming a participant whose service did not answer in time.

        In lockstep the call holds up the round, so a service that does not answer within
        the round timeout means its participant hangs, as a round timeout would.
        """
        lockstep = self._lockstep
        if lockstep is None or lockstep.failure or owner not in lockstep.barrier.others:
            return
        lockstep.failure = (f'lockstep: {lockstep.name} waited {seconds:.1f} s in round '
                            f'{lockstep.next_round} for {service}: no answer from {owner} '
                            f'(its service did not answer; it hangs or was stopped)')
        self.get_logger().error(lockstep.failure)

    def _start_brain_check(self):
        """Once the brain is up, check it has what the functions use (describe_brain)."""
        populations, projections = self.runner.brain_requirements()
        self._describe_future = None
        if not populations and not projections:
            return
        from neurobot_interfaces.srv import DescribeBrain
        namespace = self.get_parameter('brain_namespace').value
        prefix = namespace.rstrip('/') + '/' if namespace else ''
        self._describe_client = self.service_node.node.create_client(
            DescribeBrain, prefix + 'describe_brain')
        self._describe_request = DescribeBrain.Request()
        self._brain_timer = self.create_timer(BRAIN_CHECK_S, self._check_brain,
                                              callback_group=self._group,
                                              clock=Clock(clock_type=ClockType.STEADY_TIME))

    def _check_brain(self):
        if self._describe_future is None:
            if self._describe_client.service_is_ready():
                self._describe_future = self._describe_client.call_async(self._describe_request)
            return
        if not self._describe_future.done():
            return
        self.destroy_timer(self._brain_timer)
        response = self._describe_future.result()
        if response is None or not response.success:
            self.get_logger().warning('describe_brain failed; the brain is not checked: '
                                      f'{getattr(response, "message", "no answer")}')
            return
        # Rates / Currents outputs are checked against these sizes from now on
        self.runner.population_sizes = {p.name: int(p.size) for p in response.populations}
        problems = self.runner.check_brain(
            {p.name: (p.recorded, p.input_kind, p.cell_type) for p in response.populations},
            {p.name for p in response.projections})
        if problems:
            have_pops = ', '.join(p.name for p in response.populations) or 'none'
            have_projs = ', '.join(p.name for p in response.projections) or 'none'
            self.fatal_error = (f'the brain {response.brain} lacks what the transfer functions '
                                f'need: {"; ".join(problems)}. It has populations {have_pops}; '
                                f'projections {have_projs}')
        else:
            self.get_logger().info(f'the brain {response.brain} has what the transfer '
                                   f'functions need')

    def _report_error(self, call):
        """Log a failed call (a repeated error in one line) and end the run when it must."""
        if self.stop_event.is_set():
            return  # a service call cut short by the stop: not the function's fault
        last_line = call.error.strip().splitlines()[-1]
        kind = (call.name, last_line)
        seen = self._error_kinds[kind] = self._error_kinds.get(kind, 0) + 1
        if call.setup_failed:
            pass  # the run stops below with the traceback in its message
        elif seen == 1:
            self.get_logger().error(f'transfer function {call.name} raised; its outputs for '
                                    f'this call are skipped:\n{call.error}')
        elif seen <= 3 or seen & (seen - 1) == 0:  # then at 4, 8, 16, ... occurrences
            self.get_logger().error(f'transfer function {call.name} raised again ({seen} '
                                    f'times so far): {last_line}')
        if self.fatal_error is not None:
            return
        if call.setup_failed:
            self.fatal_error = (f'the setup of transfer function {call.name} failed; the run '
                                f'stops (it cannot be called without it). Error:\n'
                                f'{call.error.rstrip()}')
        elif call.fatal:
            self.fatal_error = (f'transfer function {call.name} cannot write its files: '
                                f'{last_line}; the run stops (free space or fix the path, '
                                f'then resume)')
        elif self.max_failures and call.consecutive_failures >= self.max_failures:
            self.fatal_error = (f'transfer function {call.name} failed {call.consecutive_failures}'
                                f' times in a row (max_consecutive_failures); the run stops. '
                                f'Last error:\n{call.error.rstrip()}')

    def _topic_label(self, declared: str) -> str:
        """'/robot1/odom (remapped from odom)': the topic a user has to check."""
        subscription = self._input_subscriptions.get(declared)
        resolved = subscription.topic_name if subscription is not None else declared
        expanded = self.resolve_topic_name(declared, only_expand=True)
        return resolved if resolved == expanded else f'{resolved} (remapped from {declared})'

    def _check_inputs(self):
        """Wall-clock watchdog of required inputs: report them, publish safe messages."""
        problems = self.runner.input_problems()
        now = time.monotonic()
        if not problems:
            if self._held:
                self._held = False
                self._reported.clear()
                self.get_logger().info('required inputs are fresh again: transfer functions '
                                       'resume')
            return
        self._held = True
        safe = self.runner.safe_outputs() if not self.lockstep else []
        if safe and now - self._last_safe_s >= SAFE_REPEAT_S:
            self._last_safe_s = now
            self._publish_outputs(safe)
        if now - self._started_s < FIRST_WAIT_REPORT_S:
            return
        if self._lockstep is not None and self._lockstep.next_round <= 1:
            return  # in lockstep the world publishes its sensors from round 1 on
        stops = ', '.join(self._output_publishers[t].topic_name for t, _ in safe)
        then = f'; publishing stop messages on {stops}' if stops else ''
        for problem in problems:
            key = (problem.topic, problem.age_s is None)
            if now - self._reported.get(key, float('-inf')) < WAIT_REPORT_S:
                continue
            self._reported[key] = now
            label = self._topic_label(problem.topic)
            declared = self.runner.input_topics.get(problem.topic, (None, ''))[1]
            who = 'is the driver running?' if declared == 'robot' else \
                'is its publisher running?'
            if problem.age_s is None:
                self.get_logger().warning(
                    f'waiting for {problem.input} on {label} \u2014 {who} ({problem.function} '
                    f'is not called until it arrives{then})')
            else:
                self.get_logger().warning(
                    f'{problem.input} on {label} is stale: last message {problem.age_s:.1f} s '
                    f'ago (input_timeout_s {self.runner.max_input_age_s:g} s) \u2014 {who} '
                    f'({problem.function} paused{then})')


    def summary(self) -> str:
        held = self.runner.held_calls()
        parts = [f'{name}: {calls} calls, {failures} failed, {dropped} triggers throttled'
                 + (f', {held[name]} held for want of required inputs' if held[name] else '')
                 for name, (calls, failures, dropped) in self.runner.statistics().items()]
        return '; '.join(parts)


def main(args=None):
    """Run tf_node until Ctrl-C, shutdown, a function's stop() or a lockstep failure."""
    return run_node('tf_node', TransferFunctionNode, args,
                    farewell=lambda node: node.summary(),
                    cleanup=lambda node: node.service_node.destroy())


if __name__ == '__main__':
    sys.exit(main())
