"""A seeded generator of random PyNN brain files for brain_node's generated-brain tests.

``generate_brain(seed)`` returns a :class:`GeneratedBrain`: the text of a brain file (an
ordinary ``import pyNN.nest as sim`` script that builds and never runs) and a
description of what it built, which the oracle and the tests use to decide what to
expect. The same seed always gives the same text (``numpy.random.default_rng(seed)``
drives every choice; every random object the file creates has an explicit seed).

What a brain may contain (each brain draws a few of these):

- cells: IF_curr_exp, IF_curr_alpha, IF_cond_exp, IF_cond_alpha, Izhikevich,
  EIF_cond_exp_isfa_ista, EIF_cond_alpha_isfa_ista (AdEx), SpikeSourceArray,
  SpikeSourcePoisson; some populations on a ``sim.space.Grid2D``;
- pre- and postsynaptic sides that are Populations, PopulationViews (unsorted index
  lists) or Assemblies (postsynaptic Assemblies join populations of one weight
  convention, so that their weights have one unit);
- connectors: AllToAll, OneToOne, FixedProbability, FixedNumberPre/Post (sometimes
  with_replacement=True, which can make real multapses), FromList with an unsorted list
  (sometimes with weights and delays in the list, rarely with a repeated pair),
  DistanceDependentProbability;
- synapses: StaticSynapse, STDPMechanism (SpikePairRule with Additive or Multiplicative
  weight dependence) and NEST's ``stdp_dopamine_synapse`` through
  ``sim.native_synapse_type`` with a volume transmitter;
- weights as a scalar, a RandomDistribution, a (pre x post) array, a function of
  distance, or in the FromList list; excitatory and inhibitory receptors with PyNN's
  sign rules (current-based inhibitory weights < 0, conductance-based ones > 0);
- several projections leaving the same neurons with the same NEST synapse model, and
  recurrent ones: NEST keeps one connection table per (thread, synapse model) sorted by
  source, so these are the projections whose connections share (and swap) table slots;
- a *probe*: a SpikeSourceArray firing regularly that alone drives a target population
  through one static projection, for the behavioural check (silencing the projection
  must silence the target).

Dopamine synapses in PyNN 0.13 + NEST 3.10 (found by trying):
``sim.native_synapse_type('stdp_dopamine_synapse')`` copies NEST's defaults, including
``volume_transmitter`` (an empty NodeCollection), into the PyNN parameter space; passing
``volume_transmitter=vt`` as a synapse parameter, or leaving the default in, fails
inside PyNN (lazyarray cannot evaluate a NodeCollection: ``KeyError:
'is_lazyarray_scalar'`` or "Lazy array has fixed shape (0,)"). What works: drop the
entry from the native type's ``default_parameters`` (and the traces ``c`` and ``n``,
which NEST refuses to take in Connect when running with more than one thread: "For
multi-threading Connect doesn't support the setting of parameter c"; they start at 0
anyway) and set the volume transmitter on
the labelled model PyNN connects with, ``nest.SetDefaults('stdp_dopamine_synapse_lbl',
{'volume_transmitter': vt})``, before the Projection; dopamine neurons are then
connected to ``vt`` with ``nest.Connect``. The volume transmitter and NEST's
``A_plus``, ``tau_c``, ``Wmax``... are common properties of the model, so all dopamine
projections of a brain share one parameter set. (PyNN writes every common property from
the synapse type when it connects, so the rule constants set here with SetDefaults are
replaced by NEST's defaults; brains meant to learn pass them as synapse parameters, see
experiments/pong/brain_dopa.py. For this suite, which checks what NEST holds, either is
fine, and the pinned regression brains stay as they are.) Native synapse types take weights in
NEST units (pA), without PyNN's nA -> pA factor, while ``Projection.get`` and brain_node
report ``NEST / 1000``: the file writes ``1000 * w`` so that the PyNN weight is ``w``.
Dopamine synapses go to current-based non-Izhikevich targets only (for Izhikevich
targets PyNN would also apply its receptor_scale to the NEST-unit weight).

Izhikevich targets: PyNN multiplies weights by the cell type's ``receptor_scale``
(1e-3) when the postsynaptic side has a ``celltype`` (Population, PopulationView), but
not for an Assembly, which has none; :func:`nest_per_pynn` states the resulting
conversion for each case.
"""

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

