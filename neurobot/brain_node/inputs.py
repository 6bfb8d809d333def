"""Stimulus inputs of a brain: Poisson rates and DC currents, validated, applied per step.

A stimulus is queued with :meth:`Inputs.set` and reaches NEST at the start of the next
step (:meth:`Inputs.apply`), so a message arriving mid-step never changes the step that
is running. Rates go to the generators of SpikeSourcePoisson populations (Hz); currents
are added to the neurons' built-in ``I_e`` (nA here, pA in NEST). Reset returns every
population to the value the brain file gave it.

Pulses. A brain file may declare ``STIMULUS_WINDOWS_MS = {'population': window_ms}``
for neuron populations whose stimulus is a pulse: it acts during the first
``window_ms`` of the next step only, then the population returns to the brain file's
input until the next message (NEST's pong example injects its reward current into the
dopaminergic neurons this way, for the first 32 ms of an iteration). The brain splits a
step at the end of such a pulse (:meth:`Inputs.pulse_ends`, :meth:`Inputs.end_pulses`).
"""

import math


import numpy as np

from brain_node.nest_fast import set_node_status

MAX_RATE_HZ = 1.0e5  # Hz, upper bound of a Poisson input rate
MAX_CURRENT_NA = 1.0e6  # nA, bound of a DC input (sanity, not physiology)
PA_PER_NA = 1000.0


def _as_array(values, size: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0 or array.size == 1:
        return np.full(size, float(array.ravel()[0]))
    return array.ravel()


class Inputs:
    """Pending and applied stimuli of the populations that take input.

    Args:
        populations: name -> inventory.Population.
        windows_ms: population name -> pulse length, ms (see the module docstring).
        resolution_ms: NEST resolution, ms (pulse lengths are multiples of it).

    Raises:
        ValueError: a pulse window for a population without current input, or a length
            that is not a positive multiple of the resolution.
    """

    def __init__(self, populations: dict, windows_ms=None, resolution_ms: float = 0.1):
        self._populations = populations
        self._pending = {}  # name -> array queued for the next step
        self._applied = set()  # names whose NEST input differs from the brain file's
        self.windows_ms = {}
        for name, window in dict(windows_ms or {}).items():
            pop = populations.get(name)
            if pop is None or pop.input_kind != 'current_na':
                takers = [n for n, p in populations.items() if p.input_kind == 'current_na']
                raise ValueError(f'STIMULUS_WINDOWS_MS names {name!r}; expected neuron '
                                 f'populations that take current: '
                                 f'{", ".join(takers) or "(none)"}')
            try:
                window = float(window)
            except (TypeError, ValueError):
                window = math.nan
            ticks = window / resolution_ms if math.isfinite(window) else math.nan
            if not (window > 0 and abs(ticks - round(ticks)) < 1e-6):
                raise ValueError(f'STIMULUS_WINDOWS_MS[{name!r}] must be a positive multiple '
                                 f'of the resolution {resolution_ms:g} ms, got {window!r}')
            self.windows_ms[name] = window
        self._pulsing = set()  # windowed populations whose pulse runs in this step

    def check(self, pop, values) -> np.ndarray:
        """Validate a stimulus for ``pop``; returns it as a flat float64 array.

        Raises:
            ValueError: no input possible, wrong length, NaN/inf or out-of-range values.
        """
        if not pop.input_kind:
            raise ValueError(f'population {pop.name!r} ({type(pop.pop.celltype).__name__}) '
                             f'accepts no input; inputs go to SpikeSourcePoisson populations '
                             f'(rates, Hz) and neuron populations (DC current, nA)')
        try:
            array = np.asarray(values, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(f'input for {pop.name!r} must be numbers') from None
        size = len(pop.gids)
        if array.size not in (1, size):
            raise ValueError(f'population {pop.name!r} has {size} neurons; expected 1 or {size} '
                             f'values, got {array.size}')
        if not np.isfinite(array).all():
            raise ValueError(f'input for {pop.name!r} contains NaN or inf; expected finite '
                             f'numbers')
        if pop.input_kind == 'rate_hz' and ((array < 0).any() or (array > MAX_RATE_HZ).any()):
            raise ValueError(f'rates for {pop.name!r} must lie in [0, {MAX_RATE_HZ:g}] Hz, got '
                             f'min {array.min():g}, max {array.max():g}')
        if pop.input_kind == 'current_na' and (np.abs(array) > MAX_CURRENT_NA).any():
            raise ValueError(f'currents for {pop.name!r} must lie within +-{MAX_CURRENT_NA:g} nA')
        return array

    def set(self, pop, values):
        """Queue a validated stimulus for the next step (replaces one already queued)."""
        self._pending[pop.name] = self.check(pop, values)

    def apply(self):
        """Send what is queued to NEST (at the start of a step)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        for name, values in pending.items():
            pop = self._populations[name]
            if pop.input_kind == 'rate_hz':
                set_node_status(pop.sources, {'rate': _as_array(values, len(pop.gids))})
            else:
                currents_pa = pop.initial_input + _as_array(values, len(pop.gids)) * PA_PER_NA
                set_node_status(pop.cells, {'I_e': currents_pa})
                if name in self.windows_ms and (values != 0).any():
                    self._pulsing.add(name)
            self._applied.add(name)

    def pulse_ends(self, step_ms: float) -> list:
        """Times (ms into the step) at which pulses applied at this step's start end.

        Only those ending before the step does; the others end with the step.
        """
        return sorted({self.windows_ms[n] for n in self._pulsing if self.windows_ms[n] < step_ms})

    def end_pulses(self, elapsed_ms: float):
        """Return the populations whose pulse ended by ``elapsed_ms`` to the brain file's input.

        Called at each pulse end and, with ``math.inf``, at the end of every step.
        """
        for name in sorted(self._pulsing):
            if self.windows_ms[name] <= elapsed_ms:
                pop = self._populations[name]
                set_node_status(pop.cells, {'I_e': pop.initial_input})
                self._pulsing.discard(name)
                self._applied.discard(name)

    def reset(self):
        """Drop what is queued and return every population to the brain file's input."""
        self._pending = {}
        self._pulsing = set()
        for name in sorted(self._applied):
            pop = self._populations[name]
            if pop.input_kind == 'rate_hz':
                set_node_status(pop.sources, {'rate': pop.initial_input})
            else:
                set_node_status(pop.cells, {'I_e': pop.initial_input})
        self._applied = set()
