"""Pong without ROS: real brains, our game core, and the transfer function's codes and rules.

The brains run in :class:`brain_node.brain.Brain`; the codes and learning rules are
those a transfer function will use.

A game has one or two players; each is a network configuration of NEST's pong example:
``r`` / ``rn`` (R-STDP without / with noise) and ``d`` / ``dn`` (dopamine actor-critic
without / with noise). Each iteration (``ITERATION_MS`` of brain time) the ball's row is
sent to every player as an input spike train, the winning motor neuron sets the
paddle's move, the player learns, and the game advances one step. Two players run in two
processes (one NEST kernel each, as two brain_nodes would), so they play in parallel and
two dopamine networks could even learn together (NEST's original cannot: one kernel, one
volume transmitter); a single player runs in this process and the other paddle stays.

Reset after each iteration. The original does not reset NEST between iterations: it
clears its spike recorders and lets time run on (the next input train starts 1 or 32 ms
into the next 200 ms). Here, likewise, no :meth:`Brain.reset` is called: each
:meth:`Brain.step` returns only its own spikes (brain_node clears its recorder every
step), which is the original's clearing. A ``Brain.reset`` would not match: scope
``neurons`` drains ``2 * max_delay`` of activity (400 ms in the dopamine brain, whose
striatum -> dopa path is delayed 200 ms) and drops the spikes in flight on that delayed
path, which carry the critic's value of the previous iteration into this one (the
temporal difference); ``synapses`` would also clear the eligibility and dopamine traces
the rule integrates across iterations.

Spike-train input. ``Brain`` takes rates and currents but not spike times yet, so
:class:`SpikeTrainInput` writes the spike generators behind a SpikeSourceArray population
itself; a spike-time input is a platform piece brain_node still lacks.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
import multiprocessing
import os
from pathlib import Path
import time

import nest
import numpy as np

from brain_node.brain import Brain
from experiments.pong import coding, learning
from experiments.pong.game import LEFT, RIGHT, Pong

HERE = Path(__file__).resolve().parent
BRAIN_FILES = {'r': HERE / 'brain_rstdp.py', 'd': HERE / 'brain_dopa.py'}
CONFIGS = ('r', 'rn', 'd', 'dn')  # the original's player configurations
N_ROWS = 20  # input and motor neurons (the game's GRID_Y)
PARROT_LAG_MS = 1.0  # ms, the original's spike generator -> parrot delay (NEST's default)
REWARD_CURRENT_MS = coding.DOPA_OFFSET_MS  # ms at the start of an iteration with reward current
MOTOR_PROJECTION = 'input_to_motor'


def check_config(config: str) -> str:
    """Return ``config`` if it is one of ``CONFIGS``, else raise ValueError."""
    if config not in CONFIGS:
        raise ValueError(f'player config must be one of {", ".join(CONFIGS)}, got {config!r}')
    return config


@contextmanager
def brain_environment(settings: dict):
    """Set environment variables while a brain file loads, then restore the old values.

    Brain files read their configuration from the environment today (issue 13 part 1
    moves it to a brain_node parameter).
    """
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class SpikeTrainInput:
    """Spike times for the spike generators behind a SpikeSourceArray population.

    The generators are written so that the population's parrot neurons fire at the given
    times plus ``PARROT_LAG_MS``, where the original's parrots fire.

    Args:
        brain: the Brain.
        name: the population's name in the brain file.
    """

    def __init__(self, brain: Brain, name: str):
        self._brain = brain
        pop = brain.namespace[name]
        self._sources = pop.node_collection_source
        delays = nest.GetConnections(self._sources, pop.node_collection).get('delay')
        self._lead_ms = PARROT_LAG_MS - float(np.max(delays))
        self._active = []  # generators holding spikes

    def set(self, trains: list) -> None:
        """Replace every generator's spike times (brain ms, one array per neuron)."""
        offset_ms = self._brain.nest_offset_ms + self._lead_ms
        changes = {i: np.asarray(t, dtype=np.float64) for i, t in enumerate(trains) if len(t)}
        for i in self._active:
            changes.setdefault(i, np.zeros(0))
        for i, times in changes.items():
            self._sources[i].set(spike_times=np.round(times + offset_ms, 1).tolist())
        self._active = [i for i, t in enumerate(trains) if len(t)]


