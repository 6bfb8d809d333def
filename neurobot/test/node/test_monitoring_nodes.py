"""Node tests of the monitoring nodes.

spike_raster, maze_markers and the brain-step diagnostics of lockstep_monitor, each as
its own process next to a real brain_node (or messages this test publishes), checked
over real DDS against what the test received.
"""

import math

import numpy as np
import pytest
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import Image, LaserScan
from std_msgs.msg import Float64
from visualization_msgs.msg import Marker, MarkerArray

from neurobot.monitoring import markers as core
from neurobot.paths import share_path
from neurobot.world.maze import Maze
from neurobot_interfaces.msg import PopulationSpikes
from neurobot_interfaces.srv import DescribeBrain
from ros_helpers import NodeProcess, RosClient, clock

pytestmark = pytest.mark.node

MS = 1_000_000  # ns
STEP_MS = 20.0
WINDOW_MS = 100.0
PERIOD_MS = 40.0
MAZE_FILE = share_path('experiments', 'maze', 'mazes', 'default.yaml')
MAZE = Maze.from_yaml(MAZE_FILE)
# what rviz asks for (config/neurobot.rviz): also gets the arrays sent before it matched
LATE_JOINER = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)


def stamp_ms(stamp):
    return stamp.sec * 1000 + stamp.nanosec / MS


def wait_for_subscribers(client, topic, count, timeout=30.0):
    assert client.spin_until(lambda: client.node.count_subscribers(topic) >= count, timeout), \
        f'{topic}: fewer than {count} subscribers after {timeout} s'


class Recorder:
    def __init__(self, client, msg_type, topic, qos_profile=100):
        self.messages = []
        client.node.create_subscription(msg_type, topic, self.messages.append, qos_profile)


@pytest.fixture
def client(ros_domain):
    client = RosClient(ros_domain)
    yield client
    client.close()


@pytest.fixture
def processes():
    started = []
    yield started
    for process in started:
        assert process.stop() == 0, process.output()


def expected_raster(messages_by_population, end_ms):
    """The raster image built by hand from the spikes the test received."""
    sizes = [len(msgs[0].counts) for msgs in messages_by_population]
    image = np.zeros((sum(sizes) + len(sizes) - 1, int(WINDOW_MS)), dtype=np.uint8)
    first_row = 0
    for size, msgs in zip(sizes, messages_by_population):
        for msg in msgs:
            for neuron, t in zip(msg.spike_neurons, msg.spike_times_ms):
                if end_ms - WINDOW_MS < t <= end_ms:  # 1 ms bins, (start, end]
                    column = math.ceil(round(t - (end_ms - WINDOW_MS), 6)) - 1
                    image[first_row + neuron, column] = 255
        if first_row + size < image.shape[0]:
            image[first_row + size] = 64  # the grey row between populations
        first_row += size + 1
    return image


