"""One pong player's side of an iteration, whichever way its brain is reached.

:class:`PlayerRule` holds what a player keeps between iterations (the running mean
reward per row, the reward current of the dopamine network, the tie-breaking generator)
and turns the ball's row into the iteration's input spikes and the motor spikes into a
winner, a reward and the learning step. The offline runner
(:mod:`experiments.pong.offline`, a Brain in the same process) and the transfer
function (:mod:`experiments.pong.transfer_functions`, a brain_node over ROS) both use
it, so the two cannot drift apart.

Input: the stimulated input neuron's spikes (:func:`experiments.pong.coding.input_train`)
are sent as spike times relative to the iteration's start plus ``PARROT_LAG_MS``:
brain_node's spike input makes the population's neurons (parrots) fire at exactly those
times, where the original's parrots fire (its spike generators reach them after NEST's
default delay of 1 ms). The R-STDP eligibility pairs the motor spikes with the train
itself (the generators' times), as the original does.

The player configurations of NEST's example: ``r`` / ``rn`` (R-STDP without / with
noise) and ``d`` / ``dn`` (dopamine actor-critic without / with noise).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.pong import coding, learning
from experiments.pong.game import GRID_Y

HERE = Path(__file__).resolve().parent
BRAIN_FILES = {'r': HERE / 'brain_rstdp.py', 'd': HERE / 'brain_dopa.py'}
CONFIGS = ('r', 'rn', 'd', 'dn')  # the original's player configurations
N_ROWS = GRID_Y  # input and motor neurons: one per grid row
PARROT_LAG_MS = 1.0  # ms, the original's spike generator -> parrot delay (NEST's default)
INPUT_POPULATION = 'inputs'
MOTOR_POPULATION = 'motor'
DOPA_POPULATION = 'dopa'
MOTOR_PROJECTION = 'input_to_motor'


def check_config(config: str) -> str:
    """Return ``config`` if it is one of ``CONFIGS``, else raise ValueError."""
    if config not in CONFIGS:
        raise ValueError(f'player config must be one of {", ".join(CONFIGS)}, got {config!r}')
    return config


def brain_file(config: str) -> Path:
    """The brain file of a player configuration."""
    return BRAIN_FILES[check_config(config)[0]]


def brain_arguments(config: str) -> dict:
    """The brain file's arguments for a configuration (brain_node's ``brain_args``)."""
    return {'noise': check_config(config).endswith('n'), 'neurons': N_ROWS}


@dataclass
class Turn:
    """What a player did in one iteration.

    Attributes:
        winner: the winning motor neuron.
        reward: the distance reward (0 to 1).
        mean_reward: the mean over rows of the running mean reward (the original's curve).
    """

    winner: int
    reward: float
    mean_reward: float


class PlayerRule:
    """A player's codes and learning rule (no brain, no ROS).

    Args:
        config: 'r', 'rn', 'd' or 'dn'.
        seed: seed of the tie-breaking between motor neurons with equal counts.
    """

    def __init__(self, config: str, seed: int):
        self.config = check_config(config)
        self.dopamine = config.startswith('d')
        self.rng = np.random.default_rng(seed)
        self.mean_reward = np.zeros(N_ROWS)
        self.reward_current_na = 0.0  # into dopa at the start of the next iteration

    @property
    def offset_ms(self) -> float:
        """Time of the first input spike after the iteration's start, ms."""
        return coding.DOPA_OFFSET_MS if self.dopamine else coding.RSTDP_OFFSET_MS

    def input_spikes(self, row: int, start_ms: float) -> tuple:
        """The input of an iteration for a ball in ``row`` that starts at ``start_ms``.

        Returns:
            (train_ms: the input train in brain ms, for the eligibility; neurons and
            times_ms relative to the iteration's start, for brain_node's spike input).

        Raises:
            ValueError: ``row`` is not an input neuron.
        """
        if not 0 <= int(row) < N_ROWS:
            raise ValueError(f'row must be in [0, {N_ROWS}), got {row!r}')
        train = coding.input_train(start_ms, self.offset_ms)
        relative = np.round(train - start_ms + PARROT_LAG_MS, 6)
        return train, np.full(len(train), int(row), dtype=np.int64), relative

    def learn(self, row: int, train_ms, counts, neurons, times_ms, weights=None) -> tuple:
        """Pick the winner, reward it, and compute the learning step.

        Args:
            row: the ball's row in the iteration (the stimulated input).
            train_ms: the iteration's input train, brain ms.
            counts: spikes per motor neuron in the iteration.
            neurons: motor neuron of each motor spike.
            times_ms: time of each motor spike, brain ms.
            weights: the (inputs x motor) weights of ``MOTOR_PROJECTION`` now, nA
                (R-STDP players only; dopamine players learn inside NEST).

        Returns:
            (Turn, new weights for ``MOTOR_PROJECTION`` or None). A dopamine player's
            reward current for the next iteration is in ``reward_current_na``.
        """
        counts = np.asarray(counts)
        winner = coding.winning_neuron(counts, self.rng)
        reward = learning.distance_reward(winner, row)
        signal, self.mean_reward = learning.baseline_reward(self.mean_reward, row, reward)
        new_weights = None
        if self.dopamine:
            self.reward_current_na = learning.dopamine_current_na(counts, row)
        else:
            elig = learning.eligibility(train_ms, neurons, times_ms, N_ROWS)
            new_weights = learning.rstdp_weights(np.asarray(weights, dtype=np.float64), row,
                                                 elig, signal)
        turn = Turn(winner=winner, reward=reward, mean_reward=float(np.mean(self.mean_reward)))
        return turn, new_weights


def random_paddle_reward(rows, seed: int) -> float:
    """Mean distance reward of a player whose winning neuron is uniformly random (chance)."""
    rng = np.random.default_rng(seed)
    winners = rng.integers(0, N_ROWS, size=len(rows))
    return float(np.mean([learning.distance_reward(w, r) for w, r in zip(winners, rows)]))
