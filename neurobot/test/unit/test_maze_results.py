"""Unit tests of a maze run's files: episodes, trajectories, checkpoints, evaluation."""

import json
import os

import numpy as np
import pytest

from experiments.maze import results as maze_results
from experiments.maze.agent import EpisodeRecord
from experiments.maze.results import (EPISODE_FIELDS, RunDirectory, atomic_write_bytes,
                                   summarize_evaluation)


def record(episode, outcome='wall', start=(2, 4), cells=None, moves=None, shortest=4):
    cells = cells or [start, (start[0], start[1] - 1)]
    return EpisodeRecord(episode=episode, start=start,
                         moves=len(cells) - 1 if moves is None else moves, outcome=outcome,
                         total_reward=-1.05, shortest_path=shortest, cells=cells, sim_time_s=1.2)


def run_with_episodes(tmp_path, n):
    run = RunDirectory(tmp_path / 'run')
    for episode in range(n):
        run.append_episode(record(episode, cells=[(2, 4)] + [(2, 3)] * episode), 0.5 * episode)
    return run


# ---------------------------------------------------------------------- episodes

def test_episodes_and_trajectories_append_and_read_back(tmp_path):
    run = RunDirectory(tmp_path / 'new' / 'run')  # created, parents too
    run.append_episode(record(0, 'wall'), wall_time_s=1.25)
    run.append_episode(record(1, 'goal', start=(3, 0), cells=[(3, 0), (2, 0), (1, 0)]), 2.5)
    rows = run.read_episodes()
    assert [tuple(row) for row in rows] == [EPISODE_FIELDS] * 2
    assert rows[0] == {'episode': '0', 'start_row': '2', 'start_col': '4', 'moves': '1',
                       'outcome': 'wall', 'total_reward': '-1.0500', 'shortest_path': '4',
                       'sim_time_s': '1.200', 'wall_time_s': '1.250'}
    assert (rows[1]['episode'], rows[1]['start_row'], rows[1]['outcome']) == ('1', '3', 'goal')
    assert run.episodes_csv.read_text().count('episode,') == 1  # one header
    assert run.read_trajectories() == [
        {'episode': 0, 'outcome': 'wall', 'cells': [[2, 4], [2, 3]]},
        {'episode': 1, 'outcome': 'goal', 'cells': [[3, 0], [2, 0], [1, 0]]}]


def test_an_empty_run_directory_reads_as_nothing(tmp_path):
    run = RunDirectory(tmp_path)
    assert run.read_episodes() == [] and run.read_trajectories() == []
    assert run.read_evaluation() == []
    assert run.load_checkpoint() is None


def test_truncate_after_drops_later_rows_and_appending_continues(tmp_path):
    run = run_with_episodes(tmp_path, 4)
    run.truncate_after(2)
    assert [row['episode'] for row in run.read_episodes()] == ['0', '1']
    assert [t['episode'] for t in run.read_trajectories()] == [0, 1]
    run.append_episode(record(2), 3.0)
    assert [row['episode'] for row in run.read_episodes()] == ['0', '1', '2']
    assert [t['episode'] for t in run.read_trajectories()] == [0, 1, 2]
    assert run.episodes_csv.read_text().count('episode,') == 1


def test_truncate_after_keeps_rows_up_to_the_checkpoint(tmp_path):
    run = run_with_episodes(tmp_path, 3)
    before = (run.episodes_csv.read_text(), run.trajectories.read_text())
    run.truncate_after(3)
    run.truncate_after(5)
    assert (run.episodes_csv.read_text(), run.trajectories.read_text()) == before
    run.truncate_after(0)
    assert run.read_episodes() == [] and run.read_trajectories() == []


# ---------------------------------------------------------------------- checkpoints