def test_raster_image_and_rates_match_the_brains_spikes(client, processes, brains_dir, tmp_path):
    processes.append(NodeProcess(
        'brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
        '-p', 'use_sim_time:=true', '-p', f'step_ms:={STEP_MS}', log_dir=tmp_path))
    processes.append(NodeProcess(
        'spike_raster', '-p', 'populations:=[neurons, stimulus]', '-p', f'window_ms:={WINDOW_MS}',
        '-p', 'bin_ms:=1.0', '-p', f'period_ms:={PERIOD_MS}', log_dir=tmp_path))
    client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
    neurons = Recorder(client, PopulationSpikes, 'brain/neurons/spikes')
    stimulus = Recorder(client, PopulationSpikes, 'brain/stimulus/spikes')
    rates = Recorder(client, Float64, 'brain/neurons/rate_hz')
    images = Recorder(client, Image, 'brain/raster')
    wait_for_subscribers(client, 'brain/neurons/spikes', 2)  # this test and spike_raster
    wait_for_subscribers(client, 'brain/stimulus/spikes', 2)
    assert client.spin_until(lambda: client.node.count_publishers('brain/raster') == 1, 30)
    client.spin_for(0.5)
    pub = client.node.create_publisher(Clock, '/clock', 100)
    # brain_node must hear every tick: under load discovery of this publisher can take
    # longer than a fixed pause (a lost first tick failed the run once)
    assert client.spin_until(lambda: pub.get_subscription_count() >= 1, 30)
    client.spin_for(0.5)
    for t_ms in range(0, 201, int(STEP_MS)):  # ten steps
        pub.publish(clock(t_ms * MS))
    assert client.spin_until(lambda: len(images.messages) == 6 and len(rates.messages) == 10, 30)

    stamps = [stamp_ms(m.header.stamp) for m in images.messages]
    assert stamps == [20.0, 40.0, 80.0, 120.0, 160.0, 200.0]  # first data, then every 40 ms
    spiked = 0
    for image, end_ms in zip(images.messages, stamps):
        assert (image.encoding, image.width, image.height, image.step) == ('mono8', 100, 81, 100)
        pixels = np.frombuffer(bytes(image.data), dtype=np.uint8).reshape(81, 100)
        expected = expected_raster([neurons.messages, stimulus.messages], end_ms)
        np.testing.assert_array_equal(pixels, expected, err_msg=f'image at {end_ms} ms')
        spiked += int((pixels == 255).sum())
    assert spiked > 50  # the images do show spikes

    # rqt_plot's rates: spikes of the step / neurons / step length
    assert [m.data for m in rates.messages] == pytest.approx(
        [sum(m.counts) / (60 * STEP_MS / 1e3) for m in neurons.messages], rel=1e-12)
    assert max(m.data for m in rates.messages) > 0


