"""The maze experiment's agent: episodes, decisions, moves, rewards and learning (ROS-free).

The agent is called once per lockstep round (by the transfer function in
``transfer_function.py`` beside it) with what the round produced, and answers with
:class:`Commands` for the world and the brain. One decision:

1. the robot stands at the centre of cell ``c``: the brain is reset (weights kept) and
   the place cells get the rates of ``c`` (they act from the next round on);
2. next round: the brain has had ``step_ms`` (200 ms) to decide; the action group with
   most spikes wins (winner-take-all; a silent network picks at random); the pairings
   of the window enter the eligibility trace; place cells fall silent;
3. the robot drives to the neighbouring cell in that direction (a proportional
   controller on odometry, heading held at 0); a contact with a wall ends the episode
   with ``wall_reward``, reaching the goal with ``goal_reward``, any other move costs
   ``step_reward``; ``max_moves`` moves without either end the episode as a timeout
   (by default :data:`STEP_LIMIT_FACTOR` times the longest shortest path from a start
   cell, so a long maze is not judged by a short maze's limit).

At the end of an episode the accumulated weight change is written with set_weights and
the robot is placed at a new random start cell (seeded). In evaluation mode learning
and noise are off and every start cell is tried once with the greedy policy.

Simulated and real robots (:class:`AgentConfig` ``walls`` and ``placement``):

- simulation (``walls='physical'``, ``placement='teleport'``): the world reports wall
  contacts, and its place_robot service puts the robot on the next start cell;
- a real robot (``walls='map'``, ``placement='drive'``): nothing may crash and nobody
  teleports. A decision into a wall of the maze file ends the episode as a wall hit at
  once, without driving; and between episodes the robot drives itself along a shortest
  free path to the next start cell (the brain is not consulted, nothing is learned).
"""

from dataclasses import dataclass, field
import math

import numpy as np

from experiments.maze.learning import RewardModulatedSTDP, RSTDPParameters, TDCritic
from neurobot.world.maze import MOVE_ORDER
from tf_nodes.codes import grid_centres_m, place_cell_rates, winner_take_all

DIRECTION_VECTORS = {'N': (0.0, 1.0), 'E': (1.0, 0.0), 'S': (0.0, -1.0), 'W': (-1.0, 0.0)}
WALL_MODES = ('physical', 'map')
PLACEMENT_MODES = ('teleport', 'drive')
# Moves an episode may take, per move of the maze's longest shortest path from a start
# cell: room to explore, yet a looping policy ends long before a random walk would
# (the default maze: 3 x 11 = 33 moves; before this rule every maze had 30).
STEP_LIMIT_FACTOR = 3


def step_limit(maze, factor: float = STEP_LIMIT_FACTOR) -> int:
    """Default moves per episode: ``factor`` x the longest shortest path from a start."""
    if factor <= 0:
        raise ValueError(f'factor must be > 0, got {factor}')
    return max(1, math.ceil(factor * max(maze.start_path_lengths().values())))


@dataclass(frozen=True)
class AgentConfig:
    """Experiment parameters (units in the names).

    Attributes:
        episodes: training episodes.
        max_moves: moves per episode before it ends as a timeout (None: follow the maze,
            :func:`step_limit`).
        speed_mps: top speed of a move.
        gain_per_s: proportional gain of the move controller (m/s per m of error).
        yaw_gain_per_s: gain holding the heading at 0 (rad/s per rad).
        arrival_tolerance_m: distance to the target centre that counts as arrived.
        move_timeout_rounds: rounds a move may take before it counts as stuck (a crash).
        place_sigma_cells: width of the Gaussian place fields, in cells.
        place_peak_rate_hz, place_baseline_rate_hz: place-cell rates.
        cells_per_field: place cells per maze cell (must match the brain).
        noise_rate_hz: rate of the exploration noise sources while training.
        learning: the R-STDP parameters.
        walls: 'physical' (the world reports contacts) or 'map' (a decision into a wall
            of the maze file is a wall hit; the robot never drives into it).
        placement: 'teleport' (the world places the robot on the start cell) or 'drive'
            (the robot drives itself to the start cell).
    """

    episodes: int = 100
    max_moves: int | None = None
    speed_mps: float = 1.0
    gain_per_s: float = 5.0
    yaw_gain_per_s: float = 2.0
    arrival_tolerance_m: float = 0.02
    move_timeout_rounds: int = 25
    place_sigma_cells: float = 0.3
    place_peak_rate_hz: float = 100.0
    place_baseline_rate_hz: float = 0.0
    cells_per_field: int = 4
    noise_rate_hz: float = 60.0
    learning: RSTDPParameters = field(default_factory=RSTDPParameters)
    walls: str = 'physical'
    placement: str = 'teleport'

    def __post_init__(self):
        if self.max_moves is not None and (isinstance(self.max_moves, bool)
                                           or int(self.max_moves) != self.max_moves
                                           or self.max_moves < 1):
            raise ValueError(f'max_moves must be a whole number >= 1 or None (follow the '
                             f'maze), got {self.max_moves!r}')
        if self.walls not in WALL_MODES:
            raise ValueError(f'walls must be one of {WALL_MODES}, got {self.walls!r}')
        if self.placement not in PLACEMENT_MODES:
            raise ValueError(f'placement must be one of {PLACEMENT_MODES}, '
                             f'got {self.placement!r}')


