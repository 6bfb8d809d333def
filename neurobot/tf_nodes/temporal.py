"""Stateful readouts of spiking activity over time: a sliding window and a leaky integrator.

Pure numpy, no ROS. Both are fed once per brain step and hold only what they need.

:class:`SpikeWindow` keeps exactly the last ``window_ms`` of a population's spikes
and hands out counts, rates, or a neurons x time-bins matrix (the input of a network
trained on binned activity). Time is kept in integer nanoseconds so that window edges
stay exact however many steps have been added, as in :mod:`brain_node.stepping`.

The window rule: at time ``now``, a spike stamped ``t`` is inside iff
``now - window_ms < t <= now`` (compared in ns after rounding ``t`` to the nearest
ns). Spike counts given per step are stamped at the end of their step, as NEST stamps
a spike with the end of the resolution step in which it was emitted; so with a window
that is not a multiple of the step, a step that ends inside the window counts whole
(e.g. 25 ms window, 10 ms steps: the last three steps, 30 ms of activity). Feed spike
events with their own times to get the window exact to the nanosecond.

:class:`LeakyIntegrator` low-pass filters a signal (rates, counts) with time constant
``tau_ms``, discretised exactly for any step length (see its docstring).
"""

from __future__ import annotations

from collections import deque
import math
from typing import Any

import numpy as np

from ._checks import (NS_PER_MS, count_array, float_array, index_array, integer, ms_to_ns,
                      positive, real)


