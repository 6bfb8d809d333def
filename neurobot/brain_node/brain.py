"""The ROS-free brain: a PyNN brain file built once, then stepped and read with NEST.

:class:`Brain` is a small facade; each job lives in its own module, which states its
contract:

- :mod:`brain_node.pynn_setup`: PyNN set-up, running the brain file, what PyNN's first
  ``run()`` would have done;
- :mod:`brain_node.inventory`: populations and projections as brain_node sees them;
- :mod:`brain_node.spike_reader`: one spike recorder, read once per step, canonical order;
- :mod:`brain_node.inputs`: stimuli, validated and applied at the next step;
- :mod:`brain_node.spike_input`: spike times for SpikeSourceArray populations;
- :mod:`brain_node.reset`: the exact reset (snapshot, silence, drain, restore);
- :mod:`brain_node.connections`: synapse handles that stay valid and in a fixed order
  however NEST re-sorts its tables;
- :mod:`brain_node.weight_cache`: weights read and written through those handles, cached
  where that is exact;
- :mod:`brain_node.nest_fast`: NEST's low-level getters and setters.

PyNN builds the network (its ``run()`` costs ~5 ms per call and ``get_data()`` ~200 ms,
far too much per step); the per-step path talks to NEST directly.

Time. NEST's clock only moves forward, while the brain's time (what the rest of the
system sees) restarts its trials after :meth:`Brain.reset`. The brain keeps
``nest_offset_ms``: NEST time = brain time + offset. Stimulation devices are shifted by
moving their ``origin``, so a trial after a reset replays exactly like a fresh one.

What is exact, and what is not:

- weights: ``get_weights`` equals what NEST holds at that moment and ``set_weights``
  changes exactly the synapses named, in any brain, after any amount of simulation, with
  any number of threads (see :mod:`brain_node.connections` for why that needs care).
  Projections with several synapses between the same pair of neurons (multapses) have no
  dense matrix: dense access is refused with the counts (``connection_weights`` still
  reads them synapse by synapse);
- reset: bit-identical spikes (times, neurons and published order) to a freshly built
  brain on the same deterministic input, for the models in
  :data:`brain_node.reset.RESET_RECIPES`. Not reset, and said so in the reset message:
  models without a recipe (state variables only), the spike history of plastic synapses
  (``t_lastspike``, postsynaptic traces; their ``Kplus``/``c``/``n`` are restored), the
  random number generators (Poisson sources continue their sequence).
"""

from dataclasses import dataclass
import logging
import math
import time

import numpy as np

from brain_node import arguments as brain_arguments
from brain_node import inventory
from brain_node.connections import ConnectionRegistry
from brain_node.inputs import Inputs
from brain_node.nest_fast import set_node_status
from brain_node.pynn_setup import build, setup_pynn
from brain_node.reset import RESET_RECIPES, NeuronReset
from brain_node.spike_input import SpikeInputs
from brain_node.spike_reader import SpikeReader
from brain_node.stepping import is_multiple

_log = logging.getLogger(__name__)

STEP_MS_RANGE = (0.1, 1000.0)  # ms, allowed brain step lengths
SEED_RANGE = (1, 2**32 - 1)  # NEST's rng_seed
RESET_SCOPES = ('neurons', 'synapses', 'weights')  # what reset() restores, each adds to the last
# NEST synapse properties that belong to each synapse, not to its model
PER_SYNAPSE_PROPERTIES = ('weight', 'delay', 'receptor_type', 'source', 'target', 'port',
                          'synapse_id', 'synapse_model', 'target_thread')


@dataclass
class StepResult:
    """What one step produced.

    Attributes:
        step: index of the step since the brain was built (0-based).
        end_ms: brain time at the end of the step, ms.
        nest_ms: wall time spent in nest.Simulate, ms.
        spikes: population name -> spike_reader.PopulationSpikes, recorded populations only.
    """

    step: int
    end_ms: float
    nest_ms: float
    spikes: dict


