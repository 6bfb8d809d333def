"""Node tests: world_node as its own process, driven over real DDS from this process.

The world runs in stepped (lockstep) mode unless a test says otherwise, so every
message is caused by an advance_world call and its stamps are known exactly. The
physics core has its own unit tests (test/unit/test_world.py); these check the ROS
surface: topics, stamps, frames, services and what bad requests do.
"""

import math
import time

import numpy as np
import pytest
from geometry_msgs.msg import PoseStamped, Twist
from nav_msgs.msg import Odometry
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import LaserScan

from neurobot.paths import share_path
from neurobot.world.maze import Maze
from neurobot.world.world import World
from neurobot_interfaces.msg import Contacts
from neurobot_interfaces.srv import AdvanceWorld, PlaceRobot, RenderWorld, ResetWorld
from ros_helpers import NodeProcess, RosClient

pytestmark = pytest.mark.node

MS = 1_000_000  # ns
DEFAULT_MAZE_FILE = share_path('experiments', 'maze', 'mazes', 'default.yaml')
MAZE = Maze.from_yaml(DEFAULT_MAZE_FILE)
SENSOR_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.BEST_EFFORT)
RELIABLE_QOS = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
READY_LINE = "world]: maze 'default'"  # logged when the node (/world) is up


def stamp_ns(stamp):
    return stamp.sec * 1_000_000_000 + stamp.nanosec


class Recorder:
    def __init__(self, client, msg_type, topic, qos=SENSOR_QOS):
        self.messages = []
        client.node.create_subscription(msg_type, topic, self.messages.append, qos)


class WorldProcess:
    """A world_node process plus a client with recorders on every output topic."""

    def __init__(self, domain, log_dir, *params, name='world_node', namespace=None):
        # the world's walls: the default maze unless the test gives one
        if not any(p.startswith('maze:=') for p in params):
            params = (f'maze:={DEFAULT_MAZE_FILE}', *params)
        args = [arg for p in params for arg in ('-p', p)]
        if namespace:
            args += ['-r', f'__ns:={namespace}']
        self.process = NodeProcess('world_node', *args, log_dir=log_dir, name=name)
        # The client joins once the world is up: when it joins first, DDS discovery of
        # the world often waits for the next periodic announcement (about 3 s).
        if not self.process.wait_for_text(READY_LINE, timeout=60, step=0.02):
            self.process.stop()  # never leave a stray world behind
            pytest.fail(f'world_node did not start:\n{self.process.log_path.read_text()}')
        self.client = RosClient(domain, name=f'client_{name}')
        self.prefix = f'{namespace}/' if namespace else ''
        self.clock = Recorder(self.client, Clock, '/clock', RELIABLE_QOS)
        self.odom = Recorder(self.client, Odometry, self.prefix + 'odom')
        self.scan = Recorder(self.client, LaserScan, self.prefix + 'scan')
        self.truth = Recorder(self.client, PoseStamped, self.prefix + 'ground_truth/pose')
        self.contacts = Recorder(self.client, Contacts, self.prefix + 'contacts', RELIABLE_QOS)
        self.cmd = self.client.node.create_publisher(Twist, self.prefix + 'cmd_vel', 10)

    def call(self, srv_type, name, timeout=30.0, **fields):
        return self.client.call(srv_type, self.prefix + name, srv_type.Request(**fields),
                                timeout=timeout)

    def advance(self, duration_ms):
        """Advance and wait for the sensors published at the end of it."""
        recorders = (self.odom, self.scan, self.truth, self.contacts)
        count = [len(r.messages) for r in recorders]
        response = self.call(AdvanceWorld, 'advance_world', duration_ms=float(duration_ms))
        assert response.success, response.message
        end = stamp_ns(response.clock)
        for recorder, before in zip(recorders, count):
            assert self.client.spin_until(
                lambda r=recorder, b=before: len(r.messages) > b
                and stamp_ns(r.messages[-1].header.stamp) == end, 10), 'sensors not received'
        return response

    def warm_up(self):
        """Wait until every topic is matched both ways, then return the clock to 0."""
        self.call(ResetWorld, 'reset_world', timeout=60)
        recorders = (self.clock, self.odom, self.scan, self.truth, self.contacts)
        end = time.monotonic() + 20
        while not all(r.messages for r in recorders) and time.monotonic() < end:
            self.call(AdvanceWorld, 'advance_world', duration_ms=2.0)
            self.client.spin_for(0.05)
        assert all(r.messages for r in recorders), 'world topics never arrived'
        assert self.client.spin_until(lambda: self.cmd.get_subscription_count() > 0, 10)
        assert self.call(ResetWorld, 'reset_world', reset_clock=True).success
        self.client.spin_for(0.1)
        for r in recorders:
            r.messages.clear()

    def drive(self, vx=0.0, vy=0.0, wz=0.0):
        """Send a command while the world is paused and give it time to arrive."""
        msg = Twist()
        msg.linear.x, msg.linear.y, msg.angular.z = float(vx), float(vy), float(wz)
        self.cmd.publish(msg)
        self.client.spin_for(0.3)

    def pose(self):
        p = self.truth.messages[-1].pose
        return p.position.x, p.position.y, 2.0 * math.atan2(p.orientation.z, p.orientation.w)

    def close(self):
        self.client.close()
        return self.process.stop()


