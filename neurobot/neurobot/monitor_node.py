"""lockstep_monitor: round or step timing as diagnostics, and a summary at exit.

Two modes (parameter ``mode``):

- ``lockstep`` (default): listens to /lockstep/done (it is not a participant, so it
  never slows a round), splits each round's wall time into simulation, transfer
  functions and orchestration (neurobot.round_timing.RoundTimer);
- ``brain_step``: for a brain stepping on wall-clock time (real robots, no world node)
  or on /clock: listens to brain_node's ``brain/step`` reports (NEST and total compute
  per step, and overruns: steps that took longer than real time), status WARN when an
  overrun happened since the last message (neurobot.round_timing.BrainStepTimer).

Either way it publishes a diagnostic_msgs/DiagnosticArray on /diagnostics every
``publish_every`` rounds or steps (rqt_runtime_monitor shows it) and prints a summary
when it stops.

Parameters: mode, lockstep_simulation, lockstep_transfer (participant names),
brain_step_topic, publish_every.
"""

import sys
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rcl_interfaces.msg import ParameterDescriptor, ParameterType
from rclpy.node import Node

from neurobot import qos
from neurobot.lockstep import parse_participants
from neurobot.lockstep_participant import DONE_TOPIC, run_node
from neurobot.round_timing import BrainStepTimer, RoundTimer
from neurobot_interfaces.msg import BrainStep, LockstepDone

MODES = ('lockstep', 'brain_step')


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
            description='Rounds (or brain steps) between two /diagnostics messages',
            read_only=True))
        self.declare_parameter('mode', 'lockstep', ParameterDescriptor(
            description=f'What to time: {" or ".join(MODES)}', read_only=True))
        self.declare_parameter('brain_step_topic', 'brain/step', ParameterDescriptor(
            description='BrainStep reports of brain_node (mode brain_step)', read_only=True))
        self.mode = self.get_parameter('mode').value
        if self.mode not in MODES:
            raise ValueError(f'parameter mode must be one of {MODES}, got {self.mode!r}')
        participants = parse_participants(
            [n for n in self.get_parameter('lockstep_simulation').value if n],
            [n for n in self.get_parameter('lockstep_transfer').value if n])
        self.timer = RoundTimer(participants)
        self.every = max(1, int(self.get_parameter('publish_every').value))
        self.steps = BrainStepTimer()
        self._pub = self.create_publisher(DiagnosticArray, '/diagnostics', qos.RELIABLE)
        if self.mode == 'lockstep':
            self.create_subscription(LockstepDone, DONE_TOPIC, self._on_done, qos.LOCKSTEP)
        else:
            self.create_subscription(BrainStep, self.get_parameter('brain_step_topic').value,
                                     self._on_step, qos.BRAIN_OUTPUT)

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

    def _on_step(self, msg: BrainStep):
        report = self.steps.on_step(msg.step, msg.step_ms, msg.nest_ms, msg.total_ms,
                                    msg.overruns, report=(self.steps.steps + 1) % self.every == 0)
        if report is None:
            return
        level = DiagnosticStatus.WARN if report.new_overruns else DiagnosticStatus.OK
        message = (f'step {report.step}: {report.new_overruns} overruns in the last '
                   f'{report.steps} steps' if report.new_overruns else
                   f'step {report.step}: {report.total_ms:.1f} ms for a '
                   f'{report.step_ms:g} ms step')
        status = DiagnosticStatus(name='neurobot: brain steps', hardware_id='brain_node',
                                  level=level, message=message)
        values = {'step': report.step, 'step ms': f'{report.step_ms:g}',
                  'nest ms': f'{report.nest_ms:.3f}', 'total ms': f'{report.total_ms:.3f}',
                  'overruns': report.overruns, 'overruns since last report': report.new_overruns}
        status.values = [KeyValue(key=k, value=str(v)) for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = msg.header.stamp
        self._pub.publish(array)

    def summary_text(self) -> str:
        if self.mode == 'brain_step':
            summary = self.steps.summary()
            if not summary['steps']:
                return 'lockstep_monitor: no brain step seen'
            return (f'lockstep_monitor: {summary["steps"]} brain steps, {summary["overruns"]} '
                    f'overruns; medians per step: nest {summary["nest_ms"]:.2f} ms, total '
                    f'{summary["total_ms"]:.2f} ms')
        summary = self.timer.summary()
        if not summary['rounds']:
            return 'lockstep_monitor: no complete round seen'
        lines = [f'lockstep_monitor: {summary.pop("rounds")} rounds, medians per round:']
        lines += [f'  {key[:-3]:<24} {value:8.2f} ms' for key, value in summary.items()]
        return '\n'.join(lines)


def main(args=None):
    """Run until Ctrl-C; print the timing summary."""
    # An events executor: the monitor takes every /lockstep/done, three per round, on a
    # machine whose cores the participants share; rclpy's Python executors cost about
    # 0.5 ms of CPU per callback, which measurably slowed the rounds it was timing.
    return run_node('lockstep_monitor', LockstepMonitor, args,
                    cleanup=lambda node: print(node.summary_text(), file=sys.stderr))


if __name__ == '__main__':
    sys.exit(main())