class Brain:
    """A PyNN brain built in NEST, advanced step by step.

    Args:
        brain_file: path of the PyNN brain file.
        step_ms: step length, ms; a multiple of ``resolution_ms`` in [0.1, 1000].
        resolution_ms: NEST time resolution, ms.
        threads: NEST threads.
        seed: seed of NEST's RNG and of every PyNN NumpyRNG the file creates without a seed.
        spike_precision: 'on_grid' (default; faster, exact reset) or 'off_grid' (PyNN default).
        arguments: what the brain file's ``brain_node.arguments.argument`` calls return
            (None: none given, every call returns its default).

    Raises:
        ValueError: bad step, resolution, threads or spike precision.
        Exception: whatever the brain file raises, with its traceback.
    """

    def __init__(self, brain_file: str, step_ms: float = 20.0, resolution_ms: float = 0.1,
                 threads: int = 1, seed: int = 1234, spike_precision: str = 'on_grid',
                 arguments: dict = None):
        if not (isinstance(resolution_ms, (int, float)) and math.isfinite(resolution_ms)
                and resolution_ms > 0):
            raise ValueError(f'resolution_ms must be a number > 0, got {resolution_ms!r}')
        self.resolution_ms = float(resolution_ms)
        self.step_ms = self.check_step_ms(step_ms)
        if int(threads) < 1:
            raise ValueError(f'threads must be >= 1, got {threads}')
        if spike_precision not in ('on_grid', 'off_grid'):
            raise ValueError(f"spike_precision must be 'on_grid' or 'off_grid', "
                             f"got {spike_precision!r}")
        if not (isinstance(seed, (int, np.integer)) and SEED_RANGE[0] <= seed <= SEED_RANGE[1]):
            raise ValueError(f'seed must be an integer from {SEED_RANGE[0]} to {SEED_RANGE[1]} '
                             f'(NEST refuses 0), got {seed!r}')
        self.brain_file = str(brain_file)
        self.seed = int(seed)
        nest, sim = setup_pynn(self.resolution_ms, int(threads), self.seed, spike_precision)
        self._nest = nest
        with brain_arguments.given(arguments):
            loaded, recorded = build(self.brain_file, sim, self.resolution_ms, self.seed)
        self.namespace = loaded.namespace
        self._populations = {
            name: inventory.describe_population(name, pop, recorded.get(name))
            for name, pop in loaded.populations.items()}
        self._registry = ConnectionRegistry(nest)
        self._projections = {
            name: inventory.describe_projection(name, proj, self._populations, self._registry)
            for name, proj in loaded.projections.items()}
        self._spikes = SpikeReader(nest, self._populations)
        # Every connection brain_node makes exists now: take the synapse handles.
        self._registry.seal()
        self._inputs = Inputs(self._populations, self.namespace.get('STIMULUS_WINDOWS_MS'),
                              self.resolution_ms)
        self._spike_inputs = SpikeInputs(nest, self._populations, self.resolution_ms)
        self._snapshot_devices()
        for proj in self._projections.values():
            proj.weights.snapshot_plastic_state()
        self.steps_done = 0
        self.resets = 0
        # Read once: kernel status is not for hot paths.
        self._max_delay_ms = float(nest.GetKernelStatus('max_delay'))
        self.nest_ticks = 0  # NEST time in resolution steps (every Simulate goes through us)
        self.brain_ticks = 0  # brain time in resolution steps
        self.nest_offset_ticks = 0  # NEST time - brain time, in resolution steps
        _log.info('brain %s: %d populations, %d projections, %d neurons recorded',
                  self.brain_file, len(self._populations), len(self._projections),
                  len(self._spikes.recorded_gids))

    def _snapshot_devices(self):
        """Find the devices and neurons reset() must handle, and snapshot the neurons."""
        nest = self._nest
        all_nodes = nest.GetNodes()
        gids = np.asarray(all_nodes.tolist(), dtype=np.int64)
        kinds = np.asarray(all_nodes.get('element_type')).reshape(-1) if len(gids) else gids
        stimulators = gids[kinds == 'stimulator'] if len(gids) else gids
        recorders = gids[kinds == 'recorder'] if len(gids) else gids
        self._stimulators = nest.NodeCollection(stimulators.tolist()) if len(stimulators) else None
        self._stimulator_origins = (np.asarray(self._stimulators.get('origin'), dtype=np.float64)
                                    .reshape(-1) if self._stimulators else None)
        self._recorders = nest.NodeCollection(recorders.tolist()) if len(recorders) else None
        self._neurons = NeuronReset(nest, gids[kinds == 'neuron'] if len(gids) else gids)
        self.inexact_models = self._neurons.inexact_models

    # ------------------------------------------------------------------ properties

    @staticmethod
    def _check_step(step_ms, resolution_ms) -> float:
        try:
            step_ms = float(step_ms)
        except (TypeError, ValueError):
            raise ValueError(f'step_ms must be a number of milliseconds, '
                             f'got {step_ms!r}') from None
        low, high = STEP_MS_RANGE
        if not (math.isfinite(step_ms) and low <= step_ms <= high):
            raise ValueError(f'step_ms must be between {low} and {high} ms, got {step_ms}')
        if not is_multiple(step_ms, resolution_ms):
            raise ValueError(f'step_ms must be a multiple of resolution_ms={resolution_ms} ms, '
                             f'got {step_ms}')
        return step_ms

    def check_step_ms(self, step_ms) -> float:
        """Validate a step length for this brain; return it as float or raise ValueError."""
        return self._check_step(step_ms, self.resolution_ms)

    def set_step_ms(self, step_ms):
        """Change the step length from the next step on (validated)."""
        self.step_ms = self.check_step_ms(step_ms)

    @property
    def time_ms(self) -> float:
        """Brain time reached, ms (restarts of trials do not rewind it)."""
        return self.brain_ticks * self.resolution_ms

    @property
    def nest_offset_ms(self) -> float:
        """NEST time minus brain time, ms."""
        return self.nest_offset_ticks * self.resolution_ms

    @property
    def population_names(self):
        return list(self._populations)

    @property
    def projection_names(self):
        return list(self._projections)

    @property
    def spike_input_populations(self):
        """Populations that take spike times (SpikeSourceArray): :meth:`set_spike_times`."""
        return self._spike_inputs.populations

    @property
    def recorded_populations(self):
        return list(self._spikes.names)

    def describe_populations(self):
        """Return a PopulationInfo per population."""
        recorded = set(self._spikes.names)
        return [inventory.population_info(p, p.name in recorded, p.nest_model in RESET_RECIPES)
                for p in self._populations.values()]

    def describe_projections(self):
        """Return a ProjectionInfo per projection."""
        return [inventory.projection_info(p) for p in self._projections.values()]

    def population_size(self, name: str) -> int:
        return len(self._population(name).gids)

    def _population(self, name):
        try:
            return self._populations[name]
        except (KeyError, TypeError):
            raise ValueError(f'unknown population {name!r}; expected one of: '
                             f'{", ".join(self._populations) or "(none)"}') from None

    def _projection(self, name):
        try:
            return self._projections[name]
        except (KeyError, TypeError):
            raise ValueError(f'unknown projection {name!r}; expected one of: '
                             f'{", ".join(self._projections) or "(none)"}') from None

    def pynn_projection(self, name: str):
        """The PyNN Projection object of projection ``name``."""
        return self._projection(name).proj

    def synapse_collection(self, name: str):
        """A SynapseCollection of the projection, valid now, in brain_node's fixed order.

        Valid until the next connection is created or deleted in the kernel; take it again
        after that rather than keeping it.
        """
        return self._projection(name).weights.handles.collection

    # ------------------------------------------------------------------ inputs

    def set_input(self, name: str, values) -> None:
        """Queue a stimulus for a population, applied from the next step on.

        Args:
            name: population name.
            values: one value per neuron or one value for all; Hz for Poisson spike
                sources (>= 0), nA of DC current for neurons.

        Raises:
            ValueError: unknown population, no input possible, wrong length, bad values.
        """
        self._inputs.set(self._population(name), values)

    def set_spike_times(self, name: str, neurons, times_ms) -> None:
        """Queue the spikes a SpikeSourceArray population fires from the next step on.

        Args:
            name: population name.
            neurons: index of the firing neuron, one per spike.
            times_ms: spike times, ms after the next step's start (rounded to the
                resolution); see :mod:`brain_node.spike_input` for the range and rules.

        Raises:
            ValueError: unknown population, not a SpikeSourceArray, bad indices or times.
                Nothing is queued then.
        """
        self._population(name)
        self._spike_inputs.set(name, neurons, times_ms)

    # ------------------------------------------------------------------ stepping

    def step(self) -> StepResult:
        """Advance NEST by one step and return the spikes of the recorded populations."""
        self._inputs.apply()
        self._spike_inputs.apply(self.nest_ticks * self.resolution_ms)
        start = time.perf_counter()
        elapsed_ms = 0.0
        for end_ms in self._inputs.pulse_ends(self.step_ms):  # stimulus pulses end mid-step
            self._nest.Simulate(end_ms - elapsed_ms)
            self._inputs.end_pulses(end_ms)
            elapsed_ms = end_ms
        self._nest.Simulate(self.step_ms - elapsed_ms)
        self._inputs.end_pulses(math.inf)
        nest_ms = (time.perf_counter() - start) * 1e3
        step_ticks = int(round(self.step_ms / self.resolution_ms))
        self.brain_ticks += step_ticks
        self.nest_ticks += step_ticks
        step = self.steps_done
        self.steps_done += 1
        return StepResult(step=step, end_ms=self.time_ms, nest_ms=nest_ms,
                          spikes=self._spikes.read(self.nest_offset_ms))

    # ------------------------------------------------------------------ reset

    def reset(self, restore_weights: bool = False, scope: str = '') -> str:
        """Return the brain to its initial state (see :mod:`brain_node.reset`).

        Args:
            restore_weights: also write back every projection's initial weights (the same
                as ``scope='weights'``).
            scope: what is reset, each including the one before (see :data:`RESET_SCOPES`):
                'neurons': neuron state, in-flight spikes, inputs and recorders only;
                plastic synapses keep their traces (eligibility ``c``, dopamine ``n``,
                ``Kplus``) and every weight is kept, so learning within an episode
                survives a reset after each move; 'synapses' (default): also the plastic
                synapses' traces; 'weights': also the initial weights.

        Returns:
            A message saying what was done and what could not be reset exactly.

        Raises:
            ValueError: unknown scope, or ``restore_weights`` with a scope that keeps weights.
                Nothing is reset then.
        """
        scope = self._reset_scope(restore_weights, scope)
        start = time.perf_counter()
        res = self.resolution_ms
        drain_ticks = self._neurons.drain_ticks(self._max_delay_ms, res)
        trial_ticks = self.nest_ticks + drain_ticks
        if self._stimulators is not None:
            set_node_status(self._stimulators,
                            {'origin': self._stimulator_origins + trial_ticks * res})
        self._neurons.silence(res)
        self._nest.Simulate(drain_ticks * res)
        self.nest_ticks += drain_ticks
        self._neurons.restore()
        if self._recorders is not None:
            set_node_status(self._recorders, {'n_events': 0})
        self._inputs.reset()
        self._spike_inputs.reset()
        written = 0
        if scope == 'weights':
            written = sum(p.weights.restore_initial() for p in self._projections.values())
        if scope != 'neurons':
            for proj in self._projections.values():
                proj.weights.restore_plastic_state()
        self.nest_offset_ticks = trial_ticks - self.brain_ticks
        self.resets += 1
        duration_ms = (time.perf_counter() - start) * 1e3
        parts = [f'reset ({scope}) in {duration_ms:.1f} ms (drained {drain_ticks * res:g} '
                 f'ms of in-flight activity)',
                 f'initial weights restored ({written} synapses written)' if scope == 'weights'
                 else 'weights kept']
        if self.inexact_models:
            parts.append('NOT exact for NEST models ' + ', '.join(self.inexact_models)
                         + ' (no reset recipe: only their state variables were restored)')
        plastic = [p.name for p in self._projections.values() if p.weights.plastic]
        if plastic and scope == 'neurons':
            parts.append('plastic projections ' + ', '.join(plastic) + ' keep their synapse '
                         'traces (scope neurons)')
        elif plastic:
            parts.append('plastic projections ' + ', '.join(plastic) + ' keep the spike '
                         'history NEST cannot reset (t_lastspike, postsynaptic traces)')
        if any(p.input_kind == 'rate_hz' for p in self._populations.values()):
            parts.append('Poisson sources continue their random sequence')
        message = '; '.join(parts)
        _log.info(message)
        return message

    @staticmethod
    def _reset_scope(restore_weights, scope) -> str:
        if scope in ('', None):
            return 'weights' if restore_weights else 'synapses'
        if scope not in RESET_SCOPES:
            raise ValueError(f'unknown reset scope {scope!r}; expected one of '
                             f'{", ".join(RESET_SCOPES)} (or empty for the default)')
        if restore_weights and scope != 'weights':
            raise ValueError(f'restore_weights asks for the initial weights but scope {scope!r} '
                             f'keeps them; use scope weights')
        return scope

    # ------------------------------------------------------------------ weights

    def get_weights(self, name: str):
        """Return (rows, cols, flat row-major PyNN weights with NaN where unconnected).

        Raises:
            ValueError: unknown projection, or a projection with multapses.
        """
        return self._projection(name).weights.get_dense()

    def weights_version(self, name: str) -> int:
        """Return a counter bumped each time the brain writes the projection's weights.

        For static synapses equal versions mean equal weights; plastic weights change
        as the brain runs, whatever the version.
        """
        return self._projection(name).weights.version

    def connection_weights(self, name: str):
        """Return (flat row-major positions, PyNN weights) per synapse, in a fixed order.

        The values get_weights scatters into its dense matrix, without the scatter; the
        weight array is new on every call (a recorder may keep it without copying), the
        positions never change. Static: from the cache; plastic: read from NEST (seconds
        for 1e6 synapses).
        """
        return self._projection(name).weights.per_synapse()

    def set_weights(self, name: str, rows: int, cols: int, weights) -> int:
        """Write a dense PyNN weight matrix; returns the number of synapses written.

        Raises:
            ValueError: unknown projection, multapses, wrong shape or length, NaN/inf at a
                connection, value where there is none, or a forbidden sign. Nothing is
                written then.
        """
        return self._projection(name).weights.set_dense(rows, cols, weights)

    def set_synapse_properties(self, name: str, properties: dict) -> str:
        """Set common properties of the NEST synapse model of projection ``name``.

        For rule constants shared by every synapse of a model (e.g. an STDP rule's
        amplitudes): ``{'A_plus': 0.0, 'A_minus': 0.0}`` on a ``stdp_dopamine_synapse``
        freezes its weights. Every synapse of the model changes, including those of other
        projections on the same model. Weights are never set this way.

        Returns:
            A one-line description of what was set.

        Raises:
            ValueError: unknown projection, a property the model does not have, a
                per-synapse property (weight, delay, receptor), or a non-finite number.
                Nothing is set then.
        """
        import math
        import nest
        model = self.pynn_projection(name).nest_synapse_model
        if not isinstance(properties, dict) or not properties:
            raise ValueError(f'synapse properties of {name!r} must be a non-empty object of '
                             f'property -> number, got {properties!r}')
        defaults = nest.GetDefaults(model)
        values = {}
        for key, value in properties.items():
            if key in PER_SYNAPSE_PROPERTIES:
                raise ValueError(f'{key!r} is a per-synapse property of {name!r}, not a common '
                                 f'one (weights go through set_weights)')
            if key not in defaults or isinstance(defaults[key], (bool, str)) \
                    or not isinstance(defaults[key], (int, float)):
                raise ValueError(f'synapse model {model} of {name!r} has no numeric common '
                                 f'property {key!r}')
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise ValueError(f'{name!r} property {key!r} must be a finite number, '
                                 f'got {value!r}')
            values[key] = float(value)
        nest.SetDefaults(model, values)
        return f'{model} ({name}): ' + ', '.join(f'{k}={v:g}' for k, v in values.items())
