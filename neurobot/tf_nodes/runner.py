"""Run transfer functions: load user files, keep latest inputs, decide and make calls.

ROS-free: the node (:mod:`tf_nodes.node`) hands in messages with their topic and the
simulation time, and publishes what comes back. Keeping this logic here lets the
trigger, throttling and error rules be unit-tested without DDS.

Rules:
- every input keeps its latest message; a message on a trigger input marks the
  function *pending*;
- a pending function is *called* when the runner is asked to run (on arrival for
  asynchronous runs, once per lockstep round for synchronous functions), unless its
  throttle refuses the simulation time, in which case the trigger is dropped;
- a function that raises is logged with its name and traceback; its outputs for that
  call are skipped and the others go on; the node ends the run after
  ``max_consecutive_failures`` failures in a row, or at once when the error is a full
  disk or an unwritable path (:data:`DISK_ERRNOS`), which retrying cannot cure;
- a function with *required* inputs is not called while one of them has not arrived
  or (with ``max_input_age_s``) is older than that on the wall clock: the call is
  *held* and the outputs that declare a ``safe`` message publish it instead;
- a function's ``setup`` runs once, right before its first call; if it raises, the
  call is not made and the error is marked ``setup_failed`` (the node ends the run);
- population mappings: ``Spikes`` inputs are fed on arrival (every step, so windows
  see them all whether or not the function is called) and handed over as arrays;
  ``Rates`` / ``Currents`` outputs are checked against the population's size (from
  describe_brain, see :attr:`TransferFunctionRunner.population_sizes`, or else from its
  spikes) and sent as ``PopulationInput``; a wrong array fails the call like an error.
"""

from dataclasses import dataclass, field
import errno
import logging
from pathlib import Path
import re
import runpy
import time
import traceback

from neurobot_interfaces.msg import PopulationInput, PopulationSpikes

from tf_nodes import api
from tf_nodes.codes import Throttle
from tf_nodes.mappings import SpikeReader, spike_train_arrays, stimulus_values

_log = logging.getLogger(__name__)


BRAIN_TOPIC = re.compile(
    r'(?:^|/)brain/(?P<population>[^/]+)/(?P<kind>spikes|rate_hz|stimulus|spike_input)$')
SPIKE_SOURCE_ARRAY = 'SpikeSourceArray'  # the PyNN cell type that takes spike times
# OSError numbers that retrying the next round cannot cure: the run stops at once
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO})


class TransferFunctionError(RuntimeError):
    """A user file could not be loaded or declares conflicting topics."""


def load_transfer_functions(paths) -> list:
    """Execute user files and return the transfer functions they declare, in order.

    Raises:
        TransferFunctionError: a missing file, a file declaring no transfer function,
            or whatever the file raised (chained, with its traceback).
    """
    specs = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise TransferFunctionError(f'transfer-function file not found: {path}')
        start = len(api._registry)
        try:
            runpy.run_path(str(path), run_name='__neurobot_transfer_functions__')
        except Exception as error:
            raise TransferFunctionError(f'loading {path} failed: {error!r}') from error
        found = api._registry[start:]
        del api._registry[start:]
        if not found:
            raise TransferFunctionError(f'{path} declares no @transfer_function')
        specs.extend(found)
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise TransferFunctionError(f'transfer functions named more than once: {duplicates}')
    return specs


@dataclass
class Call:
    """The result of one transfer-function call.

    Attributes:
        name: the function's name.
        outputs: list of (topic, message) to publish (empty when it failed; the safe
            messages when it was held).
        error: the formatted traceback when it raised, else None.
        fatal: the error was a full disk or unwritable path (see DISK_ERRNOS).
        consecutive_failures: failures of this function in a row, this one included.
        held: (input name, topic, age_s or None) of the required inputs it waited for;
            empty when it ran.
        setup_failed: the function's setup raised (``error`` holds its traceback); the
            run cannot go on without it.
    """

    name: str
    outputs: list = field(default_factory=list)
    error: str = None
    fatal: bool = False
    consecutive_failures: int = 0
    held: list = field(default_factory=list)
    setup_failed: bool = False


