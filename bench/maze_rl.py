"""Yardsticks for the maze learners: tabular Watkins Q(lambda) and a random policy (numpy).

The task is the maze experiment's, on the maze graph (as bench/maze_offline.py resolves
moves): the state is the cell, the actions are the four compass moves in MOVE_ORDER,
and the rules are those of experiments.maze.agent with the default RSTDPParameters:

- a move into a wall: reward ``wall_reward`` (-1), the episode ends;
- a move onto the goal: reward ``goal_reward`` (+1), the episode ends;
- any other move: reward ``step_reward`` (0);
- after ``max_moves`` moves without either the episode ends as a timeout (a truncation,
  not a terminal state: nothing is learned from it);
- start cells drawn uniformly from the maze's start cells with the learner's generator.

Q(lambda) is Watkins's (Sutton & Barto 2018, section 12.10, tabular form with
replacing traces): after each move

    delta = r + gamma * max_a' Q(s', a') - Q(s, a)   (r - Q(s, a) at a terminal state)
    e(s, a) = 1;  Q += alpha * delta * e;  e *= gamma * lambda   (e = 0 after an
                                                                  exploratory move)

with epsilon-greedy actions (ties broken at random). Greedy evaluation runs one episode
from every start cell with epsilon = 0, ties still broken by the seeded generator (a
table of zeros has no preferred move).

The random policy draws each move uniformly from all four directions (walls included,
the task's action set), learns nothing, and its "evaluation" is one more random episode
from every start cell: the chance level of the same task.

Both expose the learner interface of bench/maze_learners.py: ``train(episodes)`` and
``evaluate()`` returning records with ``start``, ``outcome``, ``moves``, ``shortest_path``.
"""

from dataclasses import dataclass

import numpy as np

from experiments.maze.learning import RSTDPParameters
from neurobot.world.maze import MOVE_ORDER, MOVES

_REWARDS = RSTDPParameters()  # the agent's rewards, so all learners share them


@dataclass(frozen=True)
class Episode:
    """One episode, with the fields of experiments.maze.agent.EpisodeRecord the bench reads."""

    start: tuple
    outcome: str  # 'goal', 'wall' or 'timeout'
    moves: int
    shortest_path: int


class MazeTask:
    """The maze as a tabular episodic task (state: cell index, action: index in MOVE_ORDER).

    Args:
        maze: the Maze.
        max_moves: the step limit of an episode.
    """

    def __init__(self, maze, max_moves: int):
        if max_moves < 1:
            raise ValueError(f'max_moves must be >= 1, got {max_moves}')
        self.maze = maze
        self.max_moves = int(max_moves)
        self.cells = list(maze.cells())
        self.index = {cell: k for k, cell in enumerate(self.cells)}
        self.n_states, self.n_actions = len(self.cells), len(MOVE_ORDER)
        # next state per (state, action); -1: a wall
        self.next_state = np.full((self.n_states, self.n_actions), -1, dtype=np.int64)
        for k, cell in enumerate(self.cells):
            for a, move in enumerate(MOVE_ORDER):
                if not maze.has_wall(cell, move):
                    dr, dc = MOVES[move]
                    self.next_state[k, a] = self.index[(cell[0] + dr, cell[1] + dc)]
        self.goal = self.index[maze.goal_cell]
        self.starts = [self.index[c] for c in maze.start_cells]
        self.shortest = {s: maze.shortest_path_length(self.cells[s]) for s in self.starts}

    def step(self, state: int, action: int):
        """(next state or -1, reward, terminal)."""
        nxt = int(self.next_state[state, action])
        if nxt < 0:
            return -1, _REWARDS.wall_reward, True
        if nxt == self.goal:
            return nxt, _REWARDS.goal_reward, True
        return nxt, _REWARDS.step_reward, False

    def episode(self, start: int, outcome: str, moves: int) -> Episode:
        return Episode(self.cells[start], outcome, moves, self.shortest[start])


