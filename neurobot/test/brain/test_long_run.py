"""A brain that runs for a long time stays as fast to read as at its start (real NEST).

NEST 3.10 appends an entry to its spike-buffer resize log in every min-delay slice in
which a quiet network "shrinks" an already minimal buffer, and every kernel-status read
converts the whole log. brain_node reads kernel status on every get_weights/set_weights
(to notice re-sorted connections), so before brain_node set the shrink limit to 0 those
calls slowed down in proportion to brain time: 5 ms per call after 40 s, 25 ms after
200 s (bench/long_run.py measures it). These tests check the cause, not a time.
"""

import pytest

from brain_node.brain import Brain
from brain_node.pynn_setup import SPIKE_BUFFER_SHRINK_LIMIT

pytestmark = pytest.mark.brain

STEP_MS = 1000.0  # long steps: a minute of brain time in 60 calls
STEPS = 60  # the plastic brain's stimulus ends at 200 ms; the rest is quiet


def resize_log_entries(nest) -> int:
    return len(nest.GetKernelStatus('spike_buffer_resize_log')['times'])


def test_a_quiet_minute_adds_nothing_to_the_kernel_status_a_weight_read_converts(
        brains_dir):
    brain = Brain(brains_dir / 'plastic_brain.py', step_ms=STEP_MS, seed=1)
    nest = brain._nest
    assert nest.spike_buffer_shrink_limit == SPIKE_BUFFER_SHRINK_LIMIT == 0.0
    before = resize_log_entries(nest)
    rows, cols, first = brain.get_weights('learning')
    for _ in range(STEPS):
        brain.step()
    # Growth happens only when a buffer really grows (a burst larger than any before).
    assert resize_log_entries(nest) - before < 10
    # The weights are still read, and the STDP projection has learnt from the stimulus.
    assert brain.get_weights('learning')[2].shape == first.shape == (rows * cols,)
    assert (brain.get_weights('learning')[2] != first).any()


def test_probe_with_neurons_default_shrink_limit_the_log_grows_every_slice(brains_dir):
    """Shows the check above can fail: NEST's default limit (0.2) logs every quiet slice."""
    brain = Brain(brains_dir / 'plastic_brain.py', step_ms=STEP_MS, seed=1)
    nest = brain._nest
    nest.spike_buffer_shrink_limit = 0.2
    before = resize_log_entries(nest)
    for _ in range(5):
        brain.step()
    min_delay_ms = nest.GetKernelStatus('min_delay')
    assert resize_log_entries(nest) - before > 0.5 * 5 * STEP_MS / min_delay_ms
