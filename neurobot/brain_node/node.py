"""brain_node: the ROS 2 node around :class:`brain_node.brain.Brain`.

Parameters (all declared with descriptors; structural ones are read-only):
    brain (str): path of the PyNN brain file.
    brain_args (str, '{}'): arguments of the brain file, a JSON object (read with
        brain_node.arguments.argument); anything else stops the node at start.
    synapse_properties (str, '{}'): common properties of projections' NEST synapse models
        set once the brain is built, a JSON object {projection: {property: number}}
        (Brain.set_synapse_properties; e.g. a dopamine rule's A_plus/A_minus at 0 freezes
        its weights for a greedy evaluation); a bad one stops the node at start. While
        running: the set_synapse_properties service.
    step_ms (float, 20): brain step, ms, 0.1-1000, a multiple of resolution_ms; can change
        while running (the next step uses it).
    resolution_ms (float, 0.1): NEST resolution, ms.
    threads (int, 1): NEST threads.
    seed (int, 1234): NEST and PyNN random seed.
    spike_precision (str, on_grid): PyNN spike precision ('on_grid' or 'off_grid').
    use_sim_time (bool): step on /clock (True) or on wall-clock time (False).
    lockstep (bool, False): step in lockstep rounds with world and transfer functions
        instead (see neurobot.lockstep); lockstep_* parameters name the participants.
    record_weights (str[], ['']): projections whose weights are recorded (none: off).
    record_weights_every_ms (float, 200): recording period, ms; a multiple of step_ms.
    record_weights_path (str, weights.nbw): the weight file (brain_node.weight_recorder).
    record_weights_on_error (str, continue): when the file cannot be written, 'continue'
        the run without recording or 'stop' the node (exit status 4; at start: the node
        does not start).

Topics (relative to the node's namespace):
    brain/<population>/stimulus  in   neurobot_interfaces/PopulationInput
    brain/<population>/spike_input  in  neurobot_interfaces/PopulationSpikes, for the
        populations describe_brain lists with cell_type SpikeSourceArray: spike_neurons
        fire at spike_times_ms, ms after the start of the next step (other fields unused;
        range and rules in brain_node.spike_input). Their input_kind stays '' (it names
        the kinds of PopulationInput on brain/<population>/stimulus).
    brain/<population>/spikes    out  neurobot_interfaces/PopulationSpikes (every step)
    brain/<population>/rate_hz   out  std_msgs/Float64, population mean rate of the step
    brain/step                   out  neurobot_interfaces/BrainStep (timing, overruns)

Services: reset_brain, get_weights, set_weights, set_synapse_properties, describe_brain.
set_synapse_properties (neurobot_interfaces/SetSynapseProperties) sets common properties
of one projection's synapse model while the brain runs, as the synapse_properties
parameter does at start (a JSON object {property: number}, e.g. {"A_plus": 0, "A_minus": 0}
switches a dopamine rule's learning off); it never runs during a step, so the change
applies from the next step on (in lockstep: a transfer function calls it in its round,
the brain's next round uses it). When the node closes it prints how many set_weights
calls it accepted per projection ('set_weights calls accepted: none' if no Python code
wrote a weight).

No request takes the node down: every service and topic callback runs through one
:class:`neurobot.callback_guard.CallbackGuard`. A request the brain refuses, or one that
fails, is answered ``success=False`` with a message (a stimulus is dropped) and logged
once per kind of error; a refused request leaves the brain as it was.
"""

import array
import json
import sys
import time

from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                SetParametersResult)
from rosgraph_msgs.msg import Clock
from std_msgs.msg import Float64

from neurobot import qos
from neurobot.callback_guard import CallbackGuard
from neurobot.lockstep import SIMULATION
from neurobot.stamps import stamp_ns, time_msg
from neurobot.lockstep_participant import (LockstepParticipant, declare_lockstep_parameters,
                                           run_node)
from neurobot_interfaces.msg import (BrainStep, PopulationInfo, PopulationInput,
                                     PopulationSpikes, ProjectionInfo)
from neurobot_interfaces.srv import (DescribeBrain, GetWeights, ResetBrain,
                                     SetSynapseProperties, SetWeights)

from brain_node import arguments
from brain_node.brain import SEED_RANGE, STEP_MS_RANGE, Brain
from brain_node.stepping import (MAX_CATCH_UP_MS, NS_PER_MS, SimClockStepper, WallClockPacer,
                                 is_multiple, ms_to_ns)