@dataclass
class InputProblem:
    """A required input a function waits for.

    Attributes:
        function: the function's name.
        input: the input's name.
        topic: the declared topic.
        age_s: wall-clock seconds since its latest message; None: none arrived yet.
    """

    function: str
    input: str
    topic: str
    age_s: float = None


class _Function:
    def __init__(self, spec):
        self.spec = spec
        self.state = {}
        self.pending = set()  # trigger input names that arrived since the last call
        self.queues = {name: [] for name, declared in spec.inputs.items()
                       if declared.keep == 'all'}  # messages since the last call
        self.throttle = Throttle(spec.throttling_rate) if spec.throttling_rate else None
        self.calls = 0
        self.failures = 0
        self.consecutive_failures = 0
        self.dropped = 0  # triggers refused by the throttle
        self.held = 0  # calls not made for want of a required input
        self.required = [(name, declared.topic) for name, declared in spec.inputs.items()
                         if declared.required]
        self.readers = {name: SpikeReader(declared) for name, declared in spec.spikes.items()}
        self.feed_errors = []  # (input name, error) of spikes a reader refused
        self.set_up = spec.setup is None


class TransferFunctionRunner:
    """Holds the transfer functions of one node and runs them.

    Args:
        specs: TransferFunctionSpec list (see load_transfer_functions).
        context: extra special arguments offered to functions (brain, world, log).
        clock: wall clock for the age of required inputs, s (monotonic).

    Attributes:
        max_input_age_s: a required input older than this (wall clock, s) is stale;
            None: only a missing one holds a function (lockstep, where rounds pace time).
        population_sizes: population name -> number of neurons, from describe_brain
            (set by the node); ``Rates`` / ``Currents`` outputs are checked against it.
    """

    def __init__(self, specs, context=None, clock=time.monotonic):
        self.functions = [_Function(spec) for spec in specs]
        self.context = dict(context or {})
        self.clock = clock
        self.max_input_age_s = None
        self.population_sizes = {}
        self.latest = {}  # topic -> latest message
        self.received_at = {}  # topic -> clock() when its latest message arrived
        self.input_topics = {}  # topic -> (msg_type, qos)
        self.output_topics = {}  # topic -> msg_type
        self._by_topic = {}  # topic -> [(function, input name)]
        for function in self.functions:
            for input_name, declared in function.spec.inputs.items():
                self._declare(self.input_topics, declared.topic, (declared.msg_type, declared.qos),
                              function.spec.name, 'input')
                self._by_topic.setdefault(declared.topic, []).append((function, input_name))
            for declared in function.spec.outputs.values():
                self._declare(self.output_topics, declared.topic, declared.msg_type,
                              function.spec.name, 'output')

    @staticmethod
    def _declare(table, topic, value, owner, kind):
        known = table.setdefault(topic, value)
        if known != value:
            raise TransferFunctionError(
                f'{owner}: {kind} {topic!r} is declared as {value!r} here but as {known!r} by '
                f'another transfer function; one topic must have one type (and QoS)')

    def on_message(self, topic: str, msg):
        """Store a message and mark the functions it triggers; return those functions' names."""
        self.latest[topic] = msg
        self.received_at[topic] = self.clock()
        fired = []
        for function, input_name in self._by_topic.get(topic, ()):
            reader = function.readers.get(input_name)
            if reader is not None:
                try:
                    reader.feed(msg)
                except (TypeError, ValueError) as error:  # raised in the function's next call
                    function.feed_errors.append((input_name, error))
            if input_name in function.queues:
                function.queues[input_name].append(msg)
            if input_name in function.spec.triggers:
                function.pending.add(input_name)
                fired.append(function.spec.name)
        return fired

    def run_pending(self, t_ns: int, synchronous=None) -> list:
        """Call every pending function (optionally only sync or only async ones).

        Args:
            t_ns: simulation time of the calls, ns.
            synchronous: True/False to restrict to synchronous/asynchronous functions.

        Returns:
            A Call per function that ran.
        """
        calls = []
        for function in self.functions:
            if not function.pending:
                continue
            if synchronous is not None and function.spec.synchronous != synchronous:
                continue
            triggered_by = sorted(function.pending)
            function.pending.clear()
            problems = self._unmet(function)
            if problems:
                function.held += 1
                calls.append(Call(function.spec.name, outputs=self.safe_outputs(function),
                                  held=problems))
                continue
            if function.throttle is not None and not function.throttle.allow(t_ns):
                function.dropped += 1
                continue
            calls.append(self._call(function, t_ns, triggered_by))
        return calls

    def _call(self, function, t_ns, triggered_by):
        spec = function.spec
        offered = dict(self.context, t=t_ns / 1e9, state=function.state,
                       triggered_by=triggered_by)
        if not function.set_up:
            try:
                spec.setup(**{name: offered.get(name) for name in spec.setup_arguments})
            except Exception as error:
                function.failures += 1
                function.consecutive_failures += 1
                return Call(spec.name, error=traceback.format_exc(),
                            fatal=isinstance(error, OSError) and error.errno in DISK_ERRNOS,
                            consecutive_failures=function.consecutive_failures,
                            setup_failed=True)
            function.set_up = True
        function.calls += 1
        try:
            if function.feed_errors:
                (input_name, error), *_ = function.feed_errors
                function.feed_errors.clear()
                raise ValueError(f'input {input_name!r} of {spec.name}: {error}') from error
            for input_name, declared in spec.inputs.items():
                if input_name in function.readers:
                    offered[input_name] = function.readers[input_name].value()
                elif input_name in function.queues:
                    offered[input_name] = function.queues[input_name]
                    function.queues[input_name] = []
                else:
                    offered[input_name] = self.latest.get(declared.topic)
            result = spec.function(**{name: offered.get(name) for name in spec.arguments})
            outputs = self._outputs(spec, result, self._size_of(function))
        except Exception as error:
            function.failures += 1
            function.consecutive_failures += 1
            return Call(spec.name, error=traceback.format_exc(),
                        fatal=isinstance(error, OSError) and error.errno in DISK_ERRNOS,
                        consecutive_failures=function.consecutive_failures)
        function.consecutive_failures = 0
        return Call(spec.name, outputs=outputs)

    def _size_of(self, function):
        """Population name -> size as far as known (describe_brain first, then spikes)."""
        def size(population):
            known = self.population_sizes.get(population)
            if known is not None:
                return known
            for other in self.functions:
                for reader in other.readers.values():
                    if reader.declared.population == population and reader.size is not None:
                        return reader.size
            return None
        return size

    # ------------------------------------------------------------------ required inputs

    def _unmet(self, function) -> list:
        now = self.clock()
        problems = []
        for input_name, topic in function.required:
            arrived = self.received_at.get(topic)
            if arrived is None:
                problems.append(InputProblem(function.spec.name, input_name, topic))
            elif self.max_input_age_s is not None and now - arrived > self.max_input_age_s:
                problems.append(InputProblem(function.spec.name, input_name, topic,
                                             now - arrived))
        return problems

    def input_problems(self) -> list:
        """Every required input that is missing or stale now (InputProblem list)."""
        return [p for function in self.functions for p in self._unmet(function)]

    def safe_outputs(self, function=None) -> list:
        """(topic, safe message) of the outputs that declare one (of one function or all)."""
        functions = self.functions if function is None else [function]
        outputs = []
        for f in functions:
            for declared in f.spec.outputs.values():
                if declared.safe is not None and (declared.topic, declared.safe) not in outputs:
                    outputs.append((declared.topic, declared.safe))
        return outputs

    def held_functions(self) -> list:
        """The functions that have a required input missing or stale now."""
        return [f for f in self.functions if self._unmet(f)]

    @staticmethod
    def _outputs(spec, result, size_of=lambda population: None):
        if result is None:
            return []
        if not isinstance(result, dict):
            if len(spec.outputs) != 1:
                raise TypeError(f'{spec.name} returned a {type(result).__name__}; with '
                                f'{len(spec.outputs)} outputs it must return a dict '
                                f'output name -> message')
            result = {next(iter(spec.outputs)): result}
        outputs = []
        for key, msg in result.items():
            if key not in spec.outputs:
                raise KeyError(f'{spec.name} returned output {key!r}, which is not declared; '
                               f'expected some of {sorted(spec.outputs)}')
            if msg is None:
                continue
            declared = spec.outputs[key]
            stimulus = spec.stimuli.get(key)
            if stimulus is not None and stimulus.input_kind == 'spike_times':
                neurons, times_ms = spike_train_arrays(
                    msg, population=stimulus.population, size=size_of(stimulus.population),
                    where=f'{spec.name} returned output {key!r}')
                outputs.append((declared.topic, PopulationSpikes(
                    population=stimulus.population, spike_neurons=neurons,
                    spike_times_ms=times_ms)))
                continue
            if stimulus is not None:
                values = stimulus_values(
                    msg, population=stimulus.population, kind=stimulus.input_kind,
                    size=size_of(stimulus.population),
                    where=f'{spec.name} returned output {key!r}')
                outputs.append((declared.topic, PopulationInput(values=values)))
                continue
            if not isinstance(msg, declared.msg_type):
                raise TypeError(f'{spec.name} returned a {type(msg).__name__} for output '
                                f'{key!r}; expected {declared.msg_type.__name__}')
            outputs.append((declared.topic, msg))
        return outputs

    def statistics(self) -> dict:
        """Name -> (calls, failures, triggers dropped by throttling)."""
        return {f.spec.name: (f.calls, f.failures, f.dropped) for f in self.functions}

    def brain_requirements(self) -> tuple:
        """What the brain must have, from the brain topics and declared projections.

        Returns:
            ({population: [(function, why, topic kind, input kind or '')]},
            {projection: [function]}); the input kind ('rate_hz' or 'current_na') is
            that of a Rates or Currents output.
        """
        populations, projections = {}, {}
        for function in self.functions:
            spec = function.spec
            topics = [(f'input {n}', d.topic, '') for n, d in spec.inputs.items()] + \
                [(f'output {n}', d.topic,
                  spec.stimuli[n].input_kind if n in spec.stimuli else '')
                 for n, d in spec.outputs.items()]
            for role, topic, input_kind in topics:
                match = BRAIN_TOPIC.search(topic)
                if match:
                    populations.setdefault(match['population'], []).append(
                        (spec.name, f'{role} on {topic}', match['kind'], input_kind))
            for projection in spec.projections:
                projections.setdefault(projection, []).append(spec.name)
        return populations, projections

    def check_brain(self, described_populations, described_projections) -> list:
        """Problems of a brain for these functions (empty: fine).

        Args:
            described_populations: name -> (recorded, input_kind) or (recorded,
                input_kind, cell_type) from describe_brain.
            described_projections: names from describe_brain.
        """
        populations, projections = self.brain_requirements()
        problems = []
        for name, uses in sorted(populations.items()):
            for function, why, kind, wanted_kind in uses:
                if name not in described_populations:
                    problems.append(f'population {name!r} ({function}: {why})')
                    break
                recorded, input_kind, *cell_type = described_populations[name]
                if kind in ('spikes', 'rate_hz') and not recorded:
                    problems.append(f'spikes of population {name!r}, which is not recorded '
                                    f'({function}: {why})')
                    break
                if kind == 'stimulus' and not input_kind:
                    problems.append(f'input to population {name!r}, which accepts none '
                                    f'({function}: {why})')
                    break
                if kind == 'spike_input':
                    if cell_type and cell_type[0] != SPIKE_SOURCE_ARRAY:
                        problems.append(f'spike times for population {name!r}, a '
                                        f'{cell_type[0]}; spike times go to '
                                        f'{SPIKE_SOURCE_ARRAY} populations ({function}: {why})')
                        break
                    continue
                if wanted_kind and input_kind != wanted_kind:
                    what = {'rate_hz': 'rates (Hz)', 'current_na': 'currents (nA)'}
                    problems.append(f'{what[wanted_kind]} for population {name!r}, which takes '
                                    f'{what.get(input_kind, input_kind)} ({function}: {why}; '
                                    f'use {"Rates" if input_kind == "rate_hz" else "Currents"})')
                    break
        for name, functions in sorted(projections.items()):
            if name not in described_projections:
                problems.append(f'projection {name!r} ({", ".join(functions)})')
        return problems

    def held_calls(self) -> dict:
        """Calls held for want of a required input: name -> count."""
        return {f.spec.name: f.held for f in self.functions}
