"""Drive the spiking maze brain through episodes on the maze graph (ROS-free).

The brain (:mod:`experiments.maze.spiking.brain`) learns by itself; this module only
does what a transfer function may do: encode the robot's cell as place-cell rates,
deliver the reward as a current into the dopaminergic neurons, open and close the
gates of the phases, decode the action (winner-take-all on the spike counts of the four
action groups) and move on the maze graph. It never reads a weight to compute one and
never writes one.

One move from cell s, each phase one brain step of the brain's ``PHASE_MS`` (50 ms):

1. *decide*: the actor and the critic see s (place rates), the relay is gated (an
   inhibitory current), exploration noise drives the actor while training. The group
   with most spikes is the move; its pairings start the actor's eligibility traces; the
   critic's rate V(s) enters the delayed path only (with the relay open, nothing in
   flight after a reset would cancel it: a spurious dopamine burst).
2. the move is resolved on the maze graph: s' (or a wall);
3. *evaluate*: the critic sees s', the actor nothing, the relay is open, the reward
   current goes into the dopaminergic neurons (``goal_current_na`` at the goal,
   ``wall_current_na`` at a wall, ``step_current_na`` otherwise): their rate is
   r + gamma V(s') - V(s). At a goal or wall the critic sees nothing (V(end) = 0). A
   wall's evaluate phase lasts ``wall_phases`` steps: a dopaminergic neuron cannot fire
   below zero, so a punishment is a *longer* pause, not a deeper one. In the first of
   them the ``aversive`` sources fire (``wall_aversive_hz``): the NoGo pathway's signal,
   which makes the place->action inhibition of the move just tried stronger;
4. *hold*: s' again, no reward: the delayed V(s') cancels the relay's V(s'), so
   dopamine is at baseline; the current ``drain_current_na`` gives back, on average,
   the background dopamine spikes the following reset silences (below);
5. ``Brain.reset(scope='neurons')``: neuron state and spikes in flight are cleared; the
   dopamine synapses keep their eligibility ``c``, dopamine trace ``n`` and weights.

The reset's cost. brain_node's exact reset silences every neuron for a drain of
``2 x max delay + refractory + 10`` steps (112 ms here, the delayed path being 50 ms).
The dopaminergic neurons are silent then, so the trace ``n`` falls below the baseline
``b`` while the synapses are still eligible: every move would weaken the synapses that
made it by about ``b x 112 ms x c``, more than a wall's pause. ``drain_current_na`` in
the hold phase puts those spikes back; it was set so that random moves with no reward
leave the actor's weights unchanged on average (measured in docs/maze_spiking.md).

A timeout ends the episode without a signal.

Episode end: ``Brain.reset(scope='synapses')``: the episode's eligibility and dopamine
traces are cleared after its last phase (its terminal reward has been applied by then),
so no decision of one episode is credited with the next episode's outcome, and nothing
is pending when a greedy evaluation starts; weights are kept.

Replay (``replay``): after a training episode that reached the goal, the episode is
replayed in reverse, as hippocampal place cells replay a rewarded run backwards at the
reward site (Foster & Wilson 2006; more often after more reward: Ambrose et al. 2016).
For each move s -> s' of the episode, last first, the brain gets one move's phases
with the move imposed instead of chosen: *decide* shows s to the actor and the critic
with ``replay_drive_na`` into the action group of the move taken (no noise), *evaluate*
shows s' to the critic with the reward the move earned (the goal current for the last
one), *hold* as in a move, then the 'neurons' reset. The network computes the TD error
of every replayed move itself, as in a real move; because the moves come last first,
V(s') has just been raised when V(s) is judged, so one rewarded episode carries value
back along its whole path instead of one cell per visit (TD(0) in a live episode). The
critic's amplitudes are ``replay_critic_gain`` times the brain file's during a replay
(``Brain.set_synapse_properties``, as the critic gate). The robot is not moved: the cells
are only shown to the brain. Which moves: the episode without its loops
(:func:`last_exits`: from the start, at each cell the move made on its last visit), so a
detour that came back to a cell is not rehearsed as a way to the goal; with
``replay_loops`` every move of the episode, loops included.

Greedy evaluation: the rules' amplitudes ``A_plus``/``A_minus`` are set to 0
(``Brain.set_synapse_properties``, the same call brain_node's ``synapse_properties``
parameter makes over ROS) after a 'synapses' reset has cleared the eligibility, so no
weight can move; no noise but a constant drive (``greedy_drive_na``) into the actor, one
decide phase per move; training restores the amplitudes.

Critic gate (``critic_decide_only``): the critic's amplitudes are on only in the decide
phase, so the TD error of a move s -> s' is credited to V(s) (shown in decide) and not
also to V(s') (shown in evaluate and hold), which made values saturate.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from brain_node.brain import Brain
from experiments.maze.agent import step_limit
from experiments.maze.spiking.projections import ACTOR, CRITIC, NOGO
from neurobot.world.maze import MOVE_ORDER  # N, E, S, W: the brain's action groups
from tf_nodes.codes import winner_take_all

BRAIN_FILE = Path(__file__).resolve().parent / 'brain.py'


@dataclass(frozen=True)
class SpikingConfig:
    """What the learner feeds the brain (units in the names).

    Attributes:
        place_rate_hz: rate of the place cells of the robot's cell.
        noise_rate_hz: rate of the actor's exploration noise while training.
        gate_current_na: current that gates the relay, nA (< 0).
        goal_current_na: reward current into the dopaminergic neurons at the goal, nA.
        wall_current_na: the same at a wall, nA (< 0: punishment).
        step_current_na: the same after an ordinary move, nA.
        drain_current_na: current into the dopaminergic neurons in the hold phase, nA:
            gives back the background dopamine spikes the next reset silences (see the
            module docstring).
        wall_phases: evaluate phases (steps) of the punishment after a wall.
        wall_aversive_hz: rate of the ``aversive`` sources in the first of them, Hz: the
            NoGo pathway's punishment signal (0: no NoGo learning).
        greedy_drive_na: current into every action neuron in the decide phase of a greedy
            (noise-free) evaluation, nA: stands in for the exploration noise's mean drive
            (about 0.22 nA at 150 Hz x 0.3 nA), so that the actor is as excitable when
            evaluated as when it was trained, without the noise's randomness.
        critic_decide_only: the critic learns only in the decide phase (its amplitudes
            are 0 in evaluate and hold; over ROS through brain_node's
            set_synapse_properties service).
        replay: replay a training episode that reached the goal in reverse (see the
            module docstring).
        replay_critic_gain: factor on the critic's amplitudes during a replay.
        replay_drive_na: current into the action group of the replayed move in its decide
            phase, nA (the other groups get none; lateral inhibition silences them).
        replay_loops: replay every move of the episode; default: the last move made from
            each cell only (:func:`last_exits`).
        resolution_ms: NEST resolution, ms.
    """

    place_rate_hz: float = 100.0
    noise_rate_hz: float = 150.0
    gate_current_na: float = -3.0
    goal_current_na: float = 0.4
    wall_current_na: float = -0.4
    step_current_na: float = 0.0
    drain_current_na: float = 0.02
    wall_phases: int = 3
    wall_aversive_hz: float = 180.0
    greedy_drive_na: float = 0.2
    critic_decide_only: bool = True
    replay: bool = True
    replay_critic_gain: float = 10.0
    replay_drive_na: float = 0.3
    replay_loops: bool = False
    resolution_ms: float = 1.0

    def __post_init__(self):
        if self.place_rate_hz <= 0 or self.noise_rate_hz < 0:
            raise ValueError(f'place_rate_hz must be > 0 and noise_rate_hz >= 0, got '
                             f'{self.place_rate_hz} and {self.noise_rate_hz}')
        if isinstance(self.wall_phases, bool) or int(self.wall_phases) != self.wall_phases \
                or self.wall_phases < 1:
            raise ValueError(f'wall_phases must be a whole number >= 1, got '
                             f'{self.wall_phases!r}')
        if self.wall_aversive_hz < 0:
            raise ValueError(f'wall_aversive_hz must be >= 0, got {self.wall_aversive_hz}')
        if not self.replay_critic_gain > 0 or not self.replay_drive_na > 0:
            raise ValueError(f'replay_critic_gain and replay_drive_na must be > 0, got '
                             f'{self.replay_critic_gain} and {self.replay_drive_na}')
        if self.gate_current_na >= 0:
            raise ValueError(f'gate_current_na must be < 0 nA (inhibitory), got '
                             f'{self.gate_current_na}')


@dataclass
class Episode:
    """One episode (the fields the maze benchmark and summaries read).

    Attributes:
        episode: index among this learner's training or evaluation episodes.
        start: start cell (row, col).
        outcome: 'goal', 'wall' or 'timeout'.
        moves: moves made.
        shortest_path: moves of the shortest path from ``start``.
        cells: cells visited, start first.
        dopamine_hz: mean rate per dopaminergic neuron in each evaluate/terminal phase.
        replayed: moves replayed after the episode (0: no replay).
    """

    episode: int
    start: tuple
    outcome: str
    moves: int
    shortest_path: int
    cells: list = field(default_factory=list)
    dopamine_hz: list = field(default_factory=list)
    replayed: int = 0


def last_exits(moves) -> list:
    """The moves of a run without its loops: from the first cell, the move last made there.

    ``moves`` are (cell, move, cell reached) in the order made, each leaving the cell the
    one before reached. From the run's first cell, the move made at that cell's last
    visit, then the same from the cell it reached, and so on until the cell where the run
    ended: a path with no cell twice (the run's chronological loop erasure, Lawler 1980).
    A run that ends on a cell it had visited before keeps only the path to that visit.
    """
    if not moves:
        return []
    cells = [tuple(moves[0][0])] + [tuple(there) for _, _, there in moves]
    last = {cell: position for position, cell in enumerate(cells)}  # the last visit wins
    path, position = [], last[cells[0]]
    while position < len(moves):  # not yet at the run's end
        path.append(moves[position])
        position = last[cells[position + 1]]
    return path


def build_brain(maze, seed: int, resolution_ms: float = 1.0) -> Brain:
    """The spiking maze brain in NEST, its place cells sized for ``maze``.

    The brain's step is its ``PHASE_MS`` (the file's constant, read once it is built).
    """
    brain = Brain(BRAIN_FILE, step_ms=resolution_ms, resolution_ms=resolution_ms, threads=1,
                  seed=int(seed), arguments={'maze_cells': maze.n_rows * maze.n_cols})
    brain.set_step_ms(float(brain.namespace['PHASE_MS']))
    return brain


class SpikingMazeLearner:
    """Train and evaluate the spiking actor-critic on a maze, moves resolved on the graph.

    The learner interface of bench/maze_learners.py: ``train(episodes)``,
    ``evaluate()`` (one greedy episode per start cell), ``close()``.

    Args:
        maze: the Maze.
        seed: seed of the brain (NEST and the initial weights) and of start cells and ties.
        max_moves: step limit per episode (None: ``step_limit(maze)``).
        config: SpikingConfig.
        brain: an already built brain for this maze (default: build one).
    """

    name = 'spiking'

    def __init__(self, maze, seed: int = 1, max_moves=None, config=None, brain=None):
        self.maze = maze
        self.config = config or SpikingConfig()
        self.max_moves = int(max_moves) if max_moves else step_limit(maze)
        self.brain = brain or build_brain(maze, seed, self.config.resolution_ms)
        constants = self.brain.namespace  # the brain file's module constants
        self.k = int(constants['CELLS_PER_FIELD'])
        self.group_size = int(constants['ACTION_GROUP_SIZE'])
        self.rules = {ACTOR: dict(constants['DOPAMINE_RULE']),
                      CRITIC: dict(constants['CRITIC_RULE']),
                      NOGO: dict(constants['NOGO_RULE'])}
        self.cells = list(maze.cells())
        self.index = {cell: i for i, cell in enumerate(self.cells)}
        n_places = self.brain.population_size('places')
        if n_places != len(self.cells) * self.k:
            raise ValueError(f'the brain has {n_places} place cells; the maze needs '
                             f'{len(self.cells)} x {self.k}')
        self.rng = np.random.default_rng(seed)
        self.starts = [tuple(s) for s in maze.start_cells]
        self.trained = 0
        self.learning = True
        self.critic_on, self.critic_gain = True, 1.0
        self.replaying = False  # True while a replay shows cells (the robot stays put)

    # ------------------------------------------------------------------ encoding

    def place_rates(self, cell) -> np.ndarray:
        """Rates of the place cells with the robot in ``cell`` (None: all silent), Hz."""
        rates = np.zeros(len(self.cells) * self.k)
        if cell is not None:
            first = self.index[tuple(cell)] * self.k
            rates[first:first + self.k] = self.config.place_rate_hz
        return rates

    def _phase(self, cell, actor=True, relay=True, reward_na=0.0, noise=False, drive_na=0.0,
               aversive_hz=0.0):
        """One brain step: ``cell`` shown to the critic, and to the actor if ``actor``."""
        cfg = self.config
        brain = self.brain
        rates = self.place_rates(cell)
        brain.set_input('critic_places', rates)
        brain.set_input('places', rates if actor else 0.0)
        brain.set_input('relay', 0.0 if relay else cfg.gate_current_na)
        brain.set_input('dopa', reward_na)
        brain.set_input('action_noise', cfg.noise_rate_hz if noise else 0.0)
        brain.set_input('actions', drive_na)
        brain.set_input('aversive', aversive_hz)
        return brain.step()

    def decode(self, result) -> int:
        """Winner-take-all over the action groups' spike counts (ties: seeded draw)."""
        neurons = np.asarray(result.spikes['actions'].neurons, dtype=np.int64)
        counts = np.bincount(neurons, minlength=len(MOVE_ORDER) * self.group_size)
        # min_count 0: a silent actor is a four-way tie, so the draw explores
        return int(winner_take_all(counts, group_size=self.group_size, min_count=0.0,
                                   rng=self.rng).winner)

    def _rate_hz(self, result, population: str = 'dopa') -> float:
        """Mean rate per neuron of ``population`` in one step's ``result``, Hz."""
        n = self.brain.population_size(population)
        return len(result.spikes[population].neurons) / n / (self.brain.step_ms / 1e3)

    # ------------------------------------------------------------------ learning switch

    def _switch_rule(self, name: str, on: bool, gain: float = 1.0):
        """One projection's amplitudes: the brain file's times ``gain`` (on) or 0 (off)."""
        rule = self.rules[name]
        self.brain.set_synapse_properties(name, {key: rule[key] * gain if on else 0.0
                                                 for key in ('A_plus', 'A_minus')})

    def _set_learning(self, on: bool):
        """Rule amplitudes on (the brain file's) or 0 (frozen: no eligibility, no change)."""
        if on == self.learning:
            return
        for name in self.rules:
            self._switch_rule(name, on)
        self.learning = on
        self.critic_on, self.critic_gain = on, 1.0

    def _set_critic(self, on: bool, gain: float = 1.0):
        """The critic's amplitudes alone (``critic_decide_only``; ``gain`` in a replay)."""
        gain = gain if on else 1.0
        if (on, gain) == (self.critic_on, self.critic_gain):
            return
        self._switch_rule(CRITIC, on, gain)
        self.critic_on, self.critic_gain = on, gain

    # ------------------------------------------------------------------ episodes

    def _judge(self, cell, reward_na: float, phases: int = 1, aversive_hz: float = 0.0):
        """The phases after a move to ``cell`` (None: goal or wall); dopamine rates, Hz.

        *evaluate* (``phases`` steps): the critic sees ``cell``, the reward current goes
        in, so dopamine = reward + gamma V(cell) - V(cell left); the ``aversive`` sources
        fire at ``aversive_hz`` in the first. *hold*: the same place, no reward: dopamine
        at baseline (the delayed V(cell) cancels the relay's) plus the drain current.
        """
        rates = [self._rate_hz(self._phase(cell, actor=False, reward_na=reward_na,
                                               aversive_hz=aversive_hz if k == 0 else 0.0))
                 for k in range(phases)]
        self._phase(cell, actor=False, reward_na=self.config.drain_current_na)
        return rates

    def run_episode(self, start, train: bool, episode: int = 0) -> Episode:
        """One episode from ``start``; learning in NEST if ``train``."""
        cfg = self.config
        maze = self.maze
        self._set_learning(train)  # the last episode's reset left no eligibility
        cell = tuple(start)
        record = Episode(episode, cell, 'timeout', 0, maze.shortest_path_length(cell), [cell])
        taken = []  # (cell, move, cell reached) of every move that did not hit a wall
        while record.moves < self.max_moves:
            if record.moves:
                self.brain.reset(scope='neurons')
            gate = train and cfg.critic_decide_only
            if gate:
                self._set_critic(True)
            # decide: the relay is gated, so V(cell) only enters the delayed path
            action = MOVE_ORDER[self.decode(self._phase(
                cell, relay=False, noise=train, drive_na=0.0 if train else cfg.greedy_drive_na))]
            if gate:
                self._set_critic(False)
            record.moves += 1
            if maze.has_wall(cell, action):
                record.outcome, reward_na, cell = 'wall', cfg.wall_current_na, None
            else:
                taken.append((cell, action, maze.neighbour(cell, action)))
                cell = taken[-1][2]
                record.cells.append(cell)
                if cell == maze.goal_cell:
                    record.outcome, reward_na, cell = 'goal', cfg.goal_current_na, None
                else:
                    reward_na = cfg.step_current_na
            if train:
                wall = record.outcome == 'wall'
                record.dopamine_hz += self._judge(
                    cell, reward_na, phases=cfg.wall_phases if wall else 1,
                    aversive_hz=cfg.wall_aversive_hz if wall else 0.0)
            if cell is None:
                break
        # the episode's eligibility and dopamine traces go (its end has been judged);
        # NEST applies what they still owe during this reset's drain, so the next
        # episode, or a greedy evaluation, starts with nothing pending
        self.brain.reset(scope='synapses')
        if train and cfg.replay and record.outcome == 'goal':
            record.replayed = self.replay(taken if cfg.replay_loops else last_exits(taken))
        return record

    def replay(self, moves) -> int:
        """Replay ``moves`` ((cell, move, cell reached), in the order made) last first.

        Each replayed move gets a move's phases with the move imposed (``replay_drive_na``
        into its action group) and the critic's amplitudes times ``replay_critic_gain`` in
        its decide phase; the reward current is the one the move earned (the goal's for a
        move onto the goal cell). Learning is NEST's, as in a live move. Returns the number
        of moves replayed.
        """
        cfg = self.config
        self._set_learning(True)
        self.replaying = True
        try:
            for k, (here, action, there) in enumerate(reversed(moves)):
                if k:
                    self.brain.reset(scope='neurons')
                drive = np.zeros(len(MOVE_ORDER) * self.group_size)
                first = MOVE_ORDER.index(action) * self.group_size
                drive[first:first + self.group_size] = cfg.replay_drive_na
                self._set_critic(True, cfg.replay_critic_gain)
                self._phase(here, relay=False, drive_na=drive)
                self._set_critic(False)
                goal = tuple(there) == tuple(self.maze.goal_cell)
                self._judge(None if goal else there,
                            cfg.goal_current_na if goal else cfg.step_current_na)
            self.brain.reset(scope='synapses')  # as after an episode: nothing pending
        finally:
            self.replaying = False
        if not cfg.critic_decide_only:
            self._set_critic(True)
        return len(moves)

    def train(self, episodes: int) -> list:
        """Run ``episodes`` training episodes from seeded random start cells."""
        records = []
        for _ in range(int(episodes)):
            start = self.starts[int(self.rng.integers(len(self.starts)))]
            records.append(self.run_episode(start, train=True, episode=self.trained))
            self.trained += 1
        return records

    def evaluate(self) -> list:
        """One greedy episode from every start cell; weights cannot change."""
        return [self.run_episode(start, train=False, episode=k)
                for k, start in enumerate(self.starts)]

    def probe_td(self, cell, repeats: int = 6) -> tuple:
        """The network's TD error for a move that changes nothing: ``cell`` shown twice.

        With learning frozen, each repeat resets the neurons, shows ``cell`` in a *decide*
        phase (the relay gated: V(cell) enters the delayed path only) and again in an
        *evaluate* phase with no reward: a TD error of (gamma - 1) V(cell), so the
        dopaminergic rate should not rise with V. Returns the striatal
        rate in decide (the value V, Hz per neuron) and the dopaminergic rate in evaluate
        (Hz per neuron), means over ``repeats``. For reports (bench/maze_td_probe.py): no
        weight is read or changed; the traces are cleared afterwards, as after an episode,
        and the next episode switches learning back on.
        """
        self._set_learning(False)
        values, dopamine = [], []
        for _ in range(int(repeats)):
            self.brain.reset(scope='neurons')
            values.append(self._rate_hz(self._phase(cell, relay=False), 'striatum'))
            dopamine.append(self._rate_hz(self._phase(cell, actor=False)))
        self.brain.reset(scope='synapses')
        return float(np.mean(values)), float(np.mean(dopamine))

    def weights(self, projection: str = ACTOR) -> np.ndarray:
        """Current weights of a plastic projection, (places x targets), nA (for reports)."""
        rows, cols, flat = self.brain.get_weights(projection)
        return np.asarray(flat).reshape(rows, cols)

    def close(self):
        self.brain = None
