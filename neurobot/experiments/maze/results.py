"""A maze run's files: per-episode CSV, trajectories, checkpoints, evaluation (ROS-free).

Layout of a run directory::

    episodes.csv        one row per training episode (appended as episodes end)
    trajectories.jsonl  the cells visited in every episode, one JSON object per line
    checkpoint.npz      weights, critic and random-generator state after the last episode
    evaluation.csv      greedy policy from every start cell (written by evaluation runs):
                        reached or not, moves, shortest path
    evaluation_summary.json  its headline: success rate, mean ratio over reached starts
    logs/               one log file per node of the run

Checkpoints are written atomically (a temporary file renamed over the old one), so a
crash never leaves a half-written checkpoint; a resumed run continues after the episode
the checkpoint holds and drops any CSV rows written after it. An episode's CSV row and
trajectory line are appended together or not at all: a write that fails (a full disk)
truncates both files back to where they were before raising.

The evaluation's headline (:func:`summarize_evaluation`) is honest: the success rate
(start cells whose greedy episode reaches the goal) and the mean of moves / shortest path
over the *successful* starts only. A start that hits a wall or times out is reported as
not reached; it never enters the ratio as a capped number of moves.
"""

import csv
from dataclasses import dataclass
import io
import json
import math
import os
from pathlib import Path
import tempfile

import numpy as np

EPISODE_FIELDS = ('episode', 'start_row', 'start_col', 'moves', 'outcome', 'total_reward',
                  'shortest_path', 'sim_time_s', 'wall_time_s')
EVALUATION_FIELDS = ('start_row', 'start_col', 'reached', 'moves', 'outcome', 'shortest_path')


@dataclass(frozen=True)
class StartResult:
    """The greedy episode from one start cell.

    Attributes:
        start: the start cell (row, col).
        reached: the episode ended at the goal.
        moves: moves made (to the goal, the wall or the step limit).
        shortest: fewest moves from the start to the goal.
        outcome: 'goal', 'wall' or 'timeout'.
    """

    start: tuple
    reached: bool
    moves: int
    shortest: int
    outcome: str

    @property
    def ratio(self):
        """Moves / shortest path if the goal was reached, else None (no number to cap)."""
        return self.moves / self.shortest if self.reached else None


@dataclass(frozen=True)
class EvaluationSummary:
    """Per start cell results and the headline over them.

    Attributes:
        starts: one StartResult per start cell, in evaluation order.
        success_rate: fraction of start cells whose episode reached the goal (0-1).
        mean_ratio: mean moves / shortest path over the reached starts; None if none.
    """

    starts: tuple
    success_rate: float
    mean_ratio: float | None

    @property
    def reached(self) -> int:
        return sum(s.reached for s in self.starts)

    def headline(self) -> str:
        """One line: success rate, then the mean ratio over the successful starts."""
        n = len(self.starts)
        ratio = ('no start cell reached the goal' if self.mean_ratio is None else
                 f'mean moves / shortest path over those {self.reached}: {self.mean_ratio:.2f}x')
        return f'success rate {self.reached}/{n} start cells ({self.success_rate:.0%}); {ratio}'

    def table(self) -> str:
        """Per start cell: reached or not, moves, shortest path, ratio (blank if not)."""
        lines = [f'{"start cell":<12}{"reached":<9}{"outcome":<9}{"moves":>6}{"shortest":>9}'
                 f'{"ratio":>7}']
        for s in self.starts:
            ratio = f'{s.ratio:>7.2f}' if s.reached else f'{"-":>7}'
            lines.append(f'{str(tuple(s.start)):<12}{"yes" if s.reached else "no":<9}'
                         f'{s.outcome:<9}{s.moves:>6}{s.shortest:>9}{ratio}')
        return '\n'.join(lines)

    def to_dict(self) -> dict:
        return {'success_rate': self.success_rate, 'mean_ratio': self.mean_ratio,
                'reached': self.reached, 'starts': len(self.starts),
                'per_start': [{'start': list(s.start), 'reached': s.reached, 'moves': s.moves,
                               'shortest': s.shortest, 'outcome': s.outcome}
                              for s in self.starts]}


