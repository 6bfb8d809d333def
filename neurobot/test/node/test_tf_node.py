"""Node tests of tf_node: a real tf_node process over DDS, driven from this process."""

from pathlib import Path
import time

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
        end = time.monotonic() + 20
        while 'call 2' not in process.output() and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.5)
        client.node.destroy_service(silent)
        end = time.monotonic() + 20
        while 'service error 2' not in process.output() and time.monotonic() < end:
            time.sleep(0.1)
        output = process.output()
        assert 'service error 2: service reset_world went away before answering' in output, \
            output
        assert process.alive()
    finally:
        client.close()
        assert process.stop() == 0, process.output()
    assert 'reset_the_world: 2 calls, 2 failed' in process.output()
