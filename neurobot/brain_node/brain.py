"""The ROS-free brain: a PyNN brain file built once, then stepped and read with NEST.

PyNN builds the network (its ``run()`` costs ~5 ms per call and ``get_data()``
~200 ms, far too much per step); the per-step path talks to NEST directly:
``nest.Simulate(step_ms)`` and one ``spike_recorder`` for every recorded neuron.

Time. NEST's clock only moves forward, while the brain's time (what the rest of the
system sees) restarts its trials after :meth:`Brain.reset`. The brain therefore keeps
``nest_offset_ms``: NEST time = brain time + offset. Stimulation devices are shifted
by moving their ``origin``, so a trial after a reset replays exactly like a fresh one.

Reset (NEST 3 has no ResetNetwork, and setting V_m alone leaves spikes in the
synaptic ring buffers and current in ``I_syn_*``, which cannot be set):

1. stimulation devices get ``origin = initial origin + start of the next trial``, so
   they stay silent until then;
2. neurons of models in :data:`RESET_RECIPES` are *silenced* (threshold raised out of
   reach) and their synaptic currents made to decay within a few time steps
   (``tau_syn`` set to 1/100 of the resolution);
3. NEST runs for a *drain* of ``2 * max_delay + max(t_ref) + 10`` resolution steps:
   every spike in flight is delivered, parrots relay their last inputs, refractory
   periods end and synaptic currents decay to exactly 0.0 (underflow);
4. parameters are restored, and every settable state variable (V_m, g_ex, ...) is set
   to the value it had when the brain was built; recorders are cleared; inputs return
   to the brain file's values; optionally the initial weights are written back.

The next trial then produces bit-identical spikes to a freshly built brain on the same
deterministic input. What NEST does not let us reset is reported, never hidden: the
spike history of plastic synapses (``t_lastspike``, the postsynaptic trace), random
number generator state (Poisson sources), and models without a recipe.

Weights. NEST 3.10 has no array getter (reading 1e6 weights takes seconds); the brain
caches what it can: a projection's connection list and the dense index of every
connection are read once at load, static synapses' weights are known from then on
(only ``set_weights`` changes them), and ``set_weights`` writes only the synapses whose
value changed. Plastic weights are read from NEST on every request. Every write bumps
the projection's :meth:`Brain.weights_version`, so a weight recorder can tell that static
weights did not change without reading them.
"""

from dataclasses import dataclass, field
import logging
import math
import os
import time

import numpy as np

from brain_node.loader import load_brain_file
from brain_node.stepping import is_multiple
from brain_node.weights import ConnectionIndex, check_dense_weights, weight_units

os.environ.setdefault('PYNEST_QUIET', '1')  # no NEST banner in node logs

_log = logging.getLogger(__name__)

STEP_MS_RANGE = (0.1, 1000.0)  # ms, allowed brain step lengths
SILENT_THRESHOLD_MV = 1.0e12  # mV, V_th during the reset drain: no neuron can reach it
DRAIN_EXTRA_STEPS = 10  # resolution steps added to the drain for the decay to reach 0.0
FAST_DECAY_FRACTION = 0.01  # tau_syn during the drain, as a fraction of the resolution
MAX_RATE_HZ = 1.0e5  # Hz, upper bound of a Poisson input rate
MAX_CURRENT_NA = 1.0e6  # nA, bound of a DC input (sanity, not physiology)
STATIC_SYNAPSE_PREFIXES = ('static_synapse',)  # weights change only through set_weights


@dataclass(frozen=True)
class ResetRecipe:
    """How to reset one NEST neuron model exactly.

    Attributes:
        silence: parameters set to SILENT_THRESHOLD_MV during the drain.
        fast_decay: synaptic time constants shortened during the drain.
    """

    silence: tuple = ()
    fast_decay: tuple = ()


# Models whose exact reset is implemented and tested (test/brain/test_reset.py).
RESET_RECIPES = {
    'iaf_psc_exp': ResetRecipe(silence=('V_th',), fast_decay=('tau_syn_ex', 'tau_syn_in')),
    'iaf_psc_alpha': ResetRecipe(silence=('V_th',), fast_decay=('tau_syn_ex', 'tau_syn_in')),
    'iaf_psc_delta': ResetRecipe(silence=('V_th',)),
    'iaf_cond_exp': ResetRecipe(silence=('V_th',)),
    'iaf_cond_alpha': ResetRecipe(silence=('V_th',)),
    'parrot_neuron': ResetRecipe(),
    'parrot_neuron_ps': ResetRecipe(),
}

