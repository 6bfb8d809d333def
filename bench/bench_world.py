"""Benchmark the embedded MuJoCo world: one brain decision period and one episode reset.

Measures, over N repetitions after a warm-up, the wall time of

* ``step(200 ms)`` followed by one lidar ``scan()`` (target <= 5 ms), and the
  resulting real-time factor,
* ``step(200 ms)`` and ``scan()`` on their own,
* ``reset()`` followed by ``place_random_start()`` (target <= 1 ms),

and prints a table of median and 90th percentile. The robot drives a fixed random
sequence of commands so wall contacts are part of the load.

Usage::

    python bench/bench_world.py [--maze neurobot/experiments/maze/mazes/default.yaml] [--reps 300]
"""

import argparse
import logging
from pathlib import Path
import sys
import time

import numpy as np

REPO = Path(__file__).resolve().parents[1]
try:
    from neurobot.world.maze import Maze
    from neurobot.world.world import World
except ImportError:  # not installed: use the source tree
    sys.path.insert(0, str(REPO / 'neurobot'))
    from neurobot.world.maze import Maze
    from neurobot.world.world import World

LOG = logging.getLogger('bench_world')
DECISION_MS = 200.0  # ms of world time per brain decision
TARGET_STEP_SCAN_MS = 5.0  # ms wall time
TARGET_RESET_MS = 1.0  # ms wall time


def _timed(fn, reps):
    """Wall times in ms of ``reps`` calls of ``fn(i)``."""
    out = np.empty(reps)
    for i in range(reps):
        t0 = time.perf_counter_ns()
        fn(i)
        out[i] = (time.perf_counter_ns() - t0) / 1e6
    return out


def main(argv=None):
    """Run the benchmark and print the table; returns 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--maze', type=Path,
                        default=REPO / 'neurobot/experiments/maze/mazes/default.yaml')
    parser.add_argument('--reps', type=int, default=300, help='measured repetitions')
    parser.add_argument('--warmup', type=int, default=20, help='unmeasured repetitions first')
    parser.add_argument('--beams', type=int, default=360, help='lidar beams')
    parser.add_argument('--physics-dt-ms', type=float, default=2.0, help='MuJoCo step')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')

    maze = Maze.from_yaml(args.maze)
    world = World(maze, physics_dt_ms=args.physics_dt_ms, scan_beams=args.beams, seed=0)
    n = args.warmup + args.reps
    commands = np.random.default_rng(0).uniform(-1.0, 1.0, size=(n, 3))
    rng = np.random.default_rng(1)

    def step_and_scan(i):
        world.set_cmd_vel(*commands[i % n])
        world.step(DECISION_MS)
        world.scan()

    def step_only(i):
        world.set_cmd_vel(*commands[i % n])
        world.step(DECISION_MS)

    def scan_only(_):
        world.scan()

    def reset_and_place(_):
        world.reset()
        world.place_random_start(rng)

    rows = []
    for name, fn, target in (('step 200 ms + scan', step_and_scan, TARGET_STEP_SCAN_MS),
                             ('step 200 ms', step_only, None),
                             (f'scan ({args.beams} beams)', scan_only, None),
                             ('reset + random start', reset_and_place, TARGET_RESET_MS)):
        world.reset()
        _timed(fn, args.warmup)
        times = _timed(fn, args.reps)
        rows.append((name, np.median(times), np.percentile(times, 90), target))

    contacts = world.contacts()
    print(f'maze {maze.name!r} {maze.n_rows}x{maze.n_cols}, physics dt {args.physics_dt_ms} ms, '
          f'{args.beams} beams, {args.reps} reps (+{args.warmup} warm-up)')
    print(f'{"operation":<24} {"median ms":>10} {"p90 ms":>10} {"target ms":>10} {"ok":>4}')
    missed = False
    for name, med, p90, target in rows:
        ok = '' if target is None else ('yes' if med <= target else 'NO')
        missed |= ok == 'NO'
        tgt = '' if target is None else f'{target:.1f}'
        print(f'{name:<24} {med:>10.3f} {p90:>10.3f} {tgt:>10} {ok:>4}')
    rtf = DECISION_MS / rows[0][1]
    print(f'real-time factor (step + scan, median): {rtf:.0f}x')
    LOG.info('last contact report: %s', contacts)
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main())
