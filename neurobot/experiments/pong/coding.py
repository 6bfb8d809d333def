"""Pong's encoding and decoding: ball row -> input spike train, motor spikes -> paddle move.

The codes of NEST's pong example (``pynest/examples/pong/networks.py``): in every
iteration of ``ITERATION_MS`` the input neuron of the ball's grid row fires
``INPUT_SPIKES`` spikes ``ISI_MS`` apart, starting an offset after the iteration begins
(1 ms for the R-STDP network; 32 ms for the dopamine network, whose first 32 ms carry the
reward current); every other input neuron is silent. The motor neuron with the most
spikes wins (ties broken at random) and the paddle moves one row towards it.

Pure functions on numpy arrays; a transfer function and the offline runner both use them.
"""

import numpy as np

from experiments.pong.game import MOVE_DOWN, MOVE_UP, STAY

ITERATION_MS = 200.0  # ms of brain time per game step
INPUT_SPIKES = 20  # spikes of the stimulated input neuron per iteration
ISI_MS = 10.0  # ms between those spikes
RSTDP_OFFSET_MS = 1.0  # ms, first input spike after the iteration's start (R-STDP network)
DOPA_OFFSET_MS = 32.0  # ms, the same for the dopamine network (the reward current comes first)
TIME_GRID_MS = 0.1  # ms, spike times are rounded to NEST's default resolution


def input_train(start_ms: float, offset_ms: float, n_spikes: int = INPUT_SPIKES,
                isi_ms: float = ISI_MS, window_ms: float = ITERATION_MS) -> np.ndarray:
    """Return the spike times of the stimulated input neuron in one iteration.

    Spikes that would fall at or after the iteration's end are left out: the original
    refills its spike generators at every iteration, which drops them (with the 32 ms
    offset of the dopamine network, 17 of the 20 spikes remain).

    Args:
        start_ms: brain time at which the iteration starts, ms.
        offset_ms: time of the first spike after ``start_ms``, ms.
        n_spikes: spikes in a full train.
        isi_ms: inter-spike interval, ms.
        window_ms: length of the iteration, ms.

    Returns:
        Spike times in ms, on the ``TIME_GRID_MS`` grid, ascending.
    """
    times = start_ms + offset_ms + isi_ms * np.arange(n_spikes)
    times = np.round(times / TIME_GRID_MS) * TIME_GRID_MS
    return times[times < start_ms + window_ms - TIME_GRID_MS / 2]


def encode(row: int, n_inputs: int, train: np.ndarray) -> list:
    """Return one spike-time array per input neuron: ``train`` for ``row``, empty elsewhere.

    Raises:
        ValueError: ``row`` is not an input neuron.
    """
    if not 0 <= int(row) < n_inputs:
        raise ValueError(f'row must be in [0, {n_inputs}), got {row!r}')
    trains = [np.zeros(0) for _ in range(n_inputs)]
    trains[int(row)] = np.asarray(train, dtype=np.float64)
    return trains


def winning_neuron(counts, rng: np.random.Generator) -> int:
    """Return the index of the motor neuron with most spikes; a tie is drawn at random."""
    counts = np.asarray(counts)
    return int(rng.choice(np.flatnonzero(counts == counts.max())))


def paddle_move(winner: int, paddle_row: int) -> int:
    """Return MOVE_UP, STAY or MOVE_DOWN: one row from the paddle's row towards ``winner``."""
    if winner > paddle_row:
        return MOVE_UP
    if winner < paddle_row:
        return MOVE_DOWN
    return STAY
