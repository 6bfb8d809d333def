"""Handles to a projection's synapses in NEST that stay valid, in a fixed order.

The problem. A NEST SynapseCollection addresses synapses by position in the kernel's
per-thread, per-synapse-model connection tables. After any Connect or Disconnect NEST
re-sorts those tables by source (at the next Simulate or GetConnections), with an
unstable sort, so a SynapseCollection taken before then addresses other synapses -
often another projection's, since projections with the same synapse model share a table.
PyNN's ``Projection.nest_connections`` is such a collection, taken while the network is
still being built, before brain_node's own spike recorder is connected.

The rule here, for every brain:

1. Handles are taken only after the network is complete, brain_node's devices included
   (:meth:`ConnectionRegistry.seal`), through ``GetConnections``, which sorts pending
   changes first. From then on NEST has no reason to re-sort: nothing in brain_node
   creates or deletes connections (stepping, reset and weight writes do not).
2. Every use validates cheaply: the registry compares the kernel's connection
   *generation* (:func:`brain_node.nest_fast.connection_generation`, about 0.1 ms) with the
   one the handles were taken at. A brain file or script that connects or disconnects
   afterwards (or structural plasticity) changes it, and the handles are taken again.
3. The order of a projection's synapses is fixed when they are first described (its
   *canonical order*): caches of weights, reset state and a weight recorder's positions
   all rely on it. Handles taken again are permuted back into that order by their
   (source, target) keys. Synapses between the same pair of neurons (multapses) cannot be
   told apart by key; their relative order is then NEST's, which is reported, not hidden.
4. A projection whose set of synapses itself changed (synapses added or removed) is an
   error with a message: brain_node's weight services assume fixed connectivity.

With several threads NEST keeps one table per thread; handles carry their thread, and
nothing here depends on the thread count.
"""

import logging

import numpy as np

from brain_node import nest_fast

_log = logging.getLogger(__name__)


class ConnectivityChanged(RuntimeError):
    """A projection's synapses were created or deleted after the brain was built."""


class ConnectionRegistry:
    """The handles of every projection of one brain, valid at the kernel generation taken.

    Args:
        nest: the nest module.
    """

    def __init__(self, nest):
        self._nest = nest
        self._handles = []
        self.generation = None  # kernel generation the handles were taken at
        self.retakes = 0  # how often NEST re-sorted under us (for tests and diagnostics)

    def register(self, handles: 'ProjectionHandles'):
        self._handles.append(handles)

    def seal(self):
        """Take every projection's handles now that the network and devices are complete."""
        self.generation = nest_fast.connection_generation()
        for handles in self._handles:
            handles.take()
        # GetConnections above sorted whatever was pending; take the generation after it.
        self.generation = nest_fast.connection_generation()

    def validate(self):
        """Take the handles again if connections were made or deleted since they were taken."""
        if self.generation is None:
            raise RuntimeError('connection handles are used before the brain is complete')
        generation = nest_fast.connection_generation()
        if generation == self.generation:
            return
        _log.warning('connections were created or deleted after the brain was built '
                     '(%d -> %d synapses in the kernel); taking the projections\' synapse '
                     'handles again', self.generation[0], generation[0])
        for handles in self._handles:
            handles.take()
        self.retakes += 1
        self.generation = nest_fast.connection_generation()


class ProjectionHandles:
    """The synapses of one PyNN projection, found by its NEST synapse model and label.

    Args:
        registry: the brain's registry (which validates before every use).
        name: the projection's name (for messages).
        model: NEST synapse model (PyNN's ``nest_synapse_model``, a ``*_lbl`` model).
        label: NEST synapse label (PyNN's ``nest_synapse_label``, unique per projection).
    """

    def __init__(self, registry: ConnectionRegistry, name: str, model: str, label: int):
        self._registry = registry
        self._nest = registry._nest
        self.name = name
        self.model = model
        self.label = int(label)
        self._collection = None
        # Canonical order, once described: (source, target) per synapse.
        self.sources = None
        self.targets = None
        registry.register(self)

    def _fetch(self):
        return self._nest.GetConnections(synapse_model=self.model, synapse_label=self.label)

    def take(self):
        """Fetch the handles from NEST; keep the canonical order if it is already fixed."""
        collection = self._fetch()
        if self.sources is None:
            self._collection = collection
            return
        if len(collection) != len(self.sources):
            raise ConnectivityChanged(
                f'projection {self.name!r} had {len(self.sources)} synapses when the brain '
                f'was built and has {len(collection)} now; brain_node supports brains whose '
                f'connections are fixed once built')
        status = nest_fast.connection_status(collection, ('source', 'target'))
        new_order = np.lexsort((status['target'], status['source']))
        canonical = np.lexsort((self.targets, self.sources))
        if not (np.array_equal(status['source'][new_order], self.sources[canonical])
                and np.array_equal(status['target'][new_order], self.targets[canonical])):
            raise ConnectivityChanged(
                f'projection {self.name!r} now connects other neurons than when the brain '
                f'was built; brain_node supports brains whose connections are fixed once built')
        positions = np.empty(len(canonical), dtype=np.int64)
        positions[canonical] = new_order  # canonical position -> position in the new take
        datum = collection._datum
        self._collection = self._nest.SynapseCollection([datum[i] for i in positions.tolist()])

    @property
    def collection(self):
        """The SynapseCollection in canonical order, valid now."""
        self._registry.validate()
        return self._collection

    def __len__(self):
        return 0 if self._collection is None else len(self._collection)

    def describe(self, keys=('weight',)) -> dict:
        """Fix the canonical order: read sources, targets and ``keys`` of every synapse.

        Slow for big projections (about 2.5 s per million synapses), so it runs once, on
        first need. Returns the arrays, canonical order.
        """
        collection = self.collection
        status = nest_fast.connection_status(collection, ('source', 'target', *keys))
        self.sources, self.targets = status['source'], status['target']
        return status

    def read(self, keys) -> dict:
        """Read ``keys`` of every synapse now, canonical order."""
        return nest_fast.connection_status(self.collection, keys)

    def write(self, positions: np.ndarray, values: dict):
        """Write per-synapse ``values`` (key -> array) at canonical ``positions``."""
        nest_fast.set_connection_values(self.collection, positions, values)