def test_checkpoint_round_trips_weights_critic_and_generator(tmp_path):
    run = RunDirectory(tmp_path)
    rng = np.random.default_rng(42)
    rng.random(17)  # somewhere in the middle of its stream
    weights = rng.uniform(0.0, 0.6, (100, 40))
    weights[3, 5] = np.nan  # unconnected
    critic = rng.normal(size=100)
    run.save_checkpoint(7, weights, critic, rng)
    expected_next = rng.random(5)
    expected_integers = rng.integers(4, size=10)

    episodes, loaded_weights, loaded_critic, loaded_rng = run.load_checkpoint()
    assert episodes == 7
    np.testing.assert_array_equal(loaded_weights, weights)  # NaN where NaN
    np.testing.assert_array_equal(loaded_critic, critic)
    np.testing.assert_array_equal(loaded_rng.random(5), expected_next)
    np.testing.assert_array_equal(loaded_rng.integers(4, size=10), expected_integers)


def test_checkpoint_extra_arrays_round_trip_and_are_absent_from_older_checkpoints(tmp_path):
    run = RunDirectory(tmp_path)
    rng = np.random.default_rng(3)
    assert run.load_checkpoint_extra() == {}  # no checkpoint yet
    run.save_checkpoint(1, np.zeros((2, 2)), np.zeros(2), rng)
    assert run.load_checkpoint_extra() == {}  # a checkpoint without extras (rstdp, older)
    nogo = -rng.uniform(0.0, 0.4, (2, 2))
    run.save_checkpoint(2, np.ones((2, 2)), np.ones(2), rng, extra={'places_to_nogo': nogo})
    extra = run.load_checkpoint_extra()
    assert list(extra) == ['places_to_nogo']
    np.testing.assert_array_equal(extra['places_to_nogo'], nogo)
    assert run.load_checkpoint()[0] == 2  # the four usual fields are unchanged


