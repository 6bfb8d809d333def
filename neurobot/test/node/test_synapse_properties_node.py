"""brain_node's synapse_properties parameter: set at start, logged, a bad one stops the node.

brain_node runs as its own process (the spiking maze learner's greedy evaluation starts it
with its dopamine rules' amplitudes at 0); the brain is the tests' dopamine brain, whose
projection 'learning' is an stdp_dopamine_synapse.
"""

import json

import pytest

from ros_helpers import NodeProcess

pytestmark = pytest.mark.node


def start(brains_dir, tmp_path, properties: str) -> NodeProcess:
    # quoted: a YAML string, as a launch file passes it
    return NodeProcess('brain_node', '-p', f'brain:={brains_dir / "dopamine_brain.py"}',
                       '-p', f"synapse_properties:='{properties}'", log_dir=tmp_path)


@pytest.mark.parametrize('text, said', [
    ('{"learning": {"A_plus": -1e400}}', 'must be a finite number'),
    ('{"learning": {"weight": 0}}', "'weight' is a per-synapse property"),
    ('{"nope": {"A_plus": 0}}', "unknown projection 'nope'"),
    ('[1]', 'synapse_properties must be a JSON object'),
    ('{learning', 'synapse_properties is not JSON'),
])
def test_bad_synapse_properties_stop_the_node_at_start_with_a_reason(
        ros_domain, brains_dir, tmp_path, text, said):
    process = start(brains_dir, tmp_path, text)
    assert process.wait(60) != 0
    assert said in process.output(), process.output()


def test_good_synapse_properties_are_set_and_logged(ros_domain, brains_dir, tmp_path):
    process = start(brains_dir, tmp_path, json.dumps({'learning': {'A_plus': 0,
                                                                   'A_minus': 0.0}}))
    try:
        process.wait_for_text('synapse properties set', timeout=60.0, step=0.2)
        assert 'A_plus=0, A_minus=0' in process.output(), process.output()
        assert process.alive(), 'brain_node runs on'
    finally:
        process.stop()