# State variables restored from the snapshot taken when the brain was built.
STATE_VARIABLES = ('V_m', 'g_ex', 'g_in', 'dg_ex', 'dg_in', 'U_m', 'w', 'g_rr', 'g_sfa',
                   'Act_m', 'Act_n', 'Inact_h', 'Ca')


@dataclass
class PopulationSpikes:
    """Spikes of one population in one step (brain time, ms)."""

    counts: np.ndarray
    neurons: np.ndarray
    times_ms: np.ndarray


@dataclass
class StepResult:
    """What one step produced.

    Attributes:
        step: index of the step since the brain was built (0-based).
        end_ms: brain time at the end of the step, ms.
        nest_ms: wall time spent in nest.Simulate, ms.
        spikes: population name -> spikes, for recorded populations.
    """

    step: int
    end_ms: float
    nest_ms: float
    spikes: dict


@dataclass
class PopulationInfo:
    """Description of a population (see neurobot_interfaces/PopulationInfo)."""

    name: str
    label: str
    cell_type: str
    nest_model: str
    size: int
    recorded: bool
    input_kind: str
    exact_reset: bool


@dataclass
class ProjectionInfo:
    """Description of a projection (see neurobot_interfaces/ProjectionInfo)."""

    name: str
    label: str
    pre: str
    post: str
    rows: int
    cols: int
    connections: int
    synapse_type: str
    nest_synapse_model: str
    receptor_type: str
    plastic: bool
    weight_units: str
    weight_sign: int


@dataclass
class _Population:
    name: str
    pop: object  # PyNN Population
    cells: object  # NodeCollection of the neurons (parrots for spike sources)
    gids: np.ndarray
    nest_model: str
    input_kind: str  # 'rate_hz', 'current_na' or ''
    sources: object = None  # NodeCollection of the generators of a spike source
    recorded_gids: np.ndarray = None
    initial_input: np.ndarray = None  # rates (Hz) or I_e (pA) as built
    pending_input: np.ndarray = None
    applied_input: bool = False


@dataclass
class _Projection:
    name: str
    proj: object  # PyNN Projection
    connections: object  # nest.SynapseCollection
    count: int  # number of synapses
    units: object  # WeightUnits
    plastic: bool
    pre_name: str
    post_name: str
    rows: int
    cols: int
    # Read from NEST on first need (static) or at load (plastic, whose weights change
    # as soon as the brain runs):
    index: ConnectionIndex = None
    initial_nest: np.ndarray = None  # NEST weights when the brain was built
    known_nest: np.ndarray = None  # NEST weights last read or written (authoritative if static)
    plastic_state: dict = field(default_factory=dict)  # resettable synapse state, e.g. Kplus
    version: int = 0  # bumped by every write of the weights (set_weights, restore on reset)


def _node_ids(obj) -> np.ndarray:
    """Global NEST ids of a PyNN Population/PopulationView/Assembly, in PyNN index order."""
    return np.asarray([int(i) for i in obj.all_cells], dtype=np.int64)


def _index_of(gids: np.ndarray, lookup_gids: np.ndarray) -> np.ndarray:
    """Map NEST ids to 0-based positions within ``gids`` (every id must be present)."""
    order = np.argsort(gids, kind='stable')
    pos = np.searchsorted(gids[order], lookup_gids)
    return order[pos]


