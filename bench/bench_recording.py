"""Benchmark MCAP recording (issue 6): what recording every topic costs the maze loop.

Runs the maze bring-up (world_node, brain_node, tf_node, monitors, every node in its
own process, as ``neurobot launch maze``) for a few training episodes without and with
``record:=true`` (mcap_recorder on every topic), alternating, and prints per
configuration: wall time of the run per episode and per lockstep round, the
lockstep_monitor's median round, the overhead of recording, and what the file holds
(messages, MB, read back from the file's summary). Target: overhead <= 10 %.

The machine has 2 cores for 5-7 processes: the recorder competes with the loop for CPU,
which is what this measures. Same seed in every run, so the runs take the same rounds.

Usage: ``python bench/bench_recording.py [--episodes 30] [--repeats 3] [--step-ms 200]``
"""

import argparse
import io
from pathlib import Path
import re
import tempfile
import threading
import time

from benchlib import bench_domain, median, print_table

from neurobot import bringup, experiment
from neurobot.launcher import Launcher

MEDIAN_WALL = re.compile(r'\[lockstep_monitor\]\s+wall\s+([0-9.]+) ms')
ROUNDS_LINE = re.compile(r'lockstep_monitor: (\d+) rounds')
MB = 1e6  # bytes


class RoundClock:
    """Times the lockstep rounds from outside.

    A plain /lockstep/done subscriber (not a participant, so no round waits for it), spun
    in a thread while the launcher runs.
    """

    def __init__(self, domain):
        from ros_helpers import RosClient

        from neurobot import qos
        from neurobot.lockstep_participant import DONE_TOPIC
        from neurobot_interfaces.msg import LockstepDone
        self.client = RosClient(domain, name='bench_round_clock')
        self.times = {}  # round -> monotonic time its first announcement arrived
        self.client.node.create_subscription(LockstepDone, DONE_TOPIC, self._on_done,
                                             qos.LOCKSTEP)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)
        self._thread.start()

    def _on_done(self, msg):
        self.times.setdefault(msg.round, time.monotonic())

    def _spin(self):
        while not self._stop.is_set():
            self.client.executor.spin_once(timeout_sec=0.05)

    def close(self):
        self._stop.set()
        self._thread.join()
        self.client.close()

    def ms_per_round(self):
        """Mean wall time per round between round 1 and the last (start-up excluded)."""
        rounds = sorted(r for r in self.times if r >= 1)
        if len(rounds) < 2:
            return float('nan')
        return (self.times[rounds[-1]] - self.times[rounds[0]]) / (rounds[-1] - rounds[0]) * 1e3


def run(episodes, step_ms, record):
    """One maze run; returns (seconds, rounds, ms per round, median round ms, messages, MB)."""
    domain = bench_domain(5)
    clock = RoundClock(domain)
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as run_dir:
        specs = bringup.nodes(experiment.get('maze'), {
            'step_ms': str(step_ms), 'episodes': str(episodes),
            'run_dir': run_dir, 'log_level': 'warn',
            'record': str(record).lower()})
        start = time.perf_counter()
        try:
            code = Launcher(specs, log_level='warn', out=out).run()
        finally:
            clock.close()
        seconds = time.perf_counter() - start
        text = out.getvalue()
        if code != 0:
            raise RuntimeError(f'the maze run failed (exit {code}):\n{text[-3000:]}')
        messages, size_mb = 0, 0.0
        if record:
            path = Path(run_dir) / 'recording.mcap'
            if not path.is_file():
                raise RuntimeError(f'no recording was written:\n{text[-3000:]}')
            messages, size_mb = recording_size(path)
    rounds = int(ROUNDS_LINE.search(text).group(1))
    return (seconds, rounds, clock.ms_per_round(), float(MEDIAN_WALL.search(text).group(1)),
            messages, size_mb)


def recording_size(path):
    """(messages, MB) from the file's summary (the recorder closed it cleanly)."""
    from mcap.reader import make_reader
    with open(path, 'rb') as stream:
        summary = make_reader(stream).get_summary()
    if summary is None or summary.statistics is None:
        raise RuntimeError(f'{path} has no summary: the recorder did not close it')
    return summary.statistics.message_count, path.stat().st_size / MB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--episodes', type=int, default=30)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--step-ms', type=float, default=200.0)
    args = parser.parse_args()
    results = {False: [], True: []}
    for _ in range(args.repeats):
        for record in (False, True):  # alternating: slow drifts of the machine hit both
            results[record].append(run(args.episodes, args.step_ms, record))
    rows = []
    base = None
    for record in (False, True):
        runs = results[record]
        per_round_ms = median([r[2] for r in runs])
        monitor_ms = median([r[3] for r in runs])
        base = (per_round_ms, monitor_ms) if base is None else base
        rows.append(('record:=true' if record else 'no recording', len(runs),
                     int(median([r[1] for r in runs])),
                     median([r[0] for r in runs]) / args.episodes, per_round_ms,
                     f'{(per_round_ms / base[0] - 1.0) * 100.0:+.1f} %' if record else '-',
                     monitor_ms,
                     f'{(monitor_ms / base[1] - 1.0) * 100.0:+.1f} %' if record else '-',
                     int(median([r[4] for r in runs])) if record else '-',
                     median([r[5] for r in runs]) if record else '-'))
    print_table(f'maze loop, {args.episodes} episodes at step_ms = {args.step_ms:g}, medians '
                'of the runs (s/episode: whole run with start-up; ms/round: mean from round 1 '
                'to the last; monitor: median round)',
                ('configuration', 'runs', 'rounds', 's/episode', 'ms/round', 'overhead',
                 'monitor ms/round', 'overhead', 'messages', 'MB'), rows)
    print('target: overhead <= 10 % (the machine is noisy: compare within one run)')


if __name__ == '__main__':
    main()
