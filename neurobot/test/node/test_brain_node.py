"""Node tests: brain_node as its own process, driven over real DDS from this process."""

import numpy as np
import pytest
from rosgraph_msgs.msg import Clock

from neurobot_interfaces.msg import BrainStep, PopulationInput, PopulationSpikes
from neurobot_interfaces.srv import DescribeBrain, GetWeights, ResetBrain, SetWeights
from ros_helpers import NodeProcess, RosClient, clock, run_trial

pytestmark = pytest.mark.node

MS = 1_000_000  # ns


@pytest.fixture
def brain(ros_domain, brains_dir, tmp_path):
    """brain_node on the deterministic brain, stepping 20 ms on /clock, plus a client."""
    process = NodeProcess(
        'brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
        '-p', 'use_sim_time:=true', '-p', 'step_ms:=20.0', '-p', 'seed:=1',
        log_dir=tmp_path)
    client = RosClient(ros_domain)
    client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
    yield process, client
    client.close()
    assert process.stop() == 0, process.output()


class Recorder:
    def __init__(self, client, msg_type, topic):
        self.messages = []
        client.node.create_subscription(msg_type, topic, self.messages.append, 100)


def test_describe_lists_populations_projections_and_topics(brain):
    _, client = brain
    response = client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request())
    assert response.success and response.step_ms == 20.0
    pops = {p.name: p for p in response.populations}
    assert pops['neurons'].spikes_topic == 'brain/neurons/spikes'
    assert pops['drive'].input_topic == 'brain/drive/stimulus'
    assert pops['drive'].input_kind == 'current_na'
    assert [p.name for p in response.projections] == ['stimulus_to_neurons', 'recurrent',
                                                      'inhibition']


def test_steps_follow_clock_never_ahead_never_skipping(brain):
    _, client = brain
    spikes = Recorder(client, PopulationSpikes, 'brain/neurons/spikes')
    steps = Recorder(client, BrainStep, 'brain/step')
    pub = client.node.create_publisher(Clock, '/clock', 100)
    client.spin_for(0.5)
    for t_ms in (0, 10, 19):
        pub.publish(clock(t_ms * MS))
    client.spin_for(0.5)
    assert steps.messages == []  # no boundary reached yet: never ahead of /clock
    pub.publish(clock(20 * MS))
    assert client.spin_until(lambda: len(steps.messages) == 1, 10)
    pub.publish(clock(105 * MS))  # a jump over four boundaries: every step runs
    assert client.spin_until(lambda: len(steps.messages) == 5, 10)
    client.spin_for(0.3)
    assert len(steps.messages) == 5
    stamps = [m.header.stamp.sec * 1000 + m.header.stamp.nanosec // MS for m in steps.messages]
    assert stamps == [20, 40, 60, 80, 100]
    assert [m.step for m in spikes.messages] == [0, 1, 2, 3, 4]
    for msg in spikes.messages:
        end = msg.header.stamp.sec * 1000 + msg.header.stamp.nanosec / MS
        times = np.asarray(msg.spike_times_ms)
        assert ((times > end - 20) & (times <= end)).all()
        assert sum(msg.counts) == len(msg.spike_neurons)
    assert sum(sum(m.counts) for m in spikes.messages) > 0


def test_reset_over_the_service_reproduces_the_first_trial(brain):
    _, client = brain
    spikes = Recorder(client, PopulationSpikes, 'brain/neurons/spikes')
    pub = client.node.create_publisher(Clock, '/clock', 100)
    client.spin_for(0.5)
    pub.publish(clock(0))
    first = run_trial(client, pub, spikes, 0)
    assert len(first) > 10
    pub.publish(clock(140 * MS))  # two more steps: activity in flight
    client.spin_for(0.5)
    response = client.call(ResetBrain, 'reset_brain', ResetBrain.Request())
    assert response.success, response.message
    assert run_trial(client, pub, spikes, 140) == first


def test_stimulus_topic_drives_neurons_from_the_next_step(brain):
    _, client = brain
    spikes = Recorder(client, PopulationSpikes, 'brain/drive/spikes')
    pub = client.node.create_publisher(Clock, '/clock', 100)
    stim = client.node.create_publisher(PopulationInput, 'brain/drive/stimulus', 10)
    client.spin_for(0.5)
    pub.publish(clock(0))
    pub.publish(clock(20 * MS))
    assert client.spin_until(lambda: len(spikes.messages) == 1, 10)
    assert sum(spikes.messages[0].counts) == 0
    stim.publish(PopulationInput(values=[2.0]))
    client.spin_for(0.5)
    pub.publish(clock(40 * MS))
    assert client.spin_until(lambda: len(spikes.messages) == 2, 10)
    assert min(spikes.messages[1].counts) > 0


def test_weights_round_trip_and_bad_requests_change_nothing(brain):
    process, client = brain
    got = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='recurrent'))
    assert got.success and (got.rows, got.cols) == (60, 60)
    weights = np.asarray(got.weights)
    assert np.isnan(weights).any() and (weights[~np.isnan(weights)] > 0).all()

    def set_weights(**fields):
        request = SetWeights.Request(projection='recurrent', rows=60, cols=60,
                                     weights=weights.tolist())
        for key, value in fields.items():
            setattr(request, key, value)
        return client.call(SetWeights, 'set_weights', request)

    bad_requests = {
        'unknown projection': dict(projection='nope'),
        'expected rows=60': dict(cols=59),
        'expected 3600 weights': dict(weights=weights[:-1].tolist()),
        'NaN where a connection exists': dict(weights=np.full_like(weights, np.nan).tolist()),
        'expects weights >= 0': dict(weights=(-weights).tolist()),
    }
    for expected, fields in bad_requests.items():
        response = set_weights(**fields)
        assert not response.success and expected in response.message, response.message
    unchanged = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='recurrent'))
    np.testing.assert_array_equal(np.asarray(unchanged.weights), weights)
    assert process.alive()

    doubled = np.where(np.isnan(weights), np.nan, weights * 2)
    response = set_weights(weights=doubled.tolist())
    assert response.success and response.written == np.sum(~np.isnan(weights))
    again = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='recurrent'))
    np.testing.assert_allclose(np.asarray(again.weights), doubled, equal_nan=True)
    response = client.call(ResetBrain, 'reset_brain', ResetBrain.Request(restore_weights=True))
    assert response.success and 'restored' in response.message
    restored = client.call(GetWeights, 'get_weights', GetWeights.Request(projection='recurrent'))
    np.testing.assert_array_equal(np.asarray(restored.weights), weights)


