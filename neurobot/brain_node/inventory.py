"""What a built brain consists of: populations and projections as brain_node sees them.

Turns the PyNN objects a brain file made into brain_node's records: NEST ids in PyNN
order, NEST model, the kind of input a population takes, which neurons are recorded;
for projections, the weight units and sign rule, and the synapse handles
(:mod:`brain_node.connections`) with the weight cache (:mod:`brain_node.weight_cache`).
The public descriptions (:class:`PopulationInfo`, :class:`ProjectionInfo`) mirror the
messages of neurobot_interfaces.
"""

from dataclasses import dataclass

import numpy as np

from brain_node.connections import ConnectionRegistry, ProjectionHandles
from brain_node.weight_cache import STATIC_SYNAPSE_PREFIXES, ProjectionWeights
from brain_node.weights import weight_units


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
class Population:
    """One population of the brain.

    Attributes:
        name: brain_node's name (the brain file's variable).
        pop: the PyNN Population.
        cells: NodeCollection of the neurons (parrots for spike sources).
        gids: NEST ids, PyNN index order.
        nest_model: NEST model of the neurons.
        input_kind: 'rate_hz' (Poisson sources), 'current_na' (neurons) or '' (none).
        sources: NodeCollection of the generators of a spike source.
        recorded_gids: NEST ids of the recorded neurons, sorted, or None.
        initial_input: rates (Hz) or I_e (pA) as built.
    """

    name: str
    pop: object
    cells: object
    gids: np.ndarray
    nest_model: str
    input_kind: str
    sources: object = None
    recorded_gids: np.ndarray = None
    initial_input: np.ndarray = None


@dataclass
class Projection:
    """One projection of the brain: the PyNN object, names and its weights."""

    name: str
    proj: object
    pre_name: str
    post_name: str
    weights: ProjectionWeights


def node_ids(obj) -> np.ndarray:
    """Global NEST ids of a PyNN Population/PopulationView/Assembly, in PyNN index order."""
    return np.asarray([int(i) for i in obj.all_cells], dtype=np.int64)


def describe_population(name, pop, recorded_ids) -> Population:
    """brain_node's record of a PyNN population."""
    celltype = getattr(pop, 'celltype', None)
    uses_parrot = bool(getattr(celltype, 'uses_parrot', False))
    cells = pop.node_collection
    gids = node_ids(pop)
    model = cells[0].get('model') if len(cells) else ''
    sources = getattr(pop, 'node_collection_source', None) if uses_parrot else None
    input_kind, initial = '', None
    if uses_parrot and sources is not None:
        source_model = sources[0].get('model')
        if source_model.startswith('poisson_generator'):
            input_kind = 'rate_hz'
            initial = np.asarray(sources.get('rate'), dtype=np.float64).reshape(-1)
    elif not uses_parrot and len(cells) and 'I_e' in cells[0].get():
        input_kind = 'current_na'
        initial = np.asarray(cells.get('I_e'), dtype=np.float64).reshape(-1)
    rec = None
    if recorded_ids:
        rec = np.asarray(sorted(int(i) for i in recorded_ids), dtype=np.int64)
    return Population(name=name, pop=pop, cells=cells, gids=gids, nest_model=model,
                      input_kind=input_kind, sources=sources, recorded_gids=rec,
                      initial_input=initial)


def population_name(populations: dict, obj) -> str:
    """brain_node's name of a population, view or assembly (views as '<parent>[view]')."""
    for name, p in populations.items():
        if p.pop is obj:
            return name
    parent = getattr(obj, 'parent', None)
    if parent is not None:
        return population_name(populations, parent) + '[view]'
    return str(getattr(obj, 'label', '?'))


def describe_projection(name, proj, populations: dict,
                        registry: ConnectionRegistry) -> Projection:
    """brain_node's record of a PyNN projection (handles taken later, when sealed)."""
    post_celltype = getattr(proj.post, 'celltype', None)
    # PyNN scales weights by the cell type's receptor_scale (Izhikevich: 1e-3) only when
    # the target has one cell type (pyNN.nest.projections), never for an Assembly.
    receptor_scale = float(getattr(post_celltype, 'receptor_scale', 1.0))
    if post_celltype is None:  # an Assembly: all members share receptor conventions
        post_celltype = proj.post.populations[0].celltype
    units = weight_units(
        conductance_based=bool(getattr(proj.post, 'conductance_based', False)),
        receptor_type=str(proj.receptor_type),
        receptor_scale=receptor_scale,
        standard_receptor=bool(getattr(post_celltype, 'standard_receptor_type', True)))
    model = proj.nest_synapse_model
    handles = ProjectionHandles(registry, name, model, proj.nest_synapse_label)
    weights = ProjectionWeights(handles, units,
                                plastic=not model.startswith(STATIC_SYNAPSE_PREFIXES),
                                pre_gids=node_ids(proj.pre), post_gids=node_ids(proj.post))
    return Projection(name=name, proj=proj, pre_name=population_name(populations, proj.pre),
                      post_name=population_name(populations, proj.post), weights=weights)


def population_info(p: Population, recorded: bool, exact_reset: bool) -> PopulationInfo:
    return PopulationInfo(
        name=p.name, label=str(p.pop.label), cell_type=type(p.pop.celltype).__name__,
        nest_model=p.nest_model, size=len(p.gids), recorded=recorded,
        input_kind=p.input_kind, exact_reset=exact_reset)


def projection_info(p: Projection) -> ProjectionInfo:
    w = p.weights
    return ProjectionInfo(
        name=p.name, label=str(p.proj.label), pre=p.pre_name, post=p.post_name,
        rows=w.rows, cols=w.cols, connections=w.count,
        synapse_type=type(p.proj.synapse_type).__name__,
        nest_synapse_model=p.proj.nest_synapse_model, receptor_type=str(p.proj.receptor_type),
        plastic=w.plastic, weight_units=w.units.units, weight_sign=w.units.sign)
