"""Benchmark the closed loop in lockstep (issue 4): orchestration overhead per round.

Runs the maze bring-up (world_node, brain_node, tf_node and lockstep_monitor, every node
in its own process) for a few training episodes at step_ms = 20 and 200, and prints the
monitor's medians per round: wall time, simulation phase (slowest of world and brain,
which run in parallel), transfer functions, and orchestration = the rest (DDS hops,
waiting, executor wake-ups); plus the real-time factor. The loop runs without the
optional monitoring nodes (maze_markers, spike_raster); a last row at 200 ms adds them,
to show what watching the run costs.

Usage: ``python bench/bench_lockstep.py [--episodes 10]``
"""

import argparse
import io
import re
import tempfile

from benchlib import bench_domain, print_table

from neurobot import bringup, experiment
from neurobot.launcher import Launcher

SUMMARY_LINE = re.compile(r'\[lockstep_monitor\]\s+(\w+)\s+([0-9.]+) ms')
ROUNDS_LINE = re.compile(r'lockstep_monitor: (\d+) rounds')


def run(step_ms, episodes, monitoring=False):
    bench_domain(3)
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as run_dir:
        specs = bringup.nodes(experiment.get('maze'), {
            'step_ms': str(step_ms), 'episodes': str(episodes),
            'run_dir': run_dir, 'log_level': 'warn',
            'monitoring': str(monitoring).lower()})
        code = Launcher(specs, log_level='warn', out=out).run()
    text = out.getvalue()
    if code != 0:
        raise RuntimeError(f'the maze run failed (exit {code}):\n{text[-3000:]}')
    values = {name: float(value) for name, value in SUMMARY_LINE.findall(text)}
    rounds = int(ROUNDS_LINE.search(text).group(1))
    return values, rounds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--episodes', type=int, default=10)
    args = parser.parse_args()
    rows = []
    for step_ms, monitoring in ((20.0, False), (200.0, False), (200.0, True)):
        values, rounds = run(step_ms, args.episodes, monitoring)
        rows.append((f'{step_ms:g}' + (' + monitoring' if monitoring else ''), rounds,
                     values['wall'], values['simulation'], values['transfer'],
                     values['orchestration'], step_ms / values['wall']))
    print_table('lockstep rounds of the maze loop (world, brain, tf_node in own processes), '
                'medians in ms', ('step_ms', 'rounds', 'wall', 'simulation', 'transfer fns',
                                  'orchestration', 'real-time factor'), rows)
    print('targets: orchestration <= 1 ms per round; real-time factor >= 20 at 200 ms')


if __name__ == '__main__':
    main()