def places_message(counts, end_ms, step_ms=200.0):
    msg = PopulationSpikes()
    msg.header.stamp.sec, msg.header.stamp.nanosec = int(end_ms // 1000), int(end_ms % 1000) * MS
    msg.population, msg.step_ms = 'places', step_ms
    msg.counts = [int(c) for c in counts]
    msg.spike_neurons = [n for n, c in enumerate(counts) for _ in range(int(c))]
    msg.spike_times_ms = [end_ms - step_ms / 2] * len(msg.spike_neurons)
    return msg


def pose_message(t_s, x, y, yaw):
    msg = PoseStamped()
    msg.header.frame_id = 'map'
    msg.header.stamp.sec, msg.header.stamp.nanosec = int(t_s), int(round(t_s % 1 * 1e9))
    msg.pose.position.x, msg.pose.position.y = x, y
    msg.pose.orientation.z, msg.pose.orientation.w = math.sin(yaw / 2), math.cos(yaw / 2)
    return msg


def markers_of(arrays):
    """(namespace, id) -> the newest Marker over all received arrays."""
    latest = {}
    for array in arrays:
        for marker in array.markers:
            latest[(marker.ns, marker.id)] = marker
    return latest


def test_markers_show_maze_robot_path_scan_and_place_activity(client, processes, tmp_path):
    processes.append(NodeProcess('maze_markers', '-p', f'maze:={MAZE_FILE}', log_dir=tmp_path))
    pose_pub = client.node.create_publisher(PoseStamped, 'ground_truth/pose', 10)
    scan_pub = client.node.create_publisher(LaserScan, 'scan', 10)
    places_pub = client.node.create_publisher(PopulationSpikes, 'brain/places/spikes', 10)
    for topic in ('ground_truth/pose', 'scan', 'brain/places/spikes'):
        wait_for_subscribers(client, topic, 1)
    client.spin_for(0.5)

    # best effort: send the first pose until it is drawn (a repeat adds no trajectory point)
    early = Recorder(client, MarkerArray, 'maze/markers', LATE_JOINER).messages
    for _ in range(20):
        pose_pub.publish(pose_message(0.2, 0.3, 0.3, 0.5))
        if client.spin_until(lambda: ('robot', 0) in markers_of(early), 0.5):
            break
    client.spin_for(0.5)
    # a late rviz (transient local, depth >= 2) still gets the walls, start cells and goal
    # and the latest robot: two publishers, each keeps its last array for late joiners
    arrays = Recorder(client, MarkerArray, 'maze/markers', LATE_JOINER).messages
    assert client.spin_until(lambda: len(arrays) == 2, 30)
    static = markers_of(arrays)
    walls = [k for k in static if k[0] == 'walls']
    assert len(walls) == len(MAZE.wall_boxes())
    assert all(m.header.frame_id == 'map' for m in static.values())
    assert ('robot', 0) in static
    goal = static[('goal', 0)].pose.position
    assert (goal.x, goal.y) == pytest.approx(MAZE.cell_to_world(MAZE.goal_cell))
    assert len([k for k in static if k[0] == 'start_cells']) == len(MAZE.start_cells)

    robot = markers_of(arrays)[('robot', 0)]
    assert (robot.pose.position.x, robot.pose.position.y) == pytest.approx((0.3, 0.3))
    assert 2 * math.atan2(robot.pose.orientation.z, robot.pose.orientation.w) == \
        pytest.approx(0.5)
    assert stamp_ms(robot.header.stamp) == pytest.approx(200.0)

    pose_pub.publish(pose_message(0.4, 0.5, 0.3, 0.5))  # driving at 1 m/s
    assert client.spin_until(
        lambda: markers_of(arrays)[('trajectory', 0)].action == Marker.ADD, 10)
    line = markers_of(arrays)[('trajectory', 0)]
    np.testing.assert_allclose([(p.x, p.y) for p in line.points], [(0.3, 0.3), (0.5, 0.3)])

    scan = LaserScan(angle_min=-math.pi, angle_increment=math.pi / 2, range_min=0.05,
                     range_max=10.0, ranges=[0.25, float('inf'), 0.2, 0.1])
    scan.header.stamp = pose_message(0.4, 0, 0, 0).header.stamp
    scan_pub.publish(scan)
    assert client.spin_until(lambda: ('scan', 0) in markers_of(arrays), 10)
    hits = [(p.x, p.y) for p in markers_of(arrays)[('scan', 0)].points]
    # beams at yaw - pi, yaw - pi/2 (no return), yaw, yaw + pi/2 from (0.5, 0.3), yaw 0.5
    # rad; ranges travel as float32
    angles = [0.5 - math.pi, 0.5, 0.5 + math.pi / 2]
    np.testing.assert_allclose(hits, [(0.5 + r * math.cos(a), 0.3 + r * math.sin(a))
                                      for r, a in zip([0.25, 0.2, 0.1], angles)], atol=1e-6)

    # place cells of cell (2, 2) (cell number 12: neurons 48-51) fire at 100 Hz
    counts = np.zeros(100, dtype=int)
    counts[48:52] = 20  # 20 spikes in 200 ms each
    counts[0] = 10  # cell 0 at 12.5 Hz
    places_pub.publish(places_message(counts, 400.0))
    assert client.spin_until(lambda: ('place_activity', 24) in markers_of(arrays), 10)
    activity = markers_of(arrays)
    for cell_index in range(25):
        color = activity[('place_activity', cell_index)].color
        rate = {12: 100.0, 0: 12.5}.get(cell_index, 0.0)
        assert (color.r, color.g, color.b, color.a) == pytest.approx(
            core.rate_color(rate, 100.0), abs=1e-6), cell_index
    centre = activity[('place_activity', 12)].pose.position
    assert (centre.x, centre.y) == pytest.approx(MAZE.cell_to_world((2, 2)))

    pose_pub.publish(pose_message(0.6, 2.7, 2.7, 0.0))  # placed at a new start cell
    assert client.spin_until(
        lambda: markers_of(arrays)[('robot', 0)].pose.position.x == pytest.approx(2.7), 10)
    assert markers_of(arrays)[('trajectory', 0)].action == Marker.DELETE  # path restarted
    assert processes[0].alive()


def test_wall_clock_brain_overruns_appear_in_diagnostics(client, processes, brains_dir, tmp_path):
    # 0.1 ms steps in real time: no brain step is that fast, so every step overruns
    processes.append(NodeProcess(
        'brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
        '-p', 'use_sim_time:=false', '-p', 'step_ms:=0.1', log_dir=tmp_path, name='brain'))
    monitor = NodeProcess('lockstep_monitor', '-p', 'mode:=brain_step', '-p', 'publish_every:=5',
                          log_dir=tmp_path)
    processes.append(monitor)
    diagnostics = Recorder(client, DiagnosticArray, '/diagnostics')

    def warned():
        return [s for a in diagnostics.messages for s in a.status
                if s.name == 'neurobot: brain steps' and s.level == DiagnosticStatus.WARN]
    assert client.spin_until(lambda: warned(), 60), monitor.output()
    values = {kv.key: kv.value for kv in warned()[-1].values}
    assert int(values['overruns']) > 0 and int(values['overruns since last report']) > 0
    assert float(values['step ms']) == 0.1 and float(values['total ms']) > 0.1
    assert 'overruns in the last' in warned()[-1].message
    processes.remove(monitor)
    assert monitor.stop() == 0
    assert 'brain steps' in monitor.output() and 'overruns' in monitor.output()


def test_markers_follow_a_real_world_node(client, processes, tmp_path):
    from neurobot_interfaces.srv import AdvanceWorld, PlaceRobot
    processes.append(NodeProcess('world_node', '-p', 'stepped:=true', '-p', f'maze:={MAZE_FILE}',
                                 log_dir=tmp_path))
    processes.append(NodeProcess('maze_markers', '-p', f'maze:={MAZE_FILE}', log_dir=tmp_path))
    sensor = QoSProfile(depth=100, reliability=ReliabilityPolicy.BEST_EFFORT)
    poses = Recorder(client, PoseStamped, 'ground_truth/pose', sensor).messages
    scans = Recorder(client, LaserScan, 'scan', sensor).messages
    arrays = Recorder(client, MarkerArray, 'maze/markers', LATE_JOINER).messages
    for topic in ('ground_truth/pose', 'scan'):
        wait_for_subscribers(client, topic, 2)  # this test and maze_markers
    placed = client.call(PlaceRobot, 'place_robot', PlaceRobot.Request(row=2, col=2), timeout=60)
    assert placed.success, placed.message
    client.spin_for(0.5)
    for _ in range(3):
        done = client.call(AdvanceWorld, 'advance_world', AdvanceWorld.Request(duration_ms=20.0))
        assert done.success, done.message

    def robot_at_last_pose():
        latest = markers_of(arrays)
        return (poses and ('robot', 0) in latest and ('scan', 0) in latest
                and latest[('robot', 0)].header.stamp == poses[-1].header.stamp
                and latest[('scan', 0)].header.stamp == poses[-1].header.stamp)
    assert client.spin_until(robot_at_last_pose, 10), (
        [stamp_ms(p.header.stamp) for p in poses],
        [(stamp_ms(m.header.stamp), m.ns) for a in arrays for m in a.markers
         if m.ns in ('robot', 'scan')])
    latest = markers_of(arrays)
    robot = latest[('robot', 0)].pose.position
    truth = poses[-1].pose.position
    assert (robot.x, robot.y) == (truth.x, truth.y)
    assert (truth.x, truth.y) == pytest.approx(MAZE.cell_to_world((2, 2)), abs=1e-3)
    # every lidar return is a point, and in the maze frame each lies on a wall's surface
    returns = np.isfinite(np.asarray(scans[-1].ranges)).sum()
    points = latest[('scan', 0)].points
    assert len(points) == returns > 0
    assert max(MAZE.distance_to_walls(p.x, p.y) for p in points) < 1e-3
