"""reset_brain's scopes: what survives a reset (issue 14: learning across resets).

A learner resets the network after every move but needs the eligibility traces of its
dopamine synapses to survive within an episode. Ground truth is read fresh from NEST.
"""

import numpy as np
import pytest

from brain_node.brain import Brain

pytestmark = pytest.mark.brain

TRACES = ('c', 'n', 'Kplus', 'weight')


def synapse_state(brain):
    import nest
    proj = brain.pynn_projection('learning')
    conns = nest.GetConnections(synapse_model=proj.nest_synapse_model,
                                synapse_label=proj.nest_synapse_label)
    status = conns.get(['source', 'target', *TRACES])
    order = np.lexsort((status['target'], status['source']))
    return {key: np.asarray(status[key], dtype=np.float64)[order] for key in TRACES}


@pytest.fixture
def learned(brains_dir):
    import nest
    brain = Brain(brains_dir / 'dopamine_brain.py', step_ms=20.0, seed=2)
    rule = nest.GetDefaults(brain.pynn_projection('learning').nest_synapse_model)
    assert (rule['Wmax'], rule['tau_c'], rule['A_plus']) == (2000.0, 200.0, 0.05)
    initial = synapse_state(brain)
    for _ in range(10):
        brain.step()
    before = synapse_state(brain)
    for key in ('c', 'n', 'Kplus', 'weight'):
        assert not np.array_equal(before[key], initial[key]), f'{key} did not move'
    return brain, initial, before


def test_scope_neurons_keeps_traces_and_weights(learned):
    """Not set back: the traces only follow NEST's own dynamics through the short drain.

    (During the drain the spikes in flight are delivered and the volume transmitter
    updates the synapses, so the traces move a little; an exact comparison would be
    wrong. The default scope below sets them back exactly.)
    """
    brain, initial, before = learned
    message = brain.reset(scope='neurons')
    assert 'keep their synapse traces' in message
    after = synapse_state(brain)
    np.testing.assert_allclose(after['weight'], before['weight'], rtol=0.02)
    for key in TRACES:
        kept = np.linalg.norm(after[key] - initial[key])
        learned_ = np.linalg.norm(before[key] - initial[key])
        assert kept > 0.5 * learned_, f'{key} went back towards its initial value'


def test_default_scope_restores_traces_and_keeps_weights(learned):
    brain, initial, before = learned
    brain.reset()
    after = synapse_state(brain)
    for key in ('c', 'n', 'Kplus'):
        np.testing.assert_array_equal(after[key], initial[key], err_msg=key)
    # kept, not restored: plastic weights still follow the few ms of the drain
    np.testing.assert_allclose(after['weight'], before['weight'], rtol=0.02)
    assert np.abs(after['weight'] - initial['weight']).min() > 0


def test_scope_weights_restores_everything(learned):
    brain, initial, _ = learned
    assert 'initial weights restored (32 synapses written)' in brain.reset(scope='weights')
    after = synapse_state(brain)
    for key in TRACES:
        np.testing.assert_array_equal(after[key], initial[key], err_msg=key)


@pytest.mark.parametrize('kwargs', [dict(scope='everything'), dict(scope='neurons',
                                                                   restore_weights=True)])
def test_bad_scopes_are_refused_and_reset_nothing(learned, kwargs):
    brain, _, before = learned
    resets, offset = brain.resets, brain.nest_offset_ticks
    with pytest.raises(ValueError, match='scope'):
        brain.reset(**kwargs)
    assert (brain.resets, brain.nest_offset_ticks) == (resets, offset)
    after = synapse_state(brain)
    for key in TRACES:
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)
