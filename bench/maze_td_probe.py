"""Probe the spiking maze learner's TD error in spikes: what dopamine does the network release?

Trains a learner of the maze benchmark's registry (``spiking`` or a plug-in,
``--import``) on one maze, then prints two tables:

1. **per block of training episodes**: the dopaminergic rate (Hz per neuron) in the
   phase that judges a move onto the goal, and in the phases that judge ordinary moves
   (median and mean). A goal should stand out: it is the only reward;
2. **per maze cell, after training**: the critic's value V (striatal rate in a decide
   phase, Hz per neuron) and the dopaminergic rate when the same cell is shown again with
   no reward (:meth:`SpikingMazeLearner.probe_td`). That move changes nothing, so its
   TD error is (gamma - 1) V <= 0: the rate should not rise with V. (Its level at low V
   is above the rule's baseline ``b``, printed; the learner's drain current was
   calibrated on the net weight change of random moves, which includes that level:
   docs/maze_spiking.md.) A rate that rises with V is a positive TD error that grows
   with the value itself.

Rates are counted from spikes; no weight is read. The learner's own seeded generator
drives the training, so a seed gives the same numbers.

Usage::

    python bench/maze_td_probe.py                      # the default maze, seed 1, 150 episodes
    python bench/maze_td_probe.py --maze M/gen_03_7x4_loops.yaml --seed 2 --episodes 200
    python bench/maze_td_probe.py --import my_variants --learner my_learner
"""

import argparse
import importlib
from pathlib import Path
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # maze_learners

import maze_learners  # noqa: E402
from benchlib import print_table  # noqa: E402
from experiments.maze.agent import step_limit  # noqa: E402
from experiments.maze.spiking.projections import ACTOR  # noqa: E402
from neurobot.paths import share_path  # noqa: E402
from neurobot.world.maze import Maze, MazeError  # noqa: E402

DEFAULT_MAZE = share_path('experiments', 'maze', 'mazes', 'default.yaml')


def block_rates(records, wall_phases: int) -> tuple:
    """Dopamine in the goal's judging phase, and in ordinary moves' (median, mean), Hz.

    A record's rates are one per judging phase: an ordinary move one, the goal one (the
    last), a wall ``wall_phases`` (the last ones).
    """
    goal, ordinary = [], []
    for r in records:
        end = {'goal': 1, 'wall': wall_phases}.get(r.outcome, 0)
        ordinary += r.dopamine_hz[:len(r.dopamine_hz) - end]
        if r.outcome == 'goal' and r.dopamine_hz:
            goal.append(r.dopamine_hz[-1])
    return (float(np.mean(goal)) if goal else None, len(goal),
            float(np.median(ordinary)) if ordinary else None,
            float(np.mean(ordinary)) if ordinary else None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--learner', default='spiking', help='a registered spiking learner')
    parser.add_argument('--import', dest='imports', nargs='*', default=[],
                        help='modules that register more learners (register_learner)')
    parser.add_argument('--maze', default=str(DEFAULT_MAZE), help='maze YAML file')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--episodes', type=int, default=150, help='training episodes first')
    parser.add_argument('--blocks', type=int, default=3, help='training blocks reported')
    parser.add_argument('--repeats', type=int, default=6, help='probes per cell')
    args = parser.parse_args(argv)
    for module in args.imports:
        importlib.import_module(module)
    if args.learner not in maze_learners.LEARNERS:
        parser.error(f'unknown learner {args.learner!r}; registered: '
                     f'{list(maze_learners.LEARNERS)}')
    if args.episodes < 0 or args.blocks < 1 or args.repeats < 1:
        parser.error('--episodes must be >= 0, --blocks and --repeats >= 1')
    try:
        maze = Maze.from_yaml(args.maze)
    except MazeError as error:  # a usage error, not a traceback
        parser.error(str(error))
    learner = maze_learners.LEARNERS[args.learner].factory(maze, args.seed, step_limit(maze))
    if not hasattr(learner, 'probe_td'):
        parser.error(f'{args.learner} is not a spiking learner (no probe_td)')
    from tqdm import tqdm

    rows = []
    sizes = [len(part) for part in np.array_split(np.arange(args.episodes), args.blocks)]
    with tqdm(total=args.episodes, unit='episode', desc='training') as bar:
        for size in sizes:
            records = []
            for _ in range(size):
                records += learner.train(1)
                bar.update()
            goal, n_goal, median, mean = block_rates(records, learner.config.wall_phases)
            rows.append((f'{learner.trained - size}-{learner.trained}', n_goal, goal,
                         median, mean))
    baseline = learner.rules[ACTOR]['b'] * 1e3 / learner.brain.population_size('dopa')
    print(f'\n{args.learner} on {maze.name} (seed {args.seed}); dopamine background '
          f'(the rule\'s baseline b): {baseline:.1f} Hz per neuron')
    print_table('dopamine while training (Hz per neuron)',
                ['episodes', 'goals', 'goal phase', 'ordinary moves: median', 'mean'], rows)
    cells = []
    for cell in tqdm(learner.cells, desc='probing cells', unit='cell'):
        if tuple(cell) != tuple(maze.goal_cell):
            cells.append((tuple(cell), *learner.probe_td(cell, args.repeats)))
    cells.sort(key=lambda row: row[1])
    print_table('the same cell shown again, no reward: TD error (gamma - 1) V <= 0',
                ['cell', 'V (Hz per striatal neuron)', 'dopamine (Hz per neuron)'], cells)
    values = np.array([row[1] for row in cells])
    dopamine = np.array([row[2] for row in cells])
    low, high = values < 20, values > 50

    def mean_of(mask):
        return f'{dopamine[mask].mean():.1f}' if mask.any() else '-'

    print(f'dopamine when nothing changes: {mean_of(low)} Hz on the {int(low.sum())} cells '
          f'with V < 20 Hz, {mean_of(high)} Hz on the {int(high.sum())} with V > 50 Hz '
          f'(should not be higher)')
    learner.close()
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
