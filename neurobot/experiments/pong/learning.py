"""Pong's learning rules as pure numpy functions (after NEST's ``pynest/examples/pong``).

- Reward (both networks): the winning motor neuron's distance to the ball's row gives a
  reward from ``REWARD_BY_DISTANCE``; the learning signal is that reward minus a running
  mean per row, which moves half-way towards each new reward.
- R-STDP (Wunderlich et al. 2019, https://doi.org/10.3389/fnins.2019.00260): each
  postsynaptic spike that is the first after an input spike adds
  ``STDP_AMPLITUDE * exp(-dt / STDP_TAU_MS)`` to the eligibility (causal pairs only, next
  neighbour only), saturating at ``STDP_SATURATION``; the weights from the stimulated
  input change by ``LEARNING_RATE * eligibility * reward`` (pA), computed for all motor
  neurons at once.
- Dopamine actor-critic (Potjans et al. 2011, https://doi.org/10.1371/journal.pcbi.1001133):
  the current into the dopaminergic neurons grows with the share of motor spikes the
  target neuron fired.

Weights here are PyNN weights (nA), as ``Brain.get_weights`` returns them.
"""

import numpy as np

REWARD_BY_DISTANCE = (1.0, 0.7, 0.4, 0.1)  # reward for a winner 0, 1, 2, 3 rows off; 0 beyond
BASELINE_STEP = 0.5  # fraction of the reward error the per-row mean reward moves by

LEARNING_RATE = 0.7  # pA of weight change per unit of eligibility x reward
STDP_AMPLITUDE = 36.0  # eligibility of a pair at zero delay (arbitrary units)
STDP_TAU_MS = 64.0  # ms, decay of the eligibility with the pair's delay
STDP_SATURATION = 128.0  # upper bound of one iteration's eligibility
PA_PER_NA = 1000.0

DOPA_SIGNAL_PA = 4800.0  # pA, reward current when all motor spikes came from the target
DOPA_BASELINE_PA = 100.0  # pA, reward current whatever the performance
DOPA_MAX_PA = 1000.0  # pA, the current is clipped here (runaway weights otherwise)


def distance_reward(winner: int, target: int) -> float:
    """Return the reward for a winning motor neuron ``winner`` when the ball is in ``target``."""
    distance = abs(int(winner) - int(target))
    return REWARD_BY_DISTANCE[distance] if distance < len(REWARD_BY_DISTANCE) else 0.0


def baseline_reward(mean_reward: np.ndarray, target: int, reward: float):
    """Return (learning signal, updated per-row mean rewards) for a reward in row ``target``.

    Args:
        mean_reward: running mean reward per row (not changed).
        target: the ball's row.
        reward: the reward of this iteration (see :func:`distance_reward`).
    """
    signal = float(reward - mean_reward[target])
    updated = np.array(mean_reward, dtype=np.float64)
    updated[target] += BASELINE_STEP * signal
    return signal, updated


def eligibility(pre_ms, post_neurons, post_ms, n_post: int, amplitude: float = STDP_AMPLITUDE,
                tau_ms: float = STDP_TAU_MS, saturation: float = STDP_SATURATION) -> np.ndarray:
    """Return the causal next-neighbour STDP eligibility of one input to every motor neuron.

    For each motor neuron, only the first of its spikes after each input spike counts
    (later ones in the same inter-spike interval are skipped, as are spikes before the
    first input spike).

    Args:
        pre_ms: spike times of the stimulated input, ms.
        post_neurons: motor neuron index of each motor spike.
        post_ms: time of each motor spike, ms (same length as ``post_neurons``).
        n_post: number of motor neurons.
        amplitude: eligibility of a pair at zero delay.
        tau_ms: decay time constant, ms.
        saturation: bound of the summed eligibility.

    Returns:
        Eligibility per motor neuron, shape (n_post,).
    """
    pre = np.sort(np.asarray(pre_ms, dtype=np.float64))
    neurons = np.asarray(post_neurons, dtype=np.int64)
    times = np.asarray(post_ms, dtype=np.float64)
    if not len(times) or not len(pre):
        return np.zeros(n_post)
    order = np.lexsort((times, neurons))  # by neuron, then time
    neurons, times = neurons[order], times[order]
    slots = np.searchsorted(pre, times)  # input spikes strictly before each motor spike
    # First motor spike of each (neuron, inter-spike interval) pair only.
    _, first = np.unique(neurons * (len(pre) + 1) + slots, return_index=True)
    first = first[slots[first] > 0]
    lags = times[first] - pre[slots[first] - 1]
    total = np.bincount(neurons[first], weights=amplitude * np.exp(-lags / tau_ms),
                        minlength=n_post)
    return np.minimum(total, saturation)


def rstdp_weights(weights: np.ndarray, target: int, elig: np.ndarray, signal: float,
                  learning_rate: float = LEARNING_RATE) -> np.ndarray:
    """Return new input -> motor weights (nA) after one R-STDP update.

    Only the row of the stimulated input changes: by ``learning_rate * elig * signal`` pA.

    Args:
        weights: (n_inputs, n_motor) PyNN weights, nA (not changed).
        target: the stimulated input (the ball's row).
        elig: eligibility per motor neuron (see :func:`eligibility`).
        signal: reward minus the row's mean reward (see :func:`baseline_reward`).
        learning_rate: pA per unit of eligibility x reward.
    """
    updated = np.array(weights, dtype=np.float64)
    updated[target] += learning_rate * np.asarray(elig) * signal / PA_PER_NA
    return updated


def dopamine_current_na(counts, target: int) -> float:
    """Return the reward current into the dopaminergic neurons, nA.

    Args:
        counts: spikes per motor neuron in the last iteration.
        target: the ball's row in that iteration.
    """
    counts = np.asarray(counts)
    share = counts[target] / max(int(counts.sum()), 1)
    return min(DOPA_SIGNAL_PA * share + DOPA_BASELINE_PA, DOPA_MAX_PA) / PA_PER_NA