TRIAL_MS = 1600.0  # ms, spike trains of SpikeSourceArray inputs cover this much brain time
PROBE_PERIOD_MS = (3.0, 6.0)  # ms, inter-spike interval range of the probe source
IZH_RECEPTOR_SCALE = 1e-3  # PyNN's Izhikevich.receptor_scale

# PyNN cell type -> (weight convention of targets, NEST model)
CELL_TYPES = {
    'IF_curr_exp': ('curr', 'iaf_psc_exp'),
    'IF_curr_alpha': ('curr', 'iaf_psc_alpha'),
    'IF_cond_exp': ('cond', 'iaf_cond_exp'),
    'IF_cond_alpha': ('cond', 'iaf_cond_alpha'),
    'Izhikevich': ('izh', 'izhikevich'),
    'EIF_cond_exp_isfa_ista': ('cond', 'aeif_cond_exp'),
    'EIF_cond_alpha_isfa_ista': ('cond', 'aeif_cond_alpha'),
    'SpikeSourceArray': ('source', 'parrot_neuron'),
    'SpikeSourcePoisson': ('source', 'parrot_neuron'),
}
NEURON_TYPES = [name for name, (kind, _) in CELL_TYPES.items() if kind != 'source']
# cell types whose NEST models brain_node's reset documents as exact (RESET_RECIPES)
RESETTABLE_TYPES = ['IF_curr_exp', 'IF_curr_alpha', 'IF_cond_exp', 'IF_cond_alpha']

# PyNN weight magnitudes per target convention (nA, uS, or Izhikevich mV-like nA)
WEIGHT_RANGE = {'curr': (0.05, 1.5), 'cond': (0.001, 0.04), 'izh': (0.5, 8.0)}
# Probe weight per input synapse: nA, mV-like nA (Izhikevich); conductance-based targets
# share PROBE_CONDUCTANCE_US among their inputs (enough to fire IF_cond_alpha; AdEx
# targets become numerically unstable in NEST with several times more).
PROBE_WEIGHT = {'curr': 4.0, 'izh': 20.0}
PROBE_CONDUCTANCE_US = 0.25  # uS, total over a probe target's inputs
DC_DRIVE = {'curr': (0.3, 0.8), 'cond': (0.3, 0.8), 'izh': (0.005, 0.012)}  # nA of i_offset

CONNECTORS = ('AllToAll', 'OneToOne', 'FixedProbability', 'FixedNumberPre',
              'FixedNumberPost', 'FromList', 'DistanceDependent')
SYNAPSES = ('static', 'stdp_additive', 'stdp_multiplicative', 'dopamine')
WEIGHT_FORMS = ('scalar', 'random', 'array', 'distance')

DOPAMINE_PARAMS = dict(A_plus=0.05, A_minus=0.06, tau_c=200.0, tau_n=100.0, tau_plus=20.0,
                       b=0.01, Wmin=0.0, Wmax=3000.0)  # NEST units (pA), common properties


@dataclass
class PopulationSpec:
    """One PyNN Population of the generated file.

    Attributes:
        name: module variable (brain_node names the population after it).
        size: number of cells.
        cell: PyNN cell type name.
        kind: 'curr', 'cond', 'izh' (weight convention of synapses onto it) or 'source'.
        nest_model: the NEST model PyNN creates for it.
        grid: placed on a Grid2D.
        recorded: spikes requested with ``record('spikes')`` (on the population or a view).
        poisson: a SpikeSourcePoisson (random input: spikes differ after a reset).
    """

    name: str
    size: int
    cell: str
    kind: str
    nest_model: str
    grid: bool = False
    recorded: bool = False
    poisson: bool = False


@dataclass
class SideSpec:
    """A pre- or postsynaptic side: a Population, a PopulationView or an Assembly."""

    expr: str  # how the file names it (a variable)
    form: str  # 'population', 'view' or 'assembly'
    size: int
    members: tuple  # population names it draws cells from
    kind: str  # weight convention if all members share one, else 'mixed'
    cells: tuple = ()  # (population, index) of every cell, in PyNN index order