@pytest.fixture
def world(ros_domain, tmp_path):
    """world_node in stepped mode (sensors every 20 ms), warmed up, clock back at 0."""
    w = WorldProcess(ros_domain, tmp_path, 'stepped:=true', 'seed:=3')
    w.warm_up()
    yield w
    assert w.close() == 0, w.process.output()


def test_advance_publishes_clock_and_sensors_stamped_with_sim_time(world):
    response = world.advance(100)
    assert stamp_ns(response.clock) == 100 * MS and response.compute_ms > 0
    assert world.client.spin_until(lambda: len(world.contacts.messages) == 5, 5)
    world.client.spin_for(0.2)
    assert [stamp_ns(m.clock) for m in world.clock.messages] == [100 * MS]
    for recorder in (world.odom, world.scan, world.truth, world.contacts):
        assert [stamp_ns(m.header.stamp) for m in recorder.messages] == [
            20 * MS, 40 * MS, 60 * MS, 80 * MS, 100 * MS]
    odom, scan = world.odom.messages[-1], world.scan.messages[-1]
    assert (odom.header.frame_id, odom.child_frame_id) == ('odom', 'base_link')
    assert world.truth.messages[-1].header.frame_id == 'map'
    assert scan.header.frame_id == 'laser_link' and len(scan.ranges) == 360
    assert scan.angle_min == np.float32(-math.pi)  # float32 fields
    assert scan.angle_increment == pytest.approx(2 * math.pi / 360)
    assert scan.angle_max == pytest.approx(math.pi - 2 * math.pi / 360)
    assert scan.range_max == 10.0 and scan.range_min == 0.0
    # A second advance continues the clock from where it stopped.
    assert stamp_ns(world.advance(30).clock) == 130 * MS


def test_cmd_vel_moves_the_robot_at_the_commanded_speed(world):
    assert world.call(PlaceRobot, 'place_robot', row=4, col=0, yaw_rad=0.0).success
    world.drive(vx=0.3)
    world.advance(200)  # reach the commanded speed
    x0, y0, _ = world.pose()
    world.advance(1000)
    x1, y1, yaw = world.pose()
    assert x1 - x0 == pytest.approx(0.3, rel=0.05)
    assert abs(y1 - y0) < 1e-6 and abs(yaw) < 1e-6
    odom = world.odom.messages[-1]
    assert odom.twist.twist.linear.x == pytest.approx(0.3, rel=0.05)
    assert odom.pose.pose.position.x == x1 and odom.pose.pose.position.y == y1
    assert not any(m.touched for m in world.contacts.messages)
    # Holonomic: sideways (body y) is north when facing east.
    world.drive(vy=0.3)
    world.advance(200)
    assert world.pose()[1] > y1 + 0.03


def test_bad_commands_are_rejected_or_clamped_and_logged(world):
    assert world.call(PlaceRobot, 'place_robot', row=4, col=2).success
    world.drive(vx=0.2)
    world.advance(200)
    world.drive(vx=math.nan)
    world.drive(vx=0.0, wz=-math.inf)
    world.advance(200)
    # Rejected: the previous command stays in force, the state stays finite.
    assert world.odom.messages[-1].twist.twist.linear.x == pytest.approx(0.2, rel=0.05)
    assert all(math.isfinite(v) for v in world.pose())
    assert world.client.spin_until(lambda: 'rejected' in world.process.output(), 5)
    world.drive(vx=1e9, vy=-1e300, wz=1e9)
    world.advance(200)
    twist = world.odom.messages[-1].twist.twist
    assert math.hypot(twist.linear.x, twist.linear.y) <= 1.0 * 1.05
    assert world.client.spin_until(lambda: 'clamped' in world.process.output(), 5)
    assert world.process.alive()
    assert 'Traceback' not in world.process.output()