from brain_node.weight_recorder import ON_ERROR, WeightRecorder

WALL_POLL_FRACTION = 0.1  # wall-clock mode polls for due steps at this fraction of a step
WALL_POLL_MAX_S = 0.005  # s, but at least this often
RECORDING_FAILED_EXIT = 4  # exit status after record_weights_on_error=stop stopped the node


def spikes_topic(population: str) -> str:
    return f'brain/{population}/spikes'


def rate_topic(population: str) -> str:
    return f'brain/{population}/rate_hz'


def stimulus_topic(population: str) -> str:
    return f'brain/{population}/stimulus'


def spike_input_topic(population: str) -> str:
    return f'brain/{population}/spike_input'


class BrainNode(Node):
    """A PyNN/NEST brain as a ROS 2 node (see the module docstring)."""

    def __init__(self, **kwargs):
        super().__init__('brain', **kwargs)  # the name under launch too (neurobot.bringup)
        self.declare_parameter('brain', '', ParameterDescriptor(
            description='Path of the PyNN brain file', read_only=True))
        self.declare_parameter('step_ms', 20.0, ParameterDescriptor(
            description='Brain step, ms; a multiple of resolution_ms',
            floating_point_range=[FloatingPointRange(
                from_value=STEP_MS_RANGE[0], to_value=STEP_MS_RANGE[1], step=0.0)]))
        self.declare_parameter('resolution_ms', 0.1, ParameterDescriptor(
            description='NEST time resolution, ms', read_only=True))
        self.declare_parameter('threads', 1, ParameterDescriptor(
            description='NEST threads', read_only=True,
            integer_range=[IntegerRange(from_value=1, to_value=256, step=1)]))
        self.declare_parameter('seed', 1234, ParameterDescriptor(
            description='Seed of NEST and of unseeded PyNN random number generators',
            read_only=True, integer_range=[IntegerRange(
                from_value=SEED_RANGE[0], to_value=SEED_RANGE[1], step=1)]))
        self.declare_parameter('spike_precision', 'on_grid', ParameterDescriptor(
            description="PyNN spike precision: 'on_grid' (exact reset) or 'off_grid'",
            read_only=True))
        self.declare_parameter('brain_args', '{}', ParameterDescriptor(
            description='Arguments of the brain file, a JSON object (brain_node.arguments)',
            read_only=True))
        self.declare_parameter('synapse_properties', '{}', ParameterDescriptor(
            description='Common properties of plastic projections\' synapse models set after '
            'the brain is built, a JSON object {projection: {property: number}}, e.g. '
            '{"places_to_actions": {"A_plus": 0, "A_minus": 0}} freezes a dopamine rule',
            read_only=True))
        declare_lockstep_parameters(self)
        self._declare_recording_parameters()
        brain_file = self.get_parameter('brain').value
        brain_args = arguments.parse(self.get_parameter('brain_args').value)
        if not brain_file:
            raise ValueError('parameter brain is empty: give the path of a PyNN brain file, '
                             'e.g. --ros-args -p brain:=/path/to/brain.py')
        self.brain = Brain(
            brain_file,
            step_ms=self.get_parameter('step_ms').value,
            resolution_ms=self.get_parameter('resolution_ms').value,
            threads=self.get_parameter('threads').value,
            seed=self.get_parameter('seed').value,
            spike_precision=self.get_parameter('spike_precision').value,
            arguments=brain_args)
        self._set_synapse_properties(self.get_parameter('synapse_properties').value)
        self.set_weights_calls = {}  # projection -> accepted set_weights calls (closing line)
        self.use_sim_time = bool(self.get_parameter('use_sim_time').value)
        self.lockstep = bool(self.get_parameter('lockstep').value)
        self.weights = None
        self.recording_failed = False
        self.stopped_by_recording = False  # record_weights_on_error=stop ended the run
        self._start_weight_recording(brain_file)
        # Lockstep data must survive late DDS matching (see neurobot.qos).
        output_qos = qos.LOCKSTEP_LATEST if self.lockstep else qos.BRAIN_OUTPUT
        input_qos = qos.LOCKSTEP_DATA if self.lockstep else qos.RELIABLE

        # Everything that touches NEST runs in one mutually exclusive group, so even a
        # multi-threaded executor never steps, resets and writes weights at once.
        self._nest_group = MutuallyExclusiveCallbackGroup()
        self._guard = CallbackGuard(self.get_logger())
        guard = self._guard.service
        self._spike_pubs, self._rate_pubs = {}, {}
        for name in self.brain.recorded_populations:
            self._spike_pubs[name] = self.create_publisher(
                PopulationSpikes, spikes_topic(name), output_qos)
            self._rate_pubs[name] = self.create_publisher(Float64, rate_topic(name), output_qos)
        self._step_pub = self.create_publisher(BrainStep, 'brain/step', output_qos)
        self._inputs = {}
        for name in self.brain.spike_input_populations:
            self._inputs[name] = self.create_subscription(
                PopulationSpikes, spike_input_topic(name),
                lambda msg, name=name: self._on_spike_input(name, msg),
                input_qos, callback_group=self._nest_group)
        for info in self.brain.describe_populations():
            if info.input_kind:
                self._inputs[info.name] = self.create_subscription(
                    PopulationInput, stimulus_topic(info.name),
                    lambda msg, name=info.name: self._on_stimulus(name, msg),
                    input_qos, callback_group=self._nest_group)
        for srv_type, name, handler, refused in (
                (ResetBrain, 'reset_brain', self._on_reset, 'not reset'),
                (GetWeights, 'get_weights', self._on_get_weights, 'no weights'),
                (SetWeights, 'set_weights', self._on_set_weights, 'nothing written'),
                (SetSynapseProperties, 'set_synapse_properties',
                 self._on_set_synapse_properties, 'nothing set'),
                (DescribeBrain, 'describe_brain', self._on_describe, 'no description')):
            self.create_service(srv_type, name, guard(name, handler, refused),
                                callback_group=self._nest_group)
        self.add_on_set_parameters_callback(self._on_set_parameters)

        self.overruns = 0
        self._stepper = None
        self._pacer = None
        self._lockstep = None
        if self.lockstep:
            self._lockstep = LockstepParticipant(self, SIMULATION, self.brain.step_ms,
                                                 self._run_round, self._nest_group)
            for subscription in self._inputs.values():
                self._lockstep.track_input(subscription)
            for publisher in [*self._spike_pubs.values(), *self._rate_pubs.values(),
                              self._step_pub]:
                self._lockstep.track_output(publisher)
            mode = f'in lockstep as {self._lockstep.name!r}'
        elif self.use_sim_time:
            self._stepper = SimClockStepper(self.brain.step_ms)
            self.create_subscription(Clock, '/clock', self._on_clock, qos.CLOCK,
                                     callback_group=self._nest_group)
            mode = 'on /clock'
        else:
            period_s = max(min(self.brain.step_ms / 1e3 * WALL_POLL_FRACTION, WALL_POLL_MAX_S),
                           1e-4)
            # the pacer starts with the first timer call: the time until spinning starts
            # (discovery, logging) is not the first step's, which would count as an overrun
            self._wall_start_ns = self.get_clock().now().nanoseconds
            self.create_timer(period_s, self._on_wall_timer, callback_group=self._nest_group)
            mode = 'on wall-clock time'
        if self._lockstep is not None:
            self._lockstep.start()
        self.get_logger().info(
            f'brain {brain_file}: populations {", ".join(self.brain.population_names)}; '
            f'projections {", ".join(self.brain.projection_names) or "(none)"}; '
            f'stepping {self.brain.step_ms:g} ms {mode}')

    # ------------------------------------------------------------------ stepping

    # A step that raises (NEST in trouble) is logged once per kind and retried with the
    # next /clock message or timer tick; the node keeps answering its services.

    def _on_clock(self, msg: Clock):
        with self._guard.topic('/clock', 'step not run'):
            self._clock_steps(msg)

    def _clock_steps(self, msg: Clock):
        clock_ns = stamp_ns(msg.clock)
        advance = self._stepper.on_clock(clock_ns)
        if advance.jumped_back:
            self.get_logger().warning(
                f'/clock went back to {clock_ns / 1e9:.3f} s; stepping resumes from there '
                f'(the brain itself is not reset: call reset_brain for that)')
        if advance.jumped_ahead_ms:
            self.get_logger().warning(
                f'/clock jumped ahead by {advance.jumped_ahead_ms / 1e3:.3f} s to '
                f'{clock_ns / 1e9:.3f} s, more than the {MAX_CATCH_UP_MS / 1e3:g} s brain_node '
                f'catches up step by step; stepping resumes from there without running the '
                f'steps in between')
        for _ in range(advance.steps):
            start = time.perf_counter()
            result = self._step_brain(self._stepper.brain_ns)
            end_ns = self._stepper.step_done()
            self._publish_step(result, end_ns, start)

    def _run_round(self, round_: int):
        start = time.perf_counter()
        result = self._step_brain((round_ - 1) * ms_to_ns(self.brain.step_ms))
        self._publish_step(result, round_ * ms_to_ns(self.brain.step_ms), start)

    def _on_wall_timer(self):
        with self._guard.topic('wall-clock timer', 'step not run'):
            self._wall_step()

    def _wall_step(self):
        now = time.monotonic_ns()
        if self._pacer is None:
            self._pacer = WallClockPacer(self.brain.step_ms, now)
        if not self._pacer.step_due(now):
            return
        start = time.perf_counter()
        result = self._step_brain(self.get_clock().now().nanoseconds)
        end_ns = self.get_clock().now().nanoseconds
        if self._pacer.step_finished(time.monotonic_ns()):
            self.overruns = self._pacer.overruns
            self.get_logger().warning(
                f'step {result.step} overran: {(time.perf_counter() - start) * 1e3:.1f} ms for '
                f'a {self.brain.step_ms:g} ms step ({self.overruns} overruns so far)',
                throttle_duration_sec=5.0)
        self._publish_step(result, end_ns, start)

    def _step_brain(self, start_ns: int):
        """One brain step; the weight recording takes the initial weights before the first."""
        if self.weights is not None and not self.weights.started:
            self.weights.sample(start_ns)
        return self.brain.step()

    def _publish_step(self, result, end_ns: int, start: float):
        end_ms = end_ns / NS_PER_MS
        stamp = time_msg(end_ns)
        step_s = self.brain.step_ms / 1e3
        for name, spikes in result.spikes.items():
            msg = PopulationSpikes()
            msg.header.stamp = stamp
            msg.population = name
            msg.step = result.step
            msg.step_ms = self.brain.step_ms
            msg.counts = array.array('I', spikes.counts.tobytes())
            msg.spike_neurons = array.array('I', spikes.neurons.tobytes())
            # brain time -> the time base of the stamp (ROS time)
            msg.spike_times_ms = array.array('d', (spikes.times_ms + (end_ms - result.end_ms))
                                             .tobytes())
            self._publish(self._spike_pubs[name], msg)
            size = len(spikes.counts)
            rate = float(spikes.counts.sum()) / (size * step_s) if size else 0.0
            self._publish(self._rate_pubs[name], Float64(data=rate))
        info = BrainStep()
        info.header.stamp = stamp
        info.step = result.step
        info.step_ms = self.brain.step_ms
        info.nest_ms = result.nest_ms
        info.total_ms = (time.perf_counter() - start) * 1e3
        info.overruns = self.overruns
        info.resets = self.brain.resets
        self._publish(self._step_pub, info)
        if self.weights is not None:
            self._record_weights(end_ns, result)

    def _publish(self, publisher, msg):
        publisher.publish(msg)
        if self._lockstep is not None:
            self._lockstep.sent(publisher.topic_name)

    # ------------------------------------------------------------------ weight recording

    def _declare_recording_parameters(self):
        from rcl_interfaces.msg import ParameterType
        # [''] rather than []: an empty list would leave the parameter's type undetermined
        self.declare_parameter('record_weights', [''], ParameterDescriptor(
            type=ParameterType.PARAMETER_STRING_ARRAY, read_only=True,
            description='Projections whose weights are recorded to record_weights_path '
                        '(empty: no recording)'))
        self.declare_parameter('record_weights_every_ms', 200.0, ParameterDescriptor(
            description='Weight recording period, ms of simulated time; a multiple of step_ms',
            read_only=True, floating_point_range=[FloatingPointRange(
                from_value=STEP_MS_RANGE[0], to_value=1.0e9, step=0.0)]))
        self.declare_parameter('record_weights_path', 'weights.nbw', ParameterDescriptor(
            description='Weight file (.nbw, read with brain_node.weight_recorder)',
            read_only=True))
        self.declare_parameter('record_weights_on_error', 'continue', ParameterDescriptor(
            description="When the weight file cannot be written: 'continue' the run without "
                        "recording, or 'stop' the node", read_only=True))

    def _start_weight_recording(self, brain_file: str):
        names = [n for n in self.get_parameter('record_weights').value if n]
        self._on_record_error = self.get_parameter('record_weights_on_error').value
        if not names:
            return
        if self._on_record_error not in ON_ERROR:
            raise ValueError(f'record_weights_on_error must be one of {ON_ERROR}, '
                             f'got {self._on_record_error!r}')
        path = self.get_parameter('record_weights_path').value
        every_ms = self.get_parameter('record_weights_every_ms').value
        try:
            self.weights = WeightRecorder(
                self.brain, names, path, every_ms=every_ms, step_ms=self.brain.step_ms,
                metadata={'brain': brain_file, 'step_ms': self.brain.step_ms,
                          'node': self.get_fully_qualified_name()})
        except OSError as error:
            message = f'cannot record weights to {path}: {error.strerror or error}'
            if self._on_record_error == 'stop':
                raise RuntimeError(f'{message} (record_weights_on_error=stop)') from None
            self.get_logger().error(f'{message}; the run continues without recording '
                                    f'(record_weights_on_error=continue)')
            self.recording_failed = True
            return
        self.get_logger().info(f'recording weights of {", ".join(self.weights.names)} every '
                               f'{every_ms:g} ms to {path}')

    def _record_weights(self, end_ns: int, result):
        # Simulated time records on its own grid; wall-clock stamps never fall on one, so
        # there the brain's elapsed time decides.
        simulated = self._stepper is not None or self._lockstep is not None
        grid_ns = end_ns if simulated else ms_to_ns(result.end_ms)
        if self.weights.due(grid_ns):
            self.weights.sample(end_ns)
        if self.weights.error is None or self.recording_failed:
            return
        self.recording_failed = True
        if self._on_record_error == 'stop':
            self.get_logger().error(f'{self.weights.error}; stopping the node '
                                    f'(record_weights_on_error=stop)')
            self.stop_reason = self.weights.error
            self.stopped_by_recording = True
        else:
            self.get_logger().error(f'{self.weights.error}; recording stopped, the run '
                                    f'continues (record_weights_on_error=continue)')

    def close_weight_recording(self) -> str:
        """Write what is queued and close the weight file; return a line saying so."""
        if self.weights is None:
            return ''
        self.weights.close()
        if self.weights.error:
            return self.weights.error
        return f'{self.weights.records} weight records in {self.weights.path}'

    # ------------------------------------------------------------------ inputs

    def _on_stimulus(self, population: str, msg: PopulationInput):
        # Logged once per kind of error (a wrong length and NaN are two kinds), so one
        # client's stream of bad stimuli neither floods the log nor hides another error.
        with self._guard.topic(stimulus_topic(population), 'stimulus ignored'):
            self.brain.set_input(population, msg.values)
        if self._lockstep is not None:  # counted even when refused: it was delivered
            self._lockstep.received(self._inputs[population].topic_name)

    def _on_spike_input(self, population: str, msg: PopulationSpikes):
        with self._guard.topic(spike_input_topic(population), 'spike input ignored'):
            self.brain.set_spike_times(population, msg.spike_neurons, msg.spike_times_ms)
        if self._lockstep is not None:  # counted even when refused: it was delivered
            self._lockstep.received(self._inputs[population].topic_name)

    # ------------------------------------------------------------------ services

    # Handlers may raise: the guard (see __init__) answers success=False for them.

    def _on_reset(self, request, response):
        start = time.perf_counter()
        response.message = self.brain.reset(restore_weights=request.restore_weights,
                                            scope=request.scope)
        response.success = True
        response.duration_ms = (time.perf_counter() - start) * 1e3
        return response

    def _on_get_weights(self, request, response):
        rows, cols, weights = self.brain.get_weights(request.projection)
        response.success = True
        response.rows, response.cols = rows, cols
        response.weights = array.array('d', weights.tobytes())
        response.message = f'{rows}x{cols} weights of {request.projection}'
        return response

    def _on_set_weights(self, request, response):
        written = self.brain.set_weights(request.projection, request.rows, request.cols,
                                         request.weights)
        self.set_weights_calls[request.projection] = \
            self.set_weights_calls.get(request.projection, 0) + 1
        response.success = True
        response.written = written
        response.message = f'{written} synapses of {request.projection} written'
        return response

    def _on_set_synapse_properties(self, request, response):
        try:
            properties = json.loads(request.properties)
        except ValueError as error:
            raise ValueError(f'properties of {request.projection!r} are not JSON ({error}): '
                             f'give an object {{property: number}}') from None
        if not isinstance(properties, dict):
            raise ValueError(f'properties of {request.projection!r} must be a JSON object '
                             f'{{property: number}}, got {request.properties!r}')
        response.message = self._apply_synapse_properties(request.projection, properties)
        response.success = True
        return response

    def _set_synapse_properties(self, text: str):
        """Apply the ``synapse_properties`` parameter (raises ValueError naming the problem)."""
        try:
            table = json.loads(text or '{}')
        except ValueError as error:
            raise ValueError(f'parameter synapse_properties is not JSON ({error})') from None
        if not isinstance(table, dict):
            raise ValueError(f'parameter synapse_properties must be a JSON object '
                             f'{{projection: {{property: number}}}}, got {text!r}')
        for projection, properties in table.items():
            self._apply_synapse_properties(projection, properties)

    def _apply_synapse_properties(self, projection: str, properties) -> str:
        """Brain.set_synapse_properties, logged; returns what was set (raises ValueError)."""
        done = self.brain.set_synapse_properties(projection, properties)
        self.get_logger().info(f'synapse properties set: {done}')
        return done

    def set_weights_summary(self) -> str:
        """'set_weights calls accepted: <projection> N, ...' (or 'none') for the closing log."""
        calls = ', '.join(f'{name} {count}' for name, count in sorted(
            self.set_weights_calls.items())) or 'none'
        return f'set_weights calls accepted: {calls}'

    def _on_describe(self, request, response):
        response.success = True
        response.brain = self.brain.brain_file
        response.step_ms = self.brain.step_ms
        response.resolution_ms = self.brain.resolution_ms
        for p in self.brain.describe_populations():
            response.populations.append(PopulationInfo(
                name=p.name, label=p.label, cell_type=p.cell_type, nest_model=p.nest_model,
                size=p.size, recorded=p.recorded,
                spikes_topic=spikes_topic(p.name) if p.recorded else '',
                input_topic=stimulus_topic(p.name) if p.input_kind else '',
                input_kind=p.input_kind, exact_reset=p.exact_reset))
        for p in self.brain.describe_projections():
            response.projections.append(ProjectionInfo(
                name=p.name, label=p.label, pre=p.pre, post=p.post, rows=p.rows, cols=p.cols,
                connections=p.connections, synapse_type=p.synapse_type,
                nest_synapse_model=p.nest_synapse_model, receptor_type=p.receptor_type,
                plastic=p.plastic, weight_units=p.weight_units, weight_sign=p.weight_sign))
        response.message = (f'{len(response.populations)} populations, '
                            f'{len(response.projections)} projections')
        return response

    # ------------------------------------------------------------------ parameters

    def _on_set_parameters(self, parameters):
        for parameter in parameters:
            if parameter.name == 'step_ms':
                if self.lockstep:
                    return SetParametersResult(
                        successful=False, reason='step_ms is the lockstep round length: all '
                        'participants must change it together; restart with the new value')
                try:
                    step_ms = self.brain.check_step_ms(parameter.value)
                except ValueError as error:
                    return SetParametersResult(successful=False, reason=str(error))
                if self.weights is not None and not is_multiple(self.weights.every_ms, step_ms):
                    return SetParametersResult(
                        successful=False, reason=f'record_weights_every_ms='
                        f'{self.weights.every_ms:g} must stay a multiple of step_ms')
                self.brain.set_step_ms(step_ms)
                if self._stepper is not None:
                    self._stepper.step_ns = ms_to_ns(step_ms)
                if self._pacer is not None:
                    self._pacer.step_ns = ms_to_ns(step_ms)
                self.get_logger().info(f'step_ms is now {step_ms:g} ms')
        return SetParametersResult(successful=True)


def main(args=None):
    """Run brain_node until Ctrl-C, shutdown, a lockstep failure or a failed recording."""
    stopped_by_recording = []

    def cleanup(node):
        print(f'brain_node: {node.set_weights_summary()}', file=sys.stderr)
        line = node.close_weight_recording()
        if line:
            print(f'brain_node: {line}', file=sys.stderr)
        if node.stopped_by_recording:
            stopped_by_recording.append(True)

    code = run_node('brain_node', BrainNode, args, cleanup=cleanup,
                    farewell=lambda node: f'stopped after {node.brain.steps_done} steps')
    return code or (RECORDING_FAILED_EXIT if stopped_by_recording else 0)


if __name__ == '__main__':
    sys.exit(main())