class SpikeWindow:
    """The spikes of a population over the last ``window_ms``.

    Feed it once per step with :meth:`add_counts` (counts per neuron over the step)
    or :meth:`add_events` (neuron index and time of every spike in the step); steps
    may vary in length. Each call advances :attr:`now_ms` by its ``step_ms``. Spikes
    are stored sparsely, one chunk per step, and dropped as they leave the window,
    so adding a step costs O(neurons + spikes in the step), amortised, whatever the
    window length, and :meth:`counts` is O(neurons) from a running total;
    :meth:`binned` is O(spikes in the window).

    Args:
        n_neurons: Population size, >= 1.
        window_ms: Window length, > 0 (at least 1 ns).
        bin_ms: Bin length for :meth:`binned`; must divide ``window_ms`` exactly (to
            the ns). Default: one bin spanning the window.
        start_ms: Time of the first step's start (:attr:`now_ms` before any step).

    Raises:
        TypeError, ValueError: for a bad argument (see the messages).
    """

    def __init__(self, n_neurons: int, window_ms: float, *, bin_ms: float | None = None,
                 start_ms: float = 0.0) -> None:
        self._n = integer('n_neurons', n_neurons, minimum=1)
        self._window_ns = ms_to_ns('window_ms', window_ms, minimum_ns=1)
        if bin_ms is None:
            self._bin_ns = self._window_ns
        else:
            self._bin_ns = ms_to_ns('bin_ms', bin_ms, minimum_ns=1)
            if self._window_ns % self._bin_ns:
                raise ValueError(f'bin_ms: expected a divisor of window_ms ({window_ms} ms), '
                                 f'got {bin_ms} ms')
        self._start_ns = ms_to_ns('start_ms', start_ms)
        # Each chunk holds one step's spikes as (times_ns ascending, neuron, count);
        # everything stored is inside the window (see _expire).
        self._chunks: deque[tuple[np.ndarray, np.ndarray, np.ndarray]] = deque()
        self._totals = np.zeros(self._n, dtype=np.int64)
        self._now_ns = self._start_ns

    # ------------------------------------------------------------------ properties
    @property
    def n_neurons(self) -> int:
        return self._n

    @property
    def window_ms(self) -> float:
        return self._window_ns / NS_PER_MS

    @property
    def bin_ms(self) -> float:
        return self._bin_ns / NS_PER_MS

    @property
    def n_bins(self) -> int:
        """Number of bins (columns) of :meth:`binned`."""
        return self._window_ns // self._bin_ns

    @property
    def now_ms(self) -> float:
        """End of the last step added (the window is ``(now - window, now]``)."""
        return self._now_ns / NS_PER_MS

    @property
    def now_ns(self) -> int:
        """:attr:`now_ms` in integer nanoseconds (exact)."""
        return self._now_ns

    # ------------------------------------------------------------------ feeding
    def add_counts(self, counts: Any, step_ms: float) -> None:
        """Add one step's spike counts per neuron, stamped at the step's end.

        Args:
            counts: 1-D array of ``n_neurons`` whole numbers >= 0.
            step_ms: Step length, > 0 (at least 1 ns).

        Raises:
            TypeError, ValueError: for bad counts or step; the window is then unchanged.
        """
        counts = count_array('counts', counts, size=self._n)
        step_ns = ms_to_ns('step_ms', step_ms, minimum_ns=1)
        self._now_ns += step_ns
        active = np.flatnonzero(counts)
        if active.size:
            self._chunks.append((np.full(active.size, self._now_ns, dtype=np.int64),
                                 active, counts[active]))
            self._totals += counts
        self._expire()

    def add_events(self, neuron_ids: Any, times_ms: Any, step_ms: float) -> None:
        """Add the spikes of one step as events.

        Args:
            neuron_ids: 1-D array of neuron indices in ``[0, n_neurons)``, one per spike.
            times_ms: 1-D array of spike times, same length, each in
                ``(now_ms, now_ms + step_ms]`` (any order).
            step_ms: Step length, > 0 (at least 1 ns).

        Raises:
            TypeError, ValueError: for bad ids, times outside the step or a bad step;
                the window is then unchanged.
        """
        ids = index_array('neuron_ids', neuron_ids, bound=self._n)
        times = float_array('times_ms', times_ms, ndim=1)
        if times.shape != ids.shape:
            raise ValueError(f'times_ms: expected one time per neuron id ({ids.shape[0]}), '
                             f'got {times.shape[0]}')
        step_ns = ms_to_ns('step_ms', step_ms, minimum_ns=1)
        end_ns = self._now_ns + step_ns
        times_ns = np.rint(times * NS_PER_MS).astype(np.int64)
        if times_ns.size and (times_ns.min() <= self._now_ns or times_ns.max() > end_ns):
            raise ValueError(f'times_ms: expected spike times in ({self.now_ms}, '
                             f'{end_ns / NS_PER_MS}] ms (this step), got '
                             f'[{times.min()}, {times.max()}]')
        self._now_ns = end_ns
        if ids.size:
            order = np.argsort(times_ns, kind='stable')
            self._chunks.append((times_ns[order], ids[order], np.ones(ids.size, np.int64)))
            np.add.at(self._totals, ids, 1)
        self._expire()

    def reset(self, start_ms: float | None = None) -> None:
        """Forget all spikes and restart at ``start_ms`` (default: the constructor's)."""
        start_ns = self._start_ns if start_ms is None else ms_to_ns('start_ms', start_ms)
        self._chunks.clear()
        self._totals[:] = 0
        self._now_ns = start_ns

    def _expire(self) -> None:
        cutoff_ns = self._now_ns - self._window_ns
        chunks = self._chunks
        # Chunks are in time order and each is sorted, so only the oldest ones can
        # hold expired spikes and the loop stops at the first one that is all inside.
        while chunks and chunks[0][0][0] <= cutoff_ns:
            times_ns, ids, weights = chunks[0]
            if times_ns[-1] <= cutoff_ns:
                np.subtract.at(self._totals, ids, weights)
                chunks.popleft()
                continue
            n_old = int(np.searchsorted(times_ns, cutoff_ns, side='right'))
            np.subtract.at(self._totals, ids[:n_old], weights[:n_old])
            chunks[0] = (times_ns[n_old:], ids[n_old:], weights[n_old:])

    # ------------------------------------------------------------------ readouts
    def counts(self) -> np.ndarray:
        """Spikes per neuron in the window (a new int64 array of ``n_neurons``)."""
        return self._totals.copy()

    def rates_hz(self) -> np.ndarray:
        """Mean rate per neuron over the window, ``counts / window`` in Hz.

        The divisor is always the full window, also before a full window has been
        fed: the time before ``start_ms`` counts as silence.
        """
        return self._totals * (1000.0 * NS_PER_MS / self._window_ns)

    def events(self) -> tuple[np.ndarray, np.ndarray]:
        """Every spike in the window, in time order.

        A step added with :meth:`add_counts` gives each of its spikes the step's end.

        Returns:
            ``(neurons, times_ns)``: new int64 arrays, one entry per spike.
        """
        if not self._chunks:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        times_ns = np.concatenate([np.repeat(c[0], c[2]) for c in self._chunks])
        neurons = np.concatenate([np.repeat(c[1], c[2]) for c in self._chunks])
        return neurons.astype(np.int64), times_ns

    def binned(self) -> np.ndarray:
        """Spikes per neuron and bin, oldest bin first.

        Bin ``j`` holds spikes stamped in ``(now - window + j * bin, now - window +
        (j + 1) * bin]``, so the last bin ends at :attr:`now_ms`.

        Returns:
            A new int64 array of shape ``(n_neurons, n_bins)``; rows sum to :meth:`counts`.
        """
        n_bins = self.n_bins
        if not self._chunks:
            return np.zeros((self._n, n_bins), dtype=np.int64)
        times_ns = np.concatenate([chunk[0] for chunk in self._chunks])
        ids = np.concatenate([chunk[1] for chunk in self._chunks])
        weights = np.concatenate([chunk[2] for chunk in self._chunks])
        bins = (times_ns - (self._now_ns - self._window_ns) - 1) // self._bin_ns
        flat = np.bincount(ids * n_bins + bins, weights=weights, minlength=self._n * n_bins)
        return np.rint(flat).astype(np.int64).reshape(self._n, n_bins)