def test_place_robot_puts_ground_truth_exactly_at_the_cell_centre(world):
    world.drive(vx=0.5, wz=1.0)
    world.advance(300)
    response = world.call(PlaceRobot, 'place_robot', row=1, col=3, yaw_rad=0.7)
    assert response.success, response.message
    x, y = MAZE.cell_to_world((1, 3))
    assert (response.row, response.col, response.x_m, response.y_m) == (1, 3, x, y)
    world.advance(20)  # at rest with a zero command: it must not move
    truth = world.truth.messages[-1].pose
    assert (truth.position.x, truth.position.y) == (x, y)
    assert (truth.orientation.z, truth.orientation.w) == (math.sin(0.35), math.cos(0.35))
    assert world.odom.messages[-1].twist.twist.linear.x == 0.0


def test_bad_placements_fail_with_a_message_and_move_nothing(world):
    assert world.call(PlaceRobot, 'place_robot', row=0, col=4).success
    for fields, expected in ((dict(row=5, col=0), 'row 0-4, col 0-4'),
                             (dict(row=-1, col=2), 'outside the 5x5 grid'),
                             (dict(row=2, col=2, yaw_rad=math.nan), 'finite'),
                             (dict(random=True, yaw_rad=math.inf), 'finite')):
        response = world.call(PlaceRobot, 'place_robot', **fields)
        assert not response.success and expected in response.message, response.message
    world.advance(2)
    assert world.pose()[:2] == MAZE.cell_to_world((0, 4))
    assert world.process.alive()


def test_random_placement_repeats_with_the_seed_in_separate_processes(ros_domain, tmp_path):
    worlds = []
    try:
        for n in 'ab':
            worlds.append(WorldProcess(ros_domain, tmp_path, 'stepped:=true', 'seed:=7',
                                       name=f'world_{n}', namespace=f'/w{n}'))
        sequences = []
        for w in worlds:
            cells = []
            for _ in range(8):
                response = w.call(PlaceRobot, 'place_robot', timeout=60, random=True)
                assert response.success, response.message
                assert (response.x_m, response.y_m) == MAZE.cell_to_world(
                    (response.row, response.col))
                cells.append((response.row, response.col))
            sequences.append(cells)
        assert sequences[0] == sequences[1]
        assert set(sequences[0]) <= set(MAZE.start_cells) and len(set(sequences[0])) > 1
    finally:
        for w in worlds:
            assert w.close() == 0, w.process.output()


def run_episode(world):
    """A fixed command sequence; returns the ground-truth poses and contact counts."""
    poses = []
    for cmd in ((0.6, 0.2, 1.0), (1.0, -0.5, -2.0), (-0.3, 0.8, 0.5)):
        world.drive(*cmd)
        world.advance(300)
        poses.append(world.pose())
    return poses, sum(m.steps_in_contact for m in world.contacts.messages)


def test_reset_restores_the_start_state_and_replays_exactly(world):
    first, first_contacts = run_episode(world)
    clock_before = stamp_ns(world.clock.messages[-1].clock)
    assert world.call(ResetWorld, 'reset_world').success
    world.contacts.messages.clear()
    world.advance(2)
    assert world.pose() == (*MAZE.cell_to_world(MAZE.start_cells[0]), 0.0)
    assert stamp_ns(world.clock.messages[-1].clock) == clock_before + 2 * MS  # no jump back
    world.contacts.messages.clear()
    replay, replay_contacts = run_episode(world)
    assert replay == first and replay_contacts == first_contacts
    response = world.call(ResetWorld, 'reset_world', reset_clock=True)
    assert response.success, response.message
    assert stamp_ns(world.advance(20).clock) == 20 * MS


def test_scan_message_equals_the_core_scan_at_the_same_pose(world):
    assert world.call(PlaceRobot, 'place_robot', row=2, col=4, yaw_rad=0.3).success
    world.advance(2)
    core = World(MAZE, scan_beams=360)
    core.place_robot((2, 4), yaw_rad=0.3)
    core.step(2.0)
    assert world.pose()[:2] == core.pose()[:2]
    ranges = np.asarray(world.scan.messages[-1].ranges)
    np.testing.assert_array_equal(ranges, core.scan().astype(np.float32))
    assert np.isfinite(ranges).all()  # closed maze: every beam hits a wall within 10 m
    # Beam 180 points straight ahead, 0.3 rad left of east: the east border's inner face
    # is half a cell minus half a wall away.
    assert ranges[180] == pytest.approx((0.3 - 0.025) / math.cos(0.3), abs=1e-3)