def test_invalid_step_parameter_is_refused_with_a_reason(brain):
    from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
    from rcl_interfaces.srv import SetParameters
    process, client = brain

    def set_step(value):
        request = SetParameters.Request(parameters=[Parameter(
            name='step_ms', value=ParameterValue(type=ParameterType.PARAMETER_DOUBLE,
                                                 double_value=value))])
        return client.call(SetParameters, 'brain/set_parameters', request).results[0]

    result = set_step(20.05)
    assert not result.successful and 'multiple of resolution_ms' in result.reason
    assert set_step(40.0).successful
    described = client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request())
    assert described.step_ms == 40.0
    assert process.alive()


def test_broken_brain_file_fails_at_start_with_file_and_line(ros_domain, tmp_path):
    broken = tmp_path / 'broken_brain.py'
    broken.write_text('import pyNN.nest as sim\n\nneurons = sim.Population(5, sim.IF_curr_exp())\n'
                      'sim.Projection(neurons, missing, sim.AllToAllConnector())\n')
    process = NodeProcess('brain_node', '-p', f'brain:={broken}', log_dir=tmp_path)
    assert process.wait(60) != 0
    output = process.output()
    assert f'File "{broken}", line 4' in output
    assert "NameError: name 'missing' is not defined" in output


def test_reset_scope_over_the_service(brain):
    _, client = brain
    refused = client.call(ResetBrain, 'reset_brain', ResetBrain.Request(scope='everything'))
    assert not refused.success and 'unknown reset scope' in refused.message
    clash = client.call(ResetBrain, 'reset_brain',
                        ResetBrain.Request(scope='neurons', restore_weights=True))
    assert not clash.success and 'scope' in clash.message
    done = client.call(ResetBrain, 'reset_brain', ResetBrain.Request(scope='neurons'))
    assert done.success and done.message.startswith('reset (neurons)')
    default = client.call(ResetBrain, 'reset_brain', ResetBrain.Request())
    assert default.success and default.message.startswith('reset (synapses)')
