"""Unit tests of the weight file: round trip, "unchanged" records, cut-off files, errors.

The brain is a small stand-in (pure logic: the recorder only needs three methods);
test/brain/test_weight_recording.py records a real NEST brain.
"""

from dataclasses import dataclass
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from brain_node.weight_recorder import (RECORD_HEAD, WeightFile, WeightRecorder, main,
                                        read_weight_file)

MS = 1_000_000  # ns


@dataclass
class Info:
    name: str
    rows: int
    cols: int
    plastic: bool = False
    weight_units: str = 'nA'
    pre: str = 'a'
    post: str = 'b'


class FakeBrain:
    """Projections as per-connection arrays in a shuffled (NEST-like) order."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.infos = [Info('sparse', 4, 5), Info('learning', 3, 3, plastic=True)]
        self.flat = {'sparse': rng.permutation(20)[:9], 'learning': rng.permutation(9)}
        self.values = {name: rng.uniform(0.1, 1.0, len(flat)) for name, flat in self.flat.items()}
        self.version = {'sparse': 0, 'learning': 0}
        self.reads = 0

    def describe_projections(self):
        return self.infos

    def weights_version(self, name):
        return self.version[name]

    def connection_weights(self, name):
        self.reads += 1
        return self.flat[name], self.values[name].copy()

    def set(self, name, values):
        self.values[name] = np.asarray(values, dtype=float)
        self.version[name] += 1

    def dense(self, name):
        info = next(i for i in self.infos if i.name == name)
        dense = np.full(info.rows * info.cols, np.nan)
        dense[self.flat[name]] = self.values[name]
        return dense.reshape(info.rows, info.cols)


def record(brain, path, names=('sparse', 'learning'), **kwargs):
    return WeightRecorder(brain, names, path, every_ms=kwargs.pop('every_ms', 40.0),
                          step_ms=kwargs.pop('step_ms', 20.0), **kwargs)


def test_round_trip_gives_one_matrix_per_time_and_unchanged_records_stay_tiny(tmp_path):
    brain = FakeBrain()
    path = tmp_path / 'weights.nbw'
    recorder = record(brain, path, metadata={'brain': 'fake.py'})
    expected = {'sparse': [], 'learning': []}
    for k in range(5):
        if k == 2:
            brain.set('sparse', brain.values['sparse'] * 2)
        brain.values['learning'] = brain.values['learning'] + 0.01  # plastic: changes silently
        assert recorder.sample(k * 40 * MS)
        for name in expected:
            expected[name].append(brain.dense(name))
    recorder.close()
    assert recorder.error is None
    data = read_weight_file(path)
    for name in ('sparse', 'learning'):
        times, weights = data[name]
        np.testing.assert_array_equal(times, [0, 40, 80, 120, 160])
        np.testing.assert_array_equal(weights, np.stack(expected[name]))  # NaN == NaN here
    wf = WeightFile(path, verify=True)
    assert wf.full_records('sparse') == 2 and wf.full_records('learning') == 5
    assert wf.metadata['brain'] == 'fake.py' and wf.projections['sparse']['connections'] == 9
    np.testing.assert_array_equal(wf.mask('sparse'), ~np.isnan(brain.dense('sparse')))
    full = RECORD_HEAD.size + 9 * 8
    unchanged = RECORD_HEAD.size
    header = os.path.getsize(path) - 7 * full - 3 * unchanged
    assert 0 < header < 1024
    only = read_weight_file(path, projection='sparse')
    assert list(only) == ['sparse']


def test_a_file_cut_anywhere_in_its_last_record_reads_up_to_the_record_before(tmp_path):
    brain = FakeBrain()
    path = tmp_path / 'weights.nbw'
    recorder = record(brain, path, names=['sparse'])
    for k in range(3):
        brain.set('sparse', brain.values['sparse'] + k)
        recorder.sample(k * 40 * MS)
    recorder.close()
    whole = path.read_bytes()
    last = len(whole) - (RECORD_HEAD.size + 9 * 8)
    complete = read_weight_file(path)['sparse']
    for cut in range(last, len(whole)):
        path.write_bytes(whole[:cut])
        times, weights = read_weight_file(path)['sparse']
        np.testing.assert_array_equal(times, [0, 40])
        np.testing.assert_array_equal(weights, complete[1][:2])
        assert WeightFile(path).ignored_bytes == cut - last
    path.write_bytes(whole[:-1] + bytes([whole[-1] ^ 0xFF]))  # garbled last byte: CRC catches it
    assert len(read_weight_file(path)['sparse'][0]) == 2
    path.write_bytes(whole[:20])
    with pytest.raises(ValueError, match='header cut short'):
        WeightFile(path)


def test_bad_arguments_are_refused_before_the_file_is_created(tmp_path):
    brain = FakeBrain()
    path = tmp_path / 'w.nbw'
    with pytest.raises(ValueError, match='unknown projection.*nope.*the brain has: sparse, '
                                         'learning'):
        record(brain, path, names=['sparse', 'nope'])
    with pytest.raises(ValueError, match='multiple of step_ms=20 ms, got 30'):
        record(brain, path, every_ms=30.0)
    with pytest.raises(ValueError, match='at least one projection'):
        record(brain, path, names=[''])
    brain.flat['sparse'][1] = brain.flat['sparse'][0]
    with pytest.raises(ValueError, match='multapses'):
        record(brain, path)
    assert not path.exists()


def test_files_that_are_not_weight_files_are_refused(tmp_path):
    other = tmp_path / 'other.nbw'
    other.write_bytes(b'time,pre,post,weight\n0,0,0,1.0\n')
    with pytest.raises(ValueError, match='not a neurobot weight file'):
        WeightFile(other)
    recorder = record(FakeBrain(), tmp_path / 'w.nbw')
    recorder.close()
    data = bytearray((tmp_path / 'w.nbw').read_bytes())
    data[8] = 99  # format version
    other.write_bytes(bytes(data))
    with pytest.raises(ValueError, match='format 99'):
        WeightFile(other)
    with pytest.raises(ValueError, match="no projection 'x'; it records: sparse, learning"):
        read_weight_file(tmp_path / 'w.nbw', projection='x')


def test_a_full_disk_stops_the_recording_with_the_path_and_cause(tmp_path):
    recorder = record(FakeBrain(), '/dev/full')
    for k in range(20):  # far more than the queue holds: the stepping side never hangs
        recorder.sample(k * 40 * MS)
    recorder.close()
    assert recorder.error == ('weight recording to /dev/full failed: No space left on device '
                              '(errno 28)')
    assert not recorder.sample(1000 * MS) and not recorder.due(1000 * MS)


def test_an_unwritable_path_fails_at_start(tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    with pytest.raises(NotADirectoryError):
        record(FakeBrain(), blocker / 'weights.nbw')
    record(FakeBrain(), tmp_path / 'new' / 'dir' / 'w.nbw').close()  # directories are made
    assert (tmp_path / 'new' / 'dir' / 'w.nbw').stat().st_size > 0


def test_a_failing_read_stops_the_recording_not_the_caller(tmp_path):
    brain = FakeBrain()
    recorder = record(brain, tmp_path / 'w.nbw')
    brain.connection_weights = lambda name: (_ for _ in ()).throw(RuntimeError('NEST said no'))
    assert not recorder.sample(0)
    recorder.close()
    assert 'cannot read the weights: NEST said no' in recorder.error


def test_disk_full_in_the_middle_of_a_run_keeps_the_records_before(tmp_path):
    """A file size limit (EFBIG, like ENOSPC) hit after a few records, in a child process."""
    path = tmp_path / 'w.nbw'
    script = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {str(os.path.dirname(__file__))!r})
        from test_weight_recorder import FakeBrain, record
        brain = FakeBrain()
        recorder = record(brain, {str(path)!r}, names=['learning'])
        recorder.sample(0)
        recorder.close()  # flushed: the limit applies from here on
        import os
        size = os.path.getsize({str(path)!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 300, size + 300))
        recorder = record(brain, {str(path)!r} + '.2', names=['learning'])
        for k in range(10):
            recorder.sample(k * 40_000_000)
        recorder.close()
        print(recorder.error)
    """)
    output = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert output.returncode == 0, output.stderr
    assert 'failed: File too large (errno 27)' in output.stdout
    times, _ = read_weight_file(str(path) + '.2')['learning']
    assert 0 < len(times) < 10
    np.testing.assert_array_equal(times, np.arange(len(times)) * 40.0)