@dataclass
class Iteration:
    """The input and the motor spikes of one iteration.

    Attributes:
        row: the ball's row (the stimulated input neuron).
        train_ms: the input spike train, brain ms.
        counts: spikes per motor neuron.
        neurons: motor neuron of each spike.
        times_ms: time of each spike, brain ms.
    """

    row: int
    train_ms: np.ndarray
    counts: np.ndarray
    neurons: np.ndarray
    times_ms: np.ndarray


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


class Player:
    """One network and its learning rule, playing from the ball's row.

    Args:
        config: 'r', 'rn', 'd' or 'dn'.
        seed: seed of the brain (NEST, initial weights) and of the tie-breaking.
    """

    def __init__(self, config: str, seed: int):
        self.config = check_config(config)
        self.dopamine = config.startswith('d')
        settings = {'NEUROBOT_PONG_NOISE': '1' if config.endswith('n') else '0',
                    'NEUROBOT_PONG_NEURONS': str(N_ROWS)}
        with brain_environment(settings):
            self.brain = Brain(str(BRAIN_FILES[config[0]]), step_ms=coding.ITERATION_MS,
                               seed=seed)
        self.rng = np.random.default_rng(seed)
        self.inputs = SpikeTrainInput(self.brain, 'inputs')
        self.mean_reward = np.zeros(N_ROWS)
        self.reward_current_na = 0.0  # into dopa at the start of the next iteration

    def run_iteration(self, row: int) -> Iteration:
        """Simulate one iteration with the input train for a ball in ``row``."""
        start = self.brain.time_ms
        offset = coding.DOPA_OFFSET_MS if self.dopamine else coding.RSTDP_OFFSET_MS
        train = coding.input_train(start, offset)
        self.inputs.set(coding.encode(row, N_ROWS, train))
        if not self.dopamine:
            self.brain.set_step_ms(coding.ITERATION_MS)
            parts = [self.brain.step().spikes['motor']]
        else:
            # The reward current of the last iteration flows while this one's input is silent.
            self.brain.set_input('dopa', self.reward_current_na)
            self.brain.set_step_ms(REWARD_CURRENT_MS)
            first = self.brain.step()
            self.brain.set_input('dopa', 0.0)
            self.brain.set_step_ms(coding.ITERATION_MS - REWARD_CURRENT_MS)
            parts = [first.spikes['motor'], self.brain.step().spikes['motor']]
        return Iteration(row=int(row), train_ms=train,
                         counts=np.sum([p.counts for p in parts], axis=0).astype(np.int64),
                         neurons=np.concatenate([p.neurons for p in parts]).astype(np.int64),
                         times_ms=np.concatenate([p.times_ms for p in parts]))

    def learn(self, iteration: Iteration) -> Turn:
        """Pick the winner, reward it, and update the network (weights or reward current)."""
        row, counts = iteration.row, iteration.counts
        winner = coding.winning_neuron(counts, self.rng)
        reward = learning.distance_reward(winner, row)
        signal, self.mean_reward = learning.baseline_reward(self.mean_reward, row, reward)
        if self.dopamine:
            self.reward_current_na = learning.dopamine_current_na(counts, row)
        else:
            elig = learning.eligibility(iteration.train_ms, iteration.neurons,
                                        iteration.times_ms, N_ROWS)
            rows, cols, flat = self.brain.get_weights(MOTOR_PROJECTION)
            weights = learning.rstdp_weights(np.reshape(flat, (rows, cols)), row, elig, signal)
            self.brain.set_weights(MOTOR_PROJECTION, rows, cols, weights.ravel())
        return Turn(winner=winner, reward=reward, mean_reward=float(np.mean(self.mean_reward)))

    def play(self, row: int) -> Turn:
        """Play one iteration for a ball in ``row`` and learn from it."""
        return self.learn(self.run_iteration(row))


def _serve_player(connection, config: str, seed: int) -> None:
    """Run a Player in a child process: receive rows, send Turns, stop on None."""
    player = Player(config, seed)
    connection.send('ready')
    while (row := connection.recv()) is not None:
        connection.send(player.play(row))
    connection.close()


