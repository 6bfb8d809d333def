"""One spike_recorder for every recorded neuron, read and cleared once per step.

Order. NEST hands events over in the order its threads delivered them, which differs
between a fresh brain and the same brain after a reset (and between thread counts).
The reader therefore publishes each step's spikes in one canonical order - by time,
then by NEST id (which is PyNN index order within a population) - so a trial after a
reset is bit-identical to a fresh one, order included.
"""

from dataclasses import dataclass

import numpy as np
from nest import nestkernel_api

from brain_node.nest_fast import set_node_status


@dataclass
class PopulationSpikes:
    """Spikes of one population in one step (brain time, ms), canonical order."""

    counts: np.ndarray
    neurons: np.ndarray
    times_ms: np.ndarray


class SpikeReader:
    """The brain's spike recorder and the gid -> (population, neuron) lookup.

    Args:
        nest: the nest module.
        populations: name -> inventory.Population (those with recorded_gids are recorded).
    """

    def __init__(self, nest, populations: dict):
        recorded = [p.recorded_gids for p in populations.values()
                    if p.recorded_gids is not None and len(p.recorded_gids)]
        self.recorded_gids = np.concatenate(recorded) if recorded else np.zeros(0, np.int64)
        max_gid = int(max((p.gids.max() for p in populations.values() if len(p.gids)),
                          default=0))
        self._gid_population = np.full(max_gid + 1, -1, dtype=np.int64)
        self._gid_neuron = np.zeros(max_gid + 1, dtype=np.int64)
        self.names = []  # recorded populations, in brain order
        self._sizes = []
        for p in populations.values():
            if p.recorded_gids is None or not len(p.recorded_gids):
                continue
            number = len(self.names)
            self.names.append(p.name)
            self._sizes.append(len(p.gids))
            self._gid_population[p.gids] = number
            self._gid_neuron[p.gids] = np.arange(len(p.gids))
        self.recorder = None
        if len(self.recorded_gids):
            self.recorder = nest.Create('spike_recorder', params={'record_to': 'memory'})
            nest.Connect(nest.NodeCollection(sorted(self.recorded_gids.tolist())),
                         self.recorder)

    def read(self, offset_ms: float) -> dict:
        """Take the events since the last read; returns name -> PopulationSpikes.

        Args:
            offset_ms: NEST time minus brain time; times are returned in brain time.
        """
        if self.recorder is None:
            return {}
        events = nestkernel_api.llapi_get_nc_status(self.recorder._datum, 'events')
        senders = np.asarray(events['senders'], dtype=np.int64)
        times = np.asarray(events['times'], dtype=np.float64)
        if len(senders):
            set_node_status(self.recorder, {'n_events': 0})
            order = np.lexsort((senders, times))
            senders, times = senders[order], times[order]
        times = times - offset_ms
        populations = self._gid_population[senders]
        neurons = self._gid_neuron[senders]
        result = {}
        for number, name in enumerate(self.names):
            mask = populations == number
            pop_neurons = neurons[mask]
            result[name] = PopulationSpikes(
                counts=np.bincount(pop_neurons, minlength=self._sizes[number]).astype(np.uint32),
                neurons=pop_neurons.astype(np.uint32), times_ms=times[mask])
        return result
