"""Tune the maze learning without ROS: the real brain in-process, moves resolved on the maze graph.

The agent (experiments.maze.agent) and the brain (experiments/maze/brain.py on NEST through
brain_node.brain.Brain) are the ones the ROS run uses; only the world is replaced by the
maze graph (a move into a wall is a touch, any other move arrives at once), and the
services by direct calls. About 10-20 s per 100 episodes, so parameters can be searched;
the numbers that count are those of the real run (`neurobot launch maze`).

:class:`OfflineRSTDPLearner` offers the same run to bench/maze_learners.py in chunks of
episodes with greedy evaluations in between (the learner interface: ``train(episodes)``,
``evaluate()``, ``close()``).

Usage: python bench/maze_offline.py --seeds 1 2 3 [--episodes 100] [--noise-hz 40]
       [--learning-rate 0.15] [--gamma 0.9] [--step-reward 0.0] [--max-moves 40]
"""

import argparse
import dataclasses
import time

import numpy as np

from brain_node.brain import Brain
from experiments.maze.learning import RSTDPParameters
from experiments.maze.agent import AgentConfig, MazeAgent, random_walk_steps, step_limit
from experiments.maze.results import summarize_evaluation
from neurobot.paths import share_path
from neurobot.world.maze import Maze

PROJECTION = 'places_to_actions'
ACTION_GROUP_SIZE = 10  # neurons per direction in experiments/maze/brain.py
STEP_MS = 200.0  # ms, one round, as the ROS run


def run_agent(brain, maze, agent, rows, cols):
    """Drive the agent to the end of its episodes; return its records."""
    pose, touched, round_ = (0.0, 0.0, 0.0), False, 0
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
    actions, places = empty, empty
    while True:
        round_ += 1
        commands = agent.on_round(round_, pose, touched, actions, places)
        touched = False
        if commands.place_robot is not None:
            pose = (*maze.cell_to_world(commands.place_robot), 0.0)
        if commands.reset_brain:
            brain.reset()
        if commands.set_weights is not None:
            brain.set_weights(PROJECTION, rows, cols, commands.set_weights.ravel())
        if commands.place_rates_hz is not None:
            brain.set_input('places', commands.place_rates_hz)
        if commands.noise_rate_hz is not None:
            brain.set_input('noise', [commands.noise_rate_hz])
        if commands.finished:
            return agent.records
        if agent.phase == 'move':  # the move resolves at once on the maze graph
            if maze.has_wall(agent.cell, agent.direction):
                touched = True
            else:
                pose = (*agent._target, 0.0)
        spikes = brain.step().spikes
        actions = (spikes['actions'].neurons, spikes['actions'].times_ms)
        places = (spikes['places'].neurons, spikes['places'].times_ms)


def make_brain(maze, seed):
    """The maze brain on NEST, its place cells sized for ``maze`` (as the bring-up does).

    Returns:
        (brain, rows, cols, initial weights as a rows x cols array).
    """
    brain = Brain(share_path('experiments', 'maze', 'brain.py'), step_ms=STEP_MS, seed=seed,
                  resolution_ms=1.0, arguments={'maze_cells': maze.n_rows * maze.n_cols})
    rows, cols, weights = brain.get_weights(PROJECTION)
    return brain, rows, cols, np.asarray(weights).reshape(rows, cols)


