"""Regression found by the service fuzzing (issue 10): a weight that overflows in NEST units.

set_weights checks that the PyNN weights are finite, then multiplies them by 1000 (nA ->
pA): 1e308 nA passes the check and reaches NEST as inf. get_weights then reads inf back,
and a later set to 1e306 (also inf in NEST) writes nothing and reports 0 synapses
written. The check belongs after the unit conversion (brain_node/weights.py).
"""

import numpy as np
import pytest

from brain_node.brain import Brain

pytestmark = pytest.mark.brain


def test_a_weight_that_overflows_in_nest_units_is_refused_and_changes_nothing(brains_dir,
                                                                              monkeypatch):
    monkeypatch.setenv('NEUROBOT_TEST_CELL', 'IF_curr_exp')
    brain = Brain(brains_dir / 'deterministic_brain.py', step_ms=20.0, seed=1)
    rows, cols, weights = brain.get_weights('recurrent')
    huge = np.where(np.isnan(weights), np.nan, 1e308)  # nA: finite; pA: inf
    with pytest.raises(ValueError, match='finite'):
        brain.set_weights('recurrent', rows, cols, huge)
    np.testing.assert_array_equal(brain.get_weights('recurrent')[2], weights)
