"""Run every benchmark and print their tables (``make bench``).

The machine is shared and noisy: read the ratios each benchmark prints within one run.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = (
    ('embedded world core', ['bench_world.py']),
    ('world_node over ROS', ['bench_world_node.py']),
    ('brain_node: stepping, reset, weights', ['bench_brain.py']),
    ('brain_node: weight recorder', ['bench_weight_recorder.py']),
    ('closed loop in lockstep', ['bench_lockstep.py']),
    ('MCAP recording of the maze loop', ['bench_recording.py']),
)


def main():
    failed = []
    for title, command in BENCHMARKS:
        print(f'\n=== {title}: {" ".join(command)}', flush=True)
        code = subprocess.call([sys.executable, str(HERE / command[0]), *command[1:]], cwd=HERE)
        if code:
            failed.append(title)
    if failed:
        print(f'\nfailed: {", ".join(failed)}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