class OfflineRSTDPLearner:
    """Today's numpy R-STDP agent with the NEST maze brain, trained in chunks of episodes.

    Each :meth:`train` call continues where the last one stopped (weights, critic and
    start-cell generator carried over, as a resumed ROS run does); :meth:`evaluate` runs
    the greedy policy from every start cell in between. The evaluations also step NEST,
    so a chunked run is not step-for-step the run without them.

    Args:
        maze: the Maze.
        seed: seed of the brain and the agent.
        max_moves: step limit per episode.
        config: AgentConfig (default: the experiment's); its max_moves is replaced.
    """

    name = 'rstdp'

    def __init__(self, maze, seed, max_moves, config=None):
        self.maze, self.seed = maze, int(seed)
        self.config = dataclasses.replace(config or AgentConfig(), max_moves=int(max_moves))
        self.brain, self.rows, self.cols, self.weights = make_brain(maze, self.seed)
        self.critic = None
        self.rng = np.random.default_rng(self.seed)
        self.done = 0

    def train(self, episodes: int) -> list:
        config = dataclasses.replace(self.config, episodes=self.done + int(episodes))
        agent = MazeAgent(self.maze, config, self.weights, ACTION_GROUP_SIZE, seed=self.seed,
                          step_ms=STEP_MS, first_episode=self.done, rng=self.rng)
        if self.critic is not None:
            agent.critic.values[:] = self.critic
        records = run_agent(self.brain, self.maze, agent, self.rows, self.cols)
        self.weights, self.critic = agent.weights, agent.critic.values.copy()
        self.done += int(episodes)
        return records

    def evaluate(self) -> list:
        agent = MazeAgent(self.maze, self.config, self.weights, ACTION_GROUP_SIZE,
                          seed=self.seed, step_ms=STEP_MS, evaluate=True)
        return run_agent(self.brain, self.maze, agent, self.rows, self.cols)

    def close(self):
        self.brain = None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3])
    parser.add_argument('--episodes', type=int, default=100)
    parser.add_argument('--maze',
                        default=str(share_path('experiments', 'maze', 'mazes', 'default.yaml')))
    parser.add_argument('--noise-hz', type=float, default=AgentConfig.noise_rate_hz)
    parser.add_argument('--max-moves', type=int, default=None,
                        help='step limit per episode (default: 3x the longest shortest path '
                             'from a start cell; 30 reproduces runs before this default)')
    defaults = RSTDPParameters()
    for field in dataclasses.fields(RSTDPParameters):
        if field.type in ('float', float):
            parser.add_argument('--' + field.name.replace('_', '-'), type=float,
                                default=getattr(defaults, field.name))
    args = parser.parse_args()
    maze = Maze.from_yaml(args.maze)
    max_moves = args.max_moves or step_limit(maze)
    learning = RSTDPParameters(**{f.name: getattr(args, f.name) for f in
                                  dataclasses.fields(RSTDPParameters)
                                  if hasattr(args, f.name)})
    config = AgentConfig(episodes=args.episodes, noise_rate_hz=args.noise_hz,
                         max_moves=max_moves, learning=learning)
    print(f'{maze.name}: step limit {max_moves} moves per episode')
    for seed in args.seeds:
        start = time.perf_counter()
        brain, rows, cols, weights = make_brain(maze, seed)
        agent = MazeAgent(maze, config, weights, ACTION_GROUP_SIZE, seed=seed)
        training = run_agent(brain, maze, agent, rows, cols)
        evaluation = run_agent(brain, maze, MazeAgent(maze, config, agent.weights,
                                                      ACTION_GROUP_SIZE, seed=seed,
                                                      evaluate=True), rows, cols)
        goals = sum(r.outcome == 'goal' for r in training)
        last = sum(r.outcome == 'goal' for r in training[-20:])
        print(f'seed {seed}: greedy {summarize_evaluation(evaluation).headline()} '
              f'{[(r.start, r.outcome, r.moves, r.shortest_path) for r in evaluation]}; '
              f'training goals {goals} (last 20: {last}); {time.perf_counter() - start:.0f} s',
              flush=True)
    rng = np.random.default_rng(0)
    walk = np.mean([np.mean([random_walk_steps(maze, s, rng) for _ in range(200)])
                    / maze.shortest_path_length(s) for s in maze.start_cells])
    print(f'random walk over free moves: {walk:.1f}x the shortest path')


if __name__ == '__main__':
    main()