@dataclass
class ProjectionSpec:
    """One projection of the generated file.

    Attributes:
        name: module variable (brain_node's projection name).
        pre, post: the sides.
        connector, synapse, weight_form: what the generator chose (see module docstring).
        receptor: 'excitatory' or 'inhibitory'.
        sign: +1 or -1, the sign of PyNN weights the file writes (and set_weights must keep).
        nest_per_pynn: NEST weight = PyNN weight * nest_per_pynn (see :func:`nest_per_pynn`).
        plastic: the weights change while the brain runs.
        may_have_multapses: the connector can connect a pair twice.
        declared: (pre, post, PyNN weight) the file declares exactly, or None when the
            connector or the weights are random.
        probe: this is the probe projection.
    """

    name: str
    pre: SideSpec
    post: SideSpec
    connector: str
    synapse: str
    receptor: str
    weight_form: str
    sign: int
    nest_per_pynn: float
    plastic: bool
    may_have_multapses: bool = False
    declared: Optional[tuple] = None
    probe: bool = False


@dataclass
class GeneratedBrain:
    """A generated brain file and what it contains.

    Attributes:
        seed: the generator seed.
        threads: NEST threads the brain is to run with.
        text: the brain file.
        populations: name -> PopulationSpec, in creation order.
        projections: name -> ProjectionSpec, in creation order.
        deterministic: no Poisson input anywhere (spikes are a function of the file).
        probe: (projection name, target population name) of the behavioural probe.
        uses_dopamine: the brain has a volume transmitter and dopamine synapses.
    """

    seed: int
    threads: int
    text: str
    populations: dict = field(default_factory=dict)
    projections: dict = field(default_factory=dict)
    deterministic: bool = True
    probe: Optional[tuple] = None
    uses_dopamine: bool = False

    def summary(self) -> str:
        """One line per population and projection, for failure reports."""
        lines = [f'seed {self.seed}, threads {self.threads}, '
                 f'{"deterministic" if self.deterministic else "Poisson input"}']
        for p in self.populations.values():
            lines.append(f'  population {p.name}: {p.size} x {p.cell}'
                         f'{" (grid)" if p.grid else ""}{" recorded" if p.recorded else ""}')
        for p in self.projections.values():
            lines.append(f'  projection {p.name}: {p.pre.expr} -> {p.post.expr} {p.connector} '
                         f'{p.synapse} {p.receptor} weights {p.weight_form}'
                         f'{" (probe)" if p.probe else ""}')
        return '\n'.join(lines)


def nest_per_pynn(post_kind: str, post_form: str, receptor: str) -> float:
    """NEST weight per PyNN weight for synapses onto ``post``, as PyNN converts them.

    nA -> pA and uS -> nS is a factor 1000; NEST wants conductance-based inhibitory
    weights negative while PyNN's are positive; for Izhikevich targets PyNN multiplies by
    the cell type's receptor_scale (1e-3) when the target side has a cell type, i.e. not
    for an Assembly.
    """
    factor = 1000.0
    if post_kind == 'izh' and post_form != 'assembly':
        factor *= IZH_RECEPTOR_SCALE
    if post_kind == 'cond' and receptor == 'inhibitory':
        factor = -factor
    return factor


def weight_sign(post_kind: str, receptor: str) -> int:
    """Sign of PyNN weights: current-based inhibitory < 0, everything else > 0."""
    return -1 if receptor == 'inhibitory' and post_kind in ('curr', 'izh') else 1