class RemotePlayer:
    """A Player in its own process (its own NEST kernel); ``ask`` and ``answer`` split play.

    The process is started with 'spawn' (a fresh NEST, never a forked one), so a script
    that plays two players must keep its top level under ``if __name__ == '__main__':``.

    Raises:
        RuntimeError: the player's process ended (its error is on stderr).
    """

    def __init__(self, config: str, seed: int):
        context = multiprocessing.get_context('spawn')
        self.config = config
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve_player, args=(child, config, seed),
                                        daemon=True)
        self._process.start()
        child.close()  # the child's end lives in the child only: its exit means EOF here
        self._receive()  # 'ready' once the brain is built

    def _receive(self):
        try:
            return self._connection.recv()
        except EOFError:
            self._process.join(timeout=10)
            raise RuntimeError(f'the {self.config!r} player process ended (exit code '
                               f'{self._process.exitcode}); see its error above') from None

    def ask(self, row: int) -> None:
        self._connection.send(int(row))

    def answer(self) -> Turn:
        return self._receive()

    def close(self) -> None:
        if self._process.is_alive():
            try:
                self._connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
        self._connection.close()


@dataclass
class GameRecord:
    """Per-iteration record of a game.

    Attributes:
        configs: side -> player config.
        rows: the ball's row in each iteration.
        turns: side -> list of Turns.
        score: side -> points at the end.
        wall_s: wall time of the whole game, s (without building the brains).
    """

    configs: dict
    rows: list = field(default_factory=list)
    turns: dict = field(default_factory=dict)
    score: dict = field(default_factory=dict)
    wall_s: float = 0.0

    def curve(self, side: str) -> np.ndarray:
        """The side's mean reward (mean over rows of the running mean) per iteration."""
        return np.array([t.mean_reward for t in self.turns[side]])

    def rewards(self, side: str) -> np.ndarray:
        """The side's distance reward per iteration."""
        return np.array([t.reward for t in self.turns[side]])


def play_game(configs, iterations: int, seed: int, progress=None) -> GameRecord:
    """Play ``iterations`` game steps with one or two players.

    Args:
        configs: one or two player configs; the first plays left.
        iterations: game steps (one ``ITERATION_MS`` iteration of every brain each).
        seed: seeds the game (serves) and the players (left ``seed``, right ``seed + 1``).
        progress: optional callable(iteration) called after each iteration (a tqdm update).

    Returns:
        The game's record.

    Raises:
        ValueError: unknown config, or not one or two players.
    """
    configs = [check_config(c) for c in configs]
    if len(configs) not in (1, 2):
        raise ValueError(f'a game has one or two players, got {len(configs)}')
    sides = (LEFT, RIGHT)[:len(configs)]
    game = Pong(np.random.default_rng(seed))
    record = GameRecord(configs=dict(zip(sides, configs)), turns={s: [] for s in sides})
    if len(configs) == 1:
        local = Player(configs[0], seed)
        players = None
    else:
        players = {side: RemotePlayer(config, seed + k)
                   for k, (side, config) in enumerate(zip(sides, configs))}
    start = time.perf_counter()
    try:
        for iteration in range(iterations):
            row = game.ball.cell[1]
            if players is None:
                turns = {LEFT: local.play(row)}
            else:
                for player in players.values():
                    player.ask(row)
                turns = {side: player.answer() for side, player in players.items()}
            for side, turn in turns.items():
                record.turns[side].append(turn)
                game.set_move(side, coding.paddle_move(turn.winner, game.paddles[side].row))
            record.rows.append(row)
            game.step()
            if progress is not None:
                progress(iteration)
    finally:
        if players is not None:
            for player in players.values():
                player.close()
    record.wall_s = time.perf_counter() - start
    record.score = dict(game.score)
    return record


def random_paddle_reward(rows, seed: int) -> float:
    """Mean distance reward of a player whose winning neuron is uniformly random."""
    rng = np.random.default_rng(seed)
    winners = rng.integers(0, N_ROWS, size=len(rows))
    return float(np.mean([learning.distance_reward(w, r) for w, r in zip(winners, rows)]))