@dataclass
class Commands:
    """What the agent wants done this round, in this order.

    Attributes:
        place_robot: cell to put the robot on (world place_robot service), or None.
        reset_brain: call reset_brain (weights kept).
        set_weights: new place->action weights (nA) to write, or None.
        place_rates_hz: rates for the place cells, or None (unchanged).
        noise_rate_hz: rate for the exploration noise, or None (unchanged).
        twist: (vx_mps, vy_mps, wz_rad_s) in the robot frame, or None (unchanged).
        finished: the experiment is over.
    """

    place_robot: tuple = None
    reset_brain: bool = False
    set_weights: np.ndarray = None
    place_rates_hz: np.ndarray = None
    noise_rate_hz: float = None
    twist: tuple = None
    finished: bool = False


@dataclass
class EpisodeRecord:
    """One finished episode (a row of episodes.csv)."""

    episode: int
    start: tuple
    moves: int
    outcome: str  # 'goal', 'wall' or 'timeout'
    total_reward: float
    shortest_path: int
    cells: list  # cells visited, start first
    sim_time_s: float


def place_field_rates(maze, position_m, sigma_cells, peak_rate_hz, baseline_rate_hz,
                      cells_per_field) -> np.ndarray:
    """Rates of the place cells: one Gaussian field per maze cell (row-major order).

    The maze's fields on tf_nodes' place-cell code (widths in cells, centres on the grid).
    """
    return place_cell_rates(position_m,
                            grid_centres_m(maze.n_rows, maze.n_cols, maze.cell_size_m),
                            sigma_cells * maze.cell_size_m, peak_rate_hz=peak_rate_hz,
                            baseline_rate_hz=baseline_rate_hz, cells_per_centre=cells_per_field)


def random_walk_steps(maze, start, rng, max_steps=10_000) -> int:
    """Moves a uniform random walk over free moves needs from ``start`` to the goal."""
    cell, steps = tuple(start), 0
    while cell != maze.goal_cell and steps < max_steps:
        cell = maze.neighbour(cell, rng.choice(maze.free_moves(cell)))
        steps += 1
    return steps


