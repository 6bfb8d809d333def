"""Cost of reading and writing weights as a brain runs longer: brain_node vs NEST's default.

NEST 3.10 logs a spike-buffer "shrink" in every quiet min-delay slice and converts the
whole log on every kernel-status read; brain_node reads kernel status on every
get_weights/set_weights to notice re-sorted connections. brain_node therefore sets NEST's
``spike_buffer_shrink_limit`` to 0 (brain_node/pynn_setup.py). This benchmark builds NEST's
pong dopamine brain (plastic input-to-motor synapses, whose weights brain_node reads from
NEST after every step; quiet between inputs) twice in one process: once as
brain_node sets it up and once with NEST's default limit (0.2) put back, steps each to
the given brain times and prints the mean wall time of a get_weights + set_weights pair
there, and the ratio to the same pair at time 0 of the same brain. Timings are ratios
within one run (a shared machine).

Usage: python bench/long_run.py [--times-s 0 50 200] [--repeats 20]
"""

import argparse
import sys
import time

from tqdm import tqdm

from benchlib import REPO, print_table

sys.path.insert(0, str(REPO / 'neurobot'))

from brain_node.brain import Brain  # noqa: E402

BRAIN = REPO / 'neurobot' / 'experiments' / 'pong' / 'brain_dopa.py'
PROJECTION = 'input_to_motor'
STEP_MS = 200.0  # ms, one pong iteration
NEST_DEFAULT_SHRINK_LIMIT = 0.2  # NEST 3.10's default spike_buffer_shrink_limit


def pair_ms(brain, repeats):
    """Mean wall time of get_weights then set_weights after a step, ms.

    A step comes first because plastic weights change only while the brain runs: after a
    step brain_node reads them from NEST, checking the kernel first (the check whose cost
    this benchmark is about).
    """
    total = 0.0
    for _ in range(repeats):
        brain.step()
        start = time.perf_counter()
        rows, cols, weights = brain.get_weights(PROJECTION)
        brain.set_weights(PROJECTION, rows, cols, weights)
        total += time.perf_counter() - start
    return total / repeats * 1e3


def measure(shrink_limit, times_s, repeats):
    """Pair times (ms) at each brain time of times_s, for a brain with this shrink limit."""
    brain = Brain(BRAIN, step_ms=STEP_MS, seed=1)
    if shrink_limit is not None:
        brain._nest.spike_buffer_shrink_limit = shrink_limit
    results = []
    label = 'brain_node' if shrink_limit is None else f'limit {shrink_limit}'
    for target_s in tqdm(times_s, desc=label, unit='point'):
        while brain.time_ms < target_s * 1e3 - 1e-6:
            brain.step()
        results.append(pair_ms(brain, repeats))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--times-s', type=float, nargs='+', default=[0.0, 50.0, 200.0],
                        help='brain times to measure at, s (200 s = 1000 pong iterations)')
    parser.add_argument('--repeats', type=int, default=20)
    args = parser.parse_args(argv)
    times_s = sorted(args.times_s)
    ours = measure(None, times_s, args.repeats)
    default = measure(NEST_DEFAULT_SHRINK_LIMIT, times_s, args.repeats)
    rows = [[f'{t:g}', a, a / ours[0], b, b / default[0]]
            for t, a, b in zip(times_s, ours, default)]
    print_table(f'get_weights + set_weights of {PROJECTION} ({BRAIN.name}), ms per pair',
                ['brain time s', 'brain_node', 'x time 0', 'NEST default limit', 'x time 0'],
                rows)


if __name__ == '__main__':
    main()