class QLambdaLearner:
    """Tabular Watkins Q(lambda) with epsilon-greedy exploration.

    Args:
        maze: the Maze.
        seed: seed of start cells, exploration and tie-breaking.
        max_moves: step limit per episode.
        alpha: learning rate.
        gamma: discount per move (the agent's critic uses 0.9).
        lam: trace decay lambda.
        epsilon: exploration probability while training.
        q_init: initial action values; the goal reward (optimistic) makes every untried
            move worth one try, so a table of ties does not wander into walls.

    The defaults are the best of a small grid (q_init 0 or 1, lambda 0-0.85, epsilon
    0.05-0.2, alpha 0.2-0.8; 300 episodes, greedy evaluated every 10) on a *tuning* set
    of mazes (``generate_benchmark_mazes(10, seed=7)``, seeds 1-3: 30/30 pairs reach
    the criterion, median 65 episodes), not on the benchmark's set (seed 1). With
    q_init 0 and lambda 0.85 only 6 of 33 pairs learned: a wall's -1 runs back along the
    trace into the moves that led there, as the numpy agent's docstring reports for its
    own trace (neurobot/learning.py).
    """

    name = 'qlambda'

    def __init__(self, maze, seed: int, max_moves: int, alpha=0.5, gamma=0.9, lam=0.3,
                 epsilon=0.05, q_init=1.0):
        self.task = MazeTask(maze, max_moves)
        self.rng = np.random.default_rng(seed)
        self.eval_rng = np.random.default_rng([seed, 1])  # evaluation does not shift training
        self.alpha, self.gamma, self.lam, self.epsilon = alpha, gamma, lam, epsilon
        self.q = np.full((self.task.n_states, self.task.n_actions), float(q_init))

    def _greedy(self, state, rng) -> int:
        values = self.q[state]
        best = np.flatnonzero(values == values.max())
        return int(best[0] if len(best) == 1 else rng.choice(best))

    def _act(self, state, rng, epsilon) -> int:
        if epsilon > 0 and rng.random() < epsilon:
            return int(rng.integers(self.task.n_actions))
        return self._greedy(state, rng)

    def train(self, episodes: int) -> list:
        """Run ``episodes`` training episodes from random start cells."""
        task, records = self.task, []
        for _ in range(episodes):
            start = task.starts[int(self.rng.integers(len(task.starts)))]
            trace = np.zeros_like(self.q)
            state, action = start, self._act(start, self.rng, self.epsilon)
            outcome, moves = 'timeout', 0
            while moves < task.max_moves:
                nxt, reward, terminal = task.step(state, action)
                moves += 1
                trace[state, action] = 1.0  # replacing trace
                if terminal:
                    delta = reward - self.q[state, action]
                    self.q += self.alpha * delta * trace
                    outcome = 'goal' if nxt == task.goal else 'wall'
                    break
                next_action = self._act(nxt, self.rng, self.epsilon)
                greedy_value = self.q[nxt].max()
                exploratory = self.q[nxt, next_action] < greedy_value
                delta = reward + self.gamma * greedy_value - self.q[state, action]
                self.q += self.alpha * delta * trace
                if not exploratory:
                    trace *= self.gamma * self.lam
                else:  # Watkins: an exploratory move cuts the trace
                    trace[:] = 0.0
                state, action = nxt, next_action
            records.append(task.episode(start, outcome, moves))
        return records

    def evaluate(self) -> list:
        """One greedy episode from every start cell, nothing learned."""
        return [self._rollout(start, lambda s: self._greedy(s, self.eval_rng))
                for start in self.task.starts]

    def _rollout(self, start, policy) -> Episode:
        task, state, moves = self.task, start, 0
        while moves < task.max_moves:
            nxt, _, terminal = task.step(state, policy(state))
            moves += 1
            if terminal:
                return task.episode(start, 'goal' if nxt == task.goal else 'wall', moves)
            state = nxt
        return task.episode(start, 'timeout', moves)

    def close(self):
        pass


class RandomLearner(QLambdaLearner):
    """Uniformly random moves (all four directions), nothing learned: chance level."""

    name = 'random'

    def __init__(self, maze, seed: int, max_moves: int):
        super().__init__(maze, seed, max_moves)

    def _random(self, state, rng) -> int:
        return int(rng.integers(self.task.n_actions))

    def train(self, episodes: int) -> list:
        task, records = self.task, []
        for _ in range(episodes):
            start = task.starts[int(self.rng.integers(len(task.starts)))]
            records.append(self._rollout(start, lambda s: self._random(s, self.rng)))
        return records

    def evaluate(self) -> list:
        return [self._rollout(start, lambda s: self._random(s, self.eval_rng))
                for start in self.task.starts]
