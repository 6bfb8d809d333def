"""The transfer-function API: plain Python functions with declared inputs and outputs.

A transfer function translates between brain and body. It is an ordinary function in a
user file, decorated with :func:`transfer_function`::

    from geometry_msgs.msg import Twist
    from neurobot_interfaces.msg import PopulationSpikes
    from tf_nodes.api import Input, Output, transfer_function

    @transfer_function(
        inputs={'actions': Input('brain/actions/spikes', PopulationSpikes)},
        outputs={'cmd': Output('cmd_vel', Twist)},
        throttling_rate=5.0)            # at most 5 calls per second of simulation time
    def drive(t, actions, state):
        state['calls'] = state.get('calls', 0) + 1
        return {'cmd': Twist()}

Population mappings. Users think in populations and arrays, so a brain population is
declared in one line (as the NRP's ``MapSpikeSink`` / ``MapSpikeSource``) and the node
does the topics and messages::

    from tf_nodes.api import Input, Output, Rates, Spikes, transfer_function
    from tf_nodes.codes import place_cell_rates, winner_take_all
    from tf_nodes.robot import pose_2d, twist

    def start(state, params):           # once, before the first call
        state['speed_mps'] = float(params.get('speed_mps', 0.3))

    @transfer_function(
        inputs={'actions': Spikes('actions', window_ms=100.0),      # counts per neuron
                'odom': Input('odom', Odometry, qos='robot')},
        outputs={'places': Rates('places'), 'cmd': Output('cmd_vel', Twist)},
        setup=start)
    def move(actions, odom, state):
        winner = winner_take_all(actions, group_size=10).winner
        ...
        return {'places': rates, 'cmd': twist(vx, vy)}     # rates: one per place cell

``Spikes`` hands the function numpy arrays (counts, rates, spike times or time bins
over the latest step or a sliding window, or a decoded value); ``Rates`` and
``Currents`` take an array (one value per neuron, or one number for all), check it
against the population's size from describe_brain, and publish it as the
population's stimulus; ``SpikeTrains`` takes ``(neurons, times_ms)`` for a
``SpikeSourceArray`` population (brain_node's spike-time input). A wrong length fails
the call with a message naming the population; nothing is published for it.
``setup`` replaces ``if 'x' not in state``; if it raises, the run ends with its
traceback. Raw ``Input`` / ``Output`` stay for everything else; both kinds mix in one
function.

Calling convention. The function's parameters are matched by name:

- one per declared input: the latest message received on it (None before the first),
  or, for ``Input(..., keep='all')``, the list of every message since the last call;
  for ``Spikes``, the arrays of its code;
- ``t``: simulation time of the call, seconds;
- ``state``: a dict that persists across calls of this function;
- ``brain``: a client for the brain's reset_brain / get_weights / set_weights /
  set_synapse_properties services (tf_nodes.node.BrainClient);
- ``world``: a client for the world's reset_world / place_robot services;
- ``log``: the node's logger;
- ``params``: the tf_node's parameters (e.g. ``maze``, ``seed``) as a dict;
- ``stop``: call ``stop('why')`` to end the run once this call's outputs are published
  (the node exits with status 0; ``neurobot launch`` then stops the other nodes);
- ``triggered_by``: names of the inputs that fired this call.

It returns None (publish nothing), a dict output name -> message (messages left out or
None are not published), or, with exactly one output, the message itself. For ``Rates``
and ``Currents`` outputs the value is an array (or a number) instead of a message, for
``SpikeTrains`` a pair of arrays.

Triggers and throttling. By default any input fires the function; ``triggers`` lists
the inputs that do (the others only update their latest value). ``throttling_rate``
(Hz) limits calls per second of *simulation* time, so runs are reproducible.

Required inputs (fail safe). ``Input(..., required=True)`` marks an input the function
must not run without: until a message has arrived on it, and outside lockstep whenever
the latest one is older than the node's ``input_timeout_s`` (wall-clock seconds), the
function is not called; outputs declared with a ``safe`` message (e.g. a zero ``Twist``
on ``cmd_vel``) publish that message instead, and the node logs, every few seconds,
which input it is waiting for and on which topic (after remapping)::

    inputs={'odom': Input('odom', Odometry, qos='robot', required=True), ...},
    outputs={'cmd': Output('cmd_vel', Twist, safe=Twist())}

What the brain must have. Inputs on ``brain/<population>/spikes`` or ``rate_hz`` and
outputs on ``brain/<population>/stimulus`` name the populations a function needs;
``projections=(...)`` names the projections it reads or writes. tf_node checks them
against the brain's ``describe_brain`` answer as soon as the brain is up, and ends the
run with one message naming what is missing (instead of waiting forever for spikes of
a population the brain does not have).

Synchronous (default) functions take part in lockstep rounds when the node runs in
lockstep: they see every world and brain output of a round before it ends, and their
outputs take effect in the next round. Asynchronous functions (``synchronous=False``)
run whenever a trigger arrives, outside the rounds.
"""