def test_render_world_writes_a_png(world, tmp_path):
    world.drive(vx=0.4, vy=0.2)
    world.advance(600)
    path = tmp_path / 'pictures' / 'world.png'
    response = world.call(RenderWorld, 'render_world', path=str(path))
    assert response.success and str(path) in response.message, response.message
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    response = world.call(RenderWorld, 'render_world', path=str(tmp_path / 'world.jpg'))
    assert not response.success and '.png' in response.message


def test_bad_advance_durations_fail_with_a_message_and_change_nothing(world):
    world.advance(10)
    for duration, expected in ((3.0, 'multiple of the physics step 2 ms'), (0.0, 'positive'),
                               (-2.0, 'positive'), (math.nan, 'multiple'), (math.inf, 'multiple'),
                               (1e12, 'at most')):
        response = world.call(AdvanceWorld, 'advance_world', duration_ms=duration)
        assert not response.success and expected in response.message, response.message
    assert stamp_ns(world.advance(10).clock) == 20 * MS
    assert world.process.alive()


def test_free_running_world_keeps_time_and_refuses_advance(ros_domain, tmp_path):
    w = WorldProcess(ros_domain, tmp_path, 'real_time_factor:=1', 'clock_period_ms:=10')
    try:
        assert w.client.spin_until(lambda: len(w.clock.messages) > 0, 60)
        w.client.spin_for(0.3)  # settle: take whatever was queued at start
        start_wall, start_clock = time.monotonic(), stamp_ns(w.clock.messages[-1].clock)
        w.client.spin_for(1.5)
        sim_s = (stamp_ns(w.clock.messages[-1].clock) - start_clock) / 1e9
        wall_s = time.monotonic() - start_wall
        assert sim_s == pytest.approx(wall_s, rel=0.2)  # real time, give or take a busy CPU
        stamps = [stamp_ns(m.clock) for m in w.clock.messages]
        assert all(b - a == 10 * MS for a, b in zip(stamps, stamps[1:]))
        response = w.call(AdvanceWorld, 'advance_world', duration_ms=20.0)
        assert not response.success and 'stepped' in response.message

        def set_factor(**value):
            request = SetParameters.Request(parameters=[Parameter(
                name='real_time_factor', value=ParameterValue(**value))])
            return w.client.call(SetParameters, 'world/set_parameters', request).results[0]

        assert not set_factor(type=ParameterType.PARAMETER_DOUBLE, double_value=-1.0).successful
        result = set_factor(type=ParameterType.PARAMETER_STRING, string_value='fast')
        assert not result.successful and 'expected a finite number >= 0' in result.reason
        # 0 = as fast as possible (an int is accepted): far faster than real time.
        assert set_factor(type=ParameterType.PARAMETER_INTEGER, integer_value=0).successful
        w.client.spin_for(0.2)
        start_wall, start_clock = time.monotonic(), stamp_ns(w.clock.messages[-1].clock)
        w.client.spin_for(1.0)
        sim_s = (stamp_ns(w.clock.messages[-1].clock) - start_clock) / 1e9
        assert sim_s > 3 * (time.monotonic() - start_wall)
        assert w.process.alive()
    finally:
        assert w.close() == 0, w.process.output()


def test_bad_start_parameters_stop_the_node_with_the_reason(ros_domain, tmp_path):
    process = NodeProcess('world_node', '-p', f'maze:={DEFAULT_MAZE_FILE}',
                          '-p', 'physics_dt_ms:=0.0', log_dir=tmp_path)
    assert process.wait(60) != 0
    assert 'physics_dt_ms: expected a positive finite number' in process.output()
    process = NodeProcess('world_node', log_dir=tmp_path, name='no_maze')
    assert process.wait(60) != 0
    assert 'parameter maze is empty: give the maze YAML file' in process.output()
    process = NodeProcess('world_node', '-p', f'maze:={tmp_path / "missing.yaml"}',
                          log_dir=tmp_path, name='missing_maze')
    assert process.wait(60) != 0
    assert 'missing.yaml: cannot read maze file' in process.output()
