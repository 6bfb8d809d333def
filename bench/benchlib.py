"""Shared helpers for the benchmarks: tables, timing, brain_node processes, a ROS client.

Benchmarks run on a shared, noisy 2-core machine: compare numbers as ratios measured in
one run, and read medians rather than single runs.
"""

import os
from pathlib import Path
import statistics
import sys
import time

REPO = Path(__file__).resolve().parents[1]
BENCH_BRAINS = Path(__file__).resolve().parent / 'brains'
sys.path.insert(0, str(REPO / 'neurobot' / 'test'))  # NodeProcess, RosClient

from neurobot.dds import configure_local_dds  # noqa: E402

configure_local_dds()


def bench_domain(offset: int) -> int:
    """A ROS domain for a benchmark (230-232 + offset would overflow: keep 200-229)."""
    domain = 200 + (os.getpid() + offset) % 30
    os.environ['ROS_DOMAIN_ID'] = str(domain)
    return domain


def timed(function, *args, **kwargs):
    """Return (result, seconds)."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def median(values):
    return statistics.median(values)


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def print_table(title, header, rows):
    """Print a plain-text table with a title line."""
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f'\n{title}')
    for k, row in enumerate(cells):
        print('  '.join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths))))
        if k == 0:
            print('  '.join('-' * w for w in widths))
    sys.stdout.flush()


def _fmt(value):
    if isinstance(value, float):
        if value == 0 or 0.01 <= abs(value) < 1e5:
            return f'{value:.3f}' if abs(value) < 10 else f'{value:.1f}'
        return f'{value:.3g}'
    return str(value)