from dataclasses import dataclass, field
import inspect
from typing import ClassVar

from neurobot_interfaces.msg import PopulationInput, PopulationSpikes

from tf_nodes.mappings import SPIKE_CODES
from tf_nodes.temporal import SpikeWindow

SPECIAL_ARGUMENTS = ('t', 'state', 'brain', 'world', 'log', 'params', 'stop', 'triggered_by')
SETUP_ARGUMENTS = ('state', 'brain', 'world', 'params', 'log')
QOS_CHOICES = ('reliable', 'sensor', 'robot')
KEEP_CHOICES = ('latest', 'all')


@dataclass(frozen=True)
class Input:
    """A topic a transfer function reads.

    Attributes:
        topic: topic name (relative names resolve in the node's namespace).
        msg_type: the ROS message class.
        qos: 'reliable' (default); 'sensor' (best effort always, never counted in lockstep);
            'robot' (a robot's sensor topic such as odom or scan: reliable and counted in
            lockstep, where the embedded world publishes it reliably, best effort on
            wall-clock time, so that any robot driver's publisher matches).
        keep: 'latest' (the last message) or 'all' (every message since the last call).
        required: the function is not called without a fresh message on this input
            (see the module docstring: fail safe on real robots).
    """

    topic: str
    msg_type: type
    qos: str = 'reliable'
    keep: str = 'latest'
    required: bool = False

    def __post_init__(self):
        if not isinstance(self.topic, str) or not self.topic:
            raise ValueError(f'Input topic must be a non-empty string, got {self.topic!r}')
        if self.qos not in QOS_CHOICES:
            raise ValueError(f'Input qos must be one of {QOS_CHOICES}, got {self.qos!r}')
        if self.keep not in KEEP_CHOICES:
            raise ValueError(f'Input keep must be one of {KEEP_CHOICES}, got {self.keep!r}')
        if not isinstance(self.required, bool):
            raise TypeError(f'Input required must be True or False, got {self.required!r}')


@dataclass(frozen=True)
class Output:
    """A topic a transfer function writes.

    Attributes:
        topic: topic name.
        msg_type: the ROS message class.
        safe: a message published instead of the function's output while one of its
            required inputs is missing or stale (e.g. ``Twist()``: stand still); None:
            publish nothing then.
    """

    topic: str
    msg_type: type
    safe: object = field(default=None, compare=False)

    def __post_init__(self):
        if not isinstance(self.topic, str) or not self.topic:
            raise ValueError(f'Output topic must be a non-empty string, got {self.topic!r}')
        if self.safe is not None and not isinstance(self.safe, self.msg_type):
            raise TypeError(f'Output safe must be a {self.msg_type.__name__} message, got '
                            f'{type(self.safe).__name__}')


def _population_name(kind, population):
    if not isinstance(population, str) or not population or '/' in population:
        raise ValueError(f'{kind} population must be a population name as describe_brain '
                         f'lists it (no slashes), got {population!r}')