class _Writer:
    """Builds the file text and the description side by side."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.lines = []
        self.populations = {}
        self.projections = {}
        self.sides = []  # SideSpec candidates
        self.static_only = False
        self.next_seed = 1000 + 97 * (seed % 10000)  # explicit seeds of the file's RNGs

    def file_seed(self) -> int:
        self.next_seed += 1
        return self.next_seed

    def emit(self, line: str = ''):
        self.lines.append(line)

    def uniform(self, low, high, digits=4) -> float:
        return round(float(self.rng.uniform(low, high)), digits)

    def choice(self, options, p=None):
        return options[int(self.rng.choice(len(options), p=p))]


def _population(w: _Writer, name: str, cell: str, size: int, grid=False, drive=None,
                record=False, source_seed=None, rate_hz=None, init=False, period=None):
    kind, model = CELL_TYPES[cell]
    if cell == 'SpikeSourceArray':
        if period is not None:
            params = f'spike_times=regular_trains({size}, {period}, {source_seed})'
        else:
            params = f'spike_times=random_trains({size}, {rate_hz}, {source_seed})'
    elif cell == 'SpikeSourcePoisson':
        params = f'rate={rate_hz}'
    else:
        params = '' if drive is None else f'i_offset={drive}'
    structure = ', structure=sim.space.Grid2D(aspect_ratio=1.0, dx=1.0, dy=1.0)' if grid else ''
    w.emit(f"{name} = sim.Population({size}, sim.{cell}({params}){structure}, label='{name}')")
    if init and kind != 'source':
        w.emit(f'{name}.initialize(v=RandomDistribution("uniform", low=-70.0, high=-56.0, '
               f'rng=NumpyRNG(seed={w.file_seed()})))')
    spec = PopulationSpec(name=name, size=size, cell=cell, kind=kind, nest_model=model,
                          grid=grid, poisson=cell == 'SpikeSourcePoisson')
    w.populations[name] = spec
    side = SideSpec(expr=name, form='population', size=size, members=(name,), kind=kind,
                    cells=tuple((name, i) for i in range(size)))
    w.sides.append(side)
    if record:
        w.emit(f"{name}.record('spikes')")
        spec.recorded = True
    return side


def _view(w: _Writer, parent: SideSpec, count: int, name: str) -> SideSpec:
    indices = [int(i) for i in w.rng.choice(parent.size, size=count, replace=False)]
    if w.rng.random() < 0.3:
        indices.sort()
    w.emit(f'{name} = {parent.expr}[{indices}]')
    side = SideSpec(expr=name, form='view', size=count, members=parent.members, kind=parent.kind,
                    cells=tuple((parent.members[0], i) for i in indices))
    w.sides.append(side)
    return side


def _assembly(w: _Writer, parts: list, name: str) -> SideSpec:
    kinds = {p.kind for p in parts}
    w.emit(f'{name} = ' + ' + '.join(p.expr for p in parts))
    members = tuple(m for p in parts for m in p.members)
    side = SideSpec(expr=name, form='assembly', size=sum(p.size for p in parts),
                    members=members, kind=kinds.pop() if len(kinds) == 1 else 'mixed',
                    cells=tuple(c for p in parts for c in p.cells))
    w.sides.append(side)
    return side


def _weight_range(kind: str, post: SideSpec):
    low, high = WEIGHT_RANGE[kind]
    if kind == 'izh' and post.form == 'assembly':  # no receptor_scale: see nest_per_pynn
        low, high = low * IZH_RECEPTOR_SCALE, high * IZH_RECEPTOR_SCALE
    return low, high


def _weight_expr(w: _Writer, form: str, kind: str, sign: int, pre: SideSpec, post: SideSpec,
                 native_scale: float):
    """Return (python expression, exact (pre x post) PyNN weights or None)."""
    low, high = _weight_range(kind, post)
    if form == 'scalar':
        value = sign * w.uniform(low, high, 6)
        return repr(value * native_scale), np.full((pre.size, post.size), value)
    if form == 'random':
        lo, hi = sorted((sign * low * native_scale, sign * high * native_scale))
        seed = w.file_seed()
        if w.rng.random() < 0.5:
            return (f'RandomDistribution("uniform", low={lo!r}, high={hi!r}, '
                    f'rng=NumpyRNG(seed={seed}))'), None
        mu, sigma = (lo + hi) / 2, (hi - lo) / 4
        return (f'RandomDistribution("normal_clipped", mu={mu!r}, sigma={sigma!r}, low={lo!r}, '
                f'high={hi!r}, rng=NumpyRNG(seed={seed}))'), None
    if form == 'array':
        seed = w.file_seed()
        values = np.round(np.random.default_rng(seed).uniform(low, high, (pre.size, post.size)), 6)
        return (f'{sign} * np.round(np.random.default_rng({seed}).uniform({low!r}, {high!r}, '
                f'({pre.size}, {post.size})), 6)'), sign * values
    # a function of distance, PyNN evaluates it on the (pre x post) distance matrix
    base = w.uniform(low, (low + high) / 2, 6)
    slope = w.uniform(0.0, (high - low) / 10, 6)
    return f'lambda d: {sign} * ({base!r} + {slope!r} * d)', None


def _connector_expr(w: _Writer, connector: str, pre: SideSpec, post: SideSpec, weights_in_list,
                    kind, sign):
    """Return (expression, multapses possible, declared pairs or None, list weights or None)."""
    same = pre.cells == post.cells
    if connector == 'AllToAll':
        allow_self = bool(w.rng.random() < 0.5)
        pairs = [(i, j) for i in range(pre.size) for j in range(post.size)
                 if allow_self or pre.cells[i] != post.cells[j]]
        overlap = set(pre.cells) & set(post.cells)
        declared = pairs if (allow_self or not overlap or same) else None
        return f'sim.AllToAllConnector(allow_self_connections={allow_self})', False, declared, None
    if connector == 'OneToOne':
        return 'sim.OneToOneConnector()', False, [(i, i) for i in range(pre.size)], None
    if connector == 'FixedProbability':
        p = w.uniform(0.1, 0.7, 2)
        allow_self = bool(w.rng.random() < 0.5)
        return (f'sim.FixedProbabilityConnector({p}, allow_self_connections={allow_self}, '
                f'rng=NumpyRNG(seed={w.file_seed()}))'), False, None, None
    if connector in ('FixedNumberPre', 'FixedNumberPost'):
        limit = pre.size if connector == 'FixedNumberPre' else post.size
        n = int(w.rng.integers(1, max(2, limit // 2 + 1)))
        replacement = bool(w.rng.random() < 0.15)
        return (f'sim.{connector}Connector({n}, with_replacement={replacement}, '
                f'rng=NumpyRNG(seed={w.file_seed()}))'), replacement, None, None
    if connector == 'DistanceDependent':
        scale = w.uniform(0.8, 3.0, 2)
        expr = w.choice([f'exp(-d/{scale})', f'0.9*exp(-d*d/(2*{scale}*{scale}))',
                         f'd < {scale}'])
        return (f'sim.DistanceDependentProbabilityConnector("{expr}", '
                f'rng=NumpyRNG(seed={w.file_seed()}))'), False, None, None
    # FromList: random pairs in random (unsorted) order, rarely a repeated pair
    total = pre.size * post.size
    count = int(w.rng.integers(1, max(2, min(total, 60)) + 1))
    flat = w.rng.choice(total, size=min(count, total), replace=False)
    pairs = [(int(f // post.size), int(f % post.size)) for f in flat]
    repeated = bool(w.rng.random() < 0.08)
    if repeated:
        pairs.append(pairs[int(w.rng.integers(len(pairs)))])
        order = w.rng.permutation(len(pairs))
        pairs = [pairs[i] for i in order]
    if weights_in_list:
        low, high = _weight_range(kind, post)
        rows = [(i, j, sign * w.uniform(low, high, 6), round(float(w.rng.choice([0.1, 0.5, 1.0,
                                                                                 1.7])), 1))
                for i, j in pairs]
        text = (f"sim.FromListConnector({rows!r}, column_names=['weight', 'delay'])")
        return text, repeated, pairs, rows
    return f'sim.FromListConnector({pairs!r})', repeated, pairs, None


def _synapse_expr(synapse: str, weight, delay, kind: str, post: SideSpec):
    """The synapse type expression; weight and delay None when the connector's list has them."""
    values = '' if weight is None else f'weight={weight}, delay={delay}'
    if synapse == 'static':
        return f'sim.StaticSynapse({values})'
    if synapse == 'dopamine':
        return f'DopamineSynapse({values})'
    low, high = _weight_range(kind, post)
    dependence = ('AdditiveWeightDependence' if synapse == 'stdp_additive'
                  else 'MultiplicativeWeightDependence')
    return (f'sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=20.0, '
            f'tau_minus=20.0, A_plus=0.01, A_minus=0.012), '
            f'weight_dependence=sim.{dependence}(w_min=0.0, w_max={2 * high!r})'
            + ('' if weight is None else ', ' + values) + ')')


