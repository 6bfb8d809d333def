"""Fault injection: a real-robot bring-up whose odometry never arrives, or stops.

The maze transfer function declares ``odom`` required and a zero ``Twist`` as the safe
``cmd_vel``: without fresh odometry nothing may move the robot, and the log must say
which topic it waits for, after remapping, again and again on the wall clock.
"""

import signal
import time

import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry

from fault_run import SMALL_MAZE, Bringup
from neurobot import qos
from ros_helpers import RosClient

pytestmark = [pytest.mark.node, pytest.mark.slow]

ROBOT_FILE = """
remappings:
  cmd_vel: /robot1/cmd_vel
  odom: /robot1/odom
  scan: /robot1/scan
maze_origin_in_odom: [0.0, 0.0, 0.0]
speed_mps: 1.0
"""
WAITING = 'waiting for odom on /robot1/odom (remapped from odom) \u2014 is the driver running?'


def moving(twist: Twist) -> bool:
    return any(abs(v) > 0.0 for v in (twist.linear.x, twist.linear.y, twist.angular.z))


def real_robot_bringup(tmp_path, *extra):
    robot_file = tmp_path / 'robot.yaml'
    robot_file.write_text(ROBOT_FILE)
    return Bringup(tmp_path, 'use_sim_time:=false', f'robot:={robot_file}',
                   f'maze:={SMALL_MAZE}', 'episodes:=50', f'run_dir:={tmp_path / "run"}',
                   'monitoring:=false', *extra)


def stop_and_check(bringup, client):
    client.close()
    bringup.process.send_signal(signal.SIGINT)
    start = time.monotonic()
    assert bringup.wait(10) == 0, bringup.output()[-3000:]
    assert time.monotonic() - start < 5.0, 'Ctrl-C took longer than 5 s'
    bringup.assert_nothing_left()


def test_without_odometry_the_robot_gets_only_stop_commands_and_the_log_says_why(
        ros_domain, tmp_path):
    client = RosClient(ros_domain)
    commands = []
    client.node.create_subscription(Twist, '/robot1/cmd_vel', commands.append, qos.RELIABLE)
    bringup = real_robot_bringup(tmp_path)
    try:
        bringup.wait_for_nodes(['brain', 'tf_node'])
        # repeated on the wall clock: the first after ~2 s, then every 5 s
        assert bringup.wait_for(lambda: bringup.output().count(WAITING) >= 2, 40), \
            bringup.output()[-3000:]
        client.spin_for(1.0)
        assert commands, 'no stop commands on /robot1/cmd_vel'
        assert not any(moving(c) for c in commands), 'a motion command without odometry'
        stop_and_check(bringup, client)
        assert 'maze_experiment: 0 calls' in bringup.output()
    finally:
        bringup.close()


def test_odometry_that_stops_stops_the_robot_within_the_input_timeout(ros_domain, tmp_path):
    client = RosClient(ros_domain)
    commands = []  # (wall time, twist)
    client.node.create_subscription(
        Twist, '/robot1/cmd_vel', lambda msg: commands.append((time.monotonic(), msg)),
        qos.RELIABLE)
    odom_pub = client.node.create_publisher(Odometry, '/robot1/odom', qos.SENSOR)
    bringup = real_robot_bringup(tmp_path, 'input_timeout_s:=0.5')
    try:
        bringup.wait_for_nodes(['brain', 'tf_node'])
        assert bringup.wait_for_text('on wall-clock time', 60), bringup.output()[-3000:]
        odom = Odometry()
        odom.pose.pose.position.x = odom.pose.pose.position.y = 0.1  # in cell (0, 0)
        odom.pose.pose.orientation.w = 1.0
        end = time.monotonic() + 6.0  # a standing robot: the agent commands moves
        while time.monotonic() < end:
            odom_pub.publish(odom)
            client.spin_for(0.05)
        assert any(moving(c) for _, c in commands), 'the agent never moved with odometry'
        silent_since = time.monotonic()
        client.spin_for(3.0)
        late = [c for t, c in commands if t > silent_since + 0.5 + 0.5]
        assert late and not any(moving(c) for c in late), \
            'motion commands after the odometry went stale'
        assert 'odom on /robot1/odom (remapped from odom) is stale' in bringup.output()
        stop_and_check(bringup, client)
    finally:
        bringup.close()
