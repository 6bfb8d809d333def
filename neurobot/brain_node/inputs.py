"""Stimulus inputs of a brain: Poisson rates and DC currents, validated, applied per step.

A stimulus is queued with :meth:`Inputs.set` and reaches NEST at the start of the next
step (:meth:`Inputs.apply`), so a message arriving mid-step never changes the step that
is running. Rates go to the generators of SpikeSourcePoisson populations (Hz); currents
are added to the neurons' built-in ``I_e`` (nA here, pA in NEST). Reset returns every
population to the value the brain file gave it.
"""

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
    """

    def __init__(self, populations: dict):
        self._populations = populations
        self._pending = {}  # name -> array queued for the next step
        self._applied = set()  # names whose NEST input differs from the brain file's

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
            self._applied.add(name)

    def reset(self):
        """Drop what is queued and return every population to the brain file's input."""
        self._pending = {}
        for name in sorted(self._applied):
            pop = self._populations[name]
            if pop.input_kind == 'rate_hz':
                set_node_status(pop.sources, {'rate': pop.initial_input})
            else:
                set_node_status(pop.cells, {'I_e': pop.initial_input})
        self._applied = set()