@dataclass(frozen=True)
class Spikes:
    """A brain population's spikes, handed to the function as numpy arrays.

    Declared as an input (``inputs={'actions': Spikes('actions', window_ms=200)}``); the
    node subscribes to ``brain/<population>/spikes`` and feeds every step into a window.

    Attributes:
        population: the population's name (as describe_brain lists it).
        window_ms: the last ``window_ms`` of spikes (a sliding window over steps, exact
            to the ns); None: the latest step only.
        code: what the function receives (None before the first step):
            ``'counts'`` spikes per neuron (int64); ``'rates_hz'`` per-neuron rates over
            the window (or step); ``'times'`` a :class:`tf_nodes.mappings.SpikeTimes`
            ``(neurons, times_ms)``; ``'binned'`` neurons x bins of ``bin_ms`` (int64,
            oldest first; needs ``window_ms``); or a callable taking the counts and
            returning anything, e.g. a decoder of :mod:`tf_nodes.codes`:
            ``lambda counts: winner_take_all(counts, group_size=10).winner``.
        bin_ms: bin length of ``'binned'``; must divide ``window_ms``.
        required: the function is not called before this population's first step.
    """

    population: str
    window_ms: float = None
    code: object = 'counts'
    bin_ms: float = None
    required: bool = False

    def __post_init__(self):
        _population_name('Spikes', self.population)
        if not (callable(self.code) or self.code in SPIKE_CODES):
            raise ValueError(f'Spikes({self.population!r}) code must be one of {SPIKE_CODES} '
                             f'or a callable of the counts, got {self.code!r}')
        if self.code == 'binned' and self.window_ms is None:
            raise ValueError(f"Spikes({self.population!r}) code 'binned' needs window_ms")
        if self.bin_ms is not None and self.code != 'binned':
            raise ValueError(f"Spikes({self.population!r}) bin_ms is only for code 'binned'")
        if self.window_ms is not None:
            try:  # the window's own checks (positive, bins dividing the window)
                SpikeWindow(1, self.window_ms, bin_ms=self.bin_ms)
            except (TypeError, ValueError) as error:
                raise type(error)(f'Spikes({self.population!r}): {error}') from None
        if not isinstance(self.required, bool):
            raise TypeError(f'Spikes required must be True or False, got {self.required!r}')

    @property
    def topic(self) -> str:
        return f'brain/{self.population}/spikes'

    def as_input(self) -> Input:
        """The topic behind it (fed on arrival, so only the latest message is kept)."""
        return Input(self.topic, PopulationSpikes, required=self.required)


@dataclass(frozen=True)
class _Stimulus:
    population: str
    input_kind: ClassVar[str] = ''

    def __post_init__(self):
        _population_name(type(self).__name__, self.population)

    @property
    def topic(self) -> str:
        return f'brain/{self.population}/stimulus'

    def as_output(self) -> Output:
        return Output(self.topic, PopulationInput)


@dataclass(frozen=True)
class Rates(_Stimulus):
    """Firing rates (Hz) of a Poisson population, returned by the function as an array.

    Declared as an output (``outputs={'places': Rates('places')}``); the function returns
    one rate >= 0 per neuron (length = the population's size) or one number for all; it is
    published on ``brain/<population>/stimulus``. A wrong length, NaN or a negative rate
    fails the call with a message naming the population (nothing is published).
    """

    input_kind: ClassVar[str] = 'rate_hz'


@dataclass(frozen=True)
class Currents(_Stimulus):
    """DC currents (nA) added to a neuron population, returned as an array (see Rates)."""

    input_kind: ClassVar[str] = 'current_na'


@dataclass(frozen=True)
class SpikeTrains(_Stimulus):
    """Spike times for a ``SpikeSourceArray`` population, returned as arrays.

    Declared as an output (``outputs={'input': SpikeTrains('stim')}``); the function
    returns ``(neurons, times_ms)`` (e.g. a :class:`tf_nodes.mappings.SpikeTimes`): one
    neuron index and one time per spike, times in ms after the start of the brain's next
    step. It is published on ``brain/<population>/spike_input`` and replaces the
    population's schedule (an empty pair: silence). Indices outside the population,
    mismatched lengths, NaN or negative times fail the call naming the population; the
    earliest time and the horizon are brain_node's to check.
    """

    input_kind: ClassVar[str] = 'spike_times'

    @property
    def topic(self) -> str:
        return f'brain/{self.population}/spike_input'

    def as_output(self) -> Output:
        return Output(self.topic, PopulationSpikes)


@dataclass
class TransferFunctionSpec:
    """A decorated function and its declarations."""

    name: str
    function: object
    inputs: dict
    outputs: dict
    triggers: tuple
    throttling_rate: float
    synchronous: bool
    arguments: tuple = field(default=())
    projections: tuple = field(default=())
    spikes: dict = field(default_factory=dict)  # input name -> Spikes
    stimuli: dict = field(default_factory=dict)  # output name -> Rates, Currents, SpikeTrains
    setup: object = None
    setup_arguments: tuple = field(default=())


