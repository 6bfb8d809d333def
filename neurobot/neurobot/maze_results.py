"""A maze run's files: per-episode CSV, trajectories, checkpoints, evaluation (ROS-free).

Layout of a run directory::

    episodes.csv        one row per training episode (appended as episodes end)
    trajectories.jsonl  the cells visited in every episode, one JSON object per line
    checkpoint.npz      weights, critic and random-generator state after the last episode
    evaluation.csv      greedy policy from every start cell (written by evaluation runs)
    logs/               one log file per node of the run

Checkpoints are written atomically (a temporary file renamed over the old one), so a
crash never leaves a half-written checkpoint; a resumed run continues after the episode
the checkpoint holds and drops any CSV rows written after it. An episode's CSV row and
trajectory line are appended together or not at all: a write that fails (a full disk)
truncates both files back to where they were before raising.
"""

import csv
import io
import json
import os
from pathlib import Path
import tempfile

import numpy as np

EPISODE_FIELDS = ('episode', 'start_row', 'start_col', 'moves', 'outcome', 'total_reward',
                  'shortest_path', 'sim_time_s', 'wall_time_s')
EVALUATION_FIELDS = ('start_row', 'start_col', 'moves', 'outcome', 'shortest_path')


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

    def save_checkpoint(self, episodes_done: int, weights, critic_values, rng):
        """Atomically save what a resumed run needs after ``episodes_done`` episodes."""
        import io
        buffer = io.BytesIO()
        np.savez(buffer, episodes_done=episodes_done, weights=np.asarray(weights),
                 critic_values=np.asarray(critic_values),
                 rng_state=json.dumps(rng.bit_generator.state))
        atomic_write_bytes(self.checkpoint, buffer.getvalue())

    def load_checkpoint(self):
        """Return (episodes_done, weights, critic_values, rng) or None without a checkpoint."""
        if not self.checkpoint.exists():
            return None
        try:
            with np.load(self.checkpoint) as data:
                rng = np.random.default_rng()
                rng.bit_generator.state = json.loads(str(data['rng_state']))
                return (int(data['episodes_done']), data['weights'].copy(),
                        data['critic_values'].copy(), rng)
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
        buffer = [','.join(EVALUATION_FIELDS)]
        for r in records:
            buffer.append(f'{r.start[0]},{r.start[1]},{r.moves},{r.outcome},{r.shortest_path}')
        atomic_write_bytes(self.evaluation_csv, ('\n'.join(buffer) + '\n').encode())
        with open(self.path / 'evaluation_trajectories.jsonl', 'w') as out:
            for r in records:
                out.write(json.dumps({'start': list(r.start), 'outcome': r.outcome,
                                      'cells': [list(c) for c in r.cells]}) + '\n')

    def read_evaluation(self) -> list:
        if not self.evaluation_csv.exists():
            return []
        with open(self.evaluation_csv, newline='') as handle:
            return list(csv.DictReader(handle))