class MazeAgent:
    """Runs training (or evaluation) episodes, one round at a time.

    Args:
        maze: the Maze.
        config: AgentConfig.
        weights_na: initial (places x actions) weights from get_weights, nA.
        n_actions_per_group: action neurons per direction (groups in MOVE_ORDER).
        seed: seed of start cells and tie-breaking.
        step_ms: round length, ms.
        evaluate: greedy evaluation from every start cell, no learning, no noise.
        first_episode: episode number to start at (resuming from a checkpoint).
        rng: a numpy Generator to continue (resuming), instead of a new one from seed.
    """

    def __init__(self, maze, config, weights_na, n_actions_per_group, seed=1, step_ms=200.0,
                 evaluate=False, first_episode=0, rng=None):
        self.maze = maze
        self.config = config
        self.weights = np.array(weights_na, dtype=np.float64)
        self.n_groups = len(MOVE_ORDER)
        self.group_size = int(n_actions_per_group)
        n_places = len(list(maze.cells())) * config.cells_per_field
        if self.weights.shape != (n_places, self.n_groups * self.group_size):
            raise ValueError(f'weights must be {n_places}x{self.n_groups * self.group_size} '
                             f'(place cells x action neurons), got {self.weights.shape}')
        self.rule = RewardModulatedSTDP(n_places, self.n_groups * self.group_size,
                                        np.repeat(np.arange(self.n_groups), self.group_size),
                                        config.learning)
        self.critic = TDCritic(n_places, config.learning)
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.step_ms = float(step_ms)
        self.max_moves = (int(config.max_moves) if config.max_moves is not None
                          else step_limit(maze))
        self.evaluate = evaluate
        self.starts = list(maze.start_cells)
        self.episode = first_episode
        self.records = []
        self.phase = 'start'
        self._decide_round = None
        self._target = None
        self._move_rounds = 0
        self._pending_decision_spikes = None
        self._pose = None
        self._transit_cells = []

    # ------------------------------------------------------------------ episodes

    @property
    def total_episodes(self) -> int:
        return len(self.starts) if self.evaluate else self.config.episodes

    def _start_episode(self, round_) -> Commands:
        if self.episode >= self.total_episodes:
            self.phase = 'done'
            return Commands(twist=(0.0, 0.0, 0.0), finished=True)
        if self.evaluate:
            start = tuple(self.starts[self.episode])
        else:
            start = tuple(self.starts[int(self.rng.integers(len(self.starts)))])
        if self.config.placement == 'drive':
            here = self._robot_cell()
            if here != start:
                # drive there first; the episode begins on arrival
                self._transit_cells = self.maze.path_between(here, start)[1:]
                self.phase = 'transit'
                self._set_target(self._transit_cells[0])
                return Commands(place_rates_hz=np.zeros(self.rule.n_pre), noise_rate_hz=0.0,
                                twist=(0.0, 0.0, 0.0))
        return self._begin_episode(start, round_)

    def _robot_cell(self):
        """The cell the robot stands in (from the last pose)."""
        if self._pose is None:
            raise RuntimeError('placement drive needs the robot pose (odometry) before the '
                               'first episode')
        return self.maze.world_to_cell(self._pose[0], self._pose[1])

    def _begin_episode(self, start, round_) -> Commands:
        self.cell = tuple(start)
        self.cells = [self.cell]
        self.moves = 0
        self.total_reward = 0.0
        self.episode_start_round = round_
        commands = self._decide_at(self.cell, round_)
        if self.config.placement == 'teleport':
            commands.place_robot = self.cell
        return commands

    def _features(self, cell) -> np.ndarray:
        """Place activity of a cell as the critic sees it (rates / peak rate)."""
        return self._rates(cell) / self.config.place_peak_rate_hz

    def _rates(self, cell) -> np.ndarray:
        cfg = self.config
        return place_field_rates(self.maze, self.maze.cell_to_world(cell), cfg.place_sigma_cells,
                                 cfg.place_peak_rate_hz, cfg.place_baseline_rate_hz,
                                 cfg.cells_per_field)

    def _learn(self, reward, next_cell, wall=False):
        """TD error of the last move (next_cell None: the episode ended) gates the trace.

        A wall is a property of the action, not of the place: the actor gets the wall
        reward as it is, and the critic does not learn from it (otherwise every cell next
        to a wall would look bad, and moves into such cells would be punished too). For
        the same reason the wall reward gates only the last decision's pairings, not the
        trace: the moves before it did not hit the wall.
        """
        self.total_reward += reward
        if self.evaluate:
            return
        if wall:
            self.critic.trace[:] = 0.0
            self.rule.reward(reward, last_only=True)
            return
        delta = self.critic.td_error(self._features(self._from_cell), reward,
                                     None if next_cell is None else self._features(next_cell))
        self.rule.reward(delta)

    def _decide_at(self, cell, round_) -> Commands:
        """Reset the brain and show it ``cell``; the decision comes next round."""
        self.phase = 'decide'
        self._decide_round = round_ + 1
        # reset_brain returns every input to the brain file's value: send the noise again
        return Commands(reset_brain=True, place_rates_hz=self._rates(cell), twist=(0.0, 0.0, 0.0),
                        noise_rate_hz=0.0 if self.evaluate else self.config.noise_rate_hz)

    def _end_episode(self, outcome, reward, round_) -> Commands:
        """End the episode; ``reward`` is the terminal reward (None: no terminal state)."""
        if reward is not None:
            self._learn(reward, None, wall=outcome == 'wall')
        else:
            self.critic.trace[:] = 0.0
        set_weights = None
        if not self.evaluate:
            self.weights = self.rule.end_episode(self.weights)
            set_weights = self.weights
        self.records.append(EpisodeRecord(
            episode=self.episode, start=self.cells[0], moves=self.moves, outcome=outcome,
            total_reward=self.total_reward,
            shortest_path=self.maze.shortest_path_length(self.cells[0]), cells=list(self.cells),
            sim_time_s=(round_ - self.episode_start_round) * self.step_ms / 1e3))
        self.episode += 1
        commands = self._start_episode(round_)
        commands.set_weights = set_weights
        return commands

    # ------------------------------------------------------------------ rounds

    def on_round(self, round_, pose, touched, action_spikes, place_spikes) -> Commands:
        """Advance the experiment by one round.

        Args:
            round_: lockstep round just simulated (its outputs are the arguments).
            pose: (x_m, y_m, yaw_rad) of the robot at the end of the round.
            touched: the robot touched a wall during the round.
            action_spikes: (neurons, times_ms) of the action population in the round.
            place_spikes: (neurons, times_ms) of the place cells in the round.
        """
        self._pose = pose
        if self.phase == 'done':
            return Commands(finished=True)
        if self.phase == 'start':
            return self._start_episode(round_)
        if self.phase == 'transit':
            return self._transit(round_, pose)
        if self.phase == 'decide':
            if round_ < self._decide_round:
                return Commands()
            return self._decide(round_, action_spikes, place_spikes)
        return self._move(round_, pose, touched)

    def _transit(self, round_, pose) -> Commands:
        """Drive along the path to the next start cell (placement 'drive')."""
        if self._distance_to_target(pose) > self.config.arrival_tolerance_m:
            return self._drive(pose)
        self._transit_cells.pop(0)
        if self._transit_cells:
            self._set_target(self._transit_cells[0])
            return self._drive(pose)
        return self._begin_episode(self.maze.world_to_cell(*self._target), round_)

    def _set_target(self, cell):
        self._target = self.maze.cell_to_world(cell)

    def _distance_to_target(self, pose) -> float:
        return math.hypot(self._target[0] - pose[0], self._target[1] - pose[1])

    def _drive(self, pose) -> Commands:
        """Proportional control towards the target centre, heading held at 0."""
        cfg = self.config
        x, y, yaw = pose
        ex, ey = self._target[0] - x, self._target[1] - y
        distance = math.hypot(ex, ey)
        if distance == 0.0:
            return Commands(twist=(0.0, 0.0, -cfg.yaw_gain_per_s * yaw))
        speed = min(cfg.speed_mps, cfg.gain_per_s * distance)
        vx_world, vy_world = ex / distance * speed, ey / distance * speed
        # world-frame velocity into the body frame
        cos_yaw, sin_yaw = math.cos(yaw), math.sin(yaw)
        vx = cos_yaw * vx_world + sin_yaw * vy_world
        vy = -sin_yaw * vx_world + cos_yaw * vy_world
        return Commands(twist=(vx, vy, -cfg.yaw_gain_per_s * yaw))

    def _decide(self, round_, action_spikes, place_spikes) -> Commands:
        neurons, _ = action_spikes
        activity = np.bincount(np.asarray(neurons, dtype=np.int64), minlength=self.rule.n_post)
        if self.evaluate and activity.max() == 0:
            # a silent greedy network: follow the input it receives (summed weights from
            # the active place cells), the direction it was closest to choosing; shifted
            # to >= 0 for winner-take-all if weights may be negative (w_min_na < 0)
            activity = self._rates(self.cell) @ np.nan_to_num(self.weights)
            activity = activity - min(0.0, activity.min())
        # a silent network or a tie: the seeded generator picks (exploration)
        group = winner_take_all(activity, group_size=self.group_size, min_count=0.0,
                                rng=self.rng).winner
        if not self.evaluate:
            self.rule.decision(place_spikes[0], place_spikes[1], action_spikes[0],
                               action_spikes[1], group)
        self.direction = MOVE_ORDER[group]
        self._from_cell = self.cell
        dx, dy = DIRECTION_VECTORS[self.direction]
        x, y = self.maze.cell_to_world(self.cell)
        self._target = (x + dx * self.maze.cell_size_m, y + dy * self.maze.cell_size_m)
        self._move_rounds = 0
        self.moves += 1
        self.phase = 'move'
        silent = np.zeros(self.rule.n_pre)
        if self.config.walls == 'map' and self.maze.has_wall(self.cell, self.direction):
            # a real robot does not drive into the wall: the decision is the hit
            commands = self._end_episode('wall', self.config.learning.wall_reward, round_)
            if commands.place_rates_hz is None:
                commands.place_rates_hz = silent
            return commands
        return Commands(place_rates_hz=silent)

    def _move(self, round_, pose, touched) -> Commands:
        cfg = self.config
        if touched:
            return self._end_episode('wall', cfg.learning.wall_reward, round_)
        distance = self._distance_to_target(pose)
        self._move_rounds += 1
        if distance <= cfg.arrival_tolerance_m:
            self.cell = self.maze.world_to_cell(*self._target)
            self.cells.append(self.cell)
            if self.cell == self.maze.goal_cell:
                return self._end_episode('goal', cfg.learning.goal_reward, round_)
            # an ordinary move: the critic bootstraps from where it led
            self._learn(cfg.learning.step_reward, self.cell)
            if self.moves >= self.max_moves:
                # running out of moves is not a terminal state of the task: no extra signal
                return self._end_episode('timeout', None, round_)
            return self._decide_at(self.cell, round_)
        if self._move_rounds > cfg.move_timeout_rounds:
            return self._end_episode('wall', cfg.learning.wall_reward, round_)
        return self._drive(pose)