def test_a_slow_disk_makes_steps_wait_but_loses_nothing(tmp_path):
    brain = FakeBrain()
    recorder = record(brain, tmp_path / 'w.nbw', queue_records=1)
    for k in range(50):
        brain.set('sparse', brain.values['sparse'] + 1)
        recorder.sample(k * 40 * MS)
    recorder.close()
    times, weights = read_weight_file(tmp_path / 'w.nbw')['sparse']
    assert len(times) == 50
    np.testing.assert_array_equal(weights[-1], brain.dense('sparse'))


def test_due_follows_the_recording_grid(tmp_path):
    recorder = record(FakeBrain(), tmp_path / 'w.nbw', every_ms=200.0)
    recorder.close()
    assert [t for t in range(0, 1001, 20) if recorder.due(t * MS)] == [0, 200, 400, 600, 800,
                                                                       1000]


def test_summary_command_describes_the_file(tmp_path, capsys):
    brain = FakeBrain()
    recorder = record(brain, tmp_path / 'w.nbw')
    recorder.sample(0)
    recorder.sample(40 * MS)
    recorder.close()
    assert main([str(tmp_path / 'w.nbw')]) == 0
    out = capsys.readouterr().out
    assert 'sparse: 4x5 (9 connections, nA, static): 2 records (1 with data), 0-40 ms' in out
    assert main([str(tmp_path / 'missing.nbw')]) == 1


def test_bringup_records_the_named_projections_into_the_run_dir():
    from neurobot import bringup, experiment

    def maze_nodes(given):
        return bringup.nodes(experiment.get('maze'), given)
    brain = next(n for n in maze_nodes({'record_weights': 'places_to_actions, other',
                                        'record_weights_every_ms': '400', 'run_dir': 'r/x'})
                 if n.name == 'brain')
    assert brain.parameters['record_weights'] == ['places_to_actions', 'other']
    assert brain.parameters['record_weights_every_ms'] == 400.0
    assert brain.parameters['record_weights_path'] == os.path.join('r/x', 'weights.nbw')
    assert brain.parameters['record_weights_on_error'] == 'continue'
    default = next(n for n in maze_nodes({}) if n.name == 'brain')
    assert not any(key.startswith('record_weights') for key in default.parameters)
