"""Issue 10's case over ROS: brain_node on wall-clock time with projections sharing neurons.

A user's brain (shared_pre_brain.py: two static projections from the same population,
one recurrent, target-major lists; an inhibitory and an STDP projection) runs in
brain_node on wall-clock time for a while; then every projection is read and written over
the services. The oracle is analytic: the brain file's own lists of (pre, post, weight).
Before the fix, get_weights of the recurrent projection took the node down and the first
projection reported multapses it does not have.
"""

import numpy as np
import pytest

from neurobot_interfaces.msg import BrainStep
from neurobot_interfaces.srv import DescribeBrain, GetWeights, SetWeights
from ros_helpers import NodeProcess, RosClient

pytestmark = pytest.mark.node


def expected_forward():
    dense = np.full(10 * 5, np.nan)
    for j in range(5):
        for i in range(10):
            dense[i * 5 + j] = 0.5 + 0.01 * (10 * j + i)
    return dense


def expected_recurrent():
    rng = np.random.default_rng(7)  # the brain file's generator, same draws in the same order
    dense = np.full(10 * 10, np.nan)
    for j in range(10):
        for i in range(10):
            if i != j and rng.random() < 0.6:
                dense[i * 10 + j] = 0.004 + 0.0001 * (10 * j + i)
    return dense


@pytest.fixture
def brain(ros_domain, brains_dir, tmp_path, monkeypatch):
    monkeypatch.setenv('NEUROBOT_TEST_MULTAPSES', '0')
    monkeypatch.setenv('NEUROBOT_TEST_PLASTIC', '1')
    process = NodeProcess(
        'brain_node', '-p', f'brain:={brains_dir / "shared_pre_brain.py"}',
        '-p', 'use_sim_time:=false', '-p', 'step_ms:=5.0', '-p', 'threads:=2',
        log_dir=tmp_path)
    client = RosClient(ros_domain)
    client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
    yield process, client
    client.close()
    assert process.stop() == 0, process.output()


def test_weights_over_the_services_after_wall_clock_stepping(brain):
    process, client = brain
    steps = []
    client.node.create_subscription(BrainStep, 'brain/step', steps.append, 100)
    assert client.spin_until(lambda: len(steps) >= 100, 30), 'brain_node is not stepping'
    expected = {'forward': expected_forward(), 'recurrent': expected_recurrent()}
    for name, dense in expected.items():
        got = client.call(GetWeights, 'get_weights', GetWeights.Request(projection=name))
        assert got.success, got.message
        np.testing.assert_allclose(np.asarray(got.weights), dense, rtol=1e-12, err_msg=name)
    # write a third of the recurrent synapses while the brain keeps stepping
    rng = np.random.default_rng(1)
    dense = expected['recurrent']
    connected = np.flatnonzero(~np.isnan(dense))
    chosen = rng.choice(connected, len(connected) // 3, replace=False)
    dense[chosen] = rng.uniform(0.001, 0.01, len(chosen))
    done = client.call(SetWeights, 'set_weights', SetWeights.Request(
        projection='recurrent', rows=10, cols=10, weights=dense.tolist()))
    assert done.success and done.written == len(chosen), done.message
    client.spin_for(0.5)
    for name, want in (('recurrent', dense), ('forward', expected_forward())):
        got = client.call(GetWeights, 'get_weights', GetWeights.Request(projection=name))
        assert got.success, got.message
        np.testing.assert_allclose(np.asarray(got.weights), want, rtol=1e-12, err_msg=name)
    inhibition = client.call(GetWeights, 'get_weights',
                             GetWeights.Request(projection='inhibition'))
    assert inhibition.success and np.allclose(inhibition.weights, -0.3, rtol=1e-12)
    plastic = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='plastic'))
    assert plastic.success and len(plastic.weights) == 50
    assert process.alive()
