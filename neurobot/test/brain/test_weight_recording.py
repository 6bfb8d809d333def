"""Weight recording of a real NEST brain: the file equals get_weights at every record time."""

import numpy as np
import pytest

from brain_node.brain import Brain
from brain_node.weight_recorder import WeightFile, WeightRecorder, read_weight_file

pytestmark = pytest.mark.brain

MS = 1_000_000  # ns


def test_static_and_plastic_records_equal_get_weights(brains_dir, tmp_path):
    brain = Brain(brains_dir / 'plastic_brain.py', step_ms=20.0, seed=1)
    path = tmp_path / 'weights.nbw'
    recorder = WeightRecorder(brain, ['learning'], path, every_ms=40.0, step_ms=20.0)
    expected = []
    recorder.sample(0)
    expected.append(brain.get_weights('learning')[2].reshape(10, 5))
    for step in range(10):
        brain.step()
        end_ns = round(brain.time_ms * MS)
        if recorder.due(end_ns):
            recorder.sample(end_ns)
            expected.append(brain.get_weights('learning')[2].reshape(10, 5))
    recorder.close()
    times, weights = read_weight_file(path)['learning']
    np.testing.assert_array_equal(times, [0, 40, 80, 120, 160, 200])
    np.testing.assert_array_equal(weights, np.stack(expected))
    assert not np.array_equal(weights[0], weights[-1])  # STDP did change them


def test_static_weights_are_stored_only_when_written(brains_dir, tmp_path):
    brain = Brain(brains_dir / 'deterministic_brain.py', step_ms=20.0, seed=1)
    path = tmp_path / 'weights.nbw'
    recorder = WeightRecorder(brain, ['recurrent', 'inhibition'], path, every_ms=20.0,
                              step_ms=20.0)
    rows, cols, initial = brain.get_weights('recurrent')
    expected = []
    for step in range(6):
        if step == 2:
            brain.set_weights('recurrent', rows, cols, initial * 2)
        if step == 3:
            brain.set_weights('recurrent', rows, cols, initial * 2)  # same values: no write
        if step == 4:
            brain.reset(restore_weights=True)
        recorder.sample(step * 20 * MS)
        expected.append(brain.get_weights('recurrent')[2].reshape(rows, cols))
        brain.step()
    recorder.close()
    times, weights = read_weight_file(path)['recurrent']
    np.testing.assert_array_equal(weights, np.stack(expected))
    wf = WeightFile(path)
    assert wf.full_records('recurrent') == 3  # initial, doubled, restored
    assert wf.full_records('inhibition') == 1
