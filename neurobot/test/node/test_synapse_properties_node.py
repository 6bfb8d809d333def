"""brain_node's synapse properties: the parameter at start, the service while running.

The synapse_properties parameter is set at start and logged, a bad one stops the node (the
spiking maze learner's greedy evaluation starts brain_node with its dopamine rules'
amplitudes at 0). The set_synapse_properties service changes them while the brain runs
(a transfer function switching learning off and on); a bad request is refused with a
reason and changes nothing. brain_node runs as its own process, stepped on /clock from
the test; the brain is the tests' dopamine brain, whose projection 'learning' is an
stdp_dopamine_synapse. What a property does is read independently: with both amplitudes
at 0 no eligibility builds, so the weights (get_weights) stay exactly as they were.
"""

import json

import numpy as np
import pytest
from rosgraph_msgs.msg import Clock

from neurobot_interfaces.msg import BrainStep
from neurobot_interfaces.srv import DescribeBrain, GetWeights, SetSynapseProperties
from ros_helpers import NodeProcess, RosClient, clock

pytestmark = pytest.mark.node

MS = 1_000_000  # ns
STEP_MS = 20  # ms, brain step
FROZEN = {'A_plus': 0, 'A_minus': 0}
RULE = {'A_plus': 0.05, 'A_minus': 0.06}  # dopamine_brain.py's amplitudes


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


class SteppedBrain:
    """brain_node on the dopamine brain stepping on /clock, driven by this test's client."""

    def __init__(self, domain, brains_dir, tmp_path):
        self.process = NodeProcess(
            'brain_node', '-p', f'brain:={brains_dir / "dopamine_brain.py"}',
            '-p', 'use_sim_time:=true', '-p', f'step_ms:={STEP_MS}.0', log_dir=tmp_path)
        self.client = RosClient(domain)
        self.steps = []
        self.client.node.create_subscription(BrainStep, 'brain/step', self.steps.append, 100)
        self.clock = self.client.node.create_publisher(Clock, '/clock', 100)
        self.client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        assert self.client.spin_until(lambda: self.clock.get_subscription_count() > 0, 20)
        self.clock.publish(clock(0))  # anchors the step grid

    def run(self, steps: int):
        """Step the brain ``steps`` times (``steps`` x 20 ms of /clock) and wait for them."""
        done = len(self.steps)
        for k in range(done + 1, done + steps + 1):
            self.clock.publish(clock(k * STEP_MS * MS))
        assert self.client.spin_until(lambda: len(self.steps) == done + steps, 20), \
            self.process.output()

    def weights(self) -> np.ndarray:
        got = self.client.call(GetWeights, 'get_weights',
                               GetWeights.Request(projection='learning'))
        assert got.success, got.message
        return np.asarray(got.weights).reshape(got.rows, got.cols)

    def set(self, properties: str, projection: str = 'learning'):
        return self.client.call(SetSynapseProperties, 'set_synapse_properties',
                                SetSynapseProperties.Request(projection=projection,
                                                             properties=properties))

    def close(self) -> int:
        self.client.close()
        return self.process.stop()


@pytest.fixture
def stepped(ros_domain, brains_dir, tmp_path):
    brain = SteppedBrain(ros_domain, brains_dir, tmp_path)
    yield brain
    assert brain.close() == 0, brain.process.output()


def test_the_service_switches_learning_off_and_on_while_the_brain_runs(stepped):
    start = stepped.weights()
    frozen = stepped.set(json.dumps(FROZEN))
    assert frozen.success, frozen.message
    assert 'stdp_dopamine_synapse' in frozen.message and 'A_plus=0, A_minus=0' in frozen.message
    stepped.run(10)  # cue and dopamine fire throughout: with the rule on, weights move
    np.testing.assert_array_equal(stepped.weights(), start)
    learning = stepped.set(json.dumps(RULE))
    assert learning.success and 'A_plus=0.05, A_minus=0.06' in learning.message
    stepped.run(10)
    assert not np.array_equal(stepped.weights(), start), 'learning is on again'
    output = stepped.process.output()
    assert 'synapse properties set: stdp_dopamine_synapse' in output, output
    assert 'A_plus=0.05, A_minus=0.06' in output


# Each request but the first two would freeze the rule if any part of it were set before
# its defect (both amplitudes come first); not one may.
BAD_REQUESTS = [
    ('learning', '{"A_plus": 0, "A_minus": 0', 'are not JSON'),
    ('learning', '[0, 0]', 'must be a JSON object {property: number}'),
    ('nope', json.dumps(FROZEN), "unknown projection 'nope'"),
    ('learning', json.dumps({**FROZEN, 'no_such_thing': 1}),
     "no numeric common property 'no_such_thing'"),
    ('learning', json.dumps({**FROZEN, 'weight': 1.0}), "'weight' is a per-synapse property"),
    ('learning', '{"A_plus": 0, "A_minus": 0, "tau_c": NaN}', 'must be a finite number'),
    ('learning', '{"A_plus": 0, "A_minus": 0, "tau_c": 1e400}', 'must be a finite number'),
    ('learning', '{}', 'non-empty object'),
]


def test_bad_requests_are_refused_with_a_reason_and_set_nothing(stepped):
    start = stepped.weights()
    for projection, properties, said in BAD_REQUESTS:
        response = stepped.set(properties, projection)
        assert not response.success, properties
        assert response.message.startswith('nothing set: ') and said in response.message, \
            response.message
    assert stepped.process.alive()
    stepped.run(10)  # the rule as the brain file set it: the weights move
    assert not np.array_equal(stepped.weights(), start), 'the rule still learns'
    assert 'synapse properties set' not in stepped.process.output()
