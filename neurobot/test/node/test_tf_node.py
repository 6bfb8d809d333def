"""Node tests of tf_node: a real tf_node process over DDS, driven from this process."""

from pathlib import Path
import time

import numpy as np
import pytest
from std_msgs.msg import Float64, Int64, String

from ros_helpers import NodeProcess, RosClient

pytestmark = pytest.mark.node

TFS = Path(__file__).resolve().parents[1] / 'tfs'
MS = 1_000_000  # ns


@pytest.fixture
def tf_node(ros_domain, tmp_path):
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TFS / "counting.py"}]',
                          '-p', 'use_sim_time:=true', log_dir=tmp_path)
    client = RosClient(ros_domain)
    yield process, client
    client.close()
    assert process.stop() == 0, process.output()


def wait_for_subscriber(client, publisher, timeout=20.0):
    assert client.spin_until(lambda: publisher.get_subscription_count() > 0, timeout)


def test_throttled_function_runs_exactly_ten_times_per_simulated_second(ros_domain, tmp_path):
    """Triggers at 100 Hz of simulated time (lockstep rounds of 10 ms), throttling_rate=10."""
    from neurobot.lockstep import SIMULATION
    from ros_helpers import LockstepObserver
    counted = []
    ticks = {}

    def publish_tick(round_):
        if round_ > 300:  # 3 s of simulated time at 100 Hz, then no more triggers
            return
        client.publish(ticks['pub'], Int64(data=round_))
        if round_ % 7 == 0:  # an untriggered input arriving now and then never fires it
            client.publish(ticks['other'], String(data='not a trigger'))

    client = LockstepObserver(ros_domain, ['ticker'], ['tf'], name='ticker', step_ms=10.0,
                              phase=SIMULATION, on_round=publish_tick)
    ticks['pub'] = client.publisher(Int64, 'ticks')
    ticks['other'] = client.publisher(String, 'other')
    client.node.create_subscription(Int64, 'counted', counted.append, 100)
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TFS / "counting.py"}]',
                          '-p', 'step_ms:=10.0', '-p', 'lockstep:=true',
                          '-p', 'lockstep_name:=tf', '-p', 'lockstep_simulation:=[ticker]',
                          '-p', 'lockstep_transfer:=[tf]', log_dir=tmp_path)
    try:
        client.start()
        # 300 rounds = 3 s of simulated time at 100 Hz; 10 calls per simulated second
        assert client.spin_until(lambda: client.rounds >= 320, 60), process.output()
        client.spin_for(0.3)
        assert [m.data for m in counted] == list(range(1, 31))
    finally:
        assert process.stop() == 0, process.output()
        client.close()


def test_a_raising_function_is_logged_with_its_name_and_the_loop_goes_on(tf_node):
    process, client = tf_node
    halves = []
    client.node.create_subscription(Float64, 'halves', halves.append, 10)
    values = client.node.create_publisher(Float64, 'values', 10)
    wait_for_subscriber(client, values)
    values.publish(Float64(data=-4.0))
    values.publish(Float64(data=4.0))
    assert client.spin_until(lambda: len(halves) == 1, 10)
    assert halves[0].data == 2.0
    assert process.alive()
    client.spin_for(0.3)
    output = process.output()
    assert 'transfer function fragile_half raised' in output
    assert 'ValueError: negative input -4.0' in output


def test_a_broken_transfer_function_file_fails_at_start(ros_domain, tmp_path):
    broken = tmp_path / 'broken_tfs.py'
    broken.write_text('from tf_nodes.api import transfer_function\nraise RuntimeError("boom")\n')
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{broken}]', log_dir=tmp_path)
    assert process.wait(30) != 0
    output = process.output()
    assert f'File "{broken}", line 2' in output and 'RuntimeError: boom' in output