def generate_brain(seed: int, threads: Optional[int] = None) -> GeneratedBrain:
    """Write a random brain for ``seed`` (same seed, same text).

    Args:
        seed: generator seed.
        threads: NEST threads; by default 2 for about one brain in four, else 1.

    Returns:
        The brain file text and its description.
    """
    w = _Writer(seed)
    rng = w.rng
    drawn_threads = 2 if rng.random() < 0.25 else 1  # drawn always: same file either way
    threads = drawn_threads if threads is None else threads
    # About a third of the brains are built to be reset exactly (static synapses, cell
    # types with a reset recipe, no Poisson input), so the replay check has work to do.
    resettable = rng.random() < 0.35
    use_poisson = not resettable and rng.random() < 0.4
    use_dopamine = not resettable and rng.random() < 0.35
    cell_types = RESETTABLE_TYPES if resettable else NEURON_TYPES
    w.static_only = resettable
    w.emit(f'"""Generated brain, seed {seed} (neurobot/test/generated/brain_generator.py)."""')
    w.emit()
    w.emit('import nest')
    w.emit('import numpy as np')
    w.emit('import pyNN.nest as sim')
    w.emit('from pyNN.random import NumpyRNG, RandomDistribution')
    w.emit()
    w.emit()
    w.emit('def random_trains(n, rate_hz, seed):')
    w.emit('    rng = np.random.default_rng(seed)')
    w.emit(f'    return [np.unique(np.round(rng.uniform(1.0, {TRIAL_MS}, '
           f'rng.poisson(rate_hz * {TRIAL_MS / 1000.0}) + 1), 1)).tolist() for _ in range(n)]')
    w.emit()
    w.emit()
    w.emit('def regular_trains(n, period_ms, seed):')
    w.emit('    offsets = np.random.default_rng(seed).uniform(0.0, period_ms, n)')
    w.emit(f'    return [np.round(np.arange(1.0 + o, {TRIAL_MS}, period_ms), 1).tolist() '
           f'for o in offsets]')
    w.emit()

    # populations: inputs first, then neurons
    n_arrays = int(rng.integers(1, 3))
    inputs = []
    for k in range(n_arrays):
        inputs.append(_population(w, f'stim{k}', 'SpikeSourceArray', int(rng.integers(5, 21)),
                                  source_seed=w.file_seed(), rate_hz=w.uniform(10.0, 60.0, 1),
                                  record=rng.random() < 0.3))
    if use_poisson:
        inputs.append(_population(w, 'noise', 'SpikeSourcePoisson', int(rng.integers(5, 16)),
                                  rate_hz=w.uniform(10.0, 80.0, 1), record=rng.random() < 0.3))
    neurons = []
    for k in range(int(rng.integers(2, 5))):
        cell = w.choice(cell_types)
        kind = CELL_TYPES[cell][0]
        grid = rng.random() < 0.35
        size = int(rng.choice([4, 9, 16, 25])) if grid else int(rng.integers(5, 31))
        drive = w.uniform(*DC_DRIVE[kind], 4) if rng.random() < 0.4 else None
        neurons.append(_population(w, f'pop{k}', cell, size, grid=grid, drive=drive,
                                   record=rng.random() < 0.7, init=rng.random() < 0.4))
    # the probe: a regular source that alone drives its target
    probe_cell = w.choice(cell_types)
    probe_src = _population(w, 'probe_src', 'SpikeSourceArray', int(rng.integers(2, 6)),
                            period=w.uniform(*PROBE_PERIOD_MS, 1), source_seed=w.file_seed())
    probe_target = _population(w, 'probe_target', probe_cell, int(rng.integers(3, 9)), record=True)
    w.emit()

    # views and assemblies
    extra_sides = []
    for k in range(int(rng.integers(0, 3))):
        parent = w.choice(inputs + neurons)
        if parent.size >= 3:
            extra_sides.append(_view(w, parent, int(rng.integers(2, parent.size)), f'view{k}'))
    if rng.random() < 0.5 and len(neurons) >= 2:
        by_kind = {}
        for side in neurons:
            by_kind.setdefault(side.kind, []).append(side)
        groups = [g for g in by_kind.values() if len(g) >= 2]
        if groups:
            group = groups[int(rng.integers(len(groups)))]
            extra_sides.append(_assembly(w, group[:2], 'assembly_post'))
    if rng.random() < 0.4:
        parts = [w.choice(inputs), w.choice(neurons)]
        if parts[0] is not parts[1]:
            extra_sides.append(_assembly(w, parts, 'assembly_pre'))
    for side in extra_sides:
        if side.form == 'view' and rng.random() < 0.2 and side.kind != 'source':
            w.emit(f"{side.expr}.record('spikes')")
            w.populations[side.members[0]].recorded = True
    w.emit()

    if use_dopamine:
        w.emit('# stdp_dopamine_synapse: see brain_generator.py for why it is set up this way')
        w.emit("DopamineSynapse = sim.native_synapse_type('stdp_dopamine_synapse')")
        w.emit("for key in ('volume_transmitter', 'c', 'n'):")
        w.emit("    DopamineSynapse.default_parameters.pop(key)")
        w.emit("volume_transmitter = nest.Create('volume_transmitter')")
        w.emit(f"nest.SetDefaults('stdp_dopamine_synapse_lbl', "
               f"dict(volume_transmitter=volume_transmitter, **{DOPAMINE_PARAMS!r}))")
        dopamine_source = w.choice(inputs)
        w.emit(f'nest.Connect({dopamine_source.expr}.node_collection, volume_transmitter)')
        w.emit()

    pre_sides = inputs + neurons + [s for s in extra_sides if s.form != 'assembly'
                                    or s.expr == 'assembly_pre'] + [probe_target]
    post_sides = neurons + [s for s in extra_sides if s.kind in ('curr', 'cond', 'izh')
                            and s.expr != 'assembly_pre']
    # A few "hub" sources that many projections leave from, to share table slots.
    hubs = [w.choice(pre_sides) for _ in range(2)]
    n_projections = int(rng.integers(3, 9))
    for k in range(n_projections):
        pre = w.choice(hubs) if rng.random() < 0.5 else w.choice(pre_sides)
        post = w.choice(post_sides)
        if rng.random() < 0.2 and pre.kind != 'source' and pre.kind != 'mixed':
            post = pre if pre in post_sides else post  # recurrent
        _projection(w, f'proj{k}', pre, post, use_dopamine)
    # the probe projection leaves probe_src; other projections may share its source
    _projection(w, 'probe_drive', probe_src, probe_target, False, probe=True)
    if rng.random() < 0.7:
        _projection(w, f'proj{n_projections}', probe_src, w.choice(post_sides), use_dopamine)
    w.emit()

    brain = GeneratedBrain(seed=seed, threads=threads, text='\n'.join(w.lines) + '\n',
                           populations=w.populations, projections=w.projections,
                           deterministic=not use_poisson, probe=('probe_drive', 'probe_target'),
                           uses_dopamine=any(p.synapse == 'dopamine'
                                             for p in w.projections.values()))
    return brain