def test_a_later_checkpoint_replaces_the_earlier_one(tmp_path):
    run = RunDirectory(tmp_path)
    rng = np.random.default_rng(1)
    run.save_checkpoint(1, np.zeros((2, 2)), np.zeros(2), rng)
    run.save_checkpoint(2, np.ones((2, 2)), np.ones(2), rng)
    episodes, weights, critic, _ = run.load_checkpoint()
    assert episodes == 2
    np.testing.assert_array_equal(weights, np.ones((2, 2)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoint.npz']


# ---------------------------------------------------------------------- atomic writes

def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / 'sub' / 'file.bin'
    atomic_write_bytes(target, b'old')
    atomic_write_bytes(target, b'new contents')
    assert target.read_bytes() == b'new contents'
    assert [p.name for p in target.parent.iterdir()] == ['file.bin']


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / 'checkpoint.npz'
    target.write_bytes(b'old')

    def failing_replace(source, destination):
        raise OSError('disk full')

    monkeypatch.setattr(maze_results.os, 'replace', failing_replace)
    with pytest.raises(OSError, match='disk full'):
        atomic_write_bytes(target, b'new')
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['checkpoint.npz']


def test_data_that_cannot_be_written_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / 'checkpoint.npz'
    target.write_bytes(b'old')
    data = memoryview(b'new')
    data.release()  # writing it raises once the temporary file exists
    with pytest.raises(ValueError):
        atomic_write_bytes(target, data)
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['checkpoint.npz']


def test_a_failed_flush_to_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / 'checkpoint.npz'
    target.write_bytes(b'old')

    def failing_fsync(fd):  # the new bytes are in the temporary file by now
        raise OSError('I/O error')

    monkeypatch.setattr(maze_results.os, 'fsync', failing_fsync)
    with pytest.raises(OSError, match='I/O error'):
        atomic_write_bytes(target, b'new' * 1000)
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['checkpoint.npz']


def test_a_checkpoint_that_fails_to_save_keeps_the_previous_one(tmp_path, monkeypatch):
    run = RunDirectory(tmp_path)
    rng = np.random.default_rng(3)
    run.save_checkpoint(4, np.full((2, 2), 0.25), np.zeros(2), rng)
    monkeypatch.setattr(maze_results.os, 'replace',
                        lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):  # even Ctrl-C mid-save cleans up
        run.save_checkpoint(5, np.ones((2, 2)), np.ones(2), rng)
    monkeypatch.undo()
    episodes, weights, _, _ = run.load_checkpoint()
    assert episodes == 4
    np.testing.assert_array_equal(weights, np.full((2, 2), 0.25))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoint.npz']


# ---------------------------------------------------------------------- evaluation

def test_evaluation_writes_and_reads_back(tmp_path):
    run = RunDirectory(tmp_path)
    records = [record(0, 'goal', start=(2, 4)), record(1, 'wall', start=(3, 0))]
    run.write_evaluation(records)
    assert run.read_evaluation() == [
        {'start_row': '2', 'start_col': '4', 'reached': 'true', 'moves': '1', 'outcome': 'goal',
         'shortest_path': '4'},
        {'start_row': '3', 'start_col': '0', 'reached': 'false', 'moves': '1',
         'outcome': 'wall', 'shortest_path': '4'}]
    lines = (tmp_path / 'evaluation_trajectories.jsonl').read_text().splitlines()
    assert len(lines) == 2 and '"start": [2, 4]' in lines[0]
    summary = json.loads(run.evaluation_summary.read_text())
    assert (summary['success_rate'], summary['reached'], summary['starts']) == (0.5, 1, 2)


def test_the_headline_counts_failures_as_failures_not_as_capped_moves():
    # two of four starts fail: the old score counted them as 30 moves and printed
    # (22/22 + 30/22 + 30/22 + 12/8) / 4 = 1.31x for a policy that fails half the time
    records = [record(0, 'goal', start=(0, 0), moves=22, shortest=22),
               record(1, 'wall', start=(1, 0), moves=3, shortest=22),
               record(2, 'timeout', start=(2, 0), moves=66, shortest=22),
               record(3, 'goal', start=(3, 0), moves=12, shortest=8)]
    summary = summarize_evaluation(records)
    assert summary.success_rate == 0.5 and summary.reached == 2
    assert summary.mean_ratio == pytest.approx((22 / 22 + 12 / 8) / 2)
    assert [s.ratio for s in summary.starts] == [1.0, None, None, 1.5]
    assert 'success rate 2/4 start cells (50%)' in summary.headline()
    assert '1.25x' in summary.headline()
    table = summary.table().splitlines()
    assert table[2].split() == ['(1,', '0)', 'no', 'wall', '3', '22', '-']


def test_the_headline_reads_the_same_from_the_csv_as_from_the_records(tmp_path):
    run = RunDirectory(tmp_path)
    records = [record(0, 'goal', start=(2, 4), moves=5, shortest=4),
               record(1, 'timeout', start=(3, 0), moves=33, shortest=11)]
    run.write_evaluation(records)
    assert summarize_evaluation(run.read_evaluation()) == summarize_evaluation(records)


def test_no_start_reached_has_no_mean_ratio():
    summary = summarize_evaluation([record(0, 'wall', start=(0, 0))])
    assert (summary.success_rate, summary.mean_ratio) == (0.0, None)
    assert 'no start cell reached the goal' in summary.headline()
    assert summarize_evaluation([]).success_rate == 0.0


def test_an_episode_that_cannot_be_written_leaves_no_half_row(tmp_path, monkeypatch):
    import errno
    run = RunDirectory(tmp_path)
    run.append_episode(record(0), 1.0)
    before = (run.episodes_csv.read_bytes(), run.trajectories.read_bytes())
    real_write = os.write
    writes = []

    def full_disk(fd, data):  # the CSV row half fits, the trajectory line does not
        writes.append(len(data))
        if len(writes) == 1:
            return real_write(fd, bytes(data[:len(data) // 2]))
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(maze_results.os, 'write', full_disk)
    with pytest.raises(OSError, match='No space left'):
        run.append_episode(record(1), 2.0)
    monkeypatch.undo()
    assert (run.episodes_csv.read_bytes(), run.trajectories.read_bytes()) == before
    run.append_episode(record(1), 2.0)
    assert [int(r['episode']) for r in run.read_episodes()] == [0, 1]


def test_unreadable_checkpoint_and_arguments_name_their_file(tmp_path):
    run = RunDirectory(tmp_path)
    run.checkpoint.write_bytes(b'\x00not a zip file')
    with pytest.raises(ValueError, match=f'{run.checkpoint}: not a readable checkpoint'):
        run.load_checkpoint()
    run.arguments_json.write_text('{broken')
    with pytest.raises(ValueError, match=f"{run.arguments_json}: cannot read the run's launch"):
        run.load_arguments()
