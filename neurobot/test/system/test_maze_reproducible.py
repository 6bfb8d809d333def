"""The maze runs exactly as before it became an experiment package: same seed, same episodes.

`neurobot maze --episodes 40 --seed 7 learner:=rstdp` (the numpy R-STDP learner, then the
maze's only one) on the default maze, every node in its own process in lockstep, must write
the episodes (start cell, moves, outcome, reward, shortest path,
simulated time: every column but the wall time) and the greedy evaluation that the same
command wrote on the code before the move (commit e879657, recorded twice with identical
results). The fixtures in data/ are those runs' files, wall time removed. About 40 s.
"""

import csv
import os
from pathlib import Path
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.node, pytest.mark.slow]

DATA = Path(__file__).resolve().parent / 'data'
NEUROBOT = Path(sys.executable).with_name('neurobot')
WALL_CLOCK_COLUMNS = ('wall_time_s',)  # the only columns that differ between runs


def read_rows(path: Path) -> list:
    """The CSV's rows as dicts, without the wall-clock columns."""
    with open(path, newline='') as handle:
        return [{k: v for k, v in row.items() if k not in WALL_CLOCK_COLUMNS}
                for row in csv.DictReader(handle)]


def test_seed_7_on_the_default_maze_gives_the_episodes_recorded_before_the_move(
        ros_domain, tmp_path):
    run_dir = tmp_path / 'run'
    result = subprocess.run([str(NEUROBOT), 'maze', '--episodes', '40', '--seed', '7',
                             '--run-dir', str(run_dir), 'learner:=rstdp'],
                            capture_output=True, text=True, timeout=400, env=dict(os.environ))
    log = run_dir / 'logs' / 'launch.log'
    assert result.returncode == 0, (result.stderr[-3000:],
                                    log.read_text()[-5000:] if log.exists() else '')
    expected = read_rows(DATA / 'maze_default_seed7_episodes.csv')
    assert len(expected) == 40
    episodes = read_rows(run_dir / 'episodes.csv')
    assert [list(row) for row in episodes[:1]] == [list(expected[0])], 'same columns'
    for got, want in zip(episodes, expected):
        assert got == want, f'episode {want["episode"]} differs'
    assert len(episodes) == len(expected)
    assert read_rows(run_dir / 'evaluation.csv') == read_rows(
        DATA / 'maze_default_seed7_evaluation.csv')