def _projection(w: _Writer, name: str, pre: SideSpec, post: SideSpec, use_dopamine: bool,
                probe: bool = False):
    rng = w.rng
    kind = post.kind
    if probe:  # every target neuron gets input, no pair twice
        connector = w.choice(['AllToAll', 'FixedNumberPre'])
        synapse, receptor, form = 'static', 'excitatory', 'scalar'
    else:
        connector = w.choice(CONNECTORS, p=[0.18, 0.08, 0.2, 0.12, 0.12, 0.18, 0.12])
        synapses = ['static'] if w.static_only else ['static', 'static', 'stdp_additive',
                                                     'stdp_multiplicative']
        if use_dopamine and kind == 'curr':
            synapses += ['dopamine', 'dopamine']
        synapse = w.choice(synapses)
        receptor = 'inhibitory' if rng.random() < 0.35 else 'excitatory'
        if synapse != 'static':
            # NEST's STDP needs weight and Wmax of one sign; PyNN's workaround for
            # conductance-based inhibition fails in NEST 3.10 ("Weight and Wmax must have
            # same sign" when PyNN sets Wmax after connecting).
            receptor = 'excitatory'
        form = w.choice(WEIGHT_FORMS)
        if 'assembly' in (pre.form, post.form):
            # PyNN 0.13 cannot compute distances to or from an Assembly
            # (pyNN/space.py asserts on the position array's shape)
            connector = 'FixedProbability' if connector == 'DistanceDependent' else connector
            form = 'random' if form == 'distance' else form
        if connector == 'FromList' and form in ('array', 'distance'):
            # PyNN 0.13's FromListConnector cannot take a synapse type's array weights
            # ("Lazy array has fixed shape (n, m), cannot be changed to (k,)")
            form = 'random'
        if synapse != 'static' and form == 'array':
            # PyNN 0.13 cannot set tau_minus from a plastic synapse type with an array
            # weight ("Lazy array has fixed shape (n, m), cannot be changed to (1,)").
            form = 'random'

    if connector == 'OneToOne' and pre.size != post.size:
        connector = 'FixedProbability'
    sign = weight_sign(kind, receptor)
    native_scale = 1000.0 if synapse == 'dopamine' else 1.0  # native types take NEST units
    weights_in_list = connector == 'FromList' and synapse != 'dopamine' and rng.random() < 0.6
    probe_inputs = pre.size  # inputs per probe target neuron
    if probe and connector == 'FixedNumberPre':
        probe_inputs = int(rng.integers(1, pre.size + 1))
        conn_expr, multapses, pairs, rows = (
            f'sim.FixedNumberPreConnector({probe_inputs}, '
            f'rng=NumpyRNG(seed={w.file_seed()}))', False, None, None)
    else:
        conn_expr, multapses, pairs, rows = _connector_expr(w, connector, pre, post,
                                                            weights_in_list, kind, sign)
    delay = w.choice(['1.0', '0.5', '2.3', 'RandomDistribution("uniform", low=0.2, high=3.0, '
                                           f'rng=NumpyRNG(seed={w.file_seed()}))'])
    if probe:
        weight_value = (round(PROBE_CONDUCTANCE_US / probe_inputs, 6) if kind == 'cond'
                        else PROBE_WEIGHT[kind])
        weight_expr, dense = repr(weight_value), np.full((pre.size, post.size), weight_value)
        delay = '1.0'
    elif rows is not None:
        weight_expr, dense = None, None
    else:
        if synapse == 'dopamine' and form in ('array', 'distance'):
            form = 'scalar'  # native types get no PyNN evaluation of arrays or functions
        weight_expr, dense = _weight_expr(w, form, kind, sign, pre, post, native_scale)
    if rows is not None:
        form = 'list'
        syn = _synapse_expr(synapse, None, None, kind, post)
    else:
        syn = _synapse_expr(synapse, weight_expr, delay, kind, post)
    w.emit(f'{name} = sim.Projection({pre.expr}, {post.expr}, {conn_expr}, {syn}, '
           f"receptor_type='{receptor}')")
    declared = None
    if rows is not None and not multapses:
        declared = tuple((i, j, wt) for i, j, wt, _ in rows)
    elif pairs is not None and dense is not None and not multapses:
        declared = tuple((i, j, float(dense[i, j])) for i, j in pairs)
    w.projections[name] = ProjectionSpec(
        name=name, pre=pre, post=post, connector=connector, synapse=synapse, receptor=receptor,
        weight_form=form, sign=sign, nest_per_pynn=nest_per_pynn(kind, post.form, receptor),
        plastic=synapse != 'static', may_have_multapses=multapses, declared=declared, probe=probe)


def main():
    """Print the brain file of a seed: ``python brain_generator.py SEED``."""
    import sys
    brain = generate_brain(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(brain.text)
    print('# ' + brain.summary().replace('\n', '\n# '))


if __name__ == '__main__':
    main()
