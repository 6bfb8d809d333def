"""A projection's weights as brain_node reads and writes them, cached where that is exact.

NEST 3.10 has no array getter for synapses (reading 1e6 weights takes seconds), so:

- a projection's synapses are described once, on first need (sources, targets, weights
  -> :class:`brain_node.weights.ConnectionIndex`, fixing the canonical order of
  :mod:`brain_node.connections`);
- static synapses' weights are known from then on, because only ``set_weights`` and a
  reset with ``restore_weights`` change them, and both go through here: reads are served
  from the cache, and writes send only the synapses whose value changed;
- plastic weights change as the brain runs, so they are read from NEST on every request
  and written in full;
- the resettable state of plastic synapses (``Kplus``, ``c``, ``n`` where the model has
  them) is read when the brain is complete and written back on reset.

Every write bumps :attr:`ProjectionWeights.version`, so a weight recorder can tell that
static weights did not change without reading them. All NEST access goes through the
projection's :class:`brain_node.connections.ProjectionHandles`, which are valid whenever
they are used.
"""

import logging
import time

import numpy as np

from brain_node.connections import ProjectionHandles
from brain_node.weights import ConnectionIndex, WeightUnits, check_dense_weights

_log = logging.getLogger(__name__)

STATIC_SYNAPSE_PREFIXES = ('static_synapse',)  # weights change only through set_weights
PLASTIC_STATE_KEYS = ('Kplus', 'c', 'n')  # synapse traces NEST lets us set (stdp, dopamine)


def index_of(gids: np.ndarray, lookup_gids: np.ndarray, side: str, name: str) -> np.ndarray:
    """Map NEST ids to 0-based positions within ``gids``.

    Raises:
        RuntimeError: an id is not in ``gids`` (a synapse that is not the projection's).
    """
    order = np.argsort(gids, kind='stable')
    sorted_gids = gids[order]
    pos = np.searchsorted(sorted_gids, lookup_gids)
    pos_clipped = np.minimum(pos, len(gids) - 1) if len(gids) else pos
    if len(lookup_gids) and (len(gids) == 0 or (sorted_gids[pos_clipped] != lookup_gids).any()):
        raise RuntimeError(f'projection {name!r}: NEST reports synapses whose {side} neuron is '
                           f'not in the projection\'s {side}synaptic population')
    return order[pos_clipped]


class ProjectionWeights:
    """Weights, reset state and version of one projection.

    Args:
        handles: the projection's synapse handles.
        units: its PyNN <-> NEST unit and sign rule.
        plastic: whether NEST changes its weights while running.
        pre_gids, post_gids: NEST ids of the pre- and postsynaptic neurons, PyNN order.
    """

    def __init__(self, handles: ProjectionHandles, units: WeightUnits, plastic: bool,
                 pre_gids: np.ndarray, post_gids: np.ndarray):
        self.handles = handles
        self.name = handles.name
        self.units = units
        self.plastic = plastic
        self.pre_gids = pre_gids
        self.post_gids = post_gids
        self.rows, self.cols = len(pre_gids), len(post_gids)
        self.index = None  # ConnectionIndex, once described
        self.initial_nest = None  # NEST weights when described (the brain as built)
        self.known_nest = None  # NEST weights last read or written (authoritative if static)
        self.plastic_state = {}  # resettable synapse state, key -> array, canonical order
        self.version = 0

    @property
    def count(self) -> int:
        """Number of synapses."""
        return len(self.handles)

    def describe(self):
        """Read sources, targets and weights once; fixes the canonical order."""
        if self.index is not None:
            return
        start = time.perf_counter()
        status = self.handles.describe(('weight',))
        self.index = ConnectionIndex(
            rows=self.rows, cols=self.cols,
            pre=index_of(self.pre_gids, status['source'], 'pre', self.name),
            post=index_of(self.post_gids, status['target'], 'post', self.name))
        self.initial_nest = status['weight']
        self.known_nest = status['weight'].copy()
        _log.info('projection %s: described %d synapses in %.2f s', self.name, self.count,
                  time.perf_counter() - start)

    def snapshot_plastic_state(self):
        """Remember the resettable synapse state (plastic projections, at build time)."""
        if not self.plastic or self.count == 0:
            return
        self.describe()
        sample = self.handles.collection[0].get()
        keys = [key for key in PLASTIC_STATE_KEYS if key in sample]
        if keys:
            self.plastic_state = self.handles.read(keys)

    def restore_plastic_state(self):
        if self.plastic_state:
            self.handles.write(np.arange(self.count), self.plastic_state)

    def read_nest(self) -> np.ndarray:
        """NEST weights, canonical order (static: the cache; plastic: read now)."""
        self.describe()
        if not self.plastic or self.count == 0:
            return self.known_nest
        weights = self.handles.read(('weight',))['weight']
        self.known_nest = weights
        return weights

    def write_nest(self, nest_weights: np.ndarray) -> int:
        """Write NEST weights (canonical order); only changed ones if static. Returns the count."""
        self.describe()
        if self.count == 0:
            return 0
        if self.plastic:
            changed = np.arange(self.count)
        else:
            changed = np.flatnonzero(nest_weights != self.known_nest)
            if len(changed) == 0:
                return 0
        self.handles.write(changed, {'weight': nest_weights[changed]})
        self.known_nest = np.array(nest_weights, dtype=np.float64)
        self.version += 1
        return len(changed)

    def restore_initial(self) -> int:
        """Write back the weights the brain was built with; returns synapses written."""
        if self.index is None:  # never described, so never written: still initial
            return 0
        return self.write_nest(self.initial_nest)

    def _refuse_multapses(self):
        if self.index.multapses:
            pairs = self.index.connections - int(self.index.mask.sum())
            raise ValueError(
                f'projection {self.name!r} has {self.index.connections} synapses between '
                f'{int(self.index.mask.sum())} pairs of neurons ({pairs} more synapses than '
                f'pairs: multapses); a dense rows x cols matrix cannot address them, so dense '
                f'get_weights/set_weights are refused for it')

    def get_dense(self):
        """(rows, cols, flat row-major PyNN weights with NaN where unconnected)."""
        nest_weights = self.read_nest()
        self._refuse_multapses()
        return self.rows, self.cols, self.index.to_dense(nest_weights / self.units.nest_per_pynn)

    def per_synapse(self):
        """(flat row-major position per synapse, PyNN weights), canonical order; a new array."""
        nest_weights = self.read_nest()
        return self.index.flat, nest_weights / self.units.nest_per_pynn

    def set_dense(self, rows: int, cols: int, weights) -> int:
        """Validate and write a dense PyNN weight matrix; nothing is written on error."""
        self.describe()
        self._refuse_multapses()
        dense = check_dense_weights(self.index, self.units, rows, cols, weights)
        return self.write_nest(self.index.from_dense(dense) * self.units.nest_per_pynn)
