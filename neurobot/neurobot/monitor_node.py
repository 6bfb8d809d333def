"""lockstep_monitor: round timing of a lockstep run as diagnostics, and a summary at exit.

Listens to /lockstep/done (it is not a participant, so it never slows a round), splits
each round's wall time into simulation, transfer functions and orchestration
(neurobot.round_timing), publishes a diagnostic_msgs/DiagnosticArray on /diagnostics
every ``publish_every`` rounds (rqt_runtime_monitor shows it) and prints a summary table
when it stops.

Parameters: lockstep_simulation, lockstep_transfer (participant names), publish_every.
"""

import sys
import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import ParameterDescriptor, ParameterType
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from neurobot import qos
from neurobot.dds import configure_local_dds
from neurobot.lockstep import parse_participants
from neurobot.lockstep_participant import DONE_TOPIC
from neurobot.round_timing import RoundTimer
from neurobot_interfaces.msg import LockstepDone


class LockstepMonitor(Node):
    """Round timing diagnostics (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('lockstep_monitor', **kwargs)
        names = dict(type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True)
        self.declare_parameter('lockstep_simulation', ['world', 'brain'], ParameterDescriptor(
            description='Simulation-phase participants', **names))
        self.declare_parameter('lockstep_transfer', ['tf_node'], ParameterDescriptor(
            description='Transfer-phase participants', **names))
        self.declare_parameter('publish_every', 5, ParameterDescriptor(
            description='Rounds between two /diagnostics messages', read_only=True))
        participants = parse_participants(
            [n for n in self.get_parameter('lockstep_simulation').value if n],
            [n for n in self.get_parameter('lockstep_transfer').value if n])
        self.timer = RoundTimer(participants)
        self.every = max(1, int(self.get_parameter('publish_every').value))
        self._pub = self.create_publisher(DiagnosticArray, '/diagnostics', qos.RELIABLE)
        self.create_subscription(LockstepDone, DONE_TOPIC, self._on_done, qos.LOCKSTEP)

    def _on_done(self, msg):
        timing = self.timer.on_done(msg.participant, msg.round, msg.compute_ms, time.monotonic())
        if timing is None or timing.round % self.every:
            return
        status = DiagnosticStatus(name='neurobot: lockstep rounds', hardware_id='lockstep',
                                  level=DiagnosticStatus.OK,
                                  message=f'round {timing.round}: {timing.wall_ms:.1f} ms wall')
        values = {'round wall ms': timing.wall_ms, 'simulation ms': timing.simulation_ms,
                  'transfer functions ms': timing.transfer_ms,
                  'orchestration ms': timing.orchestration_ms}
        values.update({f'{name} compute ms': ms for name, ms in timing.compute_ms.items()})
        status.values = [KeyValue(key=k, value=f'{v:.3f}') for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = msg.stamp
        self._pub.publish(array)

    def summary_text(self) -> str:
        summary = self.timer.summary()
        if not summary['rounds']:
            return 'lockstep_monitor: no complete round seen'
        lines = [f'lockstep_monitor: {summary.pop("rounds")} rounds, medians per round:']
        lines += [f'  {key[:-3]:<24} {value:8.2f} ms' for key, value in summary.items()]
        return '\n'.join(lines)


def main(args=None):
    """Run until Ctrl-C; print the timing summary."""
    configure_local_dds()
    rclpy.init(args=args)
    node = LockstepMonitor()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        print(node.summary_text(), file=sys.stderr)
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
