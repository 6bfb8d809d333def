"""Brain.set_synapse_properties: a synapse model's common properties, the learning switch.

Over ROS a learner cannot call nest.SetDefaults itself; brain_node's ``synapse_properties``
parameter does it through this call (the spiking maze learner's greedy evaluation sets
its dopamine rules' amplitudes to 0). Ground truth is read fresh from NEST.
"""

import numpy as np
import pytest

from brain_node.brain import Brain

pytestmark = pytest.mark.brain


def weights(brain):
    rows, cols, flat = brain.get_weights('learning')
    return np.asarray(flat, dtype=np.float64).reshape(rows, cols)


@pytest.fixture
def brain(brains_dir):
    return Brain(brains_dir / 'dopamine_brain.py', step_ms=20.0, seed=2)


def test_zero_amplitudes_freeze_the_weights_that_otherwise_move(brain, brains_dir):
    import nest
    model = brain.pynn_projection('learning').nest_synapse_model
    message = brain.set_synapse_properties('learning', {'A_plus': 0.0, 'A_minus': 0})
    assert (nest.GetDefaults(model)['A_plus'], nest.GetDefaults(model)['A_minus']) == (0.0, 0.0)
    assert 'A_plus=0' in message and 'learning' in message
    before = weights(brain)
    for _ in range(10):
        brain.step()
    np.testing.assert_array_equal(weights(brain), before)
    # the same run with the file's rule moves them (the fixture of test_reset_scopes)
    moving = Brain(brains_dir / 'dopamine_brain.py', step_ms=20.0, seed=2)
    start = weights(moving)
    for _ in range(10):
        moving.step()
    assert not np.array_equal(weights(moving), start)


@pytest.mark.parametrize('properties, expected', [
    ({'no_such_thing': 1.0}, "no numeric common property 'no_such_thing'"),
    ({'weight': 1.0}, "'weight' is a per-synapse property"),
    ({'A_plus': float('nan')}, 'must be a finite number'),
    ({'A_plus': True}, 'must be a finite number'),
    ({}, 'non-empty object'),
])
def test_bad_properties_are_refused_and_nothing_is_set(brain, properties, expected):
    import nest
    model = brain.pynn_projection('learning').nest_synapse_model
    rule = nest.GetDefaults(model)
    with pytest.raises(ValueError, match=expected.replace('(', r'\(')):
        brain.set_synapse_properties('learning', {'A_minus': 0.0, **properties}
                                     if properties else properties)
    assert nest.GetDefaults(model)['A_minus'] == rule['A_minus'], 'nothing set'


def test_unknown_projection_is_refused(brain):
    with pytest.raises(ValueError, match='unknown projection'):
        brain.set_synapse_properties('nope', {'A_plus': 0.0})