def summarize_evaluation(results) -> EvaluationSummary:
    """The honest headline of a greedy evaluation.

    Args:
        results: EpisodeRecord-like objects (``start``, ``outcome``, ``moves``,
            ``shortest_path``) or rows of evaluation.csv as read by
            :meth:`RunDirectory.read_evaluation`.

    Returns:
        The summary; ``success_rate`` is 0 and ``mean_ratio`` None for no results.
    """
    starts = []
    for r in results:
        if isinstance(r, dict):
            start = (int(r['start_row']), int(r['start_col']))
            outcome, moves, shortest = r['outcome'], int(r['moves']), int(r['shortest_path'])
        else:
            start, outcome, moves, shortest = (tuple(r.start), r.outcome, int(r.moves),
                                               int(r.shortest_path))
        if shortest < 1:
            raise ValueError(f'start cell {start}: expected a shortest path >= 1 move, '
                             f'got {shortest}')
        starts.append(StartResult(start, outcome == 'goal', moves, shortest, outcome))
    ratios = [s.ratio for s in starts if s.reached]
    return EvaluationSummary(tuple(starts), len(ratios) / len(starts) if starts else 0.0,
                             math.fsum(ratios) / len(ratios) if ratios else None)


def atomic_write_bytes(path: Path, data: bytes):
    """Write ``data`` to ``path`` so that readers see either the old or the new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _AllOrNothing:
    """Appends to several files, all or nothing.

    If any write fails, every file is cut back to its size before (truncating needs no
    free space), so no half row is ever left behind.
    """

    def __init__(self):
        self._done = []  # (fd, size before)

    def append(self, path: Path, data: bytes):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._done.append((fd, os.fstat(fd).st_size))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError as error:  # name the file: os.write does not
            raise OSError(error.errno, error.strerror, str(path)) from None

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        for fd, size in self._done:
            try:
                if kind is not None:
                    os.ftruncate(fd, size)
            finally:
                os.close(fd)
        return False


class RunDirectory:
    """Reads and writes one run's files.

    Args:
        path: the run directory (created if missing).
    """

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.episodes_csv = self.path / 'episodes.csv'
        self.trajectories = self.path / 'trajectories.jsonl'
        self.checkpoint = self.path / 'checkpoint.npz'
        self.evaluation_csv = self.path / 'evaluation.csv'
        self.evaluation_summary = self.path / 'evaluation_summary.json'
        self.arguments_json = self.path / 'arguments.json'
        self.logs = self.path / 'logs'

    # ------------------------------------------------------------------ arguments

    def save_arguments(self, arguments: dict):
        """Keep the launch arguments of the training, for evaluation and plots later."""
        text = json.dumps({k: str(v) for k, v in sorted(arguments.items())}, indent=1)
        tmp = self.arguments_json.with_suffix('.tmp')
        tmp.write_text(text + '\n')
        os.replace(tmp, self.arguments_json)

    def load_arguments(self) -> dict:
        """The launch arguments the run was trained with ({} if unknown)."""
        if not self.arguments_json.exists():
            return {}
        try:
            return json.loads(self.arguments_json.read_text())
        except (OSError, ValueError) as error:
            raise ValueError(f'{self.arguments_json}: cannot read the run\'s launch arguments '
                             f'({error})') from None

    # ------------------------------------------------------------------ training

    def append_episode(self, record, wall_time_s: float):
        """Append an EpisodeRecord to episodes.csv and trajectories.jsonl (both or neither).

        Raises:
            OSError: a write failed (e.g. no space left); both files are as before.
        """
        rows = io.StringIO(newline='')
        writer = csv.writer(rows)
        if not self.episodes_csv.exists() or self.episodes_csv.stat().st_size == 0:
            writer.writerow(EPISODE_FIELDS)
        writer.writerow([record.episode, record.start[0], record.start[1], record.moves,
                         record.outcome, f'{record.total_reward:.4f}', record.shortest_path,
                         f'{record.sim_time_s:.3f}', f'{wall_time_s:.3f}'])
        line = json.dumps({'episode': record.episode, 'outcome': record.outcome,
                           'cells': [list(c) for c in record.cells]}) + '\n'
        with _AllOrNothing() as files:
            files.append(self.episodes_csv, rows.getvalue().encode())
            files.append(self.trajectories, line.encode())

    def save_checkpoint(self, episodes_done: int, weights, critic_values, rng, extra=None):
        """Atomically save what a resumed run needs after ``episodes_done`` episodes.

        ``extra``: further named arrays a learner needs (e.g. a third plastic
        projection); read back with :meth:`load_checkpoint_extra`.
        """
        import io
        buffer = io.BytesIO()
        extra = {f'extra_{name}': np.asarray(value) for name, value in (extra or {}).items()}
        np.savez(buffer, episodes_done=episodes_done, weights=np.asarray(weights),
                 critic_values=np.asarray(critic_values),
                 rng_state=json.dumps(rng.bit_generator.state), **extra)
        atomic_write_bytes(self.checkpoint, buffer.getvalue())

    def load_checkpoint(self):
        """Return (episodes_done, weights, critic_values, rng) or None without a checkpoint."""
        def read(data):
            rng = np.random.default_rng()
            rng.bit_generator.state = json.loads(str(data['rng_state']))
            return (int(data['episodes_done']), data['weights'].copy(),
                    data['critic_values'].copy(), rng)
        return self._read_checkpoint(read, None)

    def load_checkpoint_extra(self) -> dict:
        """The checkpoint's ``extra`` arrays by name ({} without a checkpoint or extras)."""
        return self._read_checkpoint(
            lambda data: {key[len('extra_'):]: data[key].copy() for key in data.files
                          if key.startswith('extra_')}, {})

    def _read_checkpoint(self, read, missing):
        """``read(npz data)``, or ``missing`` without a checkpoint; a damaged one: ValueError."""
        if not self.checkpoint.exists():
            return missing
        try:
            with np.load(self.checkpoint) as data:
                return read(data)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f'{self.checkpoint}: not a readable checkpoint ({error}); delete '
                             f'it to train from scratch') from None

    def truncate_after(self, episodes_done: int):
        """Drop rows of episodes after the checkpoint (they will be run again)."""
        rows = self.read_episodes()
        if len(rows) > episodes_done:
            with open(self.episodes_csv, 'w', newline='') as out:
                writer = csv.writer(out)
                writer.writerow(EPISODE_FIELDS)
                for row in rows[:episodes_done]:
                    writer.writerow([row[f] for f in EPISODE_FIELDS])
        if self.trajectories.exists():
            lines = self.trajectories.read_text().splitlines()[:episodes_done]
            self.trajectories.write_text(''.join(line + '\n' for line in lines))

    def read_episodes(self) -> list:
        """Rows of episodes.csv as dicts (empty list if none)."""
        if not self.episodes_csv.exists():
            return []
        with open(self.episodes_csv, newline='') as handle:
            return list(csv.DictReader(handle))

    def read_trajectories(self) -> list:
        if not self.trajectories.exists():
            return []
        return [json.loads(line) for line in self.trajectories.read_text().splitlines() if line]

    # ------------------------------------------------------------------ evaluation

    def write_evaluation(self, records):
        """evaluation.csv (per start cell), its summary JSON and the trajectories."""
        buffer = [','.join(EVALUATION_FIELDS)]
        for r in records:
            reached = 'true' if r.outcome == 'goal' else 'false'
            buffer.append(f'{r.start[0]},{r.start[1]},{reached},{r.moves},{r.outcome},'
                          f'{r.shortest_path}')
        atomic_write_bytes(self.evaluation_csv, ('\n'.join(buffer) + '\n').encode())
        summary = summarize_evaluation(records).to_dict()
        atomic_write_bytes(self.evaluation_summary,
                           (json.dumps(summary, indent=1) + '\n').encode())
        with open(self.path / 'evaluation_trajectories.jsonl', 'w') as out:
            for r in records:
                out.write(json.dumps({'start': list(r.start), 'outcome': r.outcome,
                                      'cells': [list(c) for c in r.cells]}) + '\n')

    def read_evaluation(self) -> list:
        if not self.evaluation_csv.exists():
            return []
        with open(self.evaluation_csv, newline='') as handle:
            return list(csv.DictReader(handle))
