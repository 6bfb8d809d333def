"""Ground truth for the generated-brain tests, read fresh from NEST (and from PyNN).

brain_node's ``Brain`` is the code under test; nothing here goes through it. The
oracle finds each projection's PyNN object in the brain file's namespace and asks NEST
for its connections *anew on every read*: ``nest.GetConnections(synapse_model=...,
synapse_label=...)`` followed at once by ``.get(['source', 'target', 'weight'])``. A
SynapseCollection is never kept, because NEST re-sorts its connection tables by source
after connections are made (at the next Simulate or GetConnections), after which an
older collection addresses other synapses — the very failure the tests look for. Reading
source, target and weight in one call makes every triple consistent even so.

NEST ids become PyNN indices through the pre/postsynaptic side's ``all_cells`` (PyNN
index order, also for PopulationViews and Assemblies), and NEST weights become PyNN
units with the generator's own conversion (:func:`brain_generator.nest_per_pynn`), not
brain_node's table.

A second, independent reading is PyNN's ``Projection.get('weight', format='array')``,
used before the brain has stepped. PyNN caches a SynapseCollection too (and, in 0.13,
clears its "stale" flag after refreshing just one projection), so the oracle drops that
cache (``proj._connections = None``) before each call; PyNN's getter scales by 0.001
(and -1 for conductance-based inhibition) but not by the Izhikevich receptor_scale,
which :meth:`Oracle.pynn_dense` undoes.
"""

from dataclasses import dataclass

import numpy as np

RELATIVE_TOLERANCE = 1e-12  # gets and sets must match the truth to this (float64 round trips)


@dataclass
class Truth:
    """One projection's synapses, as NEST has them now, in a canonical order.

    Attributes:
        rows, cols: pre- and postsynaptic sizes.
        pre, post: PyNN indices of every synapse.
        nest: NEST weight of every synapse (pA, nS, or mV for Izhikevich).
        nest_per_pynn: NEST weight per PyNN weight.
    """

    rows: int
    cols: int
    pre: np.ndarray
    post: np.ndarray
    nest: np.ndarray
    nest_per_pynn: float

    @property
    def count(self) -> int:
        return len(self.pre)

    @property
    def flat(self) -> np.ndarray:
        """Row-major position of every synapse in the dense matrix."""
        return self.pre * self.cols + self.post

    @property
    def multapses(self) -> int:
        """Number of synapses beyond the first between the same pair of neurons."""
        return self.count - len(np.unique(self.flat))

    def dense(self) -> np.ndarray:
        """Flat row-major PyNN weights, NaN where unconnected (no multapses)."""
        if self.multapses:
            raise ValueError(f'{self.multapses} multapses: no dense matrix')
        dense = np.full(self.rows * self.cols, np.nan)
        dense[self.flat] = self.nest / self.nest_per_pynn
        return dense

    def same_as(self, other: 'Truth') -> bool:
        """Bit-identical synapses and weights."""
        return (self.count == other.count and np.array_equal(self.pre, other.pre)
                and np.array_equal(self.post, other.post)
                and np.array_equal(self.nest, other.nest))


def close(actual, expected, rtol: float = RELATIVE_TOLERANCE) -> bool:
    """Equal NaN patterns and values within ``rtol`` (relative; exact at 0)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return False
    nan = np.isnan(expected)
    if not np.array_equal(np.isnan(actual), nan):
        return False
    a, e = actual[~nan], expected[~nan]
    return bool(np.all(np.abs(a - e) <= rtol * np.abs(e)))


def first_difference(actual, expected, cols: int, rtol: float = RELATIVE_TOLERANCE) -> str:
    """Describe where two flat dense matrices differ first (for failure messages)."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    expected = np.asarray(expected, dtype=np.float64).ravel()
    if actual.shape != expected.shape:
        return f'shape {actual.shape} instead of {expected.shape}'
    bad = (np.isnan(actual) != np.isnan(expected)) | (
        ~np.isnan(expected) & ~(np.abs(actual - expected) <= rtol * np.abs(expected)))
    where = np.flatnonzero(bad)
    if not len(where):
        return 'no difference'
    k = int(where[0])
    return (f'{len(where)} entries differ, first at (pre={k // cols}, post={k % cols}): '
            f'got {actual[k]!r}, expected {expected[k]!r}')