# Functions decorated while a user file is being loaded (see tf_nodes.runner).
_registry = []


def transfer_function(*, inputs, outputs=None, triggers=None, throttling_rate=None,
                      synchronous=True, name=None, projections=(), setup=None):
    """Declare a transfer function (see the module docstring).

    Args:
        inputs: input name -> Input, or Spikes (a population's spikes as arrays).
        outputs: output name -> Output, or Rates / Currents / SpikeTrains (arrays for a
            population).
        triggers: input names that fire the function; None: all inputs.
        throttling_rate: at most this many calls per second of simulation time (Hz);
            None or 0: every trigger.
        synchronous: take part in lockstep rounds (True) or run on arrival (False).
        name: the function's name in logs (default: its Python name).
        projections: names of the brain projections the function uses (checked at start).
        setup: a function called once, before the first call, with any of the arguments
            ``state``, ``brain``, ``world``, ``params``, ``log`` (matched by name); if it
            raises, the run ends with its traceback.

    Raises:
        TypeError, ValueError: declarations that cannot work, naming what was expected.
    """
    outputs = dict(outputs or {})
    inputs = dict(inputs)
    spikes = {key: value for key, value in inputs.items() if isinstance(value, Spikes)}
    stimuli = {key: value for key, value in outputs.items() if isinstance(value, _Stimulus)}
    inputs.update({key: value.as_input() for key, value in spikes.items()})
    outputs.update({key: value.as_output() for key, value in stimuli.items()})
    for kind, table, cls, mapped in (('inputs', inputs, Input, 'Spikes(population)'),
                                     ('outputs', outputs, Output,
                                      'Rates, Currents or SpikeTrains(population)')):
        for key, value in table.items():
            if not isinstance(value, cls):
                raise TypeError(f'{kind}[{key!r}] must be a {cls.__name__}(topic, msg_type) '
                                f'or {mapped}, got {value!r}')
    if not inputs:
        raise ValueError('a transfer function needs at least one input to be triggered by')
    clash = set(inputs) & set(SPECIAL_ARGUMENTS)
    if clash:
        raise ValueError(f'input names {sorted(clash)} clash with the special arguments '
                         f'{SPECIAL_ARGUMENTS}; rename them')
    trigger_names = tuple(inputs) if triggers is None else tuple(triggers)
    unknown = [t for t in trigger_names if t not in inputs]
    if unknown:
        raise ValueError(f'triggers {unknown} are not declared inputs; expected some of '
                         f'{sorted(inputs)}')
    if not trigger_names:
        raise ValueError('triggers must name at least one input')
    if isinstance(projections, str) or not all(isinstance(p, str) and p for p in projections):
        raise TypeError(f'projections must be a list of projection names, got {projections!r}')
    if throttling_rate is not None and not throttling_rate >= 0:
        raise ValueError(f'throttling_rate must be >= 0 Hz (or None), got {throttling_rate!r}')
    setup_arguments = ()
    if setup is not None:
        if not callable(setup):
            raise TypeError(f'setup must be a function, got {setup!r}')
        setup_arguments = tuple(inspect.signature(setup).parameters)
        unknown_setup = [p for p in setup_arguments if p not in SETUP_ARGUMENTS]
        if unknown_setup:
            raise TypeError(f'setup function {setup.__name__}() has parameters {unknown_setup}; '
                            f'it may take {SETUP_ARGUMENTS}')

    def decorate(function):
        parameters = inspect.signature(function).parameters
        allowed = set(inputs) | set(SPECIAL_ARGUMENTS)
        unknown_args = [p for p in parameters if p not in allowed]
        if unknown_args:
            raise TypeError(f'transfer function {function.__name__}() has parameters '
                            f'{unknown_args} that are neither inputs ({sorted(inputs)}) nor '
                            f'special arguments {SPECIAL_ARGUMENTS}')
        spec = TransferFunctionSpec(
            name=name or function.__name__, function=function, inputs=inputs,
            outputs=outputs, triggers=trigger_names,
            throttling_rate=float(throttling_rate or 0.0), synchronous=bool(synchronous),
            arguments=tuple(parameters), projections=tuple(projections), spikes=spikes,
            stimuli=stimuli, setup=setup, setup_arguments=setup_arguments)
        function.transfer_function = spec
        _registry.append(spec)
        return function

    return decorate
