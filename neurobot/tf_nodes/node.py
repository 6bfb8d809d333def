"""tf_node: runs the transfer functions of one or more user files as a ROS 2 node.

Parameters:
    transfer_functions (string[]): paths of the user files (read-only).
    any other (e.g. maze, seed): passed to the functions as the ``params`` dict.
    brain_namespace (str, ''): namespace of brain_node's services.
    world_namespace (str, ''): namespace of world_node's services.
    lockstep, lockstep_* : take part in lockstep rounds (transfer phase); see
        neurobot.lockstep_participant.
    use_sim_time: the time ``t`` passed to functions outside lockstep.

Every user file can also run in its own process: start one tf_node per file.
Service helpers (``brain``, ``world``) block the calling function without deadlocking:
their clients live on a companion node spun by its own executor in a background thread,
while the transfer functions run on a single-threaded events executor (which keeps the
per-message overhead low enough for sub-millisecond lockstep rounds).
"""

import sys
import threading

import numpy as np
import rclpy
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rcl_interfaces.msg import ParameterDescriptor, ParameterType

from neurobot import qos
from neurobot.lockstep import TRANSFER
from neurobot.lockstep_participant import (LockstepParticipant, declare_lockstep_parameters,
                                           run_node)
from tf_nodes.runner import TransferFunctionRunner, load_transfer_functions

SERVICE_TIMEOUT_S = 60.0  # s, a brain or world service call that takes longer fails


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
    def __init__(self, service_node, namespace):
        self._node = service_node.node
        self._prefix = namespace.rstrip('/') + '/' if namespace else ''
        self._clients = {}

    def _call(self, srv_type, name, request):
        client = self._clients.get(name)
        if client is None:
            client = self._node.create_client(srv_type, self._prefix + name)
            self._clients[name] = client
        if not client.wait_for_service(timeout_sec=SERVICE_TIMEOUT_S):
            raise ServiceError(f'service {client.srv_name} is not available')
        response = client.call(request, timeout_sec=SERVICE_TIMEOUT_S)
        if response is None:
            raise ServiceError(f'service {client.srv_name} did not answer within '
                               f'{SERVICE_TIMEOUT_S:g} s')
        if hasattr(response, 'success') and not response.success:
            raise ServiceError(f'{client.srv_name}: {response.message}')
        return response


class BrainClient(_ServiceHelper):
    """The ``brain`` argument of transfer functions: brain_node's services."""

    def reset(self, restore_weights: bool = False) -> str:
        """Reset the brain (see reset_brain); returns the service's message."""
        from neurobot_interfaces.srv import ResetBrain
        return self._call(ResetBrain, 'reset_brain',
                          ResetBrain.Request(restore_weights=restore_weights)).message

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
            raise ValueError(f'weights must be a 2-D (pre x post) matrix, got shape {matrix.shape}')
        request = SetWeights.Request(projection=projection, rows=matrix.shape[0],
                                     cols=matrix.shape[1], weights=matrix.ravel())
        return self._call(SetWeights, 'set_weights', request).written


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
        self.runner = TransferFunctionRunner(specs, context={
            'brain': BrainClient(self.service_node, self.get_parameter('brain_namespace').value),
            'world': WorldClient(self.service_node, self.get_parameter('world_namespace').value),
            'log': self.get_logger(),
            'stop': self._request_stop,
            'params': {name: parameter.value for name, parameter in self._parameters.items()}})
        self.stop_reason = None  # set by a function's stop(); main() then ends the node
        self.lockstep = bool(self.get_parameter('lockstep').value)
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
        self._publish(self.runner.run_pending(self._round_ns, synchronous=True))

    def _publish(self, calls):
        for call in calls:
            if call.error is not None:
                self.get_logger().error(f'transfer function {call.name} raised; its outputs for '
                                        f'this call are skipped:\n{call.error}')
                continue
            for topic, msg in call.outputs:
                publisher = self._output_publishers[topic]
                publisher.publish(msg)
                if self._lockstep is not None:
                    self._lockstep.sent(publisher.topic_name)


    def summary(self) -> str:
        parts = [f'{name}: {calls} calls, {failures} failed, {dropped} triggers throttled'
                 for name, (calls, failures, dropped) in self.runner.statistics().items()]
        return '; '.join(parts)


def main(args=None):
    """Run tf_node until Ctrl-C, shutdown, a function's stop() or a lockstep failure."""
    return run_node('tf_node', TransferFunctionNode, args,
                    farewell=lambda node: node.summary(),
                    cleanup=lambda node: node.service_node.destroy())


if __name__ == '__main__':
    sys.exit(main())
