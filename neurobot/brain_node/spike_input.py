"""Spike-time input: the spike sources of a SpikeSourceArray population fire when told.

Contract. A population built as a PyNN ``SpikeSourceArray`` (NEST: one ``spike_generator``
per neuron, relayed by a parrot neuron, brain_node's population neuron) takes spike times
with :meth:`SpikeInputs.set`: neuron indices and times in ms *relative to the start of
the next step*. The population's neurons (the parrots, whose spikes the population's
projections carry and its recording shows) then fire at exactly those times, rounded to
the resolution grid:

- a message is the population's whole schedule from the next step on: it replaces every
  spike not yet fired of an earlier message, and neurons it does not name stay silent;
- times lie in ``[earliest_ms, HORIZON_MS]``: ``earliest_ms`` is one resolution step
  (a generator fires one step after the step starts at the soonest) plus the generator
  -> parrot delay (PyNN makes it the brain's smallest delay: 1.1 ms in a brain whose
  delays are 1 ms, at 0.1 ms resolution); ``HORIZON_MS`` is the longest brain step, so a
  schedule may cover a step longer than the present one or the next few steps of a
  shorter one;
- it is queued and reaches NEST at the start of the next step (:meth:`apply`), so a
  message arriving mid-step never changes the step that runs;
- :meth:`reset` drops what is queued and gives every generator written here the spike
  times of the brain file back (brain_node's reset shifts the generators' ``origin``, so
  those replay as in a fresh brain).

Refused (ValueError, nothing changes): a population that is not a SpikeSourceArray,
indices outside the population, lengths that differ, NaN/inf or times outside the range.
"""

import numpy as np

HORIZON_MS = 1000.0  # ms after the next step's start, the latest spike time accepted
SPIKE_GENERATOR = 'spike_generator'


class _Sources:
    """The spike generators of one population and what is needed to write them."""

    def __init__(self, nest, pop, resolution_ms: float):
        self.generators = pop.sources
        self.size = len(pop.gids)
        delays = nest.GetConnections(self.generators, pop.cells).get('delay')
        delays = np.atleast_1d(np.asarray(delays, dtype=np.float64))
        # PyNN connects generators and parrots with the brain's smallest delay
        self.delay_ms = float(delays.max()) if delays.size else resolution_ms
        self.initial = [np.asarray(t, dtype=np.float64) for t in
                        _per_node(self.generators.get('spike_times'), self.size)]
        self.written = np.zeros(self.size, dtype=bool)  # spike times set here since reset
        self.holding = np.zeros(self.size, dtype=bool)  # schedules may still hold spikes


def _per_node(values, size: int) -> list:
    """NEST returns one node's array bare and several nodes' arrays as a tuple."""
    if size == 1:
        return [values]
    return list(values)


class SpikeInputs:
    """Queued spike times of the SpikeSourceArray populations of a brain.

    Args:
        nest: the nest module.
        populations: name -> inventory.Population.
        resolution_ms: NEST resolution, ms.
    """

    def __init__(self, nest, populations: dict, resolution_ms: float):
        self._nest = nest
        self.resolution_ms = float(resolution_ms)
        self._sources = {}
        for name, pop in populations.items():
            if pop.sources is not None and len(pop.sources) \
                    and pop.sources[0].get('model') == SPIKE_GENERATOR:
                self._sources[name] = _Sources(nest, pop, self.resolution_ms)
        self._pending = {}  # name -> (neurons, times relative to the next step's start)

    @property
    def populations(self) -> list:
        """Names of the populations that take spike times."""
        return list(self._sources)

    def earliest_ms(self, name: str) -> float:
        """The earliest spike time, ms after the step's start, ``name`` can fire at."""
        return self.resolution_ms + self._sources[name].delay_ms

    def check(self, name: str, neurons, times_ms) -> tuple:
        """Validate spike times for population ``name``.

        Returns:
            (neuron indices int64, times float64 on the resolution grid), sorted by time.

        Raises:
            ValueError: saying what was expected.
        """
        if name not in self._sources:
            raise ValueError(f'population {name!r} takes no spike times; spike times go to '
                             f'SpikeSourceArray populations: '
                             f'{", ".join(self._sources) or "(none in this brain)"}')
        sources = self._sources[name]
        try:
            neurons = np.asarray(neurons, dtype=np.float64).ravel()
            times = np.asarray(times_ms, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(f'spike input for {name!r}: neurons and times must be '
                             f'numbers') from None
        if neurons.size != times.size:
            raise ValueError(f'spike input for {name!r}: {neurons.size} neuron indices but '
                             f'{times.size} times; expected one index per spike time')
        if neurons.size and (not np.isfinite(neurons).all() or (neurons != np.round(neurons)).any()
                             or neurons.min() < 0 or neurons.max() >= sources.size):
            raise ValueError(f'spike input for {name!r}: neuron indices must be whole numbers '
                             f'in [0, {sources.size}), got {_span(neurons)}')
        grid = np.round(times / self.resolution_ms) * self.resolution_ms
        earliest = self.earliest_ms(name)
        if not np.isfinite(times).all() or (times.size and (
                grid.min() < earliest - self.resolution_ms / 2
                or grid.max() > HORIZON_MS + self.resolution_ms / 2)):
            raise ValueError(f'spike input for {name!r}: times must be finite and lie in '
                             f'[{earliest:g}, {HORIZON_MS:g}] ms after the next step\'s '
                             f'start, got {_span(times)}')
        order = np.argsort(grid, kind='stable')
        return neurons[order].astype(np.int64), grid[order]

    def set(self, name: str, neurons, times_ms):
        """Queue a validated schedule for the next step (replaces one already queued)."""
        self._pending[name] = self.check(name, neurons, times_ms)

    def apply(self, step_start_ms: float):
        """Write what is queued into the generators (at the start of a step).

        Args:
            step_start_ms: NEST time at which the step starts, ms.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        res = self.resolution_ms
        for name, (neurons, times) in pending.items():
            sources = self._sources[name]
            active = np.zeros(sources.size, dtype=bool)
            active[neurons] = True
            change = np.flatnonzero(active | sources.holding)
            if not len(change):
                continue
            origins = np.asarray(sources.generators.get('origin'), dtype=np.float64).reshape(-1)
            params = []
            for i in change.tolist():
                # generator time, relative to its origin, so that the parrot fires at
                # step start + t (NEST ticks avoid float drift over long runs)
                ticks = np.round((step_start_ms + times[neurons == i] - sources.delay_ms
                                  - origins[i]) / res)
                params.append({'spike_times': (ticks * res).tolist()})
            sources.generators[change.tolist()].set(params)
            sources.holding = active
            sources.written[change] = True

    def reset(self):
        """Drop what is queued; give the generators written here the brain file's times."""
        self._pending = {}
        for sources in self._sources.values():
            changed = np.flatnonzero(sources.written)
            if len(changed):
                sources.generators[changed.tolist()].set(
                    [{'spike_times': sources.initial[i].tolist()} for i in changed.tolist()])
            sources.written[:] = False
            sources.holding[:] = False


def _span(values: np.ndarray) -> str:
    if not values.size:
        return 'none'
    if not np.isfinite(values).all():
        return 'NaN or inf'
    return f'min {values.min():g}, max {values.max():g}'
