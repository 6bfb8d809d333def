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

Input and reward. The input train reaches the brain through brain_node's spike-time input
(:meth:`Brain.set_spike_times`), the dopamine player's reward current through its
stimulus, which the dopamine brain file declares a 32 ms pulse; one ``Brain.step`` is one
iteration. The player's codes and learning are :class:`experiments.pong.player.PlayerRule`,
the same the ROS transfer function uses.
"""

from dataclasses import dataclass, field
import multiprocessing
import time

import numpy as np

from brain_node.brain import Brain
from experiments.pong import coding
from experiments.pong.game import LEFT, RIGHT, Pong
from experiments.pong.player import (BRAIN_FILES, CONFIGS, INPUT_POPULATION,  # noqa: F401
                                     MOTOR_POPULATION, MOTOR_PROJECTION, N_ROWS,
                                     PlayerRule, Turn, brain_arguments, brain_file,
                                     check_config, random_paddle_reward)


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


class Player:
    """One network and its learning rule, playing from the ball's row.

    Args:
        config: 'r', 'rn', 'd' or 'dn'.
        seed: seed of the brain (NEST, initial weights) and of the tie-breaking.
    """

    def __init__(self, config: str, seed: int):
        self.rule = PlayerRule(config, seed)
        self.config, self.dopamine = self.rule.config, self.rule.dopamine
        self.brain = Brain(str(brain_file(config)), step_ms=coding.ITERATION_MS, seed=seed,
                           arguments=brain_arguments(config))

    @property
    def mean_reward(self) -> np.ndarray:
        return self.rule.mean_reward

    def run_iteration(self, row: int) -> Iteration:
        """Simulate one iteration with the input train for a ball in ``row``."""
        train, neurons, relative_ms = self.rule.input_spikes(row, self.brain.time_ms)
        self.brain.set_spike_times(INPUT_POPULATION, neurons, relative_ms)
        if self.dopamine:
            # the last iteration's reward current, during this one's first 32 ms (a pulse)
            self.brain.set_input('dopa', self.rule.reward_current_na)
        motor = self.brain.step().spikes[MOTOR_POPULATION]
        return Iteration(row=int(row), train_ms=train, counts=motor.counts.astype(np.int64),
                         neurons=motor.neurons.astype(np.int64), times_ms=motor.times_ms)

    def learn(self, iteration: Iteration) -> Turn:
        """Pick the winner, reward it, and update the network (weights or reward current)."""
        weights = None
        if not self.dopamine:
            rows, cols, flat = self.brain.get_weights(MOTOR_PROJECTION)
            weights = np.reshape(flat, (rows, cols))
        turn, new_weights = self.rule.learn(iteration.row, iteration.train_ms, iteration.counts,
                                            iteration.neurons, iteration.times_ms, weights)
        if new_weights is not None:
            self.brain.set_weights(MOTOR_PROJECTION, *new_weights.shape, new_weights.ravel())
        return turn

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