class LeakyIntegrator:
    """Exponential leaky integration, ``tau_ms * dy/dt = -y + gain * x(t)``, element-wise.

    Discretised exactly for any step ``dt_ms``, with ``a = exp(-dt_ms / tau_ms)``, under
    one of two assumptions about the input during the step:

    * ``'held'`` (default; zero-order hold): ``x`` is constant over the step, e.g. a
      rate. ``y <- a * y + (1 - a) * gain * x``. A constant input makes ``y`` relax
      to ``gain * x``: a low-pass filtered copy of the input, in its units.
    * ``'impulse'``: ``x`` arrives as an instantaneous kick at the end of the step,
      e.g. a spike count. ``y <- a * y + gain * x``. ``y`` is then the spike trace
      ``gain * sum_k x_k exp(-(t - t_k) / tau_ms)`` (no ``1/tau`` factor; multiply
      ``gain`` by ``1000 / tau_ms`` to read it as a rate in Hz).

    Args:
        tau_ms: Time constant, > 0.
        shape: Shape of the state (an int for a vector, ``()`` for a scalar).
        gain: Input gain (finite).
        input_mode: ``'held'`` or ``'impulse'``.
        initial: Initial and :meth:`reset` value of ``y`` (finite; broadcast to ``shape``).

    Raises:
        TypeError, ValueError: for a bad argument.
    """

    _MODES = ('held', 'impulse')

    def __init__(self, tau_ms: float, *, shape: int | tuple[int, ...] = (), gain: float = 1.0,
                 input_mode: str = 'held', initial: Any = 0.0) -> None:
        self._tau_ms = positive('tau_ms', tau_ms)
        self._gain = real('gain', gain)
        if input_mode not in self._MODES:
            raise ValueError(f'input_mode: expected one of {self._MODES}, got {input_mode!r}')
        self._mode = input_mode
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (int(shape),)
        if not isinstance(shape, tuple):
            raise TypeError(f'shape: expected an int or a tuple of ints, got {shape!r}')
        self._shape = tuple(integer('shape', size, minimum=0) for size in shape)
        self._initial = self._broadcast('initial', initial).copy()
        self._y = self._initial.copy()
        # Step factors, cached because the step length rarely changes.
        self._cached_dt_ms = math.nan
        self._decay = math.nan
        self._held_drive = math.nan

    def _broadcast(self, name: str, value: Any) -> np.ndarray:
        array = float_array(name, value)
        try:
            return np.broadcast_to(array, self._shape)
        except ValueError:
            raise ValueError(f'{name}: expected shape {self._shape} (or broadcastable to it), '
                             f'got {array.shape}') from None

    @property
    def tau_ms(self) -> float:
        return self._tau_ms

    @property
    def input_mode(self) -> str:
        return self._mode

    @property
    def value(self) -> np.ndarray:
        """Current state ``y`` (a copy)."""
        return self._y.copy()

    def update(self, x: Any, dt_ms: float) -> np.ndarray:
        """Advance by ``dt_ms`` with input ``x`` and return the new state.

        Args:
            x: Input, finite, of the state's shape (or broadcastable to it).
            dt_ms: Step length, > 0.

        Returns:
            The new state (a copy).

        Raises:
            TypeError, ValueError: for bad input or step; the state is then unchanged.
        """
        x = self._broadcast('x', x)
        dt_ms = positive('dt_ms', dt_ms)
        if dt_ms != self._cached_dt_ms:
            self._cached_dt_ms = dt_ms
            self._decay = math.exp(-dt_ms / self._tau_ms)
            # expm1 keeps 1 - a accurate when dt_ms << tau_ms.
            self._held_drive = -math.expm1(-dt_ms / self._tau_ms) * self._gain
        drive = self._gain if self._mode == 'impulse' else self._held_drive
        self._y = self._decay * self._y + drive * x
        return self._y.copy()

    def reset(self, value: Any = None) -> None:
        """Set the state to ``value`` (default: the constructor's ``initial``)."""
        self._y = (self._initial if value is None else self._broadcast('value', value)).copy()
