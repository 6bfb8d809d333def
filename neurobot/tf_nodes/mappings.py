"""Population mappings: brain spikes in as numpy arrays, arrays out as brain stimulus.

The logic behind :class:`tf_nodes.api.Spikes`, :class:`~tf_nodes.api.Rates` and
:class:`~tf_nodes.api.Currents` (the NRP's ``MapSpikeSink`` / ``MapSpikeSource``),
kept free of rclpy so that windows, codes and validation messages are unit-tested
without DDS. Messages are used only through their fields.

* :class:`SpikeReader` -- fed every ``PopulationSpikes`` message of one population;
  :meth:`SpikeReader.value` gives what the transfer function receives: counts, rates,
  spike times or time bins over the last step or a sliding window, or a decoded value.
* :func:`stimulus_values` -- an array returned by a transfer function, checked against
  the population (length, finite, rates >= 0) and turned into message values.
* :func:`spike_train_arrays` -- ``(neurons, times_ms)`` returned for a spike-time
  input, checked (indices in the population, one time per index, finite times >= 0).

Windows are exact to the nanosecond (:class:`tf_nodes.temporal.SpikeWindow`). They are
chained by the brain's step index rather than by stamps, because on wall-clock time
the stamps of consecutive steps are not exactly ``step_ms`` apart: each step is placed
right after the previous one, and spike times are shifted into the time base of the
latest message's stamp when they are handed out. A step that does not follow the
previous one (a lost message, a restarted brain) starts the window afresh.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from neurobot.stamps import stamp_ns
from tf_nodes._checks import NS_PER_MS
from tf_nodes.temporal import SpikeWindow

SPIKE_CODES = ('counts', 'rates_hz', 'times', 'binned')
MS_PER_S = 1000.0  # ms per s


class SpikeTimes(NamedTuple):
    """The spikes of a population, one entry per spike, in time order.

    Attributes:
        neurons: int64 neuron index within the population (0-based), per spike.
        times_ms: float64 emission time, ms, in the time base of the message stamps.
    """

    neurons: np.ndarray
    times_ms: np.ndarray


class SpikeReader:
    """What one :class:`~tf_nodes.api.Spikes` input hands to its transfer function.

    Args:
        declared: the Spikes declaration (population, window_ms, code, bin_ms).
    """

    def __init__(self, declared):
        self.declared = declared
        self.size = None  # population size, from the messages
        self._latest = None  # the last message (window_ms None)
        self._window = None  # SpikeWindow (window_ms given)
        self._last_step = None  # step index of the last message fed
        self._end_ns = None  # stamp of the last message fed, ns
        self._events = declared.code in ('times', 'binned')

    def feed(self, msg) -> None:
        """Take one step's PopulationSpikes message.

        Raises:
            ValueError: a message of another population or an inconsistent message
                (counts and spike lists that disagree); the reader is then unchanged.
        """
        population = self.declared.population
        if msg.population and msg.population != population:
            raise ValueError(f'spikes of population {msg.population!r} arrived for input '
                             f'population {population!r}')
        counts = np.asarray(msg.counts, dtype=np.int64)
        if len(msg.spike_neurons) != len(msg.spike_times_ms):
            raise ValueError(f'spikes of population {population!r}: '
                             f'{len(msg.spike_neurons)} neuron indices but '
                             f'{len(msg.spike_times_ms)} spike times')
        if self.declared.window_ms is None:
            self._latest = msg
            self.size = counts.size
            return
        step_ns = int(round(msg.step_ms * NS_PER_MS))
        window = self._window
        if (window is None or window.n_neurons != counts.size
                or self._last_step is None or msg.step != self._last_step + 1):
            window = SpikeWindow(counts.size, self.declared.window_ms,
                                 bin_ms=self.declared.bin_ms)
        if self._events:
            # times relative to the step's start, placed after the window's last step
            start_ms = stamp_ns(msg.header.stamp) / NS_PER_MS - msg.step_ms
            offset_ns = np.rint((np.asarray(msg.spike_times_ms, dtype=np.float64) - start_ms)
                                * NS_PER_MS).astype(np.int64)
            # a spike NEST stamped at the step's end can land a rounding error beyond it
            offset_ns = np.clip(offset_ns, 1, step_ns)
            window.add_events(np.asarray(msg.spike_neurons, dtype=np.int64),
                              (window.now_ns + offset_ns) / NS_PER_MS, msg.step_ms)
        else:
            window.add_counts(counts, msg.step_ms)
        self._window = window
        self._last_step = msg.step
        self._end_ns = stamp_ns(msg.header.stamp)
        self.size = counts.size

    def value(self) -> Any:
        """The input's value for a call: None before the first message, else the code's.

        Codes: ``'counts'`` int64 per neuron; ``'rates_hz'`` float64 per neuron (counts
        over the window, or the step, in Hz); ``'times'`` :class:`SpikeTimes`;
        ``'binned'`` int64 neurons x bins, oldest bin first; a callable: its result for
        the counts.
        """
        code = self.declared.code
        if self.declared.window_ms is None:
            msg = self._latest
            if msg is None:
                return None
            counts = np.asarray(msg.counts, dtype=np.int64)
            if code == 'counts':
                return counts
            if code == 'rates_hz':
                return counts * (MS_PER_S / msg.step_ms)
            if code == 'times':
                return SpikeTimes(np.asarray(msg.spike_neurons, dtype=np.int64),
                                  np.asarray(msg.spike_times_ms, dtype=np.float64))
            return code(counts)
        window = self._window
        if window is None:
            return None
        if code == 'counts':
            return window.counts()
        if code == 'rates_hz':
            return window.rates_hz()
        if code == 'binned':
            return window.binned()
        if code == 'times':
            neurons, times_ns = window.events()
            return SpikeTimes(neurons, (times_ns + (self._end_ns - window.now_ns)) / NS_PER_MS)
        return code(window.counts())


def stimulus_values(value: Any, *, population: str, kind: str, size: int | None,
                    where: str) -> list:
    """Check an array returned for a population's input and return the message values.

    Args:
        value: one number per neuron (a 1-D array or list), or a single number for all.
        population: the population's name, for the messages.
        kind: 'rate_hz' (rates must be >= 0) or 'current_na'.
        size: the population's size (from describe_brain or its spikes); None: not
            known yet, the length is then left to brain_node to check.
        where: who returned it, e.g. "maze returned output 'places'", for the messages.

    Returns:
        A list of floats for ``PopulationInput.values``.

    Raises:
        TypeError: not numbers.
        ValueError: a wrong length or shape, NaN or inf, a negative rate.
    """
    unit = 'rates (Hz)' if kind == 'rate_hz' else 'currents (nA)'
    array = np.asarray(value)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f'{where}: {unit} for population {population!r} must be numbers, got '
                        f'{type(value).__name__} of {array.dtype}')
    array = array.astype(np.float64)
    if array.ndim > 1:
        raise ValueError(f'{where}: {unit} for population {population!r} must be a 1-D array '
                         f'(one value per neuron) or one number, got shape {array.shape}')
    if array.ndim == 1 and size is not None and array.size != size:
        raise ValueError(f'{where}: population {population!r} has {size} neurons; expected '
                         f'{size} {unit} (or one number for all), got {array.size}')
    if array.ndim == 1 and array.size == 0:
        raise ValueError(f'{where}: {unit} for population {population!r} are empty')
    bad = np.flatnonzero(~np.isfinite(array.ravel()))
    if bad.size:
        raise ValueError(f'{where}: {unit} for population {population!r} contain NaN or inf '
                         f'(first at neuron {int(bad[0])})')
    if kind == 'rate_hz' and (array < 0).any():
        raise ValueError(f'{where}: rates for population {population!r} must be >= 0 Hz, got '
                         f'{array.min():g} Hz at neuron {int(np.argmin(array.ravel()))}')
    return array.ravel().tolist()


def spike_train_arrays(value: Any, *, population: str, size: int | None,
                       where: str) -> tuple[list, list]:
    """Check spike times returned for a population's spike-time input.

    Args:
        value: ``(neurons, times_ms)``: neuron indices and spike times, ms after the start
            of the next step, one time per index (e.g. a :class:`SpikeTimes`).
        population: the population's name, for the messages.
        size: the population's size (None: not known yet; brain_node checks then).
        where: who returned it, for the messages.

    Returns:
        ``(neurons, times_ms)`` as lists for ``PopulationSpikes``.

    Raises:
        TypeError: not a pair of number arrays.
        ValueError: lengths that differ, an index outside the population, NaN/inf or a
            negative time.
    """
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f'{where}: spike times for population {population!r} must be a pair '
                        f'(neurons, times_ms), got {type(value).__name__}')
    try:
        neurons = np.asarray(value[0], dtype=np.float64).ravel()
        times = np.asarray(value[1], dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(f'{where}: spike times for population {population!r} must be '
                        f'numbers') from None
    if neurons.size != times.size:
        raise ValueError(f'{where}: spike times for population {population!r}: '
                         f'{neurons.size} neuron indices but {times.size} times')
    bound = np.inf if size is None else size
    if neurons.size and (not np.isfinite(neurons).all() or (neurons != np.floor(neurons)).any()
                         or neurons.min() < 0 or neurons.max() >= bound):
        raise ValueError(f'{where}: population {population!r} has {size} neurons; expected '
                         f'whole neuron indices in [0, {size}), got {neurons.min():g} to '
                         f'{neurons.max():g}')
    if times.size and (not np.isfinite(times).all() or times.min() < 0):
        raise ValueError(f'{where}: spike times for population {population!r} must be finite '
                         f'and >= 0 ms (after the next step\'s start)')
    return neurons.astype(np.int64).tolist(), times.tolist()