SERVICE_CALLER = '''
from std_msgs.msg import Int64
from tf_nodes.api import Input, transfer_function
from tf_nodes.node import ServiceError


@transfer_function(inputs={'go': Input('go', Int64)})
def reset_the_world(go, world, log):
    log.info(f'call {go.data}')
    try:
        log.info(f'answer {go.data}: {world.reset()}')
    except ServiceError as error:
        log.info(f'service error {go.data}: {error}')
        raise
'''


def test_a_service_that_refuses_or_goes_away_fails_the_call_not_the_node(ros_domain, tmp_path):
    from neurobot_interfaces.srv import ResetWorld
    caller = tmp_path / 'caller.py'
    caller.write_text(SERVICE_CALLER)
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{caller}]', log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        go = client.node.create_publisher(Int64, 'go', 10)
        wait_for_subscriber(client, go)
        refusing = client.node.create_service(
            ResetWorld, 'reset_world',
            lambda request, response: ResetWorld.Response(success=False, message='no world'))
        go.publish(Int64(data=1))
        assert client.spin_until(lambda: 'service error 1' in process.output(), 20), \
            process.output()
        assert 'service error 1: reset_world: no world' in process.output()
        client.node.destroy_service(refusing)
        # a server that takes the request and then disappears (this test does not spin, so
        # the request is never answered)
        silent = client.node.create_service(ResetWorld, 'reset_world',
                                            lambda request, response: response)
        client.spin_for(1.0)  # discovered
        go.publish(Int64(data=2))
        process.wait_for_text('call 2', timeout=20)
        time.sleep(0.5)
        client.node.destroy_service(silent)
        process.wait_for_text('service error 2', timeout=20, step=0.1)
        output = process.output()
        assert 'service error 2: service reset_world went away before answering' in output, \
            output
        assert process.alive()
    finally:
        client.close()
        assert process.stop() == 0, process.output()
    assert 'reset_the_world: 2 calls, 2 failed' in process.output()


SYNAPSE_SWITCH = '''
import numpy as np
from std_msgs.msg import Int64
from tf_nodes.api import Input, transfer_function
from tf_nodes.node import ServiceError


@transfer_function(inputs={'go': Input('go', Int64)})
def switch_learning(go, brain, log):
    properties = {'A_plus': np.float32(0.5), 'A_minus': 0} if go.data == 1 else {'tau_c': 1}
    try:
        log.info(f'answer {go.data}: {brain.set_synapse_properties("learning", properties)}')
    except ServiceError as error:
        log.info(f'service error {go.data}: {error}')
'''


def test_brain_set_synapse_properties_sends_json_and_raises_on_a_refusal(ros_domain, tmp_path):
    """BrainClient.set_synapse_properties against a stand-in brain_node service."""
    import json

    from neurobot_interfaces.srv import SetSynapseProperties
    tfs = tmp_path / 'switch.py'
    tfs.write_text(SYNAPSE_SWITCH)
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{tfs}]', log_dir=tmp_path)
    client = RosClient(ros_domain)
    requests = []

    def answer(request, response):
        requests.append((request.projection, json.loads(request.properties)))
        refused = len(requests) > 1
        return SetSynapseProperties.Response(
            success=not refused, message='nothing set: no tau_c here' if refused else 'set it')

    try:
        client.node.create_service(SetSynapseProperties, 'set_synapse_properties', answer)
        go = client.node.create_publisher(Int64, 'go', 10)
        wait_for_subscriber(client, go)
        go.publish(Int64(data=1))
        assert client.spin_until(lambda: 'answer 1: set it' in process.output(), 20), \
            process.output()
        go.publish(Int64(data=2))
        refusal = 'service error 2: set_synapse_properties: nothing set: no tau_c here'
        assert client.spin_until(lambda: refusal in process.output(), 20), process.output()
        assert requests == [('learning', {'A_plus': 0.5, 'A_minus': 0}),
                            ('learning', {'tau_c': 1})]
        assert process.alive()
    finally:
        client.close()
        assert process.stop() == 0, process.output()