def _as_array(values, size: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0 or array.size == 1:
        return np.full(size, float(array.ravel()[0]))
    return array.ravel()


class Brain:
    """A PyNN brain built in NEST, advanced step by step.

    Args:
        brain_file: path of the PyNN brain file.
        step_ms: step length, ms; a multiple of ``resolution_ms`` in [0.1, 1000].
        resolution_ms: NEST time resolution, ms.
        threads: NEST threads.
        seed: seed of NEST's RNG and of every PyNN NumpyRNG the file creates without a seed.
        spike_precision: 'on_grid' (default; faster, exact reset) or 'off_grid' (PyNN default).

    Raises:
        ValueError: bad step or resolution.
        Exception: whatever the brain file raises, with its traceback.
    """

    def __init__(self, brain_file: str, step_ms: float = 20.0, resolution_ms: float = 0.1,
                 threads: int = 1, seed: int = 1234, spike_precision: str = 'on_grid'):
        if not resolution_ms > 0:
            raise ValueError(f'resolution_ms must be > 0, got {resolution_ms}')
        self.resolution_ms = float(resolution_ms)
        self.step_ms = self.check_step_ms(step_ms)
        if threads < 1:
            raise ValueError(f'threads must be >= 1, got {threads}')
        if spike_precision not in ('on_grid', 'off_grid'):
            raise ValueError(f"spike_precision must be 'on_grid' or 'off_grid', got {spike_precision!r}")
        self.brain_file = str(brain_file)
        self.seed = int(seed)
        import nest
        import pyNN.nest as sim
        self._nest = nest
        nest.set_verbosity('M_ERROR')
        sim.setup(timestep=self.resolution_ms, threads=int(threads), rng_seed=self.seed,
                  spike_precision=spike_precision, verbosity='error')
        np.random.seed(self.seed % 2**32)
        with _seeded_numpy_rngs(self.seed):
            loaded = load_brain_file(self.brain_file, sim, self.resolution_ms)
        self.namespace = loaded.namespace
        recorded = _take_over_recording(loaded.populations)
        _connect_deferred_parrots()
        self._populations = {}
        for name, pop in loaded.populations.items():
            self._populations[name] = self._describe_population(name, pop, recorded.get(name))
        self._projections = {}
        for name, proj in loaded.projections.items():
            self._projections[name] = self._describe_projection(name, proj)
        self._build_recorder()
        self._snapshot_initial_state()
        self.steps_done = 0
        self.resets = 0
        # Read once: GetKernelStatus builds the whole kernel status, whose cost grows with
        # the simulated time (13 ms after 80 s), so the hot paths never call it.
        self._max_delay_ms = float(nest.GetKernelStatus('max_delay'))
        self.nest_ticks = 0  # NEST time in resolution steps (every Simulate goes through us)
        self.brain_ticks = 0  # brain time in resolution steps
        self.nest_offset_ticks = 0  # NEST time - brain time, in resolution steps
        _log.info('brain %s: %d populations, %d projections, %d neurons recorded',
                  self.brain_file, len(self._populations), len(self._projections),
                  len(self._recorded_gids))

    # ------------------------------------------------------------------ building

    def _describe_population(self, name, pop, recorded_ids):
        celltype = getattr(pop, 'celltype', None)
        uses_parrot = bool(getattr(celltype, 'uses_parrot', False))
        cells = pop.node_collection
        gids = _node_ids(pop)
        model = cells[0].get('model') if len(cells) else ''
        sources = getattr(pop, 'node_collection_source', None) if uses_parrot else None
        input_kind, initial = '', None
        if uses_parrot and sources is not None:
            source_model = sources[0].get('model')
            if source_model.startswith('poisson_generator'):
                input_kind = 'rate_hz'
                initial = np.asarray(sources.get('rate'), dtype=np.float64).reshape(-1)
        elif not uses_parrot and 'I_e' in cells[0].get():
            input_kind = 'current_na'
            initial = np.asarray(cells.get('I_e'), dtype=np.float64).reshape(-1)
        rec = None
        if recorded_ids:
            rec = np.asarray(sorted(int(i) for i in recorded_ids), dtype=np.int64)
        return _Population(name=name, pop=pop, cells=cells, gids=gids, nest_model=model,
                           input_kind=input_kind, sources=sources, recorded_gids=rec,
                           initial_input=initial)

    def _population_name(self, obj) -> str:
        for name, p in self._populations.items():
            if p.pop is obj:
                return name
        parent = getattr(obj, 'parent', None)
        if parent is not None:
            return self._population_name(parent) + '[view]'
        return getattr(obj, 'label', '?')

    def _describe_projection(self, name, proj):
        connections = proj.nest_connections
        post_celltype = getattr(proj.post, 'celltype', None)
        if post_celltype is None:  # an Assembly: all members share receptor conventions
            post_celltype = proj.post.populations[0].celltype
        units = weight_units(
            conductance_based=bool(getattr(proj.post, 'conductance_based', False)),
            receptor_type=str(proj.receptor_type),
            receptor_scale=float(getattr(post_celltype, 'receptor_scale', 1.0)),
            standard_receptor=bool(getattr(post_celltype, 'standard_receptor_type', True)))
        model = proj.nest_synapse_model
        handle = _Projection(
            name=name, proj=proj, connections=connections, count=len(connections),
            units=units, plastic=not model.startswith(STATIC_SYNAPSE_PREFIXES),
            pre_name=self._population_name(proj.pre), post_name=self._population_name(proj.post),
            rows=len(proj.pre), cols=len(proj.post))
        if handle.plastic:
            self._load_connections(handle)
            if handle.count:
                keys = connections[0].get()
                for key in ('Kplus', 'c', 'n'):  # traces NEST lets us set (stdp, stdp_dopamine)
                    if key in keys:
                        handle.plastic_state[key] = np.asarray(connections.get(key),
                                                               dtype=np.float64).reshape(-1)
        return handle

    def _load_connections(self, proj):
        """Read a projection's sources, targets and weights from NEST (once; slow for 1e6)."""
        if proj.index is not None:
            return
        start = time.perf_counter()
        if proj.count:
            status = proj.connections.get(['source', 'target', 'weight'])
            sources = np.asarray(status['source'], dtype=np.int64).reshape(-1)
            targets = np.asarray(status['target'], dtype=np.int64).reshape(-1)
            nest_weights = np.asarray(status['weight'], dtype=np.float64).reshape(-1)
        else:
            sources = targets = np.zeros(0, dtype=np.int64)
            nest_weights = np.zeros(0)
        proj.index = ConnectionIndex(rows=proj.rows, cols=proj.cols,
                                     pre=_index_of(_node_ids(proj.proj.pre), sources),
                                     post=_index_of(_node_ids(proj.proj.post), targets))
        proj.initial_nest = nest_weights
        proj.known_nest = nest_weights.copy()
        _log.info('projection %s: read %d connections in %.2f s', proj.name, proj.count,
                  time.perf_counter() - start)

    def _build_recorder(self):
        nest = self._nest
        recorded = [p.recorded_gids for p in self._populations.values()
                    if p.recorded_gids is not None and len(p.recorded_gids)]
        self._recorded_gids = np.concatenate(recorded) if recorded else np.zeros(0, np.int64)
        self._recorder = None
        max_gid = int(max((p.gids.max() for p in self._populations.values() if len(p.gids)),
                          default=0))
        # gid -> (population number, neuron index) lookups for splitting recorder events
        self._gid_population = np.full(max_gid + 1, -1, dtype=np.int64)
        self._gid_neuron = np.zeros(max_gid + 1, dtype=np.int64)
        self._recorded_names = []
        for p in self._populations.values():
            if p.recorded_gids is None or not len(p.recorded_gids):
                continue
            number = len(self._recorded_names)
            self._recorded_names.append(p.name)
            self._gid_population[p.gids] = number
            self._gid_neuron[p.gids] = np.arange(len(p.gids))
        if len(self._recorded_gids):
            self._recorder = nest.Create('spike_recorder', params={'record_to': 'memory'})
            nest.Connect(nest.NodeCollection(sorted(self._recorded_gids.tolist())),
                         self._recorder)

    def _snapshot_initial_state(self):
        """Remember everything reset() must restore: state, parameters, device origins."""
        nest = self._nest
        all_nodes = nest.GetNodes()
        element_types = np.asarray(all_nodes.get('element_type')) if len(all_nodes) else []
        gids = np.asarray(all_nodes.tolist(), dtype=np.int64)
        stimulators = gids[element_types == 'stimulator'] if len(gids) else gids
        recorders = gids[element_types == 'recorder'] if len(gids) else gids
        self._stimulators = nest.NodeCollection(stimulators.tolist()) if len(stimulators) else None
        self._stimulator_origins = (np.asarray(self._stimulators.get('origin'), dtype=np.float64)
                                    .reshape(-1) if self._stimulators else None)
        self._recorders = nest.NodeCollection(recorders.tolist()) if len(recorders) else None
        neurons = gids[element_types == 'neuron'] if len(gids) else gids
        models = np.asarray(nest.NodeCollection(neurons.tolist()).get('model')).reshape(-1) \
            if len(neurons) else np.asarray([])
        self._neuron_groups = []  # (model, NodeCollection, recipe or None, state, params)
        self.inexact_models = []
        for model in sorted(set(models.tolist())):
            group = nest.NodeCollection(neurons[models == model].tolist())
            status = group[0].get()
            state = {}
            for var in STATE_VARIABLES:
                if var in status and _settable(group[0], var, status[var]):
                    state[var] = np.asarray(group.get(var), dtype=np.float64).reshape(-1)
            recipe = RESET_RECIPES.get(model)
            if recipe is None:
                self.inexact_models.append(model)
            changed = () if recipe is None else recipe.silence + recipe.fast_decay
            params = {key: np.asarray(group.get(key), dtype=np.float64).reshape(-1)
                      for key in changed}
            t_ref = float(np.max(group.get('t_ref'))) if 't_ref' in status else 0.0
            self._neuron_groups.append((model, group, recipe, state, params, t_ref))
        if self.inexact_models:
            _log.warning('reset_brain cannot restore models %s exactly (no reset recipe)',
                         ', '.join(self.inexact_models))

    # ------------------------------------------------------------------ properties

    @staticmethod
    def _check_step(step_ms, resolution_ms) -> float:
        try:
            step_ms = float(step_ms)
        except (TypeError, ValueError):
            raise ValueError(f'step_ms must be a number of milliseconds, got {step_ms!r}') from None
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
    def recorded_populations(self):
        return list(self._recorded_names)

    def describe_populations(self):
        """Return a PopulationInfo per population."""
        return [PopulationInfo(
            name=p.name, label=str(p.pop.label), cell_type=type(p.pop.celltype).__name__,
            nest_model=p.nest_model, size=len(p.gids), recorded=p.name in self._recorded_names,
            input_kind=p.input_kind, exact_reset=p.nest_model in RESET_RECIPES)
            for p in self._populations.values()]

    def describe_projections(self):
        """Return a ProjectionInfo per projection."""
        return [ProjectionInfo(
            name=p.name, label=str(p.proj.label), pre=p.pre_name, post=p.post_name,
            rows=p.rows, cols=p.cols, connections=p.count,
            synapse_type=type(p.proj.synapse_type).__name__,
            nest_synapse_model=p.proj.nest_synapse_model, receptor_type=str(p.proj.receptor_type),
            plastic=p.plastic, weight_units=p.units.units, weight_sign=p.units.sign)
            for p in self._projections.values()]

    def population_size(self, name: str) -> int:
        return len(self._population(name).gids)

    # ------------------------------------------------------------------ inputs

    def _population(self, name):
        try:
            return self._populations[name]
        except KeyError:
            raise ValueError(f'unknown population {name!r}; expected one of: '
                             f'{", ".join(self._populations) or "(none)"}') from None

    def set_input(self, name: str, values) -> None:
        """Queue a stimulus for a population, applied from the next step on.

        Args:
            name: population name.
            values: one value per neuron or one value for all; Hz for Poisson spike
                sources (>= 0), nA of DC current for neurons.

        Raises:
            ValueError: unknown population, no input possible, wrong length, bad values.
        """
        pop = self._population(name)
        if not pop.input_kind:
            raise ValueError(f'population {name!r} ({type(pop.pop.celltype).__name__}) accepts '
                             f'no input; inputs go to SpikeSourcePoisson populations (rates, Hz) '
                             f'and neuron populations (DC current, nA)')
        array = np.asarray(values, dtype=np.float64).ravel()
        size = len(pop.gids)
        if array.size not in (1, size):
            raise ValueError(f'population {name!r} has {size} neurons; expected 1 or {size} '
                             f'values, got {array.size}')
        if not np.isfinite(array).all():
            raise ValueError(f'input for {name!r} contains NaN or inf; expected finite numbers')
        if pop.input_kind == 'rate_hz' and ((array < 0).any() or (array > MAX_RATE_HZ).any()):
            raise ValueError(f'rates for {name!r} must lie in [0, {MAX_RATE_HZ:g}] Hz, got '
                             f'min {array.min():g}, max {array.max():g}')
        if pop.input_kind == 'current_na' and (np.abs(array) > MAX_CURRENT_NA).any():
            raise ValueError(f'currents for {name!r} must lie within +-{MAX_CURRENT_NA:g} nA')
        pop.pending_input = array

    def _apply_inputs(self):
        for pop in self._populations.values():
            if pop.pending_input is None:
                continue
            values, pop.pending_input = pop.pending_input, None
            if pop.input_kind == 'rate_hz':
                set_node_status(pop.sources, {'rate': _as_array(values, len(pop.gids))})
            else:
                currents_pa = pop.initial_input + _as_array(values, len(pop.gids)) * 1000.0
                set_node_status(pop.cells, {'I_e': currents_pa})
            pop.applied_input = True

    # ------------------------------------------------------------------ stepping

    def step(self) -> StepResult:
        """Advance NEST by one step and return the spikes of the recorded populations."""
        nest = self._nest
        self._apply_inputs()
        start = time.perf_counter()
        nest.Simulate(self.step_ms)
        nest_ms = (time.perf_counter() - start) * 1e3
        step_ticks = int(round(self.step_ms / self.resolution_ms))
        self.brain_ticks += step_ticks
        self.nest_ticks += step_ticks
        step = self.steps_done
        self.steps_done += 1
        return StepResult(step=step, end_ms=self.time_ms, nest_ms=nest_ms,
                          spikes=self._read_spikes())

    def _read_spikes(self) -> dict:
        if self._recorder is None:
            return {}
        from nest import nestkernel_api  # the low-level getter: no per-call bookkeeping
        events = nestkernel_api.llapi_get_nc_status(self._recorder._datum, 'events')
        senders = np.asarray(events['senders'], dtype=np.int64)
        times = np.asarray(events['times'], dtype=np.float64) - self.nest_offset_ms
        if len(senders):
            set_node_status(self._recorder, {'n_events': 0})
        populations = self._gid_population[senders]
        neurons = self._gid_neuron[senders]
        result = {}
        for number, name in enumerate(self._recorded_names):
            size = len(self._populations[name].gids)
            mask = populations == number
            pop_neurons = neurons[mask]
            result[name] = PopulationSpikes(
                counts=np.bincount(pop_neurons, minlength=size).astype(np.uint32),
                neurons=pop_neurons.astype(np.uint32), times_ms=times[mask])
        return result

    # ------------------------------------------------------------------ reset

    def reset(self, restore_weights: bool = False) -> str:
        """Return the brain to its initial state (see the module docstring).

        Args:
            restore_weights: also write back every projection's initial weights.

        Returns:
            A message saying what was done and what could not be reset exactly.
        """
        nest = self._nest
        start = time.perf_counter()
        res = self.resolution_ms
        t_ref = max((g[5] for g in self._neuron_groups), default=0.0)
        drain_ticks = (int(math.ceil((2 * self._max_delay_ms + t_ref) / res - 1e-9))
                       + DRAIN_EXTRA_STEPS)
        trial_ticks = self.nest_ticks + drain_ticks
        trial_ms = trial_ticks * res
        if self._stimulators is not None:
            set_node_status(self._stimulators, {'origin': self._stimulator_origins + trial_ms})
        for model, group, recipe, state, params, _ in self._neuron_groups:
            if recipe is None:
                continue
            changes = {key: SILENT_THRESHOLD_MV for key in recipe.silence}
            changes.update({key: res * FAST_DECAY_FRACTION for key in recipe.fast_decay})
            if changes:
                set_node_status(group, changes)
        nest.Simulate(drain_ticks * res)
        self.nest_ticks += drain_ticks
        for model, group, recipe, state, params, _ in self._neuron_groups:
            restore = dict(params, **state)
            if restore:
                set_node_status(group, restore)
        if self._recorders is not None:
            set_node_status(self._recorders, {'n_events': 0})
        for pop in self._populations.values():
            pop.pending_input = None
            if pop.applied_input:
                target = pop.sources if pop.input_kind == 'rate_hz' else pop.cells
                set_node_status(target, {'rate' if pop.input_kind == 'rate_hz' else 'I_e':
                                         pop.initial_input})
                pop.applied_input = False
        written = 0
        if restore_weights:
            for proj in self._projections.values():
                if proj.index is not None:  # never read, so never written: still initial
                    written += self._write_nest_weights(proj, proj.initial_nest)
        plastic = [p.name for p in self._projections.values() if p.plastic]
        for proj in self._projections.values():
            for key, values in proj.plastic_state.items():
                proj.connections.set({key: values.tolist()})
        self.nest_offset_ticks = trial_ticks - self.brain_ticks
        self.resets += 1
        duration_ms = (time.perf_counter() - start) * 1e3
        parts = [f'reset in {duration_ms:.1f} ms (drained {drain_ticks * res:g} ms of '
                 f'in-flight activity)',
                 f'initial weights restored ({written} synapses written)' if restore_weights
                 else 'weights kept']
        if self.inexact_models:
            parts.append('NOT exact for NEST models ' + ', '.join(self.inexact_models)
                         + ' (no reset recipe: only their state variables were restored)')
        if plastic:
            parts.append('plastic projections ' + ', '.join(plastic) + ' keep the spike '
                         'history NEST cannot reset (t_lastspike, postsynaptic traces)')
        if any(p.input_kind == 'rate_hz' for p in self._populations.values()):
            parts.append('Poisson sources continue their random sequence')
        message = '; '.join(parts)
        _log.info(message)
        return message

    # ------------------------------------------------------------------ weights

    def _projection(self, name):
        try:
            return self._projections[name]
        except KeyError:
            raise ValueError(f'unknown projection {name!r}; expected one of: '
                             f'{", ".join(self._projections) or "(none)"}') from None

    def _read_nest_weights(self, proj) -> np.ndarray:
        self._load_connections(proj)
        if not proj.plastic or proj.count == 0:
            return proj.known_nest
        weights = np.asarray(proj.connections.get('weight'), dtype=np.float64).reshape(-1)
        proj.known_nest = weights
        return weights

    def _write_nest_weights(self, proj, nest_weights: np.ndarray) -> int:
        """Write NEST weights; only changed ones for static synapses. Returns the count."""
        if proj.count == 0:
            return 0
        if proj.plastic:
            changed = np.arange(proj.count)
        else:
            changed = np.flatnonzero(nest_weights != proj.known_nest)
            if len(changed) == 0:
                return 0
        _set_connection_weights(proj.connections, changed, nest_weights[changed])
        proj.known_nest = nest_weights.copy()
        proj.version += 1
        return len(changed)

    def get_weights(self, name: str):
        """Return (rows, cols, flat row-major PyNN weights with NaN where unconnected)."""
        proj = self._projection(name)
        nest_weights = self._read_nest_weights(proj)
        if proj.index.multapses:
            raise ValueError(f'projection {name!r} has several synapses between the same pair of '
                             f'neurons (multapses); dense weight access is not defined for it')
        return proj.rows, proj.cols, proj.index.to_dense(nest_weights / proj.units.nest_per_pynn)

    def weights_version(self, name: str) -> int:
        """Return a counter bumped each time the brain writes the projection's weights.

        For static synapses equal versions mean equal weights; plastic weights change
        as the brain runs, whatever the version.
        """
        return self._projection(name).version

    def connection_weights(self, name: str):
        """Return (flat row-major positions, PyNN weights) per connection, NEST's order.

        The values get_weights scatters into its dense matrix, without the scatter; the
        weight array is new on every call (a recorder may keep it without copying).
        Static: from the cache; plastic: read from NEST (seconds for 1e6 synapses).
        """
        proj = self._projection(name)
        nest_weights = self._read_nest_weights(proj)
        return proj.index.flat, nest_weights / proj.units.nest_per_pynn

    def set_weights(self, name: str, rows: int, cols: int, weights) -> int:
        """Write a dense PyNN weight matrix; returns the number of synapses written.

        Raises:
            ValueError: unknown projection, wrong shape or length, NaN/inf at a
                connection, value where there is none, or a forbidden sign. Nothing is
                written then.
        """
        proj = self._projection(name)
        self._load_connections(proj)
        dense = check_dense_weights(proj.index, proj.units, rows, cols, weights)
        nest_weights = proj.index.from_dense(dense) * proj.units.nest_per_pynn
        return self._write_nest_weights(proj, nest_weights)


def _set_connection_weights(connections, positions: np.ndarray, values: np.ndarray):
    """Set the weights of the connections at ``positions`` of a SynapseCollection.

    Goes to NEST's low-level setter with one small dict per synapse built from Python
    floats: SynapseCollection.set(weight=array) builds the same list through numpy
    scalar indexing, which costs about as much again.
    """
    datum = connections._datum
    if len(positions) == len(datum):
        subset = datum
    else:
        subset = [datum[i] for i in positions.tolist()]
    from nest import nestkernel_api
    nestkernel_api.llapi_set_connection_status(subset, [{'weight': w} for w in values.tolist()])


def set_node_status(nodes, params: dict):
    """Set parameters of a NodeCollection: scalars apply to all nodes, arrays per node.

    Calls NEST's low-level setter directly: NodeCollection.set() first reads every
    node's 'local' flag (a full status dictionary per node, ~0.1 s for 10,000 neurons),
    which brain_node, running NEST in one process, does not need. Arrays whose values
    are all equal are sent as one scalar.
    """
    from nest import nestkernel_api
    scalars, arrays = {}, {}
    for key, value in params.items():
        if isinstance(value, (list, tuple, np.ndarray)):
            array = np.asarray(value)
            if array.size and (array == array.flat[0]).all():
                scalars[key] = array.flat[0].item()
            else:
                arrays[key] = array.tolist()
        else:
            scalars[key] = value
    if arrays:
        keys = list(arrays)
        per_node = [dict(scalars, **dict(zip(keys, values))) for values in zip(*arrays.values())]
        if len(per_node) != len(nodes):
            raise ValueError(f'expected {len(nodes)} values per parameter, got {len(per_node)}')
        nestkernel_api.llapi_set_nc_status(nodes._datum, per_node)
    elif scalars:
        nestkernel_api.llapi_set_nc_status(nodes._datum, [scalars])


def _settable(node, key, value) -> bool:
    try:
        node.set({key: value})
        return True
    except Exception:  # NEST raises its own error types for read-only entries
        return False


def _connect_deferred_parrots():
    """Connect spike sources to their parrot neurons, as PyNN's first run() would.

    PyNN defers these connections until min_delay is known; brain_node never calls
    PyNN's run(), so it makes them here.
    """
    from pyNN.nest import simulator
    for population in simulator.state.populations:
        if getattr(population, '_deferred_parrot_connections', False):
            population._connect_parrot_neurons()


def _take_over_recording(populations: dict) -> dict:
    """Take the spike recording a brain file asked PyNN for; brain_node records itself.

    PyNN would connect its own recorders at the first run and keep every spike in
    memory for ever; brain_node instead reads one spike_recorder per step and clears it.

    Returns:
        population name -> set of recorded cell ids.
    """
    from pyNN.nest import simulator
    recorded = {}
    for name, pop in populations.items():
        recorder = getattr(pop, 'recorder', None)
        if recorder is None:
            continue
        for variable, ids in recorder.recorded.items():
            var_name = getattr(variable, 'name', variable)
            if var_name == 'spikes' and ids:
                recorded[name] = set(ids)
            elif ids:
                _log.warning('population %s records %r: brain_node publishes spikes only, '
                             'so this recording is ignored', name, var_name)
    simulator.state.recording_devices[:] = []
    return recorded


class _seeded_numpy_rngs:
    """Give every PyNN NumpyRNG created without a seed a seed derived from ``seed``.

    PyNN seeds an unseeded NumpyRNG from the operating system, so a brain file using
    RandomDistribution without an explicit rng would differ on every start. Within this
    context the k-th unseeded NumpyRNG gets ``seed + k``. (PyNN's connectors are not
    affected: without an rng they use PyNN's own fixed seed, as they do outside brain_node.)
    """

    def __init__(self, seed: int):
        self.seed = seed

    def __enter__(self):
        from pyNN import random as pynn_random
        self._cls = pynn_random.NumpyRNG
        self._original = self._cls.__init__
        counter = iter(range(1, 1 << 30))
        original, base = self._original, self.seed

        def seeded_init(rng, seed=None, parallel_safe=True):
            if seed is None:
                seed = (base + next(counter)) % 2**31
            original(rng, seed, parallel_safe)

        self._cls.__init__ = seeded_init
        return self

    def __exit__(self, *exc):
        self._cls.__init__ = self._original
        return False
