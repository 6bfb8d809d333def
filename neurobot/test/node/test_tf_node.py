"""Node tests of tf_node: a real tf_node process over DDS, driven from this process."""

from pathlib import Path

import pytest
from rosgraph_msgs.msg import Clock
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


def test_throttled_function_runs_exactly_ten_times_per_simulated_second(tf_node):
    process, client = tf_node
    counted = []
    client.node.create_subscription(Int64, 'counted', counted.append, 100)
    clock = client.node.create_publisher(Clock, '/clock', 10)
    ticks = client.node.create_publisher(Int64, 'ticks', 100)
    other = client.node.create_publisher(String, 'other', 10)
    wait_for_subscriber(client, ticks)
    wait_for_subscriber(client, other)
    for k in range(5):
        other.publish(String(data='never a trigger'))
    client.spin_for(0.5)
    assert counted == []  # an untriggered input never fires the function
    msg = Clock()
    for k in range(200):  # 100 Hz of simulated time for 2 s
        t = k * 10 * MS
        msg.clock.sec, msg.clock.nanosec = t // 1_000_000_000, t % 1_000_000_000
        clock.publish(msg)
        client.spin_for(0.003)
        ticks.publish(Int64(data=k))
        client.spin_for(0.003)
    assert client.spin_until(lambda: len(counted) >= 20, 5)
    client.spin_for(0.5)
    assert [m.data for m in counted] == list(range(1, 21))


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