def test_population_mappings_end_to_end_with_a_real_brain(ros_domain, brains_dir, tmp_path):
    """Spikes in as window arrays, currents out as the brain's input; a wrong length is refused.

    brain_node (deterministic brain, 20 ms steps on /clock from this test) and tf_node
    running test/tfs/mapped.py: the function's 40 ms window must equal the sum of the
    brain's last two 'neurons' messages; its currents must make the silent 'drive'
    population fire while the window holds spikes; 3 values for the 10-neuron 'drive'
    must fail the call with a message naming 'drive', and the node must go on.
    """
    from rosgraph_msgs.msg import Clock
    from std_msgs.msg import Int64MultiArray

    from neurobot_interfaces.msg import PopulationSpikes
    from neurobot_interfaces.srv import DescribeBrain
    from ros_helpers import clock

    brain = NodeProcess('brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
                        '-p', 'use_sim_time:=true', '-p', 'step_ms:=20.0', '-p', 'seed:=1',
                        log_dir=tmp_path)
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TFS / "mapped.py"}]',
                     '-p', 'use_sim_time:=true', log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        neurons, drive, windows = [], [], []
        client.node.create_subscription(PopulationSpikes, 'brain/neurons/spikes',
                                        neurons.append, 100)
        client.node.create_subscription(PopulationSpikes, 'brain/drive/spikes', drive.append,
                                        100)
        client.node.create_subscription(Int64MultiArray, 'mapped/window_counts',
                                        windows.append, 100)
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        # tf_node has the population sizes (its describe_brain check passed)
        assert client.spin_until(lambda: 'has what the transfer functions need'
                                 in tf.output(), 30), tf.output()
        clock_pub = client.node.create_publisher(Clock, '/clock', 100)
        bad = client.node.create_publisher(String, 'bad_length', 10)
        assert client.spin_until(lambda: clock_pub.get_subscription_count() >= 2
                                 and bad.get_subscription_count() > 0, 20)
        clock_pub.publish(clock(0))  # anchors the brain's step grid
        client.spin_for(0.3)
        steps = 12
        for k in range(1, steps + 1):
            clock_pub.publish(clock(k * 20 * MS))
            assert client.spin_until(lambda: len(windows) >= k and len(neurons) >= k, 20), \
                (brain.output()[-2000:], tf.output()[-2000:])
            client.spin_for(0.05)  # the current reaches the brain before the next step
        by_step = {m.step: np.asarray(m.counts, dtype=np.int64) for m in neurons}
        for k, window in enumerate(windows[:steps]):
            expected = by_step[k] + (by_step[k - 1] if k else 0)
            assert list(window.data) == expected.tolist(), f'window after step {k}'
        # 'drive' gets no input but the function's current, which follows the window: it
        # fires after windows with spikes and falls silent after empty ones (the stimulus
        # acts from the next step, or one later if it reached the brain after the /clock)
        drive_spikes = [sum(m.counts) for m in sorted(drive, key=lambda m: m.step)]
        held = [sum(w.data) > 0 for w in windows[:steps]]
        assert drive_spikes[0] == 0
        assert any(held) and not all(held), held  # the test brain falls silent after 100 ms
        for k in range(2, steps):
            if held[k - 1] and held[k - 2]:
                assert drive_spikes[k] > 0, (k, drive_spikes, held)
            if not held[k - 1] and not held[k - 2]:
                assert drive_spikes[k] == 0, (k, drive_spikes, held)

        bad.publish(String(data='three values for ten neurons'))
        message = "wrong_length returned output 'drive': population 'drive' has 10 neurons"
        assert client.spin_until(lambda: message in tf.output(), 20), tf.output()
        assert tf.alive()
        assert 'mapped transfer functions set up' in tf.output()
        clock_pub.publish(clock((steps + 1) * 20 * MS))
        assert client.spin_until(lambda: len(windows) > steps, 20)  # still running
    finally:
        client.close()
        assert tf.stop() == 0, tf.output()
        assert brain.stop() == 0, brain.output()