class Oracle:
    """Reads every generated projection's synapses fresh from NEST.

    Args:
        namespace: the brain file's globals after execution (``Brain.namespace``).
        generated: the :class:`brain_generator.GeneratedBrain` the file came from.
    """

    def __init__(self, namespace: dict, generated):
        import nest
        self._nest = nest
        self.generated = generated
        self._proj = {}
        for name, spec in generated.projections.items():
            proj = namespace[name]
            pre_ids = np.asarray([int(i) for i in proj.pre.all_cells], dtype=np.int64)
            post_ids = np.asarray([int(i) for i in proj.post.all_cells], dtype=np.int64)
            self._proj[name] = (proj, spec, pre_ids, post_ids)

    def truth(self, name: str) -> Truth:
        """The projection's synapses now: a new GetConnections call every time."""
        proj = self._proj[name][0]
        connections = self._nest.GetConnections(synapse_model=proj.nest_synapse_model,
                                                synapse_label=proj.nest_synapse_label)
        if len(connections):
            status = connections.get(['source', 'target', 'weight'])
            return self._truth(name, status['source'], status['target'], status['weight'])
        return self._truth(name, [], [], [])

    def _truth(self, name, sources, targets, weights) -> Truth:
        _, spec, pre_ids, post_ids = self._proj[name]
        sources = np.atleast_1d(np.asarray(sources, dtype=np.int64))
        targets = np.atleast_1d(np.asarray(targets, dtype=np.int64))
        weights = np.atleast_1d(np.asarray(weights, dtype=np.float64))
        pre = _positions(pre_ids, sources, f'{name}: source')
        post = _positions(post_ids, targets, f'{name}: target')
        order = np.lexsort((weights, post, pre))
        return Truth(rows=len(pre_ids), cols=len(post_ids), pre=pre[order], post=post[order],
                     nest=weights[order], nest_per_pynn=spec.nest_per_pynn)

    def all(self) -> dict:
        """Return name -> Truth of every projection (one new GetConnections per synapse model)."""
        truths = {}
        models = sorted({proj.nest_synapse_model for proj, _, _, _ in self._proj.values()})
        for model in models:
            connections = self._nest.GetConnections(synapse_model=model)
            if len(connections):
                status = connections.get(['source', 'target', 'weight', 'synapse_label'])
                columns = {key: np.atleast_1d(np.asarray(value)) for key, value in status.items()}
            else:
                columns = {key: np.zeros(0) for key in ('source', 'target', 'weight',
                                                        'synapse_label')}
            for name, (proj, _, _, _) in self._proj.items():
                if proj.nest_synapse_model == model:
                    mine = columns['synapse_label'] == proj.nest_synapse_label
                    truths[name] = self._truth(name, columns['source'][mine],
                                               columns['target'][mine], columns['weight'][mine])
        return {name: truths[name] for name in self._proj}

    def dense(self, name: str) -> np.ndarray:
        """Flat row-major PyNN weights of a projection now (NaN where unconnected)."""
        return self.truth(name).dense()

    def pynn_dense(self, name: str) -> np.ndarray:
        """PyNN's own ``Projection.get('weight', format='array')``, in the oracle's units."""
        proj, spec, _, _ = self._proj[name]
        proj._connections = None  # PyNN's cached SynapseCollection may address other synapses
        values = np.asarray(proj.get('weight', format='array', gather=False), dtype=np.float64)
        # PyNN gives NEST * 0.001 (* -1 for conductance-based inhibition)
        pynn_factor = -1000.0 if spec.nest_per_pynn < 0 else 1000.0
        return (values * (pynn_factor / spec.nest_per_pynn)).ravel()


def _positions(ids: np.ndarray, lookup: np.ndarray, what: str) -> np.ndarray:
    """Index of every id of ``lookup`` within ``ids`` (all must be present)."""
    order = np.argsort(ids, kind='stable')
    pos = np.searchsorted(ids[order], lookup)
    pos = np.minimum(pos, len(ids) - 1) if len(ids) else pos
    if len(lookup) and (not len(ids) or not np.array_equal(ids[order][pos], lookup)):
        raise AssertionError(f'oracle: {what} ids outside the projection (synapse label '
                             f'shared?)')
    return order[pos] if len(lookup) else np.zeros(0, dtype=np.int64)