FAILING_SETUP = '''
from std_msgs.msg import Int64
from tf_nodes.api import Input, transfer_function


def start(params):
    params['maze']  # a parameter the user forgot


@transfer_function(inputs={'go': Input('go', Int64)}, setup=start)
def needs_a_maze(go):
    pass
'''


def test_a_failing_setup_ends_the_run_with_its_error(ros_domain, tmp_path):
    tfs = tmp_path / 'failing_setup.py'
    tfs.write_text(FAILING_SETUP)
    process = NodeProcess('tf_node', '-p', f'transfer_functions:=[{tfs}]', log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        go = client.node.create_publisher(Int64, 'go', 10)
        wait_for_subscriber(client, go)
        go.publish(Int64(data=1))
        assert process.wait(20) == 4
        output = process.output()
        assert 'the setup of transfer function needs_a_maze failed; the run stops' in output
        assert "KeyError: 'maze'" in output
    finally:
        client.close()
        process.stop()


SPIKE_SOURCE_BRAIN = '''
import pyNN.nest as sim
stim = sim.Population(4, sim.SpikeSourceArray(spike_times=[]), label='stim')
cells = sim.Population(4, sim.IF_curr_exp(), label='cells')
stim_to_cells = sim.Projection(stim, cells, sim.OneToOneConnector(),
                               sim.StaticSynapse(weight=0.5, delay=1.0))
stim.record('spikes')
'''


def test_spike_trains_make_a_spike_source_fire_at_the_times_returned(ros_domain, tmp_path):
    """A SpikeTrains output makes the population fire at the times returned.

    An index outside the population is refused, naming it, and the node goes on.
    """
    from rosgraph_msgs.msg import Clock

    from neurobot_interfaces.msg import PopulationSpikes
    from neurobot_interfaces.srv import DescribeBrain
    from ros_helpers import clock

    brain_file = tmp_path / 'spike_source.py'
    brain_file.write_text(SPIKE_SOURCE_BRAIN)
    brain = NodeProcess('brain_node', '-p', f'brain:={brain_file}', '-p', 'use_sim_time:=true',
                        '-p', 'step_ms:=20.0', log_dir=tmp_path)
    tf = NodeProcess('tf_node', '-p', f'transfer_functions:=[{TFS / "spike_trains.py"}]',
                     log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        stim = []
        client.node.create_subscription(PopulationSpikes, 'brain/stim/spikes', stim.append, 100)
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        assert client.spin_until(lambda: 'has what the transfer functions need'
                                 in tf.output(), 30), tf.output()
        tick = client.node.create_publisher(Clock, '/clock', 100)
        fire = client.node.create_publisher(Int64, 'fire', 10)
        assert client.spin_until(lambda: tick.get_subscription_count() > 0
                                 and fire.get_subscription_count() > 0, 20)
        tick.publish(clock(0))
        client.spin_for(0.3)
        fire.publish(Int64(data=2))
        client.spin_for(0.5)  # tf_node -> brain_node, queued for the next step
        tick.publish(clock(20 * MS))
        assert client.spin_until(lambda: len(stim) == 1, 20), brain.output()
        assert list(zip(stim[0].spike_neurons, np.round(stim[0].spike_times_ms, 6))) == \
            [(2, 5.0)]
        fire.publish(Int64(data=4))  # 'stim' has 4 neurons: refused
        message = ("fire_one returned output 'stim': population 'stim' has 4 neurons; "
                   "expected whole neuron indices in [0, 4), got 4 to 4")
        assert client.spin_until(lambda: message in tf.output(), 20), tf.output()
        tick.publish(clock(40 * MS))
        assert client.spin_until(lambda: len(stim) == 2, 20)
        assert list(stim[1].spike_neurons) == [] and tf.alive()
    finally:
        client.close()
        assert tf.stop() == 0, tf.output()
        assert brain.stop() == 0, brain.output()
